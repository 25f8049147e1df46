// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan selftests: a hostile peer, and races a hostile user can drive.
 *
 * The peer writes the shared pages of a ring directly, through the
 * mappings RAMCHAN_IOC_RING_LAYOUT describes, as any producer may:
 *  - an endless ring of empty records must not trap a reader in the kernel;
 *  - a reservation that is never committed may make a blocking writer wait,
 *    but never an O_NONBLOCK caller;
 * and a user may
 *  - race creations against a sysfs reader: a channel is never visible
 *    there before it has its name;
 *  - hold a ring and a queue: each kind is charged to its own rlimit;
 *  - madvise(MADV_DONTNEED) its ring mappings: they keep showing the ring.
 *
 * Each test is bounded by its own alarm or deadline, so that a kernel that
 * gets one of these wrong fails the test instead of hanging the guest.
 * Run as root in a guest with ramchan loaded (tools/vm/run does it).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ramchan.h>

#include "../kselftest_harness.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

#define RAMCHAN_DEV	"/dev/ramchan"
#define CHAN_DIR	"/sys/kernel/ramchan/channel/"

/* The unprivileged user the rlimit tests become. */
#define NOBODY		65534

/* "Returns at once" against "sleeps": generous, never a benchmark. */
#define PROMPT_SEC	2
/* "Returns" against "is stuck in the kernel". */
#define STUCK_SEC	5
/*
 * The same for a read() over a whole ZEROS_RING_SIZE ring of empty records
 * (millions of them): long enough for a fixed kernel to get through them
 * under TCG on a loaded host, short of the soft-lockup detector's 20 s for
 * the old one, which spins in the kernel until the pump stops.
 */
#define ENDLESS_SEC	10
/* How long a SIGKILLed task may take to die. */
#define KILL_SEC	10

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int ctl_open(void)
{
	return open(RAMCHAN_DEV, O_RDWR | O_CLOEXEC);
}

/* CREATE of a ring: the fd, or -errno. */
static int ring_create(int ctl, uint64_t size, const char *name,
		       uint32_t flags)
{
	struct ramchan_create c;
	int fd;

	memset(&c, 0, sizeof(c));
	c.kind = RAMCHAN_KIND_RING;
	c.size = size;
	c.name = (uintptr_t)name;
	c.mode = name ? 0600 : 0;
	c.flags = flags;
	fd = ioctl(ctl, RAMCHAN_IOC_CREATE, &c);
	return fd < 0 ? -errno : fd;
}

/* CREATE of a message queue: the fd, or -errno. */
static int mq_create(int ctl, uint32_t msg_size, uint32_t depth,
		     const char *name)
{
	struct ramchan_create c;
	int fd;

	memset(&c, 0, sizeof(c));
	c.kind = RAMCHAN_KIND_MQ;
	c.size = msg_size;
	c.mq_depth = depth;
	c.name = (uintptr_t)name;
	c.mode = name ? 0600 : 0;
	fd = ioctl(ctl, RAMCHAN_IOC_CREATE, &c);
	return fd < 0 ? -errno : fd;
}

static int unlink_name(int ctl, const char *name)
{
	struct ramchan_unlink u = { .name = (uintptr_t)name };

	return ioctl(ctl, RAMCHAN_IOC_UNLINK, &u) ? errno : 0;
}

/* DUP: the fd, or -errno. */
static int chan_dup(int fd, uint32_t role, uint32_t flags)
{
	struct ramchan_dup d = { .role = role, .flags = flags };
	int nfd;

	nfd = ioctl(fd, RAMCHAN_IOC_DUP, &d);
	return nfd < 0 ? -errno : nfd;
}

static int poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

/* The four regions of a ring, mapped as a peer with the fd's role maps them. */
struct ring_map {
	struct ramchan_ring_layout lay;
	struct ramchan_ring_info *info;
	struct ramchan_ring_producer *prod;
	struct ramchan_ring_consumer *cons;
	uint8_t *data;
};

static void unmap_ring(struct ring_map *m)
{
	if (m->info)
		munmap(m->info, m->lay.info_size);
	if (m->prod)
		munmap(m->prod, m->lay.producer_size);
	if (m->cons)
		munmap(m->cons, m->lay.consumer_size);
	if (m->data)
		munmap(m->data, m->lay.data_map_size);
	memset(m, 0, sizeof(*m));
}

static void *map_region(int fd, uint64_t off, uint64_t len, bool writable)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | (writable ? PROT_WRITE : 0),
		 MAP_SHARED, fd, off);
	return p == MAP_FAILED ? NULL : p;
}

/* Map all four regions of @fd at the offsets RING_LAYOUT gives: 0 or errno. */
static int map_ring(int fd, struct ring_map *m)
{
	bool prod, cons;
	int err;

	memset(m, 0, sizeof(*m));
	if (ioctl(fd, RAMCHAN_IOC_RING_LAYOUT, &m->lay))
		return errno;
	prod = m->lay.role & RAMCHAN_ROLE_PRODUCER;
	cons = m->lay.role & RAMCHAN_ROLE_CONSUMER;
	m->info = map_region(fd, m->lay.info_offset, m->lay.info_size, false);
	if (!m->info)
		goto fail;
	m->prod = map_region(fd, m->lay.producer_offset, m->lay.producer_size,
			     prod);
	if (!m->prod)
		goto fail;
	m->cons = map_region(fd, m->lay.consumer_offset, m->lay.consumer_size,
			     cons);
	if (!m->cons)
		goto fail;
	m->data = map_region(fd, m->lay.data_offset, m->lay.data_map_size,
			     prod);
	if (!m->data)
		goto fail;
	return 0;
fail:
	err = errno;
	unmap_ring(m);
	return err;
}

