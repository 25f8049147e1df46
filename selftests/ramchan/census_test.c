// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan census selftests: each test makes one known IPC object, runs
 * `ramchan --json census` and checks that the census finds it, with the
 * right size and this process as an owner.
 *
 * The CLI is $RAMCHAN_CLI, or /usr/bin/ramchan (tools/vm/run --add
 * build/tools/ramchan:/usr/bin/ramchan). Run as root: the census reads
 * other processes' fds and mappings. The ramchan tests skip without
 * /dev/ramchan (the queue's also while the module prints no fdinfo for
 * queue fds), the POSIX mq test without an mqueue fs on /dev/mqueue.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ramchan.h>

#include "../kselftest_harness.h"

#define MQUEUE_MAGIC	0x19800202

/* ---- a minimal JSON reader: enough to check the census output ------------ */

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	uint64_t num;		/* JSON_NUM (non-negative integers), JSON_BOOL */
	char *str;		/* JSON_STR */
	struct json **items;	/* JSON_ARR, JSON_OBJ */
	char **keys;		/* JSON_OBJ */
	size_t nr;
};

static struct json *json_parse_value(const char **p);

static void json_skip_space(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
		(*p)++;
}

static void json_free(struct json *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->nr; i++) {
		json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	free(j);
}

/* A string; \u escapes other than ASCII become '?': names here are ASCII. */
static char *json_parse_string(const char **p)
{
	size_t len = 0, cap = 64;
	char *s, *t;

	if (**p != '"')
		return NULL;
	(*p)++;
	s = malloc(cap);
	while (s && **p && **p != '"') {
		char ch = *(*p)++;

		if ((unsigned char)ch < 0x20)
			goto fail;
		if (ch == '\\') {
			ch = *(*p)++;
			switch (ch) {
			case 'n':
				ch = '\n';
				break;
			case 't':
				ch = '\t';
				break;
			case 'r':
				ch = '\r';
				break;
			case 'b':
				ch = '\b';
				break;
			case 'f':
				ch = '\f';
				break;
			case '"':
			case '\\':
			case '/':
				break;
			case 'u': {
				unsigned int cp;

				if (sscanf(*p, "%4x", &cp) != 1)
					goto fail;
				*p += 4;
				ch = cp < 0x80 ? (char)cp : '?';
				break;
			}
			default:
				goto fail;
			}
		}
		if (len + 2 > cap) {
			t = realloc(s, cap *= 2);
			if (!t)
				goto fail;
			s = t;
		}
		s[len++] = ch;
	}
	if (!s || **p != '"')
		goto fail;
	(*p)++;
	s[len] = '\0';
	return s;
fail:
	free(s);
	return NULL;
}

static bool json_append(struct json *j, struct json *item, char *key)
{
	struct json **items = realloc(j->items, (j->nr + 1) * sizeof(*items));

	if (!items)
		return false;
	j->items = items;
	if (j->type == JSON_OBJ) {
		char **keys = realloc(j->keys, (j->nr + 1) * sizeof(*keys));

		if (!keys)
			return false;
		j->keys = keys;
		j->keys[j->nr] = key;
	}
	j->items[j->nr++] = item;
	return true;
}

static struct json *json_parse_container(const char **p, enum json_type type)
{
	char close = type == JSON_OBJ ? '}' : ']';
	struct json *j = calloc(1, sizeof(*j)), *item;
	char *key = NULL;

	if (!j)
		return NULL;
	j->type = type;
	(*p)++;
	json_skip_space(p);
	if (**p == close) {
		(*p)++;
		return j;
	}
	for (;;) {
		json_skip_space(p);
		if (type == JSON_OBJ) {
			key = json_parse_string(p);
			json_skip_space(p);
			if (!key || **p != ':')
				goto fail;
			(*p)++;
		}
		item = json_parse_value(p);
		if (!item || !json_append(j, item, key)) {
			json_free(item);
			goto fail;
		}
		key = NULL;
		json_skip_space(p);
		if (**p == ',') {
			(*p)++;
			continue;
		}
		if (**p != close)
			goto fail;
		(*p)++;
		return j;
	}
fail:
	free(key);
	json_free(j);
	return NULL;
}

static struct json *json_parse_value(const char **p)
{
	struct json *j;
	char *end;

	json_skip_space(p);
	if (**p == '{')
		return json_parse_container(p, JSON_OBJ);
	if (**p == '[')
		return json_parse_container(p, JSON_ARR);
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	if (**p == '"') {
		j->type = JSON_STR;
		j->str = json_parse_string(p);
		if (!j->str)
			goto fail;
	} else if (!strncmp(*p, "null", 4)) {
		j->type = JSON_NULL;
		*p += 4;
	} else if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
		j->type = JSON_BOOL;
		j->num = **p == 't';
		*p += j->num ? 4 : 5;
	} else if (**p >= '0' && **p <= '9') {
		j->type = JSON_NUM;
		errno = 0;
		j->num = strtoull(*p, &end, 10);
		if (errno || *end == '.' || *end == 'e' || *end == 'E')
			goto fail;	/* the census prints integers only */
		*p = end;
	} else {
		goto fail;
	}
	return j;
