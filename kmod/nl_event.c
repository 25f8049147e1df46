// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan netlink events: one message per thing that happened to a
 * channel, multicast to the "events" group of the ramchan genl family.
 *
 * Events are lossy by nature (a listener that does not read overruns its
 * socket), so they never make the operation that causes them fail or
 * wait: messages are built with GFP_ATOMIC | __GFP_NOWARN in whatever
 * context the event happens (some under a queue's or ring's spinlock) and
 * dropped when that fails. Nothing is allocated when nobody listens.
 *
 * Overflow (a full queue dropping or rejecting) can happen millions of
 * times a second: those events are limited to RAMCHAN_NL_OVERFLOW_BURST a
 * second, module-wide, and the next one sent says how many were not.
 *
 * The family is registered by netlink.c, which hands it here once it is
 * live (ramchan_nl_event_start()) and takes it back before unregistering
 * it (ramchan_nl_event_stop(), which waits for senders with RCU).
 *
 * Owns: event messages. Uses nothing of ramchan but its uapi.
 */
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <net/genetlink.h>
#include <linux/ramchan.h>

#include "nl_event.h"

/* The one multicast group of the family: index 0 of its mcgrps. */
#define RAMCHAN_NL_GROUP_EVENTS	0

/* An event: a genl header, ids, kind, a name, a few counters. */
#define RAMCHAN_NL_EVENT_SIZE	256

static const struct genl_family __rcu *ramchan_nl_event_family;

/* Overflow rate limit: a window of one second, its count, what was cut. */
static DEFINE_SPINLOCK(ramchan_nl_overflow_lock);
static unsigned long ramchan_nl_overflow_window;
static unsigned int ramchan_nl_overflow_sent;
static u64 ramchan_nl_overflow_suppressed;

void ramchan_nl_event_start(const struct genl_family *family)
{
	rcu_assign_pointer(ramchan_nl_event_family, family);
}

void ramchan_nl_event_stop(void)
{
	RCU_INIT_POINTER(ramchan_nl_event_family, NULL);
	synchronize_rcu();
}

/*
 * A new event message for @cmd from @family (NULL once netlink is
 * stopping), or NULL when nobody listens or memory is short. Called and
 * sent (ramchan_nl_event_send()) under the RCU read lock that @family was
 * read under.
 */
static struct sk_buff *ramchan_nl_event_new(const struct genl_family *family,
					    u8 cmd, void **hdrp)
{
	struct sk_buff *skb;

	if (!family ||
	    !genl_has_listeners(family, &init_net, RAMCHAN_NL_GROUP_EVENTS))
		return NULL;
	skb = genlmsg_new(RAMCHAN_NL_EVENT_SIZE, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return NULL;
	*hdrp = genlmsg_put(skb, 0, 0, family, 0, cmd);
	if (!*hdrp) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/* Send what ramchan_nl_event_new() began; @err is how filling it went. */
static void ramchan_nl_event_send(const struct genl_family *family,
				  struct sk_buff *skb, void *hdr, int err)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(family, skb, 0, RAMCHAN_NL_GROUP_EVENTS,
			  GFP_ATOMIC | __GFP_NOWARN);
}

static int ramchan_nl_put_chan(struct sk_buff *skb, u64 id, unsigned int kind,
			       const char *name)
{
	if (nla_put_u64_64bit(skb, RAMCHAN_A_CHANNEL_ID, id,
			      RAMCHAN_A_CHANNEL_PAD) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_KIND, kind))
		return -EMSGSIZE;
	if (name && name[0] && nla_put_string(skb, RAMCHAN_A_CHANNEL_NAME, name))
		return -EMSGSIZE;
	return 0;
}

/*
 * An event with the channel's id, kind, name and @extra (an attribute
 * type, 0 for none) of @value.
 */
static void ramchan_nl_chan_event(u8 cmd, u64 id, unsigned int kind,
				  const char *name, int extra, u32 value)
{
	const struct genl_family *family;
	struct sk_buff *skb;
	void *hdr;
	int err;

	rcu_read_lock();
	family = rcu_dereference(ramchan_nl_event_family);
	skb = ramchan_nl_event_new(family, cmd, &hdr);
	if (skb) {
		err = ramchan_nl_put_chan(skb, id, kind, name);
		if (!err && extra && nla_put_u32(skb, extra, value))
			err = -EMSGSIZE;
		ramchan_nl_event_send(family, skb, hdr, err);
	}
	rcu_read_unlock();
}

