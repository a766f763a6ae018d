// SPDX-License-Identifier: GPL-2.0
/*
 * fcntl(F_SETLEASE/F_GETLEASE) with F_LAYOUT and F_EXCLUSIVE: accepted
 * arguments, files, permissions, /proc/locks, and what a lease lets a
 * process pin.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "pin_util.h"

FIXTURE(lease) {
	char path[64];
	int fd;
};

FIXTURE_SETUP(lease)
{
	snprintf(self->path, sizeof(self->path), "/mnt/xfs/lease.%d", getpid());
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ftruncate(self->fd, 1 << 20));
}

FIXTURE_TEARDOWN(lease)
{
	/* leases_disabled turns leases off: never leave them so. */
	write_str("/proc/sys/fs/leases-enable", "1");
	close(self->fd);
	unlink(self->path);
}

TEST_F(lease, layout_and_exclusive_reported)
{
	EXPECT_EQ(0, set_lease(self->fd, F_LAYOUT));
	EXPECT_EQ(F_LAYOUT, fcntl(self->fd, F_GETLEASE));
	/* The same open file switches kind in place. */
	EXPECT_EQ(0, set_lease(self->fd, F_LAYOUT | F_EXCLUSIVE));
	EXPECT_EQ(F_LAYOUT | F_EXCLUSIVE, fcntl(self->fd, F_GETLEASE));
	EXPECT_EQ(0, set_lease(self->fd, F_UNLCK));
	EXPECT_EQ(F_UNLCK, fcntl(self->fd, F_GETLEASE));
}

TEST_F(lease, proc_locks_shows_layout)
{
	char cmd[128];

	ASSERT_EQ(0, set_lease(self->fd, F_LAYOUT));
	snprintf(cmd, sizeof(cmd), "grep -q 'LAYOUT ACTIVE    READ %d ' /proc/locks",
		 getpid());
	EXPECT_EQ(0, system(cmd));
}

TEST_F(lease, meaningless_arguments)
{
	EXPECT_EQ(-EINVAL, set_lease(self->fd, F_EXCLUSIVE));
	EXPECT_EQ(-EINVAL, set_lease(self->fd, F_LAYOUT | F_WRLCK));
	EXPECT_EQ(-EINVAL, set_lease(self->fd, F_LAYOUT | F_UNLCK));
	EXPECT_EQ(-EINVAL, set_lease(self->fd, F_LAYOUT | 64));
	EXPECT_EQ(-EINVAL, set_lease(self->fd, 64));
	EXPECT_EQ(F_UNLCK, fcntl(self->fd, F_GETLEASE));
}

TEST_F(lease, other_lease_kind_busy)
{
	int fd;

	/* A read lease needs the file open for reading only. */
	close(self->fd);
	self->fd = open(self->path, O_RDONLY);
	fd = self->fd;
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_lease(fd, F_RDLCK));
	EXPECT_EQ(-EBUSY, set_lease(fd, F_LAYOUT));
	EXPECT_EQ(F_RDLCK, fcntl(fd, F_GETLEASE));
}

/* Two threads of one process take leases of two kinds on one open file. */
struct kinds {
	int fd;
	volatile int stop, bad;
	long layouts;
};

static void *layout_churn(void *arg)
{
	struct kinds *k = arg;
	int ret;

	while (!k->stop) {
		ret = set_lease(k->fd, F_LAYOUT);
		if (!ret) {
			k->layouts++;
			ret = set_lease(k->fd, F_UNLCK);
		}
		if (ret && ret != -EBUSY)
			k->bad = ret;
	}
	return NULL;
}

/*
 * A layout lease refused because another thread gave the open file a
 * write lease meanwhile leaves that lease alone: a write lease, once
 * taken, always reads back as one (it used to be turned into a read lease
 * when the two requests crossed).
 */
