// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan channels: what rings and message queues have in common.
 *
 * A channel is reached through files (anon inodes, one struct ramchan_file
 * each, with a role) and, when named, through the name registry of its IPC
 * namespace. Each of those holds a reference in chan->users; mappings hold
 * their file, so they keep the channel too. When the last user goes, the
 * channel leaves sysfs and its kobject reference is dropped; the kobject's
 * release (once sysfs readers are done) uncharges and frees it.
 *
 * A channel becomes visible (its sysfs directory, its name) only once it
 * is complete, and a CREATE that fails is never seen: the name is set and
 * found free before the directory is added, both under ramchan_names_lock,
 * and the fd is installed last. Its sysfs directory gets all attributes
 * at once, as the default groups of the kind's kobj_type.
 *
 * Owns: channel objects, ids, the name registry, files and roles, DUP,
 * OPEN, UNLINK, fdinfo. Uses account.c for limits and charges, sysfs.c
 * to show the channel.
 *
 * Locking: ramchan_names_lock (mutex) protects the name registry and
 * chan->named/ns_key, and orders a named channel's sysfs directory with
 * its name; ramchan_chans_lock (mutex) the list of all channels and the
 * ids; chan->attach_lock (spinlock) the role counts. No spinlock is held
 * across a copy from or to userspace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/mount.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <linux/seq_file.h>

#include "chan.h"
#include "nl_event.h"
#include "sysfs.h"
#include "trace.h"

/*
 * Names are scoped to the IPC namespace. A channel does not pin the
 * namespace itself (put_ipc_ns() is not exported by every kernel we
 * support) but the namespace's mqueue mount, which is unique to it and
 * cannot be reused while referenced: that is the key of the registry.
 */
static struct vfsmount *ramchan_current_ns_key(void)
{
	return current->nsproxy->ipc_ns->mq_mnt;
}

/*
 * When the namespace dies, mqueue clears its superblock's s_fs_info
 * (mq_clear_sbinfo()): its names can then never be reached again.
 */
static bool ramchan_ns_key_dead(struct vfsmount *ns_key)
{
	return !READ_ONCE(ns_key->mnt_sb->s_fs_info);
}

static DEFINE_MUTEX(ramchan_names_lock);
static LIST_HEAD(ramchan_names);

static DEFINE_MUTEX(ramchan_chans_lock);
static LIST_HEAD(ramchan_chans);
static u64 ramchan_next_id;

/*
 * Free a channel once nothing can reach it, not even a sysfs reader: the
 * release of every kind's kobj_type (RAMCHAN_KIND_KTYPE()). Works on a
 * channel at any stage after ramchan_chan_init(), so creation unwinds with
 * a plain kobject_put().
 */
void ramchan_chan_free(struct kobject *kobj)
{
	struct ramchan_chan *chan = container_of(kobj, struct ramchan_chan,
						 kobj);

	WARN_ON_ONCE(chan->named);
	mutex_lock(&ramchan_chans_lock);
	list_del(&chan->all_node);
	mutex_unlock(&ramchan_chans_lock);
	ramchan_uncharge(&chan->charge);
	mntput(chan->ipc_key);
	chan->kind->destroy(chan);
}

static void ramchan_chan_last_user(struct kref *kref)
{
	struct ramchan_chan *chan = container_of(kref, struct ramchan_chan,
						 users);

	bool visible;

	mutex_lock(&ramchan_chans_lock);
	visible = chan->visible;
	WRITE_ONCE(chan->visible, false);
	mutex_unlock(&ramchan_chans_lock);
	if (visible) {
		trace_ramchan_chan_destroy(chan->id, chan->kind->name);
		ramchan_nl_chan_destroyed(chan->id, chan->kind->id, chan->name);
	}
	if (chan->kobj.state_in_sysfs)
		kobject_del(&chan->kobj);
	kobject_put(&chan->kobj);
}

void ramchan_chan_put(struct ramchan_chan *chan)
{
	kref_put(&chan->users, ramchan_chan_last_user);
}

/**
 * ramchan_chan_init - set up the common part of a new channel
 * @chan:	zeroed channel embedded in the kind's object
 * @kind:	the kind's ops
 * @args:	validated CREATE arguments
 * @cred:	credentials of the creator
 *
 * Counts the channel against the module's limits. From here on the
 * channel is freed by kobject_put(&chan->kobj), whatever else fails; on
 * an error here the caller frees it.
 *
 * Return: 0, -ENOSPC when max_channels are live, -EDQUOT when the
 * creator's user has max_channels_per_user, -ENOMEM.
 */
