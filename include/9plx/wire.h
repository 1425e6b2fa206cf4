/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 9plx wire codec: typed encoders for 9P2000.L T-messages and typed,
 * bounds-checked decoders for R-messages, in both dialects (9P2000.L with
 * 13-byte qids, 9P2000.Lx with 21-byte qids).
 *
 * This header and fs/9p/wire.c have no VFS dependency; the same files build
 * in userspace for fuzzing and tests.  See
 * Documentation/filesystems/9p2000.Lx.rst for the wire format.
 */
#ifndef _9PLX_WIRE_H
#define _9PLX_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <errno.h>
/* Userspace builds (fuzzing, tests) on LP64 and ILP32 alike. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
#endif

/* Every message starts with size[4] type[1] tag[2]. */
#define P9X_HDR_SIZE		7
#define P9X_QID_SIZE_L		13	/* type[1] version[4] path[8] */
#define P9X_QID_SIZE_LX		21	/* ... dev[8] */
#define P9X_NOTAG		0xffffu
#define P9X_NOFID		0xffffffffu
#define P9X_NONUNAME		0xffffffffu
/* Most names one Twalk may carry (and qids one Rwalk may return). */
#define P9X_MAXWELEM		16
/*
 * An Rgetattr after its header, in dialect @d: sixteen 8-byte fields,
 * three 4-byte ones and a qid.
 */
#define P9X_ATTR_SIZE(d)	(16 * 8 + 3 * 4 + p9x_qid_size(d))
/* The longest Rwalkgetattr: a qid per name, then the attributes */
#define P9X_RWALKGETATTR_MAX	(P9X_HDR_SIZE + 2 + \
				 (P9X_MAXWELEM + 1) * P9X_QID_SIZE_LX + \
				 16 * 8 + 3 * 4)
/* Twrite/Tread/Treaddir framing ahead of the payload. */
#define P9X_IOHDR_SIZE		(P9X_HDR_SIZE + 4 + 8 + 4)
/* Rread/Rreaddir framing ahead of the payload. */
#define P9X_RIOHDR_SIZE		(P9X_HDR_SIZE + 4)

#define P9X_VERSION_L		"9P2000.L"
#define P9X_VERSION_LX		"9P2000.Lx"

enum p9x_dialect {
	P9X_DIALECT_L,		/* 9P2000.L: qid without dev */
	P9X_DIALECT_LX,		/* 9P2000.Lx: qid with dev */
};

enum p9x_msg_type {
	P9X_TLERROR = 6,	P9X_RLERROR,
	P9X_TSTATFS = 8,	P9X_RSTATFS,
	P9X_TLOPEN = 12,	P9X_RLOPEN,
	P9X_TLCREATE = 14,	P9X_RLCREATE,
	P9X_TSYMLINK = 16,	P9X_RSYMLINK,
	P9X_TMKNOD = 18,	P9X_RMKNOD,
	P9X_TRENAME = 20,	P9X_RRENAME,
	P9X_TREADLINK = 22,	P9X_RREADLINK,
	P9X_TGETATTR = 24,	P9X_RGETATTR,
	P9X_TSETATTR = 26,	P9X_RSETATTR,
	P9X_TXATTRWALK = 30,	P9X_RXATTRWALK,
	P9X_TXATTRCREATE = 32,	P9X_RXATTRCREATE,
	P9X_TREADDIR = 40,	P9X_RREADDIR,
	P9X_TFSYNC = 50,	P9X_RFSYNC,
	P9X_TLOCK = 52,		P9X_RLOCK,
	P9X_TGETLOCK = 54,	P9X_RGETLOCK,
	P9X_TLINK = 70,		P9X_RLINK,
	P9X_TMKDIR = 72,	P9X_RMKDIR,
	P9X_TRENAMEAT = 74,	P9X_RRENAMEAT,
	P9X_TUNLINKAT = 76,	P9X_RUNLINKAT,
	P9X_TWALKGETATTR = 78,	P9X_RWALKGETATTR,	/* 9P2000.Lx only */
	P9X_TVERSION = 100,	P9X_RVERSION,
	P9X_TAUTH = 102,	P9X_RAUTH,
	P9X_TATTACH = 104,	P9X_RATTACH,
	P9X_TERROR = 106,	P9X_RERROR,
	P9X_TFLUSH = 108,	P9X_RFLUSH,
	P9X_TWALK = 110,	P9X_RWALK,
	P9X_TREAD = 116,	P9X_RREAD,
	P9X_TWRITE = 118,	P9X_RWRITE,
	P9X_TCLUNK = 120,	P9X_RCLUNK,
	P9X_TREMOVE = 122,	P9X_RREMOVE,
};

