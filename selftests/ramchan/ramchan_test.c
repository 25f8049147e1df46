// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan selftests: the control device, INFO, sysfs, permissions.
 *
 * Run as root in a guest with ramchan loaded (tools/vm/run does it).
 * Every ioctl error path has its own test; inputs that should be rejected
 * are tried at their limits (0, MAX, MAX+1, -1) and outputs are filled with
 * junk before each call so a field the kernel forgets to write shows up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ramchan.h>

#include "../kselftest_harness.h"

#define RAMCHAN_DEV	"/dev/ramchan"
#define SYSFS_DIR	"/sys/kernel/ramchan/"
#define PARAM_DIR	"/sys/module/ramchan/parameters/"
#define NR_RESERVED(s)	(sizeof((s).reserved) / sizeof((s).reserved[0]))

static long read_sysfs_long(const char *path)
{
	char buf[64] = "";
	long val = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		val = strtol(buf, NULL, 0);
	fclose(f);
	return val;
}

/* An INFO command with an arbitrary argument size and direction. */
static unsigned long info_cmd(unsigned int dir, unsigned int size)
{
	return _IOC(dir, RAMCHAN_IOC_MAGIC, _IOC_NR(RAMCHAN_IOC_INFO), size);
}

static void info_fill_junk(struct ramchan_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	info->flags = 0;
	memset(info->reserved, 0, sizeof(info->reserved));
}

FIXTURE(ctl) {
	int fd;
};

FIXTURE_SETUP(ctl)
{
	self->fd = open(RAMCHAN_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RAMCHAN_DEV,
				      strerror(errno));
}

FIXTURE_TEARDOWN(ctl)
{
	close(self->fd);
}

TEST_F(ctl, info_reports_abi_features_and_limits)
{
	struct ramchan_info info;
	unsigned int i;

	info_fill_junk(&info);
	ASSERT_EQ(0, ioctl(self->fd, RAMCHAN_IOC_INFO, &info));
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(RAMCHAN_ABI_VERSION, info.abi_version);
	EXPECT_TRUE(info.features & RAMCHAN_FEATURE_SYSFS);
	EXPECT_EQ((unsigned long)sysconf(_SC_PAGESIZE), info.page_size);
	EXPECT_EQ(RAMCHAN_NAME_MAX, info.name_max);
	EXPECT_EQ(read_sysfs_long(PARAM_DIR "max_ring_bytes"),
		  (long)info.max_ring_bytes);
	EXPECT_EQ(read_sysfs_long(PARAM_DIR "max_channels"),
		  (long)info.max_channels);
	EXPECT_EQ(read_sysfs_long(PARAM_DIR "max_channels_per_user"),
		  (long)info.max_channels_per_user);
	EXPECT_EQ(0, info.max_ring_bytes & (info.max_ring_bytes - 1));
	for (i = 0; i < NR_RESERVED(info); i++)
		EXPECT_EQ(0, info.reserved[i]);
}

TEST_F(ctl, info_with_nonzero_flags_fails_einval)
{
	static const uint32_t bad[] = { 1, 0x80000000u, 0xffffffffu };
	struct ramchan_info info;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&info, 0, sizeof(info));
		info.flags = bad[i];
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, RAMCHAN_IOC_INFO, &info));
		EXPECT_EQ(EINVAL, errno) TH_LOG("flags %#x", bad[i]);
		/* Nothing is written back on failure. */
		EXPECT_EQ(0, info.abi_version);
	}
}

TEST_F(ctl, info_with_nonzero_reserved_fails_einval)
{
	struct ramchan_info info;
	unsigned int i;

	for (i = 0; i < NR_RESERVED(info); i++) {
		memset(&info, 0, sizeof(info));
		info.reserved[i] = 1ULL << (i * 16);
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, RAMCHAN_IOC_INFO, &info));
		EXPECT_EQ(EINVAL, errno) TH_LOG("reserved[%u]", i);
	}
}

TEST_F(ctl, info_with_null_pointer_fails_efault)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, RAMCHAN_IOC_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(ctl, info_with_unmapped_pointer_fails_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, page));
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, RAMCHAN_IOC_INFO, p));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, RAMCHAN_IOC_INFO, (void *)-1L));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(ctl, info_into_read_only_memory_fails_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, RAMCHAN_IOC_INFO, p));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, page);
}

TEST_F(ctl, info_struct_straddling_unmapped_page_fails_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + page, page));
	memset(p, 0, page);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, RAMCHAN_IOC_INFO, p + page - 8));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, page);
}

TEST_F(ctl, info_smaller_than_first_version_fails_einval)
{
	uint64_t buf[16] = { 0 };
	unsigned int size;

	for (size = 0; size < RAMCHAN_INFO_SIZE_VER0; size += 8) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd,
				    info_cmd(_IOC_READ | _IOC_WRITE, size),
				    buf));
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %u", size);
	}
}

TEST_F(ctl, info_larger_struct_with_zero_tail_is_accepted_and_zeroed)
{
	struct {
		struct ramchan_info info;
		uint64_t tail[8];
	} big;
	unsigned int i;

	memset(&big, 0, sizeof(big));
	ASSERT_EQ(0, ioctl(self->fd,
			   info_cmd(_IOC_READ | _IOC_WRITE, sizeof(big)),
			   &big));
	EXPECT_EQ(RAMCHAN_ABI_VERSION, big.info.abi_version);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, big.tail[i]);
}

