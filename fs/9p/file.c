// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx regular files, cache=none: every read goes to the server.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/uio.h>

#include "9plx.h"
#include "compat.h"

static int p9x_file_open(struct inode *inode, struct file *file)
{
	struct p9x_fid *fid;

	fid = p9x_open_fid(file->f_path.dentry, p9x_open_flags(file->f_flags));
	if (IS_ERR(fid))
		return PTR_ERR(fid);
	file->private_data = fid;
	return 0;
}

static ssize_t p9x_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct p9x_fid *fid = iocb->ki_filp->private_data;
	ssize_t n;

	if (iocb->ki_pos < 0)
		return -EINVAL;
	if (!iov_iter_count(to))
		return 0;
	n = p9x_read(fid, iocb->ki_pos, to);
	if (n > 0)
		iocb->ki_pos += n;
	return n;
}

static int p9x_file_release(struct inode *inode, struct file *file)
{
	p9x_fid_put(file->private_data);
	return 0;
}

const struct file_operations p9x_file_fops = {
	.open = p9x_file_open,
	.release = p9x_file_release,
	.read_iter = p9x_file_read_iter,
	.llseek = generic_file_llseek,
	.splice_read = p9x_splice_read,
};
