// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: a small 9P2000.L and 9P2000.Lx server that lies on purpose.
 *
 * It serves a fixed in-memory tree, correctly by default, over a unix
 * socket or a pair of descriptors.  A client that offers "9P2000.Lx" gets
 * a 9P2000.Lx session (21-byte qids, Twalkgetattr); one that offers
 * "9P2000.L" a 9P2000.L session, where Twalkgetattr is an unknown message
 * (Rlerror EOPNOTSUPP, as QEMU answers).  A scenario makes one kind of
 * reply hostile (a wrong tag, a count larger than the message, a name
 * with a slash, an errno no client should pass on...), so that a client
 * can be shown to fail cleanly.  The VM tests run it inside the guest
 * (tests/vm/guest/hostile.sh).
 *
 *   hostile -s PATH SCENARIO      listen on the unix socket PATH and serve
 *                                 one connection after the other
 *   hostile -r FD -w FD SCENARIO  serve one client on two descriptors
 *   hostile -l                    list the scenarios, one "name: what" a line
 *   hostile -t                    self-test: every scenario's server against
 *                                 a client made of the project's codec, in
 *                                 a 9P2000.L and a 9P2000.Lx session
 *   hostile do OP PATH [ARG]      a probe for the guest: one system call,
 *                                 then "ok ..." or "err ENAME" (below)
 *
 * The tree:  hello.txt ("hello, world\n"), dir/ holding a ("a\n"), link
 * (-> hello.txt), victim (empty, may be unlinked); hello.txt carries the
 * attribute user.hostile = "hello".  In the stale-* scenarios only, grow
 * ("first\n"), the one file that may be written and truncated, also
 * found by a second name, grow.link (a hard link); its bytes are shown
 * on stderr at the end of the session ("grow holds HEX").  In 9P2000.Lx
 * every node's qid has dev HOSTILE_DEV and its own path.
 *
 * In a 9P2000.Lx session a client looks a name up with one Twalkgetattr
 * instead of Twalk and Tgetattr, so the scenarios that lie in "hello.txt's
 * Rgetattr" (or its Rwalk) tell the same lie in the Rwalkgetattr that
 * reaches hello.txt: the same errno, tag, size field, duplicate, cut or
 * extra qid.  The attribute lies (sizes, times, nlink, mode, qid type) are
 * in every reply that carries the attributes.  The lx-* scenarios lie only
 * in 9P2000.Lx sessions and serve a 9P2000.L session correctly.
 *
 * Every correct reply is checked with the project's own decoders
 * (fs/9p/wire.c) before it is sent, so the server's "correct" is the
 * codec's.  Hostile replies are built by hand and are not checked.
 *
 * Probe operations (hostile do): stat, read (prints the bytes as hex),
 * readlink, list (getdents64, at most 1000 entries, names as hex),
 * getxattr NAME (size probe, then the value as hex), lock (F_SETLK),
 * getlock (F_GETLK), unlink; and, for the stale-* scenarios, stale-stat
 * and stale-lookup (probe_stale()).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "9plx/wire.h"

#define MAXMSG		(1024u * 1024u)
#define NFIDS		512
#define SLOW_SECS	25
/* flush-walk: how long the client may speak between Tflush and Rflush. */
#define FLUSH_WALK_MS	1000

/* Scenarios: one hostile reply each, HS_CORRECT none. */
enum scen {
	HS_CORRECT,
	HS_VERSION_MSIZE0, HS_VERSION_MSIZE_TINY, HS_VERSION_MSIZE_BIG,
	HS_VERSION_UNKNOWN, HS_VERSION_BOGUS, HS_VERSION_TAG,
	HS_TAG_WRONG, HS_TAG_DUP, HS_FLUSH_LATE, HS_FLUSH_RACE,
	HS_FLUSH_IGNORED, HS_FLUSH_WALK, HS_SILENT, HS_CLOSE_MID, HS_SLOW,
	HS_SIZE_SMALL, HS_SIZE_HUGE, HS_WRONG_TYPE,
	HS_WALK_EXTRA, HS_WALK_QID_TYPE, HS_DIR_TO_FILE,
	HS_READ_OVER_ASKED, HS_READ_OVER_MSG, HS_READ_SHORT, HS_READ_SHORT_EIO,
	HS_READDIR_OVER_ASKED, HS_READDIR_OVER_MSG,
	HS_NAME_EMPTY, HS_NAME_DOT, HS_NAME_SLASH, HS_NAME_NUL, HS_NAME_LONG,
	HS_OFFSET_REPEAT, HS_OFFSET_CYCLE,
	HS_SIZE_ABSURD, HS_NLINK_ZERO, HS_NLINK_HUGE, HS_TIMES_ABSURD,
	HS_MODE_BOGUS,
	HS_LERROR_0, HS_LERROR_512, HS_LERROR_4095, HS_LERROR_4096,
	HS_LERROR_NEG,
	HS_LINK_HUGE, HS_LINK_NUL, HS_LINK_SELF,
	HS_XATTR_SHORT, HS_XATTR_HUGE, HS_XATTR_LONG,
	HS_LOCK_BOGUS, HS_GETLOCK_BOGUS,
	/*
	 * A stale reply: the attributes of grow (below), read before the
	 * client's own write reached the server, are held until its Tfsync,
	 * when that write and its writeback are over.
	 */
	HS_STALE_GETATTR, HS_STALE_LOOKUP,
	/*
	 * 9P2000.Lx only, correct in 9P2000.L sessions.  The Rwalkgetattr
	 * ones lie in the lookup of hello.txt; wqid dir, attributes file is
	 * legal (a racing rename): the attributes name the file.
	 */
	HS_LX_WGA_EXTRA, HS_LX_WGA_PARTIAL, HS_LX_WGA_NOATTR,
	HS_LX_WGA_SHORT, HS_LX_WGA_TYPE, HS_LX_WGA_UNSUP,
	HS_LX_QID_SHORT, HS_LX_ATTACH_SHORT, HS_LX_READDIR_SHORT,
	HS_COUNT
};

static const struct {
	const char *name;
	const char *what;
} scens[HS_COUNT] = {
	[HS_CORRECT] = { "correct", "no lie at all" },
	[HS_VERSION_MSIZE0] = { "version-msize0", "Rversion with msize 0" },
	[HS_VERSION_MSIZE_TINY] = { "version-msize-tiny", "Rversion with msize 64" },
	[HS_VERSION_MSIZE_BIG] = { "version-msize-big", "Rversion with 16 times the msize" },
	[HS_VERSION_UNKNOWN] = { "version-unknown", "Rversion \"unknown\" to every offer" },
	[HS_VERSION_BOGUS] = { "version-bogus", "Rversion \"9P2000.u\" to every offer" },
	[HS_VERSION_TAG] = { "version-tag", "Rversion with tag 1 instead of NOTAG" },
	[HS_TAG_WRONG] = { "tag-wrong", "hello.txt's attributes come under a tag no request has" },
	[HS_TAG_DUP] = { "tag-dup", "hello.txt's attributes are sent twice" },
	[HS_FLUSH_LATE] = { "flush-late", "a held Rread sent after the Rflush that forgot it" },
	[HS_FLUSH_RACE] = { "flush-race", "a held Rread sent just before the Rflush (legal)" },
	[HS_FLUSH_IGNORED] = { "flush-ignored", "a read and its Tflush are never answered" },
	[HS_FLUSH_WALK] = { "flush-walk", "the walk to dir, held, is answered before its Rflush" },
	[HS_SILENT] = { "silent", "from the walk to hello.txt on, no answer, socket kept open" },
	[HS_CLOSE_MID] = { "close-mid", "half of hello.txt's attributes, then EOF" },
	[HS_SLOW] = { "slow", "every Rread comes 25 s late" },
	[HS_SIZE_SMALL] = { "size-small", "hello.txt's attributes: size field 5" },
	[HS_SIZE_HUGE] = { "size-huge", "hello.txt's attributes: size field 2^31-1" },
	[HS_WRONG_TYPE] = { "wrong-type", "hello.txt's attributes: an Rlopen" },
	[HS_WALK_EXTRA] = { "walk-extra", "the walk to hello.txt: one qid more than names" },
	[HS_WALK_QID_TYPE] = { "walk-qid-type", "hello.txt's qids: directory; mode: file" },
	[HS_DIR_TO_FILE] = { "dir-to-file", "dir becomes a regular file once listed" },
	[HS_READ_OVER_ASKED] = { "read-over-asked", "Rread of hello.txt: 16 bytes over count" },
	[HS_READ_OVER_MSG] = { "read-over-msg", "Rread of hello.txt: count past its end" },
	[HS_READ_SHORT] = { "read-short", "Rread of hello.txt: half of what is left (legal)" },
	[HS_READ_SHORT_EIO] = { "read-short-eio", "Rread of hello.txt: the first half, then EIO" },
	[HS_READDIR_OVER_ASKED] = { "readdir-over-asked", "Rreaddir with more bytes than asked" },
	[HS_READDIR_OVER_MSG] = { "readdir-over-msg", "Rreaddir with a count beyond the message" },
	[HS_NAME_EMPTY] = { "name-empty", "the root lists an entry named \"\"" },
	[HS_NAME_DOT] = { "name-dot", "the root lists \".\" and \"..\" twice" },
	[HS_NAME_SLASH] = { "name-slash", "the root lists \"a/b\"" },
	[HS_NAME_NUL] = { "name-nul", "the root lists \"hello.txt\\0x\"" },
	[HS_NAME_LONG] = { "name-long", "the root lists a name of 300 bytes" },
	[HS_OFFSET_REPEAT] = { "offset-repeat", "Rreaddir's last offset is the one asked for" },
	[HS_OFFSET_CYCLE] = { "offset-cycle", "Rreaddir offsets run 0, 100, 200, 100, ..." },
	[HS_SIZE_ABSURD] = { "size-absurd", "hello.txt is 2^64-1 bytes long" },
	[HS_NLINK_ZERO] = { "nlink-zero", "victim has nlink 0 (and is unlinked)" },
	[HS_NLINK_HUGE] = { "nlink-huge", "victim has nlink 2^32 (and is unlinked)" },
	[HS_TIMES_ABSURD] = { "times-absurd", "hello.txt's times: 2^63+5 s, 3e9 ns" },
	[HS_MODE_BOGUS] = { "mode-bogus", "hello.txt's mode has file type 0170000" },
	[HS_LERROR_0] = { "lerror-0", "hello.txt's attributes: Rlerror 0" },
	[HS_LERROR_512] = { "lerror-512", "hello.txt's attributes: Rlerror 512" },
	[HS_LERROR_4095] = { "lerror-4095", "hello.txt's attributes: Rlerror 4095" },
	[HS_LERROR_4096] = { "lerror-4096", "hello.txt's attributes: Rlerror 4096" },
	[HS_LERROR_NEG] = { "lerror-neg", "hello.txt's attributes: Rlerror -1" },
	[HS_LINK_HUGE] = { "link-huge", "link's target is 8000 bytes" },
	[HS_LINK_NUL] = { "link-nul", "link's target is \"hello.txt\\0/x\"" },
	[HS_LINK_SELF] = { "link-self", "link's target is \"link\"" },
	[HS_XATTR_SHORT] = { "xattr-short", "Rxattrwalk says 64 bytes, the value has 5" },
	[HS_XATTR_HUGE] = { "xattr-huge", "Rxattrwalk says 2^40 bytes" },
	[HS_XATTR_LONG] = { "xattr-long", "Rxattrwalk says 5 bytes, Rread brings 64" },
	[HS_LOCK_BOGUS] = { "lock-bogus", "Rlock with status 77" },
	[HS_GETLOCK_BOGUS] = { "getlock-bogus", "Rgetlock with lock type 99" },
	[HS_STALE_GETATTR] = { "stale-getattr", "grow's Rgetattr after Tsetattr: after Tfsync" },
	[HS_STALE_LOOKUP] = { "stale-lookup", "grow.link's lookup: after Tfsync" },
	[HS_LX_WGA_EXTRA] = { "lx-walkgetattr-extra", "Rwalkgetattr: 2 qids for 1 name" },
	[HS_LX_WGA_PARTIAL] = { "lx-walkgetattr-partial-attr", "Rwalkgetattr: 0 qids, attributes" },
	[HS_LX_WGA_NOATTR] = { "lx-walkgetattr-noattr", "Rwalkgetattr: 1 qid, no attributes" },
	[HS_LX_WGA_SHORT] = { "lx-walkgetattr-short", "Rwalkgetattr: attributes 8 bytes short" },
	[HS_LX_WGA_TYPE] = { "lx-walkgetattr-type", "Rwalkgetattr: wqid dir, attributes file" },
	[HS_LX_WGA_UNSUP] = { "lx-walkgetattr-unsupported", "Rlerror EOPNOTSUPP to all" },
	[HS_LX_QID_SHORT] = { "lx-qid-short", "hello.txt's qids are 13 bytes" },
	[HS_LX_ATTACH_SHORT] = { "lx-attach-short", "Rattach's qid is 13 bytes" },
	[HS_LX_READDIR_SHORT] = { "lx-readdir-short", "the root's Rreaddir qids are 13 bytes" },
};

