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
 * ramchan_ring, never in a mappable page. Everything read from the shared
 * pages is one READ_ONCE() snapshot, checked against the kernel's own
 * size; offsets into the data are always (position & ring->mask), so a
 * corrupt position can make this ring fail with -EIO but never reach
 * outside it.
 *
 * Producers (userspace, or write() here) reserve space with a CAS on
 * prod->reserve, write payload then header, and commit in reservation
 * order by store-releasing prod->head once it equals their reservation.
 * Consumers load-acquire prod->head, read, and store-release cons->tail.
 * Because head only covers finished records, no BUSY bit is needed; a
 * record can be marked RAMCHAN_REC_DISCARD (a producer that failed after
 * reserving).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "ramchan.h"

#define RAMCHAN_RING_INFO_PGOFF		0
#define RAMCHAN_RING_PRODUCER_PGOFF	1
#define RAMCHAN_RING_CONSUMER_PGOFF	2
#define RAMCHAN_RING_DATA_PGOFF		3
#define RAMCHAN_RING_META_PAGES		3

/* Smallest record: a header and 8 bytes of payload. */
#define RAMCHAN_RING_MIN_RECORD		(RAMCHAN_REC_HDR_SIZE + RAMCHAN_REC_ALIGN)

/**
 * struct ramchan_ring - a ring channel
 * @chan:	the common channel part
 * @size:	bytes of the data area, a power of two; the kernel's own copy
 * @mask:	@size - 1
 * @nr_data_pages: @size >> PAGE_SHIFT
 * @nr_pages:	pages allocated so far, from @pages[0]
 * @pages:	info, producer, consumer, data, then data again
 * @base:	vmap of @pages, VM_USERMAP so that it can be mmap'd
 * @info:	info page (userspace read-only)
 * @prod:	producer page (userspace writable: untrusted)
 * @cons:	consumer page (userspace writable: untrusted)
 * @data:	data, @size bytes mapped twice (userspace writable: untrusted)
 * @readers:	consumers sleeping in WAIT, read() or poll
 * @writers:	producers sleeping in WAIT, write() or poll
 * @wait_lock:	protects @flags, the waiter counts and their copies in @info
 * @flags:	RAMCHAN_RING_*, published in @info->flags
 * @readers_sleeping: consumers inside ramchan_ring_wait()
 * @writers_sleeping: producers inside ramchan_ring_wait()
 * @readers_poll: a consumer has polled: from then on producers must be
 *		told to wake readers (a poll registration cannot be counted)
 * @writers_poll: a producer has polled, likewise
 * @io_lock:	serializes read() and write() against each other
 * @waits:	times a task went to sleep in ramchan_ring_wait()
 * @wakeups:	WAKE calls and kernel-side wakes
 * @high_water:	most bytes the kernel saw in the ring
 */
struct ramchan_ring {
	struct ramchan_chan chan;
	u64 size;
	u64 mask;
	unsigned int nr_data_pages;
	unsigned int nr_pages;
	struct page **pages;
	void *base;
	struct ramchan_ring_info *info;
	struct ramchan_ring_producer *prod;
	struct ramchan_ring_consumer *cons;
	u8 *data;
	wait_queue_head_t readers;
	wait_queue_head_t writers;
	spinlock_t wait_lock;	/* flags, *_sleeping, *_poll, info copies */
	u32 flags;
	u32 readers_sleeping;
	u32 writers_sleeping;
	bool readers_poll;
	bool writers_poll;
	struct mutex io_lock;	/* read() against write() */
	atomic_long_t waits;
	atomic_long_t wakeups;
	u64 high_water;
};

static struct ramchan_ring *ramchan_chan_ring(struct ramchan_chan *chan)
{
	return container_of(chan, struct ramchan_ring, chan);
}

static struct ramchan_ring *ramchan_file_ring(struct file *file)
{
	return ramchan_chan_ring(ramchan_file_chan(file));
}

static unsigned int ramchan_file_role(struct file *file)
{
	return ((struct ramchan_file *)file->private_data)->role;
}

