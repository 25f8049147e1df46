// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench: move messages between two processes through RAM with
 * every mechanism, the same workloads for all, and compare.
 *
 *   pingpong  A sends a message, B echoes it: round-trip latency
 *             percentiles over many iterations, after a warm-up; with
 *             --rate, open loop: A sends on a fixed schedule and each
 *             round trip counts from its intended send time, so a stall
 *             shows in every message it delays (no coordinated omission)
 *   stream    A sends N messages, B receives and acknowledges the last:
 *             one-way messages/s and bytes/s
 *
 * Every received message is verified (length, sequence number, checksum).
 * A is pinned to one CPU and B to another (--same-core: both on one).
 * Latencies go into a log-linear histogram (HdrHistogram-style: 64
 * sub-buckets per power of two, 1.6% resolution). System calls per
 * message are counted, with --syscalls, by raw_syscalls:sys_enter perf
 * counters in a pass of short runs after the timed ones (see count_pass()),
 * so the timed runs go without the tracepoint.
 * Only ratios between mechanisms measured in the same run mean much,
 * especially under emulation.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* The size sweep of --sizes sweep: 8 B to 1 MiB. */
static const size_t sweep[] = {
	8, 64, 512, 4096, 32768, 65536, 262144, 1048576,
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- message stamping and verification ------------------------------ */

/* First 8 bytes: sequence (32 bits) and length; then a checksummed body. */
static void stamp(uint8_t *buf, size_t len, uint32_t seq)
{
	uint32_t hdr[2] = { seq, (uint32_t)len };
	uint64_t sum = 0;
	size_t i;

	memcpy(buf, hdr, len < 8 ? len : 8);
	if (len >= 16) {
		for (i = 16; i + 8 <= len; i += 8) {
			uint64_t w = seq * 0x9e3779b97f4a7c15ULL + i;

			memcpy(buf + i, &w, 8);
			sum += w;
		}
		memcpy(buf + 8, &sum, 8);
	}
}

static bool verify(const uint8_t *buf, long got, size_t len, uint32_t seq)
{
	uint32_t hdr[2];
	uint64_t sum = 0, want, w;
	size_t i;

	if (got != (long)len)
		return false;
	memcpy(hdr, buf, len < 8 ? len : 8);
	if (len >= 8 && (hdr[0] != seq || hdr[1] != len))
		return false;
	if (len >= 16) {
		for (i = 16; i + 8 <= len; i += 8) {
			memcpy(&w, buf + i, 8);
			sum += w;
		}
		memcpy(&want, buf + 8, 8);
		return sum == want;
	}
	return true;
}

/* Marks the last message of a run (its sequence number). */
#define SEQ_STOP	0xffffffffu

static uint32_t seq_of(const uint8_t *buf)
{
	uint32_t seq;

	memcpy(&seq, buf, sizeof(seq));
	return seq;
}

/*
 * Send message @seq (or the STOP mark): built in place where the transport
 * can reserve room in its buffer, else built in @buf and sent.
 */
static int xsend(struct xport *x, uint8_t *buf, size_t size, uint32_t seq)
{
	void *data;
	int ret;

	if (x->t->reserve) {
		ret = x->t->reserve(x, size, &data);
		if (ret)
			return ret;
		stamp(data, size, seq);
		return x->t->commit(x);
	}
	stamp(buf, size, seq);
	return x->t->send(x, buf, size);
}

/*
 * Receive the next message and verify it is message @seq: 0 when it is,
 * 1 when it is the STOP mark, -EPROTO when it is not intact, or the
 * transport's -errno. With @echo, send it back as it is. Read in place
 * where the transport can, else copied into @buf.
 */
static int xrecv(struct xport *x, uint8_t *buf, size_t size, uint32_t seq,
		 bool echo)
{
	const uint8_t *data = buf;
	void *out;
	int ret = 0;
	long n;

	if (x->t->peek)
		n = x->t->peek(x, (const void **)&data);
	else
		n = x->t->recv(x, buf, size);
	if (n < 0)
		return n;
	if (n == (long)size && seq_of(data) == SEQ_STOP)
		ret = 1;
	else if (!verify(data, n, size, seq))
		ret = -EPROTO;
	if (!ret && echo) {
		int err;

		if (x->t->reserve) {
			err = x->t->reserve(x, size, &out);
			if (!err) {
				memcpy(out, data, size);
				err = x->t->commit(x);
			}
		} else {
			err = x->t->send(x, data, size);
		}
		if (err)
			ret = err;
	}
	if (x->t->peek)
		x->t->release(x);
	return ret;
}

/* ---- latency histogram ------------------------------------------------ */

#define HIST_SUB_BITS	6
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_LINEAR	(2 * HIST_SUB)		/* exact below this */
#define HIST_BUCKETS	(HIST_LINEAR + (63 - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t count[HIST_BUCKETS];
	uint64_t total, max;
	double sum;
};

