// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan send: messages into a named channel from the shell. Each
 * MESSAGE argument is one message (a record of a ring, a message of a
 * queue); without any, each line of stdin is one, or all of stdin with
 * --whole. The kind comes from the channel's fdinfo.
 *
 *	ramchan send NAME [MESSAGE...] [--prio N] [--whole]
 *			  [--nonblock | --timeout SEC]
 *	echo hi | ramchan send q
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chanio.h"

struct send_args {
	struct cli_opts common;
	const char *prio;
	bool whole;
	struct chanio_wait wait;
};

#define SEND_OPT(field) offsetof(struct send_args, field)

static const struct cli_opt send_opts[] = {
	{ "prio", 'p', CLI_OPT_STRING, SEND_OPT(prio), "N",
	  "queues: priority, 0 (default) to 32767; higher is received first" },
	{ "whole", 'w', CLI_OPT_FLAG, SEND_OPT(whole), NULL,
	  "send all of stdin as one message, not a message per line" },
	{ "nonblock", 'N', CLI_OPT_FLAG, SEND_OPT(wait.nonblock), NULL,
	  "fail at once when the channel is full" },
	{ "timeout", 't', CLI_OPT_STRING, SEND_OPT(wait.timeout), "SEC",
	  "fail when the channel stays full SEC seconds after the start (default: wait)" },
	{ "device", 'd', CLI_OPT_STRING, SEND_OPT(common.dev), "PATH",
	  "control device (default /dev/ramchan)" },
	CLI_OPTS_STANDARD,
	{ NULL },
};

static void send_more_help(FILE *f)
{
	fprintf(f, "\nLines are sent without their newline. A ring record cannot be empty;\n"
		   "a queue message can. Put -- before messages that begin with '-'.\n"
		   "What is sent stays in the channel until received, while the name\n"
		   "(or a process) holds it.\n");
}

static const struct cli_spec send_spec = {
	.prog = "ramchan send",
	.usage = "NAME [MESSAGE...] [--prio N] [--whole] [--nonblock | --timeout SEC]",
	.summary = "Send messages into the channel NAME: the arguments, or stdin.",
	.opts = send_opts,
	.version = cli_version,
	.more_help = send_more_help,
	.operands = true,
};

/* The channel being sent to, and how. */
struct sender {
	const char *name;
	struct chanio_chan chan;
	struct ramchan_ring ring;	/* a ring: mapped */
	uint64_t max;			/* largest message */
	uint32_t prio;
	const struct chanio_wait *wait;
	unsigned long sent;
	unsigned long what;		/* argument or line number, for errors */
	const char *unit;		/* "argument", "line" or "input" */
};

static int sender_ring_send(struct sender *s, const void *buf, uint32_t len)
{
	struct ramchan_resv resv;
	int ret;

	if (!s->wait->nonblock)
		return ramchan_ring_send(&s->ring, buf, len,
					 s->wait->deadline_ns);
	ret = ramchan_ring_reserve(&s->ring, len, &resv);
	if (ret)
		return ret;
	memcpy(resv.data, buf, len);
	ramchan_ring_commit(&s->ring, &resv);
	return 0;
}

/* Say why message @s->what could not be sent; return the exit status 1. */
static int sender_fail(const struct sender *s, size_t len, int err)
{
	const char *name = s->name;

	if (!strcmp(s->unit, "input"))
		fprintf(stderr, "ramchan send: stdin (%s%zu bytes) not sent to '%s': ",
			len > s->max ? "more than " : "",
			len > s->max ? (size_t)s->max : len, name);
	else
		fprintf(stderr, "ramchan send: %s %lu (%zu bytes) not sent to '%s': ",
			s->unit, s->what, len, name);
	switch (err) {
	case EMSGSIZE:
		fprintf(stderr, "longer than its largest message, %" PRIu64 " bytes%s\n",
			s->max, s->chan.info.kind == RAMCHAN_KIND_MQ ?
			" (ramchan create mq --msg-size)" :
			" (ramchan create ring --size)");
		break;
	case EINVAL:
		fprintf(stderr, "%s\n", s->chan.info.kind == RAMCHAN_KIND_RING ?
			"a ring record cannot be empty" : strerror(err));
		break;
	case EAGAIN:
		fprintf(stderr, "%s\n", s->wait->nonblock ? "it is full (--nonblock)" :
			"it is full and rejects sends (--overflow reject)");
		break;
	case ETIMEDOUT:
		fprintf(stderr, "it stayed full until the timeout (--timeout %s)\n",
			s->wait->timeout);
		break;
	case EPIPE:
		fprintf(stderr, "nobody receives from it, and you may not read it: it keeps nothing for later while nobody has it open to receive\n");
		break;
	case EIO:
		fprintf(stderr, "the ring is broken: a peer corrupted it\n");
		break;
	default:
		fprintf(stderr, "%s\n", strerror(err));
	}
	if (s->sent)
		fprintf(stderr, "ramchan send: %lu sent before it\n", s->sent);
	return 1;
}

