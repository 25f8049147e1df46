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
#include <linux/ramchan.h>

#include "ramchan.h"

static struct kobject *ramchan_kobj;

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

int ramchan_sysfs_init(void)
{
	int err;

	ramchan_kobj = kobject_create_and_add("ramchan", kernel_kobj);
	if (!ramchan_kobj)
		return -ENOMEM;

	err = sysfs_create_group(ramchan_kobj, &ramchan_global_group);
	if (err)
		goto err_put_kobj;
	return 0;

err_put_kobj:
	kobject_put(ramchan_kobj);
	ramchan_kobj = NULL;
	return err;
}

void ramchan_sysfs_exit(void)
{
	sysfs_remove_group(ramchan_kobj, &ramchan_global_group);
	kobject_put(ramchan_kobj);
	ramchan_kobj = NULL;
}
