// SPDX-License-Identifier: GPL-2.0
/*
 * Socket transports: one connected pair of sockets, each carrying both
 * directions.
 *
 *   unix-stream     AF_UNIX SOCK_STREAM socketpair; a byte stream like a
 *                   pipe: the receiver reads exactly the size it expects
 *   unix-seqpacket  AF_UNIX SOCK_SEQPACKET socketpair; one record per
 *                   message, boundaries kept by the kernel
 *   unix-dgram      AF_UNIX SOCK_DGRAM socketpair; one datagram per message
 *   tcp-loopback    a TCP connection over 127.0.0.1 (TCP_NODELAY): the
 *                   network stack, for reference
 *
 * An AF_UNIX record (seqpacket or datagram) is one skb: it must fit in the
 * sender's SO_SNDBUF (less 32 bytes) and in what the kernel can allocate
 * for one skb (a linear part of at most KMALLOC_MAX_SIZE, 4 MiB on x86-64,
 * plus MAX_SKB_FRAGS pages). SO_SNDBUF is capped at net.core.wmem_max
 * unless SO_SNDBUFFORCE is allowed (CAP_NET_ADMIN). max_msg() finds the
 * real limit once by probing a scratch pair with the same settings, so the
 * sizes above it are reported unsupported instead of failing; a receive
 * that would truncate a record is an error (-EMSGSIZE), never silent.
 *
 * The byte streams get 1 MiB buffers like the pipe transport; TCP keeps
 * the kernel's autotuning (setting SO_SNDBUF would disable it).
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

/* sk_sndbuf/sk_rcvbuf wanted: the byte streams, the records at least. */
#define STREAM_BUF		(1024 * 1024)
#define RECORD_BUF_MIN		(1024 * 1024)
/* Ceiling when SO_SNDBUFFORCE lifts net.core.wmem_max. */
#define RECORD_BUF_MAX		(64 * 1024 * 1024)
/* What unix_dgram_sendmsg() keeps out of SO_SNDBUF for one record. */
#define RECORD_OVERHEAD		32
/* Room per queued record for its skb (truesize beyond the payload). */
#define SKB_SLACK		1024
/* A receiver idle this long checks that its datagram peer still lives. */
#define DGRAM_IDLE_SEC		1
/* An skb allocation that failed (-ENOBUFS) is retried this often. */
#define NOBUFS_RETRIES		200

enum sock_kind { K_STREAM, K_SEQPACKET, K_DGRAM, K_TCP };

struct sock_priv {
	enum sock_kind kind;
	int fd[2];		/* side A's end, side B's end */
	int self;		/* this side's end after attach */
	size_t bufs[2];		/* SO_SNDBUF + SO_RCVBUF of each, at setup */
};

static int sock_type(enum sock_kind kind)
{
	switch (kind) {
	case K_SEQPACKET:
		return SOCK_SEQPACKET;
	case K_DGRAM:
		return SOCK_DGRAM;
	default:
		return SOCK_STREAM;
	}
}

static const char *sock_type_name(enum sock_kind kind)
{
	return kind == K_DGRAM ? "SOCK_DGRAM" : "SOCK_SEQPACKET";
}

static int sk_getint(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int val = 0;

	if (getsockopt(fd, SOL_SOCKET, opt, &val, &len))
		return 0;
	return val;
}

/* SO_SNDBUF + SO_RCVBUF: what the kernel may hold for this socket. */
static size_t sk_bufs(int fd)
{
	return (size_t)sk_getint(fd, SO_SNDBUF) +
	       (size_t)sk_getint(fd, SO_RCVBUF);
}

/*
 * Ask for @bytes of buffer (the kernel doubles the value it is given, and
 * getsockopt() reports the doubled one); fall back to the FORCE variant,
 * which ignores net.core.[wr]mem_max, when the plain one was capped and
 * the caller has CAP_NET_ADMIN. Best effort: the caller checks the result.
 */
static void sk_setbuf(int fd, int opt, int force_opt, size_t bytes)
{
	int val = bytes / 2 > INT_MAX / 2 ? INT_MAX / 2 : (int)(bytes / 2);

	setsockopt(fd, SOL_SOCKET, opt, &val, sizeof(val));
	if ((size_t)sk_getint(fd, opt) < bytes)
		setsockopt(fd, SOL_SOCKET, force_opt, &val, sizeof(val));
}

