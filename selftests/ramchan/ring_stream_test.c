// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan ring correctness under concurrency, through libramchan's inline
 * fast path: processes stream records of random sizes (some wrapping the
 * end of the ring) with sequence numbers and checksums, blocking on both
 * sides, and the consumer checks that nothing is lost, duplicated,
 * reordered or corrupted. Also: peers killed while the other is blocked,
 * and a producer that scribbles over the shared positions.
 *
 * RAMCHAN_STREAM_RECORDS overrides the record count (default 10^7).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ramchan.h"
#include "../kselftest_harness.h"

#define RING_SIZE	(64 * 1024)
#define MAX_PAYLOAD	(RING_SIZE / 4)

/* Every record starts with this; the rest is pseudo-random bytes. */
struct stamp {
	uint32_t producer;
	uint32_t len;
	uint64_t seq;
	uint64_t sum;
};

static uint64_t records_wanted(void)
{
	const char *env = getenv("RAMCHAN_STREAM_RECORDS");

	return env ? strtoull(env, NULL, 0) : 10000000ULL;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t checksum(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* Mostly small records, now and then a large one that wraps. */
static uint32_t pick_len(uint64_t *rng)
{
	uint64_t r = xorshift(rng);

	if ((r & 255) == 0)
		return sizeof(struct stamp) + (r >> 8) % (MAX_PAYLOAD -
						       sizeof(struct stamp));
	return sizeof(struct stamp) + (r >> 8) % 120;
}

static void fill_record(uint8_t *p, uint32_t len, uint32_t producer,
			uint64_t seq, uint64_t *rng)
{
	struct stamp st = { .producer = producer, .len = len, .seq = seq };
	uint32_t i;

	for (i = sizeof(st); i < len; i++)
		p[i] = xorshift(rng) >> 32;
	st.sum = checksum(p + sizeof(st), len - sizeof(st));
	memcpy(p, &st, sizeof(st));
}

static int make_ring(int *prod_fd, int *cons_fd, uint64_t size)
{
	int ctl, fd;

	ctl = ramchan_open_dev();
	if (ctl < 0)
		return ctl;
	fd = ramchan_ring_create(ctl, NULL, size, 0, RAMCHAN_ROLE_BOTH, 0);
	close(ctl);
	if (fd < 0)
		return fd;
	*prod_fd = ramchan_chan_dup(fd, RAMCHAN_ROLE_PRODUCER, 0);
	*cons_fd = ramchan_chan_dup(fd, RAMCHAN_ROLE_CONSUMER, 0);
	close(fd);
	return *prod_fd < 0 ? *prod_fd : *cons_fd < 0 ? *cons_fd : 0;
}

/* Producer process body: @count records, blocking when full. */
static int produce(int fd, uint32_t id, uint64_t count, uint64_t spin_ns)
{
	struct ramchan_ring r;
	struct ramchan_resv resv;
	uint64_t rng = 0x9e3779b97f4a7c15ULL * (id + 1), seq;
	int ret;

	ret = ramchan_ring_map(&r, fd);
	if (ret)
		return 10;
	ramchan_ring_set_spin(&r, spin_ns);
	for (seq = 0; seq < count; seq++) {
		uint32_t len = pick_len(&rng);

		ret = ramchan_ring_reserve_wait(&r, len, &resv, 0);
		if (ret) {
			fprintf(stderr, "producer %u: reserve: %s\n", id,
				strerror(-ret));
			return 11;
		}
		fill_record(resv.data, len, id, seq, &rng);
		ramchan_ring_commit(&r, &resv);
	}
	ramchan_ring_unmap(&r);
	return 0;
}

struct consume_result {
	uint64_t records;
	uint64_t bad;
	char why[160];
};

static void consume(int fd, unsigned int producers, uint64_t per_producer,
		    uint64_t spin_ns, struct consume_result *res)
{
	uint64_t next[64] = { 0 };
	struct ramchan_ring r;
	struct ramchan_rec rec;
	struct stamp st;
	int ret;

	memset(res, 0, sizeof(*res));
	if (ramchan_ring_map(&r, fd)) {
		snprintf(res->why, sizeof(res->why), "map failed");
		res->bad++;
		return;
	}
	ramchan_ring_set_spin(&r, spin_ns);
	for (;;) {
		ret = ramchan_ring_peek_wait(&r, &rec, 0);
		if (ret == -EPIPE)
			break;
		if (ret) {
			snprintf(res->why, sizeof(res->why), "peek: %s",
				 strerror(-ret));
			res->bad++;
			break;
		}
		memcpy(&st, rec.data, sizeof(st));
		if (rec.len < sizeof(st) || st.len != rec.len ||
		    st.producer >= producers || st.seq != next[st.producer] ||
		    st.sum != checksum((const uint8_t *)rec.data + sizeof(st),
				       rec.len - sizeof(st))) {
			if (!res->bad)
				snprintf(res->why, sizeof(res->why),
					 "record %llu: len %u/%u producer %u seq %llu (want %llu)",
					 (unsigned long long)res->records,
					 rec.len, st.len, st.producer,
					 (unsigned long long)st.seq,
					 (unsigned long long)(st.producer < producers ?
						next[st.producer] : 0));
			res->bad++;
		}
		if (st.producer < producers)
			next[st.producer] = st.seq + 1;
		res->records++;
		ramchan_ring_advance(&r, &rec);
		/* Release in batches of a few records, as a real consumer. */
		if (!(res->records & 7))
			ramchan_ring_release(&r);
	}
	ramchan_ring_release(&r);
	for (unsigned int p = 0; p < producers; p++) {
		if (next[p] != per_producer) {
			if (!res->bad)
				snprintf(res->why, sizeof(res->why),
					 "producer %u: got %llu of %llu records",
					 p, (unsigned long long)next[p],
					 (unsigned long long)per_producer);
			res->bad++;
		}
	}
	ramchan_ring_unmap(&r);
}

static void stream(struct __test_metadata *_metadata, unsigned int producers,
		   uint64_t spin_ns)
{
	uint64_t total = records_wanted(), per = total / producers;
	struct consume_result res;
	int prod_fd, cons_fd, status;
	pid_t pids[16];
	unsigned int i;

	ASSERT_EQ(0, make_ring(&prod_fd, &cons_fd, RING_SIZE));
	for (i = 0; i < producers; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			close(cons_fd);
			_exit(produce(prod_fd, i, per, spin_ns));
		}
	}
	close(prod_fd);
	consume(cons_fd, producers, per, spin_ns, &res);
	close(cons_fd);
	for (i = 0; i < producers; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("producer %u status %#x", i, status);
	}
	EXPECT_EQ(0, res.bad) TH_LOG("%s", res.why);
	EXPECT_EQ(per * producers, res.records);
	TH_LOG("%llu records from %u producer(s), spin %llu ns",
	       (unsigned long long)res.records, producers,
	       (unsigned long long)spin_ns);
}

FIXTURE(stream) {
	int unused;
};

FIXTURE_SETUP(stream) { }
FIXTURE_TEARDOWN(stream) { }

TEST_F_TIMEOUT(stream, one_producer_blocking_loses_nothing, 3600)
{
	stream(_metadata, 1, 0);
}

TEST_F_TIMEOUT(stream, one_producer_spin_then_block_loses_nothing, 3600)
{
	stream(_metadata, 1, 20000);
}

TEST_F_TIMEOUT(stream, four_producers_keep_per_producer_order, 3600)
{
	stream(_metadata, 4, 0);
}

/* Wait until @pid is asleep (state S) in the kernel. */
static void wait_sleeping(pid_t pid)
{
	char path[64], buf[256], *p;
	int i, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (i = 0; i < 2000; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			p = strrchr(buf, ')');
			if (p && p[2] == 'S')
				return;
		}
		usleep(1000);
	}
}

