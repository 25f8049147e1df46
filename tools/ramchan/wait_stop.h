/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan CLI: the commands that run until stopped (monitor, top) end
 * cleanly on SIGINT and SIGTERM. wait_stop.c owns those signals: they are
 * blocked but while waiting, so that a stop is never missed between a
 * test and a wait, and it owns the waits.
 */
#ifndef RAMCHAN_CLI_WAIT_STOP_H
#define RAMCHAN_CLI_WAIT_STOP_H

#include <stdbool.h>
#include <stdint.h>

/* Catch SIGINT and SIGTERM from now on: they end the waits below. */
void stop_arm(void);
/* SIGINT or SIGTERM came. */
bool stop_requested(void);
/*
 * Wait until @fd is readable (@fd < 0: none) or @timeout_ns passed
 * (UINT64_MAX: no timeout), or a stop. Return 1 (readable, or in
 * error: read it), 0 (timed out, or another caught signal), -1
 * (stopped), or -errno.
 */
int stop_wait(int fd, uint64_t timeout_ns);

#endif /* RAMCHAN_CLI_WAIT_STOP_H */
