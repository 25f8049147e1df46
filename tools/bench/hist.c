// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench latency histogram, in the style of HdrHistogram: exact
 * below 128, then 64 sub-buckets per power of two (1.6% resolution) up to
 * 2^64, so that a run of any length keeps every sample in fixed memory and
 * its percentiles (p50 to the maximum) are read in one pass.
 */
#include <stdlib.h>

#include "hist.h"

#define HIST_SUB_BITS	6
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_LINEAR	(2 * HIST_SUB)		/* exact below this */
#define HIST_BUCKETS	(HIST_LINEAR + (63 - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t count[HIST_BUCKETS];
	uint64_t total, max;
	double sum;
};

struct hist *hist_new(void)
{
	return calloc(1, sizeof(struct hist));
}

void hist_free(struct hist *h)
{
	free(h);
}

static unsigned int hist_index(uint64_t v)
{
	unsigned int e, shift;

	if (v < HIST_LINEAR)
		return v;
	e = 63 - __builtin_clzll(v);		/* >= HIST_SUB_BITS + 1 */
	shift = e - HIST_SUB_BITS;
	return HIST_LINEAR + (e - HIST_SUB_BITS - 1) * HIST_SUB +
	       (unsigned int)((v >> shift) - HIST_SUB);
}

/* The middle of bucket @i. */
static uint64_t hist_value(unsigned int i)
{
	unsigned int k, shift;

	if (i < HIST_LINEAR)
		return i;
	k = i - HIST_LINEAR;
	shift = k / HIST_SUB + 1;
	return ((uint64_t)(HIST_SUB + k % HIST_SUB) << shift) +
	       (1ULL << (shift - 1));
}

void hist_add(struct hist *h, uint64_t v)
{
	h->count[hist_index(v)]++;
	h->total++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

uint64_t hist_count(const struct hist *h)
{
	return h->total;
}

double hist_mean(const struct hist *h)
{
	return h->sum / h->total;
}

uint64_t hist_max(const struct hist *h)
{
	return h->max;
}

double hist_pct(const struct hist *h, double p)
{
	uint64_t rank = (uint64_t)(p * h->total + 0.999999), seen = 0;
	unsigned int i;

	if (!rank)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen >= rank)
			return hist_value(i) < h->max ? hist_value(i) : h->max;
	}
	return h->max;
}
