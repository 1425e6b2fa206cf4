// SPDX-License-Identifier: GPL-2.0
/*
 * nlxprobe: small system-call probes for the 9plx VM tests, run inside
 * the guest (static, no library beyond libc).  Built on the host by
 * tests/vm/lib/guestkit.sh (gcc -static -O2 -Wall) and put into the
 * initramfs as /bin/nlxprobe.
 *
 *   nlxprobe openunlinked DIR
 *	create DIR/f, keep it open O_RDWR, unlink it, then work on the
 *	open descriptor only: ftruncate, pwrite, pread, fstat, fchmod,
 *	futimens.  One line per step, "ok STEP ..."; on the first failure
 *	"FAIL STEP errno=N ENAME (text)" (or "FAIL STEP: what") and exit 1.
 *
 *   nlxprobe dino DIR
 *	"name<TAB>d_ino" for every entry getdents64 returns, in its order.
 *
 *   nlxprobe dirtags DIR N
 *	open DIR N times (N above the 65535 tags of a 9P session) and read
 *	one entry through each, so that each stops partway through a
 *	server reply; then, with all N open, stat DIR and read the rest
 *	through the first and the last descriptor, which must list what
 *	one uninterrupted read of DIR lists.  DIR's names must be at most
 *	13 bytes long (one getdents64 buffer of 40 bytes holds one entry).
 *	One line per step, as openunlinked.
 *
 *   nlxprobe dirgrow DIR
 *	read DIR with one getdents64 call of 32 KiB (it must list every
 *	entry), create DIR/nlx-grown, then call getdents64 twice more:
 *	these may list nlx-grown (POSIX leaves it open) but no name the
 *	first call listed.  Then lseek(0) and read again: every name of
 *	the first read and nlx-grown, once each.  DIR must have fewer
 *	entries than one call holds.  One line per step, as openunlinked;
 *	DIR/nlx-grown is removed at the end.
 *
 *   nlxprobe links DIR...
 *	walk each DIR in turn without following symlinks (nftw, FTW_PHYS),
 *	and print one line per (st_dev, st_ino) seen more than once among
 *	non-directories: "major:minor ino nlink PATH1 PATH2..." (paths in
 *	walk order), then "files N".  A group is what cp -a, tar and
 *	rsync -H take to be one file with several names.
 *
 *   nlxprobe replaced AFILE BFILE
 *	AFILE and BFILE name one server file through two mounts, on a host
 *	filesystem that reuses inode numbers (ext4).  Watch AFILE with
 *	inotify; through BFILE, delete the file and create another until
 *	the host gives it the old inode number (BFILE's st_ino repeats);
 *	drop the guest's unused dentries (as memory pressure would, so
 *	that cache=loose looks the name up again; the watch keeps the old
 *	inode), then append to AFILE by its path and expect no event on the old
 *	watch (it watches a file that is gone), the new file's content
 *	through AFILE, and events on a new watch of AFILE.  One line per
 *	step, as openunlinked.
 *
 *   nlxprobe race writers|hardlink|rename|swapdirs|swapusers DIR
 *	two processes at once on files in DIR (run on a guest with two
 *	vCPUs): "writers", both write their own 4 KiB blocks of DIR/w,
 *	interleaved, pass after pass; "hardlink", one writes DIR/h1 pass
 *	after pass while the other makes, stats and removes another hard
 *	link to it and reads it through DIR/h2; "rename", one renames
 *	DIR/ra to DIR/rb and back while the other opens and reads both
 *	names, where a name may be missing but a file read must be whole;
 *	"swapdirs", one swaps the names of directories DIR/da and DIR/db
 *	(through DIR/dt) while the other opens da/f and db/f, and every
 *	open must read the bytes of the file whose inode fstat gives;
 *	"swapusers", the same swap 48 directories down, while the other
 *	opens f through descriptors of the two directories, with O_DIRECT,
 *	as a new fsuid each time: under directory k it must read file k.
 *	Each checks what it sees as it goes and the result at the end.
 *
 *   nlxprobe racecheck writers|hardlink|rename|swapdirs|swapusers DIR
 *	the end state of a race, read again (after the caller dropped the
 *	guest's caches, so from the server).
 *
 *   nlxprobe locks PATH1 PATH2
 *	PATH1 and PATH2 name one server file through two mounts (two 9P
 *	sessions), so only the server can make their locks conflict.
 *	POSIX: a write lock on bytes 0-99 through PATH1, then F_SETLK
 *	through PATH2 must fail with EAGAIN/EACCES, F_GETLK through PATH2
 *	must report a write lock, and after the unlock through PATH1 the
 *	lock through PATH2 must be granted.  The same with flock().  One
 *	line per step, as openunlinked.
 *
 *   nlxprobe lockhold PATH
 *	a POSIX write lock on all of PATH (F_SETLK), then "ok locked" and
 *	wait for SIGTERM or SIGINT (exit 0; the lock goes with the
 *	descriptor).  The other half of lockwait, through another mount.
 *
 *   nlxprobe lockwait PATH
 *	"ok waiting", then F_SETLKW for a write lock on all of PATH.
 *	SIGINT and SIGTERM are caught without SA_RESTART, so a signal ends
 *	the wait with EINTR, as it would for a program with a ^C handler.
 *	"ok granted" (exit 0), or "FAIL setlkw errno=N ENAME (text)"
 *	(exit 1).
 *
 *   nlxprobe fsx FILE OPS SEED MODEL [nommap]
 *	data integrity against a model: OPS random pwrites, ftruncates,
 *	mmap writes, preads (checked against the model), fsyncs and
 *	close/reopens on FILE, from a fixed SEED; the model's final bytes
 *	are written to MODEL (a local file) for a check through another
 *	mount.  Prints the first mismatch (op number, offset) and exits 1.
 *	A shared writable mapping that is refused fails the run, unless
 *	"nommap" says the mount may refuse it (cache=none); without it,
 *	at least one mmap write must have been done.
 *
 *   nlxprobe xattrs FILE trusted|notrusted
 *	extended attributes of FILE as a local filesystem has them:
 *	XATTR_CREATE of a new user.* name, EEXIST for a second create,
 *	ENODATA for XATTR_REPLACE of a missing one, the size probe
 *	(getxattr with size 0), ERANGE for a short buffer, ENODATA for a
 *	missing name, the name in listxattr (and ERANGE for a short list
 *	buffer), replace, an empty value (9P2000.L removes the attribute
 *	then, or fails with ENODATA if there is none), E2BIG beyond 64 KiB,
 *	a 60 KiB value read back whole, a trusted.* value (notrusted: the
 *	server refuses it, EOPNOTSUPP), and removexattr (then ENODATA,
 *	twice).  One line per step, as openunlinked.
 *
 *   nlxprobe direct FILE
 *	O_DIRECT: open FILE with O_CREAT|O_RDWR|O_DIRECT, write 1 MiB + 3
 *	bytes and read them back (a short read at end of file); then, with
 *	a second, buffered descriptor of the same file, check that a direct
 *	write is seen by a buffered read of pages read before it, and that
 *	a buffered write not yet written back is seen by a direct read.
 *	One line per step, as openunlinked.
 *
 *   nlxprobe renameflags DIR
 *	renameat2() flags as the in-kernel client answers them, since
 *	9P2000.L can honour none atomically: RENAME_NOREPLACE onto a new
 *	name fails with EINVAL (and onto an existing one with EEXIST, from
 *	the VFS), RENAME_EXCHANGE and RENAME_WHITEOUT fail with EINVAL;
 *	every name is then still there with its contents.  One line per
 *	step, as openunlinked.
 *
 *   nlxprobe fsize FILE
 *	RLIMIT_FSIZE as stress-ng's fsize stressor uses it, with SIGXFSZ
 *	ignored: under a 256 KiB limit, fill FILE to the limit, a write
 *	at the limit fails with EFBIG, a truncation to zero succeeds; then
 *	for each limit 2^k - 1 (k = 1..62) a byte written just below the
 *	limit succeeds and one at the limit fails with EFBIG; shrinking
 *	to zero (under the 256 KiB limit again, then with none) succeeds
 *	and fstat says 0.
 *	One line per step, as openunlinked.
 *
 *   nlxprobe statfresh FILE
 *	for a mount without an attribute cache: 20 times, open FILE and
 *	change it through the new descriptor (a byte written, fchmod,
 *	ftruncate, futimens, each with an open of its own), then truncate
 *	it by path; after each change compare what fstat (or stat) says
 *	with statx(AT_STATX_FORCE_SYNC), which asks the server: size,
 *	mode, links, mtime and ctime must agree.  A client that answers
 *	with what the open's lookup fetched before the change fails.  One
 *	line per step, as openunlinked; FILE is removed.
 *
 *   nlxprobe openexisting DIR [nofifo]
 *	opens of names that exist, as root in DIR (mode 0755) and as uid
 *	1000 in a child: a regular file read and written through O_RDONLY,
 *	O_WRONLY|O_TRUNC and O_APPEND, two descriptors at once and a stat
 *	by path while open; ENOTDIR for "file/" and O_DIRECTORY; a symlink
 *	followed, ELOOP with O_NOFOLLOW; a FIFO opened as a local FIFO
 *	(ENXIO for O_WRONLY|O_NONBLOCK without a reader); a directory with
 *	O_DIRECTORY; ENOENT for a missing name; as uid 1000, EACCES for
 *	reading a 0600 file and for O_WRONLY|O_TRUNC of a 0644 file, which
 *	keeps its bytes.  With "nofifo" (QEMU 7.2 with security_model=none
 *	makes no FIFOs), mkfifo must fail with ENXIO instead and the FIFO's
 *	steps are left out.  One line per step, as openunlinked; DIR's
 *	entries are removed at the end.
 *
 *   nlxprobe asuser UID GID PROG ARGS...
 *	run PROG as UID:GID with no supplementary groups (busybox has no
 *	setpriv), for the multi-user checks.
 *
 * Exit status: 0 success, 1 a probe failed, 2 usage or setup error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/fsuid.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

static int fail_errno(const char *step)
{
	int e = errno;

	printf("FAIL %s errno=%d %s (%s)\n", step, e, ename(e), strerror(e));
	fflush(stdout);
	return 1;
}

static int fail_msg(const char *step, const char *what)
{
	printf("FAIL %s: %s\n", step, what);
	fflush(stdout);
	return 1;
}

static void step_ok(const char *step, const char *detail)
{
	printf("ok %s%s%s\n", step, *detail ? " " : "", detail);
	fflush(stdout);
}

#define OU_SIZE 1000
#define OU_OFF 123
#define OU_LEN 600

static int openunlinked(const char *dir)
{
	char path[4096], buf[OU_LEN], back[OU_LEN], msg[200];
	struct timespec ts[2] = {
		{ .tv_sec = 1000000000, .tv_nsec = 0 },	/* atime */
		{ .tv_sec = 1234567890, .tv_nsec = 0 },	/* mtime */
	};
	struct stat st;
	ssize_t n;
	int fd, i;

	if (snprintf(path, sizeof(path), "%s/f", dir) >= (int)sizeof(path))
		return fail_msg("create", "path too long");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail_errno("create");
	step_ok("create", path);
	if (unlink(path))
		return fail_errno("unlink");
	if (access(path, F_OK) == 0)
		return fail_msg("unlink", "the name is still there");
	step_ok("unlink", "");
	if (ftruncate(fd, OU_SIZE))
		return fail_errno("ftruncate");
	step_ok("ftruncate", "1000");
	for (i = 0; i < OU_LEN; i++)
		buf[i] = 'A' + (i * 7 + i / 26) % 26;
	n = pwrite(fd, buf, OU_LEN, OU_OFF);
	if (n < 0)
		return fail_errno("pwrite");
	if (n != OU_LEN) {
		snprintf(msg, sizeof(msg), "wrote %zd of %d bytes", n, OU_LEN);
		return fail_msg("pwrite", msg);
	}
	step_ok("pwrite", "600@123");
	memset(back, 0, sizeof(back));
	n = pread(fd, back, OU_LEN, OU_OFF);
	if (n < 0)
		return fail_errno("pread");
	if (n != OU_LEN || memcmp(buf, back, OU_LEN)) {
		snprintf(msg, sizeof(msg), "read %zd bytes, %s", n,
			 n == OU_LEN ? "contents differ" : "short");
		return fail_msg("pread", msg);
	}
	/* The bytes before the pattern were never written: zeros. */
	n = pread(fd, back, OU_OFF, 0);
	if (n != OU_OFF)
		return n < 0 ? fail_errno("pread-hole") : fail_msg("pread-hole", "short read");
	for (i = 0; i < OU_OFF; i++)
		if (back[i])
			return fail_msg("pread-hole", "nonzero byte before the written range");
	step_ok("pread", "");
	if (fstat(fd, &st))
		return fail_errno("fstat");
	if (st.st_size != OU_SIZE || st.st_nlink != 0) {
		snprintf(msg, sizeof(msg), "size %lld nlink %lu, want 1000 0",
			 (long long)st.st_size, (unsigned long)st.st_nlink);
		return fail_msg("fstat", msg);
	}
	step_ok("fstat", "size=1000 nlink=0");
	if (fchmod(fd, 0600))
		return fail_errno("fchmod");
	if (fstat(fd, &st))
		return fail_errno("fchmod-fstat");
	if ((st.st_mode & 07777) != 0600) {
		snprintf(msg, sizeof(msg), "mode %o after fchmod 0600",
			 st.st_mode & 07777);
		return fail_msg("fchmod", msg);
	}
	step_ok("fchmod", "0600");
	if (futimens(fd, ts))
		return fail_errno("futimens");
	if (fstat(fd, &st))
		return fail_errno("futimens-fstat");
	if (st.st_mtim.tv_sec != ts[1].tv_sec || st.st_atim.tv_sec != ts[0].tv_sec) {
		snprintf(msg, sizeof(msg), "atime %lld mtime %lld, want %lld %lld",
			 (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec,
			 (long long)ts[0].tv_sec, (long long)ts[1].tv_sec);
		return fail_msg("futimens", msg);
	}
	step_ok("futimens", "atime=1000000000 mtime=1234567890");
	if (close(fd))
		return fail_errno("close");
	step_ok("close", "");
	return 0;
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int dino(const char *dir)
{
	char buf[32768];
	long n, off;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail_errno("open");
	for (;;) {
		n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n < 0)
			return fail_errno("getdents64");
		if (n == 0)
			break;
		for (off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			printf("%s\t%llu\n", d->d_name,
			       (unsigned long long)d->d_ino);
			off += d->d_reclen;
		}
	}
	close(fd);
	return 0;
}

