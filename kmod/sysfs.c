// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan sysfs: /sys/kernel/ramchan/, one value per file.
 *
 * Every attribute here has an entry in
 * Documentation/ABI/testing/sysfs-kernel-ramchan.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/uidgid.h>
#include <linux/ramchan.h>

#include "ramchan.h"

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
	/* Written once before the channel is published. */
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
	return sysfs_emit(buf, "%lu\n", ramchan_kobj_chan(kobj)->bytes);
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

/**
 * ramchan_sysfs_add_chan - show a channel in /sys/kernel/ramchan/channel
 * @chan:	initialized channel; on failure kobject_put() still frees it
 *
 * Return: 0 or -errno.
 */
int ramchan_sysfs_add_chan(struct ramchan_chan *chan)
{
	int err;

	err = kobject_add(&chan->kobj, ramchan_channels_kobj, "%llu",
			  chan->id);
	if (err)
		return err;
	err = sysfs_create_group(&chan->kobj, &ramchan_chan_group);
	if (err)
		return err;
	return sysfs_create_group(&chan->kobj, chan->kind->attrs);
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
