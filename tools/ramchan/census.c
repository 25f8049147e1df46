// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: for each IPC mechanism on this host, how many objects
 * exist and how much RAM they hold right now, with the processes that own
 * them. Documentation/admin-guide/ramchan-census.rst says where each
 * number comes from and what it means.
 *
 *	ramchan census [-v] [--only MECH,...] [--nonempty]
 *	ramchan --json census
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "census.h"

#define MQUEUE_MAGIC	0x19800202

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

/* ---- allocation; running out of memory ends the command ----------------- */

static void census_oom(void)
{
	fprintf(stderr, "ramchan census: out of memory\n");
	exit(1);
}

void *census_alloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p)
		census_oom();
	return p;
}

void *census_realloc_array(void *ptr, size_t nmemb, size_t size)
{
	void *p = reallocarray(ptr, nmemb, size);

	if (!p)
		census_oom();
	return p;
}

char *census_strdup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		census_oom();
	return p;
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
	if (c->nr_objs == c->cap_objs) {
		c->cap_objs = c->cap_objs ? 2 * c->cap_objs : 256;
		c->objs = census_realloc_array(c->objs, c->cap_objs,
					       sizeof(*c->objs));
	}
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

static void census_free(struct census *c)
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

/* ---- summary --------------------------------------------------------------- */

/**
 * struct census_total - one summary row
 * @objects:	objects of the mechanism
 * @queued, @held, @capacity: sums of the values that were read
 * @unmeasured:	objects with a size that could not be read
 */
struct census_total {
	uint64_t objects;
	uint64_t queued;
	uint64_t held;
	uint64_t capacity;
	uint64_t unmeasured;
};

static void census_add(uint64_t *sum, uint64_t v, bool *unknown)
{
	if (v == CENSUS_UNKNOWN)
		*unknown = true;
	else
		*sum += v;
}

static void census_summarise(const struct census *c,
			     struct census_total *t)
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

/* ---- output ---------------------------------------------------------------- */

struct census_output {
	bool json;
	bool verbose;
	bool nonempty;
	bool only[CENSUS_NR_MECHS];
};

static bool census_obj_shown(const struct census_output *out,
			     const struct census_obj *obj)
{
	if (!out->only[obj->mech])
		return false;
	/* What has no byte count (semaphores, signals) is always listed. */
	if (!out->nonempty || (!census_mechs[obj->mech].queued &&
			       !census_mechs[obj->mech].held))
		return true;
	return (obj->queued && obj->queued != CENSUS_UNKNOWN) ||
	       (obj->held && obj->held != CENSUS_UNKNOWN);
}

static const char *census_comm(const struct census *c, pid_t pid)
{
	const struct census_proc *p = census_proc_find(c, pid);

	return p ? p->comm : NULL;
}

/* A JSON string: valid UTF-8 passes, other bytes become U+FFFD. */
static void json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int len, i;

	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	while (*p) {
		if (*p == '"' || *p == '\\') {
			printf("\\%c", *p++);
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			printf("\\u%04x", *p++);
			continue;
		}
		if (*p < 0x80) {
			putchar(*p++);
			continue;
		}
		len = *p >= 0xf0 && *p < 0xf5 ? 4 : *p >= 0xe0 ? 3 :
		      *p >= 0xc2 && *p < 0xe0 ? 2 : 0;
		for (i = 1; i < len; i++)
			if ((p[i] & 0xc0) != 0x80)
				len = 0;
		if (!len) {
			fputs("\\ufffd", stdout);
			p++;
			continue;
		}
		fwrite(p, 1, len, stdout);
		p += len;
	}
	putchar('"');
}

static void json_num(uint64_t v)
{
	if (v == CENSUS_UNKNOWN)
		fputs("null", stdout);
	else
		printf("%" PRIu64, v);
}

static void json_obj(const struct census *c, const struct census_obj *obj)
{
	const struct census_mech_desc *d = &census_mechs[obj->mech];
	const struct census_field *f;
	size_t i, j;

	printf("    {\"mechanism\": \"%s\", \"id\": ", d->name);
	json_string(obj->id);
	fputs(", \"name\": ", stdout);
	json_string(obj->name);
	fputs(", \"uid\": ", stdout);
	if (obj->uid < 0)
		fputs("null", stdout);
	else
		printf("%lld", obj->uid);
	if (d->queued) {
		fputs(", \"queued_bytes\": ", stdout);
		json_num(obj->queued);
	}
	if (d->held) {
		fputs(", \"held_bytes\": ", stdout);
		json_num(obj->held);
	}
	if (d->capacity) {
		fputs(", \"capacity_bytes\": ", stdout);
		json_num(obj->capacity);
	}
	for (i = 0; i < obj->nr_fields; i++) {
		f = &obj->fields[i];
		printf(", \"%s\": ", f->key);
		switch (f->type) {
		case CENSUS_FIELD_NUM:
			json_num(f->num);
			break;
		case CENSUS_FIELD_STR:
			json_string(f->str);
			break;
		case CENSUS_FIELD_LIST:
			putchar('[');
			for (j = 0; j < f->nr_list; j++)
				printf("%s%" PRIu64, j ? ", " : "", f->list[j]);
			putchar(']');
			break;
		}
	}
	fputs(", \"owners\": [", stdout);
	for (i = 0; i < obj->nr_owners; i++) {
		printf("%s{\"pid\": %d, \"comm\": ", i ? ", " : "",
		       obj->owners[i].pid);
		json_string(census_comm(c, obj->owners[i].pid));
		fputs(", \"how\": ", stdout);
		json_string(obj->owners[i].how);
		putchar('}');
	}
	fputs("]}", stdout);
}

