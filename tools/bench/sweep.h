/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan-bench sweep (sweep.c): every measurement a command line asks
 * for, in the order the reports list them.
 */
#ifndef RAMCHAN_BENCH_SWEEP_H
#define RAMCHAN_BENCH_SWEEP_H

#include "bench.h"

/*
 * Measure every mechanism, workload and size @o asks for, then (with
 * --syscalls) count their system calls; the results (free() them) and
 * their number in *@n, or NULL when out of memory.
 */
struct result *run_sweep(const struct opts *o, unsigned int *n);

#endif /* RAMCHAN_BENCH_SWEEP_H */
