// SPDX-License-Identifier: GPL-2.0
/*
 * benchio: the file workloads of tests/bench that a shell would do one
 * process per file, done in one process so that the guest's fork and
 * exec (slow under TCG) do not drown what the filesystem costs.  Built
 * static on the host and put into the bench guest as /bin/benchio.
 *
 *   benchio now
 *	CLOCK_MONOTONIC as seconds with nine decimals.
 *
 *   benchio randread FILE COUNT BS SEED
 *   benchio randwrite FILE COUNT BS SEED
 *	COUNT preads (or pwrites, then one fsync) of BS bytes at offsets
 *	that are multiples of BS, drawn from SEED (xorshift64) over the
 *	size FILE has when opened.  The same SEED gives the same offsets.
 *
 *   benchio seqread FILE PASSES
 *	open FILE, read it to the end in 1 MiB reads (as dd bs=1M), close;
 *	PASSES times.  The byte total is printed.
 *
 *   benchio create DIR COUNT SIZE
 *	create DIR/f00000.. (O_CREAT|O_EXCL), write SIZE bytes, close.
 *
 *   benchio stat DIR COUNT [PASSES]
 *	stat DIR/f00000.., PASSES times over (default once).
 *
 *   benchio read DIR COUNT
 *	open, read to the end, close each of DIR/f00000..; the byte total
 *	is printed.
 *
 *   benchio unlink DIR COUNT
 *	unlink DIR/f00000..
 *
 * On the first error: "FAIL op path: strerror" on stderr and exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NAME_MAX_LEN 4096

static int fail(const char *op, const char *path)
{
	fprintf(stderr, "FAIL %s %s: %s\n", op, path, strerror(errno));
	return 1;
}

static long arg_num(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || v < 0) {
		fprintf(stderr, "benchio: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static int cmd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	return 0;
}

static unsigned long long xorshift64(unsigned long long *s)
{
	unsigned long long x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static int cmd_rand(const char *path, long count, long bs, long seed,
		    int writing)
{
	unsigned long long st = seed ? (unsigned long long)seed : 1;
	struct stat sb;
	long blocks, i;
	char *buf;
	ssize_t n;
	int fd;

	fd = open(path, writing ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return fail("open", path);
	if (fstat(fd, &sb))
		return fail("fstat", path);
	blocks = bs ? sb.st_size / bs : 0;
	if (blocks < 1) {
		fprintf(stderr, "FAIL %s: smaller than one block of %ld\n",
			path, bs);
		return 1;
	}
	buf = malloc(bs);
	if (!buf)
		return fail("malloc", path);
	memset(buf, 0x5a, bs);
	for (i = 0; i < count; i++) {
		off_t off = (off_t)(xorshift64(&st) % blocks) * bs;

		if (writing)
			n = pwrite(fd, buf, bs, off);
		else
			n = pread(fd, buf, bs, off);
		if (n != bs) {
			if (n >= 0)
				errno = EIO;
			return fail(writing ? "pwrite" : "pread", path);
		}
	}
	if (writing && fsync(fd))
		return fail("fsync", path);
	if (close(fd))
		return fail("close", path);
	free(buf);
	return 0;
}

static void file_name(char *out, const char *dir, long i)
{
	snprintf(out, NAME_MAX_LEN, "%s/f%05ld", dir, i);
}

static int cmd_create(const char *dir, long count, long size)
{
	char path[NAME_MAX_LEN];
	char *buf;
	long i;
	int fd;

	buf = malloc(size ? size : 1);
	if (!buf)
		return fail("malloc", dir);
	memset(buf, 'x', size);
	for (i = 0; i < count; i++) {
		file_name(path, dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return fail("create", path);
		if (write(fd, buf, size) != size)
			return fail("write", path);
		if (close(fd))
			return fail("close", path);
	}
	free(buf);
	return 0;
}

static int cmd_stat(const char *dir, long count, long passes)
{
	char path[NAME_MAX_LEN];
	struct stat sb;
	long i, p;

	for (p = 0; p < passes; p++) {
		for (i = 0; i < count; i++) {
			file_name(path, dir, i);
			if (stat(path, &sb))
				return fail("stat", path);
		}
	}
	return 0;
}

static int cmd_read(const char *dir, long count)
{
	char path[NAME_MAX_LEN];
	long long total = 0;
	char buf[65536];
	ssize_t n;
	long i;
	int fd;

	for (i = 0; i < count; i++) {
		file_name(path, dir, i);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return fail("open", path);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total += n;
		if (n < 0)
			return fail("read", path);
		if (close(fd))
			return fail("close", path);
	}
	printf("%lld\n", total);
	return 0;
}

static int cmd_seqread(const char *path, long passes)
{
	size_t size = 1 << 20;
	long long total = 0;
	char *buf;
	ssize_t n;
	long i;
	int fd;

	buf = malloc(size);
	if (!buf)
		return fail("malloc", path);
	for (i = 0; i < passes; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return fail("open", path);
		while ((n = read(fd, buf, size)) > 0)
			total += n;
		if (n < 0)
			return fail("read", path);
		close(fd);
	}
	free(buf);
	printf("%lld\n", total);
	return 0;
}

static int cmd_unlink(const char *dir, long count)
{
	char path[NAME_MAX_LEN];
	long i;

	for (i = 0; i < count; i++) {
		file_name(path, dir, i);
		if (unlink(path))
			return fail("unlink", path);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (argc == 2 && !strcmp(cmd, "now"))
		return cmd_now();
	if (argc == 6 && !strcmp(cmd, "randread"))
		return cmd_rand(argv[2], arg_num(argv[3]), arg_num(argv[4]),
				arg_num(argv[5]), 0);
	if (argc == 6 && !strcmp(cmd, "randwrite"))
		return cmd_rand(argv[2], arg_num(argv[3]), arg_num(argv[4]),
				arg_num(argv[5]), 1);
	if (argc == 5 && !strcmp(cmd, "create"))
		return cmd_create(argv[2], arg_num(argv[3]), arg_num(argv[4]));
	if ((argc == 4 || argc == 5) && !strcmp(cmd, "stat"))
		return cmd_stat(argv[2], arg_num(argv[3]),
				argc == 5 ? arg_num(argv[4]) : 1);
	if (argc == 4 && !strcmp(cmd, "read"))
		return cmd_read(argv[2], arg_num(argv[3]));
	if (argc == 4 && !strcmp(cmd, "seqread"))
		return cmd_seqread(argv[2], arg_num(argv[3]));
	if (argc == 4 && !strcmp(cmd, "unlink"))
		return cmd_unlink(argv[2], arg_num(argv[3]));
	fprintf(stderr,
		"usage: benchio now | randread|randwrite FILE COUNT BS SEED |\n"
		"       create DIR COUNT SIZE | stat DIR COUNT [PASSES] |\n"
		"       read|unlink DIR COUNT | seqread FILE PASSES\n");
	return 2;
}
