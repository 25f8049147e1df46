// SPDX-License-Identifier: GPL-2.0
/*
 * The ramchan tracepoints (kmod/trace.h), read back through tracefs: each
 * event fires where it should, once, with the right channel id and
 * fields. Every test traces into a tracefs instance of its own, so that
 * it neither sees nor disturbs anybody else's tracing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/ramchan.h>
#include "ramchan.h"

#include "../kselftest_harness.h"

#define TRACEFS		"/sys/kernel/tracing"
#define CHAN_DIR	"/sys/kernel/ramchan/channel/"
#define TRACE_MAX	(1 << 20)
/* How long a thread gets to fall asleep in the kernel: generous. */
#define ASLEEP_SEC	10

static const char *const ramchan_events[] = {
	"ramchan_chan_create", "ramchan_chan_destroy",
	"ramchan_ring_wait", "ramchan_ring_wait_done", "ramchan_ring_wake",
	"ramchan_ring_broken",
	"ramchan_mq_send", "ramchan_mq_recv", "ramchan_mq_handoff",
	"ramchan_mq_drop", "ramchan_mq_reject",
};

static int write_file(const char *path, const char *text)
{
	ssize_t len = strlen(text);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != len)
		ret = -errno ? -errno : -EIO;
	close(fd);
	return ret;
}

