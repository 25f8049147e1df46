// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench: move messages between two processes through RAM with
 * every mechanism, the same workloads for all, and compare.
 *
 *   pingpong  A sends a message, B echoes it: round-trip latency
 *             percentiles over many iterations, after a warm-up
 *   stream    A sends N messages, B receives and acknowledges the last:
 *             one-way messages/s and bytes/s
 *
 * Every received message is verified (length, sequence number, checksum).
 * A is pinned to one CPU and B to another (--same-core: both on one).
 * Only ratios between mechanisms measured in the same run mean much,
 * especially under emulation.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

#define NR_TRANSPORTS nr_transports

enum workload { WL_PINGPONG, WL_STREAM };

struct opts {
	const char *mechanisms;
	unsigned int workloads;		/* bit per enum workload */
	size_t sizes[32];
	unsigned int nr_sizes;
	uint64_t iters;			/* pingpong round trips */
	uint64_t stream_bytes;		/* bytes per stream run */
	uint64_t max_ns;		/* ... or this long, whichever first */
	int cpu_a, cpu_b;
	bool json;
	bool quiet;
};

struct result {
	const struct transport *t;
	enum workload wl;
	size_t size;
	int status;			/* 0, or -errno (skipped/failed) */
	char why[160];
	uint64_t msgs;
	double secs;
	double p50, p90, p99, p999, max, mean;	/* ns, pingpong */
	double msgs_per_s, bytes_per_s;
	double csw_per_msg;		/* context switches, both sides */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- message stamping and verification ------------------------------ */

/* First 8 bytes: sequence (32 bits) and length; then a checksummed body. */
static void stamp(uint8_t *buf, size_t len, uint32_t seq)
{
	uint32_t hdr[2] = { seq, (uint32_t)len };
	uint64_t sum = 0;
	size_t i;

	memcpy(buf, hdr, len < 8 ? len : 8);
	if (len >= 16) {
		for (i = 16; i + 8 <= len; i += 8) {
			uint64_t w = seq * 0x9e3779b97f4a7c15ULL + i;

			memcpy(buf + i, &w, 8);
			sum += w;
		}
		memcpy(buf + 8, &sum, 8);
	}
}

static bool verify(const uint8_t *buf, long got, size_t len, uint32_t seq)
{
	uint32_t hdr[2];
	uint64_t sum = 0, want, w;
	size_t i;

	if (got != (long)len)
		return false;
	memcpy(hdr, buf, len < 8 ? len : 8);
	if (len >= 8 && (hdr[0] != seq || hdr[1] != len))
		return false;
	if (len >= 16) {
		for (i = 16; i + 8 <= len; i += 8) {
			memcpy(&w, buf + i, 8);
			sum += w;
		}
		memcpy(&want, buf + 8, 8);
		return sum == want;
	}
	return true;
}

/* ---- running one measurement ------------------------------------------ */

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static long csw(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint64_t *v, uint64_t n, double p)
{
	uint64_t i = (uint64_t)(p * (n - 1));

	return v[i];
}

/* Marks the last message of a run (its sequence number). */
#define SEQ_STOP	0xffffffffu

static uint32_t seq_of(const uint8_t *buf)
{
	uint32_t seq;

	memcpy(&seq, buf, sizeof(seq));
	return seq;
}

/* Side B: echo (pingpong) or drain and acknowledge (stream), until STOP. */
static int run_b(struct xport *x, enum workload wl, size_t size, uint8_t *buf)
{
	uint64_t i;
	long n;

	for (i = 0;; i++) {
		n = x->t->recv(x, buf, size);
		if (n == (long)size && seq_of(buf) == SEQ_STOP)
			return wl == WL_STREAM && x->t->send(x, buf, size) ? 4 : 0;
		if (!verify(buf, n, size, (uint32_t)i))
			return 3;
		if (wl == WL_PINGPONG && x->t->send(x, buf, size))
			return 4;
	}
}

static void measure(const struct opts *o, const struct transport *t,
		    enum workload wl, size_t size, struct result *res)
{
	struct xport x = { .t = t, .max_msg = size };
	uint64_t warm = 0, count, i, t0 = 0, start, *lat = NULL;
	long csw0, n;
	uint8_t *buf;
	int status;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->t = t;
	res->wl = wl;
	res->size = size;
	if (t->max_msg && t->max_msg(&x) && size > t->max_msg(&x)) {
		res->status = -EMSGSIZE;
		snprintf(res->why, sizeof(res->why),
			 "unsupported: largest message is %zu bytes",
			 t->max_msg(&x));
		return;
	}
	if (wl == WL_PINGPONG) {
		count = o->iters;
		warm = count / 10 + 10;
		lat = calloc(count, sizeof(*lat));
	} else {
		count = o->stream_bytes / size;
		if (count < 100)
			count = 100;
		warm = count / 20;
	}
	buf = aligned_alloc(64, size < 64 ? 64 : (size + 63) & ~63UL);
	res->status = t->setup(&x, res->why, sizeof(res->why));
	if (res->status) {
		if (!res->why[0])
			snprintf(res->why, sizeof(res->why), "setup: %s",
				 strerror(-res->status));
		free(lat);
		free(buf);
		return;
	}

