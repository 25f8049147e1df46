// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census: the scan of UNIX and TCP sockets, joined to the socket
 * fds the process scan found.
 *
 * sock_diag netlink (NETLINK_SOCK_DIAG) dumps every socket of our network
 * namespace with its queues and memory, whether a process holds it or not.
 * It needs unix_diag and inet_diag/tcp_diag, modules on most distribution
 * kernels that the kernel loads on the first request; when they are not
 * there (a guest with no module tree), the census falls back on
 * /proc/net/{unix,tcp,tcp6}, and for UNIX queues, on SIOCINQ/SIOCOUTQ on a
 * copy of a holder's fd (pidfd_getfd()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "census_probe.h"
#include "census_scan.h"

/* Socket states, as include/net/tcp_states.h numbers them. */
enum {
	SS_TCP_ESTABLISHED = 1,
	SS_TCP_SYN_SENT,
	SS_TCP_SYN_RECV,
	SS_TCP_FIN_WAIT1,
	SS_TCP_FIN_WAIT2,
	SS_TCP_TIME_WAIT,
	SS_TCP_CLOSE,
	SS_TCP_CLOSE_WAIT,
	SS_TCP_LAST_ACK,
	SS_TCP_LISTEN,
	SS_TCP_CLOSING,
	SS_TCP_NEW_SYN_RECV,
	SS_TCP_MAX_STATES
};

static const char *const tcp_state_names[SS_TCP_MAX_STATES] = {
	[SS_TCP_ESTABLISHED] = "established",
	[SS_TCP_SYN_SENT] = "syn-sent",
	[SS_TCP_SYN_RECV] = "syn-recv",
	[SS_TCP_FIN_WAIT1] = "fin-wait-1",
	[SS_TCP_FIN_WAIT2] = "fin-wait-2",
	[SS_TCP_TIME_WAIT] = "time-wait",
	[SS_TCP_CLOSE] = "close",
	[SS_TCP_CLOSE_WAIT] = "close-wait",
	[SS_TCP_LAST_ACK] = "last-ack",
	[SS_TCP_LISTEN] = "listen",
	[SS_TCP_CLOSING] = "closing",
	[SS_TCP_NEW_SYN_RECV] = "new-syn-recv",
};

static const char *tcp_state_name(unsigned int state)
{
	if (state < SS_TCP_MAX_STATES && tcp_state_names[state])
		return tcp_state_names[state];
	return "unknown";
}

/* UNIX sockets use the TCP state numbers for fewer states. */
static const char *unix_state_name(unsigned int state)
{
	switch (state) {
	case SS_TCP_ESTABLISHED:
		return "connected";
	case SS_TCP_LISTEN:
		return "listening";
	case SS_TCP_CLOSE:
		return "unconnected";
	case SS_TCP_SYN_SENT:
		return "connecting";
	default:
		return tcp_state_name(state);
	}
}

static enum census_mech unix_mech(int type)
{
	switch (type) {
	case SOCK_STREAM:
		return CENSUS_UNIX_STREAM;
	case SOCK_DGRAM:
		return CENSUS_UNIX_DGRAM;
	case SOCK_SEQPACKET:
		return CENSUS_UNIX_SEQPACKET;
	default:
		return CENSUS_NR_MECHS;
	}
}

typedef void (*sock_diag_cb)(struct census *c, const struct nlmsghdr *nlh);

/* The header of a sock_diag dump request of @len bytes. */
#define SOCK_DIAG_DUMP_NLH(len) {					\
	.nlmsg_len = (len),						\
	.nlmsg_type = SOCK_DIAG_BY_FAMILY,				\
	.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,			\
	.nlmsg_seq = 1,							\
}

/*
 * Send one sock_diag dump request and hand every answer to @cb.
 * Return 0, or -errno: -ENOENT when the kernel has no handler for the
 * family (the diag module is not there).
 */
static int sock_diag_dump(struct census *c, const void *req, size_t len,
			  sock_diag_cb cb)
{
	struct sockaddr_nl nladdr = { .nl_family = AF_NETLINK };
	long buf[32768 / sizeof(long)];
	const struct nlmsghdr *h;
	int fd, err = 0;
	bool done = false;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&nladdr,
		   sizeof(nladdr)) < 0) {
		err = -errno;
		goto out_close;
	}
	while (!done) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				/* A dump that failed midway says so here. */
				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) &&
				    *(const int *)NLMSG_DATA(h) < 0)
					err = *(const int *)NLMSG_DATA(h);
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				err = e->error ? e->error : -EPROTO;
				done = true;
				break;
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
				cb(c, h);
		}
	}
out_close:
	close(fd);
	return err;
}

static void sock_owners(struct census *c, struct census_obj *obj, uint64_t ino)
{
	const struct census_ref *refs;
	size_t nr;

	nr = census_refs_find(c, CENSUS_REF_SOCKET, 0, ino, &refs);
	census_obj_ref_owners(obj, refs, nr);
}

