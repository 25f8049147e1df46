// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan monitor: the events of the netlink family (group "events") as
 * they come, one line each ("create id=3 kind=ring name=foo owner=0") or
 * one JSON object a line, flushed at once, until --count events came or
 * SIGINT or SIGTERM.
 *
 *	ramchan monitor [--count N] [--timestamp] [--json]
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/jsonout.h"
#include "../common/opts.h"
#include "cli.h"
#include "nl.h"
#include "nl_attr.h"
#include "wait_stop.h"

struct monitor_args {
	struct cli_opts common;
	const char *count;
	bool timestamp;
};

#define MONITOR_OPT(field) offsetof(struct monitor_args, field)

static const struct cli_opt monitor_opts[] = {
	{ "count", 'c', CLI_OPT_STRING, MONITOR_OPT(count), "N",
	  "exit after N events (default: until interrupted)" },
	{ "timestamp", 't', CLI_OPT_FLAG, MONITOR_OPT(timestamp), NULL,
	  "begin each line with the time (JSON: a \"time\" key)" },
	{ "json", 'j', CLI_OPT_FLAG, MONITOR_OPT(common.json), NULL,
	  "a JSON object a line: {\"event\", and the event's attributes}" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static void monitor_more_help(FILE *f)
{
	fprintf(f, "\nevents:\n"
		   "  create      a channel became visible: id kind name owner\n"
		   "  destroy     its last file and name are gone: id kind name\n"
		   "  unlink      its name was removed: id kind name\n"
		   "  peer-gone   its last producer or consumer closed: id role\n"
		   "  ring-broken a ring's shared state was corrupt: id\n"
		   "  overflow    a full queue dropped or refused a message: id policy\n"
		   "              drops rejects suppressed (at most %d a second, the\n"
		   "              others counted in suppressed)\n"
		   "\nEvents of every channel are shown, of every IPC namespace: the kernel\n"
		   "does not filter them (list and stat see this namespace's only). SIGINT\n"
		   "and SIGTERM end it with exit status 0.\n", RAMCHAN_NL_OVERFLOW_BURST);
}

static const struct cli_spec monitor_spec = {
	.prog = "ramchan monitor",
	.usage = "[--count N] [--timestamp] [--json]",
	.summary = "Print the events of the channels as they happen (netlink).",
	.opts = monitor_opts,
	.version = cli_version,
	.more_help = monitor_more_help,
};

/* The word of each event, and the attributes its line shows, in order. */
struct monitor_event {
	uint8_t cmd;
	const char *word;
	int attrs[6];
};

static const struct monitor_event monitor_events[] = {
	{ RAMCHAN_CMD_CHANNEL_CREATE_NTF, "create",
	  { RAMCHAN_A_CHANNEL_ID, RAMCHAN_A_CHANNEL_KIND, RAMCHAN_A_CHANNEL_NAME,
	    RAMCHAN_A_CHANNEL_OWNER } },
	{ RAMCHAN_CMD_CHANNEL_DESTROY_NTF, "destroy",
	  { RAMCHAN_A_CHANNEL_ID, RAMCHAN_A_CHANNEL_KIND, RAMCHAN_A_CHANNEL_NAME } },
	{ RAMCHAN_CMD_CHANNEL_UNLINK_NTF, "unlink",
	  { RAMCHAN_A_CHANNEL_ID, RAMCHAN_A_CHANNEL_KIND, RAMCHAN_A_CHANNEL_NAME } },
	{ RAMCHAN_CMD_PEER_GONE_NTF, "peer-gone",
	  { RAMCHAN_A_CHANNEL_ID, RAMCHAN_A_CHANNEL_ROLE } },
	{ RAMCHAN_CMD_RING_BROKEN_NTF, "ring-broken",
	  { RAMCHAN_A_CHANNEL_ID } },
	{ RAMCHAN_CMD_OVERFLOW_NTF, "overflow",
	  { RAMCHAN_A_CHANNEL_ID, RAMCHAN_A_CHANNEL_OVERFLOW,
	    RAMCHAN_A_CHANNEL_DROPS, RAMCHAN_A_CHANNEL_REJECTS,
	    RAMCHAN_A_CHANNEL_SUPPRESSED } },
};

#define NR_EVENTS (sizeof(monitor_events) / sizeof(monitor_events[0]))

struct monitor {
	const struct monitor_args *args;
	uint64_t limit;		/* 0: none */
	uint64_t seen;
	int err;		/* of a write to stdout */
};

static const struct rcnl_attr *monitor_attr(int attr)
{
	size_t i;

	for (i = 0; i < rcnl_nr_channel_attrs; i++)
		if (rcnl_channel_attrs[i].attr == attr)
			return &rcnl_channel_attrs[i];
	return NULL;
}

/* The key of @attr on an event line: overflow's is its policy. */
static const char *monitor_key(int attr)
{
	return attr == RAMCHAN_A_CHANNEL_OVERFLOW ? "policy" :
	       monitor_attr(attr)->key;
}

/* A name as one word: quoted, with escapes, unless it is plain. */
static void monitor_print_name(const char *name)
{
	const unsigned char *p;

	if (*name && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._-+:@,%") == strlen(name)) {
		fputs(name, stdout);
		return;
	}
	putchar('"');
	for (p = (const unsigned char *)name; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void monitor_time(char *buf, size_t size, double *epoch)
{
	struct timespec ts;
	struct tm tm;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	*epoch = ts.tv_sec + ts.tv_nsec / 1e9;
	localtime_r(&ts.tv_sec, &tm);
	len = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + len, size - len, ".%06ld", ts.tv_nsec / 1000);
}

static void monitor_line(const struct monitor *m, const struct rcnl_channel *ch,
			 const struct monitor_event *ev, const char *when)
{
	char buf[128];
	size_t i;

	if (m->args->timestamp)
		printf("%s ", when);
	if (ev) {
		fputs(ev->word, stdout);
	} else {
		printf("event-%u", ch->cmd);	/* newer than this tool */
	}
	for (i = 0; i < rcnl_nr_channel_attrs; i++) {
		const struct rcnl_attr *a = &rcnl_channel_attrs[i];
		int attr = a->attr;

		if (ev) {
			if (i >= sizeof(ev->attrs) / sizeof(ev->attrs[0]) ||
			    !ev->attrs[i])
				break;
			attr = ev->attrs[i];
			a = monitor_attr(attr);
		}
		if (!rcnl_has(ch, attr))
			continue;
		printf(" %s=", ev ? monitor_key(attr) : a->key);
		if (attr == RAMCHAN_A_CHANNEL_NAME)
			monitor_print_name(ch->name);
		else if (a->format == RCNL_UID || a->format == RCNL_GID)
			printf("%" PRIu64, ch->v[attr]);	/* a number here */
		else
			fputs(rcnl_channel_text(a, ch, true, buf, sizeof(buf)), stdout);
	}
	putchar('\n');
}

static void monitor_json(const struct rcnl_channel *ch,
			 const struct monitor_event *ev, bool timestamp,
			 double epoch, int *err)
{
	struct json_object *root = jout_object(), *attrs = rcnl_channel_json(ch), *t;
	char word[32], stamp[32];

	if (!ev)
		snprintf(word, sizeof(word), "event-%u", ch->cmd);
	jout_set(root, "event", jout_str(ev ? ev->word : word));
	if (timestamp) {
		/* Microseconds, not the 17 digits of a double. */
		snprintf(stamp, sizeof(stamp), "%.6f", epoch);
		t = json_object_new_double_s(epoch, stamp);
		if (!t)
			cli_out_of_memory();
		jout_set(root, "time", t);
	}
	json_object_object_foreach(attrs, key, val)
		jout_set(root, key, json_object_get(val));
	json_object_put(attrs);
	*err = jout_print(stdout, root, false);
}

static int monitor_on_event(const struct rcnl_channel *ch, void *arg)
{
	const struct monitor_event *ev = NULL;
	struct monitor *m = arg;
	char when[64] = "";
	double epoch = 0;
	size_t i;

	if (ch->cmd == RAMCHAN_CMD_CHANNEL_GET || ch->cmd == RAMCHAN_CMD_STATS_GET)
		return 0;	/* not an event */
	for (i = 0; i < NR_EVENTS; i++)
		if (monitor_events[i].cmd == ch->cmd)
			ev = &monitor_events[i];
	if (m->args->timestamp)
		monitor_time(when, sizeof(when), &epoch);
	if (m->args->common.json)
		monitor_json(ch, ev, m->args->timestamp, epoch, &m->err);
	else
		monitor_line(m, ch, ev, when);
	if (!m->err && (fflush(stdout) || ferror(stdout)))
		m->err = -errno;
	if (m->err)
		return 1;
	m->seen++;
	return m->limit && m->seen >= m->limit;
}

int cmd_monitor(const struct cli_opts *opts, int argc, char **argv)
{
	struct monitor_args a = { .common = *opts };
	struct monitor m = { .args = &a };
	struct rcnl *nl;
	char *end;
	int ret;

	ret = cli_parse(&monitor_spec, argc, argv, &a);
	if (ret != CLI_CONTINUE)
		return ret;
	if (a.count) {
		errno = 0;
		m.limit = strtoull(a.count, &end, 10);
		if (*a.count < '0' || *a.count > '9' || *end || errno || !m.limit)
			return cli_usage_error(&monitor_spec, "--count %s: a number of events, 1 or more",
					       a.count);
	}

	nl = rcnl_open("ramchan monitor", false);
	if (!nl)
		return 1;
	ret = rcnl_events_join(nl);
	if (ret) {
		rcnl_close(nl);
		if (ret == -ENOENT) {
			fprintf(stderr, "ramchan monitor: the ramchan family has no events group: is the module older than this tool? (ramchan info)\n");
			return 1;
		}
		return rcnl_fail(NULL, "ramchan monitor", "joining the events group", ret);
	}
	stop_arm();
	ret = 0;
	while (!ret) {
		ret = stop_wait(rcnl_event_fd(nl), UINT64_MAX);
		if (ret == -1) {
			ret = 0;	/* SIGINT, SIGTERM: done */
			break;
		}
		if (ret < 0)
			break;
		ret = rcnl_events_read(nl, monitor_on_event, &m);
		if (ret == -ENOBUFS) {
			fprintf(stderr, "ramchan monitor: events were lost: they came faster than this read them\n");
			ret = 0;
		}
	}
	if (m.err)
		fprintf(stderr, "ramchan monitor: writing the output: %s\n",
			strerror(-m.err));
	else if (ret < 0)
		rcnl_fail(NULL, "ramchan monitor", "reading the events", ret);
	rcnl_close(nl);
	return m.err || ret < 0;
}
