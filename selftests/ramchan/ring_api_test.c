// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan selftests: the ring API through raw syscalls (no libramchan).
 *
 * CREATE, OPEN, UNLINK and DUP argument checking, permissions, IPC
 * namespaces, RING_LAYOUT, mmap() rules, the lifetime of channels and
 * their mappings, read()/write(), WAIT/WAKE and poll(), corrupt shared
 * state, RLIMIT_MEMLOCK and memcg accounting, per-channel sysfs.
 *
 * Run as root in a guest with ramchan loaded (tools/vm/run does it).
 * Inputs that should be rejected are tried at their limits (0, MAX, MAX+1,
 * -1) and outputs are filled with junk before each call. Named channels
 * get a per-process name and are unlinked by the test that made them:
 * tests share the namespace.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ramchan.h>

#include "../kselftest_harness.h"

#define RAMCHAN_DEV	"/dev/ramchan"
#define SYSFS_DIR	"/sys/kernel/ramchan/"
#define CHAN_DIR	SYSFS_DIR "channel/"
#define PARAM_DIR	"/sys/module/ramchan/parameters/"

/* Room for CHAN_DIR and any d_name. */
#define DIR_LEN		320

#define UNPRIV_UID	1000
#define UNPRIV_GID	1000

/* Exit codes of helper children that could not even set up. */
#define CHILD_SETUP_FAILED	200

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t align8(uint64_t n)
{
	return (n + 7) & ~7ULL;
}

static int read_sysfs_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* The value of a sysfs attribute (any base strtoll knows), or -1. */
static long long read_sysfs_ll(const char *path)
{
	char buf[64];

	if (read_sysfs_str(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 0);
}

static uint64_t max_ring_bytes(void)
{
	return (uint64_t)read_sysfs_ll(PARAM_DIR "max_ring_bytes");
}

/* A name no other test (or test process) uses. */
static void make_name(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "rat-%d-%s", getpid(), tag);
}

/* An address with nothing mapped at it. */
static void *unmapped_page(void)
{
	void *p;

	p = mmap(NULL, page_size(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED || munmap(p, page_size()))
		return NULL;
	return p;
}

static int ctl_open(void)
{
	return open(RAMCHAN_DEV, O_RDWR | O_CLOEXEC);
}

static void create_init(struct ramchan_create *c, uint64_t size)
{
	memset(c, 0, sizeof(*c));
	c->kind = RAMCHAN_KIND_RING;
	c->size = size;
}

/* CREATE; the fd, or -errno. */
static int ring_create(int ctl, uint64_t size, const char *name,
		       uint32_t mode, uint32_t role, uint32_t flags)
{
	struct ramchan_create c;
	int fd;

	create_init(&c, size);
	c.name = (uintptr_t)name;
	c.mode = mode;
	c.role = role;
	c.flags = flags;
	fd = ioctl(ctl, RAMCHAN_IOC_CREATE, &c);
	return fd < 0 ? -errno : fd;
}

static int unlink_name(int ctl, const char *name)
{
	struct ramchan_unlink u = { .name = (uintptr_t)name };

	return ioctl(ctl, RAMCHAN_IOC_UNLINK, &u) ? errno : 0;
}

/*
 * CREATE expected to fail: its errno, 0 if it succeeded (the channel is
 * then closed and its name, if any, removed).
 */
static int create_errno(int ctl, const struct ramchan_create *c)
{
	int fd, err;

	fd = ioctl(ctl, RAMCHAN_IOC_CREATE, c);
	if (fd < 0)
		return errno;
	err = errno;
	close(fd);
	if (c->name)
		unlink_name(ctl, (const char *)(uintptr_t)c->name);
	errno = err;
	return 0;
}

/* OPEN: the fd, or -errno. */
static int ring_open(int ctl, const char *name, uint32_t role,
		     uint32_t flags)
{
	struct ramchan_open o;
	int fd;

	memset(&o, 0, sizeof(o));
	o.name = (uintptr_t)name;
	o.role = role;
	o.flags = flags;
	fd = ioctl(ctl, RAMCHAN_IOC_OPEN, &o);
	return fd < 0 ? -errno : fd;
}

/* OPEN expected to fail: its errno, 0 (fd closed) if it succeeded. */
static int open_errno(int ctl, const struct ramchan_open *o)
{
	int fd;

	fd = ioctl(ctl, RAMCHAN_IOC_OPEN, o);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* DUP: the fd, or -errno. */
static int ring_dup(int fd, uint32_t role, uint32_t flags)
{
	struct ramchan_dup d = { .role = role, .flags = flags };
	int nfd;

	nfd = ioctl(fd, RAMCHAN_IOC_DUP, &d);
	return nfd < 0 ? -errno : nfd;
}

static int dup_errno(int fd, const struct ramchan_dup *d)
{
	int nfd;

	nfd = ioctl(fd, RAMCHAN_IOC_DUP, d);
	if (nfd < 0)
		return errno;
	close(nfd);
	return 0;
}

static int get_layout(int fd, struct ramchan_ring_layout *lay)
{
	memset(lay, 0xa5, sizeof(*lay));
	return ioctl(fd, RAMCHAN_IOC_RING_LAYOUT, lay) ? errno : 0;
}

/*
 * Run @fn(@arg) in a child with the given credentials (no supplementary
 * groups) and return its exit code; -1 if it did not exit normally.
 * @uid -1 keeps the credentials.
 */
static int run_child(uid_t uid, gid_t gid, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (uid != (uid_t)-1 &&
		    (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		     setresuid(uid, uid, uid)))
			_exit(CHILD_SETUP_FAILED);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The four regions of a ring, mapped as the fd's role allows. */
struct ring_map {
	struct ramchan_ring_layout lay;
	struct ramchan_ring_info *info;
	struct ramchan_ring_producer *prod;
	struct ramchan_ring_consumer *cons;
	uint8_t *data;
};

static void unmap_ring(struct ring_map *m)
{
	if (m->info)
		munmap(m->info, m->lay.info_size);
	if (m->prod)
		munmap(m->prod, m->lay.producer_size);
	if (m->cons)
		munmap(m->cons, m->lay.consumer_size);
	if (m->data)
		munmap(m->data, m->lay.data_map_size);
	m->info = NULL;
	m->prod = NULL;
	m->cons = NULL;
	m->data = NULL;
}

static void *map_region(int fd, uint64_t off, uint64_t len, bool writable)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | (writable ? PROT_WRITE : 0),
		 MAP_SHARED, fd, off);
	return p == MAP_FAILED ? NULL : p;
}

/* Map all four regions of @fd: 0 or errno. */
static int map_ring(int fd, struct ring_map *m)
{
	bool prod, cons;

	memset(m, 0, sizeof(*m));
	if (get_layout(fd, &m->lay))
		return errno;
	prod = m->lay.role & RAMCHAN_ROLE_PRODUCER;
	cons = m->lay.role & RAMCHAN_ROLE_CONSUMER;
	m->info = map_region(fd, m->lay.info_offset, m->lay.info_size, false);
	if (!m->info)
		goto fail;
	m->prod = map_region(fd, m->lay.producer_offset, m->lay.producer_size,
			     prod);
	if (!m->prod)
		goto fail;
	m->cons = map_region(fd, m->lay.consumer_offset, m->lay.consumer_size,
			     cons);
	if (!m->cons)
		goto fail;
	m->data = map_region(fd, m->lay.data_offset, m->lay.data_map_size,
			     prod);
	if (!m->data)
		goto fail;
	return 0;
fail:
	{
		int err = errno;

		unmap_ring(m);
		return err;
	}
}

/*
 * Append one record through the mapping, as a single producer does:
 * reserve, payload, header, commit. 0, or -1 if it does not fit.
 */
static int map_write(struct ring_map *m, const void *buf, uint32_t len)
{
	uint64_t mask = m->lay.size - 1;
	uint64_t tail, pos, total = align8(RAMCHAN_REC_HDR_SIZE + len);
	uint64_t hdr = len;
	uint8_t *rec;

	pos = __atomic_load_n(&m->prod->reserve, __ATOMIC_RELAXED);
	tail = __atomic_load_n(&m->cons->tail, __ATOMIC_ACQUIRE);
	if (pos + total - tail > m->lay.size)
		return -1;
	if (!__atomic_compare_exchange_n(&m->prod->reserve, &pos, pos + total,
					 false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return -1;
	rec = m->data + (pos & mask);
	memcpy(rec + RAMCHAN_REC_HDR_SIZE, buf, len);
	memcpy(rec, &hdr, sizeof(hdr));
	__atomic_store_n(&m->prod->head, pos + total, __ATOMIC_RELEASE);
	return 0;
}

/* mmap() expected to fail: its errno, or 0 (unmapped again). */
static int mmap_errno(int fd, uint64_t off, uint64_t len, int prot, int flags)
{
	void *p;

	p = mmap(NULL, len, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

/* The sysfs directory of the channel named @name: 0 or -1. */
static int find_chan_dir(const char *name, char *dir, size_t len)
{
	char path[PATH_MAX], buf[RAMCHAN_NAME_MAX + 2];
	struct dirent *de;
	int found = 0;
	DIR *d;

	d = opendir(CHAN_DIR);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), CHAN_DIR "%s/name", de->d_name);
		if (read_sysfs_str(path, buf, sizeof(buf)))
			continue;
		if (!strcmp(buf, name)) {
			snprintf(dir, len, CHAN_DIR "%s", de->d_name);
			found++;
		}
	}
	closedir(d);
	return found == 1 ? 0 : -1;
}

static long long chan_attr(const char *dir, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	return read_sysfs_ll(path);
}

/* Wait up to @ms for @path to (dis)appear as @want_exists says. */
static bool wait_exists(const char *path, bool want_exists, int ms)
{
	struct stat st;

	for (;;) {
		if ((stat(path, &st) == 0) == want_exists)
			return true;
		if (ms <= 0)
			return false;
		usleep(10000);
		ms -= 10;
	}
}

/*
 * Control file and a name to clean up: the teardown unlinks the name
 * whatever the test did.
 */
FIXTURE(ctl) {
	int fd;
	char name[RAMCHAN_NAME_MAX + 1];
};

FIXTURE_SETUP(ctl)
{
	self->fd = ctl_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RAMCHAN_DEV,
				      strerror(errno));
	make_name(self->name, sizeof(self->name), "ctl");
}

FIXTURE_TEARDOWN(ctl)
{
	unlink_name(self->fd, self->name);
	close(self->fd);
}

/* CREATE: sizes */

TEST_F(ctl, create_ring_with_size_zero_fails_einval)
{
	struct ramchan_create c;

	create_init(&c, 0);
	EXPECT_EQ(EINVAL, create_errno(self->fd, &c));
}

TEST_F(ctl, create_ring_with_size_below_one_page_fails_einval)
{
	const uint64_t bad[] = { 1, 8, page_size() / 2, page_size() - 1 };
	struct ramchan_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		create_init(&c, bad[i]);
		EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
			TH_LOG("size %llu", (unsigned long long)bad[i]);
	}
}

TEST_F(ctl, create_ring_with_size_not_power_of_two_fails_einval)
{
	const uint64_t bad[] = {
		3 * page_size(), page_size() + 1, 2 * page_size() - 8,
		5 * page_size(),
	};
	struct ramchan_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		create_init(&c, bad[i]);
		EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
			TH_LOG("size %llu", (unsigned long long)bad[i]);
	}
}

TEST_F(ctl, create_ring_above_max_ring_bytes_fails_einval)
{
	uint64_t max = max_ring_bytes();
	const uint64_t bad[] = { 2 * max, 1ULL << 63 };
	struct ramchan_create c;
	unsigned int i;

	ASSERT_LT(0, (long long)max);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		create_init(&c, bad[i]);
		EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
			TH_LOG("size %#llx", (unsigned long long)bad[i]);
	}
}

TEST_F(ctl, create_ring_with_size_all_ones_fails_einval)
{
	struct ramchan_create c;

	create_init(&c, ~0ULL);
	EXPECT_EQ(EINVAL, create_errno(self->fd, &c));
}

TEST_F(ctl, create_ring_of_one_page_succeeds)
{
	struct ramchan_ring_layout lay;
	int fd;

	fd = ring_create(self->fd, page_size(), NULL, 0, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	ASSERT_EQ(0, get_layout(fd, &lay));
	EXPECT_EQ(page_size(), lay.size);
	close(fd);
}

TEST_F(ctl, create_ring_of_max_ring_bytes_succeeds)
{
	uint64_t max = max_ring_bytes();
	struct ramchan_ring_layout lay;
	int fd;

	ASSERT_LT(0, (long long)max);
	fd = ring_create(self->fd, max, NULL, 0, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("create %llu: %s", (unsigned long long)max,
				strerror(-fd));
	ASSERT_EQ(0, get_layout(fd, &lay));
	EXPECT_EQ(max, lay.size);
	EXPECT_EQ(2 * max, lay.data_map_size);
	close(fd);
}

/* CREATE: kind, flags, role, reserved fields */

TEST_F(ctl, create_with_unknown_kind_fails_einval)
{
	const uint32_t bad[] = { 0, 3, 0xffffffffu };
	struct ramchan_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		create_init(&c, page_size());
		c.kind = bad[i];
		EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
			TH_LOG("kind %#x", bad[i]);
	}
}

TEST_F(ctl, create_with_unknown_flags_fails_einval)
{
	const uint32_t bad[] = {
		0x4, 0x80000000u, 0xffffffffu,
		RAMCHAN_F_NOCLOEXEC | RAMCHAN_F_NONBLOCK | 0x8,
	};
	struct ramchan_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		create_init(&c, page_size());
		c.flags = bad[i];
		EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
			TH_LOG("flags %#x", bad[i]);
	}
}

