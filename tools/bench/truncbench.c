// SPDX-License-Identifier: GPL-2.0
/*
 * truncbench: workloads 3 and 4 of 'make bench'.
 *
 *   truncbench DIR REPS TMPDIR
 *
 * Workload 3: the cost of truncate and hole punch of a DAX file with no
 * pins and of a DAX file whose pins lie elsewhere in the file
 * ("pinned_elsewhere": pages [0, 64 KiB) pinned through vaddr_pin_pages()
 * under an exclusive layout lease, held by gup_test).  Each repetition
 * refills the file to 2 MiB of written data, then times ftruncate() to
 * 1 MiB; and refills one 4 KiB page in [256 KiB, 1 MiB), then times
 * fallocate(PUNCH_HOLE) of it.  See w3() for the files.  The same
 * operations on a tmpfs file in TMPDIR, a path the series does not touch,
 * give each boot's reference for comparing the two kernels.
 *
 * Workload 4: a refused truncate/punch (range pinned under an exclusive
 * lease) against a successful one of the same range of an identical
 * unpinned file, from another process and from the lease holder itself.
 */
#include "bench.h"
#include <sys/wait.h>

#define FILE_SZ		(2 * MiB)
#define CUT		(1 * MiB)

static char data[FILE_SZ];

/* Make the file 2 MiB of written data again (untimed). */
static void refill(int fd)
{
	if (ftruncate(fd, FILE_SZ))
		die("refill ftruncate");
	if (pwrite(fd, data + CUT, FILE_SZ - CUT, CUT) != FILE_SZ - CUT)
		die("refill pwrite");
	/* commit now, so that the timed operation starts on a quiet journal */
	if (fsync(fd))
		die("refill fsync");
}

/* Mean time of one getppid() over a batch: the CPU speed right now. */
static double cal_sample(void)
{
	double t = now_us();
	int i;

	for (i = 0; i < 200; i++)
		syscall(110 /* getppid */);
	return (now_us() - t) / 200;
}

static int make_file(const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	if (pwrite(fd, data, FILE_SZ, 0) != FILE_SZ)
		die("pwrite");
	fsync(fd);
	return fd;
}

static off_t size_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

static double time_truncate(int fd, int *err)
{
	double t = now_us();
	int ret = ftruncate(fd, CUT);

	t = now_us() - t;
	*err = ret ? errno : 0;
	return t;
}

static double time_punch(int fd, off_t off, int *err)
{
	double t = now_us();
	int ret = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, PAGE);

	t = now_us() - t;
	*err = ret ? errno : 0;
	return t;
}

/*
 * Workload 3.  Five files, handled alike and interleaved: "unpinned" (not
 * mapped), "mapped_unpinned" ([0, 64 KiB) mapped and touched), and two more
 * mapped the same way which, where layout leases exist (project), hold an
 * exclusive layout lease: "leased_unpinned" without pins, and
 * "pinned_elsewhere" with those 64 KiB pinned.  Without layout leases
 * (stock) the two are "mapped_unpinned3" and "mapped_unpinned2".  The fifth,
 * "tmpfs_ref", is an unmapped tmpfs file: shmem's truncate and punch are
 * the same code in both kernels, so it measures how fast each boot runs.
 * The same operations in the same order on every kernel.  The mapped files
 * are touched again (untimed) before each truncate: a truncate may unmap
 * more than it frees (stock ext4 unmaps the whole file), and "mapped"
 * must mean mapped for every one of them.
 *
 * Where a file lies on the device changes its truncate time by up to 7 %
 * here, so the workload runs in four parts with fresh files, the four DAX
 * files created in each part in another rotation of 0 1 2 3: each file
 * takes each place once, and every series mixes the four parts equally.
 */
#define W3_FILES 5
#define W3_TMPFS 4
struct w3_series {
	struct series tr[W3_FILES], pu[W3_FILES], cal;
	int bad;
};

