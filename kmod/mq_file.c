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
 * Owns: creation (worst case charged to RLIMIT_MSGQUEUE), the queue fd's
 * ioctls but the batches (mq_batch.c), poll, fops, peer attach/detach and
 * destruction. The files of the queue are listed in mq.h.
 *
 * Locking: mq->lock, see mq.h. Every handler validates its argument,
 * then copies in (before the lock), and copies out after it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/slab.h>

#include "ioctl.h"
#include "mq.h"
#include "sysfs.h"

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
	if (!(ramchan_file_role(file) & RAMCHAN_ROLE_PRODUCER))
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
	if (!(ramchan_file_role(file) & RAMCHAN_ROLE_CONSUMER))
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
	if ((set & RAMCHAN_MQ_SET_SPIN) &&
	    spin_us > ramchan_limits.mq_max_spin_us)
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
	if (!(ramchan_file_role(file) & RAMCHAN_ROLE_CONSUMER))
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

/* Channel-fd ioctls of a queue are numbered from DUP on. */
#define RAMCHAN_MQ_IOC_FIRST	_IOC_NR(RAMCHAN_IOC_DUP)

static const struct ramchan_ioctl_desc ramchan_mq_ioctls[] = {
	RAMCHAN_IOCTL(RAMCHAN_MQ_IOC_FIRST, RAMCHAN_IOC_DUP,
		      ramchan_chan_dup_ioctl, sizeof(struct ramchan_dup)),
	RAMCHAN_IOCTL(RAMCHAN_MQ_IOC_FIRST, RAMCHAN_IOC_MQ_SEND,
		      ramchan_mq_send_ioctl, RAMCHAN_MQ_MSG_SIZE_VER0),
	RAMCHAN_IOCTL(RAMCHAN_MQ_IOC_FIRST, RAMCHAN_IOC_MQ_RECV,
		      ramchan_mq_recv_ioctl, RAMCHAN_MQ_MSG_SIZE_VER0),
	RAMCHAN_IOCTL_COUNT(RAMCHAN_MQ_IOC_FIRST, RAMCHAN_IOC_MQ_SEND_BATCH,
			    ramchan_mq_send_batch_ioctl,
			    RAMCHAN_MQ_BATCH_SIZE_VER0),
	RAMCHAN_IOCTL_COUNT(RAMCHAN_MQ_IOC_FIRST, RAMCHAN_IOC_MQ_RECV_BATCH,
			    ramchan_mq_recv_batch_ioctl,
			    RAMCHAN_MQ_BATCH_SIZE_VER0),
	RAMCHAN_IOCTL(RAMCHAN_MQ_IOC_FIRST, RAMCHAN_IOC_MQ_GETATTR,
		      ramchan_mq_getattr_ioctl, RAMCHAN_MQ_ATTR_SIZE_VER0),
	RAMCHAN_IOCTL(RAMCHAN_MQ_IOC_FIRST, RAMCHAN_IOC_MQ_SETATTR,
		      ramchan_mq_setattr_ioctl, RAMCHAN_MQ_ATTR_SIZE_VER0),
	RAMCHAN_IOCTL(RAMCHAN_MQ_IOC_FIRST, RAMCHAN_IOC_MQ_NOTIFY,
		      ramchan_mq_notify_ioctl, sizeof(struct ramchan_mq_notify)),
};

const struct ramchan_ioctl_table ramchan_mq_ioctl_table = {
	.name = "mq",
	.descs = ramchan_mq_ioctls,
	.count = ARRAY_SIZE(ramchan_mq_ioctls),
	.first = RAMCHAN_MQ_IOC_FIRST,
};

static long ramchan_mq_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	return ramchan_ioctl_dispatch(file, cmd, arg, &ramchan_mq_ioctl_table);
}

static __poll_t ramchan_mq_poll(struct file *file, poll_table *pt)
{
	struct ramchan_mq *mq = ramchan_file_mq(file);
	unsigned int role = ramchan_file_role(file);
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
	.show_fdinfo = ramchan_chan_show_fdinfo,
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

static void ramchan_mq_destroy(struct ramchan_chan *chan)
{
	struct ramchan_mq *mq = ramchan_chan_mq(chan);

	WARN_ON_ONCE(!list_empty(&mq->receivers) ||
		     !list_empty(&mq->senders));
	ramchan_mq_prio_destroy(mq);
	if (mq->eventfd)
		eventfd_ctx_put(mq->eventfd);
	kfree(mq);
}

static const struct kobj_type ramchan_mq_ktype = RAMCHAN_KIND_KTYPE(ramchan_mq_sysfs_groups);

static const struct ramchan_kind ramchan_mq_kind = {
	.name = "mq",
	.id = RAMCHAN_KIND_MQ,
	.fops = &ramchan_mq_fops,
	.ktype = &ramchan_mq_ktype,
	.attach = ramchan_mq_attach,
	.detach = ramchan_mq_detach,
	.destroy = ramchan_mq_destroy,
};

/* Set up a zeroed queue's own state (not its channel part). */
void ramchan_mq_setup(struct ramchan_mq *mq, u32 depth, u32 msg_size,
		      u32 overflow, u32 spin_us)
{
	mq->depth = depth;
	mq->msg_size = msg_size;
	mq->overflow = overflow;
	mq->spin_us = spin_us;
	spin_lock_init(&mq->lock);
	mq->tree = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&mq->receivers);
	INIT_LIST_HEAD(&mq->senders);
	init_waitqueue_head(&mq->readable);
	init_waitqueue_head(&mq->writable);
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

	if (!args->mq_depth || args->mq_depth > ramchan_limits.mq_max_depth ||
	    !args->size || args->size > ramchan_limits.mq_max_msg_size ||
	    args->mq_overflow > RAMCHAN_MQ_OVERFLOW_DROP_OLDEST ||
	    args->mq_spin_us > ramchan_limits.mq_max_spin_us ||
	    args->mq_reserved)
		return -EINVAL;
	err = ramchan_mq_cost(args->mq_depth, args->size, &cost);
	if (err)
		return err;

	mq = kzalloc(sizeof(*mq), GFP_KERNEL_ACCOUNT);
	if (!mq)
		return -ENOMEM;
	ramchan_mq_setup(mq, args->mq_depth, args->size, args->mq_overflow,
			 args->mq_spin_us);

	err = ramchan_chan_init(&mq->chan, &ramchan_mq_kind, args,
				current_cred());
	if (err) {
		kfree(mq);
		return err;
	}
	/* A queue holds no locked pages: RLIMIT_MSGQUEUE only. */
	err = ramchan_charge_msgqueue(&mq->chan.charge, cost);
	if (err)
		goto err_put;
	ramchan_charge_bytes(&mq->chan.charge, cost);
	return ramchan_chan_publish(&mq->chan, name, role, args->flags);

err_put:
	kobject_put(&mq->chan.kobj);	/* uncharges what was charged */
	return err;
}

int __init ramchan_mq_init(void)
{
	return ramchan_mq_msg_init();
}

void ramchan_mq_exit(void)
{
	ramchan_mq_msg_exit();
}
