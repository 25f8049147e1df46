// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench timing: waiting on an open-loop schedule, pinning, and the
 * plan of a run. A run warms up first (a tenth of the round trips plus 10,
 * a twentieth of a stream, or a quarter of the time budget, whichever ends
 * first), and only what follows is timed; the clock itself is now_ns() in
 * timing.h.
 */
#include <sched.h>

#include "timing.h"

void wait_until(uint64_t when)
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

void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

void plan_run(struct plan *p, const struct opts *o, enum workload wl,
	      size_t size)
{
	if (wl == WL_PINGPONG) {
		p->count = o->iters;
		p->warm = p->count / 10 + 10;
	} else {
		p->count = o->stream_bytes / size;
		if (p->count < 100)
			p->count = 100;
		p->warm = p->count / 20;
	}
}