/* Append one record through the mappings, as a lone producer does. */
static int map_write(struct ring_map *m, const void *buf, uint32_t len)
{
	uint64_t total = (RAMCHAN_REC_HDR_SIZE + len + 7) & ~7ULL;
	uint64_t hdr = len, pos, tail;
	uint8_t *rec;

	pos = __atomic_load_n(&m->prod->reserve, __ATOMIC_RELAXED);
	tail = __atomic_load_n(&m->cons->tail, __ATOMIC_ACQUIRE);
	if (pos + total - tail > m->lay.size)
		return -1;
	if (!__atomic_compare_exchange_n(&m->prod->reserve, &pos, pos + total,
					 false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return -1;
	rec = m->data + (pos & (m->lay.size - 1));
	memcpy(rec + RAMCHAN_REC_HDR_SIZE, buf, len);
	memcpy(rec, &hdr, sizeof(hdr));
	__atomic_store_n(&m->prod->head, pos + total, __ATOMIC_RELEASE);
	return 0;
}

static void noop_handler(int sig)
{
	(void)sig;
}

/* A handler for @sig without SA_RESTART: a wait it interrupts fails EINTR. */
static int catch_without_restart(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static void block_signal(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* The state letter of thread @tid of this process (R, S, D...), or 0. */
static char task_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Child reaped within @sec seconds: true, with its status. */
static bool reap_within(pid_t pid, unsigned int sec, int *status)
{
	uint64_t end = now_ns() + sec * 1000000000ull;

	do {
		if (waitpid(pid, status, WNOHANG) == pid)
			return true;
		sleep_ms(10);
	} while (now_ns() < end);
	return false;
}

/* ---- SIGBUS guard ------------------------------------------------------- */

static sigjmp_buf bus_env;
static volatile sig_atomic_t bus_armed;

static void bus_handler(int sig)
{
	if (bus_armed)
		siglongjmp(bus_env, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int catch_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bus_handler;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL);
}

/* Copy @len bytes with real loads: 0, or -1 when a load raised SIGBUS. */
static int guarded_load(void *dst, const volatile void *src, size_t len)
{
	const volatile uint8_t *s = src;
	uint8_t *d = dst;
	size_t i;

	if (sigsetjmp(bus_env, 1)) {
		bus_armed = 0;
		return -1;
	}
	bus_armed = 1;
	for (i = 0; i < len; i++)
		d[i] = s[i];
	bus_armed = 0;
	return 0;
}

/* map_write() under the guard: 0, -1 if it did not fit, -2 on SIGBUS. */
static int guarded_map_write(struct ring_map *m, const void *buf, uint32_t len)
{
	int ret;

	if (sigsetjmp(bus_env, 1)) {
		bus_armed = 0;
		return -2;
	}
	bus_armed = 1;
	ret = map_write(m, buf, len);
	bus_armed = 0;
	return ret;
}

/* ---- 1. endless empty records -------------------------------------------- */

/*
 * Two CPUs this process may run on, for the reader and for the pump (and
 * the test's main thread): the pump must keep running while the reader is
 * busy in the kernel. Both -1 with fewer than two.
 */
static void pick_cpus(int *reader, int *pump)
{
	cpu_set_t set;
	int cpu;

	*reader = *pump = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (*reader < 0) {
			*reader = cpu;
		} else {
			*pump = cpu;
			return;
		}
	}
	*reader = -1;
}

/* Run the calling thread on @cpu only (-1: anywhere). */
static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * The hostile producer: whenever the consumer moves the tail, put head
 * (and reserve) a whole ring ahead of it again, over a data area of zeros
 * where every 8-byte slot is a zero-length record, and wake the readers
 * when one sleeps (as the ABI asks; and every 256 moves in any case).
 *
 * The old read() loop looks at signals only when it catches up with head
 * and sleeps: the ring is large (megabytes of records to catch up on) and
 * the pump runs on its own CPU so that it seldom does, and the test sees
 * that loop as it is: endless, and deaf to SIGKILL. When the guest's
 * vCPUs are starved on the host it still may: the pump counts the times
 * it finds the reader caught up (tail == head, past the start), so that
 * the test can tell such a moment from a kernel that honours signals.
 */
struct pump {
	struct ring_map *m;
	int fd;
	int cpu;
	pthread_t thread;
	bool running;
	int stop;
	uint64_t tail0;
	unsigned long moves;
	unsigned long caught_up;
};

static void *pump_run(void *arg)
{
	struct pump *p = arg;
	struct ring_map *m = p->m;
	uint64_t tail, head, target;

	pin_to_cpu(p->cpu);
	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		tail = __atomic_load_n(&m->cons->tail, __ATOMIC_ACQUIRE);
		head = __atomic_load_n(&m->prod->head, __ATOMIC_RELAXED);
		if (tail == head && tail != p->tail0)
			__atomic_add_fetch(&p->caught_up, 1, __ATOMIC_RELAXED);
		target = tail + m->lay.size;
		if (head == target) {
			sched_yield();
			continue;
		}
		__atomic_store_n(&m->prod->reserve, target, __ATOMIC_RELAXED);
		__atomic_store_n(&m->prod->head, target, __ATOMIC_RELEASE);
		/* Head before the waiter count (the ABI's [P3]). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&m->info->readers_waiting, __ATOMIC_RELAXED) ||
		    !(p->moves % 256))
			ioctl(p->fd, RAMCHAN_IOC_WAKE,
			      (unsigned long)RAMCHAN_WAKE_READERS);
		p->moves++;
	}
	return NULL;
}

static int pump_start(struct pump *p, int fd, struct ring_map *m, int cpu)
{
	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->m = m;
	p->cpu = cpu;
	p->tail0 = m->cons->tail;
	if (pthread_create(&p->thread, NULL, pump_run, p))
		return -1;
	p->running = true;
	return 0;
}

static void pump_stop(struct pump *p)
{
	if (!p->running)
		return;
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	pthread_join(p->thread, NULL);
	p->running = false;
}

/*
 * Ring size of the endless-records tests (or max_ring_bytes if smaller):
 * the old read() catches up with the pump, and so sees a signal, only if
 * the pump stalls while the reader gets through the whole ring.
 */
#define ZEROS_RING_SIZE	(64ULL << 20)
/*
 * Under KCSAN every access the kernel makes is instrumented and a read()
 * gets through empty records ten times slower than on a stock kernel: an
 * eighth of the ring keeps the same margin to ENDLESS_SEC. The old read()
 * still never catches up with the userspace pump there.
 */
#define ZEROS_RING_SIZE_KCSAN	(8ULL << 20)
#define KCSAN_DEBUGFS		"/sys/kernel/debug/kcsan"

/* A ring whose data is all zeros, mapped as a BOTH peer. */
FIXTURE(zeros) {
	int ctl;
	int fd;
	uint64_t size;
	struct ring_map m;
	struct pump pump;
	int reader_cpu;
	int pump_cpu;
};

FIXTURE_SETUP(zeros)
{
	struct ramchan_info info;

	self->fd = -1;
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioctl(self->ctl, RAMCHAN_IOC_INFO, &info));
	self->size = access(KCSAN_DEBUGFS, F_OK) ? ZEROS_RING_SIZE :
		     ZEROS_RING_SIZE_KCSAN;
	if (info.max_ring_bytes < self->size)
		self->size = info.max_ring_bytes;
	pick_cpus(&self->reader_cpu, &self->pump_cpu);
	self->fd = ring_create(self->ctl, self->size, NULL, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, map_ring(self->fd, &self->m));
	ASSERT_EQ(0, catch_without_restart(SIGUSR1));
}

FIXTURE_TEARDOWN(zeros)
{
	pump_stop(&self->pump);
	unmap_ring(&self->m);
	close(self->fd);
	close(self->ctl);
}

struct blocking_read {
	int fd;
	int cpu;
	pthread_t thread;
	ssize_t ret;
	int err;
	int done;
};

static void *blocking_read_run(void *arg)
{
	struct blocking_read *r = arg;
	char buf[64];

	pin_to_cpu(r->cpu);
	r->ret = read(r->fd, buf, sizeof(buf));
	r->err = errno;
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static bool done_within(int *done, unsigned int sec)
{
	uint64_t end = now_ns() + sec * 1000000000ull;

	while (!__atomic_load_n(done, __ATOMIC_ACQUIRE)) {
		if (now_ns() >= end)
			return false;
		sleep_ms(10);
	}
	return true;
}

/*
 * A read() that the pump feeds must give up with EIO once it has skipped
 * size / 8 empty records (the tail moved by at most size bytes), breaking
 * the ring. The old loop never returns while the pump runs.
 */
TEST_F_TIMEOUT(zeros, read_of_endless_empty_records_returns_eio, 60)
{
	struct blocking_read r = { .fd = self->fd, .cpu = self->reader_cpu };
	uint64_t tail0 = self->m.cons->tail, tail;
	char buf[64];
	int i;

	pin_to_cpu(self->pump_cpu);
	ASSERT_EQ(0, pthread_create(&r.thread, NULL, blocking_read_run, &r));
	ASSERT_EQ(0, pump_start(&self->pump, self->fd, &self->m,
				self->pump_cpu));
	if (!done_within(&r.done, ENDLESS_SEC)) {
		pump_stop(&self->pump);
		/* With the pump stopped it drains and sleeps: interrupt it. */
		for (i = 0; i < 100 && !__atomic_load_n(&r.done, __ATOMIC_ACQUIRE); i++) {
			pthread_kill(r.thread, SIGUSR1);
			sleep_ms(100);
		}
		ASSERT_TRUE(__atomic_load_n(&r.done, __ATOMIC_ACQUIRE))
			TH_LOG("the reader never came back, even with the pump stopped");
		pthread_join(r.thread, NULL);
		tail = self->m.cons->tail;
		TH_LOG("read() still in the kernel after %d s of endless empty records (tail moved %llu bytes, %lu pump moves); returned %zd errno %d once the pump stopped",
		       ENDLESS_SEC, (unsigned long long)(tail - tail0),
		       self->pump.moves, r.ret, r.err);
		ASSERT_TRUE(0) TH_LOG("an endless ring of empty records traps read()");
	}
	pthread_join(r.thread, NULL);
	pump_stop(&self->pump);
	tail = self->m.cons->tail;

	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EIO, r.err);
	EXPECT_GE(self->size, tail - tail0)
		TH_LOG("one read() skipped %llu bytes of empty records, more than the %llu-byte ring",
		       (unsigned long long)(tail - tail0),
		       (unsigned long long)self->size);
	EXPECT_EQ((uint32_t)RAMCHAN_RING_BROKEN,
		  self->m.info->flags & RAMCHAN_RING_BROKEN);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(POLLERR, poll_now(self->fd, POLLIN) & POLLERR);
}

enum kill_outcome {
	KILL_DIED,		/* died of SIGKILL while the reader was busy */
	KILL_DIED_CAUGHT_UP,	/* died, but it had caught up with the pump */
	KILL_SURVIVED,		/* still alive KILL_SEC after SIGKILL */
};

/*
 * One try: a fresh ring, a child that keeps read()ing it, the pump, then
 * SIGKILL. The outcome, with the child reaped (*@status) in any case.
 */
static enum kill_outcome kill_reader(struct __test_metadata *_metadata,
				     FIXTURE_DATA(zeros) *self, int *status)
{
	enum kill_outcome outcome;
	struct ring_map m;
	struct pump pump;
	uint64_t tail0, end;
	int fd, ready[2];
	char byte = 0;
	pid_t pid;

	fd = ring_create(self->ctl, self->size, NULL, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, map_ring(fd, &m));
	tail0 = m.cons->tail;
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[64];

		close(ready[0]);
		pin_to_cpu(self->reader_cpu);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			if (read(fd, buf, sizeof(buf)) < 0 && errno != EIO)
				_exit(2);
	}
	close(ready[1]);
	EXPECT_EQ(1, read(ready[0], &byte, 1));
	close(ready[0]);
	pin_to_cpu(self->pump_cpu);
	EXPECT_EQ(0, pump_start(&pump, fd, &m, self->pump_cpu));

	/* The child is reading once the tail moves. */
	end = now_ns() + STUCK_SEC * 1000000000ull;
	while (__atomic_load_n(&m.cons->tail, __ATOMIC_ACQUIRE) == tail0 &&
	       now_ns() < end)
		sleep_ms(1);
	EXPECT_NE(tail0, m.cons->tail)
		TH_LOG("the child never consumed anything");

	EXPECT_EQ(0, kill(pid, SIGKILL));
	outcome = reap_within(pid, KILL_SEC, status) ? KILL_DIED :
						       KILL_SURVIVED;
	pump_stop(&pump);
	if (outcome == KILL_DIED &&
	    (pump.caught_up || m.cons->tail == m.prod->head))
		outcome = KILL_DIED_CAUGHT_UP;
	/* Without the pump the old loop ends and the kill lands. */
	if (outcome == KILL_SURVIVED && !reap_within(pid, KILL_SEC, status)) {
		TH_LOG("the reader did not die even with the pump stopped");
		*status = 0;
	}
	unmap_ring(&m);
	close(fd);
	return outcome;
}

/*
 * A child reading the pumped ring dies within KILL_SEC of SIGKILL while
 * the pump keeps running. The child keeps calling read(): once the fixed
 * module breaks the ring, each call fails at once with EIO. A death at a
 * moment the reader had caught up with a starved pump proves nothing
 * (even the old loop then sleeps and sees the signal): try again.
 */
TEST_F_TIMEOUT(zeros, blocked_reader_of_endless_empty_records_dies_on_sigkill, 120)
{
	enum kill_outcome outcome = KILL_DIED_CAUGHT_UP;
	int try, status = 0;

	for (try = 0; try < 3 && outcome == KILL_DIED_CAUGHT_UP; try++)
		outcome = kill_reader(_metadata, self, &status);
	EXPECT_NE(KILL_SURVIVED, (int)outcome)
		TH_LOG("a SIGKILLed reader of endless empty records still lives after %d s",
		       KILL_SEC);
	EXPECT_NE(KILL_DIED_CAUGHT_UP, (int)outcome)
		TH_LOG("%d times the SIGKILLed reader died only once it had caught up with the pump, never while records kept coming",
		       try);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("child status %#x", status);
}

/*
 * Exactly one ring of empty records and no pump: one O_NONBLOCK read()
 * skips them all (size / 8, within the bound) and finds the ring empty.
 */
TEST_F_TIMEOUT(zeros, nonblocking_read_of_a_ring_full_of_empty_records_skips_them_and_fails_eagain, 30)
{
	uint64_t head;
	char buf[64];
	int nfd;

	nfd = chan_dup(self->fd, RAMCHAN_ROLE_CONSUMER, RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, nfd);
	head = self->m.cons->tail + self->size;
	self->m.prod->reserve = head;
	__atomic_store_n(&self->m.prod->head, head, __ATOMIC_RELEASE);

	ASSERT_EQ(0, catch_without_restart(SIGALRM));
	alarm(ENDLESS_SEC);
	errno = 0;
	EXPECT_EQ(-1, read(nfd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	alarm(0);
	EXPECT_EQ(head, self->m.cons->tail);
	EXPECT_EQ(0u, self->m.info->flags & RAMCHAN_RING_BROKEN);
	EXPECT_EQ(0, poll_now(nfd, POLLIN));
	close(nfd);
}

/* ---- 2. nonblocking calls behind a waiting writer ----------------------- */

struct blocking_write {
	int fd;
	pthread_t thread;
	pid_t tid;
	ssize_t ret;
	int err;
	int done;
};

static void *blocking_write_run(void *arg)
{
	struct blocking_write *w = arg;

	/* The test's alarms are for the main thread's nonblocking calls. */
	block_signal(SIGALRM);
	__atomic_store_n(&w->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	w->ret = write(w->fd, "blocked", 7);
	w->err = errno;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * One committed record, then a reservation of 16 bytes that nobody will
 * commit (a producer killed between its reserve CAS and its commit), and
 * a thread asleep in a blocking write() behind it.
 */
FIXTURE(stale_reservation) {
	int ctl;
	int fd;
	struct ring_map m;
	struct blocking_write w;
	bool started;
};

FIXTURE_SETUP(stale_reservation)
{
	uint64_t end;
	char state = 0;

	self->fd = -1;
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	self->fd = ring_create(self->ctl, 4 * page_size(), NULL, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, map_ring(self->fd, &self->m));
	ASSERT_EQ(0, catch_without_restart(SIGUSR1));
	ASSERT_EQ(0, catch_without_restart(SIGALRM));

	ASSERT_EQ(9, write(self->fd, "committed", 9));
	ASSERT_EQ(self->m.prod->head, self->m.prod->reserve);
	self->m.prod->reserve = self->m.prod->head + 16;

	self->w.fd = self->fd;
	ASSERT_EQ(0, pthread_create(&self->w.thread, NULL, blocking_write_run,
				    &self->w));
	self->started = true;
	end = now_ns() + STUCK_SEC * 1000000000ull;
	while (now_ns() < end && !__atomic_load_n(&self->w.done, __ATOMIC_ACQUIRE)) {
		pid_t tid = __atomic_load_n(&self->w.tid, __ATOMIC_ACQUIRE);

		state = tid ? task_state(tid) : 0;
		if (state == 'S' || state == 'D')
			break;
		sleep_ms(10);
	}
	ASSERT_FALSE(__atomic_load_n(&self->w.done, __ATOMIC_ACQUIRE))
		TH_LOG("write() behind a stale reservation returned %zd (errno %d) instead of waiting",
		       self->w.ret, self->w.err);
	ASSERT_TRUE(state == 'S' || state == 'D')
		TH_LOG("the writer never went to sleep (state %c)", state ?: '?');
}

FIXTURE_TEARDOWN(stale_reservation)
{
	int i;

	if (self->started) {
		for (i = 0; i < 20 && !__atomic_load_n(&self->w.done, __ATOMIC_ACQUIRE); i++) {
			pthread_kill(self->w.thread, SIGUSR1);
			sleep_ms(100);
		}
		if (!__atomic_load_n(&self->w.done, __ATOMIC_ACQUIRE)) {
			TH_LOG("SIGUSR1 did not interrupt the waiting writer: committing the stale reservation");
			self->m.prod->head = self->m.prod->reserve;
			ioctl(self->fd, RAMCHAN_IOC_WAKE,
			      (unsigned long)RAMCHAN_WAKE_WRITERS);
		}
		if (done_within(&self->w.done, STUCK_SEC)) {
			pthread_join(self->w.thread, NULL);
			EXPECT_EQ(-1, self->w.ret);
			EXPECT_EQ(EINTR, self->w.err);
		} else {
			EXPECT_TRUE(0) TH_LOG("the waiting writer could not be stopped");
		}
	}
	unmap_ring(&self->m);
	close(self->fd);
	close(self->ctl);
}

/* read() on an O_NONBLOCK consumer, interrupted after PROMPT_SEC if it sleeps. */
TEST_F_TIMEOUT(stale_reservation, nonblocking_read_returns_at_once_while_a_writer_waits, 60)
{
	char buf[64];
	ssize_t n;
	int nfd;

	nfd = chan_dup(self->fd, RAMCHAN_ROLE_CONSUMER, RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, nfd);

	memset(buf, 0, sizeof(buf));
	alarm(PROMPT_SEC);
	errno = 0;
	n = read(nfd, buf, sizeof(buf));
	alarm(0);
	EXPECT_EQ(9, n)
		TH_LOG("O_NONBLOCK read() of a committed record: %zd, errno %d%s",
		       n, errno, errno == EINTR ?
		       " (it slept behind the waiting writer until the alarm)" : "");
	EXPECT_EQ(0, memcmp(buf, "committed", 9));

	alarm(PROMPT_SEC);
	errno = 0;
	n = read(nfd, buf, sizeof(buf));
	alarm(0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno)
		TH_LOG("O_NONBLOCK read() of an empty ring: errno %d%s", errno,
		       errno == EINTR ?
		       " (it slept behind the waiting writer until the alarm)" : "");
	close(nfd);
}

/* write() on a producer made O_NONBLOCK with fcntl(): EAGAIN at once. */
TEST_F_TIMEOUT(stale_reservation, nonblocking_write_fails_eagain_at_once_while_a_writer_waits, 60)
{
	ssize_t n;
	int nfd;

	nfd = chan_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, nfd);
	ASSERT_EQ(0, fcntl(nfd, F_SETFL, fcntl(nfd, F_GETFL) | O_NONBLOCK));

	alarm(PROMPT_SEC);
	errno = 0;
	n = write(nfd, "x", 1);
	alarm(0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno)
		TH_LOG("O_NONBLOCK write() behind a stale reservation: %zd, errno %d%s",
		       n, errno, errno == EINTR ?
		       " (it slept behind the waiting writer until the alarm)" : "");
	close(nfd);
}

/* ---- 3. sysfs never shows a half-made channel ---------------------------- */

#define SCAN_SEC	3
#define CHURN_HELD	4
#define MAX_PREEXISTING	256

struct sysfs_race {
	int ctl;
	char prefix[32];
	char taken[RAMCHAN_NAME_MAX + 1];
	int stop;
	/* scanner */
	unsigned long scans;
	unsigned long seen;
	unsigned long empty;
	char empty_id[32];
	unsigned long long preexisting[MAX_PREEXISTING];
	unsigned int nr_preexisting;
	/* creators of the taken name */
	unsigned long eexist;
	unsigned long unexpected;
	int unexpected_ret;
	/* churn */
	unsigned long churned;
	int churn_err;
	int held[CHURN_HELD];
	char held_name[CHURN_HELD][RAMCHAN_NAME_MAX + 1];
};

static bool is_preexisting(const struct sysfs_race *s, unsigned long long id)
{
	unsigned int i;

	for (i = 0; i < s->nr_preexisting; i++)
		if (s->preexisting[i] == id)
			return true;
	return false;
}

/* The name file of channel directory @id: 0, or -1 if it went away. */
static int read_chan_name(const char *id, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), CHAN_DIR "%s/name", id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/*
 * Call @fn for each channel directory not there before the test: the
 * number of them.
 */
static int for_each_new_chan(struct sysfs_race *s,
			     void (*fn)(struct sysfs_race *, const char *),
			     bool record)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(CHAN_DIR);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		unsigned long long id;
		char *end;

		if (de->d_name[0] == '.')
			continue;
		id = strtoull(de->d_name, &end, 10);
		if (*end)
			continue;
		if (record) {
			if (s->nr_preexisting < MAX_PREEXISTING)
				s->preexisting[s->nr_preexisting++] = id;
			continue;
		}
		if (is_preexisting(s, id))
			continue;
		n++;
		if (fn)
			fn(s, de->d_name);
	}
	closedir(d);
	return n;
}

static void scan_one(struct sysfs_race *s, const char *id)
{
	char name[RAMCHAN_NAME_MAX + 2];

	if (read_chan_name(id, name, sizeof(name)))
		return;		/* gone between readdir and open: fine */
	s->seen++;
	if (!name[0]) {
		if (!s->empty)
			snprintf(s->empty_id, sizeof(s->empty_id), "%s", id);
		s->empty++;
	}
}

static void *scanner_run(void *arg)
{
	struct sysfs_race *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		for_each_new_chan(s, scan_one, false);
		s->scans++;
	}
	return NULL;
}

/* CREATE of the name another fd holds, as a ring or a queue: EEXIST. */
static void *taken_run(void *arg)
{
	struct sysfs_race *s = arg;
	unsigned long i;
	int ret;

	for (i = 0; !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE); i++) {
		if (i & 1)
			ret = ring_create(s->ctl, page_size(), s->taken, 0);
		else
			ret = mq_create(s->ctl, 8, 1, s->taken);
		if (ret == -EEXIST) {
			__atomic_add_fetch(&s->eexist, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_add_fetch(&s->unexpected, 1, __ATOMIC_RELAXED);
		s->unexpected_ret = ret;
		if (ret >= 0)
			close(ret);
	}
	return NULL;
}

/*
 * Create and close channels of fresh names, keeping the last CHURN_HELD
 * open (the ones still there when the test counts).
 */
static void *churn_run(void *arg)
{
	struct sysfs_race *s = arg;
	unsigned long i;
	unsigned int slot;
	int fd;

	for (i = 0; !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE); i++) {
		slot = i % CHURN_HELD;
		if (s->held[slot] >= 0) {
			unlink_name(s->ctl, s->held_name[slot]);
			close(s->held[slot]);
			s->held[slot] = -1;
		}
		snprintf(s->held_name[slot], sizeof(s->held_name[slot]),
			 "%sc%lu", s->prefix, i);
		if (i & 1)
			fd = ring_create(s->ctl, page_size(),
					 s->held_name[slot], 0);
		else
			fd = mq_create(s->ctl, 8, 1, s->held_name[slot]);
		if (fd < 0) {
			s->churn_err = fd;
			break;
		}
		s->held[slot] = fd;
		s->churned++;
	}
	return NULL;
}

/* Names the test expects at the end: the taken one and the held ones. */
struct final_check {
	unsigned int taken;
	unsigned int held;
	unsigned int other;
	char other_name[RAMCHAN_NAME_MAX + 2];
};

static struct final_check final;

static void final_one(struct sysfs_race *s, const char *id)
{
	char name[RAMCHAN_NAME_MAX + 2];
	unsigned int i;

	if (read_chan_name(id, name, sizeof(name))) {
		final.other++;
		snprintf(final.other_name, sizeof(final.other_name), "(%s gone)", id);
		return;
	}
	if (!strcmp(name, s->taken)) {
		final.taken++;
		return;
	}
	for (i = 0; i < CHURN_HELD; i++) {
		if (s->held[i] >= 0 && !strcmp(name, s->held_name[i])) {
			final.held++;
			return;
		}
	}
	final.other++;
	snprintf(final.other_name, sizeof(final.other_name), "%s", name);
}


/*
 * While threads create named channels (and fail to create one whose name
 * is taken) and close them again, every channel directory a scanner finds
 * already has its name; afterwards exactly the open channels are left.
 */
TEST(named_channels_appear_in_sysfs_only_with_their_names)
{
	static struct sysfs_race s;
	pthread_t scanner, taken[2], churn;
	unsigned int i, held = 0;
	int taken_fd, n;

	memset(&s, 0, sizeof(s));
	memset(&final, 0, sizeof(final));
	for (i = 0; i < CHURN_HELD; i++)
		s.held[i] = -1;
	s.ctl = ctl_open();
	ASSERT_LE(0, s.ctl);
	snprintf(s.prefix, sizeof(s.prefix), "hst-%d-", getpid());
	snprintf(s.taken, sizeof(s.taken), "%staken", s.prefix);
	ASSERT_LE(0, for_each_new_chan(&s, NULL, true))
		TH_LOG("cannot list %s", CHAN_DIR);
	taken_fd = mq_create(s.ctl, 8, 1, s.taken);
	ASSERT_LE(0, taken_fd);

	ASSERT_EQ(0, pthread_create(&scanner, NULL, scanner_run, &s));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_create(&taken[i], NULL, taken_run, &s));
	}
	ASSERT_EQ(0, pthread_create(&churn, NULL, churn_run, &s));
	sleep_ms(SCAN_SEC * 1000);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(churn, NULL);
	for (i = 0; i < 2; i++)
		pthread_join(taken[i], NULL);
	pthread_join(scanner, NULL);

	EXPECT_EQ(0ul, s.empty)
		TH_LOG("%lu of %lu channel directories read had an empty name (first: %s), in %lu scans; %lu EEXIST creates, %lu channels made",
		       s.empty, s.seen, s.empty_id, s.scans, s.eexist,
		       s.churned);
	EXPECT_LT(0ul, s.seen);
	EXPECT_LT(0ul, s.eexist);
	EXPECT_EQ(0ul, s.unexpected)
		TH_LOG("creating the taken name gave %d instead of -EEXIST",
		       s.unexpected_ret);
	EXPECT_EQ(0, s.churn_err);
	EXPECT_LT(0ul, s.churned);

	for (i = 0; i < CHURN_HELD; i++)
		held += s.held[i] >= 0;
	n = for_each_new_chan(&s, final_one, false);
	EXPECT_EQ((int)(1 + held), n)
		TH_LOG("%d channel directories for %u open channels", n,
		       1 + held);
	EXPECT_EQ(1u, final.taken);
	EXPECT_EQ(held, final.held);
	EXPECT_EQ(0u, final.other)
		TH_LOG("a directory that is none of the open channels: '%s'",
		       final.other_name);

	for (i = 0; i < CHURN_HELD; i++) {
		if (s.held[i] < 0)
			continue;
		EXPECT_EQ(0, unlink_name(s.ctl, s.held_name[i]));
		close(s.held[i]);
	}
	EXPECT_EQ(0, unlink_name(s.ctl, s.taken));
	close(taken_fd);
	EXPECT_EQ(0, for_each_new_chan(&s, NULL, false));
	close(s.ctl);
}

