// SPDX-License-Identifier: GPL-2.0
/*
 * RDMA memory registrations over FS-DAX files (ext4 and xfs, -o dax) on
 * rxe0, end to end through libibverbs:
 *
 * - ibv_reg_mr() of a MAP_SHARED DAX mapping needs a layout lease held by
 *   the registering process (EPERM otherwise, nothing left pinned);
 * - while the MR exists, truncate and hole punch over it fail with ETXTBSY
 *   and change nothing, while layout changes above it work;
 * - an RDMA WRITE from another process lands in the file, an RDMA READ
 *   returns what was written to the file;
 * - the pins belong to the verbs context: deregistration, closing the
 *   device, exit and SIGKILL release them, while fork() and SCM_RIGHTS
 *   copies of the context keep them until the last reference goes;
 * - the pin counters in /proc/vmstat return to where they started.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/falloc.h>
#include <infiniband/verbs.h>
#include "kselftest_harness.h"
#include "pin_util.h"
#include "rxe_util.h"

#define FILE_LEN	(4UL << 20)
#define MR_LEN		(1UL << 20)	/* the MR covers [0, MR_LEN) */
#define XFER_OFF	(256UL << 10)	/* RDMA target range inside the MR */
#define XFER_LEN	(64UL << 10)
#define CHUNK		(64UL << 10)
#define MR_ACCESS	RXE_ACCESS
#define EXCL_LEASE	(F_LAYOUT | F_EXCLUSIVE)
#define RELEASE_MS	5000	/* how long a release may take to show */
#define CQ_TIMEOUT_MS	10000

/* Seeds of the byte patterns: set up, written by the peer, pwrite()n. */
enum { FILE_SEED = 1, PEER_SEED = 2, READ_SEED = 3 };

static size_t ps;
/* The MR's length and the RDMA target's offset in it, for rdma_session(). */
static size_t mr_len = MR_LEN, xfer_off = XFER_OFF;

static unsigned char pat(unsigned int seed, size_t off)
{
	return seed * 61 + off * 7 + (off >> 12);
}

static void fill(unsigned char *buf, size_t len, unsigned int seed, size_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pat(seed, off + i);
}

static bool matches(const unsigned char *buf, size_t len, unsigned int seed,
		    size_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pat(seed, off + i))
			return false;
	return true;
}

/* pwrite()/pread() [off, off + len) of fd with/against a pattern. */
static bool file_fill(int fd, size_t off, size_t len, unsigned int seed)
{
	static unsigned char buf[CHUNK];
	size_t n;

	for (; len; off += n, len -= n) {
		n = len < CHUNK ? len : CHUNK;
		fill(buf, n, seed, off);
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			return false;
	}
	return true;
}

static bool file_matches(int fd, size_t off, size_t len, unsigned int seed)
{
	static unsigned char buf[CHUNK];
	size_t n;

	for (; len; off += n, len -= n) {
		n = len < CHUNK ? len : CHUNK;
		if (pread(fd, buf, n, off) != (ssize_t)n ||
		    !matches(buf, n, seed, off))
			return false;
	}
	return true;
}

static int do_truncate(int fd, off_t len)
{
	return ftruncate(fd, len) ? -errno : 0;
}

static int do_punch(int fd, off_t off, off_t len)
{
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 off, len) ? -errno : 0;
}

/* ---- the fixture: a FILE_LEN DAX file, filled and mapped ---- */

FIXTURE(dax) {
	char path[64];
	int fd;
	unsigned char *map;
	long pages0, files0;	/* pin counters before the test */
	struct rxe v;		/* this process's verbs, if opened */
	struct ibv_mr *mr;	/* over map[0, MR_LEN) */
};

FIXTURE_VARIANT(dax) {
	const char *dir;
};

FIXTURE_VARIANT_ADD(dax, ext4) { .dir = "/mnt/ext4" };
FIXTURE_VARIANT_ADD(dax, xfs) { .dir = "/mnt/xfs" };

/* Counters relative to the start of the test, after up to ms to settle. */
static void wait_pins(FIXTURE_DATA(dax) *self, long pages, long files, int ms)
{
	for (; ms > 0; ms -= 50) {
		if (vaddr_pins_held() == self->pages0 + pages &&
		    file_pins_held() == self->files0 + files)
			return;
		usleep(50000);
	}
}

