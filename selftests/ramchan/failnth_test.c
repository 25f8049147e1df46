// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan selftests: fault injection on every entry point.
 *
 * For each entry point (open of /dev/ramchan, every ioctl of the control,
 * ring and queue fds, every mmap region, read, write, poll, every sysfs
 * file) the call is made with /proc/thread-self/fail-nth set to n = 1, 2,
 * ... until it completes without reaching the n-th injection point. The
 * n-th slab allocation, page allocation or user copy of the call then
 * fails (failslab, fail_page_alloc and fail_usercopy, all set to also fail
 * sleeping allocations). Each injected call must
 *  - return what it returns without faults, or a clean -ENOMEM / -EFAULT;
 *  - leave no partial state: after the test undoes what a successful call
 *    made, the module's counters (channels, bytes held, open files), its
 *    sysfs channel directories and the names are back at the baseline;
 *  - give back every RLIMIT_MEMLOCK and RLIMIT_MSGQUEUE charge: the sweeps
 *    run as an unprivileged user under small limits, and after each sweep
 *    as many channels fit under them as before;
 * and the guest's kmemleak scan at the end of the run must be empty
 * (tools/vm/run fails the run otherwise). Each test reports how many
 * injection points it swept.
 *
 * Needs a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS, FAILSLAB and
 * FAIL_PAGE_ALLOC (the debug guest); skipped elsewhere. Run as root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ramchan.h>

#include "../kselftest_harness.h"
#include "genl.h"

#define RAMCHAN_DEV	"/dev/ramchan"
#define SYSFS_DIR	"/sys/kernel/ramchan/"
#define CHAN_DIR	SYSFS_DIR "channel/"
#define DEBUGFS		"/sys/kernel/debug/"
#define NOBODY		65534

/*
 * Small limits, so that a leaked charge shows: RLIMIT_MEMLOCK holds the
 * fixture's one-page ring (4 pages with the 3 metadata pages) and exactly
 * three more, so one page kept back costs a whole ring; RLIMIT_MSGQUEUE is
 * measured to the byte (the largest queue that still fits).
 */
#define SWEEP_MEMLOCK	(16 * 4096)
#define SWEEP_MSGQUEUE	(256 << 10)

/* No call of ours has anywhere near this many injection points. */
#define MAX_POINTS	20000

#define NAME		"failnth"
#define NAME2		"failnth-named"

struct state {
	long channels, bytes_held, open_files;
	int dirs;
};

struct sweep;

/*
 * One entry point: @call makes the call under test (and nothing else that
 * allocates), @prep sets up before fail-nth is armed, @undo takes back
 * what a successful call made, @check says whether the state after a call
 * that returned @ret is right. Without faults a call must return what its
 * first run returned (an errno exactly; any value >= 0 for a success).
 */
struct entry {
	const char *name;
	bool netlink;
	int (*prep)(struct sweep *s);
	int (*call)(struct sweep *s);
	void (*undo)(struct sweep *s, int ret);
	bool (*check)(struct sweep *s, int ret);
};

struct sweep {
	int nth_fd;
	int ctl;
	int ring, mq;		/* channels the entries work on */
	long page;
	struct ramchan_ring_layout layout;
	void *map;		/* a mapping an entry made */
	size_t map_len;
	const char *path;	/* the sysfs file a sysfs entry reads */
	const char *ring_dir;	/* the ring's sysfs directory */
	uint64_t head, tail;	/* ring positions before the call */
	long mq_count;
	int efd;
	struct nl *nl;		/* a genl socket for the netlink entries */
	struct nl *events;	/* one subscribed to the events group */
	uint64_t ring_id;
};