fail:
	json_free(j);
	return NULL;
}

static struct json *json_parse(const char *text)
{
	const char *p = text;
	struct json *j = json_parse_value(&p);

	json_skip_space(&p);
	if (j && *p) {
		json_free(j);
		return NULL;
	}
	return j;
}

static struct json *json_get(const struct json *j, const char *key)
{
	size_t i;

	if (!j || j->type != JSON_OBJ)
		return NULL;
	for (i = 0; i < j->nr; i++)
		if (!strcmp(j->keys[i], key))
			return j->items[i];
	return NULL;
}

static const char *json_str(const struct json *j, const char *key)
{
	const struct json *v = json_get(j, key);

	return v && v->type == JSON_STR ? v->str : NULL;
}

/* A number field, or -1 when absent or null. */
static long long json_num(const struct json *j, const char *key)
{
	const struct json *v = json_get(j, key);

	return v && v->type == JSON_NUM ? (long long)v->num : -1;
}

static bool json_list_has(const struct json *j, const char *key, uint64_t n)
{
	const struct json *v = json_get(j, key);
	size_t i;

	for (i = 0; v && v->type == JSON_ARR && i < v->nr; i++)
		if (v->items[i]->type == JSON_NUM && v->items[i]->num == n)
			return true;
	return false;
}

/* ---- running the census ----------------------------------------------------- */

static const char *census_cli(void)
{
	const char *cli = getenv("RAMCHAN_CLI");

	return cli && *cli ? cli : "/usr/bin/ramchan";
}

/*
 * Run the CLI with @args; its stdout in *@out; return its wait status.
 * Its stderr goes to ours, or nowhere when @quiet.
 */
static int census_exec(const char *const args[], char **out, bool quiet)
{
	size_t len = 0, cap = 65536;
	int p[2], status = -1;
	char *buf, *t;
	ssize_t n;
	pid_t pid;

	*out = NULL;
	buf = malloc(cap);
	if (!buf || pipe2(p, O_CLOEXEC)) {
		free(buf);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		if (quiet) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, STDERR_FILENO);
		}
		execv(census_cli(), (char *const *)args);
		fprintf(stderr, "exec %s: %s\n", census_cli(), strerror(errno));
		_exit(127);
	}
	close(p[1]);
	while (pid > 0) {
		if (len + 1 >= cap) {
			t = realloc(buf, cap *= 2);
			if (!t)
				break;
			buf = t;
		}
		n = read(p[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(p[0]);
	buf[len] = '\0';
	if (pid > 0)
		waitpid(pid, &status, 0);
	*out = buf;
	return status;
}

static struct json *census_run(void)
{
	static const char *const args[] = { "ramchan", "--json", "census", NULL };
	struct json *root;
	char *out;
	int status;

	status = census_exec(args, &out, false);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		ksft_print_msg("ramchan --json census: status %#x\n", status);
		free(out);
		return NULL;
	}
	root = json_parse(out);
	if (!root)
		ksft_print_msg("ramchan --json census: not valid JSON:\n%s\n", out);
	free(out);
	return root;
}

/* The object of @mech with @id, or NULL (and the census is logged). */
static const struct json *census_find(const struct json *root,
				      const char *mech, const char *id)
{
	const struct json *objs = json_get(root, "objects"), *o;
	size_t i;

	for (i = 0; objs && objs->type == JSON_ARR && i < objs->nr; i++) {
		o = objs->items[i];
		if (!strcmp(json_str(o, "mechanism") ?: "", mech) &&
		    !strcmp(json_str(o, "id") ?: "", id))
			return o;
	}
	ksft_print_msg("no %s object with id %s in the census\n", mech, id);
	return NULL;
}

static const struct json *census_summary(const struct json *root,
					 const char *mech)
{
	const struct json *rows = json_get(root, "summary");
	size_t i;

	for (i = 0; rows && rows->type == JSON_ARR && i < rows->nr; i++)
		if (!strcmp(json_str(rows->items[i], "mechanism") ?: "", mech))
			return rows->items[i];
	return NULL;
}

/* How @pid owns @obj ("r,w", "map", ...), or NULL when it does not. */
static const char *census_owner(const struct json *obj, pid_t pid)
{
	const struct json *owners = json_get(obj, "owners");
	size_t i;

	for (i = 0; owners && owners->type == JSON_ARR && i < owners->nr; i++)
		if (json_num(owners->items[i], "pid") == pid)
			return json_str(owners->items[i], "how") ?: "";
	return NULL;
}

static const char *ino_id(int fd, char *buf, size_t size)
{
	struct stat st;

	if (fstat(fd, &st))
		return "?";
	snprintf(buf, size, "%llu", (unsigned long long)st.st_ino);
	return buf;
}

/* ---- fixture: what a test made, undone in teardown -------------------------- */

FIXTURE(census) {
	struct json *root;
	int fds[4];
	pid_t child;
	int msqid;
	int shmid;
	int semid;
	void *shm_addr;
	void *map;
	size_t map_len;
	char path[128];		/* FIFO */
	char shm_name[64];	/* shm_open() */
	char mq_name[64];	/* mq_open() */
};

FIXTURE_SETUP(census)
{
	unsigned int i;

	if (access(census_cli(), X_OK))
		SKIP(return, "no ramchan CLI at %s: set RAMCHAN_CLI or install it",
		     census_cli());
	for (i = 0; i < 4; i++)
		self->fds[i] = -1;
	self->msqid = self->shmid = self->semid = -1;
	self->shm_addr = NULL;
	self->map = NULL;
	self->child = 0;
	self->root = NULL;
	self->path[0] = self->shm_name[0] = self->mq_name[0] = '\0';
}

FIXTURE_TEARDOWN(census)
{
	unsigned int i;

	json_free(self->root);
	for (i = 0; i < 4; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->msqid >= 0)
		msgctl(self->msqid, IPC_RMID, NULL);
	if (self->shm_addr)
		shmdt(self->shm_addr);
	if (self->shmid >= 0)
		shmctl(self->shmid, IPC_RMID, NULL);
	if (self->semid >= 0)
		semctl(self->semid, 0, IPC_RMID);
	if (self->map)
		munmap(self->map, self->map_len);
	if (self->path[0])
		unlink(self->path);
	if (self->shm_name[0])
		shm_unlink(self->shm_name);
	if (self->mq_name[0])
		mq_unlink(self->mq_name);
}

static void fill_write(int fd, size_t len)
{
	char buf[4096];
	size_t n;

	memset(buf, 'x', sizeof(buf));
	while (len) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		if (write(fd, buf, n) != (ssize_t)n)
			return;
		len -= n;
	}
}

