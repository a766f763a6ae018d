// SPDX-License-Identifier: GPL-2.0
/* Deliberately wrong releases of vaddr_pin_pages() pages: the Coccinelle
 * check (scripts/coccinelle/api/vaddr_unpin.cocci) must flag all three. */
static void bad(unsigned long addr, struct page **pages, struct vaddr_pin *pin)
{
	long n = vaddr_pin_pages(addr, 4, FOLL_WRITE, pages, pin);

	if (n < 0)
		return;
	unpin_user_pages(pages, n);
}

static void bad2(unsigned long addr, struct page **pages, struct vaddr_pin *pin)
{
	int i;

	vaddr_pin_pages(addr, 4, 0, pages, pin);
	for (i = 0; i < 4; i++)
		put_page(pages[i]);
}

static void bad3(unsigned long addr, struct page **pages, struct vaddr_pin *pin)
{
	vaddr_pin_pages(addr, 4, 0, pages, pin);
	unpin_user_pages_dirty_lock(pages, 4, true);
}

static void good(unsigned long addr, struct page **pages, struct vaddr_pin *pin)
{
	long n = vaddr_pin_pages(addr, 4, 0, pages, pin);

	if (n > 0)
		vaddr_unpin_pages(pages, n, pin, false);
}
