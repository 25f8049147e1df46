/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan-bench measurement (measure.c): one mechanism, one workload, one
 * message size, into one struct result.
 */
#ifndef RAMCHAN_BENCH_MEASURE_H
#define RAMCHAN_BENCH_MEASURE_H

#include "bench.h"

/* Measure @t under @wl with @size-byte messages, o->runs times, into @res. */
void measure(const struct opts *o, const struct transport *t,
	     enum workload wl, size_t size, struct result *res);
/* The ceiling: memcpy of @size bytes in one process, as a stream. */
void memcpy_baseline(const struct opts *o, size_t size, struct result *res);

#endif /* RAMCHAN_BENCH_MEASURE_H */
