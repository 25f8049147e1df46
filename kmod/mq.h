/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Message queues: the objects and the interfaces between the queue files.
 *
 *   mq_file.c    creation, the fd's ioctls (send, receive, attributes,
 *                notify), poll, fops, attach/detach, destruction
 *   mq_batch.c   batched send and receive
 *   mq_queue.c   send and receive under the lock: queueing, hand-off to
 *                a waiting receiver, the overflow policies
 *   mq_wait.c    the lock, waiters and their state machine (race table)
 *   mq_prio.c    the priority tree
 *   mq_msg.c     messages: allocation, copies from and to userspace
 *
 * Locking: mq->lock (spinlock, process context only, always taken with
 * ramchan_mq_lock()) protects the messages, the priority tree, the waiter
 * lists, the counters and the eventfd pointer. It nests inside
 * chan->attach_lock (attach/detach). Under it we wake pollers and signal
 * the eventfd, which take their own locks, but never allocate, sleep, copy
 * from or to userspace, or free a message (kvfree() may sleep); sleeping
 * waiters are woken by ramchan_mq_unlock() once the lock is dropped.
 */
#ifndef RAMCHAN_MQ_H
#define RAMCHAN_MQ_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/ramchan.h>

#include "chan.h"

struct eventfd_ctx;
struct ramchan_ioctl_table;

/* Messages up to this size, header included, come from ramchan_mq_cache. */
#define RAMCHAN_MQ_SMALL_SIZE	256

/* Batch entries handled per lock hold, and kept on the stack. */
#define RAMCHAN_MQ_BATCH_CHUNK	16

/* Sleepers woken after the lock is dropped; more are woken under it. */
#define RAMCHAN_MQ_WAKE_MAX	RAMCHAN_MQ_BATCH_CHUNK

/**
 * struct ramchan_mq_message - one message
 * @next:	the next message of its priority's FIFO (mq->lock), or of a
 *		chain of messages being freed
 * @ref:	the queue's or the receiver's reference, plus peekers'
 * @len:	payload bytes
 * @prio:	priority
 * @cached:	from ramchan_mq_cache, else kvmalloc()
 * @data:	the payload; the only part copied from and to userspace
 */
struct ramchan_mq_message {
	struct ramchan_mq_message *next;
	refcount_t ref;
	u32 len;
	u32 prio;
	bool cached;
	u8 data[] __aligned(8);
};

#define RAMCHAN_MQ_SMALL_PAYLOAD \
	(RAMCHAN_MQ_SMALL_SIZE - offsetof(struct ramchan_mq_message, data))

/**
 * struct ramchan_mq_prio - the messages of one priority
 * @rb:		in mq->tree, keyed by @prio, highest first (mq->lock)
 * @head:	its oldest message; never NULL while in the tree (mq->lock)
 * @tail:	its newest message (mq->lock)
 * @prio:	the priority
 */
struct ramchan_mq_prio {
	struct rb_node rb;
	struct ramchan_mq_message *head;
	struct ramchan_mq_message *tail;
	u32 prio;
};

/* struct ramchan_mq_waiter.state */
enum {
	RAMCHAN_MQ_WAITING,	/* queued, maybe spinning: no wakeup needed */
	RAMCHAN_MQ_SLEEPING,	/* queued and may sleep: wake_up_process() */
	RAMCHAN_MQ_READY,	/* done: message handed over or taken */
	RAMCHAN_MQ_RETRY,	/* dequeued without a result: look again */
};

/**
 * struct ramchan_mq_waiter - a task waiting in send or receive (its stack)
 * @node:	in mq->receivers or mq->senders (mq->lock)
 * @task:	the waiting task
 * @msg:	sender: its message, taken over when READY;
 *		receiver: the message handed to it, valid when READY
 * @prio_node:	sender: a spare priority node for the receiver that
 *		queues @msg; NULL when that receiver used it
 * @cap:	receiver: capacity of its buffer
 * @sender:	on mq->senders
 * @peek:	receiver: peeking, never handed a message
 * @state:	RAMCHAN_MQ_*; READY/RETRY are stored, with release semantics,
 *		by the completer after it dequeued the waiter
 */
