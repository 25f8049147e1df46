// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan CLI: the netlink layer (nl.h). Owns the libnl-genl-3 sockets of
 * the family "ramchan" (one for requests, one for events once joined),
 * the requests and the callbacks that collect their replies, the kernel's
 * extended ACKs (printed as "ramchan: kernel reports: MSG"), and the
 * parsing of a channel or stats message into struct rcnl_channel or
 * struct rcnl_stats. Nothing above it sees a libnl type.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "../common/opts.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

_Static_assert(RAMCHAN_A_CHANNEL_MAX < 64, "rcnl_channel.present is a u64");
_Static_assert(RAMCHAN_A_STATS_MAX < 64, "rcnl_stats.present is a u64");

/* The events socket takes bursts (an overflow storm, a mass exit). */
#define RCNL_EVENT_RCVBUF	(1 << 20)

struct rcnl {
	char extack[512];	/* the kernel's message on the last error */
	struct nl_sock *sk;	/* requests */
	struct nl_sock *ev;	/* events, once joined */
	int family;
	int grp;		/* the events group, or a negative NLE_* */
};

/* ---- errors --------------------------------------------------------------- */

/* libnl's own failures (not the kernel's errno) as a negative errno. */
static int rcnl_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0:			return 0;
	case NLE_INTR:		return -EINTR;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_BUSY:		return -EBUSY;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_NOADDR:	return -EADDRNOTAVAIL;
	case NLE_NODEV:		return -ENODEV;
	default:		return -EPROTO;
	}
}

/*
 * What the kernel added to an error, an ACK or a DONE (NETLINK_EXT_ACK):
 * the attributes at @tlvs, @len bytes. Its message goes to @nl->extack
 * with an error (rcnl_fail() prints it), to stderr now with a success
 * (a warning).
 */
static void rcnl_extack(struct rcnl *nl, const void *tlvs, int len, int err)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	char msg[sizeof(nl->extack)] = "";

	if (len <= 0 ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)tlvs, len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(msg, tb[NLMSGERR_ATTR_MSG], sizeof(msg));
	else if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
		 nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4)
		snprintf(msg, sizeof(msg), "attribute %u is missing",
			 nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
	if (!msg[0])
		return;
	if (err)
		memcpy(nl->extack, msg, sizeof(msg));
	else
		fprintf(stderr, "ramchan: kernel reports: %s\n", msg);
}

/* The extended ACK of an NLMSG_ERROR message (an error or an ACK). */
static void rcnl_extack_error(struct rcnl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	int len = nlh->nlmsg_len - NLMSG_HDRLEN, off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len < off)
		return;
	/* Without NLM_F_CAPPED, the request itself comes back first. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	if (off < len)
		rcnl_extack(nl, (const char *)e + off, len - off, e->error);
}

int rcnl_fail(const struct rcnl *nl, const char *prog, const char *doing,
	      int err)
{
	if (nl && nl->extack[0])
		fprintf(stderr, "ramchan: kernel reports: %s\n", nl->extack);
	fprintf(stderr, "%s: %s: %s\n", prog, doing, strerror(err < 0 ? -err : err));
	return 1;
}

/* ---- sockets -------------------------------------------------------------- */

/* A connected genl socket with extended ACKs; NULL and *@err otherwise. */
static struct nl_sock *rcnl_socket(int *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk)
		cli_out_of_memory();
	*err = genl_connect(sk);
	if (*err) {
		nl_socket_free(sk);
		return NULL;
	}
	/* Kernels before 4.12 have no extended ACK: then plain errors. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	return sk;
}

/* Is this process in another network namespace than init (pid 1)? */
static bool rcnl_other_netns(void)
{
	char self[64], init[64];
	ssize_t a, b;

	a = readlink("/proc/self/ns/net", self, sizeof(self));
	b = readlink("/proc/1/ns/net", init, sizeof(init));
	return a > 0 && b > 0 && (a != b || memcmp(self, init, a));
}

/*
 * Why the family is not there. The module registers it in the initial
 * network namespace only (the channels are scoped by the IPC namespace):
 * from another one, as in a container, it cannot be seen.
 */
