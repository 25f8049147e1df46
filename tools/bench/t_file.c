// SPDX-License-Identifier: GPL-2.0
/*
 * File transport: the path through a file system instead of a RAM channel.
 * One temporary file per direction, in $TMPDIR, else /var/tmp, else /tmp,
 * created with mkstemp(3) and unlinked at once (the fds live on, and the
 * child inherits them). Every byte goes through the page cache by
 * pread(2)/pwrite(2); nothing is mapped (that would be shared memory).
 *
 * Each file is a control area (CTRL_SIZE bytes) and a ring used as a log:
 *
 *   record   8-byte header, payload, zeros up to a multiple of 8 bytes
 *   header   low 32 bits: the length; high 32 bits: the length XORed with
 *            a tag derived from the record's sequence number, so neither
 *            an empty slot (zeros), a stale header from an earlier lap nor
 *            a torn read can pass for the record expected
 *   send     one pwritev() of the payload, its padding and 8 zero bytes
 *            where the next header goes (so that slot never holds stale
 *            data when the receiver polls it), then one pwrite() of the
 *            header, which publishes the record
 *   receive  pread() the header until it is the expected one (polling:
 *            a few sched_yield()s, then naps of POLL_SLEEP_NS), then
 *            pread() the payload
 *   control  the receiver's consumed position, as { pos, pos ^ CTRL_MAGIC }
 *            (a torn read does not match), pwrite()n after each quarter
 *            of the ring consumed; the sender pread()s it only when the
 *            ring looks full
 *
 * The ring holds four of the largest messages (at least RING_MIN bytes),
 * so any size works. A poller that naps checks now and then that its peer
 * still lives, so a dead peer ends the run (-EPIPE) instead of hanging it.
 *
 * If the directory is on a tmpfs, this measures shmem, not a disk file
 * system: point $TMPDIR at a disk to measure one.
 * RAMCHAN_BENCH_FSYNC=1 in the environment makes the sender fdatasync(2)
 * each record after writing it: the cost of durability on that device.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

#define CTRL_SIZE	4096
#define CTRL_PID	64		/* in a2b's control area: B's pid */
#define CTRL_MAGIC	0x72616d6368616e31ULL
#define RING_MIN	(1024 * 1024)
#define POLL_SPINS	64		/* sched_yield()s before napping */
#define POLL_SLEEP_NS	20000
#define LIVENESS_NAPS	1024		/* naps between peer checks */

struct file_ring {
	int fd;
	uint64_t cap;		/* ring bytes, after the control area */
};

struct file_priv {
	struct file_ring ring[2];	/* a2b, b2a */
	struct file_ring *tx, *rx;
	int sync;		/* RAMCHAN_BENCH_FSYNC */
	pid_t parent;		/* side A */
	pid_t peer;		/* on side A: B, once known */
	/* sender */
	uint64_t head, tail_seen;
	uint32_t tx_seq;
	/* receiver */
	uint64_t tail, published;
	uint32_t rx_seq;
	char dir[PATH_MAX];	/* where the files are */
};

static uint64_t rec_hdr(uint32_t len, uint32_t seq)
{
	/* An odd tag: never 0, so a zeroed slot is never a valid header. */
	uint32_t tag = (uint32_t)(((uint64_t)seq + 1) *
				  0xd6e8feb86659fd93ULL >> 32) | 1;

	return (uint64_t)(tag ^ len) << 32 | len;
}

static uint64_t rec_bytes(uint64_t len)
{
	return 8 + ((len + 7) & ~7ULL);
}

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len) {
		n = pread(fd, buf, len, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			return -EIO;	/* the file has a fixed size */
		buf = (char *)buf + n;
		len -= n;
		off += n;
	}
	return 0;
}

