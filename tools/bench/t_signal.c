// SPDX-License-Identifier: GPL-2.0
/*
 * Realtime signal transports: sigqueue() to the peer, sigtimedwait() (the
 * sigwaitinfo() that wakes every second to see whether the peer died) with
 * the signals blocked, from before the fork until detach.
 *
 *   signal-value  the payload is the signal's value: sizeof(void *) bytes
 *                 (8 on 64-bit), copied into the kernel's queue entry and
 *                 out again (copies = 2). The message length rides in the
 *                 signal number, SIGRTMIN + 8 - length, so the workloads'
 *                 8-byte messages all use SIGRTMIN. Realtime signals queue
 *                 in order, but the kernel hands out the lowest-numbered
 *                 pending one first: messages of different lengths sent
 *                 back to back may overtake each other (the workloads use
 *                 one size per run).
 *   signal-shm    the payload goes through the shared-memory ring of
 *                 shm_ring.h (any size) and every message is announced by
 *                 one signal, taken by the receiver before the message:
 *                 the plain way to use signals as notification, measuring
 *                 the cost of one signal delivery per message. Only a
 *                 sender facing a full ring uses a waiter word, so that the
 *                 receiver signals it only then.
 *
 * Realtime signals queue up to RLIMIT_SIGPENDING (per user); a sigqueue()
 * that fails with EAGAIN is retried after a short sleep, never dropped.
 * Side B knows side A as its parent; side A learns B's pid from the si_pid
 * of a hello signal B sends in attach. Signals from anyone else are
 * ignored.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring.h"
#include "transport.h"

/* Signals, as offsets from SIGRTMIN. */
#define VALUE_BYTES	sizeof(((union sigval *)0)->sival_ptr)
#define SIG_DATA	0	/* signal-value: 0 to VALUE_BYTES; shm: 0 */
#define SIG_SPACE	1	/* signal-shm: room in a full ring */
#define SIG_HELLO	9	/* B to A in attach: B's pid */
#define NR_SIGS		10

struct sig_priv {
	bool shm;
	int base;			/* SIGRTMIN */
	sigset_t all, data, space, hello;
	sigset_t oldmask;
	struct sigaction oldact[NR_SIGS];
	pid_t a_pid;
	/* This side: */
	enum side me;
	pid_t peer;
	/* signal-shm */
	struct shm_ring *ring[2];	/* a2b, b2a */
	size_t map_len;
	struct shm_ring *tx, *rx;
	uint64_t cached_tail, cached_head;
};

static int sig_send(struct sig_priv *p, int off, union sigval v)
{
	while (sigqueue(p->peer, p->base + off, v)) {
		if (errno != EAGAIN)
			return -errno;
		/* The peer's queue is full: give it time to drain. */
		if (peer_gone(p->me, p->peer))
			return -EPIPE;
		usleep(50);
	}
	return 0;
}