/* ---- 4. each kind against its own rlimit --------------------------------- */

/* No effective capability left (CAP_IPC_LOCK, CAP_SYS_RESOURCE): 0, or -1. */
static int check_no_capabilities(void)
{
	char line[256];
	FILE *f;
	int ret = -1;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7)) {
			ret = strtoull(line + 7, NULL, 16) ? -1 : 0;
			break;
		}
	fclose(f);
	return ret;
}

static int set_rlimit(int resource, rlim_t value)
{
	struct rlimit rl = { .rlim_cur = value, .rlim_max = value };

	return setrlimit(resource, &rl);
}

/* Become nobody, without capabilities; the control fd stays usable. */
static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	return check_no_capabilities();
}

TEST(queue_creation_is_not_charged_to_rlimit_memlock)
{
	const uint64_t ring_size = 1 << 20, pg = page_size();
	struct ramchan_info info;
	int ctl, ring, other, q;

	if (geteuid())
		SKIP(return, "needs root, to set rlimits and become uid %d",
		     NOBODY);
	ctl = ctl_open();
	ASSERT_LE(0, ctl);
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioctl(ctl, RAMCHAN_IOC_INFO, &info));
	if (info.max_ring_bytes < ring_size)
		SKIP(return, "max_ring_bytes %llu is below 1 MiB",
		     (unsigned long long)info.max_ring_bytes);
	/* Just room for the ring: its data and three metadata pages. */
	ASSERT_EQ(0, set_rlimit(RLIMIT_MEMLOCK, ring_size + 3 * pg));
	ASSERT_EQ(0, set_rlimit(RLIMIT_MSGQUEUE, 1 << 20));
	ASSERT_EQ(0, drop_to_nobody());

	ring = ring_create(ctl, ring_size, NULL, 0);
	ASSERT_LE(0, ring)
		TH_LOG("a 1 MiB ring within RLIMIT_MEMLOCK: %s", strerror(-ring));
	ASSERT_EQ(0, set_rlimit(RLIMIT_MEMLOCK, 64 << 10));

	/* Rings are still held to RLIMIT_MEMLOCK... */
	other = ring_create(ctl, pg, NULL, 0);
	EXPECT_EQ(-ENOMEM, other);
	if (other >= 0)
		close(other);
	/* ...but a queue is charged to RLIMIT_MSGQUEUE only. */
	q = mq_create(ctl, 64, 8, NULL);
	EXPECT_LE(0, q)
		TH_LOG("a queue of 64-byte messages, with RLIMIT_MEMLOCK below what the ring holds: %s",
		       strerror(-q));
	if (q >= 0)
		close(q);
	close(ring);
	close(ctl);
}