/* qid.type bits */
#define P9X_QTDIR		0x80
#define P9X_QTAPPEND		0x40
#define P9X_QTEXCL		0x20
#define P9X_QTMOUNT		0x10
#define P9X_QTAUTH		0x08
#define P9X_QTTMP		0x04
#define P9X_QTSYMLINK		0x02
#define P9X_QTLINK		0x01
#define P9X_QTFILE		0x00

/* Tgetattr request_mask / Rgetattr valid bits */
#define P9X_GETATTR_MODE	0x00000001ULL
#define P9X_GETATTR_NLINK	0x00000002ULL
#define P9X_GETATTR_UID		0x00000004ULL
#define P9X_GETATTR_GID		0x00000008ULL
#define P9X_GETATTR_RDEV	0x00000010ULL
#define P9X_GETATTR_ATIME	0x00000020ULL
#define P9X_GETATTR_MTIME	0x00000040ULL
#define P9X_GETATTR_CTIME	0x00000080ULL
#define P9X_GETATTR_INO		0x00000100ULL
#define P9X_GETATTR_SIZE	0x00000200ULL
#define P9X_GETATTR_BLOCKS	0x00000400ULL
#define P9X_GETATTR_BTIME	0x00000800ULL
#define P9X_GETATTR_GEN		0x00001000ULL
#define P9X_GETATTR_DATA_VERSION 0x00002000ULL
#define P9X_GETATTR_BASIC	0x000007ffULL
#define P9X_GETATTR_ALL		0x00003fffULL
/* What names a file for the client: the basic fields and the generation. */
#define P9X_GETATTR_IDENT	(P9X_GETATTR_BASIC | P9X_GETATTR_GEN)

/* Tsetattr valid bits */
#define P9X_SETATTR_MODE	0x00000001U
#define P9X_SETATTR_UID		0x00000002U
#define P9X_SETATTR_GID		0x00000004U
#define P9X_SETATTR_SIZE	0x00000008U
#define P9X_SETATTR_ATIME	0x00000010U
#define P9X_SETATTR_MTIME	0x00000020U
#define P9X_SETATTR_CTIME	0x00000040U
#define P9X_SETATTR_ATIME_SET	0x00000080U
#define P9X_SETATTR_MTIME_SET	0x00000100U

/*
 * Tlopen/Tlcreate flags.  9P2000.L fixes these to the values of Linux on
 * x86, whatever the client's architecture.
 */
#define P9X_O_RDONLY		00000000
#define P9X_O_WRONLY		00000001
#define P9X_O_RDWR		00000002
#define P9X_O_NOACCESS		00000003
#define P9X_O_ACCMODE		00000003
#define P9X_O_CREAT		00000100
#define P9X_O_EXCL		00000200
#define P9X_O_NOCTTY		00000400
#define P9X_O_TRUNC		00001000
#define P9X_O_APPEND		00002000
#define P9X_O_NONBLOCK		00004000
#define P9X_O_DSYNC		00010000
#define P9X_O_FASYNC		00020000
#define P9X_O_DIRECT		00040000
#define P9X_O_LARGEFILE		00100000
#define P9X_O_DIRECTORY		00200000
#define P9X_O_NOFOLLOW		00400000
#define P9X_O_NOATIME		01000000
#define P9X_O_CLOEXEC		02000000
#define P9X_O_SYNC		04000000

