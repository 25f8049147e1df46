// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: the human output. Owns the two column models (the
 * summary, one row per mechanism and a total; the objects of -v, one row
 * each), the text of every cell, and the page around them: a title line
 * and the notes. Tables come from libsmartcols (tools/common/table.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "census_output.h"

const struct table_column census_summary_columns[CENSUS_NR_SUM_COLS] = {
	[CENSUS_SUM_MECHANISM] = { "MECHANISM", "the mechanism", 15, 0, true },
	[CENSUS_SUM_TYPE] = { "TYPE", "its name in JSON and for --only", 14, 0, false },
	[CENSUS_SUM_OBJECTS] = { "OBJECTS", "objects of the mechanism", 7, SCOLS_FL_RIGHT, true },
	[CENSUS_SUM_QUEUED] = { "QUEUED", "bytes sent and not yet received", 10, SCOLS_FL_RIGHT, true },
	[CENSUS_SUM_HELD] = { "HELD", "bytes of RAM the objects hold now", 10, SCOLS_FL_RIGHT, true },
	[CENSUS_SUM_CAPACITY] = { "CAPACITY", "most bytes the objects could hold", 10, SCOLS_FL_RIGHT, true },
	[CENSUS_SUM_COUNT] = { "COUNT", "messages, semaphores or signals", 10, SCOLS_FL_RIGHT, false },
	[CENSUS_SUM_UNMEASURED] = { "UNMEASURED", "objects whose size could not be read", 5, SCOLS_FL_RIGHT, false },
	[CENSUS_SUM_STATUS] = { "STATUS", "ok, or why the mechanism was not scanned", 10, 0, false },
	[CENSUS_SUM_SOURCE] = { "SOURCE", "where the numbers came from", 0.3, SCOLS_FL_WRAP, false },
	[CENSUS_SUM_HOLDERS] = { "HOLDERS", "ramchan: pids holding channels not attributed", 0.1, SCOLS_FL_WRAP, false },
	[CENSUS_SUM_NOTES] = { "NOTES", "the count, what was not measured, caveats", 0.3, SCOLS_FL_WRAP, true },
};

const struct table_column census_object_columns[CENSUS_NR_OBJ_COLS] = {
	[CENSUS_OBJ_MECHANISM] = { "MECHANISM", "the object's mechanism", 15, 0, true },
	[CENSUS_OBJ_TYPE] = { "TYPE", "its name in JSON and for --only", 14, 0, false },
	[CENSUS_OBJ_ID] = { "ID", "inode, IPC id, queue name, pid or channel id", 10, 0, true },
	[CENSUS_OBJ_NAME] = { "NAME", "path, address or name", 0.2, SCOLS_FL_WRAP, true },
	[CENSUS_OBJ_UID] = { "UID", "owner", 5, SCOLS_FL_RIGHT, true },
	[CENSUS_OBJ_QUEUED] = { "QUEUED", "bytes sent and not yet received", 10, SCOLS_FL_RIGHT, true },
	[CENSUS_OBJ_HELD] = { "HELD", "bytes of RAM it holds now", 10, SCOLS_FL_RIGHT, true },
	[CENSUS_OBJ_CAPACITY] = { "CAPACITY", "most bytes it could hold", 10, SCOLS_FL_RIGHT, true },
	[CENSUS_OBJ_OWNERS] = { "OWNERS", "processes, as PID/COMM(HOW)", 0.2, SCOLS_FL_WRAP, true },
	[CENSUS_OBJ_DETAILS] = { "DETAILS", "what else the mechanism knows of it", 0.3, SCOLS_FL_WRAP, true },
};

/* A row of either table, and what it needs to say its cells. */
struct census_row {
	const struct census *c;
	const struct census_view *view;
	const struct census_total *totals;
	enum census_mech mech;		/* summary: the mechanism's row */
	bool total;			/* summary: the total row */
	uint64_t total_queued;
	uint64_t total_held;
	const struct census_obj *obj;	/* object table */
};

/* 1536 -> "1.5 KiB"; below 1 KiB, or with --bytes, bytes exactly. */
static const char *census_bytes(const struct census_view *view, uint64_t v,
				char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double d = v;
	int u = -1;

	if (v == CENSUS_UNKNOWN)
		return "?";
	if (view->bytes) {
		snprintf(buf, size, "%" PRIu64, v);
		return buf;
	}
	if (v < 1024) {
		snprintf(buf, size, "%" PRIu64 " B", v);
		return buf;
	}
	while (d >= 1024 && u < 3) {
		d /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", d, units[u]);
	return buf;
}

static const char *census_number(uint64_t v, char *buf, size_t size)
{
	if (v == CENSUS_UNKNOWN)
		return "?";
	snprintf(buf, size, "%" PRIu64, v);
	return buf;
}

/* The NOTES of a mechanism: its count, what was not measured, caveats. */
static const char *census_sum_notes(const struct census_row *row, char *buf,
				    size_t size)
{
	const struct census_mech_desc *d = &census_mechs[row->mech];
	const struct census_mech_state *ms = &row->c->mech[row->mech];
	const struct census_total *t = &row->totals[row->mech];
	size_t len = 0;

	if (ms->status) {
		snprintf(buf, size, "%s%s%s", ms->status, ms->note[0] ? ": " : "",
			 ms->note);
		return buf;
	}
	buf[0] = '\0';
	if (d->count_name && ms->count_known)
		len += snprintf(buf + len, size - len, "%s: %" PRIu64,
				d->count_name, ms->count);
	if (row->mech == CENSUS_SIGNALS && ms->limit && len < size)
		len += snprintf(buf + len, size - len,
				" queued, limit %" PRIu64 " per user", ms->limit);
	if (t->unmeasured && len < size)
		len += snprintf(buf + len, size - len, "%s%" PRIu64 " not measured",
				len ? "; " : "", t->unmeasured);
	if (ms->note[0] && row->mech != CENSUS_SIGNALS && len < size)
		snprintf(buf + len, size - len, "%s%s", len ? "; " : "", ms->note);
	return buf;
}

static const char *census_sum_holders(const struct census_mech_state *ms,
				      char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ms->nr_holders && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%d", i ? "," : "",
				ms->holders[i]);
	return buf;
}

static const char *census_sum_total_cell(const struct census_row *row,
					 unsigned int col, char *buf,
					 size_t size)
{
	switch (col) {
	case CENSUS_SUM_MECHANISM:
	case CENSUS_SUM_TYPE:
		return "total";
	case CENSUS_SUM_QUEUED:
		return census_bytes(row->view, row->total_queued, buf, size);
	case CENSUS_SUM_HELD:
		return census_bytes(row->view, row->total_held, buf, size);
	default:
		return NULL;
	}
}

static const char *census_sum_cell(const void *data, unsigned int col,
				   char *buf, size_t size)
{
	const struct census_row *row = data;
	const struct census_mech_desc *d = &census_mechs[row->mech];
	const struct census_mech_state *ms = &row->c->mech[row->mech];
	const struct census_total *t = &row->totals[row->mech];

	if (row->total)
		return census_sum_total_cell(row, col, buf, size);
	switch (col) {
	case CENSUS_SUM_MECHANISM:
		return d->title;
	case CENSUS_SUM_TYPE:
		return d->name;
	case CENSUS_SUM_STATUS:
		return ms->status ?: "ok";
	case CENSUS_SUM_SOURCE:
		return ms->source ?: "-";
	case CENSUS_SUM_HOLDERS:
		return census_sum_holders(ms, buf, size);
	case CENSUS_SUM_NOTES:
		return census_sum_notes(row, buf, size);
	}
	if (ms->status)		/* not scanned: no numbers */
		return "-";
	switch (col) {
	case CENSUS_SUM_OBJECTS:
		return census_number(t->objects, buf, size);
	case CENSUS_SUM_QUEUED:
		return d->queued ? census_bytes(row->view, t->queued, buf, size) : "-";
	case CENSUS_SUM_HELD:
		return d->held ? census_bytes(row->view, t->held, buf, size) : "-";
	case CENSUS_SUM_CAPACITY:
		return d->capacity ? census_bytes(row->view, t->capacity, buf, size) : "-";
	case CENSUS_SUM_COUNT:
		return d->count_name && ms->count_known ?
		       census_number(ms->count, buf, size) : "-";
	case CENSUS_SUM_UNMEASURED:
		return census_number(t->unmeasured, buf, size);
	}
	return NULL;
}

static const char *census_obj_owners(const struct census_row *row, char *buf,
				     size_t size)
{
	const struct census_obj *obj = row->obj;
	const struct census_proc *p;
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < obj->nr_owners && len < size; i++) {
		p = census_proc_find(row->c, obj->owners[i].pid);
		len += snprintf(buf + len, size - len, "%s%d%s%s(%s)",
				i ? " " : "", obj->owners[i].pid, p ? "/" : "",
				p ? p->comm : "", obj->owners[i].how);
	}
	return obj->nr_owners ? buf : "-";
}

