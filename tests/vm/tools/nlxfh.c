// SPDX-License-Identifier: GPL-2.0
/*
 * nlxfh: file handle and fanotify FID probes for the VM tests (phases
 * "fh" and "fhref", tests/vm/guest/fh.sh).  Built static on the host
 * and put into every guest image as /bin/nlxfh.  Each command prints
 * one line per step, "ok STEP ..." or "FAIL STEP ...", with the errno
 * name where a call failed; the caller judges the lines and the exit
 * status (0: every step as wanted, 1: a step was not, 2: usage).
 *
 *   nlxfh handle PATH
 *	name_to_handle_at(PATH): "ok handle PATH type=T bytes=N HEX", or
 *	"FAIL handle PATH errno=N ENAME" (exit 1).
 *
 *   nlxfh pair MNT A B
 *	with A and B held open: their handles must differ, and
 *	open_by_handle_at() of each (through MNT) must open a file with
 *	the (st_dev, st_ino) and the content of the one it was made from.
 *
 *   nlxfh stale MNT FILE
 *	create FILE and take its handle; open_by_handle_at() must open it
 *	while FILE is held open; once it is closed and the guest's caches
 *	are dropped it must fail with ESTALE; after a new open of FILE by
 *	its path the same handle must open it again; once FILE is
 *	unlinked (still open) and then closed and the caches dropped, it
 *	must fail with ESTALE.
 *
 *   nlxfh fanotify MNT FILE
 *	fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID) and a mount mark
 *	on MNT for FAN_MODIFY; append to FILE (kept open); the event's
 *	file id must equal name_to_handle_at(FILE), and
 *	open_by_handle_at() of it must open FILE.  "FAIL fanotify_mark
 *	errno=N ENAME" (exit 1) if the mark is refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define HANDLE_MAX	128

union handle {
	struct file_handle fh;
	char buf[sizeof(struct file_handle) + HANDLE_MAX];
};

static int bad(const char *step, const char *what)
{
	printf("FAIL %s %s errno=%d %s\n", step, what, errno,
	       strerrorname_np(errno));
	return 1;
}

static int get_handle(const char *path, union handle *h)
{
	int mnt_id;

	memset(h, 0, sizeof(*h));
	h->fh.handle_bytes = HANDLE_MAX;
	return name_to_handle_at(AT_FDCWD, path, &h->fh, &mnt_id, 0);
}

static void print_handle(const char *step, const char *path,
			 const union handle *h)
{
	unsigned int i;

	printf("ok %s %s type=0x%x bytes=%u ", step, path, h->fh.handle_type,
	       h->fh.handle_bytes);
	for (i = 0; i < h->fh.handle_bytes; i++)
		printf("%02x", h->fh.f_handle[i]);
	printf("\n");
}

static int same_handle(const union handle *a, const union handle *b)
{
	return a->fh.handle_type == b->fh.handle_type &&
	       a->fh.handle_bytes == b->fh.handle_bytes &&
	       !memcmp(a->fh.f_handle, b->fh.f_handle, a->fh.handle_bytes);
}

static int handle_cmd(const char *path)
{
	union handle h;

	if (get_handle(path, &h))
		return bad("handle", path);
	print_handle("handle", path, &h);
	return 0;
}

/*
 * open_by_handle_at(@h) must give the file open as @fd: same device and
 * inode number, same first bytes.
 */
static int opens_as(const char *step, int mfd, union handle *h, int fd,
		    const char *path)
{
	char want[256], got[256];
	struct stat a, b;
	ssize_t nw, ng;
	int hfd;

	hfd = open_by_handle_at(mfd, &h->fh, O_RDONLY);
	if (hfd < 0)
		return bad(step, path);
	nw = pread(fd, want, sizeof(want), 0);
	ng = pread(hfd, got, sizeof(got), 0);
	if (fstat(fd, &a) || fstat(hfd, &b) || nw < 0 || ng < 0) {
		close(hfd);
		return bad(step, path);
	}
	close(hfd);
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		printf("FAIL %s %s opened dev=%lx ino=%lu, want dev=%lx ino=%lu\n",
		       step, path, (unsigned long)b.st_dev, b.st_ino,
		       (unsigned long)a.st_dev, a.st_ino);
		return 1;
	}
	if (nw != ng || memcmp(want, got, nw)) {
		printf("FAIL %s %s read %zd bytes that differ from the file's %zd\n",
		       step, path, ng, nw);
		return 1;
	}
	printf("ok %s %s dev=%lx ino=%lu %zd bytes\n", step, path,
	       (unsigned long)b.st_dev, b.st_ino, ng);
	return 0;
}

static int must_be_stale(const char *step, int mfd, union handle *h,
			 const char *path)
{
	int hfd = open_by_handle_at(mfd, &h->fh, O_RDONLY);

	if (hfd >= 0) {
		close(hfd);
		printf("FAIL %s %s opened, want ESTALE\n", step, path);
		return 1;
	}
	if (errno != ESTALE)
		return bad(step, path);
	printf("ok %s %s ESTALE\n", step, path);
	return 0;
}

static int forget_caches(void)
{
	int fd, ok;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		return bad("drop_caches", "open");
	ok = write(fd, "3", 1) == 1;
	close(fd);
	return ok ? 0 : bad("drop_caches", "write");
}

