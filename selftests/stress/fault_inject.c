// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection on the pin, record and lease paths (debug kernel:
 * CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAIL_FUNCTION).
 *
 * systematic: every step of a pin's life (take the layout lease, pin
 * through gup_test, ibv_reg_mr(), read /proc/self/file_pins (every line or
 * an error, never a silently short list), ibv_dereg_mr(),
 * unpin, F_UNLCK, close the leased fd while pinned) runs with
 * /proc/thread-self/fail-nth = 1, 2, 3, ... until it passes without a
 * fault: each slab allocation, page allocation and ALLOW_ERROR_INJECTION
 * point it reaches (layout_lease_set, file_pin_reserve,
 * pin_user_pages_file) fails once, in turn.
 * random: the whole life, 100 times, with every kernel fault point of the
 * test thread failing with probability 5 % (make-it-fail).
 *
 * Proves that every failure is a clean errno (ENOMEM, EFAULT, EAGAIN or
 * EINTR), that after each attempt and its clean-up the pin counters are
 * back at their start values and no LAYOUT lease is left in /proc/locks,
 * that an MR, pin or lease a failed step left behind still goes away
 * normally, and at the end that the file truncates to 0 and the file
 * system unmounts (a leaked file reference would make umount fail).
 * Leaked memory is kmemleak's part (run.sh scans at the end).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/mount.h>
#include "kselftest_harness.h"
#include "pin_util.h"
#include "ibv_dl.h"

#define FILE_PAGES	32
#define RANDOM_ROUNDS	100
#define RANDOM_PERCENT	"5"
#define MAX_NTH		2000
#define DBGFS		"/sys/kernel/debug"
#define MR_ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
			 IBV_ACCESS_REMOTE_READ)

static const char * const inject_fns[] = {
	"layout_lease_set", "file_pin_reserve", "pin_user_pages_file",
};
static const char * const attrs[] = { "failslab", "fail_page_alloc",
				      "fail_function" };

enum step { ST_LEASE, ST_PIN, ST_REG, ST_SHOW, ST_DEREG, ST_UNPIN,
	    ST_UNLOCK, ST_CLOSE, ST_N };
static const char * const step_name[ST_N] = {
	"F_SETLEASE", "pin", "reg_mr", "file_pins", "dereg_mr", "unpin",
	"F_UNLCK", "close-while-pinned",
};

static int putf(const char *attr, const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), DBGFS "/%s/%s", attr, file);
	return write_str(path, val);
}

/* What one life works on; everything but the file is per attempt. */
struct life {
	const struct ibv_dl *v;
	struct ibv_dl_dev dev;
	char *map;
	size_t len;
	int lfd, gfd, nth, mif;
	struct ibv_mr *mr;
	bool leased, pinned;
};

static void arm(struct life *l, int n)
{
	char buf[16];

	if (l->nth >= 0) {
		snprintf(buf, sizeof(buf), "%d", n);
		if (write(l->nth, buf, strlen(buf)) < 0)
			abort();
	}
	if (l->mif >= 0 && pwrite(l->mif, n ? "1" : "0", 1, 0) != 1)
		abort();
}

/* Disarm; true if a fault was injected (fail-nth reached 0). */
static bool disarm(struct life *l)
{
	char buf[16] = "";
	bool hit = false;

	if (l->nth >= 0) {
		if (pread(l->nth, buf, sizeof(buf) - 1, 0) <= 0)
			abort();
		hit = atoi(buf) == 0;
		if (write(l->nth, "0", 1) != 1)
			abort();
	}
	if (l->mif >= 0 && pwrite(l->mif, "0", 1, 0) != 1)
		abort();
	return hit;
}

static int pin_ioctl(struct life *l)
{
	struct pin_longterm_test args = {
		.addr = (uintptr_t)l->map, .size = l->len,
		.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE |
			 PIN_LONGTERM_TEST_FLAG_USE_VADDR_PIN,
	};

	return ioctl(l->gfd, PIN_LONGTERM_TEST_START, &args) ? -errno : 0;
}

