/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A raw generic netlink client for the ramchan tests (netlink_test,
 * failnth_test): no library between a test and the wire. Requests are
 * built by hand, replies copied into struct msg and parsed flat; errors
 * come back as -errno with the extended ACK in nl->ack. Every receive
 * times out (GENL_TIMEOUT_SEC): a reply the kernel lost is -EAGAIN, not a
 * hung test.
 */
#ifndef RAMCHAN_SELFTEST_GENL_H
#define RAMCHAN_SELFTEST_GENL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ramchan.h>

#define BUFSZ			(64 * 1024)
#define GENL_TIMEOUT_SEC	10

/* One message, copied, with its command and top-level attributes. */
struct msg {
	char raw[8192];
	int cmd;
	struct nlattr *tb[RAMCHAN_A_CHANNEL_MAX + 1];
	int npeers;
	struct nlattr *peers[64];
};

/* The last error and its extended ACK. */
struct ack {
	int err;
	char text[256];
	int offset;		/* of the bad attribute in our request, or -1 */
	int missing;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
};

struct nl {
	int fd;
	int family;
	int group;
	unsigned int seq;
	char buf[BUFSZ];
	struct ack ack;
};

static inline void put_attr(struct nlmsghdr *nlh, int type, const void *data, int len)
{
	struct nlattr *a = (void *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static inline struct nlmsghdr *start(struct nl *nl, char *req, int family, int cmd,
			      int flags)
{
	struct nlmsghdr *nlh = (void *)req;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(req, 0, 1024);
	nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static inline void parse_attrs(struct nlattr **tb, int max, void *data, int len)
{
	struct nlattr *a;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	for (a = data; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	     a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (void *)((char *)a + NLA_ALIGN(a->nla_len))) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = a;
	}
}

static inline void parse_msg(struct msg *m, struct nlmsghdr *src)
{
	struct nlmsghdr *nlh = (void *)m->raw;
	struct genlmsghdr *g;
	struct nlattr *a;
	char *data;
	int len;

	memcpy(m->raw, src, src->nlmsg_len < sizeof(m->raw) ?
	       src->nlmsg_len : sizeof(m->raw));
	if (nlh->nlmsg_len > sizeof(m->raw))
		nlh->nlmsg_len = sizeof(m->raw);
	g = NLMSG_DATA(nlh);
	data = (char *)g + GENL_HDRLEN;
	len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	m->cmd = g->cmd;
	parse_attrs(m->tb, RAMCHAN_A_CHANNEL_MAX, data, len);
	m->npeers = 0;
	for (a = (void *)data; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) == RAMCHAN_A_CHANNEL_PEER &&
		    m->npeers < 64)
			m->peers[m->npeers++] = a;
}

static inline uint64_t u64_of(struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, (char *)a + NLA_HDRLEN, 8);
	return v;
}

static inline uint32_t u32_of(struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, (char *)a + NLA_HDRLEN, 4);
	return v;
}