struct ent {
	dev_t dev;
	ino_t ino;
	nlink_t nlink;
	char *path;
};

static struct ent *ents;
static size_t nents, aents;

static int walk_one(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_NS || flag == FTW_DNR) {
		printf("FAIL walk %s\n", path);
		return 1;
	}
	if (S_ISDIR(st->st_mode))
		return 0;
	if (nents == aents) {
		aents = aents ? 2 * aents : 256;
		ents = realloc(ents, aents * sizeof(*ents));
		if (!ents)
			return 1;
	}
	ents[nents].dev = st->st_dev;
	ents[nents].ino = st->st_ino;
	ents[nents].nlink = st->st_nlink;
	ents[nents].path = strdup(path);
	if (!ents[nents].path)
		return 1;
	nents++;
	return 0;
}

static int links(int ndirs, char **dirs)
{
	size_t i, j;
	char *done;
	int k;

	for (k = 0; k < ndirs; k++)
		if (nftw(dirs[k], walk_one, 32, FTW_PHYS))
			return fail_errno("walk");
	done = calloc(nents + 1, 1);
	if (!done)
		return fail_errno("calloc");
	for (i = 0; i < nents; i++) {
		int group = 0;

		if (done[i])
			continue;
		for (j = i + 1; j < nents; j++) {
			if (ents[j].dev != ents[i].dev || ents[j].ino != ents[i].ino)
				continue;
			if (!group)
				printf("%u:%u %llu %lu %s", major(ents[i].dev),
				       minor(ents[i].dev),
				       (unsigned long long)ents[i].ino,
				       (unsigned long)ents[i].nlink, ents[i].path);
			printf(" %s", ents[j].path);
			group = 1;
			done[j] = 1;
		}
		if (group)
			printf("\n");
	}
	printf("files %zu\n", nents);
	return 0;
}

static int setlk(int fd, short type)
{
	struct flock fl = {
		.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100,
	};

	return fcntl(fd, F_SETLK, &fl);
}

static int locks(const char *p1, const char *p2)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100,
	};
	char msg[120];
	int a, b;

	a = open(p1, O_RDWR);
	if (a < 0)
		return fail_errno("open1");
	b = open(p2, O_RDWR);
	if (b < 0)
		return fail_errno("open2");
	step_ok("open", "");

	if (setlk(a, F_WRLCK))
		return fail_errno("posix-lock1");
	step_ok("posix-lock1", "");
	if (!setlk(b, F_WRLCK))
		return fail_msg("posix-conflict", "second session got the lock too");
	if (errno != EAGAIN && errno != EACCES)
		return fail_errno("posix-conflict");
	step_ok("posix-conflict", ename(errno));
	if (fcntl(b, F_GETLK, &fl))
		return fail_errno("getlk");
	if (fl.l_type != F_WRLCK) {
		snprintf(msg, sizeof(msg), "l_type %d, wanted F_WRLCK", fl.l_type);
		return fail_msg("getlk", msg);
	}
	snprintf(msg, sizeof(msg), "write lock, pid %d", (int)fl.l_pid);
	step_ok("getlk", msg);
	if (setlk(a, F_UNLCK))
		return fail_errno("posix-unlock1");
	if (setlk(b, F_WRLCK))
		return fail_errno("posix-lock2");
	step_ok("posix-lock2", "granted after release");
	if (setlk(b, F_UNLCK))
		return fail_errno("posix-unlock2");

	if (flock(a, LOCK_EX | LOCK_NB))
		return fail_errno("flock1");
	if (!flock(b, LOCK_EX | LOCK_NB))
		return fail_msg("flock-conflict", "second session got the lock too");
	if (errno != EWOULDBLOCK)
		return fail_errno("flock-conflict");
	step_ok("flock-conflict", ename(errno));
	if (flock(a, LOCK_UN))
		return fail_errno("flock-unlock1");
	if (flock(b, LOCK_EX | LOCK_NB))
		return fail_errno("flock2");
	step_ok("flock2", "granted after release");
	close(a);
	close(b);
	return 0;
}

