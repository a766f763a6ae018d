// SPDX-License-Identifier: GPL-2.0
/*
 * vaddr_pin_pages(): long-term pins with an owner.  FS-DAX ranges need a
 * layout lease and are recorded against the file (fs/file_pin.c); other
 * memory is pinned exactly as pin_user_pages_fast(FOLL_LONGTERM) pins it.
 *
 * See Documentation/filesystems/file-pins.rst.
 */
#include <linux/file_pin.h>
#include <linux/fs.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/vmstat.h>
#include <linux/wait_bit.h>

#include "internal.h"

static bool page_is_fsdax(struct page *page)
{
	return is_zone_device_page(page) &&
	       page->pgmap->type == MEMORY_DEVICE_FS_DAX;
}

static struct page *page_at(struct page **pages, struct page *first,
			    unsigned long i)
{
	return pages ? pages[i] : nth_page(first, i);
}

/*
 * Wake layout breaks asleep in file_pin_wait_dax_page() on FS-DAX pages just
 * unpinned (one may be idle now) or pinned (the sleeper must refuse the pin
 * rather than wait for it).  Only ext4 and xfs files can be pinned
 * (FS_LAYOUT_PINS), and both count their sleepers, so the pages are looked
 * at only while a layout break sleeps somewhere.
 */
static void vaddr_wake_dax(struct page **pages, struct page *first,
			   unsigned long i, unsigned long n)
{
	/* The refcounts and records before the look: pairs with the sleeper. */
	smp_mb();
	if (likely(!file_pin_dax_waiting()))
		return;
	for (; n; i++, n--)
		wake_up_var(&page_at(pages, first, i)->_refcount);
}

/*
 * Pin the FS-DAX VMA @vma from @cur on, at most @seg pages into @pages,
 * under the mmap lock, recording a shared mapping's range before pinning
 * it.  Returns the GUP result (or error).
 */
static long vaddr_pin_dax_vma(struct vm_area_struct *vma, unsigned long cur,
			      unsigned long seg, unsigned int gup_flags,
			      struct page **pages, struct vaddr_pin *pin)
{
	struct file_pin *rec;
	long ret;

	if (!(vma->vm_flags & VM_MAYSHARE)) {
		/*
		 * Private: the anonymous copies that copy-on-write made pin
		 * as such, as far as GUP-fast takes them (slow GUP refuses
		 * the VMA); a page of the file still mapped names no range to
		 * record.
		 */
		ret = pin_user_pages_file_fast(cur, seg, gup_flags, pages);
		return ret ? ret : -EOPNOTSUPP;
	}
	rec = file_pin_reserve(pin, vma, cur, cur + (seg << PAGE_SHIFT));
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	ret = pin_user_pages_file(cur, seg, gup_flags, pages);
	if (ret > 0)
		vaddr_wake_dax(pages, NULL, 0, ret);
	if (ret < (long)seg)
		file_pin_put(pin, rec, seg - max(ret, 0L), true);
	return ret;
}

/*
 * The slow part of vaddr_pin_pages(): pin VMA by VMA from page *@done on.
 * FS-DAX is pinned under the mmap lock, which keeps the VMA a range was
 * recorded for; anything else exactly as pin_user_pages_fast() pins it,
 * without the lock, so that its faults may drop the lock and retry
 * (userfaultfd, swap-in, killable I/O).  Returns the last GUP result (or
 * error); *@done counts the pages pinned.
 */
static long vaddr_pin_vmas(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, struct vaddr_pin *pin,
			   unsigned long *done)
{
	long ret = 0;

	while (*done < nr_pages) {
		unsigned long cur = start + (*done << PAGE_SHIFT);
		struct vm_area_struct *vma;
		unsigned long seg;

		if (mmap_read_lock_killable(mm))
			return -EINTR;
		vma = vma_lookup(mm, cur);
		if (!vma) {
			mmap_read_unlock(mm);
			return -EFAULT;
		}
		seg = min(nr_pages - *done, (vma->vm_end - cur) >> PAGE_SHIFT);
		if (vma_is_fsdax(vma)) {
			ret = vaddr_pin_dax_vma(vma, cur, seg, gup_flags,
						pages + *done, pin);
			mmap_read_unlock(mm);
		} else {
			/* Should it turn FS-DAX meanwhile, GUP refuses it. */
			mmap_read_unlock(mm);
			ret = pin_user_pages_fast(cur, seg,
						  gup_flags | FOLL_LONGTERM,
						  pages + *done);
		}
		if (ret <= 0)
			return ret;
		*done += ret;
		if (ret < (long)seg)
			break;
	}
	return ret;
}

