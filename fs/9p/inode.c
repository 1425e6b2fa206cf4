// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx inodes: identity, attributes, lookup, stat and symlinks.
 *
 * In a 9P2000.Lx session an inode is found by its qid and file type:
 * (type, path, dev) names one host file, so one inode stands for it however
 * it is reached.  In a 9P2000.L session qid.path alone may name several
 * host files (one per host filesystem), so, as the in-kernel client does
 * without a cache, every lookup gets an inode of its own: a shared one
 * could splice one directory's dentry, and its fids, onto another.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/kdev_t.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "9plx.h"
#include "compat.h"

static struct kmem_cache *p9x_inode_cachep;

struct p9x_ikey {
	const struct p9x_qid *qid;
	umode_t type;
	dev_t dev;
	bool has_gen;
	u32 gen;
};

static unsigned long p9x_qid_hash(const struct p9x_qid *qid)
{
	return (unsigned long)hash_64(qid->path ^ hash_64(qid->dev, 32) ^
				      qid->type, BITS_PER_LONG);
}

static int p9x_inode_test(struct inode *inode, void *data)
{
	const struct p9x_ikey *key = data;
	const struct p9x_qid *mine = &P9X_I(inode)->qid;

	/*
	 * A directory removed through this guest, still held (a process's
	 * cwd), is not the file a name leads to now: the host may have
	 * given its inode number to a new one.
	 */
	if (S_ISDIR(inode->i_mode) && !inode->i_nlink)
		return 0;
	return mine->path == key->qid->path && mine->dev == key->qid->dev &&
	       mine->type == key->qid->type &&
	       (inode->i_mode & S_IFMT) == key->type &&
	       !(key->has_gen && test_bit(P9X_IGEN, &P9X_I(inode)->flags) &&
		 inode->i_generation != key->gen);
}

/* 9P2000.L: qids are not unique, so no inode is ever found again. */
static int p9x_inode_test_never(struct inode *inode, void *data)
{
	return 0;
}

static int p9x_inode_set(struct inode *inode, void *data)
{
	const struct p9x_ikey *key = data;

	P9X_I(inode)->qid = *key->qid;
	P9X_I(inode)->dev = key->dev;
	inode->i_ino = key->qid->path;
	inode->i_mode = key->type;
	/* The generation is part of the identity, fixed from here on. */
	if (key->has_gen) {
		inode->i_generation = key->gen;
		set_bit(P9X_IGEN, &P9X_I(inode)->flags);
	}
	return 0;
}

static struct timespec64 p9x_ts(u64 sec, u64 nsec)
{
	struct timespec64 ts = {
		.tv_sec = (time64_t)sec,
		.tv_nsec = nsec < NSEC_PER_SEC ? (long)nsec : 0,
	};

	return ts;
}

/**
 * p9x_inode_update() - refresh an inode from an Rgetattr
 * @inode: the inode
 * @attr: attributes from the server; only the fields marked valid are used
 *
 * The file type never changes: a server reporting another type for the
 * same qid gets a different inode from p9x_iget().
 */
