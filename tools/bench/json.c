// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench JSON, written with json-c: {"env": {...}, "results":
 * [...]}, one object per result, with the same field names and numbers
 * (as many decimals) as the CSV. json-c escapes quotes, backslashes and
 * control characters; strings are made valid UTF-8 first (json-c passes
 * bytes above 0x7f as they are), each byte that is not part of a
 * well-formed sequence replaced by U+FFFD.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Length of the well-formed UTF-8 sequence at @p (Unicode table 3-7), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t i, n;

	if (*p < 0x80)
		return 1;
	if (*p < 0xc2 || *p > 0xf4)
		return 0;
	n = *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
	if (*p == 0xe0)
		lo = 0xa0;		/* no overlong 3-byte forms */
	else if (*p == 0xed)
		hi = 0x9f;		/* no surrogates */
	else if (*p == 0xf0)
		lo = 0x90;		/* no overlong 4-byte forms */
	else if (*p == 0xf4)
		hi = 0x8f;		/* nothing above U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * A JSON string of @s: valid UTF-8 passes, each byte that is not part of a
 * well-formed sequence becomes U+FFFD; json-c escapes the quotes,
 * backslashes and control characters.
 */
static json_object *json_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *clean = malloc(3 * strlen(s) + 1), *out = clean;
	json_object *j;
	size_t len;

	if (!clean)
		return NULL;
	while (*p) {
		len = utf8_len(p);
		if (len) {
			memcpy(out, p, len);
			p += len;
			out += len;
		} else {
			memcpy(out, "\xef\xbf\xbd", 3);
			p++;
			out += 3;
		}
	}
	*out = 0;
	j = json_object_new_string(clean);
	free(clean);
	return j;
}

/* A number with @decimals digits after the point (null if not finite). */
static json_object *json_num(double v, int decimals)
{
	char buf[64];

	if (!isfinite(v))
		return NULL;
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

static void add(json_object *obj, const char *key, json_object *val)
{
	json_object_object_add(obj, key, val);
}

static json_object *env_json(const struct env *e)
{
	json_object *j = json_object_new_object();

	add(j, "kernel", json_text(e->kernel));
	add(j, "cpu", json_text(e->cpu));
	add(j, "cpus", json_object_new_int64(e->cpus));
	add(j, "virtualized", json_object_new_boolean(e->virtualized));
	add(j, "spectre_v2", json_text(e->spectre_v2));
	add(j, "cpu_a", json_object_new_int(e->cpu_a));
	add(j, "cpu_b", json_object_new_int(e->cpu_b));
	add(j, "open_loop_rate", json_num(e->rate, 0));
	return j;
}

static json_object *rtt_json(const struct result *r)
{
	json_object *j = json_object_new_object();

	add(j, "mean", json_num(r->mean, 0));
	add(j, "p50", json_num(r->p50, 0));
	add(j, "p90", json_num(r->p90, 0));
	add(j, "p99", json_num(r->p99, 0));
	add(j, "p99_9", json_num(r->p999, 0));
	add(j, "p99_99", json_num(r->p9999, 0));
	add(j, "max", json_num(r->max, 0));
	return j;
}

/* What a measured result adds to its identity. */
static void add_measured(json_object *j, const struct result *r)
{
	add(j, "runs", json_object_new_uint64(r->runs));
	add(j, "msgs", json_object_new_uint64(r->msgs));
	add(j, "secs", json_num(r->secs, 6));
	add(j, "msgs_per_s", json_num(r->msgs_per_s, 1));
	add(j, "msgs_per_s_min", json_num(r->mps_min, 1));
	add(j, "msgs_per_s_max", json_num(r->mps_max, 1));
	add(j, "bytes_per_s", json_num(r->bytes_per_s, 1));
	add(j, "csw_per_msg", json_num(r->csw_per_msg, 4));
	add(j, "syscalls_per_msg", r->syscalls_per_msg < 0 ? NULL :
	    json_num(r->syscalls_per_msg, 3));
	add(j, "ram_bytes", json_object_new_uint64(r->ram_bytes));
	if (r->wl == WL_PINGPONG)
		add(j, "rtt_ns", rtt_json(r));
}

static json_object *result_json(const struct result *r)
{
	json_object *j = json_object_new_object();

	add(j, "mechanism", json_text(r->name));
	add(j, "workload", json_object_new_string(wl_name(r->wl)));
	add(j, "size", json_object_new_uint64(r->size));
	add(j, "copies", json_object_new_uint64(r->copies));
	add(j, "status", json_object_new_string(status_name(r)));
	if (r->status)
		add(j, "why", json_text(r->why));
	else
		add_measured(j, r);
	return j;
}

void print_json(FILE *f, const struct env *e, const struct result *r,
		unsigned int n)
{
	json_object *root = json_object_new_object();
	json_object *results = json_object_new_array();
	unsigned int i;

	add(root, "env", env_json(e));
	for (i = 0; i < n; i++)
		json_object_array_add(results, result_json(&r[i]));
	add(root, "results", results);
	fprintf(f, "%s\n", json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}