static void ramchan_ring_publish_locked(struct ramchan_ring *ring)
{
	lockdep_assert_held(&ring->wait_lock);
	WRITE_ONCE(ring->info->flags, ring->flags);
	WRITE_ONCE(ring->info->readers_waiting,
		   ring->readers_sleeping + ring->readers_poll);
	WRITE_ONCE(ring->info->writers_waiting,
		   ring->writers_sleeping + ring->writers_poll);
}

static void ramchan_ring_update_flags(struct ramchan_ring *ring, u32 set,
				      u32 clear)
{
	spin_lock(&ring->wait_lock);
	ring->flags = (ring->flags & ~clear) | set;
	ramchan_ring_publish_locked(ring);
	spin_unlock(&ring->wait_lock);
}

static void ramchan_ring_wake_all(struct ramchan_ring *ring)
{
	wake_up_all(&ring->readers);
	wake_up_all(&ring->writers);
}

/* Shared state is inconsistent: fail this ring, and only this ring. */
static int ramchan_ring_break(struct ramchan_ring *ring)
{
	if (!(READ_ONCE(ring->flags) & RAMCHAN_RING_BROKEN)) {
		ramchan_ring_update_flags(ring, RAMCHAN_RING_BROKEN, 0);
		ramchan_ring_wake_all(ring);
	}
	return -EIO;
}

static bool ramchan_ring_broken(struct ramchan_ring *ring)
{
	return READ_ONCE(ring->flags) & RAMCHAN_RING_BROKEN;
}

/*
 * Count a sleeper in (or out of) the info page. The full barrier after
 * publishing pairs with the one a peer executes between publishing a
 * position and reading the waiter count (Dekker): either the peer sees us
 * counted and wakes us, or we see its new position and do not sleep.
 */
static void ramchan_ring_count_sleeper(struct ramchan_ring *ring,
				       unsigned int what, int delta)
{
	spin_lock(&ring->wait_lock);
	if (what == RAMCHAN_WAIT_READABLE)
		ring->readers_sleeping += delta;
	else
		ring->writers_sleeping += delta;
	ramchan_ring_publish_locked(ring);
	spin_unlock(&ring->wait_lock);
	/* Count before re-checking the position: pairs with the peer's fence. */
	smp_mb();
}

static void ramchan_ring_note_poller(struct ramchan_ring *ring,
				     unsigned int role)
{
	bool readers = role & RAMCHAN_ROLE_CONSUMER;
	bool writers = role & RAMCHAN_ROLE_PRODUCER;

	if ((!readers || READ_ONCE(ring->readers_poll)) &&
	    (!writers || READ_ONCE(ring->writers_poll)))
		return;
	spin_lock(&ring->wait_lock);
	ring->readers_poll |= readers;
	ring->writers_poll |= writers;
	ramchan_ring_publish_locked(ring);
	spin_unlock(&ring->wait_lock);
	smp_mb();	/* as in ramchan_ring_count_sleeper() */
}

static void ramchan_ring_note_fill(struct ramchan_ring *ring, u64 fill)
{
	if (fill <= ring->size && fill > READ_ONCE(ring->high_water))
		WRITE_ONCE(ring->high_water, fill);
}

/* Has the position a sleeper waits on moved, or is there nothing to wait for? */
static bool ramchan_ring_moved(struct ramchan_ring *ring, unsigned int what,
			       u64 expected)
{
	u32 flags = READ_ONCE(ring->flags);

	if (flags & RAMCHAN_RING_BROKEN)
		return true;
	if (what == RAMCHAN_WAIT_READABLE)
		return READ_ONCE(ring->prod->head) != expected ||
		       (flags & RAMCHAN_RING_PRODUCERS_GONE);
	return READ_ONCE(ring->cons->tail) != expected ||
	       (flags & RAMCHAN_RING_CONSUMERS_GONE);
}

