// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan peers: which processes hold a channel's files, for the netlink
 * channel-get (the pid and fd of each producer and consumer file).
 *
 * The kernel keeps no list of a channel's holders (files are passed,
 * dup()ed and inherited behind its back), so they are found the way
 * /proc finds them: every thread group of the caller's pid namespace, in
 * pid order, its fd table looked at under its lock. The walk holds no
 * lock across processes: it takes a reference on one task at a time,
 * reschedules between them and stops for a fatal signal, so that a host
 * with many processes, or a caller who asks often, costs time but never
 * stalls a CPU. A process whose threads do not share one fd table is
 * seen through its leader's. Files only reachable through a mapping (fd
 * closed, ring still mapped) are not fds and are not reported.
 *
 * Owns: the peer walk. Uses chan.h (a file's channel and role).
 */
#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "chan.h"

struct ramchan_peer_walk {
	struct ramchan_chan *chan;
	struct ramchan_peer_visit *visit;
	pid_t pid;
};

/* iterate_fd() callback, under the fd table's spinlock. */
static int ramchan_peer_match(const void *data, struct file *file,
			      unsigned int fd)
{
	const struct ramchan_peer_walk *walk = data;

	if (file->f_op != walk->chan->kind->fops ||
	    ramchan_file_chan(file) != walk->chan)
		return 0;
	return walk->visit->actor(walk->visit, walk->pid, fd,
				  ramchan_file_role(file));
}

/* The next thread group leader from pid @nr on in @ns, referenced. */
static struct task_struct *ramchan_next_tgid(struct pid_namespace *ns,
					     pid_t *nr)
{
	struct task_struct *task = NULL;
	struct pid *pid;

	rcu_read_lock();
	for (;;) {
		pid = find_ge_pid(*nr, ns);
		if (!pid)
			break;
		*nr = pid_nr_ns(pid, ns);
		task = pid_task(pid, PIDTYPE_TGID);
		if (task) {
			get_task_struct(task);
			break;
		}
		++*nr;
	}
	rcu_read_unlock();
	return task;
}

static bool ramchan_peer_same_user(struct task_struct *task)
{
	bool same;

	rcu_read_lock();
	same = uid_eq(__task_cred(task)->euid, current_euid());
	rcu_read_unlock();
	return same;
}

/**
 * ramchan_chan_visit_peers - visit each fd of @chan
 * @chan:	a referenced channel
 * @all:	every process; false: only those of the caller's euid
 * @visit:	its actor is called for each fd
 *
 * Return: 0, what the actor returned, or -EINTR on a fatal signal.
 */
int ramchan_chan_visit_peers(struct ramchan_chan *chan, bool all,
			     struct ramchan_peer_visit *visit)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct ramchan_peer_walk walk = {
		.chan = chan, .visit = visit,
	};
	struct task_struct *task;
	pid_t nr = 1;
	int err = 0;

	while ((task = ramchan_next_tgid(ns, &nr))) {
		walk.pid = nr++;
		if (all || ramchan_peer_same_user(task)) {
			task_lock(task);
			if (task->files)
				err = iterate_fd(task->files, 0,
						 ramchan_peer_match, &walk);
			task_unlock(task);
		}
		put_task_struct(task);
		if (err)
			return err;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}