#define EXPECT_PINS(pages, files, ms) do {				\
	wait_pins(self, pages, files, ms);				\
	EXPECT_EQ(self->pages0 + (pages), vaddr_pins_held());		\
	EXPECT_EQ(self->files0 + (files), file_pins_held());		\
} while (0)

#define MR_PAGES ((long)(MR_LEN / ps))

FIXTURE_SETUP(dax)
{
	bool ok;

	ps = getpagesize();
	/* A breakable lease's break would signal its holder. */
	signal(SIGIO, SIG_IGN);
	self->map = MAP_FAILED;
	snprintf(self->path, sizeof(self->path), "%s/dax_mr.%d",
		 variant->dir, getpid());
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, self->fd);
	ok = file_fill(self->fd, 0, FILE_LEN, FILE_SEED) && !fsync(self->fd);
	if (ok) {
		self->map = mmap(NULL, FILE_LEN, PROT_READ | PROT_WRITE,
				 MAP_SHARED, self->fd, 0);
		ok = self->map != MAP_FAILED;
	}
	if (!ok)
		unlink(self->path);
	ASSERT_TRUE(ok);
	self->pages0 = vaddr_pins_held();
	self->files0 = file_pins_held();
}

FIXTURE_TEARDOWN(dax)
{
	if (self->mr)
		ibv_dereg_mr(self->mr);
	rxe_close(&self->v);
	if (self->map != MAP_FAILED)
		munmap(self->map, FILE_LEN);
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_PINS(0, 0, RELEASE_MS);
	unlink(self->path);
}

/* Lease, open rxe0, register map[0, MR_LEN): exactly its pages pinned, as
 * one file range. */
static void register_mr(struct __test_metadata *_metadata,
			FIXTURE_DATA(dax) *self, int lease)
{
	ASSERT_EQ(0, set_lease(self->fd, lease));
	ASSERT_EQ(0, rxe_open(&self->v));
	self->mr = ibv_reg_mr(self->v.pd, self->map, mr_len, MR_ACCESS);
	ASSERT_NE(NULL, self->mr) TH_LOG("ibv_reg_mr: %s", strerror(errno));
	EXPECT_PINS((long)(mr_len / ps), 1, 0);
}

static void deregister_mr(struct __test_metadata *_metadata,
			  FIXTURE_DATA(dax) *self)
{
	EXPECT_EQ(0, ibv_dereg_mr(self->mr));
	self->mr = NULL;
}

/* ibv_close_device() with the PD and MR still there: the kernel destroys
 * them when the last reference to the context goes. */
static void close_device(FIXTURE_DATA(dax) *self)
{
	ibv_close_device(self->v.ctx);
	memset(&self->v, 0, sizeof(self->v));
	self->mr = NULL;
}

/* The MR's range of the file is pinned: its layout is frozen. */
static void check_held(struct __test_metadata *_metadata,
		       FIXTURE_DATA(dax) *self)
{
	struct stat st;

	EXPECT_PINS(MR_PAGES, 1, 0);
	EXPECT_EQ(-ETXTBSY, do_truncate(self->fd, 0));
	EXPECT_EQ(-ETXTBSY, do_punch(self->fd, MR_LEN / 2, ps));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(FILE_LEN, st.st_size);
	EXPECT_TRUE(file_matches(self->fd, 0, FILE_LEN, FILE_SEED));
}

/* Nothing is pinned any more (within ms) and the file can go. */
static void check_released(struct __test_metadata *_metadata,
			   FIXTURE_DATA(dax) *self, int ms)
{
	EXPECT_PINS(0, 0, ms);
	EXPECT_EQ(0, do_truncate(self->fd, 0));
}

/* Run fn(self, sock, arg) in a child, talking over *sock; returns its pid. */
typedef int (*child_fn)(FIXTURE_DATA(dax) *self, int sock, long arg);

