// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the 9plx client core (fs/9p/client.c).
 *
 * The client talks to a fake transport whose server is the test itself.
 * The transport holds every request it is given, as trans_fd does, in a
 * table looked up by tag.  It answers Tversion, Tattach and Twalk (every
 * name found) at once unless told not to, and Tclunk likewise; it notes
 * the fid of every Tclunk.  Every other request waits until the
 * case answers it, answers it twice, answers it with a tag nobody holds,
 * flushes it, or drops the whole connection.  Calls that block run in a
 * kthread of their own, which a case can SIGKILL.
 *
 * Each case checks what the caller sees and then that nothing is left: no
 * request held by the transport or in the tag table, no reference on the
 * session beyond its owner's and the root fid's.  The exit of each case
 * destroys the session, the request cache and the completion workqueue;
 * a request still allocated then is counted by SLUB (the "slab_errors"
 * KUnit resource) and fails the case.  KASAN reports any use after free.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bvec.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/unaligned.h>

#include "client.h"
#include "transport.h"

#define FK_SLOTS	24
#define FK_MSIZE	8192
/* How long a case waits for something that must happen. */
#define FK_WAIT		(5 * HZ)
/* Room for any reply a case builds. */
#define FK_MSG_CAP	256
/* A zero-copy Tread: at least the client's threshold for it. */
#define FK_READ_LEN	2048
/* Tclunks a case can look back on. */
#define FK_CLUNKS	64

/**
 * struct fk - the fake transport and its server
 * @test: the case
 * @c: the session
 * @root: fid of the attach, put by the exit
 * @lock: protects @held, @rflushed, @nflushed, @dead, @closing, @cancels
 *	and @bad_cancels
 * @held: requests the transport holds a reference on
 * @rflushed: old tags whose Tflush the server answered with Rflush
 * @nflushed: entries in @rflushed
 * @wq: woken when a request arrives
 * @dead: the connection is gone; requests are refused
 * @closing: the client called close
 * @hold_clunk: leave Tclunk for the case to answer
 * @hold_new: leave Tattach and Twalk for the case to answer
 * @clunked: the fid of each Tclunk sent, in order
 * @clunk_rflushed: @nflushed when each of them was sent
 * @nclunked: entries in @clunked
 * @nsent: requests the transport took
 * @nwalkgetattr: Twalkgetattrs among them
 * @stale: replies that found no request with their tag
 * @cancels: requests completed through ->cancelled
 * @bad_cancels: ->cancelled calls transport.h does not allow: for a
 *	request whose Tflush the server did not answer, or during close
 * @lost: requests completed with p9x_req_lost()
 * @overflow: a request found no free slot, or a reply did not fit
 * @loaded: p9x_client_module_init() succeeded
 * @slab_errors: SLUB's count of objects left in a destroyed cache
 * @slab_res: the named resource SLUB counts through
 */
struct fk {
	struct kunit *test;
	struct p9x_client *c;
	struct p9x_fid *root;
	spinlock_t lock;	/* see above */
	struct p9x_req *held[FK_SLOTS];
	u16 rflushed[FK_SLOTS];
	unsigned int nflushed;
	wait_queue_head_t wq;
	bool dead;
	bool closing;
	bool hold_clunk;
	bool hold_new;
	u32 clunked[FK_CLUNKS];
	unsigned int clunk_rflushed[FK_CLUNKS];
	unsigned int nclunked;
	unsigned int nsent;
	unsigned int nwalkgetattr;
	unsigned int stale;
	unsigned int cancels;
	unsigned int bad_cancels;
	unsigned int lost;
	bool overflow;
	bool loaded;
	int slab_errors;
	struct kunit_resource slab_res;
};

/* The transport's open finds its state here; cases run one at a time. */
static struct fk *fk_current;

/* A reply under construction, little endian as on the wire. */
struct fk_msg {
	u8 b[FK_MSG_CAP];
	u32 len;
};

static void fk_put(struct fk_msg *m, u64 v, unsigned int bytes)
{
	for (; bytes && m->len < FK_MSG_CAP; bytes--, v >>= 8)
		m->b[m->len++] = v & 0xff;
}

static void fk_begin(struct fk_msg *m, u8 type, u16 tag)
{
	m->len = 4;
	fk_put(m, type, 1);
	fk_put(m, tag, 2);
}

static const struct fk_msg *fk_end(struct fk_msg *m)
{
	put_unaligned_le32(m->len, m->b);
	return m;
}

static const struct fk_msg *fk_rempty(struct fk_msg *m, u8 type, u16 tag)
{
	fk_begin(m, type, tag);
	return fk_end(m);
}

static const struct fk_msg *fk_rlerror(struct fk_msg *m, u16 tag, u32 ecode)
{
	fk_begin(m, P9X_RLERROR, tag);
	fk_put(m, ecode, 4);
	return fk_end(m);
}

/* Rstatfs with a block size and name length to recognise. */
static const struct fk_msg *fk_rstatfs(struct fk_msg *m, u16 tag, u32 bsize,
				       u32 namelen)
{
	fk_begin(m, P9X_RSTATFS, tag);
	fk_put(m, 0x01021994, 4);
	fk_put(m, bsize, 4);
	fk_put(m, 1000, 8);
	fk_put(m, 500, 8);
	fk_put(m, 400, 8);
	fk_put(m, 300, 8);
	fk_put(m, 200, 8);
	fk_put(m, 0xfeed, 8);
	fk_put(m, namelen, 4);
	return fk_end(m);
}

/* Rread of @count bytes, each @fill. */
static const struct fk_msg *fk_rread(struct fk_msg *m, u16 tag, u32 count,
				     u8 fill)
{
	fk_begin(m, P9X_RREAD, tag);
	fk_put(m, count, 4);
	for (; count; count--)
		fk_put(m, fill, 1);
	return fk_end(m);
}

/* A file qid as the fake server hands them out: dev 0x805, @path. */
static void fk_put_qid(struct fk_msg *m, u64 path)
{
	fk_put(m, 0, 1);		/* type: a file */
	fk_put(m, 7, 4);		/* version */
	fk_put(m, path, 8);
	fk_put(m, 0x805, 8);		/* dev */
}

/* The attributes of a regular file whose qid has @path. */
static void fk_put_attr(struct fk_msg *m, u64 path, u64 size)
{
	unsigned int i;

	fk_put(m, P9X_GETATTR_IDENT, 8);
	fk_put_qid(m, path);
	fk_put(m, S_IFREG | 0640, 4);
	fk_put(m, 1000, 4);		/* uid */
	fk_put(m, 1000, 4);		/* gid */
	fk_put(m, 1, 8);		/* nlink */
	fk_put(m, 0, 8);		/* rdev */
	fk_put(m, size, 8);
	for (i = 0; i < 12; i++)	/* blksize .. data_version */
		fk_put(m, i + 1, 8);
}

/*
 * Rwalkgetattr with @nwqid qids (paths 100, 101, ...) and, if @attrs, the
 * attributes of a @size byte file with the last of them.  @cut drops that
 * many bytes off the end.
 */
static const struct fk_msg *fk_rwalkgetattr(struct fk_msg *m, u16 tag,
					    u16 nwqid, bool attrs, u64 size,
					    unsigned int cut)
{
	unsigned int i;

	fk_begin(m, P9X_RWALKGETATTR, tag);
	fk_put(m, nwqid, 2);
	for (i = 0; i < nwqid; i++)
		fk_put_qid(m, 100 + i);
	if (attrs)
		fk_put_attr(m, 100 + nwqid - 1, size);
	m->len -= min(cut, m->len - P9X_HDR_SIZE);
	return fk_end(m);
}

