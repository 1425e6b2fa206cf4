// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for the 9plx wire codec (fs/9p/wire.c), built in userspace.
 *
 * Input: sel[1] msg[...].  Bit 0 of sel picks the dialect (1 = 9P2000.Lx),
 * the rest picks a target: one of the decoders, the reply/header checks,
 * the Rreaddir entry iterator over raw bytes, or an encoder round trip
 * (the message bytes then become Twalk names).  Beyond "no crash, no
 * sanitizer report", every successful decode is checked for the promises
 * of include/9plx/wire.h: exact length, pointers inside the message,
 * dev 0 in 9P2000.L, counts within bounds; a broken promise aborts.
 *
 * Built with -DWIRE_FUZZ_LIBFUZZER this is a libFuzzer target.  Without
 * it, main() replays files and directories given on the command line and
 * can write a seed corpus:
 *
 *   wire_fuzz [-m] FILE|DIR...   replay (-m: also every truncation and
 *                                every single-byte change of each input)
 *   wire_fuzz -w DIR             write the seed corpus into DIR
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "9plx/wire.h"

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: broken promise: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

enum target {
	T_RLERROR, T_RVERSION, T_RAUTH, T_RATTACH, T_RWALK, T_RREAD,
	T_RWRITE, T_RSTATFS, T_RLOPEN, T_RLCREATE, T_RSYMLINK, T_RMKNOD,
	T_RMKDIR, T_RREADLINK, T_RGETATTR, T_RXATTRWALK, T_RREADDIR, T_RLOCK,
	T_RGETLOCK, T_REMPTY, T_REPLY, T_HDR, T_DIRENTS, T_RWALK_SMALL,
	T_ENCODE, T_RWALKGETATTR, T_COUNT
};

static const u8 target_type[T_COUNT] = {
	[T_RLERROR] = P9X_RLERROR, [T_RVERSION] = P9X_RVERSION,
	[T_RAUTH] = P9X_RAUTH, [T_RATTACH] = P9X_RATTACH,
	[T_RWALK] = P9X_RWALK, [T_RREAD] = P9X_RREAD,
	[T_RWRITE] = P9X_RWRITE, [T_RSTATFS] = P9X_RSTATFS,
	[T_RLOPEN] = P9X_RLOPEN, [T_RLCREATE] = P9X_RLCREATE,
	[T_RSYMLINK] = P9X_RSYMLINK, [T_RMKNOD] = P9X_RMKNOD,
	[T_RMKDIR] = P9X_RMKDIR, [T_RREADLINK] = P9X_RREADLINK,
	[T_RGETATTR] = P9X_RGETATTR, [T_RXATTRWALK] = P9X_RXATTRWALK,
	[T_RREADDIR] = P9X_RREADDIR, [T_RLOCK] = P9X_RLOCK,
	[T_RGETLOCK] = P9X_RGETLOCK, [T_RWALK_SMALL] = P9X_RWALK,
	[T_RWALKGETATTR] = P9X_RWALKGETATTR,
};

static u32 ld32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u16 ld16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

/* A successful typed decode saw a whole message of its own type. */
static void check_whole(const u8 *m, size_t len, u8 type)
{
	CHECK(len >= P9X_HDR_SIZE);
	CHECK(ld32(m) == len);
	CHECK(m[4] == type);
}

static void check_inside(const u8 *m, size_t len, const void *p, size_t n)
{
	const u8 *q = p;

	CHECK(n == 0 || q);
	if (n) {
		CHECK(q >= m && q <= m + len);
		CHECK(n <= (size_t)(m + len - q));
	}
}

static void check_qid(const struct p9x_qid *q, enum p9x_dialect d)
{
	if (d == P9X_DIALECT_L)
		CHECK(q->dev == 0);
}

static void check_dirents(const u8 *m, size_t len, struct p9x_dirent_iter *it,
			  enum p9x_dialect d, int whole)
{
	struct p9x_dirent de;
	size_t n = 0;
	int ret;