static const char *census_obj_details(const struct census_obj *obj, char *buf,
				      size_t size)
{
	const struct census_field *f;
	size_t i, j, len = 0;
	char num[24];

	buf[0] = '\0';
	for (i = 0; i < obj->nr_fields && len < size; i++) {
		f = &obj->fields[i];
		/* Already in the name. */
		if (!strcmp(f->key, "key") || !strcmp(f->key, "local") ||
		    !strcmp(f->key, "remote"))
			continue;
		len += snprintf(buf + len, size - len, "%s%s ", len ? ", " : "",
				f->key);
		switch (f->type) {
		case CENSUS_FIELD_NUM:
			if (len < size)
				len += snprintf(buf + len, size - len, "%s",
						census_number(f->num, num,
							      sizeof(num)));
			break;
		case CENSUS_FIELD_STR:
			if (len < size)
				len += snprintf(buf + len, size - len, "%s",
						f->str ?: "");
			break;
		case CENSUS_FIELD_LIST:
			for (j = 0; j < f->nr_list && len < size; j++)
				len += snprintf(buf + len, size - len,
						"%s%" PRIu64, j ? "," : "",
						f->list[j]);
			if (!f->nr_list && len < size)
				len += snprintf(buf + len, size - len, "-");
			break;
		}
	}
	return buf;
}