static const struct fk_msg *fk_rgetattr(struct fk_msg *m, u16 tag, u64 path,
					u64 size)
{
	fk_begin(m, P9X_RGETATTR, tag);
	fk_put_attr(m, path, size);
	return fk_end(m);
}

static u8 fk_ttype(const struct p9x_req *req)
{
	return ((const u8 *)req->tc)[4];
}

/* The T-message's first field after the header (Tflush: oldtag). */
static u16 fk_targ16(const struct p9x_req *req)
{
	return get_unaligned_le16((const u8 *)req->tc + P9X_HDR_SIZE);
}

/* The 32-bit field @off bytes after the T-message's header. */
static u32 fk_targ32(const struct p9x_req *req, unsigned int off)
{
	return get_unaligned_le32((const u8 *)req->tc + P9X_HDR_SIZE + off);
}

/* Take the held request with @tag out of the table, or NULL. */
static struct p9x_req *fk_unhold_tag(struct fk *fk, u16 tag)
{
	struct p9x_req *req = NULL;
	unsigned int i;

	spin_lock(&fk->lock);
	for (i = 0; i < FK_SLOTS; i++) {
		if (fk->held[i] && fk->held[i]->tag == tag) {
			req = fk->held[i];
			fk->held[i] = NULL;
			break;
		}
	}
	spin_unlock(&fk->lock);
	return req;
}

/*
 * Place the reply @m in @req as a transport does.  A zero-copy Tread gets
 * its framing in req->rc and the payload in req->data.
 */
static bool fk_fill(struct p9x_req *req, const struct fk_msg *m)
{
	struct iov_iter dst;
	u32 head = m->len;

	if (req->zc && m->b[4] == P9X_RREAD) {
		head = P9X_RIOHDR_SIZE;
		dst = req->data;
		if (copy_to_iter(m->b + head, m->len - head, &dst) !=
		    m->len - head)
			return false;
	}
	if (head > req->rc_cap)
		return false;
	memcpy(req->rc, m->b, head);
	return true;
}

/*
 * The server sends @m.  Like trans_fd, the transport finds the request by
 * the reply's tag; a reply nobody waits for is counted and dropped.
 * Returns whether a request took it.
 */
static bool fk_reply(struct fk *fk, const struct fk_msg *m)
{
	u16 tag = get_unaligned_le16(m->b + 5);
	struct p9x_req *req;

	req = fk_unhold_tag(fk, tag);
	if (!req) {
		fk->stale++;
		return false;
	}
	if (m->b[4] == P9X_RFLUSH && fk_ttype(req) == P9X_TFLUSH) {
		spin_lock(&fk->lock);
		if (fk->nflushed < FK_SLOTS)
			fk->rflushed[fk->nflushed++] = fk_targ16(req);
		spin_unlock(&fk->lock);
	}
	if (!fk_fill(req, m)) {
		fk->overflow = true;
		p9x_req_lost(req);
	} else {
		p9x_req_done(req, m->len);
	}
	p9x_req_put(req);
	return true;
}

/*
 * Complete everything held as lost, newest first, giving the client's
 * completion work a chance to run between two: a transport may take its
 * time over each.
 */
static void fk_lose_held(struct fk *fk)
{
	struct p9x_req *gone[FK_SLOTS];
	unsigned int i, n = 0;

	spin_lock(&fk->lock);
	for (i = FK_SLOTS; i-- > 0;) {
		if (fk->held[i])
			gone[n++] = fk->held[i];
		fk->held[i] = NULL;
	}
	spin_unlock(&fk->lock);
	for (i = 0; i < n; i++) {
		if (i)
			msleep(20);
		p9x_req_lost(gone[i]);
		p9x_req_put(gone[i]);
		fk->lost++;
	}
}

/* The server goes away for good, as a transport sees a hangup. */
static void fk_drop(struct fk *fk)
{
	spin_lock(&fk->lock);
	fk->dead = true;
	spin_unlock(&fk->lock);
	p9x_client_lost(fk->c);
	fk_lose_held(fk);
}

static void fk_answer_now(struct fk *fk, struct p9x_req *req)
{
	struct fk_msg m;

	switch (fk_ttype(req)) {
	case P9X_TVERSION:
		fk_begin(&m, P9X_RVERSION, req->tag);
		fk_put(&m, FK_MSIZE, 4);
		fk_put(&m, strlen(P9X_VERSION_LX), 2);
		memcpy(m.b + m.len, P9X_VERSION_LX, strlen(P9X_VERSION_LX));
		m.len += strlen(P9X_VERSION_LX);
		break;
	case P9X_TATTACH:
		fk_begin(&m, P9X_RATTACH, req->tag);
		fk_put(&m, P9X_QTDIR, 1);
		fk_put(&m, 0, 4);
		fk_put(&m, 2, 8);
		fk_put(&m, 0x803, 8);
		break;
	case P9X_TWALK: {
		/* Twalk: fid[4] newfid[4] nwname[2] ... */
		u16 n = get_unaligned_le16((const u8 *)req->tc +
					   P9X_HDR_SIZE + 8);
		u16 i;

		fk_begin(&m, P9X_RWALK, req->tag);
		fk_put(&m, n, 2);
		for (i = 0; i < n; i++)
			fk_put_qid(&m, 100 + i);
		break;
	}
	default:
		fk_begin(&m, P9X_RCLUNK, req->tag);
		break;
	}
	fk_reply(fk, fk_end(&m));
}

static int fk_open(struct p9x_client *c, const char *addr,
		   const struct p9x_trans_args *args)
{
	fk_current->c = c;
	c->trans = fk_current;
	return 0;
}

/*
 * Like trans_fd, stop the connection's own work first (which sleeps),
 * then hand back what is still held.
 */
static void fk_close(struct p9x_client *c)
{
	struct fk *fk = c->trans;

	spin_lock(&fk->lock);
	fk->closing = true;
	spin_unlock(&fk->lock);
	msleep(20);
	fk_lose_held(fk);
}

static int fk_request(struct p9x_client *c, struct p9x_req *req)
{
	struct fk *fk = c->trans;
	unsigned int i;
	u8 type = fk_ttype(req);

	spin_lock(&fk->lock);
	if (fk->dead) {
		spin_unlock(&fk->lock);
		return -EIO;
	}
	i = 0;
	while (i < FK_SLOTS && fk->held[i])
		i++;
	if (i == FK_SLOTS) {
		fk->overflow = true;
		spin_unlock(&fk->lock);
		return -ENOSPC;
	}
	refcount_inc(&req->ref);
	fk->held[i] = req;
	fk->nsent++;
	fk->nwalkgetattr += type == P9X_TWALKGETATTR;
	if (type == P9X_TCLUNK && fk->nclunked < FK_CLUNKS) {
		fk->clunked[fk->nclunked] = fk_targ32(req, 0);
		fk->clunk_rflushed[fk->nclunked++] = fk->nflushed;
	}
	spin_unlock(&fk->lock);
	wake_up(&fk->wq);

	if (type == P9X_TVERSION ||
	    ((type == P9X_TATTACH || type == P9X_TWALK) && !fk->hold_new) ||
	    (type == P9X_TCLUNK && !fk->hold_clunk))
		fk_answer_now(fk, req);
	return 0;
}

