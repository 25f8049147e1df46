/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /sys/kernel/ramchan: every attribute of the module is in sysfs.c, so
 * that Documentation/ABI/testing/sysfs-kernel-ramchan maps to one file.
 */
#ifndef RAMCHAN_SYSFS_H
#define RAMCHAN_SYSFS_H

struct attribute_group;
struct ramchan_chan;

/* The groups of a channel directory, per kind: RAMCHAN_KIND_KTYPE(). */
extern const struct attribute_group *ramchan_ring_sysfs_groups[];
extern const struct attribute_group *ramchan_mq_sysfs_groups[];

int ramchan_sysfs_init(void);
void ramchan_sysfs_exit(void);
int ramchan_sysfs_add_chan(struct ramchan_chan *chan);

#endif /* RAMCHAN_SYSFS_H */
