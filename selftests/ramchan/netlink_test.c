// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "ramchan", over a raw NETLINK_GENERIC socket
 * (no library between the test and the wire): channel-get do and dump,
 * stats-get, the events group; visibility across IPC namespaces and
 * users; and every malformed request answered with the right errno and
 * an extended ACK that names the attribute.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ramchan.h>
#include "ramchan.h"

#include "../kselftest_harness.h"
#include "genl.h"

#define MANY		1000
#define NOBODY		65534

/* ---- dump and get ------------------------------------------------------ */

struct dump {
	int n;
	uint64_t ids[MANY + 64];
	bool sorted;
	bool found;
	uint64_t want;
	struct msg copy;
};

static void dump_collect(struct nlmsghdr *h, void *arg)
{
	static struct msg one;
	struct msg *m = &one;
	struct dump *d = arg;
	uint64_t id;

	parse_msg(m, h);
	if (m->cmd != RAMCHAN_CMD_CHANNEL_GET || !m->tb[RAMCHAN_A_CHANNEL_ID])
		return;
	id = u64_of(m->tb[RAMCHAN_A_CHANNEL_ID]);
	if (d->n && d->ids[d->n - 1] >= id)
		d->sorted = false;
	if (d->n < MANY + 64)
		d->ids[d->n++] = id;
	if (id == d->want) {
		d->found = true;
		parse_msg(&d->copy, h);
	}
}

static int dump(struct nl *nl, struct dump *d, int kind, bool peers)
{
	char req[1024];
	struct nlmsghdr *nlh = start(nl, req, nl->family,
				     RAMCHAN_CMD_CHANNEL_GET, NLM_F_DUMP);
	uint32_t k = kind;

	d->n = 0;
	d->sorted = true;
	d->found = false;
	if (kind)
		put_attr(nlh, RAMCHAN_A_CHANNEL_KIND, &k, 4);
	if (peers)
		put_attr(nlh, RAMCHAN_A_CHANNEL_WITH_PEERS, NULL, 0);
	return transact(nl, nlh, dump_collect, d);
}

static void get_copy(struct nlmsghdr *h, void *arg)
{
	parse_msg(arg, h);
}

static int get_by_id(struct nl *nl, uint64_t id, struct msg *m)
{
	char req[1024];
	struct nlmsghdr *nlh = start(nl, req, nl->family,
				     RAMCHAN_CMD_CHANNEL_GET, 0);

	put_attr(nlh, RAMCHAN_A_CHANNEL_ID, &id, 8);
	memset(m, 0, sizeof(*m));
	return transact(nl, nlh, get_copy, m);
}

static int get_by_name(struct nl *nl, const char *name, struct msg *m)
{
	char req[1024];
	struct nlmsghdr *nlh = start(nl, req, nl->family,
				     RAMCHAN_CMD_CHANNEL_GET, 0);

	put_attr(nlh, RAMCHAN_A_CHANNEL_NAME, name, strlen(name) + 1);
	memset(m, 0, sizeof(*m));
	return transact(nl, nlh, get_copy, m);
}

static uint64_t chan_id(int fd)
{
	char path[64], text[512];
	struct ramchan_fdinfo fi;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	if (f < 0)
		return 0;
	n = read(f, text, sizeof(text) - 1);
	close(f);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	return ramchan_fdinfo_parse(text, &fi) ? 0 : fi.id;
}

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return true;
	return ma > major || (ma == major && mi >= minor);
}

static long sysfs_long(const char *path)
{
	char text[64] = "";
	ssize_t n;
	int f;

	f = open(path, O_RDONLY);
	if (f < 0)
		return -1;
	n = read(f, text, sizeof(text) - 1);
	close(f);
	return n > 0 ? strtol(text, NULL, 0) : -1;
}