static void census_print_json(const struct census *c,
			      const struct census_output *out,
			      const struct census_total *t)
{
	const struct census_mech_state *ms;
	const struct census_mech_desc *d;
	uint64_t held = 0, queued = 0;
	struct utsname uts;
	const char *sep = "";
	size_t i, j;

	uname(&uts);
	fputs("{\n  \"version\": 1,\n  \"hostname\": ", stdout);
	json_string(uts.nodename);
	fputs(",\n  \"kernel\": ", stdout);
	json_string(uts.release);
	printf(",\n  \"euid\": %u,\n  \"page_size\": %ld,\n"
	       "  \"processes\": {\"scanned\": %zu, \"denied\": %u, \"vanished\": %u},\n"
	       "  \"summary\": [\n",
	       geteuid(), c->page_size, c->nr_procs, c->procs_denied,
	       c->procs_vanished);
	for (i = 0; i < CENSUS_NR_MECHS; i++) {
		if (!out->only[i])
			continue;
		d = &census_mechs[i];
		ms = &c->mech[i];
		printf("%s    {\"mechanism\": \"%s\", \"status\": ", sep, d->name);
		sep = ",\n";
		json_string(ms->status ?: "ok");
		printf(", \"objects\": %" PRIu64, t[i].objects);
		if (d->queued) {
			fputs(", \"queued_bytes\": ", stdout);
			json_num(ms->status ? CENSUS_UNKNOWN : t[i].queued);
			queued += t[i].queued;
		}
		if (d->held) {
			fputs(", \"held_bytes\": ", stdout);
			json_num(ms->status ? CENSUS_UNKNOWN : t[i].held);
			held += t[i].held;
		}
		if (d->capacity) {
			fputs(", \"capacity_bytes\": ", stdout);
			json_num(ms->status ? CENSUS_UNKNOWN : t[i].capacity);
		}
		if (d->count_name) {
			printf(", \"%s\": ", d->count_name);
			json_num(ms->count_known ? ms->count : CENSUS_UNKNOWN);
		}
		if (ms->limit)
			printf(", \"limit_per_user\": %" PRIu64, ms->limit);
		printf(", \"unmeasured\": %" PRIu64 ", \"source\": ",
		       t[i].unmeasured);
		json_string(ms->source);
		fputs(", \"note\": ", stdout);
		json_string(ms->note[0] ? ms->note : NULL);
		if (ms->nr_holders) {
			fputs(", \"holders\": [", stdout);
			for (j = 0; j < ms->nr_holders; j++)
				printf("%s%d", j ? ", " : "", ms->holders[j]);
			putchar(']');
		}
		putchar('}');
	}
	printf("\n  ],\n  \"total\": {\"queued_bytes\": %" PRIu64
	       ", \"held_bytes\": %" PRIu64 "},\n  \"objects\": [",
	       queued, held);
	sep = "\n";
	for (i = 0; i < c->nr_objs; i++) {
		if (!census_obj_shown(out, c->objs[i]))
			continue;
		fputs(sep, stdout);
		sep = ",\n";
		json_obj(c, c->objs[i]);
	}
	fputs(sep[0] == ',' ? "\n  ],\n  \"notes\": [" : "],\n  \"notes\": [",
	      stdout);
	for (i = 0; i < c->nr_notes; i++) {
		fputs(i ? ",\n    " : "\n    ", stdout);
		json_string(c->notes[i]);
	}
	fputs(c->nr_notes ? "\n  ]\n}\n" : "]\n}\n", stdout);
}

/* 1536 -> "1.5 KiB"; below 1 KiB, bytes exactly. */
static const char *human_bytes(char *buf, size_t size, uint64_t v)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double d = v;
	int u = -1;

	if (v == CENSUS_UNKNOWN)
		return "?";
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

