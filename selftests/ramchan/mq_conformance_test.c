// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan queues against POSIX message queues: each test runs one scenario
 * on a POSIX mq (mq_open() and friends) and on a ramchan queue through the
 * same small interface, logs everything observable (return values, errnos,
 * data and priorities received, attributes, poll readiness) and requires
 * the two logs to be identical.
 *
 * Where the semantics differ on purpose, a test says so and checks both:
 * POSIX refuses any receive buffer smaller than the queue's message size,
 * ramchan only one smaller than the message itself.
 *
 * RAMCHAN_CONFORMANCE_VERBOSE=1 prints the logs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ramchan.h"
#include "../kselftest_harness.h"

#define FOREVER		INT64_MIN	/* no timeout: block */
#define MSEC		1000000LL

struct queue {
	int fd;		/* the mqd_t or the ramchan fd */
};

/* Everything a scenario may do, as -errno results. */
struct backend {
	const char *name;
	int (*open)(struct queue *q, long depth, long msg_size);
	void (*close)(struct queue *q);
	/* timeout_ns: FOREVER, or relative (negative: in the past) */
	int (*send)(struct queue *q, const char *buf, size_t len,
		    unsigned int prio, int64_t timeout_ns);
	long (*recv)(struct queue *q, char *buf, size_t cap,
		     unsigned int *prio, int64_t timeout_ns);
	int (*getattr)(struct queue *q, long *depth, long *msg_size,
		       long *count, bool *nonblock);
	int (*set_nonblock)(struct queue *q, bool on);
};

/* ---- POSIX mq ------------------------------------------------------------ */

static struct timespec realtime_in(int64_t ns)
{
	struct timespec ts;
	int64_t t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec * 1000000000LL + ts.tv_nsec + ns;
	ts.tv_sec = t / 1000000000LL;
	ts.tv_nsec = t % 1000000000LL;
	return ts;
}

static int posix_open(struct queue *q, long depth, long msg_size)
{
	struct mq_attr attr = { .mq_maxmsg = depth, .mq_msgsize = msg_size };
	char name[64];
	mqd_t mqd;

	snprintf(name, sizeof(name), "/ramchan_conformance_%d", getpid());
	mqd = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (mqd < 0)
		return -errno;
	mq_unlink(name);	/* it lives as long as it is open */
	q->fd = mqd;
	return 0;
}

static void posix_close(struct queue *q)
{
	mq_close(q->fd);
}

static int posix_send(struct queue *q, const char *buf, size_t len,
		      unsigned int prio, int64_t timeout_ns)
{
	struct timespec ts;
	int ret;

	if (timeout_ns == FOREVER) {
		ret = mq_send(q->fd, buf, len, prio);
	} else {
		ts = realtime_in(timeout_ns);
		ret = mq_timedsend(q->fd, buf, len, prio, &ts);
	}
	return ret < 0 ? -errno : 0;
}

static long posix_recv(struct queue *q, char *buf, size_t cap,
		       unsigned int *prio, int64_t timeout_ns)
{
	struct timespec ts;
	ssize_t ret;

	if (timeout_ns == FOREVER) {
		ret = mq_receive(q->fd, buf, cap, prio);
	} else {
		ts = realtime_in(timeout_ns);
		ret = mq_timedreceive(q->fd, buf, cap, prio, &ts);
	}
	return ret < 0 ? -errno : ret;
}

static int posix_getattr(struct queue *q, long *depth, long *msg_size,
			 long *count, bool *nonblock)
{
	struct mq_attr a;

	if (mq_getattr(q->fd, &a))
		return -errno;
	*depth = a.mq_maxmsg;
	*msg_size = a.mq_msgsize;
	*count = a.mq_curmsgs;
	*nonblock = a.mq_flags & O_NONBLOCK;
	return 0;
}

