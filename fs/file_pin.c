// SPDX-License-Identifier: GPL-2.0
/*
 * Layout leases and the file pin records they entitle.
 *
 * A process that wants to pin FS-DAX file memory long term takes a layout
 * lease (fcntl(F_SETLEASE, F_LAYOUT [| F_EXCLUSIVE])).  Each range pinned
 * by vaddr_pin_pages() becomes a struct file_pin on the inode's
 * file_lock_context, holding a reference on the file that holds the lease:
 * the lease lives until the last pin goes.  File systems ask
 * file_pin_dax_busy_page() before they free or move blocks; it refuses
 * (exclusive lease) or breaks the lease and waits a bounded time
 * (breakable lease) when the range is pinned.
 *
 * Locking: records live on ctx->flc_pins under ctx->flc_lock, next to the
 * leases they point at.
 */
#include <linux/file_pin.h>
#include <linux/error-injection.h>
#include <linux/file.h>
#include <linux/filelock.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/oom.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>
#include <linux/vmstat.h>
#include <linux/hash.h>
#include <linux/fdtable.h>
#include <linux/ptrace.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/xarray.h>

/* Layout breaks waiting in file_pin_break_range(), on any file. */
static atomic_t file_pin_break_waiters = ATOMIC_INIT(0);
/* Layout breaks asleep in file_pin_wait_dax_page(). */
atomic_t file_pin_dax_waiters = ATOMIC_INIT(0);
static struct kmem_cache *file_pin_cache;

/*
 * Every record is also hashed by its owner (the owner's file, or its mm),
 * for /proc/<pid>/file_pins, with a lock per bucket (nested inside
 * flc_lock), so that owners seldom share one.
 */
#define FILE_PIN_OWNER_BITS 8

static struct file_pin_bucket {
	spinlock_t lock;	/* for records */
	struct hlist_head records;
} file_pin_owners[1 << FILE_PIN_OWNER_BITS];

static const void *file_pin_owner_key(const struct vaddr_pin *pin)
{
	return pin->f_owner ? (const void *)pin->f_owner : pin->mm;
}

static struct file_pin_bucket *file_pin_owner_bucket(const void *key)
{
	return &file_pin_owners[hash_ptr(key, FILE_PIN_OWNER_BITS)];
}

/**
 * file_pin_check_owner - CONFIG_FILE_PIN_DEBUG: no pin outlives its owner
 * @owner: an owner that is going away; the final fput() asks for files,
 *	nothing asks for an mm
 *
 * Warns, once per owner, if pin records still name @owner: its user
 * released the owner without vaddr_unpin_pages().
 */
void file_pin_check_owner(const void *owner)
{
	struct file_pin_bucket *b = file_pin_owner_bucket(owner);
	struct file_pin *p;
	unsigned long pages = 0;

	spin_lock(&b->lock);
	hlist_for_each_entry(p, &b->records, owner_node)
		if (p->key == owner)
			pages += p->nr_pages;
	spin_unlock(&b->lock);
	WARN(pages, "file_pin: %lu pinned pages outlive their owner\n", pages);
}

/*
 * Tell the layout breaks waiting in file_pin_break_range() for pins of
 * @ctx's file that they changed: a record went (they may be done), or a
 * record or an exclusive lease appeared (they may have to refuse at once).
 * Breaks on other files sleep on, though they may share the hashed queue,
 * and with no break waiting anywhere (nearly always) nothing is looked up.
 */
static void file_pin_wake_breaks(struct file_lock_context *ctx)
{
	/*
	 * The change, made under flc_lock, before the look: pairs with the
	 * waiter's count before it checks the pins.
	 */
	smp_mb();
	if (atomic_read(&file_pin_break_waiters))
		wake_up_var(ctx);
}

static bool layout_lease_owns_break(struct file_lease *fl)
{
	/*
	 * __break_lease() never breaks a user layout lease: plain writes and
	 * pNFS layout recalls must not disturb it.  Layout changes over
	 * pinned ranges go through file_pin_break_range() instead.
	 */
	return true;
}

static bool layout_lease_break(struct file_lease *fl)
{
	kill_fasync(&fl->fl_fasync, SIGIO, POLL_MSG);
	return false;
}

static int layout_lease_change(struct file_lease *fl, int arg,
			       struct list_head *dispose)
{
	/* An open file holds one kind of lease at a time. */
	if (arg != F_UNLCK)
		return -EBUSY;
	/* The lease stays while pages are pinned under it. */
	if (fl->fl_pins)
		return -EBUSY;
	return lease_modify(fl, arg, dispose);
}

static void layout_lease_setup(struct file_lease *fl, void **priv)
{
	struct file *filp = fl->c.flc_file;
	struct fasync_struct *fa = *priv;

	if (!fasync_insert_entry(fa->fa_fd, filp, &fl->fl_fasync, fa))
		*priv = NULL;
	__f_setown(filp, task_pid(current), PIDTYPE_TGID, 0);
}

static const struct lease_manager_operations layout_lease_ops = {
	.lm_break = layout_lease_break,
	.lm_change = layout_lease_change,
	.lm_setup = layout_lease_setup,
	.lm_breaker_owns_lease = layout_lease_owns_break,
};

static bool is_layout_lease(struct file_lease *fl)
{
	return fl->fl_lmops == &layout_lease_ops;
}

/**
 * layout_leases_only - are all leases of a file user layout leases?
 * @ctx: the file's lock context
 *
 * __break_lease() never breaks a user layout lease (open, delegation and
 * pNFS layout breaks leave it alone), so with no other lease it has
 * nothing to do: this lets it return before allocating its breaker.
 *
 * Return: true if no lease on @ctx is of another kind (or there is none).
 */
bool layout_leases_only(struct file_lock_context *ctx)
{
	struct file_lease *fl;
	bool only = true;

	spin_lock(&ctx->flc_lock);
	list_for_each_entry(fl, &ctx->flc_lease, c.flc_list) {
		if (!is_layout_lease(fl)) {
			only = false;
			break;
		}
	}
	spin_unlock(&ctx->flc_lock);
	return only;
}

