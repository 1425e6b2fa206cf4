// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the 9plx wire codec (fs/9p/wire.c).
 *
 * Two suites run the same cases, one per dialect: 9plx-wire-l (13-byte
 * qids) and 9plx-wire-lx (21-byte qids).  Expected messages are assembled
 * here byte by byte, independently of the codec.  Every message handed to
 * a decoder sits in its own exactly sized kmalloc() buffer, so that KASAN
 * reports any read past the bytes received.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "9plx/wire.h"

#define TTAG		0x1234
#define MB_CAP		1024
#define LONG_LEN	65536

/* ---- hand-built messages ---------------------------------------------- */

/**
 * struct mb - a message assembled by hand
 * @b: bytes
 * @len: bytes used
 * @over: set when @b ran out of room (a bug in a test)
 */
struct mb {
	u8 b[MB_CAP];
	size_t len;
	bool over;
};

static void mb_byte(struct mb *m, u8 v)
{
	if (m->len >= MB_CAP) {
		m->over = true;
		return;
	}
	m->b[m->len++] = v;
}

static void mb_u8(struct mb *m, u8 v)
{
	mb_byte(m, v);
}

static void mb_u16(struct mb *m, u16 v)
{
	mb_byte(m, v & 0xff);
	mb_byte(m, v >> 8);
}

static void mb_u32(struct mb *m, u32 v)
{
	int i;

	for (i = 0; i < 4; i++)
		mb_byte(m, (v >> (8 * i)) & 0xff);
}

static void mb_u64(struct mb *m, u64 v)
{
	int i;

	for (i = 0; i < 8; i++)
		mb_byte(m, (v >> (8 * i)) & 0xff);
}

static void mb_bytes(struct mb *m, const void *p, size_t n)
{
	const u8 *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		mb_byte(m, s[i]);
}

/* A 9P string: u16 length, then the bytes. */
static void mb_str(struct mb *m, const char *s)
{
	mb_u16(m, strlen(s));
	mb_bytes(m, s, strlen(s));
}

static void mb_qid(struct mb *m, enum p9x_dialect d, const struct p9x_qid *q)
{
	mb_u8(m, q->type);
	mb_u32(m, q->version);
	mb_u64(m, q->path);
	if (d == P9X_DIALECT_LX)
		mb_u64(m, q->dev);
}

/* Header with a zero size; mb_end() fills the size in. */
static void mb_begin(struct mb *m, u8 type, u16 tag)
{
	m->len = 0;
	m->over = false;
	mb_u32(m, 0);
	mb_u8(m, type);
	mb_u16(m, tag);
}

static void mb_setsize(struct mb *m, u32 size)
{
	m->b[0] = size & 0xff;
	m->b[1] = (size >> 8) & 0xff;
	m->b[2] = (size >> 16) & 0xff;
	m->b[3] = size >> 24;
}

static void mb_end(struct mb *m)
{
	mb_setsize(m, m->len);
}

static struct mb *mb_new(struct kunit *test)
{
	struct mb *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	return m;
}

