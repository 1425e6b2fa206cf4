/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels 9plx builds for (6.1 to 7.3: Debian
 * 12's 6.1 and 6.12, Debian 13's 6.12, 7.2 and 7.3) lives here and nowhere
 * else.  Each test names the release that made the change.
 */
#ifndef _9PLX_COMPAT_H
#define _9PLX_COMPAT_H

#include <linux/version.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/writeback.h>

/* The (major, patchlevel) pair of a kernel as one comparable number. */
#define P9X_KV(major, patchlevel)	((major) * 256 + (patchlevel))
#define P9X_KV_AT_LEAST(major, patchlevel) \
	(P9X_KV(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL) >= \
	 P9X_KV(major, patchlevel))

#if P9X_KV_AT_LEAST(6, 3)
/*
 * 6.3 replaced the user namespace argument of inode operations by an
 * idmap; struct p9x_idmap names whichever the kernel passes.
 */
#define p9x_idmap		mnt_idmap

static inline void p9x_fillattr(struct p9x_idmap *idmap, u32 request_mask,
				struct inode *inode, struct kstat *stat)
{
	generic_fillattr(idmap, request_mask, inode, stat);
}
#else
#define p9x_idmap		user_namespace

static inline void p9x_fillattr(struct p9x_idmap *idmap, u32 request_mask,
				struct inode *inode, struct kstat *stat)
{
	generic_fillattr(idmap, inode, stat);
}
#endif

#if P9X_KV_AT_LEAST(6, 7)
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

#if P9X_KV_AT_LEAST(6, 6)
static inline struct timespec64 p9x_inode_ctime(const struct inode *inode)
{
	return inode_get_ctime(inode);
}
#else
static inline struct timespec64 p9x_inode_ctime(const struct inode *inode)
{
	return inode->i_ctime;
}
#endif

/*
 * POSIX ACLs (acl.c).  6.2 renamed ->get_acl to ->get_inode_acl, added a
 * dentry-based ->get_acl for the xattr syscalls, passed ->set_acl and
 * posix_acl_chmod() a dentry, and took the system.posix_acl_* xattrs
 * into the VFS; before, they went through the filesystem's handlers.
 */
struct posix_acl *p9x_acl_get(struct inode *inode, struct dentry *dentry,
			      int type);
int p9x_acl_set(struct p9x_idmap *idmap, struct inode *inode,
		struct dentry *dentry, struct posix_acl *acl, int type);

static inline struct posix_acl *p9x_iop_get_inode_acl(struct inode *inode,
						      int type, bool rcu)
{
	/* Reading it means talking to the server. */
	if (rcu)
		return ERR_PTR(-ECHILD);
	return p9x_acl_get(inode, NULL, type);
}

#if P9X_KV_AT_LEAST(6, 2)
static inline struct posix_acl *p9x_iop_get_acl(struct p9x_idmap *idmap,
						struct dentry *dentry, int type)
{
	return p9x_acl_get(d_inode(dentry), dentry, type);
}

static inline int p9x_iop_set_acl(struct p9x_idmap *idmap,
				  struct dentry *dentry,
				  struct posix_acl *acl, int type)
{
	return p9x_acl_set(idmap, d_inode(dentry), dentry, acl, type);
}

static inline int p9x_acl_chmod(struct p9x_idmap *idmap, struct dentry *dentry)
{
	return posix_acl_chmod(idmap, dentry, d_inode(dentry)->i_mode);
}

#define P9X_ACL_IOPS \
	.get_inode_acl = p9x_iop_get_inode_acl, \
	.get_acl = p9x_iop_get_acl, \
	.set_acl = p9x_iop_set_acl

/* The VFS itself takes system.posix_acl_* to ->get_acl and ->set_acl. */
static inline const struct xattr_handler *p9x_vfs_acl_handler(int type)
{
	return NULL;
}

/* Nothing to list: the handler list ends before these. */
#define P9X_XATTR_ACL_ACCESS	NULL
#define P9X_XATTR_ACL_DEFAULT	NULL
#else
static inline int p9x_iop_set_acl(struct p9x_idmap *idmap, struct inode *inode,
				  struct posix_acl *acl, int type)
{
	return p9x_acl_set(idmap, inode, NULL, acl, type);
}

static inline int p9x_acl_chmod(struct p9x_idmap *idmap, struct dentry *dentry)
{
	return posix_acl_chmod(idmap, d_inode(dentry), d_inode(dentry)->i_mode);
}

