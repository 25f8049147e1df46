// SPDX-License-Identifier: GPL-2.0
/*
 * The limits: a plain shared-memory ring that spins (no kernel at all
 * after setup), single producer, single consumer, the same record format
 * as ramchan's ring (shm_ring.h), and memcpy (bench.c measures it in one
 * process).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "shm_ring.h"
#include "transport.h"

struct shm_priv {
	struct shm_ring *rings[2];	/* a2b, b2a */
	size_t map_len;
	struct shm_ring *tx, *rx;
	uint64_t cached_tail, cached_head;
};

static inline void relax(void)
{
	__builtin_ia32_pause();
}

static int shm_setup(struct xport *x, char *why, size_t why_len)
{
	struct shm_priv *p = calloc(1, sizeof(*p));
	uint64_t size = ring_bytes(x->max_msg);
	int i, ret;

	(void)why;
	(void)why_len;
	if (!p)
		return -ENOMEM;
	p->map_len = ring_map_len(size);
	for (i = 0; i < 2; i++) {
		p->rings[i] = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p->rings[i] == MAP_FAILED) {
			ret = -errno;
			if (i)
				munmap(p->rings[0], p->map_len);
			free(p);
			return ret;
		}
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

static int shm_send(struct xport *x, const void *buf, size_t len)
{
	struct shm_priv *p = x->priv;
	struct shm_ring *r = p->tx;
	uint64_t total = ring_record(len);

	while (!ring_room(r, &p->cached_tail, total))
		relax();
	ring_put(r, buf, len);
	return 0;
}

static long shm_recv(struct xport *x, void *buf, size_t cap)
{
	struct shm_priv *p = x->priv;
	struct shm_ring *r = p->rx;

	while (!ring_ready(r, &p->cached_head))
		relax();
	return ring_get(r, buf, cap);
}

static size_t shm_ram(const struct xport *x)
{
	const struct shm_priv *p = x->priv;

	return 2 * p->map_len;
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
	.ram = shm_ram,
	.detach = shm_detach,
	.teardown = shm_teardown,
};
