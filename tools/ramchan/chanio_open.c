// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan open: run a command with a named channel open as one of its
 * fds (dup2(), so not close-on-exec), its number in RAMCHAN_FD: for
 * programs that take a channel fd, and for shell scripts, since a ring's
 * fd reads and writes one record a call.
 *
 *	ramchan open NAME [--producer|--consumer] [--fd N] -- COMMAND [ARGS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chanio.h"

struct open_args {
	struct cli_opts common;
	bool producer;
	bool consumer;
	const char *fd;
};

#define OPEN_OPT(field) offsetof(struct open_args, field)

static const struct cli_opt open_opts[] = {
	{ "producer", 'p', CLI_OPT_FLAG, OPEN_OPT(producer), NULL,
	  "open it to send only (default: send and receive)" },
	{ "consumer", 'c', CLI_OPT_FLAG, OPEN_OPT(consumer), NULL,
	  "open it to receive only" },
	{ "fd", 'f', CLI_OPT_STRING, OPEN_OPT(fd), "N",
	  "the fd COMMAND gets it as (default 3)" },
	{ "device", 'd', CLI_OPT_STRING, OPEN_OPT(common.dev), "PATH",
	  "control device (default /dev/ramchan)" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static void open_more_help(FILE *f)
{
	fprintf(f, "\nCOMMAND runs with the channel as fd N and RAMCHAN_FD=N, RAMCHAN_KIND=ring\n"
		   "or mq in its environment. A ring's fd takes read() and write(), one\n"
		   "record each:  ramchan open r -p -- sh -c 'echo hi >&3'\n");
}

static const struct cli_spec open_spec = {
	.prog = "ramchan open",
	.usage = "NAME [--producer|--consumer] [--fd N] -- COMMAND [ARGS]",
	.summary = "Run COMMAND with the channel NAME open.",
	.opts = open_opts,
	.version = cli_version,
	.more_help = open_more_help,
	.operands = true,
};

int cmd_open(const struct cli_opts *opts, int argc, char **argv)
{
	struct open_args a = { .common = *opts };
	unsigned int role = RAMCHAN_ROLE_BOTH;
	struct chanio_operands ops;
	struct chanio_chan chan;
	uint64_t target = 3;
	char num[16];
	int ret;

	ret = chanio_parse(&open_spec, argc, argv, &a, 1, &ops);
	if (ret == CLI_CONTINUE && ops.nr_word != 1)
		ret = cli_usage_error(&open_spec, "needs the name of a channel");
	if (ret == CLI_CONTINUE && !ops.nr_rest)
		ret = cli_usage_error(&open_spec, "needs a command to run: ramchan open %s -- COMMAND",
				      ops.word[0]);
	if (ret == CLI_CONTINUE)
		ret = chanio_check_name(&open_spec, ops.word[0]) ?: CLI_CONTINUE;
	if (ret == CLI_CONTINUE && a.fd &&
	    chanio_number(&open_spec, "fd", a.fd, false, 0, 1 << 20, &target))
		ret = CLI_EXIT_USAGE;
	if (ret != CLI_CONTINUE)
		goto out;
	if (a.producer != a.consumer)
		role = a.producer ? RAMCHAN_ROLE_PRODUCER : RAMCHAN_ROLE_CONSUMER;

	ret = chanio_open("ramchan open", &a.common, ops.word[0], role, false,
			  &chan);
	if (ret)
		goto out;
	/* The channel fd is O_CLOEXEC; the one dup2() makes is not. */
	if ((int)target == chan.fd)
		ret = fcntl(chan.fd, F_SETFD, 0);
	else
		ret = dup2(chan.fd, target) < 0 ? -1 : close(chan.fd);
	if (ret) {
		fprintf(stderr, "ramchan open: making it fd %d: %s\n",
			(int)target, strerror(errno));
		ret = 1;
		goto out;
	}
	snprintf(num, sizeof(num), "%d", (int)target);
	if (setenv("RAMCHAN_FD", num, 1) ||
	    setenv("RAMCHAN_KIND", ramchan_kind_name(chan.info.kind), 1))
		cli_out_of_memory();
	execvp(ops.rest[0], ops.rest);
	ret = errno == ENOENT ? 127 : 126;
	fprintf(stderr, "ramchan open: cannot run %s: %s\n", ops.rest[0],
		strerror(errno));
out:
	free(ops.word);
	return ret;
}