int ramchan_chan_init(struct ramchan_chan *chan,
		      const struct ramchan_kind *kind,
		      const struct ramchan_create *args,
		      const struct cred *cred)
{
	int err;

	err = ramchan_charge_channel(&chan->charge, cred);
	if (err)
		return err;
	kref_init(&chan->users);
	kobject_init(&chan->kobj, kind->ktype);
	chan->kind = kind;
	chan->owner = cred->fsuid;
	chan->group = cred->fsgid;
	chan->mode = args->mode;
	INIT_LIST_HEAD(&chan->name_node);
	spin_lock_init(&chan->attach_lock);
	chan->ipc_key = mntget(ramchan_current_ns_key());

	mutex_lock(&ramchan_chans_lock);
	list_add(&chan->all_node, &ramchan_chans);
	chan->id = ++ramchan_next_id;
	mutex_unlock(&ramchan_chans_lock);
	return 0;
}

/**
 * ramchan_copy_name - copy a channel name from userspace
 * @name:	RAMCHAN_NAME_MAX + 1 bytes
 * @uptr:	user pointer to a NUL-terminated string
 *
 * Return: 0; -EFAULT; -EINVAL for an empty name or one holding '/';
 * -ENAMETOOLONG when no NUL comes within RAMCHAN_NAME_MAX + 1 bytes.
 */
int ramchan_copy_name(char *name, u64 uptr)
{
	long len;

	len = strncpy_from_user(name, u64_to_user_ptr(uptr),
				RAMCHAN_NAME_MAX + 1);
	if (len < 0)
		return len;
	if (len == 0)
		return -EINVAL;
	if (len > RAMCHAN_NAME_MAX)
		return -ENAMETOOLONG;
	if (strchr(name, '/'))
		return -EINVAL;
	return 0;
}

static struct ramchan_chan *ramchan_name_lookup(struct vfsmount *ns_key,
						const char *name)
{
	struct ramchan_chan *chan;

	lockdep_assert_held(&ramchan_names_lock);
	list_for_each_entry(chan, &ramchan_names, name_node)
		if (chan->ns_key == ns_key && !strcmp(chan->name, name))
			return chan;
	return NULL;
}

/* Take the names of dead namespaces out of the registry, onto @doomed. */
static void ramchan_names_reap(struct list_head *doomed)
{
	struct ramchan_chan *chan, *next;

	lockdep_assert_held(&ramchan_names_lock);
	list_for_each_entry_safe(chan, next, &ramchan_names, name_node) {
		if (ramchan_ns_key_dead(chan->ns_key)) {
			list_move(&chan->name_node, doomed);
			chan->named = false;
		}
	}
}

/*
 * OPEN and UNLINK: the channel called @name in the caller's namespace, or
 * NULL; the names of dead namespaces go onto @doomed on the way.
 */
static struct ramchan_chan *ramchan_names_find_locked(const char *name,
						      struct list_head *doomed)
{
	lockdep_assert_held(&ramchan_names_lock);
	ramchan_names_reap(doomed);
	return ramchan_name_lookup(ramchan_current_ns_key(), name);
}

/* Drop the registry's references of channels taken off it. */
static void ramchan_names_drop(struct list_head *doomed)
{
	struct ramchan_chan *chan, *next;

	list_for_each_entry_safe(chan, next, doomed, name_node) {
		ramchan_nl_chan_unlinked(chan->id, chan->kind->id, chan->name);
		list_del_init(&chan->name_node);
		mntput(chan->ns_key);
		chan->ns_key = NULL;
		ramchan_chan_put(chan);
	}
}

static void ramchan_chan_attach(struct ramchan_chan *chan, unsigned int role)
{
	spin_lock(&chan->attach_lock);
	if (role & RAMCHAN_ROLE_PRODUCER)
		chan->producers++;
	if (role & RAMCHAN_ROLE_CONSUMER)
		chan->consumers++;
	chan->kind->attach(chan, role);
	spin_unlock(&chan->attach_lock);
}

/*
 * A new file for @chan with @role. Takes its own reference on the channel;
 * the file's release gives it back.
 */
