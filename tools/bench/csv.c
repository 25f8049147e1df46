// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench CSV: the environment as "# key: value" lines, a header,
 * one row per result (tools/bench/results-rst and the selftests read it
 * by column name or number), and reading it back for --plot --from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char csv_header[] =
	"mechanism,workload,size,status,why,copies,runs,msgs,secs,"
	"msgs_per_s,msgs_per_s_min,msgs_per_s_max,bytes_per_s,"
	"p50_ns,p90_ns,p99_ns,p99_9_ns,p99_99_ns,max_ns,mean_ns,"
	"csw_per_msg,syscalls_per_msg,ram_bytes";

static void csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		if (*s != '\n')
			fputc(*s, f);
	}
	fputc('"', f);
}

void print_csv(FILE *f, const struct env *e, const struct result *r,
	       unsigned int n)
{
	unsigned int i;

	fprintf(f, "# ramchan-bench\n# kernel: %s\n# cpu: %s\n# cpus: %ld\n"
		"# virtualized: %s\n# spectre_v2: %s\n# cpu_a: %d\n"
		"# cpu_b: %d\n# open_loop_rate: %.0f\n%s\n",
		e->kernel, e->cpu, e->cpus, e->virtualized ? "yes" : "no",
		e->spectre_v2, e->cpu_a, e->cpu_b, e->rate, csv_header);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s,%s,%zu,%s,", r[i].name, wl_name(r[i].wl),
			r[i].size, status_name(&r[i]));
		csv_str(f, r[i].why);
		fprintf(f, ",%u,%u,%llu,%.6f,%.1f,%.1f,%.1f,%.1f,"
			"%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.4f,",
			r[i].copies, r[i].runs, (unsigned long long)r[i].msgs,
			r[i].secs, r[i].msgs_per_s, r[i].mps_min, r[i].mps_max,
			r[i].bytes_per_s, r[i].p50, r[i].p90, r[i].p99,
			r[i].p999, r[i].p9999, r[i].max, r[i].mean,
			r[i].csw_per_msg);
		if (r[i].syscalls_per_msg >= 0)
			fprintf(f, "%.3f", r[i].syscalls_per_msg);
		fprintf(f, ",%llu\n", (unsigned long long)r[i].ram_bytes);
	}
}

/* Split a CSV line in place; returns the number of fields. */
static unsigned int csv_split(char *line, char **field, unsigned int max)
{
	unsigned int n = 0;
	char *p = line, *out;

	line[strcspn(line, "\r\n")] = 0;
	while (n < max) {
		if (*p == '"') {
			field[n++] = out = ++p;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				*out++ = *p++;
			}
			if (*p)
				p++;
			*out = 0;
		} else {
			field[n++] = p;
			p += strcspn(p, ",");
		}
		if (*p != ',')
			break;
		*p++ = 0;
	}
	return n;
}

enum csv_col {
	C_MECH, C_WL, C_SIZE, C_STATUS, C_WHY, C_COPIES, C_RUNS, C_MSGS,
	C_SECS, C_MPS, C_MPS_MIN, C_MPS_MAX, C_BPS, C_P50, C_P90, C_P99,
	C_P999, C_P9999, C_MAX, C_MEAN, C_CSW, C_SC, C_RAM, NR_COLS
};

static void env_line(struct env *e, const char *line)
{
	char key[32];
	int off;

	if (sscanf(line, "# %31[a-z_0-9]: %n", key, &off) != 1)
		return;
	line += off;
	if (!strcmp(key, "kernel"))
		snprintf(e->kernel, sizeof(e->kernel), "%.*s",
			 (int)strcspn(line, "\n"), line);
	else if (!strcmp(key, "cpu"))
		snprintf(e->cpu, sizeof(e->cpu), "%.*s",
			 (int)strcspn(line, "\n"), line);
	else if (!strcmp(key, "spectre_v2"))
		snprintf(e->spectre_v2, sizeof(e->spectre_v2), "%.*s",
			 (int)strcspn(line, "\n"), line);
	else if (!strcmp(key, "cpus"))
		e->cpus = atol(line);
	else if (!strcmp(key, "virtualized"))
		e->virtualized = !strncmp(line, "yes", 3);
	else if (!strcmp(key, "cpu_a"))
		e->cpu_a = atoi(line);
	else if (!strcmp(key, "cpu_b"))
		e->cpu_b = atoi(line);
	else if (!strcmp(key, "open_loop_rate"))
		e->rate = atof(line);
}