static void rcnl_say_no_family(const char *prog)
{
	if (access("/sys/kernel/ramchan", F_OK))
		fprintf(stderr, "%s: the ramchan netlink family is not there: is the module loaded? try: modprobe ramchan\n",
			prog);
	else if (rcnl_other_netns())
		fprintf(stderr, "%s: the ramchan netlink family is not in this network namespace: the module offers it in the initial one only (ramchan info and the channel commands work here)\n",
			prog);
	else
		fprintf(stderr, "%s: the loaded module has no ramchan netlink family: it may predate netlink (ramchan info tells its ABI)\n",
			prog);
}

struct rcnl *rcnl_open(const char *prog, bool quiet)
{
	struct rcnl *nl = calloc(1, sizeof(*nl));
	int err;

	if (!nl)
		cli_out_of_memory();
	nl->sk = rcnl_socket(&err);
	if (!nl->sk) {
		if (!quiet)
			fprintf(stderr, "%s: cannot open a generic netlink socket: %s\n",
				prog, nl_geterror(err));
		free(nl);
		return NULL;
	}
	nl->family = genl_ctrl_resolve(nl->sk, RAMCHAN_FAMILY_NAME);
	if (nl->family < 0) {
		err = nl->family;
		if (quiet) {
		} else if (err == -NLE_OBJ_NOTFOUND) {
			rcnl_say_no_family(prog);
		} else {
			fprintf(stderr, "%s: looking up the netlink family %s: %s\n",
				prog, RAMCHAN_FAMILY_NAME, nl_geterror(err));
		}
		rcnl_close(nl);
		return NULL;
	}
	nl->grp = genl_ctrl_resolve_grp(nl->sk, RAMCHAN_FAMILY_NAME,
					RAMCHAN_MCGRP_EVENTS);
	return nl;
}

void rcnl_close(struct rcnl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	if (nl->ev)
		nl_socket_free(nl->ev);
	free(nl);
}

/* ---- parsing -------------------------------------------------------------- */

static struct nla_policy rcnl_peer_policy[RAMCHAN_A_PEER_MAX + 1] = {
	[RAMCHAN_A_PEER_PID] = { .type = NLA_U32 },
	[RAMCHAN_A_PEER_FD] = { .type = NLA_U32 },
	[RAMCHAN_A_PEER_ROLE] = { .type = NLA_U32 },
};

/* Every u32 and u64 of the channel set; the name, peers and flags below. */
static struct nla_policy rcnl_channel_policy[RAMCHAN_A_CHANNEL_MAX + 1];
static struct nla_policy rcnl_stats_policy[RAMCHAN_A_STATS_MAX + 1];

static bool rcnl_u64_channel(int attr)
{
	switch (attr) {
	case RAMCHAN_A_CHANNEL_ID: case RAMCHAN_A_CHANNEL_MEMORY:
	case RAMCHAN_A_CHANNEL_SIZE: case RAMCHAN_A_CHANNEL_FILL:
	case RAMCHAN_A_CHANNEL_COUNT: case RAMCHAN_A_CHANNEL_BYTES_IN:
	case RAMCHAN_A_CHANNEL_BYTES_OUT: case RAMCHAN_A_CHANNEL_RECORDS_IN:
	case RAMCHAN_A_CHANNEL_RECORDS_OUT: case RAMCHAN_A_CHANNEL_HIGH_WATER:
	case RAMCHAN_A_CHANNEL_WAITS: case RAMCHAN_A_CHANNEL_WAKEUPS:
	case RAMCHAN_A_CHANNEL_DROPS: case RAMCHAN_A_CHANNEL_REJECTS:
	case RAMCHAN_A_CHANNEL_HANDOFFS: case RAMCHAN_A_CHANNEL_SUPPRESSED:
		return true;
	}
	return false;
}

