// SPDX-License-Identifier: GPL-2.0
/*
 * nlxlandlock: Landlock and inotify probes for the VM tests of 9plx
 * (phase fh) and of the kernel's own 9p client (fhref; upll, with the
 * 9P2000.Lx series of tools/linux).  Both tie state to an inode and find
 * it again on the next path walk, which is what the client must give
 * them.  Built static on the host by tests/vm/lib/guestkit.sh and put
 * into every guest image as /bin/nlxlandlock.
 *
 *   nlxlandlock sandbox DIR FILE...
 *	restrict this process with Landlock so that it may read files and
 *	list directories beneath DIR only, then open and read each FILE.
 *	One line per FILE: "ok FILE", or "denied FILE errno=N ENAME".
 *	Exit 0 once every FILE was tried (the caller judges the lines),
 *	2 if Landlock could not be set up ("FAIL step errno=N ENAME").
 *
 *   nlxlandlock inotify FILE
 *	watch FILE for IN_MODIFY and IN_CLOSE_WRITE, then open FILE again
 *	by its path, append a line, close it, and wait up to 3 s for the
 *	events: "ok modify", "ok close_write", or "FAIL no EVENT".  Exit
 *	0 only if both arrived.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failed(const char *step)
{
	printf("FAIL %s errno=%d %s\n", step, errno, strerrorname_np(errno));
	return 2;
}

static int sandbox(const char *dir, int n, char **files)
{
	struct landlock_ruleset_attr ruleset = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE |
				     LANDLOCK_ACCESS_FS_READ_DIR,
	};
	struct landlock_path_beneath_attr beneath = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE |
				  LANDLOCK_ACCESS_FS_READ_DIR,
	};
	char buf[256];
	int rs, fd, i;

	rs = syscall(SYS_landlock_create_ruleset, &ruleset, sizeof(ruleset), 0);
	if (rs < 0)
		return failed("landlock_create_ruleset");
	/* The rule holds DIR's inode; the descriptor may go. */
	beneath.parent_fd = open(dir, O_PATH | O_CLOEXEC);
	if (beneath.parent_fd < 0)
		return failed("open-dir");
	if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH,
		    &beneath, 0))
		return failed("landlock_add_rule");
	close(beneath.parent_fd);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return failed("no_new_privs");
	if (syscall(SYS_landlock_restrict_self, rs, 0))
		return failed("landlock_restrict_self");
	close(rs);

	for (i = 0; i < n; i++) {
		fd = open(files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
			printf("denied %s errno=%d %s\n", files[i], errno,
			       strerrorname_np(errno));
		else
			printf("ok %s\n", files[i]);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static int inotify_probe(const char *file)
{
	static const char line[] = "written under an inotify watch\n";
	/* Aligned for the event records read into it. */
	union {
		struct inotify_event ev;
		char b[4096];
	} ub;
	char *buf = ub.b;
	struct pollfd pfd = { .events = POLLIN };
	const struct inotify_event *ev;
	int got = 0, fd, i;
	ssize_t len;
	char *p;

	pfd.fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (pfd.fd < 0)
		return failed("inotify_init1");
	if (inotify_add_watch(pfd.fd, file, IN_MODIFY | IN_CLOSE_WRITE) < 0)
		return failed("inotify_add_watch");
	/* A new path walk: it must reach the watched inode. */
	fd = open(file, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return failed("open");
	if (write(fd, line, sizeof(line) - 1) != sizeof(line) - 1)
		return failed("write");
	if (close(fd))
		return failed("close");

	/* Both events are queued by the time close() returns. */
	for (i = 0; i < 30 && got != 3; i++) {
		if (poll(&pfd, 1, 100) < 0)
			return failed("poll");
		len = read(pfd.fd, buf, sizeof(ub.b));
		if (len < 0 && errno == EAGAIN)
			continue;
		if (len < 0)
			return failed("read");
		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_MODIFY)
				got |= 1;
			if (ev->mask & IN_CLOSE_WRITE)
				got |= 2;
		}
	}
	printf("%s modify\n", got & 1 ? "ok" : "FAIL no");
	printf("%s close_write\n", got & 2 ? "ok" : "FAIL no");
	return got == 3 ? 0 : 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "sandbox"))
		return sandbox(argv[2], argc - 3, argv + 3);
	if (argc == 3 && !strcmp(argv[1], "inotify"))
		return inotify_probe(argv[2]);
	fprintf(stderr, "usage: %s sandbox DIR FILE... | inotify FILE\n",
		argv[0]);
	return 2;
}