static int pwritev_full(int fd, struct iovec *iov, int cnt, off_t off)
{
	ssize_t n;

	while (cnt) {
		n = pwritev(fd, iov, cnt, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += n;
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt) {
			if (!n)
				return -EIO;	/* a short write of nothing */
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

/* Write @iov at ring position @pos, in two parts if it wraps around. */
static int ring_writev(struct file_ring *r, uint64_t pos,
		       const struct iovec *iov, int cnt)
{
	struct iovec first[4], second[4];
	uint64_t off = pos % r->cap, room = r->cap - off;
	int nf = 0, ns = 0, ret, i;

	for (i = 0; i < cnt && i < 4; i++) {
		char *base = iov[i].iov_base;
		size_t len = iov[i].iov_len;

		if (len <= room) {
			first[nf++] = iov[i];
			room -= len;
			continue;
		}
		if (room) {
			first[nf++] = (struct iovec){ base, room };
			base += room;
			len -= room;
			room = 0;
		}
		second[ns++] = (struct iovec){ base, len };
	}
	ret = pwritev_full(r->fd, first, nf, CTRL_SIZE + off);
	if (!ret && ns)
		ret = pwritev_full(r->fd, second, ns, CTRL_SIZE);
	return ret;
}

static int ring_read(struct file_ring *r, uint64_t pos, void *buf,
		     size_t len)
{
	uint64_t off = pos % r->cap, first = r->cap - off;
	int ret;

	if (first >= len)
		return pread_full(r->fd, buf, len, CTRL_SIZE + off);
	ret = pread_full(r->fd, buf, first, CTRL_SIZE + off);
	if (!ret)
		ret = pread_full(r->fd, (char *)buf + first, len - first,
				 CTRL_SIZE);
	return ret;
}

static int ctrl_publish(struct file_ring *r, uint64_t pos)
{
	uint64_t ctrl[2] = { pos, pos ^ CTRL_MAGIC };
	struct iovec iov = { ctrl, sizeof(ctrl) };

	return pwritev_full(r->fd, &iov, 1, 0);
}

/* The receiver's consumed position; @pos stays as is if the read tore. */
static int ctrl_read(struct file_ring *r, uint64_t *pos)
{
	uint64_t ctrl[2];
	int ret = pread_full(r->fd, ctrl, sizeof(ctrl), 0);

	if (!ret && (ctrl[0] ^ ctrl[1]) == CTRL_MAGIC)
		*pos = ctrl[0];
	return ret;
}

/*
 * Is the other side still there? Side B: still the child of side A.
 * Side A: B (whose pid it reads from the control area) has not exited;
 * WNOWAIT leaves it for the caller's waitpid().
 */
static int peer_alive(struct file_priv *p, enum side side)
{
	siginfo_t si;
	int32_t pid;

	if (side == SIDE_B)
		return getppid() == p->parent;
	if (!p->peer) {
		if (pread_full(p->ring[0].fd, &pid, sizeof(pid), CTRL_PID) ||
		    pid <= 0)
			return 1;
		p->peer = pid;
	}
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, p->peer, &si, WEXITED | WNOHANG | WNOWAIT))
		return 1;	/* not our child: cannot tell */
	return !si.si_pid;
}

/* One more round of polling: 0, or -EPIPE if the peer is gone. */
static int poll_wait(struct file_priv *p, enum side side, unsigned int *n)
{
	struct timespec ts = { .tv_nsec = POLL_SLEEP_NS };

	if (++*n <= POLL_SPINS) {
		sched_yield();
		return 0;
	}
	nanosleep(&ts, NULL);
	if (!((*n - POLL_SPINS) % LIVENESS_NAPS) && !peer_alive(p, side))
		return -EPIPE;
	return 0;
}

/* Where the files go, in order of preference ($TMPDIR may be unset). */
static const char *tmp_dir(unsigned int i)
{
	static const char * const fixed[] = { "/var/tmp", "/tmp" };

	return i ? fixed[i - 1] : getenv("TMPDIR");
}

#define NR_TMP_DIRS	3

/* A file for a ring of @cap bytes: 0 or -errno, with @why set. */
static int ring_create(struct file_priv *p, struct file_ring *r,
		       uint64_t cap, char *why, size_t why_len)
{
	char path[PATH_MAX];
	const char *dir;
	unsigned int i;
	int ret;

	r->fd = -1;
	r->cap = cap;
	for (i = 0; i < NR_TMP_DIRS; i++) {
		dir = tmp_dir(i);
		if (!dir || !dir[0])
			continue;
		/* Both files in the same directory. */
		if (p->dir[0] && strcmp(p->dir, dir))
			continue;
		snprintf(path, sizeof(path), "%s/ramchan-bench-XXXXXX", dir);
		r->fd = mkostemp(path, O_CLOEXEC);
		if (r->fd >= 0) {
			unlink(path);
			snprintf(p->dir, sizeof(p->dir), "%s", dir);
			break;
		}
	}
	if (r->fd < 0) {
		ret = -errno;
		snprintf(why, why_len, "no temporary file in %s: %s",
			 p->dir[0] ? p->dir : "$TMPDIR, /var/tmp or /tmp",
			 strerror(errno));
		return ret;
	}
	/* Reserve the blocks now: no ENOSPC in the middle of a run. */
	ret = posix_fallocate(r->fd, 0, CTRL_SIZE + cap);
	if (ret == EOPNOTSUPP || ret == EINVAL)
		ret = ftruncate(r->fd, CTRL_SIZE + cap) ? errno : 0;
	if (ret) {
		snprintf(why, why_len, "%llu-byte file in %s: %s",
			 (unsigned long long)(CTRL_SIZE + cap), p->dir,
			 strerror(ret));
		close(r->fd);
		r->fd = -1;
		return -ret;
	}
	ret = ctrl_publish(r, 0);
	if (ret) {
		snprintf(why, why_len, "write to %s: %s", p->dir,
			 strerror(-ret));
		close(r->fd);
		r->fd = -1;
	}
	return ret;
}

static int file_setup(struct xport *x, char *why, size_t why_len)
{
	struct file_priv *p = calloc(1, sizeof(*p));
	const char *env = getenv("RAMCHAN_BENCH_FSYNC");
	uint64_t cap = RING_MIN, want = 4 * rec_bytes(x->max_msg) + 8;
	int ret, i;

	if (!p)
		return -ENOMEM;
	/* Whole pages, so the ring and the page cache line up. */
	if (want > cap)
		cap = (want + CTRL_SIZE - 1) & ~(uint64_t)(CTRL_SIZE - 1);
	for (i = 0; i < 2; i++) {
		ret = ring_create(p, &p->ring[i], cap, why, why_len);
		if (ret) {
			if (i)
				close(p->ring[0].fd);
			free(p);
			return ret;
		}
	}
	p->sync = env && !strcmp(env, "1");
	p->parent = getpid();
	x->priv = p;
	return 0;
}

static int file_attach(struct xport *x)
{
	struct file_priv *p = x->priv;
	int32_t pid = getpid();
	struct iovec iov = { &pid, sizeof(pid) };

	p->tx = &p->ring[x->side == SIDE_A ? 0 : 1];
	p->rx = &p->ring[x->side == SIDE_A ? 1 : 0];
	if (x->side == SIDE_B)
		return pwritev_full(p->ring[0].fd, &iov, 1, CTRL_PID);
	return 0;
}

/* The two files: the page cache they fill. */
static size_t file_ram(const struct xport *x)
{
	const struct file_priv *p = x->priv;

	return 2 * (CTRL_SIZE + p->ring[0].cap);
}

static size_t file_max_msg(const struct xport *x)
{
	(void)x;
	/* Any size: the ring is sized from the workload's largest message. */
	return 0;
}

static int file_send(struct xport *x, const void *buf, size_t len)
{
	static const uint8_t zeros[16];
	struct file_priv *p = x->priv;
	struct file_ring *r = p->tx;
	uint64_t rec = rec_bytes(len), need = rec + 8, hdr;
	struct iovec iov[2];
	unsigned int polls = 0;
	int ret;

	/* Half the ring at most: the receiver publishes every quarter. */
	if (len > UINT32_MAX || need > r->cap / 2)
		return -EMSGSIZE;
	while (p->head + need - p->tail_seen > r->cap) {
		ret = ctrl_read(r, &p->tail_seen);
		if (!ret && p->head + need - p->tail_seen > r->cap)
			ret = poll_wait(p, x->side, &polls);
		if (ret)
			return ret;
	}
	/* The payload, its padding, and a zeroed slot for the next header. */
	iov[0] = (struct iovec){ (void *)buf, len };
	iov[1] = (struct iovec){ (void *)zeros, (rec - 8 - len) + 8 };
	ret = ring_writev(r, p->head + 8, iov, 2);
	if (ret)
		return ret;
	hdr = rec_hdr(len, p->tx_seq);
	iov[0] = (struct iovec){ &hdr, sizeof(hdr) };
	ret = ring_writev(r, p->head, iov, 1);
	if (ret)
		return ret;
	if (p->sync && fdatasync(r->fd))
		return -errno;
	p->head += rec;
	p->tx_seq++;
	return 0;
}

static long file_recv(struct xport *x, void *buf, size_t cap)
{
	struct file_priv *p = x->priv;
	struct file_ring *r = p->rx;
	uint64_t hdr, want;
	unsigned int polls = 0;
	uint32_t len;
	int ret;

	for (;;) {
		ret = ring_read(r, p->tail, &hdr, sizeof(hdr));
		if (ret)
			return ret;
		len = (uint32_t)hdr;
		want = rec_hdr(len, p->rx_seq);
		if (hdr == want)
			break;
		ret = poll_wait(p, x->side, &polls);
		if (ret)
			return ret;
	}
	if (len > cap)
		return -EMSGSIZE;
	if (rec_bytes(len) + 8 > r->cap / 2)
		return -EPROTO;
	ret = ring_read(r, p->tail + 8, buf, len);
	if (ret)
		return ret;
	p->tail += rec_bytes(len);
	p->rx_seq++;
	if (p->tail - p->published >= r->cap / 4) {
		ret = ctrl_publish(r, p->tail);
		if (ret)
			return ret;
		p->published = p->tail;
	}
	return len;
}

static void file_detach(struct xport *x)
{
	(void)x;
}

static void file_teardown(struct xport *x)
{
	struct file_priv *p = x->priv;

	close(p->ring[0].fd);
	close(p->ring[1].fd);
	free(p);
}

const struct transport transport_file = {
	.name = "file",
	.desc = "pread/pwrite ring in a temporary file (file system, page cache)",
	.copies = 2,
	.max_msg = file_max_msg,
	.setup = file_setup,
	.attach = file_attach,
	.send = file_send,
	.recv = file_recv,
	.ram = file_ram,
	.detach = file_detach,
	.teardown = file_teardown,
};