/* An exactly sized heap copy of @n bytes, so KASAN sees any overrun. */
static u8 *dup_exact(struct kunit *test, const void *src, size_t n)
{
	u8 *p = kmalloc(n, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	if (n)
		memcpy(p, src, n);
	return p;
}

static enum p9x_dialect dialect_of(struct kunit *test)
{
	return *(const enum p9x_dialect *)test->priv;
}

static enum p9x_dialect other_dialect(enum p9x_dialect d)
{
	return d == P9X_DIALECT_LX ? P9X_DIALECT_L : P9X_DIALECT_LX;
}

/* ---- fixed values ------------------------------------------------------ */

static const struct p9x_qid qa = {
	.type = P9X_QTDIR, .version = 0x11223344,
	.path = 0x0102030405060708ULL, .dev = 0xa1a2a3a4a5a6a7a8ULL,
};

static const struct p9x_qid qb = {
	.type = P9X_QTFILE, .version = 0x55667788,
	.path = 0x1112131415161718ULL, .dev = 0xb1b2b3b4b5b6b7b8ULL,
};

static const struct p9x_qid qc = {
	.type = P9X_QTSYMLINK | P9X_QTTMP, .version = 0xfffffffe,
	.path = 0xfedcba9876543210ULL, .dev = 0x00000000000000ffULL,
};

static const struct p9x_attr attr_val = {
	.valid = P9X_GETATTR_ALL,
	.qid = { .type = P9X_QTFILE, .version = 7, .path = 0x8000000000000001ULL,
		 .dev = 0x0000fd0100000803ULL },
	.mode = 0100644, .uid = 1000, .gid = 1001,
	.nlink = 0x0102, .rdev = 0x0803, .size = 0x123456789aULL,
	.blksize = 4096, .blocks = 0x1234, .atime_sec = 0x60000001,
	.atime_nsec = 999999999, .mtime_sec = 0x60000002, .mtime_nsec = 2,
	.ctime_sec = 0x60000003, .ctime_nsec = 3, .btime_sec = 0x60000004,
	.btime_nsec = 4, .gen = 0xabcdef, .data_version = 0xfedcba9876ULL,
};

static const struct p9x_statfs statfs_val = {
	.fs_type = 0x01021997, .block_size = 4096, .total_blocks = 0x1000000001ULL,
	.free_blocks = 0x2000000002ULL, .avail_blocks = 0x3000000003ULL,
	.total_files = 0x4000000004ULL, .free_files = 0x5000000005ULL,
	.fs_id = 0x6000000006ULL, .max_name_len = 255,
};

static const u8 rread_data[] = { 0x00, 0x01, 0x02, 0xfe, 0xff, 'x' };

static const struct {
	const struct p9x_qid *qid;
	u64 offset;
	u8 type;
	const char *name;
} dirents[] = {
	{ &qa, 0x0102030405060708ULL, 4, "." },
	{ &qb, 2, 8, "file.txt" },
	{ &qc, 0xffffffffffffffffULL, 10, "a-link" },
};

static void expect_qid(struct kunit *test, const struct p9x_qid *got,
		       const struct p9x_qid *want, enum p9x_dialect d)
{
	KUNIT_EXPECT_EQ(test, got->type, want->type);
	KUNIT_EXPECT_EQ(test, got->version, want->version);
	KUNIT_EXPECT_EQ(test, got->path, want->path);
	KUNIT_EXPECT_EQ(test, got->dev, d == P9X_DIALECT_LX ? want->dev : 0);
}

/* @s must point inside [@msg, @msg + @len) and hold @want. */
static void expect_str(struct kunit *test, const struct p9x_str *s,
		       const char *want, const u8 *msg, size_t len)
{
	KUNIT_EXPECT_EQ(test, (size_t)s->len, strlen(want));
	KUNIT_ASSERT_NOT_NULL(test, s->s);
	KUNIT_EXPECT_TRUE(test, (const u8 *)s->s >= msg &&
			  (const u8 *)s->s + s->len <= msg + len);
	KUNIT_EXPECT_MEMEQ(test, s->s, want, strlen(want));
}

/* ---- encoders ---------------------------------------------------------- */

static const char *const walk2[] = { "usr", "lib" };
static const char *const walk16[] = {
	"a", "bb", "c", "dd", "e", "ff", "g", "hh",
	"i", "jj", "k", "ll", "m", "nn", "o", "pp",
};

static const struct p9x_iattr iattr_val = {
	.valid = P9X_SETATTR_MODE | P9X_SETATTR_SIZE | P9X_SETATTR_MTIME_SET,
	.mode = 0100600, .uid = 0xfffffffe, .gid = 42,
	.size = 0x1122334455ULL, .atime_sec = 0x61, .atime_nsec = 0x62,
	.mtime_sec = 0x63, .mtime_nsec = 0x64,
};

static const struct p9x_lock lock_val = {
	.type = P9X_LOCK_TYPE_WRLCK, .flags = P9X_LOCK_FLAGS_BLOCK,
	.start = 0x100, .length = 0, .proc_id = 4242, .client_id = "host-a",
};

static const struct p9x_getlock getlock_val = {
	.type = P9X_LOCK_TYPE_RDLCK, .start = 0x7fffffffffffffffULL,
	.length = 0x10, .proc_id = 7, .client_id = "client-b",
};

static const u8 write_data[] = "abcdefgh";

/**
 * struct enc_case - one encoder call and the message it must produce
 * @name: case name
 * @enc: calls the encoder under test with fixed arguments
 * @want: appends the expected body after a header mb_begin() wrote
 * @type: expected T-message type
 */
struct enc_case {
	const char *name;
	int (*enc)(struct p9x_wbuf *b);
	void (*want)(struct mb *m);
	u8 type;
};

static int e_tversion(struct p9x_wbuf *b)
{
	return p9x_enc_tversion(b, P9X_NOTAG, 0x80017, P9X_VERSION_LX);
}

static void w_tversion(struct mb *m)
{
	mb_u32(m, 0x80017);
	mb_str(m, "9P2000.Lx");
}

static int e_tauth(struct p9x_wbuf *b)
{
	return p9x_enc_tauth(b, TTAG, 5, "user", "/srv", 1000);
}

static void w_tauth(struct mb *m)
{
	mb_u32(m, 5);
	mb_str(m, "user");
	mb_str(m, "/srv");
	mb_u32(m, 1000);
}

static int e_tattach(struct p9x_wbuf *b)
{
	return p9x_enc_tattach(b, TTAG, 1, P9X_NOFID, "root", "",
			       P9X_NONUNAME);
}

static void w_tattach(struct mb *m)
{
	mb_u32(m, 1);
	mb_u32(m, 0xffffffff);
	mb_str(m, "root");
	mb_str(m, "");
	mb_u32(m, 0xffffffff);
}

static int e_tflush(struct p9x_wbuf *b)
{
	return p9x_enc_tflush(b, TTAG, 0xbeef);
}

static void w_tflush(struct mb *m)
{
	mb_u16(m, 0xbeef);
}

static int e_twalk0(struct p9x_wbuf *b)
{
	return p9x_enc_twalk(b, TTAG, 1, 2, 0, NULL);
}

static void w_twalk0(struct mb *m)
{
	mb_u32(m, 1);
	mb_u32(m, 2);
	mb_u16(m, 0);
}

static int e_twalk2(struct p9x_wbuf *b)
{
	return p9x_enc_twalk(b, TTAG, 3, 4, 2, walk2);
}

static void w_twalk2(struct mb *m)
{
	mb_u32(m, 3);
	mb_u32(m, 4);
	mb_u16(m, 2);
	mb_str(m, "usr");
	mb_str(m, "lib");
}

static int e_twalk16(struct p9x_wbuf *b)
{
	return p9x_enc_twalk(b, TTAG, 3, 3, P9X_MAXWELEM, walk16);
}

static void w_twalk16(struct mb *m)
{
	int i;

	mb_u32(m, 3);
	mb_u32(m, 3);
	mb_u16(m, 16);
	for (i = 0; i < 16; i++)
		mb_str(m, walk16[i]);
}

static int e_twalkgetattr(struct p9x_wbuf *b)
{
	return p9x_enc_twalkgetattr(b, TTAG, 3, 4, P9X_GETATTR_IDENT, 2,
				    walk2);
}

static void w_twalkgetattr(struct mb *m)
{
	mb_u32(m, 3);
	mb_u32(m, 4);
	mb_u64(m, P9X_GETATTR_IDENT);
	mb_u16(m, 2);
	mb_str(m, "usr");
	mb_str(m, "lib");
}

static int e_twalkgetattr0(struct p9x_wbuf *b)
{
	return p9x_enc_twalkgetattr(b, TTAG, 5, 5, P9X_GETATTR_ALL, 0, NULL);
}

static void w_twalkgetattr0(struct mb *m)
{
	mb_u32(m, 5);
	mb_u32(m, 5);
	mb_u64(m, P9X_GETATTR_ALL);
	mb_u16(m, 0);
}

static int e_tread(struct p9x_wbuf *b)
{
	return p9x_enc_tread(b, TTAG, 9, 0x0123456789abcdefULL, 0x10000);
}

static void w_tread(struct mb *m)
{
	mb_u32(m, 9);
	mb_u64(m, 0x0123456789abcdefULL);
	mb_u32(m, 0x10000);
}

static int e_twrite(struct p9x_wbuf *b)
{
	return p9x_enc_twrite(b, TTAG, 9, 0x1000, 8, write_data);
}

static void w_twrite(struct mb *m)
{
	mb_u32(m, 9);
	mb_u64(m, 0x1000);
	mb_u32(m, 8);
	mb_bytes(m, write_data, 8);
}

static int e_tclunk(struct p9x_wbuf *b)
{
	return p9x_enc_tclunk(b, TTAG, 0xdeadbeef);
}

static void w_fid_deadbeef(struct mb *m)
{
	mb_u32(m, 0xdeadbeef);
}

static int e_tremove(struct p9x_wbuf *b)
{
	return p9x_enc_tremove(b, TTAG, 0xdeadbeef);
}

static int e_tstatfs(struct p9x_wbuf *b)
{
	return p9x_enc_tstatfs(b, TTAG, 0xdeadbeef);
}

static int e_treadlink(struct p9x_wbuf *b)
{
	return p9x_enc_treadlink(b, TTAG, 0xdeadbeef);
}

static int e_tlopen(struct p9x_wbuf *b)
{
	return p9x_enc_tlopen(b, TTAG, 6, P9X_O_RDWR | P9X_O_TRUNC);
}

static void w_tlopen(struct mb *m)
{
	mb_u32(m, 6);
	mb_u32(m, 01002);
}

static int e_tlcreate(struct p9x_wbuf *b)
{
	return p9x_enc_tlcreate(b, TTAG, 6, "new.txt",
				P9X_O_CREAT | P9X_O_WRONLY, 0644, 100);
}

static void w_tlcreate(struct mb *m)
{
	mb_u32(m, 6);
	mb_str(m, "new.txt");
	mb_u32(m, 0101);
	mb_u32(m, 0644);
	mb_u32(m, 100);
}

static int e_tsymlink(struct p9x_wbuf *b)
{
	return p9x_enc_tsymlink(b, TTAG, 6, "ln", "../x/y", 50);
}

static void w_tsymlink(struct mb *m)
{
	mb_u32(m, 6);
	mb_str(m, "ln");
	mb_str(m, "../x/y");
	mb_u32(m, 50);
}

static int e_tmknod(struct p9x_wbuf *b)
{
	return p9x_enc_tmknod(b, TTAG, 6, "dev", 020600, 8, 3, 6);
}

static void w_tmknod(struct mb *m)
{
	mb_u32(m, 6);
	mb_str(m, "dev");
	mb_u32(m, 020600);
	mb_u32(m, 8);
	mb_u32(m, 3);
	mb_u32(m, 6);
}

static int e_trename(struct p9x_wbuf *b)
{
	return p9x_enc_trename(b, TTAG, 10, 11, "moved");
}

static void w_trename(struct mb *m)
{
	mb_u32(m, 10);
	mb_u32(m, 11);
	mb_str(m, "moved");
}

static int e_tgetattr(struct p9x_wbuf *b)
{
	return p9x_enc_tgetattr(b, TTAG, 12, P9X_GETATTR_ALL);
}

static void w_tgetattr(struct mb *m)
{
	mb_u32(m, 12);
	mb_u64(m, 0x3fff);
}

static int e_tsetattr(struct p9x_wbuf *b)
{
	return p9x_enc_tsetattr(b, TTAG, 13, &iattr_val);
}

static void w_tsetattr(struct mb *m)
{
	mb_u32(m, 13);
	mb_u32(m, 0x109);
	mb_u32(m, 0100600);
	mb_u32(m, 0xfffffffe);
	mb_u32(m, 42);
	mb_u64(m, 0x1122334455ULL);
	mb_u64(m, 0x61);
	mb_u64(m, 0x62);
	mb_u64(m, 0x63);
	mb_u64(m, 0x64);
}

static int e_txattrwalk(struct p9x_wbuf *b)
{
	return p9x_enc_txattrwalk(b, TTAG, 14, 15, "user.foo");
}

static void w_txattrwalk(struct mb *m)
{
	mb_u32(m, 14);
	mb_u32(m, 15);
	mb_str(m, "user.foo");
}

static int e_txattrcreate(struct p9x_wbuf *b)
{
	return p9x_enc_txattrcreate(b, TTAG, 14, "security.x",
				    0x100000000ULL, 1);
}

static void w_txattrcreate(struct mb *m)
{
	mb_u32(m, 14);
	mb_str(m, "security.x");
	mb_u64(m, 0x100000000ULL);
	mb_u32(m, 1);
}

static int e_treaddir(struct p9x_wbuf *b)
{
	return p9x_enc_treaddir(b, TTAG, 16, 0xfffffffffffffff0ULL, 8192);
}

static void w_treaddir(struct mb *m)
{
	mb_u32(m, 16);
	mb_u64(m, 0xfffffffffffffff0ULL);
	mb_u32(m, 8192);
}

static int e_tfsync(struct p9x_wbuf *b)
{
	return p9x_enc_tfsync(b, TTAG, 17, 1);
}

static void w_tfsync(struct mb *m)
{
	mb_u32(m, 17);
	mb_u32(m, 1);
}

static int e_tlock(struct p9x_wbuf *b)
{
	return p9x_enc_tlock(b, TTAG, 18, &lock_val);
}

static void w_tlock(struct mb *m)
{
	mb_u32(m, 18);
	mb_u8(m, 1);
	mb_u32(m, 1);
	mb_u64(m, 0x100);
	mb_u64(m, 0);
	mb_u32(m, 4242);
	mb_str(m, "host-a");
}

static int e_tgetlock(struct p9x_wbuf *b)
{
	return p9x_enc_tgetlock(b, TTAG, 19, &getlock_val);
}

static void w_tgetlock(struct mb *m)
{
	mb_u32(m, 19);
	mb_u8(m, 0);
	mb_u64(m, 0x7fffffffffffffffULL);
	mb_u64(m, 0x10);
	mb_u32(m, 7);
	mb_str(m, "client-b");
}

static int e_tlink(struct p9x_wbuf *b)
{
	return p9x_enc_tlink(b, TTAG, 20, 21, "hard");
}

static void w_tlink(struct mb *m)
{
	mb_u32(m, 20);
	mb_u32(m, 21);
	mb_str(m, "hard");
}

static int e_tmkdir(struct p9x_wbuf *b)
{
	return p9x_enc_tmkdir(b, TTAG, 22, "dir", 040755, 0);
}

static void w_tmkdir(struct mb *m)
{
	mb_u32(m, 22);
	mb_str(m, "dir");
	mb_u32(m, 040755);
	mb_u32(m, 0);
}

static int e_trenameat(struct p9x_wbuf *b)
{
	return p9x_enc_trenameat(b, TTAG, 23, "old", 24, "brand-new");
}

static void w_trenameat(struct mb *m)
{
	mb_u32(m, 23);
	mb_str(m, "old");
	mb_u32(m, 24);
	mb_str(m, "brand-new");
}

static int e_tunlinkat(struct p9x_wbuf *b)
{
	return p9x_enc_tunlinkat(b, TTAG, 25, "gone", P9X_AT_REMOVEDIR);
}

static void w_tunlinkat(struct mb *m)
{
	mb_u32(m, 25);
	mb_str(m, "gone");
	mb_u32(m, 0x200);
}

static const struct enc_case enc_cases[] = {
	{ "tversion", e_tversion, w_tversion, P9X_TVERSION },
	{ "tauth", e_tauth, w_tauth, P9X_TAUTH },
	{ "tattach", e_tattach, w_tattach, P9X_TATTACH },
	{ "tflush", e_tflush, w_tflush, P9X_TFLUSH },
	{ "twalk-clone", e_twalk0, w_twalk0, P9X_TWALK },
	{ "twalk-2", e_twalk2, w_twalk2, P9X_TWALK },
	{ "twalk-16", e_twalk16, w_twalk16, P9X_TWALK },
	{ "twalkgetattr", e_twalkgetattr, w_twalkgetattr, P9X_TWALKGETATTR },
	{ "twalkgetattr-clone", e_twalkgetattr0, w_twalkgetattr0,
	  P9X_TWALKGETATTR },
	{ "tread", e_tread, w_tread, P9X_TREAD },
	{ "twrite", e_twrite, w_twrite, P9X_TWRITE },
	{ "tclunk", e_tclunk, w_fid_deadbeef, P9X_TCLUNK },
	{ "tremove", e_tremove, w_fid_deadbeef, P9X_TREMOVE },
	{ "tstatfs", e_tstatfs, w_fid_deadbeef, P9X_TSTATFS },
	{ "tlopen", e_tlopen, w_tlopen, P9X_TLOPEN },
	{ "tlcreate", e_tlcreate, w_tlcreate, P9X_TLCREATE },
	{ "tsymlink", e_tsymlink, w_tsymlink, P9X_TSYMLINK },
	{ "tmknod", e_tmknod, w_tmknod, P9X_TMKNOD },
	{ "trename", e_trename, w_trename, P9X_TRENAME },
	{ "treadlink", e_treadlink, w_fid_deadbeef, P9X_TREADLINK },
	{ "tgetattr", e_tgetattr, w_tgetattr, P9X_TGETATTR },
	{ "tsetattr", e_tsetattr, w_tsetattr, P9X_TSETATTR },
	{ "txattrwalk", e_txattrwalk, w_txattrwalk, P9X_TXATTRWALK },
	{ "txattrcreate", e_txattrcreate, w_txattrcreate, P9X_TXATTRCREATE },
	{ "treaddir", e_treaddir, w_treaddir, P9X_TREADDIR },
	{ "tfsync", e_tfsync, w_tfsync, P9X_TFSYNC },
	{ "tlock", e_tlock, w_tlock, P9X_TLOCK },
	{ "tgetlock", e_tgetlock, w_tgetlock, P9X_TGETLOCK },
	{ "tlink", e_tlink, w_tlink, P9X_TLINK },
	{ "tmkdir", e_tmkdir, w_tmkdir, P9X_TMKDIR },
	{ "trenameat", e_trenameat, w_trenameat, P9X_TRENAMEAT },
	{ "tunlinkat", e_tunlinkat, w_tunlinkat, P9X_TUNLINKAT },
};

KUNIT_ARRAY_PARAM_DESC(enc, enc_cases, name);

/*
 * For one encoder: exact bytes in an exactly sized buffer, sizing with no
 * buffer, -EMSGSIZE (and the full size reported, and no store past the
 * capacity) for every smaller capacity, and encoding after an earlier
 * message in the same buffer.
 */
static void enc_roundtrip(struct kunit *test)
{
	const struct enc_case *c = test->param_value;
	struct mb *want = mb_new(test);
	struct p9x_wbuf b;
	size_t n, k;
	u8 *buf;

	mb_begin(want, c->type, c->type == P9X_TVERSION ? P9X_NOTAG : TTAG);
	c->want(want);
	mb_end(want);
	KUNIT_ASSERT_FALSE(test, want->over);
	n = want->len;

	/* sizing only */
	p9x_wbuf_init(&b, NULL, 1000);
	KUNIT_EXPECT_EQ(test, b.cap, 0u);
	KUNIT_EXPECT_EQ(test, c->enc(&b), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, (size_t)b.len, n);

	/* exact fit */
	buf = kmalloc(n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	p9x_wbuf_init(&b, buf, n);
	KUNIT_EXPECT_EQ(test, c->enc(&b), 0);
	KUNIT_EXPECT_EQ(test, (size_t)b.len, n);
	KUNIT_EXPECT_MEMEQ(test, buf, want->b, n);
	kfree(buf);

	/* every capacity that is too small */
	for (k = 0; k < n; k++) {
		buf = kmalloc(k, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		p9x_wbuf_init(&b, buf, k);
		KUNIT_EXPECT_EQ_MSG(test, c->enc(&b), -EMSGSIZE, "cap %zu", k);
		KUNIT_EXPECT_EQ_MSG(test, (size_t)b.len, n, "cap %zu", k);
		kfree(buf);
	}

	/* after another message, with room to spare: untouched tail */
	buf = kmalloc(n + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0xa5, n + 64);
	p9x_wbuf_init(&b, buf, n + 64);
	KUNIT_EXPECT_EQ(test, p9x_enc_tflush(&b, 1, 2), 0);
	KUNIT_EXPECT_EQ(test, b.len, 9u);
	KUNIT_EXPECT_EQ(test, c->enc(&b), 0);
	KUNIT_EXPECT_EQ(test, (size_t)b.len, 9 + n);
	KUNIT_EXPECT_MEMEQ(test, buf + 9, want->b, n);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf + 9 + n, 0xa5, 64 - 9));
	kfree(buf);
}

/* A few messages spelled out as literal bytes, to pin the byte order. */
static void enc_literal(struct kunit *test)
{
	static const u8 tversion[] = {
		0x16, 0x00, 0x00, 0x00, 100, 0xff, 0xff,
		0x00, 0x20, 0x00, 0x00,
		0x09, 0x00, '9', 'P', '2', '0', '0', '0', '.', 'L', 'x',
	};
	static const u8 tgetattr[] = {
		0x13, 0x00, 0x00, 0x00, 24, 0x34, 0x12,
		0x04, 0x03, 0x02, 0x01,
		0xff, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const u8 twalk[] = {
		0x18, 0x00, 0x00, 0x00, 110, 0x01, 0x00,
		0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x01, 0x00, 'a', 0x02, 0x00, 'b', 'c',
	};
	static const char *const names[] = { "a", "bc" };
	struct p9x_wbuf b;
	u8 buf[64];

	p9x_wbuf_init(&b, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, p9x_enc_tversion(&b, P9X_NOTAG, 8192, "9P2000.Lx"),
			0);
	KUNIT_EXPECT_EQ(test, (size_t)b.len, sizeof(tversion));
	KUNIT_EXPECT_MEMEQ(test, buf, tversion, sizeof(tversion));

	p9x_wbuf_init(&b, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, p9x_enc_tgetattr(&b, 0x1234, 0x01020304,
					       P9X_GETATTR_BASIC), 0);
	KUNIT_EXPECT_EQ(test, (size_t)b.len, sizeof(tgetattr));
	KUNIT_EXPECT_MEMEQ(test, buf, tgetattr, sizeof(tgetattr));

	p9x_wbuf_init(&b, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, p9x_enc_twalk(&b, 1, 1, 2, 2, names), 0);
	KUNIT_EXPECT_EQ(test, (size_t)b.len, sizeof(twalk));
	KUNIT_EXPECT_MEMEQ(test, buf, twalk, sizeof(twalk));
}

/* Every string argument of every encoder, one at a time, 64 KiB long. */
static int call_with_string(struct p9x_wbuf *b, int which, const char *s)
{
	const char *w[3] = { "a", s, "c" };
	struct p9x_lock lk = lock_val;
	struct p9x_getlock gl = getlock_val;

	switch (which) {
	case 0:
		return p9x_enc_tversion(b, 1, 8192, s);
	case 1:
		return p9x_enc_tauth(b, 1, 2, s, "", 0);
	case 2:
		return p9x_enc_tauth(b, 1, 2, "", s, 0);
	case 3:
		return p9x_enc_tattach(b, 1, 2, 3, s, "", 0);
	case 4:
		return p9x_enc_tattach(b, 1, 2, 3, "", s, 0);
	case 5:
		return p9x_enc_twalk(b, 1, 2, 3, 3, w);
	case 6:
		return p9x_enc_tlcreate(b, 1, 2, s, 0, 0, 0);
	case 7:
		return p9x_enc_tsymlink(b, 1, 2, s, "t", 0);
	case 8:
		return p9x_enc_tsymlink(b, 1, 2, "n", s, 0);
	case 9:
		return p9x_enc_tmknod(b, 1, 2, s, 0, 0, 0, 0);
	case 10:
		return p9x_enc_trename(b, 1, 2, 3, s);
	case 11:
		return p9x_enc_txattrwalk(b, 1, 2, 3, s);
	case 12:
		return p9x_enc_txattrcreate(b, 1, 2, s, 0, 0);
	case 13:
		lk.client_id = s;
		return p9x_enc_tlock(b, 1, 2, &lk);
	case 14:
		gl.client_id = s;
		return p9x_enc_tgetlock(b, 1, 2, &gl);
	case 15:
		return p9x_enc_tlink(b, 1, 2, 3, s);
	case 16:
		return p9x_enc_tmkdir(b, 1, 2, s, 0, 0);
	case 17:
		return p9x_enc_trenameat(b, 1, 2, s, 3, "n");
	case 18:
		return p9x_enc_trenameat(b, 1, 2, "o", 3, s);
	case 19:
		return p9x_enc_tunlinkat(b, 1, 2, s, 0);
	}
	return -ENOENT;
}

#define N_STRING_ARGS 20

static void enc_nametoolong(struct kunit *test)
{
	char *s = kunit_kmalloc(test, LONG_LEN + 1, GFP_KERNEL);
	u8 *buf = kunit_kmalloc(test, LONG_LEN + 256, GFP_KERNEL);
	struct p9x_wbuf b;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(s, 'n', LONG_LEN);
	s[LONG_LEN] = '\0';

	for (i = 0; i < N_STRING_ARGS; i++) {
		/* 65536 bytes: refused, nothing encoded */
		p9x_wbuf_init(&b, buf, LONG_LEN + 256);
		KUNIT_EXPECT_EQ_MSG(test, call_with_string(&b, i, s),
				    -ENAMETOOLONG, "string arg %d", i);
		KUNIT_EXPECT_EQ_MSG(test, b.len, 0u, "string arg %d", i);
		/* and also when only sizing */
		p9x_wbuf_init(&b, NULL, 0);
		KUNIT_EXPECT_EQ_MSG(test, call_with_string(&b, i, s),
				    -ENAMETOOLONG, "string arg %d", i);
		/* 65535 bytes: the longest 9P string, accepted */
		p9x_wbuf_init(&b, buf, LONG_LEN + 256);
		KUNIT_EXPECT_EQ_MSG(test, call_with_string(&b, i, s + 1), 0,
				    "string arg %d", i);
	}

	/* the 65535-byte string went out with its full length */
	p9x_wbuf_init(&b, buf, LONG_LEN + 256);
	KUNIT_ASSERT_EQ(test, p9x_enc_tversion(&b, 1, 8192, s + 1), 0);
	KUNIT_EXPECT_EQ(test, b.len, 7u + 4 + 2 + 65535);
	KUNIT_EXPECT_EQ(test, buf[11], 0xff);
	KUNIT_EXPECT_EQ(test, buf[12], 0xff);
}

static void enc_invalid(struct kunit *test)
{
	static const char *const many[P9X_MAXWELEM + 1] = {
		"a", "b", "c", "d", "e", "f", "g", "h", "i",
		"j", "k", "l", "m", "n", "o", "p", "q",
	};
	struct p9x_wbuf b;
	u8 buf[128];

	p9x_wbuf_init(&b, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, p9x_enc_twalk(&b, 1, 2, 3, P9X_MAXWELEM + 1, many),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, p9x_enc_twalk(&b, 1, 2, 3, 1, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, p9x_enc_tsetattr(&b, 1, 2, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, p9x_enc_tlock(&b, 1, 2, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, p9x_enc_tgetlock(&b, 1, 2, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, b.len, 0u);

	/* a NULL string goes out as the empty string */
	KUNIT_EXPECT_EQ(test, p9x_enc_tattach(&b, 1, 2, 3, NULL, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, b.len, 7u + 4 + 4 + 2 + 2 + 4);
}

/* Twrite whose payload the transport sends from elsewhere. */
/* Zero copy: the framing of an Rread alone, its payload elsewhere. */
static void dec_rread_split(struct kunit *test)
{
	struct mb *m = mb_new(test);
	u32 count = 7;

	mb_begin(m, P9X_RREAD, TTAG);
	mb_u32(m, 4096);
	mb_setsize(m, P9X_RIOHDR_SIZE + 4096);
	KUNIT_EXPECT_EQ(test, p9x_dec_rread_split(m->b, m->len,
						  P9X_RIOHDR_SIZE + 4096,
						  TTAG, &count), 0);
	KUNIT_EXPECT_EQ(test, count, 4096u);

	/* the whole message is not what the size field says */
	KUNIT_EXPECT_EQ(test, p9x_dec_rread_split(m->b, m->len,
						  P9X_RIOHDR_SIZE + 4095,
						  TTAG, &count), -EPROTO);
	/* another tag */
	KUNIT_EXPECT_EQ(test, p9x_dec_rread_split(m->b, m->len,
						  P9X_RIOHDR_SIZE + 4096,
						  TTAG + 1, &count), -EPROTO);
	/* framing cut short, or longer than the framing */
	KUNIT_EXPECT_EQ(test, p9x_dec_rread_split(m->b, m->len - 1,
						  P9X_RIOHDR_SIZE + 4096,
						  TTAG, &count), -EPROTO);
	KUNIT_EXPECT_EQ(test, p9x_dec_rread_split(m->b, m->len + 1,
						  P9X_RIOHDR_SIZE + 4096,
						  TTAG, &count), -EPROTO);
	/* a total shorter than the framing itself */
	mb_setsize(m, 3);
	KUNIT_EXPECT_EQ(test, p9x_dec_rread_split(m->b, m->len, 3, TTAG,
						  &count), -EPROTO);

	/* count disagrees with the size */
	mb_begin(m, P9X_RREAD, TTAG);
	mb_u32(m, 100);
	mb_setsize(m, P9X_RIOHDR_SIZE + 200);
	KUNIT_EXPECT_EQ(test, p9x_dec_rread_split(m->b, m->len,
						  P9X_RIOHDR_SIZE + 200,
						  TTAG, &count), -EPROTO);

	/* not an Rread: an Rlerror is decoded whole, never split */
	mb_begin(m, P9X_RLERROR, TTAG);
	mb_u32(m, 5);
	mb_end(m);
	KUNIT_EXPECT_EQ(test, p9x_dec_rread_split(m->b, m->len, m->len, TTAG,
						  &count), -EPROTO);
	KUNIT_EXPECT_EQ(test, p9x_dec_rread_split(NULL, 0, 0, TTAG, &count),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, count, 4096u);
}

static void enc_twrite_nodata(struct kunit *test)
{
	struct mb *want = mb_new(test);
	struct p9x_wbuf b;
	u8 buf[P9X_IOHDR_SIZE];

	mb_begin(want, P9X_TWRITE, TTAG);
	mb_u32(want, 9);
	mb_u64(want, 0x1000);
	mb_u32(want, 100000);
	mb_setsize(want, P9X_IOHDR_SIZE + 100000);

	p9x_wbuf_init(&b, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, p9x_enc_twrite(&b, TTAG, 9, 0x1000, 100000, NULL),
			0);
	KUNIT_EXPECT_EQ(test, b.len, (u32)P9X_IOHDR_SIZE);
	KUNIT_EXPECT_MEMEQ(test, buf, want->b, P9X_IOHDR_SIZE);

	p9x_wbuf_init(&b, buf, P9X_IOHDR_SIZE - 1);
	KUNIT_EXPECT_EQ(test, p9x_enc_twrite(&b, TTAG, 9, 0, 1, NULL),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, b.len, (u32)P9X_IOHDR_SIZE);

	/* a size that cannot be expressed in 32 bits */
	p9x_wbuf_init(&b, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, p9x_enc_twrite(&b, TTAG, 9, 0, 0xffffffff, NULL),
			-EMSGSIZE);
	p9x_wbuf_init(&b, NULL, 0);
	KUNIT_EXPECT_EQ(test, p9x_enc_twrite(&b, TTAG, 9, 0, 0xfffffff0,
					     buf), -EMSGSIZE);
}

/* ---- decoders ---------------------------------------------------------- */

/**
 * struct rout - every decoder output
 * @ecode: Rlerror
 * @msize: Rversion
 * @count: Rread, Rwrite
 * @iounit: Rlopen, Rlcreate
 * @str: Rversion, Rreadlink
 * @qid: the single-qid replies
 * @nwqid: Rwalk, Rwalkgetattr
 * @qids: Rwalk, Rwalkgetattr
 * @data: Rread
 * @st: Rstatfs
 * @attr: Rgetattr, Rwalkgetattr
 * @size: Rxattrwalk
 * @it: Rreaddir
 * @status: Rlock
 * @gl: Rgetlock
 */
struct rout {
	u32 ecode;
	u32 msize;
	u32 count;
	u32 iounit;
	struct p9x_str str;
	struct p9x_qid qid;
	u16 nwqid;
	struct p9x_qid qids[P9X_MAXWELEM];
	const u8 *data;
	struct p9x_statfs st;
	struct p9x_attr attr;
	u64 size;
	struct p9x_dirent_iter it;
	u8 status;
	struct p9x_rgetlock gl;
};

/* Names in the Twalkgetattr an Rwalkgetattr under test answers. */
#define DEC_WALK_NAMES	2

/* Run the decoder for R-message @type. */
static int dec_any(u8 type, const u8 *msg, size_t len, enum p9x_dialect d,
		   struct rout *o)
{
	switch (type) {
	case P9X_RLERROR:
		return p9x_dec_rlerror(msg, len, &o->ecode);
	case P9X_RVERSION:
		return p9x_dec_rversion(msg, len, &o->msize, &o->str);
	case P9X_RAUTH:
		return p9x_dec_rauth(msg, len, d, &o->qid);
	case P9X_RATTACH:
		return p9x_dec_rattach(msg, len, d, &o->qid);
	case P9X_RWALK:
		return p9x_dec_rwalk(msg, len, d, P9X_MAXWELEM, &o->nwqid,
				     o->qids);
	case P9X_RWALKGETATTR:
		return p9x_dec_rwalkgetattr(msg, len, d, DEC_WALK_NAMES,
					    &o->nwqid, o->qids, &o->attr);
	case P9X_RREAD:
		return p9x_dec_rread(msg, len, &o->count, &o->data);
	case P9X_RWRITE:
		return p9x_dec_rwrite(msg, len, &o->count);
	case P9X_RSTATFS:
		return p9x_dec_rstatfs(msg, len, &o->st);
	case P9X_RLOPEN:
		return p9x_dec_rlopen(msg, len, d, &o->qid, &o->iounit);
	case P9X_RLCREATE:
		return p9x_dec_rlcreate(msg, len, d, &o->qid, &o->iounit);
	case P9X_RSYMLINK:
		return p9x_dec_rsymlink(msg, len, d, &o->qid);
	case P9X_RMKNOD:
		return p9x_dec_rmknod(msg, len, d, &o->qid);
	case P9X_RMKDIR:
		return p9x_dec_rmkdir(msg, len, d, &o->qid);
	case P9X_RREADLINK:
		return p9x_dec_rreadlink(msg, len, &o->str);
	case P9X_RGETATTR:
		return p9x_dec_rgetattr(msg, len, d, &o->attr);
	case P9X_RXATTRWALK:
		return p9x_dec_rxattrwalk(msg, len, &o->size);
	case P9X_RREADDIR:
		return p9x_dec_rreaddir(msg, len, d, &o->it);
	case P9X_RLOCK:
		return p9x_dec_rlock(msg, len, &o->status);
	case P9X_RGETLOCK:
		return p9x_dec_rgetlock(msg, len, &o->gl);
	default:
		return p9x_dec_rempty(msg, len, type);
	}
}

/**
 * struct dec_case - one well-formed reply
 * @name: case name
 * @type: R-message type
 * @qids: whether the body holds qids (so its length depends on the dialect)
 * @body: appends the body after the header
 * @check: checks every decoded field
 */
struct dec_case {
	const char *name;
	u8 type;
	bool qids;
	void (*body)(struct mb *m, enum p9x_dialect d);
	void (*check)(struct kunit *test, const struct rout *o,
		      enum p9x_dialect d, const u8 *msg, size_t len);
};

static void b_rlerror(struct mb *m, enum p9x_dialect d)
{
	mb_u32(m, 28);
}

static void c_rlerror(struct kunit *test, const struct rout *o,
		      enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_EXPECT_EQ(test, o->ecode, 28u);
}

static void b_rversion(struct mb *m, enum p9x_dialect d)
{
	mb_u32(m, 0x12345);
	mb_str(m, d == P9X_DIALECT_LX ? "9P2000.Lx" : "9P2000.L");
}

static void c_rversion(struct kunit *test, const struct rout *o,
		       enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_EXPECT_EQ(test, o->msize, 0x12345u);
	expect_str(test, &o->str,
		   d == P9X_DIALECT_LX ? "9P2000.Lx" : "9P2000.L", msg, len);
}

static void b_qa(struct mb *m, enum p9x_dialect d)
{
	mb_qid(m, d, &qa);
}

static void c_qa(struct kunit *test, const struct rout *o,
		 enum p9x_dialect d, const u8 *msg, size_t len)
{
	expect_qid(test, &o->qid, &qa, d);
}

static void b_qb(struct mb *m, enum p9x_dialect d)
{
	mb_qid(m, d, &qb);
}

static void c_qb(struct kunit *test, const struct rout *o,
		 enum p9x_dialect d, const u8 *msg, size_t len)
{
	expect_qid(test, &o->qid, &qb, d);
}

static void b_qc(struct mb *m, enum p9x_dialect d)
{
	mb_qid(m, d, &qc);
}

static void c_qc(struct kunit *test, const struct rout *o,
		 enum p9x_dialect d, const u8 *msg, size_t len)
{
	expect_qid(test, &o->qid, &qc, d);
}

static void b_rwalk(struct mb *m, enum p9x_dialect d)
{
	mb_u16(m, 3);
	mb_qid(m, d, &qa);
	mb_qid(m, d, &qb);
	mb_qid(m, d, &qc);
}

static void c_rwalk(struct kunit *test, const struct rout *o,
		    enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_ASSERT_EQ(test, o->nwqid, 3);
	expect_qid(test, &o->qids[0], &qa, d);
	expect_qid(test, &o->qids[1], &qb, d);
	expect_qid(test, &o->qids[2], &qc, d);
}

static void b_rwalk0(struct mb *m, enum p9x_dialect d)
{
	mb_u16(m, 0);
}

static void c_rwalk0(struct kunit *test, const struct rout *o,
		     enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_EXPECT_EQ(test, o->nwqid, 0);
}

static void b_rwalk16(struct mb *m, enum p9x_dialect d)
{
	int i;

	mb_u16(m, 16);
	for (i = 0; i < 16; i++)
		mb_qid(m, d, i & 1 ? &qb : &qc);
}

static void c_rwalk16(struct kunit *test, const struct rout *o,
		      enum p9x_dialect d, const u8 *msg, size_t len)
{
	int i;

	KUNIT_ASSERT_EQ(test, o->nwqid, 16);
	for (i = 0; i < 16; i++)
		expect_qid(test, &o->qids[i], i & 1 ? &qb : &qc, d);
}

static void b_rread(struct mb *m, enum p9x_dialect d)
{
	mb_u32(m, sizeof(rread_data));
	mb_bytes(m, rread_data, sizeof(rread_data));
}

static void c_rread(struct kunit *test, const struct rout *o,
		    enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_ASSERT_EQ(test, o->count, (u32)sizeof(rread_data));
	KUNIT_EXPECT_PTR_EQ(test, o->data, msg + P9X_RIOHDR_SIZE);
	KUNIT_EXPECT_MEMEQ(test, o->data, rread_data, sizeof(rread_data));
}

static void b_rread0(struct mb *m, enum p9x_dialect d)
{
	mb_u32(m, 0);
}

static void c_rread0(struct kunit *test, const struct rout *o,
		     enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_EXPECT_EQ(test, o->count, 0u);
}

static void b_rwrite(struct mb *m, enum p9x_dialect d)
{
	mb_u32(m, 0x87654321);
}

static void c_rwrite(struct kunit *test, const struct rout *o,
		     enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_EXPECT_EQ(test, o->count, 0x87654321u);
}

static void b_rstatfs(struct mb *m, enum p9x_dialect d)
{
	const struct p9x_statfs *s = &statfs_val;

	mb_u32(m, s->fs_type);
	mb_u32(m, s->block_size);
	mb_u64(m, s->total_blocks);
	mb_u64(m, s->free_blocks);
	mb_u64(m, s->avail_blocks);
	mb_u64(m, s->total_files);
	mb_u64(m, s->free_files);
	mb_u64(m, s->fs_id);
	mb_u32(m, s->max_name_len);
}

static void c_rstatfs(struct kunit *test, const struct rout *o,
		      enum p9x_dialect d, const u8 *msg, size_t len)
{
	const struct p9x_statfs *s = &statfs_val;

	KUNIT_EXPECT_EQ(test, o->st.fs_type, s->fs_type);
	KUNIT_EXPECT_EQ(test, o->st.block_size, s->block_size);
	KUNIT_EXPECT_EQ(test, o->st.total_blocks, s->total_blocks);
	KUNIT_EXPECT_EQ(test, o->st.free_blocks, s->free_blocks);
	KUNIT_EXPECT_EQ(test, o->st.avail_blocks, s->avail_blocks);
	KUNIT_EXPECT_EQ(test, o->st.total_files, s->total_files);
	KUNIT_EXPECT_EQ(test, o->st.free_files, s->free_files);
	KUNIT_EXPECT_EQ(test, o->st.fs_id, s->fs_id);
	KUNIT_EXPECT_EQ(test, o->st.max_name_len, s->max_name_len);
}

static void b_rlopen(struct mb *m, enum p9x_dialect d)
{
	mb_qid(m, d, &qc);
	mb_u32(m, 0x2000);
}

static void c_rlopen(struct kunit *test, const struct rout *o,
		     enum p9x_dialect d, const u8 *msg, size_t len)
{
	expect_qid(test, &o->qid, &qc, d);
	KUNIT_EXPECT_EQ(test, o->iounit, 0x2000u);
}

static void b_rlcreate(struct mb *m, enum p9x_dialect d)
{
	mb_qid(m, d, &qa);
	mb_u32(m, 0xfff00001);
}

static void c_rlcreate(struct kunit *test, const struct rout *o,
		       enum p9x_dialect d, const u8 *msg, size_t len)
{
	expect_qid(test, &o->qid, &qa, d);
	KUNIT_EXPECT_EQ(test, o->iounit, 0xfff00001u);
}

static void b_rreadlink(struct mb *m, enum p9x_dialect d)
{
	mb_str(m, "../target/x");
}

static void c_rreadlink(struct kunit *test, const struct rout *o,
			enum p9x_dialect d, const u8 *msg, size_t len)
{
	expect_str(test, &o->str, "../target/x", msg, len);
}

static void b_rgetattr(struct mb *m, enum p9x_dialect d)
{
	const struct p9x_attr *a = &attr_val;

	mb_u64(m, a->valid);
	mb_qid(m, d, &a->qid);
	mb_u32(m, a->mode);
	mb_u32(m, a->uid);
	mb_u32(m, a->gid);
	mb_u64(m, a->nlink);
	mb_u64(m, a->rdev);
	mb_u64(m, a->size);
	mb_u64(m, a->blksize);
	mb_u64(m, a->blocks);
	mb_u64(m, a->atime_sec);
	mb_u64(m, a->atime_nsec);
	mb_u64(m, a->mtime_sec);
	mb_u64(m, a->mtime_nsec);
	mb_u64(m, a->ctime_sec);
	mb_u64(m, a->ctime_nsec);
	mb_u64(m, a->btime_sec);
	mb_u64(m, a->btime_nsec);
	mb_u64(m, a->gen);
	mb_u64(m, a->data_version);
}

static void c_rgetattr(struct kunit *test, const struct rout *o,
		       enum p9x_dialect d, const u8 *msg, size_t len)
{
	const struct p9x_attr *a = &attr_val, *g = &o->attr;

	KUNIT_EXPECT_EQ(test, g->valid, a->valid);
	expect_qid(test, &g->qid, &a->qid, d);
	KUNIT_EXPECT_EQ(test, g->mode, a->mode);
	KUNIT_EXPECT_EQ(test, g->uid, a->uid);
	KUNIT_EXPECT_EQ(test, g->gid, a->gid);
	KUNIT_EXPECT_EQ(test, g->nlink, a->nlink);
	KUNIT_EXPECT_EQ(test, g->rdev, a->rdev);
	KUNIT_EXPECT_EQ(test, g->size, a->size);
	KUNIT_EXPECT_EQ(test, g->blksize, a->blksize);
	KUNIT_EXPECT_EQ(test, g->blocks, a->blocks);
	KUNIT_EXPECT_EQ(test, g->atime_sec, a->atime_sec);
	KUNIT_EXPECT_EQ(test, g->atime_nsec, a->atime_nsec);
	KUNIT_EXPECT_EQ(test, g->mtime_sec, a->mtime_sec);
	KUNIT_EXPECT_EQ(test, g->mtime_nsec, a->mtime_nsec);
	KUNIT_EXPECT_EQ(test, g->ctime_sec, a->ctime_sec);
	KUNIT_EXPECT_EQ(test, g->ctime_nsec, a->ctime_nsec);
	KUNIT_EXPECT_EQ(test, g->btime_sec, a->btime_sec);
	KUNIT_EXPECT_EQ(test, g->btime_nsec, a->btime_nsec);
	KUNIT_EXPECT_EQ(test, g->gen, a->gen);
	KUNIT_EXPECT_EQ(test, g->data_version, a->data_version);
}

/* Every name of a Twalkgetattr walked: their qids, then attributes. */
static void b_rwalkgetattr(struct mb *m, enum p9x_dialect d)
{
	mb_u16(m, DEC_WALK_NAMES);
	mb_qid(m, d, &qa);
	mb_qid(m, d, &attr_val.qid);
	b_rgetattr(m, d);
}

static void c_rwalkgetattr(struct kunit *test, const struct rout *o,
			   enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_ASSERT_EQ(test, o->nwqid, DEC_WALK_NAMES);
	expect_qid(test, &o->qids[0], &qa, d);
	expect_qid(test, &o->qids[1], &attr_val.qid, d);
	c_rgetattr(test, o, d, msg, len);
}

/* Only the first name walked: its qid and no attributes. */
static void b_rwalkgetattr1(struct mb *m, enum p9x_dialect d)
{
	mb_u16(m, 1);
	mb_qid(m, d, &qb);
}

static void c_rwalkgetattr1(struct kunit *test, const struct rout *o,
			    enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_ASSERT_EQ(test, o->nwqid, 1);
	expect_qid(test, &o->qids[0], &qb, d);
}

static void b_rxattrwalk(struct mb *m, enum p9x_dialect d)
{
	mb_u64(m, 0x0123456789abcdefULL);
}

static void c_rxattrwalk(struct kunit *test, const struct rout *o,
			 enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_EXPECT_EQ(test, o->size, 0x0123456789abcdefULL);
}

static void mb_dirents(struct mb *m, enum p9x_dialect d)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirents); i++) {
		mb_qid(m, d, dirents[i].qid);
		mb_u64(m, dirents[i].offset);
		mb_u8(m, dirents[i].type);
		mb_str(m, dirents[i].name);
	}
}

static u32 dirents_size(enum p9x_dialect d)
{
	u32 n = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirents); i++)
		n += p9x_qid_size(d) + 8 + 1 + 2 + strlen(dirents[i].name);
	return n;
}

static void b_rreaddir(struct mb *m, enum p9x_dialect d)
{
	mb_u32(m, dirents_size(d));
	mb_dirents(m, d);
}

static void c_rreaddir(struct kunit *test, const struct rout *o,
		       enum p9x_dialect d, const u8 *msg, size_t len)
{
	struct p9x_dirent_iter it = o->it;
	struct p9x_dirent de;
	size_t i;

	KUNIT_EXPECT_PTR_EQ(test, it.p, msg + P9X_RIOHDR_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, it.end, msg + len);
	for (i = 0; i < ARRAY_SIZE(dirents); i++) {
		KUNIT_ASSERT_EQ(test, p9x_dirent_next(&it, &de), 1);
		expect_qid(test, &de.qid, dirents[i].qid, d);
		KUNIT_EXPECT_EQ(test, de.offset, dirents[i].offset);
		KUNIT_EXPECT_EQ(test, de.type, dirents[i].type);
		expect_str(test, &de.name, dirents[i].name, msg, len);
	}
	KUNIT_EXPECT_EQ(test, p9x_dirent_next(&it, &de), 0);
	KUNIT_EXPECT_EQ(test, p9x_dirent_next(&it, &de), 0);
}

static void b_rreaddir0(struct mb *m, enum p9x_dialect d)
{
	mb_u32(m, 0);
}

static void c_rreaddir0(struct kunit *test, const struct rout *o,
			enum p9x_dialect d, const u8 *msg, size_t len)
{
	struct p9x_dirent_iter it = o->it;
	struct p9x_dirent de;

	KUNIT_EXPECT_EQ(test, p9x_dirent_next(&it, &de), 0);
}

static void b_rlock(struct mb *m, enum p9x_dialect d)
{
	mb_u8(m, P9X_LOCK_GRACE);
}

static void c_rlock(struct kunit *test, const struct rout *o,
		    enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_EXPECT_EQ(test, o->status, P9X_LOCK_GRACE);
}

static void b_rgetlock(struct mb *m, enum p9x_dialect d)
{
	mb_u8(m, P9X_LOCK_TYPE_WRLCK);
	mb_u64(m, 0x10);
	mb_u64(m, 0x20000000000ULL);
	mb_u32(m, 4242);
	mb_str(m, "host-a");
}

static void c_rgetlock(struct kunit *test, const struct rout *o,
		       enum p9x_dialect d, const u8 *msg, size_t len)
{
	KUNIT_EXPECT_EQ(test, o->gl.type, P9X_LOCK_TYPE_WRLCK);
	KUNIT_EXPECT_EQ(test, o->gl.start, 0x10ULL);
	KUNIT_EXPECT_EQ(test, o->gl.length, 0x20000000000ULL);
	KUNIT_EXPECT_EQ(test, o->gl.proc_id, 4242u);
	expect_str(test, &o->gl.client_id, "host-a", msg, len);
}

static void b_empty(struct mb *m, enum p9x_dialect d)
{
}

static void c_empty(struct kunit *test, const struct rout *o,
		    enum p9x_dialect d, const u8 *msg, size_t len)
{
}

static const struct dec_case dec_cases[] = {
	{ "rlerror", P9X_RLERROR, false, b_rlerror, c_rlerror },
	{ "rversion", P9X_RVERSION, false, b_rversion, c_rversion },
	{ "rauth", P9X_RAUTH, true, b_qa, c_qa },
	{ "rattach", P9X_RATTACH, true, b_qb, c_qb },
	{ "rwalk", P9X_RWALK, true, b_rwalk, c_rwalk },
	{ "rwalk-0", P9X_RWALK, false, b_rwalk0, c_rwalk0 },
	{ "rwalk-16", P9X_RWALK, true, b_rwalk16, c_rwalk16 },
	{ "rwalkgetattr", P9X_RWALKGETATTR, true, b_rwalkgetattr,
	  c_rwalkgetattr },
	{ "rwalkgetattr-partial", P9X_RWALKGETATTR, true, b_rwalkgetattr1,
	  c_rwalkgetattr1 },
	{ "rread", P9X_RREAD, false, b_rread, c_rread },
	{ "rread-0", P9X_RREAD, false, b_rread0, c_rread0 },
	{ "rwrite", P9X_RWRITE, false, b_rwrite, c_rwrite },
	{ "rstatfs", P9X_RSTATFS, false, b_rstatfs, c_rstatfs },
	{ "rlopen", P9X_RLOPEN, true, b_rlopen, c_rlopen },
	{ "rlcreate", P9X_RLCREATE, true, b_rlcreate, c_rlcreate },
	{ "rsymlink", P9X_RSYMLINK, true, b_qc, c_qc },
	{ "rmknod", P9X_RMKNOD, true, b_qa, c_qa },
	{ "rmkdir", P9X_RMKDIR, true, b_qb, c_qb },
	{ "rreadlink", P9X_RREADLINK, false, b_rreadlink, c_rreadlink },
	{ "rgetattr", P9X_RGETATTR, true, b_rgetattr, c_rgetattr },
	{ "rxattrwalk", P9X_RXATTRWALK, false, b_rxattrwalk, c_rxattrwalk },
	{ "rreaddir", P9X_RREADDIR, true, b_rreaddir, c_rreaddir },
	{ "rreaddir-0", P9X_RREADDIR, false, b_rreaddir0, c_rreaddir0 },
	{ "rlock", P9X_RLOCK, false, b_rlock, c_rlock },
	{ "rgetlock", P9X_RGETLOCK, false, b_rgetlock, c_rgetlock },
	{ "rflush", P9X_RFLUSH, false, b_empty, c_empty },
	{ "rclunk", P9X_RCLUNK, false, b_empty, c_empty },
	{ "rremove", P9X_RREMOVE, false, b_empty, c_empty },
	{ "rrename", P9X_RRENAME, false, b_empty, c_empty },
	{ "rsetattr", P9X_RSETATTR, false, b_empty, c_empty },
	{ "rxattrcreate", P9X_RXATTRCREATE, false, b_empty, c_empty },
	{ "rfsync", P9X_RFSYNC, false, b_empty, c_empty },
	{ "rlink", P9X_RLINK, false, b_empty, c_empty },
	{ "rrenameat", P9X_RRENAMEAT, false, b_empty, c_empty },
	{ "runlinkat", P9X_RUNLINKAT, false, b_empty, c_empty },
};

KUNIT_ARRAY_PARAM_DESC(dec, dec_cases, name);

static void build_reply(struct kunit *test, struct mb *m,
			const struct dec_case *c, enum p9x_dialect d)
{
	mb_begin(m, c->type, TTAG);
	c->body(m, d);
	mb_end(m);
	KUNIT_ASSERT_FALSE(test, m->over);
}

/*
 * Decode a copy of @n bytes of @src and expect -EPROTO with the outputs
 * left alone.
 */
static void expect_reject(struct kunit *test, u8 type, const u8 *src,
			  size_t n, enum p9x_dialect d, struct rout *o,
			  const char *what)
{
	u8 *msg = dup_exact(test, src, n);

	memset(o, 0x5a, sizeof(*o));
	KUNIT_EXPECT_EQ_MSG(test, dec_any(type, msg, n, d, o), -EPROTO,
			    "%s, %zu bytes", what, n);
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(o, 0x5a, sizeof(*o)),
			      "%s: output written on failure", what);
	kfree(msg);
}

/*
 * For one reply: decode it and check every field; then every truncation
 * (with the size field left alone and with it matching the truncated
 * length), a trailing byte, a size field off by one either way, a wrong
 * type, the other dialect's qids, and a NULL message must all give
 * -EPROTO.
 */
static void dec_roundtrip(struct kunit *test)
{
	const struct dec_case *c = test->param_value;
	enum p9x_dialect d = dialect_of(test);
	struct mb *m = mb_new(test);
	struct mb *t = mb_new(test);
	struct rout *o;
	struct p9x_hdr h;
	size_t n, k;
	u32 ecode;
	u8 *msg;

	o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	build_reply(test, m, c, d);
	n = m->len;

	/* well-formed */
	msg = dup_exact(test, m->b, n);
	KUNIT_EXPECT_EQ(test, dec_any(c->type, msg, n, d, o), 0);
	c->check(test, o, d, msg, n);
	KUNIT_EXPECT_EQ(test, p9x_dec_hdr(msg, n, &h), 0);
	KUNIT_EXPECT_EQ(test, (size_t)h.size, n);
	KUNIT_EXPECT_EQ(test, h.type, c->type);
	KUNIT_EXPECT_EQ(test, h.tag, TTAG);
	ecode = 0;
	KUNIT_EXPECT_EQ(test, p9x_dec_reply(msg, n, TTAG, c->type, &ecode),
			c->type == P9X_RLERROR ? 1 : 0);
	KUNIT_EXPECT_EQ(test, p9x_dec_reply(msg, n, TTAG + 1, c->type, &ecode),
			-EPROTO);
	kfree(msg);

	/* every truncation */
	for (k = 0; k < n; k++) {
		expect_reject(test, c->type, m->b, k, d, o, "truncated");
		*t = *m;
		if (k >= 4) {
			mb_setsize(t, k);
			expect_reject(test, c->type, t->b, k, d, o,
				      "truncated, size fixed");
		}
	}

	/* one byte too many */
	*t = *m;
	mb_u8(t, 0);
	expect_reject(test, c->type, t->b, n + 1, d, o, "trailing byte");
	mb_end(t);
	expect_reject(test, c->type, t->b, n + 1, d, o,
		      "trailing byte, size fixed");

	/* size field off by one */
	*t = *m;
	mb_setsize(t, n + 1);
	expect_reject(test, c->type, t->b, n, d, o, "size too big");
	mb_setsize(t, n - 1);
	expect_reject(test, c->type, t->b, n, d, o, "size too small");
	mb_setsize(t, 0);
	expect_reject(test, c->type, t->b, n, d, o, "size zero");
	mb_setsize(t, 0xffffffff);
	expect_reject(test, c->type, t->b, n, d, o, "size all ones");

	/* wrong type: the matching T-message, and an Rlerror */
	*t = *m;
	t->b[4] = c->type - 1;
	expect_reject(test, c->type, t->b, n, d, o, "T-message type");
	if (c->type != P9X_RLERROR) {
		t->b[4] = P9X_RLERROR;
		expect_reject(test, c->type, t->b, n, d, o, "Rlerror type");
	}

	/* 13-byte qids in an Lx session, 21-byte ones in an L session */
	if (c->qids) {
		build_reply(test, t, c, other_dialect(d));
		expect_reject(test, c->type, t->b, t->len, d, o,
			      "other dialect's qids");
	}

	/* no message at all */
	memset(o, 0x5a, sizeof(*o));
	KUNIT_EXPECT_EQ(test, dec_any(c->type, NULL, 0, d, o), -EPROTO);
	KUNIT_EXPECT_EQ(test, dec_any(c->type, NULL, n, d, o), -EPROTO);
	KUNIT_EXPECT_NULL(test, memchr_inv(o, 0x5a, sizeof(*o)));
}

/**
 * struct bad_case - a malformed reply
 * @name: case name
 * @type: decoder to run
 * @build: writes the whole message, header included
 */
struct bad_case {
	const char *name;
	u8 type;
	void (*build)(struct mb *m, enum p9x_dialect d);
};

static void x_rread_over(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREAD, TTAG);
	mb_u32(m, 10);
	mb_bytes(m, "123456789", 9);
	mb_end(m);
}

