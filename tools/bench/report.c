// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench reports: the table people read, JSON and CSV for tools
 * (both with the environment: kernel, CPU, mitigations, virtualised or
 * not), and reading a CSV back for --plot --from.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

const char *wl_name(enum workload wl)
{
	return wl == WL_PINGPONG ? "pingpong" : "stream";
}

/* ---- environment ------------------------------------------------------ */

static bool virtualized(void)
{
	char line[512];
	bool hv = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!hv && fgets(line, sizeof(line), f))
		hv = !strncmp(line, "flags", 5) && strstr(line, " hypervisor");
	fclose(f);
	return hv;
}

static void read_first_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");

	out[0] = 0;
	if (f) {
		if (fgets(out, len, f))
			out[strcspn(out, "\n")] = 0;
		fclose(f);
	}
}

static void cpu_model(char *out, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(out, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');

			if (p) {
				snprintf(out, len, "%s", p + 2);
				out[strcspn(out, "\n")] = 0;
			}
			break;
		}
	}
	fclose(f);
}

void get_env(const struct opts *o, struct env *e)
{
	struct utsname u;

	memset(e, 0, sizeof(*e));
	uname(&u);
	snprintf(e->kernel, sizeof(e->kernel), "%s", u.release);
	cpu_model(e->cpu, sizeof(e->cpu));
	read_first_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2",
			e->spectre_v2, sizeof(e->spectre_v2));
	e->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	e->virtualized = virtualized();
	e->cpu_a = o->cpu_a;
	e->cpu_b = o->cpu_b;
	e->rate = o->rate;
}

/* ---- the table --------------------------------------------------------- */

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

void print_table(FILE *f, const struct result *r, unsigned int n)
{
	char a[32], b[32], c[32], d[32], e[32], g[32], h[32];
	const struct result *ref;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i == 0 || r[i].wl != r[i - 1].wl ||
		    r[i].size != r[i - 1].size) {
			fprintf(f, "\n%s, %zu-byte messages%s\n",
				wl_name(r[i].wl), r[i].size,
				r[i].wl == WL_PINGPONG ?
				" (round trip; 'vs pipe': how many times faster)" :
				" (one way; 'vs memcpy': share of memcpy's bytes/s)");
			if (r[i].wl == WL_PINGPONG)
				fprintf(f, "  %-22s %9s %9s %9s %9s %9s %8s %7s %7s %8s\n",
					"mechanism", "p50", "p99", "p99.9",
					"max", "msgs/s", "vs pipe", "csw/msg",
					"sc/msg", "RAM");
			else
				fprintf(f, "  %-22s %10s %11s %9s %7s %7s %8s\n",
					"mechanism", "msgs/s", "bytes/s",
					"vs memcpy", "csw/msg", "sc/msg", "RAM");
		}
		if (r[i].status) {
			fprintf(f, "  %-22s %s\n", r[i].name, r[i].why);
			continue;
		}
		fmt_per_msg(e, sizeof(e), r[i].csw_per_msg);
		fmt_per_msg(g, sizeof(g), r[i].syscalls_per_msg);
		fmt_ram(h, sizeof(h), r[i].ram_bytes);
		if (r[i].wl == WL_PINGPONG) {
			fmt_ns(a, sizeof(a), r[i].p50);
			fmt_ns(b, sizeof(b), r[i].p99);
			fmt_ns(c, sizeof(c), r[i].p999);
			fmt_ns(d, sizeof(d), r[i].max);
			ref = peer(r, n, i, "pipe");
			fprintf(f, "  %-22s %9s %9s %9s %9s %9.0f ", r[i].name,
				a, b, c, d, r[i].msgs_per_s);
			if (ref && r[i].p50 > 0)
				fprintf(f, "%7.1fx", ref->p50 / r[i].p50);
			else
				fprintf(f, "%8s", "-");
			fprintf(f, " %7s %7s %8s\n", e, g, h);
		} else {
			fmt_rate(a, sizeof(a), r[i].bytes_per_s);
			ref = peer(r, n, i, "memcpy");
			fprintf(f, "  %-22s %10.0f %11s ", r[i].name,
				r[i].msgs_per_s, a);
			if (ref && ref->bytes_per_s > 0)
				fprintf(f, "%8.0f%%",
					100 * r[i].bytes_per_s / ref->bytes_per_s);
			else
				fprintf(f, "%9s", "-");
			fprintf(f, " %7s %7s %8s\n", e, g, h);
		}
	}
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