static unsigned int hist_index(uint64_t v)
{
	unsigned int e, shift;

	if (v < HIST_LINEAR)
		return v;
	e = 63 - __builtin_clzll(v);		/* >= HIST_SUB_BITS + 1 */
	shift = e - HIST_SUB_BITS;
	return HIST_LINEAR + (e - HIST_SUB_BITS - 1) * HIST_SUB +
	       (unsigned int)((v >> shift) - HIST_SUB);
}

/* The middle of bucket @i. */
static uint64_t hist_value(unsigned int i)
{
	unsigned int k, shift;

	if (i < HIST_LINEAR)
		return i;
	k = i - HIST_LINEAR;
	shift = k / HIST_SUB + 1;
	return ((uint64_t)(HIST_SUB + k % HIST_SUB) << shift) +
	       (1ULL << (shift - 1));
}

static void hist_add(struct hist *h, uint64_t v)
{
	h->count[hist_index(v)]++;
	h->total++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

static double hist_pct(const struct hist *h, double p)
{
	uint64_t rank = (uint64_t)(p * h->total + 0.999999), seen = 0;
	unsigned int i;

	if (!rank)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen >= rank)
			return hist_value(i) < h->max ? hist_value(i) : h->max;
	}
	return h->max;
}

/* ---- counters --------------------------------------------------------- */

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static long csw_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

/*
 * A counter of this process's system calls: the raw_syscalls:sys_enter
 * tracepoint through perf. -1 where tracefs or perf is not available
 * (then "syscalls per message" is reported as unknown).
 */
static bool want_syscalls;	/* --syscalls */
static bool count_syscalls;	/* now: the counting pass */

static int syscall_counter_open(void)
{
	static const char *const ids[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
	};
	unsigned int i;
	FILE *f;

	if (!count_syscalls)
		return -1;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		f = fopen(ids[i], "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", (unsigned long long *)&attr.config) != 1)
			attr.config = 0;
		fclose(f);
		if (attr.config)
			return syscall(__NR_perf_event_open, &attr, 0, -1, -1,
				       PERF_FLAG_FD_CLOEXEC);
	}
	return -1;
}

/*
 * Count syscalls until the counter is read: the read itself is one, the
 * close after it is not counted, so one is taken off.
 */
static int64_t syscall_counter_close(int fd)
{
	uint64_t v;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, &v, sizeof(v));
	close(fd);
	return n == sizeof(v) ? (int64_t)v - 1 : -1;
}

/* What side B measured about itself, in a page shared with A. */
struct b_stats {
	int64_t syscalls;		/* over sc_msgs messages; < 0: none */
	uint64_t sc_msgs;
	int64_t csw;			/* over csw_msgs messages */
	uint64_t csw_msgs;
};

/*
 * Side B: echo (pingpong) or drain and acknowledge (stream), until STOP.
 * The first @warm messages are the warm-up: syscalls are counted there,
 * context switches after it.
 */
