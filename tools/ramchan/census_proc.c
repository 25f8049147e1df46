// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: the processes. One pass over /proc collects, per
 * process, its fds that refer to IPC objects (pipes, FIFOs, sockets, files
 * in /dev/shm and /dev/mqueue, ramchan channels), its mappings of shared
 * memory, and its pending signals. The other scanners join their objects
 * to these references by inode.
 *
 * Processes come and go while we read: every read of /proc may fail with
 * ENOENT or ESRCH (counted as vanished, not an error) or EACCES (counted
 * as denied, and said in a note).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "census.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif

#define ANON_RAMCHAN		"anon_inode:[ramchan]"

/* Read a small file into @buf (NUL-terminated); return its length or -errno. */
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

static bool errno_is_gone(int err)
{
	return err == ENOENT || err == ESRCH;
}

static struct census_ref *census_ref_add(struct census *c,
					 enum census_ref_kind kind, pid_t pid,
					 int fd, dev_t dev, uint64_t ino)
{
	struct census_ref *ref;

	if (c->nr_refs == c->cap_refs) {
		c->cap_refs = c->cap_refs ? 2 * c->cap_refs : 256;
		c->refs = census_realloc_array(c->refs, c->cap_refs,
					       sizeof(*c->refs));
	}
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

/* "pipe:[1234]" -> 1234 */
static bool parse_bracket_ino(const char *link, const char *prefix,
			      uint64_t *ino)
{
	size_t len = strlen(prefix);
	char *end;

	if (strncmp(link, prefix, len) || link[len] != '[')
		return false;
	errno = 0;
	*ino = strtoull(link + len + 1, &end, 10);
	return !errno && *end == ']';
}

/* The access mode of an fd, from the mode of its /proc link. */
static unsigned int fd_access(int fddir, const char *name)
{
	unsigned int access = 0;
	struct stat st;

	if (fstatat(fddir, name, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	if (st.st_mode & S_IRUSR)
		access |= CENSUS_ACCESS_READ;
	if (st.st_mode & S_IWUSR)
		access |= CENSUS_ACCESS_WRITE;
	return access;
}

static void census_scan_fd(struct census *c, pid_t pid, int fddir,
			   const char *name)
{
	char link[4096];
	struct census_ref *ref;
	struct stat st;
	uint64_t ino;
	ssize_t len;
	int fd;

	fd = atoi(name);
	len = readlinkat(fddir, name, link, sizeof(link) - 1);
	if (len < 0)
		return;		/* closed meanwhile */
	link[len] = '\0';

	if (parse_bracket_ino(link, "pipe:", &ino)) {
		ref = census_ref_add(c, CENSUS_REF_PIPE, pid, fd, 0, ino);
		ref->access = fd_access(fddir, name);
	} else if (parse_bracket_ino(link, "socket:", &ino)) {
		ref = census_ref_add(c, CENSUS_REF_SOCKET, pid, fd, 0, ino);
		ref->access = fd_access(fddir, name);
	} else if (!strcmp(link, ANON_RAMCHAN)) {
		ref = census_ref_add(c, CENSUS_REF_RAMCHAN, pid, fd, 0, 0);
		ref->access = fd_access(fddir, name);
	} else if (link[0] == '/') {
		/* Follows the fd itself, not the path: safe if renamed. */
		if (fstatat(fddir, name, &st, 0))
			return;
		if (S_ISFIFO(st.st_mode)) {
			ref = census_ref_add(c, CENSUS_REF_FIFO, pid, fd,
					     st.st_dev, st.st_ino);
		} else if (S_ISREG(st.st_mode) &&
			   ((c->shm_dev && st.st_dev == c->shm_dev) ||
			    (c->mqueue_dev && st.st_dev == c->mqueue_dev))) {
			ref = census_ref_add(c, CENSUS_REF_FILE, pid, fd,
					     st.st_dev, st.st_ino);
			ref->size = st.st_size;
			ref->blocks = st.st_blocks;
		} else {
			return;
		}
		ref->access = fd_access(fddir, name);
		ref->path = census_strdup(link);
	}
}

/* Return 0, or -errno when the fd table could not be read. */
static int census_scan_fds(struct census *c, pid_t pid, int piddir)
{
	struct dirent *de;
	DIR *dir;
	int fddir;

	fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fddir < 0)
		return -errno;
	dir = fdopendir(fddir);
	if (!dir) {
		close(fddir);
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		census_scan_fd(c, pid, fddir, de->d_name);
	}
	closedir(dir);
	return 0;
}

/* Return 0, or -errno when the mappings could not be read. */
static int census_scan_maps(struct census *c, pid_t pid, int piddir)
{
	enum census_ref_kind kind, last_kind = CENSUS_REF_PIPE;
	uint64_t ino, last_ino = 0;
	dev_t dev, last_dev = 0;
	unsigned long start, end;
	unsigned int maj, min;
	struct census_ref *ref;
	char *line = NULL;
	size_t cap = 0;
	const char *path;
	struct stat st;
	char mf[64];
	int fd, pos;
	FILE *f;

	fd = openat(piddir, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		pos = 0;
		if (sscanf(line, "%lx-%lx %*s %*x %x:%x %" SCNu64 " %n", &start,
			   &end, &maj, &min, &ino, &pos) < 5 || !pos)
			continue;
		path = line + pos;
		dev = makedev(maj, min);
		if (!strncmp(path, "/SYSV", 5)) {
			kind = CENSUS_REF_MAP_SYSV;	/* inode is the shm id */
			dev = 0;
		} else if (!strcmp(path, ANON_RAMCHAN)) {
			kind = CENSUS_REF_MAP_RAMCHAN;
			dev = 0;
			ino = 0;
		} else if (c->shm_dev && dev == c->shm_dev && ino) {
			kind = CENSUS_REF_MAP;
		} else {
			continue;
		}
		/* Consecutive mappings of one object count once. */
		if (kind == last_kind && dev == last_dev && ino == last_ino)
			continue;
		last_kind = kind;
		last_dev = dev;
		last_ino = ino;
		ref = census_ref_add(c, kind, pid, -1, dev, ino);
		if (kind != CENSUS_REF_MAP)
			continue;
		ref->path = census_strdup(path);
		/* Sizes of deleted files only: the others are in /dev/shm. */
		snprintf(mf, sizeof(mf), "map_files/%lx-%lx", start, end);
		if (strstr(path, " (deleted)") && !fstatat(piddir, mf, &st, 0)) {
			ref->size = st.st_size;
			ref->blocks = st.st_blocks;
		}
	}
	free(line);
	fclose(f);
	return 0;
}

static uint64_t parse_hex_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

/* Signals pending on the other threads: only the main one is in status. */
static uint64_t census_thread_sigpnd(int piddir, pid_t pid)
{
	char path[300], buf[4096];
	struct dirent *de;
	uint64_t pending = 0;
	DIR *dir;
	int fd;

	fd = openat(piddir, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return 0;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
		    atoi(de->d_name) == pid)
			continue;
		snprintf(path, sizeof(path), "%s/status", de->d_name);
		if (census_read_file(fd, path, buf, sizeof(buf)) > 0)
			pending |= parse_hex_field(buf, "\nSigPnd:");
	}
	closedir(dir);
	return pending;
}

static bool census_read_status(struct census_proc *p, int piddir)
{
	char buf[8192];
	const char *s;
	size_t len;
	long threads = 1;

	if (census_read_file(piddir, "status", buf, sizeof(buf)) <= 0)
		return false;
	s = strstr(buf, "Name:\t");
	if (s) {
		s += 6;
		len = strcspn(s, "\n");
		if (len >= sizeof(p->comm))
			len = sizeof(p->comm) - 1;
		memcpy(p->comm, s, len);
		p->comm[len] = '\0';
	}
	s = strstr(buf, "\nUid:\t");
	if (s)
		p->uid = strtoul(s + 6, NULL, 10);
	s = strstr(buf, "\nSigQ:\t");
	if (s && sscanf(s + 7, "%" SCNu64 "/%" SCNu64, &p->sigq,
			&p->sigq_limit) != 2)
		p->sigq = p->sigq_limit = 0;
	s = strstr(buf, "\nThreads:\t");
	if (s)
		threads = strtol(s + 10, NULL, 10);
	p->sigpnd = parse_hex_field(buf, "\nSigPnd:\t");
	p->shdpnd = parse_hex_field(buf, "\nShdPnd:\t");
	p->sigblk = parse_hex_field(buf, "\nSigBlk:\t");
	if (threads > 1)
		p->sigpnd |= census_thread_sigpnd(piddir, p->pid);
	p->status_read = true;
	return true;
}

static void census_scan_proc(struct census *c, int procdir, pid_t pid,
			     const char *name)
{
	struct census_proc *p;
	int piddir, err, err2;

	piddir = openat(procdir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (piddir < 0) {
		if (errno_is_gone(errno))
			c->procs_vanished++;
		return;
	}
	if (c->nr_procs == c->cap_procs) {
		c->cap_procs = c->cap_procs ? 2 * c->cap_procs : 256;
		c->procs = census_realloc_array(c->procs, c->cap_procs,
						sizeof(*c->procs));
	}
	p = &c->procs[c->nr_procs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	if (!census_read_status(p, piddir)) {
		c->procs_vanished++;
		close(piddir);
		return;
	}
	c->nr_procs++;

	err = census_scan_fds(c, pid, piddir);
	err2 = census_scan_maps(c, pid, piddir);
	if (err == -EACCES || err == -EPERM || err2 == -EACCES ||
	    err2 == -EPERM)
		c->procs_denied++;
	close(piddir);
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

static int census_proc_cmp(const void *a, const void *b)
{
	const struct census_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

void census_scan_procs(struct census *c)
{
	struct dirent *de;
	DIR *dir;
	char *end;
	long pid;

	dir = opendir("/proc");
	if (!dir) {
		census_note(c, "cannot read /proc (%s): no owners, no pipes, no signals",
			    strerror(errno));
		return;
	}
	while ((de = readdir(dir))) {
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == c->self)
			continue;
		census_scan_proc(c, dirfd(dir), pid, de->d_name);
	}
	closedir(dir);
	if (c->nr_procs)
		qsort(c->procs, c->nr_procs, sizeof(*c->procs),
		      census_proc_cmp);
	if (c->nr_refs)
		qsort(c->refs, c->nr_refs, sizeof(*c->refs), census_ref_cmp);
}

const struct census_proc *census_proc_find(const struct census *c, pid_t pid)
{
	struct census_proc key = { .pid = pid };

	if (!c->nr_procs)
		return NULL;
	return bsearch(&key, c->procs, c->nr_procs, sizeof(*c->procs),
		       census_proc_cmp);
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

/* The references of one kind to (@dev, @ino): their number, *@first. */
size_t census_refs_find(const struct census *c, enum census_ref_kind kind,
			dev_t dev, uint64_t ino, const struct census_ref **first)
{
	size_t lo = 0, hi = c->nr_refs, n = 0;
	const struct census_ref *r;

	/* Lower bound of (kind, dev, ino, pid 0, fd -1). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		r = &c->refs[mid];
		if (census_ref_before(r, kind, dev, ino))
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = c->refs + lo;
	while (lo + n < c->nr_refs) {
		r = &c->refs[lo + n];
		if (r->kind != kind || r->dev != dev || r->ino != ino)
			break;
		n++;
	}
	return n;
}

void census_obj_ref_owners(struct census_obj *obj, const struct census_ref *refs,
			   size_t nr)
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
		default:
			census_obj_owner(obj, refs[i].pid,
					 access[refs[i].access & 3]);
			break;
		}
	}
}

/*
 * A copy, in this process, of the fd @ref names: pidfd_getfd() takes a
 * reference to the same open file (no new reader or writer appears, the
 * file position is shared and nothing is read). Without it (kernels before
 * 5.6, or no ptrace access) and when @may_open, reopen the file through
 * /proc/PID/fd/N: for a pipe that adds a reader for a moment (see
 * Documentation/admin-guide/ramchan-census.rst). The copy is checked to be
 * the same inode: the process may have closed the fd and reused the number.
 * Return the fd or -errno.
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
	if (fd < 0 && may_open && !errno_is_gone(err) && err != EBADF) {
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

/* census_ref_grab() of the first of @refs that works. */
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

static size_t signal_list(uint64_t mask, uint64_t *list)
{
	size_t n = 0;
	int sig;

	for (sig = 1; sig <= 64; sig++)
		if (mask & (1ULL << (sig - 1)))
			list[n++] = sig;
	return n;
}

/*
 * Pending signals: one object per process with any. SigQ counts the
 * signals queued by all processes of a real user (its ucounts), so the
 * summary adds it once per user.
 */
void census_scan_signals(struct census *c)
{
	struct census_mech_state *ms = &c->mech[CENSUS_SIGNALS];
	uid_t users[64];
	size_t nr_users = 0, i, j, n;
	const struct census_proc *p;
	struct census_obj *obj;
	uint64_t list[64];
	char id[32];
	int len = 0;

	ms->source = "/proc/PID/status (SigQ, SigPnd, ShdPnd, SigBlk)";
	ms->count_known = true;
	for (i = 0; i < c->nr_procs; i++) {
		p = &c->procs[i];
		if (!p->status_read)
			continue;
		for (j = 0; j < nr_users && users[j] != p->uid; j++)
			;
		if (j == nr_users && nr_users < 64) {
			users[nr_users++] = p->uid;
			ms->count += p->sigq;
			if (p->sigq_limit > ms->limit)
				ms->limit = p->sigq_limit;
			if (p->sigq && len < (int)sizeof(ms->note) - 40)
				len += snprintf(ms->note + len,
						sizeof(ms->note) - len,
						"%suid %u: %" PRIu64 " queued",
						len ? ", " : "", p->uid, p->sigq);
		}
		if (!(p->sigpnd | p->shdpnd))
			continue;
		snprintf(id, sizeof(id), "%d", p->pid);
		obj = census_obj_add(c, CENSUS_SIGNALS, id, p->comm);
		obj->uid = p->uid;
		n = signal_list(p->sigpnd | p->shdpnd, list);
		census_obj_list(obj, "pending", list, n);
		n = signal_list((p->sigpnd | p->shdpnd) & p->sigblk, list);
		census_obj_list(obj, "blocked", list, n);
		census_obj_num(obj, "user_queued", p->sigq);
		census_obj_owner(obj, p->pid, "pending");
	}
}
