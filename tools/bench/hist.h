/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan-bench latency histogram (hist.c): HdrHistogram-style log-linear
 * buckets, read back as percentiles.
 */
#ifndef RAMCHAN_BENCH_HIST_H
#define RAMCHAN_BENCH_HIST_H

#include <stdint.h>

struct hist;

/* An empty histogram (NULL: out of memory); hist_free() it. */
struct hist *hist_new(void);
void hist_free(struct hist *h);
void hist_add(struct hist *h, uint64_t v);
uint64_t hist_count(const struct hist *h);
double hist_mean(const struct hist *h);
uint64_t hist_max(const struct hist *h);
/* The value at quantile @p (0 to 1): its bucket's middle, at most the max. */
double hist_pct(const struct hist *h, double p);

#endif /* RAMCHAN_BENCH_HIST_H */
