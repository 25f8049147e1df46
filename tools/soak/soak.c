// SPDX-License-Identifier: GPL-2.0
/*
 * tools/soak/soak.c: ramchan-soak, the supervisor.
 *
 *	ramchan-soak --records 100000000 --kill-ms 2000
 *
 * Runs seven groups at once: rings with one producer and with three,
 * spinning and blocking; queues that block, reject and drop the oldest,
 * each with two senders and two receivers (odd peers use batches). Every
 * --kill-ms one peer is killed with SIGKILL and started again: a killed
 * ring producer takes its ring with it (the ring's other producers would
 * wait for its reservation, see Documentation/userspace-api/ramchan.rst),
 * so that group starts again on a new ring; any other peer is restarted
 * on the same channel. When --records messages have been received (or
 * --seconds have passed), the senders stop, the receivers drain, and the
 * run passes when no message was bad, lost or seen twice, the counts
 * agree with the kernel's (sysfs: a queue's msgs_in = msgs_out + drops;
 * a ring's bytes_in = bytes_out), and the module's global counters are
 * back where they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ramchan.h"
#include "../common/opts.h"
#include "soak.h"

struct args {
	char *records, *seconds, *kill_ms;
	bool quiet;
};

static const struct cli_opt opts[] = {
	{ "records", 'n', CLI_OPT_STRING, offsetof(struct args, records),
	  "N", "messages to carry in all (default 100000000)" },
	{ "seconds", 's', CLI_OPT_STRING, offsetof(struct args, seconds),
	  "N", "stop after N seconds even if short of --records (default 7200)" },
	{ "kill-ms", 'k', CLI_OPT_STRING, offsetof(struct args, kill_ms),
	  "MS", "kill and restart one peer every MS ms (default 2000; 0: never)" },
	{ "quiet", 'q', CLI_OPT_FLAG, offsetof(struct args, quiet),
	  NULL, "no progress lines on stderr" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static const struct cli_spec spec = {
	.prog = "ramchan-soak",
	.usage = "[OPTION]...",
	.summary = "Carry verified records (sequence numbers, CRC32C) through rings and\n"
		   "queues of every kind while peers are killed and restarted, then\n"
		   "check that nothing was lost or duplicated and that every count\n"
		   "balances. Needs the module loaded (make soak runs it in a guest).",
	.opts = opts,
	.version = "ramchan-soak " RAMCHAN_VERSION,
};

static struct soak_shared *sh;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long sysfs_long(const char *dir, const char *attr)
{
	char path[256], buf[32];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	f = fopen(path, "re");
	if (f && fgets(buf, sizeof(buf), f))
		v = atol(buf);
	if (f)
		fclose(f);
	return v;
}

/* The sysfs directory of the channel named @name: through an fd's fdinfo. */
static int chan_dir(const char *name, char *dir, size_t len)
{
	struct ramchan_fdinfo fi;
	char path[64], text[1024];
	int ctl = ramchan_open_dev(), fd, in;
	ssize_t n;

	if (ctl < 0)
		return ctl;
	fd = ramchan_chan_open(ctl, name, RAMCHAN_ROLE_CONSUMER, 0);
	close(ctl);
	if (fd < 0)
		return fd;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	in = open(path, O_RDONLY | O_CLOEXEC);
	n = in < 0 ? -1 : read(in, text, sizeof(text) - 1);
	if (in >= 0)
		close(in);
	close(fd);
	if (n <= 0)
		return -EIO;
	text[n] = 0;
	if (ramchan_fdinfo_parse(text, &fi))
		return -EIO;
	snprintf(dir, len, "/sys/kernel/ramchan/channel/%llu",
		 (unsigned long long)fi.id);
	return 0;
}

static int make_channel(struct soak_group *g)
{
	struct ramchan_mq_opts o = {
		.name = g->name, .depth = 64, .msg_size = 256,
		.overflow = g->overflow, .mode = 0600,
	};
	int ctl = ramchan_open_dev(), fd;

	if (ctl < 0)
		return ctl;
	if (g->kind == SOAK_RING)
		fd = ramchan_ring_create(ctl, g->name, 256 << 10, 0600,
					 RAMCHAN_ROLE_PRODUCER, 0);
	else
		fd = ramchan_mq_create(ctl, &o);
	close(ctl);
	if (fd < 0)
		return fd;
	close(fd);	/* the name keeps it */
	return 0;
}

static void unlink_channel(struct soak_group *g)
{
	int ctl = ramchan_open_dev();

	if (ctl >= 0) {
		ramchan_chan_unlink(ctl, g->name);
		close(ctl);
	}
}

static void start_peer(unsigned int g, unsigned int p)
{
	pid_t pid = fork();

	if (pid == 0)
		soak_peer_run(sh, g, p);
	sh->groups[g].peers[p].pid = pid;
}

static void stop_peer(struct soak_peer *peer)
{
	if (peer->pid > 0) {
		kill(peer->pid, SIGKILL);
		waitpid(peer->pid, NULL, 0);
		peer->pid = 0;
	}
}

