/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 9plx client core: one session with a 9P server, its tags, its fids and
 * typed calls for each 9P2000.L operation.  Nothing here knows the VFS.
 */
#ifndef _9PLX_CLIENT_H
#define _9PLX_CLIENT_H

#include <linux/idr.h>
#include <linux/xarray.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "9plx/wire.h"
#include "transport.h"

struct p9x_trans_ops;

#define P9X_DEFAULT_MSIZE	(128 * 1024)
#define P9X_MIN_MSIZE		4096

enum p9x_req_state {
	P9X_REQ_NEW,
	P9X_REQ_SENT,
	P9X_REQ_DONE,		/* rc/rc_len hold the reply (0 bytes: flushed) */
	P9X_REQ_LOST,		/* the transport went away first */
};

/*
 * Inline buffers of every request: room for any T-message with at most
 * two names and no payload (Trenameat of two NAME_MAX names is the
 * largest), and for any R-message without a payload or a path.
 */
#define P9X_TC_SMALL		(2 * (2 + 255) + 64)
#define P9X_RC_SMALL		512

/* Bits in p9x_req.flags: whoever sets CLAIMED runs the request's @done. */
#define P9X_REQ_CLAIMED		0
/* @rc is a buffer of msize bytes that may be kept for the next request. */
#define P9X_REQ_RC_FULL		1
/* @done may run where the transport completes the request, irqs off. */
#define P9X_REQ_DONE_ATOMIC	2
/* A fatal signal cut the call short; its Tflush's completion owns @fid. */
#define P9X_REQ_ABANDONED	3

struct p9x_req;
typedef void (*p9x_done_t)(struct p9x_req *req);

/**
 * struct p9x_req - one T-message and the buffer for its reply
 * @ref: the caller holds one reference, the transport one while it owns
 *	the buffers; the tag is released with the last one, so a tag is never
 *	reused while the server might still answer it
 * @c: the session
 * @tag: 9P tag, or P9X_NOTAG for Tversion
 * @rtype: R-message type the caller expects
 * @state: an enum p9x_req_state, written by the transport
 * @wq: woken when @state reaches DONE or LOST
 * @tc: encoded T-message (framing only when @zc carries a Twrite payload)
 * @tc_len: its length
 * @rc: reply buffer, filled by the transport
 * @rc_cap: bytes available at @rc; always room for any legal reply
 * @rc_len: bytes received at @rc
 * @reply_len: bytes of the whole reply, payload placed by @zc included
 * @rlerror: the server answered with Rlerror
 * @zc: the transport moves the payload described by @data itself:
 *	Twrite data after @tc, Tread data after the Rread framing in @rc
 * @data: Tread destination or Twrite source when the payload does not sit
 *	in @tc/@rc; a bvec iterator when @zc
 * @data_len: payload bytes asked for
 * @pinned: user pages pinned for @zc, released with the request
 * @npinned: how many
 * @fid: the fid whose existence on the server the reply decides: the new
 *	fid of Tattach, Twalk, Twalkgetattr or Txattrwalk, the fid of
 *	Tremove; NULL for other calls
 * @nwname: names of a Twalk or Twalkgetattr, which binds @fid only if it
 *	walks them all
 * @done: completion of a request started with p9x_req_submit(), run in
 *	process context unless P9X_REQ_DONE_ATOMIC
 * @flags: P9X_REQ_CLAIMED once @done is queued or run; P9X_REQ_RC_FULL;
 *	P9X_REQ_DONE_ATOMIC; P9X_REQ_ABANDONED
 * @priv: for @done
 * @work: runs @done
 * @wb: encoder over @tc
 * @tc_small: @tc of control messages
 * @rc_small: @rc of replies without payload
 *
 * Control messages live entirely in the request's slab object.  A
 * transport that can place a large payload elsewhere (zero copy on
 * virtio) keeps the framing in @tc/@rc and adds the payload pages to the
 * same descriptor chain; the codec's P9X_IOHDR_SIZE framing is what makes
 * that split possible.
 */