static long read_long(const char *path)
{
	char buf[64] = "";
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 0);
	fclose(f);
	return v;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int count_dirs(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static struct state snapshot(void)
{
	struct state st = {
		.channels = read_long(SYSFS_DIR "channels"),
		.bytes_held = read_long(SYSFS_DIR "bytes_held"),
		.open_files = read_long(SYSFS_DIR "open_files"),
		.dirs = count_dirs(CHAN_DIR),
	};

	return st;
}

static bool same_state(const struct state *a, const struct state *b)
{
	return a->channels == b->channels && a->bytes_held == b->bytes_held &&
	       a->open_files == b->open_files && a->dirs == b->dirs;
}

/* Released files and freed channels settle at once; allow a little. */
static bool settles_to(const struct state *want, struct state *got)
{
	int i;

	for (i = 0; i < 100; i++) {
		*got = snapshot();
		if (same_state(want, got))
			return true;
		usleep(10000);
	}
	return false;
}

/* ---- fail-nth ----------------------------------------------------------- */

static int nth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/*
 * Disarm, and say whether the call consumed the fault. Reading and writing
 * fail-nth copy to and from userspace, which fail_usercopy counts too: a
 * read that faults means one point was left (not consumed by the call),
 * and a write that faults has used up the last one.
 */
static bool nth_disarm(int fd)
{
	char buf[16] = "";
	ssize_t len = pread(fd, buf, sizeof(buf) - 1, 0);
	bool injected = len > 0 && strtoul(buf, NULL, 10) == 0;
	int i;

	for (i = 0; i < 3; i++)
		if (pwrite(fd, "0", 1, 0) == 1)
			break;
	return injected;
}

static bool fault_injection_available(void)
{
	return !access("/proc/thread-self/fail-nth", W_OK) &&
	       !access(DEBUGFS "failslab/ignore-gfp-wait", W_OK) &&
	       !access(DEBUGFS "fail_page_alloc/ignore-gfp-wait", W_OK);
}

/* Fail sleeping allocations too, of every order, silently. */
static int setup_fault_injection(void)
{
	static const char *const knobs[][2] = {
		{ DEBUGFS "failslab/ignore-gfp-wait", "N" },
		{ DEBUGFS "failslab/verbose", "0" },
		{ DEBUGFS "fail_page_alloc/ignore-gfp-wait", "N" },
		{ DEBUGFS "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ DEBUGFS "fail_page_alloc/min-order", "0" },
		{ DEBUGFS "fail_page_alloc/verbose", "0" },
		{ DEBUGFS "fail_usercopy/verbose", "0" },
	};
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		if (access(knobs[i][0], F_OK) && strstr(knobs[i][0], "usercopy"))
			continue;	/* fail_usercopy is optional */
		err = write_str(knobs[i][0], knobs[i][1]);
		if (err)
			return err;
	}
	return 0;
}

/* ---- rlimit charges ----------------------------------------------------- */

static int create_ring(int ctl, const char *name, uint64_t size)
{
	struct ramchan_create c = {
		.kind = RAMCHAN_KIND_RING, .size = size,
		.name = (uintptr_t)name, .mode = name ? 0600 : 0,
	};
	int fd = ioctl(ctl, RAMCHAN_IOC_CREATE, &c);

	return fd < 0 ? -errno : fd;
}

static int create_mq(int ctl, const char *name, uint32_t depth,
		     uint32_t size)
{
	struct ramchan_create c = {
		.kind = RAMCHAN_KIND_MQ, .size = size, .mq_depth = depth,
		.name = (uintptr_t)name, .mode = name ? 0600 : 0,
	};
	int fd = ioctl(ctl, RAMCHAN_IOC_CREATE, &c);

	return fd < 0 ? -errno : fd;
}

/* How many more one-page rings fit under RLIMIT_MEMLOCK. */
static int memlock_room(int ctl)
{
	int fds[64], n = 0, fd;

	while (n < 64) {
		fd = create_ring(ctl, NULL, 4096);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	for (fd = 0; fd < n; fd++)
		close(fds[fd]);
	return n == 64 ? -1 : n;
}

/* The largest one-message queue that fits under RLIMIT_MSGQUEUE. */
static int msgqueue_room(int ctl)
{
	uint32_t lo = 0, hi = 1 << 20, mid;
	int fd;

	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		fd = create_mq(ctl, NULL, 1, mid);
		if (fd >= 0) {
			close(fd);
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	return lo;
}

/* ---- the sweep ---------------------------------------------------------- */

static bool result_ok(const struct entry *e, int ret, int want)
{
	if (ret == -ENOMEM || ret == -EFAULT)
		return true;
	/* Netlink's own word for a message it had no memory for. */
	if (e->netlink && ret == -ENOBUFS)
		return true;
	if (want == INT_MIN)
		return ret >= 0;
	return ret == want;
}

static int run_sweep(struct __test_metadata *_metadata, struct sweep *s,
		     const struct entry *e)
{
	struct state base, got;
	unsigned int n, points = 0, tolerated = 0;
	int want, ret;

	/* Reference run without faults (also faults in what it touches). */
	if (e->prep && e->prep(s)) {
		TH_LOG("%s: cannot set up", e->name);
		return -1;
	}
	want = e->call(s);
	if (want >= 0 && e->check && !e->check(s, want)) {
		TH_LOG("%s: wrong state after a call without faults", e->name);
		return -1;
	}
	if (e->undo)
		e->undo(s, want);
	if (want >= 0)
		want = INT_MIN;
	base = snapshot();

	for (n = 1; n < MAX_POINTS; n++) {
		if (e->prep && e->prep(s)) {
			TH_LOG("%s: fault %u: cannot set up", e->name, n);
			return -1;
		}
		if (nth_arm(s->nth_fd, n)) {
			TH_LOG("cannot arm fail-nth: %s", strerror(errno));
			return -1;
		}
		ret = e->call(s);
		if (!nth_disarm(s->nth_fd)) {
			/* Fewer than n points: all swept, and this call is good. */
			if (e->undo)
				e->undo(s, ret);
			if (ret != want && !(want == INT_MIN && ret >= 0)) {
				TH_LOG("%s: returned %d without a fault, want %d",
				       e->name, ret, want);
				return -1;
			}
			break;
		}
		points++;
		if (!result_ok(e, ret, want)) {
			TH_LOG("%s: fault %u: returned %d (%s), want %d or -ENOMEM/-EFAULT",
			       e->name, n, ret, ret < 0 ? strerror(-ret) : "",
			       want);
			return -1;
		}
		if (ret >= 0 || ret == want)
			tolerated++;
		if (e->check && !e->check(s, ret)) {
			TH_LOG("%s: fault %u: returned %d, wrong state after it",
			       e->name, n, ret);
			return -1;
		}
		if (e->undo)
			e->undo(s, ret);
		if (!settles_to(&base, &got)) {
			TH_LOG("%s: fault %u: returned %d and left state behind: channels %ld->%ld, bytes_held %ld->%ld, open_files %ld->%ld, sysfs dirs %d->%d",
			       e->name, n, ret, base.channels, got.channels,
			       base.bytes_held, got.bytes_held,
			       base.open_files, got.open_files,
			       base.dirs, got.dirs);
			return -1;
		}
	}
	if (n == MAX_POINTS) {
		TH_LOG("%s: still faulting after %u points", e->name, n);
		return -1;
	}
	ksft_print_msg("%s: %u injection points swept, %u tolerated\n",
		       e->name, points, tolerated);
	return points;
}

/* ---- entry points ------------------------------------------------------- */

static int sys_ret(long r)
{
	return r < 0 ? -errno : (int)r;
}

static void close_fd(struct sweep *s, int ret)
{
	if (ret >= 0)
		close(ret);
}

/* The name must exist exactly when the call succeeded. */
static bool name_exists(struct sweep *s, const char *name)
{
	struct ramchan_open o = {
		.name = (uintptr_t)name, .role = RAMCHAN_ROLE_CONSUMER,
	};
	int fd = ioctl(s->ctl, RAMCHAN_IOC_OPEN, &o);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static bool named_iff_created(struct sweep *s, int ret)
{
	return name_exists(s, NAME2) == (ret >= 0);
}

static void close_and_unlink(struct sweep *s, int ret)
{
	struct ramchan_unlink u = { .name = (uintptr_t)NAME2 };

	if (ret < 0)
		return;
	close(ret);
	ioctl(s->ctl, RAMCHAN_IOC_UNLINK, &u);
}

static int call_open_dev(struct sweep *s)
{
	return sys_ret(open(RAMCHAN_DEV, O_RDWR | O_CLOEXEC));
}

static int call_info(struct sweep *s)
{
	struct ramchan_info info = { 0 };

	return sys_ret(ioctl(s->ctl, RAMCHAN_IOC_INFO, &info));
}

static int call_create_ring(struct sweep *s)
{
	return create_ring(s->ctl, NULL, 4 * s->page);
}

static int call_create_ring_named(struct sweep *s)
{
	return create_ring(s->ctl, NAME2, s->page);
}

static int call_create_mq(struct sweep *s)
{
	return create_mq(s->ctl, NULL, 8, 512);
}

static int call_create_mq_named(struct sweep *s)
{
	return create_mq(s->ctl, NAME2, 8, 512);
}

static int call_open_named(struct sweep *s)
{
	struct ramchan_open o = {
		.name = (uintptr_t)NAME, .role = RAMCHAN_ROLE_CONSUMER,
	};

	return sys_ret(ioctl(s->ctl, RAMCHAN_IOC_OPEN, &o));
}

static int call_unlink(struct sweep *s)
{
	struct ramchan_unlink u = { .name = (uintptr_t)NAME };

	return sys_ret(ioctl(s->ctl, RAMCHAN_IOC_UNLINK, &u));
}

/* The name goes exactly when UNLINK succeeded; then it is made again. */
static bool unlinked_iff_ok(struct sweep *s, int ret)
{
	return name_exists(s, NAME) == (ret < 0);
}

static void relink(struct sweep *s, int ret)
{
	if (ret < 0)
		return;
	close(s->ring);
	s->ring = create_ring(s->ctl, NAME, s->page);
}

static int call_layout(struct sweep *s)
{
	struct ramchan_ring_layout l;

	return sys_ret(ioctl(s->ring, RAMCHAN_IOC_RING_LAYOUT, &l));
}

static int call_wait(struct sweep *s)
{
	struct ramchan_wait w = {
		.what = RAMCHAN_WAIT_READABLE, .expected = s->head,
		.deadline_ns = 1,	/* in the past: times out at once */
	};

	return sys_ret(ioctl(s->ring, RAMCHAN_IOC_WAIT, &w));
}

static int call_wake(struct sweep *s)
{
	return sys_ret(ioctl(s->ring, RAMCHAN_IOC_WAKE,
			     RAMCHAN_WAKE_READERS | RAMCHAN_WAKE_WRITERS));
}

static int call_ring_dup(struct sweep *s)
{
	struct ramchan_dup d = { .role = RAMCHAN_ROLE_CONSUMER };

	return sys_ret(ioctl(s->ring, RAMCHAN_IOC_DUP, &d));
}

static int map_region(struct sweep *s, uint64_t off, uint64_t len, int prot)
{
	s->map_len = len;
	s->map = mmap(NULL, len, prot, MAP_SHARED, s->ring, off);
	return s->map == MAP_FAILED ? -errno : 0;
}

static int call_map_info(struct sweep *s)
{
	return map_region(s, s->layout.info_offset, s->layout.info_size,
			  PROT_READ);
}

static int call_map_producer(struct sweep *s)
{
	return map_region(s, s->layout.producer_offset,
			  s->layout.producer_size, PROT_READ | PROT_WRITE);
}

static int call_map_consumer(struct sweep *s)
{
	return map_region(s, s->layout.consumer_offset,
			  s->layout.consumer_size, PROT_READ | PROT_WRITE);
}

static int call_map_data(struct sweep *s)
{
	return map_region(s, s->layout.data_offset, s->layout.data_map_size,
			  PROT_READ | PROT_WRITE);
}

static void unmap_region(struct sweep *s, int ret)
{
	if (ret == 0)
		munmap(s->map, s->map_len);
}

/* A ring position (bytes_in is head, bytes_out tail), from sysfs. */
static uint64_t ring_pos(struct sweep *s, const char *attr)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", s->ring_dir, attr);
	return read_long(path);
}

static int prep_positions(struct sweep *s)
{
	s->head = ring_pos(s, "bytes_in");
	s->tail = ring_pos(s, "bytes_out");
	return 0;
}

static const char rec100[100] = "failnth";

static int call_write(struct sweep *s)
{
	return sys_ret(write(s->ring, rec100, sizeof(rec100)));
}

/* A failed write leaves the ring as it was; a good one is read back. */
static bool write_moved_head_iff_ok(struct sweep *s, int ret)
{
	return (ring_pos(s, "bytes_in") != s->head) == (ret > 0);
}

static void drain_ring(struct sweep *s, int ret)
{
	char buf[4096];
	int fl = fcntl(s->ring, F_GETFL);

	fcntl(s->ring, F_SETFL, fl | O_NONBLOCK);
	while (read(s->ring, buf, sizeof(buf)) > 0)
		;
	fcntl(s->ring, F_SETFL, fl);
}

static int prep_read(struct sweep *s)
{
	if (write(s->ring, rec100, sizeof(rec100)) != sizeof(rec100))
		return -1;
	return prep_positions(s);
}

static int call_read(struct sweep *s)
{
	static char buf[256];

	return sys_ret(read(s->ring, buf, sizeof(buf)));
}

/* A failed read consumes nothing: the record is still there. */
static bool read_moved_tail_iff_ok(struct sweep *s, int ret)
{
	return (ring_pos(s, "bytes_out") != s->tail) == (ret > 0);
}

static int call_poll_ring(struct sweep *s)
{
	struct pollfd p = { .fd = s->ring, .events = POLLIN | POLLOUT };

	return sys_ret(poll(&p, 1, 0));
}

static int call_poll_mq(struct sweep *s)
{
	struct pollfd p = { .fd = s->mq, .events = POLLIN | POLLOUT };

	return sys_ret(poll(&p, 1, 0));
}

static long mq_count(struct sweep *s)
{
	struct ramchan_mq_attr a = { 0 };

	if (ioctl(s->mq, RAMCHAN_IOC_MQ_GETATTR, &a))
		return -1;
	return a.count;
}

static int prep_count(struct sweep *s)
{
	s->mq_count = mq_count(s);
	return s->mq_count < 0;
}

static int call_mq_send(struct sweep *s)
{
	struct ramchan_mq_msg m = {
		.buf = (uintptr_t)"failnth", .len = 7, .prio = 3,
	};

	return sys_ret(ioctl(s->mq, RAMCHAN_IOC_MQ_SEND, &m));
}

static int call_mq_send_big(struct sweep *s)
{
	static char big[512];
	struct ramchan_mq_msg m = {
		.buf = (uintptr_t)big, .len = sizeof(big), .prio = 1,
	};

	return sys_ret(ioctl(s->mq, RAMCHAN_IOC_MQ_SEND, &m));
}

/* A failed send queues nothing; a good one queues one message. */
static bool sent_iff_ok(struct sweep *s, int ret)
{
	return mq_count(s) == s->mq_count + (ret == 0);
}

static void drain_mq(struct sweep *s, int ret)
{
	struct ramchan_mq_msg m;
	char buf[512];

	do {
		m = (struct ramchan_mq_msg){
			.buf = (uintptr_t)buf, .len = sizeof(buf),
			.flags = RAMCHAN_MQ_NONBLOCK,
		};
	} while (ioctl(s->mq, RAMCHAN_IOC_MQ_RECV, &m) >= 0);
}

static int prep_recv(struct sweep *s)
{
	struct ramchan_mq_msg m = {
		.buf = (uintptr_t)"failnth", .len = 7, .prio = 3,
	};

	if (ioctl(s->mq, RAMCHAN_IOC_MQ_SEND, &m))
		return -1;
	return prep_count(s);
}

static int call_mq_recv(struct sweep *s)
{
	static char buf[64];
	struct ramchan_mq_msg m = {
		.buf = (uintptr_t)buf, .len = sizeof(buf),
	};

	return sys_ret(ioctl(s->mq, RAMCHAN_IOC_MQ_RECV, &m));
}

/*
 * A receive that fails for want of memory leaves the message queued; one
 * whose copy-out faults loses it, as the uapi header (and mq_timedreceive)
 * says; a good one takes it.
 */
static bool received_iff_ok(struct sweep *s, int ret)
{
	long now = mq_count(s);

	if (ret == -EFAULT)
		return now == s->mq_count || now == s->mq_count - 1;
	return now == s->mq_count - (ret >= 0);
}

#define BATCH	40	/* more than one chunk of the kernel's */

static int call_mq_send_batch(struct sweep *s)
{
	struct ramchan_mq_vec v[BATCH];
	struct ramchan_mq_batch b = {
		.vec = (uintptr_t)v, .count = BATCH,
		.flags = RAMCHAN_MQ_NONBLOCK,
	};
	int i;

	for (i = 0; i < BATCH; i++)
		v[i] = (struct ramchan_mq_vec){
			.buf = (uintptr_t)"batch", .len = 5, .prio = i % 4,
		};
	return sys_ret(ioctl(s->mq, RAMCHAN_IOC_MQ_SEND_BATCH, &b));
}

/* What a send batch returns is exactly what it queued. */
static bool batch_sent_what_it_says(struct sweep *s, int ret)
{
	return mq_count(s) == s->mq_count + (ret > 0 ? ret : 0);
}

static int prep_recv_batch(struct sweep *s)
{
	if (call_mq_send_batch(s) != BATCH)
		return -1;
	return prep_count(s);
}

static int call_mq_recv_batch(struct sweep *s)
{
	struct ramchan_mq_vec v[BATCH];
	struct ramchan_mq_batch b = {
		.vec = (uintptr_t)v, .count = BATCH,
		.flags = RAMCHAN_MQ_NONBLOCK,
	};
	static char bufs[BATCH][16];
	int i;

	for (i = 0; i < BATCH; i++)
		v[i] = (struct ramchan_mq_vec){
			.buf = (uintptr_t)bufs[i], .len = sizeof(bufs[i]),
		};
	return sys_ret(ioctl(s->mq, RAMCHAN_IOC_MQ_RECV_BATCH, &b));
}

/* A receive batch takes what it says, plus at most one lost to a fault. */
static bool batch_received_what_it_says(struct sweep *s, int ret)
{
	long taken = s->mq_count - mq_count(s);

	if (ret > 0)
		return taken == ret;
	return taken == 0 || (ret == -EFAULT && taken == 1);
}

static int call_mq_getattr(struct sweep *s)
{
	struct ramchan_mq_attr a = { 0 };

	return sys_ret(ioctl(s->mq, RAMCHAN_IOC_MQ_GETATTR, &a));
}

static int call_mq_setattr(struct sweep *s)
{
	struct ramchan_mq_attr a = {
		.set = RAMCHAN_MQ_SET_SPIN, .spin_us = 5,
	};

	return sys_ret(ioctl(s->mq, RAMCHAN_IOC_MQ_SETATTR, &a));
}

static int call_mq_notify(struct sweep *s)
{
	struct ramchan_mq_notify n = { .fd = s->efd };

	return sys_ret(ioctl(s->mq, RAMCHAN_IOC_MQ_NOTIFY, &n));
}

static void notify_clear(struct sweep *s, int ret)
{
	struct ramchan_mq_notify n = { .flags = RAMCHAN_MQ_NOTIFY_CLEAR };

	if (ret == 0)
		ioctl(s->mq, RAMCHAN_IOC_MQ_NOTIFY, &n);
}

/* Registered exactly when the call succeeded: a second one is -EBUSY. */
static bool registered_iff_ok(struct sweep *s, int ret)
{
	struct ramchan_mq_notify n = { .fd = s->efd };
	int again = sys_ret(ioctl(s->mq, RAMCHAN_IOC_MQ_NOTIFY, &n));

	if (again == 0)
		notify_clear(s, 0);
	return (again == -EBUSY) == (ret == 0);
}

static int call_mq_dup(struct sweep *s)
{
	struct ramchan_dup d = { .role = RAMCHAN_ROLE_PRODUCER };

	return sys_ret(ioctl(s->mq, RAMCHAN_IOC_DUP, &d));
}

static int call_sysfs_read(struct sweep *s)
{
	char buf[4096];
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/*
 * Netlink: a request and its replies (for a dump, the dump runs in this
 * recv) up to the ACK. Read-only ops: the state must not move at all.
 */
static int nl_call(struct nl *nl, int cmd, int flags, uint64_t id)
{
	char req[1024];
	struct nlmsghdr *nlh = start(nl, req, nl->family, cmd, flags);
	int ret;

	if (id)
		put_attr(nlh, RAMCHAN_A_CHANNEL_ID, &id, sizeof(id));
	if (flags & NLM_F_DUMP)
		put_attr(nlh, RAMCHAN_A_CHANNEL_WITH_PEERS, NULL, 0);
	ret = transact(nl, nlh, NULL, NULL);
	return ret < 0 ? ret : 0;
}

static int call_nl_channel_get(struct sweep *s)
{
	return nl_call(s->nl, RAMCHAN_CMD_CHANNEL_GET, 0, s->ring_id);
}

static int call_nl_channel_dump(struct sweep *s)
{
	return nl_call(s->nl, RAMCHAN_CMD_CHANNEL_GET, NLM_F_DUMP, 0);
}

static int call_nl_stats_get(struct sweep *s)
{
	return nl_call(s->nl, RAMCHAN_CMD_STATS_GET, 0, 0);
}

/* A CREATE with a listener: its event may be lost, never the channel. */
static int call_create_mq_listened(struct sweep *s)
{
	return create_mq(s->ctl, NULL, 8, 512);
}

static void close_and_drain_events(struct sweep *s, int ret)
{
	struct msg *m = malloc(sizeof(*m));

	close_fd(s, ret);
	while (m && next_event(s->events, m, 0))
		;
	free(m);
}

/* ---- the fixture -------------------------------------------------------- */

FIXTURE(failnth) {
	struct sweep s;
	struct nl nl, events;
	char ring_dir[128], mq_dir[128];
	int memlock_room, msgqueue_room;
};

/* The sysfs directory of the newest channel. */
static void newest_dir(char *dir, size_t len)
{
	DIR *d = opendir(CHAN_DIR);
	struct dirent *e;
	unsigned long id, max = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			id = strtoul(e->d_name, NULL, 10);
			if (id > max)
				max = id;
		}
	if (d)
		closedir(d);
	snprintf(dir, len, CHAN_DIR "%lu", max);
}

FIXTURE_SETUP(failnth)
{
	struct sweep *s = &self->s;
	struct rlimit memlock = { SWEEP_MEMLOCK, SWEEP_MEMLOCK };
	struct rlimit msgqueue = { SWEEP_MSGQUEUE, SWEEP_MSGQUEUE };
	struct ramchan_unlink u = { .name = (uintptr_t)NAME };

	if (!fault_injection_available())
		SKIP(return, "no fail-nth or fault injection debugfs (a debug kernel has them)");
	ASSERT_EQ(0, setup_fault_injection());

	s->page = sysconf(_SC_PAGESIZE);
	s->ctl = open(RAMCHAN_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, s->ctl);

	/* An unprivileged user under small limits: every charge counts. */
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &memlock));
	ASSERT_EQ(0, setrlimit(RLIMIT_MSGQUEUE, &msgqueue));
	ASSERT_EQ(0, setgid(NOBODY));
	ASSERT_EQ(0, setuid(NOBODY));
	ASSERT_EQ(0, prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	s->nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, s->nth_fd);

	ioctl(s->ctl, RAMCHAN_IOC_UNLINK, &u);	/* left by a failed setup */
	s->ring = create_ring(s->ctl, NAME, s->page);
	ASSERT_LE(0, s->ring);
	newest_dir(self->ring_dir, sizeof(self->ring_dir));
	ASSERT_EQ(0, ioctl(s->ring, RAMCHAN_IOC_RING_LAYOUT, &s->layout));
	s->mq = create_mq(s->ctl, NULL, 64, 512);
	ASSERT_LE(0, s->mq);
	newest_dir(self->mq_dir, sizeof(self->mq_dir));
	s->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, s->efd);
	s->path = self->ring_dir;
	s->ring_dir = self->ring_dir;
	s->ring_id = strtoull(self->ring_dir + strlen(CHAN_DIR), NULL, 10);
	s->nl = &self->nl;
	s->events = &self->events;
	ASSERT_EQ(0, nl_open(s->nl));
	ASSERT_EQ(0, nl_open(s->events));
	ASSERT_EQ(0, nl_subscribe(s->events));

	self->memlock_room = memlock_room(s->ctl);
	self->msgqueue_room = msgqueue_room(s->ctl);
	ASSERT_LT(0, self->memlock_room);
	ASSERT_LT(0, self->msgqueue_room);
}

