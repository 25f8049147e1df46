// SPDX-License-Identifier: GPL-2.0
/*
 * tools/common/opts.c: options from one table per command. Owns the
 * getopt_long() set-up, the generated --help, --version, and the wording
 * of usage errors (exit status 2) and of running out of memory (1).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

/* Long options without a letter get a value above every char. */
#define CLI_LONG_ONLY	256

/* The command being parsed, for the messages. */
static const char *cli_prog = "ramchan";

void cli_out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", cli_prog);
	exit(1);
}

int cli_usage_error(const struct cli_spec *spec, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", spec->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", spec->prog);
	return CLI_EXIT_USAGE;
}

static size_t cli_nr_opts(const struct cli_spec *spec)
{
	size_t n = 0;

	while (spec->opts[n].name)
		n++;
	return n;
}

/* "-v, --verbose" or "    --raw", and " ARG": the left column of the help. */
static int cli_opt_label(const struct cli_opt *o, char *buf, size_t size)
{
	return snprintf(buf, size, "%c%c%c --%s%s%s",
			o->short_name ? '-' : ' ', o->short_name ?: ' ',
			o->short_name ? ',' : ' ', o->name,
			o->arg ? " " : "", o->arg ?: "");
}

void cli_help(const struct cli_spec *spec, FILE *f)
{
	size_t i, nr = cli_nr_opts(spec);
	int width = 0, len;
	char label[128];

	fprintf(f, "usage: %s %s\n\n%s\n\noptions:\n", spec->prog, spec->usage,
		spec->summary);
	for (i = 0; i < nr; i++) {
		len = cli_opt_label(&spec->opts[i], label, sizeof(label));
		if (len > width)
			width = len;
	}
	for (i = 0; i < nr; i++) {
		cli_opt_label(&spec->opts[i], label, sizeof(label));
		fprintf(f, "  %-*s  %s\n", width, label, spec->opts[i].help);
	}
	if (spec->more_help)
		spec->more_help(f);
}

static const struct cli_opt *cli_opt_by_val(const struct cli_spec *spec,
					    int val)
{
	size_t i, nr = cli_nr_opts(spec);

	for (i = 0; i < nr; i++)
		if ((spec->opts[i].short_name &&
		     val == spec->opts[i].short_name) ||
		    val == (int)(CLI_LONG_ONLY + i))
			return &spec->opts[i];
	return NULL;
}

/* getopt_long()'s tables for @spec; ':' tells a missing argument apart. */
static struct option *cli_getopt_tables(const struct cli_spec *spec,
					char **shortopts)
{
	size_t i, nr = cli_nr_opts(spec), len = 0;
	struct option *longopts;
	const struct cli_opt *o;
	char *s;

	longopts = calloc(nr + 1, sizeof(*longopts));
	s = malloc(3 + 2 * nr + 1);
	if (!longopts || !s)
		cli_out_of_memory();
	s[len++] = '+';	/* options first: the first operand ends them */
	s[len++] = ':';
	for (i = 0; i < nr; i++) {
		o = &spec->opts[i];
		longopts[i].name = o->name;
		longopts[i].has_arg = o->type == CLI_OPT_STRING ?
				      required_argument : no_argument;
		longopts[i].val = o->short_name ?: (int)(CLI_LONG_ONLY + i);
		if (o->short_name) {
			s[len++] = o->short_name;
			if (o->type == CLI_OPT_STRING)
				s[len++] = ':';
		}
	}
	s[len] = '\0';
	*shortopts = s;
	return longopts;
}

/*
 * What getopt_long() refused (@ret is '?' or ':') in @arg, the argument
 * it was reading: a long option by its name, a short one by its letter
 * (it may be inside a cluster, "-vx").
 */
static int cli_refused(const struct cli_spec *spec, int ret, const char *arg)
{
	const struct cli_opt *o = cli_opt_by_val(spec, optopt);
	char what[64];

	if (!strncmp(arg, "--", 2))
		snprintf(what, sizeof(what), "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(what, sizeof(what), "-%c", optopt);
	if (ret == ':')
		return cli_usage_error(spec, "option '%s' needs an argument%s%s",
				       what, o && o->arg ? ": " : "",
				       o && o->arg ? o->arg : "");
	return cli_usage_error(spec, "unknown option '%s'", what);
}

int cli_parse(const struct cli_spec *spec, int argc, char **argv, void *args)
{
	const struct cli_opt *o;
	struct option *longopts;
	char *shortopts;
	int ret = CLI_CONTINUE, c, at;

	cli_prog = spec->prog;
	longopts = cli_getopt_tables(spec, &shortopts);
	optind = 0;	/* a new argv: reset getopt completely */
	opterr = 0;
	while (ret == CLI_CONTINUE) {
		/* "+": no permutation, so getopt reads argv[at] now. */
		at = optind ? optind : 1;
		c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			break;
		o = c == '?' || c == ':' ? NULL : cli_opt_by_val(spec, c);
		if (!o) {
			ret = cli_refused(spec, c, at < argc ? argv[at] : "");
			break;
		}
		switch (o->type) {
		case CLI_OPT_FLAG:
			*(bool *)((char *)args + o->offset) = true;
			break;
		case CLI_OPT_STRING:
			*(const char **)((char *)args + o->offset) = optarg;
			break;
		case CLI_OPT_HELP:
			cli_help(spec, stdout);
			ret = 0;
			break;
		case CLI_OPT_VERSION:
			printf("%s\n", spec->version);
			ret = 0;
			break;
		}
	}
	if (ret == CLI_CONTINUE && !spec->operands && optind < argc)
		ret = cli_usage_error(spec, "unexpected argument '%s'",
				      argv[optind]);
	free(longopts);
	free(shortopts);
	return ret;
}
