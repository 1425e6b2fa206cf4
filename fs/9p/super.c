// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx superblock: mount options (new mount API), mounting, statfs,
 * /proc/mounts, and the module's entry points.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/string.h>
#include <linux/utsname.h>

#include "9plx.h"
#include "transport.h"

#define P9X_DEFAULT_UNAME	"nobody"
#define P9X_DEFAULT_ANAME	""
#define P9X_DEFAULT_PORT	564
/* dfltuid and dfltgid default, as with the in-kernel client: (u32)-2 */
#define P9X_DEFAULT_ID		0xfffffffeU

static char *fstype = "9p";
module_param(fstype, charp, 0444);
MODULE_PARM_DESC(fstype,
		 "filesystem type to register: 9p (default) serves mount -t 9p, another name (e.g. 9plx) runs beside the in-kernel client");

static const struct p9x_trans_ops *const p9x_transports[] = {
	&p9x_virtio_trans,
	&p9x_tcp_trans,
	&p9x_unix_trans,
	&p9x_fd_trans,
};

enum {
	OPT_TRANS,
	OPT_VERSION,
	OPT_MSIZE,
	OPT_UNAME,
	OPT_ANAME,
	OPT_ACCESS,
	OPT_CACHE,
	OPT_NOFALLBACK,
	OPT_PORT,
	OPT_PRIVPORT,
	OPT_RFDNO,
	OPT_WFDNO,
	OPT_DFLTUID,
	OPT_DFLTGID,
	OPT_DEBUG,
	OPT_LOCKTIMEOUT,
	OPT_POSIXACL,
	OPT_NOEXTEND,
};

static const struct fs_parameter_spec p9x_params[] = {
	fsparam_string("trans", OPT_TRANS),
	fsparam_string("version", OPT_VERSION),
	fsparam_u32("msize", OPT_MSIZE),
	fsparam_string("uname", OPT_UNAME),
	fsparam_string("aname", OPT_ANAME),
	fsparam_string("access", OPT_ACCESS),
	fsparam_string("cache", OPT_CACHE),
	fsparam_flag("nofallback", OPT_NOFALLBACK),
	fsparam_u32("port", OPT_PORT),
	fsparam_flag("privport", OPT_PRIVPORT),
	fsparam_u32("rfdno", OPT_RFDNO),
	fsparam_u32("wfdno", OPT_WFDNO),
	fsparam_u32("dfltuid", OPT_DFLTUID),
	fsparam_u32("dfltgid", OPT_DFLTGID),
	fsparam_string("debug", OPT_DEBUG),
	fsparam_u32("locktimeout", OPT_LOCKTIMEOUT),
	fsparam_flag("posixacl", OPT_POSIXACL),
	fsparam_flag("noextend", OPT_NOEXTEND),
	{}
};

static int p9x_parse_access(struct fs_context *fc, const char *v,
			    struct p9x_mount_opts *o)
{
	unsigned int uid;

	if (!strcmp(v, "client")) {
		o->access = P9X_ACCESS_CLIENT;
	} else if (!strcmp(v, "user")) {
		o->access = P9X_ACCESS_USER;
	} else if (!strcmp(v, "any")) {
		o->access = P9X_ACCESS_ANY;
	} else if (!kstrtouint(v, 10, &uid)) {
		o->single_uid = make_kuid(current_user_ns(), uid);
		if (!uid_valid(o->single_uid))
			return invalfc(fc, "access=%s: uid not mapped", v);
		o->access = P9X_ACCESS_SINGLE;
	} else {
		return invalfc(fc, "access=%s: expected user, any, client or a uid",
			       v);
	}
	return 0;
}

static int p9x_replace_str(char **dst, struct fs_parameter *param)
{
	kfree(*dst);
	*dst = param->string;
	param->string = NULL;
	return 0;
}

