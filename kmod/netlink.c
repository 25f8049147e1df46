// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan generic netlink family "ramchan": the control plane and live
 * view (Documentation/netlink/specs/ramchan.yaml is its source of truth).
 *
 *   channel-get do	one channel of the caller's IPC namespace, by id or
 *			by name, with its figures and its peers
 *   channel-get dump	every such channel (of one kind), peers on request
 *   stats-get do	the global counters
 *   group "events"	channel create/destroy/unlink, peer gone, ring
 *			broken, queue overflow (nl_event.c)
 *
 * The policies are what ynl-gen-c.py --mode kernel renders from the spec,
 * with one difference: Linux 6.1 has no split ops (a do and a dump of one
 * command with policies of their own, 6.2), so channel-get has one policy,
 * the union of the spec's do and dump requests, and each handler refuses
 * the attributes of the other. tools/netlink/check-spec checks them.
 *
 * Peers (the pid and fd of each file) are shown for every process only to
 * the channel's owner and to CAP_SYS_ADMIN; others see their own. The
 * family lives in the initial network namespace (netnsok is false): the
 * channels it shows are scoped by the IPC namespace, not the network one.
 *
 * Owns: the family, its policies and handlers. Uses chan.c (lookups and
 * the peer walk), ring.h and mq.h (their figures, as sysfs.c does),
 * nl_event.c (hands it the family).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched/signal.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>
#include <linux/ramchan.h>

#include "account.h"
#include "chan.h"
#include "mq.h"
#include "netlink.h"
#include "nl_event.h"
#include "ring.h"

static struct genl_family ramchan_nl_family;

/* RAMCHAN_CMD_CHANNEL_GET - do and dump (the union of the two) */
static const struct nla_policy ramchan_channel_get_nl_policy[RAMCHAN_A_CHANNEL_WITH_PEERS + 1] = {
	[RAMCHAN_A_CHANNEL_ID] = { .type = NLA_U64, },
	[RAMCHAN_A_CHANNEL_KIND] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
	[RAMCHAN_A_CHANNEL_NAME] = { .type = NLA_NUL_STRING, .len = RAMCHAN_NAME_MAX, },
	[RAMCHAN_A_CHANNEL_WITH_PEERS] = { .type = NLA_FLAG, },
};

static int ramchan_nl_put_u64(struct sk_buff *skb, int type, u64 value)
{
	return nla_put_u64_64bit(skb, type, value, RAMCHAN_A_CHANNEL_PAD);
}

static int ramchan_nl_fill_ring(struct sk_buff *skb, struct ramchan_ring *ring)
{
	u64 records_out = READ_ONCE(ring->cons->records);
	u64 queued = ramchan_ring_queued_records(ring);

	if (ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_SIZE, ring->size) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_FILL,
			       ramchan_ring_fill(ring)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_COUNT, queued) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_BYTES_IN,
			       READ_ONCE(ring->prod->head)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_BYTES_OUT,
			       READ_ONCE(ring->cons->tail)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_RECORDS_IN,
			       records_out + queued) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_RECORDS_OUT,
			       records_out) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_HIGH_WATER,
			       ramchan_ring_high_water(ring)) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_WAITERS,
			READ_ONCE(ring->readers_sleeping) +
			READ_ONCE(ring->writers_sleeping)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_WAITS,
			       atomic_long_read(&ring->waits)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_WAKEUPS,
			       atomic_long_read(&ring->wakeups)) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_FLAGS, READ_ONCE(ring->flags)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Statistics, read without the queue lock as sysfs does: each value one
 * snapshot, the set not necessarily consistent.
 */
static int ramchan_nl_fill_mq(struct sk_buff *skb, struct ramchan_mq *mq)
{
	u32 senders = READ_ONCE(mq->senders_waiting);
	u32 receivers = READ_ONCE(mq->receivers_waiting);

	if (ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_SIZE,
			       (u64)mq->depth * mq->msg_size) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_FILL,
			       READ_ONCE(mq->bytes)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_COUNT,
			       READ_ONCE(mq->count)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_BYTES_IN,
			       READ_ONCE(mq->bytes_in)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_BYTES_OUT,
			       READ_ONCE(mq->bytes_out)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_RECORDS_IN,
			       READ_ONCE(mq->msgs_in)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_RECORDS_OUT,
			       READ_ONCE(mq->msgs_out)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_HIGH_WATER,
			       READ_ONCE(mq->high_water)) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_WAITERS, senders + receivers) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_DEPTH, mq->depth) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_MSG_SIZE, mq->msg_size) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_OVERFLOW, mq->overflow) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_SPIN_US,
			READ_ONCE(mq->spin_us)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_DROPS,
			       READ_ONCE(mq->drops)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_REJECTS,
			       READ_ONCE(mq->rejects)) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_HANDOFFS,
			       READ_ONCE(mq->handoffs)) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_SENDERS_WAITING, senders) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_RECEIVERS_WAITING, receivers))
		return -EMSGSIZE;
	return 0;
}

