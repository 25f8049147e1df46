// SPDX-License-Identifier: GPL-2.0
/*
 * Message queue transports: POSIX mq (mq_send/mq_receive) and ramchan
 * queues, one queue per direction, both copying each message into the
 * kernel and out again.
 *
 *   posix-mq            mq_send()/mq_receive(), one message per call
 *   ramchan-mq          RAMCHAN_IOC_MQ_SEND/RECV, one message per call
 *   ramchan-mq-spin     the same with a busy-poll budget: a receiver (or a
 *                       sender facing a full queue) spins in the kernel
 *                       before sleeping, so a hand-off costs no wakeup
 *   ramchan-mq-batch    up to MQ_BATCH messages per SEND_BATCH/RECV_BATCH
 *                       ioctl; sends are buffered until a batch is full or
 *                       the sender turns to receive
 *   ramchan-mq-batch-spin  batches and the busy-poll budget together
 *
 * The queues are MQ_DEPTH deep where the system allows it, the same depth
 * for both kinds: RLIMIT_MSGQUEUE is raised as far as allowed and bounds
 * the depth for large messages; POSIX mq beyond fs.mqueue.msg_max or
 * fs.mqueue.msgsize_max needs CAP_SYS_RESOURCE (the depth then falls back
 * to msg_max; a larger message is reported unsupported).
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ramchan.h"
#include "transport.h"

#define MQ_DEPTH	64
#define MQ_BATCH	32
#define MQ_SPIN_US	100

enum mq_mode { MQ_POSIX, MQ_SINGLE, MQ_SPIN, MQ_BATCHED, MQ_BATCHED_SPIN };

struct mq_priv {
	enum mq_mode mode;
	int fd[2];		/* a2b, b2a: mqd_t or ramchan queue fd */
	int tx, rx;
	size_t msg_size;
	long depth;		/* messages per queue */
	/* batched: sends waiting for a flush, receives not yet returned */
	struct ramchan_mq_vec out[MQ_BATCH];
	unsigned int nr_out;
	struct ramchan_mq_vec in[MQ_BATCH];
	unsigned int nr_in, next_in;
	uint8_t *out_bufs, *in_bufs;
};

static long read_sysctl(const char *path, long dflt)
{
	FILE *f = fopen(path, "r");
	long v = dflt;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

/* What RLIMIT_MSGQUEUE is charged per message: the payload and headers. */
#define MQ_MSG_COST(size)	((size) + 128)

/*
 * How deep both kinds of queue are for @msg_size-byte messages: MQ_DEPTH,
 * unless RLIMIT_MSGQUEUE (raised to what the hard limit, or privilege,
 * allows) cannot hold two queues that deep. 0: not even one message.
 */
static long mqt_depth(size_t msg_size)
{
	uint64_t per = 2 * MQ_MSG_COST((uint64_t)msg_size);
	uint64_t need = MQ_DEPTH * per;
	struct rlimit rl;

	if (getrlimit(RLIMIT_MSGQUEUE, &rl))
		return 1;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		struct rlimit want = {
			.rlim_cur = need,
			.rlim_max = rl.rlim_max == RLIM_INFINITY ||
				    rl.rlim_max > need ? rl.rlim_max : need,
		};

		/* Beyond the hard limit needs CAP_SYS_RESOURCE. */
		if (setrlimit(RLIMIT_MSGQUEUE, &want)) {
			want.rlim_cur = rl.rlim_max;
			want.rlim_max = rl.rlim_max;
			setrlimit(RLIMIT_MSGQUEUE, &want);
		}
		getrlimit(RLIMIT_MSGQUEUE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		return rl.rlim_cur / per;
	return MQ_DEPTH;
}

static int depth_unsupported(const struct mq_priv *p, char *why,
			      size_t why_len)
{
	snprintf(why, why_len,
		 "unsupported: RLIMIT_MSGQUEUE cannot hold one %zu-byte message per direction",
		 p->msg_size);
	return -ENOTSUP;
}

static int posix_open_pair(struct mq_priv *p, char *why, size_t why_len)
{
	long msg_max = read_sysctl("/proc/sys/fs/mqueue/msg_max", 10);
	long size_max = read_sysctl("/proc/sys/fs/mqueue/msgsize_max", 8192);
	struct mq_attr attr = {
		.mq_maxmsg = p->depth,
		.mq_msgsize = p->msg_size,
	};
	char name[64];
	int i;

	if (!p->depth)
		return depth_unsupported(p, why, why_len);
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "/ramchan-bench-%d-%d",
			 getpid(), i);
		p->fd[i] = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600,
				   &attr);
		if (p->fd[i] < 0 && errno == EINVAL &&
		    attr.mq_maxmsg > msg_max) {
			/* Deeper than fs.mqueue.msg_max: CAP_SYS_RESOURCE. */
			attr.mq_maxmsg = msg_max;
			p->fd[i] = mq_open(name, O_RDWR | O_CREAT | O_EXCL,
					   0600, &attr);
		}
		if (p->fd[i] < 0) {
			int err = errno;

			if (err == EINVAL && attr.mq_msgsize > size_max)
				snprintf(why, why_len,
					 "unsupported: messages above fs.mqueue.msgsize_max (%ld) need CAP_SYS_RESOURCE",
					 size_max);
			else if (err == EMFILE)
				snprintf(why, why_len,
					 "unsupported: RLIMIT_MSGQUEUE cannot hold a %ld-deep queue of %zu-byte messages",
					 (long)attr.mq_maxmsg, p->msg_size);
			else
				snprintf(why, why_len, "mq_open: %s",
					 strerror(err));
			if (i)
				close(p->fd[0]);
			p->fd[0] = -1;
			return err == EINVAL || err == EMFILE ? -ENOTSUP :
								-err;
		}
		mq_unlink(name);	/* lives while open */
	}
	p->depth = attr.mq_maxmsg;
	return 0;
}

