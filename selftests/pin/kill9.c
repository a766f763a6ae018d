// SPDX-License-Identifier: GPL-2.0
/*
 * Death at any moment: a child takes a layout lease (exclusive or
 * breakable) on a DAX file and loops registering an rxe MR over the whole
 * file, pinning half of it through gup_test, deregistering and unpinning,
 * while the parent SIGKILLs it after a random 0-50 ms (seeded rand(); the
 * seed is printed, KILL9_SEED=N repeats a run).  Proves that wherever the
 * kill lands, once the child is reaped the pin counters return to their
 * start values (within 5 s), truncate of the file to 0 succeeds, and
 * /proc/locks shows no LAYOUT lease for it.  Without disturbance every
 * registration and pin of the child works.  The *_truncating variants add
 * a third process that truncates into the pinned range and back in a
 * loop meanwhile: every truncate returns 0 or ETXTBSY, nothing else, and
 * none hangs (alarm()).  A child that takes over 1 s to die is reported
 * with its wchan (and kernel stack where /proc/PID/stack exists).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "pin_util.h"
#include "ibv_dl.h"

#define FILE_PAGES	16
#define ITERATIONS	20
#define MAX_DELAY_MS	50
#define SETTLE_MS	5000
#define REAP_MS		10000	/* a killed holder must be gone by then */
#define TRUNC_ALARM_S	10	/* one truncate: lease-break-time is 3 s */
#define MR_ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
			 IBV_ACCESS_REMOTE_READ)

/* Where the holder was when it died. */
enum { PH_SETUP, PH_REG, PH_PIN, PH_DEREG, PH_UNPIN, PH_N };
static const char * const phase_name[PH_N] = {
	"setup", "in reg_mr", "in pin_start", "in dereg_mr", "in pin_stop",
};

/* Shared between the test, the holder and the truncating process. */
struct shared {
	volatile int phase;
	volatile long cycles, reg_fail, pin_fail;
	volatile int reg_err, pin_err;
	volatile int stop;
	volatile long trunc_ok, trunc_busy, trunc_other;
	volatile int trunc_err;
};

static size_t ps;

FIXTURE(kill9) {
	char path[96];
	char lock_id[64];	/* MAJ:MIN:INO as /proc/locks prints it */
	int fd;
	long pages, files;
	struct shared *sh;
	struct ibv_dl v;
	pid_t holder, racer;
};

FIXTURE_VARIANT(kill9) {
	const char *dir;
	int lease;
	bool truncating;
	int iterations;		/* 0: ITERATIONS */
};

FIXTURE_VARIANT_ADD(kill9, xfs_exclusive) {
	.dir = "/mnt/xfs", .lease = F_LAYOUT | F_EXCLUSIVE,
};
FIXTURE_VARIANT_ADD(kill9, ext4_layout) {
	.dir = "/mnt/ext4", .lease = F_LAYOUT,
};
FIXTURE_VARIANT_ADD(kill9, ext4_exclusive_truncating) {
	.dir = "/mnt/ext4", .lease = F_LAYOUT | F_EXCLUSIVE, .truncating = true,
};
/* Fewer rounds: a kill here may take lease-break-time (3 s) to finish. */
FIXTURE_VARIANT_ADD(kill9, xfs_layout_truncating) {
	.dir = "/mnt/xfs", .lease = F_LAYOUT, .truncating = true,
	.iterations = 10,
};

FIXTURE_SETUP(kill9)
{
	struct stat st;

	ps = getpagesize();
	self->holder = self->racer = 0;
	ASSERT_EQ(0, ibv_dl_load(&self->v));
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	snprintf(self->path, sizeof(self->path), "%s/kill9.%d", variant->dir,
		 getpid());
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ftruncate(self->fd, FILE_PAGES * ps));
	ASSERT_EQ(0, fstat(self->fd, &st));
	snprintf(self->lock_id, sizeof(self->lock_id), " %02x:%02x:%lu ",
		 major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	self->pages = vaddr_pins_held();
	self->files = file_pins_held();
	ASSERT_LE(0, self->pages);
	ASSERT_LE(0, self->files);
}

FIXTURE_TEARDOWN(kill9)
{
	if (self->holder > 0)
		kill(self->holder, SIGKILL);
	if (self->racer > 0)
		kill(self->racer, SIGKILL);
	while (wait(NULL) > 0)
		;
	close(self->fd);
	unlink(self->path);
}

