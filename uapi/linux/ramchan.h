/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ramchan: RAM channels between processes on one host.
 *
 * The whole user-kernel ABI of /dev/ramchan. Userspace calls:
 *
 *	int ctl = open("/dev/ramchan", O_RDWR | O_CLOEXEC);
 *	struct ramchan_info info = { 0 };
 *	ioctl(ctl, RAMCHAN_IOC_INFO, &info);
 *	if (info.abi_version != RAMCHAN_ABI_VERSION) ...
 *
 * Rules for every ioctl argument struct (Documentation/process/
 * botching-up-ioctls.rst):
 *  - only __u32/__u64 fields, pointers passed as __u64, explicit padding,
 *    size a multiple of 8;
 *  - unknown flags and nonzero reserved fields are rejected with -EINVAL;
 *  - a struct grows only at its end; the size is encoded in the ioctl
 *    number, so an old binary keeps working (the kernel zero-fills what it
 *    did not receive) and a newer binary's extra fields are accepted when
 *    they are zero and rejected with -E2BIG otherwise;
 *  - an unknown command returns -ENOTTY.
 */
#ifndef _UAPI_LINUX_RAMCHAN_H
#define _UAPI_LINUX_RAMCHAN_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Bumped only on an incompatible change; growth is signalled by features. */
#define RAMCHAN_ABI_VERSION	1

/* The misc minor ramchan takes by default, from the local-use range 240-254. */
#define RAMCHAN_MISC_MINOR	242

#define RAMCHAN_IOC_MAGIC	0xBC

/* Longest channel name, without the terminating NUL. */
#define RAMCHAN_NAME_MAX	63

/**
 * struct ramchan_info - what this module offers (RAMCHAN_IOC_INFO)
 * @flags:		in: must be 0
 * @abi_version:	out: RAMCHAN_ABI_VERSION of the running module
 * @features:		out: RAMCHAN_FEATURE_* bits the module supports
 * @max_ring_bytes:	out: largest ring data area, bytes (a power of two)
 * @max_channels:	out: most live channels in total
 * @max_channels_per_user: out: most live channels one user may create
 * @name_max:		out: longest channel name, RAMCHAN_NAME_MAX
 * @page_size:		out: the kernel's PAGE_SIZE
 * @mq_max_depth:	out: most messages a queue may hold (RAMCHAN_FEATURE_MQ)
 * @mq_max_msg_size:	out: largest message a queue may allow, bytes
 * @mq_max_spin_us:	out: largest busy-poll budget, microseconds
 * @mq_max_batch:	out: most messages one batched SEND/RECV may carry
 * @reserved:		must be 0
 */
struct ramchan_info {
	__u32 flags;
	__u32 abi_version;
	__u64 features;
	__u64 max_ring_bytes;
	__u32 max_channels;
	__u32 max_channels_per_user;
	__u32 name_max;
	__u32 page_size;
	__u32 mq_max_depth;
	__u32 mq_max_msg_size;
	__u32 mq_max_spin_us;
	__u32 mq_max_batch;
	__u64 reserved[2];
};

/* Size of the first published version of struct ramchan_info. */
#define RAMCHAN_INFO_SIZE_VER0	72

/* Feature bits reported in ramchan_info.features. */
#define RAMCHAN_FEATURE_SYSFS	0x1ULL	/* /sys/kernel/ramchan stats */
#define RAMCHAN_FEATURE_RING	0x2ULL	/* mmap'd rings, RAMCHAN_KIND_RING */
#define RAMCHAN_FEATURE_NAMES	0x4ULL	/* named channels, OPEN/UNLINK */
#define RAMCHAN_FEATURE_MQ	0x8ULL	/* message queues, RAMCHAN_KIND_MQ */

/* Channel kinds. */
#define RAMCHAN_KIND_RING	1	/* mmap'd ring buffer */
#define RAMCHAN_KIND_MQ		2	/* message queue through ioctl */

/*
 * Roles of a channel file. A producer may map the producer page and the
 * data writable and write(); a consumer may map the consumer page
 * writable and read(). RAMCHAN_ROLE_BOTH is both.
 */
#define RAMCHAN_ROLE_PRODUCER	0x1
#define RAMCHAN_ROLE_CONSUMER	0x2
#define RAMCHAN_ROLE_BOTH	(RAMCHAN_ROLE_PRODUCER | RAMCHAN_ROLE_CONSUMER)

