/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module lets users hold, and what they hold: the limits set at
 * load time, the global counters, and the charges of each channel
 * (channel counts per user, RLIMIT_MEMLOCK for rings, RLIMIT_MSGQUEUE for
 * queues, bytes held). A channel is charged to its own kind's limit only.
 */
#ifndef RAMCHAN_ACCOUNT_H
#define RAMCHAN_ACCOUNT_H

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct user_struct;

/**
 * struct ramchan_limits - module-wide limits, fixed at load time
 * @max_ring_bytes:	largest ring data area a channel may ask for
 * @max_channels:	most live channels in total
 * @max_channels_per_user: most live channels one user may create
 * @mq_max_depth:	most messages a queue may hold
 * @mq_max_msg_size:	largest message size a queue may allow
 * @mq_max_spin_us:	largest busy-poll budget
 * @mq_max_batch:	most messages one batched call may carry
 */
struct ramchan_limits {
	u64 max_ring_bytes;
	u32 max_channels;
	u32 max_channels_per_user;
	u32 mq_max_depth;
	u32 mq_max_msg_size;
	u32 mq_max_spin_us;
	u32 mq_max_batch;
};

extern struct ramchan_limits ramchan_limits;

/**
 * struct ramchan_stats - module-wide counters, shown in /sys/kernel/ramchan
 *
 * Updated on open/close and channel create/destroy, never on a data fast
 * path; readers take a plain snapshot of each.
 *
 * @opens:	successful opens of /dev/ramchan since the module was loaded
 * @open_files:	control files open right now
 * @channels:	live channels
 * @bytes_held:	bytes of RAM held by all live channels (rings and queues)
 */
struct ramchan_stats {
	atomic_long_t opens;
	atomic_long_t open_files;
	atomic_long_t channels;
	atomic_long_t bytes_held;
};

extern struct ramchan_stats ramchan_stats;

/**
 * struct ramchan_charge - what one channel is charged with
 * @creator:	uid counted against max_channels_per_user
 * @counted:	counted in the channel limits
 * @memlock_user: charged @memlock_pages against RLIMIT_MEMLOCK (NULL:
 *		nothing charged, or CAP_IPC_LOCK)
 * @memlock_pages: pages charged to @memlock_user
 * @msgqueue_uid: charged @msgqueue_bytes against RLIMIT_MSGQUEUE
 * @msgqueue_bytes: bytes charged, 0 until the charge succeeded
 * @bytes:	RAM shown in ramchan_stats.bytes_held
 *
 * Written only while the channel is created, read only when it is freed:
 * no lock.
 */
struct ramchan_charge {
	kuid_t creator;
	bool counted;
	struct user_struct *memlock_user;
	unsigned long memlock_pages;
	kuid_t msgqueue_uid;
	u64 msgqueue_bytes;
	unsigned long bytes;
};

int ramchan_account_init(void);
void ramchan_account_exit(void);
int ramchan_charge_channel(struct ramchan_charge *charge,
			   const struct cred *cred);
int ramchan_charge_memlock(struct ramchan_charge *charge, unsigned long pages);
int ramchan_charge_msgqueue(struct ramchan_charge *charge, u64 bytes);
void ramchan_charge_bytes(struct ramchan_charge *charge, unsigned long bytes);
void ramchan_uncharge(struct ramchan_charge *charge);

#endif /* RAMCHAN_ACCOUNT_H */