#define W3_PARTS W3_TMPFS	/* a rotation per DAX file */

static void w3_part(const char *dir, const char *tmpdir, int reps, int can_pin,
		    int part, struct w3_series *w)
{
	static const char *const names[W3_FILES] = { "unpinned", "mapped",
						     "pinned", "leased", "tmpfs" };
	int fd[W3_FILES], pinfd = -1, i, k, err;
	char *map[W3_FILES] = {};
	char name[64];

	for (k = 0; k < W3_FILES; k++) {
		int f = k == W3_TMPFS ? k : (k + part) % W3_TMPFS;

		snprintf(name, sizeof(name), "w3-%s-%d", names[f], part);
		fd[f] = make_file(f == W3_TMPFS ? tmpdir : dir, name);
	}
	if (can_pin && (set_lease(fd[2], F_LAYOUT | F_EXCLUSIVE) ||
			set_lease(fd[3], F_LAYOUT | F_EXCLUSIVE)))
		die("w3 lease");
	for (k = 1; k < W3_TMPFS; k++) {
		map[k] = mmap(NULL, 64 * KiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd[k], 0);
		if (map[k] == MAP_FAILED)
			die("w3 mmap");
		touch(map[k], 64 * KiB);
	}
	if (can_pin) {
		pinfd = pin_start(map[2], 64 * KiB);
		if (pinfd < 0) {
			errno = -pinfd;
			die("w3 pin_start");
		}
		info("w3.pinned_elsewhere", "pages 0-15 pinned, %ld file pin record(s) held",
		     file_pins_held());
	}
	for (i = 0; i <= reps; i++) {	/* i == 0: warm-up */
		if (i)
			series_add(&w->cal, cal_sample());
		for (k = 0; k < W3_FILES; k++) {
			int kk = (k + i) % W3_FILES;
			off_t off = 256 * KiB + (i % 192) * PAGE;
			double t;

			if (map[kk])
				touch(map[kk], 64 * KiB);
			refill(fd[kk]);
			t = time_truncate(fd[kk], &err);
			if (err || size_of(fd[kk]) != CUT)
				w->bad++;
			if (i)
				series_add(&w->tr[kk], t);
			if (pwrite(fd[kk], data, PAGE, off) != PAGE || fsync(fd[kk]))
				die("pwrite");
			t = time_punch(fd[kk], off, &err);
			if (err)
				w->bad++;
			if (i)
				series_add(&w->pu[kk], t);
		}
	}
	if (pinfd >= 0)
		pin_stop(pinfd);
	for (k = 0; k < W3_FILES; k++) {
		if (map[k])
			munmap(map[k], 64 * KiB);
		close(fd[k]);
	}
}

static void w3(const char *dir, const char *tmpdir, int reps, int can_pin)
{
	struct w3_series w = {
		.tr = { { "w3.unpinned.truncate" }, { "w3.mapped_unpinned.truncate" },
			{ "w3.pinned_elsewhere.truncate" }, { "w3.leased_unpinned.truncate" },
			{ "w3.tmpfs_ref.truncate" } },
		.pu = { { "w3.unpinned.punch" }, { "w3.mapped_unpinned.punch" },
			{ "w3.pinned_elsewhere.punch" }, { "w3.leased_unpinned.punch" },
			{ "w3.tmpfs_ref.punch" } },
		.cal = { "cal.getppid.w3" },
	};
	int k;

	if (!can_pin) {
		w.tr[2].name = "w3.mapped_unpinned2.truncate";
		w.pu[2].name = "w3.mapped_unpinned2.punch";
		w.tr[3].name = "w3.mapped_unpinned3.truncate";
		w.pu[3].name = "w3.mapped_unpinned3.punch";
	}
	for (k = 0; k < W3_PARTS; k++)
		w3_part(dir, tmpdir, reps / W3_PARTS + (k < reps % W3_PARTS),
			can_pin, k, &w);
	if (w.bad)
		error_line("w3: %d truncates/punches failed", w.bad);
	series_print(&w.cal);
	for (k = 0; k < W3_FILES; k++) {
		series_print(&w.tr[k]);
		series_print(&w.pu[k]);
	}
}