/* The lines of /proc/self/file_pins (then fdinfo is read): n or -errno. */
static int read_file_pins(int lfd)
{
	char buf[4096], path[64];
	int fd, ret = 0;
	ssize_t n, i;

	fd = open("/proc/self/file_pins", O_RDONLY);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			ret += buf[i] == '\n';
	if (n < 0)
		ret = -errno;
	close(fd);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", lfd);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return ret < 0 ? ret : -errno;
	if (read(fd, buf, sizeof(buf)) < 0 && ret >= 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* One step, armed with @n (fail-nth) or with make-it-fail (@n = 1). */
static int do_step(struct life *l, enum step s, int n, bool *hit)
{
	int ret = 0;

	*hit = false;
	if ((s == ST_DEREG && !l->mr) || (s == ST_UNPIN && !l->pinned) ||
	    (s == ST_UNLOCK && !l->leased))
		return 0;	/* what it undoes failed earlier (random) */
	arm(l, n);
	switch (s) {
	case ST_LEASE:
		ret = set_lease(l->lfd, F_LAYOUT | F_EXCLUSIVE);
		l->leased = !ret;
		break;
	case ST_PIN:
		ret = pin_ioctl(l);
		l->pinned = !ret;
		break;
	case ST_REG:
		errno = 0;
		l->mr = l->v->reg_mr(l->dev.pd, l->map, l->len, MR_ACCESS);
		ret = l->mr ? 0 : (errno ? -errno : -EIO);
		break;
	case ST_SHOW:
		/* One line per owner, each with one range: all or an error. */
		ret = read_file_pins(l->lfd);
		if (ret >= 0)
			ret = ret == l->pinned + !!l->mr ? 0 : -EPROTO;
		break;
	case ST_DEREG:
		errno = 0;
		ret = l->v->dereg_mr(l->mr);
		ret = ret ? -(errno ? errno : ret) : 0;
		if (!ret)
			l->mr = NULL;
		break;
	case ST_UNPIN:
		ret = ioctl(l->gfd, PIN_LONGTERM_TEST_STOP) ? -errno : 0;
		l->pinned = l->pinned && ret;
		break;
	case ST_UNLOCK:
		ret = set_lease(l->lfd, F_UNLCK);
		l->leased = l->leased && ret;
		break;
	case ST_CLOSE:
		ret = close(l->lfd) ? -errno : 0;
		l->lfd = -1;
		l->leased = false;
		break;
	default:
		break;
	}
	*hit = disarm(l);
	return ret;
}

/* The state a step starts from, built without faults: 0 or -errno. */
static int prepare(struct life *l, const char *path, enum step s)
{
	bool hit;

	l->lfd = open(path, O_RDWR);
	l->gfd = open(GUP_TEST_FILE, O_RDWR);
	if (l->lfd < 0 || l->gfd < 0)
		return -errno;
	if (s == ST_LEASE)
		return 0;
	if (do_step(l, ST_LEASE, 0, &hit))
		return -EPERM;
	if ((s == ST_UNPIN || s == ST_SHOW || s == ST_CLOSE) &&
	    do_step(l, ST_PIN, 0, &hit))
		return -EFAULT;
	if ((s == ST_SHOW || s == ST_DEREG) && do_step(l, ST_REG, 0, &hit))
		return -EIO;
	return 0;
}

/* Undo whatever is left, without faults: 0, or the step that failed. */
static int cleanup(struct life *l)
{
	bool hit;
	int bad = 0;

	if (l->mr && do_step(l, ST_DEREG, 0, &hit))
		bad = ST_DEREG;
	if (l->pinned && do_step(l, ST_UNPIN, 0, &hit))
		bad = ST_UNPIN;
	if (l->leased && do_step(l, ST_UNLOCK, 0, &hit))
		bad = ST_UNLOCK;
	if (l->lfd >= 0)
		close(l->lfd);
	if (l->gfd >= 0)
		close(l->gfd);
	l->lfd = l->gfd = -1;
	return bad;
}

/* One life without faults (prepare() takes lease, pin and MR). */
static int warm_up(struct life *l, const char *path)
{
	int s, ret = prepare(l, path, ST_SHOW);
	bool hit;

	for (s = ST_SHOW; s <= ST_UNLOCK && !ret; s++)
		ret = do_step(l, s, 0, &hit);
	return cleanup(l) ? -EBUSY : ret;
}

static bool clean_errno(int err)
{
	return err == ENOMEM || err == EFAULT || err == EAGAIN || err == EINTR;
}

FIXTURE(fault) {
	char path[96], id[64];
	int fd;
	long pages, files;
	struct ibv_dl v;
	struct life l;
	bool configured;
};

FIXTURE_VARIANT(fault) {
	const char *dir, *dev, *fstype;
};

FIXTURE_VARIANT_ADD(fault, ext4) {
	.dir = "/mnt/ext4", .dev = "/dev/pmem0", .fstype = "ext4",
};
FIXTURE_VARIANT_ADD(fault, xfs) {
	.dir = "/mnt/xfs", .dev = "/dev/pmem1", .fstype = "xfs",
};

static void restore_attrs(void)
{
	int i;

	for (i = 0; i < 3; i++) {
		putf(attrs[i], "probability", "0");
		putf(attrs[i], "task-filter", "N");
	}
	putf("fail_function", "inject", "\n");
}

FIXTURE_SETUP(fault)
{
	size_t ps = getpagesize();
	char *buf;
	int i;

	self->configured = false;
	if (access(DBGFS "/fail_function/inject", W_OK) ||
	    access(DBGFS "/failslab", F_OK) ||
	    access(DBGFS "/fail_page_alloc", F_OK) ||
	    access("/proc/thread-self/fail-nth", W_OK))
		SKIP(return, "no fault injection in this kernel (debug kernel only)");
	ASSERT_EQ(0, ibv_dl_load(&self->v));

	/* Every allocation may fail, quietly; only our functions are hooked. */
	ASSERT_EQ(0, putf("failslab", "ignore-gfp-wait", "N"));
	ASSERT_EQ(0, putf("fail_page_alloc", "ignore-gfp-wait", "N"));
	ASSERT_EQ(0, putf("fail_page_alloc", "ignore-gfp-highmem", "N"));
	ASSERT_EQ(0, putf("fail_page_alloc", "min-order", "0"));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, putf(attrs[i], "verbose", "0"));
		ASSERT_EQ(0, putf(attrs[i], "interval", "1"));
		ASSERT_EQ(0, putf(attrs[i], "times", "-1"));
	}
	ASSERT_EQ(0, putf("fail_function", "inject", "\n"));
	for (i = 0; i < 3; i++) {
		char file[64];

		ASSERT_EQ(0, putf("fail_function", "inject", inject_fns[i]))
			TH_LOG("%s: not an error injection point", inject_fns[i]);
		snprintf(file, sizeof(file), "%s/retval", inject_fns[i]);
		ASSERT_EQ(0, putf("fail_function", file, "0xfffffffffffffff4"));
	}
	self->configured = true;

	snprintf(self->path, sizeof(self->path), "%s/fault.%d", variant->dir,
		 getpid());
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, self->fd);
	/* Blocks written in advance: the pins allocate none. */
	buf = malloc(FILE_PAGES * ps);
	ASSERT_NE(NULL, buf);
	memset(buf, 0x5a, FILE_PAGES * ps);
	ASSERT_EQ(FILE_PAGES * ps, pwrite(self->fd, buf, FILE_PAGES * ps, 0));
	free(buf);
	ASSERT_EQ(0, fsync(self->fd));
	lock_id_of(self->fd, self->id, sizeof(self->id));

	memset(&self->l, 0, sizeof(self->l));
	self->l.v = &self->v;
	self->l.len = FILE_PAGES * ps;
	self->l.lfd = self->l.gfd = self->l.mif = self->l.nth = -1;
	self->l.map = mmap(NULL, self->l.len, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_POPULATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->l.map);
	memset(self->l.map, 0xa5, self->l.len);	/* mapped writable */
	ASSERT_EQ(0, ibv_dl_open_rxe(&self->v, &self->l.dev));
	/*
	 * One life without faults, then everything locked in memory: an
	 * armed step must not fault in code or data from the 9p root,
	 * whose client does not survive injected failures.
	 */
	ASSERT_EQ(0, warm_up(&self->l, self->path));
	ASSERT_EQ(0, mlockall(MCL_CURRENT | MCL_FUTURE));
	self->l.nth = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_LE(0, self->l.nth);
	self->pages = vaddr_pins_held();
	self->files = file_pins_held();
}

