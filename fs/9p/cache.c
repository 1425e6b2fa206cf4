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
#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>
#include <linux/writeback.h>

#include "9plx.h"
#include "compat.h"

/* The inode's writeback fid, referenced, or NULL. */
static struct p9x_fid *p9x_inode_wb_fid(struct inode *inode)
{
	struct p9x_inode *pi = P9X_I(inode);
	struct p9x_fid *fid = NULL;

	spin_lock(&inode->i_lock);
	if (pi->wfid)
		fid = p9x_fid_get(pi->wfid);
	spin_unlock(&inode->i_lock);
	return fid;
}

/* Make @fid the writeback fid of @inode if it has none or only @old. */
static void p9x_inode_set_wfid(struct inode *inode, struct p9x_fid *old,
			       struct p9x_fid *fid)
{
	struct p9x_inode *pi = P9X_I(inode);

	spin_lock(&inode->i_lock);
	if (pi->wfid == old) {
		pi->wfid = p9x_fid_get(fid);
		fid = old;
	} else {
		fid = NULL;
	}
	spin_unlock(&inode->i_lock);
	p9x_fid_put(fid);
}

/*
 * A fid opened by @dentry's name now: the file of @inode still, or
 * -ESTALE when the name leads elsewhere (the file was unlinked or
 * renamed away, and maybe another took its name).
 */
static struct p9x_fid *p9x_reopen_same(struct inode *inode,
				       struct dentry *dentry, u32 p9flags)
{
	const struct p9x_qid *mine = &P9X_I(inode)->qid;
	struct p9x_fid *fid;

	if (d_unhashed(dentry) || !inode->i_nlink)
		return ERR_PTR(-ESTALE);
	fid = p9x_open_fid(dentry, p9flags);
	if (IS_ERR(fid))
		return fid;
	if (fid->qid.path != mine->path || fid->qid.dev != mine->dev ||
	    fid->qid.type != mine->type) {
		p9x_fid_put(fid);
		return ERR_PTR(-ESTALE);
	}
	return fid;
}

/**
 * p9x_inode_read_fid() - a fid to fill an inode's pages through
 * @inode: the inode
 * @file: an open file of it, or NULL
 *
 * @file's own fid if it was opened for reading, else the writeback fid if
 * it can read.  Files opened for writing are opened for reading too
 * (p9x_open_flags_sb()) unless the server refused that; such a file then
 * opens the name again, read-write or read-only, and keeps the fid only
 * if it is the same file.
 *
 * Return: a referenced fid, NULL if there is none, or an ERR_PTR.
 */
struct p9x_fid *p9x_inode_read_fid(struct inode *inode, struct file *file)
{
	struct p9x_fid *own = file ? file->private_data : NULL;
	struct p9x_fid *fid, *wfid;

	if (own && p9x_fid_readable(own))
		return p9x_fid_get(own);
	wfid = p9x_inode_wb_fid(inode);
	if (wfid && p9x_fid_readable(wfid))
		return wfid;
	if (!file) {
		p9x_fid_put(wfid);
		return NULL;
	}
	fid = p9x_reopen_same(inode, file->f_path.dentry, P9X_O_RDWR);
	if (!IS_ERR(fid))
		p9x_inode_set_wfid(inode, wfid, fid);
	else if (PTR_ERR(fid) != -ESTALE)
		fid = p9x_reopen_same(inode, file->f_path.dentry,
				      P9X_O_RDONLY);
	p9x_fid_put(wfid);
	return fid;
}

/**
 * p9x_inode_want_wfid() - give an inode its writeback fid
 * @inode: the inode of @file
 * @file: a file just opened for writing
 *
 * The file lends its own fid: dirty pages can then be written after the
 * file is closed, and the fid is clunked when the inode is evicted.  A fid
 * opened for appending writes at the end of file on the server whatever
 * the offset, so such a file opens a plain read-write fid instead.
 */
