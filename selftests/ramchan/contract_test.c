// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan contract selftests: the uapi header, the module and libramchan
 * (tools/lib/contract.c) say the same things, and the ramchan CLI says
 * them all.
 *
 *  - every RAMCHAN_FEATURE_* the header defines (uapi_features.h, which
 *    the Makefile extracts from the header) and every bit the module
 *    reports has a name in the library;
 *  - the limits the library lists cover every field of struct
 *    ramchan_info;
 *  - channel fds show the fdinfo lines ramchan_fdinfo_parse() reads, and
 *    the parser refuses what is malformed;
 *  - ramchan_ring_map() puts head, reserve and tail at the offsets
 *    RAMCHAN_IOC_RING_LAYOUT publishes;
 *  - `ramchan info` prints every feature and limit; every command answers
 *    --help and --version with status 0.
 *
 * The kernel tests skip without /dev/ramchan, the CLI tests without the
 * CLI ($RAMCHAN_CLI, or /usr/bin/ramchan).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ramchan.h"

#include "../kselftest_harness.h"

/* Every RAMCHAN_FEATURE_* of the uapi header, with its name. */
static const struct {
	uint64_t bit;
	const char *define;
} uapi_features[] = {
#define UAPI_FEATURE(def) { def, #def },
#include "uapi_features.h"
#undef UAPI_FEATURE
};

#define NR_UAPI_FEATURES (sizeof(uapi_features) / sizeof(uapi_features[0]))

