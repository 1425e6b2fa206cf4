// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx namespace operations: create, mkdir, mknod, symlink, link, unlink,
 * rmdir, rename, and setattr.  Each is one 9P2000.L call on the parent
 * directory's fid; a new name is then walked to, so its dentry carries a
 * fid and an inode as if it had been looked up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/namei.h>

#include "9plx.h"
#include "compat.h"

/* New files take the directory's group when it is set-group-ID. */
static u32 p9x_new_gid(struct inode *dir)
{
	kgid_t gid = dir->i_mode & S_ISGID ? dir->i_gid : current_fsgid();

	return from_kgid(&init_user_ns, gid);
}

/*
 * A new name may be a new directory, never a second name of one the
 * guest holds: a server that gives it the qid of such a directory (a
 * server bug, or host inode numbers that meet in a 9P2000.L session
 * with cache=loose) would get one directory two dentries.  Refused with
 * EIO; @dentry is dropped, so a later lookup asks the server.
 */
static int p9x_new_dir_ok(struct inode *inode, struct dentry *dentry)
{
	struct dentry *alias;

	if (!S_ISDIR(inode->i_mode))
		return 0;
	alias = d_find_any_alias(inode);
	if (!alias)
		return 0;
	dput(alias);
	pr_err_ratelimited("%s: the new name %pd has the qid of a known directory (%llx)\n",
			   P9X_SB(inode->i_sb)->c->name, dentry,
			   P9X_I(inode)->qid.path);
	d_drop(dentry);
	return -EIO;
}

/*
 * Walk to a name just created and attach the fid and inode to @dentry;
 * then give the file @acls, if not NULL (see p9x_acl_create()).
 */
static int p9x_instantiate(struct inode *dir, struct dentry *dentry,
			   struct p9x_fid *dfid, struct posix_acl **acls)
{
	const char *name = dentry->d_name.name;
	struct p9x_attr attr;
	struct inode *inode;
	struct p9x_fid *fid;
	u64 ver;
	int err;

	/* The new name changed @dir's link count and times on the server. */
	p9x_attrs_stale(dir);
	ver = p9x_attr_version(dir->i_sb);
	fid = p9x_walk_getattr(dfid, 1, &name, P9X_GETATTR_IDENT, &attr);
	if (IS_ERR(fid)) {
		if (acls)
			p9x_acl_release(acls);
		return PTR_ERR(fid);
	}
	inode = p9x_iget_at(dentry->d_parent, fid, &attr, ver);
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
		goto out_fid;
	}
	err = p9x_new_dir_ok(inode, dentry);
	if (err) {
		iput(inode);
		goto out_fid;
	}
	d_instantiate(dentry, inode);
	p9x_dentry_add_fid(dentry, fid);
	return acls ? p9x_acl_init(inode, dentry, acls) : 0;

out_fid:
	p9x_fid_put(fid);
	if (acls)
		p9x_acl_release(acls);
	return err;
}

/*
 * Make a new name in @dir: a directory (Tmkdir), a symlink to @target
 * (Tsymlink), or anything else (Tmknod; regular files too, as the
 * in-kernel client does, and they are opened afterwards).
 */
static int p9x_make(struct inode *dir, struct dentry *dentry, umode_t mode,
		    dev_t rdev, const char *target)
{
	const char *name = dentry->d_name.name;
	u32 gid = p9x_new_gid(dir);
	struct posix_acl *acls[2];
	struct p9x_fid *dfid;
	struct p9x_qid qid;
	int err;

	if (dentry->d_name.len > NAME_MAX)
		return -ENAMETOOLONG;
	dfid = p9x_dentry_fid(dentry->d_parent);
	if (IS_ERR(dfid))
		return PTR_ERR(dfid);
	err = p9x_acl_create(dir, &mode, acls);
	if (err) {
		p9x_fid_put(dfid);
		return err;
	}
	if (S_ISDIR(mode))
		err = p9x_mkdir(dfid, name, mode & 07777, gid, &qid);
	else if (S_ISLNK(mode))
		err = p9x_symlink(dfid, name, target, gid, &qid);
	else
		err = p9x_mknod(dfid, name, mode, MAJOR(rdev), MINOR(rdev), gid,
				&qid);
	if (!err)
		err = p9x_instantiate(dir, dentry, dfid, acls);
	else
		p9x_acl_release(acls);
	p9x_fid_put(dfid);
	return err;
}

