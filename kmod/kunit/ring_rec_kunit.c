// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the checks the kernel applies to what userspace writes into a
 * ring (ring_rec.c), against hostile values. Built into ramchan.ko on
 * kernels with CONFIG_KUNIT; the suite runs when the module is loaded.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "../ring.h"

#define SIZE	4096ULL

static void size_ok_should_accept_powers_of_two_from_a_page_to_max(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, ramchan_ring_size_ok(PAGE_SIZE, 1ULL << 26));
	KUNIT_EXPECT_TRUE(test, ramchan_ring_size_ok(1ULL << 26, 1ULL << 26));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_size_ok(0, 1ULL << 26));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_size_ok(PAGE_SIZE / 2, 1ULL << 26));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_size_ok(PAGE_SIZE + 8, 1ULL << 26));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_size_ok(1ULL << 27, 1ULL << 26));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_size_ok(1ULL << 63, 1ULL << 26));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_size_ok(U64_MAX, U64_MAX));
}

static void span_ok_should_accept_empty_full_and_wrapped_spans(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, ramchan_ring_span_ok(SIZE, 0, 0));
	KUNIT_EXPECT_TRUE(test, ramchan_ring_span_ok(SIZE, 0, SIZE));
	KUNIT_EXPECT_TRUE(test, ramchan_ring_span_ok(SIZE, 1ULL << 32,
						     (1ULL << 32) + SIZE));
	/* Positions are free-running: the span may cross 2^64. */
	KUNIT_EXPECT_TRUE(test, ramchan_ring_span_ok(SIZE, U64_MAX - 7, 8));
	KUNIT_EXPECT_TRUE(test, ramchan_ring_span_ok(SIZE, -SIZE, 0));
}

static void span_ok_should_reject_spans_longer_than_the_ring(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, ramchan_ring_span_ok(SIZE, 0, SIZE + 8));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_span_ok(SIZE, 0, 1ULL << 31));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_span_ok(SIZE, 0, 1ULL << 32));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_span_ok(SIZE, 0, U64_MAX - 7));
	/* A head behind its tail is a huge span, not a negative one. */
	KUNIT_EXPECT_FALSE(test, ramchan_ring_span_ok(SIZE, 16, 8));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_span_ok(SIZE, -SIZE - 8, 0));
}

static void span_ok_should_reject_misaligned_positions(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, ramchan_ring_span_ok(SIZE, 4, 8));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_span_ok(SIZE, 0, 12));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_span_ok(SIZE, 1, 1));
	KUNIT_EXPECT_FALSE(test, ramchan_ring_span_ok(SIZE, U64_MAX, U64_MAX));
}

static void rec_parse_should_accept_records_within_the_committed_bytes(struct kunit *test)
{
	u64 len = 99, total = 99;

	KUNIT_EXPECT_EQ(test, ramchan_rec_parse(0, 8, &len, &total), 0);
	KUNIT_EXPECT_EQ(test, len, 0);
	KUNIT_EXPECT_EQ(test, total, 8);
	KUNIT_EXPECT_EQ(test, ramchan_rec_parse(1, 16, &len, &total), 0);
	KUNIT_EXPECT_EQ(test, len, 1);
	KUNIT_EXPECT_EQ(test, total, 16);
	KUNIT_EXPECT_EQ(test, ramchan_rec_parse(SIZE - 8, SIZE, &len, &total), 0);
	KUNIT_EXPECT_EQ(test, total, SIZE);
	KUNIT_EXPECT_EQ(test, ramchan_rec_parse(8 | RAMCHAN_REC_DISCARD, 16,
						&len, &total), 0);
	KUNIT_EXPECT_EQ(test, len, 8);
}

static void rec_parse_should_reject_records_longer_than_committed(struct kunit *test)
{
	u64 len, total;

	KUNIT_EXPECT_EQ(test, ramchan_rec_parse(9, 16, &len, &total), -EIO);
	KUNIT_EXPECT_EQ(test, ramchan_rec_parse(SIZE, SIZE, &len, &total), -EIO);
	KUNIT_EXPECT_EQ(test, ramchan_rec_parse(RAMCHAN_REC_LEN_MASK, SIZE,
						&len, &total), -EIO);
	KUNIT_EXPECT_EQ(test, ramchan_rec_parse(0, 0, &len, &total), -EIO);
}

