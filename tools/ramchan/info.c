// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan info: what the loaded module offers (RAMCHAN_IOC_INFO).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ramchan.h>

#include "cli.h"

static const struct {
	uint64_t bit;
	const char *name;
} features[] = {
	{ RAMCHAN_FEATURE_SYSFS, "sysfs" },
};

#define NR_FEATURES (sizeof(features) / sizeof(features[0]))

int cmd_info(const struct cli_opts *opts, int argc, char **argv)
{
	struct ramchan_info info;
	const char *sep = "";
	size_t i;
	int fd;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "ramchan info: takes no arguments\n");
		return 2;
	}
	fd = open(opts->dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_error(opts->dev, errno);
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, RAMCHAN_IOC_INFO, &info)) {
		close(fd);
		return cli_error("RAMCHAN_IOC_INFO", errno);
	}
	close(fd);

	if (opts->json) {
		printf("{\"abi_version\": %u, \"features\": [", info.abi_version);
		for (i = 0; i < NR_FEATURES; i++) {
			if (info.features & features[i].bit) {
				printf("%s\"%s\"", sep, features[i].name);
				sep = ", ";
			}
		}
		printf("], \"features_mask\": %" PRIu64
		       ", \"max_ring_bytes\": %" PRIu64
		       ", \"max_channels\": %u, \"max_channels_per_user\": %u"
		       ", \"name_max\": %u, \"page_size\": %u}\n",
		       (uint64_t)info.features, (uint64_t)info.max_ring_bytes,
		       info.max_channels, info.max_channels_per_user,
		       info.name_max, info.page_size);
		return 0;
	}

	printf("ABI version            %u%s\n", info.abi_version,
	       info.abi_version == RAMCHAN_ABI_VERSION ? "" :
	       " (this tool was built for another ABI version)");
	printf("features               ");
	for (i = 0; i < NR_FEATURES; i++)
		if (info.features & features[i].bit)
			printf("%s ", features[i].name);
	printf("(%#" PRIx64 ")\n", (uint64_t)info.features);
	printf("max ring size          %" PRIu64 " bytes\n",
	       (uint64_t)info.max_ring_bytes);
	printf("max channels           %u (per user %u)\n", info.max_channels,
	       info.max_channels_per_user);
	printf("max name length        %u\n", info.name_max);
	printf("page size              %u\n", info.page_size);
	return 0;
}