/* Workload 4: in the calling process; who = "other" or "holder". */
static void w4_run(const char *who, int pinned, int ok, int reps)
{
	struct series rt = {}, rp = {}, st = {}, sp = {};
	int i, err, wrong = 0, changed = 0;

	if (asprintf((char **)&rt.name, "w4.refused_%s.truncate", who) < 0 ||
	    asprintf((char **)&rp.name, "w4.refused_%s.punch", who) < 0 ||
	    asprintf((char **)&st.name, "w4.success_%s.truncate", who) < 0 ||
	    asprintf((char **)&sp.name, "w4.success_%s.punch", who) < 0)
		abort();
	for (i = 0; i <= reps; i++) {
		off_t off = CUT + (i % 256) * PAGE;
		double t;

		/* refused: the range [1 MiB, 2 MiB) is pinned */
		t = time_truncate(pinned, &err);
		if (err != ETXTBSY)
			wrong++;
		if (size_of(pinned) != FILE_SZ)
			changed++;
		if (i)
			series_add(&rt, t);
		t = time_punch(pinned, off, &err);
		if (err != ETXTBSY)
			wrong++;
		if (i)
			series_add(&rp, t);
		/* success: the same operations on an identical unpinned file */
		refill(ok);
		t = time_truncate(ok, &err);
		if (err)
			wrong++;
		if (i)
			series_add(&st, t);
		refill(ok);
		t = time_punch(ok, off, &err);
		if (err)
			wrong++;
		if (i)
			series_add(&sp, t);
	}
	series_print(&rt);
	series_print(&rp);
	series_print(&st);
	series_print(&sp);
	info("w4.unexpected_results", "%s %d", who, wrong);
	info("w4.refused_changed_size", "%s %d", who, changed);
	if (wrong || changed)
		error_line("w4 %s: %d unexpected results, %d size changes", who, wrong, changed);
}

static void w4(const char *dir, int reps)
{
	int pinned = make_file(dir, "w4-pinned"), ok = make_file(dir, "w4-ok");
	char *map;
	int pinfd;
	pid_t pid;

	if (set_lease(pinned, F_LAYOUT | F_EXCLUSIVE))
		die("w4 lease");
	map = mmap(NULL, FILE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, pinned, 0);
	if (map == MAP_FAILED)
		die("w4 mmap");
	pinfd = pin_start(map + CUT, FILE_SZ - CUT);
	if (pinfd < 0) {
		errno = -pinfd;
		die("w4 pin_start");
	}
	fflush(stdout);
	pid = fork();
	if (!pid) {
		w4_run("other", pinned, ok, reps);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	w4_run("holder", pinned, ok, reps);
	pin_stop(pinfd);
	munmap(map, FILE_SZ);
	close(pinned);
	close(ok);
}

int main(int argc, char **argv)
{
	int reps, can_pin, fd;
	char path[512];

	if (argc != 4) {
		fprintf(stderr, "usage: truncbench DIR REPS TMPDIR\n");
		return 2;
	}
	reps = atoi(argv[2]);
	memset(data, 0x5a, sizeof(data));

	/* Layout leases exist (project kernel)? */
	snprintf(path, sizeof(path), "%s/w3-probe", argv[1]);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		die(path);
	can_pin = !set_lease(fd, F_LAYOUT | F_EXCLUSIVE);
	close(fd);
	unlink(path);
	info("w3.layout_leases", "%s", can_pin ? "yes" : "no");

	w3(argv[1], argv[3], reps, can_pin);
	if (can_pin)
		w4(argv[1], reps / 2);
	return 0;
}
