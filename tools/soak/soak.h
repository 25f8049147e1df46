/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/soak/soak.h: ramchan-soak, a long run of every channel kind with
 * verified data while peers are killed and restarted.
 *
 * The supervisor (soak.c) sets up groups: rings with one or several
 * producers, spinning or blocking, and queues of every overflow policy
 * with several senders and receivers. The peers (peers.c) are processes;
 * every record and message carries its sender's instance id, a sequence
 * number and a CRC32C (crc32c.c) of all of it, and the receiving side
 * checks each one. Everything the supervisor needs to judge the run lives
 * in one shared mapping: struct soak_shared.
 */
#ifndef RAMCHAN_SOAK_H
#define RAMCHAN_SOAK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SOAK_MAX_IDS	4096	/* sender instances over a whole run */
#define SOAK_MAX_PEERS	8	/* per group */
#define SOAK_NAME_LEN	32

enum soak_kind { SOAK_RING, SOAK_MQ };
enum soak_role { SOAK_SEND, SOAK_RECV };

/* What travels: this header, then @len - sizeof(header) payload bytes. */
struct soak_msg {
	uint64_t seq;
	uint32_t id;		/* sender instance */
	uint32_t crc;		/* CRC32C of id, seq and the payload */
};

struct soak_peer {
	pid_t pid;
	enum soak_role role;
	unsigned int kills;
};

struct soak_group {
	enum soak_kind kind;
	char name[SOAK_NAME_LEN];	/* the channel's name */
	unsigned int epoch;		/* bumped when a ring is made anew */
	unsigned int senders, receivers;
	bool spin;			/* rings: spin before sleeping */
	bool batch;			/* queues: odd peers use batches */
	unsigned int overflow;		/* queues: RAMCHAN_MQ_OVERFLOW_* */
	struct soak_peer peers[SOAK_MAX_PEERS];
	/* counted by the peers (atomics) */
	uint64_t sent, received, redelivered;
	uint64_t sent_this_epoch, received_this_epoch;
	/* rings: the last sequence seen per sender id, kept across consumers */
	uint64_t last[SOAK_MAX_IDS];
};

struct soak_shared {
	volatile bool stop_senders;
	volatile bool stop_all;
	uint32_t next_id;		/* atomic: sender instance ids */
	uint64_t errors;		/* atomic: bad CRC, lost or out of order */
	char first_error[256];
	unsigned int nr_groups;
	struct soak_group groups[8];
};

/* crc32c.c */
uint32_t soak_crc32c(uint32_t crc, const void *buf, size_t len);
const char *soak_crc32c_impl(void);

/* peers.c: never return */
void soak_peer_run(struct soak_shared *sh, unsigned int g, unsigned int p);
void soak_error(struct soak_shared *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* RAMCHAN_SOAK_H */