static bool one_bit(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* The module's info, or false when there is no /dev/ramchan. */
static bool kernel_info(struct ramchan_info *info)
{
	int ctl = ramchan_open_dev(), ret;

	if (ctl < 0)
		return false;
	ret = ramchan_get_info(ctl, info);
	close(ctl);
	return !ret;
}

/* ---- feature names ------------------------------------------------------- */

TEST(every_feature_bit_of_the_uapi_header_has_a_name_in_the_library)
{
	size_t i;

	ASSERT_LT(0, NR_UAPI_FEATURES) TH_LOG("no RAMCHAN_FEATURE_* extracted");
	for (i = 0; i < NR_UAPI_FEATURES; i++) {
		EXPECT_TRUE(one_bit(uapi_features[i].bit))
			TH_LOG("%s is not one bit", uapi_features[i].define);
		EXPECT_NE(NULL, ramchan_feature_name(uapi_features[i].bit))
			TH_LOG("%s (%#llx) has no name in tools/lib/contract.c",
			       uapi_features[i].define,
			       (unsigned long long)uapi_features[i].bit);
	}
}

TEST(the_library_names_only_bits_the_uapi_header_defines_once_each)
{
	const struct ramchan_feature *f = NULL, *g;
	uint64_t defined = 0, seen = 0;
	size_t i;

	for (i = 0; i < NR_UAPI_FEATURES; i++)
		defined |= uapi_features[i].bit;
	while ((f = ramchan_feature_next(f))) {
		EXPECT_TRUE(one_bit(f->bit)) TH_LOG("%s", f->name);
		EXPECT_EQ(0, seen & f->bit) TH_LOG("%s named twice", f->name);
		seen |= f->bit;
		EXPECT_NE(0, defined & f->bit)
			TH_LOG("%s (%#llx) is not a RAMCHAN_FEATURE_*", f->name,
			       (unsigned long long)f->bit);
		EXPECT_STREQ(f->name, ramchan_feature_name(f->bit));
		EXPECT_NE(NULL, f->help);
		for (g = ramchan_feature_next(f); g; g = ramchan_feature_next(g))
			EXPECT_STRNE(f->name, g->name);
	}
	EXPECT_EQ(defined, seen);
	EXPECT_EQ(seen, ramchan_features_known());
}

TEST(a_value_that_is_not_one_known_bit_has_no_name)
{
	uint64_t unknown = ~ramchan_features_known();

	EXPECT_EQ(NULL, ramchan_feature_name(0));
	EXPECT_EQ(NULL, ramchan_feature_name(ramchan_features_known()));
	if (unknown)
		EXPECT_EQ(NULL, ramchan_feature_name(unknown & -unknown));
}

TEST(every_feature_bit_the_kernel_reports_is_named)
{
	struct ramchan_info info;
	int bit;

	if (!kernel_info(&info))
		SKIP(return, "no /dev/ramchan");
	for (bit = 0; bit < 64; bit++)
		if (info.features & (1ULL << bit))
			EXPECT_NE(NULL, ramchan_feature_name(1ULL << bit))
				TH_LOG("the module reports bit %d, which has no name",
				       bit);
}

/* ---- limits ---------------------------------------------------------------- */

/* Mark @size bytes at @offset of @map; each byte must be marked once. */
static bool cover(uint8_t *map, size_t offset, size_t size)
{
	size_t i;

	if (offset + size > sizeof(struct ramchan_info))
		return false;
	for (i = 0; i < size; i++)
		if (map[offset + i]++)
			return false;
	return true;
}

TEST(the_limits_and_the_handshake_fields_cover_struct_ramchan_info)
{
	uint8_t map[sizeof(struct ramchan_info)] = { 0 };
	const struct ramchan_limit *l = NULL;
	size_t i;

	ASSERT_TRUE(cover(map, offsetof(struct ramchan_info, flags), 4));
	ASSERT_TRUE(cover(map, offsetof(struct ramchan_info, abi_version), 4));
	ASSERT_TRUE(cover(map, offsetof(struct ramchan_info, features), 8));
	ASSERT_TRUE(cover(map, offsetof(struct ramchan_info, reserved),
			  sizeof(((struct ramchan_info *)0)->reserved)));
	while ((l = ramchan_limit_next(l))) {
		EXPECT_TRUE(l->size == 4 || l->size == 8) TH_LOG("%s", l->name);
		EXPECT_EQ(0, l->offset % l->size) TH_LOG("%s", l->name);
		EXPECT_TRUE(cover(map, l->offset, l->size))
			TH_LOG("%s overlaps another field", l->name);
		EXPECT_NE(NULL, l->title);
		EXPECT_NE(NULL, l->unit);
	}
	for (i = 0; i < sizeof(map); i++)
		EXPECT_EQ(1, map[i])
			TH_LOG("byte %zu of struct ramchan_info is no limit the library lists",
			       i);
}

TEST(limit_values_are_read_from_their_own_fields)
{
	const struct ramchan_limit *l = NULL;
	struct ramchan_info info;
	uint64_t v = 0x0102030405060708ULL;
	uint32_t v32;

	memset(&info, 0xff, sizeof(info));
	while ((l = ramchan_limit_next(l))) {
		v32 = (uint32_t)++v;
		if (l->size == 8)
			memcpy((char *)&info + l->offset, &v, 8);
		else
			memcpy((char *)&info + l->offset, &v32, 4);
	}
	v = 0x0102030405060708ULL;
	for (l = ramchan_limit_next(NULL); l; l = ramchan_limit_next(l)) {
		++v;
		EXPECT_EQ(l->size == 8 ? v : (uint32_t)v,
			  ramchan_limit_value(&info, l)) TH_LOG("%s", l->name);
	}
}

/* ---- fdinfo ---------------------------------------------------------------- */

TEST(fdinfo_parse_reads_id_kind_role_and_flags)
{
	static const char text[] =
		"pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\n"
		"ramchan-id:\t42\nramchan-kind:\tring\nramchan-role:\t3\n";
	struct ramchan_fdinfo fi;

	ASSERT_EQ(0, ramchan_fdinfo_parse(text, &fi));
	EXPECT_EQ(42, fi.id);
	EXPECT_EQ(RAMCHAN_KIND_RING, fi.kind);
	EXPECT_EQ(RAMCHAN_ROLE_BOTH, fi.role);
	EXPECT_EQ(02000002, fi.flags);
	ASSERT_EQ(0, ramchan_fdinfo_parse("ramchan-kind:\tmq\nramchan-role:\t2\n"
					  "ramchan-id:\t18446744073709551615",
					  &fi));
	EXPECT_EQ(UINT64_MAX, fi.id);
	EXPECT_EQ(RAMCHAN_KIND_MQ, fi.kind);
	EXPECT_EQ(RAMCHAN_ROLE_CONSUMER, fi.role);
}

TEST(fdinfo_parse_of_another_fd_is_enoent)
{
	struct ramchan_fdinfo fi;

	EXPECT_EQ(-ENOENT, ramchan_fdinfo_parse("pos:\t0\nflags:\t02\n"
						"mnt_id:\t15\nino:\t99\n", &fi));
	EXPECT_EQ(-ENOENT, ramchan_fdinfo_parse("", &fi));
	/* A prefix of the key is another key. */
	EXPECT_EQ(-ENOENT, ramchan_fdinfo_parse("ramchan-identity:\t1\n", &fi));
}

TEST(fdinfo_parse_rejects_malformed_or_missing_ramchan_lines)
{
	static const char *const bad[] = {
		"ramchan-id:\tx\nramchan-kind:\tring\nramchan-role:\t1\n",
		"ramchan-id:\t-1\nramchan-kind:\tring\nramchan-role:\t1\n",
		"ramchan-id:\t1x\nramchan-kind:\tring\nramchan-role:\t1\n",
		"ramchan-id:\t18446744073709551616\nramchan-kind:\tring\nramchan-role:\t1\n",
		"ramchan-id:\t1\nramchan-kind:\tring\nramchan-role:\t0\n",
		"ramchan-id:\t1\nramchan-kind:\tring\nramchan-role:\t4294967296\n",
		"ramchan-id:\t1\nramchan-kind:\t\nramchan-role:\t1\n",
		"ramchan-id:\t1\nramchan-role:\t1\n",
		"ramchan-id:\t1\nramchan-kind:\tring\n",
		"ramchan-id:\t1\nramchan-id:\t2\nramchan-kind:\tring\nramchan-role:\t1\n",
		"ramchan-id:\t\nramchan-kind:\tring\nramchan-role:\t1\n",
		NULL
	};
	const char *const *text;
	struct ramchan_fdinfo fi;

	for (text = bad; *text; text++)
		EXPECT_EQ(-EINVAL, ramchan_fdinfo_parse(*text, &fi))
			TH_LOG("accepted bad[%td]", text - bad);
}

TEST(fdinfo_parse_takes_a_kind_it_does_not_know_as_zero)
{
	struct ramchan_fdinfo fi;

	ASSERT_EQ(0, ramchan_fdinfo_parse("ramchan-id:\t7\nramchan-kind:\tbcast\n"
					  "ramchan-role:\t1\n", &fi));
	EXPECT_EQ(0, fi.kind);
	EXPECT_EQ(7, fi.id);
	EXPECT_STREQ("ring", ramchan_kind_name(RAMCHAN_KIND_RING));
	EXPECT_STREQ("mq", ramchan_kind_name(RAMCHAN_KIND_MQ));
	EXPECT_EQ(NULL, ramchan_kind_name(0));
	EXPECT_EQ(RAMCHAN_KIND_MQ, ramchan_kind_from_name("mq"));
	EXPECT_EQ(0, ramchan_kind_from_name("m"));
}

/* Parse /proc/self/fdinfo/@fd into @fi; return what the parser did. */
static int own_fdinfo(int fd, struct ramchan_fdinfo *fi)
{
	char path[64], buf[4096];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return ramchan_fdinfo_parse(buf, fi);
}

/* The kind sysfs shows for channel @id, or "" when there is no such one. */
static const char *sysfs_kind(uint64_t id, char *buf, size_t size)
{
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/ramchan/channel/%llu/kind",
		 (unsigned long long)id);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (f) {
		if (!fgets(buf, size, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

TEST(ring_fds_show_their_channel_and_role_in_fdinfo)
{
	struct ramchan_fdinfo both, cons;
	int ctl, fd, dup;
	char kind[32];

	ctl = ramchan_open_dev();
	if (ctl < 0)
		SKIP(return, "no /dev/ramchan");
	fd = ramchan_ring_create(ctl, NULL, 1 << 16, 0, RAMCHAN_ROLE_BOTH, 0);
	ASSERT_LE(0, fd);
	dup = ramchan_chan_dup(fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, dup);
	ASSERT_EQ(0, own_fdinfo(fd, &both));
	ASSERT_EQ(0, own_fdinfo(dup, &cons));
	EXPECT_EQ(RAMCHAN_KIND_RING, both.kind);
	EXPECT_EQ(RAMCHAN_ROLE_BOTH, both.role);
	EXPECT_EQ(RAMCHAN_ROLE_CONSUMER, cons.role);
	EXPECT_EQ(both.id, cons.id);
	EXPECT_STREQ("ring", sysfs_kind(both.id, kind, sizeof(kind)));
	EXPECT_EQ(-ENOENT, own_fdinfo(ctl, &both)) TH_LOG("the control fd");
	close(dup);
	close(fd);
	close(ctl);
}

TEST(queue_fds_show_their_channel_and_role_in_fdinfo)
{
	struct ramchan_mq_opts o = { .depth = 4, .msg_size = 64,
				     .role = RAMCHAN_ROLE_PRODUCER };
	struct ramchan_fdinfo fi;
	int ctl, fd, ret;

	ctl = ramchan_open_dev();
	if (ctl < 0)
		SKIP(return, "no /dev/ramchan");
	fd = ramchan_mq_create(ctl, &o);
	close(ctl);
	ASSERT_LE(0, fd);
	ret = own_fdinfo(fd, &fi);
	close(fd);
	if (ret == -ENOENT)
		SKIP(return, "this module prints no fdinfo for queue fds yet");
	ASSERT_EQ(0, ret);
	EXPECT_EQ(RAMCHAN_KIND_MQ, fi.kind);
	EXPECT_EQ(RAMCHAN_ROLE_PRODUCER, fi.role);
}

/* ---- ring layout ----------------------------------------------------------- */

TEST(ring_map_puts_the_positions_at_the_published_offsets)
{
	struct ramchan_ring_layout lay;
	struct ramchan_ring r;
	char out[16];
	int ctl, fd;

	ctl = ramchan_open_dev();
	if (ctl < 0)
		SKIP(return, "no /dev/ramchan");
	fd = ramchan_ring_create(ctl, NULL, 1 << 16, 0, RAMCHAN_ROLE_BOTH,
				 RAMCHAN_F_NONBLOCK);
	close(ctl);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ramchan_ring_layout(fd, &lay));
	ASSERT_EQ(0, ramchan_ring_map(&r, fd));
	EXPECT_EQ((uint8_t *)r.prod + lay.head_offset, (uint8_t *)r.head);
	EXPECT_EQ((uint8_t *)r.prod + lay.reserve_offset, (uint8_t *)r.reserve);
	EXPECT_EQ((uint8_t *)r.cons + lay.tail_offset, (uint8_t *)r.tail);
	EXPECT_EQ(lay.producer_size, r.prod_len);
	EXPECT_EQ(lay.consumer_size, r.cons_len);
	EXPECT_EQ(lay.data_map_size, r.data_len);
	/* The kernel finds the record where the library put head... */
	EXPECT_EQ(0, ramchan_ring_send(&r, "published", 10, 0));
	EXPECT_EQ(ramchan_rec_total(10), *r.head);
	EXPECT_EQ(10, read(fd, out, sizeof(out)));
	EXPECT_STREQ("published", out);
	EXPECT_EQ(ramchan_rec_total(10), *r.tail);
	ramchan_ring_unmap(&r);
	/* ...and the library finds the kernel's where the kernel put it. */
	EXPECT_EQ(5, write(fd, "back", 5));
	ASSERT_EQ(0, ramchan_ring_map(&r, fd));
	EXPECT_EQ(5, ramchan_ring_recv(&r, out, sizeof(out), 0));
	EXPECT_STREQ("back", out);
	EXPECT_EQ(ramchan_rec_total(10) + ramchan_rec_total(5), *r.tail);
	ramchan_ring_unmap(&r);
	close(fd);
}

/* ---- the CLI --------------------------------------------------------------- */

static const char *cli_path(void)
{
	const char *cli = getenv("RAMCHAN_CLI");

	return cli && *cli ? cli : "/usr/bin/ramchan";
}

/* Run "CLI @args", its stdout into @out; return its exit status or -1. */
static int cli_run(const char *args, char *out, size_t size)
{
	char cmd[512];
	size_t len = 0, n;
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), "'%s' %s 2>/dev/null", cli_path(), args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (len + 1 < size && (n = fread(out + len, 1, size - 1 - len, p)))
		len += n;
	out[len] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The number after "@key": in @json, or -1. */
static long long json_number(const char *json, const char *key)
{
	char pattern[96];
	const char *p;

	snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	p = strstr(json, pattern);
	if (!p)
		return -1;
	p += strlen(pattern);
	p += strspn(p, " ");
	return *p >= '0' && *p <= '9' ? strtoll(p, NULL, 10) : -1;
}

TEST(cli_info_json_names_every_feature_and_prints_every_limit)
{
	const struct ramchan_limit *l = NULL;
	struct ramchan_info info;
	char out[8192], name[64];
	const char *features, *end;
	int bit;

	if (access(cli_path(), X_OK))
		SKIP(return, "no ramchan CLI at %s", cli_path());
	if (!kernel_info(&info))
		SKIP(return, "no /dev/ramchan");
	ASSERT_EQ(0, cli_run("--json info", out, sizeof(out)));
	EXPECT_EQ(info.abi_version, json_number(out, "abi_version"));
	EXPECT_EQ((long long)info.features, json_number(out, "features_mask"));
	while ((l = ramchan_limit_next(l)))
		EXPECT_EQ((long long)ramchan_limit_value(&info, l),
			  json_number(out, l->name)) TH_LOG("%s", l->name);
	features = strstr(out, "\"features\":");
	ASSERT_NE(NULL, features);
	end = strchr(features, ']');
	ASSERT_NE(NULL, end);
	for (bit = 0; bit < 64; bit++) {
		if (!(info.features & (1ULL << bit)))
			continue;
		snprintf(name, sizeof(name), "\"%s\"",
			 ramchan_feature_name(1ULL << bit) ?: "?");
		EXPECT_NE(NULL, memmem(features, end - features, name,
				       strlen(name))) TH_LOG("bit %d", bit);
	}
}

TEST(cli_info_prints_every_limit_by_its_title)
{
	const struct ramchan_limit *l = NULL;
	struct ramchan_info info;
	char out[8192];

	if (access(cli_path(), X_OK))
		SKIP(return, "no ramchan CLI at %s", cli_path());
	if (!kernel_info(&info))
		SKIP(return, "no /dev/ramchan");
	ASSERT_EQ(0, cli_run("info", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "ABI version"));
	while ((l = ramchan_limit_next(l)))
		EXPECT_NE(NULL, strstr(out, l->title)) TH_LOG("%s", l->title);
}

TEST(cli_help_and_version_exit_0_for_every_command)
{
	static const char *const commands[] = { "", "info ", "census " };
	char out[16384], args[64];
	size_t i;

	if (access(cli_path(), X_OK))
		SKIP(return, "no ramchan CLI at %s", cli_path());
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		snprintf(args, sizeof(args), "%s--help", commands[i]);
		EXPECT_EQ(0, cli_run(args, out, sizeof(out))) TH_LOG("%s", args);
		EXPECT_EQ(0, strncmp(out, "usage: ramchan", 14)) TH_LOG("%s", args);
		snprintf(args, sizeof(args), "%s--version", commands[i]);
		EXPECT_EQ(0, cli_run(args, out, sizeof(out))) TH_LOG("%s", args);
		EXPECT_EQ(0, strncmp(out, "ramchan ", 8)) TH_LOG("%s", args);
	}
	EXPECT_EQ(2, cli_run("info --bogus", out, sizeof(out)));
	EXPECT_EQ(2, cli_run("nosuch", out, sizeof(out)));
}

TEST_HARNESS_MAIN
