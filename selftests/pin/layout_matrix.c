// SPDX-License-Identifier: GPL-2.0
/*
 * The layout-change matrix: file system (ext4-dax, xfs-dax, tmpfs) x lease
 * (none, layout, layout|exclusive) x operation, with pages 4..7 of a
 * 16-page file pinned through vaddr_pin_pages() (gup_test).  Every case
 * states its expected result; refused operations must leave size and
 * content unchanged.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <linux/falloc.h>
#include <linux/io_uring.h>
#include "kselftest_harness.h"
#include "../lib/pin_util.h"

#define NPAGES		16
#define PIN_FIRST	4
#define PIN_PAGES	4

static size_t ps;

FIXTURE(pin) {
	char path[128];
	int fd;
	char *map;
	int pinfd;
};

FIXTURE_VARIANT(pin) {
	const char *dir;
	bool dax;
	int lease;
};

#define VARIANT(fs, is_dax, name, arg)				\
	FIXTURE_VARIANT_ADD(pin, fs##_##name) {			\
		.dir = "/mnt/" #fs, .dax = is_dax, .lease = arg,	\
	}
VARIANT(ext4, true, none, 0);
VARIANT(ext4, true, layout, F_LAYOUT);
VARIANT(ext4, true, exclusive, F_LAYOUT | F_EXCLUSIVE);
VARIANT(xfs, true, none, 0);
VARIANT(xfs, true, layout, F_LAYOUT);
VARIANT(xfs, true, exclusive, F_LAYOUT | F_EXCLUSIVE);
VARIANT(tmpfs, false, none, 0);
VARIANT(tmpfs, false, layout, F_LAYOUT);
VARIANT(tmpfs, false, exclusive, F_LAYOUT | F_EXCLUSIVE);

static char pattern(size_t page)
{
	return 'A' + page;
}

FIXTURE_SETUP(pin)
{
	char buf[4096];
	size_t i;

	ps = getpagesize();
	snprintf(self->path, sizeof(self->path), "%s/matrix.%d",
		 variant->dir, getpid());
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < NPAGES; i++) {
		memset(buf, pattern(i), sizeof(buf));
		ASSERT_EQ(ps, pwrite(self->fd, buf, ps, i * ps));
	}
	ASSERT_EQ(0, fsync(self->fd));
	if (variant->lease) {
		ASSERT_EQ(variant->dax ? 0 : -EOPNOTSUPP,
			  set_lease(self->fd, variant->lease));
	}
	self->map = mmap(NULL, NPAGES * ps, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	self->pinfd = pin_start(self->map + PIN_FIRST * ps, PIN_PAGES * ps);
	/* DAX needs the lease; other memory pins as it always did. */
	if (variant->dax && !variant->lease) {
		ASSERT_EQ(-EPERM, self->pinfd);
	} else {
		ASSERT_LE(0, self->pinfd);
	}
}

FIXTURE_TEARDOWN(pin)
{
	if (self->pinfd >= 0)
		EXPECT_EQ(0, pin_stop(self->pinfd));
	if (self->map != MAP_FAILED)
		munmap(self->map, NPAGES * ps);
	if (self->fd >= 0)
		close(self->fd);
	unlink(self->path);
}

/* Only a DAX range pinned under a lease blocks layout changes. */
static int blocked(const FIXTURE_VARIANT(pin) *variant)
{
	return variant->dax && variant->lease ? -ETXTBSY : 0;
}

/*
 * In this process a refusal comes at once: the pins are its own, or under
 * an exclusive lease.  One that took over 2 s (lease-break-time is 3 s in
 * the VM: it waited) reads as -ETIME, which no case expects.
 */
static int at_once(int ret, long t0)
{
	return ret == -ETXTBSY && now_ms() - t0 > 2000 ? -ETIME : ret;
}

static int do_truncate(int fd, off_t len)
{
	long t0 = now_ms();

	return at_once(ftruncate(fd, len) ? -errno : 0, t0);
}

static int do_falloc(int fd, int mode, off_t off, off_t len)
{
	long t0 = now_ms();

	return at_once(fallocate(fd, mode, off, len) ? -errno : 0, t0);
}

/* Size and every byte of the file as set up. */
static int unchanged(int fd)
{
	char buf[4096];
	struct stat st;
	size_t i, j;

	if (fstat(fd, &st) || st.st_size != (off_t)(NPAGES * ps))
		return 0;
	for (i = 0; i < NPAGES; i++) {
		if (pread(fd, buf, ps, i * ps) != (ssize_t)ps)
			return 0;
		for (j = 0; j < ps; j++)
			if (buf[j] != pattern(i))
				return 0;
	}
	return 1;
}

