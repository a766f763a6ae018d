// SPDX-License-Identifier: GPL-2.0
/*
 * The bad-input table: every row is {name, setup, operation, argument,
 * expected result} and runs as its own test (one FIXTURE_VARIANT each).
 * It proves that each wrong or refused request to vaddr_pin_pages() (via
 * gup_test), fcntl(F_SETLEASE/F_GETLEASE), ibv_reg_mr() on rxe0 and the
 * layout-changing file operations fails with the errno that
 * Documentation/filesystems/file-pins.rst, fs/file_pin.c, mm/vaddr_pin.c
 * and mm/gup_test.c give, and that no row leaks anything: after every row
 * the vaddr pin and file pin counters and the number of LAYOUT leases in
 * /proc/locks are what they were before it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/falloc.h>
#include "kselftest_harness.h"
#include "pin_util.h"
#include "ibv_dl.h"

#define NPAGES		8
#define EXT4		"/mnt/ext4"
#define XFS		"/mnt/xfs"
#define TMPFS		"/mnt/tmpfs"
#define EXCL		(F_LAYOUT | F_EXCLUSIVE)
#define VPIN		(PIN_LONGTERM_TEST_FLAG_USE_VADDR_PIN | \
			 PIN_LONGTERM_TEST_FLAG_USE_WRITE)
#define MR_ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
			 IBV_ACCESS_REMOTE_READ)
#define RW		(PROT_READ | PROT_WRITE)
#define CHILD_DIED	(-1000)

static size_t ps;

/* What a row's setup made; cleanup() undoes all of it. */
struct ctx {
	int fd[4];		/* fd[0]: the file the operation works on */
	int nfd;
	char path[3][96];	/* files to unlink */
	int npath;
	struct { void *p; size_t len; } map[3];
	int nmap;
	char *addr;		/* what a pin or a registration covers */
	size_t len;
	unsigned int flags;	/* gup_test flags */
	int access;		/* ibv_reg_mr() access */
	int pinfd;		/* pins held by the setup (gup_test fd) */
	struct ibv_dl v;
	struct ibv_dl_dev dev;
};

static int keep_fd(struct ctx *c, int fd)
{
	if (fd < 0)
		return -errno;
	c->fd[c->nfd++] = fd;
	return fd;
}

/* Close a kept fd before the operation (it stays in the table as -1). */
static void drop_fd(struct ctx *c, int fd)
{
	int i;

	for (i = 0; i < c->nfd; i++)
		if (c->fd[i] == fd)
			c->fd[i] = -1;
	close(fd);
}

static char *map(struct ctx *c, void *at, size_t len, int prot, int fd)
{
	int flags = fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED;
	char *p = mmap(at, len, prot, flags | (at ? MAP_FIXED : 0), fd, 0);

	if (p != MAP_FAILED && !at) {
		c->map[c->nmap].p = p;
		c->map[c->nmap++].len = len;
	}
	return p;
}

/* A new NPAGES-page file in @dir with data in every page, opened again
 * with @oflags (so O_RDONLY leaves no writer).  The fd, or -errno. */
static int new_file(struct ctx *c, const char *dir, int oflags)
{
	char *path = c->path[c->npath++], buf[4096];
	size_t i;
	int fd;

	snprintf(path, sizeof(c->path[0]), "%s/bad_input.%d.%d", dir,
		 getpid(), c->npath);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	for (i = 0; i < NPAGES; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		if (pwrite(fd, buf, ps, i * ps) != (ssize_t)ps) {
			close(fd);
			return -EIO;
		}
	}
	if (fsync(fd) || close(fd))
		return -errno;
	return keep_fd(c, open(path, oflags));
}

/*
 * The usual target: an NPAGES-page DAX file in @dir, opened with @oflags,
 * under @lease (0: none), mapped with @prot; c->addr/len cover it all.
 */
static int dax_target(struct ctx *c, const char *dir, int lease, int oflags,
		      int prot)
{
	int fd = new_file(c, dir, oflags), err = 0;

	if (fd < 0)
		return fd;
	if (lease)
		err = set_lease(fd, lease);
	if (err)
		return err;
	c->len = NPAGES * ps;
	c->addr = map(c, NULL, c->len, prot, fd);
	return c->addr == MAP_FAILED ? -errno : 0;
}