struct ramchan_nl_peers {
	struct ramchan_peer_visit visit;
	struct sk_buff *skb;
};

/* The peer walk's actor: one RAMCHAN_A_CHANNEL_PEER nest. */
static int ramchan_nl_put_peer(struct ramchan_peer_visit *visit, pid_t pid,
			       unsigned int fd, unsigned int role)
{
	struct sk_buff *skb =
		container_of(visit, struct ramchan_nl_peers, visit)->skb;
	struct nlattr *nest;

	nest = nla_nest_start(skb, RAMCHAN_A_CHANNEL_PEER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, RAMCHAN_A_PEER_PID, pid) ||
	    nla_put_u32(skb, RAMCHAN_A_PEER_FD, fd) ||
	    nla_put_u32(skb, RAMCHAN_A_PEER_ROLE, role)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * The peers of @chan that the caller may see. A message that fills up
 * holds the peers that fit (the figures are complete either way).
 */
static int ramchan_nl_fill_peers(struct sk_buff *skb, struct ramchan_chan *chan)
{
	struct ramchan_nl_peers peers = {
		.visit.actor = ramchan_nl_put_peer, .skb = skb,
	};
	bool all = uid_eq(current_euid(), chan->owner) ||
		   capable(CAP_SYS_ADMIN);
	int err;

	err = ramchan_chan_visit_peers(chan, all, &peers.visit);
	return err == -EMSGSIZE ? 0 : err;
}

static int ramchan_nl_fill_channel(struct sk_buff *skb,
				   struct ramchan_chan *chan, bool peers)
{
	struct user_namespace *user_ns = current_user_ns();
	int err;

	if (ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_ID, chan->id) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_KIND, chan->kind->id) ||
	    (chan->name[0] &&
	     nla_put_string(skb, RAMCHAN_A_CHANNEL_NAME, chan->name)) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_OWNER,
			from_kuid_munged(user_ns, chan->owner)) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_GROUP,
			from_kgid_munged(user_ns, chan->group)) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_MODE, chan->mode) ||
	    ramchan_nl_put_u64(skb, RAMCHAN_A_CHANNEL_MEMORY,
			       chan->charge.bytes) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_PRODUCERS,
			READ_ONCE(chan->producers)) ||
	    nla_put_u32(skb, RAMCHAN_A_CHANNEL_CONSUMERS,
			READ_ONCE(chan->consumers)))
		return -EMSGSIZE;

	if (chan->kind->id == RAMCHAN_KIND_RING)
		err = ramchan_nl_fill_ring(skb, ramchan_chan_ring(chan));
	else
		err = ramchan_nl_fill_mq(skb, ramchan_chan_mq(chan));
	if (!err && peers)
		err = ramchan_nl_fill_peers(skb, chan);
	return err;
}

static int ramchan_nl_channel_get_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct nlattr *key = tb[RAMCHAN_A_CHANNEL_ID];
	struct ramchan_chan *chan;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (tb[RAMCHAN_A_CHANNEL_KIND] || tb[RAMCHAN_A_CHANNEL_WITH_PEERS]) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[RAMCHAN_A_CHANNEL_KIND] ?:
				    tb[RAMCHAN_A_CHANNEL_WITH_PEERS],
				    "only a dump takes this attribute");
		return -EINVAL;
	}
	if (key && tb[RAMCHAN_A_CHANNEL_NAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[RAMCHAN_A_CHANNEL_NAME],
				    "give the channel's id or its name, not both");
		return -EINVAL;
	}
	if (!key)
		key = tb[RAMCHAN_A_CHANNEL_NAME];
	if (!key) {
		NL_SET_ERR_MSG(info->extack,
			       "channel-get needs the channel's id or name");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, RAMCHAN_A_CHANNEL_ID);
		return -EINVAL;
	}

	if (nla_type(key) == RAMCHAN_A_CHANNEL_ID)
		chan = nla_get_u64(key) ?
		       ramchan_chan_find(nla_get_u64(key), NULL) : NULL;
	else
		chan = ramchan_chan_find(0, nla_data(key));
	if (!chan) {
		NL_SET_ERR_MSG_ATTR(info->extack, key,
				    "no such channel in this IPC namespace");
		return -ENOENT;
	}

	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out_put;
	hdr = genlmsg_put_reply(msg, info, &ramchan_nl_family, 0,
				RAMCHAN_CMD_CHANNEL_GET);
	if (!hdr)
		goto err_free;
	err = ramchan_nl_fill_channel(msg, chan, true);
	if (err)
		goto err_free;
	genlmsg_end(msg, hdr);
	ramchan_chan_put(chan);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