static int ramchan_open_pair(struct mq_priv *p, char *why, size_t why_len)
{
	struct ramchan_mq_opts o = {
		.depth = p->depth,
		.msg_size = p->msg_size,
		.spin_us = p->mode == MQ_SPIN || p->mode == MQ_BATCHED_SPIN ?
			   MQ_SPIN_US : 0,
	};
	int ctl = ramchan_open_dev(), i;

	if (ctl < 0) {
		snprintf(why, why_len, "/dev/ramchan: %s (module not loaded?)",
			 strerror(-ctl));
		return -ENOTSUP;
	}
	if (!p->depth) {
		close(ctl);
		return depth_unsupported(p, why, why_len);
	}
	for (i = 0; i < 2; i++) {
		p->fd[i] = ramchan_mq_create(ctl, &o);
		if (p->fd[i] < 0) {
			snprintf(why, why_len, "create queue: %s",
				 strerror(-p->fd[i]));
			close(ctl);
			return p->fd[i];
		}
	}
	close(ctl);
	return 0;
}

static int mqt_setup(struct xport *x, enum mq_mode mode, char *why,
		    size_t why_len)
{
	struct mq_priv *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	p->mode = mode;
	p->msg_size = x->max_msg < 8 ? 8 : x->max_msg;
	p->fd[0] = p->fd[1] = -1;
	p->depth = mqt_depth(p->msg_size);
	ret = mode == MQ_POSIX ? posix_open_pair(p, why, why_len) :
				 ramchan_open_pair(p, why, why_len);
	if (ret) {
		if (p->fd[0] >= 0)
			close(p->fd[0]);
		free(p);
		return ret;
	}
	x->priv = p;
	return 0;
}

static int mqt_attach(struct xport *x)
{
	struct mq_priv *p = x->priv;
	unsigned int i;

	p->tx = p->fd[x->side == SIDE_A ? 0 : 1];
	p->rx = p->fd[x->side == SIDE_A ? 1 : 0];
	if (p->mode < MQ_BATCHED)
		return 0;
	p->out_bufs = malloc(MQ_BATCH * p->msg_size);
	p->in_bufs = malloc(MQ_BATCH * p->msg_size);
	if (!p->out_bufs || !p->in_bufs)
		return -ENOMEM;
	for (i = 0; i < MQ_BATCH; i++)
		p->out[i].buf = (uintptr_t)(p->out_bufs + i * p->msg_size);
	return 0;
}

/* Both queues full: what RLIMIT_MSGQUEUE is charged for them. */
static size_t mqt_ram(const struct xport *x)
{
	const struct mq_priv *p = x->priv;

	return 2 * p->depth * MQ_MSG_COST(p->msg_size);
}

static size_t mqt_max_msg(const struct xport *x)
{
	(void)x;
	return 1 << 20;		/* ramchan's default mq_max_msg_size */
}

static int mqt_flush(struct mq_priv *p)
{
	unsigned int off = 0, i;
	int n;

	while (off < p->nr_out) {
		n = ramchan_mq_send_batch(p->tx, p->out + off,
					  p->nr_out - off, 0, 0);
		if (n < 0)
			return n;
		for (i = off; i < off + n; i++)
			if (p->out[i].error)
				return -p->out[i].error;
		off += n;
	}
	p->nr_out = 0;
	return 0;
}

