// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench measurement: one mechanism, one workload, one message size.
 *
 * measure() repeats measure_once() o->runs times and folds the runs into
 * one result. A run sets the pair up, forks side B (which echoes, or
 * drains and acknowledges), runs side A's warm-up and timed messages,
 * stops B with the STOP mark, and makes the result of both sides' counts:
 *
 *   measure_once
 *     setup_pair -> fork_side_b (child: side_b) -> attach_side_a
 *     timed_part (round_trip or stream_one per message) -> stop_side_b
 *     finish_run, or lost_message when a message was lost or corrupt
 *
 * memcpy_baseline() measures the ceiling, memcpy in one process.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "counters.h"
#include "hist.h"
#include "measure.h"
#include "message.h"
#include "timing.h"

/* One run of one measurement, as side A (and, after the fork, B) sees it. */
struct run {
	const struct opts *o;
	struct xport x;
	enum workload wl;
	size_t size;
	uint8_t *buf;		/* one message, cache-line aligned */
	struct plan plan;	/* warm-up and timed messages */
	uint64_t sent;		/* messages sent before the STOP mark */
	uint64_t t0;		/* start of the timed part */
	struct side_counts a;	/* side A's counts */
	struct side_counts *b;	/* side B's, in a page shared with A */
	pid_t pid;		/* side B */
};

/* @n rounded up to whole cache lines. */
static size_t cache_lines(size_t n)
{
	return (n + 63) & ~63UL;
}

/* ---- side B ------------------------------------------------------------- */

/*
 * Side B: echo (pingpong) or drain and acknowledge (stream), until STOP.
 * Its exit status: 0, 3 when a message was not intact, 4 when the
 * transport failed.
 */
static int side_b(struct run *run)
{
	struct side_counts *c = run->b;
	uint64_t i;
	int ret;

	counts_begin(c, run->o->counting);
	/*
	 * A getrusage() B has always made here, so counted in its warm-up's
	 * system calls (+1 per warm-up: pipe's 4.005 per round trip, not
	 * 4.000). Its value is unused; it stays so that --syscalls results
	 * compare with earlier ones.
	 */
	csw_self();
	for (i = 0;; i++) {
		if (i == run->plan.warm)
			counts_warmed(c, i);
		ret = xrecv(&run->x, run->buf, run->size, (uint32_t)i,
			    run->wl == WL_PINGPONG);
		if (ret == 1)
			break;
		if (ret)
			return ret == -EPROTO ? 3 : 4;
	}
	counts_end(c, i, run->plan.warm);
	if (run->wl == WL_STREAM &&
	    xsend(&run->x, run->buf, run->size, SEQ_STOP))
		return 4;
	return 0;
}

/* ---- side A: the pair --------------------------------------------------- */

/* The message buffer and the transport's objects; 0 or out->status. */
static int setup_pair(struct run *run, struct result *out)
{
	run->buf = aligned_alloc(64, cache_lines(run->size));
	if (!run->buf) {
		out->status = -ENOMEM;
		return out->status;
	}
	out->status = run->x.t->setup(&run->x, out->why, sizeof(out->why));
	if (out->status) {
		if (!out->why[0])
			snprintf(out->why, sizeof(out->why), "setup: %s",
				 strerror(-out->status));
		free(run->buf);
		return out->status;
	}
	return 0;
}

/* Fork side B, which attaches its end and runs side_b(); 0 or out->status. */
static int fork_side_b(struct run *run, struct result *out)
{
	int status;

	memset(run->b, 0, sizeof(*run->b));
	run->pid = fork();
	if (run->pid < 0) {
		out->status = -errno;
		snprintf(out->why, sizeof(out->why), "fork: %m");
		return out->status;
	}
	if (run->pid == 0) {
		run->x.side = SIDE_B;
		pin(run->o->cpu_b);
		if (run->x.t->attach(&run->x))
			_exit(2);
		status = side_b(run);
		run->x.t->detach(&run->x);
		_exit(status);
	}
	return 0;
}

/* Attach side A's end and ask the RAM it holds; 0 or out->status. */
static int attach_side_a(struct run *run, struct result *out)
{
	run->x.side = SIDE_A;
	pin(run->o->cpu_a);
	out->status = run->x.t->attach(&run->x);
	if (out->status) {
		snprintf(out->why, sizeof(out->why), "attach: %s",
			 strerror(-out->status));
		return out->status;
	}
	if (run->x.t->ram)
		out->ram_bytes = run->x.t->ram(&run->x);
	return 0;
}

static void kill_side_b(struct run *run)
{
	int status;

	kill(run->pid, SIGKILL);
	waitpid(run->pid, &status, 0);
}

/* ---- side A: the messages ----------------------------------------------- */

/* The time budget is spent at timed message @i: it is the last one. */
static int time_up(struct run *run, uint64_t i)
{
	run->plan.count = i - run->plan.warm + 1;
	return 1;
}

/*
 * Round trip @i of a pingpong: send (open loop: at its scheduled time),
 * wait for the echo, and after the warm-up time it into @h. 0, 1 when the
 * time is up, -EPROTO when a message was lost or corrupt.
 */
