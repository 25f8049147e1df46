// SPDX-License-Identifier: GPL-2.0
/*
 * FIFO transport: two named pipes (mkfifo(3) in a private directory under
 * /tmp), one per direction, opened by path after the fork. Once open, a
 * FIFO is a pipe: the receiver reads exactly the message size it expects.
 *
 * Opening a FIFO blocks until the other end is opened too. Both sides
 * open a2b first and b2a second (A writes a2b and reads b2a, B the other
 * way round), so the opens pair up in the same order and cannot deadlock;
 * and when attach() returns, the peer holds its end of both FIFOs, so a
 * read can never see end of file before the peer has even opened them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport.h"

#define FIFO_SIZE	(1024 * 1024)	/* as the pipe transport */

struct fifo_priv {
	char dir[64];
	char path[2][80];	/* a2b, b2a */
	int rfd, wfd;
};

static int fifo_setup(struct xport *x, char *why, size_t why_len)
{
	struct fifo_priv *p = calloc(1, sizeof(*p));
	int ret, i;

	if (!p)
		return -ENOMEM;
	snprintf(p->dir, sizeof(p->dir), "/tmp/ramchan-bench-XXXXXX");
	if (!mkdtemp(p->dir)) {
		ret = -errno;
		snprintf(why, why_len, "mkdtemp in /tmp: %s", strerror(errno));
		free(p);
		return ret;
	}
	for (i = 0; i < 2; i++) {
		snprintf(p->path[i], sizeof(p->path[i]), "%s/%s", p->dir,
			 i ? "b2a" : "a2b");
		if (mkfifo(p->path[i], 0600)) {
			ret = -errno;
			snprintf(why, why_len, "mkfifo %s: %s", p->path[i],
				 strerror(errno));
			while (i--)
				unlink(p->path[i]);
			rmdir(p->dir);
			free(p);
			return ret;
		}
	}
	p->rfd = -1;
	p->wfd = -1;
	x->priv = p;
	return 0;
}

/* Blocks until the other end is open; retried on signals. */
static int fifo_open(const char *path, int flags)
{
	int fd;

	do
		fd = open(path, flags | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static int fifo_attach(struct xport *x)
{
	struct fifo_priv *p = x->priv;
	int ret;

	/* a2b, then b2a, on both sides (see the top of the file). */
	if (x->side == SIDE_A) {
		p->wfd = fifo_open(p->path[0], O_WRONLY);
		if (p->wfd >= 0)
			p->rfd = fifo_open(p->path[1], O_RDONLY);
	} else {
		p->rfd = fifo_open(p->path[0], O_RDONLY);
		if (p->rfd >= 0)
			p->wfd = fifo_open(p->path[1], O_WRONLY);
	}
	if (p->rfd < 0 || p->wfd < 0) {
		ret = -errno;
		if (p->rfd >= 0)
			close(p->rfd);
		if (p->wfd >= 0)
			close(p->wfd);
		p->rfd = -1;
		p->wfd = -1;
		return ret;
	}
	/*
	 * Both sides resize both FIFOs (idempotent, they are still empty), so
	 * either side sees the final size as soon as its attach() returns.
	 */
	fcntl(p->wfd, F_SETPIPE_SZ, FIFO_SIZE);
	fcntl(p->rfd, F_SETPIPE_SZ, FIFO_SIZE);
	return 0;
}

static size_t fifo_ram(const struct xport *x)
{
	const struct fifo_priv *p = x->priv;
	int r = fcntl(p->rfd, F_GETPIPE_SZ), w = fcntl(p->wfd, F_GETPIPE_SZ);

	return (r > 0 ? r : 0) + (w > 0 ? w : 0);
}

static int fifo_send(struct xport *x, const void *buf, size_t len)
{
	struct fifo_priv *p = x->priv;

	return fd_write_all(p->wfd, buf, len, false);
}

static long fifo_recv(struct xport *x, void *buf, size_t len)
{
	struct fifo_priv *p = x->priv;

	return fd_read_exact(p->rfd, buf, len, false);
}

static void fifo_detach(struct xport *x)
{
	struct fifo_priv *p = x->priv;

	close(p->rfd);
	close(p->wfd);
}

static void fifo_teardown(struct xport *x)
{
	struct fifo_priv *p = x->priv;

	unlink(p->path[0]);
	unlink(p->path[1]);
	rmdir(p->dir);
	free(p);
}

const struct transport transport_fifo = {
	.name = "fifo",
	.desc = "named FIFOs (mkfifo(3)) under /tmp, one per direction",
	.copies = 2,
	.setup = fifo_setup,
	.attach = fifo_attach,
	.send = fifo_send,
	.recv = fifo_recv,
	.ram = fifo_ram,
	.detach = fifo_detach,
	.teardown = fifo_teardown,
};
