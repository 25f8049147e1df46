/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/common/jsonout.h: JSON output of every ramchan tool, with json-c.
 *
 * Thin wrappers that make the tools' conventions the only way to build a
 * document: strings are valid UTF-8 (other bytes become U+FFFD), a value
 * that could not be read is null, running out of memory ends the tool
 * (cli_out_of_memory()), and a document is printed once, with a newline.
 */
#ifndef RAMCHAN_COMMON_JSONOUT_H
#define RAMCHAN_COMMON_JSONOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

struct json_object *jout_object(void);
struct json_object *jout_array(void);
/* @val NULL is null. Both take the reference to @val. */
void jout_set(struct json_object *obj, const char *key, struct json_object *val);
void jout_push(struct json_object *array, struct json_object *val);

/* NULL is null; bytes that are not UTF-8 become U+FFFD. */
struct json_object *jout_str(const char *s);
struct json_object *jout_u64(uint64_t v);
struct json_object *jout_i64(int64_t v);
/* null when @v is @unknown: the tools' "could not be read". */
struct json_object *jout_u64_known(uint64_t v, uint64_t unknown);

/*
 * Print @root to @f, pretty (two-space indent) or on one line, and a
 * newline; drop @root. Return 0 or -errno of the write.
 */
int jout_print(FILE *f, struct json_object *root, bool pretty);

#endif /* RAMCHAN_COMMON_JSONOUT_H */