FIXTURE_TEARDOWN(failnth)
{
	struct ramchan_unlink u = { .name = (uintptr_t)NAME };

	if (self->s.nth_fd > 0)
		nth_disarm(self->s.nth_fd);
	if (self->nl.fd > 0)
		close(self->nl.fd);
	if (self->events.fd > 0)
		close(self->events.fd);
	if (self->s.ctl > 0)
		ioctl(self->s.ctl, RAMCHAN_IOC_UNLINK, &u);
}

/* Sweep @e, then check that every rlimit charge was given back. */
static void sweep_one(struct __test_metadata *_metadata,
		      FIXTURE_DATA(failnth) *self, const struct entry *e)
{
	ASSERT_LE(0, run_sweep(_metadata, &self->s, e));
	EXPECT_EQ(self->memlock_room, memlock_room(self->s.ctl));
	EXPECT_EQ(self->msgqueue_room, msgqueue_room(self->s.ctl));
}

#define SWEEP(_name, _prep, _call, _undo, _check)			\
	TEST_F_TIMEOUT(failnth, _name, 600)				\
	{								\
		const struct entry e = {				\
			.name = #_name, .prep = _prep, .call = _call,	\
			.undo = _undo, .check = _check,			\
		};							\
		sweep_one(_metadata, self, &e);				\
	}