static int start_group(unsigned int gi)
{
	struct soak_group *g = &sh->groups[gi];
	unsigned int p;
	int err;

	snprintf(g->name, sizeof(g->name), "soak%u-%u", gi, g->epoch);
	err = make_channel(g);
	if (err) {
		fprintf(stderr, "ramchan-soak: cannot create %s: %s\n", g->name,
			strerror(-err));
		return err;
	}
	g->sent_this_epoch = g->received_this_epoch = 0;
	for (p = 0; p < g->senders + g->receivers; p++) {
		g->peers[p].role = p < g->senders ? SOAK_SEND : SOAK_RECV;
		start_peer(gi, p);
	}
	return 0;
}

static void add_group(enum soak_kind kind, unsigned int senders,
		      unsigned int receivers, bool spin, unsigned int overflow)
{
	struct soak_group *g = &sh->groups[sh->nr_groups++];

	g->kind = kind;
	g->senders = senders;
	g->receivers = receivers;
	g->spin = spin;
	g->batch = kind == SOAK_MQ && overflow != RAMCHAN_MQ_OVERFLOW_REJECT;
	g->overflow = overflow;
}

static uint64_t total_received(void)
{
	uint64_t n = 0;
	unsigned int g;

	for (g = 0; g < sh->nr_groups; g++)
		n += sh->groups[g].received;
	return n;
}

/* Kill one peer at random and start it (or its ring) again. */
static void kill_one(unsigned int *ring_restarts, unsigned int *kills)
{
	unsigned int gi = rand() % sh->nr_groups, p;
	struct soak_group *g = &sh->groups[gi];

	p = rand() % (g->senders + g->receivers);
	(*kills)++;
	g->peers[p].kills++;
	stop_peer(&g->peers[p]);
	if (g->kind == SOAK_RING && g->peers[p].role == SOAK_SEND) {
		for (p = 0; p < g->senders + g->receivers; p++)
			stop_peer(&g->peers[p]);
		unlink_channel(g);
		g->epoch++;
		(*ring_restarts)++;
		start_group(gi);
		return;
	}
	start_peer(gi, p);
}

/* Stop the senders, let the receivers drain, stop them; check. */
static int finish(void)
{
	unsigned int g, p, i, slack;
	char dir[128];
	int bad = 0;

	sh->stop_senders = true;
	for (g = 0; g < sh->nr_groups; g++)
		for (p = 0; p < sh->groups[g].senders; p++)
			if (sh->groups[g].peers[p].pid > 0) {
				waitpid(sh->groups[g].peers[p].pid, NULL, 0);
				sh->groups[g].peers[p].pid = 0;
			}
	for (g = 0; g < sh->nr_groups; g++) {
		struct soak_group *gr = &sh->groups[g];
		long a = -1, b = -2, c = 0;

		if (chan_dir(gr->name, dir, sizeof(dir))) {
			fprintf(stderr, "ramchan-soak: %s is gone\n", gr->name);
			bad++;
			continue;
		}
		for (i = 0; i < 300; i++) {	/* up to 30 s to drain */
			if (gr->kind == SOAK_RING) {
				a = sysfs_long(dir, "bytes_in");
				b = sysfs_long(dir, "bytes_out");
			} else {
				a = sysfs_long(dir, "msgs_in");
				b = sysfs_long(dir, "msgs_out");
				c = sysfs_long(dir, "drops");
			}
			if (a == b + c && (gr->kind == SOAK_RING ||
					   sysfs_long(dir, "count") == 0))
				break;
			usleep(100 * 1000);
		}
		slack = 0;
		for (p = 0; p < gr->senders + gr->receivers; p++)
			slack += gr->peers[p].kills * 16;
		if (a != b + c) {
			fprintf(stderr, "ramchan-soak: %s does not balance: in %ld, out %ld, drops %ld\n",
				gr->name, a, b, c);
			bad++;
		}
		if (gr->kind == SOAK_RING &&
		    gr->sent_this_epoch > gr->received_this_epoch + slack) {
			fprintf(stderr, "ramchan-soak: %s: %llu sent, %llu received\n",
				gr->name,
				(unsigned long long)gr->sent_this_epoch,
				(unsigned long long)gr->received_this_epoch);
			bad++;
		}
		if (gr->kind == SOAK_MQ &&
		    (gr->received + slack < (uint64_t)b ||
		     gr->received > (uint64_t)b ||
		     gr->sent + slack < (uint64_t)a)) {
			fprintf(stderr, "ramchan-soak: %s: we sent %llu and received %llu, the kernel says %ld in, %ld out\n",
				gr->name, (unsigned long long)gr->sent,
				(unsigned long long)gr->received, a, b);
			bad++;
		}
	}
	sh->stop_all = true;
	for (g = 0; g < sh->nr_groups; g++)
		for (p = 0; p < SOAK_MAX_PEERS; p++)
			if (sh->groups[g].peers[p].pid > 0) {
				waitpid(sh->groups[g].peers[p].pid, NULL, 0);
				sh->groups[g].peers[p].pid = 0;
			}
	for (g = 0; g < sh->nr_groups; g++)
		unlink_channel(&sh->groups[g]);
	return bad;
}

