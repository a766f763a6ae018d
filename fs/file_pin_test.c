// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the file pin record and range logic of fs/file_pin.c.
 */
#include <kunit/test.h>
#include <linux/file_pin.h>
#include <linux/filelock.h>
#include <linux/fs.h>
#include <linux/slab.h>

struct file_pin_test_ctx {
	struct file_lock_context flc;	/* the inode's records: flc_pins */
	struct file_lease lease;	/* breakable, another process's */
	struct vaddr_pin owner;
	struct inode inode[2];
	struct file file[2];
};

static int file_pin_test_init(struct kunit *test)
{
	struct file_pin_test_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	spin_lock_init(&c->flc.flc_lock);
	INIT_LIST_HEAD(&c->flc.flc_pins);
	c->lease.c.flc_flags = FL_LAYOUT;
	c->file[0].f_inode = &c->inode[0];
	c->file[1].f_inode = &c->inode[1];
	test->priv = c;
	return 0;
}

/*
 * What a layout break over [first, last] finds: file_pin_busy(), which
 * must not ask to refuse at once under another process's breakable lease.
 */
static struct file_pin *file_pin_find(struct kunit *test, pgoff_t first,
				      pgoff_t last)
{
	struct file_pin_test_ctx *c = test->priv;
	bool now = false;
	struct file_pin *p = file_pin_busy(&c->flc, first, last, &now);

	KUNIT_EXPECT_FALSE(test, now);
	return p;
}

/* A record of file @f over [first, last], added to the inode list and the owner. */
static struct file_pin *add_pin(struct kunit *test, int f, pgoff_t first,
				pgoff_t last)
{
	struct file_pin_test_ctx *c = test->priv;
	struct file_pin *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->file = &c->file[f];
	p->lease = &c->lease;
	p->owner = &c->owner;
	p->first = first;
	p->last = last;
	p->nr_pages = last - first + 1;
	list_add_tail(&p->inode_node, &c->flc.flc_pins);
	p->next = c->owner.records;
	c->owner.records = p;
	return p;
}

static void file_pin_test_overlap(struct kunit *test)
{
	struct file_pin *p = add_pin(test, 0, 10, 19);

	KUNIT_EXPECT_PTR_EQ(test, file_pin_find(test, 10, 10), p);
	KUNIT_EXPECT_PTR_EQ(test, file_pin_find(test, 19, 19), p);
	KUNIT_EXPECT_PTR_EQ(test, file_pin_find(test, 0, 10), p);
	KUNIT_EXPECT_PTR_EQ(test, file_pin_find(test, 15, ULONG_MAX), p);
	KUNIT_EXPECT_PTR_EQ(test, file_pin_find(test, 0, ULONG_MAX), p);
}

static void file_pin_test_adjacent(struct kunit *test)
{
	add_pin(test, 0, 10, 19);
	/* Truncating at the first page after the pin does not touch it. */
	KUNIT_EXPECT_NULL(test, file_pin_find(test, 20, ULONG_MAX));
	KUNIT_EXPECT_NULL(test, file_pin_find(test, 0, 9));
	KUNIT_EXPECT_NULL(test, file_pin_find(test, 9, 9));
}

static void file_pin_test_nested(struct kunit *test)
{
	struct file_pin_test_ctx *c = test->priv;
	struct file_pin *outer = add_pin(test, 0, 0, 99);

	add_pin(test, 0, 40, 49);
	/* A range inside both finds one of them; inside only the outer finds it. */
	KUNIT_EXPECT_NOT_NULL(test, file_pin_find(test, 45, 45));
	KUNIT_EXPECT_PTR_EQ(test, file_pin_find(test, 60, 70), outer);
	KUNIT_EXPECT_PTR_EQ(test, file_pin_lookup(c->owner.records,
						  &c->inode[0], 99), outer);
}

static void file_pin_test_extend(struct kunit *test)
{
	struct file_pin_test_ctx *c = test->priv;
	struct vaddr_pin other = {};
	struct file_pin *p = add_pin(test, 0, 0, 511);

	/* Only a range that continues the record under the same owner and lease. */
	KUNIT_EXPECT_FALSE(test, file_pin_extend(p, &c->owner, &c->lease, 513,
						 600));
	KUNIT_EXPECT_FALSE(test, file_pin_extend(p, &other, &c->lease, 512,
						 600));
	KUNIT_EXPECT_FALSE(test, file_pin_extend(p, &c->owner, NULL, 512, 600));
	KUNIT_EXPECT_TRUE(test, file_pin_extend(p, &c->owner, &c->lease, 512,
						1023));
	KUNIT_EXPECT_EQ(test, p->last, 1023UL);
	KUNIT_EXPECT_EQ(test, p->nr_pages, 1024UL);
	KUNIT_EXPECT_PTR_EQ(test, file_pin_find(test, 1000, 1000), p);
}

static void file_pin_test_lookup_by_file(struct kunit *test)
{
	struct file_pin_test_ctx *c = test->priv;
	struct file_pin *a = add_pin(test, 0, 0, 9);
	struct file_pin *b = add_pin(test, 1, 0, 9);

	KUNIT_EXPECT_PTR_EQ(test, file_pin_lookup(c->owner.records,
						  &c->inode[0], 5), a);
	KUNIT_EXPECT_PTR_EQ(test, file_pin_lookup(c->owner.records,
						  &c->inode[1], 5), b);
	KUNIT_EXPECT_NULL(test, file_pin_lookup(c->owner.records,
						&c->inode[1], 10));
}

