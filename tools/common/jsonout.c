// SPDX-License-Identifier: GPL-2.0
/*
 * tools/common/jsonout.c: the one JSON writer of the ramchan tools
 * (json-c underneath), and the one place that makes text valid UTF-8.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "jsonout.h"

static struct json_object *jout_check(struct json_object *j)
{
	if (!j)
		cli_out_of_memory();
	return j;
}

struct json_object *jout_object(void)
{
	return jout_check(json_object_new_object());
}

struct json_object *jout_array(void)
{
	return jout_check(json_object_new_array());
}

void jout_set(struct json_object *obj, const char *key, struct json_object *val)
{
	if (json_object_object_add(obj, key, val))
		cli_out_of_memory();
}

void jout_push(struct json_object *array, struct json_object *val)
{
	if (json_object_array_add(array, val))
		cli_out_of_memory();
}

/* Length of the UTF-8 sequence at @p (RFC 3629), 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

struct json_object *jout_str(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	struct json_object *j;
	size_t len, n = 0;
	char *clean;

	if (!s)
		return NULL;
	for (p = (const unsigned char *)s; *p; p += len ?: 1)
		if (!(len = utf8_len(p)))
			break;
	if (!*p)
		return jout_check(json_object_new_string(s));
	/* Each bad byte grows to three. */
	clean = malloc(3 * strlen(s) + 1);
	if (!clean)
		cli_out_of_memory();
	for (p = (const unsigned char *)s; *p; p += len ?: 1) {
		len = utf8_len(p);
		if (len) {
			memcpy(clean + n, p, len);
			n += len;
		} else {
			memcpy(clean + n, replacement, 3);
			n += 3;
		}
	}
	j = jout_check(json_object_new_string_len(clean, n));
	free(clean);
	return j;
}

struct json_object *jout_u64(uint64_t v)
{
	return jout_check(json_object_new_uint64(v));
}

struct json_object *jout_i64(int64_t v)
{
	return jout_check(json_object_new_int64(v));
}

struct json_object *jout_u64_known(uint64_t v, uint64_t unknown)
{
	return v == unknown ? NULL : jout_u64(v);
}

int jout_print(FILE *f, struct json_object *root, bool pretty)
{
	int flags = JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *text;
	int ret = 0;

	if (pretty)
		flags |= JSON_C_TO_STRING_PRETTY;
	text = json_object_to_json_string_ext(root, flags);
	if (!text)
		cli_out_of_memory();
	if (fputs(text, f) == EOF || putc('\n', f) == EOF)
		ret = -errno;
	json_object_put(root);
	return ret;
}
