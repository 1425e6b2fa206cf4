// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx fid trees: each dentry keeps the fids walked to it, one per user
 * (or one shared, for access=any).  A user with no fid on a dentry walks
 * from the nearest ancestor that has one, attaching first if needed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/slab.h>

#include "9plx.h"

/*
 * The fid list lives in d_fsdata itself: an hlist_head is one pointer,
 * so no allocation per dentry is needed.  Protected by d_lock.
 */
static inline struct hlist_head *p9x_dentry_fids(struct dentry *dentry)
{
	BUILD_BUG_ON(sizeof(struct hlist_head) != sizeof(dentry->d_fsdata));
	return (struct hlist_head *)&dentry->d_fsdata;
}

/**
 * p9x_dentry_add_fid() - keep a fid on a dentry
 * @dentry: the dentry the fid was walked to
 * @fid: the fid; the dentry takes over the caller's reference
 */
void p9x_dentry_add_fid(struct dentry *dentry, struct p9x_fid *fid)
{
	spin_lock(&dentry->d_lock);
	hlist_add_head(&fid->node, p9x_dentry_fids(dentry));
	spin_unlock(&dentry->d_lock);
}

/* Called from d_release: the dentry is going, and its fids with it. */
void p9x_dentry_put_fids(struct dentry *dentry)
{
	struct hlist_node *tmp;
	struct p9x_fid *fid;

	hlist_for_each_entry_safe(fid, tmp, p9x_dentry_fids(dentry), node) {
		hlist_del(&fid->node);
		p9x_fid_put(fid);
	}
}

/**
 * p9x_dentry_forget_fids() - drop the fids kept on a dentry
 * @dentry: a dentry whose name changed, so walks are redone by the new one
 *
 * Holders of references keep their fids; the dentry no longer offers them.
 */
void p9x_dentry_forget_fids(struct dentry *dentry)
{
	struct hlist_node *tmp;
	struct p9x_fid *fid;
	HLIST_HEAD(gone);

	spin_lock(&dentry->d_lock);
	hlist_move_list(p9x_dentry_fids(dentry), &gone);
	spin_unlock(&dentry->d_lock);
	hlist_for_each_entry_safe(fid, tmp, &gone, node) {
		hlist_del(&fid->node);
		p9x_fid_put(fid);
	}
}

/*
 * Open files' fids, kept on their inode (the list does not hold a
 * reference: the file does).  An open fid still names the file after it
 * is unlinked, when a walk to its old name no longer can.
 */
void p9x_inode_add_open_fid(struct inode *inode, struct p9x_fid *fid)
{
	spin_lock(&inode->i_lock);
	hlist_add_head(&fid->node, &P9X_I(inode)->ofids);
	spin_unlock(&inode->i_lock);
}

void p9x_inode_del_open_fid(struct inode *inode, struct p9x_fid *fid)
{
	spin_lock(&inode->i_lock);
	hlist_del_init(&fid->node);
	spin_unlock(&inode->i_lock);
}

/**
 * p9x_inode_open_fid() - a fid of an open file of an inode
 * @inode: the inode
 * @mine: only a fid the current user may act through (same owner, or a
 *	shared one); otherwise any, for reading attributes
 *
 * Return: a referenced fid, or NULL if no open file qualifies.
 */
struct p9x_fid *p9x_inode_open_fid(struct inode *inode, bool mine)
{
	struct p9x_fid *fid, *found = NULL;

	spin_lock(&inode->i_lock);
	hlist_for_each_entry(fid, &P9X_I(inode)->ofids, node) {
		if (!mine || !uid_valid(fid->uid) ||
		    uid_eq(fid->uid, current_fsuid())) {
			found = p9x_fid_get(fid);
			break;
		}
	}
	spin_unlock(&inode->i_lock);
	return found;
}

static struct p9x_fid *p9x_find_fid(struct dentry *dentry, kuid_t uid,
				    bool any)
{
	struct p9x_fid *fid, *found = NULL;

	spin_lock(&dentry->d_lock);
	hlist_for_each_entry(fid, p9x_dentry_fids(dentry), node) {
		if (any || uid_eq(fid->uid, uid)) {
			found = p9x_fid_get(fid);
			break;
		}
	}
	spin_unlock(&dentry->d_lock);
	return found;
}

