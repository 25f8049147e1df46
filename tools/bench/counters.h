/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan-bench counters (counters.c): what each side of a run counts
 * about itself besides time, its system calls over the warm-up and its
 * context switches over the timed part, and the per-message costs of the
 * pair made from both sides' counts.
 */
#ifndef RAMCHAN_BENCH_COUNTERS_H
#define RAMCHAN_BENCH_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

/* One side's counts (side B's are in a page it shares with A). */
struct side_counts {
	int64_t syscalls;	/* over sc_msgs messages; < 0: not counted */
	uint64_t sc_msgs;
	int64_t csw;		/* over csw_msgs messages */
	uint64_t csw_msgs;
	int sc_fd;		/* the open syscall counter, or -1 */
	long csw0;		/* context switches at the end of the warm-up */
};

/* A run starts: count system calls from here if @syscalls. */
void counts_begin(struct side_counts *c, bool syscalls);
/* The warm-up ends after @warm messages: stop counting system calls. */
void counts_warmed(struct side_counts *c, uint64_t warm);
/* The run ends after @msgs messages in all, @warm of them the warm-up. */
void counts_end(struct side_counts *c, uint64_t msgs, uint64_t warm);

/* Context switches per message of both sides over their timed parts. */
double csw_per_msg(const struct side_counts *a, const struct side_counts *b);
/* System calls per message of both sides over their warm-ups; -1: unknown. */
double syscalls_per_msg(const struct side_counts *a,
			const struct side_counts *b);

/* This process's context switches so far. */
long csw_self(void);
/*
 * A counter of this process's system calls from now on (the
 * raw_syscalls:sys_enter tracepoint through perf), or -1 where tracefs or
 * perf is not available. Held open, it also keeps the tracepoint enabled
 * for the counters opened meanwhile (see sweep.c).
 */
int syscall_counter_open(void);

#endif /* RAMCHAN_BENCH_COUNTERS_H */