/* ---- UNIX ------------------------------------------------------------------ */

static void unix_diag_cb(struct census *c, const struct nlmsghdr *h)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	const struct unix_diag_rqlen *rq = NULL;
	const uint32_t *mem = NULL;
	size_t nr_mem = 0, i, len;
	int rtlen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	const struct rtattr *a;
	struct census_obj *obj;
	enum census_mech mech;
	char id[32], name[256];
	const char *p;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return;
	mech = unix_mech(m->udiag_type);
	if (mech == CENSUS_NR_MECHS)
		return;
	snprintf(id, sizeof(id), "%u", m->udiag_ino);
	obj = census_obj_add(c, mech, id, NULL);
	census_obj_str(obj, "state", unix_state_name(m->udiag_state));
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, rtlen);
	     a = RTA_NEXT(a, rtlen)) {
		switch (a->rta_type) {
		case UNIX_DIAG_NAME:
			/* Abstract names start with a NUL, shown as '@'. */
			p = RTA_DATA(a);
			len = RTA_PAYLOAD(a);
			if (len >= sizeof(name))
				len = sizeof(name) - 1;
			for (i = 0; i < len; i++)
				name[i] = p[i] ? p[i] : '@';
			name[len] = '\0';
			if (len)
				obj->name = census_strdup(name);
			break;
		case UNIX_DIAG_PEER:
			if (RTA_PAYLOAD(a) >= sizeof(uint32_t))
				census_obj_num(obj, "peer",
					       *(const uint32_t *)RTA_DATA(a));
			break;
		case UNIX_DIAG_RQLEN:
			if (RTA_PAYLOAD(a) >= sizeof(*rq))
				rq = RTA_DATA(a);
			break;
		case UNIX_DIAG_MEMINFO:
			mem = RTA_DATA(a);
			nr_mem = RTA_PAYLOAD(a) / sizeof(uint32_t);
			break;
		case UNIX_DIAG_UID:
			if (RTA_PAYLOAD(a) >= sizeof(uint32_t))
				obj->uid = *(const uint32_t *)RTA_DATA(a);
			break;
		}
	}
	if (rq && m->udiag_state == SS_TCP_LISTEN) {
		/* Listening: pending connections and the backlog. */
		census_obj_num(obj, "pending_connections", rq->udiag_rqueue);
		census_obj_num(obj, "backlog", rq->udiag_wqueue);
		obj->queued = 0;
	} else if (rq) {
		/* Stream, seqpacket: all bytes; dgram: the next datagram. */
		obj->queued = rq->udiag_rqueue;
		obj->held = rq->udiag_wqueue;
	}
	/* Skbs are charged to the sender's write memory until read. */
	if (nr_mem > SK_MEMINFO_SNDBUF) {
		obj->held = (uint64_t)mem[SK_MEMINFO_WMEM_ALLOC] +
			    mem[SK_MEMINFO_RMEM_ALLOC];
		obj->capacity = mem[SK_MEMINFO_SNDBUF];
	}
	sock_owners(c, obj, m->udiag_ino);
}

static int census_unix_diag(struct census *c)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req udr;
	} req = {
		.nlh = SOCK_DIAG_DUMP_NLH(sizeof(req)),
		.udr = {
			.sdiag_family = AF_UNIX,
			.udiag_states = ~0u,
			.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER |
				      UDIAG_SHOW_RQLEN | UDIAG_SHOW_MEMINFO |
				      UDIAG_SHOW_UID,
		},
	};

	return sock_diag_dump(c, &req, sizeof(req), unix_diag_cb);
}

/*
 * Without unix_diag: /proc/net/unix lists the sockets (no queues); a copy
 * of a holder's fd answers SIOCINQ (what unix_diag calls rqueue) and
 * SIOCOUTQ (wqueue). Sockets no process holds keep unknown sizes.
 */
