// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan message queues: every error path, priorities, blocking modes,
 * deadlines, signals, peer loss, overflow policies, batches, hand-off,
 * eventfd, peek, busy-poll, sysfs, RLIMIT_MSGQUEUE, and many senders and
 * receivers exchanging a million messages exactly once.
 *
 * Run as root in a guest with ramchan loaded (tools/vm/run does it). Tests
 * that need a peer fork one; a peer "is waiting" when the queue's sysfs
 * waiter count says so and /proc says it sleeps. RAMCHAN_MQ_STRESS_MSGS
 * overrides the message count of the stress test (default 10^6).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ramchan.h"
#include "../kselftest_harness.h"

#define SYSFS_DIR	"/sys/kernel/ramchan/"
#define CHAN_DIR	SYSFS_DIR "channel/"
#define MSEC		1000000ULL

static long read_long(const char *path)
{
	char buf[64] = "";
	long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		val = strtol(buf, NULL, 0);
	fclose(f);
	return val;
}

static void read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* A queue and its sysfs directory (the newest channel: tests run alone). */
struct q {
	int fd;
	char dir[128];
};

static long qstat(const struct q *q, const char *attr)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", q->dir, attr);
	return read_long(path);
}

static int newest_channel(char *dir, size_t len)
{
	unsigned long id, max = 0;
	struct dirent *de;
	DIR *d = opendir(CHAN_DIR);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			id = strtoul(de->d_name, NULL, 10);
			if (id > max)
				max = id;
		}
	closedir(d);
	snprintf(dir, len, CHAN_DIR "%lu", max);
	return max ? 0 : -1;
}

static int q_create(struct q *q, uint32_t depth, uint32_t msg_size,
		    uint32_t overflow, unsigned int flags)
{
	struct ramchan_mq_opts o = {
		.depth = depth, .msg_size = msg_size, .overflow = overflow,
		.flags = flags,
	};
	int ctl = ramchan_open_dev();

	if (ctl < 0)
		return ctl;
	q->fd = ramchan_mq_create(ctl, &o);
	close(ctl);
	if (q->fd < 0)
		return q->fd;
	return newest_channel(q->dir, sizeof(q->dir));
}

static int create_raw(struct ramchan_create *c)
{
	int ctl = ramchan_open_dev(), fd;

	if (ctl < 0)
		return ctl;
	fd = ioctl(ctl, RAMCHAN_IOC_CREATE, c);
	fd = fd < 0 ? -errno : fd;
	close(ctl);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? fd : 0;
}

static struct ramchan_create mq_args(uint32_t depth, uint64_t size)
{
	struct ramchan_create c = {
		.kind = RAMCHAN_KIND_MQ, .size = size, .mq_depth = depth,
	};

	return c;
}

static int send_str(int fd, const char *s, uint32_t prio, unsigned int flags)
{
	return ramchan_mq_send(fd, s, strlen(s), prio, flags, 0);
}

/* Receive a string (NUL-terminated into buf); length or -errno. */
static int recv_str(int fd, char *buf, size_t cap, uint32_t *prio,
		    unsigned int flags)
{
	int n = ramchan_mq_recv(fd, buf, cap - 1, prio, flags, 0);

	buf[n < 0 ? 0 : n] = 0;
	return n;
}

/* The state letter of /proc/<pid>/stat. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p ? p[2] : 0;
}

/* Until @attr of @q reaches @want and @pid sleeps (10 s at most). */
static bool wait_waiting(const struct q *q, const char *attr, long want,
			 pid_t pid)
{
	int i;

	for (i = 0; i < 10000; i++) {
		if (qstat(q, attr) == want && (!pid || proc_state(pid) == 'S'))
			return true;
		usleep(1000);
	}
	return false;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void catch_sigusr1(bool restart)
{
	struct sigaction sa = {
		.sa_handler = on_signal,
		.sa_flags = restart ? SA_RESTART : 0,
	};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

FIXTURE(mq) {
	struct q q;
};

FIXTURE_SETUP(mq)
{
	ASSERT_EQ(0, q_create(&self->q, 4, 64, RAMCHAN_MQ_OVERFLOW_BLOCK, 0));
}

FIXTURE_TEARDOWN(mq)
{
	close(self->q.fd);
}

/* ---- ABI, creation ------------------------------------------------------ */

TEST(info_reports_mq_feature_and_limits)
{
	struct ramchan_info info;
	int ctl = ramchan_open_dev();

	ASSERT_LE(0, ctl);
	memset(&info, 0xa5, sizeof(info));
	info.flags = 0;
	memset(info.reserved, 0, sizeof(info.reserved));
	ASSERT_EQ(0, ioctl(ctl, RAMCHAN_IOC_INFO, &info));
	EXPECT_TRUE(info.features & RAMCHAN_FEATURE_MQ);
	EXPECT_EQ(read_long("/sys/module/ramchan/parameters/mq_max_depth"),
		  info.mq_max_depth);
	EXPECT_EQ(read_long("/sys/module/ramchan/parameters/mq_max_msg_size"),
		  info.mq_max_msg_size);
	EXPECT_EQ(read_long("/sys/module/ramchan/parameters/mq_max_spin_us"),
		  info.mq_max_spin_us);
	EXPECT_EQ(read_long("/sys/module/ramchan/parameters/mq_max_batch"),
		  info.mq_max_batch);
	EXPECT_EQ(0, info.reserved[0]);
	EXPECT_EQ(0, info.reserved[1]);
	close(ctl);
}

static struct ramchan_info limits(void)
{
	struct ramchan_info info;
	int ctl = ramchan_open_dev();

	ramchan_get_info(ctl, &info);
	close(ctl);
	return info;
}

TEST(create_with_zero_depth_fails_einval)
{
	struct ramchan_create c = mq_args(0, 64);

	EXPECT_EQ(-EINVAL, create_raw(&c));
}

TEST(create_with_depth_at_limit_works_and_above_fails_einval)
{
	struct ramchan_info info = limits();
	struct ramchan_create c = mq_args(info.mq_max_depth, 8);

	EXPECT_EQ(0, create_raw(&c));
	c.mq_depth = info.mq_max_depth + 1;
	EXPECT_EQ(-EINVAL, create_raw(&c));
	c.mq_depth = UINT32_MAX;
	EXPECT_EQ(-EINVAL, create_raw(&c));
}

TEST(create_with_zero_msg_size_fails_einval)
{
	struct ramchan_create c = mq_args(4, 0);

	EXPECT_EQ(-EINVAL, create_raw(&c));
}

TEST(create_with_msg_size_at_limit_works_and_above_fails_einval)
{
	struct ramchan_info info = limits();
	struct ramchan_create c = mq_args(2, info.mq_max_msg_size);

	EXPECT_EQ(0, create_raw(&c));
	c.size = info.mq_max_msg_size + 1ULL;
	EXPECT_EQ(-EINVAL, create_raw(&c));
	c.size = UINT64_MAX;
	EXPECT_EQ(-EINVAL, create_raw(&c));
}

TEST(create_with_unknown_overflow_policy_fails_einval)
{
	struct ramchan_create c = mq_args(4, 64);

	c.mq_overflow = RAMCHAN_MQ_OVERFLOW_DROP_OLDEST + 1;
	EXPECT_EQ(-EINVAL, create_raw(&c));
	c.mq_overflow = UINT32_MAX;
	EXPECT_EQ(-EINVAL, create_raw(&c));
}

TEST(create_with_spin_above_limit_fails_einval)
{
	struct ramchan_info info = limits();
	struct ramchan_create c = mq_args(4, 64);

	c.mq_spin_us = info.mq_max_spin_us;
	EXPECT_EQ(0, create_raw(&c));
	c.mq_spin_us = info.mq_max_spin_us + 1;
	EXPECT_EQ(-EINVAL, create_raw(&c));
}

TEST(create_with_nonzero_reserved_fails_einval)
{
	struct ramchan_create c = mq_args(4, 64);

	c.mq_reserved = 1;
	EXPECT_EQ(-EINVAL, create_raw(&c));
	c.mq_reserved = 0;
	c.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, create_raw(&c));
}

TEST(create_with_unknown_kind_fails_einval)
{
	struct ramchan_create c = mq_args(4, 64);

	c.kind = RAMCHAN_KIND_MQ + 1;
	EXPECT_EQ(-EINVAL, create_raw(&c));
}

TEST(named_queue_opens_by_name_with_a_role)
{
	struct ramchan_mq_opts o = {
		.name = "mq_test_named", .depth = 4, .msg_size = 64,
		.mode = 0600,
	};
	int ctl = ramchan_open_dev(), fd, rx;
	char buf[64];

	ASSERT_LE(0, ctl);
	fd = ramchan_mq_create(ctl, &o);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, ramchan_mq_create(ctl, &o));
	rx = ramchan_chan_open(ctl, "mq_test_named", RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, rx);
	EXPECT_EQ(0, send_str(fd, "hello", 0, 0));
	EXPECT_EQ(5, recv_str(rx, buf, sizeof(buf), NULL, 0));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(-EBADF, send_str(rx, "x", 0, 0));
	EXPECT_EQ(0, ramchan_chan_unlink(ctl, "mq_test_named"));
	close(rx);
	close(fd);
	close(ctl);
}

/* ---- argument validation ------------------------------------------------ */

static int msg_ioctl(int fd, unsigned long cmd, struct ramchan_mq_msg *m)
{
	return ioctl(fd, cmd, m) < 0 ? -errno : 0;
}

