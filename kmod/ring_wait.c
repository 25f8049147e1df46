// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan ring waiting: the ring's flags, sleeping until the peer moves
 * (RAMCHAN_IOC_WAIT, read(), write()), poll, and wakeups.
 *
 * Userspace sleeps only when the other side must tell it to wake up, and
 * the other side makes a system call (RAMCHAN_IOC_WAKE) only when someone
 * sleeps: a sleeper is counted in the info page, then a full barrier, then
 * it re-checks the position it waits on (Dekker); a peer publishes its
 * position, then a full barrier, then reads the count. Either the peer sees
 * the sleeper counted and wakes it, or the sleeper sees the new position.
 *
 * Every loop here sleeps between iterations or ends: a hostile peer that
 * keeps waking a sleeper (WAKE) without moving makes it re-check and sleep
 * again, never spin. Nothing here holds a lock while sleeping.
 *
 * Locking: ring->wait_lock (spinlock) serializes writers of ring->flags
 * and of the waiter counts and their copies in the info page.
 */
#include <linux/hrtimer.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "nl_event.h"
#include "ring.h"
#include "trace.h"

static void ramchan_ring_publish_locked(struct ramchan_ring *ring)
{
	lockdep_assert_held(&ring->wait_lock);
	WRITE_ONCE(ring->info->flags, ring->flags);
	WRITE_ONCE(ring->info->readers_waiting,
		   ring->readers_sleeping + ring->readers_poll);
	WRITE_ONCE(ring->info->writers_waiting,
		   ring->writers_sleeping + ring->writers_poll);
}

/*
 * Change the flags. The store-release pairs with the smp_load_acquire()
 * of ring->flags in ramchan_ring_read() and ramchan_ring_events(): a
 * reader that sees a flag (e.g. PRODUCERS_GONE) also sees every position
 * published before it was set (the last record of a producer that left).
 */
void ramchan_ring_update_flags(struct ramchan_ring *ring, u32 set, u32 clear)
{
	spin_lock(&ring->wait_lock);
	/* Pairs with the lockless readers' smp_load_acquire() of flags. */
	smp_store_release(&ring->flags, (ring->flags & ~clear) | set);
	ramchan_ring_publish_locked(ring);
	spin_unlock(&ring->wait_lock);
}

void ramchan_ring_wake_all(struct ramchan_ring *ring)
{
	wake_up_all(&ring->readers);
	wake_up_all(&ring->writers);
}

/* Shared state is inconsistent: fail this ring, and only this ring. */
int ramchan_ring_break(struct ramchan_ring *ring)
{
	if (!(READ_ONCE(ring->flags) & RAMCHAN_RING_BROKEN)) {
		trace_ramchan_ring_broken(ring->chan.id, ring->size,
					  READ_ONCE(ring->prod->head),
					  READ_ONCE(ring->prod->reserve),
					  READ_ONCE(ring->cons->tail));
		ramchan_ring_update_flags(ring, RAMCHAN_RING_BROKEN, 0);
		ramchan_ring_wake_all(ring);
		ramchan_nl_ring_broken(ring->chan.id);
	}
	return -EIO;
}

bool ramchan_ring_broken(struct ramchan_ring *ring)
{
	return READ_ONCE(ring->flags) & RAMCHAN_RING_BROKEN;
}

void ramchan_ring_wake_writers(struct ramchan_ring *ring)
{
	/* wq_has_sleeper() has the barrier that pairs with prepare_to_wait(). */
	if (wq_has_sleeper(&ring->writers)) {
		atomic_long_inc(&ring->wakeups);
		trace_ramchan_ring_wake(ring->chan.id, RAMCHAN_WAKE_WRITERS,
					false);
		wake_up_all(&ring->writers);
	}
}

void ramchan_ring_wake_readers(struct ramchan_ring *ring)
{
	if (wq_has_sleeper(&ring->readers)) {
		atomic_long_inc(&ring->wakeups);
		trace_ramchan_ring_wake(ring->chan.id, RAMCHAN_WAKE_READERS,
					false);
		wake_up_all(&ring->readers);
	}
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

/**
 * ramchan_ring_wait - sleep until the peer moves
 * @ring:	the ring
 * @what:	RAMCHAN_WAIT_READABLE (the head) or _WRITABLE (the tail)
 * @expected:	the position last seen
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, 0 for none
 *
 * Sleeps until the position differs from @expected, the peer is gone, the
 * ring breaks, a signal arrives or the deadline passes. Called with no
 * lock held.
 * Return: 0, -ERESTARTSYS or -ETIMEDOUT.
 */
int ramchan_ring_wait(struct ramchan_ring *ring, unsigned int what,
		      u64 expected, u64 deadline_ns)
{
	wait_queue_head_t *wq = what == RAMCHAN_WAIT_READABLE ?
				&ring->readers : &ring->writers;
	ktime_t deadline = ns_to_ktime(deadline_ns);
	DEFINE_WAIT(wait);
	int ret = 0;

	trace_ramchan_ring_wait(ring->chan.id, what, expected, deadline_ns);
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
	trace_ramchan_ring_wait_done(ring->chan.id, what, ret);
	return ret;
}

static __poll_t ramchan_ring_events(struct ramchan_ring *ring,
				    unsigned int role)
{
	/* Before head and tail: see ramchan_ring_update_flags(). */
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

__poll_t ramchan_ring_poll(struct file *file, poll_table *pt)
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

long ramchan_ring_wait_ioctl(struct file *file, void *arg)
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

long ramchan_ring_wake_ioctl(struct file *file, void *arg)
{
	struct ramchan_ring *ring = ramchan_file_ring(file);
	u64 who = *(u64 *)arg;

	if (!who || who & ~(u64)(RAMCHAN_WAKE_READERS | RAMCHAN_WAKE_WRITERS))
		return -EINVAL;
	atomic_long_inc(&ring->wakeups);
	trace_ramchan_ring_wake(ring->chan.id, who, true);
	if (who & RAMCHAN_WAKE_READERS)
		wake_up_all(&ring->readers);
	if (who & RAMCHAN_WAKE_WRITERS)
		wake_up_all(&ring->writers);
	return 0;
}
