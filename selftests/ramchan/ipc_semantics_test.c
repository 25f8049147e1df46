// SPDX-License-Identifier: GPL-2.0
/*
 * The same IPC scenarios over every transport: ordering, message
 * boundaries, blocking and non-blocking calls on empty and full channels,
 * peer hang-up on either side and poll readiness, run on pipes, FIFOs,
 * AF_UNIX stream, seqpacket and datagram socket pairs, TCP over loopback,
 * POSIX and System V message queues, eventfd, queued realtime signals,
 * a shared-memory ring with futexes, and ramchan rings (libramchan's mapped
 * API and read()/write()) and queues.
 *
 * Each mechanism is a small table of operations (a sender and a receiver
 * end, send, receive, close either end) and a variant that states, as data,
 * what its documentation (or, where the manual pages are silent, the
 * kernel code named beside the entry) says it does. The scenarios assert
 * that the mechanism does exactly that: a mechanism that behaves otherwise
 * fails, and a scenario that means nothing for a mechanism is skipped with
 * the reason.
 *
 * Payload bytes are a function of their offset in the flow, so every
 * received byte is checked, whether the mechanism keeps messages or merges
 * them into a stream. Channels are small so that "full" comes quickly:
 * 4 KiB pipes and rings, 4 KiB socket buffers, queues of 8 messages.
 * Peers are forked children; blocking calls are guarded by an interval
 * timer whose handler (without SA_RESTART) makes them fail with EINTR.
 *
 * Run as root in a guest with ramchan loaded (tools/vm/run does it); the
 * ramchan variants are skipped when /dev/ramchan is missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/futex.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "ramchan.h"
#include "../kselftest_harness.h"

#define MSG_MAX		128	/* largest message the scenarios send */
#define FILL_LEN	64	/* size of the messages that fill a channel */
#define RX_CAP		4096	/* receive buffer: a stream may merge sends */
#define CHAN_BYTES	4096	/* pipe, ring and socket buffer sizes */
#define QUEUE_DEPTH	8	/* messages a POSIX or ramchan queue holds */
#define ORDER_MSGS	1000
#define FILL_MAX	100000	/* sends before "never full" is declared */
#define SIGPENDING_MAX	16	/* RLIMIT_SIGPENDING while filling */
#define SIG_MSG_MAX	7	/* payload bytes a sigval carries, after a length */

#define PEER_DELAY_MS	50	/* a forked peer acts this long after the fork */
#define MIN_WAIT_MS	40	/* a call that waited for that peer took this */
#define BLOCK_MS	100	/* how long a call must stay blocked */
#define QUIET_MS	200	/* a poll that must see nothing waits this long */
#define WATCHDOG_MS	5000	/* a blocking call gives up (EINTR) after this */
#define ORDER_MS	60000	/* the same, for the ordering scenario */

/* ---- the channel and the operations every mechanism provides ----------- */

/*
 * A shared-memory ring: fixed slots, free-running message counts that are
 * also the futex words; the semantics are whatever this code says.
 */
#define SHM_SLOTS	8

struct shm_ring {
	__u32 head;		/* messages published (producer) */
	__u32 tail;		/* messages consumed (consumer) */
	struct {
		__u32 len;
		__u8 data[MSG_MAX];
	} slot[SHM_SLOTS];
};

struct chan {
	int tx;			/* sending end, -1 if none or closed */
	int rx;			/* receiving end, -1 if none or closed */
	int tx_poll;		/* pollable fd of the sending end, or -1 */
	int rx_poll;		/* pollable fd of the receiving end, or -1 */
	int msqid;		/* System V queue */
	int sig;		/* realtime signal number */
	pid_t sig_pid;		/* the process that receives it */
	struct shm_ring *shm;
	struct ramchan_ring rtx;	/* mapped producer side */
	struct ramchan_ring rrx;	/* mapped consumer side */
	bool rtx_mapped;
	bool rrx_mapped;
};

/* Bytes sent and received so far: the stream offset of the next byte. */
struct flow {
	__u64 sent;
	__u64 rcvd;
};

/* Results a forked peer hands back. */
struct shared {
	__u64 rcvd;	/* its flow's bytes received */
	__u64 mark;	/* now_ms() at a point of its choosing */
};

struct mech {
	/* Set the channel up: 0 or -errno. */
	int (*open)(struct chan *c);
	/* Bytes sent (all of @len, or fewer for a stream) or -errno. */
	ssize_t (*send)(struct chan *c, const void *buf, size_t len, bool nb);
	/* 0 with *@len (0: end of file), or -errno. */
	int (*recv)(struct chan *c, void *buf, size_t cap, bool nb,
		    __u64 *len);
	/* Optional: send with a priority; 0 or -errno. */
	int (*send_prio)(struct chan *c, const void *buf, size_t len,
			 unsigned int prio);
	/* Optional: before a fill (limits), or the fill's first part. */
	int (*prefill)(struct chan *c, struct flow *f, __u64 *count);
	/* Optional: wait until a full channel stays full. */
	void (*settle)(struct chan *c);
	/* Optional: take the receiving side over after a child used it. */
	int (*resync_rx)(struct chan *c);
	void (*close_tx)(struct chan *c);
	void (*close_rx)(struct chan *c);
	void (*destroy)(struct chan *c);
};

/* The scenarios, to name those that mean nothing for a mechanism. */
enum scenario {
	SC_ORDERING,
	SC_PRIORITY,
	SC_BOUNDARIES,
	SC_NONBLOCK_EMPTY,
	SC_BLOCK_EMPTY,
	SC_NONBLOCK_FULL,
	SC_BLOCK_FULL,
	SC_HUP_RX,
	SC_HUP_TX,
	SC_POLL_IN,
	SC_POLL_OUT,
	SC_POLL_HUP_RX,
	SC_POLL_HUP_TX,
	SC_COUNT
};

/* When a full channel takes a message again. */
enum room {
	ROOM_ONE,	/* as soon as one message was received */
	ROOM_SLOT,	/* once a whole pipe buffer (a page) was emptied */
	ROOM_DRAIN,	/* once drained well below full (hysteresis, TCP) */
};

/* hup_rx: what a receiver gets once the sender left and all is read. */
#define EOF_RESULT	0	/* recv returns 0 bytes: end of file */
#define NO_HANGUP	1	/* nothing: it looks empty (and blocks) */
/* or a negative errno */

FIXTURE(ipc) {
	struct chan c;
	struct shared *sh;
};

/*
 * The documented behaviour of one mechanism.
 * @keeps_boundaries:	each receive returns exactly one send
 * @carries_data:	the payload arrives (eventfd: the sum of the sends)
 * @priority_order:	higher priorities are received first
 * @max_msg:		largest message it carries (<= MSG_MAX)
 * @empty_errno:	a non-blocking receive on an empty channel
 * @full_errno:		a non-blocking send on a full channel
 * @send_blocks:	a blocking send on a full channel waits for room
 * @room_nonblock:	when a non-blocking send succeeds again after full
 * @room_wakeup:	what the receiver must take to wake a blocked sender
 * @hup_rx:		EOF_RESULT, NO_HANGUP or -errno, see above
 * @hup_tx:		a send after the receiver left: 0 (it succeeds) or
 *			-errno
 * @hup_tx_sends_ok:	sends that still succeed before that (TCP: the
 *			first one, answered by a reset)
 * @sigpipe:		a send failing with EPIPE also raises SIGPIPE
 * @rx_hup_revents:	poll(POLLIN) of the drained receiver once the
 *			sender left (POLLIN, POLLHUP, POLLERR bits)
 * @tx_hup_revents:	poll(POLLOUT) of the sender once the receiver left
 * @na:			scenarios that mean nothing here, and why
 */
struct semantics {
	const struct mech *ops;
	bool keeps_boundaries;
	bool carries_data;
	bool priority_order;
	unsigned int max_msg;
	int empty_errno;
	int full_errno;
	bool send_blocks;
	enum room room_nonblock;
	enum room room_wakeup;
	int hup_rx;
	int hup_tx;
	unsigned int hup_tx_sends_ok;
	bool sigpipe;
	short rx_hup_revents;
	short tx_hup_revents;
	const char *na[SC_COUNT];
};

FIXTURE_VARIANT(ipc) {
	const struct semantics *sem;
};

/* ---- helpers ------------------------------------------------------------ */

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/*
 * The watchdog fired: a call that then returned may have been woken by
 * the signal rather than by the peer (a socket sender woken by a signal
 * takes room that did not wake it), so that does not count as woken.
 */
static int alarm_fired;

static void on_alarm(int sig)
{
	__atomic_store_n(&alarm_fired, 1, __ATOMIC_RELAXED);
}

static bool alarmed(void)
{
	return __atomic_load_n(&alarm_fired, __ATOMIC_RELAXED);
}

/* Blocking calls fail with EINTR in @ms (0: disarm, alarmed() stays). */
static void watchdog(unsigned int ms)
{
	struct itimerval it = {
		.it_value = {
			.tv_sec = ms / 1000,
			.tv_usec = (ms % 1000) * 1000,
		},
	};

	if (ms)
		__atomic_store_n(&alarm_fired, 0, __ATOMIC_RELAXED);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	if (!!(fl & O_NONBLOCK) == on)
		return 0;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) ? -errno : 0;
}