static void rcnl_policies(void)
{
	static bool done;
	int a;

	if (done)
		return;
	done = true;
	for (a = 1; a <= RAMCHAN_A_CHANNEL_MAX; a++)
		rcnl_channel_policy[a].type = rcnl_u64_channel(a) ? NLA_U64 : NLA_U32;
	rcnl_channel_policy[RAMCHAN_A_CHANNEL_NAME] =
		(struct nla_policy){ .type = NLA_STRING, .maxlen = RAMCHAN_NAME_MAX + 1 };
	rcnl_channel_policy[RAMCHAN_A_CHANNEL_PEER].type = NLA_NESTED;
	rcnl_channel_policy[RAMCHAN_A_CHANNEL_WITH_PEERS].type = NLA_FLAG;
	rcnl_channel_policy[RAMCHAN_A_CHANNEL_PAD].type = NLA_UNSPEC;
	for (a = 1; a <= RAMCHAN_A_STATS_MAX; a++)
		rcnl_stats_policy[a].type = a == RAMCHAN_A_STATS_ABI_VERSION ?
					    NLA_U32 : NLA_U64;
	rcnl_stats_policy[RAMCHAN_A_STATS_PAD].type = NLA_UNSPEC;
}

static void rcnl_parse_peer(struct rcnl_channel *ch, struct nlattr *nest)
{
	struct nlattr *tb[RAMCHAN_A_PEER_MAX + 1];
	struct rcnl_peer *p;

	ch->peers_total++;
	if (ch->nr_peers == RCNL_MAX_PEERS ||
	    nla_parse_nested(tb, RAMCHAN_A_PEER_MAX, nest, rcnl_peer_policy))
		return;
	p = &ch->peers[ch->nr_peers++];
	p->pid = tb[RAMCHAN_A_PEER_PID] ? nla_get_u32(tb[RAMCHAN_A_PEER_PID]) : 0;
	p->fd = tb[RAMCHAN_A_PEER_FD] ? nla_get_u32(tb[RAMCHAN_A_PEER_FD]) : 0;
	p->role = tb[RAMCHAN_A_PEER_ROLE] ? nla_get_u32(tb[RAMCHAN_A_PEER_ROLE]) : 0;
}

/* A channel-get reply or an event into @ch: 0, or -EPROTO when malformed. */
static int rcnl_parse_channel(struct nl_msg *msg, struct rcnl_channel *ch)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[RAMCHAN_A_CHANNEL_MAX + 1], *pos;
	struct genlmsghdr *gh;
	int a, rem;

	memset(ch, 0, offsetof(struct rcnl_channel, peers));
	if (!genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_parse(nlh, 0, tb, RAMCHAN_A_CHANNEL_MAX, rcnl_channel_policy))
		return -EPROTO;
	gh = genlmsg_hdr(nlh);
	ch->cmd = gh->cmd;
	for (a = 1; a <= RAMCHAN_A_CHANNEL_MAX; a++) {
		if (!tb[a] || a == RAMCHAN_A_CHANNEL_PAD)
			continue;
		ch->present |= 1ULL << a;
		if (a == RAMCHAN_A_CHANNEL_NAME)
			nla_strlcpy(ch->name, tb[a], sizeof(ch->name));
		else if (rcnl_channel_policy[a].type == NLA_U64)
			ch->v[a] = nla_get_u64(tb[a]);
		else if (rcnl_channel_policy[a].type == NLA_U32)
			ch->v[a] = nla_get_u32(tb[a]);
		else if (a == RAMCHAN_A_CHANNEL_WITH_PEERS)
			ch->v[a] = 1;
	}
	/* The peers are a multi-attr: every one, not the last nla_parse() saw. */
	nla_for_each_attr(pos, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem)
		if (nla_type(pos) == RAMCHAN_A_CHANNEL_PEER)
			rcnl_parse_peer(ch, pos);
	return 0;
}

/* ---- requests ------------------------------------------------------------- */

/* One request in flight: what its callbacks collect. */
struct rcnl_req {
	struct rcnl *nl;
	int err;		/* the kernel's (negative) or a parse error */
	bool done;
	bool stopped;		/* @fn asked to stop: skip the rest */
	int fn_ret;
	bool malformed_said;
	rcnl_channel_fn fn;
	void *arg;
	struct rcnl_stats *stats;
	struct rcnl_channel ch;	/* the message being handed to @fn */
};