void p9x_inode_want_wfid(struct inode *inode, struct file *file)
{
	struct p9x_fid *fid = file->private_data;

	if (READ_ONCE(P9X_I(inode)->wfid))
		return;
	if (fid->oflags & P9X_O_APPEND) {
		fid = p9x_open_fid(file->f_path.dentry, P9X_O_RDWR);
		if (IS_ERR(fid))
			return;
	} else {
		p9x_fid_get(fid);
	}
	p9x_inode_set_wfid(inode, NULL, fid);
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

/*
 * The pages write() dirtied in a large folio.  A folio is written back
 * whole, and a large one holds up to a message of bytes: a 4 KiB write
 * into a file read into the cache would send all of them, and with
 * cache=loose put back on the server bytes around it that another client
 * may have changed since.  write() notes the pages it dirtied in
 * folio->private as [first, end), in pages; writeback sends those.  No
 * note means the whole folio: every other way a folio gets dirty (a
 * shared mapping, a failed Twrite) starts from a clean folio, which has
 * none, or drops it; so does a write() while the folio is under
 * writeback.
 */
#define P9X_DIRTY_SHIFT		16
#define P9X_DIRTY_END		GENMASK(P9X_DIRTY_SHIFT - 1, 0)

/*
 * write() copied @copied bytes into @folio, locked, from @off: dirty it
 * and note the pages.
 */
static void p9x_folio_dirty_pages(struct folio *folio, size_t off,
				  size_t copied)
{
	unsigned long old = (unsigned long)folio_get_private(folio);
	unsigned long first = off >> PAGE_SHIFT;
	unsigned long end = DIV_ROUND_UP(off + copied, PAGE_SIZE);
	bool was_dirty, in_flight;

	in_flight = folio_test_writeback(folio);
	/*
	 * A Twrite that fails dirties the folio again before it ends the
	 * writeback: seen done, the folio is seen dirty if it failed.
	 */
	smp_rmb();
	was_dirty = folio_test_dirty(folio);
	folio_mark_dirty(folio);
	if (!folio_test_large(folio))
		return;
	/*
	 * Pages in flight go dirty again if their Twrite fails, and no note
	 * says which; a dirty folio without a note is dirty whole.
	 */
	if (in_flight || (was_dirty && !old)) {
		folio_detach_private(folio);
		return;
	}
	if (was_dirty) {
		first = min(first, old >> P9X_DIRTY_SHIFT);
		end = max(end, old & P9X_DIRTY_END);
	}
	if (first == 0 && end >= folio_nr_pages(folio))
		folio_detach_private(folio);
	else if (old)
		folio_change_private(folio,
				     (void *)(first << P9X_DIRTY_SHIFT | end));
	else
		folio_attach_private(folio,
				     (void *)(first << P9X_DIRTY_SHIFT | end));
}

/*
 * At writeback of @folio, locked, whose first @len bytes are in the file:
 * the dirty ones are [*@off, *@off + return value).  The note goes; if
 * the Twrite fails, the folio is dirtied again, whole.
 */
static size_t p9x_folio_take_dirty(struct folio *folio, size_t len,
				   size_t *off)
{
	unsigned long v = (unsigned long)folio_detach_private(folio);
	size_t from, to;

	*off = 0;
	if (!v)
		return len;
	from = (v >> P9X_DIRTY_SHIFT) << PAGE_SHIFT;
	to = min_t(size_t, (v & P9X_DIRTY_END) << PAGE_SHIFT, len);
	if (from >= to)
		return 0;
	*off = from;
	return to - from;
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
	struct bio_vec bv;
	ssize_t n;

	bv.bv_page = &folio->page;
	bv.bv_offset = 0;
	bv.bv_len = len;
	iov_iter_bvec(&to, ITER_DEST, &bv, 1, len);
	/* Only the end of the file may leave zeros in the folio. */
	n = p9x_read_fill(fid, folio_pos(folio), &to);
	if (n < 0)
		return n;
	if (n < len)
		folio_zero_segment(folio, n, len);
	folio_mark_uptodate(folio);
	return 0;
}

/* Do @len bytes at @pos overwrite all of @folio? */
static bool p9x_write_covers_folio(struct folio *folio, loff_t pos,
				   size_t len)
{
	return pos == folio_pos(folio) && len >= folio_size(folio);
}

int p9x_write_begin_folio(struct file *file, struct address_space *mapping,
			  loff_t pos, unsigned int len, struct folio **foliop)
{
	struct inode *inode = mapping->host;
	struct p9x_fid *fid;
	struct folio *folio;
	int err = 0;

	folio = p9x_grab_folio(mapping, pos, len);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	/*
	 * A write that covers the folio from its first byte to its last
	 * needs none of the server's bytes.  The folio may begin before
	 * @pos (a large one is aligned to its size), so @len alone says
	 * nothing about that.
	 */
	if (folio_test_uptodate(folio) ||
	    p9x_write_covers_folio(folio, pos, len))
		goto out;
	if (folio_pos(folio) >= i_size_read(inode)) {
		/* Nothing on the server to keep: start from zeros. */
		folio_zero_range(folio, 0, folio_size(folio));
		folio_mark_uptodate(folio);
		goto out;
	}
	fid = p9x_inode_read_fid(inode, file);
	if (IS_ERR_OR_NULL(fid))
		err = fid ? PTR_ERR(fid) : -EBADF;
	else
		err = p9x_fill_folio(fid, folio);
	if (!IS_ERR(fid))
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
		/*
		 * Only a write of the whole folio skipped the read; a short
		 * copy into it is retried.
		 */
		if (!p9x_write_covers_folio(folio, pos, copied)) {
			copied = 0;
			goto out;
		}
		folio_mark_uptodate(folio);
	}
	if (!copied)
		goto out;
	/* The folio goes dirty below: the size is kept from here on. */
	if (pos + copied > i_size_read(inode))
		p9x_inode_wrote(inode, pos + copied);
	p9x_folio_dirty_pages(folio, offset_in_folio(folio, pos), copied);
out:
	folio_unlock(folio);
	folio_put(folio);
	return copied;
}

