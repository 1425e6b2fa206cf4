// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx client core: request lifecycle, tags, fids, version negotiation and
 * one typed call per 9P operation.  The VFS glue calls these; transports
 * carry the bytes; the codec in wire.c builds and checks them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>

#include "client.h"
#include "transport.h"

/* Room for any T-message without a data payload (Twalk of 16 names, ...). */
#define P9X_TC_CAP	8192
/* Room for any R-message without a payload or a path in it. */
#define P9X_RC_SMALL	512
/* Room for an Rreadlink. */
#define P9X_RC_PATH	(P9X_HDR_SIZE + 2 + PATH_MAX)
/* Linux errnos a server may hand back to user space. */
#define P9X_MAX_USER_ERRNO	133

static void p9x_client_put(struct p9x_client *c);

static void p9x_req_free(struct p9x_req *req)
{
	struct p9x_client *c = req->c;
	unsigned long flags;

	if (req->tag != P9X_NOTAG) {
		spin_lock_irqsave(&c->lock, flags);
		idr_remove(&c->tags, req->tag);
		spin_unlock_irqrestore(&c->lock, flags);
	}
	kvfree(req->tc);
	kvfree(req->rc);
	kfree(req);
	p9x_client_put(c);
}

/**
 * p9x_req_put() - drop a reference on a request
 * @req: the request
 *
 * May be called from interrupt context by a transport.  The last put
 * releases the tag.
 */
void p9x_req_put(struct p9x_req *req)
{
	if (refcount_dec_and_test(&req->ref))
		p9x_req_free(req);
}

/*
 * A request with its tag and buffers.  Tversion alone goes without a tag
 * (@notag); it is never in the tag table.
 */
static struct p9x_req *p9x_req_new(struct p9x_client *c, u8 rtype,
				   u32 tc_cap, u32 rc_cap, bool notag)
{
	struct p9x_req *req;
	int tag;

	req = kzalloc(sizeof(*req), GFP_NOFS);
	if (!req)
		return ERR_PTR(-ENOMEM);
	req->tc = kvmalloc(tc_cap, GFP_NOFS);
	req->rc = kvmalloc(rc_cap, GFP_NOFS);
	if (!req->tc || !req->rc) {
		kvfree(req->tc);
		kvfree(req->rc);
		kfree(req);
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&req->ref, 1);
	req->c = c;
	req->rtype = rtype;
	req->rc_cap = rc_cap;
	req->state = P9X_REQ_NEW;
	init_waitqueue_head(&req->wq);
	req->tag = P9X_NOTAG;
	refcount_inc(&c->ref);

	if (!notag) {
		idr_preload(GFP_NOFS);
		spin_lock_irq(&c->lock);
		tag = idr_alloc(&c->tags, req, 0, P9X_NOTAG, GFP_NOWAIT);
		spin_unlock_irq(&c->lock);
		idr_preload_end();
		if (tag < 0) {
			p9x_req_put(req);
			return ERR_PTR(tag == -ENOSPC ? -EAGAIN : tag);
		}
		req->tag = tag;
	}
	return req;
}

/* A transport hands back @req with @len reply bytes (0: no reply). */
void p9x_req_done(struct p9x_req *req, u32 len)
{
	req->rc_len = min(len, req->rc_cap);
	/* Publish rc_len and the reply bytes before the state the waiter reads. */
	smp_store_release(&req->state, P9X_REQ_DONE);
	wake_up(&req->wq);
}

/* A transport hands back @req unanswered because the server is gone. */
void p9x_req_lost(struct p9x_req *req)
{
	/* Pairs with the acquire in p9x_req_finished(). */
	smp_store_release(&req->state, P9X_REQ_LOST);
	wake_up(&req->wq);
}

/**
 * p9x_client_lost() - the transport lost its server for good
 * @c: the session
 *
 * Every later call fails with -EIO at once; the transport completes the
 * calls it still holds with p9x_req_lost().
 */
void p9x_client_lost(struct p9x_client *c)
{
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&c->lock, flags);
	was = c->lost;
	c->lost = true;
	spin_unlock_irqrestore(&c->lock, flags);
	if (!was)
		pr_warn("%s: server connection lost; calls on this mount now fail with EIO\n",
			c->name);
}

static bool p9x_req_finished(struct p9x_req *req)
{
	/* Pairs with the release in p9x_req_done(): the reply is visible. */
	return smp_load_acquire(&req->state) >= P9X_REQ_DONE;
}