#define P9X_ACL_IOPS \
	.get_acl = p9x_iop_get_inode_acl, \
	.set_acl = p9x_iop_set_acl
/*
 * Here system.posix_acl_* reach the filesystem's own handlers: with
 * posixacl they hand over to the VFS's, which use ->get_acl and
 * ->set_acl; without, the attributes go to the server as they are, as
 * with the in-kernel client of these kernels.
 */
static inline const struct xattr_handler *p9x_vfs_acl_handler(int type)
{
	return type == ACL_TYPE_DEFAULT ? &posix_acl_default_xattr_handler :
					  &posix_acl_access_xattr_handler;
}

#define P9X_XATTR_ACL_ACCESS	(&p9x_xattr_acl_access)
#define P9X_XATTR_ACL_DEFAULT	(&p9x_xattr_acl_default)
#endif

#if P9X_KV_AT_LEAST(6, 5)
/* splice from ->read_iter without the page cache */
#define p9x_splice_read		copy_splice_read
#else
#define p9x_splice_read		generic_file_splice_read
#endif

/*
 * 6.5 took file handles that only identify a file, never decoded
 * ("exportfs: allow exporting non-decodeable file handles to userspace",
 * "fanotify: support reporting non-decodeable file handles"): export
 * operations with ->encode_fh and no ->fh_to_dentry then serve
 * name_to_handle_at(AT_HANDLE_FID) and fanotify inode marks with file
 * ids.  Before, the VFS asked for ->fh_to_dentry before encoding at all,
 * so such operations would serve nothing (export.c).
 */
#if P9X_KV_AT_LEAST(6, 5)
#define P9X_HAVE_FID_HANDLES	1
#else
#define P9X_HAVE_FID_HANDLES	0
#endif

/* 6.7 made the superblock's xattr handler list an array of const pointers. */
#if P9X_KV_AT_LEAST(6, 7)
#define P9X_XATTR_LIST(name)	const struct xattr_handler * const (name)[]
#else
#define P9X_XATTR_LIST(name)	const struct xattr_handler *(name)[]
#endif

/*
 * Page cache (cache=mmap and cache=loose).  cache.c works on folios;
 * these adapt it to each kernel's address_space_operations.
 */
int p9x_write_begin_folio(struct file *file, struct address_space *mapping,
			  loff_t pos, unsigned int len, struct folio **foliop);
int p9x_write_end_folio(struct file *file, struct address_space *mapping,
			loff_t pos, unsigned int len, unsigned int copied,
			struct folio *folio);
int p9x_writeback_folio(struct folio *folio, struct writeback_control *wbc,
			void *data);
int p9x_writeback_folio_small(struct folio *folio,
			      struct writeback_control *wbc, void *data);

#if P9X_KV_AT_LEAST(6, 17)
/*
 * 6.17 passes write_begin and write_end the kiocb of the write ("fs:
 * change write_begin/write_end interface to take struct kiocb *").
 */
static inline int p9x_aops_write_begin(const struct kiocb *iocb,
				       struct address_space *mapping,
				       loff_t pos, unsigned int len,
				       struct folio **foliop, void **fsdata)
{
	return p9x_write_begin_folio(iocb->ki_filp, mapping, pos, len, foliop);
}

static inline int p9x_aops_write_end(const struct kiocb *iocb,
				     struct address_space *mapping,
				     loff_t pos, unsigned int len,
				     unsigned int copied, struct folio *folio,
				     void *fsdata)
{
	return p9x_write_end_folio(iocb->ki_filp, mapping, pos, len, copied,
				   folio);
}
#elif P9X_KV_AT_LEAST(6, 12)
/* 6.12 passes folios to write_begin and write_end. */
static inline int p9x_aops_write_begin(struct file *file,
				       struct address_space *mapping,
				       loff_t pos, unsigned int len,
				       struct folio **foliop, void **fsdata)
{
	return p9x_write_begin_folio(file, mapping, pos, len, foliop);
}

static inline int p9x_aops_write_end(struct file *file,
				     struct address_space *mapping,
				     loff_t pos, unsigned int len,
				     unsigned int copied, struct folio *folio,
				     void *fsdata)
{
	return p9x_write_end_folio(file, mapping, pos, len, copied, folio);
}
#else
static inline int p9x_aops_write_begin(struct file *file,
				       struct address_space *mapping,
				       loff_t pos, unsigned int len,
				       struct page **pagep, void **fsdata)
{
	struct folio *folio;
	int err;