/* The child: lease, map, then register/pin/deregister/unpin forever. */
static void holder(FIXTURE_DATA(kill9) *self, int lease, int ready)
{
	struct shared *sh = self->sh;
	size_t len = FILE_PAGES * ps;
	struct ibv_dl_dev dev;
	struct ibv_mr *mr;
	char *map;
	int fd, pinfd;

	signal(SIGIO, SIG_IGN);		/* breakable lease: ignore breaks */
	sh->phase = PH_SETUP;
	fd = open(self->path, O_RDWR);
	if (fd < 0)
		_exit(10);
	if (set_lease(fd, lease))
		_exit(11);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		_exit(12);
	if (ibv_dl_open_rxe(&self->v, &dev))
		_exit(13);
	if (write(ready, "r", 1) != 1)
		_exit(14);
	for (;;) {
		sh->phase = PH_REG;
		errno = 0;
		mr = self->v.reg_mr(dev.pd, map, len, MR_ACCESS);
		if (!mr) {
			sh->reg_err = errno;
			sh->reg_fail++;
		}
		sh->phase = PH_PIN;
		pinfd = pin_start(map + len / 2, len / 2);
		if (pinfd < 0) {
			sh->pin_err = -pinfd;
			sh->pin_fail++;
		}
		sh->phase = PH_DEREG;
		if (mr)
			self->v.dereg_mr(mr);
		sh->phase = PH_UNPIN;
		if (pinfd >= 0)
			pin_stop(pinfd);
		sh->cycles++;
	}
}

/*
 * The third process: truncate into the pinned range and back, forever;
 * a truncate that takes TRUNC_ALARM_S kills it with SIGALRM.  Counts the
 * shrinks that succeeded and those refused; growing must always work.
 */
static void racer(FIXTURE_DATA(kill9) *self)
{
	static const off_t pages[] = { FILE_PAGES / 2, FILE_PAGES };
	struct shared *sh = self->sh;
	int fd = open(self->path, O_RDWR), i, err;

	if (fd < 0)
		_exit(20);
	signal(SIGIO, SIG_IGN);
	while (!sh->stop) {
		for (i = 0; i < 2; i++) {
			alarm(TRUNC_ALARM_S);
			err = ftruncate(fd, pages[i] * ps) ? errno : 0;
			alarm(0);
			/* Only the shrink (i == 0) can meet pins. */
			if (!err) {
				sh->trunc_ok += i == 0;
			} else if (err == ETXTBSY && i == 0) {
				sh->trunc_busy++;
			} else {
				sh->trunc_other++;
				sh->trunc_err = err;
			}
		}
	}
	_exit(0);
}

/* Where a process sleeps in the kernel: wchan, and the stack if the
 * kernel has CONFIG_STACKTRACE. */
static void show_wait(const char *who, pid_t pid)
{
	char path[64], buf[2048];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	ksft_print_msg("%s %d still there after 1 s, wchan %.*s\n", who, pid,
		       n > 0 ? (int)n : 1, n > 0 ? buf : "?");
	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n > 0)
		printf("%.*s", (int)n, buf);
}

/* waitpid() for at most @ms: exit code, 128 + signal, or -1 on timeout.
 * After 1 s, says where @pid and @other (if any) wait. */
static int wait_for(pid_t pid, int ms, pid_t other)
{
	long start = now_ms();
	bool shown = false;
	int status;

	do {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
			       WEXITSTATUS(status);
		if (r < 0)
			return -1;
		if (!shown && now_ms() - start >= 1000) {
			show_wait("process", pid);
			if (other > 0)
				show_wait("truncating process", other);
			shown = true;
		}
		usleep(2000);
	} while (now_ms() - start < ms);
	return -1;
}

/* Wait until no pin is held beyond the test's start values. */
static bool pins_settle(FIXTURE_DATA(kill9) *self)
{
	long end = now_ms() + SETTLE_MS;

	do {
		if (vaddr_pins_held() == self->pages &&
		    file_pins_held() == self->files)
			return true;
		usleep(10000);
	} while (now_ms() < end);
	return false;
}

