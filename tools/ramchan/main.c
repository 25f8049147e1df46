// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan - command line tool for /dev/ramchan. Owns the command table
 * and the global options (before the command), and runs the command;
 * nothing calls back into it.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/opts.h"
#include "cli.h"

static const struct cli_command commands[] = {
	{ "info", "module ABI version, features and limits", cmd_info },
	{ "census", "IPC objects on this host and the RAM they hold", cmd_census },
	{ "create", "create a named ring or message queue", cmd_create },
	{ "unlink", "remove a channel's name", cmd_unlink },
	{ "open", "run a command with a channel open as an fd", cmd_open },
	{ "send", "send messages (arguments or stdin lines) to a channel", cmd_send },
	{ "recv", "receive messages from a channel and print them", cmd_recv },
	{ "list", "the channels, with their figures (netlink)", cmd_list },
	{ "stat", "every figure of one channel, and its peers", cmd_stat },
	{ "monitor", "print channel events as they happen", cmd_monitor },
	{ "top", "channel rates, refreshed", cmd_top },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void main_commands_help(FILE *f)
{
	size_t i;

	fprintf(f, "\ncommands (ramchan COMMAND --help for theirs):\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s  %s\n", commands[i].name, commands[i].summary);
}

static const struct cli_opt main_opts[] = {
	{ "json", 'j', CLI_OPT_FLAG, offsetof(struct cli_opts, json), NULL,
	  "machine-readable output" },
	{ "device", 'd', CLI_OPT_STRING, offsetof(struct cli_opts, dev), "PATH",
	  "control device (default /dev/ramchan)" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static const struct cli_spec main_spec = {
	.prog = "ramchan",
	.usage = "[--json] [--device PATH] COMMAND [ARGS]",
	.summary = "Inspect the ramchan module and the IPC of this host.",
	.opts = main_opts,
	.version = cli_version,
	.more_help = main_commands_help,
	.operands = true,
};

int main(int argc, char **argv)
{
	struct cli_opts opts = { .dev = "/dev/ramchan" };
	int ret;
	size_t i;

	ret = cli_parse(&main_spec, argc, argv, &opts);
	if (ret != CLI_CONTINUE)
		return ret;
	if (optind >= argc) {
		cli_help(&main_spec, stderr);
		return CLI_EXIT_USAGE;
	}
	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(argv[optind], commands[i].name))
			return commands[i].run(&opts, argc - optind,
					       argv + optind);
	return cli_usage_error(&main_spec, "unknown command '%s'",
			       argv[optind]);
}