static struct file *ramchan_chan_new_file(struct ramchan_chan *chan,
					  unsigned int role, unsigned int flags)
{
	struct ramchan_file *rf;
	struct file *file;
	int fflags = O_RDWR;

	rf = kzalloc(sizeof(*rf), GFP_KERNEL_ACCOUNT);
	if (!rf)
		return ERR_PTR(-ENOMEM);
	rf->chan = chan;
	rf->role = role;
	if (flags & RAMCHAN_F_NONBLOCK)
		fflags |= O_NONBLOCK;

	kref_get(&chan->users);
	file = anon_inode_getfile("[ramchan]", chan->kind->fops, rf, fflags);
	if (IS_ERR(file)) {
		ramchan_chan_put(chan);
		kfree(rf);
		return file;
	}
	stream_open(file_inode(file), file);
	ramchan_chan_attach(chan, role);
	return file;
}

int ramchan_chan_release(struct inode *inode, struct file *file)
{
	struct ramchan_file *rf = file->private_data;
	struct ramchan_chan *chan = rf->chan;
	unsigned int gone = 0;

	spin_lock(&chan->attach_lock);
	if (rf->role & RAMCHAN_ROLE_PRODUCER && !--chan->producers)
		gone |= RAMCHAN_ROLE_PRODUCER;
	if (rf->role & RAMCHAN_ROLE_CONSUMER && !--chan->consumers)
		gone |= RAMCHAN_ROLE_CONSUMER;
	chan->kind->detach(chan, rf->role);
	spin_unlock(&chan->attach_lock);
	/* Not for the file of a CREATE that failed: never visible. */
	if (gone && READ_ONCE(chan->visible))
		ramchan_nl_peer_gone(chan->id, chan->kind->id, gone);

	ramchan_chan_put(chan);
	kfree(rf);
	return 0;
}

/*
 * An fd number and a file for @chan, not yet installed: the caller either
 * fd_install()s them or gives both back (fput(), put_unused_fd()).
 */
static int ramchan_chan_prepare_fd(struct ramchan_chan *chan,
				   unsigned int role, unsigned int flags,
				   struct file **filep)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(flags & RAMCHAN_F_NOCLOEXEC ? 0 : O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = ramchan_chan_new_file(chan, role, flags);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	*filep = file;
	return fd;
}

static int ramchan_chan_install(struct ramchan_chan *chan, unsigned int role,
				unsigned int flags)
{
	struct file *file;
	int fd;

	fd = ramchan_chan_prepare_fd(chan, role, flags, &file);
	if (fd >= 0)
		fd_install(fd, file);
	return fd;
}

/*
 * Give @chan its name in the caller's namespace and show it in sysfs,
 * both or neither, so that neither a lookup nor a sysfs reader ever sees
 * a channel whose name is missing or taken. Return: 0, -EEXIST, -ENOMEM.
 */
static int ramchan_chan_register(struct ramchan_chan *chan, const char *name,
				 struct list_head *doomed)
{
	struct vfsmount *ns_key = ramchan_current_ns_key();
	int err;

	if (!name[0])
		return ramchan_sysfs_add_chan(chan);

	mutex_lock(&ramchan_names_lock);
	ramchan_names_reap(doomed);
	if (ramchan_name_lookup(ns_key, name)) {
		err = -EEXIST;
		goto out_unlock;
	}
	strscpy(chan->name, name, sizeof(chan->name));
	err = ramchan_sysfs_add_chan(chan);
	if (err)
		goto out_unlock;
	chan->ns_key = mntget(ns_key);
	chan->named = true;
	kref_get(&chan->users);
	list_add(&chan->name_node, &ramchan_names);
out_unlock:
	mutex_unlock(&ramchan_names_lock);
	return err;
}

/**
 * ramchan_chan_publish - make a new channel reachable and return its fd
 * @chan:	the channel, fully set up; its creation reference is consumed
 * @name:	"" or a validated name, registered in the caller's namespace
 * @role:	role of the returned fd
 * @flags:	RAMCHAN_F_*
 *
 * Everything that can fail is done before the channel is visible, and
 * the fd is installed last.
 *
 * Return: the fd, -EEXIST when @name is taken, or another error; on any
 * error the channel is gone and was never visible.
 */
int ramchan_chan_publish(struct ramchan_chan *chan, const char *name,
			 unsigned int role, unsigned int flags)
{
	LIST_HEAD(doomed);
	struct file *file;
	int fd, err;

	fd = ramchan_chan_prepare_fd(chan, role, flags, &file);
	if (fd < 0) {
		err = fd;
		goto err_put;
	}
	err = ramchan_chan_register(chan, name, &doomed);
	ramchan_names_drop(&doomed);
	if (err)
		goto err_fput;

	mutex_lock(&ramchan_chans_lock);
	WRITE_ONCE(chan->visible, true);
	mutex_unlock(&ramchan_chans_lock);
	trace_ramchan_chan_create(chan->id, chan->kind->name, chan->name,
				  chan->charge.bytes,
				  from_kuid(&init_user_ns, chan->owner));
	ramchan_nl_chan_created(chan->id, chan->kind->id, chan->name,
				from_kuid(&init_user_ns, chan->owner));
	fd_install(fd, file);
	ramchan_chan_put(chan);
	return fd;

err_fput:
	fput(file);
	put_unused_fd(fd);
err_put:
	ramchan_chan_put(chan);
	return err;
}