static int rcnl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct rcnl_req *req = arg;

	(void)nla;
	/* libnl hands us the payload of the message: its header is before. */
	rcnl_extack_error(req->nl,
			  (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN));
	req->err = e->error < 0 ? e->error : -e->error;
	req->done = true;
	return NL_STOP;
}

static int rcnl_on_ack(struct nl_msg *msg, void *arg)
{
	struct rcnl_req *req = arg;

	rcnl_extack_error(req->nl, nlmsg_hdr(msg));	/* a warning, if any */
	req->done = true;
	return NL_STOP;
}

/* The end of a dump: its payload is the dump's error, then an extack. */
static int rcnl_on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct rcnl_req *req = arg;
	int len = nlmsg_datalen(nlh), err;

	if (len >= (int)sizeof(int)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0)
			req->err = err;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			rcnl_extack(req->nl,
				    (const char *)nlmsg_data(nlh) + NLA_ALIGN(sizeof(int)),
				    len - NLA_ALIGN(sizeof(int)), err);
	}
	req->done = true;
	return NL_STOP;
}

static int rcnl_on_channel(struct nl_msg *msg, void *arg)
{
	struct rcnl_req *req = arg;

	if (req->stopped)
		return NL_SKIP;
	if (rcnl_parse_channel(msg, &req->ch)) {
		if (!req->malformed_said)
			fprintf(stderr, "ramchan: a malformed channel message from the kernel, skipped\n");
		req->malformed_said = true;
		return NL_SKIP;
	}
	req->fn_ret = req->fn(&req->ch, req->arg);
	if (req->fn_ret)
		req->stopped = true;	/* but read the dump to its end */
	return NL_OK;
}

static int rcnl_on_stats(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[RAMCHAN_A_STATS_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct rcnl_req *req = arg;
	struct rcnl_stats *st = req->stats;
	int a;

	memset(st, 0, sizeof(*st));
	if (!genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_parse(nlh, 0, tb, RAMCHAN_A_STATS_MAX, rcnl_stats_policy)) {
		req->err = -EPROTO;
		return NL_SKIP;
	}
	for (a = 1; a < RAMCHAN_A_STATS_PAD; a++) {
		if (!tb[a])
			continue;
		st->present |= 1ULL << a;
		st->v[a] = rcnl_stats_policy[a].type == NLA_U64 ?
			   nla_get_u64(tb[a]) : nla_get_u32(tb[a]);
	}
	return NL_OK;
}

/* A new request of @cmd; the caller adds its attributes. */
static struct nl_msg *rcnl_msg(const struct rcnl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				 flags, cmd, RAMCHAN_FAMILY_VERSION))
		cli_out_of_memory();
	return msg;
}

/*
 * Send @msg (and free it), then hand each reply to @valid until the ACK,
 * the error or the end of the dump. 0 or a negative errno.
 */
static int rcnl_transact(struct rcnl *nl, struct nl_msg *msg,
			 nl_recvmsg_msg_cb_t valid, struct rcnl_req *req)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb)
		cli_out_of_memory();
	rcnl_policies();
	req->nl = nl;
	nl->extack[0] = '\0';
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, rcnl_on_ack, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, rcnl_on_finish, req);
	nl_cb_err(cb, NL_CB_CUSTOM, rcnl_on_error, req);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return rcnl_errno(ret);
	}
	while (!req->done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !req->done) {
			req->err = rcnl_errno(ret);
			break;
		}
	}
	nl_cb_put(cb);
	return req->err;
}