static void rec_parse_should_reject_unknown_flag_bits(struct kunit *test)
{
	u64 len, total;
	int bit;

	for (bit = 32; bit < 64; bit++) {
		if (BIT_ULL(bit) == RAMCHAN_REC_DISCARD)
			continue;
		KUNIT_EXPECT_EQ(test, ramchan_rec_parse(BIT_ULL(bit), SIZE,
							&len, &total), -EIO);
	}
}

static void rec_deliverable_should_skip_empty_and_discarded_records(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, ramchan_rec_deliverable(1));
	KUNIT_EXPECT_FALSE(test, ramchan_rec_deliverable(0));
	KUNIT_EXPECT_FALSE(test, ramchan_rec_deliverable(RAMCHAN_REC_DISCARD));
	KUNIT_EXPECT_FALSE(test, ramchan_rec_deliverable(8 | RAMCHAN_REC_DISCARD));
}

/* A ring of SIZE bytes whose shared pages are plain kernel memory. */
static struct ramchan_ring *ramchan_kunit_ring(struct kunit *test)
{
	struct ramchan_ring *ring;

	ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring);
	ring->size = SIZE;
	ring->mask = SIZE - 1;
	ring->prod = kunit_kzalloc(test, sizeof(*ring->prod), GFP_KERNEL);
	ring->cons = kunit_kzalloc(test, sizeof(*ring->cons), GFP_KERNEL);
	ring->data = kunit_kzalloc(test, SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring->prod);
	KUNIT_ASSERT_NOT_NULL(test, ring->cons);
	KUNIT_ASSERT_NOT_NULL(test, ring->data);
	return ring;
}

static void queued_records_should_count_at_most_a_ring_of_empty_records(struct kunit *test)
{
	struct ramchan_ring *ring = ramchan_kunit_ring(test);

	ring->cons->tail = 1ULL << 40;
	ring->prod->head = (1ULL << 40) + SIZE;
	KUNIT_EXPECT_EQ(test, ramchan_ring_queued_records(ring), SIZE / 8);
}

static void queued_records_should_stop_at_a_corrupt_header(struct kunit *test)
{
	struct ramchan_ring *ring = ramchan_kunit_ring(test);
	u64 *hdr = (u64 *)ring->data;

	hdr[0] = 8;			/* one record of 16 bytes */
	hdr[2] = RAMCHAN_REC_LEN_MASK;	/* then one longer than the ring */
	ring->prod->head = 64;
	KUNIT_EXPECT_EQ(test, ramchan_ring_queued_records(ring), 1);
}

static void queued_records_should_be_zero_for_corrupt_positions(struct kunit *test)
{
	struct ramchan_ring *ring = ramchan_kunit_ring(test);

	ring->prod->head = SIZE + 8;
	KUNIT_EXPECT_EQ(test, ramchan_ring_queued_records(ring), 0);
	ring->prod->head = 12;
	KUNIT_EXPECT_EQ(test, ramchan_ring_queued_records(ring), 0);
	ring->cons->tail = 8;
	ring->prod->head = 0;
	KUNIT_EXPECT_EQ(test, ramchan_ring_queued_records(ring), 0);
}

static struct kunit_case ramchan_ring_rec_cases[] = {
	KUNIT_CASE(size_ok_should_accept_powers_of_two_from_a_page_to_max),
	KUNIT_CASE(span_ok_should_accept_empty_full_and_wrapped_spans),
	KUNIT_CASE(span_ok_should_reject_spans_longer_than_the_ring),
	KUNIT_CASE(span_ok_should_reject_misaligned_positions),
	KUNIT_CASE(rec_parse_should_accept_records_within_the_committed_bytes),
	KUNIT_CASE(rec_parse_should_reject_records_longer_than_committed),
	KUNIT_CASE(rec_parse_should_reject_unknown_flag_bits),
	KUNIT_CASE(rec_deliverable_should_skip_empty_and_discarded_records),
	KUNIT_CASE(queued_records_should_count_at_most_a_ring_of_empty_records),
	KUNIT_CASE(queued_records_should_stop_at_a_corrupt_header),
	KUNIT_CASE(queued_records_should_be_zero_for_corrupt_positions),
	{}
};

static struct kunit_suite ramchan_ring_rec_suite = {
	.name = "ramchan_ring_rec",
	.test_cases = ramchan_ring_rec_cases,
};

kunit_test_suite(ramchan_ring_rec_suite);
