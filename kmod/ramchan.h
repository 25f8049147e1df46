/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ramchan internal interfaces, shared by the files of kmod/.
 */
#ifndef RAMCHAN_H
#define RAMCHAN_H

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/ramchan.h>

struct vfsmount;

/**
 * struct ramchan_limits - module-wide limits, fixed at load time
 * @max_ring_bytes:	largest ring data area a channel may ask for
 * @max_channels:	most live channels in total
 * @max_channels_per_user: most live channels one user may create
 */
struct ramchan_limits {
	u64 max_ring_bytes;
	u32 max_channels;
	u32 max_channels_per_user;
};

extern struct ramchan_limits ramchan_limits;

/**
 * struct ramchan_stats - module-wide counters, shown in /sys/kernel/ramchan
 *
 * Updated on open/close and channel create/destroy, never on a data fast
 * path; readers take a plain snapshot of each.
 *
 * @opens:	successful opens of /dev/ramchan since the module was loaded
 * @open_files:	control files open right now
 * @channels:	live channels
 * @bytes_held:	bytes of RAM held by all live channels (rings and queues)
 */
struct ramchan_stats {
	atomic_long_t opens;
	atomic_long_t open_files;
	atomic_long_t channels;
	atomic_long_t bytes_held;
};

extern struct ramchan_stats ramchan_stats;

struct ramchan_chan;

/**
 * struct ramchan_kind - what differs between channel kinds
 * @name:	"ring", shown in sysfs
 * @fops:	file operations of the channel fds
 * @attrs:	sysfs attributes of the kind, under the channel's directory
 * @attach:	a file with @role starts referring to the channel
 * @detach:	that file is released
 * @destroy:	free the kind's state; the channel is unreachable
 */
struct ramchan_kind {
	const char *name;
	const struct file_operations *fops;
	const struct attribute_group *attrs;
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
 * @name:	"" for an anonymous channel
 * @ns_key:	the mqueue mount of @name's IPC namespace, referenced while
 *		@named (names_lock): see ramchan_current_ns_key()
 * @named:	in the name registry (names_lock)
 * @name_node:	entry in the name registry (names_lock)
 * @all_node:	entry in the list of all channels (chans_lock)
 * @owner, @group, @mode: checked by OPEN, fixed at creation
 * @creator:	uid counted against max_channels_per_user
 * @user:	charged @locked_pages against RLIMIT_MEMLOCK (NULL if exempt)
 * @locked_pages: pages charged to @user
 * @bytes:	RAM the channel holds, counted in ramchan_stats.bytes_held
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
	bool named;
	struct list_head name_node;
	struct list_head all_node;
	kuid_t owner;
	kgid_t group;
	umode_t mode;
	kuid_t creator;
	struct user_struct *user;
	unsigned long locked_pages;
	unsigned long bytes;
	spinlock_t attach_lock;	/* producers, consumers */
	unsigned int producers;
	unsigned int consumers;
};

/**
 * struct ramchan_file - file->private_data of a channel fd
 * @chan:	the channel, referenced
 * @role:	RAMCHAN_ROLE_* this file may act as
 */
struct ramchan_file {
	struct ramchan_chan *chan;
	unsigned int role;
};

/**
 * struct ramchan_ioctl_desc - how one ioctl is copied in, handled, copied out
 * @handler:	does the work on a kernel copy of the argument; for a command
 *		without argument struct (_IOC_NONE), the first u64 holds the
 *		raw ioctl argument
 * @cmd:	the command as this kernel defines it: its size is the size of
 *		the argument struct this kernel knows, its direction is final
 * @min_size:	size of the first published version of the argument struct
 */
struct ramchan_ioctl_desc {
	long (*handler)(struct file *file, void *arg);
	unsigned int cmd;
	unsigned int min_size;
};

long ramchan_ioctl_dispatch(struct file *file, unsigned int cmd,
			    unsigned long arg,
			    const struct ramchan_ioctl_desc *table,
			    unsigned int count, unsigned int first);

/* chan.c */
int ramchan_chan_init(struct ramchan_chan *chan,
		      const struct ramchan_kind *kind,
		      const struct ramchan_create *args,
		      const struct cred *cred);
int ramchan_chan_charge(struct ramchan_chan *chan, unsigned long pages,
			unsigned long bytes);
int ramchan_chan_publish(struct ramchan_chan *chan, const char *name,
			 unsigned int role, unsigned int flags);
void ramchan_chan_put(struct ramchan_chan *chan);
int ramchan_chan_open(struct file *ctl, const struct ramchan_open *args);
int ramchan_chan_unlink(struct file *ctl, const struct ramchan_unlink *args);
int ramchan_chan_dup(struct file *file, const struct ramchan_dup *args);
int ramchan_chan_release(struct inode *inode, struct file *file);
int ramchan_copy_name(char *name, u64 uptr);
void ramchan_chan_exit(void);

/* ring.c */
long ramchan_ring_create(struct file *ctl, const struct ramchan_create *args,
			 const char *name);

/* mq.c */
long ramchan_mq_create(struct file *ctl, const struct ramchan_create *args,
		       const char *name);
void ramchan_mq_info(struct ramchan_info *info);
int ramchan_mq_init(void);
void ramchan_mq_exit(void);

/* sysfs.c */
int ramchan_sysfs_init(void);
void ramchan_sysfs_exit(void);
int ramchan_sysfs_add_chan(struct ramchan_chan *chan);

static inline struct ramchan_chan *ramchan_file_chan(struct file *file)
{
	return ((struct ramchan_file *)file->private_data)->chan;
}

#endif /* RAMCHAN_H */
