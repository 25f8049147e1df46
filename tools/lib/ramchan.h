/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libramchan: userspace side of /dev/ramchan.
 *
 * Thin ioctl wrappers (ramchan.c), the ring fast path, inline here so
 * that sending and receiving a record costs no call and no syscall while
 * the peer is awake (liburing is the model), and the contract between the
 * module and every tool (contract.c): the names of the feature bits, the
 * limits of struct ramchan_info, channel kinds and roles, and the lines a
 * channel fd shows in /proc/PID/fdinfo. Errors are returned as negative
 * errno values; nothing sets errno.
 *
 *	int ctl = ramchan_open_dev();
 *	int fd = ramchan_ring_create(ctl, NULL, 1 << 20, 0, RAMCHAN_ROLE_BOTH, 0);
 *	struct ramchan_ring r;
 *	ramchan_ring_map(&r, fd);
 *
 *	producer:  ramchan_ring_send(&r, buf, len, deadline_ns)
 *	   or:     ramchan_ring_reserve(&r, len, &resv); memcpy(resv.data, ...);
 *	           ramchan_ring_commit(&r, &resv);
 *	consumer:  ramchan_ring_recv(&r, buf, cap, deadline_ns)
 *	   or:     ramchan_ring_peek(&r, &rec); use rec.data, rec.len;
 *	           ramchan_ring_advance(&r, &rec); ramchan_ring_release(&r);
 *
 * Memory ordering (each pair is named where it is used):
 *  [P1] producer store-release of head  <->  consumer load-acquire of head:
 *       the consumer sees the payload and header before the new head.
 *  [P2] consumer store-release of tail  <->  producer load-acquire of tail:
 *       the producer overwrites space only after the consumer read it.
 *  [P3] full fence after publishing a position, before reading the waiter
 *       counts  <->  the kernel's smp_mb() after counting a sleeper, before
 *       it re-checks the position (Dekker: no lost wake-up).
 *
 * ABI: libramchan.so.0 exports exactly the functions declared here
 * (libramchan.map, version LIBRAMCHAN_0.1), the fast path included (see
 * RAMCHAN_INLINE); tools/lib/abi/check-abi compares the library with the
 * baseline in tools/lib/abi/. The structs a caller allocates have room to
 * grow: struct ramchan_ring, ramchan_resv, ramchan_rec and ramchan_fdinfo
 * are filled by the library, struct ramchan_mq_opts by the caller, whose
 * reserved fields must be zero (an initializer such as { .depth = 64 }
 * does it).
 */
#ifndef RAMCHAN_LIB_H
#define RAMCHAN_LIB_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <linux/ramchan.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The fast path is inline in the caller, and each function marked
 * RAMCHAN_INLINE is also a real function of the library with the same
 * name and behaviour (ffi.c defines RAMCHAN_INLINE empty and includes this
 * header), for callers that cannot compile C: ctypes and other languages'
 * FFIs, dlsym(). The helpers left "static inline" (ramchan_cpu_relax,
 * ramchan_ring_backoff, ramchan_ring_notify_readers, ramchan_ring_publish)
 * are internal: not exported, not part of the ABI.
 */
#ifndef RAMCHAN_INLINE
#define RAMCHAN_INLINE static inline
#endif

/* ---- ioctl wrappers (ramchan.c) ---------------------------------------- */

int ramchan_open_dev(void);
int ramchan_get_info(int ctl, struct ramchan_info *info);
int ramchan_ring_create(int ctl, const char *name, uint64_t size,
			unsigned int mode, unsigned int role,
			unsigned int flags);

