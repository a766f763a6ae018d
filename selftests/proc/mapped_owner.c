// SPDX-License-Identifier: GPL-2.0
/*
 * Pins whose owner the process reaches only through a mapping still show
 * in /proc/<pid>/file_pins, as owner_fd=map: an RDMA context whose
 * uverbs fd was closed while rxe's queues stay mapped keeps its MRs,
 * until exit unmaps the queues and with them releases the pins.
 *
 * With allocation failures injected into the reads (debug kernel), each
 * listing is whole or fails with ENOMEM: the owner is never left out.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "pin_util.h"
#include "rxe_util.h"

#define LEN	(1 << 20)
#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define MAP_LINE	"owner_fd=map "
#define FAIL_TIMES	"1000000"

static int fail(int step, const char *what)
{
	fprintf(stderr, "# child: %s failed\n", what);
	return step;
}

/* A number read from the file @path, or -1. */
static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long val = -1;

	if (f) {
		if (fscanf(f, "%ld", &val) != 1)
			val = -1;
		fclose(f);
	}
	return val;
}

/*
 * Read our file_pins with every slab allocation of the read failing once
 * a budget of bytes is spent (failslab's space, probability 100 for this
 * thread), for budgets growing 64 bytes at a time until a read runs
 * without a failure: the two tries of one xa_insert() fail alike.  Each
 * read must list the one mapped owner or fail with ENOMEM.  Returns how
 * many reads failures hit, or -1 when one came out short or failed
 * otherwise.
 */
static int read_under_failures(void)
{
	int mif = open("/proc/thread-self/make-it-fail", O_WRONLY);
	static char buf[65536];
	int hits = 0, fd, err;
	char arg[32];
	long space;
	ssize_t len;
	bool whole;

	for (space = 0; mif >= 0 && space < (1 << 20); space += 64) {
		snprintf(arg, sizeof(arg), "%ld", space);
		if (write_str(FAILSLAB "space", arg) ||
		    write_str(FAILSLAB "times", FAIL_TIMES) ||
		    pwrite(mif, "1", 1, 0) != 1)
			break;
		len = -1;
		fd = open("/proc/self/file_pins", O_RDONLY);
		if (fd >= 0) {
			len = read(fd, buf, sizeof(buf) - 1);
			err = errno;
			close(fd);
		} else {
			err = errno;
		}
		if (pwrite(mif, "0", 1, 0) != 1)
			break;
		if (len >= 0)
			buf[len] = 0;
		whole = len >= 0 && strstr(buf, MAP_LINE);
		if (read_long(FAILSLAB "times") == atol(FAIL_TIMES)) {
			close(mif);
			return whole ? hits : -1;
		}
		hits++;
		if (!whole && (len >= 0 || err != ENOMEM)) {
			fprintf(stderr, "# child: budget %ld: %s\n", space,
				len >= 0 ? "owner left out" : strerror(err));
			break;
		}
	}
	close(mif);
	return -1;
}

/*
 * The process that pins, and with @inject reads its listing under
 * allocation failures: 0, or the number of the check that failed.
 */
static int pin_then_close_fd(const char *path, bool inject)
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
	    file_pins_lines(getpid(), MAP_LINE, "") != 0)
		return fail(4, "file_pins with the fd open");

	/* Behind libibverbs' back: the context lives on in its mappings. */
	if (close(r.ctx->cmd_fd))
		return fail(5, "close");
	if (!ftruncate(fd, 0) || errno != ETXTBSY)
		return fail(6, "ftruncate refused with ETXTBSY");
	if (file_pins_lines(getpid(), MAP_LINE,
			    "owner=/dev/infiniband/uverbs0 device=rxe0 ") != 1)
		return fail(7, "file_pins with only the mappings");
	if (inject) {
		int hits;

		/* An armed read must not fault in code from the 9p root. */
		if (mlockall(MCL_CURRENT | MCL_FUTURE) ||
		    write_str(FAILSLAB "ignore-gfp-wait", "N") ||
		    write_str(FAILSLAB "verbose", "0") ||
		    write_str(FAILSLAB "task-filter", "Y") ||
		    write_str(FAILSLAB "interval", "1") ||
		    write_str(FAILSLAB "probability", "100"))
			return fail(8, "fault injection setup");
		hits = read_under_failures();
		/* Back to the defaults. */
		write_str(FAILSLAB "probability", "0");
		write_str(FAILSLAB "task-filter", "N");
		write_str(FAILSLAB "space", "0");
		write_str(FAILSLAB "times", "1");
		write_str(FAILSLAB "ignore-gfp-wait", "Y");
		write_str(FAILSLAB "verbose", "2");
		fprintf(stderr, "# child: %d reads hit by a failure\n", hits);
		if (hits < 1)
			return fail(9, "file_pins whole or ENOMEM under failures");
	}
	/* Exit tears the mappings, the context and the pins down. */
	return 0;
}

static void pin_in_child(struct __test_metadata *_metadata, bool inject)
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
		_exit(pin_then_close_fd(path, inject));
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

TEST(owner_reached_through_mapping)
{
	pin_in_child(_metadata, false);
}

TEST(listing_whole_under_allocation_failures)
{
	if (access("/proc/thread-self/make-it-fail", W_OK) ||
	    access(FAILSLAB "space", W_OK))
		SKIP(return, "no fault injection in this kernel (debug kernel only)");
	pin_in_child(_metadata, true);
}

TEST_HARNESS_MAIN