TEST_F(lease, racing_kinds_change_nothing)
{
	struct kinds k = { .fd = -1 };
	long writes = 0;
	pthread_t t;
	time_t end;
	int ret;

	/* A write lease needs the file open only by its taker. */
	close(self->fd);
	self->fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, self->fd);
	k.fd = self->fd;
	ASSERT_EQ(0, pthread_create(&t, NULL, layout_churn, &k));
	for (end = time(NULL) + 3; time(NULL) < end && !k.bad;) {
		ret = set_lease(k.fd, F_WRLCK);
		if (ret) {
			if (ret != -EBUSY)
				k.bad = ret;
			continue;
		}
		writes++;
		ret = fcntl(k.fd, F_GETLEASE);
		if (ret != F_WRLCK)
			k.bad = 1000 + ret;
		if (set_lease(k.fd, F_UNLCK))
			k.bad = 2000;
	}
	k.stop = 1;
	pthread_join(t, NULL);
	/* 1000 + F_GETLEASE of a write lease, 2000: F_UNLCK failed, or -errno */
	EXPECT_EQ(0, k.bad);
	/* Both kinds were taken, or nothing crossed. */
	EXPECT_LT(0, writes);
	EXPECT_LT(0, k.layouts);
	TH_LOG("%ld write leases, %ld layout leases", writes, k.layouts);
}

/*
 * Opening for writing breaks read leases, never a layout lease: with only
 * a layout lease the open does not even start a break; next to a read
 * lease it breaks that one and leaves the layout lease alone.
 */
TEST_F(lease, open_breaks_read_lease_not_layout)
{
	int layout, rd, w;

	signal(SIGIO, SIG_IGN);	/* the read lease's break notice */
	close(self->fd);
	layout = open(self->path, O_RDONLY);
	self->fd = layout;
	ASSERT_LE(0, layout);
	ASSERT_EQ(0, set_lease(layout, F_LAYOUT));
	w = open(self->path, O_RDWR | O_NONBLOCK);
	EXPECT_LE(0, w);
	close(w);
	EXPECT_EQ(F_LAYOUT, fcntl(layout, F_GETLEASE));

	rd = open(self->path, O_RDONLY);
	ASSERT_LE(0, rd);
	ASSERT_EQ(0, set_lease(rd, F_RDLCK));
	w = open(self->path, O_RDWR | O_NONBLOCK);
	EXPECT_EQ(-1, w);
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(F_UNLCK, fcntl(rd, F_GETLEASE));	/* being broken */
	EXPECT_EQ(F_LAYOUT, fcntl(layout, F_GETLEASE));
	close(rd);
	w = open(self->path, O_RDWR | O_NONBLOCK);
	EXPECT_LE(0, w);
	close(w);
	EXPECT_EQ(F_LAYOUT, fcntl(layout, F_GETLEASE));
}

TEST(directory_and_non_dax)
{
	int fd = open("/mnt/xfs", O_RDONLY | O_DIRECTORY);
	char path[64];

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, set_lease(fd, F_LAYOUT));
	close(fd);
	snprintf(path, sizeof(path), "/mnt/tmpfs/lease.%d", getpid());
	fd = open(path, O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EOPNOTSUPP, set_lease(fd, F_LAYOUT));
	close(fd);
	unlink(path);
}

/* Become nobody (uid and gid 65534), without CAP_LEASE: 0 or -1. */
static int become_nobody(void)
{
	return setgid(65534) || setuid(65534) ? -1 : 0;
}

/* Stay root but without CAP_LEASE in the effective set: 0 or -1. */
static int drop_cap_lease(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct cap[2];

	if (syscall(SYS_capget, &hdr, cap))
		return -1;
	cap[CAP_TO_INDEX(CAP_LEASE)].effective &= ~CAP_TO_MASK(CAP_LEASE);
	return syscall(SYS_capset, &hdr, cap) ? -1 : 0;
}

/*
 * fcntl(F_SETLEASE, F_LAYOUT) on @path, opened read-only by a child after
 * @become: its errno, 0 on success, 100 or 101 when @become or the open
 * failed, -1 when the child did not exit.
 */