int p9x_create(struct p9x_idmap *idmap, struct inode *dir,
	       struct dentry *dentry, umode_t mode)
{
	return p9x_make(dir, dentry, (mode & 07777) | S_IFREG, 0, NULL);
}

/*
 * The open of finish_open() for a fid p9x_atomic_open() has opened already
 * (Tlcreate, or Tlopen of a name just walked to) and left in private_data:
 * the same as ->open does with the fid of its Tlopen, before the VFS
 * checks what the open allows (O_DIRECT).
 */
static int p9x_file_preopened(struct inode *inode, struct file *file)
{
	int err;

	/* The file opened must be the inode's (another lookup came first). */
	if (!p9x_fid_names_inode(inode, file->private_data)) {
		d_drop(file->f_path.dentry);
		return -ESTALE;
	}
	err = generic_file_open(inode, file);
	if (!err)
		p9x_file_opened(inode, file, file->private_data);
	return err;
}

/*
 * Open an existing name the dentry cache did not hold (always so with
 * cache=none and cache=mmap, which keep no unused dentry): the fid the
 * lookup walked to a regular file is opened and becomes the file's,
 * instead of staying on the dentry while ->open clones it with one more
 * Twalk, and both go with a Tclunk each.  The dentry keeps no fid; with
 * cache=loose, a later open of it walks one from the parent and opens it
 * (p9x_open_fid()).
 * The VFS checks the open against the inode afterwards (may_open()), as it
 * does after a create; an open it refuses only clunks the fid, and Tlopen,
 * without O_TRUNC (done later through setattr) and O_CREAT, has changed
 * nothing.  Anything else, and a Tlopen the server refuses, is left to
 * ->open, which reports it as usual.
 */
static int p9x_open_existing(struct inode *dir, struct dentry *dentry,
			     struct file *file)
{
	struct p9x_fid *fid;
	struct dentry *res;
	int err;

	res = p9x_lookup_fid(dir, dentry, &fid);
	if (IS_ERR(res))
		return PTR_ERR(res);
	if (res)
		dentry = res;
	if (!fid)
		return finish_no_open(file, res);

	err = p9x_lopen(fid, p9x_open_flags_sb(dir->i_sb, file->f_flags));
	if (err) {
		/*
		 * Not kept on the dentry: a Tlopen cut short by a signal may
		 * have opened the fid all the same.
		 */
		p9x_fid_put(fid);
		return finish_no_open(file, res);
	}
	file->private_data = fid;
	err = finish_open(file, dentry, p9x_file_preopened);
	if (!(file->f_mode & FMODE_OPENED)) {
		file->private_data = NULL;
		p9x_fid_put(fid);
	}
	dput(res);
	return err;
}

/**
 * p9x_atomic_open() - look up, and open what is found or made
 * @dir: the parent directory
 * @dentry: the name, negative or still being looked up
 * @file: the file to open
 * @flags: open(2) flags
 * @mode: the mode for a new file, umask applied
 *
 * A new file is opened as it is made, so open(O_CREAT | O_WRONLY, 0444)
 * works where a server checks permissions, and no other client's open
 * comes between.  Tlcreate always asks for O_EXCL: a file that exists on
 * the server although the dentry says not (made by another client) is
 * then opened as any existing file is, after the VFS's permission
 * checks, by dropping the dentry and having the VFS look again
 * (-EOPENSTALE); with O_EXCL from the caller it is EEXIST, and the
 * dentry is dropped all the same.  Without O_CREAT, a regular file found
 * is opened on the fid walked to it (p9x_open_existing()).
 *
 * Return: 0 or a negative errno.
 */