/* Flags of CREATE, OPEN and DUP. */
#define RAMCHAN_F_NOCLOEXEC	0x1	/* the new fd is not O_CLOEXEC */
#define RAMCHAN_F_NONBLOCK	0x2	/* the new fd is O_NONBLOCK */

/**
 * struct ramchan_create - make a channel (RAMCHAN_IOC_CREATE on /dev/ramchan)
 * @kind:	RAMCHAN_KIND_*
 * @flags:	RAMCHAN_F_*
 * @size:	ring: bytes of the data area, a power of two from one page
 *		to ramchan_info.max_ring_bytes;
 *		mq: largest message, 1 to ramchan_info.mq_max_msg_size
 * @name:	pointer to a NUL-terminated name of 1 to RAMCHAN_NAME_MAX
 *		bytes without '/', or 0 for an anonymous channel
 * @mode:	permission bits (0-0777) checked by OPEN; named channels only
 * @role:	RAMCHAN_ROLE_* of the returned fd (0 means BOTH)
 * @mq_depth:	mq: most messages queued, 1 to ramchan_info.mq_max_depth;
 *		must be 0 for other kinds
 * @mq_overflow: mq: RAMCHAN_MQ_OVERFLOW_* (0: block); 0 for other kinds
 * @mq_spin_us:	mq: default busy-poll budget of receivers and of senders
 *		facing a full queue, 0 to ramchan_info.mq_max_spin_us;
 *		0 for other kinds
 * @mq_reserved: must be 0
 * @reserved:	must be 0
 *
 * Returns a new channel fd. A name already taken in the caller's IPC
 * namespace fails with -EEXIST.
 */
struct ramchan_create {
	__u32 kind;
	__u32 flags;
	__u64 size;
	__u64 name;
	__u32 mode;
	__u32 role;
	__u32 mq_depth;
	__u32 mq_overflow;
	__u32 mq_spin_us;
	__u32 mq_reserved;
	__u64 reserved[2];
};

#define RAMCHAN_CREATE_SIZE_VER0	64

/**
 * struct ramchan_open - open a named channel (RAMCHAN_IOC_OPEN)
 * @name:	pointer to the NUL-terminated name
 * @role:	RAMCHAN_ROLE_*: producer needs write permission, consumer read
 * @flags:	RAMCHAN_F_*
 * @reserved:	must be 0
 *
 * Returns a new channel fd. Permission is checked against the owner,
 * group and mode given at creation, with the credentials the control file
 * was opened with: -EACCES. No such name in the caller's IPC namespace:
 * -ENOENT.
 */
struct ramchan_open {
	__u64 name;
	__u32 role;
	__u32 flags;
	__u64 reserved[2];
};

#define RAMCHAN_OPEN_SIZE_VER0	32

/**
 * struct ramchan_unlink - remove a channel's name (RAMCHAN_IOC_UNLINK)
 * @name:	pointer to the NUL-terminated name
 * @reserved:	must be 0
 *
 * The channel lives on while fds or mappings refer to it. Only the owner
 * or CAP_IPC_OWNER may unlink: -EPERM.
 */
struct ramchan_unlink {
	__u64 name;
	__u64 reserved;
};

#define RAMCHAN_IOC_INFO	_IOWR(RAMCHAN_IOC_MAGIC, 0x00, struct ramchan_info)
#define RAMCHAN_IOC_CREATE	_IOW(RAMCHAN_IOC_MAGIC, 0x01, struct ramchan_create)
#define RAMCHAN_IOC_OPEN	_IOW(RAMCHAN_IOC_MAGIC, 0x02, struct ramchan_open)
#define RAMCHAN_IOC_UNLINK	_IOW(RAMCHAN_IOC_MAGIC, 0x03, struct ramchan_unlink)