	csw0 = csw(RUSAGE_CHILDREN);
	pid = fork();
	if (pid == 0) {
		x.side = SIDE_B;
		pin(o->cpu_b);
		if (t->attach(&x))
			_exit(2);
		status = run_b(&x, wl, size, buf);
		t->detach(&x);
		_exit(status);
	}
	x.side = SIDE_A;
	pin(o->cpu_a);
	res->status = t->attach(&x);
	if (res->status)
		goto out;

	csw0 += csw(RUSAGE_SELF);
	start = now_ns();
	for (i = 0; i < warm + count; i++) {
		/* Warm up for a tenth of the iterations or a quarter of the time. */
		if (i < warm && now_ns() - start > o->max_ns / 4)
			warm = i;
		if (i == warm)
			t0 = now_ns();
		stamp(buf, size, (uint32_t)i);
		if (wl == WL_PINGPONG) {
			uint64_t s = now_ns();

			if (t->send(&x, buf, size) ||
			    !verify(buf, n = t->recv(&x, buf, size), size,
				    (uint32_t)i))
				goto broken;
			if (i >= warm) {
				lat[i - warm] = now_ns() - s;
				if (s - t0 > o->max_ns) {
					count = i - warm + 1;
					break;
				}
			}
		} else {
			if (t->send(&x, buf, size))
				goto broken;
			if (!(i & 63) && i > warm && now_ns() - t0 > o->max_ns) {
				count = i - warm + 1;
				break;
			}
		}
	}
	stamp(buf, size, SEQ_STOP);
	if (t->send(&x, buf, size))
		goto broken;
	if (wl == WL_STREAM) {
		n = t->recv(&x, buf, size);
		if (n != (long)size || seq_of(buf) != SEQ_STOP)
			goto broken;
	}
	res->secs = (now_ns() - t0) / 1e9;
	t->detach(&x);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		res->status = -EPROTO;
		snprintf(res->why, sizeof(res->why),
			 "receiver failed verification (status %#x)", status);
		goto out_teardown;
	}
	res->msgs = count;
	res->msgs_per_s = count / res->secs;
	res->bytes_per_s = res->msgs_per_s * size;
	res->csw_per_msg = (double)(csw(RUSAGE_SELF) + csw(RUSAGE_CHILDREN) -
				    csw0) / count;
	if (wl == WL_PINGPONG) {
		double sum = 0;

		qsort(lat, count, sizeof(*lat), cmp_u64);
		for (i = 0; i < count; i++)
			sum += lat[i];
		res->mean = sum / count;
		res->p50 = pct(lat, count, 0.50);
		res->p90 = pct(lat, count, 0.90);
		res->p99 = pct(lat, count, 0.99);
		res->p999 = pct(lat, count, 0.999);
		res->max = lat[count - 1];
	}
	goto out_teardown;

broken:
	res->status = -EPROTO;
	snprintf(res->why, sizeof(res->why),
		 "lost or corrupt message at %llu", (unsigned long long)i);
	t->detach(&x);
out:
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
out_teardown:
	t->teardown(&x);
	free(lat);
	free(buf);
}