static int run_b(struct xport *x, enum workload wl, size_t size, uint8_t *buf,
		 uint64_t warm, struct b_stats *st)
{
	int sc_fd = syscall_counter_open();
	long csw0 = csw_self();
	uint64_t i;
	int ret;

	st->syscalls = -1;
	for (i = 0;; i++) {
		if (i == warm) {
			st->syscalls = syscall_counter_close(sc_fd);
			st->sc_msgs = warm;
			sc_fd = -1;
			csw0 = csw_self();
		}
		ret = xrecv(x, buf, size, (uint32_t)i, wl == WL_PINGPONG);
		if (ret == 1)
			break;
		if (ret)
			return ret == -EPROTO ? 3 : 4;
	}
	st->csw = csw_self() - csw0;
	st->csw_msgs = i > warm ? i - warm : 0;
	if (sc_fd >= 0) {
		/* Stopped within the warm-up. */
		st->syscalls = syscall_counter_close(sc_fd);
		st->sc_msgs = i;
	}
	if (wl == WL_STREAM && xsend(x, buf, size, SEQ_STOP))
		return 4;
	return 0;
}

/* Sleep until @when (CLOCK_MONOTONIC ns), spinning the last 20 us. */
static void wait_until(uint64_t when)
{
	uint64_t now = now_ns();
	struct timespec ts;

	if (when > now + 20000) {
		when -= 20000;
		ts.tv_sec = when / 1000000000ULL;
		ts.tv_nsec = when % 1000000000ULL;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		when += 20000;
	}
	while (now_ns() < when)
		__builtin_ia32_pause();
}

/* One run of one measurement: accumulates into @h, fills @run. */
static void measure_once(const struct opts *o, const struct transport *t,
			 enum workload wl, size_t size, struct result *run,
			 struct hist *h, struct b_stats *bst)
{
	struct xport x = { .t = t, .max_msg = size };
	uint64_t warm, count, i, t0 = 0, start, sent = 0;
	int64_t a_sc = -1;
	uint64_t a_sc_msgs = 0;
	long csw0 = 0;
	int status, sc_fd;
	uint8_t *buf;
	pid_t pid;

	if (wl == WL_PINGPONG) {
		count = o->iters;
		warm = count / 10 + 10;
	} else {
		count = o->stream_bytes / size;
		if (count < 100)
			count = 100;
		warm = count / 20;
	}
	buf = aligned_alloc(64, size < 64 ? 64 : (size + 63) & ~63UL);
	if (!buf) {
		run->status = -ENOMEM;
		return;
	}
	run->status = t->setup(&x, run->why, sizeof(run->why));
	if (run->status) {
		if (!run->why[0])
			snprintf(run->why, sizeof(run->why), "setup: %s",
				 strerror(-run->status));
		free(buf);
		return;
	}

	memset(bst, 0, sizeof(*bst));
	pid = fork();
	if (pid < 0) {
		run->status = -errno;
		snprintf(run->why, sizeof(run->why), "fork: %m");
		goto out_teardown;
	}
	if (pid == 0) {
		x.side = SIDE_B;
		pin(o->cpu_b);
		if (t->attach(&x))
			_exit(2);
		status = run_b(&x, wl, size, buf, warm, bst);
		t->detach(&x);
		_exit(status);
	}
	x.side = SIDE_A;
	pin(o->cpu_a);
	run->status = t->attach(&x);
	if (run->status) {
		snprintf(run->why, sizeof(run->why), "attach: %s",
			 strerror(-run->status));
		goto out;
	}
	if (t->ram)
		run->ram_bytes = t->ram(&x);