static int p9x_send(struct p9x_client *c, struct p9x_req *req)
{
	if (READ_ONCE(c->lost))
		return -EIO;
	WRITE_ONCE(req->state, P9X_REQ_SENT);
	return c->ops->request(c, req);
}

/*
 * A fatal signal interrupted the wait for @old: ask the server to forget
 * it, and wait until it has.  After Rflush the server answers @old no
 * more; if it answered before, that answer stands.
 */
static void p9x_flush(struct p9x_client *c, struct p9x_req *old)
{
	struct p9x_wbuf b;
	struct p9x_req *req;

	req = p9x_req_new(c, P9X_RFLUSH, P9X_TC_CAP, P9X_RC_SMALL, false);
	if (IS_ERR(req))
		goto wait_old;
	p9x_wbuf_init(&b, req->tc, P9X_TC_CAP);
	if (p9x_enc_tflush(&b, req->tag, old->tag))
		goto put_flush;
	req->tc_len = b.len;
	if (p9x_send(c, req))
		goto put_flush;
	wait_event(req->wq, p9x_req_finished(req));
	p9x_req_put(req);
	if (!p9x_req_finished(old) && c->ops->cancelled)
		c->ops->cancelled(c, old);
	return;

put_flush:
	p9x_req_put(req);
wait_old:
	/* Without a flush the tag is not free: wait for the answer itself. */
	wait_event(old->wq, p9x_req_finished(old));
}

static int p9x_bad_reply(struct p9x_client *c, struct p9x_req *req)
{
	pr_err_ratelimited("%s: malformed reply (type %u, expected %u) from server\n",
			   c->name, req->rc_len > 4 ? ((u8 *)req->rc)[4] : 0,
			   req->rtype);
	return -EIO;
}

/*
 * Send @req and wait for its reply.  Returns 0 when the reply is the
 * expected R-message (the caller decodes the body), the server's errno
 * for an Rlerror, -EINTR if a fatal signal cut the wait short, or -EIO if
 * the server is gone or answered nonsense.  @uninterruptible is for calls
 * that must finish, such as Tclunk.
 */
static int p9x_rpc(struct p9x_client *c, struct p9x_req *req,
		   bool uninterruptible)
{
	u32 ecode;
	int err;

	err = p9x_send(c, req);
	if (err)
		return err;

	if (uninterruptible)
		wait_event(req->wq, p9x_req_finished(req));
	else if (wait_event_killable(req->wq, p9x_req_finished(req)))
		p9x_flush(c, req);

	/* Pairs with the release in p9x_req_done(): the reply is visible. */
	switch (smp_load_acquire(&req->state)) {
	case P9X_REQ_DONE:
		break;
	case P9X_REQ_LOST:
		return -EIO;
	default:
		return -EINTR;
	}
	if (!req->rc_len)
		return READ_ONCE(c->lost) ? -EIO : -EINTR;

	err = p9x_dec_reply(req->rc, req->rc_len, req->tag, req->rtype, &ecode);
	if (err < 0)
		return p9x_bad_reply(c, req);
	if (err == 1) {
		req->rlerror = true;
		return ecode > P9X_MAX_USER_ERRNO ? -EIO : -(int)ecode;
	}
	return 0;
}

/*
 * Allocate a request and encode its T-message with @enc.  Encoders only
 * fail for oversized names here, since P9X_TC_CAP holds anything else.
 */