static pid_t fork_child(int *sock, child_fn fn, FIXTURE_DATA(dax) *self,
			long arg)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	fflush(NULL);
	pid = fork();
	if (!pid) {
		close(sv[0]);
		_exit(fn(self, sv[1], arg));
	}
	close(sv[1]);
	*sock = sv[0];
	return pid;
}

/* ---- registration under a lease, and without one ---- */

static void reg_under(struct __test_metadata *_metadata,
		      FIXTURE_DATA(dax) *self, int lease)
{
	register_mr(_metadata, self, lease);
	deregister_mr(_metadata, self);
	EXPECT_PINS(0, 0, 0);
}

TEST_F(dax, reg_with_lease)
{
	reg_under(_metadata, self, EXCL_LEASE);
}

TEST_F(dax, reg_with_breakable_lease)
{
	reg_under(_metadata, self, F_LAYOUT);
}

TEST_F(dax, reg_without_lease_eperm)
{
	struct ibv_mr *mr;

	ASSERT_EQ(0, rxe_open(&self->v));
	errno = 0;
	mr = ibv_reg_mr(self->v.pd, self->map, MR_LEN, MR_ACCESS);
	EXPECT_NULL(mr);
	EXPECT_EQ(EPERM, errno) TH_LOG("ibv_reg_mr: %s", strerror(errno));
	if (mr)
		ibv_dereg_mr(mr);
	EXPECT_PINS(0, 0, 0);
	EXPECT_EQ(0, do_truncate(self->fd, 0));
}

/* ---- layout changes over and above the MR ---- */

TEST_F(dax, truncate_while_registered)
{
	struct stat st;

	register_mr(_metadata, self, EXCL_LEASE);
	check_held(_metadata, self);
	EXPECT_EQ(-ETXTBSY, do_truncate(self->fd, MR_LEN / 2));
	EXPECT_EQ(-ETXTBSY, do_truncate(self->fd, MR_LEN - ps));
	EXPECT_EQ(-ETXTBSY, do_punch(self->fd, 0, FILE_LEN));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(FILE_LEN, st.st_size);
	EXPECT_TRUE(file_matches(self->fd, 0, FILE_LEN, FILE_SEED));

	/* Above the MR the file's layout is free. */
	EXPECT_EQ(0, do_punch(self->fd, MR_LEN, CHUNK));
	EXPECT_EQ(0, do_truncate(self->fd, 2 * MR_LEN));
	EXPECT_EQ(0, do_truncate(self->fd, MR_LEN));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(MR_LEN, st.st_size);
	EXPECT_TRUE(file_matches(self->fd, 0, MR_LEN, FILE_SEED));
	EXPECT_PINS(MR_PAGES, 1, 0);

	deregister_mr(_metadata, self);
	check_released(_metadata, self, 0);
}

/* ---- RDMA between a peer process and the DAX MR ---- */

static int peer_fail(const char *what)
{
	fprintf(stderr, "# peer: %s failed: %s\n", what, strerror(errno));
	return 1;
}

/*
 * The peer: its own context, QP and anonymous buffer.  It sends its QP
 * info, gets the MR owner's (already connected) and does one RDMA op on
 * [xfer_off, xfer_off + XFER_LEN) of the MR.  Exit cleans up after it.
 */
