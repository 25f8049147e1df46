// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan CLI: channels from the shell. The commands that make and remove
 * named channels (create, unlink), and what they share with open
 * (chanio_open.c), send (chanio_send.c) and recv (chanio_recv.c),
 * declared in chanio.h: option parsing with operands anywhere, numbers,
 * opening a channel by name, and the errors that say what to do.
 *
 *	ramchan create ring NAME [--size BYTES] [--mode OCTAL]
 *	ramchan create mq NAME [--depth N] [--msg-size BYTES]
 *			       [--overflow block|reject|drop-oldest] [--mode OCTAL]
 *	ramchan unlink NAME...
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/jsonout.h"
#include "chanio.h"

/* ---- shared by the channel commands (chanio.h) ---------------------------- */

int chanio_parse(const struct cli_spec *spec, int argc, char **argv,
		 void *args, int verbatim_after, struct chanio_operands *ops)
{
	int base = 0, next, ret;

	memset(ops, 0, sizeof(*ops));
	ops->word = calloc(argc, sizeof(*ops->word));
	if (!ops->word)
		cli_out_of_memory();
	/*
	 * cli_parse() stops at the first operand; parse again from there,
	 * with the operand as the argv[0] it skips.
	 */
	for (;;) {
		ret = cli_parse(spec, argc - base, argv + base, args);
		if (ret != CLI_CONTINUE)
			return ret;
		next = base + optind;
		if (optind > 1 && !strcmp(argv[next - 1], "--")) {
			ops->dashdash = true;
			break;
		}
		if (next >= argc ||
		    (verbatim_after && ops->nr_word == verbatim_after))
			break;
		ops->word[ops->nr_word++] = argv[next];
		base = next;
	}
	if (!verbatim_after) {
		/* After "--": operands that may look like options. */
		while (next < argc)
			ops->word[ops->nr_word++] = argv[next++];
	} else if (next < argc) {
		ops->rest = argv + next;
		ops->nr_rest = argc - next;
	}
	return CLI_CONTINUE;
}

int chanio_number(const struct cli_spec *spec, const char *opt, const char *s,
		  bool suffix, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned int shift = 0;
	unsigned long long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno)
		goto range;
	if (suffix && *end) {
		switch (*end) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		default: goto bad;
		}
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
	}
	if (*end)
		goto bad;
	if (v > (UINT64_MAX >> shift))
		goto range;
	v <<= shift;
	if (v < min || v > max)
		goto range;
	*out = v;
	return 0;
range:
	return cli_usage_error(spec, "--%s %s: must be from %" PRIu64 " to %" PRIu64,
			       opt, s, min, max);
bad:
	return cli_usage_error(spec, "--%s %s: not a number%s", opt, s,
			       suffix ? " (suffixes: K, M, G for KiB, MiB, GiB)" : "");
}

