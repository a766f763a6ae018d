// SPDX-License-Identifier: GPL-2.0
/*
 * ibv_reg_mr() on rxe over anonymous, tmpfs and FS-DAX memory, without
 * any layout lease: anonymous and tmpfs memory register as upstream;
 * FS-DAX is refused with EPERM (the lease is missing), no longer with
 * upstream's EOPNOTSUPP.  selftests/rdma/dax_mr.c covers the lease.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <infiniband/verbs.h>
#include "kselftest_harness.h"

#define LEN (1UL << 20)

FIXTURE(rxe) {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
};

FIXTURE_SETUP(rxe)
{
	struct ibv_device **list = ibv_get_device_list(NULL);
	int i;

	ASSERT_NE(NULL, list);
	for (i = 0; list[i]; i++)
		if (!strcmp(ibv_get_device_name(list[i]), "rxe0"))
			self->ctx = ibv_open_device(list[i]);
	ibv_free_device_list(list);
	ASSERT_NE(NULL, self->ctx);
	self->pd = ibv_alloc_pd(self->ctx);
	ASSERT_NE(NULL, self->pd);
}

FIXTURE_TEARDOWN(rxe)
{
	if (self->pd)
		ibv_dealloc_pd(self->pd);
	if (self->ctx)
		ibv_close_device(self->ctx);
}

/* Register LEN bytes of a fresh MAP_SHARED file in dir; 0 or errno. */
static int reg_file(struct ibv_pd *pd, const char *dir)
{
	char path[128];
	struct ibv_mr *mr;
	int fd, err = 0;
	void *p;

	snprintf(path, sizeof(path), "%s/regmr.%d", dir, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, LEN))
		return -1;
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	memset(p, 1, LEN);
	mr = ibv_reg_mr(pd, p, LEN, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	if (mr)
		ibv_dereg_mr(mr);
	else
		err = errno;
	munmap(p, LEN);
	close(fd);
	unlink(path);
	return err;
}

TEST_F(rxe, anonymous)
{
	void *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ibv_mr *mr;

	ASSERT_NE(MAP_FAILED, p);
	mr = ibv_reg_mr(self->pd, p, LEN, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE);
	ASSERT_NE(NULL, mr) TH_LOG("ibv_reg_mr: %s", strerror(errno));
	EXPECT_EQ(0, ibv_dereg_mr(mr));
	munmap(p, LEN);
}

TEST_F(rxe, tmpfs)
{
	EXPECT_EQ(0, reg_file(self->pd, "/mnt/tmpfs"));
}

TEST_F(rxe, ext4_dax_without_lease_eperm)
{
	EXPECT_EQ(EPERM, reg_file(self->pd, "/mnt/ext4"));
}

TEST_F(rxe, xfs_dax_without_lease_eperm)
{
	EXPECT_EQ(EPERM, reg_file(self->pd, "/mnt/xfs"));
}

TEST_HARNESS_MAIN
