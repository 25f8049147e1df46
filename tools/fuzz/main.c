// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/main.c: ramchan-fuzz, the supervisor.
 *
 *	ramchan-fuzz --seconds 600 --workers 4 --seed 1 --json
 *
 * Forks the workers (worker.c) and watches them: a worker that makes no
 * progress for --hang seconds is a hang (its kernel stacks are printed),
 * a worker that SIGKILL does not end within 20 s is unkillable, a worker
 * that crashes is restarted and counted. At the end the module's global
 * counters must be back where they were (once the names the workers left
 * are unlinked). Kernel splats are the guest runner's to find
 * (tools/vm/run fails the run on any). Exit status 0 when all held, 1
 * otherwise, 2 for a usage error, 3 when /dev/ramchan cannot be opened.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ramchan.h>

#include "../common/jsonout.h"
#include "../common/opts.h"
#include "fuzz.h"

#define MAX_WORKERS	32

struct args {
	char *seconds, *workers, *seed, *hang;
	bool json, quiet;
};

static const struct cli_opt opts[] = {
	{ "seconds", 's', CLI_OPT_STRING, offsetof(struct args, seconds),
	  "N", "run for N seconds (default 600, or $FUZZ_SECONDS)" },
	{ "workers", 'w', CLI_OPT_STRING, offsetof(struct args, workers),
	  "N", "worker processes (default 4)" },
	{ "seed", 'S', CLI_OPT_STRING, offsetof(struct args, seed),
	  "N", "seed of the random choices (default: time; printed)" },
	{ "hang", 0, CLI_OPT_STRING, offsetof(struct args, hang),
	  "N", "a worker without progress for N seconds is a hang (default 60)" },
	{ "json", 'j', CLI_OPT_FLAG, offsetof(struct args, json),
	  NULL, "print the report as JSON" },
	{ "quiet", 'q', CLI_OPT_FLAG, offsetof(struct args, quiet),
	  NULL, "no progress lines on stderr" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static const struct cli_spec spec = {
	.prog = "ramchan-fuzz",
	.usage = "[OPTION]...",
	.summary = "Fuzz /dev/ramchan: every entry point with hostile arguments, while\n"
		   "a scribbler corrupts the shared ring pages and a closer closes and\n"
		   "unmaps under the caller. Needs the module loaded; run it in a\n"
		   "guest (make fuzz), not on a machine you care about.",
	.opts = opts,
	.version = "ramchan-fuzz " RAMCHAN_VERSION,
};

struct run {
	struct fuzz_slot *slots;
	pid_t pids[MAX_WORKERS];
	uint64_t last_beat[MAX_WORKERS];
	double last_change[MAX_WORKERS];
	unsigned int workers, crashes, hangs, unkillable, restarts;
	uint64_t seed;
	double seconds, start;
	long base[3], end[3];
	bool balanced;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_num(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || *out < min || *out > max ?
	       -EINVAL : 0;
}

static const char *const counters[] = { "channels", "bytes_held",
	"open_files" };

static void read_counters(long *v)
{
	char path[96], buf[32];
	unsigned int i;
	FILE *f;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/ramchan/%s",
			 counters[i]);
		f = fopen(path, "re");
		v[i] = f && fgets(buf, sizeof(buf), f) ? atol(buf) : -1;
		if (f)
			fclose(f);
	}
}

static pid_t start_worker(struct run *r, unsigned int i)
{
	uint64_t seed = r->seed * 1000003 + i * 7919 + r->restarts;
	double left = r->seconds - (now_s() - r->start);
	pid_t pid = fork();

	if (pid == 0)
		fuzz_worker_run(&r->slots[i], seed, left > 0 ? left : 0);
	r->last_beat[i] = r->slots[i].heartbeat;
	r->last_change[i] = now_s();
	return pid;
}

/* The kernel stacks of a worker that stopped making progress. */
static void dump_stacks(pid_t pid)
{
	char path[320], line[256];
	struct dirent *e;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid,
			 e->d_name);
		fprintf(stderr, "ramchan-fuzz:   task %s:\n", e->d_name);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f))
			fprintf(stderr, "ramchan-fuzz:     %s", line);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
}

static void reap(struct run *r, pid_t pid, int status, bool ending)
{
	unsigned int i;

	for (i = 0; i < r->workers; i++)
		if (r->pids[i] == pid)
			break;
	if (i == r->workers)
		return;
	r->pids[i] = 0;
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
		r->crashes++;
		fprintf(stderr, "ramchan-fuzz: worker %u died of signal %d in op %s\n",
			i, WTERMSIG(status), fuzz_ops[r->slots[i].op].name);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		r->crashes++;	/* could not start: said why */
		return;
	}
	if (!ending) {
		r->restarts++;
		r->pids[i] = start_worker(r, i);
	}
}