TEST_F(mq, send_with_unknown_flags_fails_einval)
{
	struct ramchan_mq_msg m = { .buf = (uintptr_t)"x", .len = 1 };

	m.flags = RAMCHAN_MQ_PEEK;
	EXPECT_EQ(-EINVAL, msg_ioctl(self->q.fd, RAMCHAN_IOC_MQ_SEND, &m));
	m.flags = 0x80000000;
	EXPECT_EQ(-EINVAL, msg_ioctl(self->q.fd, RAMCHAN_IOC_MQ_SEND, &m));
	EXPECT_EQ(0, qstat(&self->q, "count"));
}

TEST_F(mq, recv_with_unknown_flags_fails_einval)
{
	char buf[64];
	struct ramchan_mq_msg m = { .buf = (uintptr_t)buf, .len = 64,
				    .flags = 0x8 };

	EXPECT_EQ(-EINVAL, msg_ioctl(self->q.fd, RAMCHAN_IOC_MQ_RECV, &m));
}

TEST_F(mq, send_and_recv_with_nonzero_reserved_fail_einval)
{
	char buf[64] = "x";
	struct ramchan_mq_msg m = { .buf = (uintptr_t)buf, .len = 1,
				    .reserved = 1 };

	EXPECT_EQ(-EINVAL, msg_ioctl(self->q.fd, RAMCHAN_IOC_MQ_SEND, &m));
	m.len = 64;
	EXPECT_EQ(-EINVAL, msg_ioctl(self->q.fd, RAMCHAN_IOC_MQ_RECV, &m));
}

TEST_F(mq, priority_at_max_fails_einval_and_below_works)
{
	char buf[64];
	uint32_t prio = 0;

	EXPECT_EQ(-EINVAL, send_str(self->q.fd, "x", RAMCHAN_MQ_PRIO_MAX, 0));
	EXPECT_EQ(-EINVAL, send_str(self->q.fd, "x", UINT32_MAX, 0));
	EXPECT_EQ(0, send_str(self->q.fd, "x", RAMCHAN_MQ_PRIO_MAX - 1, 0));
	EXPECT_EQ(1, recv_str(self->q.fd, buf, sizeof(buf), &prio, 0));
	EXPECT_EQ(RAMCHAN_MQ_PRIO_MAX - 1, prio);
}

TEST_F(mq, spin_budget_without_spin_flag_fails_einval)
{
	struct ramchan_mq_msg m = { .buf = (uintptr_t)"x", .len = 1,
				    .spin_us = 1 };

	EXPECT_EQ(-EINVAL, msg_ioctl(self->q.fd, RAMCHAN_IOC_MQ_SEND, &m));
}

TEST_F(mq, spin_budget_above_limit_fails_einval)
{
	struct ramchan_info info = limits();
	char buf[64];

	EXPECT_EQ(-EINVAL, ramchan_mq_recv_spin(self->q.fd, buf, sizeof(buf),
						NULL, RAMCHAN_MQ_SPIN,
						info.mq_max_spin_us + 1, 0));
	EXPECT_EQ(-EAGAIN, ramchan_mq_recv_spin(self->q.fd, buf, sizeof(buf),
						NULL, RAMCHAN_MQ_SPIN |
						RAMCHAN_MQ_NONBLOCK,
						info.mq_max_spin_us, 0));
}

TEST_F(mq, send_from_bad_pointer_fails_efault_and_queues_nothing)
{
	EXPECT_EQ(-EFAULT, ramchan_mq_send(self->q.fd, (void *)16, 8, 0, 0, 0));
	EXPECT_EQ(0, qstat(&self->q, "count"));
}

TEST_F(mq, recv_into_bad_pointer_fails_efault)
{
	EXPECT_EQ(0, send_str(self->q.fd, "abc", 0, 0));
	EXPECT_EQ(-EFAULT, ramchan_mq_recv(self->q.fd, (void *)16, 8, NULL, 0,
					   0));
}

TEST_F(mq, argument_struct_at_bad_pointer_fails_efault)
{
	EXPECT_EQ(-EFAULT, msg_ioctl(self->q.fd, RAMCHAN_IOC_MQ_SEND, NULL));
	EXPECT_EQ(-EFAULT, msg_ioctl(self->q.fd, RAMCHAN_IOC_MQ_RECV,
				     (void *)16));
}

TEST_F(mq, argument_struct_smaller_than_first_version_fails_einval)
{
	struct ramchan_mq_msg m = { .buf = (uintptr_t)"x", .len = 1 };
	unsigned long cmd = _IOC(_IOC_WRITE, RAMCHAN_IOC_MAGIC,
				 _IOC_NR(RAMCHAN_IOC_MQ_SEND), 32);

	EXPECT_EQ(-EINVAL, msg_ioctl(self->q.fd, cmd, &m));
}

TEST_F(mq, argument_struct_larger_with_nonzero_tail_fails_e2big)
{
	struct { struct ramchan_mq_msg m; uint64_t tail; } big = {
		.m = { .buf = (uintptr_t)"x", .len = 1 }, .tail = 1,
	};
	unsigned long cmd = _IOC(_IOC_WRITE, RAMCHAN_IOC_MAGIC,
				 _IOC_NR(RAMCHAN_IOC_MQ_SEND), sizeof(big));

	EXPECT_EQ(-E2BIG, msg_ioctl(self->q.fd, cmd, &big.m));
	big.tail = 0;
	EXPECT_EQ(0, msg_ioctl(self->q.fd, cmd, &big.m));
	EXPECT_EQ(1, qstat(&self->q, "count"));
}

TEST_F(mq, send_larger_than_msg_size_fails_emsgsize)
{
	char big[65] = { 0 };

	EXPECT_EQ(-EMSGSIZE, ramchan_mq_send(self->q.fd, big, 65, 0, 0, 0));
	EXPECT_EQ(0, ramchan_mq_send(self->q.fd, big, 64, 0, 0, 0));
	EXPECT_EQ(0, ramchan_mq_send(self->q.fd, big, 0, 0, 0, 0));
}

TEST_F(mq, recv_into_too_small_buffer_fails_emsgsize_and_message_stays)
{
	char buf[64];

	EXPECT_EQ(0, send_str(self->q.fd, "0123456789", 0, 0));
	EXPECT_EQ(-EMSGSIZE, ramchan_mq_recv(self->q.fd, buf, 9, NULL, 0, 0));
	EXPECT_EQ(1, qstat(&self->q, "count"));
	EXPECT_EQ(10, ramchan_mq_recv(self->q.fd, buf, 10, NULL, 0, 0));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));
}

TEST_F(mq, zero_length_message_is_delivered)
{
	char buf[8];
	uint32_t prio;

	EXPECT_EQ(0, ramchan_mq_send(self->q.fd, NULL, 0, 7, 0, 0));
	EXPECT_EQ(0, ramchan_mq_recv(self->q.fd, buf, 0, &prio, 0, 0));
	EXPECT_EQ(7, prio);
}