/* ---- the tree ---------------------------------------------------------- */

enum { N_ROOT, N_HELLO, N_DIR, N_A, N_LINK, N_VICTIM, N_GROW, N_COUNT };

struct node {
	const char *name;
	int parent;
	u32 mode;
	const char *data;	/* content, or a symlink's target */
};

static const struct node nodes[N_COUNT] = {
	[N_ROOT] = { "", N_ROOT, 040755, NULL },
	[N_HELLO] = { "hello.txt", N_ROOT, 0100644, "hello, world\n" },
	[N_DIR] = { "dir", N_ROOT, 040755, NULL },
	[N_A] = { "a", N_DIR, 0100644, "a\n" },
	[N_LINK] = { "link", N_ROOT, 0120777, "hello.txt" },
	[N_VICTIM] = { "victim", N_ROOT, 0100644, "" },
	[N_GROW] = { "grow", N_ROOT, 0100644, NULL },
};

/* grow: what it holds when a session begins, and how far it may grow. */
#define GROW_FIRST	"first\n"
#define GROW_MAX	8192
#define GROW_LINK	"grow.link"

/* The dev of every qid in 9P2000.Lx sessions: one filesystem. */
#define HOSTILE_DEV	0x4853000000000801ULL

#define XATTR_NAME	"user.hostile"
#define XATTR_VALUE	"hello"

struct fid {
	bool used;
	u32 fid;
	int node;
	bool xattr;		/* reads give the attribute's value */
	bool listed;		/* read to the end of its directory */
	bool by_link;		/* grow, walked to by the name grow.link */
};

struct srv {
	int rfd, wfd;
	enum scen scen;
	u32 msize;
	enum p9x_dialect dialect;
	u16 wga_nwname;		/* names of the Twalkgetattr being answered */
	struct fid fids[NFIDS];
	bool victim_gone;
	bool dir_listed;	/* dir-to-file: dir is a file from now on */
	bool silent;
	bool report;		/* fids left at the end, on stderr */
	/* a reply held back for the flush scenarios */
	u8 held[256];
	u32 held_len;
	u16 held_tag;
	bool holding;
	/* flush-walk: the Twalk (or Twalkgetattr) to dir, held */
	u8 walk_msg[8192];
	u32 walk_len;
	u16 walk_tag;
	u32 walk_newfid;
	enum { WALK_NONE, WALK_HELD, WALK_FLUSHED, WALK_DONE } walk_state;
	/* grow's bytes, and the stale-* scenarios' held reply */
	u8 grow[GROW_MAX];
	u32 grow_len;
	bool grow_set;		/* a Tsetattr of grow came */
	enum { STALE_NONE, STALE_HELD, STALE_SENT } stale_state;
	u8 stale_msg[1024];
	u32 stale_len;
	u8 in[MAXMSG];
	u8 out[MAXMSG + 4096];
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "hostile: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static u64 node_path(int n)
{
	return 0x1000 + n;
}

static u8 node_qtype(const struct srv *s, int n)
{
	u32 fmt = nodes[n].mode & 0170000;

	if (n == N_HELLO && s->scen == HS_WALK_QID_TYPE)
		return P9X_QTDIR;
	if (n == N_DIR && s->dir_listed)
		return P9X_QTFILE;
	if (fmt == 040000)
		return P9X_QTDIR;
	if (fmt == 0120000)
		return P9X_QTSYMLINK;
	return P9X_QTFILE;
}

static u32 node_mode(const struct srv *s, int n)
{
	if (n == N_DIR && s->dir_listed)
		return 0100644;
	if (n == N_HELLO && s->scen == HS_MODE_BOGUS)
		return 0170644;
	return nodes[n].mode;
}

static const char *node_target(const struct srv *s, int n, u32 *len)
{
	static char huge[8001];

	switch (s->scen) {
	case HS_LINK_HUGE:
		memset(huge, 'x', 8000);
		*len = 8000;
		return huge;
	case HS_LINK_NUL:
		*len = sizeof("hello.txt\0/x") - 1;
		return "hello.txt\0/x";
	case HS_LINK_SELF:
		*len = 4;
		return "link";
	default:
		*len = strlen(nodes[n].data);
		return nodes[n].data;
	}
}

static bool stale_scen(const struct srv *s)
{
	return s->scen == HS_STALE_GETATTR || s->scen == HS_STALE_LOOKUP;
}

static bool node_exists(const struct srv *s, int n)
{
	if (n == N_GROW)
		return stale_scen(s);
	return !(n == N_VICTIM && s->victim_gone);
}

/* Child @name of directory @d, or -1. */
static int lookup(const struct srv *s, int d, const char *name, u16 len)
{
	int n;

	if (len == 2 && !memcmp(name, "..", 2))
		return nodes[d].parent;
	if (len == 1 && name[0] == '.')
		return d;
	if (d == N_ROOT && stale_scen(s) && len == strlen(GROW_LINK) &&
	    !memcmp(name, GROW_LINK, len))
		return N_GROW;
	for (n = 1; n < N_COUNT; n++)
		if (nodes[n].parent == d && strlen(nodes[n].name) == len &&
		    !memcmp(nodes[n].name, name, len) && node_exists(s, n))
			return n;
	return -1;
}

static struct fid *fid_get(struct srv *s, u32 fid)
{
	int i;

	for (i = 0; i < NFIDS; i++)
		if (s->fids[i].used && s->fids[i].fid == fid)
			return &s->fids[i];
	return NULL;
}

static struct fid *fid_new(struct srv *s, u32 fid)
{
	int i;

