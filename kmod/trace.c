// SPDX-License-Identifier: GPL-2.0
/*
 * The ramchan tracepoints' definitions (kmod/trace.h describes them). The
 * other files include trace.h only for the trace_ramchan_*() calls.
 */
#include <linux/ramchan.h>

#define CREATE_TRACE_POINTS
#include "trace.h"
