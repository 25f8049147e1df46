/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan-bench reports: the environment of a run (env.c), the results as
 * a table (report.c), JSON (json.c) and CSV (csv.c), reading a CSV back
 * (csv.c), and the files they go to (report.c).
 */
#ifndef RAMCHAN_BENCH_REPORT_H
#define RAMCHAN_BENCH_REPORT_H

#include <stdio.h>

#include "bench.h"

void get_env(const struct opts *o, struct env *e);
void print_table(FILE *f, const struct result *r, unsigned int n);
void print_json(FILE *f, const struct env *e, const struct result *r,
		unsigned int n);
void print_csv(FILE *f, const struct env *e, const struct result *r,
	       unsigned int n);
/* Results of an earlier --csv (free() *@r); 0, or -1 said on stderr. */
int read_csv(const char *path, struct env *e, struct result **r,
	     unsigned int *n);

/* Make directory @dir unless it exists; 0, or -1 said on stderr. */
int make_dir(const char *dir);
/* Create DIR/NAME for writing; NULL (said on stderr) on failure. */
FILE *create_in(const char *dir, const char *name);
/* --save DIR: DIR/bench.json and DIR/bench.csv; 0, or -1 said on stderr. */
int save_results(const char *dir, const struct env *e,
		 const struct result *r, unsigned int n);

#endif /* RAMCHAN_BENCH_REPORT_H */
