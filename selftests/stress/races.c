// SPDX-License-Identifier: GPL-2.0
/*
 * Race stress: pins against layout changes on one DAX file, for
 * STRESS_SECONDS (default 30) per file system.
 *
 * The pinning process holds an exclusive layout lease and runs two
 * threads that pin and unpin random ranges through gup_test, one that
 * registers and deregisters random rxe MRs, and one that churns a second
 * layout lease (breakable or exclusive, dropped with F_UNLCK or by
 * closing its fd while pins may still be under it).  The changing
 * process runs two threads that write page stamps (each owns every other
 * page), two that truncate down and up, punch, zero, collapse, insert and
 * extend random ranges, and one that compares the whole file with the
 * model the others keep.
 *
 * Proves: every layout change succeeds or fails with ETXTBSY and nothing
 * else, and a refused one changes nothing (the file always matches the
 * model: a lost or misplaced page, or a change that happened although it
 * was refused, is a mismatch); writes are never refused; pins and MRs
 * fail only with EFAULT (beyond EOF); no operation stops making progress
 * for 15 s (hung task detection of the debug kernel is at 10 s); and at
 * the end the pin counters are back at their start values, no LAYOUT
 * lease is left and the file truncates to 0.  Both kinds of outcome must
 * have happened (refused and done), or the run proved nothing.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "pin_util.h"
#include "ibv_dl.h"

#define MAXP		512	/* pages the file may reach */
#define TRUNC_MAX	384	/* truncate up / write at most to here */
#define NWRITERS	2
#define NLAYOUT		2
#define STALL_S		15
#define MR_ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
			 IBV_ACCESS_REMOTE_READ)

enum { OP_TRUNC_DOWN, OP_TRUNC_UP, OP_PUNCH, OP_ZERO, OP_COLLAPSE,
       OP_INSERT, OP_EXTEND, OP_N };
static const char * const op_name[OP_N] = {
	"truncate-down", "truncate-up", "punch", "zero-range", "collapse",
	"insert", "extend",
};

/* Shared by the test and both processes. */
struct shared {
	volatile int stop;
	volatile long progress;		/* any changing-process operation */
	long done[OP_N], refused[OP_N], writes, verifies;
	long pins, pin_efault, mrs, mr_efault, leases, lease_busy, zombies;
	volatile int bad;		/* first unexpected result */
	char why[256];
};

static struct shared *sh;
static size_t ps;
static const char *path;

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (__sync_lock_test_and_set(&sh->bad, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->why, sizeof(sh->why), fmt, ap);
	va_end(ap);
	sh->stop = 1;
}

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return n ? rand_r(seed) % n : 0;
}

/* ---- the pinning process ---- */

static char *pmap;
static struct ibv_dl v;
static struct ibv_dl_dev dev;

static void *gup_pinner(void *arg)
{
	unsigned int seed = (uintptr_t)arg;

	while (!sh->stop) {
		unsigned int first = rnd(&seed, TRUNC_MAX), n = 1 + rnd(&seed, 32);
		int fd = pin_start(pmap + first * ps, n * ps);

		if (fd == -EFAULT) {
			__sync_fetch_and_add(&sh->pin_efault, 1);
			continue;
		}
		if (fd < 0) {
			fail("pin [%u, +%u): %s", first, n, strerror(-fd));
			break;
		}
		__sync_fetch_and_add(&sh->pins, 1);
		usleep(rnd(&seed, 3000));
		if (pin_stop(fd))
			fail("unpin: %s", strerror(errno));
	}
	return NULL;
}

static void *mr_pinner(void *arg)
{
	unsigned int seed = (uintptr_t)arg;

	while (!sh->stop) {
		unsigned int first = rnd(&seed, TRUNC_MAX), n = 1 + rnd(&seed, 32);
		struct ibv_mr *mr;

		errno = 0;
		mr = v.reg_mr(dev.pd, pmap + first * ps, n * ps, MR_ACCESS);
		if (!mr && errno == EFAULT) {
			__sync_fetch_and_add(&sh->mr_efault, 1);
			continue;
		}
		if (!mr) {
			fail("reg_mr [%u, +%u): %s", first, n, strerror(errno));
			break;
		}
		__sync_fetch_and_add(&sh->mrs, 1);
		usleep(rnd(&seed, 3000));
		if (v.dereg_mr(mr))
			fail("dereg_mr: %s", strerror(errno));
	}
	return NULL;
}

