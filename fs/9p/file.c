// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx regular files, cache=none: every read and write goes to the server.
 * The page cache only backs mmap, read-only and shared or private, so
 * binaries on the share can be executed; writes drop the pages they
 * overlap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>

#include "9plx.h"
#include "compat.h"

static int p9x_file_open(struct inode *inode, struct file *file)
{
	struct p9x_fid *fid;
	u32 flags;

	/* O_TRUNC is done by the VFS through setattr after the open. */
	flags = p9x_open_flags(file->f_flags & ~O_TRUNC);
	if (file->f_flags & O_APPEND)
		flags |= P9X_O_APPEND;
	fid = p9x_open_fid(file->f_path.dentry, flags);
	if (IS_ERR(fid))
		return PTR_ERR(fid);
	file->private_data = fid;
	/* Pages kept for an earlier mmap may be stale by now. */
	invalidate_inode_pages2(inode->i_mapping);
	return 0;
}

static ssize_t p9x_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct p9x_fid *fid = iocb->ki_filp->private_data;
	ssize_t n;

	if (iocb->ki_pos < 0)
		return -EINVAL;
	if (!iov_iter_count(to))
		return 0;
	n = p9x_read(fid, iocb->ki_pos, to);
	if (n > 0)
		iocb->ki_pos += n;
	return n;
}

static ssize_t p9x_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct p9x_fid *fid = file->private_data;
	struct p9x_attr attr;
	ssize_t n;

	inode_lock(inode);
	if (iocb->ki_flags & IOCB_APPEND) {
		/* Append at the server's end of file, not a stale one. */
		n = p9x_getattr(fid, P9X_GETATTR_BASIC, &attr);
		if (n)
			goto out;
		p9x_inode_update(inode, &attr);
	}
	n = generic_write_checks(iocb, from);
	if (n <= 0)
		goto out;
	n = p9x_write(fid, iocb->ki_pos, from);
	if (n > 0) {
		loff_t end = iocb->ki_pos + n;

		invalidate_inode_pages2_range(inode->i_mapping,
					      iocb->ki_pos >> PAGE_SHIFT,
					      (end - 1) >> PAGE_SHIFT);
		iocb->ki_pos = end;
		if (end > i_size_read(inode))
			i_size_write(inode, end);
	}
out:
	inode_unlock(inode);
	if (n > 0)
		n = generic_write_sync(iocb, n);
	return n;
}

static int p9x_file_fsync(struct file *file, loff_t start, loff_t end,
			  int datasync)
{
	int err;

	err = file_write_and_wait_range(file, start, end);
	if (err)
		return err;
	return p9x_fsync(file->private_data, datasync);
}

static int p9x_file_release(struct inode *inode, struct file *file)
{
	p9x_fid_put(file->private_data);
	return 0;
}

/* Fill a page-cache folio for mmap from the open file's fid. */
static int p9x_read_folio(struct file *file, struct folio *folio)
{
	size_t len = folio_size(folio);
	struct iov_iter to;
	struct kvec kv;
	ssize_t n;
	void *p;

	if (!file || !file->private_data) {
		folio_unlock(folio);
		return -EIO;
	}
	p = kmap_local_folio(folio, 0);
	kv.iov_base = p;
	kv.iov_len = len;
	iov_iter_kvec(&to, ITER_DEST, &kv, 1, len);
	n = p9x_read(file->private_data, folio_pos(folio), &to);
	if (n >= 0 && n < len)
		memset(p + n, 0, len - n);
	kunmap_local(p);
	if (n >= 0)
		folio_mark_uptodate(folio);
	folio_unlock(folio);
	return n < 0 ? n : 0;
}

const struct address_space_operations p9x_file_aops = {
	.read_folio = p9x_read_folio,
};

const struct file_operations p9x_file_fops = {
	.open = p9x_file_open,
	.release = p9x_file_release,
	.read_iter = p9x_file_read_iter,
	.write_iter = p9x_file_write_iter,
	.fsync = p9x_file_fsync,
	.llseek = generic_file_llseek,
	.mmap = generic_file_readonly_mmap,
	.splice_read = p9x_splice_read,
	.splice_write = iter_file_splice_write,
};