TEST_F(ctl, create_with_unknown_role_bits_fails_einval)
{
	const uint32_t bad[] = {
		0x4, RAMCHAN_ROLE_BOTH | 0x4, 0x80000000u, 0xffffffffu,
	};
	struct ramchan_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		create_init(&c, page_size());
		c.role = bad[i];
		EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
			TH_LOG("role %#x", bad[i]);
	}
}

TEST_F(ctl, create_with_role_zero_gives_both_roles)
{
	struct ramchan_ring_layout lay;
	int fd;

	fd = ring_create(self->fd, page_size(), NULL, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, get_layout(fd, &lay));
	EXPECT_EQ(RAMCHAN_ROLE_BOTH, lay.role);
	close(fd);
}

TEST_F(ctl, create_with_nonzero_reserved_fails_einval)
{
	const uint64_t bad[] = { 1, 1ULL << 63, ~0ULL };
	struct ramchan_create c;
	unsigned int i, j;

	for (i = 0; i < ARRAY_LEN(c.reserved); i++) {
		for (j = 0; j < ARRAY_LEN(bad); j++) {
			create_init(&c, page_size());
			c.reserved[i] = bad[j];
			EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
				TH_LOG("reserved[%u] = %#llx", i,
				       (unsigned long long)bad[j]);
		}
	}
}

TEST_F(ctl, create_ring_with_nonzero_mq_fields_fails_einval)
{
	static const char *const names[] = {
		"mq_depth", "mq_overflow", "mq_spin_us", "mq_reserved",
	};
	const uint32_t bad[] = { 1, 0xffffffffu };
	struct ramchan_create c;
	uint32_t *const field[] = {
		&c.mq_depth, &c.mq_overflow, &c.mq_spin_us, &c.mq_reserved,
	};
	unsigned int i, j;

	/* The mq fields must be 0 for other kinds; mq_reserved always. */
	for (i = 0; i < ARRAY_LEN(field); i++) {
		for (j = 0; j < ARRAY_LEN(bad); j++) {
			create_init(&c, page_size());
			*field[i] = bad[j];
			EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
				TH_LOG("%s = %#x", names[i], bad[j]);
		}
	}
}

/* CREATE: names and modes */

TEST_F(ctl, create_with_mode_above_0777_fails_einval)
{
	const uint32_t bad[] = { 01000, 01777, 04755, 0xffffffffu };
	struct ramchan_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		create_init(&c, page_size());
		c.name = (uintptr_t)self->name;
		c.mode = bad[i];
		EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
			TH_LOG("mode %#o", bad[i]);
	}
}

TEST_F(ctl, create_with_mode_0777_succeeds)
{
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0777, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	close(fd);
	EXPECT_EQ(0, unlink_name(self->fd, self->name));
}

TEST_F(ctl, create_with_mode_but_no_name_fails_einval)
{
	const uint32_t modes[] = { 01, 0600, 0777 };
	struct ramchan_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(modes); i++) {
		create_init(&c, page_size());
		c.mode = modes[i];
		EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
			TH_LOG("mode %#o", modes[i]);
	}
}

TEST_F(ctl, create_with_bad_name_pointer_fails_efault)
{
	struct ramchan_create c;
	void *p;

	p = unmapped_page();
	ASSERT_NE(NULL, p);

	create_init(&c, page_size());
	c.name = (uintptr_t)p;
	EXPECT_EQ(EFAULT, create_errno(self->fd, &c));
	c.name = ~0ULL;
	EXPECT_EQ(EFAULT, create_errno(self->fd, &c));
	c.name = 1;
	EXPECT_EQ(EFAULT, create_errno(self->fd, &c));
}

TEST_F(ctl, create_with_empty_name_fails_einval)
{
	struct ramchan_create c;

	create_init(&c, page_size());
	c.name = (uintptr_t)"";
	EXPECT_EQ(EINVAL, create_errno(self->fd, &c));
}

TEST_F(ctl, create_with_slash_in_name_fails_einval)
{
	const char *const bad[] = { "/", "a/b", "/abc", "abc/" };
	struct ramchan_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		create_init(&c, page_size());
		c.name = (uintptr_t)bad[i];
		EXPECT_EQ(EINVAL, create_errno(self->fd, &c))
			TH_LOG("name \"%s\"", bad[i]);
	}
}

TEST_F(ctl, create_with_name_of_name_max_bytes_succeeds)
{
	char name[RAMCHAN_NAME_MAX + 1];
	int fd;

	memset(name, 'n', RAMCHAN_NAME_MAX);
	name[RAMCHAN_NAME_MAX] = '\0';
	/* unique: our pid at the start */
	memcpy(name, self->name, strlen(self->name));
	memcpy(self->name, name, sizeof(name));
	fd = ring_create(self->fd, page_size(), name, 0600, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	close(fd);
	fd = ring_open(self->fd, name, RAMCHAN_ROLE_CONSUMER, 0);
	EXPECT_LE(0, fd) TH_LOG("open: %s", strerror(-fd));
	close(fd);
	EXPECT_EQ(0, unlink_name(self->fd, name));
}

TEST_F(ctl, create_with_name_over_name_max_fails_enametoolong)
{
	char name[RAMCHAN_NAME_MAX + 32];
	struct ramchan_create c;

	memset(name, 'n', sizeof(name));
	memcpy(name, self->name, strlen(self->name));
	name[RAMCHAN_NAME_MAX + 1] = '\0';
	create_init(&c, page_size());
	c.name = (uintptr_t)name;
	EXPECT_EQ(ENAMETOOLONG, create_errno(self->fd, &c));
	name[RAMCHAN_NAME_MAX + 1] = 'n';
	name[sizeof(name) - 1] = '\0';
	EXPECT_EQ(ENAMETOOLONG, create_errno(self->fd, &c));
}

TEST_F(ctl, create_with_taken_name_fails_eexist)
{
	struct ramchan_create c;
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	create_init(&c, 2 * page_size());
	c.name = (uintptr_t)self->name;
	c.mode = 0600;
	EXPECT_EQ(EEXIST, create_errno(self->fd, &c));
	/* Even once the first fd is closed: the name keeps the channel. */
	close(fd);
	EXPECT_EQ(EEXIST, create_errno(self->fd, &c));
	EXPECT_EQ(0, unlink_name(self->fd, self->name));
	/* The name is free again. */
	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	EXPECT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, unlink_name(self->fd, self->name));
}

/* CREATE: fd flags */

TEST_F(ctl, create_fd_is_cloexec_by_default)
{
	int fd;

	fd = ring_create(self->fd, page_size(), NULL, 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	close(fd);
}

TEST_F(ctl, create_with_nocloexec_gives_fd_without_cloexec)
{
	int fd;

	fd = ring_create(self->fd, page_size(), NULL, 0, 0,
			 RAMCHAN_F_NOCLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST_F(ctl, create_with_nonblock_gives_o_nonblock_fd)
{
	int fd;

	fd = ring_create(self->fd, page_size(), NULL, 0, 0,
			 RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

/* OPEN and UNLINK */

TEST_F(ctl, open_missing_name_fails_enoent)
{
	struct ramchan_open o;

	memset(&o, 0, sizeof(o));
	o.name = (uintptr_t)self->name;
	o.role = RAMCHAN_ROLE_CONSUMER;
	EXPECT_EQ(ENOENT, open_errno(self->fd, &o));
}

TEST_F(ctl, open_with_role_zero_fails_einval)
{
	struct ramchan_open o;
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	memset(&o, 0, sizeof(o));
	o.name = (uintptr_t)self->name;
	o.role = 0;
	EXPECT_EQ(EINVAL, open_errno(self->fd, &o));
	close(fd);
}

TEST_F(ctl, open_with_unknown_role_bits_fails_einval)
{
	const uint32_t bad[] = {
		0x4, RAMCHAN_ROLE_CONSUMER | 0x4, 0x80000000u, 0xffffffffu,
	};
	struct ramchan_open o;
	unsigned int i;
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&o, 0, sizeof(o));
		o.name = (uintptr_t)self->name;
		o.role = bad[i];
		EXPECT_EQ(EINVAL, open_errno(self->fd, &o))
			TH_LOG("role %#x", bad[i]);
	}
	close(fd);
}

TEST_F(ctl, open_with_unknown_flags_fails_einval)
{
	const uint32_t bad[] = { 0x4, 0x80000000u, 0xffffffffu };
	struct ramchan_open o;
	unsigned int i;
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&o, 0, sizeof(o));
		o.name = (uintptr_t)self->name;
		o.role = RAMCHAN_ROLE_CONSUMER;
		o.flags = bad[i];
		EXPECT_EQ(EINVAL, open_errno(self->fd, &o))
			TH_LOG("flags %#x", bad[i]);
	}
	close(fd);
}

TEST_F(ctl, open_with_nonzero_reserved_fails_einval)
{
	struct ramchan_open o;
	unsigned int i;
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_LEN(o.reserved); i++) {
		memset(&o, 0, sizeof(o));
		o.name = (uintptr_t)self->name;
		o.role = RAMCHAN_ROLE_CONSUMER;
		o.reserved[i] = 1ULL << (i * 40);
		EXPECT_EQ(EINVAL, open_errno(self->fd, &o))
			TH_LOG("reserved[%u]", i);
	}
	close(fd);
}

TEST_F(ctl, open_gives_fd_with_the_asked_role_and_flags)
{
	const uint32_t roles[] = {
		RAMCHAN_ROLE_PRODUCER, RAMCHAN_ROLE_CONSUMER, RAMCHAN_ROLE_BOTH,
	};
	struct ramchan_ring_layout lay;
	unsigned int i;
	int fd, ofd;

	fd = ring_create(self->fd, 2 * page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_LEN(roles); i++) {
		ofd = ring_open(self->fd, self->name, roles[i], 0);
		ASSERT_LE(0, ofd) TH_LOG("role %u: %s", roles[i],
					 strerror(-ofd));
		ASSERT_EQ(0, get_layout(ofd, &lay));
		EXPECT_EQ(roles[i], lay.role);
		EXPECT_EQ(2 * page_size(), lay.size);
		EXPECT_EQ(FD_CLOEXEC, fcntl(ofd, F_GETFD) & FD_CLOEXEC);
		EXPECT_EQ(0, fcntl(ofd, F_GETFL) & O_NONBLOCK);
		close(ofd);
	}
	ofd = ring_open(self->fd, self->name, RAMCHAN_ROLE_CONSUMER,
			RAMCHAN_F_NOCLOEXEC | RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, ofd);
	EXPECT_EQ(0, fcntl(ofd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_NONBLOCK, fcntl(ofd, F_GETFL) & O_NONBLOCK);
	close(ofd);
	close(fd);
}

TEST_F(ctl, open_or_unlink_with_bad_name_fails)
{
	char longname[RAMCHAN_NAME_MAX + 2];
	struct ramchan_open o;
	void *bad;

	bad = unmapped_page();
	ASSERT_NE(NULL, bad);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	memset(&o, 0, sizeof(o));
	o.role = RAMCHAN_ROLE_CONSUMER;
	o.name = (uintptr_t)bad;
	EXPECT_EQ(EFAULT, open_errno(self->fd, &o));
	o.name = 0;
	EXPECT_EQ(EFAULT, open_errno(self->fd, &o));
	o.name = (uintptr_t)"";
	EXPECT_EQ(EINVAL, open_errno(self->fd, &o));
	o.name = (uintptr_t)"a/b";
	EXPECT_EQ(EINVAL, open_errno(self->fd, &o));
	o.name = (uintptr_t)longname;
	EXPECT_EQ(ENAMETOOLONG, open_errno(self->fd, &o));

	EXPECT_EQ(EFAULT, unlink_name(self->fd, bad));
	EXPECT_EQ(EFAULT, unlink_name(self->fd, NULL));
	EXPECT_EQ(EINVAL, unlink_name(self->fd, ""));
	EXPECT_EQ(EINVAL, unlink_name(self->fd, "a/b"));
	EXPECT_EQ(ENAMETOOLONG, unlink_name(self->fd, longname));
}

TEST_F(ctl, open_after_unlink_fails_enoent_but_open_fd_still_works)
{
	struct ramchan_open o;
	char buf[32];
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, unlink_name(self->fd, self->name));

	memset(&o, 0, sizeof(o));
	o.name = (uintptr_t)self->name;
	o.role = RAMCHAN_ROLE_CONSUMER;
	EXPECT_EQ(ENOENT, open_errno(self->fd, &o));

	EXPECT_EQ(5, write(fd, "hello", 5));
	memset(buf, 0xa5, sizeof(buf));
	EXPECT_EQ(5, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	close(fd);
}

TEST_F(ctl, unlink_twice_fails_enoent)
{
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, unlink_name(self->fd, self->name));
	EXPECT_EQ(ENOENT, unlink_name(self->fd, self->name));
}

