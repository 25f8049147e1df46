// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan ring transports: two rings (one per direction), driven through
 * libramchan's inline fast path in three waiting modes, or through
 * read()/write() on the ring fds (a copy through the kernel each way).
 * ramchan-ring-zc spins like ramchan-ring-spin but uses the rings in
 * place: the sender builds each message in its reservation, the receiver
 * verifies it where it lies, no copy on either side (a pingpong echo
 * copies once, from one ring to the other).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ramchan.h"
#include "transport.h"

enum ring_mode { MODE_SPIN, MODE_BLOCK, MODE_HYBRID, MODE_SYSCALL, MODE_ZC };

/* Spin "forever" (an hour) in spin mode; 50 us in hybrid mode. */
#define SPIN_FOREVER_NS	(3600ULL * 1000000000ULL)
#define HYBRID_SPIN_NS	50000ULL

struct ring_priv {
	enum ring_mode mode;
	uint64_t ring_bytes;	/* data bytes of each ring */
	int prod_fd[2];		/* a2b, b2a */
	int cons_fd[2];
	struct ramchan_ring tx, rx;
	struct ramchan_resv resv;	/* zero-copy: the open reservation */
	struct ramchan_rec rec;		/* ... and the record being read */
	int tx_fd, rx_fd;
};

static uint64_t ring_bytes(size_t max_msg)
{
	uint64_t size = 64 * 1024;

	while (size < 4 * (max_msg + 16))
		size <<= 1;
	return size;
}

static int ring_setup(struct xport *x, enum ring_mode mode, char *why,
		      size_t why_len)
{
	struct ring_priv *p = calloc(1, sizeof(*p));
	int ctl, fd, i;

	if (!p)
		return -ENOMEM;
	p->mode = mode;
	ctl = ramchan_open_dev();
	if (ctl < 0) {
		snprintf(why, why_len, "/dev/ramchan: %s (module not loaded?)",
			 strerror(-ctl));
		free(p);
		return -ENOTSUP;
	}
	p->ring_bytes = ring_bytes(x->max_msg);
	for (i = 0; i < 2; i++) {
		fd = ramchan_ring_create(ctl, NULL, p->ring_bytes, 0,
					 RAMCHAN_ROLE_BOTH, 0);
		if (fd < 0) {
			snprintf(why, why_len, "create ring: %s",
				 strerror(-fd));
			close(ctl);
			free(p);
			return fd;
		}
		p->prod_fd[i] = ramchan_chan_dup(fd, RAMCHAN_ROLE_PRODUCER, 0);
		p->cons_fd[i] = ramchan_chan_dup(fd, RAMCHAN_ROLE_CONSUMER, 0);
		close(fd);
	}
	close(ctl);
	x->priv = p;
	return 0;
}

static int ring_attach(struct xport *x)
{
	struct ring_priv *p = x->priv;
	int out = x->side == SIDE_A ? 0 : 1, in = 1 - out, ret;
	uint64_t spin = 0;

	close(p->prod_fd[in]);
	close(p->cons_fd[out]);
	p->tx_fd = p->prod_fd[out];
	p->rx_fd = p->cons_fd[in];
	if (p->mode == MODE_SYSCALL)
		return 0;
	ret = ramchan_ring_map(&p->tx, p->tx_fd);
	if (ret)
		return ret;
	ret = ramchan_ring_map(&p->rx, p->rx_fd);
	if (ret)
		return ret;
	if (p->mode == MODE_SPIN || p->mode == MODE_ZC)
		spin = SPIN_FOREVER_NS;
	else if (p->mode == MODE_HYBRID)
		spin = HYBRID_SPIN_NS;
	ramchan_ring_set_spin(&p->tx, spin);
	ramchan_ring_set_spin(&p->rx, spin);
	return 0;
}

/* Two rings: their data pages (the control pages are 3 more each). */
static size_t ring_ram(const struct xport *x)
{
	const struct ring_priv *p = x->priv;

	return 2 * (p->ring_bytes + 3 * (size_t)sysconf(_SC_PAGESIZE));
}

static size_t ring_max_msg(const struct xport *x)
{
	(void)x;
	/* Any size: the ring is sized from the workload's largest message. */
	return 0;
}