/* The byte at offset @off of every flow. */
static __u8 pattern(__u64 off)
{
	__u32 x = (__u32)off * 0x9e3779b1u;

	return (x >> 24) ^ (__u8)(off >> 8);
}

/* poll() one fd: revents restricted to @events, POLLHUP and POLLERR. */
static int poll_one(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? p.revents & (events | POLLHUP | POLLERR) : 0;
}

/* Wait up to a second until @fd has @bytes to read (data in flight). */
static void wait_bytes(int fd, __u64 bytes)
{
	int i, n;

	for (i = 0; fd >= 0 && i < 1000; i++) {
		if (ioctl(fd, FIONREAD, &n) || (__u64)n >= bytes)
			return;
		sleep_ms(1);
	}
}

/* The exit status of @pid (128 + signal), or -1 if it does not exit. */
static int reap(pid_t pid)
{
	int status;
	pid_t r;

	watchdog(2 * WATCHDOG_MS);
	r = waitpid(pid, &status, 0);
	watchdog(0);
	if (r != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}

/*
 * A child holding copies of both ends until the parent opens @gate
 * (gate_open()), then PEER_DELAY_MS more: the last holder of an end
 * that the parent closed leaves then.
 */
static pid_t fork_holder(int gate[2])
{
	pid_t pid;
	char c;

	if (pipe2(gate, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid)
		return pid;
	close(gate[1]);
	if (read(gate[0], &c, 1) < 0)
		_exit(1);
	sleep_ms(PEER_DELAY_MS);
	_exit(0);
}

/* The child's read() returns at end of file. */
static void gate_open(int gate[2])
{
	close(gate[0]);
	close(gate[1]);
}

/* ---- pipes and FIFOs ---------------------------------------------------- */

static ssize_t fd_send(struct chan *c, const void *buf, size_t len, bool nb)
{
	int ret = set_nonblock(c->tx, nb);
	ssize_t n;

	if (ret)
		return ret;
	n = write(c->tx, buf, len);
	return n < 0 ? -errno : n;
}

static int fd_recv(struct chan *c, void *buf, size_t cap, bool nb,
		   __u64 *len)
{
	int ret = set_nonblock(c->rx, nb);
	ssize_t n;

	if (ret)
		return ret;
	n = read(c->rx, buf, cap);
	if (n < 0)
		return -errno;
	*len = n;
	return 0;
}

static void fd_close_tx(struct chan *c)
{
	close_fd(&c->tx);
	c->tx_poll = -1;
}

static void fd_close_rx(struct chan *c)
{
	close_fd(&c->rx);
	c->rx_poll = -1;
}

static void fd_destroy(struct chan *c)
{
	fd_close_tx(c);
	fd_close_rx(c);
}

static int pipe_setup(struct chan *c)
{
	c->tx_poll = c->tx;
	c->rx_poll = c->rx;
	/* One page: a single buffer slot. */
	if (fcntl(c->tx, F_SETPIPE_SZ, CHAN_BYTES) < 0)
		return -errno;
	return 0;
}

static int pipe_open(struct chan *c)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	c->rx = p[0];
	c->tx = p[1];
	return pipe_setup(c);
}

static const struct mech pipe_mech = {
	.open = pipe_open,
	.send = fd_send,
	.recv = fd_recv,
	.close_tx = fd_close_tx,
	.close_rx = fd_close_rx,
	.destroy = fd_destroy,
};

static int fifo_open(struct chan *c)
{
	char dir[] = "/tmp/ipc_semantics.XXXXXX", path[64];
	int ret = 0;

	if (!mkdtemp(dir))
		return -errno;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600))
		ret = -errno;
	if (!ret) {
		c->rx = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (c->rx < 0)
			ret = -errno;
	}
	if (!ret) {
		c->tx = open(path, O_WRONLY | O_CLOEXEC);
		if (c->tx < 0)
			ret = -errno;
	}
	/* The open ends keep the FIFO alive. */
	unlink(path);
	rmdir(dir);
	return ret ? ret : pipe_setup(c);
}

static const struct mech fifo_mech = {
	.open = fifo_open,
	.send = fd_send,
	.recv = fd_recv,
	.close_tx = fd_close_tx,
	.close_rx = fd_close_rx,
	.destroy = fd_destroy,
};

/* ---- sockets ------------------------------------------------------------ */

static ssize_t sock_send(struct chan *c, const void *buf, size_t len, bool nb)
{
	/* No MSG_NOSIGNAL: whether SIGPIPE comes is part of the table. */
	ssize_t n = send(c->tx, buf, len, nb ? MSG_DONTWAIT : 0);

	return n < 0 ? -errno : n;
}

static int sock_recv(struct chan *c, void *buf, size_t cap, bool nb,
		     __u64 *len)
{
	ssize_t n = recv(c->rx, buf, cap, nb ? MSG_DONTWAIT : 0);

	if (n < 0)
		return -errno;
	*len = n;
	return 0;
}

static int set_buf(int fd, int opt)
{
	int size = CHAN_BYTES;

	return setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size)) ?
	       -errno : 0;
}

static int unix_open(struct chan *c, int type)
{
	int sv[2];

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv))
		return -errno;
	c->tx = sv[0];
	c->rx = sv[1];
	c->tx_poll = c->tx;
	c->rx_poll = c->rx;
	return set_buf(c->tx, SO_SNDBUF) ?: set_buf(c->rx, SO_SNDBUF);
}

static int unix_stream_open(struct chan *c)
{
	return unix_open(c, SOCK_STREAM);
}

static int unix_seqpacket_open(struct chan *c)
{
	return unix_open(c, SOCK_SEQPACKET);
}

static int unix_dgram_open(struct chan *c)
{
	return unix_open(c, SOCK_DGRAM);
}

static const struct mech unix_stream_mech = {
	.open = unix_stream_open,
	.send = sock_send,
	.recv = sock_recv,
	.close_tx = fd_close_tx,
	.close_rx = fd_close_rx,
	.destroy = fd_destroy,
};

static const struct mech unix_seqpacket_mech = {
	.open = unix_seqpacket_open,
	.send = sock_send,
	.recv = sock_recv,
	.close_tx = fd_close_tx,
	.close_rx = fd_close_rx,
	.destroy = fd_destroy,
};

static const struct mech unix_dgram_mech = {
	.open = unix_dgram_open,
	.send = sock_send,
	.recv = sock_recv,
	.close_tx = fd_close_tx,
	.close_rx = fd_close_rx,
	.destroy = fd_destroy,
};

/* The client sends, the accepted socket receives. */
static int tcp_open(struct chan *c)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t alen = sizeof(a);
	int one = 1, ret = 0, l;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return -errno;
	/* Set before accept(): the window scale is chosen at SYN time. */
	ret = set_buf(l, SO_RCVBUF);
	if (!ret && (bind(l, (struct sockaddr *)&a, sizeof(a)) ||
		     listen(l, 1) ||
		     getsockname(l, (struct sockaddr *)&a, &alen)))
		ret = -errno;
	if (!ret) {
		c->tx = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->tx < 0)
			ret = -errno;
	}
	if (!ret)
		ret = set_buf(c->tx, SO_SNDBUF);
	if (!ret && (setsockopt(c->tx, IPPROTO_TCP, TCP_NODELAY, &one,
				sizeof(one)) ||
		     connect(c->tx, (struct sockaddr *)&a, alen)))
		ret = -errno;
	if (!ret) {
		c->rx = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (c->rx < 0)
			ret = -errno;
	}
	close(l);
	c->tx_poll = c->tx;
	c->rx_poll = c->rx;
	return ret;
}

/* Until every segment sent was acknowledged: no more room comes. */
static void tcp_settle(struct chan *c)
{
	int outq, unsent, i;

	for (i = 0; i < 1000; i++) {
		if (ioctl(c->tx, SIOCOUTQ, &outq) ||
		    ioctl(c->tx, SIOCOUTQNSD, &unsent) || outq == unsent)
			return;
		sleep_ms(1);
	}
}

static const struct mech tcp_mech = {
	.open = tcp_open,
	.settle = tcp_settle,
	.send = sock_send,
	.recv = sock_recv,
	.close_tx = fd_close_tx,
	.close_rx = fd_close_rx,
	.destroy = fd_destroy,
};

/* ---- POSIX message queues ----------------------------------------------- */

static int pmq_set_nonblock(mqd_t q, bool on)
{
	struct mq_attr a;

	if (mq_getattr(q, &a))
		return -errno;
	if (!!(a.mq_flags & O_NONBLOCK) == on)
		return 0;
	a.mq_flags = on ? O_NONBLOCK : 0;
	return mq_setattr(q, &a, NULL) ? -errno : 0;
}

/* A write-only and a read-only descriptor of an unlinked queue. */
static int pmq_open(struct chan *c)
{
	struct mq_attr attr = {
		.mq_maxmsg = QUEUE_DEPTH,
		.mq_msgsize = MSG_MAX,
	};
	char name[64];
	int ret;
	mqd_t q;

	snprintf(name, sizeof(name), "/ipc_semantics_%d", getpid());
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (q < 0)
		return -errno;
	c->tx = mq_open(name, O_WRONLY);
	if (c->tx >= 0)
		c->rx = mq_open(name, O_RDONLY);
	ret = c->tx < 0 || c->rx < 0 ? -errno : 0;
	mq_unlink(name);
	mq_close(q);
	if (ret)
		return ret;
	/* A mqd_t is a file descriptor on Linux: it can be polled. */
	c->tx_poll = c->tx;
	c->rx_poll = c->rx;
	return 0;
}