TEST(ring_creation_is_not_charged_to_rlimit_msgqueue)
{
	int ctl, ring, q, q2;

	if (geteuid())
		SKIP(return, "needs root, to set rlimits and become uid %d",
		     NOBODY);
	ctl = ctl_open();
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, set_rlimit(RLIMIT_MEMLOCK, 1 << 20));
	ASSERT_EQ(0, set_rlimit(RLIMIT_MSGQUEUE, 1 << 20));
	ASSERT_EQ(0, drop_to_nobody());

	q = mq_create(ctl, 64, 8, NULL);
	ASSERT_LE(0, q)
		TH_LOG("a queue within RLIMIT_MSGQUEUE: %s", strerror(-q));
	ASSERT_EQ(0, set_rlimit(RLIMIT_MSGQUEUE, 0));

	/* A ring is charged to RLIMIT_MEMLOCK only... */
	ring = ring_create(ctl, page_size(), NULL, 0);
	EXPECT_LE(0, ring)
		TH_LOG("a one-page ring, with RLIMIT_MSGQUEUE 0: %s",
		       strerror(-ring));
	/* ...and queues are still held to RLIMIT_MSGQUEUE. */
	q2 = mq_create(ctl, 64, 8, NULL);
	EXPECT_EQ(-EMFILE, q2);
	if (q2 >= 0)
		close(q2);
	if (ring >= 0)
		close(ring);
	close(q);
	close(ctl);
}

