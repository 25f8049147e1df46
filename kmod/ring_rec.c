// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan ring records: the checks every kernel path applies to what
 * userspace wrote into a ring's shared pages, kept apart so that they are
 * the same everywhere and can be tested on their own (KUnit).
 *
 * A record is an 8-byte header (length in the low 32 bits, flag bits
 * above) and its payload, padded to 8 bytes. Positions are free-running
 * u64 byte counts; their offset in the data area is (pos & mask). A span
 * of positions from @from to @to is sane when it is 8-byte aligned and no
 * longer than the ring: anything else means the shared state is corrupt.
 *
 * Owns no state; ramchan_ring_queued_records() reads a ring's pages.
 */
#include <linux/align.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "ring.h"

/* Walks of the records between two positions reschedule this often. */
#define RAMCHAN_RING_RESCHED_RECORDS	1024

/**
 * ramchan_ring_size_ok - may a ring's data area have @size bytes?
 * @size:	the size asked for
 * @max:	the largest allowed, a power of two (max_ring_bytes)
 *
 * Return: true for a power of two from PAGE_SIZE to @max.
 */
bool ramchan_ring_size_ok(u64 size, u64 max)
{
	return size >= PAGE_SIZE && size <= max && is_power_of_2(size);
}

/**
 * ramchan_ring_span_ok - are @from..@to positions of a sane ring of @size?
 * @size:	the kernel's size of the data area
 * @from:	the older position (e.g. the tail)
 * @to:		the newer position (e.g. the head)
 *
 * Return: true when both are 8-byte aligned and @to - @from (mod 2^64)
 * is at most @size.
 */
bool ramchan_ring_span_ok(u64 size, u64 from, u64 to)
{
	return !((from | to) % RAMCHAN_REC_ALIGN) && to - from <= size;
}

/**
 * ramchan_rec_parse - check the header of a record
 * @hdr:	the header, one snapshot
 * @avail:	bytes committed from the record's start to the head
 * @lenp:	out: payload length
 * @totalp:	out: bytes the record occupies, header and padding included
 *
 * Return: 0, or -EIO for unknown flag bits or a record longer than @avail.
 */
int ramchan_rec_parse(u64 hdr, u64 avail, u64 *lenp, u64 *totalp)
{
	u64 len, total;

	if (hdr & ~(RAMCHAN_REC_LEN_MASK | RAMCHAN_REC_DISCARD))
		return -EIO;
	len = hdr & RAMCHAN_REC_LEN_MASK;
	total = ALIGN(RAMCHAN_REC_HDR_SIZE + len, RAMCHAN_REC_ALIGN);
	if (total > avail)
		return -EIO;
	*lenp = len;
	*totalp = total;
	return 0;
}

/*
 * Does a record carry a message? Empty and discarded records are
 * consumed without being delivered; no honest producer writes many.
 */
bool ramchan_rec_deliverable(u64 hdr)
{
	return (hdr & RAMCHAN_REC_LEN_MASK) && !(hdr & RAMCHAN_REC_DISCARD);
}

/**
 * ramchan_ring_queued_records - records between the tail and the head
 * @ring:	the ring
 *
 * For sysfs: walks the headers, at most one ring's worth of the smallest
 * records, rescheduling on the way; stops at the first corrupt one.
 * Return: the records counted; 0 when the positions are corrupt.
 */
u64 ramchan_ring_queued_records(struct ramchan_ring *ring)
{
	u64 tail = READ_ONCE(ring->cons->tail);
	u64 head = READ_ONCE(ring->prod->head);
	u64 n = 0, hdr, len, total;

	if (!ramchan_ring_span_ok(ring->size, tail, head))
		return 0;
	while (tail != head && n < ring->size / RAMCHAN_REC_ALIGN) {
		hdr = READ_ONCE(*(u64 *)(ring->data + (tail & ring->mask)));
		if (ramchan_rec_parse(hdr, head - tail, &len, &total))
			break;
		tail += total;
		if (!(++n % RAMCHAN_RING_RESCHED_RECORDS))
			cond_resched();
	}
	return n;
}