/**
 * layout_lease_bits - F_GETLEASE bits of a lease
 * @fl: the lease
 *
 * Return: F_LAYOUT, with F_EXCLUSIVE if unbreakable, for a user layout
 * lease; 0 for any other lease.
 */
int layout_lease_bits(struct file_lease *fl)
{
	if (!is_layout_lease(fl))
		return 0;
	return F_LAYOUT | (fl->c.flc_flags & FL_EXCLUSIVE ? F_EXCLUSIVE : 0);
}

/* Was @fl taken by the calling process? */
static bool layout_lease_is_current(struct file_lease *fl)
{
	return fl->fl_pin_pid == task_tgid(current);
}

/**
 * layout_lease_set - fcntl(F_SETLEASE) with F_LAYOUT
 * @fd: the file descriptor (for SIGIO on a lease break)
 * @filp: the open file
 * @arg: F_LAYOUT or F_LAYOUT | F_EXCLUSIVE
 *
 * Takes a layout lease on a regular FS-DAX file, or changes an existing
 * layout lease of @filp between breakable and exclusive.  The permission
 * rule is a read lease's (file owner or CAP_LEASE).  Only file systems that
 * call file_pin_dax_busy_page() before they free or move blocks grant it
 * (FS_LAYOUT_PINS): elsewhere a pin would not keep its blocks.
 *
 * Return: 0, or -EINVAL for a meaningless @arg or a non-regular file,
 * -EOPNOTSUPP for a file without DAX or on a file system without
 * FS_LAYOUT_PINS, -EACCES without permission or the LSM's error, -EBUSY
 * when @filp holds another kind of lease or a layout lease another process
 * took (a forked child shares the open file but neither pins under nor
 * changes the lease), -EAGAIN/-ENOMEM as for leases.
 */
int layout_lease_set(unsigned int fd, struct file *filp, int arg)
{
	struct inode *inode = file_inode(filp);
	vfsuid_t vfsuid = i_uid_into_vfsuid(file_mnt_idmap(filp), inode);
	unsigned int excl = arg & F_EXCLUSIVE ? FL_EXCLUSIVE : 0;
	struct file_lock_context *ctx;
	struct fasync_struct *new;
	struct file_lease *fl;
	int error;

	if (arg != F_LAYOUT && arg != (F_LAYOUT | F_EXCLUSIVE))
		return -EINVAL;
	if (!S_ISREG(inode->i_mode))
		return -EINVAL;
	if (!IS_DAX(inode) || !(inode->i_sb->s_type->fs_flags & FS_LAYOUT_PINS))
		return -EOPNOTSUPP;
	/* vfs_setlease()'s checks, for a new lease and a changed one alike. */
	if (!vfsuid_eq_kuid(vfsuid, current_fsuid()) && !capable(CAP_LEASE))
		return -EACCES;
	error = security_file_lock(filp, F_RDLCK);
	if (error)
		return error;

	ctx = locks_inode_context(inode);
	if (ctx && !list_empty_careful(&ctx->flc_lease)) {
		error = 1;
		spin_lock(&ctx->flc_lock);
		list_for_each_entry(fl, &ctx->flc_lease, c.flc_list) {
			if (fl->c.flc_file != filp)
				continue;
			/* Only the holder changes it: it is the one pinning. */
			error = -EBUSY;
			if (is_layout_lease(fl) && layout_lease_is_current(fl)) {
				fl->c.flc_flags = (fl->c.flc_flags & ~FL_EXCLUSIVE) | excl;
				error = 0;
			}
			break;
		}
		spin_unlock(&ctx->flc_lock);
		if (!error && excl)
			file_pin_wake_breaks(ctx);
		if (error <= 0)
			return error;
	}

	fl = locks_alloc_lease();
	if (!fl)
		return -ENOMEM;
	fl->c.flc_file = filp;
	fl->c.flc_owner = filp;
	fl->c.flc_pid = current->tgid;
	fl->c.flc_flags = FL_LEASE | FL_LAYOUT | excl;
	fl->c.flc_type = F_RDLCK;
	fl->fl_lmops = &layout_lease_ops;
	/* The holder, as a process that a later one reusing its id is not. */
	fl->fl_pin_pid = get_pid(task_tgid(current));

	new = fasync_alloc();
	if (!new) {
		locks_free_lease(fl);
		return -ENOMEM;
	}
	new->fa_fd = fd;

	/*
	 * Should another thread have given @filp a lease meanwhile,
	 * generic_add_lease() leaves it as it is and fails with -EBUSY.
	 */
	error = kernel_setlease(filp, F_RDLCK, &fl, (void **)&new);
	if (fl)
		locks_free_lease(fl);
	if (new)
		fasync_free(new);
	return error;
}
ALLOW_ERROR_INJECTION(layout_lease_set, ERRNO);

/*
 * The layout lease of the calling process on @inode, under flc_lock: the
 * one it took last, of those whose file is referenced besides by their
 * pins.  A lease that only the pins of a closed and unmapped file keep,
 * which nobody can change or give up any more, is used only when there is
 * no other; an older one whose fd was closed gives way to a newer too.
 * The last fput() of a lease's file leaves the lease listed until __fput()
 * removes it: a file on its way out (no reference) holds no lease.
 */
static struct file_lease *layout_lease_of_current(struct file_lock_context *ctx)
{
	struct file_lease *fl, *open = NULL, *kept = NULL;
	long count;

	list_for_each_entry(fl, &ctx->flc_lease, c.flc_list) {
		if (!is_layout_lease(fl) || !layout_lease_is_current(fl))
			continue;
		count = file_count(fl->c.flc_file);
		/* One file reference per record, as for /proc's held=. */
		if (count > fl->fl_pins)
			open = fl;	/* leases are added at the tail */
		else if (count)
			kept = kept ?: fl;
	}
	return open ?: kept;
}