/*
 * Two adjacent VMAs of NPAGES pages each: the files @fd1 then @fd2 mapped
 * MAP_SHARED, or anonymous memory where the fd is -1.
 */
static int two_vmas(struct ctx *c, int fd1, int fd2)
{
	size_t half = NPAGES * ps;

	c->len = 2 * half;
	c->addr = map(c, NULL, c->len, RW, -1);
	if (c->addr == MAP_FAILED)
		return -errno;
	if (fd1 >= 0 && map(c, c->addr, half, RW, fd1) == MAP_FAILED)
		return -errno;
	if (fd2 >= 0 && map(c, c->addr + half, half, RW, fd2) == MAP_FAILED)
		return -errno;
	return 0;
}

static int rxe(struct ctx *c)
{
	int err = ibv_dl_load(&c->v);

	return err ? err : ibv_dl_open_rxe(&c->v, &c->dev);
}

/* ---- setups: 0 or -errno ---- */

static int dax_leased(struct ctx *c)
{
	return dax_target(c, EXT4, EXCL, O_RDWR, RW);
}

static int dax_unleased(struct ctx *c)
{
	return dax_target(c, EXT4, 0, O_RDWR, RW);
}

static int unaligned_addr(struct ctx *c)
{
	int err = dax_leased(c);

	c->addr += 1;
	c->len = ps;
	return err;
}

static int unaligned_size(struct ctx *c)
{
	int err = dax_leased(c);

	c->len = ps + 1;
	return err;
}

static int zero_length(struct ctx *c)
{
	int err = dax_leased(c);

	c->len = 0;
	return err;
}

static int length_over_long_max(struct ctx *c)
{
	int err = dax_leased(c);

	c->len = (size_t)LONG_MAX + 1;
	return err;
}

/* Four pages from two pages below the top of the address space: passes
 * gup_test's checks, wraps in vaddr_pin_pages(). */
static int range_wraps(struct ctx *c)
{
	c->addr = (char *)(uintptr_t)(0 - 2 * ps);
	c->len = 4 * ps;
	return 0;
}

static int dax_then_anon_unleased(struct ctx *c)
{
	int fd = new_file(c, EXT4, O_RDWR);

	return fd < 0 ? fd : two_vmas(c, fd, -1);
}

static int anon_then_dax_unleased(struct ctx *c)
{
	int fd = new_file(c, EXT4, O_RDWR);

	return fd < 0 ? fd : two_vmas(c, -1, fd);
}

static int anon_then_dax_leased(struct ctx *c)
{
	int fd = new_file(c, EXT4, O_RDWR), err;

	if (fd < 0)
		return fd;
	err = set_lease(fd, EXCL);
	return err ? err : two_vmas(c, -1, fd);
}

/* A leased ext4 file and an unleased xfs file, adjacent. */
static int two_files(struct ctx *c, bool leased_first)
{
	int a = new_file(c, EXT4, O_RDWR), b = new_file(c, XFS, O_RDWR), err;

	if (a < 0 || b < 0)
		return a < 0 ? a : b;
	err = set_lease(a, EXCL);
	if (err)
		return err;
	return leased_first ? two_vmas(c, a, b) : two_vmas(c, b, a);
}

/* Both leased: one pin, two records, released by file range. */
static int two_leased_files(struct ctx *c)
{
	int a = new_file(c, EXT4, O_RDWR), b = new_file(c, XFS, O_RDWR), err;

	if (a < 0 || b < 0)
		return a < 0 ? a : b;
	err = set_lease(a, EXCL);
	if (!err)
		err = set_lease(b, EXCL);
	return err ? err : two_vmas(c, a, b);
}

static int leased_then_unleased_file(struct ctx *c)
{
	return two_files(c, true);
}

static int unleased_then_leased_file(struct ctx *c)
{
	return two_files(c, false);
}

/*
 * The leased file mapped twice, adjacent: pages 2..7, then 0..5 again.
 * Unpinning charges a page to the owner's record that covers its offset,
 * so one owner's records must not cover a page twice: refused.
 */
static int dax_mapped_twice(struct ctx *c)
{
	int fd = new_file(c, EXT4, O_RDWR), err;
	size_t six = 6 * ps;

	if (fd < 0)
		return fd;
	err = set_lease(fd, EXCL);
	if (err)
		return err;
	c->len = 2 * six;
	c->addr = map(c, NULL, c->len, RW, -1);
	if (c->addr == MAP_FAILED)
		return -errno;
	if (mmap(c->addr, six, RW, MAP_SHARED | MAP_FIXED, fd, 2 * ps) ==
	    MAP_FAILED ||
	    mmap(c->addr + six, six, RW, MAP_SHARED | MAP_FIXED, fd, 0) ==
	    MAP_FAILED)
		return -errno;
	return 0;
}