/**
 * struct ramchan_ring_opts - how to create a ring (as queues are created)
 * @name:	NULL for an anonymous ring
 * @size:	data bytes, a power of two from a page to max_ring_bytes
 * @mode:	permission bits, named rings only
 * @role:	RAMCHAN_ROLE_* of the fd (0: both)
 * @flags:	RAMCHAN_F_*
 * @reserved:	zero it; reserved for future fields
 *		(ramchan_ring_create_opts() fails with -EINVAL otherwise)
 *
 *	struct ramchan_ring_opts o = { .name = "r", .size = 1 << 20, .mode = 0600 };
 *	int fd = ramchan_ring_create_opts(ctl, &o);
 *
 * ramchan_ring_create() is the same with the fields as arguments.
 */
struct ramchan_ring_opts {
	const char *name;
	uint64_t size;
	unsigned int mode;
	unsigned int role;
	unsigned int flags;
	uint32_t reserved[7];
};

int ramchan_ring_create_opts(int ctl, const struct ramchan_ring_opts *opts);
int ramchan_chan_open(int ctl, const char *name, unsigned int role,
		      unsigned int flags);
int ramchan_chan_unlink(int ctl, const char *name);
int ramchan_chan_dup(int fd, unsigned int role, unsigned int flags);
int ramchan_ring_layout(int fd, struct ramchan_ring_layout *layout);
int ramchan_ring_wait_fd(int fd, unsigned int what, uint64_t expected,
			 uint64_t deadline_ns, uint32_t *events);
int ramchan_ring_wake_fd(int fd, unsigned int who);

/*
 * CLOCK_MONOTONIC now, and now + @ns: deadlines for the blocking calls.
 * ramchan_now_ns() is a call into the library (ramchan.c), not inline, so
 * that this header needs no POSIX feature-test macro: it compiles as
 * strict ISO C (-std=c11 -pedantic) and as C++, included in any order.
 */
uint64_t ramchan_now_ns(void);

RAMCHAN_INLINE uint64_t ramchan_deadline_in(uint64_t ns)
{
	return ramchan_now_ns() + ns;
}

/* ---- the kernel <-> tools contract (contract.c) -------------------------- */

/**
 * struct ramchan_feature - one RAMCHAN_FEATURE_* bit
 * @bit:	the bit, as in ramchan_info.features
 * @name:	short name ("sysfs", "ring", ...): what tools print and JSON says
 * @help:	what the module offers with it, for humans
 *
 * The library's own, reached only through the pointers it returns (never
 * allocate one, nor index past one): later versions may add fields at the
 * end.
 */
struct ramchan_feature {
	uint64_t bit;
	const char *name;
	const char *help;
};

/*
 * The features this library knows, in bit order: NULL gives the first,
 * the last gives NULL. Every RAMCHAN_FEATURE_* of <linux/ramchan.h> is
 * among them (selftests/ramchan/contract_test checks it).
 */
const struct ramchan_feature *
ramchan_feature_next(const struct ramchan_feature *prev);
/* The name of one feature bit, or NULL when @bit is not one known bit. */
const char *ramchan_feature_name(uint64_t bit);
/* Every bit ramchan_feature_next() knows. */
uint64_t ramchan_features_known(void);

/**
 * struct ramchan_limit - one limit reported in struct ramchan_info
 * @name:	the field's name, also its JSON key ("max_ring_bytes")
 * @title:	for humans ("max ring size")
 * @unit:	what it counts ("bytes", "channels", ...)
 * @offset:	offsetof() the field in struct ramchan_info
 * @size:	sizeof() the field: 4 or 8
 *
 * As struct ramchan_feature: the library's own, fields may be added at the
 * end.
 */
struct ramchan_limit {
	const char *name;
	const char *title;
	const char *unit;
	uint32_t offset;
	uint32_t size;
};

/*
 * Every limit of struct ramchan_info, in field order: NULL gives the
 * first, the last gives NULL. With abi_version, flags, features and
 * reserved they cover the whole struct (contract_test checks it).
 */
const struct ramchan_limit *ramchan_limit_next(const struct ramchan_limit *prev);
uint64_t ramchan_limit_value(const struct ramchan_info *info,
			     const struct ramchan_limit *limit);

