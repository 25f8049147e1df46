/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rings: the interfaces between the ring files.
 *
 *   ring.c       creation, pages, mmap (and faults), layout, fops, kind
 *   ring_io.c    read() and write(): the kernel's consumer and producer
 *   ring_wait.c  flags, sleeping (WAIT, read, write), poll, wakeups
 *   ring_rec.c   record and position checks against hostile values
 *
 * Everything in the shared pages is untrusted: read once with READ_ONCE(),
 * checked against the kernel's own size (ring->size, ring->mask), never
 * used to compute an address outside the ring.
 */
#ifndef RAMCHAN_RING_H
#define RAMCHAN_RING_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/ramchan.h>

#include "chan.h"

struct ramchan_ioctl_table;

#define RAMCHAN_RING_INFO_PGOFF		0
#define RAMCHAN_RING_PRODUCER_PGOFF	1
#define RAMCHAN_RING_CONSUMER_PGOFF	2
#define RAMCHAN_RING_DATA_PGOFF		3
#define RAMCHAN_RING_META_PAGES		3

/**
 * struct ramchan_ring - a ring channel
 * @chan:	the common channel part
 * @size:	bytes of the data area, a power of two; the kernel's own copy
 * @mask:	@size - 1
 * @nr_data_pages: @size >> PAGE_SHIFT
 * @nr_pages:	pages allocated so far, from @pages[0]
 * @pages:	info, producer, consumer, data, then data again: indexed by
 *		the mmap page offset
 * @base:	vmap of @pages, VM_USERMAP so that it can be mmap'd
 * @info:	info page (userspace read-only)
 * @prod:	producer page (userspace writable: untrusted)
 * @cons:	consumer page (userspace writable: untrusted)
 * @data:	data, @size bytes mapped twice (userspace writable: untrusted)
 * @readers:	consumers sleeping in WAIT, read() or poll
 * @writers:	producers sleeping in WAIT, write() or poll
 * @wait_lock:	serializes writers of @flags, the waiter counts and their
 *		copies in @info
 * @flags:	RAMCHAN_RING_*, published in @info->flags; store-released
 *		under @wait_lock, load-acquired by lockless readers
 * @readers_sleeping: consumers inside ramchan_ring_wait()
 * @writers_sleeping: producers inside ramchan_ring_wait()
 * @readers_poll: a consumer has polled: from then on producers must be
 *		told to wake readers (a poll registration cannot be counted)
 * @writers_poll: a producer has polled, likewise
 * @read_lock:	serializes read() callers (they share the kernel's view of
 *		the consumer position); never held while sleeping for the
 *		peer; nonblocking readers only try it
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
	struct mutex read_lock;	/* read() against read() */
	atomic_long_t waits;
	atomic_long_t wakeups;
	u64 high_water;
};

static inline struct ramchan_ring *ramchan_chan_ring(struct ramchan_chan *chan)
{
	return container_of(chan, struct ramchan_ring, chan);
}

static inline struct ramchan_ring *ramchan_file_ring(struct file *file)
{
	return ramchan_chan_ring(ramchan_file_chan(file));
}

/*
 * Bytes in the ring, from the shared pages (untrusted: clamped to the
 * kernel's own size). For statistics: one lockless snapshot.
 */
static inline u64 ramchan_ring_fill(struct ramchan_ring *ring)
{
	u64 fill = READ_ONCE(ring->prod->head) - READ_ONCE(ring->cons->tail);

	return fill > ring->size ? ring->size : fill;
}

/* The most bytes seen in the ring, by the kernel or the consumer. */
static inline u64 ramchan_ring_high_water(struct ramchan_ring *ring)
{
	u64 user = READ_ONCE(ring->cons->high_water);

	if (user > ring->size)
		user = 0;
	return max3(user, READ_ONCE(ring->high_water), ramchan_ring_fill(ring));
}

/* ring_rec.c */
bool ramchan_ring_size_ok(u64 size, u64 max);
bool ramchan_ring_span_ok(u64 size, u64 from, u64 to);
int ramchan_rec_parse(u64 hdr, u64 avail, u64 *lenp, u64 *totalp);
bool ramchan_rec_deliverable(u64 hdr);
u64 ramchan_ring_queued_records(struct ramchan_ring *ring);

/* ring_wait.c */
void ramchan_ring_update_flags(struct ramchan_ring *ring, u32 set, u32 clear);
int ramchan_ring_break(struct ramchan_ring *ring);
bool ramchan_ring_broken(struct ramchan_ring *ring);
void ramchan_ring_wake_all(struct ramchan_ring *ring);
void ramchan_ring_wake_readers(struct ramchan_ring *ring);
void ramchan_ring_wake_writers(struct ramchan_ring *ring);
int ramchan_ring_wait(struct ramchan_ring *ring, unsigned int what,
		      u64 expected, u64 deadline_ns);
__poll_t ramchan_ring_poll(struct file *file, poll_table *pt);
long ramchan_ring_wait_ioctl(struct file *file, void *arg);
long ramchan_ring_wake_ioctl(struct file *file, void *arg);

/* ring_io.c */
ssize_t ramchan_ring_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos);
ssize_t ramchan_ring_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos);

/* ring.c */
long ramchan_ring_create(struct file *ctl, const struct ramchan_create *args,
			 const char *name);
extern const struct ramchan_ioctl_table ramchan_ring_ioctl_table;

#endif /* RAMCHAN_RING_H */