TEST_F(ctl, info_larger_struct_with_nonzero_tail_fails_e2big)
{
	struct {
		struct ramchan_info info;
		uint64_t tail[8];
	} big;

	memset(&big, 0, sizeof(big));
	big.tail[7] = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd,
			    info_cmd(_IOC_READ | _IOC_WRITE, sizeof(big)),
			    &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(ctl, info_with_wrong_direction_fails_enotty)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE,
	};
	struct ramchan_info info;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		memset(&info, 0, sizeof(info));
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, info_cmd(dirs[i], sizeof(info)),
				    &info));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("dir %u", dirs[i]);
	}
}

TEST_F(ctl, unknown_ioctl_fails_enotty)
{
	uint64_t buf[32] = { 0 };
	static const unsigned long cmds[] = {
		_IOWR(RAMCHAN_IOC_MAGIC, 0x7f, uint64_t),
		_IOWR(RAMCHAN_IOC_MAGIC, 0xff, uint64_t),
		_IOWR(RAMCHAN_IOC_MAGIC + 1, 0x00, struct ramchan_info),
		_IO('T', 0x1b),
		0,
		0xffffffff,
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], buf));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

TEST_F(ctl, read_write_and_mmap_on_control_file_fail)
{
	char buf[8];
	void *p;

	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	errno = 0;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENODEV, errno);
}

TEST(sysfs_reports_abi_version)
{
	EXPECT_EQ(RAMCHAN_ABI_VERSION,
		  read_sysfs_long(SYSFS_DIR "abi_version"));
}

TEST(sysfs_counts_opens_and_open_files)
{
	long opens, files;
	int fd1, fd2;

	opens = read_sysfs_long(SYSFS_DIR "opens");
	files = read_sysfs_long(SYSFS_DIR "open_files");
	ASSERT_LE(0, opens);
	ASSERT_LE(0, files);

	fd1 = open(RAMCHAN_DEV, O_RDWR);
	ASSERT_LE(0, fd1);
	fd2 = open(RAMCHAN_DEV, O_RDONLY);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(opens + 2, read_sysfs_long(SYSFS_DIR "opens"));
	EXPECT_EQ(files + 2, read_sysfs_long(SYSFS_DIR "open_files"));

	close(fd1);
	EXPECT_EQ(files + 1, read_sysfs_long(SYSFS_DIR "open_files"));
	close(fd2);
	EXPECT_EQ(files, read_sysfs_long(SYSFS_DIR "open_files"));
	/* opens is cumulative. */
	EXPECT_EQ(opens + 2, read_sysfs_long(SYSFS_DIR "opens"));
}

TEST(sysfs_idle_module_holds_no_channels_or_bytes)
{
	EXPECT_EQ(0, read_sysfs_long(SYSFS_DIR "channels"));
	EXPECT_EQ(0, read_sysfs_long(SYSFS_DIR "bytes_held"));
}

TEST(sysfs_attributes_are_read_only)
{
	static const char *const names[] = {
		"abi_version", "opens", "open_files", "channels", "bytes_held",
	};
	unsigned int i;
	struct stat st;
	char path[128];

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), SYSFS_DIR "%s", names[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s", path);
	}
}

TEST(device_node_is_misc_char_device_with_parameter_mode)
{
	long mode = read_sysfs_long(PARAM_DIR "mode");
	unsigned int major, minor;
	struct stat st;
	FILE *f;

	ASSERT_EQ(0, stat(RAMCHAN_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(mode, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);

	f = fopen("/sys/class/misc/ramchan/dev", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, fscanf(f, "%u:%u", &major, &minor));
	fclose(f);
	EXPECT_EQ(10, major);
	EXPECT_EQ(major, major(st.st_rdev));
	EXPECT_EQ(minor, minor(st.st_rdev));
}

/* Run @fn in a child with the given credentials; return its exit code. */
static int run_as(uid_t uid, gid_t gid, int (*fn)(void))
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		    setresuid(uid, uid, uid))
			_exit(100);
		_exit(fn());
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int open_errno(void)
{
	int fd = open(RAMCHAN_DEV, O_RDWR);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

TEST(unprivileged_user_cannot_open_under_default_mode)
{
	if (read_sysfs_long(PARAM_DIR "mode") != 0600)
		SKIP(return, "module loaded with a non-default mode");
	EXPECT_EQ(EACCES, run_as(65534, 65534, open_errno));
	EXPECT_EQ(EACCES, run_as(1000, 1000, open_errno));
	/* root still can */
	EXPECT_EQ(0, run_as(0, 0, open_errno));
}

TEST(rmmod_is_refused_while_a_file_is_open)
{
	int fd;

	fd = open(RAMCHAN_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_delete_module, "ramchan", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY)
		TH_LOG("delete_module: %s", strerror(errno));
	/* Still loaded and working. */
	EXPECT_EQ(RAMCHAN_ABI_VERSION,
		  read_sysfs_long(SYSFS_DIR "abi_version"));
	close(fd);
}

TEST(control_fd_survives_fork_and_works_in_child)
{
	struct ramchan_info info;
	int fd, status;
	pid_t pid;

	fd = open(RAMCHAN_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		memset(&info, 0, sizeof(info));
		_exit(ioctl(fd, RAMCHAN_IOC_INFO, &info) == 0 &&
		      info.abi_version == RAMCHAN_ABI_VERSION ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
}

TEST_HARNESS_MAIN
