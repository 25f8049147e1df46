// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan rings: kernel-allocated ring buffers shared through mmap.
 *
 * The pages are allocated here (GFP_KERNEL_ACCOUNT, charged to the
 * creator's RLIMIT_MEMLOCK) and vmap'd once, in the order userspace maps
 * them, with the data pages twice so that a record that wraps is
 * contiguous for the kernel as for userspace (BPF ringbuf's trick):
 *
 *   pgoff 0      1          2          3               3 + n
 *         +------+----------+----------+---------------+---------------+
 *         | info | producer | consumer | data (n pages)| data again    |
 *         +------+----------+----------+---------------+---------------+
 *          r/o    producers  consumers  producers       (same pages)
 *                 write      write      write
 *
 * Kernel-private state (size, mask, wait queues, counts) lives in struct
 * ramchan_ring, never in a mappable page. Offsets into the data are always
 * (position & ring->mask), so a corrupt position can make this ring fail
 * with -EIO but never reach outside it.
 *
 * A mapping is populated when it is made; a page that userspace drops
 * (MADV_DONTNEED) comes back on the next access through the fault
 * handler, the same page: the ring's contents survive it.
 *
 * Owns: creation, the pages, mmap, the layout ioctl, the fd's ops and
 * ioctl table, attach/detach (peer death) and destruction.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "ioctl.h"
#include "ring.h"
#include "sysfs.h"

static int ramchan_ring_may_split(struct vm_area_struct *vma,
				  unsigned long addr)
{
	return -EINVAL;		/* each region is mapped and unmapped whole */
}

/* A page dropped by MADV_DONTNEED: map the ring's own page back. */
static vm_fault_t ramchan_ring_fault(struct vm_fault *vmf)
{
	struct ramchan_ring *ring = ramchan_file_ring(vmf->vma->vm_file);
	unsigned long nr = RAMCHAN_RING_META_PAGES + 2 * ring->nr_data_pages;
	struct page *page;

	if (vmf->pgoff >= nr)
		return VM_FAULT_SIGBUS;
	page = ring->pages[vmf->pgoff];
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct ramchan_ring_vm_ops = {
	.may_split = ramchan_ring_may_split,
	.fault = ramchan_ring_fault,
};

static int ramchan_ring_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	unsigned int role = ramchan_file_role(file);
	unsigned long len = vma->vm_end - vma->vm_start;
	bool writable;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	switch (vma->vm_pgoff) {
	case RAMCHAN_RING_INFO_PGOFF:
		writable = false;
		break;
	case RAMCHAN_RING_PRODUCER_PGOFF:
		writable = role & RAMCHAN_ROLE_PRODUCER;
		break;
	case RAMCHAN_RING_CONSUMER_PGOFF:
		writable = role & RAMCHAN_ROLE_CONSUMER;
		break;
	case RAMCHAN_RING_DATA_PGOFF:
		writable = role & RAMCHAN_ROLE_PRODUCER;
		break;
	default:
		return -EINVAL;
	}
	if (len != (vma->vm_pgoff == RAMCHAN_RING_DATA_PGOFF ?
		    2 * ring->size : PAGE_SIZE))
		return -EINVAL;

	if (!writable) {
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	vm_flags_clear(vma, VM_MAYEXEC);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &ramchan_ring_vm_ops;
	return remap_vmalloc_range(vma, ring->base, vma->vm_pgoff);
}

static long ramchan_ring_layout_ioctl(struct file *file, void *arg)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	struct ramchan_ring_layout *layout = arg;

	memset(layout, 0, sizeof(*layout));
	layout->size = ring->size;
	layout->info_offset = RAMCHAN_RING_INFO_PGOFF << PAGE_SHIFT;
	layout->producer_offset = RAMCHAN_RING_PRODUCER_PGOFF << PAGE_SHIFT;
	layout->consumer_offset = RAMCHAN_RING_CONSUMER_PGOFF << PAGE_SHIFT;
	layout->data_offset = RAMCHAN_RING_DATA_PGOFF << PAGE_SHIFT;
	layout->info_size = PAGE_SIZE;
	layout->producer_size = PAGE_SIZE;
	layout->consumer_size = PAGE_SIZE;
	layout->data_map_size = 2 * ring->size;
	layout->head_offset = offsetof(struct ramchan_ring_producer, head);
	layout->reserve_offset = offsetof(struct ramchan_ring_producer, reserve);
	layout->tail_offset = offsetof(struct ramchan_ring_consumer, tail);
	layout->role = ramchan_file_role(file);
	return 0;
}

/* Channel-fd ioctls of a ring are numbered from here. */
#define RAMCHAN_RING_IOC_FIRST	_IOC_NR(RAMCHAN_IOC_RING_LAYOUT)

static const struct ramchan_ioctl_desc ramchan_ring_ioctls[] = {
	RAMCHAN_IOCTL(RAMCHAN_RING_IOC_FIRST, RAMCHAN_IOC_RING_LAYOUT,
		      ramchan_ring_layout_ioctl, RAMCHAN_RING_LAYOUT_SIZE_VER0),
	RAMCHAN_IOCTL(RAMCHAN_RING_IOC_FIRST, RAMCHAN_IOC_WAIT,
		      ramchan_ring_wait_ioctl, RAMCHAN_WAIT_SIZE_VER0),
	RAMCHAN_IOCTL(RAMCHAN_RING_IOC_FIRST, RAMCHAN_IOC_WAKE,
		      ramchan_ring_wake_ioctl, 0),
	RAMCHAN_IOCTL(RAMCHAN_RING_IOC_FIRST, RAMCHAN_IOC_DUP,
		      ramchan_chan_dup_ioctl, sizeof(struct ramchan_dup)),
};

const struct ramchan_ioctl_table ramchan_ring_ioctl_table = {
	.name = "ring",
	.descs = ramchan_ring_ioctls,
	.count = ARRAY_SIZE(ramchan_ring_ioctls),
	.first = RAMCHAN_RING_IOC_FIRST,
};

static long ramchan_ring_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	return ramchan_ioctl_dispatch(file, cmd, arg,
				      &ramchan_ring_ioctl_table);
}

static const struct file_operations ramchan_ring_fops = {
	.owner = THIS_MODULE,
	.release = ramchan_chan_release,
	.read = ramchan_ring_read,
	.write = ramchan_ring_write,
	.poll = ramchan_ring_poll,
	.mmap = ramchan_ring_mmap,
	.unlocked_ioctl = ramchan_ring_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.show_fdinfo = ramchan_chan_show_fdinfo,
};

/* Called with chan->attach_lock held, after the counts changed. */
static void ramchan_ring_attach(struct ramchan_chan *chan, unsigned int role)
{
	struct ramchan_ring *ring = ramchan_chan_ring(chan);
	u32 clear = 0;

	if (role & RAMCHAN_ROLE_PRODUCER)
		clear |= RAMCHAN_RING_PRODUCERS_GONE;
	if (role & RAMCHAN_ROLE_CONSUMER)
		clear |= RAMCHAN_RING_CONSUMERS_GONE;
	WRITE_ONCE(ring->info->producers, chan->producers);
	WRITE_ONCE(ring->info->consumers, chan->consumers);
	ramchan_ring_update_flags(ring, 0, clear);
}

static void ramchan_ring_detach(struct ramchan_chan *chan, unsigned int role)
{
	struct ramchan_ring *ring = ramchan_chan_ring(chan);
	u32 set = 0;

	if ((role & RAMCHAN_ROLE_PRODUCER) && !chan->producers)
		set |= RAMCHAN_RING_PRODUCERS_GONE;
	if ((role & RAMCHAN_ROLE_CONSUMER) && !chan->consumers)
		set |= RAMCHAN_RING_CONSUMERS_GONE;
	WRITE_ONCE(ring->info->producers, chan->producers);
	WRITE_ONCE(ring->info->consumers, chan->consumers);
	if (set) {
		ramchan_ring_update_flags(ring, set, 0);
		ramchan_ring_wake_all(ring);
	}
}

static void ramchan_ring_destroy(struct ramchan_chan *chan)
{
	struct ramchan_ring *ring = ramchan_chan_ring(chan);
	unsigned int i;

	if (ring->base)
		vunmap(ring->base);
	for (i = 0; i < ring->nr_pages; i++)
		__free_page(ring->pages[i]);
	kvfree(ring->pages);
	kfree(ring);
}

static int ramchan_ring_alloc(struct ramchan_ring *ring)
{
	unsigned int nr = RAMCHAN_RING_META_PAGES + ring->nr_data_pages;
	unsigned int i;

	ring->pages = kvcalloc(nr + ring->nr_data_pages, sizeof(*ring->pages),
			       GFP_KERNEL_ACCOUNT);
	if (!ring->pages)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		ring->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
					    __GFP_NOWARN);
		if (!ring->pages[i])
			return -ENOMEM;
		ring->nr_pages = i + 1;
		cond_resched();
	}
	for (i = 0; i < ring->nr_data_pages; i++)
		ring->pages[nr + i] = ring->pages[RAMCHAN_RING_META_PAGES + i];

	ring->base = vmap(ring->pages, nr + ring->nr_data_pages,
			  VM_MAP | VM_USERMAP, PAGE_KERNEL);
	if (!ring->base)
		return -ENOMEM;
	ring->info = ring->base + (RAMCHAN_RING_INFO_PGOFF << PAGE_SHIFT);
	ring->prod = ring->base + (RAMCHAN_RING_PRODUCER_PGOFF << PAGE_SHIFT);
	ring->cons = ring->base + (RAMCHAN_RING_CONSUMER_PGOFF << PAGE_SHIFT);
	ring->data = ring->base + (RAMCHAN_RING_DATA_PGOFF << PAGE_SHIFT);
	ring->info->size = ring->size;
	return 0;
}