static int posix_set_nonblock(struct queue *q, bool on)
{
	struct mq_attr a = { .mq_flags = on ? O_NONBLOCK : 0 };

	return mq_setattr(q->fd, &a, NULL) ? -errno : 0;
}

static const struct backend posix_mq = {
	.name = "posix",
	.open = posix_open,
	.close = posix_close,
	.send = posix_send,
	.recv = posix_recv,
	.getattr = posix_getattr,
	.set_nonblock = posix_set_nonblock,
};

/* ---- ramchan --------------------------------------------------------------- */

static uint64_t monotonic_in(int64_t ns)
{
	int64_t t = (int64_t)ramchan_now_ns() + ns;

	return t > 0 ? t : 1;	/* 0 would mean no deadline */
}

static int rc_open(struct queue *q, long depth, long msg_size)
{
	struct ramchan_mq_opts o = { .depth = depth, .msg_size = msg_size };
	int ctl = ramchan_open_dev();

	if (ctl < 0)
		return ctl;
	q->fd = ramchan_mq_create(ctl, &o);
	close(ctl);
	return q->fd < 0 ? q->fd : 0;
}

static void rc_close(struct queue *q)
{
	close(q->fd);
}

static int rc_send(struct queue *q, const char *buf, size_t len,
		   unsigned int prio, int64_t timeout_ns)
{
	return ramchan_mq_send(q->fd, buf, len, prio, 0,
			       timeout_ns == FOREVER ? 0 :
			       monotonic_in(timeout_ns));
}

static long rc_recv(struct queue *q, char *buf, size_t cap,
		    unsigned int *prio, int64_t timeout_ns)
{
	return ramchan_mq_recv(q->fd, buf, cap, prio, 0,
			       timeout_ns == FOREVER ? 0 :
			       monotonic_in(timeout_ns));
}

static int rc_getattr(struct queue *q, long *depth, long *msg_size,
		      long *count, bool *nonblock)
{
	struct ramchan_mq_attr a;
	int ret = ramchan_mq_getattr(q->fd, &a);

	if (ret)
		return ret;
	*depth = a.depth;
	*msg_size = a.msg_size;
	*count = a.count;
	*nonblock = a.flags & RAMCHAN_MQ_ATTR_NONBLOCK;
	return 0;
}

static int rc_set_nonblock(struct queue *q, bool on)
{
	return ramchan_mq_setattr(q->fd, RAMCHAN_MQ_SET_FLAGS,
				  on ? RAMCHAN_MQ_ATTR_NONBLOCK : 0, 0, NULL);
}

static const struct backend ramchan_mq = {
	.name = "ramchan",
	.open = rc_open,
	.close = rc_close,
	.send = rc_send,
	.recv = rc_recv,
	.getattr = rc_getattr,
	.set_nonblock = rc_set_nonblock,
};

/* ---- the observable log --------------------------------------------------- */

struct log {
	char buf[8192];
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
log_line(struct log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log->len += vsnprintf(log->buf + log->len, sizeof(log->buf) - log->len,
			      fmt, ap);
	va_end(ap);
	if (log->len >= sizeof(log->buf))
		log->len = sizeof(log->buf) - 1;
}

static const char *err_name(long ret)
{
	static char other[32];

	switch (-ret) {
	case EAGAIN: return "EAGAIN";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EMSGSIZE: return "EMSGSIZE";
	case EINVAL: return "EINVAL";
	case EINTR: return "EINTR";
	case EBADF: return "EBADF";
	}
	snprintf(other, sizeof(other), "errno %ld", -ret);
	return other;
}

static void log_send(struct log *log, const struct backend *be,
		     struct queue *q, const char *s, unsigned int prio,
		     int64_t timeout_ns)
{
	int ret = be->send(q, s, strlen(s), prio, timeout_ns);

	log_line(log, "send %s/%u: %s\n", s, prio, ret ? err_name(ret) : "ok");
}

static void log_recv(struct log *log, const struct backend *be,
		     struct queue *q, size_t cap, int64_t timeout_ns)
{
	char buf[256];
	unsigned int prio = 0;
	long n = be->recv(q, buf, cap, &prio, timeout_ns);

