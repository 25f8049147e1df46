/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan CLI: channels from the shell. The commands create, unlink
 * (chanio.c), open (chanio_open.c), send (chanio_send.c) and recv
 * (chanio_recv.c) share what is declared here, all of it in chanio.c:
 * option parsing with operands anywhere, numbers and durations, opening
 * the control device and a channel by name, and the wording of their
 * errors.
 */
#ifndef RAMCHAN_CLI_CHANIO_H
#define RAMCHAN_CLI_CHANIO_H

#include <stdbool.h>
#include <stdint.h>

#include "ramchan.h"
#include "../common/opts.h"
#include "cli.h"

/**
 * struct chanio_operands - what chanio_parse() leaves of a command line
 * @word:	the operands, options taken out (free() it)
 * @nr_word:	how many
 * @rest:	with @verbatim_after: the words after "--", or after the
 *		@verbatim_after'th operand
 * @nr_rest:	how many (@rest is NULL when 0)
 * @dashdash:	"--" was given
 */
struct chanio_operands {
	char **word;
	int nr_word;
	char **rest;
	int nr_rest;
	bool dashdash;
};

/*
 * cli_parse() with options before, between and after operands (@spec
 * must allow operands); "--" ends the options. With @verbatim_after 0,
 * every operand is a @ops->word, those after "--" too. Otherwise parsing
 * stops at "--" or after @verbatim_after operands, and the words that
 * follow are @ops->rest, untouched (a command line to run). Return
 * CLI_CONTINUE or the exit status, as cli_parse().
 */
int chanio_parse(const struct cli_spec *spec, int argc, char **argv,
		 void *args, int verbatim_after, struct chanio_operands *ops);

/*
 * The value of option @opt from @s into *@out: a decimal count (with
 * @suffix, a K, M or G suffix multiplies by 1024, 1024^2, 1024^3), from
 * @min to @max. A usage error (exit status 2) otherwise.
 */
int chanio_number(const struct cli_spec *spec, const char *opt, const char *s,
		  bool suffix, uint64_t min, uint64_t max, uint64_t *out);
/* Seconds, fractions allowed ("0.5"), into nanoseconds; as above. */
int chanio_seconds(const struct cli_spec *spec, const char *opt,
		   const char *s, uint64_t *ns);
/* A usage error when @name cannot be a channel name. */
int chanio_check_name(const struct cli_spec *spec, const char *name);

/*
 * Print "PROG: DOING NAME: <strerror>" and a line that says what to do
 * about @err (positive errno) for a channel called @name; return 1.
 */
int chanio_error(const char *prog, const char *doing, const char *name,
		 int err);

/* Open the control device; on failure say why (cli_error()), return -1. */
int chanio_ctl(const struct cli_opts *opts);

/* The ramchan lines of /proc/self/fdinfo/@fd. Return 0 or -errno. */
int chanio_fdinfo(int fd, struct ramchan_fdinfo *info);

/**
 * struct chanio_chan - a channel opened by name
 * @fd:		its fd (O_CLOEXEC)
 * @info:	what its fdinfo says: id, kind, role
 */
struct chanio_chan {
	int fd;
	struct ramchan_fdinfo info;
};

/*
 * Open the channel @name as @role, or, with @mailbox, with both roles
 * when the caller may (so that a queue or a ring keeps what is sent while
 * nobody else has it open) and with @role alone otherwise. Say why on
 * failure. Return 0 or the exit status.
 */
int chanio_open(const char *prog, const struct cli_opts *opts,
		const char *name, unsigned int role, bool mailbox,
		struct chanio_chan *chan);

/*
 * How long send and recv may wait: --nonblock, --timeout SEC, or forever.
 * chanio_wait_parse() reads the options (a usage error when bad), then
 * chanio_wait_start() fixes the deadline of the whole command.
 */
struct chanio_wait {
	bool nonblock;
	const char *timeout;
	uint64_t deadline_ns;	/* CLOCK_MONOTONIC; 0: none */
	uint64_t timeout_ns;
};

int chanio_wait_parse(const struct cli_spec *spec, struct chanio_wait *w);
void chanio_wait_start(struct chanio_wait *w);

#endif /* RAMCHAN_CLI_CHANIO_H */