	if (fid_get(s, fid))
		return NULL;
	for (i = 0; i < NFIDS; i++) {
		if (!s->fids[i].used) {
			memset(&s->fids[i], 0, sizeof(s->fids[i]));
			s->fids[i].used = true;
			s->fids[i].fid = fid;
			return &s->fids[i];
		}
	}
	return NULL;
}

/* ---- reading T-messages ---------------------------------------------- */

struct rd {
	const u8 *p, *end;
	bool bad;
};

static const u8 *rd_take(struct rd *r, u32 n)
{
	const u8 *p = r->p;

	if (r->bad || (u32)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	return p;
}

static u8 rd8(struct rd *r)
{
	const u8 *p = rd_take(r, 1);

	return p ? p[0] : 0;
}

static u16 rd16(struct rd *r)
{
	const u8 *p = rd_take(r, 2);

	return p ? (u16)(p[0] | p[1] << 8) : 0;
}

static u32 rd32(struct rd *r)
{
	const u8 *p = rd_take(r, 4);

	return p ? (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 |
		   (u32)p[3] << 24 : 0;
}

static u64 rd64(struct rd *r)
{
	u64 lo = rd32(r);

	return lo | (u64)rd32(r) << 32;
}

static const char *rdstr(struct rd *r, u16 *len)
{
	*len = rd16(r);
	return (const char *)rd_take(r, *len);
}

/* ---- writing R-messages ---------------------------------------------- */

struct wr {
	u8 *buf;
	u32 len;
	u32 cap;
	bool wide;		/* qids with dev: 9P2000.Lx */
};

static void wr_bytes(struct wr *w, const void *p, u32 n)
{
	if (w->len + (u64)n > w->cap)
		die("reply too large for the buffer");
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void wr8(struct wr *w, u8 v)
{
	wr_bytes(w, &v, 1);
}

static void wr16(struct wr *w, u16 v)
{
	u8 b[2] = { v & 0xff, v >> 8 };

	wr_bytes(w, b, 2);
}

static void wr32(struct wr *w, u32 v)
{
	u8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

	wr_bytes(w, b, 4);
}

static void wr64(struct wr *w, u64 v)
{
	wr32(w, (u32)v);
	wr32(w, (u32)(v >> 32));
}

static void wrstr(struct wr *w, const char *p, u16 len)
{
	wr16(w, len);
	wr_bytes(w, p, len);
}

/* A qid of the session's width (w->wide), or 13 bytes when it lies. */
static void wrqid(struct wr *w, u8 type, u64 path)
{
	wr8(w, type);
	wr32(w, 0);
	wr64(w, path);
	if (w->wide)
		wr64(w, HOSTILE_DEV);
}

static void put32at(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static void wr_begin(struct srv *s, struct wr *w, u8 type, u16 tag)
{
	w->buf = s->out;
	w->cap = sizeof(s->out);
	w->len = 0;
	w->wide = s->dialect == P9X_DIALECT_LX;
	wr32(w, 0);
	wr8(w, type);
	wr16(w, tag);
}

static void wr_end(struct wr *w)
{
	put32at(w->buf, w->len);
}

static void send_bytes(struct srv *s, const void *p, size_t n)
{
	const u8 *b = p;

	while (n) {
		ssize_t k = write(s->wfd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			exit(0);	/* the client is gone */
		b += k;
		n -= k;
	}
}

/*
 * A correct reply: decoded with the project's codec first, in the
 * session's dialect, so that what this server calls correct is what
 * 9plx's decoders accept.
 */
static void check_reply(const struct srv *s, const u8 *m, u32 len, u8 type)
{
	enum p9x_dialect d = s->dialect;
	struct p9x_dirent_iter it;
	struct p9x_dirent de;
	struct p9x_rgetlock gl;
	struct p9x_statfs st;
	struct p9x_attr attr;
	struct p9x_qid qids[P9X_MAXWELEM + 1];
	struct p9x_str str;
	const u8 *data;
	u32 u, ec;
	u16 nq;
	u64 sz;
	u8 st8;
	int err;

	switch (type) {
	case P9X_RLERROR:
		err = p9x_dec_rlerror(m, len, &ec);
		break;
	case P9X_RVERSION:
		err = p9x_dec_rversion(m, len, &u, &str);
		break;
	case P9X_RATTACH:
		err = p9x_dec_rattach(m, len, d, qids);
		break;
	case P9X_RWALK:
		err = p9x_dec_rwalk(m, len, d, P9X_MAXWELEM, &nq, qids);
		break;
	case P9X_RWALKGETATTR:
		err = p9x_dec_rwalkgetattr(m, len, d, s->wga_nwname, &nq, qids,
					   &attr);
		break;
	case P9X_RGETATTR:
		err = p9x_dec_rgetattr(m, len, d, &attr);
		break;
	case P9X_RLOPEN:
		err = p9x_dec_rlopen(m, len, d, qids, &u);
		break;
	case P9X_RREAD:
		err = p9x_dec_rread(m, len, &u, &data);
		break;
	case P9X_RWRITE:
		err = p9x_dec_rwrite(m, len, &u);
		break;
	case P9X_RREADDIR:
		err = p9x_dec_rreaddir(m, len, d, &it);
		while (!err && (err = p9x_dirent_next(&it, &de)) > 0)
			;
		break;
	case P9X_RREADLINK:
		err = p9x_dec_rreadlink(m, len, &str);
		break;
	case P9X_RSTATFS:
		err = p9x_dec_rstatfs(m, len, &st);
		break;
	case P9X_RXATTRWALK:
		err = p9x_dec_rxattrwalk(m, len, &sz);
		break;
	case P9X_RLOCK:
		err = p9x_dec_rlock(m, len, &st8);
		break;
	case P9X_RGETLOCK:
		err = p9x_dec_rgetlock(m, len, &gl);
		break;
	default:
		err = p9x_dec_rempty(m, len, type);
		break;
	}
	if (err < 0)
		die("correct reply of type %u does not decode (%d)", type, err);
}

static void send_reply(struct srv *s, struct wr *w)
{
	wr_end(w);
	check_reply(s, w->buf, w->len, w->buf[4]);
	send_bytes(s, w->buf, w->len);
}

/* A hostile reply: sent as built, never checked. */
static void send_raw(struct srv *s, struct wr *w)
{
	send_bytes(s, w->buf, w->len);
}

static void rlerror(struct srv *s, u16 tag, u32 ecode)
{
	struct wr w;

	wr_begin(s, &w, P9X_RLERROR, tag);
	wr32(&w, ecode);
	if (ecode && ecode < 4096) {
		send_reply(s, &w);
	} else {
		wr_end(&w);
		send_raw(s, &w);
	}
}

/* ---- the handlers ----------------------------------------------------- */

static void t_version(struct srv *s, struct rd *r, u16 tag)
{
	const char *ver;
	bool lx;
	struct wr w;
	u32 msize;
	u16 vl;

	msize = rd32(r);
	ver = rdstr(r, &vl);
	if (r->bad)
		return rlerror(s, tag, EPROTO);
	lx = vl == 9 && !memcmp(ver, P9X_VERSION_LX, 9);
	s->dialect = P9X_DIALECT_L;
	if (msize > MAXMSG)
		msize = MAXMSG;
	s->msize = msize;
	wr_begin(s, &w, P9X_RVERSION, tag);
	switch (s->scen) {
	case HS_VERSION_MSIZE0:
		wr32(&w, 0);
		break;
	case HS_VERSION_MSIZE_TINY:
		wr32(&w, 64);
		break;
	case HS_VERSION_MSIZE_BIG:
		wr32(&w, msize * 16);
		break;
	default:
		wr32(&w, msize);
		break;
	}
	if (s->scen == HS_VERSION_UNKNOWN)
		wrstr(&w, "unknown", 7);
	else if (s->scen == HS_VERSION_BOGUS)
		wrstr(&w, "9P2000.u", 8);
	else if (lx)
		wrstr(&w, P9X_VERSION_LX, 9);
	else if (vl >= 8 && !memcmp(ver, P9X_VERSION_L, 8))
		wrstr(&w, P9X_VERSION_L, 8);
	else
		wrstr(&w, "unknown", 7);
	if (lx && s->scen != HS_VERSION_UNKNOWN && s->scen != HS_VERSION_BOGUS)
		s->dialect = P9X_DIALECT_LX;
	if (s->scen == HS_VERSION_TAG)
		w.buf[5] = 1, w.buf[6] = 0;
	wr_end(&w);
	if (s->scen >= HS_VERSION_MSIZE0 && s->scen <= HS_VERSION_TAG)
		send_raw(s, &w);
	else
		send_reply(s, &w);
}

static void t_attach(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f;
	struct wr w;
	u16 l;
	u32 fid;

	fid = rd32(r);
	rd32(r);
	rdstr(r, &l);
	rdstr(r, &l);
	rd32(r);
	if (r->bad)
		return rlerror(s, tag, EPROTO);
	f = fid_new(s, fid);
	if (!f)
		return rlerror(s, tag, EBADF);
	f->node = N_ROOT;
	wr_begin(s, &w, P9X_RATTACH, tag);
	if (w.wide && s->scen == HS_LX_ATTACH_SHORT) {
		w.wide = false;
		wrqid(&w, P9X_QTDIR, node_path(N_ROOT));
		wr_end(&w);
		return send_raw(s, &w);
	}
	wrqid(&w, P9X_QTDIR, node_path(N_ROOT));
	send_reply(s, &w);
}

/* lx-qid-short: the replies naming hello.txt have 13-byte qids. */
static bool qid_short(const struct srv *s, int n)
{
	return s->dialect == P9X_DIALECT_LX && s->scen == HS_LX_QID_SHORT &&
	       n == N_HELLO;
}

/* A Twalk or Twalkgetattr as far as walk_begin() takes it. */
struct walk {
	struct fid *f;
	u32 newfid;
	u16 nw;
	int qn[P9X_MAXWELEM];	/* the nodes walked */
	int i;			/* how many */
	bool hello;		/* hello.txt is one of them */
	bool by_link;		/* the last one is grow, by the name grow.link */
};

/*
 * Read a Twalk, or with @wga a Twalkgetattr, and walk its names.  Returns
 * false when the request is answered already (an error, or silence from
 * hello.txt on).
 */
static bool walk_begin(struct srv *s, struct rd *r, u16 tag, bool wga,
		       struct walk *wk)
{
	const char *name;
	u16 l;
	int n;

	wk->f = fid_get(s, rd32(r));
	wk->newfid = rd32(r);
	if (wga)
		rd64(r);
	wk->nw = rd16(r);
	wk->hello = false;
	wk->by_link = false;
	if (r->bad || wk->nw > P9X_MAXWELEM || !wk->f) {
		rlerror(s, tag, r->bad || wk->nw > P9X_MAXWELEM ? EPROTO : EBADF);
		return false;
	}
	n = wk->f->node;
	for (wk->i = 0; wk->i < wk->nw; wk->i++) {
		name = rdstr(r, &l);
		if (r->bad) {
			rlerror(s, tag, EPROTO);
			return false;
		}
		if ((node_mode(s, n) & 0170000) != 040000)
			break;
		n = lookup(s, n, name, l);
		if (n < 0)
			break;
		if (n == N_HELLO)
			wk->hello = true;
		wk->by_link = n == N_GROW && l == strlen(GROW_LINK) &&
			      !memcmp(name, GROW_LINK, l);
		wk->qn[wk->i] = n;
	}
	if (wk->hello && s->scen == HS_SILENT) {
		s->silent = true;
		return false;
	}
	if (wk->nw && wk->i == 0) {
		rlerror(s, tag, ENOENT);
		return false;
	}
	return true;
}

/*
 * A full walk from @f binds @newfid (or moves @f) to node @n, reached by
 * the name grow.link if @by_link.
 */
static bool walk_fid(struct srv *s, struct fid *f, u32 newfid, int n,
		     bool by_link)
{
	struct fid *nf = newfid == f->fid ? f : fid_new(s, newfid);

	if (!nf)
		return false;
	nf->node = n;
	nf->xattr = false;
	nf->by_link = by_link;
	return true;
}

static void t_walk(struct srv *s, struct rd *r, u16 tag)
{
	struct walk wk;
	struct wr w;
	int *qn = wk.qn, n, i;
	bool hello;

	if (!walk_begin(s, r, tag, false, &wk))
		return;
	i = wk.i;
	hello = wk.hello;
	if (i == wk.nw && !walk_fid(s, wk.f, wk.newfid,
				    i ? qn[i - 1] : wk.f->node,
				    i ? wk.by_link : wk.f->by_link))
		return rlerror(s, tag, EBADF);
	wr_begin(s, &w, P9X_RWALK, tag);
	if (hello && qid_short(s, N_HELLO)) {
		w.wide = false;
		wr16(&w, i);
		for (n = 0; n < i; n++)
			wrqid(&w, node_qtype(s, qn[n]), node_path(qn[n]));
		wr_end(&w);
		return send_raw(s, &w);
	}
	if (hello && s->scen == HS_WALK_EXTRA) {
		wr16(&w, i + 1);
		for (n = 0; n < i; n++)
			wrqid(&w, node_qtype(s, qn[n]), node_path(qn[n]));
		wrqid(&w, P9X_QTFILE, node_path(N_A));
		wr_end(&w);
		return send_raw(s, &w);
	}
	wr16(&w, i);
	for (n = 0; n < i; n++)
		wrqid(&w, node_qtype(s, qn[n]), node_path(qn[n]));
	send_reply(s, &w);
}

static void getattr_body(struct srv *s, struct wr *w, int n)
{
	u64 size = nodes[n].data ? strlen(nodes[n].data) : 0;
	u64 nlink = (nodes[n].mode & 040000) ? 2 : 1;
	u64 sec = 1700000000, nsec = 0;
	u32 tlen;

	if ((nodes[n].mode & 0170000) == 0120000) {
		node_target(s, n, &tlen);
		size = tlen;
	}
	if (n == N_DIR && s->dir_listed)
		size = 0;
	if (n == N_GROW)
		size = s->grow_len;
	if (n == N_HELLO && s->scen == HS_SIZE_ABSURD)
		size = ~0ULL;
	if (n == N_VICTIM && s->scen == HS_NLINK_ZERO)
		nlink = 0;
	if (n == N_VICTIM && s->scen == HS_NLINK_HUGE)
		nlink = 1ULL << 32;
	if (n == N_HELLO && s->scen == HS_TIMES_ABSURD) {
		sec = (1ULL << 63) + 5;
		nsec = 3000000000ULL;
	}
	wr64(w, P9X_GETATTR_BASIC);
	wrqid(w, node_qtype(s, n), node_path(n));
	wr32(w, node_mode(s, n));
	wr32(w, 0);
	wr32(w, 0);
	wr64(w, nlink);
	wr64(w, 0);
	wr64(w, size);
	wr64(w, 4096);
	wr64(w, (size + 511) / 512);
	wr64(w, sec);
	wr64(w, nsec);
	wr64(w, sec);
	wr64(w, nsec);
	wr64(w, sec);
	wr64(w, nsec);
	wr64(w, 0);
	wr64(w, 0);
	wr64(w, 0);
	wr64(w, 0);
}

/* The errno the lerror-* scenarios answer hello.txt's attributes with. */
static bool hello_lerror(const struct srv *s, u32 *ec)
{
	switch (s->scen) {
	case HS_LERROR_0:
		*ec = 0;
		return true;
	case HS_LERROR_512:
		*ec = 512;
		return true;
	case HS_LERROR_4095:
		*ec = 4095;
		return true;
	case HS_LERROR_4096:
		*ec = 4096;
		return true;
	case HS_LERROR_NEG:
		*ec = 0xffffffffu;
		return true;
	default:
		return false;
	}
}

/*
 * Send @w, the reply that brings hello.txt's attributes (an Rgetattr, or
 * in 9P2000.Lx an Rwalkgetattr), with the scenario's lie; @raw when it is
 * hostile already.
 */
static void send_hello_attr(struct srv *s, struct wr *w, u16 tag, bool raw)
{
	switch (s->scen) {
	case HS_TAG_WRONG:
		w->buf[6] ^= 0x40;
		break;
	case HS_TAG_DUP:
		wr_end(w);
		send_raw(s, w);
		break;
	case HS_CLOSE_MID:
		wr_end(w);
		send_bytes(s, w->buf, w->len / 2);
		exit(0);
	case HS_SIZE_SMALL:
		wr_end(w);
		put32at(w->buf, 5);
		return send_raw(s, w);
	case HS_SIZE_HUGE:
		wr_end(w);
		put32at(w->buf, 0x7fffffff);
		return send_raw(s, w);
	case HS_WRONG_TYPE:
		wr_begin(s, w, P9X_RLOPEN, tag);
		wrqid(w, P9X_QTFILE, node_path(N_HELLO));
		wr32(w, 0);
		break;
	default:
		if (!raw)
			return send_reply(s, w);
		break;
	}
	wr_end(w);
	send_raw(s, w);
}

/*
 * Send @w, a reply that brings grow's attributes: in the stale-*
 * scenarios, the first one asked for by the way the scenario names (a
 * Tgetattr once grow has had a Tsetattr, @wga false; a lookup by the
 * name grow.link, @by_link) is held instead, with the size grow has now,
 * until the next Tfsync (t_fsync()).
 */
static void send_grow_attr(struct srv *s, struct wr *w, bool by_link,
			   bool wga)
{
	bool hold = false;

	if (s->stale_state == STALE_NONE && s->scen == HS_STALE_GETATTR)
		hold = !wga && s->grow_set;
	if (s->stale_state == STALE_NONE && s->scen == HS_STALE_LOOKUP)
		hold = by_link;
	if (!hold)
		return send_reply(s, w);
	wr_end(w);
	check_reply(s, w->buf, w->len, w->buf[4]);
	if (w->len > sizeof(s->stale_msg))
		die("grow's attributes do not fit the held reply");
	memcpy(s->stale_msg, w->buf, w->len);
	s->stale_len = w->len;
	s->stale_state = STALE_HELD;
	fprintf(stderr, "hostile: holding the attributes of grow (size %u)\n",
		s->grow_len);
}

static void t_getattr(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	struct wr w;
	u32 ec;

	rd64(r);
	if (r->bad)
		return rlerror(s, tag, EPROTO);
	if (!f || !node_exists(s, f->node))
		return rlerror(s, tag, f ? ENOENT : EBADF);
	if (f->node == N_HELLO && hello_lerror(s, &ec))
		return rlerror(s, tag, ec);
	wr_begin(s, &w, P9X_RGETATTR, tag);
	if (qid_short(s, f->node))
		w.wide = false;
	getattr_body(s, &w, f->node);
	if (f->node == N_GROW)
		return send_grow_attr(s, &w, f->by_link, false);
	if (f->node != N_HELLO)
		return send_reply(s, &w);
	send_hello_attr(s, &w, tag, !w.wide && s->dialect == P9X_DIALECT_LX);
}

/*
 * Twalkgetattr (9P2000.Lx): the walk of a Twalk, then, when every name
 * was walked, the attributes of the file the new fid names.  Rlerror and
 * no new fid when the first name fails or the attributes cannot be read.
 * A 9P2000.L session does not know the message.
 */
static void t_walkgetattr(struct srv *s, struct rd *r, u16 tag)
{
	bool hello, full, raw = false;
	struct walk wk;
	struct wr w;
	int *qn = wk.qn, n, i, last;
	u32 ec;

	if (s->dialect != P9X_DIALECT_LX || s->scen == HS_LX_WGA_UNSUP)
		return rlerror(s, tag, EOPNOTSUPP);
	if (!walk_begin(s, r, tag, true, &wk))
		return;
	i = wk.i;
	full = i == wk.nw;
	last = i ? qn[i - 1] : wk.f->node;
	if (full && !node_exists(s, last))
		return rlerror(s, tag, ENOENT);
	/* The lies about hello.txt's attributes ride on the lookup. */
	hello = wk.hello && last == N_HELLO;
	if (full && hello && hello_lerror(s, &ec))
		return rlerror(s, tag, ec);
	if (full && !walk_fid(s, wk.f, wk.newfid, last,
			      i ? wk.by_link : wk.f->by_link))
		return rlerror(s, tag, EBADF);
	s->wga_nwname = wk.nw;
	wr_begin(s, &w, P9X_RWALKGETATTR, tag);
	if (hello && qid_short(s, N_HELLO)) {
		w.wide = false;
		raw = true;
	}
	if (!(full && hello)) {
		/* a partial walk, or a full one to another node */
		wr16(&w, i);
		for (n = 0; n < i; n++)
			wrqid(&w, node_qtype(s, qn[n]), node_path(qn[n]));
		if (full)
			getattr_body(s, &w, last);
		if (full && last == N_GROW)
			return send_grow_attr(s, &w, wk.by_link, true);
		if (!raw)
			return send_reply(s, &w);
		wr_end(&w);
		return send_raw(s, &w);
	}
	switch (s->scen) {
	case HS_WALK_EXTRA:
	case HS_LX_WGA_EXTRA:
		wr16(&w, i + 1);
		break;
	case HS_LX_WGA_PARTIAL:
		wr16(&w, 0);
		break;
	default:
		wr16(&w, i);
		break;
	}
	for (n = 0; n < i && s->scen != HS_LX_WGA_PARTIAL; n++)
		wrqid(&w, s->scen == HS_LX_WGA_TYPE && qn[n] == N_HELLO ?
		      P9X_QTDIR : node_qtype(s, qn[n]), node_path(qn[n]));
	switch (s->scen) {
	case HS_WALK_EXTRA:
		wrqid(&w, P9X_QTFILE, node_path(N_A));
		getattr_body(s, &w, last);
		raw = true;
		break;
	case HS_LX_WGA_EXTRA:
		wrqid(&w, P9X_QTFILE, node_path(N_A));
		raw = true;
		break;
	case HS_LX_WGA_NOATTR:
		raw = true;
		break;
	case HS_LX_WGA_SHORT:
		getattr_body(s, &w, last);
		w.len -= 8;
		raw = true;
		break;
	case HS_LX_WGA_PARTIAL:
		getattr_body(s, &w, last);
		raw = true;
		break;
	default:
		getattr_body(s, &w, last);
		break;
	}
	send_hello_attr(s, &w, tag, raw);
}

/* Anything but a new size of grow is taken and forgotten. */
static void t_setattr(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	u32 valid = rd32(r);
	struct wr w;
	u64 size;

	rd32(r);
	rd32(r);
	rd32(r);
	size = rd64(r);
	if (r->bad)
		return rlerror(s, tag, EPROTO);
	if (!f)
		return rlerror(s, tag, EBADF);
	if (f->node == N_GROW && (valid & P9X_SETATTR_SIZE)) {
		if (size > GROW_MAX)
			return rlerror(s, tag, EFBIG);
		if (size > s->grow_len)
			memset(s->grow + s->grow_len, 0, size - s->grow_len);
		s->grow_len = (u32)size;
	}
	if (f->node == N_GROW)
		s->grow_set = true;
	wr_begin(s, &w, P9X_RSETATTR, tag);
	send_reply(s, &w);
}

/* Only grow takes writes. */
static void t_write(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	u64 off = rd64(r);
	u32 count = rd32(r);
	const u8 *data = rd_take(r, count);
	struct wr w;

	if (r->bad)
		return rlerror(s, tag, EPROTO);
	if (!f)
		return rlerror(s, tag, EBADF);
	if (f->node != N_GROW || f->xattr)
		return rlerror(s, tag, EROFS);
	if (off > GROW_MAX || count > GROW_MAX - off)
		return rlerror(s, tag, EFBIG);
	if (off > s->grow_len)
		memset(s->grow + s->grow_len, 0, off - s->grow_len);
	memcpy(s->grow + off, data, count);
	if (off + count > s->grow_len)
		s->grow_len = (u32)(off + count);
	wr_begin(s, &w, P9X_RWRITE, tag);
	wr32(&w, count);
	send_reply(s, &w);
}

/* The held attributes of grow go first, then the Rfsync. */
static void t_fsync(struct srv *s, u16 tag)
{
	struct wr w;

	if (s->stale_state == STALE_HELD) {
		send_bytes(s, s->stale_msg, s->stale_len);
		s->stale_state = STALE_SENT;
		fprintf(stderr, "hostile: sent the held attributes of grow, %u bytes long now\n",
			s->grow_len);
	}
	wr_begin(s, &w, P9X_RFSYNC, tag);
	send_reply(s, &w);
}

static void t_lopen(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	u32 flags = rd32(r);
	struct wr w;

	if (r->bad)
		return rlerror(s, tag, EPROTO);
	if (!f)
		return rlerror(s, tag, EBADF);
	if ((flags & P9X_O_ACCMODE) != P9X_O_RDONLY && f->node != N_HELLO &&
	    f->node != N_GROW)
		return rlerror(s, tag, EROFS);
	wr_begin(s, &w, P9X_RLOPEN, tag);
	if (qid_short(s, f->node))
		w.wide = false;
	wrqid(&w, node_qtype(s, f->node), node_path(f->node));
	wr32(&w, 0);
	if (w.wide || s->dialect == P9X_DIALECT_L)
		return send_reply(s, &w);
	wr_end(&w);
	send_raw(s, &w);
}

/* Build the Rread for @f at @off; returns false if it is hostile. */
static bool build_rread(struct srv *s, struct wr *w, u16 tag, struct fid *f,
			u64 off, u32 count)
{
	static char pad[64];
	const char *data = "";
	u64 size;
	u32 n;

	memset(pad, '#', sizeof(pad));

	if (f->xattr)
		data = XATTR_VALUE;
	else if (f->node == N_GROW)
		data = (const char *)s->grow;
	else if (nodes[f->node].data && (nodes[f->node].mode & 0100000))
		data = nodes[f->node].data;
	size = !f->xattr && f->node == N_GROW ? s->grow_len : strlen(data);
	if (f->xattr && s->scen == HS_XATTR_LONG)
		data = pad, size = sizeof(pad);
	n = off < size ? size - off : 0;
	if (n > count && !(f->xattr && s->scen == HS_XATTR_LONG))
		n = count;
	/* read-short: a short count is not the end of the file in 9P */
	if (f->node == N_HELLO && !f->xattr && n > 1 &&
	    (s->scen == HS_READ_SHORT || s->scen == HS_READ_SHORT_EIO))
		n /= 2;
	wr_begin(s, w, P9X_RREAD, tag);
	if (f->node == N_HELLO && !f->xattr && s->scen == HS_READ_OVER_ASKED) {
		/* count + 16 bytes, all of them in the message */
		static u8 fill[MAXMSG];

		if (count > MAXMSG - 16)
			count = MAXMSG - 16;
		memset(fill, '!', count + 16);
		memcpy(fill, data + off, n);
		wr32(w, count + 16);
		wr_bytes(w, fill, count + 16);
		return false;
	}
	if (f->node == N_HELLO && !f->xattr && s->scen == HS_READ_OVER_MSG) {
		wr32(w, n + 1000);
		wr_bytes(w, data + off, n);
		return false;
	}
	wr32(w, n);
	wr_bytes(w, n ? data + off : "", n);
	return !(f->xattr && s->scen == HS_XATTR_LONG);
}

static void t_read(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	u64 off = rd64(r);
	u32 count = rd32(r);
	struct wr w;
	bool ok;

	if (r->bad)
		return rlerror(s, tag, EPROTO);
	if (!f)
		return rlerror(s, tag, EBADF);
	/* read-short-eio: what follows the short first answer fails */
	if (f->node == N_HELLO && !f->xattr && off &&
	    s->scen == HS_READ_SHORT_EIO)
		return rlerror(s, tag, EIO);
	ok = build_rread(s, &w, tag, f, off, count);
	wr_end(&w);
	if (f->node == N_HELLO && !f->xattr &&
	    (s->scen == HS_FLUSH_LATE || s->scen == HS_FLUSH_RACE ||
	     s->scen == HS_FLUSH_IGNORED) && w.len <= sizeof(s->held)) {
		memcpy(s->held, w.buf, w.len);
		s->held_len = w.len;
		s->held_tag = tag;
		s->holding = true;
		return;
	}
	if (s->scen == HS_SLOW)
		sleep(SLOW_SECS);
	if (ok)
		check_reply(s, w.buf, w.len, P9X_RREAD);
	send_raw(s, &w);
}

static void dispatch(struct srv *s, const u8 *m, u32 len);
static u32 read_msg(struct srv *s);

/* Milliseconds on a monotonic clock. */
static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/*
 * flush-walk: hold the first Twalk or Twalkgetattr whose first name is
 * "dir", unanswered and without binding its new fid, until its Tflush.
 */
static bool hold_walk(struct srv *s, const u8 *m, u32 len)
{
	u32 off = P9X_HDR_SIZE + 8 + (m[4] == P9X_TWALKGETATTR ? 8 : 0);
	u16 nw, l;

	if (s->scen != HS_FLUSH_WALK || s->walk_state != WALK_NONE ||
	    len < off + 4 || len > sizeof(s->walk_msg))
		return false;
	nw = (u16)(m[off] | m[off + 1] << 8);
	l = (u16)(m[off + 2] | m[off + 3] << 8);
	if (!nw || l != 3 || len < off + 4 + l || memcmp(m + off + 4, "dir", 3))
		return false;
	memcpy(s->walk_msg, m, len);
	s->walk_len = len;
	s->walk_tag = (u16)(m[5] | m[6] << 8);
	s->walk_newfid = (u32)m[P9X_HDR_SIZE + 4] |
			 (u32)m[P9X_HDR_SIZE + 5] << 8 |
			 (u32)m[P9X_HDR_SIZE + 6] << 16 |
			 (u32)m[P9X_HDR_SIZE + 7] << 24;
	s->walk_state = WALK_HELD;
	return true;
}

/*
 * flush-walk: the held walk's Tflush came.  Serve what the client sends
 * for FLUSH_WALK_MS (a Tclunk of the new fid among it is reported: the
 * walk may still bind it), then carry the walk out, which binds the new
 * fid, answer it, and only then Rflush, as flush(5) allows.
 */
static void flush_walk(struct srv *s, u16 tag)
{
	long long end = now_ms() + FLUSH_WALK_MS;
	struct pollfd p = { .fd = s->rfd, .events = POLLIN };
	struct wr w;
	u32 size;
	int left;

	s->walk_state = WALK_FLUSHED;
	while ((left = (int)(end - now_ms())) > 0) {
		if (poll(&p, 1, left) <= 0)
			continue;
		size = read_msg(s);
		if (!size)
			return;
		dispatch(s, s->in, size);
	}
	s->walk_state = WALK_DONE;
	dispatch(s, s->walk_msg, s->walk_len);
	wr_begin(s, &w, P9X_RFLUSH, tag);
	send_reply(s, &w);
}

static void t_flush(struct srv *s, struct rd *r, u16 tag)
{
	u16 old = rd16(r);
	struct wr w;

	if (s->walk_state == WALK_HELD && old == s->walk_tag)
		return flush_walk(s, tag);

	if (s->holding && old == s->held_tag) {
		if (s->scen == HS_FLUSH_IGNORED)
			return;
		s->holding = false;
		if (s->scen == HS_FLUSH_RACE)
			send_bytes(s, s->held, s->held_len);
		wr_begin(s, &w, P9X_RFLUSH, tag);
		send_reply(s, &w);
		if (s->scen == HS_FLUSH_LATE)
			send_bytes(s, s->held, s->held_len);
		return;
	}
	wr_begin(s, &w, P9X_RFLUSH, tag);
	send_reply(s, &w);
}

/* Directory entries of @d, as (node, name) with "." and ".." first. */
struct ent {
	int node;
	const char *name;
	u16 len;
	u8 dtype;
};

static int dir_entries(struct srv *s, int d, struct ent *e, int max)
{
	static char longname[301];
	int n, k = 0;

	e[k++] = (struct ent){ d, ".", 1, DT_DIR };
	e[k++] = (struct ent){ nodes[d].parent, "..", 2, DT_DIR };
	for (n = 1; n < N_COUNT && k < max - 2; n++) {
		u32 fmt = nodes[n].mode & 0170000;

		if (nodes[n].parent != d || !node_exists(s, n))
			continue;
		e[k++] = (struct ent){ n, nodes[n].name,
			(u16)strlen(nodes[n].name),
			fmt == 040000 ? DT_DIR : fmt == 0120000 ? DT_LNK : DT_REG };
		if (d != N_ROOT || n != N_HELLO)
			continue;
		/* The hostile names go right after hello.txt. */
		switch (s->scen) {
		case HS_NAME_EMPTY:
			e[k++] = (struct ent){ N_HELLO, "", 0, DT_REG };
			break;
		case HS_NAME_DOT:
			e[k++] = (struct ent){ N_ROOT, ".", 1, DT_DIR };
			e[k++] = (struct ent){ N_ROOT, "..", 2, DT_DIR };
			break;
		case HS_NAME_SLASH:
			e[k++] = (struct ent){ N_A, "a/b", 3, DT_REG };
			break;
		case HS_NAME_NUL:
			e[k++] = (struct ent){ N_HELLO, "hello.txt\0x", 11,
					       DT_REG };
			break;
		case HS_NAME_LONG:
			memset(longname, 'L', 300);
			e[k++] = (struct ent){ N_HELLO, longname, 300, DT_REG };
			break;
		default:
			break;
		}
	}
	return k;
}

static void t_readdir(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	u64 off = rd64(r);
	u32 count = rd32(r);
	bool hostile = false;
	struct ent e[16];
	u32 used = 0, cpos, qs;
	u64 next;
	int k, i;
	struct wr w;

	if (r->bad)
		return rlerror(s, tag, EPROTO);
	if (!f)
		return rlerror(s, tag, EBADF);
	if ((node_mode(s, f->node) & 0170000) != 040000)
		return rlerror(s, tag, ENOTDIR);
	k = dir_entries(s, f->node, e, 16);
	wr_begin(s, &w, P9X_RREADDIR, tag);
	if (w.wide && f->node == N_ROOT && s->scen == HS_LX_READDIR_SHORT) {
		w.wide = false;
		hostile = true;
	}
	qs = w.wide ? P9X_QID_SIZE_LX : P9X_QID_SIZE_L;
	cpos = w.len;
	wr32(&w, 0);
	for (i = 0; i < k; i++) {
		u32 sz = qs + 8 + 1 + 2 + e[i].len;

		if (f->node == N_ROOT && s->scen == HS_OFFSET_CYCLE) {
			/* 0-1 at offset 0, 2-3 at 100, the rest at 200 */
			u64 from = i < 2 ? 0 : i < 4 ? 100 : 200;

			if (from != off)
				continue;
			next = from == 100 ? 200 : 100;
		} else {
			if ((u64)i < off)
				continue;
			next = i + 1;
		}
		if (used + sz > count)
			break;
		if (f->node == N_ROOT && s->scen == HS_OFFSET_REPEAT &&
		    i + 1 == k)
			next = off;
		wrqid(&w, node_qtype(s, e[i].node), node_path(e[i].node));
		wr64(&w, next);
		wr8(&w, e[i].dtype);
		wrstr(&w, e[i].name, e[i].len);
		used += sz;
	}
	if (f->node == N_ROOT && s->scen >= HS_NAME_EMPTY &&
	    s->scen <= HS_OFFSET_CYCLE)
		hostile = true;
	while (f->node == N_ROOT && s->scen == HS_READDIR_OVER_ASKED && used &&
	       used <= count) {
		/* filler entries until the payload is beyond count */
		static char fill[60000];
		u32 nl = count - used + 16;

		nl = nl > sizeof(fill) ? sizeof(fill) : nl < 1 ? 1 : nl;
		memset(fill, 'z', nl);
		wrqid(&w, P9X_QTFILE, node_path(N_A));
		wr64(&w, 99);
		wr8(&w, DT_REG);
		wrstr(&w, fill, nl);
		used += qs + 8 + 1 + 2 + nl;
		hostile = true;
	}
	put32at(w.buf + cpos, used);
	if (f->node == N_ROOT && s->scen == HS_READDIR_OVER_MSG && used) {
		put32at(w.buf + cpos, used + 500);
		hostile = true;
	}
	if (f->node == N_DIR && !used)
		f->listed = true;
	wr_end(&w);
	if (hostile)
		send_raw(s, &w);
	else
		send_reply(s, &w);
}

static void t_readlink(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	const char *t;
	struct wr w;
	u32 len;

	if (!f)
		return rlerror(s, tag, EBADF);
	if ((nodes[f->node].mode & 0170000) != 0120000)
		return rlerror(s, tag, EINVAL);
	t = node_target(s, f->node, &len);
	wr_begin(s, &w, P9X_RREADLINK, tag);
	wrstr(&w, t, len);
	if (s->scen == HS_LINK_NUL) {
		wr_end(&w);
		return send_raw(s, &w);
	}
	send_reply(s, &w);
}

static void t_statfs(struct srv *s, u16 tag)
{
	struct wr w;

	wr_begin(s, &w, P9X_RSTATFS, tag);
	wr32(&w, 0x01021997);
	wr32(&w, 4096);
	wr64(&w, 1000);
	wr64(&w, 500);
	wr64(&w, 500);
	wr64(&w, 100);
	wr64(&w, 50);
	wr64(&w, 1);
	wr32(&w, 255);
	send_reply(s, &w);
}

static void t_xattrwalk(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	u32 newfid = rd32(r);
	const char *name;
	struct fid *nf;
	struct wr w;
	u64 size;
	u16 l;

	name = rdstr(r, &l);
	if (r->bad)
		return rlerror(s, tag, EPROTO);
	if (!f)
		return rlerror(s, tag, EBADF);
	if (f->node != N_HELLO || l != strlen(XATTR_NAME) ||
	    memcmp(name, XATTR_NAME, l))
		return rlerror(s, tag, ENODATA);
	nf = fid_new(s, newfid);
	if (!nf)
		return rlerror(s, tag, EBADF);
	nf->node = f->node;
	nf->xattr = true;
	size = strlen(XATTR_VALUE);
	if (s->scen == HS_XATTR_SHORT)
		size = 64;
	if (s->scen == HS_XATTR_HUGE)
		size = 1ULL << 40;
	wr_begin(s, &w, P9X_RXATTRWALK, tag);
	wr64(&w, size);
	send_reply(s, &w);
}

static void t_clunk(struct srv *s, struct rd *r, u16 tag)
{
	u32 fid = rd32(r);
	struct fid *f = fid_get(s, fid);
	struct wr w;

	if ((s->walk_state == WALK_HELD || s->walk_state == WALK_FLUSHED) &&
	    fid == s->walk_newfid)
		fprintf(stderr, "hostile: Tclunk of fid %u before the Rflush of its walk\n",
			fid);
	if (!f)
		return rlerror(s, tag, EBADF);
	f->used = false;
	/* dir-to-file: dir turns into a file once a listing of it is done */
	if (f->listed && s->scen == HS_DIR_TO_FILE)
		s->dir_listed = true;
	wr_begin(s, &w, P9X_RCLUNK, tag);
	send_reply(s, &w);
}

static void t_lock(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	struct wr w;

	if (!f)
		return rlerror(s, tag, EBADF);
	wr_begin(s, &w, P9X_RLOCK, tag);
	if (s->scen == HS_LOCK_BOGUS) {
		wr8(&w, 77);
		wr_end(&w);
		return send_raw(s, &w);
	}
	wr8(&w, P9X_LOCK_SUCCESS);
	send_reply(s, &w);
}

static void t_getlock(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	u8 type = rd8(r);
	u64 start = rd64(r), length = rd64(r);
	u32 pid = rd32(r);
	struct wr w;

	if (r->bad)
		return rlerror(s, tag, EPROTO);
	if (!f)
		return rlerror(s, tag, EBADF);
	wr_begin(s, &w, P9X_RGETLOCK, tag);
	if (s->scen == HS_GETLOCK_BOGUS) {
		wr8(&w, 99);
		wr64(&w, 0);
		wr64(&w, 0);
		wr32(&w, 4242);
		wrstr(&w, "x", 1);
		wr_end(&w);
		return send_raw(s, &w);
	}
	(void)type;
	wr8(&w, P9X_LOCK_TYPE_UNLCK);
	wr64(&w, start);
	wr64(&w, length);
	wr32(&w, pid);
	wrstr(&w, "", 0);
	send_reply(s, &w);
}

static void t_unlinkat(struct srv *s, struct rd *r, u16 tag)
{
	struct fid *f = fid_get(s, rd32(r));
	const char *name;
	struct wr w;
	u16 l;

	name = rdstr(r, &l);
	if (r->bad)
		return rlerror(s, tag, EPROTO);
	if (!f)
		return rlerror(s, tag, EBADF);
	if (f->node != N_ROOT || lookup(s, N_ROOT, name, l) != N_VICTIM)
		return rlerror(s, tag, EROFS);
	s->victim_gone = true;
	wr_begin(s, &w, P9X_RUNLINKAT, tag);
	send_reply(s, &w);
}

static void dispatch(struct srv *s, const u8 *m, u32 len)
{
	struct rd r = { m + P9X_HDR_SIZE, m + len, false };
	u8 type = m[4];
	u16 tag = (u16)(m[5] | m[6] << 8);

	if (s->silent)
		return;
	if ((type == P9X_TWALK || type == P9X_TWALKGETATTR) &&
	    hold_walk(s, m, len))
		return;
	switch (type) {
	case P9X_TVERSION:
		return t_version(s, &r, tag);
	case P9X_TATTACH:
		return t_attach(s, &r, tag);
	case P9X_TWALK:
		return t_walk(s, &r, tag);
	case P9X_TGETATTR:
		return t_getattr(s, &r, tag);
	case P9X_TWALKGETATTR:
		return t_walkgetattr(s, &r, tag);
	case P9X_TSETATTR:
		return t_setattr(s, &r, tag);
	case P9X_TLOPEN:
		return t_lopen(s, &r, tag);
	case P9X_TREAD:
		return t_read(s, &r, tag);
	case P9X_TREADDIR:
		return t_readdir(s, &r, tag);
	case P9X_TREADLINK:
		return t_readlink(s, &r, tag);
	case P9X_TSTATFS:
		return t_statfs(s, tag);
	case P9X_TXATTRWALK:
		return t_xattrwalk(s, &r, tag);
	case P9X_TCLUNK:
		return t_clunk(s, &r, tag);
	case P9X_TFLUSH:
		return t_flush(s, &r, tag);
	case P9X_TLOCK:
		return t_lock(s, &r, tag);
	case P9X_TGETLOCK:
		return t_getlock(s, &r, tag);
	case P9X_TUNLINKAT:
		return t_unlinkat(s, &r, tag);
	case P9X_TWRITE:
		return t_write(s, &r, tag);
	case P9X_TFSYNC:
		return t_fsync(s, tag);
	case P9X_TAUTH:
		return rlerror(s, tag, EOPNOTSUPP);
	default:
		return rlerror(s, tag, EROFS);
	}
}

static bool read_full(int fd, u8 *p, size_t n)
{
	while (n) {
		ssize_t k = read(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

/*
 * The fids the client left bound when it went away: a client that clunks
 * what it walked to leaves none after umount (tests/vm/guest/hostile.sh).
 * In the stale-* scenarios, grow's bytes first.
 */
static void report_fids(const struct srv *s)
{
	int i, n = 0;

	if (stale_scen(s)) {
		fprintf(stderr, "hostile: grow holds ");
		for (i = 0; i < (int)s->grow_len; i++)
			fprintf(stderr, "%02x", s->grow[i]);
		fprintf(stderr, "\n");
	}
	for (i = 0; i < NFIDS; i++)
		n += s->fids[i].used;
	fprintf(stderr, "hostile: end of session: %d fids bound", n);
	for (i = 0; i < NFIDS; i++)
		if (s->fids[i].used)
			fprintf(stderr, " %u", s->fids[i].fid);
	fprintf(stderr, "\n");
}

/* Read the client's next message into s->in: its size, 0 at the end. */
static u32 read_msg(struct srv *s)
{
	u32 size;

	if (!read_full(s->rfd, s->in, 4))
		return 0;
	size = (u32)s->in[0] | (u32)s->in[1] << 8 |
	       (u32)s->in[2] << 16 | (u32)s->in[3] << 24;
	if (size < P9X_HDR_SIZE || size > MAXMSG)
		die("client sent a message of %u bytes", size);
	if (!read_full(s->rfd, s->in + 4, size - 4))
		return 0;
	return size;
}

/* Serve one client until it goes away. */
static void serve(struct srv *s)
{
	u32 size;

	while ((size = read_msg(s)))
		dispatch(s, s->in, size);
	if (s->report)
		report_fids(s);
}

static int find_scen(const char *name)
{
	int i;

	for (i = 0; i < HS_COUNT; i++)
		if (!strcmp(scens[i].name, name))
			return i;
	return -1;
}

static struct srv *srv_new(int sc, int rfd, int wfd)
{
	struct srv *s = calloc(1, sizeof(*s));

	if (!s)
		die("out of memory");
	s->scen = sc;
	s->rfd = rfd;
	s->wfd = wfd;
	s->grow_len = strlen(GROW_FIRST);
	memcpy(s->grow, GROW_FIRST, s->grow_len);
	return s;
}

static int listen_unix(const char *path, int sc)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int ls, cs;

	if (strlen(path) >= sizeof(sa.sun_path))
		die("socket path too long");
	unlink(path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(ls, 4))
		die("cannot listen on %s: %s", path, strerror(errno));
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		cs = accept(ls, NULL, NULL);
		if (cs < 0) {
			if (errno == EINTR)
				continue;
			die("accept: %s", strerror(errno));
		}
		/* One process per connection: a stuck one blocks no other. */
		if (fork() == 0) {
			struct srv *s;

			close(ls);
			s = srv_new(sc, cs, cs);
			s->report = true;
			serve(s);
			exit(0);
		}
		close(cs);
	}
}

/* ---- the probe ---------------------------------------------------------- */

static int probe_err(void)
{
	const char *n = strerrorname_np(errno);

	printf("err %s\n", n ? n : "E?");
	return 1;
}

static void hex(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		printf("%02x", *b++);
}

/* Does the file @log hold @what? */
static bool log_has(const char *log, const char *what)
{
	static char text[65536];
	ssize_t n;
	int fd;

	fd = open(log, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return strstr(text, what);
}

/*
 * hostile do stale-stat PATH LOG, hostile do stale-lookup PATH NAME LOG:
 * the guest's own write against a stale reply (the stale-* scenarios).
 * PATH is opened read-write; a child stats it (stale-stat, after a
 * futimens() that makes that stat ask the server) or @name, another name
 * of the same file (stale-lookup).  Once the server says in the file LOG
 * that it holds the reply, "second\n" is written at the end of file and
 * fsync()ed (the server lets the reply go before the Rfsync); then, the
 * child done, "third\n" is written where lseek(SEEK_END) says and
 * fsync()ed.  Prints "ok held=H child=C end=E size=S": 1 if the reply
 * was held (0: the child's stat asked nothing, or got its answer at
 * once), the size the child saw, the end of file lseek() gave, and the
 * size fstat() gives at the end.
 */
static int probe_stale(const char *path, const char *name, const char *log)
{
	static const char more[] = "second\n", last[] = "third\n";
	char child[64] = "";
	int fd, pfd[2], held = 0;
	struct stat st;
	long long until;
	pid_t pid;
	off_t end;
	ssize_t n;

	fd = open(path, O_RDWR);
	if (fd < 0 || fstat(fd, &st))
		return probe_err();
	if (!name && futimens(fd, NULL))
		return probe_err();
	if (pipe(pfd))
		return probe_err();
	pid = fork();
	if (pid < 0)
		return probe_err();
	if (pid == 0) {
		struct stat cst;
		const char *e;

		if (stat(name ? name : path, &cst)) {
			e = strerrorname_np(errno);
			dprintf(pfd[1], "%s", e ? e : "E?");
		} else {
			dprintf(pfd[1], "%lld", (long long)cst.st_size);
		}
		_exit(0);
	}
	close(pfd[1]);
	for (until = now_ms() + 10000; now_ms() < until; usleep(10000)) {
		if (log_has(log, "hostile: holding")) {
			held = 1;
			break;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			pid = 0;
			break;
		}
	}
	if (pwrite(fd, more, strlen(more), st.st_size) != (ssize_t)strlen(more) ||
	    fsync(fd))
		return probe_err();
	if (pid)
		waitpid(pid, NULL, 0);
	n = read(pfd[0], child, sizeof(child) - 1);
	child[n > 0 ? n : 0] = '\0';
	end = lseek(fd, 0, SEEK_END);
	if (end < 0 || write(fd, last, strlen(last)) != (ssize_t)strlen(last) ||
	    fsync(fd) || fstat(fd, &st) || close(fd))
		return probe_err();
	printf("ok held=%d child=%s end=%lld size=%lld\n", held, child,
	       (long long)end, (long long)st.st_size);
	return 0;
}

static int do_probe(int argc, char **argv)
{
	const char *op = argv[0], *path = argv[1];
	static char buf[65536];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat st;
	ssize_t n;
	int fd;

	if (!strcmp(op, "stat")) {
		if (lstat(path, &st))
			return probe_err();
		printf("ok mode=%o size=%lld nlink=%llu mtime=%lld.%09ld\n",
		       st.st_mode, (long long)st.st_size,
		       (unsigned long long)st.st_nlink,
		       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		return 0;
	}
	if (!strcmp(op, "read")) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return probe_err();
		n = read(fd, buf, argc > 2 ? (size_t)atoi(argv[2]) % sizeof(buf) :
			 sizeof(buf));
		if (n < 0)
			return probe_err();
		printf("ok ");
		hex(buf, n);
		printf("\n");
		return 0;
	}
	if (!strcmp(op, "readlink")) {
		n = readlink(path, buf, sizeof(buf));
		if (n < 0)
			return probe_err();
		printf("ok ");
		hex(buf, n);
		printf("\n");
		return 0;
	}
	if (!strcmp(op, "list")) {
		int count = 0;

		fd = open(path, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return probe_err();
		printf("ok");
		while ((n = syscall(SYS_getdents64, fd, buf, 4096)) > 0) {
			long off = 0;

			while (off < n) {
				struct dirent64 *d = (void *)(buf + off);

				printf(" ");
				hex(d->d_name, strlen(d->d_name));
				off += d->d_reclen;
				if (++count >= 1000) {
					printf(" TOOMANY\n");
					return 1;
				}
			}
		}
		if (n < 0) {
			printf("\n");
			return probe_err();
		}
		printf("\n");
		return 0;
	}
	if (!strcmp(op, "getxattr") && argc > 2) {
		n = getxattr(path, argv[2], NULL, 0);
		if (n < 0)
			return probe_err();
		printf("size %zd\n", n);
		if (n > (ssize_t)sizeof(buf))
			n = sizeof(buf);
		memset(buf, 0xa5, sizeof(buf));
		n = getxattr(path, argv[2], buf, n);
		if (n < 0)
			return probe_err();
		printf("ok ");
		hex(buf, n);
		printf("\n");
		return 0;
	}
	if (!strcmp(op, "lock") || !strcmp(op, "getlock")) {
		fd = open(path, O_RDWR);
		if (fd < 0)
			return probe_err();
		if (fcntl(fd, op[0] == 'l' ? F_SETLK : F_GETLK, &fl))
			return probe_err();
		printf("ok type=%d\n", fl.l_type);
		return 0;
	}
	if (!strcmp(op, "unlink")) {
		if (unlink(path))
			return probe_err();
		printf("ok\n");
		return 0;
	}
	if (!strcmp(op, "stale-stat") && argc > 2)
		return probe_stale(path, NULL, argv[2]);
	if (!strcmp(op, "stale-lookup") && argc > 3)
		return probe_stale(path, argv[2], argv[3]);
	fprintf(stderr, "hostile: no probe named %s\n", op);
	return 2;
}

/* ---- self-test: the server against the codec's own client ------------- */

struct tcli {
	int fd;
	u8 buf[MAXMSG];
	u32 len;
	u16 tag;
};

static u8 tmsg[8192];

/* Send the T-message in tmsg. */
static int tsend(struct tcli *c, struct p9x_wbuf *b, int enc)
{
	if (enc)
		return enc;
	if (write(c->fd, tmsg, b->len) != (ssize_t)b->len)
		return -EIO;
	return 0;
}

/* Read one reply into c->buf. */
static int trecv(struct tcli *c)
{
	u32 size;

	if (!read_full(c->fd, c->buf, 4))
		return -EIO;
	size = (u32)c->buf[0] | (u32)c->buf[1] << 8 | (u32)c->buf[2] << 16 |
	       (u32)c->buf[3] << 24;
	if (size < P9X_HDR_SIZE || size > MAXMSG ||
	    !read_full(c->fd, c->buf + 4, size - 4))
		return -EIO;
	c->len = size;
	return 0;
}

/* Send the T-message in tmsg and read one reply into c->buf. */
static int tcall(struct tcli *c, struct p9x_wbuf *b, int enc)
{
	return tsend(c, b, enc) ?: trecv(c);
}

/* The tag of the reply in c->buf. */
static u16 rtag(const struct tcli *c)
{
	return (u16)(c->buf[5] | c->buf[6] << 8);
}

/* @q is node @n's qid in dialect @d: its path and, in 9P2000.Lx, dev. */
static bool qid_is(const struct p9x_qid *q, enum p9x_dialect d, int n)
{
	return q->path == node_path(n) &&
	       q->dev == (d == P9X_DIALECT_LX ? HOSTILE_DEV : 0);
}

/* Twalkgetattr of @nwname @names from fid 1 to @newfid. */
static int tcall_wga(struct tcli *c, u16 tag, u32 newfid,
		     unsigned int nwname, const char *const *names)
{
	struct p9x_wbuf b;

	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	return tcall(c, &b, p9x_enc_twalkgetattr(&b, tag, 1, newfid,
						 P9X_GETATTR_IDENT, nwname,
						 names));
}

/*
 * In 9P2000.Lx: the walks of Twalkgetattr the spec defines (a partial
 * walk creates no fid, a first name that fails is an Rlerror, no names
 * clone) and the attributes it brings.  Returns 0 or the failed step.
 */
static int selftest_wga(struct tcli *c)
{
	const enum p9x_dialect d = P9X_DIALECT_LX;
	const char *nope[2] = { "dir", "nope" };
	const char *names[2] = { "dir", "a" };
	struct p9x_qid qids[P9X_MAXWELEM];
	struct p9x_attr attr;
	struct p9x_wbuf b;
	u32 ec;
	u16 nq;
	int err;

	err = tcall_wga(c, 20, 6, 2, nope);
	if (err || p9x_dec_rwalkgetattr(c->buf, c->len, d, 2, &nq, qids,
					&attr) || nq != 1 ||
	    !qid_is(&qids[0], d, N_DIR))
		return 22;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(c, &b, p9x_enc_tgetattr(&b, 21, 6, P9X_GETATTR_BASIC));
	if (err || p9x_dec_reply(c->buf, c->len, 21, P9X_RGETATTR, &ec) != 1 ||
	    ec != EBADF)
		return 23;
	err = tcall_wga(c, 22, 6, 1, nope + 1);
	if (err || p9x_dec_reply(c->buf, c->len, 22, P9X_RWALKGETATTR,
				 &ec) != 1 || ec != ENOENT)
		return 24;
	err = tcall_wga(c, 23, 6, 0, NULL);
	if (err || p9x_dec_rwalkgetattr(c->buf, c->len, d, 0, &nq, qids,
					&attr) || nq != 0 ||
	    attr.qid.type != P9X_QTDIR || !qid_is(&attr.qid, d, N_ROOT))
		return 25;
	err = tcall_wga(c, 24, 7, 2, names);
	if (err || p9x_dec_rwalkgetattr(c->buf, c->len, d, 2, &nq, qids,
					&attr) || nq != 2 || attr.size != 2 ||
	    !qid_is(&qids[1], d, N_A) || !qid_is(&attr.qid, d, N_A))
		return 26;
	return 0;
}

/*
 * The stale-* scenarios (@sc) in dialect @d: the attributes of grow
 * asked for as the scenario says (a Tgetattr after a Tsetattr, or a
 * lookup by the name grow.link) are held while a Twrite extends grow,
 * then come with the size from before it, ahead of the Rfsync of the
 * next Tfsync; after that the size is the new one.  Returns 0 or the
 * failed step.
 */
static int selftest_stale(struct tcli *c, enum p9x_dialect d, int sc)
{
	static const char more[] = "second\n";
	const char *grow[1] = { "grow" };
	const char *link[1] = { GROW_LINK };
	struct p9x_iattr ia = { .valid = P9X_SETATTR_ATIME };
	struct p9x_qid qids[P9X_MAXWELEM];
	struct p9x_attr attr;
	struct p9x_wbuf b;
	u32 count;
	u16 nq;
	int err;

	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(c, &b, p9x_enc_twalk(&b, 40, 1, 40, 1, grow));
	if (err || p9x_dec_rwalk(c->buf, c->len, d, 1, &nq, qids) || nq != 1 ||
	    !qid_is(&qids[0], d, N_GROW))
		return 30;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(c, &b, p9x_enc_tlopen(&b, 41, 40, P9X_O_RDWR));
	if (err || p9x_dec_rlopen(c->buf, c->len, d, qids, &count))
		return 31;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	if (sc == HS_STALE_GETATTR) {
		err = tcall(c, &b, p9x_enc_tsetattr(&b, 43, 40, &ia));
		if (err || p9x_dec_rempty(c->buf, c->len, P9X_RSETATTR))
			return 32;
		p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
		err = tsend(c, &b, p9x_enc_tgetattr(&b, 42, 40,
						    P9X_GETATTR_BASIC));
	} else if (d == P9X_DIALECT_LX) {
		err = tsend(c, &b, p9x_enc_twalkgetattr(&b, 42, 1, 41,
							P9X_GETATTR_IDENT, 1,
							link));
	} else {
		err = tcall(c, &b, p9x_enc_twalk(&b, 44, 1, 41, 1, link));
		if (err || p9x_dec_rwalk(c->buf, c->len, d, 1, &nq, qids) ||
		    nq != 1 || !qid_is(&qids[0], d, N_GROW))
			return 33;
		p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
		err = tsend(c, &b, p9x_enc_tgetattr(&b, 42, 41,
						    P9X_GETATTR_BASIC));
	}
	if (err)
		return 34;
	/* The attributes are held: the next reply is the Rwrite. */
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(c, &b, p9x_enc_twrite(&b, 45, 40, strlen(GROW_FIRST),
					  strlen(more), more));
	if (err || rtag(c) != 45 || p9x_dec_rwrite(c->buf, c->len, &count) ||
	    count != strlen(more))
		return 35;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(c, &b, p9x_enc_tfsync(&b, 46, 40, 0));
	if (err || rtag(c) != 42)
		return 36;
	if (sc == HS_STALE_LOOKUP && d == P9X_DIALECT_LX)
		err = p9x_dec_rwalkgetattr(c->buf, c->len, d, 1, &nq, qids,
					   &attr);
	else
		err = p9x_dec_rgetattr(c->buf, c->len, d, &attr);
	if (err || attr.size != strlen(GROW_FIRST) ||
	    !qid_is(&attr.qid, d, N_GROW))
		return 37;
	if (trecv(c) || rtag(c) != 46 ||
	    p9x_dec_rempty(c->buf, c->len, P9X_RFSYNC))
		return 38;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(c, &b, p9x_enc_tgetattr(&b, 47, 40, P9X_GETATTR_BASIC));
	if (err || p9x_dec_rgetattr(c->buf, c->len, d, &attr) ||
	    attr.size != strlen(GROW_FIRST) + strlen(more))
		return 39;
	return 0;
}

/*
 * Drive one session in dialect @d the way a client does, checking each
 * reply with the codec.  Returns 0 if every reply was well formed and as
 * expected, else the number of the step that was not.
 */
static int selftest_session(int fd, enum p9x_dialect d, int sc)
{
	const char *ver = d == P9X_DIALECT_LX ? P9X_VERSION_LX : P9X_VERSION_L;
	static struct tcli c;
	struct p9x_dirent_iter it;
	struct p9x_dirent de;
	struct p9x_qid qids[P9X_MAXWELEM];
	struct p9x_attr attr;
	struct p9x_wbuf b;
	struct p9x_str str;
	const char *names[2] = { "dir", "a" };
	const char *hello[1] = { "hello.txt" };
	const u8 *data;
	u32 msize, count, ec;
	int ents = 0, err;
	u16 nq;
	u64 xs;

	c.fd = fd;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_tversion(&b, P9X_NOTAG, 65536, ver));
	if (err || p9x_dec_rversion(c.buf, c.len, &msize, &str) ||
	    str.len != strlen(ver) || memcmp(str.s, ver, str.len) ||
	    msize != 65536)
		return 1;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_tattach(&b, 1, 1, P9X_NOFID, "root", "",
					    0));
	if (err || p9x_dec_rattach(c.buf, c.len, d, qids) ||
	    qids[0].type != P9X_QTDIR || !qid_is(&qids[0], d, N_ROOT))
		return 2;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_twalk(&b, 2, 1, 2, 2, names));
	if (err || p9x_dec_rwalk(c.buf, c.len, d, 2, &nq, qids) ||
	    nq != 2 || !qid_is(&qids[1], d, N_A))
		return 3;
	/*
	 * The lookup of a 9P2000.Lx client, whose reply carries the lies
	 * about hello.txt's attributes; a 9P2000.L server does not know it.
	 */
	err = tcall_wga(&c, 3, 5, 1, hello);
	if (d == P9X_DIALECT_L) {
		if (err || p9x_dec_reply(c.buf, c.len, 3, P9X_RWALKGETATTR,
					 &ec) != 1 || ec != EOPNOTSUPP)
			return 20;
	} else {
		if (err || p9x_dec_rwalkgetattr(c.buf, c.len, d, 1, &nq, qids,
						&attr) || nq != 1 ||
		    attr.size != 13 || (attr.mode & 0170000) != 0100000 ||
		    !qid_is(&attr.qid, d, N_HELLO))
			return 20;
		/* legal (a racing rename), but not what this tree does */
		if (qids[0].type != attr.qid.type ||
		    !qid_is(&qids[0], d, N_HELLO))
			return 21;
	}
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_twalk(&b, 2, 1, 3, 1, hello));
	if (err || p9x_dec_rwalk(c.buf, c.len, d, 1, &nq, qids) || nq != 1)
		return 4;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_tgetattr(&b, 3, 3, P9X_GETATTR_BASIC));
	if (err || p9x_dec_rgetattr(c.buf, c.len, d, &attr) ||
	    attr.size != 13 || (attr.mode & 0170000) != 0100000)
		return 5;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_tlopen(&b, 4, 3, P9X_O_RDONLY));
	if (err || p9x_dec_rlopen(c.buf, c.len, d, qids, &count))
		return 6;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_tread(&b, 5, 3, 0, 100));
	if (err || p9x_dec_rread(c.buf, c.len, &count, &data) ||
	    count != 13 || memcmp(data, "hello, world\n", 13))
		return 7;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_tlopen(&b, 6, 1, P9X_O_RDONLY |
					   P9X_O_DIRECTORY));
	if (err || p9x_dec_rlopen(c.buf, c.len, d, qids, &count))
		return 8;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_treaddir(&b, 7, 1, 0, 4096));
	if (err || p9x_dec_rreaddir(c.buf, c.len, d, &it))
		return 9;
	while ((err = p9x_dirent_next(&it, &de)) > 0)
		if (de.qid.dev == (d == P9X_DIALECT_LX ? HOSTILE_DEV : 0))
			ents++;
	if (err || ents != (sc == HS_STALE_GETATTR || sc == HS_STALE_LOOKUP ?
			    7 : 6))
		return 10;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_txattrwalk(&b, 8, 3, 4, XATTR_NAME));
	if (err || p9x_dec_rxattrwalk(c.buf, c.len, &xs) || xs != 5)
		return 11;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_tgetattr(&b, 9, 77, P9X_GETATTR_BASIC));
	if (err || p9x_dec_reply(c.buf, c.len, 9, P9X_RGETATTR, &ec) != 1 ||
	    ec != EBADF)
		return 12;
	p9x_wbuf_init(&b, tmsg, sizeof(tmsg));
	err = tcall(&c, &b, p9x_enc_tclunk(&b, 10, 3));
	if (err || p9x_dec_rempty(c.buf, c.len, P9X_RCLUNK))
		return 13;
	if (sc == HS_STALE_GETATTR || sc == HS_STALE_LOOKUP)
		return selftest_stale(&c, d, sc);
	return d == P9X_DIALECT_LX ? selftest_wga(&c) : 0;
}