void ramchan_nl_chan_created(u64 id, unsigned int kind, const char *name,
			     u32 owner)
{
	ramchan_nl_chan_event(RAMCHAN_CMD_CHANNEL_CREATE_NTF, id, kind, name,
			      RAMCHAN_A_CHANNEL_OWNER, owner);
}

void ramchan_nl_chan_destroyed(u64 id, unsigned int kind, const char *name)
{
	ramchan_nl_chan_event(RAMCHAN_CMD_CHANNEL_DESTROY_NTF, id, kind, name,
			      0, 0);
}

void ramchan_nl_chan_unlinked(u64 id, unsigned int kind, const char *name)
{
	ramchan_nl_chan_event(RAMCHAN_CMD_CHANNEL_UNLINK_NTF, id, kind, name,
			      0, 0);
}

void ramchan_nl_ring_broken(u64 id)
{
	ramchan_nl_chan_event(RAMCHAN_CMD_RING_BROKEN_NTF, id,
			      RAMCHAN_KIND_RING, NULL, 0, 0);
}

void ramchan_nl_peer_gone(u64 id, unsigned int kind, unsigned int role)
{
	ramchan_nl_chan_event(RAMCHAN_CMD_PEER_GONE_NTF, id, kind, NULL,
			      RAMCHAN_A_CHANNEL_ROLE, role);
}

/*
 * May an overflow event go out now? If not, it is counted; if so,
 * *@suppressed is how many were counted since the last one sent.
 */
static bool ramchan_nl_overflow_allowed(u64 *suppressed)
{
	unsigned long flags;
	bool allowed;

	spin_lock_irqsave(&ramchan_nl_overflow_lock, flags);
	if (time_after_eq(jiffies, ramchan_nl_overflow_window + HZ)) {
		ramchan_nl_overflow_window = jiffies;
		ramchan_nl_overflow_sent = 0;
	}
	allowed = ramchan_nl_overflow_sent < RAMCHAN_NL_OVERFLOW_BURST;
	if (allowed) {
		ramchan_nl_overflow_sent++;
		*suppressed = ramchan_nl_overflow_suppressed;
		ramchan_nl_overflow_suppressed = 0;
	} else {
		ramchan_nl_overflow_suppressed++;
	}
	spin_unlock_irqrestore(&ramchan_nl_overflow_lock, flags);
	return allowed;
}

void ramchan_nl_overflow(u64 id, u32 policy, u64 drops, u64 rejects)
{
	const struct genl_family *family;
	struct sk_buff *skb = NULL;
	u64 suppressed;
	void *hdr;
	int err;

	rcu_read_lock();
	family = rcu_dereference(ramchan_nl_event_family);
	/* No listener, no rate-limit bookkeeping; over the limit, no skb. */
	if (family &&
	    genl_has_listeners(family, &init_net, RAMCHAN_NL_GROUP_EVENTS) &&
	    ramchan_nl_overflow_allowed(&suppressed))
		skb = ramchan_nl_event_new(family, RAMCHAN_CMD_OVERFLOW_NTF,
					   &hdr);
	if (skb) {
		err = ramchan_nl_put_chan(skb, id, RAMCHAN_KIND_MQ, NULL);
		if (!err &&
		    (nla_put_u32(skb, RAMCHAN_A_CHANNEL_OVERFLOW, policy) ||
		     nla_put_u64_64bit(skb, RAMCHAN_A_CHANNEL_DROPS, drops,
				       RAMCHAN_A_CHANNEL_PAD) ||
		     nla_put_u64_64bit(skb, RAMCHAN_A_CHANNEL_REJECTS, rejects,
				       RAMCHAN_A_CHANNEL_PAD) ||
		     nla_put_u64_64bit(skb, RAMCHAN_A_CHANNEL_SUPPRESSED,
				       suppressed, RAMCHAN_A_CHANNEL_PAD)))
			err = -EMSGSIZE;
		ramchan_nl_event_send(family, skb, hdr, err);
	}
	rcu_read_unlock();
}