static const struct kobj_type ramchan_ring_ktype = RAMCHAN_KIND_KTYPE(ramchan_ring_sysfs_groups);

static const struct ramchan_kind ramchan_ring_kind = {
	.name = "ring",
	.id = RAMCHAN_KIND_RING,
	.fops = &ramchan_ring_fops,
	.ktype = &ramchan_ring_ktype,
	.attach = ramchan_ring_attach,
	.detach = ramchan_ring_detach,
	.destroy = ramchan_ring_destroy,
};

/**
 * ramchan_ring_create - RAMCHAN_IOC_CREATE for RAMCHAN_KIND_RING
 * @ctl:	the control file
 * @args:	arguments, flags/role/mode/reserved already validated
 * @name:	"" or the validated name
 *
 * Return: the new fd; -EINVAL for a bad size; -ENOMEM (also when
 * RLIMIT_MEMLOCK would be exceeded); -ENOSPC/-EDQUOT (channel limits);
 * -EEXIST (name taken).
 */
long ramchan_ring_create(struct file *ctl, const struct ramchan_create *args,
			 const char *name)
{
	unsigned int role = args->role ?: RAMCHAN_ROLE_BOTH;
	struct ramchan_ring *ring;
	unsigned long pages;
	int err;

	if (!ramchan_ring_size_ok(args->size, ramchan_limits.max_ring_bytes))
		return -EINVAL;
	/* The queue parameters mean nothing to a ring. */
	if (args->mq_depth || args->mq_overflow || args->mq_spin_us ||
	    args->mq_reserved)
		return -EINVAL;

	ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);
	if (!ring)
		return -ENOMEM;
	ring->size = args->size;
	ring->mask = args->size - 1;
	ring->nr_data_pages = args->size >> PAGE_SHIFT;
	init_waitqueue_head(&ring->readers);
	init_waitqueue_head(&ring->writers);
	spin_lock_init(&ring->wait_lock);
	mutex_init(&ring->read_lock);

	err = ramchan_chan_init(&ring->chan, &ramchan_ring_kind, args,
				current_cred());
	if (err) {
		kfree(ring);
		return err;
	}
	pages = RAMCHAN_RING_META_PAGES + ring->nr_data_pages;
	err = ramchan_charge_memlock(&ring->chan.charge, pages);
	if (err)
		goto err_put;
	ramchan_charge_bytes(&ring->chan.charge, pages << PAGE_SHIFT);
	err = ramchan_ring_alloc(ring);
	if (err)
		goto err_put;
	return ramchan_chan_publish(&ring->chan, name, role, args->flags);

err_put:
	kobject_put(&ring->chan.kobj);
	return err;
}