FIXTURE_TEARDOWN(fault)
{
	if (!self->configured)
		return;
	restore_attrs();
	cleanup(&self->l);
	if (self->l.dev.ctx)
		ibv_dl_close(&self->v, &self->l.dev);
	if (self->l.map && self->l.map != MAP_FAILED)
		munmap(self->l.map, self->l.len);
	close(self->fd);
	unlink(self->path);
}

/* After each attempt: nothing pinned, recorded or leased any more. */
static bool settled(FIXTURE_DATA(fault) *self, const char *what, int n,
		    struct __test_metadata *_metadata)
{
	long pages = vaddr_pins_held(), files = file_pins_held();
	int leases = layout_leases_on(self->id);

	if (pages == self->pages && files == self->files && leases == 0)
		return true;
	TH_LOG("%s, fault %d: %ld pages and %ld file ranges still pinned, %d LAYOUT leases",
	       what, n, pages - self->pages, files - self->files, leases);
	return false;
}

/* The filesystem lets go of the file: truncate, then umount and mount. */
static void final_checks(FIXTURE_DATA(fault) *self,
			 const FIXTURE_VARIANT(fault) *variant,
			 struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, ftruncate(self->fd, 0));
	ibv_dl_close(&self->v, &self->l.dev);
	munmap(self->l.map, self->l.len);
	self->l.map = NULL;
	close(self->fd);
	unlink(self->path);
	self->configured = false;
	restore_attrs();
	ASSERT_EQ(0, umount(variant->dir))
		TH_LOG("umount %s: %s (a leaked file reference?)", variant->dir,
		       strerror(errno));
	ASSERT_EQ(0, mount(variant->dev, variant->dir, variant->fstype, 0,
			   "dax"));
}

