// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan - RAM channels between processes on one host
 *
 * /dev/ramchan is a misc device. Opening it gives a control file; every
 * operation is an ioctl on that file, described in
 * include/uapi/linux/ramchan.h (uapi/linux/ramchan.h in this tree):
 *
 *	ctl = open("/dev/ramchan", O_RDWR | O_CLOEXEC);
 *	ioctl(ctl, RAMCHAN_IOC_INFO, &info);	ABI version, features, limits
 *
 * This file holds module init/exit, the misc device and the ioctl dispatch
 * table; statistics live in sysfs.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/ramchan.h>

#include "ramchan.h"

static ushort mode = 0600;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "Permission bits of /dev/ramchan (octal, default 0600)");

static uint gid;
module_param(gid, uint, 0444);
MODULE_PARM_DESC(gid,
		 "Group of /dev/ramchan, passed to udev as DEVGID (default 0: root)");

static int minor = RAMCHAN_MISC_MINOR;
module_param(minor, int, 0444);
MODULE_PARM_DESC(minor,
		 "Misc minor of /dev/ramchan: 240-254 (local use, default 242; autoload works only with the default) or -1 for a dynamic minor");

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

struct ramchan_limits ramchan_limits __read_mostly;
struct ramchan_stats ramchan_stats;

/* Large enough for every ioctl argument struct; checked at build time. */
#define RAMCHAN_IOCTL_ARG_MAX	256

/**
 * ramchan_ioctl_dispatch - run one ioctl from a dispatch table
 * @file:	the file the ioctl was made on
 * @cmd:	the command number: type, number, direction and argument size
 * @arg:	the user pointer to the argument struct
 * @table:	descriptors indexed by _IOC_NR - @first
 * @count:	entries in @table
 * @first:	_IOC_NR of @table[0]
 *
 * The argument size comes from the command number. A caller whose struct is
 * older (smaller) than the kernel's gets the missing fields zero-filled on
 * the way in and truncated on the way out; a newer (larger) one must have
 * zeroes in the fields this kernel does not know (-E2BIG otherwise).
 *
 * Return: the handler's result, -ENOTTY for an unknown command, -EINVAL for
 * an argument smaller than the first version of its struct, -EFAULT for a bad
 * pointer.
 */
long ramchan_ioctl_dispatch(struct file *file, unsigned int cmd,
			    unsigned long arg,
			    const struct ramchan_ioctl_desc *table,
			    unsigned int count, unsigned int first)
{
	u64 karg[RAMCHAN_IOCTL_ARG_MAX / sizeof(u64)];
	const struct ramchan_ioctl_desc *desc;
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);
	unsigned int usize = _IOC_SIZE(cmd);
	unsigned int ksize, dir;
	long ret;
	int err;

	if (_IOC_TYPE(cmd) != RAMCHAN_IOC_MAGIC || nr < first ||
	    nr - first >= count)
		return -ENOTTY;
	desc = &table[array_index_nospec(nr - first, count)];
	dir = _IOC_DIR(desc->cmd);
	ksize = _IOC_SIZE(desc->cmd);
	if (!desc->handler || _IOC_DIR(cmd) != dir)
		return -ENOTTY;
	if (usize < desc->min_size)
		return -EINVAL;
	if (WARN_ON_ONCE(ksize > sizeof(karg)))
		return -EINVAL;

	if (dir & _IOC_WRITE) {
		err = copy_struct_from_user(karg, ksize, uarg, usize);
		if (err)
			return err;
	} else {
		memset(karg, 0, sizeof(karg));
		if (dir == _IOC_NONE)
			karg[0] = arg;
	}

	ret = desc->handler(file, karg);
	if (ret < 0 || !(dir & _IOC_READ))
		return ret;

	if (copy_to_user(uarg, karg, min(usize, ksize)))
		return -EFAULT;
	if (usize > ksize && clear_user(uarg + ksize, usize - ksize))
		return -EFAULT;
	return ret;
}

