// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: the scan of ramchan channels. Owns reading
 * /sys/kernel/ramchan/channel/<id>/ into one object per channel, and the
 * join with the channel fds the process scan found: each fd's fdinfo
 * names its channel id and role, so its process becomes an owner of that
 * channel, as producer, consumer or both. Mappings of rings do not say
 * which ring they are, nor do fds of a module that prints no fdinfo:
 * those are attributed only when there is one candidate, else their
 * processes are the ramchan row's holders.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ramchan.h"
#include "census_probe.h"
#include "census_scan.h"

#define RAMCHAN_SYSFS	"/sys/kernel/ramchan"

static uint64_t sysfs_u64(int dirfd, const char *name)
{
	char buf[64];

	if (census_read_file(dirfd, name, buf, sizeof(buf)) <= 0)
		return CENSUS_UNKNOWN;
	return strtoull(buf, NULL, 0);
}

static void census_ring_fill(struct census_obj *obj, int fd)
{
	uint64_t records_in, records_out;

	obj->queued = sysfs_u64(fd, "fill");
	obj->capacity = sysfs_u64(fd, "size");
	records_in = sysfs_u64(fd, "records_in");
	records_out = sysfs_u64(fd, "records_out");
	census_obj_num(obj, "records_waiting",
		       records_in == CENSUS_UNKNOWN ||
		       records_out == CENSUS_UNKNOWN ? CENSUS_UNKNOWN :
		       records_in - records_out);
	census_obj_num(obj, "high_water", sysfs_u64(fd, "high_water"));
	census_obj_num(obj, "waiters", sysfs_u64(fd, "waiters"));
	census_obj_num(obj, "flags", sysfs_u64(fd, "flags"));
}

static void census_mq_fill(struct census *c, struct census_obj *obj, int fd)
{
	uint64_t depth, msg_size, v;

	obj->queued = sysfs_u64(fd, "bytes");
	depth = sysfs_u64(fd, "depth");
	msg_size = sysfs_u64(fd, "msg_size");
	if (depth != CENSUS_UNKNOWN && msg_size != CENSUS_UNKNOWN)
		obj->capacity = depth * msg_size;
	v = sysfs_u64(fd, "count");
	census_obj_num(obj, "messages", v);
	if (v != CENSUS_UNKNOWN)
		c->mech[CENSUS_RAMCHAN].count += v;
	census_obj_num(obj, "depth", depth);
	census_obj_num(obj, "message_size", msg_size);
}

/* One channel directory; return its object, or NULL when it went away. */
static struct census_obj *census_chan_add(struct census *c, int chandir,
					  const char *id, unsigned int *kind)
{
	char kindname[32] = "", name[128] = "";
	const struct census_ref *refs;
	struct census_obj *obj;
	uint64_t v;
	size_t nr;
	int fd;

	fd = openat(chandir, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (census_read_file(fd, "kind", kindname, sizeof(kindname)) <= 0) {
		close(fd);
		return NULL;
	}
	kindname[strcspn(kindname, "\n")] = '\0';
	*kind = ramchan_kind_from_name(kindname);
	census_read_file(fd, "name", name, sizeof(name));
	name[strcspn(name, "\n")] = '\0';

	obj = census_obj_add(c, CENSUS_RAMCHAN, id, name[0] ? name : NULL);
	census_obj_str(obj, "kind", kindname);
	v = sysfs_u64(fd, "owner");
	if (v != CENSUS_UNKNOWN)
		obj->uid = v;
	obj->held = sysfs_u64(fd, "memory");
	census_obj_num(obj, "producers", sysfs_u64(fd, "producers"));
	census_obj_num(obj, "consumers", sysfs_u64(fd, "consumers"));
	if (*kind == RAMCHAN_KIND_RING)
		census_ring_fill(obj, fd);
	else if (*kind == RAMCHAN_KIND_MQ)
		census_mq_fill(c, obj, fd);
	close(fd);

	/* The fds whose fdinfo names this channel. */
	nr = census_refs_find(c, CENSUS_REF_RAMCHAN, 0, strtoull(id, NULL, 10),
			      &refs);
	census_obj_ref_owners(obj, refs, nr);
	return obj;
}

/* The references of @kind: owners of @only when given, else holders. */
static void census_chan_refs(struct census *c, enum census_ref_kind kind,
			     struct census_obj *only)
{
	const struct census_ref *refs;
	size_t nr, i;

	nr = census_refs_of_kind(c, kind, &refs);
	if (only)
		census_obj_ref_owners(only, refs, nr);
	else
		for (i = 0; i < nr; i++)
			census_holder_add(c, CENSUS_RAMCHAN, refs[i].pid);
}

/*
 * References that name no channel: fds of a module without fdinfo go to
 * the only channel if there is one, mappings to the only ring; the rest,
 * and fds of channels made after the sysfs listing, become holders.
 */
static void census_chan_unattributed(struct census *c, size_t nr_chans,
				     struct census_obj *chan, size_t nr_rings,
				     struct census_obj *ring)
{
	const struct census_ref *refs;
	size_t nr, i;
	char id[32];

	census_chan_refs(c, CENSUS_REF_RAMCHAN_ANON, nr_chans == 1 ? chan : NULL);
	census_chan_refs(c, CENSUS_REF_MAP_RAMCHAN, nr_rings == 1 ? ring : NULL);
	nr = census_refs_of_kind(c, CENSUS_REF_RAMCHAN, &refs);
	for (i = 0; i < nr; i++) {
		snprintf(id, sizeof(id), "%llu", (unsigned long long)refs[i].ino);
		if (!census_obj_find(c, CENSUS_RAMCHAN, id))
			census_holder_add(c, CENSUS_RAMCHAN, refs[i].pid);
	}
}

void census_scan_ramchan(struct census *c)
{
	struct census_mech_state *ms = &c->mech[CENSUS_RAMCHAN];
	struct census_obj *obj, *chan = NULL, *ring = NULL;
	size_t nr_chans = 0, nr_rings = 0;
	unsigned int kind;
	struct dirent *de;
	DIR *dir;
	int fd;

	fd = open(RAMCHAN_SYSFS "/channel", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && access(RAMCHAN_SYSFS, F_OK)) {
			ms->status = "module not loaded";
			snprintf(ms->note, sizeof(ms->note),
				 "no " RAMCHAN_SYSFS " (modprobe ramchan)");
		} else {
			ms->status = "unavailable";
			snprintf(ms->note, sizeof(ms->note),
				 RAMCHAN_SYSFS "/channel: %s", strerror(errno));
		}
		return;
	}
	ms->source = RAMCHAN_SYSFS "/channel/*, /proc/PID/fdinfo";
	ms->count_known = true;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		obj = census_chan_add(c, fd, de->d_name, &kind);
		if (!obj)
			continue;
		nr_chans++;
		chan = obj;
		if (kind == RAMCHAN_KIND_RING) {
			nr_rings++;
			ring = obj;
		}
	}
	closedir(dir);

	census_chan_unattributed(c, nr_chans, chan, nr_rings, ring);
	if (ms->nr_holders)
		snprintf(ms->note, sizeof(ms->note),
			 "holders: %zu process%s with mappings or fds that do not say which channel",
			 ms->nr_holders, ms->nr_holders == 1 ? "" : "es");
}
