// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan sysfs: /sys/kernel/ramchan/, one value per file.
 *
 * Every attribute of the module is here, and each has an entry in
 * Documentation/ABI/testing/sysfs-kernel-ramchan:
 *
 *   /sys/kernel/ramchan/		global counters (struct ramchan_stats)
 *   /sys/kernel/ramchan/channel/<id>/	every channel: kind, name, owner, ...
 *					rings: positions, fill, waiters, ...
 *					queues: depth, counts, drops, ...
 *
 * A channel directory appears with all its files at once (they are the
 * default groups of its kind's kobj_type) and only once the channel is
 * complete (see ramchan_chan_publish()). Figures read from a ring's shared
 * pages are clamped to the kernel's own size; walks over them are bounded.
 * Statistics are read without locks: each value is one snapshot.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/uidgid.h>
#include <linux/ramchan.h>

#include "account.h"
#include "chan.h"
#include "mq.h"
#include "ring.h"
#include "sysfs.h"

static struct kobject *ramchan_kobj;
static struct kobject *ramchan_channels_kobj;

static ssize_t abi_version_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", RAMCHAN_ABI_VERSION);
}

static struct kobj_attribute abi_version_attr = __ATTR_RO(abi_version);

/* A read-only attribute showing one counter of struct ramchan_stats. */
struct ramchan_stat_attr {
	struct kobj_attribute attr;
	atomic_long_t *counter;
};

static ssize_t ramchan_stat_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct ramchan_stat_attr *stat =
		container_of(attr, struct ramchan_stat_attr, attr);

	return sysfs_emit(buf, "%ld\n", atomic_long_read(stat->counter));
}

static struct ramchan_stat_attr opens_attr = {
	.attr = __ATTR(opens, 0444, ramchan_stat_show, NULL),
	.counter = &ramchan_stats.opens,
};

static struct ramchan_stat_attr open_files_attr = {
	.attr = __ATTR(open_files, 0444, ramchan_stat_show, NULL),
	.counter = &ramchan_stats.open_files,
};

static struct ramchan_stat_attr channels_attr = {
	.attr = __ATTR(channels, 0444, ramchan_stat_show, NULL),
	.counter = &ramchan_stats.channels,
};

static struct ramchan_stat_attr bytes_held_attr = {
	.attr = __ATTR(bytes_held, 0444, ramchan_stat_show, NULL),
	.counter = &ramchan_stats.bytes_held,
};

static struct attribute *ramchan_global_attrs[] = {
	&abi_version_attr.attr,
	&opens_attr.attr.attr,
	&open_files_attr.attr.attr,
	&channels_attr.attr.attr,
	&bytes_held_attr.attr.attr,
	NULL,
};

static const struct attribute_group ramchan_global_group = {
	.attrs = ramchan_global_attrs,
};

/* /sys/kernel/ramchan/channel/<id>/: what every channel has */

static struct ramchan_chan *ramchan_kobj_chan(struct kobject *kobj)
{
	return container_of(kobj, struct ramchan_chan, kobj);
}

static ssize_t kind_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", ramchan_kobj_chan(kobj)->kind->name);
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	/* Set before the directory is added, never changed. */
	return sysfs_emit(buf, "%s\n", ramchan_kobj_chan(kobj)->name);
}

static ssize_t owner_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", from_kuid_munged(&init_user_ns,
					ramchan_kobj_chan(kobj)->owner));
}

static ssize_t group_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", from_kgid_munged(&init_user_ns,
					ramchan_kobj_chan(kobj)->group));
}

static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%04o\n", ramchan_kobj_chan(kobj)->mode);
}

static ssize_t producers_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(ramchan_kobj_chan(kobj)->producers));
}

static ssize_t consumers_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(ramchan_kobj_chan(kobj)->consumers));
}

static ssize_t memory_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%lu\n", ramchan_kobj_chan(kobj)->charge.bytes);
}

static struct kobj_attribute chan_kind_attr = __ATTR_RO(kind);
static struct kobj_attribute chan_name_attr = __ATTR_RO(name);
static struct kobj_attribute chan_owner_attr = __ATTR_RO(owner);
static struct kobj_attribute chan_group_attr = __ATTR_RO(group);
static struct kobj_attribute chan_mode_attr = __ATTR_RO(mode);
static struct kobj_attribute chan_producers_attr = __ATTR_RO(producers);
static struct kobj_attribute chan_consumers_attr = __ATTR_RO(consumers);
static struct kobj_attribute chan_memory_attr = __ATTR_RO(memory);