static void lk_catch(int sig)
{
	(void)sig;	/* only there to interrupt the call in progress */
}

/* SIGINT and SIGTERM end a blocking call with EINTR instead of the process. */
static int lk_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lk_catch;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -1;
	return 0;
}

static int lockhold(const char *path)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0,
	};
	int fd;

	if (lk_handlers())
		return fail_errno("sigaction");
	fd = open(path, O_RDWR);
	if (fd < 0)
		return fail_errno("open");
	if (fcntl(fd, F_SETLK, &fl))
		return fail_errno("setlk");
	step_ok("locked", "");
	pause();
	close(fd);
	return 0;
}

static int lockwait(const char *path)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0,
	};
	int fd;

	if (lk_handlers())
		return fail_errno("sigaction");
	fd = open(path, O_RDWR);
	if (fd < 0)
		return fail_errno("open");
	step_ok("waiting", "");
	if (fcntl(fd, F_SETLKW, &fl))
		return fail_errno("setlkw");
	step_ok("granted", "");
	close(fd);
	return 0;
}

#define FSX_MAX	(1024 * 1024)

static unsigned long long fsx_state;

static unsigned int fsx_rand(unsigned int n)
{
	/* xorshift64*: fixed sequence for a fixed seed. */
	fsx_state ^= fsx_state >> 12;
	fsx_state ^= fsx_state << 25;
	fsx_state ^= fsx_state >> 27;
	return (unsigned int)((fsx_state * 2685821657736338717ULL) >> 33) % n;
}

static int fsx(const char *path, long ops, unsigned long long seed,
	       const char *model_path, bool nommap)
{
	static unsigned char model[FSX_MAX], buf[FSX_MAX];
	long mmaps = 0;
	size_t size = 0;
	char msg[160];
	long i;
	int fd;

	fsx_state = seed ? seed : 1;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail_errno("open");
	for (i = 0; i < ops; i++) {
		unsigned int op = fsx_rand(100);
		size_t off = fsx_rand(FSX_MAX - 1);
		size_t len = 1 + fsx_rand(op < 5 ? 4096 : 65536);
		size_t j;

		if (off + len > FSX_MAX)
			len = FSX_MAX - off;
		if (op < 40) {
			for (j = 0; j < len; j++)
				buf[j] = (unsigned char)fsx_rand(256);
			if (pwrite(fd, buf, len, off) != (ssize_t)len)
				return fail_errno("pwrite");
			memcpy(model + off, buf, len);
			if (off > size)
				memset(model + size, 0, off - size);
			if (off + len > size)
				size = off + len;
		} else if (op < 50) {
			size_t ns = fsx_rand(FSX_MAX);

			if (ftruncate(fd, ns))
				return fail_errno("ftruncate");
			if (ns > size)
				memset(model + size, 0, ns - size);
			size = ns;
		} else if (op < 60 && size) {
			/* Through a shared writable mapping of what exists. */
			unsigned char *m;

			if (off >= size)
				off = fsx_rand(size);
			if (off + len > size)
				len = size - off;
			m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				 fd, 0);
			if (m == MAP_FAILED) {
				if (nommap && (errno == EINVAL || errno == ENODEV))
					continue;
				return fail_errno("mmap");
			}
			mmaps++;
			for (j = 0; j < len; j++) {
				model[off + j] = (unsigned char)fsx_rand(256);
				m[off + j] = model[off + j];
			}
			if (msync(m, size, MS_SYNC))
				return fail_errno("msync");
			munmap(m, size);
		} else if (op < 62) {
			if (fsync(fd))
				return fail_errno("fsync");
		} else if (op < 64) {
			close(fd);
			fd = open(path, O_RDWR);
			if (fd < 0)
				return fail_errno("reopen");
		} else {
			size_t want;
			ssize_t n;

			n = pread(fd, buf, len, off);
			if (n < 0)
				return fail_errno("pread");
			want = off >= size ? 0 :
			       off + len > size ? size - off : len;
			if ((size_t)n != want) {
				snprintf(msg, sizeof(msg),
					 "op %ld: read %zd at %zu, model size %zu",
					 i, n, off, size);
				return fail_msg("pread-size", msg);
			}
			for (j = 0; j < (size_t)n; j++) {
				if (buf[j] != model[off + j]) {
					snprintf(msg, sizeof(msg),
						 "op %ld: byte %zu differs",
						 i, off + j);
					return fail_msg("pread-data", msg);
				}
			}
		}
	}
	close(fd);
	if (!nommap && !mmaps)
		return fail_msg("mmap", "no mmap write was done");
	fd = open(model_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, model, size) != (ssize_t)size)
		return fail_errno("model");
	close(fd);
	snprintf(msg, sizeof(msg), "%ld ops (%ld through mmap), final size %zu",
		 ops, mmaps, size);
	step_ok("model", msg);
	return 0;
}

/* The call (already made) must have failed with @want. */
static int want_errno(const char *step, long ret, int want)
{
	char msg[96];

	if (ret >= 0) {
		snprintf(msg, sizeof(msg), "returned %ld, wanted %s", ret,
			 ename(want));
		return fail_msg(step, msg);
	}
	if (errno != want) {
		snprintf(msg, sizeof(msg), "%s, wanted %s", ename(errno),
			 ename(want));
		return fail_msg(step, msg);
	}
	step_ok(step, ename(want));
	return 0;
}

#define XA_BIG (60 * 1024)
#define XA_TOO_BIG (64 * 1024 + 1)

static int xattrs(const char *f, bool trusted)
{
	static char big[XA_BIG], back[XA_TOO_BIG];
	static const char val[] = "value-12345";
	char buf[256];
	ssize_t n;
	int i;

	if (setxattr(f, "user.nlx", val, strlen(val), XATTR_CREATE))
		return fail_errno("create");
	step_ok("create", "");
	if (want_errno("create-again", setxattr(f, "user.nlx", "x", 1,
						XATTR_CREATE), EEXIST) ||
	    want_errno("replace-missing", setxattr(f, "user.nlx-missing", "x",
						   1, XATTR_REPLACE), ENODATA))
		return 1;
	n = getxattr(f, "user.nlx", NULL, 0);
	if (n != (ssize_t)strlen(val))
		return n < 0 ? fail_errno("size-probe") :
			       fail_msg("size-probe", "wrong length");
	step_ok("size-probe", "11");
	if (want_errno("short-buffer", getxattr(f, "user.nlx", buf, 4), ERANGE) ||
	    want_errno("missing", getxattr(f, "user.nlx-missing", buf,
					   sizeof(buf)), ENODATA))
		return 1;
	n = getxattr(f, "user.nlx", buf, sizeof(buf));
	if (n != (ssize_t)strlen(val) || memcmp(buf, val, n))
		return fail_msg("get", "wrong value");
	step_ok("get", "");
	n = listxattr(f, buf, sizeof(buf));
	if (n < 0)
		return fail_errno("list");
	for (i = 0; i < n; i += strlen(buf + i) + 1)
		if (!strcmp(buf + i, "user.nlx"))
			break;
	if (i >= n)
		return fail_msg("list", "user.nlx not listed");
	step_ok("list", "");
	if (want_errno("list-short", listxattr(f, buf, 1), ERANGE))
		return 1;
	if (setxattr(f, "user.nlx", "v2", 2, XATTR_REPLACE))
		return fail_errno("replace");
	n = getxattr(f, "user.nlx", buf, sizeof(buf));
	if (n != 2 || memcmp(buf, "v2", 2))
		return fail_msg("replace", "value not replaced");
	step_ok("replace", "");
	/*
	 * 9P2000.L has no empty value: a Txattrcreate of size 0 removes
	 * the attribute, for every client, and fails if there is none.
	 */
	n = setxattr(f, "user.nlx-empty", "", 0, 0);
	if (want_errno("empty-new", n, ENODATA))
		return 1;
	if (setxattr(f, "user.nlx-empty", "x", 1, 0) ||
	    setxattr(f, "user.nlx-empty", "", 0, 0))
		return fail_errno("empty-existing");
	n = getxattr(f, "user.nlx-empty", buf, sizeof(buf));
	if (want_errno("empty-existing", n, ENODATA))
		return 1;
	n = setxattr(f, "user.nlx-big", back, XA_TOO_BIG, 0);
	if (want_errno("too-big", n, E2BIG))
		return 1;
	for (i = 0; i < XA_BIG; i++)
		big[i] = 'a' + i % 23;
	if (setxattr(f, "user.nlx-big", big, XA_BIG, 0))
		return fail_errno("big");
	n = getxattr(f, "user.nlx-big", back, sizeof(back));
	if (n != XA_BIG || memcmp(big, back, XA_BIG))
		return n < 0 ? fail_errno("big") : fail_msg("big", "read back differs");
	step_ok("big", "61440");
	if (!trusted) {
		n = setxattr(f, "trusted.nlx", "t", 1, 0);
		if (want_errno("trusted", n, EOPNOTSUPP))
			return 1;
	} else {
		if (setxattr(f, "trusted.nlx", "t", 1, 0))
			return fail_errno("trusted");
		n = getxattr(f, "trusted.nlx", buf, sizeof(buf));
		if (n != 1 || buf[0] != 't')
			return n < 0 ? fail_errno("trusted") :
				       fail_msg("trusted", "wrong value");
		step_ok("trusted", "");
	}
	if (removexattr(f, "user.nlx"))
		return fail_errno("remove");
	step_ok("remove", "");
	if (want_errno("removed", getxattr(f, "user.nlx", buf, sizeof(buf)),
		       ENODATA) ||
	    want_errno("remove-again", removexattr(f, "user.nlx"), ENODATA))
		return 1;
	return 0;
}