static int mqt_send(struct xport *x, const void *buf, size_t len)
{
	struct mq_priv *p = x->priv;
	struct ramchan_mq_vec *v;

	switch (p->mode) {
	case MQ_POSIX:
		return mq_send(p->tx, buf, len, 0) ? -errno : 0;
	case MQ_SINGLE:
	case MQ_SPIN:
		return ramchan_mq_send(p->tx, buf, len, 0, 0, 0);
	case MQ_BATCHED:
	case MQ_BATCHED_SPIN:
		v = &p->out[p->nr_out++];
		memcpy((void *)(uintptr_t)v->buf, buf, len);
		v->len = len;
		v->prio = 0;
		return p->nr_out == MQ_BATCH ? mqt_flush(p) : 0;
	}
	return -EINVAL;
}

static long mqt_recv(struct xport *x, void *buf, size_t cap)
{
	struct mq_priv *p = x->priv;
	struct ramchan_mq_vec *v;
	unsigned int i;
	ssize_t n;
	int ret;

	switch (p->mode) {
	case MQ_POSIX:
		/* POSIX wants room for the queue's largest message. */
		n = mq_receive(p->rx, buf, cap < p->msg_size ? p->msg_size :
			       cap, NULL);
		return n < 0 ? -errno : n;
	case MQ_SINGLE:
	case MQ_SPIN:
		return ramchan_mq_recv(p->rx, buf, cap, NULL, 0, 0);
	case MQ_BATCHED:
	case MQ_BATCHED_SPIN:
		break;
	}
	if (p->next_in == p->nr_in) {
		/* The peer may wait for what we buffered. */
		ret = mqt_flush(p);
		if (ret)
			return ret;
		for (i = 0; i < MQ_BATCH; i++)
			p->in[i] = (struct ramchan_mq_vec){
				.buf = (uintptr_t)(p->in_bufs + i * p->msg_size),
				.len = p->msg_size };
		ret = ramchan_mq_recv_batch(p->rx, p->in, MQ_BATCH, 0, 0);
		if (ret < 0)
			return ret;
		p->nr_in = ret;
		p->next_in = 0;
	}
	v = &p->in[p->next_in++];
	if (v->error)
		return -v->error;
	if (v->len > cap)
		return -EMSGSIZE;
	memcpy(buf, (void *)(uintptr_t)v->buf, v->len);
	return v->len;
}

static void mqt_detach(struct xport *x)
{
	struct mq_priv *p = x->priv;

	if (p->mode >= MQ_BATCHED)
		mqt_flush(p);
	free(p->out_bufs);
	free(p->in_bufs);
	p->out_bufs = p->in_bufs = NULL;
}

static void mqt_teardown(struct xport *x)
{
	struct mq_priv *p = x->priv;

	close(p->fd[0]);
	close(p->fd[1]);
	free(p);
}

#define MQ_TRANSPORT(_var, _name, _mode, _module, _desc)		\
static int _var##_setup(struct xport *x, char *why, size_t why_len)	\
{									\
	return mqt_setup(x, _mode, why, why_len);			\
}									\
const struct transport _var = {						\
	.name = _name,							\
	.desc = _desc,							\
	.copies = 2,							\
	.needs_module = _module,					\
	.max_msg = mqt_max_msg,						\
	.ram = mqt_ram,							\
	.setup = _var##_setup,						\
	.attach = mqt_attach,						\
	.send = mqt_send,						\
	.recv = mqt_recv,						\
	.detach = mqt_detach,						\
	.teardown = mqt_teardown,					\
}

MQ_TRANSPORT(transport_posix_mq, "posix-mq", MQ_POSIX, 0,
	     "POSIX message queue, mq_send/mq_receive");
MQ_TRANSPORT(transport_ramchan_mq, "ramchan-mq", MQ_SINGLE, 1,
	     "ramchan queue, one message per ioctl");
MQ_TRANSPORT(transport_ramchan_mq_spin, "ramchan-mq-spin", MQ_SPIN, 1,
	     "ramchan queue, busy-polls 100 us in the kernel before sleeping");
MQ_TRANSPORT(transport_ramchan_mq_batch, "ramchan-mq-batch", MQ_BATCHED, 1,
	     "ramchan queue, 32 messages per batched ioctl");
MQ_TRANSPORT(transport_ramchan_mq_batch_spin, "ramchan-mq-batch-spin",
	     MQ_BATCHED_SPIN, 1,
	     "ramchan queue, 32 messages per batched ioctl, busy-polls 100 us");
