// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: the scan of pipes and FIFOs (joined to the fds the
 * process scan found), POSIX message queues (/dev/mqueue) and SysV
 * message queues, shared memory and semaphores (/proc/sysvipc).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "census_probe.h"
#include "census_scan.h"

/* ---- pipes and FIFOs ---------------------------------------------------- */

static void census_pipe_add(struct census *c, const struct census_ref *refs,
			    size_t nr)
{
	enum census_mech mech = refs->kind == CENSUS_REF_PIPE ? CENSUS_PIPE :
							       CENSUS_FIFO;
	unsigned int readers = 0, writers = 0;
	struct census_obj *obj;
	char id[32];
	int fd, bytes, size;
	size_t i;

	snprintf(id, sizeof(id), "%" PRIu64, refs->ino);
	obj = census_obj_add(c, mech, id, refs->path);
	for (i = 0; i < nr; i++) {
		readers += !!(refs[i].access & CENSUS_ACCESS_READ);
		writers += !!(refs[i].access & CENSUS_ACCESS_WRITE);
	}
	census_obj_num(obj, "reader_fds", readers);
	census_obj_num(obj, "writer_fds", writers);
	census_obj_ref_owners(obj, refs, nr);

	fd = census_obj_grab(obj, refs, nr, true);
	if (fd < 0)
		return;
	if (!ioctl(fd, FIONREAD, &bytes)) {
		obj->queued = bytes;
		/* Pipe buffers are whole pages: a lower bound. */
		obj->held = ((uint64_t)bytes + c->page_size - 1) /
			    c->page_size * c->page_size;
	}
	size = fcntl(fd, F_GETPIPE_SZ);
	if (size >= 0)
		obj->capacity = size;
	close(fd);
}

void census_scan_pipes(struct census *c)
{
	const struct census_ref *r, *end = c->refs + c->nr_refs;
	size_t n;

	c->mech[CENSUS_PIPE].source =
		"/proc/PID/fd, FIONREAD and F_GETPIPE_SZ on a copy of the fd";
	c->mech[CENSUS_FIFO].source = c->mech[CENSUS_PIPE].source;
	for (r = c->refs; r < end; r += n) {
		for (n = 1; r + n < end && r[n].kind == r->kind &&
		     r[n].dev == r->dev && r[n].ino == r->ino; n++)
			;
		if (r->kind == CENSUS_REF_PIPE || r->kind == CENSUS_REF_FIFO)
			census_pipe_add(c, r, n);
	}
}

/* ---- POSIX message queues ------------------------------------------------ */

#define MQUEUE_DIR	"/dev/mqueue"

static void census_mq_add(struct census *c, int dirfd, const char *name)
{
	struct census_mech_state *ms = &c->mech[CENSUS_POSIX_MQ];
	const struct census_ref *refs;
	struct census_obj *obj;
	struct mq_attr attr;
	char path[300], buf[256];
	const char *p;
	struct stat st;
	size_t nr;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISREG(st.st_mode))
		return;		/* unlinked meanwhile */
	snprintf(path, sizeof(path), "/%s", name);
	obj = census_obj_add(c, CENSUS_POSIX_MQ, path, path);
	obj->uid = st.st_uid;
	nr = census_refs_find(c, CENSUS_REF_FILE, st.st_dev, st.st_ino, &refs);
	census_obj_ref_owners(obj, refs, nr);

	/* QSIZE: payload bytes queued. NOTIFY_PID: who mq_notify()'d. */
	if (census_read_file(dirfd, name, buf, sizeof(buf)) > 0) {
		p = strstr(buf, "QSIZE:");
		if (p)
			obj->queued = obj->held = strtoull(p + 6, NULL, 10);
		p = strstr(buf, "NOTIFY_PID:");
		if (p && atoi(p + 11) > 0) {
			census_obj_num(obj, "notify_pid", atoi(p + 11));
			census_obj_owner(obj, atoi(p + 11), "notify");
		}
	}

	/* An mqueue fs file is an mqd_t: the attributes, nothing received. */
	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		census_obj_str(obj, "error", strerror(errno));
		return;
	}
	if (!syscall(SYS_mq_getsetattr, fd, NULL, &attr)) {
		obj->capacity = (uint64_t)attr.mq_maxmsg * attr.mq_msgsize;
		census_obj_num(obj, "messages", attr.mq_curmsgs);
		census_obj_num(obj, "max_messages", attr.mq_maxmsg);
		census_obj_num(obj, "message_size", attr.mq_msgsize);
		ms->count += attr.mq_curmsgs;
	}
	close(fd);
}