/* "ring", "mq" (as sysfs and fdinfo say) or NULL; and back, 0 if unknown. */
const char *ramchan_kind_name(unsigned int kind);
unsigned int ramchan_kind_from_name(const char *name);

/**
 * struct ramchan_fdinfo - what /proc/PID/fdinfo/FD says of a channel fd
 * @id:		the channel id, its directory in /sys/kernel/ramchan/channel
 * @kind:	RAMCHAN_KIND_*; 0 when the kind named is not one this
 *		library knows
 * @role:	RAMCHAN_ROLE_* of this fd
 * @flags:	the fd's open flags (the "flags:" line, octal)
 * @reserved:	for future fields; ramchan_fdinfo_parse() zeroes it
 */
struct ramchan_fdinfo {
	uint64_t id;
	unsigned int kind;
	unsigned int role;
	unsigned int flags;
	uint32_t reserved[7];
};

/*
 * Parse the text of /proc/PID/fdinfo/FD (the lines "ramchan-id:\t<u64>",
 * "ramchan-kind:\t<ring|mq>", "ramchan-role:\t<1|2|3>" the module adds).
 * Return 0 with @out filled; -ENOENT when the text has no ramchan-id line
 * (not a channel fd, or a module that does not say); -EINVAL when a
 * ramchan line is malformed or one of the three is missing.
 */
int ramchan_fdinfo_parse(const char *text, struct ramchan_fdinfo *out);

/* ---- rings --------------------------------------------------------------- */

/**
 * struct ramchan_ring - a mapped ring, one per thread that uses it
 * @fd:		the channel fd (not owned: ramchan_ring_unmap() does not close)
 * @role:	RAMCHAN_ROLE_* of @fd
 * @size:	bytes of data; @mask = @size - 1
 * @head, @reserve, @tail: the positions, at the offsets the kernel
 *		published (RAMCHAN_IOC_RING_LAYOUT) within @prod and @cons
 * @info, @prod, @cons, @data: the four mappings. The info page's fields
 *		and the consumer page's statistics (records, high_water) have
 *		no published offsets: they are read as the uapi structs say.
 * @cached_tail: producer's last view of the consumer tail
 * @cached_head: consumer's last view of the producer head
 * @cursor:	consumer: end of the records peeked and advanced over
 * @released:	consumer: tail last published
 * @records:	consumer: records advanced over since the last release
 * @pending:	producer: this thread has reservations not yet committed
 * @pending_end: producer: where they end
 * @spin_ns:	how long the blocking helpers spin before sleeping
 * @info_len, @prod_len, @cons_len, @data_len: lengths of the mappings
 * @reserved:	for future fields (the struct stays 256 bytes on 64-bit);
 *		ramchan_ring_map() zeroes the whole struct, the caller need not
 *
 * The inline fast path reads these fields in the caller's code, so their
 * offsets are ABI: new fields take the place of @reserved, nothing moves.
 */
struct ramchan_ring {
	int fd;
	unsigned int role;
	uint64_t size;
	uint64_t mask;
	uint64_t *head;
	uint64_t *reserve;
	uint64_t *tail;
	const struct ramchan_ring_info *info;
	struct ramchan_ring_producer *prod;
	struct ramchan_ring_consumer *cons;
	uint8_t *data;
	uint64_t cached_tail;
	uint64_t cached_head;
	uint64_t cursor;
	uint64_t released;
	uint64_t records;
	bool pending;
	uint64_t pending_end;
	uint64_t spin_ns;
	uint64_t info_len;
	uint64_t prod_len;
	uint64_t cons_len;
	uint64_t data_len;
	uint64_t reserved[10];
};

/*
 * A reservation: write @len bytes at @data, then commit. Filled by
 * ramchan_ring_reserve(); @reserved is for a future field (zero now).
 */
struct ramchan_resv {
	uint64_t pos;
	uint64_t total;
	uint32_t len;
	uint32_t reserved;
	void *data;
};