static void fk_cancelled(struct p9x_client *c, struct p9x_req *req)
{
	struct fk *fk = c->trans;
	bool flushed = false;
	unsigned int i;

	spin_lock(&fk->lock);
	for (i = 0; i < fk->nflushed; i++)
		flushed |= fk->rflushed[i] == req->tag;
	if (!flushed || fk->closing)
		fk->bad_cancels++;
	i = 0;
	while (i < FK_SLOTS && fk->held[i] != req)
		i++;
	if (i < FK_SLOTS) {
		fk->held[i] = NULL;
		fk->cancels++;
	}
	spin_unlock(&fk->lock);
	if (i == FK_SLOTS)
		return;
	p9x_req_done(req, 0);
	p9x_req_put(req);
}

static void fk_abort(struct p9x_client *c)
{
	fk_drop(c->trans);
}

static const struct p9x_trans_ops fk_ops = {
	.name = "fake",
	.maxsize = FK_MSIZE,
	.zc = true,
	.open = fk_open,
	.close = fk_close,
	.request = fk_request,
	.cancelled = fk_cancelled,
	.abort = fk_abort,
};

static unsigned int fk_nheld(struct fk *fk)
{
	unsigned int i, n = 0;

	spin_lock(&fk->lock);
	for (i = 0; i < FK_SLOTS; i++)
		n += !!fk->held[i];
	spin_unlock(&fk->lock);
	return n;
}

/*
 * Whether a held request is a T-message of @type; if so its tag goes to
 * @tag and, for a Tflush, the tag it flushes to @oldtag.
 */
static bool fk_find_sent(struct fk *fk, u8 type, u16 *tag, u16 *oldtag)
{
	struct p9x_req *req;
	bool found = false;
	unsigned int i;

	spin_lock(&fk->lock);
	for (i = 0; i < FK_SLOTS && !found; i++) {
		req = fk->held[i];
		found = req && fk_ttype(req) == type;
	}
	if (found) {
		*tag = req->tag;
		if (oldtag)
			*oldtag = fk_targ16(req);
	}
	spin_unlock(&fk->lock);
	return found;
}

/* Wait for fk_find_sent() to find one; fails the case if none comes. */
static void fk_wait_sent(struct fk *fk, u8 type, u16 *tag, u16 *oldtag)
{
	long left;

	left = wait_event_timeout(fk->wq, fk_find_sent(fk, type, tag, oldtag),
				  FK_WAIT);
	KUNIT_ASSERT_GT_MSG(fk->test, left, 0,
			    "no T-message of type %u reached the transport",
			    type);
}

static bool fk_tags_empty(struct p9x_client *c)
{
	return xa_empty(&c->tags);
}

/* References on the session when nothing is in flight: owner, root fid. */
#define FK_IDLE_REFS	2

static bool fk_idle(struct fk *fk)
{
	return !fk_nheld(fk) && fk_tags_empty(fk->c) &&
	       refcount_read(&fk->c->ref) == FK_IDLE_REFS &&
	       !atomic_read(&fk->c->clunks);
}

/*
 * Nothing left behind: wait for background completions to run, then
 * check every count that says a request or a fid is still alive.
 */
static void fk_expect_idle(struct fk *fk)
{
	struct kunit *test = fk->test;
	unsigned long end = jiffies + FK_WAIT;

	while (!fk_idle(fk) && time_before(jiffies, end))
		msleep(20);
	KUNIT_EXPECT_EQ(test, fk_nheld(fk), 0);
	KUNIT_EXPECT_TRUE(test, fk_tags_empty(fk->c));
	KUNIT_EXPECT_EQ(test, refcount_read(&fk->c->ref), FK_IDLE_REFS);
	KUNIT_EXPECT_EQ(test, atomic_read(&fk->c->clunks), 0);
	KUNIT_EXPECT_EQ(test, fk->bad_cancels, 0);
	KUNIT_EXPECT_FALSE(test, fk->overflow);
}

/* ---- calls that block, each in a kthread a case may kill ------------- */

enum fk_op {
	FK_FSYNC,
	FK_STATFS,
	FK_READ,	/* zero copy into @page */
	FK_READ_FILL,	/* the same with p9x_read_fill() */
	FK_PUT,		/* the last reference on @fid */
	FK_PUT_KILLED,	/* the same, with SIGKILL already pending */
	FK_WALK_GETATTR, /* p9x_walk_getattr() of "f" from @fid */
	FK_WALK,	/* p9x_walk() of "f" from @fid */
	FK_ATTACH,	/* p9x_attach() */
	FK_XATTRWALK,	/* p9x_xattrwalk() of "user.f" on @fid */
};

/**
 * struct fk_call - one blocking client call
 * @fk: the fake
 * @op: which call
 * @fid: on which fid
 * @page: FK_READ's destination
 * @st: FK_STATFS's result
 * @nfid: the new fid of FK_WALK_GETATTR, FK_WALK, FK_ATTACH or
 *	FK_XATTRWALK, for the case to put
 * @attr: and its attributes
 * @ret: what the call returned
 * @done: completed when it has
 * @task: the thread making the call
 */
struct fk_call {
	struct fk *fk;
	enum fk_op op;
	struct p9x_fid *fid;
	struct page *page;
	struct p9x_statfs st;
	struct p9x_fid *nfid;
	struct p9x_attr attr;
	long ret;
	struct completion done;
	struct task_struct *task;
};

static long fk_call_read(struct fk_call *call)
{
	struct bio_vec bv;
	struct iov_iter it;

	bvec_set_page(&bv, call->page, FK_READ_LEN, 0);
	iov_iter_bvec(&it, ITER_DEST, &bv, 1, FK_READ_LEN);
	if (call->op == FK_READ_FILL)
		return p9x_read_fill(call->fid, 0, &it);
	return p9x_read(call->fid, 0, &it);
}

static const char *const fk_name = "f";

static int fk_call_thread(void *arg)
{
	struct fk_call *call = arg;

	allow_signal(SIGKILL);
	switch (call->op) {
	case FK_FSYNC:
		call->ret = p9x_fsync(call->fid, false);
		break;
	case FK_STATFS:
		call->ret = p9x_statfs(call->fid, &call->st);
		break;
	case FK_READ:
	case FK_READ_FILL:
		call->ret = fk_call_read(call);
		break;
	case FK_PUT_KILLED:
		send_sig(SIGKILL, current, 1);
		fallthrough;
	case FK_PUT:
		p9x_fid_put(call->fid);
		call->ret = 0;
		break;
	case FK_WALK_GETATTR:
		call->nfid = p9x_walk_getattr(call->fid, 1, &fk_name,
					      P9X_GETATTR_IDENT, &call->attr);
		break;
	case FK_WALK:
		call->nfid = p9x_walk(call->fid, 1, &fk_name);
		break;
	case FK_ATTACH:
		call->nfid = p9x_attach(call->fk->c, "", "", P9X_NONUNAME,
					GLOBAL_ROOT_UID);
		break;
	case FK_XATTRWALK: {
		u64 size;

		call->nfid = p9x_xattrwalk(call->fid, "user.f", &size);
		break;
	}
	}
	if (call->nfid)
		call->ret = PTR_ERR_OR_ZERO(call->nfid);
	complete(&call->done);
	return 0;
}

static struct fk_call *fk_call_start(struct fk *fk, enum fk_op op,
				     struct p9x_fid *fid)
{
	struct kunit *test = fk->test;
	struct fk_call *call;

	call = kunit_kzalloc(test, sizeof(*call), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, call);
	call->fk = fk;
	call->op = op;
	call->fid = fid;
	init_completion(&call->done);
	if (op == FK_READ || op == FK_READ_FILL) {
		call->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, call->page);
	}
	call->task = kthread_run(fk_call_thread, call, "9plx-fk-call");
	KUNIT_ASSERT_FALSE(test, IS_ERR(call->task));
	get_task_struct(call->task);
	return call;
}