TEST_F(ctl, unlink_with_nonzero_reserved_fails_einval)
{
	struct ramchan_unlink u;
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	close(fd);
	u.name = (uintptr_t)self->name;
	u.reserved = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, RAMCHAN_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	/* Still there. */
	EXPECT_EQ(0, unlink_name(self->fd, self->name));
}

/*
 * Permissions: the control file is opened by the unprivileged child
 * itself (OPEN and UNLINK check the credentials it was opened with), so
 * /dev/ramchan is made world-accessible for the test and restored by the
 * teardown, whatever happened.
 */
FIXTURE(devperm) {
	int fd;
	mode_t old_mode;
	bool chmoded;
	char name[RAMCHAN_NAME_MAX + 1];
};

FIXTURE_SETUP(devperm)
{
	struct stat st;

	self->fd = ctl_open();
	ASSERT_LE(0, self->fd);
	make_name(self->name, sizeof(self->name), "perm");
	ASSERT_EQ(0, stat(RAMCHAN_DEV, &st));
	self->old_mode = st.st_mode & 07777;
	ASSERT_EQ(0, chmod(RAMCHAN_DEV, 0666));
	self->chmoded = true;
}

FIXTURE_TEARDOWN(devperm)
{
	if (self->chmoded)
		EXPECT_EQ(0, chmod(RAMCHAN_DEV, self->old_mode));
	unlink_name(self->fd, self->name);
	close(self->fd);
}

struct name_role {
	const char *name;
	uint32_t role;
};

/* Child: open /dev/ramchan with its own credentials, OPEN @arg. */
static int child_open_errno(void *arg)
{
	const struct name_role *nr = arg;
	int ctl, fd;

	ctl = ctl_open();
	if (ctl < 0)
		return CHILD_SETUP_FAILED + 1;
	fd = ring_open(ctl, nr->name, nr->role, 0);
	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

/* Child: open /dev/ramchan with its own credentials, UNLINK @arg. */
static int child_unlink_errno(void *arg)
{
	int ctl;

	ctl = ctl_open();
	if (ctl < 0)
		return CHILD_SETUP_FAILED + 1;
	return unlink_name(ctl, arg);
}

static int open_as(uid_t uid, gid_t gid, const char *name, uint32_t role)
{
	struct name_role nr = { .name = name, .role = role };

	return run_child(uid, gid, child_open_errno, &nr);
}

TEST_F(devperm, unlink_by_another_uid_fails_eperm)
{
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0666, 0, 0);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(EPERM, run_child(UNPRIV_UID, UNPRIV_GID, child_unlink_errno,
				   self->name));
	/* Still registered: the owner can unlink it. */
	EXPECT_EQ(0, unlink_name(self->fd, self->name));
}

/* Child: open /dev/ramchan with its own credentials, CREATE name @arg. */
static int child_create_named(void *arg)
{
	int ctl, fd;

	ctl = ctl_open();
	if (ctl < 0)
		return CHILD_SETUP_FAILED + 1;
	fd = ring_create(ctl, page_size(), arg, 0600, 0, 0);
	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

TEST_F(devperm, unlink_by_owner_or_cap_ipc_owner_succeeds)
{
	/* An unprivileged owner unlinks its own name. */
	ASSERT_EQ(0, run_child(UNPRIV_UID, UNPRIV_GID, child_create_named,
			       self->name));
	EXPECT_EQ(0, run_child(UNPRIV_UID, UNPRIV_GID, child_unlink_errno,
			       self->name));
	EXPECT_EQ(ENOENT, unlink_name(self->fd, self->name));
	/* root (CAP_IPC_OWNER) unlinks somebody else's. */
	ASSERT_EQ(0, run_child(UNPRIV_UID, UNPRIV_GID, child_create_named,
			       self->name));
	EXPECT_EQ(0, unlink_name(self->fd, self->name));
}

TEST_F(devperm, mode_0600_refuses_consumer_of_other_uid_eacces)
{
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, open_as(UNPRIV_UID, UNPRIV_GID, self->name,
				  RAMCHAN_ROLE_CONSUMER));
	EXPECT_EQ(EACCES, open_as(UNPRIV_UID, UNPRIV_GID, self->name,
				  RAMCHAN_ROLE_PRODUCER));
	/* The owner (and root) still can. */
	EXPECT_EQ(0, open_as(0, 0, self->name, RAMCHAN_ROLE_BOTH));
	close(fd);
}

TEST_F(devperm, mode_0644_lets_other_uid_consume_but_not_produce)
{
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0644, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, open_as(UNPRIV_UID, UNPRIV_GID, self->name,
			     RAMCHAN_ROLE_CONSUMER));
	EXPECT_EQ(EACCES, open_as(UNPRIV_UID, UNPRIV_GID, self->name,
				  RAMCHAN_ROLE_PRODUCER));
	EXPECT_EQ(EACCES, open_as(UNPRIV_UID, UNPRIV_GID, self->name,
				  RAMCHAN_ROLE_BOTH));
	close(fd);
}

TEST_F(devperm, mode_0060_lets_creator_group_produce_and_consume)
{
	int fd;

	fd = ring_create(self->fd, page_size(), self->name, 0060, 0, 0);
	ASSERT_LE(0, fd);
	/* uid 1000 in the creator's group (gid 0) */
	EXPECT_EQ(0, open_as(UNPRIV_UID, 0, self->name,
			     RAMCHAN_ROLE_CONSUMER));
	EXPECT_EQ(0, open_as(UNPRIV_UID, 0, self->name,
			     RAMCHAN_ROLE_PRODUCER));
	EXPECT_EQ(0, open_as(UNPRIV_UID, 0, self->name, RAMCHAN_ROLE_BOTH));
	/* outside the group: the other bits, none */
	EXPECT_EQ(EACCES, open_as(UNPRIV_UID, UNPRIV_GID, self->name,
				  RAMCHAN_ROLE_CONSUMER));
	close(fd);
}

/* IPC namespaces */

struct ns_child {
	const char *name;
	int ctl;
	int to_parent;
	int from_parent;
};

static int child_in_new_ipc_ns(void *arg)
{
	const struct ns_child *a = arg;
	struct ramchan_ring_layout lay;
	char c = 0;
	int fd, ret = 0;

	if (unshare(CLONE_NEWIPC))
		return CHILD_SETUP_FAILED + 1;
	fd = ring_open(a->ctl, a->name, RAMCHAN_ROLE_CONSUMER, 0);
	if (fd != -ENOENT)
		return 1;
	fd = ring_create(a->ctl, 4 * page_size(), a->name, 0600, 0, 0);
	if (fd < 0)
		return 2;
	if (get_layout(fd, &lay) || lay.size != 4 * page_size())
		ret = 3;
	close(fd);
	/* The name is ours here: OPEN finds our channel. */
	fd = ring_open(a->ctl, a->name, RAMCHAN_ROLE_CONSUMER, 0);
	if (fd < 0 || get_layout(fd, &lay) || lay.size != 4 * page_size())
		ret = 4;
	if (fd >= 0)
		close(fd);
	/* Let the parent check its own name while ours exists. */
	if (write(a->to_parent, &c, 1) != 1 || read(a->from_parent, &c, 1) != 1)
		ret = 5;
	if (unlink_name(a->ctl, a->name))
		ret = 6;
	return ret;
}

TEST_F(ctl, names_are_private_to_the_ipc_namespace)
{
	struct ramchan_ring_layout lay;
	int to_parent[2], from_parent[2];
	struct ns_child a;
	int fd, ofd, status;
	pid_t pid;
	char c;

	fd = ring_create(self->fd, page_size(), self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(from_parent));
	a.name = self->name;
	a.ctl = self->fd;
	a.to_parent = to_parent[1];
	a.from_parent = from_parent[0];

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_in_new_ipc_ns(&a));
	close(to_parent[1]);
	close(from_parent[0]);

	EXPECT_EQ(1, read(to_parent[0], &c, 1));
	/* Ours is still ours, not the child's 4-page ring. */
	ofd = ring_open(self->fd, self->name, RAMCHAN_ROLE_CONSUMER, 0);
	EXPECT_LE(0, ofd);
	if (ofd >= 0) {
		EXPECT_EQ(0, get_layout(ofd, &lay));
		EXPECT_EQ(page_size(), lay.size);
		close(ofd);
	}
	EXPECT_EQ(1, write(from_parent[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(to_parent[0]);
	close(from_parent[1]);
	close(fd);
	EXPECT_EQ(0, unlink_name(self->fd, self->name));
}

static int child_leaves_name_in_new_ipc_ns(void *arg)
{
	const struct ns_child *a = arg;
	int fd;

	if (unshare(CLONE_NEWIPC))
		return CHILD_SETUP_FAILED + 1;
	fd = ring_create(a->ctl, page_size(), a->name, 0600, 0, 0);
	if (fd < 0)
		return 1;
	close(fd);
	/* exit without UNLINK: only the name keeps the channel */
	return 0;
}

TEST_F(ctl, names_of_a_dead_ipc_namespace_are_dropped)
{
	struct ns_child a = { .name = self->name, .ctl = self->fd };
	char dir[DIR_LEN], other[RAMCHAN_NAME_MAX + 1];
	struct ramchan_open o;
	int i;

	ASSERT_EQ(0, run_child(-1, -1, child_leaves_name_in_new_ipc_ns, &a));
	/* The namespace is gone with the child, its channel not yet. */
	ASSERT_EQ(0, find_chan_dir(self->name, dir, sizeof(dir)));
	/* Any registry operation drops it, from any namespace. */
	make_name(other, sizeof(other), "absent");
	memset(&o, 0, sizeof(o));
	o.name = (uintptr_t)other;
	o.role = RAMCHAN_ROLE_CONSUMER;
	for (i = 0; i < 200; i++) {
		EXPECT_EQ(ENOENT, open_errno(self->fd, &o));
		if (wait_exists(dir, false, 0))
			break;
		usleep(10000);
	}
	EXPECT_TRUE(wait_exists(dir, false, 0)) TH_LOG("%s still there", dir);
	/* and the name was never visible here */
	EXPECT_EQ(ENOENT, unlink_name(self->fd, self->name));
}

/* A ring of four pages with a BOTH fd. */
FIXTURE(ring) {
	int ctl;
	int fd;
	uint64_t size;
	char name[RAMCHAN_NAME_MAX + 1];
};

FIXTURE_SETUP(ring)
{
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	self->size = 4 * page_size();
	make_name(self->name, sizeof(self->name), "ring");
	self->fd = ring_create(self->ctl, self->size, NULL, 0, 0, 0);
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(ring)
{
	unlink_name(self->ctl, self->name);
	if (self->fd >= 0)
		close(self->fd);
	close(self->ctl);
}

/* DUP */

TEST_F(ring, dup_producer_only_from_both_works)
{
	struct ramchan_ring_layout lay;
	int fd;

	fd = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, fd) TH_LOG("dup: %s", strerror(-fd));
	ASSERT_EQ(0, get_layout(fd, &lay));
	EXPECT_EQ(RAMCHAN_ROLE_PRODUCER, lay.role);
	EXPECT_EQ(self->size, lay.size);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);

	fd = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, get_layout(fd, &lay));
	EXPECT_EQ(RAMCHAN_ROLE_CONSUMER, lay.role);
	close(fd);

	fd = ring_dup(self->fd, RAMCHAN_ROLE_BOTH, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, get_layout(fd, &lay));
	EXPECT_EQ(RAMCHAN_ROLE_BOTH, lay.role);
	close(fd);
}

TEST_F(ring, dup_honours_nocloexec_and_nonblock)
{
	int fd;

	fd = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER,
		      RAMCHAN_F_NOCLOEXEC | RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
}

TEST_F(ring, dup_with_more_roles_than_the_fd_fails_eperm)
{
	struct ramchan_dup d;
	int cons, prod;

	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);

	memset(&d, 0, sizeof(d));
	d.role = RAMCHAN_ROLE_BOTH;
	EXPECT_EQ(EPERM, dup_errno(cons, &d));
	EXPECT_EQ(EPERM, dup_errno(prod, &d));
	d.role = RAMCHAN_ROLE_PRODUCER;
	EXPECT_EQ(EPERM, dup_errno(cons, &d));
	d.role = RAMCHAN_ROLE_CONSUMER;
	EXPECT_EQ(EPERM, dup_errno(prod, &d));
	/* the same role is fine */
	EXPECT_EQ(0, dup_errno(cons, &d));
	close(cons);
	close(prod);
}

TEST_F(ring, dup_with_role_zero_fails_einval)
{
	struct ramchan_dup d;

	memset(&d, 0, sizeof(d));
	EXPECT_EQ(EINVAL, dup_errno(self->fd, &d));
}