static void census_print_row(const struct census *c, enum census_mech m,
			     const struct census_total *t)
{
	const struct census_mech_desc *d = &census_mechs[m];
	const struct census_mech_state *ms = &c->mech[m];
	char q[32], h[32], cap[32], note[400];
	size_t len = 0;

	if (ms->status) {
		printf("%-15s %8s %11s %11s %11s  %s%s%s\n", d->title, "-", "-",
		       "-", "-", ms->status, ms->note[0] ? ": " : "", ms->note);
		return;
	}
	note[0] = '\0';
	if (d->count_name && ms->count_known)
		len += snprintf(note + len, sizeof(note) - len, "%s: %" PRIu64,
				d->count_name, ms->count);
	if (m == CENSUS_SIGNALS && ms->limit)
		len += snprintf(note + len, sizeof(note) - len,
				" queued, limit %" PRIu64 " per user",
				ms->limit);
	if (t[m].unmeasured)
		len += snprintf(note + len, sizeof(note) - len,
				"%s%" PRIu64 " not measured", len ? "; " : "",
				t[m].unmeasured);
	if (ms->note[0] && m != CENSUS_SIGNALS)
		snprintf(note + len, sizeof(note) - len, "%s%s",
			 len ? "; " : "", ms->note);
	printf("%-15s %8" PRIu64 " %11s %11s %11s  %s\n", d->title, t[m].objects,
	       d->queued ? human_bytes(q, sizeof(q), t[m].queued) : "-",
	       d->held ? human_bytes(h, sizeof(h), t[m].held) : "-",
	       d->capacity ? human_bytes(cap, sizeof(cap), t[m].capacity) : "-",
	       note);
}

static void census_print_obj(const struct census *c,
			     const struct census_obj *obj)
{
	const struct census_mech_desc *d = &census_mechs[obj->mech];
	const struct census_field *f;
	const char *comm;
	size_t i, j;

	printf("  %-10s", obj->id);
	if (obj->name)
		printf(" %s", obj->name);
	if (d->queued && obj->queued != CENSUS_UNKNOWN)
		printf("  queued %" PRIu64, obj->queued);
	if (d->held && obj->held != CENSUS_UNKNOWN)
		printf("  held %" PRIu64, obj->held);
	if (d->capacity && obj->capacity != CENSUS_UNKNOWN)
		printf("  capacity %" PRIu64, obj->capacity);
	if (obj->uid >= 0)
		printf("  uid %lld", obj->uid);
	for (i = 0; i < obj->nr_fields; i++) {
		f = &obj->fields[i];
		/* Already in the name. */
		if (!strcmp(f->key, "key") || !strcmp(f->key, "local") ||
		    !strcmp(f->key, "remote"))
			continue;
		printf("  %s ", f->key);
		switch (f->type) {
		case CENSUS_FIELD_NUM:
			if (f->num == CENSUS_UNKNOWN)
				fputs("?", stdout);
			else
				printf("%" PRIu64, f->num);
			break;
		case CENSUS_FIELD_STR:
			fputs(f->str ?: "", stdout);
			break;
		case CENSUS_FIELD_LIST:
			for (j = 0; j < f->nr_list; j++)
				printf("%s%" PRIu64, j ? "," : "", f->list[j]);
			if (!f->nr_list)
				fputs("-", stdout);
			break;
		}
	}
	putchar('\n');
	if (!obj->nr_owners)
		return;
	fputs("             owners:", stdout);
	for (i = 0; i < obj->nr_owners; i++) {
		comm = census_comm(c, obj->owners[i].pid);
		printf(" %d%s%s(%s)", obj->owners[i].pid, comm ? "/" : "",
		       comm ?: "", obj->owners[i].how);
	}
	putchar('\n');
}

static void census_print_table(const struct census *c,
			       const struct census_output *out,
			       const struct census_total *t)
{
	uint64_t held = 0, queued = 0;
	char q[32], h[32];
	struct utsname uts;
	size_t i, m, n;

	uname(&uts);
	printf("IPC census of %s (Linux %s): %zu processes%s\n\n", uts.nodename,
	       uts.release, c->nr_procs,
	       geteuid() ? ", not root: other users' owners may be missing" : "");
	printf("%-15s %8s %11s %11s %11s  %s\n", "MECHANISM", "OBJECTS",
	       "QUEUED", "HELD", "CAPACITY", "NOTES");
	for (m = 0; m < CENSUS_NR_MECHS; m++) {
		if (!out->only[m])
			continue;
		census_print_row(c, m, t);
		if (census_mechs[m].queued && !c->mech[m].status)
			queued += t[m].queued;
		if (census_mechs[m].held && !c->mech[m].status)
			held += t[m].held;
	}
	printf("%-15s %8s %11s %11s\n", "total", "",
	       human_bytes(q, sizeof(q), queued), human_bytes(h, sizeof(h), held));

	if (out->verbose) {
		for (m = 0; m < CENSUS_NR_MECHS; m++) {
			if (!out->only[m] || c->mech[m].status)
				continue;
			for (i = 0, n = 0; i < c->nr_objs; i++)
				n += c->objs[i]->mech == m &&
				     census_obj_shown(out, c->objs[i]);
			if (!n)
				continue;
			printf("\n%s (%zu, from %s)\n", census_mechs[m].title, n,
			       c->mech[m].source);
			for (i = 0; i < c->nr_objs; i++)
				if (c->objs[i]->mech == m &&
				    census_obj_shown(out, c->objs[i]))
					census_print_obj(c, c->objs[i]);
		}
	}
	if (c->nr_notes)
		putchar('\n');
	for (i = 0; i < c->nr_notes; i++)
		printf("note: %s\n", c->notes[i]);
}