static long ramchan_ioctl_info(struct file *file, void *arg)
{
	struct ramchan_info *info = arg;

	if (info->flags)
		return -EINVAL;
	if (memchr_inv(info->reserved, 0, sizeof(info->reserved)))
		return -EINVAL;

	memset(info, 0, sizeof(*info));
	info->abi_version = RAMCHAN_ABI_VERSION;
	info->features = RAMCHAN_FEATURE_SYSFS | RAMCHAN_FEATURE_RING |
			 RAMCHAN_FEATURE_NAMES | RAMCHAN_FEATURE_MQ;
	info->max_ring_bytes = ramchan_limits.max_ring_bytes;
	info->max_channels = ramchan_limits.max_channels;
	info->max_channels_per_user = ramchan_limits.max_channels_per_user;
	info->name_max = RAMCHAN_NAME_MAX;
	info->page_size = PAGE_SIZE;
	ramchan_mq_info(info);
	return 0;
}

static long ramchan_ioctl_create(struct file *file, void *arg)
{
	struct ramchan_create *args = arg;
	char name[RAMCHAN_NAME_MAX + 1] = "";
	int err;

	if (args->flags & ~(RAMCHAN_F_NOCLOEXEC | RAMCHAN_F_NONBLOCK))
		return -EINVAL;
	if (args->role & ~RAMCHAN_ROLE_BOTH)
		return -EINVAL;
	if (args->mode & ~0777)
		return -EINVAL;
	if (memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->name) {
		err = ramchan_copy_name(name, args->name);
		if (err)
			return err;
	} else if (args->mode) {
		return -EINVAL;	/* a mode means nothing without a name */
	}

	switch (args->kind) {
	case RAMCHAN_KIND_RING:
		return ramchan_ring_create(file, args, name);
	case RAMCHAN_KIND_MQ:
		return ramchan_mq_create(file, args, name);
	default:
		return -EINVAL;
	}
}

static long ramchan_ioctl_open(struct file *file, void *arg)
{
	return ramchan_chan_open(file, arg);
}

static long ramchan_ioctl_unlink(struct file *file, void *arg)
{
	return ramchan_chan_unlink(file, arg);
}

static const struct ramchan_ioctl_desc ramchan_ctl_ioctls[] = {
	[_IOC_NR(RAMCHAN_IOC_INFO)] = {
		.handler = ramchan_ioctl_info,
		.cmd = RAMCHAN_IOC_INFO,
		.min_size = RAMCHAN_INFO_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_CREATE)] = {
		.handler = ramchan_ioctl_create,
		.cmd = RAMCHAN_IOC_CREATE,
		.min_size = RAMCHAN_CREATE_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_OPEN)] = {
		.handler = ramchan_ioctl_open,
		.cmd = RAMCHAN_IOC_OPEN,
		.min_size = RAMCHAN_OPEN_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_UNLINK)] = {
		.handler = ramchan_ioctl_unlink,
		.cmd = RAMCHAN_IOC_UNLINK,
		.min_size = sizeof(struct ramchan_unlink),
	},
};

static long ramchan_ctl_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	return ramchan_ioctl_dispatch(file, cmd, arg, ramchan_ctl_ioctls,
				      ARRAY_SIZE(ramchan_ctl_ioctls), 0);
}

static int ramchan_ctl_open(struct inode *inode, struct file *file)
{
	int err;

	err = nonseekable_open(inode, file);
	if (err)
		return err;
	atomic_long_inc(&ramchan_stats.opens);
	atomic_long_inc(&ramchan_stats.open_files);
	return 0;
}

static int ramchan_ctl_release(struct inode *inode, struct file *file)
{
	atomic_long_dec(&ramchan_stats.open_files);
	return 0;
}