/*
 * Wait for @call to return and reap its thread.  A call that does not
 * return fails the case; dropping the connection then frees it.
 */
static long fk_call_end(struct fk_call *call)
{
	struct fk *fk = call->fk;

	if (!wait_for_completion_timeout(&call->done, FK_WAIT)) {
		KUNIT_FAIL(fk->test, "the call did not return");
		fk_drop(fk);
		KUNIT_ASSERT_GT(fk->test,
				wait_for_completion_timeout(&call->done,
							    FK_WAIT), 0);
	}
	kthread_stop(call->task);
	put_task_struct(call->task);
	return call->ret;
}

/* Whether @call's destination holds @n bytes of @fill, then zeros. */
static bool fk_page_is(struct fk_call *call, u32 n, u8 fill)
{
	const u8 *p = page_address(call->page);
	u32 i;

	for (i = 0; i < FK_READ_LEN; i++)
		if (p[i] != (i < n ? fill : 0))
			return false;
	return true;
}

static void fk_call_free(struct fk_call *call)
{
	if (call->page)
		__free_page(call->page);
}

/* Start @op on the root fid and wait for its T-message of @type. */
static struct fk_call *fk_start_sent(struct fk *fk, enum fk_op op, u8 type,
				     u16 *tag)
{
	struct fk_call *call = fk_call_start(fk, op, fk->root);

	fk_wait_sent(fk, type, tag, NULL);
	return call;
}

/*
 * Start @op on the root fid, wait for its T-message of @type, SIGKILL the
 * caller and wait for the Tflush that follows, which must name the call's
 * tag.  @tag and @ftag get the call's tag and the flush's.
 */
static struct fk_call *fk_start_killed(struct fk *fk, enum fk_op op, u8 type,
				       u16 *tag, u16 *ftag)
{
	struct fk_call *call;
	u16 old;

	call = fk_start_sent(fk, op, type, tag);
	send_sig(SIGKILL, call->task, 1);
	fk_wait_sent(fk, P9X_TFLUSH, ftag, &old);
	KUNIT_EXPECT_EQ(fk->test, old, *tag);
	return call;
}

/* ---- per-case setup --------------------------------------------------- */

static int fk_init(struct kunit *test)
{
	struct p9x_client_opts o = {
		.ops = &fk_ops,
		.msize = FK_MSIZE,
		.want_lx = true,
	};
	struct fk *fk;

	fk = kunit_kzalloc(test, sizeof(*fk), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fk);
	fk->test = test;
	spin_lock_init(&fk->lock);
	init_waitqueue_head(&fk->wq);
	test->priv = fk;
	/* SLUB counts objects left in a destroyed cache here, not in dmesg. */
	kunit_add_named_resource(test, NULL, NULL, &fk->slab_res,
				 "slab_errors", &fk->slab_errors);
	KUNIT_ASSERT_EQ(test, p9x_client_module_init(), 0);
	fk->loaded = true;

	fk_current = fk;
	fk->c = p9x_client_create("fake", &o);
	if (IS_ERR(fk->c)) {
		KUNIT_FAIL(test, "p9x_client_create: %ld", PTR_ERR(fk->c));
		fk->c = NULL;
		return 0;
	}
	KUNIT_EXPECT_EQ(test, fk->c->dialect, P9X_DIALECT_LX);
	KUNIT_EXPECT_EQ(test, fk->c->msize, FK_MSIZE);
	fk->root = p9x_attach(fk->c, "", "", P9X_NONUNAME, GLOBAL_ROOT_UID);
	if (IS_ERR(fk->root)) {
		KUNIT_FAIL(test, "p9x_attach: %ld", PTR_ERR(fk->root));
		fk->root = NULL;
	}
	return 0;
}

/* Close the session as umount does and check that nothing is left. */
static void fk_exit(struct kunit *test)
{
	struct fk *fk = test->priv;

	if (!fk || !fk->loaded)
		return;
	fk->hold_clunk = false;
	p9x_fid_put(fk->root);
	if (fk->c)
		p9x_client_destroy(fk->c);
	/* Drains the completion work, then frees the request cache. */
	p9x_client_module_exit();
	fk_current = NULL;
	KUNIT_EXPECT_EQ_MSG(test, fk->slab_errors, 0,
			    "requests were still allocated at the end");
}

/* ---- cases ------------------------------------------------------------ */

/* A call answered in turn gets the server's answer, data or errno. */
static void client_round_trip(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct fk_call *call;
	struct fk_msg m;
	u16 tag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	call = fk_start_sent(fk, FK_STATFS, P9X_TSTATFS, &tag);
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rstatfs(&m, tag, 4096, 255)));
	KUNIT_EXPECT_EQ(test, fk_call_end(call), 0);
	KUNIT_EXPECT_EQ(test, call->st.block_size, 4096);
	KUNIT_EXPECT_EQ(test, call->st.max_name_len, 255);

	call = fk_start_sent(fk, FK_FSYNC, P9X_TFSYNC, &tag);
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rlerror(&m, tag, ENOSPC)));
	KUNIT_EXPECT_EQ(test, fk_call_end(call), -ENOSPC);
	KUNIT_EXPECT_EQ(test, fk->stale, 0);
	fk_expect_idle(fk);
}

/*
 * A reply repeated after the call finished, and a reply with a tag no
 * request ever had, find nothing: the first answer stands, the request is
 * gone (KASAN would see the transport touch it), and its tag is free.
 */
static void client_duplicate_and_unknown_reply(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct fk_call *call;
	struct fk_msg m;
	u16 tag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	call = fk_start_sent(fk, FK_FSYNC, P9X_TFSYNC, &tag);
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rempty(&m, P9X_RFSYNC, tag)));
	KUNIT_EXPECT_FALSE(test, fk_reply(fk, fk_rlerror(&m, tag, EIO)));
	KUNIT_EXPECT_EQ(test, fk_call_end(call), 0);
	tag += 100;
	KUNIT_EXPECT_FALSE(test, fk_reply(fk, fk_rempty(&m, P9X_RFSYNC, tag)));
	KUNIT_EXPECT_EQ(test, fk->stale, 2);
	fk_expect_idle(fk);
}

/*
 * A finished call's tag is the next call's: the tag table hands out the
 * lowest free number.  A stray reply of the old call's type that reaches
 * the new call is refused as malformed, never decoded as the new call's
 * answer.
 */
static void client_tag_reuse(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct fk_call *call;
	struct fk_msg m;
	u16 tag, again;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	call = fk_start_sent(fk, FK_FSYNC, P9X_TFSYNC, &tag);
	fk_reply(fk, fk_rempty(&m, P9X_RFSYNC, tag));
	KUNIT_EXPECT_EQ(test, fk_call_end(call), 0);

	call = fk_start_sent(fk, FK_STATFS, P9X_TSTATFS, &again);
	KUNIT_EXPECT_EQ(test, again, tag);
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rempty(&m, P9X_RFSYNC, tag)));
	KUNIT_EXPECT_EQ(test, fk_call_end(call), -EIO);
	fk_expect_idle(fk);
}

/*
 * SIGKILL while waiting for Tfsync: the call returns -EINTR at once,
 * without waiting for the server, and a Tflush for its tag goes out.
 * Until the server has answered that, neither tag is handed out again.
 * If the server answers the call before Rflush (@reply_first), the request
 * lives on until Rflush and no ->cancelled is needed; if it answers only
 * Tflush, the transport is told to let the request go, and a reply that
 * comes after Rflush anyway finds nothing.
 */