/* ---- the tests ---------------------------------------------------------------- */

TEST_F(census, pipe_with_1000_bytes_buffered_is_found_with_capacity_and_owner)
{
	const struct json *obj;
	char id[32];

	ASSERT_EQ(0, pipe2(self->fds, O_CLOEXEC));
	ASSERT_EQ(1000, write(self->fds[1], memset(alloca(1000), 'p', 1000), 1000));
	ASSERT_NE(NULL, self->root = census_run());
	obj = census_find(self->root, "pipe", ino_id(self->fds[0], id, sizeof(id)));
	ASSERT_NE(NULL, obj);
	EXPECT_EQ(1000, json_num(obj, "queued_bytes"));
	EXPECT_EQ(fcntl(self->fds[0], F_GETPIPE_SZ),
		  json_num(obj, "capacity_bytes"));
	EXPECT_EQ(sysconf(_SC_PAGESIZE), json_num(obj, "held_bytes"));
	EXPECT_EQ(1, json_num(obj, "reader_fds"));
	EXPECT_EQ(1, json_num(obj, "writer_fds"));
	ASSERT_NE(NULL, census_owner(obj, getpid()));
	EXPECT_STREQ("r,w", census_owner(obj, getpid()));
}

TEST_F(census, fifo_with_500_bytes_buffered_is_found_by_its_path)
{
	const struct json *obj;
	char id[32];

	snprintf(self->path, sizeof(self->path), "/tmp/ramchan-census-fifo-%d",
		 getpid());
	ASSERT_EQ(0, mkfifo(self->path, 0600));
	self->fds[0] = open(self->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, self->fds[0]);
	fill_write(self->fds[0], 500);
	ASSERT_NE(NULL, self->root = census_run());
	obj = census_find(self->root, "fifo", ino_id(self->fds[0], id, sizeof(id)));
	ASSERT_NE(NULL, obj);
	EXPECT_STREQ(self->path, json_str(obj, "name") ?: "");
	EXPECT_EQ(500, json_num(obj, "queued_bytes"));
	EXPECT_STREQ("rw", census_owner(obj, getpid()) ?: "(not an owner)");
}