static int ring_send(struct xport *x, const void *buf, size_t len)
{
	struct ring_priv *p = x->priv;
	ssize_t n;

	if (p->mode != MODE_SYSCALL)
		return ramchan_ring_send(&p->tx, buf, len, 0);
	n = write(p->tx_fd, buf, len);
	return n < 0 ? -errno : 0;
}

static long ring_recv(struct xport *x, void *buf, size_t cap)
{
	struct ring_priv *p = x->priv;
	ssize_t n;

	if (p->mode != MODE_SYSCALL)
		return ramchan_ring_recv(&p->rx, buf, cap, 0);
	n = read(p->rx_fd, buf, cap);
	return n < 0 ? -errno : n;
}

static int ring_reserve(struct xport *x, size_t len, void **data)
{
	struct ring_priv *p = x->priv;
	int ret = ramchan_ring_reserve_wait(&p->tx, len, &p->resv, 0);

	*data = p->resv.data;
	return ret;
}

static int ring_commit(struct xport *x)
{
	struct ring_priv *p = x->priv;

	ramchan_ring_commit(&p->tx, &p->resv);
	return 0;
}

static long ring_peek(struct xport *x, const void **data)
{
	struct ring_priv *p = x->priv;
	int ret = ramchan_ring_peek_wait(&p->rx, &p->rec, 0);

	*data = p->rec.data;
	return ret ? ret : (long)p->rec.len;
}

static void ring_release(struct xport *x)
{
	struct ring_priv *p = x->priv;

	ramchan_ring_consume(&p->rx, &p->rec);
}

static void ring_detach(struct xport *x)
{
	struct ring_priv *p = x->priv;

	if (p->mode != MODE_SYSCALL) {
		ramchan_ring_unmap(&p->tx);
		ramchan_ring_unmap(&p->rx);
	}
	close(p->tx_fd);
	close(p->rx_fd);
}

static void ring_teardown(struct xport *x)
{
	free(x->priv);
}

#define RING_TRANSPORT(_var, _name, _mode, _desc)			\
static int _var##_setup(struct xport *x, char *why, size_t why_len)	\
{									\
	return ring_setup(x, _mode, why, why_len);			\
}									\
const struct transport _var = {						\
	.name = _name,							\
	.desc = _desc,							\
	.copies = 2,							\
	.needs_module = 1,						\
	.max_msg = ring_max_msg,						\
	.ram = ring_ram,						\
	.setup = _var##_setup,						\
	.attach = ring_attach,						\
	.send = ring_send,						\
	.recv = ring_recv,						\
	.detach = ring_detach,						\
	.teardown = ring_teardown,					\
}

static int transport_ramchan_ring_zc_setup(struct xport *x, char *why,
					    size_t why_len)
{
	return ring_setup(x, MODE_ZC, why, why_len);
}

const struct transport transport_ramchan_ring_zc = {
	.name = "ramchan-ring-zc",
	.desc = "ramchan mmap'd ring, spinning, messages built and read in place",
	.copies = 0,
	.needs_module = 1,
	.max_msg = ring_max_msg,
	.ram = ring_ram,
	.setup = transport_ramchan_ring_zc_setup,
	.attach = ring_attach,
	.send = ring_send,
	.recv = ring_recv,
	.reserve = ring_reserve,
	.commit = ring_commit,
	.peek = ring_peek,
	.release = ring_release,
	.detach = ring_detach,
	.teardown = ring_teardown,
};

RING_TRANSPORT(transport_ramchan_ring_spin, "ramchan-ring-spin", MODE_SPIN,
	       "ramchan mmap'd ring, spinning, no syscall");
RING_TRANSPORT(transport_ramchan_ring_block, "ramchan-ring-block", MODE_BLOCK,
	       "ramchan mmap'd ring, sleeps in WAIT when it must");
RING_TRANSPORT(transport_ramchan_ring_hybrid, "ramchan-ring-hybrid",
	       MODE_HYBRID, "ramchan mmap'd ring, spins 50 us then sleeps");
RING_TRANSPORT(transport_ramchan_ring_syscall, "ramchan-ring-rw",
	       MODE_SYSCALL, "ramchan ring through read()/write()");
