// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: probes shared by the scanners (census_probe.h): small
 * file reads and fd copies. Documentation/admin-guide/ramchan-census.rst
 * says what each probe touches.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "census_probe.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif

int census_read_file(int dirfd, const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return len;
}

/*
 * pidfd_getfd() takes a reference to the same open file (no new reader or
 * writer appears, the file position is shared and nothing is read).
 * Without it (kernels before 5.6, or no ptrace access) and when
 * @may_open, reopen the file through /proc/PID/fd/N: for a pipe that adds
 * a reader for a moment (see Documentation/admin-guide/ramchan-census.rst).
 * The copy is checked to be the same inode: the process may have closed
 * the fd and reused the number.
 */
int census_ref_grab(const struct census_ref *ref, bool may_open)
{
	char path[64];
	struct stat st;
	int pidfd, fd = -1, err;

	if (ref->fd < 0)
		return -EBADF;
	pidfd = syscall(SYS_pidfd_open, ref->pid, 0);
	if (pidfd >= 0) {
		fd = syscall(SYS_pidfd_getfd, pidfd, ref->fd, 0);
		err = errno;
		close(pidfd);
	} else {
		err = errno;
	}
	if (fd < 0 && may_open && !census_errno_gone(err) && err != EBADF) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", ref->pid, ref->fd);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		err = errno;
	}
	if (fd < 0)
		return -err;
	if (fstat(fd, &st) || st.st_ino != ref->ino ||
	    (ref->dev && st.st_dev != ref->dev)) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

int census_ref_grab_any(const struct census_ref *refs, size_t nr, bool may_open)
{
	int fd = -ENOENT;
	size_t i;

	for (i = 0; i < nr; i++) {
		fd = census_ref_grab(&refs[i], may_open);
		if (fd >= 0)
			break;
	}
	return fd;
}

int census_obj_grab(struct census_obj *obj, const struct census_ref *refs,
		    size_t nr, bool may_open)
{
	struct stat st;
	int fd;

	fd = census_ref_grab_any(refs, nr, may_open);
	if (fd < 0) {
		census_obj_str(obj, "error", strerror(-fd));
		return fd;
	}
	if (!fstat(fd, &st))
		obj->uid = st.st_uid;
	return fd;
}