/* ---- 5. MADV_DONTNEED on the ring mappings ------------------------------- */

#define BEFORE		"before-dontneed"
#define BEFORE_LEN	15
#define AFTER		"after-dontneed"
#define AFTER_LEN	14

struct region {
	const char *name;
	void *addr;
	size_t len;
	bool writable;
	uint8_t *snap;
};

/*
 * A one-page ring mapped as a BOTH peer, one record written with write(),
 * and what each mapping showed before any madvise().
 */
FIXTURE(dontneed) {
	int ctl;
	int fd;
	struct ring_map m;
	struct region r[4];
};

FIXTURE_SETUP(dontneed)
{
	unsigned int i;

	self->fd = -1;
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	self->fd = ring_create(self->ctl, page_size(), NULL, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, map_ring(self->fd, &self->m));
	/* A kernel built without CONFIG_ADVISE_SYSCALLS has no madvise(). */
	if (madvise(self->m.info, self->m.lay.info_size, MADV_NORMAL) &&
	    errno == ENOSYS)
		SKIP(return, "this kernel has no madvise() (CONFIG_ADVISE_SYSCALLS)");
	ASSERT_EQ(0, catch_sigbus());
	ASSERT_EQ(BEFORE_LEN, write(self->fd, BEFORE, BEFORE_LEN));

	self->r[0] = (struct region){ "info", self->m.info,
				      self->m.lay.info_size, false, NULL };
	self->r[1] = (struct region){ "producer", self->m.prod,
				      self->m.lay.producer_size, true, NULL };
	self->r[2] = (struct region){ "consumer", self->m.cons,
				      self->m.lay.consumer_size, true, NULL };
	self->r[3] = (struct region){ "data", self->m.data,
				      self->m.lay.data_map_size, true, NULL };
	for (i = 0; i < ARRAY_SIZE(self->r); i++) {
		self->r[i].snap = malloc(self->r[i].len);
		ASSERT_NE(NULL, self->r[i].snap);
		ASSERT_EQ(0, guarded_load(self->r[i].snap, self->r[i].addr,
					  self->r[i].len))
			TH_LOG("SIGBUS loading the %s mapping before any madvise()",
			       self->r[i].name);
	}
}