static void *lease_churn(void *arg)
{
	unsigned int seed = (uintptr_t)arg;

	while (!sh->stop) {
		int fd = open(path, O_RDWR), err;

		if (fd < 0) {
			fail("open: %s", strerror(errno));
			break;
		}
		err = set_lease(fd, rnd(&seed, 2) ? F_LAYOUT :
				F_LAYOUT | F_EXCLUSIVE);
		if (err) {
			fail("churn lease: %s", strerror(-err));
			close(fd);
			break;
		}
		__sync_fetch_and_add(&sh->leases, 1);
		usleep(1000 + rnd(&seed, 3000));
		if (rnd(&seed, 2)) {
			err = set_lease(fd, F_UNLCK);
			if (err == -EBUSY)
				__sync_fetch_and_add(&sh->lease_busy, 1);
			else if (err)
				fail("F_UNLCK: %s", strerror(-err));
		} else {
			__sync_fetch_and_add(&sh->zombies, 1);
		}
		close(fd);
	}
	return NULL;
}

static int pinning_process(void)
{
	pthread_t t[4];
	int fd, i;

	signal(SIGIO, SIG_IGN);		/* breaks of the churned lease */
	fd = open(path, O_RDWR);
	if (fd < 0 || set_lease(fd, F_LAYOUT | F_EXCLUSIVE))
		return 10;
	pmap = mmap(NULL, MAXP * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (pmap == MAP_FAILED || ibv_dl_load(&v) || ibv_dl_open_rxe(&v, &dev))
		return 11;
	pthread_create(&t[0], NULL, gup_pinner, (void *)1);
	pthread_create(&t[1], NULL, gup_pinner, (void *)2);
	pthread_create(&t[2], NULL, mr_pinner, (void *)3);
	pthread_create(&t[3], NULL, lease_churn, (void *)4);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ibv_dl_close(&v, &dev);
	return 0;
}

/* ---- the changing process ---- */

static int cfd;
static uint64_t model[MAXP];	/* stamp of each page, 0 = zeroes */
static unsigned long npages;	/* file size in pages */
static pthread_rwlock_t layout;	/* writers share it, layout changes not */
static pthread_mutex_t size_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t next_stamp = 1;

static void fill(uint64_t *buf, uint64_t stamp)
{
	size_t i;

	for (i = 0; i < ps / 8; i++)
		buf[i] = stamp;
}

static void *writer(void *arg)
{
	unsigned int w = (uintptr_t)arg, seed = w + 100;
	uint64_t *buf = malloc(ps);

	while (!sh->stop) {
		unsigned long pg = rnd(&seed, TRUNC_MAX / NWRITERS) * NWRITERS + w;
		uint64_t stamp = __sync_fetch_and_add(&next_stamp, 1);

		fill(buf, stamp);
		pthread_rwlock_rdlock(&layout);
		if (pwrite(cfd, buf, ps, pg * ps) != (ssize_t)ps) {
			fail("write page %lu: %s", pg, strerror(errno));
		} else {
			model[pg] = stamp;
			pthread_mutex_lock(&size_lock);
			if (pg + 1 > npages)
				npages = pg + 1;
			pthread_mutex_unlock(&size_lock);
		}
		pthread_rwlock_unlock(&layout);
		__sync_fetch_and_add(&sh->writes, 1);
		sh->progress++;
	}
	free(buf);
	return NULL;
}

/* Run layout change @op on random pages; update the model if it was done. */
static void layout_op(unsigned int *seed)
{
	int op = rnd(seed, OP_N), ret = 0;
	unsigned long n = npages, a = rnd(seed, n), len = 1 + rnd(seed, 16);

	switch (op) {
	case OP_TRUNC_DOWN:
		len = n - a;
		if (!len)
			return;
		ret = ftruncate(cfd, a * ps);
		break;
	case OP_TRUNC_UP:
		if (n >= TRUNC_MAX)
			return;
		a = n + 1 + rnd(seed, TRUNC_MAX - n);
		ret = ftruncate(cfd, a * ps);
		break;
	case OP_PUNCH:
	case OP_ZERO:
		if (a + len > n)
			len = n - a;
		if (!len)
			return;
		ret = fallocate(cfd, FALLOC_FL_KEEP_SIZE | (op == OP_PUNCH ?
				FALLOC_FL_PUNCH_HOLE : FALLOC_FL_ZERO_RANGE),
				a * ps, len * ps);
		break;
	case OP_COLLAPSE:
		if (a + len >= n)
			return;
		ret = fallocate(cfd, FALLOC_FL_COLLAPSE_RANGE, a * ps, len * ps);
		break;
	case OP_INSERT:
		if (a >= n || n + len > MAXP)
			return;
		ret = fallocate(cfd, FALLOC_FL_INSERT_RANGE, a * ps, len * ps);
		break;
	case OP_EXTEND:
		if (n + len > TRUNC_MAX)
			return;
		a = n;
		ret = fallocate(cfd, 0, a * ps, len * ps);
		break;
	}
	sh->progress++;
	if (ret && errno == ETXTBSY) {
		__sync_fetch_and_add(&sh->refused[op], 1);
		return;
	}
	if (ret) {
		fail("%s [%lu, +%lu) of %lu pages: %s", op_name[op], a, len, n,
		     strerror(errno));
		return;
	}
	__sync_fetch_and_add(&sh->done[op], 1);
	switch (op) {
	case OP_TRUNC_DOWN:
	case OP_TRUNC_UP:
		if (a < n)
			memset(model + a, 0, (n - a) * 8);
		npages = a;
		break;
	case OP_PUNCH:
	case OP_ZERO:
		memset(model + a, 0, len * 8);
		break;
	case OP_COLLAPSE:
		memmove(model + a, model + a + len, (n - a - len) * 8);
		memset(model + n - len, 0, len * 8);
		npages = n - len;
		break;
	case OP_INSERT:
		memmove(model + a + len, model + a, (n - a) * 8);
		memset(model + a, 0, len * 8);
		npages = n + len;
		break;
	case OP_EXTEND:
		npages = n + len;
		break;
	}
}

static void *changer(void *arg)
{
	unsigned int seed = (uintptr_t)arg;

	while (!sh->stop) {
		pthread_rwlock_wrlock(&layout);
		layout_op(&seed);
		pthread_rwlock_unlock(&layout);
		usleep(rnd(&seed, 2000));
	}
	return NULL;
}

/* The file is what the model says (layout lock held for writing). */
static void verify(uint64_t *buf)
{
	struct stat st;
	unsigned long pg;
	size_t i;

	if (fstat(cfd, &st) || st.st_size != (off_t)(npages * ps)) {
		fail("size %lld, model %lu pages", (long long)st.st_size, npages);
		return;
	}
	if (npages && pread(cfd, buf, npages * ps, 0) != (ssize_t)(npages * ps)) {
		fail("read back: %s", strerror(errno));
		return;
	}
	for (pg = 0; pg < npages; pg++)
		for (i = 0; i < ps / 8; i++)
			if (buf[pg * ps / 8 + i] != model[pg]) {
				fail("page %lu word %zu: %#llx, model %#llx",
				     pg, i, (unsigned long long)buf[pg * ps / 8 + i],
				     (unsigned long long)model[pg]);
				return;
			}
	sh->verifies++;
}

static int changing_process(void)
{
	pthread_rwlockattr_t attr;
	pthread_t t[NWRITERS + NLAYOUT];
	uint64_t *buf = malloc(MAXP * ps);
	int i;

	cfd = open(path, O_RDWR);
	if (cfd < 0 || !buf)
		return 20;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&layout, &attr);
	for (i = 0; i < NWRITERS; i++)
		pthread_create(&t[i], NULL, writer, (void *)(uintptr_t)i);
	for (i = 0; i < NLAYOUT; i++)
		pthread_create(&t[NWRITERS + i], NULL, changer,
			       (void *)(uintptr_t)(200 + i));
	while (!sh->stop) {
		usleep(200000);
		pthread_rwlock_wrlock(&layout);
		verify(buf);
		pthread_rwlock_unlock(&layout);
	}
	for (i = 0; i < NWRITERS + NLAYOUT; i++)
		pthread_join(t[i], NULL);
	verify(buf);
	return 0;
}

