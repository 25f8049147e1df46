// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan accounting: the module's limits (module parameters), its global
 * counters, and the charges every channel carries while it lives:
 *
 *   - a count per creating user, against max_channels_per_user, and the
 *     total against max_channels;
 *   - rings: their pages against the creator's RLIMIT_MEMLOCK, in the
 *     user's locked_vm as mlock() does (CAP_IPC_LOCK is exempt);
 *   - queues: their worst case against the creator's RLIMIT_MSGQUEUE, as
 *     mq_open() does (CAP_SYS_RESOURCE may exceed it);
 *   - every channel: the RAM it holds, in bytes_held.
 *
 * Each charge is taken once, at creation, and given back by
 * ramchan_uncharge() when the channel is freed, whatever part succeeded.
 *
 * Locking: ramchan_count_lock (mutex) protects the channel counts,
 * ramchan_msgqueue_lock (mutex) the RLIMIT_MSGQUEUE charges; locked_vm
 * and the global counters are atomics.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/sizes.h>
#include <linux/xarray.h>

#include "account.h"

static ulong max_ring_bytes = 64UL << 20;
module_param(max_ring_bytes, ulong, 0444);
MODULE_PARM_DESC(max_ring_bytes,
		 "Largest ring data area in bytes, a power of two (default 64 MiB)");

static uint max_channels = 4096;
module_param(max_channels, uint, 0444);
MODULE_PARM_DESC(max_channels, "Most live channels in total (default 4096)");

static uint max_channels_per_user = 256;
module_param(max_channels_per_user, uint, 0444);
MODULE_PARM_DESC(max_channels_per_user,
		 "Most live channels one user may create (default 256)");

static uint mq_max_depth = 65536;
module_param(mq_max_depth, uint, 0444);
MODULE_PARM_DESC(mq_max_depth,
		 "Most messages a queue may hold (default 65536)");

static uint mq_max_msg_size = 1 << 20;
module_param(mq_max_msg_size, uint, 0444);
MODULE_PARM_DESC(mq_max_msg_size,
		 "Largest message size a queue may allow, bytes (default 1 MiB)");

static uint mq_max_spin_us = 10000;
module_param(mq_max_spin_us, uint, 0444);
MODULE_PARM_DESC(mq_max_spin_us,
		 "Largest busy-poll budget in microseconds (default 10000)");

static uint mq_max_batch = 1024;
module_param(mq_max_batch, uint, 0444);
MODULE_PARM_DESC(mq_max_batch,
		 "Most messages one batched send or receive may carry (default 1024)");

/* Largest value of a queue parameter above: no overflow in any sum. */
#define RAMCHAN_MQ_PARAM_MAX	SZ_1G

struct ramchan_limits ramchan_limits __read_mostly;
struct ramchan_stats ramchan_stats;

/* Live channels in total and, as xarray values, per creating uid. */
static DEFINE_MUTEX(ramchan_count_lock);
static unsigned int ramchan_nr_channels;
static DEFINE_XARRAY(ramchan_user_channels);

/* Bytes charged per uid against RLIMIT_MSGQUEUE, as xarray values. */
static DEFINE_MUTEX(ramchan_msgqueue_lock);
static DEFINE_XARRAY(ramchan_msgqueue_charges);

static unsigned long ramchan_xa_count(struct xarray *xa, unsigned long index)
{
	return xa_to_value(xa_load(xa, index) ?: xa_mk_value(0));
}

/* Set the count of @index to @value (0 erases). Return: 0 or -ENOMEM. */
static int ramchan_xa_set(struct xarray *xa, unsigned long index,
			  unsigned long value)
{
	if (!value) {
		xa_erase(xa, index);
		return 0;
	}
	return xa_err(xa_store(xa, index, xa_mk_value(value), GFP_KERNEL));
}

/**
 * ramchan_charge_channel - count a new channel against the channel limits
 * @charge:	the channel's zeroed charge
 * @cred:	credentials of the creator
 *
 * Return: 0, -ENOSPC when max_channels are live, -EDQUOT when the
 * creator's user has max_channels_per_user, -ENOMEM.
 */
