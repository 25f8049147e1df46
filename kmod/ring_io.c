// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan ring read() and write(): the kernel as one more consumer or
 * producer of a ring, following the same protocol as libramchan.
 *
 * Producers reserve space with a CAS on prod->reserve, write payload then
 * header, and commit in reservation order by store-releasing prod->head
 * once it equals their reservation. Consumers load-acquire prod->head,
 * read, and store-release cons->tail.
 *
 * Bounded work: one read() skips at most one ring's worth of the smallest
 * records without delivering one (empty or discarded records: what a
 * hostile producer pumps to trap a reader); past that the ring makes no
 * progress and breaks (-EIO). The skip loop reschedules and honours
 * signals on the way.
 *
 * Locking: ring->read_lock (mutex) serializes read() callers; a
 * nonblocking reader only tries it. It is dropped before sleeping for the
 * producer. write() takes no lock: the reservation CAS orders producers,
 * and a nonblocking writer never sleeps.
 *
 * User buffers: a fault on the caller's buffer can wait for userspace
 * (userfaultfd, a FUSE-backed mapping), so neither read_lock nor a
 * reservation is ever held across one. Copies under them are done with
 * page faults disabled; when one faults, read() drops the lock, faults the
 * buffer in and retries, and write() faults its source in before it
 * reserves (a source that goes away in between commits a discarded record
 * and is retried). Both give up with -EFAULT after a few rounds.
 */
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "ring.h"

/* The skip loop of read() checks for signals and reschedules this often. */
#define RAMCHAN_RING_SKIP_CHECK		64
/* Rounds of fault-in and retry before a copy that keeps faulting fails. */
#define RAMCHAN_RING_FAULT_TRIES	8

static void ramchan_ring_note_fill(struct ramchan_ring *ring, u64 fill)
{
	if (fill <= ring->size && fill > READ_ONCE(ring->high_water))
		WRITE_ONCE(ring->high_water, fill);
}

/*
 * The record at the tail, validated. Return: 0 with *tailp, *lenp,
 * *totalp and *hdrp set; -EAGAIN when the ring is empty; -EIO when the
 * shared state is inconsistent.
 */
static int ramchan_ring_peek(struct ramchan_ring *ring, u64 *tailp,
			     u64 *lenp, u64 *totalp, u64 *hdrp)
{
	u64 tail, head, hdr;

	if (ramchan_ring_broken(ring))
		return -EIO;
	tail = READ_ONCE(ring->cons->tail);
	/* Pairs with the producers' store-release of head. */
	head = smp_load_acquire(&ring->prod->head);
	if (head == tail)
		return -EAGAIN;
	if (!ramchan_ring_span_ok(ring->size, tail, head))
		return ramchan_ring_break(ring);
	ramchan_ring_note_fill(ring, head - tail);

	hdr = READ_ONCE(*(u64 *)(ring->data + (tail & ring->mask)));
	if (ramchan_rec_parse(hdr, head - tail, lenp, totalp))
		return ramchan_ring_break(ring);
	*tailp = tail;
	*hdrp = hdr;
	return 0;
}

/*
 * Account for one more record skipped without delivery. Return: 0, -EIO
 * when the call has used up its budget, -ERESTARTSYS on a signal.
 */
static int ramchan_ring_skip(struct ramchan_ring *ring, u64 *budget)
{
	if (!*budget)
		return ramchan_ring_break(ring);
	if (!(--*budget % RAMCHAN_RING_SKIP_CHECK)) {
		if (signal_pending(current))
			return -ERESTARTSYS;
		cond_resched();
	}
	return 0;
}

/*
 * Consume records until one is delivered; empty ones use up @budget. A
 * record whose copy faults stays queued: -EFAULT with *faultp set to its
 * length, for the caller to fault @buf in without the lock.
 */
static ssize_t ramchan_ring_read_locked(struct ramchan_ring *ring,
					char __user *buf, size_t count,
					u64 *budget, size_t *faultp)
{
	u64 tail, len, total, hdr;
	bool deliver;
	int err;

	for (;;) {
		err = ramchan_ring_peek(ring, &tail, &len, &total, &hdr);
		if (err)
			return err;
		deliver = ramchan_rec_deliverable(hdr);
		if (deliver) {
			if (len > count)
				return -EMSGSIZE;
			if (copy_to_user_nofault(buf, ring->data +
						 (tail & ring->mask) +
						 RAMCHAN_REC_HDR_SIZE, len)) {
				*faultp = len;
				return -EFAULT;
			}
		} else {
			err = ramchan_ring_skip(ring, budget);
			if (err)
				return err;
		}
		WRITE_ONCE(ring->cons->records,
			   READ_ONCE(ring->cons->records) + 1);
		/* Pairs with the producers' load-acquire of tail. */
		smp_store_release(&ring->cons->tail, tail + total);
		ramchan_ring_wake_writers(ring);
		if (deliver)
			return len;
	}
}

