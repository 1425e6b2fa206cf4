// SPDX-License-Identifier: GPL-2.0
/*
 * nlxfuzz: a 9P proxy that damages replies, for the "fuzz" phase of the
 * VM tests (tests/vm/guest/fuzz.sh).  It sits between a client mounted
 * with trans=unix and a real server (diod) on another unix socket,
 * passes every request on untouched, and changes one reply in RATE,
 * chosen by a generator seeded with SEED, so that a run is repeated by
 * its seed.
 *
 *   nlxfuzz LISTEN UPSTREAM SEED RATE
 *	listen on the unix socket LISTEN; serve one connection at a time,
 *	each through a new connection to UPSTREAM, until SIGTERM.  One
 *	line per damaged reply on stdout:
 *	    SEED N KIND type T tag G size S
 *	(N counts the replies of the connection).
 *
 * The damage, one kind per reply:
 *   flip	one to four bits flipped past the size field
 *   trunc	the message cut short (the size field says so)
 *   grow	up to 64 random bytes added (the size field says so)
 *   size	the size field changed, the bytes not: framing is lost
 *   tag	another tag
 *   dup	the reply sent twice
 *   swap	the reply held back and sent after the next one
 *   count	Rread or Rreaddir: the count field made larger
 *   qid	Rwalk, Rlopen, Rlcreate, Rgetattr: a qid's type and path
 *	randomised
 *   lerror	the reply replaced by Rlerror with a random code
 *   type	another message type
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXMSG		(8u * 1024u * 1024u)
#define HDR		7	/* size[4] type[1] tag[2] */

enum kind {
	K_FLIP, K_TRUNC, K_GROW, K_SIZE, K_TAG, K_DUP, K_SWAP, K_COUNT,
	K_QID, K_LERROR, K_TYPE, K_COUNT_KINDS
};

static const char *const kind_name[K_COUNT_KINDS] = {
	"flip", "trunc", "grow", "size", "tag", "dup", "swap", "count",
	"qid", "lerror", "type",
};

static unsigned long long rng;
static unsigned long seed;

/* xorshift64*: small, and the same sequence for the same seed. */
static unsigned long long next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned int below(unsigned int n)
{
	return n ? (unsigned int)(next() % n) : 0;
}

static unsigned int get32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (unsigned int)p[3] << 24;
}

