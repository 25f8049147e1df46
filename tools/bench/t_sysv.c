// SPDX-License-Identifier: GPL-2.0
/*
 * SysV message queue transport: one queue per direction, msgsnd() and
 * msgrcv(), each copying the message into the kernel and out again (plus,
 * in user space, into and out of the struct msgbuf the calls want: the
 * type word must precede the text).
 *
 * A message is at most kernel.msgmax bytes (8 KiB by default) and a queue
 * holds kernel.msgmnb bytes (16 KiB by default); the sysctls are left
 * alone, so larger messages are reported unsupported. msgrcv() is given
 * the caller's capacity and no MSG_NOERROR: a longer message is an error
 * (E2BIG), never truncated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "transport.h"

#define MSG_DATA	1	/* mtype of messages */
#define MSG_BYE		2	/* and of the goodbye of msg_detach() */

struct msg_buf {
	long mtype;
	char mtext[];
};

struct msg_priv {
	int q[2];		/* a2b, b2a */
	int tx, rx;
	size_t max;		/* msg_msgmax() */
	struct msg_buf *buf;
};

static size_t read_sysctl(const char *path, size_t dflt)
{
	size_t val = dflt;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%zu", &val) != 1 || !val)
			val = dflt;
		fclose(f);
	}
	return val;
}

/*
 * The largest message: kernel.msgmax, which msgsnd() enforces, unless a
 * queue holds less (kernel.msgmnb, the default queue size), for then the
 * sender would wait forever for room.
 */
static size_t msg_msgmax(void)
{
	static size_t max;
	size_t mnb;

	if (max)
		return max;
	max = read_sysctl("/proc/sys/kernel/msgmax", 8192);
	mnb = read_sysctl("/proc/sys/kernel/msgmnb", 16384);
	if (max > mnb)
		max = mnb;
	return max;
}

static size_t msg_max_msg(const struct xport *x)
{
	(void)x;
	return msg_msgmax();
}

static int msg_setup(struct xport *x, char *why, size_t why_len)
{
	struct msg_priv *p = calloc(1, sizeof(*p));
	int i, err;

	if (!p)
		return -ENOMEM;
	p->max = msg_msgmax();
	for (i = 0; i < 2; i++) {
		p->q[i] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (p->q[i] < 0) {
			err = errno;
			snprintf(why, why_len, "msgget: %s (kernel.msgmni?)",
				 strerror(err));
			if (i)
				msgctl(p->q[0], IPC_RMID, NULL);
			free(p);
			return -err;
		}
	}
	x->priv = p;
	return 0;
}

static int msg_attach(struct xport *x)
{
	struct msg_priv *p = x->priv;

	p->tx = p->q[x->side == SIDE_A ? 0 : 1];
	p->rx = p->q[x->side == SIDE_A ? 1 : 0];
	p->buf = malloc(sizeof(*p->buf) + p->max);
	return p->buf ? 0 : -ENOMEM;
}

static int msg_send(struct xport *x, const void *buf, size_t len)
{
	struct msg_priv *p = x->priv;

	if (len > p->max)
		return -EMSGSIZE;
	p->buf->mtype = MSG_DATA;
	memcpy(p->buf->mtext, buf, len);
	while (msgsnd(p->tx, p->buf, len, 0))
		if (errno != EINTR)
			return -errno;
	return 0;
}

static long msg_recv(struct xport *x, void *buf, size_t cap)
{
	struct msg_priv *p = x->priv;
	ssize_t n;

	/* No message is longer than msg_msgmax(): our buffer's size. */
	if (cap > p->max)
		cap = p->max;
	do {
		n = msgrcv(p->rx, p->buf, cap, 0, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;	/* E2BIG: longer than cap, left queued */
	if (p->buf->mtype == MSG_BYE)
		return -EPIPE;
	memcpy(buf, p->buf->mtext, n);
	return n;
}

static size_t msg_ram(const struct xport *x)
{
	const struct msg_priv *p = x->priv;
	struct msqid_ds ds;
	size_t sum = 0;
	int i;

	for (i = 0; i < 2; i++)
		if (!msgctl(p->q[i], IPC_STAT, &ds))
			sum += ds.msg_qbytes;
	return sum;
}

/*
 * Leave a goodbye (an empty message of another type) after our last
 * message, so that a peer waiting for more fails instead of sleeping on.
 * Not if the queue is full: then the peer has messages to read anyway.
 */
static void msg_detach(struct xport *x)
{
	struct msg_priv *p = x->priv;

	if (!p->buf)
		return;
	p->buf->mtype = MSG_BYE;
	msgsnd(p->tx, p->buf, 0, IPC_NOWAIT);
	free(p->buf);
	p->buf = NULL;
}

static void msg_teardown(struct xport *x)
{
	struct msg_priv *p = x->priv;

	msgctl(p->q[0], IPC_RMID, NULL);
	msgctl(p->q[1], IPC_RMID, NULL);
	free(p);
}

const struct transport transport_sysv_msg = {
	.name = "sysv-msg",
	.desc = "SysV message queue, msgsnd/msgrcv (up to kernel.msgmax)",
	.copies = 2,
	.max_msg = msg_max_msg,
	.setup = msg_setup,
	.attach = msg_attach,
	.send = msg_send,
	.recv = msg_recv,
	.ram = msg_ram,
	.detach = msg_detach,
	.teardown = msg_teardown,
};