void census_scan_posix_mq(struct census *c)
{
	struct census_mech_state *ms = &c->mech[CENSUS_POSIX_MQ];
	struct dirent *de;
	DIR *dir;

	if (!c->mqueue_dev) {
		ms->status = "not mounted";
		snprintf(ms->note, sizeof(ms->note),
			 "no mqueue fs at " MQUEUE_DIR " (mount -t mqueue none " MQUEUE_DIR ")");
		return;
	}
	ms->source = MQUEUE_DIR "/* (QSIZE) and mq_getattr()";
	ms->count_known = true;
	dir = opendir(MQUEUE_DIR);
	if (!dir) {
		ms->status = "unavailable";
		snprintf(ms->note, sizeof(ms->note), MQUEUE_DIR ": %s",
			 strerror(errno));
		return;
	}
	while ((de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			census_mq_add(c, dirfd(dir), de->d_name);
	closedir(dir);
}

/* ---- SysV IPC ------------------------------------------------------------ */

#define SYSV_MAX_COLS	24

/* A line of /proc/sysvipc/ *, split into columns named by the header. */
struct sysv_row {
	char *names[SYSV_MAX_COLS];
	char *values[SYSV_MAX_COLS];
	int nr_names;
	int nr_values;
};

static int split_words(char *line, char **words, int max)
{
	char *save = NULL, *w;
	int n = 0;

	for (w = strtok_r(line, " \t\n", &save); w && n < max;
	     w = strtok_r(NULL, " \t\n", &save))
		words[n++] = w;
	return n;
}

static const char *sysv_get(const struct sysv_row *row, const char *name)
{
	int i;

	for (i = 0; i < row->nr_names && i < row->nr_values; i++)
		if (!strcmp(row->names[i], name))
			return row->values[i];
	return NULL;
}

static uint64_t sysv_num(const struct sysv_row *row, const char *name)
{
	const char *v = sysv_get(row, name);

	return v ? strtoull(v, NULL, 10) : CENSUS_UNKNOWN;
}

static void sysv_owner(struct census_obj *obj, const struct sysv_row *row,
		       const char *col, const char *how)
{
	uint64_t pid = sysv_num(row, col);

	if (pid && pid != CENSUS_UNKNOWN)
		census_obj_owner(obj, pid, how);
}

static struct census_obj *sysv_obj_add(struct census *c, enum census_mech mech,
				       const struct sysv_row *row,
				       const char *id_col)
{
	const char *id = sysv_get(row, id_col);
	struct census_obj *obj;
	char key[16];
	uint64_t uid;

	snprintf(key, sizeof(key), "0x%08x",
		 (unsigned int)strtol(sysv_get(row, "key") ?: "0", NULL, 10));
	obj = census_obj_add(c, mech, id ?: "?", key);
	uid = sysv_num(row, "uid");
	if (uid != CENSUS_UNKNOWN)
		obj->uid = uid;
	census_obj_str(obj, "key", key);
	return obj;
}

static void census_sysv_msg_add(struct census *c, const struct sysv_row *row)
{
	struct census_obj *obj = sysv_obj_add(c, CENSUS_SYSV_MSG, row, "msqid");
	uint64_t qnum = sysv_num(row, "qnum");
	struct msqid_ds ds;

	obj->queued = obj->held = sysv_num(row, "cbytes");
	census_obj_num(obj, "messages", qnum);
	if (qnum != CENSUS_UNKNOWN)
		c->mech[CENSUS_SYSV_MSG].count += qnum;
	if (!msgctl(atoi(obj->id), IPC_STAT, &ds))
		obj->capacity = ds.msg_qbytes;
	sysv_owner(obj, row, "lspid", "last-send");
	sysv_owner(obj, row, "lrpid", "last-receive");
}

static void census_sysv_shm_add(struct census *c, const struct sysv_row *row)
{
	struct census_obj *obj = sysv_obj_add(c, CENSUS_SYSV_SHM, row, "shmid");
	const struct census_ref *refs;
	size_t nr;

	obj->capacity = sysv_num(row, "size");
	obj->held = sysv_num(row, "rss");	/* bytes, since 2.6.x */
	census_obj_num(obj, "attached", sysv_num(row, "nattch"));
	census_obj_num(obj, "swap", sysv_num(row, "swap"));
	sysv_owner(obj, row, "cpid", "creator");
	sysv_owner(obj, row, "lpid", "last-attach");
	nr = census_refs_find(c, CENSUS_REF_MAP_SYSV, 0, strtoull(obj->id, NULL, 10),
			      &refs);
	census_obj_ref_owners(obj, refs, nr);
}

static void census_sysv_sem_add(struct census *c, const struct sysv_row *row)
{
	struct census_obj *obj = sysv_obj_add(c, CENSUS_SYSV_SEM, row, "semid");
	uint64_t nsems = sysv_num(row, "nsems"), waiters = 0;
	int semid = atoi(obj->id), ret;
	bool known = true;
	uint64_t i;

	census_obj_num(obj, "semaphores", nsems);
	if (nsems == CENSUS_UNKNOWN)
		return;
	c->mech[CENSUS_SYSV_SEM].count += nsems;
	for (i = 0; i < nsems && i < 4096; i++) {
		ret = semctl(semid, i, GETPID);
		if (ret > 0)
			census_obj_owner(obj, ret, "last-op");
		ret = semctl(semid, i, GETNCNT);
		if (ret >= 0)
			waiters += ret;
		else
			known = false;
		ret = semctl(semid, i, GETZCNT);
		if (ret >= 0)
			waiters += ret;
	}
	census_obj_num(obj, "waiters", known ? waiters : CENSUS_UNKNOWN);
}

static void census_sysv_scan(struct census *c, enum census_mech mech,
			     const char *path,
			     void (*add)(struct census *c,
					 const struct sysv_row *row))
{
	struct census_mech_state *ms = &c->mech[mech];
	struct sysv_row row = { 0 };
	char *header = NULL, *line = NULL;
	size_t hcap = 0, cap = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		ms->status = "unavailable";
		snprintf(ms->note, sizeof(ms->note), "%s: %s%s", path,
			 strerror(errno), errno == ENOENT ?
			 " (kernel without CONFIG_SYSVIPC?)" : "");
		return;
	}
	ms->source = path;
	ms->count_known = true;
	if (getline(&header, &hcap, f) > 0) {
		row.nr_names = split_words(header, row.names, SYSV_MAX_COLS);
		while (getline(&line, &cap, f) > 0) {
			row.nr_values = split_words(line, row.values,
						    SYSV_MAX_COLS);
			if (row.nr_values >= 2)
				add(c, &row);
		}
	}
	free(line);
	free(header);
	fclose(f);
}

void census_scan_sysv(struct census *c)
{
	census_sysv_scan(c, CENSUS_SYSV_MSG, "/proc/sysvipc/msg",
			 census_sysv_msg_add);
	census_sysv_scan(c, CENSUS_SYSV_SHM, "/proc/sysvipc/shm",
			 census_sysv_shm_add);
	census_sysv_scan(c, CENSUS_SYSV_SEM, "/proc/sysvipc/sem",
			 census_sysv_sem_add);
}