static void x_rread_under(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREAD, TTAG);
	mb_u32(m, 8);
	mb_bytes(m, "123456789", 9);
	mb_end(m);
}

static void x_rread_huge(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREAD, TTAG);
	mb_u32(m, 0xffffffff);
	mb_bytes(m, "1234", 4);
	mb_end(m);
}

static void x_rreaddir_over(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREADDIR, TTAG);
	mb_u32(m, dirents_size(d) + 1);
	mb_dirents(m, d);
	mb_end(m);
}

static void x_rreaddir_under(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREADDIR, TTAG);
	mb_u32(m, dirents_size(d) - 1);
	mb_dirents(m, d);
	mb_end(m);
}

static void x_rreaddir_huge(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREADDIR, TTAG);
	mb_u32(m, 0x80000000);
	mb_dirents(m, d);
	mb_end(m);
}

/* Count and size agree, but the last name runs past the payload. */
static void x_rreaddir_cross(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREADDIR, TTAG);
	mb_u32(m, p9x_qid_size(d) * 2 + 2 * (8 + 1 + 2) + 4 + 3);
	mb_qid(m, d, &qa);
	mb_u64(m, 1);
	mb_u8(m, 4);
	mb_str(m, "four");
	mb_qid(m, d, &qb);
	mb_u64(m, 2);
	mb_u8(m, 8);
	mb_u16(m, 4);		/* says 4 bytes, 3 follow */
	mb_bytes(m, "abc", 3);
	mb_end(m);
}