static const char *census_obj_cell(const void *data, unsigned int col,
				   char *buf, size_t size)
{
	const struct census_row *row = data;
	const struct census_obj *obj = row->obj;
	const struct census_mech_desc *d = &census_mechs[obj->mech];

	switch (col) {
	case CENSUS_OBJ_MECHANISM:
		return d->title;
	case CENSUS_OBJ_TYPE:
		return d->name;
	case CENSUS_OBJ_ID:
		return obj->id;
	case CENSUS_OBJ_NAME:
		return obj->name ?: "-";
	case CENSUS_OBJ_UID:
		if (obj->uid < 0)
			return "?";
		snprintf(buf, size, "%lld", obj->uid);
		return buf;
	case CENSUS_OBJ_QUEUED:
		return d->queued ? census_bytes(row->view, obj->queued, buf, size) : "-";
	case CENSUS_OBJ_HELD:
		return d->held ? census_bytes(row->view, obj->held, buf, size) : "-";
	case CENSUS_OBJ_CAPACITY:
		return d->capacity ? census_bytes(row->view, obj->capacity, buf, size) : "-";
	case CENSUS_OBJ_OWNERS:
		return census_obj_owners(row, buf, size);
	case CENSUS_OBJ_DETAILS:
		return census_obj_details(obj, buf, size);
	}
	return NULL;
}

static int census_print_summary(const struct census *c,
				const struct census_view *view,
				const struct census_total *totals, FILE *f)
{
	struct census_row row = { .c = c, .view = view, .totals = totals };
	struct libscols_table *tb;
	unsigned int m;

	tb = table_new(census_summary_columns, &view->summary, view->raw);
	for (m = 0; m < CENSUS_NR_MECHS; m++) {
		if (!view->only[m])
			continue;
		row.mech = m;
		table_add_row(tb, &view->summary, census_sum_cell, &row);
		if (c->mech[m].status)
			continue;
		if (census_mechs[m].queued)
			row.total_queued += totals[m].queued;
		if (census_mechs[m].held)
			row.total_held += totals[m].held;
	}
	row.total = true;
	table_add_row(tb, &view->summary, census_sum_cell, &row);
	return table_print(tb, f);
}

static int census_print_objects(const struct census *c,
				const struct census_view *view, FILE *f)
{
	struct census_row row = { .c = c, .view = view };
	struct libscols_table *tb;
	size_t i;

	tb = table_new(census_object_columns, &view->objects, view->raw);
	for (i = 0; i < c->nr_objs; i++) {
		if (!census_obj_shown(c->objs[i], view->only, view->nonempty))
			continue;
		row.obj = c->objs[i];
		table_add_row(tb, &view->objects, census_obj_cell, &row);
	}
	return table_print(tb, f);
}

int census_print_table(const struct census *c, const struct census_view *view,
		       FILE *f)
{
	struct census_total totals[CENSUS_NR_MECHS];
	FILE *notes = view->raw ? stderr : f;
	struct utsname uts;
	int ret;
	size_t i;

	census_summarise(c, totals);
	if (!view->raw) {
		uname(&uts);
		fprintf(f, "IPC census of %s (Linux %s): %zu processes%s\n\n",
			uts.nodename, uts.release, c->nr_procs,
			geteuid() ? ", not root: other users' owners may be missing" : "");
	}
	ret = census_print_summary(c, view, totals, f);
	if (!ret && view->verbose) {
		if (!view->raw)
			fputc('\n', f);
		ret = census_print_objects(c, view, f);
	}
	if (c->nr_notes && !view->raw)
		fputc('\n', f);
	for (i = 0; i < c->nr_notes; i++)
		fprintf(notes, "note: %s\n", c->notes[i]);
	return ret;
}
