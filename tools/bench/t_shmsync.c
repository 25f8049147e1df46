// SPDX-License-Identifier: GPL-2.0
/*
 * Sleeping shared-memory transports: the SPSC ring of shm-spin (shm_ring.h),
 * one per direction, but a side that finds its ring empty (receiver) or
 * full (sender) sleeps in the kernel instead of spinning, each with a
 * different primitive:
 *
 *   shm-futex     POSIX shm, futex(2) on the ring's waiter words: the
 *                 reference. A side sets its word, issues a full barrier,
 *                 checks the ring again and only then FUTEX_WAITs; the
 *                 other side moves its position, issues a full barrier and
 *                 clears the word and FUTEX_WAKEs only if it was set. No
 *                 lost wakeup, no system call while the peer is awake.
 *   shm-sem       POSIX shm, process-shared POSIX semaphores in the shared
 *                 page: per direction an "items" count posted per message
 *                 and a "space" count of free slots, the textbook bounded
 *                 buffer. glibc's semaphores skip the kernel on their own
 *                 when nobody waits.
 *   sysv-shm-sem  SysV shared memory and a SysV semaphore set with the same
 *                 counts; every semop() is a system call.
 *   eventfd-shm   anonymous shared memory and an eventfd per process as its
 *                 doorbell, rung only when the waiter word of shm-futex
 *                 says the peer sleeps. A write() per message would cost
 *                 the sender a system call even while the receiver is busy
 *                 draining the ring (a stream), and leave counts that wake
 *                 the receiver for messages it has taken already; with the
 *                 word a busy stream makes no system call at all and a
 *                 ping-pong the two per hop of a pipe, for one full
 *                 barrier per message.
 *
 * All copy each message into the ring and out again. Each side records its
 * pid in a shared header and, in detach, that it is gone, and wakes its
 * peer, which then fails with -EPIPE instead of sleeping on; where the
 * primitive takes a timeout, sleeps also end every second to see whether
 * the peer died without detaching.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring.h"
#include "transport.h"

enum sync_kind { SYNC_FUTEX, SYNC_POSIX_SEM, SYNC_SYSV_SEM, SYNC_EVENTFD };

/* Semaphore numbers: per direction (0: a2b, 1: b2a) items, then space. */
#define SEM_ITEMS(dir)	(2 * (dir))
#define SEM_SPACE(dir)	(2 * (dir) + 1)
#define NR_SEMS		4

struct psem {
	sem_t sem;
} __aligned(64);

/* The start of the shared mapping; the two rings follow. */
struct sync_hdr {
	pid_t pid[2] __aligned(64);	/* A's (setup), B's (B's attach) */
	uint32_t closed[2];		/* set by each side's detach */
	struct psem sems[NR_SEMS];	/* shm-sem */
};

struct sync_priv {
	enum sync_kind kind;
	void *map;
	size_t map_len;
	struct sync_hdr *hdr;
	struct shm_ring *ring[2];	/* a2b, b2a */
	unsigned int slots;		/* messages a ring surely holds */
	int semid;			/* sysv-shm-sem */
	int efd[2];			/* eventfd-shm: A's, B's doorbell */
	/* This side: */
	int me, peer;			/* SIDE_A or SIDE_B, also ring index */
	struct shm_ring *tx, *rx;
	uint64_t cached_tail, cached_head;
};

/* ---- waiting for the peer: flags and futex or eventfd ------------------ */

static bool peer_closed(struct sync_priv *p)
{
	return __atomic_load_n(&p->hdr->closed[p->peer], __ATOMIC_ACQUIRE);
}

static bool sync_peer_gone(struct sync_priv *p)
{
	return peer_gone(p->me,
			 __atomic_load_n(&p->hdr->pid[p->peer], __ATOMIC_RELAXED));
}

