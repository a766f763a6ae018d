// SPDX-License-Identifier: GPL-2.0
/*
 * Pins whose owner the process reaches only through a mapping still show
 * in /proc/<pid>/file_pins, as owner_fd=map: an RDMA context whose
 * uverbs fd was closed while rxe's queues stay mapped keeps its MRs.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include "kselftest_harness.h"
#include "pin_util.h"
#include "rxe_util.h"

static int count_lines(const char *what)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen("/proc/self/file_pins", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, what))
			n++;
	fclose(f);
	return n;
}

TEST(owner_reached_through_mapping)
{
	char path[] = "/mnt/xfs/mapped_owner.XXXXXX";
	size_t len = 1 << 20;
	struct rxe r = {};
	struct ibv_mr *mr;
	int fd = mkstemp(path);
	char *map;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, len));
	ASSERT_EQ(0, set_lease(fd, F_LAYOUT | F_EXCLUSIVE));
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, rxe_open(&r));
	ASSERT_EQ(0, rxe_create_qp(&r));	/* maps the queues */
	mr = ibv_reg_mr(r.pd, map, len, RXE_ACCESS);
	ASSERT_NE(NULL, mr);
	EXPECT_EQ(1, count_lines("owner=/dev/infiniband/uverbs0 "));
	EXPECT_EQ(0, count_lines("owner_fd=map "));

	/* Behind libibverbs' back: the context lives on in its mappings. */
	ASSERT_EQ(0, close(r.ctx->cmd_fd));
	EXPECT_EQ(-ETXTBSY, ftruncate(fd, 0) ? -errno : 0);
	EXPECT_EQ(1, count_lines("owner_fd=map owner=/dev/infiniband/uverbs0 device=rxe0 "));
	unlink(path);
	/* Exit tears the mappings, the context and the pins down. */
}

TEST_HARNESS_MAIN