/**
 * vaddr_pin_pages - pin user pages long term on behalf of an owner
 * @addr: starting user address
 * @nr_pages: number of pages from @addr to pin
 * @gup_flags: FOLL_WRITE and/or FOLL_FORCE; FOLL_PIN and FOLL_LONGTERM
 *	are implied
 * @pages: array of at least @nr_pages entries that receives the pages
 * @pin: the owner of the pins; @pin->f_owner or @pin->mm must be set
 *
 * Like pin_user_pages_fast(@gup_flags | FOLL_LONGTERM), and in addition pins
 * FS-DAX file memory when the calling process holds a layout lease on the
 * file (fcntl(F_SETLEASE, F_LAYOUT)).  Each contiguous file range pinned is
 * recorded once against the file and @pin; from then on truncate, hole
 * punch and the other layout changes over the range fail instead of
 * freeing the blocks, and the lease stays until the pages are unpinned.
 *
 * The caller must not hold the mmap lock.  Release the pages with
 * vaddr_unpin_pages() and the same @pin, never with unpin_user_pages().
 *
 * Return: the number of pages pinned, which may be fewer than @nr_pages
 * (as for pin_user_pages()); -EINVAL without an owner or pages, for other
 * @gup_flags, for a zero, unaligned or overflowing range, or for more than
 * INT_MAX pages; -EPERM for FS-DAX memory without a layout lease;
 * -EOPNOTSUPP for file pages of a MAP_PRIVATE FS-DAX mapping (its private
 * copies are anonymous memory and pin as such), reflinked (shared) FS-DAX
 * blocks, any page of a file its file system's ->may_pin_blocks() refuses
 * (an xfs file with the reflink flag), holes a read-only pin finds mapped
 * with the zero page, and file pages @pin already pins (a file mapped
 * twice in one registration);
 * -EFAULT for an unmapped address or a caller without an mm (a kernel
 * thread, which also WARNs); -EINTR on a fatal signal; -ENOMEM; other
 * errors as pin_user_pages().
 */
long vaddr_pin_pages(unsigned long addr, unsigned long nr_pages,
		     unsigned int gup_flags, struct page **pages,
		     struct vaddr_pin *pin)
{
	struct mm_struct *mm = current->mm;
	unsigned long start = untagged_addr(addr), len, done = 0;
	long ret;

	/* GUP-fast counts in an int. */
	if (!pin || (!pin->f_owner && !pin->mm) || !pages || !nr_pages ||
	    nr_pages > INT_MAX ||
	    gup_flags & ~(FOLL_WRITE | FOLL_FORCE | FOLL_LONGTERM))
		return -EINVAL;
	if (check_shl_overflow(nr_pages, PAGE_SHIFT, &len) ||
	    start + len < start || !PAGE_ALIGNED(start))
		return -EINVAL;
	/* A kernel thread has no user memory to pin. */
	if (WARN_ON_ONCE(!mm))
		return -EFAULT;

	/*
	 * What GUP-fast can pin long term (never FS-DAX) needs no lock.  An
	 * owner that pins FS-DAX already is most likely pinning more of the
	 * same DAX VMA (ib_umem_get() pins a page of pointers at a time):
	 * skip a walk that would stop at its first page.
	 */
	ret = pin->records ? 0 :
	      pin_user_pages_file_fast(start, nr_pages, gup_flags, pages);
	if (ret > 0)
		done = ret;
	if (done < nr_pages)
		ret = vaddr_pin_vmas(mm, start, nr_pages, gup_flags, pages,
				     pin, &done);

