/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan internal interfaces, shared by the files of kmod/.
 */
#ifndef RAMCHAN_H
#define RAMCHAN_H

#include <linux/atomic.h>
#include <linux/types.h>

/**
 * struct ramchan_limits - module-wide limits, fixed at load time
 * @max_ring_bytes:	largest ring data area a channel may ask for
 * @max_channels:	most live channels in total
 * @max_channels_per_user: most live channels one user may create
 */
struct ramchan_limits {
	u64 max_ring_bytes;
	u32 max_channels;
	u32 max_channels_per_user;
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

int ramchan_sysfs_init(void);
void ramchan_sysfs_exit(void);

#endif /* RAMCHAN_H */