static int p9x_atomic_open(struct inode *dir, struct dentry *dentry,
			   struct file *file, unsigned int flags,
			   umode_t mode)
{
	struct p9x_fid *dfid, *ofid;
	struct posix_acl *acls[2];
	struct dentry *res = NULL;
	u32 p9flags;
	int err;

	if (d_in_lookup(dentry)) {
		if (!(flags & (O_CREAT | O_DIRECTORY)))
			return p9x_open_existing(dir, dentry, file);
		res = p9x_lookup(dir, dentry, 0);
		if (IS_ERR(res))
			return PTR_ERR(res);
		if (res)
			dentry = res;
	}
	if (!(flags & O_CREAT) || d_really_is_positive(dentry))
		return finish_no_open(file, res);

	dfid = p9x_dentry_fid(dentry->d_parent);
	if (IS_ERR(dfid)) {
		err = PTR_ERR(dfid);
		goto out;
	}
	ofid = p9x_walk(dfid, 0, NULL);
	if (IS_ERR(ofid)) {
		err = PTR_ERR(ofid);
		goto out_dfid;
	}
	mode = (mode & 07777) | S_IFREG;
	err = p9x_acl_create(dir, &mode, acls);
	if (err)
		goto out_ofid;
	p9flags = p9x_open_flags_sb(dir->i_sb, flags) | P9X_O_CREAT |
		  P9X_O_EXCL;
	err = p9x_lcreate(ofid, dentry->d_name.name, p9flags, mode & 07777,
			  p9x_new_gid(dir));
	if (err) {
		p9x_acl_release(acls);
		/* The dentry said the name was free: it is not. */
		if (err == -EEXIST) {
			d_drop(dentry);
			if (!(flags & O_EXCL))
				err = -EOPENSTALE;
		}
		goto out_ofid;
	}
	err = p9x_instantiate(dir, dentry, dfid, acls);
	if (err)
		goto out_ofid;
	/* Made just now (O_EXCL): no file capability for a write to clear. */
	p9x_nosec_set(d_inode(dentry));
	file->f_mode |= FMODE_CREATED;
	/* p9x_file_preopened() makes the Tlcreate fid the file's. */
	file->private_data = ofid;
	err = finish_open(file, dentry, p9x_file_preopened);
	if (!(file->f_mode & FMODE_OPENED)) {
		file->private_data = NULL;
		goto out_ofid;
	}
	/* Open, whatever a later check said: its release puts the fid. */
	p9x_fid_put(dfid);
	dput(res);
	return err;

out_ofid:
	p9x_fid_put(ofid);
out_dfid:
	p9x_fid_put(dfid);
out:
	dput(res);
	return err;
}

static int p9x_mknod_op(struct p9x_idmap *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode, dev_t rdev)
{
	return p9x_make(dir, dentry, mode, rdev, NULL);
}

static p9x_mkdir_t p9x_mkdir_op(struct p9x_idmap *idmap, struct inode *dir,
				struct dentry *dentry, umode_t mode)
{
	return p9x_mkdir_result(p9x_make(dir, dentry, (mode & 07777) | S_IFDIR,
					 0, NULL));
}

static int p9x_symlink_op(struct p9x_idmap *idmap, struct inode *dir,
			  struct dentry *dentry, const char *target)
{
	return p9x_make(dir, dentry, S_IFLNK | 0777, 0, target);
}

static int p9x_link_op(struct dentry *old, struct inode *dir,
		       struct dentry *dentry)
{
	struct p9x_fid *dfid, *fid;
	int err;

	if (dentry->d_name.len > NAME_MAX)
		return -ENAMETOOLONG;
	fid = p9x_dentry_fid(old);
	if (IS_ERR(fid))
		return PTR_ERR(fid);
	dfid = p9x_dentry_fid(dentry->d_parent);
	if (IS_ERR(dfid)) {
		p9x_fid_put(fid);
		return PTR_ERR(dfid);
	}
	err = p9x_link(dfid, fid, dentry->d_name.name);
	p9x_fid_put(fid);
	if (!err) {
		p9x_attrs_stale(d_inode(old));
		err = p9x_instantiate(dir, dentry, dfid, NULL);
	}
	p9x_fid_put(dfid);
	return err;
}

static int p9x_remove_name(struct dentry *dentry, u32 flags)
{
	struct inode *inode = d_inode(dentry);
	struct p9x_fid *dfid;
	int err;

	dfid = p9x_dentry_fid(dentry->d_parent);
	if (IS_ERR(dfid))
		return PTR_ERR(dfid);
	err = p9x_unlinkat(dfid, dentry->d_name.name, flags);
	p9x_fid_put(dfid);
	if (err == -EOPNOTSUPP) {
		/* Servers without Tunlinkat (diod): remove by fid. */
		struct p9x_fid *fid = p9x_dentry_fid(dentry);

		if (IS_ERR(fid))
			return PTR_ERR(fid);
		/* Tremove clunks the fid; use a clone, not the dentry's. */
		dfid = p9x_walk(fid, 0, NULL);
		p9x_fid_put(fid);
		if (IS_ERR(dfid))
			return PTR_ERR(dfid);
		err = p9x_remove(dfid);
	}
	if (err)
		return err;
	p9x_attrs_stale(d_inode(dentry->d_parent));
	p9x_attrs_stale(inode);
	if (flags & P9X_AT_REMOVEDIR)
		clear_nlink(inode);
	else if (inode->i_nlink)
		drop_nlink(inode);
	return 0;
}