	while ((ret = p9x_dirent_next(it, &de)) == 1) {
		check_qid(&de.qid, d);
		check_inside(m, len, de.name.s, de.name.len);
		n++;
		CHECK(n <= len / (p9x_qid_size(d) + 11));
	}
	CHECK(ret == 0 || ret == -EPROTO);
	/* a payload p9x_dec_rreaddir() accepted splits into whole entries */
	if (whole)
		CHECK(ret == 0);
	CHECK(it->p == it->end);
	CHECK(p9x_dirent_next(it, &de) == 0);
}

/* Parse a Twalk back and compare it with the names it was made from. */
static void check_twalk(const u8 *m, u32 len, unsigned int n,
			const char *const *names)
{
	unsigned int i;
	size_t off = 17;

	CHECK(len >= 17 && ld32(m) == len && m[4] == P9X_TWALK);
	CHECK(ld16(m + 15) == n);
	for (i = 0; i < n; i++) {
		size_t sl = strlen(names[i]);

		CHECK(off + 2 + sl <= len);
		CHECK(ld16(m + off) == sl);
		CHECK(memcmp(m + off + 2, names[i], sl) == 0);
		off += 2 + sl;
	}
	CHECK(off == len);
}

/* Split @in into up to P9X_MAXWELEM names and encode a Twalk of them. */
static void fuzz_encode(const u8 *in, size_t len)
{
	const char *names[P9X_MAXWELEM];
	struct p9x_wbuf b;
	unsigned int n = 0;
	size_t i, start = 0;
	char *copy;
	u32 need, cap;
	u8 *buf, *tga;
	int ret;

	if (len > 60000)	/* keep every name a legal 9P string */
		len = 60000;
	copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, in, len);
	copy[len] = '\0';
	for (i = 0; i <= len && n < P9X_MAXWELEM; i++) {
		if (i == len || copy[i] == '/' || copy[i] == '\0') {
			copy[i] = '\0';
			names[n++] = copy + start;
			start = i + 1;
		}
	}

	p9x_wbuf_init(&b, NULL, 0);
	ret = p9x_enc_twalk(&b, 1, 2, 3, n, names);
	CHECK(ret == -EMSGSIZE);
	need = b.len;

	buf = malloc(need);
	CHECK(buf);
	p9x_wbuf_init(&b, buf, need);
	CHECK(p9x_enc_twalk(&b, 1, 2, 3, n, names) == 0);
	CHECK(b.len == need);
	check_twalk(buf, need, n, names);

	/* Twalkgetattr: the same, with a request mask before nwname */
	tga = malloc(need + 8);
	CHECK(tga);
	p9x_wbuf_init(&b, tga, need + 8);
	CHECK(p9x_enc_twalkgetattr(&b, 1, 2, 3, 0x1234567890abcdefULL, n,
				   names) == 0);
	CHECK(b.len == need + 8 && ld32(tga) == need + 8);
	CHECK(tga[4] == P9X_TWALKGETATTR);
	CHECK(memcmp(tga + 5, buf + 5, 10) == 0);
	CHECK(ld32(tga + 15) == 0x90abcdef && ld32(tga + 19) == 0x12345678);
	CHECK(memcmp(tga + 23, buf + 15, need - 15) == 0);
	free(tga);
	free(buf);

	/* a short buffer: refused, full size reported, nothing overrun */
	cap = len ? in[0] % need : 0;
	buf = malloc(cap ? cap : 1);
	CHECK(buf);
	p9x_wbuf_init(&b, buf, cap);
	CHECK(p9x_enc_twalk(&b, 1, 2, 3, n, names) == -EMSGSIZE);
	CHECK(b.len == need);
	free(buf);

	/* the same names as single-string messages */
	p9x_wbuf_init(&b, NULL, 0);
	CHECK(p9x_enc_tlcreate(&b, 1, 2, names[0], 0, 0, 0) == -EMSGSIZE);
	CHECK(b.len == P9X_HDR_SIZE + 4 + 2 + strlen(names[0]) + 12);
	free(copy);
}

/* Successful typed decodes, for the replay statistics. */
static unsigned long n_ok;