static int proc_locks_has(int fd, const char *kind)
{
	char line[256], ino[32];
	struct stat st;
	FILE *f;
	int found = 0;

	if (fstat(fd, &st))
		return -1;
	snprintf(ino, sizeof(ino), ":%lu ", (unsigned long)st.st_ino);
	f = fopen("/proc/locks", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, kind) && strstr(line, ino))
			found = 1;
	fclose(f);
	return found;
}

/* Whether the variant holds a layout lease (tmpfs refused it). */
static bool leased(const FIXTURE_VARIANT(pin) *variant)
{
	return variant->dax && variant->lease;
}

TEST_F(pin, lease_reported)
{
	EXPECT_EQ(leased(variant) ? variant->lease : F_UNLCK,
		  fcntl(self->fd, F_GETLEASE));
	EXPECT_EQ(leased(variant), proc_locks_has(self->fd, "LAYOUT"));
}

TEST_F(pin, truncate_over_pin)
{
	int expect = blocked(variant);

	EXPECT_EQ(expect, do_truncate(self->fd, (PIN_FIRST + 1) * ps));
	if (expect)
		EXPECT_TRUE(unchanged(self->fd));
}

TEST_F(pin, truncate_above_pin)
{
	EXPECT_EQ(0, do_truncate(self->fd, (PIN_FIRST + PIN_PAGES) * ps));
}

TEST_F(pin, truncate_to_zero)
{
	int expect = blocked(variant);

	EXPECT_EQ(expect, do_truncate(self->fd, 0));
	if (expect)
		EXPECT_TRUE(unchanged(self->fd));
}

TEST_F(pin, extend)
{
	EXPECT_EQ(0, do_truncate(self->fd, 4 * NPAGES * ps));
	EXPECT_EQ(0, do_falloc(self->fd, 0, NPAGES * ps, NPAGES * ps));
}

TEST_F(pin, punch_over_pin)
{
	int expect = blocked(variant);

	EXPECT_EQ(expect, do_falloc(self->fd, FALLOC_FL_PUNCH_HOLE |
				    FALLOC_FL_KEEP_SIZE, (PIN_FIRST + 1) * ps, ps));
	if (expect)
		EXPECT_TRUE(unchanged(self->fd));
}

TEST_F(pin, punch_outside_pin)
{
	EXPECT_EQ(0, do_falloc(self->fd, FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, (NPAGES - 2) * ps, ps));
	EXPECT_EQ(0, do_falloc(self->fd, FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, 0, PIN_FIRST * ps));
}

/* tmpfs has no collapse, insert or zero range. */
static int fs_op(const FIXTURE_VARIANT(pin) *variant, int expect)
{
	return variant->dax ? expect : -EOPNOTSUPP;
}

TEST_F(pin, collapse_over_pin)
{
	int expect = fs_op(variant, blocked(variant));

	EXPECT_EQ(expect, do_falloc(self->fd, FALLOC_FL_COLLAPSE_RANGE, ps, ps));
	if (expect)
		EXPECT_TRUE(unchanged(self->fd));
}

TEST_F(pin, collapse_above_pin)
{
	EXPECT_EQ(fs_op(variant, 0),
		  do_falloc(self->fd, FALLOC_FL_COLLAPSE_RANGE,
			    (NPAGES - 4) * ps, ps));
}

TEST_F(pin, insert_over_pin)
{
	int expect = fs_op(variant, blocked(variant));

	EXPECT_EQ(expect, do_falloc(self->fd, FALLOC_FL_INSERT_RANGE, ps, ps));
	if (expect)
		EXPECT_TRUE(unchanged(self->fd));
}

TEST_F(pin, insert_above_pin)
{
	EXPECT_EQ(fs_op(variant, 0),
		  do_falloc(self->fd, FALLOC_FL_INSERT_RANGE,
			    (NPAGES - 4) * ps, ps));
}

/*
 * A shift by part of a page (a block here) is invalid whatever is pinned:
 * EINVAL, as without pins, and no layout break (which would refuse with
 * ETXTBSY here, or signal another process's breakable lease).
 */
TEST_F(pin, collapse_unaligned_over_pin)
{
	EXPECT_EQ(fs_op(variant, -EINVAL),
		  do_falloc(self->fd, FALLOC_FL_COLLAPSE_RANGE, ps / 2, ps));
	EXPECT_TRUE(unchanged(self->fd));
}

TEST_F(pin, insert_unaligned_over_pin)
{
	EXPECT_EQ(fs_op(variant, -EINVAL),
		  do_falloc(self->fd, FALLOC_FL_INSERT_RANGE, ps, ps / 2));
	EXPECT_TRUE(unchanged(self->fd));
}