/*
 * A record being read: @len bytes at @data, valid until released. Filled
 * by ramchan_ring_peek(); @reserved is for a future field (zero now).
 */
struct ramchan_rec {
	uint64_t pos;
	uint64_t total;
	uint32_t len;
	uint32_t reserved;
	const void *data;
};

/*
 * Map the ring of @fd as RAMCHAN_IOC_RING_LAYOUT says, with the
 * permissions the fd's role allows. Return 0, the -errno of the ioctl or
 * of mmap(), or -EPROTO when the layout is one this library cannot use (a
 * position not 8-byte aligned or not inside its page, a page smaller than
 * its uapi struct, a data mapping that is not the ring mapped twice).
 */
int ramchan_ring_map(struct ramchan_ring *r, int fd);
void ramchan_ring_unmap(struct ramchan_ring *r);

/* Largest payload one record of this ring can carry. */
RAMCHAN_INLINE uint64_t ramchan_ring_max_record(const struct ramchan_ring *r)
{
	return r->size - RAMCHAN_REC_HDR_SIZE;
}

RAMCHAN_INLINE uint64_t ramchan_rec_total(uint64_t len)
{
	return (RAMCHAN_REC_HDR_SIZE + len + RAMCHAN_REC_ALIGN - 1) &
	       ~(uint64_t)(RAMCHAN_REC_ALIGN - 1);
}

static inline void ramchan_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* Spin a little, then let a preempted peer have the CPU. */
static inline void ramchan_ring_backoff(unsigned int *spins)
{
	if (++*spins > 64) {
		sched_yield();
		*spins = 0;
	} else {
		ramchan_cpu_relax();
	}
}

RAMCHAN_INLINE uint32_t ramchan_ring_flags(const struct ramchan_ring *r)
{
	return __atomic_load_n(&r->info->flags, __ATOMIC_ACQUIRE);
}

/**
 * ramchan_ring_reserve - reserve room for a record of @len bytes
 *
 * Return: 0 with @resv filled; -EAGAIN when the ring is full; -EMSGSIZE
 * when @len can never fit; -EINVAL for @len 0; -EPIPE when no consumer is
 * left. Every reservation must be committed, in any order between threads:
 * commits are published in reservation order.
 */
RAMCHAN_INLINE int ramchan_ring_reserve(struct ramchan_ring *r, uint32_t len,
					struct ramchan_resv *resv)
{
	uint64_t total = ramchan_rec_total(len);
	unsigned int spins = 0;
	uint64_t pos;