static int dax_prot_none(struct ctx *c)
{
	return dax_target(c, EXT4, EXCL, O_RDWR, PROT_NONE);
}

static int dax_read_only(struct ctx *c)
{
	return dax_target(c, EXT4, EXCL, O_RDONLY, PROT_READ);
}

static int dax_munmapped(struct ctx *c)
{
	int err = dax_leased(c);

	return err ? err : munmap(c->addr, c->len) ? -errno : 0;
}

/* Pages 4 and 5 of the 8 unmapped: 0..3 get pinned, then EFAULT. */
static int dax_hole(struct ctx *c)
{
	int err = dax_leased(c);

	return err ? err : munmap(c->addr + 4 * ps, 2 * ps) ? -errno : 0;
}

/*
 * The leased file mapped MAP_PRIVATE: a write pin would pin anonymous
 * copies made by copy-on-write, which name no file range, so the range's
 * record would outlive the pins.
 */
static int dax_private(struct ctx *c)
{
	int err = dax_target(c, EXT4, EXCL, O_RDWR, RW);

	if (err)
		return err;
	/* The same range again, now private (the map table still covers it). */
	return mmap(c->addr, c->len, RW, MAP_PRIVATE | MAP_FIXED, c->fd[0], 0) ==
	       MAP_FAILED ? -errno : 0;
}

/*
 * The leased file shared in the first half of the range, privately in the
 * second, every page of which was written first: the copies that
 * copy-on-write made are anonymous memory and pin as such, after a DAX
 * range of the same call too (they used to be refused there).
 */
static int dax_shared_then_private_copies(struct ctx *c)
{
	size_t half = NPAGES / 2 * ps;
	int err = dax_target(c, EXT4, EXCL, O_RDWR, RW);

	if (err)
		return err;
	if (mmap(c->addr + half, half, RW, MAP_PRIVATE | MAP_FIXED, c->fd[0],
		 half) == MAP_FAILED)
		return -errno;
	memset(c->addr + half, 0x5a, half);
	return 0;
}

/*
 * Pages 2..5 punched back to a hole and read-faulted, so DAX maps the zero
 * page there, then pinned for reading: a pin of the zero page would not
 * see the block a later write puts there, and names no file range.
 */
static int dax_read_of_hole(struct ctx *c)
{
	int err = dax_leased(c), i;
	char sum = 0;

	if (err)
		return err;
	if (fallocate(c->fd[0], FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      2 * ps, 4 * ps))
		return -errno;
	for (i = 2; i < 6; i++)
		sum |= ((volatile char *)c->addr)[i * ps];
	c->flags &= ~PIN_LONGTERM_TEST_FLAG_USE_WRITE;
	return sum ? -EIO : 0;
}

static int dax_unlocked(struct ctx *c)
{
	int err = dax_leased(c);

	return err ? err : set_lease(c->fd[0], F_UNLCK);
}

/* Lease on one open file, mapping through another, lease fd closed:
 * nothing refers to the lease's file any more, so the lease is gone. */
static int dax_lease_fd_closed(struct ctx *c)
{
	int a = new_file(c, EXT4, O_RDWR), b, err;

	if (a < 0)
		return a;
	b = keep_fd(c, open(c->path[0], O_RDWR));
	if (b < 0)
		return b;
	err = set_lease(a, EXCL);
	if (err)
		return err;
	c->len = NPAGES * ps;
	c->addr = map(c, NULL, c->len, RW, b);
	if (c->addr == MAP_FAILED)
		return -errno;
	drop_fd(c, a);
	return 0;
}

/* Mapped through the leased open file, then fd closed: the mapping keeps
 * the open file, and with it the lease. */
static int dax_lease_fd_closed_mapped(struct ctx *c)
{
	int err = dax_leased(c);

	if (!err)
		drop_fd(c, c->fd[0]);
	return err;
}

static int directory(struct ctx *c)
{
	int fd = keep_fd(c, open(EXT4, O_RDONLY | O_DIRECTORY));

	return fd < 0 ? fd : 0;
}