/* Tlock type / Rlock status */
#define P9X_LOCK_TYPE_RDLCK	0
#define P9X_LOCK_TYPE_WRLCK	1
#define P9X_LOCK_TYPE_UNLCK	2
#define P9X_LOCK_FLAGS_BLOCK	1
#define P9X_LOCK_FLAGS_RECLAIM	2
#define P9X_LOCK_SUCCESS	0
#define P9X_LOCK_BLOCKED	1
#define P9X_LOCK_ERROR		2
#define P9X_LOCK_GRACE		3

/* Tunlinkat flags */
#define P9X_AT_REMOVEDIR	0x200

/**
 * struct p9x_qid - a server's name for a file
 * @type: P9X_QT* bits
 * @version: server's version of the file (often 0 or mtime-derived)
 * @path: unique within @dev: the host inode number on QEMU
 * @dev: host device; always 0 in 9P2000.L sessions
 *
 * In 9P2000.Lx two qids name the same file iff type, path and dev match.
 */
struct p9x_qid {
	u8 type;
	u32 version;
	u64 path;
	u64 dev;
};

/**
 * struct p9x_str - a counted string inside a received message
 * @s: first byte; points into the reply buffer, not NUL-terminated
 * @len: length in bytes
 *
 * Valid only as long as the reply buffer it was decoded from.
 */
struct p9x_str {
	const char *s;
	u16 len;
};

/* Rgetattr body. */
struct p9x_attr {
	u64 valid;
	struct p9x_qid qid;
	u32 mode;
	u32 uid;
	u32 gid;
	u64 nlink;
	u64 rdev;
	u64 size;
	u64 blksize;
	u64 blocks;
	u64 atime_sec;
	u64 atime_nsec;
	u64 mtime_sec;
	u64 mtime_nsec;
	u64 ctime_sec;
	u64 ctime_nsec;
	u64 btime_sec;
	u64 btime_nsec;
	u64 gen;
	u64 data_version;
};

/* Tsetattr body. */
struct p9x_iattr {
	u32 valid;
	u32 mode;
	u32 uid;
	u32 gid;
	u64 size;
	u64 atime_sec;
	u64 atime_nsec;
	u64 mtime_sec;
	u64 mtime_nsec;
};

/*
 * Rstatfs body, in wire order: type[4] bsize[4] blocks[8] bfree[8]
 * bavail[8] files[8] ffree[8] fsid[8] namelen[4].
 */
struct p9x_statfs {
	u32 fs_type;		/* the server's f_type */
	u32 block_size;
	u64 total_blocks;
	u64 free_blocks;
	u64 avail_blocks;	/* free to unprivileged users */
	u64 total_files;
	u64 free_files;
	u64 fs_id;
	u32 max_name_len;
};

/* Tlock body. */
struct p9x_lock {
	u8 type;
	u32 flags;
	u64 start;
	u64 length;
	u32 proc_id;
	const char *client_id;
};

/* Tgetlock body (client_id as a C string) and Rgetlock body. */
struct p9x_getlock {
	u8 type;
	u64 start;
	u64 length;
	u32 proc_id;
	const char *client_id;
};

struct p9x_rgetlock {
	u8 type;
	u64 start;
	u64 length;
	u32 proc_id;
	struct p9x_str client_id;
};

/* One Rreaddir entry. */
struct p9x_dirent {
	struct p9x_qid qid;
	u64 offset;
	u8 type;
	struct p9x_str name;
};

/**
 * struct p9x_wbuf - T-message being encoded
 * @data: output buffer, may be NULL when only sizing
 * @cap: bytes available at @data
 * @len: bytes the message needs so far; may exceed @cap
 *
 * Encoders always advance @len, and only store bytes that fit in @cap, so
 * encoding into a zero-capacity buffer measures a message.  An encoder
 * returns -EMSGSIZE when the message did not fit.
 */
