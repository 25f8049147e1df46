// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libramchan: ioctl wrappers, ring mapping and the blocking helpers.
 * The names and parsers of the kernel <-> tools contract are in contract.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* clock_gettime(), CLOCK_MONOTONIC under any -std= */
#endif
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ramchan.h"

uint64_t ramchan_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int ramchan_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

int ramchan_open_dev(void)
{
	int fd = open("/dev/ramchan", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int ramchan_get_info(int ctl, struct ramchan_info *info)
{
	memset(info, 0, sizeof(*info));
	return ramchan_ioctl(ctl, RAMCHAN_IOC_INFO, info);
}

int ramchan_ring_create(int ctl, const char *name, uint64_t size,
			unsigned int mode, unsigned int role,
			unsigned int flags)
{
	struct ramchan_create args = {
		.kind = RAMCHAN_KIND_RING,
		.flags = flags,
		.size = size,
		.name = (uintptr_t)name,
		.mode = mode,
		.role = role,
	};

	return ramchan_ioctl(ctl, RAMCHAN_IOC_CREATE, &args);
}

int ramchan_ring_create_opts(int ctl, const struct ramchan_ring_opts *o)
{
	size_t i;

	/* Zero now, so that a later library can give the fields a meaning. */
	for (i = 0; i < sizeof(o->reserved) / sizeof(o->reserved[0]); i++)
		if (o->reserved[i])
			return -EINVAL;
	return ramchan_ring_create(ctl, o->name, o->size, o->mode, o->role,
				   o->flags);
}

int ramchan_chan_open(int ctl, const char *name, unsigned int role,
		      unsigned int flags)
{
	struct ramchan_open args = {
		.name = (uintptr_t)name,
		.role = role,
		.flags = flags,
	};

	return ramchan_ioctl(ctl, RAMCHAN_IOC_OPEN, &args);
}

int ramchan_chan_unlink(int ctl, const char *name)
{
	struct ramchan_unlink args = { .name = (uintptr_t)name };

	return ramchan_ioctl(ctl, RAMCHAN_IOC_UNLINK, &args);
}

int ramchan_chan_dup(int fd, unsigned int role, unsigned int flags)
{
	struct ramchan_dup args = { .role = role, .flags = flags };

	return ramchan_ioctl(fd, RAMCHAN_IOC_DUP, &args);
}

int ramchan_ring_layout(int fd, struct ramchan_ring_layout *layout)
{
	memset(layout, 0, sizeof(*layout));
	return ramchan_ioctl(fd, RAMCHAN_IOC_RING_LAYOUT, layout);
}

int ramchan_ring_wait_fd(int fd, unsigned int what, uint64_t expected,
			 uint64_t deadline_ns, uint32_t *events)
{
	struct ramchan_wait w = {
		.what = what,
		.expected = expected,
		.deadline_ns = deadline_ns,
	};
	int ret;

	ret = ramchan_ioctl(fd, RAMCHAN_IOC_WAIT, &w);
	if (!ret && events)
		*events = w.events;
	return ret;
}

int ramchan_ring_wake_fd(int fd, unsigned int who)
{
	int ret = ioctl(fd, RAMCHAN_IOC_WAKE, (unsigned long)who);

	return ret < 0 ? -errno : 0;
}

static void *ramchan_map(int fd, uint64_t offset, uint64_t len, bool writable)
{
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);

	return mmap(NULL, len, prot, MAP_SHARED, fd, offset);
}

void ramchan_ring_unmap(struct ramchan_ring *r)
{
	if (r->info)
		munmap((void *)r->info, r->info_len);
	if (r->prod)
		munmap(r->prod, r->prod_len);
	if (r->cons)
		munmap(r->cons, r->cons_len);
	if (r->data)
		munmap(r->data, r->data_len);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

/*
 * A position the kernel published at @offset within a mapped page of
 * @page_len bytes: 8-byte aligned, with room for the u64 inside the page.
 */
static bool ramchan_position_ok(uint32_t offset, uint64_t page_len)
{
	return !(offset % sizeof(uint64_t)) && offset < page_len &&
	       page_len - offset >= sizeof(uint64_t);
}

static uint64_t *ramchan_position(void *page, uint32_t offset)
{
	return (uint64_t *)((uint8_t *)page + offset);
}

/* Can this library work with @l? Checked before anything is mapped. */
static bool ramchan_layout_ok(const struct ramchan_ring_layout *l)
{
	return l->size >= RAMCHAN_REC_HDR_SIZE && !(l->size & (l->size - 1)) &&
	       l->size <= UINT64_MAX / 2 && l->data_map_size == 2 * l->size &&
	       l->info_size >= sizeof(struct ramchan_ring_info) &&
	       l->consumer_size >= sizeof(struct ramchan_ring_consumer) &&
	       ramchan_position_ok(l->head_offset, l->producer_size) &&
	       ramchan_position_ok(l->reserve_offset, l->producer_size) &&
	       ramchan_position_ok(l->tail_offset, l->consumer_size);
}

/* Map the four regions with the permissions the fd's role allows. */
int ramchan_ring_map(struct ramchan_ring *r, int fd)
{
	struct ramchan_ring_layout l;
	bool producer, consumer;
	void *p;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	ret = ramchan_ring_layout(fd, &l);
	if (ret)
		return ret;
	if (!ramchan_layout_ok(&l))
		return -EPROTO;
	producer = l.role & RAMCHAN_ROLE_PRODUCER;
	consumer = l.role & RAMCHAN_ROLE_CONSUMER;
	r->role = l.role;
	r->size = l.size;
	r->mask = l.size - 1;

	p = ramchan_map(fd, l.info_offset, l.info_size, false);
	if (p == MAP_FAILED)
		goto err;
	r->info = p;
	r->info_len = l.info_size;
	p = ramchan_map(fd, l.producer_offset, l.producer_size, producer);
	if (p == MAP_FAILED)
		goto err;
	r->prod = p;
	r->prod_len = l.producer_size;
	p = ramchan_map(fd, l.consumer_offset, l.consumer_size, consumer);
	if (p == MAP_FAILED)
		goto err;
	r->cons = p;
	r->cons_len = l.consumer_size;
	p = ramchan_map(fd, l.data_offset, l.data_map_size, producer);
	if (p == MAP_FAILED)
		goto err;
	r->data = p;
	r->data_len = l.data_map_size;

	r->head = ramchan_position(r->prod, l.head_offset);
	r->reserve = ramchan_position(r->prod, l.reserve_offset);
	r->tail = ramchan_position(r->cons, l.tail_offset);
	r->cached_tail = __atomic_load_n(r->tail, __ATOMIC_ACQUIRE);
	r->cursor = r->cached_tail;
	r->released = r->cached_tail;
	r->cached_head = r->cached_tail;
	r->spin_ns = 0;
	return 0;
err:
	ret = -errno;
	ramchan_ring_unmap(r);
	return ret;
}

/* Spin until @ready says yes or r->spin_ns passes; true when ready. */
#define RAMCHAN_SPIN(r, ready)						\
({									\
	bool __ok = (ready);						\
	if (!__ok && (r)->spin_ns) {					\
		uint64_t __end = ramchan_now_ns() + (r)->spin_ns;	\
		unsigned int __i = 0;					\
		while (!(__ok = (ready))) {				\
			ramchan_cpu_relax();				\
			if (!(++__i & 63) && ramchan_now_ns() >= __end)	\
				break;					\
		}							\
	}								\
	__ok;								\
})

int ramchan_ring_reserve_wait(struct ramchan_ring *r, uint32_t len,
			      struct ramchan_resv *resv, uint64_t deadline_ns)
{
	uint64_t tail;
	int ret;

	for (;;) {
		ret = ramchan_ring_reserve(r, len, resv);
		if (ret != -EAGAIN)
			return ret;
		tail = r->cached_tail;
		if (RAMCHAN_SPIN(r, __atomic_load_n(r->tail,
						    __ATOMIC_RELAXED) != tail))
			continue;
		/*
		 * The kernel counts us in writers_waiting, fences and
		 * re-checks the tail before sleeping [P3].
		 */
		ret = ramchan_ring_wait_fd(r->fd, RAMCHAN_WAIT_WRITABLE, tail,
					   deadline_ns, NULL);
		if (ret)
			return ret;
	}
}

int ramchan_ring_peek_wait(struct ramchan_ring *r, struct ramchan_rec *rec,
			   uint64_t deadline_ns)
{
	uint64_t head;
	int ret;

	for (;;) {
		ret = ramchan_ring_peek(r, rec);
		if (ret != -EAGAIN)
			return ret;
		/* Producers only wake a consumer whose tail caught up. */
		ramchan_ring_release(r);
		head = r->cached_head;
		if (RAMCHAN_SPIN(r, __atomic_load_n(r->head,
						    __ATOMIC_RELAXED) != head))
			continue;
		ret = ramchan_ring_wait_fd(r->fd, RAMCHAN_WAIT_READABLE, head,
					   deadline_ns, NULL);
		if (ret)
			return ret;
	}
}

int ramchan_ring_send(struct ramchan_ring *r, const void *buf, uint32_t len,
		      uint64_t deadline_ns)
{
	struct ramchan_resv resv;
	int ret;

	ret = ramchan_ring_reserve_wait(r, len, &resv, deadline_ns);
	if (ret)
		return ret;
	memcpy(resv.data, buf, len);
	ramchan_ring_commit(r, &resv);
	return 0;
}

int ramchan_ring_recv(struct ramchan_ring *r, void *buf, uint32_t cap,
		      uint64_t deadline_ns)
{
	struct ramchan_rec rec;
	int ret;

	ret = ramchan_ring_peek_wait(r, &rec, deadline_ns);
	if (ret)
		return ret;
	if (rec.len > cap)
		return -EMSGSIZE;
	memcpy(buf, rec.data, rec.len);
	ramchan_ring_consume(r, &rec);
	return rec.len;
}

/* ---- message queues ------------------------------------------------------ */

int ramchan_mq_create(int ctl, const struct ramchan_mq_opts *o)
{
	struct ramchan_create args;
	size_t i;

	/* Zero now, so that a later library can give the fields a meaning. */
	for (i = 0; i < sizeof(o->reserved) / sizeof(o->reserved[0]); i++)
		if (o->reserved[i])
			return -EINVAL;
	args = (struct ramchan_create){
		.kind = RAMCHAN_KIND_MQ,
		.flags = o->flags,
		.size = o->msg_size,
		.name = (uintptr_t)o->name,
		.mode = o->mode,
		.role = o->role,
		.mq_depth = o->depth,
		.mq_overflow = o->overflow,
		.mq_spin_us = o->spin_us,
	};

	return ramchan_ioctl(ctl, RAMCHAN_IOC_CREATE, &args);
}

int ramchan_mq_send_spin(int fd, const void *buf, uint32_t len,
			 uint32_t prio, unsigned int flags, uint32_t spin_us,
			 uint64_t deadline_ns)
{
	struct ramchan_mq_msg m = {
		.buf = (uintptr_t)buf,
		.len = len,
		.prio = prio,
		.flags = flags,
		.spin_us = spin_us,
		.deadline_ns = deadline_ns,
	};

	return ramchan_ioctl(fd, RAMCHAN_IOC_MQ_SEND, &m);
}

int ramchan_mq_send(int fd, const void *buf, uint32_t len, uint32_t prio,
		    unsigned int flags, uint64_t deadline_ns)
{
	return ramchan_mq_send_spin(fd, buf, len, prio, flags, 0, deadline_ns);
}

int ramchan_mq_recv_spin(int fd, void *buf, uint32_t cap, uint32_t *prio,
			 unsigned int flags, uint32_t spin_us,
			 uint64_t deadline_ns)
{
	struct ramchan_mq_msg m = {
		.buf = (uintptr_t)buf,
		.len = cap,
		.flags = flags,
		.spin_us = spin_us,
		.deadline_ns = deadline_ns,
	};
	int ret;

	ret = ramchan_ioctl(fd, RAMCHAN_IOC_MQ_RECV, &m);
	if (ret >= 0 && prio)
		*prio = m.prio;
	return ret;
}

int ramchan_mq_recv(int fd, void *buf, uint32_t cap, uint32_t *prio,
		    unsigned int flags, uint64_t deadline_ns)
{
	return ramchan_mq_recv_spin(fd, buf, cap, prio, flags, 0, deadline_ns);
}

static int ramchan_mq_batch(int fd, unsigned long cmd,
			    struct ramchan_mq_vec *vec, unsigned int count,
			    unsigned int flags, uint64_t deadline_ns)
{
	struct ramchan_mq_batch b = {
		.vec = (uintptr_t)vec,
		.count = count,
		.flags = flags,
		.deadline_ns = deadline_ns,
	};

	return ramchan_ioctl(fd, cmd, &b);
}

int ramchan_mq_send_batch(int fd, struct ramchan_mq_vec *vec,
			  unsigned int count, unsigned int flags,
			  uint64_t deadline_ns)
{
	return ramchan_mq_batch(fd, RAMCHAN_IOC_MQ_SEND_BATCH, vec, count,
				flags, deadline_ns);
}

int ramchan_mq_recv_batch(int fd, struct ramchan_mq_vec *vec,
			  unsigned int count, unsigned int flags,
			  uint64_t deadline_ns)
{
	return ramchan_mq_batch(fd, RAMCHAN_IOC_MQ_RECV_BATCH, vec, count,
				flags, deadline_ns);
}

int ramchan_mq_getattr(int fd, struct ramchan_mq_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	return ramchan_ioctl(fd, RAMCHAN_IOC_MQ_GETATTR, attr);
}

int ramchan_mq_setattr(int fd, unsigned int set, uint32_t flags,
		       uint32_t spin_us, struct ramchan_mq_attr *old)
{
	struct ramchan_mq_attr a = {
		.set = set,
		.flags = flags,
		.spin_us = spin_us,
	};
	int ret;

	ret = ramchan_ioctl(fd, RAMCHAN_IOC_MQ_SETATTR, &a);
	if (!ret && old)
		*old = a;
	return ret;
}

int ramchan_mq_notify(int fd, int eventfd)
{
	struct ramchan_mq_notify n = { 0 };

	if (eventfd < 0)
		n.flags = RAMCHAN_MQ_NOTIFY_CLEAR;
	else
		n.fd = eventfd;
	return ramchan_ioctl(fd, RAMCHAN_IOC_MQ_NOTIFY, &n);
}
