// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the message queue's pure logic: the priority tree (orders, FIFO
 * within a priority, the drop-oldest victim, nodes without allocation),
 * the worst-case size arithmetic and the validation of batch entries.
 * Built into ramchan.ko on kernels with CONFIG_KUNIT.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "../mq.h"

static struct ramchan_mq *ramchan_kunit_mq(struct kunit *test)
{
	struct ramchan_mq *mq = kunit_kzalloc(test, sizeof(*mq), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mq);
	ramchan_mq_setup(mq, 64, 64, RAMCHAN_MQ_OVERFLOW_BLOCK, 0);
	return mq;
}

/* A message of priority @prio whose payload is its sequence number @seq. */
static struct ramchan_mq_message *ramchan_kunit_msg(struct kunit *test,
						    u32 prio, u32 seq)
{
	struct ramchan_mq_message *msg;

	msg = kzalloc(struct_size(msg, data, sizeof(seq)), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, msg);
	refcount_set(&msg->ref, 1);
	msg->prio = prio;
	msg->len = sizeof(seq);
	memcpy(msg->data, &seq, sizeof(seq));
	return msg;
}

/* Queue @n messages with the priorities in @prios, numbered from 0. */
static void ramchan_kunit_fill(struct kunit *test, struct ramchan_mq *mq,
			       const u32 *prios, unsigned int n)
{
	struct ramchan_mq_message *msg;
	struct ramchan_mq_prio *spare;
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		msg = ramchan_kunit_msg(test, prios[i], i);
		spare = kmalloc(sizeof(*spare), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, spare);
		spin_lock(&mq->lock);
		err = ramchan_mq_enqueue_locked(mq, msg, &spare);
		spin_unlock(&mq->lock);
		KUNIT_EXPECT_EQ(test, err, 0);
		kfree(spare);
	}
}

static u32 ramchan_kunit_seq(const struct ramchan_mq_message *msg)
{
	u32 seq;

	memcpy(&seq, msg->data, sizeof(seq));
	return seq;
}

static void mq_prio_should_deliver_highest_first_and_fifo_within(struct kunit *test)
{
	static const u32 prios[] = { 3, 1, 9, 3, 0, 9, 1, 32767 };
	static const u32 order[] = { 7, 2, 5, 0, 3, 1, 6, 4 };
	struct ramchan_mq *mq = ramchan_kunit_mq(test);
	struct ramchan_mq_message *msg;
	struct ramchan_mq_prio *node;
	unsigned int i;

	ramchan_kunit_fill(test, mq, prios, ARRAY_SIZE(prios));
	KUNIT_EXPECT_EQ(test, mq->count, ARRAY_SIZE(prios));
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		spin_lock(&mq->lock);
		msg = ramchan_mq_remove_locked(mq, ramchan_mq_prio_highest(mq));
		spin_unlock(&mq->lock);
		KUNIT_EXPECT_EQ(test, ramchan_kunit_seq(msg), order[i]);
		ramchan_mq_msg_put(msg);
	}
	KUNIT_EXPECT_EQ(test, mq->count, 0);
	KUNIT_EXPECT_EQ(test, mq->bytes, 0);
	spin_lock(&mq->lock);
	node = ramchan_mq_prio_highest(mq);
	spin_unlock(&mq->lock);
	KUNIT_EXPECT_NULL(test, node);
	ramchan_mq_prio_destroy(mq);
}

static void mq_prio_should_pick_the_oldest_lowest_message_to_drop(struct kunit *test)
{
	static const u32 prios[] = { 5, 2, 7, 2, 5 };
	struct ramchan_mq *mq = ramchan_kunit_mq(test);
	struct ramchan_mq_message *msg;
	u32 lowest;

	ramchan_kunit_fill(test, mq, prios, ARRAY_SIZE(prios));
	spin_lock(&mq->lock);
	lowest = ramchan_mq_prio_lowest(mq)->prio;
	msg = ramchan_mq_remove_locked(mq, ramchan_mq_prio_lowest(mq));
	spin_unlock(&mq->lock);
	KUNIT_EXPECT_EQ(test, lowest, 2);
	KUNIT_EXPECT_EQ(test, ramchan_kunit_seq(msg), 1);
	ramchan_mq_msg_put(msg);
	ramchan_mq_prio_destroy(mq);	/* frees the queued messages too */
}

static void mq_prio_should_need_a_spare_node_only_for_a_new_priority(struct kunit *test)
{
	struct ramchan_mq *mq = ramchan_kunit_mq(test);
	struct ramchan_mq_prio *spare = NULL, *none, *node, *again;
	bool avail_before, avail_same, avail_other;

	spin_lock(&mq->lock);
	none = ramchan_mq_prio_get_locked(mq, 4, &spare);
	avail_before = ramchan_mq_prio_available_locked(mq, 4, NULL);
	spin_unlock(&mq->lock);
	KUNIT_EXPECT_NULL(test, none);
	KUNIT_EXPECT_FALSE(test, avail_before);

	spare = kmalloc(sizeof(*spare), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spare);
	spin_lock(&mq->lock);
	node = ramchan_mq_prio_get_locked(mq, 4, &spare);
	again = ramchan_mq_prio_get_locked(mq, 4, NULL);
	avail_same = ramchan_mq_prio_available_locked(mq, 4, NULL);
	avail_other = ramchan_mq_prio_available_locked(mq, 5, NULL);
	spin_unlock(&mq->lock);
	KUNIT_EXPECT_NOT_NULL(test, node);
	KUNIT_EXPECT_NULL(test, spare);		/* taken */
	KUNIT_EXPECT_PTR_EQ(test, again, node);
	KUNIT_EXPECT_TRUE(test, avail_same);
	KUNIT_EXPECT_FALSE(test, avail_other);
	/* The node has no message: take it out by hand. */
	rb_erase_cached(&node->rb, &mq->tree);
	kfree(node);
	ramchan_mq_prio_destroy(mq);
}