/*
 * Writeback failed Twrites this many times in a row before it gives the
 * pages up (see p9x_wb_retry()).
 */
#define P9X_WB_TRIES	3

/*
 * A Twrite of writeback ended: may its pages that did not reach the
 * server stay dirty, to be tried again?  The error is in the mapping
 * already, for fsync and close to report once.  A server that keeps
 * refusing (full, read-only, over quota) would otherwise hold them
 * dirty for the life of the session: every later writeback tries them
 * again and fails, and writers are throttled on dirty pages that can
 * never be cleaned.  So, as local filesystems and netfs do, after a few
 * failures in a row they are given up: clean, still up to date in the
 * guest.  Nor are they kept once the session is lost.
 */
static bool p9x_wb_retry(struct inode *inode, struct p9x_fid *fid, bool ok)
{
	struct p9x_inode *pi = P9X_I(inode);

	if (ok) {
		atomic_set(&pi->wb_fails, 0);
		return false;
	}
	if (READ_ONCE(fid->c->lost))
		return false;
	return atomic_inc_return(&pi->wb_fails) < P9X_WB_TRIES;
}

/*
 * Writeback callback when a message cannot hold a page: one
 * folio in as many synchronous Twrites as it takes.
 */
int p9x_writeback_folio_small(struct folio *folio,
			      struct writeback_control *wbc, void *data)
{
	struct address_space *mapping = folio->mapping;
	loff_t size = i_size_read(mapping->host);
	loff_t pos = folio_pos(folio);
	struct p9x_fid *fid = data;
	struct iov_iter from;
	struct bio_vec bv;
	size_t len;
	ssize_t n;

	if (pos >= size) {
		folio_unlock(folio);
		return 0;
	}
	len = min_t(loff_t, folio_size(folio), size - pos);
	folio_start_writeback(folio);
	folio_unlock(folio);
	bv.bv_page = &folio->page;
	bv.bv_offset = 0;
	bv.bv_len = len;
	iov_iter_bvec(&from, ITER_SOURCE, &bv, 1, len);
	n = p9x_write(fid, pos, &from);
	if (n != len)
		mapping_set_error(mapping, n < 0 ? n : -EIO);
	if (p9x_wb_retry(mapping->host, fid, n == len))
		folio_mark_dirty(folio);
	/* Before the folio leaves writeback: see p9x_attrs_changed(). */
	p9x_attrs_changed(mapping->host);
	folio_end_writeback(folio);
	return 0;
}

