// SPDX-License-Identifier: GPL-2.0
/*
 * pinhold: take a layout lease on FILE, map it and pin [OFFSET, OFFSET+LEN)
 * through vaddr_pin_pages() (gup_test), run a shell command while the pin
 * is held, then unpin.  For the fstests-style scripts and the demo.
 *
 *   pinhold [-l none|layout|exclusive] [-u|-f|-x] [-d SECONDS] [-r] [-t]
 *           [-m] FILE OFFSET LEN CMD
 *
 * -u: on a lease break (SIGIO) unpin at once, as a cooperating holder
 * would; -f: on a lease break first read the file's first page, which
 * the pin does not cover (OFFSET > 0) and which is not mapped yet, then
 * unpin, as a holder caught faulting pages in would; -x: on a lease break
 * make the lease exclusive, as a holder that refuses to let go would;
 * without any of them the break is ignored.  -d: with -u or -f, wait
 * SECONDS between saying so and unpinning, as a holder slow to let go.
 * -r: pin for reading only (no FOLL_WRITE): the pages are faulted in for
 * reading.  -t: read every
 * page of the range before pinning, so that GUP-fast finds it mapped, and
 * print how many page faults that took (one per PMD when DAX maps PMDs).
 * -m: pin by registering an rxe0 MR (ibv_reg_mr()) instead of through
 * gup_test, whose calls take one global mutex (not with -u, -f or -x).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "pin_util.h"
#include "ibv_dl.h"

static volatile int pinfd = -1;
static volatile char *fault_first;
static int leasefd = -1;
static volatile sig_atomic_t refused;
static unsigned int unpin_delay;

static void on_break_refuse(int sig)
{
	if (!fcntl(leasefd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE))
		refused = 1;
}

static void on_break(int sig)
{
	static const char msg[] = "pinhold: lease break: unpinning\n";

	if (pinfd >= 0) {
		if (fault_first)
			(void)*fault_first;
		/* Before the unpin lets the breaker go on and print. */
		if (write(1, msg, sizeof(msg) - 1) < 0)
			_exit(1);
		sleep(unpin_delay);
		ioctl(pinfd, PIN_LONGTERM_TEST_STOP);
		pinfd = -1;
	}
}

int main(int argc, char **argv)
{
	unsigned int pin_flags = PIN_LONGTERM_TEST_FLAG_USE_VADDR_PIN |
				 PIN_LONGTERM_TEST_FLAG_USE_WRITE;
	int lease = F_LAYOUT | F_EXCLUSIVE, unpin_on_break = 0, refuse = 0;
	int touch = 0, fault = 0, use_mr = 0;
	struct ibv_dl v;
	struct ibv_dl_dev dev = {};
	struct ibv_mr *mr = NULL;
	int fd, ret, opt;
	const char *kind = "exclusive";
	size_t off, len;
	struct stat st;
	char *map;

	while ((opt = getopt(argc, argv, "l:ufrxtd:m")) != -1) {
		if (opt == 'x') {
			refuse = 1;
		} else if (opt == 't') {
			touch = 1;
		} else if (opt == 'd') {
			unpin_delay = atoi(optarg);
		} else if (opt == 'm') {
			use_mr = 1;
		} else if (opt == 'u' || opt == 'f') {
			unpin_on_break = 1;
			fault = opt == 'f';
		} else if (opt == 'r') {
			pin_flags &= ~PIN_LONGTERM_TEST_FLAG_USE_WRITE;
		} else if (opt == 'l') {
			kind = optarg;
			lease = !strcmp(kind, "none") ? 0 :
				!strcmp(kind, "layout") ? F_LAYOUT :
				F_LAYOUT | F_EXCLUSIVE;
		} else {
			return 2;
		}
	}
	if (argc - optind != 4 || (use_mr && (unpin_on_break || refuse))) {
		fprintf(stderr, "usage: pinhold [-l none|layout|exclusive] [-u|-f|-x] [-d SECONDS] [-r] [-t] [-m] FILE OFFSET LEN CMD\n");
		return 2;
	}
	off = strtoul(argv[optind + 1], NULL, 0);
	len = strtoul(argv[optind + 2], NULL, 0);
	fd = open(argv[optind], O_RDWR);
	if (fd < 0 || fstat(fd, &st)) {
		perror("pinhold: open");
		return 1;
	}
	leasefd = fd;
	signal(SIGIO, unpin_on_break ? on_break :
		      refuse ? on_break_refuse : SIG_IGN);
	if (lease) {
		ret = set_lease(fd, lease);
		printf("pinhold: %s lease: %s\n", kind, ret ? strerror(-ret) : "taken");
	}
	map = mmap(NULL, off + len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("pinhold: mmap");
		return 1;
	}
	if (fault)
		fault_first = map;
	if (touch) {
		struct rusage ru0, ru1;
		volatile char *p = map + off;
		size_t i;

		getrusage(RUSAGE_SELF, &ru0);
		for (i = 0; i < len; i += 4096)
			(void)p[i];
		getrusage(RUSAGE_SELF, &ru1);
		printf("pinhold: touched %zu pages: %ld faults\n", len / 4096,
		       ru1.ru_minflt - ru0.ru_minflt);
	}
	if (use_mr) {
		ret = ibv_dl_load(&v) ?: ibv_dl_open_rxe(&v, &dev);
		if (!ret) {
			/* For tests that time the registration against others */
			printf("pinhold: registering\n");
			fflush(stdout);
			errno = 0;
			mr = v.reg_mr(dev.pd, map + off, len,
				      pin_flags & PIN_LONGTERM_TEST_FLAG_USE_WRITE ?
				      IBV_ACCESS_LOCAL_WRITE : 0);
			ret = mr ? 0 : errno ? -errno : -EIO;
		}
	} else {
		ret = pin_start_flags(map + off, len, pin_flags);
	}
	printf("pinhold: pin bytes %zu-%zu: %s\n", off, off + len - 1,
	       ret < 0 ? strerror(-ret) : "pinned");
	fflush(stdout);
	if (ret >= 0 && !use_mr)
		pinfd = ret;
	ret = system(argv[optind + 3]);
	if (refused)
		printf("pinhold: lease break: lease made exclusive\n");
	fflush(stdout);
	if (pinfd >= 0 || mr) {
		if (mr)
			v.dereg_mr(mr);
		else
			pin_stop(pinfd);
		printf("pinhold: unpinned\n");
	}
	if (use_mr && dev.ctx)
		ibv_dl_close(&v, &dev);
	munmap(map, off + len);
	close(fd);
	return WIFEXITED(ret) ? WEXITSTATUS(ret) : 1;
}