/**
 * file_pin_overlaps - does a record overlap a page range?
 * @p: the record
 * @first: first page offset
 * @last: last page offset (inclusive)
 *
 * Return: true if [@p->first, @p->last] and [@first, @last] share a page.
 */
bool file_pin_overlaps(const struct file_pin *p, pgoff_t first, pgoff_t last)
{
	return p->first <= last && first <= p->last;
}

/**
 * file_pin_extend - grow a record by a range that continues it
 * @p: the record
 * @owner: the owner of the new range
 * @lease: the lease of the new range
 * @first: first page offset of the new range
 * @last: last page offset of the new range (inclusive)
 *
 * Return: true if [@first, @last] directly follows @p under the same owner
 * and lease and was added to it.
 */
bool file_pin_extend(struct file_pin *p, const struct vaddr_pin *owner,
		     struct file_lease *lease, pgoff_t first, pgoff_t last)
{
	if (p->owner != owner || p->lease != lease || p->last + 1 != first)
		return false;
	p->last = last;
	p->nr_pages += last - first + 1;
	return true;
}

/**
 * file_pin_lookup - the record of an owner that covers a file page
 * @records: the owner's records
 * @inode: the file
 * @index: the page offset
 *
 * Return: the record, or NULL.
 */
struct file_pin *file_pin_lookup(struct file_pin *records,
				 struct inode *inode, pgoff_t index)
{
	for (; records; records = records->next)
		if (file_inode(records->file) == inode &&
		    records->first <= index && index <= records->last)
			return records;
	return NULL;
}