/* Take one signal of @set that the peer queued; 0 or -errno. */
static int sig_take(struct sig_priv *p, const sigset_t *set, siginfo_t *si)
{
	static const struct timespec second = { .tv_sec = 1 };

	for (;;) {
		if (sigtimedwait(set, si, &second) > 0) {
			if (si->si_code == SI_QUEUE && si->si_pid == p->peer)
				return 0;
			continue;	/* not the peer's */
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		if (peer_gone(p->me, p->peer))
			return -EPIPE;
	}
}

static int sig_setup(struct xport *x, bool shm, char *why, size_t why_len)
{
	struct sig_priv *p = calloc(1, sizeof(*p));
	uint64_t size = ring_bytes(x->max_msg);
	int i, err;

	if (!p)
		return -ENOMEM;
	p->shm = shm;
	p->base = SIGRTMIN;
	if (p->base + NR_SIGS - 1 > SIGRTMAX) {
		snprintf(why, why_len, "needs %d realtime signals", NR_SIGS);
		free(p);
		return -ENOTSUP;
	}
	sigemptyset(&p->all);
	sigemptyset(&p->data);
	sigemptyset(&p->space);
	sigemptyset(&p->hello);
	for (i = 0; i < NR_SIGS; i++)
		sigaddset(&p->all, p->base + i);
	if (shm) {
		sigaddset(&p->data, p->base + SIG_DATA);
		sigaddset(&p->space, p->base + SIG_SPACE);
	} else {
		for (i = 0; i <= (int)VALUE_BYTES; i++)
			sigaddset(&p->data, p->base + SIG_DATA + i);
	}
	sigaddset(&p->hello, p->base + SIG_HELLO);

	if (shm) {
		p->map_len = ring_map_len(size);
		for (i = 0; i < 2; i++) {
			p->ring[i] = mmap(NULL, p->map_len,
					  PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
			if (p->ring[i] == MAP_FAILED) {
				err = errno;
				snprintf(why, why_len, "mmap: %s",
					 strerror(err));
				if (i)
					munmap(p->ring[0], p->map_len);
				free(p);
				return -err;
			}
			p->ring[i]->size = size;
		}
	}
	for (i = 0; i < NR_SIGS; i++)
		sigaction(p->base + i, NULL, &p->oldact[i]);
	/* Before the fork: nothing the peer sends may find them unblocked. */
	sigprocmask(SIG_BLOCK, &p->all, &p->oldmask);
	p->a_pid = getpid();
	x->priv = p;
	return 0;
}

/* Side A: wait for B's hello, or for the child to have died. */
static int sig_hello(struct sig_priv *p)
{
	static const struct timespec second = { .tv_sec = 1 };
	siginfo_t si;

	for (;;) {
		if (sigtimedwait(&p->hello, &si, &second) > 0) {
			if (si.si_code != SI_QUEUE)
				continue;
			p->peer = si.si_pid;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		si.si_pid = 0;
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) ||
		    si.si_pid)
			return -EPIPE;
	}
}

static int sig_attach(struct xport *x)
{
	struct sig_priv *p = x->priv;
	union sigval v = { .sival_ptr = NULL };

	p->me = x->side;
	p->tx = p->ring[x->side == SIDE_A ? 0 : 1];
	p->rx = p->ring[x->side == SIDE_A ? 1 : 0];
	if (x->side == SIDE_A)
		return sig_hello(p);
	p->peer = getppid();
	if (p->peer != p->a_pid)
		return -EPIPE;
	return sig_send(p, SIG_HELLO, v);
}

static int value_send(struct sig_priv *p, const void *buf, size_t len)
{
	union sigval v;

	if (len > VALUE_BYTES)
		return -EMSGSIZE;
	memset(&v, 0, sizeof(v));
	memcpy(&v, buf, len);
	return sig_send(p, SIG_DATA + VALUE_BYTES - len, v);
}

static long value_recv(struct sig_priv *p, void *buf, size_t cap)
{
	siginfo_t si;
	size_t len;
	int ret;

	ret = sig_take(p, &p->data, &si);
	if (ret)
		return ret;
	len = VALUE_BYTES - (si.si_signo - p->base - SIG_DATA);
	if (len > cap)
		return -EMSGSIZE;
	memcpy(buf, &si.si_value, len);
	return len;
}

static int shm_sig_send(struct sig_priv *p, const void *buf, size_t len)
{
	union sigval v = { .sival_ptr = NULL };
	struct shm_ring *r = p->tx;
	uint64_t total = ring_record(len);
	siginfo_t si;
	int ret;

	if (total > r->size)
		return -EMSGSIZE;
	while (!ring_room(r, &p->cached_tail, total)) {
		/* Full: ask for a signal when there is room, look again. */
		__atomic_store_n(&r->space_waiter, 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (ring_room(r, &p->cached_tail, total)) {
			__atomic_store_n(&r->space_waiter, 0,
					 __ATOMIC_RELAXED);
			break;
		}
		ret = sig_take(p, &p->space, &si);
		if (ret)
			return ret;
	}
	ring_put(r, buf, len);
	return sig_send(p, SIG_DATA, v);
}

static long shm_sig_recv(struct sig_priv *p, void *buf, size_t cap)
{
	union sigval v = { .sival_ptr = NULL };
	struct shm_ring *r = p->rx;
	siginfo_t si;
	long n;
	int ret;

	/* One signal per message, taken even if the message is there. */
	ret = sig_take(p, &p->data, &si);
	if (ret)
		return ret;
	if (!ring_ready(r, &p->cached_head))
		return -EPROTO;		/* a doorbell without a message */
	n = ring_get(r, buf, cap);
	if (n < 0)
		return n;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->space_waiter, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&r->space_waiter, 0, __ATOMIC_ACQ_REL)) {
		ret = sig_send(p, SIG_SPACE, v);
		if (ret)
			return ret;
	}
	return n;
}