TEST_F(census, unix_stream_pair_with_3000_bytes_queued_is_found)
{
	const struct json *rx, *tx;
	char id[32], peer[32];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, self->fds));
	fill_write(self->fds[0], 3000);
	ASSERT_NE(NULL, self->root = census_run());
	ino_id(self->fds[0], peer, sizeof(peer));
	rx = census_find(self->root, "unix_stream",
			 ino_id(self->fds[1], id, sizeof(id)));
	ASSERT_NE(NULL, rx);
	EXPECT_EQ(3000, json_num(rx, "queued_bytes"));
	EXPECT_STREQ("connected", json_str(rx, "state") ?: "");
	/* Only sock_diag knows peers. */
	if (json_get(rx, "peer"))
		EXPECT_EQ(atoll(peer), json_num(rx, "peer"));
	EXPECT_NE(NULL, census_owner(rx, getpid()));
	tx = census_find(self->root, "unix_stream", peer);
	ASSERT_NE(NULL, tx);
	EXPECT_EQ(0, json_num(tx, "queued_bytes"));
	/* The skb is charged to the sender: at least the payload. */
	EXPECT_LE(3000, json_num(tx, "held_bytes"));
	EXPECT_NE(NULL, census_owner(tx, getpid()));
	EXPECT_LE(3000, json_num(census_summary(self->root, "unix_stream"),
				 "queued_bytes"));
}

TEST_F(census, unix_dgram_pair_reports_the_next_datagram_and_memory_held)
{
	const struct json *rx, *tx;
	char id[32], txid[32];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, self->fds));
	fill_write(self->fds[0], 100);
	fill_write(self->fds[0], 200);
	ASSERT_NE(NULL, self->root = census_run());
	rx = census_find(self->root, "unix_dgram",
			 ino_id(self->fds[1], id, sizeof(id)));
	ASSERT_NE(NULL, rx);
	/* The kernel reports the length of the next datagram only. */
	EXPECT_EQ(100, json_num(rx, "queued_bytes"));
	EXPECT_NE(NULL, census_owner(rx, getpid()));
	tx = census_find(self->root, "unix_dgram",
			 ino_id(self->fds[0], txid, sizeof(txid)));
	ASSERT_NE(NULL, tx);
	EXPECT_LE(300, json_num(tx, "held_bytes"));
}

TEST_F(census, unix_seqpacket_pair_reports_every_queued_byte)
{
	const struct json *rx;
	char id[32];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				self->fds));
	fill_write(self->fds[0], 100);
	fill_write(self->fds[0], 200);
	ASSERT_NE(NULL, self->root = census_run());
	rx = census_find(self->root, "unix_seqpacket",
			 ino_id(self->fds[1], id, sizeof(id)));
	ASSERT_NE(NULL, rx);
	EXPECT_EQ(300, json_num(rx, "queued_bytes"));
	EXPECT_NE(NULL, census_owner(rx, getpid()));
}

TEST_F(census, tcp_loopback_connection_with_4000_bytes_queued_is_found)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(sin);
	const struct json *obj;
	char id[32], local[64];
	int i, queued = 0;

	self->fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, self->fds[0]);
	ASSERT_EQ(0, bind(self->fds[0], (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(self->fds[0], 1));
	ASSERT_EQ(0, getsockname(self->fds[0], (struct sockaddr *)&sin, &len));
	self->fds[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, self->fds[1]);
	ASSERT_EQ(0, connect(self->fds[1], (struct sockaddr *)&sin, sizeof(sin)));
	self->fds[2] = accept4(self->fds[0], NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, self->fds[2]);
	fill_write(self->fds[1], 4000);
	/* Loopback delivers from softirq: wait until all of it is there. */
	for (i = 0; i < 200 && queued < 4000; i++) {
		ASSERT_EQ(0, ioctl(self->fds[2], FIONREAD, &queued));
		if (queued < 4000)
			usleep(10000);
	}
	ASSERT_EQ(4000, queued);

	ASSERT_NE(NULL, self->root = census_run());
	obj = census_find(self->root, "tcp", ino_id(self->fds[2], id, sizeof(id)));
	ASSERT_NE(NULL, obj);
	EXPECT_STREQ("established", json_str(obj, "state") ?: "");
	EXPECT_EQ(4000, json_num(obj, "receive_queue"));
	EXPECT_LE(4000, json_num(obj, "queued_bytes"));
	snprintf(local, sizeof(local), "127.0.0.1:%u", ntohs(sin.sin_port));
	EXPECT_STREQ(local, json_str(obj, "local") ?: "");
	EXPECT_NE(NULL, census_owner(obj, getpid()));
	obj = census_find(self->root, "tcp", ino_id(self->fds[0], id, sizeof(id)));
	ASSERT_NE(NULL, obj);
	EXPECT_STREQ("listen", json_str(obj, "state") ?: "");
}

TEST_F(census, posix_mq_with_two_100_byte_messages_is_found)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 128 };
	const struct json *obj;
	struct statfs sfs;
	char msg[100];
	mqd_t q;

	if (statfs("/dev/mqueue", &sfs) || sfs.f_type != MQUEUE_MAGIC)
		SKIP(return, "no mqueue fs on /dev/mqueue");
	snprintf(self->mq_name, sizeof(self->mq_name), "/ramchan-census-%d",
		 getpid());
	q = mq_open(self->mq_name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600,
		    &attr);
	ASSERT_NE((mqd_t)-1, q) TH_LOG("mq_open: %s", strerror(errno));
	self->fds[0] = q;
	memset(msg, 'm', sizeof(msg));
	ASSERT_EQ(0, mq_send(q, msg, sizeof(msg), 0));
	ASSERT_EQ(0, mq_send(q, msg, sizeof(msg), 1));

	ASSERT_NE(NULL, self->root = census_run());
	obj = census_find(self->root, "posix_mq", self->mq_name);
	ASSERT_NE(NULL, obj);
	EXPECT_EQ(200, json_num(obj, "queued_bytes"));
	EXPECT_EQ(2, json_num(obj, "messages"));
	EXPECT_EQ(4 * 128, json_num(obj, "capacity_bytes"));
	EXPECT_STREQ("rw", census_owner(obj, getpid()) ?: "(not an owner)");
}

