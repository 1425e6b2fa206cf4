/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 9plx VFS glue: superblock, inode and per-dentry fid state.
 */
#ifndef _9PLX_H
#define _9PLX_H

#include <linux/atomic.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/uidgid.h>
#include <linux/utsname.h>

#include "client.h"
#include "compat.h"
#include "devmap.h"

/* Same magic as the in-kernel client, so tools that look for 9p find us. */
#define P9X_MAGIC		0x01021997

enum p9x_access {
	P9X_ACCESS_CLIENT,	/* per-user fids, permissions checked here */
	P9X_ACCESS_USER,	/* per-user fids */
	P9X_ACCESS_ANY,		/* one fid tree shared by everyone */
	P9X_ACCESS_SINGLE,	/* only one uid may use the mount */
};

enum p9x_cache {
	P9X_CACHE_NONE,		/* no data or metadata caching */
	P9X_CACHE_MMAP,		/* page cache for mmap only */
	P9X_CACHE_LOOSE,	/* page cache, cached dentries and attributes */
};

/**
 * struct p9x_mount_opts - parsed mount options
 * @trans: transport
 * @uname: user name sent in the mount's Tattach
 * @aname: tree to attach
 * @msize: wanted maximum message size
 * @access: fid sharing and permission model
 * @single_uid: the user for P9X_ACCESS_SINGLE
 * @cache: cache mode
 * @posixacl: POSIX ACLs checked in the guest (posixacl; with access=client)
 * @want_lx: version=9p2000.Lx (the default)
 * @fallback: accept 9P2000.L when the server lacks Lx (not nofallback)
 * @targs: transport settings (port, privport, rfdno, wfdno)
 * @dfltuid: owner for files a legacy server gives none; 9P2000.L and
 *	9P2000.Lx always give one, so only shown, as with the in-kernel client
 * @dfltgid: the same for the group
 * @debug: the in-kernel client's debug mask; 9plx logs no debug output
 * @locktimeout: longest wait, in seconds, between tries of a blocked lock;
 *	0 for the default
 */
struct p9x_mount_opts {
	const struct p9x_trans_ops *trans;
	struct p9x_trans_args targs;
	u32 dfltuid;
	u32 dfltgid;
	u32 debug;
	u32 locktimeout;
	char *uname;
	char *aname;
	u32 msize;
	enum p9x_access access;
	kuid_t single_uid;
	enum p9x_cache cache;
	bool posixacl;
	bool want_lx;
	bool fallback;
};

/**
 * struct p9x_sb - per-mount state
 * @c: the 9P session
 * @opts: options it was mounted with
 * @devmap: host device to st_dev (9P2000.Lx sessions)
 * @nodename: the guest's host name at mount time, the client id of the
 *	mount's locks
 * @rename_sem: held for reading while a path of names is read off the
 *	dentries and walked, for writing by a rename from its Trenameat to
 *	its d_move: a walk then never follows a path that never existed, nor
 *	an old name that another file has taken
 * @attr_version: counts the changes this guest made to files' attributes
 *	(p9x_attrs_changed()); read before a request that brings attributes
 *	is sent, it tells which replies are older than which changes
 */
struct p9x_sb {
	struct p9x_client *c;
	struct p9x_mount_opts opts;
	struct p9x_devmap devmap;
	char nodename[__NEW_UTS_LEN + 1];
	struct rw_semaphore rename_sem;
	atomic64_t attr_version;
};

/* p9x_inode.flags */
#define P9X_ISTALE	0	/* attributes changed on the server */
#define P9X_IGEN	1	/* i_generation is the server's */
#define P9X_IFSID	2	/* fsid is known (9P2000.L, cache=loose) */
#define P9X_IALONE	3	/* 9P2000.L: never found again by qid */

/**
 * struct p9x_inode - 9plx inode
 * @qid: the server's name for the file; with the file type, the inode's
 *	identity in the inode hash
 * @dev: st_dev for the file: the guest device of its host filesystem
 * @flags: P9X_I* bits
 * @fsid: 9P2000.L: the Tstatfs fs_id of the host filesystem the file is on
 *	(its own for a directory), once P9X_IFSID is set; see p9x_same_file()
 * @wfid: read-write fid for page-cache writeback (cached modes), under
 *	i_lock
 * @ofids: fids of the open files of this inode, under i_lock; after an
 *	unlink only they still name the file on the server
 * @wb_sem: held for reading by writeback from its first Twrite until
 *	the last one completed, for writing by a truncate from before its
 *	Tsetattr until the pages past the new end are gone, so that none
 *	of them reaches the server after the cut
 * @wb_fails: Twrites of writeback that failed in a row (see
 *	p9x_wb_retry())
 * @attr_version: the superblock's attr_version when this guest last
 *	changed the file's size or attributes, under i_lock
 * @vfs_inode: the VFS inode
 */