	if (!done)
		return ret ? ret : -EFAULT;
	mod_node_page_state(NODE_DATA(first_online_node),
			    NR_VADDR_PIN_ACQUIRED, done);
	return done;
}
EXPORT_SYMBOL_GPL(vaddr_pin_pages);

/*
 * Drop the pin of one FS-DAX page, as gup_put_folio() would, but leave
 * NR_FOLL_PIN_RELEASED and the wake-up of sleepers to the caller, who
 * handles a run of pages at once.  FS-DAX pages are order-0 folios (an
 * FS-DAX dev_pagemap has no compound pages), so the page is its folio.
 * PG_dirty means nothing for FS-DAX: there is no page cache, and DAX keeps
 * its dirty state in the mapping's entries (ext2, ext4, xfs and fuse have
 * noop_dirty_folio, erofs is read-only).  So unlike
 * unpin_user_pages_dirty_lock() this never locks the page to dirty it.
 */
static void vaddr_unpin_fsdax_page(struct page *page)
{
	/* Someone dropped our pin, with unpin_user_page() say? */
	if (IS_ENABLED(CONFIG_FILE_PIN_DEBUG))
		WARN_ONCE(!page_is_fsdax(page) ||
			  !folio_maybe_dma_pinned(page_folio(page)),
			  "vaddr_pin: pinned page released by other than vaddr_unpin_pages()\n");
	page_ref_sub(page, GUP_PIN_COUNTING_BIAS);
}

static void vaddr_unpin_sole_page(struct page *page, const struct file_pin *rec)
{
	if (IS_ENABLED(CONFIG_FILE_PIN_DEBUG))
		WARN_ONCE(page->mapping != rec->file->f_mapping ||
			  page->index < rec->first || page->index > rec->last,
			  "vaddr_pin: FS-DAX page outside the owner's record\n");
	vaddr_unpin_fsdax_page(page);
}

/*
 * The run of FS-DAX pages from @i on (@page) that an owner with a single
 * record, @rec, unpins: every FS-DAX page an owner pins is counted in one
 * of its records (vaddr_pin_vmas() records each range before pinning it),
 * so here it is every page in @page's dev_pagemap range, found by address
 * alone, and for a physically contiguous range (no @pages) by arithmetic.
 * One range is on one node, for the pin counter.  Returns 0 if @page lies
 * outside the first range.
 */
static unsigned long vaddr_unpin_dax_sole(struct page **pages,
					  unsigned long i, unsigned long nr,
					  struct page *page,
					  const struct file_pin *rec)
{
	const struct range *r = &page->pgmap->range;
	struct page *lo = pfn_to_page(PHYS_PFN(r->start));
	struct page *hi = pfn_to_page(PHYS_PFN(r->end));
	unsigned long n, k;

	if (page < lo || page > hi)
		return 0;
	if (!pages) {
		/* ZONE_DEVICE implies SPARSEMEM_VMEMMAP: one page array. */
		n = min(nr - i, (unsigned long)(hi - page) + 1);
		for (k = 0; k < n; k++)
			vaddr_unpin_sole_page(page + k, rec);
		return n;
	}
	for (n = 0; i + n < nr; n++) {
		page = pages[i + n];
		if (page < lo || page > hi)
			break;
		vaddr_unpin_sole_page(page, rec);
	}
	return n;
}

/*
 * The run of FS-DAX pages from @i on (@page) at consecutive offsets of
 * one file on one node, for an owner with several records.  Only FS-DAX
 * pages carry an FS-DAX file's mapping (a DAX inode has no page cache),
 * so matching it proves the next page is one.
 */
static unsigned long vaddr_unpin_dax_run(struct page **pages,
					 struct page *first, unsigned long i,
					 unsigned long nr, struct page *page)
{
	struct address_space *mapping = page->mapping;
	pgoff_t index = page->index;
	int nid = page_to_nid(page);
	unsigned long n = 0;

	for (;;) {
		vaddr_unpin_fsdax_page(page);
		if (++n == nr - i)
			break;
		page = page_at(pages, first, i + n);
		if (page->mapping != mapping || page->index != index + n ||
		    page_to_nid(page) != nid)
			break;
	}
	return n;
}

