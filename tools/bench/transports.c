// SPDX-License-Identifier: GPL-2.0
/*
 * Every transport ramchan-bench knows, in the order the tables list them:
 * the limit first, then ramchan, then the native paths from the closest to
 * the farthest (shared memory, queues, byte streams, sockets, signals,
 * and the file system); then memcpy, the ceiling, which is no transport
 * (measure.c measures it in one process).
 */
#include "transport.h"

const struct transport *const transports[] = {
	&transport_shm_spin,
	&transport_ramchan_ring_zc,
	&transport_ramchan_ring_spin,
	&transport_ramchan_ring_hybrid,
	&transport_ramchan_ring_block,
	&transport_ramchan_ring_syscall,
	&transport_ramchan_mq_spin,
	&transport_ramchan_mq_batch_spin,
	&transport_ramchan_mq_batch,
	&transport_ramchan_mq,
	&transport_shm_futex,
	&transport_shm_sem,
	&transport_sysv_shm_sem,
	&transport_eventfd_shm,
	&transport_posix_mq,
	&transport_sysv_msg,
	&transport_pipe,
	&transport_fifo,
	&transport_unix_stream,
	&transport_unix_seqpacket,
	&transport_unix_dgram,
	&transport_tcp,
	&transport_signal_value,
	&transport_signal_shm,
	&transport_file,
};

const unsigned int nr_transports = sizeof(transports) / sizeof(transports[0]);

const struct transport transport_memcpy = {
	.name = "memcpy",
	.desc = "memcpy in one process, stream only (the ceiling)",
	.copies = 1,
};

const struct transport *mechanism(unsigned int i)
{
	if (i < nr_transports)
		return transports[i];
	return i == nr_transports ? &transport_memcpy : NULL;
}