	sc_fd = syscall_counter_open();
	start = now_ns();
	for (i = 0; i < warm + count; i++) {
		/* Warm up for a tenth of the iterations or a quarter of the time. */
		if (i < warm && now_ns() - start > o->max_ns / 4)
			warm = i;
		if (i == warm) {
			a_sc = syscall_counter_close(sc_fd);
			a_sc_msgs = warm;
			sc_fd = -1;
			csw0 = csw_self();
			t0 = now_ns();
		}
		if (wl == WL_PINGPONG) {
			uint64_t s;

			if (o->rate > 0 && i >= warm) {
				s = t0 + (uint64_t)((i - warm) * 1e9 / o->rate);
				wait_until(s);
			} else {
				s = now_ns();
			}
			if (xsend(&x, buf, size, (uint32_t)i) ||
			    xrecv(&x, buf, size, (uint32_t)i, false))
				goto broken;
			if (i >= warm) {
				uint64_t end = now_ns();

				hist_add(h, end - s);
				if (end - t0 > o->max_ns) {
					count = i - warm + 1;
					break;
				}
			}
		} else {
			if (xsend(&x, buf, size, (uint32_t)i))
				goto broken;
			if (!(i & 63) && i > warm && now_ns() - t0 > o->max_ns) {
				count = i - warm + 1;
				break;
			}
		}
		sent++;
	}
	if (xsend(&x, buf, size, SEQ_STOP))
		goto broken;
	if (wl == WL_STREAM && xrecv(&x, buf, size, SEQ_STOP, false) != 1)
		goto broken;
	run->secs = (now_ns() - t0) / 1e9;
	csw0 = csw_self() - csw0;
	t->detach(&x);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		run->status = -EPROTO;
		snprintf(run->why, sizeof(run->why),
			 "receiver failed verification (status %#x)", status);
		goto out_teardown;
	}
	run->msgs = count;
	run->msgs_per_s = count / run->secs;
	run->csw_per_msg = (double)csw0 / count;
	if (bst->csw_msgs)
		run->csw_per_msg += (double)bst->csw / bst->csw_msgs;
	run->syscalls_per_msg = -1;
	if (a_sc >= 0 && a_sc_msgs && bst->syscalls >= 0 && bst->sc_msgs)
		run->syscalls_per_msg = (double)a_sc / a_sc_msgs +
					(double)bst->syscalls / bst->sc_msgs;
	goto out_teardown;

broken:
	run->status = -EPROTO;
	snprintf(run->why, sizeof(run->why),
		 "lost or corrupt message at %llu", (unsigned long long)sent);
	t->detach(&x);
out:
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
out_teardown:
	t->teardown(&x);
	free(buf);
}

static void measure(const struct opts *o, const struct transport *t,
		    enum workload wl, size_t size, struct result *res)
{
	struct xport probe = { .t = t, .max_msg = size };
	struct b_stats *bst;
	double csw = 0, sc = 0;
	unsigned int r, sc_runs = 0;
	struct hist *h;

	memset(res, 0, sizeof(*res));
	res->t = t;
	snprintf(res->name, sizeof(res->name), "%s", t->name);
	res->wl = wl;
	res->size = size;
	res->copies = t->copies;
	res->syscalls_per_msg = -1;
	if (t->max_msg && t->max_msg(&probe) && size > t->max_msg(&probe)) {
		res->status = -EMSGSIZE;
		snprintf(res->why, sizeof(res->why),
			 "unsupported: largest message is %zu bytes",
			 t->max_msg(&probe));
		return;
	}
	h = calloc(1, sizeof(*h));
	bst = mmap(NULL, sizeof(*bst), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!h || bst == MAP_FAILED) {
		res->status = -ENOMEM;
		snprintf(res->why, sizeof(res->why), "out of memory");
		free(h);
		return;
	}
	for (r = 0; r < o->runs; r++) {
		struct result run = { .status = 0 };

		measure_once(o, t, wl, size, &run, h, bst);
		if (run.status) {
			res->status = run.status;
			memcpy(res->why, run.why, sizeof(res->why));
			break;
		}
		res->runs++;
		res->msgs += run.msgs;
		res->secs += run.secs;
		if (!r || run.msgs_per_s < res->mps_min)
			res->mps_min = run.msgs_per_s;
		if (run.msgs_per_s > res->mps_max)
			res->mps_max = run.msgs_per_s;
		csw += run.csw_per_msg;
		if (run.syscalls_per_msg >= 0) {
			sc += run.syscalls_per_msg;
			sc_runs++;
		}
		if (run.ram_bytes > res->ram_bytes)
			res->ram_bytes = run.ram_bytes;
	}
	if (!res->status && res->runs) {
		res->msgs_per_s = res->msgs / res->secs;
		res->bytes_per_s = res->msgs_per_s * size;
		res->csw_per_msg = csw / res->runs;
		if (sc_runs)
			res->syscalls_per_msg = sc / sc_runs;
		if (wl == WL_PINGPONG && h->total) {
			res->mean = h->sum / h->total;
			res->p50 = hist_pct(h, 0.50);
			res->p90 = hist_pct(h, 0.90);
			res->p99 = hist_pct(h, 0.99);
			res->p999 = hist_pct(h, 0.999);
			res->p9999 = hist_pct(h, 0.9999);
			res->max = h->max;
		}
	}
	munmap(bst, sizeof(*bst));
	free(h);
}

