/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Long-term pins of file (FS-DAX) memory under a layout lease.
 *
 * See Documentation/filesystems/file-pins.rst.
 */
#ifndef _LINUX_FILE_PIN_H
#define _LINUX_FILE_PIN_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/falloc.h>
#include <linux/dax.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/page_ref.h>
#include <linux/wait_bit.h>

struct file;
struct file_lease;
struct file_lock_context;
struct inode;
struct mm_struct;
struct page;
struct vm_area_struct;
struct seq_file;
struct pid_namespace;
struct pid;
struct task_struct;

/* Room for a device name: IB_DEVICE_NAME_MAX, the longest RDMA one. */
#define VADDR_PIN_DEVICE_MAX	64

/**
 * struct vaddr_pin - who owns a set of long-term pins
 * @f_owner: the file whose lifetime bounds the pins (e.g. an RDMA uverbs
 *	file), or NULL
 * @mm: the mm that owns the pins when no file does, or NULL
 * @device: optional name of the device the pins serve (e.g. "rxe0"),
 *	copied at registration, shown in /proc/<pid>/file_pins
 * @records: the file pin records made by vaddr_pin_pages() on behalf of
 *	this owner; private to mm/vaddr_pin.c and fs/file_pin.c.
 *	Zero-initialise the structure before the first vaddr_pin_pages()
 *	call.
 *
 * The caller keeps @f_owner (or @mm) alive for as long as pins exist and
 * serialises vaddr_pin_pages()/vaddr_unpin_pages() calls on one vaddr_pin.
 */
struct vaddr_pin {
	struct file *f_owner;
	struct mm_struct *mm;
	char device[VADDR_PIN_DEVICE_MAX];
	struct file_pin *records;
};

/**
 * struct file_pin - one contiguous range of a file's pages pinned long term
 * @inode_node: entry in the inode's file_lock_context->flc_pins, under
 *	flc_lock
 * @owner_node: entry in the hash of records by owner, for /proc
 * @next: next record of the same struct vaddr_pin
 * @file: the open file that holds @lease; a reference is held, so the lease
 *	stays until the record goes, even after close() and munmap()
 * @lease: the layout lease that entitles the pin
 * @owner: the owner's struct vaddr_pin; valid while the record exists
 * @key: the owner's file or mm, the key of @owner_node
 * @first: first pinned page offset in the file
 * @last: last pinned page offset in the file (inclusive)
 * @nr_pages: pages of [@first, @last] still pinned; the record is freed
 *	when this drops to zero
 * @break_end: the end (jiffies) of the lease's layout break that wants the
 *	range, or 0: the record's going ends that break, under flc_lock
 */
struct file_pin {
	struct list_head inode_node;
	struct hlist_node owner_node;
	struct file_pin *next;
	struct file *file;
	struct file_lease *lease;
	const struct vaddr_pin *owner;
	const void *key;
	pgoff_t first;
	pgoff_t last;
	unsigned long nr_pages;
	unsigned long break_end;
};

long vaddr_pin_pages(unsigned long addr, unsigned long nr_pages,
		     unsigned int gup_flags, struct page **pages,
		     struct vaddr_pin *pin);
void vaddr_unpin_pages(struct page **pages, unsigned long nr_pages,
		       struct vaddr_pin *pin, bool make_dirty);
void vaddr_unpin_page_range(struct page *page, unsigned long nr_pages,
			    struct vaddr_pin *pin, bool make_dirty);

/*
 * Widen [*@start, *@end) to the DAX entries it cuts into.  DAX keeps one
 * entry for the 2 MiB of a PMD fault, however its pages are mapped now, in
 * this process or another, and freeing or moving blocks removes every entry
 * the range touches whole, pages outside the range included
 * (truncate_inode_pages_range() deletes a PMD entry that starts below the
 * range).
 */
static inline void file_pin_dax_range(struct inode *inode, loff_t *start,
				      loff_t *end)
{
	struct xarray *xa = &inode->i_mapping->i_pages;
	loff_t size;

	if (*start >= *end || !IS_DAX(inode))
		return;
	size = PAGE_SIZE << xa_get_order(xa, *start >> PAGE_SHIFT);
	*start = round_down(*start, size);
	if (*end == LLONG_MAX)
		return;
	size = PAGE_SIZE << xa_get_order(xa, (*end - 1) >> PAGE_SHIFT);
	*end = *end > LLONG_MAX - size ? LLONG_MAX : round_up(*end, size);
}

#ifdef CONFIG_FILE_LOCKING
extern int lease_break_time;

int layout_lease_set(unsigned int fd, struct file *filp, int arg);
int layout_lease_bits(struct file_lease *fl);
bool layout_leases_only(struct file_lock_context *ctx);
struct page *file_pin_dax_busy_page(struct inode *inode, loff_t *start,
				    loff_t *end,
				    long (*wait)(struct inode *inode, long timeout));