static void sk_setbufs(int fd, size_t bytes)
{
	sk_setbuf(fd, SO_SNDBUF, SO_SNDBUFFORCE, bytes);
	sk_setbuf(fd, SO_RCVBUF, SO_RCVBUFFORCE, bytes);
}

/* Buffers for records: four of the largest in flight, within the ceiling. */
static size_t record_bufs(size_t max_msg)
{
	if (max_msg >= RECORD_BUF_MAX / 4 - SKB_SLACK)
		return RECORD_BUF_MAX;
	if (4 * (max_msg + SKB_SLACK) > RECORD_BUF_MIN)
		return 4 * (max_msg + SKB_SLACK);
	return RECORD_BUF_MIN;
}

/* The largest record the sender's SO_SNDBUF lets through. */
static size_t record_limit(int fd)
{
	int snd = sk_getint(fd, SO_SNDBUF);

	return snd > RECORD_OVERHEAD ? (size_t)snd - RECORD_OVERHEAD : 0;
}

/* Can a record of @len bytes be sent now? Drops it again if so. */
static int record_fits(const int sv[2], const void *buf, size_t len)
{
	char c;

	if (send(sv[0], buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len)
		return 0;
	/* MSG_TRUNC into one byte: reads and discards the whole record. */
	recv(sv[1], &c, 1, MSG_DONTWAIT | MSG_TRUNC);
	return 1;
}

/*
 * The largest record a pair set up like ours carries: bounded by
 * SO_SNDBUF, then by the skb allocation, found by sending into a scratch
 * pair (binary search, once per type; empty queue, nothing blocks).
 */
static size_t probe_record_limit(enum sock_kind kind)
{
	size_t lo = 0, hi, mid;
	char *buf;
	int sv[2];

	if (socketpair(AF_UNIX, sock_type(kind) | SOCK_CLOEXEC, 0, sv))
		return 0;
	sk_setbufs(sv[0], RECORD_BUF_MAX);
	sk_setbufs(sv[1], RECORD_BUF_MAX);
	hi = record_limit(sv[0]);
	buf = calloc(1, hi ? hi : 1);
	if (!buf) {
		lo = hi;
		goto out;
	}
	if (record_fits(sv, buf, hi)) {
		lo = hi;
		goto out;
	}
	/* lo fits (an empty record always does), hi does not. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (record_fits(sv, buf, mid))
			lo = mid;
		else
			hi = mid;
	}
out:
	free(buf);
	close(sv[0]);
	close(sv[1]);
	return lo;
}

static size_t record_max_msg(const struct xport *x)
{
	static struct {
		int probed;
		size_t limit;
	} cache[2];			/* seqpacket, dgram */
	enum sock_kind kind = x->t == &transport_unix_dgram ? K_DGRAM :
							       K_SEQPACKET;
	int i = kind == K_DGRAM;

	if (!cache[i].probed) {
		cache[i].limit = probe_record_limit(kind);
		cache[i].probed = 1;
	}
	/* 0 (the probe could not run): let setup() tell. */
	return cache[i].limit;
}

static int unix_setup(struct xport *x, enum sock_kind kind, char *why,
		      size_t why_len)
{
	struct sock_priv *p = calloc(1, sizeof(*p));
	size_t bufs = kind == K_STREAM ? STREAM_BUF : record_bufs(x->max_msg);
	int ret, i;

	if (!p)
		return -ENOMEM;
	p->kind = kind;
	if (socketpair(AF_UNIX, sock_type(kind) | SOCK_CLOEXEC, 0, p->fd)) {
		ret = -errno;
		snprintf(why, why_len, "socketpair: %s", strerror(errno));
		free(p);
		return ret;
	}
	for (i = 0; i < 2; i++) {
		sk_setbufs(p->fd[i], bufs);
		p->bufs[i] = sk_bufs(p->fd[i]);
	}
	if (kind != K_STREAM && (record_limit(p->fd[0]) < x->max_msg ||
				 record_limit(p->fd[1]) < x->max_msg)) {
		snprintf(why, why_len,
			 "unsupported: %s message above %zu bytes (net.core.wmem_max)",
			 sock_type_name(kind), record_limit(p->fd[0]));
		close(p->fd[0]);
		close(p->fd[1]);
		free(p);
		return -EMSGSIZE;
	}
	x->priv = p;
	return 0;
}

static int tcp_fail(const char *what, int *fds, int nr, char *why,
		    size_t why_len)
{
	int ret = -errno;

	snprintf(why, why_len, "tcp-loopback: %s: %s", what, strerror(errno));
	while (nr--)
		if (fds[nr] >= 0)
			close(fds[nr]);
	return ret;
}

/*
 * Connect to a listener on an ephemeral port of 127.0.0.1 and accept,
 * before the fork: each side then closes the other side's socket.
 */
static int tcp_connect_pair(int fd[2], char *why, size_t why_len)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(sin);
	int fds[3] = { -1, -1, -1 };	/* listener, A's end, B's end */
	int one = 1, i;

	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fds[0] < 0)
		return tcp_fail("socket", fds, 3, why, why_len);
	if (bind(fds[0], (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fds[0], 1) ||
	    getsockname(fds[0], (struct sockaddr *)&sin, &len))
		return tcp_fail("listen on 127.0.0.1", fds, 3, why, why_len);
	fds[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fds[1] < 0)
		return tcp_fail("socket", fds, 3, why, why_len);
	/* Loopback: completes on the listener's backlog, no accept needed. */
	while (connect(fds[1], (struct sockaddr *)&sin, len))
		if (errno != EINTR)
			return tcp_fail("connect", fds, 3, why, why_len);
	do
		fds[2] = accept4(fds[0], NULL, NULL, SOCK_CLOEXEC);
	while (fds[2] < 0 && errno == EINTR);
	if (fds[2] < 0)
		return tcp_fail("accept", fds, 3, why, why_len);
	for (i = 1; i < 3; i++)
		if (setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one,
			       sizeof(one)))
			return tcp_fail("TCP_NODELAY", fds, 3, why, why_len);
	close(fds[0]);
	fd[0] = fds[1];
	fd[1] = fds[2];
	return 0;
}

