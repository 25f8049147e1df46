// SPDX-License-Identifier: GPL-2.0
/*
 * tools/soak/peers.c: the processes of a soak group.
 *
 * Ring producers send records with libramchan's copy API; the ring
 * consumer peeks, checks and then consumes, keeping the last sequence seen
 * per sender in the shared group (struct soak_group.last), so that a
 * consumer started after another was killed goes on checking where it
 * stopped: a record it sees again (read but not yet released by the one
 * killed) is counted as redelivered, a record missing is an error.
 * Queue senders and receivers send and receive one message or a batch per
 * call; several receivers share a queue, so each one checks that every
 * sender's sequence only grows (gaps are the other receivers' and the
 * drops'), and the supervisor checks the totals against the kernel's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ramchan.h"
#include "soak.h"

#define WAIT_NS		(100 * 1000 * 1000ULL)
#define BATCH		16
#define MAX_LEN		256

void soak_error(struct soak_shared *sh, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&sh->errors, 1, __ATOMIC_RELAXED) == 0) {
		va_start(ap, fmt);
		vsnprintf(sh->first_error, sizeof(sh->first_error), fmt, ap);
		va_end(ap);
	}
}

static uint32_t msg_len(uint64_t seq, uint32_t id, uint32_t max)
{
	uint32_t h = (uint32_t)(seq * 2654435761u) ^ id;

	return sizeof(struct soak_msg) + h % (max - sizeof(struct soak_msg) + 1);
}

static uint32_t msg_crc(const struct soak_msg *m, const void *payload,
			size_t len)
{
	uint32_t crc = soak_crc32c(0, &m->seq, sizeof(m->seq));

	crc = soak_crc32c(crc, &m->id, sizeof(m->id));
	return soak_crc32c(crc, payload, len);
}

/* Fill @buf with message @seq of sender @id; return its length. */
static uint32_t make_msg(unsigned char *buf, uint64_t seq, uint32_t id,
			 uint32_t max)
{
	uint32_t len = msg_len(seq, id, max), i;
	struct soak_msg m = { .seq = seq, .id = id };
	unsigned char *payload = buf + sizeof(m);
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL + id;

	for (i = 0; i < len - sizeof(m); i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		payload[i] = (unsigned char)x;
	}
	m.crc = msg_crc(&m, payload, len - sizeof(m));
	memcpy(buf, &m, sizeof(m));
	return len;
}

/* Check a received message; return its header, or id SOAK_MAX_IDS if bad. */
static struct soak_msg check_msg(struct soak_shared *sh, struct soak_group *g,
				 const unsigned char *buf, uint32_t len)
{
	struct soak_msg m;

	if (len < sizeof(m)) {
		soak_error(sh, "%s: a %u-byte message, shorter than its header",
			   g->name, len);
		m.id = SOAK_MAX_IDS;
		return m;
	}
	memcpy(&m, buf, sizeof(m));
	if (m.id >= SOAK_MAX_IDS || len != msg_len(m.seq, m.id, MAX_LEN) ||
	    msg_crc(&m, buf + sizeof(m), len - sizeof(m)) != m.crc) {
		soak_error(sh, "%s: bad message (id %u seq %llu len %u): CRC32C or length wrong",
			   g->name, m.id, (unsigned long long)m.seq, len);
		m.id = SOAK_MAX_IDS;
	}
	return m;
}

static void count(uint64_t *v, uint64_t n)
{
	__atomic_fetch_add(v, n, __ATOMIC_RELAXED);
}

static uint32_t new_id(struct soak_shared *sh)
{
	uint32_t id = __atomic_fetch_add(&sh->next_id, 1, __ATOMIC_RELAXED);

	if (id >= SOAK_MAX_IDS) {
		soak_error(sh, "more than %d sender instances", SOAK_MAX_IDS);
		_exit(1);
	}
	return id;
}

static int open_channel(struct soak_group *g, unsigned int role)
{
	int ctl = ramchan_open_dev(), fd;

	if (ctl < 0)
		return ctl;
	fd = ramchan_chan_open(ctl, g->name, role, 0);
	close(ctl);
	return fd;
}

static void ring_producer(struct soak_shared *sh, struct soak_group *g,
			  int fd)
{
	unsigned char buf[MAX_LEN];
	struct ramchan_ring r;
	uint32_t id = new_id(sh), len;
	uint64_t seq = 0;
	int ret;

	if (ramchan_ring_map(&r, fd))
		_exit(1);
	ramchan_ring_set_spin(&r, g->spin ? 50000 : 0);
	while (!sh->stop_senders) {
		len = make_msg(buf, seq, id, MAX_LEN);
		ret = ramchan_ring_send(&r, buf, len,
					ramchan_deadline_in(WAIT_NS));
		if (!ret) {
			seq++;
			count(&g->sent, 1);
			count(&g->sent_this_epoch, 1);
		} else if (ret != -ETIMEDOUT && ret != -EINTR && ret != -EPIPE) {
			soak_error(sh, "%s: send: %s", g->name, strerror(-ret));
			_exit(1);
		} else if (ret == -EPIPE) {
			usleep(1000);	/* the consumer is being restarted */
		}
	}
	_exit(0);
}