static ssize_t pmq_send(struct chan *c, const void *buf, size_t len, bool nb)
{
	int ret = pmq_set_nonblock(c->tx, nb);

	if (ret)
		return ret;
	return mq_send(c->tx, buf, len, 0) ? -errno : (ssize_t)len;
}

static int pmq_send_prio(struct chan *c, const void *buf, size_t len,
			 unsigned int prio)
{
	int ret = pmq_set_nonblock(c->tx, true);

	if (ret)
		return ret;
	return mq_send(c->tx, buf, len, prio) ? -errno : 0;
}

static int pmq_recv(struct chan *c, void *buf, size_t cap, bool nb,
		    __u64 *len)
{
	int ret = pmq_set_nonblock(c->rx, nb);
	ssize_t n;

	if (ret)
		return ret;
	n = mq_receive(c->rx, buf, cap, NULL);
	if (n < 0)
		return -errno;
	*len = n;
	return 0;
}

static void pmq_close_tx(struct chan *c)
{
	if (c->tx >= 0)
		mq_close(c->tx);
	c->tx = -1;
	c->tx_poll = -1;
}

static void pmq_close_rx(struct chan *c)
{
	if (c->rx >= 0)
		mq_close(c->rx);
	c->rx = -1;
	c->rx_poll = -1;
}

static void pmq_destroy(struct chan *c)
{
	pmq_close_tx(c);
	pmq_close_rx(c);
}

static const struct mech posix_mq_mech = {
	.open = pmq_open,
	.send = pmq_send,
	.recv = pmq_recv,
	.send_prio = pmq_send_prio,
	.close_tx = pmq_close_tx,
	.close_rx = pmq_close_rx,
	.destroy = pmq_destroy,
};

/* ---- System V message queues -------------------------------------------- */

struct sysv_msg {
	long mtype;
	char mtext[MSG_MAX];
};

/* Full at QUEUE_DEPTH messages of FILL_LEN bytes (msg_qbytes). */
static int sysv_open(struct chan *c)
{
	struct msqid_ds ds;

	c->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (c->msqid < 0)
		return -errno;
	if (msgctl(c->msqid, IPC_STAT, &ds))
		return -errno;
	ds.msg_qbytes = QUEUE_DEPTH * FILL_LEN;
	return msgctl(c->msqid, IPC_SET, &ds) ? -errno : 0;
}

static ssize_t sysv_send(struct chan *c, const void *buf, size_t len, bool nb)
{
	struct sysv_msg m = { .mtype = 1 };

	memcpy(m.mtext, buf, len);
	if (msgsnd(c->msqid, &m, len, nb ? IPC_NOWAIT : 0))
		return -errno;
	return len;
}

static int sysv_recv(struct chan *c, void *buf, size_t cap, bool nb,
		     __u64 *len)
{
	struct sysv_msg m;
	ssize_t n;

	n = msgrcv(c->msqid, &m, cap < MSG_MAX ? cap : MSG_MAX, 0,
		   nb ? IPC_NOWAIT : 0);
	if (n < 0)
		return -errno;
	memcpy(buf, m.mtext, n);
	*len = n;
	return 0;
}

/* A queue has no ends: closing one is nothing. */
static void sysv_close(struct chan *c)
{
}

static void sysv_destroy(struct chan *c)
{
	if (c->msqid >= 0)
		msgctl(c->msqid, IPC_RMID, NULL);
	c->msqid = -1;
}

static const struct mech sysv_msg_mech = {
	.open = sysv_open,
	.send = sysv_send,
	.recv = sysv_recv,
	.close_tx = sysv_close,
	.close_rx = sysv_close,
	.destroy = sysv_destroy,
};

/* ---- eventfd ------------------------------------------------------------ */

/*
 * A counter: a send of @len bytes adds @len, a receive returns the sum and
 * resets it. The ends are two descriptors of one eventfd file (so they
 * share O_NONBLOCK: the scenarios never use both at once with different
 * modes).
 */
static int efd_open(struct chan *c)
{
	c->rx = eventfd(0, EFD_CLOEXEC);
	if (c->rx < 0)
		return -errno;
	c->tx = fcntl(c->rx, F_DUPFD_CLOEXEC, 0);
	if (c->tx < 0)
		return -errno;
	c->tx_poll = c->tx;
	c->rx_poll = c->rx;
	return 0;
}

static ssize_t efd_send(struct chan *c, const void *buf, size_t len, bool nb)
{
	__u64 v = len;
	ssize_t n;
	int ret;

	ret = set_nonblock(c->tx, nb);
	if (ret)
		return ret;
	n = write(c->tx, &v, sizeof(v));
	if (n < 0)
		return -errno;
	return n == sizeof(v) ? (ssize_t)len : -EIO;
}

static int efd_recv(struct chan *c, void *buf, size_t cap, bool nb,
		    __u64 *len)
{
	ssize_t n;
	int ret;

	ret = set_nonblock(c->rx, nb);
	if (ret)
		return ret;
	n = read(c->rx, len, sizeof(*len));
	if (n < 0)
		return -errno;
	return n == sizeof(*len) ? 0 : -EIO;
}

/* The counter holds at most UINT64_MAX - 1: one write fills it. */
static int efd_prefill(struct chan *c, struct flow *f, __u64 *count)
{
	__u64 v = UINT64_MAX - 1;
	int ret = set_nonblock(c->tx, true);

	if (ret)
		return ret;
	if (write(c->tx, &v, sizeof(v)) != sizeof(v))
		return -errno;
	f->sent += v;
	(*count)++;
	return 0;
}

static const struct mech eventfd_mech = {
	.open = efd_open,
	.send = efd_send,
	.recv = efd_recv,
	.prefill = efd_prefill,
	.close_tx = fd_close_tx,
	.close_rx = fd_close_rx,
	.destroy = fd_destroy,
};

/* ---- realtime signals --------------------------------------------------- */

/*
 * The test process blocks a realtime signal and is its receiver; senders
 * sigqueue() it, the value carrying the length in its low byte and up to
 * SIG_MSG_MAX payload bytes above it. Receives use sigtimedwait(), poll
 * uses a signalfd for the same signal.
 */
static int sig_open(struct chan *c)
{
	sigset_t set;

	c->sig = SIGRTMIN + 2;
	c->sig_pid = getpid();
	sigemptyset(&set);
	sigaddset(&set, c->sig);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	c->rx_poll = signalfd(-1, &set, SFD_CLOEXEC);
	return c->rx_poll < 0 ? -errno : 0;
}

/* sigqueue() never waits: @nb makes no difference. */
static ssize_t sig_send(struct chan *c, const void *buf, size_t len, bool nb)
{
	const __u8 *p = buf;
	union sigval val;
	__u64 v = len;
	size_t i;

	if (len > SIG_MSG_MAX)
		return -EMSGSIZE;
	for (i = 0; i < len; i++)
		v |= (__u64)p[i] << (8 * (i + 1));
	val.sival_ptr = (void *)(uintptr_t)v;
	return sigqueue(c->sig_pid, c->sig, val) ? -errno : (ssize_t)len;
}

static int sig_recv(struct chan *c, void *buf, size_t cap, bool nb,
		    __u64 *len)
{
	struct timespec zero = { 0 };
	__u8 *p = buf;
	siginfo_t si;
	sigset_t set;
	__u64 v;
	size_t i, n;

	sigemptyset(&set);
	sigaddset(&set, c->sig);
	if ((nb ? sigtimedwait(&set, &si, &zero) : sigwaitinfo(&set, &si)) < 0)
		return -errno;
	if (si.si_code != SI_QUEUE)
		return -EBADMSG;
	v = (uintptr_t)si.si_value.sival_ptr;
	n = v & 0xff;
	if (n > SIG_MSG_MAX || n > cap)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		p[i] = v >> (8 * (i + 1));
	*len = n;
	return 0;
}

/* RLIMIT_SIGPENDING of the receiver makes the queue "full". */
static int sig_prefill(struct chan *c, struct flow *f, __u64 *count)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_SIGPENDING, &rl))
		return -errno;
	rl.rlim_cur = SIGPENDING_MAX;
	return setrlimit(RLIMIT_SIGPENDING, &rl) ? -errno : 0;
}

/* Signals have no ends to close. */
static void sig_close_tx(struct chan *c)
{
}

static void sig_destroy(struct chan *c)
{
	close_fd(&c->rx_poll);
}

static const struct mech signal_mech = {
	.open = sig_open,
	.send = sig_send,
	.recv = sig_recv,
	.prefill = sig_prefill,
	.close_tx = sig_close_tx,
	.close_rx = sig_destroy,
	.destroy = sig_destroy,
};

/* ---- a shared-memory ring with futexes ---------------------------------- */

static int futex_wait(__u32 *word, __u32 val)
{
	if (syscall(SYS_futex, word, FUTEX_WAIT, val, NULL, NULL, 0) &&
	    errno != EAGAIN)
		return -errno;
	return 0;
}

