// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx page cache for cache=mmap and cache=loose.
 *
 * Pages are filled with Tread and written back with Twrite through one
 * read-write fid per inode, opened when the file is first opened for
 * writing and kept until the inode is evicted, so dirty pages can be
 * written after the file that dirtied them is closed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>
#include <linux/writeback.h>

#include "9plx.h"
#include "compat.h"

/**
 * p9x_inode_io_fid() - the fid page cache I/O of an inode goes through
 * @inode: the inode
 * @file: an open file of it, or NULL
 *
 * Return: a referenced fid (the inode's writeback fid, else @file's), or
 * NULL if there is none.
 */
struct p9x_fid *p9x_inode_io_fid(struct inode *inode, struct file *file)
{
	struct p9x_inode *pi = P9X_I(inode);
	struct p9x_fid *fid = NULL;

	spin_lock(&inode->i_lock);
	if (pi->wfid)
		fid = p9x_fid_get(pi->wfid);
	spin_unlock(&inode->i_lock);
	if (!fid && file && file->private_data)
		fid = p9x_fid_get(file->private_data);
	return fid;
}

/**
 * p9x_inode_want_wfid() - give an inode its writeback fid
 * @inode: the inode of @file
 * @file: a file just opened for writing
 *
 * A read-write open of the same file is preferred, since filling part of
 * a page before a write needs to read; a file the user may only write
 * lends its own fid.
 */
void p9x_inode_want_wfid(struct inode *inode, struct file *file)
{
	struct p9x_inode *pi = P9X_I(inode);
	struct p9x_fid *fid;

	if (READ_ONCE(pi->wfid))
		return;
	fid = p9x_open_fid(file->f_path.dentry, P9X_O_RDWR);
	if (IS_ERR(fid))
		fid = p9x_fid_get(file->private_data);
	spin_lock(&inode->i_lock);
	if (!pi->wfid) {
		pi->wfid = fid;
		fid = NULL;
	}
	spin_unlock(&inode->i_lock);
	p9x_fid_put(fid);
}

/* At eviction, once the pages are written and gone. */
void p9x_inode_drop_wfid(struct inode *inode)
{
	struct p9x_inode *pi = P9X_I(inode);
	struct p9x_fid *fid;

	spin_lock(&inode->i_lock);
	fid = pi->wfid;
	pi->wfid = NULL;
	spin_unlock(&inode->i_lock);
	p9x_fid_put(fid);
}

/**
 * p9x_fill_folio() - read a folio's bytes from the server
 * @fid: an fid open for reading
 * @folio: locked folio; past the end of file it is zeroed
 *
 * Return: 0 (the folio is then up to date) or a negative errno.
 */
int p9x_fill_folio(struct p9x_fid *fid, struct folio *folio)
{
	size_t len = folio_size(folio);
	struct iov_iter to;
	struct kvec kv;
	ssize_t n;
	void *p;

	p = kmap_local_folio(folio, 0);
	kv.iov_base = p;
	kv.iov_len = len;
	iov_iter_kvec(&to, ITER_DEST, &kv, 1, len);
	n = p9x_read(fid, folio_pos(folio), &to);
	if (n >= 0 && n < len)
		memset(p + n, 0, len - n);
	kunmap_local(p);
	if (n < 0)
		return n;
	folio_mark_uptodate(folio);
	return 0;
}

int p9x_write_begin_folio(struct file *file, struct address_space *mapping,
			  loff_t pos, unsigned int len, struct folio **foliop)
{
	struct inode *inode = mapping->host;
	struct p9x_fid *fid;
	struct folio *folio;
	int err = 0;

	folio = p9x_grab_folio(mapping, pos >> PAGE_SHIFT);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	if (folio_test_uptodate(folio) || len == folio_size(folio))
		goto out;
	if (folio_pos(folio) >= i_size_read(inode)) {
		/* Nothing on the server to keep: start from zeros. */
		folio_zero_range(folio, 0, folio_size(folio));
		folio_mark_uptodate(folio);
		goto out;
	}
	fid = p9x_inode_io_fid(inode, file);
	err = fid ? p9x_fill_folio(fid, folio) : -EBADF;
	p9x_fid_put(fid);
	if (err) {
		folio_unlock(folio);
		folio_put(folio);
		return err;
	}
out:
	*foliop = folio;
	return 0;
}

int p9x_write_end_folio(struct file *file, struct address_space *mapping,
			loff_t pos, unsigned int len, unsigned int copied,
			struct folio *folio)
{
	struct inode *inode = mapping->host;

	if (!folio_test_uptodate(folio)) {
		/* Only a whole-folio write skips the read; a short one retries. */
		if (copied < len) {
			copied = 0;
			goto out;
		}
		folio_mark_uptodate(folio);
	}
	if (pos + copied > i_size_read(inode))
		i_size_write(inode, pos + copied);
	folio_mark_dirty(folio);
out:
	folio_unlock(folio);
	folio_put(folio);
	return copied;
}

/* write_cache_pages() callback: one dirty folio out with Twrite. */
int p9x_writeback_folio(struct folio *folio, struct writeback_control *wbc,
			void *data)
{
	struct address_space *mapping = folio->mapping;
	loff_t size = i_size_read(mapping->host);
	loff_t pos = folio_pos(folio);
	struct p9x_fid *fid = data;
	struct iov_iter from;
	struct kvec kv;
	size_t len;
	ssize_t n;
	void *p;

	if (pos >= size) {
		/* Truncated away while dirty. */
		folio_unlock(folio);
		return 0;
	}
	len = min_t(loff_t, folio_size(folio), size - pos);
	folio_start_writeback(folio);
	folio_unlock(folio);

	p = kmap_local_folio(folio, 0);
	kv.iov_base = p;
	kv.iov_len = len;
	iov_iter_kvec(&from, ITER_SOURCE, &kv, 1, len);
	n = p9x_write(fid, pos, &from);
	kunmap_local(p);
	if (n != len)
		mapping_set_error(mapping, n < 0 ? n : -EIO);
	folio_end_writeback(folio);
	return n < 0 ? n : 0;
}

static int p9x_writepages(struct address_space *mapping,
			  struct writeback_control *wbc)
{
	struct p9x_fid *fid;
	int err;

	fid = p9x_inode_io_fid(mapping->host, NULL);
	if (!fid)
		return -EBADF;
	err = write_cache_pages(mapping, wbc, p9x_wcp_cb, fid);
	p9x_fid_put(fid);
	return err;
}

static int p9x_cached_read_folio(struct file *file, struct folio *folio)
{
	struct p9x_fid *fid;
	int err;

	fid = p9x_inode_io_fid(folio->mapping->host, file);
	err = fid ? p9x_fill_folio(fid, folio) : -EBADF;
	p9x_fid_put(fid);
	folio_unlock(folio);
	return err;
}

const struct address_space_operations p9x_cached_aops = {
	.read_folio = p9x_cached_read_folio,
	.dirty_folio = filemap_dirty_folio,
	.write_begin = p9x_aops_write_begin,
	.write_end = p9x_aops_write_end,
	.writepages = p9x_writepages,
};