/* A new record of [first, last] of the file for @pin. */
static struct file_pin *file_pin_new(struct vaddr_pin *pin,
				     struct file_lock_context *ctx,
				     pgoff_t first, pgoff_t last)
{
	struct file_pin_bucket *b;
	struct file_lease *fl;
	struct file_pin *p;

	p = kmem_cache_alloc(file_pin_cache, GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	spin_lock(&ctx->flc_lock);
	/*
	 * The chosen lease's file may lose its last reference meanwhile (a
	 * thread closing it): choose again, without it, as it now has none.
	 */
	while ((fl = layout_lease_of_current(ctx)) &&
	       !atomic_long_inc_not_zero(&fl->c.flc_file->f_count))
		;
	if (!fl) {
		spin_unlock(&ctx->flc_lock);
		kmem_cache_free(file_pin_cache, p);
		return ERR_PTR(-EPERM);
	}
	p->file = fl->c.flc_file;
	p->lease = fl;
	p->owner = pin;
	p->key = file_pin_owner_key(pin);
	p->first = first;
	p->last = last;
	p->nr_pages = last - first + 1;
	p->break_end = 0;
	list_add(&p->inode_node, &ctx->flc_pins);
	fl->fl_pins++;
	b = file_pin_owner_bucket(p->key);
	spin_lock(&b->lock);
	hlist_add_head(&p->owner_node, &b->records);
	spin_unlock(&b->lock);
	p->next = pin->records;
	pin->records = p;
	spin_unlock(&ctx->flc_lock);
	mod_node_page_state(NODE_DATA(first_online_node), NR_FILE_PIN_ACQUIRED, 1);
	file_pin_wake_breaks(ctx);
	return p;
}

/**
 * file_pin_reserve - record a range of a DAX VMA before pinning it
 * @pin: the owner
 * @vma: an FS-DAX VMA; the caller holds the mmap lock
 * @start: first address of the range in @vma
 * @end: end of the range (exclusive)
 *
 * From now on layout changes over the range are refused or wait.  The
 * record continues the owner's last record when the file range does.
 *
 * Context: may sleep.  A new record of a file whose file system has
 * ->may_pin_blocks() is made under the file's invalidate_lock, taken
 * shared under the mmap lock, as a page fault does, killably.
 *
 * Return: the record, ERR_PTR(-EPERM) if the calling process holds no
 * layout lease on the VMA's file, ERR_PTR(-EOPNOTSUPP) if the owner already
 * pins a page of the range (the file mapped twice in one registration) or
 * the file system's ->may_pin_blocks() refuses the file (a reflinked xfs
 * file), ERR_PTR(-EINTR) on a fatal signal, or ERR_PTR(-ENOMEM).
 */
struct file_pin *file_pin_reserve(struct vaddr_pin *pin,
				  struct vm_area_struct *vma,
				  unsigned long start, unsigned long end)
{
	struct inode *inode = file_inode(vma->vm_file);
	struct file_lock_context *ctx = locks_inode_context(inode);
	pgoff_t first = linear_page_index(vma, start);
	pgoff_t last = first + ((end - start) >> PAGE_SHIFT) - 1;
	const struct super_operations *sop = inode->i_sb->s_op;
	struct file_lease *fl;
	struct file_pin *p;
	int error;

	if (!ctx || list_empty_careful(&ctx->flc_lease))
		return ERR_PTR(-EPERM);

	/*
	 * Unpinning charges a page to the owner's record that covers its
	 * file offset: two records of one owner must not cover the same one.
	 */
	for (p = pin->records; p; p = p->next)
		if (file_inode(p->file) == inode &&
		    file_pin_overlaps(p, first, last))
			return ERR_PTR(-EOPNOTSUPP);

	/* A call that continues the owner's last record allocates nothing. */
	p = pin->records;
	if (p) {
		spin_lock(&ctx->flc_lock);
		fl = layout_lease_of_current(ctx);
		if (fl && file_pin_extend(p, pin, fl, first, last)) {
			spin_unlock(&ctx->flc_lock);
			file_pin_wake_breaks(ctx);
			return p;
		}
		spin_unlock(&ctx->flc_lock);
	}

	if (!sop->may_pin_blocks)
		return file_pin_new(pin, ctx, first, last);
	/*
	 * Blocks that a write may move (copy on write) cannot be pinned.  The
	 * file system changes its answer only with invalidate_lock held
	 * exclusive, after a layout break that found no pins: asked and
	 * recorded under the lock, a pin either is found or finds the change.
	 * An extended record's file passed this, and pins keep reflinks out.
	 */
	if (down_read_killable(&inode->i_mapping->invalidate_lock))
		return ERR_PTR(-EINTR);
	error = sop->may_pin_blocks(inode);
	p = error ? ERR_PTR(error) : file_pin_new(pin, ctx, first, last);
	up_read(&inode->i_mapping->invalidate_lock);
	return p;
}
ALLOW_ERROR_INJECTION(file_pin_reserve, ERRNO);

/**
 * file_pin_put - drop pages from a record, freeing it when none are left
 * @pin: the owner
 * @p: one of @pin's records
 * @nr: number of pages no longer pinned
 * @shrink: the pages are the tail of the record and were never pinned
 *	(vaddr_pin_pages() pinned less than it reserved)
 */
void file_pin_put(struct vaddr_pin *pin, struct file_pin *p, unsigned long nr,
		  bool shrink)
{
	struct file_lock_context *ctx = locks_inode_context(file_inode(p->file));
	struct file_pin_bucket *b;
	struct file_pin **pp;

	spin_lock(&ctx->flc_lock);
	if (WARN_ON_ONCE(nr > p->nr_pages))
		nr = p->nr_pages;
	p->nr_pages -= nr;
	if (shrink)
		p->last -= nr;
	if (p->nr_pages) {
		spin_unlock(&ctx->flc_lock);
		/* A break may wait for the pages that were never pinned. */
		if (shrink)
			file_pin_wake_breaks(ctx);
		return;
	}
	list_del(&p->inode_node);
	/* Out of /proc before fl_pins drops: held= compares the two. */
	b = file_pin_owner_bucket(p->key);
	spin_lock(&b->lock);
	hlist_del(&p->owner_node);
	spin_unlock(&b->lock);
	p->lease->fl_pins--;
	/* Pins the lease's break wanted went: the next signals and waits anew. */
	if (p->break_end == p->lease->fl_pin_break)
		p->lease->fl_pin_break = 0;
	spin_unlock(&ctx->flc_lock);

	for (pp = &pin->records; *pp != p; pp = &(*pp)->next)
		;
	*pp = p->next;
	/* Before the fput(), which may be the last and free @ctx. */
	file_pin_wake_breaks(ctx);
	fput(p->file);
	kmem_cache_free(file_pin_cache, p);
	mod_node_page_state(NODE_DATA(first_online_node), NR_FILE_PIN_RELEASED, 1);
}

/**
 * file_pin_release - account pages of a file that were unpinned
 * @pin: the owner
 * @inode: the file
 * @index: page offset of the first page
 * @nr: number of pages at consecutive offsets
 */
void file_pin_release(struct vaddr_pin *pin, struct inode *inode,
		      pgoff_t index, unsigned long nr)
{
	while (nr) {
		struct file_pin *p = file_pin_lookup(pin->records, inode, index);
		unsigned long n;

		if (WARN_ON_ONCE(!p))
			return;
		n = min_t(unsigned long, nr, p->last - index + 1);
		file_pin_put(pin, p, n, false);
		index += n;
		nr -= n;
	}
}

/*
 * Is any page of [first, last] pinned?  *@now is set when waiting cannot
 * help: a pin is under an exclusive lease, or the caller holds the lease
 * (it cannot unpin while it waits here).
 */
struct file_pin *file_pin_busy(struct file_lock_context *ctx, pgoff_t first,
			       pgoff_t last, bool *now)
{
	struct file_pin *p, *found = NULL;

	spin_lock(&ctx->flc_lock);
	list_for_each_entry(p, &ctx->flc_pins, inode_node) {
		if (!file_pin_overlaps(p, first, last))
			continue;
		found = p;
		if (p->lease->c.flc_flags & FL_EXCLUSIVE ||
		    layout_lease_is_current(p->lease))
			*now = true;
	}
	spin_unlock(&ctx->flc_lock);
	return found;
}

/* How long a layout break waits for pins: lease-break-time, in jiffies. */
static long file_pin_break_time(void)
{
	return max(lease_break_time, 0) * (long)HZ;
}

/*
 * End the layout breaks over [@first, @last] that ran out less than @full
 * jiffies ago while a record they wanted is still there, under flc_lock.
 * Returns whether it ended one: its pins outlived it, so the caller is
 * refused, and the next call signals and waits anew.  A call that a signal
 * interrupts within every wait (a timer faster than a jiffy) and that is
 * restarted each time is so refused once the break ran out, rather than
 * starting another.  A break abandoned longer ago (its caller killed, say)
 * is left to the caller to start anew.
 */
static bool file_pin_end_breaks(struct file_lock_context *ctx, pgoff_t first,
				pgoff_t last, unsigned long now, long full)
{
	struct file_pin *p;
	bool ended = false;

	lockdep_assert_held(&ctx->flc_lock);
	list_for_each_entry(p, &ctx->flc_pins, inode_node) {
		struct file_lease *fl = p->lease;

		if (file_pin_overlaps(p, first, last) && fl->fl_pin_break &&
		    p->break_end == fl->fl_pin_break &&
		    !time_before(now, fl->fl_pin_break) &&
		    time_before(now, fl->fl_pin_break + full)) {
			fl->fl_pin_break = 0;
			ended = true;
		}
	}
	return ended;
}

/*
 * Break the leases of the pins over [@first, @last] and return how long to
 * wait for the pins.  As __break_lease() keeps fl_break_time, a lease keeps
 * the end of its break until a record the break wants goes or the time
 * runs out: only a lease not already being broken gets a signal and a new
 * end, so a call that a signal interrupted and restarted waits only for
 * the rest.  The records a break wants are those of the range when it
 * starts, stamped with its end: records pinned later, or wanted by an
 * earlier break, do not end it when they go.  A break that ran out lately
 * with such a record left ends instead, and the caller does not wait.  Never
 * longer than lease-break-time from now, nor at all for zero or less.
 */
static long file_pin_notify(struct file_lock_context *ctx, pgoff_t first,
			    pgoff_t last)
{
	long full = file_pin_break_time(), timeout = 0;
	unsigned long now = jiffies, end = full ? (now + full) ?: 1 : 0;
	struct file_lease *done = NULL;
	struct file_pin *p;

	spin_lock(&ctx->flc_lock);
	if (file_pin_end_breaks(ctx, first, last, now, full)) {
		spin_unlock(&ctx->flc_lock);
		return 0;
	}
	list_for_each_entry(p, &ctx->flc_pins, inode_node) {
		struct file_lease *fl = p->lease;

		/* Made exclusive since file_pin_busy(): the wait refuses. */
		if (!file_pin_overlaps(p, first, last) ||
		    fl->c.flc_flags & FL_EXCLUSIVE)
			continue;
		/* (Without a break time, once per run of a lease's records.) */
		if (fl != done && (!fl->fl_pin_break ||
				   !time_before(now, fl->fl_pin_break))) {
			fl->fl_lmops->lm_break(fl);
			fl->fl_pin_break = end;
			done = fl;
		}
		if (fl->fl_pin_break == end)
			p->break_end = end;
		if (fl->fl_pin_break)
			timeout = max_t(long, timeout, fl->fl_pin_break - now);
	}
	spin_unlock(&ctx->flc_lock);
	return min(timeout, full);
}

/* How a layout break sleeps when it cannot drop the caller's locks. */
static long file_pin_sleep(struct inode *inode, long timeout)
{
	return schedule_timeout(timeout);
}

/*
 * One sleep of a layout break through @wait, up to @deadline.  Returns the
 * time left, counting the time @wait takes to retake the caller's locks:
 * wake-ups cannot stretch the break beyond its time.
 */
static long file_pin_sleep_until(struct inode *inode, unsigned long deadline,
				 long (*wait)(struct inode *inode, long timeout))
{
	long left = (long)(deadline - jiffies);

	if (left > 0) {
		wait(inode, left);
		left = (long)(deadline - jiffies);
	}
	return max(left, 0L);
}

/*
 * May the blocks of [@start, @end) (@end LLONG_MAX: to the end) be freed
 * or moved?  If no page of the range is pinned under a layout lease: yes,
 * at once.  If one is pinned under an exclusive lease, or under a lease of
 * the calling process: no (-ETXTBSY), at once.  Otherwise the holders of
 * the breakable leases get SIGIO (or their F_SETSIG signal) and the call
 * sleeps through @wait up to /proc/sys/fs/lease-break-time seconds for the
 * pins of the range to go, counted from the start of the break of their
 * leases: calls that meet a break in progress, a restart after a signal
 * among them, wait only for what is left of it.  A pin that would be
 * refused at once appearing meanwhile (a holder made its lease exclusive,
 * say) ends the wait with a refusal.
 *
 * Return: 0 if nothing was pinned, 1 if the pins went while it slept (and
 * @wait may have dropped the caller's locks meanwhile), -ETXTBSY while pins
 * remain, or -ERESTARTSYS on a signal.
 */
static int file_pin_break_range(struct inode *inode, loff_t start, loff_t end,
				long (*wait)(struct inode *inode, long timeout))
{
	struct file_lock_context *ctx = locks_inode_context(inode);
	unsigned long deadline;
	pgoff_t first, last;
	bool now = false;
	long timeout, ret;

	if (!ctx || list_empty_careful(&ctx->flc_pins) || start >= end)
		return 0;
	first = start >> PAGE_SHIFT;
	last = end == LLONG_MAX ? ULONG_MAX : (end - 1) >> PAGE_SHIFT;

	if (!file_pin_busy(ctx, first, last, &now))
		return 0;
	if (now)
		return -ETXTBSY;

	/* As __break_lease(): a break time of zero or less does not wait. */
	timeout = file_pin_notify(ctx, first, last);
	deadline = jiffies + timeout;
	/* Counted before the first check: prepare_to_wait_event() orders it. */
	atomic_inc(&file_pin_break_waiters);
	ret = ___wait_var_event(ctx,
				___wait_cond_timeout(!file_pin_busy(ctx, first,
								    last, &now) ||
						     now),
				TASK_INTERRUPTIBLE, 0, timeout,
				__ret = file_pin_sleep_until(inode, deadline,
							     wait));
	atomic_dec(&file_pin_break_waiters);
	if (ret < 0)
		return ret;	/* the break goes on: a restart waits the rest */
	if (ret && !now)
		return 1;
	if (!ret) {
		/* It ran out: the next call signals and waits anew. */
		spin_lock(&ctx->flc_lock);
		file_pin_end_breaks(ctx, first, last, jiffies,
				    file_pin_break_time());
		spin_unlock(&ctx->flc_lock);
	}
	return -ETXTBSY;
}

/* Is any page of [@start, @end) pinned? */
static bool file_pin_range_busy(struct inode *inode, loff_t start, loff_t end)
{
	struct file_lock_context *ctx = locks_inode_context(inode);
	bool now;

	if (!ctx || list_empty_careful(&ctx->flc_pins) || start >= end)
		return false;
	return file_pin_busy(ctx, start >> PAGE_SHIFT, end == LLONG_MAX ?
			     ULONG_MAX : (end - 1) >> PAGE_SHIFT, &now);
}

/**
 * file_pin_refuse_range - the pin check of a change that breaks no lease
 * @inode: the file
 * @start: first byte of the range
 * @end: end of the range (exclusive), LLONG_MAX for "to the end"
 *
 * For a change that moves no block of @inode but makes them shared, so
 * that a later write moves them (the source of a reflink or dedupe): the
 * holders of pins over the range have nothing to give way for, and the
 * caller may not even be able to write the file.  A caller that wants
 * the data can copy it instead (copy_file_range() and cp --reflink=auto
 * fall back to that on their own).  Call under the lock that keeps new
 * records out (invalidate_lock), then break layouts as usual, for the
 * transient users of DAX pages.
 *
 * Return: -ETXTBSY if a page of the range is pinned, else 0.
 */
int file_pin_refuse_range(struct inode *inode, loff_t start, loff_t end)
{
	return file_pin_range_busy(inode, start, end) ? -ETXTBSY : 0;
}
EXPORT_SYMBOL_GPL(file_pin_refuse_range);

/**
 * file_pin_dax_busy_page - the pin checks and busy page scan of a layout break
 * @inode: the file whose layout is being broken
 * @start: first byte of the range to be freed or moved; widened
 * @end: end of the range (exclusive), LLONG_MAX for "to the end"; widened
 * @wait: drops the caller's layout locks, sleeps up to the timeout it is
 *	given, retakes them and returns the time left; NULL if the locks
 *	cannot be dropped
 *
 * One step of ext4_break_layouts() and xfs_break_dax_layouts(), under the
 * lock that keeps page faults, hence new DAX entries, out.  The range is
 * widened to the DAX entries it cuts into, which go whole, so that every
 * check and the unmap cover all of their pages and none stays mapped for
 * GUP to pin unseen.  A pin of the range is refused (or waited for, as
 * file_pin_break_range() says) before the unmap and scan of
 * dax_layout_busy_page_range(), and again after it: GUP pins a page that
 * is still mapped without a fault, hence without the caller's lock, but
 * vaddr_pin_pages() records a range before it pins it, so a pin taken
 * before the unmap is caught even if its mapping is gone by the time of
 * the scan.  Waiting for pins through @wait lets page faults in, so that a
 * holder that is faulting pages of the file in (inside ibv_reg_mr(), say)
 * is not stuck behind the break and can unpin; the steps then start over.
 *
 * Return: NULL when the blocks may go; a busy page, not pinned under a
 * lease, to wait for with file_pin_wait_dax_page() over the widened range;
 * or an ERR_PTR() of -ETXTBSY (pinned) or -ERESTARTSYS (a signal).
 */
struct page *file_pin_dax_busy_page(struct inode *inode, loff_t *start,
				    loff_t *end,
				    long (*wait)(struct inode *inode, long timeout))
{
	loff_t from = *start, to = *end;
	struct page *page;
	int error;

	wait = wait ?: file_pin_sleep;
	do {
		page = NULL;
		*start = from;
		*end = to;
		file_pin_dax_range(inode, start, end);
		error = file_pin_break_range(inode, *start, *end, wait);
		if (error || *start >= *end)
			continue;
		page = dax_layout_busy_page_range(inode->i_mapping, *start,
						  *end == LLONG_MAX ? *end :
						  *end - 1);
		/*
		 * The scan skips a file no longer mapped, but a pin taken
		 * before was recorded before munmap() released i_mmap_rwsem:
		 * acquire it, so that the check below sees the record.
		 */
		i_mmap_lock_read(inode->i_mapping);
		i_mmap_unlock_read(inode->i_mapping);
		error = file_pin_break_range(inode, *start, *end, wait);
	} while (error > 0);
	return error ? ERR_PTR(error) : page;
}
EXPORT_SYMBOL_GPL(file_pin_dax_busy_page);

/**
 * file_pin_wait_dax_page - sleep until a busy FS-DAX page of a range is idle
 * @inode: the file whose layout is being broken
 * @start: first byte of the range (as file_pin_dax_busy_page() widened it)
 * @end: end of the range (exclusive); LLONG_MAX for "to the end"
 * @page: a page of the range that dax_layout_busy_page_range() found busy
 *	although no pin record covers the range
 * @wait: drops the caller's layout locks, sleeps and retakes them
 *
 * The wait of ext4_break_layouts() and xfs_break_dax_layouts(), the file
 * systems that grant layout leases (FS_LAYOUT_PINS).  @page is busy for a
 * transient user (direct I/O, say).  @wait lets page faults in, so a
 * vaddr_pin_pages() call may pin pages of the range meanwhile: a pin of
 * @page ends the wait at once, any other once the transient user lets go,
 * and the caller's next check refuses it instead of waiting for it to go.
 * Sleepers are counted, so that unpinning and pinning look for one on each
 * page only while a layout break sleeps somewhere.
 *
 * Return: 0 once @page is idle or the range pinned, -ERESTARTSYS on a
 * signal.
 */
int file_pin_wait_dax_page(struct inode *inode, loff_t start, loff_t end,
			   struct page *page,
			   long (*wait)(struct inode *inode, long timeout))
{
	int error;

	atomic_inc(&file_pin_dax_waiters);
	smp_mb__after_atomic();	/* pairs with vaddr_wake_dax() */
	error = ___wait_var_event(&page->_refcount, page_ref_count(page) == 1 ||
				  file_pin_range_busy(inode, start, end),
				  TASK_INTERRUPTIBLE, 0, 0,
				  wait(inode, MAX_SCHEDULE_TIMEOUT));
	atomic_dec(&file_pin_dax_waiters);
	return error;
}
EXPORT_SYMBOL_GPL(file_pin_wait_dax_page);

/* What /proc shows of one record, copied under its bucket's lock. */
struct file_pin_snap {
	struct path path;	/* referenced: printed later */
	pgoff_t first, last;
	unsigned long nr_pages;
	bool exclusive;
	bool held_open;	/* the lease's file has users besides the pins */
	char device[VADDR_PIN_DEVICE_MAX];
};

/*
 * Count the records of @key and copy the first @max of them.  The lock is
 * held only while copying, never while printing; the cost is linear in the
 * owner's records.  Range, pages and lease kind change under flc_lock, not
 * this one: a line may show a record in the middle of a change.
 */
static unsigned int file_pin_snapshot(const void *key,
				      struct file_pin_snap *snap,
				      unsigned int max)
{
	struct file_pin_bucket *b = file_pin_owner_bucket(key);
	struct file_pin *p;
	unsigned int n = 0;

	spin_lock(&b->lock);
	hlist_for_each_entry(p, &b->records, owner_node) {
		struct file_pin_snap *s;

		if (p->key != key)
			continue;
		if (n < max) {
			s = &snap[n];
			/*
			 * One file reference per pin record: any more are
			 * users (readers like us take path references).
			 */
			s->held_open = file_count(p->file) >
				       READ_ONCE(p->lease->fl_pins);
			s->path = p->file->f_path;
			path_get(&s->path);
			s->first = READ_ONCE(p->first);
			s->last = READ_ONCE(p->last);
			s->nr_pages = READ_ONCE(p->nr_pages);
			s->exclusive = READ_ONCE(p->lease->c.flc_flags) &
				       FL_EXCLUSIVE;
			strscpy(s->device, p->owner->device[0] ?
				p->owner->device : "-");
		}
		n++;
	}
	spin_unlock(&b->lock);
	return n;
}

/* Characters /proc escapes in values, so that fields split at spaces. */
#define FILE_PIN_ESCAPE " \t\n\\="

/* Drop the path references of the first @n snapshot entries. */
static void file_pin_snap_put(struct file_pin_snap *snap, unsigned int n)
{
	while (n--)
		path_put(&snap[n].path);
}

/*
 * Print the records of one owner to @m, or with @m NULL only count them;
 * @fd is the owner's fd number, or "map", or "-".  Returns the number of
 * records, or -ENOMEM: a listing that misses records must not look whole.
 */
static long file_pin_owner(struct seq_file *m, const void *key,
			   const char *fd, struct file *owner)
{
	struct file_pin_snap *snap;
	unsigned int n, max, i;

	n = file_pin_snapshot(key, NULL, 0);
	if (!m || !n)
		return n;
	if (seq_has_overflowed(m))	/* show() runs again anyway */
		return 0;
	for (;;) {
		max = n + 16;	/* room for records added meanwhile */
		snap = kvmalloc_array(max, sizeof(*snap), GFP_KERNEL);
		if (!snap)
			return -ENOMEM;
		n = file_pin_snapshot(key, snap, max);
		if (n <= max)
			break;
		file_pin_snap_put(snap, max);
		kvfree(snap);
	}
	for (i = 0; i < n; i++) {
		struct file_pin_snap *s = &snap[i];
		struct inode *inode = d_inode(s->path.dentry);

		if (owner) {
			seq_printf(m, "owner_fd=%s owner=", fd);
			seq_path(m, &owner->f_path, FILE_PIN_ESCAPE);
		} else {
			seq_puts(m, "owner_fd=- owner=mm");
		}
		/* Device names may hold spaces and '=': escaped as paths. */
		seq_puts(m, " device=");
		seq_escape(m, s->device, FILE_PIN_ESCAPE);
		seq_printf(m, " fsdev=%u:%u ino=%lu range=%lu-%lu pages=%lu lease=%s held=%s file=",
			   MAJOR(inode->i_sb->s_dev),
			   MINOR(inode->i_sb->s_dev), inode->i_ino,
			   s->first, s->last, s->nr_pages,
			   s->exclusive ? "exclusive" : "layout",
			   s->held_open ? "open" : "pins");
		seq_path(m, &s->path, FILE_PIN_ESCAPE);
		seq_putc(m, '\n');
	}
	file_pin_snap_put(snap, n);
	kvfree(snap);
	return n;
}

/*
 * Remember an owner as listed (under an fd), or as one found only through
 * a mapping (@mapped, XA_MARK_0), to be listed after the walk.  @owners
 * is indexed by file address and holds a reference on each.  Returns 0 or
 * -ENOMEM: an owner not noted would be listed twice, or not at all.
 */
static int file_pin_note(struct xarray *owners, struct file *file,
			 bool mapped)
{
	unsigned long key = (unsigned long)file;

	if (xa_insert(owners, key, file, GFP_KERNEL))
		return -ENOMEM;	/* not -EBUSY: the caller looked it up */
	get_file(file);
	if (mapped)
		xa_set_mark(owners, key, XA_MARK_0);
	return 0;
}

/*
 * The thread whose files and mm to walk, referenced: @task, or once it has
 * exited (a main thread that called pthread_exit()) a live thread of its
 * group, whose pins are the process's.  NULL when none is left.
 */
static struct task_struct *file_pin_live_thread(struct task_struct *task)
{
	struct task_struct *t;

	if (READ_ONCE(task->mm))
		return get_task_struct(task);
	t = find_lock_task_mm(task);
	if (!t)
		return NULL;
	__acquire(&t->alloc_lock);	/* for sparse: t comes locked */
	/* The task lock keeps @t until the reference is taken. */
	get_task_struct(t);
	task_unlock(t);
	return t;
}

/*
 * Print the records of each owner of pins @t can reach to @m, or with @m
 * NULL only count them: its open files (each under its first fd), then
 * files it only maps (owner_fd=map), then its mm (owner_fd=-).  Each owner
 * is listed once, however many fds and mappings refer to it: the output is
 * linear in the records.  Returns the number of records, or -ENOMEM.
 */
static long file_pin_walk_owners(struct task_struct *t, struct seq_file *m)
{
	struct file *file, *last = NULL;
	struct vm_area_struct *vma;
	unsigned long key;
	struct xarray owners;
	struct mm_struct *mm;
	long n = 0, k = 0;
	unsigned int fd;
	char buf[16];

	xa_init(&owners);
	for (fd = 0;; fd++) {
		/* show() runs again with a bigger buffer: stop here. */
		if (fatal_signal_pending(current) || (m && seq_has_overflowed(m)))
			goto out;
		cond_resched();
		rcu_read_lock();
		file = task_lookup_next_fdget_rcu(t, &fd);
		rcu_read_unlock();
		if (!file)
			break;
		if (!xa_load(&owners, (unsigned long)file)) {
			snprintf(buf, sizeof(buf), "%u", fd);
			k = file_pin_owner(m, file, buf, file);
			if (k > 0) {
				n += k;
				if (file_pin_note(&owners, file, false))
					k = -ENOMEM;
			}
		}
		fput(file);
		if (k < 0)
			goto out;
	}
	mm = get_task_mm(t);
	if (!mm)
		goto out;
	/*
	 * Owners the task reaches only through a mapping, e.g. an RDMA
	 * context whose fd was closed while its queues stay mapped.  An
	 * owner maps many VMAs (one per queue): each file is looked up once.
	 */
	if (!mmap_read_lock_killable(mm)) {
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			file = vma->vm_file;
			cond_resched();
			if (!file || file == last)
				continue;
			last = file;
			if (!xa_load(&owners, (unsigned long)file) &&
			    file_pin_snapshot(file, NULL, 0)) {
				k = file_pin_note(&owners, file, true);
				if (k < 0)
					break;
			}
		}
		mmap_read_unlock(mm);
	}
	xa_for_each_marked(&owners, key, file, XA_MARK_0) {
		if (k < 0)
			break;
		k = file_pin_owner(m, file, "map", file);
		if (k > 0)
			n += k;
	}
	if (k >= 0) {
		k = file_pin_owner(m, mm, "-", NULL);
		n += k;
	}
	mmput(mm);
out:
	xa_for_each(&owners, key, file)
		fput(file);
	xa_destroy(&owners);
	return k < 0 ? k : n;
}