TEST_F_TIMEOUT(fault, systematic, 500)
{
	int s, n, total = 0, failed = 0;

	for (s = 0; s < ST_N; s++) {
		int points = 0, errs = 0, enomem = 0;

		for (n = 1; n <= MAX_NTH; n++) {
			bool hit;
			int ret, bad;

			ASSERT_EQ(0, prepare(&self->l, self->path, s))
				TH_LOG("%s: setup failed without faults", step_name[s]);
			ret = do_step(&self->l, s, n, &hit);
			if (ret) {
				EXPECT_TRUE(clean_errno(-ret))
					TH_LOG("%s, fault %d: %s", step_name[s], n, strerror(-ret));
				EXPECT_TRUE(hit)
					TH_LOG("%s failed (%s) without a fault", step_name[s], strerror(-ret));
				errs++;
				enomem += ret == -ENOMEM;
			}
			bad = cleanup(&self->l);
			ASSERT_EQ(0, bad)
				TH_LOG("%s, fault %d: then %s failed without faults",
				       step_name[s], n, step_name[bad]);
			ASSERT_TRUE(settled(self, step_name[s], n, _metadata));
			if (!hit)
				break;
			points++;
		}
		ASSERT_GE(MAX_NTH, n) TH_LOG("%s: never ran without a fault", step_name[s]);
		ksft_print_msg("%-18s %3d fault points, %3d failed cleanly (%d ENOMEM)\n",
			       step_name[s], points, errs, enomem);
		total += points;
		failed += errs;
	}
	ksft_print_msg("%d faults injected, %d operations failed, all cleanly\n",
		       total, failed);
	/* The pin and lease paths do allocate: faults must have landed. */
	ASSERT_LT(0, failed);
	final_checks(self, variant, _metadata);
}

TEST_F_TIMEOUT(fault, random, 300)
{
	static const enum step life[] = { ST_LEASE, ST_PIN, ST_REG, ST_SHOW,
					   ST_DEREG, ST_UNPIN, ST_UNLOCK };
	int i, r, failed = 0, ok = 0;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, putf(attrs[i], "task-filter", "Y"));
		ASSERT_EQ(0, putf(attrs[i], "probability", RANDOM_PERCENT));
	}
	self->l.mif = open("/proc/thread-self/make-it-fail", O_RDWR);
	ASSERT_LE(0, self->l.mif);
	close(self->l.nth);
	self->l.nth = -1;

	for (r = 0; r < RANDOM_ROUNDS; r++) {
		bool hit;
		int bad;

		self->l.lfd = open(self->path, O_RDWR);
		self->l.gfd = open(GUP_TEST_FILE, O_RDWR);
		ASSERT_LE(0, self->l.lfd);
		ASSERT_LE(0, self->l.gfd);
		for (i = 0; i < ARRAY_SIZE(life); i++) {
			int ret = do_step(&self->l, life[i], 1, &hit);

			if (!ret) {
				ok++;
				continue;
			}
			failed++;
			/* F_UNLCK while an MR or pin whose release failed remains */
			if (ret == -EBUSY && life[i] == ST_UNLOCK &&
			    (self->l.mr || self->l.pinned))
				continue;
			EXPECT_TRUE(clean_errno(-ret))
				TH_LOG("round %d, %s: %s", r, step_name[life[i]], strerror(-ret));
			if (life[i] == ST_LEASE)
				break;	/* nothing to pin under */
		}
		bad = cleanup(&self->l);
		ASSERT_EQ(0, bad)
			TH_LOG("round %d: %s failed without faults", r, step_name[bad]);
		ASSERT_TRUE(settled(self, "random", r, _metadata));
	}
	close(self->l.mif);
	self->l.mif = -1;
	ksft_print_msg("%d rounds: %d operations succeeded, %d failed cleanly\n",
		       RANDOM_ROUNDS, ok, failed);
	ASSERT_LT(0, failed);
	ASSERT_LT(0, ok);
	final_checks(self, variant, _metadata);
}

TEST_HARNESS_MAIN
