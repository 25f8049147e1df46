// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/ops.c: the calls ramchan-fuzz makes, one per entry point of
 * the module, with arguments drawn from interesting sets: boundaries of
 * every size and limit, every flag bit, bad pointers (NULL, low, kernel,
 * PROT_NONE, straddling into PROT_NONE), pointers into the worker's own
 * ring mappings, nonzero reserved fields, random command numbers of our
 * ioctl type. Blocking calls are cut short by the worker's interval timer
 * (EINTR) or by near deadlines, so no call waits long.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ramchan.h>

#include "fuzz.h"

/* xorshift64*: fast, and a seed reproduces a worker's sequence. */
uint64_t fuzz_rand(struct fuzz_worker *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dULL;
}

uint64_t fuzz_below(struct fuzz_worker *w, uint64_t n)
{
	return n ? fuzz_rand(w) % n : 0;
}

static bool chance(struct fuzz_worker *w, unsigned int percent)
{
	return fuzz_below(w, 100) < percent;
}

/* Boundaries of every size, position and limit the ABI has. */
uint64_t fuzz_u64(struct fuzz_worker *w)
{
	static const uint64_t interesting[] = {
		0, 1, 2, 3, 7, 8, 9, 15, 16, 63, 64, 65, 255, 256, 4095, 4096,
		4097, 8192, 65535, 65536, 1 << 20, (1 << 20) + 1, 64 << 20,
		(64 << 20) + 1, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
		~0ULL - 7, ~0ULL,
	};
	uint64_t v;

	switch (fuzz_below(w, 4)) {
	case 0:
		return fuzz_rand(w);
	case 1:
		v = interesting[fuzz_below(w, sizeof(interesting) / 8)];
		return v + fuzz_below(w, 3) - 1;
	default:
		return interesting[fuzz_below(w, sizeof(interesting) / 8)];
	}
}

static uint32_t small_size(struct fuzz_worker *w)
{
	return chance(w, 80) ? fuzz_below(w, 600) : (uint32_t)fuzz_u64(w);
}

static unsigned int flags32(struct fuzz_worker *w, unsigned int known)
{
	if (chance(w, 80))
		return fuzz_rand(w) & known;
	return 1u << fuzz_below(w, 32);
}

/* A pointer the kernel must survive: good, bad, or into our own rings. */
static uint64_t user_ptr(struct fuzz_worker *w, size_t len)
{
	struct fuzz_map *m;

	switch (fuzz_below(w, 10)) {
	case 0:
		return 0;
	case 1:
		return 16;
	case 2:
		return 0xffff888000000000ULL + fuzz_below(w, 1 << 20);
	case 3:
		return (uintptr_t)w->none;
	case 4:	/* straddles into the PROT_NONE page */
		return (uintptr_t)w->none - (len > 1 ? len / 2 : 1);
	case 5:
	case 6:
		m = &w->maps[fuzz_below(w, FUZZ_MAX_MAPS)];
		if (m->addr)
			return (uintptr_t)m->addr + fuzz_below(w, m->len);
		/* fall through */
	default:
		return (uintptr_t)w->buf + fuzz_below(w, 4096);
	}
}

/*
 * A pointer for the kernel to write @*len bytes to: a good one has room
 * for them (a read into a ring mapping stops at its end, not in our heap),
 * a bad one faults. @buf is followed by the PROT_NONE page.
 */
static uint64_t out_ptr(struct fuzz_worker *w, uint64_t *len)
{
	uint64_t p = user_ptr(w, *len);
	unsigned int i;

	for (i = 0; i < FUZZ_MAX_MAPS; i++) {
		uint64_t a = (uintptr_t)w->maps[i].addr;

		if (a && p >= a && p < a + w->maps[i].len &&
		    *len > a + w->maps[i].len - p)
			*len = a + w->maps[i].len - p;
	}
	return p;
}