static int a_pipe(struct ctx *c)
{
	int p[2];

	if (pipe(p))
		return -errno;
	keep_fd(c, p[0]);
	keep_fd(c, p[1]);
	return 0;
}

static int a_socket(struct ctx *c)
{
	int s[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s))
		return -errno;
	keep_fd(c, s[0]);
	keep_fd(c, s[1]);
	return 0;
}

static int tmpfs_file(struct ctx *c)
{
	int fd = new_file(c, TMPFS, O_RDWR);

	return fd < 0 ? fd : 0;
}

static int dax_file(struct ctx *c)
{
	int fd = new_file(c, EXT4, O_RDWR);

	return fd < 0 ? fd : 0;
}

static int dax_file_rdonly(struct ctx *c)
{
	int fd = new_file(c, EXT4, O_RDONLY);

	return fd < 0 ? fd : 0;
}

static int dax_pinned(struct ctx *c)
{
	int err = dax_leased(c);

	if (err)
		return err;
	c->pinfd = pin_start(c->addr, c->len);
	return c->pinfd < 0 ? c->pinfd : 0;
}

/* Pages 0..3 of the 8 pinned. */
static int dax_half_pinned(struct ctx *c)
{
	int err = dax_leased(c);

	if (err)
		return err;
	c->pinfd = pin_start(c->addr, NPAGES / 2 * ps);
	return c->pinfd < 0 ? c->pinfd : 0;
}

/* O_RDONLY (no writer anywhere, as a read lease needs) with a lease. */
static int rdonly_with(struct ctx *c, int lease)
{
	int fd = new_file(c, EXT4, O_RDONLY);

	return fd < 0 ? fd : set_lease(fd, lease);
}

static int rdonly_layout_lease(struct ctx *c)
{
	return rdonly_with(c, F_LAYOUT);
}

static int rdonly_read_lease(struct ctx *c)
{
	return rdonly_with(c, F_RDLCK);
}

static int rxe_dax_unleased(struct ctx *c)
{
	int err = rxe(c);

	return err ? err : dax_unleased(c);
}

/* LOCAL_WRITE comes with REMOTE_WRITE (ib_check_mr_access() wants it). */
static int rxe_dax_read_only(struct ctx *c)
{
	int err = rxe(c);

	c->access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	return err ? err : dax_read_only(c);
}

static int rxe_zero_length(struct ctx *c)
{
	int err = rxe(c);

	return err ? err : zero_length(c);
}

static int rxe_anon_then_dax_unleased(struct ctx *c)
{
	int err = rxe(c);

	return err ? err : anon_then_dax_unleased(c);
}

static int rxe_dax_mapped_twice(struct ctx *c)
{
	int err = rxe(c);

	return err ? err : dax_mapped_twice(c);
}

static int rxe_dax_munmapped(struct ctx *c)
{
	int err = rxe(c);

	return err ? err : dax_munmapped(c);
}

/* ---- operations: 0 (or a value) or -errno ---- */

/* PIN_LONGTERM_TEST_START with c->flags | @extra; unpins on success. */
static int pin(struct ctx *c, int extra)
{
	int fd = pin_start_flags(c->addr, c->len, c->flags | extra);

	return fd < 0 ? fd : pin_stop(fd);
}

/* Run @op in a forked child; its result comes back as the exit code. */
static int in_child(struct ctx *c, int arg, int (*op)(struct ctx *, int))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(-op(c, arg));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return CHILD_DIED;
	return -WEXITSTATUS(status);
}

static int child_pin(struct ctx *c, int extra)
{
	return in_child(c, extra, pin);
}

static int setlease(struct ctx *c, int arg)
{
	return set_lease(c->fd[0], arg);
}

static int getlease(struct ctx *c, int unused)
{
	int ret = fcntl(c->fd[0], F_GETLEASE);

	return ret < 0 ? -errno : ret;
}

/* As nobody (no CAP_LEASE): open the root-owned 0644 file, F_SETLEASE. */
static int nobody_setlease_op(struct ctx *c, int arg)
{
	int fd;

	if (setgid(65534) || setuid(65534))
		return -ECHILD;
	fd = open(c->path[0], O_RDONLY);
	if (fd < 0)
		return -ECHILD;
	return set_lease(fd, arg);
}

static int nobody_setlease(struct ctx *c, int arg)
{
	return in_child(c, arg, nobody_setlease_op);
}

