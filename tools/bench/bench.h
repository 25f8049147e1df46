/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan-bench internals shared by the measuring (bench.c), the reports
 * (report.c) and the plots (plot.c).
 */
#ifndef RAMCHAN_BENCH_H
#define RAMCHAN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "transport.h"

#define MAX_SIZES	32

enum workload { WL_PINGPONG, WL_STREAM, NR_WORKLOADS };

struct opts {
	const char *mechanisms;
	unsigned int workloads;		/* bit per enum workload */
	size_t sizes[MAX_SIZES];
	unsigned int nr_sizes;
	uint64_t iters;			/* pingpong round trips per run */
	uint64_t stream_bytes;		/* bytes per stream run */
	uint64_t max_ns;		/* ... or this long, whichever first */
	unsigned int runs;		/* repetitions of each measurement */
	double rate;			/* open-loop pingpong, msgs/s; 0: closed */
	int cpu_a, cpu_b;
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

struct env {
	char kernel[128];
	char cpu[128];
	char spectre_v2[256];
	long cpus;
	bool virtualized;
	int cpu_a, cpu_b;
	double rate;
};

const char *wl_name(enum workload wl);
void get_env(const struct opts *o, struct env *e);
void print_table(FILE *f, const struct result *r, unsigned int n);
void print_json(FILE *f, const struct env *e, const struct result *r,
		unsigned int n);
void print_csv(FILE *f, const struct env *e, const struct result *r,
	       unsigned int n);
int read_csv(const char *path, struct env *e, struct result **r,
	     unsigned int *n);
/* Create DIR/NAME for writing; NULL (said on stderr) on failure. */
FILE *create_in(const char *dir, const char *name);
int make_plots(const char *dir, const struct env *e, const struct result *r,
	       unsigned int n);

#endif /* RAMCHAN_BENCH_H */