static int some_fd(struct fuzz_worker *w, enum fuzz_obj_kind kind)
{
	int fd = fuzz_worker_pick(w, kind);

	if (fd < 0 || chance(w, 3))
		/* Any number but stdin, stdout and stderr. */
		fd = chance(w, 50) ? w->ctl : 3 + (int)fuzz_below(w, 64);
	return fd;
}

static long ret_of(long r)
{
	return r < 0 ? -errno : r;
}

static const char *const names[] = { "fz0", "fz1", "fz2", "", "fz/x",
	"fz-a-name-of-exactly-sixty-three-bytes-xxxxxxxxxxxxxxxxxxxxxxxxx",
	"fz-a-name-of-exactly-sixty-four-bytes-xxxxxxxxxxxxxxxxxxxxxxxxxx",
};

static uint64_t name_ptr(struct fuzz_worker *w)
{
	if (chance(w, 15))
		return user_ptr(w, 64);
	return (uintptr_t)names[fuzz_below(w, sizeof(names) / sizeof(names[0]))];
}

static long op_create(struct fuzz_worker *w)
{
	static const uint32_t depths[] = { 0, 1, 2, 64, 65536, 65537 };
	struct ramchan_create c = {
		.kind = chance(w, 90) ? 1 + fuzz_below(w, 2) : fuzz_u64(w),
		.flags = flags32(w, RAMCHAN_F_NOCLOEXEC | RAMCHAN_F_NONBLOCK),
		.name = chance(w, 50) ? 0 : name_ptr(w),
		.role = chance(w, 70) ? fuzz_below(w, 4) : fuzz_u64(w),
	};
	long fd;

	if (c.kind == RAMCHAN_KIND_RING) {
		c.size = chance(w, 80) ? (uint64_t)w->page << fuzz_below(w, 6) :
					 fuzz_u64(w);
	} else {
		c.size = small_size(w) + chance(w, 90);
		c.mq_depth = chance(w, 80) ? 1 + fuzz_below(w, 16) :
			     depths[fuzz_below(w, 6)];
		c.mq_overflow = chance(w, 90) ? fuzz_below(w, 3) : fuzz_u64(w);
		c.mq_spin_us = chance(w, 70) ? 0 : fuzz_below(w, 20000);
	}
	if (c.name)
		c.mode = chance(w, 80) ? 0600 : fuzz_u64(w);
	if (chance(w, 3))
		c.reserved[fuzz_below(w, 2)] = fuzz_u64(w);
	if (chance(w, 3))
		c.mq_reserved = 1;
	fd = ret_of(ioctl(w->ctl, RAMCHAN_IOC_CREATE, &c));
	if (fd >= 0 && fuzz_worker_add(w, fd, c.kind == RAMCHAN_KIND_RING ?
				       OBJ_RING : OBJ_MQ))
		close(fd);
	return fd < 0 ? fd : 0;
}

static long op_open(struct fuzz_worker *w)
{
	struct ramchan_open o = {
		.name = name_ptr(w), .role = fuzz_below(w, 5),
		.flags = flags32(w, 3),
	};
	long fd = ret_of(ioctl(some_fd(w, OBJ_CTL), RAMCHAN_IOC_OPEN, &o));

	/* The kind is found out by the ops that use it. */
	if (fd >= 0 && fuzz_worker_add(w, fd, chance(w, 50) ? OBJ_RING : OBJ_MQ))
		close(fd);
	return fd < 0 ? fd : 0;
}

static long op_unlink(struct fuzz_worker *w)
{
	struct ramchan_unlink u = { .name = name_ptr(w) };

	if (chance(w, 3))
		u.reserved = 1;
	return ret_of(ioctl(w->ctl, RAMCHAN_IOC_UNLINK, &u));
}

static long op_info(struct fuzz_worker *w)
{
	struct ramchan_info info = { .flags = chance(w, 90) ? 0 : 1 };

	return ret_of(ioctl(some_fd(w, OBJ_CTL), RAMCHAN_IOC_INFO,
			    chance(w, 90) ? (void *)&info :
					    (void *)(uintptr_t)user_ptr(w, 72)));
}