struct p9x_wbuf {
	u8 *data;
	u32 cap;
	u32 len;
};

static inline void p9x_wbuf_init(struct p9x_wbuf *b, void *data, u32 cap)
{
	b->data = data;
	b->cap = data ? cap : 0;
	b->len = 0;
}

/**
 * struct p9x_dirent_iter - walks the entries of an Rreaddir payload
 * @p: next unread byte
 * @end: one past the payload
 * @dialect: qid width to expect
 */
struct p9x_dirent_iter {
	const u8 *p;
	const u8 *end;
	enum p9x_dialect dialect;
};

/* Size on the wire of a qid in @d. */
static inline u32 p9x_qid_size(enum p9x_dialect d)
{
	return d == P9X_DIALECT_LX ? P9X_QID_SIZE_LX : P9X_QID_SIZE_L;
}

/*
 * Encoders.  Each writes one complete T-message with the given tag and
 * returns 0, -EMSGSIZE if it did not fit the buffer (b->len then tells the
 * size needed), or -ENAMETOOLONG for a string longer than 65535 bytes.
 * Strings are NUL-terminated C strings.
 */
int p9x_enc_tversion(struct p9x_wbuf *b, u16 tag, u32 msize,
		     const char *version);
int p9x_enc_tauth(struct p9x_wbuf *b, u16 tag, u32 afid, const char *uname,
		  const char *aname, u32 n_uname);
int p9x_enc_tattach(struct p9x_wbuf *b, u16 tag, u32 fid, u32 afid,
		    const char *uname, const char *aname, u32 n_uname);
int p9x_enc_tflush(struct p9x_wbuf *b, u16 tag, u16 oldtag);
/* @nwname must be at most P9X_MAXWELEM, else -EINVAL. */
int p9x_enc_twalk(struct p9x_wbuf *b, u16 tag, u32 fid, u32 newfid,
		  unsigned int nwname, const char *const *wnames);
/* 9P2000.Lx: Twalk and Tgetattr of the result, in one message. */
int p9x_enc_twalkgetattr(struct p9x_wbuf *b, u16 tag, u32 fid, u32 newfid,
			 u64 request_mask, unsigned int nwname,
			 const char *const *wnames);
int p9x_enc_tread(struct p9x_wbuf *b, u16 tag, u32 fid, u64 offset,
		  u32 count);
/*
 * With @data NULL only the P9X_IOHDR_SIZE framing is stored, but the size
 * field covers @count payload bytes the transport sends from elsewhere.
 */
int p9x_enc_twrite(struct p9x_wbuf *b, u16 tag, u32 fid, u64 offset,
		   u32 count, const void *data);
int p9x_enc_tclunk(struct p9x_wbuf *b, u16 tag, u32 fid);
int p9x_enc_tremove(struct p9x_wbuf *b, u16 tag, u32 fid);
int p9x_enc_tstatfs(struct p9x_wbuf *b, u16 tag, u32 fid);
int p9x_enc_tlopen(struct p9x_wbuf *b, u16 tag, u32 fid, u32 flags);
int p9x_enc_tlcreate(struct p9x_wbuf *b, u16 tag, u32 fid, const char *name,
		     u32 flags, u32 mode, u32 gid);
int p9x_enc_tsymlink(struct p9x_wbuf *b, u16 tag, u32 dfid, const char *name,
		     const char *target, u32 gid);
int p9x_enc_tmknod(struct p9x_wbuf *b, u16 tag, u32 dfid, const char *name,
		   u32 mode, u32 major, u32 minor, u32 gid);
int p9x_enc_trename(struct p9x_wbuf *b, u16 tag, u32 fid, u32 dfid,
		    const char *name);
