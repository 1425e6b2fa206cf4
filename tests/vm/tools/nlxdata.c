// SPDX-License-Identifier: GPL-2.0
/*
 * nlxdata: page-cache data cases for the VM tests (phases "data" and
 * "dataref", tests/vm/guest/data.sh).  Built static on the host and put
 * into every guest image as /bin/nlxdata.  Each case works on files in
 * DIR through the mount under test and writes what each file must hold
 * on the server afterwards to MODEL/<name>; the caller remounts with
 * cache=none and compares.  One line per step, "ok STEP ..." or
 * "FAIL STEP ...", with the errno name where a call failed; exit 0 when
 * every step went as wanted, 1 when one did not, 2 on a usage error.
 *
 *   nlxdata partial DIR MODEL rdwr|wronly
 *	a file of 16 KiB of 'A', written, synced and dropped from the
 *	guest's caches; opened again (O_RDWR or O_WRONLY), 8192 bytes of
 *	'B' written at offset 100, fsync.  The bytes around the write are
 *	the server's, which the client must read before it caches them.
 *
 *   nlxdata reuse DIR MODEL
 *	a file of 100 bytes of 'A', dropped from the caches, opened
 *	O_WRONLY and unlinked; a new file of the same name gets 100 bytes
 *	of 'B'; one byte written through the old descriptor at offset 10,
 *	fsync.  The new file must not change.
 *
 *   nlxdata odirect DIR MODEL
 *	a file of 8 KiB of 'C' with its mtime set to 2001; 4 KiB of 'D'
 *	written at 4096 with O_DIRECT; the mtime stat shows must be now.
 *
 *   nlxdata full DIR MODEL
 *	DIR is on a host filesystem of 1 MiB: 4 MiB written to DIR/big
 *	(the writes or the fsync fail with ENOSPC or EDQUOT), then
 *	truncate(DIR/big, 0) must work, an fsync of it must then succeed,
 *	and so must 5 bytes written to a new file DIR/small and its fsync.
 *
 *   nlxdata fsize DIR MODEL
 *	with RLIMIT_FSIZE at 10000 bytes and SIGXFSZ ignored: 16384 bytes
 *	written to a new file (a short write up to the limit), one more
 *	write (EFBIG), then ftruncate to 0 must work, and "ok" written at
 *	offset 0 must be what the file holds.
 *
 *   nlxdata ctime DIR MODEL
 *	three files (nothing for MODEL); after a second, a chmod of the first, a chown (to the
 *	same owner) of the second and a truncate of the third: each one's
 *	ctime must have moved at once, as stat shows it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int bad(const char *step, const char *what)
{
	printf("FAIL %s %s errno=%d %s\n", step, what, errno,
	       strerrorname_np(errno));
	return 1;
}

static int wrong(const char *step, const char *what)
{
	printf("FAIL %s: %s\n", step, what);
	return 1;
}

static void step_ok(const char *step, const char *what)
{
	printf("ok %s %s\n", step, what);
}

static char *path_of(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0) {
		perror("asprintf");
		exit(2);
	}
	return p;
}

/* Write @len bytes of @c to @fd at @off, all of them. */
static int fill_at(int fd, int c, size_t len, off_t off)
{
	char *buf = malloc(len ? len : 1);
	ssize_t n;

	if (!buf)
		return -1;
	memset(buf, c, len);
	n = pwrite(fd, buf, len, off);
	free(buf);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* A file of @len bytes of @c, on the server, not in the guest's caches. */
static int make_file(const char *path, int c, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	if (fill_at(fd, c, len, 0) || fsync(fd)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int drop_guest_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	int err = 0;

	if (fd < 0)
		return -1;
	sync();
	if (write(fd, "3\n", 2) != 2)
		err = -1;
	close(fd);
	return err;
}

/* The model: MODEL/name gets @len bytes from @buf. */
static int model(const char *dir, const char *name, const char *buf,
		 size_t len)
{
	char *p = path_of(dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int err = 0;

	free(p);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		err = -1;
	if (fd >= 0)
		close(fd);
	return err;
}

static int c_partial(const char *dir, const char *mdir, const char *how)
{
	int wronly = !strcmp(how, "wronly");
	char name[32], buf[16384];
	char *p;
	int fd;

	snprintf(name, sizeof(name), "partial-%s", how);
	p = path_of(dir, name);
	if (make_file(p, 'A', sizeof(buf)))
		return bad("make", p);
	if (drop_guest_caches())
		return bad("drop_caches", "");
	fd = open(p, wronly ? O_WRONLY : O_RDWR);
	if (fd < 0)
		return bad("open", p);
	if (fill_at(fd, 'B', 8192, 100))
		return bad("pwrite", "8192 at 100");
	if (fsync(fd))
		return bad("fsync", p);
	if (close(fd))
		return bad("close", p);
	memset(buf, 'A', sizeof(buf));
	memset(buf + 100, 'B', 8192);
	if (model(mdir, name, buf, sizeof(buf)))
		return bad("model", name);
	step_ok("partial", p);
	free(p);
	return 0;
}

static int c_reuse(const char *dir, const char *mdir)
{
	char *p = path_of(dir, "reuse");
	char buf[100];
	int fd;

	if (make_file(p, 'A', 100))
		return bad("make", p);
	if (drop_guest_caches())
		return bad("drop_caches", "");
	fd = open(p, O_WRONLY);
	if (fd < 0)
		return bad("open", p);
	if (unlink(p))
		return bad("unlink", p);
	if (make_file(p, 'B', 100))
		return bad("make-new", p);
	if (pwrite(fd, "x", 1, 10) != 1)
		return bad("pwrite-old", "1 at 10");
	if (fsync(fd))
		return bad("fsync-old", p);
	if (close(fd))
		return bad("close-old", p);
	memset(buf, 'B', sizeof(buf));
	if (model(mdir, "reuse", buf, sizeof(buf)))
		return bad("model", "reuse");
	step_ok("reuse", p);
	free(p);
	return 0;
}

static int c_odirect(const char *dir, const char *mdir)
{
	struct timespec old[2] = {
		{ .tv_sec = 978307200 }, { .tv_sec = 978307200 },
	};
	char *p = path_of(dir, "odirect");
	char *buf, model_buf[8192];
	struct stat st;
	time_t now;
	int fd;

	if (make_file(p, 'C', 8192))
		return bad("make", p);
	if (utimensat(AT_FDCWD, p, old, 0))
		return bad("utimensat", p);
	if (stat(p, &st))
		return bad("stat", p);
	if (st.st_mtime != old[1].tv_sec)
		return wrong("utimensat", "mtime not set to 2001");
	fd = open(p, O_RDWR | O_DIRECT);
	if (fd < 0)
		return bad("open", p);
	if (posix_memalign((void **)&buf, 4096, 4096))
		return wrong("memalign", "no memory");
	memset(buf, 'D', 4096);
	if (pwrite(fd, buf, 4096, 4096) != 4096)
		return bad("pwrite", "4096 at 4096 O_DIRECT");
	free(buf);
	now = time(NULL);
	if (fstat(fd, &st))
		return bad("fstat", p);
	if (st.st_mtime < now - 3600) {
		printf("FAIL mtime: %lld after an O_DIRECT write at %lld\n",
		       (long long)st.st_mtime, (long long)now);
		return 1;
	}
	if (close(fd))
		return bad("close", p);
	memset(model_buf, 'C', 4096);
	memset(model_buf + 4096, 'D', 4096);
	if (model(mdir, "odirect", model_buf, sizeof(model_buf)))
		return bad("model", "odirect");
	step_ok("odirect", p);
	free(p);
	return 0;
}

static int c_full(const char *dir, const char *mdir)
{
	char *big = path_of(dir, "big"), *small = path_of(dir, "small");
	size_t chunk = 65536, done = 0, total = 4 << 20;
	char *buf = malloc(chunk);
	int fd, enospc = 0;

	if (!buf)
		return wrong("malloc", "no memory");
	memset(buf, 'E', chunk);
	fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return bad("open", big);
	while (done < total) {
		ssize_t n = write(fd, buf, chunk);

		if (n < 0) {
			if (errno != ENOSPC && errno != EDQUOT)
				return bad("write", big);
			enospc = 1;
			break;
		}
		done += n;
	}
	free(buf);
	if (fsync(fd)) {
		if (errno != ENOSPC && errno != EDQUOT && errno != EIO)
			return bad("fsync", big);
		enospc = 1;
	}
	if (!enospc)
		return wrong("full", "4 MiB fit into 1 MiB: no write nor fsync failed");
	step_ok("full", "the writes or the fsync failed with no space");
	if (truncate(big, 0))
		return bad("truncate", big);
	if (fsync(fd))
		return bad("fsync-after-truncate", big);
	close(fd);
	step_ok("truncate", big);
	fd = open(small, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return bad("open", small);
	if (write(fd, "hello", 5) != 5)
		return bad("write", small);
	if (fsync(fd))
		return bad("fsync", small);
	if (close(fd))
		return bad("close", small);
	if (model(mdir, "big", "", 0) || model(mdir, "small", "hello", 5))
		return bad("model", "big/small");
	step_ok("small", small);
	free(big);
	free(small);
	return 0;
}

static int c_fsize(const char *dir, const char *mdir)
{
	struct rlimit rl = { .rlim_cur = 10000, .rlim_max = RLIM_INFINITY };
	char *p = path_of(dir, "fsize");
	char buf[16384];
	ssize_t n;
	int fd;

	signal(SIGXFSZ, SIG_IGN);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return bad("open", p);
	if (setrlimit(RLIMIT_FSIZE, &rl))
		return bad("setrlimit", "10000");
	memset(buf, 'F', sizeof(buf));
	n = write(fd, buf, sizeof(buf));
	if (n != 10000) {
		printf("FAIL write: %zd bytes past a limit of 10000 (errno %s)\n",
		       n, strerrorname_np(errno));
		return 1;
	}
	n = write(fd, buf, sizeof(buf));
	if (n >= 0 || errno != EFBIG) {
		printf("FAIL write-past: %zd, errno %s, wanted EFBIG\n", n,
		       strerrorname_np(errno));
		return 1;
	}
	if (ftruncate(fd, 0))
		return bad("ftruncate", "to 0");
	if (pwrite(fd, "ok", 2, 0) != 2)
		return bad("pwrite", "ok");
	if (fsync(fd))
		return bad("fsync", p);
	if (close(fd))
		return bad("close", p);
	rl.rlim_cur = RLIM_INFINITY;
	if (setrlimit(RLIMIT_FSIZE, &rl))
		return bad("setrlimit", "back");
	if (model(mdir, "fsize", "ok", 2))
		return bad("model", "fsize");
	step_ok("fsize", p);
	free(p);
	return 0;
}

static int c_ctime(const char *dir)
{
	static const char * const names[] = { "ct-chmod", "ct-chown",
					      "ct-trunc" };
	struct stat before[3], st;
	char *p[3];
	int i, err = 0;

	for (i = 0; i < 3; i++) {
		p[i] = path_of(dir, names[i]);
		if (make_file(p[i], 'G', 100) || stat(p[i], &before[i]))
			return bad("make", p[i]);
	}
	usleep(1100000);
	if (chmod(p[0], 0600))
		return bad("chmod", p[0]);
	if (chown(p[1], before[1].st_uid, before[1].st_gid))
		return bad("chown", p[1]);
	if (truncate(p[2], 50))
		return bad("truncate", p[2]);
	for (i = 0; i < 3; i++) {
		if (stat(p[i], &st))
			return bad("stat", p[i]);
		if (st.st_ctim.tv_sec > before[i].st_ctim.tv_sec ||
		    (st.st_ctim.tv_sec == before[i].st_ctim.tv_sec &&
		     st.st_ctim.tv_nsec > before[i].st_ctim.tv_nsec)) {
			step_ok("ctime", names[i]);
		} else {
			printf("FAIL ctime: %s: %lld.%09ld before, %lld.%09ld after\n",
			       names[i], (long long)before[i].st_ctim.tv_sec,
			       before[i].st_ctim.tv_nsec,
			       (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
			err = 1;
		}
		free(p[i]);
	}
	return err;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "partial") && argc == 5)
		return c_partial(argv[2], argv[3], argv[4]);
	if (!strcmp(cmd, "reuse") && argc == 4)
		return c_reuse(argv[2], argv[3]);
	if (!strcmp(cmd, "odirect") && argc == 4)
		return c_odirect(argv[2], argv[3]);
	if (!strcmp(cmd, "full") && argc == 4)
		return c_full(argv[2], argv[3]);
	if (!strcmp(cmd, "fsize") && argc == 4)
		return c_fsize(argv[2], argv[3]);
	if (!strcmp(cmd, "ctime") && argc == 4)
		return c_ctime(argv[2]);
	fprintf(stderr,
		"usage: nlxdata partial DIR MODEL rdwr|wronly | reuse DIR MODEL |\n"
		"       odirect DIR MODEL | full DIR MODEL | fsize DIR MODEL |\n"
		"       ctime DIR MODEL\n");
	return 2;
}