static long op_dup(struct fuzz_worker *w)
{
	enum fuzz_obj_kind kind = chance(w, 50) ? OBJ_RING : OBJ_MQ;
	struct ramchan_dup d = {
		.role = fuzz_below(w, 5), .flags = flags32(w, 3),
		.reserved = chance(w, 3),
	};
	long fd = ret_of(ioctl(some_fd(w, kind), RAMCHAN_IOC_DUP, &d));

	if (fd >= 0 && fuzz_worker_add(w, fd, kind))
		close(fd);
	return fd < 0 ? fd : 0;
}

static long op_layout(struct fuzz_worker *w)
{
	struct ramchan_ring_layout l;

	return ret_of(ioctl(some_fd(w, OBJ_RING), RAMCHAN_IOC_RING_LAYOUT,
			    chance(w, 90) ? (void *)&l :
					    (void *)(uintptr_t)user_ptr(w, 120)));
}

static uint64_t near_deadline(struct fuzz_worker *w)
{
	struct timespec ts;

	if (chance(w, 20))
		return chance(w, 50) ? 0 : fuzz_u64(w);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec +
	       fuzz_below(w, 20 * 1000 * 1000);
}

static long op_wait(struct fuzz_worker *w)
{
	struct ramchan_wait wt = {
		.what = fuzz_below(w, 4), .flags = chance(w, 95) ? 0 : 1,
		.expected = chance(w, 50) ? fuzz_below(w, 1 << 16) : fuzz_u64(w),
		.deadline_ns = near_deadline(w),
	};

	return ret_of(ioctl(some_fd(w, OBJ_RING), RAMCHAN_IOC_WAIT, &wt));
}

static long op_wake(struct fuzz_worker *w)
{
	return ret_of(ioctl(some_fd(w, OBJ_RING), RAMCHAN_IOC_WAKE,
			    chance(w, 80) ? fuzz_below(w, 4) : fuzz_u64(w)));
}

/* Map one region at a layout offset (or a bad one), any protection. */
static long op_mmap(struct fuzz_worker *w)
{
	int fd = some_fd(w, OBJ_RING);
	struct ramchan_ring_layout l = { 0 };
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
		PROT_WRITE, PROT_READ | PROT_EXEC, PROT_NONE };
	uint64_t off, len;
	void *p;

	ioctl(fd, RAMCHAN_IOC_RING_LAYOUT, &l);
	switch (fuzz_below(w, 6)) {
	case 0:
		off = l.info_offset, len = l.info_size;
		break;
	case 1:
		off = l.producer_offset, len = l.producer_size;
		break;
	case 2:
		off = l.consumer_offset, len = l.consumer_size;
		break;
	case 3:
		off = l.data_offset, len = l.data_map_size;
		break;
	case 4:	/* a part of the data, or past it */
		off = l.data_offset + w->page * fuzz_below(w, 4);
		len = w->page * (1 + fuzz_below(w, 4));
		break;
	default:
		off = fuzz_u64(w) & ~(uint64_t)(w->page - 1);
		len = fuzz_u64(w) % (1 << 24);
		break;
	}
	p = mmap(NULL, len, prots[fuzz_below(w, 5)],
		 chance(w, 90) ? MAP_SHARED : MAP_PRIVATE, fd, off);
	if (p == MAP_FAILED)
		return -errno;
	fuzz_worker_add_map(w, p, len);
	return 0;
}

static struct fuzz_map *some_map(struct fuzz_worker *w)
{
	struct fuzz_map *m = &w->maps[fuzz_below(w, FUZZ_MAX_MAPS)];

	return m->addr ? m : NULL;
}

