// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx extended attributes: Txattrwalk to read a value or the list of
 * names, Txattrcreate plus Twrite to set one (the server applies it when
 * the fid is clunked; a zero-length value removes the attribute).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/posix_acl_xattr.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/xattr.h>

#include "9plx.h"
#include "compat.h"

/* Read the @len bytes of the attribute walked to by @xfid into @buf. */
static ssize_t p9x_xattr_read(struct p9x_fid *xfid, void *buf, u64 len)
{
	struct iov_iter to;
	struct kvec kv;
	ssize_t n;

	if (!len)
		return 0;
	kv.iov_base = buf;
	kv.iov_len = len;
	iov_iter_kvec(&to, ITER_DEST, &kv, 1, len);
	n = p9x_read(xfid, 0, &to);
	return n >= 0 && n != len ? -EIO : n;
}

/*
 * Read attribute @name ("" for the list of names) of @fid's file into
 * @buf, or only measure it if @size is 0.  Returns the length, or
 * -ERANGE, -E2BIG (longer than @max) or the server's error.
 */
static ssize_t p9x_xattr_get_fid(struct p9x_fid *fid, const char *name,
				 void *buf, size_t size, size_t max)
{
	struct p9x_fid *xfid;
	ssize_t n;
	u64 len;

	xfid = p9x_xattrwalk(fid, name, &len);
	if (IS_ERR(xfid))
		return PTR_ERR(xfid);
	if (len > max)
		n = -E2BIG;
	else if (!size)
		n = len;
	else if (len > size)
		n = -ERANGE;
	else
		n = p9x_xattr_read(xfid, buf, len);
	p9x_fid_put(xfid);
	return n;
}

/**
 * p9x_xattr_get_alloc() - read a whole attribute into a new buffer
 * @fid: the file
 * @name: the attribute's full name
 * @max: largest value accepted from the server
 * @bufp: set to the value, to be freed with kfree(), when the return
 *	value is not negative
 *
 * One Txattrwalk gives the size and the fid to read the value through,
 * so the value cannot change between measuring and reading.
 *
 * Return: the value's length, or a negative errno.
 */
ssize_t p9x_xattr_get_alloc(struct p9x_fid *fid, const char *name,
			    size_t max, void **bufp)
{
	struct p9x_fid *xfid;
	void *buf = NULL;
	ssize_t n;
	u64 len;

	xfid = p9x_xattrwalk(fid, name, &len);
	if (IS_ERR(xfid))
		return PTR_ERR(xfid);
	if (len > max) {
		n = -E2BIG;
		goto out;
	}
	buf = kmalloc(len ? len : 1, GFP_KERNEL);
	if (!buf) {
		n = -ENOMEM;
		goto out;
	}
	n = p9x_xattr_read(xfid, buf, len);
	if (n < 0) {
		kfree(buf);
		buf = NULL;
	}
out:
	p9x_fid_put(xfid);
	*bufp = buf;
	return n;
}

/**
 * p9x_xattr_set_fid() - set or remove an attribute
 * @fid: the file
 * @name: the attribute's full name
 * @value: the new value, or NULL to remove the attribute
 * @size: length of @value
 * @flags: XATTR_CREATE, XATTR_REPLACE or 0
 *
 * Return: 0 or a negative errno.
 */
int p9x_xattr_set_fid(struct p9x_fid *fid, const char *name,
		      const void *value, size_t size, int flags)
{
	struct p9x_fid *xfid;
	struct iov_iter from;
	struct kvec kv;
	ssize_t n;
	int err;

	xfid = p9x_walk(fid, 0, NULL);
	if (IS_ERR(xfid))
		return PTR_ERR(xfid);
	if (!value)
		size = 0;
	err = p9x_xattrcreate(xfid, name, size, flags);
	if (!err && size) {
		kv.iov_base = (void *)value;
		kv.iov_len = size;
		iov_iter_kvec(&from, ITER_SOURCE, &kv, 1, size);
		n = p9x_write(xfid, 0, &from);
		if (n != size)
			err = n < 0 ? n : -EIO;
	}
	/* The clunk is what makes the server apply the new value. */
	n = p9x_fid_clunk(xfid);
	return err ? err : n;
}

