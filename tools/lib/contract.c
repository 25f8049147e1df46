// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libramchan: the contract between the module and every tool, in one
 * place. What <linux/ramchan.h> and the module state as numbers or text
 * gets its one name and its one parser here:
 *
 *  - the names of the RAMCHAN_FEATURE_* bits (ramchan info, JSON);
 *  - the limits of struct ramchan_info, with their titles and units;
 *  - the channel kinds as sysfs and fdinfo spell them ("ring", "mq");
 *  - the lines a channel fd shows in /proc/PID/fdinfo (ramchan census).
 *
 * selftests/ramchan/contract_test holds the uapi header and the module to
 * these tables: a feature bit defined or reported without a name here, or
 * a field of struct ramchan_info without a limit here, fails it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ramchan.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- feature bits ---------------------------------------------------------- */

static const struct ramchan_feature ramchan_features[] = {
	{ RAMCHAN_FEATURE_SYSFS, "sysfs", "statistics in /sys/kernel/ramchan" },
	{ RAMCHAN_FEATURE_RING, "ring", "mmap'd ring buffers (RAMCHAN_KIND_RING)" },
	{ RAMCHAN_FEATURE_NAMES, "names", "named channels: OPEN and UNLINK" },
	{ RAMCHAN_FEATURE_MQ, "mq", "message queues (RAMCHAN_KIND_MQ)" },
};

/* Step through a table of @nr entries of @size bytes: NULL, first, ..., NULL. */
static const void *ramchan_table_next(const void *table, size_t nr,
				      size_t size, const void *prev)
{
	const char *first = table, *p = prev;

	if (!p)
		return nr ? first : NULL;
	p += size;
	return p < first + nr * size ? p : NULL;
}

const struct ramchan_feature *
ramchan_feature_next(const struct ramchan_feature *prev)
{
	return ramchan_table_next(ramchan_features,
				  ARRAY_SIZE(ramchan_features),
				  sizeof(ramchan_features[0]), prev);
}

const char *ramchan_feature_name(uint64_t bit)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ramchan_features); i++)
		if (ramchan_features[i].bit == bit)
			return ramchan_features[i].name;
	return NULL;
}

uint64_t ramchan_features_known(void)
{
	uint64_t known = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ramchan_features); i++)
		known |= ramchan_features[i].bit;
	return known;
}

/* ---- limits of struct ramchan_info --------------------------------------- */

#define RAMCHAN_LIMIT(field, title, unit) {				\
	#field, title, unit, offsetof(struct ramchan_info, field),	\
	sizeof(((struct ramchan_info *)NULL)->field)			\
}

static const struct ramchan_limit ramchan_limits[] = {
	RAMCHAN_LIMIT(max_ring_bytes, "max ring size", "bytes"),
	RAMCHAN_LIMIT(max_channels, "max channels", "channels"),
	RAMCHAN_LIMIT(max_channels_per_user, "max channels per user", "channels"),
	RAMCHAN_LIMIT(name_max, "max name length", "bytes"),
	RAMCHAN_LIMIT(page_size, "page size", "bytes"),
	RAMCHAN_LIMIT(mq_max_depth, "max queue depth", "messages"),
	RAMCHAN_LIMIT(mq_max_msg_size, "max message size", "bytes"),
	RAMCHAN_LIMIT(mq_max_spin_us, "max spin budget", "us"),
	RAMCHAN_LIMIT(mq_max_batch, "max batch", "messages"),
};

const struct ramchan_limit *ramchan_limit_next(const struct ramchan_limit *prev)
{
	return ramchan_table_next(ramchan_limits, ARRAY_SIZE(ramchan_limits),
				  sizeof(ramchan_limits[0]), prev);
}

uint64_t ramchan_limit_value(const struct ramchan_info *info,
			     const struct ramchan_limit *limit)
{
	const char *field = (const char *)info + limit->offset;
	uint32_t v32;
	uint64_t v64;

	if (limit->size == sizeof(v64)) {
		memcpy(&v64, field, sizeof(v64));
		return v64;
	}
	memcpy(&v32, field, sizeof(v32));
	return v32;
}