static int sig_xsend(struct xport *x, const void *buf, size_t len)
{
	struct sig_priv *p = x->priv;

	return p->shm ? shm_sig_send(p, buf, len) : value_send(p, buf, len);
}

static long sig_xrecv(struct xport *x, void *buf, size_t cap)
{
	struct sig_priv *p = x->priv;

	return p->shm ? shm_sig_recv(p, buf, cap) : value_recv(p, buf, cap);
}

static size_t value_max_msg(const struct xport *x)
{
	(void)x;
	return VALUE_BYTES;
}

/*
 * signal-value holds no memory of its own: the kernel allocates a queue
 * entry per pending signal (0: unknown). signal-shm: its two rings.
 */
static size_t sig_ram(const struct xport *x)
{
	const struct sig_priv *p = x->priv;

	return p->shm ? 2 * p->map_len : 0;
}

/*
 * Ignore our signals, which discards any still pending (a stale "space"
 * doorbell) and any the peer may yet send, then restore the mask; their
 * dispositions come back in teardown, once the child is gone.
 */
static void sig_detach(struct xport *x)
{
	struct sig_priv *p = x->priv;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	int i;

	for (i = 0; i < NR_SIGS; i++)
		sigaction(p->base + i, &ign, NULL);
	sigprocmask(SIG_SETMASK, &p->oldmask, NULL);
}

static void sig_teardown(struct xport *x)
{
	struct sig_priv *p = x->priv;
	int i;

	sig_detach(x);		/* again, in case attach failed */
	for (i = 0; i < NR_SIGS; i++)
		sigaction(p->base + i, &p->oldact[i], NULL);
	if (p->shm) {
		munmap(p->ring[0], p->map_len);
		munmap(p->ring[1], p->map_len);
	}
	free(p);
}

static int value_setup(struct xport *x, char *why, size_t why_len)
{
	return sig_setup(x, false, why, why_len);
}

static int shm_sig_setup(struct xport *x, char *why, size_t why_len)
{
	return sig_setup(x, true, why, why_len);
}

const struct transport transport_signal_value = {
	.name = "signal-value",
	.desc = "payload in an rt signal's value (8 bytes), sigqueue/sigwaitinfo",
	.copies = 2,
	.max_msg = value_max_msg,
	.setup = value_setup,
	.attach = sig_attach,
	.send = sig_xsend,
	.recv = sig_xrecv,
	.ram = sig_ram,
	.detach = sig_detach,
	.teardown = sig_teardown,
};

const struct transport transport_signal_shm = {
	.name = "signal-shm",
	.desc = "shm ring, one rt signal per message (measures signal delivery)",
	.copies = 2,
	.setup = shm_sig_setup,
	.attach = sig_attach,
	.send = sig_xsend,
	.recv = sig_xrecv,
	.ram = sig_ram,
	.detach = sig_detach,
	.teardown = sig_teardown,
};
