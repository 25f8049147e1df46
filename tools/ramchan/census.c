// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: for each IPC mechanism on this host, how many objects
 * exist and how much RAM they hold right now, with the processes that own
 * them. Documentation/admin-guide/ramchan-census.rst says where each
 * number comes from and what it means.
 *
 * This file is the command: its options, the order of the scans
 * (census_scan.h) over one model (census_model.h), then the output
 * (census_output.h). Nothing calls back into it.
 *
 *	ramchan census [-v] [--only MECH,...] [--nonempty] [-o COLS] [--raw]
 *	ramchan --json census
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/opts.h"
#include "cli.h"
#include "census_model.h"
#include "census_output.h"
#include "census_scan.h"

struct census_args {
	struct cli_opts common;
	bool verbose;
	bool nonempty;
	bool raw;
	bool bytes;
	const char *only;
	const char *output;
	const char *output_objects;
};

#define CENSUS_OPT(field) offsetof(struct census_args, field)

static const struct cli_opt census_opts[] = {
	{ "verbose", 'v', CLI_OPT_FLAG, CENSUS_OPT(verbose), NULL,
	  "list every object with its owners too" },
	{ "json", 'j', CLI_OPT_FLAG, CENSUS_OPT(common.json), NULL,
	  "JSON: the summary and every object" },
	{ "only", 0, CLI_OPT_STRING, CENSUS_OPT(only), "LIST",
	  "only these mechanisms (comma-separated, below)" },
	{ "nonempty", 'n', CLI_OPT_FLAG, CENSUS_OPT(nonempty), NULL,
	  "list only objects that hold bytes" },
	{ "output", 'o', CLI_OPT_STRING, CENSUS_OPT(output), "COLS",
	  "columns of the summary (+COLS: the defaults and these)" },
	{ "output-objects", 'O', CLI_OPT_STRING, CENSUS_OPT(output_objects),
	  "COLS", "columns of the object list (implies -v)" },
	{ "raw", 'r', CLI_OPT_FLAG, CENSUS_OPT(raw), NULL,
	  "unaligned tables for scripts: no title, notes on stderr" },
	{ "bytes", 'b', CLI_OPT_FLAG, CENSUS_OPT(bytes), NULL,
	  "sizes in bytes, not KiB, MiB, ..." },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static void census_more_help(FILE *f)
{
	size_t i;

	fprintf(f, "\nmechanisms:\n ");
	for (i = 0; i < CENSUS_NR_MECHS; i++)
		fprintf(f, " %s", census_mechs[i].name);
	fputc('\n', f);
	table_columns_help(f, "summary columns (-o)", census_summary_columns,
			   CENSUS_NR_SUM_COLS);
	table_columns_help(f, "object columns (-O)", census_object_columns,
			   CENSUS_NR_OBJ_COLS);
	fprintf(f, "\nRun as root to see every process's objects. See\n"
		   "Documentation/admin-guide/ramchan-census.rst.\n");
}

static const struct cli_spec census_spec = {
	.prog = "ramchan census",
	.usage = "[-v] [--only MECH,...] [--nonempty] [-o COLS] [--raw] [--json]",
	.summary = "How many IPC objects of each kind exist and how much RAM they hold now.",
	.opts = census_opts,
	.version = cli_version,
	.more_help = census_more_help,
};

static int census_parse_only(struct census_view *view, const char *list)
{
	const char *w = list, *end;
	size_t i, len;

	memset(view->only, 0, sizeof(view->only));
	for (; *w; w = *end ? end + 1 : end) {
		end = w + strcspn(w, ",");
		len = end - w;
		if (!len)
			continue;
		for (i = 0; i < CENSUS_NR_MECHS; i++)
			if (strlen(census_mechs[i].name) == len &&
			    !strncmp(w, census_mechs[i].name, len))
				break;
		if (i == CENSUS_NR_MECHS)
			return cli_usage_error(&census_spec,
					       "unknown mechanism '%.*s'",
					       (int)len, w);
		view->only[i] = true;
	}
	return 0;
}

/* The view the options ask for; 0, or the exit status of a usage error. */
static int census_view_from(struct census_view *view,
			    const struct census_args *args)
{
	int ret = 0;

	memset(view, 0, sizeof(*view));
	memset(view->only, 1, sizeof(view->only));
	view->verbose = args->verbose || args->output_objects;
	view->nonempty = args->nonempty;
	view->raw = args->raw;
	view->bytes = args->bytes;
	table_select_defaults(&view->summary, census_summary_columns,
			      CENSUS_NR_SUM_COLS);
	table_select_defaults(&view->objects, census_object_columns,
			      CENSUS_NR_OBJ_COLS);
	if (args->only)
		ret = census_parse_only(view, args->only);
	if (!ret && args->output)
		ret = table_select_parse(&view->summary, census_summary_columns,
					 CENSUS_NR_SUM_COLS, args->output,
					 &census_spec);
	if (!ret && args->output_objects)
		ret = table_select_parse(&view->objects, census_object_columns,
					 CENSUS_NR_OBJ_COLS,
					 args->output_objects, &census_spec);
	return ret;
}

/* Every scanner, in the order their data depend on each other. */
static void census_take(struct census *c)
{
	c->self = getpid();
	c->page_size = sysconf(_SC_PAGESIZE);
	census_scan_filesystems(c);
	census_scan_procs(c);
	census_scan_pipes(c);
	census_scan_unix(c);
	census_scan_tcp(c);
	census_scan_posix_mq(c);
	census_scan_sysv(c);
	census_scan_posix_shm(c);
	census_scan_signals(c);
	census_scan_ramchan(c);

	if (c->procs_denied)
		census_note(c, "the fds or mappings of %u process%s could not be read (permission denied): what they own is missing%s",
			    c->procs_denied, c->procs_denied == 1 ? "" : "es",
			    geteuid() ? "; run as root" : "");
	if (c->procs_vanished)
		census_note(c, "%u process%s exited during the scan",
			    c->procs_vanished, c->procs_vanished == 1 ? "" : "es");
}

int cmd_census(const struct cli_opts *opts, int argc, char **argv)
{
	struct census_args args = { .common = *opts };
	struct census_view view;
	struct census c = { 0 };
	int ret;

	ret = cli_parse(&census_spec, argc, argv, &args);
	if (ret != CLI_CONTINUE)
		return ret;
	ret = census_view_from(&view, &args);
	if (ret)
		return ret;

	census_take(&c);
	if (args.common.json)
		ret = census_print_json(&c, &view, stdout);
	else
		ret = census_print_table(&c, &view, stdout);
	if (ret || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ramchan census: writing the output: %s\n",
			strerror(ret ? -ret : errno));
		ret = 1;
	}
	census_free(&c);
	return ret;
}
