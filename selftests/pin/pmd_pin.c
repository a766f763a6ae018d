// SPDX-License-Identifier: GPL-2.0
/*
 * Pins of PMD-mapped FS-DAX memory (ext4 and xfs -o dax), which GUP-fast
 * takes a PMD at a time: the pages pinned are the ones mapped, in order
 * (read back through gup_test), the pin counters move by exactly the pages
 * and the one file range pinned and come back at unpin, and the range is
 * protected while pinned.  Whole PMDs, a pin across a PMD boundary (two
 * partial PMDs) and one page inside a PMD; a change beside a pin in the
 * same PMD DAX entry is refused at once, mapped or not; a read pin over a
 * hole DAX maps with the huge zero page is refused.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include "kselftest_harness.h"
#include "../lib/pin_util.h"

#define SZ_2M		(2UL << 20)
#define FILE_SIZE	(32UL << 20)
#define MAP_SIZE	(2 * SZ_2M)

static size_t ps;

FIXTURE(pmd) {
	char path[128];
	int fd;
	off_t off;		/* file offset of the mapping */
	char *map;
	void *reserve;
};

FIXTURE_VARIANT(pmd) {
	const char *dir;
};

FIXTURE_VARIANT_ADD(pmd, ext4) { .dir = "/mnt/ext4" };
FIXTURE_VARIANT_ADD(pmd, xfs) { .dir = "/mnt/xfs" };

/* Every page of the file starts with its own page number. */
static unsigned long page_tag(const char *page)
{
	unsigned long tag;

	memcpy(&tag, page, sizeof(tag));
	return tag;
}

/*
 * A 2 MiB-aligned file offset from which MAP_SIZE of the file is one
 * extent starting on a 2 MiB-aligned device offset, so that DAX can map
 * it with PMDs; -1 if there is none.
 */
static off_t pmd_mappable_offset(int fd)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent fe[64];
	} m = { .fm = { .fm_length = FIEMAP_MAX_OFFSET,
			.fm_flags = FIEMAP_FLAG_SYNC, .fm_extent_count = 64 } };
	unsigned int i;

	if (ioctl(fd, FS_IOC_FIEMAP, &m))
		return -1;
	for (i = 0; i < m.fm.fm_mapped_extents; i++) {
		struct fiemap_extent *e = &m.fe[i];
		__u64 lo = (e->fe_logical + SZ_2M - 1) & ~(SZ_2M - 1);

		for (; lo + MAP_SIZE <= e->fe_logical + e->fe_length; lo += SZ_2M)
			if (!((e->fe_physical + lo - e->fe_logical) & (SZ_2M - 1)))
				return lo;
	}
	return -1;
}