TEST_F(census, sysv_msg_queue_with_500_bytes_is_found_with_its_sender)
{
	struct {
		long mtype;
		char mtext[500];
	} msg = { .mtype = 1 };
	const struct json *obj;
	struct msqid_ds ds;
	char id[32];

	self->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, self->msqid);
	ASSERT_EQ(0, msgsnd(self->msqid, &msg, sizeof(msg.mtext), 0));
	ASSERT_EQ(0, msgctl(self->msqid, IPC_STAT, &ds));

	ASSERT_NE(NULL, self->root = census_run());
	snprintf(id, sizeof(id), "%d", self->msqid);
	obj = census_find(self->root, "sysv_msg", id);
	ASSERT_NE(NULL, obj);
	EXPECT_EQ(500, json_num(obj, "queued_bytes"));
	EXPECT_EQ(1, json_num(obj, "messages"));
	EXPECT_EQ((long long)ds.msg_qbytes, json_num(obj, "capacity_bytes"));
	EXPECT_STREQ("last-send", census_owner(obj, getpid()) ?: "(not an owner)");
}

TEST_F(census, sysv_shm_of_1mib_touched_is_found_resident_and_attached)
{
	const size_t size = 1 << 20;
	const struct json *obj;
	const char *how;
	char id[32];

	self->shmid = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	ASSERT_LE(0, self->shmid);
	self->shm_addr = shmat(self->shmid, NULL, 0);
	ASSERT_NE((void *)-1, self->shm_addr);
	memset(self->shm_addr, 's', size);

	ASSERT_NE(NULL, self->root = census_run());
	snprintf(id, sizeof(id), "%d", self->shmid);
	obj = census_find(self->root, "sysv_shm", id);
	ASSERT_NE(NULL, obj);
	EXPECT_EQ((long long)size, json_num(obj, "capacity_bytes"));
	EXPECT_EQ((long long)size, json_num(obj, "held_bytes"));
	EXPECT_EQ(1, json_num(obj, "attached"));
	how = census_owner(obj, getpid());
	ASSERT_NE(NULL, how);
	EXPECT_NE(NULL, strstr(how, "creator")) TH_LOG("how: %s", how);
	EXPECT_NE(NULL, strstr(how, "map")) TH_LOG("how: %s", how);
}

TEST_F(census, sysv_sem_set_is_found_with_its_last_user)
{
	struct sembuf op = { .sem_num = 1, .sem_op = 1 };
	const struct json *obj;
	char id[32];

	self->semid = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	ASSERT_LE(0, self->semid);
	ASSERT_EQ(0, semop(self->semid, &op, 1));

	ASSERT_NE(NULL, self->root = census_run());
	snprintf(id, sizeof(id), "%d", self->semid);
	obj = census_find(self->root, "sysv_sem", id);
	ASSERT_NE(NULL, obj);
	EXPECT_EQ(3, json_num(obj, "semaphores"));
	EXPECT_EQ(0, json_num(obj, "waiters"));
	EXPECT_STREQ("last-op", census_owner(obj, getpid()) ?: "(not an owner)");
	EXPECT_LE(3, json_num(census_summary(self->root, "sysv_sem"),
			      "semaphores"));
}

