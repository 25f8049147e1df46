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

const struct transport transport_shm_futex = { .name = "shm-futex", .desc = "TODO", .setup = todo_setup };
const struct transport transport_shm_sem = { .name = "shm-sem", .desc = "TODO", .setup = todo_setup };
const struct transport transport_sysv_shm_sem = { .name = "sysv-shm-sem", .desc = "TODO", .setup = todo_setup };
const struct transport transport_eventfd_shm = { .name = "eventfd-shm", .desc = "TODO", .setup = todo_setup };
