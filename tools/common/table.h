/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/common/table.h: human tables of every ramchan tool, with
 * libsmartcols, from one column model per table (as lsipc and lsfd do).
 *
 * A table is an array of struct table_column: its names are what -o
 * takes and the headers, its help is what --help lists. A selection says
 * which columns, in which order; a row is filled by a function that
 * gives the text of one cell.
 */
#ifndef RAMCHAN_COMMON_TABLE_H
#define RAMCHAN_COMMON_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libsmartcols.h>

#include "opts.h"

/**
 * struct table_column - one column a table can show
 * @name:	header, and its name for -o (any case)
 * @help:	one line for --help
 * @whint:	width hint: below 1 a share of the terminal, else columns
 * @flags:	SCOLS_FL_RIGHT, SCOLS_FL_WRAP, ...
 * @shown:	in the default selection
 */
struct table_column {
	const char *name;
	const char *help;
	double whint;
	int flags;
	bool shown;
};

#define TABLE_MAX_COLUMNS	32

/* Columns to show, as indices into the model, in order. */
struct table_select {
	unsigned int ids[TABLE_MAX_COLUMNS];
	size_t nr;
};

void table_select_defaults(struct table_select *sel,
			   const struct table_column *cols, size_t nr);
/*
 * Parse an -o list: "A,B" shows A and B, "+A,B" the defaults and then A
 * and B. Return 0, or CLI_EXIT_USAGE after saying which name is unknown.
 */
int table_select_parse(struct table_select *sel, const struct table_column *cols,
		       size_t nr, const char *list, const struct cli_spec *spec);
/* "@title:" and a line per column, for the help. */
void table_columns_help(FILE *f, const char *title,
			const struct table_column *cols, size_t nr);

/* The text of column @col of @row, maybe in @buf; NULL for an empty cell. */
typedef const char *(*table_cell_fn)(const void *row, unsigned int col,
				     char *buf, size_t size);

/* A table of the selected columns; @raw: unaligned, for scripts. */
struct libscols_table *table_new(const struct table_column *cols,
				 const struct table_select *sel, bool raw);
void table_add_row(struct libscols_table *tb, const struct table_select *sel,
		   table_cell_fn cell, const void *row);
/* Print @tb to @f and drop it. Return 0 or a negative errno. */
int table_print(struct libscols_table *tb, FILE *f);

#endif /* RAMCHAN_COMMON_TABLE_H */