TEST_F(census, dev_shm_file_of_256kib_written_is_found_held)
{
	const struct json *obj;
	char id[32], path[128];

	snprintf(self->shm_name, sizeof(self->shm_name), "/ramchan-census-%d",
		 getpid());
	self->fds[0] = shm_open(self->shm_name, O_CREAT | O_EXCL | O_RDWR, 0600);
	ASSERT_LE(0, self->fds[0]) TH_LOG("shm_open: %s", strerror(errno));
	fill_write(self->fds[0], 256 << 10);

	ASSERT_NE(NULL, self->root = census_run());
	obj = census_find(self->root, "posix_shm",
			  ino_id(self->fds[0], id, sizeof(id)));
	ASSERT_NE(NULL, obj);
	snprintf(path, sizeof(path), "/dev/shm%s", self->shm_name);
	EXPECT_STREQ(path, json_str(obj, "name") ?: "");
	EXPECT_EQ(256 << 10, json_num(obj, "held_bytes"));
	EXPECT_EQ(256 << 10, json_num(obj, "capacity_bytes"));
	EXPECT_STREQ("rw", census_owner(obj, getpid()) ?: "(not an owner)");
}

TEST_F(census, unlinked_dev_shm_file_still_mapped_is_found_deleted)
{
	const size_t size = 64 << 10;
	const struct json *obj;
	char id[32];
	int fd;

	snprintf(self->shm_name, sizeof(self->shm_name), "/ramchan-census-%d",
		 getpid());
	fd = shm_open(self->shm_name, O_CREAT | O_EXCL | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, size));
	self->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ino_id(fd, id, sizeof(id));
	close(fd);
	ASSERT_NE(MAP_FAILED, self->map);
	self->map_len = size;
	memset(self->map, 'd', size);
	ASSERT_EQ(0, shm_unlink(self->shm_name));
	self->shm_name[0] = '\0';

	ASSERT_NE(NULL, self->root = census_run());
	obj = census_find(self->root, "posix_shm", id);
	ASSERT_NE(NULL, obj);
	EXPECT_EQ(1, json_num(obj, "deleted"));
	EXPECT_STREQ("map", census_owner(obj, getpid()) ?: "(not an owner)");
	/* Sizes of deleted files come from /proc/PID/map_files: root. */
	if (!geteuid())
		EXPECT_EQ((long long)size, json_num(obj, "held_bytes"));
}

TEST_F(census, rt_signal_queued_to_a_blocking_child_is_found_pending)
{
	union sigval value = { .sival_int = 42 };
	const struct json *obj;
	char status[4096], path[64], id[32], ready;
	unsigned long long shdpnd = 0;
	const char *p;
	sigset_t set;
	int i, ready_pipe[2];

	ASSERT_EQ(0, pipe2(ready_pipe, O_CLOEXEC));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		sigemptyset(&set);
		sigaddset(&set, SIGRTMIN);
		sigprocmask(SIG_BLOCK, &set, NULL);
		ready = 1;
		if (write(ready_pipe[1], &ready, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready_pipe[1]);
	ASSERT_EQ(1, read(ready_pipe[0], &ready, 1));
	close(ready_pipe[0]);
	ASSERT_EQ(0, sigqueue(self->child, SIGRTMIN, value));
	/* Queued synchronously; still, wait until /proc shows it. */
	snprintf(path, sizeof(path), "/proc/%d/status", self->child);
	for (i = 0; i < 100 && !(shdpnd & (1ULL << (SIGRTMIN - 1))); i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, status, sizeof(status) - 1) : -1;

		if (fd >= 0)
			close(fd);
		status[n > 0 ? n : 0] = '\0';
		p = strstr(status, "ShdPnd:");
		shdpnd = p ? strtoull(p + 7, NULL, 16) : 0;
		if (!(shdpnd & (1ULL << (SIGRTMIN - 1))))
			usleep(10000);
	}
	ASSERT_TRUE(!!(shdpnd & (1ULL << (SIGRTMIN - 1))));

	ASSERT_NE(NULL, self->root = census_run());
	snprintf(id, sizeof(id), "%d", self->child);
	obj = census_find(self->root, "signals", id);
	ASSERT_NE(NULL, obj);
	EXPECT_TRUE(json_list_has(obj, "pending", SIGRTMIN));
	EXPECT_TRUE(json_list_has(obj, "blocked", SIGRTMIN));
	EXPECT_LE(1, json_num(obj, "user_queued"));
	EXPECT_STREQ("pending", census_owner(obj, self->child) ?: "(not an owner)");
	EXPECT_LE(1, json_num(census_summary(self->root, "signals"), "signals"));
}

