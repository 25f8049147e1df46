// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan CLI: what the commands share (cli.h): the version string and
 * the wording of errors about the device.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/ramchan.h>

#include "cli.h"

#ifndef RAMCHAN_VERSION
#define RAMCHAN_VERSION "unknown"
#endif

#define STR_(x)	#x
#define STR(x)	STR_(x)

const char cli_version[] = "ramchan " RAMCHAN_VERSION
			   " (built for ABI " STR(RAMCHAN_ABI_VERSION) ")";

int cli_error(const char *what, int err)
{
	fprintf(stderr, "ramchan: %s: %s\n", what, strerror(err));
	if (err == ENOENT)
		fprintf(stderr, "ramchan: is the module loaded? try: modprobe ramchan\n");
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "ramchan: no permission: see the udev rule in Documentation/admin-guide/ramchan.rst\n");
	return 1;
}