static void file_pin_test_many(struct kunit *test)
{
	pgoff_t i;

	/* 1000 records of one page with one-page gaps: 0, 2, 4, ... */
	for (i = 0; i < 1000; i++)
		add_pin(test, 0, 2 * i, 2 * i);
	for (i = 0; i < 1000; i++) {
		KUNIT_EXPECT_NOT_NULL(test, file_pin_find(test, 2 * i, 2 * i));
		KUNIT_EXPECT_NULL(test, file_pin_find(test, 2 * i + 1,
						      2 * i + 1));
	}
	KUNIT_EXPECT_NULL(test, file_pin_find(test, 2000, ULONG_MAX));
	KUNIT_EXPECT_NOT_NULL(test, file_pin_find(test, 1998, ULONG_MAX));
}

/* Refuse at once under an exclusive lease or the caller's own. */
static void file_pin_test_refuse_now(struct kunit *test)
{
	struct file_pin_test_ctx *c = test->priv;
	struct file_pin *p = add_pin(test, 0, 10, 19);
	bool now = false;

	KUNIT_EXPECT_PTR_EQ(test, file_pin_busy(&c->flc, 0, 9, &now), NULL);
	KUNIT_EXPECT_PTR_EQ(test, file_pin_busy(&c->flc, 0, 10, &now), p);
	KUNIT_EXPECT_FALSE(test, now);
	c->lease.c.flc_flags |= FL_EXCLUSIVE;
	KUNIT_EXPECT_PTR_EQ(test, file_pin_busy(&c->flc, 19, 30, &now), p);
	KUNIT_EXPECT_TRUE(test, now);
	now = false;
	KUNIT_EXPECT_PTR_EQ(test, file_pin_busy(&c->flc, 20, 30, &now), NULL);
	KUNIT_EXPECT_FALSE(test, now);
	c->lease.c.flc_flags &= ~FL_EXCLUSIVE;
	c->lease.fl_pin_pid = task_tgid(current);
	KUNIT_EXPECT_PTR_EQ(test, file_pin_busy(&c->flc, 15, 15, &now), p);
	KUNIT_EXPECT_TRUE(test, now);
}

static void file_pin_test_falloc_range(struct kunit *test)
{
	struct file_pin_test_ctx *c = test->priv;
	struct inode *inode = &c->inode[0];

	inode->i_blkbits = 12;
	KUNIT_EXPECT_EQ(test, falloc_layout_end(inode, FALLOC_FL_PUNCH_HOLE |
						FALLOC_FL_KEEP_SIZE, 4096, 8192),
			12288LL);
	KUNIT_EXPECT_EQ(test, falloc_layout_end(inode, FALLOC_FL_ZERO_RANGE, 0,
						4096), 4096LL);
	KUNIT_EXPECT_EQ(test, falloc_layout_end(inode, FALLOC_FL_COLLAPSE_RANGE,
						0, 4096), LLONG_MAX);
	KUNIT_EXPECT_EQ(test, falloc_layout_end(inode, FALLOC_FL_INSERT_RANGE,
						8192, 4096), LLONG_MAX);
	/* Shifts by part of a block are refused: they break nothing. */
	KUNIT_EXPECT_EQ(test, falloc_layout_end(inode, FALLOC_FL_COLLAPSE_RANGE,
						2048, 4096), 2048LL);
	KUNIT_EXPECT_EQ(test, falloc_layout_end(inode, FALLOC_FL_INSERT_RANGE,
						4096, 512), 4096LL);
	inode->i_blkbits = 10;
	KUNIT_EXPECT_EQ(test, falloc_layout_end(inode, FALLOC_FL_INSERT_RANGE,
						4096, 1024), LLONG_MAX);
	/* Allocation frees nothing: an empty range. */
	KUNIT_EXPECT_EQ(test, falloc_layout_end(inode, 0, 4096, 4096), 4096LL);
	KUNIT_EXPECT_EQ(test, falloc_layout_end(inode, FALLOC_FL_KEEP_SIZE, 0,
						4096), 0LL);
}

static struct kunit_case file_pin_test_cases[] = {
	KUNIT_CASE(file_pin_test_overlap),
	KUNIT_CASE(file_pin_test_adjacent),
	KUNIT_CASE(file_pin_test_nested),
	KUNIT_CASE(file_pin_test_extend),
	KUNIT_CASE(file_pin_test_lookup_by_file),
	KUNIT_CASE(file_pin_test_many),
	KUNIT_CASE(file_pin_test_refuse_now),
	KUNIT_CASE(file_pin_test_falloc_range),
	{}
};

static struct kunit_suite file_pin_test_suite = {
	.name = "file_pin",
	.init = file_pin_test_init,
	.test_cases = file_pin_test_cases,
};

kunit_test_suite(file_pin_test_suite);

MODULE_DESCRIPTION("KUnit tests for file pin records");
MODULE_LICENSE("GPL");
