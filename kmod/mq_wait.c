// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan queue waiting: the queue lock, and tasks waiting in send or
 * receive, in the manner of ipc/mqueue.c's pipelined send and receive.
 *
 * A task that must wait puts a struct ramchan_mq_waiter (on its stack) on
 * the queue's receiver or sender list and drops the lock. A sender that
 * finds a receiver waiting gives it the message directly; a receiver that
 * takes a message from a full queue moves the first waiting sender's
 * message into the freed slot. Either way the waiter is completed without
 * taking the lock again: the completer dequeues it, stores the result,
 * then sets w->state to READY (or RETRY: look again, e.g. the peer is
 * gone). A waiter first polls w->state for its spin budget (the bounded
 * busy-poll: a hand-off meanwhile costs no wakeup at all), then announces
 * that it sleeps with a cmpxchg WAITING -> SLEEPING; the completer's xchg
 * returns the old state and it wakes the task only if it was SLEEPING.
 *
 * The races, and why each ends well (W: the waiter, C: a completer, which
 * holds mq->lock):
 *
 *   W spins, C completes    C's xchg sees WAITING: no wakeup; W's acquire
 *                           load sees READY/RETRY and the result.
 *   W sleeps, C completes   W: set_current_state(), cmpxchg to SLEEPING;
 *                           C: xchg sees SLEEPING, wakes W after dropping
 *                           the lock (RCU keeps W's task_struct). Both are
 *                           fully ordered: either C sees SLEEPING, or W's
 *                           cmpxchg fails and W sees the final state.
 *   C completes while W     W's cmpxchg fails: it re-reads the state with
 *   is about to sleep       acquire and returns without sleeping.
 *   W times out or is       W retakes the lock and settles in
 *   signalled, C races      ramchan_mq_waiter_finish_locked(): READY wins
 *                           over the error (the message handed over is
 *                           never lost); RETRY after a timeout looks once
 *                           more; otherwise W dequeues itself.
 *   W returns, its task     the wakeup happens after the lock is dropped
 *   exits before C wakes    but inside the same RCU read-side section,
 *                           so the task_struct is still there.
 *   peer goes away          detach completes every waiter of the other
 *                           side with RETRY; they find the peer gone.
 *
 * A waiter never spins with preemption disabled: the busy-poll stops at
 * need_resched() or a signal and is bounded by its budget.
 *
 * Locking: mq->lock as described in mq.h; nothing here sleeps under it.
 */
#include <linux/hrtimer.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>

#include "mq.h"

/*
 * Every hold of mq->lock is inside an RCU read-side section, so that a
 * waiter completed under the lock can be woken after the lock is dropped
 * (as ipc/mqueue.c does with a wake_q): once completed it may return and
 * its task exit, but the task_struct is freed only after a grace period
 * (the rcuwait_wake_up() argument).
 */
void ramchan_mq_lock(struct ramchan_mq *mq)
	__acquires(RCU) __acquires(&mq->lock)
{
	rcu_read_lock();
	spin_lock(&mq->lock);
}

static noinline void ramchan_mq_unlock_wake(struct ramchan_mq *mq)
	__releases(&mq->lock) __releases(RCU)
{
	struct task_struct *wake[RAMCHAN_MQ_WAKE_MAX];
	unsigned int i, nr = mq->nr_wake;

	memcpy(wake, mq->wake, nr * sizeof(wake[0]));
	mq->nr_wake = 0;
	spin_unlock(&mq->lock);
	for (i = 0; i < nr; i++)
		wake_up_process(wake[i]);
	rcu_read_unlock();
}

void ramchan_mq_unlock(struct ramchan_mq *mq)
	__releases(&mq->lock) __releases(RCU)
{
	if (mq->nr_wake) {
		ramchan_mq_unlock_wake(mq);
		return;
	}
	spin_unlock(&mq->lock);
	rcu_read_unlock();
}

void ramchan_mq_waiter_add_locked(struct ramchan_mq *mq,
				  struct ramchan_mq_waiter *w)
{
	lockdep_assert_held(&mq->lock);
	w->task = current;
	atomic_set(&w->state, RAMCHAN_MQ_WAITING);
	if (w->sender) {
		list_add_tail(&w->node, &mq->senders);
		mq->senders_waiting++;
	} else {
		list_add_tail(&w->node, &mq->receivers);
		mq->receivers_waiting++;
	}
}

static void ramchan_mq_waiter_del_locked(struct ramchan_mq *mq,
					 struct ramchan_mq_waiter *w)
{
	lockdep_assert_held(&mq->lock);
	list_del(&w->node);
	if (w->sender)
		mq->senders_waiting--;
	else
		mq->receivers_waiting--;
}

/*
 * Dequeue @w and give it its final @state. Once the state is stored the
 * waiter may return and its task exit; a sleeper is woken by
 * ramchan_mq_unlock(), still inside the RCU section of this lock hold.
 */
void ramchan_mq_waiter_complete_locked(struct ramchan_mq *mq,
				       struct ramchan_mq_waiter *w, int state)
{
	struct task_struct *task = w->task;

	ramchan_mq_waiter_del_locked(mq, w);
	/*
	 * Fully ordered: the result stored before is seen by the waiter's
	 * acquire of the state; pairs with the waiter's cmpxchg to SLEEPING
	 * after set_current_state(), so one of us sees the other.
	 */
	if (atomic_xchg(&w->state, state) != RAMCHAN_MQ_SLEEPING)
		return;		/* spinning: it sees the state by itself */
	if (mq->nr_wake < RAMCHAN_MQ_WAKE_MAX)
		mq->wake[mq->nr_wake++] = task;
	else
		wake_up_process(task);
}

void ramchan_mq_retry_all_locked(struct ramchan_mq *mq,
				 struct list_head *list)
{
	struct ramchan_mq_waiter *w, *next;

	list_for_each_entry_safe(w, next, list, node)
		ramchan_mq_waiter_complete_locked(mq, w, RAMCHAN_MQ_RETRY);
}

/* Poll @w's state for up to the call's spin budget (the busy-poll). */
static int ramchan_mq_spin(struct ramchan_mq_waiter *w,
			   const struct ramchan_mq_call *call)
{
	u64 end = ktime_get_ns() + call->spin_ns;
	unsigned int i = 0;
	int state;

	if (call->deadline_ns && call->deadline_ns < end)
		end = call->deadline_ns;
	for (;;) {
		state = atomic_read_acquire(&w->state);
		if (state != RAMCHAN_MQ_WAITING)
			return state;
		if (need_resched() || signal_pending(current))
			return state;
		cpu_relax();
		if (!(++i & 15) && ktime_get_ns() >= end)
			return state;
	}
}

/*
 * Wait, without mq->lock, for @w to be completed. Return READY or RETRY
 * (@w is dequeued), or -ETIMEDOUT / -ERESTARTSYS (@w may still be queued,
 * or have been completed meanwhile: see ramchan_mq_waiter_finish_locked()).
 */
int ramchan_mq_wait(struct ramchan_mq_waiter *w,
		    const struct ramchan_mq_call *call)
{
	ktime_t deadline = ns_to_ktime(call->deadline_ns);
	int state;

	if (call->deadline_ns && ktime_get_ns() >= call->deadline_ns)
		return -ETIMEDOUT;
	if (call->spin_ns) {
		state = ramchan_mq_spin(w, call);
		if (state != RAMCHAN_MQ_WAITING)
			return state;
	}
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		state = atomic_cmpxchg(&w->state, RAMCHAN_MQ_WAITING,
				       RAMCHAN_MQ_SLEEPING);
		if (state == RAMCHAN_MQ_READY || state == RAMCHAN_MQ_RETRY) {
			__set_current_state(TASK_RUNNING);
			/* A failed cmpxchg is unordered: acquire the result. */
			return atomic_read_acquire(&w->state);
		}
		if (signal_pending(current)) {
			__set_current_state(TASK_RUNNING);
			return -ERESTARTSYS;
		}
		if (!call->deadline_ns) {
			schedule();
		} else if (!schedule_hrtimeout_range(&deadline,
						     current->timer_slack_ns,
						     HRTIMER_MODE_ABS)) {
			state = atomic_read_acquire(&w->state);
			if (state == RAMCHAN_MQ_READY ||
			    state == RAMCHAN_MQ_RETRY)
				return state;
			return -ETIMEDOUT;
		}
	}
}