	if (!len)
		return -EINVAL;
	if (total > r->size)
		return -EMSGSIZE;
	if (ramchan_ring_flags(r) & RAMCHAN_RING_CONSUMERS_GONE)
		return -EPIPE;
	pos = __atomic_load_n(r->reserve, __ATOMIC_RELAXED);
	for (;;) {
		if (pos + total - r->cached_tail > r->size) {
			/* [P2] the space up to tail has been read. */
			r->cached_tail = __atomic_load_n(r->tail,
							 __ATOMIC_ACQUIRE);
			if (pos + total - r->cached_tail > r->size)
				return -EAGAIN;
		}
		/*
		 * Reserve only behind committed records or our own: a
		 * producer preempted between reserve and commit then makes
		 * the others wait without holding reservations, instead of
		 * a convoy of reservations each waiting for the one before.
		 */
		if (!(r->pending && pos == r->pending_end) &&
		    __atomic_load_n(r->head, __ATOMIC_RELAXED) != pos) {
			ramchan_ring_backoff(&spins);
			pos = __atomic_load_n(r->reserve,
					      __ATOMIC_RELAXED);
			continue;
		}
		if (__atomic_compare_exchange_n(r->reserve, &pos,
						pos + total, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			break;
	}
	r->pending = true;
	r->pending_end = pos + total;
	resv->pos = pos;
	resv->total = total;
	resv->len = len;
	resv->reserved = 0;
	resv->data = r->data + (pos & r->mask) + RAMCHAN_REC_HDR_SIZE;
	return 0;
}

/* Tell sleeping consumers, when there may be one, that data arrived. */
static inline void ramchan_ring_notify_readers(struct ramchan_ring *r,
					       uint64_t first_pos)
{
	/* [P3] head is published before the waiter count is read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->info->readers_waiting, __ATOMIC_RELAXED) &&
	    __atomic_load_n(r->tail, __ATOMIC_RELAXED) == first_pos)
		ramchan_ring_wake_fd(r->fd, RAMCHAN_WAKE_READERS);
}

/* Publish head past @last, once every earlier reservation is committed. */
static inline void ramchan_ring_publish(struct ramchan_ring *r,
					uint64_t first_pos, uint64_t end)
{
	unsigned int spins = 0;

	/*
	 * In-order commit: wait for producers that reserved before us
	 * (only the kernel's write() can be one: see ramchan_ring_reserve()).
	 */
	while (__atomic_load_n(r->head, __ATOMIC_RELAXED) !=
	       first_pos)
		ramchan_ring_backoff(&spins);
	/* [P1] payload and header before head. */
	__atomic_store_n(r->head, end, __ATOMIC_RELEASE);
	if (end == r->pending_end)
		r->pending = false;
	ramchan_ring_notify_readers(r, first_pos);
}

RAMCHAN_INLINE void ramchan_ring_commit(struct ramchan_ring *r,
					const struct ramchan_resv *resv)
{
	uint64_t *hdr = (uint64_t *)(r->data + (resv->pos & r->mask));

	__atomic_store_n(hdr, (uint64_t)resv->len, __ATOMIC_RELAXED);
	ramchan_ring_publish(r, resv->pos, resv->pos + resv->total);
}

/* Mark a reservation as nothing (consumers skip it) and commit it. */
RAMCHAN_INLINE void ramchan_ring_discard(struct ramchan_ring *r,
					 const struct ramchan_resv *resv)
{
	uint64_t *hdr = (uint64_t *)(r->data + (resv->pos & r->mask));

	__atomic_store_n(hdr, resv->len | RAMCHAN_REC_DISCARD,
			 __ATOMIC_RELAXED);
	ramchan_ring_publish(r, resv->pos, resv->pos + resv->total);
}

/*
 * Commit @n reservations made in a row by this thread (resv[0] first)
 * with one publication of head.
 */
RAMCHAN_INLINE void ramchan_ring_commit_batch(struct ramchan_ring *r,
					      const struct ramchan_resv *resv,
					      unsigned int n)
{
	unsigned int i;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		__atomic_store_n((uint64_t *)(r->data +
					      (resv[i].pos & r->mask)),
				 (uint64_t)resv[i].len, __ATOMIC_RELAXED);
	ramchan_ring_publish(r, resv[0].pos,
			     resv[n - 1].pos + resv[n - 1].total);
}

/**
 * ramchan_ring_peek - the next record, without consuming it
 *
 * Return: 0 with @rec filled; -EAGAIN when nothing is there yet; -EPIPE
 * at the end: every producer is gone and the ring is drained.
 */
RAMCHAN_INLINE int ramchan_ring_peek(struct ramchan_ring *r,
				     struct ramchan_rec *rec)
{
	uint64_t pos = r->cursor, hdr, len;

	for (;;) {
		if (pos == r->cached_head) {
			uint32_t flags = ramchan_ring_flags(r);

			/* [P1] records up to head are complete. */
			r->cached_head = __atomic_load_n(r->head,
							 __ATOMIC_ACQUIRE);
			if (pos == r->cached_head)
				return flags & RAMCHAN_RING_PRODUCERS_GONE ?
				       -EPIPE : -EAGAIN;
		}
		hdr = *(const volatile uint64_t *)(r->data + (pos & r->mask));
		len = hdr & RAMCHAN_REC_LEN_MASK;
		if (len && !(hdr & RAMCHAN_REC_DISCARD))
			break;
		/* Skip discarded and empty records. */
		pos += ramchan_rec_total(len);
		r->cursor = pos;
		r->records++;
	}
	rec->pos = pos;
	rec->len = len;
	rec->reserved = 0;
	rec->total = ramchan_rec_total(len);
	rec->data = r->data + (pos & r->mask) + RAMCHAN_REC_HDR_SIZE;
	return 0;
}

/* Step over @rec; its space is given back by ramchan_ring_release(). */
RAMCHAN_INLINE void ramchan_ring_advance(struct ramchan_ring *r,
					 const struct ramchan_rec *rec)
{
	r->cursor = rec->pos + rec->total;
	r->records++;
}

/* Give back the space of every record advanced over. */
RAMCHAN_INLINE void ramchan_ring_release(struct ramchan_ring *r)
{
	uint64_t fill = r->cached_head - r->released;

	if (r->cursor == r->released)
		return;
	if (fill > r->cons->high_water)
		r->cons->high_water = fill;
	r->cons->records += r->records;
	r->records = 0;
	r->released = r->cursor;
	/* [P2] we are done with the records before tail moves past them. */
	__atomic_store_n(r->tail, r->cursor, __ATOMIC_RELEASE);
	/* [P3] tail is published before the waiter count is read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->info->writers_waiting, __ATOMIC_RELAXED))
		ramchan_ring_wake_fd(r->fd, RAMCHAN_WAKE_WRITERS);
}

/**
 * ramchan_ring_consume - done with @rec: advance, and release when it pays
 *
 * Gives the space back at once when @rec was the last record this
 * consumer knows of, when a quarter of the ring has been read since the
 * last release, or when a producer waits for room; otherwise a later call
 * does, so that records read back to back cost one release (and its
 * fence) per batch instead of one each. ramchan_ring_peek_wait() releases
 * before it waits, so nothing is held while the consumer sleeps.
 */
RAMCHAN_INLINE void ramchan_ring_consume(struct ramchan_ring *r,
					 const struct ramchan_rec *rec)
{
	ramchan_ring_advance(r, rec);
	/*
	 * writers_waiting is only a hint here, no pairing: a producer that
	 * starts to wait just after this load is served by the quarter-ring
	 * rule or by the release before this consumer sleeps.
	 */
	if (r->cursor == r->cached_head ||
	    r->cursor - r->released >= r->size / 4 ||
	    __atomic_load_n(&r->info->writers_waiting, __ATOMIC_RELAXED))
		ramchan_ring_release(r);
}

/* ---- blocking helpers (ramchan.c) ---------------------------------------- */

/*
 * Spin for up to r->spin_ns (0: sleep at once; set it with
 * ramchan_ring_set_spin()), then sleep in RAMCHAN_IOC_WAIT until the
 * absolute CLOCK_MONOTONIC @deadline_ns (0: forever).
 * Return as the non-blocking calls, or -ETIMEDOUT, -EINTR.
 */
int ramchan_ring_reserve_wait(struct ramchan_ring *r, uint32_t len,
			      struct ramchan_resv *resv, uint64_t deadline_ns);
int ramchan_ring_peek_wait(struct ramchan_ring *r, struct ramchan_rec *rec,
			   uint64_t deadline_ns);

/* Copy @len bytes in as one record. Return 0 or -errno. */
int ramchan_ring_send(struct ramchan_ring *r, const void *buf, uint32_t len,
		      uint64_t deadline_ns);
/*
 * Copy one record out. Return its length, -EMSGSIZE if it does not fit
 * in @cap (it stays), -EPIPE at the end, or another -errno.
 */
int ramchan_ring_recv(struct ramchan_ring *r, void *buf, uint32_t cap,
		      uint64_t deadline_ns);

RAMCHAN_INLINE void ramchan_ring_set_spin(struct ramchan_ring *r,
					  uint64_t spin_ns)
{
	r->spin_ns = spin_ns;
}

/* ---- message queues (ramchan.c) ------------------------------------------ */

/*
 * A queue carries discrete messages copied through the kernel by ioctls:
 *
 *	struct ramchan_mq_opts o = { .depth = 64, .msg_size = 8192 };
 *	int q = ramchan_mq_create(ctl, &o);
 *	ramchan_mq_send(q, buf, len, prio, 0, 0);
 *	n = ramchan_mq_recv(q, buf, sizeof(buf), &prio, 0, deadline_ns);
 *
 * @flags of the calls: RAMCHAN_MQ_NONBLOCK, RAMCHAN_MQ_PEEK (receive);
 * @deadline_ns: absolute CLOCK_MONOTONIC (ramchan_deadline_in()), 0 for
 * none. The *_spin variants set this call's busy-poll budget.
 */

/**
 * struct ramchan_mq_opts - how to create a queue
 * @name:	NULL for an anonymous queue
 * @depth:	most messages queued
 * @msg_size:	largest message, bytes
 * @overflow:	RAMCHAN_MQ_OVERFLOW_* (0: block)
 * @spin_us:	default busy-poll budget of the queue
 * @mode:	permission bits, named queues only
 * @role:	RAMCHAN_ROLE_* of the fd (0: both)
 * @flags:	RAMCHAN_F_*
 * @reserved:	zero it; reserved for future fields (ramchan_mq_create()
 *		fails with -EINVAL otherwise). A designated initializer, as
 *		above, zeroes it.
 */
struct ramchan_mq_opts {
	const char *name;
	uint32_t depth;
	uint32_t msg_size;
	uint32_t overflow;
	uint32_t spin_us;
	unsigned int mode;
	unsigned int role;
	unsigned int flags;
	uint32_t reserved[7];
};

int ramchan_mq_create(int ctl, const struct ramchan_mq_opts *opts);

/* Return 0 or -errno. */
int ramchan_mq_send(int fd, const void *buf, uint32_t len, uint32_t prio,
		    unsigned int flags, uint64_t deadline_ns);
int ramchan_mq_send_spin(int fd, const void *buf, uint32_t len,
			 uint32_t prio, unsigned int flags, uint32_t spin_us,
			 uint64_t deadline_ns);
/* Return the message length (its priority in *@prio if not NULL) or -errno. */
int ramchan_mq_recv(int fd, void *buf, uint32_t cap, uint32_t *prio,
		    unsigned int flags, uint64_t deadline_ns);
int ramchan_mq_recv_spin(int fd, void *buf, uint32_t cap, uint32_t *prio,
			 unsigned int flags, uint32_t spin_us,
			 uint64_t deadline_ns);

/*
 * Batches: @count entries of @vec, one ioctl. Return how many entries were
 * processed (each with its own vec[i].error; received lengths and
 * priorities in vec[i].len and .prio), or -errno when none was.
 */
int ramchan_mq_send_batch(int fd, struct ramchan_mq_vec *vec,
			  unsigned int count, unsigned int flags,
			  uint64_t deadline_ns);
int ramchan_mq_recv_batch(int fd, struct ramchan_mq_vec *vec,
			  unsigned int count, unsigned int flags,
			  uint64_t deadline_ns);

int ramchan_mq_getattr(int fd, struct ramchan_mq_attr *attr);
/* Change what @set names (RAMCHAN_MQ_SET_*); the old values in *@old. */
int ramchan_mq_setattr(int fd, unsigned int set, uint32_t flags,
		       uint32_t spin_us, struct ramchan_mq_attr *old);
/* Signal @eventfd when the queue becomes non-empty; -1 unregisters. */
int ramchan_mq_notify(int fd, int eventfd);

#ifdef __cplusplus
}
#endif

#endif /* RAMCHAN_LIB_H */