static int ramchan_ring_read_lock(struct ramchan_ring *ring, bool nonblock)
{
	if (nonblock)
		return mutex_trylock(&ring->read_lock) ? 0 : -EAGAIN;
	return mutex_lock_interruptible(&ring->read_lock);
}

ssize_t ramchan_ring_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	bool nonblock = file->f_flags & O_NONBLOCK;
	u64 budget = ring->size / RAMCHAN_REC_ALIGN;
	int tries = RAMCHAN_RING_FAULT_TRIES;
	size_t fault = 0;
	ssize_t ret;
	u32 flags;
	u64 head;

	if (!(ramchan_file_role(file) & RAMCHAN_ROLE_CONSUMER))
		return -EBADF;
	ret = ramchan_ring_read_lock(ring, nonblock);
	if (ret)
		return ret;
	for (;;) {
		/*
		 * The flags before head: a producer that commits and then
		 * goes away is seen gone only with its last record visible,
		 * so end of file never hides a record. Pairs with the
		 * store-release in ramchan_ring_update_flags().
		 */
		flags = smp_load_acquire(&ring->flags);
		head = READ_ONCE(ring->prod->head);
		ret = ramchan_ring_read_locked(ring, buf, count, &budget,
					       &fault);
		if (ret == -EFAULT && fault && --tries) {
			mutex_unlock(&ring->read_lock);
			if (fault_in_writeable(buf, fault))
				return -EFAULT;
			if (signal_pending(current))
				return -ERESTARTSYS;
			fault = 0;
			ret = ramchan_ring_read_lock(ring, nonblock);
			if (ret)
				return ret;
			continue;
		}
		if (ret != -EAGAIN)
			break;
		if (flags & RAMCHAN_RING_PRODUCERS_GONE) {
			ret = 0;	/* drained: end of file */
			break;
		}
		if (nonblock)
			break;
		mutex_unlock(&ring->read_lock);
		ret = ramchan_ring_wait(ring, RAMCHAN_WAIT_READABLE, head, 0);
		if (ret)
			return ret;
		ret = ramchan_ring_read_lock(ring, false);
		if (ret)
			return ret;
	}
	mutex_unlock(&ring->read_lock);
	return ret;
}

/*
 * Reserve @total bytes as a producer. Waits (unless @nonblock) while
 * userspace producers hold reservations or the ring is full; no lock is
 * held. Return: 0 with *posp set, or -errno.
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
		if (!ramchan_ring_span_ok(ring->size, tail, reserve) ||
		    !ramchan_ring_span_ok(ring->size, head, reserve))
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
			err = ramchan_ring_wait(ring, RAMCHAN_WAIT_WRITABLE,
						tail, 0);
			if (err)
				return err;
			continue;
		}
		/*
		 * With reserve == head nobody holds a reservation: once ours
		 * is taken, our commit is the next one in order.
		 */
		if (cmpxchg(&ring->prod->reserve, reserve, reserve + total) ==
		    reserve)
			break;
	}
	ramchan_ring_note_fill(ring, reserve + total - tail);
	*posp = reserve;
	return 0;
}

ssize_t ramchan_ring_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	u64 pos, total, hdr;
	ssize_t ret = 0;
	int tries;
	u8 *rec;

	if (!(ramchan_file_role(file) & RAMCHAN_ROLE_PRODUCER))
		return -EBADF;
	if (!count)
		return 0;
	if (count > ring->size - RAMCHAN_REC_HDR_SIZE)
		return -EMSGSIZE;
	total = ALIGN(RAMCHAN_REC_HDR_SIZE + count, RAMCHAN_REC_ALIGN);

	for (tries = RAMCHAN_RING_FAULT_TRIES; tries; tries--) {
		if (fault_in_readable(buf, count))
			return -EFAULT;
		ret = ramchan_ring_reserve(ring, total,
					   file->f_flags & O_NONBLOCK, &pos);
		if (ret)
			return ret;

		rec = ring->data + (pos & ring->mask);
		hdr = count;
		ret = count;
		if (copy_from_user_nofault(rec + RAMCHAN_REC_HDR_SIZE, buf,
					   count)) {
			hdr |= RAMCHAN_REC_DISCARD;
			ret = -EFAULT;
		}
		WRITE_ONCE(*(u64 *)rec, hdr);
		/* Pairs with the consumers' load-acquire of head. */
		smp_store_release(&ring->prod->head, pos + total);
		ramchan_ring_wake_readers(ring);
		if (ret != -EFAULT)
			break;
		if (signal_pending(current))
			return -ERESTARTSYS;
	}
	return ret;
}