TEST_F(ring, dup_with_unknown_role_bits_or_flags_fails_einval)
{
	const uint32_t bad[] = { 0x4, 0x80000000u, 0xffffffffu };
	struct ramchan_dup d;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&d, 0, sizeof(d));
		d.role = bad[i];
		EXPECT_EQ(EINVAL, dup_errno(self->fd, &d))
			TH_LOG("role %#x", bad[i]);
		d.role = RAMCHAN_ROLE_CONSUMER;
		d.flags = bad[i];
		EXPECT_EQ(EINVAL, dup_errno(self->fd, &d))
			TH_LOG("flags %#x", bad[i]);
	}
}

TEST_F(ring, dup_with_nonzero_reserved_fails_einval)
{
	const uint64_t bad[] = { 1, 1ULL << 63, ~0ULL };
	struct ramchan_dup d;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&d, 0, sizeof(d));
		d.role = RAMCHAN_ROLE_CONSUMER;
		d.reserved = bad[i];
		EXPECT_EQ(EINVAL, dup_errno(self->fd, &d))
			TH_LOG("reserved %#llx", (unsigned long long)bad[i]);
	}
}

/* RING_LAYOUT */

TEST_F(ring, ring_layout_is_consistent)
{
	struct ramchan_ring_layout lay;
	uint64_t off[4], ps = page_size();
	unsigned int i, j;

	ASSERT_EQ(0, get_layout(self->fd, &lay));
	EXPECT_EQ(self->size, lay.size);
	off[0] = lay.info_offset;
	off[1] = lay.producer_offset;
	off[2] = lay.consumer_offset;
	off[3] = lay.data_offset;
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, off[i] % ps) TH_LOG("offset %u", i);
		for (j = 0; j < i; j++) {
			EXPECT_NE(off[i], off[j]) TH_LOG("offsets %u, %u", i, j);
		}
	}
	EXPECT_EQ(ps, lay.info_size);
	EXPECT_EQ(ps, lay.producer_size);
	EXPECT_EQ(ps, lay.consumer_size);
	EXPECT_EQ(2 * self->size, lay.data_map_size);
	/* Regions do not overlap. */
	EXPECT_TRUE(lay.info_offset + lay.info_size <= lay.producer_offset ||
		    lay.producer_offset + lay.producer_size <= lay.info_offset);
	EXPECT_TRUE(lay.data_offset + lay.data_map_size <= lay.consumer_offset ||
		    lay.consumer_offset + lay.consumer_size <= lay.data_offset);
	EXPECT_EQ(offsetof(struct ramchan_ring_producer, head), lay.head_offset);
	EXPECT_EQ(offsetof(struct ramchan_ring_producer, reserve),
		  lay.reserve_offset);
	EXPECT_EQ(offsetof(struct ramchan_ring_consumer, tail), lay.tail_offset);
	EXPECT_GT(lay.producer_size, lay.head_offset + 7);
	EXPECT_GT(lay.producer_size, lay.reserve_offset + 7);
	EXPECT_GT(lay.consumer_size, lay.tail_offset + 7);
	EXPECT_EQ(0, lay.head_offset % 8);
	EXPECT_EQ(0, lay.reserve_offset % 8);
	EXPECT_EQ(0, lay.tail_offset % 8);
	EXPECT_EQ(RAMCHAN_ROLE_BOTH, lay.role);
	for (i = 0; i < ARRAY_LEN(lay.reserved); i++) {
		EXPECT_EQ(0, lay.reserved[i]) TH_LOG("reserved[%u]", i);
	}
}

TEST_F(ring, ring_layout_reports_the_role_of_each_fd)
{
	const uint32_t roles[] = { RAMCHAN_ROLE_PRODUCER, RAMCHAN_ROLE_CONSUMER };
	struct ramchan_ring_layout lay, both;
	unsigned int i;
	int fd;

	ASSERT_EQ(0, get_layout(self->fd, &both));
	for (i = 0; i < ARRAY_LEN(roles); i++) {
		fd = ring_dup(self->fd, roles[i], 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, get_layout(fd, &lay));
		EXPECT_EQ(roles[i], lay.role);
		/* Everything else is the same for every fd. */
		lay.role = both.role;
		EXPECT_EQ(0, memcmp(&lay, &both, sizeof(lay)));
		close(fd);
	}
}

TEST_F(ring, ring_layout_with_bad_pointer_fails_efault)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, RAMCHAN_IOC_RING_LAYOUT, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* mmap() rules */

TEST_F(ring, mmap_at_unknown_offset_fails_einval)
{
	struct ramchan_ring_layout lay;
	uint64_t ps = page_size();
	const uint64_t off[] = {
		0, 0, 0, 0,	/* filled below */
		1ULL << 40,
	};
	uint64_t offs[ARRAY_LEN(off)];
	unsigned int i;

	ASSERT_EQ(0, get_layout(self->fd, &lay));
	memcpy(offs, off, sizeof(off));
	offs[0] = lay.data_offset + ps;			/* inside the data */
	offs[1] = lay.data_offset + lay.size;		/* second copy */
	offs[2] = lay.data_offset + lay.data_map_size;	/* past the end */
	offs[3] = lay.data_offset + 64 * lay.data_map_size;
	for (i = 0; i < ARRAY_LEN(offs); i++) {
		EXPECT_EQ(EINVAL, mmap_errno(self->fd, offs[i], ps, PROT_READ,
					     MAP_SHARED))
			TH_LOG("offset %#llx", (unsigned long long)offs[i]);
	}
}

TEST_F(ring, mmap_with_wrong_length_fails_einval)
{
	struct ramchan_ring_layout lay;
	uint64_t ps = page_size();

	ASSERT_EQ(0, get_layout(self->fd, &lay));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, lay.info_offset, 2 * ps,
				     PROT_READ, MAP_SHARED));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, lay.producer_offset, 2 * ps,
				     PROT_READ, MAP_SHARED));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, lay.consumer_offset, 2 * ps,
				     PROT_READ, MAP_SHARED));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, lay.data_offset, lay.size,
				     PROT_READ, MAP_SHARED));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, lay.data_offset, ps,
				     PROT_READ, MAP_SHARED));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, lay.data_offset,
				     lay.data_map_size - ps, PROT_READ,
				     MAP_SHARED));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, lay.data_offset,
				     lay.data_map_size + ps, PROT_READ,
				     MAP_SHARED));
	/* the right lengths work */
	EXPECT_EQ(0, mmap_errno(self->fd, lay.info_offset, lay.info_size,
				PROT_READ, MAP_SHARED));
	EXPECT_EQ(0, mmap_errno(self->fd, lay.data_offset, lay.data_map_size,
				PROT_READ, MAP_SHARED));
}

TEST_F(ring, mmap_private_fails_einval)
{
	struct ramchan_ring_layout lay;

	ASSERT_EQ(0, get_layout(self->fd, &lay));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, lay.info_offset, lay.info_size,
				     PROT_READ, MAP_PRIVATE));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, lay.producer_offset,
				     lay.producer_size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, lay.data_offset,
				     lay.data_map_size, PROT_READ,
				     MAP_PRIVATE));
}

TEST_F(ring, mmap_executable_fails_eperm)
{
	struct ramchan_ring_layout lay;

	ASSERT_EQ(0, get_layout(self->fd, &lay));
	EXPECT_EQ(EPERM, mmap_errno(self->fd, lay.info_offset, lay.info_size,
				    PROT_READ | PROT_EXEC, MAP_SHARED));
	EXPECT_EQ(EPERM, mmap_errno(self->fd, lay.data_offset,
				    lay.data_map_size, PROT_READ | PROT_EXEC,
				    MAP_SHARED));
	EXPECT_EQ(EPERM, mmap_errno(self->fd, lay.producer_offset,
				    lay.producer_size, PROT_EXEC, MAP_SHARED));
}