static int rdma_peer(FIXTURE_DATA(dax) *self, int sock, long op)
{
	struct qp_info me, owner;
	struct rxe r = {};
	struct ibv_mr *mr;
	unsigned char *buf;

	if (rxe_open(&r) || rxe_create_qp(&r) || rxe_info(&r, &me))
		return peer_fail("rxe setup");
	if (send_all(sock, &me, sizeof(me)) ||
	    recv_all(sock, &owner, sizeof(owner)))
		return peer_fail("exchange");
	buf = mmap(NULL, XFER_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return peer_fail("mmap");
	if (op == IBV_WR_RDMA_WRITE)
		fill(buf, XFER_LEN, PEER_SEED, xfer_off);
	mr = ibv_reg_mr(r.pd, buf, XFER_LEN, IBV_ACCESS_LOCAL_WRITE);
	if (!mr)
		return peer_fail("ibv_reg_mr");
	if (rxe_connect(&r, &me, &owner))
		return peer_fail("connect");
	if (rxe_rdma(&r, op, buf, XFER_LEN, mr->lkey, owner.addr + xfer_off,
		     owner.rkey))
		return peer_fail(op == IBV_WR_RDMA_WRITE ? "RDMA WRITE" :
				 "RDMA READ");
	if (op == IBV_WR_RDMA_READ && !matches(buf, XFER_LEN, READ_SEED,
					       xfer_off)) {
		fprintf(stderr, "# peer: RDMA READ returned wrong data\n");
		return 2;
	}
	ibv_dereg_mr(mr);
	rxe_close(&r);
	return 0;
}

/*
 * This process owns file, lease and MR; the peer is forked before this
 * process opens any verbs device.  Ends when the peer has exited.
 */
static void rdma_session(struct __test_metadata *_metadata,
			 FIXTURE_DATA(dax) *self, enum ibv_wr_opcode op)
{
	struct qp_info me, peer_info;
	int sock, ret;
	pid_t pid;

	pid = fork_child(&sock, rdma_peer, self, op);
	ASSERT_LT(0, pid);
	register_mr(_metadata, self, EXCL_LEASE);
	ASSERT_EQ(0, rxe_create_qp(&self->v));
	ASSERT_EQ(0, rxe_info(&self->v, &me));
	me.rkey = self->mr->rkey;
	me.addr = (uintptr_t)self->map;
	if (op == IBV_WR_RDMA_READ)	/* through the file, into the MR */
		ASSERT_TRUE(file_fill(self->fd, xfer_off, XFER_LEN, READ_SEED));
	ASSERT_EQ(0, recv_all(sock, &peer_info, sizeof(peer_info)));
	ASSERT_EQ(0, rxe_connect(&self->v, &me, &peer_info));
	ASSERT_EQ(0, send_all(sock, &me, sizeof(me)));
	ret = wait_child(pid);
	EXPECT_EQ(0, ret) TH_LOG("peer exit status %d", ret);
	close(sock);
}

/* The MR owner lets go of everything; the pins with it. */
static void release_all(struct __test_metadata *_metadata,
			FIXTURE_DATA(dax) *self)
{
	deregister_mr(_metadata, self);
	rxe_close(&self->v);
	EXPECT_PINS(0, 0, 0);
}

TEST_F(dax, rdma_write_lands_in_file)
{
	const size_t end = XFER_OFF + XFER_LEN;

	rdma_session(_metadata, self, IBV_WR_RDMA_WRITE);
	EXPECT_TRUE(file_matches(self->fd, XFER_OFF, XFER_LEN, PEER_SEED));
	EXPECT_TRUE(matches(self->map + XFER_OFF, XFER_LEN, PEER_SEED,
			    XFER_OFF));
	/* Only the target range changed. */
	EXPECT_TRUE(file_matches(self->fd, 0, XFER_OFF, FILE_SEED));
	EXPECT_TRUE(file_matches(self->fd, end, FILE_LEN - end, FILE_SEED));

	/* And it is in the file, not only in what this process sees. */
	release_all(_metadata, self);
	ASSERT_EQ(0, munmap(self->map, FILE_LEN));
	self->map = MAP_FAILED;
	ASSERT_EQ(0, fsync(self->fd));
	close(self->fd);
	self->fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, self->fd);
	EXPECT_TRUE(file_matches(self->fd, XFER_OFF, XFER_LEN, PEER_SEED));
	EXPECT_TRUE(file_matches(self->fd, end, FILE_LEN - end, FILE_SEED));
}

TEST_F(dax, rdma_read_returns_file)
{
	/* The peer checked the data it read; reading changed nothing. */
	rdma_session(_metadata, self, IBV_WR_RDMA_READ);
	EXPECT_TRUE(file_matches(self->fd, XFER_OFF, XFER_LEN, READ_SEED));
	EXPECT_TRUE(file_matches(self->fd, 0, XFER_OFF, FILE_SEED));
	release_all(_metadata, self);
}

#define UVERBS_OWNER	"owner=/dev/infiniband/uverbs0 device=rxe0 "
#define MR_RANGE	" range=0-255 pages=256 lease=exclusive "

