/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan census: what the census files share.
 *
 *	census.c	the command: options, the scan order, table and JSON
 *	census_proc.c	processes: fds, mappings, pending signals; fd copies
 *	census_sock.c	UNIX and TCP sockets (sock_diag, /proc/net fallback)
 *	census_ipc.c	pipes, FIFOs, POSIX mq and shm, SysV IPC, ramchan
 *
 * Every scanner adds objects (struct census_obj) to one struct census; the
 * summary is computed from the objects. A value that could not be read is
 * CENSUS_UNKNOWN (null in JSON); a value a mechanism does not have (the
 * queued bytes of a shared memory segment) is left out altogether, as the
 * mechanism's descriptor says.
 */
#ifndef RAMCHAN_CENSUS_H
#define RAMCHAN_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum census_mech {
	CENSUS_PIPE,
	CENSUS_FIFO,
	CENSUS_UNIX_STREAM,
	CENSUS_UNIX_DGRAM,
	CENSUS_UNIX_SEQPACKET,
	CENSUS_TCP,
	CENSUS_POSIX_MQ,
	CENSUS_SYSV_MSG,
	CENSUS_SYSV_SHM,
	CENSUS_SYSV_SEM,
	CENSUS_POSIX_SHM,
	CENSUS_SIGNALS,
	CENSUS_RAMCHAN,
	CENSUS_NR_MECHS
};

#define CENSUS_UNKNOWN	UINT64_MAX

/**
 * struct census_mech_desc - what a mechanism reports
 * @name:	JSON name, also accepted by --only
 * @title:	table name
 * @queued:	it has bytes waiting to be received
 * @held:	it has a RAM footprint we can measure or bound
 * @capacity:	it has a most-it-can-hold
 * @count_name:	name of its second count (messages, semaphores), or NULL
 */
struct census_mech_desc {
	const char *name;
	const char *title;
	bool queued;
	bool held;
	bool capacity;
	const char *count_name;
};

extern const struct census_mech_desc census_mechs[CENSUS_NR_MECHS];

/**
 * struct census_mech_state - how the scan of one mechanism went
 * @status:	NULL when it was scanned, else why not ("not mounted",
 *		"module not loaded", "unavailable")
 * @source:	where the numbers came from
 * @note:	caveats, for humans; empty when none
 * @count:	messages, semaphores or signals, per @count_name
 * @count_known: @count was read (not all objects may say)
 * @limit:	the signals' per-user limit; 0 when none
 * @holders:	ramchan: processes that hold some channel (not known which)
 * @nr_holders:	entries of @holders
 */
struct census_mech_state {
	const char *status;
	const char *source;
	char note[256];
	uint64_t count;
	bool count_known;
	uint64_t limit;
	pid_t *holders;
	size_t nr_holders;
};

enum census_field_type {
	CENSUS_FIELD_NUM,
	CENSUS_FIELD_STR,
	CENSUS_FIELD_LIST,	/* list of numbers, in @list */
};

/* One mechanism-specific fact about an object: "state", "peer", ... */
struct census_field {
	const char *key;
	enum census_field_type type;
	uint64_t num;
	char *str;
	uint64_t *list;
	size_t nr_list;
};

/* A process that holds, maps, created or last used an object. */
struct census_owner {
	pid_t pid;
	char how[32];	/* "r", "w", "rw", "map", "creator", ... comma-joined */
};

/**
 * struct census_obj - one IPC object
 * @mech:	its mechanism
 * @id:		unique within @mech: inode, IPC id, pid, channel id
 * @name:	path, address or name; NULL when it has none
 * @uid:	owner uid, -1 when not known
 * @queued:	bytes waiting to be received
 * @held:	bytes of RAM it holds now
 * @capacity:	most bytes it can hold
 * @fields:	the rest, per mechanism
 * @owners:	processes, each once
 */
struct census_obj {
	enum census_mech mech;
	char *id;
	char *name;
	long long uid;
	uint64_t queued;
	uint64_t held;
	uint64_t capacity;
	struct census_field *fields;
	size_t nr_fields;
	struct census_owner *owners;
	size_t nr_owners;
};

enum census_ref_kind {
	CENSUS_REF_PIPE,	/* fd of an anonymous pipe, by pipefs inode */
	CENSUS_REF_FIFO,	/* fd of a named FIFO, by dev and inode */
	CENSUS_REF_SOCKET,	/* fd of a socket, by sockfs inode */
	CENSUS_REF_FILE,	/* fd of a file in /dev/shm or /dev/mqueue */
	CENSUS_REF_RAMCHAN,	/* fd of a ramchan channel */
	CENSUS_REF_MAP,		/* mapping of a file in /dev/shm */
	CENSUS_REF_MAP_SYSV,	/* mapping of a SysV shm segment, by id */
	CENSUS_REF_MAP_RAMCHAN,	/* mapping of a ramchan ring */
};

