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
 * counters in a pass of short runs after the timed ones, so the timed
 * runs go without the tracepoint.
 * Only ratios between mechanisms measured in the same run mean much,
 * especially under emulation.
 *
 * The files, each one concept (their headers say what they export):
 *
 *   (this file)   main(): from the command line to the reports
 *   options.c     the command line: one table of options, --help from it
 *   sweep.c       every measurement asked for, progress, the syscall pass
 *   measure.c     one measurement: its runs, both sides of a run, memcpy
 *   message.c     a message: stamped, verified, sent and received
 *   timing.c      the clock, pinning, the warm-up and the timed messages
 *   counters.c    system calls and context switches of each side
 *   hist.c        the latency histogram and its percentiles
 *   report.c      the environment; table, JSON and CSV; reading CSV back
 *   plot.c        gnuplot plots (--plot)
 *   transports.c  the table of mechanisms; t_*.c, one per mechanism
 */
#include <stdlib.h>

#include "options.h"
#include "plot.h"
#include "report.h"
#include "sweep.h"

/* --plot DIR --from FILE: plot the results of an earlier run. */
static int plot_earlier(const struct opts *o)
{
	struct result *res;
	struct env env;
	unsigned int n;
	int ret;

	if (read_csv(o->from, &env, &res, &n))
		return 1;
	ret = make_plots(o->plot_dir, &env, res, n);
	free(res);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned int n = 0;
	struct result *res;
	struct opts o;
	struct env env;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	if (o.from)
		return plot_earlier(&o);
	get_env(&o, &env);
	res = run_sweep(&o, &n);
	if (!res)
		return 1;
	if (o.json)
		print_json(stdout, &env, res, n);
	else if (o.csv)
		print_csv(stdout, &env, res, n);
	else
		print_table(stdout, res, n);
	ret = o.save_dir ? save_results(o.save_dir, &env, res, n) : 0;
	if (!ret && o.plot_dir)
		ret = make_plots(o.plot_dir, &env, res, n);
	free(res);
	return ret ? 1 : 0;
}