/* ---- the test ---- */

static void show_tasks(pid_t pid)
{
	char p[300], buf[128];
	struct dirent *d;
	DIR *dir;

	snprintf(p, sizeof(p), "/proc/%d/task", pid);
	dir = opendir(p);
	while (dir && (d = readdir(dir))) {
		FILE *f;

		snprintf(p, sizeof(p), "/proc/%d/task/%s/wchan", pid, d->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f))
			ksft_print_msg("task %s of %d waits in %s\n", d->d_name,
				       pid, buf);
		fclose(f);
	}
	if (dir)
		closedir(dir);
}

/* Wait up to 30 s for @pid: its exit code, or -1 (then it is killed). */
static int reap(pid_t pid)
{
	pid_t got = 0;
	int status, s;

	for (s = 0; s < 30 && !(got = waitpid(pid, &status, WNOHANG)); s++)
		sleep(1);
	if (got < 0)
		return -1;
	if (!got) {
		show_tasks(pid);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

FIXTURE(races) {
	char path[96], id[64];
	int fd;
	long pages, files;
	char lbt[16];
};

FIXTURE_VARIANT(races) {
	const char *dir;
};
FIXTURE_VARIANT_ADD(races, ext4) { .dir = "/mnt/ext4" };
FIXTURE_VARIANT_ADD(races, xfs) { .dir = "/mnt/xfs" };

FIXTURE_SETUP(races)
{
	int fd;

	ps = getpagesize();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	snprintf(self->path, sizeof(self->path), "%s/races.%d", variant->dir,
		 getpid());
	path = self->path;
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, self->fd);
	lock_id_of(self->fd, self->id, sizeof(self->id));
	/* a breakable lease delays a refusal by lease-break-time: keep it short */
	fd = open("/proc/sys/fs/lease-break-time", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, self->lbt, sizeof(self->lbt) - 1));
	ASSERT_EQ(1, pwrite(fd, "1", 1, 0));
	close(fd);
	self->pages = vaddr_pins_held();
	self->files = file_pins_held();
}

