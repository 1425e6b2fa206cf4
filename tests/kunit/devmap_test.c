// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the 9plx device map (fs/9p/devmap.c): which st_dev a
 * file of a given host device shows.
 *
 * What a user relies on: the share's own host device shows the mount's
 * device; every other host device shows a device number of its own,
 * different from all others, and the same one for as long as the mount
 * lives.  Past the per-mount cap the extra host devices share the
 * mount's device, and that answer does not change between lookups
 * either.  Unmount gives every number back.  A lookup that finds no
 * memory for a new host device fails, rather than showing the mount's
 * device for good.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include "devmap.h"

#define DM_ROOT_HOST	0x801ULL
#define DM_ROOT_DEV	MKDEV(0, 0x3ff)

static int dm_init(struct kunit *test)
{
	struct p9x_devmap *m;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	p9x_devmap_init(m, DM_ROOT_HOST, DM_ROOT_DEV);
	test->priv = m;
	return 0;
}

static void dm_exit(struct kunit *test)
{
	p9x_devmap_destroy(test->priv);
}

static dev_t dm_get(struct kunit *test, u64 host)
{
	dev_t dev = 0;

	KUNIT_EXPECT_EQ(test, p9x_devmap_get(test->priv, host, &dev), 0);
	return dev;
}

/* The share's own host device is the mount's; the others differ. */
static void devmap_root_and_others(struct kunit *test)
{
	struct p9x_devmap *m = test->priv;
	dev_t a, b;

	KUNIT_EXPECT_EQ(test, dm_get(test, DM_ROOT_HOST), DM_ROOT_DEV);
	a = dm_get(test, 0x802);
	b = dm_get(test, 0x10000001ULL << 32);
	KUNIT_EXPECT_NE(test, a, DM_ROOT_DEV);
	KUNIT_EXPECT_NE(test, b, DM_ROOT_DEV);
	KUNIT_EXPECT_NE(test, a, b);
	/* The root's host device takes no entry. */
	KUNIT_EXPECT_EQ(test, m->count, 2U);
}

/* A host device keeps its number for the life of the mount. */
static void devmap_stable(struct kunit *test)
{
	struct p9x_devmap *m = test->priv;
	dev_t first[16];
	unsigned int i, round;

	for (i = 0; i < ARRAY_SIZE(first); i++)
		first[i] = dm_get(test, 0x900 + i);
	for (round = 0; round < 3; round++)
		for (i = 0; i < ARRAY_SIZE(first); i++)
			KUNIT_EXPECT_EQ(test, dm_get(test, 0x900 + i),
					first[i]);
	KUNIT_EXPECT_EQ(test, m->count, (unsigned int)ARRAY_SIZE(first));
}

/*
 * Past the cap: the next host devices show the mount's device, lookup
 * after lookup, and take no entry (no number is allocated for them);
 * those that got a number keep it.  Destroying the map gives all of
 * them back.
 */
static void devmap_cap(struct kunit *test)
{
	struct p9x_devmap *m = test->priv;
	dev_t first, last, d;
	unsigned int i;

	first = dm_get(test, 0x1000);
	for (i = 1; i < P9X_DEVMAP_MAX; i++)
		dm_get(test, 0x1000 + i);
	last = dm_get(test, 0x1000 + P9X_DEVMAP_MAX - 1);
	KUNIT_ASSERT_EQ(test, m->count, (unsigned int)P9X_DEVMAP_MAX);
	KUNIT_EXPECT_NE(test, last, DM_ROOT_DEV);
	KUNIT_EXPECT_FALSE(test, test_bit(0, &m->warned));

	for (i = 0; i < 3; i++) {
		d = dm_get(test, 0x1000 + P9X_DEVMAP_MAX);
		KUNIT_EXPECT_EQ(test, d, DM_ROOT_DEV);
		d = dm_get(test, 0x1000 + P9X_DEVMAP_MAX + 1);
		KUNIT_EXPECT_EQ(test, d, DM_ROOT_DEV);
	}
	KUNIT_EXPECT_EQ(test, m->count, (unsigned int)P9X_DEVMAP_MAX);
	KUNIT_EXPECT_TRUE(test, test_bit(0, &m->warned));
	KUNIT_EXPECT_EQ(test, dm_get(test, 0x1000), first);
	KUNIT_EXPECT_EQ(test, dm_get(test, 0x1000 + P9X_DEVMAP_MAX - 1), last);

	/*
	 * Anonymous numbers come lowest-free first: once all are back, a
	 * new map's first host device gets the number this one started
	 * with.
	 */
	p9x_devmap_destroy(m);
	KUNIT_EXPECT_EQ(test, m->count, 0U);
	p9x_devmap_init(m, DM_ROOT_HOST, DM_ROOT_DEV);
	KUNIT_EXPECT_EQ(test, dm_get(test, 0x5555), first);
}

/* In place of p9x_devmap_alloc(): no memory. */
static struct p9x_devmap_entry *dm_alloc_fails(void)
{
	return NULL;
}

/*
 * Without memory for a new entry nothing is decided: the call fails
 * (the lookup gives ENOMEM, instead of an inode that shows the mount's
 * device for as long as it lives), host devices already known and the
 * share's own still answer, and with memory back the new host device
 * gets a number of its own.
 */
static void devmap_enomem(struct kunit *test)
{
	struct p9x_devmap *m = test->priv;
	dev_t a, b, dev = 0;

	a = dm_get(test, 0x802);
	kunit_activate_static_stub(test, p9x_devmap_alloc, dm_alloc_fails);
	KUNIT_EXPECT_EQ(test, p9x_devmap_get(m, 0x803, &dev), -ENOMEM);
	KUNIT_EXPECT_EQ(test, p9x_devmap_get(m, 0x803, &dev), -ENOMEM);
	KUNIT_EXPECT_EQ(test, dm_get(test, 0x802), a);
	KUNIT_EXPECT_EQ(test, dm_get(test, DM_ROOT_HOST), DM_ROOT_DEV);
	KUNIT_EXPECT_EQ(test, m->count, 1U);
	KUNIT_EXPECT_FALSE(test, test_bit(0, &m->warned));
	kunit_deactivate_static_stub(test, p9x_devmap_alloc);

	b = dm_get(test, 0x803);
	KUNIT_EXPECT_NE(test, b, DM_ROOT_DEV);
	KUNIT_EXPECT_NE(test, b, a);
	KUNIT_EXPECT_EQ(test, dm_get(test, 0x803), b);
	KUNIT_EXPECT_EQ(test, m->count, 2U);
}

static struct kunit_case devmap_cases[] = {
	KUNIT_CASE(devmap_root_and_others),
	KUNIT_CASE(devmap_stable),
	KUNIT_CASE(devmap_cap),
	KUNIT_CASE(devmap_enomem),
	{}
};

static struct kunit_suite devmap_suite = {
	.name = "9plx-devmap",
	.init = dm_init,
	.exit = dm_exit,
	.test_cases = devmap_cases,
};

kunit_test_suites(&devmap_suite);
