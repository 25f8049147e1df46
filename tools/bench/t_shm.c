// SPDX-License-Identifier: GPL-2.0
/*
 * The limits: a plain shared-memory ring that spins (no kernel at all
 * after setup), single producer, single consumer, the same record format
 * as ramchan's ring, and memcpy (bench.c measures it in one process).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "transport.h"

struct spin_ring {
	uint64_t head __attribute__((aligned(64)));
	uint64_t tail __attribute__((aligned(64)));
	uint64_t size __attribute__((aligned(64)));
	uint8_t data[] __attribute__((aligned(64)));
};

struct shm_priv {
	struct spin_ring *rings[2];	/* a2b, b2a */
	size_t map_len;
	struct spin_ring *tx, *rx;
	uint64_t cached_tail, cached_head;
};

static inline void relax(void)
{
	__builtin_ia32_pause();
}

static uint64_t ring_bytes(size_t max_msg)
{
	uint64_t size = 64 * 1024;

	while (size < 4 * (max_msg + 16))
		size <<= 1;
	return size;
}

static int shm_setup(struct xport *x, char *why, size_t why_len)
{
	struct shm_priv *p = calloc(1, sizeof(*p));
	uint64_t size = ring_bytes(x->max_msg);
	int i;

	(void)why;
	(void)why_len;
	if (!p)
		return -ENOMEM;
	p->map_len = sizeof(struct spin_ring) + size;
	for (i = 0; i < 2; i++) {
		p->rings[i] = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p->rings[i] == MAP_FAILED)
			return -errno;
		p->rings[i]->size = size;
	}
	x->priv = p;
	return 0;
}

static int shm_attach(struct xport *x)
{
	struct shm_priv *p = x->priv;

	p->tx = p->rings[x->side == SIDE_A ? 0 : 1];
	p->rx = p->rings[x->side == SIDE_A ? 1 : 0];
	return 0;
}

static void copy_in(struct spin_ring *r, uint64_t pos, const void *src,
		    size_t len)
{
	uint64_t off = pos & (r->size - 1), first = r->size - off;

	if (first >= len) {
		memcpy(r->data + off, src, len);
	} else {
		memcpy(r->data + off, src, first);
		memcpy(r->data, (const char *)src + first, len - first);
	}
}

static void copy_out(struct spin_ring *r, uint64_t pos, void *dst, size_t len)
{
	uint64_t off = pos & (r->size - 1), first = r->size - off;

	if (first >= len) {
		memcpy(dst, r->data + off, len);
	} else {
		memcpy(dst, r->data + off, first);
		memcpy((char *)dst + first, r->data, len - first);
	}
}

static int shm_send(struct xport *x, const void *buf, size_t len)
{
	struct shm_priv *p = x->priv;
	struct spin_ring *r = p->tx;
	uint64_t total = (8 + len + 7) & ~7ULL;
	uint64_t head = r->head, hdr = len;

	while (head + total - p->cached_tail > r->size) {
		p->cached_tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (head + total - p->cached_tail <= r->size)
			break;
		relax();
	}
	copy_in(r, head + 8, buf, len);
	copy_in(r, head, &hdr, 8);
	__atomic_store_n(&r->head, head + total, __ATOMIC_RELEASE);
	return 0;
}

static long shm_recv(struct xport *x, void *buf, size_t cap)
{
	struct shm_priv *p = x->priv;
	struct spin_ring *r = p->rx;
	uint64_t tail = r->tail, hdr;

	while (tail == p->cached_head) {
		p->cached_head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		if (tail != p->cached_head)
			break;
		relax();
	}
	copy_out(r, tail, &hdr, 8);
	if (hdr > cap)
		return -EMSGSIZE;
	copy_out(r, tail + 8, buf, hdr);
	__atomic_store_n(&r->tail, tail + ((8 + hdr + 7) & ~7ULL),
			 __ATOMIC_RELEASE);
	return hdr;
}

static void shm_detach(struct xport *x)
{
	(void)x;
}

static void shm_teardown(struct xport *x)
{
	struct shm_priv *p = x->priv;

	munmap(p->rings[0], p->map_len);
	munmap(p->rings[1], p->map_len);
	free(p);
}

const struct transport transport_shm_spin = {
	.name = "shm-spin",
	.desc = "plain shared-memory SPSC ring, spinning (the limit)",
	.copies = 2,
	.setup = shm_setup,
	.attach = shm_attach,
	.send = shm_send,
	.recv = shm_recv,
	.detach = shm_detach,
	.teardown = shm_teardown,
};
