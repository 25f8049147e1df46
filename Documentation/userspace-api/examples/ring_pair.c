// SPDX-License-Identifier: MIT
/*
 * A producer and a consumer sharing a ramchan ring.
 *
 * Build it from the top of the ramchan tree, as written (nothing to
 * install; tools/install-test runs this line, and the pkg-config one
 * against a make install DESTDIR tree):
 *
 *   cc -O2 -I uapi -I tools/lib -o ring_pair Documentation/userspace-api/examples/ring_pair.c tools/lib/ramchan.c
 *
 * or, anywhere, against an installed libramchan (make install, or
 * make -C tools install; for a DESTDIR tree set PKG_CONFIG_SYSROOT_DIR and
 * PKG_CONFIG_PATH to it, and LD_LIBRARY_PATH to run):
 *
 *   cc -O2 -o ring_pair ring_pair.c $(pkg-config --cflags --libs ramchan)
 *
 *   ./ring_pair        (with /dev/ramchan accessible)
 *
 * The parent creates a 64 KiB ring, derives a producer-only and a
 * consumer-only fd from it, forks, and streams 1000 greetings to the
 * child. The child sees EOF (-EPIPE) once the producer is gone and the
 * ring is drained. No syscall is made per record while both are awake.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ramchan.h"

int main(void)
{
	int ctl, fd, prod, cons, n, i;
	struct ramchan_ring r;
	char buf[64];

	ctl = ramchan_open_dev();
	if (ctl < 0) {
		fprintf(stderr, "/dev/ramchan: %s\n", strerror(-ctl));
		return 1;
	}
	fd = ramchan_ring_create(ctl, NULL, 64 * 1024, 0, RAMCHAN_ROLE_BOTH, 0);
	if (fd < 0) {
		fprintf(stderr, "create: %s\n", strerror(-fd));
		return 1;
	}
	prod = ramchan_chan_dup(fd, RAMCHAN_ROLE_PRODUCER, 0);
	cons = ramchan_chan_dup(fd, RAMCHAN_ROLE_CONSUMER, 0);
	close(fd);
	close(ctl);

	if (fork() == 0) {			/* consumer */
		close(prod);
		ramchan_ring_map(&r, cons);
		ramchan_ring_set_spin(&r, 20000);	/* 20 us, then sleep */
		while ((n = ramchan_ring_recv(&r, buf, sizeof(buf) - 1, 0)) >= 0) {
			buf[n] = 0;
			if (!strcmp(buf, "hello 999"))
				printf("consumer: got '%s'\n", buf);
		}
		printf("consumer: %s\n", n == -EPIPE ? "end of stream" : strerror(-n));
		_exit(0);
	}

	close(cons);				/* producer */
	ramchan_ring_map(&r, prod);
	for (i = 0; i < 1000; i++) {
		n = snprintf(buf, sizeof(buf), "hello %d", i);
		ramchan_ring_send(&r, buf, n, 0);	/* blocks while full */
	}
	ramchan_ring_unmap(&r);
	close(prod);				/* the consumer sees EOF */
	wait(NULL);
	return 0;
}
