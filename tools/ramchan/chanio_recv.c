// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan recv: messages out of a named channel to stdout, each payload
 * and a newline, or one JSON object a line. Rings (records) and queues
 * (messages, highest priority first) alike; the kind comes from the
 * channel's fdinfo.
 *
 *	ramchan recv NAME [-n COUNT] [--json] [--nonblock | --timeout SEC]
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/jsonout.h"
#include "chanio.h"

struct recv_args {
	struct cli_opts common;
	const char *count;
	struct chanio_wait wait;
};

#define RECV_OPT(field) offsetof(struct recv_args, field)

static const struct cli_opt recv_opts[] = {
	{ "count", 'n', CLI_OPT_STRING, RECV_OPT(count), "COUNT",
	  "receive COUNT messages (default 1); 0: until the timeout or empty" },
	{ "nonblock", 'N', CLI_OPT_FLAG, RECV_OPT(wait.nonblock), NULL,
	  "do not wait: stop when the channel is empty" },
	{ "timeout", 't', CLI_OPT_STRING, RECV_OPT(wait.timeout), "SEC",
	  "stop SEC seconds after the start (default: wait)" },
	{ "json", 'j', CLI_OPT_FLAG, RECV_OPT(common.json), NULL,
	  "a JSON object a message: {\"len\", \"prio\", \"data\"[, \"base64\"]}" },
	{ "device", 'd', CLI_OPT_STRING, RECV_OPT(common.dev), "PATH",
	  "control device (default /dev/ramchan)" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static void recv_more_help(FILE *f)
{
	fprintf(f, "\nJSON: \"data\" is the payload as text (bytes that are not UTF-8 become\n"
		   "U+FFFD); when that is not exactly the payload (not UTF-8, or NUL\n"
		   "bytes), \"base64\" holds it too. A ring's records have \"prio\" 0.\n"
		   "\nexit status: 0 when COUNT messages came (with -n 0: whatever came),\n"
		   "1 when fewer came before the timeout or the channel was empty.\n");
}

static const struct cli_spec recv_spec = {
	.prog = "ramchan recv",
	.usage = "NAME [-n COUNT] [--json] [--nonblock | --timeout SEC]",
	.summary = "Receive messages from the channel NAME and print them, one a line.",
	.opts = recv_opts,
	.version = cli_version,
	.more_help = recv_more_help,
	.operands = true,
};

/* The channel being received from, and where each message goes. */
struct receiver {
	const char *name;
	struct chanio_chan chan;
	struct ramchan_ring ring;	/* a ring: mapped */
	char *buf;			/* a message, and a NUL */
	uint64_t cap;
	const struct chanio_wait *wait;
	bool json;
};

static char *recv_base64(const unsigned char *p, size_t len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
	uint32_t v;
	size_t i;

	if (!out)
		cli_out_of_memory();
	for (i = 0; i < len; i += 3) {
		v = p[i] << 16 | (i + 1 < len ? p[i + 1] << 8 : 0) |
		    (i + 2 < len ? p[i + 2] : 0);
		*o++ = digits[v >> 18];
		*o++ = digits[(v >> 12) & 63];
		*o++ = i + 1 < len ? digits[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? digits[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* Print one message; 0 or -errno of the write. */
static int recv_print(struct receiver *r, const void *data, uint32_t len,
		      uint32_t prio)
{
	struct json_object *root, *text;
	char *b64;

	if (!r->json) {
		if (fwrite(data, 1, len, stdout) != len || putchar('\n') == EOF ||
		    fflush(stdout))
			return -errno;
		return 0;
	}
	if (data != r->buf)
		memcpy(r->buf, data, len);
	r->buf[len] = '\0';
	root = jout_object();
	jout_set(root, "len", jout_u64(len));
	jout_set(root, "prio", jout_u64(prio));
	text = jout_str(r->buf);
	jout_set(root, "data", text);
	/* jout_str() replaced what is not UTF-8, or a NUL cut it short. */
	if (memchr(r->buf, '\0', len) || strcmp(json_object_get_string(text), r->buf)) {
		b64 = recv_base64(data, len);
		jout_set(root, "base64", jout_str(b64));
		free(b64);
	}
	return jout_print(stdout, root, false) ?: (fflush(stdout) ? -errno : 0);
}

/* Receive and print one message: 0 or -errno. */
static int recv_one(struct receiver *r)
{
	struct ramchan_rec rec;
	uint32_t prio = 0;
	int ret;

	if (r->chan.info.kind == RAMCHAN_KIND_MQ) {
		ret = ramchan_mq_recv(r->chan.fd, r->buf, r->cap, &prio,
				      r->wait->nonblock ? RAMCHAN_MQ_NONBLOCK : 0,
				      r->wait->deadline_ns);
		return ret < 0 ? ret : recv_print(r, r->buf, ret, prio);
	}
	ret = r->wait->nonblock ? ramchan_ring_peek(&r->ring, &rec) :
	      ramchan_ring_peek_wait(&r->ring, &rec, r->wait->deadline_ns);
	if (ret)
		return ret;
	/* Print from the ring itself, then give the record back. */
	ret = recv_print(r, rec.data, rec.len, 0);
	if (!ret)
		ramchan_ring_consume(&r->ring, &rec);
	return ret;
}

/* Map a ring or ask a queue its message size; 0 or the exit status. */
static int recv_setup(struct receiver *r)
{
	struct ramchan_mq_attr attr;
	int ret;

	if (r->chan.info.kind == RAMCHAN_KIND_RING) {
		ret = ramchan_ring_map(&r->ring, r->chan.fd);
		if (ret)
			return chanio_error("ramchan recv", "mapping the ring",
					    r->name, -ret);
		r->cap = ramchan_ring_max_record(&r->ring);
	} else {
		ret = ramchan_mq_getattr(r->chan.fd, &attr);
		if (ret)
			return chanio_error("ramchan recv", "reading the attributes of",
					    r->name, -ret);
		r->cap = attr.msg_size;
	}
	if (r->cap > UINT32_MAX)
		r->cap = UINT32_MAX;
	r->buf = malloc(r->cap + 1);
	if (!r->buf)
		cli_out_of_memory();
	return 0;
}

/* Why the messages stopped after @got of @count; the exit status. */
static int recv_stopped(const struct receiver *r, const struct recv_args *a,
			uint64_t got, uint64_t count, int err)
{
	bool end = err == ETIMEDOUT || err == EAGAIN || err == EPIPE;

	if (end && !count)
		return 0;
	fprintf(stderr, "ramchan recv: '%s': ", r->name);
	if (err == ETIMEDOUT)
		fprintf(stderr, "timed out (--timeout %s)", a->wait.timeout);
	else if (err == EAGAIN)
		fprintf(stderr, "it is empty (--nonblock)");
	else if (err == EPIPE)
		fprintf(stderr, "it is empty and nobody sends to it");
	else if (err == EIO && r->chan.info.kind == RAMCHAN_KIND_RING)
		fprintf(stderr, "the ring is broken: a peer corrupted it");
	else
		fprintf(stderr, "%s", strerror(err));
	if (end)
		fprintf(stderr, ": got %" PRIu64 " of %" PRIu64 " messages\n",
			got, count);
	else
		fprintf(stderr, " (after %" PRIu64 " messages)\n", got);
	return 1;
}

int cmd_recv(const struct cli_opts *opts, int argc, char **argv)
{
	struct recv_args a = { .common = *opts };
	struct receiver r = { .ring.fd = -1 };
	struct chanio_operands ops;
	uint64_t count = 1, got = 0;
	int ret;

	ret = chanio_parse(&recv_spec, argc, argv, &a, 0, &ops);
	if (ret == CLI_CONTINUE && ops.nr_word != 1)
		ret = ops.nr_word ? cli_usage_error(&recv_spec, "unexpected argument '%s'",
						    ops.word[1]) :
		      cli_usage_error(&recv_spec, "needs the name of a channel");
	if (ret == CLI_CONTINUE)
		ret = chanio_check_name(&recv_spec, ops.word[0]) ?:
		      chanio_wait_parse(&recv_spec, &a.wait) ?: CLI_CONTINUE;
	if (ret == CLI_CONTINUE && a.count &&
	    chanio_number(&recv_spec, "count", a.count, false, 0, UINT64_MAX,
			  &count))
		ret = CLI_EXIT_USAGE;
	if (ret != CLI_CONTINUE)
		goto out;

	r.name = ops.word[0];
	r.wait = &a.wait;
	r.json = a.common.json;
	/*
	 * Open it to send too when we may: a receiver then waits for a
	 * sender to come instead of finding nobody sending (-EPIPE).
	 */
	ret = chanio_open("ramchan recv", &a.common, r.name,
			  RAMCHAN_ROLE_CONSUMER, true, &r.chan);
	if (ret)
		goto out;
	ret = recv_setup(&r);
	if (ret)
		goto close;

	chanio_wait_start(&a.wait);
	while (!count || got < count) {
		ret = recv_one(&r);
		if (ret)
			break;
		got++;
	}
	ret = ret ? recv_stopped(&r, &a, got, count, -ret) : 0;
	if (r.ring.data) {
		ramchan_ring_release(&r.ring);
		ramchan_ring_unmap(&r.ring);
	}
	free(r.buf);
close:
	close(r.chan.fd);
out:
	free(ops.word);
	return ret;
}