int ramchan_charge_channel(struct ramchan_charge *charge,
			   const struct cred *cred)
{
	unsigned long index = __kuid_val(cred->uid), mine;
	int err;

	mutex_lock(&ramchan_count_lock);
	mine = ramchan_xa_count(&ramchan_user_channels, index);
	if (ramchan_nr_channels >= ramchan_limits.max_channels)
		err = -ENOSPC;
	else if (mine >= ramchan_limits.max_channels_per_user)
		err = -EDQUOT;
	else
		err = ramchan_xa_set(&ramchan_user_channels, index, mine + 1);
	if (!err)
		ramchan_nr_channels++;
	mutex_unlock(&ramchan_count_lock);
	if (err)
		return err;
	charge->creator = cred->uid;
	charge->counted = true;
	atomic_long_inc(&ramchan_stats.channels);
	return 0;
}

static void ramchan_uncharge_channel(struct ramchan_charge *charge)
{
	unsigned long index = __kuid_val(charge->creator), mine;

	mutex_lock(&ramchan_count_lock);
	mine = ramchan_xa_count(&ramchan_user_channels, index);
	if (!WARN_ON_ONCE(!mine || !ramchan_nr_channels)) {
		/* Erasing never allocates, so this cannot fail. */
		ramchan_xa_set(&ramchan_user_channels, index, mine - 1);
		ramchan_nr_channels--;
	}
	mutex_unlock(&ramchan_count_lock);
	atomic_long_dec(&ramchan_stats.channels);
}

/**
 * ramchan_charge_memlock - charge a ring's pages against RLIMIT_MEMLOCK
 * @charge:	the channel's charge
 * @pages:	pages the ring locks in RAM
 *
 * CAP_IPC_LOCK is exempt, as for mlock(). Rings only: a queue holds no
 * locked pages.
 * Return: 0 or -ENOMEM when the limit would be exceeded.
 */
int ramchan_charge_memlock(struct ramchan_charge *charge, unsigned long pages)
{
	struct user_struct *user;
	unsigned long limit, cur;

	if (capable(CAP_IPC_LOCK))
		return 0;
	user = get_current_user();
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	cur = atomic_long_read(&user->locked_vm);
	do {
		if (pages > limit || cur > limit - pages) {
			free_uid(user);
			return -ENOMEM;
		}
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, cur + pages));
	charge->memlock_user = user;
	charge->memlock_pages = pages;
	return 0;
}

/**
 * ramchan_charge_msgqueue - charge a queue against RLIMIT_MSGQUEUE
 * @charge:	the channel's charge
 * @bytes:	the queue's worst case
 *
 * Charged to the creator's real uid, as mq_open() does; CAP_SYS_RESOURCE
 * may exceed the limit. The kernel's own counter (ucounts) is not
 * exported to modules, so we keep ours: it covers ramchan queues only.
 * Queues only: a ring is charged to RLIMIT_MEMLOCK.
 * Return: 0, -EMFILE when the limit would be exceeded, or -ENOMEM.
 */
int ramchan_charge_msgqueue(struct ramchan_charge *charge, u64 bytes)
{
	kuid_t uid = current_uid();
	unsigned long index = __kuid_val(uid);
	u64 limit = rlimit(RLIMIT_MSGQUEUE);
	u64 cur, total;
	int err;

	mutex_lock(&ramchan_msgqueue_lock);
	cur = ramchan_xa_count(&ramchan_msgqueue_charges, index);
	if (check_add_overflow(cur, bytes, &total) || total > LONG_MAX ||
	    (total > limit && !capable(CAP_SYS_RESOURCE)))
		err = -EMFILE;
	else
		err = ramchan_xa_set(&ramchan_msgqueue_charges, index, total);
	mutex_unlock(&ramchan_msgqueue_lock);
	if (err)
		return err;
	charge->msgqueue_uid = uid;
	charge->msgqueue_bytes = bytes;
	return 0;
}