/*
 * The step at which a 9P2000.Lx session must fail against each lx-*
 * scenario (whose 9P2000.L session must pass): the lie is told where it
 * is meant to be.
 */
static const int lx_fails_at[HS_COUNT] = {
	[HS_LX_WGA_EXTRA] = 20,
	[HS_LX_WGA_PARTIAL] = 20,
	[HS_LX_WGA_NOATTR] = 20,
	[HS_LX_WGA_SHORT] = 20,
	[HS_LX_WGA_TYPE] = 21,
	[HS_LX_WGA_UNSUP] = 20,
	[HS_LX_QID_SHORT] = 20,
	[HS_LX_ATTACH_SHORT] = 2,
	[HS_LX_READDIR_SHORT] = 9,
};

/* Scenario @sc's server against a session in @d: the session's result. */
static int selftest_one(int sc, enum p9x_dialect d)
{
	int sv[2], rc, status;
	pid_t pid;

	fflush(stdout);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		alarm(5);
		serve(srv_new(sc, sv[1], sv[1]));
		exit(0);
	}
	close(sv[1]);
	/* The scenarios that hang hold up the session: bounded. */
	if (sc == HS_SLOW || sc == HS_SILENT || sc == HS_FLUSH_LATE ||
	    sc == HS_FLUSH_RACE || sc == HS_FLUSH_IGNORED ||
	    sc == HS_FLUSH_WALK) {
		kill(pid, SIGKILL);
		rc = -1;
	} else {
		rc = selftest_session(sv[0], d, sc);
	}
	close(sv[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		rc = 99;	/* a correct reply did not decode */
	return rc;
}

/*
 * Every scenario's server gets the correct session in 9P2000.L and in
 * 9P2000.Lx.  The correct one must pass both, and so must the stale-*
 * ones, whose sessions go on to check the reply they hold; the others must fail or
 * pass both alike, except the lx-* ones, which must pass 9P2000.L and
 * fail 9P2000.Lx at their step.  No correct reply may fail to decode.
 */
static int selftest(void)
{
	int i, rl, rx, failed = 0;
	const char *why;

	for (i = 0; i < HS_COUNT; i++) {
		rl = selftest_one(i, P9X_DIALECT_L);
		rx = selftest_one(i, P9X_DIALECT_LX);
		printf("%s: L session %s (%d), Lx session %s (%d)\n",
		       scens[i].name, rl ? "failed" : "ok", rl,
		       rx ? "failed" : "ok", rx);
		why = NULL;
		if (rl == 99 || rx == 99)
			why = "a correct reply did not decode";
		else if (i == HS_CORRECT && (rl || rx))
			why = "the correct session failed";
		else if ((i == HS_STALE_GETATTR || i == HS_STALE_LOOKUP) &&
			 (rl || rx))
			why = "the stale reply was not held as the scenario says";
		else if (lx_fails_at[i] && rl)
			why = "an lx-* scenario lied in a 9P2000.L session";
		else if (lx_fails_at[i] && rx != lx_fails_at[i])
			why = "the 9P2000.Lx session did not fail at the lie";
		else if (!lx_fails_at[i] && !rl != !rx)
			why = "the 9P2000.L and 9P2000.Lx sessions differ";
		if (why) {
			printf("FAIL %s: %s\n", scens[i].name, why);
			failed++;
		}
	}
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	int opt, rfd = -1, wfd = -1, sc, i;
	const char *sock = NULL;
	struct srv *srv;

	if (argc > 3 && !strcmp(argv[1], "do"))
		return do_probe(argc - 2, argv + 2);
	while ((opt = getopt(argc, argv, "s:r:w:lt")) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'r':
			rfd = atoi(optarg);
			break;
		case 'w':
			wfd = atoi(optarg);
			break;
		case 'l':
			for (i = 0; i < HS_COUNT; i++)
				printf("%s: %s\n", scens[i].name, scens[i].what);
			return 0;
		case 't':
			return selftest();
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc || (!sock && (rfd < 0 || wfd < 0)))
		goto usage;
	sc = find_scen(argv[optind]);
	if (sc < 0)
		die("no scenario %s (hostile -l lists them)", argv[optind]);
	signal(SIGPIPE, SIG_IGN);
	if (sock)
		return listen_unix(sock, sc);
	srv = srv_new(sc, rfd, wfd);
	srv->report = true;
	serve(srv);
	return 0;
usage:
	fprintf(stderr, "usage: hostile -s PATH SCENARIO | -r FD -w FD SCENARIO\n");
	fprintf(stderr, "       hostile -l | -t | do OP PATH [ARG]\n");
	return 2;
}