static bool ramchan_cred_in_group(const struct cred *cred, kgid_t gid)
{
	const struct group_info *groups = cred->group_info;
	int i;

	if (gid_eq(cred->fsgid, gid))
		return true;
	for (i = 0; i < groups->ngroups; i++)
		if (gid_eq(groups->gid[i], gid))
			return true;
	return false;
}

/* May the opener of @ctl attach to @chan as @role? As ipcperms() does. */
static bool ramchan_chan_permitted(struct file *ctl, struct ramchan_chan *chan,
				   unsigned int role)
{
	const struct cred *cred = ctl->f_cred;
	unsigned int want = 0, granted = chan->mode;

	if (role & RAMCHAN_ROLE_PRODUCER)
		want |= 0002;
	if (role & RAMCHAN_ROLE_CONSUMER)
		want |= 0004;

	if (uid_eq(cred->fsuid, chan->owner))
		granted >>= 6;
	else if (ramchan_cred_in_group(cred, chan->group))
		granted >>= 3;
	if ((granted & want) == want)
		return true;
	/* A named channel is only found from its own namespace. */
	return file_ns_capable(ctl, current->nsproxy->ipc_ns->user_ns,
			       CAP_IPC_OWNER);
}

static int ramchan_check_role_flags(unsigned int role, unsigned int flags)
{
	if (!role || role & ~RAMCHAN_ROLE_BOTH)
		return -EINVAL;
	if (flags & ~(RAMCHAN_F_NOCLOEXEC | RAMCHAN_F_NONBLOCK))
		return -EINVAL;
	return 0;
}

/* RAMCHAN_IOC_OPEN, on the control fd. */
long ramchan_chan_open(struct file *ctl, void *arg)
{
	const struct ramchan_open *args = arg;
	char name[RAMCHAN_NAME_MAX + 1];
	LIST_HEAD(doomed);
	struct ramchan_chan *chan;
	int err;

	err = ramchan_check_role_flags(args->role, args->flags);
	if (err)
		return err;
	if (memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	err = ramchan_copy_name(name, args->name);
	if (err)
		return err;

	mutex_lock(&ramchan_names_lock);
	chan = ramchan_names_find_locked(name, &doomed);
	if (!chan)
		err = -ENOENT;
	else if (!ramchan_chan_permitted(ctl, chan, args->role))
		err = -EACCES;
	else
		kref_get(&chan->users);
	mutex_unlock(&ramchan_names_lock);
	ramchan_names_drop(&doomed);
	if (err)
		return err;

	err = ramchan_chan_install(chan, args->role, args->flags);
	ramchan_chan_put(chan);
	return err;
}

/* RAMCHAN_IOC_UNLINK, on the control fd. */
long ramchan_chan_unlink(struct file *ctl, void *arg)
{
	const struct ramchan_unlink *args = arg;
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	char name[RAMCHAN_NAME_MAX + 1];
	struct ramchan_chan *chan;
	LIST_HEAD(doomed);
	int err;

	if (args->reserved)
		return -EINVAL;
	err = ramchan_copy_name(name, args->name);
	if (err)
		return err;

	mutex_lock(&ramchan_names_lock);
	chan = ramchan_names_find_locked(name, &doomed);
	if (!chan) {
		err = -ENOENT;
	} else if (!uid_eq(ctl->f_cred->fsuid, chan->owner) &&
		   !file_ns_capable(ctl, ns->user_ns, CAP_IPC_OWNER)) {
		err = -EPERM;
	} else {
		list_move(&chan->name_node, &doomed);
		chan->named = false;
	}
	mutex_unlock(&ramchan_names_lock);
	ramchan_names_drop(&doomed);
	return err;
}

/* RAMCHAN_IOC_DUP, on ring and queue fds alike. */
long ramchan_chan_dup_ioctl(struct file *file, void *arg)
{
	const struct ramchan_dup *args = arg;
	struct ramchan_file *rf = file->private_data;
	int err;

	err = ramchan_check_role_flags(args->role, args->flags);
	if (err)
		return err;
	if (args->reserved)
		return -EINVAL;
	if (args->role & ~rf->role)
		return -EPERM;
	return ramchan_chan_install(rf->chan, args->role, args->flags);
}

/*
 * /proc/PID/fdinfo/FD of ring and queue fds: which channel, of which
 * kind, in which role. The census (libramchan's fdinfo parser) reads these
 * lines: keep them in step with tools/lib. The name is not shown: it may
 * hold any byte but '/', newlines included.
 */
void ramchan_chan_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct ramchan_chan *chan = ramchan_file_chan(file);

	seq_printf(m, "ramchan-id:\t%llu\nramchan-kind:\t%s\nramchan-role:\t%u\n",
		   chan->id, chan->kind->name, ramchan_file_role(file));
}