/* Twrites in flight at once from one writepages call. */
#define P9X_WB_DEPTH	8

/**
 * struct p9x_wb - one ->writepages call
 * @fid: the writeback fid
 * @mapping: what is written back
 * @max: most bytes one Twrite carries, whole pages
 * @cur: the run of folios being gathered, not yet sent
 * @lock: guards @inflight
 * @wq: woken as each Twrite completes
 * @inflight: Twrites sent and not completed
 */
struct p9x_wb {
	struct p9x_fid *fid;
	struct address_space *mapping;
	size_t max;
	struct p9x_wrun *cur;
	spinlock_t lock;	/* inflight */
	wait_queue_head_t wq;
	unsigned int inflight;
};

/**
 * struct p9x_split - a folio cut between two runs
 * @pending: its pieces whose request has not completed
 * @failed: a piece was not read or written in full
 *
 * A message seldom holds a power of two pages (msize=524288 leaves room
 * for 127), so runs of whole large folios would leave messages up to half
 * empty.  A folio that does not fit in the room left in a run goes in two
 * pieces instead: its head ends that run and its tail begins the next.
 * Whichever of the two requests completes last finishes the folio.
 */
struct p9x_split {
	atomic_t pending;
	bool failed;
};

/**
 * struct p9x_wrun - contiguous folios under writeback, sent as one Twrite
 * (and one Tread for readahead, which uses it the same way)
 * @wb: the writepages call (writeback only)
 * @fid: the fid to read through (readahead only)
 * @pos: file offset of the first byte
 * @len: bytes the run covers
 * @nr: entries in @bv
 * @cap: room in @bv
 * @split_first: @bv[0] is the tail of this split folio, or NULL
 * @split_last: @bv[@nr - 1] is the head of this split folio, or NULL
 * @iter: over @bv, handed to the client
 * @bv: one entry per folio, or per piece of a split one
 */
struct p9x_wrun {
	struct p9x_wb *wb;
	struct p9x_fid *fid;
	loff_t pos;
	size_t len;
	unsigned int nr;
	unsigned int cap;
	struct p9x_split *split_first;
	struct p9x_split *split_last;
	struct iov_iter iter;
	struct bio_vec bv[];
};

static struct p9x_wrun *p9x_run_new(loff_t pos, size_t max)
{
	unsigned int cap = max / PAGE_SIZE;
	struct p9x_wrun *run;

	run = kmalloc(struct_size(run, bv, cap), GFP_NOFS);
	if (!run)
		return NULL;
	run->wb = NULL;
	run->fid = NULL;
	run->pos = pos;
	run->len = 0;
	run->nr = 0;
	run->cap = cap;
	run->split_first = NULL;
	run->split_last = NULL;
	return run;
}

/* Do bytes at @pos continue @run, which has room for some of them? */
static bool p9x_run_continues(const struct p9x_wrun *run, loff_t pos,
			      size_t max)
{
	return run->pos + run->len == pos && run->len < max &&
	       run->nr < run->cap && PAGE_ALIGNED(run->len);
}

/* Add @len bytes of @folio from @off, a multiple of the page size. */
static void p9x_run_add(struct p9x_wrun *run, struct folio *folio, size_t off,
			size_t len)
{
	struct bio_vec *bv = &run->bv[run->nr++];

	bv->bv_page = folio_page(folio, off / PAGE_SIZE);
	bv->bv_offset = 0;
	bv->bv_len = len;
	run->len += len;
}

/*
 * @len bytes of @folio from @off continue @run but are more than the room
 * left: their head fills @run and their tail begins a new run, which is
 * returned for the caller to go on with once it has sent @run.  NULL when
 * memory is short; the caller then ends @run before them.
 */
static struct p9x_wrun *p9x_run_split(struct p9x_wrun *run,
				      struct folio *folio, size_t off,
				      size_t len, size_t max)
{
	size_t room = max - run->len;
	struct p9x_split *split;
	struct p9x_wrun *next;

	split = kmalloc_obj(*split, GFP_NOFS);
	next = p9x_run_new(folio_pos(folio) + off + room, max);
	if (!split || !next) {
		kfree(split);
		kfree(next);
		return NULL;
	}
	atomic_set(&split->pending, 2);
	split->failed = false;
	p9x_run_add(run, folio, off, room);
	run->split_last = split;
	p9x_run_add(next, folio, off + room, len - room);
	next->split_first = split;
	return next;
}

