// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan message queues: discrete messages copied through the kernel,
 * POSIX mq semantics and more, through ioctls on the channel fd.
 *
 * Userspace (uapi/linux/ramchan.h has the details):
 *
 *	struct ramchan_create c = { .kind = RAMCHAN_KIND_MQ,
 *				    .size = 8192, .mq_depth = 64 };
 *	q = ioctl(ctl, RAMCHAN_IOC_CREATE, &c);
 *	ioctl(q, RAMCHAN_IOC_MQ_SEND, &(struct ramchan_mq_msg){ ... });
 *	len = ioctl(q, RAMCHAN_IOC_MQ_RECV, &msg);
 *	ioctl(q, RAMCHAN_IOC_MQ_SEND_BATCH / _RECV_BATCH, &batch);
 *
 * Messages wait in an rbtree of priorities, one FIFO list per priority
 * (ipc/mqueue.c's layout); a receive takes the oldest message of the
 * highest priority. A message is allocated and copied in before the queue
 * lock is taken, and copied out after it is released.
 *
 * Waiting, in the manner of ipc/mqueue.c's pipelined send and receive: a
 * task that must wait puts a struct ramchan_mq_waiter on the queue's
 * receiver or sender list and drops the lock. A sender that finds a
 * receiver waiting gives it the message directly; a receiver that takes a
 * message from a full queue moves the first waiting sender's message into
 * the freed slot. Either way the waiter is completed without taking the
 * lock again: the other side stores the result, then sets w->state to
 * READY (or RETRY: look again, e.g. the peer is gone). A waiter first
 * polls w->state for its spin budget (the bounded busy-poll: a hand-off
 * meanwhile costs no wakeup at all), then announces that it sleeps with a
 * cmpxchg WAITING -> SLEEPING; the completer's xchg returns the old state
 * and it calls wake_up_process() only for a SLEEPING waiter.
 *
 * Locking: mq->lock (spinlock, process context only, always taken with
 * ramchan_mq_lock()) protects the messages, the priority tree, the waiter
 * lists, the counters and the eventfd pointer. It nests inside
 * chan->attach_lock (attach/detach). Under it we wake pollers and signal
 * the eventfd, which take their own locks, but never allocate, sleep, copy
 * from or to userspace, or free a message (kvfree() may sleep); sleeping
 * waiters are woken by ramchan_mq_unlock() once the lock is dropped.
 * ramchan_mq_charge_lock (mutex) protects the per-user RLIMIT_MSGQUEUE
 * accounting.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "ramchan.h"

static uint mq_max_depth = 65536;
module_param(mq_max_depth, uint, 0444);
MODULE_PARM_DESC(mq_max_depth,
		 "Most messages a queue may hold (default 65536)");

static uint mq_max_msg_size = 1 << 20;
module_param(mq_max_msg_size, uint, 0444);
MODULE_PARM_DESC(mq_max_msg_size,
		 "Largest message size a queue may allow, bytes (default 1 MiB)");

static uint mq_max_spin_us = 10000;
module_param(mq_max_spin_us, uint, 0444);
MODULE_PARM_DESC(mq_max_spin_us,
		 "Largest busy-poll budget in microseconds (default 10000)");

static uint mq_max_batch = 1024;
module_param(mq_max_batch, uint, 0444);
MODULE_PARM_DESC(mq_max_batch,
		 "Most messages one batched send or receive may carry (default 1024)");

/* Largest value of a module parameter above: no overflow in any sum. */
#define RAMCHAN_MQ_PARAM_MAX	SZ_1G

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
 * @rb:		in mq->tree, keyed by @prio (mq->lock)
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
 * @charged_uid: user charged @charged bytes against RLIMIT_MSGQUEUE (fixed)
 * @charged:	bytes charged, 0 until the charge succeeded
 * @spin_us:	default busy-poll budget (READ_ONCE; written under @lock)
 * @lock:	protects everything below
 * @tree:	priority nodes by priority
 * @highest:	the rightmost node of @tree, NULL when empty
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
	kuid_t charged_uid;
	u64 charged;
	u32 spin_us;

	spinlock_t lock;	/* protects everything below */
	struct rb_root tree;
	struct ramchan_mq_prio *highest;
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

static struct kmem_cache *ramchan_mq_cache;

/* Bytes charged per user id against RLIMIT_MSGQUEUE, as xarray values. */
static DEFINE_MUTEX(ramchan_mq_charge_lock);
static DEFINE_XARRAY(ramchan_mq_charges);

static struct ramchan_mq *ramchan_chan_mq(struct ramchan_chan *chan)
{
	return container_of(chan, struct ramchan_mq, chan);
}

static struct ramchan_mq *ramchan_file_mq(struct file *file)
{
	return ramchan_chan_mq(ramchan_file_chan(file));
}

static unsigned int ramchan_mq_file_role(struct file *file)
{
	return ((struct ramchan_file *)file->private_data)->role;
}

/*
 * Every hold of mq->lock is inside an RCU read-side section, so that a
 * waiter completed under the lock can be woken after the lock is dropped
 * (as ipc/mqueue.c does with a wake_q): once completed it may return and
 * its task exit, but the task_struct is freed only after a grace period
 * (the rcuwait_wake_up() argument).
 */
static void ramchan_mq_lock(struct ramchan_mq *mq)
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

static void ramchan_mq_unlock(struct ramchan_mq *mq)
	__releases(&mq->lock) __releases(RCU)
{
	if (mq->nr_wake) {
		ramchan_mq_unlock_wake(mq);
		return;
	}
	spin_unlock(&mq->lock);
	rcu_read_unlock();
}

/* ---- messages ----------------------------------------------------------- */

static void ramchan_mq_msg_free(struct ramchan_mq_message *msg)
{
	if (msg->cached)
		kmem_cache_free(ramchan_mq_cache, msg);
	else
		kvfree(msg);
}

/*
 * Copy a small payload in by words inside one user access window: the
 * read-side twin of x86's unsafe_copy_to_user() loop, for the payloads of
 * ramchan_mq_cache objects (the bound the hardened usercopy check would
 * verify is RAMCHAN_MQ_SMALL_PAYLOAD). Arches without cheap unaligned
 * access use copy_from_user().
 */
static int ramchan_mq_copy_small_in(u8 *dst, const u8 __user *src, u32 len)
{
	if (!IS_ENABLED(CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS))
		return copy_from_user(dst, src, len) ? -EFAULT : 0;
	if (!user_read_access_begin(src, len))
		return -EFAULT;
	for (; len >= 8; dst += 8, src += 8, len -= 8)
		unsafe_get_user(*(u64 *)dst, (const u64 __user *)src, efault);
	if (len >= 4) {
		unsafe_get_user(*(u32 *)dst, (const u32 __user *)src, efault);
		dst += 4;
		src += 4;
		len -= 4;
	}
	for (; len; dst++, src++, len--)
		unsafe_get_user(*dst, src, efault);
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

/* Set up @msg (allocated for @len bytes) and copy its payload in. */
static int ramchan_mq_msg_copy_in(struct ramchan_mq_message *msg, bool cached,
				  u64 ubuf, u32 len, u32 prio)
{
	void __user *src = u64_to_user_ptr(ubuf);
	int err;

	msg->cached = cached;
	msg->len = len;
	msg->prio = prio;
	refcount_set(&msg->ref, 1);
	if (cached)
		err = ramchan_mq_copy_small_in(msg->data, src, len);
	else
		err = copy_from_user(msg->data, src, len) ? -EFAULT : 0;
	if (err)
		ramchan_mq_msg_free(msg);
	return err;
}

/* A message of @len bytes copied from @ubuf. Never called under mq->lock. */
static struct ramchan_mq_message *ramchan_mq_msg_new(u64 ubuf, u32 len,
						     u32 prio)
{
	struct ramchan_mq_message *msg;
	bool cached = len <= RAMCHAN_MQ_SMALL_PAYLOAD;
	int err;

	if (cached)
		msg = kmem_cache_alloc(ramchan_mq_cache, GFP_KERNEL_ACCOUNT);
	else
		msg = kvmalloc(struct_size(msg, data, len), GFP_KERNEL_ACCOUNT);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	err = ramchan_mq_msg_copy_in(msg, cached, ubuf, len, prio);
	return err ? ERR_PTR(err) : msg;
}

/*
 * Copy a message's payload out. A small one moves in words inside one
 * user access window, as filldir() does: @msg->len never exceeds its
 * allocation, which is what the hardened usercopy check would verify.
 */
static int ramchan_mq_msg_copy_out(u64 ubuf,
				   const struct ramchan_mq_message *msg)
{
	void __user *dst = u64_to_user_ptr(ubuf);

	if (!msg->cached)
		return copy_to_user(dst, msg->data, msg->len) ? -EFAULT : 0;
	if (!user_write_access_begin(dst, msg->len))
		return -EFAULT;
	unsafe_copy_to_user(dst, msg->data, msg->len, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/* Drop a reference; may sleep (kvfree), so never under mq->lock. */
static void ramchan_mq_msg_put(struct ramchan_mq_message *msg)
{
	if (refcount_dec_and_test(&msg->ref))
		ramchan_mq_msg_free(msg);
}

/* Put up to RAMCHAN_MQ_BATCH_CHUNK messages (NULLs skipped), in bulk. */
static void ramchan_mq_msg_put_many(struct ramchan_mq_message **msgs,
				    unsigned int n)
{
	void *small[RAMCHAN_MQ_BATCH_CHUNK];
	unsigned int i, nr = 0;

	if (WARN_ON_ONCE(n > RAMCHAN_MQ_BATCH_CHUNK))
		return;
	for (i = 0; i < n; i++) {
		if (!msgs[i] || !refcount_dec_and_test(&msgs[i]->ref))
			continue;
		if (msgs[i]->cached)
			small[nr++] = msgs[i];
		else
			kvfree(msgs[i]);
	}
	if (nr)
		kmem_cache_free_bulk(ramchan_mq_cache, nr, small);
}

/* Put a chain of messages linked by @next. */
static void ramchan_mq_msg_put_chain(struct ramchan_mq_message *msg)
{
	struct ramchan_mq_message *next;

	for (; msg; msg = next) {
		next = msg->next;
		ramchan_mq_msg_put(msg);
	}
}

/* ---- the priority tree -------------------------------------------------- */

/*
 * The node of @prio, added to the tree if needed from mq->spare_prio or
 * *@spare. Return: NULL when a node must be added and none is at hand.
 */
static struct ramchan_mq_prio *
ramchan_mq_prio_get_locked(struct ramchan_mq *mq, u32 prio,
			   struct ramchan_mq_prio **spare)
{
	struct rb_node **link = &mq->tree.rb_node, *parent = NULL;
	struct ramchan_mq_prio *node;

	lockdep_assert_held(&mq->lock);
	if (mq->highest && mq->highest->prio == prio)
		return mq->highest;
	while (*link) {
		parent = *link;
		node = rb_entry(parent, struct ramchan_mq_prio, rb);
		if (prio == node->prio)
			return node;
		link = prio < node->prio ? &parent->rb_left :
					   &parent->rb_right;
	}
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
	rb_link_node(&node->rb, parent, link);
	rb_insert_color(&node->rb, &mq->tree);
	if (!mq->highest || prio > mq->highest->prio)
		mq->highest = node;
	return node;
}

/* Could a message of @prio be queued without allocating? */
static bool ramchan_mq_prio_available_locked(struct ramchan_mq *mq, u32 prio,
					     struct ramchan_mq_prio *spare)
{
	struct rb_node *rb = mq->tree.rb_node;
	struct ramchan_mq_prio *node;

	lockdep_assert_held(&mq->lock);
	if (spare || mq->spare_prio)
		return true;
	while (rb) {
		node = rb_entry(rb, struct ramchan_mq_prio, rb);
		if (prio == node->prio)
			return true;
		rb = prio < node->prio ? rb->rb_left : rb->rb_right;
	}
	return false;
}

/* Remove the oldest message of @node, and @node when it empties. */
static struct ramchan_mq_message *
ramchan_mq_remove_locked(struct ramchan_mq *mq, struct ramchan_mq_prio *node)
{
	struct ramchan_mq_message *msg;
	struct rb_node *prev;

	lockdep_assert_held(&mq->lock);
	msg = node->head;
	node->head = msg->next;
	if (!node->head) {
		if (node == mq->highest) {
			prev = rb_prev(&node->rb);
			mq->highest = prev ? rb_entry(prev, struct ramchan_mq_prio,
						      rb) : NULL;
		}
		rb_erase(&node->rb, &mq->tree);
		if (!mq->spare_prio)
			mq->spare_prio = node;
		else
			kfree(node);
	}
	mq->count--;
	mq->bytes -= msg->len;
	return msg;
}

/* ---- waiters ------------------------------------------------------------ */

static void ramchan_mq_waiter_add_locked(struct ramchan_mq *mq,
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
static void ramchan_mq_waiter_complete_locked(struct ramchan_mq *mq,
					      struct ramchan_mq_waiter *w,
					      int state)
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

static void ramchan_mq_retry_all_locked(struct ramchan_mq *mq,
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
static int ramchan_mq_wait(struct ramchan_mq_waiter *w,
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
static int ramchan_mq_waiter_finish_locked(struct ramchan_mq *mq,
					   struct ramchan_mq_waiter *w,
					   int ret)
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

/* ---- send and receive --------------------------------------------------- */

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
static int ramchan_mq_enqueue_locked(struct ramchan_mq *mq,
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

	msg = ramchan_mq_remove_locked(mq, mq->highest);
	mq->msgs_out++;
	mq->bytes_out += msg->len;

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
static int ramchan_mq_send_locked(struct ramchan_mq *mq,
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
			return -EAGAIN;
		} else if (mq->overflow == RAMCHAN_MQ_OVERFLOW_DROP_OLDEST) {
			/* Drop only when @msg can then be queued. */
			if (ramchan_mq_prio_available_locked(mq, msg->prio,
							     *spare)) {
				lowest = rb_entry(rb_first(&mq->tree),
						  struct ramchan_mq_prio, rb);
				victim = ramchan_mq_remove_locked(mq, lowest);
				victim->next = *victims;
				*victims = victim;
				mq->drops++;
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
static int ramchan_mq_recv_locked(struct ramchan_mq *mq, u32 cap, bool peek,
				  const struct ramchan_mq_call *call,
				  struct ramchan_mq_message **msgp)
{
	struct ramchan_mq_waiter w = { .cap = cap, .peek = peek };
	struct ramchan_mq_message *head;
	int ret;

	lockdep_assert_held(&mq->lock);
	for (;;) {
		if (mq->count) {
			head = mq->highest->head;
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

/* ---- ioctls ------------------------------------------------------------- */

static int ramchan_mq_call_init(struct ramchan_mq_call *call,
				struct file *file, struct ramchan_mq *mq,
				u32 flags, u32 spin_us, u64 deadline_ns)
{
	if (flags & RAMCHAN_MQ_SPIN ? spin_us > mq_max_spin_us : spin_us)
		return -EINVAL;
	if (!(flags & RAMCHAN_MQ_SPIN))
		spin_us = READ_ONCE(mq->spin_us);
	call->nonblock = (flags & RAMCHAN_MQ_NONBLOCK) ||
			 (READ_ONCE(file->f_flags) & O_NONBLOCK);
	call->spin_ns = (u64)spin_us * NSEC_PER_USEC;
	call->deadline_ns = deadline_ns;
	return 0;
}

static long ramchan_mq_send_ioctl(struct file *file, void *arg)
{
	struct ramchan_mq *mq = ramchan_file_mq(file);
	struct ramchan_mq_msg *m = arg;
	struct ramchan_mq_prio *spare = NULL;
	struct ramchan_mq_message *msg;
	struct ramchan_mq_message *victims = NULL;
	struct ramchan_mq_call call;
	int ret;

	if (m->flags & ~(RAMCHAN_MQ_NONBLOCK | RAMCHAN_MQ_SPIN) ||
	    m->reserved || m->prio >= RAMCHAN_MQ_PRIO_MAX)
		return -EINVAL;
	ret = ramchan_mq_call_init(&call, file, mq, m->flags, m->spin_us,
				   m->deadline_ns);
	if (ret)
		return ret;
	if (!(ramchan_mq_file_role(file) & RAMCHAN_ROLE_PRODUCER))
		return -EBADF;
	if (m->len > mq->msg_size)
		return -EMSGSIZE;

	msg = ramchan_mq_msg_new(m->buf, m->len, m->prio);
	if (IS_ERR(msg))
		return PTR_ERR(msg);

	ramchan_mq_lock(mq);
	ret = ramchan_mq_send_locked(mq, msg, &call, &spare, &victims);
	ramchan_mq_unlock(mq);

	if (ret)
		ramchan_mq_msg_put(msg);
	ramchan_mq_msg_put_chain(victims);
	kfree(spare);
	return ret;
}

static long ramchan_mq_recv_ioctl(struct file *file, void *arg)
{
	struct ramchan_mq *mq = ramchan_file_mq(file);
	struct ramchan_mq_msg *m = arg;
	struct ramchan_mq_message *msg;
	struct ramchan_mq_call call;
	long ret;

	if (m->flags & ~(RAMCHAN_MQ_NONBLOCK | RAMCHAN_MQ_SPIN |
			 RAMCHAN_MQ_PEEK) || m->reserved)
		return -EINVAL;
	ret = ramchan_mq_call_init(&call, file, mq, m->flags, m->spin_us,
				   m->deadline_ns);
	if (ret)
		return ret;
	if (!(ramchan_mq_file_role(file) & RAMCHAN_ROLE_CONSUMER))
		return -EBADF;

	ramchan_mq_lock(mq);
	ret = ramchan_mq_recv_locked(mq, m->len, m->flags & RAMCHAN_MQ_PEEK,
				     &call, &msg);
	ramchan_mq_unlock(mq);
	if (ret)
		return ret;

	m->len = msg->len;
	m->prio = msg->prio;
	ret = msg->len;
	if (ramchan_mq_msg_copy_out(m->buf, msg))
		ret = -EFAULT;	/* lost, as with mq_timedreceive() */
	ramchan_mq_msg_put(msg);
	return ret;
}

static int ramchan_mq_batch_check(struct file *file, struct ramchan_mq *mq,
				  const struct ramchan_mq_batch *b,
				  struct ramchan_mq_call *call)
{
	if (b->flags & ~(RAMCHAN_MQ_NONBLOCK | RAMCHAN_MQ_SPIN) ||
	    b->reserved || !b->count || b->count > mq_max_batch)
		return -EINVAL;
	return ramchan_mq_call_init(call, file, mq, b->flags, b->spin_us,
				    b->deadline_ns);
}

/*
 * Batch entries are read and written field by field inside one user access
 * window: only the outputs go back, and small fixed-size moves beat a
 * generic copy for 24-byte entries.
 */
static int ramchan_mq_vec_read(struct ramchan_mq_vec *vec,
			       const struct ramchan_mq_vec __user *uvec,
			       unsigned int n)
{
	unsigned int i;

	if (!user_read_access_begin(uvec, n * sizeof(*uvec)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_get_user(vec[i].buf, &uvec[i].buf, efault);
		unsafe_get_user(vec[i].len, &uvec[i].len, efault);
		unsafe_get_user(vec[i].prio, &uvec[i].prio, efault);
		unsafe_get_user(vec[i].reserved, &uvec[i].reserved, efault);
		vec[i].error = 0;
	}
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

/* Write back @error of each entry, and with @received @len and @prio. */
static int ramchan_mq_vec_write(struct ramchan_mq_vec __user *uvec,
				const struct ramchan_mq_vec *vec,
				unsigned int n, bool received)
{
	unsigned int i;

	if (!user_write_access_begin(uvec, n * sizeof(*uvec)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		if (received) {
			unsafe_put_user(vec[i].len, &uvec[i].len, efault);
			unsafe_put_user(vec[i].prio, &uvec[i].prio, efault);
		}
		unsafe_put_user(vec[i].error, &uvec[i].error, efault);
	}
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/*
 * Check and copy in the messages of @n entries of a send batch, the small
 * ones allocated with one bulk call. An entry that fails gets its error
 * and a NULL message.
 */
static void ramchan_mq_batch_msgs_new(struct ramchan_mq *mq,
				      struct ramchan_mq_vec *vec,
				      struct ramchan_mq_message **msgs,
				      unsigned int n)
{
	void *small[RAMCHAN_MQ_BATCH_CHUNK];
	unsigned int i, nr_small = 0, got = 0, next = 0;
	struct ramchan_mq_message *msg;
	bool cached;

	for (i = 0; i < n; i++) {
		msgs[i] = NULL;
		if (vec[i].reserved || vec[i].prio >= RAMCHAN_MQ_PRIO_MAX)
			vec[i].error = EINVAL;
		else if (vec[i].len > mq->msg_size)
			vec[i].error = EMSGSIZE;
		else if (vec[i].len <= RAMCHAN_MQ_SMALL_PAYLOAD)
			nr_small++;
	}
	if (nr_small)
		got = kmem_cache_alloc_bulk(ramchan_mq_cache,
					    GFP_KERNEL_ACCOUNT, nr_small,
					    small);
	for (i = 0; i < n; i++) {
		if (vec[i].error)
			continue;
		cached = vec[i].len <= RAMCHAN_MQ_SMALL_PAYLOAD;
		if (cached && next < got) {
			msg = small[next++];
			vec[i].error = -ramchan_mq_msg_copy_in(msg, true,
							       vec[i].buf,
							       vec[i].len,
							       vec[i].prio);
		} else {
			msg = ramchan_mq_msg_new(vec[i].buf, vec[i].len,
						 vec[i].prio);
			vec[i].error = IS_ERR(msg) ? -PTR_ERR(msg) : 0;
		}
		if (!vec[i].error)
			msgs[i] = msg;
	}
}

static long ramchan_mq_send_batch_ioctl(struct file *file, void *arg)
{
	struct ramchan_mq_message *msgs[RAMCHAN_MQ_BATCH_CHUNK];
	struct ramchan_mq_vec vec[RAMCHAN_MQ_BATCH_CHUNK];
	struct ramchan_mq *mq = ramchan_file_mq(file);
	struct ramchan_mq_batch *b = arg;
	struct ramchan_mq_vec __user *uvec = u64_to_user_ptr(b->vec);
	struct ramchan_mq_prio *spare = NULL;
	struct ramchan_mq_call call;
	struct ramchan_mq_message *victims = NULL;
	unsigned int n, sent;
	int ret;

	ret = ramchan_mq_batch_check(file, mq, b, &call);
	if (ret)
		return ret;
	if (!(ramchan_mq_file_role(file) & RAMCHAN_ROLE_PRODUCER))
		return -EBADF;

	b->done = 0;
	while (!ret && b->done < b->count) {
		n = min_t(unsigned int, b->count - b->done,
			  RAMCHAN_MQ_BATCH_CHUNK);
		ret = ramchan_mq_vec_read(vec, uvec + b->done, n);
		if (ret)
			break;
		ramchan_mq_batch_msgs_new(mq, vec, msgs, n);

		ramchan_mq_lock(mq);
		for (sent = 0; sent < n; sent++) {
			if (!msgs[sent])
				continue;
			ret = ramchan_mq_send_locked(mq, msgs[sent], &call,
						     &spare, &victims);
			if (ret)
				break;
			msgs[sent] = NULL;
		}
		ramchan_mq_unlock(mq);

		ramchan_mq_msg_put_many(msgs + sent, n - sent);
		ramchan_mq_msg_put_chain(victims);
		victims = NULL;
		if (sent && ramchan_mq_vec_write(uvec + b->done, vec, sent,
						 false)) {
			ret = -EFAULT;
			break;
		}
		b->done += sent;
	}
	kfree(spare);
	return b->done ?: ret;
}

static long ramchan_mq_recv_batch_ioctl(struct file *file, void *arg)
{
	struct ramchan_mq_message *msgs[RAMCHAN_MQ_BATCH_CHUNK];
	struct ramchan_mq_vec vec[RAMCHAN_MQ_BATCH_CHUNK];
	struct ramchan_mq *mq = ramchan_file_mq(file);
	struct ramchan_mq_batch *b = arg;
	struct ramchan_mq_vec __user *uvec = u64_to_user_ptr(b->vec);
	struct ramchan_mq_call call;
	unsigned int n, i, got, stop;
	int ret;

	ret = ramchan_mq_batch_check(file, mq, b, &call);
	if (ret)
		return ret;
	if (!(ramchan_mq_file_role(file) & RAMCHAN_ROLE_CONSUMER))
		return -EBADF;

	b->done = 0;
	while (!ret && b->done < b->count) {
		n = min_t(unsigned int, b->count - b->done,
			  RAMCHAN_MQ_BATCH_CHUNK);
		ret = ramchan_mq_vec_read(vec, uvec + b->done, n);
		if (ret)
			break;

		/* Wait for the first message only. */
		ramchan_mq_lock(mq);
		for (got = 0; got < n; got++) {
			msgs[got] = NULL;
			if (vec[got].reserved) {
				vec[got].error = EINVAL;
				continue;
			}
			ret = ramchan_mq_recv_locked(mq, vec[got].len, false,
						     &call, &msgs[got]);
			if (ret)
				break;
			call.nonblock = true;
		}
		ramchan_mq_unlock(mq);

		for (i = 0; i < got; i++) {
			if (!msgs[i])
				continue;
			vec[i].len = msgs[i]->len;
			vec[i].prio = msgs[i]->prio;
			if (ramchan_mq_msg_copy_out(vec[i].buf, msgs[i]))
				vec[i].error = EFAULT;
		}
		ramchan_mq_msg_put_many(msgs, got);
		/* An entry too small for the next message reports it too. */
		stop = got;
		if (ret == -EMSGSIZE)
			vec[stop++].error = EMSGSIZE;
		if (stop && ramchan_mq_vec_write(uvec + b->done, vec, stop,
						 true)) {
			ret = -EFAULT;
			break;
		}
		b->done += got;
	}
	if (b->done)
		return b->done;
	/* Empty or gone after the first message are not errors. */
	return ret;
}

static void ramchan_mq_attr_fill(struct file *file, struct ramchan_mq *mq,
				 struct ramchan_mq_attr *a)
{
	memset(a, 0, sizeof(*a));
	if (READ_ONCE(file->f_flags) & O_NONBLOCK)
		a->flags |= RAMCHAN_MQ_ATTR_NONBLOCK;
	a->msg_size = mq->msg_size;
	a->depth = mq->depth;
	a->overflow = mq->overflow;
	a->spin_us = READ_ONCE(mq->spin_us);
	ramchan_mq_lock(mq);
	a->count = mq->count;
	a->bytes = mq->bytes;
	a->drops = mq->drops;
	a->rejects = mq->rejects;
	ramchan_mq_unlock(mq);
}

static long ramchan_mq_getattr_ioctl(struct file *file, void *arg)
{
	ramchan_mq_attr_fill(file, ramchan_file_mq(file), arg);
	return 0;
}

static long ramchan_mq_setattr_ioctl(struct file *file, void *arg)
{
	struct ramchan_mq *mq = ramchan_file_mq(file);
	struct ramchan_mq_attr *a = arg;
	u32 set = a->set, flags = a->flags, spin_us = a->spin_us;

	if (set & ~(RAMCHAN_MQ_SET_FLAGS | RAMCHAN_MQ_SET_SPIN))
		return -EINVAL;
	if (memchr_inv(a->reserved, 0, sizeof(a->reserved)))
		return -EINVAL;
	if ((set & RAMCHAN_MQ_SET_FLAGS) && (flags & ~RAMCHAN_MQ_ATTR_NONBLOCK))
		return -EINVAL;
	if ((set & RAMCHAN_MQ_SET_SPIN) && spin_us > mq_max_spin_us)
		return -EINVAL;

	ramchan_mq_attr_fill(file, mq, a);	/* returns the old values */
	if (set & RAMCHAN_MQ_SET_FLAGS) {
		spin_lock(&file->f_lock);
		if (flags & RAMCHAN_MQ_ATTR_NONBLOCK)
			file->f_flags |= O_NONBLOCK;
		else
			file->f_flags &= ~O_NONBLOCK;
		spin_unlock(&file->f_lock);
	}
	if (set & RAMCHAN_MQ_SET_SPIN) {
		ramchan_mq_lock(mq);
		WRITE_ONCE(mq->spin_us, spin_us);
		ramchan_mq_unlock(mq);
	}
	return 0;
}

static long ramchan_mq_notify_ioctl(struct file *file, void *arg)
{
	struct ramchan_mq *mq = ramchan_file_mq(file);
	struct ramchan_mq_notify *n = arg;
	struct eventfd_ctx *ctx, *old;

	if (n->flags & ~RAMCHAN_MQ_NOTIFY_CLEAR || n->reserved)
		return -EINVAL;
	if ((n->flags & RAMCHAN_MQ_NOTIFY_CLEAR) && n->fd)
		return -EINVAL;
	if (!(ramchan_mq_file_role(file) & RAMCHAN_ROLE_CONSUMER))
		return -EBADF;

	if (n->flags & RAMCHAN_MQ_NOTIFY_CLEAR) {
		ramchan_mq_lock(mq);
		old = mq->eventfd;
		mq->eventfd = NULL;
		ramchan_mq_unlock(mq);
		if (!old)
			return -ENOENT;
		eventfd_ctx_put(old);
		return 0;
	}

	ctx = eventfd_ctx_fdget(n->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ramchan_mq_lock(mq);
	old = mq->eventfd;
	if (!old)
		mq->eventfd = ctx;
	ramchan_mq_unlock(mq);
	if (old) {
		eventfd_ctx_put(ctx);
		return -EBUSY;
	}
	return 0;
}

static long ramchan_mq_dup_ioctl(struct file *file, void *arg)
{
	return ramchan_chan_dup(file, arg);
}

/* Channel-fd ioctls of a queue are numbered from DUP on. */
#define RAMCHAN_MQ_IOC_FIRST	_IOC_NR(RAMCHAN_IOC_DUP)

static const struct ramchan_ioctl_desc ramchan_mq_ioctls[] = {
	[_IOC_NR(RAMCHAN_IOC_DUP) - RAMCHAN_MQ_IOC_FIRST] = {
		.handler = ramchan_mq_dup_ioctl,
		.cmd = RAMCHAN_IOC_DUP,
		.min_size = sizeof(struct ramchan_dup),
	},
	[_IOC_NR(RAMCHAN_IOC_MQ_SEND) - RAMCHAN_MQ_IOC_FIRST] = {
		.handler = ramchan_mq_send_ioctl,
		.cmd = RAMCHAN_IOC_MQ_SEND,
		.min_size = RAMCHAN_MQ_MSG_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_MQ_RECV) - RAMCHAN_MQ_IOC_FIRST] = {
		.handler = ramchan_mq_recv_ioctl,
		.cmd = RAMCHAN_IOC_MQ_RECV,
		.min_size = RAMCHAN_MQ_MSG_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_MQ_SEND_BATCH) - RAMCHAN_MQ_IOC_FIRST] = {
		.handler = ramchan_mq_send_batch_ioctl,
		.cmd = RAMCHAN_IOC_MQ_SEND_BATCH,
		.min_size = RAMCHAN_MQ_BATCH_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_MQ_RECV_BATCH) - RAMCHAN_MQ_IOC_FIRST] = {
		.handler = ramchan_mq_recv_batch_ioctl,
		.cmd = RAMCHAN_IOC_MQ_RECV_BATCH,
		.min_size = RAMCHAN_MQ_BATCH_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_MQ_GETATTR) - RAMCHAN_MQ_IOC_FIRST] = {
		.handler = ramchan_mq_getattr_ioctl,
		.cmd = RAMCHAN_IOC_MQ_GETATTR,
		.min_size = RAMCHAN_MQ_ATTR_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_MQ_SETATTR) - RAMCHAN_MQ_IOC_FIRST] = {
		.handler = ramchan_mq_setattr_ioctl,
		.cmd = RAMCHAN_IOC_MQ_SETATTR,
		.min_size = RAMCHAN_MQ_ATTR_SIZE_VER0,
	},
	[_IOC_NR(RAMCHAN_IOC_MQ_NOTIFY) - RAMCHAN_MQ_IOC_FIRST] = {
		.handler = ramchan_mq_notify_ioctl,
		.cmd = RAMCHAN_IOC_MQ_NOTIFY,
		.min_size = sizeof(struct ramchan_mq_notify),
	},
};

static long ramchan_mq_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	return ramchan_ioctl_dispatch(file, cmd, arg, ramchan_mq_ioctls,
				      ARRAY_SIZE(ramchan_mq_ioctls),
				      RAMCHAN_MQ_IOC_FIRST);
}

static __poll_t ramchan_mq_poll(struct file *file, poll_table *pt)
{
	struct ramchan_mq *mq = ramchan_file_mq(file);
	unsigned int role = ramchan_mq_file_role(file);
	__poll_t mask = 0;

	if (role & RAMCHAN_ROLE_CONSUMER)
		poll_wait(file, &mq->readable, pt);
	if (role & RAMCHAN_ROLE_PRODUCER)
		poll_wait(file, &mq->writable, pt);

	/* Under the lock: see ramchan_mq_wake_writable_locked(). */
	ramchan_mq_lock(mq);
	if (role & RAMCHAN_ROLE_CONSUMER) {
		if (mq->count)
			mask |= EPOLLIN | EPOLLRDNORM;
		else if (mq->senders_gone)
			mask |= EPOLLHUP;
	}
	if (role & RAMCHAN_ROLE_PRODUCER) {
		if (mq->receivers_gone)
			mask |= EPOLLERR;
		else if (mq->count < mq->depth ||
			 mq->overflow == RAMCHAN_MQ_OVERFLOW_DROP_OLDEST)
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	ramchan_mq_unlock(mq);
	return mask;
}

static const struct file_operations ramchan_mq_fops = {
	.owner = THIS_MODULE,
	.release = ramchan_chan_release,
	.poll = ramchan_mq_poll,
	.unlocked_ioctl = ramchan_mq_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* ---- the channel kind --------------------------------------------------- */

/* Called with chan->attach_lock held, after the counts changed. */
static void ramchan_mq_attach(struct ramchan_chan *chan, unsigned int role)
{
	struct ramchan_mq *mq = ramchan_chan_mq(chan);

	ramchan_mq_lock(mq);
	if (role & RAMCHAN_ROLE_PRODUCER)
		mq->senders_gone = false;
	if (role & RAMCHAN_ROLE_CONSUMER)
		mq->receivers_gone = false;
	ramchan_mq_unlock(mq);
}

/* Peer loss: waiters of the other side look again and find it gone. */
static void ramchan_mq_detach(struct ramchan_chan *chan, unsigned int role)
{
	struct ramchan_mq *mq = ramchan_chan_mq(chan);

	ramchan_mq_lock(mq);
	if ((role & RAMCHAN_ROLE_PRODUCER) && !chan->producers) {
		mq->senders_gone = true;
		ramchan_mq_retry_all_locked(mq, &mq->receivers);
		wake_up_poll(&mq->readable, EPOLLHUP);
	}
	if ((role & RAMCHAN_ROLE_CONSUMER) && !chan->consumers) {
		mq->receivers_gone = true;
		ramchan_mq_retry_all_locked(mq, &mq->senders);
		wake_up_poll(&mq->writable, EPOLLERR);
	}
	ramchan_mq_unlock(mq);
}

static void ramchan_mq_uncharge(struct ramchan_mq *mq)
{
	unsigned long index = __kuid_val(mq->charged_uid);
	unsigned long cur;

	if (!mq->charged)
		return;
	mutex_lock(&ramchan_mq_charge_lock);
	cur = xa_to_value(xa_load(&ramchan_mq_charges, index));
	if (WARN_ON_ONCE(cur < mq->charged))
		cur = mq->charged;
	if (cur == mq->charged)
		xa_erase(&ramchan_mq_charges, index);
	else
		xa_store(&ramchan_mq_charges, index,
			 xa_mk_value(cur - mq->charged), GFP_KERNEL);
	mutex_unlock(&ramchan_mq_charge_lock);
	mq->charged = 0;
}

/*
 * Charge @bytes to the creator's real uid against its RLIMIT_MSGQUEUE,
 * as mq_open() does; CAP_SYS_RESOURCE may exceed the limit. The kernel's
 * own counter (ucounts) is not exported to modules, so we keep ours: it
 * covers ramchan queues only. Return: 0 or -EMFILE.
 */
static int ramchan_mq_charge(struct ramchan_mq *mq, u64 bytes)
{
	kuid_t uid = current_uid();
	unsigned long index = __kuid_val(uid);
	u64 limit = rlimit(RLIMIT_MSGQUEUE);
	u64 cur, total;
	void *old;

	mutex_lock(&ramchan_mq_charge_lock);
	cur = xa_to_value(xa_load(&ramchan_mq_charges, index) ?:
			  xa_mk_value(0));
	if (check_add_overflow(cur, bytes, &total) || total > LONG_MAX ||
	    (total > limit && !capable(CAP_SYS_RESOURCE))) {
		mutex_unlock(&ramchan_mq_charge_lock);
		return -EMFILE;
	}
	old = xa_store(&ramchan_mq_charges, index, xa_mk_value(total),
		       GFP_KERNEL);
	mutex_unlock(&ramchan_mq_charge_lock);
	if (xa_is_err(old))
		return xa_err(old);
	mq->charged_uid = uid;
	mq->charged = bytes;
	return 0;
}

static void ramchan_mq_destroy(struct ramchan_chan *chan)
{
	struct ramchan_mq *mq = ramchan_chan_mq(chan);
	struct ramchan_mq_prio *node;
	struct rb_node *rb;

	WARN_ON_ONCE(!list_empty(&mq->receivers) ||
		     !list_empty(&mq->senders));
	while ((rb = rb_first(&mq->tree))) {
		node = rb_entry(rb, struct ramchan_mq_prio, rb);
		ramchan_mq_msg_put_chain(node->head);
		rb_erase(rb, &mq->tree);
		kfree(node);
	}
	kfree(mq->spare_prio);
	if (mq->eventfd)
		eventfd_ctx_put(mq->eventfd);
	ramchan_mq_uncharge(mq);
	kfree(mq);
}

/* sysfs: /sys/kernel/ramchan/channel/<id>/, queue attributes */

static struct ramchan_mq *ramchan_kobj_mq(struct kobject *kobj)
{
	return ramchan_chan_mq(container_of(kobj, struct ramchan_chan, kobj));
}

#define RAMCHAN_MQ_ATTR(_name, _fmt, _expr)				\
static ssize_t mq_##_name##_show(struct kobject *kobj,			\
				 struct kobj_attribute *attr,		\
				 char *buf)				\
{									\
	struct ramchan_mq *mq = ramchan_kobj_mq(kobj);			\
									\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static struct kobj_attribute mq_##_name##_attr =			\
	__ATTR(_name, 0444, mq_##_name##_show, NULL)

static const char *const ramchan_mq_overflow_names[] = {
	[RAMCHAN_MQ_OVERFLOW_BLOCK] = "block",
	[RAMCHAN_MQ_OVERFLOW_REJECT] = "reject",
	[RAMCHAN_MQ_OVERFLOW_DROP_OLDEST] = "drop-oldest",
};

RAMCHAN_MQ_ATTR(depth, "%u", mq->depth);
RAMCHAN_MQ_ATTR(msg_size, "%u", mq->msg_size);
RAMCHAN_MQ_ATTR(overflow, "%s", ramchan_mq_overflow_names[mq->overflow]);
RAMCHAN_MQ_ATTR(spin_us, "%u", READ_ONCE(mq->spin_us));
RAMCHAN_MQ_ATTR(count, "%u", READ_ONCE(mq->count));
RAMCHAN_MQ_ATTR(bytes, "%llu", READ_ONCE(mq->bytes));
RAMCHAN_MQ_ATTR(msgs_in, "%llu", READ_ONCE(mq->msgs_in));
RAMCHAN_MQ_ATTR(msgs_out, "%llu", READ_ONCE(mq->msgs_out));
RAMCHAN_MQ_ATTR(bytes_in, "%llu", READ_ONCE(mq->bytes_in));
RAMCHAN_MQ_ATTR(bytes_out, "%llu", READ_ONCE(mq->bytes_out));
RAMCHAN_MQ_ATTR(drops, "%llu", READ_ONCE(mq->drops));
RAMCHAN_MQ_ATTR(rejects, "%llu", READ_ONCE(mq->rejects));
RAMCHAN_MQ_ATTR(handoffs, "%llu", READ_ONCE(mq->handoffs));
RAMCHAN_MQ_ATTR(senders_waiting, "%u", READ_ONCE(mq->senders_waiting));
RAMCHAN_MQ_ATTR(receivers_waiting, "%u", READ_ONCE(mq->receivers_waiting));
RAMCHAN_MQ_ATTR(high_water, "%u", READ_ONCE(mq->high_water));

static struct attribute *ramchan_mq_attrs[] = {
	&mq_depth_attr.attr,
	&mq_msg_size_attr.attr,
	&mq_overflow_attr.attr,
	&mq_spin_us_attr.attr,
	&mq_count_attr.attr,
	&mq_bytes_attr.attr,
	&mq_msgs_in_attr.attr,
	&mq_msgs_out_attr.attr,
	&mq_bytes_in_attr.attr,
	&mq_bytes_out_attr.attr,
	&mq_drops_attr.attr,
	&mq_rejects_attr.attr,
	&mq_handoffs_attr.attr,
	&mq_senders_waiting_attr.attr,
	&mq_receivers_waiting_attr.attr,
	&mq_high_water_attr.attr,
	NULL,
};

static const struct attribute_group ramchan_mq_attr_group = {
	.attrs = ramchan_mq_attrs,
};

static const struct ramchan_kind ramchan_mq_kind = {
	.name = "mq",
	.fops = &ramchan_mq_fops,
	.attrs = &ramchan_mq_attr_group,
	.attach = ramchan_mq_attach,
	.detach = ramchan_mq_detach,
	.destroy = ramchan_mq_destroy,
};

/*
 * Worst case of a full queue: @depth messages of @msg_size bytes, each with
 * its header, and a priority node each (at most RAMCHAN_MQ_PRIO_MAX).
 * Return: 0 with *@cost, or -EINVAL when it overflows.
 */
static int ramchan_mq_cost(u64 depth, u64 msg_size, u64 *cost)
{
	u64 per_msg, msgs, nodes;

	if (check_add_overflow(msg_size,
			       (u64)sizeof(struct ramchan_mq_message),
			       &per_msg) ||
	    check_mul_overflow(depth, per_msg, &msgs) ||
	    check_mul_overflow(min_t(u64, depth, RAMCHAN_MQ_PRIO_MAX),
			       (u64)sizeof(struct ramchan_mq_prio), &nodes) ||
	    check_add_overflow(msgs, nodes, cost))
		return -EINVAL;
	return 0;
}

/**
 * ramchan_mq_create - RAMCHAN_IOC_CREATE for RAMCHAN_KIND_MQ
 * @ctl:	the control file
 * @args:	arguments, flags/role/mode/reserved already validated
 * @name:	"" or the validated name
 *
 * Return: the new fd; -EINVAL for a bad depth, message size, overflow
 * policy or spin budget; -EMFILE when RLIMIT_MSGQUEUE would be exceeded;
 * -ENOMEM; -ENOSPC/-EDQUOT (channel limits); -EEXIST (name taken).
 */
long ramchan_mq_create(struct file *ctl, const struct ramchan_create *args,
		       const char *name)
{
	unsigned int role = args->role ?: RAMCHAN_ROLE_BOTH;
	struct ramchan_mq *mq;
	u64 cost;
	int err;

	if (!args->mq_depth || args->mq_depth > mq_max_depth ||
	    !args->size || args->size > mq_max_msg_size ||
	    args->mq_overflow > RAMCHAN_MQ_OVERFLOW_DROP_OLDEST ||
	    args->mq_spin_us > mq_max_spin_us || args->mq_reserved)
		return -EINVAL;
	err = ramchan_mq_cost(args->mq_depth, args->size, &cost);
	if (err)
		return err;

	mq = kzalloc(sizeof(*mq), GFP_KERNEL_ACCOUNT);
	if (!mq)
		return -ENOMEM;
	mq->depth = args->mq_depth;
	mq->msg_size = args->size;
	mq->overflow = args->mq_overflow;
	mq->spin_us = args->mq_spin_us;
	spin_lock_init(&mq->lock);
	mq->tree = RB_ROOT;
	INIT_LIST_HEAD(&mq->receivers);
	INIT_LIST_HEAD(&mq->senders);
	init_waitqueue_head(&mq->readable);
	init_waitqueue_head(&mq->writable);

	err = ramchan_chan_init(&mq->chan, &ramchan_mq_kind, args,
				current_cred());
	if (err) {
		kfree(mq);
		return err;
	}
	err = ramchan_mq_charge(mq, cost);
	if (err)
		goto err_put;
	err = ramchan_chan_charge(&mq->chan, 0, cost);
	if (err)
		goto err_put;
	return ramchan_chan_publish(&mq->chan, name, role, args->flags);

err_put:
	kobject_put(&mq->chan.kobj);	/* ramchan_mq_destroy() uncharges */
	return err;
}

/* RAMCHAN_IOC_INFO: the queue limits. */
void ramchan_mq_info(struct ramchan_info *info)
{
	info->mq_max_depth = mq_max_depth;
	info->mq_max_msg_size = mq_max_msg_size;
	info->mq_max_spin_us = mq_max_spin_us;
	info->mq_max_batch = mq_max_batch;
}

int __init ramchan_mq_init(void)
{
	unsigned int useroffset = offsetof(struct ramchan_mq_message, data);
	struct kmem_cache *cache;

	if (!mq_max_depth || mq_max_depth > RAMCHAN_MQ_PARAM_MAX ||
	    !mq_max_msg_size || mq_max_msg_size > RAMCHAN_MQ_PARAM_MAX ||
	    mq_max_spin_us > RAMCHAN_MQ_PARAM_MAX ||
	    !mq_max_batch || mq_max_batch > RAMCHAN_MQ_PARAM_MAX) {
		pr_err("mq_max_depth, mq_max_msg_size and mq_max_batch must be 1-%d, mq_max_spin_us 0-%d\n",
		       RAMCHAN_MQ_PARAM_MAX, RAMCHAN_MQ_PARAM_MAX);
		return -EINVAL;
	}
	/* Only the payload is ever copied from or to userspace. */
	cache = kmem_cache_create_usercopy("ramchan_mq_msg",
					   RAMCHAN_MQ_SMALL_SIZE, 0,
					   SLAB_ACCOUNT, useroffset,
					   RAMCHAN_MQ_SMALL_PAYLOAD, NULL);
	if (!cache)
		return -ENOMEM;
	ramchan_mq_cache = cache;
	return 0;
}

void ramchan_mq_exit(void)
{
	kmem_cache_destroy(ramchan_mq_cache);
	WARN_ON_ONCE(!xa_empty(&ramchan_mq_charges));
	xa_destroy(&ramchan_mq_charges);
}