/* Shown to the caller by netlink? (ramchan_chans_lock held) */
static bool ramchan_chan_visible_here(struct ramchan_chan *chan)
{
	lockdep_assert_held(&ramchan_chans_lock);
	return chan->visible && chan->ipc_key == ramchan_current_ns_key();
}

/**
 * ramchan_chan_reap_names - drop the names of dead IPC namespaces now
 *
 * Names are otherwise reaped on the next CREATE, OPEN or UNLINK of a name:
 * netlink's dumps and counters call this first, so that they do not show
 * channels (and RAM) that only a dead namespace's names still hold, and
 * the unlink and destroy events of those come out then.
 */
void ramchan_chan_reap_names(void)
{
	LIST_HEAD(doomed);

	mutex_lock(&ramchan_names_lock);
	ramchan_names_reap(&doomed);
	mutex_unlock(&ramchan_names_lock);
	ramchan_names_drop(&doomed);
}

/**
 * ramchan_chan_find - a visible channel of the caller's IPC namespace
 * @id:		its id, or 0 to look it up by @name
 * @name:	its name (when @id is 0)
 *
 * Return: the channel, referenced (ramchan_chan_put()), or NULL.
 */
struct ramchan_chan *ramchan_chan_find(u64 id, const char *name)
{
	struct ramchan_chan *chan, *found = NULL;
	LIST_HEAD(doomed);

	if (!id) {
		mutex_lock(&ramchan_names_lock);
		chan = ramchan_names_find_locked(name, &doomed);
		if (chan)
			id = chan->id;
		mutex_unlock(&ramchan_names_lock);
		ramchan_names_drop(&doomed);
		if (!id)
			return NULL;
	}
	mutex_lock(&ramchan_chans_lock);
	list_for_each_entry(chan, &ramchan_chans, all_node) {
		if (chan->id == id) {
			if (ramchan_chan_visible_here(chan) &&
			    kref_get_unless_zero(&chan->users))
				found = chan;
			break;
		}
	}
	mutex_unlock(&ramchan_chans_lock);
	return found;
}

/**
 * ramchan_chan_next - the visible channel after @after, for a dump
 * @after:	an id (0 to start)
 * @kind:	RAMCHAN_KIND_*, or 0 for any
 *
 * Channels come in id order (the list is newest first), so a dump that
 * goes on from the last id it sent sees each channel at most once.
 *
 * Return: the channel of the caller's IPC namespace with the smallest id
 * above @after, referenced (ramchan_chan_put()), or NULL.
 */
struct ramchan_chan *ramchan_chan_next(u64 after, unsigned int kind)
{
	struct ramchan_chan *chan, *found = NULL;

	mutex_lock(&ramchan_chans_lock);
	list_for_each_entry_reverse(chan, &ramchan_chans, all_node) {
		if (chan->id <= after || !ramchan_chan_visible_here(chan) ||
		    (kind && chan->kind->id != kind))
			continue;
		if (kref_get_unless_zero(&chan->users)) {
			found = chan;
			break;
		}
	}
	mutex_unlock(&ramchan_chans_lock);
	return found;
}

/* Module unload: no file is left, so dropping the names frees everything. */
void ramchan_chan_exit(void)
{
	struct ramchan_chan *chan, *next;
	LIST_HEAD(doomed);

	mutex_lock(&ramchan_names_lock);
	list_for_each_entry_safe(chan, next, &ramchan_names, name_node) {
		list_move(&chan->name_node, &doomed);
		chan->named = false;
	}
	mutex_unlock(&ramchan_names_lock);
	ramchan_names_drop(&doomed);
	WARN_ON_ONCE(!list_empty(&ramchan_chans));
}
