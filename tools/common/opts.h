/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/common/opts.h: what every ramchan command line shares.
 *
 * Each command describes its options in one table; cli_parse() parses
 * argv with getopt_long() built from that table, stores each option into
 * the caller's argument struct, and answers --help (generated from the
 * same table) and --version itself:
 *
 *	static const struct cli_opt opts[] = {
 *		{ "verbose", 'v', CLI_OPT_FLAG, offsetof(struct args, verbose),
 *		  NULL, "list every object" },
 *		CLI_OPTS_STANDARD,
 *		{ NULL },
 *	};
 *	ret = cli_parse(&spec, argc, argv, &args);
 *	if (ret != CLI_CONTINUE)
 *		return ret;
 */
#ifndef RAMCHAN_COMMON_OPTS_H
#define RAMCHAN_COMMON_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cli_opt_type {
	CLI_OPT_FLAG,		/* sets the bool at @offset */
	CLI_OPT_STRING,		/* stores its argument in the char * at @offset */
	CLI_OPT_HELP,		/* prints the generated help; exit status 0 */
	CLI_OPT_VERSION,	/* prints the version; exit status 0 */
};

/**
 * struct cli_opt - one option of a command
 * @name:	long name, without the dashes; NULL ends a table
 * @short_name:	its one-letter form, or 0
 * @type:	what it does
 * @offset:	offsetof() its bool or char * in the command's argument struct
 * @arg:	CLI_OPT_STRING: the argument's name in the help
 * @help:	one line for the help
 */
struct cli_opt {
	const char *name;
	char short_name;
	enum cli_opt_type type;
	size_t offset;
	const char *arg;
	const char *help;
};

#define CLI_OPTS_STANDARD						\
	{ "help", 'h', CLI_OPT_HELP, 0, NULL, "print this help and exit" }, \
	{ "version", 'V', CLI_OPT_VERSION, 0, NULL, "print the version and exit" }

/**
 * struct cli_spec - a command line
 * @prog:	the command as typed, for the help and errors ("ramchan census")
 * @usage:	what follows @prog in the usage line
 * @summary:	what the command does, for the help (may hold newlines)
 * @opts:	its options, ended by an entry with a NULL @name
 * @version:	what --version prints
 * @more_help:	prints the rest of the help (columns, commands), or NULL
 * @operands:	operands are allowed: parsing stops at the first one
 *		(optind names it); otherwise any operand is a usage error
 */
struct cli_spec {
	const char *prog;
	const char *usage;
	const char *summary;
	const struct cli_opt *opts;
	const char *version;
	void (*more_help)(FILE *f);
	bool operands;
};

/* cli_parse(): go on with the command. Any other value is its exit status. */
#define CLI_CONTINUE	(-1)
#define CLI_EXIT_USAGE	2

/*
 * Parse @argv[1..@argc) by @spec into @args. Return CLI_CONTINUE, or 0
 * after --help or --version, or CLI_EXIT_USAGE after saying on stderr
 * what was wrong and where the help is.
 */
int cli_parse(const struct cli_spec *spec, int argc, char **argv, void *args);
void cli_help(const struct cli_spec *spec, FILE *f);

/* "PROG: " and the message on stderr, " (see PROG --help)"; return 2. */
int cli_usage_error(const struct cli_spec *spec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Say "PROG: out of memory" and exit 1: what every tool does then. */
void __attribute__((noreturn)) cli_out_of_memory(void);

#endif /* RAMCHAN_COMMON_OPTS_H */
