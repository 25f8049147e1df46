// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench --plot DIR: gnuplot data files, a script, and the plots it
 * draws (SVG and PNG) from a run's results:
 *
 *   latency.{svg,png}      round-trip p50 (p99 as error bar) vs message size
 *   throughput.{svg,png}   one-way bytes/s vs message size, memcpy's
 *                          bytes/s drawn as the ceiling
 *   percentiles.{svg,png}  round-trip latency by percentile (p50 to max)
 *                          for one message size, HdrHistogram-style
 *
 * The data and plots.gp stay in DIR, so a plot can be restyled by hand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"
#include "report.h"

#define MAX_MECHS	64

struct mechs {
	const char *name[MAX_MECHS];
	unsigned int nr;
};

/* Which mechanisms each plot shows. */
struct plot_set {
	struct mechs lat, thr, pct;
	size_t psize;		/* the message size of the percentile plot */
};

/* Mechanisms with a result for @wl (at @size, if not 0), in order. */
static void collect(const struct result *r, unsigned int n, enum workload wl,
		    size_t size, struct mechs *m)
{
	unsigned int i, j;

	m->nr = 0;
	for (i = 0; i < n; i++) {
		if (r[i].wl != wl || r[i].status || (size && r[i].size != size))
			continue;
		for (j = 0; j < m->nr && strcmp(m->name[j], r[i].name); j++)
			;
		if (j == m->nr && m->nr < MAX_MECHS)
			m->name[m->nr++] = r[i].name;
	}
}

static const char *const colors[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
};

#define NR_COLORS	(sizeof(colors) / sizeof(colors[0]))

/* One plot clause per mechanism: ramchan's drawn thicker, memcpy dashed. */
static void style(FILE *gp, const char *name, unsigned int idx)
{
	if (!strcmp(name, "memcpy"))
		fprintf(gp, "lc rgb 'black' dt 2 lw 2 pt 0");
	else
		fprintf(gp, "lc rgb '%s' dt %u lw %s pt %u ps 0.7",
			colors[idx % NR_COLORS], (unsigned int)(1 + idx / NR_COLORS % 4),
			strncmp(name, "ramchan-", 8) ? "1.2" : "2.5",
			1 + idx % 13);
}

static void size_tics(FILE *gp, const struct result *r, unsigned int n)
{
	size_t seen[MAX_SIZES], lo = 0, hi = 0;
	unsigned int i, j, nr = 0;
	const char *sep = "";

	fprintf(gp, "set xtics (");
	for (i = 0; i < n; i++) {
		for (j = 0; j < nr && seen[j] != r[i].size; j++)
			;
		if (j < nr || nr == MAX_SIZES)
			continue;
		seen[nr++] = r[i].size;
		if (!lo || r[i].size < lo)
			lo = r[i].size;
		if (r[i].size > hi)
			hi = r[i].size;
		if (r[i].size >= 1 << 20 && !(r[i].size & ((1 << 20) - 1)))
			fprintf(gp, "%s\"%zuM\" %zu", sep, r[i].size >> 20,
				r[i].size);
		else if (r[i].size >= 1024 && !(r[i].size & 1023))
			fprintf(gp, "%s\"%zuK\" %zu", sep, r[i].size >> 10,
				r[i].size);
		else
			fprintf(gp, "%s\"%zu\" %zu", sep, r[i].size, r[i].size);
		sep = ", ";
	}
	/* A margin, so that the first and last sizes keep their tics. */
	fprintf(gp, ")\nset xrange [%g:%g]\n", lo / 1.4, hi * 1.4);
}

/* Blocks of "size value [value]" per mechanism, for gnuplot's index. */
static void write_by_size(FILE *f, const struct result *r, unsigned int n,
			  enum workload wl, const struct mechs *m)
{
	unsigned int i, k;