/* Does @m hold a peer (@pid, @fd, @role)? */
static bool has_peer(struct msg *m, pid_t pid, int fd, unsigned int role)
{
	int i;

	for (i = 0; i < m->npeers; i++) {
		struct nlattr *tb[RAMCHAN_A_PEER_MAX + 1];

		parse_attrs(tb, RAMCHAN_A_PEER_MAX,
			    (char *)m->peers[i] + NLA_HDRLEN,
			    m->peers[i]->nla_len - NLA_HDRLEN);
		if (tb[RAMCHAN_A_PEER_PID] && tb[RAMCHAN_A_PEER_FD] &&
		    tb[RAMCHAN_A_PEER_ROLE] &&
		    u32_of(tb[RAMCHAN_A_PEER_PID]) == (uint32_t)pid &&
		    u32_of(tb[RAMCHAN_A_PEER_FD]) == (uint32_t)fd &&
		    u32_of(tb[RAMCHAN_A_PEER_ROLE]) == role)
			return true;
	}
	return false;
}

FIXTURE(nl) {
	struct nl nl;
	int ctl;
	char name[32];
};

FIXTURE_SETUP(nl)
{
	int err;

	self->ctl = ramchan_open_dev();
	ASSERT_LE(0, self->ctl);
	err = nl_open(&self->nl);
	ASSERT_EQ(0, err) TH_LOG("resolving family ramchan: %s", strerror(-err));
	snprintf(self->name, sizeof(self->name), "nltest-%d", getpid());
}

FIXTURE_TEARDOWN(nl)
{
	ramchan_chan_unlink(self->ctl, self->name);
	close(self->nl.fd);
	close(self->ctl);
}

TEST_F(nl, stats_get_reports_the_global_counters)
{
	struct nlattr *tb[RAMCHAN_A_STATS_MAX + 1];
	char req[1024];
	struct nlmsghdr *nlh = start(&self->nl, req, self->nl.family,
				     RAMCHAN_CMD_STATS_GET, 0);
	struct msg m;
	int fd;

	fd = ramchan_ring_create(self->ctl, NULL, 65536, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, transact(&self->nl, nlh, get_copy, &m));
	ASSERT_EQ(RAMCHAN_CMD_STATS_GET, m.cmd);
	/* Same numbering for the stats set: reparse from the channel table. */
	memcpy(tb, m.tb, sizeof(tb));
	ASSERT_NE(NULL, tb[RAMCHAN_A_STATS_ABI_VERSION]);
	EXPECT_EQ(RAMCHAN_ABI_VERSION, u32_of(tb[RAMCHAN_A_STATS_ABI_VERSION]));
	ASSERT_NE(NULL, tb[RAMCHAN_A_STATS_CHANNELS]);
	EXPECT_EQ(sysfs_long("/sys/kernel/ramchan/channels"),
		  (long)u64_of(tb[RAMCHAN_A_STATS_CHANNELS]));
	EXPECT_EQ(sysfs_long("/sys/kernel/ramchan/bytes_held"),
		  (long)u64_of(tb[RAMCHAN_A_STATS_BYTES_HELD]));
	EXPECT_LE(1, (long)u64_of(tb[RAMCHAN_A_STATS_OPEN_FILES]));
	EXPECT_LE(1, (long)u64_of(tb[RAMCHAN_A_STATS_OPENS]));
	close(fd);
}

/*
 * @n queues held by @users children of uids of their own (a user may
 * create max_channels_per_user, 256 by default). Each child writes a byte
 * to *@ready once its queues exist and keeps them until *@hold closes.
 */
#define HOLDERS	4

