/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan tracepoints, system "ramchan": perf record -e 'ramchan:*',
 * /sys/kernel/tracing/events/ramchan/, bpftrace -l 'tracepoint:ramchan:*'.
 *
 * Every event carries the channel id (the sysfs directory name). The
 * arguments are plain values, never ramchan structs, so that this header
 * depends on nothing of the module's; positions read from the shared
 * pages are what the caller already read once (untrusted, shown as read).
 * A disabled tracepoint costs a static branch: nothing is computed for it.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ramchan

#if !defined(RAMCHAN_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define RAMCHAN_TRACE_H

#include <linux/tracepoint.h>
#include <linux/types.h>
#include <linux/ramchan.h>

/* ---- channels ---------------------------------------------------------- */

TRACE_EVENT(ramchan_chan_create,
	TP_PROTO(u64 id, const char *kind, const char *name, u64 bytes,
		 u32 uid),
	TP_ARGS(id, kind, name, bytes, uid),
	TP_STRUCT__entry(
		__field(u64, id)
		__string(kind, kind)
		__string(name, name)
		__field(u64, bytes)
		__field(u32, uid)
	),
	TP_fast_assign(
		__entry->id = id;
		ramchan_assign_str(kind, kind);
		ramchan_assign_str(name, name);
		__entry->bytes = bytes;
		__entry->uid = uid;
	),
	TP_printk("id=%llu kind=%s name=\"%s\" bytes=%llu uid=%u",
		  __entry->id, __get_str(kind), __get_str(name),
		  __entry->bytes, __entry->uid)
);

TRACE_EVENT(ramchan_chan_destroy,
	TP_PROTO(u64 id, const char *kind),
	TP_ARGS(id, kind),
	TP_STRUCT__entry(
		__field(u64, id)
		__string(kind, kind)
	),
	TP_fast_assign(
		__entry->id = id;
		ramchan_assign_str(kind, kind);
	),
	TP_printk("id=%llu kind=%s", __entry->id, __get_str(kind))
);

/* ---- rings ------------------------------------------------------------- */

#define RAMCHAN_TRACE_WAIT_WHAT(what)					\
	__print_symbolic(what,						\
			 { RAMCHAN_WAIT_READABLE, "readable" },		\
			 { RAMCHAN_WAIT_WRITABLE, "writable" })

/* A caller is about to sleep until the position @what waits on moves. */
TRACE_EVENT(ramchan_ring_wait,
	TP_PROTO(u64 id, unsigned int what, u64 expected, u64 deadline_ns),
	TP_ARGS(id, what, expected, deadline_ns),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(unsigned int, what)
		__field(u64, expected)
		__field(u64, deadline_ns)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->what = what;
		__entry->expected = expected;
		__entry->deadline_ns = deadline_ns;
	),
	TP_printk("id=%llu what=%s expected=%llu deadline_ns=%llu",
		  __entry->id, RAMCHAN_TRACE_WAIT_WHAT(__entry->what),
		  __entry->expected, __entry->deadline_ns)
);

/* ... and is back: @ret 0, -ERESTARTSYS or -ETIMEDOUT. */
TRACE_EVENT(ramchan_ring_wait_done,
	TP_PROTO(u64 id, unsigned int what, int ret),
	TP_ARGS(id, what, ret),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(unsigned int, what)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->what = what;
		__entry->ret = ret;
	),
	TP_printk("id=%llu what=%s ret=%d", __entry->id,
		  RAMCHAN_TRACE_WAIT_WHAT(__entry->what), __entry->ret)
);

/* Sleepers woken: @who is RAMCHAN_WAKE_READERS and/or _WRITERS. */
TRACE_EVENT(ramchan_ring_wake,
	TP_PROTO(u64 id, u64 who, bool explicit),
	TP_ARGS(id, who, explicit),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u64, who)
		__field(bool, explicit)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->who = who;
		__entry->explicit = explicit;
	),
	TP_printk("id=%llu who=%s%s%s%s", __entry->id,
		  __entry->who & RAMCHAN_WAKE_READERS ? "readers" : "",
		  __entry->who == (RAMCHAN_WAKE_READERS | RAMCHAN_WAKE_WRITERS) ?
		  "," : "",
		  __entry->who & RAMCHAN_WAKE_WRITERS ? "writers" : "",
		  __entry->explicit ? " (WAKE ioctl)" : "")
);

/* The shared state of a ring was found inconsistent: it fails from now on. */
TRACE_EVENT(ramchan_ring_broken,
	TP_PROTO(u64 id, u64 size, u64 head_pos, u64 reserve_pos,
		 u64 tail_pos),
	TP_ARGS(id, size, head_pos, reserve_pos, tail_pos),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u64, size)
		__field(u64, head)
		__field(u64, reserve)
		__field(u64, tail)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->size = size;
		__entry->head = head_pos;
		__entry->reserve = reserve_pos;
		__entry->tail = tail_pos;
	),
	TP_printk("id=%llu size=%llu head=%llu reserve=%llu tail=%llu",
		  __entry->id, __entry->size, __entry->head,
		  __entry->reserve, __entry->tail)
);

/* ---- message queues ---------------------------------------------------- */

/* One message and the queue it is in, after the event. */
DECLARE_EVENT_CLASS(ramchan_mq_msg_class,
	TP_PROTO(u64 id, u32 prio, u32 len, u32 count, u32 depth),
	TP_ARGS(id, prio, len, count, depth),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(u32, prio)
		__field(u32, len)
		__field(u32, count)
		__field(u32, depth)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->prio = prio;
		__entry->len = len;
		__entry->count = count;
		__entry->depth = depth;
	),
	TP_printk("id=%llu prio=%u len=%u count=%u depth=%u",
		  __entry->id, __entry->prio, __entry->len, __entry->count,
		  __entry->depth)
);

/* Queued (by its sender, or moved in from a waiting sender). */
DEFINE_EVENT(ramchan_mq_msg_class, ramchan_mq_send,
	TP_PROTO(u64 id, u32 prio, u32 len, u32 count, u32 depth),
	TP_ARGS(id, prio, len, count, depth));

/* Taken off the queue by a receiver. */
DEFINE_EVENT(ramchan_mq_msg_class, ramchan_mq_recv,
	TP_PROTO(u64 id, u32 prio, u32 len, u32 count, u32 depth),
	TP_ARGS(id, prio, len, count, depth));

/* Given straight to a waiting receiver, never queued. */
DEFINE_EVENT(ramchan_mq_msg_class, ramchan_mq_handoff,
	TP_PROTO(u64 id, u32 prio, u32 len, u32 count, u32 depth),
	TP_ARGS(id, prio, len, count, depth));

/* Discarded by drop-oldest to make room (the victim's prio and len). */
DEFINE_EVENT(ramchan_mq_msg_class, ramchan_mq_drop,
	TP_PROTO(u64 id, u32 prio, u32 len, u32 count, u32 depth),
	TP_ARGS(id, prio, len, count, depth));

/* Refused by a full queue with the reject policy (-EAGAIN to its sender). */
DEFINE_EVENT(ramchan_mq_msg_class, ramchan_mq_reject,
	TP_PROTO(u64 id, u32 prio, u32 len, u32 count, u32 depth),
	TP_ARGS(id, prio, len, count, depth));

#endif /* RAMCHAN_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