static void census_unix_proc_line(struct census *c, const char *line)
{
	unsigned int refcnt, proto, flags, type, st;
	const struct census_ref *refs;
	struct census_obj *obj;
	unsigned long long num;
	enum census_mech mech;
	int pos = 0, fd, inq, outq, sndbuf;
	socklen_t optlen = sizeof(sndbuf);
	bool listening;
	uint64_t ino;
	char id[32];
	size_t nr;

	if (sscanf(line, "%llx: %x %x %x %x %x %" SCNu64 "%n", &num, &refcnt,
		   &proto, &flags, &type, &st, &ino, &pos) < 7)
		return;
	mech = unix_mech(type);
	if (mech == CENSUS_NR_MECHS)
		return;
	line += pos;
	line += strspn(line, " ");
	snprintf(id, sizeof(id), "%" PRIu64, ino);
	obj = census_obj_add(c, mech, id, *line ? line : NULL);
	listening = flags & (1u << 16);		/* __SO_ACCEPTCON */
	census_obj_str(obj, "state", listening ? "listening" :
				     st == 3 ? "connected" :
				     st == 2 ? "connecting" : "unconnected");
	nr = census_refs_find(c, CENSUS_REF_SOCKET, 0, ino, &refs);
	census_obj_ref_owners(obj, refs, nr);
	if (!nr)
		return;
	fd = census_obj_grab(obj, refs, nr, false);
	if (fd < 0)
		return;
	if (listening)
		obj->queued = 0;
	else if (!ioctl(fd, SIOCINQ, &inq))
		obj->queued = inq;
	if (!ioctl(fd, SIOCOUTQ, &outq))
		obj->held = outq;
	if (!getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &optlen))
		obj->capacity = sndbuf;
	close(fd);
}

static int census_unix_proc(struct census *c)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	f = fopen("/proc/net/unix", "re");
	if (!f)
		return -errno;
	if (getline(&line, &cap, f) > 0) {
		while (getline(&line, &cap, f) > 0) {
			line[strcspn(line, "\n")] = '\0';
			census_unix_proc_line(c, line);
		}
	}
	free(line);
	fclose(f);
	return 0;
}

void census_scan_unix(struct census *c)
{
	static const enum census_mech mechs[] = {
		CENSUS_UNIX_STREAM, CENSUS_UNIX_DGRAM, CENSUS_UNIX_SEQPACKET,
	};
	const char *source = "sock_diag (unix_diag)";
	char note[256] = "";
	size_t i, first;
	int err;

	first = c->nr_objs;
	err = census_unix_diag(c);
	if (err) {
		census_objs_truncate(c, first);	/* a dump that broke off */
		snprintf(note, sizeof(note),
			 "no unix_diag (%s): sizes of held sockets only",
			 strerror(-err));
		source = "/proc/net/unix, SIOCINQ/SIOCOUTQ on a copy of the fd";
		err = census_unix_proc(c);
	}
	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		struct census_mech_state *ms = &c->mech[mechs[i]];

		if (err) {
			ms->status = "unavailable";
			snprintf(ms->note, sizeof(ms->note),
				 "neither unix_diag nor /proc/net/unix: %s",
				 strerror(-err));
			continue;
		}
		ms->source = source;
		snprintf(ms->note, sizeof(ms->note), "%s", note);
	}
}

/* ---- TCP ------------------------------------------------------------------- */

static void format_endpoint(char *buf, size_t size, int family,
			    const void *addr, unsigned int port)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, ip, sizeof(ip));
	snprintf(buf, size, family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
}

/* One TCP socket: queues and memory, from diag or /proc/net/tcp. */
static struct census_obj *tcp_obj_add(struct census *c, uint64_t ino,
				      uint64_t cookie, unsigned int state,
				      const char *local, const char *remote,
				      uint64_t rqueue, uint64_t wqueue)
{
	struct census_obj *obj;
	char id[48], name[128];

	if (ino)
		snprintf(id, sizeof(id), "%" PRIu64, ino);
	else	/* closed by its process, still draining */
		snprintf(id, sizeof(id), "orphan-%" PRIx64, cookie);
	snprintf(name, sizeof(name), "%s -> %s", local, remote);
	obj = census_obj_add(c, CENSUS_TCP, id, name);
	census_obj_str(obj, "state", tcp_state_name(state));
	census_obj_str(obj, "local", local);
	census_obj_str(obj, "remote", remote);
	if (state == SS_TCP_LISTEN) {
		/* Listening: accept queue length and backlog, not bytes. */
		census_obj_num(obj, "pending_connections", rqueue);
		obj->queued = 0;
	} else {
		census_obj_num(obj, "receive_queue", rqueue);
		census_obj_num(obj, "send_queue", wqueue);
		obj->queued = rqueue + wqueue;
	}
	if (ino)
		sock_owners(c, obj, ino);
	return obj;
}

static void inet_diag_cb(struct census *c, const struct nlmsghdr *h)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	int rtlen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	char local[80], remote[80];
	const struct rtattr *a;
	struct census_obj *obj;
	const uint32_t *mem;
	uint64_t cookie;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return;
	format_endpoint(local, sizeof(local), m->idiag_family, m->id.idiag_src,
			ntohs(m->id.idiag_sport));
	format_endpoint(remote, sizeof(remote), m->idiag_family, m->id.idiag_dst,
			ntohs(m->id.idiag_dport));
	cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
	obj = tcp_obj_add(c, m->idiag_inode, cookie, m->idiag_state, local,
			  remote, m->idiag_rqueue, m->idiag_wqueue);
	obj->uid = m->idiag_uid;
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, rtlen);
	     a = RTA_NEXT(a, rtlen)) {
		if (a->rta_type != INET_DIAG_SKMEMINFO ||
		    RTA_PAYLOAD(a) / sizeof(uint32_t) <= SK_MEMINFO_WMEM_QUEUED)
			continue;
		mem = RTA_DATA(a);
		obj->held = (uint64_t)mem[SK_MEMINFO_RMEM_ALLOC] +
			    mem[SK_MEMINFO_WMEM_QUEUED];
		obj->capacity = (uint64_t)mem[SK_MEMINFO_RCVBUF] +
				mem[SK_MEMINFO_SNDBUF];
	}
}