	for (k = 0; k < m->nr; k++) {
		fprintf(f, "# %s\n", m->name[k]);
		for (i = 0; i < n; i++) {
			if (r[i].wl != wl || r[i].status ||
			    strcmp(r[i].name, m->name[k]))
				continue;
			if (wl == WL_PINGPONG)
				fprintf(f, "%zu %.1f %.1f %.1f\n", r[i].size,
					r[i].p50, r[i].p90, r[i].p99);
			else
				fprintf(f, "%zu %.1f\n", r[i].size,
					r[i].bytes_per_s);
		}
		fprintf(f, "\n\n");
	}
}

/* The message size for the percentile plot: 64 B if measured. */
static size_t pct_size(const struct result *r, unsigned int n)
{
	size_t best = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (r[i].wl != WL_PINGPONG || r[i].status)
			continue;
		if (r[i].size == 64)
			return 64;
		if (!best || r[i].size < best)
			best = r[i].size;
	}
	return best;
}

static void write_percentiles(FILE *f, const struct result *r,
			      unsigned int n, size_t size,
			      const struct mechs *m)
{
	unsigned int i, k;

	for (k = 0; k < m->nr; k++) {
		fprintf(f, "# %s\n", m->name[k]);
		for (i = 0; i < n; i++) {
			if (r[i].wl != WL_PINGPONG || r[i].status ||
			    r[i].size != size || strcmp(r[i].name, m->name[k]))
				continue;
			/* x = 1 / (1 - percentile); max drawn at 10^5 */
			fprintf(f, "2 %.1f\n10 %.1f\n100 %.1f\n1000 %.1f\n"
				"10000 %.1f\n100000 %.1f\n", r[i].p50,
				r[i].p90, r[i].p99, r[i].p999, r[i].p9999,
				r[i].max);
		}
		fprintf(f, "\n\n");
	}
}

static void plot_clauses(FILE *gp, const char *data, const struct mechs *m,
			 const char *using, const char *with)
{
	unsigned int k;

	fprintf(gp, "plot ");
	for (k = 0; k < m->nr; k++) {
		fprintf(gp, "%s'%s' index %u using %s with %s title '%s' ",
			k ? ", \\\n     " : "", data, k, using, with,
			m->name[k]);
		style(gp, m->name[k], k);
	}
	fprintf(gp, "\n");
}

/* Where every title's second line says it was measured. */
struct titles {
	const char *term;	/* file extension of the terminal */
	char sub[320];
};

/* A plot against message size: NAME.dat into NAME.<terminal>. */
struct size_plot {
	const char *name, *title, *ylabel, *using, *with;
};

static const struct size_plot latency = {
	"latency", "Round trip vs message size (p50; bars to p99)",
	"round trip (us, log)", "1:($2/1000):($2/1000):($4/1000)",
	"yerrorlines",
};

static const struct size_plot throughput = {
	"throughput", "One-way throughput vs message size (memcpy: the ceiling)",
	"MB/s (log)", "1:($2/1e6)", "linespoints",
};

static void by_size_plot(FILE *gp, const struct titles *tt,
			 const struct size_plot *p, const struct mechs *m)
{
	char data[32];

	snprintf(data, sizeof(data), "%s.dat", p->name);
	fprintf(gp, "set output '%s.%s'\n"
		"set title \"%s\\n%s\" noenhanced\n"
		"set xlabel 'message size (bytes)'\n"
		"set ylabel '%s'\n",
		p->name, tt->term, p->title, tt->sub, p->ylabel);
	plot_clauses(gp, data, m, p->using, p->with);
}

/* By percentile, then back to the x axis of message sizes. */
static void percentile_plot(FILE *gp, const struct titles *tt,
			    const struct mechs *pct, size_t psize,
			    const struct result *r, unsigned int n)
{
	fprintf(gp, "set output 'percentiles.%s'\n"
		"set title \"Round-trip latency by percentile, %zu-byte messages\\n%s\" noenhanced\n"
		"set xlabel 'percentile'\n"
		"set ylabel 'round trip (us, log)'\n"
		"set logscale x 10\nset xrange [1.5:130000]\n"
		"set xtics ('50%%%%' 2, '90%%%%' 10, '99%%%%' 100, '99.9%%%%' 1000, '99.99%%%%' 10000, 'max' 100000)\n",
		tt->term, psize, tt->sub);
	plot_clauses(gp, "percentiles.dat", pct, "1:($2/1000)", "linespoints");
	fprintf(gp, "set logscale x 2\n");
	size_tics(gp, r, n);
}

