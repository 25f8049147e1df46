// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan queue send and receive, under mq->lock: queueing a message in
 * its priority's FIFO, the direct hand-off to a waiting receiver, the
 * pipelined receive that moves a waiting sender's message into the slot
 * it frees, the overflow policies (block, reject, drop-oldest), and
 * waiting (mq_wait.c) when the call may block.
 *
 * Each message sent is delivered to exactly one receiver, in priority
 * order and FIFO within a priority, or dropped by drop-oldest (counted),
 * or given back to its sender with an error: never lost or duplicated.
 *
 * Called and returning with mq->lock held; the lock is dropped only to
 * wait or to allocate a priority node.
 */
#include <linux/eventfd.h>
#include <linux/poll.h>
#include <linux/slab.h>

#include "mq.h"
#include "nl_event.h"
#include "trace.h"

static void ramchan_mq_wake_writable_locked(struct ramchan_mq *mq)
{
	/*
	 * Pollers check the state under mq->lock after joining the wait
	 * queue, so the lock orders their join before this check.
	 */
	if (waitqueue_active(&mq->writable))
		wake_up_poll(&mq->writable, EPOLLOUT | EPOLLWRNORM);
}

/*
 * Queue @msg. Return: 0, or -ENOMEM when its priority needs a new node and
 * neither mq->spare_prio nor *@spare has one (nothing changed).
 */
int ramchan_mq_enqueue_locked(struct ramchan_mq *mq,
			      struct ramchan_mq_message *msg,
			      struct ramchan_mq_prio **spare)
{
	struct ramchan_mq_prio *node;
	bool was_empty = !mq->count;

	node = ramchan_mq_prio_get_locked(mq, msg->prio, spare);
	if (!node)
		return -ENOMEM;
	msg->next = NULL;
	if (node->tail)
		node->tail->next = msg;
	else
		node->head = msg;
	node->tail = msg;
	mq->count++;
	mq->bytes += msg->len;
	mq->msgs_in++;
	mq->bytes_in += msg->len;
	if (mq->count > mq->high_water)
		mq->high_water = mq->count;
	trace_ramchan_mq_send(mq->chan.id, msg->prio, msg->len, mq->count,
			      mq->depth);

	/* Peekers and receivers whose buffer is too small look again. */
	if (!list_empty(&mq->receivers))
		ramchan_mq_retry_all_locked(mq, &mq->receivers);
	if (waitqueue_active(&mq->readable))	/* as for writable */
		wake_up_poll(&mq->readable, EPOLLIN | EPOLLRDNORM);
	if (was_empty && mq->eventfd)
		ramchan_eventfd_signal(mq->eventfd);
	return 0;
}

/* Give @msg to the first receiver waiting for one it can hold. */
static bool ramchan_mq_hand_off_locked(struct ramchan_mq *mq,
				       struct ramchan_mq_message *msg)
{
	struct ramchan_mq_waiter *w;

	lockdep_assert_held(&mq->lock);
	if (mq->count)		/* it would overtake the queued messages */
		return false;
	list_for_each_entry(w, &mq->receivers, node) {
		if (w->peek || w->cap < msg->len)
			continue;
		w->msg = msg;
		mq->msgs_in++;
		mq->bytes_in += msg->len;
		mq->msgs_out++;
		mq->bytes_out += msg->len;
		mq->handoffs++;
		trace_ramchan_mq_handoff(mq->chan.id, msg->prio, msg->len,
					 mq->count, mq->depth);
		ramchan_mq_waiter_complete_locked(mq, w, RAMCHAN_MQ_READY);
		return true;
	}
	return false;
}

/*
 * Take the next message; move the first waiting sender's message into the
 * slot this frees (the pipelined receive). The queue is not empty.
 */
static struct ramchan_mq_message *ramchan_mq_take_locked(struct ramchan_mq *mq)
{
	struct ramchan_mq_message *msg;
	struct ramchan_mq_waiter *w;

	msg = ramchan_mq_remove_locked(mq, ramchan_mq_prio_highest(mq));
	mq->msgs_out++;
	mq->bytes_out += msg->len;
	trace_ramchan_mq_recv(mq->chan.id, msg->prio, msg->len, mq->count,
			      mq->depth);

	w = list_first_entry_or_null(&mq->senders, struct ramchan_mq_waiter,
				     node);
	if (w) {
		/* A waiting sender always brings a node: this cannot fail. */
		if (!WARN_ON_ONCE(ramchan_mq_enqueue_locked(mq, w->msg,
							    &w->prio_node)))
			ramchan_mq_waiter_complete_locked(mq, w,
							  RAMCHAN_MQ_READY);
	} else {
		ramchan_mq_wake_writable_locked(mq);
	}
	return msg;
}