static int child_layout_lease(const char *path, int (*become)(void))
{
	pid_t pid = fork();
	int status, fd;

	if (!pid) {
		if (become())
			_exit(100);
		fd = open(path, O_RDONLY);
		_exit(fd < 0 ? 101 : -set_lease(fd, F_LAYOUT));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* nobody, without CAP_LEASE, on root's 0644 file */
TEST_F(lease, not_owner_refused)
{
	EXPECT_EQ(EACCES, child_layout_lease(self->path, become_nobody));
}

/*
 * A layout lease takes what a read lease takes: the file's owner, or
 * CAP_LEASE.  Root's file given to nobody: nobody may, root may (by
 * CAP_LEASE), root without CAP_LEASE may not.
 */
TEST_F(lease, owner_or_cap_lease)
{
	ASSERT_EQ(0, fchown(self->fd, 65534, 65534));
	EXPECT_EQ(0, set_lease(self->fd, F_LAYOUT));
	EXPECT_EQ(0, set_lease(self->fd, F_UNLCK));
	EXPECT_EQ(0, child_layout_lease(self->path, become_nobody));
	EXPECT_EQ(EACCES, child_layout_lease(self->path, drop_cap_lease));
}

/* With /proc/sys/fs/leases-enable 0 no lease, layout or not, is granted. */
TEST_F(lease, leases_disabled)
{
	ASSERT_EQ(0, write_str("/proc/sys/fs/leases-enable", "0"));
	EXPECT_EQ(-EINVAL, set_lease(self->fd, F_LAYOUT));
	EXPECT_EQ(-EINVAL, set_lease(self->fd, F_LAYOUT | F_EXCLUSIVE));
	EXPECT_EQ(F_UNLCK, fcntl(self->fd, F_GETLEASE));
	ASSERT_EQ(0, write_str("/proc/sys/fs/leases-enable", "1"));
	EXPECT_EQ(0, set_lease(self->fd, F_LAYOUT));
	EXPECT_EQ(0, set_lease(self->fd, F_UNLCK));
}

static volatile sig_atomic_t rt_fd = -1, rt_code;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	rt_code = si->si_code;
	rt_fd = si->si_fd;
}

/*
 * A layout break signals the holder as fcntl(F_SETSIG) asks, with the
 * leased fd in si_fd, and the truncate goes on once the pins go.
 */
TEST_F(lease, break_signal_of_f_setsig)
{
	struct sigaction sa = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO };
	size_t len = 1 << 20;
	int pinfd, status;
	char *map;
	long t0;
	pid_t pid;

	ASSERT_EQ(0, sigaction(SIGRTMIN, &sa, NULL));
	ASSERT_EQ(0, set_lease(self->fd, F_LAYOUT));
	ASSERT_EQ(0, fcntl(self->fd, F_SETSIG, SIGRTMIN));
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	pinfd = pin_start(map, len);
	ASSERT_LE(0, pinfd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(self->path, O_RDWR);

		_exit(fd < 0 ? 100 : ftruncate(fd, 0) ? errno : 0);
	}
	t0 = now_ms();
	while (rt_fd < 0 && now_ms() - t0 < 2000)
		usleep(1000);
	EXPECT_EQ(self->fd, rt_fd);
	EXPECT_EQ(POLL_MSG, rt_code);
	EXPECT_EQ(0, pin_stop(pinfd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, munmap(map, len));
	EXPECT_EQ(0, set_lease(self->fd, F_UNLCK));
}

/* Switching the kind of a lease in place takes the same right. */
TEST_F(lease, not_owner_cannot_switch)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, set_lease(self->fd, F_LAYOUT | F_EXCLUSIVE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* The inherited open file, as nobody without CAP_LEASE */
		if (become_nobody())
			_exit(100);
		_exit(-set_lease(self->fd, F_LAYOUT));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EACCES, WEXITSTATUS(status));
	EXPECT_EQ(F_LAYOUT | F_EXCLUSIVE, fcntl(self->fd, F_GETLEASE));
	EXPECT_EQ(0, set_lease(self->fd, F_UNLCK));
}

/*
 * After close() of a leased fd with pins left, and a new lease on another
 * open file of the same file, new pins go under the new lease, the one the
 * process can still switch and give up: F_UNLCK of it is refused while
 * they last.  With @keep_map the old file stays mapped (usual while an MR
 * lives); without, only the pins keep the old lease.
 */
