/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channels: what rings and message queues have in common (the object,
 * its files and roles, its name, its visibility). Each kind embeds a
 * struct ramchan_chan and describes itself with a struct ramchan_kind.
 */
#ifndef RAMCHAN_CHAN_H
#define RAMCHAN_CHAN_H

#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/ramchan.h>

#include "account.h"

struct seq_file;
struct vfsmount;
struct ramchan_chan;

void ramchan_chan_free(struct kobject *kobj);

/* The kobj_type of a kind whose sysfs directory has @groups. */
#define RAMCHAN_KIND_KTYPE(groups)					\
	{								\
		.release = ramchan_chan_free,				\
		.sysfs_ops = &kobj_sysfs_ops,				\
		.default_groups = (groups),				\
	}

/**
 * struct ramchan_kind - what differs between channel kinds
 * @name:	"ring" or "mq", shown in sysfs and fdinfo
 * @id:		RAMCHAN_KIND_*, shown in netlink
 * @fops:	file operations of the channel fds
 * @ktype:	kobj_type of the channel's sysfs directory: RAMCHAN_KIND_KTYPE()
 *		with every attribute group of the kind (sysfs.c), so the
 *		directory appears with all its files at once
 * @attach:	a file with @role starts referring to the channel
 *		(chan->attach_lock held, counts already changed)
 * @detach:	that file is released (likewise)
 * @destroy:	free the kind's state; the channel is unreachable
 */
struct ramchan_kind {
	const char *name;
	unsigned int id;
	const struct file_operations *fops;
	const struct kobj_type *ktype;
	void (*attach)(struct ramchan_chan *chan, unsigned int role);
	void (*detach)(struct ramchan_chan *chan, unsigned int role);
	void (*destroy)(struct ramchan_chan *chan);
};

/**
 * struct ramchan_chan - a channel: what rings and queues have in common
 * @users:	references from files and from the name registry; the last
 *		one removes the channel from sysfs and drops @kobj
 * @kobj:	/sys/kernel/ramchan/channel/<id>; its release frees us
 * @kind:	ops of the kind
 * @id:		unique for the module's lifetime, the sysfs directory name
 * @name:	"" for an anonymous channel; set before the channel becomes
 *		visible anywhere, never changed
 * @ns_key:	the mqueue mount of @name's IPC namespace, referenced while
 *		@named (names_lock): see ramchan_current_ns_key()
 * @ipc_key:	the mqueue mount of the creator's IPC namespace, referenced
 *		for the channel's life: netlink shows the channel only there
 * @visible:	complete and not yet destroyed: shown by netlink (chans_lock)
 * @named:	in the name registry (names_lock)
 * @name_node:	entry in the name registry (names_lock)
 * @all_node:	entry in the list of all channels (chans_lock)
 * @owner, @group, @mode: checked by OPEN, fixed at creation
 * @charge:	limits and RAM charged, given back when the channel is freed
 * @attach_lock: protects @producers and @consumers
 * @producers:	files with the producer role
 * @consumers:	files with the consumer role
 */
struct ramchan_chan {
	struct kref users;
	struct kobject kobj;
	const struct ramchan_kind *kind;
	u64 id;
	char name[RAMCHAN_NAME_MAX + 1];
	struct vfsmount *ns_key;
	struct vfsmount *ipc_key;
	bool visible;
	bool named;
	struct list_head name_node;
	struct list_head all_node;
	kuid_t owner;
	kgid_t group;
	umode_t mode;
	struct ramchan_charge charge;
	spinlock_t attach_lock;	/* producers, consumers */
	unsigned int producers;
	unsigned int consumers;
};

/**
 * struct ramchan_file - file->private_data of a channel fd
 * @chan:	the channel, referenced
 * @role:	RAMCHAN_ROLE_* this file may act as, fixed
 */
struct ramchan_file {
	struct ramchan_chan *chan;
	unsigned int role;
};

static inline struct ramchan_chan *ramchan_file_chan(struct file *file)
{
	return ((struct ramchan_file *)file->private_data)->chan;
}

static inline unsigned int ramchan_file_role(struct file *file)
{
	return ((struct ramchan_file *)file->private_data)->role;
}

int ramchan_chan_init(struct ramchan_chan *chan,
		      const struct ramchan_kind *kind,
		      const struct ramchan_create *args,
		      const struct cred *cred);
int ramchan_chan_publish(struct ramchan_chan *chan, const char *name,
			 unsigned int role, unsigned int flags);
void ramchan_chan_put(struct ramchan_chan *chan);
long ramchan_chan_open(struct file *ctl, void *arg);
long ramchan_chan_unlink(struct file *ctl, void *arg);
long ramchan_chan_dup_ioctl(struct file *file, void *arg);
int ramchan_chan_release(struct inode *inode, struct file *file);
void ramchan_chan_show_fdinfo(struct seq_file *m, struct file *file);
int ramchan_copy_name(char *name, u64 uptr);
void ramchan_chan_exit(void);

/* For netlink: the visible channels of the caller's IPC namespace. */
void ramchan_chan_reap_names(void);
struct ramchan_chan *ramchan_chan_find(u64 id, const char *name);
struct ramchan_chan *ramchan_chan_next(u64 after, unsigned int kind);

/* chan_peer.c */
/**
 * struct ramchan_peer_visit - what ramchan_chan_visit_peers() calls
 * @actor:	called for each fd of the channel (as dir_context's actor):
 *		the pid, in the caller's pid namespace, the fd and its role;
 *		atomically (a spinlock held); nonzero ends the walk
 *
 * Embedded in the caller's own state, found back with container_of().
 */
struct ramchan_peer_visit {
	int (*actor)(struct ramchan_peer_visit *visit, pid_t pid,
		     unsigned int fd, unsigned int role);
};

int ramchan_chan_visit_peers(struct ramchan_chan *chan, bool all,
			     struct ramchan_peer_visit *visit);

#endif /* RAMCHAN_CHAN_H */