int file_pin_refuse_range(struct inode *inode, loff_t start, loff_t end);
int proc_file_pins_show(struct seq_file *m, struct pid_namespace *ns,
			struct pid *pid, struct task_struct *task);
size_t proc_file_pins_size(struct task_struct *task);
void file_pin_show_fdinfo(struct seq_file *m, struct file *file);
void file_pin_check_owner(const void *owner);

extern atomic_t file_pin_dax_waiters;
int file_pin_wait_dax_page(struct inode *inode, loff_t start, loff_t end,
			   struct page *page,
			   long (*wait)(struct inode *inode, long timeout));

/* Internal to fs/file_pin.c and mm/vaddr_pin.c. */
static inline bool file_pin_dax_waiting(void)
{
	return atomic_read(&file_pin_dax_waiters);
}

struct file_pin *file_pin_reserve(struct vaddr_pin *pin,
				  struct vm_area_struct *vma,
				  unsigned long start, unsigned long end);
void file_pin_put(struct vaddr_pin *pin, struct file_pin *p, unsigned long nr,
		  bool shrink);
void file_pin_release(struct vaddr_pin *pin, struct inode *inode,
		      pgoff_t index, unsigned long nr);
#else
static inline struct page *
file_pin_dax_busy_page(struct inode *inode, loff_t *start, loff_t *end,
		       long (*wait)(struct inode *inode, long timeout))
{
	file_pin_dax_range(inode, start, end);
	if (*start >= *end)
		return NULL;
	return dax_layout_busy_page_range(inode->i_mapping, *start,
					  *end == LLONG_MAX ? *end : *end - 1);
}

static inline int file_pin_refuse_range(struct inode *inode, loff_t start,
					loff_t end)
{
	return 0;
}

static inline int file_pin_wait_dax_page(struct inode *inode, loff_t start,
					 loff_t end, struct page *page,
					 long (*wait)(struct inode *inode,
						      long timeout))
{
	return ___wait_var_event(&page->_refcount,
				 page_ref_count(page) == 1, TASK_INTERRUPTIBLE,
				 0, 0, wait(inode, MAX_SCHEDULE_TIMEOUT));
}

static inline bool file_pin_dax_waiting(void)
{
	return false;
}

static inline void file_pin_show_fdinfo(struct seq_file *m, struct file *file)
{
}

static inline void file_pin_check_owner(const void *owner)
{
}

static inline struct file_pin *file_pin_reserve(struct vaddr_pin *pin,
						struct vm_area_struct *vma,
						unsigned long start,
						unsigned long end)
{
	return ERR_PTR(-EPERM);
}

static inline void file_pin_put(struct vaddr_pin *pin, struct file_pin *p,
				unsigned long nr, bool shrink)
{
}

static inline void file_pin_release(struct vaddr_pin *pin,
				    struct inode *inode, pgoff_t index,
				    unsigned long nr)
{
}
#endif

/* Range logic and the pin check of a layout break, for KUnit to drive. */
bool file_pin_overlaps(const struct file_pin *p, pgoff_t first, pgoff_t last);
bool file_pin_extend(struct file_pin *p, const struct vaddr_pin *owner,
		     struct file_lease *lease, pgoff_t first, pgoff_t last);
struct file_pin *file_pin_lookup(struct file_pin *records,
				 struct inode *inode, pgoff_t index);
struct file_pin *file_pin_busy(struct file_lock_context *ctx, pgoff_t first,
			       pgoff_t last, bool *now);

/**
 * falloc_layout_end - end of the byte range whose blocks fallocate() frees
 * @inode: the file
 * @mode: fallocate mode
 * @offset: start of the range
 * @len: length of the range
 *
 * Return: the exclusive end of [@offset, end) that @mode frees or moves;
 * LLONG_MAX for modes that shift the rest of the file, @offset (an empty
 * range) for modes that only allocate, and for a shift by other than
 * whole blocks, which the file systems refuse with -EINVAL after the break:
 * such a request must neither fail with -ETXTBSY nor break a lease.  The
 * block size never changes, so unlike the size it cannot turn an invalid
 * request valid while a break drops the file's locks.
 */
static inline loff_t falloc_layout_end(struct inode *inode, int mode,
				       loff_t offset, loff_t len)
{
	if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
		return (offset | len) & (i_blocksize(inode) - 1) ?
		       offset : LLONG_MAX;
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE |
		    FALLOC_FL_UNSHARE_RANGE))
		return offset + len;
	return offset;
}

/**
 * truncate_layout_end - end of the byte range a truncate frees
 * @inode: the file
 * @size: the new size
 *
 * Return: LLONG_MAX when @size shrinks @inode ([@size, EOF) is freed);
 * @size, an empty range, when the file keeps its size or grows.
 */
static inline loff_t truncate_layout_end(struct inode *inode, loff_t size)
{
	return size < i_size_read(inode) ? LLONG_MAX : size;
}

#endif /* _LINUX_FILE_PIN_H */