static void supervise(struct run *r, const struct args *a, double hang)
{
	double start = r->start = now_s(), next_note = start + 10, t;
	unsigned int i, alive;
	int status;
	pid_t pid;

	for (i = 0; i < r->workers; i++)
		r->pids[i] = start_worker(r, i);
	while ((t = now_s()) < start + r->seconds + 5) {
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			reap(r, pid, status, t > start + r->seconds);
		for (i = alive = 0; i < r->workers; i++) {
			if (!r->pids[i])
				continue;
			alive++;
			if (r->slots[i].heartbeat != r->last_beat[i]) {
				r->last_beat[i] = r->slots[i].heartbeat;
				r->last_change[i] = t;
			} else if (t - r->last_change[i] > hang) {
				r->hangs++;
				fprintf(stderr, "ramchan-fuzz: worker %u (pid %d) made no progress for %.0f s in op %s:\n",
					i, r->pids[i], hang,
					fuzz_ops[r->slots[i].op].name);
				dump_stacks(r->pids[i]);
				r->last_change[i] = t;
			}
		}
		if (!alive && t > start + r->seconds)
			break;
		if (!a->quiet && t >= next_note) {
			uint64_t calls = 0;

			for (i = 0; i < r->workers; i++)
				calls += r->slots[i].calls;
			fprintf(stderr, "ramchan-fuzz: %.0f/%.0f s, %llu calls\n",
				t - start, r->seconds,
				(unsigned long long)calls);
			next_note += 10;
		}
		usleep(100 * 1000);
	}
	/* Whatever is left must die of SIGKILL, promptly. */
	for (i = 0; i < r->workers; i++)
		if (r->pids[i])
			kill(r->pids[i], SIGKILL);
	t = now_s();
	while (now_s() < t + 20) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0)
			reap(r, pid, status, true);
		else if (pid < 0 && errno == ECHILD)
			break;
		else
			usleep(50 * 1000);
	}
	for (i = 0; i < r->workers; i++)
		if (r->pids[i]) {
			r->unkillable++;
			fprintf(stderr, "ramchan-fuzz: worker %u (pid %d) survived SIGKILL for 20 s:\n",
				i, r->pids[i]);
			dump_stacks(r->pids[i]);
		}
}

/*
 * Unlink every name the workers left (all names are theirs in the guest:
 * the channel directories in sysfs say which).
 */