SWEEP(info, NULL, call_info, NULL, NULL)
SWEEP(create_ring_anonymous, NULL, call_create_ring, close_fd, NULL)
SWEEP(create_ring_named, NULL, call_create_ring_named, close_and_unlink,
      named_iff_created)
SWEEP(create_mq_anonymous, NULL, call_create_mq, close_fd, NULL)
SWEEP(create_mq_named, NULL, call_create_mq_named, close_and_unlink,
      named_iff_created)
SWEEP(open_named, NULL, call_open_named, close_fd, NULL)
SWEEP(unlink, NULL, call_unlink, relink, unlinked_iff_ok)
SWEEP(ring_layout, NULL, call_layout, NULL, NULL)
SWEEP(ring_wait, prep_positions, call_wait, NULL, NULL)
SWEEP(ring_wake, NULL, call_wake, NULL, NULL)
SWEEP(ring_dup, NULL, call_ring_dup, close_fd, NULL)
SWEEP(mmap_info, NULL, call_map_info, unmap_region, NULL)
SWEEP(mmap_producer, NULL, call_map_producer, unmap_region, NULL)
SWEEP(mmap_consumer, NULL, call_map_consumer, unmap_region, NULL)
SWEEP(mmap_data, NULL, call_map_data, unmap_region, NULL)
SWEEP(ring_write, prep_positions, call_write, drain_ring,
      write_moved_head_iff_ok)