static const struct transport transport_memcpy = {
	.name = "memcpy",
	.desc = "memcpy in one process, stream only (the ceiling)",
	.copies = 1,
};

static void memcpy_baseline(const struct opts *o, size_t size,
			    struct result *res)
{
	size_t region = 64 << 20, off = 0;
	uint64_t count = o->stream_bytes / size, i, t0;
	unsigned int r;
	uint8_t *src, *dst;

	if (count < 100)
		count = 100;
	memset(res, 0, sizeof(*res));
	res->t = &transport_memcpy;
	snprintf(res->name, sizeof(res->name), "memcpy");
	res->wl = WL_STREAM;
	res->size = size;
	res->copies = 1;
	res->syscalls_per_msg = 0;
	if (region < 4 * size)
		region = 4 * size;
	src = aligned_alloc(64, (size + 63) & ~63UL);
	dst = aligned_alloc(64, region);
	if (!src || !dst) {
		res->status = -ENOMEM;
		snprintf(res->why, sizeof(res->why), "out of memory");
		goto out;
	}
	memset(src, 1, size);
	memset(dst, 0, region);
	pin(o->cpu_a);
	for (r = 0; r < o->runs; r++) {
		double mps;

		t0 = now_ns();
		for (i = 0; i < count; i++) {
			if (off + size > region)
				off = 0;
			memcpy(dst + off, src, size);
			__asm__ __volatile__("" ::: "memory");
			off += (size + 63) & ~63UL;
			if (!(i & 63) && now_ns() - t0 > o->max_ns) {
				i++;
				break;
			}
		}
		t0 = now_ns() - t0;
		mps = i / (t0 / 1e9);
		if (!r || mps < res->mps_min)
			res->mps_min = mps;
		if (mps > res->mps_max)
			res->mps_max = mps;
		res->msgs += i;
		res->secs += t0 / 1e9;
		res->runs++;
	}
	res->msgs_per_s = res->msgs / res->secs;
	res->bytes_per_s = res->msgs_per_s * size;
	res->ram_bytes = region;
out:
	free(src);
	free(dst);
}

/* ---- command line -------------------------------------------------------- */