static void futex_wake(__u32 *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static int shm_open_ring(struct chan *c)
{
	c->shm = mmap(NULL, sizeof(*c->shm), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->shm == MAP_FAILED) {
		c->shm = NULL;
		return -errno;
	}
	return 0;
}

static ssize_t shm_send(struct chan *c, const void *buf, size_t len, bool nb)
{
	struct shm_ring *r = c->shm;
	__u32 head = r->head, tail;
	int ret;

	for (;;) {
		tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (head - tail < SHM_SLOTS)
			break;
		if (nb)
			return -EAGAIN;
		ret = futex_wait(&r->tail, tail);
		if (ret)
			return ret;
	}
	r->slot[head % SHM_SLOTS].len = len;
	memcpy(r->slot[head % SHM_SLOTS].data, buf, len);
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	futex_wake(&r->head);
	return len;
}

static int shm_recv(struct chan *c, void *buf, size_t cap, bool nb,
		    __u64 *len)
{
	struct shm_ring *r = c->shm;
	__u32 tail = r->tail, head, n;
	int ret;

	for (;;) {
		head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		if (head != tail)
			break;
		if (nb)
			return -EAGAIN;
		ret = futex_wait(&r->head, head);
		if (ret)
			return ret;
	}
	n = r->slot[tail % SHM_SLOTS].len;
	if (n > cap)
		return -EMSGSIZE;
	memcpy(buf, r->slot[tail % SHM_SLOTS].data, n);
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	futex_wake(&r->tail);
	*len = n;
	return 0;
}

static void shm_close(struct chan *c)
{
}

static void shm_destroy(struct chan *c)
{
	if (c->shm)
		munmap(c->shm, sizeof(*c->shm));
	c->shm = NULL;
}

static const struct mech shm_futex_mech = {
	.open = shm_open_ring,
	.send = shm_send,
	.recv = shm_recv,
	.close_tx = shm_close,
	.close_rx = shm_close,
	.destroy = shm_destroy,
};

/* ---- ramchan ------------------------------------------------------------ */

/* A producer fd and a consumer fd of a new channel, the original closed. */
static int rc_split(struct chan *c, int fd)
{
	int ret = 0;

	if (fd < 0)
		return fd;
	c->tx = ramchan_chan_dup(fd, RAMCHAN_ROLE_PRODUCER, 0);
	c->rx = ramchan_chan_dup(fd, RAMCHAN_ROLE_CONSUMER, 0);
	close(fd);
	if (c->tx < 0)
		ret = c->tx;
	else if (c->rx < 0)
		ret = c->rx;
	c->tx_poll = c->tx;
	c->rx_poll = c->rx;
	return ret;
}

static int rc_ring_fds(struct chan *c)
{
	int ctl = ramchan_open_dev(), fd;

	if (ctl < 0)
		return ctl;
	fd = ramchan_ring_create(ctl, NULL, CHAN_BYTES, 0, RAMCHAN_ROLE_BOTH,
				 0);
	close(ctl);
	return rc_split(c, fd);
}

static int rc_ring_open(struct chan *c)
{
	int ret = rc_ring_fds(c);

	if (ret)
		return ret;
	ret = ramchan_ring_map(&c->rtx, c->tx);
	if (ret)
		return ret;
	c->rtx_mapped = true;
	ret = ramchan_ring_map(&c->rrx, c->rx);
	if (ret)
		return ret;
	c->rrx_mapped = true;
	return 0;
}

static ssize_t rc_ring_send(struct chan *c, const void *buf, size_t len,
			    bool nb)
{
	struct ramchan_resv resv;
	int ret;

	if (!nb) {
		ret = ramchan_ring_send(&c->rtx, buf, len, 0);
		return ret ? ret : (ssize_t)len;
	}
	ret = ramchan_ring_reserve(&c->rtx, len, &resv);
	if (ret)
		return ret;
	memcpy(resv.data, buf, len);
	ramchan_ring_commit(&c->rtx, &resv);
	return len;
}

static int rc_ring_recv(struct chan *c, void *buf, size_t cap, bool nb,
			__u64 *len)
{
	struct ramchan_rec rec;
	int ret;

	if (!nb) {
		ret = ramchan_ring_recv(&c->rrx, buf, cap, 0);
		if (ret < 0)
			return ret;
		*len = ret;
		return 0;
	}
	ret = ramchan_ring_peek(&c->rrx, &rec);
	if (ret)
		return ret;
	if (rec.len > cap)
		return -EMSGSIZE;
	memcpy(buf, rec.data, rec.len);
	ramchan_ring_advance(&c->rrx, &rec);
	ramchan_ring_release(&c->rrx);
	*len = rec.len;
	return 0;
}

/* A consumer that takes over maps afresh: it starts at the tail. */
static int rc_ring_resync_rx(struct chan *c)
{
	ramchan_ring_unmap(&c->rrx);
	c->rrx_mapped = false;
	if (ramchan_ring_map(&c->rrx, c->rx))
		return -EIO;
	c->rrx_mapped = true;
	return 0;
}

/* A side is gone when its fds are closed and its mappings are gone. */
static void rc_ring_close_tx(struct chan *c)
{
	if (c->rtx_mapped)
		ramchan_ring_unmap(&c->rtx);
	c->rtx_mapped = false;
	fd_close_tx(c);
}

static void rc_ring_close_rx(struct chan *c)
{
	if (c->rrx_mapped)
		ramchan_ring_unmap(&c->rrx);
	c->rrx_mapped = false;
	fd_close_rx(c);
}

static void rc_ring_destroy(struct chan *c)
{
	rc_ring_close_tx(c);
	rc_ring_close_rx(c);
}

static const struct mech ramchan_ring_mech = {
	.open = rc_ring_open,
	.send = rc_ring_send,
	.recv = rc_ring_recv,
	.resync_rx = rc_ring_resync_rx,
	.close_tx = rc_ring_close_tx,
	.close_rx = rc_ring_close_rx,
	.destroy = rc_ring_destroy,
};

/* read() and write() on the ring fds: one record each. */
static const struct mech ramchan_ring_rw_mech = {
	.open = rc_ring_fds,
	.send = fd_send,
	.recv = fd_recv,
	.close_tx = fd_close_tx,
	.close_rx = fd_close_rx,
	.destroy = fd_destroy,
};

static int rc_mq_open(struct chan *c)
{
	struct ramchan_mq_opts o = {
		.depth = QUEUE_DEPTH,
		.msg_size = MSG_MAX,
	};
	int ctl = ramchan_open_dev(), fd;

	if (ctl < 0)
		return ctl;
	fd = ramchan_mq_create(ctl, &o);
	close(ctl);
	return rc_split(c, fd);
}

static ssize_t rc_mq_send(struct chan *c, const void *buf, size_t len, bool nb)
{
	int ret = ramchan_mq_send(c->tx, buf, len, 0,
				  nb ? RAMCHAN_MQ_NONBLOCK : 0, 0);

	return ret ? ret : (ssize_t)len;
}

static int rc_mq_send_prio(struct chan *c, const void *buf, size_t len,
			   unsigned int prio)
{
	return ramchan_mq_send(c->tx, buf, len, prio, RAMCHAN_MQ_NONBLOCK, 0);
}

static int rc_mq_recv(struct chan *c, void *buf, size_t cap, bool nb,
		      __u64 *len)
{
	int ret = ramchan_mq_recv(c->rx, buf, cap, NULL,
				  nb ? RAMCHAN_MQ_NONBLOCK : 0, 0);

	if (ret < 0)
		return ret;
	*len = ret;
	return 0;
}

static const struct mech ramchan_mq_mech = {
	.open = rc_mq_open,
	.send = rc_mq_send,
	.recv = rc_mq_recv,
	.send_prio = rc_mq_send_prio,
	.close_tx = fd_close_tx,
	.close_rx = fd_close_rx,
	.destroy = fd_destroy,
};

/* ---- the table ---------------------------------------------------------- */

#define NO_PRIORITIES	"no message priorities: one FIFO"
#define NO_POLL_FD	"nothing to poll: no file descriptor"

/* pipe(7): a byte stream; a read takes what is there; EOF, EPIPE/SIGPIPE. */
static const struct semantics pipe_sem = {
	.ops = &pipe_mech,
	.carries_data = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	/* fs/pipe.c: room comes back a buffer slot (a page) at a time */
	.room_nonblock = ROOM_SLOT,
	.room_wakeup = ROOM_SLOT,
	.hup_rx = EOF_RESULT,
	.hup_tx = -EPIPE,
	.sigpipe = true,
	.rx_hup_revents = POLLHUP,
	.tx_hup_revents = POLLOUT | POLLERR,
	.na = {
		[SC_PRIORITY] = "a pipe is a byte stream: " NO_PRIORITIES,
	},
};

FIXTURE_VARIANT_ADD(ipc, pipe) {
	.sem = &pipe_sem,
};

/* fifo(7): a pipe with a name. */
static const struct semantics fifo_sem = {
	.ops = &fifo_mech,
	.carries_data = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_SLOT,
	.room_wakeup = ROOM_SLOT,
	.hup_rx = EOF_RESULT,
	.hup_tx = -EPIPE,
	.sigpipe = true,
	.rx_hup_revents = POLLHUP,
	.tx_hup_revents = POLLOUT | POLLERR,
	.na = {
		[SC_PRIORITY] = "a FIFO is a byte stream: " NO_PRIORITIES,
	},
};

FIXTURE_VARIANT_ADD(ipc, fifo) {
	.sem = &fifo_sem,
};

/*
 * unix(7) SOCK_STREAM: a stream; EOF, EPIPE and SIGPIPE (send(2)). The
 * send buffer is charged per skb; a blocked sender is woken only below a
 * quarter of it (net/unix/af_unix.c: unix_writable()), a non-blocking
 * send needs just one skb's room. The peer's close shuts both directions:
 * POLLIN (EOF) and POLLHUP.
 */
static const struct semantics unix_stream_sem = {
	.ops = &unix_stream_mech,
	.carries_data = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_ONE,
	.room_wakeup = ROOM_DRAIN,
	.hup_rx = EOF_RESULT,
	.hup_tx = -EPIPE,
	.sigpipe = true,
	.rx_hup_revents = POLLIN | POLLHUP,
	.tx_hup_revents = POLLOUT | POLLHUP,
	.na = {
		[SC_PRIORITY] = "a stream socket: " NO_PRIORITIES,
	},
};

FIXTURE_VARIANT_ADD(ipc, unix_stream) {
	.sem = &unix_stream_sem,
};

/*
 * unix(7) SOCK_SEQPACKET: records, EOF as a stream. EPIPE after the peer
 * closed, but without SIGPIPE: only the stream send path raises it
 * (net/unix/af_unix.c: unix_dgram_sendmsg() serves seqpacket).
 */
static const struct semantics unix_seqpacket_sem = {
	.ops = &unix_seqpacket_mech,
	.keeps_boundaries = true,
	.carries_data = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_ONE,
	.room_wakeup = ROOM_DRAIN,
	.hup_rx = EOF_RESULT,
	.hup_tx = -EPIPE,
	.rx_hup_revents = POLLIN | POLLHUP,
	.tx_hup_revents = POLLOUT | POLLHUP,
	.na = {
		[SC_PRIORITY] = "a seqpacket socket: " NO_PRIORITIES,
	},
};

FIXTURE_VARIANT_ADD(ipc, unix_seqpacket) {
	.sem = &unix_seqpacket_sem,
};

/*
 * unix(7) SOCK_DGRAM: datagrams, no connection to lose: the receiver just
 * sees nothing more; a send to a closed peer fails with ECONNREFUSED.
 */
static const struct semantics unix_dgram_sem = {
	.ops = &unix_dgram_mech,
	.keeps_boundaries = true,
	.carries_data = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_ONE,
	.room_wakeup = ROOM_DRAIN,
	.hup_rx = NO_HANGUP,
	.hup_tx = -ECONNREFUSED,
	.rx_hup_revents = 0,
	.tx_hup_revents = POLLOUT,
	.na = {
		[SC_PRIORITY] = "a datagram socket: " NO_PRIORITIES,
	},
};

FIXTURE_VARIANT_ADD(ipc, unix_dgram) {
	.sem = &unix_dgram_sem,
};

/*
 * tcp(7) over loopback: a stream. The peer's close is a FIN (POLLIN, EOF,
 * no POLLHUP: the other direction is still open); the first send after
 * it is answered by a reset, which the next send reports as EPIPE with
 * SIGPIPE. Room comes back by window updates, not per message.
 */
static const struct semantics tcp_loopback_sem = {
	.ops = &tcp_mech,
	.carries_data = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_DRAIN,
	.room_wakeup = ROOM_DRAIN,
	.hup_rx = EOF_RESULT,
	.hup_tx = -EPIPE,
	.hup_tx_sends_ok = 1,
	.sigpipe = true,
	.rx_hup_revents = POLLIN,
	.tx_hup_revents = POLLOUT,
	.na = {
		[SC_PRIORITY] = "TCP urgent data is not a priority order",
	},
};

FIXTURE_VARIANT_ADD(ipc, tcp_loopback) {
	.sem = &tcp_loopback_sem,
};

/* mq_overview(7): priorities, no notion of peers, pollable on Linux. */
static const struct semantics posix_mq_sem = {
	.ops = &posix_mq_mech,
	.keeps_boundaries = true,
	.carries_data = true,
	.priority_order = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_ONE,
	.room_wakeup = ROOM_ONE,
	.hup_rx = NO_HANGUP,
	.hup_tx = 0,
	.rx_hup_revents = 0,
	.tx_hup_revents = POLLOUT,
};

FIXTURE_VARIANT_ADD(ipc, posix_mq) {
	.sem = &posix_mq_sem,
};

/* msgop(2): IPC_NOWAIT on an empty queue is ENOMSG; no ends, no fd. */
static const struct semantics sysv_msg_sem = {
	.ops = &sysv_msg_mech,
	.keeps_boundaries = true,
	.carries_data = true,
	.max_msg = MSG_MAX,
	.empty_errno = ENOMSG,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_ONE,
	.room_wakeup = ROOM_ONE,
	.hup_rx = NO_HANGUP,
	.hup_tx = 0,
	.na = {
		[SC_PRIORITY] = "msgrcv(msgtyp 0) is FIFO: types select, they do not order",
		[SC_POLL_IN] = "System V queues: " NO_POLL_FD,
		[SC_POLL_OUT] = "System V queues: " NO_POLL_FD,
		[SC_POLL_HUP_RX] = "System V queues: " NO_POLL_FD,
		[SC_POLL_HUP_TX] = "System V queues: " NO_POLL_FD,
	},
};

FIXTURE_VARIANT_ADD(ipc, sysv_msg) {
	.sem = &sysv_msg_sem,
};

/* eventfd(2): a counter; writes add, a read takes the sum; no ends. */
static const struct semantics eventfd_sem = {
	.ops = &eventfd_mech,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_ONE,
	.room_wakeup = ROOM_ONE,
	.hup_rx = NO_HANGUP,
	.hup_tx = 0,
	.rx_hup_revents = 0,
	.tx_hup_revents = POLLOUT,
	.na = {
		[SC_ORDERING] = "eventfd adds up its writes: no messages to order",
		[SC_PRIORITY] = "eventfd is a counter: " NO_PRIORITIES,
	},
};

FIXTURE_VARIANT_ADD(ipc, eventfd) {
	.sem = &eventfd_sem,
};

/*
 * sigqueue(3), sigtimedwait(2), signalfd(2): queued realtime signals of
 * one number arrive in order with their value; RLIMIT_SIGPENDING makes a
 * send fail with EAGAIN, it never waits. The receiver is a process.
 */
static const struct semantics rt_signal_sem = {
	.ops = &signal_mech,
	.keeps_boundaries = true,
	.carries_data = true,
	.max_msg = SIG_MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.room_nonblock = ROOM_ONE,
	.hup_rx = NO_HANGUP,
	.rx_hup_revents = 0,
	.na = {
		[SC_PRIORITY] = "one signal number is FIFO: " NO_PRIORITIES,
		[SC_BLOCK_FULL] = "sigqueue() never blocks: EAGAIN when full",
		[SC_HUP_TX] = "the receiver is a process, not an end that can be closed",
		[SC_POLL_OUT] = "sigqueue() has no sending fd to poll",
		[SC_POLL_HUP_TX] = "sigqueue() has no sending fd to poll",
	},
};

FIXTURE_VARIANT_ADD(ipc, rt_signal) {
	.sem = &rt_signal_sem,
};

#define SHM_USER	"shared memory: the ring's own code defines "

/*
 * MAP_SHARED memory and futex(2): ordering and waiting mean something
 * (memory ordering, futex wake-ups); the rest is defined by the ring.
 */
static const struct semantics shm_futex_sem = {
	.ops = &shm_futex_mech,
	.keeps_boundaries = true,
	.carries_data = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,	/* what this ring's code returns */
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_wakeup = ROOM_ONE,
	.na = {
		[SC_PRIORITY] = SHM_USER "the order",
		[SC_BOUNDARIES] = SHM_USER "the framing",
		[SC_NONBLOCK_EMPTY] = SHM_USER "what an empty receive returns",
		[SC_NONBLOCK_FULL] = SHM_USER "what a full send returns",
		[SC_HUP_RX] = "shared memory has no notion of peers",
		[SC_HUP_TX] = "shared memory has no notion of peers",
		[SC_POLL_IN] = "shared memory and futexes: " NO_POLL_FD,
		[SC_POLL_OUT] = "shared memory and futexes: " NO_POLL_FD,
		[SC_POLL_HUP_RX] = "shared memory and futexes: " NO_POLL_FD,
		[SC_POLL_HUP_TX] = "shared memory and futexes: " NO_POLL_FD,
	},
};

FIXTURE_VARIANT_ADD(ipc, shm_futex) {
	.sem = &shm_futex_sem,
};

/*
 * Documentation/userspace-api/ramchan.rst: records; libramchan returns
 * -EPIPE at the end and to producers once the consumers left; POLLHUP for
 * a drained consumer, POLLERR for a producer. POLLOUT needs half of a
 * small ring free, absent when full. SIGPIPE is not mentioned, and not
 * raised.
 */
static const struct semantics ramchan_ring_sem = {
	.ops = &ramchan_ring_mech,
	.keeps_boundaries = true,
	.carries_data = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_ONE,
	.room_wakeup = ROOM_ONE,
	.hup_rx = -EPIPE,
	.hup_tx = -EPIPE,
	.rx_hup_revents = POLLHUP,
	.tx_hup_revents = POLLERR,
	.na = {
		[SC_PRIORITY] = "a ring is FIFO: " NO_PRIORITIES,
	},
};

FIXTURE_VARIANT_ADD(ipc, ramchan_ring) {
	.sem = &ramchan_ring_sem,
};

/* The same ring through read() (0 at the end) and write() (EPIPE). */
static const struct semantics ramchan_ring_rw_sem = {
	.ops = &ramchan_ring_rw_mech,
	.keeps_boundaries = true,
	.carries_data = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_ONE,
	.room_wakeup = ROOM_ONE,
	.hup_rx = EOF_RESULT,
	.hup_tx = -EPIPE,
	.rx_hup_revents = POLLHUP,
	.tx_hup_revents = POLLERR,
	.na = {
		[SC_PRIORITY] = "a ring is FIFO: " NO_PRIORITIES,
	},
};

FIXTURE_VARIANT_ADD(ipc, ramchan_ring_rw) {
	.sem = &ramchan_ring_rw_sem,
};

/*
 * Documentation/userspace-api/ramchan-mq.rst: POSIX queue semantics plus
 * peers: -EPIPE and POLLHUP for receivers once no producer is left and
 * the queue is empty, -EPIPE and POLLERR for senders once no consumer is.
 */
static const struct semantics ramchan_mq_sem = {
	.ops = &ramchan_mq_mech,
	.keeps_boundaries = true,
	.carries_data = true,
	.priority_order = true,
	.max_msg = MSG_MAX,
	.empty_errno = EAGAIN,
	.full_errno = EAGAIN,
	.send_blocks = true,
	.room_nonblock = ROOM_ONE,
	.room_wakeup = ROOM_ONE,
	.hup_rx = -EPIPE,
	.hup_tx = -EPIPE,
	.rx_hup_revents = POLLHUP,
	.tx_hup_revents = POLLERR,
};

FIXTURE_VARIANT_ADD(ipc, ramchan_mq) {
	.sem = &ramchan_mq_sem,
};

/* ---- the flow of bytes, checked ---------------------------------------- */

static size_t fill_len(const struct semantics *v)
{
	return v->max_msg < FILL_LEN ? v->max_msg : FILL_LEN;
}

/* What one receive takes: a message, or a message's worth of a stream. */
static size_t one_cap(const struct semantics *v)
{
	return v->keeps_boundaries ? RX_CAP : fill_len(v);
}

/* Send the next @len bytes of the flow: bytes sent or -errno. */
static ssize_t tx(const struct semantics *v, struct chan *c,
		  struct flow *f, size_t len, bool nb)
{
	__u8 buf[MSG_MAX];
	ssize_t n;
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pattern(f->sent + i);
	n = v->ops->send(c, buf, len, nb);
	if (n > 0)
		f->sent += n;
	return n;
}

/* A blocking send; where sends never block, retry while full. */
static ssize_t tx_wait(const struct semantics *v, struct chan *c,
		       struct flow *f, size_t len)
{
	ssize_t n;

	for (;;) {
		n = tx(v, c, f, len, false);
		if (v->send_blocks || n != -v->full_errno)
			return n;
		sleep_ms(1);
	}
}

/* Receive what comes next and check its bytes: 0 with *@len, or -errno. */
static int rx(const struct semantics *v, struct chan *c, struct flow *f,
	      size_t cap, bool nb, __u64 *len)
{
	__u8 buf[RX_CAP];
	__u64 i, n = 0;
	int ret;

	ret = v->ops->recv(c, buf, cap, nb, &n);
	if (ret)
		return ret;
	for (i = 0; v->carries_data && i < n; i++)
		if (buf[i] != pattern(f->rcvd + i))
			return -EBADMSG;
	f->rcvd += n;
	*len = n;
	return 0;
}

/* Blocking receives until the flow reaches @until: 0 or -errno. */
static int rx_until(const struct semantics *v, struct chan *c,
		    struct flow *f, __u64 until)
{
	__u64 len;
	int ret;

	while (f->rcvd != until) {
		ret = rx(v, c, f, RX_CAP, false, &len);
		if (ret)
			return ret;
		if (!len)
			return -ENODATA;
	}
	return 0;
}

/* Non-blocking receives while there is something: the final result. */
static int rx_drain(const struct semantics *v, struct chan *c,
		    struct flow *f)
{
	__u64 len;
	int ret;

	do
		ret = rx(v, c, f, RX_CAP, true, &len);
	while (!ret && len);
	return ret;
}

/*
 * Non-blocking sends of fill_len() bytes until one fails, and still fails
 * once the channel settled (TCP: acknowledgements of the data in flight
 * free room for a while): its -errno (0 if the channel never filled),
 * *@count messages sent in full.
 */
static int fill(const struct semantics *v, struct chan *c,
		struct flow *f, __u64 *count)
{
	size_t len = fill_len(v);
	bool settled = false;
	ssize_t n;
	int i, ret;

	*count = 0;
	if (v->ops->prefill) {
		ret = v->ops->prefill(c, f, count);
		if (ret)
			return ret;
	}
	for (i = 0; i < FILL_MAX; i++) {
		n = tx(v, c, f, len, true);
		if (n < 0 && (settled || !v->ops->settle ||
			      n != -v->full_errno))
			return n;
		settled = n < 0;
		if (settled)
			v->ops->settle(c);
		else if ((size_t)n == len)
			(*count)++;
	}
	return 0;
}

/* SKIP() a scenario that means nothing for this mechanism. */
static bool not_applicable(struct __test_metadata *_metadata,
			   const struct semantics *v, enum scenario sc)
{
	if (!v->na[sc])
		return false;
	SKIP(return true, "%s", v->na[sc]);
}

static bool sigpipe_pending(void)
{
	struct timespec zero = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	return sigtimedwait(&set, NULL, &zero) == SIGPIPE;
}

/* ---- fixture ------------------------------------------------------------ */

FIXTURE_SETUP(ipc)
{
	const struct semantics *v = variant->sem;
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	sigset_t set;
	int ret;

	self->c = (struct chan){
		.tx = -1, .rx = -1, .tx_poll = -1, .rx_poll = -1, .msqid = -1,
	};
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	/* A SIGPIPE stays pending: the hang-up scenario looks for it. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));

	ret = v->ops->open(&self->c);
	if (ret == -ENOENT && access("/dev/ramchan", F_OK))
		SKIP(return, "/dev/ramchan is missing: ramchan not loaded");
	ASSERT_EQ(0, ret) TH_LOG("cannot set the channel up: %s",
				 strerror(-ret));
}

FIXTURE_TEARDOWN(ipc)
{
	variant->sem->ops->destroy(&self->c);
	munmap(self->sh, sizeof(*self->sh));
}

/* ---- the scenarios ------------------------------------------------------ */

static size_t order_len(const struct semantics *v, unsigned int i)
{
	return 1 + (i * 37u) % v->max_msg;
}

/*
 * 1000 messages of varying sizes from a writer child arrive in order with
 * their bytes: one per receive where boundaries are kept, else as one
 * stream of the same bytes.
 */
TEST_F_TIMEOUT(ipc, ordering, 120)
{
	const struct semantics *v = variant->sem;
	struct flow f = { 0 };
	__u64 total = 0, len = 0;
	unsigned int i;
	int ret = 0;
	pid_t pid;

	if (not_applicable(_metadata, v, SC_ORDERING))
		return;
	for (i = 0; i < ORDER_MSGS; i++)
		total += order_len(v, i);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		watchdog(ORDER_MS);
		for (i = 0; i < ORDER_MSGS; i++) {
			size_t n = order_len(v, i);

			if (tx_wait(v, &self->c, &f, n) != (ssize_t)n)
				_exit(1);
		}
		_exit(alarmed());
	}
	watchdog(ORDER_MS);
	if (v->keeps_boundaries) {
		for (i = 0; i < ORDER_MSGS; i++) {
			ret = rx(v, &self->c, &f, RX_CAP, false, &len);
			if (ret || len != order_len(v, i))
				break;
		}
		EXPECT_EQ(ORDER_MSGS, i) {
			TH_LOG("message %u: %s, %llu bytes, expected %zu", i,
			       strerror(-ret), len, order_len(v, i));
		}
	} else {
		ret = rx_until(v, &self->c, &f, total);
		EXPECT_EQ(0, ret) TH_LOG("at byte %llu of %llu: %s", f.rcvd,
					 total, strerror(-ret));
	}
	watchdog(0);
	EXPECT_FALSE(alarmed());
	if (ret)
		kill(pid, SIGKILL);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(total, f.rcvd);
}

/* Higher priorities first, FIFO within one. */
TEST_F(ipc, priority_order)
{
	const struct semantics *v = variant->sem;
	static const char in[] = "abcde", out[] = "bdcae";
	static const unsigned int prio[] = { 1, 5, 3, 5, 0 };
	__u64 len;
	char buf[RX_CAP];
	int i, ret;

	if (not_applicable(_metadata, v, SC_PRIORITY))
		return;
	ASSERT_TRUE(v->priority_order);
	ASSERT_NE(NULL, v->ops->send_prio);
	for (i = 0; i < 5; i++) {
		ret = v->ops->send_prio(&self->c, &in[i], 1, prio[i]);
		ASSERT_EQ(0, ret);
	}
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, v->ops->recv(&self->c, buf, RX_CAP, true, &len));
		ASSERT_EQ(1, len);
		EXPECT_EQ(out[i], buf[0]) TH_LOG("receive %d", i);
	}
}

