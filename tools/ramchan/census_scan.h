/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan census: the scanners. Each reads one part of the system and
 * only fills the model (census_model.h), with the help of the probes
 * (census_probe.h); none calls another. census.c runs them in this order,
 * the ones below census_scan_procs() joining their objects to the
 * references it collected:
 *
 *	census_scan_proc.c	filesystems, processes (fds, fdinfo, maps),
 *				pending signals
 *	census_scan_ipc.c	pipes and FIFOs, POSIX mq, SysV IPC
 *	census_scan_sock.c	UNIX and TCP sockets
 *	census_scan_shm.c	POSIX shared memory (/dev/shm)
 *	census_scan_ramchan.c	ramchan channels (sysfs joined with fdinfo)
 */
#ifndef RAMCHAN_CENSUS_SCAN_H
#define RAMCHAN_CENSUS_SCAN_H

#include "census_model.h"

/* census_scan_proc.c */
void census_scan_filesystems(struct census *c);
void census_scan_procs(struct census *c);
void census_scan_signals(struct census *c);

/* census_scan_ipc.c */
void census_scan_pipes(struct census *c);
void census_scan_posix_mq(struct census *c);
void census_scan_sysv(struct census *c);

/* census_scan_sock.c */
void census_scan_unix(struct census *c);
void census_scan_tcp(struct census *c);

/* census_scan_shm.c */
void census_scan_posix_shm(struct census *c);

/* census_scan_ramchan.c */
void census_scan_ramchan(struct census *c);

#endif /* RAMCHAN_CENSUS_SCAN_H */