static void ramchan_uncharge_msgqueue(struct ramchan_charge *charge)
{
	unsigned long index = __kuid_val(charge->msgqueue_uid);
	u64 cur;

	mutex_lock(&ramchan_msgqueue_lock);
	cur = ramchan_xa_count(&ramchan_msgqueue_charges, index);
	if (WARN_ON_ONCE(cur < charge->msgqueue_bytes))
		cur = charge->msgqueue_bytes;
	/* Lowering a count: xa_store() reuses the slot, never allocates. */
	ramchan_xa_set(&ramchan_msgqueue_charges, index,
		       cur - charge->msgqueue_bytes);
	mutex_unlock(&ramchan_msgqueue_lock);
}

/* Show @bytes of RAM held by the channel in bytes_held. */
void ramchan_charge_bytes(struct ramchan_charge *charge, unsigned long bytes)
{
	charge->bytes = bytes;
	atomic_long_add(bytes, &ramchan_stats.bytes_held);
}

/* Give back every charge @charge holds; it may be partly charged. */
void ramchan_uncharge(struct ramchan_charge *charge)
{
	if (charge->memlock_user) {
		atomic_long_sub(charge->memlock_pages,
				&charge->memlock_user->locked_vm);
		free_uid(charge->memlock_user);
		charge->memlock_user = NULL;
	}
	if (charge->msgqueue_bytes) {
		ramchan_uncharge_msgqueue(charge);
		charge->msgqueue_bytes = 0;
	}
	atomic_long_sub(charge->bytes, &ramchan_stats.bytes_held);
	charge->bytes = 0;
	if (charge->counted) {
		ramchan_uncharge_channel(charge);
		charge->counted = false;
	}
}

/* Check the module parameters and publish them as ramchan_limits. */
int __init ramchan_account_init(void)
{
	if (max_ring_bytes < PAGE_SIZE || !is_power_of_2(max_ring_bytes)) {
		pr_err("max_ring_bytes=%lu: must be a power of two >= %lu\n",
		       max_ring_bytes, PAGE_SIZE);
		return -EINVAL;
	}
	if (!max_channels || !max_channels_per_user) {
		pr_err("max_channels and max_channels_per_user must be > 0\n");
		return -EINVAL;
	}
	if (!mq_max_depth || mq_max_depth > RAMCHAN_MQ_PARAM_MAX ||
	    !mq_max_msg_size || mq_max_msg_size > RAMCHAN_MQ_PARAM_MAX ||
	    mq_max_spin_us > RAMCHAN_MQ_PARAM_MAX ||
	    !mq_max_batch || mq_max_batch > RAMCHAN_MQ_PARAM_MAX) {
		pr_err("mq_max_depth, mq_max_msg_size and mq_max_batch must be 1-%d, mq_max_spin_us 0-%d\n",
		       RAMCHAN_MQ_PARAM_MAX, RAMCHAN_MQ_PARAM_MAX);
		return -EINVAL;
	}
	ramchan_limits.max_ring_bytes = max_ring_bytes;
	ramchan_limits.max_channels = max_channels;
	ramchan_limits.max_channels_per_user = max_channels_per_user;
	ramchan_limits.mq_max_depth = mq_max_depth;
	ramchan_limits.mq_max_msg_size = mq_max_msg_size;
	ramchan_limits.mq_max_spin_us = mq_max_spin_us;
	ramchan_limits.mq_max_batch = mq_max_batch;
	return 0;
}

/* Module unload: every channel is gone, so every charge was given back. */
void ramchan_account_exit(void)
{
	WARN_ON_ONCE(ramchan_nr_channels);
	WARN_ON_ONCE(!xa_empty(&ramchan_user_channels));
	WARN_ON_ONCE(!xa_empty(&ramchan_msgqueue_charges));
	xa_destroy(&ramchan_user_channels);
	xa_destroy(&ramchan_msgqueue_charges);
}
