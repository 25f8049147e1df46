/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink events of ramchan: what happened to a channel, multicast to the
 * "events" group of the generic netlink family (netlink.c registers it
 * and hands it here). Callable from any context, with any lock held; each
 * costs one test when nobody listens.
 */
#ifndef RAMCHAN_NL_EVENT_H
#define RAMCHAN_NL_EVENT_H

#include <linux/types.h>

struct genl_family;

void ramchan_nl_event_start(const struct genl_family *family);
void ramchan_nl_event_stop(void);

void ramchan_nl_chan_created(u64 id, unsigned int kind, const char *name,
			     u32 owner);
void ramchan_nl_chan_destroyed(u64 id, unsigned int kind, const char *name);
void ramchan_nl_chan_unlinked(u64 id, unsigned int kind, const char *name);
void ramchan_nl_peer_gone(u64 id, unsigned int kind, unsigned int role);
void ramchan_nl_ring_broken(u64 id);
void ramchan_nl_overflow(u64 id, u32 policy, u64 drops, u64 rejects);

#endif /* RAMCHAN_NL_EVENT_H */