FIXTURE_SETUP(pmd)
{
	struct fsxattr fsx;
	struct rusage ru0, ru1;
	char *buf, *aligned;
	size_t i, j;

	ps = getpagesize();
	self->map = MAP_FAILED;
	self->reserve = MAP_FAILED;
	snprintf(self->path, sizeof(self->path), "%s/pmd.%d", variant->dir,
		 getpid());
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, self->fd);
	/* xfs: allocate in aligned 2 MiB units; ext4 has no such hint. */
	if (!ioctl(self->fd, FS_IOC_FSGETXATTR, &fsx)) {
		fsx.fsx_xflags |= FS_XFLAG_EXTSIZE;
		fsx.fsx_extsize = SZ_2M;
		ioctl(self->fd, FS_IOC_FSSETXATTR, &fsx);
	}
	buf = malloc(SZ_2M);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < FILE_SIZE; i += SZ_2M) {
		for (j = 0; j < SZ_2M; j += ps) {
			unsigned long tag = (i + j) / ps;

			memset(buf + j, (char)tag, ps);
			memcpy(buf + j, &tag, sizeof(tag));
		}
		ASSERT_EQ(SZ_2M, pwrite(self->fd, buf, SZ_2M, i));
	}
	free(buf);
	ASSERT_EQ(0, fsync(self->fd));
	self->off = pmd_mappable_offset(self->fd);
	ASSERT_LE(0, self->off) TH_LOG("no 2 MiB-aligned extent of 4 MiB");

	/* A 2 MiB-aligned address for the mapping. */
	self->reserve = mmap(NULL, MAP_SIZE + SZ_2M, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->reserve);
	aligned = (char *)(((uintptr_t)self->reserve + SZ_2M - 1) & ~(SZ_2M - 1));
	self->map = mmap(aligned, MAP_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, self->fd, self->off);
	ASSERT_EQ(aligned, self->map);

	ASSERT_EQ(0, set_lease(self->fd, F_LAYOUT | F_EXCLUSIVE));
	/* Write-fault every page (same byte): one fault per PMD, not page. */
	ASSERT_EQ(0, getrusage(RUSAGE_SELF, &ru0));
	for (i = 0; i < MAP_SIZE; i += ps)
		self->map[i + sizeof(long)] = (char)((self->off + i) / ps);
	ASSERT_EQ(0, getrusage(RUSAGE_SELF, &ru1));
	ASSERT_GE(2 * MAP_SIZE / SZ_2M, ru1.ru_minflt - ru0.ru_minflt)
		TH_LOG("%ld faults: not PMD-mapped", ru1.ru_minflt - ru0.ru_minflt);
}

FIXTURE_TEARDOWN(pmd)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, MAP_SIZE);
	if (self->reserve != MAP_FAILED)
		munmap(self->reserve, MAP_SIZE + SZ_2M);
	if (self->fd >= 0)
		close(self->fd);
	unlink(self->path);
}

/*
 * Pin [@first, @first + @len) of the mapping; check the counters, that the
 * pinned pages are the mapped ones in order, and that truncating into the
 * range fails while truncating above it works; unpin and check the
 * counters again.
 */
static void pin_and_check(struct __test_metadata *_metadata,
			  FIXTURE_DATA(pmd) *self, size_t first, size_t len)
{
	long pins = vaddr_pins_held(), files = file_pins_held();
	off_t end = self->off + first + len;
	char *buf = malloc(len);
	size_t i;
	int pinfd;

	ASSERT_NE(NULL, buf);
	pinfd = pin_start(self->map + first, len);
	ASSERT_LE(0, pinfd);
	EXPECT_EQ(pins + (long)(len / ps), vaddr_pins_held());
	EXPECT_EQ(files + 1, file_pins_held());

	memset(buf, 0, len);
	ASSERT_EQ(0, pin_read(pinfd, buf));
	for (i = 0; i < len; i += ps) {
		ASSERT_EQ((self->off + first + i) / ps, page_tag(buf + i))
			TH_LOG("pinned page %zu is not the mapped one", i / ps);
	}
	EXPECT_EQ(0, memcmp(buf, self->map + first, len));

	EXPECT_EQ(-1, ftruncate(self->fd, end - ps));
	EXPECT_EQ(ETXTBSY, errno);
	EXPECT_EQ(-1, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE |
				FALLOC_FL_KEEP_SIZE, self->off + first, ps));
	EXPECT_EQ(ETXTBSY, errno);
	EXPECT_EQ(0, ftruncate(self->fd, self->off + MAP_SIZE));

	EXPECT_EQ(0, pin_stop(pinfd));
	EXPECT_EQ(pins, vaddr_pins_held());
	EXPECT_EQ(files, file_pins_held());
	EXPECT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, self->off + first, ps));
	free(buf);
}

TEST_F(pmd, whole_pmds)
{
	pin_and_check(_metadata, self, 0, MAP_SIZE);
}

TEST_F(pmd, across_pmd_boundary)
{
	pin_and_check(_metadata, self, SZ_2M - 16 * ps, 32 * ps);
}

TEST_F(pmd, one_page_inside_pmd)
{
	pin_and_check(_metadata, self, SZ_2M + 5 * ps, ps);
}