static inline const char *str_of(struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static inline void parse_ack(struct ack *ack, struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int off = sizeof(*e);

	ack->err = e->error;
	ack->text[0] = '\0';
	ack->offset = -1;
	ack->missing = -1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (nlh->nlmsg_type == NLMSG_DONE)	/* an int, then the TLVs */
		off = sizeof(int);
	else if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	parse_attrs(tb, NLMSGERR_ATTR_MAX, (char *)e + off,
		    nlh->nlmsg_len - NLMSG_HDRLEN - off);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(ack->text, sizeof(ack->text), "%s",
			 str_of(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		ack->offset = u32_of(tb[NLMSGERR_ATTR_OFFS]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		ack->missing = u32_of(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

/*
 * Send @nlh and read until its ACK or NLMSG_DONE, calling @fn for each
 * reply. Return the number of netlink datagrams read, or -errno (the ACK's
 * error, details in nl->ack).
 */
static inline int transact(struct nl *nl, struct nlmsghdr *nlh,
		    void (*fn)(struct nlmsghdr *, void *), void *arg)
{
	int datagrams = 0;

	if (send(nl->fd, nlh, nlh->nlmsg_len, 0) != (ssize_t)nlh->nlmsg_len)
		return -errno;
	memset(&nl->ack, 0, sizeof(nl->ack));
	for (;;) {
		ssize_t n = recv(nl->fd, nl->buf, BUFSZ, 0);
		struct nlmsghdr *h;

		if (n < 0)
			return -errno;
		datagrams++;
		for (h = (void *)nl->buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				parse_ack(&nl->ack, h);
				return nl->ack.err ? nl->ack.err : datagrams;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				/* A dump's error comes in its DONE. */
				parse_ack(&nl->ack, h);
				return nl->ack.err ? nl->ack.err : datagrams;
			}
			if (fn)
				fn(h, arg);
		}
	}
}

/* CTRL_CMD_GETFAMILY "ramchan": its id and the id of group "events". */
static inline int resolve(struct nl *nl)
{
	char req[1024];
	struct nlmsghdr *nlh = start(nl, req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
				     0);
	struct nlattr *tb[CTRL_ATTR_MAX + 1], *g;
	struct nlmsghdr *h;
	ssize_t n;
	int len;

	put_attr(nlh, CTRL_ATTR_FAMILY_NAME, RAMCHAN_FAMILY_NAME,
		 sizeof(RAMCHAN_FAMILY_NAME));
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	if (send(nl->fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -errno;
	n = recv(nl->fd, nl->buf, BUFSZ, 0);
	if (n < 0)
		return -errno;
	h = (void *)nl->buf;
	if (!NLMSG_OK(h, n))
		return -EIO;
	if (h->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	parse_attrs(tb, CTRL_ATTR_MAX, (char *)NLMSG_DATA(h) + GENL_HDRLEN,
		    h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
	if (!tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_MCAST_GROUPS])
		return -EIO;
	memcpy(&nl->family, (char *)tb[CTRL_ATTR_FAMILY_ID] + NLA_HDRLEN, 2);
	nl->family &= 0xffff;
	g = (void *)((char *)tb[CTRL_ATTR_MCAST_GROUPS] + NLA_HDRLEN);
	len = tb[CTRL_ATTR_MCAST_GROUPS]->nla_len - NLA_HDRLEN;
	for (; len >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN;
	     len -= NLA_ALIGN(g->nla_len),
	     g = (void *)((char *)g + NLA_ALIGN(g->nla_len))) {
		struct nlattr *gt[CTRL_ATTR_MCAST_GRP_MAX + 1];

		parse_attrs(gt, CTRL_ATTR_MCAST_GRP_MAX, (char *)g + NLA_HDRLEN,
			    g->nla_len - NLA_HDRLEN);
		if (gt[CTRL_ATTR_MCAST_GRP_NAME] && gt[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(str_of(gt[CTRL_ATTR_MCAST_GRP_NAME]),
			    RAMCHAN_MCGRP_EVENTS))
			nl->group = u32_of(gt[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return nl->group ? 0 : -ENOENT;
}

static inline int nl_open(struct nl *nl)
{
	struct timeval tv = { .tv_sec = GENL_TIMEOUT_SEC };
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return resolve(nl);
}

static inline int nl_subscribe(struct nl *nl)
{
	return setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			  &nl->group, sizeof(nl->group)) ? -errno : 0;
}

/* The next event within @ms, parsed into @m; false on timeout. */
static inline bool next_event(struct nl *nl, struct msg *m, int ms)
{
	struct pollfd p = { .fd = nl->fd, .events = POLLIN };
	struct nlmsghdr *h;
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return false;
	n = recv(nl->fd, nl->buf, BUFSZ, 0);
	h = (void *)nl->buf;
	if (n <= 0 || !NLMSG_OK(h, n))
		return false;
	parse_msg(m, h);
	return true;
}

#endif /* RAMCHAN_SELFTEST_GENL_H */