	err = p9x_write_begin_folio(file, mapping, pos, len, &folio);
	if (!err)
		*pagep = &folio->page;
	return err;
}

static inline int p9x_aops_write_end(struct file *file,
				     struct address_space *mapping,
				     loff_t pos, unsigned int len,
				     unsigned int copied, struct page *page,
				     void *fsdata)
{
	return p9x_write_end_folio(file, mapping, pos, len, copied,
				   page_folio(page));
}
#endif

#if P9X_KV_AT_LEAST(6, 11)
/*
 * Since 6.11 a filesystem says which folio sizes its mappings take, and
 * write_begin may ask for a large one.  Page-cache folios of up to @max
 * bytes, so that each fits one Tread or Twrite; where a message is not a
 * power of two pages, readahead and writeback cut a folio between two.
 */
static inline void p9x_mapping_set_folio_max(struct address_space *mapping,
					     size_t max)
{
	unsigned long pages = max >> PAGE_SHIFT;

	if (pages >= 2)
		mapping_set_folio_order_range(mapping, 0, ilog2(pages));
}

static inline struct folio *p9x_grab_folio(struct address_space *mapping,
					   loff_t pos, unsigned int len)
{
	return __filemap_get_folio(mapping, pos >> PAGE_SHIFT,
				   FGP_WRITEBEGIN | fgf_set_order(len),
				   mapping_gfp_mask(mapping));
}
#else
/* Before 6.11: page-sized folios only. */
static inline void p9x_mapping_set_folio_max(struct address_space *mapping,
					     size_t max)
{
}

#if P9X_KV_AT_LEAST(6, 4)
/* Since 6.4 __filemap_get_folio() reports failure as an ERR_PTR. */
static inline struct folio *p9x_grab_folio(struct address_space *mapping,
					   loff_t pos, unsigned int len)
{
	return __filemap_get_folio(mapping, pos >> PAGE_SHIFT, FGP_WRITEBEGIN,
				   mapping_gfp_mask(mapping));
}
#else
static inline struct folio *p9x_grab_folio(struct address_space *mapping,
					   loff_t pos, unsigned int len)
{
	struct folio *folio;

	folio = __filemap_get_folio(mapping, pos >> PAGE_SHIFT,
				    FGP_LOCK | FGP_WRITE | FGP_CREAT | FGP_STABLE,
				    mapping_gfp_mask(mapping));
	return folio ? folio : ERR_PTR(-ENOMEM);
}
#endif
#endif

#if P9X_KV_AT_LEAST(6, 3)
/* write_cache_pages() calls back with folios since 6.3. */
static inline int p9x_wcp_cb(struct folio *folio, struct writeback_control *wbc,
			     void *data)
{
	return p9x_writeback_folio(folio, wbc, data);
}

static inline int p9x_wcp_small_cb(struct folio *folio,
				   struct writeback_control *wbc, void *data)
{
	return p9x_writeback_folio_small(folio, wbc, data);
}
#else
static inline int p9x_wcp_cb(struct page *page, struct writeback_control *wbc,
			     void *data)
{
	return p9x_writeback_folio(page_folio(page), wbc, data);
}

static inline int p9x_wcp_small_cb(struct page *page,
				   struct writeback_control *wbc, void *data)
{
	return p9x_writeback_folio_small(page_folio(page), wbc, data);
}
#endif

#if P9X_KV_AT_LEAST(6, 9)
/*
 * 6.9 turned write_cache_pages() into a loop over writeback_iter() ("mm:
 * convert write_cache_pages() to an iterator"), which later releases
 * removed; the same loop, here, on every kernel that has the iterator.
 * @writeback gets each dirty folio locked, and unlocks it.
 */
static inline int
p9x_write_cache_pages(struct address_space *mapping,
		      struct writeback_control *wbc,
		      int (*writeback)(struct folio *folio,
				       struct writeback_control *wbc,
				       void *data),
		      void *data)
{
	struct folio *folio = NULL;
	int err = 0;

	while ((folio = writeback_iter(mapping, wbc, folio, &err)))
		err = writeback(folio, wbc, data);
	return err;
}
#else
#define p9x_write_cache_pages	write_cache_pages
#endif

