// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx locks: POSIX byte-range locks and flock, kept by the guest's VFS
 * and by the server (Tlock, Tgetlock), so they exclude other clients of
 * the server too.  A flock is a whole-file POSIX lock for the server, as
 * with the in-kernel client.  9P has no lock callbacks: a blocking lock
 * the server refuses is asked for again until it is granted or a signal
 * arrives.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/sched/signal.h>

#include "9plx.h"
#include "compat.h"

/*
 * Retry interval for a blocked lock: from 10 ms, doubling, up to 1 s or
 * the locktimeout= mount option.
 */
#define P9X_LOCK_RETRY_MIN	(HZ / 100 ? HZ / 100 : 1)
#define P9X_LOCK_RETRY_MAX	HZ

static u8 p9x_lock_type(unsigned char type)
{
	switch (type) {
	case F_RDLCK:
		return P9X_LOCK_TYPE_RDLCK;
	case F_WRLCK:
		return P9X_LOCK_TYPE_WRLCK;
	default:
		return P9X_LOCK_TYPE_UNLCK;
	}
}

static u64 p9x_lock_length(const struct file_lock *fl)
{
	/* 0 means "to the end of the file", as in struct flock. */
	return fl->fl_end == OFFSET_MAX ? 0 : fl->fl_end - fl->fl_start + 1;
}

/*
 * Ask the server for @fl, retrying while it is blocked if @wait, at most
 * @max_delay jiffies apart, as @client_id (the mount's host name).
 */
static int p9x_server_lock(struct p9x_fid *fid, struct file_lock *fl,
			   bool wait, unsigned long max_delay,
			   const char *client_id)
{
	unsigned long delay = P9X_LOCK_RETRY_MIN;
	struct p9x_lock lk = {
		.type = p9x_lock_type(p9x_fl_type(fl)),
		.flags = wait ? P9X_LOCK_FLAGS_BLOCK : 0,
		.start = fl->fl_start,
		.length = p9x_lock_length(fl),
		.proc_id = p9x_fl_pid(fl),
		.client_id = client_id,
	};
	u8 status;
	int err;

	for (;;) {
		err = p9x_lock(fid, &lk, &status);
		if (err)
			return err;
		if (status != P9X_LOCK_BLOCKED || !wait)
			break;
		if (schedule_timeout_interruptible(delay))
			return -ERESTARTSYS;
		if (signal_pending(current))
			return -ERESTARTSYS;
		delay = min(delay * 2, max_delay);
	}
	switch (status) {
	case P9X_LOCK_SUCCESS:
		return 0;
	case P9X_LOCK_BLOCKED:
		return -EAGAIN;
	default:
		return -ENOLCK;
	}
}

static int p9x_setlk(struct file *file, int cmd, struct file_lock *fl)
{
	struct p9x_sb *sbi = P9X_SB(file_inode(file)->i_sb);
	u32 secs = sbi->opts.locktimeout;
	unsigned long max_delay = secs ? secs * HZ : P9X_LOCK_RETRY_MAX;
	struct p9x_fid *fid = file->private_data;
	unsigned char type = p9x_fl_type(fl);
	int err;

	if (type == F_UNLCK) {
		/* Release on the server, then here, whatever the server says. */
		err = p9x_server_lock(fid, fl, false, max_delay,
				      sbi->nodename);
		locks_lock_file_wait(file, fl);
		return err;
	}
	/* Local first: a conflict inside this guest needs no message. */
	err = locks_lock_file_wait(file, fl);
	if (err)
		return err;
	err = p9x_server_lock(fid, fl, IS_SETLKW(cmd), max_delay,
			      sbi->nodename);
	if (err) {
		p9x_fl_set(fl, F_UNLCK, p9x_fl_pid(fl));
		locks_lock_file_wait(file, fl);
		p9x_fl_set(fl, type, p9x_fl_pid(fl));
	}
	return err;
}

static int p9x_getlk(struct file *file, struct file_lock *fl)
{
	struct p9x_fid *fid = file->private_data;
	unsigned char want = p9x_fl_type(fl);
	struct p9x_getlock gl, out;
	int err;

	/* A conflict inside this guest is the answer. */
	posix_test_lock(file, fl);
	if (p9x_fl_type(fl) != F_UNLCK)
		return 0;
	gl.type = p9x_lock_type(want);
	gl.start = fl->fl_start;
	gl.length = p9x_lock_length(fl);
	gl.proc_id = p9x_fl_pid(fl);
	gl.client_id = P9X_SB(file_inode(file)->i_sb)->nodename;
	err = p9x_getlock(fid, &gl, &out);
	if (err)
		return err;
	switch (out.type) {
	case P9X_LOCK_TYPE_RDLCK:
	case P9X_LOCK_TYPE_WRLCK:
		fl->fl_start = out.start;
		fl->fl_end = out.length ? out.start + out.length - 1 : OFFSET_MAX;
		/* A negative pid marks a lock held elsewhere. */
		p9x_fl_set(fl, out.type == P9X_LOCK_TYPE_RDLCK ? F_RDLCK : F_WRLCK,
			   -(pid_t)out.proc_id);
		break;
	default:
		p9x_fl_set(fl, F_UNLCK, p9x_fl_pid(fl));
		break;
	}
	return 0;
}

int p9x_file_lock(struct file *file, int cmd, struct file_lock *fl)
{
	if (IS_GETLK(cmd))
		return p9x_getlk(file, fl);
	if (IS_SETLK(cmd) || IS_SETLKW(cmd))
		return p9x_setlk(file, cmd, fl);
	return -EINVAL;
}

int p9x_file_flock(struct file *file, int cmd, struct file_lock *fl)
{
	unsigned int *flags = p9x_fl_flags(fl);

	if (!(*flags & FL_FLOCK))
		return -ENOLCK;
	/* The server knows byte ranges only: lock the whole file. */
	*flags &= ~FL_FLOCK;
	*flags |= FL_POSIX;
	fl->fl_start = 0;
	fl->fl_end = OFFSET_MAX;
	return p9x_setlk(file, IS_SETLKW(cmd) ? F_SETLKW : F_SETLK, fl);
}