/*
 * Ring buffers
 * ============
 *
 * A ring is mapped in four regions, each with its own mmap() call at the
 * offset RAMCHAN_IOC_RING_LAYOUT publishes (never hard-code them):
 *
 *   info page      read-only for all: sizes, peer-loss flags, waiter counts
 *   producer page  writable by producers: head (committed), reserve
 *   consumer page  writable by consumers: tail, counters
 *   data           size bytes, mapped twice back to back, so a record that
 *                  wraps is contiguous: writable by producers
 *
 * Positions are free-running 64-bit byte counts; the offset of a position
 * in the data is pos & (size - 1). A record is an 8-byte header (length
 * of the payload, RAMCHAN_REC_* flags) followed by the payload, padded to
 * 8 bytes; records never straddle the end: the double mapping makes them
 * contiguous.
 *
 * Producers: r = load(reserve); check r + len <= tail + size; CAS reserve
 * from r to r + len; write the payload, then the header; wait until
 * head == r; store-release head = r + len. Consumers: load-acquire head;
 * read records up to it; store-release tail. A side that wants to sleep
 * calls RAMCHAN_IOC_WAIT with the position it saw; the kernel counts it in
 * the info page's waiter counts (then a full fence, then it re-checks), so
 * the other side, after publishing and a full fence, calls
 * RAMCHAN_IOC_WAKE only when a count is nonzero.
 */
#define RAMCHAN_REC_LEN_MASK	0x00000000ffffffffULL
#define RAMCHAN_REC_DISCARD	0x4000000000000000ULL	/* skip this record */
#define RAMCHAN_REC_HDR_SIZE	8
#define RAMCHAN_REC_ALIGN	8

/* ramchan_ring_info.flags, written by the kernel only. */
#define RAMCHAN_RING_PRODUCERS_GONE	0x1	/* the last producer left */
#define RAMCHAN_RING_CONSUMERS_GONE	0x2	/* the last consumer left */
#define RAMCHAN_RING_BROKEN		0x4	/* shared state was corrupt */

/* Layout of the info page (read-only to userspace). */
struct ramchan_ring_info {
	__u64 size;		/* bytes of the data area */
	__u32 flags;		/* RAMCHAN_RING_* */
	__u32 readers_waiting;	/* consumers asleep in WAIT or polling */
	__u32 writers_waiting;	/* producers asleep in WAIT or polling */
	__u32 producers;	/* producer files attached */
	__u32 consumers;	/* consumer files attached */
	__u32 reserved;
};

/* Layout of the producer page (writable by producers). */
struct ramchan_ring_producer {
	__u64 head;		/* end of the committed records */
	__u64 pad0[7];
	__u64 reserve;		/* end of the reserved space (CAS) */
	__u64 pad1[7];
};

/* Layout of the consumer page (writable by consumers). */
struct ramchan_ring_consumer {
	__u64 tail;		/* end of the consumed records */
	__u64 records;		/* records consumed (statistics only) */
	__u64 high_water;	/* most bytes seen in the ring (statistics) */
	__u64 pad[5];
};

/**
 * struct ramchan_ring_layout - where to mmap (RAMCHAN_IOC_RING_LAYOUT)
 * @size:	bytes of the data area
 * @info_offset, @producer_offset, @consumer_offset, @data_offset:
 *		mmap offsets of the regions
 * @info_size, @producer_size, @consumer_size:
 *		mmap lengths of those regions (one page each today)
 * @data_map_size: mmap length of the data region: 2 * @size
 * @head_offset, @reserve_offset, @tail_offset:
 *		byte offsets of the positions within their pages
 * @reserved:	must be 0
 */
struct ramchan_ring_layout {
	__u64 size;
	__u64 info_offset;
	__u64 producer_offset;
	__u64 consumer_offset;
	__u64 data_offset;
	__u64 info_size;
	__u64 producer_size;
	__u64 consumer_size;
	__u64 data_map_size;
	__u32 head_offset;
	__u32 reserve_offset;
	__u32 tail_offset;
	__u32 role;		/* RAMCHAN_ROLE_* of this fd */
	__u64 reserved[4];
};

#define RAMCHAN_RING_LAYOUT_SIZE_VER0	120

/* RAMCHAN_IOC_WAIT: what to wait for. */
#define RAMCHAN_WAIT_READABLE	1	/* head moves away from @expected */
#define RAMCHAN_WAIT_WRITABLE	2	/* tail moves away from @expected */

/**
 * struct ramchan_wait - sleep until the peer moves (RAMCHAN_IOC_WAIT)
 * @what:	RAMCHAN_WAIT_READABLE (consumer) or _WRITABLE (producer)
 * @flags:	must be 0
 * @expected:	the head (readable) or tail (writable) the caller last saw;
 *		returns at once if it has already moved
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, 0 for none
 * @events:	out: EPOLLIN/EPOLLOUT/EPOLLHUP/EPOLLERR state on return
 * @reserved:	must be 0
 *
 * Returns 0 when the position moved or the peer is gone (see @events),
 * -ETIMEDOUT at the deadline, -EINTR/restart on a signal, -EPIPE for a
 * writer whose consumers are all gone, -EIO for a broken ring.
 */
