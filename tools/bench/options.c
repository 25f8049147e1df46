// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench command line. Every option is one row of options[] (after
 * the handlers it names): its long and short names, its argument, its
 * help, its default, and what it sets (a field, or a handler that checks
 * the argument). The getopt_long() arrays and --help are both made from
 * that table, and each default is the argument the option would be given,
 * applied by the same handler when the command line does not give the
 * option. getopt_long() rather than glibc's argp: argp would print --help
 * and its errors in its own layout (and add --usage and -?), while the
 * bench's --help and messages stay as they were.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#ifndef RAMCHAN_BENCH_VERSION
#define RAMCHAN_BENCH_VERSION "unknown"
#endif

/* The size sweep of --sizes sweep: 8 B to 1 MiB. */
static const size_t sweep[] = {
	8, 64, 512, 4096, 32768, 65536, 262144, 1048576,
};

enum opt_kind { OPT_CALL, OPT_FLAG, OPT_TEXT };

struct opt_def {
	const char *name;	/* --name */
	char key;		/* -k, or 0: long only */
	const char *arg;	/* the argument's name in --help; NULL: none */
	/* --help; each '\n' starts a line of its own, indented. */
	const char *help;
	/*
	 * The argument when the option is not given, also shown in --help
	 * (after the help, or on a line of its own if the help ends in '\n').
	 */
	const char *def;
	enum opt_kind kind;
	union {
		/* OPT_CALL: 0, or 2 (said on stderr). */
		int (*set)(struct opts *o, const char *arg);
		size_t field;	/* OPT_FLAG: a bool, OPT_TEXT: a string */
	};
};

#define CALL(fn)	.kind = OPT_CALL, .set = (fn)
#define FLAG(f)		.kind = OPT_FLAG, .field = offsetof(struct opts, f)
#define TEXT(f)		.kind = OPT_TEXT, .field = offsetof(struct opts, f)

/* ---- the handlers ------------------------------------------------------- */

/* A byte count with an optional k, M or G suffix; 0 if not one. */
static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (end == s)
		return 0;
	if (*end == 'k' || *end == 'K')
		v <<= 10;
	else if (*end == 'm' || *end == 'M')
		v <<= 20;
	else if (*end == 'g' || *end == 'G')
		v <<= 30;
	else if (*end)
		return 0;
	return *end && end[1] ? 0 : v;
}

/* "ramchan-bench: bad --NAME 'ARG'RANGE": 2, the exit status. */
static int bad(const char *name, const char *arg, const char *range)
{
	fprintf(stderr, "ramchan-bench: bad --%s '%s'%s\n", name, arg, range);
	return 2;
}

static int set_mechanisms(struct opts *o, const char *arg)
{
	char *dup = strdup(arg), *tok, *save;
	const struct transport *t;
	unsigned int i;

	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; (t = mechanism(i)) && strcmp(tok, t->name); i++)
			;
		if (!t) {
			fprintf(stderr, "ramchan-bench: unknown mechanism '%s' (see --list)\n",
				tok);
			free(dup);
			return 2;
		}
	}
	free(dup);
	o->mechanisms = arg;
	return 0;
}

static int set_workload(struct opts *o, const char *arg)
{
	if (!strcmp(arg, "pingpong")) {
		o->workloads = 1u << WL_PINGPONG;
	} else if (!strcmp(arg, "stream")) {
		o->workloads = 1u << WL_STREAM;
	} else if (!strcmp(arg, "all")) {
		o->workloads = 3;
	} else {
		fprintf(stderr, "ramchan-bench: unknown workload '%s': pingpong, stream or all\n",
			arg);
		return 2;
	}
	return 0;
}

/* One item of --sizes: a size, or 'sweep'; 0 or -1. */
static int add_size(struct opts *o, const char *tok)
{
	uint64_t v;
	size_t i;

	if (!strcmp(tok, "sweep")) {
		for (i = 0; i < sizeof(sweep) / sizeof(sweep[0]); i++) {
			if (o->nr_sizes == MAX_SIZES)
				return -1;
			o->sizes[o->nr_sizes++] = sweep[i];
		}
		return 0;
	}
	v = parse_size(tok);
	if (v < 8 || v > (64 << 20) || o->nr_sizes == MAX_SIZES)
		return -1;
	o->sizes[o->nr_sizes++] = v;
	return 0;
}