/* The payload ends in the middle of a qid. */
static void x_rreaddir_partial(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREADDIR, TTAG);
	mb_u32(m, dirents_size(d) + 5);
	mb_dirents(m, d);
	mb_bytes(m, "\x80\x01\x02\x03\x04", 5);
	mb_end(m);
}

/* More qids than the Twalkgetattr had names, attributes after them. */
static void x_rwalkgetattr_over(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RWALKGETATTR, TTAG);
	mb_u16(m, DEC_WALK_NAMES + 1);
	mb_qid(m, d, &qa);
	mb_qid(m, d, &qb);
	mb_qid(m, d, &attr_val.qid);
	b_rgetattr(m, d);
	mb_end(m);
}

/* A partial walk that still carries attributes. */
static void x_rwalkgetattr_partial_attr(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RWALKGETATTR, TTAG);
	mb_u16(m, 1);
	mb_qid(m, d, &attr_val.qid);
	b_rgetattr(m, d);
	mb_end(m);
}

/* Every name walked, but no attributes. */
static void x_rwalkgetattr_no_attr(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RWALKGETATTR, TTAG);
	mb_u16(m, DEC_WALK_NAMES);
	mb_qid(m, d, &qa);
	mb_qid(m, d, &qb);
	mb_end(m);
}

static void x_rwalk_17(struct mb *m, enum p9x_dialect d)
{
	int i;

	mb_begin(m, P9X_RWALK, TTAG);
	mb_u16(m, 17);
	for (i = 0; i < 17; i++)
		mb_qid(m, d, &qa);
	mb_end(m);
}

