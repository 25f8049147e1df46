// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan CLI: the attributes of the netlink family for a reader
 * (nl_attr.h): one table per set, the text of each value, and the JSON
 * of a channel message or of the global counters.
 */
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "../common/jsonout.h"
#include "nl_attr.h"

#define A(name, key, format) { RAMCHAN_A_CHANNEL_##name, key, RCNL_##format }

const struct rcnl_attr rcnl_channel_attrs[] = {
	A(ID, "id", NUMBER),
	A(KIND, "kind", KIND),
	A(NAME, "name", STRING),
	A(OWNER, "owner", UID),
	A(GROUP, "group", GID),
	A(MODE, "mode", MODE),
	A(MEMORY, "memory", BYTES),
	A(PRODUCERS, "producers", NUMBER),
	A(CONSUMERS, "consumers", NUMBER),
	A(SIZE, "size", BYTES),
	A(FILL, "fill", BYTES),
	A(COUNT, "count", NUMBER),
	A(BYTES_IN, "bytes_in", BYTES),
	A(BYTES_OUT, "bytes_out", BYTES),
	A(RECORDS_IN, "records_in", NUMBER),
	A(RECORDS_OUT, "records_out", NUMBER),
	A(HIGH_WATER, "high_water", FILL_UNIT),
	A(WAITERS, "waiters", NUMBER),
	A(WAITS, "waits", NUMBER),
	A(WAKEUPS, "wakeups", NUMBER),
	A(FLAGS, "flags", RING_FLAGS),
	A(DEPTH, "depth", NUMBER),
	A(MSG_SIZE, "msg_size", BYTES),
	A(OVERFLOW, "overflow", OVERFLOW),
	A(SPIN_US, "spin_us", NUMBER),
	A(DROPS, "drops", NUMBER),
	A(REJECTS, "rejects", NUMBER),
	A(HANDOFFS, "handoffs", NUMBER),
	A(SENDERS_WAITING, "senders_waiting", NUMBER),
	A(RECEIVERS_WAITING, "receivers_waiting", NUMBER),
	A(ROLE, "role", ROLE),
	A(SUPPRESSED, "suppressed", NUMBER),
};

const size_t rcnl_nr_channel_attrs =
	sizeof(rcnl_channel_attrs) / sizeof(rcnl_channel_attrs[0]);

#undef A
#define A(name, key, format) { RAMCHAN_A_STATS_##name, key, RCNL_##format }

const struct rcnl_attr rcnl_stats_attrs[] = {
	A(ABI_VERSION, "abi_version", NUMBER),
	A(OPENS, "opens", NUMBER),
	A(OPEN_FILES, "open_files", NUMBER),
	A(CHANNELS, "channels", NUMBER),
	A(BYTES_HELD, "bytes_held", BYTES),
};

const size_t rcnl_nr_stats_attrs =
	sizeof(rcnl_stats_attrs) / sizeof(rcnl_stats_attrs[0]);

#undef A

static const char *const rcnl_kinds[] = {
	[RAMCHAN_KIND_RING] = "ring",
	[RAMCHAN_KIND_MQ] = "mq",
};

static const char *const rcnl_overflows[] = {
	[RAMCHAN_MQ_OVERFLOW_BLOCK] = "block",
	[RAMCHAN_MQ_OVERFLOW_REJECT] = "reject",
	[RAMCHAN_MQ_OVERFLOW_DROP_OLDEST] = "drop-oldest",
};

/* Bit names of a flags attribute. */
struct rcnl_bit {
	uint64_t bit;
	const char *name;
};

static const struct rcnl_bit rcnl_roles[] = {
	{ RAMCHAN_ROLE_PRODUCER, "producer" },
	{ RAMCHAN_ROLE_CONSUMER, "consumer" },
	{ 0, NULL },
};

static const struct rcnl_bit rcnl_ring_flags[] = {
	{ RAMCHAN_RING_PRODUCERS_GONE, "producers-gone" },
	{ RAMCHAN_RING_CONSUMERS_GONE, "consumers-gone" },
	{ RAMCHAN_RING_BROKEN, "broken" },
	{ 0, NULL },
};

#define NR(a)	(sizeof(a) / sizeof((a)[0]))