/* A result from the fields of its CSV row. */
static void csv_result(struct result *x, char **fld)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", fld[C_MECH]);
	x->wl = strcmp(fld[C_WL], "stream") ? WL_PINGPONG : WL_STREAM;
	x->size = strtoull(fld[C_SIZE], NULL, 10);
	x->status = strcmp(fld[C_STATUS], "ok") ? -ENOTSUP : 0;
	snprintf(x->why, sizeof(x->why), "%s", fld[C_WHY]);
	x->copies = atoi(fld[C_COPIES]);
	x->runs = atoi(fld[C_RUNS]);
	x->msgs = strtoull(fld[C_MSGS], NULL, 10);
	x->secs = atof(fld[C_SECS]);
	x->msgs_per_s = atof(fld[C_MPS]);
	x->mps_min = atof(fld[C_MPS_MIN]);
	x->mps_max = atof(fld[C_MPS_MAX]);
	x->bytes_per_s = atof(fld[C_BPS]);
	x->p50 = atof(fld[C_P50]);
	x->p90 = atof(fld[C_P90]);
	x->p99 = atof(fld[C_P99]);
	x->p999 = atof(fld[C_P999]);
	x->p9999 = atof(fld[C_P9999]);
	x->max = atof(fld[C_MAX]);
	x->mean = atof(fld[C_MEAN]);
	x->csw_per_msg = atof(fld[C_CSW]);
	x->syscalls_per_msg = fld[C_SC][0] ? atof(fld[C_SC]) : -1;
	x->ram_bytes = strtoull(fld[C_RAM], NULL, 10);
}

/* Double the room of *@r; 0 or -1. */
static int grow(struct result **r, unsigned int *cap)
{
	struct result *x = realloc(*r, 2 * *cap * sizeof(**r));

	if (!x)
		return -1;
	*r = x;
	*cap *= 2;
	return 0;
}

int read_csv(const char *path, struct env *e, struct result **out,
	     unsigned int *nr)
{
	char line[1024], *fld[NR_COLS + 1];
	unsigned int n = 0, cap = 64, lineno = 0;
	struct result *r = calloc(cap, sizeof(*r));
	bool header = false;
	FILE *f = fopen(path, "r");

	memset(e, 0, sizeof(*e));
	if (!f || !r) {
		fprintf(stderr, "ramchan-bench: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#') {
			env_line(e, line);
			continue;
		}
		if (!header) {
			header = !strncmp(line, csv_header, sizeof(csv_header) - 1);
			if (!header) {
				fprintf(stderr, "ramchan-bench: %s:%u: not a ramchan-bench --csv header\n",
					path, lineno);
				goto fail;
			}
			continue;
		}
		if (csv_split(line, fld, NR_COLS + 1) != NR_COLS) {
			fprintf(stderr, "ramchan-bench: %s:%u: expected %d fields\n",
				path, lineno, NR_COLS);
			goto fail;
		}
		if (n == cap && grow(&r, &cap))
			goto fail;
		csv_result(&r[n++], fld);
	}
	if (!header) {
		fprintf(stderr, "ramchan-bench: %s: no results\n", path);
		goto fail;
	}
	fclose(f);
	*out = r;
	*nr = n;
	return 0;
fail:
	if (f)
		fclose(f);
	free(r);
	return -1;
}
