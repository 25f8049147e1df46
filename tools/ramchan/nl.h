/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan CLI: the generic netlink family "ramchan" (uapi/linux/ramchan.h,
 * Documentation/netlink/specs/ramchan.yaml) with libnl-genl-3, for list,
 * stat, monitor, top and info. nl.c owns the sockets, the requests and
 * their replies, the kernel's extended ACKs, and the parsing of a channel
 * message (a reply or an event) into struct rcnl_channel; the commands
 * see no libnl type. What the attributes mean to a reader (their names,
 * text and JSON) is nl_attr.h.
 *
 *	struct rcnl *nl = rcnl_open("ramchan list", false);
 *	if (!nl)
 *		return 1;
 *	ret = rcnl_channel_dump(nl, 0, false, each, arg);
 */
#ifndef RAMCHAN_CLI_NL_H
#define RAMCHAN_CLI_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/ramchan.h>

/* Peers kept of one channel; rcnl_channel.peers_total counts them all. */
#define RCNL_MAX_PEERS	64

struct rcnl_peer {
	uint32_t pid;
	uint32_t fd;
	uint32_t role;		/* RAMCHAN_ROLE_* */
};

/**
 * struct rcnl_channel - one channel message: a channel-get reply or an event
 * @cmd:	RAMCHAN_CMD_* of the message
 * @present:	bit 1 << RAMCHAN_A_CHANNEL_* for each attribute it carried
 * @v:		the value of each number attribute, by RAMCHAN_A_CHANNEL_*
 * @name:	RAMCHAN_A_CHANNEL_NAME, "" when absent (anonymous)
 * @nr_peers:	peers in @peers
 * @peers_total: RAMCHAN_A_CHANNEL_PEER nests in the message
 */
struct rcnl_channel {
	uint8_t cmd;
	uint64_t present;
	uint64_t v[RAMCHAN_A_CHANNEL_MAX + 1];
	char name[RAMCHAN_NAME_MAX + 1];
	unsigned int nr_peers;
	unsigned int peers_total;
	struct rcnl_peer peers[RCNL_MAX_PEERS];
};

static inline bool rcnl_has(const struct rcnl_channel *ch, int attr)
{
	return ch->present & (1ULL << attr);
}

/* The module's global counters (stats-get); @present as above. */
struct rcnl_stats {
	uint64_t present;
	uint64_t v[RAMCHAN_A_STATS_MAX + 1];
};

/* An open socket with the family resolved. */
struct rcnl;

/*
 * Open a genl socket and resolve the family (and its events group).
 * Failure: say why on stderr, as @prog (the family missing: "is the
 * module loaded?"), and return NULL, unless @quiet. Extended ACKs are on.
 */
struct rcnl *rcnl_open(const char *prog, bool quiet);
void rcnl_close(struct rcnl *nl);

/* Called for each channel of a reply; nonzero stops the dump (returned). */
typedef int (*rcnl_channel_fn)(const struct rcnl_channel *ch, void *arg);

/*
 * channel-get dump: every channel (of @kind unless 0), with their peers
 * when @peers. Return 0, what @fn returned, or a negative errno (the
 * kernel's: rcnl_fail() says it).
 */
int rcnl_channel_dump(struct rcnl *nl, uint32_t kind, bool peers,
		      rcnl_channel_fn fn, void *arg);
/*
 * channel-get do: the channel with id @id, or called @name (when not
 * NULL), into @out. 0, or -ENOENT when there is none, or -errno.
 */
int rcnl_channel_get(struct rcnl *nl, uint64_t id, const char *name,
		     struct rcnl_channel *out);
/* stats-get into @out: 0 or -errno. */
int rcnl_stats_get(struct rcnl *nl, struct rcnl_stats *out);

/*
 * Events: join the events group (0 or -errno); then rcnl_event_fd() is
 * readable when some came, and rcnl_events_read() hands each to @fn
 * without blocking: it returns 0 when none is left, what @fn returned,
 * -ENOBUFS when the kernel dropped some (the socket was full: go on),
 * or another -errno.
 */
int rcnl_events_join(struct rcnl *nl);
int rcnl_event_fd(const struct rcnl *nl);
int rcnl_events_read(struct rcnl *nl, rcnl_channel_fn fn, void *arg);

/*
 * Say what the kernel said about the last request's error, if anything
 * ("ramchan: kernel reports: MSG", its extended ACK; @nl may be NULL),
 * then "PROG: DOING: <strerror of -err>" on stderr; return 1. A warning
 * with a success is printed as it comes.
 */
int rcnl_fail(const struct rcnl *nl, const char *prog, const char *doing,
	      int err);

#endif /* RAMCHAN_CLI_NL_H */
