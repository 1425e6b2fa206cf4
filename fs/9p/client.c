// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx client core: request lifecycle, tags, fids, version negotiation and
 * one typed call per 9P operation.  The VFS glue calls these; transports
 * carry the bytes; the codec in wire.c builds and checks them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/err.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>

#include "client.h"
#include "compat.h"
#include "transport.h"

/* Room for an Rreadlink. */
#define P9X_RC_PATH	(P9X_HDR_SIZE + 2 + PATH_MAX)
/* Linux errnos a server may hand back to user space. */
#define P9X_MAX_USER_ERRNO	133
/* How long umount waits for the answers to the last Tclunks. */
#define P9X_CLUNK_WAIT	(5 * HZ)
/* Tclunks in flight before the next put waits for one of them. */
#define P9X_CLUNKS_INFLIGHT	16
/* Payloads at least this large go zero copy where the transport can. */
#define P9X_ZC_MIN	1024

static struct kmem_cache *p9x_req_cache;
static struct workqueue_struct *p9x_done_wq;

static void p9x_client_put(struct p9x_client *c);
static void p9x_fid_settle(struct p9x_req *old, bool can_send);

static void p9x_req_unpin(struct p9x_req *req)
{
	if (!req->pinned)
		return;
	/* No sleep: the last reference may go where the transport completes. */
	unpin_user_pages(req->pinned, req->npinned);
	kvfree(req->pinned);
	/* The bvec array built over the pages was allocated with them. */
	kvfree(req->data.bvec);
	req->pinned = NULL;
}

/*
 * A reply of more than half a message (Treaddir asks for all a message
 * holds) gets a buffer of msize bytes, and the last such buffer let go is
 * kept for the next one: reading directory after directory then neither
 * allocates nor, with init_on_alloc, clears half a megabyte per Treaddir.
 */
static void *p9x_rc_alloc(struct p9x_client *c, struct p9x_req *req, u32 cap)
{
	void *buf;

	if (cap <= c->msize / 2 || cap > c->msize)
		return kvmalloc(cap, GFP_NOFS);
	__set_bit(P9X_REQ_RC_FULL, &req->flags);
	buf = xchg(&c->spare_rc, NULL);
	return buf ? buf : kvmalloc(c->msize, GFP_NOFS);
}

static void p9x_rc_free(struct p9x_client *c, struct p9x_req *req)
{
	if (!req->rc || req->rc == req->rc_small)
		return;
	if (test_bit(P9X_REQ_RC_FULL, &req->flags) &&
	    !cmpxchg(&c->spare_rc, NULL, req->rc))
		return;
	kvfree(req->rc);
}