static void fk_killed_call(struct kunit *test, bool reply_first)
{
	struct fk *fk = test->priv;
	struct fk_call *call, *next;
	u16 tag, ftag, ntag;
	struct fk_msg m;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	call = fk_start_killed(fk, FK_FSYNC, P9X_TFSYNC, &tag, &ftag);
	KUNIT_EXPECT_EQ(test, fk_call_end(call), -EINTR);

	next = fk_start_sent(fk, FK_STATFS, P9X_TSTATFS, &ntag);
	KUNIT_EXPECT_NE(test, ntag, tag);
	KUNIT_EXPECT_NE(test, ntag, ftag);

	if (reply_first) {
		fk_rempty(&m, P9X_RFSYNC, tag);
		KUNIT_EXPECT_TRUE(test, fk_reply(fk, &m));
	}
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rempty(&m, P9X_RFLUSH, ftag)));
	/* Let the flush's completion run before anything else arrives. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, fk->cancels, reply_first ? 0 : 1);
	if (!reply_first) {
		fk_rempty(&m, P9X_RFSYNC, tag);
		KUNIT_EXPECT_FALSE(test, fk_reply(fk, &m));
	}
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rstatfs(&m, ntag, 512, 14)));
	KUNIT_EXPECT_EQ(test, fk_call_end(next), 0);
	KUNIT_EXPECT_EQ(test, next->st.block_size, 512);
	KUNIT_EXPECT_EQ(test, fk->stale, reply_first ? 0 : 1);
	fk_expect_idle(fk);
}

static void client_killed_reply_then_rflush(struct kunit *test)
{
	fk_killed_call(test, true);
}

static void client_killed_rflush_then_late_reply(struct kunit *test)
{
	fk_killed_call(test, false);
}

/*
 * A zero-copy Tread into pages the caller gets back (the page cache)
 * waits for Rflush after SIGKILL, so that no reply lands in them later.
 * If the Tread's reply comes first (@reply_first) it stands: the caller
 * gets its data.  If Rflush comes first, the read fails with -EINTR, the
 * transport lets the Tread go, and its late reply reaches neither the
 * request nor the pages.
 */
static void fk_killed_read(struct kunit *test, bool reply_first)
{
	struct fk *fk = test->priv;
	struct fk_call *call;
	u16 tag, ftag;
	struct fk_msg m;
	long ret;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	call = fk_start_killed(fk, FK_READ, P9X_TREAD, &tag, &ftag);
	KUNIT_EXPECT_FALSE(test, completion_done(&call->done));
	if (reply_first) {
		fk_reply(fk, fk_rread(&m, tag, 100, 0x5a));
		msleep(20);
		/* Still waiting: the reply is not the end of the flush. */
		KUNIT_EXPECT_FALSE(test, completion_done(&call->done));
	}
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rempty(&m, P9X_RFLUSH, ftag)));
	ret = fk_call_end(call);
	if (!reply_first) {
		fk_rread(&m, tag, 100, 0x5a);
		KUNIT_EXPECT_FALSE(test, fk_reply(fk, &m));
	}
	KUNIT_EXPECT_EQ(test, ret, reply_first ? 100 : -EINTR);
	KUNIT_EXPECT_TRUE(test, fk_page_is(call, reply_first ? 100 : 0, 0x5a));
	KUNIT_EXPECT_EQ(test, fk->cancels, reply_first ? 0 : 1);
	KUNIT_EXPECT_EQ(test, fk->stale, reply_first ? 0 : 1);
	fk_call_free(call);
	fk_expect_idle(fk);
}

static void client_flush_reply_before_rflush(struct kunit *test)
{
	fk_killed_read(test, true);
}

static void client_flush_rflush_before_reply(struct kunit *test)
{
	fk_killed_read(test, false);
}

/*
 * The connection drops while the killed reader waits for Rflush: the
 * Tflush comes back lost, which says nothing about the Tread, so the
 * reader waits for the transport to hand that back too (-EIO) and the
 * transport is never asked to let it go.
 */
static void client_flush_lost(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct fk_call *call;
	u16 tag, ftag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	call = fk_start_killed(fk, FK_READ, P9X_TREAD, &tag, &ftag);
	fk_drop(fk);
	KUNIT_EXPECT_EQ(test, fk_call_end(call), -EIO);
	KUNIT_EXPECT_EQ(test, fk->lost, 2);
	KUNIT_EXPECT_EQ(test, fk->cancels, 0);
	KUNIT_EXPECT_TRUE(test, fk_page_is(call, 0, 0));
	fk_call_free(call);
	fk_expect_idle(fk);
}

/*
 * The last put of a fid sends Tclunk and returns without its answer, with
 * SIGKILL pending or not; the number stays taken until Rclunk (or
 * Rlerror) comes, and a fid walked meanwhile gets another.
 */
static void client_clunk_unwaited(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct p9x_fid *fid, *fid2, *fid3;
	struct fk_call *call;
	struct fk_msg m;
	u16 tag, tag2;
	u32 n, n2;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	fid = p9x_walk(fk->root, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fid));
	fid2 = p9x_walk(fk->root, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fid2));
	n = fid->fid;
	n2 = fid2->fid;
	KUNIT_EXPECT_NE(test, n, n2);
	fk->hold_clunk = true;

	call = fk_call_start(fk, FK_PUT, fid);
	fk_call_end(call);
	fk_wait_sent(fk, P9X_TCLUNK, &tag, NULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&fk->c->clunks), 1);

	call = fk_call_start(fk, FK_PUT_KILLED, fid2);
	fk_call_end(call);
	KUNIT_EXPECT_EQ(test, atomic_read(&fk->c->clunks), 2);
	KUNIT_EXPECT_EQ(test, fk_nheld(fk), 2);
	/* No Tflush: a clunk is not flushed. */
	KUNIT_EXPECT_EQ(test, fk->nsent, 6);

	fid3 = p9x_walk(fk->root, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fid3));
	KUNIT_EXPECT_NE(test, fid3->fid, n);
	KUNIT_EXPECT_NE(test, fid3->fid, n2);
	fk->hold_clunk = false;
	p9x_fid_put(fid3);

	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rempty(&m, P9X_RCLUNK, tag)));
	fk_wait_sent(fk, P9X_TCLUNK, &tag2, NULL);
	KUNIT_EXPECT_NE(test, tag, tag2);
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rlerror(&m, tag2, EBADF)));
	fk_expect_idle(fk);
}

/*
 * At most 16 Tclunks are in flight (P9X_CLUNKS_INFLIGHT): the put after
 * them waits until the server answers one.
 */
static void client_clunk_window(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct p9x_fid *fids[17];
	struct fk_call *call;
	struct fk_msg m;
	unsigned int i;
	u16 tag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	for (i = 0; i < ARRAY_SIZE(fids); i++) {
		fids[i] = p9x_walk(fk->root, 0, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(fids[i]));
	}
	fk->hold_clunk = true;
	for (i = 0; i < 16; i++)
		p9x_fid_put(fids[i]);
	KUNIT_EXPECT_EQ(test, atomic_read(&fk->c->clunks), 16);

	call = fk_call_start(fk, FK_PUT, fids[16]);
	msleep(100);
	KUNIT_EXPECT_FALSE(test, completion_done(&call->done));
	KUNIT_EXPECT_EQ(test, fk_nheld(fk), 16);
	fk_wait_sent(fk, P9X_TCLUNK, &tag, NULL);
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rempty(&m, P9X_RCLUNK, tag)));
	fk_call_end(call);
	for (i = 0; i < 16; i++) {
		fk_wait_sent(fk, P9X_TCLUNK, &tag, NULL);
		KUNIT_EXPECT_TRUE(test,
				  fk_reply(fk, fk_rempty(&m, P9X_RCLUNK, tag)));
	}
	fk_expect_idle(fk);
}