TEST_F(ring, mapping_cannot_be_made_executable_with_mprotect)
{
	struct ring_map m;

	ASSERT_EQ(0, map_ring(self->fd, &m));
	errno = 0;
	EXPECT_EQ(-1, mprotect(m.data, m.lay.data_map_size,
			       PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	errno = 0;
	EXPECT_EQ(-1, mprotect(m.info, m.lay.info_size, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	unmap_ring(&m);
}

TEST_F(ring, consumer_cannot_map_producer_page_or_data_writable_eperm)
{
	struct ramchan_ring_layout lay;
	int cons;

	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	ASSERT_EQ(0, get_layout(cons, &lay));
	EXPECT_EQ(EPERM, mmap_errno(cons, lay.producer_offset,
				    lay.producer_size, PROT_READ | PROT_WRITE,
				    MAP_SHARED));
	EXPECT_EQ(EPERM, mmap_errno(cons, lay.data_offset, lay.data_map_size,
				    PROT_READ | PROT_WRITE, MAP_SHARED));
	EXPECT_EQ(EPERM, mmap_errno(cons, lay.data_offset, lay.data_map_size,
				    PROT_WRITE, MAP_SHARED));
	/* read-only is fine, and its own page writable */
	EXPECT_EQ(0, mmap_errno(cons, lay.producer_offset, lay.producer_size,
				PROT_READ, MAP_SHARED));
	EXPECT_EQ(0, mmap_errno(cons, lay.data_offset, lay.data_map_size,
				PROT_READ, MAP_SHARED));
	EXPECT_EQ(0, mmap_errno(cons, lay.consumer_offset, lay.consumer_size,
				PROT_READ | PROT_WRITE, MAP_SHARED));
	close(cons);
}

TEST_F(ring, producer_cannot_map_consumer_page_writable_eperm)
{
	struct ramchan_ring_layout lay;
	int prod;

	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);
	ASSERT_EQ(0, get_layout(prod, &lay));
	EXPECT_EQ(EPERM, mmap_errno(prod, lay.consumer_offset,
				    lay.consumer_size, PROT_READ | PROT_WRITE,
				    MAP_SHARED));
	EXPECT_EQ(0, mmap_errno(prod, lay.producer_offset, lay.producer_size,
				PROT_READ | PROT_WRITE, MAP_SHARED));
	EXPECT_EQ(0, mmap_errno(prod, lay.data_offset, lay.data_map_size,
				PROT_READ | PROT_WRITE, MAP_SHARED));
	close(prod);
}

TEST_F(ring, info_page_cannot_be_mapped_writable_even_with_both_roles)
{
	struct ramchan_ring_layout lay;

	ASSERT_EQ(0, get_layout(self->fd, &lay));
	EXPECT_EQ(EPERM, mmap_errno(self->fd, lay.info_offset, lay.info_size,
				    PROT_READ | PROT_WRITE, MAP_SHARED));
	EXPECT_EQ(EPERM, mmap_errno(self->fd, lay.info_offset, lay.info_size,
				    PROT_WRITE, MAP_SHARED));
}

TEST_F(ring, read_only_mapping_cannot_be_made_writable_eacces)
{
	struct ramchan_ring_layout lay;
	void *prod, *data, *info;
	int cons;

	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	ASSERT_EQ(0, get_layout(cons, &lay));
	prod = map_region(cons, lay.producer_offset, lay.producer_size, false);
	ASSERT_NE(NULL, prod);
	errno = 0;
	EXPECT_EQ(-1, mprotect(prod, lay.producer_size,
			       PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);

	data = map_region(cons, lay.data_offset, lay.data_map_size, false);
	ASSERT_NE(NULL, data);
	errno = 0;
	EXPECT_EQ(-1, mprotect(data, lay.data_map_size,
			       PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);

	/* the info page, even through a BOTH fd */
	info = map_region(self->fd, lay.info_offset, lay.info_size, false);
	ASSERT_NE(NULL, info);
	errno = 0;
	EXPECT_EQ(-1, mprotect(info, lay.info_size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);

	munmap(prod, lay.producer_size);
	munmap(data, lay.data_map_size);
	munmap(info, lay.info_size);
	close(cons);
}

TEST_F(ring, partial_munmap_of_data_fails_einval_and_mapping_still_works)
{
	uint64_t ps = page_size();
	struct ring_map m;
	char buf[16];

	ASSERT_EQ(0, map_ring(self->fd, &m));
	errno = 0;
	EXPECT_EQ(-1, munmap(m.data + ps, ps));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, munmap(m.data, ps));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, munmap(m.data + m.lay.size, m.lay.size));
	EXPECT_EQ(EINVAL, errno);

	/* Every page of it is still there and shared with the kernel. */
	m.data[m.lay.data_map_size - 1] = 0x5a;
	EXPECT_EQ(0x5a, m.data[m.lay.size - 1]);
	ASSERT_EQ(0, map_write(&m, "partial", 7));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(7, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "partial", 7));
	unmap_ring(&m);
}

TEST_F(ring, mremap_shrinking_a_mapping_fails_einval)
{
	struct ring_map m;
	void *p;

	ASSERT_EQ(0, map_ring(self->fd, &m));
	errno = 0;
	p = mremap(m.data, m.lay.data_map_size, m.lay.size, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	p = mremap(m.data, m.lay.data_map_size, m.lay.size, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* still whole */
	m.data[m.lay.data_map_size - 1] = 0x77;
	EXPECT_EQ(0x77, m.data[m.lay.size - 1]);
	unmap_ring(&m);
}

TEST_F(ring, mremap_growing_a_mapping_fails_efault)
{
	struct ring_map m;
	void *p;

	ASSERT_EQ(0, map_ring(self->fd, &m));
	/* VM_DONTEXPAND: mremap() refuses to grow it with EFAULT. */
	errno = 0;
	p = mremap(m.data, m.lay.data_map_size, 2 * m.lay.data_map_size,
		   MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	p = mremap(m.info, m.lay.info_size, 2 * m.lay.info_size,
		   MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EFAULT, errno);
	unmap_ring(&m);
}

TEST_F(ring, data_is_mapped_twice_back_to_back)
{
	struct ring_map m;
	uint64_t i;

	ASSERT_EQ(0, map_ring(self->fd, &m));
	m.data[0] = 0x42;
	EXPECT_EQ(0x42, m.data[m.lay.size]);
	m.data[m.lay.size + 1] = 0x43;
	EXPECT_EQ(0x43, m.data[1]);
	for (i = 0; i < m.lay.size; i += page_size()) {
		m.data[i + 17] = (uint8_t)(i >> 12);
		EXPECT_EQ((uint8_t)(i >> 12), m.data[m.lay.size + i + 17]);
	}
	EXPECT_EQ(m.lay.size, m.info->size);
	unmap_ring(&m);
}

/* Lifetime of channels, files and mappings */

TEST_F(ring, mapping_keeps_the_channel_after_its_fd_is_closed)
{
	long long channels_before, channels_named;
	char dir[DIR_LEN], payload[40];
	struct ring_map m;
	int fd;

	close(self->fd);
	self->fd = -1;
	channels_before = read_sysfs_ll(SYSFS_DIR "channels");
	ASSERT_LE(0, channels_before);

	fd = ring_create(self->ctl, self->size, self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, find_chan_dir(self->name, dir, sizeof(dir)));
	channels_named = read_sysfs_ll(SYSFS_DIR "channels");
	EXPECT_EQ(channels_before + 1, channels_named);
	ASSERT_EQ(0, unlink_name(self->ctl, self->name));
	ASSERT_EQ(0, map_ring(fd, &m));
	EXPECT_EQ(1, m.info->producers);
	EXPECT_EQ(1, m.info->consumers);
	close(fd);

	/* The mapping holds the file: still attached, still usable. */
	EXPECT_EQ(1, m.info->producers);
	EXPECT_EQ(1, m.info->consumers);
	EXPECT_EQ(0, m.info->flags);
	memset(payload, 'p', sizeof(payload));
	ASSERT_EQ(0, map_write(&m, payload, 29));
	EXPECT_EQ(align8(RAMCHAN_REC_HDR_SIZE + 29), m.prod->head);
	EXPECT_EQ((long long)align8(RAMCHAN_REC_HDR_SIZE + 29),
		  chan_attr(dir, "bytes_in"));
	EXPECT_EQ(1, chan_attr(dir, "records_in"));
	EXPECT_EQ(channels_named, read_sysfs_ll(SYSFS_DIR "channels"));

	/* The last mapping gone, so is the channel. */
	unmap_ring(&m);
	EXPECT_TRUE(wait_exists(dir, false, 2000)) TH_LOG("%s still there", dir);
	EXPECT_EQ(channels_before, read_sysfs_ll(SYSFS_DIR "channels"));
}

TEST_F(ring, channel_dies_with_its_last_mapping_of_any_region)
{
	long long before;
	char dir[DIR_LEN];
	void *info;
	int fd;

	close(self->fd);
	self->fd = -1;
	before = read_sysfs_ll(SYSFS_DIR "channels");
	fd = ring_create(self->ctl, self->size, self->name, 0600, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, find_chan_dir(self->name, dir, sizeof(dir)));
	ASSERT_EQ(0, unlink_name(self->ctl, self->name));
	info = map_region(fd, 0, page_size(), false);
	ASSERT_NE(NULL, info);
	close(fd);
	EXPECT_TRUE(wait_exists(dir, true, 0));
	EXPECT_EQ(before + 1, read_sysfs_ll(SYSFS_DIR "channels"));
	munmap(info, page_size());
	EXPECT_TRUE(wait_exists(dir, false, 2000));
	EXPECT_EQ(before, read_sysfs_ll(SYSFS_DIR "channels"));
}

TEST_F(ring, fd_and_mapping_work_in_a_forked_child)
{
	struct ring_map m;
	char buf[64];
	int status;
	pid_t pid;

	ASSERT_EQ(0, map_ring(self->fd, &m));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = 0;

		if (write(self->fd, "from-child-write", 16) != 16)
			ret |= 1;
		if (map_write(&m, "from-child-map", 14))
			ret |= 2;
		_exit(ret);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(16, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "from-child-write", 16));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(14, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "from-child-map", 14));
	/* The child's copy of the fd and mapping are gone; ours remain. */
	EXPECT_EQ(1, m.info->producers);
	EXPECT_EQ(1, m.info->consumers);
	unmap_ring(&m);
}

TEST_F(ring, rmmod_is_refused_while_only_a_mapping_remains)
{
	struct ring_map m;
	int ret;

	ASSERT_EQ(0, map_ring(self->fd, &m));
	close(self->fd);
	self->fd = -1;
	close(self->ctl);
	self->ctl = -1;

	ret = syscall(SYS_delete_module, "ramchan", O_NONBLOCK);
	EXPECT_EQ(-1, ret);
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY)
		TH_LOG("delete_module: %s", strerror(errno));
	/* still loaded, the mapping still works */
	EXPECT_EQ(RAMCHAN_ABI_VERSION, read_sysfs_ll(SYSFS_DIR "abi_version"));
	EXPECT_EQ(0, map_write(&m, "still", 5));
	EXPECT_EQ(m.lay.size, m.info->size);
	unmap_ring(&m);
}

/* read() and write() */

static void fill_pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

TEST_F(ring, write_read_round_trip_of_several_sizes)
{
	const size_t sizes[] = {
		1, 7, 8, 9, 15, 16, 17, 100, 255, 256, 1000, 4095, 4096,
		4097, 8000,
	};
	static uint8_t in[4 * 4096 * 4], out[4 * 4096 * 4];
	unsigned int i, round;
	size_t n;

	/* Enough rounds that positions wrap the end several times. */
	for (round = 0; round < 8; round++) {
		for (i = 0; i < ARRAY_LEN(sizes); i++) {
			n = sizes[i];
			ASSERT_GE(self->size - 8, n);
			fill_pattern(in, n, round * 100 + i);
			ASSERT_EQ((ssize_t)n, write(self->fd, in, n))
				TH_LOG("round %u size %zu", round, n);
			memset(out, 0xa5, n + 8);
			ASSERT_EQ((ssize_t)n, read(self->fd, out, sizeof(out)))
				TH_LOG("round %u size %zu", round, n);
			EXPECT_EQ(0, memcmp(in, out, n))
				TH_LOG("round %u size %zu", round, n);
			/* nothing written past the record */
			EXPECT_EQ(0xa5, out[n]);
		}
	}
}

TEST_F(ring, record_that_wraps_the_end_is_read_back_whole)
{
	static uint8_t in[4096 * 4], out[4096 * 4];
	struct ring_map m;
	uint64_t head, off;
	size_t n, first;

	ASSERT_EQ(0, map_ring(self->fd, &m));
	/* Move the positions to 24 bytes before the end. */
	first = self->size - 24 - RAMCHAN_REC_HDR_SIZE;
	fill_pattern(in, first, 1);
	ASSERT_EQ((ssize_t)first, write(self->fd, in, first));
	ASSERT_EQ((ssize_t)first, read(self->fd, out, sizeof(out)));
	ASSERT_EQ(self->size - 24, m.cons->tail);

	/* This one starts before the end and finishes at the start. */
	n = 1000;
	fill_pattern(in, n, 2);
	ASSERT_EQ((ssize_t)n, write(self->fd, in, n));
	head = m.prod->head;
	EXPECT_EQ(self->size - 24 + align8(RAMCHAN_REC_HDR_SIZE + n), head);
	off = (self->size - 24) & (self->size - 1);
	/* Through the double mapping it is contiguous. */
	EXPECT_EQ(n, *(uint64_t *)(m.data + off) & RAMCHAN_REC_LEN_MASK);
	EXPECT_EQ(0, memcmp(m.data + off + RAMCHAN_REC_HDR_SIZE, in, n));
	/* and its tail end sits at the start of the data */
	EXPECT_EQ(0, memcmp(m.data, in + 16, n - 16));
	memset(out, 0, sizeof(out));
	ASSERT_EQ((ssize_t)n, read(self->fd, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(in, out, n));
	EXPECT_EQ(head, m.cons->tail);
	unmap_ring(&m);
}

TEST_F(ring, positions_wrap_around_two_to_the_64)
{
	const uint64_t start = 0ULL - 3 * 16;
	struct ring_map m;
	char buf[64];
	unsigned int i;

	ASSERT_EQ(0, map_ring(self->fd, &m));
	/* A fresh ring whose positions are about to wrap: all the same. */
	m.prod->reserve = start;
	m.prod->head = start;
	m.cons->tail = start;
	for (i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf), "record-%u", i);
		ASSERT_EQ(8, write(self->fd, buf, 8)) TH_LOG("write %u", i);
	}
	EXPECT_EQ(start + 6 * 16, m.prod->head);
	EXPECT_GT(start, m.prod->head);
	for (i = 0; i < 6; i++) {
		char want[16];

		snprintf(want, sizeof(want), "record-%u", i);
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ(8, read(self->fd, buf, sizeof(buf))) TH_LOG("read %u", i);
		EXPECT_EQ(0, memcmp(buf, want, 8));
	}
	EXPECT_EQ(m.prod->head, m.cons->tail);
	EXPECT_EQ(0, m.info->flags);
	unmap_ring(&m);
}

TEST_F(ring, read_into_too_small_buffer_fails_emsgsize_and_keeps_record)
{
	char buf[64];

	ASSERT_EQ(20, write(self->fd, "twenty-bytes-record!", 20));
	memset(buf, 0xa5, sizeof(buf));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, 19));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ((char)0xa5, buf[0]);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, 1));
	EXPECT_EQ(EMSGSIZE, errno);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	/* the exact size works, and it is the same record */
	EXPECT_EQ(20, read(self->fd, buf, 20));
	EXPECT_EQ(0, memcmp(buf, "twenty-bytes-record!", 20));
}

TEST_F(ring, read_into_bad_buffer_fails_efault_and_keeps_record)
{
	char buf[16];
	void *bad;

	bad = unmapped_page();
	ASSERT_NE(NULL, bad);
	ASSERT_EQ(5, write(self->fd, "fault", 5));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, bad, sizeof(buf)));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(5, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "fault", 5));
}

TEST_F(ring, write_from_bad_buffer_fails_efault_and_queues_nothing_readable)
{
	char buf[16];
	void *p;

	p = unmapped_page();
	ASSERT_NE(NULL, p);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, p, 10));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	/* and the ring goes on */
	EXPECT_EQ(2, write(self->fd, "ok", 2));
	EXPECT_EQ(2, read(self->fd, buf, sizeof(buf)));
}

TEST_F(ring, write_above_size_minus_header_fails_emsgsize)
{
	static uint8_t buf[4 * 4096 + 64];
	size_t max = self->size - RAMCHAN_REC_HDR_SIZE;

	ASSERT_GE(sizeof(buf), self->size + 1);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, buf, max + 1));
	EXPECT_EQ(EMSGSIZE, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, buf, self->size));
	EXPECT_EQ(EMSGSIZE, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, buf, self->size + 1));
	EXPECT_EQ(EMSGSIZE, errno);
	/* the largest record fills the empty ring exactly */
	fill_pattern(buf, max, 3);
	EXPECT_EQ((ssize_t)max, write(self->fd, buf, max));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ((ssize_t)max, read(self->fd, buf, sizeof(buf)));
}