/*
 * The whole file as one MR: ib_umem_get() pins it a page of pointers (512
 * pages) at a time, so it is recorded over several vaddr_pin_pages() calls
 * and its scatterlist merges across them.  Still one record for the file,
 * and RDMA reaches the part pinned by the last call.
 */
TEST_F(dax, multi_batch_mr)
{
	const size_t end = FILE_LEN - XFER_LEN;

	mr_len = FILE_LEN;
	xfer_off = end - XFER_LEN;
	rdma_session(_metadata, self, IBV_WR_RDMA_WRITE);
	EXPECT_PINS((long)(FILE_LEN / ps), 1, 0);
	EXPECT_EQ(1, file_pins_lines(getpid(), UVERBS_OWNER,
				     " range=0-1023 pages=1024 lease=exclusive "));
	EXPECT_TRUE(file_matches(self->fd, xfer_off, XFER_LEN, PEER_SEED));
	EXPECT_TRUE(file_matches(self->fd, 0, xfer_off, FILE_SEED));
	EXPECT_TRUE(file_matches(self->fd, end, XFER_LEN, FILE_SEED));
	/* Its last page is pinned like its first. */
	EXPECT_EQ(-ETXTBSY, do_truncate(self->fd, FILE_LEN - ps));
	EXPECT_EQ(-ETXTBSY, do_punch(self->fd, FILE_LEN - ps, ps));
	release_all(_metadata, self);
	check_released(_metadata, self, 0);
}

/* ---- the pins go with the verbs context ---- */

TEST_F(dax, release_on_dereg)
{
	register_mr(_metadata, self, EXCL_LEASE);
	check_held(_metadata, self);
	deregister_mr(_metadata, self);
	check_released(_metadata, self, 0);
}

TEST_F(dax, release_on_close_device)
{
	register_mr(_metadata, self, EXCL_LEASE);
	check_held(_metadata, self);
	close_device(self);
	check_released(_metadata, self, RELEASE_MS);
}

/*
 * A child with its own open file, lease, context and MR; it reports
 * 0 or errno, then waits for the parent to close the socket (or kill it).
 */
static int child_pinner(FIXTURE_DATA(dax) *self, int sock, long unused)
{
	struct rxe r = {};
	unsigned char st = 0;
	void *map;
	int fd;

	errno = 0;
	fd = open(self->path, O_RDWR);
	if (fd < 0 || set_lease(fd, EXCL_LEASE) ||
	    (map = mmap(NULL, MR_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			fd, 0)) == MAP_FAILED ||
	    rxe_open(&r) || !ibv_reg_mr(r.pd, map, MR_LEN, MR_ACCESS))
		st = errno ? errno : 255;
	if (send_all(sock, &st, 1))
		return 1;
	wait_peer(sock);
	return 0;
}

static void release_on_child_death(struct __test_metadata *_metadata,
				   FIXTURE_DATA(dax) *self, bool kill9)
{
	unsigned char st = 255;
	int sock;
	pid_t pid;

	pid = fork_child(&sock, child_pinner, self, 0);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, recv_all(sock, &st, 1));
	ASSERT_EQ(0, st) TH_LOG("child could not register: %s", strerror(st));
	/* Not the lease holder, but the lease is exclusive: ETXTBSY now. */
	check_held(_metadata, self);
	if (kill9)
		kill(pid, SIGKILL);
	close(sock);
	EXPECT_EQ(kill9 ? 128 + SIGKILL : 0, wait_child(pid));
	check_released(_metadata, self, RELEASE_MS);
}

TEST_F(dax, release_on_exit)
{
	release_on_child_death(_metadata, self, false);
}

TEST_F(dax, release_on_kill9)
{
	release_on_child_death(_metadata, self, true);
}

/* ---- fork() ---- */

/* A child that inherited the context; with wait, it lives until told. */
static int child_idle(FIXTURE_DATA(dax) *self, int sock, long wait)
{
	if (wait)
		wait_peer(sock);
	return 0;
}

TEST_F(dax, fork_keeps_pins)
{
	int sock;
	pid_t pid;

	register_mr(_metadata, self, EXCL_LEASE);
	pid = fork_child(&sock, child_idle, self, 0);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, wait_child(pid));
	close(sock);
	/* The child's exit dropped a reference, not the context. */
	check_held(_metadata, self);
	deregister_mr(_metadata, self);
	check_released(_metadata, self, 0);
}

