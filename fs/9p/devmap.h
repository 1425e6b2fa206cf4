/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 9plx device map: host device (qid.dev) to guest st_dev.
 */
#ifndef _9PLX_DEVMAP_H
#define _9PLX_DEVMAP_H

#include <linux/hashtable.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/* Most host filesystems one mount gives device numbers of their own. */
#define P9X_DEVMAP_MAX		4096

/**
 * struct p9x_devmap - host devices seen by one mount
 * @lock: protects @table and @count
 * @table: host device -> struct p9x_devmap_entry
 * @root_host: host device of the share's root
 * @root_dev: the superblock's device, reported for @root_host
 * @count: entries in @table
 * @warned: bit 0: the warning that host devices share the mount's was given
 */
struct p9x_devmap {
	spinlock_t lock;	/* see above */
	DECLARE_HASHTABLE(table, 6);
	u64 root_host;
	dev_t root_dev;
	unsigned int count;
	unsigned long warned;
};

void p9x_devmap_init(struct p9x_devmap *m, u64 root_host, dev_t root_dev);
int p9x_devmap_get(struct p9x_devmap *m, u64 host, dev_t *dev);
void p9x_devmap_destroy(struct p9x_devmap *m);

#if IS_ENABLED(CONFIG_KUNIT)
struct p9x_devmap_entry *p9x_devmap_alloc(void);
#endif

#endif /* _9PLX_DEVMAP_H */