struct ramchan_wait {
	__u32 what;
	__u32 flags;
	__u64 expected;
	__u64 deadline_ns;
	__u32 events;
	__u32 reserved;
};

#define RAMCHAN_WAIT_SIZE_VER0	32

/* RAMCHAN_IOC_WAKE: whom to wake. */
#define RAMCHAN_WAKE_READERS	1
#define RAMCHAN_WAKE_WRITERS	2

/**
 * struct ramchan_dup - another fd for the same channel (RAMCHAN_IOC_DUP)
 * @role:	RAMCHAN_ROLE_*, a subset of the caller's role (-EPERM otherwise)
 * @flags:	RAMCHAN_F_*
 */
struct ramchan_dup {
	__u32 role;
	__u32 flags;
	__u64 reserved;
};

/* ioctls on a channel fd */
#define RAMCHAN_IOC_RING_LAYOUT	_IOR(RAMCHAN_IOC_MAGIC, 0x40, struct ramchan_ring_layout)
#define RAMCHAN_IOC_WAIT	_IOWR(RAMCHAN_IOC_MAGIC, 0x41, struct ramchan_wait)
#define RAMCHAN_IOC_WAKE	_IO(RAMCHAN_IOC_MAGIC, 0x42)
#define RAMCHAN_IOC_DUP		_IOW(RAMCHAN_IOC_MAGIC, 0x43, struct ramchan_dup)

/*
 * Message queues
 * ==============
 *
 * A queue (RAMCHAN_KIND_MQ) carries discrete messages, copied into the
 * kernel by a sender and out by a receiver: POSIX mq semantics, through
 * ioctls on the channel fd. Producers send, consumers receive.
 *
 *	struct ramchan_create c = {
 *		.kind = RAMCHAN_KIND_MQ, .size = 8192, .mq_depth = 64,
 *	};
 *	int q = ioctl(ctl, RAMCHAN_IOC_CREATE, &c);
 *	struct ramchan_mq_msg m = { .buf = (__u64)p, .len = n, .prio = 1 };
 *	ioctl(q, RAMCHAN_IOC_MQ_SEND, &m);
 *	m.len = sizeof(buf);				capacity in,
 *	len = ioctl(q, RAMCHAN_IOC_MQ_RECV, &m);	length and priority out
 *
 * A receive takes the oldest message of the highest priority. Blocking
 * follows O_NONBLOCK of the fd or RAMCHAN_MQ_NONBLOCK of the call
 * (-EAGAIN); @deadline_ns is an absolute CLOCK_MONOTONIC time, 0 for none
 * (-ETIMEDOUT). A signal interrupts a wait with nothing sent or consumed
 * (-EINTR, or a transparent restart under SA_RESTART). A message larger
 * than the queue's message size cannot be sent, and one larger than the
 * receive buffer stays queued: both -EMSGSIZE. When no producer is left
 * and the queue is empty, receivers get -EPIPE (and poll EPOLLHUP); when
 * no consumer is left, senders get -EPIPE (and poll EPOLLERR).
 *
 * Before sleeping, a receiver (or a sender facing a full queue) polls for
 * up to a spin budget in microseconds, the queue's default or the call's
 * own with RAMCHAN_MQ_SPIN: a message handed over meanwhile costs no
 * wakeup. A sender that finds a receiver waiting hands it the message
 * directly, without queueing it.
 */

/* Priorities are 0 (lowest) to RAMCHAN_MQ_PRIO_MAX - 1. */
#define RAMCHAN_MQ_PRIO_MAX		32768

/*
 * ramchan_create.mq_overflow: what a send to a full queue does. BLOCK
 * waits for room (or fails with -EAGAIN when nonblocking); REJECT fails at
 * once with -EAGAIN; DROP_OLDEST discards the oldest message of the lowest
 * priority queued to make room, so a send never waits.
 */
#define RAMCHAN_MQ_OVERFLOW_BLOCK	0
#define RAMCHAN_MQ_OVERFLOW_REJECT	1
#define RAMCHAN_MQ_OVERFLOW_DROP_OLDEST	2