/* mprotect, mremap, madvise, msync on a ring mapping. */
static long op_vm(struct fuzz_worker *w)
{
	static const int advice[] = { MADV_DONTNEED, MADV_WILLNEED,
		MADV_DONTFORK, MADV_DOFORK, MADV_FREE, MADV_REMOVE,
		MADV_HUGEPAGE, MADV_COLD, MADV_PAGEOUT, 22 /* POPULATE_READ */,
		23 /* POPULATE_WRITE */ };
	struct fuzz_map *m;
	long r;
	void *p;

	pthread_mutex_lock(&w->lock);
	m = some_map(w);
	if (!m) {
		pthread_mutex_unlock(&w->lock);
		return -ENOENT;
	}
	switch (fuzz_below(w, 4)) {
	case 0:
		r = ret_of(mprotect(m->addr, m->len, fuzz_below(w, 8)));
		break;
	case 1:
		p = mremap(m->addr, m->len, m->len + w->page * fuzz_below(w, 3),
			   MREMAP_MAYMOVE);
		r = p == MAP_FAILED ? -errno : 0;
		if (!r)
			m->addr = p;
		break;
	case 2:
		r = ret_of(madvise(m->addr, m->len, advice[fuzz_below(w, 11)]));
		break;
	default:
		r = ret_of(msync(m->addr, m->len, MS_SYNC));
		break;
	}
	pthread_mutex_unlock(&w->lock);
	return r;
}

static long op_munmap(struct fuzz_worker *w)
{
	struct fuzz_map *m;
	long r;

	pthread_mutex_lock(&w->lock);
	m = some_map(w);
	r = m ? ret_of(munmap(m->addr, m->len)) : -ENOENT;
	if (m)
		m->addr = NULL;
	pthread_mutex_unlock(&w->lock);
	return r;
}

static long op_read(struct fuzz_worker *w)
{
	uint64_t len = chance(w, 80) ? fuzz_below(w, 5000) : fuzz_u64(w);
	uint64_t p = out_ptr(w, &len);

	return ret_of(read(some_fd(w, OBJ_RING), (void *)(uintptr_t)p, len));
}

static long op_write(struct fuzz_worker *w)
{
	size_t len = chance(w, 80) ? fuzz_below(w, 5000) : fuzz_u64(w);

	return ret_of(write(some_fd(w, chance(w, 80) ? OBJ_RING : OBJ_MQ),
			    (void *)(uintptr_t)user_ptr(w, len), len));
}

static long op_poll(struct fuzz_worker *w)
{
	struct pollfd p[3];
	int i;

	for (i = 0; i < 3; i++) {
		p[i].fd = some_fd(w, i == 1 ? OBJ_MQ : OBJ_RING);
		p[i].events = fuzz_rand(w);
	}
	return ret_of(poll(p, 3, fuzz_below(w, 3)));
}

static long op_epoll(struct fuzz_worker *w)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	long r;

	if (ep < 0)
		return -errno;
	if (chance(w, 50))
		ev.events |= EPOLLET;
	epoll_ctl(ep, EPOLL_CTL_ADD, some_fd(w, OBJ_RING), &ev);
	epoll_ctl(ep, EPOLL_CTL_ADD, some_fd(w, OBJ_MQ), &ev);
	r = ret_of(epoll_wait(ep, &ev, 1, fuzz_below(w, 3)));
	close(ep);
	return r;
}

static void fill_msg(struct fuzz_worker *w, struct ramchan_mq_msg *m)
{
	uint64_t len = small_size(w);

	m->buf = out_ptr(w, &len);
	m->len = len;
	m->prio = chance(w, 80) ? fuzz_below(w, 8) : fuzz_u64(w);
	m->flags = flags32(w, RAMCHAN_MQ_NONBLOCK | RAMCHAN_MQ_SPIN |
				 RAMCHAN_MQ_PEEK);
	m->spin_us = m->flags & RAMCHAN_MQ_SPIN ? fuzz_below(w, 200) : 0;
	m->deadline_ns = near_deadline(w);
	m->reserved = chance(w, 3);
}