/*
 * A PMD fault makes one 2 MiB DAX entry, which a truncate or punch that
 * cuts into it removes whole, pages outside the range too: with one page
 * of it pinned, a change elsewhere in the same 2 MiB is refused at once
 * like one over the pin (it used to wait for the pin for ever, or, with
 * the file unmapped, strip the pinned page's entry), the next 2 MiB can
 * change, and after unpin the refused changes work.
 */
static void change_beside_pin(struct __test_metadata *_metadata,
			      FIXTURE_DATA(pmd) *self, bool unmap)
{
	long pins = vaddr_pins_held(), files = file_pins_held();
	off_t mid = self->off + SZ_2M / 2;
	char buf[16];
	int pinfd;

	pinfd = pin_start(self->map + 5 * ps, ps);
	ASSERT_LE(0, pinfd);
	if (unmap) {
		ASSERT_EQ(0, munmap(self->map, MAP_SIZE));
		self->map = MAP_FAILED;
	}
	EXPECT_EQ(-1, ftruncate(self->fd, mid));
	EXPECT_EQ(ETXTBSY, errno);
	EXPECT_EQ(-1, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE |
				FALLOC_FL_KEEP_SIZE, mid, ps));
	EXPECT_EQ(ETXTBSY, errno);
	EXPECT_EQ((ssize_t)sizeof(buf), pread(self->fd, buf, sizeof(buf), mid));
	EXPECT_EQ((unsigned long)(mid / ps), page_tag(buf));
	EXPECT_EQ(0, ftruncate(self->fd, self->off + SZ_2M));

	EXPECT_EQ(0, pin_stop(pinfd));
	EXPECT_EQ(pins, vaddr_pins_held());
	EXPECT_EQ(files, file_pins_held());
	EXPECT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, mid, ps));
	EXPECT_EQ(0, ftruncate(self->fd, mid));
}

TEST_F(pmd, change_beside_pin_in_same_pmd)
{
	change_beside_pin(_metadata, self, false);
}

TEST_F(pmd, change_beside_pin_in_same_pmd_unmapped)
{
	change_beside_pin(_metadata, self, true);
}

/*
 * The second PMD punched to a hole and read-faulted: DAX maps the huge zero
 * page there.  A read pin over it is refused (the zero page names no file
 * range, and a later write would put a block there that the pin never
 * sees), and the part pinned before it is released with its record.
 */
TEST_F(pmd, read_pin_of_pmd_hole)
{
	long pins = vaddr_pins_held(), files = file_pins_held();
	struct rusage ru0, ru1;
	char sum = 0;
	size_t i;
	int pinfd;

	ASSERT_EQ(0, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, self->off + SZ_2M, SZ_2M));
	ASSERT_EQ(0, getrusage(RUSAGE_SELF, &ru0));
	for (i = SZ_2M; i < MAP_SIZE; i += ps)
		sum |= self->map[i];
	ASSERT_EQ(0, getrusage(RUSAGE_SELF, &ru1));
	ASSERT_EQ(0, sum);
	ASSERT_GE(1, ru1.ru_minflt - ru0.ru_minflt)
		TH_LOG("%ld faults: the hole is not PMD-mapped",
		       ru1.ru_minflt - ru0.ru_minflt);

	pinfd = pin_start_flags(self->map, MAP_SIZE,
				PIN_LONGTERM_TEST_FLAG_USE_VADDR_PIN);
	EXPECT_EQ(-EOPNOTSUPP, pinfd);
	if (pinfd >= 0)
		pin_stop(pinfd);
	EXPECT_EQ(pins, vaddr_pins_held());
	EXPECT_EQ(files, file_pins_held());
	/* Nothing pinned is left: truncating into the hole works. */
	EXPECT_EQ(0, ftruncate(self->fd, self->off + SZ_2M + ps));
}

TEST_HARNESS_MAIN