static void fuzz_one(const u8 *data, size_t size)
{
	static const u8 empty_types[] = {
		P9X_RFLUSH, P9X_RCLUNK, P9X_RREMOVE, P9X_RRENAME,
		P9X_RSETATTR, P9X_RXATTRCREATE, P9X_RFSYNC, P9X_RLINK,
		P9X_RRENAMEAT, P9X_RUNLINKAT,
	};
	struct p9x_qid qids[P9X_MAXWELEM];
	struct p9x_dirent_iter it;
	struct p9x_rgetlock gl;
	struct p9x_statfs st;
	struct p9x_attr attr;
	struct p9x_str str;
	struct p9x_qid qid;
	struct p9x_hdr h;
	enum p9x_dialect d;
	enum target t;
	const u8 *m, *p;
	u32 u, v;
	u64 w;
	u16 n;
	u8 c;
	size_t len;
	int ret;

	if (size < 1)
		return;
	d = data[0] & 1 ? P9X_DIALECT_LX : P9X_DIALECT_L;
	t = (enum target)((data[0] >> 1) % T_COUNT);
	m = data + 1;
	len = size - 1;
	/* A zero-length input gets a NULL message, which must be safe too. */
	if (!len)
		m = NULL;

	switch (t) {
	case T_RLERROR:
		ret = p9x_dec_rlerror(m, len, &u);
		break;
	case T_RVERSION:
		ret = p9x_dec_rversion(m, len, &u, &str);
		if (!ret)
			check_inside(m, len, str.s, str.len);
		break;
	case T_RAUTH:
		ret = p9x_dec_rauth(m, len, d, &qid);
		break;
	case T_RATTACH:
		ret = p9x_dec_rattach(m, len, d, &qid);
		break;
	case T_RWALK:
	case T_RWALK_SMALL:
		v = t == T_RWALK ? P9X_MAXWELEM : 3;
		ret = p9x_dec_rwalk(m, len, d, v, &n, qids);
		if (!ret) {
			CHECK(n <= v);
			CHECK(len == P9X_HDR_SIZE + 2 + n * p9x_qid_size(d));
			while (n--)
				check_qid(&qids[n], d);
		}
		break;
	case T_RWALKGETATTR:
		/* as after a Twalkgetattr of two names */
		ret = p9x_dec_rwalkgetattr(m, len, d, 2, &n, qids, &attr);
		if (!ret) {
			CHECK(n <= 2);
			CHECK(len == P9X_HDR_SIZE + 2 + n * p9x_qid_size(d) +
			      (n == 2 ? P9X_ATTR_SIZE(d) : 0));
			if (n == 2)
				check_qid(&attr.qid, d);
			while (n--)
				check_qid(&qids[n], d);
		}
		break;
	case T_RREAD:
		ret = p9x_dec_rread(m, len, &u, &p);
		if (!ret) {
			CHECK(len == P9X_RIOHDR_SIZE + (size_t)u);
			check_inside(m, len, p, u);
		}
		/* The same bytes as the framing of a zero-copy reply. */
		if (len >= P9X_RIOHDR_SIZE &&
		    !p9x_dec_rread_split(m, P9X_RIOHDR_SIZE, m[0] | m[1] << 8 |
					 m[2] << 16 | (u32)m[3] << 24,
					 m[5] | m[6] << 8, &u))
			CHECK(u == (m[7] | m[8] << 8 | m[9] << 16 |
				    (u32)m[10] << 24));
		break;
	case T_RWRITE:
		ret = p9x_dec_rwrite(m, len, &u);
		break;
	case T_RSTATFS:
		ret = p9x_dec_rstatfs(m, len, &st);
		break;
	case T_RLOPEN:
		ret = p9x_dec_rlopen(m, len, d, &qid, &u);
		break;
	case T_RLCREATE:
		ret = p9x_dec_rlcreate(m, len, d, &qid, &u);
		break;
	case T_RSYMLINK:
		ret = p9x_dec_rsymlink(m, len, d, &qid);
		break;
	case T_RMKNOD:
		ret = p9x_dec_rmknod(m, len, d, &qid);
		break;
	case T_RMKDIR:
		ret = p9x_dec_rmkdir(m, len, d, &qid);
		break;
	case T_RREADLINK:
		ret = p9x_dec_rreadlink(m, len, &str);
		if (!ret)
			check_inside(m, len, str.s, str.len);
		break;
	case T_RGETATTR:
		ret = p9x_dec_rgetattr(m, len, d, &attr);
		if (!ret)
			check_qid(&attr.qid, d);
		break;
	case T_RXATTRWALK:
		ret = p9x_dec_rxattrwalk(m, len, &w);
		break;
	case T_RREADDIR:
		ret = p9x_dec_rreaddir(m, len, d, &it);
		if (!ret) {
			CHECK(it.p == m + P9X_RIOHDR_SIZE && it.end == m + len);
			check_dirents(m, len, &it, d, 1);
		}
		break;
	case T_RLOCK:
		ret = p9x_dec_rlock(m, len, &c);
		break;
	case T_RGETLOCK:
		ret = p9x_dec_rgetlock(m, len, &gl);
		if (!ret)
			check_inside(m, len, gl.client_id.s, gl.client_id.len);
		break;
	case T_REMPTY:
		c = len > 4 ? m[4] : empty_types[len % sizeof(empty_types)];
		ret = p9x_dec_rempty(m, len, c);
		CHECK(ret == 0 || ret == -EPROTO);
		if (!ret) {
			CHECK(len == P9X_HDR_SIZE);
			CHECK(memchr(empty_types, c, sizeof(empty_types)));
			check_whole(m, len, c);
		}
		return;
	case T_REPLY:
		if (len < P9X_HDR_SIZE) {
			CHECK(p9x_dec_reply(m, len, 1, P9X_RCLUNK, &u) ==
			      -EPROTO);
			return;
		}
		v = 0xdead;
		ret = p9x_dec_reply(m, len, ld16(m + 5), P9X_RREAD, &v);
		CHECK(ret == 0 || ret == 1 || ret == -EPROTO);
		if (ret >= 0)
			CHECK(ld32(m) == len);
		if (ret == 0)
			CHECK(m[4] == P9X_RREAD);
		if (ret == 1)
			CHECK(m[4] == P9X_RLERROR && len == 11 &&
			      v >= 1 && v <= 4095 && v == ld32(m + 7));
		if (ret < 0)
			CHECK(v == 0xdead);
		/* a different tag never matches */
		CHECK(p9x_dec_reply(m, len, ld16(m + 5) ^ 1, P9X_RREAD, &v) ==
		      -EPROTO);
		return;
	case T_HDR:
		ret = p9x_dec_hdr(m, len, &h);
		if (!ret) {
			CHECK(h.size >= P9X_HDR_SIZE && h.size <= len);
			CHECK(h.type == m[4] && h.tag == ld16(m + 5));
		}
		CHECK(ret == 0 || ret == -EPROTO);
		return;
	case T_DIRENTS:
		it.p = m;
		it.end = m ? m + len : NULL;
		it.dialect = d;
		check_dirents(m, len, &it, d, 0);
		return;
	case T_ENCODE:
		fuzz_encode(data + 1, size - 1);
		return;
	default:
		abort();
	}

	CHECK(ret == 0 || ret == -EPROTO);
	if (!ret) {
		n_ok++;
		check_whole(m, len, target_type[t]);
		if (t == T_RAUTH || t == T_RATTACH || t == T_RLOPEN ||
		    t == T_RLCREATE || t == T_RSYMLINK || t == T_RMKNOD ||
		    t == T_RMKDIR)
			check_qid(&qid, d);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	fuzz_one(data, size);
	return 0;
}

#ifndef WIRE_FUZZ_LIBFUZZER

/* Run one input from an exactly sized heap copy, so ASan sees overruns. */
static void run_exact(const u8 *data, size_t size)
{
	u8 *copy = malloc(size ? size : 1);

	if (!copy) {
		perror("malloc");
		exit(2);
	}
	memcpy(copy, data, size);
	fuzz_one(copy, size);
	free(copy);
}

static unsigned long n_runs;

static void run_input(const u8 *data, size_t size, int mutate)
{
	size_t i;
	u8 *tmp;
	int b;

	run_exact(data, size);
	n_runs++;
	if (!mutate || size < 2)
		return;
	for (i = 1; i < size; i++) {
		run_exact(data, i);
		n_runs++;
	}
	tmp = malloc(size);
	if (!tmp)
		exit(2);
	for (i = 1; i < size; i++) {
		static const u8 vals[] = { 0x00, 0xff, 0x01, 0x7f, 0x80 };

		for (b = 0; b < 5 + 8; b++) {
			memcpy(tmp, data, size);
			if (b < 5)
				tmp[i] = vals[b];
			else
				tmp[i] ^= 1u << (b - 5);
			run_exact(tmp, size);
			n_runs++;
		}
	}
	free(tmp);
}

static int run_file(const char *path, int mutate)
{
	FILE *f = fopen(path, "rb");
	u8 *buf = NULL;
	size_t cap = 0, len = 0, got;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got);
	fclose(f);
	run_input(buf, len, mutate);
	free(buf);
	return 0;
}