TEST_F(ring, write_of_zero_bytes_returns_zero_and_queues_nothing)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	char buf[8];

	EXPECT_EQ(0, write(self->fd, buf, 0));
	EXPECT_EQ(0, write(self->fd, NULL, 0));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(ring, nonblocking_read_of_empty_ring_fails_eagain)
{
	char buf[16];
	int fd;

	fd = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	/* and again after a record came and went */
	ASSERT_EQ(3, write(self->fd, "one", 3));
	EXPECT_EQ(3, read(fd, buf, sizeof(buf)));
	errno = 0;
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST_F(ring, nonblocking_write_to_full_ring_fails_eagain)
{
	static uint8_t buf[1000];
	unsigned int written = 0;
	ssize_t ret;
	int fd;

	fd = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, fd);
	for (;;) {
		ret = write(fd, buf, sizeof(buf));
		if (ret < 0)
			break;
		ASSERT_EQ((ssize_t)sizeof(buf), ret);
		written++;
		ASSERT_GT(1000, written);
	}
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(self->size / align8(RAMCHAN_REC_HDR_SIZE + sizeof(buf)),
		  written);
	/* A smaller record that still fits goes in. */
	EXPECT_EQ(8, write(fd, buf, 8));
	/* Room again once one is read. */
	EXPECT_EQ((ssize_t)sizeof(buf), read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ((ssize_t)sizeof(buf), write(fd, buf, sizeof(buf)));
	close(fd);
}

TEST_F(ring, write_on_consumer_only_fd_fails_ebadf)
{
	int fd;

	fd = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

TEST_F(ring, read_on_producer_only_fd_fails_ebadf)
{
	char buf[8];
	int fd;

	fd = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "x", 1));
	errno = 0;
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

TEST_F(ring, consumer_drains_then_reads_eof_after_last_producer_closes)
{
	struct pollfd pfd;
	struct ring_map m;
	char buf[16];
	int prod, cons;

	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);
	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, map_ring(cons, &m));

	ASSERT_EQ(3, write(prod, "abc", 3));
	ASSERT_EQ(4, write(prod, "defg", 4));
	close(prod);
	EXPECT_EQ(0, m.info->producers);
	EXPECT_EQ(RAMCHAN_RING_PRODUCERS_GONE, m.info->flags);

	pfd.fd = cons;
	pfd.events = POLLIN;
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents & (POLLIN | POLLHUP));

	EXPECT_EQ(3, read(cons, buf, sizeof(buf)));
	EXPECT_EQ(4, read(cons, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "defg", 4));
	EXPECT_EQ(0, read(cons, buf, sizeof(buf)));
	EXPECT_EQ(0, read(cons, buf, sizeof(buf)));

	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(POLLHUP, pfd.revents & (POLLIN | POLLHUP));
	unmap_ring(&m);
	close(cons);
}

TEST_F(ring, write_fails_epipe_after_last_consumer_closes)
{
	struct pollfd pfd;
	struct ring_map m;
	int prod, cons;

	signal(SIGPIPE, SIG_IGN);
	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);
	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, map_ring(prod, &m));

	ASSERT_EQ(3, write(prod, "abc", 3));
	close(cons);
	EXPECT_EQ(0, m.info->consumers);
	EXPECT_EQ(RAMCHAN_RING_CONSUMERS_GONE, m.info->flags);
	errno = 0;
	EXPECT_EQ(-1, write(prod, "def", 3));
	EXPECT_EQ(EPIPE, errno);

	pfd.fd = prod;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(POLLERR, pfd.revents & (POLLOUT | POLLERR));
	unmap_ring(&m);
	close(prod);
}

/* RAMCHAN_IOC_WAIT and RAMCHAN_IOC_WAKE */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void wait_init(struct ramchan_wait *w, uint32_t what, uint64_t expected,
		      uint64_t deadline_ns)
{
	memset(w, 0, sizeof(*w));
	w->what = what;
	w->expected = expected;
	w->deadline_ns = deadline_ns;
	w->events = 0xa5a5a5a5;		/* junk: an output */
}

/* WAIT: 0 or errno. */
static int wait_errno(int fd, struct ramchan_wait *w)
{
	return ioctl(fd, RAMCHAN_IOC_WAIT, w) ? errno : 0;
}

static int wake_errno(int fd, unsigned long who)
{
	return ioctl(fd, RAMCHAN_IOC_WAKE, who) ? errno : 0;
}

TEST_F(ring, wait_with_nonzero_flags_or_reserved_fails_einval)
{
	const uint32_t bad[] = { 1, 0x80000000u, 0xffffffffu };
	struct ramchan_wait w;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		wait_init(&w, RAMCHAN_WAIT_READABLE, 0, 1);
		w.flags = bad[i];
		EXPECT_EQ(EINVAL, wait_errno(self->fd, &w))
			TH_LOG("flags %#x", bad[i]);
		wait_init(&w, RAMCHAN_WAIT_READABLE, 0, 1);
		w.reserved = bad[i];
		EXPECT_EQ(EINVAL, wait_errno(self->fd, &w))
			TH_LOG("reserved %#x", bad[i]);
	}
}

TEST_F(ring, wait_for_unknown_what_fails_einval)
{
	const uint32_t bad[] = { 0, 3, 4, 0xffffffffu };
	struct ramchan_wait w;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		wait_init(&w, bad[i], 0, 1);
		EXPECT_EQ(EINVAL, wait_errno(self->fd, &w))
			TH_LOG("what %#x", bad[i]);
	}
}

TEST_F(ring, wait_for_the_other_role_fails_eperm)
{
	struct ramchan_wait w;
	int prod, cons;

	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);
	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, 1);
	EXPECT_EQ(EPERM, wait_errno(prod, &w));
	wait_init(&w, RAMCHAN_WAIT_WRITABLE, 0, 1);
	EXPECT_EQ(EPERM, wait_errno(cons, &w));
	close(prod);
	close(cons);
}

TEST_F(ring, wait_with_deadline_in_the_past_fails_etimedout)
{
	struct ramchan_wait w;

	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, 1);
	EXPECT_EQ(ETIMEDOUT, wait_errno(self->fd, &w));
	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, now_ns() - 1000000);
	EXPECT_EQ(ETIMEDOUT, wait_errno(self->fd, &w));
	/* a full ring, for the writable side */
	wait_init(&w, RAMCHAN_WAIT_WRITABLE, 0, now_ns());
	EXPECT_EQ(ETIMEDOUT, wait_errno(self->fd, &w));
}

TEST_F(ring, wait_with_expected_other_than_head_returns_at_once)
{
	struct ramchan_wait w;
	uint64_t t0;

	ASSERT_EQ(4, write(self->fd, "moved", 4));
	/* head is 16 now: expecting 0 means it has already moved */
	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, 0);
	t0 = now_ns();
	EXPECT_EQ(0, wait_errno(self->fd, &w));
	EXPECT_GT(t0 + 2000000000ULL, now_ns());
	EXPECT_EQ(POLLIN, w.events & (POLLIN | POLLHUP | POLLERR));
	EXPECT_EQ(RAMCHAN_WAIT_READABLE, w.what);
	EXPECT_EQ(0, w.expected);

	/* tail is 0: expecting 8 for the writable side returns too */
	wait_init(&w, RAMCHAN_WAIT_WRITABLE, 8, 0);
	EXPECT_EQ(0, wait_errno(self->fd, &w));
	EXPECT_EQ(POLLOUT, w.events & (POLLOUT | POLLERR));
}

TEST_F(ring, wait_until_deadline_times_out_after_it)
{
	struct ramchan_wait w;
	uint64_t t0, deadline;

	t0 = now_ns();
	deadline = t0 + 50000000ULL;
	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, deadline);
	EXPECT_EQ(ETIMEDOUT, wait_errno(self->fd, &w));
	EXPECT_LE(deadline, now_ns());
	EXPECT_LE(t0 + 50000000ULL, now_ns());
}

TEST_F(ring, blocked_wait_is_woken_by_write_of_another_process)
{
	struct ring_map m;
	struct ramchan_wait w;
	int status, i;
	pid_t pid;

	ASSERT_EQ(0, map_ring(self->fd, &m));
	EXPECT_EQ(0, m.info->readers_waiting);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Write once the parent is counted as a sleeper. */
		for (i = 0; i < 500 && !m.info->readers_waiting; i++)
			usleep(10000);
		if (!m.info->readers_waiting)
			_exit(1);
		usleep(20000);
		_exit(write(self->fd, "wake", 4) == 4 ? 0 : 2);
	}
	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, now_ns() + 10000000000ULL);
	EXPECT_EQ(0, wait_errno(self->fd, &w));
	EXPECT_EQ(POLLIN, w.events & (POLLIN | POLLHUP | POLLERR));
	EXPECT_EQ(align8(RAMCHAN_REC_HDR_SIZE + 4), m.prod->head);
	EXPECT_EQ(0, m.info->readers_waiting);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	unmap_ring(&m);
}

TEST_F(ring, blocked_writable_wait_is_woken_by_read_of_another_process)
{
	static char buf[4 * 4096];
	struct ring_map m;
	struct ramchan_wait w;
	uint64_t tail;
	int status, i;
	pid_t pid;

	ASSERT_EQ(0, map_ring(self->fd, &m));
	ASSERT_EQ((ssize_t)(self->size - 8), write(self->fd, buf,
						   self->size - 8));
	tail = m.cons->tail;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (i = 0; i < 500 && !m.info->writers_waiting; i++)
			usleep(10000);
		if (!m.info->writers_waiting)
			_exit(1);
		usleep(20000);
		_exit(read(self->fd, buf, sizeof(buf)) ==
		      (ssize_t)(self->size - 8) ? 0 : 2);
	}
	wait_init(&w, RAMCHAN_WAIT_WRITABLE, tail, now_ns() + 10000000000ULL);
	EXPECT_EQ(0, wait_errno(self->fd, &w));
	EXPECT_EQ(POLLOUT, w.events & (POLLOUT | POLLERR));
	EXPECT_EQ(self->size, m.cons->tail);
	EXPECT_EQ(0, m.info->writers_waiting);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	unmap_ring(&m);
}

static void on_sigalrm(int sig)
{
}

TEST_F(ring, wait_interrupted_by_signal_fails_eintr)
{
	struct sigaction sa;
	struct itimerval it;
	struct ramchan_wait w;
	uint64_t t0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigalrm;	/* no SA_RESTART */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 100000;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));

	t0 = now_ns();
	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, now_ns() + 10000000000ULL);
	EXPECT_EQ(EINTR, wait_errno(self->fd, &w));
	EXPECT_GT(t0 + 5000000000ULL, now_ns());

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
}

TEST_F(ring, wait_without_deadline_is_interrupted_by_signal_eintr)
{
	struct sigaction sa;
	struct itimerval it;
	struct ramchan_wait w;
	int cons;

	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigalrm;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 100000;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, 0);
	EXPECT_EQ(EINTR, wait_errno(cons, &w));
	close(cons);
}

TEST_F(ring, wake_with_zero_or_unknown_bits_fails_einval)
{
	const unsigned long bad[] = { 0, 4, 8, 0x80000000ul, ~0ul };
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		EXPECT_EQ(EINVAL, wake_errno(self->fd, bad[i]))
			TH_LOG("who %#lx", bad[i]);
	}
	EXPECT_EQ(EINVAL, wake_errno(self->fd, RAMCHAN_WAKE_READERS | 4));
}

TEST_F(ring, wake_readers_writers_or_both_succeeds)
{
	EXPECT_EQ(0, wake_errno(self->fd, RAMCHAN_WAKE_READERS));
	EXPECT_EQ(0, wake_errno(self->fd, RAMCHAN_WAKE_WRITERS));
	EXPECT_EQ(0, wake_errno(self->fd,
				RAMCHAN_WAKE_READERS | RAMCHAN_WAKE_WRITERS));
}

TEST_F(ring, unknown_channel_ioctl_fails_enotty)
{
	const unsigned long cmds[] = {
		_IO(RAMCHAN_IOC_MAGIC, 0x7f),
		_IOWR(RAMCHAN_IOC_MAGIC, 0x7f, uint64_t),
		_IO(RAMCHAN_IOC_MAGIC, 0xff),
		RAMCHAN_IOC_INFO,
		RAMCHAN_IOC_CREATE,
		RAMCHAN_IOC_OPEN,
		RAMCHAN_IOC_UNLINK,
		_IO(RAMCHAN_IOC_MAGIC, 0x3f),
		_IO(RAMCHAN_IOC_MAGIC + 1, 0x40),
		/* known numbers, wrong direction */
		_IOW(RAMCHAN_IOC_MAGIC, 0x40, struct ramchan_ring_layout),
		_IOR(RAMCHAN_IOC_MAGIC, 0x41, struct ramchan_wait),
		_IOW(RAMCHAN_IOC_MAGIC, 0x42, uint64_t),
	};
	uint64_t buf[32];
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(cmds); i++) {
		memset(buf, 0, sizeof(buf));
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], buf))
			TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

/* poll() */

static short poll_now(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	if (poll(&pfd, 1, 0) < 0)
		return -1;
	return pfd.revents;
}

TEST_F(ring, poll_reports_pollin_and_pollout_as_the_ring_fills)
{
	static char buf[1000];
	int prod, cons, n = 0;

	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, prod);
	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);

	/* empty */
	EXPECT_EQ(POLLOUT, poll_now(self->fd, POLLIN | POLLOUT));
	EXPECT_EQ(0, poll_now(cons, POLLIN | POLLOUT));
	EXPECT_EQ(POLLOUT, poll_now(prod, POLLIN | POLLOUT));

	/* not empty, not full */
	ASSERT_EQ(10, write(prod, buf, 10));
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(self->fd, POLLIN | POLLOUT));
	EXPECT_EQ(POLLIN, poll_now(cons, POLLIN | POLLOUT));
	EXPECT_EQ(POLLOUT, poll_now(prod, POLLIN | POLLOUT));

	/* full */
	while (write(prod, buf, sizeof(buf)) == sizeof(buf))
		ASSERT_GT(100, ++n);
	ASSERT_EQ(EAGAIN, errno);
	EXPECT_EQ(POLLIN, poll_now(self->fd, POLLIN | POLLOUT));
	EXPECT_EQ(POLLIN, poll_now(cons, POLLIN | POLLOUT));
	EXPECT_EQ(0, poll_now(prod, POLLIN | POLLOUT));

	/* drained */
	while (read(cons, buf, sizeof(buf)) > 0 && poll_now(cons, POLLIN))
		;
	EXPECT_EQ(POLLOUT, poll_now(self->fd, POLLIN | POLLOUT));
	EXPECT_EQ(0, poll_now(cons, POLLIN | POLLOUT));
	close(prod);
	close(cons);
}

