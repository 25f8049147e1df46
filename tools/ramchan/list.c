// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan list and ramchan stat: the channels of this IPC namespace as
 * the netlink family tells them (channel-get, nl.h). list is a table of
 * them all, like lsipc (a column model, -o, --sort), or a JSON array of
 * every attribute; stat is every attribute of one channel, by id or name,
 * as "key: value" lines or one JSON object.
 *
 *	ramchan list [--kind ring|mq] [--bytes] [-o COLS] [--sort [-]COL]
 *		     [--peers] [--noheadings] [--raw] [--json]
 *	ramchan stat CHANNEL [--bytes] [--json]
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../common/jsonout.h"
#include "../common/opts.h"
#include "../common/table.h"
#include "cli.h"
#include "nl.h"
#include "nl_attr.h"

/* ---- the column model ----------------------------------------------------- */

enum {
	COL_ID, COL_KIND, COL_NAME, COL_OWNER, COL_GROUP, COL_MODE, COL_SIZE,
	COL_FILL, COL_USE, COL_COUNT, COL_IN, COL_OUT, COL_BYTES_IN,
	COL_BYTES_OUT, COL_HIGH_WATER, COL_DROPS, COL_REJECTS, COL_HANDOFFS,
	COL_WAITERS, COL_WAITS, COL_WAKEUPS, COL_PRODUCERS, COL_CONSUMERS,
	COL_MEMORY, COL_DEPTH, COL_MSG_SIZE, COL_OVERFLOW, COL_SPIN_US,
	COL_FLAGS, COL_SEND_WAIT, COL_RECV_WAIT, COL_PEERS,
	NR_COLS
};

#define R SCOLS_FL_RIGHT

/*
 * NAME's width hint is in columns, not a share of the terminal: a share of
 * 80 columns is narrower than most names, and libsmartcols then breaks
 * every row after the name (the rest on a line of its own).
 */
static const struct table_column list_columns[NR_COLS] = {
	[COL_ID] = { "ID", "channel id", 4, R, true },
	[COL_KIND] = { "KIND", "ring or mq", 4, 0, true },
	[COL_NAME] = { "NAME", "name in the IPC namespace, - when anonymous", 8, 0, true },
	[COL_OWNER] = { "OWNER", "owner (creator's user)", 8, 0, true },
	[COL_GROUP] = { "GROUP", "group (creator's group)", 8, 0, false },
	[COL_MODE] = { "MODE", "permission bits, octal", 4, R, true },
	[COL_SIZE] = { "SIZE", "ring bytes; queue depth times message size", 8, R, true },
	[COL_FILL] = { "FILL", "bytes queued", 8, R, true },
	[COL_USE] = { "USE%", "fill in percent of size", 4, R, false },
	[COL_COUNT] = { "COUNT", "records or messages queued", 6, R, true },
	[COL_IN] = { "IN", "records written or messages sent", 8, R, true },
	[COL_OUT] = { "OUT", "records read or messages received", 8, R, true },
	[COL_BYTES_IN] = { "BYTES-IN", "bytes written or sent", 8, R, false },
	[COL_BYTES_OUT] = { "BYTES-OUT", "bytes read or received", 8, R, false },
	[COL_HIGH_WATER] = { "HIGH-WATER", "highest fill (ring bytes, queue messages)", 8, R, false },
	[COL_DROPS] = { "DROPS", "messages a drop-oldest queue discarded", 6, R, true },
	[COL_REJECTS] = { "REJECTS", "sends a reject queue refused", 6, R, false },
	[COL_HANDOFFS] = { "HANDOFFS", "messages handed straight to a receiver", 6, R, false },
	[COL_WAITERS] = { "WAITERS", "threads asleep on it", 4, R, true },
	[COL_WAITS] = { "WAITS", "times a ring reader or writer slept", 6, R, false },
	[COL_WAKEUPS] = { "WAKEUPS", "wakeups a ring's peers asked for", 6, R, false },
	[COL_PRODUCERS] = { "PRODUCERS", "open files with the producer role", 4, R, true },
	[COL_CONSUMERS] = { "CONSUMERS", "open files with the consumer role", 4, R, true },
	[COL_MEMORY] = { "MEMORY", "RAM it holds and is charged for", 8, R, true },
	[COL_DEPTH] = { "DEPTH", "queue: most messages", 5, R, false },
	[COL_MSG_SIZE] = { "MSG-SIZE", "queue: largest message", 8, R, false },
	[COL_OVERFLOW] = { "OVERFLOW", "queue: block, reject or drop-oldest", 8, 0, false },
	[COL_SPIN_US] = { "SPIN-US", "queue: microseconds a waiter polls", 4, R, false },
	[COL_FLAGS] = { "FLAGS", "ring: producers-gone, consumers-gone, broken", 8, 0, false },
	[COL_SEND_WAIT] = { "SEND-WAIT", "queue: senders waiting", 4, R, false },
	[COL_RECV_WAIT] = { "RECV-WAIT", "queue: receivers waiting", 4, R, false },
	[COL_PEERS] = { "PEERS", "PID/FD(ROLE) of each open file (with --peers)", 0.3, SCOLS_FL_WRAP, false },
};

