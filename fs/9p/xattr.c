// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx extended attributes: Txattrwalk to read a value or the list of
 * names, Txattrcreate plus Twrite to set one (the server applies it when
 * the fid is clunked; a zero-length value removes the attribute).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/uio.h>
#include <linux/xattr.h>

#include "9plx.h"
#include "compat.h"

/* Read attribute @name ("" for the list) into @buf, or measure it. */
static ssize_t p9x_xattr_fetch(struct dentry *dentry, const char *name,
			       void *buf, size_t size, size_t max)
{
	struct p9x_fid *fid, *xfid;
	struct iov_iter to;
	struct kvec kv;
	ssize_t n;
	u64 len;

	fid = p9x_dentry_fid(dentry);
	if (IS_ERR(fid))
		return PTR_ERR(fid);
	xfid = p9x_xattrwalk(fid, name, &len);
	p9x_fid_put(fid);
	if (IS_ERR(xfid))
		return PTR_ERR(xfid);
	if (len > max) {
		n = -E2BIG;
	} else if (!size) {
		n = len;
	} else if (len > size) {
		n = -ERANGE;
	} else {
		kv.iov_base = buf;
		kv.iov_len = len;
		iov_iter_kvec(&to, ITER_DEST, &kv, 1, len);
		n = len ? p9x_read(xfid, 0, &to) : 0;
		if (n >= 0 && n != len)
			n = -EIO;
	}
	p9x_fid_put(xfid);
	return n;
}

static int p9x_xattr_store(struct dentry *dentry, const char *name,
			   const void *value, size_t size, int flags)
{
	struct p9x_fid *fid, *xfid;
	struct iov_iter from;
	struct kvec kv;
	ssize_t n;
	int err;

	fid = p9x_dentry_fid(dentry);
	if (IS_ERR(fid))
		return PTR_ERR(fid);
	xfid = p9x_walk(fid, 0, NULL);
	p9x_fid_put(fid);
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
	return p9x_xattr_store(dentry, xattr_full_name(handler, name), value,
			       size, flags);
}

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
	NULL,
};
