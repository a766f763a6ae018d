// SPDX-License-Identifier: GPL-2.0
/*
 * Pins whose owner the process reaches only through a mapping still show
 * in /proc/<pid>/file_pins, as owner_fd=map: an RDMA context whose
 * uverbs fd was closed while rxe's queues stay mapped keeps its MRs,
 * until exit unmaps the queues and with them releases the pins.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "pin_util.h"
#include "rxe_util.h"

#define LEN	(1 << 20)

static int fail(int step, const char *what)
{
	fprintf(stderr, "# child: %s failed\n", what);
	return step;
}

/* The process that pins: 0, or the number of the check that failed. */
static int pin_then_close_fd(const char *path)
{
	int fd = open(path, O_RDWR);
	struct rxe r = {};
	char *map;

	if (fd < 0 || set_lease(fd, F_LAYOUT | F_EXCLUSIVE))
		return fail(1, "open and lease");
	map = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	/* rxe_create_qp() maps the queues. */
	if (map == MAP_FAILED || rxe_open(&r) || rxe_create_qp(&r))
		return fail(2, "mmap, rxe setup");
	if (!ibv_reg_mr(r.pd, map, LEN, RXE_ACCESS))
		return fail(3, "ibv_reg_mr");
	if (file_pins_lines(getpid(), "owner=/dev/infiniband/uverbs0 ", "") != 1 ||
	    file_pins_lines(getpid(), "owner_fd=map ", "") != 0)
		return fail(4, "file_pins with the fd open");

	/* Behind libibverbs' back: the context lives on in its mappings. */
	if (close(r.ctx->cmd_fd))
		return fail(5, "close");
	if (!ftruncate(fd, 0) || errno != ETXTBSY)
		return fail(6, "ftruncate refused with ETXTBSY");
	if (file_pins_lines(getpid(), "owner_fd=map ",
			    "owner=/dev/infiniband/uverbs0 device=rxe0 ") != 1)
		return fail(7, "file_pins with only the mappings");
	/* Exit tears the mappings, the context and the pins down. */
	return 0;
}

TEST(owner_reached_through_mapping)
{
	char path[] = "/mnt/xfs/mapped_owner.XXXXXX";
	long pages0 = vaddr_pins_held(), files0 = file_pins_held();
	int fd = mkstemp(path), status, i;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, LEN));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(pin_then_close_fd(path));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("check %d of the child failed",
						 WEXITSTATUS(status));
	/* The last reference, a mapping, went at exit: so did the pins. */
	for (i = 0; i < 100 && (vaddr_pins_held() != pages0 ||
				file_pins_held() != files0); i++)
		usleep(50000);
	EXPECT_EQ(pages0, vaddr_pins_held());
	EXPECT_EQ(files0, file_pins_held());
	EXPECT_EQ(0, ftruncate(fd, 0) ? -errno : 0);
	close(fd);
	unlink(path);
}

TEST_HARNESS_MAIN
