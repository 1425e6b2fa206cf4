// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx POSIX ACLs, for mounts with posixacl and access=client: the guest
 * checks permissions, so it needs the ACLs.  They travel as the xattrs
 * system.posix_acl_access and system.posix_acl_default in the format of
 * <linux/posix_acl_xattr.h>, with ids as the server knows them, and are
 * kept in the VFS's per-inode ACL cache.  An ACL is read from the server
 * when the VFS first wants it and forgotten when the file's ctime moves,
 * which any change of an ACL on the server does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/slab.h>
#include <linux/xattr.h>

#include "9plx.h"
#include "compat.h"

static const char *p9x_acl_name(int type)
{
	return type == ACL_TYPE_DEFAULT ? XATTR_NAME_POSIX_ACL_DEFAULT :
					  XATTR_NAME_POSIX_ACL_ACCESS;
}

/*
 * A fid of the current user to reach @inode's ACLs through: @dentry's
 * if there is one, else an open file's (the only name an unlinked file
 * has), else any dentry's of the inode.
 */
static struct p9x_fid *p9x_acl_fid(struct inode *inode, struct dentry *dentry)
{
	struct p9x_fid *fid;
	struct dentry *alias;

	if (dentry)
		return p9x_dentry_fid(dentry);
	fid = p9x_inode_open_fid(inode, true);
	if (fid)
		return fid;
	alias = d_find_alias(inode);
	if (!alias)
		return ERR_PTR(-ESTALE);
	fid = p9x_dentry_fid(alias);
	dput(alias);
	return fid;
}

/**
 * p9x_acl_get() - read an ACL from the server
 * @inode: the file
 * @dentry: a dentry of @inode, or NULL
 * @type: ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 *
 * The VFS caches what this returns.  A server without the attribute, or
 * without attributes at all, means the file has no ACL of that type.
 *
 * Return: the ACL, NULL for none, or an ERR_PTR (-EIO for a value that
 * is not a valid ACL).
 */
struct posix_acl *p9x_acl_get(struct inode *inode, struct dentry *dentry,
			      int type)
{
	struct posix_acl *acl;
	struct p9x_fid *fid;
	void *buf;
	ssize_t len;

	fid = p9x_acl_fid(inode, dentry);
	if (IS_ERR(fid))
		return ERR_CAST(fid);
	len = p9x_xattr_get_alloc(fid, p9x_acl_name(type), XATTR_SIZE_MAX,
				  &buf);
	p9x_fid_put(fid);
	if (len == -ENODATA || len == -EOPNOTSUPP)
		return NULL;
	if (len < 0)
		return ERR_PTR(len);
	acl = len ? posix_acl_from_xattr(&init_user_ns, buf, len) : NULL;
	kfree(buf);
	if (!IS_ERR_OR_NULL(acl) && posix_acl_valid(&init_user_ns, acl)) {
		posix_acl_release(acl);
		acl = ERR_PTR(-EINVAL);
	}
	if (IS_ERR(acl)) {
		pr_err_ratelimited("server sent a malformed %s (%ld)\n",
				   p9x_acl_name(type), PTR_ERR(acl));
		return ERR_PTR(-EIO);
	}
	return acl;
}

/*
 * Store @acl (NULL: remove it) as the ACL of @type of @fid's file.
 * Removing an ACL the file does not have is not an error, as on local
 * filesystems.
 */
static int p9x_acl_store(struct p9x_fid *fid, int type,
			 const struct posix_acl *acl)
{
	size_t size = 0;
	void *buf = NULL;
	int err;

	if (acl) {
		buf = p9x_acl_to_xattr(acl, &size);
		if (IS_ERR(buf))
			return PTR_ERR(buf);
	}
	err = p9x_xattr_set_fid(fid, p9x_acl_name(type), buf, size, 0);
	if (!acl && err == -ENODATA)
		err = 0;
	kfree(buf);
	return err;
}

/**
 * p9x_acl_set() - give a file a new ACL
 * @idmap: the mount's idmap (or user namespace)
 * @inode: the file
 * @dentry: a dentry of @inode, or NULL
 * @acl: the ACL, or NULL to remove it
 * @type: ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 *
 * Called with @inode locked, after the VFS checked ownership and the
 * ACL itself.  An access ACL also sets the mode's permission bits; one
 * that says no more than the mode is stored as the mode alone.
 *
 * Return: 0 or a negative errno.
 */
int p9x_acl_set(struct p9x_idmap *idmap, struct inode *inode,
		struct dentry *dentry, struct posix_acl *acl, int type)
{
	struct p9x_iattr ia = { .valid = P9X_SETATTR_MODE };
	umode_t mode = inode->i_mode;
	struct p9x_fid *fid;
	int err;

	if (type == ACL_TYPE_ACCESS && acl) {
		/* May swap @acl for NULL; the caller keeps its reference. */
		err = posix_acl_update_mode(idmap, inode, &mode, &acl);
		if (err)
			return err;
	}
	fid = p9x_acl_fid(inode, dentry);
	if (IS_ERR(fid))
		return PTR_ERR(fid);
	err = p9x_acl_store(fid, type, acl);
	if (!err && mode != inode->i_mode) {
		ia.mode = mode;
		err = p9x_setattr(fid, &ia);
		if (!err)
			inode->i_mode = mode;
	}
	p9x_fid_put(fid);
	p9x_attrs_touched(inode);
	if (!err)
		set_cached_acl(inode, type, acl);
	return err;
}

/**
 * p9x_acl_create() - the mode and ACLs of a file about to be made
 * @dir: the parent directory
 * @mode: the requested mode, with the file type; updated
 * @acls: set to the new file's default ACL ([0], directories only) and
 *	access ACL ([1]), each NULL if none
 *
 * Without ACLs in @dir this only applies the umask, which the VFS leaves
 * to a filesystem with ACLs.
 *
 * Return: 0 or a negative errno.
 */
int p9x_acl_create(struct inode *dir, umode_t *mode, struct posix_acl **acls)
{
	acls[0] = NULL;
	acls[1] = NULL;
	if (!IS_POSIXACL(dir) || S_ISLNK(*mode))
		return 0;
	return posix_acl_create(dir, mode, &acls[0], &acls[1]);
}

/**
 * p9x_acl_init() - give a new file the ACLs p9x_acl_create() worked out
 * @inode: the new file
 * @dentry: its dentry
 * @acls: the ACLs; references released here
 *
 * Return: 0 or a negative errno.
 */
int p9x_acl_init(struct inode *inode, struct dentry *dentry,
		 struct posix_acl **acls)
{
	static const int types[] = { ACL_TYPE_DEFAULT, ACL_TYPE_ACCESS };
	struct p9x_fid *fid = NULL;
	int err = 0, i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		if (!err && acls[i]) {
			if (!fid)
				fid = p9x_dentry_fid(dentry);
			err = IS_ERR(fid) ? PTR_ERR(fid) :
			      p9x_acl_store(fid, types[i], acls[i]);
		}
		if (!err && IS_POSIXACL(inode))
			set_cached_acl(inode, types[i], acls[i]);
		posix_acl_release(acls[i]);
		acls[i] = NULL;
	}
	if (!IS_ERR_OR_NULL(fid))
		p9x_fid_put(fid);
	return err;
}

/**
 * p9x_acl_release() - drop what p9x_acl_create() gave when no file came
 * @acls: the ACLs
 */
void p9x_acl_release(struct posix_acl **acls)
{
	posix_acl_release(acls[0]);
	posix_acl_release(acls[1]);
}