/* The mask a Twalkgetattr asks for: after fid[4] newfid[4]. */
static u64 fk_walk_mask(struct fk *fk, u16 tag)
{
	struct p9x_req *req;
	u64 mask = 0;
	unsigned int i;

	spin_lock(&fk->lock);
	for (i = 0; i < FK_SLOTS; i++) {
		req = fk->held[i];
		if (req && req->tag == tag)
			mask = get_unaligned_le64((const u8 *)req->tc +
						  P9X_HDR_SIZE + 8);
	}
	spin_unlock(&fk->lock);
	return mask;
}

/*
 * In a 9P2000.Lx session a lookup is one Twalkgetattr: the new fid names
 * the walked qid and the attributes come from the same reply.
 */
static void client_walk_getattr(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct fk_call *call;
	struct fk_msg m;
	u16 tag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	call = fk_start_sent(fk, FK_WALK_GETATTR, P9X_TWALKGETATTR, &tag);
	KUNIT_EXPECT_EQ(test, fk_walk_mask(fk, tag), P9X_GETATTR_IDENT);
	KUNIT_EXPECT_TRUE(test,
			  fk_reply(fk, fk_rwalkgetattr(&m, tag, 1, true,
						       4242, 0)));
	KUNIT_ASSERT_EQ(test, fk_call_end(call), 0);
	KUNIT_EXPECT_EQ(test, call->nfid->qid.path, 100);
	KUNIT_EXPECT_EQ(test, call->nfid->qid.dev, 0x805);
	KUNIT_EXPECT_EQ(test, call->attr.qid.path, 100);
	KUNIT_EXPECT_EQ(test, call->attr.size, 4242);
	KUNIT_EXPECT_EQ(test, call->attr.mode, S_IFREG | 0640);
	KUNIT_EXPECT_EQ(test, call->attr.data_version, 12);
	/* Tversion, Tattach, Twalkgetattr: no Tgetattr. */
	KUNIT_EXPECT_EQ(test, fk->nsent, 3);
	p9x_fid_put(call->nfid);
	fk_call_free(call);
	fk_expect_idle(fk);
}

/*
 * A name that is not there: the server walks none of the way (no qid, no
 * attributes) and creates no fid, so nothing is clunked.  An answer whose
 * attributes are cut short is malformed; its fid may exist and is
 * clunked.
 */
static void client_walk_getattr_short(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct fk_call *call;
	struct fk_msg m;
	u16 tag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	call = fk_start_sent(fk, FK_WALK_GETATTR, P9X_TWALKGETATTR, &tag);
	KUNIT_EXPECT_TRUE(test,
			  fk_reply(fk, fk_rwalkgetattr(&m, tag, 0, false,
						       0, 0)));
	KUNIT_EXPECT_EQ(test, fk_call_end(call), -ENOENT);
	fk_call_free(call);
	KUNIT_EXPECT_EQ(test, fk->nsent, 3);

	call = fk_start_sent(fk, FK_WALK_GETATTR, P9X_TWALKGETATTR, &tag);
	KUNIT_EXPECT_TRUE(test,
			  fk_reply(fk, fk_rwalkgetattr(&m, tag, 1, true,
						       1, 8)));
	KUNIT_EXPECT_EQ(test, fk_call_end(call), -EIO);
	fk_call_free(call);
	fk_expect_idle(fk);
	/* ... and the Tclunk of the fid the server may have bound. */
	KUNIT_EXPECT_EQ(test, fk->nsent, 5);
}

/*
 * An Lx server that refuses Twalkgetattr (EOPNOTSUPP) gets Twalk and
 * Tgetattr instead, for that lookup and every later one.
 */
static void client_walk_getattr_refused(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct fk_call *call;
	struct fk_msg m;
	unsigned int i;
	u16 tag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	call = fk_start_sent(fk, FK_WALK_GETATTR, P9X_TWALKGETATTR, &tag);
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rlerror(&m, tag, EOPNOTSUPP)));
	for (i = 0; i < 2; i++) {
		if (i)
			call = fk_call_start(fk, FK_WALK_GETATTR, fk->root);
		fk_wait_sent(fk, P9X_TGETATTR, &tag, NULL);
		KUNIT_EXPECT_TRUE(test,
				  fk_reply(fk, fk_rgetattr(&m, tag, 100, 77)));
		KUNIT_ASSERT_EQ(test, fk_call_end(call), 0);
		KUNIT_EXPECT_EQ(test, call->nfid->qid.path, 100);
		KUNIT_EXPECT_EQ(test, call->attr.size, 77);
		p9x_fid_put(call->nfid);
		fk_call_free(call);
	}
	KUNIT_EXPECT_EQ(test, fk->nwalkgetattr, 1);
	fk_expect_idle(fk);
}

/* How the server treats a call whose Tflush it has received. */
enum fk_fate {
	FK_BOUND,	/* it answers the call, binding the fid, then Rflush */
	FK_REFUSED,	/* it answers the call with Rlerror, then Rflush */
	FK_FORGOTTEN,	/* it answers Rflush only */
};

/* The successful reply to a held call of type @type. */
static const struct fk_msg *fk_rnew(struct fk_msg *m, u8 type, u16 tag)
{
	switch (type) {
	case P9X_TATTACH:
		fk_begin(m, P9X_RATTACH, tag);
		fk_put_qid(m, 2);
		break;
	case P9X_TWALK:
		fk_begin(m, P9X_RWALK, tag);
		fk_put(m, 1, 2);
		fk_put_qid(m, 100);
		break;
	case P9X_TWALKGETATTR:
		return fk_rwalkgetattr(m, tag, 1, true, 10, 0);
	default:
		fk_begin(m, P9X_RXATTRWALK, tag);
		fk_put(m, 5, 8);	/* the value's size */
		break;
	}
	return fk_end(m);
}

/* The new fid a held request names: Tattach's first field, else its second. */
static u32 fk_held_newfid(struct fk *fk, u16 tag)
{
	struct p9x_req *req;
	unsigned int i;
	u32 fid = P9X_NOFID;

	spin_lock(&fk->lock);
	for (i = 0; i < FK_SLOTS; i++) {
		req = fk->held[i];
		if (req && req->tag == tag)
			fid = fk_targ32(req, fk_ttype(req) == P9X_TATTACH ? 0 : 4);
	}
	spin_unlock(&fk->lock);
	return fid;
}

/* Tclunks of @fid sent so far; @after: how many of them after an Rflush. */
static unsigned int fk_clunks_of(struct fk *fk, u32 fid, unsigned int *after)
{
	unsigned int i, n = 0;

	spin_lock(&fk->lock);
	if (after)
		*after = 0;
	for (i = 0; i < fk->nclunked; i++) {
		if (fk->clunked[i] != fid)
			continue;
		n++;
		if (after && fk->clunk_rflushed[i])
			(*after)++;
	}
	spin_unlock(&fk->lock);
	return n;
}

/*
 * SIGKILL during a call that makes a new fid (@op, T-message @type): the
 * call returns -EINTR at once, but flush(5) lets the server answer it
 * until Rflush, and an answer that comes first stands.  So until Rflush
 * the new fid's number is neither clunked nor handed out again; after it
 * the fid is clunked exactly once if the server bound it (@fate
 * FK_BOUND), never if it refused or forgot the call, and its number is
 * free again once that is settled.
 */