static int hold_queues(int ctl, int users, int n, int *hold)
{
	int ready[2], p[2], k, i;
	char c;

	if (pipe(ready) || pipe(p))
		return -errno;
	for (k = 0; k < users; k++) {
		pid_t pid = fork();

		if (pid < 0)
			return -errno;
		if (pid)
			continue;
		close(p[1]);
		if (setgid(30000 + k) || setuid(30000 + k))
			_exit(1);
		for (i = 0; i < n / users; i++) {
			struct ramchan_mq_opts o = { .depth = 1, .msg_size = 8 };

			if (ramchan_mq_create(ctl, &o) < 0)
				_exit(2);
		}
		if (write(ready[1], "r", 1) != 1)
			_exit(3);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	for (k = 0; k < users; k++)
		if (read(ready[0], &c, 1) != 1)
			return -EIO;
	close(ready[0]);
	close(ready[1]);
	*hold = p[1];
	return 0;
}

static void release_queues(int hold, int users)
{
	close(hold);
	while (users--)
		wait(NULL);
}

TEST_F(nl, dump_of_none_one_and_a_thousand_channels)
{
	static struct dump d;
	int base, fd, hold, datagrams;
	uint64_t id;

	ASSERT_LT(0, dump(&self->nl, &d, 0, false));
	EXPECT_TRUE(d.sorted);
	base = d.n;
	EXPECT_EQ(sysfs_long("/sys/kernel/ramchan/channels"), base);

	fd = ramchan_ring_create(self->ctl, self->name, 65536, 0600, 0, 0);
	ASSERT_LE(0, fd);
	id = chan_id(fd);
	d.want = id;
	ASSERT_LT(0, dump(&self->nl, &d, 0, false));
	EXPECT_EQ(base + 1, d.n);
	ASSERT_TRUE(d.found);
	EXPECT_EQ(RAMCHAN_KIND_RING, u32_of(d.copy.tb[RAMCHAN_A_CHANNEL_KIND]));
	EXPECT_STREQ(self->name, str_of(d.copy.tb[RAMCHAN_A_CHANNEL_NAME]));
	EXPECT_EQ(65536, u64_of(d.copy.tb[RAMCHAN_A_CHANNEL_SIZE]));
	EXPECT_EQ(0, u64_of(d.copy.tb[RAMCHAN_A_CHANNEL_FILL]));
	EXPECT_EQ(0600, u32_of(d.copy.tb[RAMCHAN_A_CHANNEL_MODE]));
	EXPECT_EQ(getuid(), u32_of(d.copy.tb[RAMCHAN_A_CHANNEL_OWNER]));
	EXPECT_EQ(1, u32_of(d.copy.tb[RAMCHAN_A_CHANNEL_PRODUCERS]));
	EXPECT_EQ(1, u32_of(d.copy.tb[RAMCHAN_A_CHANNEL_CONSUMERS]));
	EXPECT_EQ(sysfs_long("/sys/kernel/ramchan/bytes_held") > 0, 1);
	/* Peers only when asked for. */
	EXPECT_EQ(0, d.copy.npeers);
	ASSERT_LT(0, dump(&self->nl, &d, 0, true));
	EXPECT_TRUE(has_peer(&d.copy, getpid(), fd, RAMCHAN_ROLE_BOTH));
	/* Only queues: ours is a ring. */
	ASSERT_LT(0, dump(&self->nl, &d, RAMCHAN_KIND_MQ, false));
	EXPECT_FALSE(d.found);

	ASSERT_EQ(0, hold_queues(self->ctl, HOLDERS, MANY, &hold));
	datagrams = dump(&self->nl, &d, 0, false);
	EXPECT_LT(2, datagrams) TH_LOG("%d channels in %d datagrams", d.n,
				      datagrams);
	EXPECT_EQ(base + 1 + MANY, d.n);
	EXPECT_TRUE(d.sorted);
	EXPECT_TRUE(d.found);
	ASSERT_LT(0, dump(&self->nl, &d, RAMCHAN_KIND_MQ, false));
	EXPECT_LE(MANY, d.n);
	EXPECT_FALSE(d.found);
	release_queues(hold, HOLDERS);
	close(fd);
	ramchan_chan_unlink(self->ctl, self->name);
	ASSERT_LT(0, dump(&self->nl, &d, 0, false));
	EXPECT_EQ(base, d.n);
}

TEST_F(nl, get_by_id_and_by_name_with_peers)
{
	struct ramchan_mq_opts o = { .name = self->name, .depth = 4,
				     .msg_size = 16, .mode = 0644,
				     .overflow = RAMCHAN_MQ_OVERFLOW_REJECT };
	struct msg m;
	uint64_t id;
	int q, prod;

	q = ramchan_mq_create(self->ctl, &o);
	ASSERT_LE(0, q);
	prod = ramchan_chan_dup(q, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);
	id = chan_id(q);
	ASSERT_EQ(0, ramchan_mq_send(prod, "abc", 3, 1, 0, 0));

	ASSERT_LT(0, get_by_id(&self->nl, id, &m));
	EXPECT_EQ(id, u64_of(m.tb[RAMCHAN_A_CHANNEL_ID]));
	EXPECT_EQ(RAMCHAN_KIND_MQ, u32_of(m.tb[RAMCHAN_A_CHANNEL_KIND]));
	EXPECT_EQ(4, u32_of(m.tb[RAMCHAN_A_CHANNEL_DEPTH]));
	EXPECT_EQ(16, u32_of(m.tb[RAMCHAN_A_CHANNEL_MSG_SIZE]));
	EXPECT_EQ(RAMCHAN_MQ_OVERFLOW_REJECT,
		  u32_of(m.tb[RAMCHAN_A_CHANNEL_OVERFLOW]));
	EXPECT_EQ(1, u64_of(m.tb[RAMCHAN_A_CHANNEL_COUNT]));
	EXPECT_EQ(3, u64_of(m.tb[RAMCHAN_A_CHANNEL_FILL]));
	EXPECT_EQ(1, u64_of(m.tb[RAMCHAN_A_CHANNEL_RECORDS_IN]));
	EXPECT_EQ(2, u32_of(m.tb[RAMCHAN_A_CHANNEL_PRODUCERS]));
	EXPECT_EQ(1, u32_of(m.tb[RAMCHAN_A_CHANNEL_CONSUMERS]));
	EXPECT_EQ(2, m.npeers);
	EXPECT_TRUE(has_peer(&m, getpid(), q, RAMCHAN_ROLE_BOTH));
	EXPECT_TRUE(has_peer(&m, getpid(), prod, RAMCHAN_ROLE_PRODUCER));

	ASSERT_LT(0, get_by_name(&self->nl, self->name, &m));
	EXPECT_EQ(id, u64_of(m.tb[RAMCHAN_A_CHANNEL_ID]));
	EXPECT_STREQ(self->name, str_of(m.tb[RAMCHAN_A_CHANNEL_NAME]));

	/* Once unlinked, the name no longer finds it; the id still does. */
	ASSERT_EQ(0, ramchan_chan_unlink(self->ctl, self->name));
	EXPECT_EQ(-ENOENT, get_by_name(&self->nl, self->name, &m));
	EXPECT_LT(0, get_by_id(&self->nl, id, &m));
	close(prod);
	close(q);
	EXPECT_EQ(-ENOENT, get_by_id(&self->nl, id, &m));
	EXPECT_NE(NULL, strstr(self->nl.ack.text, "no such channel"))
		TH_LOG("extack: '%s'", self->nl.ack.text);
	EXPECT_LE(0, self->nl.ack.offset);
}

/* A request with @attrs appended raw; return the errno and keep the ack. */
static int bad_request(struct nl *nl, int cmd, int flags, const void *attrs,
		       int len)
{
	char req[1024];
	struct nlmsghdr *nlh = start(nl, req, nl->family, cmd, flags);

	memcpy((char *)nlh + nlh->nlmsg_len, attrs, len);
	nlh->nlmsg_len += len;
	return transact(nl, nlh, NULL, NULL);
}

struct raw_attr {
	struct nlattr a;
	char data[80];
};

static int raw(struct raw_attr *r, int type, const void *data, int len)
{
	memset(r, 0, sizeof(*r));
	r->a.nla_type = type;
	r->a.nla_len = NLA_HDRLEN + len;
	memcpy(r->data, data, len);
	return NLA_ALIGN(r->a.nla_len);
}

TEST_F(nl, malformed_requests_get_errno_and_extack)
{
	char longname[RAMCHAN_NAME_MAX + 8];
	struct raw_attr r;
	uint32_t small = 7, kind = 3;
	uint64_t id = 1;
	int len, err;

	/* channel-get do without id or name: the missing attribute named. */
	err = bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET, 0, NULL, 0);
	EXPECT_EQ(-EINVAL, err);
	EXPECT_NE('\0', self->nl.ack.text[0]);
	EXPECT_EQ(RAMCHAN_A_CHANNEL_ID, self->nl.ack.missing);

	/* An id of 4 bytes: NLA_U64 wants 8. */
	len = raw(&r, RAMCHAN_A_CHANNEL_ID, &small, 4);
	err = bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET, 0, &r, len);
	EXPECT_TRUE(err == -EINVAL || err == -ERANGE) TH_LOG("err %d", err);
	EXPECT_LE(0, self->nl.ack.offset);

	/* A name without its NUL, and one too long. */
	len = raw(&r, RAMCHAN_A_CHANNEL_NAME, "abc", 3);
	EXPECT_EQ(-EINVAL, bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET, 0,
				       &r, len));
	EXPECT_LE(0, self->nl.ack.offset);
	memset(longname, 'x', sizeof(longname));
	longname[sizeof(longname) - 1] = '\0';
	len = raw(&r, RAMCHAN_A_CHANNEL_NAME, longname, sizeof(longname));
	err = bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET, 0, &r, len);
	EXPECT_TRUE(err == -EINVAL || err == -ERANGE) TH_LOG("err %d", err);
	EXPECT_LE(0, self->nl.ack.offset);

	/* An unknown attribute (strict validation) and an out-of-range kind. */
	len = raw(&r, RAMCHAN_A_CHANNEL_MAX + 5, &small, 4);
	EXPECT_EQ(-EINVAL, bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET,
				       NLM_F_DUMP, &r, len));
	EXPECT_LE(0, self->nl.ack.offset);
	len = raw(&r, RAMCHAN_A_CHANNEL_KIND, &kind, 4);
	EXPECT_EQ(-ERANGE, bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET,
				       NLM_F_DUMP, &r, len));
	EXPECT_LE(0, self->nl.ack.offset);
	/* An attribute the policy knows but this op does not take. */
	len = raw(&r, RAMCHAN_A_CHANNEL_DEPTH, &small, 4);
	EXPECT_EQ(-EINVAL, bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET,
				       NLM_F_DUMP, &r, len));

	/* A dump's attribute in a do, and a do's in a dump. */
	kind = RAMCHAN_KIND_RING;
	len = raw(&r, RAMCHAN_A_CHANNEL_KIND, &kind, 4);
	EXPECT_EQ(-EINVAL, bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET, 0,
				       &r, len));
	EXPECT_NE(NULL, strstr(self->nl.ack.text, "dump"));
	len = raw(&r, RAMCHAN_A_CHANNEL_ID, &id, 8);
	EXPECT_EQ(-EINVAL, bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET,
				       NLM_F_DUMP, &r, len));
	/* 6.1 does not pass a dump's start() extack on (6.2 does). */
	if (kernel_at_least(6, 2))
		EXPECT_NE('\0', self->nl.ack.text[0]);

	/* Id 0 and an empty name exist never. */
	id = 0;
	len = raw(&r, RAMCHAN_A_CHANNEL_ID, &id, 8);
	EXPECT_EQ(-ENOENT, bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET, 0,
				       &r, len));
	len = raw(&r, RAMCHAN_A_CHANNEL_NAME, "", 1);
	EXPECT_EQ(-ENOENT, bad_request(&self->nl, RAMCHAN_CMD_CHANNEL_GET, 0,
				       &r, len));

	/* stats-get takes no attribute; an unknown command is refused. */
	len = raw(&r, 1, &small, 4);
	EXPECT_EQ(-EINVAL, bad_request(&self->nl, RAMCHAN_CMD_STATS_GET, 0,
				       &r, len));
	EXPECT_EQ(-EOPNOTSUPP, bad_request(&self->nl, RAMCHAN_CMD_MAX + 1, 0,
					   NULL, 0));
	EXPECT_EQ(-EOPNOTSUPP, bad_request(&self->nl,
					   RAMCHAN_CMD_CHANNEL_CREATE_NTF, 0,
					   NULL, 0));
}

