// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx file handles (export operations), in 9P2000.Lx sessions only.
 *
 * There a file's identity, (qid type, path, host device) and the
 * generation, is unique under the share, so a handle made of it names
 * one file: name_to_handle_at(2) gives p1/file and p2/file different
 * handles even when both host filesystems gave them one inode number,
 * and fanotify can report file ids (FAN_REPORT_FID).  In 9P2000.L
 * sessions a qid path may name several host files, so the superblock
 * gets no export operations and handles stay unsupported (EOPNOTSUPP),
 * as with the in-kernel client.
 *
 * 9P has no walk by qid: a handle is decoded only to an inode the guest
 * still holds, through a name it still has (a hashed dentry), whose fids
 * lead to the file on the server.  Anything else is ESTALE.  There is no
 * ->get_parent: a disconnected dentry would have no fid to walk ".."
 * from, and finding a child's name again by its inode number in the
 * parent's entries is ambiguous where host filesystems meet.  Without
 * disconnected dentries nothing needs reconnecting.
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
 * Copied in and out with memcpy(): the handle buffer is only u32 aligned.
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

	/*
	 * Handles never name the parent (there is no ->fh_to_parent), so a
	 * request for a connectable one gets the plain handle.
	 */
	if (*max_len < P9X_FH_WORDS) {
		*max_len = P9X_FH_WORDS;
		return FILEID_INVALID;
	}
	memcpy(fh, &h, sizeof(h));
	*max_len = P9X_FH_WORDS;
	return P9X_FILEID_QID;
}

/**
 * p9x_fh_to_dentry() - the dentry of a file named by a 9plx handle
 * @sb: the superblock
 * @fid: the handle body
 * @fh_len: its length in u32 words
 * @fh_type: its type
 *
 * Finds the inode in the identity map, never on the server.  The file
 * must still have a name in the guest: an inode whose last name was
 * removed (link count 0, or only an unhashed dentry left) or that has
 * been evicted is stale, as is one whose generation differs from the
 * handle's (the host reused the inode number).
 *
 * Return: a referenced, connected dentry, or ERR_PTR(-ESTALE).
 */
static struct dentry *p9x_fh_to_dentry(struct super_block *sb,
				       struct fid *fid, int fh_len,
				       int fh_type)
{
	struct dentry *alias;
	struct inode *inode;
	struct p9x_qid qid;
	struct p9x_fh h;

	if (fh_type != P9X_FILEID_QID || fh_len < P9X_FH_WORDS)
		return ERR_PTR(-ESTALE);
	memcpy(&h, fid->raw, sizeof(h));
	memset(&qid, 0, sizeof(qid));
	qid.type = h.qtype;
	qid.path = h.path;
	qid.dev = h.dev;

	inode = p9x_ilookup(sb, &qid, (umode_t)h.ftype << 12, h.gen);
	if (!inode)
		return ERR_PTR(-ESTALE);
	alias = NULL;
	if (inode->i_generation == h.gen && inode->i_nlink)
		alias = d_find_alias(inode);
	iput(inode);
	if (!alias)
		return ERR_PTR(-ESTALE);
	/*
	 * Only a name walked from the root has fids that lead to this
	 * file; d_find_alias() also gives a removed directory's dentry.
	 * (The root itself is never hashed.)
	 */
	if (alias != sb->s_root && (d_unhashed(alias) || IS_ROOT(alias))) {
		dput(alias);
		return ERR_PTR(-ESTALE);
	}
	return alias;
}

const struct export_operations p9x_export_ops = {
	.encode_fh = p9x_encode_fh,
	.fh_to_dentry = p9x_fh_to_dentry,
};