int rcnl_channel_dump(struct rcnl *nl, uint32_t kind, bool peers,
		      rcnl_channel_fn fn, void *arg)
{
	struct nl_msg *msg = rcnl_msg(nl, RAMCHAN_CMD_CHANNEL_GET, NLM_F_DUMP);
	struct rcnl_req *req = calloc(1, sizeof(*req));
	int ret;

	if (!req)
		cli_out_of_memory();
	req->fn = fn;
	req->arg = arg;
	if ((kind && nla_put_u32(msg, RAMCHAN_A_CHANNEL_KIND, kind)) ||
	    (peers && nla_put_flag(msg, RAMCHAN_A_CHANNEL_WITH_PEERS)))
		cli_out_of_memory();
	ret = rcnl_transact(nl, msg, rcnl_on_channel, req);
	if (!ret)
		ret = req->fn_ret;
	free(req);
	return ret;
}

/* For channel-get do: keep the one reply. */
static int rcnl_keep(const struct rcnl_channel *ch, void *arg)
{
	struct rcnl_channel *out = arg;

	*out = *ch;	/* its cmd is not 0: a reply came */
	return 0;
}

int rcnl_channel_get(struct rcnl *nl, uint64_t id, const char *name,
		     struct rcnl_channel *out)
{
	struct nl_msg *msg = rcnl_msg(nl, RAMCHAN_CMD_CHANNEL_GET, 0);
	struct rcnl_req *req = calloc(1, sizeof(*req));
	int ret;

	if (!req)
		cli_out_of_memory();
	req->fn = rcnl_keep;
	req->arg = out;
	out->cmd = 0;
	if (name ? nla_put_string(msg, RAMCHAN_A_CHANNEL_NAME, name) :
		   nla_put_u64(msg, RAMCHAN_A_CHANNEL_ID, id))
		cli_out_of_memory();
	ret = rcnl_transact(nl, msg, rcnl_on_channel, req);
	free(req);
	if (!ret && !out->cmd)
		ret = -ENOENT;	/* an ACK and no channel */
	return ret;
}

int rcnl_stats_get(struct rcnl *nl, struct rcnl_stats *out)
{
	struct nl_msg *msg = rcnl_msg(nl, RAMCHAN_CMD_STATS_GET, 0);
	struct rcnl_req req = { .stats = out };
	int ret;

	out->present = 0;
	ret = rcnl_transact(nl, msg, rcnl_on_stats, &req);
	if (!ret && !out->present)
		ret = -EPROTO;
	return ret;
}

/* ---- events --------------------------------------------------------------- */

int rcnl_events_join(struct rcnl *nl)
{
	int err;

	if (nl->grp < 0)
		return -ENOENT;
	if (nl->ev)
		return 0;
	nl->ev = rcnl_socket(&err);
	if (!nl->ev)
		return rcnl_errno(err);
	/* Events are not answers: no sequence numbers to check. */
	nl_socket_disable_seq_check(nl->ev);
	nl_socket_disable_auto_ack(nl->ev);
	nl_socket_set_buffer_size(nl->ev, RCNL_EVENT_RCVBUF, 0);
	err = nl_socket_add_membership(nl->ev, nl->grp);
	if (!err)
		err = nl_socket_set_nonblocking(nl->ev);
	if (err) {
		nl_socket_free(nl->ev);
		nl->ev = NULL;
		return rcnl_errno(err);
	}
	return 0;
}

int rcnl_event_fd(const struct rcnl *nl)
{
	return nl->ev ? nl_socket_get_fd(nl->ev) : -1;
}

int rcnl_events_read(struct rcnl *nl, rcnl_channel_fn fn, void *arg)
{
	struct rcnl_req *req = calloc(1, sizeof(*req));
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = 0;

	if (!req || !cb)
		cli_out_of_memory();
	rcnl_policies();
	req->fn = fn;
	req->arg = arg;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, rcnl_on_channel, req);
	while (!req->fn_ret) {
		ret = nl_recvmsgs(nl->ev, cb);
		if (ret == -NLE_AGAIN) {
			ret = 0;
			break;
		}
		if (ret < 0) {
			/* recvmsg()'s ENOBUFS: the kernel dropped events. */
			ret = ret == -NLE_NOMEM ? -ENOBUFS : rcnl_errno(ret);
			break;
		}
	}
	if (!ret)
		ret = req->fn_ret;
	nl_cb_put(cb);
	free(req);
	return ret;
}
