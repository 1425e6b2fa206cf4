// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx wire codec: one encoder per T-message, one decoder per R-message.
 *
 * Encoders append a whole message to a struct p9x_wbuf.  They never store
 * past the buffer's capacity but always account for every byte, so a
 * buffer without room (or without storage at all) measures the message.
 *
 * Decoders read one whole received message through a bounded cursor.  A
 * read past the end poisons the cursor instead of touching memory, and a
 * decoder only reports success when the cursor is clean and sits exactly at
 * the end of the message.  Outputs are written only on success.
 *
 * Everything here is plain C over byte arrays: no allocation, no VFS, no
 * architecture helpers, so the same file builds in userspace for tests and
 * fuzzing.
 */

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#include "9plx/wire.h"

#define P9X_STR_MAX	0xffffu
#define P9X_LEN_SAT	0xffffffffu

/* Little-endian loads and stores, assembled a byte at a time. */

static u16 p9x_ld16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static u32 p9x_ld32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 p9x_ld64(const u8 *p)
{
	return (u64)p9x_ld32(p) | (u64)p9x_ld32(p + 4) << 32;
}

static void p9x_st16(u8 *p, u16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void p9x_st32(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static void p9x_st64(u8 *p, u64 v)
{
	p9x_st32(p, (u32)v);
	p9x_st32(p + 4, (u32)(v >> 32));
}

/* ---- encoding ---------------------------------------------------------- */

/*
 * Reserve @n bytes at the end of @b.  Returns where to store them, or NULL
 * when they do not fit (the length still grows, saturating at U32_MAX so
 * that a message too large for its size field can never look complete).
 */
static u8 *p9x_wreserve(struct p9x_wbuf *b, u64 n)
{
	u64 start = b->len;
	u64 end = start + n;

	if (end >= P9X_LEN_SAT) {
		b->len = P9X_LEN_SAT;
		return NULL;
	}
	b->len = (u32)end;
	if (!b->data || end > b->cap)
		return NULL;
	return b->data + start;
}

static void p9x_put8(struct p9x_wbuf *b, u8 v)
{
	u8 *p = p9x_wreserve(b, 1);

	if (p)
		*p = v;
}

static void p9x_put16(struct p9x_wbuf *b, u16 v)
{
	u8 *p = p9x_wreserve(b, 2);

	if (p)
		p9x_st16(p, v);
}

static void p9x_put32(struct p9x_wbuf *b, u32 v)
{
	u8 *p = p9x_wreserve(b, 4);

	if (p)
		p9x_st32(p, v);
}

static void p9x_put64(struct p9x_wbuf *b, u64 v)
{
	u8 *p = p9x_wreserve(b, 8);

	if (p)
		p9x_st64(p, v);
}

static void p9x_putbytes(struct p9x_wbuf *b, const void *src, u32 n)
{
	u8 *p = p9x_wreserve(b, n);

	if (p && n)
		memcpy(p, src, n);
}

/*
 * Length of a string to be sent, bounded so that a runaway string is never
 * scanned much past what 9P can carry.  A NULL string is sent as "".
 */
static int p9x_slen(const char *s, u16 *len)
{
	u32 n = 0;

	if (s) {
		while (s[n]) {
			if (n == P9X_STR_MAX)
				return -ENAMETOOLONG;
			n++;
		}
	}
	*len = (u16)n;
	return 0;
}

/* Store a string whose length p9x_slen() has already checked. */
static void p9x_putstr(struct p9x_wbuf *b, const char *s, u16 len)
{
	p9x_put16(b, len);
	p9x_putbytes(b, s, len);
}

/* Start a message: returns the offset of its size field. */
static u32 p9x_begin(struct p9x_wbuf *b, u8 type, u16 tag)
{
	u32 start = b->len;

	p9x_put32(b, 0);
	p9x_put8(b, type);
	p9x_put16(b, tag);
	return start;
}

/*
 * Finish the message begun at @start.  @extra counts bytes that belong to
 * the message but are not in @b (a Twrite payload sent from elsewhere).
 */
static int p9x_finish(struct p9x_wbuf *b, u32 start, u32 extra)
{
	u64 size;

	if (b->len == P9X_LEN_SAT)
		return -EMSGSIZE;
	size = (u64)b->len - start + extra;
	if (size >= P9X_LEN_SAT)
		return -EMSGSIZE;
	if (b->len > b->cap || !b->data)
		return -EMSGSIZE;
	p9x_st32(b->data + start, (u32)size);
	return 0;
}

int p9x_enc_tversion(struct p9x_wbuf *b, u16 tag, u32 msize,
		     const char *version)
{
	u32 start;
	u16 vl;

	if (p9x_slen(version, &vl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TVERSION, tag);
	p9x_put32(b, msize);
	p9x_putstr(b, version, vl);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tauth(struct p9x_wbuf *b, u16 tag, u32 afid, const char *uname,
		  const char *aname, u32 n_uname)
{
	u32 start;
	u16 ul, al;

	if (p9x_slen(uname, &ul) || p9x_slen(aname, &al))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TAUTH, tag);
	p9x_put32(b, afid);
	p9x_putstr(b, uname, ul);
	p9x_putstr(b, aname, al);
	p9x_put32(b, n_uname);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tattach(struct p9x_wbuf *b, u16 tag, u32 fid, u32 afid,
		    const char *uname, const char *aname, u32 n_uname)
{
	u32 start;
	u16 ul, al;

	if (p9x_slen(uname, &ul) || p9x_slen(aname, &al))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TATTACH, tag);
	p9x_put32(b, fid);
	p9x_put32(b, afid);
	p9x_putstr(b, uname, ul);
	p9x_putstr(b, aname, al);
	p9x_put32(b, n_uname);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tflush(struct p9x_wbuf *b, u16 tag, u16 oldtag)
{
	u32 start = p9x_begin(b, P9X_TFLUSH, tag);

	p9x_put16(b, oldtag);
	return p9x_finish(b, start, 0);
}

/* Twalk, and Twalkgetattr when @mask is not NULL. */
static int p9x_enc_walk(struct p9x_wbuf *b, u8 type, u16 tag, u32 fid,
			u32 newfid, const u64 *mask, unsigned int nwname,
			const char *const *wnames)
{
	u16 lens[P9X_MAXWELEM];
	unsigned int i;
	u32 start;

	if (nwname > P9X_MAXWELEM || (nwname && !wnames))
		return -EINVAL;
	for (i = 0; i < nwname; i++)
		if (p9x_slen(wnames[i], &lens[i]))
			return -ENAMETOOLONG;
	start = p9x_begin(b, type, tag);
	p9x_put32(b, fid);
	p9x_put32(b, newfid);
	if (mask)
		p9x_put64(b, *mask);
	p9x_put16(b, (u16)nwname);
	for (i = 0; i < nwname; i++)
		p9x_putstr(b, wnames[i], lens[i]);
	return p9x_finish(b, start, 0);
}

/**
 * p9x_enc_twalk() - encode a Twalk
 * @b: output buffer
 * @tag: request tag
 * @fid: fid to walk from
 * @newfid: fid to bind to the result (may equal @fid)
 * @nwname: number of path elements, 0 to clone @fid
 * @wnames: the path elements; may be NULL only when @nwname is 0
 *
 * Return: 0, -EINVAL for more than P9X_MAXWELEM elements, -ENAMETOOLONG,
 * or -EMSGSIZE.  Nothing is encoded when an argument is rejected.
 */
int p9x_enc_twalk(struct p9x_wbuf *b, u16 tag, u32 fid, u32 newfid,
		  unsigned int nwname, const char *const *wnames)
{
	return p9x_enc_walk(b, P9X_TWALK, tag, fid, newfid, NULL, nwname,
			    wnames);
}

/**
 * p9x_enc_twalkgetattr() - encode a Twalkgetattr (9P2000.Lx)
 * @b: output buffer
 * @tag: request tag
 * @fid: fid to walk from
 * @newfid: fid to bind to the result (may equal @fid)
 * @request_mask: P9X_GETATTR_* bits wanted for the file walked to
 * @nwname: number of path elements, 0 to clone @fid
 * @wnames: the path elements; may be NULL only when @nwname is 0
 *
 * The layout is Twalk's with the request mask of a Tgetattr between
 * newfid and nwname.
 *
 * Return: as p9x_enc_twalk().
 */
int p9x_enc_twalkgetattr(struct p9x_wbuf *b, u16 tag, u32 fid, u32 newfid,
			 u64 request_mask, unsigned int nwname,
			 const char *const *wnames)
{
	return p9x_enc_walk(b, P9X_TWALKGETATTR, tag, fid, newfid,
			    &request_mask, nwname, wnames);
}

int p9x_enc_tread(struct p9x_wbuf *b, u16 tag, u32 fid, u64 offset,
		  u32 count)
{
	u32 start = p9x_begin(b, P9X_TREAD, tag);

	p9x_put32(b, fid);
	p9x_put64(b, offset);
	p9x_put32(b, count);
	return p9x_finish(b, start, 0);
}

/**
 * p9x_enc_twrite() - encode a Twrite
 * @b: output buffer
 * @tag: request tag
 * @fid: open fid
 * @offset: file offset
 * @count: payload bytes
 * @data: payload, or NULL when the transport sends it from elsewhere
 *
 * With @data NULL only the P9X_IOHDR_SIZE bytes of framing go into @b, yet
 * the size field counts @count payload bytes as well.
 *
 * Return: 0 or -EMSGSIZE.
 */
int p9x_enc_twrite(struct p9x_wbuf *b, u16 tag, u32 fid, u64 offset,
		   u32 count, const void *data)
{
	u32 start = p9x_begin(b, P9X_TWRITE, tag);

	p9x_put32(b, fid);
	p9x_put64(b, offset);
	p9x_put32(b, count);
	if (data) {
		p9x_putbytes(b, data, count);
		return p9x_finish(b, start, 0);
	}
	return p9x_finish(b, start, count);
}

/* Messages whose whole body is one fid. */
static int p9x_enc_fidonly(struct p9x_wbuf *b, u8 type, u16 tag, u32 fid)
{
	u32 start = p9x_begin(b, type, tag);

	p9x_put32(b, fid);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tclunk(struct p9x_wbuf *b, u16 tag, u32 fid)
{
	return p9x_enc_fidonly(b, P9X_TCLUNK, tag, fid);
}

int p9x_enc_tremove(struct p9x_wbuf *b, u16 tag, u32 fid)
{
	return p9x_enc_fidonly(b, P9X_TREMOVE, tag, fid);
}

int p9x_enc_tstatfs(struct p9x_wbuf *b, u16 tag, u32 fid)
{
	return p9x_enc_fidonly(b, P9X_TSTATFS, tag, fid);
}

int p9x_enc_treadlink(struct p9x_wbuf *b, u16 tag, u32 fid)
{
	return p9x_enc_fidonly(b, P9X_TREADLINK, tag, fid);
}

int p9x_enc_tlopen(struct p9x_wbuf *b, u16 tag, u32 fid, u32 flags)
{
	u32 start = p9x_begin(b, P9X_TLOPEN, tag);

	p9x_put32(b, fid);
	p9x_put32(b, flags);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tlcreate(struct p9x_wbuf *b, u16 tag, u32 fid, const char *name,
		     u32 flags, u32 mode, u32 gid)
{
	u32 start;
	u16 nl;

	if (p9x_slen(name, &nl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TLCREATE, tag);
	p9x_put32(b, fid);
	p9x_putstr(b, name, nl);
	p9x_put32(b, flags);
	p9x_put32(b, mode);
	p9x_put32(b, gid);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tsymlink(struct p9x_wbuf *b, u16 tag, u32 dfid, const char *name,
		     const char *target, u32 gid)
{
	u32 start;
	u16 nl, tl;

	if (p9x_slen(name, &nl) || p9x_slen(target, &tl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TSYMLINK, tag);
	p9x_put32(b, dfid);
	p9x_putstr(b, name, nl);
	p9x_putstr(b, target, tl);
	p9x_put32(b, gid);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tmknod(struct p9x_wbuf *b, u16 tag, u32 dfid, const char *name,
		   u32 mode, u32 major, u32 minor, u32 gid)
{
	u32 start;
	u16 nl;

	if (p9x_slen(name, &nl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TMKNOD, tag);
	p9x_put32(b, dfid);
	p9x_putstr(b, name, nl);
	p9x_put32(b, mode);
	p9x_put32(b, major);
	p9x_put32(b, minor);
	p9x_put32(b, gid);
	return p9x_finish(b, start, 0);
}

int p9x_enc_trename(struct p9x_wbuf *b, u16 tag, u32 fid, u32 dfid,
		    const char *name)
{
	u32 start;
	u16 nl;

	if (p9x_slen(name, &nl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TRENAME, tag);
	p9x_put32(b, fid);
	p9x_put32(b, dfid);
	p9x_putstr(b, name, nl);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tgetattr(struct p9x_wbuf *b, u16 tag, u32 fid, u64 request_mask)
{
	u32 start = p9x_begin(b, P9X_TGETATTR, tag);

	p9x_put32(b, fid);
	p9x_put64(b, request_mask);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tsetattr(struct p9x_wbuf *b, u16 tag, u32 fid,
		     const struct p9x_iattr *ia)
{
	u32 start;

	if (!ia)
		return -EINVAL;
	start = p9x_begin(b, P9X_TSETATTR, tag);
	p9x_put32(b, fid);
	p9x_put32(b, ia->valid);
	p9x_put32(b, ia->mode);
	p9x_put32(b, ia->uid);
	p9x_put32(b, ia->gid);
	p9x_put64(b, ia->size);
	p9x_put64(b, ia->atime_sec);
	p9x_put64(b, ia->atime_nsec);
	p9x_put64(b, ia->mtime_sec);
	p9x_put64(b, ia->mtime_nsec);
	return p9x_finish(b, start, 0);
}

int p9x_enc_txattrwalk(struct p9x_wbuf *b, u16 tag, u32 fid, u32 newfid,
		       const char *name)
{
	u32 start;
	u16 nl;

	if (p9x_slen(name, &nl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TXATTRWALK, tag);
	p9x_put32(b, fid);
	p9x_put32(b, newfid);
	p9x_putstr(b, name, nl);
	return p9x_finish(b, start, 0);
}

int p9x_enc_txattrcreate(struct p9x_wbuf *b, u16 tag, u32 fid,
			 const char *name, u64 attr_size, u32 flags)
{
	u32 start;
	u16 nl;

	if (p9x_slen(name, &nl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TXATTRCREATE, tag);
	p9x_put32(b, fid);
	p9x_putstr(b, name, nl);
	p9x_put64(b, attr_size);
	p9x_put32(b, flags);
	return p9x_finish(b, start, 0);
}

int p9x_enc_treaddir(struct p9x_wbuf *b, u16 tag, u32 fid, u64 offset,
		     u32 count)
{
	u32 start = p9x_begin(b, P9X_TREADDIR, tag);

	p9x_put32(b, fid);
	p9x_put64(b, offset);
	p9x_put32(b, count);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tfsync(struct p9x_wbuf *b, u16 tag, u32 fid, u32 datasync)
{
	u32 start = p9x_begin(b, P9X_TFSYNC, tag);

	p9x_put32(b, fid);
	p9x_put32(b, datasync);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tlock(struct p9x_wbuf *b, u16 tag, u32 fid,
		  const struct p9x_lock *lk)
{
	u32 start;
	u16 cl;

	if (!lk)
		return -EINVAL;
	if (p9x_slen(lk->client_id, &cl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TLOCK, tag);
	p9x_put32(b, fid);
	p9x_put8(b, lk->type);
	p9x_put32(b, lk->flags);
	p9x_put64(b, lk->start);
	p9x_put64(b, lk->length);
	p9x_put32(b, lk->proc_id);
	p9x_putstr(b, lk->client_id, cl);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tgetlock(struct p9x_wbuf *b, u16 tag, u32 fid,
		     const struct p9x_getlock *gl)
{
	u32 start;
	u16 cl;

	if (!gl)
		return -EINVAL;
	if (p9x_slen(gl->client_id, &cl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TGETLOCK, tag);
	p9x_put32(b, fid);
	p9x_put8(b, gl->type);
	p9x_put64(b, gl->start);
	p9x_put64(b, gl->length);
	p9x_put32(b, gl->proc_id);
	p9x_putstr(b, gl->client_id, cl);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tlink(struct p9x_wbuf *b, u16 tag, u32 dfid, u32 fid,
		  const char *name)
{
	u32 start;
	u16 nl;

	if (p9x_slen(name, &nl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TLINK, tag);
	p9x_put32(b, dfid);
	p9x_put32(b, fid);
	p9x_putstr(b, name, nl);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tmkdir(struct p9x_wbuf *b, u16 tag, u32 dfid, const char *name,
		   u32 mode, u32 gid)
{
	u32 start;
	u16 nl;

	if (p9x_slen(name, &nl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TMKDIR, tag);
	p9x_put32(b, dfid);
	p9x_putstr(b, name, nl);
	p9x_put32(b, mode);
	p9x_put32(b, gid);
	return p9x_finish(b, start, 0);
}

int p9x_enc_trenameat(struct p9x_wbuf *b, u16 tag, u32 olddfid,
		      const char *oldname, u32 newdfid, const char *newname)
{
	u32 start;
	u16 ol, nl;

	if (p9x_slen(oldname, &ol) || p9x_slen(newname, &nl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TRENAMEAT, tag);
	p9x_put32(b, olddfid);
	p9x_putstr(b, oldname, ol);
	p9x_put32(b, newdfid);
	p9x_putstr(b, newname, nl);
	return p9x_finish(b, start, 0);
}

int p9x_enc_tunlinkat(struct p9x_wbuf *b, u16 tag, u32 dfid, const char *name,
		      u32 flags)
{
	u32 start;
	u16 nl;

	if (p9x_slen(name, &nl))
		return -ENAMETOOLONG;
	start = p9x_begin(b, P9X_TUNLINKAT, tag);
	p9x_put32(b, dfid);
	p9x_putstr(b, name, nl);
	p9x_put32(b, flags);
	return p9x_finish(b, start, 0);
}

/* ---- decoding ---------------------------------------------------------- */

/*
 * struct p9x_rd - bounded read cursor over a received message
 * @p: next unread byte
 * @end: one past the last byte
 * @bad: set once any read ran past @end; every later read yields zeroes
 */
struct p9x_rd {
	const u8 *p;
	const u8 *end;
	bool bad;
};

/* Take @n bytes from @r, or NULL (and poison @r) if fewer remain. */
static const u8 *p9x_take(struct p9x_rd *r, size_t n)
{
	const u8 *p = r->p;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	return p;
}

static u8 p9x_get8(struct p9x_rd *r)
{
	const u8 *p = p9x_take(r, 1);

	return p ? *p : 0;
}

static u16 p9x_get16(struct p9x_rd *r)
{
	const u8 *p = p9x_take(r, 2);

	return p ? p9x_ld16(p) : 0;
}

static u32 p9x_get32(struct p9x_rd *r)
{
	const u8 *p = p9x_take(r, 4);

	return p ? p9x_ld32(p) : 0;
}

static u64 p9x_get64(struct p9x_rd *r)
{
	const u8 *p = p9x_take(r, 8);

	return p ? p9x_ld64(p) : 0;
}

static void p9x_getstr(struct p9x_rd *r, struct p9x_str *s)
{
	u16 len = p9x_get16(r);

	s->s = (const char *)p9x_take(r, len);
	s->len = s->s ? len : 0;
}

static void p9x_getqid(struct p9x_rd *r, enum p9x_dialect d,
		       struct p9x_qid *q)
{
	q->type = p9x_get8(r);
	q->version = p9x_get32(r);
	q->path = p9x_get64(r);
	q->dev = d == P9X_DIALECT_LX ? p9x_get64(r) : 0;
}

/* Whether the cursor is clean and has consumed every byte. */
static int p9x_rd_done(const struct p9x_rd *r)
{
	return !r->bad && r->p == r->end ? 0 : -EPROTO;
}

/*
 * Check the header of a whole message of @len bytes: its size field must
 * equal @len and its type must be @type.  On success @r covers the body.
 */
static int p9x_rd_open(struct p9x_rd *r, const void *msg, size_t len,
		       u8 type)
{
	const u8 *m = msg;

	if (!m || len < P9X_HDR_SIZE)
		return -EPROTO;
	if (p9x_ld32(m) != len || m[4] != type)
		return -EPROTO;
	r->p = m + P9X_HDR_SIZE;
	r->end = m + len;
	r->bad = false;
	return 0;
}

/**
 * p9x_dec_hdr() - read the header of a received message
 * @msg: received bytes
 * @len: number of received bytes
 * @h: filled with the header
 *
 * Only checks that the size field covers at least the header and at most
 * @len bytes; the typed decoders insist on an exact match.
 *
 * Return: 0 or -EPROTO.
 */
int p9x_dec_hdr(const void *msg, size_t len, struct p9x_hdr *h)
{
	const u8 *m = msg;
	u32 size;

	if (!m || len < P9X_HDR_SIZE)
		return -EPROTO;
	size = p9x_ld32(m);
	if (size < P9X_HDR_SIZE || size > len)
		return -EPROTO;
	h->size = size;
	h->type = m[4];
	h->tag = p9x_ld16(m + 5);
	return 0;
}

int p9x_dec_rlerror(const void *msg, size_t len, u32 *ecode)
{
	struct p9x_rd r;
	u32 e;

	if (p9x_rd_open(&r, msg, len, P9X_RLERROR))
		return -EPROTO;
	e = p9x_get32(&r);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*ecode = e;
	return 0;
}

int p9x_dec_reply(const void *msg, size_t len, u16 tag, u8 type, u32 *ecode)
{
	struct p9x_hdr h;
	u32 e;

	if (p9x_dec_hdr(msg, len, &h) || h.size != len || h.tag != tag)
		return -EPROTO;
	if (h.type == P9X_RLERROR) {
		if (p9x_dec_rlerror(msg, len, &e) || e == 0 || e > 4095)
			return -EPROTO;
		*ecode = e;
		return 1;
	}
	return h.type == type ? 0 : -EPROTO;
}

int p9x_dec_rversion(const void *msg, size_t len, u32 *msize,
		     struct p9x_str *version)
{
	struct p9x_rd r;
	struct p9x_str v;
	u32 m;

	if (p9x_rd_open(&r, msg, len, P9X_RVERSION))
		return -EPROTO;
	m = p9x_get32(&r);
	p9x_getstr(&r, &v);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*msize = m;
	*version = v;
	return 0;
}

/* Replies whose whole body is one qid. */
static int p9x_dec_qidonly(const void *msg, size_t len, u8 type,
			   enum p9x_dialect d, struct p9x_qid *qid)
{
	struct p9x_rd r;
	struct p9x_qid q;

	if (p9x_rd_open(&r, msg, len, type))
		return -EPROTO;
	p9x_getqid(&r, d, &q);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*qid = q;
	return 0;
}

int p9x_dec_rauth(const void *msg, size_t len, enum p9x_dialect d,
		  struct p9x_qid *aqid)
{
	return p9x_dec_qidonly(msg, len, P9X_RAUTH, d, aqid);
}

int p9x_dec_rattach(const void *msg, size_t len, enum p9x_dialect d,
		    struct p9x_qid *qid)
{
	return p9x_dec_qidonly(msg, len, P9X_RATTACH, d, qid);
}

int p9x_dec_rsymlink(const void *msg, size_t len, enum p9x_dialect d,
		     struct p9x_qid *qid)
{
	return p9x_dec_qidonly(msg, len, P9X_RSYMLINK, d, qid);
}

int p9x_dec_rmknod(const void *msg, size_t len, enum p9x_dialect d,
		   struct p9x_qid *qid)
{
	return p9x_dec_qidonly(msg, len, P9X_RMKNOD, d, qid);
}

int p9x_dec_rmkdir(const void *msg, size_t len, enum p9x_dialect d,
		   struct p9x_qid *qid)
{
	return p9x_dec_qidonly(msg, len, P9X_RMKDIR, d, qid);
}

/* The attributes of an Rgetattr, and of a full Rwalkgetattr. */
static void p9x_get_attr(struct p9x_rd *r, enum p9x_dialect d,
			 struct p9x_attr *a)
{
	a->valid = p9x_get64(r);
	p9x_getqid(r, d, &a->qid);
	a->mode = p9x_get32(r);
	a->uid = p9x_get32(r);
	a->gid = p9x_get32(r);
	a->nlink = p9x_get64(r);
	a->rdev = p9x_get64(r);
	a->size = p9x_get64(r);
	a->blksize = p9x_get64(r);
	a->blocks = p9x_get64(r);
	a->atime_sec = p9x_get64(r);
	a->atime_nsec = p9x_get64(r);
	a->mtime_sec = p9x_get64(r);
	a->mtime_nsec = p9x_get64(r);
	a->ctime_sec = p9x_get64(r);
	a->ctime_nsec = p9x_get64(r);
	a->btime_sec = p9x_get64(r);
	a->btime_nsec = p9x_get64(r);
	a->gen = p9x_get64(r);
	a->data_version = p9x_get64(r);
}

/*
 * Rwalk (@attr NULL), or Rwalkgetattr answering @nwname names: up to
 * @nwname qids and, for Rwalkgetattr when there are @nwname of them, the
 * attributes.  Nothing is stored unless the length fits exactly.
 */
static int p9x_dec_walk(const void *msg, size_t len, enum p9x_dialect d,
			unsigned int nwname, u16 *nwqid, struct p9x_qid *qids,
			struct p9x_attr *attr)
{
	struct p9x_attr a;
	struct p9x_rd r;
	unsigned int i;
	size_t want;
	u16 n;

	if (p9x_rd_open(&r, msg, len, attr ? P9X_RWALKGETATTR : P9X_RWALK))
		return -EPROTO;
	n = p9x_get16(&r);
	if (r.bad || n > nwname || (n && !qids))
		return -EPROTO;
	want = (size_t)n * p9x_qid_size(d);
	if (attr && n == nwname)
		want += P9X_ATTR_SIZE(d);
	if ((size_t)(r.end - r.p) != want)
		return -EPROTO;
	for (i = 0; i < n; i++)
		p9x_getqid(&r, d, &qids[i]);
	if (attr && n == nwname)
		p9x_get_attr(&r, d, &a);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*nwqid = n;
	if (attr && n == nwname)
		*attr = a;
	return 0;
}

/**
 * p9x_dec_rwalk() - decode an Rwalk
 * @msg: received message
 * @len: bytes received
 * @d: session dialect, which fixes the qid width
 * @maxqid: room in @qids; more than P9X_MAXWELEM counts as P9X_MAXWELEM
 * @nwqid: set to the number of qids returned
 * @qids: filled with the qids
 *
 * The qid count is checked against @maxqid and against the bytes actually
 * present before any qid is stored.
 *
 * Return: 0 or -EPROTO.
 */
int p9x_dec_rwalk(const void *msg, size_t len, enum p9x_dialect d,
		  unsigned int maxqid, u16 *nwqid, struct p9x_qid *qids)
{
	if (maxqid > P9X_MAXWELEM)
		maxqid = P9X_MAXWELEM;
	return p9x_dec_walk(msg, len, d, maxqid, nwqid, qids, NULL);
}

/**
 * p9x_dec_rwalkgetattr() - decode an Rwalkgetattr (9P2000.Lx)
 * @msg: received message
 * @len: bytes received
 * @d: session dialect, which fixes the qid width
 * @nwname: names the Twalkgetattr carried (at most P9X_MAXWELEM)
 * @nwqid: set to the number of qids returned
 * @qids: room for @nwname qids, filled with those returned
 * @attr: filled with the attributes when *@nwqid is @nwname
 *
 * The reply is an Rwalk's body, followed by an Rgetattr's when every name
 * was walked; a partial walk has no attributes.  More qids than names, or
 * a length that fits neither form, is malformed.
 *
 * Return: 0 or -EPROTO.
 */
int p9x_dec_rwalkgetattr(const void *msg, size_t len, enum p9x_dialect d,
			 unsigned int nwname, u16 *nwqid, struct p9x_qid *qids,
			 struct p9x_attr *attr)
{
	if (nwname > P9X_MAXWELEM || !attr)
		return -EPROTO;
	return p9x_dec_walk(msg, len, d, nwname, nwqid, qids, attr);
}

int p9x_dec_rread(const void *msg, size_t len, u32 *count, const u8 **data)
{
	struct p9x_rd r;
	const u8 *p;
	u32 n;

	if (p9x_rd_open(&r, msg, len, P9X_RREAD))
		return -EPROTO;
	n = p9x_get32(&r);
	p = p9x_take(&r, n);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*count = n;
	*data = p;
	return 0;
}

int p9x_dec_rread_split(const void *hdr, size_t hdr_len, u32 total, u16 tag,
			u32 *count)
{
	const u8 *m = hdr;
	u32 n;

	if (!m || hdr_len != P9X_RIOHDR_SIZE || total < P9X_RIOHDR_SIZE ||
	    p9x_ld32(m) != total || m[4] != P9X_RREAD ||
	    p9x_ld16(m + 5) != tag)
		return -EPROTO;
	n = p9x_ld32(m + P9X_HDR_SIZE);
	if (n != total - P9X_RIOHDR_SIZE)
		return -EPROTO;
	*count = n;
	return 0;
}

int p9x_dec_rwrite(const void *msg, size_t len, u32 *count)
{
	struct p9x_rd r;
	u32 n;

	if (p9x_rd_open(&r, msg, len, P9X_RWRITE))
		return -EPROTO;
	n = p9x_get32(&r);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*count = n;
	return 0;
}

int p9x_dec_rstatfs(const void *msg, size_t len, struct p9x_statfs *st)
{
	struct p9x_rd r;
	struct p9x_statfs s;

	if (p9x_rd_open(&r, msg, len, P9X_RSTATFS))
		return -EPROTO;
	s.fs_type = p9x_get32(&r);
	s.block_size = p9x_get32(&r);
	s.total_blocks = p9x_get64(&r);
	s.free_blocks = p9x_get64(&r);
	s.avail_blocks = p9x_get64(&r);
	s.total_files = p9x_get64(&r);
	s.free_files = p9x_get64(&r);
	s.fs_id = p9x_get64(&r);
	s.max_name_len = p9x_get32(&r);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*st = s;
	return 0;
}

/* Replies whose body is qid[Q] iounit[4]. */
static int p9x_dec_qidiounit(const void *msg, size_t len, u8 type,
			     enum p9x_dialect d, struct p9x_qid *qid,
			     u32 *iounit)
{
	struct p9x_rd r;
	struct p9x_qid q;
	u32 io;

	if (p9x_rd_open(&r, msg, len, type))
		return -EPROTO;
	p9x_getqid(&r, d, &q);
	io = p9x_get32(&r);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*qid = q;
	*iounit = io;
	return 0;
}

int p9x_dec_rlopen(const void *msg, size_t len, enum p9x_dialect d,
		   struct p9x_qid *qid, u32 *iounit)
{
	return p9x_dec_qidiounit(msg, len, P9X_RLOPEN, d, qid, iounit);
}

int p9x_dec_rlcreate(const void *msg, size_t len, enum p9x_dialect d,
		     struct p9x_qid *qid, u32 *iounit)
{
	return p9x_dec_qidiounit(msg, len, P9X_RLCREATE, d, qid, iounit);
}

int p9x_dec_rreadlink(const void *msg, size_t len, struct p9x_str *target)
{
	struct p9x_rd r;
	struct p9x_str t;

	if (p9x_rd_open(&r, msg, len, P9X_RREADLINK))
		return -EPROTO;
	p9x_getstr(&r, &t);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*target = t;
	return 0;
}

int p9x_dec_rgetattr(const void *msg, size_t len, enum p9x_dialect d,
		     struct p9x_attr *attr)
{
	struct p9x_rd r;
	struct p9x_attr a;

	if (p9x_rd_open(&r, msg, len, P9X_RGETATTR))
		return -EPROTO;
	p9x_get_attr(&r, d, &a);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*attr = a;
	return 0;
}

int p9x_dec_rxattrwalk(const void *msg, size_t len, u64 *size)
{
	struct p9x_rd r;
	u64 s;

	if (p9x_rd_open(&r, msg, len, P9X_RXATTRWALK))
		return -EPROTO;
	s = p9x_get64(&r);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*size = s;
	return 0;
}

/* Read one directory entry from @r; the caller checks @r afterwards. */
static void p9x_getdirent(struct p9x_rd *r, enum p9x_dialect d,
			  struct p9x_dirent *de)
{
	p9x_getqid(r, d, &de->qid);
	de->offset = p9x_get64(r);
	de->type = p9x_get8(r);
	p9x_getstr(r, &de->name);
}

/**
 * p9x_dec_rreaddir() - decode an Rreaddir and set up its entry iterator
 * @msg: received message
 * @len: bytes received
 * @d: session dialect, which fixes the qid width of every entry
 * @it: set to walk the entries with p9x_dirent_next()
 *
 * The count must cover exactly the rest of the message, and the payload
 * must split into whole entries; a reply that fails either check is
 * rejected here, before the caller sees any entry.
 *
 * Return: 0 or -EPROTO.
 */
int p9x_dec_rreaddir(const void *msg, size_t len, enum p9x_dialect d,
		     struct p9x_dirent_iter *it)
{
	struct p9x_rd r, e;
	struct p9x_dirent de;
	const u8 *p;
	u32 n;

	if (p9x_rd_open(&r, msg, len, P9X_RREADDIR))
		return -EPROTO;
	n = p9x_get32(&r);
	p = p9x_take(&r, n);
	if (p9x_rd_done(&r))
		return -EPROTO;
	e.p = p;
	e.end = p + n;
	e.bad = false;
	while (!e.bad && e.p != e.end)
		p9x_getdirent(&e, d, &de);
	if (e.bad)
		return -EPROTO;
	it->p = p;
	it->end = p + n;
	it->dialect = d;
	return 0;
}

int p9x_dirent_next(struct p9x_dirent_iter *it, struct p9x_dirent *de)
{
	struct p9x_rd r;
	struct p9x_dirent d;

	if (!it || !it->p || it->p == it->end)
		return 0;
	if (!it->end || it->p > it->end) {
		it->p = it->end;
		return -EPROTO;
	}
	r.p = it->p;
	r.end = it->end;
	r.bad = false;
	p9x_getdirent(&r, it->dialect, &d);
	if (r.bad) {
		it->p = it->end;
		return -EPROTO;
	}
	it->p = r.p;
	*de = d;
	return 1;
}

/**
 * p9x_dirloop_start() - start watching the offsets of a directory read
 * @dl: the detector
 * @offset: where the read starts (0, or where a seek put it)
 */
void p9x_dirloop_start(struct p9x_dirloop *dl, u64 offset)
{
	dl->last = offset;
	dl->mark = offset;
	dl->steps = 0;
	dl->span = 1;
}

/**
 * p9x_dirloop_seen() - would an entry's offset close a loop
 * @dl: the detector
 * @offset: the offset of the entry about to be taken
 *
 * Return: true if @offset repeats one the read has already been at, so
 * that resuming after it would go round.
 */
bool p9x_dirloop_seen(const struct p9x_dirloop *dl, u64 offset)
{
	return offset == dl->last || offset == dl->mark;
}

/**
 * p9x_dirloop_take() - note an entry the read has taken
 * @dl: the detector
 * @offset: its offset
 */
void p9x_dirloop_take(struct p9x_dirloop *dl, u64 offset)
{
	dl->last = offset;
	if (++dl->steps < dl->span)
		return;
	dl->mark = offset;
	dl->steps = 0;
	dl->span *= 2;
}

int p9x_dec_rlock(const void *msg, size_t len, u8 *status)
{
	struct p9x_rd r;
	u8 s;

	if (p9x_rd_open(&r, msg, len, P9X_RLOCK))
		return -EPROTO;
	s = p9x_get8(&r);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*status = s;
	return 0;
}

int p9x_dec_rgetlock(const void *msg, size_t len, struct p9x_rgetlock *gl)
{
	struct p9x_rd r;
	struct p9x_rgetlock g;

	if (p9x_rd_open(&r, msg, len, P9X_RGETLOCK))
		return -EPROTO;
	g.type = p9x_get8(&r);
	g.start = p9x_get64(&r);
	g.length = p9x_get64(&r);
	g.proc_id = p9x_get32(&r);
	p9x_getstr(&r, &g.client_id);
	if (p9x_rd_done(&r))
		return -EPROTO;
	*gl = g;
	return 0;
}

/**
 * p9x_dec_rempty() - decode a reply that has no body
 * @msg: received message
 * @len: bytes received
 * @type: the R-message type expected
 *
 * Only the bodyless replies are accepted as @type, so this can never be
 * used to wave through a reply that should have carried data.
 *
 * Return: 0 or -EPROTO.
 */
int p9x_dec_rempty(const void *msg, size_t len, u8 type)
{
	struct p9x_rd r;

	switch (type) {
	case P9X_RFLUSH:
	case P9X_RCLUNK:
	case P9X_RREMOVE:
	case P9X_RRENAME:
	case P9X_RSETATTR:
	case P9X_RXATTRCREATE:
	case P9X_RFSYNC:
	case P9X_RLINK:
	case P9X_RRENAMEAT:
	case P9X_RUNLINKAT:
		break;
	default:
		return -EPROTO;
	}
	if (p9x_rd_open(&r, msg, len, type))
		return -EPROTO;
	return p9x_rd_done(&r);
}