TEST_F(pin, zero_over_pin)
{
	int expect = fs_op(variant, blocked(variant));

	EXPECT_EQ(expect, do_falloc(self->fd, FALLOC_FL_ZERO_RANGE,
				    (PIN_FIRST + 1) * ps, ps));
	if (expect)
		EXPECT_TRUE(unchanged(self->fd));
}

/*
 * A pinned file shares no blocks (xfs refuses to pin one that does), so
 * unsharing moves none: xfs only allocates, and neither refuses nor
 * breaks a lease.  ext4 and tmpfs have no unshare.
 */
TEST_F(pin, unshare_over_pin)
{
	int expect = strcmp(variant->dir, "/mnt/xfs") ? -EOPNOTSUPP : 0;

	EXPECT_EQ(expect, do_falloc(self->fd, FALLOC_FL_UNSHARE_RANGE,
				    (PIN_FIRST + 1) * ps, ps));
	EXPECT_TRUE(unchanged(self->fd));
}

static volatile sig_atomic_t sigios;

static void count_sigio(int sig)
{
	sigios++;
}

/*
 * Writes never break a layout lease nor wait for pins: neither the
 * holder's nor another process's, through write() or the mapping.
 */
TEST_F(pin, write_and_read_pinned)
{
	char buf[4096], back[4096];
	int status;
	long t0;
	pid_t pid;

	memset(buf, 'z', sizeof(buf));
	sigios = 0;
	signal(SIGIO, count_sigio);
	t0 = now_ms();
	EXPECT_EQ(ps, pwrite(self->fd, buf, ps, (PIN_FIRST + 1) * ps));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(self->path, O_RDWR);

		_exit(fd < 0 || pwrite(fd, buf, ps, (PIN_FIRST + 2) * ps) != ps);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	/* A break would have waited lease-break-time (3 s). */
	EXPECT_GT(2000, now_ms() - t0);
	EXPECT_EQ(0, sigios);
	EXPECT_EQ(leased(variant) ? variant->lease : F_UNLCK,
		  fcntl(self->fd, F_GETLEASE));
	signal(SIGIO, SIG_DFL);
	EXPECT_EQ(ps, pread(self->fd, back, ps, (PIN_FIRST + 1) * ps));
	EXPECT_EQ(0, memcmp(buf, back, ps));
	EXPECT_EQ(ps, pread(self->fd, back, ps, (PIN_FIRST + 2) * ps));
	EXPECT_EQ(0, memcmp(buf, back, ps));
	/* Through the mapping too. */
	EXPECT_EQ('z', self->map[(PIN_FIRST + 1) * ps + 7]);
	EXPECT_EQ('z', self->map[(PIN_FIRST + 2) * ps + 7]);
}

TEST_F(pin, unlock_with_pins)
{
	if (!leased(variant)) {
		/* No lease to give up, and none keeps the file as it is. */
		EXPECT_EQ(-EAGAIN, set_lease(self->fd, F_UNLCK));
		EXPECT_EQ(0, do_truncate(self->fd, 0));
		return;
	}
	EXPECT_EQ(-EBUSY, set_lease(self->fd, F_UNLCK));
	EXPECT_EQ(variant->lease, fcntl(self->fd, F_GETLEASE));
	EXPECT_EQ(0, pin_stop(self->pinfd));
	self->pinfd = -1;
	EXPECT_EQ(0, set_lease(self->fd, F_UNLCK));
	EXPECT_EQ(F_UNLCK, fcntl(self->fd, F_GETLEASE));
	EXPECT_EQ(0, do_truncate(self->fd, 0));
}

TEST_F(pin, close_and_munmap_with_pins)
{
	int fd;

	munmap(self->map, NPAGES * ps);
	self->map = MAP_FAILED;
	close(self->fd);
	self->fd = open(self->path, O_RDWR);
	ASSERT_LE(0, self->fd);
	/* The pins keep the lease (a "zombie": its file is closed). */
	EXPECT_EQ(leased(variant), proc_locks_has(self->fd, "LAYOUT"));
	EXPECT_EQ(blocked(variant), do_truncate(self->fd, 0));
	EXPECT_EQ(!!blocked(variant), unchanged(self->fd));
	if (self->pinfd >= 0)
		EXPECT_EQ(0, pin_stop(self->pinfd));
	self->pinfd = -1;
	/* The last pin took the lease with it. */
	EXPECT_EQ(0, proc_locks_has(self->fd, "LAYOUT"));
	EXPECT_EQ(0, do_truncate(self->fd, 0));
	fd = self->fd;
	EXPECT_EQ(F_UNLCK, fcntl(fd, F_GETLEASE));
}