/*
 * The request of @run is over, and with it entry @i, @ok or not.  Returns
 * true when that was the folio's last piece, with @ok then saying whether
 * every piece of it went through; false while the other piece is pending.
 */
static bool p9x_run_piece_done(struct p9x_wrun *run, unsigned int i, bool *ok)
{
	struct p9x_split *split = NULL;

	if (i == 0)
		split = run->split_first;
	if (!split && i == run->nr - 1)
		split = run->split_last;
	if (!split)
		return true;
	if (!*ok)
		WRITE_ONCE(split->failed, true);
	/* Fully ordered: the last piece sees the other one's verdict. */
	if (!atomic_dec_and_test(&split->pending))
		return false;
	*ok = !READ_ONCE(split->failed);
	kfree(split);
	return true;
}

/*
 * A Twrite of a run ended with @done bytes written or an error.  The
 * error goes to the mapping for fsync to report; folios not written stay
 * dirty, so a later writeback tries again, unless p9x_wb_retry() gives
 * them up.
 */
static void p9x_wrun_finish(struct p9x_wrun *run, ssize_t done)
{
	struct p9x_wb *wb = run->wb;
	struct address_space *mapping = wb->mapping;
	bool full = done == (ssize_t)run->len;
	bool again;
	size_t off = 0;
	unsigned int i;

	if (!full)
		mapping_set_error(mapping, done < 0 ? done : -EIO);
	again = p9x_wb_retry(mapping->host, wb->fid, full);
	/*
	 * Before the folios leave writeback, which ends the guard of
	 * p9x_inode_update() over them: attributes asked for before this
	 * Twrite reached the server are not taken from now on.
	 */
	p9x_attrs_changed(mapping->host);
	for (i = 0; i < run->nr; i++) {
		struct folio *folio = page_folio(run->bv[i].bv_page);
		bool ok;

		off += run->bv[i].bv_len;
		ok = done >= 0 && off <= done;
		if (!p9x_run_piece_done(run, i, &ok))
			continue;
		if (!ok && again)
			folio_mark_dirty(folio);
		folio_end_writeback(folio);
	}
	kfree(run);

	/* Under the lock, so that writepages cannot return before we let go. */
	spin_lock_irq(&wb->lock);
	wb->inflight--;
	wake_up(&wb->wq);
	spin_unlock_irq(&wb->lock);
}

static void p9x_wrun_done(struct p9x_req *req)
{
	p9x_wrun_finish(req->priv, p9x_io_result(req));
}

static void p9x_wb_send(struct p9x_wb *wb)
{
	struct p9x_wrun *run = wb->cur;
	struct p9x_req *req;

	wb->cur = NULL;
	if (!run)
		return;
	spin_lock_irq(&wb->lock);
	wait_event_lock_irq(wb->wq, wb->inflight < P9X_WB_DEPTH, wb->lock);
	wb->inflight++;
	spin_unlock_irq(&wb->lock);

	iov_iter_bvec(&run->iter, ITER_SOURCE, run->bv, run->nr, run->len);
	req = p9x_write_start(wb->fid, run->pos, &run->iter, p9x_wrun_done,
			      run);
	if (IS_ERR(req))
		p9x_wrun_finish(run, PTR_ERR(req));
}