static size_t small_len(const struct semantics *v)
{
	return v->max_msg / 2 < 10 ? v->max_msg / 2 : 10;
}

static size_t large_len(const struct semantics *v)
{
	return v->max_msg < 20 ? v->max_msg : 20;
}

/*
 * Two sends (10 and 20 bytes) then a receive into a large buffer: 10 then
 * 20 where boundaries are kept, 30 at once where they are not.
 */
TEST_F(ipc, boundaries)
{
	const struct semantics *v = variant->sem;
	size_t a = small_len(v), b = large_len(v);
	struct flow f = { 0 };
	__u64 len;

	if (not_applicable(_metadata, v, SC_BOUNDARIES))
		return;
	ASSERT_EQ(a, tx(v, &self->c, &f, a, true));
	ASSERT_EQ(b, tx(v, &self->c, &f, b, true));
	if (!v->keeps_boundaries && v->carries_data)
		wait_bytes(self->c.rx, a + b);
	ASSERT_EQ(0, rx(v, &self->c, &f, RX_CAP, true, &len));
	if (v->keeps_boundaries) {
		EXPECT_EQ(a, len);
		ASSERT_EQ(0, rx(v, &self->c, &f, RX_CAP, true, &len));
		EXPECT_EQ(b, len);
	} else {
		EXPECT_EQ(a + b, len);
	}
	EXPECT_EQ(-v->empty_errno, rx(v, &self->c, &f, RX_CAP, true, &len));
}