int p9x_enc_treadlink(struct p9x_wbuf *b, u16 tag, u32 fid);
int p9x_enc_tgetattr(struct p9x_wbuf *b, u16 tag, u32 fid, u64 request_mask);
int p9x_enc_tsetattr(struct p9x_wbuf *b, u16 tag, u32 fid,
		     const struct p9x_iattr *ia);
int p9x_enc_txattrwalk(struct p9x_wbuf *b, u16 tag, u32 fid, u32 newfid,
		       const char *name);
int p9x_enc_txattrcreate(struct p9x_wbuf *b, u16 tag, u32 fid,
			 const char *name, u64 attr_size, u32 flags);
int p9x_enc_treaddir(struct p9x_wbuf *b, u16 tag, u32 fid, u64 offset,
		     u32 count);
int p9x_enc_tfsync(struct p9x_wbuf *b, u16 tag, u32 fid, u32 datasync);
int p9x_enc_tlock(struct p9x_wbuf *b, u16 tag, u32 fid,
		  const struct p9x_lock *lk);
int p9x_enc_tgetlock(struct p9x_wbuf *b, u16 tag, u32 fid,
		     const struct p9x_getlock *gl);
int p9x_enc_tlink(struct p9x_wbuf *b, u16 tag, u32 dfid, u32 fid,
		  const char *name);
int p9x_enc_tmkdir(struct p9x_wbuf *b, u16 tag, u32 dfid, const char *name,
		   u32 mode, u32 gid);
int p9x_enc_trenameat(struct p9x_wbuf *b, u16 tag, u32 olddfid,
		      const char *oldname, u32 newdfid, const char *newname);
int p9x_enc_tunlinkat(struct p9x_wbuf *b, u16 tag, u32 dfid, const char *name,
		      u32 flags);

/*
 * Decoders.  Each takes one whole received message (@msg, @len bytes,
 * header included), checks that its size field equals @len, that its type
 * is the one the decoder is for, that every count and string fits, and
 * that nothing is left over.  They return 0 or -EPROTO and never read
 * outside [@msg, @msg + @len).  Tags are the caller's business.
 */
struct p9x_hdr {
	u32 size;
	u8 type;
	u16 tag;
};

/*
 * Header only: checks 7 <= size <= @len.  Used to route a reply to its
 * request before the typed decoder runs.
 */
int p9x_dec_hdr(const void *msg, size_t len, struct p9x_hdr *h);
/**
 * p9x_dec_reply() - check that a reply answers a request
 * @msg: received message
 * @len: bytes received
 * @tag: tag of the request
 * @type: R-message type the request expects
 * @ecode: set to the server's errno when the reply is an Rlerror
 *
 * Return: 0 if @msg is a well-formed header of type @type with tag @tag
 * (the typed decoder checks the body), 1 if it is a well-formed Rlerror
 * with tag @tag, -EPROTO for anything else (wrong tag, wrong type, bad
 * size, an errno of 0 or above 4095).
 */
int p9x_dec_reply(const void *msg, size_t len, u16 tag, u8 type, u32 *ecode);
/* Rlerror: @ecode is the server's Linux errno, as sent. */
int p9x_dec_rlerror(const void *msg, size_t len, u32 *ecode);
int p9x_dec_rversion(const void *msg, size_t len, u32 *msize,
		     struct p9x_str *version);
int p9x_dec_rauth(const void *msg, size_t len, enum p9x_dialect d,
		  struct p9x_qid *aqid);
int p9x_dec_rattach(const void *msg, size_t len, enum p9x_dialect d,
		    struct p9x_qid *qid);
/* At most @maxqid qids are accepted (P9X_MAXWELEM or fewer). */
int p9x_dec_rwalk(const void *msg, size_t len, enum p9x_dialect d,
		  unsigned int maxqid, u16 *nwqid, struct p9x_qid *qids);
/*
 * @nwname is what the Twalkgetattr asked for: @attr is filled exactly when
 * *@nwqid comes back equal to it.
 */
