/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan-bench timing (timing.c): the clock, waiting on a schedule,
 * pinning each side to its CPU, and the plan of a run (warm-up, then the
 * timed messages).
 */
#ifndef RAMCHAN_BENCH_TIMING_H
#define RAMCHAN_BENCH_TIMING_H

#include <stdint.h>
#include <time.h>

#include "bench.h"

/* CLOCK_MONOTONIC in ns; inline, as it is read inside the timed part. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Sleep until @when (now_ns() time), spinning the last 20 us. */
void wait_until(uint64_t when);

/* Run this process on @cpu only (< 0: anywhere). */
void pin(int cpu);

/* The messages of one run: @warm of warm-up first, then @count timed. */
struct plan {
	uint64_t warm;
	uint64_t count;
};

void plan_run(struct plan *p, const struct opts *o, enum workload wl,
	      size_t size);
/*
 * Side A at message @i of a run that started at @start: a warm-up that has
 * taken a quarter of the time budget ends here. Inline: it is asked at
 * every message, and reads the clock only during the warm-up.
 */
static inline void plan_cut_warmup(struct plan *p, uint64_t i, uint64_t start,
				   const struct opts *o)
{
	if (i < p->warm && now_ns() - start > o->max_ns / 4)
		p->warm = i;
}

#endif /* RAMCHAN_BENCH_TIMING_H */