static void list_mechanisms(FILE *f, const char *indent)
{
	unsigned int i;

	for (i = 0; i < nr_transports; i++)
		fprintf(f, "%s%-22s %s\n", indent, transports[i]->name,
			transports[i]->desc);
	fprintf(f, "%s%-22s %s\n", indent, transport_memcpy.name,
		transport_memcpy.desc);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ramchan-bench [options]\n"
		"       ramchan-bench --plot DIR --from RESULTS.csv\n\n"
		"Compare ways of moving messages between two processes: the\n"
		"same workloads over every mechanism, every message verified.\n\n"
		"  -m, --mechanisms LIST  comma-separated (default: all; see --list)\n"
		"  -w, --workload W       pingpong, stream or all (default all)\n"
		"  -s, --sizes LIST       message sizes in bytes, k/M suffixes, or\n"
		"                         'sweep' for 8,64,512,4k,32k,64k,256k,1M\n"
		"                         (default 64,65536)\n"
		"  -n, --iters N          pingpong round trips per run (default 20000)\n"
		"  -b, --stream-bytes N   bytes per stream run (default 256M)\n"
		"  -t, --seconds S        stop a run after S seconds (default 2)\n"
		"  -r, --runs N           repeat each measurement N times (default 1)\n"
		"  -R, --rate N           open loop: N round trips/s on a fixed\n"
		"                         schedule, latency from the intended send\n"
		"      --same-core        both processes on CPU 0\n"
		"      --syscalls         count system calls per message (perf,\n"
		"                         raw_syscalls tracepoint, during warm-up)\n"
		"  -j, --json             JSON on stdout (progress on stderr)\n"
		"  -c, --csv              CSV on stdout\n"
		"  -p, --plot DIR         write gnuplot plots (SVG and PNG) to DIR\n"
		"  -S, --save DIR         also write DIR/bench.json and DIR/bench.csv\n"
		"  -f, --from FILE        with --plot: plot an earlier --csv output\n"
		"  -q, --quiet            no progress\n"
		"  -l, --list             list the mechanisms\n"
		"  -h, --help             this text\n\n"
		"Mechanisms that need /dev/ramchan are skipped, with the reason,\n"
		"when the module is not loaded; a size a mechanism cannot carry\n"
		"is reported as unsupported.\n\n"
		"mechanisms:\n");
	list_mechanisms(f, "  ");
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (end == s)
		return 0;
	if (*end == 'k' || *end == 'K')
		v <<= 10;
	else if (*end == 'm' || *end == 'M')
		v <<= 20;
	else if (*end == 'g' || *end == 'G')
		v <<= 30;
	else if (*end)
		return 0;
	return *end && end[1] ? 0 : v;
}

static bool wanted(const struct opts *o, const char *name)
{
	const char *p = o->mechanisms;
	size_t len = strlen(name);

	if (!p)
		return true;
	while (*p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return false;
}

static int check_mechanisms(const char *list)
{
	char *dup = strdup(list), *tok, *save;
	unsigned int i;
	bool known;

	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		known = !strcmp(tok, transport_memcpy.name);
		for (i = 0; i < nr_transports && !known; i++)
			known = !strcmp(tok, transports[i]->name);
		if (!known) {
			fprintf(stderr, "ramchan-bench: unknown mechanism '%s' (see --list)\n",
				tok);
			free(dup);
			return -1;
		}
	}
	free(dup);
	return 0;
}

static int parse_sizes(struct opts *o, char *arg)
{
	char *tok, *save;
	uint64_t v;
	size_t i;

	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "sweep")) {
			for (i = 0; i < sizeof(sweep) / sizeof(sweep[0]); i++) {
				if (o->nr_sizes == MAX_SIZES)
					goto bad;
				o->sizes[o->nr_sizes++] = sweep[i];
			}
			continue;
		}
		v = parse_size(tok);
		if (v < 8 || v > (64 << 20) || o->nr_sizes == MAX_SIZES)
			goto bad;
		o->sizes[o->nr_sizes++] = v;
		continue;