FIXTURE_TEARDOWN(races)
{
	int fd = open("/proc/sys/fs/lease-break-time", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, self->lbt, strlen(self->lbt)) < 0)
			perror("lease-break-time");
		close(fd);
	}
	close(self->fd);
	unlink(self->path);
}

TEST_F_TIMEOUT(races, stress, 300)
{
	const char *env = getenv("STRESS_SECONDS");
	int secs = env ? atoi(env) : 30, i, s;
	long last = -1;
	time_t end, stalled = time(NULL);
	pid_t pinner, changer_pid;

	pinner = fork();
	ASSERT_LE(0, pinner);
	if (!pinner)
		_exit(pinning_process());
	changer_pid = fork();
	ASSERT_LE(0, changer_pid);
	if (!changer_pid)
		_exit(changing_process());

	end = time(NULL) + secs;
	while (time(NULL) < end && !sh->stop) {
		sleep(1);
		if (sh->progress != last) {
			last = sh->progress;
			stalled = time(NULL);
		} else if (time(NULL) - stalled >= STALL_S) {
			show_tasks(changer_pid);
			show_tasks(pinner);
			fail("no progress for %d s", STALL_S);
		}
	}
	sh->stop = 1;
	EXPECT_EQ(0, reap(pinner)) TH_LOG("pinning process");
	EXPECT_EQ(0, reap(changer_pid)) TH_LOG("changing process");

	/*
	 * Growing is never refused.  In a run of the default length each
	 * change that frees blocks both happened and was refused (dozens of
	 * times each in every 30 s run so far; a shorter one may miss some).
	 */
	for (i = 0; i < OP_N; i++) {
		bool grows = i == OP_TRUNC_UP || i == OP_EXTEND;

		ksft_print_msg("%-14s done %5ld refused %5ld\n", op_name[i],
			       sh->done[i], sh->refused[i]);
		if (grows) {
			EXPECT_EQ(0, sh->refused[i]) TH_LOG("%s refused",
							    op_name[i]);
		} else if (secs >= 30) {
			EXPECT_LT(0, sh->done[i]) TH_LOG("%s never done",
							 op_name[i]);
			EXPECT_LT(0, sh->refused[i]) TH_LOG("%s never refused",
							    op_name[i]);
		}
	}
	ksft_print_msg("%d s: %ld writes, %ld verifies; pins %ld (+%ld EFAULT), MRs %ld (+%ld EFAULT); churned leases %ld (%ld F_UNLCK EBUSY, %ld closed)\n",
		       secs, sh->writes, sh->verifies, sh->pins, sh->pin_efault,
		       sh->mrs, sh->mr_efault, sh->leases, sh->lease_busy,
		       sh->zombies);
	EXPECT_EQ(0, sh->bad) TH_LOG("%s", sh->why);
	EXPECT_LT(0, sh->pins);
	EXPECT_LT(0, sh->mrs);
	EXPECT_LT(0, sh->writes);
	EXPECT_LT(1, sh->verifies);

	for (s = 0; s < 50; s++) {
		if (vaddr_pins_held() == self->pages &&
		    file_pins_held() == self->files && !layout_leases_on(self->id))
			break;
		usleep(100000);
	}
	EXPECT_EQ(self->pages, vaddr_pins_held());
	EXPECT_EQ(self->files, file_pins_held());
	EXPECT_EQ(0, layout_leases_on(self->id));
	EXPECT_EQ(0, ftruncate(self->fd, 0));
}

TEST_HARNESS_MAIN