/**
 * struct census_ref - a process's reference to an object
 * @kind:	what the reference is
 * @pid:	the process
 * @fd:		the fd, or -1 for a mapping
 * @dev:	device of the inode (0 for pipefs and sockfs: inodes alone
 *		are unique there)
 * @ino:	inode (the SysV shm id for CENSUS_REF_MAP_SYSV)
 * @access:	CENSUS_ACCESS_* of the fd
 * @size:	CENSUS_REF_FILE: st_size
 * @blocks:	CENSUS_REF_FILE: st_blocks
 * @path:	FIFO and file references: the path the process sees
 */
struct census_ref {
	enum census_ref_kind kind;
	pid_t pid;
	int fd;
	dev_t dev;
	uint64_t ino;
	unsigned int access;
	uint64_t size;
	uint64_t blocks;
	char *path;
};

#define CENSUS_ACCESS_READ	0x1
#define CENSUS_ACCESS_WRITE	0x2

/**
 * struct census_proc - a process seen in /proc
 * @pid, @uid, @comm: who
 * @sigpnd:	signals pending on any of its threads
 * @shdpnd:	signals pending on the process
 * @sigblk:	signals its main thread blocks
 * @sigq:	SigQ of its real user: queued / @sigq_limit
 */
struct census_proc {
	pid_t pid;
	uid_t uid;
	char comm[64];
	uint64_t sigpnd;
	uint64_t shdpnd;
	uint64_t sigblk;
	uint64_t sigq;
	uint64_t sigq_limit;
	bool status_read;
};

/**
 * struct census - the whole census
 * @objs:	objects found, in scan order
 * @mech:	per mechanism, how its scan went
 * @procs:	processes, sorted by pid
 * @refs:	references, sorted by kind, dev, inode
 * @notes:	things the reader should know (permission denied, ...)
 * @procs_denied: processes whose fds or mappings could not be read
 * @procs_vanished: processes that exited during the scan
 * @shm_dev:	device of /dev/shm, 0 when absent
 * @mqueue_dev:	device of /dev/mqueue when an mqueue fs is mounted there
 * @self:	our pid, left out of the scan
 */
struct census {
	struct census_obj **objs;
	size_t nr_objs;
	size_t cap_objs;
	struct census_mech_state mech[CENSUS_NR_MECHS];
	struct census_proc *procs;
	size_t nr_procs;
	size_t cap_procs;
	struct census_ref *refs;
	size_t nr_refs;
	size_t cap_refs;
	char **notes;
	size_t nr_notes;
	unsigned int procs_denied;
	unsigned int procs_vanished;
	long page_size;
	dev_t shm_dev;
	dev_t mqueue_dev;
	pid_t self;
};

/* census.c: objects and notes */
void *census_alloc(size_t size);
void *census_realloc_array(void *ptr, size_t nmemb, size_t size);
char *census_strdup(const char *s);
struct census_obj *census_obj_add(struct census *c, enum census_mech mech,
				  const char *id, const char *name);
void census_obj_num(struct census_obj *obj, const char *key, uint64_t num);
void census_obj_str(struct census_obj *obj, const char *key, const char *str);
void census_obj_list(struct census_obj *obj, const char *key,
		     const uint64_t *list, size_t nr);
void census_obj_owner(struct census_obj *obj, pid_t pid, const char *how);
void census_objs_truncate(struct census *c, size_t nr);
void census_note(struct census *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* census_proc.c */
void census_scan_procs(struct census *c);
const struct census_proc *census_proc_find(const struct census *c, pid_t pid);
size_t census_refs_find(const struct census *c, enum census_ref_kind kind,
			dev_t dev, uint64_t ino, const struct census_ref **first);
void census_obj_ref_owners(struct census_obj *obj, const struct census_ref *refs,
			   size_t nr);
int census_ref_grab(const struct census_ref *ref, bool may_open);
int census_ref_grab_any(const struct census_ref *refs, size_t nr,
			bool may_open);
void census_scan_signals(struct census *c);
int census_read_file(int dirfd, const char *path, char *buf, size_t size);

/* census_sock.c */
void census_scan_unix(struct census *c);
void census_scan_tcp(struct census *c);

/* census_ipc.c */
void census_scan_pipes(struct census *c);
void census_scan_posix_mq(struct census *c);
void census_scan_sysv(struct census *c);
void census_scan_posix_shm(struct census *c);
void census_scan_ramchan(struct census *c);

#endif /* RAMCHAN_CENSUS_H */