static const char *rcnl_enum(const char *const *names, size_t nr, uint64_t v,
			     char *buf, size_t size)
{
	if (v < nr && names[v])
		return names[v];
	snprintf(buf, size, "%" PRIu64, v);
	return buf;
}

const char *rcnl_kind_name(uint64_t kind, char *buf, size_t size)
{
	return rcnl_enum(rcnl_kinds, NR(rcnl_kinds), kind, buf, size);
}

const char *rcnl_overflow_name(uint64_t overflow, char *buf, size_t size)
{
	return rcnl_enum(rcnl_overflows, NR(rcnl_overflows), overflow, buf, size);
}

/* "a,b", unknown bits in hex, "-" for none. */
static const char *rcnl_bits(const struct rcnl_bit *bits, uint64_t v,
			     char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; bits->name; bits++) {
		if (!(v & bits->bit))
			continue;
		v &= ~bits->bit;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s",
				len ? "," : "", bits->name);
	}
	if (v)
		len += snprintf(buf + len, len < size ? size - len : 0,
				"%s%#" PRIx64, len ? "," : "", v);
	return len ? buf : "-";
}

static struct json_object *rcnl_bits_json(const struct rcnl_bit *bits,
					  uint64_t v)
{
	struct json_object *arr = jout_array();
	char hex[24];

	for (; bits->name; bits++)
		if (v & bits->bit) {
			jout_push(arr, jout_str(bits->name));
			v &= ~bits->bit;
		}
	if (v) {
		snprintf(hex, sizeof(hex), "%#" PRIx64, v);
		jout_push(arr, jout_str(hex));
	}
	return arr;
}

const char *rcnl_role_name(uint64_t role, char *buf, size_t size)
{
	return rcnl_bits(rcnl_roles, role, buf, size);
}

const char *rcnl_user_name(uint64_t uid, char *buf, size_t size)
{
	static uint64_t last = UINT64_MAX;
	static char name[64];
	struct passwd *pw;

	if (uid != last) {
		pw = uid <= UINT32_MAX ? getpwuid(uid) : NULL;
		if (pw)
			snprintf(name, sizeof(name), "%s", pw->pw_name);
		else
			snprintf(name, sizeof(name), "%" PRIu64, uid);
		last = uid;
	}
	snprintf(buf, size, "%s", name);
	return buf;
}

const char *rcnl_group_name(uint64_t gid, char *buf, size_t size)
{
	struct group *gr = gid <= UINT32_MAX ? getgrgid(gid) : NULL;

	if (gr)
		snprintf(buf, size, "%s", gr->gr_name);
	else
		snprintf(buf, size, "%" PRIu64, gid);
	return buf;
}