static void x_rwalk_over(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RWALK, TTAG);
	mb_u16(m, 3);
	mb_qid(m, d, &qa);
	mb_qid(m, d, &qb);
	mb_end(m);
}

static void x_rwalk_under(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RWALK, TTAG);
	mb_u16(m, 1);
	mb_qid(m, d, &qa);
	mb_qid(m, d, &qb);
	mb_end(m);
}

static void x_rwalk_ffff(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RWALK, TTAG);
	mb_u16(m, 0xffff);
	mb_qid(m, d, &qa);
	mb_end(m);
}

static void x_rwalk_short_qid(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RWALK, TTAG);
	mb_u16(m, 2);
	mb_qid(m, d, &qa);
	mb_qid(m, d, &qb);
	m->len--;
	mb_end(m);
}

static void x_rversion_strlen(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RVERSION, TTAG);
	mb_u32(m, 8192);
	mb_u16(m, 100);
	mb_bytes(m, "9P2000.L", 8);
	mb_end(m);
}

static void x_rversion_strlen_ffff(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RVERSION, TTAG);
	mb_u32(m, 8192);
	mb_u16(m, 0xffff);
	mb_bytes(m, "9P2000.L", 8);
	mb_end(m);
}

static void x_rreadlink_strlen_over(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREADLINK, TTAG);
	mb_u16(m, 6);
	mb_bytes(m, "/tmp", 4);
	mb_end(m);
}