void p9x_inode_update(struct inode *inode, const struct p9x_attr *attr)
{
	struct timespec64 at, mt, ct, old;

	if ((attr->valid & P9X_GETATTR_MODE) &&
	    (inode->i_mode & 07777) != (attr->mode & 07777)) {
		inode->i_mode = (inode->i_mode & S_IFMT) |
				(attr->mode & ~S_IFMT & 07777);
		p9x_nosec_clear(inode);
	}
	if (attr->valid & P9X_GETATTR_UID)
		inode->i_uid = make_kuid(&init_user_ns, attr->uid);
	if (attr->valid & P9X_GETATTR_GID)
		inode->i_gid = make_kgid(&init_user_ns, attr->gid);
	if (attr->valid & P9X_GETATTR_NLINK)
		set_nlink(inode, min_t(u64, attr->nlink, UINT_MAX));
	if (attr->valid & P9X_GETATTR_SIZE) {
		loff_t size = min_t(u64, attr->size, MAX_LFS_FILESIZE);

		/*
		 * Pages not yet written back, or on their way, may make the
		 * file longer here than the server knows; shrinking under
		 * them would have writeback drop them as truncated.
		 */
		if (mapping_tagged(inode->i_mapping, PAGECACHE_TAG_DIRTY) ||
		    mapping_tagged(inode->i_mapping, PAGECACHE_TAG_WRITEBACK))
			size = max(size, i_size_read(inode));
		i_size_write(inode, size);
	}
	if (attr->valid & P9X_GETATTR_BLOCKS)
		inode->i_blocks = attr->blocks;
	at = p9x_ts(attr->atime_sec, attr->atime_nsec);
	mt = p9x_ts(attr->mtime_sec, attr->mtime_nsec);
	ct = p9x_ts(attr->ctime_sec, attr->ctime_nsec);
	/*
	 * Any change of an ACL, of another extended attribute or of the
	 * owner on the server moves the ctime.
	 */
	old = p9x_inode_ctime(inode);
	if (!timespec64_equal(&old, &ct)) {
		if (IS_POSIXACL(inode))
			forget_all_cached_acls(inode);
		p9x_nosec_clear(inode);
	}
	p9x_inode_set_times(inode, at, mt, ct);
}

static umode_t p9x_attr_type(const struct p9x_attr *attr)
{
	switch (attr->mode & S_IFMT) {
	case S_IFDIR:
	case S_IFREG:
	case S_IFLNK:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		return attr->mode & S_IFMT;
	default:
		return 0;
	}
}

/**
 * p9x_iget() - find or create the inode for a file the server described
 * @sb: the superblock
 * @attr: an Rgetattr for the file
 *
 * Return: a referenced inode, or an ERR_PTR (-EIO for a nonsense type).
 */
struct inode *p9x_iget(struct super_block *sb, const struct p9x_attr *attr)
{
	struct p9x_ikey key = {
		.qid = &attr->qid,
		.type = p9x_attr_type(attr),
		.has_gen = attr->valid & P9X_GETATTR_GEN,
		.gen = (u32)attr->gen,
	};
	struct p9x_sb *sbi = P9X_SB(sb);
	/*
	 * 9P2000.L with cache=loose shares inodes by qid path, as the
	 * in-kernel client does: its cached pages and attributes need one
	 * inode per file, and the collisions are that dialect's limit.
	 */
	bool unique = sbi->c->dialect == P9X_DIALECT_LX ||
		      sbi->opts.cache == P9X_CACHE_LOOSE;
	struct inode *inode;

	if (!key.type || !(attr->valid & P9X_GETATTR_MODE)) {
		pr_err_ratelimited("%s: server sent no valid file type for qid %llx\n",
				   sbi->c->name, attr->qid.path);
		return ERR_PTR(-EIO);
	}
	if (p9x_devmap_get(&sbi->devmap, attr->qid.dev, &key.dev))
		return ERR_PTR(-ENOMEM);
	inode = iget5_locked(sb, p9x_qid_hash(&attr->qid),
			     unique ? p9x_inode_test : p9x_inode_test_never,
			     p9x_inode_set, &key);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode->i_state & I_NEW)) {
		p9x_inode_update(inode, attr);
		return inode;
	}

	switch (key.type) {
	case S_IFDIR:
		inode->i_op = &p9x_dir_iops;
		inode->i_fop = &p9x_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &p9x_file_iops;
		inode->i_fop = &p9x_file_fops;
		inode->i_mapping->a_ops = sbi->opts.cache == P9X_CACHE_NONE ?
					  &p9x_file_aops : &p9x_cached_aops;
		if (sbi->opts.cache != P9X_CACHE_NONE)
			p9x_mapping_set_folio_max(inode->i_mapping,
						  p9x_sb_maxio(sbi));
		break;
	case S_IFLNK:
		inode->i_op = &p9x_symlink_iops;
		break;
	default:
		inode->i_op = &p9x_special_iops;
		init_special_inode(inode, key.type, new_decode_dev(attr->rdev));
		break;
	}
	p9x_inode_update(inode, attr);
	unlock_new_inode(inode);
	return inode;
}