/* In a child: does a dump or a get of @id see the channel? 0/1, or 2+. */
static int child_sees(uint64_t id, bool new_ipc_ns, uid_t uid, pid_t owner_pid,
		      int owner_fd)
{
	static struct dump d;
	struct nl nl;
	struct msg m;
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		close(owner_fd);	/* the parent's, not ours */
		if (new_ipc_ns && unshare(CLONE_NEWIPC))
			_exit(3);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(4);
		if (nl_open(&nl))
			_exit(5);
		d.want = id;
		if (dump(&nl, &d, 0, true) < 0)
			_exit(6);
		get_by_id(&nl, id, &m);
		if (d.found != (m.tb[RAMCHAN_A_CHANNEL_ID] != NULL))
			_exit(7);
		if (!d.found)
			_exit(0);
		/* Visible: the owner's file is listed to the owner's kind only. */
		if (uid && (has_peer(&m, owner_pid, owner_fd, RAMCHAN_ROLE_BOTH) ||
			    m.npeers))
			_exit(9);
		_exit(1);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 10;
	return WEXITSTATUS(status);
}

TEST_F(nl, other_ipc_namespaces_do_not_see_a_channel)
{
	struct msg m;
	uint64_t id;
	int fd;

	fd = ramchan_ring_create(self->ctl, self->name, 65536, 0644, 0, 0);
	ASSERT_LE(0, fd);
	id = chan_id(fd);
	EXPECT_EQ(1, child_sees(id, false, 0, getpid(), fd));
	EXPECT_EQ(0, child_sees(id, true, 0, getpid(), fd));
	/* Another user sees it, but not who holds it. */
	EXPECT_EQ(1, child_sees(id, false, NOBODY, getpid(), fd));
	/* The owner sees its holder. */
	ASSERT_LT(0, get_by_id(&self->nl, id, &m));
	EXPECT_TRUE(has_peer(&m, getpid(), fd, RAMCHAN_ROLE_BOTH));
	close(fd);
}

