// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx device map: in a 9P2000.Lx session every qid carries the host
 * device of the file.  Each distinct host device becomes one guest device
 * number, so (st_dev, st_ino) in the guest is as unique as on the host and
 * tools that stop at device boundaries (find -xdev, du -x, tar, rsync -H)
 * see the host's layout.  The host device of the share's root maps to the
 * superblock's own s_dev; every other one gets an anonymous device number
 * on first sight, kept until unmount.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "devmap.h"

/**
 * struct p9x_devmap_entry - one host device of a mount
 * @node: in p9x_devmap.table
 * @host: the host device, as the server gives it
 * @dev: its guest device number
 * @anon: @dev is an anonymous device number of its own, to give back
 */
struct p9x_devmap_entry {
	struct hlist_node node;
	u64 host;
	dev_t dev;
	bool anon;
};

void p9x_devmap_init(struct p9x_devmap *m, u64 root_host, dev_t root_dev)
{
	spin_lock_init(&m->lock);
	hash_init(m->table);
	m->root_host = root_host;
	m->root_dev = root_dev;
	m->count = 0;
	m->warned = 0;
}

/*
 * A new entry.  Not static where KUnit is built: its tests replace it
 * with one that fails (KUNIT_STATIC_STUB_REDIRECT is empty otherwise).
 */
VISIBLE_IF_KUNIT struct p9x_devmap_entry *p9x_devmap_alloc(void)
{
	KUNIT_STATIC_STUB_REDIRECT(p9x_devmap_alloc);
	return kmalloc(sizeof(struct p9x_devmap_entry), GFP_NOFS);
}

/* The one warning of a mount whose host devices share its device. */
static void p9x_devmap_warn(struct p9x_devmap *m, const char *why)
{
	if (!test_and_set_bit(0, &m->warned))
		pr_warn("%s; the rest share the mount's device number\n", why);
}

static struct p9x_devmap_entry *p9x_devmap_find(struct p9x_devmap *m,
						u64 host)
{
	struct p9x_devmap_entry *e;

	hash_for_each_possible(m->table, e, node, host)
		if (e->host == host)
			return e;
	return NULL;
}

/**
 * p9x_devmap_get() - the guest device number for a host device
 * @m: the mount's map
 * @host: qid.dev from the server
 * @dev: set to the device number to report as st_dev
 *
 * May sleep.  Past P9X_DEVMAP_MAX devices per mount (a server cannot
 * make us use up the system's anonymous device numbers), and once the
 * system has none left, further host devices share the superblock's
 * device, with one warning; that answer is kept like any other, so a
 * host device always gets the same number.
 *
 * Return: 0, or -ENOMEM: nothing is decided then, so a later call can
 * still give the host device a number of its own.
 */
int p9x_devmap_get(struct p9x_devmap *m, u64 host, dev_t *dev)
{
	struct p9x_devmap_entry *e, *mine;
	bool full;

	if (host == m->root_host) {
		*dev = m->root_dev;
		return 0;
	}

	spin_lock(&m->lock);
	e = p9x_devmap_find(m, host);
	full = m->count >= P9X_DEVMAP_MAX;
	*dev = e ? e->dev : m->root_dev;
	spin_unlock(&m->lock);
	if (e || full) {
		if (!e)
			p9x_devmap_warn(m, "more than " __stringify(P9X_DEVMAP_MAX)
					" host filesystems under one mount");
		return 0;
	}

	mine = p9x_devmap_alloc();
	if (!mine)
		return -ENOMEM;
	mine->host = host;
	mine->anon = !get_anon_bdev(&mine->dev);
	if (!mine->anon) {
		mine->dev = m->root_dev;
		p9x_devmap_warn(m, "no anonymous device numbers left");
	}

	spin_lock(&m->lock);
	e = p9x_devmap_find(m, host);
	if (!e && m->count < P9X_DEVMAP_MAX) {
		hash_add(m->table, &mine->node, host);
		m->count++;
		e = mine;
		mine = NULL;
	}
	*dev = e ? e->dev : m->root_dev;
	spin_unlock(&m->lock);

	if (mine) {
		if (mine->anon)
			free_anon_bdev(mine->dev);
		kfree(mine);
	}
	return 0;
}

/* At unmount: give the device numbers back. */
void p9x_devmap_destroy(struct p9x_devmap *m)
{
	struct p9x_devmap_entry *e;
	struct hlist_node *tmp;
	int bkt;

	hash_for_each_safe(m->table, bkt, tmp, e, node) {
		hash_del(&e->node);
		if (e->anon)
			free_anon_bdev(e->dev);
		kfree(e);
	}
	m->count = 0;
}