static void memcpy_baseline(const struct opts *o, size_t size,
			    struct result *res)
{
	static const struct transport t_memcpy = {
		.name = "memcpy", .desc = "memcpy in one process (ceiling)",
		.copies = 1,
	};
	size_t region = 64 << 20, off = 0;
	uint64_t count = o->stream_bytes / size, i, t0;
	uint8_t *src, *dst;

	if (count < 100)
		count = 100;
	memset(res, 0, sizeof(*res));
	res->t = &t_memcpy;
	res->wl = WL_STREAM;
	res->size = size;
	if (region < 4 * size)
		region = 4 * size;
	src = aligned_alloc(64, (size + 63) & ~63UL);
	dst = aligned_alloc(64, region);
	memset(src, 1, size);
	memset(dst, 0, region);
	pin(o->cpu_a);
	t0 = now_ns();
	for (i = 0; i < count; i++) {
		if (off + size > region)
			off = 0;
		memcpy(dst + off, src, size);
		__asm__ __volatile__("" ::: "memory");
		off += (size + 63) & ~63UL;
	}
	res->secs = (now_ns() - t0) / 1e9;
	res->msgs = count;
	res->msgs_per_s = count / res->secs;
	res->bytes_per_s = res->msgs_per_s * size;
	free(src);
	free(dst);
}

/* ---- output -------------------------------------------------------------- */

static const char *wl_name(enum workload wl)
{
	return wl == WL_PINGPONG ? "pingpong" : "stream";
}

static void fmt_ns(char *out, size_t len, double ns)
{
	if (ns < 1e3)
		snprintf(out, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(out, len, "%.1f us", ns / 1e3);
	else
		snprintf(out, len, "%.2f ms", ns / 1e6);
}

static void fmt_bytes(char *out, size_t len, double b)
{
	if (b >= 1e9)
		snprintf(out, len, "%.2f GB/s", b / 1e9);
	else if (b >= 1e6)
		snprintf(out, len, "%.1f MB/s", b / 1e6);
	else
		snprintf(out, len, "%.1f kB/s", b / 1e3);
}

static void print_table(const struct result *r, unsigned int n)
{
	char a[32], b[32], c[32], d[32];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i == 0 || r[i].wl != r[i - 1].wl ||
		    r[i].size != r[i - 1].size) {
			printf("\n%s, %zu-byte messages\n", wl_name(r[i].wl),
			       r[i].size);
			if (r[i].wl == WL_PINGPONG)
				printf("  %-22s %10s %10s %10s %10s %10s %8s\n",
				       "mechanism", "p50", "p99", "p99.9",
				       "max", "msgs/s", "csw/msg");
			else
				printf("  %-22s %12s %14s %8s\n", "mechanism",
				       "msgs/s", "bytes/s", "csw/msg");
		}
		if (r[i].status) {
			printf("  %-22s %s\n", r[i].t->name, r[i].why);
			continue;
		}
		if (r[i].wl == WL_PINGPONG) {
			fmt_ns(a, sizeof(a), r[i].p50);
			fmt_ns(b, sizeof(b), r[i].p99);
			fmt_ns(c, sizeof(c), r[i].p999);
			fmt_ns(d, sizeof(d), r[i].max);
			printf("  %-22s %10s %10s %10s %10s %10.0f %8.2f\n",
			       r[i].t->name, a, b, c, d, r[i].msgs_per_s,
			       r[i].csw_per_msg);
		} else {
			fmt_bytes(a, sizeof(a), r[i].bytes_per_s);
			printf("  %-22s %12.0f %14s %8.2f\n", r[i].t->name,
			       r[i].msgs_per_s, a, r[i].csw_per_msg);
		}
	}
}