/*
 * 6.9 moved the type, flags and pid of a file lock into struct
 * file_lock_core (fl->c), after 6.3 had moved file locks to filelock.h.
 */
#if P9X_KV_AT_LEAST(6, 3)
#include <linux/filelock.h>
#endif

#if P9X_KV_AT_LEAST(6, 9)
static inline unsigned char p9x_fl_type(const struct file_lock *fl)
{
	return fl->c.flc_type;
}

static inline unsigned int *p9x_fl_flags(struct file_lock *fl)
{
	return &fl->c.flc_flags;
}

static inline void p9x_fl_set(struct file_lock *fl, unsigned char type,
			      pid_t pid)
{
	fl->c.flc_type = type;
	fl->c.flc_pid = pid;
}

static inline pid_t p9x_fl_pid(const struct file_lock *fl)
{
	return fl->c.flc_pid;
}
#else
static inline unsigned char p9x_fl_type(const struct file_lock *fl)
{
	return fl->fl_type;
}

static inline unsigned int *p9x_fl_flags(struct file_lock *fl)
{
	return &fl->fl_flags;
}

static inline void p9x_fl_set(struct file_lock *fl, unsigned char type,
			      pid_t pid)
{
	fl->fl_type = type;
	fl->fl_pid = pid;
}

static inline pid_t p9x_fl_pid(const struct file_lock *fl)
{
	return fl->fl_pid;
}
#endif

/*
 * 7.3 took the excl argument out of ->create ("vfs: remove the excl
 * argument from the ->create() inode_operation"), which 9plx never used.
 */
int p9x_create(struct p9x_idmap *idmap, struct inode *dir,
	       struct dentry *dentry, umode_t mode);

#if P9X_KV_AT_LEAST(7, 3)
#define p9x_iop_create		p9x_create
#else
static inline int p9x_iop_create(struct p9x_idmap *idmap, struct inode *dir,
				 struct dentry *dentry, umode_t mode, bool excl)
{
	return p9x_create(idmap, dir, dentry, mode);
}
#endif

#if P9X_KV_AT_LEAST(6, 15)
/*
 * 6.15: ->mkdir returns the dentry it made, NULL for the one it was given,
 * or an error ("Change inode_operations.mkdir to return struct dentry *").
 */
#define p9x_mkdir_t		struct dentry *

static inline struct dentry *p9x_mkdir_result(int err)
{
	return ERR_PTR(err);
}
#else
#define p9x_mkdir_t		int

static inline int p9x_mkdir_result(int err)
{
	return err;
}
#endif

/*
 * 6.17 made the default dentry operations of a superblock private to the
 * VFS, set through set_default_d_op() ("new helper: set_default_d_op()").
 */
static inline void p9x_set_default_d_op(struct super_block *sb,
					const struct dentry_operations *ops)
{
#if P9X_KV_AT_LEAST(6, 17)
	set_default_d_op(sb, ops);
#else
	sb->s_d_op = ops;
#endif
}

/*
 * 6.18 renamed generic_delete_inode() to inode_just_drop() ("fs: rename
 * generic_delete_inode() and generic_drop_inode()").
 */
#if P9X_KV_AT_LEAST(6, 18)
#define p9x_drop_inode		inode_just_drop
#else
#define p9x_drop_inode		generic_delete_inode
#endif

/*
 * 6.19 hid inode->i_state behind accessors ("fs: provide accessors for
 * ->i_state"); a lockless look at I_NEW is inode_state_read_once().
 */
static inline bool p9x_inode_is_new(struct inode *inode)
{
#if P9X_KV_AT_LEAST(6, 19)
	return inode_state_read_once(inode) & I_NEW;
#else
	return inode->i_state & I_NEW;
#endif
}

/*
 * 6.19 has kernel_bind() and kernel_connect() take a struct
 * sockaddr_unsized, whose length is the argument beside it ("net:
 * Convert proto_ops bind() callbacks to use sockaddr_unsized").
 */
#if P9X_KV_AT_LEAST(6, 19)
#define p9x_sockaddr		sockaddr_unsized
#else
#define p9x_sockaddr		sockaddr
#endif

/*
 * 7.0: posix_acl_to_xattr() allocates the buffer it fills ("posix_acl:
 * make posix_acl_to_xattr() alloc the buffer").  The xattr form of @acl
 * in a buffer to kfree(), its length in @size; ERR_PTR on failure.
 */