/*
 * Sleep until the head (READABLE) or tail (WRITABLE) differs from
 * @expected, the peer is gone, the ring breaks, a signal arrives or the
 * absolute CLOCK_MONOTONIC @deadline_ns (0: none) passes.
 */
static int ramchan_ring_wait(struct ramchan_ring *ring, unsigned int what,
			     u64 expected, u64 deadline_ns)
{
	wait_queue_head_t *wq = what == RAMCHAN_WAIT_READABLE ?
				&ring->readers : &ring->writers;
	ktime_t deadline = ns_to_ktime(deadline_ns);
	DEFINE_WAIT(wait);
	int ret = 0;

	ramchan_ring_count_sleeper(ring, what, 1);
	for (;;) {
		prepare_to_wait(wq, &wait, TASK_INTERRUPTIBLE);
		if (ramchan_ring_moved(ring, what, expected))
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		atomic_long_inc(&ring->waits);
		if (!deadline_ns) {
			schedule();
		} else if (!schedule_hrtimeout_range(&deadline,
						     current->timer_slack_ns,
						     HRTIMER_MODE_ABS)) {
			if (!ramchan_ring_moved(ring, what, expected))
				ret = -ETIMEDOUT;
			break;
		}
	}
	finish_wait(wq, &wait);
	ramchan_ring_count_sleeper(ring, what, -1);
	return ret;
}

static __poll_t ramchan_ring_events(struct ramchan_ring *ring,
				    unsigned int role)
{
	/* Before head and tail: see ramchan_ring_read(). */
	u32 flags = smp_load_acquire(&ring->flags);
	__poll_t mask = 0;
	u64 head, tail, reserve, room;

	if (flags & RAMCHAN_RING_BROKEN)
		return EPOLLERR;
	head = READ_ONCE(ring->prod->head);
	reserve = READ_ONCE(ring->prod->reserve);
	tail = READ_ONCE(ring->cons->tail);

	if (role & RAMCHAN_ROLE_CONSUMER) {
		if (head != tail)
			mask |= EPOLLIN | EPOLLRDNORM;
		else if (flags & RAMCHAN_RING_PRODUCERS_GONE)
			mask |= EPOLLHUP;
	}
	if (role & RAMCHAN_ROLE_PRODUCER) {
		/* Writable: room for a PIPE_BUF record, or half a small ring. */
		room = min_t(u64, PIPE_BUF + RAMCHAN_REC_HDR_SIZE, ring->size / 2);
		if (flags & RAMCHAN_RING_CONSUMERS_GONE)
			mask |= EPOLLERR;
		else if (reserve - tail <= ring->size - room)
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	return mask;
}

static __poll_t ramchan_ring_poll(struct file *file, poll_table *pt)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	unsigned int role = ramchan_file_role(file);

	if (role & RAMCHAN_ROLE_CONSUMER)
		poll_wait(file, &ring->readers, pt);
	if (role & RAMCHAN_ROLE_PRODUCER)
		poll_wait(file, &ring->writers, pt);
	if (!poll_does_not_wait(pt))
		ramchan_ring_note_poller(ring, role);
	return ramchan_ring_events(ring, role);
}

/*
 * The record at the tail, validated. Return: 0 with *tailp, *lenp,
 * *totalp and *hdrp set; -EAGAIN when the ring is empty; -EIO when the
 * shared state is inconsistent.
 */
static int ramchan_ring_peek(struct ramchan_ring *ring, u64 *tailp,
			     u64 *lenp, u64 *totalp, u64 *hdrp)
{
	u64 tail, head, avail, hdr, len, total;

	if (ramchan_ring_broken(ring))
		return -EIO;
	tail = READ_ONCE(ring->cons->tail);
	/* Pairs with the producers' store-release of head. */
	head = smp_load_acquire(&ring->prod->head);
	avail = head - tail;
	if (!avail)
		return -EAGAIN;
	if (avail > ring->size || (tail | head) % RAMCHAN_REC_ALIGN)
		return ramchan_ring_break(ring);
	ramchan_ring_note_fill(ring, avail);

	hdr = READ_ONCE(*(u64 *)(ring->data + (tail & ring->mask)));
	if (hdr & ~(RAMCHAN_REC_LEN_MASK | RAMCHAN_REC_DISCARD))
		return ramchan_ring_break(ring);
	len = hdr & RAMCHAN_REC_LEN_MASK;
	total = ALIGN(RAMCHAN_REC_HDR_SIZE + len, RAMCHAN_REC_ALIGN);
	if (total > avail)
		return ramchan_ring_break(ring);

	*tailp = tail;
	*lenp = len;
	*totalp = total;
	*hdrp = hdr;
	return 0;
}