TEST_F(dax, fork_child_holds_last_reference)
{
	int sock;
	pid_t pid;

	register_mr(_metadata, self, EXCL_LEASE);
	pid = fork_child(&sock, child_idle, self, 1);
	ASSERT_LT(0, pid);
	close_device(self);
	/* The child's copy of the verbs fd keeps the MR, and names it. */
	check_held(_metadata, self);
	EXPECT_EQ(1, file_pins_lines(pid, UVERBS_OWNER, MR_RANGE));
	EXPECT_EQ(0, file_pins_lines(getpid(), "owner", ""));
	close(sock);
	EXPECT_EQ(0, wait_child(pid));
	check_released(_metadata, self, RELEASE_MS);
}

/* Register the parent's mapping under the parent's lease: 0 or errno. */
static int child_reg(FIXTURE_DATA(dax) *self, int sock, long unused)
{
	struct rxe r = {};
	struct ibv_mr *mr;
	int ret;

	if (rxe_open(&r))
		return 100;
	mr = ibv_reg_mr(r.pd, self->map, MR_LEN, MR_ACCESS);
	ret = mr ? 0 : errno;
	if (mr)
		ibv_dereg_mr(mr);
	rxe_close(&r);
	return ret;
}

TEST_F(dax, child_cannot_register_under_parent_lease)
{
	int sock, ret;
	pid_t pid;

	ASSERT_EQ(0, set_lease(self->fd, EXCL_LEASE));
	pid = fork_child(&sock, child_reg, self, 0);
	ASSERT_LT(0, pid);
	ret = wait_child(pid);
	close(sock);
	EXPECT_EQ(EPERM, ret) TH_LOG("child: %s", strerror(ret));
	EXPECT_PINS(0, 0, RELEASE_MS);
	/* The lease itself is good for the process that took it. */
	register_mr(_metadata, self, EXCL_LEASE);
}

/* ---- SCM_RIGHTS ---- */

/* Receive a verbs fd; with hold, keep it until the parent lets go. */
static int scm_receiver(FIXTURE_DATA(dax) *self, int sock, long hold)
{
	struct stat st;
	int fd = recv_fd(sock);

	if (fd < 0 || fstat(fd, &st) || !S_ISCHR(st.st_mode))
		return 1;
	if (hold) {
		if (send_all(sock, "h", 1))
			return 1;
		wait_peer(sock);
	}
	close(fd);
	return 0;
}

/* The receiver is forked first, so it has the context only by SCM_RIGHTS. */
static pid_t send_context(struct __test_metadata *_metadata,
			  FIXTURE_DATA(dax) *self, int *sock, long hold)
{
	pid_t pid = fork_child(sock, scm_receiver, self, hold);

	if (pid <= 0)
		return pid;
	register_mr(_metadata, self, EXCL_LEASE);
	ASSERT_EQ(0, send_fd(*sock, self->v.ctx->cmd_fd));
	return pid;
}

TEST_F(dax, scm_rights_keeps_pins)
{
	int sock;
	pid_t pid;

	pid = send_context(_metadata, self, &sock, 0);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, wait_child(pid));
	close(sock);
	/* The receiver closed its copy; this process still has the context. */
	check_held(_metadata, self);
	deregister_mr(_metadata, self);
	check_released(_metadata, self, 0);
}

TEST_F(dax, scm_rights_last_close_releases)
{
	char c = 0;
	int sock;
	pid_t pid;

	pid = send_context(_metadata, self, &sock, 1);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, recv_all(sock, &c, 1));
	close_device(self);
	/* The receiver's copy is now the last reference, and names it. */
	check_held(_metadata, self);
	EXPECT_EQ(1, file_pins_lines(pid, UVERBS_OWNER, MR_RANGE));
	EXPECT_EQ(0, file_pins_lines(getpid(), "owner", ""));
	close(sock);
	EXPECT_EQ(0, wait_child(pid));
	check_released(_metadata, self, RELEASE_MS);
}

TEST_HARNESS_MAIN