static long stats_channels(struct nl *nl)
{
	char req[1024];
	struct nlmsghdr *nlh = start(nl, req, nl->family,
				     RAMCHAN_CMD_STATS_GET, 0);
	static struct msg m;

	memset(&m, 0, sizeof(m));
	if (transact(nl, nlh, get_copy, &m) < 0 ||
	    !m.tb[RAMCHAN_A_STATS_CHANNELS])
		return -1;
	return (long)u64_of(m.tb[RAMCHAN_A_STATS_CHANNELS]);
}

/* ---- events ------------------------------------------------------------ */

/* The next event of channel @id (others' are skipped) within 5 s. */
static bool event_of(struct nl *nl, uint64_t id, struct msg *m);

TEST_F(nl, names_of_a_dead_ipc_namespace_go_before_a_dump_or_stats)
{
	static struct dump d;
	int status, p[2];
	uint64_t id = 0;
	long base;
	static struct nl ev;	/* requests would eat the events on nl */
	struct msg m;
	pid_t pid;

	base = stats_channels(&self->nl);
	ASSERT_LE(0, base);
	ASSERT_EQ(0, nl_open(&ev));
	ASSERT_EQ(0, nl_subscribe(&ev));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (unshare(CLONE_NEWIPC))
			_exit(1);
		fd = ramchan_ring_create(self->ctl, "ghost", 65536, 0600, 0, 0);
		if (fd < 0)
			_exit(2);
		id = chan_id(fd);
		if (write(p[1], &id, sizeof(id)) != sizeof(id))
			_exit(3);
		close(fd);
		_exit(0);	/* the name alone holds the channel now */
	}
	ASSERT_EQ(sizeof(id), read(p[0], &id, sizeof(id)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* Its namespace is gone: neither the counters nor a dump keep it. */
	EXPECT_EQ(base, stats_channels(&self->nl));
	d.want = id;
	ASSERT_LT(0, dump(&self->nl, &d, 0, false));
	EXPECT_FALSE(d.found);
	ASSERT_TRUE(event_of(&ev, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_CHANNEL_CREATE_NTF, m.cmd);
	ASSERT_TRUE(event_of(&ev, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_PEER_GONE_NTF, m.cmd);
	ASSERT_TRUE(event_of(&ev, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_CHANNEL_UNLINK_NTF, m.cmd);
	ASSERT_TRUE(event_of(&ev, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_CHANNEL_DESTROY_NTF, m.cmd);
	close(ev.fd);
	close(p[0]);
	close(p[1]);
}

/* The next event of channel @id (others' are skipped) within 5 s. */
static bool event_of(struct nl *nl, uint64_t id, struct msg *m)
{
	time_t end = time(NULL) + 5;

	while (time(NULL) <= end)
		if (next_event(nl, m, 1000) && m->tb[RAMCHAN_A_CHANNEL_ID] &&
		    u64_of(m->tb[RAMCHAN_A_CHANNEL_ID]) == id)
			return true;
	return false;
}

TEST_F(nl, every_event_once_in_order)
{
	struct msg m;
	uint64_t id;
	int fd, prod;

	ASSERT_EQ(0, nl_subscribe(&self->nl));
	fd = ramchan_ring_create(self->ctl, self->name, 65536, 0600,
				 RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, fd);
	id = chan_id(fd);
	prod = ramchan_chan_open(self->ctl, self->name, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);

	ASSERT_TRUE(event_of(&self->nl, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_CHANNEL_CREATE_NTF, m.cmd);
	EXPECT_EQ(RAMCHAN_KIND_RING, u32_of(m.tb[RAMCHAN_A_CHANNEL_KIND]));
	EXPECT_STREQ(self->name, str_of(m.tb[RAMCHAN_A_CHANNEL_NAME]));
	EXPECT_EQ(getuid(), u32_of(m.tb[RAMCHAN_A_CHANNEL_OWNER]));

	close(prod);
	ASSERT_TRUE(event_of(&self->nl, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_PEER_GONE_NTF, m.cmd);
	EXPECT_EQ(RAMCHAN_ROLE_PRODUCER, u32_of(m.tb[RAMCHAN_A_CHANNEL_ROLE]));

	ASSERT_EQ(0, ramchan_chan_unlink(self->ctl, self->name));
	ASSERT_TRUE(event_of(&self->nl, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_CHANNEL_UNLINK_NTF, m.cmd);
	EXPECT_STREQ(self->name, str_of(m.tb[RAMCHAN_A_CHANNEL_NAME]));

	close(fd);
	ASSERT_TRUE(event_of(&self->nl, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_PEER_GONE_NTF, m.cmd);
	EXPECT_EQ(RAMCHAN_ROLE_CONSUMER, u32_of(m.tb[RAMCHAN_A_CHANNEL_ROLE]));
	ASSERT_TRUE(event_of(&self->nl, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_CHANNEL_DESTROY_NTF, m.cmd);
	EXPECT_FALSE(event_of(&self->nl, id, &m)) TH_LOG("extra event %d", m.cmd);
}

TEST_F(nl, a_failed_create_sends_no_event)
{
	struct msg m;
	int fd, again;

	fd = ramchan_ring_create(self->ctl, self->name, 65536, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, nl_subscribe(&self->nl));
	again = ramchan_ring_create(self->ctl, self->name, 65536, 0600, 0, 0);
	EXPECT_EQ(-EEXIST, again);
	/* Nothing at all: not a create, not a peer-gone, not a destroy. */
	EXPECT_FALSE(next_event(&self->nl, &m, 500)) TH_LOG("event %d", m.cmd);
	close(fd);
}

TEST_F(nl, a_broken_ring_is_an_event)
{
	struct ramchan_ring r;
	struct msg m;
	uint64_t id;
	char buf[64];
	int fd;

	ASSERT_EQ(0, nl_subscribe(&self->nl));
	fd = ramchan_ring_create(self->ctl, NULL, 65536, 0, 0, 0);
	ASSERT_LE(0, fd);
	id = chan_id(fd);
	ASSERT_TRUE(event_of(&self->nl, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_CHANNEL_CREATE_NTF, m.cmd);
	EXPECT_EQ(NULL, m.tb[RAMCHAN_A_CHANNEL_NAME]);
	ASSERT_EQ(0, ramchan_ring_map(&r, fd));
	__atomic_store_n(r.reserve, r.size * 3 + 8, __ATOMIC_RELAXED);
	__atomic_store_n(r.head, r.size * 3 + 8, __ATOMIC_RELEASE);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	ASSERT_TRUE(event_of(&self->nl, id, &m));
	EXPECT_EQ(RAMCHAN_CMD_RING_BROKEN_NTF, m.cmd);
	EXPECT_EQ(RAMCHAN_KIND_RING, u32_of(m.tb[RAMCHAN_A_CHANNEL_KIND]));
	ramchan_ring_unmap(&r);
	close(fd);
	ASSERT_TRUE(event_of(&self->nl, id, &m));	/* once: then gone */
	EXPECT_EQ(RAMCHAN_CMD_PEER_GONE_NTF, m.cmd);
}

TEST_F(nl, overflow_events_are_rate_limited_and_count_the_rest)
{
	struct ramchan_mq_opts o = { .depth = 1, .msg_size = 8,
				     .overflow = RAMCHAN_MQ_OVERFLOW_DROP_OLDEST };
	int q, i, events = 0, sends = 100;
	uint64_t id, last_drops = 0;
	struct msg m;

	ASSERT_EQ(0, nl_subscribe(&self->nl));
	/* Let an earlier test's second run out. */
	sleep(1);
	q = ramchan_mq_create(self->ctl, &o);
	ASSERT_LE(0, q);
	id = chan_id(q);
	ASSERT_EQ(0, ramchan_mq_send(q, "x", 1, 0, 0, 0));
	for (i = 0; i < sends; i++)
		ASSERT_EQ(0, ramchan_mq_send(q, "y", 1, 0, 0, 0));
	while (event_of(&self->nl, id, &m) &&
	       m.cmd != RAMCHAN_CMD_PEER_GONE_NTF) {
		if (m.cmd != RAMCHAN_CMD_OVERFLOW_NTF)
			continue;
		events++;
		EXPECT_EQ(RAMCHAN_MQ_OVERFLOW_DROP_OLDEST,
			  u32_of(m.tb[RAMCHAN_A_CHANNEL_OVERFLOW]));
		last_drops = u64_of(m.tb[RAMCHAN_A_CHANNEL_DROPS]);
		if (events == RAMCHAN_NL_OVERFLOW_BURST)
			break;
	}
	EXPECT_EQ(RAMCHAN_NL_OVERFLOW_BURST, events);
	EXPECT_EQ(RAMCHAN_NL_OVERFLOW_BURST, last_drops);
	/* A second later, one more: it counts what was suppressed. */
	sleep(1);
	ASSERT_EQ(0, ramchan_mq_send(q, "z", 1, 0, 0, 0));
	do {
		ASSERT_TRUE(event_of(&self->nl, id, &m));
	} while (m.cmd != RAMCHAN_CMD_OVERFLOW_NTF);
	EXPECT_EQ(sends + 1, u64_of(m.tb[RAMCHAN_A_CHANNEL_DROPS]));
	EXPECT_EQ(sends - RAMCHAN_NL_OVERFLOW_BURST,
		  u64_of(m.tb[RAMCHAN_A_CHANNEL_SUPPRESSED]));
	close(q);
}

TEST_HARNESS_MAIN