static void ramchan_ring_wake_writers(struct ramchan_ring *ring)
{
	/* wq_has_sleeper() has the barrier that pairs with prepare_to_wait(). */
	if (wq_has_sleeper(&ring->writers)) {
		atomic_long_inc(&ring->wakeups);
		wake_up_all(&ring->writers);
	}
}

static void ramchan_ring_wake_readers(struct ramchan_ring *ring)
{
	if (wq_has_sleeper(&ring->readers)) {
		atomic_long_inc(&ring->wakeups);
		wake_up_all(&ring->readers);
	}
}

/* Consume records until one is delivered; empty records are skipped. */
static ssize_t ramchan_ring_read_locked(struct file *file, char __user *buf,
					size_t count)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	u64 tail, len, total, hdr;
	int err;

	for (;;) {
		err = ramchan_ring_peek(ring, &tail, &len, &total, &hdr);
		if (err)
			return err;
		if (len && !(hdr & RAMCHAN_REC_DISCARD)) {
			if (len > count)
				return -EMSGSIZE;
			if (copy_to_user(buf, ring->data + (tail & ring->mask) +
					 RAMCHAN_REC_HDR_SIZE, len))
				return -EFAULT;
		}
		WRITE_ONCE(ring->cons->records,
			   READ_ONCE(ring->cons->records) + 1);
		/* Pairs with the producers' load-acquire of tail. */
		smp_store_release(&ring->cons->tail, tail + total);
		ramchan_ring_wake_writers(ring);
		if (len && !(hdr & RAMCHAN_REC_DISCARD))
			return len;
	}
}

static ssize_t ramchan_ring_read(struct file *file, char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	ssize_t ret;
	u32 flags;
	u64 head;

	if (!(ramchan_file_role(file) & RAMCHAN_ROLE_CONSUMER))
		return -EBADF;
	if (mutex_lock_interruptible(&ring->io_lock))
		return -ERESTARTSYS;
	for (;;) {
		/*
		 * The flags before head: a producer that commits and then
		 * goes away is seen gone only with its last record visible,
		 * so end of file never hides a record. Pairs with the
		 * unlock in ramchan_ring_update_flags().
		 */
		flags = smp_load_acquire(&ring->flags);
		head = READ_ONCE(ring->prod->head);
		ret = ramchan_ring_read_locked(file, buf, count);
		if (ret != -EAGAIN)
			break;
		if (flags & RAMCHAN_RING_PRODUCERS_GONE) {
			ret = 0;	/* drained: end of file */
			break;
		}
		if (file->f_flags & O_NONBLOCK)
			break;
		mutex_unlock(&ring->io_lock);
		ret = ramchan_ring_wait(ring, RAMCHAN_WAIT_READABLE, head, 0);
		if (ret)
			return ret;
		if (mutex_lock_interruptible(&ring->io_lock))
			return -ERESTARTSYS;
	}
	mutex_unlock(&ring->io_lock);
	return ret;
}

/*
 * Reserve @total bytes as a producer. Waits (unless @nonblock) while
 * userspace producers hold reservations or the ring is full.
 * Return: 0 with *posp set, or -errno.
 */