static void p9x_req_free(struct p9x_req *req)
{
	struct p9x_client *c = req->c;
	unsigned long flags;

	if (req->tag != P9X_NOTAG) {
		xa_lock_irqsave(&c->tags, flags);
		__xa_erase(&c->tags, req->tag);
		xa_unlock_irqrestore(&c->tags, flags);
	}
	if (req->tc != req->tc_small)
		kvfree(req->tc);
	p9x_rc_free(c, req);
	p9x_req_unpin(req);
	kmem_cache_free(p9x_req_cache, req);
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
 * A request with its tag and buffers of @tc_cap and @rc_cap bytes; small
 * ones are the request's own.  Tversion alone goes without a tag
 * (@notag); it is never in the tag table.
 */
static struct p9x_req *p9x_req_new(struct p9x_client *c, u8 rtype,
				   u32 tc_cap, u32 rc_cap, bool notag)
{
	struct p9x_req *req;
	u32 tag;
	int err;

	req = kmem_cache_alloc(p9x_req_cache, GFP_NOFS);
	if (!req)
		return ERR_PTR(-ENOMEM);
	memset(req, 0, offsetof(struct p9x_req, tc_small));
	if (tc_cap <= P9X_TC_SMALL) {
		req->tc = req->tc_small;
		tc_cap = P9X_TC_SMALL;
	} else {
		req->tc = kvmalloc(tc_cap, GFP_NOFS);
	}
	/* rc_cap stays exact: zero copy puts the payload right after it. */
	if (rc_cap <= P9X_RC_SMALL)
		req->rc = req->rc_small;
	else
		req->rc = p9x_rc_alloc(c, req, rc_cap);
	if (!req->tc || !req->rc) {
		if (req->tc != req->tc_small)
			kvfree(req->tc);
		p9x_rc_free(c, req);
		kmem_cache_free(p9x_req_cache, req);
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&req->ref, 1);
	req->c = c;
	req->rtype = rtype;
	req->rc_cap = rc_cap;
	req->state = P9X_REQ_NEW;
	init_waitqueue_head(&req->wq);
	p9x_wbuf_init(&req->wb, req->tc, tc_cap);
	req->tag = P9X_NOTAG;
	refcount_inc(&c->ref);

	if (!notag) {
		err = xa_alloc_irq(&c->tags, &tag, req,
				   XA_LIMIT(0, P9X_NOTAG - 1), GFP_NOFS);
		if (err) {
			p9x_req_put(req);
			/* -EBUSY: every tag is taken */
			return ERR_PTR(err == -EBUSY ? -EAGAIN : err);
		}
		req->tag = tag;
	}
	return req;
}

/* A request for a T-message that fits the request's own buffer. */
static struct p9x_req *p9x_call_new(struct p9x_client *c, u8 rtype,
				    u32 rc_cap)
{
	return p9x_req_new(c, rtype, P9X_TC_SMALL, rc_cap, false);
}

static void p9x_req_done_work(struct work_struct *work);

static void p9x_req_complete(struct p9x_req *req, int state)
{
	/* Publish rc_len and the reply bytes before the state the waiter reads. */
	smp_store_release(&req->state, state);
	/* p9x_req_submit() set @done, @priv and @work before sending. */
	if (!READ_ONCE(req->done))
		wake_up(&req->wq);
	else if (test_and_set_bit(P9X_REQ_CLAIMED, &req->flags))
		return;
	else if (test_bit(P9X_REQ_DONE_ATOMIC, &req->flags))
		p9x_req_done_work(&req->work);
	else
		queue_work(p9x_done_wq, &req->work);
}

/* A transport hands back @req with @len reply bytes (0: no reply). */
void p9x_req_done(struct p9x_req *req, u32 len)
{
	req->reply_len = len;
	req->rc_len = min(len, req->rc_cap);
	p9x_req_complete(req, P9X_REQ_DONE);
}

/* A transport hands back @req unanswered because the server is gone. */
void p9x_req_lost(struct p9x_req *req)
{
	p9x_req_complete(req, P9X_REQ_LOST);
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

/**
 * p9x_client_abort() - give up on the server (umount -f)
 * @c: the session
 *
 * Calls waiting for the server fail with -EIO as soon as the transport
 * hands them back, which a stream transport does at once; later calls
 * fail at once.
 */
void p9x_client_abort(struct p9x_client *c)
{
	if (c->ops->abort)
		c->ops->abort(c);
	else
		p9x_client_lost(c);
}

static bool p9x_req_finished(struct p9x_req *req)
{
	/* Pairs with the release in p9x_req_complete(): the reply is visible. */
	return smp_load_acquire(&req->state) >= P9X_REQ_DONE;
}

/**
 * p9x_req_answered() - whether the server itself answered a request
 * @req: a finished request
 *
 * A request the transport handed back without a reply, lost with its
 * connection or let go after a flush, was not answered.
 *
 * Return: true if @req holds a reply from the server.
 */
static bool p9x_req_answered(struct p9x_req *req)
{
	/* Pairs with the release in p9x_req_complete(): rc_len is visible. */
	return smp_load_acquire(&req->state) == P9X_REQ_DONE && req->rc_len;
}

static int p9x_send(struct p9x_client *c, struct p9x_req *req)
{
	if (READ_ONCE(c->lost))
		return -EIO;
	WRITE_ONCE(req->state, P9X_REQ_SENT);
	return c->ops->request(c, req);
}

/**
 * p9x_flushed() - finish the flush of a request
 * @c: the session
 * @old: a request a Tflush was sent for, which has been answered or lost
 * @answered: the server answered that Tflush
 *
 * After Rflush the server answers @old no more: if @old is still
 * unanswered, ->cancelled lets the transport drop it.  A Tflush lost with
 * the connection says nothing about @old, which the transport completes
 * itself.  Then @old's fid, if any, is settled (p9x_fid_settle()).
 *
 * A completion that runs while p9x_client_destroy() closes the transport
 * does neither: it leaves @old to ->close, which hands back whatever it
 * holds, and sends no Tclunk; one already under way ends before ->close
 * begins.
 */
static void p9x_flushed(struct p9x_client *c, struct p9x_req *old,
			bool answered)
{
	unsigned long flags;
	bool go;

	spin_lock_irqsave(&c->lock, flags);
	go = !c->closing;
	if (go)
		c->cancelling++;
	spin_unlock_irqrestore(&c->lock, flags);
	if (go && answered && c->ops->cancelled && !p9x_req_finished(old))
		c->ops->cancelled(c, old);
	if (old->fid)
		p9x_fid_settle(old, go);
	if (!go)
		return;
	spin_lock_irqsave(&c->lock, flags);
	c->cancelling--;
	spin_unlock_irqrestore(&c->lock, flags);
	wake_up(&c->clunks_wq);
}

/*
 * A fatal signal interrupted the wait for @old: ask the server to forget
 * it, and wait until it has.  After Rflush the server answers @old no
 * more; if it answered before, that answer stands.  Only an answered
 * Tflush lets the transport drop @old (->cancelled): one lost with the
 * connection says nothing about @old, which the transport completes as
 * lost in its own time, possibly from its ->close.
 */
static void p9x_flush(struct p9x_client *c, struct p9x_req *old)
{
	struct p9x_req *req;

	req = p9x_call_new(c, P9X_RFLUSH, P9X_RC_SMALL);
	if (IS_ERR(req))
		goto wait_old;
	if (p9x_enc_tflush(&req->wb, req->tag, old->tag))
		goto put_flush;
	req->tc_len = req->wb.len;
	if (p9x_send(c, req))
		goto put_flush;
	wait_event(req->wq, p9x_req_finished(req));
	if (p9x_req_answered(req)) {
		p9x_req_put(req);
		p9x_flushed(c, old, true);
		return;
	}
	/* The connection went first; the transport hands @old back too. */
put_flush:
	p9x_req_put(req);
wait_old:
	/* Without a flush the tag is not free: wait for the answer itself. */
	wait_event(old->wq, p9x_req_finished(old));
}

static void p9x_flush_done(struct p9x_req *req)
{
	struct p9x_client *c = req->c;
	struct p9x_req *old = req->priv;

	p9x_flushed(c, old, p9x_req_answered(req));
	p9x_req_put(old);
}

static int p9x_req_submit(struct p9x_req *req, p9x_done_t done, void *priv);

/*
 * A fatal signal interrupted the wait for @old, whose reply lands in its
 * own buffers only: tell the server to forget it without waiting, so a
 * silent server cannot keep a killed task.  @old, and with it its tag,
 * lives on until the server has answered one or the other, and so does
 * old->fid, which only then is known to be bound or not (flush(5): a
 * reply that comes before Rflush stands).  Returns true if the flush took
 * @old over (P9X_REQ_ABANDONED), false if it waited for @old instead.
 */
static bool p9x_abandon(struct p9x_client *c, struct p9x_req *old)
{
	struct p9x_req *req;

	req = p9x_call_new(c, P9X_RFLUSH, P9X_RC_SMALL);
	if (IS_ERR(req))
		goto wait_old;
	p9x_enc_tflush(&req->wb, req->tag, old->tag);
	req->tc_len = req->wb.len;
	refcount_inc(&old->ref);
	set_bit(P9X_REQ_ABANDONED, &old->flags);
	if (!p9x_req_submit(req, p9x_flush_done, old))
		return true;
	clear_bit(P9X_REQ_ABANDONED, &old->flags);
	p9x_req_put(old);
	p9x_req_put(req);
wait_old:
	/* Without a flush the tag is not free: wait for the answer itself. */
	wait_event(old->wq, p9x_req_finished(old));
	return false;
}

/* The call of @req was abandoned: its Tflush's completion settles req->fid. */
static bool p9x_req_abandoned(struct p9x_req *req)
{
	return test_bit(P9X_REQ_ABANDONED, &req->flags);
}

static int p9x_bad_reply(struct p9x_client *c, struct p9x_req *req)
{
	pr_err_ratelimited("%s: malformed reply (type %u, expected %u) from server\n",
			   c->name, req->rc_len > 4 ? ((u8 *)req->rc)[4] : 0,
			   req->rtype);
	return -EIO;
}

/*
 * What a finished request came to: 0 when the reply is the expected
 * R-message (the caller decodes the body), the server's errno for an
 * Rlerror, -EINTR if a fatal signal cut it short, or -EIO if the server
 * is gone or answered nonsense.  An Rread whose payload the transport
 * placed in the destination pages has only its framing in @rc.
 */
static int p9x_req_status(struct p9x_client *c, struct p9x_req *req)
{
	u32 ecode, count;
	int err;

	/* Pairs with the release in p9x_req_complete(): the reply is visible. */
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

	if (req->zc && req->rtype == P9X_RREAD &&
	    req->reply_len > req->rc_len) {
		if (p9x_dec_rread_split(req->rc, req->rc_len, req->reply_len,
					req->tag, &count) ||
		    count > req->data_len)
			return p9x_bad_reply(c, req);
		return 0;
	}
	err = p9x_dec_reply(req->rc, req->rc_len, req->tag, req->rtype, &ecode);
	if (err < 0 || req->reply_len != req->rc_len)
		return p9x_bad_reply(c, req);
	if (err == 1) {
		req->rlerror = true;
		return ecode > P9X_MAX_USER_ERRNO ? -EIO : -(int)ecode;
	}
	return 0;
}

/*
 * Send @req and wait for its reply; see p9x_req_status() for the result.
 * @uninterruptible is for calls that must finish, such as Tclunk.
 */
static int p9x_rpc(struct p9x_client *c, struct p9x_req *req,
		   bool uninterruptible)
{
	int err;

	err = p9x_send(c, req);
	if (err)
		return err;

	if (uninterruptible)
		wait_event(req->wq, p9x_req_finished(req));
	else if (wait_event_killable(req->wq, p9x_req_finished(req)) &&
		 p9x_abandon(c, req) && req->fid)
		return -EINTR;	/* whatever the answer, it is the flush's */
	return p9x_req_status(c, req);
}

/*
 * Send a request whose T-message the caller just encoded into req->wb
 * (@enc is the encoder's result) and wait for the reply.  The caller puts
 * @req whatever the outcome.
 */
static int p9x_call(struct p9x_req *req, int enc)
{
	if (enc)
		return enc == -EMSGSIZE ? -ENAMETOOLONG : enc;
	req->tc_len = req->wb.len;
	return p9x_rpc(req->c, req, false);
}

/* p9x_call() for calls that must finish (Tclunk): no signal cuts it short. */
static int p9x_call_wait(struct p9x_req *req, int enc)
{
	if (enc)
		return enc;
	req->tc_len = req->wb.len;
	return p9x_rpc(req->c, req, true);
}

static void p9x_req_done_work(struct work_struct *work)
{
	struct p9x_req *req = container_of(work, struct p9x_req, work);

	req->done(req);
	p9x_req_put(req);
}

/*
 * Send @req without waiting: @done runs once the transport hands it back,
 * in process context or, with P9X_REQ_DONE_ATOMIC, where the transport
 * does that, and the caller's reference goes with it.  On failure nothing
 * runs and the caller still owns @req.
 */
static int p9x_req_submit(struct p9x_req *req, p9x_done_t done, void *priv)
{
	req->done = done;
	req->priv = priv;
	INIT_WORK(&req->work, p9x_req_done_work);
	return p9x_send(req->c, req);
}

/**
 * p9x_client_module_init() - caches and workqueue shared by all sessions
 *
 * Return: 0 or -ENOMEM.
 */
int p9x_client_module_init(void)
{
	/* Small payloads go between user memory and the inline buffers. */
	p9x_req_cache = kmem_cache_create_usercopy("9plx_req",
						   sizeof(struct p9x_req), 0, 0,
						   offsetof(struct p9x_req,
							    tc_small),
						   P9X_TC_SMALL + P9X_RC_SMALL,
						   NULL);
	if (!p9x_req_cache)
		return -ENOMEM;
	/* Writeback waits on these completions: they must run under pressure. */
	p9x_done_wq = alloc_workqueue("9plx_done",
				      WQ_MEM_RECLAIM | P9X_WQ_PERCPU, 0);
	if (!p9x_done_wq) {
		kmem_cache_destroy(p9x_req_cache);
		return -ENOMEM;
	}
	return 0;
}

void p9x_client_module_exit(void)
{
	destroy_workqueue(p9x_done_wq);
	kmem_cache_destroy(p9x_req_cache);
}

/* Fids */

static struct p9x_fid *p9x_fid_new(struct p9x_client *c, kuid_t uid)
{
	struct p9x_fid *fid;
	int n;

	fid = kzalloc_obj(*fid, GFP_NOFS);
	if (!fid)
		return ERR_PTR(-ENOMEM);
	n = ida_alloc_max(&c->fids, P9X_NOFID - 1, GFP_NOFS);
	if (n < 0) {
		kfree(fid);
		return ERR_PTR(n);
	}
	fid->fid = n;
	fid->c = c;
	/* The number belongs to @c until the server has let go of it. */
	refcount_inc(&c->ref);
	fid->uid = uid;
	refcount_set(&fid->ref, 1);
	INIT_HLIST_NODE(&fid->node);
	return fid;
}

/* Give back a fid's number once the server can no longer know it. */
static void p9x_fid_free(struct p9x_fid *fid, bool reusable)
{
	struct p9x_client *c = fid->c;

	if (reusable)
		ida_free(&c->fids, fid->fid);
	else
		pr_warn_ratelimited("%s: could not clunk fid %u; not reusing it\n",
				    c->name, fid->fid);
	kfree(fid);
	p9x_client_put(c);
}

static void p9x_clunk_done(struct p9x_req *req)
{
	struct p9x_client *c = req->c;
	int err = p9x_req_status(c, req);

	/*
	 * A server drops the fid even when Tclunk fails; only a clunk that
	 * never reached it leaves the number taken.
	 */
	p9x_fid_free(req->priv, err != -EIO || READ_ONCE(c->lost));
	atomic_dec(&c->clunks);
	wake_up(&c->clunks_wq);
}

/*
 * Clunk a fid nobody holds any more, without waiting for the answer, or
 * give its number back at once if the server does not know it.  With
 * @throttle, wait while P9X_CLUNKS_INFLIGHT clunks are in flight.
 */
static void p9x_fid_release(struct p9x_fid *fid, bool throttle)
{
	struct p9x_client *c = fid->c;
	struct p9x_req *req;

	if (!fid->live || READ_ONCE(c->lost)) {
		p9x_fid_free(fid, true);
		return;
	}
	req = p9x_call_new(c, P9X_RCLUNK, P9X_RC_SMALL);
	if (IS_ERR(req)) {
		p9x_fid_free(fid, false);
		return;
	}
	p9x_enc_tclunk(&req->wb, req->tag, fid->fid);
	req->tc_len = req->wb.len;
	/*
	 * p9x_clunk_done() and the release of a Tclunk sleep nowhere: a fid
	 * and a small request are slab memory, and the session outlives the
	 * completions of its transport (p9x_client_destroy()).
	 */
	__set_bit(P9X_REQ_DONE_ATOMIC, &req->flags);
	/*
	 * A burst of Tclunks sent back to back (umount evicting thousands
	 * of inodes, a task closing thousands of files) left QEMU 10 no
	 * longer answering; a path walk has a few in flight at most.
	 */
	if (throttle)
		wait_event_killable(c->clunks_wq,
				    atomic_read(&c->clunks) <
				    P9X_CLUNKS_INFLIGHT || READ_ONCE(c->lost));
	atomic_inc(&c->clunks);
	if (!p9x_req_submit(req, p9x_clunk_done, fid))
		return;
	atomic_dec(&c->clunks);
	wake_up(&c->clunks_wq);
	p9x_req_put(req);
	p9x_fid_free(fid, READ_ONCE(c->lost));
}

/**
 * p9x_fid_put() - drop a reference on a fid
 * @fid: the fid
 *
 * The last reference sends Tclunk and does not wait for the answer:
 * nothing the caller does next depends on it (a close(2) releases its
 * locks with Tlock before, and a clunk that commits something goes
 * through p9x_fid_clunk()).  The answer gives the number back where the
 * transport completes the request, without a worker to wake, and the
 * number is reused only then.  May sleep: while P9X_CLUNKS_INFLIGHT
 * clunks are in flight, and for room on the transport.
 */
void p9x_fid_put(struct p9x_fid *fid)
{
	if (fid && refcount_dec_and_test(&fid->ref))
		p9x_fid_release(fid, true);
}

/*
 * Whether the server holds req->fid after @req, which it answered or
 * not.  flush(5): a call flushed unanswered never happened, so a new fid
 * was not bound and the fid of Tremove still is.  A Tremove the server
 * answered, even with an error, clunked its fid.  A new fid is bound
 * unless the server refused the call or stopped a walk short; an answer
 * that makes no sense may have bound it.
 */
static bool p9x_req_holds_fid(struct p9x_req *req)
{
	struct p9x_qid qids[P9X_MAXWELEM];
	struct p9x_client *c = req->c;
	struct p9x_attr attr;
	u16 nwqid = 0;
	u32 ecode;
	int err;

	if (!p9x_req_answered(req))
		return req->rtype == P9X_RREMOVE;
	if (req->rtype == P9X_RREMOVE)
		return false;
	err = p9x_dec_reply(req->rc, req->rc_len, req->tag, req->rtype,
			    &ecode);
	if (err == 1)
		return false;
	if (err < 0 || req->reply_len != req->rc_len)
		return true;
	if (req->rtype == P9X_RWALK)
		err = p9x_dec_rwalk(req->rc, req->rc_len, c->dialect,
				    req->nwname, &nwqid, qids);
	else if (req->rtype == P9X_RWALKGETATTR)
		err = p9x_dec_rwalkgetattr(req->rc, req->rc_len, c->dialect,
					   req->nwname, &nwqid, qids, &attr);
	else
		return true;
	return err || nwqid == req->nwname;
}

/*
 * The Tflush of an abandoned call @old has been answered or lost: the
 * call's fid, which nobody else holds, is clunked if the server holds it
 * and its number given back if not.  If @old itself is still out (the
 * transport lost the Tflush, or a server answered Rflush first), the
 * server may yet bind it: the number is never reused in this session.
 * Without @can_send the session is closing and the number goes with it.
 */
static void p9x_fid_settle(struct p9x_req *old, bool can_send)
{
	struct p9x_fid *fid = old->fid;
	struct p9x_client *c = fid->c;

	if (!can_send || READ_ONCE(c->lost)) {
		p9x_fid_free(fid, true);
		return;
	}
	if (!p9x_req_finished(old)) {
		p9x_fid_free(fid, false);
		return;
	}
	fid->live = p9x_req_holds_fid(old);
	/* No throttle: umount waits for this completion before closing. */
	p9x_fid_release(fid, false);
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
	struct p9x_wbuf m;
	int err;

	fid = p9x_fid_new(c, owner);
	if (IS_ERR(fid))
		return fid;
	/* uname and aname are the user's: measure the message first. */
	p9x_wbuf_init(&m, NULL, 0);
	p9x_enc_tattach(&m, 0, fid->fid, P9X_NOFID, uname, aname, n_uname);
	req = p9x_req_new(c, P9X_RATTACH, m.len, P9X_RC_SMALL, false);
	if (IS_ERR(req)) {
		err = PTR_ERR(req);
		goto out_fid;
	}
	req->fid = fid;
	err = p9x_call(req, p9x_enc_tattach(&req->wb, req->tag, fid->fid,
					    P9X_NOFID, uname, aname, n_uname));
	if (p9x_req_abandoned(req)) {
		/* The flush's completion clunks the fid if the server bound it. */
		p9x_req_put(req);
		return ERR_PTR(err);
	}
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

/* Encode the Twalk, or with @attr the Twalkgetattr, of p9x_walk_call(). */
static int p9x_enc_walk_call(struct p9x_wbuf *b, u16 tag, u32 fid, u32 newfid,
			     unsigned int nwname, const char *const *wnames,
			     u64 mask, const struct p9x_attr *attr)
{
	if (attr)
		return p9x_enc_twalkgetattr(b, tag, fid, newfid, mask, nwname,
					    wnames);
	return p9x_enc_twalk(b, tag, fid, newfid, nwname, wnames);
}

/*
 * Twalk from @fid down @wnames to a new fid; with @attr, a Twalkgetattr
 * asking for @mask, whose attributes land in @attr.
 */
static struct p9x_fid *p9x_walk_call(struct p9x_fid *fid, unsigned int nwname,
				     const char *const *wnames, u64 mask,
				     struct p9x_attr *attr)
{
	struct p9x_qid qids[P9X_MAXWELEM];
	struct p9x_client *c = fid->c;
	struct p9x_fid *nfid;
	struct p9x_req *req;
	struct p9x_wbuf m;
	u16 nwqid = 0;
	int err;

	BUILD_BUG_ON(P9X_RWALKGETATTR_MAX > P9X_RC_SMALL);
	if (nwname > P9X_MAXWELEM)
		return ERR_PTR(-EINVAL);
	nfid = p9x_fid_new(c, fid->uid);
	if (IS_ERR(nfid))
		return nfid;
	p9x_wbuf_init(&m, NULL, 0);
	p9x_enc_walk_call(&m, 0, fid->fid, nfid->fid, nwname, wnames, mask,
			  attr);
	req = p9x_req_new(c, attr ? P9X_RWALKGETATTR : P9X_RWALK, m.len,
			  P9X_RC_SMALL, false);
	if (IS_ERR(req)) {
		err = PTR_ERR(req);
		goto out_fid;
	}
	req->fid = nfid;
	req->nwname = nwname;
	err = p9x_call(req, p9x_enc_walk_call(&req->wb, req->tag, fid->fid,
					      nfid->fid, nwname, wnames, mask,
					      attr));
	if (p9x_req_abandoned(req)) {
		/* The flush's completion clunks nfid if the server bound it. */
		p9x_req_put(req);
		return ERR_PTR(err);
	}
	if (!err && (attr ?
		     p9x_dec_rwalkgetattr(req->rc, req->rc_len, c->dialect,
					  nwname, &nwqid, qids, attr) :
		     p9x_dec_rwalk(req->rc, req->rc_len, c->dialect, nwname,
				   &nwqid, qids)))
		err = p9x_bad_reply(c, req);
	/*
	 * Unless the server refused the walk, it may have bound the new fid
	 * (a malformed answer): clunk it before the number is reused.  If it
	 * was never bound, the server answers Tclunk with an error, which
	 * frees the number all the same.
	 */
	if (err && req->tc_len && !req->rlerror)
		nfid->live = true;
	p9x_req_put(req);
	if (err)
		goto out_fid;
	if (nwqid < nwname) {
		/* The server stopped early and did not create the new fid. */
		err = -ENOENT;
		goto out_fid;
	}
	nfid->live = true;
	/* After a racing rename the attributes name the fid's file. */
	if (attr)
		nfid->qid = attr->qid;
	else
		nfid->qid = nwname ? qids[nwname - 1] : fid->qid;
	return nfid;

out_fid:
	p9x_fid_put(nfid);
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
	return p9x_walk_call(fid, nwname, wnames, 0, NULL);
}

/**
 * p9x_walk_getattr() - walk to a new fid and read its attributes
 * @fid: where to start
 * @nwname: number of names, at most P9X_MAXWELEM; 0 clones @fid
 * @wnames: the names
 * @mask: P9X_GETATTR_* bits wanted
 * @attr: the new fid's attributes, on success
 *
 * One Twalkgetattr in a 9P2000.Lx session, Twalk and Tgetattr otherwise
 * and after an Lx server refused the message with EOPNOTSUPP (it is then
 * not sent again on this session).
 *
 * Return: as p9x_walk().
 */
struct p9x_fid *p9x_walk_getattr(struct p9x_fid *fid, unsigned int nwname,
				 const char *const *wnames, u64 mask,
				 struct p9x_attr *attr)
{
	struct p9x_client *c = fid->c;
	struct p9x_fid *nfid;
	int err;

	if (c->dialect == P9X_DIALECT_LX && !READ_ONCE(c->no_walkgetattr)) {
		nfid = p9x_walk_call(fid, nwname, wnames, mask, attr);
		if (!IS_ERR(nfid) || PTR_ERR(nfid) != -EOPNOTSUPP)
			return nfid;
		WRITE_ONCE(c->no_walkgetattr, true);
	}
	nfid = p9x_walk_call(fid, nwname, wnames, 0, NULL);
	if (IS_ERR(nfid))
		return nfid;
	err = p9x_getattr(nfid, mask, attr);
	if (err) {
		p9x_fid_put(nfid);
		return ERR_PTR(err);
	}
	return nfid;
}

int p9x_getattr(struct p9x_fid *fid, u64 mask, struct p9x_attr *attr)
{
	struct p9x_client *c = fid->c;
	struct p9x_req *req;
	int err;

	req = p9x_call_new(c, P9X_RGETATTR, P9X_RC_SMALL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_call(req, p9x_enc_tgetattr(&req->wb, req->tag, fid->fid,
					     mask));
	if (!err && p9x_dec_rgetattr(req->rc, req->rc_len, c->dialect, attr))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	return err;
}

/*
 * Tlopen and Tlcreate (@enc, encoded in @req): on success @fid is open,
 * with @flags, on the file of the reply's qid.
 */
static int p9x_call_open(struct p9x_fid *fid, struct p9x_req *req, int enc,
			 u32 flags)
{
	struct p9x_client *c = fid->c;
	struct p9x_qid qid;
	u32 iounit;
	int err;

	err = p9x_call(req, enc);
	if (!err && (req->rtype == P9X_RLOPEN ?
		     p9x_dec_rlopen(req->rc, req->rc_len, c->dialect, &qid,
				    &iounit) :
		     p9x_dec_rlcreate(req->rc, req->rc_len, c->dialect, &qid,
				      &iounit)))
		err = p9x_bad_reply(c, req);
	p9x_req_put(req);
	if (err)
		return err;
	fid->qid = qid;
	fid->iounit = iounit;
	fid->opened = true;
	fid->oflags = flags;
	return 0;
}

int p9x_lopen(struct p9x_fid *fid, u32 flags)
{
	struct p9x_req *req = p9x_call_new(fid->c, P9X_RLOPEN, P9X_RC_SMALL);

	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_open(fid, req, p9x_enc_tlopen(&req->wb, req->tag,
						      fid->fid, flags), flags);
}

/**
 * p9x_lcreate() - create a regular file and open it, in one call
 * @fid: a fid of the directory, not open; on success it is the new
 *	file's, opened with @flags
 * @name: the new name
 * @flags: Tlcreate flags (P9X_O_*)
 * @mode: permission bits
 * @gid: group of the new file
 *
 * Return: 0 or a negative errno.
 */
int p9x_lcreate(struct p9x_fid *fid, const char *name, u32 flags, u32 mode,
		u32 gid)
{
	struct p9x_req *req = p9x_call_new(fid->c, P9X_RLCREATE, P9X_RC_SMALL);

	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_open(fid, req, p9x_enc_tlcreate(&req->wb, req->tag,
							fid->fid, name, flags,
							mode, gid), flags);
}

/*
 * Pin the user pages behind the next @len bytes of @it for a zero-copy
 * payload and describe them in req->data.  Returns the bytes pinned, which
 * may be fewer than @len, or a negative errno.  The pages are unpinned
 * with the request.
 *
 * They are pinned (FOLL_PIN), as block O_DIRECT pins them, not merely
 * referenced: the device reads or writes them while the task may fork or
 * the memory may be written back, and a pin is what tells the rest of mm
 * that someone is doing DMA there.
 */
static ssize_t p9x_req_pin(struct p9x_req *req, struct iov_iter *it, u32 len)
{
	struct page **pages = NULL;
	unsigned int i, npages;
	struct bio_vec *bv;
	size_t start, left;
	ssize_t n;

	n = p9x_iter_pin_pages(it, &pages, len, &start);
	if (n <= 0)
		return n ? n : -EFAULT;
	npages = DIV_ROUND_UP(start + n, PAGE_SIZE);
	bv = kvmalloc_array(npages, sizeof(*bv), GFP_NOFS);
	if (!bv) {
		unpin_user_pages(pages, npages);
		kvfree(pages);
		iov_iter_revert(it, n);
		return -ENOMEM;
	}
	left = n;
	for (i = 0; i < npages; i++) {
		size_t off = i ? 0 : start;
		size_t chunk = min_t(size_t, PAGE_SIZE - off, left);

		bv[i].bv_page = pages[i];
		bv[i].bv_offset = off;
		bv[i].bv_len = chunk;
		left -= chunk;
	}
	req->pinned = pages;
	req->npinned = npages;
	iov_iter_bvec(&req->data, iov_iter_rw(it), bv, npages, n);
	req->zc = true;
	return n;
}

/*
 * Take the next @len bytes of @it as the payload of @req, advancing @it
 * past them: zero copy from a bvec or from pinned user memory when the
 * transport can place payloads itself, else a copy of @it for the caller
 * to fill or empty.  Returns the bytes taken or a negative errno.
 */
static ssize_t p9x_req_take(struct p9x_req *req, struct iov_iter *it, u32 len,
			    bool zc)
{
	ssize_t n = len;

	if (zc && !iov_iter_is_bvec(it)) {
		n = p9x_req_pin(req, it, len);
	} else {
		req->data = *it;
		iov_iter_truncate(&req->data, len);
		iov_iter_advance(it, len);
		req->zc = zc;
	}
	if (n > 0)
		req->data_len = n;
	return n;
}

/* Payloads worth placing directly, on transports that can. */
static bool p9x_want_zc(struct p9x_client *c, struct iov_iter *it, u32 len)
{
	return c->ops->zc && len >= P9X_ZC_MIN &&
	       (iov_iter_is_bvec(it) || user_backed_iter(it));
}

/* Send a Tread or Twrite request now, or in the background with @done. */
static struct p9x_req *p9x_io_send(struct p9x_req *req, struct iov_iter *it,
				   p9x_done_t done, void *priv)
{
	int err;

	if (!done) {
		err = p9x_send(req->c, req);
	} else {
		err = p9x_req_submit(req, done, priv);
		if (!err)
			return NULL;	/* @req may be gone already */
	}
	if (err) {
		iov_iter_revert(it, req->data_len);
		p9x_req_put(req);
		return ERR_PTR(err);
	}
	return req;
}

/**
 * p9x_read_start() - send one Tread
 * @fid: fid opened for reading
 * @offset: file offset
 * @to: destination; at most p9x_fid_maxio() bytes of it are asked for,
 *	and it is advanced past them
 * @done: NULL to wait with p9x_io_result()'s caller, or a completion that
 *	runs in process context and calls p9x_io_result()
 * @priv: for @done, as req->priv
 *
 * With @done the destination must be a bvec iterator whose pages stay
 * put until @done runs.
 *
 * Return: the request (req->data_len bytes asked for), NULL once sent with
 * @done, or an ERR_PTR.
 */
struct p9x_req *p9x_read_start(struct p9x_fid *fid, u64 offset,
			       struct iov_iter *to, p9x_done_t done,
			       void *priv)
{
	u32 want = min_t(size_t, iov_iter_count(to), p9x_fid_maxio(fid));
	struct p9x_client *c = fid->c;
	bool zc = p9x_want_zc(c, to, want);
	struct p9x_req *req;
	ssize_t n;

	/* Zero copy: the framing alone lands in @rc, the data in the pages. */
	req = p9x_req_new(c, P9X_RREAD, P9X_TC_SMALL,
			  P9X_RIOHDR_SIZE + (zc ? 0 : want), false);
	if (IS_ERR(req))
		return req;
	n = p9x_req_take(req, to, want, zc);
	if (n < 0) {
		p9x_req_put(req);
		return ERR_PTR(n);
	}
	p9x_enc_tread(&req->wb, req->tag, fid->fid, offset, n);
	req->tc_len = req->wb.len;
	return p9x_io_send(req, to, done, priv);
}

/**
 * p9x_write_start() - send one Twrite
 * @fid: fid opened for writing
 * @offset: file offset
 * @from: source; at most p9x_fid_maxio() bytes of it are sent, and it is
 *	advanced past them
 * @done: as for p9x_read_start()
 * @priv: for @done
 *
 * Return: the request (req->data_len bytes sent), NULL once sent with
 * @done, or an ERR_PTR.
 */
struct p9x_req *p9x_write_start(struct p9x_fid *fid, u64 offset,
				struct iov_iter *from, p9x_done_t done,
				void *priv)
{
	u32 want = min_t(size_t, iov_iter_count(from), p9x_fid_maxio(fid));
	struct p9x_client *c = fid->c;
	bool zc = p9x_want_zc(c, from, want);
	struct p9x_req *req;
	ssize_t n;

	req = p9x_req_new(c, P9X_RWRITE, P9X_IOHDR_SIZE + (zc ? 0 : want),
			  P9X_RC_SMALL, false);
	if (IS_ERR(req))
		return req;
	if (zc) {
		n = p9x_req_take(req, from, want, true);
	} else {
		n = copy_from_iter((u8 *)req->tc + P9X_IOHDR_SIZE, want, from);
		req->data_len = n;
		if (!n)
			n = -EFAULT;
	}
	if (n < 0) {
		p9x_req_put(req);
		return ERR_PTR(n);
	}
	/* The framing alone; the size field covers the payload after it. */
	p9x_wbuf_init(&req->wb, req->tc, P9X_IOHDR_SIZE);
	p9x_enc_twrite(&req->wb, req->tag, fid->fid, offset, n, NULL);
	req->tc_len = P9X_IOHDR_SIZE + (zc ? 0 : n);
	return p9x_io_send(req, from, done, priv);
}

/**
 * p9x_io_result() - what a finished Tread or Twrite came to
 * @req: from p9x_read_start() or p9x_write_start(), finished
 *
 * For a Tread that was not zero copy this copies the data to its
 * destination.  Call it from process context.
 *
 * Return: bytes read or written, or a negative errno.
 */
ssize_t p9x_io_result(struct p9x_req *req)
{
	struct p9x_client *c = req->c;
	const u8 *data = NULL;
	unsigned int i;
	u32 count;
	int err;

	err = p9x_req_status(c, req);
	if (err)
		return err;
	if (req->rtype == P9X_RWRITE) {
		if (p9x_dec_rwrite(req->rc, req->rc_len, &count) ||
		    count > req->data_len)
			return p9x_bad_reply(c, req);
		/* Nothing written is no progress: it must not look like success. */
		if (!count && req->data_len) {
			pr_err_ratelimited("%s: server wrote 0 of %u bytes\n",
					   c->name, req->data_len);
			return -EIO;
		}
		return count;
	}
	if (req->reply_len > req->rc_len)
		err = p9x_dec_rread_split(req->rc, req->rc_len, req->reply_len,
					  req->tag, &count);
	else
		err = p9x_dec_rread(req->rc, req->rc_len, &count, &data);
	if (err || count > req->data_len)
		return p9x_bad_reply(c, req);
	if (data && req->zc) {
		/* The server put a short answer in the framing buffer alone. */
		if (count)
			return p9x_bad_reply(c, req);
	} else if (data && copy_to_iter(data, count, &req->data) != count) {
		return -EFAULT;
	}
	/* The device wrote behind the page tables' back. */
	for (i = 0; count && i < req->npinned; i++)
		set_page_dirty_lock(req->pinned[i]);
	return count;
}

/* Wait for a request from p9x_read_start()/p9x_write_start() (no @done). */
static ssize_t p9x_io_wait(struct p9x_req *req)
{
	if (!wait_event_killable(req->wq, p9x_req_finished(req)))
		return p9x_io_result(req);
	/*
	 * Pinned user pages stay pinned with the request; pages the caller
	 * lent (the page cache) must not be written once it has them back.
	 */
	if (req->zc && !req->pinned)
		p9x_flush(req->c, req);
	else
		p9x_abandon(req->c, req);
	return p9x_io_result(req);
}

/*
 * Iterators a request may keep a copy of and fill later.  A pipe (splice
 * on kernels before 6.5) must be filled in order, through a bounce buffer.
 */
static bool p9x_iter_keepable(const struct iov_iter *it)
{
	return iov_iter_is_bvec(it) || iov_iter_is_kvec(it) ||
	       user_backed_iter(it);
}

static ssize_t p9x_read_bounce(struct p9x_fid *fid, u64 offset,
			       struct iov_iter *to)
{
	size_t len = min_t(size_t, iov_iter_count(to), p9x_fid_maxio(fid));
	ssize_t total = 0, n = 0;
	struct iov_iter kit;
	struct kvec kv;
	void *buf;

	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (iov_iter_count(to)) {
		kv.iov_base = buf;
		kv.iov_len = min(len, iov_iter_count(to));
		iov_iter_kvec(&kit, ITER_DEST, &kv, 1, kv.iov_len);
		n = p9x_read(fid, offset, &kit);
		if (n <= 0)
			break;
		n = copy_to_iter(buf, n, to);
		total += n;
		offset += n;
		if (n < kv.iov_len)
			break;
	}
	kvfree(buf);
	return total ? total : n;
}

/* Treads in flight at once for one large read. */
#define P9X_READ_DEPTH	4

/* p9x_read() and p9x_read_fill(); @whole: see p9x_read_fill(). */
static ssize_t p9x_read_common(struct p9x_fid *fid, u64 offset,
			       struct iov_iter *to, bool whole)
{
	struct p9x_req *q[P9X_READ_DEPTH];
	unsigned int head = 0, n = 0;
	size_t issued = 0, total = 0;
	bool stop = false, ended = false, again = false, eof = false;
	int err = 0;

	if (!p9x_iter_keepable(to)) {
		if (WARN_ON_ONCE(whole))
			return -EINVAL;
		return p9x_read_bounce(fid, offset, to);
	}
	for (;;) {
		struct p9x_req *req;
		ssize_t got;
		u32 asked;

		while (!stop && n < P9X_READ_DEPTH && iov_iter_count(to)) {
			req = p9x_read_start(fid, offset + issued, to, NULL,
					     NULL);
			if (IS_ERR(req)) {
				err = PTR_ERR(req);
				stop = true;
				break;
			}
			q[(head + n++) % P9X_READ_DEPTH] = req;
			issued += req->data_len;
		}
		if (!n) {
			if (!again)
				break;
			/* Ask again from where the short answer stopped. */
			iov_iter_revert(to, issued - total);
			issued = total;
			stop = false;
			again = false;
			continue;
		}
		req = q[head];
		head = (head + 1) % P9X_READ_DEPTH;
		n--;
		got = p9x_io_wait(req);
		asked = req->data_len;
		p9x_req_put(req);
		if (ended || again)
			continue;	/* past the end or a gap: drain */
		if (got < 0) {
			err = got;
			ended = true;
			stop = true;
			continue;
		}
		total += got;
		if (!got) {
			eof = true;
			ended = true;
			stop = true;
		} else if (fatal_signal_pending(current)) {
			err = -EINTR;
			ended = true;
			stop = true;
		} else if (got < asked) {
			again = true;
			stop = true;
		}
	}
	iov_iter_revert(to, issued - total);
	if (whole && err && !eof && iov_iter_count(to))
		return err;
	return total ? total : err;
}

/**
 * p9x_read() - read from an open fid into an iterator
 * @fid: fid opened for reading
 * @offset: file offset
 * @to: destination; its count is how much to read
 *
 * Issues as many Treads as needed, each at most p9x_fid_maxio(), several
 * in flight at once, until @to is full, the server answers a count of 0
 * or an error, or a fatal signal is pending.  In 9P only a count of 0 is
 * the end of the file: a short answer (procfs or sysfs files, a FUSE or
 * 9p mount shared again) says nothing of what follows, so the rest is
 * asked for again from where the data stopped, and the Treads already in
 * flight beyond that are let go.
 *
 * Return: bytes read, or a negative errno if nothing was read.
 */
ssize_t p9x_read(struct p9x_fid *fid, u64 offset, struct iov_iter *to)
{
	return p9x_read_common(fid, offset, to, false);
}

/**
 * p9x_read_fill() - read from an open fid up to the end of the file
 * @fid: fid opened for reading
 * @offset: file offset
 * @to: destination, a kernel iterator (bvec or kvec)
 *
 * As p9x_read(), but a count short of @to always means the server said
 * the file ends there: a read cut short by an error or a fatal signal
 * fails, whatever it had read.  For filling the page cache, where the
 * bytes after a short count are taken to be zeros.
 *
 * Return: bytes read, or a negative errno.
 */
ssize_t p9x_read_fill(struct p9x_fid *fid, u64 offset, struct iov_iter *to)
{
	return p9x_read_common(fid, offset, to, true);
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
	req = p9x_call_new(c, P9X_RREADDIR, count + P9X_RIOHDR_SIZE);
	if (IS_ERR(req))
		return req;
	err = p9x_call(req, p9x_enc_treaddir(&req->wb, req->tag, fid->fid,
					     offset, count));
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

	req = p9x_call_new(c, P9X_RREADLINK, P9X_RC_PATH);
	if (IS_ERR(req))
		return ERR_CAST(req);
	err = p9x_call(req, p9x_enc_treadlink(&req->wb, req->tag, fid->fid));
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

	req = p9x_call_new(c, P9X_RSTATFS, P9X_RC_SMALL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_call(req, p9x_enc_tstatfs(&req->wb, req->tag, fid->fid));
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
	ssize_t total = 0, done;
	int err = 0;

	while (iov_iter_count(from)) {
		struct p9x_req *req;
		u32 sent;

		req = p9x_write_start(fid, offset, from, NULL, NULL);
		if (IS_ERR(req)) {
			err = PTR_ERR(req);
			break;
		}
		done = p9x_io_wait(req);
		sent = req->data_len;
		p9x_req_put(req);
		if (done < 0) {
			iov_iter_revert(from, sent);
			err = done;
			break;
		}
		/* Give back what the server did not take. */
		iov_iter_revert(from, sent - done);
		total += done;
		offset += done;
		if (done < sent)
			break;
	}
	return total ? total : err;
}

/* Calls whose reply has no body; @enc as for p9x_call(). */
static int p9x_call_empty(struct p9x_req *req, int enc)
{
	int err;

	err = p9x_call(req, enc);
	if (!err && p9x_dec_rempty(req->rc, req->rc_len, req->rtype))
		err = p9x_bad_reply(req->c, req);
	p9x_req_put(req);
	return err;
}

/* Calls whose reply is one qid: Rmkdir, Rmknod, Rsymlink. */
static int p9x_call_qid(struct p9x_req *req, int enc, struct p9x_qid *qid)
{
	struct p9x_client *c = req->c;
	int err;

	err = p9x_call(req, enc);
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
	struct p9x_req *req = p9x_call_new(dfid->c, P9X_RMKDIR, P9X_RC_SMALL);

	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_qid(req, p9x_enc_tmkdir(&req->wb, req->tag, dfid->fid,
						name, mode, gid), qid);
}

int p9x_mknod(struct p9x_fid *dfid, const char *name, u32 mode, u32 major,
	      u32 minor, u32 gid, struct p9x_qid *qid)
{
	struct p9x_req *req = p9x_call_new(dfid->c, P9X_RMKNOD, P9X_RC_SMALL);

	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_qid(req, p9x_enc_tmknod(&req->wb, req->tag, dfid->fid,
						name, mode, major, minor, gid),
			    qid);
}

int p9x_symlink(struct p9x_fid *dfid, const char *name, const char *target,
		u32 gid, struct p9x_qid *qid)
{
	struct p9x_req *req;
	struct p9x_wbuf m;

	/* The target may be as long as a path: measure the message first. */
	p9x_wbuf_init(&m, NULL, 0);
	p9x_enc_tsymlink(&m, 0, dfid->fid, name, target, gid);
	req = p9x_req_new(dfid->c, P9X_RSYMLINK, m.len, P9X_RC_SMALL, false);
	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_qid(req, p9x_enc_tsymlink(&req->wb, req->tag,
						  dfid->fid, name, target,
						  gid), qid);
}

int p9x_link(struct p9x_fid *dfid, struct p9x_fid *fid, const char *name)
{
	struct p9x_req *req = p9x_call_new(dfid->c, P9X_RLINK, P9X_RC_SMALL);

	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_empty(req, p9x_enc_tlink(&req->wb, req->tag, dfid->fid,
						 fid->fid, name));
}

int p9x_unlinkat(struct p9x_fid *dfid, const char *name, u32 flags)
{
	struct p9x_req *req;

	req = p9x_call_new(dfid->c, P9X_RUNLINKAT, P9X_RC_SMALL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_empty(req, p9x_enc_tunlinkat(&req->wb, req->tag,
						     dfid->fid, name, flags));
}

int p9x_renameat(struct p9x_fid *olddfid, const char *oldname,
		 struct p9x_fid *newdfid, const char *newname)
{
	struct p9x_req *req;

	req = p9x_call_new(olddfid->c, P9X_RRENAMEAT, P9X_RC_SMALL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_empty(req, p9x_enc_trenameat(&req->wb, req->tag,
						     olddfid->fid, oldname,
						     newdfid->fid, newname));
}

int p9x_rename(struct p9x_fid *fid, struct p9x_fid *dfid, const char *name)
{
	struct p9x_req *req = p9x_call_new(fid->c, P9X_RRENAME, P9X_RC_SMALL);

	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_empty(req, p9x_enc_trename(&req->wb, req->tag, fid->fid,
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
	struct p9x_req *req;
	int err;

	req = p9x_call_new(c, P9X_RREMOVE, P9X_RC_SMALL);
	if (IS_ERR(req)) {
		p9x_fid_put(fid);
		return PTR_ERR(req);
	}
	req->fid = fid;
	err = p9x_call(req, p9x_enc_tremove(&req->wb, req->tag, fid->fid));
	if (p9x_req_abandoned(req)) {
		/* The flush's completion clunks the fid if Tremove did not. */
		p9x_req_put(req);
		return err;
	}
	if (!err && p9x_dec_rempty(req->rc, req->rc_len, P9X_RREMOVE))
		err = p9x_bad_reply(c, req);
	fid->live = p9x_req_holds_fid(req);
	p9x_req_put(req);
	p9x_fid_put(fid);
	return err;
}

int p9x_setattr(struct p9x_fid *fid, const struct p9x_iattr *ia)
{
	struct p9x_req *req = p9x_call_new(fid->c, P9X_RSETATTR, P9X_RC_SMALL);

	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_empty(req, p9x_enc_tsetattr(&req->wb, req->tag,
						    fid->fid, ia));
}

int p9x_fsync(struct p9x_fid *fid, bool datasync)
{
	struct p9x_req *req = p9x_call_new(fid->c, P9X_RFSYNC, P9X_RC_SMALL);

	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_empty(req, p9x_enc_tfsync(&req->wb, req->tag, fid->fid,
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
	req = p9x_call_new(c, P9X_RXATTRWALK, P9X_RC_SMALL);
	if (IS_ERR(req)) {
		err = PTR_ERR(req);
		goto out_fid;
	}
	req->fid = xfid;
	err = p9x_call(req, p9x_enc_txattrwalk(&req->wb, req->tag, fid->fid,
					       xfid->fid, name));
	if (p9x_req_abandoned(req)) {
		/* The flush's completion clunks xfid if the server bound it. */
		p9x_req_put(req);
		return ERR_PTR(err);
	}
	if (!err && p9x_dec_rxattrwalk(req->rc, req->rc_len, size))
		err = p9x_bad_reply(c, req);
	/* As in p9x_walk(): the new fid may be bound after all. */
	if (err && req->tc_len && !req->rlerror)
		xfid->live = true;
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
	struct p9x_req *req;

	req = p9x_call_new(fid->c, P9X_RXATTRCREATE, P9X_RC_SMALL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	return p9x_call_empty(req, p9x_enc_txattrcreate(&req->wb, req->tag,
							fid->fid, name, size,
							flags));
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

	req = p9x_call_new(c, P9X_RCLUNK, P9X_RC_SMALL);
	if (IS_ERR(req)) {
		p9x_fid_put(fid);
		return PTR_ERR(req);
	}
	err = p9x_call_wait(req, p9x_enc_tclunk(&req->wb, req->tag, fid->fid));
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

	req = p9x_call_new(c, P9X_RLOCK, P9X_RC_SMALL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_call(req, p9x_enc_tlock(&req->wb, req->tag, fid->fid, lk));
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

	req = p9x_call_new(c, P9X_RGETLOCK, P9X_RC_SMALL);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_call(req, p9x_enc_tgetlock(&req->wb, req->tag, fid->fid,
					     gl));
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
	struct p9x_req *req;
	struct p9x_str ver;
	u32 msize;
	int err;

	req = p9x_req_new(c, P9X_RVERSION, P9X_TC_SMALL, P9X_RC_SMALL, true);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = p9x_call(req, p9x_enc_tversion(&req->wb, P9X_NOTAG, c->msize,
					     version));
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

	c = kzalloc_obj(*c, GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->name = kstrdup(addr, GFP_KERNEL);
	if (!c->name) {
		kfree(c);
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&c->ref, 1);
	spin_lock_init(&c->lock);
	init_waitqueue_head(&c->clunks_wq);
	xa_init_flags(&c->tags, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_IRQ);
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
	xa_destroy(&c->tags);
	ida_destroy(&c->fids);
	kvfree(c->spare_rc);
	kfree(c->name);
	kfree(c);
}

static bool p9x_client_cancelling(struct p9x_client *c)
{
	bool busy;

	spin_lock_irq(&c->lock);
	busy = c->cancelling;
	spin_unlock_irq(&c->lock);
	return busy;
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
	/* Let the last clunks reach a live server; a silent one is not waited for. */
	wait_event_timeout(c->clunks_wq,
			   !atomic_read(&c->clunks) || READ_ONCE(c->lost),
			   P9X_CLUNK_WAIT);
	spin_lock_irq(&c->lock);
	c->closing = true;
	spin_unlock_irq(&c->lock);
	/* No ->cancelled runs once ->close has begun. */
	wait_event(c->clunks_wq, !p9x_client_cancelling(c));
	c->ops->close(c);
	p9x_client_put(c);
}
