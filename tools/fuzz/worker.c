// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/worker.c: one ramchan-fuzz worker process.
 *
 * Three threads share the worker's fds and mappings:
 *  - the caller makes the operations of ops.c, picked by weight, and
 *    counts their outcomes in its slot of the shared stats area; an
 *    interval timer interrupts whatever it blocks in (EINTR);
 *  - the scribbler writes random values into the ring mappings (head,
 *    reserve, tail, record headers, data), as a hostile peer would; a
 *    store into a mapping that was just unmapped or made read-only is
 *    caught (SIGSEGV/SIGBUS in this thread only) and skipped;
 *  - the closer closes fds, dup2()s one fd over another and unmaps
 *    mappings under the caller's feet.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/ramchan.h>

#include "fuzz.h"

#define BUF_SIZE	(64 << 10)

/* The scribbler's, for the duration of the thread: it never returns early. */
static __thread sigjmp_buf scribble_jb;
static __thread bool scribbling;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	(void)si;
	(void)uc;
	if (scribbling)
		siglongjmp(scribble_jb, 1);
	/* Not the scribbler: a real crash of ours, reported as such. */
	sigaction(sig, &dfl, NULL);
	raise(sig);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Interrupt a blocked call every few milliseconds: no call waits long. */
void fuzz_worker_timer(void)
{
	struct itimerval it = {
		.it_interval = { .tv_usec = 3000 },
		.it_value = { .tv_usec = 3000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

int fuzz_worker_add(struct fuzz_worker *w, int fd, enum fuzz_obj_kind kind)
{
	unsigned int i, start = fuzz_below(w, FUZZ_MAX_OBJS);
	int ret = -1;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < FUZZ_MAX_OBJS; i++) {
		struct fuzz_obj *o = &w->objs[(start + i) % FUZZ_MAX_OBJS];

		if (o->kind == OBJ_FREE) {
			o->fd = fd;
			o->kind = kind;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return ret;
}

int fuzz_worker_pick(struct fuzz_worker *w, enum fuzz_obj_kind kind)
{
	unsigned int i, start = fuzz_below(w, FUZZ_MAX_OBJS);
	int fd = -1;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < FUZZ_MAX_OBJS; i++) {
		struct fuzz_obj *o = &w->objs[(start + i) % FUZZ_MAX_OBJS];

		if (o->kind == kind) {
			fd = o->fd;
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return fd;
}

void fuzz_worker_add_map(struct fuzz_worker *w, void *addr, size_t len)
{
	struct fuzz_map *m;

	pthread_mutex_lock(&w->lock);
	m = &w->maps[fuzz_below(w, FUZZ_MAX_MAPS)];
	if (m->addr)	/* full: the old one goes */
		munmap(m->addr, m->len);
	m->addr = addr;
	m->len = len;
	pthread_mutex_unlock(&w->lock);
}

/* Hostile values for shared positions: near the truth, or anything. */
static uint64_t hostile_pos(struct fuzz_worker *w, uint64_t now)
{
	switch (fuzz_below(w, 4)) {
	case 0:
		return now + 8 * (fuzz_below(w, 64) - 32);
	case 1:
		return now + (1ULL << fuzz_below(w, 64));
	default:
		return fuzz_u64(w);
	}
}

static void *scribbler(void *arg)
{
	struct fuzz_worker *w = arg;

	scribbling = true;
	while (!w->stop) {
		struct fuzz_map m;
		uint64_t *volatile p;

		/* Copied under the lock; it may still go away meanwhile. */
		pthread_mutex_lock(&w->lock);
		m = w->maps[fuzz_below(w, FUZZ_MAX_MAPS)];
		pthread_mutex_unlock(&w->lock);
		if (!m.addr || m.len < 8) {
			usleep(1000);
			continue;
		}
		p = (uint64_t *)m.addr + fuzz_below(w, m.len / 8);
		if (fuzz_below(w, 4) == 0)
			p = (uint64_t *)m.addr + fuzz_below(w, 16);
		if (!sigsetjmp(scribble_jb, 1)) {
			*(volatile uint64_t *)p = hostile_pos(w, *p);
			w->slot->scribbles++;
		}
		if (fuzz_below(w, 64) == 0)
			usleep(500);
	}
	return NULL;
}

static void *closer(void *arg)
{
	struct fuzz_worker *w = arg;

	while (!w->stop) {
		struct fuzz_obj *a, *b;

		usleep(2000 + fuzz_below(w, 8000));
		pthread_mutex_lock(&w->lock);
		a = &w->objs[fuzz_below(w, FUZZ_MAX_OBJS)];
		b = &w->objs[fuzz_below(w, FUZZ_MAX_OBJS)];
		if (a->kind != OBJ_FREE && a->kind != OBJ_CTL) {
			if (b->kind != OBJ_FREE && b->kind != OBJ_CTL &&
			    a != b && fuzz_below(w, 4) == 0) {
				/* b's number now names a's file */
				dup2(a->fd, b->fd);
				b->kind = a->kind;
			} else {
				close(a->fd);
				a->kind = OBJ_FREE;
			}
		}
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

static int setup(struct fuzz_worker *w, struct fuzz_slot *slot, uint64_t seed)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	struct sigaction al = { .sa_handler = on_alarm };	/* no restart */
	struct ramchan_create c = { .kind = RAMCHAN_KIND_RING };
	char *mem;
	int fd;

	memset(w, 0, sizeof(*w));
	w->slot = slot;
	w->rng = seed | 1;
	w->page = sysconf(_SC_PAGESIZE);
	pthread_mutex_init(&w->lock, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGALRM, &al, NULL);
	signal(SIGPIPE, SIG_IGN);

	mem = mmap(NULL, BUF_SIZE + w->page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	w->buf = mem;
	w->none = mem + BUF_SIZE;
	if (mprotect(w->none, w->page, PROT_NONE))
		return -errno;

	w->ctl = open("/dev/ramchan", O_RDWR | O_CLOEXEC);
	if (w->ctl < 0)
		return -errno;
	fuzz_worker_add(w, w->ctl, OBJ_CTL);
	/* One of each to start with; the ops make more. */
	c.size = w->page;
	fd = ioctl(w->ctl, RAMCHAN_IOC_CREATE, &c);
	if (fd >= 0)
		fuzz_worker_add(w, fd, OBJ_RING);
	c = (struct ramchan_create){ .kind = RAMCHAN_KIND_MQ, .size = 256,
				     .mq_depth = 8 };
	fd = ioctl(w->ctl, RAMCHAN_IOC_CREATE, &c);
	if (fd >= 0)
		fuzz_worker_add(w, fd, OBJ_MQ);
	return 0;
}

static const struct fuzz_op *pick_op(struct fuzz_worker *w, unsigned int total,
				     unsigned int *index)
{
	unsigned int r = fuzz_below(w, total), i;

	for (i = 0; i < fuzz_nr_ops; i++) {
		if (r < fuzz_ops[i].weight)
			break;
		r -= fuzz_ops[i].weight;
	}
	*index = i;
	return &fuzz_ops[i];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run until @seconds have passed; never returns. */
void fuzz_worker_run(struct fuzz_slot *slot, uint64_t seed, double seconds)
{
	static struct fuzz_worker w;
	pthread_t scrib, clos;
	sigset_t alrm;
	unsigned int total = 0, i, op;
	double end = now_s() + seconds;
	long ret;
	int e;

	if (setup(&w, slot, seed)) {
		fprintf(stderr, "ramchan-fuzz: worker cannot start: %s (is ramchan loaded? /dev/ramchan)\n",
			strerror(errno));
		_exit(3);
	}
	for (i = 0; i < fuzz_nr_ops; i++)
		total += fuzz_ops[i].weight;

	/* The helpers never take the timer's signal: only the caller does. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	pthread_create(&scrib, NULL, scribbler, &w);
	pthread_create(&clos, NULL, closer, &w);
	pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	fuzz_worker_timer();

	while (now_s() < end) {
		const struct fuzz_op *o = pick_op(&w, total, &op);

		slot->op = op;
		ret = o->fn(&w);
		e = ret < 0 ? (int)-ret : 0;
		if (e >= FUZZ_MAX_ERRNO)
			e = FUZZ_MAX_ERRNO - 1;
		slot->outcomes[op][e / 64] |= 1ULL << (e % 64);
		slot->op_calls[op]++;
		slot->calls++;
		slot->heartbeat++;
	}
	w.stop = true;
	_exit(0);
}
