/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan census: the probes every scanner may use to look at the system
 * without changing it: reading a small file, and taking a copy of
 * another process's fd (pidfd_getfd()). They know the model's struct
 * census_ref and nothing else of the census.
 */
#ifndef RAMCHAN_CENSUS_PROBE_H
#define RAMCHAN_CENSUS_PROBE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "census_model.h"

/* A process, or its fd, went away while we looked: not an error. */
static inline bool census_errno_gone(int err)
{
	return err == ENOENT || err == ESRCH;
}

/* Read a small file into @buf (NUL-terminated); return its length or -errno. */
int census_read_file(int dirfd, const char *path, char *buf, size_t size);

/*
 * A copy, in this process, of the fd @ref names, checked to be the same
 * inode; with @may_open, reopening /proc/PID/fd/N when pidfd_getfd() is
 * refused. Return the fd or -errno.
 */
int census_ref_grab(const struct census_ref *ref, bool may_open);
/* census_ref_grab() of the first of @refs that works. */
int census_ref_grab_any(const struct census_ref *refs, size_t nr,
			bool may_open);
/*
 * census_ref_grab_any() for @obj: on failure the reason becomes its
 * "error" field; on success the file's owner becomes its uid.
 */
int census_obj_grab(struct census_obj *obj, const struct census_ref *refs,
		    size_t nr, bool may_open);

#endif /* RAMCHAN_CENSUS_PROBE_H */
