// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan - command line tool for /dev/ramchan.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
	{ "info", "", "module ABI version, features and limits", cmd_info },
	{ "census", "[-v] [--only LIST]", "IPC objects on this host and the RAM they hold", cmd_census },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ramchan [--json] [--device PATH] COMMAND [ARGS]\n\n"
		   "commands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %-20s %s\n", commands[i].name,
			commands[i].args, commands[i].help);
	fprintf(f, "\noptions:\n"
		   "  -j, --json         machine-readable output\n"
		   "  -d, --device PATH  control device (default /dev/ramchan)\n"
		   "  -h, --help         this text\n");
}

int cli_error(const char *what, int err)
{
	fprintf(stderr, "ramchan: %s: %s\n", what, strerror(err));
	if (err == ENOENT)
		fprintf(stderr, "ramchan: is the module loaded? try: modprobe ramchan\n");
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "ramchan: no permission: see the udev rule in Documentation/admin-guide/ramchan.rst\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts opts = { .dev = "/dev/ramchan" };
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "+jd:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opts.json = true;
			break;
		case 'd':
			opts.dev = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(argv[optind], commands[i].name))
			return commands[i].run(&opts, argc - optind,
					       argv + optind);
	fprintf(stderr, "ramchan: unknown command '%s' (see ramchan --help)\n",
		argv[optind]);
	return 2;
}