static bool counters_back(const long *base)
{
	static const char *const names[] = { "channels", "bytes_held",
					     "open_files" };
	unsigned int i, tries;
	long v;

	for (tries = 0; tries < 50; tries++) {
		for (i = 0; i < 3; i++) {
			v = sysfs_long("/sys/kernel/ramchan", names[i]);
			if (v != base[i])
				break;
		}
		if (i == 3)
			return true;
		usleep(100 * 1000);
	}
	fprintf(stderr, "ramchan-soak: /sys/kernel/ramchan/%s is %ld, was %ld before the run\n",
		names[i], v, base[i]);
	return false;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	double records = 1e8, seconds = 7200, kill_ms = 2000, t0, next_kill,
	       next_note;
	unsigned int g, kills = 0, ring_restarts = 0;
	long base[3];
	int ret, bad;

	ret = cli_parse(&spec, argc, argv, &a);
	if (ret != CLI_CONTINUE)
		return ret;
	if ((a.records && sscanf(a.records, "%lf", &records) != 1) ||
	    (a.seconds && sscanf(a.seconds, "%lf", &seconds) != 1) ||
	    (a.kill_ms && sscanf(a.kill_ms, "%lf", &kill_ms) != 1) ||
	    records < 1 || seconds < 1 || kill_ms < 0)
		return cli_usage_error(&spec, "--records, --seconds and --kill-ms take positive numbers");
	if (access("/dev/ramchan", R_OK | W_OK)) {
		fprintf(stderr, "ramchan-soak: cannot open /dev/ramchan: %s (load the module: insmod ramchan.ko)\n",
			strerror(errno));
		return 3;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		cli_out_of_memory();
	base[0] = sysfs_long("/sys/kernel/ramchan", "channels");
	base[1] = sysfs_long("/sys/kernel/ramchan", "bytes_held");
	base[2] = sysfs_long("/sys/kernel/ramchan", "open_files");
	srand(time(NULL));

	add_group(SOAK_RING, 1, 1, true, 0);
	add_group(SOAK_RING, 1, 1, false, 0);
	add_group(SOAK_RING, 3, 1, true, 0);
	add_group(SOAK_RING, 3, 1, false, 0);
	add_group(SOAK_MQ, 2, 2, false, RAMCHAN_MQ_OVERFLOW_BLOCK);
	add_group(SOAK_MQ, 2, 2, false, RAMCHAN_MQ_OVERFLOW_REJECT);
	add_group(SOAK_MQ, 2, 2, false, RAMCHAN_MQ_OVERFLOW_DROP_OLDEST);
	for (g = 0; g < sh->nr_groups; g++)
		if (start_group(g))
			return 1;
	fprintf(stderr, "ramchan-soak: %u groups, %.0f messages, a kill every %.0f ms, CRC32C by %s\n",
		sh->nr_groups, records, kill_ms, soak_crc32c_impl());

	t0 = now_s();
	next_kill = t0 + kill_ms / 1000;
	next_note = t0 + 10;
	while (total_received() < records && now_s() < t0 + seconds &&
	       !sh->errors) {
		usleep(20 * 1000);
		if (kill_ms && now_s() >= next_kill) {
			kill_one(&ring_restarts, &kills);
			next_kill += kill_ms / 1000;
		}
		if (!a.quiet && now_s() >= next_note) {
			fprintf(stderr, "ramchan-soak: %.0f s: %llu received, %u kills\n",
				now_s() - t0,
				(unsigned long long)total_received(), kills);
			next_note += 10;
		}
	}
	bad = finish();
	printf("ramchan-soak: %.0f s, %u kills (%u rings made anew)\n",
	       now_s() - t0, kills, ring_restarts);
	for (g = 0; g < sh->nr_groups; g++) {
		struct soak_group *gr = &sh->groups[g];

		printf("  %-10s %-4s %u->%u %-11s sent %12llu  received %12llu  redelivered %llu\n",
		       gr->name, gr->kind == SOAK_RING ? "ring" : "mq",
		       gr->senders, gr->receivers,
		       gr->kind == SOAK_RING ? (gr->spin ? "spin" : "blocking") :
		       gr->overflow == RAMCHAN_MQ_OVERFLOW_BLOCK ? "block" :
		       gr->overflow == RAMCHAN_MQ_OVERFLOW_REJECT ? "reject" :
								   "drop-oldest",
		       (unsigned long long)gr->sent,
		       (unsigned long long)gr->received,
		       (unsigned long long)gr->redelivered);
	}
	printf("  total received %llu of %.0f; %llu errors%s%s\n",
	       (unsigned long long)total_received(), records,
	       (unsigned long long)sh->errors, sh->errors ? ": first: " : "",
	       sh->first_error);
	if (!counters_back(base))
		bad++;
	if (total_received() < records) {
		fprintf(stderr, "ramchan-soak: only %llu of %.0f messages in %.0f s\n",
			(unsigned long long)total_received(), records, seconds);
		bad++;
	}
	ret = sh->errors || bad;
	printf("ramchan-soak: %s\n", ret ? "FAIL" : "PASS");
	return ret;
}