	if (n < 0)
		log_line(log, "recv: %s\n", err_name(n));
	else
		log_line(log, "recv: %.*s/%u (%ld bytes)\n", (int)n, buf, prio, n);
}

static void log_attr(struct log *log, const struct backend *be,
		     struct queue *q)
{
	long depth, msg_size, count;
	bool nonblock;
	int ret = be->getattr(q, &depth, &msg_size, &count, &nonblock);

	if (ret)
		log_line(log, "getattr: %s\n", err_name(ret));
	else
		log_line(log, "attr: depth %ld msg_size %ld count %ld%s\n", depth,
		     msg_size, count, nonblock ? " nonblock" : "");
}

static void log_poll(struct log *log, struct queue *q)
{
	struct pollfd p = { .fd = q->fd, .events = POLLIN | POLLOUT };
	int n = poll(&p, 1, 0);

	log_line(log, "poll: %d%s%s%s%s\n", n, p.revents & POLLIN ? " in" : "",
	     p.revents & POLLOUT ? " out" : "",
	     p.revents & POLLHUP ? " hup" : "",
	     p.revents & POLLERR ? " err" : "");
}

/* Sleep until @pid sleeps in the kernel, then a little more. */
static void wait_blocked(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int i, fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (i = 0; i < 10000; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		p = strrchr(buf, ')');
		if (p && p[2] == 'S')
			break;
		usleep(1000);
	}
	usleep(20000);
}

static void on_signal(int sig)
{
}

typedef void (*scenario_fn)(struct log *log, const struct backend *be,
			    struct queue *q);

/* Run @fn on both kinds of queue; their logs must be the same. */
static void compare(struct __test_metadata *_metadata, scenario_fn fn,
		    long depth, long msg_size)
{
	static struct log logs[2];
	const struct backend *be[2] = { &posix_mq, &ramchan_mq };
	struct queue q;
	int i;

	for (i = 0; i < 2; i++) {
		memset(&logs[i], 0, sizeof(logs[i]));
		ASSERT_EQ(0, be[i]->open(&q, depth, msg_size))
			TH_LOG("%s: cannot open a queue", be[i]->name);
		fn(&logs[i], be[i], &q);
		be[i]->close(&q);
	}
	if (getenv("RAMCHAN_CONFORMANCE_VERBOSE"))
		TH_LOG("both:\n%s", logs[0].buf);
	EXPECT_STREQ(logs[0].buf, logs[1].buf) {
		TH_LOG("POSIX mq:\n%s", logs[0].buf);
		TH_LOG("ramchan:\n%s", logs[1].buf);
	}
}

/* ---- scenarios ---------------------------------------------------------- */

static void priority_order(struct log *log, const struct backend *be,
			   struct queue *q)
{
	int i;

