// SPDX-License-Identifier: GPL-2.0
/*
 * Pipe transport: two pipes, one per direction. A pipe is a byte stream:
 * the receiver reads exactly the message size it expects (the workload
 * tells it), so a message costs one write() and one or more read()s.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "transport.h"

struct pipe_priv {
	int a2b[2];
	int b2a[2];
	int rfd, wfd;
};

static int pipe_setup(struct xport *x, char *why, size_t why_len)
{
	struct pipe_priv *p = calloc(1, sizeof(*p));

	(void)why;
	(void)why_len;
	if (!p)
		return -ENOMEM;
	if (pipe2(p->a2b, O_CLOEXEC) || pipe2(p->b2a, O_CLOEXEC)) {
		free(p);
		return -errno;
	}
	/* Bigger pipes stream better; the default 64 KiB stays the floor. */
	fcntl(p->a2b[1], F_SETPIPE_SZ, 1 << 20);
	fcntl(p->b2a[1], F_SETPIPE_SZ, 1 << 20);
	x->priv = p;
	return 0;
}

static int pipe_attach(struct xport *x)
{
	struct pipe_priv *p = x->priv;

	if (x->side == SIDE_A) {
		close(p->a2b[0]);
		close(p->b2a[1]);
		p->wfd = p->a2b[1];
		p->rfd = p->b2a[0];
	} else {
		close(p->a2b[1]);
		close(p->b2a[0]);
		p->wfd = p->b2a[1];
		p->rfd = p->a2b[0];
	}
	return 0;
}

static int pipe_send(struct xport *x, const void *buf, size_t len)
{
	struct pipe_priv *p = x->priv;

	return fd_write_all(p->wfd, buf, len, false);
}

static long pipe_recv(struct xport *x, void *buf, size_t len)
{
	struct pipe_priv *p = x->priv;

	return fd_read_exact(p->rfd, buf, len, false);
}

/* The two pipes' buffer capacity (pages are allocated as they fill). */
static size_t pipe_ram(const struct xport *x)
{
	const struct pipe_priv *p = x->priv;
	int a = fcntl(p->wfd, F_GETPIPE_SZ), b = fcntl(p->rfd, F_GETPIPE_SZ);

	return a > 0 && b > 0 ? (size_t)a + b : 0;
}

static void pipe_detach(struct xport *x)
{
	struct pipe_priv *p = x->priv;

	close(p->rfd);
	close(p->wfd);
}

static void pipe_teardown(struct xport *x)
{
	free(x->priv);
}

const struct transport transport_pipe = {
	.name = "pipe",
	.desc = "pipe(2), one per direction",
	.copies = 2,
	.setup = pipe_setup,
	.attach = pipe_attach,
	.send = pipe_send,
	.recv = pipe_recv,
	.ram = pipe_ram,
	.detach = pipe_detach,
	.teardown = pipe_teardown,
};
