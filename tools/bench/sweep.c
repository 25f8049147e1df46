// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench sweep: the measurements of a whole run, by workload, then
 * size, then mechanism (so that a table groups what compares), with
 * progress on stderr; then, with --syscalls, the counting pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "measure.h"
#include "sweep.h"

/* Is @name in --mechanisms (or is there no such list)? */
static bool wanted(const struct opts *o, const char *name)
{
	const char *p = o->mechanisms;
	size_t len = strlen(name);

	if (!p)
		return true;
	while (*p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return false;
}

/* Is @t measured under @w? memcpy, the ceiling, only streams. */
static bool planned(const struct opts *o, const struct transport *t,
		    enum workload w)
{
	return (o->workloads & (1u << w)) && wanted(o, t->name) &&
	       (t != &transport_memcpy || w == WL_STREAM);
}

static unsigned int nr_planned(const struct opts *o)
{
	const struct transport *t;
	unsigned int i, w, total = 0;

	for (w = 0; w < NR_WORKLOADS; w++)
		for (i = 0; (t = mechanism(i)); i++)
			if (planned(o, t, w))
				total += o->nr_sizes;
	return total;
}

/* "[done/total] ..." on stderr: a line with @what, else (a tty) a status. */
static void progress(const struct opts *o, unsigned int done,
		     unsigned int total, const struct transport *t,
		     enum workload w, size_t size, const char *what)
{
	if (o->quiet || (!what[0] && !isatty(2)))
		return;
	fprintf(stderr, "[%u/%u] %-22s %-8s %8zu B %s\033[K%s", done, total,
		t->name, wl_name(w), size, what, what[0] ? "\n" : "\r");
}

static void measure_one(const struct opts *o, const struct transport *t,
			enum workload w, size_t size, struct result *r)
{
	if (t == &transport_memcpy)
		memcpy_baseline(o, size, r);
	else
		measure(o, t, w, size, r);
}

/* The timed runs, into @res; how many. */
static unsigned int timed_pass(const struct opts *o, struct result *res,
			       unsigned int total)
{
	const struct transport *t;
	unsigned int i, s, w, n = 0;
	struct result *r;

	for (w = 0; w < NR_WORKLOADS; w++) {
		for (s = 0; s < o->nr_sizes; s++) {
			for (i = 0; (t = mechanism(i)); i++) {
				if (!planned(o, t, w))
					continue;
				r = &res[n];
				progress(o, n + 1, total, t, w, o->sizes[s], "");
				measure_one(o, t, w, o->sizes[s], r);
				n++;
				progress(o, n, total, t, w, o->sizes[s],
					 r->status ? r->why : "ok");
			}
		}
	}
	return n;
}

/* One short run of @r with the counters on, into @c. */
static void count_one(const struct opts *o, const struct result *r,
		      struct result *c)
{
	struct opts short_run = *o;

	short_run.counting = true;
	short_run.runs = 1;
	short_run.rate = 0;
	short_run.max_ns = 200000000ULL;
	short_run.iters = o->iters < 2000 ? o->iters : 2000;
	/* The warm-up is what is counted: a tenth of the round trips. */
	short_run.stream_bytes = 20 * 2000 * (uint64_t)r->size;
	measure(&short_run, r->t, r->wl, r->size, c);
}

/*
 * System calls per message, in a pass of its own after the timed ones:
 * a short run of each measurement with the counters on. A counter held
 * open for the whole pass keeps the tracepoint and perf's scheduler hooks
 * registered, so the kernel patches its text (static keys) twice in all
 * instead of twice per counter: under QEMU TCG, code patched while the
 * other vCPU runs it crashed a 6.12 guest (int3 in finish_task_switch)
 * and soft-locked a 6.1 one.
 */
static void count_pass(const struct opts *o, struct result *res,
		       unsigned int n)
{
	unsigned int i;
	int keeper;

	keeper = syscall_counter_open();
	if (keeper < 0) {
		if (!o->quiet)
			fprintf(stderr, "ramchan-bench: --syscalls: no raw_syscalls tracepoint or perf here\n");
		return;
	}
	for (i = 0; i < n; i++) {
		struct result *r = &res[i], c;

		if (r->status || !r->t || r->t == &transport_memcpy)
			continue;
		progress(o, i + 1, n, r->t, r->wl, r->size, "");
		count_one(o, r, &c);
		r->syscalls_per_msg = c.status ? -1 : c.syscalls_per_msg;
		progress(o, i + 1, n, r->t, r->wl, r->size,
			 c.status ? c.why : "syscalls counted");
	}
	close(keeper);
}

struct result *run_sweep(const struct opts *o, unsigned int *n)
{
	unsigned int total = nr_planned(o);
	struct result *res = calloc(total ? total : 1, sizeof(*res));

	if (!res)
		return NULL;
	*n = timed_pass(o, res, total);
	if (o->syscalls)
		count_pass(o, res, *n);
	return res;
}