/*
 * Unpin @nr pages, given as an array (@pages) or as a physically contiguous
 * range starting at @first, and drop the file pin records they complete.
 * FS-DAX pages are unpinned in runs, in the same pass that finds the run:
 * one page struct visit per page, one pin counter update and one record
 * update per run.
 */
static void vaddr_unpin(struct page **pages, struct page *first,
			unsigned long nr, struct vaddr_pin *pin, bool make_dirty)
{
	unsigned long i = 0, n;

	/* FS-DAX pages are only ever pinned with a record. */
	if (!pin->records) {
		if (pages)
			unpin_user_pages_dirty_lock(pages, nr, make_dirty);
		else
			unpin_user_page_range_dirty_lock(first, nr, make_dirty);
		i = nr;
	}
	/*
	 * Our accesses to the pages before the references go, as the ordered
	 * folio_put_refs() of unpin_user_pages() keeps them: a layout break
	 * frees the blocks once the count reads idle.
	 */
	smp_mb__before_atomic();
	while (i < nr) {
		struct page *page = page_at(pages, first, i);
		struct file_pin *sole = pin->records;
		int nid;

		if (!page_is_fsdax(page)) {
			for (n = 1; i + n < nr; n++) {
				if (page_is_fsdax(page_at(pages, first, i + n)))
					break;
			}
			if (pages)
				unpin_user_pages_dirty_lock(pages + i, n,
							    make_dirty);
			else
				unpin_user_page_range_dirty_lock(page, n,
								 make_dirty);
			i += n;
			continue;
		}
		nid = page_to_nid(page);
		if (sole && sole->next)
			sole = NULL;
		n = sole ? vaddr_unpin_dax_sole(pages, i, nr, page, sole) : 0;
		if (!n)
			n = vaddr_unpin_dax_run(pages, first, i, nr, page);
		vaddr_wake_dax(pages, first, i, n);
		mod_node_page_state(NODE_DATA(nid), NR_FOLL_PIN_RELEASED, n);
		/* Until then the record keeps the file, and @page its place. */
		if (sole)
			file_pin_put(pin, sole, n, false);
		else
			file_pin_release(pin, page->mapping->host, page->index, n);
		i += n;
	}
	mod_node_page_state(NODE_DATA(first_online_node),
			    NR_VADDR_PIN_RELEASED, nr);
}

/**
 * vaddr_unpin_pages - release pages pinned by vaddr_pin_pages()
 * @pages: the pages, in any grouping of earlier vaddr_pin_pages() results
 * @nr_pages: number of entries in @pages
 * @pin: the owner the pages were pinned for
 * @make_dirty: mark the pages dirty first, as unpin_user_pages_dirty_lock();
 *	FS-DAX pages have no page cache and are left as they are
 *
 * File ranges whose pages are all released lose their pin record, which
 * lets layout changes over them proceed and drops the record's reference
 * on the leased file.
 */
void vaddr_unpin_pages(struct page **pages, unsigned long nr_pages,
		       struct vaddr_pin *pin, bool make_dirty)
{
	vaddr_unpin(pages, NULL, nr_pages, pin, make_dirty);
}
EXPORT_SYMBOL_GPL(vaddr_unpin_pages);

/**
 * vaddr_unpin_page_range - release a physically contiguous page range
 * @page: the first page
 * @nr_pages: number of pages
 * @pin: the owner the pages were pinned for
 * @make_dirty: mark the pages dirty first
 *
 * As vaddr_unpin_pages(), for callers that keep pinned pages as ranges
 * (a scatterlist), like unpin_user_page_range_dirty_lock().
 */
void vaddr_unpin_page_range(struct page *page, unsigned long nr_pages,
			    struct vaddr_pin *pin, bool make_dirty)
{
	vaddr_unpin(NULL, page, nr_pages, pin, make_dirty);
}
EXPORT_SYMBOL_GPL(vaddr_unpin_page_range);