static int round_trip(struct run *run, uint64_t i, struct hist *h)
{
	uint64_t s, end;

	if (run->o->rate > 0 && i >= run->plan.warm) {
		s = run->t0 + (uint64_t)((i - run->plan.warm) * 1e9 /
					 run->o->rate);
		wait_until(s);
	} else {
		s = now_ns();
	}
	if (xsend(&run->x, run->buf, run->size, (uint32_t)i) ||
	    xrecv(&run->x, run->buf, run->size, (uint32_t)i, false))
		return -EPROTO;
	if (i < run->plan.warm)
		return 0;
	end = now_ns();
	hist_add(h, end - s);
	return end - run->t0 > run->o->max_ns ? time_up(run, i) : 0;
}

/* Message @i of a stream: as round_trip(), the clock read every 64. */
static int stream_one(struct run *run, uint64_t i)
{
	if (xsend(&run->x, run->buf, run->size, (uint32_t)i))
		return -EPROTO;
	if (!(i & 63) && i > run->plan.warm &&
	    now_ns() - run->t0 > run->o->max_ns)
		return time_up(run, i);
	return 0;
}

/* The warm-up, then the timed messages; 0 or -EPROTO. */
static int timed_part(struct run *run, struct hist *h)
{
	uint64_t start, i;
	int ret;

	counts_begin(&run->a, run->o->counting);
	start = now_ns();
	for (i = 0; i < run->plan.warm + run->plan.count; i++) {
		plan_cut_warmup(&run->plan, i, start, run->o);
		if (i == run->plan.warm) {
			counts_warmed(&run->a, i);
			run->t0 = now_ns();
		}
		if (run->wl == WL_PINGPONG)
			ret = round_trip(run, i, h);
		else
			ret = stream_one(run, i);
		if (ret < 0)
			return ret;
		if (ret)
			break;
		run->sent++;
	}
	return 0;
}

/* Send the STOP mark; in a stream, wait for B's acknowledgement. */
static int stop_side_b(struct run *run)
{
	if (xsend(&run->x, run->buf, run->size, SEQ_STOP))
		return -EPROTO;
	if (run->wl == WL_STREAM &&
	    xrecv(&run->x, run->buf, run->size, SEQ_STOP, false) != 1)
		return -EPROTO;
	return 0;
}

/* ---- side A: the outcome ------------------------------------------------ */

/* B has been stopped: its verdict, and the run's time and counts. */
static void finish_run(struct run *run, struct result *out)
{
	int status;

	out->secs = (now_ns() - run->t0) / 1e9;
	counts_end(&run->a, run->plan.warm + run->plan.count, run->plan.warm);
	run->x.t->detach(&run->x);
	waitpid(run->pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		out->status = -EPROTO;
		snprintf(out->why, sizeof(out->why),
			 "receiver failed verification (status %#x)", status);
		return;
	}
	out->msgs = run->plan.count;
	out->csw_per_msg = csw_per_msg(&run->a, run->b);
	out->syscalls_per_msg = syscalls_per_msg(&run->a, run->b);
}

static void lost_message(struct run *run, struct result *out)
{
	out->status = -EPROTO;
	snprintf(out->why, sizeof(out->why), "lost or corrupt message at %llu",
		 (unsigned long long)run->sent);
	run->x.t->detach(&run->x);
	kill_side_b(run);
}

/* One run of one measurement: latencies into @h, the rest into @out. */
static void measure_once(const struct opts *o, const struct transport *t,
			 enum workload wl, size_t size, struct result *out,
			 struct hist *h, struct side_counts *b)
{
	struct run run = {
		.o = o, .x = { .t = t, .max_msg = size }, .wl = wl,
		.size = size, .b = b,
	};

	plan_run(&run.plan, o, wl, size);
	if (setup_pair(&run, out))
		return;
	if (!fork_side_b(&run, out)) {
		if (attach_side_a(&run, out))
			kill_side_b(&run);
		else if (timed_part(&run, h) || stop_side_b(&run))
			lost_message(&run, out);
		else
			finish_run(&run, out);
	}
	t->teardown(&run.x);
	free(run.buf);
}

/* ---- the runs of a measurement ------------------------------------------ */

static void result_init(struct result *res, const struct transport *t,
			enum workload wl, size_t size)
{
	memset(res, 0, sizeof(*res));
	res->t = t;
	snprintf(res->name, sizeof(res->name), "%s", t->name);
	res->wl = wl;
	res->size = size;
	res->copies = t->copies;
	res->syscalls_per_msg = -1;
}

/* A run of @msgs messages in @secs: into the totals and the spread. */
static void add_run(struct result *res, uint64_t msgs, double secs)
{
	double mps = msgs / secs;

	if (!res->runs || mps < res->mps_min)
		res->mps_min = mps;
	if (mps > res->mps_max)
		res->mps_max = mps;
	res->runs++;
	res->msgs += msgs;
	res->secs += secs;
}

static void result_rates(struct result *res)
{
	res->msgs_per_s = res->msgs / res->secs;
	res->bytes_per_s = res->msgs_per_s * res->size;
}