static int set_sizes(struct opts *o, const char *arg)
{
	char *dup = strdup(arg), *tok, *save;
	int ret = 0;

	for (tok = strtok_r(dup, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		if (add_size(o, tok)) {
			fprintf(stderr, "ramchan-bench: bad size '%s' (8 to 64M, at most %d sizes)\n",
				tok, MAX_SIZES);
			ret = 2;
		}
	}
	free(dup);
	return ret;
}

static int set_iters(struct opts *o, const char *arg)
{
	o->iters = parse_size(arg);
	return o->iters ? 0 : bad("iters", arg, "");
}

static int set_stream_bytes(struct opts *o, const char *arg)
{
	o->stream_bytes = parse_size(arg);
	return o->stream_bytes ? 0 : bad("stream-bytes", arg, "");
}

static int set_seconds(struct opts *o, const char *arg)
{
	char *end;

	o->max_ns = strtod(arg, &end) * 1e9;
	if (*end || o->max_ns < 1000000)
		return bad("seconds", arg, " (at least 0.001)");
	return 0;
}

static int set_runs(struct opts *o, const char *arg)
{
	char *end;

	o->runs = strtoul(arg, &end, 10);
	if (*end || !o->runs || o->runs > 100)
		return bad("runs", arg, " (1 to 100)");
	return 0;
}

static int set_rate(struct opts *o, const char *arg)
{
	char *end;

	o->rate = strtod(arg, &end);
	if (*end || o->rate < 1 || o->rate > 1e8)
		return bad("rate", arg, " (1 to 1e8 round trips/s)");
	return 0;
}

static int set_same_core(struct opts *o, const char *arg)
{
	(void)arg;
	o->cpu_b = 0;
	return 0;
}

/* ---- --list, --help, --version ------------------------------------------ */

static void usage(FILE *f);

static void list_mechanisms(FILE *f, const char *indent)
{
	const struct transport *t;
	unsigned int i;

	for (i = 0; (t = mechanism(i)); i++)
		fprintf(f, "%s%-22s %s\n", indent, t->name, t->desc);
}

static int show_list(struct opts *o, const char *arg)
{
	(void)o;
	(void)arg;
	list_mechanisms(stdout, "");
	exit(0);
}

static int show_help(struct opts *o, const char *arg)
{
	(void)o;
	(void)arg;
	usage(stdout);
	exit(0);
}

static int show_version(struct opts *o, const char *arg)
{
	(void)o;
	(void)arg;
	printf("ramchan-bench %s\n", RAMCHAN_BENCH_VERSION);
	exit(0);
}

/* ---- the table ---------------------------------------------------------- */

static const struct opt_def options[] = {
	{ .name = "mechanisms", .key = 'm', .arg = "LIST", CALL(set_mechanisms),
	  .help = "comma-separated (default: all; see --list)" },
	{ .name = "workload", .key = 'w', .arg = "W", CALL(set_workload),
	  .help = "pingpong, stream or all", .def = "all" },
	{ .name = "sizes", .key = 's', .arg = "LIST", CALL(set_sizes),
	  .help = "message sizes in bytes, k/M suffixes, or\n"
		  "'sweep' for 8,64,512,4k,32k,64k,256k,1M\n",
	  .def = "64,65536" },
	{ .name = "iters", .key = 'n', .arg = "N", CALL(set_iters),
	  .help = "pingpong round trips per run", .def = "20000" },
	{ .name = "stream-bytes", .key = 'b', .arg = "N", CALL(set_stream_bytes),
	  .help = "bytes per stream run", .def = "256M" },
	{ .name = "seconds", .key = 't', .arg = "S", CALL(set_seconds),
	  .help = "stop a run after S seconds", .def = "2" },
	{ .name = "runs", .key = 'r', .arg = "N", CALL(set_runs),
	  .help = "repeat each measurement N times", .def = "1" },
	{ .name = "rate", .key = 'R', .arg = "N", CALL(set_rate),
	  .help = "open loop: N round trips/s on a fixed\n"
		  "schedule, latency from the intended send" },
	{ .name = "same-core", CALL(set_same_core),
	  .help = "both processes on CPU 0" },
	{ .name = "syscalls", FLAG(syscalls),
	  .help = "count system calls per message (perf,\n"
		  "raw_syscalls tracepoint, during warm-up)" },
	{ .name = "json", .key = 'j', FLAG(json),
	  .help = "JSON on stdout (progress on stderr)" },
	{ .name = "csv", .key = 'c', FLAG(csv),
	  .help = "CSV on stdout" },
	{ .name = "plot", .key = 'p', .arg = "DIR", TEXT(plot_dir),
	  .help = "write gnuplot plots (SVG and PNG) to DIR" },
	{ .name = "save", .key = 'S', .arg = "DIR", TEXT(save_dir),
	  .help = "also write DIR/bench.json and DIR/bench.csv" },
	{ .name = "from", .key = 'f', .arg = "FILE", TEXT(from),
	  .help = "with --plot: plot an earlier --csv output" },
	{ .name = "quiet", .key = 'q', FLAG(quiet),
	  .help = "no progress" },
	{ .name = "list", .key = 'l', CALL(show_list),
	  .help = "list the mechanisms" },
	{ .name = "help", .key = 'h', CALL(show_help),
	  .help = "this text" },
	{ .name = "version", .key = 'V', CALL(show_version),
	  .help = "the version" },
};

#define NR_OPTIONS	(sizeof(options) / sizeof(options[0]))

/* ---- --help ------------------------------------------------------------- */

/* "--name ARG", the left column of --help. */
static int option_words(char *buf, size_t len, const struct opt_def *d)
{
	return snprintf(buf, len, "--%s%s%s", d->name, d->arg ? " " : "",
			d->arg ? d->arg : "");
}

/* One option in --help: "  -k, --name ARG  help", the help's lines indented. */
static void help_option(FILE *f, const struct opt_def *d, int width)
{
	const char *p = d->help;
	char words[64];
	size_t len;

	option_words(words, sizeof(words), d);
	if (d->key)
		fprintf(f, "  -%c, %-*s  ", d->key, width, words);
	else
		fprintf(f, "      %-*s  ", width, words);
	for (;;) {
		len = strcspn(p, "\n");
		fprintf(f, "%.*s", (int)len, p);
		p += len;
		if (!*p)
			break;
		fprintf(f, "\n%*s", 6 + width + 2, "");
		p++;
	}
	if (d->def)
		fprintf(f, "%s(default %s)",
			p > d->help && p[-1] == '\n' ? "" : " ", d->def);
	fputc('\n', f);
}

static void usage(FILE *f)
{
	unsigned int i;
	int width = 0, w;
	char words[64];

	for (i = 0; i < NR_OPTIONS; i++) {
		w = option_words(words, sizeof(words), &options[i]);
		if (w > width)
			width = w;
	}
	fprintf(f,
		"usage: ramchan-bench [options]\n"
		"       ramchan-bench --plot DIR --from RESULTS.csv\n\n"
		"Compare ways of moving messages between two processes: the\n"
		"same workloads over every mechanism, every message verified.\n\n");
	for (i = 0; i < NR_OPTIONS; i++)
		help_option(f, &options[i], width);
	fprintf(f,
		"\nMechanisms that need /dev/ramchan are skipped, with the reason,\n"
		"when the module is not loaded; a size a mechanism cannot carry\n"
		"is reported as unsupported.\n\n"
		"mechanisms:\n");
	list_mechanisms(f, "  ");
}

/* ---- parsing ------------------------------------------------------------ */

/* getopt_long()'s value for options[@i]: its short name, or above 255. */
static int opt_val(unsigned int i)
{
	return options[i].key ? options[i].key : 256 + (int)i;
}

/* The getopt_long() arrays of options[]. */
static void getopt_arrays(struct option *longopts, char *shortopts)
{
	unsigned int i;

	for (i = 0; i < NR_OPTIONS; i++) {
		longopts[i] = (struct option){
			options[i].name,
			options[i].arg ? required_argument : no_argument,
			NULL, opt_val(i),
		};
		if (options[i].key) {
			*shortopts++ = options[i].key;
			if (options[i].arg)
				*shortopts++ = ':';
		}
	}
	longopts[i] = (struct option){ NULL, 0, NULL, 0 };
	*shortopts = 0;
}

static int apply(const struct opt_def *d, struct opts *o, const char *arg)
{
	switch (d->kind) {
	case OPT_FLAG:
		*(bool *)((char *)o + d->field) = true;
		return 0;
	case OPT_TEXT:
		*(const char **)((char *)o + d->field) = arg;
		return 0;
	default:
		return d->set(o, arg);
	}
}

/* What the options given say of one another; 0 or 2. */
static int check_opts(const struct opts *o)
{
	if (o->json && o->csv) {
		fprintf(stderr, "ramchan-bench: --json or --csv, not both\n");
		return 2;
	}
	if (o->from && !o->plot_dir) {
		fprintf(stderr, "ramchan-bench: --from needs --plot DIR\n");
		return 2;
	}
	return 0;
}

int parse_opts(int argc, char **argv, struct opts *o)
{
	struct option longopts[NR_OPTIONS + 1];
	char shortopts[2 * NR_OPTIONS + 1];
	bool given[NR_OPTIONS] = { false };
	unsigned int i;
	int c, ret;

	*o = (struct opts){ .cpu_a = 0, .cpu_b = 1 };
	getopt_arrays(longopts, shortopts);
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		for (i = 0; i < NR_OPTIONS && opt_val(i) != c; i++)
			;
		if (i == NR_OPTIONS) {
			usage(stderr);
			return 2;
		}
		ret = apply(&options[i], o, optarg);
		if (ret)
			return ret;
		given[i] = true;
	}
	if (optind < argc) {
		fprintf(stderr, "ramchan-bench: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return 2;
	}
	for (i = 0; i < NR_OPTIONS; i++)
		if (!given[i] && options[i].def)
			apply(&options[i], o, options[i].def);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		o->cpu_b = 0;
	return check_opts(o);
}
