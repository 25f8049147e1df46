// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench counters: context switches from getrusage(), system calls
 * from a perf counter on the raw_syscalls:sys_enter tracepoint. Each side
 * of a run counts its system calls over the warm-up only (the tracepoint
 * slows every system call, so the timed part goes without it) and its
 * context switches over the timed part only; the pair's cost per message
 * is the sum of both sides'.
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "counters.h"

long csw_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

int syscall_counter_open(void)
{
	static const char *const ids[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
	};
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		f = fopen(ids[i], "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", (unsigned long long *)&attr.config) != 1)
			attr.config = 0;
		fclose(f);
		if (attr.config)
			return syscall(__NR_perf_event_open, &attr, 0, -1, -1,
				       PERF_FLAG_FD_CLOEXEC);
	}
	return -1;
}

/*
 * The system calls counted since the counter opened: the read itself is
 * one, the close after it is not counted, so one is taken off.
 */
static int64_t syscall_counter_close(int fd)
{
	uint64_t v;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, &v, sizeof(v));
	close(fd);
	return n == sizeof(v) ? (int64_t)v - 1 : -1;
}

void counts_begin(struct side_counts *c, bool syscalls)
{
	*c = (struct side_counts){ .syscalls = -1, .sc_fd = -1 };
	if (syscalls)
		c->sc_fd = syscall_counter_open();
}

void counts_warmed(struct side_counts *c, uint64_t warm)
{
	c->syscalls = syscall_counter_close(c->sc_fd);
	c->sc_msgs = warm;
	c->sc_fd = -1;
	c->csw0 = csw_self();
}

void counts_end(struct side_counts *c, uint64_t msgs, uint64_t warm)
{
	c->csw = csw_self() - c->csw0;
	c->csw_msgs = msgs > warm ? msgs - warm : 0;
	if (c->sc_fd >= 0) {
		/* Stopped within the warm-up. */
		c->syscalls = syscall_counter_close(c->sc_fd);
		c->sc_msgs = msgs;
		c->sc_fd = -1;
	}
}

double csw_per_msg(const struct side_counts *a, const struct side_counts *b)
{
	double v = (double)a->csw / a->csw_msgs;

	if (b->csw_msgs)
		v += (double)b->csw / b->csw_msgs;
	return v;
}

double syscalls_per_msg(const struct side_counts *a,
			const struct side_counts *b)
{
	if (a->syscalls < 0 || !a->sc_msgs || b->syscalls < 0 || !b->sc_msgs)
		return -1;
	return (double)a->syscalls / a->sc_msgs +
	       (double)b->syscalls / b->sc_msgs;
}