/**
 * proc_file_pins_show - /proc/<pid>/file_pins
 * @m: the seq_file
 * @ns: pid namespace of the proc mount
 * @pid: the pid
 * @task: the task
 *
 * One line per pinned file range: owners that are open files of @task (by
 * fd number), then owners it only maps (owner_fd=map), then pins owned by
 * @task's mm (owner_fd=-); once @task has exited, those of a live thread of
 * its group.  Needs PTRACE_MODE_READ on the thread walked, checked as
 * lock_trace() does: under exec_update_lock, so that an execve() of a
 * setuid program cannot slip in between the check and the walk.
 *
 * Return: 0, -EACCES, -EINTR, or -ENOMEM.
 */
int proc_file_pins_show(struct seq_file *m, struct pid_namespace *ns,
			struct pid *pid, struct task_struct *task)
{
	struct task_struct *t;
	int ret = down_read_killable(&task->signal->exec_update_lock);

	if (ret)
		return ret;
	t = file_pin_live_thread(task);
	if (t) {
		if (!ptrace_may_access(t, PTRACE_MODE_READ_FSCREDS))
			ret = -EACCES;
		else if (file_pin_walk_owners(t, m) < 0)
			ret = -ENOMEM;
		put_task_struct(t);
	}
	up_read(&task->signal->exec_update_lock);
	return ret;
}