/*
 * After ramchan_mq_wait(), with mq->lock held again: settle a wait that
 * ended in an error against a completion that raced with it. A message
 * handed over or taken is never lost: READY wins over the error.
 */
int ramchan_mq_waiter_finish_locked(struct ramchan_mq *mq,
				    struct ramchan_mq_waiter *w, int ret)
{
	int state;

	lockdep_assert_held(&mq->lock);
	if (ret >= 0)
		return ret;
	state = atomic_read(&w->state);
	if (state == RAMCHAN_MQ_READY)
		return state;
	if (state == RAMCHAN_MQ_RETRY)
		/* Look once more after a timeout; a signal wins. */
		return ret == -ETIMEDOUT ? state : ret;
	ramchan_mq_waiter_del_locked(mq, w);
	return ret;
}

/*
 * How one call waits, from its flags, its file and the queue. Return: 0,
 * or -EINVAL for a spin budget without RAMCHAN_MQ_SPIN or above the limit.
 */
int ramchan_mq_call_init(struct ramchan_mq_call *call, struct file *file,
			 struct ramchan_mq *mq, u32 flags, u32 spin_us,
			 u64 deadline_ns)
{
	if (flags & RAMCHAN_MQ_SPIN ?
	    spin_us > ramchan_limits.mq_max_spin_us : spin_us)
		return -EINVAL;
	if (!(flags & RAMCHAN_MQ_SPIN))
		spin_us = READ_ONCE(mq->spin_us);
	call->nonblock = (flags & RAMCHAN_MQ_NONBLOCK) ||
			 (READ_ONCE(file->f_flags) & O_NONBLOCK);
	call->spin_ns = (u64)spin_us * NSEC_PER_USEC;
	call->deadline_ns = deadline_ns;
	return 0;
}
