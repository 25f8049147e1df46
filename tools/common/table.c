// SPDX-License-Identifier: GPL-2.0
/*
 * tools/common/table.c: column selections (-o), their help, and tables
 * printed with libsmartcols.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table.h"

void table_select_defaults(struct table_select *sel,
			   const struct table_column *cols, size_t nr)
{
	size_t i;

	sel->nr = 0;
	for (i = 0; i < nr && sel->nr < TABLE_MAX_COLUMNS; i++)
		if (cols[i].shown)
			sel->ids[sel->nr++] = i;
}

int table_select_parse(struct table_select *sel, const struct table_column *cols,
		       size_t nr, const char *list, const struct cli_spec *spec)
{
	const char *name = list, *end;
	size_t len, i;

	if (*name == '+') {
		table_select_defaults(sel, cols, nr);
		name++;
	} else {
		sel->nr = 0;
	}
	for (; *name; name = *end ? end + 1 : end) {
		end = name + strcspn(name, ",");
		len = end - name;
		for (i = 0; i < nr; i++)
			if (strlen(cols[i].name) == len &&
			    !strncasecmp(cols[i].name, name, len))
				break;
		if (i == nr)
			return cli_usage_error(spec, "unknown column '%.*s'",
					       (int)len, name);
		if (sel->nr == TABLE_MAX_COLUMNS)
			return cli_usage_error(spec, "more than %d columns",
					       TABLE_MAX_COLUMNS);
		sel->ids[sel->nr++] = i;
	}
	if (!sel->nr)
		return cli_usage_error(spec, "no columns in '%s'", list);
	return 0;
}

void table_columns_help(FILE *f, const char *title,
			const struct table_column *cols, size_t nr)
{
	size_t i;
	int width = 0, len;

	for (i = 0; i < nr; i++) {
		len = strlen(cols[i].name);
		if (len > width)
			width = len;
	}
	fprintf(f, "\n%s:\n", title);
	for (i = 0; i < nr; i++)
		fprintf(f, "  %-*s  %s%s\n", width, cols[i].name, cols[i].help,
			cols[i].shown ? "" : " (not by default)");
}

/*
 * Wrapped cells break at spaces: the next line of @data starts after the
 * last space that keeps this one within the column. A word wider than the
 * column stays whole (libsmartcols would drop the rest of a split one).
 */
static char *table_wrap_next(const struct libscols_column *cl, char *data,
			     void *unused)
{
	size_t width = scols_column_get_width(cl), cut = 0, i;

	(void)unused;
	if (!data || !width || strlen(data) <= width)
		return NULL;	/* the last line */
	for (i = 1; i <= width; i++)
		if (data[i] == ' ')
			cut = i;
	if (!cut)		/* a word wider than the column: all of it */
		cut = strcspn(data, " ");
	if (!data[cut])
		return NULL;
	data[cut] = '\0';
	return data + cut + 1;
}

/* The width a wrapped cell would take unwrapped: the table shrinks it. */
static size_t table_wrap_width(const struct libscols_column *cl,
			       const char *data, void *unused)
{
	(void)cl;
	(void)unused;
	return strlen(data);
}

struct libscols_table *table_new(const struct table_column *cols,
				 const struct table_select *sel, bool raw)
{
	struct libscols_table *tb = scols_new_table();
	const struct table_column *c;
	struct libscols_column *cl;
	size_t i;

	if (!tb)
		cli_out_of_memory();
	scols_table_enable_raw(tb, raw);
	for (i = 0; i < sel->nr; i++) {
		c = &cols[sel->ids[i]];
		cl = scols_table_new_column(tb, c->name, c->whint, c->flags);
		if (!cl)
			cli_out_of_memory();
		if (c->flags & SCOLS_FL_WRAP)
			scols_column_set_wrapfunc(cl, table_wrap_width,
						  table_wrap_next, NULL);
	}
	return tb;
}

void table_add_row(struct libscols_table *tb, const struct table_select *sel,
		   table_cell_fn cell, const void *row)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	const char *text;
	char buf[4096];
	size_t i;

	if (!ln)
		cli_out_of_memory();
	for (i = 0; i < sel->nr; i++) {
		text = cell(row, sel->ids[i], buf, sizeof(buf));
		if (text && scols_line_set_data(ln, i, text))
			cli_out_of_memory();
	}
}

int table_print(struct libscols_table *tb, FILE *f)
{
	int ret;

	scols_table_set_stream(tb, f);
	ret = scols_print_table(tb);
	scols_unref_table(tb);
	if (!ret && ferror(f))
		ret = -EIO;
	return ret < 0 ? ret : 0;
}