/* Writeback callback: add one dirty folio to the run being built. */
int p9x_writeback_folio(struct folio *folio, struct writeback_control *wbc,
			void *data)
{
	struct address_space *mapping = folio->mapping;
	loff_t size = i_size_read(mapping->host);
	loff_t pos = folio_pos(folio);
	struct p9x_wrun *next = NULL;
	struct p9x_wb *wb = data;
	size_t len, off;

	len = pos < size ? min_t(loff_t, folio_size(folio), size - pos) : 0;
	/* A folio bigger than a message (a small iounit): the slow way, whole. */
	if (len > wb->max) {
		folio_detach_private(folio);
		return p9x_writeback_folio_small(folio, wbc, wb->fid);
	}
	len = p9x_folio_take_dirty(folio, len, &off);
	if (!len) {
		/* Truncated away while dirty. */
		folio_unlock(folio);
		return 0;
	}
	pos += off;
	if (wb->cur && !p9x_run_continues(wb->cur, pos, wb->max))
		p9x_wb_send(wb);
	if (wb->cur && wb->cur->len + len > wb->max) {
		next = p9x_run_split(wb->cur, folio, off, len, wb->max);
		if (!next)
			p9x_wb_send(wb);
	}
	if (!wb->cur) {
		wb->cur = p9x_run_new(pos, wb->max);
		if (!wb->cur) {
			folio_redirty_for_writepage(wbc, folio);
			folio_unlock(folio);
			return -ENOMEM;
		}
		wb->cur->wb = wb;
	}
	folio_start_writeback(folio);
	folio_unlock(folio);
	if (next) {
		/* The head went into the run now full; the tail begins the next. */
		p9x_wb_send(wb);
		next->wb = wb;
		wb->cur = next;
	} else {
		p9x_run_add(wb->cur, folio, off, len);
	}
	return 0;
}

static int p9x_writepages(struct address_space *mapping,
			  struct writeback_control *wbc)
{
	struct p9x_inode *pi = P9X_I(mapping->host);
	struct p9x_wb wb = { .mapping = mapping };
	int err;

	wb.fid = p9x_inode_wb_fid(mapping->host);
	if (!wb.fid)
		return -EBADF;
	wb.max = round_down(p9x_fid_maxio(wb.fid), PAGE_SIZE);
	down_read(&pi->wb_sem);
	/* A message too small for a page: a folio goes in several Twrites. */
	if (wb.max < PAGE_SIZE) {
		err = p9x_write_cache_pages(mapping, wbc, p9x_wcp_small_cb,
					    wb.fid);
		goto out;
	}
	spin_lock_init(&wb.lock);
	init_waitqueue_head(&wb.wq);
	err = p9x_write_cache_pages(mapping, wbc, p9x_wcp_cb, &wb);
	p9x_wb_send(&wb);
	spin_lock_irq(&wb.lock);
	wait_event_lock_irq(wb.wq, !wb.inflight, wb.lock);
	spin_unlock_irq(&wb.lock);
out:
	up_read(&pi->wb_sem);
	p9x_fid_put(wb.fid);
	return err;
}

/* Readahead: runs of folios filled by one Tread each, in the background. */

static void p9x_rrun_finish(struct p9x_wrun *run, ssize_t got)
{
	struct inode *inode = page_folio(run->bv[0].bv_page)->mapping->host;
	loff_t size = i_size_read(inode);
	size_t off = 0;
	unsigned int i;

	/*
	 * While the folios are locked the inode stays, and with it the mount
	 * and its session: let go of the fid before unlocking them.
	 */
	p9x_fid_put(run->fid);
	for (i = 0; i < run->nr; i++) {
		struct folio *folio = page_folio(run->bv[i].bv_page);
		size_t plen = run->bv[i].bv_len;
		size_t foff = run->pos + off - folio_pos(folio);
		bool ok = false;

		if (got >= 0 && off + plen <= got) {
			ok = true;
		} else if (got >= 0 && run->pos + got >= size) {
			/* The data ends at end of file: the rest reads as zeros. */
			folio_zero_segment(folio,
					   foff + (got > off ? got - off : 0),
					   foff + plen);
			ok = true;
		}
		off += plen;
		if (!p9x_run_piece_done(run, i, &ok))
			continue;
		/* A folio left out of date is read again by ->read_folio. */
		if (ok)
			folio_mark_uptodate(folio);
		folio_unlock(folio);
	}
	kfree(run);
}

static void p9x_rrun_done(struct p9x_req *req)
{
	p9x_rrun_finish(req->priv, p9x_io_result(req));
}

static void p9x_rrun_send(struct p9x_wrun *run)
{
	struct p9x_req *req;

	iov_iter_bvec(&run->iter, ITER_DEST, run->bv, run->nr, run->len);
	req = p9x_read_start(run->fid, run->pos, &run->iter, p9x_rrun_done,
			     run);
	if (IS_ERR(req))
		p9x_rrun_finish(run, PTR_ERR(req));
}

