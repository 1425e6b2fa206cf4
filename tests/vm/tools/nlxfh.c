// SPDX-License-Identifier: GPL-2.0
/*
 * nlxfh: file handle and fanotify file id probes for the VM tests
 * (phases "fh" and "fhref", tests/vm/guest/fh.sh).  Built static on the
 * host and put into every guest image as /bin/nlxfh.  Each command
 * prints one line per step, "ok STEP ..." or "FAIL STEP ...", with the
 * errno name where a call failed; the caller judges the lines and the
 * exit status (0: every step as wanted, 1: a step was not, 2: usage).
 * What a kernel and a client should give is the caller's business: a
 * refused call is a FAIL line here even where the caller wants it.
 *
 *   nlxfh handle PATH
 *	name_to_handle_at(PATH, 0), a handle the kernel can decode:
 *	"ok handle PATH type=T bytes=N HEX", or "FAIL handle PATH errno=N
 *	ENAME" (exit 1).
 *
 *   nlxfh fid PATH
 *	the same with AT_HANDLE_FID, a handle that only identifies the
 *	file: "ok fid PATH type=T bytes=N HEX" or "FAIL fid PATH ...".
 *
 *   nlxfh pair A B
 *	with A and B held open, their AT_HANDLE_FID handles must differ.
 *
 *   nlxfh noopen MNT FILE
 *	create FILE and take its AT_HANDLE_FID handle; open_by_handle_at()
 *	through MNT must fail while FILE is held open, and again once it
 *	is closed and the guest's caches are dropped (FILE still exists:
 *	checked by path).  "ok held|forgotten FILE refused errno=N ENAME"
 *	names the error the kernel gave.
 *
 *   nlxfh fanotify inode|mount|filesystem MNT FILE
 *	fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID) and a mark for
 *	FAN_MODIFY: on the inode of FILE (through the descriptor that
 *	writes it), or on MNT's mount or filesystem.  "FAIL fanotify_mark
 *	WHAT errno=N ENAME" (exit 1) if the mark is refused.  Then append
 *	to FILE: within 3 s an event must come whose file id equals the
 *	AT_HANDLE_FID handle of FILE (taken through that descriptor).
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

#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID	0x200
#endif

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

/* The handle of @path, or of @dfd itself when @path is "". */
static int get_handle(int dfd, const char *path, int flags, union handle *h)
{
	int mnt_id;

	memset(h, 0, sizeof(*h));
	h->fh.handle_bytes = HANDLE_MAX;
	if (!*path)
		flags |= AT_EMPTY_PATH;
	return name_to_handle_at(dfd, path, &h->fh, &mnt_id, flags);
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

static int handle_cmd(const char *step, const char *path, int flags)
{
	union handle h;

	if (get_handle(AT_FDCWD, path, flags, &h))
		return bad(step, path);
	print_handle(step, path, &h);
	return 0;
}

static int pair(const char *a, const char *b)
{
	union handle ha, hb;
	int fa, fb;

	fa = open(a, O_RDONLY);
	if (fa < 0)
		return bad("open", a);
	fb = open(b, O_RDONLY);
	if (fb < 0)
		return bad("open", b);
	if (get_handle(AT_FDCWD, a, AT_HANDLE_FID, &ha))
		return bad("fid", a);
	print_handle("fid", a, &ha);
	if (get_handle(AT_FDCWD, b, AT_HANDLE_FID, &hb))
		return bad("fid", b);
	print_handle("fid", b, &hb);
	close(fa);
	close(fb);
	if (same_handle(&ha, &hb)) {
		printf("FAIL differ %s and %s have one file id\n", a, b);
		return 1;
	}
	printf("ok differ\n");
	return 0;
}

/* open_by_handle_at(@h) must not give a file. */
static int never_opens(const char *step, int mfd, union handle *h,
		       const char *path)
{
	int hfd = open_by_handle_at(mfd, &h->fh, O_RDONLY);
	struct stat st;

	if (hfd >= 0) {
		if (fstat(hfd, &st))
			st.st_ino = 0;
		close(hfd);
		printf("FAIL %s %s opened (ino=%lu), want an error\n", step,
		       path, (unsigned long)st.st_ino);
		return 1;
	}
	printf("ok %s %s refused errno=%d %s\n", step, path, errno,
	       strerrorname_np(errno));
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

static int noopen(const char *mnt, const char *path)
{
	static const char text[] = "nlxfh: a file no handle opens\n";
	union handle h;
	struct stat st;
	int mfd, fd, err = 0;

	mfd = open(mnt, O_RDONLY | O_DIRECTORY);
	if (mfd < 0)
		return bad("open", mnt);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return bad("create", path);
	if (write(fd, text, sizeof(text) - 1) != sizeof(text) - 1)
		return bad("write", path);
	if (get_handle(AT_FDCWD, path, AT_HANDLE_FID, &h))
		return bad("fid", path);
	print_handle("fid", path, &h);
	err |= never_opens("held", mfd, &h, path);

	/* The guest forgets the file; the server still has it. */
	close(fd);
	if (forget_caches())
		return 1;
	err |= never_opens("forgotten", mfd, &h, path);
	if (stat(path, &st))
		return bad("exists", path);
	printf("ok exists %s ino=%lu\n", path, (unsigned long)st.st_ino);
	return err;
}

/*
 * Wait up to 3 s for a FAN_MODIFY event on @fan whose file id is @want.
 * Other events (a mount or filesystem mark sees every writer) are
 * counted, and the first one printed.  Return: 0, or 1 after a FAIL line.
 */
static int modify_event(int fan, const char *path, const union handle *want)
{
	/* Aligned for the event records read into it. */
	union {
		struct fanotify_event_metadata ev;
		char b[4096];
	} ub;
	const struct fanotify_event_metadata *md;
	const struct fanotify_event_info_fid *info;
	const struct file_handle *fh;
	struct pollfd pfd = { .fd = fan, .events = POLLIN };
	union handle got;
	int i, others = 0;
	ssize_t len;

	for (i = 0; i < 30; i++) {
		if (poll(&pfd, 1, 100) < 0)
			return bad("poll", "fanotify");
		len = read(fan, ub.b, sizeof(ub.b));
		if (len < 0 && errno == EAGAIN)
			continue;
		if (len < 0)
			return bad("read", "fanotify");
		for (md = &ub.ev; FAN_EVENT_OK(md, len);
		     md = FAN_EVENT_NEXT(md, len)) {
			info = (const void *)(md + 1);
			if (!(md->mask & FAN_MODIFY) ||
			    md->event_len < sizeof(*md) + sizeof(*info) +
					    sizeof(*fh) ||
			    info->hdr.info_type != FAN_EVENT_INFO_TYPE_FID)
				continue;
			fh = (const void *)info->handle;
			if (fh->handle_bytes > HANDLE_MAX ||
			    md->event_len < sizeof(*md) + sizeof(*info) +
					    sizeof(*fh) + fh->handle_bytes)
				continue;
			memset(&got, 0, sizeof(got));
			got.fh.handle_bytes = fh->handle_bytes;
			got.fh.handle_type = fh->handle_type;
			memcpy(got.fh.f_handle, fh->f_handle, fh->handle_bytes);
			if (same_handle(&got, want)) {
				print_handle("event", path, &got);
				return 0;
			}
			if (!others++)
				print_handle("other-event", path, &got);
		}
	}
	printf("FAIL event no FAN_MODIFY with the file id of %s within 3 s (%d with another)\n",
	       path, others);
	return 1;
}

static int fan(const char *kind, const char *mnt, const char *path)
{
	static const char text[] = "nlxfh: written under a fanotify mark\n";
	unsigned int flags = FAN_MARK_ADD;
	const char *what = mnt;
	union handle want;
	int fan, fd;

	fd = open(path, O_RDWR | O_APPEND);
	if (fd < 0)
		return bad("open", path);
	fan = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_NONBLOCK,
			    O_RDONLY);
	if (fan < 0)
		return bad("fanotify_init", "FAN_REPORT_FID");
	if (!strcmp(kind, "inode")) {
		what = path;
		if (fanotify_mark(fan, flags, FAN_MODIFY, fd, NULL))
			return bad("fanotify_mark", what);
	} else {
		flags |= strcmp(kind, "mount") ? FAN_MARK_FILESYSTEM :
						 FAN_MARK_MOUNT;
		if (fanotify_mark(fan, flags, FAN_MODIFY, AT_FDCWD, mnt))
			return bad("fanotify_mark", what);
	}
	printf("ok fanotify_mark %s %s\n", kind, what);
	if (get_handle(fd, "", AT_HANDLE_FID, &want))
		return bad("fid", path);
	print_handle("fid", path, &want);
	if (write(fd, text, sizeof(text) - 1) != sizeof(text) - 1)
		return bad("write", path);
	if (modify_event(fan, path, &want))
		return 1;
	printf("ok event-fid equals the AT_HANDLE_FID handle\n");
	return 0;
}

static int is_mark(const char *kind)
{
	return !strcmp(kind, "inode") || !strcmp(kind, "mount") ||
	       !strcmp(kind, "filesystem");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "handle"))
		return handle_cmd("handle", argv[2], 0);
	if (argc == 3 && !strcmp(argv[1], "fid"))
		return handle_cmd("fid", argv[2], AT_HANDLE_FID);
	if (argc == 4 && !strcmp(argv[1], "pair"))
		return pair(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "noopen"))
		return noopen(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "fanotify") && is_mark(argv[2]))
		return fan(argv[2], argv[3], argv[4]);
	fprintf(stderr,
		"usage: %s handle PATH | fid PATH | pair A B | noopen MNT FILE |\n"
		"       fanotify inode|mount|filesystem MNT FILE\n",
		argv[0]);
	return 2;
}
