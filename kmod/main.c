// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan - RAM channels between processes on one host
 *
 * Module init and exit only; exit undoes init in reverse. The module, as
 * a graph (each file uses only those below it):
 *
 *   main.c      init/exit
 *   ctl.c       /dev/ramchan and its ioctls: INFO, CREATE, OPEN, UNLINK
 *   ring.c      rings ---> ring_io.c ---> ring_wait.c ---> ring_rec.c
 *   mq_file.c   queues --> mq_batch.c --> mq_queue.c --> mq_wait.c,
 *                                         mq_prio.c, mq_msg.c
 *   chan.c      channel objects, names, files and roles, DUP, fdinfo
 *   sysfs.c     every sysfs attribute
 *   account.c   limits (module parameters), counters, charges
 *   ioctl.c     the table-driven ioctl dispatcher
 *
 * compat.h (force-included) holds every per-kernel-version shim.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/ramchan.h>

#include "account.h"
#include "chan.h"
#include "ctl.h"
#include "ioctl.h"
#include "mq.h"
#include "netlink.h"
#include "ring.h"
#include "sysfs.h"

/* The ABI's structs have the sizes their users were built with. */
static void __init ramchan_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct ramchan_info) != RAMCHAN_INFO_SIZE_VER0);
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
	BUILD_BUG_ON(sizeof(struct ramchan_mq_notify) % 8);
}

static const struct ramchan_ioctl_table *const ramchan_ioctl_tables[] = {
	&ramchan_ctl_ioctl_table,
	&ramchan_ring_ioctl_table,
	&ramchan_mq_ioctl_table,
};

static int __init ramchan_init(void)
{
	unsigned int i;
	int err;

	ramchan_check_abi();
	for (i = 0; i < ARRAY_SIZE(ramchan_ioctl_tables); i++) {
		err = ramchan_ioctl_table_check(ramchan_ioctl_tables[i]);
		if (err)
			return err;
	}

	err = ramchan_account_init();
	if (err)
		return err;
	err = ramchan_mq_init();
	if (err)
		goto err_account;
	err = ramchan_sysfs_init();
	if (err)
		goto err_mq;
	err = ramchan_ctl_init();
	if (err)
		goto err_sysfs;
	err = ramchan_netlink_init();
	if (err)
		goto err_ctl;
	return 0;

err_ctl:
	ramchan_ctl_exit();
err_sysfs:
	ramchan_sysfs_exit();
err_mq:
	ramchan_mq_exit();
err_account:
	ramchan_account_exit();
	return err;
}

static void __exit ramchan_exit(void)
{
	ramchan_netlink_exit();
	ramchan_ctl_exit();
	ramchan_chan_exit();
	ramchan_sysfs_exit();
	ramchan_mq_exit();
	ramchan_account_exit();
}

module_init(ramchan_init);
module_exit(ramchan_exit);

MODULE_AUTHOR("The ramchan developers");
MODULE_DESCRIPTION("RAM channels: mmap'd rings and message queues between processes");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1.0");