struct p9x_inode {
	struct p9x_qid qid;
	dev_t dev;
	unsigned long flags;
	u64 fsid;
	struct p9x_fid *wfid;
	struct hlist_head ofids;
	struct rw_semaphore wb_sem;
	atomic_t wb_fails;
	u64 attr_version;
	struct inode vfs_inode;
};

static inline struct p9x_inode *P9X_I(struct inode *inode)
{
	return container_of(inode, struct p9x_inode, vfs_inode);
}

/*
 * @attr describes another file than @inode: the same qid, but the server
 * gave the file another generation (the host reused the inode number).
 */
static inline bool p9x_attr_other_file(struct inode *inode,
				       const struct p9x_attr *attr)
{
	return (attr->valid & P9X_GETATTR_GEN) &&
	       test_bit(P9X_IGEN, &P9X_I(inode)->flags) &&
	       inode->i_generation != (u32)attr->gen;
}

static inline struct p9x_sb *P9X_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/*
 * Read before sending a request whose reply brings attributes, and handed
 * with the reply to p9x_inode_update() (see p9x_attrs_changed()).
 */
static inline u64 p9x_attr_version(struct super_block *sb)
{
	return atomic64_read(&P9X_SB(sb)->attr_version);
}

/* Largest Tread/Twrite payload of the mount in whole pages. */
static inline size_t p9x_sb_maxio(const struct p9x_sb *sbi)
{
	return round_down(sbi->c->msize - P9X_IOHDR_SIZE - 1, PAGE_SIZE);
}

/*
 * An operation of this guest changed @inode's attributes on the server
 * (link count, times): with cache=loose the next stat asks the server.
 */
static inline void p9x_attrs_stale(struct inode *inode)
{
	set_bit(P9X_ISTALE, &P9X_I(inode)->flags);
}

/*
 * This guest wrote to @inode past the page cache, or set its attributes,
 * ACLs or extended attributes, on the server, which moved times (ctime,
 * and mtime for a write or truncate) by the server's clock: the next
 * stat asks, in every cache mode, even if a lookup has just fetched them
 * (see p9x_getattr_op()).  What the guest would set itself is its own
 * clock's time, and an O_DIRECT write sets none.
 */
static inline void p9x_attrs_touched(struct inode *inode)
{
	p9x_attrs_stale(inode);
}

/*
 * S_NOSEC: a write found nothing for file_remove_privs() to clear (no
 * set-user-ID or set-group-ID bit, no security.capability), so later
 * writes need not ask the server for security.capability again.  A
 * change of mode, owner or extended attributes through this guest, or a
 * new mode or ctime from the server, takes it away.
 */
static inline void p9x_nosec_set(struct inode *inode)
{
	if (!IS_NOSEC(inode) && !is_sxid(inode->i_mode))
		inode_set_flags(inode, S_NOSEC, S_NOSEC);
}

static inline void p9x_nosec_clear(struct inode *inode)
{
	if (IS_NOSEC(inode))
		inode_set_flags(inode, 0, S_NOSEC);
}

extern const struct inode_operations p9x_dir_iops;
extern const struct inode_operations p9x_file_iops;
extern const struct inode_operations p9x_symlink_iops;
extern const struct inode_operations p9x_special_iops;
extern const struct file_operations p9x_dir_fops;
extern const struct file_operations p9x_file_fops;
extern const struct dentry_operations p9x_dentry_ops;
extern const struct address_space_operations p9x_file_aops;
extern const struct address_space_operations p9x_cached_aops;
extern const struct vm_operations_struct p9x_cached_vm_ops;
extern P9X_XATTR_LIST(p9x_xattr_handlers);
/* system.posix_acl_* handlers, listed on kernels before 6.2 (compat.h) */
extern const struct xattr_handler p9x_xattr_acl_access;
extern const struct xattr_handler p9x_xattr_acl_default;

/* inode.c */
struct inode *p9x_iget(struct super_block *sb, const struct p9x_attr *attr,
		       u64 ver);
bool p9x_fid_names_inode(struct inode *inode, const struct p9x_fid *fid);
struct inode *p9x_iget_at(struct dentry *parent, struct p9x_fid *nfid,
			  const struct p9x_attr *attr, u64 ver);