SWEEP(ring_read, prep_read, call_read, drain_ring, read_moved_tail_iff_ok)
SWEEP(ring_poll, NULL, call_poll_ring, NULL, NULL)
SWEEP(mq_send, prep_count, call_mq_send, drain_mq, sent_iff_ok)
SWEEP(mq_send_large, prep_count, call_mq_send_big, drain_mq, sent_iff_ok)
SWEEP(mq_recv, prep_recv, call_mq_recv, drain_mq, received_iff_ok)
SWEEP(mq_send_batch, prep_count, call_mq_send_batch, drain_mq,
      batch_sent_what_it_says)
SWEEP(mq_recv_batch, prep_recv_batch, call_mq_recv_batch, drain_mq,
      batch_received_what_it_says)
SWEEP(mq_getattr, NULL, call_mq_getattr, NULL, NULL)
SWEEP(mq_setattr, NULL, call_mq_setattr, NULL, NULL)
SWEEP(mq_notify, NULL, call_mq_notify, notify_clear, registered_iff_ok)
SWEEP(mq_dup, NULL, call_mq_dup, close_fd, NULL)
SWEEP(mq_poll, NULL, call_poll_mq, NULL, NULL)

#define SWEEP_NL(_name, _call, _undo)					\
	TEST_F_TIMEOUT(failnth, _name, 600)				\
	{								\
		const struct entry e = {				\
			.name = #_name, .netlink = true,		\
			.call = _call, .undo = _undo,			\
		};							\
		sweep_one(_metadata, self, &e);				\
	}