/**
 * p9x_readahead() - fill the folios of a readahead window
 * @ractl: the window; its folios come locked
 *
 * Contiguous folios are gathered into Treads of up to the fid's largest
 * payload, a folio cut in two where a Tread is full, all sent at once and
 * completed in the background, so several are in flight.  Folios left
 * when memory is short are dropped by the caller and read later one by
 * one.
 */
void p9x_readahead(struct readahead_control *ractl)
{
	struct inode *inode = ractl->mapping->host;
	struct p9x_wrun *run = NULL, *next;
	struct p9x_fid *fid;
	struct folio *folio;
	size_t max;

	fid = p9x_inode_read_fid(inode, ractl->file);
	if (IS_ERR_OR_NULL(fid))
		return;
	max = round_down(p9x_fid_maxio(fid), PAGE_SIZE);
	while ((folio = readahead_folio(ractl))) {
		size_t flen = folio_size(folio);

		if (flen > max) {
			/* Too big for one message: read it the slow way. */
			p9x_fill_folio(fid, folio);
			folio_unlock(folio);
			continue;
		}
		if (run && !p9x_run_continues(run, folio_pos(folio), max)) {
			p9x_rrun_send(run);
			run = NULL;
		}
		if (run && run->len + flen > max) {
			next = p9x_run_split(run, folio, 0, flen, max);
			p9x_rrun_send(run);
			run = next;
			if (next) {
				next->fid = p9x_fid_get(fid);
				continue;
			}
		}
		if (!run) {
			run = p9x_run_new(folio_pos(folio), max);
			if (!run) {
				folio_unlock(folio);
				break;
			}
			run->fid = p9x_fid_get(fid);
		}
		p9x_run_add(run, folio, 0, flen);
	}
	if (run)
		p9x_rrun_send(run);
	p9x_fid_put(fid);
}

static int p9x_cached_read_folio(struct file *file, struct folio *folio)
{
	struct p9x_fid *fid;
	int err;

	fid = p9x_inode_read_fid(folio->mapping->host, file);
	if (IS_ERR_OR_NULL(fid)) {
		err = fid ? PTR_ERR(fid) : -EBADF;
	} else {
		err = p9x_fill_folio(fid, folio);
		p9x_fid_put(fid);
	}
	folio_unlock(folio);
	return err;
}

/* Reclaim, a split or invalidation: a dirty folio is then dirty whole. */
static bool p9x_release_folio(struct folio *folio, gfp_t gfp)
{
	folio_detach_private(folio);
	return true;
}

static void p9x_invalidate_folio(struct folio *folio, size_t off, size_t len)
{
	if (off == 0 && len == folio_size(folio))
		folio_detach_private(folio);
}

/**
 * p9x_page_mkwrite() - a shared mapping is about to write to a folio
 * @vmf: the fault
 *
 * Any byte of the folio may change through the mapping from now on, so
 * its note of the pages write() dirtied goes: it is written back whole.
 *
 * Return: as filemap_page_mkwrite().
 */
static vm_fault_t p9x_page_mkwrite(struct vm_fault *vmf)
{
	vm_fault_t ret = filemap_page_mkwrite(vmf);

	if (ret & VM_FAULT_LOCKED)
		folio_detach_private(page_folio(vmf->page));
	return ret;
}

/* Mappings of a file in the page cache (cache=mmap and cache=loose). */
const struct vm_operations_struct p9x_cached_vm_ops = {
	.fault = filemap_fault,
	.map_pages = filemap_map_pages,
	.page_mkwrite = p9x_page_mkwrite,
};

const struct address_space_operations p9x_cached_aops = {
	.read_folio = p9x_cached_read_folio,
	.release_folio = p9x_release_folio,
	.invalidate_folio = p9x_invalidate_folio,
	.migrate_folio = filemap_migrate_folio,
	.readahead = p9x_readahead,
	.dirty_folio = filemap_dirty_folio,
	.write_begin = p9x_aops_write_begin,
	.write_end = p9x_aops_write_end,
	.writepages = p9x_writepages,
};