static int sender_send(struct sender *s, const void *buf, size_t len)
{
	int ret;

	s->what++;
	if (len > s->max)
		return sender_fail(s, len, EMSGSIZE);
	if (s->chan.info.kind == RAMCHAN_KIND_RING)
		ret = sender_ring_send(s, buf, len);
	else
		ret = ramchan_mq_send(s->chan.fd, buf, len, s->prio,
				      s->wait->nonblock ? RAMCHAN_MQ_NONBLOCK : 0,
				      s->wait->deadline_ns);
	if (ret)
		return sender_fail(s, len, -ret);
	s->sent++;
	return 0;
}

static int sender_stdin_error(void)
{
	fprintf(stderr, "ramchan send: reading stdin: %s\n", strerror(errno));
	return 1;
}

/* Every line of stdin, without its newline, as one message. */
static int sender_lines(struct sender *s)
{
	size_t cap = 0;
	char *line = NULL;
	ssize_t len;
	int ret = 0;

	s->unit = "line";
	while (!ret && (len = getline(&line, &cap, stdin)) >= 0) {
		if (len && line[len - 1] == '\n')
			len--;
		ret = sender_send(s, line, len);
	}
	if (!ret && ferror(stdin))
		ret = sender_stdin_error();
	free(line);
	return ret;
}

/* All of stdin as one message. */
static int sender_whole(struct sender *s)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *p;
	size_t n;
	int ret;

	s->unit = "input";
	if (!buf)
		cli_out_of_memory();
	/* Read one byte past the largest message: that one fails. */
	while ((n = fread(buf + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len > s->max)
			break;
		if (len == cap) {
			cap *= 2;
			p = realloc(buf, cap);
			if (!p)
				cli_out_of_memory();
			buf = p;
		}
	}
	if (ferror(stdin))
		ret = sender_stdin_error();
	else if (len > s->max)
		ret = sender_fail(s, len, EMSGSIZE);
	else
		ret = sender_send(s, buf, len);
	free(buf);
	return ret;
}

/* Map a ring or ask a queue its message size; 0 or the exit status. */
static int sender_setup(struct sender *s, const struct send_args *a)
{
	struct ramchan_mq_attr attr;
	int ret;

	if (s->chan.info.kind == RAMCHAN_KIND_RING) {
		if (a->prio)
			return cli_usage_error(&send_spec, "'%s' is a ring: rings have no priorities, --prio is for queues",
					       s->name);
		ret = ramchan_ring_map(&s->ring, s->chan.fd);
		if (ret)
			return chanio_error("ramchan send", "mapping the ring",
					    s->name, -ret);
		s->max = ramchan_ring_max_record(&s->ring);
		if (s->max > UINT32_MAX)
			s->max = UINT32_MAX;
		return 0;
	}
	ret = ramchan_mq_getattr(s->chan.fd, &attr);
	if (ret)
		return chanio_error("ramchan send", "reading the attributes of",
				    s->name, -ret);
	s->max = attr.msg_size;
	return 0;
}

int cmd_send(const struct cli_opts *opts, int argc, char **argv)
{
	struct send_args a = { .common = *opts };
	struct sender s = { .ring.fd = -1 };
	struct chanio_operands ops;
	uint64_t prio = 0;
	int ret, i;

	ret = chanio_parse(&send_spec, argc, argv, &a, 0, &ops);
	if (ret == CLI_CONTINUE && !ops.nr_word)
		ret = cli_usage_error(&send_spec, "needs the name of a channel");
	if (ret == CLI_CONTINUE && a.whole && ops.nr_word > 1)
		ret = cli_usage_error(&send_spec, "--whole sends stdin: no MESSAGE with it");
	if (ret == CLI_CONTINUE)
		ret = chanio_check_name(&send_spec, ops.word[0]) ?:
		      chanio_wait_parse(&send_spec, &a.wait) ?: CLI_CONTINUE;
	if (ret == CLI_CONTINUE && a.prio &&
	    chanio_number(&send_spec, "prio", a.prio, false, 0,
			  RAMCHAN_MQ_PRIO_MAX - 1, &prio))
		ret = CLI_EXIT_USAGE;
	if (ret != CLI_CONTINUE)
		goto out;

	s.name = ops.word[0];
	s.prio = prio;
	s.wait = &a.wait;
	/* Open it to receive too when we may: a send then needs no receiver. */
	ret = chanio_open("ramchan send", &a.common, s.name,
			  RAMCHAN_ROLE_PRODUCER, true, &s.chan);
	if (ret)
		goto out;
	ret = sender_setup(&s, &a);
	if (ret)
		goto close;

	chanio_wait_start(&a.wait);
	s.unit = "argument";
	for (i = 1; !ret && i < ops.nr_word; i++)
		ret = sender_send(&s, ops.word[i], strlen(ops.word[i]));
	if (ops.nr_word == 1)
		ret = a.whole ? sender_whole(&s) : sender_lines(&s);
	if (s.ring.data)
		ramchan_ring_unmap(&s.ring);
close:
	close(s.chan.fd);
out:
	free(ops.word);
	return ret;
}