#undef R

/* The attribute behind each column (0: computed). */
static const int list_col_attr[NR_COLS] = {
	[COL_ID] = RAMCHAN_A_CHANNEL_ID, [COL_KIND] = RAMCHAN_A_CHANNEL_KIND,
	[COL_NAME] = RAMCHAN_A_CHANNEL_NAME, [COL_OWNER] = RAMCHAN_A_CHANNEL_OWNER,
	[COL_GROUP] = RAMCHAN_A_CHANNEL_GROUP, [COL_MODE] = RAMCHAN_A_CHANNEL_MODE,
	[COL_SIZE] = RAMCHAN_A_CHANNEL_SIZE, [COL_FILL] = RAMCHAN_A_CHANNEL_FILL,
	[COL_COUNT] = RAMCHAN_A_CHANNEL_COUNT,
	[COL_IN] = RAMCHAN_A_CHANNEL_RECORDS_IN,
	[COL_OUT] = RAMCHAN_A_CHANNEL_RECORDS_OUT,
	[COL_BYTES_IN] = RAMCHAN_A_CHANNEL_BYTES_IN,
	[COL_BYTES_OUT] = RAMCHAN_A_CHANNEL_BYTES_OUT,
	[COL_HIGH_WATER] = RAMCHAN_A_CHANNEL_HIGH_WATER,
	[COL_DROPS] = RAMCHAN_A_CHANNEL_DROPS,
	[COL_REJECTS] = RAMCHAN_A_CHANNEL_REJECTS,
	[COL_HANDOFFS] = RAMCHAN_A_CHANNEL_HANDOFFS,
	[COL_WAITERS] = RAMCHAN_A_CHANNEL_WAITERS,
	[COL_WAITS] = RAMCHAN_A_CHANNEL_WAITS,
	[COL_WAKEUPS] = RAMCHAN_A_CHANNEL_WAKEUPS,
	[COL_PRODUCERS] = RAMCHAN_A_CHANNEL_PRODUCERS,
	[COL_CONSUMERS] = RAMCHAN_A_CHANNEL_CONSUMERS,
	[COL_MEMORY] = RAMCHAN_A_CHANNEL_MEMORY,
	[COL_DEPTH] = RAMCHAN_A_CHANNEL_DEPTH,
	[COL_MSG_SIZE] = RAMCHAN_A_CHANNEL_MSG_SIZE,
	[COL_OVERFLOW] = RAMCHAN_A_CHANNEL_OVERFLOW,
	[COL_SPIN_US] = RAMCHAN_A_CHANNEL_SPIN_US,
	[COL_FLAGS] = RAMCHAN_A_CHANNEL_FLAGS,
	[COL_SEND_WAIT] = RAMCHAN_A_CHANNEL_SENDERS_WAITING,
	[COL_RECV_WAIT] = RAMCHAN_A_CHANNEL_RECEIVERS_WAITING,
};