static int ramchan_ring_reserve(struct ramchan_ring *ring, u64 total,
				bool nonblock, u64 *posp)
{
	u64 head, reserve, tail;
	u32 flags;
	int err;

	for (;;) {
		flags = READ_ONCE(ring->flags);
		if (flags & RAMCHAN_RING_BROKEN)
			return -EIO;
		if (flags & RAMCHAN_RING_CONSUMERS_GONE)
			return -EPIPE;
		head = READ_ONCE(ring->prod->head);
		reserve = READ_ONCE(ring->prod->reserve);
		/* Pairs with the consumers' store-release of tail. */
		tail = smp_load_acquire(&ring->cons->tail);
		if (reserve - tail > ring->size || reserve - head > ring->size ||
		    reserve % RAMCHAN_REC_ALIGN)
			return ramchan_ring_break(ring);

		if (reserve != head) {
			/* A userspace producer is between reserve and commit. */
			if (nonblock)
				return -EAGAIN;
			schedule_timeout_interruptible(1);
			if (signal_pending(current))
				return -ERESTARTSYS;
			continue;
		}
		if (reserve + total - tail > ring->size) {
			if (nonblock)
				return -EAGAIN;
			mutex_unlock(&ring->io_lock);
			err = ramchan_ring_wait(ring, RAMCHAN_WAIT_WRITABLE,
						tail, 0);
			mutex_lock(&ring->io_lock);
			if (err)
				return err;
			continue;
		}
		if (cmpxchg(&ring->prod->reserve, reserve, reserve + total) ==
		    reserve)
			break;
	}
	ramchan_ring_note_fill(ring, reserve + total - tail);
	*posp = reserve;
	return 0;
}

static ssize_t ramchan_ring_write(struct file *file, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	u64 pos, total, hdr;
	ssize_t ret;
	u8 *rec;

	if (!(ramchan_file_role(file) & RAMCHAN_ROLE_PRODUCER))
		return -EBADF;
	if (!count)
		return 0;
	if (count > ring->size - RAMCHAN_REC_HDR_SIZE)
		return -EMSGSIZE;
	total = ALIGN(RAMCHAN_REC_HDR_SIZE + count, RAMCHAN_REC_ALIGN);

	if (mutex_lock_interruptible(&ring->io_lock))
		return -ERESTARTSYS;
	ret = ramchan_ring_reserve(ring, total, file->f_flags & O_NONBLOCK,
				   &pos);
	if (ret)
		goto out_unlock;

	rec = ring->data + (pos & ring->mask);
	hdr = count;
	ret = count;
	if (copy_from_user(rec + RAMCHAN_REC_HDR_SIZE, buf, count)) {
		hdr |= RAMCHAN_REC_DISCARD;
		ret = -EFAULT;
	}
	WRITE_ONCE(*(u64 *)rec, hdr);
	/* Pairs with the consumers' load-acquire of head. */
	smp_store_release(&ring->prod->head, pos + total);
	ramchan_ring_wake_readers(ring);
out_unlock:
	mutex_unlock(&ring->io_lock);
	return ret;
}

static int ramchan_ring_may_split(struct vm_area_struct *vma,
				  unsigned long addr)
{
	return -EINVAL;		/* each region is mapped and unmapped whole */
}

static const struct vm_operations_struct ramchan_ring_vm_ops = {
	.may_split = ramchan_ring_may_split,
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

static long ramchan_ring_wait_ioctl(struct file *file, void *arg)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	unsigned int role = ramchan_file_role(file);
	struct ramchan_wait *w = arg;
	int ret;

	if (w->flags || w->reserved)
		return -EINVAL;
	switch (w->what) {
	case RAMCHAN_WAIT_READABLE:
		if (!(role & RAMCHAN_ROLE_CONSUMER))
			return -EPERM;
		break;
	case RAMCHAN_WAIT_WRITABLE:
		if (!(role & RAMCHAN_ROLE_PRODUCER))
			return -EPERM;
		break;
	default:
		return -EINVAL;
	}

	ret = ramchan_ring_wait(ring, w->what, w->expected, w->deadline_ns);
	if (ret)
		return ret;
	if (ramchan_ring_broken(ring))
		return -EIO;
	if (w->what == RAMCHAN_WAIT_WRITABLE &&
	    (READ_ONCE(ring->flags) & RAMCHAN_RING_CONSUMERS_GONE))
		return -EPIPE;
	w->events = (__force u32)ramchan_ring_events(ring, role);
	return 0;
}