static ssize_t p9x_xattr_fetch(struct dentry *dentry, const char *name,
			       void *buf, size_t size, size_t max)
{
	struct p9x_fid *fid;
	ssize_t n;

	fid = p9x_dentry_fid(dentry);
	if (IS_ERR(fid))
		return PTR_ERR(fid);
	n = p9x_xattr_get_fid(fid, name, buf, size, max);
	p9x_fid_put(fid);
	return n;
}

static int p9x_xattr_store(struct dentry *dentry, const char *name,
			   const void *value, size_t size, int flags)
{
	struct p9x_fid *fid;
	int err;

	fid = p9x_dentry_fid(dentry);
	if (IS_ERR(fid))
		return PTR_ERR(fid);
	err = p9x_xattr_set_fid(fid, name, value, size, flags);
	p9x_fid_put(fid);
	p9x_attrs_touched(d_inode(dentry));
	return err;
}

static int p9x_xattr_get(const struct xattr_handler *handler,
			 struct dentry *dentry, struct inode *inode,
			 const char *name, void *buffer, size_t size)
{
	return p9x_xattr_fetch(dentry, xattr_full_name(handler, name), buffer,
			       size, XATTR_SIZE_MAX);
}

static int p9x_xattr_set(const struct xattr_handler *handler,
			 struct p9x_idmap *idmap, struct dentry *dentry,
			 struct inode *inode, const char *name,
			 const void *value, size_t size, int flags)
{
	int err = p9x_xattr_store(dentry, xattr_full_name(handler, name),
				  value, size, flags);

	/* security.capability may be new: the next write checks again. */
	p9x_nosec_clear(inode);
	return err;
}

/*
 * system.posix_acl_access and system.posix_acl_default, on kernels that
 * route them through the filesystem's handlers (see compat.h).
 */
static int p9x_xattr_acl_get(const struct xattr_handler *handler,
			     struct dentry *dentry, struct inode *inode,
			     const char *name, void *buffer, size_t size)
{
	const struct xattr_handler *vfs = p9x_vfs_acl_handler(handler->flags);

	if (vfs && IS_POSIXACL(inode))
		return vfs->get(vfs, dentry, inode, name, buffer, size);
	return p9x_xattr_fetch(dentry, handler->name, buffer, size,
			       XATTR_SIZE_MAX);
}

static int p9x_xattr_acl_set(const struct xattr_handler *handler,
			     struct p9x_idmap *idmap, struct dentry *dentry,
			     struct inode *inode, const char *name,
			     const void *value, size_t size, int flags)
{
	const struct xattr_handler *vfs = p9x_vfs_acl_handler(handler->flags);

	if (vfs && IS_POSIXACL(inode))
		return vfs->set(vfs, idmap, dentry, inode, name, value, size,
				flags);
	return p9x_xattr_store(dentry, handler->name, value, size, flags);
}

const struct xattr_handler p9x_xattr_acl_access = {
	.name = XATTR_NAME_POSIX_ACL_ACCESS,
	.flags = ACL_TYPE_ACCESS,
	.get = p9x_xattr_acl_get,
	.set = p9x_xattr_acl_set,
};

const struct xattr_handler p9x_xattr_acl_default = {
	.name = XATTR_NAME_POSIX_ACL_DEFAULT,
	.flags = ACL_TYPE_DEFAULT,
	.get = p9x_xattr_acl_get,
	.set = p9x_xattr_acl_set,
};

ssize_t p9x_listxattr(struct dentry *dentry, char *buffer, size_t size)
{
	return p9x_xattr_fetch(dentry, "", buffer, size, XATTR_LIST_MAX);
}

static const struct xattr_handler p9x_xattr_user = {
	.prefix = XATTR_USER_PREFIX,
	.get = p9x_xattr_get,
	.set = p9x_xattr_set,
};

static const struct xattr_handler p9x_xattr_trusted = {
	.prefix = XATTR_TRUSTED_PREFIX,
	.get = p9x_xattr_get,
	.set = p9x_xattr_set,
};

static const struct xattr_handler p9x_xattr_security = {
	.prefix = XATTR_SECURITY_PREFIX,
	.get = p9x_xattr_get,
	.set = p9x_xattr_set,
};

P9X_XATTR_LIST(p9x_xattr_handlers) = {
	&p9x_xattr_user,
	&p9x_xattr_trusted,
	&p9x_xattr_security,
	P9X_XATTR_ACL_ACCESS,
	P9X_XATTR_ACL_DEFAULT,
	NULL,
};
