/* SPDX-License-Identifier: GPL-2.0 */
/* ramchan-bench --plot DIR (plot.c): gnuplot plots of a run's results. */
#ifndef RAMCHAN_BENCH_PLOT_H
#define RAMCHAN_BENCH_PLOT_H

#include "bench.h"

/* Data, plots.gp and the plots in @dir; 0, or -1 said on stderr. */
int make_plots(const char *dir, const struct env *e, const struct result *r,
	       unsigned int n);

#endif /* RAMCHAN_BENCH_PLOT_H */