TEST_F_TIMEOUT(kill9, random_kill, 300)
{
	const char *env = getenv("KILL9_SEED");
	unsigned int seed = env ? strtoul(env, NULL, 0) :
			    (unsigned int)time(NULL) ^ getpid();
	long hist[PH_N] = { 0 }, start = now_ms(), max_reap = 0, t;
	long trunc_ok = 0, trunc_busy = 0;
	struct shared *sh = self->sh;
	int n = variant->iterations ? variant->iterations : ITERATIONS;
	int i, p[2], ret, delay, phases = 0;
	char c;

	ksft_print_msg("%s: seed %u (KILL9_SEED=%u repeats it)\n",
		       variant->dir, seed, seed);
	srand(seed);
	/* Up to 3n kills, until they have landed in two pin phases. */
	for (i = 0; i < n || (phases < 2 && i < 3 * n); i++) {
		memset(sh, 0, sizeof(*sh));
		ASSERT_EQ(0, pipe(p));
		self->holder = fork();
		ASSERT_LE(0, self->holder);
		if (!self->holder) {
			close(p[0]);
			holder(self, variant->lease, p[1]);
		}
		close(p[1]);
		ret = read(p[0], &c, 1);
		close(p[0]);
		ASSERT_EQ(1, ret) {
			TH_LOG("iteration %d: holder failed to set up, exit %d",
			       i, wait_for(self->holder, REAP_MS, 0));
			self->holder = 0;
		}
		if (variant->truncating) {
			self->racer = fork();
			ASSERT_LE(0, self->racer);
			if (!self->racer)
				racer(self);
		}

		delay = rand() % (MAX_DELAY_MS + 1);
		usleep(delay * 1000);
		ASSERT_EQ(0, kill(self->holder, SIGKILL));
		t = now_ms();
		ret = wait_for(self->holder, REAP_MS, self->racer);
		t = now_ms() - t;
		if (t > max_reap)
			max_reap = t;
		ASSERT_EQ(128 + SIGKILL, ret) {
			TH_LOG("iteration %d (delay %d ms): holder %s %d", i,
			       delay, ret < 0 ? "not reaped, exit" : "ended with",
			       ret);
		}
		self->holder = 0;
		if (!hist[sh->phase]++ && sh->phase != PH_SETUP)
			phases++;

		if (variant->truncating) {
			sh->stop = 1;
			ret = wait_for(self->racer, TRUNC_ALARM_S * 1000 + 2000, 0);
			EXPECT_EQ(0, ret) {
				TH_LOG("iteration %d (delay %d ms): truncating process %s %d%s",
				       i, delay, ret < 0 ? "not reaped" : "exit",
				       ret, ret == 128 + SIGALRM ?
				       " (a truncate hung)" : "");
			}
			self->racer = 0;
			trunc_ok += sh->trunc_ok;
			trunc_busy += sh->trunc_busy;
			EXPECT_EQ(0, sh->trunc_other) {
				TH_LOG("iteration %d: truncate failed with %s",
				       i, strerror(sh->trunc_err));
			}
		} else {
			/* Nothing disturbs the holder: every call works. */
			EXPECT_EQ(0, sh->reg_fail) {
				TH_LOG("iteration %d: ibv_reg_mr: %s", i,
				       strerror(sh->reg_err));
			}
			EXPECT_EQ(0, sh->pin_fail) {
				TH_LOG("iteration %d: pin_start: %s", i,
				       strerror(sh->pin_err));
			}
		}

		ASSERT_TRUE(pins_settle(self)) {
			TH_LOG("iteration %d (delay %d ms, %s): %ld pages, %ld file ranges still pinned after %d ms",
			       i, delay, phase_name[sh->phase],
			       vaddr_pins_held() - self->pages,
			       file_pins_held() - self->files, SETTLE_MS);
		}
		ASSERT_EQ(0, ftruncate(self->fd, 0)) {
			TH_LOG("iteration %d (delay %d ms, %s): truncate to 0: %s",
			       i, delay, phase_name[sh->phase],
			       strerror(errno));
		}
		ASSERT_EQ(0, layout_leases_on(self->lock_id)) {
			TH_LOG("iteration %d (delay %d ms, %s): LAYOUT lease left in /proc/locks",
			       i, delay, phase_name[sh->phase]);
		}
		ASSERT_EQ(0, ftruncate(self->fd, FILE_PAGES * ps));

		ksft_print_msg("%2d: killed after %2d ms, %s, %ld cycles, reaped in %ld ms",
			       i, delay, phase_name[sh->phase], sh->cycles, t);
		if (variant->truncating)
			printf(", truncate ok %ld busy %ld", sh->trunc_ok,
			       sh->trunc_busy);
		if (sh->reg_fail || sh->pin_fail)
			printf(", reg failed %ld (%s) pin failed %ld (%s)",
			       sh->reg_fail, strerror(sh->reg_err),
			       sh->pin_fail, strerror(sh->pin_err));
		printf("\n");
	}
	ksft_print_msg("%d kills in %ld ms; longest reap %ld ms; died in:",
		       i, now_ms() - start, max_reap);
	for (i = 0; i < PH_N; i++)
		if (hist[i])
			printf(" %s %ld,", phase_name[i], hist[i]);
	printf("\n");
	/* The kills test the pin paths only if they land in them, not all in one. */
	EXPECT_LE(2, phases);
	/*
	 * And the truncating process found the file free, and met pins: under
	 * an exclusive lease as refusals (a breakable one's break waits them
	 * out, so there the truncates succeed).
	 */
	if (variant->truncating) {
		EXPECT_LT(0, trunc_ok);
		if (variant->lease & F_EXCLUSIVE)
			EXPECT_LT(0, trunc_busy);
	}
}

TEST_HARNESS_MAIN
