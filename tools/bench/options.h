/* SPDX-License-Identifier: GPL-2.0 */
/* ramchan-bench command line (options.c). */
#ifndef RAMCHAN_BENCH_OPTIONS_H
#define RAMCHAN_BENCH_OPTIONS_H

#include "bench.h"

/*
 * Fill @o from the defaults and the command line: 0, or the exit status (2,
 * said on stderr). --help, --version and --list print and exit 0.
 */
int parse_opts(int argc, char **argv, struct opts *o);

#endif /* RAMCHAN_BENCH_OPTIONS_H */