static int p9x_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct p9x_mount_opts *o = fc->fs_private;
	struct fs_parse_result result;
	const char *v;
	int opt, i;

	opt = fs_parse(fc, p9x_params, param, &result);
	if (opt < 0)
		return opt;
	v = param->string;

	switch (opt) {
	case OPT_TRANS:
		for (i = 0; i < ARRAY_SIZE(p9x_transports); i++)
			if (!strcmp(v, p9x_transports[i]->name))
				break;
		if (i == ARRAY_SIZE(p9x_transports))
			return invalfc(fc, "trans=%s: not supported (use virtio, tcp, unix or fd)",
				       v);
		o->trans = p9x_transports[i];
		return 0;
	case OPT_VERSION:
		if (!strcasecmp(v, "9p2000.Lx"))
			o->want_lx = true;
		else if (!strcasecmp(v, "9p2000.L"))
			o->want_lx = false;
		else
			return invalfc(fc, "version=%s: not supported (use 9p2000.Lx or 9p2000.L)",
				       v);
		return 0;
	case OPT_MSIZE:
		if (result.uint_32 < P9X_MIN_MSIZE)
			return invalfc(fc, "msize=%u: below the minimum of %u",
				       result.uint_32, P9X_MIN_MSIZE);
		o->msize = result.uint_32;
		return 0;
	case OPT_UNAME:
		return p9x_replace_str(&o->uname, param);
	case OPT_ANAME:
		return p9x_replace_str(&o->aname, param);
	case OPT_ACCESS:
		return p9x_parse_access(fc, v, o);
	case OPT_CACHE:
		if (!strcmp(v, "none"))
			o->cache = P9X_CACHE_NONE;
		else if (!strcmp(v, "mmap"))
			o->cache = P9X_CACHE_MMAP;
		else if (!strcmp(v, "loose"))
			o->cache = P9X_CACHE_LOOSE;
		else
			return invalfc(fc, "cache=%s: not supported (use none, mmap or loose)",
				       v);
		return 0;
	case OPT_NOFALLBACK:
		o->fallback = false;
		return 0;
	case OPT_PORT:
		if (!result.uint_32 || result.uint_32 > U16_MAX)
			return invalfc(fc, "port=%u: not a TCP port",
				       result.uint_32);
		o->targs.port = result.uint_32;
		return 0;
	case OPT_PRIVPORT:
		o->targs.privport = true;
		return 0;
	case OPT_RFDNO:
		if (result.uint_32 > INT_MAX)
			return invalfc(fc, "rfdno=%u: not a descriptor",
				       result.uint_32);
		o->targs.rfd = result.uint_32;
		return 0;
	case OPT_WFDNO:
		if (result.uint_32 > INT_MAX)
			return invalfc(fc, "wfdno=%u: not a descriptor",
				       result.uint_32);
		o->targs.wfd = result.uint_32;
		return 0;
	case OPT_DFLTUID:
		o->dfltuid = result.uint_32;
		return 0;
	case OPT_DFLTGID:
		o->dfltgid = result.uint_32;
		return 0;
	case OPT_DEBUG:
		/* A hex mask, as the in-kernel client takes it. */
		if (kstrtouint(v, 16, &o->debug))
			return invalfc(fc, "debug=%s: not a hex mask", v);
		return 0;
	case OPT_LOCKTIMEOUT:
		if (!result.uint_32 || result.uint_32 > 3600)
			return invalfc(fc, "locktimeout=%u: want 1 to 3600 seconds",
				       result.uint_32);
		o->locktimeout = result.uint_32;
		return 0;
	case OPT_POSIXACL:
		o->posixacl = true;
		return 0;
	case OPT_NOEXTEND:
		return invalfc(fc, "noextend: legacy 9P2000 is not supported");
	}
	return -EINVAL;
}

static void p9x_free_opts(struct p9x_mount_opts *o)
{
	kfree(o->uname);
	kfree(o->aname);
}

