// SPDX-License-Identifier: GPL-2.0
/* PLACEHOLDER: being written. */
#include <errno.h>
#include <stdio.h>
#include "transport.h"

static int todo_setup(struct xport *x, char *why, size_t why_len)
{
	(void)x;
	snprintf(why, why_len, "not implemented yet");
	return -ENOTSUP;
}

const struct transport transport_file = { .name = "file", .desc = "TODO", .setup = todo_setup };
