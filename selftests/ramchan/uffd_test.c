// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan ring read()/write() with user buffers whose page faults wait for
 * userspace (userfaultfd): no lock or reservation may be held across such
 * a fault, so another reader or writer of the same ring goes on while the
 * faulting caller waits, and the faulting caller completes correctly once
 * its fault is resolved.
 *
 * Before the fix, read() copied out with the ring's read lock held (a
 * second blocking reader slept behind the userfaultfd wait) and write()
 * copied in with its reservation taken (every later producer, including an
 * O_NONBLOCK one, waited for that commit).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ramchan.h>
#include <linux/userfaultfd.h>

#include "../kselftest_harness.h"

#define RAMCHAN_DEV	"/dev/ramchan"
/* How long a call that must not wait behind the fault may take. */
#define PROMPT_SEC	3
/* How long the test waits for the faulting caller to reach its fault. */
#define FAULT_SEC	10

struct uffd_call {
	int fd;
	char *buf;		/* in the userfaultfd region */
	size_t len;
	int write;
	ssize_t ret;
	int err;
	pthread_t thread;
};

static void *uffd_call_run(void *arg)
{
	struct uffd_call *c = arg;

	errno = 0;
	if (c->write)
		c->ret = write(c->fd, c->buf, c->len);
	else
		c->ret = read(c->fd, c->buf, c->len);
	c->err = errno;
	return NULL;
}

FIXTURE(uffd) {
	int ctl;
	int ring;		/* producer + consumer */
	int uffd;
	char *region;		/* one page registered for missing faults */
	size_t page;
	struct uffd_call call;
	int started;
};

FIXTURE_SETUP(uffd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct ramchan_create c = { 0 };

	self->ctl = self->ring = -1;
	self->page = sysconf(_SC_PAGESIZE);
	self->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (self->uffd < 0 && (errno == ENOSYS || errno == EPERM))
		SKIP(return, "no userfaultfd() here (errno %d)", errno);
	ASSERT_LE(0, self->uffd);
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_API, &api));

	self->region = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->region);
	reg.range.start = (uintptr_t)self->region;
	reg.range.len = self->page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_REGISTER, &reg));

	self->ctl = open(RAMCHAN_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->ctl);
	c.kind = RAMCHAN_KIND_RING;
	c.size = 4096;
	self->ring = ioctl(self->ctl, RAMCHAN_IOC_CREATE, &c);
	ASSERT_LE(0, self->ring);
}

FIXTURE_TEARDOWN(uffd)
{
	if (self->started) {
		/* Closing the userfaultfd lets a still-waiting fault go on. */
		close(self->uffd);
		self->uffd = -1;
		pthread_join(self->call.thread, NULL);
	}
	if (self->uffd >= 0)
		close(self->uffd);
	if (self->region && self->region != MAP_FAILED)
		munmap(self->region, self->page);
	if (self->ring >= 0)
		close(self->ring);
	if (self->ctl >= 0)
		close(self->ctl);
}

/* Wait until the call has faulted on the region; 0 or -1. */
static int wait_for_fault(int uffd, uintptr_t region)
{
	struct pollfd p = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&p, 1, FAULT_SEC * 1000) != 1)
		return -1;
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -1;
	if (msg.event != UFFD_EVENT_PAGEFAULT)
		return -1;
	return (msg.arg.pagefault.address & ~(uintptr_t)4095) == region ? 0 : -1;
}

/* Start a read() or write() of @len bytes at the region; wait for its fault. */
static int start_faulting_call(FIXTURE_DATA(uffd) *self, int write,
			       size_t len)
{
	self->call.fd = self->ring;
	self->call.buf = self->region;
	self->call.len = len;
	self->call.write = write;
	if (pthread_create(&self->call.thread, NULL, uffd_call_run, &self->call))
		return -1;
	self->started = 1;
	return wait_for_fault(self->uffd, (uintptr_t)self->region);
}

/* Resolve the fault: map a page filled with @c at the region. */
static int resolve_fault(FIXTURE_DATA(uffd) *self, int c)
{
	struct uffdio_copy copy = { 0 };
	static char src[65536] __attribute__((aligned(65536)));

	memset(src, c, self->page);
	copy.dst = (uintptr_t)self->region;
	copy.src = (uintptr_t)src;
	copy.len = self->page;
	return ioctl(self->uffd, UFFDIO_COPY, &copy);
}