TEST_F(mq, send_on_consumer_fd_fails_ebadf_and_recv_on_producer_fd_too)
{
	int tx = ramchan_chan_dup(self->q.fd, RAMCHAN_ROLE_PRODUCER, 0);
	int rx = ramchan_chan_dup(self->q.fd, RAMCHAN_ROLE_CONSUMER, 0);
	char buf[64];

	ASSERT_LE(0, tx);
	ASSERT_LE(0, rx);
	EXPECT_EQ(-EBADF, send_str(rx, "x", 0, 0));
	EXPECT_EQ(0, send_str(tx, "x", 0, 0));
	EXPECT_EQ(-EBADF, recv_str(tx, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(1, recv_str(rx, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(-EBADF, ramchan_mq_notify(tx, 0));
	close(tx);
	close(rx);
}

TEST_F(mq, dup_to_wider_role_fails_eperm)
{
	int rx = ramchan_chan_dup(self->q.fd, RAMCHAN_ROLE_CONSUMER, 0);

	ASSERT_LE(0, rx);
	EXPECT_EQ(-EPERM, ramchan_chan_dup(rx, RAMCHAN_ROLE_BOTH, 0));
	close(rx);
}

TEST_F(mq, ring_ioctls_on_queue_fail_enotty_and_read_write_fail)
{
	struct ramchan_ring_layout l;
	char buf[8];

	EXPECT_EQ(-ENOTTY, ramchan_ring_layout(self->q.fd, &l));
	EXPECT_EQ(-ENOTTY, ramchan_ring_wake_fd(self->q.fd,
						RAMCHAN_WAKE_READERS));
	EXPECT_EQ(-1, read(self->q.fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(self->q.fd, buf, sizeof(buf)));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   self->q.fd, 0));
}

TEST(queue_ioctls_on_ring_fail_enotty)
{
	int ctl = ramchan_open_dev(), ring;
	char buf[8];

	ASSERT_LE(0, ctl);
	ring = ramchan_ring_create(ctl, NULL, 65536, 0, 0, 0);
	ASSERT_LE(0, ring);
	EXPECT_EQ(-ENOTTY, send_str(ring, "x", 0, 0));
	EXPECT_EQ(-ENOTTY, ramchan_mq_recv(ring, buf, 8, NULL, 0, 0));
	close(ring);
	close(ctl);
}

/* ---- order ---------------------------------------------------------------- */

TEST(receive_takes_highest_priority_first)
{
	static const uint32_t prios[] = { 1, 5, 3, 0, 32767, 2 };
	static const uint32_t want[] = { 32767, 5, 3, 2, 1, 0 };
	struct q q;
	char buf[16], s[16];
	uint32_t prio;
	unsigned int i;

	ASSERT_EQ(0, q_create(&q, 8, 16, 0, 0));
	for (i = 0; i < 6; i++) {
		snprintf(s, sizeof(s), "p%u", prios[i]);
		ASSERT_EQ(0, send_str(q.fd, s, prios[i], 0));
	}
	for (i = 0; i < 6; i++) {
		snprintf(s, sizeof(s), "p%u", want[i]);
		ASSERT_LT(0, recv_str(q.fd, buf, sizeof(buf), &prio, 0));
		EXPECT_EQ(want[i], prio);
		EXPECT_STREQ(s, buf);
	}
	close(q.fd);
}

TEST(messages_of_one_priority_come_out_in_order)
{
	struct q q;
	uint32_t i, v, prio;

	ASSERT_EQ(0, q_create(&q, 1000, 4, 0, 0));
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, ramchan_mq_send(q.fd, &i, 4, i % 3, 0, 0));
	/* Within each priority, in the order sent. */
	for (prio = 3; prio-- > 0;)
		for (i = prio; i < 1000; i += 3) {
			uint32_t p;

			ASSERT_EQ(4, ramchan_mq_recv(q.fd, &v, 4, &p, 0, 0));
			EXPECT_EQ(prio, p);
			EXPECT_EQ(i, v);
		}
	close(q.fd);
}

TEST(interleaved_priorities_keep_fifo_within_each)
{
	struct q q;
	char buf[16];
	uint32_t prio;

	ASSERT_EQ(0, q_create(&q, 8, 16, 0, 0));
	ASSERT_EQ(0, send_str(q.fd, "a1", 1, 0));
	ASSERT_EQ(0, send_str(q.fd, "b2", 2, 0));
	ASSERT_EQ(0, send_str(q.fd, "c1", 1, 0));
	ASSERT_EQ(0, send_str(q.fd, "d2", 2, 0));
	ASSERT_EQ(0, send_str(q.fd, "e1", 1, 0));
	EXPECT_EQ(2, recv_str(q.fd, buf, sizeof(buf), &prio, 0));
	EXPECT_STREQ("b2", buf);
	/* A new message of the highest priority goes behind its equals. */
	ASSERT_EQ(0, send_str(q.fd, "f2", 2, 0));
	recv_str(q.fd, buf, sizeof(buf), &prio, 0);
	EXPECT_STREQ("d2", buf);
	recv_str(q.fd, buf, sizeof(buf), &prio, 0);
	EXPECT_STREQ("f2", buf);
	recv_str(q.fd, buf, sizeof(buf), &prio, 0);
	EXPECT_STREQ("a1", buf);
	recv_str(q.fd, buf, sizeof(buf), &prio, 0);
	EXPECT_STREQ("c1", buf);
	recv_str(q.fd, buf, sizeof(buf), &prio, 0);
	EXPECT_STREQ("e1", buf);
	close(q.fd);
}

/* ---- blocking modes ------------------------------------------------------- */

TEST_F(mq, recv_on_empty_queue_with_nonblock_flag_fails_eagain)
{
	char buf[64];

	EXPECT_EQ(-EAGAIN, recv_str(self->q.fd, buf, sizeof(buf), NULL,
				    RAMCHAN_MQ_NONBLOCK));
}

TEST(recv_on_empty_queue_with_o_nonblock_fd_fails_eagain)
{
	struct q q;
	char buf[64];

	ASSERT_EQ(0, q_create(&q, 4, 64, 0, RAMCHAN_F_NONBLOCK));
	EXPECT_TRUE(fcntl(q.fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(-EAGAIN, recv_str(q.fd, buf, sizeof(buf), NULL, 0));
	close(q.fd);
}

TEST_F(mq, send_on_full_queue_with_nonblock_flag_fails_eagain)
{
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, send_str(self->q.fd, "x", 0, RAMCHAN_MQ_NONBLOCK));
	EXPECT_EQ(-EAGAIN, send_str(self->q.fd, "x", 0, RAMCHAN_MQ_NONBLOCK));
	EXPECT_EQ(4, qstat(&self->q, "count"));
	EXPECT_EQ(0, qstat(&self->q, "rejects"));
}

TEST(send_on_full_queue_with_o_nonblock_fd_fails_eagain)
{
	struct q q;

	ASSERT_EQ(0, q_create(&q, 1, 64, 0, RAMCHAN_F_NONBLOCK));
	EXPECT_EQ(0, send_str(q.fd, "x", 0, 0));
	EXPECT_EQ(-EAGAIN, send_str(q.fd, "y", 0, 0));
	close(q.fd);
}

TEST_F(mq, blocking_recv_on_empty_queue_waits_for_a_send)
{
	char buf[64];
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		int n = recv_str(self->q.fd, buf, sizeof(buf), NULL, 0);

		_exit(n == 5 && !strcmp(buf, "hello") ? 0 : 1);
	}
	ASSERT_TRUE(wait_waiting(&self->q, "receivers_waiting", 1, pid));
	EXPECT_EQ(0, send_str(self->q.fd, "hello", 0, 0));
	EXPECT_EQ(0, child_status(pid));
}

TEST_F(mq, blocking_send_on_full_queue_waits_for_room)
{
	char buf[64];
	pid_t pid;
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, send_str(self->q.fd, "old", 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(send_str(self->q.fd, "new", 0, 0) ? 1 : 0);
	ASSERT_TRUE(wait_waiting(&self->q, "senders_waiting", 1, pid));
	EXPECT_EQ(4, qstat(&self->q, "count"));
	EXPECT_EQ(3, recv_str(self->q.fd, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(0, child_status(pid));
	/* Its message went into the slot the receive freed, at the end. */
	EXPECT_EQ(4, qstat(&self->q, "count"));
	for (i = 0; i < 3; i++) {
		recv_str(self->q.fd, buf, sizeof(buf), NULL, 0);
		EXPECT_STREQ("old", buf);
	}
	recv_str(self->q.fd, buf, sizeof(buf), NULL, 0);
	EXPECT_STREQ("new", buf);
}

/* ---- deadlines ------------------------------------------------------------ */

TEST_F(mq, recv_with_deadline_in_the_past_fails_etimedout)
{
	char buf[64];

	EXPECT_EQ(-ETIMEDOUT, ramchan_mq_recv(self->q.fd, buf, sizeof(buf),
					      NULL, 0, 1));
	EXPECT_EQ(-ETIMEDOUT, ramchan_mq_recv(self->q.fd, buf, sizeof(buf),
					      NULL, 0, ramchan_now_ns() - 1));
}

TEST_F(mq, recv_with_deadline_in_the_past_still_takes_a_queued_message)
{
	char buf[64];

	ASSERT_EQ(0, send_str(self->q.fd, "x", 0, 0));
	EXPECT_EQ(1, ramchan_mq_recv(self->q.fd, buf, sizeof(buf), NULL, 0, 1));
}

TEST_F(mq, send_with_deadline_in_the_past_fails_etimedout_when_full)
{
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, ramchan_mq_send(self->q.fd, "x", 1, 0, 0, 1));
	EXPECT_EQ(-ETIMEDOUT, ramchan_mq_send(self->q.fd, "x", 1, 0, 0, 1));
	EXPECT_EQ(4, qstat(&self->q, "count"));
}

TEST_F(mq, recv_with_near_deadline_times_out_after_it)
{
	uint64_t t0 = ramchan_now_ns(), deadline = t0 + 100 * MSEC;
	char buf[64];

	EXPECT_EQ(-ETIMEDOUT, ramchan_mq_recv(self->q.fd, buf, sizeof(buf),
					      NULL, 0, deadline));
	EXPECT_LE(deadline, ramchan_now_ns());
	EXPECT_GT(t0 + 10000 * MSEC, ramchan_now_ns());
	EXPECT_EQ(0, qstat(&self->q, "receivers_waiting"));
}

TEST_F(mq, send_with_near_deadline_times_out_after_it_when_full)
{
	uint64_t deadline;
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, send_str(self->q.fd, "x", 0, 0));
	deadline = ramchan_deadline_in(100 * MSEC);
	EXPECT_EQ(-ETIMEDOUT, ramchan_mq_send(self->q.fd, "y", 1, 0, 0,
					      deadline));
	EXPECT_LE(deadline, ramchan_now_ns());
	EXPECT_EQ(4, qstat(&self->q, "count"));
	EXPECT_EQ(0, qstat(&self->q, "senders_waiting"));
}

TEST_F(mq, recv_with_near_deadline_gets_a_message_sent_before_it)
{
	char buf[64];
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		int n = ramchan_mq_recv(self->q.fd, buf, sizeof(buf), NULL, 0,
					ramchan_deadline_in(10000 * MSEC));
		_exit(n == 1 ? 0 : 1);
	}
	ASSERT_TRUE(wait_waiting(&self->q, "receivers_waiting", 1, pid));
	EXPECT_EQ(0, send_str(self->q.fd, "x", 0, 0));
	EXPECT_EQ(0, child_status(pid));
}

/* ---- signals ------------------------------------------------------------ */

/*
 * A receiver blocked on an empty queue takes a signal. Without SA_RESTART
 * it returns -EINTR and its next receive gets the message sent afterwards;
 * with SA_RESTART the receive goes on and gets it. Nothing lost either way.
 */
static int signal_during_recv(struct __test_metadata *_metadata,
			      struct q *q, bool restart)
{
	int report[2], first = 0;
	char buf[64];
	pid_t pid;

	if (pipe(report))
		return -1;
	pid = fork();
	if (!pid) {
		int n;

		catch_sigusr1(restart);
		n = recv_str(q->fd, buf, sizeof(buf), NULL, 0);
		if (write(report[1], &n, sizeof(n)) != sizeof(n))
			_exit(10);
		if (n == -EINTR)
			n = recv_str(q->fd, buf, sizeof(buf), NULL, 0);
		_exit(got_signal && n == 3 && !strcmp(buf, "msg") ? 0 : 1);
	}
	if (!wait_waiting(q, "receivers_waiting", 1, pid))
		return -1;
	kill(pid, SIGUSR1);
	if (!restart) {
		EXPECT_EQ(sizeof(first), read(report[0], &first,
					      sizeof(first)));
		EXPECT_EQ(-EINTR, first);
	} else {
		/* Back to sleep in the restarted call. */
		usleep(50000);
		EXPECT_TRUE(wait_waiting(q, "receivers_waiting", 1, pid));
	}
	EXPECT_EQ(0, send_str(q->fd, "msg", 0, 0));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(0, qstat(q, "count"));
	EXPECT_EQ(1, qstat(q, "msgs_out"));
	close(report[0]);
	close(report[1]);
	return 0;
}

TEST_F(mq, signal_interrupts_blocked_recv_with_eintr_and_loses_nothing)
{
	ASSERT_EQ(0, signal_during_recv(_metadata, &self->q, false));
}

TEST_F(mq, signal_with_sa_restart_restarts_blocked_recv)
{
	ASSERT_EQ(0, signal_during_recv(_metadata, &self->q, true));
}

/*
 * A sender blocked on a full queue takes a signal. Without SA_RESTART its
 * message is not queued (-EINTR) and it sends it again; with SA_RESTART it
 * goes in once room is made. Either way each message comes out once.
 */
static int signal_during_send(struct __test_metadata *_metadata,
			      struct q *q, bool restart)
{
	static const char *const want[] = { "m0", "m1", "m2", "m3", "new" };
	int report[2], first = 0, i;
	char buf[64];
	pid_t pid;

	for (i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), "m%d", i);
		if (send_str(q->fd, buf, 0, 0))
			return -1;
	}
	if (pipe(report))
		return -1;
	pid = fork();
	if (!pid) {
		int n;

		catch_sigusr1(restart);
		n = send_str(q->fd, "new", 0, 0);
		if (write(report[1], &n, sizeof(n)) != sizeof(n))
			_exit(10);
		if (n == -EINTR)
			n = send_str(q->fd, "new", 0, 0);
		_exit(got_signal && !n ? 0 : 1);
	}
	if (!wait_waiting(q, "senders_waiting", 1, pid))
		return -1;
	kill(pid, SIGUSR1);
	if (!restart) {
		EXPECT_EQ(sizeof(first), read(report[0], &first,
					      sizeof(first)));
		EXPECT_EQ(-EINTR, first);
		/* Not queued: the second try waits again. */
		EXPECT_TRUE(wait_waiting(q, "senders_waiting", 1, pid));
	} else {
		usleep(50000);
		EXPECT_TRUE(wait_waiting(q, "senders_waiting", 1, pid));
	}
	EXPECT_EQ(4, qstat(q, "count"));
	for (i = 0; i < 5; i++) {
		EXPECT_LT(0, recv_str(q->fd, buf, sizeof(buf), NULL, 0));
		EXPECT_STREQ(want[i], buf);
	}
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(-EAGAIN, recv_str(q->fd, buf, sizeof(buf), NULL,
				    RAMCHAN_MQ_NONBLOCK));
	EXPECT_EQ(5, qstat(q, "msgs_in"));
	close(report[0]);
	close(report[1]);
	return 0;
}