static int run_path(const char *path, int mutate)
{
	struct dirent *de;
	struct stat sb;
	char sub[4096];
	int err = 0;
	DIR *dir;

	if (stat(path, &sb)) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode))
		return run_file(path, mutate);
	dir = opendir(path);
	if (!dir) {
		perror(path);
		return -1;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (stat(sub, &sb) == 0 && S_ISREG(sb.st_mode))
			err |= run_file(sub, mutate);
	}
	closedir(dir);
	return err;
}

/* ---- seed corpus ------------------------------------------------------- */

struct seed {
	u8 b[1024];
	size_t len;
};

static void s8(struct seed *s, u8 v)
{
	if (s->len < sizeof(s->b))
		s->b[s->len++] = v;
}

static void s16(struct seed *s, u16 v)
{
	s8(s, v & 0xff);
	s8(s, v >> 8);
}

static void s32(struct seed *s, u32 v)
{
	s16(s, v & 0xffff);
	s16(s, v >> 16);
}

static void s64(struct seed *s, u64 v)
{
	s32(s, (u32)v);
	s32(s, (u32)(v >> 32));
}

static void sstr(struct seed *s, const char *str)
{
	size_t i, n = strlen(str);

	s16(s, (u16)n);
	for (i = 0; i < n; i++)
		s8(s, (u8)str[i]);
}

