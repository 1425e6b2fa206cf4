// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx file handles (export operations): identification only, in
 * 9P2000.Lx sessions on kernels that take handles they cannot decode
 * (compat.h, P9X_HAVE_FID_HANDLES).
 *
 * There a file's identity, (qid type, path, host device) and the
 * generation, is unique under the share, so a handle made of it names
 * one file: name_to_handle_at(2) with AT_HANDLE_FID gives p1/file and
 * p2/file different handles even when both host filesystems gave them
 * one inode number, and fanotify can report file ids (FAN_REPORT_FID)
 * for inode marks.
 *
 * Nothing decodes them.  9P has no walk by identity: a file can be
 * reached only by name, from a fid the client holds.  A decoder could
 * only find files the guest still happens to hold, and would answer
 * ESTALE for a file that exists on the server but that the guest has
 * forgotten; with cache=none that is any file nobody has open.  ESTALE
 * must mean that the file is gone, so there is no ->fh_to_dentry: the
 * VFS then refuses decodable handles (name_to_handle_at() without
 * AT_HANDLE_FID, fanotify mount and filesystem marks with file ids, nfsd
 * exports) with EOPNOTSUPP, as it does for the in-kernel client.
 *
 * In 9P2000.L sessions a qid path may name several host files, so the
 * superblock gets no export operations at all.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/exportfs.h>
#include <linux/string.h>

#include "9plx.h"

/*
 * The handle type 9plx reports.  Not one of the kernel's FILEID_ values:
 * the handle is this client's own, meaningful to this mount only.
 */
#define P9X_FILEID_QID		0x9c

/**
 * struct p9x_fh - the body of a 9plx file handle
 * @path: qid.path, the host's inode number
 * @dev: qid.dev, the host's device
 * @gen: the inode's generation, 0 where the server gives none
 * @qtype: qid.type
 * @ftype: the file type, (mode & S_IFMT) >> 12
 * @pad: zero
 *
 * Copied out with memcpy(): the handle buffer is only u32 aligned.
 */
struct p9x_fh {
	u64 path;
	u64 dev;
	u32 gen;
	u8 qtype;
	u8 ftype;
	u16 pad;
};

#define P9X_FH_WORDS		((int)(sizeof(struct p9x_fh) / sizeof(u32)))

static_assert(sizeof(struct p9x_fh) % sizeof(u32) == 0);

/**
 * p9x_encode_fh() - the file id of an inode
 * @inode: the file
 * @fh: where the handle body goes
 * @max_len: in, the room at @fh in u32 words; out, the words used or,
 *	when there was too little room, the words needed
 * @parent: ignored: the VFS asks for a handle naming the parent only
 *	when it can decode one, which it cannot here
 *
 * Return: P9X_FILEID_QID, or FILEID_INVALID when @fh is too small.
 */
static int p9x_encode_fh(struct inode *inode, u32 *fh, int *max_len,
			 struct inode *parent)
{
	const struct p9x_inode *pi = P9X_I(inode);
	struct p9x_fh h = {
		.path = pi->qid.path,
		.dev = pi->qid.dev,
		.gen = inode->i_generation,
		.qtype = pi->qid.type,
		.ftype = (inode->i_mode & S_IFMT) >> 12,
	};

	if (*max_len < P9X_FH_WORDS) {
		*max_len = P9X_FH_WORDS;
		return FILEID_INVALID;
	}
	memcpy(fh, &h, sizeof(h));
	*max_len = P9X_FH_WORDS;
	return P9X_FILEID_QID;
}

const struct export_operations p9x_export_ops = {
	.encode_fh = p9x_encode_fh,
};