static int p9x_show_options(struct seq_file *m, struct dentry *root)
{
	struct p9x_sb *sbi = P9X_SB(root->d_sb);
	const struct p9x_mount_opts *o = &sbi->opts;

	seq_printf(m, ",version=%s",
		   sbi->c->dialect == P9X_DIALECT_LX ? "9p2000.Lx" : "9p2000.L");
	seq_printf(m, ",trans=%s", o->trans->name);
	if (sbi->c->msize != P9X_DEFAULT_MSIZE)
		seq_printf(m, ",msize=%u", sbi->c->msize);
	if (strcmp(o->uname, P9X_DEFAULT_UNAME))
		seq_show_option(m, "uname", o->uname);
	if (strcmp(o->aname, P9X_DEFAULT_ANAME))
		seq_show_option(m, "aname", o->aname);
	switch (o->access) {
	case P9X_ACCESS_USER:
		seq_puts(m, ",access=user");
		break;
	case P9X_ACCESS_ANY:
		seq_puts(m, ",access=any");
		break;
	case P9X_ACCESS_SINGLE:
		seq_printf(m, ",access=%u",
			   from_kuid_munged(&init_user_ns, o->single_uid));
		break;
	case P9X_ACCESS_CLIENT:
		break;
	}
	if (o->cache == P9X_CACHE_MMAP)
		seq_puts(m, ",cache=mmap");
	else if (o->cache == P9X_CACHE_LOOSE)
		seq_puts(m, ",cache=loose");
	if (!o->fallback)
		seq_puts(m, ",nofallback");
	if (o->dfltuid != P9X_DEFAULT_ID)
		seq_printf(m, ",dfltuid=%u", o->dfltuid);
	if (o->dfltgid != P9X_DEFAULT_ID)
		seq_printf(m, ",dfltgid=%u", o->dfltgid);
	if (o->debug)
		seq_printf(m, ",debug=%x", o->debug);
	if (o->locktimeout)
		seq_printf(m, ",locktimeout=%u", o->locktimeout);
	if (o->posixacl)
		seq_puts(m, ",posixacl");
	if (o->targs.port != P9X_DEFAULT_PORT)
		seq_printf(m, ",port=%u", o->targs.port);
	if (o->targs.privport)
		seq_puts(m, ",privport");
	if (o->targs.rfd >= 0)
		seq_printf(m, ",rfdno=%d", o->targs.rfd);
	if (o->targs.wfd >= 0)
		seq_printf(m, ",wfdno=%d", o->targs.wfd);
	return 0;
}

static int p9x_sb_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct p9x_statfs st;
	int err;

	err = p9x_dentry_statfs(dentry, &st);
	if (err)
		return err;
	buf->f_type = st.fs_type;
	buf->f_bsize = st.block_size;
	buf->f_blocks = st.total_blocks;
	buf->f_bfree = st.free_blocks;
	buf->f_bavail = st.avail_blocks;
	buf->f_files = st.total_files;
	buf->f_ffree = st.free_files;
	buf->f_fsid = u64_to_fsid(st.fs_id);
	buf->f_namelen = st.max_name_len;
	return 0;
}

static void p9x_evict_inode(struct inode *inode)
{
	/* Dirty pages go out while the writeback fid is still there. */
	if (inode->i_data.nrpages)
		filemap_write_and_wait(&inode->i_data);
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	p9x_inode_drop_wfid(inode);
}

/* umount -f: stop waiting for a server that does not answer. */
static void p9x_umount_begin(struct super_block *sb)
{
	p9x_client_abort(P9X_SB(sb)->c);
}

static const struct super_operations p9x_sops = {
	.alloc_inode = p9x_alloc_inode,
	.free_inode = p9x_free_inode,
	.evict_inode = p9x_evict_inode,
	/* cache=none and cache=mmap: an inode nobody uses is not kept */
	.drop_inode = p9x_drop_inode,
	.statfs = p9x_sb_statfs,
	.show_options = p9x_show_options,
	.umount_begin = p9x_umount_begin,
};

/* cache=loose keeps unused inodes, and their pages, for later. */
static const struct super_operations p9x_loose_sops = {
	.alloc_inode = p9x_alloc_inode,
	.free_inode = p9x_free_inode,
	.evict_inode = p9x_evict_inode,
	.statfs = p9x_sb_statfs,
	.show_options = p9x_show_options,
	.umount_begin = p9x_umount_begin,
};

static void p9x_d_release(struct dentry *dentry)
{
	p9x_dentry_put_fids(dentry);
}

const struct dentry_operations p9x_dentry_ops = {
	/* forget dentries as soon as they are unused */
	.d_delete = always_delete_dentry,
	.d_release = p9x_d_release,
};

static const struct dentry_operations p9x_loose_dentry_ops = {
	.d_release = p9x_d_release,
};