static long op_mq_msg(struct fuzz_worker *w)
{
	struct ramchan_mq_msg m;

	fill_msg(w, &m);
	return ret_of(ioctl(some_fd(w, OBJ_MQ), chance(w, 50) ?
			    RAMCHAN_IOC_MQ_SEND : RAMCHAN_IOC_MQ_RECV, &m));
}

static long op_mq_batch(struct fuzz_worker *w)
{
	struct ramchan_mq_vec *v = (void *)((char *)w->buf + 32768);
	struct ramchan_mq_batch b = {
		.count = chance(w, 90) ? 1 + fuzz_below(w, 80) : fuzz_u64(w),
		.flags = flags32(w, RAMCHAN_MQ_NONBLOCK | RAMCHAN_MQ_SPIN),
		.deadline_ns = near_deadline(w),
		.reserved = chance(w, 3),
	};
	unsigned int i;

	for (i = 0; i < 80; i++) {
		uint64_t len = chance(w, 90) ? fuzz_below(w, 4096) :
					       small_size(w);

		v[i].buf = chance(w, 80) ? (uintptr_t)w->buf + 4096 * (i % 6) :
					   out_ptr(w, &len);
		v[i].len = len;
		v[i].prio = fuzz_below(w, 40000);
		v[i].reserved = chance(w, 2);
	}
	/* The kernel writes results back into the vector: only ours or bad. */
	b.vec = chance(w, 95) ? (uintptr_t)v : (uintptr_t)w->none - 24;
	b.spin_us = b.flags & RAMCHAN_MQ_SPIN ? fuzz_below(w, 100) : 0;
	return ret_of(ioctl(some_fd(w, OBJ_MQ), chance(w, 50) ?
			    RAMCHAN_IOC_MQ_SEND_BATCH :
			    RAMCHAN_IOC_MQ_RECV_BATCH, &b));
}

static long op_mq_attr(struct fuzz_worker *w)
{
	struct ramchan_mq_attr a = {
		.flags = flags32(w, RAMCHAN_MQ_ATTR_NONBLOCK),
		.set = flags32(w, RAMCHAN_MQ_SET_FLAGS | RAMCHAN_MQ_SET_SPIN),
		.spin_us = chance(w, 80) ? fuzz_below(w, 100) : fuzz_u64(w),
	};

	if (chance(w, 3))
		a.reserved[0] = 1;
	return ret_of(ioctl(some_fd(w, OBJ_MQ), chance(w, 50) ?
			    RAMCHAN_IOC_MQ_GETATTR : RAMCHAN_IOC_MQ_SETATTR,
			    &a));
}

static long op_mq_notify(struct fuzz_worker *w)
{
	struct ramchan_mq_notify n = {
		.fd = chance(w, 70) ? some_fd(w, OBJ_EVENTFD) : some_fd(w, OBJ_MQ),
		.flags = chance(w, 30) ? RAMCHAN_MQ_NOTIFY_CLEAR : 0,
		.reserved = chance(w, 3),
	};

	if (n.flags && chance(w, 80))
		n.fd = 0;
	return ret_of(ioctl(some_fd(w, OBJ_MQ), RAMCHAN_IOC_MQ_NOTIFY, &n));
}

static long op_eventfd(struct fuzz_worker *w)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fuzz_worker_add(w, fd, OBJ_EVENTFD))
		close(fd);
	return 0;
}

/* Any command of our type: any number, direction and size. */
static long op_raw_ioctl(struct fuzz_worker *w)
{
	unsigned int dir = fuzz_below(w, 4), nr, size;
	enum fuzz_obj_kind kind = 1 + fuzz_below(w, 3);

	nr = chance(w, 70) ? (fuzz_below(w, 2) ? fuzz_below(w, 4) :
			      0x40 + fuzz_below(w, 12)) : fuzz_below(w, 256);
	size = chance(w, 70) ? 8 * fuzz_below(w, 32) : fuzz_below(w, 1 << 14);
	return ret_of(ioctl(some_fd(w, kind),
			    _IOC(dir, RAMCHAN_IOC_MAGIC, nr, size),
			    (void *)(uintptr_t)user_ptr(w, size)));
}

