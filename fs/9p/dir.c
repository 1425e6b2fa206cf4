// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx directories: Treaddir with the server's offsets as file positions,
 * so telldir/seekdir hand back exactly what the server gave.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "9plx.h"

/**
 * struct p9x_dirfile - an open directory
 * @fid: opened with P9X_O_DIRECTORY
 * @lock: serialises readers of the buffered entries
 * @rest: copy of the entries a getdents call left unread, or NULL
 * @it: position in @rest
 * @next: directory offset of the entry @it points at
 * @asked: the offset the entries in @rest were read from
 * @loop: the offsets of this read, from where it last started
 * @eof: a getdents call that listed entries then found the end at @next;
 *	the next call at that position returns 0 without asking again
 *
 * A reply is only held while getdents runs: what the caller's buffer did
 * not take is copied to @rest, so that an open directory holds no tag
 * (a user could otherwise use up the mount's tags by opening many).
 */
struct p9x_dirfile {
	struct p9x_fid *fid;
	struct mutex lock;	/* rest, it, next, asked, loop */
	void *rest;
	struct p9x_dirent_iter it;
	u64 next;
	u64 asked;
	struct p9x_dirloop loop;
	bool eof;
};

static int p9x_dir_open(struct inode *inode, struct file *file)
{
	struct p9x_dirfile *df;

	df = kzalloc_obj(*df, GFP_KERNEL);
	if (!df)
		return -ENOMEM;
	df->fid = p9x_open_fid(file->f_path.dentry,
			       P9X_O_RDONLY | P9X_O_DIRECTORY);
	if (IS_ERR(df->fid)) {
		int err = PTR_ERR(df->fid);

		kfree(df);
		return err;
	}
	mutex_init(&df->lock);
	p9x_dirloop_start(&df->loop, 0);
	file->private_data = df;
	return 0;
}

/* Forget the buffered entries: @req (a reply being read) and the rest. */
static void p9x_dir_drop(struct p9x_dirfile *df, struct p9x_req **req)
{
	if (*req)
		p9x_req_put(*req);
	*req = NULL;
	kvfree(df->rest);
	df->rest = NULL;
}

/*
 * End of a getdents call while reading @req: keep what is left of it in
 * a buffer of its own and let the reply (and its tag) go.  Without memory
 * the next call reads again from the position, which is just as right.
 */
static void p9x_dir_keep(struct p9x_dirfile *df, struct p9x_req *req)
{
	size_t len = df->it.end - df->it.p;

	if (len)
		df->rest = kvmalloc(len, GFP_KERNEL);
	if (df->rest) {
		memcpy(df->rest, df->it.p, len);
		df->it.p = df->rest;
		df->it.end = df->it.p + len;
	}
	p9x_req_put(req);
}

static bool p9x_name_ok(const struct p9x_str *name)
{
	return name->len && name->len <= NAME_MAX &&
	       !memchr(name->s, '/', name->len) &&
	       !memchr(name->s, 0, name->len);
}

static int p9x_dir_iterate(struct file *file, struct dir_context *ctx)
{
	struct p9x_dirfile *df = file->private_data;
	struct p9x_dirent_iter saved;
	struct p9x_req *req = NULL;
	struct p9x_dirent de;
	bool fresh = false, listed = false;
	int ret = 0;

	mutex_lock(&df->lock);
	/*
	 * The call after one that listed the last entries is the one that
	 * sees the end: it was just found, as a local filesystem knows it.
	 */
	if (df->eof && df->next == (u64)ctx->pos) {
		df->eof = false;
		mutex_unlock(&df->lock);
		return 0;
	}
	df->eof = false;
	/* A seek (rewinddir, seekdir) starts another read. */
	if (df->next != (u64)ctx->pos)
		p9x_dirloop_start(&df->loop, ctx->pos);
	for (;;) {
		if ((!req && !df->rest) || df->next != (u64)ctx->pos) {
			p9x_dir_drop(df, &req);
			req = p9x_readdir(df->fid, ctx->pos,
					  p9x_fid_maxio(df->fid), &df->it);
			if (IS_ERR(req)) {
				ret = PTR_ERR(req);
				req = NULL;
				break;
			}
			df->next = ctx->pos;
			df->asked = ctx->pos;
			fresh = true;
		}
		saved = df->it;
		ret = p9x_dirent_next(&df->it, &de);
		if (ret < 0 || (ret > 0 && !p9x_name_ok(&de.name))) {
			pr_err_ratelimited("%s: malformed directory entry from server\n",
					   df->fid->c->name);
			p9x_dir_drop(df, &req);
			ret = -EIO;
			break;
		}
		if (!ret) {
			/* An empty reply to a fresh read is the end. */
			p9x_dir_drop(df, &req);
			if (fresh) {
				df->eof = listed;
				break;
			}
			continue;
		}
		fresh = false;
		/*
		 * Offsets that repeat would have getdents go on forever.  An
		 * entry that sends the next read back to where this one
		 * started is caught before anything is listed twice.
		 */
		if (de.offset == df->asked ||
		    p9x_dirloop_seen(&df->loop, de.offset)) {
			pr_err_ratelimited("%s: directory offsets from server repeat (%llu)\n",
					   df->fid->c->name, de.offset);
			p9x_dir_drop(df, &req);
			ret = -EIO;
			break;
		}
		if (!dir_emit(ctx, de.name.s, de.name.len, de.qid.path,
			      de.type < 16 ? de.type : DT_UNKNOWN)) {
			df->it = saved;
			ret = 0;
			break;
		}
		p9x_dirloop_take(&df->loop, de.offset);
		ctx->pos = de.offset;
		df->next = de.offset;
		listed = true;
	}
	if (req)
		p9x_dir_keep(df, req);
	mutex_unlock(&df->lock);
	return ret;
}

static int p9x_dir_release(struct inode *inode, struct file *file)
{
	struct p9x_dirfile *df = file->private_data;
	struct p9x_req *none = NULL;

	p9x_dir_drop(df, &none);
	p9x_fid_put(df->fid);
	mutex_destroy(&df->lock);
	kfree(df);
	return 0;
}

static int p9x_dir_fsync(struct file *file, loff_t start, loff_t end,
			 int datasync)
{
	struct p9x_dirfile *df = file->private_data;

	return p9x_fsync(df->fid, datasync);
}

const struct file_operations p9x_dir_fops = {
	.fsync = p9x_dir_fsync,
	.open = p9x_dir_open,
	.release = p9x_dir_release,
	.iterate_shared = p9x_dir_iterate,
	.read = generic_read_dir,
	.llseek = generic_file_llseek,
};