static void pin_after_reopen(struct __test_metadata *_metadata,
			     FIXTURE_DATA(lease) *self, bool keep_map)
{
	size_t len = 1 << 20, half = len / 2;
	char *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0), *map2;
	int fd2, pin1, pin2;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, set_lease(self->fd, F_LAYOUT | F_EXCLUSIVE));
	pin1 = pin_start(map, half);
	ASSERT_LE(0, pin1);
	if (!keep_map)
		munmap(map, len);
	close(self->fd);
	self->fd = open(self->path, O_RDWR);
	ASSERT_LE(0, self->fd);
	fd2 = self->fd;
	ASSERT_EQ(0, set_lease(fd2, F_LAYOUT));
	map2 = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	ASSERT_NE(MAP_FAILED, map2);
	pin2 = pin_start(map2 + half, half);
	ASSERT_LE(0, pin2);
	EXPECT_EQ(-EBUSY, set_lease(fd2, F_UNLCK));
	EXPECT_EQ(0, pin_stop(pin2));
	EXPECT_EQ(0, set_lease(fd2, F_UNLCK));
	EXPECT_EQ(0, pin_stop(pin1));
	munmap(map2, len);
	if (keep_map)
		munmap(map, len);
}

TEST_F(lease, new_pins_take_the_new_lease)
{
	pin_after_reopen(_metadata, self, true);
}

TEST_F(lease, new_pins_skip_a_lease_kept_by_pins)
{
	pin_after_reopen(_metadata, self, false);
}

/*
 * The holder exits while a child keeps the leased file open; a new
 * process given the holder's pid (clone3() with set_tid) is not the
 * holder and cannot pin under the lease.
 */
TEST_F(lease, reused_pid_cannot_pin)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	int hold[2], status;
	pid_t holder, reused;
	char c;

	ASSERT_EQ(0, pipe(hold));
	holder = fork();
	ASSERT_LE(0, holder);
	if (!holder) {
		int fd = open(self->path, O_RDWR);

		if (fd < 0 || set_lease(fd, F_LAYOUT | F_EXCLUSIVE))
			_exit(1);
		/* A child keeps the leased open file, hence the lease. */
		if (!fork()) {
			close(hold[1]);
			if (read(hold[0], &c, 1) < 0)
				_exit(0);
			_exit(0);
		}
		_exit(0);
	}
	close(hold[0]);
	ASSERT_EQ(holder, waitpid(holder, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	args.set_tid = (uintptr_t)&holder;
	args.set_tid_size = 1;
	reused = syscall(SYS_clone3, &args, sizeof(args));
	ASSERT_LE(0, reused) TH_LOG("clone3(set_tid): %s", strerror(errno));
	if (!reused) {
		int fd = open(self->path, O_RDWR);
		char *map;

		if (fd < 0)
			_exit(100);
		map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			_exit(101);
		_exit(-pin_start(map, 4096));
	}
	EXPECT_EQ(holder, reused);
	ASSERT_EQ(reused, waitpid(reused, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
	close(hold[1]);	/* the lease goes with the child's file */
}

TEST_F(lease, pin_needs_own_lease)
{
	size_t len = 1 << 20;
	char *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	int pinfd, status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-EPERM, pin_start(map, len));
	ASSERT_EQ(0, set_lease(self->fd, F_LAYOUT | F_EXCLUSIVE));
	/* A forked child shares the open file but did not take the lease. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(-pin_start(map, len));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
	/* Nor can it switch the lease: it must take one of its own. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(-set_lease(self->fd, F_LAYOUT));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EBUSY, WEXITSTATUS(status));
	EXPECT_EQ(F_LAYOUT | F_EXCLUSIVE, fcntl(self->fd, F_GETLEASE));
	pinfd = pin_start(map, len);
	ASSERT_LE(0, pinfd);
	EXPECT_EQ(0, pin_stop(pinfd));
	/* After the lease is dropped, pinning fails again. */
	ASSERT_EQ(0, set_lease(self->fd, F_UNLCK));
	EXPECT_EQ(-EPERM, pin_start(map, len));
	munmap(map, len);
}

TEST_F(lease, read_only_mapping_write_pin)
{
	int fd = open(self->path, O_RDONLY);
	char *map;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_lease(fd, F_LAYOUT));
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* Write access through a read-only mapping: GUP says EFAULT. */
	EXPECT_EQ(-EFAULT, pin_start(map, 4096));
	munmap(map, 4096);
	close(fd);
}

TEST_HARNESS_MAIN