static int p9x_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct p9x_sb *sbi = sb->s_fs_info;
	const struct p9x_mount_opts *o = &sbi->opts;
	struct p9x_fid *root_fid;
	struct p9x_attr attr;
	struct inode *inode;
	kuid_t owner;
	u32 io_pages;
	u64 ver;
	int err;

	sb->s_magic = P9X_MAGIC;
	if (o->cache == P9X_CACHE_LOOSE) {
		sb->s_op = &p9x_loose_sops;
		p9x_set_default_d_op(sb, &p9x_loose_dentry_ops);
	} else {
		sb->s_op = &p9x_sops;
		p9x_set_default_d_op(sb, &p9x_dentry_ops);
	}
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_time_gran = 1;
	sb->s_xattr = p9x_xattr_handlers;
	/* Only a guest that checks permissions itself needs the ACLs. */
	if (o->posixacl && o->access == P9X_ACCESS_CLIENT)
		sb->s_flags |= SB_POSIXACL;
	else if (o->posixacl)
		warnfc(fc, "posixacl: needs access=client; the server applies ACLs");
	err = super_setup_bdi(sb);
	if (err)
		return err;
	/*
	 * Readahead windows of one whole message: a window that is not a
	 * multiple of the message would end in a short Tread.  Async
	 * readahead still starts the next window before this one is read.
	 */
	io_pages = max_t(u32, p9x_sb_maxio(sbi) >> PAGE_SHIFT, 1);
	sb->s_bdi->io_pages = io_pages;
	sb->s_bdi->ra_pages = io_pages;

	owner = o->access == P9X_ACCESS_SINGLE ? o->single_uid : INVALID_UID;
	root_fid = p9x_attach(sbi->c, o->uname, o->aname, P9X_NONUNAME, owner);
	if (IS_ERR(root_fid)) {
		errorfc(fc, "%s: Tattach of '%s' failed: %ld", fc->source,
			o->aname, PTR_ERR(root_fid));
		return PTR_ERR(root_fid);
	}
	/* The share's own host filesystem is this superblock's device. */
	p9x_devmap_init(&sbi->devmap, root_fid->qid.dev, sb->s_dev);
	/*
	 * File ids, never decoded, where qids name one file each: in
	 * 9P2000.Lx sessions (export.c).
	 */
	if (P9X_HAVE_FID_HANDLES && sbi->c->dialect == P9X_DIALECT_LX)
		sb->s_export_op = &p9x_export_ops;
	ver = p9x_attr_version(sb);
	err = p9x_getattr(root_fid, P9X_GETATTR_IDENT, &attr);
	if (err) {
		p9x_fid_put(root_fid);
		return err;
	}
	inode = p9x_iget(sb, &attr, ver);
	if (IS_ERR(inode)) {
		p9x_fid_put(root_fid);
		return PTR_ERR(inode);
	}
	sb->s_root = d_make_root(inode);
	if (!sb->s_root) {
		p9x_fid_put(root_fid);
		return -ENOMEM;
	}
	p9x_dentry_add_fid(sb->s_root, root_fid);
	return 0;
}