static void put32(unsigned char *p, unsigned int v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* Offset of the first qid in a reply of @type, or 0 if it carries none. */
static size_t qid_offset(unsigned char type, size_t len)
{
	size_t off;

	switch (type) {
	case 111:	/* Rwalk: nwqid[2] qid[13]... */
		off = HDR + 2;
		break;
	case 13:	/* Rlopen: qid[13] iounit[4] */
	case 15:	/* Rlcreate */
		off = HDR;
		break;
	case 25:	/* Rgetattr: valid[8] qid[13] ... */
		off = HDR + 8;
		break;
	default:
		return 0;
	}
	return off + 13 <= len ? off : 0;
}

/*
 * Damage the reply in @m (@len bytes, room for MAXMSG + 64) in one way.
 * Returns the kind; *@len is the new length, *@twice set for dup.
 */
static enum kind damage(unsigned char *m, size_t *len, int *twice)
{
	enum kind k = below(K_COUNT_KINDS);
	size_t n = *len, off;
	unsigned int i, c;

	switch (k) {
	case K_FLIP:
		for (i = 0, c = 1 + below(4); i < c; i++)
			m[4 + below(n - 4)] ^= 1u << below(8);
		break;
	case K_TRUNC:
		if (n > HDR) {
			n = HDR + below(n - HDR);
			put32(m, n);
		}
		break;
	case K_GROW:
		for (i = 0, c = 1 + below(64); i < c; i++)
			m[n++] = next();
		put32(m, n);
		break;
	case K_SIZE:
		switch (below(3)) {
		case 0:
			put32(m, get32(m) + 1 + below(4096));
			break;
		case 1:
			put32(m, below(get32(m)));
			break;
		default:
			put32(m, next());
			break;
		}
		break;
	case K_TAG:
		m[5] = next();
		m[6] = below(2) ? m[6] : next();
		break;
	case K_DUP:
		*twice = 1;
		break;
	case K_SWAP:
		break;
	case K_COUNT:
		if ((m[4] == 117 || m[4] == 41) && n >= HDR + 4)
			put32(m + HDR, get32(m + HDR) + 1 +
				  (below(2) ? below(4096) : (unsigned int)next()));
		else
			m[4 + below(n - 4)] ^= 1u << below(8);
		break;
	case K_QID:
		off = qid_offset(m[4], n);
		if (off) {
			m[off] = next();
			for (i = 5; i < 13; i++)
				m[off + i] = next();
		} else {
			m[4 + below(n - 4)] ^= 1u << below(8);
		}
		break;
	case K_LERROR:
		m[4] = 7;
		switch (below(4)) {
		case 0:
			c = 0;
			break;
		case 1:
			c = 4095 + below(8);
			break;
		case 2:
			c = -1 - below(8);
			break;
		default:
			c = 1 + below(200);
			break;
		}
		put32(m + HDR, c);
		n = HDR + 4;
		put32(m, n);
		break;
	default:
		m[4] = next();
		break;
	}
	*len = n;
	return k;
}

/* Relay one client connection @cfd through a new one to @up. */
static void relay(int cfd, const char *up, unsigned int rate)
{
	unsigned char *in = malloc(MAXMSG), *held = malloc(MAXMSG + 64);
	unsigned char *out = malloc(MAXMSG + 64);
	size_t have = 0, held_len = 0;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned long replies = 0;
	struct pollfd p[2];
	int sfd;

	sfd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", up);
	if (!in || !held || !out || sfd < 0 ||
	    connect(sfd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("nlxfuzz: upstream");
		goto done;
	}
	p[0].fd = cfd;
	p[0].events = POLLIN;
	p[1].fd = sfd;
	p[1].events = POLLIN;
	for (;;) {
		unsigned char buf[65536];
		ssize_t r;

		/* A held reply goes after the next one, or after 50 ms. */
		if (poll(p, 2, held_len ? 50 : -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (held_len && !(p[1].revents & POLLIN)) {
			if (write_all(cfd, held, held_len))
				break;
			held_len = 0;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read(cfd, buf, sizeof(buf));
			if (r <= 0 || write_all(sfd, buf, r))
				break;
		}
		if (!(p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(sfd, in + have, MAXMSG - have);
		if (r <= 0)
			break;
		have += r;
		/* Every whole reply in the buffer, in order. */
		while (have >= 4) {
			size_t len = get32(in), n;
			const unsigned char *m = in;
			int twice = 0;
			enum kind k;

			if (len < HDR || len > MAXMSG) {
				fprintf(stderr, "nlxfuzz: upstream sent size %zu\n", len);
				goto done;
			}
			if (have < len)
				break;
			replies++;
			n = len;
			/* Never the Rversion: a session must start to be fuzzed. */
			if (replies > 1 && !below(rate)) {
				unsigned char type = in[4];
				unsigned int tag = in[5] | in[6] << 8;

				/* A copy: growing it must not reach the next reply. */
				memcpy(out, in, len);
				m = out;
				k = damage(out, &n, &twice);
				printf("%lu %lu %s type %u tag %u size %zu\n", seed,
				       replies, kind_name[k], type, tag, len);
				fflush(stdout);
				if (k == K_SWAP && !held_len) {
					memcpy(held, m, n);
					held_len = n;
					n = 0;
				}
			}
			if (n && write_all(cfd, m, n))
				goto done;
			if (n && twice && write_all(cfd, m, n))
				goto done;
			if (n && held_len) {
				if (write_all(cfd, held, held_len))
					goto done;
				held_len = 0;
			}
			memmove(in, in + len, have - len);
			have -= len;
		}
	}
done:
	if (sfd >= 0)
		close(sfd);
	free(in);
	free(held);
	free(out);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned int rate;
	int lfd, cfd;

	if (argc != 5) {
		fprintf(stderr, "usage: nlxfuzz LISTEN UPSTREAM SEED RATE\n");
		return 2;
	}
	seed = strtoul(argv[3], NULL, 0);
	rate = strtoul(argv[4], NULL, 0);
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 4)) {
		perror("nlxfuzz: listen");
		return 2;
	}
	for (;;) {
		cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			if (errno == EINTR)
				continue;
			perror("nlxfuzz: accept");
			return 2;
		}
		relay(cfd, argv[2], rate ? rate : 1);
		close(cfd);
	}
}