TEST_F(census, ramchan_ring_of_64kib_is_found_with_its_fill)
{
	struct ramchan_create create = {
		.kind = RAMCHAN_KIND_RING,
		.size = 64 << 10,
		.role = RAMCHAN_ROLE_BOTH,
	};
	const struct json *objs, *obj = NULL, *row, *holders;
	char record[1000];
	bool owned = false;
	size_t i;

	self->fds[0] = open("/dev/ramchan", O_RDWR | O_CLOEXEC);
	if (self->fds[0] < 0)
		SKIP(return, "no /dev/ramchan: %s", strerror(errno));
	self->fds[1] = ioctl(self->fds[0], RAMCHAN_IOC_CREATE, &create);
	ASSERT_LE(0, self->fds[1]) TH_LOG("CREATE: %s", strerror(errno));
	memset(record, 'r', sizeof(record));
	ASSERT_EQ(1000, write(self->fds[1], record, sizeof(record)));

	ASSERT_NE(NULL, self->root = census_run());
	row = census_summary(self->root, "ramchan");
	ASSERT_NE(NULL, row);
	EXPECT_STREQ("ok", json_str(row, "status") ?: "");
	/* Our ring: 64 KiB holding one 1000-byte record (8-byte header). */
	objs = json_get(self->root, "objects");
	for (i = 0; objs && i < objs->nr; i++) {
		const struct json *o = objs->items[i];

		if (!strcmp(json_str(o, "mechanism") ?: "", "ramchan") &&
		    json_num(o, "capacity_bytes") == 64 << 10 &&
		    json_num(o, "queued_bytes") == 1008)
			obj = o;
	}
	ASSERT_NE(NULL, obj) TH_LOG("no 64 KiB ring with 1008 bytes in the census");
	EXPECT_STREQ("ring", json_str(obj, "kind") ?: "");
	EXPECT_LE(64 << 10, json_num(obj, "held_bytes"));
	EXPECT_EQ(1, json_num(obj, "producers"));
	EXPECT_EQ(1, json_num(obj, "consumers"));
	EXPECT_EQ(1, json_num(obj, "records_waiting"));
	EXPECT_EQ((long long)geteuid(), json_num(obj, "uid"));
	/* Owners are exact with one channel; with more, only holders. */
	owned = census_owner(obj, getpid()) != NULL;
	holders = json_get(row, "holders");
	for (i = 0; !owned && holders && i < holders->nr; i++)
		owned = holders->items[i]->num == (uint64_t)getpid();
	EXPECT_TRUE(owned);
}

/* The channel id /proc/self/fdinfo/@fd names, or 0 when it names none. */
static unsigned long long fdinfo_chan_id(int fd)
{
	char path[64], buf[1024];
	const char *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return 0;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	buf[n > 0 ? n : 0] = '\0';
	p = strstr(buf, "ramchan-id:\t");
	return p ? strtoull(p + strlen("ramchan-id:\t"), NULL, 10) : 0;
}

static const struct json *census_find_chan(const struct json *root, int fd)
{
	char id[32];

	snprintf(id, sizeof(id), "%llu", fdinfo_chan_id(fd));
	return census_find(root, "ramchan", id);
}

TEST_F(census, ramchan_rings_are_attributed_to_their_holders_by_fdinfo)
{
	struct ramchan_create create = {
		.kind = RAMCHAN_KIND_RING,
		.size = 64 << 10,
		.role = RAMCHAN_ROLE_BOTH,
	};
	/* Only this fd survives an exec: a child holds just the consumer. */
	struct ramchan_dup dup = {
		.role = RAMCHAN_ROLE_CONSUMER,
		.flags = RAMCHAN_F_NOCLOEXEC,
	};
	char *const sleeper[] = { "sleep", "600", NULL };
	const struct json *a, *b;

	self->fds[0] = open("/dev/ramchan", O_RDWR | O_CLOEXEC);
	if (self->fds[0] < 0)
		SKIP(return, "no /dev/ramchan: %s", strerror(errno));
	/* Two rings: owners must come from fdinfo, not from "the only one". */
	self->fds[1] = ioctl(self->fds[0], RAMCHAN_IOC_CREATE, &create);
	ASSERT_LE(0, self->fds[1]);
	self->fds[2] = ioctl(self->fds[0], RAMCHAN_IOC_CREATE, &create);
	ASSERT_LE(0, self->fds[2]);
	self->fds[3] = ioctl(self->fds[2], RAMCHAN_IOC_DUP, &dup);
	ASSERT_LE(0, self->fds[3]);
	ASSERT_NE(0, fdinfo_chan_id(self->fds[1]))
		TH_LOG("this module prints no fdinfo for ring fds");
	/* posix_spawn() returns once the child has exec()ed. */
	ASSERT_EQ(0, posix_spawnp(&self->child, "sleep", NULL, NULL, sleeper,
				  environ));
	close(self->fds[3]);
	self->fds[3] = -1;

	ASSERT_NE(NULL, self->root = census_run());
	a = census_find_chan(self->root, self->fds[1]);
	ASSERT_NE(NULL, a);
	b = census_find_chan(self->root, self->fds[2]);
	ASSERT_NE(NULL, b);
	EXPECT_STREQ("producer,consumer",
		     census_owner(a, getpid()) ?: "(not an owner)");
	EXPECT_EQ(NULL, census_owner(a, self->child));
	EXPECT_STREQ("producer,consumer",
		     census_owner(b, getpid()) ?: "(not an owner)");
	EXPECT_STREQ("consumer", census_owner(b, self->child) ?: "(not an owner)");
}