/* Flags of SEND, RECV, SEND_BATCH and RECV_BATCH. */
#define RAMCHAN_MQ_NONBLOCK	0x1	/* never wait: -EAGAIN */
#define RAMCHAN_MQ_SPIN		0x2	/* @spin_us replaces the queue's default */
#define RAMCHAN_MQ_PEEK		0x4	/* RECV only: copy, leave it queued */

/**
 * struct ramchan_mq_msg - one message (RAMCHAN_IOC_MQ_SEND, _MQ_RECV)
 * @buf:	pointer to the payload (send) or to the receive buffer
 * @len:	send: payload bytes, up to the queue's message size;
 *		recv: in, capacity of @buf; out, length of the message
 * @prio:	send: priority below RAMCHAN_MQ_PRIO_MAX; recv: out
 * @flags:	RAMCHAN_MQ_NONBLOCK, RAMCHAN_MQ_SPIN, RAMCHAN_MQ_PEEK (recv)
 * @spin_us:	busy-poll budget of this call with RAMCHAN_MQ_SPIN, up to
 *		ramchan_info.mq_max_spin_us; must be 0 without it
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, 0 for none
 * @reserved:	must be 0
 *
 * SEND returns 0; RECV returns the message length. A zero-length message
 * is allowed. Errors: -EBADF (the fd lacks the role), -EMSGSIZE, -EAGAIN,
 * -ETIMEDOUT, -EINTR, -EPIPE, -EFAULT (a receive that faults copying out
 * loses the message, as mq_timedreceive() does), -EINVAL.
 */
struct ramchan_mq_msg {
	__u64 buf;
	__u32 len;
	__u32 prio;
	__u32 flags;
	__u32 spin_us;
	__u64 deadline_ns;
	__u64 reserved;
};

#define RAMCHAN_MQ_MSG_SIZE_VER0	40

/**
 * struct ramchan_mq_vec - one message of a batch
 * @buf:	as in struct ramchan_mq_msg
 * @len:	as in struct ramchan_mq_msg
 * @prio:	as in struct ramchan_mq_msg
 * @error:	out: 0, or the positive errno of this message alone
 *		(EMSGSIZE, EFAULT, EINVAL)
 * @reserved:	must be 0
 */
struct ramchan_mq_vec {
	__u64 buf;
	__u32 len;
	__u32 prio;
	__u32 error;
	__u32 reserved;
};

/**
 * struct ramchan_mq_batch - many messages, one ioctl (RAMCHAN_IOC_MQ_*_BATCH)
 * @vec:	pointer to @count struct ramchan_mq_vec
 * @count:	1 to ramchan_info.mq_max_batch
 * @flags:	RAMCHAN_MQ_NONBLOCK, RAMCHAN_MQ_SPIN
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, 0 for none
 * @spin_us:	as in struct ramchan_mq_msg
 * @done:	out: entries of @vec processed, the return value
 * @reserved:	must be 0
 *
 * SEND_BATCH sends the entries in order, waiting for room as SEND does; an
 * entry that cannot be sent on its own (too long, bad priority, fault) gets
 * its @error and the others still go. RECV_BATCH waits as RECV does for the
 * first message, then takes what is queued, up to @count; it stops before
 * a message that does not fit its entry (that entry's @error is EMSGSIZE,
 * the message stays queued). Both return @done when it is nonzero, even if
 * a wait was then cut short (signal, deadline, full or empty queue);
 * otherwise the error SEND or RECV would return.
 */
struct ramchan_mq_batch {
	__u64 vec;
	__u32 count;
	__u32 flags;
	__u64 deadline_ns;
	__u32 spin_us;
	__u32 done;
	__u64 reserved;
};

#define RAMCHAN_MQ_BATCH_SIZE_VER0	40

/* ramchan_mq_attr.flags */
#define RAMCHAN_MQ_ATTR_NONBLOCK	0x1	/* the fd is O_NONBLOCK */

/* ramchan_mq_attr.set: what SETATTR changes. */
#define RAMCHAN_MQ_SET_FLAGS		0x1	/* @flags, of this open file */
#define RAMCHAN_MQ_SET_SPIN		0x2	/* @spin_us, of the queue */