/* ---- the command ----------------------------------------------------------- */

static void census_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ramchan [--json] census [-v] [--only MECH,...] [--nonempty]\n\n"
		   "How many IPC objects of each kind exist and how much RAM they hold now.\n\n"
		   "  -v, --verbose     list every object with its owners\n"
		   "  -j, --json        JSON: the summary and every object\n"
		   "  -o, --only LIST   only these mechanisms (comma-separated):\n"
		   "                   ");
	for (i = 0; i < CENSUS_NR_MECHS; i++)
		fprintf(f, " %s", census_mechs[i].name);
	fprintf(f, "\n  -n, --nonempty    list only objects that hold bytes\n"
		   "  -h, --help        this text\n\n"
		   "Run as root to see every process's objects. See\n"
		   "Documentation/admin-guide/ramchan-census.rst.\n");
}

static int census_parse_only(struct census_output *out, const char *list)
{
	char *copy = census_strdup(list), *save = NULL, *w;
	size_t i;

	memset(out->only, 0, sizeof(out->only));
	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < CENSUS_NR_MECHS; i++)
			if (!strcmp(w, census_mechs[i].name))
				break;
		if (i == CENSUS_NR_MECHS) {
			fprintf(stderr, "ramchan census: unknown mechanism '%s' (see ramchan census --help)\n",
				w);
			free(copy);
			return -1;
		}
		out->only[i] = true;
	}
	free(copy);
	return 0;
}

static void census_find_filesystems(struct census *c)
{
	struct statfs sfs;
	struct stat st;

	if (!stat("/dev/shm", &st) && S_ISDIR(st.st_mode))
		c->shm_dev = st.st_dev;
	if (!statfs("/dev/mqueue", &sfs) && sfs.f_type == MQUEUE_MAGIC &&
	    !stat("/dev/mqueue", &st))
		c->mqueue_dev = st.st_dev;
}

int cmd_census(const struct cli_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "only", required_argument, NULL, 'o' },
		{ "nonempty", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct census_total totals[CENSUS_NR_MECHS];
	struct census_output out = { .json = opts->json };
	struct census c = { 0 };
	int opt, ret = 0;

	memset(out.only, 1, sizeof(out.only));
	optind = 0;	/* restart getopt on the command's own arguments */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "vjo:nh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			out.verbose = true;
			break;
		case 'j':
			out.json = true;
			break;
		case 'o':
			if (census_parse_only(&out, optarg))
				return 2;
			break;
		case 'n':
			out.nonempty = true;
			break;
		case 'h':
			census_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "ramchan census: %s '%s' (see ramchan census --help)\n",
				opt == ':' || (optopt && strchr("o", optopt)) ?
				"missing argument to" : "unknown option",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ramchan census: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}

	c.self = getpid();
	c.page_size = sysconf(_SC_PAGESIZE);
	census_find_filesystems(&c);
	census_scan_procs(&c);
	census_scan_pipes(&c);
	census_scan_unix(&c);
	census_scan_tcp(&c);
	census_scan_posix_mq(&c);
	census_scan_sysv(&c);
	census_scan_posix_shm(&c);
	census_scan_signals(&c);
	census_scan_ramchan(&c);

	if (c.procs_denied)
		census_note(&c, "the fds or mappings of %u process%s could not be read (permission denied): what they own is missing%s",
			    c.procs_denied, c.procs_denied == 1 ? "" : "es",
			    geteuid() ? "; run as root" : "");
	if (c.procs_vanished)
		census_note(&c, "%u process%s exited during the scan",
			    c.procs_vanished, c.procs_vanished == 1 ? "" : "es");

	census_summarise(&c, totals);
	if (out.json)
		census_print_json(&c, &out, totals);
	else
		census_print_table(&c, &out, totals);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ramchan census: writing the output: %s\n",
			strerror(errno));
		ret = 1;
	}
	census_free(&c);
	return ret;
}