/**
 * p9x_ilookup() - the inode the guest holds for a file, if any
 * @sb: the superblock of a 9P2000.Lx session
 * @qid: the file's qid (type, path and host device)
 * @type: the file type (S_IFMT bits)
 * @gen: the file's generation (0 where the server gives none)
 *
 * Asks nothing of the server: 9P cannot walk to a file by its qid, so a
 * file the guest no longer holds cannot be found this way.
 *
 * Return: a referenced inode, or NULL.
 */
struct inode *p9x_ilookup(struct super_block *sb, const struct p9x_qid *qid,
			  umode_t type, u32 gen)
{
	struct p9x_ikey key = {
		.qid = qid,
		.type = type,
		.has_gen = true,
		.gen = gen,
	};

	return ilookup5(sb, p9x_qid_hash(qid), p9x_inode_test, &key);
}

/*
 * Without an attribute cache (cache=none and cache=mmap) every stat asks
 * the server, but a lookup has just asked: its answer serves the first
 * stat through the new dentry if that comes within the same tick and
 * this guest has not changed the file since (p9x_attrs_touched()), as the
 * attributes of a fuse lookup with attr_timeout=0 do.  A stat of a path
 * then costs what the lookups cost, not one Tgetattr more.  d_time is
 * the tick plus one, 0 when there is nothing to take.
 */
static void p9x_dentry_attrs_fetched(struct dentry *dentry)
{
	WRITE_ONCE(dentry->d_time, jiffies + 1);
}

static bool p9x_dentry_attrs_take(struct dentry *dentry)
{
	unsigned long t = xchg(&dentry->d_time, 0);

	return t && time_before(jiffies, t);
}

/**
 * p9x_lookup_fid() - look a name up, and maybe keep its fid
 * @dir: the parent directory
 * @dentry: the name being looked up
 * @regfid: NULL to leave the walked fid on the dentry, as every lookup
 *	does; else, when the name is a regular file, its fid is stored here
 *	for the caller instead, and NULL otherwise
 *
 * Return: what ->lookup returns.
 */
struct dentry *p9x_lookup_fid(struct inode *dir, struct dentry *dentry,
			      struct p9x_fid **regfid)
{
	const char *name = dentry->d_name.name;
	struct p9x_fid *dfid, *fid;
	struct p9x_attr attr;
	struct inode *inode;
	struct dentry *res;
	bool reg;