/*
 * Room for one line of file_pins, and the most to allocate at open; past
 * either the seq_file grows by doubling as usual.
 */
#define FILE_PIN_LINE_BYTES	256
#define FILE_PIN_BUF_MAX	SZ_16M

/**
 * proc_file_pins_size - buffer size for all of /proc/<pid>/file_pins
 * @task: the task
 *
 * A single_open() seq_file starts with one page and runs show() again from
 * the start each time its output outgrows the buffer, which made reading
 * the records of N registrations cost O(N log N).  Opening with room for
 * every record of @task makes it one pass (two when paths are long).
 *
 * The caller has checked PTRACE_MODE_READ; only the number of records is
 * looked at, without exec_update_lock, as a wrong guess costs only time.
 *
 * Return: a buffer size in bytes, at least PAGE_SIZE.
 */
size_t proc_file_pins_size(struct task_struct *task)
{
	struct task_struct *t = file_pin_live_thread(task);
	long n = 0;

	if (t) {
		n = max(file_pin_walk_owners(t, NULL), 0L);
		put_task_struct(t);
	}

	return clamp_t(size_t, size_mul(n, FILE_PIN_LINE_BYTES), PAGE_SIZE,
		       FILE_PIN_BUF_MAX);
}

/**
 * file_pin_show_fdinfo - the layout lease of an open file, in fdinfo
 * @m: the seq_file of /proc/<pid>/fdinfo/<fd>
 * @file: the open file
 */
