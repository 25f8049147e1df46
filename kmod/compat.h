/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-kernel-version shims, force-included into every kmod/ file so that
 * no .c file carries a version #ifdef. Each shim names the kernel version
 * that changed the interface and why it is needed.
 *
 * Supported: Debian 6.1 and 6.12 kernels (and anything in between).
 */
#ifndef RAMCHAN_COMPAT_H
#define RAMCHAN_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "ramchan needs Linux 6.1 or later"
#endif

/*
 * 6.2 made struct device_type's devnode() take a const struct device *
 * ("driver core: make struct device_type.devnode() take a const *").
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define RAMCHAN_DEVNODE_CONST
#else
#define RAMCHAN_DEVNODE_CONST const
#endif

/*
 * 6.3 made vma->vm_flags read-only and added vm_flags_set()/clear()
 * ("mm: introduce vma->vm_flags wrapper functions").
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#define vm_flags_clear(vma, flags)	((vma)->vm_flags &= ~(flags))
#endif

/*
 * 6.8 dropped the count argument of eventfd_signal(), which now always
 * adds 1 ("eventfd: simplify eventfd_signal()"). Users include
 * <linux/eventfd.h> themselves.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define ramchan_eventfd_signal(ctx)	eventfd_signal((ctx), 1)
#else
#define ramchan_eventfd_signal(ctx)	eventfd_signal(ctx)
#endif

/*
 * 6.10 dropped the source argument of the trace events' __assign_str():
 * the source is the one given to __string() ("tracing/treewide: Remove
 * second parameter of __assign_str()"). For kmod/trace.h only; the
 * source stays in the call so that both kernels check it.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define ramchan_assign_str(dst, src)	__assign_str(dst, src)
#else
#define ramchan_assign_str(dst, src)				\
	do {							\
		(void)(src);	/* what __string() took */	\
		__assign_str(dst);				\
	} while (0)
#endif

/*
 * 6.2 split genl ops into separate do and dump ops and moved a dump's
 * parsed attributes into the genl_info of struct genl_dumpit_info
 * ("genetlink: use iterator in the op to policy map dumping" and
 * "genetlink: add iterator for walking family ops", the split-ops series).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define ramchan_genl_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#else
#define ramchan_genl_dump_attrs(cb)	(genl_dumpit_info(cb)->info.attrs)
#endif

#endif /* RAMCHAN_COMPAT_H */