FIXTURE_TEARDOWN(dontneed)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(self->r); i++)
		free(self->r[i].snap);
	unmap_ring(&self->m);
	close(self->fd);
	close(self->ctl);
}

static int dontneed_all(FIXTURE_DATA(dontneed) *self, bool writable_only)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(self->r); i++) {
		if (writable_only && !self->r[i].writable)
			continue;
		if (madvise(self->r[i].addr, self->r[i].len, MADV_DONTNEED))
			return -1;
	}
	return 0;
}

/* The record write() made, at the start of @data (both copies). */
static bool holds_before_record(const uint8_t *data, uint64_t size)
{
	uint64_t hdr;

	memcpy(&hdr, data, sizeof(hdr));
	return hdr == BEFORE_LEN &&
	       !memcmp(data + RAMCHAN_REC_HDR_SIZE, BEFORE, BEFORE_LEN) &&
	       !memcmp(data, data + size, size);
}

TEST_F(dontneed, ring_mappings_show_the_same_bytes_after_madv_dontneed)
{
	unsigned int i;
	uint8_t *buf;

	for (i = 0; i < ARRAY_SIZE(self->r); i++) {
		EXPECT_EQ(0, madvise(self->r[i].addr, self->r[i].len,
				     MADV_DONTNEED))
			TH_LOG("MADV_DONTNEED on the %s mapping: %s",
			       self->r[i].name, strerror(errno));
	}
	for (i = 0; i < ARRAY_SIZE(self->r); i++) {
		buf = malloc(self->r[i].len);
		ASSERT_NE(NULL, buf);
		if (guarded_load(buf, self->r[i].addr, self->r[i].len)) {
			EXPECT_TRUE(0)
				TH_LOG("SIGBUS loading the %s mapping after MADV_DONTNEED",
				       self->r[i].name);
		} else {
			EXPECT_EQ(0, memcmp(buf, self->r[i].snap,
					    self->r[i].len))
				TH_LOG("the %s mapping shows other bytes after MADV_DONTNEED",
				       self->r[i].name);
			if (i == 3) {
				EXPECT_TRUE(holds_before_record(buf,
							self->m.lay.size))
					TH_LOG("the record write() made is gone from the data mapping");
			}
		}
		free(buf);
	}
}