void file_pin_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct file_lock_context *ctx = locks_inode_context(file_inode(file));
	unsigned long pages = 0;
	struct file_lease *fl, *lease = NULL;
	struct file_pin *p;

	if (!ctx || list_empty_careful(&ctx->flc_lease))
		return;
	spin_lock(&ctx->flc_lock);
	list_for_each_entry(fl, &ctx->flc_lease, c.flc_list)
		if (fl->c.flc_file == file && is_layout_lease(fl))
			lease = fl;
	if (lease) {
		list_for_each_entry(p, &ctx->flc_pins, inode_node)
			if (p->lease == lease)
				pages += p->nr_pages;
		seq_printf(m, "layout_lease:\t%s\nlayout_pinned_pages:\t%lu\n",
			   lease->c.flc_flags & FL_EXCLUSIVE ?
			   "exclusive" : "layout", pages);
	}
	spin_unlock(&ctx->flc_lock);
}

static int __init file_pin_init(void)
{
	int i;

	file_pin_cache = KMEM_CACHE(file_pin, SLAB_PANIC | SLAB_ACCOUNT);
	for (i = 0; i < ARRAY_SIZE(file_pin_owners); i++)
		spin_lock_init(&file_pin_owners[i].lock);
	return 0;
}
core_initcall(file_pin_init);