static bool virtualized(void)
{
	char line[256];
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

static void print_json(const struct opts *o, const struct result *r,
		       unsigned int n)
{
	char cpu[128], mit[256];
	struct utsname u;
	unsigned int i;

	uname(&u);
	cpu_model(cpu, sizeof(cpu));
	read_first_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2",
			mit, sizeof(mit));
	printf("{\n  \"env\": {\"kernel\": ");
	json_str(stdout, u.release);
	printf(", \"cpu\": ");
	json_str(stdout, cpu);
	printf(", \"cpus\": %ld, \"virtualized\": %s, \"spectre_v2\": ",
	       sysconf(_SC_NPROCESSORS_ONLN), virtualized() ? "true" : "false");
	json_str(stdout, mit);
	printf(", \"cpu_a\": %d, \"cpu_b\": %d},\n  \"results\": [\n",
	       o->cpu_a, o->cpu_b);
	for (i = 0; i < n; i++) {
		printf("    {\"mechanism\": \"%s\", \"workload\": \"%s\", "
		       "\"size\": %zu, \"copies\": %u, ",
		       r[i].t->name, wl_name(r[i].wl), r[i].size,
		       r[i].t->copies);
		if (r[i].status) {
			printf("\"status\": \"skipped\", \"why\": ");
			json_str(stdout, r[i].why);
		} else {
			printf("\"status\": \"ok\", \"msgs\": %llu, "
			       "\"secs\": %.6f, \"msgs_per_s\": %.1f, "
			       "\"bytes_per_s\": %.1f, \"csw_per_msg\": %.4f",
			       (unsigned long long)r[i].msgs, r[i].secs,
			       r[i].msgs_per_s, r[i].bytes_per_s,
			       r[i].csw_per_msg);
			if (r[i].wl == WL_PINGPONG)
				printf(", \"rtt_ns\": {\"mean\": %.0f, "
				       "\"p50\": %.0f, \"p90\": %.0f, "
				       "\"p99\": %.0f, \"p99_9\": %.0f, "
				       "\"max\": %.0f}",
				       r[i].mean, r[i].p50, r[i].p90,
				       r[i].p99, r[i].p999, r[i].max);
		}
		printf("}%s\n", i + 1 < n ? "," : "");
	}
	printf("  ]\n}\n");
}

/* ---- command line -------------------------------------------------------- */

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"usage: ramchan-bench [options]\n\n"
		"Compare ways of moving messages between two processes.\n\n"
		"  -m, --mechanisms LIST  comma-separated (default: all; see --list)\n"
		"  -w, --workload W       pingpong, stream or all (default all)\n"
		"  -s, --sizes LIST       message sizes in bytes, k/M suffixes\n"
		"                         (default 64,65536)\n"
		"  -n, --iters N          pingpong round trips (default 20000)\n"
		"  -b, --stream-bytes N   bytes per stream run (default 256M)\n"
		"  -t, --seconds S        stop a run after S seconds (default 2)\n"
		"      --same-core        both processes on CPU 0\n"
		"  -j, --json             JSON on stdout (progress on stderr)\n"
		"  -q, --quiet            no progress\n"
		"  -l, --list             list the mechanisms\n"
		"  -h, --help             this text\n\n"
		"mechanisms:\n");
	for (i = 0; i < NR_TRANSPORTS; i++)
		fprintf(f, "  %-22s %s\n", transports[i]->name,
			transports[i]->desc);
	fprintf(f, "  %-22s %s\n", "memcpy",
		"memcpy in one process, stream only (the ceiling)");
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; break;
	case 'm': case 'M': v <<= 20; break;
	case 'g': case 'G': v <<= 30; break;
	case 0: break;
	default: return 0;
	}
	return v;
}