/* The reader's view of the attribute of @attr. */
static const struct rcnl_attr *list_attr(int attr)
{
	size_t i;

	for (i = 0; i < rcnl_nr_channel_attrs; i++)
		if (rcnl_channel_attrs[i].attr == attr)
			return &rcnl_channel_attrs[i];
	return NULL;
}

/* ---- the options ---------------------------------------------------------- */

struct list_args {
	struct cli_opts common;
	const char *kind;
	const char *output;
	const char *sort;
	bool bytes;
	bool peers;
	bool noheadings;
	bool raw;
};

#define LIST_OPT(field) offsetof(struct list_args, field)

static const struct cli_opt list_opts[] = {
	{ "kind", 'k', CLI_OPT_STRING, LIST_OPT(kind), "KIND",
	  "only rings (ring) or only queues (mq)" },
	{ "output", 'o', CLI_OPT_STRING, LIST_OPT(output), "COLS",
	  "columns to show (+COLS: the defaults and these)" },
	{ "sort", 's', CLI_OPT_STRING, LIST_OPT(sort), "COL",
	  "sort by column COL, ascending (-COL: descending)" },
	{ "bytes", 'b', CLI_OPT_FLAG, LIST_OPT(bytes), NULL,
	  "sizes in bytes, not KiB, MiB, ..." },
	{ "peers", 'p', CLI_OPT_FLAG, LIST_OPT(peers), NULL,
	  "ask for the open files of each channel too (the PEERS column)" },
	{ "noheadings", 'n', CLI_OPT_FLAG, LIST_OPT(noheadings), NULL,
	  "no header line" },
	{ "raw", 'r', CLI_OPT_FLAG, LIST_OPT(raw), NULL,
	  "unaligned, for scripts" },
	{ "json", 'j', CLI_OPT_FLAG, LIST_OPT(common.json), NULL,
	  "JSON: an array of objects, every attribute of each channel" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static void list_more_help(FILE *f)
{
	table_columns_help(f, "columns (-o, --sort)", list_columns, NR_COLS);
	fprintf(f, "\nA cell is - when the kernel does not give that figure for the kind.\n"
		   "Without CAP_SYS_ADMIN, PEERS shows only your own processes unless\n"
		   "you own the channel.\n");
}

static const struct cli_spec list_spec = {
	.prog = "ramchan list",
	.usage = "[--kind ring|mq] [--bytes] [-o COLS] [--sort [-]COL] [--peers]\n"
		 "                    [--noheadings] [--raw] [--json]",
	.summary = "The channels of this IPC namespace, with their figures (netlink).",
	.opts = list_opts,
	.version = cli_version,
	.more_help = list_more_help,
};

/* ---- collecting ----------------------------------------------------------- */

struct list_set {
	struct rcnl_channel *ch;
	size_t nr, cap;
	uint32_t kind;		/* 0: every kind */
};

static int list_collect(const struct rcnl_channel *ch, void *arg)
{
	struct list_set *set = arg;
	struct rcnl_channel *p;

	/* A kernel that ignores the kind of the request: filter here. */
	if (set->kind && rcnl_has(ch, RAMCHAN_A_CHANNEL_KIND) &&
	    ch->v[RAMCHAN_A_CHANNEL_KIND] != set->kind)
		return 0;
	if (set->nr == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		p = realloc(set->ch, set->cap * sizeof(*p));
		if (!p)
			cli_out_of_memory();
		set->ch = p;
	}
	set->ch[set->nr++] = *ch;
	return 0;
}

/* ---- cells and sorting ---------------------------------------------------- */

/* A row and how it reads. */
struct list_row {
	const struct rcnl_channel *ch;
	bool bytes;
};

static const char *list_cell(const void *row, unsigned int col, char *buf,
			     size_t size)
{
	const struct list_row *r = row;
	const struct rcnl_channel *ch = r->ch;
	int attr = list_col_attr[col];

	switch (col) {
	case COL_USE:
		if (!rcnl_has(ch, RAMCHAN_A_CHANNEL_FILL) ||
		    !ch->v[RAMCHAN_A_CHANNEL_SIZE])
			return "-";
		snprintf(buf, size, "%.0f%%", 100.0 * ch->v[RAMCHAN_A_CHANNEL_FILL] /
			 ch->v[RAMCHAN_A_CHANNEL_SIZE]);
		return buf;
	case COL_PEERS:
		return rcnl_peers_text(ch, buf, size);
	}
	if (!rcnl_has(ch, attr))
		return "-";
	switch (col) {
	case COL_NAME:
		return ch->name[0] ? rcnl_channel_text(list_attr(attr), ch, false,
						       buf, size) : "-";
	case COL_OWNER:
		return rcnl_user_name(ch->v[attr], buf, size);
	case COL_GROUP:
		return rcnl_group_name(ch->v[attr], buf, size);
	case COL_HIGH_WATER:
		if (ch->v[RAMCHAN_A_CHANNEL_KIND] != RAMCHAN_KIND_RING) {
			snprintf(buf, size, "%" PRIu64, ch->v[attr]);
			return buf;
		}
		break;
	}
	return rcnl_channel_text(list_attr(attr), ch, r->bytes, buf, size);
}

/* What --sort asked for. */
static unsigned int list_sort_col;
static bool list_sort_desc;

static bool list_sort_by_text(unsigned int col)
{
	return col == COL_KIND || col == COL_NAME || col == COL_OWNER ||
	       col == COL_GROUP || col == COL_OVERFLOW || col == COL_FLAGS;
}

static uint64_t list_sort_value(const struct rcnl_channel *ch, unsigned int col)
{
	if (col == COL_USE)
		return ch->v[RAMCHAN_A_CHANNEL_SIZE] ?
		       ch->v[RAMCHAN_A_CHANNEL_FILL] * 10000 / ch->v[RAMCHAN_A_CHANNEL_SIZE] : 0;
	if (col == COL_PEERS)
		return ch->peers_total;
	return ch->v[list_col_attr[col]];
}

static int list_compare(const void *pa, const void *pb)
{
	const struct rcnl_channel *a = pa, *b = pb;
	struct list_row ra = { a, true }, rb = { b, true };
	char ta[256], tb[256];
	uint64_t va, vb;
	int c;

	if (list_sort_by_text(list_sort_col)) {
		c = strcmp(list_cell(&ra, list_sort_col, ta, sizeof(ta)),
			   list_cell(&rb, list_sort_col, tb, sizeof(tb)));
	} else {
		va = list_sort_value(a, list_sort_col);
		vb = list_sort_value(b, list_sort_col);
		c = va < vb ? -1 : va > vb;
	}
	if (!c)		/* then by id, always ascending */
		return a->v[RAMCHAN_A_CHANNEL_ID] < b->v[RAMCHAN_A_CHANNEL_ID] ? -1 :
		       a->v[RAMCHAN_A_CHANNEL_ID] > b->v[RAMCHAN_A_CHANNEL_ID];
	return list_sort_desc ? -c : c;
}

static int list_parse_sort(const char *s)
{
	unsigned int i;

	list_sort_desc = *s == '-';
	if (list_sort_desc)
		s++;
	for (i = 0; i < NR_COLS; i++)
		if (!strcasecmp(s, list_columns[i].name)) {
			list_sort_col = i;
			return 0;
		}
	return cli_usage_error(&list_spec, "--sort %s: no such column", s);
}

/* ---- output --------------------------------------------------------------- */

static int list_table(const struct list_args *a, const struct table_select *sel,
		      const struct list_set *set)
{
	struct libscols_table *tb = table_new(list_columns, sel, a->raw);
	struct list_row row = { .bytes = a->bytes };
	size_t i;

	scols_table_enable_noheadings(tb, a->noheadings);
	for (i = 0; i < set->nr; i++) {
		row.ch = &set->ch[i];
		table_add_row(tb, sel, list_cell, &row);
	}
	return table_print(tb, stdout);
}

static int list_json(const struct list_set *set)
{
	struct json_object *root = jout_array();
	size_t i;

	for (i = 0; i < set->nr; i++)
		jout_push(root, rcnl_channel_json(&set->ch[i]));
	return jout_print(stdout, root, true);
}

static int list_flush(const char *prog, int ret)
{
	if (ret || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: writing the output: %s\n", prog,
			strerror(ret ? -ret : errno));
		return 1;
	}
	return 0;
}

/* "ring" or "mq" (@s NULL: 0, every kind); a usage error otherwise. */
static int list_kind(const struct cli_spec *spec, const char *s, uint32_t *kind)
{
	*kind = 0;
	if (!s)
		return 0;
	if (!strcmp(s, "ring"))
		*kind = RAMCHAN_KIND_RING;
	else if (!strcmp(s, "mq"))
		*kind = RAMCHAN_KIND_MQ;
	else
		return cli_usage_error(spec, "--kind %s: ring or mq", s);
	return 0;
}

int cmd_list(const struct cli_opts *opts, int argc, char **argv)
{
	struct list_args a = { .common = *opts };
	struct list_set set = { 0 };
	struct table_select sel;
	struct rcnl *nl;
	size_t i;
	int ret;

	ret = cli_parse(&list_spec, argc, argv, &a);
	if (ret != CLI_CONTINUE)
		return ret;
	table_select_defaults(&sel, list_columns, NR_COLS);
	if ((a.output && table_select_parse(&sel, list_columns, NR_COLS,
					    a.output, &list_spec)) ||
	    (a.sort && list_parse_sort(a.sort)) ||
	    list_kind(&list_spec, a.kind, &set.kind))
		return CLI_EXIT_USAGE;
	for (i = 0; i < sel.nr && sel.ids[i] != COL_PEERS; i++)
		;
	if (i < sel.nr)
		a.peers = true;		/* -o PEERS asks for them */
	else if (a.peers && sel.nr < TABLE_MAX_COLUMNS)
		sel.ids[sel.nr++] = COL_PEERS;

	nl = rcnl_open("ramchan list", false);
	if (!nl)
		return 1;
	ret = rcnl_channel_dump(nl, set.kind, a.peers, list_collect, &set);
	if (ret)
		rcnl_fail(nl, "ramchan list", "listing the channels", ret);
	rcnl_close(nl);
	if (ret) {
		free(set.ch);
		return 1;
	}
	if (a.sort)
		qsort(set.ch, set.nr, sizeof(*set.ch), list_compare);
	ret = a.common.json ? list_json(&set) : list_table(&a, &sel, &set);
	free(set.ch);
	return list_flush("ramchan list", ret);
}

/* ---- ramchan stat --------------------------------------------------------- */

struct stat_args {
	struct cli_opts common;
	bool bytes;
};

static const struct cli_opt stat_opts[] = {
	{ "bytes", 'b', CLI_OPT_FLAG, offsetof(struct stat_args, bytes), NULL,
	  "sizes in bytes, not KiB, MiB, ..." },
	{ "json", 'j', CLI_OPT_FLAG, offsetof(struct stat_args, common.json),
	  NULL, "JSON: one object, every attribute and the peers" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static void stat_more_help(FILE *f)
{
	fprintf(f, "\nCHANNEL is a channel id (a number) or a name; ramchan list shows them.\n"
		   "The keys are those of JSON and of /sys/kernel/ramchan/channel/ID/.\n");
}

static const struct cli_spec stat_spec = {
	.prog = "ramchan stat",
	.usage = "CHANNEL [--bytes] [--json]",
	.summary = "Every figure of one channel, and the processes that have it open.",
	.opts = stat_opts,
	.version = cli_version,
	.more_help = stat_more_help,
	.operands = true,
};

static void stat_human(const struct rcnl_channel *ch, bool bytes)
{
	const struct rcnl_attr *at;
	char buf[128];
	unsigned int i;
	size_t k;

	for (k = 0; k < rcnl_nr_channel_attrs; k++) {
		at = &rcnl_channel_attrs[k];
		if (at->format == RCNL_STRING && !rcnl_has(ch, at->attr))
			printf("%s: -\n", at->key);	/* anonymous */
		else if (rcnl_has(ch, at->attr))
			printf("%s: %s\n", at->key,
			       rcnl_channel_text(at, ch, bytes, buf, sizeof(buf)));
	}
	printf("peers: %u\n", ch->peers_total);
	for (i = 0; i < ch->nr_peers; i++)
		printf("peer: pid=%u fd=%u role=%s\n", ch->peers[i].pid,
		       ch->peers[i].fd, rcnl_role_name(ch->peers[i].role, buf,
						       sizeof(buf)));
	if (ch->peers_total > ch->nr_peers)
		printf("peer: ... %u more\n", ch->peers_total - ch->nr_peers);
}

/* @s is a channel id: digits only, no sign. */
static bool stat_is_id(const char *s, uint64_t *id)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	*id = strtoull(s, &end, 10);
	return !errno;
}

int cmd_stat(const struct cli_opts *opts, int argc, char **argv)
{
	struct stat_args a = { .common = *opts };
	struct rcnl_channel *ch;
	const char *what;
	struct rcnl *nl;
	uint64_t id;
	int ret, i;

	/* CHANNEL, and options before or after it. */
	ret = cli_parse(&stat_spec, argc, argv, &a);
	if (ret != CLI_CONTINUE)
		return ret;
	if (optind >= argc)
		return cli_usage_error(&stat_spec, "needs a channel: an id or a name");
	i = optind;
	what = argv[i];
	if (i + 1 < argc) {
		ret = cli_parse(&stat_spec, argc - i, argv + i, &a);
		if (ret != CLI_CONTINUE)
			return ret;
		if (i + optind < argc)
			return cli_usage_error(&stat_spec, "unexpected argument '%s'",
					       argv[i + optind]);
	}

	ch = malloc(sizeof(*ch));
	if (!ch)
		cli_out_of_memory();
	nl = rcnl_open("ramchan stat", false);
	if (!nl) {
		free(ch);
		return 1;
	}
	ret = -ENOENT;
	if (stat_is_id(what, &id))
		ret = rcnl_channel_get(nl, id, NULL, ch);
	/* Not an id, or none with it: a name (which may be digits). */
	if (ret == -ENOENT && strlen(what) <= RAMCHAN_NAME_MAX &&
	    !strchr(what, '/') && *what)
		ret = rcnl_channel_get(nl, 0, what, ch);
	if (ret == -ENOENT) {
		/* Clearer than what the kernel says about it. */
		fprintf(stderr, "ramchan stat: no channel %s (ramchan list shows them)\n",
			what);
		ret = 1;
	} else if (ret) {
		ret = rcnl_fail(nl, "ramchan stat", "reading the channel", ret);
	} else if (a.common.json) {
		ret = list_flush("ramchan stat",
				 jout_print(stdout, rcnl_channel_json(ch), true));
	} else {
		stat_human(ch, a.bytes);
		ret = list_flush("ramchan stat", 0);
	}
	rcnl_close(nl);
	free(ch);
	return ret;
}
