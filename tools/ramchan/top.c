// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan top: what each channel carries per second, from the difference
 * of two channel-get dumps an interval apart (records and bytes in and
 * out, drops), refreshed: the table redrawn on a terminal, appended
 * otherwise, or one JSON object a refresh.
 *
 *	ramchan top [--interval SEC] [--once] [--count N] [--bytes] [--json]
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../common/jsonout.h"
#include "../common/opts.h"
#include "../common/table.h"
#include "cli.h"
#include "nl.h"
#include "nl_attr.h"
#include "wait_stop.h"

struct top_args {
	struct cli_opts common;
	const char *interval;
	const char *count;
	bool once;
	bool bytes;
};

#define TOP_OPT(field) offsetof(struct top_args, field)

static const struct cli_opt top_opts[] = {
	{ "interval", 'i', CLI_OPT_STRING, TOP_OPT(interval), "SEC",
	  "seconds between refreshes, fractions allowed (default 1)" },
	{ "once", '1', CLI_OPT_FLAG, TOP_OPT(once), NULL,
	  "one table: two dumps one interval apart" },
	{ "count", 'c', CLI_OPT_STRING, TOP_OPT(count), "N",
	  "exit after N refreshes (default: until interrupted)" },
	{ "bytes", 'b', CLI_OPT_FLAG, TOP_OPT(bytes), NULL,
	  "sizes and byte rates in bytes, not KiB, MiB, ..." },
	{ "json", 'j', CLI_OPT_FLAG, TOP_OPT(common.json), NULL,
	  "a JSON object a refresh, on one line" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static void top_more_help(FILE *f)
{
	fprintf(f, "\nRates are the difference of the counters of two dumps over the time\n"
		   "between them; a channel created in between counts from zero. Busiest\n"
		   "first (records in and out per second). SIGINT and SIGTERM end it.\n");
}

static const struct cli_spec top_spec = {
	.prog = "ramchan top",
	.usage = "[--interval SEC] [--once] [--count N] [--bytes] [--json]",
	.summary = "Per-channel rates, refreshed (netlink).",
	.opts = top_opts,
	.version = cli_version,
	.more_help = top_more_help,
};

/* ---- dumps and rates ------------------------------------------------------ */

struct top_dump {
	struct rcnl_channel *ch;	/* sorted by id */
	size_t nr, cap;
	uint64_t when_ns;		/* CLOCK_MONOTONIC, after the dump */
};

/* The counters a rate is taken of, and the columns of their rates. */
static const int top_counters[] = {
	RAMCHAN_A_CHANNEL_RECORDS_IN, RAMCHAN_A_CHANNEL_RECORDS_OUT,
	RAMCHAN_A_CHANNEL_BYTES_IN, RAMCHAN_A_CHANNEL_BYTES_OUT,
	RAMCHAN_A_CHANNEL_DROPS,
};

#define NR_RATES (sizeof(top_counters) / sizeof(top_counters[0]))

static const char *const top_rate_keys[NR_RATES] = {
	"records_in_per_s", "records_out_per_s", "bytes_in_per_s",
	"bytes_out_per_s", "drops_per_s",
};

struct top_row {
	const struct rcnl_channel *ch;
	double rate[NR_RATES];
	bool known[NR_RATES];	/* the counter is there and did not go back */
	bool bytes;
};

static uint64_t top_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int top_collect(const struct rcnl_channel *ch, void *arg)
{
	struct top_dump *d = arg;
	struct rcnl_channel *p;

	if (d->nr == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		p = realloc(d->ch, d->cap * sizeof(*p));
		if (!p)
			cli_out_of_memory();
		d->ch = p;
	}
	d->ch[d->nr] = *ch;
	d->ch[d->nr].nr_peers = 0;
	d->nr++;
	return 0;
}

static int top_by_id(const void *pa, const void *pb)
{
	const struct rcnl_channel *a = pa, *b = pb;
	uint64_t ia = a->v[RAMCHAN_A_CHANNEL_ID], ib = b->v[RAMCHAN_A_CHANNEL_ID];

	return ia < ib ? -1 : ia > ib;
}

static int top_dump(struct rcnl *nl, struct top_dump *d)
{
	int ret;

	d->nr = 0;
	ret = rcnl_channel_dump(nl, 0, false, top_collect, d);
	d->when_ns = top_now_ns();
	if (!ret)
		qsort(d->ch, d->nr, sizeof(*d->ch), top_by_id);
	return ret;
}

static void top_rates(struct top_row *row, const struct rcnl_channel *cur,
		      const struct top_dump *prev, double secs, bool bytes)
{
	const struct rcnl_channel *old;
	uint64_t then;
	size_t i;

	memset(row, 0, sizeof(*row));
	row->ch = cur;
	row->bytes = bytes;
	old = bsearch(cur, prev->ch, prev->nr, sizeof(*cur), top_by_id);
	for (i = 0; i < NR_RATES; i++) {
		if (!rcnl_has(cur, top_counters[i]))
			continue;
		/* Not in the last dump: created since, it counts from 0. */
		then = old ? old->v[top_counters[i]] : 0;
		if (cur->v[top_counters[i]] < then || secs <= 0)
			continue;
		row->rate[i] = (cur->v[top_counters[i]] - then) / secs;
		row->known[i] = true;
	}
}

/* Busiest first: records in and out per second, then by id. */
static int top_busiest(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;
	double ra = a->rate[0] + a->rate[1], rb = b->rate[0] + b->rate[1];

	if (ra != rb)
		return ra > rb ? -1 : 1;
	return top_by_id(a->ch, b->ch);
}

/* ---- output --------------------------------------------------------------- */

enum {
	TCOL_ID, TCOL_KIND, TCOL_NAME, TCOL_FILL, TCOL_COUNT, TCOL_RATE0,
	TCOL_MEMORY = TCOL_RATE0 + NR_RATES, TCOL_WAITERS, NR_TCOLS
};

#define R SCOLS_FL_RIGHT

static const struct table_column top_columns[NR_TCOLS] = {
	[TCOL_ID] = { "ID", "channel id", 4, R, true },
	[TCOL_KIND] = { "KIND", "ring or mq", 4, 0, true },
	[TCOL_NAME] = { "NAME", "its name, - when anonymous", 0.2, SCOLS_FL_TRUNC, true },
	[TCOL_FILL] = { "FILL", "bytes queued", 8, R, true },
	[TCOL_COUNT] = { "COUNT", "records or messages queued", 6, R, true },
	[TCOL_RATE0 + 0] = { "REC-IN/s", "records written or sent per second", 8, R, true },
	[TCOL_RATE0 + 1] = { "REC-OUT/s", "records read or received per second", 8, R, true },
	[TCOL_RATE0 + 2] = { "BYTES-IN/s", "bytes written or sent per second", 10, R, true },
	[TCOL_RATE0 + 3] = { "BYTES-OUT/s", "bytes read or received per second", 10, R, true },
	[TCOL_RATE0 + 4] = { "DROPS/s", "messages dropped per second", 6, R, true },
	[TCOL_MEMORY] = { "MEMORY", "RAM it holds", 8, R, true },
	[TCOL_WAITERS] = { "WAITERS", "threads asleep on it", 4, R, true },
};

#undef R

static const char *top_attr_cell(const struct rcnl_channel *ch, int attr,
				 bool bytes, char *buf, size_t size)
{
	size_t i;

	if (!rcnl_has(ch, attr))
		return "-";
	if (attr == RAMCHAN_A_CHANNEL_NAME && !ch->name[0])
		return "-";
	for (i = 0; i < rcnl_nr_channel_attrs; i++)
		if (rcnl_channel_attrs[i].attr == attr)
			return rcnl_channel_text(&rcnl_channel_attrs[i], ch, bytes,
						 buf, size);
	return "-";
}

static const char *top_cell(const void *p, unsigned int col, char *buf,
			    size_t size)
{
	static const int attr[NR_TCOLS] = {
		[TCOL_ID] = RAMCHAN_A_CHANNEL_ID, [TCOL_KIND] = RAMCHAN_A_CHANNEL_KIND,
		[TCOL_NAME] = RAMCHAN_A_CHANNEL_NAME, [TCOL_FILL] = RAMCHAN_A_CHANNEL_FILL,
		[TCOL_COUNT] = RAMCHAN_A_CHANNEL_COUNT,
		[TCOL_MEMORY] = RAMCHAN_A_CHANNEL_MEMORY,
		[TCOL_WAITERS] = RAMCHAN_A_CHANNEL_WAITERS,
	};
	const struct top_row *row = p;
	unsigned int r = col - TCOL_RATE0;
	double v;

	if (col < TCOL_RATE0 || col >= TCOL_RATE0 + NR_RATES)
		return top_attr_cell(row->ch, attr[col], row->bytes, buf, size);
	if (!row->known[r])
		return "-";
	v = row->rate[r];
	if (top_counters[r] == RAMCHAN_A_CHANNEL_BYTES_IN ||
	    top_counters[r] == RAMCHAN_A_CHANNEL_BYTES_OUT)
		return rcnl_bytes((uint64_t)(v + 0.5), row->bytes, buf, size);
	snprintf(buf, size, v < 100 && v != (uint64_t)v ? "%.1f" : "%.0f", v);
	return buf;
}

/* The rows a terminal has room for, the header and the title aside. */
static size_t top_room(bool tty)
{
	struct winsize ws;

	if (!tty || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row < 4)
		return SIZE_MAX;
	return ws.ws_row - 3;
}

static int top_table(struct rcnl *nl, struct top_row *rows, size_t nr,
		     double secs, bool tty, bool first, bool bytes)
{
	struct libscols_table *tb;
	struct table_select sel;
	struct rcnl_stats st;
	char when[32], held[32];
	size_t i, room = top_room(tty);
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (tty)
		fputs("\033[H\033[2J", stdout);	/* home, clear the screen */
	else if (!first)
		putchar('\n');
	printf("ramchan top - %s, %zu channel%s, over %.2f s", when, nr,
	       nr == 1 ? "" : "s", secs);
	/* The module's total, if the kernel says. */
	if (!rcnl_stats_get(nl, &st) &&
	    (st.present & (1ULL << RAMCHAN_A_STATS_BYTES_HELD)))
		printf(", %s held", rcnl_bytes(st.v[RAMCHAN_A_STATS_BYTES_HELD],
					       bytes, held, sizeof(held)));
	putchar('\n');
	table_select_defaults(&sel, top_columns, NR_TCOLS);
	tb = table_new(top_columns, &sel, false);
	for (i = 0; i < nr && i < room; i++)
		table_add_row(tb, &sel, top_cell, &rows[i]);
	return table_print(tb, stdout);
}

/* @v with @digits decimals, not in all the 17 digits of a double. */
static struct json_object *top_double(double v, int digits)
{
	struct json_object *j;
	char text[64];

	snprintf(text, sizeof(text), "%.*f", digits, v);
	j = json_object_new_double_s(v, text);
	if (!j)
		cli_out_of_memory();
	return j;
}

static int top_json(struct top_row *rows, size_t nr, double secs)
{
	struct json_object *root = jout_object(), *chans = jout_array(), *o;
	static const int keep[] = {
		RAMCHAN_A_CHANNEL_ID, RAMCHAN_A_CHANNEL_KIND, RAMCHAN_A_CHANNEL_NAME,
		RAMCHAN_A_CHANNEL_FILL, RAMCHAN_A_CHANNEL_COUNT,
		RAMCHAN_A_CHANNEL_MEMORY, RAMCHAN_A_CHANNEL_WAITERS,
	};
	struct rcnl_channel *ch = malloc(sizeof(*ch));
	struct timespec ts;
	size_t i, k;

	if (!ch)
		cli_out_of_memory();
	clock_gettime(CLOCK_REALTIME, &ts);
	jout_set(root, "time", top_double(ts.tv_sec + ts.tv_nsec / 1e9, 6));
	jout_set(root, "interval", top_double(secs, 6));
	for (i = 0; i < nr; i++) {
		/* The figures of the table, then the rates. */
		memset(ch, 0, offsetof(struct rcnl_channel, peers));
		ch->cmd = rows[i].ch->cmd;
		memcpy(ch->name, rows[i].ch->name, sizeof(ch->name));
		for (k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
			ch->present |= rows[i].ch->present & (1ULL << keep[k]);
			ch->v[keep[k]] = rows[i].ch->v[keep[k]];
		}
		o = rcnl_channel_json(ch);
		for (k = 0; k < NR_RATES; k++)
			jout_set(o, top_rate_keys[k], rows[i].known[k] ?
				 top_double(rows[i].rate[k], 3) : NULL);
		jout_push(chans, o);
	}
	free(ch);
	jout_set(root, "channels", chans);
	return jout_print(stdout, root, false);
}

/* ---- the command ---------------------------------------------------------- */

static int top_parse(struct top_args *a, uint64_t *interval_ns, uint64_t *count)
{
	size_t digits;
	double v;
	char *end;

	*interval_ns = 1000000000ULL;
	*count = 0;
	if (a->interval) {
		digits = strspn(a->interval, "0123456789.");
		v = strtod(a->interval, &end);
		if (!digits || digits != strlen(a->interval) || *end ||
		    v < 0.01 || v > 86400)
			return cli_usage_error(&top_spec, "--interval %s: seconds, from 0.01 to 86400",
					       a->interval);
		*interval_ns = v * 1e9;
	}
	if (a->count) {
		errno = 0;
		*count = strtoull(a->count, &end, 10);
		if (*a->count < '0' || *a->count > '9' || *end || errno || !*count)
			return cli_usage_error(&top_spec, "--count %s: a number of refreshes, 1 or more",
					       a->count);
	}
	if (a->once) {
		if (a->count && *count != 1)
			return cli_usage_error(&top_spec, "--once is --count 1");
		*count = 1;
	}
	return 0;
}

int cmd_top(const struct cli_opts *opts, int argc, char **argv)
{
	struct top_args a = { .common = *opts };
	struct top_dump d[2] = { { 0 }, { 0 } }, *prev = &d[0], *cur = &d[1], *t;
	uint64_t interval_ns, count, shown = 0, next;
	bool tty = isatty(STDOUT_FILENO);
	struct top_row *rows = NULL;
	size_t i, rows_cap = 0;
	struct rcnl *nl;
	double secs;
	int ret;

	ret = cli_parse(&top_spec, argc, argv, &a);
	if (ret != CLI_CONTINUE)
		return ret;
	if (top_parse(&a, &interval_ns, &count))
		return CLI_EXIT_USAGE;

	nl = rcnl_open("ramchan top", false);
	if (!nl)
		return 1;
	stop_arm();
	ret = top_dump(nl, prev);
	next = prev->when_ns + interval_ns;
	while (!ret && (!count || shown < count)) {
		/* Sleep to the next tick (ticks do not drift with the work). */
		uint64_t now = top_now_ns();

		ret = stop_wait(-1, next > now ? next - now : 0);
		if (ret == -1) {
			ret = 0;	/* SIGINT, SIGTERM: done */
			break;
		}
		if (ret < 0)
			break;
		if (top_now_ns() < next)
			continue;	/* another signal: sleep on */
		next += interval_ns;
		ret = top_dump(nl, cur);
		if (ret)
			break;
		secs = (cur->when_ns - prev->when_ns) / 1e9;
		if (cur->nr > rows_cap) {
			rows_cap = cur->nr;
			rows = realloc(rows, rows_cap * sizeof(*rows));
			if (!rows)
				cli_out_of_memory();
		}
		for (i = 0; i < cur->nr; i++)
			top_rates(&rows[i], &cur->ch[i], prev, secs, a.bytes);
		qsort(rows, cur->nr, sizeof(*rows), top_busiest);
		ret = a.common.json ? top_json(rows, cur->nr, secs) :
		      top_table(nl, rows, cur->nr, secs, tty, !shown, a.bytes);
		if (ret || fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "ramchan top: writing the output: %s\n",
				strerror(ret ? -ret : errno));
			ret = 1;
			goto out;
		}
		shown++;
		t = prev;
		prev = cur;
		cur = t;
	}
	if (ret < 0)
		ret = rcnl_fail(nl, "ramchan top", "reading the channels", ret);
out:
	rcnl_close(nl);
	free(rows);
	free(d[0].ch);
	free(d[1].ch);
	return ret;
}