static long ramchan_ring_wake_ioctl(struct file *file, void *arg)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	u64 who = *(u64 *)arg;

	if (!who || who & ~(u64)(RAMCHAN_WAKE_READERS | RAMCHAN_WAKE_WRITERS))
		return -EINVAL;
	atomic_long_inc(&ring->wakeups);
	if (who & RAMCHAN_WAKE_READERS)
		wake_up_all(&ring->readers);
	if (who & RAMCHAN_WAKE_WRITERS)
		wake_up_all(&ring->writers);
	return 0;
}

static long ramchan_ring_dup_ioctl(struct file *file, void *arg)
{
	return ramchan_chan_dup(file, arg);
}

/* Channel-fd ioctls are numbered from here. */
#define RAMCHAN_RING_IOC_FIRST	_IOC_NR(RAMCHAN_IOC_RING_LAYOUT)

static const struct ramchan_ioctl_desc ramchan_ring_ioctls[] = {
	[_IOC_NR(RAMCHAN_IOC_RING_LAYOUT) - RAMCHAN_RING_IOC_FIRST] = {
		.handler = ramchan_ring_layout_ioctl,
		.cmd = RAMCHAN_IOC_RING_LAYOUT,
		.min_size = RAMCHAN_RING_LAYOUT_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_WAIT) - RAMCHAN_RING_IOC_FIRST] = {
		.handler = ramchan_ring_wait_ioctl,
		.cmd = RAMCHAN_IOC_WAIT,
		.min_size = RAMCHAN_WAIT_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_WAKE) - RAMCHAN_RING_IOC_FIRST] = {
		.handler = ramchan_ring_wake_ioctl,
		.cmd = RAMCHAN_IOC_WAKE,
	},
	[_IOC_NR(RAMCHAN_IOC_DUP) - RAMCHAN_RING_IOC_FIRST] = {
		.handler = ramchan_ring_dup_ioctl,
		.cmd = RAMCHAN_IOC_DUP,
		.min_size = sizeof(struct ramchan_dup),
	},
};

static long ramchan_ring_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	return ramchan_ioctl_dispatch(file, cmd, arg, ramchan_ring_ioctls,
				      ARRAY_SIZE(ramchan_ring_ioctls),
				      RAMCHAN_RING_IOC_FIRST);
}

/* /proc/PID/fdinfo: which channel an fd is, for ramchan census. */
static void ramchan_ring_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct ramchan_chan *chan = ramchan_file_chan(file);

	seq_printf(m, "ramchan-id:\t%llu\nramchan-kind:\t%s\nramchan-role:\t%u\n",
		   chan->id, chan->kind->name, ramchan_file_role(file));
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
	.show_fdinfo = ramchan_ring_show_fdinfo,
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

/* sysfs: /sys/kernel/ramchan/channel/<id>/, ring attributes */

static struct ramchan_ring *ramchan_kobj_ring(struct kobject *kobj)
{
	return ramchan_chan_ring(container_of(kobj, struct ramchan_chan, kobj));
}

/* Records between tail and head, walking their headers (bounded). */
static u64 ramchan_ring_queued_records(struct ramchan_ring *ring)
{
	u64 tail = READ_ONCE(ring->cons->tail);
	u64 head = READ_ONCE(ring->prod->head);
	u64 n = 0, hdr, total;

	if (head - tail > ring->size || tail % RAMCHAN_REC_ALIGN)
		return 0;
	while (tail != head && n < ring->size / RAMCHAN_REC_HDR_SIZE) {
		hdr = READ_ONCE(*(u64 *)(ring->data + (tail & ring->mask)));
		total = ALIGN(RAMCHAN_REC_HDR_SIZE +
			      (hdr & RAMCHAN_REC_LEN_MASK), RAMCHAN_REC_ALIGN);
		if (total > head - tail)
			break;
		tail += total;
		n++;
	}
	return n;
}