static int pair(const char *mnt, const char *a, const char *b)
{
	union handle ha, hb;
	int mfd, fa, fb, err = 0;

	mfd = open(mnt, O_RDONLY | O_DIRECTORY);
	fa = open(a, O_RDONLY);
	fb = open(b, O_RDONLY);
	if (mfd < 0 || fa < 0 || fb < 0)
		return bad("open", "mount or files");
	if (get_handle(a, &ha))
		return bad("handle", a);
	print_handle("handle", a, &ha);
	if (get_handle(b, &hb))
		return bad("handle", b);
	print_handle("handle", b, &hb);
	if (same_handle(&ha, &hb)) {
		printf("FAIL differ %s and %s have one handle\n", a, b);
		err = 1;
	} else {
		printf("ok differ\n");
	}
	err |= opens_as("open_by_handle", mfd, &ha, fa, a);
	err |= opens_as("open_by_handle", mfd, &hb, fb, b);
	return err;
}

static int stale(const char *mnt, const char *path)
{
	static const char text[] = "nlxfh: a file that goes away\n";
	union handle h, again;
	int mfd, fd, err = 0;

	mfd = open(mnt, O_RDONLY | O_DIRECTORY);
	if (mfd < 0)
		return bad("open", mnt);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return bad("create", path);
	if (write(fd, text, sizeof(text) - 1) != sizeof(text) - 1)
		return bad("write", path);
	if (get_handle(path, &h))
		return bad("handle", path);
	print_handle("handle", path, &h);
	err |= opens_as("held", mfd, &h, fd, path);

	/* The guest forgets the file; the server still has it. */
	close(fd);
	if (forget_caches())
		return 1;
	err |= must_be_stale("forgotten", mfd, &h, path);

	/* Known again: the same file, the same handle. */
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return bad("reopen", path);
	if (get_handle(path, &again))
		return bad("handle", path);
	if (!same_handle(&h, &again)) {
		print_handle("handle-again", path, &again);
		printf("FAIL handle-again %s: not the handle it had\n", path);
		err = 1;
	}
	err |= opens_as("known-again", mfd, &h, fd, path);

	if (unlink(path))
		return bad("unlink", path);
	err |= must_be_stale("unlinked-open", mfd, &h, path);
	close(fd);
	if (forget_caches())
		return 1;
	err |= must_be_stale("unlinked-evicted", mfd, &h, path);
	return err;
}

static int fan(const char *mnt, const char *path)
{
	static const char text[] = "nlxfh: written under a fanotify mark\n";
	/* Aligned for the event records read into it. */
	union {
		struct fanotify_event_metadata ev;
		char b[4096];
	} ub;
	char *buf = ub.b;
	const struct fanotify_event_metadata *md;
	const struct fanotify_event_info_fid *info;
	union handle want, got;
	struct pollfd pfd = { .events = POLLIN };
	int mfd, fd, i, found = 0;
	ssize_t len;

	mfd = open(mnt, O_RDONLY | O_DIRECTORY);
	if (mfd < 0)
		return bad("open", mnt);
	fd = open(path, O_RDWR | O_APPEND);
	if (fd < 0)
		return bad("open", path);
	pfd.fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_NONBLOCK,
			       O_RDONLY);
	if (pfd.fd < 0)
		return bad("fanotify_init", "FAN_REPORT_FID");
	if (fanotify_mark(pfd.fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_MODIFY,
			  AT_FDCWD, mnt))
		return bad("fanotify_mark", mnt);
	printf("ok fanotify_mark %s\n", mnt);
	if (write(fd, text, sizeof(text) - 1) != sizeof(text) - 1)
		return bad("write", path);
	if (get_handle(path, &want))
		return bad("handle", path);

	for (i = 0; i < 30 && !found; i++) {
		if (poll(&pfd, 1, 100) < 0)
			return bad("poll", "fanotify");
		len = read(pfd.fd, buf, sizeof(ub.b));
		if (len < 0 && errno == EAGAIN)
			continue;
		if (len < 0)
			return bad("read", "fanotify");
		for (md = (void *)buf; FAN_EVENT_OK(md, len);
		     md = FAN_EVENT_NEXT(md, len)) {
			info = (const void *)(md + 1);
			if (!(md->mask & FAN_MODIFY) ||
			    md->event_len < sizeof(*md) + sizeof(*info) ||
			    info->hdr.info_type != FAN_EVENT_INFO_TYPE_FID)
				continue;
			memcpy(&got.fh, info->handle, sizeof(got.fh));
			if (got.fh.handle_bytes > HANDLE_MAX)
				continue;
			memcpy(got.fh.f_handle,
			       ((const struct file_handle *)info->handle)->f_handle,
			       got.fh.handle_bytes);
			found = 1;
			break;
		}
	}
	if (!found) {
		printf("FAIL event no FAN_MODIFY with a file id within 3 s\n");
		return 1;
	}
	print_handle("event", path, &got);
	if (!same_handle(&got, &want)) {
		print_handle("handle", path, &want);
		printf("FAIL event-fid differs from name_to_handle_at(%s)\n",
		       path);
		return 1;
	}
	printf("ok event-fid equals name_to_handle_at\n");
	return opens_as("event-open", mfd, &got, fd, path);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "handle"))
		return handle_cmd(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "pair"))
		return pair(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "stale"))
		return stale(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "fanotify"))
		return fan(argv[2], argv[3]);
	fprintf(stderr,
		"usage: %s handle PATH | pair MNT A B | stale MNT FILE | fanotify MNT FILE\n",
		argv[0]);
	return 2;
}