/* ---- channel kinds -------------------------------------------------------- */

static const char *const ramchan_kinds[] = {
	[RAMCHAN_KIND_RING] = "ring",
	[RAMCHAN_KIND_MQ] = "mq",
};

const char *ramchan_kind_name(unsigned int kind)
{
	return kind < ARRAY_SIZE(ramchan_kinds) ? ramchan_kinds[kind] : NULL;
}

/* Match @len bytes at @name against the kind names. */
static unsigned int ramchan_kind_from(const char *name, size_t len)
{
	unsigned int kind;

	for (kind = 0; kind < ARRAY_SIZE(ramchan_kinds); kind++)
		if (ramchan_kinds[kind] && strlen(ramchan_kinds[kind]) == len &&
		    !memcmp(ramchan_kinds[kind], name, len))
			return kind;
	return 0;
}

unsigned int ramchan_kind_from_name(const char *name)
{
	return ramchan_kind_from(name, strlen(name));
}

/* ---- /proc/PID/fdinfo ------------------------------------------------------ */

/* The value of "@key:<blanks>value" in @line, or NULL for another key. */
static const char *fdinfo_value(const char *line, const char *key)
{
	size_t len = strlen(key);

	if (strncmp(line, key, len) || line[len] != ':')
		return NULL;
	line += len + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

/* Digits in @base from @s exactly up to @eol, into *@v. */
static int fdinfo_number(const char *s, const char *eol, int base,
			 uint64_t max, uint64_t *v)
{
	char *end;

	if (s == eol || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, base);
	if (errno || end != eol || *v > max)
		return -EINVAL;
	return 0;
}

enum {
	FDINFO_ID = 0x1,
	FDINFO_KIND = 0x2,
	FDINFO_ROLE = 0x4,
	FDINFO_ALL = FDINFO_ID | FDINFO_KIND | FDINFO_ROLE,
};

/* The line from @line to @eol; @seen: the ramchan lines parsed before. */
static int fdinfo_line(const char *line, const char *eol,
		       struct ramchan_fdinfo *out, unsigned int *seen)
{
	const char *v;
	uint64_t n;
	int ret = 0;

	if ((v = fdinfo_value(line, "ramchan-id"))) {
		if (*seen & FDINFO_ID)
			return -EINVAL;
		*seen |= FDINFO_ID;
		ret = fdinfo_number(v, eol, 10, UINT64_MAX, &out->id);
	} else if ((v = fdinfo_value(line, "ramchan-kind"))) {
		if (*seen & FDINFO_KIND || v == eol)
			return -EINVAL;
		*seen |= FDINFO_KIND;
		out->kind = ramchan_kind_from(v, eol - v);
	} else if ((v = fdinfo_value(line, "ramchan-role"))) {
		if (*seen & FDINFO_ROLE)
			return -EINVAL;
		*seen |= FDINFO_ROLE;
		ret = fdinfo_number(v, eol, 10, UINT32_MAX, &n);
		if (!ret && !n)
			ret = -EINVAL;
		out->role = n;
	} else if ((v = fdinfo_value(line, "flags"))) {
		if (!fdinfo_number(v, eol, 8, UINT32_MAX, &n))
			out->flags = n;
	}
	return ret;
}

int ramchan_fdinfo_parse(const char *text, struct ramchan_fdinfo *out)
{
	unsigned int seen = 0;
	const char *line, *eol;
	int ret;

	memset(out, 0, sizeof(*out));
	for (line = text; *line; line = *eol ? eol + 1 : eol) {
		eol = strchr(line, '\n');
		if (!eol)
			eol = line + strlen(line);
		ret = fdinfo_line(line, eol, out, &seen);
		if (ret)
			return ret;
	}
	if (!(seen & FDINFO_ID))
		return -ENOENT;
	return seen == FDINFO_ALL ? 0 : -EINVAL;
}