static void write_script(FILE *gp, const struct env *e, const struct result *r,
			 unsigned int n, const struct plot_set *ps)
{
	static const char *const terms[][2] = {
		{ "svg size 1200,720 dynamic background rgb 'white' font 'sans,12'", "svg" },
		{ "pngcairo size 1200,720 font 'sans,10'", "png" },
	};
	struct titles tt;
	unsigned int t;

	snprintf(tt.sub, sizeof(tt.sub), "%s, %s%s", e->kernel, e->cpu,
		 e->virtualized ? ", virtualized" : "");
	fprintf(gp, "# ramchan-bench plots: gnuplot plots.gp (in this directory)\n"
		"set grid\nset key outside right top\nset logscale x 2\n"
		"set logscale y\nset format y '%%g'\n");
	size_tics(gp, r, n);
	for (t = 0; t < 2; t++) {
		fprintf(gp, "\nset terminal %s\n", terms[t][0]);
		tt.term = terms[t][1];
		if (ps->lat.nr)
			by_size_plot(gp, &tt, &latency, &ps->lat);
		if (ps->thr.nr)
			by_size_plot(gp, &tt, &throughput, &ps->thr);
		if (ps->psize)
			percentile_plot(gp, &tt, &ps->pct, ps->psize, r, n);
	}
}

static int run_gnuplot(const char *dir)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (chdir(dir))
			_exit(126);
		execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

/* What to plot of @r; false when there is nothing. */
static bool plan_plots(struct plot_set *ps, const struct result *r,
		       unsigned int n)
{
	ps->psize = pct_size(r, n);
	collect(r, n, WL_PINGPONG, 0, &ps->lat);
	collect(r, n, WL_STREAM, 0, &ps->thr);
	collect(r, n, WL_PINGPONG, ps->psize, &ps->pct);
	return ps->lat.nr || ps->thr.nr;
}

/* The data files and plots.gp; 0 or -1. */
static int write_files(const char *dir, const struct env *e,
		       const struct result *r, unsigned int n,
		       const struct plot_set *ps)
{
	FILE *f;

	f = create_in(dir, "latency.dat");
	if (!f)
		return -1;
	write_by_size(f, r, n, WL_PINGPONG, &ps->lat);
	fclose(f);
	f = create_in(dir, "throughput.dat");
	if (!f)
		return -1;
	write_by_size(f, r, n, WL_STREAM, &ps->thr);
	fclose(f);
	f = create_in(dir, "percentiles.dat");
	if (!f)
		return -1;
	write_percentiles(f, r, n, ps->psize, &ps->pct);
	fclose(f);
	f = create_in(dir, "plots.gp");
	if (!f)
		return -1;
	write_script(f, e, r, n, ps);
	fclose(f);
	return 0;
}

int make_plots(const char *dir, const struct env *e, const struct result *r,
	       unsigned int n)
{
	struct plot_set ps;
	int ret;

	if (make_dir(dir))
		return -1;
	if (!plan_plots(&ps, r, n)) {
		fprintf(stderr, "ramchan-bench: no results to plot\n");
		return -1;
	}
	if (write_files(dir, e, r, n, &ps))
		return -1;
	ret = run_gnuplot(dir);
	if (ret == -ENOENT) {
		fprintf(stderr, "ramchan-bench: gnuplot not found (apt-get install gnuplot-nox); data and plots.gp are in %s\n",
			dir);
		return -1;
	}
	if (ret) {
		fprintf(stderr, "ramchan-bench: gnuplot failed on %s/plots.gp\n",
			dir);
		return -1;
	}
	fprintf(stderr, "ramchan-bench: plots in %s: %s%s%s(.svg, .png)\n", dir,
		ps.lat.nr ? "latency " : "", ps.thr.nr ? "throughput " : "",
		ps.psize ? "percentiles " : "");
	return 0;
}
