/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan-bench messages (message.c): what the workloads send, and sending
 * and receiving one verified message over a transport.
 */
#ifndef RAMCHAN_BENCH_MESSAGE_H
#define RAMCHAN_BENCH_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/* Marks the last message of a run (its sequence number). */
#define SEQ_STOP	0xffffffffu

/*
 * Send message @seq (or the STOP mark) of @size bytes: built in place where
 * the transport can reserve room in its buffer, else built in @buf and
 * sent. 0 or -errno.
 */
int xsend(struct xport *x, uint8_t *buf, size_t size, uint32_t seq);
/*
 * Receive the next message and verify it is message @seq: 0 when it is,
 * 1 when it is the STOP mark, -EPROTO when it is not intact, or the
 * transport's -errno. With @echo, send it back as it is. Read in place
 * where the transport can, else copied into @buf.
 */
int xrecv(struct xport *x, uint8_t *buf, size_t size, uint32_t seq,
	  bool echo);

#endif /* RAMCHAN_BENCH_MESSAGE_H */
