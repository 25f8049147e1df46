// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan CLI: waiting until SIGINT or SIGTERM (wait_stop.h). The signals
 * are blocked from stop_arm() on and let through only inside ppoll(), so
 * a stop that comes while the command works ends the next wait at once.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "wait_stop.h"

static volatile sig_atomic_t stop_flag;
static sigset_t stop_open_mask;		/* the mask while waiting */

static void stop_handler(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void stop_arm(void)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop_handler;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &stop_open_mask);
	sigdelset(&stop_open_mask, SIGINT);
	sigdelset(&stop_open_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool stop_requested(void)
{
	return stop_flag;
}

int stop_wait(int fd, uint64_t timeout_ns)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec ts, *tsp = NULL;
	int ret;

	if (timeout_ns != UINT64_MAX) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		tsp = &ts;
	}
	if (stop_flag)
		return -1;
	ret = ppoll(&pfd, fd >= 0, tsp, &stop_open_mask);
	if (ret < 0 && errno == EINTR)
		return stop_flag ? -1 : 0;
	if (ret < 0)
		return -errno;
	if (stop_flag)
		return -1;
	/* POLLERR too: the read says what (ENOBUFS: events were dropped). */
	return ret > 0;
}