#define DIO_LEN ((1 << 20) + 3)

static void dio_fill(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7 + (i >> 9));
}

static int dio_probe(const char *path)
{
	unsigned char *a, *b;
	char msg[80];
	int fd, bfd;
	ssize_t n;

	if (posix_memalign((void **)&a, 4096, DIO_LEN + 4096) ||
	    posix_memalign((void **)&b, 4096, DIO_LEN + 4096))
		return fail_msg("alloc", "no memory");
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC | O_DIRECT, 0644);
	if (fd < 0)
		return fail_errno("open-direct");
	step_ok("open-direct", "");

	dio_fill(a, DIO_LEN, 1);
	n = pwrite(fd, a, DIO_LEN, 0);
	if (n != DIO_LEN)
		return n < 0 ? fail_errno("write-direct") :
			       fail_msg("write-direct", "short write");
	memset(b, 0, DIO_LEN + 4096);
	n = pread(fd, b, DIO_LEN + 4096, 0);
	if (n < 0)
		return fail_errno("read-direct");
	if (n != DIO_LEN) {
		snprintf(msg, sizeof(msg), "read %zd bytes, want %d", n,
			 DIO_LEN);
		return fail_msg("read-direct", msg);
	}
	if (memcmp(a, b, DIO_LEN))
		return fail_msg("read-direct", "data differs");
	step_ok("write-read-direct", "");

	/* A buffered reader's pages must not hide a direct write. */
	bfd = open(path, O_RDWR);
	if (bfd < 0)
		return fail_errno("open-buffered");
	if (pread(bfd, b, 65536, 0) != 65536)
		return fail_errno("read-buffered");
	dio_fill(a, 65536, 2);
	if (pwrite(fd, a, 65536, 0) != 65536)
		return fail_errno("write-direct-2");
	if (pread(bfd, b, 65536, 0) != 65536)
		return fail_errno("read-buffered-2");
	if (memcmp(a, b, 65536))
		return fail_msg("direct-then-buffered",
				"buffered read shows the old data");
	step_ok("direct-then-buffered", "");

	/* A direct reader must see a buffered write still in the cache. */
	dio_fill(a, 8192, 3);
	if (pwrite(bfd, a, 8192, 4096) != 8192)
		return fail_errno("write-buffered");
	if (pread(fd, b, 16384, 0) != 16384)
		return fail_errno("read-direct-2");
	if (memcmp(a, b + 4096, 8192))
		return fail_msg("buffered-then-direct",
				"direct read shows the old data");
	step_ok("buffered-then-direct", "");
	close(bfd);
	close(fd);
	free(a);
	free(b);
	return 0;
}

/*
 * Write @text to @path opened with O_WRONLY | @flags; fail_* names the
 * step on error.
 */
static int write_text(const char *step, const char *path, const char *text,
		      int flags)
{
	int fd = open(path, O_WRONLY | flags, 0644);
	ssize_t n;

	if (fd < 0)
		return fail_errno(step);
	n = write(fd, text, strlen(text));
	if (close(fd) || n != (ssize_t)strlen(text))
		return fail_errno(step);
	return 0;
}

static int put_text(const char *step, const char *path, const char *text)
{
	return write_text(step, path, text, O_CREAT | O_TRUNC);
}

/* @path must hold exactly @text. */
static int has_text(const char *step, const char *path, const char *text)
{
	char buf[64], msg[160];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail_errno(step);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return fail_errno(step);
	buf[n] = 0;
	if (strcmp(buf, text)) {
		snprintf(msg, sizeof(msg), "%s reads '%s', want '%s'", path,
			 buf, text);
		return fail_msg(step, msg);
	}
	return 0;
}

/*
 * Events in the inotify queue @fd within @ms milliseconds, as a mask;
 * stops early once all of @want came.
 */
static int drain_events(int fd, int ms, uint32_t want, uint32_t *mask)
{
	/* Aligned for the event records read into it. */
	union {
		struct inotify_event ev;
		char b[4096];
	} ub;
	char *buf = ub.b;
	const struct inotify_event *ev;
	ssize_t len;
	char *p;

	*mask = 0;
	for (; ms > 0 && (!want || (*mask & want) != want); ms -= 50) {
		len = read(fd, buf, sizeof(ub.b));
		if (len < 0 && errno == EAGAIN) {
			usleep(50 * 1000);
			continue;
		}
		if (len < 0)
			return fail_errno("inotify-read");
		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			*mask |= ev->mask;
		}
	}
	return 0;
}

static int replaced(const char *a, const char *b)
{
	const uint32_t ev = IN_MODIFY | IN_CLOSE_WRITE;
	char msg[200];
	struct stat st;
	uint32_t got;
	ino_t ino;
	int in, i;

	if (put_text("create", b, "old file\n"))
		return 1;
	if (has_text("read-old", a, "old file\n"))
		return 1;
	if (stat(b, &st))
		return fail_errno("stat-old");
	ino = st.st_ino;
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0)
		return fail_errno("inotify_init1");
	if (inotify_add_watch(in, a, ev) < 0)
		return fail_errno("watch-old");
	step_ok("watch-old", "");

	/* The host frees the number at unlink and hands out the lowest. */
	for (i = 0; i < 20; i++) {
		if (unlink(b))
			return fail_errno("unlink");
		if (put_text("recreate", b, "new file\n"))
			return 1;
		if (stat(b, &st))
			return fail_errno("stat-new");
		if (st.st_ino == ino)
			break;
	}
	if (st.st_ino != ino) {
		snprintf(msg, sizeof(msg),
			 "the host gave inode %llu, never %llu again",
			 (unsigned long long)st.st_ino,
			 (unsigned long long)ino);
		return fail_msg("reuse", msg);
	}
	snprintf(msg, sizeof(msg), "ino %llu after %d tries",
		 (unsigned long long)ino, i + 1);
	step_ok("reuse", msg);
	/* A dentry used lately survives one pass (DCACHE_REFERENCED). */
	for (i = 0; i < 3; i++)
		if (write_text("drop-dentries", "/proc/sys/vm/drop_caches",
			       "2\n", 0))
			return 1;

	if (write_text("append", a, "appended\n", O_APPEND))
		return 1;
	if (drain_events(in, 1000, 0, &got))
		return 1;
	if (got & ev) {
		snprintf(msg, sizeof(msg),
			 "the watch on the deleted file got events 0x%x for the new one",
			 got);
		return fail_msg("old-watch-quiet", msg);
	}
	step_ok("old-watch-quiet", "");
	if (has_text("read-new", a, "new file\nappended\n"))
		return 1;
	step_ok("read-new", "");

	close(in);
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0)
		return fail_errno("inotify_init1");
	if (inotify_add_watch(in, a, ev) < 0)
		return fail_errno("watch-new");
	if (write_text("append-watched", a, "watched\n", O_APPEND))
		return 1;
	if (drain_events(in, 3000, ev, &got))
		return 1;
	close(in);
	if ((got & ev) != ev) {
		snprintf(msg, sizeof(msg),
			 "a watch on the new file got events 0x%x, want 0x%x",
			 got, ev);
		return fail_msg("new-watch", msg);
	}
	step_ok("new-watch", "");
	return 0;
}

#define RACE_BLOCKS	64
#define RACE_BS		4096
#define RACE_PASSES	40

/* The bytes of block @blk as written in pass @pass. */
static void race_block(char *buf, int blk, int pass)
{
	int n = snprintf(buf, RACE_BS, "block %d pass %d\n", blk, pass);
	int i;

	for (i = n; i < RACE_BS; i++)
		buf[i] = buf[i % n];
}

/* @path must hold @blocks blocks, each as written in pass @pass. */
static int race_verify(const char *step, const char *path, int blocks,
		       int pass)
{
	char want[RACE_BS], got[RACE_BS], msg[160];
	struct stat st;
	int fd, i;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail_errno(step);
	if (fstat(fd, &st)) {
		close(fd);
		return fail_errno(step);
	}
	if (st.st_size != blocks * RACE_BS) {
		close(fd);
		snprintf(msg, sizeof(msg), "%s has %lld bytes, want %d", path,
			 (long long)st.st_size, blocks * RACE_BS);
		return fail_msg(step, msg);
	}
	for (i = 0; i < blocks; i++) {
		race_block(want, i, pass);
		if (pread(fd, got, RACE_BS, (off_t)i * RACE_BS) != RACE_BS) {
			close(fd);
			return fail_errno(step);
		}
		if (memcmp(got, want, RACE_BS)) {
			close(fd);
			got[40] = 0;
			snprintf(msg, sizeof(msg),
				 "block %d of %s reads '%.40s', want pass %d",
				 i, path, got, pass);
			return fail_msg(step, msg);
		}
	}
	close(fd);
	return 0;
}