static int tcp_setup(struct xport *x, char *why, size_t why_len)
{
	struct sock_priv *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	p->kind = K_TCP;
	ret = tcp_connect_pair(p->fd, why, why_len);
	if (ret) {
		free(p);
		return ret;
	}
	p->bufs[0] = sk_bufs(p->fd[0]);
	p->bufs[1] = sk_bufs(p->fd[1]);
	x->priv = p;
	return 0;
}

static int sock_attach(struct xport *x)
{
	struct sock_priv *p = x->priv;
	int me = x->side == SIDE_A ? 0 : 1;
	struct timeval tv = { .tv_sec = DGRAM_IDLE_SEC };

	close(p->fd[1 - me]);
	p->self = p->fd[me];
	/*
	 * A datagram socket sees no end of file when its peer goes away:
	 * wake up now and then to look (see dgram_peer_gone()).
	 */
	if (p->kind == K_DGRAM &&
	    setsockopt(p->self, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/* Both ends: this one now, the other one as it was set up. */
static size_t sock_ram(const struct xport *x)
{
	const struct sock_priv *p = x->priv;
	int me = x->side == SIDE_A ? 0 : 1;

	return sk_bufs(p->self) + p->bufs[1 - me];
}

static int stream_send(struct xport *x, const void *buf, size_t len)
{
	struct sock_priv *p = x->priv;

	return fd_write_all(p->self, buf, len, true);
}

static long stream_recv(struct xport *x, void *buf, size_t len)
{
	struct sock_priv *p = x->priv;

	return fd_read_exact(p->self, buf, len, true);
}

static int record_send(struct xport *x, const void *buf, size_t len)
{
	struct sock_priv *p = x->priv;
	struct timespec ms = { .tv_nsec = 1000000 };
	unsigned int tries = 0;
	ssize_t n;

	for (;;) {
		n = send(p->self, buf, len, MSG_NOSIGNAL);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0)		/* cannot happen to a record */
			return -EIO;
		if (errno == EINTR)
			continue;
		/* A large skb that could not be allocated: try again. */
		if (errno == ENOBUFS && tries++ < NOBUFS_RETRIES) {
			nanosleep(&ms, NULL);
			continue;
		}
		if (errno == ECONNREFUSED || errno == ECONNRESET)
			return -EPIPE;
		return -errno;
	}
}

/*
 * A datagram receiver idle for DGRAM_IDLE_SEC: is the peer still there?
 * An empty datagram to a closed peer fails with ECONNREFUSED; a live one
 * gets it, and its receiver skips empty datagrams (never a message: the
 * workloads send at least 8 bytes).
 */
static int dgram_peer_gone(int fd)
{
	if (send(fd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL) == 0)
		return 0;
	return errno == ECONNREFUSED || errno == ECONNRESET ||
	       errno == ENOTCONN || errno == EPIPE;
}

static long record_recv(struct xport *x, void *buf, size_t cap)
{
	struct sock_priv *p = x->priv;
	ssize_t n;

	for (;;) {
		/* MSG_TRUNC: the record's real length, even if cut. */
		n = recv(p->self, buf, cap, MSG_TRUNC);
		if (n > (ssize_t)cap)
			return -EMSGSIZE;
		if (n > 0)
			return n;
		if (n == 0) {
			if (p->kind == K_SEQPACKET)
				return -EPIPE;	/* end of file */
			continue;		/* a liveness probe */
		}
		if (errno == EINTR)
			continue;
		if (p->kind == K_DGRAM && errno == EAGAIN) {
			if (dgram_peer_gone(p->self))
				return -EPIPE;
			continue;
		}
		return -errno;
	}
}

static void sock_detach(struct xport *x)
{
	struct sock_priv *p = x->priv;

	close(p->self);
}

static void sock_teardown(struct xport *x)
{
	free(x->priv);
}

static int unix_stream_setup(struct xport *x, char *why, size_t why_len)
{
	return unix_setup(x, K_STREAM, why, why_len);
}

static int unix_seqpacket_setup(struct xport *x, char *why, size_t why_len)
{
	return unix_setup(x, K_SEQPACKET, why, why_len);
}

static int unix_dgram_setup(struct xport *x, char *why, size_t why_len)
{
	return unix_setup(x, K_DGRAM, why, why_len);
}

const struct transport transport_unix_stream = {
	.name = "unix-stream",
	.desc = "AF_UNIX SOCK_STREAM socketpair(2)",
	.copies = 2,
	.setup = unix_stream_setup,
	.attach = sock_attach,
	.send = stream_send,
	.recv = stream_recv,
	.ram = sock_ram,
	.detach = sock_detach,
	.teardown = sock_teardown,
};

const struct transport transport_unix_seqpacket = {
	.name = "unix-seqpacket",
	.desc = "AF_UNIX SOCK_SEQPACKET socketpair(2), one record per message",
	.copies = 2,
	.max_msg = record_max_msg,
	.setup = unix_seqpacket_setup,
	.attach = sock_attach,
	.send = record_send,
	.recv = record_recv,
	.ram = sock_ram,
	.detach = sock_detach,
	.teardown = sock_teardown,
};

const struct transport transport_unix_dgram = {
	.name = "unix-dgram",
	.desc = "AF_UNIX SOCK_DGRAM socketpair(2), one datagram per message",
	.copies = 2,
	.max_msg = record_max_msg,
	.setup = unix_dgram_setup,
	.attach = sock_attach,
	.send = record_send,
	.recv = record_recv,
	.ram = sock_ram,
	.detach = sock_detach,
	.teardown = sock_teardown,
};

const struct transport transport_tcp = {
	.name = "tcp-loopback",
	.desc = "TCP over 127.0.0.1, TCP_NODELAY (the network path, for reference)",
	.copies = 2,
	.setup = tcp_setup,
	.attach = sock_attach,
	.send = stream_send,
	.recv = stream_recv,
	.ram = sock_ram,
	.detach = sock_detach,
	.teardown = sock_teardown,
};
