// SPDX-License-Identifier: GPL-2.0-only
/// Pages pinned by vaddr_pin_pages() must be released by vaddr_unpin_pages()
/// or vaddr_unpin_page_range() with the same struct vaddr_pin: that is where
/// the pin records of FS-DAX ranges are dropped.  unpin_user_page(s)() or
/// put_page() on such pages leaks the record, and truncate over the range
/// stays refused for good.
//
// Confidence: High
// Options: --no-includes --include-headers

virtual report

@r depends on report exists@
expression addr, n, flags, pages, pin, E;
position p1, p2;
@@
vaddr_pin_pages@p1(addr, n, flags, pages, pin)
... when != pages = E
(
unpin_user_pages@p2(pages, ...)
|
unpin_user_pages_dirty_lock@p2(pages, ...)
|
unpin_user_page@p2(pages[...])
|
put_page@p2(pages[...])
|
unpin_user_page_range_dirty_lock@p2(pages[...], ...)
)

@script:python depends on report@
p1 << r.p1;
p2 << r.p2;
@@
coccilib.report.print_report(p2[0], "pages pinned by vaddr_pin_pages() (line %s) released without vaddr_unpin_pages()" % p1[0].line)