static const struct file_operations ramchan_ctl_fops = {
	.owner = THIS_MODULE,
	.open = ramchan_ctl_open,
	.release = ramchan_ctl_release,
	.unlocked_ioctl = ramchan_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice ramchan_misc = {
	.name = "ramchan",
	.fops = &ramchan_ctl_fops,
};

/*
 * The misc core creates the devtmpfs node with our mode but always as
 * root:root. Reporting the wanted group through the device type puts
 * DEVGID (and DEVMODE) into the device's uevent, which udev applies to
 * the node; a change event makes udev look again after registration.
 */
static char *ramchan_devnode(RAMCHAN_DEVNODE_CONST struct device *dev,
			     umode_t *devmode, kuid_t *uid, kgid_t *devgid)
{
	if (devmode)
		*devmode = mode;
	if (devgid)
		*devgid = make_kgid(&init_user_ns, gid);
	return NULL;
}

static const struct device_type ramchan_device_type = {
	.name = "ramchan",
	.devnode = ramchan_devnode,
};

static int __init ramchan_check_params(void)
{
	if (mode & ~0777) {
		pr_err("mode=%#o: only permission bits (0-0777) are allowed\n",
		       mode);
		return -EINVAL;
	}
	if (!gid_valid(make_kgid(&init_user_ns, gid))) {
		pr_err("gid=%u is not a valid group id\n", gid);
		return -EINVAL;
	}
	if (minor != -1 && (minor < 240 || minor > 254)) {
		pr_err("minor=%d: use 240-254 (local use) or -1 (dynamic)\n",
		       minor);
		return -EINVAL;
	}
	if (max_ring_bytes < PAGE_SIZE || !is_power_of_2(max_ring_bytes)) {
		pr_err("max_ring_bytes=%lu: must be a power of two >= %lu\n",
		       max_ring_bytes, PAGE_SIZE);
		return -EINVAL;
	}
	if (!max_channels || !max_channels_per_user) {
		pr_err("max_channels and max_channels_per_user must be > 0\n");
		return -EINVAL;
	}
	return 0;
}

static int __init ramchan_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct ramchan_info) != RAMCHAN_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ramchan_info) % 8);
	BUILD_BUG_ON(sizeof(struct ramchan_info) > RAMCHAN_IOCTL_ARG_MAX);
	BUILD_BUG_ON(sizeof(struct ramchan_create) != RAMCHAN_CREATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ramchan_open) != RAMCHAN_OPEN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ramchan_unlink) % 8);
	BUILD_BUG_ON(sizeof(struct ramchan_ring_layout) !=
		     RAMCHAN_RING_LAYOUT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ramchan_wait) != RAMCHAN_WAIT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ramchan_dup) % 8);
	BUILD_BUG_ON(sizeof(struct ramchan_ring_info) > PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct ramchan_ring_producer) > PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct ramchan_ring_consumer) > PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct ramchan_mq_msg) != RAMCHAN_MQ_MSG_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ramchan_mq_vec) % 8);
	BUILD_BUG_ON(sizeof(struct ramchan_mq_batch) !=
		     RAMCHAN_MQ_BATCH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ramchan_mq_attr) != RAMCHAN_MQ_ATTR_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ramchan_mq_attr) > RAMCHAN_IOCTL_ARG_MAX);
	BUILD_BUG_ON(sizeof(struct ramchan_mq_notify) % 8);

	err = ramchan_check_params();
	if (err)
		return err;

	ramchan_limits.max_ring_bytes = max_ring_bytes;
	ramchan_limits.max_channels = max_channels;
	ramchan_limits.max_channels_per_user = max_channels_per_user;

	err = ramchan_mq_init();
	if (err)
		return err;

	err = ramchan_sysfs_init();
	if (err)
		goto err_mq;

	ramchan_misc.minor = minor == -1 ? MISC_DYNAMIC_MINOR : minor;
	ramchan_misc.mode = mode;
	err = misc_register(&ramchan_misc);
	if (err) {
		pr_err("cannot register misc minor %d: %d (try minor=-1)\n",
		       minor, err);
		goto err_sysfs;
	}
	ramchan_misc.this_device->type = &ramchan_device_type;
	if (gid)
		kobject_uevent(&ramchan_misc.this_device->kobj, KOBJ_CHANGE);

	pr_info("ABI %u, /dev/ramchan (10:%d) mode %#o gid %u\n",
		RAMCHAN_ABI_VERSION, ramchan_misc.minor, mode, gid);
	return 0;

err_sysfs:
	ramchan_sysfs_exit();
err_mq:
	ramchan_mq_exit();
	return err;
}

static void __exit ramchan_exit(void)
{
	misc_deregister(&ramchan_misc);
	ramchan_chan_exit();
	ramchan_mq_exit();
	ramchan_sysfs_exit();
}

module_init(ramchan_init);
module_exit(ramchan_exit);

MODULE_AUTHOR("The ramchan developers");
MODULE_DESCRIPTION("RAM channels: mmap'd rings and message queues between processes");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1.0");
MODULE_ALIAS_MISCDEV(RAMCHAN_MISC_MINOR);
MODULE_ALIAS("devname:ramchan");
