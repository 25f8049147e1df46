// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: the model (census_model.h). Owns the mechanism
 * descriptors, the object list with fields and owners, the process and
 * reference tables with their lookups, the notes and the summary sums.
 * It reads nothing from the system and calls no other census file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ramchan.h>

#include "../common/opts.h"
#include "census_model.h"

const struct census_mech_desc census_mechs[CENSUS_NR_MECHS] = {
	[CENSUS_PIPE] = { "pipe", "pipe", true, true, true, NULL },
	[CENSUS_FIFO] = { "fifo", "FIFO", true, true, true, NULL },
	[CENSUS_UNIX_STREAM] = { "unix_stream", "UNIX stream", true, true, true, NULL },
	[CENSUS_UNIX_DGRAM] = { "unix_dgram", "UNIX dgram", true, true, true, NULL },
	[CENSUS_UNIX_SEQPACKET] = { "unix_seqpacket", "UNIX seqpacket", true, true, true, NULL },
	[CENSUS_TCP] = { "tcp", "TCP", true, true, true, NULL },
	[CENSUS_POSIX_MQ] = { "posix_mq", "POSIX mq", true, true, true, "messages" },
	[CENSUS_SYSV_MSG] = { "sysv_msg", "SysV msg", true, true, true, "messages" },
	[CENSUS_SYSV_SHM] = { "sysv_shm", "SysV shm", false, true, true, NULL },
	[CENSUS_SYSV_SEM] = { "sysv_sem", "SysV sem", false, false, false, "semaphores" },
	[CENSUS_POSIX_SHM] = { "posix_shm", "/dev/shm", false, true, true, NULL },
	[CENSUS_SIGNALS] = { "signals", "signals", false, false, false, "signals" },
	[CENSUS_RAMCHAN] = { "ramchan", "ramchan", true, true, true, "messages" },
};

/* ---- allocation ------------------------------------------------------------ */

static void *census_alloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p)
		cli_out_of_memory();
	return p;
}

void *census_realloc_array(void *ptr, size_t nmemb, size_t size)
{
	void *p = reallocarray(ptr, nmemb, size);

	if (!p)
		cli_out_of_memory();
	return p;
}

char *census_strdup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		cli_out_of_memory();
	return p;
}

/* @array with room for one more than @nr entries of @size: @cap doubles. */
static void *census_grow(void *array, size_t nr, size_t *cap, size_t size)
{
	if (nr < *cap)
		return array;
	*cap = *cap ? 2 * *cap : 256;
	return census_realloc_array(array, *cap, size);
}

/* ---- objects --------------------------------------------------------------- */

struct census_obj *census_obj_add(struct census *c, enum census_mech mech,
				  const char *id, const char *name)
{
	struct census_obj *obj = census_alloc(sizeof(*obj));

	obj->mech = mech;
	obj->id = census_strdup(id);
	obj->name = census_strdup(name);
	obj->uid = -1;
	obj->queued = CENSUS_UNKNOWN;
	obj->held = CENSUS_UNKNOWN;
	obj->capacity = CENSUS_UNKNOWN;
	c->objs = census_grow(c->objs, c->nr_objs, &c->cap_objs,
			      sizeof(*c->objs));
	c->objs[c->nr_objs++] = obj;
	return obj;
}

static struct census_field *census_field_add(struct census_obj *obj,
					     const char *key,
					     enum census_field_type type)
{
	struct census_field *f;

	obj->fields = census_realloc_array(obj->fields, obj->nr_fields + 1,
					   sizeof(*obj->fields));
	f = &obj->fields[obj->nr_fields++];
	memset(f, 0, sizeof(*f));
	f->key = key;
	f->type = type;
	return f;
}

void census_obj_num(struct census_obj *obj, const char *key, uint64_t num)
{
	census_field_add(obj, key, CENSUS_FIELD_NUM)->num = num;
}

void census_obj_str(struct census_obj *obj, const char *key, const char *str)
{
	census_field_add(obj, key, CENSUS_FIELD_STR)->str = census_strdup(str);
}

void census_obj_list(struct census_obj *obj, const char *key,
		     const uint64_t *list, size_t nr)
{
	struct census_field *f = census_field_add(obj, key, CENSUS_FIELD_LIST);

	f->list = census_realloc_array(NULL, nr ?: 1, sizeof(*list));
	memcpy(f->list, list, nr * sizeof(*list));
	f->nr_list = nr;
}

