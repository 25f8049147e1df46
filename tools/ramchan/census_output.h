/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan census: the output of a filled model, as tables
 * (census_table.c, libsmartcols) or as one JSON document
 * (census_json.c, json-c, the shape documented in
 * Documentation/admin-guide/ramchan-census.rst). Both only read the model.
 */
#ifndef RAMCHAN_CENSUS_OUTPUT_H
#define RAMCHAN_CENSUS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "../common/table.h"
#include "census_model.h"

/* The columns of the summary table, in census_summary_columns[]. */
enum census_summary_col {
	CENSUS_SUM_MECHANISM,
	CENSUS_SUM_TYPE,
	CENSUS_SUM_OBJECTS,
	CENSUS_SUM_QUEUED,
	CENSUS_SUM_HELD,
	CENSUS_SUM_CAPACITY,
	CENSUS_SUM_COUNT,
	CENSUS_SUM_UNMEASURED,
	CENSUS_SUM_STATUS,
	CENSUS_SUM_SOURCE,
	CENSUS_SUM_HOLDERS,
	CENSUS_SUM_NOTES,
	CENSUS_NR_SUM_COLS
};

/* The columns of the object table (-v), in census_object_columns[]. */
enum census_object_col {
	CENSUS_OBJ_MECHANISM,
	CENSUS_OBJ_TYPE,
	CENSUS_OBJ_ID,
	CENSUS_OBJ_NAME,
	CENSUS_OBJ_UID,
	CENSUS_OBJ_QUEUED,
	CENSUS_OBJ_HELD,
	CENSUS_OBJ_CAPACITY,
	CENSUS_OBJ_OWNERS,
	CENSUS_OBJ_DETAILS,
	CENSUS_NR_OBJ_COLS
};

extern const struct table_column census_summary_columns[CENSUS_NR_SUM_COLS];
extern const struct table_column census_object_columns[CENSUS_NR_OBJ_COLS];

/**
 * struct census_view - what to show of a census
 * @only:	the mechanisms shown (--only)
 * @nonempty:	list only objects that hold bytes
 * @verbose:	the object table too
 * @raw:	tables unaligned, for scripts: no title, notes on stderr
 * @bytes:	sizes in bytes, not KiB, MiB, ...
 * @summary:	the summary's columns (-o)
 * @objects:	the object table's columns (-O)
 */
struct census_view {
	bool only[CENSUS_NR_MECHS];
	bool nonempty;
	bool verbose;
	bool raw;
	bool bytes;
	struct table_select summary;
	struct table_select objects;
};

/* Print @c to @f; return 0 or the -errno of writing. */
int census_print_table(const struct census *c, const struct census_view *view,
		       FILE *f);
int census_print_json(const struct census *c, const struct census_view *view,
		      FILE *f);

#endif /* RAMCHAN_CENSUS_OUTPUT_H */