static int reg_mr(struct ctx *c, int unused)
{
	return ibv_dl_try_reg(&c->v, c->dev.pd, c->addr, c->len, c->access);
}

static int truncate_pages(struct ctx *c, int pages)
{
	return ftruncate(c->fd[0], pages * ps) ? -errno : 0;
}

static int fallocate_mode(struct ctx *c, int mode)
{
	return fallocate(c->fd[0], mode, 0, ps) ? -errno : 0;
}

/* ---- the table ---- */

FIXTURE(bad_input) {
	struct ctx c;
	long pages, files, leases;
};

FIXTURE_VARIANT(bad_input) {
	int (*setup)(struct ctx *c);
	int (*op)(struct ctx *c, int arg);
	int arg;
	int expect;
};

#define ROW(name, setup_fn, op_fn, op_arg, result)			\
	FIXTURE_VARIANT_ADD(bad_input, name) {				\
		.setup = setup_fn, .op = op_fn, .arg = op_arg,		\
		.expect = result,					\
	}

/* vaddr_pin_pages() through gup_test (USE_VADDR_PIN | USE_WRITE) */
ROW(gup_unaligned_addr, unaligned_addr, pin, 0, -EINVAL);
ROW(gup_unaligned_size, unaligned_size, pin, 0, -EINVAL);
ROW(gup_zero_length, zero_length, pin, 0, -EINVAL);
ROW(gup_length_over_long_max, length_over_long_max, pin, 0, -EINVAL);
ROW(gup_range_wraps, range_wraps, pin, 0, -EINVAL);
ROW(gup_unknown_flag_bits, dax_leased, pin, 1 << 30, -EINVAL);
ROW(gup_mm_owner_no_lease, dax_unleased, pin,
	PIN_LONGTERM_TEST_FLAG_VADDR_PIN_MM, -EPERM);
ROW(gup_dax_no_lease, dax_unleased, pin, 0, -EPERM);
ROW(gup_dax_then_anon_no_lease, dax_then_anon_unleased, pin, 0, -EPERM);
ROW(gup_anon_then_dax_no_lease, anon_then_dax_unleased, pin, 0, -EPERM);
ROW(gup_anon_then_dax_leased, anon_then_dax_leased, pin, 0, 0);
ROW(gup_two_leased_files, two_leased_files, pin, 0, 0);
ROW(gup_leased_then_unleased_file, leased_then_unleased_file, pin, 0, -EPERM);
ROW(gup_unleased_then_leased_file, unleased_then_leased_file, pin, 0, -EPERM);
ROW(gup_prot_none, dax_prot_none, pin, 0, -EFAULT);
ROW(gup_read_only_mapping_write, dax_read_only, pin, 0, -EFAULT);
ROW(gup_munmapped, dax_munmapped, pin, 0, -EFAULT);
ROW(gup_hole_in_range, dax_hole, pin, 0, -EFAULT);
ROW(gup_read_pin_of_hole, dax_read_of_hole, pin, 0, -EOPNOTSUPP);
ROW(gup_dax_private_mapping, dax_private, pin, 0, -EOPNOTSUPP);
ROW(gup_dax_then_private_copies, dax_shared_then_private_copies, pin, 0, 0);
ROW(gup_file_mapped_twice, dax_mapped_twice, pin, 0, -EOPNOTSUPP);
ROW(gup_after_unlock, dax_unlocked, pin, 0, -EPERM);
ROW(gup_after_lease_fd_closed, dax_lease_fd_closed, pin, 0, -EPERM);
ROW(gup_lease_fd_closed_still_mapped, dax_lease_fd_closed_mapped, pin, 0, 0);
ROW(gup_forked_child, dax_leased, child_pin, 0, -EPERM);