/* Skip a size @t cannot carry; true when skipped. */
static bool too_large(const struct transport *t, size_t size,
		      struct result *res)
{
	struct xport probe = { .t = t, .max_msg = size };
	size_t max = t->max_msg ? t->max_msg(&probe) : 0;

	if (!max || size <= max)
		return false;
	res->status = -EMSGSIZE;
	snprintf(res->why, sizeof(res->why),
		 "unsupported: largest message is %zu bytes", max);
	return true;
}

static void read_latency(struct result *res, const struct hist *h)
{
	res->mean = hist_mean(h);
	res->p50 = hist_pct(h, 0.50);
	res->p90 = hist_pct(h, 0.90);
	res->p99 = hist_pct(h, 0.99);
	res->p999 = hist_pct(h, 0.999);
	res->p9999 = hist_pct(h, 0.9999);
	res->max = hist_max(h);
}

/* Sums over the runs of what is averaged per run. */
struct per_run {
	double csw, sc;
	unsigned int sc_runs;
};

static void add_counts(struct per_run *sum, const struct result *run)
{
	sum->csw += run->csw_per_msg;
	if (run->syscalls_per_msg >= 0) {
		sum->sc += run->syscalls_per_msg;
		sum->sc_runs++;
	}
}

static void repeat_runs(const struct opts *o, struct result *res,
			struct hist *h, struct side_counts *b)
{
	struct per_run sum = { 0 };
	unsigned int r;

	for (r = 0; r < o->runs; r++) {
		struct result run = { .status = 0 };

		measure_once(o, res->t, res->wl, res->size, &run, h, b);
		if (run.status) {
			res->status = run.status;
			memcpy(res->why, run.why, sizeof(res->why));
			return;
		}
		add_run(res, run.msgs, run.secs);
		add_counts(&sum, &run);
		if (run.ram_bytes > res->ram_bytes)
			res->ram_bytes = run.ram_bytes;
	}
	if (!res->runs)
		return;
	result_rates(res);
	res->csw_per_msg = sum.csw / res->runs;
	if (sum.sc_runs)
		res->syscalls_per_msg = sum.sc / sum.sc_runs;
	if (res->wl == WL_PINGPONG && hist_count(h))
		read_latency(res, h);
}

void measure(const struct opts *o, const struct transport *t,
	     enum workload wl, size_t size, struct result *res)
{
	struct side_counts *b;
	struct hist *h;

	result_init(res, t, wl, size);
	if (too_large(t, size, res))
		return;
	h = hist_new();
	b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!h || b == MAP_FAILED) {
		res->status = -ENOMEM;
		snprintf(res->why, sizeof(res->why), "out of memory");
		hist_free(h);
		return;
	}
	repeat_runs(o, res, h, b);
	munmap(b, sizeof(*b));
	hist_free(h);
}

/* ---- the ceiling -------------------------------------------------------- */

/* memcpy into successive cache-line-aligned slots of a large region. */
struct copy_bench {
	const uint8_t *src;
	uint8_t *dst;
	size_t region, off, size;
};

/*
 * Copy @count messages, or for @max_ns; how many, *@ns how long it took.
 * The loop works on locals: the barrier that keeps each copy would make it
 * reload *@cb at every message.
 */
static uint64_t copy_run(struct copy_bench *cb, uint64_t count,
			 uint64_t max_ns, uint64_t *ns)
{
	const uint8_t *src = cb->src;
	uint8_t *dst = cb->dst;
	size_t off = cb->off, size = cb->size, region = cb->region;
	uint64_t i, t0 = now_ns();

	for (i = 0; i < count; i++) {
		if (off + size > region)
			off = 0;
		memcpy(dst + off, src, size);
		__asm__ __volatile__("" ::: "memory");
		off += cache_lines(size);
		if (!(i & 63) && now_ns() - t0 > max_ns) {
			i++;
			break;
		}
	}
	*ns = now_ns() - t0;
	cb->off = off;
	return i;
}

void memcpy_baseline(const struct opts *o, size_t size, struct result *res)
{
	struct copy_bench cb = { .region = 64 << 20, .size = size };
	uint8_t *src, *dst;
	struct plan plan;
	uint64_t msgs, ns;
	unsigned int r;

	result_init(res, &transport_memcpy, WL_STREAM, size);
	res->syscalls_per_msg = 0;
	plan_run(&plan, o, WL_STREAM, size);
	if (cb.region < 4 * size)
		cb.region = 4 * size;
	cb.src = src = aligned_alloc(64, cache_lines(size));
	cb.dst = dst = aligned_alloc(64, cb.region);
	if (!src || !dst) {
		res->status = -ENOMEM;
		snprintf(res->why, sizeof(res->why), "out of memory");
		goto out;
	}
	memset(src, 1, size);
	memset(dst, 0, cb.region);
	pin(o->cpu_a);
	for (r = 0; r < o->runs; r++) {
		msgs = copy_run(&cb, plan.count, o->max_ns, &ns);
		add_run(res, msgs, ns / 1e9);
	}
	result_rates(res);
	res->ram_bytes = cb.region;
out:
	free(src);
	free(dst);
}