/* Write blocks @first, @first + @stride, ... of @path, @passes times. */
static int race_write(const char *path, int first, int stride, int passes)
{
	char buf[RACE_BS];
	int fd, p, i;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return fail_errno("writer-open");
	for (p = 0; p < passes; p++) {
		for (i = first; i < RACE_BLOCKS; i += stride) {
			race_block(buf, i, p);
			if (pwrite(fd, buf, RACE_BS, (off_t)i * RACE_BS) != RACE_BS)
				return fail_errno("writer-pwrite");
		}
		if (p % 8 == 7 && fsync(fd))
			return fail_errno("writer-fsync");
	}
	if (fsync(fd) || close(fd))
		return fail_errno("writer-close");
	return 0;
}

/* Make and remove @dir/h3 as another name of @h1, and read @h2. */
static int race_links(const char *dir, const char *h1, const char *h2,
		      int rounds)
{
	char h3[4096], buf[RACE_BS];
	struct stat st;
	int fd, i;

	snprintf(h3, sizeof(h3), "%s/h3", dir);
	for (i = 0; i < rounds; i++) {
		if (link(h1, h3))
			return fail_errno("link");
		if (stat(h3, &st))
			return fail_errno("link-stat");
		if (st.st_size != RACE_BLOCKS * RACE_BS) {
			printf("FAIL link-stat: %s has %lld bytes mid-write\n",
			       h3, (long long)st.st_size);
			return 1;
		}
		if (unlink(h3))
			return fail_errno("unlink");
		fd = open(h2, O_RDONLY);
		if (fd < 0)
			return fail_errno("h2-open");
		if (read(fd, buf, sizeof(buf)) != sizeof(buf))
			return fail_errno("h2-read");
		close(fd);
	}
	return 0;
}

/* Rename @a to @b and back, @rounds times. */
static int race_renames(const char *a, const char *b, int rounds)
{
	int i;

	for (i = 0; i < rounds; i++)
		if (rename(a, b) || rename(b, a))
			return fail_errno("rename");
	return 0;
}

/* Open and read @a and @b in turn until @stop exists. */
static int race_readers(const char *a, const char *b, const char *stop)
{
	char want[RACE_BS], got[RACE_BS + 1];
	const char *names[2] = { a, b };
	long opened = 0, i;
	ssize_t n;
	int fd;

	race_block(want, 0, 0);
	for (i = 0; access(stop, F_OK); i++) {
		fd = open(names[i % 2], O_RDONLY);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return fail_errno("reader-open");
		}
		n = read(fd, got, sizeof(got));
		close(fd);
		if (n != RACE_BS || memcmp(got, want, RACE_BS)) {
			printf("FAIL reader: %s read %zd bytes, not the file\n",
			       names[i % 2], n);
			return 1;
		}
		opened++;
	}
	printf("ok reader opened %ld times\n", opened);
	return opened ? 0 : fail_msg("reader", "never found either name");
}

static int race_fill(const char *path, int blocks)
{
	char buf[RACE_BS];
	int fd, i;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail_errno("create");
	for (i = 0; i < blocks; i++) {
		race_block(buf, i, 0);
		if (pwrite(fd, buf, RACE_BS, (off_t)i * RACE_BS) != RACE_BS)
			return fail_errno("create");
	}
	if (close(fd))
		return fail_errno("create");
	return 0;
}

/* Run @a in a child and @b here; both must succeed. */
static int race_pair(int (*a)(const char **), int (*b)(const char **),
		     const char **args)
{
	int st, rb;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fail_errno("fork");
	if (!pid)
		_exit(a(args));
	rb = b(args);
	if (waitpid(pid, &st, 0) != pid)
		return fail_errno("waitpid");
	return rb || !WIFEXITED(st) || WEXITSTATUS(st);
}

#define SWAP_ROUNDS	150

/* The bytes of DIR/da/f (@which 1) or DIR/db/f (2), as made. */
static void swap_bytes(char *buf, int which)
{
	race_block(buf, 0, which);
}

/* 0 if @buf is neither file's bytes, else which file's. */
static int swap_which(const char *buf)
{
	char want[RACE_BS];
	int w;

	for (w = 1; w <= 2; w++) {
		swap_bytes(want, w);
		if (!memcmp(buf, want, RACE_BS))
			return w;
	}
	return 0;
}

/* Swap the names of @v[0] and @v[1] through @v[3], SWAP_ROUNDS times. */
static int swap_renames(const char **v)
{
	int i, rc = 0;

	for (i = 0; i < SWAP_ROUNDS && !rc; i++)
		if (rename(v[0], v[3]) || rename(v[1], v[0]) ||
		    rename(v[3], v[1]))
			rc = fail_errno("swap-rename");
	close(open(v[2], O_WRONLY | O_CREAT, 0644));
	return rc;
}

/* Inode numbers of the two files, from before the race. */
static ino_t swap_ino[3];

/* Open @v[0]/f and @v[1]/f in turn until @v[2] exists. */
static int swap_readers(const char **v)
{
	char path[4096], got[RACE_BS];
	long opened = 0, i;
	struct stat st;
	int fd, w;

	for (i = 0; access(v[2], F_OK); i++) {
		snprintf(path, sizeof(path), "%s/f", v[i % 2]);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return fail_errno("swap-open");
		}
		if (fstat(fd, &st) || pread(fd, got, RACE_BS, 0) != RACE_BS) {
			close(fd);
			return fail_errno("swap-read");
		}
		close(fd);
		w = swap_which(got);
		if (!w || st.st_ino != swap_ino[w]) {
			printf("FAIL swap-read: %s: file %d's bytes, ino %llu (files %llu %llu)\n",
			       path, w, (unsigned long long)st.st_ino,
			       (unsigned long long)swap_ino[1],
			       (unsigned long long)swap_ino[2]);
			return 1;
		}
		opened++;
	}
	printf("ok swap-reader opened %ld times\n", opened);
	return opened ? 0 : fail_msg("swap-reader", "never found either name");
}

/*
 * After an even number of swaps da/f is file 1 again and db/f file 2:
 * the same inode numbers, the same bytes.
 */
static int swap_verify(const char **v, bool check)
{
	char path[4096], got[RACE_BS], msg[4200];
	struct stat st;
	int i, fd;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/f", v[i]);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return fail_errno("swapdirs-result");
		if (fstat(fd, &st) || pread(fd, got, RACE_BS, 0) != RACE_BS) {
			close(fd);
			return fail_errno("swapdirs-result");
		}
		close(fd);
		if (swap_which(got) != i + 1 ||
		    (!check && st.st_ino != swap_ino[i + 1])) {
			snprintf(msg, sizeof(msg), "%s holds file %d's bytes, inode %llu",
				 path, swap_which(got), (unsigned long long)st.st_ino);
			return fail_msg("swapdirs-result", msg);
		}
	}
	return 0;
}

/* Make directories @v[0] and @v[1], each with its f (files 1 and 2). */
static int swap_make(const char **v)
{
	char path[4096 + 8], buf[RACE_BS];
	struct stat st;
	int i, fd;

	for (i = 1; i <= 2; i++) {
		snprintf(path, sizeof(path), "%s/f", v[i - 1]);
		if (mkdir(v[i - 1], 0755))
			return fail_errno("swap-mkdir");
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		swap_bytes(buf, i);
		if (fd < 0 || write(fd, buf, RACE_BS) != RACE_BS ||
		    fstat(fd, &st) || close(fd))
			return fail_errno("swap-create");
		swap_ino[i] = st.st_ino;
	}
	return 0;
}

static int swap_race(const char *dir, bool check)
{
	char da[4096], db[4096], stop[4096], dt[4096];
	const char *v[4] = { da, db, stop, dt };

	snprintf(da, sizeof(da), "%s/da", dir);
	snprintf(db, sizeof(db), "%s/db", dir);
	snprintf(stop, sizeof(stop), "%s/swapstop", dir);
	snprintf(dt, sizeof(dt), "%s/dt", dir);
	if (check)
		return swap_verify(v, true);
	unlink(stop);
	if (swap_make(v) || race_pair(swap_renames, swap_readers, v))
		return 1;
	return swap_verify(v, false);
}

/*
 * "swapusers": the swap of swapdirs, SWAPU_DEPTH directories down, with
 * readers that open f by the directory's descriptor, never by its name,
 * each time as a user the mount has not seen.  Such a user has no fid
 * anywhere, so the client builds f's path (or, when it keeps no dentry
 * for f, its directory's) from the names on the dentries up to the root
 * and walks it from an attach: several requests, one per 16 names,
 * during which the names must not change.  Under a descriptor of
 * directory k, f is file k whatever the directories are called.
 */
#define SWAPU_DEPTH	48
#define SWAPU_UID	20000

/* O_PATH descriptors of the directories first called da (1) and db (2). */
static int swapu_dir[3];

/* Read f under directory @k as fsuid @uid into @got; errno on failure. */
static int swapu_read(int k, uid_t uid, char *got, struct stat *st)
{
	int fd, rc = -1;

	setfsuid(uid);
	if ((uid_t)setfsuid(-1) != uid) {
		errno = EPERM;
		return -1;
	}
	/* Direct: the page cache would answer for the inode, not the fid. */
	fd = openat(swapu_dir[k], "f", O_RDONLY | O_DIRECT);
	if (fd >= 0) {
		if (!fstat(fd, st) && pread(fd, got, RACE_BS, 0) == RACE_BS)
			rc = 0;
		close(fd);
	}
	setfsuid(0);
	return rc;
}