/* Attach for @uid on first use of the mount by that user. */
static struct p9x_fid *p9x_attach_user(struct dentry *root, kuid_t uid)
{
	struct p9x_sb *sbi = P9X_SB(root->d_sb);
	struct p9x_fid *fid;

	if (sbi->opts.access == P9X_ACCESS_SINGLE)
		return ERR_PTR(-EPERM);
	fid = p9x_attach(sbi->c, "", sbi->opts.aname,
			 from_kuid(&init_user_ns, uid), uid);
	if (IS_ERR(fid))
		return fid;
	p9x_dentry_add_fid(root, p9x_fid_get(fid));
	return fid;
}

/*
 * Walk from @fid down @names: @names[n - 1] is the first name, @names[0]
 * the last.  Consumes the reference on @fid.
 */
static struct p9x_fid *p9x_walk_names(struct p9x_fid *fid,
				      struct name_snapshot *names,
				      unsigned int n)
{
	const char *wnames[P9X_MAXWELEM];
	struct p9x_fid *next;
	unsigned int i;

	while (n) {
		unsigned int k = min_t(unsigned int, n, P9X_MAXWELEM);

		for (i = 0; i < k; i++)
			wnames[i] = names[n - 1 - i].name.name;
		next = p9x_walk(fid, k, wnames);
		p9x_fid_put(fid);
		if (IS_ERR(next))
			return next;
		fid = next;
		n -= k;
	}
	return fid;
}

/*
 * Walk from @fid down the names of @path[n - 1] .. @path[0].  The
 * snapshots go in an array allocated once: a snapshot of a short name
 * points into itself, so it must not move once taken.
 */
static struct p9x_fid *p9x_walk_path(struct p9x_fid *fid,
				     struct dentry **path, unsigned int n)
{
	struct name_snapshot *names;
	unsigned int i;

	names = kmalloc_array(n, sizeof(*names), GFP_NOFS);
	if (!names) {
		p9x_fid_put(fid);
		return ERR_PTR(-ENOMEM);
	}
	for (i = 0; i < n; i++)
		take_dentry_name_snapshot(&names[i], path[i]);
	fid = p9x_walk_names(fid, names, n);
	for (i = 0; i < n; i++)
		release_dentry_name_snapshot(&names[i]);
	kfree(names);
	return fid;
}

/*
 * A fid on @dentry for the current user: one the dentry holds, else one
 * walked from the nearest ancestor that holds one.  The walked fid is
 * kept on the dentry too, unless @fresh is given: then it is the
 * caller's alone, and *@fresh says whether it was walked.
 */
static struct p9x_fid *p9x_dentry_fid_how(struct dentry *dentry, bool *fresh)
{
	struct p9x_sb *sbi = P9X_SB(dentry->d_sb);
	struct dentry **path = NULL, **grown;
	unsigned int n = 0, cap = 0, i;
	struct p9x_fid *fid;
	struct dentry *d;
	bool any = false;
	kuid_t uid;

	switch (sbi->opts.access) {
	case P9X_ACCESS_ANY:
		uid = INVALID_UID;
		any = true;
		break;
	default:
		uid = current_fsuid();
		break;
	}

	if (fresh)
		*fresh = false;
	fid = p9x_find_fid(dentry, uid, any);
	if (fid)
		return fid;

	/* Killable: a rename may be waiting on a server that stopped. */
	if (down_read_killable(&sbi->rename_sem))
		return ERR_PTR(-EINTR);
	d = dget(dentry);
	for (;;) {
		fid = p9x_find_fid(d, uid, any);
		if (fid)
			break;
		if (IS_ROOT(d)) {
			fid = p9x_attach_user(d, uid);
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = krealloc_array(path, cap, sizeof(*path),
					       GFP_NOFS);
			if (!grown) {
				fid = ERR_PTR(-ENOMEM);
				break;
			}
			path = grown;
		}
		path[n++] = d;
		d = dget_parent(d);
	}
	dput(d);

	if (!IS_ERR(fid) && n)
		fid = p9x_walk_path(fid, path, n);
	for (i = 0; i < n; i++)
		dput(path[i]);
	kfree(path);

	if (!IS_ERR(fid) && n) {
		if (fresh)
			*fresh = true;
		else
			p9x_dentry_add_fid(dentry, p9x_fid_get(fid));
	}
	up_read(&sbi->rename_sem);
	return fid;
}