/* Add @pid as an owner, or add @how to what it already does. */
void census_obj_owner(struct census_obj *obj, pid_t pid, const char *how)
{
	struct census_owner *o;
	size_t i, len, hlen = strlen(how);
	const char *p;

	for (i = 0; i < obj->nr_owners; i++) {
		o = &obj->owners[i];
		if (o->pid != pid)
			continue;
		for (p = o->how; (p = strstr(p, how)); p += hlen)
			if ((p == o->how || p[-1] == ',') &&
			    (p[hlen] == ',' || !p[hlen]))
				return;
		len = strlen(o->how);
		if (len + 1 + hlen < sizeof(o->how))
			snprintf(o->how + len, sizeof(o->how) - len, ",%s", how);
		return;
	}
	obj->owners = census_realloc_array(obj->owners, obj->nr_owners + 1,
					   sizeof(*obj->owners));
	o = &obj->owners[obj->nr_owners++];
	o->pid = pid;
	snprintf(o->how, sizeof(o->how), "%s", how);
}

/* The owners @refs make: "map", the fd's access, or a channel fd's role. */
void census_obj_ref_owners(struct census_obj *obj,
			   const struct census_ref *refs, size_t nr)
{
	static const char *const access[] = { "fd", "r", "w", "rw" };
	size_t i;

	for (i = 0; i < nr; i++) {
		switch (refs[i].kind) {
		case CENSUS_REF_MAP:
		case CENSUS_REF_MAP_SYSV:
		case CENSUS_REF_MAP_RAMCHAN:
			census_obj_owner(obj, refs[i].pid, "map");
			break;
		case CENSUS_REF_RAMCHAN:
			if (refs[i].role & RAMCHAN_ROLE_PRODUCER)
				census_obj_owner(obj, refs[i].pid, "producer");
			if (refs[i].role & RAMCHAN_ROLE_CONSUMER)
				census_obj_owner(obj, refs[i].pid, "consumer");
			if (!(refs[i].role & RAMCHAN_ROLE_BOTH))
				census_obj_owner(obj, refs[i].pid, "fd");
			break;
		default:
			census_obj_owner(obj, refs[i].pid,
					 access[refs[i].access & 3]);
			break;
		}
	}
}

struct census_obj *census_obj_find(const struct census *c,
				   enum census_mech mech, const char *id)
{
	size_t i;

	for (i = 0; i < c->nr_objs; i++)
		if (c->objs[i]->mech == mech && !strcmp(c->objs[i]->id, id))
			return c->objs[i];
	return NULL;
}

static void census_obj_free(struct census_obj *obj)
{
	size_t i;

	for (i = 0; i < obj->nr_fields; i++) {
		free(obj->fields[i].str);
		free(obj->fields[i].list);
	}
	free(obj->fields);
	free(obj->owners);
	free(obj->id);
	free(obj->name);
	free(obj);
}

/* Forget the objects from @nr on: a scan that failed midway. */
void census_objs_truncate(struct census *c, size_t nr)
{
	while (c->nr_objs > nr)
		census_obj_free(c->objs[--c->nr_objs]);
}

/* ---- processes ------------------------------------------------------------- */

void census_proc_add(struct census *c, const struct census_proc *p)
{
	c->procs = census_grow(c->procs, c->nr_procs, &c->cap_procs,
			       sizeof(*c->procs));
	c->procs[c->nr_procs++] = *p;
}