struct ramchan_mq_waiter {
	struct list_head node;
	struct task_struct *task;
	struct ramchan_mq_message *msg;
	struct ramchan_mq_prio *prio_node;
	u32 cap;
	bool sender;
	bool peek;
	atomic_t state;
};

/**
 * struct ramchan_mq - a message queue channel
 * @chan:	the common channel part
 * @depth:	most messages queued (fixed)
 * @msg_size:	largest message (fixed)
 * @overflow:	RAMCHAN_MQ_OVERFLOW_* (fixed)
 * @spin_us:	default busy-poll budget (READ_ONCE; written under @lock)
 * @lock:	protects everything below
 * @tree:	priority nodes, highest priority leftmost (cached)
 * @spare_prio:	a node kept for the next new priority, or NULL
 * @receivers:	waiting receivers, first come first served
 * @senders:	waiting senders (the queue is full), likewise
 * @senders_gone: the last producer file was closed (cleared on attach)
 * @receivers_gone: the last consumer file was closed, likewise
 * @count:	messages queued
 * @bytes:	payload bytes queued
 * @receivers_waiting: entries of @receivers
 * @senders_waiting: entries of @senders
 * @msgs_in:	messages sent since creation (queued or handed over)
 * @msgs_out:	messages received since creation
 * @bytes_in:	payload bytes sent since creation
 * @bytes_out:	payload bytes received since creation
 * @drops:	messages discarded by RAMCHAN_MQ_OVERFLOW_DROP_OLDEST
 * @rejects:	sends refused by RAMCHAN_MQ_OVERFLOW_REJECT
 * @handoffs:	messages given to a waiting receiver without queueing
 * @high_water:	most messages ever queued
 * @eventfd:	signalled when a message enters the empty queue, or NULL
 * @wake:	tasks to wake once @lock is dropped (see ramchan_mq_unlock())
 * @nr_wake:	entries of @wake
 * @readable:	pollers of consumer files
 * @writable:	pollers of producer files
 */
struct ramchan_mq {
	struct ramchan_chan chan;
	u32 depth;
	u32 msg_size;
	u32 overflow;
	u32 spin_us;

	spinlock_t lock;	/* protects everything below */
	struct rb_root_cached tree;
	struct ramchan_mq_prio *spare_prio;
	struct list_head receivers;
	struct list_head senders;
	bool senders_gone;
	bool receivers_gone;
	u32 count;
	u64 bytes;
	u32 receivers_waiting;
	u32 senders_waiting;
	u64 msgs_in;
	u64 msgs_out;
	u64 bytes_in;
	u64 bytes_out;
	u64 drops;
	u64 rejects;
	u64 handoffs;
	u32 high_water;
	struct eventfd_ctx *eventfd;
	struct task_struct *wake[RAMCHAN_MQ_WAKE_MAX];
	unsigned int nr_wake;

	wait_queue_head_t readable;
	wait_queue_head_t writable;
};

/* How one call waits: from its flags, the file and the queue. */
struct ramchan_mq_call {
	bool nonblock;
	u64 spin_ns;
	u64 deadline_ns;
};

static inline struct ramchan_mq *ramchan_chan_mq(struct ramchan_chan *chan)
{
	return container_of(chan, struct ramchan_mq, chan);
}

static inline struct ramchan_mq *ramchan_file_mq(struct file *file)
{
	return ramchan_chan_mq(ramchan_file_chan(file));
}

/* mq_msg.c */
int ramchan_mq_cost(u64 depth, u64 msg_size, u64 *cost);
int ramchan_mq_msg_init(void);
void ramchan_mq_msg_exit(void);
struct ramchan_mq_message *ramchan_mq_msg_new(u64 ubuf, u32 len, u32 prio);
unsigned int ramchan_mq_msg_alloc_small(void **small, unsigned int n);
int ramchan_mq_msg_copy_in(struct ramchan_mq_message *msg, bool cached,
			   u64 ubuf, u32 len, u32 prio);
