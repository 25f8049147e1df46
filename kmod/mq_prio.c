// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan queue priorities: messages wait in an rbtree of priorities, one
 * FIFO list per priority (ipc/mqueue.c's layout). The tree is ordered
 * highest priority first and caches its leftmost node, so the next message
 * to receive (the oldest of the highest priority) is found in O(1); the
 * victim of drop-oldest is the oldest of the lowest priority.
 *
 * A node is never allocated under mq->lock: each queue keeps one spare,
 * and a sender that needs a second one allocates it before taking the
 * lock (or brings it when it waits).
 *
 * Everything here runs under mq->lock.
 */
#include <linux/rbtree.h>
#include <linux/slab.h>

#include "mq.h"

static struct ramchan_mq_prio *ramchan_mq_prio_entry(const struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct ramchan_mq_prio, rb) : NULL;
}

/* rb_find() order: highest priority first. */
static int ramchan_mq_prio_cmp(const void *key, const struct rb_node *rb)
{
	u32 prio = *(const u32 *)key, other = ramchan_mq_prio_entry(rb)->prio;

	if (prio == other)
		return 0;
	return prio > other ? -1 : 1;
}

/* rb_add_cached() order, likewise. */
static bool ramchan_mq_prio_less(struct rb_node *a, const struct rb_node *b)
{
	return ramchan_mq_prio_entry(a)->prio > ramchan_mq_prio_entry(b)->prio;
}

static struct ramchan_mq_prio *ramchan_mq_prio_find(struct ramchan_mq *mq,
						    u32 prio)
{
	return ramchan_mq_prio_entry(rb_find(&prio, &mq->tree.rb_root,
					     ramchan_mq_prio_cmp));
}

/* The node of the highest priority with messages, or NULL. */
struct ramchan_mq_prio *ramchan_mq_prio_highest(struct ramchan_mq *mq)
{
	lockdep_assert_held(&mq->lock);
	return ramchan_mq_prio_entry(rb_first_cached(&mq->tree));
}

/* The node of the lowest priority with messages, or NULL. */
struct ramchan_mq_prio *ramchan_mq_prio_lowest(struct ramchan_mq *mq)
{
	lockdep_assert_held(&mq->lock);
	return ramchan_mq_prio_entry(rb_last(&mq->tree.rb_root));
}

/**
 * ramchan_mq_prio_get_locked - the node of a priority, added if needed
 * @mq:		the queue
 * @prio:	the priority
 * @spare:	a caller's spare node, taken (set to NULL) if used, or NULL
 *
 * A new node comes from mq->spare_prio first, then from *@spare.
 * Return: the node, or NULL when one must be added and none is at hand.
 */
struct ramchan_mq_prio *ramchan_mq_prio_get_locked(struct ramchan_mq *mq,
						   u32 prio,
						   struct ramchan_mq_prio **spare)
{
	struct ramchan_mq_prio *node = ramchan_mq_prio_highest(mq);

	if (node && node->prio == prio)
		return node;
	node = ramchan_mq_prio_find(mq, prio);
	if (node)
		return node;
	if (mq->spare_prio) {
		node = mq->spare_prio;
		mq->spare_prio = NULL;
	} else if (spare && *spare) {
		node = *spare;
		*spare = NULL;
	} else {
		return NULL;
	}
	node->prio = prio;
	node->head = NULL;
	node->tail = NULL;
	rb_add_cached(&node->rb, &mq->tree, ramchan_mq_prio_less);
	return node;
}

/* Could a message of @prio be queued without allocating? */
bool ramchan_mq_prio_available_locked(struct ramchan_mq *mq, u32 prio,
				      struct ramchan_mq_prio *spare)
{
	lockdep_assert_held(&mq->lock);
	return spare || mq->spare_prio || ramchan_mq_prio_find(mq, prio);
}

/* Remove the oldest message of @node, and @node when it empties. */
struct ramchan_mq_message *ramchan_mq_remove_locked(struct ramchan_mq *mq,
						    struct ramchan_mq_prio *node)
{
	struct ramchan_mq_message *msg;

	lockdep_assert_held(&mq->lock);
	msg = node->head;
	node->head = msg->next;
	if (!node->head) {
		rb_erase_cached(&node->rb, &mq->tree);
		if (!mq->spare_prio)
			mq->spare_prio = node;
		else
			kfree(node);
	}
	mq->count--;
	mq->bytes -= msg->len;
	return msg;
}

/* Free every node and queued message: the queue is unreachable. */
void ramchan_mq_prio_destroy(struct ramchan_mq *mq)
{
	struct ramchan_mq_prio *node;
	struct rb_node *rb;

	while ((rb = rb_first_cached(&mq->tree))) {
		node = ramchan_mq_prio_entry(rb);
		rb_erase_cached(rb, &mq->tree);
		ramchan_mq_msg_put_chain(node->head);
		kfree(node);
	}
	kfree(mq->spare_prio);
	mq->spare_prio = NULL;
}