static void fk_killed_newfid(struct kunit *test, enum fk_op op, u8 type,
			     enum fk_fate fate)
{
	struct fk *fk = test->priv;
	struct p9x_fid *other, *again;
	unsigned int after;
	struct fk_call *call;
	u16 tag, ftag;
	struct fk_msg m;
	u32 newfid;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	fk->hold_new = true;
	call = fk_start_killed(fk, op, type, &tag, &ftag);
	newfid = fk_held_newfid(fk, tag);
	KUNIT_EXPECT_NE(test, newfid, P9X_NOFID);
	KUNIT_EXPECT_EQ(test, fk_call_end(call), -EINTR);
	fk->hold_new = false;

	/* While the call may still bind it, the number stays taken. */
	other = p9x_walk(fk->root, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	KUNIT_EXPECT_NE(test, other->fid, newfid);
	p9x_fid_put(other);

	if (fate == FK_BOUND)
		KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rnew(&m, type, tag)));
	else if (fate == FK_REFUSED)
		KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rlerror(&m, tag,
								ENOENT)));
	msleep(50);
	KUNIT_EXPECT_EQ_MSG(test, fk_clunks_of(fk, newfid, NULL), 0,
			    "fid %u clunked before Rflush", newfid);

	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rempty(&m, P9X_RFLUSH, ftag)));
	fk_expect_idle(fk);
	KUNIT_EXPECT_EQ(test, fk_clunks_of(fk, newfid, &after),
			fate == FK_BOUND ? 1 : 0);
	KUNIT_EXPECT_EQ(test, after, fate == FK_BOUND ? 1 : 0);
	KUNIT_EXPECT_EQ(test, fk->cancels, fate == FK_FORGOTTEN ? 1 : 0);

	/* Settled: the lowest free number is the new fid's again. */
	again = p9x_walk(fk->root, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(again));
	KUNIT_EXPECT_EQ(test, again->fid, newfid);
	p9x_fid_put(again);
	fk_call_free(call);
	fk_expect_idle(fk);
}

/* A killed call that makes a fid, and what the server does with it. */
struct fk_newfid_case {
	const char *name;
	enum fk_op op;
	u8 type;
	enum fk_fate fate;
};

static const struct fk_newfid_case fk_newfid_cases[] = {
	{ "walk-bound", FK_WALK, P9X_TWALK, FK_BOUND },
	{ "walk-refused", FK_WALK, P9X_TWALK, FK_REFUSED },
	{ "walk-forgotten", FK_WALK, P9X_TWALK, FK_FORGOTTEN },
	{ "walkgetattr-bound", FK_WALK_GETATTR, P9X_TWALKGETATTR, FK_BOUND },
	{ "attach-bound", FK_ATTACH, P9X_TATTACH, FK_BOUND },
	{ "attach-refused", FK_ATTACH, P9X_TATTACH, FK_REFUSED },
	{ "xattrwalk-bound", FK_XATTRWALK, P9X_TXATTRWALK, FK_BOUND },
	{ "xattrwalk-forgotten", FK_XATTRWALK, P9X_TXATTRWALK, FK_FORGOTTEN },
};

KUNIT_ARRAY_PARAM_DESC(fk_newfid, fk_newfid_cases, name);

static void client_killed_newfid(struct kunit *test)
{
	const struct fk_newfid_case *t = test->param_value;

	fk_killed_newfid(test, t->op, t->type, t->fate);
}

/* The offset and count of the held Tread with @tag. */
static void fk_tread_args(struct fk *fk, u16 tag, u64 *off, u32 *count)
{
	struct p9x_req *req;
	unsigned int i;

	*off = ~0ULL;
	*count = 0;
	spin_lock(&fk->lock);
	for (i = 0; i < FK_SLOTS; i++) {
		req = fk->held[i];
		if (req && req->tag == tag) {
			/* Tread: fid[4] offset[8] count[4] */
			*off = get_unaligned_le64((const u8 *)req->tc +
						  P9X_HDR_SIZE + 4);
			*count = fk_targ32(req, 12);
		}
	}
	spin_unlock(&fk->lock);
}

/*
 * In 9P only a count of 0 is the end of a file: after a short Rread the
 * client asks for the rest from where the data stopped, until the read
 * is full or the server answers 0, and returns every byte in its place.
 */
static void client_read_short(struct kunit *test)
{
	static const struct { u32 count; u8 fill; } ans[] = {
		{ 100, 0x5a }, { 50, 0x5b }, { 0, 0 },
	};
	struct fk *fk = test->priv;
	struct fk_call *call;
	struct fk_msg m;
	u32 pos = 0, count, i;
	const u8 *p;
	u64 off;
	u16 tag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	call = fk_call_start(fk, FK_READ, fk->root);
	for (i = 0; i < ARRAY_SIZE(ans); i++) {
		fk_wait_sent(fk, P9X_TREAD, &tag, NULL);
		fk_tread_args(fk, tag, &off, &count);
		KUNIT_EXPECT_EQ(test, off, pos);
		KUNIT_EXPECT_EQ(test, count, FK_READ_LEN - pos);
		KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rread(&m, tag,
							      ans[i].count,
							      ans[i].fill)));
		pos += ans[i].count;
	}
	KUNIT_EXPECT_EQ(test, fk_call_end(call), 150);
	p = page_address(call->page);
	for (i = 0; i < FK_READ_LEN; i++)
		if (p[i] != (i < 100 ? 0x5a : i < 150 ? 0x5b : 0))
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, FK_READ_LEN, "wrong byte at %u", i);
	fk_call_free(call);
	fk_expect_idle(fk);
}

/*
 * A short Rread and then an error: p9x_read() gives the bytes it got (a
 * short read(2)), p9x_read_fill() the error, since the page cache would
 * take the rest for zeros past the end of the file.
 */
static void client_read_short_error(struct kunit *test)
{
	static const enum fk_op ops[] = { FK_READ, FK_READ_FILL };
	struct fk *fk = test->priv;
	struct fk_call *call;
	struct fk_msg m;
	unsigned int i;
	u32 count;
	u64 off;
	u16 tag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		call = fk_call_start(fk, ops[i], fk->root);
		fk_wait_sent(fk, P9X_TREAD, &tag, NULL);
		KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rread(&m, tag, 100,
							      0x5a)));
		fk_wait_sent(fk, P9X_TREAD, &tag, NULL);
		fk_tread_args(fk, tag, &off, &count);
		KUNIT_EXPECT_EQ(test, off, 100);
		KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rlerror(&m, tag, EIO)));
		KUNIT_EXPECT_EQ(test, fk_call_end(call),
				ops[i] == FK_READ ? 100 : -EIO);
		fk_call_free(call);
	}
	fk_expect_idle(fk);
}

/*
 * The connection drops (umount -f) under calls of every kind: a waiting
 * call, a zero-copy read, a killed call whose Tflush is unanswered.  Every waiter
 * returns -EIO, nothing is left, and later calls fail at once.
 */
static void client_transport_lost(struct kunit *test)
{
	struct fk_call *sync, *read, *killed, *after;
	struct fk *fk = test->priv;
	u16 tag, ftag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	killed = fk_start_killed(fk, FK_FSYNC, P9X_TFSYNC, &tag, &ftag);
	KUNIT_EXPECT_EQ(test, fk_call_end(killed), -EINTR);

	sync = fk_start_sent(fk, FK_STATFS, P9X_TSTATFS, &tag);
	read = fk_start_sent(fk, FK_READ, P9X_TREAD, &tag);
	KUNIT_EXPECT_EQ(test, fk_nheld(fk), 4);

	/* umount -f: the transport drops the connection (fk_abort). */
	p9x_client_abort(fk->c);
	KUNIT_EXPECT_EQ(test, fk_call_end(sync), -EIO);
	KUNIT_EXPECT_EQ(test, fk_call_end(read), -EIO);
	KUNIT_EXPECT_TRUE(test, fk_page_is(read, 0, 0));
	fk_call_free(read);
	KUNIT_EXPECT_EQ(test, fk->lost, 4);
	KUNIT_EXPECT_EQ(test, fk->cancels, 0);

	after = fk_call_start(fk, FK_FSYNC, fk->root);
	KUNIT_EXPECT_EQ(test, fk_call_end(after), -EIO);
	KUNIT_EXPECT_EQ(test, fk->nsent, 6);
	fk_expect_idle(fk);
}