/* What sysfs and /proc show of our channels. */
static long op_read_stats(struct fuzz_worker *w)
{
	static const char *const files[] = { "name", "kind", "fill",
		"records_in", "waiters", "memory", "count", "bytes", "high_water",
		"producers", "consumers", "owner", "mode", "size", "flags" };
	char path[128], buf[512];
	int fd;
	long r;

	if (chance(w, 50))
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d",
			 some_fd(w, chance(w, 50) ? OBJ_RING : OBJ_MQ));
	else
		snprintf(path, sizeof(path), "/sys/kernel/ramchan/channel/%u/%s",
			 (unsigned int)fuzz_below(w, 2000),
			 files[fuzz_below(w, sizeof(files) / sizeof(files[0]))]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = ret_of(read(fd, buf, sizeof(buf)));
	close(fd);
	return r < 0 ? r : 0;
}

/* A child that inherits everything, makes a few calls and exits. */
static long op_fork(struct fuzz_worker *w)
{
	pid_t parent = getpid(), pid = fork();
	int i;

	if (pid < 0)
		return -errno;
	if (!pid) {
		/*
		 * Dies with its worker: an orphan living on with inherited
		 * channel fds (or making a name) would outlast the final
		 * balance check (seen once in a one-hour run).
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(0);
		/* Only this thread came along; the lock may have been held. */
		pthread_mutex_init(&w->lock, NULL);
		fuzz_worker_timer();
		w->rng ^= getpid();
		for (i = 0; i < 8; i++) {
			const struct fuzz_op *op;

			op = &fuzz_ops[fuzz_below(w, fuzz_nr_ops)];
			if (op->fn != op_fork)
				op->fn(w);
		}
		_exit(0);
	}
	return waitpid(pid, NULL, 0) < 0 ? -errno : 0;
}

static long op_close(struct fuzz_worker *w)
{
	unsigned int i = fuzz_below(w, FUZZ_MAX_OBJS);
	int fd;

	pthread_mutex_lock(&w->lock);
	fd = w->objs[i].kind == OBJ_CTL ? -1 : w->objs[i].fd;
	if (w->objs[i].kind != OBJ_CTL)
		w->objs[i].kind = OBJ_FREE;
	pthread_mutex_unlock(&w->lock);
	return fd >= 0 ? ret_of(close(fd)) : -ENOENT;
}

const struct fuzz_op fuzz_ops[] = {
	{ "create", op_create, 8 },
	{ "open", op_open, 3 },
	{ "unlink", op_unlink, 2 },
	{ "info", op_info, 1 },
	{ "dup", op_dup, 2 },
	{ "layout", op_layout, 2 },
	{ "wait", op_wait, 4 },
	{ "wake", op_wake, 3 },
	{ "mmap", op_mmap, 6 },
	{ "vm", op_vm, 4 },
	{ "munmap", op_munmap, 3 },
	{ "read", op_read, 8 },
	{ "write", op_write, 8 },
	{ "poll", op_poll, 3 },
	{ "epoll", op_epoll, 2 },
	{ "mq_msg", op_mq_msg, 10 },
	{ "mq_batch", op_mq_batch, 5 },
	{ "mq_attr", op_mq_attr, 2 },
	{ "mq_notify", op_mq_notify, 2 },
	{ "eventfd", op_eventfd, 1 },
	{ "raw_ioctl", op_raw_ioctl, 5 },
	{ "read_stats", op_read_stats, 3 },
	{ "fork", op_fork, 1 },
	{ "close", op_close, 6 },
};

const unsigned int fuzz_nr_ops = sizeof(fuzz_ops) / sizeof(fuzz_ops[0]);