static int p9x_get_tree(struct fs_context *fc)
{
	struct p9x_mount_opts *o = fc->fs_private;
	struct p9x_client_opts copts;
	struct p9x_sb *sbi;
	int err;

	if (!fc->source || !*fc->source)
		return invalfc(fc, "no mount tag given (mount -t %s TAG DIR)",
			       fstype);
	sbi = kzalloc_obj(*sbi, GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	init_rwsem(&sbi->rename_sem);
	atomic64_set(&sbi->attr_version, 0);
	/* Taken now: a task's last close may come after its namespaces go. */
	strscpy(sbi->nodename, utsname()->nodename, sizeof(sbi->nodename));
	copts.ops = o->trans;
	copts.msize = o->msize;
	copts.want_lx = o->want_lx;
	copts.fallback = o->fallback;
	copts.args = o->targs;
	sbi->c = p9x_client_create(fc->source, &copts);
	if (IS_ERR(sbi->c)) {
		err = PTR_ERR(sbi->c);
		kfree(sbi);
		return err;
	}
	/* The superblock owns the options from here on. */
	sbi->opts = *o;
	o->uname = NULL;
	o->aname = NULL;
	fc->s_fs_info = sbi;
	return get_tree_nodev(fc, p9x_fill_super);
}

/* remount: the VFS switches ro/rw; 9P options cannot change on the fly. */
static int p9x_reconfigure(struct fs_context *fc)
{
	sync_filesystem(fc->root->d_sb);
	return 0;
}

static void p9x_free_fc(struct fs_context *fc)
{
	struct p9x_mount_opts *o = fc->fs_private;
	struct p9x_sb *sbi = fc->s_fs_info;

	if (o) {
		p9x_free_opts(o);
		kfree(o);
	}
	/* Set if get_tree failed before a superblock took the session. */
	if (sbi) {
		p9x_client_destroy(sbi->c);
		p9x_free_opts(&sbi->opts);
		kfree(sbi);
	}
}

static const struct fs_context_operations p9x_fc_ops = {
	.parse_param = p9x_parse_param,
	.get_tree = p9x_get_tree,
	.reconfigure = p9x_reconfigure,
	.free = p9x_free_fc,
};

static int p9x_init_fs_context(struct fs_context *fc)
{
	struct p9x_mount_opts *o;

	o = kzalloc_obj(*o, GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	o->uname = kstrdup(P9X_DEFAULT_UNAME, GFP_KERNEL);
	o->aname = kstrdup(P9X_DEFAULT_ANAME, GFP_KERNEL);
	if (!o->uname || !o->aname) {
		p9x_free_opts(o);
		kfree(o);
		return -ENOMEM;
	}
	o->trans = &p9x_virtio_trans;
	o->msize = P9X_DEFAULT_MSIZE;
	o->access = P9X_ACCESS_CLIENT;
	o->cache = P9X_CACHE_NONE;
	o->want_lx = true;
	o->fallback = true;
	o->targs.port = P9X_DEFAULT_PORT;
	o->dfltuid = P9X_DEFAULT_ID;
	o->dfltgid = P9X_DEFAULT_ID;
	o->targs.rfd = -1;
	o->targs.wfd = -1;
	fc->fs_private = o;
	fc->ops = &p9x_fc_ops;
	fc->log.prefix = KBUILD_MODNAME;
	return 0;
}

static void p9x_kill_sb(struct super_block *sb)
{
	struct p9x_sb *sbi = sb->s_fs_info;

	/* Releasing the dentries clunks their fids while the session lives. */
	kill_anon_super(sb);
	if (sbi) {
		p9x_devmap_destroy(&sbi->devmap);
		p9x_client_destroy(sbi->c);
		p9x_free_opts(&sbi->opts);
		kfree(sbi);
	}
}

static struct file_system_type p9x_fs_type = {
	.owner = THIS_MODULE,
	.init_fs_context = p9x_init_fs_context,
	.parameters = p9x_params,
	.kill_sb = p9x_kill_sb,
	/* ->rename moves the dentry itself, under rename_sem. */
	.fs_flags = FS_RENAME_DOES_D_MOVE,
};

static int __init p9x_module_init(void)
{
	int err;

	if (!fstype || !*fstype || strchr(fstype, ' ')) {
		pr_err("fstype=%s: not a usable filesystem type name\n",
		       fstype ? fstype : "");
		return -EINVAL;
	}
	p9x_fs_type.name = fstype;

	err = p9x_inode_cache_init();
	if (err)
		return err;
	err = p9x_client_module_init();
	if (err)
		goto out_cache;
	err = p9x_virtio_init();
	if (err)
		goto out_client;
	err = register_filesystem(&p9x_fs_type);
	if (err == -EBUSY)
		pr_err("filesystem type '%s' is already registered (the in-kernel 9p client?): unload 9p and 9pnet_virtio first, or load 9plx with fstype=9plx\n",
		       fstype);
	if (err)
		goto out_virtio;
	pr_info("version %s, filesystem type %s\n", P9X_VERSION, fstype);
	return 0;

out_virtio:
	p9x_virtio_exit();
out_client:
	p9x_client_module_exit();
out_cache:
	p9x_inode_cache_exit();
	return err;
}

static void __exit p9x_module_exit(void)
{
	unregister_filesystem(&p9x_fs_type);
	p9x_virtio_exit();
	p9x_client_module_exit();
	p9x_inode_cache_exit();
}

module_init(p9x_module_init);
module_exit(p9x_module_exit);

MODULE_DESCRIPTION("9P2000.Lx client (9P2000.L with host device and inode in every qid)");
MODULE_AUTHOR("9plx developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(P9X_VERSION);