static void mq_prio_should_keep_an_emptied_node_as_the_spare(struct kunit *test)
{
	static const u32 prios[] = { 1 };
	struct ramchan_mq *mq = ramchan_kunit_mq(test);
	struct ramchan_mq_message *msg;
	bool avail;

	ramchan_kunit_fill(test, mq, prios, 1);
	spin_lock(&mq->lock);
	msg = ramchan_mq_remove_locked(mq, ramchan_mq_prio_highest(mq));
	avail = ramchan_mq_prio_available_locked(mq, 9, NULL);
	spin_unlock(&mq->lock);
	KUNIT_EXPECT_NOT_NULL(test, mq->spare_prio);
	KUNIT_EXPECT_TRUE(test, avail);
	ramchan_mq_msg_put(msg);
	ramchan_mq_prio_destroy(mq);
}

static void mq_cost_should_fail_on_overflow_at_every_boundary(struct kunit *test)
{
	u64 cost, per = sizeof(struct ramchan_mq_message);

	KUNIT_EXPECT_EQ(test, ramchan_mq_cost(1, 8, &cost), 0);
	KUNIT_EXPECT_EQ(test, cost, 8 + per + sizeof(struct ramchan_mq_prio));
	KUNIT_EXPECT_EQ(test, ramchan_mq_cost(1, U64_MAX, &cost), -EINVAL);
	KUNIT_EXPECT_EQ(test, ramchan_mq_cost(1, U64_MAX - per, &cost), -EINVAL);
	KUNIT_EXPECT_EQ(test, ramchan_mq_cost(2, U64_MAX / 2, &cost), -EINVAL);
	KUNIT_EXPECT_EQ(test, ramchan_mq_cost(U64_MAX, 1, &cost), -EINVAL);
	KUNIT_EXPECT_EQ(test, ramchan_mq_cost(1ULL << 32, 1ULL << 32, &cost),
			-EINVAL);
	/* Priority nodes are counted once per priority, at most. */
	KUNIT_EXPECT_EQ(test, ramchan_mq_cost(1 << 20, 8, &cost), 0);
	KUNIT_EXPECT_EQ(test, cost, (1ULL << 20) * (8 + per) +
			RAMCHAN_MQ_PRIO_MAX * sizeof(struct ramchan_mq_prio));
}

static void mq_vec_check_should_reject_each_bad_field(struct kunit *test)
{
	struct ramchan_mq_vec vec = { .len = 64, .prio = 0 };

	KUNIT_EXPECT_EQ(test, ramchan_mq_vec_check(&vec, 64), 0);
	vec.len = 65;
	KUNIT_EXPECT_EQ(test, ramchan_mq_vec_check(&vec, 64), -EMSGSIZE);
	vec.len = U32_MAX;
	KUNIT_EXPECT_EQ(test, ramchan_mq_vec_check(&vec, 64), -EMSGSIZE);
	vec.len = 0;
	KUNIT_EXPECT_EQ(test, ramchan_mq_vec_check(&vec, 64), 0);
	vec.prio = RAMCHAN_MQ_PRIO_MAX - 1;
	KUNIT_EXPECT_EQ(test, ramchan_mq_vec_check(&vec, 64), 0);
	vec.prio = RAMCHAN_MQ_PRIO_MAX;
	KUNIT_EXPECT_EQ(test, ramchan_mq_vec_check(&vec, 64), -EINVAL);
	vec.prio = U32_MAX;
	KUNIT_EXPECT_EQ(test, ramchan_mq_vec_check(&vec, 64), -EINVAL);
	vec.prio = 0;
	vec.reserved = 1;
	KUNIT_EXPECT_EQ(test, ramchan_mq_vec_check(&vec, 64), -EINVAL);
}

static struct kunit_case ramchan_mq_cases[] = {
	KUNIT_CASE(mq_prio_should_deliver_highest_first_and_fifo_within),
	KUNIT_CASE(mq_prio_should_pick_the_oldest_lowest_message_to_drop),
	KUNIT_CASE(mq_prio_should_need_a_spare_node_only_for_a_new_priority),
	KUNIT_CASE(mq_prio_should_keep_an_emptied_node_as_the_spare),
	KUNIT_CASE(mq_cost_should_fail_on_overflow_at_every_boundary),
	KUNIT_CASE(mq_vec_check_should_reject_each_bad_field),
	{}
};

static struct kunit_suite ramchan_mq_suite = {
	.name = "ramchan_mq",
	.test_cases = ramchan_mq_cases,
};

kunit_test_suite(ramchan_mq_suite);