static void x_rreadlink_strlen_under(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREADLINK, TTAG);
	mb_u16(m, 3);
	mb_bytes(m, "/tmp", 4);
	mb_end(m);
}

static void x_rgetlock_strlen(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RGETLOCK, TTAG);
	mb_u8(m, 0);
	mb_u64(m, 0);
	mb_u64(m, 0);
	mb_u32(m, 1);
	mb_u16(m, 0x8000);
	mb_bytes(m, "id", 2);
	mb_end(m);
}

static void x_rattach_other_qid(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RATTACH, TTAG);
	mb_qid(m, other_dialect(d), &qa);
	mb_end(m);
}

static void x_rgetattr_other_qid(struct mb *m, enum p9x_dialect d)
{
	int i;

	mb_begin(m, P9X_RGETATTR, TTAG);
	mb_u64(m, P9X_GETATTR_BASIC);
	mb_qid(m, other_dialect(d), &qa);
	mb_u32(m, 0100644);
	mb_u32(m, 0);
	mb_u32(m, 0);
	for (i = 0; i < 15; i++)
		mb_u64(m, 0x0101010101010101ULL * i);
	mb_end(m);
}

static void x_rreaddir_other_qid(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREADDIR, TTAG);
	mb_u32(m, dirents_size(other_dialect(d)));
	mb_dirents(m, other_dialect(d));
	mb_end(m);
}