/* fcntl(F_SETLEASE / F_GETLEASE) */
ROW(lease_directory, directory, setlease, F_LAYOUT, -EINVAL);
ROW(lease_pipe, a_pipe, setlease, F_LAYOUT, -EINVAL);
ROW(lease_socket, a_socket, setlease, F_LAYOUT, -EINVAL);
ROW(lease_tmpfs_file, tmpfs_file, setlease, F_LAYOUT, -EOPNOTSUPP);
ROW(lease_exclusive_alone, dax_file, setlease, F_EXCLUSIVE, -EINVAL);
ROW(lease_layout_wrlck, dax_file, setlease, F_LAYOUT | F_WRLCK, -EINVAL);
ROW(lease_layout_unlck, dax_file, setlease, F_LAYOUT | F_UNLCK, -EINVAL);
ROW(lease_layout_64, dax_file, setlease, F_LAYOUT | 64, -EINVAL);
ROW(lease_int_max, dax_file, setlease, 0x7fffffff, -EINVAL);
ROW(lease_other_users_file, dax_file, nobody_setlease, F_LAYOUT, -EACCES);
ROW(lease_read_only_open, dax_file_rdonly, setlease, EXCL, 0);
ROW(lease_unlock_while_pinned, dax_pinned, setlease, F_UNLCK, -EBUSY);
ROW(lease_rdlck_on_layout_fd, rdonly_layout_lease, setlease, F_RDLCK, -EBUSY);
ROW(lease_layout_on_read_lease_fd, rdonly_read_lease, setlease, F_LAYOUT, -EBUSY);
ROW(getlease_reports_layout_exclusive, dax_leased, getlease, 0, EXCL);

/* ibv_reg_mr() on rxe0 */
ROW(mr_dax_no_lease, rxe_dax_unleased, reg_mr, 0, -EPERM);
ROW(mr_dax_read_only_remote_write, rxe_dax_read_only, reg_mr, 0, -EFAULT);
ROW(mr_zero_length, rxe_zero_length, reg_mr, 0, -EINVAL);
ROW(mr_anon_then_dax_no_lease, rxe_anon_then_dax_unleased, reg_mr, 0, -EPERM);
ROW(mr_munmapped, rxe_dax_munmapped, reg_mr, 0, -EFAULT);
ROW(mr_file_mapped_twice, rxe_dax_mapped_twice, reg_mr, 0, -EOPNOTSUPP);

/* layout changes (pages 0..3 of 8 pinned under an exclusive lease) */
ROW(truncate_over_pin_exclusive, dax_half_pinned, truncate_pages, 2, -ETXTBSY);
ROW(fallocate_invalid_mode, dax_half_pinned, fallocate_mode, 0x100, -EOPNOTSUPP);
ROW(truncate_beyond_pin, dax_half_pinned, truncate_pages, 4, 0);

/* LAYOUT leases in /proc/locks, of any process. */
static long layout_leases(void)
{
	FILE *f = fopen("/proc/locks", "r");
	char line[256];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, " LAYOUT ");
	fclose(f);
	return n;
}

static void cleanup(struct ctx *c)
{
	int i;

	if (c->pinfd >= 0)
		pin_stop(c->pinfd);
	c->pinfd = -1;
	if (c->dev.ctx)
		ibv_dl_close(&c->v, &c->dev);
	for (i = 0; i < c->nmap; i++)
		munmap(c->map[i].p, c->map[i].len);
	for (i = 0; i < c->nfd; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	for (i = 0; i < c->npath; i++)
		unlink(c->path[i]);
	c->nmap = c->nfd = c->npath = 0;
}

FIXTURE_SETUP(bad_input)
{
	ps = getpagesize();
	memset(&self->c, 0, sizeof(self->c));
	self->c.pinfd = -1;
	self->c.flags = VPIN;
	self->c.access = MR_ACCESS;
	self->pages = vaddr_pins_held();
	self->files = file_pins_held();
	self->leases = layout_leases();
	ASSERT_LE(0, self->pages);
	ASSERT_LE(0, self->files);
}

FIXTURE_TEARDOWN(bad_input)
{
	cleanup(&self->c);
}

TEST_F(bad_input, row)
{
	int err = variant->setup(&self->c), ret;

	ASSERT_EQ(0, err) TH_LOG("setup failed: %s", strerror(-err));
	ret = variant->op(&self->c, variant->arg);
	cleanup(&self->c);
	EXPECT_EQ(variant->expect, ret) {
		TH_LOG("got %d (%s), expected %d (%s)", ret,
		       ret < 0 ? strerror(-ret) : "-", variant->expect,
		       variant->expect < 0 ? strerror(-variant->expect) : "-");
	}
	/* Nothing leaked: no pin, no record, no lease. */
	EXPECT_EQ(self->pages, vaddr_pins_held());
	EXPECT_EQ(self->files, file_pins_held());
	EXPECT_EQ(self->leases, layout_leases());
}

TEST_HARNESS_MAIN