static void on_alarm(int sig)
{
}

/* A read() or write() bounded by an alarm: -1 with EINTR if it waited. */
static ssize_t prompt_io(int fd, void *buf, size_t len, int write_it)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	ssize_t n;

	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
	alarm(PROMPT_SEC);
	errno = 0;
	n = write_it ? write(fd, buf, len) : read(fd, buf, len);
	alarm(0);
	return n;
}

TEST_F_TIMEOUT(uffd, blocking_read_goes_on_while_another_reader_waits_on_its_fault, 60)
{
	char buf[64];
	ssize_t n;

	ASSERT_EQ(5, write(self->ring, "first", 5));
	ASSERT_EQ(6, write(self->ring, "second", 6));

	/* The faulting reader wants "first"; its buffer waits for us. */
	ASSERT_EQ(0, start_faulting_call(self, 0, 64));

	/* Another blocking reader gets a record without waiting behind it. */
	memset(buf, 0, sizeof(buf));
	n = prompt_io(self->ring, buf, sizeof(buf), 0);
	ASSERT_LT(0, n) TH_LOG("read() behind a reader waiting on userfaultfd: errno %d%s",
			       errno, errno == EINTR ?
			       " (it slept behind that reader's lock)" : "");
	EXPECT_EQ(0, memcmp(buf, "first", 5));

	/* Resolved, the faulting reader gets the next record, whole. */
	ASSERT_EQ(0, resolve_fault(self, 'x'));
	pthread_join(self->call.thread, NULL);
	self->started = 0;
	EXPECT_EQ(6, self->call.ret) TH_LOG("faulting read(): errno %d", self->call.err);
	EXPECT_EQ(0, memcmp(self->region, "second", 6));

	/* Nothing lost, nothing left. */
	ASSERT_EQ(0, fcntl(self->ring, F_SETFL, O_NONBLOCK));
	errno = 0;
	EXPECT_EQ(-1, read(self->ring, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F_TIMEOUT(uffd, writers_go_on_while_another_writer_waits_on_its_fault, 60)
{
	char buf[64];
	ssize_t n;

	/* The faulting writer's source waits for us. */
	ASSERT_EQ(0, start_faulting_call(self, 1, 16));

	/* It holds no reservation: an O_NONBLOCK writer commits at once... */
	ASSERT_EQ(0, fcntl(self->ring, F_SETFL, O_NONBLOCK));
	n = prompt_io(self->ring, "other", 5, 1);
	EXPECT_EQ(5, n) TH_LOG("O_NONBLOCK write() beside a faulting writer: errno %d", errno);
	/* ... and so does a blocking one. */
	ASSERT_EQ(0, fcntl(self->ring, F_SETFL, 0));
	n = prompt_io(self->ring, "blocking", 8, 1);
	EXPECT_EQ(8, n) TH_LOG("write() beside a faulting writer: errno %d%s", errno,
			       errno == EINTR ? " (it waited for that writer's commit)" : "");

	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, read(self->ring, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "other", 5));
	EXPECT_EQ(8, read(self->ring, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "blocking", 8));

	/* Resolved, the faulting writer commits its bytes, whole. */
	ASSERT_EQ(0, resolve_fault(self, 'y'));
	pthread_join(self->call.thread, NULL);
	self->started = 0;
	EXPECT_EQ(16, self->call.ret) TH_LOG("faulting write(): errno %d", self->call.err);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(16, read(self->ring, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "yyyyyyyyyyyyyyyy", 16));
}

TEST_F(uffd, unmapped_buffers_fail_efault_and_lose_nothing)
{
	char buf[64], *hole;

	hole = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, self->page));

	ASSERT_EQ(4, write(self->ring, "kept", 4));
	/* read() into nothing: EFAULT, the record stays queued. */
	errno = 0;
	EXPECT_EQ(-1, read(self->ring, hole, 64));
	EXPECT_EQ(EFAULT, errno);
	/* write() from nothing: EFAULT, nothing committed. */
	errno = 0;
	EXPECT_EQ(-1, write(self->ring, hole, 64));
	EXPECT_EQ(EFAULT, errno);

	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, read(self->ring, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "kept", 4));
	ASSERT_EQ(0, fcntl(self->ring, F_SETFL, O_NONBLOCK));
	errno = 0;
	EXPECT_EQ(-1, read(self->ring, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_HARNESS_MAIN