TEST_F(pin, other_process_refused)
{
	int expect = blocked(variant), status;
	long ms, t0;
	pid_t pid;

	/*
	 * Exclusive: everyone gets ETXTBSY at once.  Breakable: the holder
	 * (this process) ignores the break (SIGIO), so ETXTBSY after
	 * lease-break-time (3 s).
	 */
	signal(SIGIO, SIG_IGN);
	t0 = now_ms();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(self->path, O_RDWR);

		_exit(fd < 0 ? 100 : ftruncate(fd, ps) ? errno : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ms = now_ms() - t0;
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(-expect, WEXITSTATUS(status));
	if (expect && variant->lease & F_EXCLUSIVE) {
		EXPECT_GT(2000, ms);
	} else if (expect) {
		EXPECT_LE(2500, ms);
	}
	if (expect)
		EXPECT_TRUE(unchanged(self->fd));
}

TEST_F(pin, counters_balance)
{
	long pages = vaddr_pins_held(), files = file_pins_held();

	if (self->pinfd < 0) {
		/* DAX without a lease: a refused pin counts nothing. */
		EXPECT_EQ(-EPERM, pin_start(self->map + PIN_FIRST * ps,
					    PIN_PAGES * ps));
		EXPECT_EQ(pages, vaddr_pins_held());
		EXPECT_EQ(files, file_pins_held());
		return;
	}
	EXPECT_LE(PIN_PAGES, pages);
	EXPECT_LE(variant->dax ? 1 : 0, files);
	EXPECT_EQ(0, pin_stop(self->pinfd));
	self->pinfd = -1;
	EXPECT_EQ(pages - PIN_PAGES, vaddr_pins_held());
	EXPECT_EQ(files - (variant->dax ? 1 : 0), file_pins_held());
}

TEST(plain_longterm_pin_of_dax_refused)
{
	char path[] = "/mnt/ext4/plainpin.XXXXXX";
	int fd = mkstemp(path), pinfd;
	char *map;

	ps = getpagesize();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, ps));
	ASSERT_EQ(0, set_lease(fd, F_LAYOUT | F_EXCLUSIVE));
	map = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* pin_user_pages(FOLL_LONGTERM), not vaddr_pin_pages(): refused
	 * even under a layout lease. */
	pinfd = pin_start_flags(map, ps, PIN_LONGTERM_TEST_FLAG_USE_WRITE);
	EXPECT_EQ(-EOPNOTSUPP, pinfd);
	if (pinfd >= 0)
		pin_stop(pinfd);
	munmap(map, ps);
	close(fd);
	unlink(path);
}

/*
 * Long-term pinners other than vaddr_pin_pages() callers are unchanged:
 * io_uring's fixed buffers pin with pin_user_pages(FOLL_LONGTERM), refused
 * on FS-DAX even under a layout lease, while anonymous memory registers.
 */
TEST(io_uring_fixed_buffer_of_dax_refused)
{
	char path[] = "/mnt/xfs/uring.XXXXXX";
	struct io_uring_params params = {};
	int fd = mkstemp(path), ring;
	struct iovec iov;
	char *map, *anon;

	ps = getpagesize();
	ASSERT_LE(0, fd);
	/* The open fd keeps it: nothing is left behind if a check aborts. */
	unlink(path);
	ASSERT_EQ(0, ftruncate(fd, ps));
	map = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	map[0] = 1;
	anon = mmap(NULL, ps, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	ring = syscall(__NR_io_uring_setup, 4, &params);
	ASSERT_LE(0, ring);
	iov = (struct iovec){ .iov_base = map, .iov_len = ps };
	/* Without a lease, and with one. */
	EXPECT_EQ(-1, syscall(__NR_io_uring_register, ring,
			      IORING_REGISTER_BUFFERS, &iov, 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, set_lease(fd, F_LAYOUT | F_EXCLUSIVE));
	EXPECT_EQ(-1, syscall(__NR_io_uring_register, ring,
			      IORING_REGISTER_BUFFERS, &iov, 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	iov.iov_base = anon;
	EXPECT_EQ(0, syscall(__NR_io_uring_register, ring,
			     IORING_REGISTER_BUFFERS, &iov, 1));
	EXPECT_EQ(0, syscall(__NR_io_uring_register, ring,
			     IORING_UNREGISTER_BUFFERS, NULL, 0));
	close(ring);
	munmap(anon, ps);
	munmap(map, ps);
	close(fd);
}

TEST_HARNESS_MAIN
