// SPDX-License-Identifier: GPL-2.0
/*
 * vaddr_pin_pages() pins memory that is not FS-DAX as pin_user_pages_fast()
 * does, with faults that may drop the mmap lock and retry.  Anonymous memory
 * registered with a userfaultfd (missing mode) and never touched is pinned
 * through gup_test and registered with ibv_reg_mr() (ib_umem_get() pins
 * through vaddr_pin_pages()) while a thread resolves each fault with
 * UFFDIO_COPY: both succeed, and pin exactly the pages the handler
 * supplied.  A fault that may not retry makes a userfault SIGBUS (EFAULT).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>
#include "kselftest_harness.h"
#include "pin_util.h"
#include "ibv_dl.h"

#define NPAGES	64

static size_t ps;

FIXTURE(uffd) {
	int uffd, stop[2];
	char *map;
	size_t len;
	pthread_t thread;
	bool running;
	long faults;		/* resolved by the handler */
	long pins0;
};

/* Page i of the mapping, as the handler supplies it, starts with i + 1. */
static unsigned long page_tag(const char *page)
{
	unsigned long tag;

	memcpy(&tag, page, sizeof(tag));
	return tag;
}

static void *handler(void *arg)
{
	FIXTURE_DATA(uffd) *self = arg;
	char *page = aligned_alloc(ps, ps);

	while (page) {
		struct pollfd pfd[2] = {
			{ .fd = self->uffd, .events = POLLIN },
			{ .fd = self->stop[0], .events = POLLIN },
		};
		struct uffdio_copy copy = { .len = ps };
		struct uffd_msg msg;
		unsigned long tag;

		if (poll(pfd, 2, -1) < 0 || pfd[1].revents)
			break;
		if (read(self->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		copy.dst = msg.arg.pagefault.address & ~(__u64)(ps - 1);
		tag = (copy.dst - (uintptr_t)self->map) / ps + 1;
		memset(page, 0, ps);
		memcpy(page, &tag, sizeof(tag));
		copy.src = (uintptr_t)page;
		if (ioctl(self->uffd, UFFDIO_COPY, &copy) && errno != EEXIST)
			break;
		__atomic_add_fetch(&self->faults, 1, __ATOMIC_RELAXED);
	}
	free(page);
	return NULL;
}

FIXTURE_SETUP(uffd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	ps = getpagesize();
	self->len = NPAGES * ps;
	self->map = MAP_FAILED;
	self->stop[0] = -1;
	self->stop[1] = -1;
	self->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, self->uffd) TH_LOG("userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_API, &api));
	self->map = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	/* One fault per page. */
	ASSERT_EQ(0, madvise(self->map, self->len, MADV_NOHUGEPAGE));
	reg.range.start = (uintptr_t)self->map;
	reg.range.len = self->len;
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, pipe(self->stop));
	ASSERT_EQ(0, pthread_create(&self->thread, NULL, handler, self));
	self->running = true;
	self->pins0 = vaddr_pins_held();
}

FIXTURE_TEARDOWN(uffd)
{
	if (self->running) {
		if (write(self->stop[1], "x", 1) != 1)
			abort();
		pthread_join(self->thread, NULL);
	}
	if (self->map != MAP_FAILED)
		munmap(self->map, self->len);
	close(self->stop[0]);
	close(self->stop[1]);
	close(self->uffd);
	EXPECT_EQ(self->pins0, vaddr_pins_held());
}

/* Every page was faulted in by the handler and holds its tag. */
static void check_pages(struct __test_metadata *_metadata,
			FIXTURE_DATA(uffd) *self, const char *pages)
{
	unsigned long i, bad = 0;

	EXPECT_EQ(NPAGES, __atomic_load_n(&self->faults, __ATOMIC_RELAXED));
	for (i = 0; i < NPAGES; i++)
		bad += page_tag(pages + i * ps) != i + 1;
	EXPECT_EQ(0, bad);
}

TEST_F(uffd, vaddr_pin_waits_for_handler)
{
	char *copy = malloc(self->len);
	int fd;

	ASSERT_NE(NULL, copy);
	fd = pin_start(self->map, self->len);
	ASSERT_LE(0, fd) TH_LOG("vaddr_pin_pages: %s", strerror(-fd));
	EXPECT_EQ(self->pins0 + NPAGES, vaddr_pins_held());
	/* The pages pinned, in pin order: the ones the handler supplied. */
	EXPECT_EQ(0, pin_read(fd, copy));
	check_pages(_metadata, self, copy);
	EXPECT_EQ(0, pin_stop(fd));
	free(copy);
}

TEST_F(uffd, reg_mr_waits_for_handler)
{
	struct ibv_dl_dev dev;
	struct ibv_mr *mr;
	struct ibv_dl v;

	ASSERT_EQ(0, ibv_dl_load(&v));
	ASSERT_EQ(0, ibv_dl_open_rxe(&v, &dev));
	errno = 0;
	mr = v.reg_mr(dev.pd, self->map, self->len, IBV_ACCESS_LOCAL_WRITE);
	EXPECT_NE(NULL, mr) TH_LOG("ibv_reg_mr: %s", strerror(errno));
	if (mr) {
		EXPECT_EQ(self->pins0 + NPAGES, vaddr_pins_held());
		check_pages(_metadata, self, self->map);
		EXPECT_EQ(0, v.dereg_mr(mr));
	}
	ibv_dl_close(&v, &dev);
}

TEST_HARNESS_MAIN