TEST_F(mq, signal_interrupts_blocked_send_with_eintr_and_queues_nothing)
{
	ASSERT_EQ(0, signal_during_send(_metadata, &self->q, false));
}

TEST_F(mq, signal_with_sa_restart_restarts_blocked_send)
{
	ASSERT_EQ(0, signal_during_send(_metadata, &self->q, true));
}

TEST_F(mq, killing_a_blocked_receiver_leaves_the_queue_usable)
{
	char buf[64];
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		recv_str(self->q.fd, buf, sizeof(buf), NULL, 0);
		_exit(1);
	}
	ASSERT_TRUE(wait_waiting(&self->q, "receivers_waiting", 1, pid));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, child_status(pid));
	EXPECT_EQ(0, qstat(&self->q, "receivers_waiting"));
	EXPECT_EQ(0, send_str(self->q.fd, "after", 0, 0));
	EXPECT_EQ(0, qstat(&self->q, "handoffs"));
	EXPECT_EQ(5, recv_str(self->q.fd, buf, sizeof(buf), NULL, 0));
	EXPECT_STREQ("after", buf);
}

TEST_F(mq, killing_a_blocked_sender_keeps_the_queued_messages)
{
	char buf[64];
	pid_t pid;
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, send_str(self->q.fd, "kept", 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		send_str(self->q.fd, "lost", 0, 0);
		_exit(1);
	}
	ASSERT_TRUE(wait_waiting(&self->q, "senders_waiting", 1, pid));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, child_status(pid));
	EXPECT_EQ(0, qstat(&self->q, "senders_waiting"));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(4, recv_str(self->q.fd, buf, sizeof(buf), NULL, 0));
		EXPECT_STREQ("kept", buf);
	}
	EXPECT_EQ(-EAGAIN, recv_str(self->q.fd, buf, sizeof(buf), NULL,
				    RAMCHAN_MQ_NONBLOCK));
}

/* ---- peers and poll ----------------------------------------------------- */

static short poll_events(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

TEST_F(mq, poll_reports_pollin_when_queued_and_pollout_when_room)
{
	int i;

	EXPECT_EQ(POLLOUT, poll_events(self->q.fd));
	ASSERT_EQ(0, send_str(self->q.fd, "x", 0, 0));
	EXPECT_EQ(POLLIN | POLLOUT, poll_events(self->q.fd));
	for (i = 1; i < 4; i++)
		ASSERT_EQ(0, send_str(self->q.fd, "x", 0, 0));
	EXPECT_EQ(POLLIN, poll_events(self->q.fd));
}

TEST_F(mq, poll_on_role_limited_fds_reports_only_their_side)
{
	int tx = ramchan_chan_dup(self->q.fd, RAMCHAN_ROLE_PRODUCER, 0);
	int rx = ramchan_chan_dup(self->q.fd, RAMCHAN_ROLE_CONSUMER, 0);

	ASSERT_EQ(0, send_str(tx, "x", 0, 0));
	EXPECT_EQ(POLLOUT, poll_events(tx));
	EXPECT_EQ(POLLIN, poll_events(rx));
	close(tx);
	close(rx);
}

TEST_F(mq, epoll_wakes_when_a_message_arrives)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0);
	pid_t pid;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->q.fd, &ev));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(100000);
		_exit(send_str(self->q.fd, "x", 0, 0) ? 1 : 0);
	}
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 10000));
	EXPECT_TRUE(ev.events & EPOLLIN);
	EXPECT_EQ(0, child_status(pid));
	close(ep);
}