/* Read directory 1's and 2's f in turn, a new user each, until @v[2]. */
static int swapu_readers(const char **v)
{
	static alignas(RACE_BS) char got[RACE_BS];
	char msg[200];
	long i, opened = 0, gone = 0;
	struct stat st;
	int k, w;

	for (i = 0; access(v[2], F_OK); i++) {
		k = 1 + i % 2;
		if (swapu_read(k, SWAPU_UID + i, got, &st)) {
			/*
			 * QEMU's Twalk looks the fid's path up in a worker
			 * thread without its rename lock: the clone of f's
			 * fid that open makes fails if a rename of a
			 * directory above comes between, whatever the client
			 * does.
			 */
			if (errno == ENOENT) {
				gone++;
				continue;
			}
			snprintf(msg, sizeof(msg), "swapusers-read user %ld dir %d",
				 SWAPU_UID + i, k);
			return fail_errno(msg);
		}
		w = swap_which(got);
		if (w != k || st.st_ino != swap_ino[k]) {
			printf("FAIL swapusers-read: user %ld: ", SWAPU_UID + i);
			printf("f under directory %d is file %d's bytes, ", k, w);
			printf("ino %llu (files %llu %llu)\n",
			       (unsigned long long)st.st_ino,
			       (unsigned long long)swap_ino[1],
			       (unsigned long long)swap_ino[2]);
			return 1;
		}
		opened++;
	}
	printf("ok swapusers-reader opened %ld times, ENOENT %ld times\n",
	       opened, gone);
	return opened ? 0 : fail_msg("swapusers-reader", "never opened f");
}

static int swapu_race(const char *dir, bool check)
{
	char base[3072], da[4096], db[4096], stop[4096], dt[4096];
	const char *v[4] = { da, db, stop, dt };
	int i;

	if (strlen(dir) + 2 * SWAPU_DEPTH >= sizeof(base))
		return fail_msg("swapusers", "path too long");
	snprintf(stop, sizeof(stop), "%s/swapstop", dir);
	if (!check)
		unlink(stop);
	snprintf(base, sizeof(base), "%s", dir);
	for (i = 0; i < SWAPU_DEPTH; i++) {
		strcat(base, "/n");
		if (!check && mkdir(base, 0755))
			return fail_errno("swapusers-mkdir");
	}
	snprintf(da, sizeof(da), "%s/da", base);
	snprintf(db, sizeof(db), "%s/db", base);
	snprintf(dt, sizeof(dt), "%s/dt", base);
	if (check)
		return swap_verify(v, true);
	if (swap_make(v))
		return 1;
	for (i = 1; i <= 2; i++) {
		swapu_dir[i] = open(v[i - 1], O_PATH | O_DIRECTORY);
		if (swapu_dir[i] < 0)
			return fail_errno("swapusers-opendir");
	}
	if (race_pair(swap_renames, swapu_readers, v))
		return 1;
	return swap_verify(v, false);
}

static int rw_even(const char **v) { return race_write(v[0], 0, 2, RACE_PASSES); }
static int rw_odd(const char **v) { return race_write(v[0], 1, 2, RACE_PASSES); }
static int rw_all(const char **v) { return race_write(v[0], 0, 1, RACE_PASSES); }
static int rl_links(const char **v) { return race_links(v[1], v[0], v[2], 200); }

static int rr_renames(const char **v)
{
	int rc = race_renames(v[0], v[1], 300);

	/* Tell the reader to stop whatever happened. */
	close(open(v[2], O_WRONLY | O_CREAT, 0644));
	return rc;
}

static int rr_readers(const char **v) { return race_readers(v[0], v[1], v[2]); }

static int race(const char *kind, const char *dir, bool check)
{
	char p1[4096], p2[4096], p3[4096];
	const char *args[3] = { p1, p2, p3 };
	int rc;

	if (!strcmp(kind, "writers")) {
		snprintf(p1, sizeof(p1), "%s/w", dir);
		if (!check && (race_fill(p1, RACE_BLOCKS) ||
			       race_pair(rw_even, rw_odd, args)))
			return 1;
		rc = race_verify("writers-result", p1, RACE_BLOCKS, RACE_PASSES - 1);
	} else if (!strcmp(kind, "hardlink")) {
		snprintf(p1, sizeof(p1), "%s/h1", dir);
		snprintf(p2, sizeof(p2), "%s", dir);
		snprintf(p3, sizeof(p3), "%s/h2", dir);
		if (!check && (race_fill(p1, RACE_BLOCKS) ||
			       (unlink(p3) && errno != ENOENT) ||
			       link(p1, p3) ||
			       race_pair(rw_all, rl_links, args)))
			return 1;
		rc = race_verify("hardlink-result", p3, RACE_BLOCKS,
				 RACE_PASSES - 1);
	} else if (!strcmp(kind, "rename")) {
		snprintf(p1, sizeof(p1), "%s/ra", dir);
		snprintf(p2, sizeof(p2), "%s/rb", dir);
		snprintf(p3, sizeof(p3), "%s/rstop", dir);
		if (!check) {
			unlink(p3);
			if (race_fill(p1, 1) ||
			    race_pair(rr_renames, rr_readers, args))
				return 1;
		}
		if (!access(p2, F_OK))
			return fail_msg("rename-result", "rb is still there");
		rc = race_verify("rename-result", p1, 1, 0);
	} else if (!strcmp(kind, "swapdirs")) {
		rc = swap_race(dir, check);
	} else if (!strcmp(kind, "swapusers")) {
		rc = swapu_race(dir, check);
	} else {
		return fail_msg("race", "unknown kind");
	}
	if (!rc)
		step_ok(check ? "racecheck" : "race", kind);
	return rc;
}

static int renameflags(const char *dir)
{
	char a[4096], b[4096], c[4096];

	if (snprintf(a, sizeof(a), "%s/rf-a", dir) >= (int)sizeof(a) ||
	    snprintf(b, sizeof(b), "%s/rf-b", dir) >= (int)sizeof(b) ||
	    snprintf(c, sizeof(c), "%s/rf-new", dir) >= (int)sizeof(c))
		return fail_msg("setup", "path too long");
	unlink(c);
	if (put_text("setup", a, "a") || put_text("setup", b, "b"))
		return 1;
	step_ok("setup", "");
	if (want_errno("noreplace-new", renameat2(AT_FDCWD, a, AT_FDCWD, c,
						  RENAME_NOREPLACE), EINVAL) ||
	    want_errno("noreplace-existing",
		       renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE),
		       EEXIST) ||
	    want_errno("exchange", renameat2(AT_FDCWD, a, AT_FDCWD, b,
					     RENAME_EXCHANGE), EINVAL) ||
	    want_errno("whiteout", renameat2(AT_FDCWD, a, AT_FDCWD, c,
					     RENAME_WHITEOUT), EINVAL))
		return 1;
	if (has_text("after", a, "a") || has_text("after", b, "b"))
		return 1;
	if (access(c, F_OK) == 0)
		return fail_msg("after", "rf-new exists after refused renames");
	step_ok("after", "rf-a and rf-b unchanged, no rf-new");
	return 0;
}

#define FS_LIMIT (256 * 1024)

static int set_fsize(const char *step, rlim_t cur)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_FSIZE, &rl))
		return fail_errno(step);
	rl.rlim_cur = cur;
	if (setrlimit(RLIMIT_FSIZE, &rl))
		return fail_errno(step);
	return 0;
}

static int fsize(const char *path)
{
	static char zeros[FS_LIMIT];
	char step[48], msg[96];
	struct stat st;
	off_t lim;
	ssize_t n;
	int fd, k;

	signal(SIGXFSZ, SIG_IGN);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return fail_errno("open");
	if (set_fsize("limit", FS_LIMIT))
		return 1;
	n = pwrite(fd, zeros, FS_LIMIT, 0);
	if (n != FS_LIMIT)
		return n < 0 ? fail_errno("fill") : fail_msg("fill", "short write");
	step_ok("fill", "256 KiB");
	if (want_errno("at-limit", pwrite(fd, "x", 1, FS_LIMIT), EFBIG))
		return 1;
	if (ftruncate(fd, 0))
		return fail_errno("shrink");
	step_ok("shrink", "0 under a 256 KiB limit");
	for (k = 1; k <= 62; k++) {
		lim = ((off_t)1 << k) - 1;
		if (set_fsize("limit", lim))
			return 1;
		snprintf(step, sizeof(step), "below-%d", k);
		n = pwrite(fd, "y", 1, lim - 1);
		if (n != 1)
			return n < 0 ? fail_errno(step) : fail_msg(step, "short write");
		snprintf(step, sizeof(step), "at-%d", k);
		errno = 0;
		n = pwrite(fd, "z", 1, lim);
		if (n >= 0 || errno != EFBIG) {
			snprintf(msg, sizeof(msg), "pwrite at 2^%d-1 gave %zd %s, want EFBIG",
				 k, n, n < 0 ? ename(errno) : "");
			return fail_msg(step, msg);
		}
	}
	step_ok("boundaries", "2^k-1, k = 1..62");
	/* The file is far past the limit now; shrinking is still allowed. */
	if (set_fsize("limit", FS_LIMIT))
		return 1;
	if (ftruncate(fd, 0))
		return fail_errno("shrink-limited");
	step_ok("shrink-limited", "0 under a 256 KiB limit, from 2^62-1");
	if (set_fsize("unlimit", RLIM_INFINITY))
		return 1;
	if (ftruncate(fd, 0))
		return fail_errno("shrink-unlimited");
	if (fstat(fd, &st))
		return fail_errno("fstat");
	if (st.st_size) {
		snprintf(msg, sizeof(msg), "size %lld after shrinking to 0",
			 (long long)st.st_size);
		return fail_msg("fstat", msg);
	}
	step_ok("shrink-unlimited", "size 0");
	if (close(fd))
		return fail_errno("close");
	step_ok("close", "");
	return 0;
}