static void unlink_leftover_names(void)
{
	int ctl = open("/dev/ramchan", O_RDWR | O_CLOEXEC);
	char path[320], name[RAMCHAN_NAME_MAX + 2];
	struct dirent *e;
	DIR *d;
	FILE *f;

	d = opendir("/sys/kernel/ramchan/channel");
	while (ctl >= 0 && d && (e = readdir(d))) {
		struct ramchan_unlink u = { .name = (uintptr_t)name };

		snprintf(path, sizeof(path), "/sys/kernel/ramchan/channel/%s/name",
			 e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = 0;
			if (name[0])
				ioctl(ctl, RAMCHAN_IOC_UNLINK, &u);
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	if (ctl >= 0)
		close(ctl);
}

/*
 * The module's counters back where they were, within 10 s: names are
 * unlinked again on every look, in case a late exit made one.
 */
static void check_balance(struct run *r)
{
	unsigned int tries;

	for (tries = 0; tries < 100; tries++) {
		unlink_leftover_names();
		read_counters(r->end);
		r->balanced = !memcmp(r->base, r->end, sizeof(r->base));
		if (r->balanced)
			break;
		usleep(100 * 1000);
	}
}

static unsigned int distinct(const struct fuzz_slot *s, unsigned int nslots,
			     unsigned int op, uint64_t *calls, char *list,
			     size_t len)
{
	unsigned int e, i, n = 0;
	size_t off = 0;

	*calls = 0;
	list[0] = 0;
	for (i = 0; i < nslots; i++)
		*calls += s[i].op_calls[op];
	for (e = 0; e < FUZZ_MAX_ERRNO; e++) {
		for (i = 0; i < nslots; i++)
			if (s[i].outcomes[op][e / 64] & (1ULL << (e % 64)))
				break;
		if (i == nslots)
			continue;
		n++;
		if (off < len)
			off += snprintf(list + off, len - off, "%s%s",
					off ? "," : "",
					e ? strerrorname_np(e) ?: "?" : "ok");
	}
	return n;
}

static bool passed(const struct run *r)
{
	return !r->hangs && !r->unkillable && r->balanced;
}

static int report(const struct run *r, bool json)
{
	struct json_object *root, *ops, *o;
	uint64_t calls = 0, scribbles = 0, c;
	unsigned int i, n, total = 0;
	char list[1024];

	for (i = 0; i < r->workers; i++) {
		calls += r->slots[i].calls;
		scribbles += r->slots[i].scribbles;
	}
	if (!json) {
		printf("ramchan-fuzz: seed %llu, %u workers, %.0f s: %llu calls (%.0f/s), %llu scribbles\n",
		       (unsigned long long)r->seed, r->workers, r->seconds,
		       (unsigned long long)calls, calls / r->seconds,
		       (unsigned long long)scribbles);
		printf("%-11s %10s  %s\n", "op", "calls", "outcomes");
	}
	ops = jout_array();
	for (i = 0; i < fuzz_nr_ops; i++) {
		n = distinct(r->slots, r->workers, i, &c, list, sizeof(list));
		total += n;
		if (!json)
			printf("%-11s %10llu  %u: %s\n", fuzz_ops[i].name,
			       (unsigned long long)c, n, list);
		o = jout_object();
		jout_set(o, "op", jout_str(fuzz_ops[i].name));
		jout_set(o, "calls", jout_u64(c));
		jout_set(o, "outcomes", jout_str(list));
		jout_push(ops, o);
	}
	if (!json) {
		json_object_put(ops);
		printf("%u distinct outcomes; %u crashes (restarted), %u hangs, %u unkillable; counters %s (channels %ld->%ld, bytes_held %ld->%ld, open_files %ld->%ld)\n",
		       total, r->crashes, r->hangs, r->unkillable,
		       r->balanced ? "balanced" : "NOT balanced",
		       r->base[0], r->end[0], r->base[1], r->end[1],
		       r->base[2], r->end[2]);
		printf("ramchan-fuzz: %s\n", passed(r) ? "PASS" : "FAIL");
		return 0;
	}
	root = jout_object();
	jout_set(root, "seed", jout_u64(r->seed));
	jout_set(root, "workers", jout_u64(r->workers));
	jout_set(root, "seconds", json_object_new_double(r->seconds));
	jout_set(root, "calls", jout_u64(calls));
	jout_set(root, "scribbles", jout_u64(scribbles));
	jout_set(root, "distinct_outcomes", jout_u64(total));
	jout_set(root, "crashes", jout_u64(r->crashes));
	jout_set(root, "hangs", jout_u64(r->hangs));
	jout_set(root, "unkillable", jout_u64(r->unkillable));
	jout_set(root, "balanced", json_object_new_boolean(r->balanced));
	jout_set(root, "passed", json_object_new_boolean(passed(r)));
	jout_set(root, "ops", ops);
	return jout_print(stdout, root, true);
}

/* Close every fd above stderr: close_range() where the kernel has it. */
static void close_inherited_fds(void)
{
	long fd, max = sysconf(_SC_OPEN_MAX);

	if (!syscall(SYS_close_range, 3U, ~0U, 0U))
		return;
	for (fd = 3; fd < (max > 0 ? max : 1024); fd++)
		close(fd);
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct run r = { .workers = 4, .seconds = 600 };
	const char *env = getenv("FUZZ_SECONDS");
	double v, hang = 60;
	int ret;

	ret = cli_parse(&spec, argc, argv, &a);
	if (ret != CLI_CONTINUE)
		return ret;
	if (!a.seconds && env)
		a.seconds = (char *)env;
	if (a.seconds && parse_num(a.seconds, 1, 1e7, &r.seconds))
		return cli_usage_error(&spec, "--seconds: not a number of seconds: %s",
				       a.seconds);
	if (a.workers) {
		if (parse_num(a.workers, 1, MAX_WORKERS, &v))
			return cli_usage_error(&spec, "--workers: 1 to %d: %s",
					       MAX_WORKERS, a.workers);
		r.workers = v;
	}
	if (a.hang && parse_num(a.hang, 1, 1e6, &hang))
		return cli_usage_error(&spec, "--hang: not a number of seconds: %s",
				       a.hang);
	r.seed = a.seed ? strtoull(a.seed, NULL, 0) : (uint64_t)time(NULL);
	/*
	 * The workers read, write and close fd numbers at random: none may
	 * be one we were given (a test runner's status pipe got a worker's
	 * bytes instead of our exit status).
	 */
	close_inherited_fds();
	/* Orphans of the workers' forks come back to us, to be waited for. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (access("/dev/ramchan", R_OK | W_OK)) {
		fprintf(stderr, "ramchan-fuzz: cannot open /dev/ramchan: %s (load the module: insmod ramchan.ko)\n",
			strerror(errno));
		return 3;
	}
	r.slots = mmap(NULL, sizeof(*r.slots) * r.workers,
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r.slots == MAP_FAILED)
		cli_out_of_memory();
	if (!a.quiet)
		fprintf(stderr, "ramchan-fuzz: seed %llu, %u workers, %.0f s\n",
			(unsigned long long)r.seed, r.workers, r.seconds);
	read_counters(r.base);
	supervise(&r, &a, hang);
	check_balance(&r);
	ret = report(&r, a.json);
	return ret ? 1 : passed(&r) ? 0 : 1;
}
