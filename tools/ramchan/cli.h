/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan CLI: one file per command; this header is what they share.
 */
#ifndef RAMCHAN_CLI_H
#define RAMCHAN_CLI_H

#include <stdbool.h>

struct cli_opts {
	bool json;	/* --json: machine-readable output */
	const char *dev; /* control device, default /dev/ramchan */
};

struct cli_command {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(const struct cli_opts *opts, int argc, char **argv);
};

int cmd_info(const struct cli_opts *opts, int argc, char **argv);
int cmd_census(const struct cli_opts *opts, int argc, char **argv);

/* Print "ramchan: <what>: <strerror>" and a hint; return 1. */
int cli_error(const char *what, int err);

#endif /* RAMCHAN_CLI_H */