static int census_tcp_diag(struct census *c, int family)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = SOCK_DIAG_DUMP_NLH(sizeof(req)),
		.r = {
			.sdiag_family = family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_ext = 1 << (INET_DIAG_SKMEMINFO - 1),
			/* TIME_WAIT and request socks hold no data. */
			.idiag_states = ~((1u << SS_TCP_TIME_WAIT) |
					  (1u << SS_TCP_NEW_SYN_RECV)),
		},
	};

	return sock_diag_dump(c, &req, sizeof(req), inet_diag_cb);
}

/* Addresses in /proc/net/tcp{,6}: each 32-bit word in host order, hex. */
static bool parse_proc_addr(const char *hex, int family, void *addr)
{
	unsigned int words = family == AF_INET ? 1 : 4, i;
	uint32_t *w = addr;
	char word[9];

	if (strlen(hex) != words * 8)
		return false;
	for (i = 0; i < words; i++) {
		memcpy(word, hex + 8 * i, 8);
		word[8] = '\0';
		w[i] = strtoul(word, NULL, 16);
	}
	return true;
}

static void census_tcp_proc_line(struct census *c, int family, const char *line)
{
	char lhex[40], rhex[40], local[80], remote[80];
	unsigned int lport, rport, state, uid;
	unsigned long txq, rxq;
	struct in6_addr laddr, raddr;
	const struct census_ref *refs;
	struct census_obj *obj;
	int fd, rcv, snd;
	socklen_t optlen;
	uint64_t ino;
	size_t nr;

	if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %lx:%lx %*x:%*x %*x %u %*d %" SCNu64,
		   lhex, &lport, rhex, &rport, &state, &txq, &rxq, &uid,
		   &ino) != 9)
		return;
	if (state == SS_TCP_TIME_WAIT || state == SS_TCP_SYN_RECV)
		return;
	if (!parse_proc_addr(lhex, family, &laddr) ||
	    !parse_proc_addr(rhex, family, &raddr))
		return;
	format_endpoint(local, sizeof(local), family, &laddr, lport);
	format_endpoint(remote, sizeof(remote), family, &raddr, rport);
	obj = tcp_obj_add(c, ino, 0, state, local, remote, rxq, txq);
	obj->uid = uid;
	if (obj->queued != CENSUS_UNKNOWN)
		obj->held = obj->queued;	/* payload only: a lower bound */
	nr = census_refs_find(c, CENSUS_REF_SOCKET, 0, ino, &refs);
	fd = ino ? census_ref_grab_any(refs, nr, false) : -ENOENT;
	if (fd < 0)
		return;
	optlen = sizeof(rcv);
	if (!getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &optlen)) {
		optlen = sizeof(snd);
		if (!getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &optlen))
			obj->capacity = (uint64_t)rcv + snd;
	}
	close(fd);
}

static int census_tcp_proc(struct census *c, int family)
{
	const char *path = family == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6";
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;	/* no IPv6 */
	if (getline(&line, &cap, f) > 0)
		while (getline(&line, &cap, f) > 0)
			census_tcp_proc_line(c, family, line);
	free(line);
	fclose(f);
	return 0;
}

void census_scan_tcp(struct census *c)
{
	struct census_mech_state *ms = &c->mech[CENSUS_TCP];
	static const int families[] = { AF_INET, AF_INET6 };
	int err, err_diag = 0;
	size_t i, first;

	ms->source = "sock_diag (inet_diag, tcp_diag)";
	for (i = 0; i < 2; i++) {
		first = c->nr_objs;
		err = census_tcp_diag(c, families[i]);
		if (!err)
			continue;
		census_objs_truncate(c, first);
		err_diag = err;
		err = census_tcp_proc(c, families[i]);
		if (err) {
			ms->status = "unavailable";
			snprintf(ms->note, sizeof(ms->note),
				 "neither inet_diag nor /proc/net/tcp: %s",
				 strerror(-err));
			return;
		}
	}
	if (err_diag) {
		ms->source = "/proc/net/tcp, /proc/net/tcp6";
		snprintf(ms->note, sizeof(ms->note),
			 "no inet_diag (%s): held is payload only",
			 strerror(-err_diag));
	}
}