/* A non-blocking receive on an empty channel fails at once. */
TEST_F(ipc, nonblocking_recv_on_empty)
{
	const struct semantics *v = variant->sem;
	struct flow f = { 0 };
	__u64 len = 0, t;
	int ret;

	if (not_applicable(_metadata, v, SC_NONBLOCK_EMPTY))
		return;
	t = now_ms();
	watchdog(WATCHDOG_MS);
	ret = rx(v, &self->c, &f, RX_CAP, true, &len);
	watchdog(0);
	EXPECT_EQ(-v->empty_errno, ret) {
		TH_LOG("got %s (%llu bytes)", ret ? strerror(-ret) : "data",
		       len);
	}
	EXPECT_GT(1000, now_ms() - t);
	/* Emptied again, the same. */
	ASSERT_EQ(3, tx(v, &self->c, &f, 3, true));
	wait_bytes(self->c.rx, 3);
	ASSERT_EQ(0, rx(v, &self->c, &f, RX_CAP, true, &len));
	EXPECT_EQ(3, len);
	EXPECT_EQ(-v->empty_errno, rx(v, &self->c, &f, RX_CAP, true, &len));
}

/* A blocking receive waits for the message a child sends 50 ms later. */
TEST_F(ipc, blocking_recv_waits_for_sender)
{
	const struct semantics *v = variant->sem;
	size_t n = large_len(v);
	struct flow f = { 0 };
	__u64 len = 0, t;
	pid_t pid;
	int ret;

	if (not_applicable(_metadata, v, SC_BLOCK_EMPTY))
		return;
	t = now_ms();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		sleep_ms(PEER_DELAY_MS);
		_exit(tx(v, &self->c, &f, n, false) == (ssize_t)n ? 0 : 1);
	}
	watchdog(WATCHDOG_MS);
	ret = rx(v, &self->c, &f, RX_CAP, false, &len);
	watchdog(0);
	t = now_ms() - t;
	EXPECT_FALSE(alarmed());
	EXPECT_EQ(0, ret) TH_LOG("receive: %s", strerror(-ret));
	EXPECT_EQ(n, len);
	EXPECT_LE(MIN_WAIT_MS, t);
	EXPECT_EQ(0, reap(pid));
}