static void x_rclunk_body(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RCLUNK, TTAG);
	mb_u8(m, 0);
	mb_end(m);
}

static void x_rclunk_size_big(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RCLUNK, TTAG);
	mb_setsize(m, 8);
}

static void x_rclunk_size_small(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RCLUNK, TTAG);
	mb_setsize(m, 6);
}

static void x_rclunk_as_tclunk(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_TCLUNK, TTAG);
	mb_end(m);
}

/* A bodyless Rread: rempty must not accept a type that carries a body. */
static void x_rread_empty(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RREAD, TTAG);
	mb_end(m);
}

static void x_rlerror_trailing(struct mb *m, enum p9x_dialect d)
{
	mb_begin(m, P9X_RLERROR, TTAG);
	mb_u32(m, 2);
	mb_u8(m, 0);
	mb_end(m);
}

static void x_rstatfs_short(struct mb *m, enum p9x_dialect d)
{
	int i;

	mb_begin(m, P9X_RSTATFS, TTAG);
	for (i = 0; i < 59; i++)
		mb_u8(m, i);
	mb_end(m);
}

static const struct bad_case bad_cases[] = {
	{ "rread-count-over", P9X_RREAD, x_rread_over },
	{ "rread-count-under", P9X_RREAD, x_rread_under },
	{ "rread-count-huge", P9X_RREAD, x_rread_huge },
	{ "rreaddir-count-over", P9X_RREADDIR, x_rreaddir_over },
	{ "rreaddir-count-under", P9X_RREADDIR, x_rreaddir_under },
	{ "rreaddir-count-huge", P9X_RREADDIR, x_rreaddir_huge },
	{ "rreaddir-entry-crosses-end", P9X_RREADDIR, x_rreaddir_cross },
	{ "rreaddir-partial-entry", P9X_RREADDIR, x_rreaddir_partial },
	{ "rreaddir-other-dialect", P9X_RREADDIR, x_rreaddir_other_qid },
	{ "rwalk-nwqid-17", P9X_RWALK, x_rwalk_17 },
	{ "rwalk-nwqid-over", P9X_RWALK, x_rwalk_over },
	{ "rwalk-nwqid-under", P9X_RWALK, x_rwalk_under },
	{ "rwalk-nwqid-ffff", P9X_RWALK, x_rwalk_ffff },
	{ "rwalkgetattr-over", P9X_RWALKGETATTR, x_rwalkgetattr_over },
	{ "rwalkgetattr-partial-attr", P9X_RWALKGETATTR,
	  x_rwalkgetattr_partial_attr },
	{ "rwalkgetattr-no-attr", P9X_RWALKGETATTR, x_rwalkgetattr_no_attr },
	{ "rwalk-short-qid", P9X_RWALK, x_rwalk_short_qid },
	{ "rversion-strlen-over", P9X_RVERSION, x_rversion_strlen },
	{ "rversion-strlen-ffff", P9X_RVERSION, x_rversion_strlen_ffff },
	{ "rreadlink-strlen-over", P9X_RREADLINK, x_rreadlink_strlen_over },
	{ "rreadlink-strlen-under", P9X_RREADLINK, x_rreadlink_strlen_under },
	{ "rgetlock-strlen-over", P9X_RGETLOCK, x_rgetlock_strlen },
	{ "rattach-other-dialect", P9X_RATTACH, x_rattach_other_qid },
	{ "rgetattr-other-dialect", P9X_RGETATTR, x_rgetattr_other_qid },
	{ "rclunk-with-body", P9X_RCLUNK, x_rclunk_body },
	{ "rclunk-size-big", P9X_RCLUNK, x_rclunk_size_big },
	{ "rclunk-size-small", P9X_RCLUNK, x_rclunk_size_small },
	{ "rclunk-is-tclunk", P9X_RCLUNK, x_rclunk_as_tclunk },
	{ "rempty-for-rread", P9X_RREAD, x_rread_empty },
	{ "rlerror-trailing", P9X_RLERROR, x_rlerror_trailing },
	{ "rstatfs-short", P9X_RSTATFS, x_rstatfs_short },
};

KUNIT_ARRAY_PARAM_DESC(bad, bad_cases, name);

static void dec_malformed(struct kunit *test)
{
	const struct bad_case *c = test->param_value;
	enum p9x_dialect d = dialect_of(test);
	struct mb *m = mb_new(test);
	struct rout *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	u8 *msg;

	KUNIT_ASSERT_NOT_NULL(test, o);
	c->build(m, d);
	KUNIT_ASSERT_FALSE(test, m->over);
	expect_reject(test, c->type, m->b, m->len, d, o, c->name);
	if (c->type == P9X_RREAD) {
		/* p9x_dec_rempty() must refuse a type that has a body */
		msg = dup_exact(test, m->b, m->len);
		KUNIT_EXPECT_EQ(test, p9x_dec_rempty(msg, m->len, P9X_RREAD),
				-EPROTO);
		kfree(msg);
	}
}

/**
 * struct reply_case - one p9x_dec_reply() call
 * @name: case name
 * @type: type of the reply built
 * @tag: tag of the reply built
 * @ecode: Rlerror errno, when @type is P9X_RLERROR
 * @extra: body bytes beyond the expected ones (may be negative)
 * @size_delta: added to the size field after building
 * @want_type: type the request expects
 * @ret: expected return
 */
struct reply_case {
	const char *name;
	u8 type;
	u16 tag;
	u32 ecode;
	int extra;
	int size_delta;
	u8 want_type;
	int ret;
};

static const struct reply_case reply_cases[] = {
	{ "match", P9X_RCLUNK, TTAG, 0, 0, 0, P9X_RCLUNK, 0 },
	{ "match-notag", P9X_RVERSION, P9X_NOTAG, 0, 0, 0, P9X_RVERSION, 0 },
	{ "wrong-tag", P9X_RCLUNK, TTAG + 1, 0, 0, 0, P9X_RCLUNK, -EPROTO },
	{ "wrong-type", P9X_RREMOVE, TTAG, 0, 0, 0, P9X_RCLUNK, -EPROTO },
	{ "t-message", P9X_TCLUNK, TTAG, 0, 0, 0, P9X_RCLUNK, -EPROTO },
	{ "rerror-9p2000u", P9X_RERROR, TTAG, 0, 0, 0, P9X_RCLUNK, -EPROTO },
	{ "size-big", P9X_RCLUNK, TTAG, 0, 0, 1, P9X_RCLUNK, -EPROTO },
	{ "size-small", P9X_RCLUNK, TTAG, 0, 0, -1, P9X_RCLUNK, -EPROTO },
	{ "size-below-header", P9X_RCLUNK, TTAG, 0, 0, -7, P9X_RCLUNK,
	  -EPROTO },
	{ "short", P9X_RCLUNK, TTAG, 0, -2, -2, P9X_RCLUNK, -EPROTO },
	{ "rlerror-enoent", P9X_RLERROR, TTAG, 2, 0, 0, P9X_RWALK, 1 },
	{ "rlerror-1", P9X_RLERROR, TTAG, 1, 0, 0, P9X_RWALK, 1 },
	{ "rlerror-4095", P9X_RLERROR, TTAG, 4095, 0, 0, P9X_RWALK, 1 },
	{ "rlerror-0", P9X_RLERROR, TTAG, 0, 0, 0, P9X_RWALK, -EPROTO },
	{ "rlerror-4096", P9X_RLERROR, TTAG, 4096, 0, 0, P9X_RWALK, -EPROTO },
	{ "rlerror-5000", P9X_RLERROR, TTAG, 5000, 0, 0, P9X_RWALK, -EPROTO },
	{ "rlerror-ffffffff", P9X_RLERROR, TTAG, 0xffffffff, 0, 0, P9X_RWALK,
	  -EPROTO },
	{ "rlerror-wrong-tag", P9X_RLERROR, TTAG - 1, 2, 0, 0, P9X_RWALK,
	  -EPROTO },
	{ "rlerror-short", P9X_RLERROR, TTAG, 2, -1, 0, P9X_RWALK, -EPROTO },
	{ "rlerror-trailing", P9X_RLERROR, TTAG, 2, 1, 0, P9X_RWALK, -EPROTO },
	{ "rlerror-size-big", P9X_RLERROR, TTAG, 2, 0, 1, P9X_RWALK,
	  -EPROTO },
};

KUNIT_ARRAY_PARAM_DESC(reply, reply_cases, name);

static void dec_reply(struct kunit *test)
{
	const struct reply_case *c = test->param_value;
	struct mb *m = mb_new(test);
	u32 ecode = 0xdead;
	size_t n;
	u8 *msg;
	int i;

	mb_begin(m, c->type, c->tag);
	if (c->type == P9X_RLERROR)
		mb_u32(m, c->ecode);
	else if (c->type == P9X_RVERSION)
		b_rversion(m, P9X_DIALECT_L);
	for (i = 0; i < c->extra; i++)
		mb_u8(m, 0);
	if (c->extra < 0)
		m->len += c->extra;
	mb_setsize(m, m->len + c->size_delta);
	n = m->len;

	msg = dup_exact(test, m->b, n);
	KUNIT_EXPECT_EQ(test, p9x_dec_reply(msg, n, c->tag == P9X_NOTAG ?
					     P9X_NOTAG : TTAG,
					     c->want_type, &ecode), c->ret);
	if (c->ret == 1)
		KUNIT_EXPECT_EQ(test, ecode, c->ecode);
	else
		KUNIT_EXPECT_EQ(test, ecode, 0xdeadu);
	kfree(msg);
	KUNIT_EXPECT_EQ(test, p9x_dec_reply(NULL, n, TTAG, c->want_type,
					    &ecode), -EPROTO);
}

