// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx regular files.
 *
 * cache=none: every read and write goes to the server; the page cache
 * only backs read-only mmap, so binaries on the share run, and writes drop
 * the pages they overlap.
 * cache=mmap: the same, but shared writable mmap works: dirty pages are
 * written back, and flushed before a read or write goes to the server.
 * cache=loose: reads and writes go through the page cache (cache.c).
 * In both cached modes closing a file written to flushes its pages.
 * O_DIRECT in cache=loose takes the cache=none path, which writes back
 * and drops the pages it overlaps, so the page cache stays coherent.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>

#include "9plx.h"
#include "compat.h"

static enum p9x_cache p9x_mode(struct inode *inode)
{
	return P9X_SB(inode->i_sb)->opts.cache;
}

/**
 * p9x_file_opened() - make an open fid the file's
 * @inode: the file's inode
 * @file: the file being opened
 * @fid: a fid opened (Tlopen or Tlcreate) as @file asks; @file takes
 *	over the caller's reference
 */
void p9x_file_opened(struct inode *inode, struct file *file,
		     struct p9x_fid *fid)
{
	enum p9x_cache mode = p9x_mode(inode);
	int err;

	file->private_data = fid;
	p9x_inode_add_open_fid(inode, fid);
	/* Every mode can go straight to the server. */
	file->f_mode |= FMODE_CAN_ODIRECT;

	if (mode != P9X_CACHE_NONE && file->f_mode & FMODE_WRITE)
		p9x_inode_want_wfid(inode, file);
	if (mode == P9X_CACHE_LOOSE)
		return;
	/* Pages kept for an earlier mmap may be stale by now. */
	err = filemap_write_and_wait(inode->i_mapping);
	if (!err)
		invalidate_inode_pages2(inode->i_mapping);
}

static int p9x_file_open(struct inode *inode, struct file *file)
{
	u32 p9flags = p9x_open_flags_sb(inode->i_sb, file->f_flags);
	struct p9x_fid *fid;

	fid = p9x_open_fid(file->f_path.dentry, p9flags);
	/* A file the user may write but not read: as asked, then. */
	if (IS_ERR(fid) && p9x_open_widened(file->f_flags, p9flags) &&
	    (PTR_ERR(fid) == -EACCES || PTR_ERR(fid) == -EPERM))
		fid = p9x_open_fid(file->f_path.dentry,
				   p9x_open_flags(file->f_flags));
	if (IS_ERR(fid))
		return PTR_ERR(fid);
	p9x_file_opened(inode, file, fid);
	return 0;
}

static ssize_t p9x_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct p9x_fid *fid = iocb->ki_filp->private_data;
	ssize_t n;

	if (p9x_mode(inode) == P9X_CACHE_LOOSE &&
	    !(iocb->ki_flags & IOCB_DIRECT))
		return generic_file_read_iter(iocb, to);
	if (iocb->ki_pos < 0)
		return -EINVAL;
	if (!iov_iter_count(to))
		return 0;
	/* Dirty mmap pages first, so the server has what the reader saw. */
	n = filemap_write_and_wait_range(inode->i_mapping, iocb->ki_pos,
					 iocb->ki_pos + iov_iter_count(to) - 1);
	if (n)
		return n;
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
	u64 ver;

	if (p9x_mode(inode) == P9X_CACHE_LOOSE &&
	    !(iocb->ki_flags & IOCB_DIRECT)) {
		n = generic_file_write_iter(iocb, from);
		if (n > 0)
			p9x_nosec_set(inode);
		return n;
	}

	inode_lock(inode);
	if (iocb->ki_flags & IOCB_APPEND) {
		/* Append at the server's end of file, not a stale one. */
		ver = p9x_attr_version(inode->i_sb);
		n = p9x_getattr(fid, P9X_GETATTR_IDENT, &attr);
		if (!n && p9x_attr_other_file(inode, &attr))
			n = -ESTALE;
		if (n)
			goto out;
		p9x_inode_update(inode, &attr, ver);
	}
	n = generic_write_checks(iocb, from);
	if (n <= 0)
		goto out;
	/* A user's write clears set-user-ID and set-group-ID, as locally. */
	n = file_remove_privs(file);
	if (n)
		goto out;
	n = filemap_write_and_wait_range(inode->i_mapping, iocb->ki_pos,
					 iocb->ki_pos + iov_iter_count(from) - 1);
	if (n)
		goto out;
	n = p9x_write(fid, iocb->ki_pos, from);
	if (n > 0) {
		loff_t end = iocb->ki_pos + n;

		p9x_nosec_set(inode);
		p9x_attrs_touched(inode);

		invalidate_inode_pages2_range(inode->i_mapping,
					      iocb->ki_pos >> PAGE_SHIFT,
					      (end - 1) >> PAGE_SHIFT);
		iocb->ki_pos = end;
		p9x_inode_wrote(inode, end);
	}
out:
	inode_unlock(inode);
	if (n > 0)
		n = generic_write_sync(iocb, n);
	return n;
}

/*
 * cache=none keeps no size between calls: the file may have grown on
 * the server since it was opened, and a fault past the size the inode
 * last saw would be SIGBUS.  So a mapping begins with the size the
 * server gives now, from the open fid (the name may be gone).
 */
static int p9x_file_mmap_none(struct file *file, struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(file);
	u64 ver = p9x_attr_version(inode->i_sb);
	struct p9x_attr attr;
	int err;

	err = p9x_getattr(file->private_data, P9X_GETATTR_IDENT, &attr);
	if (err)
		return err;
	if (p9x_attr_other_file(inode, &attr))
		return -ESTALE;
	p9x_inode_update(inode, &attr, ver);
	return generic_file_readonly_mmap(file, vma);
}

static int p9x_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (p9x_mode(file_inode(file)) == P9X_CACHE_NONE)
		return p9x_file_mmap_none(file, vma);
	file_accessed(file);
	vma->vm_ops = &p9x_cached_vm_ops;
	return 0;
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

/* close(): what this file wrote reaches the server before close returns. */
static int p9x_file_flush(struct file *file, fl_owner_t id)
{
	if (!(file->f_mode & FMODE_WRITE) ||
	    p9x_mode(file_inode(file)) == P9X_CACHE_NONE)
		return 0;
	return filemap_write_and_wait(file->f_mapping);
}

static int p9x_file_release(struct inode *inode, struct file *file)
{
	p9x_inode_del_open_fid(inode, file->private_data);
	p9x_fid_put(file->private_data);
	return 0;
}

/* cache=none: fill a folio for read-only mmap from the open file's fid. */
static int p9x_read_folio(struct file *file, struct folio *folio)
{
	int err = -EBADF;

	if (file && file->private_data)
		err = p9x_fill_folio(file->private_data, folio);
	folio_unlock(folio);
	return err;
}

const struct address_space_operations p9x_file_aops = {
	.read_folio = p9x_read_folio,
	.readahead = p9x_readahead,
};

const struct file_operations p9x_file_fops = {
	.open = p9x_file_open,
	.release = p9x_file_release,
	.flush = p9x_file_flush,
	.read_iter = p9x_file_read_iter,
	.write_iter = p9x_file_write_iter,
	.fsync = p9x_file_fsync,
	.lock = p9x_file_lock,
	.flock = p9x_file_flock,
	.llseek = generic_file_llseek,
	.mmap = p9x_file_mmap,
	.splice_read = p9x_splice_read,
	.splice_write = iter_file_splice_write,
};