/*
 * Non-blocking sends fill the channel and then fail with the documented
 * errno; receiving makes room again, as soon as the table says.
 */
TEST_F(ipc, nonblocking_send_until_full)
{
	const struct semantics *v = variant->sem;
	size_t n = fill_len(v);
	__u64 count, len, end;
	struct flow f = { 0 };
	ssize_t sent;
	int ret;

	if (not_applicable(_metadata, v, SC_NONBLOCK_FULL))
		return;
	ret = fill(v, &self->c, &f, &count);
	ASSERT_EQ(-v->full_errno, ret) {
		TH_LOG("after %llu messages: %s", count,
		       ret ? strerror(-ret) : "never full");
	}
	ASSERT_LT(0, count);
	EXPECT_EQ(-v->full_errno, tx(v, &self->c, &f, n, true));

	switch (v->room_nonblock) {
	case ROOM_ONE:
		ASSERT_EQ(0, rx(v, &self->c, &f, one_cap(v), true, &len));
		EXPECT_EQ(n, tx(v, &self->c, &f, n, true));
		break;
	case ROOM_SLOT:
		/* A message taken leaves the slot in use... */
		ASSERT_EQ(0, rx(v, &self->c, &f, one_cap(v), true, &len));
		EXPECT_EQ(-v->full_errno, tx(v, &self->c, &f, n, true));
		/* ...emptying it gives it back. */
		EXPECT_EQ(-v->empty_errno, rx_drain(v, &self->c, &f));
		EXPECT_EQ(n, tx(v, &self->c, &f, n, true));
		break;
	case ROOM_DRAIN:
		end = now_ms() + 2000;
		do {
			ret = rx_drain(v, &self->c, &f);
			ASSERT_EQ(-v->empty_errno, ret);
			sent = tx(v, &self->c, &f, n, true);
			if (sent != -v->full_errno)
				break;
			sleep_ms(1);
		} while (now_ms() < end);
		EXPECT_EQ(n, sent);
		break;
	}
	/* Nothing was lost or damaged. */
	watchdog(WATCHDOG_MS);
	ret = rx_until(v, &self->c, &f, f.sent);
	watchdog(0);
	EXPECT_FALSE(alarmed());
	EXPECT_EQ(0, ret) TH_LOG("draining: %s", strerror(-ret));
}

/*
 * A blocking send on a full channel waits until a child, 50 ms later,
 * receives one message; where one is not enough (the table), it still
 * waits 100 ms after that, until the child drains the channel.
 */
TEST_F(ipc, blocking_send_on_full_waits_for_receiver)
{
	const struct semantics *v = variant->sem;
	size_t n = fill_len(v);
	__u64 count, full, len, t, done;
	struct flow f = { 0 };
	ssize_t sent;
	pid_t pid;
	int ret;

	if (not_applicable(_metadata, v, SC_BLOCK_FULL))
		return;
	ret = fill(v, &self->c, &f, &count);
	ASSERT_EQ(-v->full_errno, ret);
	ASSERT_LT(0, count);
	full = f.sent;
	t = now_ms();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		sleep_ms(PEER_DELAY_MS);
		watchdog(WATCHDOG_MS);
		ret = rx(v, &self->c, &f, one_cap(v), false, &len);
		if (!ret && v->room_wakeup != ROOM_ONE) {
			sleep_ms(BLOCK_MS);
			self->sh->mark = now_ms();
			ret = rx_until(v, &self->c, &f, full + n);
		}
		self->sh->rcvd = f.rcvd;
		_exit(ret || alarmed());
	}
	watchdog(WATCHDOG_MS);
	sent = tx(v, &self->c, &f, n, false);
	watchdog(0);
	done = now_ms();
	EXPECT_FALSE(alarmed()) TH_LOG("the send waited for the watchdog");
	EXPECT_EQ(n, sent) TH_LOG("send: %s", strerror(-sent));
	EXPECT_LE(MIN_WAIT_MS, done - t);
	ASSERT_EQ(0, reap(pid));
	if (v->room_wakeup != ROOM_ONE)
		EXPECT_LE(self->sh->mark, done);
	f.rcvd = self->sh->rcvd;
	ret = v->ops->resync_rx ? v->ops->resync_rx(&self->c) : 0;
	ASSERT_EQ(0, ret);
	EXPECT_EQ(-v->empty_errno, rx_drain(v, &self->c, &f));
	EXPECT_EQ(f.sent, f.rcvd);
}

/*
 * The sender leaves with two messages queued: the receiver gets them, then
 * end of file or EPIPE, at once and for a receiver blocked when the last
 * sender (a child) leaves; or, with no notion of peers, what an empty
 * channel gives: the errno without blocking, and a blocking receive that
 * stays blocked.
 */
