// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan queue messages: allocation, the copies from and to userspace,
 * and freeing. A message is allocated and filled before the queue lock is
 * taken and copied out and freed after it is released: nothing here runs
 * under mq->lock.
 *
 * Small messages (header and payload within RAMCHAN_MQ_SMALL_SIZE) come
 * from ramchan_mq_cache, a usercopy-whitelisted slab whose window is the
 * payload; larger ones from kvmalloc(). Both are GFP_KERNEL_ACCOUNT.
 *
 * Owns: ramchan_mq_cache.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mq.h"

static struct kmem_cache *ramchan_mq_cache;

static void ramchan_mq_msg_free(struct ramchan_mq_message *msg)
{
	if (msg->cached)
		kmem_cache_free(ramchan_mq_cache, msg);
	else
		kvfree(msg);
}

/*
 * Copy a small payload in by words inside one user access window: the
 * read-side twin of x86's unsafe_copy_to_user() loop, for the payloads of
 * ramchan_mq_cache objects (the bound the hardened usercopy check would
 * verify is RAMCHAN_MQ_SMALL_PAYLOAD). Arches without cheap unaligned
 * access use copy_from_user().
 */
static int ramchan_mq_copy_small_in(u8 *dst, const u8 __user *src, u32 len)
{
	if (!IS_ENABLED(CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS))
		return copy_from_user(dst, src, len) ? -EFAULT : 0;
	if (!user_read_access_begin(src, len))
		return -EFAULT;
	for (; len >= 8; dst += 8, src += 8, len -= 8)
		unsafe_get_user(*(u64 *)dst, (const u64 __user *)src, efault);
	if (len >= 4) {
		unsafe_get_user(*(u32 *)dst, (const u32 __user *)src, efault);
		dst += 4;
		src += 4;
		len -= 4;
	}
	for (; len; dst++, src++, len--)
		unsafe_get_user(*dst, src, efault);
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

/* Set up @msg (allocated for @len bytes) and copy its payload in. */
int ramchan_mq_msg_copy_in(struct ramchan_mq_message *msg, bool cached,
			   u64 ubuf, u32 len, u32 prio)
{
	void __user *src = u64_to_user_ptr(ubuf);
	int err;

	msg->cached = cached;
	msg->len = len;
	msg->prio = prio;
	refcount_set(&msg->ref, 1);
	if (cached)
		err = ramchan_mq_copy_small_in(msg->data, src, len);
	else
		err = copy_from_user(msg->data, src, len) ? -EFAULT : 0;
	if (err)
		ramchan_mq_msg_free(msg);
	return err;
}

/* A message of @len bytes copied from @ubuf. Never called under mq->lock. */
struct ramchan_mq_message *ramchan_mq_msg_new(u64 ubuf, u32 len, u32 prio)
{
	struct ramchan_mq_message *msg;
	bool cached = len <= RAMCHAN_MQ_SMALL_PAYLOAD;
	int err;

	if (cached)
		msg = kmem_cache_alloc(ramchan_mq_cache, GFP_KERNEL_ACCOUNT);
	else	/* a user-sized request: failing it is -ENOMEM, not a splat */
		msg = kvmalloc(struct_size(msg, data, len),
			       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	err = ramchan_mq_msg_copy_in(msg, cached, ubuf, len, prio);
	return err ? ERR_PTR(err) : msg;
}

/*
 * Copy a message's payload out. A small one moves in words inside one
 * user access window, as filldir() does: @msg->len never exceeds its
 * allocation, which is what the hardened usercopy check would verify.
 */
int ramchan_mq_msg_copy_out(u64 ubuf, const struct ramchan_mq_message *msg)
{
	void __user *dst = u64_to_user_ptr(ubuf);

	if (!msg->cached)
		return copy_to_user(dst, msg->data, msg->len) ? -EFAULT : 0;
	if (!user_write_access_begin(dst, msg->len))
		return -EFAULT;
	unsafe_copy_to_user(dst, msg->data, msg->len, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/* Drop a reference; may sleep (kvfree), so never under mq->lock. */
void ramchan_mq_msg_put(struct ramchan_mq_message *msg)
{
	if (refcount_dec_and_test(&msg->ref))
		ramchan_mq_msg_free(msg);
}

/* Put up to RAMCHAN_MQ_BATCH_CHUNK messages (NULLs skipped), in bulk. */
void ramchan_mq_msg_put_many(struct ramchan_mq_message **msgs,
			     unsigned int n)
{
	void *small[RAMCHAN_MQ_BATCH_CHUNK];
	unsigned int i, nr = 0;

	if (WARN_ON_ONCE(n > RAMCHAN_MQ_BATCH_CHUNK))
		return;
	for (i = 0; i < n; i++) {
		if (!msgs[i] || !refcount_dec_and_test(&msgs[i]->ref))
			continue;
		if (msgs[i]->cached)
			small[nr++] = msgs[i];
		else
			kvfree(msgs[i]);
	}
	if (nr)
		kmem_cache_free_bulk(ramchan_mq_cache, nr, small);
}

/* Put a chain of messages linked by @next. */
void ramchan_mq_msg_put_chain(struct ramchan_mq_message *msg)
{
	struct ramchan_mq_message *next;

	for (; msg; msg = next) {
		next = msg->next;
		ramchan_mq_msg_put(msg);
	}
}

/*
 * Worst case of a full queue: @depth messages of @msg_size bytes, each with
 * its header, and a priority node each (at most RAMCHAN_MQ_PRIO_MAX).
 * Return: 0 with *@cost, or -EINVAL when it overflows.
 */
int ramchan_mq_cost(u64 depth, u64 msg_size, u64 *cost)
{
	u64 per_msg, msgs, nodes;

	if (check_add_overflow(msg_size,
			       (u64)sizeof(struct ramchan_mq_message),
			       &per_msg) ||
	    check_mul_overflow(depth, per_msg, &msgs) ||
	    check_mul_overflow(min_t(u64, depth, RAMCHAN_MQ_PRIO_MAX),
			       (u64)sizeof(struct ramchan_mq_prio), &nodes) ||
	    check_add_overflow(msgs, nodes, cost))
		return -EINVAL;
	return 0;
}

/*
 * Allocate up to @n small messages in one bulk call, for a batch.
 * Return: how many were allocated (possibly fewer, even 0).
 */
unsigned int ramchan_mq_msg_alloc_small(void **small, unsigned int n)
{
	return kmem_cache_alloc_bulk(ramchan_mq_cache, GFP_KERNEL_ACCOUNT, n,
				     small);
}

int __init ramchan_mq_msg_init(void)
{
	unsigned int useroffset = offsetof(struct ramchan_mq_message, data);

	/* Only the payload is ever copied from or to userspace. */
	ramchan_mq_cache = kmem_cache_create_usercopy("ramchan_mq_msg",
						      RAMCHAN_MQ_SMALL_SIZE, 0,
						      SLAB_ACCOUNT, useroffset,
						      RAMCHAN_MQ_SMALL_PAYLOAD,
						      NULL);
	return ramchan_mq_cache ? 0 : -ENOMEM;
}

void ramchan_mq_msg_exit(void)
{
	kmem_cache_destroy(ramchan_mq_cache);
}
