/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan-bench's vocabulary, shared by all its files: the workloads, the
 * options of a run (struct opts, filled by options.c), the result of one
 * measurement (struct result, filled by measure.c, written by report.c and
 * plot.c) and the environment it was measured in (struct env, report.c).
 */
#ifndef RAMCHAN_BENCH_H
#define RAMCHAN_BENCH_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

#define MAX_SIZES	32

enum workload { WL_PINGPONG, WL_STREAM, NR_WORKLOADS };

static inline const char *wl_name(enum workload wl)
{
	return wl == WL_PINGPONG ? "pingpong" : "stream";
}

struct opts {
	const char *mechanisms;		/* comma-separated; NULL: all */
	unsigned int workloads;		/* bit per enum workload */
	size_t sizes[MAX_SIZES];
	unsigned int nr_sizes;
	uint64_t iters;			/* pingpong round trips per run */
	uint64_t stream_bytes;		/* bytes per stream run */
	uint64_t max_ns;		/* ... or this long, whichever first */
	unsigned int runs;		/* repetitions of each measurement */
	double rate;			/* open-loop pingpong, msgs/s; 0: closed */
	int cpu_a, cpu_b;
	bool syscalls;			/* --syscalls: a counting pass at the end */
	bool counting;			/* this is that pass: counters on */
	bool json, csv, quiet;
	const char *plot_dir;		/* write plots here */
	const char *from;		/* plot a CSV of an earlier run */
	const char *save_dir;		/* also write bench.json, bench.csv */
};

struct result {
	const struct transport *t;	/* NULL when read back from a CSV */
	char name[32];
	enum workload wl;
	size_t size;
	int status;			/* 0, or -errno (skipped/failed) */
	char why[160];
	unsigned int copies;
	unsigned int runs;
	uint64_t msgs;
	double secs;
	/* Round trip (pingpong), ns; open loop: from the intended send. */
	double p50, p90, p99, p999, p9999, max, mean;
	double msgs_per_s, bytes_per_s;
	double mps_min, mps_max;	/* spread over the runs */
	double csw_per_msg;		/* context switches, both sides */
	double syscalls_per_msg;	/* both sides; < 0: not measured */
	uint64_t ram_bytes;		/* the mechanism's buffers; 0: unknown */
};

/* "ok", "failed" (a message not intact) or "skipped" (with the reason). */
static inline const char *status_name(const struct result *r)
{
	if (!r->status)
		return "ok";
	return r->status == -EPROTO ? "failed" : "skipped";
}

struct env {
	char kernel[128];
	char cpu[128];
	char spectre_v2[256];
	long cpus;
	bool virtualized;
	int cpu_a, cpu_b;
	double rate;
};

#endif /* RAMCHAN_BENCH_H */
