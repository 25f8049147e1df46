/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan census: the model. What the scanners fill and the output
 * prints: the mechanisms and how their scans went, the objects with their
 * fields and owners, the processes and their references to objects, the
 * notes, and the sums of the summary. It calls nothing of the census.
 *
 * A value that could not be read is CENSUS_UNKNOWN (null in JSON); a
 * value a mechanism does not have (the queued bytes of a shared memory
 * segment) is left out altogether, as the mechanism's descriptor says.
 */
#ifndef RAMCHAN_CENSUS_MODEL_H
#define RAMCHAN_CENSUS_MODEL_H

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
 * @holders:	ramchan: processes that hold channels the census could not
 *		attribute to one (fds without fdinfo, mappings)
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
	CENSUS_REF_RAMCHAN,	/* fd of a ramchan channel, by channel id */
	CENSUS_REF_RAMCHAN_ANON,/* fd of a channel whose fdinfo says no id */
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
 * @ino:	inode; the SysV shm id for CENSUS_REF_MAP_SYSV; the channel
 *		id for CENSUS_REF_RAMCHAN
 * @access:	CENSUS_ACCESS_* of the fd
 * @role:	CENSUS_REF_RAMCHAN: RAMCHAN_ROLE_* of the fd
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
	unsigned int role;
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
 * @status_read: its status was read (else only @pid is known)
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
 * @procs:	processes, sorted by pid once census_procs_sort() ran
 * @refs:	references, sorted by kind, dev, inode once
 *		census_refs_sort() ran
 * @notes:	things the reader should know (permission denied, ...)
 * @procs_denied: processes whose fds or mappings could not be read
 * @procs_vanished: processes that exited during the scan
 * @page_size:	the page size
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

/* Allocation: running out of memory ends the command. */
void *census_realloc_array(void *ptr, size_t nmemb, size_t size);
char *census_strdup(const char *s);

/* Objects */
struct census_obj *census_obj_add(struct census *c, enum census_mech mech,
				  const char *id, const char *name);
void census_obj_num(struct census_obj *obj, const char *key, uint64_t num);
void census_obj_str(struct census_obj *obj, const char *key, const char *str);
void census_obj_list(struct census_obj *obj, const char *key,
		     const uint64_t *list, size_t nr);
void census_obj_owner(struct census_obj *obj, pid_t pid, const char *how);
void census_obj_ref_owners(struct census_obj *obj,
			   const struct census_ref *refs, size_t nr);
struct census_obj *census_obj_find(const struct census *c,
				   enum census_mech mech, const char *id);
void census_objs_truncate(struct census *c, size_t nr);

/* Processes and their references */
void census_proc_add(struct census *c, const struct census_proc *p);
void census_procs_sort(struct census *c);
const struct census_proc *census_proc_find(const struct census *c, pid_t pid);
struct census_ref *census_ref_add(struct census *c, enum census_ref_kind kind,
				  pid_t pid, int fd, dev_t dev, uint64_t ino);
void census_refs_sort(struct census *c);
size_t census_refs_find(const struct census *c, enum census_ref_kind kind,
			dev_t dev, uint64_t ino, const struct census_ref **first);
size_t census_refs_of_kind(const struct census *c, enum census_ref_kind kind,
			   const struct census_ref **first);

/* How the scans went */
void census_holder_add(struct census *c, enum census_mech mech, pid_t pid);
void census_note(struct census *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sums, one row per mechanism; and which objects a listing shows. */
void census_summarise(const struct census *c,
		      struct census_total t[CENSUS_NR_MECHS]);
bool census_obj_shown(const struct census_obj *obj,
		      const bool only[CENSUS_NR_MECHS], bool nonempty);

void census_free(struct census *c);

#endif /* RAMCHAN_CENSUS_MODEL_H */