	log_send(log, be, q, "a", 1, FOREVER);
	log_send(log, be, q, "b", 3, FOREVER);
	log_send(log, be, q, "c", 3, FOREVER);
	log_send(log, be, q, "d", 0, FOREVER);
	log_send(log, be, q, "e", 32767, FOREVER);
	log_send(log, be, q, "", 2, FOREVER);
	log_attr(log, be, q);
	for (i = 0; i < 6; i++)
		log_recv(log, be, q, 64, FOREVER);
	log_attr(log, be, q);
}

TEST(priority_order_and_fifo_within_priority_match_posix)
{
	compare(_metadata, priority_order, 8, 64);
}

static void nonblocking_full_and_empty(struct log *log,
				       const struct backend *be,
				       struct queue *q)
{
	log_recv(log, be, q, 64, -MSEC);	/* empty, past deadline */
	be->set_nonblock(q, true);
	log_attr(log, be, q);
	log_recv(log, be, q, 64, FOREVER);
	log_send(log, be, q, "1", 0, FOREVER);
	log_send(log, be, q, "2", 0, FOREVER);
	log_send(log, be, q, "3", 0, FOREVER);
	log_attr(log, be, q);
	be->set_nonblock(q, false);
	log_send(log, be, q, "4", 0, -MSEC);	/* full, past deadline */
	log_send(log, be, q, "5", 0, 50 * MSEC);	/* full, near deadline */
	log_recv(log, be, q, 64, -MSEC);	/* queued: no timeout */
	log_send(log, be, q, "6", 0, -MSEC);	/* room: no timeout */
	log_recv(log, be, q, 64, FOREVER);
	log_recv(log, be, q, 64, FOREVER);
	log_recv(log, be, q, 64, 50 * MSEC);
	log_attr(log, be, q);
}

TEST(nonblocking_and_timed_calls_on_full_and_empty_queues_match_posix)
{
	compare(_metadata, nonblocking_full_and_empty, 2, 64);
}

static void limits(struct log *log, const struct backend *be,
		   struct queue *q)
{
	char exact[17], over[18];

	memset(exact, 'x', 16);
	exact[16] = 0;
	memset(over, 'z', 17);
	over[17] = 0;
	log_send(log, be, q, exact, 32767, FOREVER);	/* msg_size, top prio */
	log_send(log, be, q, over, 0, FOREVER);		/* too long */
	log_send(log, be, q, "p", 32768, FOREVER);	/* MQ_PRIO_MAX */
	log_send(log, be, q, "p", 5, FOREVER);
	log_send(log, be, q, "", 0, FOREVER);		/* empty message */
	log_attr(log, be, q);
	log_recv(log, be, q, 8, FOREVER);	/* smaller than both: stays */
	log_attr(log, be, q);
	log_recv(log, be, q, 16, FOREVER);
	log_recv(log, be, q, 16, FOREVER);
	log_recv(log, be, q, 16, FOREVER);
	log_attr(log, be, q);
}

TEST(message_size_and_priority_limits_match_posix)
{
	compare(_metadata, limits, 4, 16);
}

static void blocking_recv_woken_by_send(struct log *log,
					const struct backend *be,
					struct queue *q)
{
	pid_t pid = fork();

	if (!pid) {
		usleep(100000);
		be->send(q, "late", 4, 5, FOREVER);
		_exit(0);
	}
	log_recv(log, be, q, 64, FOREVER);
	waitpid(pid, NULL, 0);
	pid = fork();
	if (!pid) {
		usleep(50000);
		be->send(q, "timely", 6, 1, FOREVER);
		_exit(0);
	}
	log_recv(log, be, q, 64, 5000 * MSEC);
	waitpid(pid, NULL, 0);
}

TEST(blocking_receive_woken_by_a_send_matches_posix)
{
	compare(_metadata, blocking_recv_woken_by_send, 4, 64);
}

static void blocking_send_woken_by_recv(struct log *log,
					const struct backend *be,
					struct queue *q)
{
	char buf[64];
	unsigned int prio;
	pid_t pid;

	log_send(log, be, q, "x", 0, FOREVER);
	log_send(log, be, q, "y", 0, FOREVER);
	pid = fork();
	if (!pid) {
		usleep(100000);
		be->recv(q, buf, sizeof(buf), &prio, FOREVER);
		_exit(0);
	}
	log_send(log, be, q, "z", 9, FOREVER);
	waitpid(pid, NULL, 0);
	log_attr(log, be, q);
	log_recv(log, be, q, 64, FOREVER);
	log_recv(log, be, q, 64, FOREVER);
	log_recv(log, be, q, 64, -MSEC);
}

TEST(blocking_send_woken_by_a_receive_matches_posix)
{
	compare(_metadata, blocking_send_woken_by_recv, 2, 64);
}

static void signal_during_recv(struct log *log, const struct backend *be,
			       struct queue *q)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	int report[2];
	long r[2] = { 0, 0 };
	pid_t pid;