static void dec_hdr(struct kunit *test)
{
	struct mb *m = mb_new(test);
	struct p9x_hdr h;

	mb_begin(m, P9X_RREAD, 0xabcd);
	mb_u32(m, 3);
	mb_bytes(m, "xyz", 3);
	mb_end(m);
	/* 9 more bytes than the size says: fine for routing */
	KUNIT_EXPECT_EQ(test, p9x_dec_hdr(m->b, m->len + 9, &h), 0);
	KUNIT_EXPECT_EQ(test, (size_t)h.size, m->len);
	KUNIT_EXPECT_EQ(test, h.type, P9X_RREAD);
	KUNIT_EXPECT_EQ(test, h.tag, 0xabcd);
	/* size beyond the bytes received */
	KUNIT_EXPECT_EQ(test, p9x_dec_hdr(m->b, m->len - 1, &h), -EPROTO);
	/* fewer bytes than a header */
	KUNIT_EXPECT_EQ(test, p9x_dec_hdr(m->b, 6, &h), -EPROTO);
	KUNIT_EXPECT_EQ(test, p9x_dec_hdr(NULL, 100, &h), -EPROTO);
	/* a size below the header's own */
	mb_setsize(m, 6);
	KUNIT_EXPECT_EQ(test, p9x_dec_hdr(m->b, m->len, &h), -EPROTO);
	mb_setsize(m, 7);
	KUNIT_EXPECT_EQ(test, p9x_dec_hdr(m->b, m->len, &h), 0);
}

/* An iterator built by hand over entries whose last one crosses the end. */
static void dirent_bounds(struct kunit *test)
{
	enum p9x_dialect d = dialect_of(test);
	struct mb *m = mb_new(test);
	struct p9x_dirent_iter it;
	struct p9x_dirent de;
	size_t cut;
	u8 *p;

	mb_dirents(m, d);
	KUNIT_ASSERT_FALSE(test, m->over);

	/* cut the payload at every length: whole entries, then -EPROTO */
	for (cut = 0; cut <= m->len; cut++) {
		size_t whole = 0, off = 0, i, ret_ok = 0;
		int ret;

		for (i = 0; i < ARRAY_SIZE(dirents); i++) {
			size_t sz = p9x_qid_size(d) + 11 +
				    strlen(dirents[i].name);

			if (off + sz > cut)
				break;
			off += sz;
			whole++;
		}
		p = dup_exact(test, m->b, cut);
		it.p = p;
		it.end = p + cut;
		it.dialect = d;
		while ((ret = p9x_dirent_next(&it, &de)) == 1)
			ret_ok++;
		KUNIT_EXPECT_EQ_MSG(test, ret_ok, whole, "cut %zu", cut);
		KUNIT_EXPECT_EQ_MSG(test, ret, off == cut ? 0 : -EPROTO,
				    "cut %zu", cut);
		KUNIT_EXPECT_PTR_EQ(test, it.p, it.end);
		KUNIT_EXPECT_EQ(test, p9x_dirent_next(&it, &de), 0);
		kfree(p);
	}

	/* nonsense iterators */
	it.p = m->b + 10;
	it.end = m->b + 5;
	it.dialect = d;
	KUNIT_EXPECT_EQ(test, p9x_dirent_next(&it, &de), -EPROTO);
	KUNIT_EXPECT_PTR_EQ(test, it.p, it.end);
	it.p = NULL;
	it.end = NULL;
	KUNIT_EXPECT_EQ(test, p9x_dirent_next(&it, &de), 0);
	KUNIT_EXPECT_EQ(test, p9x_dirent_next(NULL, &de), 0);
}

/* Rwalk with fewer slots than P9X_MAXWELEM. */
static void dec_rwalk_maxqid(struct kunit *test)
{
	enum p9x_dialect d = dialect_of(test);
	struct mb *m = mb_new(test);
	struct p9x_qid qids[P9X_MAXWELEM + 1];
	u16 nwqid = 0xeeee;
	u8 *msg;
	int i;

	mb_begin(m, P9X_RWALK, TTAG);
	b_rwalk(m, d);
	mb_end(m);
	msg = dup_exact(test, m->b, m->len);
	KUNIT_EXPECT_EQ(test, p9x_dec_rwalk(msg, m->len, d, 2, &nwqid, qids),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, nwqid, 0xeeee);
	KUNIT_EXPECT_EQ(test, p9x_dec_rwalk(msg, m->len, d, 3, &nwqid, qids),
			0);
	KUNIT_EXPECT_EQ(test, nwqid, 3);
	kfree(msg);

	/* 17 qids are refused even when the caller claims room for them */
	mb_begin(m, P9X_RWALK, TTAG);
	mb_u16(m, 17);
	for (i = 0; i < 17; i++)
		mb_qid(m, d, &qc);
	mb_end(m);
	KUNIT_ASSERT_FALSE(test, m->over);
	msg = dup_exact(test, m->b, m->len);
	KUNIT_EXPECT_EQ(test, p9x_dec_rwalk(msg, m->len, d, 17, &nwqid, qids),
			-EPROTO);
	kfree(msg);
}

/* ---- suites ------------------------------------------------------------ */

static const enum p9x_dialect dialect_l = P9X_DIALECT_L;
static const enum p9x_dialect dialect_lx = P9X_DIALECT_LX;

static int wire_l_init(struct kunit *test)
{
	test->priv = (void *)&dialect_l;
	return 0;
}

static int wire_lx_init(struct kunit *test)
{
	test->priv = (void *)&dialect_lx;
	return 0;
}

static struct kunit_case wire_l_cases[] = {
	KUNIT_CASE_PARAM(enc_roundtrip, enc_gen_params),
	KUNIT_CASE(enc_literal),
	KUNIT_CASE(enc_nametoolong),
	KUNIT_CASE(enc_invalid),
	KUNIT_CASE(enc_twrite_nodata),
	KUNIT_CASE(dec_rread_split),
	KUNIT_CASE_PARAM(dec_roundtrip, dec_gen_params),
	KUNIT_CASE_PARAM(dec_malformed, bad_gen_params),
	KUNIT_CASE_PARAM(dec_reply, reply_gen_params),
	KUNIT_CASE(dec_hdr),
	KUNIT_CASE(dec_rwalk_maxqid),
	KUNIT_CASE(dirent_bounds),
	{}
};

static struct kunit_case wire_lx_cases[] = {
	KUNIT_CASE_PARAM(enc_roundtrip, enc_gen_params),
	KUNIT_CASE(enc_literal),
	KUNIT_CASE(enc_nametoolong),
	KUNIT_CASE(enc_invalid),
	KUNIT_CASE(enc_twrite_nodata),
	KUNIT_CASE(dec_rread_split),
	KUNIT_CASE_PARAM(dec_roundtrip, dec_gen_params),
	KUNIT_CASE_PARAM(dec_malformed, bad_gen_params),
	KUNIT_CASE_PARAM(dec_reply, reply_gen_params),
	KUNIT_CASE(dec_hdr),
	KUNIT_CASE(dec_rwalk_maxqid),
	KUNIT_CASE(dirent_bounds),
	{}
};

/* ---- directory offsets that go round ------------------------------------ */

/*
 * Feed @n offsets from @off() to a detector started at @start, as a
 * directory read takes them; return the index of the first one taken for
 * a loop, or -1.
 */
static long dirloop_run(u64 start, long n, u64 (*off)(long i, long a, long b),
			long a, long b)
{
	struct p9x_dirloop dl;
	long i;

	p9x_dirloop_start(&dl, start);
	for (i = 0; i < n; i++) {
		if (p9x_dirloop_seen(&dl, off(i, a, b)))
			return i;
		p9x_dirloop_take(&dl, off(i, a, b));
	}
	return -1;
}

/* 1, 2, 3, ... */
static u64 off_counting(long i, long a, long b)
{
	return i + 1;
}

/* Distinct and in no order, as ext4's hash cookies: an odd multiplier. */
static u64 off_scattered(long i, long a, long b)
{
	return (u64)(i + 1) * 0x9e3779b97f4a7c15ULL;
}

/* @a distinct offsets, then a cycle of @b forever. */
static u64 off_cycle(long i, long a, long b)
{
	if (i < a)
		return 1000000 + i;
	return 1 + (i - a) % b;
}

static void dirloop_distinct(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, dirloop_run(0, 200000, off_counting, 0, 0), -1L);
	KUNIT_EXPECT_EQ(test, dirloop_run(0, 200000, off_scattered, 0, 0), -1L);
}

static void dirloop_stuck(struct kunit *test)
{
	struct p9x_dirloop dl;

	/* An entry at the offset the read started from: read again. */
	p9x_dirloop_start(&dl, 0);
	KUNIT_EXPECT_TRUE(test, p9x_dirloop_seen(&dl, 0));
	p9x_dirloop_start(&dl, 4096);
	KUNIT_EXPECT_TRUE(test, p9x_dirloop_seen(&dl, 4096));
	KUNIT_EXPECT_FALSE(test, p9x_dirloop_seen(&dl, 0));

	/* An offset that does not move on. */
	p9x_dirloop_start(&dl, 0);
	p9x_dirloop_take(&dl, 5);
	p9x_dirloop_take(&dl, 6);
	p9x_dirloop_take(&dl, 7);
	KUNIT_EXPECT_TRUE(test, p9x_dirloop_seen(&dl, 7));
	KUNIT_EXPECT_FALSE(test, p9x_dirloop_seen(&dl, 8));
}

static void dirloop_cycles(struct kunit *test)
{
	static const long lead[] = { 0, 1, 9, 500, 4000 };
	static const long len[] = { 1, 2, 3, 7, 64, 1000, 5000 };
	long i, j, at;

	for (i = 0; i < ARRAY_SIZE(lead); i++) {
		for (j = 0; j < ARRAY_SIZE(len); j++) {
			long a = lead[i], b = len[j];

			at = dirloop_run(0, 4 * (a + b) + 4, off_cycle, a, b);
			/* Not before the first repeat, and soon after it. */
			KUNIT_EXPECT_GE_MSG(test, at, a + b,
					    "lead %ld, cycle %ld", a, b);
		}
	}
}

static void dirloop_restart(struct kunit *test)
{
	struct p9x_dirloop dl;
	u64 o;

	/* rewinddir: the same offsets again are a new read, not a loop. */
	p9x_dirloop_start(&dl, 0);
	for (o = 1; o <= 100; o++)
		p9x_dirloop_take(&dl, o);
	KUNIT_EXPECT_TRUE(test, p9x_dirloop_seen(&dl, 100));
	p9x_dirloop_start(&dl, 0);
	for (o = 1; o <= 100; o++) {
		KUNIT_EXPECT_FALSE(test, p9x_dirloop_seen(&dl, o));
		p9x_dirloop_take(&dl, o);
	}
	/* seekdir to an offset handed out before: resumes after it. */
	p9x_dirloop_start(&dl, 50);
	KUNIT_EXPECT_FALSE(test, p9x_dirloop_seen(&dl, 51));
}

static struct kunit_case dirloop_cases[] = {
	KUNIT_CASE(dirloop_distinct),
	KUNIT_CASE(dirloop_stuck),
	KUNIT_CASE(dirloop_cycles),
	KUNIT_CASE(dirloop_restart),
	{}
};

static struct kunit_suite dirloop_suite = {
	.name = "9plx-wire-dirloop",
	.test_cases = dirloop_cases,
};

static struct kunit_suite wire_l_suite = {
	.name = "9plx-wire-l",
	.init = wire_l_init,
	.test_cases = wire_l_cases,
};

static struct kunit_suite wire_lx_suite = {
	.name = "9plx-wire-lx",
	.init = wire_lx_init,
	.test_cases = wire_lx_cases,
};

kunit_test_suites(&wire_l_suite, &wire_lx_suite, &dirloop_suite);

MODULE_DESCRIPTION("KUnit tests for the 9plx wire codec");
MODULE_LICENSE("GPL");
