// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench reports: the table people read (each workload and size a
 * group, each mechanism against a reference: "vs pipe", "vs memcpy"), and
 * the files of --save and --plot. JSON and CSV are json.c and csv.c; the
 * environment they record is env.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"

/* ---- the table ---------------------------------------------------------- */

static void fmt_ns(char *out, size_t len, double ns)
{
	if (ns < 1e3)
		snprintf(out, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(out, len, "%.1f us", ns / 1e3);
	else
		snprintf(out, len, "%.2f ms", ns / 1e6);
}

static void fmt_rate(char *out, size_t len, double b)
{
	if (b >= 1e9)
		snprintf(out, len, "%.2f GB/s", b / 1e9);
	else if (b >= 1e6)
		snprintf(out, len, "%.1f MB/s", b / 1e6);
	else
		snprintf(out, len, "%.1f kB/s", b / 1e3);
}

static void fmt_ram(char *out, size_t len, uint64_t b)
{
	if (!b)
		snprintf(out, len, "-");
	else if (b >= 10 << 20)
		snprintf(out, len, "%llu MiB", (unsigned long long)(b >> 20));
	else if (b >= 10 << 10)
		snprintf(out, len, "%llu KiB", (unsigned long long)(b >> 10));
	else
		snprintf(out, len, "%llu B", (unsigned long long)b);
}

static void fmt_per_msg(char *out, size_t len, double v)
{
	if (v < 0)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%.2f", v);
}

/* The result of @name in the group (workload, size) of @r[@i]. */
static const struct result *peer(const struct result *r, unsigned int n,
				 unsigned int i, const char *name)
{
	unsigned int j;

	for (j = 0; j < n; j++)
		if (r[j].wl == r[i].wl && r[j].size == r[i].size &&
		    !r[j].status && !strcmp(r[j].name, name))
			return &r[j];
	return NULL;
}

/* A group's heading: workload, size, and the columns. */
static void table_header(FILE *f, const struct result *r)
{
	fprintf(f, "\n%s, %zu-byte messages%s\n", wl_name(r->wl), r->size,
		r->wl == WL_PINGPONG ?
		" (round trip; 'vs pipe': how many times faster)" :
		" (one way; 'vs memcpy': share of memcpy's bytes/s)");
	if (r->wl == WL_PINGPONG)
		fprintf(f, "  %-22s %9s %9s %9s %9s %9s %8s %7s %7s %8s\n",
			"mechanism", "p50", "p99", "p99.9", "max", "msgs/s",
			"vs pipe", "csw/msg", "sc/msg", "RAM");
	else
		fprintf(f, "  %-22s %10s %11s %9s %7s %7s %8s\n",
			"mechanism", "msgs/s", "bytes/s", "vs memcpy",
			"csw/msg", "sc/msg", "RAM");
}

/* The columns every row ends with: csw/msg, sc/msg, RAM. */
static void table_tail(FILE *f, const struct result *r)
{
	char csw[32], sc[32], ram[32];

	fmt_per_msg(csw, sizeof(csw), r->csw_per_msg);
	fmt_per_msg(sc, sizeof(sc), r->syscalls_per_msg);
	fmt_ram(ram, sizeof(ram), r->ram_bytes);
	fprintf(f, " %7s %7s %8s\n", csw, sc, ram);
}

/* A pingpong row; @pipe: the pipe's result in its group, if any. */
static void pingpong_row(FILE *f, const struct result *r,
			 const struct result *pipe)
{
	char p50[32], p99[32], p999[32], max[32];

	fmt_ns(p50, sizeof(p50), r->p50);
	fmt_ns(p99, sizeof(p99), r->p99);
	fmt_ns(p999, sizeof(p999), r->p999);
	fmt_ns(max, sizeof(max), r->max);
	fprintf(f, "  %-22s %9s %9s %9s %9s %9.0f ", r->name, p50, p99, p999,
		max, r->msgs_per_s);
	if (pipe && r->p50 > 0)
		fprintf(f, "%7.1fx", pipe->p50 / r->p50);
	else
		fprintf(f, "%8s", "-");
	table_tail(f, r);
}

/* A stream row; @mc: memcpy's result in its group, if any. */
static void stream_row(FILE *f, const struct result *r,
		       const struct result *mc)
{
	char rate[32];

	fmt_rate(rate, sizeof(rate), r->bytes_per_s);
	fprintf(f, "  %-22s %10.0f %11s ", r->name, r->msgs_per_s, rate);
	if (mc && mc->bytes_per_s > 0)
		fprintf(f, "%8.0f%%", 100 * r->bytes_per_s / mc->bytes_per_s);
	else
		fprintf(f, "%9s", "-");
	table_tail(f, r);
}

void print_table(FILE *f, const struct result *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i == 0 || r[i].wl != r[i - 1].wl ||
		    r[i].size != r[i - 1].size)
			table_header(f, &r[i]);
		if (r[i].status)
			fprintf(f, "  %-22s %s\n", r[i].name, r[i].why);
		else if (r[i].wl == WL_PINGPONG)
			pingpong_row(f, &r[i], peer(r, n, i, "pipe"));
		else
			stream_row(f, &r[i], peer(r, n, i, "memcpy"));
	}
}

/* ---- files -------------------------------------------------------------- */

int make_dir(const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "ramchan-bench: mkdir %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	return 0;
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

/* Write DIR/NAME with @print; 0, or -1 said on stderr. */
static int write_report(const char *dir, const char *name,
			void (*print)(FILE *f, const struct env *e,
				      const struct result *r, unsigned int n),
			const struct env *e, const struct result *r,
			unsigned int n)
{
	FILE *f = create_in(dir, name);

	if (!f)
		return -1;
	print(f, e, r, n);
	return fclose(f) ? -1 : 0;
}

int save_results(const char *dir, const struct env *e,
		 const struct result *r, unsigned int n)
{
	if (make_dir(dir) ||
	    write_report(dir, "bench.json", print_json, e, r, n) ||
	    write_report(dir, "bench.csv", print_csv, e, r, n))
		return -1;
	return 0;
}