TEST_F(dontneed, store_through_mappings_after_madv_dontneed_reaches_read)
{
	uint64_t tail = 0, expected_tail;
	char buf[64];
	ssize_t n;
	int nfd, ret;

	nfd = chan_dup(self->fd, RAMCHAN_ROLE_CONSUMER, RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, nfd);
	EXPECT_EQ(0, dontneed_all(self, true));

	ret = guarded_map_write(&self->m, AFTER, AFTER_LEN);
	EXPECT_EQ(0, ret)
		TH_LOG("%s", ret == -2 ?
		       "SIGBUS storing through the producer/data mappings after MADV_DONTNEED" :
		       "no room in the ring for a second record");

	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(BEFORE_LEN, read(nfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, BEFORE, BEFORE_LEN));
	memset(buf, 0, sizeof(buf));
	errno = 0;
	n = read(nfd, buf, sizeof(buf));
	EXPECT_EQ(AFTER_LEN, n)
		TH_LOG("read() after the store through the mapping: %zd, errno %d: the kernel did not see it",
		       n, errno);
	EXPECT_EQ(0, memcmp(buf, AFTER, AFTER_LEN));

	/* The tail read() stored is what the consumer mapping shows. */
	expected_tail = ((RAMCHAN_REC_HDR_SIZE + BEFORE_LEN + 7) & ~7ULL) +
			((RAMCHAN_REC_HDR_SIZE + AFTER_LEN + 7) & ~7ULL);
	EXPECT_EQ(0, madvise(self->m.cons, self->m.lay.consumer_size,
			     MADV_DONTNEED));
	if (guarded_load(&tail, &self->m.cons->tail, sizeof(tail))) {
		EXPECT_TRUE(0)
			TH_LOG("SIGBUS loading the consumer tail after MADV_DONTNEED");
	} else {
		EXPECT_EQ(expected_tail, tail);
	}
	close(nfd);
}

