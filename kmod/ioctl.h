/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table-driven ioctl dispatcher, the bottom of the module's graph:
 * every fd kind (control, ring, queue) describes its ioctls with
 * RAMCHAN_IOCTL() entries and hands its table to ramchan_ioctl_dispatch().
 */
#ifndef RAMCHAN_IOCTL_H
#define RAMCHAN_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

struct file;

/* Large enough for every ioctl argument struct; checked at init. */
#define RAMCHAN_IOCTL_ARG_MAX	256

/**
 * struct ramchan_ioctl_desc - how one ioctl is copied in, handled, copied out
 * @handler:	does the work on a kernel copy of the argument; for a command
 *		without argument struct (_IOC_NONE), the first u64 holds the
 *		raw ioctl argument
 * @cmd:	the command as this kernel defines it: its size is the size of
 *		the argument struct this kernel knows, its direction is final
 * @min_size:	size of the first published version of the argument struct
 * @returns_count: a positive result counts work done that cannot be undone
 *		(messages sent or taken): it is returned even when copying the
 *		argument struct back out faults, so that the caller neither
 *		resends nor believes nothing happened
 */
struct ramchan_ioctl_desc {
	long (*handler)(struct file *file, void *arg);
	unsigned int cmd;
	unsigned int min_size;
	bool returns_count;
};

/**
 * struct ramchan_ioctl_table - the ioctls of one kind of fd
 * @name:	"control", "ring", "mq": for the init-time check's messages
 * @descs:	entries indexed by _IOC_NR(cmd) - @first
 * @count:	entries in @descs
 * @first:	_IOC_NR of @descs[0]
 */
struct ramchan_ioctl_table {
	const char *name;
	const struct ramchan_ioctl_desc *descs;
	unsigned int count;
	unsigned int first;
};

/*
 * One entry of a table whose first command number is @first: the index is
 * computed from the command, so an entry's index and its command cannot
 * disagree. ramchan_ioctl_table_check() verifies the rest at load time.
 */
#define RAMCHAN_IOCTL(first, _cmd, fn, ver0_size)			\
	[_IOC_NR(_cmd) - (first)] = {					\
		.handler = (fn),					\
		.cmd = (_cmd),						\
		.min_size = (ver0_size),				\
	}

/* An entry whose handler returns a count of work done (@returns_count). */
#define RAMCHAN_IOCTL_COUNT(first, _cmd, fn, ver0_size)			\
	[_IOC_NR(_cmd) - (first)] = {					\
		.handler = (fn),					\
		.cmd = (_cmd),						\
		.min_size = (ver0_size),				\
		.returns_count = true,					\
	}

long ramchan_ioctl_dispatch(struct file *file, unsigned int cmd,
			    unsigned long arg,
			    const struct ramchan_ioctl_table *table);
int ramchan_ioctl_table_check(const struct ramchan_ioctl_table *table);

#endif /* RAMCHAN_IOCTL_H */