	if (pipe(report))
		return;
	pid = fork();
	if (!pid) {
		char buf[64];
		unsigned int prio;

		sigaction(SIGUSR1, &sa, NULL);
		r[0] = be->recv(q, buf, sizeof(buf), &prio, FOREVER);
		r[1] = be->recv(q, buf, sizeof(buf), &prio, FOREVER);
		if (write(report[1], r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	wait_blocked(pid);
	kill(pid, SIGUSR1);
	usleep(20000);
	log_send(log, be, q, "after", 0, FOREVER);
	if (read(report[0], r, sizeof(r)) != sizeof(r))
		log_line(log, "child: no report\n");
	waitpid(pid, NULL, 0);
	log_line(log, "child recv: %s, then %ld bytes\n", err_name(r[0]), r[1]);
	log_attr(log, be, q);
	close(report[0]);
	close(report[1]);
}

TEST(signal_interrupting_a_blocked_receive_matches_posix)
{
	compare(_metadata, signal_during_recv, 4, 64);
}

static void signal_during_send(struct log *log, const struct backend *be,
			       struct queue *q)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int report[2];
	long r = 0;
	pid_t pid;

	log_send(log, be, q, "a", 0, FOREVER);
	log_send(log, be, q, "b", 0, FOREVER);
	if (pipe(report))
		return;
	pid = fork();
	if (!pid) {
		sigaction(SIGUSR1, &sa, NULL);
		r = be->send(q, "c", 1, 0, FOREVER);
		if (write(report[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	wait_blocked(pid);
	kill(pid, SIGUSR1);
	if (read(report[0], &r, sizeof(r)) != sizeof(r))
		log_line(log, "child: no report\n");
	waitpid(pid, NULL, 0);
	log_line(log, "child send: %s\n", r ? err_name(r) : "ok");
	log_attr(log, be, q);
	log_recv(log, be, q, 64, FOREVER);
	log_recv(log, be, q, 64, FOREVER);
	log_recv(log, be, q, 64, -MSEC);
	close(report[0]);
	close(report[1]);
}

TEST(signal_interrupting_a_blocked_send_matches_posix)
{
	compare(_metadata, signal_during_send, 2, 64);
}

static void poll_readiness(struct log *log, const struct backend *be,
			   struct queue *q)
{
	log_poll(log, q);
	log_send(log, be, q, "1", 0, FOREVER);
	log_poll(log, q);
	log_send(log, be, q, "2", 0, FOREVER);
	log_poll(log, q);
	log_recv(log, be, q, 64, FOREVER);
	log_poll(log, q);
	log_recv(log, be, q, 64, FOREVER);
	log_poll(log, q);
}

TEST(poll_readiness_matches_posix)
{
	compare(_metadata, poll_readiness, 2, 64);
}

/*
 * The documented difference: POSIX refuses a receive buffer smaller than
 * the queue's message size even when the message would fit; ramchan
 * refuses only a buffer smaller than the message (it stays queued in both).
 */
TEST(receive_buffer_between_message_and_msg_size_differs_by_design)
{
	struct queue q;
	char buf[64];
	unsigned int prio;

	ASSERT_EQ(0, posix_mq.open(&q, 4, 32));
	ASSERT_EQ(0, posix_mq.send(&q, "short", 5, 0, FOREVER));
	EXPECT_EQ(-EMSGSIZE, posix_mq.recv(&q, buf, 8, &prio, FOREVER));
	posix_mq.close(&q);

	ASSERT_EQ(0, ramchan_mq.open(&q, 4, 32));
	ASSERT_EQ(0, ramchan_mq.send(&q, "short", 5, 0, FOREVER));
	EXPECT_EQ(5, ramchan_mq.recv(&q, buf, 8, &prio, FOREVER));
	ramchan_mq.close(&q);
}

TEST_HARNESS_MAIN