static int p9x_unlink(struct inode *dir, struct dentry *dentry)
{
	return p9x_remove_name(dentry, 0);
}

static int p9x_rmdir(struct inode *dir, struct dentry *dentry)
{
	return p9x_remove_name(dentry, P9X_AT_REMOVEDIR);
}

static int p9x_rename_op(struct p9x_idmap *idmap, struct inode *old_dir,
			 struct dentry *old_dentry, struct inode *new_dir,
			 struct dentry *new_dentry, unsigned int flags)
{
	struct p9x_sb *sbi = P9X_SB(old_dir->i_sb);
	struct inode *target = d_inode(new_dentry);
	struct p9x_fid *ofid, *nfid, *fid = NULL;
	int err;

	/*
	 * Trenameat has no flags, and the server replaces a target that
	 * appeared since the VFS looked (another client's, say): no flag
	 * can be honoured atomically, so all are refused, as the in-kernel
	 * client does.
	 */
	if (flags)
		return -EINVAL;
	if (new_dentry->d_name.len > NAME_MAX)
		return -ENAMETOOLONG;
	ofid = p9x_dentry_fid(old_dentry->d_parent);
	if (IS_ERR(ofid))
		return PTR_ERR(ofid);
	nfid = p9x_dentry_fid(new_dentry->d_parent);
	if (IS_ERR(nfid)) {
		p9x_fid_put(ofid);
		return PTR_ERR(nfid);
	}
	/*
	 * The fids first: getting one may walk, under rename_sem too.
	 * Killable: a walk holding it may be waiting on a stopped server.
	 */
	if (down_write_killable(&sbi->rename_sem)) {
		err = -EINTR;
		goto put;
	}
	err = p9x_renameat(ofid, old_dentry->d_name.name, nfid,
			   new_dentry->d_name.name);
	if (err == -EOPNOTSUPP) {
		/* Servers without Trenameat (diod): rename by fid. */
		up_write(&sbi->rename_sem);
		fid = p9x_dentry_fid(old_dentry);
		if (IS_ERR(fid)) {
			err = PTR_ERR(fid);
			goto put;
		}
		if (down_write_killable(&sbi->rename_sem)) {
			err = -EINTR;
			goto put;
		}
		err = p9x_rename(fid, nfid, new_dentry->d_name.name);
	}
	/*
	 * Before anyone reads the names off the dentries again
	 * (FS_RENAME_DOES_D_MOVE): a walk by the old name now would find
	 * nothing, or another file that took the name.
	 */
	if (!err)
		d_move(old_dentry, new_dentry);
	up_write(&sbi->rename_sem);
put:
	if (!IS_ERR_OR_NULL(fid))
		p9x_fid_put(fid);
	p9x_fid_put(nfid);
	p9x_fid_put(ofid);
	if (err)
		return err;
	/* Fids walked by the old name are walked again by the new one. */
	p9x_dentry_forget_fids(old_dentry);
	p9x_attrs_stale(old_dir);
	p9x_attrs_stale(new_dir);
	p9x_attrs_stale(d_inode(old_dentry));
	if (target) {
		p9x_attrs_stale(target);
		if (S_ISDIR(target->i_mode))
			clear_nlink(target);
		else if (target->i_nlink)
			drop_nlink(target);
	}
	return 0;
}

/* The fid of an open regular file, for operations on unlinked files. */
static struct p9x_fid *p9x_setattr_fid(struct dentry *dentry, struct iattr *ia)
{
	struct file *file = ia->ia_valid & ATTR_FILE ? ia->ia_file : NULL;
	struct p9x_fid *fid;

	if (file && S_ISREG(file_inode(file)->i_mode) && file->private_data)
		return p9x_fid_get(file->private_data);
	fid = p9x_inode_open_fid(d_inode(dentry), true);
	return fid ? fid : p9x_dentry_fid(dentry);
}

