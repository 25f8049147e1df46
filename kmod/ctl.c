// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan control device: /dev/ramchan, a misc device. Opening it gives a
 * control file; every operation is an ioctl on that file, described in
 * include/uapi/linux/ramchan.h (uapi/linux/ramchan.h in this tree):
 *
 *	ctl = open("/dev/ramchan", O_RDWR | O_CLOEXEC);
 *	ioctl(ctl, RAMCHAN_IOC_INFO, &info);	ABI version, features, limits
 *	fd = ioctl(ctl, RAMCHAN_IOC_CREATE, &create);	a ring or a queue
 *	fd = ioctl(ctl, RAMCHAN_IOC_OPEN, &open);	a named channel
 *	ioctl(ctl, RAMCHAN_IOC_UNLINK, &unlink);
 *
 * Owns: the device (its node's mode and group), the control fd and its
 * ioctl table. CREATE is validated here, then handed to the kind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/ramchan.h>

#include "account.h"
#include "chan.h"
#include "ctl.h"
#include "ioctl.h"
#include "mq.h"
#include "ring.h"

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
	info->mq_max_depth = ramchan_limits.mq_max_depth;
	info->mq_max_msg_size = ramchan_limits.mq_max_msg_size;
	info->mq_max_spin_us = ramchan_limits.mq_max_spin_us;
	info->mq_max_batch = ramchan_limits.mq_max_batch;
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
	if (args->kind != RAMCHAN_KIND_RING && args->kind != RAMCHAN_KIND_MQ)
		return -EINVAL;
	if (args->name) {
		err = ramchan_copy_name(name, args->name);
		if (err)
			return err;
	} else if (args->mode) {
		return -EINVAL;	/* a mode means nothing without a name */
	}

	if (args->kind == RAMCHAN_KIND_RING)
		return ramchan_ring_create(file, args, name);
	return ramchan_mq_create(file, args, name);
}

static const struct ramchan_ioctl_desc ramchan_ctl_ioctls[] = {
	RAMCHAN_IOCTL(0, RAMCHAN_IOC_INFO, ramchan_ioctl_info,
		      RAMCHAN_INFO_SIZE_VER0),
	RAMCHAN_IOCTL(0, RAMCHAN_IOC_CREATE, ramchan_ioctl_create,
		      RAMCHAN_CREATE_SIZE_VER0),
	RAMCHAN_IOCTL(0, RAMCHAN_IOC_OPEN, ramchan_chan_open,
		      RAMCHAN_OPEN_SIZE_VER0),
	RAMCHAN_IOCTL(0, RAMCHAN_IOC_UNLINK, ramchan_chan_unlink,
		      sizeof(struct ramchan_unlink)),
};

const struct ramchan_ioctl_table ramchan_ctl_ioctl_table = {
	.name = "control",
	.descs = ramchan_ctl_ioctls,
	.count = ARRAY_SIZE(ramchan_ctl_ioctls),
	.first = 0,
};

static long ramchan_ctl_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	return ramchan_ioctl_dispatch(file, cmd, arg, &ramchan_ctl_ioctl_table);
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

/**
 * ramchan_ctl_init - check the device parameters and register /dev/ramchan
 *
 * Return: 0 or -errno (logged); the device is the last thing the module
 * makes visible.
 */
int __init ramchan_ctl_init(void)
{
	int err;

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

	ramchan_misc.minor = minor == -1 ? MISC_DYNAMIC_MINOR : minor;
	ramchan_misc.mode = mode;
	err = misc_register(&ramchan_misc);
	if (err) {
		pr_err("cannot register misc minor %d: %d (try minor=-1)\n",
		       minor, err);
		return err;
	}
	ramchan_misc.this_device->type = &ramchan_device_type;
	if (gid)
		kobject_uevent(&ramchan_misc.this_device->kobj, KOBJ_CHANGE);

	pr_info("ABI %u, /dev/ramchan (10:%d) mode %#o gid %u\n",
		RAMCHAN_ABI_VERSION, ramchan_misc.minor, mode, gid);
	return 0;
}

void ramchan_ctl_exit(void)
{
	misc_deregister(&ramchan_misc);
}

/* Autoload on the first open of /dev/ramchan (default minor only). */
MODULE_ALIAS_MISCDEV(RAMCHAN_MISC_MINOR);
MODULE_ALIAS("devname:ramchan");
