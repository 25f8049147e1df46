// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan ioctl dispatch: one routine copies every ioctl argument in and
 * out, so that no handler touches user memory for its argument struct and
 * every struct grows by size the same way (copy_struct_from_user(), as
 * openat2() and clone3() do). Handlers see a kernel copy, validated for
 * size and direction; they validate its contents first.
 *
 * Owns no state. Depends on nothing else in the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/ramchan.h>

#include "ioctl.h"

/**
 * ramchan_ioctl_dispatch - run one ioctl from a dispatch table
 * @file:	the file the ioctl was made on
 * @cmd:	the command number: type, number, direction and argument size
 * @arg:	the user pointer to the argument struct
 * @table:	the ioctls of @file's kind
 *
 * The argument size comes from the command number. A caller whose struct is
 * older (smaller) than the kernel's gets the missing fields zero-filled on
 * the way in and truncated on the way out; a newer (larger) one must have
 * zeroes in the fields this kernel does not know (-E2BIG otherwise).
 *
 * Return: the handler's result, -ENOTTY for an unknown command, -EINVAL for
 * an argument smaller than the first version of its struct, -EFAULT for a bad
 * pointer (but not in place of a positive count of an entry whose
 * returns_count is set: what was done stays reported).
 */
long ramchan_ioctl_dispatch(struct file *file, unsigned int cmd,
			    unsigned long arg,
			    const struct ramchan_ioctl_table *table)
{
	u64 karg[RAMCHAN_IOCTL_ARG_MAX / sizeof(u64)];
	const struct ramchan_ioctl_desc *desc;
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);
	unsigned int usize = _IOC_SIZE(cmd);
	unsigned int ksize, dir;
	long ret;
	int err;

	if (_IOC_TYPE(cmd) != RAMCHAN_IOC_MAGIC || nr < table->first ||
	    nr - table->first >= table->count)
		return -ENOTTY;
	desc = &table->descs[array_index_nospec(nr - table->first,
						table->count)];
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

	if (copy_to_user(uarg, karg, min(usize, ksize)) ||
	    (usize > ksize && clear_user(uarg + ksize, usize - ksize)))
		return desc->returns_count && ret > 0 ? ret : -EFAULT;
	return ret;
}

/**
 * ramchan_ioctl_table_check - verify a dispatch table at module load
 * @table:	the table
 *
 * As io_uring checks its opdef table: every entry with a handler sits at
 * the index of its command's number, belongs to our ioctl type, has an
 * argument that fits the dispatcher's buffer and a first version no
 * larger than the current one, both multiples of 8 (no implicit padding).
 *
 * Return: 0, or -EINVAL (logged) for a table the dispatcher would misuse.
 */
int ramchan_ioctl_table_check(const struct ramchan_ioctl_table *table)
{
	const struct ramchan_ioctl_desc *desc;
	unsigned int i, size;

	for (i = 0; i < table->count; i++) {
		desc = &table->descs[i];
		if (!desc->handler)
			continue;
		size = _IOC_SIZE(desc->cmd);
		if (_IOC_TYPE(desc->cmd) != RAMCHAN_IOC_MAGIC ||
		    _IOC_NR(desc->cmd) != table->first + i ||
		    size > RAMCHAN_IOCTL_ARG_MAX || size % 8 ||
		    desc->min_size > size || desc->min_size % 8 ||
		    (_IOC_DIR(desc->cmd) == _IOC_NONE) != !size) {
			pr_err("%s ioctl table: bad entry %u (cmd %#x)\n",
			       table->name, i, desc->cmd);
			return -EINVAL;
		}
	}
	return 0;
}