out_put:
	ramchan_chan_put(chan);
	return err;
}

/* Before the dump: refuse the attributes of a do (answered as an error). */
static int ramchan_nl_channel_get_start(struct netlink_callback *cb)
{
	struct nlattr **tb = ramchan_genl_dump_attrs(cb);
	struct nlattr *bad = tb[RAMCHAN_A_CHANNEL_ID] ?:
			     tb[RAMCHAN_A_CHANNEL_NAME];

	if (bad) {
		NL_SET_ERR_MSG_ATTR(cb->extack, bad,
				    "a dump takes no id or name: use a do");
		return -EINVAL;
	}
	ramchan_chan_reap_names();
	return 0;
}

/* cb->args[0]: the id of the last channel sent. */
static int ramchan_nl_channel_get_dumpit(struct sk_buff *skb,
					 struct netlink_callback *cb)
{
	struct nlattr **tb = ramchan_genl_dump_attrs(cb);
	unsigned int kind = 0;
	struct ramchan_chan *chan;
	u64 pos = cb->args[0];
	bool peers;
	void *hdr;
	int err = 0;

	if (tb[RAMCHAN_A_CHANNEL_KIND])
		kind = nla_get_u32(tb[RAMCHAN_A_CHANNEL_KIND]);
	peers = nla_get_flag(tb[RAMCHAN_A_CHANNEL_WITH_PEERS]);

	while ((chan = ramchan_chan_next(pos, kind))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &ramchan_nl_family,
				  NLM_F_MULTI, RAMCHAN_CMD_CHANNEL_GET);
		err = hdr ? ramchan_nl_fill_channel(skb, chan, peers) :
			    -EMSGSIZE;
		if (err) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			ramchan_chan_put(chan);
			break;
		}
		genlmsg_end(skb, hdr);
		pos = chan->id;
		ramchan_chan_put(chan);
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
	}
	cb->args[0] = pos;
	/* Full: what fits now goes, the dump goes on from @pos. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

static int ramchan_nl_stats_get_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	ramchan_chan_reap_names();
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ramchan_nl_family, 0,
				RAMCHAN_CMD_STATS_GET);
	if (!hdr ||
	    nla_put_u32(msg, RAMCHAN_A_STATS_ABI_VERSION, RAMCHAN_ABI_VERSION) ||
	    nla_put_u64_64bit(msg, RAMCHAN_A_STATS_OPENS,
			      atomic_long_read(&ramchan_stats.opens),
			      RAMCHAN_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, RAMCHAN_A_STATS_OPEN_FILES,
			      atomic_long_read(&ramchan_stats.open_files),
			      RAMCHAN_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, RAMCHAN_A_STATS_CHANNELS,
			      atomic_long_read(&ramchan_stats.channels),
			      RAMCHAN_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, RAMCHAN_A_STATS_BYTES_HELD,
			      atomic_long_read(&ramchan_stats.bytes_held),
			      RAMCHAN_A_STATS_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops ramchan_nl_ops[] = {
	{
		.cmd		= RAMCHAN_CMD_CHANNEL_GET,
		.doit		= ramchan_nl_channel_get_doit,
		.start		= ramchan_nl_channel_get_start,
		.dumpit		= ramchan_nl_channel_get_dumpit,
		.policy		= ramchan_channel_get_nl_policy,
		.maxattr	= RAMCHAN_A_CHANNEL_WITH_PEERS,
	},
	{
		.cmd		= RAMCHAN_CMD_STATS_GET,
		.doit		= ramchan_nl_stats_get_doit,
	},
};

static const struct genl_multicast_group ramchan_nl_mcgrps[] = {
	{ .name = RAMCHAN_MCGRP_EVENTS, },
};

static struct genl_family ramchan_nl_family __ro_after_init = {
	.name		= RAMCHAN_FAMILY_NAME,
	.version	= RAMCHAN_FAMILY_VERSION,
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= ramchan_nl_ops,
	.n_ops		= ARRAY_SIZE(ramchan_nl_ops),
	.mcgrps		= ramchan_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ramchan_nl_mcgrps),
};

int __init ramchan_netlink_init(void)
{
	int err;

	err = genl_register_family(&ramchan_nl_family);
	if (err)
		return err;
	ramchan_nl_event_start(&ramchan_nl_family);
	return 0;
}

void ramchan_netlink_exit(void)
{
	ramchan_nl_event_stop();
	genl_unregister_family(&ramchan_nl_family);
}
