/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan CLI: what the attributes of the netlink family mean to a reader
 * (list, stat, monitor, top, info). nl_attr.c owns one table per attribute
 * set: the key of each attribute (the spec's name with '_', as in sysfs
 * and JSON), how its value reads (a count, a size, an enum, flags), its
 * text, and the JSON of a whole channel message.
 */
#ifndef RAMCHAN_CLI_NL_ATTR_H
#define RAMCHAN_CLI_NL_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "nl.h"

enum rcnl_format {
	RCNL_NUMBER,
	RCNL_BYTES,	 /* a size: "1.5 KiB" unless --bytes */
	RCNL_FILL_UNIT,	 /* high_water: bytes of a ring, messages of a queue */
	RCNL_KIND,	 /* "ring", "mq" */
	RCNL_MODE,	 /* octal permission bits: "0660" */
	RCNL_UID,	 /* "1000 (alice)" */
	RCNL_GID,
	RCNL_OVERFLOW,	 /* "block", "reject", "drop-oldest" */
	RCNL_ROLE,	 /* "producer", "consumer", "producer,consumer" */
	RCNL_RING_FLAGS, /* "producers-gone,broken", "-" for none */
	RCNL_STRING,	 /* the name */
};

/**
 * struct rcnl_attr - one attribute, for a reader
 * @attr:	RAMCHAN_A_CHANNEL_* or RAMCHAN_A_STATS_*
 * @key:	its JSON key and stat label
 * @format:	how its value reads
 */
struct rcnl_attr {
	int attr;
	const char *key;
	enum rcnl_format format;
};

/* The channel set in the spec's order (not peer, with-peers, pad). */
extern const struct rcnl_attr rcnl_channel_attrs[];
extern const size_t rcnl_nr_channel_attrs;
extern const struct rcnl_attr rcnl_stats_attrs[];
extern const size_t rcnl_nr_stats_attrs;

/* The text of @a's value in @ch (which must carry it), maybe in @buf. */
const char *rcnl_channel_text(const struct rcnl_attr *a,
			      const struct rcnl_channel *ch, bool bytes,
			      char *buf, size_t size);
/* The text of a value @v read as @format (not RCNL_STRING). */
const char *rcnl_value_text(enum rcnl_format format, uint64_t v, bool bytes,
			    char *buf, size_t size);

/* 1536 -> "1.5 KiB", below 1 KiB "512 B"; with @bytes, "1536". */
const char *rcnl_bytes(uint64_t v, bool bytes, char *buf, size_t size);
/* "ring", "mq", or the number. */
const char *rcnl_kind_name(uint64_t kind, char *buf, size_t size);
const char *rcnl_overflow_name(uint64_t overflow, char *buf, size_t size);
/* "producer", "consumer", "producer,consumer"; "-" for none. */
const char *rcnl_role_name(uint64_t role, char *buf, size_t size);
/* The user (group) name of @id, or the number. */
const char *rcnl_user_name(uint64_t uid, char *buf, size_t size);
const char *rcnl_group_name(uint64_t gid, char *buf, size_t size);
/* "1234/3(producer) 1240/4(consumer)", "-" for none, "..." when cut. */
const char *rcnl_peers_text(const struct rcnl_channel *ch, char *buf,
			    size_t size);

/*
 * JSON of @ch: every attribute it carried by its key (enums as strings,
 * flags and roles as arrays of names), "name" null when a reply has none,
 * and "peers" [{"pid", "fd", "role"}] when it had any. A new object.
 */
struct json_object *rcnl_channel_json(const struct rcnl_channel *ch);
struct json_object *rcnl_stats_json(const struct rcnl_stats *st);

#endif /* RAMCHAN_CLI_NL_ATTR_H */
