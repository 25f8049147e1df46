// SPDX-License-Identifier: GPL-2.0
/*
 * tools/soak/crc32c.c: CRC32C (Castagnoli, reflected 0x82f63b78), with the
 * SSE4.2 crc32 instruction where the CPU has it and a table otherwise.
 * Both give the same value; the check value of "123456789" is 0xe3069283.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "soak.h"

static uint32_t table[256];
static int have_hw = -1;

static void init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78 : c >> 1;
		table[i] = c;
	}
#if defined(__x86_64__)
	__builtin_cpu_init();
	have_hw = __builtin_cpu_supports("sse4.2");
#else
	have_hw = 0;
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc_hw(uint32_t crc, const unsigned char *p, size_t len)
{
	uint64_t c = crc, v;

	while (len >= 8) {
		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return (uint32_t)c;
}
#endif

/* CRC32C of @buf, continuing @crc (start with 0). */
uint32_t soak_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (have_hw < 0)
		init();
	crc = ~crc;
#if defined(__x86_64__)
	if (have_hw)
		return ~crc_hw(crc, p, len);
#endif
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

const char *soak_crc32c_impl(void)
{
	if (have_hw < 0)
		init();
	return have_hw ? "sse4.2" : "table";
}