static int census_proc_cmp(const void *a, const void *b)
{
	const struct census_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

void census_procs_sort(struct census *c)
{
	if (c->nr_procs)
		qsort(c->procs, c->nr_procs, sizeof(*c->procs),
		      census_proc_cmp);
}

const struct census_proc *census_proc_find(const struct census *c, pid_t pid)
{
	struct census_proc key = { .pid = pid };

	if (!c->nr_procs)
		return NULL;
	return bsearch(&key, c->procs, c->nr_procs, sizeof(*c->procs),
		       census_proc_cmp);
}

/* ---- references ------------------------------------------------------------ */

struct census_ref *census_ref_add(struct census *c, enum census_ref_kind kind,
				  pid_t pid, int fd, dev_t dev, uint64_t ino)
{
	struct census_ref *ref;

	c->refs = census_grow(c->refs, c->nr_refs, &c->cap_refs,
			      sizeof(*c->refs));
	ref = &c->refs[c->nr_refs++];
	memset(ref, 0, sizeof(*ref));
	ref->kind = kind;
	ref->pid = pid;
	ref->fd = fd;
	ref->dev = dev;
	ref->ino = ino;
	ref->size = CENSUS_UNKNOWN;
	ref->blocks = CENSUS_UNKNOWN;
	return ref;
}

static int census_ref_cmp(const void *a, const void *b)
{
	const struct census_ref *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

void census_refs_sort(struct census *c)
{
	if (c->nr_refs)
		qsort(c->refs, c->nr_refs, sizeof(*c->refs), census_ref_cmp);
}

/* Does @r sort before the references to (@kind, @dev, @ino)? */
static bool census_ref_before(const struct census_ref *r,
			      enum census_ref_kind kind, dev_t dev, uint64_t ino)
{
	if (r->kind != kind)
		return r->kind < kind;
	if (r->dev != dev)
		return r->dev < dev;
	return r->ino < ino;
}

/* The first reference not before (@kind, @dev, @ino). */
static size_t census_refs_lower_bound(const struct census *c,
				      enum census_ref_kind kind, dev_t dev,
				      uint64_t ino)
{
	size_t lo = 0, hi = c->nr_refs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (census_ref_before(&c->refs[mid], kind, dev, ino))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The references of one kind to (@dev, @ino): their number, *@first. */
size_t census_refs_find(const struct census *c, enum census_ref_kind kind,
			dev_t dev, uint64_t ino, const struct census_ref **first)
{
	size_t lo = census_refs_lower_bound(c, kind, dev, ino), n = 0;
	const struct census_ref *r;

	*first = c->refs + lo;
	for (; lo + n < c->nr_refs; n++) {
		r = &c->refs[lo + n];
		if (r->kind != kind || r->dev != dev || r->ino != ino)
			break;
	}
	return n;
}

/* Every reference of @kind: their number, *@first. */
size_t census_refs_of_kind(const struct census *c, enum census_ref_kind kind,
			   const struct census_ref **first)
{
	size_t lo = census_refs_lower_bound(c, kind, 0, 0), n = 0;

	*first = c->refs + lo;
	while (lo + n < c->nr_refs && c->refs[lo + n].kind == kind)
		n++;
	return n;
}

/* ---- how the scans went ---------------------------------------------------- */

void census_holder_add(struct census *c, enum census_mech mech, pid_t pid)
{
	struct census_mech_state *ms = &c->mech[mech];
	size_t i;

	for (i = 0; i < ms->nr_holders; i++)
		if (ms->holders[i] == pid)
			return;
	ms->holders = census_realloc_array(ms->holders, ms->nr_holders + 1,
					   sizeof(*ms->holders));
	ms->holders[ms->nr_holders++] = pid;
}

void census_note(struct census *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->notes = census_realloc_array(c->notes, c->nr_notes + 1,
					sizeof(*c->notes));
	c->notes[c->nr_notes++] = census_strdup(buf);
}

/* ---- summary --------------------------------------------------------------- */

static void census_add(uint64_t *sum, uint64_t v, bool *unknown)
{
	if (v == CENSUS_UNKNOWN)
		*unknown = true;
	else
		*sum += v;
}

void census_summarise(const struct census *c,
		      struct census_total t[CENSUS_NR_MECHS])
{
	const struct census_mech_desc *d;
	const struct census_obj *obj;
	bool unknown;
	size_t i;

	memset(t, 0, CENSUS_NR_MECHS * sizeof(*t));
	for (i = 0; i < c->nr_objs; i++) {
		obj = c->objs[i];
		d = &census_mechs[obj->mech];
		unknown = false;
		t[obj->mech].objects++;
		if (d->queued)
			census_add(&t[obj->mech].queued, obj->queued, &unknown);
		if (d->held)
			census_add(&t[obj->mech].held, obj->held, &unknown);
		if (d->capacity)
			census_add(&t[obj->mech].capacity, obj->capacity,
				   &unknown);
		t[obj->mech].unmeasured += unknown;
	}
}

bool census_obj_shown(const struct census_obj *obj,
		      const bool only[CENSUS_NR_MECHS], bool nonempty)
{
	if (!only[obj->mech])
		return false;
	/* What has no byte count (semaphores, signals) is always listed. */
	if (!nonempty || (!census_mechs[obj->mech].queued &&
			  !census_mechs[obj->mech].held))
		return true;
	return (obj->queued && obj->queued != CENSUS_UNKNOWN) ||
	       (obj->held && obj->held != CENSUS_UNKNOWN);
}

void census_free(struct census *c)
{
	size_t i;

	census_objs_truncate(c, 0);
	free(c->objs);
	for (i = 0; i < c->nr_refs; i++)
		free(c->refs[i].path);
	free(c->refs);
	free(c->procs);
	for (i = 0; i < c->nr_notes; i++)
		free(c->notes[i]);
	free(c->notes);
	for (i = 0; i < CENSUS_NR_MECHS; i++)
		free(c->mech[i].holders);
}
