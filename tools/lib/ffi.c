// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libramchan: the inline fast path of ramchan.h as real functions, for
 * callers that cannot compile C (ctypes and other FFIs, dlsym()): with
 * RAMCHAN_INLINE empty, each function the header marks with it is defined
 * here once, external, with the same name. liburing's ffi.c is the model.
 * A C caller that includes ramchan.h still gets its own inline copies:
 * those are static, so they and these never clash, statically linked or
 * not.
 */
#define RAMCHAN_INLINE
#include "ramchan.h"

/*
 * The inline fast path reads struct ramchan_ring in the caller's code:
 * on 64-bit its size is ABI, and new fields take the place of reserved[].
 * tools/lib/abi/check-abi checks the rest of the layout.
 */
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(struct ramchan_ring) == 256,
	       "struct ramchan_ring: take new fields from reserved[]");
_Static_assert(sizeof(struct ramchan_resv) == 32 &&
	       sizeof(struct ramchan_rec) == 32,
	       "struct ramchan_resv, ramchan_rec: 32 bytes");
_Static_assert(sizeof(struct ramchan_mq_opts) == 64,
	       "struct ramchan_mq_opts: take new fields from reserved[]");
_Static_assert(sizeof(struct ramchan_ring_opts) == 56,
	       "struct ramchan_ring_opts: take new fields from reserved[]");
_Static_assert(sizeof(struct ramchan_fdinfo) == 48,
	       "struct ramchan_fdinfo: take new fields from reserved[]");
#endif