TEST_F(ipc, receiver_sees_sender_hangup)
{
	const struct semantics *v = variant->sem;
	size_t a = small_len(v), b = large_len(v);
	struct flow f = { 0 };
	int gate[2], ret;
	__u64 len, t;
	pid_t pid;

	if (not_applicable(_metadata, v, SC_HUP_RX))
		return;
	ASSERT_EQ(a, tx(v, &self->c, &f, a, true));
	ASSERT_EQ(b, tx(v, &self->c, &f, b, true));
	pid = fork_holder(gate);
	ASSERT_LE(0, pid);
	v->ops->close_tx(&self->c);
	watchdog(WATCHDOG_MS);
	if (v->keeps_boundaries) {
		ASSERT_EQ(0, rx(v, &self->c, &f, RX_CAP, false, &len));
		EXPECT_EQ(a, len);
		ASSERT_EQ(0, rx(v, &self->c, &f, RX_CAP, false, &len));
		EXPECT_EQ(b, len);
	} else {
		ret = rx_until(v, &self->c, &f, a + b);
		ASSERT_EQ(0, ret) TH_LOG("receive: %s", strerror(-ret));
	}
	watchdog(0);
	/* The child still holds the sending end. */
	EXPECT_EQ(-v->empty_errno, rx(v, &self->c, &f, RX_CAP, true, &len));

	/* It leaves while we wait (or stay blocked). */
	len = 1;
	t = now_ms();
	gate_open(gate);
	watchdog(v->hup_rx == NO_HANGUP ? PEER_DELAY_MS + BLOCK_MS :
		 WATCHDOG_MS);
	ret = rx(v, &self->c, &f, RX_CAP, false, &len);
	watchdog(0);
	t = now_ms() - t;
	EXPECT_EQ(v->hup_rx == NO_HANGUP, alarmed());
	EXPECT_EQ(0, reap(pid));
	if (v->hup_rx == NO_HANGUP) {
		EXPECT_EQ(-EINTR, ret);
		EXPECT_LE(PEER_DELAY_MS + BLOCK_MS * 9 / 10, t);
		EXPECT_EQ(-v->empty_errno,
			  rx(v, &self->c, &f, RX_CAP, true, &len));
		return;
	}
	EXPECT_EQ(v->hup_rx, ret) {
		TH_LOG("got %s (%llu bytes)", ret ? strerror(-ret) : "0", len);
	}
	EXPECT_LE(MIN_WAIT_MS, t);
	/* End of file is a receive of 0 bytes; an error leaves len alone. */
	EXPECT_EQ(v->hup_rx == EOF_RESULT ? 0 : 1, len);

	/* Then the same at once, blocking or not. */
	len = 1;
	EXPECT_EQ(v->hup_rx, rx(v, &self->c, &f, RX_CAP, true, &len));
	EXPECT_EQ(v->hup_rx == EOF_RESULT ? 0 : 1, len);
	len = 1;
	watchdog(WATCHDOG_MS);
	EXPECT_EQ(v->hup_rx, rx(v, &self->c, &f, RX_CAP, false, &len));
	watchdog(0);
	EXPECT_FALSE(alarmed());
	EXPECT_EQ(v->hup_rx == EOF_RESULT ? 0 : 1, len);
}

/*
 * The receiver leaves: a send fails with the documented errno (SIGPIPE
 * too, where documented), or succeeds where there is no notion of peers.
 */
TEST_F(ipc, sender_sees_receiver_hangup)
{
	const struct semantics *v = variant->sem;
	size_t n = large_len(v);
	struct flow f = { 0 };
	ssize_t sent;
	unsigned int i;

	if (not_applicable(_metadata, v, SC_HUP_TX))
		return;
	sigpipe_pending();
	v->ops->close_rx(&self->c);
	for (i = 0; i < v->hup_tx_sends_ok; i++) {
		EXPECT_EQ(n, tx(v, &self->c, &f, n, true));
		sleep_ms(20);
	}
	sent = tx(v, &self->c, &f, n, true);
	EXPECT_EQ(v->hup_tx ? v->hup_tx : (ssize_t)n, sent) {
		TH_LOG("got %s", sent < 0 ? strerror(-sent) : "success");
	}
	EXPECT_EQ(v->sigpipe, sigpipe_pending());
}

/*
 * POLLIN: absent when empty, present once a child sends (waking the
 * poller), absent again once drained.
 */
TEST_F(ipc, poll_readable)
{
	const struct semantics *v = variant->sem;
	size_t n = small_len(v);
	struct flow f = { 0 };
	__u64 len, t;
	pid_t pid;
	int ret;

	if (not_applicable(_metadata, v, SC_POLL_IN))
		return;
	ASSERT_LE(0, self->c.rx_poll);
	EXPECT_EQ(0, poll_one(self->c.rx_poll, POLLIN, 0));
	t = now_ms();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		sleep_ms(PEER_DELAY_MS);
		_exit(tx(v, &self->c, &f, n, true) == (ssize_t)n ? 0 : 1);
	}
	ret = poll_one(self->c.rx_poll, POLLIN, WATCHDOG_MS);
	t = now_ms() - t;
	EXPECT_EQ(POLLIN, ret);
	EXPECT_LE(MIN_WAIT_MS, t);
	EXPECT_EQ(0, reap(pid));
	wait_bytes(self->c.rx, n);
	ASSERT_EQ(0, rx(v, &self->c, &f, RX_CAP, true, &len));
	EXPECT_EQ(n, len);
	EXPECT_EQ(0, poll_one(self->c.rx_poll, POLLIN, 0));
}

/*
 * POLLOUT: present while there is room, absent when full, back once a
 * child drains the channel (waking the poller).
 */
TEST_F(ipc, poll_writable)
{
	const struct semantics *v = variant->sem;
	struct flow f = { 0 };
	__u64 count, full, t;
	pid_t pid;
	int ret;

	if (not_applicable(_metadata, v, SC_POLL_OUT))
		return;
	ASSERT_LE(0, self->c.tx_poll);
	EXPECT_EQ(POLLOUT, poll_one(self->c.tx_poll, POLLOUT, 0));
	ret = fill(v, &self->c, &f, &count);
	ASSERT_EQ(-v->full_errno, ret);
	EXPECT_EQ(0, poll_one(self->c.tx_poll, POLLOUT, 0));
	full = f.sent;
	t = now_ms();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		sleep_ms(PEER_DELAY_MS);
		watchdog(WATCHDOG_MS);
		_exit(rx_until(v, &self->c, &f, full) || alarmed());
	}
	ret = poll_one(self->c.tx_poll, POLLOUT, WATCHDOG_MS);
	t = now_ms() - t;
	EXPECT_EQ(POLLOUT, ret);
	EXPECT_LE(MIN_WAIT_MS, t);
	EXPECT_EQ(0, reap(pid));
}

/*
 * The receiver's readiness once the sender left, the channel drained:
 * nothing while a child still holds the sending end, then what the table
 * says, waking a poller when the child exits.
 */
TEST_F(ipc, poll_receiver_after_sender_hangup)
{
	const struct semantics *v = variant->sem;
	short want = v->rx_hup_revents;
	size_t n = small_len(v);
	struct flow f = { 0 };
	int gate[2], ret;
	__u64 t;
	pid_t pid;

	if (not_applicable(_metadata, v, SC_POLL_HUP_RX))
		return;
	ASSERT_LE(0, self->c.rx_poll);
	ASSERT_EQ(n, tx(v, &self->c, &f, n, true));
	pid = fork_holder(gate);
	ASSERT_LE(0, pid);
	v->ops->close_tx(&self->c);
	watchdog(WATCHDOG_MS);
	ret = rx_until(v, &self->c, &f, n);
	watchdog(0);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, poll_one(self->c.rx_poll, POLLIN, 0));
	t = now_ms();
	gate_open(gate);
	ret = poll_one(self->c.rx_poll, POLLIN, want ? WATCHDOG_MS : QUIET_MS);
	t = now_ms() - t;
	EXPECT_EQ(want, ret);
	EXPECT_LE(want ? MIN_WAIT_MS : QUIET_MS * 9 / 10, t);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(want, poll_one(self->c.rx_poll, POLLIN, 0));
}

/*
 * The sender's readiness once the receiver left: POLLOUT while a child
 * still holds the receiving end, then what the table says, a POLLHUP or
 * POLLERR waking a poller when the child exits.
 */
TEST_F(ipc, poll_sender_after_receiver_hangup)
{
	const struct semantics *v = variant->sem;
	short want = v->tx_hup_revents;
	short hup = want & (POLLHUP | POLLERR);
	int gate[2], ret;
	__u64 t;
	pid_t pid;

	if (not_applicable(_metadata, v, SC_POLL_HUP_TX))
		return;
	ASSERT_LE(0, self->c.tx_poll);
	pid = fork_holder(gate);
	ASSERT_LE(0, pid);
	v->ops->close_rx(&self->c);
	EXPECT_EQ(POLLOUT, poll_one(self->c.tx_poll, POLLOUT, 0));
	t = now_ms();
	gate_open(gate);
	ret = poll_one(self->c.tx_poll, 0, hup ? WATCHDOG_MS : QUIET_MS);
	t = now_ms() - t;
	EXPECT_EQ(hup, ret);
	EXPECT_LE(hup ? MIN_WAIT_MS : QUIET_MS * 9 / 10, t);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(want, poll_one(self->c.tx_poll, POLLOUT, 0));
}

TEST_HARNESS_MAIN