int p9x_setattr_op(struct p9x_idmap *idmap, struct dentry *dentry, struct iattr *ia)
{
	static const struct {
		unsigned int vfs;
		u32 wire;
	} bits[] = {
		{ ATTR_MODE, P9X_SETATTR_MODE },
		{ ATTR_UID, P9X_SETATTR_UID },
		{ ATTR_GID, P9X_SETATTR_GID },
		{ ATTR_SIZE, P9X_SETATTR_SIZE },
		{ ATTR_ATIME, P9X_SETATTR_ATIME },
		{ ATTR_MTIME, P9X_SETATTR_MTIME },
		{ ATTR_CTIME, P9X_SETATTR_CTIME },
		{ ATTR_ATIME_SET, P9X_SETATTR_ATIME_SET },
		{ ATTR_MTIME_SET, P9X_SETATTR_MTIME_SET },
	};
	struct inode *inode = d_inode(dentry);
	struct p9x_iattr p = {};
	struct p9x_fid *fid;
	int err, i;

	err = setattr_prepare(idmap, dentry, ia);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(bits); i++)
		if (ia->ia_valid & bits[i].vfs)
			p.valid |= bits[i].wire;
	/*
	 * A truncate moves mtime and ctime on the server by itself.  Sent
	 * along, "now" is a time set (utimensat), which a server acting as
	 * the user allows the owner only, where a truncate needs write
	 * access alone.
	 */
	if ((p.valid & P9X_SETATTR_SIZE) && !(ia->ia_valid & ATTR_MTIME_SET))
		p.valid &= ~(P9X_SETATTR_MTIME | P9X_SETATTR_CTIME);
	if (!p.valid)
		return 0;
	p.mode = ia->ia_mode;
	p.uid = from_kuid(&init_user_ns, ia->ia_uid);
	p.gid = from_kgid(&init_user_ns, ia->ia_gid);
	p.size = ia->ia_size;
	p.atime_sec = ia->ia_atime.tv_sec;
	p.atime_nsec = ia->ia_atime.tv_nsec;
	p.mtime_sec = ia->ia_mtime.tv_sec;
	p.mtime_nsec = ia->ia_mtime.tv_nsec;

	/*
	 * Pages past a new end must not be written back after the cut: no
	 * writeback runs from before the Tsetattr until they are gone.
	 * Nothing needs writing first, neither what goes (and may not fit
	 * on the server: a truncate is how a user frees space) nor what
	 * stays, whose errors fsync reports.
	 */
	if ((ia->ia_valid & ATTR_SIZE) &&
	    down_write_killable(&P9X_I(inode)->wb_sem))
		return -EINTR;
	fid = p9x_setattr_fid(dentry, ia);
	if (IS_ERR(fid)) {
		err = PTR_ERR(fid);
		goto out;
	}
	err = p9x_setattr(fid, &p);
	p9x_attrs_touched(inode);
	/*
	 * Set-user-ID and set-group-ID cleared for a user's write, truncate
	 * or chown (the VFS asks with ATTR_KILL_*): a server that refuses
	 * that user the mode change acts as the user, so the host clears
	 * the bits itself when it writes, truncates or chowns.  The rest is
	 * sent alone; the guest takes the bits as gone (so the next write
	 * does not ask again) and reads the mode again at the next stat.
	 */
	if (err == -EPERM && (p.valid & P9X_SETATTR_MODE) &&
	    (ia->ia_valid & (ATTR_KILL_SUID | ATTR_KILL_SGID))) {
		p.valid &= ~P9X_SETATTR_MODE;
		err = p.valid ? p9x_setattr(fid, &p) : 0;
		p9x_attrs_stale(inode);
	}
	/* Attributes asked for before now may predate what was set. */
	p9x_attrs_changed(inode);
	p9x_fid_put(fid);
	if (!err && (ia->ia_valid & ATTR_SIZE))
		truncate_setsize(inode, ia->ia_size);
out:
	if (ia->ia_valid & ATTR_SIZE)
		up_write(&P9X_I(inode)->wb_sem);
	if (err)
		return err;
	setattr_copy(idmap, inode, ia);
	if (ia->ia_valid & (ATTR_MODE | ATTR_UID | ATTR_GID))
		p9x_nosec_clear(inode);
	/* The access ACL's mask and others follow the new mode. */
	if ((ia->ia_valid & ATTR_MODE) && IS_POSIXACL(inode))
		return p9x_acl_chmod(idmap, dentry);
	return 0;
}

const struct inode_operations p9x_dir_iops = {
	.lookup = p9x_lookup,
	.getattr = p9x_getattr_op,
	.setattr = p9x_setattr_op,
	.listxattr = p9x_listxattr,
	.atomic_open = p9x_atomic_open,
	.create = p9x_iop_create,
	.mkdir = p9x_mkdir_op,
	.mknod = p9x_mknod_op,
	.symlink = p9x_symlink_op,
	.link = p9x_link_op,
	.unlink = p9x_unlink,
	.rmdir = p9x_rmdir,
	.rename = p9x_rename_op,
	P9X_ACL_IOPS,
};