int chanio_seconds(const struct cli_spec *spec, const char *opt,
		   const char *s, uint64_t *ns)
{
	size_t digits = strspn(s, "0123456789");
	double v;

	/* Digits with one optional fraction: no sign, exponent, inf, nan. */
	if ((!digits && s[0] != '.') ||
	    (s[digits] && (s[digits] != '.' ||
			   s[digits + 1 + strspn(s + digits + 1, "0123456789")])) ||
	    !strcmp(s, "."))
		return cli_usage_error(spec, "--%s %s: not a number of seconds",
				       opt, s);
	v = strtod(s, NULL);
	if (v > 1e9)
		return cli_usage_error(spec, "--%s %s: at most 1000000000 seconds",
				       opt, s);
	*ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

int chanio_check_name(const struct cli_spec *spec, const char *name)
{
	if (!*name)
		return cli_usage_error(spec, "a channel name cannot be empty");
	if (strchr(name, '/'))
		return cli_usage_error(spec, "'%s': a channel name cannot hold '/'",
				       name);
	if (strlen(name) > RAMCHAN_NAME_MAX)
		return cli_usage_error(spec, "'%.20s...': a channel name has at most %d bytes",
				       name, RAMCHAN_NAME_MAX);
	return 0;
}

int chanio_wait_parse(const struct cli_spec *spec, struct chanio_wait *w)
{
	if (w->nonblock && w->timeout)
		return cli_usage_error(spec, "--nonblock and --timeout exclude each other");
	if (w->timeout)
		return chanio_seconds(spec, "timeout", w->timeout, &w->timeout_ns);
	return 0;
}

void chanio_wait_start(struct chanio_wait *w)
{
	w->deadline_ns = w->timeout ? ramchan_deadline_in(w->timeout_ns) : 0;
}

int chanio_error(const char *prog, const char *doing, const char *name,
		 int err)
{
	switch (err) {
	case ENOENT:
		fprintf(stderr, "%s: no channel called '%s': ramchan list shows them\n",
			prog, name);
		return 1;
	case EEXIST:
		fprintf(stderr, "%s: a channel called '%s' exists already: choose another name, or ramchan unlink %s\n",
			prog, name, name);
		return 1;
	}
	fprintf(stderr, "%s: %s '%s': %s\n", prog, doing, name, strerror(err));
	switch (err) {
	case EACCES:
		fprintf(stderr, "%s: its mode does not let you: producers need write (w), consumers read (r) permission; see ramchan create --mode\n",
			prog);
		break;
	case EPERM:
		fprintf(stderr, "%s: only its owner (or CAP_IPC_OWNER) may do that\n",
			prog);
		break;
	case ENOSPC:
		fprintf(stderr, "%s: the module's limit of live channels is reached (ramchan info): unlink some\n",
			prog);
		break;
	case EDQUOT:
		fprintf(stderr, "%s: you have as many channels as one user may (ramchan info): unlink some\n",
			prog);
		break;
	case EMFILE:
		fprintf(stderr, "%s: your queues would hold more than RLIMIT_MSGQUEUE (ulimit -q): a smaller --depth or --msg-size\n",
			prog);
		break;
	case ENOMEM:
		fprintf(stderr, "%s: out of memory, or over RLIMIT_MEMLOCK (ulimit -l) for a ring: try a smaller --size\n",
			prog);
		break;
	}
	return 1;
}

int chanio_ctl(const struct cli_opts *opts)
{
	int fd = open(opts->dev, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		cli_error(opts->dev, errno);
	return fd;
}

int chanio_fdinfo(int fd, struct ramchan_fdinfo *info)
{
	char path[64], text[4096];
	ssize_t len;
	int pfd, err;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	len = read(pfd, text, sizeof(text) - 1);
	err = errno;
	close(pfd);
	if (len < 0)
		return -err;
	text[len] = '\0';
	return ramchan_fdinfo_parse(text, info);
}

/* Open @name as @role; 0 with @chan->fd, or -errno. */
static int chanio_open_role(int ctl, const char *name, unsigned int role,
			    struct chanio_chan *chan)
{
	int fd = ramchan_chan_open(ctl, name, role, 0);

	if (fd < 0)
		return fd;
	chan->fd = fd;
	return 0;
}

int chanio_open(const char *prog, const struct cli_opts *opts,
		const char *name, unsigned int role, bool mailbox,
		struct chanio_chan *chan)
{
	int ctl, err;

	ctl = chanio_ctl(opts);
	if (ctl < 0)
		return 1;
	err = -EACCES;
	if (mailbox && role != RAMCHAN_ROLE_BOTH)
		err = chanio_open_role(ctl, name, RAMCHAN_ROLE_BOTH, chan);
	if (err == -EACCES)
		err = chanio_open_role(ctl, name, role, chan);
	close(ctl);
	if (err)
		return chanio_error(prog, "opening", name, -err);
	err = chanio_fdinfo(chan->fd, &chan->info);
	if (!err && !chan->info.kind)
		err = -EPROTO;
	if (err) {
		fprintf(stderr, "%s: '%s': cannot tell its kind from /proc/self/fdinfo: %s\n",
			prog, name, strerror(-err));
		close(chan->fd);
		return 1;
	}
	return 0;
}

/* ---- ramchan create ----------------------------------------------------- */

struct create_args {
	struct cli_opts common;
	const char *size;
	const char *depth;
	const char *msg_size;
	const char *overflow;
	const char *mode;
};

#define CREATE_OPT(field) offsetof(struct create_args, field)

static const struct cli_opt create_opts[] = {
	{ "size", 's', CLI_OPT_STRING, CREATE_OPT(size), "BYTES",
	  "ring: bytes of data, a power of two (default 64K)" },
	{ "depth", 'n', CLI_OPT_STRING, CREATE_OPT(depth), "N",
	  "mq: most messages queued (default 64)" },
	{ "msg-size", 'S', CLI_OPT_STRING, CREATE_OPT(msg_size), "BYTES",
	  "mq: largest message (default 8K)" },
	{ "overflow", 'o', CLI_OPT_STRING, CREATE_OPT(overflow), "WHAT",
	  "mq: a send to a full queue does block, reject or drop-oldest" },
	{ "mode", 'm', CLI_OPT_STRING, CREATE_OPT(mode), "OCTAL",
	  "who may open it: w to produce, r to consume (default 600)" },
	{ "json", 'j', CLI_OPT_FLAG, CREATE_OPT(common.json), NULL,
	  "JSON: {\"id\", \"kind\", \"name\"}" },
	{ "device", 'd', CLI_OPT_STRING, CREATE_OPT(common.dev), "PATH",
	  "control device (default /dev/ramchan)" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static void create_more_help(FILE *f)
{
	fprintf(f, "\nThe name keeps the channel (and what it holds) until ramchan unlink.\n"
		   "Sizes take K, M, G (KiB, MiB, GiB). Prints the channel id.\n");
}

static const struct cli_spec create_spec = {
	.prog = "ramchan create",
	.usage = "ring NAME [--size BYTES] [--mode OCTAL]\n"
		 "   or: ramchan create mq NAME [--depth N] [--msg-size BYTES]\n"
		 "                     [--overflow block|reject|drop-oldest] [--mode OCTAL]",
	.summary = "Create a named channel: a ring of records or a queue of messages.",
	.opts = create_opts,
	.version = cli_version,
	.more_help = create_more_help,
	.operands = true,
};

static const char *const create_overflows[] = {
	[RAMCHAN_MQ_OVERFLOW_BLOCK] = "block",
	[RAMCHAN_MQ_OVERFLOW_REJECT] = "reject",
	[RAMCHAN_MQ_OVERFLOW_DROP_OLDEST] = "drop-oldest",
};

/* What to create, from the options. */
struct create_values {
	unsigned int kind;
	uint64_t size;		/* ring: bytes; mq: largest message */
	uint32_t depth;
	uint32_t overflow;
	unsigned int mode;
};

/* The options of @c->kind into @c; a usage error when one does not fit. */
static int create_values(const struct create_args *a, struct create_values *c)
{
	unsigned int kind = c->kind;
	const struct cli_spec *spec = &create_spec;
	uint64_t v = 0;
	unsigned int i;
	char *end;

	if (kind == RAMCHAN_KIND_RING && (a->depth || a->msg_size || a->overflow))
		return cli_usage_error(spec, "--depth, --msg-size and --overflow are for queues (mq)");
	if (kind == RAMCHAN_KIND_MQ && a->size)
		return cli_usage_error(spec, "--size is for rings: a queue takes --msg-size");
	if (a->mode) {
		c->mode = strtoul(a->mode, &end, 8);
		if (!*a->mode || *end || strspn(a->mode, "01234567") != strlen(a->mode) ||
		    c->mode > 0777)
			return cli_usage_error(spec, "--mode %s: octal permission bits, 0 to 777",
					       a->mode);
	}
	if (kind == RAMCHAN_KIND_RING) {
		c->size = 64 << 10;
		if (a->size && chanio_number(spec, "size", a->size, true, 1,
					     UINT64_MAX, &c->size))
			return CLI_EXIT_USAGE;
		if (c->size & (c->size - 1))
			return cli_usage_error(spec, "--size %s: a ring's size is a power of two (64K, 1M, ...)",
					       a->size);
		return 0;
	}
	c->size = 8 << 10;
	c->depth = 64;
	if (a->msg_size && chanio_number(spec, "msg-size", a->msg_size, true, 1,
					 UINT32_MAX, &c->size))
		return CLI_EXIT_USAGE;
	if (a->depth) {
		if (chanio_number(spec, "depth", a->depth, false, 1, UINT32_MAX, &v))
			return CLI_EXIT_USAGE;
		c->depth = v;
	}
	if (a->overflow) {
		for (i = 0; i < sizeof(create_overflows) / sizeof(create_overflows[0]); i++)
			if (!strcmp(a->overflow, create_overflows[i]))
				break;
		if (i == sizeof(create_overflows) / sizeof(create_overflows[0]))
			return cli_usage_error(spec, "--overflow %s: one of block, reject, drop-oldest",
					       a->overflow);
		c->overflow = i;
	}
	return 0;
}

/* EINVAL from CREATE: a value past a limit of the module; say which. */
static void create_limits_hint(int ctl, const struct create_values *c)
{
	struct ramchan_info info;

	if (ramchan_get_info(ctl, &info))
		return;
	if (c->kind == RAMCHAN_KIND_RING)
		fprintf(stderr, "ramchan create: a ring's --size is a power of two from %u to %" PRIu64 " bytes here\n",
			info.page_size, (uint64_t)info.max_ring_bytes);
	else
		fprintf(stderr, "ramchan create: a queue's --depth is 1 to %u, its --msg-size 1 to %u bytes here\n",
			info.mq_max_depth, info.mq_max_msg_size);
}

static int create_print(const struct create_args *a, const char *name,
			unsigned int kind, int fd)
{
	struct ramchan_fdinfo info;
	struct json_object *root;
	int ret;

	ret = chanio_fdinfo(fd, &info);
	if (ret) {
		fprintf(stderr, "ramchan create: created '%s', but its id is not in /proc/self/fdinfo: %s\n",
			name, strerror(-ret));
		return 1;
	}
	if (a->common.json) {
		root = jout_object();
		jout_set(root, "id", jout_u64(info.id));
		jout_set(root, "kind", jout_str(ramchan_kind_name(kind)));
		jout_set(root, "name", jout_str(name));
		ret = jout_print(stdout, root, false);
	} else {
		printf("%" PRIu64 "\n", info.id);
	}
	if (ret || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ramchan create: writing the output: %s\n",
			strerror(ret ? -ret : errno));
		return 1;
	}
	return 0;
}

int cmd_create(const struct cli_opts *opts, int argc, char **argv)
{
	struct create_args a = { .common = *opts };
	struct create_values c = { .mode = 0600 };
	struct chanio_operands ops;
	const char *name;
	int ret, ctl, fd;

	ret = chanio_parse(&create_spec, argc, argv, &a, 0, &ops);
	if (ret == CLI_CONTINUE && ops.nr_word != 2)
		ret = cli_usage_error(&create_spec, "needs a kind (ring or mq) and a name");
	if (ret == CLI_CONTINUE) {
		c.kind = ramchan_kind_from_name(ops.word[0]);
		name = ops.word[1];
		if (!c.kind)
			ret = cli_usage_error(&create_spec, "'%s': the kind is ring or mq",
					      ops.word[0]);
	}
	if (ret == CLI_CONTINUE)
		ret = chanio_check_name(&create_spec, name) ?:
		      create_values(&a, &c) ?: CLI_CONTINUE;
	free(ops.word);
	if (ret != CLI_CONTINUE)
		return ret;

	ctl = chanio_ctl(&a.common);
	if (ctl < 0)
		return 1;
	if (c.kind == RAMCHAN_KIND_RING) {
		fd = ramchan_ring_create(ctl, name, c.size, c.mode,
					 RAMCHAN_ROLE_BOTH, 0);
	} else {
		struct ramchan_mq_opts o = {
			.name = name, .depth = c.depth, .msg_size = c.size,
			.overflow = c.overflow, .mode = c.mode,
		};

		fd = ramchan_mq_create(ctl, &o);
	}
	if (fd < 0) {
		ret = chanio_error("ramchan create", "creating", name, -fd);
		if (fd == -EINVAL)
			create_limits_hint(ctl, &c);
		close(ctl);
		return ret;
	}
	close(ctl);
	ret = create_print(&a, name, c.kind, fd);
	close(fd);
	return ret;
}

/* ---- ramchan unlink ----------------------------------------------------- */

static const struct cli_opt unlink_opts[] = {
	{ "device", 'd', CLI_OPT_STRING, offsetof(struct cli_opts, dev), "PATH",
	  "control device (default /dev/ramchan)" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static const struct cli_spec unlink_spec = {
	.prog = "ramchan unlink",
	.usage = "NAME...",
	.summary = "Remove the names of channels. A channel lives on while a process\n"
		   "has it open, and goes when the last one closes it.",
	.opts = unlink_opts,
	.version = cli_version,
	.operands = true,
};

int cmd_unlink(const struct cli_opts *opts, int argc, char **argv)
{
	struct cli_opts a = *opts;
	struct chanio_operands ops;
	int ret, ctl, i, err;

	ret = chanio_parse(&unlink_spec, argc, argv, &a, 0, &ops);
	if (ret == CLI_CONTINUE && !ops.nr_word)
		ret = cli_usage_error(&unlink_spec, "needs the name of a channel");
	for (i = 0; ret == CLI_CONTINUE && i < ops.nr_word; i++)
		ret = chanio_check_name(&unlink_spec, ops.word[i]) ?: CLI_CONTINUE;
	if (ret != CLI_CONTINUE)
		goto out;
	ret = 1;
	ctl = chanio_ctl(&a);
	if (ctl < 0)
		goto out;
	ret = 0;
	for (i = 0; i < ops.nr_word; i++) {
		err = ramchan_chan_unlink(ctl, ops.word[i]);
		if (err)
			ret = chanio_error("ramchan unlink", "unlinking",
					   ops.word[i], -err);
	}
	close(ctl);
out:
	free(ops.word);
	return ret;
}