struct p9x_req {
	refcount_t ref;
	struct p9x_client *c;
	u16 tag;
	u8 rtype;
	int state;
	wait_queue_head_t wq;
	void *tc;
	u32 tc_len;
	void *rc;
	u32 rc_cap;
	u32 rc_len;
	u32 reply_len;
	bool rlerror;
	bool zc;
	struct iov_iter data;
	u32 data_len;
	struct page **pinned;
	unsigned int npinned;
	struct p9x_fid *fid;
	u8 nwname;
	p9x_done_t done;
	unsigned long flags;
	void *priv;
	struct work_struct work;
	struct p9x_wbuf wb;
	u8 tc_small[P9X_TC_SMALL];
	u8 rc_small[P9X_RC_SMALL];
};

/**
 * struct p9x_client - a session with one server
 * @ref: the owner's reference plus one per live request and one per fid,
 *	so a request the server answers late never finds its session freed
 * @ops: transport
 * @trans: transport private state
 * @dialect: L or Lx, fixed by Tversion
 * @msize: negotiated maximum message size
 * @lock: protects @lost, @closing and @cancelling
 * @tags: tag -> struct p9x_req (under its own lock)
 * @fids: fid numbers in use
 * @lost: the transport is gone; every call fails with -EIO
 * @closing: p9x_client_destroy() is closing the transport; no more
 *	->cancelled calls
 * @cancelling: ->cancelled calls under way
 * @clunks: Tclunks sent and not yet answered
 * @clunks_wq: woken as each is, and as each ->cancelled call ends
 * @spare_rc: an msize reply buffer kept from a finished request, or NULL
 * @no_walkgetattr: the server refused Twalkgetattr; use Twalk and Tgetattr
 * @name: the mount source, for log lines
 */
struct p9x_client {
	refcount_t ref;
	const struct p9x_trans_ops *ops;
	void *trans;
	enum p9x_dialect dialect;
	u32 msize;
	spinlock_t lock;	/* lost, closing, cancelling */
	struct xarray tags;
	struct ida fids;
	bool lost;
	bool closing;
	unsigned int cancelling;
	atomic_t clunks;
	wait_queue_head_t clunks_wq;
	void *spare_rc;
	bool no_walkgetattr;
	char *name;
};

/**
 * struct p9x_fid - a client's handle on a file on the server
 * @c: the session
 * @fid: the number on the wire
 * @ref: references; the last put clunks it
 * @uid: owner, for per-user fid trees; INVALID_UID when shared
 * @node: link in a dentry's fid list
 * @qid: the file the server says this fid names
 * @iounit: from Rlopen, 0 if none given
 * @live: the server knows this fid (attach or walk succeeded)
 * @opened: Tlopen succeeded
 * @oflags: the P9X_O_* flags of that Tlopen
 */
struct p9x_fid {
	struct p9x_client *c;
	u32 fid;
	refcount_t ref;
	kuid_t uid;
	struct hlist_node node;
	struct p9x_qid qid;
	u32 iounit;
	bool live;
	bool opened;
	u32 oflags;
};

/**
 * struct p9x_client_opts - how to connect
 * @ops: transport to use
 * @msize: largest message we want
 * @want_lx: offer 9P2000.Lx first
 * @fallback: accept 9P2000.L if the server does not speak 9P2000.Lx
 * @args: transport settings
 */
struct p9x_client_opts {
	const struct p9x_trans_ops *ops;
	struct p9x_trans_args args;
	u32 msize;
	bool want_lx;
	bool fallback;
};

struct p9x_client *p9x_client_create(const char *addr,
				     const struct p9x_client_opts *o);
void p9x_client_destroy(struct p9x_client *c);
void p9x_client_abort(struct p9x_client *c);

/* Called by transports. */
void p9x_req_done(struct p9x_req *req, u32 len);
void p9x_req_lost(struct p9x_req *req);
void p9x_req_put(struct p9x_req *req);
void p9x_client_lost(struct p9x_client *c);

static inline struct p9x_fid *p9x_fid_get(struct p9x_fid *fid)
{
	refcount_inc(&fid->ref);
	return fid;
}