/* The whole of @path into a malloc'd string, or NULL. */
static char *read_file(const char *path)
{
	char *buf = malloc(TRACE_MAX + 1);
	size_t len = 0;
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (len < TRACE_MAX &&
	       (n = read(fd, buf + len, TRACE_MAX - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

static uint64_t chan_id(int fd)
{
	struct ramchan_fdinfo fi;
	char path[64], *text;
	int ret;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	text = read_file(path);
	if (!text)
		return 0;
	ret = ramchan_fdinfo_parse(text, &fi);
	free(text);
	return ret ? 0 : fi.id;
}

static long chan_stat(uint64_t id, const char *file)
{
	char path[128], *text;
	long v = -1;

	snprintf(path, sizeof(path), CHAN_DIR "%llu/%s",
		 (unsigned long long)id, file);
	text = read_file(path);
	if (text) {
		v = strtol(text, NULL, 10);
		free(text);
	}
	return v;
}

/* Wait until @file of channel @id reads at least @min. */
static bool chan_stat_reaches(uint64_t id, const char *file, long min)
{
	time_t end = time(NULL) + ASLEEP_SEC;

	while (chan_stat(id, file) < min) {
		if (time(NULL) > end)
			return false;
		usleep(1000);
	}
	usleep(20000);	/* counted, then asleep */
	return true;
}

FIXTURE(trace) {
	char inst[128];
	int ctl;
	char *text;
};

static void trace_path(char *buf, size_t size, const char *inst,
		       const char *file)
{
	snprintf(buf, size, "%s/%s", inst, file);
}

FIXTURE_SETUP(trace)
{
	char path[256];

	self->ctl = -1;
	self->text = NULL;
	self->inst[0] = '\0';
	if (access(TRACEFS "/instances", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	if (access(TRACEFS "/instances", F_OK))
		SKIP(return, "no tracefs at " TRACEFS " (kernel without tracing)");
	ASSERT_EQ(0, access(TRACEFS "/events/ramchan", F_OK))
		TH_LOG("tracefs has no ramchan events: module built without tracepoints?");

	snprintf(self->inst, sizeof(self->inst),
		 TRACEFS "/instances/ramchan_test_%d", getpid());
	rmdir(self->inst);
	ASSERT_EQ(0, mkdir(self->inst, 0700)) TH_LOG("mkdir %s: %m", self->inst);
	trace_path(path, sizeof(path), self->inst, "events/ramchan/enable");
	ASSERT_EQ(0, write_file(path, "1"));
	self->ctl = ramchan_open_dev();
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN(trace)
{
	char path[256];

	free(self->text);
	if (self->ctl >= 0)
		close(self->ctl);
	if (self->inst[0]) {
		trace_path(path, sizeof(path), self->inst,
			   "events/ramchan/enable");
		write_file(path, "0");
		rmdir(self->inst);
	}
}

/* Re-read the instance's trace buffer. */
static const char *trace_text(FIXTURE_DATA(trace) *self)
{
	char path[256];

	free(self->text);
	trace_path(path, sizeof(path), self->inst, "trace");
	self->text = read_file(path);
	return self->text ? self->text : "";
}

/*
 * How many trace lines have "<event>: <fields>" with @fields a prefix of
 * the event's text (after the event name). The first such line is copied
 * to @line if not NULL.
 */
static int count_events(const char *text, const char *event,
			const char *fields, char *line, size_t size)
{
	char needle[512];
	const char *p = text;
	int n = 0;

	snprintf(needle, sizeof(needle), " %s: %s", event, fields);
	while ((p = strstr(p, needle))) {
		const char *end = strchrnul(p, '\n');

		if (!n && line)
			snprintf(line, size, "%.*s", (int)(end - p), p);
		n++;
		p = end;
	}
	return n;
}

static int count_after(FIXTURE_DATA(trace) *self, const char *event,
		       const char *fmt_fields, uint64_t id)
{
	char fields[256];

	snprintf(fields, sizeof(fields), fmt_fields, (unsigned long long)id);
	return count_events(trace_text(self), event, fields, NULL, 0);
}

TEST_F(trace, every_event_is_registered_with_a_format)
{
	char path[256], *fmt;
	unsigned int i;

	for (i = 0; i < sizeof(ramchan_events) / sizeof(ramchan_events[0]); i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/ramchan/%s/format",
			 ramchan_events[i]);
		fmt = read_file(path);
		ASSERT_NE(NULL, fmt) TH_LOG("no %s", path);
		EXPECT_NE(NULL, strstr(fmt, "field:u64 id;"))
			TH_LOG("%s has no u64 id field:\n%s", ramchan_events[i], fmt);
		free(fmt);
	}
}

TEST_F(trace, create_and_destroy_carry_the_id_kind_and_name)
{
	struct ramchan_mq_opts o = { .depth = 4, .msg_size = 64 };
	char name[64], fields[256], line[512];
	unsigned long long bytes;
	uint64_t rid, qid;
	int ring, q;
	char *p;

	snprintf(name, sizeof(name), "trace-ring-%d", getpid());
	ring = ramchan_ring_create(self->ctl, name, 65536, 0600, 0, 0);
	ASSERT_LE(0, ring);
	q = ramchan_mq_create(self->ctl, &o);
	ASSERT_LE(0, q);
	rid = chan_id(ring);
	qid = chan_id(q);
	ASSERT_NE(0, rid);
	ASSERT_NE(0, qid);

	snprintf(fields, sizeof(fields), "id=%llu kind=ring name=\"%s\" bytes=",
		 (unsigned long long)rid, name);
	ASSERT_EQ(1, count_events(trace_text(self), "ramchan_chan_create",
				  fields, line, sizeof(line)))
		TH_LOG("trace:\n%s", trace_text(self));
	p = strstr(line, "bytes=");
	ASSERT_NE(NULL, p);
	bytes = strtoull(p + 6, &p, 10);
	EXPECT_LE(65536ULL, bytes) TH_LOG("%s", line);
	snprintf(fields, sizeof(fields), " uid=%u", geteuid());
	EXPECT_EQ(0, strncmp(p, fields, strlen(fields))) TH_LOG("%s", line);
	EXPECT_EQ(1, count_after(self, "ramchan_chan_create",
				 "id=%llu kind=mq name=\"\" bytes=", qid));
	EXPECT_EQ(0, count_after(self, "ramchan_chan_destroy", "id=%llu ", rid));

	/* A named channel lives until it is unlinked and closed. */
	close(ring);
	EXPECT_EQ(0, count_after(self, "ramchan_chan_destroy", "id=%llu ", rid));
	EXPECT_EQ(0, ramchan_chan_unlink(self->ctl, name));
	EXPECT_EQ(1, count_after(self, "ramchan_chan_destroy",
				 "id=%llu kind=ring", rid));
	close(q);
	EXPECT_EQ(1, count_after(self, "ramchan_chan_destroy",
				 "id=%llu kind=mq", qid));
}

TEST_F(trace, a_failed_create_traces_nothing)
{
	char name[64];
	int ring;

	snprintf(name, sizeof(name), "trace-dup-%d", getpid());
	ring = ramchan_ring_create(self->ctl, name, 65536, 0600, 0, 0);
	ASSERT_LE(0, ring);
	EXPECT_EQ(-EEXIST, ramchan_ring_create(self->ctl, name, 65536, 0600,
					       0, 0));
	EXPECT_EQ(1, count_events(trace_text(self), "ramchan_chan_create",
				  "id=", NULL, 0));
	EXPECT_EQ(0, count_events(trace_text(self), "ramchan_chan_destroy",
				  "id=", NULL, 0));
	ramchan_chan_unlink(self->ctl, name);
	close(ring);
}

TEST_F(trace, a_wait_that_times_out_traces_its_position_and_result)
{
	uint64_t id, deadline;
	char fields[256];
	int ring;

	ring = ramchan_ring_create(self->ctl, NULL, 65536, 0, 0, 0);
	ASSERT_LE(0, ring);
	id = chan_id(ring);
	deadline = ramchan_deadline_in(10 * 1000 * 1000);
	EXPECT_EQ(-ETIMEDOUT, ramchan_ring_wait_fd(ring, RAMCHAN_WAIT_READABLE,
						   0, deadline, NULL));
	snprintf(fields, sizeof(fields),
		 "id=%llu what=readable expected=0 deadline_ns=%llu",
		 (unsigned long long)id, (unsigned long long)deadline);
	EXPECT_EQ(1, count_events(trace_text(self), "ramchan_ring_wait",
				  fields, NULL, 0))
		TH_LOG("trace:\n%s", trace_text(self));
	EXPECT_EQ(1, count_after(self, "ramchan_ring_wait_done",
				 "id=%llu what=readable ret=-110", id));
	close(ring);
}

TEST_F(trace, the_wake_ioctl_is_traced_as_explicit)
{
	uint64_t id;
	int ring;

	ring = ramchan_ring_create(self->ctl, NULL, 65536, 0, 0, 0);
	ASSERT_LE(0, ring);
	id = chan_id(ring);
	EXPECT_EQ(0, ramchan_ring_wake_fd(ring, RAMCHAN_WAKE_READERS |
					  RAMCHAN_WAKE_WRITERS));
	EXPECT_EQ(0, ramchan_ring_wake_fd(ring, RAMCHAN_WAKE_WRITERS));
	EXPECT_EQ(1, count_after(self, "ramchan_ring_wake",
				 "id=%llu who=readers,writers (WAKE ioctl)", id));
	EXPECT_EQ(1, count_after(self, "ramchan_ring_wake",
				 "id=%llu who=writers (WAKE ioctl)", id));
	close(ring);
}

struct reader {
	int fd;
	ssize_t ret;
	char buf[64];
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;

	r->ret = read(r->fd, r->buf, sizeof(r->buf));
	return NULL;
}

TEST_F(trace, write_wakes_a_sleeping_reader_and_says_so)
{
	struct reader r = { .ret = -2 };
	pthread_t thread;
	uint64_t id;

	r.fd = ramchan_ring_create(self->ctl, NULL, 65536, 0, 0, 0);
	ASSERT_LE(0, r.fd);
	id = chan_id(r.fd);
	ASSERT_EQ(0, pthread_create(&thread, NULL, reader_run, &r));
	ASSERT_TRUE(chan_stat_reaches(id, "waiters", 1));
	EXPECT_EQ(5, write(r.fd, "hello", 5));
	pthread_join(thread, NULL);
	EXPECT_EQ(5, r.ret);
	EXPECT_EQ(1, count_after(self, "ramchan_ring_wait",
				 "id=%llu what=readable expected=0 ", id));
	EXPECT_EQ(1, count_after(self, "ramchan_ring_wake",
				 "id=%llu who=readers\n", id))
		TH_LOG("trace:\n%s", trace_text(self));
	EXPECT_EQ(1, count_after(self, "ramchan_ring_wait_done",
				 "id=%llu what=readable ret=0", id));
	close(r.fd);
}

TEST_F(trace, a_broken_ring_traces_the_positions_it_found)
{
	struct ramchan_ring r;
	char fields[256], buf[64];
	uint64_t id, bad;
	int fd;

	fd = ramchan_ring_create(self->ctl, NULL, 65536, 0, 0, 0);
	ASSERT_LE(0, fd);
	id = chan_id(fd);
	ASSERT_EQ(0, ramchan_ring_map(&r, fd));
	bad = r.size * 3 + 8;	/* more than a ring ahead of the tail */
	__atomic_store_n(r.reserve, bad, __ATOMIC_RELAXED);
	__atomic_store_n(r.head, bad, __ATOMIC_RELEASE);
	errno = 0;
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));	/* broken once */
	snprintf(fields, sizeof(fields),
		 "id=%llu size=%llu head=%llu reserve=%llu tail=0",
		 (unsigned long long)id, (unsigned long long)r.size,
		 (unsigned long long)bad, (unsigned long long)bad);
	EXPECT_EQ(1, count_events(trace_text(self), "ramchan_ring_broken",
				  fields, NULL, 0))
		TH_LOG("trace:\n%s", trace_text(self));
	ramchan_ring_unmap(&r);
	close(fd);
}

static int mq_new(int ctl, uint32_t depth, uint32_t overflow)
{
	struct ramchan_mq_opts o = {
		.depth = depth, .msg_size = 64, .overflow = overflow,
	};

	return ramchan_mq_create(ctl, &o);
}

TEST_F(trace, mq_send_and_recv_trace_the_message_and_the_fill)
{
	char buf[64];
	uint32_t prio;
	uint64_t id;
	int q;

	q = mq_new(self->ctl, 4, 0);
	ASSERT_LE(0, q);
	id = chan_id(q);
	EXPECT_EQ(0, ramchan_mq_send(q, "hello", 5, 3, 0, 0));
	EXPECT_EQ(0, ramchan_mq_send(q, "hi", 2, 7, 0, 0));
	EXPECT_EQ(2, ramchan_mq_recv(q, buf, sizeof(buf), &prio, 0, 0));
	EXPECT_EQ(5, ramchan_mq_recv(q, buf, sizeof(buf), &prio, 0, 0));
	EXPECT_EQ(1, count_after(self, "ramchan_mq_send",
				 "id=%llu prio=3 len=5 count=1 depth=4", id));
	EXPECT_EQ(1, count_after(self, "ramchan_mq_send",
				 "id=%llu prio=7 len=2 count=2 depth=4", id));
	EXPECT_EQ(1, count_after(self, "ramchan_mq_recv",
				 "id=%llu prio=7 len=2 count=1 depth=4", id));
	EXPECT_EQ(1, count_after(self, "ramchan_mq_recv",
				 "id=%llu prio=3 len=5 count=0 depth=4", id));
	EXPECT_EQ(0, count_after(self, "ramchan_mq_handoff", "id=%llu ", id));
	close(q);
}

struct receiver {
	int fd;
	int ret;
	char buf[64];
};

static void *receiver_run(void *arg)
{
	struct receiver *r = arg;

	r->ret = ramchan_mq_recv(r->fd, r->buf, sizeof(r->buf), NULL, 0, 0);
	return NULL;
}

TEST_F(trace, a_waiting_receiver_gets_a_traced_handoff)
{
	struct receiver r = { .ret = -2 };
	pthread_t thread;
	uint64_t id;

	r.fd = mq_new(self->ctl, 4, 0);
	ASSERT_LE(0, r.fd);
	id = chan_id(r.fd);
	ASSERT_EQ(0, pthread_create(&thread, NULL, receiver_run, &r));
	ASSERT_TRUE(chan_stat_reaches(id, "receivers_waiting", 1));
	EXPECT_EQ(0, ramchan_mq_send(r.fd, "abc", 3, 1, 0, 0));
	pthread_join(thread, NULL);
	EXPECT_EQ(3, r.ret);
	EXPECT_EQ(1, count_after(self, "ramchan_mq_handoff",
				 "id=%llu prio=1 len=3 count=0 depth=4", id))
		TH_LOG("trace:\n%s", trace_text(self));
	EXPECT_EQ(0, count_after(self, "ramchan_mq_send", "id=%llu ", id));
	EXPECT_EQ(0, count_after(self, "ramchan_mq_recv", "id=%llu ", id));
	close(r.fd);
}

TEST_F(trace, drop_oldest_traces_its_victim)
{
	uint64_t id;
	int q;

	q = mq_new(self->ctl, 1, RAMCHAN_MQ_OVERFLOW_DROP_OLDEST);
	ASSERT_LE(0, q);
	id = chan_id(q);
	EXPECT_EQ(0, ramchan_mq_send(q, "a", 1, 0, 0, 0));
	EXPECT_EQ(0, ramchan_mq_send(q, "bb", 2, 5, 0, 0));
	EXPECT_EQ(1, count_after(self, "ramchan_mq_drop",
				 "id=%llu prio=0 len=1 count=0 depth=1", id))
		TH_LOG("trace:\n%s", trace_text(self));
	EXPECT_EQ(1, count_after(self, "ramchan_mq_send",
				 "id=%llu prio=5 len=2 count=1 depth=1", id));
	close(q);
}

TEST_F(trace, reject_traces_the_refused_message)
{
	uint64_t id;
	int q;

	q = mq_new(self->ctl, 1, RAMCHAN_MQ_OVERFLOW_REJECT);
	ASSERT_LE(0, q);
	id = chan_id(q);
	EXPECT_EQ(0, ramchan_mq_send(q, "a", 1, 0, 0, 0));
	EXPECT_EQ(-EAGAIN, ramchan_mq_send(q, "bbb", 3, 9, 0, 0));
	EXPECT_EQ(1, count_after(self, "ramchan_mq_reject",
				 "id=%llu prio=9 len=3 count=1 depth=1", id))
		TH_LOG("trace:\n%s", trace_text(self));
	EXPECT_EQ(0, count_after(self, "ramchan_mq_drop", "id=%llu ", id));
	close(q);
}

TEST_F(trace, a_disabled_event_records_nothing)
{
	char path[256];
	int q;

	trace_path(path, sizeof(path), self->inst, "events/ramchan/enable");
	ASSERT_EQ(0, write_file(path, "0"));
	q = mq_new(self->ctl, 4, 0);
	ASSERT_LE(0, q);
	EXPECT_EQ(0, ramchan_mq_send(q, "x", 1, 0, 0, 0));
	close(q);
	EXPECT_EQ(NULL, strstr(trace_text(self), " ramchan_"))
		TH_LOG("trace:\n%s", trace_text(self));
}

TEST_HARNESS_MAIN