TEST(killed_producer_wakes_blocked_consumer_with_eof)
{
	int prod_fd, cons_fd, status;
	struct ramchan_ring r;
	struct ramchan_rec rec;
	pid_t pid;

	ASSERT_EQ(0, make_ring(&prod_fd, &cons_fd, RING_SIZE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(cons_fd);
		pause();
		_exit(0);
	}
	close(prod_fd);
	ASSERT_EQ(0, ramchan_ring_map(&r, cons_fd));
	if (fork() == 0) {
		wait_sleeping(getppid());
		kill(pid, SIGKILL);
		_exit(0);
	}
	EXPECT_EQ(-EPIPE, ramchan_ring_peek_wait(&r, &rec, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	wait(NULL);
	ramchan_ring_unmap(&r);
	close(cons_fd);
}

TEST(killed_consumer_fails_blocked_producer_with_epipe)
{
	int prod_fd, cons_fd, status, ret;
	struct ramchan_ring r;
	struct ramchan_resv resv;
	pid_t pid;

	ASSERT_EQ(0, make_ring(&prod_fd, &cons_fd, RING_SIZE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(prod_fd);
		pause();
		_exit(0);
	}
	close(cons_fd);
	ASSERT_EQ(0, ramchan_ring_map(&r, prod_fd));
	/* Fill the ring. */
	while (!(ret = ramchan_ring_reserve(&r, 1000, &resv)))
		ramchan_ring_commit(&r, &resv);
	ASSERT_EQ(-EAGAIN, ret);
	if (fork() == 0) {
		wait_sleeping(getppid());
		kill(pid, SIGKILL);
		_exit(0);
	}
	EXPECT_EQ(-EPIPE, ramchan_ring_reserve_wait(&r, 1000, &resv, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	wait(NULL);
	ramchan_ring_unmap(&r);
	close(prod_fd);
}

TEST(kill_a_blocked_waiter_leaves_the_ring_usable)
{
	int prod_fd, cons_fd, status;
	struct ramchan_ring r;
	char buf[64];
	pid_t pid;

	ASSERT_EQ(0, make_ring(&prod_fd, &cons_fd, RING_SIZE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ramchan_ring c;
		struct ramchan_rec rec;

		if (ramchan_ring_map(&c, cons_fd))
			_exit(1);
		ramchan_ring_peek_wait(&c, &rec, 0);
		_exit(2);
	}
	wait_sleeping(pid);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));

	/* The ring still works in both directions. */
	ASSERT_EQ(0, ramchan_ring_map(&r, prod_fd));
	EXPECT_EQ(0, ramchan_ring_send(&r, "hello", 5, 0));
	EXPECT_EQ(5, read(cons_fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ramchan_ring_unmap(&r);
	close(prod_fd);
	close(cons_fd);
}

/*
 * One process writes random values over a ring's shared positions and
 * headers while another ring streams; the kernel must survive, the
 * scribbled ring may fail with -EIO, the other must be unaffected.
 */
TEST_F_TIMEOUT(stream, scribbler_breaks_only_its_own_ring, 600)
{
	int ctl, bad_fd, prod_fd, cons_fd, status, i;
	struct consume_result res;
	struct ramchan_ring bad;
	uint64_t rng = 42, *hdr;
	char buf[RING_SIZE];
	pid_t scribbler, producer;
	ssize_t n;

	ctl = ramchan_open_dev();
	ASSERT_LE(0, ctl);
	bad_fd = ramchan_ring_create(ctl, NULL, RING_SIZE, 0,
				     RAMCHAN_ROLE_BOTH, RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, bad_fd);
	close(ctl);
	ASSERT_EQ(0, make_ring(&prod_fd, &cons_fd, RING_SIZE));

	producer = fork();
	ASSERT_LE(0, producer);
	if (!producer) {
		close(cons_fd);
		_exit(produce(prod_fd, 0, 200000, 0));
	}
	close(prod_fd);

	scribbler = fork();
	ASSERT_LE(0, scribbler);
	if (!scribbler) {
		if (ramchan_ring_map(&bad, bad_fd))
			_exit(1);
		for (i = 0; i < 200000; i++) {
			switch (xorshift(&rng) % 4) {
			case 0:
				bad.prod->head = xorshift(&rng);
				break;
			case 1:
				bad.prod->reserve = xorshift(&rng);
				break;
			case 2:
				bad.cons->tail = xorshift(&rng);
				break;
			default:
				hdr = (uint64_t *)(bad.data +
					(xorshift(&rng) & bad.mask & ~7ULL));
				*hdr = xorshift(&rng);
			}
		}
		_exit(0);
	}
	/* Meanwhile, hammer the scribbled ring through the kernel paths. */
	for (i = 0; i < 20000; i++) {
		struct pollfd pfd = { .fd = bad_fd, .events = POLLIN | POLLOUT };
		struct ramchan_wait w = {
			.what = RAMCHAN_WAIT_READABLE,
			.expected = xorshift(&rng),
			.deadline_ns = 1,
		};

		n = read(bad_fd, buf, sizeof(buf));
		if (n < 0)
			EXPECT_TRUE(errno == EAGAIN || errno == EIO ||
				    errno == EMSGSIZE)
				TH_LOG("read: %s", strerror(errno));
		n = write(bad_fd, buf, 1 + xorshift(&rng) % 2000);
		if (n < 0)
			EXPECT_TRUE(errno == EAGAIN || errno == EIO)
				TH_LOG("write: %s", strerror(errno));
		poll(&pfd, 1, 0);
		ioctl(bad_fd, RAMCHAN_IOC_WAIT, &w);
	}
	ASSERT_EQ(scribbler, waitpid(scribbler, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(bad_fd);

	consume(cons_fd, 1, 200000, 0, &res);
	EXPECT_EQ(0, res.bad) TH_LOG("%s", res.why);
	EXPECT_EQ(200000, res.records);
	ASSERT_EQ(producer, waitpid(producer, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(cons_fd);
}

/* ramchan_ring_create_opts(): the options struct as queues have one. */
TEST(ring_create_opts_creates_and_refuses_nonzero_reserved)
{
	struct ramchan_ring_opts o = { .name = "stream-opts", .size = 8192,
				       .mode = 0600 };
	struct ramchan_ring r;
	int ctl, fd, again;

	ctl = ramchan_open_dev();
	ASSERT_LE(0, ctl);
	ramchan_chan_unlink(ctl, o.name);
	fd = ramchan_ring_create_opts(ctl, &o);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ramchan_ring_map(&r, fd));
	EXPECT_EQ(8192, r.size);
	ramchan_ring_unmap(&r);
	again = ramchan_chan_open(ctl, o.name, RAMCHAN_ROLE_CONSUMER, 0);
	EXPECT_LE(0, again);
	EXPECT_EQ(-EEXIST, ramchan_ring_create_opts(ctl, &o));
	o.reserved[6] = 1;
	o.name = NULL;
	EXPECT_EQ(-EINVAL, ramchan_ring_create_opts(ctl, &o));
	EXPECT_EQ(0, ramchan_chan_unlink(ctl, "stream-opts"));
	close(again);
	close(fd);
	close(ctl);
}

TEST_HARNESS_MAIN