TEST_F(mq, last_sender_gone_gives_pollhup_and_epipe_after_draining)
{
	int rx = ramchan_chan_dup(self->q.fd, RAMCHAN_ROLE_CONSUMER, 0);
	char buf[64];

	ASSERT_LE(0, rx);
	ASSERT_EQ(0, send_str(self->q.fd, "last", 0, 0));
	close(self->q.fd);	/* the only producer */
	EXPECT_EQ(POLLIN, poll_events(rx));
	EXPECT_EQ(4, recv_str(rx, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(POLLHUP, poll_events(rx));
	EXPECT_EQ(-EPIPE, recv_str(rx, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(-EPIPE, recv_str(rx, buf, sizeof(buf), NULL,
				   RAMCHAN_MQ_NONBLOCK));
	self->q.fd = rx;
}

TEST_F(mq, last_sender_gone_wakes_a_blocked_receiver_with_epipe)
{
	int rx = ramchan_chan_dup(self->q.fd, RAMCHAN_ROLE_CONSUMER, 0);
	char buf[64];
	pid_t pid;

	ASSERT_LE(0, rx);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(self->q.fd);
		_exit(recv_str(rx, buf, sizeof(buf), NULL, 0) == -EPIPE ? 0 :
		      1);
	}
	ASSERT_TRUE(wait_waiting(&self->q, "receivers_waiting", 1, pid));
	close(self->q.fd);
	EXPECT_EQ(0, child_status(pid));
	self->q.fd = rx;
}

TEST_F(mq, last_receiver_gone_fails_send_with_epipe_and_pollerr)
{
	int tx = ramchan_chan_dup(self->q.fd, RAMCHAN_ROLE_PRODUCER, 0);

	ASSERT_LE(0, tx);
	close(self->q.fd);	/* the only consumer */
	EXPECT_EQ(-EPIPE, send_str(tx, "x", 0, 0));
	EXPECT_EQ(POLLERR, poll_events(tx));
	self->q.fd = tx;
}

TEST_F(mq, last_receiver_gone_wakes_a_blocked_sender_with_epipe)
{
	int tx = ramchan_chan_dup(self->q.fd, RAMCHAN_ROLE_PRODUCER, 0);
	pid_t pid;
	int i;

	ASSERT_LE(0, tx);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, send_str(tx, "x", 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(self->q.fd);
		_exit(send_str(tx, "y", 0, 0) == -EPIPE ? 0 : 1);
	}
	ASSERT_TRUE(wait_waiting(&self->q, "senders_waiting", 1, pid));
	close(self->q.fd);
	EXPECT_EQ(0, child_status(pid));
	self->q.fd = tx;
}

TEST(new_sender_after_the_last_one_left_clears_the_hangup)
{
	struct ramchan_mq_opts o = { .name = "mq_test_hup", .depth = 4,
				     .msg_size = 64, .mode = 0600 };
	int ctl = ramchan_open_dev(), fd, rx, tx;
	char buf[64];

	ASSERT_LE(0, ctl);
	fd = ramchan_mq_create(ctl, &o);
	ASSERT_LE(0, fd);
	rx = ramchan_chan_dup(fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, rx);
	close(fd);
	EXPECT_EQ(POLLHUP, poll_events(rx));
	EXPECT_EQ(-EPIPE, recv_str(rx, buf, sizeof(buf), NULL, 0));
	tx = ramchan_chan_open(ctl, "mq_test_hup", RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, tx);
	EXPECT_EQ(0, poll_events(rx));
	EXPECT_EQ(-EAGAIN, recv_str(rx, buf, sizeof(buf), NULL,
				    RAMCHAN_MQ_NONBLOCK));
	EXPECT_EQ(0, send_str(tx, "back", 0, 0));
	EXPECT_EQ(POLLIN, poll_events(rx));
	EXPECT_EQ(0, ramchan_chan_unlink(ctl, "mq_test_hup"));
	close(tx);
	close(rx);
	close(ctl);
}

/* ---- attributes ------------------------------------------------------- */

TEST_F(mq, getattr_reports_sizes_count_and_flags)
{
	struct ramchan_mq_attr a;

	ASSERT_EQ(0, send_str(self->q.fd, "abc", 0, 0));
	ASSERT_EQ(0, send_str(self->q.fd, "de", 0, 0));
	memset(&a, 0xa5, sizeof(a));
	ASSERT_EQ(0, ioctl(self->q.fd, RAMCHAN_IOC_MQ_GETATTR, &a));
	EXPECT_EQ(0, a.flags);
	EXPECT_EQ(0, a.set);
	EXPECT_EQ(64, a.msg_size);
	EXPECT_EQ(4, a.depth);
	EXPECT_EQ(2, a.count);
	EXPECT_EQ(5, a.bytes);
	EXPECT_EQ(RAMCHAN_MQ_OVERFLOW_BLOCK, a.overflow);
	EXPECT_EQ(0, a.spin_us);
	EXPECT_EQ(0, a.drops);
	EXPECT_EQ(0, a.rejects);
	EXPECT_EQ(0, a.reserved[0]);
	EXPECT_EQ(0, a.reserved[1]);
}

TEST_F(mq, setattr_nonblock_returns_old_attributes_and_takes_effect)
{
	struct ramchan_mq_attr old, a;
	char buf[64];

	ASSERT_EQ(0, ramchan_mq_setattr(self->q.fd, RAMCHAN_MQ_SET_FLAGS,
					RAMCHAN_MQ_ATTR_NONBLOCK, 0, &old));
	EXPECT_EQ(0, old.flags);
	EXPECT_EQ(4, old.depth);
	EXPECT_TRUE(fcntl(self->q.fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(-EAGAIN, recv_str(self->q.fd, buf, sizeof(buf), NULL, 0));
	ASSERT_EQ(0, ramchan_mq_getattr(self->q.fd, &a));
	EXPECT_EQ(RAMCHAN_MQ_ATTR_NONBLOCK, a.flags);
	ASSERT_EQ(0, ramchan_mq_setattr(self->q.fd, RAMCHAN_MQ_SET_FLAGS, 0,
					0, &old));
	EXPECT_EQ(RAMCHAN_MQ_ATTR_NONBLOCK, old.flags);
	EXPECT_FALSE(fcntl(self->q.fd, F_GETFL) & O_NONBLOCK);
}

TEST_F(mq, setattr_spin_sets_the_queue_default)
{
	struct ramchan_mq_attr a;

	ASSERT_EQ(0, ramchan_mq_setattr(self->q.fd, RAMCHAN_MQ_SET_SPIN, 0,
					250, NULL));
	ASSERT_EQ(0, ramchan_mq_getattr(self->q.fd, &a));
	EXPECT_EQ(250, a.spin_us);
	EXPECT_EQ(250, qstat(&self->q, "spin_us"));
}

TEST_F(mq, setattr_with_bad_arguments_fails_einval_and_changes_nothing)
{
	struct ramchan_info info = limits();
	struct ramchan_mq_attr a = { .set = 0x4 };

	EXPECT_EQ(-1, ioctl(self->q.fd, RAMCHAN_IOC_MQ_SETATTR, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, ramchan_mq_setattr(self->q.fd,
					      RAMCHAN_MQ_SET_FLAGS, 0x2, 0,
					      NULL));
	EXPECT_EQ(-EINVAL, ramchan_mq_setattr(self->q.fd,
					      RAMCHAN_MQ_SET_SPIN |
					      RAMCHAN_MQ_SET_FLAGS,
					      RAMCHAN_MQ_ATTR_NONBLOCK,
					      info.mq_max_spin_us + 1, NULL));
	EXPECT_FALSE(fcntl(self->q.fd, F_GETFL) & O_NONBLOCK);
	memset(&a, 0, sizeof(a));
	a.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->q.fd, RAMCHAN_IOC_MQ_SETATTR, &a));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- overflow policies -------------------------------------------------- */

TEST(reject_policy_fails_send_on_full_queue_and_counts_it)
{
	struct ramchan_mq_attr a;
	struct q q;

	ASSERT_EQ(0, q_create(&q, 2, 16, RAMCHAN_MQ_OVERFLOW_REJECT, 0));
	EXPECT_EQ(0, send_str(q.fd, "a", 0, 0));
	EXPECT_EQ(0, send_str(q.fd, "b", 0, 0));
	EXPECT_EQ(0, poll_events(q.fd) & POLLOUT);
	/* Even a blocking send. */
	EXPECT_EQ(-EAGAIN, send_str(q.fd, "c", 0, 0));
	EXPECT_EQ(-EAGAIN, send_str(q.fd, "d", 9, RAMCHAN_MQ_NONBLOCK));
	EXPECT_EQ(2, qstat(&q, "rejects"));
	EXPECT_EQ(0, qstat(&q, "drops"));
	ASSERT_EQ(0, ramchan_mq_getattr(q.fd, &a));
	EXPECT_EQ(2, a.rejects);
	EXPECT_EQ(RAMCHAN_MQ_OVERFLOW_REJECT, a.overflow);
	close(q.fd);
}

TEST(drop_oldest_policy_keeps_the_newest_and_counts_drops)
{
	char buf[16], s[16];
	struct q q;
	int i;

	ASSERT_EQ(0, q_create(&q, 3, 16, RAMCHAN_MQ_OVERFLOW_DROP_OLDEST, 0));
	for (i = 0; i < 5; i++) {
		snprintf(s, sizeof(s), "m%d", i);
		EXPECT_EQ(0, send_str(q.fd, s, 0, 0));
		EXPECT_TRUE(poll_events(q.fd) & POLLOUT);
	}
	EXPECT_EQ(2, qstat(&q, "drops"));
	EXPECT_EQ(3, qstat(&q, "count"));
	for (i = 2; i < 5; i++) {
		snprintf(s, sizeof(s), "m%d", i);
		recv_str(q.fd, buf, sizeof(buf), NULL, 0);
		EXPECT_STREQ(s, buf);
	}
	close(q.fd);
}

TEST(drop_oldest_policy_drops_the_oldest_of_the_lowest_priority)
{
	struct ramchan_mq_attr a;
	char buf[16];
	struct q q;

	ASSERT_EQ(0, q_create(&q, 3, 16, RAMCHAN_MQ_OVERFLOW_DROP_OLDEST, 0));
	ASSERT_EQ(0, send_str(q.fd, "a0", 0, 0));
	ASSERT_EQ(0, send_str(q.fd, "b5", 5, 0));
	ASSERT_EQ(0, send_str(q.fd, "c0", 0, 0));
	ASSERT_EQ(0, send_str(q.fd, "d5", 5, 0));	/* drops a0 */
	ASSERT_EQ(0, send_str(q.fd, "e9", 9, 0));	/* drops c0 */
	ASSERT_EQ(0, ramchan_mq_getattr(q.fd, &a));
	EXPECT_EQ(2, a.drops);
	recv_str(q.fd, buf, sizeof(buf), NULL, 0);
	EXPECT_STREQ("e9", buf);
	recv_str(q.fd, buf, sizeof(buf), NULL, 0);
	EXPECT_STREQ("b5", buf);
	recv_str(q.fd, buf, sizeof(buf), NULL, 0);
	EXPECT_STREQ("d5", buf);
	EXPECT_EQ(0, qstat(&q, "count"));
	EXPECT_EQ(3, qstat(&q, "msgs_out"));
	EXPECT_EQ(5, qstat(&q, "msgs_in"));
	close(q.fd);
}

/* ---- batches ------------------------------------------------------------ */

TEST_F(mq, send_batch_reports_per_message_errors_and_sends_the_rest)
{
	char big[65] = { 0 }, buf[64];
	struct ramchan_mq_vec v[5] = {
		{ .buf = (uintptr_t)"one", .len = 3, .prio = 1 },
		{ .buf = (uintptr_t)big, .len = 65 },
		{ .buf = (uintptr_t)"two", .len = 3, .prio = 1 },
		{ .buf = (uintptr_t)"bad", .len = 3,
		  .prio = RAMCHAN_MQ_PRIO_MAX },
		{ .buf = 16, .len = 3 },
	};
	unsigned int i;

	for (i = 0; i < 5; i++)
		v[i].error = 0xdead;
	EXPECT_EQ(5, ramchan_mq_send_batch(self->q.fd, v, 5, 0, 0));
	EXPECT_EQ(0, v[0].error);
	EXPECT_EQ(EMSGSIZE, v[1].error);
	EXPECT_EQ(0, v[2].error);
	EXPECT_EQ(EINVAL, v[3].error);
	EXPECT_EQ(EFAULT, v[4].error);
	EXPECT_EQ(2, qstat(&self->q, "count"));
	recv_str(self->q.fd, buf, sizeof(buf), NULL, 0);
	EXPECT_STREQ("one", buf);
	recv_str(self->q.fd, buf, sizeof(buf), NULL, 0);
	EXPECT_STREQ("two", buf);
}

TEST_F(mq, recv_batch_takes_what_is_queued_in_priority_order)
{
	char bufs[8][64];
	struct ramchan_mq_vec v[8];
	unsigned int i;

	ASSERT_EQ(0, send_str(self->q.fd, "low", 1, 0));
	ASSERT_EQ(0, send_str(self->q.fd, "high", 7, 0));
	ASSERT_EQ(0, send_str(self->q.fd, "mid", 3, 0));
	memset(bufs, 0, sizeof(bufs));
	for (i = 0; i < 8; i++)
		v[i] = (struct ramchan_mq_vec){ .buf = (uintptr_t)bufs[i],
						.len = 63, .prio = 0xdead,
						.error = 0xdead };
	EXPECT_EQ(3, ramchan_mq_recv_batch(self->q.fd, v, 8, 0, 0));
	EXPECT_STREQ("high", bufs[0]);
	EXPECT_EQ(4, v[0].len);
	EXPECT_EQ(7, v[0].prio);
	EXPECT_EQ(0, v[0].error);
	EXPECT_STREQ("mid", bufs[1]);
	EXPECT_STREQ("low", bufs[2]);
	EXPECT_EQ(1, v[2].prio);
	EXPECT_EQ(0xdead, v[3].error);	/* untouched */
	EXPECT_EQ(-EAGAIN, ramchan_mq_recv_batch(self->q.fd, v, 8,
						 RAMCHAN_MQ_NONBLOCK, 0));
}

TEST_F(mq, recv_batch_stops_before_a_message_too_big_for_its_entry)
{
	char bufs[3][64];
	struct ramchan_mq_vec v[3] = {
		{ .buf = (uintptr_t)bufs[0], .len = 64 },
		{ .buf = (uintptr_t)bufs[1], .len = 2 },
		{ .buf = (uintptr_t)bufs[2], .len = 64 },
	};

	ASSERT_EQ(0, send_str(self->q.fd, "a", 0, 0));
	ASSERT_EQ(0, send_str(self->q.fd, "bbb", 0, 0));
	ASSERT_EQ(0, send_str(self->q.fd, "c", 0, 0));
	EXPECT_EQ(1, ramchan_mq_recv_batch(self->q.fd, v, 3, 0, 0));
	EXPECT_EQ(EMSGSIZE, v[1].error);
	EXPECT_EQ(2, qstat(&self->q, "count"));
	/* The first entry too small: nothing taken, -EMSGSIZE. */
	EXPECT_EQ(-EMSGSIZE, ramchan_mq_recv_batch(self->q.fd, &v[1], 1, 0,
						   0));
	EXPECT_EQ(2, qstat(&self->q, "count"));
}

TEST_F(mq, batch_with_bad_count_flags_or_reserved_fails_einval)
{
	struct ramchan_info info = limits();
	struct ramchan_mq_vec v[1] = { { .buf = (uintptr_t)"x", .len = 1 } };
	struct ramchan_mq_batch b = { .vec = (uintptr_t)v, .count = 1 };

	EXPECT_EQ(-EINVAL, ramchan_mq_send_batch(self->q.fd, v, 0, 0, 0));
	EXPECT_EQ(-EINVAL, ramchan_mq_send_batch(self->q.fd, v,
						 info.mq_max_batch + 1, 0, 0));
	EXPECT_EQ(-EINVAL, ramchan_mq_recv_batch(self->q.fd, v, 1,
						 RAMCHAN_MQ_PEEK, 0));
	b.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->q.fd, RAMCHAN_IOC_MQ_SEND_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EFAULT, ramchan_mq_send_batch(self->q.fd, (void *)16, 1, 0,
						 0));
	EXPECT_EQ(0, qstat(&self->q, "count"));
}

/*
 * A batch whose results cannot be written back (entries and argument struct
 * in read-only memory) still reports what it did: the messages are sent or
 * taken, and a sender told -EFAULT would send them twice.
 */
TEST_F(mq, batch_whose_results_cannot_be_written_back_still_returns_its_count)
{
	long page = sysconf(_SC_PAGESIZE);
	struct ramchan_mq_batch *b;
	struct ramchan_mq_vec *v;
	char buf[3][8];
	int i;
	void *p;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	b = p;
	v = (struct ramchan_mq_vec *)((char *)p + 64);
	for (i = 0; i < 3; i++)
		v[i] = (struct ramchan_mq_vec){ .buf = (uintptr_t)"abc",
						.len = 3, .prio = i };
	*b = (struct ramchan_mq_batch){ .vec = (uintptr_t)v, .count = 3 };
	ASSERT_EQ(0, mprotect(p, page, PROT_READ));
	EXPECT_EQ(3, ioctl(self->q.fd, RAMCHAN_IOC_MQ_SEND_BATCH, b));
	EXPECT_EQ(3, qstat(&self->q, "count"));

	ASSERT_EQ(0, mprotect(p, page, PROT_READ | PROT_WRITE));
	for (i = 0; i < 3; i++)
		v[i] = (struct ramchan_mq_vec){ .buf = (uintptr_t)buf[i],
						.len = sizeof(buf[i]) };
	ASSERT_EQ(0, mprotect(p, page, PROT_READ));
	EXPECT_EQ(3, ioctl(self->q.fd, RAMCHAN_IOC_MQ_RECV_BATCH, b));
	EXPECT_EQ(0, qstat(&self->q, "count"));
	EXPECT_EQ(0, memcmp(buf[0], "abc", 3));
	EXPECT_EQ(0, memcmp(buf[2], "abc", 3));
	munmap(p, page);
}

TEST_F(mq, send_batch_on_full_queue_waits_for_room_for_every_message)
{
	struct ramchan_mq_vec v[10];
	uint32_t i, got;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		static uint32_t vals[10];

		for (i = 0; i < 10; i++) {
			vals[i] = i;
			v[i] = (struct ramchan_mq_vec){
				.buf = (uintptr_t)&vals[i], .len = 4 };
		}
		_exit(ramchan_mq_send_batch(self->q.fd, v, 10, 0, 0) == 10 ?
		      0 : 1);
	}
	ASSERT_TRUE(wait_waiting(&self->q, "senders_waiting", 1, pid));
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(4, ramchan_mq_recv(self->q.fd, &got, 4, NULL, 0, 0));
		EXPECT_EQ(i, got);
	}
	EXPECT_EQ(0, child_status(pid));
}

TEST_F(mq, nonblocking_send_batch_sends_what_fits)
{
	struct ramchan_mq_vec v[10];
	unsigned int i;

	for (i = 0; i < 10; i++)
		v[i] = (struct ramchan_mq_vec){ .buf = (uintptr_t)"x",
						.len = 1 };
	EXPECT_EQ(4, ramchan_mq_send_batch(self->q.fd, v, 10,
					   RAMCHAN_MQ_NONBLOCK, 0));
	EXPECT_EQ(-EAGAIN, ramchan_mq_send_batch(self->q.fd, v, 10,
						 RAMCHAN_MQ_NONBLOCK, 0));
}

TEST_F(mq, recv_batch_waits_for_the_first_message_only)
{
	char bufs[4][64];
	struct ramchan_mq_vec v[4];
	pid_t pid;
	int i;

	for (i = 0; i < 4; i++)
		v[i] = (struct ramchan_mq_vec){ .buf = (uintptr_t)bufs[i],
						.len = 64 };
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(ramchan_mq_recv_batch(self->q.fd, v, 4, 0, 0) == 1 ?
		      0 : 1);
	ASSERT_TRUE(wait_waiting(&self->q, "receivers_waiting", 1, pid));
	ASSERT_EQ(0, send_str(self->q.fd, "x", 0, 0));
	EXPECT_EQ(0, child_status(pid));
}

/* ---- hand-off, busy-poll, peek, eventfd ---------------------------------- */

TEST_F(mq, send_hands_a_message_to_a_waiting_receiver_without_queueing)
{
	char buf[64];
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(recv_str(self->q.fd, buf, sizeof(buf), NULL, 0) == 3 ?
		      0 : 1);
	ASSERT_TRUE(wait_waiting(&self->q, "receivers_waiting", 1, pid));
	EXPECT_EQ(0, send_str(self->q.fd, "abc", 0, 0));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(1, qstat(&self->q, "handoffs"));
	EXPECT_EQ(0, qstat(&self->q, "high_water"));
	EXPECT_EQ(1, qstat(&self->q, "msgs_in"));
	EXPECT_EQ(1, qstat(&self->q, "msgs_out"));
}

TEST_F(mq, receiver_too_small_for_the_message_is_not_handed_it)
{
	char buf[64];
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(ramchan_mq_recv(self->q.fd, buf, 2, NULL, 0, 0) ==
		      -EMSGSIZE ? 0 : 1);
	ASSERT_TRUE(wait_waiting(&self->q, "receivers_waiting", 1, pid));
	EXPECT_EQ(0, send_str(self->q.fd, "abc", 0, 0));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(1, qstat(&self->q, "count"));
}

TEST_F(mq, busy_polling_receiver_gets_the_message)
{
	struct ramchan_info info = limits();
	char buf[64];
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		int n = ramchan_mq_recv_spin(self->q.fd, buf, sizeof(buf),
					     NULL, RAMCHAN_MQ_SPIN,
					     info.mq_max_spin_us, 0);
		_exit(n == 3 ? 0 : 1);
	}
	ASSERT_TRUE(wait_waiting(&self->q, "receivers_waiting", 1, 0));
	EXPECT_EQ(0, send_str(self->q.fd, "abc", 0, 0));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(1, qstat(&self->q, "handoffs"));
}

TEST(busy_polling_sender_on_full_queue_gets_its_message_in)
{
	struct ramchan_mq_opts o = { .depth = 1, .msg_size = 8,
				     .spin_us = 2000 };
	int ctl = ramchan_open_dev(), fd;
	char buf[8];
	struct q q;
	pid_t pid;

	ASSERT_LE(0, ctl);
	fd = ramchan_mq_create(ctl, &o);
	ASSERT_LE(0, fd);
	q.fd = fd;
	ASSERT_EQ(0, newest_channel(q.dir, sizeof(q.dir)));
	EXPECT_EQ(2000, qstat(&q, "spin_us"));
	ASSERT_EQ(0, send_str(fd, "1", 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(send_str(fd, "2", 0, 0));
	ASSERT_TRUE(wait_waiting(&q, "senders_waiting", 1, 0));
	EXPECT_EQ(1, recv_str(fd, buf, sizeof(buf), NULL, 0));
	EXPECT_STREQ("1", buf);
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(1, recv_str(fd, buf, sizeof(buf), NULL, 0));
	EXPECT_STREQ("2", buf);
	close(fd);
	close(ctl);
}

TEST_F(mq, peek_copies_the_next_message_and_leaves_it_queued)
{
	char buf[64];
	uint32_t prio;

	EXPECT_EQ(-EAGAIN, recv_str(self->q.fd, buf, sizeof(buf), NULL,
				    RAMCHAN_MQ_PEEK | RAMCHAN_MQ_NONBLOCK));
	ASSERT_EQ(0, send_str(self->q.fd, "low", 1, 0));
	ASSERT_EQ(0, send_str(self->q.fd, "high", 2, 0));
	EXPECT_EQ(4, recv_str(self->q.fd, buf, sizeof(buf), &prio,
			      RAMCHAN_MQ_PEEK));
	EXPECT_STREQ("high", buf);
	EXPECT_EQ(2, prio);
	EXPECT_EQ(2, qstat(&self->q, "count"));
	EXPECT_EQ(0, qstat(&self->q, "msgs_out"));
	EXPECT_EQ(-EMSGSIZE, ramchan_mq_recv(self->q.fd, buf, 3, NULL,
					     RAMCHAN_MQ_PEEK, 0));
	EXPECT_EQ(4, recv_str(self->q.fd, buf, sizeof(buf), NULL, 0));
	EXPECT_STREQ("high", buf);
}

TEST_F(mq, blocking_peek_wakes_when_a_message_arrives_and_leaves_it)
{
	char buf[64];
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(recv_str(self->q.fd, buf, sizeof(buf), NULL,
			       RAMCHAN_MQ_PEEK) == 1 ? 0 : 1);
	ASSERT_TRUE(wait_waiting(&self->q, "receivers_waiting", 1, pid));
	ASSERT_EQ(0, send_str(self->q.fd, "p", 0, 0));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(1, qstat(&self->q, "count"));
	EXPECT_EQ(0, qstat(&self->q, "handoffs"));
}

TEST_F(mq, eventfd_is_signalled_when_the_queue_becomes_non_empty)
{
	int efd = eventfd(0, EFD_NONBLOCK);
	char buf[64];
	uint64_t n = 0;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, ramchan_mq_notify(self->q.fd, efd));
	ASSERT_EQ(0, send_str(self->q.fd, "a", 0, 0));
	ASSERT_EQ(0, send_str(self->q.fd, "b", 0, 0));
	ASSERT_EQ(0, send_str(self->q.fd, "c", 0, 0));
	EXPECT_EQ(8, read(efd, &n, 8));
	EXPECT_EQ(1, n);	/* once: only empty -> non-empty counts */
	while (recv_str(self->q.fd, buf, sizeof(buf), NULL,
			RAMCHAN_MQ_NONBLOCK) > 0)
		;
	ASSERT_EQ(0, send_str(self->q.fd, "d", 0, 0));
	EXPECT_EQ(8, read(efd, &n, 8));
	EXPECT_EQ(1, n);
	EXPECT_EQ(0, ramchan_mq_notify(self->q.fd, -1));
	recv_str(self->q.fd, buf, sizeof(buf), NULL, 0);
	ASSERT_EQ(0, send_str(self->q.fd, "e", 0, 0));
	EXPECT_EQ(-1, read(efd, &n, 8));
	EXPECT_EQ(EAGAIN, errno);
	close(efd);
}

TEST_F(mq, eventfd_registration_errors)
{
	int efd = eventfd(0, 0), pipefd[2];
	struct ramchan_mq_notify n = { .fd = 0,
				       .flags = RAMCHAN_MQ_NOTIFY_CLEAR };

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(-ENOENT, ramchan_mq_notify(self->q.fd, -1));
	EXPECT_EQ(-EINVAL, ramchan_mq_notify(self->q.fd, pipefd[0]));
	EXPECT_EQ(-EBADF, ramchan_mq_notify(self->q.fd, 9999));
	EXPECT_EQ(0, ramchan_mq_notify(self->q.fd, efd));
	EXPECT_EQ(-EBUSY, ramchan_mq_notify(self->q.fd, efd));
	n.fd = efd;
	EXPECT_EQ(-1, ioctl(self->q.fd, RAMCHAN_IOC_MQ_NOTIFY, &n));
	EXPECT_EQ(EINVAL, errno);
	n = (struct ramchan_mq_notify){ .fd = efd, .flags = 0x2 };
	EXPECT_EQ(-1, ioctl(self->q.fd, RAMCHAN_IOC_MQ_NOTIFY, &n));
	EXPECT_EQ(EINVAL, errno);
	close(pipefd[0]);
	close(pipefd[1]);
	close(efd);	/* the queue keeps its own reference */
	EXPECT_EQ(0, send_str(self->q.fd, "x", 0, 0));
}

/* ---- sysfs and resources ------------------------------------------------ */

TEST_F(mq, sysfs_shows_the_queue_and_its_counters)
{
	char kind[16], policy[16], path[256];
	char buf[64];

	snprintf(path, sizeof(path), "%s/kind", self->q.dir);
	read_str(path, kind, sizeof(kind));
	EXPECT_STREQ("mq", kind);
	snprintf(path, sizeof(path), "%s/overflow", self->q.dir);
	read_str(path, policy, sizeof(policy));
	EXPECT_STREQ("block", policy);
	EXPECT_EQ(4, qstat(&self->q, "depth"));
	EXPECT_EQ(64, qstat(&self->q, "msg_size"));
	EXPECT_LT(4 * 64, qstat(&self->q, "memory"));
	ASSERT_EQ(0, send_str(self->q.fd, "abc", 0, 0));
	ASSERT_EQ(0, send_str(self->q.fd, "de", 0, 0));
	EXPECT_EQ(-EMSGSIZE, ramchan_mq_recv(self->q.fd, buf, 2, NULL, 0, 0));
	EXPECT_EQ(2, qstat(&self->q, "count"));
	EXPECT_EQ(5, qstat(&self->q, "bytes"));
	EXPECT_EQ(2, qstat(&self->q, "high_water"));
	EXPECT_EQ(3, recv_str(self->q.fd, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(1, qstat(&self->q, "count"));
	EXPECT_EQ(2, qstat(&self->q, "bytes"));
	EXPECT_EQ(2, qstat(&self->q, "msgs_in"));
	EXPECT_EQ(5, qstat(&self->q, "bytes_in"));
	EXPECT_EQ(1, qstat(&self->q, "msgs_out"));
	EXPECT_EQ(3, qstat(&self->q, "bytes_out"));
	EXPECT_EQ(0, qstat(&self->q, "senders_waiting"));
	EXPECT_EQ(0, qstat(&self->q, "receivers_waiting"));
	EXPECT_EQ(1, qstat(&self->q, "producers"));
	EXPECT_EQ(1, qstat(&self->q, "consumers"));
}

TEST(closing_a_queue_with_messages_queued_frees_them)
{
	long channels = read_long(SYSFS_DIR "channels");
	long held = read_long(SYSFS_DIR "bytes_held");
	static char big[65536];
	struct q q;
	int i;

	ASSERT_EQ(0, q_create(&q, 256, sizeof(big), 0, 0));
	EXPECT_LT(held, read_long(SYSFS_DIR "bytes_held"));
	for (i = 0; i < 200; i++) {
		memset(big, i, sizeof(big));
		ASSERT_EQ(0, ramchan_mq_send(q.fd, big, i % 2 ? 64 :
					     sizeof(big) - i, i % 7, 0, 0));
	}
	EXPECT_EQ(200, qstat(&q, "count"));
	close(q.fd);
	EXPECT_EQ(channels, read_long(SYSFS_DIR "channels"));
	EXPECT_EQ(held, read_long(SYSFS_DIR "bytes_held"));
}

/*
 * RLIMIT_MSGQUEUE counts what a user's queues may hold at worst. The child
 * keeps the control fd root opened, lowers the limit and becomes uid 1000
 * (losing CAP_SYS_RESOURCE).
 */
TEST(rlimit_msgqueue_limits_what_a_user_may_create)
{
	int ctl = ramchan_open_dev();
	pid_t pid;

	ASSERT_LE(0, ctl);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rlimit rl = { 100000, 100000 };
		struct ramchan_mq_opts o = { .depth = 10, .msg_size = 8192 };
		struct ramchan_mq_opts small = { .depth = 2, .msg_size = 64 };
		int a, b, c;

		if (setrlimit(RLIMIT_MSGQUEUE, &rl) || setgid(1000) ||
		    setuid(1000))
			_exit(10);
		a = ramchan_mq_create(ctl, &o);		/* ~82 kB */
		if (a < 0)
			_exit(11);
		if (ramchan_mq_create(ctl, &o) != -EMFILE)
			_exit(12);
		b = ramchan_mq_create(ctl, &small);	/* fits beside */
		if (b < 0)
			_exit(13);
		close(a);
		c = ramchan_mq_create(ctl, &o);		/* uncharged */
		if (c < 0)
			_exit(14);
		rl.rlim_cur = 0;
		setrlimit(RLIMIT_MSGQUEUE, &rl);
		if (ramchan_mq_create(ctl, &small) != -EMFILE)
			_exit(15);
		_exit(0);
	}
	EXPECT_EQ(0, child_status(pid));
	close(ctl);
}

TEST(cap_sys_resource_exceeds_rlimit_msgqueue)
{
	struct rlimit old, rl = { 0, 0 };
	struct ramchan_mq_opts o = { .depth = 10, .msg_size = 8192 };
	int ctl = ramchan_open_dev(), fd;

	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, getrlimit(RLIMIT_MSGQUEUE, &old));
	rl.rlim_max = old.rlim_max;
	ASSERT_EQ(0, setrlimit(RLIMIT_MSGQUEUE, &rl));
	fd = ramchan_mq_create(ctl, &o);
	EXPECT_LE(0, fd);
	close(fd);
	setrlimit(RLIMIT_MSGQUEUE, &old);
	close(ctl);
}

/* ---- many senders and receivers --------------------------------------- */

#define STRESS_SENDERS		8
#define STRESS_RECEIVERS	8
#define STRESS_PRIOS		4
#define STRESS_BATCH		32
#define STRESS_MSG_SIZE		128

struct stress_msg {
	uint32_t sender;
	uint32_t prio;
	uint64_t seq;
	uint64_t sum;
	uint8_t body[STRESS_MSG_SIZE - 24];
};

static uint64_t stress_sum(const struct stress_msg *m, uint32_t len)
{
	uint64_t h = 1469598103934665603ULL ^ m->seq ^ ((uint64_t)m->sender << 40) ^
		     ((uint64_t)m->prio << 56);
	uint32_t i;

	for (i = 0; i < len - 24; i++)
		h = (h ^ m->body[i]) * 1099511628211ULL;
	return h;
}

static uint32_t stress_fill(struct stress_msg *m, uint32_t sender,
			    uint64_t seq)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL + sender + 1;
	uint32_t len = 24 + (x >> 33) % (sizeof(m->body) + 1), i;

	m->sender = sender;
	m->prio = (x >> 13) % STRESS_PRIOS;
	m->seq = seq;
	for (i = 0; i < len - 24; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		m->body[i] = x;
	}
	m->sum = stress_sum(m, len);
	return len;
}

static uint64_t stress_msgs(void)
{
	const char *env = getenv("RAMCHAN_MQ_STRESS_MSGS");

	return env ? strtoull(env, NULL, 0) : 1000000ULL;
}

/* Odd senders send batches, even ones one message per call. */
static int stress_send(int fd, uint32_t id, uint64_t count)
{
	static struct stress_msg msgs[STRESS_BATCH];
	struct ramchan_mq_vec v[STRESS_BATCH];
	uint64_t seq = 0;
	unsigned int n, i, off;
	int ret;

	while (seq < count) {
		n = id % 2 ? STRESS_BATCH : 1;
		if (n > count - seq)
			n = count - seq;
		for (i = 0; i < n; i++) {
			v[i].len = stress_fill(&msgs[i], id, seq + i);
			v[i].buf = (uintptr_t)&msgs[i];
			v[i].prio = msgs[i].prio;
			v[i].reserved = 0;
		}
		if (n == 1) {
			ret = ramchan_mq_send(fd, &msgs[0], v[0].len,
					      v[0].prio, 0, 0);
			if (ret)
				return 20;
		} else {
			for (off = 0; off < n; off += ret) {
				ret = ramchan_mq_send_batch(fd, v + off,
							    n - off, 0, 0);
				if (ret <= 0)
					return 21;
				for (i = off; i < off + ret; i++)
					if (v[i].error)
						return 22;
			}
		}
		seq += n;
	}
	return 0;
}

static int stress_check(const struct stress_msg *m, uint32_t len,
			uint32_t prio, uint64_t per_sender, uint8_t *seen,
			uint64_t last[STRESS_SENDERS][STRESS_PRIOS])
{
	if (len < 24 || m->sender >= STRESS_SENDERS || m->prio != prio ||
	    prio >= STRESS_PRIOS || m->seq >= per_sender ||
	    m->sum != stress_sum(m, len))
		return 30;
	/* Each sender's messages of one priority arrive in order. */
	if (last[m->sender][prio] != UINT64_MAX &&
	    m->seq <= last[m->sender][prio])
		return 31;
	last[m->sender][prio] = m->seq;
	__atomic_fetch_add(&seen[m->sender * per_sender + m->seq], 1,
			   __ATOMIC_RELAXED);
	return 0;
}

/* Odd receivers receive batches, even ones a message per call. */
static int stress_recv(int fd, uint32_t id, uint64_t per_sender,
		       uint8_t *seen)
{
	static struct stress_msg msgs[STRESS_BATCH];
	static uint64_t last[STRESS_SENDERS][STRESS_PRIOS];
	struct ramchan_mq_vec v[STRESS_BATCH];
	uint32_t prio;
	int n, i, ret;

	memset(last, 0xff, sizeof(last));
	for (;;) {
		if (id % 2 == 0) {
			n = ramchan_mq_recv(fd, &msgs[0], sizeof(msgs[0]),
					    &prio, 0, 0);
			if (n == -EPIPE)
				return 0;
			if (n < 0)
				return 40;
			ret = stress_check(&msgs[0], n, prio, per_sender,
					   seen, last);
			if (ret)
				return ret;
			continue;
		}
		for (i = 0; i < STRESS_BATCH; i++)
			v[i] = (struct ramchan_mq_vec){
				.buf = (uintptr_t)&msgs[i],
				.len = sizeof(msgs[i]) };
		n = ramchan_mq_recv_batch(fd, v, STRESS_BATCH, 0, 0);
		if (n == -EPIPE)
			return 0;
		if (n <= 0)
			return 41;
		for (i = 0; i < n; i++) {
			if (v[i].error)
				return 42;
			ret = stress_check(&msgs[i], v[i].len, v[i].prio,
					   per_sender, seen, last);
			if (ret)
				return ret;
		}
	}
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, eight_senders_and_eight_receivers_exchange_exactly_once,
	       900)
{
	uint64_t total = stress_msgs(), per_sender, i, missing = 0, dup = 0;
	pid_t pids[STRESS_SENDERS + STRESS_RECEIVERS];
	int tx, rx, status = 0;
	uint8_t *seen;
	struct q q;
	uint32_t id;

	per_sender = (total + STRESS_SENDERS - 1) / STRESS_SENDERS;
	seen = mmap(NULL, per_sender * STRESS_SENDERS, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, seen);
	ASSERT_EQ(0, q_create(&q, 256, sizeof(struct stress_msg), 0, 0));
	tx = ramchan_chan_dup(q.fd, RAMCHAN_ROLE_PRODUCER, 0);
	rx = ramchan_chan_dup(q.fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, tx);
	ASSERT_LE(0, rx);
	close(q.fd);

	for (id = 0; id < STRESS_SENDERS + STRESS_RECEIVERS; id++) {
		pids[id] = fork();
		ASSERT_LE(0, pids[id]);
		if (pids[id])
			continue;
		if (id < STRESS_SENDERS) {
			close(rx);
			_exit(stress_send(tx, id, per_sender));
		}
		close(tx);
		_exit(stress_recv(rx, id - STRESS_SENDERS, per_sender, seen));
	}
	/* Receivers see EPIPE once the senders (and we) let go. */
	close(tx);
	close(rx);
	for (id = 0; id < STRESS_SENDERS + STRESS_RECEIVERS; id++) {
		int st = child_status(pids[id]);

		if (st)
			TH_LOG("%s %u exited with %d", id < STRESS_SENDERS ?
			       "sender" : "receiver", id, st);
		status |= st;
	}
	EXPECT_EQ(0, status);
	for (i = 0; i < per_sender * STRESS_SENDERS; i++) {
		missing += seen[i] == 0;
		dup += seen[i] > 1;
	}
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dup);
	munmap(seen, per_sender * STRESS_SENDERS);
}

TEST_HARNESS_MAIN
