/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan-bench transports: one implementation per IPC mechanism, all
 * driven by the same workloads (measure.c).
 *
 * A transport carries messages both ways between two processes, side A
 * (the parent) and side B (the forked child): setup() runs before the fork
 * and creates the objects, attach() runs in each process after it, then
 * send()/recv() move one message in the direction of the caller.
 */
#ifndef RAMCHAN_BENCH_TRANSPORT_H
#define RAMCHAN_BENCH_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum side { SIDE_A, SIDE_B };

struct xport {
	const struct transport *t;
	enum side side;
	size_t max_msg;		/* largest message the workload will send */
	void *priv;		/* the transport's state */
};

struct transport {
	const char *name;	/* short, used on the command line */
	const char *desc;	/* one line for --list and tables */
	unsigned int copies;	/* copies of the payload per message */
	unsigned int needs_module; /* uses /dev/ramchan */
	/* Largest message the mechanism can carry (0: unlimited). */
	size_t (*max_msg)(const struct xport *x);
	/* Create the objects; 0 or -errno (-ENOTSUP: skip with a reason). */
	int (*setup)(struct xport *x, char *why, size_t why_len);
	/* Open/map this side's end after fork. */
	int (*attach)(struct xport *x);
	/* Send @len bytes towards the other side; 0 or -errno. */
	int (*send)(struct xport *x, const void *buf, size_t len);
	/* Receive one message; its length or -errno. */
	long (*recv)(struct xport *x, void *buf, size_t cap);
	/*
	 * Optional zero-copy path (both or neither pair): reserve() room for
	 * a @len-byte message in place, write it there, commit() it; peek()
	 * the next message in place (its length or -errno) and release() it
	 * once read. The workloads then build and verify messages in place.
	 */
	int (*reserve)(struct xport *x, size_t len, void **data);
	int (*commit)(struct xport *x);
	long (*peek)(struct xport *x, const void **data);
	void (*release)(struct xport *x);
	/*
	 * Optional: bytes of kernel or shared memory the mechanism holds for
	 * this pair (buffers, rings, queues: their capacity, both directions),
	 * asked on side A after attach. 0 or NULL: unknown.
	 */
	size_t (*ram)(const struct xport *x);
	/* Undo attach (each side) and setup (side A, after the child exit). */
	void (*detach)(struct xport *x);
	void (*teardown)(struct xport *x);
};

/*
 * Byte streams (fdio.c): write all of @len, or read exactly @len (-EPIPE
 * at end of file); @sock: send()/recv() without SIGPIPE, MSG_WAITALL.
 */
int fd_write_all(int fd, const void *buf, size_t len, bool sock);
long fd_read_exact(int fd, void *buf, size_t len, bool sock);

/* The table of every transport, in the order tables list them. */
extern const struct transport *const transports[];
extern const unsigned int nr_transports;
/* The ceiling: no transport (no operations), measured by memcpy alone. */
extern const struct transport transport_memcpy;
/* Every mechanism: transports[@i], then memcpy, then NULL. */
const struct transport *mechanism(unsigned int i);

extern const struct transport transport_pipe;
extern const struct transport transport_fifo;
extern const struct transport transport_unix_stream;
extern const struct transport transport_unix_dgram;
extern const struct transport transport_unix_seqpacket;
extern const struct transport transport_tcp;
extern const struct transport transport_file;
extern const struct transport transport_sysv_msg;
extern const struct transport transport_shm_futex;
extern const struct transport transport_shm_sem;
extern const struct transport transport_sysv_shm_sem;
extern const struct transport transport_eventfd_shm;
extern const struct transport transport_signal_value;
extern const struct transport transport_signal_shm;
extern const struct transport transport_shm_spin;
extern const struct transport transport_ramchan_ring_spin;
extern const struct transport transport_ramchan_ring_zc;
extern const struct transport transport_ramchan_ring_block;
extern const struct transport transport_ramchan_ring_hybrid;
extern const struct transport transport_ramchan_ring_syscall;
extern const struct transport transport_posix_mq;
extern const struct transport transport_ramchan_mq;
extern const struct transport transport_ramchan_mq_spin;
extern const struct transport transport_ramchan_mq_batch;
extern const struct transport transport_ramchan_mq_batch_spin;

#endif /* RAMCHAN_BENCH_TRANSPORT_H */
