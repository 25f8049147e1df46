// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: the scan of the processes. Owns where the filesystems
 * of POSIX shm and mq are, and one pass over /proc that collects, per
 * process, its fds that refer to IPC objects (pipes, FIFOs, sockets, files
 * in /dev/shm and /dev/mqueue, ramchan channels by the id their fdinfo
 * gives), its mappings of shared memory, and its pending signals, which
 * become the signals' objects. The other scanners join their objects to
 * these references by inode or channel id.
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
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ramchan.h"
#include "census_probe.h"
#include "census_scan.h"

#define ANON_RAMCHAN		"anon_inode:[ramchan]"
#define MQUEUE_MAGIC		0x19800202

void census_scan_filesystems(struct census *c)
{
	struct statfs sfs;
	struct stat st;

	if (!stat("/dev/shm", &st) && S_ISDIR(st.st_mode))
		c->shm_dev = st.st_dev;
	if (!statfs("/dev/mqueue", &sfs) && sfs.f_type == MQUEUE_MAGIC &&
	    !stat("/dev/mqueue", &st))
		c->mqueue_dev = st.st_dev;
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

/*
 * A channel fd: which channel, from /proc/PID/fdinfo/FD (the module's
 * ramchan-id, -kind and -role lines, parsed by libramchan). A module that
 * does not say leaves an fd of no known channel.
 */
static struct census_ref *census_scan_chan_fd(struct census *c, pid_t pid,
					      int piddir, int fd)
{
	struct ramchan_fdinfo info;
	struct census_ref *ref;
	char path[32], buf[1024];

	snprintf(path, sizeof(path), "fdinfo/%d", fd);
	if (census_read_file(piddir, path, buf, sizeof(buf)) < 0 ||
	    ramchan_fdinfo_parse(buf, &info))
		return census_ref_add(c, CENSUS_REF_RAMCHAN_ANON, pid, fd, 0, 0);
	ref = census_ref_add(c, CENSUS_REF_RAMCHAN, pid, fd, 0, info.id);
	ref->role = info.role;
	return ref;
}

static void census_scan_fd(struct census *c, pid_t pid, int piddir, int fddir,
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
		ref = census_scan_chan_fd(c, pid, piddir, fd);
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
		census_scan_fd(c, pid, piddir, fddir, de->d_name);
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
	struct census_proc p = { .pid = pid };
	int piddir, err, err2;

	piddir = openat(procdir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (piddir < 0) {
		if (census_errno_gone(errno))
			c->procs_vanished++;
		return;
	}
	if (!census_read_status(&p, piddir)) {
		c->procs_vanished++;
		close(piddir);
		return;
	}
	census_proc_add(c, &p);

	err = census_scan_fds(c, pid, piddir);
	err2 = census_scan_maps(c, pid, piddir);
	if (err == -EACCES || err == -EPERM || err2 == -EACCES ||
	    err2 == -EPERM)
		c->procs_denied++;
	close(piddir);
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
	census_procs_sort(c);
	census_refs_sort(c);
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