int ramchan_mq_msg_copy_out(u64 ubuf, const struct ramchan_mq_message *msg);
void ramchan_mq_msg_put(struct ramchan_mq_message *msg);
void ramchan_mq_msg_put_many(struct ramchan_mq_message **msgs,
			     unsigned int n);
void ramchan_mq_msg_put_chain(struct ramchan_mq_message *msg);

/* mq_prio.c */
struct ramchan_mq_prio *ramchan_mq_prio_get_locked(struct ramchan_mq *mq,
						   u32 prio,
						   struct ramchan_mq_prio **spare);
bool ramchan_mq_prio_available_locked(struct ramchan_mq *mq, u32 prio,
				      struct ramchan_mq_prio *spare);
struct ramchan_mq_prio *ramchan_mq_prio_highest(struct ramchan_mq *mq);
struct ramchan_mq_prio *ramchan_mq_prio_lowest(struct ramchan_mq *mq);
struct ramchan_mq_message *ramchan_mq_remove_locked(struct ramchan_mq *mq,
						    struct ramchan_mq_prio *node);
void ramchan_mq_prio_destroy(struct ramchan_mq *mq);

/* mq_wait.c */
int ramchan_mq_call_init(struct ramchan_mq_call *call, struct file *file,
			 struct ramchan_mq *mq, u32 flags, u32 spin_us,
			 u64 deadline_ns);
void ramchan_mq_lock(struct ramchan_mq *mq)
	__acquires(RCU) __acquires(&mq->lock);
void ramchan_mq_unlock(struct ramchan_mq *mq)
	__releases(&mq->lock) __releases(RCU);
void ramchan_mq_waiter_add_locked(struct ramchan_mq *mq,
				  struct ramchan_mq_waiter *w);
void ramchan_mq_waiter_complete_locked(struct ramchan_mq *mq,
				       struct ramchan_mq_waiter *w, int state);
void ramchan_mq_retry_all_locked(struct ramchan_mq *mq,
				 struct list_head *list);
int ramchan_mq_wait(struct ramchan_mq_waiter *w,
		    const struct ramchan_mq_call *call);
int ramchan_mq_waiter_finish_locked(struct ramchan_mq *mq,
				    struct ramchan_mq_waiter *w, int ret);

/* mq_queue.c */
int ramchan_mq_enqueue_locked(struct ramchan_mq *mq,
			      struct ramchan_mq_message *msg,
			      struct ramchan_mq_prio **spare);
int ramchan_mq_send_locked(struct ramchan_mq *mq,
			   struct ramchan_mq_message *msg,
			   const struct ramchan_mq_call *call,
			   struct ramchan_mq_prio **spare,
			   struct ramchan_mq_message **victims);
int ramchan_mq_recv_locked(struct ramchan_mq *mq, u32 cap, bool peek,
			   const struct ramchan_mq_call *call,
			   struct ramchan_mq_message **msgp);

/* mq_batch.c */
int ramchan_mq_vec_check(const struct ramchan_mq_vec *vec, u32 msg_size);
long ramchan_mq_send_batch_ioctl(struct file *file, void *arg);
long ramchan_mq_recv_batch_ioctl(struct file *file, void *arg);

/* mq_file.c */
void ramchan_mq_setup(struct ramchan_mq *mq, u32 depth, u32 msg_size,
		      u32 overflow, u32 spin_us);
long ramchan_mq_create(struct file *ctl, const struct ramchan_create *args,
		       const char *name);
int ramchan_mq_init(void);
void ramchan_mq_exit(void);
extern const struct ramchan_ioctl_table ramchan_mq_ioctl_table;

#endif /* RAMCHAN_MQ_H */
