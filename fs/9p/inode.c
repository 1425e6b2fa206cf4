// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx inodes: identity, attributes, lookup, stat and symlinks.
 *
 * In a 9P2000.Lx session an inode is found by its qid and file type:
 * (type, path, dev) names one host file, so one inode stands for it however
 * it is reached.  In a 9P2000.L session qid.path alone may name several
 * host files (one per host filesystem).  Without a cache every lookup gets
 * an inode of its own, as the in-kernel client does: a shared one could
 * splice one directory's dentry, and its fids, onto another.  With
 * cache=loose one inode per file is needed for its pages, so an inode is
 * shared only once the server has shown it is the same file: the same
 * qid path, type, generation and version (asked again through the inode's
 * own fid where the version moved), and the same host filesystem where
 * Tstatfs tells them apart (p9x_same_file()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/kdev_t.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "9plx.h"
#include "compat.h"

static struct kmem_cache *p9x_inode_cachep;

/*
 * What p9x_inode_test() compares.  @strict and @has_fsid only matter in
 * 9P2000.L sessions: the qid version must be the inode's, and an inode
 * whose host filesystem is known must be on @fsid.
 */
struct p9x_ikey {
	const struct p9x_qid *qid;
	umode_t type;
	dev_t dev;
	bool has_gen;
	u32 gen;
	bool dotl;
	bool strict;
	bool has_fsid;
	u64 fsid;
};

static unsigned long p9x_qid_hash(const struct p9x_qid *qid)
{
	return (unsigned long)hash_64(qid->path ^ hash_64(qid->dev, 32) ^
				      qid->type, BITS_PER_LONG);
}

static int p9x_inode_test(struct inode *inode, void *data)
{
	const struct p9x_ikey *key = data;
	struct p9x_inode *pi = P9X_I(inode);
	const struct p9x_qid *mine = &pi->qid;

	/*
	 * A directory removed through this guest, still held (a process's
	 * cwd), is not the file a name leads to now: the host may have
	 * given its inode number to a new one.
	 */
	if (S_ISDIR(inode->i_mode) && !inode->i_nlink)
		return 0;
	if (mine->path != key->qid->path || mine->dev != key->qid->dev ||
	    mine->type != key->qid->type ||
	    (inode->i_mode & S_IFMT) != key->type ||
	    (key->has_gen && test_bit(P9X_IGEN, &pi->flags) &&
	     inode->i_generation != key->gen))
		return 0;
	if (!key->dotl)
		return 1;
	/*
	 * 9P2000.L: a generation on one side only is a mismatch too, and so
	 * is an inode p9x_same_file() could not place.
	 */
	if (key->has_gen != test_bit(P9X_IGEN, &pi->flags) ||
	    test_bit(P9X_IALONE, &pi->flags))
		return 0;
	if (key->strict && READ_ONCE(mine->version) != key->qid->version)
		return 0;
	return !(key->has_fsid && test_bit(P9X_IFSID, &pi->flags) &&
		 READ_ONCE(pi->fsid) != key->fsid);
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
	if (key->has_fsid) {
		P9X_I(inode)->fsid = key->fsid;
		set_bit(P9X_IFSID, &P9X_I(inode)->flags);
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

/*
 * Attribute versions.  The server answers a request with the attributes
 * a file had when the request reached it; the reply may be read after
 * this guest changed the file itself (a write that extended it and its
 * writeback, a truncate, a chmod).  Taken then, it would move the size
 * back, and the next append would write over what the guest wrote.  So,
 * as fuse does, each such change, once the server has it, takes a new
 * number from the superblock's counter into the inode, and a request
 * that brings attributes reads the counter before it is sent: a reply
 * whose number is below the inode's is older than a change of the guest
 * and is not taken.  Both sides hold i_lock, so a reply is taken either
 * wholly before a change is marked or not at all.
 *
 * Pages still dirty or under writeback (whose change the server does not
 * have yet) are kept by p9x_inode_update() itself: their writeback marks
 * the change when it ends, before the pages leave writeback.
 */

/* Under i_lock: the guest changed @inode, and the server has it now. */
static void p9x_attrs_mark(struct inode *inode)
{
	struct p9x_sb *sbi = P9X_SB(inode->i_sb);

	lockdep_assert_held(&inode->i_lock);
	P9X_I(inode)->attr_version = atomic64_inc_return(&sbi->attr_version);
}

/**
 * p9x_attrs_changed() - this guest changed a file's size or attributes
 * @inode: the file; its change has reached the server
 *
 * Replies that bring @inode's attributes and were asked for before this
 * are not taken (p9x_inode_update()).
 */
void p9x_attrs_changed(struct inode *inode)
{
	spin_lock(&inode->i_lock);
	p9x_attrs_mark(inode);
	spin_unlock(&inode->i_lock);
}

/**
 * p9x_inode_wrote() - a write of this guest ended at @end
 * @inode: the file
 * @end: the offset after the last byte written
 *
 * The file is at least @end bytes long from now on, and attributes asked
 * for before are not taken: the write may already be on the server.
 */
void p9x_inode_wrote(struct inode *inode, loff_t end)
{
	spin_lock(&inode->i_lock);
	p9x_attrs_mark(inode);
	if (end > i_size_read(inode))
		i_size_write(inode, end);
	spin_unlock(&inode->i_lock);
}

/**
 * p9x_inode_update() - refresh an inode from an Rgetattr
 * @inode: the inode
 * @attr: attributes from the server; only the fields marked valid are used
 * @ver: p9x_attr_version() read before the request was sent
 *
 * The file type never changes: a server reporting another type for the
 * same qid gets a different inode from p9x_iget().  Attributes older than
 * the guest's last change of the inode are dropped whole, as fuse does:
 * they may have been read before any part of that change reached the
 * server.
 */
void p9x_inode_update(struct inode *inode, const struct p9x_attr *attr,
		      u64 ver)
{
	struct timespec64 at, mt, ct, old;

	spin_lock(&inode->i_lock);
	if (ver < P9X_I(inode)->attr_version)
		goto out;
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
out:
	spin_unlock(&inode->i_lock);
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

/*
 * Keep @fsid as @pi's host filesystem.  p9x_inode_test() reads it under
 * the inode hash lock, which this does not take: the fsid is written
 * before the bit that says it is there, and read after it
 * (test_bit_acquire()).
 */
static void p9x_inode_set_fsid(struct p9x_inode *pi, u64 fsid)
{
	WRITE_ONCE(pi->fsid, fsid);
	/* Pairs with test_bit_acquire() of P9X_IFSID. */
	smp_mb__before_atomic();
	set_bit(P9X_IFSID, &pi->flags);
}

/* The host filesystem of a directory (9P2000.L), asked once and kept. */
static int p9x_dir_fsid(struct dentry *dir, u64 *fsid)
{
	struct p9x_inode *pi = P9X_I(d_inode(dir));
	struct p9x_statfs st;
	int err;

	if (test_bit_acquire(P9X_IFSID, &pi->flags)) {
		*fsid = READ_ONCE(pi->fsid);
		return 0;
	}
	err = p9x_dentry_statfs(dir, &st);
	if (err)
		return err;
	*fsid = st.fs_id;
	p9x_inode_set_fsid(pi, st.fs_id);
	return 0;
}

/* A fid that names @inode's own file: an open one, else its dentry's. */
static struct p9x_fid *p9x_inode_own_fid(struct inode *inode)
{
	struct p9x_fid *fid = p9x_inode_open_fid(inode, false);
	struct dentry *alias;

	if (fid)
		return fid;
	alias = d_find_alias(inode);
	if (!alias)
		return ERR_PTR(-ENOENT);
	fid = p9x_dentry_fid(alias);
	dput(alias);
	return fid;
}

/*
 * 9P2000.L, cache=loose: the qid version of @inode, once different from
 * @key's, moved with a change of the file (this guest's own writes move
 * it too) if the inode's own fid now reports @key's version.
 */
static bool p9x_same_version(struct inode *inode, const struct p9x_ikey *key)
{
	struct p9x_inode *pi = P9X_I(inode);
	struct p9x_attr attr;
	struct p9x_fid *fid;
	int err;

	if (READ_ONCE(pi->qid.version) == key->qid->version)
		return true;
	fid = p9x_inode_own_fid(inode);
	if (IS_ERR(fid))
		return false;
	err = p9x_getattr(fid, P9X_GETATTR_IDENT, &attr);
	p9x_fid_put(fid);
	if (err || attr.qid.path != key->qid->path ||
	    attr.qid.type != key->qid->type ||
	    attr.qid.version != key->qid->version ||
	    p9x_attr_other_file(inode, &attr))
		return false;
	WRITE_ONCE(pi->qid.version, attr.qid.version);
	return true;
}

/*
 * 9P2000.L, cache=loose: the host filesystem of the file @key describes,
 * walked to as @nfid under @parent: a directory may be a mount point, so
 * its own; anything else is on its directory's.
 */
static int p9x_key_fsid(struct p9x_ikey *key, struct dentry *parent,
			struct p9x_fid *nfid)
{
	struct p9x_statfs st;
	int err;

	if (key->has_fsid)
		return 0;
	if (S_ISDIR(key->type)) {
		err = p9x_statfs(nfid, &st);
		key->fsid = st.fs_id;
	} else {
		err = p9x_dir_fsid(parent, &key->fsid);
	}
	if (!err)
		key->has_fsid = true;
	return err;
}

/* The same for @inode, kept in it. */
static int p9x_inode_fsid(struct inode *inode, u64 *fsid)
{
	struct p9x_inode *pi = P9X_I(inode);
	struct dentry *alias, *dir;
	int err;

	if (test_bit_acquire(P9X_IFSID, &pi->flags)) {
		*fsid = READ_ONCE(pi->fsid);
		return 0;
	}
	alias = d_find_alias(inode);
	if (!alias)
		return -ENOENT;
	if (S_ISDIR(inode->i_mode)) {
		err = p9x_dir_fsid(alias, fsid);
	} else {
		dir = dget_parent(alias);
		err = p9x_dir_fsid(dir, fsid);
		dput(dir);
		if (!err)
			p9x_inode_set_fsid(pi, *fsid);
	}
	dput(alias);
	return err;
}

/**
 * p9x_same_file() - is an inode the file a 9P2000.L lookup found?
 * @inode: an inode p9x_inode_test() matched: same qid path and type, same
 *	generation
 * @key: what the lookup found; updated so that, if the answer is no,
 *	p9x_inode_test() tells @inode apart next time
 * @parent: the directory the lookup walked from
 * @nfid: the fid it walked to the file
 *
 * A qid version that differs is asked again through the inode's own fid;
 * then, unless the file is a non-directory in @parent itself, the host
 * filesystems of both are compared by Tstatfs (kept per directory, so
 * asked once each).  Only files whose qid path meets an inode the guest
 * holds pay for this.  An inode whose place cannot be told (no name, no
 * open file) is taken for another file, and never matched again.
 *
 * Return: true if @inode is the file.
 */
static bool p9x_same_file(struct inode *inode, struct p9x_ikey *key,
			  struct dentry *parent, struct p9x_fid *nfid)
{
	struct dentry *alias, *dir;
	u64 fsid;
	bool same;

	if (!p9x_same_version(inode, key)) {
		key->strict = true;
		return false;
	}
	if (!S_ISDIR(inode->i_mode)) {
		alias = d_find_alias(inode);
		if (alias) {
			dir = dget_parent(alias);
			same = dir == parent;
			dput(dir);
			dput(alias);
			if (same)
				return true;
		}
	}
	if (p9x_key_fsid(key, parent, nfid))
		return false;
	if (p9x_inode_fsid(inode, &fsid)) {
		set_bit(P9X_IALONE, &P9X_I(inode)->flags);
		return false;
	}
	return fsid == key->fsid;
}

/*
 * Find or make the inode for @attr, read at attribute version @ver; with
 * @parent and @nfid (a lookup or a new name), a 9P2000.L session with
 * cache=loose checks an inode it finds by p9x_same_file().
 */
static struct inode *p9x_iget_key(struct super_block *sb,
				  const struct p9x_attr *attr,
				  struct dentry *parent, struct p9x_fid *nfid,
				  u64 ver)
{
	struct p9x_ikey key = {
		.qid = &attr->qid,
		.type = p9x_attr_type(attr),
		.has_gen = attr->valid & P9X_GETATTR_GEN,
		.gen = (u32)attr->gen,
	};
	struct p9x_sb *sbi = P9X_SB(sb);
	bool lx = sbi->c->dialect == P9X_DIALECT_LX;
	bool loose = sbi->opts.cache == P9X_CACHE_LOOSE;
	int (*test)(struct inode *inode, void *data) = p9x_inode_test;
	struct inode *inode;
	int tries = 0;

	if (!key.type || !(attr->valid & P9X_GETATTR_MODE)) {
		pr_err_ratelimited("%s: server sent no valid file type for qid %llx\n",
				   sbi->c->name, attr->qid.path);
		return ERR_PTR(-EIO);
	}
	if (p9x_devmap_get(&sbi->devmap, attr->qid.dev, &key.dev))
		return ERR_PTR(-ENOMEM);
	/*
	 * 9P2000.L without cache=loose: a new inode for every lookup.  With
	 * it, an inode found without a directory to place it (the root)
	 * must match exactly.
	 */
	if (!lx && !loose)
		test = p9x_inode_test_never;
	key.dotl = !lx;
	key.strict = !lx && !parent;
again:
	inode = iget5_locked(sb, p9x_qid_hash(&attr->qid), test, p9x_inode_set,
			     &key);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!p9x_inode_is_new(inode)) {
		if (key.dotl && parent &&
		    !p9x_same_file(inode, &key, parent, nfid)) {
			iput(inode);
			/* Every round rules out one inode or more. */
			if (++tries > 3)
				test = p9x_inode_test_never;
			goto again;
		}
		p9x_inode_update(inode, attr, ver);
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
	p9x_inode_update(inode, attr, ver);
	unlock_new_inode(inode);
	return inode;
}

/**
 * p9x_iget() - find or create the inode for a file the server described
 * @sb: the superblock
 * @attr: an Rgetattr for the file
 * @ver: p9x_attr_version() read before it was asked for
 *
 * Return: a referenced inode, or an ERR_PTR (-EIO for a nonsense type).
 */
struct inode *p9x_iget(struct super_block *sb, const struct p9x_attr *attr,
		       u64 ver)
{
	return p9x_iget_key(sb, attr, NULL, NULL, ver);
}

/**
 * p9x_iget_at() - the inode for a file found by name
 * @parent: the directory's dentry
 * @nfid: the fid walked to the file
 * @attr: an Rgetattr for the file
 * @ver: p9x_attr_version() read before the walk was sent
 *
 * As p9x_iget(); in a 9P2000.L session with cache=loose, an inode found
 * by qid is checked to be the same host file (p9x_same_file()).
 *
 * Return: a referenced inode, or an ERR_PTR.
 */
struct inode *p9x_iget_at(struct dentry *parent, struct p9x_fid *nfid,
			  const struct p9x_attr *attr, u64 ver)
{
	return p9x_iget_key(parent->d_sb, attr, parent, nfid, ver);
}

/*
 * Attributes read through a fid of @inode's own: a 9P2000.L qid version
 * that moved (a write, here or on the host) is the inode's from now on,
 * so a later lookup of the file finds it without asking again.
 */
static void p9x_inode_keep_version(struct inode *inode,
				   const struct p9x_attr *attr)
{
	struct p9x_inode *pi = P9X_I(inode);

	if (attr->qid.path == pi->qid.path && attr->qid.type == pi->qid.type)
		WRITE_ONCE(pi->qid.version, attr->qid.version);
}

/**
 * p9x_fid_names_inode() - is an open fid on the file of an inode?
 * @inode: the inode the dentry holds
 * @fid: a fid just opened (Tlopen, Tlcreate), whose qid is the reply's
 *
 * A name walked again may lead to another file than the inode's (the
 * host replaced it): such a fid must not serve the inode's pages.
 *
 * Return: false if the server named another file.
 */
bool p9x_fid_names_inode(struct inode *inode, const struct p9x_fid *fid)
{
	const struct p9x_qid *q = &P9X_I(inode)->qid;

	return fid->qid.path == q->path && fid->qid.dev == q->dev;
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
	u64 ver;

	if (regfid)
		*regfid = NULL;
	if (dentry->d_name.len > NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	dfid = p9x_dentry_fid(dentry->d_parent);
	if (IS_ERR(dfid))
		return ERR_CAST(dfid);
	ver = p9x_attr_version(dir->i_sb);
	fid = p9x_walk_getattr(dfid, 1, &name, P9X_GETATTR_IDENT, &attr);
	p9x_fid_put(dfid);
	if (IS_ERR(fid)) {
		if (PTR_ERR(fid) != -ENOENT)
			return ERR_CAST(fid);
		return d_splice_alias(NULL, dentry);
	}

	inode = p9x_iget_at(dentry->d_parent, fid, &attr, ver);
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
	u64 ver;
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
	ver = p9x_attr_version(inode->i_sb);
	err = IS_ERR(fid) ? PTR_ERR(fid) :
	      p9x_getattr(fid, P9X_GETATTR_IDENT, &attr);
	if (!IS_ERR(fid))
		p9x_fid_put(fid);
	/* The name leads to another file now than the one held here. */
	if (!err && p9x_attr_other_file(inode, &attr))
		err = -ESTALE;
	if (!err) {
		p9x_inode_keep_version(inode, &attr);
		p9x_inode_update(inode, &attr, ver);
	} else if (loose) {
		p9x_attrs_stale(inode);
	} else {
		return err;
	}
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
	pi->fsid = 0;
	pi->wfid = NULL;
	INIT_HLIST_HEAD(&pi->ofids);
	atomic_set(&pi->wb_fails, 0);
	pi->attr_version = 0;
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