TEST_F(dontneed, madv_populate_of_ring_mappings_succeeds_after_madv_dontneed)
{
	uint8_t *buf;
	unsigned int i;

	EXPECT_EQ(0, dontneed_all(self, false));
	for (i = 0; i < ARRAY_SIZE(self->r); i++) {
		EXPECT_EQ(0, madvise(self->r[i].addr, self->r[i].len,
				     MADV_POPULATE_READ))
			TH_LOG("MADV_POPULATE_READ of the %s mapping: %s",
			       self->r[i].name, strerror(errno));
	}
	EXPECT_EQ(0, dontneed_all(self, false));
	for (i = 0; i < ARRAY_SIZE(self->r); i++) {
		if (!self->r[i].writable)
			continue;
		EXPECT_EQ(0, madvise(self->r[i].addr, self->r[i].len,
				     MADV_POPULATE_WRITE))
			TH_LOG("MADV_POPULATE_WRITE of the %s mapping: %s",
			       self->r[i].name, strerror(errno));
	}

	buf = malloc(self->m.lay.data_map_size);
	ASSERT_NE(NULL, buf);
	if (guarded_load(buf, self->m.data, self->m.lay.data_map_size)) {
		EXPECT_TRUE(0)
			TH_LOG("SIGBUS loading the data mapping after MADV_POPULATE_*");
	} else {
		EXPECT_TRUE(holds_before_record(buf, self->m.lay.size));
	}
	free(buf);
}

TEST_HARNESS_MAIN