#define p9x_new_call(c, rtype, rc_cap, enc, ...)			\
({									\
	struct p9x_req *__r = p9x_req_new(c, rtype, P9X_TC_CAP, rc_cap, false); \
	struct p9x_wbuf __b;						\
	int __e;							\
									\
	if (!IS_ERR(__r)) {						\
		p9x_wbuf_init(&__b, __r->tc, P9X_TC_CAP);		\
		__e = enc(&__b, __r->tag, ##__VA_ARGS__);		\
		if (__e) {						\
			p9x_req_put(__r);				\
			__r = ERR_PTR(__e == -EMSGSIZE ?		\
				      -ENAMETOOLONG : __e);		\
		} else {						\
			__r->tc_len = __b.len;				\
		}							\
	}								\
	__r;								\
})

/* Fids */

static struct p9x_fid *p9x_fid_new(struct p9x_client *c, kuid_t uid)
{
	struct p9x_fid *fid;
	int n;

	fid = kzalloc(sizeof(*fid), GFP_NOFS);
	if (!fid)
		return ERR_PTR(-ENOMEM);
	n = ida_alloc_max(&c->fids, P9X_NOFID - 1, GFP_NOFS);
	if (n < 0) {
		kfree(fid);
		return ERR_PTR(n);
	}
	fid->fid = n;
	fid->c = c;
	fid->uid = uid;
	refcount_set(&fid->ref, 1);
	INIT_HLIST_NODE(&fid->node);
	return fid;
}

/* Returns true if the fid number may be used again. */
static bool p9x_clunk(struct p9x_fid *fid)
{
	struct p9x_client *c = fid->c;
	struct p9x_req *req;
	int err;

	if (READ_ONCE(c->lost))
		return true;
	req = p9x_new_call(c, P9X_RCLUNK, P9X_RC_SMALL, p9x_enc_tclunk,
			   fid->fid);
	if (IS_ERR(req))
		return false;
	err = p9x_rpc(c, req, true);
	p9x_req_put(req);
	/*
	 * A server drops the fid even when Tclunk fails; only a clunk that
	 * never reached it leaves the number taken.
	 */
	return err != -EIO || READ_ONCE(c->lost);
}

/**
 * p9x_fid_put() - drop a reference on a fid
 * @fid: the fid
 *
 * The last reference clunks the fid on the server.  May sleep.
 */
void p9x_fid_put(struct p9x_fid *fid)
{
	struct p9x_client *c;

	if (!fid || !refcount_dec_and_test(&fid->ref))
		return;
	c = fid->c;
	if (!fid->live || p9x_clunk(fid))
		ida_free(&c->fids, fid->fid);
	else
		pr_warn_ratelimited("%s: could not clunk fid %u; not reusing it\n",
				    c->name, fid->fid);
	kfree(fid);
}

/**
 * p9x_fid_maxio() - largest Tread/Treaddir payload for a fid
 * @fid: an open fid
 *
 * Return: msize less the framing (and one byte, see below), or the
 * server's iounit if smaller.
 */
u32 p9x_fid_maxio(const struct p9x_fid *fid)
{
	/*
	 * The framing is P9X_IOHDR_SIZE (23) bytes, but servers in the
	 * field (diod) refuse counts above msize - 24, the bound the
	 * in-kernel client has always used.
	 */
	u32 n = fid->c->msize - P9X_IOHDR_SIZE - 1;

	if (fid->iounit && fid->iounit < n)
		n = fid->iounit;
	return n;
}

/* Operations */

/**
 * p9x_attach() - attach to the server's file tree
 * @c: the session
 * @uname: user name (may be "")
 * @aname: tree to attach
 * @n_uname: numeric user, or P9X_NONUNAME
 * @owner: uid the fid is kept for on the client side
 *
 * Return: a live fid for the root of the tree, or an ERR_PTR.
 */
struct p9x_fid *p9x_attach(struct p9x_client *c, const char *uname,
			   const char *aname, u32 n_uname, kuid_t owner)
{
	struct p9x_fid *fid;
	struct p9x_req *req;
	int err;

	fid = p9x_fid_new(c, owner);
	if (IS_ERR(fid))
		return fid;
	req = p9x_new_call(c, P9X_RATTACH, P9X_RC_SMALL, p9x_enc_tattach,
			   fid->fid, P9X_NOFID, uname, aname, n_uname);
	if (IS_ERR(req)) {
		err = PTR_ERR(req);
		goto out_fid;
	}
	err = p9x_rpc(c, req, false);
	if (!err && p9x_dec_rattach(req->rc, req->rc_len, c->dialect, &fid->qid))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	if (err)
		goto out_fid;
	fid->live = true;
	return fid;

out_fid:
	p9x_fid_put(fid);
	return ERR_PTR(err);
}

/**
 * p9x_walk() - walk from a fid to a new fid
 * @fid: where to start
 * @nwname: number of names, at most P9X_MAXWELEM; 0 clones @fid
 * @wnames: the names
 *
 * Return: a new live fid owned by the same uid, or an ERR_PTR (-ENOENT if
 * the server could walk only part of the way).
 */
struct p9x_fid *p9x_walk(struct p9x_fid *fid, unsigned int nwname,
			 const char *const *wnames)
{
	struct p9x_qid qids[P9X_MAXWELEM];
	struct p9x_client *c = fid->c;
	struct p9x_fid *nfid;
	struct p9x_req *req;
	u16 nwqid = 0;
	int err;

	if (nwname > P9X_MAXWELEM)
		return ERR_PTR(-EINVAL);
	nfid = p9x_fid_new(c, fid->uid);
	if (IS_ERR(nfid))
		return nfid;
	req = p9x_new_call(c, P9X_RWALK, P9X_RC_SMALL, p9x_enc_twalk,
			   fid->fid, nfid->fid, nwname, wnames);
	if (IS_ERR(req)) {
		err = PTR_ERR(req);
		goto out_fid;
	}
	err = p9x_rpc(c, req, false);
	if (!err && p9x_dec_rwalk(req->rc, req->rc_len, c->dialect, nwname,
				  &nwqid, qids))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	if (err)
		goto out_fid;
	if (nwqid < nwname) {
		/* The server stopped early and did not create the new fid. */
		err = -ENOENT;
		goto out_fid;
	}
	nfid->live = true;
	nfid->qid = nwname ? qids[nwname - 1] : fid->qid;
	return nfid;

out_fid:
	p9x_fid_put(nfid);
	return ERR_PTR(err);
}

int p9x_getattr(struct p9x_fid *fid, u64 mask, struct p9x_attr *attr)
{
	struct p9x_client *c = fid->c;
	struct p9x_req *req;
	int err;

	req = p9x_new_call(c, P9X_RGETATTR, P9X_RC_SMALL, p9x_enc_tgetattr,
			   fid->fid, mask);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_rpc(c, req, false);
	if (!err && p9x_dec_rgetattr(req->rc, req->rc_len, c->dialect, attr))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	return err;
}

int p9x_lopen(struct p9x_fid *fid, u32 flags)
{
	struct p9x_client *c = fid->c;
	struct p9x_req *req;
	struct p9x_qid qid;
	u32 iounit;
	int err;

	req = p9x_new_call(c, P9X_RLOPEN, P9X_RC_SMALL, p9x_enc_tlopen,
			   fid->fid, flags);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_rpc(c, req, false);
	if (!err && p9x_dec_rlopen(req->rc, req->rc_len, c->dialect, &qid,
				   &iounit))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	if (err)
		return err;
	fid->qid = qid;
	fid->iounit = iounit;
	fid->opened = true;
	return 0;
}

/**
 * p9x_read() - read from an open fid into an iterator
 * @fid: fid opened for reading
 * @offset: file offset
 * @to: destination; its count is how much to read
 *
 * Issues as many Treads as needed, each at most p9x_fid_maxio(), and
 * stops early at end of file or on a short read.
 *
 * Return: bytes read, or a negative errno if nothing was read.
 */
ssize_t p9x_read(struct p9x_fid *fid, u64 offset, struct iov_iter *to)
{
	struct p9x_client *c = fid->c;
	ssize_t total = 0;
	int err = 0;

	while (iov_iter_count(to)) {
		u32 want = min_t(size_t, iov_iter_count(to), p9x_fid_maxio(fid));
		struct p9x_req *req;
		const u8 *data;
		u32 got;

		req = p9x_new_call(c, P9X_RREAD, want + P9X_RIOHDR_SIZE,
				   p9x_enc_tread, fid->fid, offset, want);
		if (IS_ERR(req)) {
			err = PTR_ERR(req);
			break;
		}
		err = p9x_rpc(c, req, false);
		if (!err && (p9x_dec_rread(req->rc, req->rc_len, &got, &data) ||
			     got > want))
			err = p9x_bad_reply(c, req);
		if (!err && copy_to_iter(data, got, to) != got)
			err = -EFAULT;
		p9x_req_put(req);
		if (err)
			break;
		total += got;
		offset += got;
		if (got < want)
			break;
	}
	return total ? total : err;
}

/**
 * p9x_readdir() - read directory entries from an open directory fid
 * @fid: fid opened with P9X_O_DIRECTORY
 * @offset: 0 or an offset the server gave in an earlier entry
 * @count: largest payload wanted, at most p9x_fid_maxio()
 * @it: set up over the entries received
 *
 * Return: the request holding the entries (put it when done with @it),
 * or an ERR_PTR.  An empty payload means the end of the directory.
 */
struct p9x_req *p9x_readdir(struct p9x_fid *fid, u64 offset, u32 count,
			    struct p9x_dirent_iter *it)
{
	struct p9x_client *c = fid->c;
	struct p9x_req *req;
	int err;

	count = min(count, p9x_fid_maxio(fid));
	req = p9x_new_call(c, P9X_RREADDIR, count + P9X_RIOHDR_SIZE,
			   p9x_enc_treaddir, fid->fid, offset, count);
	if (IS_ERR(req))
		return req;
	err = p9x_rpc(c, req, false);
	if (!err && p9x_dec_rreaddir(req->rc, req->rc_len, c->dialect, it))
		err = p9x_bad_reply(c, req);
	if (err) {
		p9x_req_put(req);
		return ERR_PTR(err);
	}
	return req;
}

/**
 * p9x_readlink() - read a symlink's target
 * @fid: fid of the symlink
 *
 * Return: the target as a NUL-terminated kmalloc'd string, or an ERR_PTR.
 */
char *p9x_readlink(struct p9x_fid *fid)
{
	struct p9x_client *c = fid->c;
	struct p9x_str target;
	struct p9x_req *req;
	char *s;
	int err;

	req = p9x_new_call(c, P9X_RREADLINK, P9X_RC_PATH, p9x_enc_treadlink,
			   fid->fid);
	if (IS_ERR(req))
		return ERR_CAST(req);
	err = p9x_rpc(c, req, false);
	if (!err && (p9x_dec_rreadlink(req->rc, req->rc_len, &target) ||
		     !target.len || memchr(target.s, 0, target.len)))
		err = p9x_bad_reply(c, req);
	s = err ? ERR_PTR(err) : kmemdup_nul(target.s, target.len, GFP_NOFS);
	p9x_req_put(req);
	return s ? s : ERR_PTR(-ENOMEM);
}

int p9x_statfs(struct p9x_fid *fid, struct p9x_statfs *st)
{
	struct p9x_client *c = fid->c;
	struct p9x_req *req;
	int err;

	req = p9x_new_call(c, P9X_RSTATFS, P9X_RC_SMALL, p9x_enc_tstatfs,
			   fid->fid);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_rpc(c, req, false);
	if (!err && p9x_dec_rstatfs(req->rc, req->rc_len, st))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	return err;
}

/**
 * p9x_write() - write to an open fid from an iterator
 * @fid: fid opened for writing
 * @offset: file offset
 * @from: source; its count is how much to write
 *
 * Issues as many Twrites as needed, each at most p9x_fid_maxio(), and
 * stops early when the server writes less than asked.
 *
 * Return: bytes written, or a negative errno if nothing was written.
 */
ssize_t p9x_write(struct p9x_fid *fid, u64 offset, struct iov_iter *from)
{
	struct p9x_client *c = fid->c;
	ssize_t total = 0;
	int err = 0;

	while (iov_iter_count(from)) {
		u32 want = min_t(size_t, iov_iter_count(from),
				 p9x_fid_maxio(fid));
		struct p9x_wbuf b;
		struct p9x_req *req;
		u32 done;

		req = p9x_req_new(c, P9X_RWRITE, P9X_IOHDR_SIZE + want,
				  P9X_RC_SMALL, false);
		if (IS_ERR(req)) {
			err = PTR_ERR(req);
			break;
		}
		p9x_wbuf_init(&b, req->tc, P9X_IOHDR_SIZE);
		err = p9x_enc_twrite(&b, req->tag, fid->fid, offset, want, NULL);
		if (!err && copy_from_iter((u8 *)req->tc + P9X_IOHDR_SIZE, want,
					   from) != want)
			err = -EFAULT;
		if (!err) {
			req->tc_len = P9X_IOHDR_SIZE + want;
			err = p9x_rpc(c, req, false);
		}
		if (!err && (p9x_dec_rwrite(req->rc, req->rc_len, &done) ||
			     done > want))
			err = p9x_bad_reply(c, req);
		p9x_req_put(req);
		if (err)
			break;
		/* Give back what the server did not take. */
		iov_iter_revert(from, want - done);
		total += done;
		offset += done;
		if (done < want)
			break;
	}
	return total ? total : err;
}

/* Calls whose reply has no body. */
static int p9x_call_empty(struct p9x_client *c, struct p9x_req *req)
{
	int err;

	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_rpc(c, req, false);
	if (!err && p9x_dec_rempty(req->rc, req->rc_len, req->rtype))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	return err;
}

/* Calls whose reply is one qid: Rmkdir, Rmknod, Rsymlink. */
static int p9x_call_qid(struct p9x_client *c, struct p9x_req *req,
			struct p9x_qid *qid)
{
	int err;

	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_rpc(c, req, false);
	if (!err) {
		switch (req->rtype) {
		case P9X_RMKDIR:
			err = p9x_dec_rmkdir(req->rc, req->rc_len, c->dialect,
					     qid);
			break;
		case P9X_RMKNOD:
			err = p9x_dec_rmknod(req->rc, req->rc_len, c->dialect,
					     qid);
			break;
		default:
			err = p9x_dec_rsymlink(req->rc, req->rc_len,
					       c->dialect, qid);
			break;
		}
		if (err)
			err = p9x_bad_reply(c, req);
	}
	p9x_req_put(req);
	return err;
}

int p9x_mkdir(struct p9x_fid *dfid, const char *name, u32 mode, u32 gid,
	      struct p9x_qid *qid)
{
	struct p9x_client *c = dfid->c;

	return p9x_call_qid(c, p9x_new_call(c, P9X_RMKDIR, P9X_RC_SMALL,
					    p9x_enc_tmkdir, dfid->fid, name,
					    mode, gid), qid);
}

int p9x_mknod(struct p9x_fid *dfid, const char *name, u32 mode, u32 major,
	      u32 minor, u32 gid, struct p9x_qid *qid)
{
	struct p9x_client *c = dfid->c;

	return p9x_call_qid(c, p9x_new_call(c, P9X_RMKNOD, P9X_RC_SMALL,
					    p9x_enc_tmknod, dfid->fid, name,
					    mode, major, minor, gid), qid);
}

int p9x_symlink(struct p9x_fid *dfid, const char *name, const char *target,
		u32 gid, struct p9x_qid *qid)
{
	struct p9x_client *c = dfid->c;

	return p9x_call_qid(c, p9x_new_call(c, P9X_RSYMLINK, P9X_RC_SMALL,
					    p9x_enc_tsymlink, dfid->fid, name,
					    target, gid), qid);
}

int p9x_link(struct p9x_fid *dfid, struct p9x_fid *fid, const char *name)
{
	struct p9x_client *c = dfid->c;

	return p9x_call_empty(c, p9x_new_call(c, P9X_RLINK, P9X_RC_SMALL,
					      p9x_enc_tlink, dfid->fid,
					      fid->fid, name));
}

int p9x_unlinkat(struct p9x_fid *dfid, const char *name, u32 flags)
{
	struct p9x_client *c = dfid->c;

	return p9x_call_empty(c, p9x_new_call(c, P9X_RUNLINKAT, P9X_RC_SMALL,
					      p9x_enc_tunlinkat, dfid->fid,
					      name, flags));
}

int p9x_renameat(struct p9x_fid *olddfid, const char *oldname,
		 struct p9x_fid *newdfid, const char *newname)
{
	struct p9x_client *c = olddfid->c;

	return p9x_call_empty(c, p9x_new_call(c, P9X_RRENAMEAT, P9X_RC_SMALL,
					      p9x_enc_trenameat, olddfid->fid,
					      oldname, newdfid->fid, newname));
}

int p9x_rename(struct p9x_fid *fid, struct p9x_fid *dfid, const char *name)
{
	struct p9x_client *c = fid->c;

	return p9x_call_empty(c, p9x_new_call(c, P9X_RRENAME, P9X_RC_SMALL,
					      p9x_enc_trename, fid->fid,
					      dfid->fid, name));
}

/**
 * p9x_remove() - remove the file a fid names
 * @fid: the caller's only reference; the server clunks it whatever the
 *	outcome, so it is gone when this returns
 *
 * Return: 0 or the server's errno.
 */
int p9x_remove(struct p9x_fid *fid)
{
	struct p9x_client *c = fid->c;
	int err;

	err = p9x_call_empty(c, p9x_new_call(c, P9X_RREMOVE, P9X_RC_SMALL,
					     p9x_enc_tremove, fid->fid));
	if (err != -EIO || READ_ONCE(c->lost))
		fid->live = false;
	p9x_fid_put(fid);
	return err;
}

int p9x_setattr(struct p9x_fid *fid, const struct p9x_iattr *ia)
{
	struct p9x_client *c = fid->c;

	return p9x_call_empty(c, p9x_new_call(c, P9X_RSETATTR, P9X_RC_SMALL,
					      p9x_enc_tsetattr, fid->fid, ia));
}

int p9x_fsync(struct p9x_fid *fid, bool datasync)
{
	struct p9x_client *c = fid->c;

	return p9x_call_empty(c, p9x_new_call(c, P9X_RFSYNC, P9X_RC_SMALL,
					      p9x_enc_tfsync, fid->fid,
					      datasync));
}

/**
 * p9x_xattrwalk() - open an extended attribute (or the list) for reading
 * @fid: the file
 * @name: attribute name, or "" for the list of names
 * @size: set to the attribute's size
 *
 * Return: a fid to read the value from with p9x_read(), or an ERR_PTR.
 */
struct p9x_fid *p9x_xattrwalk(struct p9x_fid *fid, const char *name,
			      u64 *size)
{
	struct p9x_client *c = fid->c;
	struct p9x_fid *xfid;
	struct p9x_req *req;
	int err;

	xfid = p9x_fid_new(c, fid->uid);
	if (IS_ERR(xfid))
		return xfid;
	req = p9x_new_call(c, P9X_RXATTRWALK, P9X_RC_SMALL,
			   p9x_enc_txattrwalk, fid->fid, xfid->fid, name);
	if (IS_ERR(req)) {
		err = PTR_ERR(req);
		goto out_fid;
	}
	err = p9x_rpc(c, req, false);
	if (!err && p9x_dec_rxattrwalk(req->rc, req->rc_len, size))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	if (err)
		goto out_fid;
	xfid->live = true;
	return xfid;

out_fid:
	p9x_fid_put(xfid);
	return ERR_PTR(err);
}

/**
 * p9x_xattrcreate() - turn a fid into a new value for an attribute
 * @fid: a fid of the file, cloned for the purpose; written with
 *	p9x_write(), and the attribute is set when it is clunked
 * @name: attribute name
 * @size: exact size of the value to be written
 * @flags: XATTR_CREATE / XATTR_REPLACE
 *
 * Return: 0 or a negative errno.
 */
int p9x_xattrcreate(struct p9x_fid *fid, const char *name, u64 size,
		    u32 flags)
{
	struct p9x_client *c = fid->c;

	return p9x_call_empty(c, p9x_new_call(c, P9X_RXATTRCREATE,
					      P9X_RC_SMALL,
					      p9x_enc_txattrcreate, fid->fid,
					      name, size, flags));
}

/**
 * p9x_fid_clunk() - clunk a fid now and report the server's answer
 * @fid: the caller's only reference
 *
 * For fids whose clunk commits something (Txattrcreate): the error of the
 * commit is the server's Rclunk answer.
 *
 * Return: 0 or the server's errno.
 */
int p9x_fid_clunk(struct p9x_fid *fid)
{
	struct p9x_client *c = fid->c;
	struct p9x_req *req;
	int err;

	req = p9x_new_call(c, P9X_RCLUNK, P9X_RC_SMALL, p9x_enc_tclunk,
			   fid->fid);
	if (IS_ERR(req)) {
		p9x_fid_put(fid);
		return PTR_ERR(req);
	}
	err = p9x_rpc(c, req, true);
	if (!err && p9x_dec_rempty(req->rc, req->rc_len, P9X_RCLUNK))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	/* The server has let go of the fid whatever it answered. */
	if (err != -EIO || READ_ONCE(c->lost))
		fid->live = false;
	p9x_fid_put(fid);
	return err;
}

int p9x_lock(struct p9x_fid *fid, const struct p9x_lock *lk, u8 *status)
{
	struct p9x_client *c = fid->c;
	struct p9x_req *req;
	int err;

	req = p9x_new_call(c, P9X_RLOCK, P9X_RC_SMALL, p9x_enc_tlock,
			   fid->fid, lk);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_rpc(c, req, false);
	if (!err && p9x_dec_rlock(req->rc, req->rc_len, status))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	return err;
}

int p9x_getlock(struct p9x_fid *fid, const struct p9x_getlock *gl,
		struct p9x_getlock *out)
{
	struct p9x_client *c = fid->c;
	struct p9x_rgetlock r;
	struct p9x_req *req;
	int err;

	req = p9x_new_call(c, P9X_RGETLOCK, P9X_RC_SMALL, p9x_enc_tgetlock,
			   fid->fid, gl);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_rpc(c, req, false);
	if (!err && p9x_dec_rgetlock(req->rc, req->rc_len, &r))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	if (err)
		return err;
	out->type = r.type;
	out->start = r.start;
	out->length = r.length;
	out->proc_id = r.proc_id;
	out->client_id = NULL;
	return 0;
}

/* Session */

enum p9x_ver_answer {
	P9X_ANSWER_LX,
	P9X_ANSWER_L,
	P9X_ANSWER_REFUSED,	/* "unknown" or an Rlerror: a legacy server */
};

static bool p9x_str_is(const struct p9x_str *s, const char *lit)
{
	return s->len == strlen(lit) && !memcmp(s->s, lit, s->len);
}

/* Offer @version; returns an enum p9x_ver_answer or a negative errno. */
static int p9x_offer_version(struct p9x_client *c, const char *version)
{
	struct p9x_wbuf b;
	struct p9x_req *req;
	struct p9x_str ver;
	u32 msize;
	int err;

	req = p9x_req_new(c, P9X_RVERSION, P9X_TC_CAP, P9X_RC_SMALL, true);
	if (IS_ERR(req))
		return PTR_ERR(req);
	p9x_wbuf_init(&b, req->tc, P9X_TC_CAP);
	err = p9x_enc_tversion(&b, P9X_NOTAG, c->msize, version);
	if (err)
		goto out;
	req->tc_len = b.len;

	err = p9x_rpc(c, req, false);
	if (err && req->rlerror) {
		/* diod and others answer an unknown version with Rlerror. */
		err = P9X_ANSWER_REFUSED;
		goto out;
	}
	if (err)
		goto out;
	if (p9x_dec_rversion(req->rc, req->rc_len, &msize, &ver)) {
		err = p9x_bad_reply(c, req);
		goto out;
	}
	if (p9x_str_is(&ver, "unknown")) {
		err = P9X_ANSWER_REFUSED;
		goto out;
	}
	if (p9x_str_is(&ver, P9X_VERSION_LX) &&
	    !strcmp(version, P9X_VERSION_LX)) {
		err = P9X_ANSWER_LX;
	} else if (p9x_str_is(&ver, P9X_VERSION_L)) {
		err = P9X_ANSWER_L;
	} else {
		pr_err("%s: server answered Tversion %s with unsupported version \"%*pE\"\n",
		       c->name, version, min_t(int, ver.len, 64), ver.s);
		err = -EPROTONOSUPPORT;
		goto out;
	}
	if (msize < P9X_MIN_MSIZE) {
		pr_err("%s: server msize %u is below the minimum %u\n",
		       c->name, msize, P9X_MIN_MSIZE);
		err = -EPROTO;
		goto out;
	}
	c->msize = min(c->msize, msize);
out:
	p9x_req_put(req);
	return err;
}

static int p9x_negotiate(struct p9x_client *c, const struct p9x_client_opts *o)
{
	int ans;

	if (o->want_lx) {
		ans = p9x_offer_version(c, P9X_VERSION_LX);
		if (ans < 0)
			return ans;
		if (ans == P9X_ANSWER_LX) {
			c->dialect = P9X_DIALECT_LX;
			return 0;
		}
		if (!o->fallback) {
			pr_err("%s: server does not speak 9P2000.Lx and nofallback is set\n",
			       c->name);
			return -EPROTONOSUPPORT;
		}
		pr_info("%s: server does not speak 9P2000.Lx, using 9P2000.L\n",
			c->name);
		if (ans == P9X_ANSWER_L)
			goto dotl;
	}
	ans = p9x_offer_version(c, P9X_VERSION_L);
	if (ans < 0)
		return ans;
	if (ans != P9X_ANSWER_L) {
		pr_err("%s: server refused 9P2000.L\n", c->name);
		return -EPROTONOSUPPORT;
	}
dotl:
	c->dialect = P9X_DIALECT_L;
	return 0;
}

/**
 * p9x_client_create() - connect to a server and negotiate the dialect
 * @addr: transport address (the virtio mount tag)
 * @o: options
 *
 * Return: a session, or an ERR_PTR.
 */
struct p9x_client *p9x_client_create(const char *addr,
				     const struct p9x_client_opts *o)
{
	struct p9x_client *c;
	int err;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->name = kstrdup(addr, GFP_KERNEL);
	if (!c->name) {
		kfree(c);
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&c->ref, 1);
	spin_lock_init(&c->lock);
	idr_init(&c->tags);
	ida_init(&c->fids);
	c->ops = o->ops;
	c->msize = min(o->msize, o->ops->maxsize);

	err = c->ops->open(c, addr, &o->args);
	if (err) {
		p9x_client_put(c);
		return ERR_PTR(err);
	}
	err = p9x_negotiate(c, o);
	if (err) {
		p9x_client_destroy(c);
		return ERR_PTR(err);
	}
	return c;
}

static void p9x_client_put(struct p9x_client *c)
{
	if (!refcount_dec_and_test(&c->ref))
		return;
	idr_destroy(&c->tags);
	ida_destroy(&c->fids);
	kfree(c->name);
	kfree(c);
}

/**
 * p9x_client_destroy() - close a session
 * @c: the session; every fid must have been put
 *
 * Requests the transport still holds (flushed ones the server never
 * returned) keep the memory alive until they come back.
 */
void p9x_client_destroy(struct p9x_client *c)
{
	c->ops->close(c);
	p9x_client_put(c);
}
