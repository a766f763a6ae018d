// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the argument checks of vaddr_pin_pages(), which come
 * before it looks at the caller's memory: the test runs in a kernel
 * thread, without an mm, so every case must fail on its arguments alone.
 */
#include <kunit/test.h>
#include <linux/file_pin.h>
#include <linux/limits.h>
#include <linux/mm.h>

static void vaddr_pin_test_bad_arguments(struct kunit *test)
{
	struct vaddr_pin nobody = {}, *pin;
	unsigned long addr = 16 * PAGE_SIZE;
	struct page *pages[2];

	pin = kunit_kzalloc(test, sizeof(*pin), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	/* An owner to name, never looked into by the checks. */
	pin->mm = kunit_kzalloc(test, sizeof(*pin->mm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pin->mm);

	/* No owner */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vaddr_pin_pages(addr, 1, FOLL_WRITE, pages, NULL));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vaddr_pin_pages(addr, 1, FOLL_WRITE, pages, &nobody));
	/* No pages, or no array for them */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vaddr_pin_pages(addr, 0, FOLL_WRITE, pages, pin));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vaddr_pin_pages(addr, 1, FOLL_WRITE, NULL, pin));
	/* More pages than GUP counts */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vaddr_pin_pages(addr, (unsigned long)INT_MAX + 1,
					FOLL_WRITE, pages, pin));
	/* Flags other than FOLL_WRITE, FOLL_FORCE and FOLL_LONGTERM */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vaddr_pin_pages(addr, 1, FOLL_GET, pages, pin));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vaddr_pin_pages(addr, 1, FOLL_WRITE | FOLL_NOWAIT,
					pages, pin));
	/* An unaligned start, a range that wraps */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vaddr_pin_pages(addr + 1, 1, FOLL_WRITE, pages, pin));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vaddr_pin_pages(-PAGE_SIZE, 2, FOLL_WRITE, pages, pin));
}

static struct kunit_case vaddr_pin_test_cases[] = {
	KUNIT_CASE(vaddr_pin_test_bad_arguments),
	{}
};

static struct kunit_suite vaddr_pin_test_suite = {
	.name = "vaddr_pin",
	.test_cases = vaddr_pin_test_cases,
};

kunit_test_suite(vaddr_pin_test_suite);

MODULE_DESCRIPTION("KUnit tests for vaddr_pin_pages()");
MODULE_LICENSE("GPL");