/*
 * Send @msg: hand it over, queue it, apply the overflow policy or wait.
 * Called and returns with mq->lock held; drops it to allocate a priority
 * node into *@spare or to wait. Return: 0 when @msg was taken over (it
 * must not be touched), or -errno with @msg still the caller's. Messages
 * discarded by drop-oldest are chained on *@victims for the caller to put.
 */
int ramchan_mq_send_locked(struct ramchan_mq *mq,
			   struct ramchan_mq_message *msg,
			   const struct ramchan_mq_call *call,
			   struct ramchan_mq_prio **spare,
			   struct ramchan_mq_message **victims)
{
	struct ramchan_mq_waiter w = { .sender = true, .msg = msg };
	struct ramchan_mq_message *victim;
	struct ramchan_mq_prio *lowest;
	int ret;

	lockdep_assert_held(&mq->lock);
	for (;;) {
		if (mq->receivers_gone)
			return -EPIPE;
		if (!list_empty(&mq->receivers) &&
		    ramchan_mq_hand_off_locked(mq, msg))
			return 0;

		if (mq->count < mq->depth) {
			ret = ramchan_mq_enqueue_locked(mq, msg, spare);
			if (ret != -ENOMEM)
				return ret;
		} else if (mq->overflow == RAMCHAN_MQ_OVERFLOW_REJECT) {
			mq->rejects++;
			trace_ramchan_mq_reject(mq->chan.id, msg->prio,
						msg->len, mq->count,
						mq->depth);
			ramchan_nl_overflow(mq->chan.id, mq->overflow,
					    mq->drops, mq->rejects);
			return -EAGAIN;
		} else if (mq->overflow == RAMCHAN_MQ_OVERFLOW_DROP_OLDEST) {
			/* Drop only when @msg can then be queued. */
			if (ramchan_mq_prio_available_locked(mq, msg->prio,
							     *spare)) {
				lowest = ramchan_mq_prio_lowest(mq);
				victim = ramchan_mq_remove_locked(mq, lowest);
				victim->next = *victims;
				*victims = victim;
				mq->drops++;
				trace_ramchan_mq_drop(mq->chan.id,
						      victim->prio,
						      victim->len,
						      mq->count, mq->depth);
				ramchan_nl_overflow(mq->chan.id, mq->overflow,
						    mq->drops, mq->rejects);
				return ramchan_mq_enqueue_locked(mq, msg, spare);
			}
		} else if (call->nonblock) {
			return -EAGAIN;
		} else if (*spare) {
			/* Full: wait for a receiver to queue @msg. */
			w.prio_node = *spare;
			*spare = NULL;
			ramchan_mq_waiter_add_locked(mq, &w);
			ramchan_mq_unlock(mq);
			ret = ramchan_mq_wait(&w, call);
			ramchan_mq_lock(mq);
			ret = ramchan_mq_waiter_finish_locked(mq, &w, ret);
			*spare = w.prio_node;
			if (ret == RAMCHAN_MQ_READY)
				return 0;
			if (ret != RAMCHAN_MQ_RETRY)
				return ret;
			continue;
		}

		/* A priority node is needed (a waiting sender brings one). */
		ramchan_mq_unlock(mq);
		*spare = kmalloc(sizeof(**spare), GFP_KERNEL_ACCOUNT);
		ramchan_mq_lock(mq);
		if (!*spare)
			return -ENOMEM;
	}
}

/*
 * Receive the next message into a buffer of @cap bytes (with @peek, a new
 * reference to it, left queued). Called and returns with mq->lock held;
 * drops it to wait. Return: 0 with *@msgp, or -errno.
 */
int ramchan_mq_recv_locked(struct ramchan_mq *mq, u32 cap, bool peek,
			   const struct ramchan_mq_call *call,
			   struct ramchan_mq_message **msgp)
{
	struct ramchan_mq_waiter w = { .cap = cap, .peek = peek };
	struct ramchan_mq_message *head;
	int ret;

	lockdep_assert_held(&mq->lock);
	for (;;) {
		if (mq->count) {
			head = ramchan_mq_prio_highest(mq)->head;
			if (head->len > cap)
				return -EMSGSIZE;	/* it stays queued */
			if (peek) {
				refcount_inc(&head->ref);
				*msgp = head;
			} else {
				*msgp = ramchan_mq_take_locked(mq);
			}
			return 0;
		}
		if (mq->senders_gone)
			return -EPIPE;
		if (call->nonblock)
			return -EAGAIN;

		ramchan_mq_waiter_add_locked(mq, &w);
		ramchan_mq_unlock(mq);
		ret = ramchan_mq_wait(&w, call);
		ramchan_mq_lock(mq);
		ret = ramchan_mq_waiter_finish_locked(mq, &w, ret);
		if (ret == RAMCHAN_MQ_READY) {
			*msgp = w.msg;
			return 0;
		}
		if (ret != RAMCHAN_MQ_RETRY)
			return ret;
	}
}