static inline void *p9x_acl_to_xattr(const struct posix_acl *acl,
				     size_t *size)
{
	void *buf;
#if P9X_KV_AT_LEAST(7, 0)
	buf = posix_acl_to_xattr(&init_user_ns, acl, size, GFP_KERNEL);
	return buf ?: ERR_PTR(-ENOMEM);
#else
	int err;

	*size = posix_acl_xattr_size(acl->a_count);
	buf = kmalloc(*size, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	err = posix_acl_to_xattr(&init_user_ns, acl, buf, *size);
	if (err < 0) {
		kfree(buf);
		return ERR_PTR(err);
	}
	return buf;
#endif
}

/*
 * 6.17 added WQ_PERCPU ("workqueue: Add new WQ_PERCPU flag"), so that
 * workqueues can become unbound by default; 7.3 warns when a workqueue
 * names neither WQ_PERCPU nor WQ_UNBOUND.  A per-CPU queue is what
 * alloc_workqueue() has always made without WQ_UNBOUND.
 */
#if P9X_KV_AT_LEAST(6, 17)
#define P9X_WQ_PERCPU		WQ_PERCPU
#else
#define P9X_WQ_PERCPU		0
#endif

/*
 * Typed allocation of one object, kmalloc_obj() and kzalloc_obj() ("slab:
 * Introduce kmalloc_obj() and family"), which 7.3's checkpatch asks for;
 * on kernels without them, the same by size.
 */
#ifndef kmalloc_obj
#define kmalloc_obj(var, gfp)	kmalloc(sizeof(var), gfp)
#define kzalloc_obj(var, gfp)	kzalloc(sizeof(var), gfp)
#endif

#if P9X_KV_AT_LEAST(6, 2)
#include <kunit/static_stub.h>
#else
/* 6.1 has no static stubs; nothing replaces a function there. */
#define KUNIT_STATIC_STUB_REDIRECT(real_fn_name, args...) ((void)(real_fn_name))
#endif

/*
 * Zero-copy user memory is pinned (FOLL_PIN) for the device.  6.3 has
 * iov_iter_extract_pages(); 6.1 pins the iterator's first user segment
 * itself, as iov_iter_get_pages_alloc2() finds it.  Either way: the bytes
 * pinned (the iterator advanced past them), the pages in a kvmalloc'd
 * array at *@pages (release: unpin_user_pages(), kvfree()) and the
 * offset of the first byte in the first page at *@start.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>

#if P9X_KV_AT_LEAST(6, 3)
static inline ssize_t p9x_iter_pin_pages(struct iov_iter *it,
					 struct page ***pages, size_t len,
					 size_t *start)
{
	return iov_iter_extract_pages(it, pages, len, UINT_MAX, 0, start);
}
#else
static inline ssize_t p9x_iter_pin_pages(struct iov_iter *it,
					 struct page ***pages, size_t len,
					 size_t *start)
{
	const struct iovec *iov = it->iov;
	unsigned long addr;
	size_t skip = it->iov_offset, seg;
	int n, got;

	if (!user_backed_iter(it))
		return -EFAULT;
	if (!iov_iter_count(it) || !len)
		return 0;
	if (iter_is_ubuf(it)) {
		addr = (unsigned long)it->ubuf + skip;
		seg = it->count;
	} else {
		while (iov->iov_len == skip) {
			iov++;
			skip = 0;
		}
		addr = (unsigned long)iov->iov_base + skip;
		seg = iov->iov_len - skip;
	}
	len = min3(len, seg, iov_iter_count(it));
	*start = offset_in_page(addr);
	n = DIV_ROUND_UP(*start + len, PAGE_SIZE);
	*pages = kvmalloc_array(n, sizeof(**pages), GFP_KERNEL);
	if (!*pages)
		return -ENOMEM;
	got = pin_user_pages_fast(addr - *start, n,
				  iov_iter_rw(it) == ITER_DEST ? FOLL_WRITE : 0,
				  *pages);
	if (got <= 0) {
		kvfree(*pages);
		*pages = NULL;
		return got ? got : -EFAULT;
	}
	len = min_t(size_t, len, (size_t)got * PAGE_SIZE - *start);
	iov_iter_advance(it, len);
	return len;
}
#endif

#endif /* _9PLX_COMPAT_H */