int p9x_dec_rwalkgetattr(const void *msg, size_t len, enum p9x_dialect d,
			 unsigned int nwname, u16 *nwqid, struct p9x_qid *qids,
			 struct p9x_attr *attr);
/* @data points into @msg. */
int p9x_dec_rread(const void *msg, size_t len, u32 *count, const u8 **data);
/*
 * An Rread whose payload went elsewhere (zero copy): @hdr holds the
 * P9X_RIOHDR_SIZE bytes of framing, @total is the length of the whole
 * message as received.
 */
int p9x_dec_rread_split(const void *hdr, size_t hdr_len, u32 total, u16 tag,
			u32 *count);
int p9x_dec_rwrite(const void *msg, size_t len, u32 *count);
int p9x_dec_rstatfs(const void *msg, size_t len, struct p9x_statfs *st);
int p9x_dec_rlopen(const void *msg, size_t len, enum p9x_dialect d,
		   struct p9x_qid *qid, u32 *iounit);
int p9x_dec_rlcreate(const void *msg, size_t len, enum p9x_dialect d,
		     struct p9x_qid *qid, u32 *iounit);
int p9x_dec_rsymlink(const void *msg, size_t len, enum p9x_dialect d,
		     struct p9x_qid *qid);
int p9x_dec_rmknod(const void *msg, size_t len, enum p9x_dialect d,
		   struct p9x_qid *qid);
int p9x_dec_rmkdir(const void *msg, size_t len, enum p9x_dialect d,
		   struct p9x_qid *qid);
int p9x_dec_rreadlink(const void *msg, size_t len, struct p9x_str *target);
int p9x_dec_rgetattr(const void *msg, size_t len, enum p9x_dialect d,
		     struct p9x_attr *attr);
int p9x_dec_rxattrwalk(const void *msg, size_t len, u64 *size);
/* The iterator is set up over the payload; entries come from next(). */
int p9x_dec_rreaddir(const void *msg, size_t len, enum p9x_dialect d,
		     struct p9x_dirent_iter *it);
int p9x_dec_rlock(const void *msg, size_t len, u8 *status);
int p9x_dec_rgetlock(const void *msg, size_t len, struct p9x_rgetlock *gl);
/*
 * Replies with no body: Rflush, Rclunk, Rremove, Rrename, Rsetattr,
 * Rxattrcreate, Rfsync, Rlink, Rrenameat, Runlinkat.  @type is the
 * expected R-message type.
 */
int p9x_dec_rempty(const void *msg, size_t len, u8 type);

/**
 * p9x_dirent_next() - decode the next Rreaddir entry
 * @it: iterator from p9x_dec_rreaddir()
 * @de: filled with the entry; @de->name points into the reply
 *
 * Return: 1 with @de filled, 0 at the end of the payload, or -EPROTO if
 * the entry is truncated or malformed (the iterator then stays at the end).
 */
int p9x_dirent_next(struct p9x_dirent_iter *it, struct p9x_dirent *de);

/**
 * struct p9x_dirloop - catches Rreaddir offsets that go round
 * @last: offset of the last entry taken
 * @mark: an earlier offset, kept for comparison
 * @steps: entries taken since @mark was set
 * @span: entries after which @mark moves on (doubling each time)
 *
 * A directory read resumes at the offset of the last entry it took, so
 * a server whose offsets repeat would be read forever.  An offset equal
 * to the last one, or to @mark, is taken for a loop; moving @mark at
 * doubling intervals (Brent's cycle detection) finds every cycle, of
 * any length, within a few times its length, in constant space.
 */
struct p9x_dirloop {
	u64 last;
	u64 mark;
	u64 steps;
	u64 span;
};

void p9x_dirloop_start(struct p9x_dirloop *dl, u64 offset);
bool p9x_dirloop_seen(const struct p9x_dirloop *dl, u64 offset);
void p9x_dirloop_take(struct p9x_dirloop *dl, u64 offset);

#endif /* _9PLX_WIRE_H */