void print_json(FILE *f, const struct env *e, const struct result *r,
		unsigned int n)
{
	unsigned int i;

	fprintf(f, "{\n  \"env\": {\"kernel\": ");
	json_str(f, e->kernel);
	fprintf(f, ", \"cpu\": ");
	json_str(f, e->cpu);
	fprintf(f, ", \"cpus\": %ld, \"virtualized\": %s, \"spectre_v2\": ",
		e->cpus, e->virtualized ? "true" : "false");
	json_str(f, e->spectre_v2);
	fprintf(f, ", \"cpu_a\": %d, \"cpu_b\": %d, \"open_loop_rate\": %.0f},\n"
		"  \"results\": [\n", e->cpu_a, e->cpu_b, e->rate);
	for (i = 0; i < n; i++) {
		fprintf(f, "    {\"mechanism\": ");
		json_str(f, r[i].name);
		fprintf(f, ", \"workload\": \"%s\", \"size\": %zu, \"copies\": %u, ",
			wl_name(r[i].wl), r[i].size, r[i].copies);
		if (r[i].status) {
			fprintf(f, "\"status\": \"%s\", \"why\": ",
				r[i].status == -EPROTO ? "failed" : "skipped");
			json_str(f, r[i].why);
			fprintf(f, "}%s\n", i + 1 < n ? "," : "");
			continue;
		}
		fprintf(f, "\"status\": \"ok\", \"runs\": %u, \"msgs\": %llu, "
			"\"secs\": %.6f, \"msgs_per_s\": %.1f, "
			"\"msgs_per_s_min\": %.1f, \"msgs_per_s_max\": %.1f, "
			"\"bytes_per_s\": %.1f, \"csw_per_msg\": %.4f, "
			"\"syscalls_per_msg\": ",
			r[i].runs, (unsigned long long)r[i].msgs, r[i].secs,
			r[i].msgs_per_s, r[i].mps_min, r[i].mps_max,
			r[i].bytes_per_s, r[i].csw_per_msg);
		if (r[i].syscalls_per_msg >= 0)
			fprintf(f, "%.3f", r[i].syscalls_per_msg);
		else
			fprintf(f, "null");
		fprintf(f, ", \"ram_bytes\": %llu",
			(unsigned long long)r[i].ram_bytes);
		if (r[i].wl == WL_PINGPONG)
			fprintf(f, ", \"rtt_ns\": {\"mean\": %.0f, \"p50\": %.0f, "
				"\"p90\": %.0f, \"p99\": %.0f, \"p99_9\": %.0f, "
				"\"p99_99\": %.0f, \"max\": %.0f}",
				r[i].mean, r[i].p50, r[i].p90, r[i].p99,
				r[i].p999, r[i].p9999, r[i].max);
		fprintf(f, "}%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

/* ---- CSV ------------------------------------------------------------------ */

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
			r[i].size, r[i].status ? (r[i].status == -EPROTO ?
						  "failed" : "skipped") : "ok");
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

int read_csv(const char *path, struct env *e, struct result **out,
	     unsigned int *nr)
{
	char line[1024], *fld[NR_COLS + 1];
	unsigned int n = 0, cap = 64, lineno = 0;
	struct result *r = calloc(cap, sizeof(*r)), *x;
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
		if (n == cap) {
			x = realloc(r, 2 * cap * sizeof(*r));
			if (!x)
				goto fail;
			r = x;
			cap *= 2;
		}
		x = &r[n++];
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
