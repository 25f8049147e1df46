/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared-memory ring of the shm transports (t_shm.c, t_shmsync.c,
 * t_signal.c): single producer, single consumer, variable-size records
 * (an 8-byte length, the payload, padding to 8 bytes), the same record
 * format as ramchan's ring. Free-running 64-bit positions; the producer
 * owns head, the consumer owns tail, each in its own cache line.
 *
 * How a side waits is the transport's business. The sleeping ones use the
 * waiter words: a side about to sleep sets its word, issues a full barrier
 * and checks the ring again; the other side moves its position, issues a
 * full barrier and reads the word, so that at least one of them sees the
 * other (Dekker) and no wakeup is lost, while a side that does not sleep
 * costs its peer no system call.
 */
#ifndef RAMCHAN_BENCH_SHM_RING_H
#define RAMCHAN_BENCH_SHM_RING_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transport.h"

/* The kernel's spelling (checkpatch flags this definition, nothing else). */
#ifndef __aligned
#define __aligned(x)	__attribute__((aligned(x)))
#endif

struct shm_ring {
	uint64_t head __aligned(64);	/* written by the producer */
	uint64_t tail __aligned(64);	/* written by the consumer */
	uint64_t size __aligned(64);	/* of data[], a power of two */
	/*
	 * 1 while the consumer sleeps for data, the producer for space;
	 * cleared by the side that wakes it. Futex words where futexes are
	 * the primitive. Written rarely, read once per message.
	 */
	uint32_t data_waiter __aligned(64);
	uint32_t space_waiter;
	uint8_t data[] __aligned(64);
};

/* Bytes a message of @len bytes takes in the ring. */
static inline uint64_t ring_record(size_t len)
{
	return (8 + len + 7) & ~7ULL;
}

/* Data bytes for messages up to @max_msg: 64 KiB, or 4 of them. */
static inline uint64_t ring_bytes(size_t max_msg)
{
	uint64_t size = 64 * 1024;

	while (size < 4 * (max_msg + 16))
		size <<= 1;
	return size;
}

/* Bytes of memory a ring of @size data bytes takes, header included. */
static inline size_t ring_map_len(uint64_t size)
{
	return sizeof(struct shm_ring) + size;
}

static inline void ring_copy_in(struct shm_ring *r, uint64_t pos,
				const void *src, size_t len)
{
	uint64_t off = pos & (r->size - 1);
	uint64_t first = r->size - off;

	if (first >= len) {
		memcpy(r->data + off, src, len);
	} else {
		memcpy(r->data + off, src, first);
		memcpy(r->data, (const char *)src + first, len - first);
	}
}

static inline void ring_copy_out(struct shm_ring *r, uint64_t pos, void *dst,
				 size_t len)
{
	uint64_t off = pos & (r->size - 1);
	uint64_t first = r->size - off;

	if (first >= len) {
		memcpy(dst, r->data + off, len);
	} else {
		memcpy(dst, r->data + off, first);
		memcpy((char *)dst + first, r->data, len - first);
	}
}

/*
 * Producer: is there room for @total bytes? @cached_tail is the last tail
 * the producer saw; the shared one is read only when that is not enough.
 */
static inline bool ring_room(struct shm_ring *r, uint64_t *cached_tail,
			     uint64_t total)
{
	uint64_t head = r->head;

	if (head + total - *cached_tail <= r->size)
		return true;
	*cached_tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	return head + total - *cached_tail <= r->size;
}

/* Producer: copy a message in and publish it (ring_room() said it fits). */
static inline void ring_put(struct shm_ring *r, const void *buf, size_t len)
{
	uint64_t head = r->head, hdr = len;

	ring_copy_in(r, head + 8, buf, len);
	ring_copy_in(r, head, &hdr, 8);
	__atomic_store_n(&r->head, head + ring_record(len), __ATOMIC_RELEASE);
}

/* Consumer: is there a message? @cached_head: the last head seen. */
static inline bool ring_ready(struct shm_ring *r, uint64_t *cached_head)
{
	if (r->tail != *cached_head)
		return true;
	*cached_head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	return r->tail != *cached_head;
}

/*
 * Consumer: take the next message (ring_ready() said there is one); its
 * length, or -EMSGSIZE, leaving it in the ring, if it is longer than @cap.
 */
static inline long ring_get(struct shm_ring *r, void *buf, size_t cap)
{
	uint64_t tail = r->tail, hdr;

	ring_copy_out(r, tail, &hdr, 8);
	if (hdr > cap)
		return -EMSGSIZE;
	ring_copy_out(r, tail + 8, buf, hdr);
	__atomic_store_n(&r->tail, tail + ring_record(hdr), __ATOMIC_RELEASE);
	return hdr;
}

/*
 * Has the peer process exited? Side B asks about its parent @peer, side A
 * about its child @peer (0: not known yet) without reaping it, which
 * bench.c does. For sleeping transports to give up instead of hanging.
 */
static inline bool peer_gone(enum side side, pid_t peer)
{
	siginfo_t si;

	if (side == SIDE_B)
		return getppid() != peer;
	if (peer <= 0)
		return false;
	si.si_pid = 0;
	if (waitid(P_PID, peer, &si, WEXITED | WNOHANG | WNOWAIT))
		return errno == ECHILD;
	return si.si_pid == peer;
}

#endif /* RAMCHAN_BENCH_SHM_RING_H */