static bool wanted(const struct opts *o, const char *name)
{
	const char *p = o->mechanisms;
	size_t len = strlen(name);

	if (!p)
		return true;
	while (*p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return false;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mechanisms", required_argument, NULL, 'm' },
		{ "workload", required_argument, NULL, 'w' },
		{ "sizes", required_argument, NULL, 's' },
		{ "iters", required_argument, NULL, 'n' },
		{ "stream-bytes", required_argument, NULL, 'b' },
		{ "same-core", no_argument, NULL, 'C' },
		{ "seconds", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.workloads = 3, .iters = 20000, .stream_bytes = 256 << 20,
		.cpu_a = 0, .cpu_b = 1, .max_ns = 2000000000ULL,
	};
	struct result *res;
	unsigned int i, s, w, n = 0, total, done = 0;
	char *tok, *save;
	int c;

	while ((c = getopt_long(argc, argv, "m:w:s:n:b:t:jqlh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'm':
			o.mechanisms = optarg;
			break;
		case 'w':
			if (!strcmp(optarg, "pingpong"))
				o.workloads = 1;
			else if (!strcmp(optarg, "stream"))
				o.workloads = 2;
			else if (!strcmp(optarg, "all"))
				o.workloads = 3;
			else {
				fprintf(stderr, "ramchan-bench: unknown workload '%s': pingpong, stream or all\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			for (tok = strtok_r(optarg, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				uint64_t v = parse_size(tok);

				if (v < 8 || v > (64 << 20) || o.nr_sizes == 32) {
					fprintf(stderr, "ramchan-bench: bad size '%s' (8 to 64M, at most 32 sizes)\n",
						tok);
					return 2;
				}
				o.sizes[o.nr_sizes++] = v;
			}
			break;
		case 'n':
			o.iters = parse_size(optarg);
			if (!o.iters) {
				fprintf(stderr, "ramchan-bench: bad --iters\n");
				return 2;
			}
			break;
		case 'b':
			o.stream_bytes = parse_size(optarg);
			if (!o.stream_bytes) {
				fprintf(stderr, "ramchan-bench: bad --stream-bytes\n");
				return 2;
			}
			break;
		case 'C':
			o.cpu_b = 0;
			break;
		case 't':
			o.max_ns = strtod(optarg, NULL) * 1e9;
			if (o.max_ns < 1000000) {
				fprintf(stderr, "ramchan-bench: bad --seconds (at least 0.001)\n");
				return 2;
			}
			break;
		case 'j':
			o.json = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'l':
			for (i = 0; i < NR_TRANSPORTS; i++)
				printf("%-22s %s\n", transports[i]->name,
				       transports[i]->desc);
			printf("%-22s %s\n", "memcpy",
			       "memcpy in one process, stream only");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o.nr_sizes) {
		o.sizes[o.nr_sizes++] = 64;
		o.sizes[o.nr_sizes++] = 65536;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		o.cpu_b = 0;
	if (o.mechanisms) {
		for (tok = strdup(o.mechanisms), save = tok; tok;) {
			char *comma = strchr(tok, ',');
			bool known = !strncmp(tok, "memcpy", comma ? (size_t)(comma - tok) : strlen(tok));

			if (comma)
				*comma = 0;
			for (i = 0; i < NR_TRANSPORTS && !known; i++)
				known = !strcmp(tok, transports[i]->name);
			if (!known) {
				fprintf(stderr, "ramchan-bench: unknown mechanism '%s' (see --list)\n",
					tok);
				return 2;
			}
			tok = comma ? comma + 1 : NULL;
		}
		free(save);
	}

	total = 2 * o.nr_sizes * (NR_TRANSPORTS + 1);
	res = calloc(total, sizeof(*res));
	total = 0;
	for (w = 0; w < 2; w++)
		for (s = 0; s < o.nr_sizes; s++)
			for (i = 0; i <= NR_TRANSPORTS; i++)
				if ((o.workloads & (1u << w)) &&
				    (i < NR_TRANSPORTS ?
				     wanted(&o, transports[i]->name) :
				     w == WL_STREAM && wanted(&o, "memcpy")))
					total++;

	for (w = 0; w < 2; w++) {
		if (!(o.workloads & (1u << w)))
			continue;
		for (s = 0; s < o.nr_sizes; s++) {
			for (i = 0; i <= NR_TRANSPORTS; i++) {
				struct result *r = &res[n];

				if (i == NR_TRANSPORTS) {
					if (w != WL_STREAM || !wanted(&o, "memcpy"))
						continue;
					memcpy_baseline(&o, o.sizes[s], r);
				} else {
					if (!wanted(&o, transports[i]->name))
						continue;
					if (!o.quiet)
						fprintf(stderr, "[%u/%u] %s %s %zu B ...\r",
							done + 1, total,
							transports[i]->name,
							wl_name(w), o.sizes[s]);
					measure(&o, transports[i], w,
						o.sizes[s], r);
				}
				n++;
				done++;
				if (!o.quiet)
					fprintf(stderr, "[%u/%u] %-20s %-8s %8zu B %s\033[K\n",
						done, total, r->t->name,
						wl_name(w), o.sizes[s],
						r->status ? r->why : "ok");
			}
		}
	}

	if (o.json)
		print_json(&o, res, n);
	else
		print_table(res, n);
	free(res);
	return 0;
}