/**
 * p9x_dentry_statfs() - Tstatfs of the host filesystem a dentry is on
 * @dentry: the dentry
 * @st: the server's answer, on success
 *
 * Return: 0 or a negative errno.
 */
int p9x_dentry_statfs(struct dentry *dentry, struct p9x_statfs *st)
{
	struct p9x_fid *fid = p9x_dentry_fid(dentry);
	int err;

	if (IS_ERR(fid))
		return PTR_ERR(fid);
	err = p9x_statfs(fid, st);
	p9x_fid_put(fid);
	return err;
}

/**
 * p9x_dentry_fid() - get a fid on a dentry for the current user
 * @dentry: the dentry
 *
 * Return: a referenced fid, or an ERR_PTR.
 */
struct p9x_fid *p9x_dentry_fid(struct dentry *dentry)
{
	return p9x_dentry_fid_how(dentry, NULL);
}

/*
 * Linux open(2) flags to the protocol's fixed values.  O_DIRECT is the
 * guest's own business (it bypasses the guest's page cache) and is not
 * passed on: a server opening its file with O_DIRECT would refuse
 * unaligned buffers or filesystems without direct I/O (diod does).
 * Nor are O_TRUNC, which the VFS carries out through setattr once it has
 * checked the open, and O_CREAT and O_EXCL, which only Tlcreate asks for.
 */
u32 p9x_open_flags(unsigned int flags)
{
	static const struct {
		unsigned int linux_flag;
		u32 wire_flag;
	} map[] = {
		{ O_APPEND, P9X_O_APPEND },
		{ O_NONBLOCK, P9X_O_NONBLOCK },
		{ O_DSYNC, P9X_O_DSYNC },
		{ FASYNC, P9X_O_FASYNC },
		{ O_LARGEFILE, P9X_O_LARGEFILE },
		{ O_DIRECTORY, P9X_O_DIRECTORY },
		{ O_NOFOLLOW, P9X_O_NOFOLLOW },
		{ O_NOATIME, P9X_O_NOATIME },
		{ O_CLOEXEC, P9X_O_CLOEXEC },
		{ __O_SYNC, P9X_O_SYNC },
	};
	u32 out;
	int i;

	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		out = P9X_O_WRONLY;
		break;
	case O_RDWR:
		out = P9X_O_RDWR;
		break;
	default:
		out = P9X_O_RDONLY;
		break;
	}
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (flags & map[i].linux_flag)
			out |= map[i].wire_flag;
	return out;
}

/**
 * p9x_open_fid() - open a fresh fid on a dentry
 * @dentry: what to open
 * @p9flags: Tlopen flags
 *
 * Return: an opened fid the caller owns (one reference), or an ERR_PTR.
 */
struct p9x_fid *p9x_open_fid(struct dentry *dentry, u32 p9flags)
{
	struct p9x_fid *fid, *nfid;
	bool again = true;
	bool fresh;
	int err;

retry:
	/*
	 * A dentry without a fid (opened once through its lookup's fid) is
	 * walked to straight: one Twalk, as a clone of a kept fid is.
	 */
	fid = p9x_dentry_fid_how(dentry, &fresh);
	if (IS_ERR(fid))
		return fid;
	if (fresh) {
		nfid = fid;
	} else {
		nfid = p9x_walk(fid, 0, NULL);
		p9x_fid_put(fid);
	}
	err = IS_ERR(nfid) ? PTR_ERR(nfid) : p9x_lopen(nfid, p9flags);
	/* Opened, but another file than the dentry's inode. */
	if (!err && !p9x_fid_names_inode(d_inode(dentry), nfid))
		err = -ESTALE;
	if (!err)
		return nfid;
	if (!IS_ERR(nfid))
		p9x_fid_put(nfid);
	/*
	 * A server that names fids by path (QEMU) may have left a fid kept
	 * on the dentry at a path a rename took away: walk the name again
	 * once before believing the file is gone, or another.
	 */
	if ((err == -ENOENT || err == -ESTALE) && again) {
		again = false;
		p9x_dentry_forget_fids(dentry);
		goto retry;
	}
	/*
	 * The name leads to another file now: off the hash with the dentry,
	 * so that an open(2) the VFS retries on -ESTALE looks it up again.
	 */
	if (err == -ESTALE)
		d_drop(dentry);
	return ERR_PTR(err);
}