void p9x_inode_update(struct inode *inode, const struct p9x_attr *attr,
		      u64 ver);
void p9x_attrs_changed(struct inode *inode);
void p9x_inode_wrote(struct inode *inode, loff_t end);
struct dentry *p9x_lookup(struct inode *dir, struct dentry *dentry,
			  unsigned int flags);
struct dentry *p9x_lookup_fid(struct inode *dir, struct dentry *dentry,
			      struct p9x_fid **regfid);
int p9x_getattr_op(struct p9x_idmap *idmap, const struct path *path,
		   struct kstat *stat, u32 request_mask,
		   unsigned int query_flags);
int p9x_inode_cache_init(void);
void p9x_inode_cache_exit(void);
struct inode *p9x_alloc_inode(struct super_block *sb);
void p9x_free_inode(struct inode *inode);

/* export.c */
extern const struct export_operations p9x_export_ops;

/* namei.c */
int p9x_setattr_op(struct p9x_idmap *idmap, struct dentry *dentry, struct iattr *ia);

/* xattr.c */
ssize_t p9x_listxattr(struct dentry *dentry, char *buffer, size_t size);
ssize_t p9x_xattr_get_alloc(struct p9x_fid *fid, const char *name,
			    size_t max, void **bufp);
int p9x_xattr_set_fid(struct p9x_fid *fid, const char *name,
		      const void *value, size_t size, int flags);

/* acl.c (p9x_acl_get and p9x_acl_set are declared in compat.h) */
int p9x_acl_create(struct inode *dir, umode_t *mode, struct posix_acl **acls);
int p9x_acl_init(struct inode *inode, struct dentry *dentry,
		 struct posix_acl **acls);
void p9x_acl_release(struct posix_acl **acls);

/* file.c */
void p9x_file_opened(struct inode *inode, struct file *file,
		     struct p9x_fid *fid);

/* cache.c */
struct p9x_fid *p9x_inode_read_fid(struct inode *inode, struct file *file);
void p9x_readahead(struct readahead_control *ractl);
void p9x_inode_want_wfid(struct inode *inode, struct file *file);
void p9x_inode_drop_wfid(struct inode *inode);
int p9x_fill_folio(struct p9x_fid *fid, struct folio *folio);

/* lock.c */
int p9x_file_lock(struct file *file, int cmd, struct file_lock *fl);
int p9x_file_flock(struct file *file, int cmd, struct file_lock *fl);

/* fid.c */
void p9x_dentry_forget_fids(struct dentry *dentry);
void p9x_inode_add_open_fid(struct inode *inode, struct p9x_fid *fid);
void p9x_inode_del_open_fid(struct inode *inode, struct p9x_fid *fid);
struct p9x_fid *p9x_inode_open_fid(struct inode *inode, bool mine);
struct p9x_fid *p9x_dentry_fid(struct dentry *dentry);
int p9x_dentry_statfs(struct dentry *dentry, struct p9x_statfs *st);
void p9x_dentry_add_fid(struct dentry *dentry, struct p9x_fid *fid);
void p9x_dentry_put_fids(struct dentry *dentry);
u32 p9x_open_flags(unsigned int flags);
struct p9x_fid *p9x_open_fid(struct dentry *dentry, u32 p9flags);

/*
 * The wire flags a file of @sb is opened with for open(2) @flags.  With
 * a page cache, a write into part of a folio needs the server's bytes
 * around it, read through the file's own fid: that one names the file
 * the open found, where a later open by name may find another file in
 * its place.  So a file opened for writing only is opened for reading
 * too, or as asked where the server refuses that (p9x_file_open()).  An
 * appending fid never fills folios (p9x_inode_want_wfid()).
 */
static inline u32 p9x_open_flags_sb(struct super_block *sb,
				    unsigned int flags)
{
	u32 p9flags = p9x_open_flags(flags);

	if (P9X_SB(sb)->opts.cache != P9X_CACHE_NONE &&
	    (p9flags & P9X_O_ACCMODE) == P9X_O_WRONLY &&
	    !(p9flags & P9X_O_APPEND))
		p9flags = (p9flags & ~P9X_O_ACCMODE) | P9X_O_RDWR;
	return p9flags;
}

/* Was @p9flags widened from @flags by p9x_open_flags_sb()? */
static inline bool p9x_open_widened(unsigned int flags, u32 p9flags)
{
	return (flags & O_ACCMODE) == O_WRONLY &&
	       (p9flags & P9X_O_ACCMODE) == P9X_O_RDWR;
}

#endif /* _9PLX_H */
