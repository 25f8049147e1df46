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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_MECHS	64

struct mechs {
	const char *name[MAX_MECHS];
	unsigned int nr;
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

FILE *create_in(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "ramchan-bench: %s: %s\n", path, strerror(errno));
	return f;
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

static void write_script(FILE *gp, const struct env *e, const struct result *r,
			 unsigned int n, const struct mechs *lat,
			 const struct mechs *thr, const struct mechs *pct,
			 size_t psize)
{
	static const char *const terms[][2] = {
		{ "svg size 1200,720 dynamic background rgb 'white' font 'sans,12'", "svg" },
		{ "pngcairo size 1200,720 font 'sans,10'", "png" },
	};
	char sub[320];
	unsigned int t;

	/* Every title's second line: where it was measured. */
	snprintf(sub, sizeof(sub), "%s, %s%s", e->kernel, e->cpu,
		 e->virtualized ? ", virtualized" : "");
	fprintf(gp, "# ramchan-bench plots: gnuplot plots.gp (in this directory)\n"
		"set grid\nset key outside right top\nset logscale x 2\n"
		"set logscale y\nset format y '%%g'\n");
	size_tics(gp, r, n);
	for (t = 0; t < 2; t++) {
		fprintf(gp, "\nset terminal %s\n", terms[t][0]);
		if (lat->nr) {
			fprintf(gp, "set output 'latency.%s'\n"
				"set title \"Round trip vs message size (p50; bars to p99)\\n%s\" noenhanced\n"
				"set xlabel 'message size (bytes)'\n"
				"set ylabel 'round trip (us, log)'\n",
				terms[t][1], sub);
			plot_clauses(gp, "latency.dat", lat,
				     "1:($2/1000):($2/1000):($4/1000)",
				     "yerrorlines");
		}
		if (thr->nr) {
			fprintf(gp, "set output 'throughput.%s'\n"
				"set title \"One-way throughput vs message size (memcpy: the ceiling)\\n%s\" noenhanced\n"
				"set xlabel 'message size (bytes)'\n"
				"set ylabel 'MB/s (log)'\n",
				terms[t][1], sub);
			plot_clauses(gp, "throughput.dat", thr,
				     "1:($2/1e6)", "linespoints");
		}
		if (psize) {
			fprintf(gp, "set output 'percentiles.%s'\n"
				"set title \"Round-trip latency by percentile, %zu-byte messages\\n%s\" noenhanced\n"
				"set xlabel 'percentile'\n"
				"set ylabel 'round trip (us, log)'\n"
				"set logscale x 10\nset xrange [1.5:130000]\n"
				"set xtics ('50%%%%' 2, '90%%%%' 10, '99%%%%' 100, '99.9%%%%' 1000, '99.99%%%%' 10000, 'max' 100000)\n",
				terms[t][1], psize, sub);
			plot_clauses(gp, "percentiles.dat", pct, "1:($2/1000)",
				     "linespoints");
			fprintf(gp, "set logscale x 2\n");
			size_tics(gp, r, n);
		}
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

int make_plots(const char *dir, const struct env *e, const struct result *r,
	       unsigned int n)
{
	struct mechs lat, thr, pct;
	size_t psize = pct_size(r, n);
	FILE *f;
	int ret;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "ramchan-bench: mkdir %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	collect(r, n, WL_PINGPONG, 0, &lat);
	collect(r, n, WL_STREAM, 0, &thr);
	collect(r, n, WL_PINGPONG, psize, &pct);
	if (!lat.nr && !thr.nr) {
		fprintf(stderr, "ramchan-bench: no results to plot\n");
		return -1;
	}
	f = create_in(dir, "latency.dat");
	if (!f)
		return -1;
	write_by_size(f, r, n, WL_PINGPONG, &lat);
	fclose(f);
	f = create_in(dir, "throughput.dat");
	if (!f)
		return -1;
	write_by_size(f, r, n, WL_STREAM, &thr);
	fclose(f);
	f = create_in(dir, "percentiles.dat");
	if (!f)
		return -1;
	write_percentiles(f, r, n, psize, &pct);
	fclose(f);
	f = create_in(dir, "plots.gp");
	if (!f)
		return -1;
	write_script(f, e, r, n, &lat, &thr, &pct, psize);
	fclose(f);

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
		lat.nr ? "latency " : "", thr.nr ? "throughput " : "",
		psize ? "percentiles " : "");
	return 0;
}
