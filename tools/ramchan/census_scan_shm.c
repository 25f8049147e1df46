// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: the scan of POSIX shared memory. Owns the walk of
 * /dev/shm (named POSIX semaphores among its files) and the files
 * unlinked from it that an fd or a mapping, found by the process scan,
 * still keeps alive.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "census_scan.h"

/* ---- POSIX shared memory (/dev/shm) --------------------------------------- */

#define SHM_DIR		"/dev/shm"
#define SHM_MAX_DEPTH	8

static void census_shm_owners(struct census *c, struct census_obj *obj,
			      dev_t dev, uint64_t ino)
{
	const struct census_ref *refs;
	size_t nr;

	nr = census_refs_find(c, CENSUS_REF_FILE, dev, ino, &refs);
	census_obj_ref_owners(obj, refs, nr);
	nr = census_refs_find(c, CENSUS_REF_MAP, dev, ino, &refs);
	census_obj_ref_owners(obj, refs, nr);
}

static void census_shm_walk(struct census *c, int dirfd, const char *path,
			    int depth, uint64_t **seen, size_t *nr_seen)
{
	char sub[4096], id[32];
	struct census_obj *obj;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int fd;

	dir = fdopendir(dirfd);
	if (!dir) {
		close(dirfd);
		return;
	}
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;	/* unlinked meanwhile */
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (S_ISDIR(st.st_mode) && depth < SHM_MAX_DEPTH) {
			fd = openat(dirfd, de->d_name,
				    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (fd >= 0)
				census_shm_walk(c, fd, sub, depth + 1, seen,
						nr_seen);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		snprintf(id, sizeof(id), "%" PRIu64, (uint64_t)st.st_ino);
		obj = census_obj_add(c, CENSUS_POSIX_SHM, id, sub);
		obj->uid = st.st_uid;
		obj->held = (uint64_t)st.st_blocks * 512;
		obj->capacity = st.st_size;
		if (!strncmp(de->d_name, "sem.", 4))
			census_obj_str(obj, "type", "named semaphore");
		census_shm_owners(c, obj, st.st_dev, st.st_ino);
		*seen = census_realloc_array(*seen, *nr_seen + 1, sizeof(**seen));
		(*seen)[(*nr_seen)++] = st.st_ino;
	}
	closedir(dir);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Files unlinked from /dev/shm that fds or mappings still keep alive. */
static void census_shm_deleted(struct census *c, const uint64_t *seen,
			       size_t nr_seen)
{
	const struct census_ref *r, *end = c->refs + c->nr_refs;
	struct census_obj *obj = NULL;
	uint64_t last_ino = 0;
	char id[32];

	/* Refs are sorted by kind first: FILE refs, then MAP refs. */
	for (r = c->refs; r < end; r++) {
		if ((r->kind != CENSUS_REF_FILE && r->kind != CENSUS_REF_MAP) ||
		    r->dev != c->shm_dev)
			continue;
		if (nr_seen &&
		    bsearch(&r->ino, seen, nr_seen, sizeof(*seen), u64_cmp))
			continue;
		if (!obj || r->ino != last_ino) {
			obj = NULL;
			snprintf(id, sizeof(id), "%" PRIu64, r->ino);
			/* Mapped and open: the FILE refs made it already. */
			if (r->kind == CENSUS_REF_MAP)
				obj = census_obj_find(c, CENSUS_POSIX_SHM, id);
			if (!obj) {
				obj = census_obj_add(c, CENSUS_POSIX_SHM, id,
						     r->path);
				census_obj_num(obj, "deleted", 1);
			}
			last_ino = r->ino;
		}
		if (r->blocks != CENSUS_UNKNOWN && obj->held == CENSUS_UNKNOWN) {
			obj->held = r->blocks * 512;
			obj->capacity = r->size;
		}
		census_obj_ref_owners(obj, r, 1);
	}
}

void census_scan_posix_shm(struct census *c)
{
	struct census_mech_state *ms = &c->mech[CENSUS_POSIX_SHM];
	uint64_t *seen = NULL;
	size_t nr_seen = 0;
	int fd;

	if (!c->shm_dev) {
		ms->status = "not mounted";
		snprintf(ms->note, sizeof(ms->note), "no " SHM_DIR);
		return;
	}
	ms->source = SHM_DIR " (st_blocks), /proc/PID/fd and maps";
	fd = open(SHM_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ms->status = "unavailable";
		snprintf(ms->note, sizeof(ms->note), SHM_DIR ": %s",
			 strerror(errno));
		return;
	}
	census_shm_walk(c, fd, SHM_DIR, 0, &seen, &nr_seen);
	if (nr_seen)
		qsort(seen, nr_seen, sizeof(*seen), u64_cmp);
	census_shm_deleted(c, seen, nr_seen);
	free(seen);
}
