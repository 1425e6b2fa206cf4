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

#include "devmap.h"

struct p9x_devmap_entry {
	struct hlist_node node;
	u64 host;
	dev_t dev;
};

void p9x_devmap_init(struct p9x_devmap *m, u64 root_host, dev_t root_dev)
{
	spin_lock_init(&m->lock);
	hash_init(m->table);
	m->root_host = root_host;
	m->root_dev = root_dev;
	m->count = 0;
	m->full_warned = false;
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
 *
 * May sleep.  Past P9X_DEVMAP_MAX devices per mount (a server cannot
 * make us use up the system's anonymous device numbers) the rest share
 * the superblock's device, with one warning.
 *
 * Return: the device number to report as st_dev.
 */
dev_t p9x_devmap_get(struct p9x_devmap *m, u64 host)
{
	struct p9x_devmap_entry *e, *mine;
	dev_t dev;

	if (host == m->root_host)
		return m->root_dev;

	spin_lock(&m->lock);
	e = p9x_devmap_find(m, host);
	dev = e ? e->dev : 0;
	spin_unlock(&m->lock);
	if (e)
		return dev;

	mine = kmalloc(sizeof(*mine), GFP_NOFS);
	if (!mine)
		return m->root_dev;
	if (get_anon_bdev(&mine->dev)) {
		kfree(mine);
		return m->root_dev;
	}
	mine->host = host;

	spin_lock(&m->lock);
	e = p9x_devmap_find(m, host);
	if (!e && m->count < P9X_DEVMAP_MAX) {
		hash_add(m->table, &mine->node, host);
		m->count++;
		e = mine;
		mine = NULL;
	}
	dev = e ? e->dev : m->root_dev;
	if (!e && !m->full_warned) {
		m->full_warned = true;
		pr_warn("more than %u host filesystems under one mount; the rest share its device number\n",
			P9X_DEVMAP_MAX);
	}
	spin_unlock(&m->lock);

	if (mine) {
		free_anon_bdev(mine->dev);
		kfree(mine);
	}
	return dev;
}

/* At unmount: give the device numbers back. */
void p9x_devmap_destroy(struct p9x_devmap *m)
{
	struct p9x_devmap_entry *e;
	struct hlist_node *tmp;
	int bkt;

	hash_for_each_safe(m->table, bkt, tmp, e, node) {
		hash_del(&e->node);
		free_anon_bdev(e->dev);
		kfree(e);
	}
	m->count = 0;
}