const char *rcnl_bytes(uint64_t v, bool bytes, char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = v;
	int u = -1;

	if (bytes) {
		snprintf(buf, size, "%" PRIu64, v);
		return buf;
	}
	if (v < 1024) {
		snprintf(buf, size, "%" PRIu64 " B", v);
		return buf;
	}
	while (d >= 1024 && u < (int)NR(units) - 1) {
		d /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", d, units[u]);
	return buf;
}

const char *rcnl_value_text(enum rcnl_format format, uint64_t v, bool bytes,
			    char *buf, size_t size)
{
	char name[64];

	switch (format) {
	case RCNL_BYTES:
		return rcnl_bytes(v, bytes, buf, size);
	case RCNL_KIND:
		return rcnl_kind_name(v, buf, size);
	case RCNL_MODE:
		snprintf(buf, size, "%04" PRIo64, v);
		return buf;
	case RCNL_UID:
	case RCNL_GID:
		if (format == RCNL_UID)
			rcnl_user_name(v, name, sizeof(name));
		else
			rcnl_group_name(v, name, sizeof(name));
		snprintf(buf, size, "%" PRIu64 " (%s)", v, name);
		return buf;
	case RCNL_OVERFLOW:
		return rcnl_overflow_name(v, buf, size);
	case RCNL_ROLE:
		return rcnl_bits(rcnl_roles, v, buf, size);
	case RCNL_RING_FLAGS:
		return rcnl_bits(rcnl_ring_flags, v, buf, size);
	default:
		snprintf(buf, size, "%" PRIu64, v);
		return buf;
	}
}

/* The name, with control characters as '?': it goes to a terminal. */
static const char *rcnl_safe(const char *s, char *buf, size_t size)
{
	size_t i;

	snprintf(buf, size, "%s", s);
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	return buf;
}

const char *rcnl_channel_text(const struct rcnl_attr *a,
			      const struct rcnl_channel *ch, bool bytes,
			      char *buf, size_t size)
{
	uint64_t v = ch->v[a->attr];

	switch (a->format) {
	case RCNL_STRING:
		return rcnl_safe(ch->name, buf, size);
	case RCNL_FILL_UNIT:
		if (ch->v[RAMCHAN_A_CHANNEL_KIND] == RAMCHAN_KIND_RING)
			return rcnl_bytes(v, bytes, buf, size);
		snprintf(buf, size, "%" PRIu64 " messages", v);
		return buf;
	default:
		return rcnl_value_text(a->format, v, bytes, buf, size);
	}
}

const char *rcnl_peers_text(const struct rcnl_channel *ch, char *buf,
			    size_t size)
{
	const char *const short_role[] = { "-", "p", "c", "pc" };
	bool cut = ch->peers_total > ch->nr_peers;
	size_t len = 0;
	unsigned int i;
	char one[48];
	int n;

	if (!ch->peers_total)
		return "-";
	buf[0] = '\0';
	for (i = 0; i < ch->nr_peers; i++) {
		n = snprintf(one, sizeof(one), "%s%u/%u(%s)", i ? " " : "",
			     ch->peers[i].pid, ch->peers[i].fd,
			     short_role[ch->peers[i].role & 3]);
		if (len + n + sizeof(" ...") > size) {
			cut = true;
			break;
		}
		memcpy(buf + len, one, n + 1);
		len += n;
	}
	if (cut)
		snprintf(buf + len, size - len, "%s...", len ? " " : "");
	return buf;
}

static struct json_object *rcnl_value_json(const struct rcnl_attr *a,
					   uint64_t v)
{
	char buf[32];

	switch (a->format) {
	case RCNL_KIND:
		return jout_str(rcnl_kind_name(v, buf, sizeof(buf)));
	case RCNL_OVERFLOW:
		return jout_str(rcnl_overflow_name(v, buf, sizeof(buf)));
	case RCNL_ROLE:
		return rcnl_bits_json(rcnl_roles, v);
	case RCNL_RING_FLAGS:
		return rcnl_bits_json(rcnl_ring_flags, v);
	default:
		return jout_u64(v);
	}
}

struct json_object *rcnl_channel_json(const struct rcnl_channel *ch)
{
	struct json_object *root = jout_object(), *peers, *p;
	const struct rcnl_attr *a;
	unsigned int i;
	size_t k;

	for (k = 0; k < rcnl_nr_channel_attrs; k++) {
		a = &rcnl_channel_attrs[k];
		if (a->format == RCNL_STRING) {
			if (rcnl_has(ch, a->attr))
				jout_set(root, a->key, jout_str(ch->name));
			else if (ch->cmd == RAMCHAN_CMD_CHANNEL_GET)
				jout_set(root, a->key, NULL);	/* anonymous */
		} else if (rcnl_has(ch, a->attr)) {
			jout_set(root, a->key, rcnl_value_json(a, ch->v[a->attr]));
		}
	}
	if (!ch->peers_total)
		return root;
	peers = jout_array();
	for (i = 0; i < ch->nr_peers; i++) {
		p = jout_object();
		jout_set(p, "pid", jout_u64(ch->peers[i].pid));
		jout_set(p, "fd", jout_u64(ch->peers[i].fd));
		jout_set(p, "role", rcnl_bits_json(rcnl_roles, ch->peers[i].role));
		jout_push(peers, p);
	}
	jout_set(root, "peers", peers);
	if (ch->peers_total > ch->nr_peers)
		jout_set(root, "peers_not_shown",
			 jout_u64(ch->peers_total - ch->nr_peers));
	return root;
}

struct json_object *rcnl_stats_json(const struct rcnl_stats *st)
{
	struct json_object *root = jout_object();
	size_t k;

	for (k = 0; k < rcnl_nr_stats_attrs; k++)
		if (st->present & (1ULL << rcnl_stats_attrs[k].attr))
			jout_set(root, rcnl_stats_attrs[k].key,
				 jout_u64(st->v[rcnl_stats_attrs[k].attr]));
	return root;
}