/* Every name one getdents64 stream of @fd gives, with @first before it. */
static int dt_names(int fd, const char *first, char *names, size_t cap,
		    int *count)
{
	char buf[32768];
	size_t used = 0;
	long n, off;

	*count = 0;
	names[0] = 0;
	if (first) {
		used = snprintf(names, cap, "%s/", first);
		(*count)++;
	}
	for (;;) {
		n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n < 0)
			return -1;
		if (!n)
			return 0;
		for (off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			if (used + strlen(d->d_name) + 2 > cap) {
				errno = E2BIG;
				return -1;
			}
			used += snprintf(names + used, cap - used, "%s/", d->d_name);
			(*count)++;
			off += d->d_reclen;
		}
	}
}

/* Sort the '/'-separated names in @s in place, to compare two listings. */
static int dt_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dt_sort(char *s, char *out, size_t cap)
{
	char *v[256], *p;
	int n = 0, i;

	for (p = strtok(s, "/"); p && n < 256; p = strtok(NULL, "/"))
		v[n++] = p;
	qsort(v, n, sizeof(*v), dt_cmp);
	out[0] = 0;
	for (i = 0; i < n; i++) {
		strncat(out, v[i], cap - strlen(out) - 2);
		strcat(out, "/");
	}
}

static int dirtags(const char *dir, long n)
{
	char want[4096], got[4096], tmp[4096];
	char sorted_want[4096], sorted_got[4096];
	char small[40], msg[8300], step[64];
	struct linux_dirent64 *d = (void *)small;
	int nwant, ngot, fd, *fds, ends[2];
	struct rlimit rl = { n + 64, n + 64 };
	struct stat st;
	long i, r;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		return fail_errno("setrlimit");
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail_errno("open");
	if (dt_names(fd, NULL, want, sizeof(want), &nwant))
		return fail_errno("list");
	close(fd);
	if (nwant < 4)
		return fail_msg("list", "DIR needs at least two entries besides . and ..");
	snprintf(msg, sizeof(msg), "%d entries", nwant);
	step_ok("list", msg);

	fds = calloc(n, sizeof(*fds));
	if (!fds)
		return fail_errno("calloc");
	for (i = 0; i < n; i++) {
		snprintf(step, sizeof(step), "open-%ld", i);
		fds[i] = open(dir, O_RDONLY | O_DIRECTORY);
		if (fds[i] < 0)
			return fail_errno(step);
		snprintf(step, sizeof(step), "first-entry-%ld", i);
		r = syscall(SYS_getdents64, fds[i], small, sizeof(small));
		if (r < 0)
			return fail_errno(step);
		if (r == 0 || d->d_reclen != r)
			return fail_msg(step, "want exactly one entry");
	}
	snprintf(msg, sizeof(msg), "%ld directories open, one entry read from each", n);
	step_ok("hold", msg);
	if (stat(dir, &st))
		return fail_errno("stat-while-held");
	step_ok("stat-while-held", "");

	ends[0] = 0;
	ends[1] = n - 1;
	for (i = 0; i < 2; i++) {
		char first[256];

		snprintf(step, sizeof(step), "rest-%ld", (long)ends[i]);
		/* The entry each read first: read it again through a new open. */
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return fail_errno(step);
		r = syscall(SYS_getdents64, fd, small, sizeof(small));
		if (r <= 0)
			return r < 0 ? fail_errno(step) : fail_msg(step, "empty");
		snprintf(first, sizeof(first), "%s", d->d_name);
		close(fd);
		if (dt_names(fds[ends[i]], first, got, sizeof(got), &ngot))
			return fail_errno(step);
		memcpy(tmp, want, sizeof(want));
		dt_sort(tmp, sorted_want, sizeof(sorted_want));
		dt_sort(got, sorted_got, sizeof(sorted_got));
		if (ngot != nwant || strcmp(sorted_want, sorted_got)) {
			snprintf(msg, sizeof(msg), "listed %d: %s, want %d: %s",
				 ngot, sorted_got, nwant, sorted_want);
			return fail_msg(step, msg);
		}
		step_ok(step, "the same entries as one read");
	}
	for (i = 0; i < n; i++)
		if (close(fds[i]))
			return fail_errno("close");
	free(fds);
	step_ok("close", "");
	return 0;
}

/*
 * getdents64 into @buf; each name is looked up in @names ("/a/b/"):
 * @old counts those found there, @new those not.  Returns the entries
 * read, or -1.
 */
static long dg_read(int fd, char *buf, size_t cap, const char *names,
		    long *old, long *new)
{
	char key[300];
	long n, off, count = 0;

	n = syscall(SYS_getdents64, fd, buf, cap);
	if (n < 0)
		return -1;
	for (off = 0; off < n; count++) {
		struct linux_dirent64 *d = (void *)(buf + off);

		snprintf(key, sizeof(key), "/%s/", d->d_name);
		if (strstr(names, key))
			(*old)++;
		else
			(*new)++;
		off += d->d_reclen;
	}
	return count;
}

static int dirgrow(const char *dir)
{
	static const char name[] = "nlx-grown";
	char buf[32768], path[4096], names[8192], msg[128];
	long got, n, first, old = 0, new = 0, i;
	int fd, nfd;

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail_errno("open");
	got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	if (got < 0)
		return fail_errno("first-read");
	snprintf(names, sizeof(names), "/");
	for (i = 0, n = 0; i < got; n++) {
		struct linux_dirent64 *d = (void *)(buf + i);

		if (strlen(names) + strlen(d->d_name) + 2 > sizeof(names))
			return fail_msg("first-read", "DIR has too many names");
		strcat(names, d->d_name);
		strcat(names, "/");
		i += d->d_reclen;
	}
	if (n < 2 || strstr(names, "/nlx-grown/"))
		return fail_msg("first-read", "want . and .. at least, and no nlx-grown yet");
	first = n;
	snprintf(msg, sizeof(msg), "%ld entries", first);
	step_ok("first-read", msg);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	nfd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (nfd < 0 || close(nfd))
		return fail_errno("create");
	step_ok("create", "");

	for (i = 0; i < 2; i++)
		if (dg_read(fd, buf, sizeof(buf), names, &old, &new) < 0)
			return fail_errno("after-end");
	if (old || new > 1) {
		snprintf(msg, sizeof(msg), "%ld names of the first read again, %ld others",
			 old, new);
		return fail_msg("after-end", msg);
	}
	snprintf(msg, sizeof(msg), "nlx-grown %slisted", new ? "" : "not ");
	step_ok("after-end", msg);

	if (lseek(fd, 0, SEEK_SET))
		return fail_errno("rewind");
	old = 0;
	new = 0;
	do {
		n = dg_read(fd, buf, sizeof(buf), names, &old, &new);
	} while (n > 0);
	if (n < 0)
		return fail_errno("rewind");
	if (old != first || new != 1) {
		snprintf(msg, sizeof(msg), "%ld of the %ld first names, %ld others",
			 old, first, new);
		return fail_msg("rewind", msg);
	}
	step_ok("rewind", "every name once, nlx-grown too");
	if (close(fd) || unlink(path))
		return fail_errno("cleanup");
	return 0;
}

