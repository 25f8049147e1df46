// SPDX-License-Identifier: GPL-2.0
/*
 * Byte-stream helpers for the transports that carry messages over a
 * stream (pipe, FIFO, stream sockets): the workload knows each message's
 * length, so a message is written whole and read back exactly.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport.h"

int fd_write_all(int fd, const void *buf, size_t len, bool sock)
{
	const char *c = buf;
	ssize_t n;

	while (len) {
		/* A socket says EPIPE rather than raising SIGPIPE. */
		n = sock ? send(fd, c, len, MSG_NOSIGNAL) : write(fd, c, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += n;
		len -= n;
	}
	return 0;
}

long fd_read_exact(int fd, void *buf, size_t len, bool sock)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = sock ? recv(fd, (char *)buf + got, len - got, MSG_WAITALL) :
			   read(fd, (char *)buf + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			return -EPIPE;		/* the peer is gone */
		got += n;
	}
	return got;
}