void p9x_fid_put(struct p9x_fid *fid);

struct p9x_fid *p9x_attach(struct p9x_client *c, const char *uname,
			   const char *aname, u32 n_uname, kuid_t owner);
struct p9x_fid *p9x_walk(struct p9x_fid *fid, unsigned int nwname,
			 const char *const *wnames);
struct p9x_fid *p9x_walk_getattr(struct p9x_fid *fid, unsigned int nwname,
				 const char *const *wnames, u64 mask,
				 struct p9x_attr *attr);
int p9x_getattr(struct p9x_fid *fid, u64 mask, struct p9x_attr *attr);
int p9x_lopen(struct p9x_fid *fid, u32 flags);
int p9x_lcreate(struct p9x_fid *fid, const char *name, u32 flags, u32 mode,
		u32 gid);
ssize_t p9x_read(struct p9x_fid *fid, u64 offset, struct iov_iter *to);
ssize_t p9x_read_fill(struct p9x_fid *fid, u64 offset, struct iov_iter *to);
struct p9x_req *p9x_read_start(struct p9x_fid *fid, u64 offset,
			       struct iov_iter *to, p9x_done_t done,
			       void *priv);
struct p9x_req *p9x_write_start(struct p9x_fid *fid, u64 offset,
				struct iov_iter *from, p9x_done_t done,
				void *priv);
ssize_t p9x_io_result(struct p9x_req *req);
struct p9x_req *p9x_readdir(struct p9x_fid *fid, u64 offset, u32 count,
			    struct p9x_dirent_iter *it);
char *p9x_readlink(struct p9x_fid *fid);
int p9x_statfs(struct p9x_fid *fid, struct p9x_statfs *st);
ssize_t p9x_write(struct p9x_fid *fid, u64 offset, struct iov_iter *from);
int p9x_mkdir(struct p9x_fid *dfid, const char *name, u32 mode, u32 gid,
	      struct p9x_qid *qid);
int p9x_mknod(struct p9x_fid *dfid, const char *name, u32 mode, u32 major,
	      u32 minor, u32 gid, struct p9x_qid *qid);
int p9x_symlink(struct p9x_fid *dfid, const char *name, const char *target,
		u32 gid, struct p9x_qid *qid);
int p9x_link(struct p9x_fid *dfid, struct p9x_fid *fid, const char *name);
int p9x_unlinkat(struct p9x_fid *dfid, const char *name, u32 flags);
int p9x_renameat(struct p9x_fid *olddfid, const char *oldname,
		 struct p9x_fid *newdfid, const char *newname);
int p9x_rename(struct p9x_fid *fid, struct p9x_fid *dfid, const char *name);
int p9x_remove(struct p9x_fid *fid);
int p9x_setattr(struct p9x_fid *fid, const struct p9x_iattr *ia);
int p9x_fsync(struct p9x_fid *fid, bool datasync);
struct p9x_fid *p9x_xattrwalk(struct p9x_fid *fid, const char *name,
			      u64 *size);
int p9x_xattrcreate(struct p9x_fid *fid, const char *name, u64 size,
		    u32 flags);
int p9x_fid_clunk(struct p9x_fid *fid);
int p9x_lock(struct p9x_fid *fid, const struct p9x_lock *lk, u8 *status);
int p9x_getlock(struct p9x_fid *fid, const struct p9x_getlock *gl,
		struct p9x_getlock *out);

/* Largest payload one Tread/Treaddir may ask for on @fid. */
u32 p9x_fid_maxio(const struct p9x_fid *fid);

static inline bool p9x_fid_readable(const struct p9x_fid *fid)
{
	return (fid->oflags & P9X_O_ACCMODE) != P9X_O_WRONLY;
}

static inline bool p9x_fid_writable(const struct p9x_fid *fid)
{
	return (fid->oflags & P9X_O_ACCMODE) != P9X_O_RDONLY;
}

int p9x_client_module_init(void);
void p9x_client_module_exit(void);

#endif /* _9PLX_CLIENT_H */
