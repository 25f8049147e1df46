// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan info: what the loaded module offers (RAMCHAN_IOC_INFO): its ABI
 * version, every feature bit (by the names libramchan gives them, unknown
 * ones in hex) and every limit of struct ramchan_info, for humans or as
 * JSON; and its global counters when its netlink family answers
 * stats-get (nl.h), without a word when it does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ramchan.h"
#include "../common/opts.h"
#include "../common/jsonout.h"
#include "cli.h"
#include "nl.h"
#include "nl_attr.h"

struct info_args {
	struct cli_opts common;
};

static const struct cli_opt info_opts[] = {
	{ "json", 'j', CLI_OPT_FLAG, offsetof(struct info_args, common.json),
	  NULL, "JSON: the ABI version, features, every limit, the counters" },
	{ "device", 'd', CLI_OPT_STRING, offsetof(struct info_args, common.dev),
	  "PATH", "control device (default /dev/ramchan)" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static void info_more_help(FILE *f)
{
	const struct ramchan_feature *ft = NULL;

	fprintf(f, "\nfeatures this tool knows:\n");
	while ((ft = ramchan_feature_next(ft)))
		fprintf(f, "  %-6s  %#" PRIx64 "  %s\n", ft->name, ft->bit,
			ft->help);
}

static const struct cli_spec info_spec = {
	.prog = "ramchan info",
	.usage = "[--json] [--device PATH]",
	.summary = "What the loaded module offers: its ABI version, its features and\n"
		   "its limits (RAMCHAN_IOC_INFO).",
	.opts = info_opts,
	.version = cli_version,
	.more_help = info_more_help,
};

/* Name of feature bit @bit: the library's, or the bit in hex. */
static const char *info_feature(uint64_t bit, char *buf, size_t size)
{
	const char *name = ramchan_feature_name(bit);

	if (name)
		return name;
	snprintf(buf, size, "%#" PRIx64, bit);
	return buf;
}

/* The global counters (stats-get); false when netlink cannot tell. */
static bool info_stats(struct rcnl_stats *st)
{
	struct rcnl *nl = rcnl_open("ramchan info", true);
	bool ok = nl && !rcnl_stats_get(nl, st);

	rcnl_close(nl);
	return ok;
}

static int info_json(const struct ramchan_info *info)
{
	struct json_object *root = jout_object(), *features = jout_array();
	const struct ramchan_limit *l = NULL;
	struct rcnl_stats st;
	char hex[24];
	int bit;

	jout_set(root, "abi_version", jout_u64(info->abi_version));
	for (bit = 0; bit < 64; bit++)
		if (info->features & (1ULL << bit))
			jout_push(features, jout_str(info_feature(1ULL << bit, hex,
								  sizeof(hex))));
	jout_set(root, "features", features);
	jout_set(root, "features_mask", jout_u64(info->features));
	while ((l = ramchan_limit_next(l)))
		jout_set(root, l->name, jout_u64(ramchan_limit_value(info, l)));
	if (info_stats(&st))
		jout_set(root, "stats", rcnl_stats_json(&st));
	return jout_print(stdout, root, false);
}

/* The counters of stats-get for humans (the ABI version is above). */
static const struct {
	int attr;
	const char *title;
	const char *unit;
} info_stats_titles[] = {
	{ RAMCHAN_A_STATS_CHANNELS, "live channels", "channels" },
	{ RAMCHAN_A_STATS_BYTES_HELD, "RAM held", "bytes" },
	{ RAMCHAN_A_STATS_OPEN_FILES, "open files", "files" },
	{ RAMCHAN_A_STATS_OPENS, "opens since load", "opens" },
};

static void info_human(const struct ramchan_info *info)
{
	const struct ramchan_limit *l = NULL;
	int width = strlen("ABI version");
	struct rcnl_stats st;
	char hex[24];
	size_t k;
	int bit;

	while ((l = ramchan_limit_next(l)))
		if ((int)strlen(l->title) > width)
			width = strlen(l->title);
	printf("%-*s  %u%s\n", width, "ABI version", info->abi_version,
	       info->abi_version == RAMCHAN_ABI_VERSION ? "" :
	       " (this tool was built for another ABI version)");
	printf("%-*s  ", width, "features");
	for (bit = 0; bit < 64; bit++)
		if (info->features & (1ULL << bit))
			printf("%s ", info_feature(1ULL << bit, hex, sizeof(hex)));
	printf("(%#" PRIx64 ")\n", (uint64_t)info->features);
	while ((l = ramchan_limit_next(l)))
		printf("%-*s  %" PRIu64 " %s\n", width, l->title,
		       ramchan_limit_value(info, l), l->unit);
	if (!info_stats(&st))
		return;
	for (k = 0; k < sizeof(info_stats_titles) / sizeof(info_stats_titles[0]); k++)
		if (st.present & (1ULL << info_stats_titles[k].attr))
			printf("%-*s  %" PRIu64 " %s\n", width,
			       info_stats_titles[k].title,
			       st.v[info_stats_titles[k].attr],
			       info_stats_titles[k].unit);
}

int cmd_info(const struct cli_opts *opts, int argc, char **argv)
{
	struct info_args args = { .common = *opts };
	struct ramchan_info info;
	int fd, ret;

	ret = cli_parse(&info_spec, argc, argv, &args);
	if (ret != CLI_CONTINUE)
		return ret;
	fd = open(args.common.dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_error(args.common.dev, errno);
	ret = ramchan_get_info(fd, &info);
	close(fd);
	if (ret)
		return cli_error("RAMCHAN_IOC_INFO", -ret);

	if (args.common.json)
		ret = info_json(&info);
	else
		info_human(&info);
	if (ret || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ramchan info: writing the output: %s\n",
			strerror(ret ? -ret : errno));
		return 1;
	}
	return 0;
}
