// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: the JSON output, built with json-c
 * (tools/common/jsonout.h). Owns the document's shape, the one
 * Documentation/admin-guide/ramchan-census.rst shows: version, host,
 * processes, a summary row per mechanism, the total, the objects with
 * their fields and owners, the notes. A value that could not be read is
 * null; one the mechanism does not have is left out.
 */
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../common/jsonout.h"
#include "census_output.h"

static struct json_object *census_json_field(const struct census_field *f)
{
	struct json_object *list;
	size_t i;

	switch (f->type) {
	case CENSUS_FIELD_NUM:
		return jout_u64_known(f->num, CENSUS_UNKNOWN);
	case CENSUS_FIELD_STR:
		return jout_str(f->str);
	case CENSUS_FIELD_LIST:
		list = jout_array();
		for (i = 0; i < f->nr_list; i++)
			jout_push(list, jout_u64(f->list[i]));
		return list;
	}
	return NULL;
}

static struct json_object *census_json_obj(const struct census *c,
					   const struct census_obj *obj)
{
	const struct census_mech_desc *d = &census_mechs[obj->mech];
	struct json_object *j = jout_object(), *owners, *o;
	const struct census_proc *p;
	size_t i;

	jout_set(j, "mechanism", jout_str(d->name));
	jout_set(j, "id", jout_str(obj->id));
	jout_set(j, "name", jout_str(obj->name));
	jout_set(j, "uid", obj->uid < 0 ? NULL : jout_i64(obj->uid));
	if (d->queued)
		jout_set(j, "queued_bytes", jout_u64_known(obj->queued, CENSUS_UNKNOWN));
	if (d->held)
		jout_set(j, "held_bytes", jout_u64_known(obj->held, CENSUS_UNKNOWN));
	if (d->capacity)
		jout_set(j, "capacity_bytes",
			 jout_u64_known(obj->capacity, CENSUS_UNKNOWN));
	for (i = 0; i < obj->nr_fields; i++)
		jout_set(j, obj->fields[i].key, census_json_field(&obj->fields[i]));
	owners = jout_array();
	for (i = 0; i < obj->nr_owners; i++) {
		p = census_proc_find(c, obj->owners[i].pid);
		o = jout_object();
		jout_set(o, "pid", jout_i64(obj->owners[i].pid));
		jout_set(o, "comm", jout_str(p ? p->comm : NULL));
		jout_set(o, "how", jout_str(obj->owners[i].how));
		jout_push(owners, o);
	}
	jout_set(j, "owners", owners);
	return j;
}

/* One summary row; the known sums are added to *@queued and *@held. */
static struct json_object *census_json_row(const struct census *c,
					   const struct census_total *t,
					   enum census_mech m, uint64_t *queued,
					   uint64_t *held)
{
	const struct census_mech_desc *d = &census_mechs[m];
	const struct census_mech_state *ms = &c->mech[m];
	struct json_object *j = jout_object(), *holders;
	size_t i;

	jout_set(j, "mechanism", jout_str(d->name));
	jout_set(j, "status", jout_str(ms->status ?: "ok"));
	jout_set(j, "objects", jout_u64(t[m].objects));
	/* A mechanism not scanned has no sums (null), not zero ones. */
	if (d->queued) {
		jout_set(j, "queued_bytes",
			 ms->status ? NULL : jout_u64(t[m].queued));
		*queued += t[m].queued;
	}
	if (d->held) {
		jout_set(j, "held_bytes", ms->status ? NULL : jout_u64(t[m].held));
		*held += t[m].held;
	}
	if (d->capacity)
		jout_set(j, "capacity_bytes",
			 ms->status ? NULL : jout_u64(t[m].capacity));
	if (d->count_name)
		jout_set(j, d->count_name,
			 ms->count_known ? jout_u64(ms->count) : NULL);
	if (ms->limit)
		jout_set(j, "limit_per_user", jout_u64(ms->limit));
	jout_set(j, "unmeasured", jout_u64(t[m].unmeasured));
	jout_set(j, "source", jout_str(ms->source));
	jout_set(j, "note", jout_str(ms->note[0] ? ms->note : NULL));
	if (ms->nr_holders) {
		holders = jout_array();
		for (i = 0; i < ms->nr_holders; i++)
			jout_push(holders, jout_i64(ms->holders[i]));
		jout_set(j, "holders", holders);
	}
	return j;
}

int census_print_json(const struct census *c, const struct census_view *view,
		      FILE *f)
{
	struct json_object *root = jout_object(), *procs, *rows, *total, *objs,
			   *notes;
	struct census_total t[CENSUS_NR_MECHS];
	uint64_t queued = 0, held = 0;
	struct utsname uts;
	unsigned int m;
	size_t i;

	census_summarise(c, t);
	uname(&uts);
	jout_set(root, "version", jout_u64(1));
	jout_set(root, "hostname", jout_str(uts.nodename));
	jout_set(root, "kernel", jout_str(uts.release));
	jout_set(root, "euid", jout_u64(geteuid()));
	jout_set(root, "page_size", jout_i64(c->page_size));
	procs = jout_object();
	jout_set(procs, "scanned", jout_u64(c->nr_procs));
	jout_set(procs, "denied", jout_u64(c->procs_denied));
	jout_set(procs, "vanished", jout_u64(c->procs_vanished));
	jout_set(root, "processes", procs);

	rows = jout_array();
	for (m = 0; m < CENSUS_NR_MECHS; m++)
		if (view->only[m])
			jout_push(rows, census_json_row(c, t, m, &queued, &held));
	jout_set(root, "summary", rows);
	total = jout_object();
	jout_set(total, "queued_bytes", jout_u64(queued));
	jout_set(total, "held_bytes", jout_u64(held));
	jout_set(root, "total", total);

	objs = jout_array();
	for (i = 0; i < c->nr_objs; i++)
		if (census_obj_shown(c->objs[i], view->only, view->nonempty))
			jout_push(objs, census_json_obj(c, c->objs[i]));
	jout_set(root, "objects", objs);
	notes = jout_array();
	for (i = 0; i < c->nr_notes; i++)
		jout_push(notes, jout_str(c->notes[i]));
	jout_set(root, "notes", notes);
	return jout_print(f, root, true);
}
