// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench messages: every message carries its sequence number and
 * length in its first 8 bytes, then a checksum of the body, so that the
 * receiver can tell a lost, reordered, short or corrupt message from a
 * good one. Sending and receiving use a transport's zero-copy path
 * (reserve/commit, peek/release) where it has one.
 */
#include <errno.h>
#include <string.h>

#include "message.h"

/* First 8 bytes: sequence (32 bits) and length; then a checksummed body. */
static void stamp(uint8_t *buf, size_t len, uint32_t seq)
{
	uint32_t hdr[2] = { seq, (uint32_t)len };
	uint64_t sum = 0;
	size_t i;

	memcpy(buf, hdr, len < 8 ? len : 8);
	if (len >= 16) {
		for (i = 16; i + 8 <= len; i += 8) {
			uint64_t w = seq * 0x9e3779b97f4a7c15ULL + i;

			memcpy(buf + i, &w, 8);
			sum += w;
		}
		memcpy(buf + 8, &sum, 8);
	}
}

static bool verify(const uint8_t *buf, long got, size_t len, uint32_t seq)
{
	uint32_t hdr[2];
	uint64_t sum = 0, want, w;
	size_t i;

	if (got != (long)len)
		return false;
	memcpy(hdr, buf, len < 8 ? len : 8);
	if (len >= 8 && (hdr[0] != seq || hdr[1] != len))
		return false;
	if (len >= 16) {
		for (i = 16; i + 8 <= len; i += 8) {
			memcpy(&w, buf + i, 8);
			sum += w;
		}
		memcpy(&want, buf + 8, 8);
		return sum == want;
	}
	return true;
}

static uint32_t seq_of(const uint8_t *buf)
{
	uint32_t seq;

	memcpy(&seq, buf, sizeof(seq));
	return seq;
}

int xsend(struct xport *x, uint8_t *buf, size_t size, uint32_t seq)
{
	void *data;
	int ret;

	if (x->t->reserve) {
		ret = x->t->reserve(x, size, &data);
		if (ret)
			return ret;
		stamp(data, size, seq);
		return x->t->commit(x);
	}
	stamp(buf, size, seq);
	return x->t->send(x, buf, size);
}

/* Send @data, a message just received, back as it is. */
static int echo_back(struct xport *x, const uint8_t *data, size_t size)
{
	void *out;
	int err;

	if (!x->t->reserve)
		return x->t->send(x, data, size);
	err = x->t->reserve(x, size, &out);
	if (err)
		return err;
	memcpy(out, data, size);
	return x->t->commit(x);
}

int xrecv(struct xport *x, uint8_t *buf, size_t size, uint32_t seq,
	  bool echo)
{
	const uint8_t *data = buf;
	int ret = 0;
	long n;

	if (x->t->peek)
		n = x->t->peek(x, (const void **)&data);
	else
		n = x->t->recv(x, buf, size);
	if (n < 0)
		return n;
	if (n == (long)size && seq_of(data) == SEQ_STOP)
		ret = 1;
	else if (!verify(data, n, size, seq))
		ret = -EPROTO;
	if (!ret && echo)
		ret = echo_back(x, data, size);
	if (x->t->peek)
		x->t->release(x);
	return ret;
}