	if (regfid)
		*regfid = NULL;
	if (dentry->d_name.len > NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	dfid = p9x_dentry_fid(dentry->d_parent);
	if (IS_ERR(dfid))
		return ERR_CAST(dfid);
	fid = p9x_walk_getattr(dfid, 1, &name, P9X_GETATTR_IDENT, &attr);
	p9x_fid_put(dfid);
	if (IS_ERR(fid)) {
		if (PTR_ERR(fid) != -ENOENT)
			return ERR_CAST(fid);
		return d_splice_alias(NULL, dentry);
	}

	inode = p9x_iget(dir->i_sb, &attr);
	if (IS_ERR(inode)) {
		p9x_fid_put(fid);
		return ERR_CAST(inode);
	}
	reg = S_ISREG(inode->i_mode);
	res = d_splice_alias(inode, dentry);
	if (IS_ERR(res)) {
		p9x_fid_put(fid);
	} else {
		if (regfid && reg)
			*regfid = fid;
		else
			p9x_dentry_add_fid(res ? res : dentry, fid);
		p9x_dentry_attrs_fetched(res ? res : dentry);
	}
	return res;
}

struct dentry *p9x_lookup(struct inode *dir, struct dentry *dentry,
			  unsigned int flags)
{
	return p9x_lookup_fid(dir, dentry, NULL);
}

int p9x_getattr_op(struct p9x_idmap *idmap, const struct path *path,
		   struct kstat *stat, u32 request_mask,
		   unsigned int query_flags)
{
	struct dentry *dentry = path->dentry;
	struct inode *inode = d_inode(dentry);
	bool loose = P9X_SB(inode->i_sb)->opts.cache == P9X_CACHE_LOOSE;
	struct p9x_attr attr;
	struct p9x_fid *fid;
	int err;

	/*
	 * cache=loose trusts the attributes it has, unless this guest has
	 * changed them on the server since (p9x_attrs_stale()); if asking
	 * fails, what it has is still the answer.
	 */
	if (loose && !test_and_clear_bit(P9X_ISTALE, &P9X_I(inode)->flags))
		goto fill;
	if (!loose && p9x_dentry_attrs_take(dentry) &&
	    !test_and_clear_bit(P9X_ISTALE, &P9X_I(inode)->flags) &&
	    !(query_flags & AT_STATX_FORCE_SYNC))
		goto fill;
	/* An open file's fid still works once the name is gone. */
	fid = p9x_inode_open_fid(inode, false);
	if (!fid)
		fid = p9x_dentry_fid(dentry);
	err = IS_ERR(fid) ? PTR_ERR(fid) :
	      p9x_getattr(fid, P9X_GETATTR_IDENT, &attr);
	if (!IS_ERR(fid))
		p9x_fid_put(fid);
	/* The name leads to another file now than the one held here. */
	if (!err && p9x_attr_other_file(inode, &attr))
		err = -ESTALE;
	if (!err)
		p9x_inode_update(inode, &attr);
	else if (loose)
		p9x_attrs_stale(inode);
	else
		return err;
fill:
	p9x_fillattr(idmap, request_mask, inode, stat);
	stat->dev = P9X_I(inode)->dev;
	stat->blksize = P9X_SB(inode->i_sb)->c->msize - P9X_IOHDR_SIZE;
	return 0;
}

static const char *p9x_get_link(struct dentry *dentry, struct inode *inode,
				struct delayed_call *done)
{
	struct p9x_fid *fid;
	char *target;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	fid = p9x_dentry_fid(dentry);
	if (IS_ERR(fid))
		return ERR_CAST(fid);
	target = p9x_readlink(fid);
	p9x_fid_put(fid);
	if (!IS_ERR(target))
		set_delayed_call(done, kfree_link, target);
	return target;
}

const struct inode_operations p9x_file_iops = {
	.getattr = p9x_getattr_op,
	.setattr = p9x_setattr_op,
	.listxattr = p9x_listxattr,
	P9X_ACL_IOPS,
};

const struct inode_operations p9x_symlink_iops = {
	.get_link = p9x_get_link,
	.getattr = p9x_getattr_op,
	.setattr = p9x_setattr_op,
	.listxattr = p9x_listxattr,
};

const struct inode_operations p9x_special_iops = {
	.getattr = p9x_getattr_op,
	.setattr = p9x_setattr_op,
	.listxattr = p9x_listxattr,
	P9X_ACL_IOPS,
};

struct inode *p9x_alloc_inode(struct super_block *sb)
{
	struct p9x_inode *pi;

	pi = alloc_inode_sb(sb, p9x_inode_cachep, GFP_KERNEL);
	if (!pi)
		return NULL;
	memset(&pi->qid, 0, sizeof(pi->qid));
	pi->dev = sb->s_dev;
	pi->flags = 0;
	pi->wfid = NULL;
	INIT_HLIST_HEAD(&pi->ofids);
	atomic_set(&pi->wb_fails, 0);
	return &pi->vfs_inode;
}

void p9x_free_inode(struct inode *inode)
{
	kmem_cache_free(p9x_inode_cachep, P9X_I(inode));
}

static void p9x_inode_once(void *p)
{
	struct p9x_inode *pi = p;

	init_rwsem(&pi->wb_sem);
	inode_init_once(&pi->vfs_inode);
}

int p9x_inode_cache_init(void)
{
	p9x_inode_cachep = kmem_cache_create("p9x_inode_cache",
					     sizeof(struct p9x_inode), 0,
					     SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
					     p9x_inode_once);
	return p9x_inode_cachep ? 0 : -ENOMEM;
}

void p9x_inode_cache_exit(void)
{
	/* Inodes are freed after an RCU grace period; wait for them. */
	rcu_barrier();
	kmem_cache_destroy(p9x_inode_cachep);
}