TEST_F(ring, poll_blocks_until_another_process_writes)
{
	struct pollfd pfd = { .events = POLLIN };
	int status, cons;
	pid_t pid;

	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(100000);
		_exit(write(self->fd, "poll", 4) == 4 ? 0 : 1);
	}
	pfd.fd = cons;
	EXPECT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(cons);
}

static int sigaction_alrm(bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigalrm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	return sigaction(SIGALRM, &sa, NULL);
}

static int alarm_in_ms(unsigned int ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	return setitimer(ITIMER_REAL, &it, NULL);
}

TEST_F(ring, wait_restarts_after_signal_with_sa_restart)
{
	struct ramchan_wait w;
	uint64_t deadline;

	ASSERT_EQ(0, sigaction_alrm(true));
	ASSERT_EQ(0, alarm_in_ms(50));
	deadline = now_ns() + 300000000ULL;
	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, deadline);
	/* The absolute deadline survives the restart. */
	EXPECT_EQ(ETIMEDOUT, wait_errno(self->fd, &w));
	EXPECT_LE(deadline, now_ns());
}

TEST_F(ring, blocking_read_restarts_after_signal_with_sa_restart)
{
	char buf[16];
	int status;
	pid_t pid;

	ASSERT_EQ(0, sigaction_alrm(true));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(300000);
		_exit(write(self->fd, "late", 4) == 4 ? 0 : 1);
	}
	ASSERT_EQ(0, alarm_in_ms(50));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "late", 4));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(ring, blocking_read_is_interrupted_by_signal_eintr)
{
	char buf[16];

	ASSERT_EQ(0, sigaction_alrm(false));
	ASSERT_EQ(0, alarm_in_ms(50));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINTR, errno);
}

TEST_F(ring, blocking_read_waits_for_a_writer_in_another_process)
{
	char buf[32];
	int status;
	pid_t pid;
	uint64_t t0;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(100000);
		_exit(write(self->fd, "blocked-read", 12) == 12 ? 0 : 1);
	}
	t0 = now_ns();
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(12, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "blocked-read", 12));
	EXPECT_LE(t0 + 50000000ULL, now_ns());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(ring, blocking_write_to_full_ring_waits_for_a_reader)
{
	static char buf[4 * 4096];
	size_t big = self->size - RAMCHAN_REC_HDR_SIZE;
	int status;
	pid_t pid;
	uint64_t t0;

	ASSERT_EQ((ssize_t)big, write(self->fd, buf, big));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(100000);
		_exit(read(self->fd, buf, sizeof(buf)) == (ssize_t)big ? 0 : 1);
	}
	t0 = now_ns();
	EXPECT_EQ(8, write(self->fd, "blocking", 8));
	EXPECT_LE(t0 + 50000000ULL, now_ns());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(8, read(self->fd, buf, sizeof(buf)));
}

TEST_F(ring, wait_readable_returns_pollhup_once_producers_are_gone)
{
	struct ramchan_wait w;
	int cons;

	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	close(self->fd);
	self->fd = -1;
	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, now_ns() + 10000000000ULL);
	EXPECT_EQ(0, wait_errno(cons, &w));
	EXPECT_EQ(POLLHUP, w.events & (POLLIN | POLLHUP | POLLERR));
	close(cons);
}

TEST_F(ring, wait_writable_fails_epipe_once_consumers_are_gone)
{
	struct ramchan_wait w;
	int prod;

	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);
	close(self->fd);
	self->fd = -1;
	wait_init(&w, RAMCHAN_WAIT_WRITABLE, 0, now_ns() + 10000000000ULL);
	EXPECT_EQ(EPIPE, wait_errno(prod, &w));
	close(prod);
}

TEST_F(ring, blocked_wait_is_woken_when_the_last_producer_leaves)
{
	struct ramchan_wait w;
	int prod, cons, status;
	pid_t pid;

	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);
	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	close(self->fd);
	self->fd = -1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* the child holds the last producer for a while */
		close(cons);
		usleep(100000);
		_exit(0);
	}
	close(prod);
	wait_init(&w, RAMCHAN_WAIT_READABLE, 0, now_ns() + 10000000000ULL);
	EXPECT_EQ(0, wait_errno(cons, &w));
	EXPECT_EQ(POLLHUP, w.events & (POLLIN | POLLHUP | POLLERR));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(cons);
}

TEST_F(ring, producer_mapping_keeps_consumers_from_eof)
{
	struct ring_map m;
	char buf[16];
	int prod, cons;

	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);
	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, RAMCHAN_F_NONBLOCK);
	ASSERT_LE(0, cons);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, map_ring(prod, &m));
	close(prod);

	/* the mapping is a producer still: empty, not EOF */
	errno = 0;
	EXPECT_EQ(-1, read(cons, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, m.info->producers);
	ASSERT_EQ(0, map_write(&m, "mapped", 6));
	EXPECT_EQ(6, read(cons, buf, sizeof(buf)));

	unmap_ring(&m);
	EXPECT_EQ(0, read(cons, buf, sizeof(buf)));
	EXPECT_EQ(POLLHUP, poll_now(cons, POLLIN));
	close(cons);
}

TEST_F(ring, poll_reports_pollout_while_a_pipe_buf_record_fits)
{
	static char buf[4 * 4096];
	uint64_t room = PIPE_BUF + RAMCHAN_REC_HDR_SIZE;
	size_t first;

	ASSERT_LT(room, self->size / 2);
	/* fill to exactly size - room: a PIPE_BUF record still fits */
	first = self->size - room - RAMCHAN_REC_HDR_SIZE;
	ASSERT_EQ((ssize_t)first, write(self->fd, buf, first));
	EXPECT_EQ(POLLOUT, poll_now(self->fd, POLLOUT));
	/* 16 more bytes: it does not */
	ASSERT_EQ(1, write(self->fd, buf, 1));
	EXPECT_EQ(0, poll_now(self->fd, POLLOUT));
	/* and it still writes, since the record is small */
	EXPECT_EQ(8, write(self->fd, buf, 8));
}

TEST_F(ctl, poll_reports_pollout_while_half_a_small_ring_is_free)
{
	static char buf[4096];
	uint64_t size = page_size();
	size_t first;
	int fd;

	if (size / 2 >= PIPE_BUF + RAMCHAN_REC_HDR_SIZE)
		SKIP(return, "page too large for a small ring");
	fd = ring_create(self->fd, size, NULL, 0, 0, 0);
	ASSERT_LE(0, fd);
	first = size / 2 - RAMCHAN_REC_HDR_SIZE;
	ASSERT_EQ((ssize_t)first, write(fd, buf, first));
	EXPECT_EQ(POLLOUT, poll_now(fd, POLLOUT));
	ASSERT_EQ(1, write(fd, buf, 1));
	EXPECT_EQ(0, poll_now(fd, POLLOUT));
	close(fd);
}

TEST_F(ring, polling_leaves_a_lasting_waiter_count)
{
	struct pollfd pfd = { .events = POLLIN };
	struct ring_map m;
	int cons, prod;

	cons = ring_dup(self->fd, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);
	ASSERT_EQ(0, map_ring(self->fd, &m));
	EXPECT_EQ(0, m.info->readers_waiting);
	EXPECT_EQ(0, m.info->writers_waiting);

	pfd.fd = cons;
	EXPECT_EQ(0, poll(&pfd, 1, 20));
	EXPECT_LE(1, m.info->readers_waiting);
	EXPECT_EQ(0, m.info->writers_waiting);

	pfd.fd = prod;
	pfd.events = POLLIN;	/* a producer never gets POLLIN */
	EXPECT_EQ(0, poll(&pfd, 1, 20));
	EXPECT_LE(1, m.info->writers_waiting);
	/* still, long after */
	usleep(50000);
	EXPECT_LE(1, m.info->readers_waiting);
	EXPECT_LE(1, m.info->writers_waiting);
	unmap_ring(&m);
	close(cons);
	close(prod);
}

/*
 * Corrupt shared state: a named ring (to find it in sysfs) whose shared
 * pages the test scribbles on through a BOTH fd, and a second,
 * independent ring that must not notice.
 */
FIXTURE(corrupt) {
	int ctl;
	int fd;
	int other;
	uint64_t size;
	char name[RAMCHAN_NAME_MAX + 1];
	char dir[DIR_LEN];
	struct ring_map m;
};

FIXTURE_SETUP(corrupt)
{
	self->fd = -1;
	self->other = -1;
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	self->size = 4 * page_size();
	make_name(self->name, sizeof(self->name), "corrupt");
	self->fd = ring_create(self->ctl, self->size, self->name, 0600, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, find_chan_dir(self->name, self->dir, sizeof(self->dir)));
	self->other = ring_create(self->ctl, self->size, NULL, 0, 0, 0);
	ASSERT_LE(0, self->other);
	ASSERT_EQ(0, map_ring(self->fd, &self->m));
}

FIXTURE_TEARDOWN(corrupt)
{
	unmap_ring(&self->m);
	unlink_name(self->ctl, self->name);
	close(self->fd);
	close(self->other);
	close(self->ctl);
}

/* The ring is marked broken, and only that ring. */
static void check_broken(struct __test_metadata *_metadata,
			 FIXTURE_DATA(corrupt) *self)
{
	char buf[64];
	struct ramchan_wait w;
	char path[DIR_LEN + 16], val[32];

	snprintf(path, sizeof(path), "%s/flags", self->dir);
	ASSERT_EQ(0, read_sysfs_str(path, val, sizeof(val)));
	EXPECT_STREQ("0x4", val);
	EXPECT_EQ(RAMCHAN_RING_BROKEN, self->m.info->flags & RAMCHAN_RING_BROKEN);
	/* every later operation fails */
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, "x", 1));
	EXPECT_EQ(EIO, errno);
	wait_init(&w, RAMCHAN_WAIT_READABLE, self->m.prod->head, 0);
	EXPECT_EQ(EIO, wait_errno(self->fd, &w));
	EXPECT_EQ(POLLERR, poll_now(self->fd, POLLIN | POLLOUT));

	/* the other ring does not care */
	EXPECT_EQ(5, write(self->other, "other", 5));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, read(self->other, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "other", 5));
	EXPECT_EQ(0, poll_now(self->other, POLLIN) & POLLERR);
}

TEST_F(corrupt, read_with_head_beyond_tail_plus_size_fails_eio)
{
	char buf[64];

	ASSERT_EQ(3, write(self->fd, "abc", 3));
	EXPECT_EQ(0, chan_attr(self->dir, "flags"));
	self->m.prod->head = self->m.cons->tail + 3 * self->size;
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	check_broken(_metadata, self);
}

TEST_F(corrupt, read_with_head_one_byte_beyond_tail_plus_size_fails_eio)
{
	char buf[64];

	self->m.prod->head = self->size + 8;
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	check_broken(_metadata, self);
}

TEST_F(corrupt, read_with_misaligned_head_fails_eio)
{
	char buf[64];

	/* A complete record, then head one byte past it: misaligned. */
	ASSERT_EQ(4, write(self->fd, "misa", 4));
	ASSERT_EQ(16, self->m.prod->head);
	self->m.prod->head = 17;
	self->m.prod->reserve = 17;
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	check_broken(_metadata, self);
}

TEST_F(corrupt, read_with_head_inside_a_record_fails_eio)
{
	char buf[64];

	ASSERT_EQ(20, write(self->fd, "twenty-bytes-record!", 20));
	/* head 8 bytes short of the end of the record */
	self->m.prod->head = 24;
	self->m.prod->reserve = 24;
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	check_broken(_metadata, self);
}

TEST_F(corrupt, read_with_misaligned_tail_fails_eio)
{
	char buf[64];

	ASSERT_EQ(20, write(self->fd, "twenty-bytes-record!", 20));
	self->m.cons->tail = 4;
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	check_broken(_metadata, self);
}

TEST_F(corrupt, read_of_header_with_unknown_high_bits_fails_eio)
{
	uint64_t hdr;
	char buf[64];

	ASSERT_EQ(4, write(self->fd, "bits", 4));
	memcpy(&hdr, self->m.data, sizeof(hdr));
	ASSERT_EQ(4, hdr);
	hdr |= 1ULL << 32;
	memcpy(self->m.data, &hdr, sizeof(hdr));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	check_broken(_metadata, self);
}

TEST_F(corrupt, read_of_header_with_top_bit_set_fails_eio)
{
	uint64_t hdr;
	char buf[64];

	ASSERT_EQ(4, write(self->fd, "bits", 4));
	hdr = 4 | 1ULL << 63;
	memcpy(self->m.data, &hdr, sizeof(hdr));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	check_broken(_metadata, self);
}