/* Whether @st (from stat or fstat) agrees with the server's @sx. */
static int sf_same(const char *step, const struct stat *st,
		   const struct statx *sx)
{
	char msg[300];

	if ((unsigned long long)st->st_size == sx->stx_size &&
	    st->st_mode == sx->stx_mode && st->st_nlink == sx->stx_nlink &&
	    st->st_mtim.tv_sec == sx->stx_mtime.tv_sec &&
	    st->st_mtim.tv_nsec == (long)sx->stx_mtime.tv_nsec &&
	    st->st_ctim.tv_sec == sx->stx_ctime.tv_sec &&
	    st->st_ctim.tv_nsec == (long)sx->stx_ctime.tv_nsec)
		return 0;
	snprintf(msg, sizeof(msg),
		 "stat: size %lld mode %o nlink %lu mtime %lld.%09ld ctime %lld.%09ld; "
		 "server: size %llu mode %o nlink %u mtime %lld.%09u ctime %lld.%09u",
		 (long long)st->st_size, st->st_mode, (unsigned long)st->st_nlink,
		 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		 (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec,
		 (unsigned long long)sx->stx_size, sx->stx_mode, sx->stx_nlink,
		 (long long)sx->stx_mtime.tv_sec, sx->stx_mtime.tv_nsec,
		 (long long)sx->stx_ctime.tv_sec, sx->stx_ctime.tv_nsec);
	return fail_msg(step, msg);
}

static int sf_check(const char *step, int fd, const char *path)
{
	struct statx sx;
	struct stat st;
	int r;

	r = fd >= 0 ? fstat(fd, &st) : stat(path, &st);
	if (r)
		return fail_errno(step);
	r = fd >= 0 ? statx(fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC,
			    STATX_BASIC_STATS, &sx) :
		      statx(AT_FDCWD, path, AT_STATX_FORCE_SYNC,
			    STATX_BASIC_STATS, &sx);
	if (r)
		return fail_errno(step);
	return sf_same(step, &st, &sx);
}

/* Open @path, change it through the descriptor (@how), compare. */
static int sf_fd_change(const char *path, int i, const char *how)
{
	char step[64];
	int fd, r;

	snprintf(step, sizeof(step), "%s-%d", how, i);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return fail_errno(step);
	if (!strcmp(how, "write"))
		r = pwrite(fd, "x", 1, i) == 1 ? 0 : -1;
	else if (!strcmp(how, "fchmod"))
		r = fchmod(fd, i % 2 ? 0644 : 0600);
	else if (!strcmp(how, "ftruncate"))
		r = ftruncate(fd, i + 2);
	else
		r = futimens(fd, NULL);
	if (r)
		return fail_errno(step);
	r = sf_check(step, fd, NULL);
	close(fd);
	return r;
}

static int statfresh(const char *path)
{
	static const char * const hows[] = {
		"write", "fchmod", "ftruncate", "futimens",
	};
	char step[64];
	unsigned int k;
	int i, fd;

	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0 || close(fd))
		return fail_errno("create");
	for (i = 0; i < 20; i++) {
		for (k = 0; k < ARRAY_SIZE(hows); k++)
			if (sf_fd_change(path, i, hows[k]))
				return 1;
		snprintf(step, sizeof(step), "truncate-%d", i);
		if (truncate(path, i + 3))
			return fail_errno(step);
		if (sf_check(step, -1, path))
			return 1;
	}
	step_ok("changes", "20 rounds, stat agreed with the server after each change");
	if (unlink(path))
		return fail_errno("unlink");
	return 0;
}

/* The descriptor @fd must read @text to its end. */
static int fd_has_text(const char *step, int fd, const char *text)
{
	char buf[64], msg[160];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return fail_errno(step);
	buf[n] = 0;
	if (strcmp(buf, text)) {
		snprintf(msg, sizeof(msg), "reads '%s', want '%s'", buf, text);
		return fail_msg(step, msg);
	}
	return 0;
}

/* As uid 1000: what a user without the rights must be refused. */
static int oe_other_user(const char *secret, const char *shared)
{
	int r = 0;

	if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
		return fail_errno("as-1000");
	r |= want_errno("user-read-0600", open(secret, O_RDONLY), EACCES);
	r |= want_errno("user-trunc-0644", open(shared, O_WRONLY | O_TRUNC),
			EACCES);
	r |= want_errno("user-append-0644", open(shared, O_WRONLY | O_APPEND),
			EACCES);
	return r;
}

static int openexisting(const char *dir, bool fifo)
{
	char f[512], s[512], p[512], d[512], sec[512], miss[512];
	char slash[520];
	struct stat st, pst;
	int fd, fd2, status;
	pid_t pid;

	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(s, sizeof(s), "%s/s", dir);
	snprintf(p, sizeof(p), "%s/p", dir);
	snprintf(d, sizeof(d), "%s/d", dir);
	snprintf(sec, sizeof(sec), "%s/secret", dir);
	snprintf(miss, sizeof(miss), "%s/missing", dir);
	snprintf(slash, sizeof(slash), "%s/", f);
	if (chmod(dir, 0755) || put_text("setup", f, "hello") ||
	    put_text("setup", sec, "hidden") || chmod(sec, 0600) ||
	    symlink("f", s) || mkdir(d, 0755))
		return fail_errno("setup");
	if (fifo && mkfifo(p, 0666))
		return fail_errno("setup");
	if (!fifo && want_errno("no-fifo", mkfifo(p, 0666), ENXIO))
		return 1;

	fd = open(f, O_RDONLY);
	if (fd < 0)
		return fail_errno("rdonly");
	if (fd_has_text("rdonly", fd, "hello"))
		return 1;
	fd2 = open(f, O_RDONLY);
	if (fd2 < 0)
		return fail_errno("second-open");
	if (fstat(fd, &st) || stat(f, &pst))
		return fail_errno("stat-open");
	if (st.st_ino != pst.st_ino || st.st_size != 5 || !S_ISREG(st.st_mode))
		return fail_msg("stat-open", "fstat and stat of the open file disagree");
	close(fd);
	if (fd_has_text("second-open", fd2, "hello"))
		return 1;
	close(fd2);
	step_ok("rdonly", "two descriptors read it, stat by path while open agrees");

	if (write_text("trunc", f, "abc", O_TRUNC) || has_text("trunc", f, "abc"))
		return 1;
	if (write_text("append", f, "de", O_APPEND) ||
	    has_text("append", f, "abcde"))
		return 1;
	step_ok("write", "O_TRUNC and O_APPEND");

	if (want_errno("trailing-slash", open(slash, O_RDONLY), ENOTDIR) ||
	    want_errno("o-directory", open(f, O_RDONLY | O_DIRECTORY), ENOTDIR) ||
	    want_errno("nofollow", open(s, O_RDONLY | O_NOFOLLOW), ELOOP) ||
	    want_errno("missing", open(miss, O_RDONLY), ENOENT))
		return 1;
	fd = open(s, O_RDONLY);
	if (fd < 0)
		return fail_errno("symlink");
	if (fd_has_text("symlink", fd, "abcde"))
		return 1;
	close(fd);
	step_ok("symlink", "followed to f");

	if (!fifo)
		goto dir;
	if (want_errno("fifo-no-reader", open(p, O_WRONLY | O_NONBLOCK), ENXIO))
		return 1;
	fd = open(p, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fail_errno("fifo");
	fd2 = open(p, O_WRONLY | O_NONBLOCK);
	if (fd2 < 0)
		return fail_errno("fifo-writer");
	if (write(fd2, "x", 1) != 1 || read(fd, slash, 1) != 1 || slash[0] != 'x')
		return fail_msg("fifo", "a byte did not pass through the FIFO");
	close(fd2);
	close(fd);
	step_ok("fifo", "a local FIFO");
	if (unlink(p))
		return fail_errno("cleanup");

dir:
	fd = open(d, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail_errno("dir");
	close(fd);
	step_ok("dir", "opened with O_DIRECTORY");

	pid = fork();
	if (pid < 0)
		return fail_errno("fork");
	if (!pid)
		_exit(oe_other_user(sec, f));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return fail_msg("user", "uid 1000 opened what it may not");
	if (stat(f, &st) || st.st_size != 5 || has_text("user", f, "abcde"))
		return fail_msg("user", "a refused O_TRUNC changed the file");
	step_ok("user", "refused opens left the file whole");

	if (unlink(f) || unlink(s) || unlink(sec) || rmdir(d))
		return fail_errno("cleanup");
	return 0;
}

static int asuser(char **argv)
{
	uid_t uid = strtoul(argv[0], NULL, 10);
	gid_t gid = strtoul(argv[1], NULL, 10);

	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		perror("nlxprobe: dropping to the user");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror("nlxprobe: exec");
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "openunlinked"))
		return openunlinked(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "dino"))
		return dino(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "links"))
		return links(argc - 2, argv + 2);
	if ((argc == 6 || (argc == 7 && !strcmp(argv[6], "nommap"))) &&
	    !strcmp(argv[1], "fsx"))
		return fsx(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 0),
			   argv[5], argc == 7);
	if (argc >= 5 && !strcmp(argv[1], "asuser"))
		return asuser(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "locks"))
		return locks(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "lockhold"))
		return lockhold(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "lockwait"))
		return lockwait(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "direct"))
		return dio_probe(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "xattrs"))
		return xattrs(argv[2], !strcmp(argv[3], "trusted"));
	if (argc == 4 && !strcmp(argv[1], "race"))
		return race(argv[2], argv[3], false);
	if (argc == 4 && !strcmp(argv[1], "racecheck"))
		return race(argv[2], argv[3], true);
	if (argc == 4 && !strcmp(argv[1], "replaced"))
		return replaced(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "renameflags"))
		return renameflags(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "fsize"))
		return fsize(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "dirtags"))
		return dirtags(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "dirgrow"))
		return dirgrow(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "statfresh"))
		return statfresh(argv[2]);
	if ((argc == 3 || (argc == 4 && !strcmp(argv[3], "nofifo"))) &&
	    !strcmp(argv[1], "openexisting"))
		return openexisting(argv[2], argc == 3);
	fprintf(stderr, "usage: nlxprobe openunlinked DIR | dino DIR | links DIR...\n"
		"       | locks PATH1 PATH2 | lockhold PATH | lockwait PATH\n"
		"       | fsx FILE OPS SEED MODEL | xattrs FILE trusted|notrusted\n"
		"       | direct FILE | renameflags DIR | fsize FILE\n"
		"       | dirtags DIR N | dirgrow DIR | statfresh FILE\n"
		"       | openexisting DIR [nofifo]\n"
		"       | replaced AFILE BFILE | race[check] KIND DIR\n"
		"       | asuser UID GID PROG...\n");
	return 2;
}
