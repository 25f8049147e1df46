// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan queue batches: RAMCHAN_IOC_MQ_SEND_BATCH and _RECV_BATCH carry
 * up to mq_max_batch messages in one system call. Entries are handled in
 * chunks of RAMCHAN_MQ_BATCH_CHUNK kept on the stack: a chunk's entries
 * are read, its messages allocated (the small ones in one bulk call) and
 * copied in, then sent under one hold of mq->lock; a receive chunk waits
 * for its first message only and copies out after the lock is dropped.
 *
 * Per-entry problems go into the entry's @error; the call returns how
 * many entries were done, or an error when none was.
 */
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mq.h"

/*
 * Validate a batch made on @file, which needs @role. Return: 0 with
 * @call set up, -EINVAL, or -EBADF for a file without @role.
 */
static int ramchan_mq_batch_check(struct file *file, struct ramchan_mq *mq,
				  const struct ramchan_mq_batch *b,
				  struct ramchan_mq_call *call,
				  unsigned int role)
{
	int err;

	if (b->flags & ~(RAMCHAN_MQ_NONBLOCK | RAMCHAN_MQ_SPIN) ||
	    b->reserved || !b->count || b->count > ramchan_limits.mq_max_batch)
		return -EINVAL;
	err = ramchan_mq_call_init(call, file, mq, b->flags, b->spin_us,
				   b->deadline_ns);
	if (err)
		return err;
	return ramchan_file_role(file) & role ? 0 : -EBADF;
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

/* Read the next chunk of a batch's entries: *@n of them. */
static int ramchan_mq_batch_next(const struct ramchan_mq_batch *b,
				 struct ramchan_mq_vec *vec, unsigned int *n)
{
	const struct ramchan_mq_vec __user *uvec = u64_to_user_ptr(b->vec);

	*n = min_t(unsigned int, b->count - b->done, RAMCHAN_MQ_BATCH_CHUNK);
	return ramchan_mq_vec_read(vec, uvec + b->done, *n);
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

/**
 * ramchan_mq_vec_check - validate one entry of a send batch
 * @vec:	the entry, copied in
 * @msg_size:	the queue's largest message
 *
 * Return: 0; -EINVAL for nonzero reserved bits or a priority of
 * RAMCHAN_MQ_PRIO_MAX or more; -EMSGSIZE for a message longer than
 * @msg_size.
 */
int ramchan_mq_vec_check(const struct ramchan_mq_vec *vec, u32 msg_size)
{
	if (vec->reserved || vec->prio >= RAMCHAN_MQ_PRIO_MAX)
		return -EINVAL;
	if (vec->len > msg_size)
		return -EMSGSIZE;
	return 0;
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
		vec[i].error = -ramchan_mq_vec_check(&vec[i], mq->msg_size);
		if (!vec[i].error && vec[i].len <= RAMCHAN_MQ_SMALL_PAYLOAD)
			nr_small++;
	}
	if (nr_small)
		got = ramchan_mq_msg_alloc_small(small, nr_small);
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

long ramchan_mq_send_batch_ioctl(struct file *file, void *arg)
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

	ret = ramchan_mq_batch_check(file, mq, b, &call, RAMCHAN_ROLE_PRODUCER);
	if (ret)
		return ret;

	b->done = 0;
	while (!ret && b->done < b->count) {
		ret = ramchan_mq_batch_next(b, vec, &n);
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
		/* Sent is sent: a fault writing back the results stops the batch. */
		if (sent && ramchan_mq_vec_write(uvec + b->done, vec, sent,
						 false))
			ret = -EFAULT;
		b->done += sent;
	}
	kfree(spare);
	return b->done ?: ret;
}

long ramchan_mq_recv_batch_ioctl(struct file *file, void *arg)
{
	struct ramchan_mq_message *msgs[RAMCHAN_MQ_BATCH_CHUNK];
	struct ramchan_mq_vec vec[RAMCHAN_MQ_BATCH_CHUNK];
	struct ramchan_mq *mq = ramchan_file_mq(file);
	struct ramchan_mq_batch *b = arg;
	struct ramchan_mq_vec __user *uvec = u64_to_user_ptr(b->vec);
	struct ramchan_mq_call call;
	unsigned int n, i, got, stop;
	int ret;

	ret = ramchan_mq_batch_check(file, mq, b, &call, RAMCHAN_ROLE_CONSUMER);
	if (ret)
		return ret;

	b->done = 0;
	while (!ret && b->done < b->count) {
		ret = ramchan_mq_batch_next(b, vec, &n);
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
		/* Taken is taken: a fault writing back results stops the batch. */
		if (stop && ramchan_mq_vec_write(uvec + b->done, vec, stop,
						 true))
			ret = -EFAULT;
		b->done += got;
	}
	if (b->done)
		return b->done;
	/* Empty or gone after the first message are not errors. */
	return ret;
}