/**
 * struct ramchan_mq_attr - queue attributes (RAMCHAN_IOC_MQ_GETATTR, _SETATTR)
 * @flags:	RAMCHAN_MQ_ATTR_*
 * @set:	SETATTR in: RAMCHAN_MQ_SET_* (ignored by GETATTR)
 * @msg_size:	out: largest message
 * @depth:	out: most messages queued
 * @count:	out: messages queued now
 * @bytes:	out: payload bytes queued now
 * @overflow:	out: RAMCHAN_MQ_OVERFLOW_*
 * @spin_us:	the queue's default busy-poll budget
 * @drops:	out: messages discarded by RAMCHAN_MQ_OVERFLOW_DROP_OLDEST
 * @rejects:	out: sends refused by RAMCHAN_MQ_OVERFLOW_REJECT
 * @reserved:	must be 0
 *
 * Like mq_setattr(), SETATTR changes only what @set names (the other
 * fields are ignored on input) and returns the attributes as they were
 * before the change.
 */
struct ramchan_mq_attr {
	__u32 flags;
	__u32 set;
	__u64 msg_size;
	__u32 depth;
	__u32 count;
	__u64 bytes;
	__u32 overflow;
	__u32 spin_us;
	__u64 drops;
	__u64 rejects;
	__u64 reserved[2];
};

#define RAMCHAN_MQ_ATTR_SIZE_VER0	72

/* ramchan_mq_notify.flags */
#define RAMCHAN_MQ_NOTIFY_CLEAR	0x1	/* unregister; @fd must be 0 */

/**
 * struct ramchan_mq_notify - eventfd signalled when the queue becomes
 *	non-empty (RAMCHAN_IOC_MQ_NOTIFY, consumers only)
 * @fd:		an eventfd; it gets 1 added each time a message is queued
 *		into an empty queue (not when it is handed to a waiting
 *		receiver)
 * @flags:	RAMCHAN_MQ_NOTIFY_CLEAR
 * @reserved:	must be 0
 *
 * One registration per queue: -EBUSY when one exists, -EBADF/-EINVAL when
 * @fd is not an eventfd, -ENOENT when clearing and none is registered.
 */
struct ramchan_mq_notify {
	__u32 fd;
	__u32 flags;
	__u64 reserved;
};

/* ioctls on a message queue fd (and RAMCHAN_IOC_DUP) */
#define RAMCHAN_IOC_MQ_SEND	  _IOW(RAMCHAN_IOC_MAGIC, 0x44, struct ramchan_mq_msg)
#define RAMCHAN_IOC_MQ_RECV	  _IOWR(RAMCHAN_IOC_MAGIC, 0x45, struct ramchan_mq_msg)
#define RAMCHAN_IOC_MQ_SEND_BATCH _IOWR(RAMCHAN_IOC_MAGIC, 0x46, struct ramchan_mq_batch)
#define RAMCHAN_IOC_MQ_RECV_BATCH _IOWR(RAMCHAN_IOC_MAGIC, 0x47, struct ramchan_mq_batch)
#define RAMCHAN_IOC_MQ_GETATTR	  _IOR(RAMCHAN_IOC_MAGIC, 0x48, struct ramchan_mq_attr)
#define RAMCHAN_IOC_MQ_SETATTR	  _IOWR(RAMCHAN_IOC_MAGIC, 0x49, struct ramchan_mq_attr)
#define RAMCHAN_IOC_MQ_NOTIFY	  _IOW(RAMCHAN_IOC_MAGIC, 0x4a, struct ramchan_mq_notify)

/*
 * Generic netlink family "ramchan": the control plane and live view.
 *
 * Documentation/netlink/specs/ramchan.yaml is the source of truth; what
 * follows is what the kernel tree's tools/net/ynl/ynl-gen-c.py --mode uapi
 * renders from it (tools/netlink/check-spec checks that it stays so).
 *
 *   RAMCHAN_CMD_CHANNEL_GET	do (by RAMCHAN_A_CHANNEL_ID or _NAME) and
 *				dump (optionally of one _KIND, _WITH_PEERS)
 *				of the channels of the caller's IPC namespace
 *   RAMCHAN_CMD_STATS_GET	do: the global counters (RAMCHAN_A_STATS_*)
 *   RAMCHAN_CMD_*_NTF		events, multicast to group "events"
 *
 * Unsigned 64-bit attributes are padded with the set's _PAD attribute.
 */

#define RAMCHAN_FAMILY_NAME	"ramchan"
#define RAMCHAN_FAMILY_VERSION	1