static void sqid(struct seed *s, int lx, u8 type, u64 path)
{
	s8(s, type);
	s32(s, 0x01020304);
	s64(s, path);
	if (lx)
		s64(s, 0xa0a1a2a3a4a5a6a7ULL);
}

/* Selector byte, then a header with the size patched in by sdone(). */
static void sbegin(struct seed *s, enum target t, int lx, u8 type)
{
	s->len = 0;
	s8(s, (u8)(t << 1 | lx));
	s32(s, 0);
	s8(s, type);
	s16(s, 1);
}

static int swrite(struct seed *s, const char *dir, const char *name, int lx)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%s-%s", dir, name,
		 lx ? "lx" : "l");
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->len, f) != s->len || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Patch the size field (after the selector byte) and write the seed. */
static int sdone(struct seed *s, const char *dir, const char *name, int lx)
{
	u32 size = (u32)(s->len - 1);

	s->b[1] = size & 0xff;
	s->b[2] = (size >> 8) & 0xff;
	s->b[3] = (size >> 16) & 0xff;
	s->b[4] = size >> 24;
	return swrite(s, dir, name, lx);
}

static int write_seeds(const char *dir)
{
	static const u8 empty_types[] = {
		P9X_RFLUSH, P9X_RCLUNK, P9X_RREMOVE, P9X_RRENAME,
		P9X_RSETATTR, P9X_RXATTRCREATE, P9X_RFSYNC, P9X_RLINK,
		P9X_RRENAMEAT, P9X_RUNLINKAT,
	};
	struct seed s;
	char name[32];
	int err = 0, lx, i;

	mkdir(dir, 0755);
	for (lx = 0; lx <= 1; lx++) {
		sbegin(&s, T_RLERROR, lx, P9X_RLERROR);
		s32(&s, 2);
		err |= sdone(&s, dir, "rlerror", lx);
		sbegin(&s, T_REPLY, lx, P9X_RLERROR);
		s32(&s, 5);
		err |= sdone(&s, dir, "reply-rlerror", lx);
		sbegin(&s, T_REPLY, lx, P9X_RREAD);
		s32(&s, 1);
		s8(&s, 'z');
		err |= sdone(&s, dir, "reply-rread", lx);
		sbegin(&s, T_HDR, lx, P9X_RREAD);
		s32(&s, 1);
		s8(&s, 'z');
		err |= sdone(&s, dir, "hdr", lx);
		sbegin(&s, T_RVERSION, lx, P9X_RVERSION);
		s32(&s, 65536);
		sstr(&s, lx ? P9X_VERSION_LX : P9X_VERSION_L);
		err |= sdone(&s, dir, "rversion", lx);
		sbegin(&s, T_RAUTH, lx, P9X_RAUTH);
		sqid(&s, lx, P9X_QTAUTH, 1);
		err |= sdone(&s, dir, "rauth", lx);
		sbegin(&s, T_RATTACH, lx, P9X_RATTACH);
		sqid(&s, lx, P9X_QTDIR, 2);
		err |= sdone(&s, dir, "rattach", lx);
		sbegin(&s, T_RWALK, lx, P9X_RWALK);
		s16(&s, 3);
		for (i = 0; i < 3; i++)
			sqid(&s, lx, P9X_QTDIR, 10 + i);
		err |= sdone(&s, dir, "rwalk", lx);
		sbegin(&s, T_RWALK_SMALL, lx, P9X_RWALK);
		s16(&s, 2);
		for (i = 0; i < 2; i++)
			sqid(&s, lx, P9X_QTFILE, 20 + i);
		err |= sdone(&s, dir, "rwalk-small", lx);
		sbegin(&s, T_RREAD, lx, P9X_RREAD);
		s32(&s, 5);
		for (i = 0; i < 5; i++)
			s8(&s, (u8)('a' + i));
		err |= sdone(&s, dir, "rread", lx);
		sbegin(&s, T_RWRITE, lx, P9X_RWRITE);
		s32(&s, 4096);
		err |= sdone(&s, dir, "rwrite", lx);
		sbegin(&s, T_RSTATFS, lx, P9X_RSTATFS);
		s32(&s, 0x01021997);
		s32(&s, 4096);
		for (i = 0; i < 6; i++)
			s64(&s, 1000 + i);
		s32(&s, 255);
		err |= sdone(&s, dir, "rstatfs", lx);
		sbegin(&s, T_RLOPEN, lx, P9X_RLOPEN);
		sqid(&s, lx, P9X_QTFILE, 3);
		s32(&s, 8192);
		err |= sdone(&s, dir, "rlopen", lx);
		sbegin(&s, T_RLCREATE, lx, P9X_RLCREATE);
		sqid(&s, lx, P9X_QTFILE, 4);
		s32(&s, 0);
		err |= sdone(&s, dir, "rlcreate", lx);
		sbegin(&s, T_RSYMLINK, lx, P9X_RSYMLINK);
		sqid(&s, lx, P9X_QTSYMLINK, 5);
		err |= sdone(&s, dir, "rsymlink", lx);
		sbegin(&s, T_RMKNOD, lx, P9X_RMKNOD);
		sqid(&s, lx, P9X_QTFILE, 6);
		err |= sdone(&s, dir, "rmknod", lx);
		sbegin(&s, T_RMKDIR, lx, P9X_RMKDIR);
		sqid(&s, lx, P9X_QTDIR, 7);
		err |= sdone(&s, dir, "rmkdir", lx);
		sbegin(&s, T_RREADLINK, lx, P9X_RREADLINK);
		sstr(&s, "../somewhere/else");
		err |= sdone(&s, dir, "rreadlink", lx);
		sbegin(&s, T_RGETATTR, lx, P9X_RGETATTR);
		s64(&s, P9X_GETATTR_ALL);
		sqid(&s, lx, P9X_QTFILE, 8);
		s32(&s, 0100644);
		s32(&s, 1000);
		s32(&s, 1000);
		for (i = 0; i < 15; i++)
			s64(&s, 0x100 + i);
		err |= sdone(&s, dir, "rgetattr", lx);
		sbegin(&s, T_RWALKGETATTR, lx, P9X_RWALKGETATTR);
		s16(&s, 2);
		sqid(&s, lx, P9X_QTDIR, 11);
		sqid(&s, lx, P9X_QTFILE, 12);
		s64(&s, P9X_GETATTR_ALL);
		sqid(&s, lx, P9X_QTFILE, 12);
		s32(&s, 0100644);
		s32(&s, 1000);
		s32(&s, 1000);
		for (i = 0; i < 15; i++)
			s64(&s, 0x200 + i);
		err |= sdone(&s, dir, "rwalkgetattr", lx);
		sbegin(&s, T_RWALKGETATTR, lx, P9X_RWALKGETATTR);
		s16(&s, 1);
		sqid(&s, lx, P9X_QTDIR, 13);
		err |= sdone(&s, dir, "rwalkgetattr-partial", lx);
		sbegin(&s, T_RXATTRWALK, lx, P9X_RXATTRWALK);
		s64(&s, 77);
		err |= sdone(&s, dir, "rxattrwalk", lx);
		sbegin(&s, T_RREADDIR, lx, P9X_RREADDIR);
		s32(&s, 2 * (lx ? 21 : 13) + 2 * 11 + 1 + 5);
		sqid(&s, lx, P9X_QTDIR, 9);
		s64(&s, 1);
		s8(&s, 4);
		sstr(&s, ".");
		sqid(&s, lx, P9X_QTFILE, 10);
		s64(&s, 2);
		s8(&s, 8);
		sstr(&s, "hello");
		err |= sdone(&s, dir, "rreaddir", lx);
		/* the same entries, raw, for the iterator */
		s.len = 0;
		s8(&s, (u8)(T_DIRENTS << 1 | lx));
		sqid(&s, lx, P9X_QTDIR, 9);
		s64(&s, 1);
		s8(&s, 4);
		sstr(&s, "..");
		sqid(&s, lx, P9X_QTFILE, 11);
		s64(&s, 3);
		s8(&s, 8);
		sstr(&s, "x");
		err |= swrite(&s, dir, "dirents", lx);
		sbegin(&s, T_RLOCK, lx, P9X_RLOCK);
		s8(&s, P9X_LOCK_SUCCESS);
		err |= sdone(&s, dir, "rlock", lx);
		sbegin(&s, T_RGETLOCK, lx, P9X_RGETLOCK);
		s8(&s, P9X_LOCK_TYPE_UNLCK);
		s64(&s, 0);
		s64(&s, 100);
		s32(&s, 42);
		sstr(&s, "client");
		err |= sdone(&s, dir, "rgetlock", lx);
		for (i = 0; i < (int)sizeof(empty_types); i++) {
			sbegin(&s, T_REMPTY, lx, empty_types[i]);
			snprintf(name, sizeof(name), "rempty-%d", empty_types[i]);
			err |= sdone(&s, dir, name, lx);
		}
		s.len = 0;
		s8(&s, (u8)(T_ENCODE << 1 | lx));
		for (i = 0; i < 12; i++)
			s8(&s, (u8)"usr/lib/x.so"[i]);
		err |= swrite(&s, dir, "encode", lx);
	}
	return err;
}

int main(int argc, char **argv)
{
	int i, mutate = 0, err = 0, inputs = 0;

	if (argc == 3 && !strcmp(argv[1], "-w"))
		return write_seeds(argv[2]) ? 1 : 0;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-m")) {
			mutate = 1;
			continue;
		}
		err |= run_path(argv[i], mutate);
		inputs++;
	}
	if (!inputs) {
		fprintf(stderr,
			"usage: %s [-m] FILE|DIR...\n       %s -w DIR\n",
			argv[0], argv[0]);
		return 2;
	}
	printf("wire_fuzz: %lu inputs run, %lu decoded\n", n_runs, n_ok);
	return err ? 1 : 0;
}

#endif /* !WIRE_FUZZ_LIBFUZZER */