SWEEP_NL(nl_channel_get, call_nl_channel_get, NULL)
SWEEP_NL(nl_channel_dump, call_nl_channel_dump, NULL)
SWEEP_NL(nl_stats_get, call_nl_stats_get, NULL)
SWEEP(create_mq_listened, NULL, call_create_mq_listened,
      close_and_drain_events, NULL)

/* Every file of a sysfs directory, swept one by one. */
static void sweep_dir(struct __test_metadata *_metadata,
		      FIXTURE_DATA(failnth) *self, const char *dir)
{
	char path[512];
	struct dirent *e;
	struct stat st;
	int files = 0;
	DIR *d;

	d = opendir(dir);
	ASSERT_NE(NULL, d);
	while ((e = readdir(d))) {
		const struct entry ent = {
			.name = e->d_name, .call = call_sysfs_read,
		};

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(path, &st) ||
		    !S_ISREG(st.st_mode) || !(st.st_mode & 0444))
			continue;
		self->s.path = path;
		ASSERT_LE(0, run_sweep(_metadata, &self->s, &ent));
		files++;
	}
	closedir(d);
	self->s.path = self->ring_dir;
	EXPECT_LT(0, files);
	EXPECT_EQ(self->memlock_room, memlock_room(self->s.ctl));
	EXPECT_EQ(self->msgqueue_room, msgqueue_room(self->s.ctl));
}

TEST_F_TIMEOUT(failnth, sysfs_global_files, 600)
{
	sweep_dir(_metadata, self, SYSFS_DIR);
}

TEST_F_TIMEOUT(failnth, sysfs_ring_files, 600)
{
	sweep_dir(_metadata, self, self->ring_dir);
}

TEST_F_TIMEOUT(failnth, sysfs_mq_files, 600)
{
	sweep_dir(_metadata, self, self->mq_dir);
}

/*
 * open() of /dev/ramchan, as root (the node is root's in the guest): it
 * charges nothing, so the fixture's unprivileged user is not needed.
 */
TEST(open_dev)
{
	struct sweep s = { .path = "" };
	const struct entry e = {
		.name = "open_dev", .call = call_open_dev, .undo = close_fd,
	};

	if (!fault_injection_available())
		SKIP(return, "no fail-nth or fault injection debugfs (a debug kernel has them)");
	ASSERT_EQ(0, setup_fault_injection());
	s.nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, s.nth_fd);
	ASSERT_LE(0, run_sweep(_metadata, &s, &e));
}

TEST_HARNESS_MAIN