TEST_F(census, ramchan_queue_is_attributed_to_its_holder_by_fdinfo)
{
	struct ramchan_create create = {
		.kind = RAMCHAN_KIND_MQ,
		.size = 64,
		.role = RAMCHAN_ROLE_PRODUCER,
		.mq_depth = 4,
	};
	const struct json *obj;

	self->fds[0] = open("/dev/ramchan", O_RDWR | O_CLOEXEC);
	if (self->fds[0] < 0)
		SKIP(return, "no /dev/ramchan: %s", strerror(errno));
	self->fds[1] = ioctl(self->fds[0], RAMCHAN_IOC_CREATE, &create);
	ASSERT_LE(0, self->fds[1]) TH_LOG("CREATE: %s", strerror(errno));
	if (!fdinfo_chan_id(self->fds[1]))
		SKIP(return, "this module prints no fdinfo for queue fds yet");

	ASSERT_NE(NULL, self->root = census_run());
	obj = census_find_chan(self->root, self->fds[1]);
	ASSERT_NE(NULL, obj);
	EXPECT_STREQ("mq", json_str(obj, "kind") ?: "");
	EXPECT_STREQ("producer", census_owner(obj, getpid()) ?: "(not an owner)");
}

TEST_F(census, summary_has_a_row_for_every_mechanism)
{
	static const char *const mechs[] = {
		"pipe", "fifo", "unix_stream", "unix_dgram", "unix_seqpacket",
		"tcp", "posix_mq", "sysv_msg", "sysv_shm", "sysv_sem",
		"posix_shm", "signals", "ramchan",
	};
	const struct json *row;
	unsigned int i;

	ASSERT_NE(NULL, self->root = census_run());
	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		row = census_summary(self->root, mechs[i]);
		ASSERT_NE(NULL, row) TH_LOG("no summary row for %s", mechs[i]);
		EXPECT_NE(NULL, json_str(row, "status"));
		EXPECT_LE(0, json_num(row, "objects"));
	}
	if (access("/sys/kernel/ramchan", F_OK))
		EXPECT_STREQ("module not loaded",
			     json_str(census_summary(self->root, "ramchan"),
				      "status") ?: "");
	EXPECT_NE(NULL, json_get(json_get(self->root, "total"), "held_bytes"));
}

TEST_F(census, table_output_lists_every_mechanism)
{
	static const char *const args[] = { "ramchan", "census", "-v", NULL };
	char *out;
	int status;

	status = census_exec(args, &out, false);
	ASSERT_NE(NULL, out);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_NE(NULL, strstr(out, "MECHANISM"));
	EXPECT_NE(NULL, strstr(out, "UNIX seqpacket"));
	EXPECT_NE(NULL, strstr(out, "ramchan"));
	EXPECT_NE(NULL, strstr(out, "total"));
	free(out);
}

TEST_F(census, unknown_mechanism_or_option_fails_with_status_2)
{
	static const char *const bad_mech[] = {
		"ramchan", "census", "--only", "pipe,nosuch", NULL
	};
	static const char *const bad_opt[] = {
		"ramchan", "census", "--bogus", NULL
	};
	char *out;
	int status;

	status = census_exec(bad_mech, &out, true);
	free(out);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
	status = census_exec(bad_opt, &out, true);
	free(out);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
}

TEST_F(census, only_filter_keeps_just_the_named_mechanisms)
{
	static const char *const args[] = {
		"ramchan", "--json", "census", "--only", "pipe,sysv_shm", NULL
	};
	const struct json *rows, *objs;
	char *out;
	size_t i;
	int status;

	ASSERT_EQ(0, pipe2(self->fds, O_CLOEXEC));
	status = census_exec(args, &out, false);
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	self->root = json_parse(out);
	free(out);
	ASSERT_NE(NULL, self->root);
	rows = json_get(self->root, "summary");
	ASSERT_NE(NULL, rows);
	EXPECT_EQ(2U, rows->nr);
	objs = json_get(self->root, "objects");
	ASSERT_NE(NULL, objs);
	EXPECT_LE(1U, objs->nr);
	for (i = 0; i < objs->nr; i++) {
		const char *m = json_str(objs->items[i], "mechanism") ?: "";

		EXPECT_TRUE(!strcmp(m, "pipe") || !strcmp(m, "sysv_shm"))
			TH_LOG("object of %s", m);
	}
}

TEST_HARNESS_MAIN