TEST_F(corrupt, discarded_record_is_skipped_not_broken)
{
	uint64_t hdr;
	char buf[64];

	ASSERT_EQ(4, write(self->fd, "skip", 4));
	ASSERT_EQ(4, write(self->fd, "keep", 4));
	hdr = 4 | RAMCHAN_REC_DISCARD;
	memcpy(self->m.data, &hdr, sizeof(hdr));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "keep", 4));
	EXPECT_EQ(0, chan_attr(self->dir, "flags"));
}

TEST_F(corrupt, write_with_reserve_beyond_tail_plus_size_fails_eio)
{
	self->m.prod->reserve = 3 * self->size;
	self->m.prod->head = 3 * self->size;
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, "x", 1));
	EXPECT_EQ(EIO, errno);
	check_broken(_metadata, self);
}

TEST_F(corrupt, write_with_misaligned_reserve_fails_eio)
{
	self->m.prod->reserve = 4;
	self->m.prod->head = 4;
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, "x", 1));
	EXPECT_EQ(EIO, errno);
	check_broken(_metadata, self);
}

/* Limits: RLIMIT_MEMLOCK and the memory cgroup */

struct memlock_child {
	int ctl;
};

/*
 * Child at uid 1000 without CAP_IPC_LOCK, with the control file root
 * opened: ring pages are charged to RLIMIT_MEMLOCK.
 */
static int child_memlock(void *arg)
{
	const struct memlock_child *a = arg;
	struct rlimit rl = { .rlim_cur = 64 << 10, .rlim_max = 64 << 10 };
	uint64_t ps = page_size();
	int fd1, fd2, fd3;

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return CHILD_SETUP_FAILED + 1;
	/* 1 MiB + 3 meta pages > 64 KiB */
	fd1 = ring_create(a->ctl, 1 << 20, NULL, 0, 0, 0);
	if (fd1 != -ENOMEM)
		return 1;
	/* 4 pages + 3 meta pages = 28 KiB fit, twice; not three times */
	fd1 = ring_create(a->ctl, 4 * ps, NULL, 0, 0, 0);
	if (fd1 < 0)
		return 2;
	fd2 = ring_create(a->ctl, 4 * ps, NULL, 0, 0, 0);
	if (fd2 < 0)
		return 3;
	fd3 = ring_create(a->ctl, 4 * ps, NULL, 0, 0, 0);
	if (fd3 != -ENOMEM)
		return 4;
	/* Released when the channel dies. */
	close(fd2);
	fd3 = ring_create(a->ctl, 4 * ps, NULL, 0, 0, 0);
	if (fd3 < 0)
		return 5;
	close(fd3);
	close(fd1);
	/* 8 data + 3 meta pages = 44 KiB: fits once the others are gone */
	fd1 = ring_create(a->ctl, 8 * ps, NULL, 0, 0, 0);
	if (fd1 < 0)
		return 6;
	close(fd1);
	return 0;
}

TEST_F(ctl, rlimit_memlock_limits_rings_of_unprivileged_creator_enomem)
{
	struct memlock_child a = { .ctl = self->fd };

	if (page_size() != 4096)
		SKIP(return, "sizes assume 4 KiB pages");
	EXPECT_EQ(0, run_child(UNPRIV_UID, UNPRIV_GID, child_memlock, &a));
}

static int child_memlock_exempt(void *arg)
{
	const struct memlock_child *a = arg;
	struct rlimit rl = { .rlim_cur = 64 << 10, .rlim_max = 64 << 10 };
	int fd;

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return CHILD_SETUP_FAILED + 1;
	fd = ring_create(a->ctl, 1 << 20, NULL, 0, 0, 0);
	if (fd < 0)
		return 1;
	close(fd);
	return 0;
}

TEST_F(ctl, cap_ipc_lock_is_exempt_from_rlimit_memlock)
{
	struct memlock_child a = { .ctl = self->fd };

	/* root keeps CAP_IPC_LOCK */
	EXPECT_EQ(0, run_child(-1, -1, child_memlock_exempt, &a));
}

#define CGROUP_ROOT	"/sys/fs/cgroup/"
#define CGROUP_TEST	CGROUP_ROOT "ramchan-test"

static int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : n < 0 ? errno : EIO;
}

FIXTURE(memcg) {
	int ctl;
	bool made;
	bool enabled;
	pid_t child;
};

FIXTURE_SETUP(memcg)
{
	char buf[256];

	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	if (read_sysfs_str(CGROUP_ROOT "cgroup.controllers", buf, sizeof(buf)))
		SKIP(return, "no cgroup2 at " CGROUP_ROOT " (%s)",
		     strerror(errno));
	if (!strstr(buf, "memory"))
		SKIP(return, "memory controller missing: cgroup.controllers is \"%s\"",
		     buf);
	if (read_sysfs_str(CGROUP_ROOT "cgroup.subtree_control", buf,
			   sizeof(buf)) == 0 && !strstr(buf, "memory")) {
		ASSERT_EQ(0, write_file(CGROUP_ROOT "cgroup.subtree_control",
					"+memory"));
		self->enabled = true;
	}
	rmdir(CGROUP_TEST);	/* left over by an earlier, killed run */
	ASSERT_EQ(0, mkdir(CGROUP_TEST, 0755)) TH_LOG("mkdir: %s",
						      strerror(errno));
	self->made = true;
}

FIXTURE_TEARDOWN(memcg)
{
	char pid[32];
	int status;

	if (self->child > 0) {
		snprintf(pid, sizeof(pid), "%d", self->child);
		write_file(CGROUP_ROOT "cgroup.procs", pid);
		kill(self->child, SIGKILL);
		waitpid(self->child, &status, 0);
	}
	if (self->made) {
		/* the cgroup may stay busy for a moment after its last task */
		for (int i = 0; i < 200 && rmdir(CGROUP_TEST) && errno == EBUSY;
		     i++)
			usleep(10000);
		EXPECT_FALSE(wait_exists(CGROUP_TEST, true, 0))
			TH_LOG("cannot remove " CGROUP_TEST);
	}
	if (self->enabled)
		write_file(CGROUP_ROOT "cgroup.subtree_control", "-memory");
	close(self->ctl);
}

TEST_F(memcg, ring_pages_are_charged_to_the_creators_memory_cgroup)
{
	const uint64_t size = 16 << 20;
	int go[2], done[2], status;
	long long before, after;
	char pid[32], c;

	if (max_ring_bytes() < size)
		SKIP(return, "max_ring_bytes below 16 MiB");
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		int fd;

		close(go[1]);
		close(done[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(CHILD_SETUP_FAILED);
		fd = ring_create(self->ctl, size, NULL, 0, 0, 0);
		c = fd < 0 ? 1 : 0;
		if (write(done[1], &c, 1) != 1)
			_exit(CHILD_SETUP_FAILED);
		/* keep the ring until the parent has looked */
		if (read(go[0], &c, 1) < 0)
			_exit(CHILD_SETUP_FAILED);
		_exit(0);
	}
	close(go[0]);
	close(done[1]);

	/* Empty and new: nothing is charged to it, no per-cpu stock either. */
	before = read_sysfs_ll(CGROUP_TEST "/memory.current");
	ASSERT_LE(0, before);
	snprintf(pid, sizeof(pid), "%d", self->child);
	ASSERT_EQ(0, write_file(CGROUP_TEST "/cgroup.procs", pid));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_EQ(0, c) TH_LOG("the child could not create the ring");

	after = read_sysfs_ll(CGROUP_TEST "/memory.current");
	EXPECT_LE(before + (long long)size, after)
		TH_LOG("memory.current %lld -> %lld", before, after);

	/* Move it out, let it go. */
	ASSERT_EQ(0, write_file(CGROUP_ROOT "cgroup.procs", pid));
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(go[1]);
	close(done[0]);
}

/* Per-channel sysfs */

FIXTURE(named) {
	int ctl;
	int fd;
	uint64_t size;
	char name[RAMCHAN_NAME_MAX + 1];
	char dir[DIR_LEN];
};

FIXTURE_SETUP(named)
{
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	self->size = 8 * page_size();
	make_name(self->name, sizeof(self->name), "sysfs");
	self->fd = ring_create(self->ctl, self->size, self->name, 0640, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, find_chan_dir(self->name, self->dir, sizeof(self->dir)));
}

FIXTURE_TEARDOWN(named)
{
	unlink_name(self->ctl, self->name);
	close(self->fd);
	close(self->ctl);
}

static int chan_attr_str(const char *dir, const char *attr, char *buf,
			 size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	return read_sysfs_str(path, buf, len);
}

TEST_F(named, sysfs_reports_channel_identity)
{
	char buf[128];

	ASSERT_EQ(0, chan_attr_str(self->dir, "kind", buf, sizeof(buf)));
	EXPECT_STREQ("ring", buf);
	ASSERT_EQ(0, chan_attr_str(self->dir, "name", buf, sizeof(buf)));
	EXPECT_STREQ(self->name, buf);
	ASSERT_EQ(0, chan_attr_str(self->dir, "mode", buf, sizeof(buf)));
	EXPECT_STREQ("0640", buf);
	EXPECT_EQ(0, chan_attr(self->dir, "owner"));
	EXPECT_EQ(0, chan_attr(self->dir, "group"));
	EXPECT_EQ((long long)self->size, chan_attr(self->dir, "size"));
	EXPECT_EQ((long long)(self->size + 3 * page_size()),
		  chan_attr(self->dir, "memory"));
}

TEST_F(named, sysfs_counts_producers_and_consumers)
{
	int prod, cons;

	EXPECT_EQ(1, chan_attr(self->dir, "producers"));
	EXPECT_EQ(1, chan_attr(self->dir, "consumers"));
	prod = ring_dup(self->fd, RAMCHAN_ROLE_PRODUCER, 0);
	ASSERT_LE(0, prod);
	EXPECT_EQ(2, chan_attr(self->dir, "producers"));
	EXPECT_EQ(1, chan_attr(self->dir, "consumers"));
	cons = ring_open(self->ctl, self->name, RAMCHAN_ROLE_CONSUMER, 0);
	ASSERT_LE(0, cons);
	EXPECT_EQ(2, chan_attr(self->dir, "producers"));
	EXPECT_EQ(2, chan_attr(self->dir, "consumers"));
	close(prod);
	close(cons);
	EXPECT_EQ(1, chan_attr(self->dir, "producers"));
	EXPECT_EQ(1, chan_attr(self->dir, "consumers"));
}

TEST_F(named, sysfs_counts_records_and_bytes_in_and_out)
{
	const size_t len[] = { 5, 12, 100 };
	uint64_t total[3], fill, in, out;
	static char buf[256];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		total[i] = align8(RAMCHAN_REC_HDR_SIZE + len[i]);
		memset(buf, 'a' + i, len[i]);
		ASSERT_EQ((ssize_t)len[i], write(self->fd, buf, len[i]));
	}
	ASSERT_EQ((ssize_t)len[0], read(self->fd, buf, sizeof(buf)));
	in = total[0] + total[1] + total[2];
	out = total[0];
	fill = total[1] + total[2];

	EXPECT_EQ((long long)fill, chan_attr(self->dir, "fill"));
	EXPECT_EQ((long long)in, chan_attr(self->dir, "bytes_in"));
	EXPECT_EQ((long long)out, chan_attr(self->dir, "bytes_out"));
	EXPECT_EQ(3, chan_attr(self->dir, "records_in"));
	EXPECT_EQ(1, chan_attr(self->dir, "records_out"));
	EXPECT_LE((long long)fill, chan_attr(self->dir, "high_water"));
	EXPECT_GE((long long)self->size, chan_attr(self->dir, "high_water"));
	EXPECT_EQ(0, chan_attr(self->dir, "waiters"));
	EXPECT_EQ(0, chan_attr(self->dir, "flags"));
}

TEST_F(named, sysfs_counts_a_sleeping_waiter)
{
	struct ramchan_wait w;
	int status, i;
	long long seen = -1;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		wait_init(&w, RAMCHAN_WAIT_READABLE, 0,
			  now_ns() + 10000000000ULL);
		_exit(wait_errno(self->fd, &w));
	}
	for (i = 0; i < 500; i++) {
		seen = chan_attr(self->dir, "waiters");
		if (seen == 1)
			break;
		usleep(10000);
	}
	EXPECT_EQ(1, seen);
	ASSERT_EQ(1, write(self->fd, "w", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, chan_attr(self->dir, "waiters"));
}

TEST_F(named, sysfs_channel_attributes_are_read_only)
{
	static const char *const names[] = {
		"kind", "name", "owner", "group", "mode", "producers",
		"consumers", "memory", "size", "fill", "bytes_in", "bytes_out",
		"records_in", "records_out", "high_water", "waiters", "flags",
	};
	char path[PATH_MAX];
	unsigned int i;
	struct stat st;

	for (i = 0; i < ARRAY_LEN(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir, names[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s", path);
	}
}

TEST_HARNESS_MAIN
