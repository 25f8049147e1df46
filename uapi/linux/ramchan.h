/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ramchan: RAM channels between processes on one host.
 *
 * The whole user-kernel ABI of /dev/ramchan. Userspace calls:
 *
 *	int ctl = open("/dev/ramchan", O_RDWR | O_CLOEXEC);
 *	struct ramchan_info info = { 0 };
 *	ioctl(ctl, RAMCHAN_IOC_INFO, &info);
 *	if (info.abi_version != RAMCHAN_ABI_VERSION) ...
 *
 * Rules for every ioctl argument struct (Documentation/process/
 * botching-up-ioctls.rst):
 *  - only __u32/__u64 fields, pointers passed as __u64, explicit padding,
 *    size a multiple of 8;
 *  - unknown flags and nonzero reserved fields are rejected with -EINVAL;
 *  - a struct grows only at its end; the size is encoded in the ioctl
 *    number, so an old binary keeps working (the kernel zero-fills what it
 *    did not receive) and a newer binary's extra fields are accepted when
 *    they are zero and rejected with -E2BIG otherwise;
 *  - an unknown command returns -ENOTTY.
 */
#ifndef _UAPI_LINUX_RAMCHAN_H
#define _UAPI_LINUX_RAMCHAN_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Bumped only on an incompatible change; growth is signalled by features. */
#define RAMCHAN_ABI_VERSION	1

/* The misc minor ramchan takes by default, from the local-use range 240-254. */
#define RAMCHAN_MISC_MINOR	242

#define RAMCHAN_IOC_MAGIC	0xBC

/* Longest channel name, without the terminating NUL. */
#define RAMCHAN_NAME_MAX	63

/**
 * struct ramchan_info - what this module offers (RAMCHAN_IOC_INFO)
 * @flags:		in: must be 0
 * @abi_version:	out: RAMCHAN_ABI_VERSION of the running module
 * @features:		out: RAMCHAN_FEATURE_* bits the module supports
 * @max_ring_bytes:	out: largest ring data area, bytes (a power of two)
 * @max_channels:	out: most live channels in total
 * @max_channels_per_user: out: most live channels one user may create
 * @name_max:		out: longest channel name, RAMCHAN_NAME_MAX
 * @page_size:		out: the kernel's PAGE_SIZE
 * @reserved:		must be 0
 */
struct ramchan_info {
	__u32 flags;
	__u32 abi_version;
	__u64 features;
	__u64 max_ring_bytes;
	__u32 max_channels;
	__u32 max_channels_per_user;
	__u32 name_max;
	__u32 page_size;
	__u64 reserved[4];
};

/* Size of the first published version of struct ramchan_info. */
#define RAMCHAN_INFO_SIZE_VER0	72

/* Feature bits reported in ramchan_info.features. */
#define RAMCHAN_FEATURE_SYSFS	0x1ULL	/* /sys/kernel/ramchan stats */

#define RAMCHAN_IOC_INFO	_IOWR(RAMCHAN_IOC_MAGIC, 0x00, struct ramchan_info)

#endif /* _UAPI_LINUX_RAMCHAN_H */