#define RAMCHAN_RING_ATTR(_name, _fmt, _expr)				\
static ssize_t ring_##_name##_show(struct kobject *kobj,		\
				   struct kobj_attribute *attr,		\
				   char *buf)				\
{									\
	struct ramchan_ring *ring = ramchan_kobj_ring(kobj);		\
									\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static struct kobj_attribute ring_##_name##_attr =			\
	__ATTR(_name, 0444, ring_##_name##_show, NULL)

static u64 ramchan_ring_fill(struct ramchan_ring *ring)
{
	u64 fill = READ_ONCE(ring->prod->head) - READ_ONCE(ring->cons->tail);

	return fill > ring->size ? ring->size : fill;
}

static u64 ramchan_ring_high_water(struct ramchan_ring *ring)
{
	u64 user = READ_ONCE(ring->cons->high_water);

	if (user > ring->size)
		user = 0;
	return max3(user, READ_ONCE(ring->high_water), ramchan_ring_fill(ring));
}

RAMCHAN_RING_ATTR(size, "%llu", ring->size);
RAMCHAN_RING_ATTR(fill, "%llu", ramchan_ring_fill(ring));
RAMCHAN_RING_ATTR(bytes_in, "%llu", READ_ONCE(ring->prod->head));
RAMCHAN_RING_ATTR(bytes_out, "%llu", READ_ONCE(ring->cons->tail));
RAMCHAN_RING_ATTR(records_out, "%llu", READ_ONCE(ring->cons->records));
RAMCHAN_RING_ATTR(records_in, "%llu", READ_ONCE(ring->cons->records) +
		  ramchan_ring_queued_records(ring));
RAMCHAN_RING_ATTR(high_water, "%llu", ramchan_ring_high_water(ring));
RAMCHAN_RING_ATTR(waiters, "%u", READ_ONCE(ring->readers_sleeping) +
		  READ_ONCE(ring->writers_sleeping));
RAMCHAN_RING_ATTR(waits, "%ld", atomic_long_read(&ring->waits));
RAMCHAN_RING_ATTR(wakeups, "%ld", atomic_long_read(&ring->wakeups));
RAMCHAN_RING_ATTR(flags, "%#x", READ_ONCE(ring->flags));

static struct attribute *ramchan_ring_attrs[] = {
	&ring_size_attr.attr,
	&ring_fill_attr.attr,
	&ring_bytes_in_attr.attr,
	&ring_bytes_out_attr.attr,
	&ring_records_in_attr.attr,
	&ring_records_out_attr.attr,
	&ring_high_water_attr.attr,
	&ring_waiters_attr.attr,
	&ring_waits_attr.attr,
	&ring_wakeups_attr.attr,
	&ring_flags_attr.attr,
	NULL,
};

static const struct attribute_group ramchan_ring_attr_group = {
	.attrs = ramchan_ring_attrs,
};

static const struct ramchan_kind ramchan_ring_kind = {
	.name = "ring",
	.fops = &ramchan_ring_fops,
	.attrs = &ramchan_ring_attr_group,
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

	if (args->size < PAGE_SIZE || !is_power_of_2(args->size) ||
	    args->size > ramchan_limits.max_ring_bytes)
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
	mutex_init(&ring->io_lock);

	err = ramchan_chan_init(&ring->chan, &ramchan_ring_kind, args,
				current_cred());
	if (err) {
		kfree(ring);
		return err;
	}
	pages = RAMCHAN_RING_META_PAGES + ring->nr_data_pages;
	err = ramchan_chan_charge(&ring->chan, pages, pages << PAGE_SHIFT);
	if (err)
		goto err_put;
	err = ramchan_ring_alloc(ring);
	if (err)
		goto err_put;
	return ramchan_chan_publish(&ring->chan, name, role, args->flags);

err_put:
	kobject_put(&ring->chan.kobj);
	return err;
}