static void ring_consumer(struct soak_shared *sh, struct soak_group *g,
			  int fd)
{
	static bool synced[SOAK_MAX_IDS];
	struct ramchan_ring r;
	struct ramchan_rec rec;
	struct soak_msg m;
	uint64_t expect;
	int ret;

	if (ramchan_ring_map(&r, fd))
		_exit(1);
	ramchan_ring_set_spin(&r, g->spin ? 50000 : 0);
	for (;;) {
		ret = ramchan_ring_peek_wait(&r, &rec,
					     ramchan_deadline_in(WAIT_NS));
		if (ret) {
			if (ret != -ETIMEDOUT && ret != -EINTR && ret != -EPIPE &&
			    ret != -EAGAIN) {
				soak_error(sh, "%s: peek: %s", g->name,
					   strerror(-ret));
				_exit(1);
			}
			if (sh->stop_all)
				_exit(0);
			if (ret == -EPIPE)
				usleep(1000);
			continue;
		}
		m = check_msg(sh, g, rec.data, rec.len);
		if (m.id < SOAK_MAX_IDS) {
			expect = g->last[m.id];
			if (m.seq + 1 <= expect && !synced[m.id]) {
				count(&g->redelivered, 1);
			} else if (m.seq != expect) {
				soak_error(sh, "%s: sender %u: got seq %llu, expected %llu (%s)",
					   g->name, m.id,
					   (unsigned long long)m.seq,
					   (unsigned long long)expect,
					   m.seq > expect ? "lost" : "again");
			} else {
				synced[m.id] = true;
				count(&g->received, 1);
				count(&g->received_this_epoch, 1);
				__atomic_store_n(&g->last[m.id], m.seq + 1,
						 __ATOMIC_RELEASE);
			}
		}
		ramchan_ring_consume(&r, &rec);
	}
}

static void mq_sender(struct soak_shared *sh, struct soak_group *g, int fd,
		      bool batch)
{
	static unsigned char bufs[BATCH][MAX_LEN];
	struct ramchan_mq_vec v[BATCH];
	uint32_t id = new_id(sh), prio = id % 4;
	uint64_t seq = 0;
	unsigned int i, n = batch ? BATCH : 1;
	int ret;

	while (!sh->stop_senders) {
		for (i = 0; i < n; i++)
			v[i] = (struct ramchan_mq_vec){
				.buf = (uintptr_t)bufs[i], .prio = prio,
				.len = make_msg(bufs[i], seq + i, id, MAX_LEN),
			};
		if (batch)
			ret = ramchan_mq_send_batch(fd, v, n, 0,
						    ramchan_deadline_in(WAIT_NS));
		else
			ret = ramchan_mq_send(fd, bufs[0], v[0].len, prio, 0,
					      ramchan_deadline_in(WAIT_NS)) ?: 1;
		if (ret > 0) {
			for (i = 0; i < (unsigned int)ret; i++)
				if (v[i].error)
					soak_error(sh, "%s: batch entry %u: %s",
						   g->name, i,
						   strerror(v[i].error));
			seq += ret;
			count(&g->sent, ret);
		} else if (ret == -EAGAIN) {
			usleep(100);	/* REJECT and full */
		} else if (ret != -ETIMEDOUT && ret != -EINTR && ret != -EPIPE) {
			soak_error(sh, "%s: send: %s", g->name, strerror(-ret));
			_exit(1);
		}
	}
	_exit(0);
}

static void mq_receiver(struct soak_shared *sh, struct soak_group *g, int fd,
			bool batch)
{
	static uint64_t next[SOAK_MAX_IDS];
	static unsigned char bufs[BATCH][MAX_LEN];
	struct ramchan_mq_vec v[BATCH];
	unsigned int i, n = batch ? BATCH : 1;
	struct soak_msg m;
	int ret;

	for (;;) {
		for (i = 0; i < n; i++)
			v[i] = (struct ramchan_mq_vec){
				.buf = (uintptr_t)bufs[i], .len = MAX_LEN,
			};
		if (batch) {
			ret = ramchan_mq_recv_batch(fd, v, n, 0,
						    ramchan_deadline_in(WAIT_NS));
		} else {
			ret = ramchan_mq_recv(fd, bufs[0], MAX_LEN, NULL, 0,
					      ramchan_deadline_in(WAIT_NS));
			if (ret >= 0) {
				v[0].len = ret;
				ret = 1;
			}
		}
		if (ret <= 0) {
			if (ret != -ETIMEDOUT && ret != -EINTR && ret != -EPIPE &&
			    ret != -EAGAIN) {
				soak_error(sh, "%s: receive: %s", g->name,
					   strerror(-ret));
				_exit(1);
			}
			if (sh->stop_all)
				_exit(0);
			if (ret == -EPIPE)
				usleep(1000);
			continue;
		}
		for (i = 0; i < (unsigned int)ret; i++) {
			m = check_msg(sh, g, bufs[i], v[i].len);
			if (m.id >= SOAK_MAX_IDS)
				continue;
			if (m.seq < next[m.id])
				soak_error(sh, "%s: sender %u: seq %llu after %llu (out of order or twice)",
					   g->name, m.id,
					   (unsigned long long)m.seq,
					   (unsigned long long)next[m.id] - 1);
			next[m.id] = m.seq + 1;
		}
		count(&g->received, ret);
	}
}

void soak_peer_run(struct soak_shared *sh, unsigned int gi, unsigned int p)
{
	struct soak_group *g = &sh->groups[gi];
	enum soak_role role = g->peers[p].role;
	int fd;

	fd = open_channel(g, role == SOAK_SEND ? RAMCHAN_ROLE_PRODUCER :
						 RAMCHAN_ROLE_CONSUMER);
	if (fd < 0) {
		soak_error(sh, "%s: cannot open: %s", g->name, strerror(-fd));
		_exit(1);
	}
	if (g->kind == SOAK_RING) {
		if (role == SOAK_SEND)
			ring_producer(sh, g, fd);
		ring_consumer(sh, g, fd);
	}
	if (role == SOAK_SEND)
		mq_sender(sh, g, fd, g->batch && p % 2);
	mq_receiver(sh, g, fd, g->batch && p % 2);
}