bad:
		fprintf(stderr, "ramchan-bench: bad size '%s' (8 to 64M, at most %d sizes)\n",
			tok, MAX_SIZES);
		return -1;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "mechanisms", required_argument, NULL, 'm' },
		{ "workload", required_argument, NULL, 'w' },
		{ "sizes", required_argument, NULL, 's' },
		{ "iters", required_argument, NULL, 'n' },
		{ "stream-bytes", required_argument, NULL, 'b' },
		{ "seconds", required_argument, NULL, 't' },
		{ "runs", required_argument, NULL, 'r' },
		{ "rate", required_argument, NULL, 'R' },
		{ "same-core", no_argument, NULL, 'C' },
		{ "syscalls", no_argument, NULL, 'Y' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "plot", required_argument, NULL, 'p' },
		{ "save", required_argument, NULL, 'S' },
		{ "from", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "m:w:s:n:b:t:r:R:jcp:S:f:qlh",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (check_mechanisms(optarg))
				return 2;
			o->mechanisms = optarg;
			break;
		case 'w':
			if (!strcmp(optarg, "pingpong")) {
				o->workloads = 1u << WL_PINGPONG;
			} else if (!strcmp(optarg, "stream")) {
				o->workloads = 1u << WL_STREAM;
			} else if (!strcmp(optarg, "all")) {
				o->workloads = 3;
			} else {
				fprintf(stderr, "ramchan-bench: unknown workload '%s': pingpong, stream or all\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			if (parse_sizes(o, optarg))
				return 2;
			break;
		case 'n':
			o->iters = parse_size(optarg);
			if (!o->iters) {
				fprintf(stderr, "ramchan-bench: bad --iters '%s'\n", optarg);
				return 2;
			}
			break;
		case 'b':
			o->stream_bytes = parse_size(optarg);
			if (!o->stream_bytes) {
				fprintf(stderr, "ramchan-bench: bad --stream-bytes '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			o->max_ns = strtod(optarg, &end) * 1e9;
			if (*end || o->max_ns < 1000000) {
				fprintf(stderr, "ramchan-bench: bad --seconds '%s' (at least 0.001)\n",
					optarg);
				return 2;
			}
			break;
		case 'r':
			o->runs = strtoul(optarg, &end, 10);
			if (*end || !o->runs || o->runs > 100) {
				fprintf(stderr, "ramchan-bench: bad --runs '%s' (1 to 100)\n",
					optarg);
				return 2;
			}
			break;
		case 'R':
			o->rate = strtod(optarg, &end);
			if (*end || o->rate < 1 || o->rate > 1e8) {
				fprintf(stderr, "ramchan-bench: bad --rate '%s' (1 to 1e8 round trips/s)\n",
					optarg);
				return 2;
			}
			break;
		case 'C':
			o->cpu_b = 0;
			break;
		case 'Y':
			want_syscalls = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'c':
			o->csv = true;
			break;
		case 'p':
			o->plot_dir = optarg;
			break;
		case 'S':
			o->save_dir = optarg;
			break;
		case 'f':
			o->from = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'l':
			list_mechanisms(stdout, "");
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ramchan-bench: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return 2;
	}
	if (o->json && o->csv) {
		fprintf(stderr, "ramchan-bench: --json or --csv, not both\n");
		return 2;
	}
	if (o->from && !o->plot_dir) {
		fprintf(stderr, "ramchan-bench: --from needs --plot DIR\n");
		return 2;
	}
	return 0;
}

static int save(const char *dir, const struct env *e, const struct result *r,
		unsigned int n)
{
	FILE *f;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "ramchan-bench: mkdir %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	f = create_in(dir, "bench.json");
	if (!f)
		return -1;
	print_json(f, e, r, n);
	if (fclose(f))
		return -1;
	f = create_in(dir, "bench.csv");
	if (!f)
		return -1;
	print_csv(f, e, r, n);
	return fclose(f) ? -1 : 0;
}

static void progress(const struct opts *o, unsigned int done,
		     unsigned int total, const char *name, enum workload w,
		     size_t size, const char *what)
{
	if (o->quiet || (!what[0] && !isatty(2)))
		return;
	fprintf(stderr, "[%u/%u] %-22s %-8s %8zu B %s\033[K%s", done, total,
		name, wl_name(w), size, what, what[0] ? "\n" : "\r");
}

/*
 * System calls per message, in a pass of its own after the timed ones:
 * a short run of each measurement with the counters on. A counter held
 * open for the whole pass keeps the tracepoint and perf's scheduler hooks
 * registered, so the kernel patches its text (static keys) twice in all
 * instead of twice per counter: under QEMU TCG, code patched while the
 * other vCPU runs it crashed a 6.12 guest (int3 in finish_task_switch)
 * and soft-locked a 6.1 one.
 */
static void count_pass(const struct opts *o, struct result *res,
		       unsigned int n)
{
	struct opts short_run = *o;
	unsigned int i;
	int keeper;

	count_syscalls = true;
	keeper = syscall_counter_open();
	if (keeper < 0) {
		count_syscalls = false;
		if (!o->quiet)
			fprintf(stderr, "ramchan-bench: --syscalls: no raw_syscalls tracepoint or perf here\n");
		return;
	}
	short_run.runs = 1;
	short_run.rate = 0;
	short_run.max_ns = 200000000ULL;
	short_run.iters = o->iters < 2000 ? o->iters : 2000;
	for (i = 0; i < n; i++) {
		struct result r;

		if (res[i].status || !res[i].t || res[i].t == &transport_memcpy)
			continue;
		/* The warm-up is what is counted: a tenth of the round trips. */
		short_run.stream_bytes = 20 * 2000 * (uint64_t)res[i].size;
		progress(o, i + 1, n, res[i].t->name, res[i].wl, res[i].size,
			 "");
		measure(&short_run, res[i].t, res[i].wl, res[i].size, &r);
		res[i].syscalls_per_msg = r.status ? -1 : r.syscalls_per_msg;
		progress(o, i + 1, n, res[i].t->name, res[i].wl, res[i].size,
			 r.status ? r.why : "syscalls counted");
	}
	close(keeper);
	count_syscalls = false;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.workloads = 3, .iters = 20000, .stream_bytes = 256 << 20,
		.cpu_a = 0, .cpu_b = 1, .max_ns = 2000000000ULL, .runs = 1,
	};
	unsigned int i, s, w, n = 0, total = 0;
	struct result *res;
	struct env env;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	if (o.from) {
		if (read_csv(o.from, &env, &res, &n))
			return 1;
		ret = make_plots(o.plot_dir, &env, res, n);
		free(res);
		return ret ? 1 : 0;
	}
	if (!o.nr_sizes) {
		o.sizes[o.nr_sizes++] = 64;
		o.sizes[o.nr_sizes++] = 65536;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		o.cpu_b = 0;
	get_env(&o, &env);

	for (w = 0; w < NR_WORKLOADS; w++)
		for (i = 0; i <= nr_transports; i++)
			if ((o.workloads & (1u << w)) &&
			    (i < nr_transports ? wanted(&o, transports[i]->name) :
			     w == WL_STREAM && wanted(&o, "memcpy")))
				total += o.nr_sizes;
	res = calloc(total ? total : 1, sizeof(*res));
	if (!res)
		return 1;

	/* By workload, then size, so that a table groups what compares. */
	for (w = 0; w < NR_WORKLOADS; w++) {
		if (!(o.workloads & (1u << w)))
			continue;
		for (s = 0; s < o.nr_sizes; s++) {
			for (i = 0; i <= nr_transports; i++) {
				const struct transport *t = i < nr_transports ?
					transports[i] : &transport_memcpy;
				struct result *r = &res[n];

				if (!wanted(&o, t->name) ||
				    (t == &transport_memcpy && w != WL_STREAM))
					continue;
				progress(&o, n + 1, total, t->name, w,
					 o.sizes[s], "");
				if (t == &transport_memcpy)
					memcpy_baseline(&o, o.sizes[s], r);
				else
					measure(&o, t, w, o.sizes[s], r);
				n++;
				progress(&o, n, total, t->name, w, o.sizes[s],
					 r->status ? r->why : "ok");
			}
		}
	}

	if (want_syscalls)
		count_pass(&o, res, n);
	if (o.json)
		print_json(stdout, &env, res, n);
	else if (o.csv)
		print_csv(stdout, &env, res, n);
	else
		print_table(stdout, res, n);
	ret = o.save_dir ? save(o.save_dir, &env, res, n) : 0;
	if (!ret && o.plot_dir)
		ret = make_plots(o.plot_dir, &env, res, n);
	free(res);
	return ret ? 1 : 0;
}
