/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan CLI: one file per command (info.c, census.c), called by main.c
 * (the command table, the global options); this header is what they
 * share, cli.c what it declares.
 */
#ifndef RAMCHAN_CLI_H
#define RAMCHAN_CLI_H

#include <stdbool.h>

/* The global options, before the command; a command may take them too. */
struct cli_opts {
	bool json;	 /* --json: machine-readable output */
	const char *dev; /* --device: control device, default /dev/ramchan */
};

/**
 * struct cli_command - one command
 * @name:	as typed
 * @summary:	one line for ramchan --help
 * @run:	runs it: @argv[0] is @name; returns the exit status
 */
struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(const struct cli_opts *opts, int argc, char **argv);
};

/* cli.c: what --version prints, for every command. */
extern const char cli_version[];

int cmd_info(const struct cli_opts *opts, int argc, char **argv);
int cmd_census(const struct cli_opts *opts, int argc, char **argv);
/* Channels from the shell: chanio.c, chanio_{open,send,recv}.c. */
int cmd_create(const struct cli_opts *opts, int argc, char **argv);
int cmd_unlink(const struct cli_opts *opts, int argc, char **argv);
int cmd_open(const struct cli_opts *opts, int argc, char **argv);
int cmd_send(const struct cli_opts *opts, int argc, char **argv);
int cmd_recv(const struct cli_opts *opts, int argc, char **argv);
/* The netlink view (nl.c): list.c (list, stat), monitor.c, top.c. */
int cmd_list(const struct cli_opts *opts, int argc, char **argv);
int cmd_stat(const struct cli_opts *opts, int argc, char **argv);
int cmd_monitor(const struct cli_opts *opts, int argc, char **argv);
int cmd_top(const struct cli_opts *opts, int argc, char **argv);

/* Print "ramchan: <what>: <strerror>" and a hint; return 1. */
int cli_error(const char *what, int err);

#endif /* RAMCHAN_CLI_H */