/* Result of a request sent with a completion, and when it ran. */
struct fk_async {
	ssize_t ret;
	struct completion done;
};

static void fk_async_done(struct p9x_req *req)
{
	struct fk_async *a = req->priv;

	a->ret = p9x_io_result(req);
	complete(&a->done);
}

/*
 * Tread and Twrite sent with a completion (writeback, readahead): the
 * completion runs in the background with the server's answer, or with
 * -EIO when the connection drops first, and takes the request with it.
 */
static void client_async_io(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct fk_async *w, *r;
	struct iov_iter it;
	struct bio_vec bv;
	struct page *page;
	struct fk_msg m;
	struct kvec kv;
	char data[] = "hello";
	u16 tag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	/* Not on the stack: a late completion must find them. */
	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, w && r);
	init_completion(&w->done);
	kv.iov_base = data;
	kv.iov_len = sizeof(data);
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, sizeof(data));
	KUNIT_EXPECT_NULL(test, p9x_write_start(fk->root, 0, &it,
						fk_async_done, w));
	fk_wait_sent(fk, P9X_TWRITE, &tag, NULL);
	fk_begin(&m, P9X_RWRITE, tag);
	fk_put(&m, 4, 4);
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_end(&m)));
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&w->done, FK_WAIT),
			0);
	KUNIT_EXPECT_EQ(test, w->ret, 4);

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, page);
	init_completion(&r->done);
	bvec_set_page(&bv, page, FK_READ_LEN, 0);
	iov_iter_bvec(&it, ITER_DEST, &bv, 1, FK_READ_LEN);
	KUNIT_EXPECT_NULL(test, p9x_read_start(fk->root, 0, &it,
					       fk_async_done, r));
	fk_wait_sent(fk, P9X_TREAD, &tag, NULL);
	fk_drop(fk);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&r->done, FK_WAIT),
			0);
	KUNIT_EXPECT_EQ(test, r->ret, -EIO);
	__free_page(page);
	fk_expect_idle(fk);
}

/*
 * Leave a killed Tfsync with its Tflush outstanding and put the root fid,
 * as the last task using a mount would before umount.
 */
static void fk_kill_and_leave(struct fk *fk, u16 *ftag)
{
	struct fk_call *call;
	u16 tag;

	call = fk_start_killed(fk, FK_FSYNC, P9X_TFSYNC, &tag, ftag);
	KUNIT_EXPECT_EQ(fk->test, fk_call_end(call), -EINTR);
	p9x_fid_put(fk->root);
	fk->root = NULL;
}

/*
 * umount: the transport hands back what it held, and ->cancelled is never
 * called for a request the server did not flush, nor during ->close.
 */
static void fk_umount(struct fk *fk)
{
	p9x_client_destroy(fk->c);
	fk->c = NULL;
	KUNIT_EXPECT_TRUE(fk->test, fk->closing);
	KUNIT_EXPECT_EQ(fk->test, fk_nheld(fk), 0);
	/* The completions run before the exit frees the cache. */
	msleep(100);
	KUNIT_EXPECT_EQ(fk->test, fk->bad_cancels, 0);
}

/*
 * umount with requests outstanding: a killed call whose Tflush the server
 * never answers, and a clunk it never answers.  Destroying the session
 * waits a bounded time for the clunk, closes the transport, which hands
 * both back, and the exit finds every request freed.
 */
static void client_teardown_outstanding(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct p9x_fid *fid;
	u16 ftag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	fid = p9x_walk(fk->root, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fid));
	fk_kill_and_leave(fk, &ftag);

	fk->hold_clunk = true;
	fk_call_end(fk_call_start(fk, FK_PUT_KILLED, fid));
	KUNIT_EXPECT_EQ(test, fk_nheld(fk), 3);

	fk_umount(fk);
	KUNIT_EXPECT_EQ(test, fk->lost, 3);
}

/*
 * umount right after an Rflush: the flush's completion runs while the
 * transport closes.  It must not call ->cancelled then; the transport
 * hands the flushed request back from its ->close.
 */
static void client_teardown_after_rflush(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct fk_msg m;
	u16 ftag;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	fk_kill_and_leave(fk, &ftag);
	/* No sleep between the two: the completion is still queued. */
	KUNIT_EXPECT_TRUE(test, fk_reply(fk, fk_rempty(&m, P9X_RFLUSH, ftag)));
	fk_umount(fk);
	KUNIT_EXPECT_EQ(test, fk->cancels + fk->lost, 1);
}

/*
 * umount while a killed walk's Tflush is out: the transport hands both
 * back lost, no Tclunk goes out on a closing transport, and the fid is
 * freed with the session.
 */
static void client_teardown_killed_walk(struct kunit *test)
{
	struct fk *fk = test->priv;
	struct fk_call *call;
	u16 tag, ftag;
	u32 newfid;

	KUNIT_ASSERT_NOT_NULL(test, fk->root);
	fk->hold_new = true;
	call = fk_start_killed(fk, FK_WALK, P9X_TWALK, &tag, &ftag);
	newfid = fk_held_newfid(fk, tag);
	KUNIT_EXPECT_EQ(test, fk_call_end(call), -EINTR);
	fk->hold_new = false;
	fk_call_free(call);
	p9x_fid_put(fk->root);
	fk->root = NULL;
	fk_umount(fk);
	KUNIT_EXPECT_EQ(test, fk->lost, 2);
	KUNIT_EXPECT_EQ(test, fk_clunks_of(fk, newfid, NULL), 0);
}

static struct kunit_case client_cases[] = {
	KUNIT_CASE(client_round_trip),
	KUNIT_CASE(client_duplicate_and_unknown_reply),
	KUNIT_CASE(client_tag_reuse),
	KUNIT_CASE(client_killed_reply_then_rflush),
	KUNIT_CASE(client_killed_rflush_then_late_reply),
	KUNIT_CASE(client_flush_reply_before_rflush),
	KUNIT_CASE(client_flush_rflush_before_reply),
	KUNIT_CASE(client_flush_lost),
	KUNIT_CASE(client_clunk_unwaited),
	KUNIT_CASE(client_clunk_window),
	KUNIT_CASE(client_walk_getattr),
	KUNIT_CASE(client_walk_getattr_short),
	KUNIT_CASE(client_walk_getattr_refused),
	KUNIT_CASE_PARAM(client_killed_newfid, fk_newfid_gen_params),
	KUNIT_CASE(client_read_short),
	KUNIT_CASE(client_read_short_error),
	KUNIT_CASE(client_transport_lost),
	KUNIT_CASE(client_async_io),
	KUNIT_CASE_SLOW(client_teardown_outstanding),
	KUNIT_CASE(client_teardown_after_rflush),
	KUNIT_CASE(client_teardown_killed_walk),
	{}
};

static struct kunit_suite client_suite = {
	.name = "9plx-client",
	.init = fk_init,
	.exit = fk_exit,
	.test_cases = client_cases,
};

kunit_test_suites(&client_suite);
