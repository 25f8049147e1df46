/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/fuzz/fuzz.h: ramchan-fuzz, a structured fuzzer of /dev/ramchan.
 *
 * A supervisor (main.c) forks workers; each worker (worker.c) keeps a few
 * channels, fds and mappings and calls every entry point of the module on
 * them with values drawn from interesting sets (ops.c), while a scribbler
 * thread writes garbage into the shared ring pages and a closer thread
 * closes, unmaps and dups under the caller's feet. Outcomes are counted
 * per operation in a shared stats area the supervisor reports.
 */
#ifndef RAMCHAN_FUZZ_H
#define RAMCHAN_FUZZ_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUZZ_MAX_OBJS	24	/* fds a worker holds at once */
#define FUZZ_MAX_MAPS	16	/* mappings a worker holds at once */
#define FUZZ_MAX_ERRNO	160	/* outcomes: 0 = success, 1..159 errnos */

enum fuzz_obj_kind { OBJ_FREE, OBJ_CTL, OBJ_RING, OBJ_MQ, OBJ_EVENTFD };

struct fuzz_obj {
	int fd;
	enum fuzz_obj_kind kind;
};

struct fuzz_map {
	void *addr;
	size_t len;
};

/* Per worker slot in the shared stats area: written by that worker only. */
struct fuzz_slot {
	uint64_t calls;
	uint64_t heartbeat;		/* calls made, read by the supervisor */
	uint64_t scribbles;
	int op;				/* the op running now, for hang reports */
	uint64_t outcomes[64][(FUZZ_MAX_ERRNO + 63) / 64];
	uint64_t op_calls[64];
};

struct fuzz_worker {
	struct fuzz_slot *slot;
	uint64_t rng;
	int ctl;
	long page;
	pthread_mutex_t lock;		/* objs and maps, against the closer */
	struct fuzz_obj objs[FUZZ_MAX_OBJS];
	struct fuzz_map maps[FUZZ_MAX_MAPS];
	void *buf;			/* a valid buffer, 64 KiB */
	void *none;			/* a PROT_NONE page after the last of @buf */
	volatile bool stop;
};

/* One operation: returns 0 or -errno (or a count); the op's own outcome. */
struct fuzz_op {
	const char *name;
	long (*fn)(struct fuzz_worker *w);
	unsigned int weight;
};

extern const struct fuzz_op fuzz_ops[];
extern const unsigned int fuzz_nr_ops;

/* random values (ops.c) */
uint64_t fuzz_rand(struct fuzz_worker *w);
uint64_t fuzz_below(struct fuzz_worker *w, uint64_t n);
uint64_t fuzz_u64(struct fuzz_worker *w);

/* worker.c */
void fuzz_worker_run(struct fuzz_slot *slot, uint64_t seed, double seconds);
int fuzz_worker_add(struct fuzz_worker *w, int fd, enum fuzz_obj_kind kind);
int fuzz_worker_pick(struct fuzz_worker *w, enum fuzz_obj_kind kind);
void fuzz_worker_add_map(struct fuzz_worker *w, void *addr, size_t len);
void fuzz_worker_timer(void);

#endif /* RAMCHAN_FUZZ_H */