static long futex(uint32_t *word, int op, uint32_t val,
		  const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/*
 * Wake the peer if it sleeps on *@flag; the caller has published its
 * position and issued a full barrier. A no-op unless the peer is asleep.
 */
static void flag_wake(struct sync_priv *p, uint32_t *flag)
{
	static const uint64_t one = 1;

	if (!__atomic_load_n(flag, __ATOMIC_RELAXED) ||
	    !__atomic_exchange_n(flag, 0, __ATOMIC_ACQ_REL))
		return;
	if (p->kind == SYNC_FUTEX)
		futex(flag, FUTEX_WAKE, 1, NULL);
	else if (write(p->efd[p->peer], &one, sizeof(one)) < 0)
		perror("ramchan-bench: eventfd write");
}

/*
 * Sleep while *@flag is set. The peer clears it before it wakes us, so a
 * wakeup between our last look at the ring and the sleep is not lost: the
 * futex does not sleep on a cleared word, the eventfd keeps its count.
 */
static int flag_sleep(struct sync_priv *p, uint32_t *flag)
{
	static const struct timespec second = { .tv_sec = 1 };
	uint64_t count;

	/* A peer waiting for room we made must not wait for us (see recv). */
	flag_wake(p, &p->rx->space_waiter);
	if (p->kind == SYNC_FUTEX) {
		if (!futex(flag, FUTEX_WAIT, 1, &second) || errno == EAGAIN ||
		    errno == EINTR)
			return 0;
		if (errno != ETIMEDOUT)
			return -errno;
		return sync_peer_gone(p) ? -EPIPE : 0;
	}
	/* eventfd: read() has no timeout; detach still wakes us. */
	if (read(p->efd[p->me], &count, sizeof(count)) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

/* Announce a sleep on *@flag; then the caller looks at the ring again. */
static void flag_arm(uint32_t *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void flag_disarm(uint32_t *flag)
{
	__atomic_store_n(flag, 0, __ATOMIC_RELAXED);
}

static int flag_send(struct sync_priv *p, const void *buf, size_t len)
{
	struct shm_ring *r = p->tx;
	uint64_t total = ring_record(len);
	int ret;

	if (total > r->size)
		return -EMSGSIZE;
	while (!ring_room(r, &p->cached_tail, total)) {
		flag_arm(&r->space_waiter);
		if (ring_room(r, &p->cached_tail, total)) {
			flag_disarm(&r->space_waiter);
			break;
		}
		if (peer_closed(p)) {
			flag_disarm(&r->space_waiter);
			return -EPIPE;
		}
		ret = flag_sleep(p, &r->space_waiter);
		if (ret)
			return ret;
	}
	ring_put(r, buf, len);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flag_wake(p, &r->data_waiter);
	return 0;
}

static long flag_recv(struct sync_priv *p, void *buf, size_t cap)
{
	struct shm_ring *r = p->rx;
	long n;
	int ret;

	while (!ring_ready(r, &p->cached_head)) {
		flag_arm(&r->data_waiter);
		if (ring_ready(r, &p->cached_head)) {
			flag_disarm(&r->data_waiter);
			break;
		}
		if (peer_closed(p)) {
			flag_disarm(&r->data_waiter);
			return -EPIPE;
		}
		ret = flag_sleep(p, &r->data_waiter);
		if (ret)
			return ret;
	}
	n = ring_get(r, buf, cap);
	if (n < 0)
		return n;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/*
	 * A sender asleep on a full ring is woken once half of it is free,
	 * not for every message taken: then it refills the ring in one go
	 * instead of waking for each record. The ring empties, or we wake it
	 * before we sleep ourselves (flag_sleep()), so it does not stay
	 * asleep with room it could use.
	 */
	if (__atomic_load_n(&r->space_waiter, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) - r->tail <=
	    r->size / 2)
		flag_wake(p, &r->space_waiter);
	return n;
}

/* ---- waiting for the peer: counting semaphores -------------------------- */

static int sem_down(struct sync_priv *p, int num)
{
	static const struct timespec second = { .tv_sec = 1 };
	struct sembuf op = { .sem_num = num, .sem_op = -1 };
	sem_t *s = &p->hdr->sems[num].sem;
	struct timespec ts;

	if (p->kind == SYNC_POSIX_SEM && !sem_trywait(s))
		return 0;
	for (;;) {
		if (p->kind == SYNC_POSIX_SEM) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec++;
			if (!sem_clockwait(s, CLOCK_MONOTONIC, &ts))
				return 0;
		} else if (!semtimedop(p->semid, &op, 1, &second)) {
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != ETIMEDOUT && errno != EAGAIN)
			return -errno;
		if (sync_peer_gone(p))
			return -EPIPE;
	}
}

static int sem_up(struct sync_priv *p, int num)
{
	struct sembuf op = { .sem_num = num, .sem_op = 1 };

	if (p->kind == SYNC_POSIX_SEM)
		return sem_post(&p->hdr->sems[num].sem) ? -errno : 0;
	while (semop(p->semid, &op, 1))
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int sem_send(struct sync_priv *p, const void *buf, size_t len,
		    size_t max_msg)
{
	int ret;

	if (len > max_msg)
		return -EMSGSIZE;	/* the slot count assumes max_msg */
	ret = sem_down(p, SEM_SPACE(p->me));
	if (ret)
		return ret;
	if (peer_closed(p))
		return -EPIPE;		/* that was its goodbye, not space */
	ring_put(p->tx, buf, len);
	return sem_up(p, SEM_ITEMS(p->me));
}

static long sem_recv(struct sync_priv *p, void *buf, size_t cap)
{
	long n;
	int ret;

	ret = sem_down(p, SEM_ITEMS(p->peer));
	if (ret)
		return ret;
	if (!ring_ready(p->rx, &p->cached_head))
		return peer_closed(p) ? -EPIPE : -EPROTO;
	n = ring_get(p->rx, buf, cap);
	if (n < 0)
		return n;
	ret = sem_up(p, SEM_SPACE(p->peer));
	return ret ? ret : n;
}

/* ---- the transport ------------------------------------------------------- */

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static void *map_posix_shm(size_t len, int *err, char *why, size_t why_len)
{
	static unsigned int seq;
	char name[64];
	void *map;
	int fd;

	snprintf(name, sizeof(name), "/ramchan-bench-%d-%u", getpid(), seq++);
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		*err = errno;
		snprintf(why, why_len, "shm_open: %s", strerror(*err));
		return MAP_FAILED;
	}
	shm_unlink(name);	/* lives while mapped */
	if (ftruncate(fd, len)) {
		*err = errno;
		snprintf(why, why_len, "ftruncate shm: %s", strerror(*err));
		close(fd);
		return MAP_FAILED;
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		*err = errno;
		snprintf(why, why_len, "mmap shm: %s", strerror(*err));
	}
	close(fd);
	return map;
}

static void *map_sysv_shm(size_t len, int *err, char *why, size_t why_len)
{
	void *map;
	int id;

	id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
	if (id < 0) {
		*err = errno;
		snprintf(why, why_len, "shmget: %s (kernel.shmmax/shmall?)",
			 strerror(*err));
		return MAP_FAILED;
	}
	map = shmat(id, NULL, 0);
	if (map == (void *)-1) {
		*err = errno;
		snprintf(why, why_len, "shmat: %s", strerror(*err));
	}
	/* Gone once both processes detach (the child inherits the mapping). */
	shmctl(id, IPC_RMID, NULL);
	return map == (void *)-1 ? MAP_FAILED : map;
}

static void sync_unmap(struct sync_priv *p)
{
	if (p->kind == SYNC_SYSV_SEM)
		shmdt(p->map);
	else
		munmap(p->map, p->map_len);
}

static int sync_prims(struct sync_priv *p, char *why, size_t why_len)
{
	unsigned short vals[NR_SEMS];
	union semun arg = { .array = vals };
	int i, err;

	switch (p->kind) {
	case SYNC_FUTEX:
		return 0;
	case SYNC_POSIX_SEM:
		for (i = 0; i < NR_SEMS; i++)
			if (sem_init(&p->hdr->sems[i].sem, 1,
				     i & 1 ? p->slots : 0)) {
				err = errno;
				snprintf(why, why_len, "sem_init: %s",
					 strerror(err));
				return -err;
			}
		return 0;
	case SYNC_SYSV_SEM:
		p->semid = semget(IPC_PRIVATE, NR_SEMS, IPC_CREAT | 0600);
		if (p->semid < 0) {
			err = errno;
			snprintf(why, why_len, "semget: %s (kernel.sem?)",
				 strerror(err));
			return -err;
		}
		for (i = 0; i < NR_SEMS; i++)
			vals[i] = i & 1 ? p->slots : 0;
		if (semctl(p->semid, 0, SETALL, arg)) {
			err = errno;
			snprintf(why, why_len, "semctl SETALL: %s",
				 strerror(err));
			semctl(p->semid, 0, IPC_RMID);
			return -err;
		}
		return 0;
	case SYNC_EVENTFD:
		for (i = 0; i < 2; i++) {
			p->efd[i] = eventfd(0, EFD_CLOEXEC);
			if (p->efd[i] < 0) {
				err = errno;
				snprintf(why, why_len, "eventfd: %s",
					 strerror(err));
				if (i)
					close(p->efd[0]);
				return -err;
			}
		}
		return 0;
	}
	return -EINVAL;
}

static int sync_setup(struct xport *x, enum sync_kind kind, char *why,
		      size_t why_len)
{
	struct sync_priv *p = calloc(1, sizeof(*p));
	uint64_t size = ring_bytes(x->max_msg);
	size_t ring_len = ring_map_len(size);
	uint64_t slots = size / ring_record(x->max_msg);
	int ret, err = ENOMEM, i;

	if (!p)
		return -ENOMEM;
	p->kind = kind;
	/* A SysV semaphore counts to SEMVMX; 4096 16-byte records at most. */
	p->slots = slots > 32767 ? 32767 : slots;
	p->map_len = sizeof(struct sync_hdr) + 2 * ring_len;
	switch (kind) {
	case SYNC_EVENTFD:
		p->map = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p->map == MAP_FAILED) {
			err = errno;
			snprintf(why, why_len, "mmap: %s", strerror(err));
		}
		break;
	case SYNC_SYSV_SEM:
		p->map = map_sysv_shm(p->map_len, &err, why, why_len);
		break;
	default:
		p->map = map_posix_shm(p->map_len, &err, why, why_len);
		break;
	}
	if (p->map == MAP_FAILED) {
		free(p);
		return -err;
	}
	p->hdr = p->map;
	p->hdr->pid[SIDE_A] = getpid();
	for (i = 0; i < 2; i++) {
		p->ring[i] = (struct shm_ring *)((char *)p->map +
						 sizeof(struct sync_hdr) +
						 i * ring_len);
		p->ring[i]->size = size;
	}
	ret = sync_prims(p, why, why_len);
	if (ret) {
		sync_unmap(p);
		free(p);
		return ret;
	}
	x->priv = p;
	return 0;
}

static int sync_attach(struct xport *x)
{
	struct sync_priv *p = x->priv;

	p->me = x->side == SIDE_A ? SIDE_A : SIDE_B;
	p->peer = x->side == SIDE_A ? SIDE_B : SIDE_A;
	p->tx = p->ring[p->me];
	p->rx = p->ring[p->peer];
	if (p->me == SIDE_B)
		__atomic_store_n(&p->hdr->pid[SIDE_B], getpid(),
				 __ATOMIC_RELAXED);
	return 0;
}

static int sync_send(struct xport *x, const void *buf, size_t len)
{
	struct sync_priv *p = x->priv;

	if (p->kind == SYNC_FUTEX || p->kind == SYNC_EVENTFD)
		return flag_send(p, buf, len);
	return sem_send(p, buf, len, x->max_msg);
}

static long sync_recv(struct xport *x, void *buf, size_t cap)
{
	struct sync_priv *p = x->priv;

	if (p->kind == SYNC_FUTEX || p->kind == SYNC_EVENTFD)
		return flag_recv(p, buf, cap);
	return sem_recv(p, buf, cap);
}

static size_t sync_ram(const struct xport *x)
{
	const struct sync_priv *p = x->priv;

	return p->map_len;
}

/* Say goodbye and wake the peer wherever it may sleep on us. */
static void sync_detach(struct xport *x)
{
	struct sync_priv *p = x->priv;

	__atomic_store_n(&p->hdr->closed[p->me], 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (p->kind == SYNC_FUTEX || p->kind == SYNC_EVENTFD) {
		flag_wake(p, &p->tx->data_waiter);
		flag_wake(p, &p->rx->space_waiter);
	} else {
		sem_up(p, SEM_ITEMS(p->me));
		sem_up(p, SEM_SPACE(p->peer));
	}
}

static void sync_teardown(struct xport *x)
{
	struct sync_priv *p = x->priv;
	int i;

	switch (p->kind) {
	case SYNC_POSIX_SEM:
		for (i = 0; i < NR_SEMS; i++)
			sem_destroy(&p->hdr->sems[i].sem);
		break;
	case SYNC_SYSV_SEM:
		semctl(p->semid, 0, IPC_RMID);
		break;
	case SYNC_EVENTFD:
		close(p->efd[0]);
		close(p->efd[1]);
		break;
	case SYNC_FUTEX:
		break;
	}
	sync_unmap(p);
	free(p);
}

#define SYNC_TRANSPORT(_var, _name, _kind, _desc)			\
static int _var##_setup(struct xport *x, char *why, size_t why_len)	\
{									\
	return sync_setup(x, _kind, why, why_len);			\
}									\
const struct transport _var = {						\
	.name = _name,							\
	.desc = _desc,							\
	.copies = 2,							\
	.setup = _var##_setup,						\
	.attach = sync_attach,						\
	.send = sync_send,						\
	.recv = sync_recv,						\
	.ram = sync_ram,						\
	.detach = sync_detach,						\
	.teardown = sync_teardown,					\
}

SYNC_TRANSPORT(transport_shm_futex, "shm-futex", SYNC_FUTEX,
	       "POSIX shm ring, futex wait/wake only when the peer sleeps");
SYNC_TRANSPORT(transport_shm_sem, "shm-sem", SYNC_POSIX_SEM,
	       "POSIX shm ring, process-shared POSIX semaphores");
SYNC_TRANSPORT(transport_sysv_shm_sem, "sysv-shm-sem", SYNC_SYSV_SEM,
	       "SysV shm ring, SysV semaphores (a semop per wait and post)");
SYNC_TRANSPORT(transport_eventfd_shm, "eventfd-shm", SYNC_EVENTFD,
	       "shm ring, eventfd doorbell only when the peer sleeps");