static struct attribute *ramchan_chan_attrs[] = {
	&chan_kind_attr.attr,
	&chan_name_attr.attr,
	&chan_owner_attr.attr,
	&chan_group_attr.attr,
	&chan_mode_attr.attr,
	&chan_producers_attr.attr,
	&chan_consumers_attr.attr,
	&chan_memory_attr.attr,
	NULL,
};

static const struct attribute_group ramchan_chan_group = {
	.attrs = ramchan_chan_attrs,
};

/*
 * A read-only attribute of a channel kind (ring or mq): @_expr, printed
 * with @_fmt, computed from "obj", the kind's object.
 */
#define RAMCHAN_KIND_ATTR(_kind, _name, _fmt, _expr)			\
static ssize_t _kind##_##_name##_show(struct kobject *kobj,		\
				      struct kobj_attribute *attr,	\
				      char *buf)			\
{									\
	struct ramchan_##_kind *obj =					\
		container_of(ramchan_kobj_chan(kobj),			\
			     struct ramchan_##_kind, chan);		\
									\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static struct kobj_attribute _kind##_##_name##_attr =			\
	__ATTR(_name, 0444, _kind##_##_name##_show, NULL)

/* /sys/kernel/ramchan/channel/<id>/: ring attributes */

RAMCHAN_KIND_ATTR(ring, size, "%llu", obj->size);
RAMCHAN_KIND_ATTR(ring, fill, "%llu", ramchan_ring_fill(obj));
RAMCHAN_KIND_ATTR(ring, bytes_in, "%llu", READ_ONCE(obj->prod->head));
RAMCHAN_KIND_ATTR(ring, bytes_out, "%llu", READ_ONCE(obj->cons->tail));
RAMCHAN_KIND_ATTR(ring, records_out, "%llu", READ_ONCE(obj->cons->records));
RAMCHAN_KIND_ATTR(ring, records_in, "%llu", READ_ONCE(obj->cons->records) +
		  ramchan_ring_queued_records(obj));
RAMCHAN_KIND_ATTR(ring, high_water, "%llu", ramchan_ring_high_water(obj));
RAMCHAN_KIND_ATTR(ring, waiters, "%u", READ_ONCE(obj->readers_sleeping) +
		  READ_ONCE(obj->writers_sleeping));
RAMCHAN_KIND_ATTR(ring, waits, "%ld", atomic_long_read(&obj->waits));
RAMCHAN_KIND_ATTR(ring, wakeups, "%ld", atomic_long_read(&obj->wakeups));
RAMCHAN_KIND_ATTR(ring, flags, "%#x", READ_ONCE(obj->flags));

static struct attribute *ramchan_ring_attrs[] = {
	&ring_size_attr.attr,
	&ring_fill_attr.attr,
	&ring_bytes_in_attr.attr,
	&ring_bytes_out_attr.attr,
	&ring_records_in_attr.attr,
	&ring_records_out_attr.attr,
	&ring_high_water_attr.attr,
	&ring_waiters_attr.attr,
	&ring_waits_attr.attr,
	&ring_wakeups_attr.attr,
	&ring_flags_attr.attr,
	NULL,
};

static const struct attribute_group ramchan_ring_group = {
	.attrs = ramchan_ring_attrs,
};

/* /sys/kernel/ramchan/channel/<id>/: queue attributes */

static const char *const ramchan_mq_overflow_names[] = {
	[RAMCHAN_MQ_OVERFLOW_BLOCK] = "block",
	[RAMCHAN_MQ_OVERFLOW_REJECT] = "reject",
	[RAMCHAN_MQ_OVERFLOW_DROP_OLDEST] = "drop-oldest",
};

RAMCHAN_KIND_ATTR(mq, depth, "%u", obj->depth);
RAMCHAN_KIND_ATTR(mq, msg_size, "%u", obj->msg_size);
RAMCHAN_KIND_ATTR(mq, overflow, "%s", ramchan_mq_overflow_names[obj->overflow]);
RAMCHAN_KIND_ATTR(mq, spin_us, "%u", READ_ONCE(obj->spin_us));
RAMCHAN_KIND_ATTR(mq, count, "%u", READ_ONCE(obj->count));
RAMCHAN_KIND_ATTR(mq, bytes, "%llu", READ_ONCE(obj->bytes));
RAMCHAN_KIND_ATTR(mq, msgs_in, "%llu", READ_ONCE(obj->msgs_in));
RAMCHAN_KIND_ATTR(mq, msgs_out, "%llu", READ_ONCE(obj->msgs_out));
RAMCHAN_KIND_ATTR(mq, bytes_in, "%llu", READ_ONCE(obj->bytes_in));
RAMCHAN_KIND_ATTR(mq, bytes_out, "%llu", READ_ONCE(obj->bytes_out));
RAMCHAN_KIND_ATTR(mq, drops, "%llu", READ_ONCE(obj->drops));
RAMCHAN_KIND_ATTR(mq, rejects, "%llu", READ_ONCE(obj->rejects));
RAMCHAN_KIND_ATTR(mq, handoffs, "%llu", READ_ONCE(obj->handoffs));
RAMCHAN_KIND_ATTR(mq, senders_waiting, "%u", READ_ONCE(obj->senders_waiting));
RAMCHAN_KIND_ATTR(mq, receivers_waiting, "%u", READ_ONCE(obj->receivers_waiting));
RAMCHAN_KIND_ATTR(mq, high_water, "%u", READ_ONCE(obj->high_water));

static struct attribute *ramchan_mq_attrs[] = {
	&mq_depth_attr.attr,
	&mq_msg_size_attr.attr,
	&mq_overflow_attr.attr,
	&mq_spin_us_attr.attr,
	&mq_count_attr.attr,
	&mq_bytes_attr.attr,
	&mq_msgs_in_attr.attr,
	&mq_msgs_out_attr.attr,
	&mq_bytes_in_attr.attr,
	&mq_bytes_out_attr.attr,
	&mq_drops_attr.attr,
	&mq_rejects_attr.attr,
	&mq_handoffs_attr.attr,
	&mq_senders_waiting_attr.attr,
	&mq_receivers_waiting_attr.attr,
	&mq_high_water_attr.attr,
	NULL,
};

static const struct attribute_group ramchan_mq_group = {
	.attrs = ramchan_mq_attrs,
};

const struct attribute_group *ramchan_ring_sysfs_groups[] = {
	&ramchan_chan_group,
	&ramchan_ring_group,
	NULL,
};

const struct attribute_group *ramchan_mq_sysfs_groups[] = {
	&ramchan_chan_group,
	&ramchan_mq_group,
	NULL,
};

/**
 * ramchan_sysfs_add_chan - show a channel in /sys/kernel/ramchan/channel
 * @chan:	complete channel; on failure kobject_put() still frees it
 *
 * The directory comes with every attribute of the channel's kind.
 * Return: 0 or -errno (nothing is left in sysfs then).
 */
int ramchan_sysfs_add_chan(struct ramchan_chan *chan)
{
	return kobject_add(&chan->kobj, ramchan_channels_kobj, "%llu",
			   chan->id);
}

int ramchan_sysfs_init(void)
{
	int err;

	ramchan_kobj = kobject_create_and_add("ramchan", kernel_kobj);
	if (!ramchan_kobj)
		return -ENOMEM;

	err = sysfs_create_group(ramchan_kobj, &ramchan_global_group);
	if (err)
		goto err_put_kobj;

	ramchan_channels_kobj = kobject_create_and_add("channel",
						       ramchan_kobj);
	if (!ramchan_channels_kobj) {
		err = -ENOMEM;
		goto err_remove_group;
	}
	return 0;

err_remove_group:
	sysfs_remove_group(ramchan_kobj, &ramchan_global_group);
err_put_kobj:
	kobject_put(ramchan_kobj);
	ramchan_kobj = NULL;
	return err;
}

void ramchan_sysfs_exit(void)
{
	kobject_put(ramchan_channels_kobj);
	ramchan_channels_kobj = NULL;
	sysfs_remove_group(ramchan_kobj, &ramchan_global_group);
	kobject_put(ramchan_kobj);
	ramchan_kobj = NULL;
}
