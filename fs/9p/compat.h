/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels 9plx builds for (Debian 12's 6.1
 * and 6.12) lives here and nowhere else.
 */
#ifndef _9PLX_COMPAT_H
#define _9PLX_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/stat.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
/* 6.3 replaced the user namespace argument of inode operations by an idmap. */
#define P9X_IDMAP_ARG		struct mnt_idmap *idmap
#define p9x_fillattr(inode, request_mask, stat) \
	generic_fillattr(idmap, request_mask, inode, stat)
#else
#define P9X_IDMAP_ARG		struct user_namespace *idmap
#define p9x_fillattr(inode, request_mask, stat) \
	generic_fillattr(idmap, inode, stat)
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline void p9x_inode_set_times(struct inode *inode,
				       struct timespec64 atime,
				       struct timespec64 mtime,
				       struct timespec64 ctime)
{
	inode_set_atime_to_ts(inode, atime);
	inode_set_mtime_to_ts(inode, mtime);
	inode_set_ctime_to_ts(inode, ctime);
}
#else
static inline void p9x_inode_set_times(struct inode *inode,
				       struct timespec64 atime,
				       struct timespec64 mtime,
				       struct timespec64 ctime)
{
	inode->i_atime = atime;
	inode->i_mtime = mtime;
	inode->i_ctime = ctime;
}
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
/* splice from ->read_iter without the page cache */
#define p9x_splice_read		copy_splice_read
#else
#define p9x_splice_read		generic_file_splice_read
#endif

#endif /* _9PLX_COMPAT_H */