enum {
	RAMCHAN_A_PEER_PID = 1,
	RAMCHAN_A_PEER_FD,
	RAMCHAN_A_PEER_ROLE,

	__RAMCHAN_A_PEER_MAX,
	RAMCHAN_A_PEER_MAX = (__RAMCHAN_A_PEER_MAX - 1)
};

enum {
	RAMCHAN_A_CHANNEL_ID = 1,
	RAMCHAN_A_CHANNEL_KIND,
	RAMCHAN_A_CHANNEL_NAME,
	RAMCHAN_A_CHANNEL_OWNER,
	RAMCHAN_A_CHANNEL_GROUP,
	RAMCHAN_A_CHANNEL_MODE,
	RAMCHAN_A_CHANNEL_MEMORY,
	RAMCHAN_A_CHANNEL_PRODUCERS,
	RAMCHAN_A_CHANNEL_CONSUMERS,
	RAMCHAN_A_CHANNEL_SIZE,
	RAMCHAN_A_CHANNEL_FILL,
	RAMCHAN_A_CHANNEL_COUNT,
	RAMCHAN_A_CHANNEL_BYTES_IN,
	RAMCHAN_A_CHANNEL_BYTES_OUT,
	RAMCHAN_A_CHANNEL_RECORDS_IN,
	RAMCHAN_A_CHANNEL_RECORDS_OUT,
	RAMCHAN_A_CHANNEL_HIGH_WATER,
	RAMCHAN_A_CHANNEL_WAITERS,
	RAMCHAN_A_CHANNEL_WAITS,
	RAMCHAN_A_CHANNEL_WAKEUPS,
	RAMCHAN_A_CHANNEL_FLAGS,
	RAMCHAN_A_CHANNEL_DEPTH,
	RAMCHAN_A_CHANNEL_MSG_SIZE,
	RAMCHAN_A_CHANNEL_OVERFLOW,
	RAMCHAN_A_CHANNEL_SPIN_US,
	RAMCHAN_A_CHANNEL_DROPS,
	RAMCHAN_A_CHANNEL_REJECTS,
	RAMCHAN_A_CHANNEL_HANDOFFS,
	RAMCHAN_A_CHANNEL_SENDERS_WAITING,
	RAMCHAN_A_CHANNEL_RECEIVERS_WAITING,
	RAMCHAN_A_CHANNEL_PEER,
	RAMCHAN_A_CHANNEL_WITH_PEERS,
	RAMCHAN_A_CHANNEL_ROLE,
	RAMCHAN_A_CHANNEL_SUPPRESSED,
	RAMCHAN_A_CHANNEL_PAD,

	__RAMCHAN_A_CHANNEL_MAX,
	RAMCHAN_A_CHANNEL_MAX = (__RAMCHAN_A_CHANNEL_MAX - 1)
};

enum {
	RAMCHAN_A_STATS_ABI_VERSION = 1,
	RAMCHAN_A_STATS_OPENS,
	RAMCHAN_A_STATS_OPEN_FILES,
	RAMCHAN_A_STATS_CHANNELS,
	RAMCHAN_A_STATS_BYTES_HELD,
	RAMCHAN_A_STATS_PAD,

	__RAMCHAN_A_STATS_MAX,
	RAMCHAN_A_STATS_MAX = (__RAMCHAN_A_STATS_MAX - 1)
};

enum {
	RAMCHAN_CMD_CHANNEL_GET = 1,
	RAMCHAN_CMD_STATS_GET,
	RAMCHAN_CMD_CHANNEL_CREATE_NTF,
	RAMCHAN_CMD_CHANNEL_DESTROY_NTF,
	RAMCHAN_CMD_CHANNEL_UNLINK_NTF,
	RAMCHAN_CMD_PEER_GONE_NTF,
	RAMCHAN_CMD_RING_BROKEN_NTF,
	RAMCHAN_CMD_OVERFLOW_NTF,

	__RAMCHAN_CMD_MAX,
	RAMCHAN_CMD_MAX = (__RAMCHAN_CMD_MAX - 1)
};

#define RAMCHAN_MCGRP_EVENTS	"events"

/* RAMCHAN_CMD_OVERFLOW_NTF: at most this many per second, module-wide. */
#define RAMCHAN_NL_OVERFLOW_BURST	10

#endif /* _UAPI_LINUX_RAMCHAN_H */
