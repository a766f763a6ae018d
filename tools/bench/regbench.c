// SPDX-License-Identifier: GPL-2.0
/*
 * regbench: workloads 2 and 5 of 'make bench', on rxe0.
 *
 *   regbench sizes DAXFILE MAXREPS
 *	ibv_reg_mr() + ibv_dereg_mr() of 4 KiB .. 1 GiB, over a DAX file
 *	under an exclusive layout lease and over anonymous memory of the same
 *	size, both as mmap() lays them out by default (2 MiB-aligned: PMD-
 *	mapped DAX, THP anon) and both with 4 KiB pages.  Interleaved.
 *
 *   regbench filepins DAXFILE MAXN
 *	One process per N = 10, 100, ... MAXN, each holding N one-page MRs of
 *	one DAX file: time to read each one's /proc/<pid>/file_pins, in
 *	rotation.  Then MAXN one-page MRs of the DAX file and of anonymous
 *	memory, twice each: kernel memory per registration from the Slab
 *	delta in /proc/meminfo.
 *
 * Without DAX support (stock kernel) only the anonymous cases run.
 */
#include "bench.h"
#include "rxe_util.h"

static const size_t sizes[] = { 4 * KiB, 64 * KiB, 1 * MiB, 16 * MiB, 128 * MiB,
				1024 * MiB };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static const char *size_name(size_t s)
{
	static char buf[16];

	if (s >= MiB)
		snprintf(buf, sizeof(buf), "%zuM", s / MiB);
	else
		snprintf(buf, sizeof(buf), "%zuK", s / KiB);
	return buf;
}

static int open_dax(const char *path, size_t len, int *lease_ok)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), ret;

	if (fd < 0)
		die(path);
	if (fallocate(fd, 0, 0, len))
		die("fallocate");
	ret = set_lease(fd, F_LAYOUT | F_EXCLUSIVE);
	*lease_ok = !ret;
	info("lease", "%s", ret ? strerror(-ret) : "exclusive layout lease taken");
	return fd;
}

enum { ANON_THP, DAX_PMD, ANON_4K, DAX_4K, NKIND };
static const char *const kind_name[NKIND] = { "anon", "dax", "anon_4k", "dax_4k" };

static int do_sizes(const char *path, int maxreps)
{
	size_t max = sizes[NSIZES - 1];
	struct series reg[NKIND][NSIZES], dereg[NKIND][NSIZES], tot[NKIND][NSIZES];
	char *mem[NKIND] = {};
	struct rxe r = {};
	int fd, dax, k, s, i;
	long flt;

	if (rxe_open(&r))
		die("rxe0");
	fd = open_dax(path, max, &dax);
	/* The default layouts: mmap(NULL) places both 2 MiB-aligned. */
	mem[ANON_THP] = map_anon(max, 0, 1);
	flt = touch(mem[ANON_THP], max);
	info("w2.anon.faults", "%ld", flt);
	mem[ANON_4K] = map_anon(max, 0, 0);
	flt = touch(mem[ANON_4K], max);
	info("w2.anon_4k.faults", "%ld", flt);
	if (dax) {
		mem[DAX_PMD] = map_file(fd, max, 0);
		flt = touch(mem[DAX_PMD], max);
		info("w2.dax.faults", "%ld", flt);
		mem[DAX_4K] = map_file(fd, max, PAGE);
		flt = touch(mem[DAX_4K], max);
		info("w2.dax_4k.faults", "%ld", flt);
	}
	for (k = 0; k < NKIND; k++)
		for (s = 0; s < NSIZES; s++) {
			char *n[3];

			if (asprintf(&n[0], "w2.%s.%zu.reg", kind_name[k], sizes[s]) < 0 ||
			    asprintf(&n[1], "w2.%s.%zu.dereg", kind_name[k], sizes[s]) < 0 ||
			    asprintf(&n[2], "w2.%s.%zu.total", kind_name[k], sizes[s]) < 0)
				abort();
			reg[k][s] = (struct series){ .name = n[0] };
			dereg[k][s] = (struct series){ .name = n[1] };
			tot[k][s] = (struct series){ .name = n[2] };
		}

	for (s = 0; s < NSIZES; s++) {
		/*
		 * Fewer repetitions of the big ones (a 1 GiB round takes
		 * about 0.2 s), but enough for a stable median: the host's
		 * speed drifts more than the differences measured.  Ten
		 * times as many of the small ones (15-80 us each): slow
		 * spells of the emulated CPU last milliseconds, longer than
		 * 300 small registrations take, and moved their medians by
		 * up to 20 % from run to run.
		 */
		int reps = sizes[s] <= MiB ? maxreps * 10 :
			   sizes[s] < 128 * MiB ? maxreps :
			   maxreps / 2 < 50 ? maxreps / 2 : 50;

		if (reps < 3)
			reps = 3;
		for (i = 0; i <= reps; i++) {	/* i == 0: warm-up */
			for (k = 0; k < NKIND; k++) {
				int kk = (k + i) % NKIND;
				struct ibv_mr *mr;
				double t0, t1, t2;

				if (!mem[kk])
					continue;
				t0 = now_us();
				mr = ibv_reg_mr(r.pd, mem[kk], sizes[s], RXE_ACCESS);
				t1 = now_us();
				if (!mr) {
					error_line("w2 ibv_reg_mr %s %s: %s", kind_name[kk],
						   size_name(sizes[s]), strerror(errno));
					mem[kk] = NULL;
					continue;
				}
				if (ibv_dereg_mr(mr))
					error_line("w2 ibv_dereg_mr: %s", strerror(errno));
				t2 = now_us();
				if (!i)
					continue;
				series_add(&reg[kk][s], t1 - t0);
				series_add(&dereg[kk][s], t2 - t1);
				series_add(&tot[kk][s], t2 - t0);
			}
		}
	}
	for (k = 0; k < NKIND; k++)
		for (s = 0; s < NSIZES; s++)
			if (tot[k][s].n) {
				series_print(&reg[k][s]);
				series_print(&dereg[k][s]);
				series_print(&tot[k][s]);
			}
	info("w2.file_pins_left", "%ld", dax ? file_pins_held() : 0);
	rxe_close(&r);
	close(fd);
	unlink(path);
	return 0;
}

/* Read a file_pins file completely; returns the number of lines. */
static long read_file_pins(const char *path, char *buf, size_t cap, double *us)
{
	double t0 = now_us();
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	ssize_t n;
	long lines = 0;
	size_t i;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + got, cap - got)) > 0) {
		got += n;
		if (got == cap)
			break;
	}
	close(fd);
	*us = now_us() - t0;
	for (i = 0; i < got; i++)
		lines += buf[i] == '\n';
	return got == cap ? -2 : lines;
}

struct memsnap {
	long slab, sunreclaim, avail, free;
};

static void snap(struct memsnap *m)
{
	/* let deferred frees (RCU) settle first */
	usleep(200000);
	m->slab = meminfo("Slab");
	m->sunreclaim = meminfo("SUnreclaim");
	m->avail = meminfo("MemAvailable");
	m->free = meminfo("MemFree");
}

/*
 * A holder process: its own lease on the DAX file, n one-page MRs on pages
 * [first, first + n) of it; tells the parent through @ready, then keeps
 * the MRs until the parent closes @done.
 */
static void holder(const char *path, long first, long n, int ready, int done)
{
	struct rxe r = {};
	int fd = open(path, O_RDWR), ret;
	char *mem, c = 1;
	long i;

	if (fd < 0)
		die(path);
	ret = set_lease(fd, F_LAYOUT | F_EXCLUSIVE);
	if (ret)	/* another process's exclusive lease: take a breakable one */
		ret = set_lease(fd, F_LAYOUT);
	if (ret) {
		errno = -ret;
		die("w5 holder lease");
	}
	if (rxe_open(&r))
		die("w5 holder rxe0");
	mem = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, first * PAGE);
	if (mem == MAP_FAILED)
		die("w5 holder mmap");
	touch(mem, n * PAGE);
	for (i = 0; i < n; i++)
		if (!ibv_reg_mr(r.pd, mem + i * PAGE, PAGE, RXE_ACCESS)) {
			error_line("w5 holder: ibv_reg_mr #%ld of %ld: %s", i + 1, n,
				   strerror(errno));
			c = 0;
			break;
		}
	if (write(ready, &c, 1) != 1)
		_exit(1);
	wait_peer(done);
	_exit(0);	/* exit releases the MRs */
}

static const long marks[] = { 10, 100, 1000, 10000, 100000 };

/*
 * /proc/<pid>/file_pins of one holder process per N in 10, 100, ... maxn,
 * all alive at once and read in rotation, so that a slower or faster
 * moment of the emulated CPU hits every N alike.
 */
static void file_pins_read(const char *path, long maxn, int rounds)
{
	struct series rd[5] = {};
	pid_t pids[5];
	int ready[2], done[2], nh = 0, h, r;
	size_t cap = 64 * MiB;
	char *buf = malloc(cap), proc[64], c;
	long first = 0, lines[5] = {};

	if (!buf || pipe(ready) || pipe(done))
		die("w5 setup");
	memset(buf, 0, cap);
	for (h = 0; h < 5 && marks[h] <= maxn; h++, nh++) {
		fflush(stdout);
		pids[h] = fork();
		if (!pids[h]) {
			close(ready[0]);
			close(done[1]);
			holder(path, first, marks[h], ready[1], done[0]);
		}
		first += marks[h];
		if (read(ready[0], &c, 1) != 1 || !c)
			die("w5 holder failed");
	}
	close(done[0]);
	info("w5.file_pins_held", "%ld", file_pins_held());
	for (r = 0; r <= rounds; r++) {	/* r == 0: warm-up */
		for (h = 0; h < nh; h++) {
			int hh = (h + r) % nh;
			double us = 0;

			snprintf(proc, sizeof(proc), "/proc/%d/file_pins", pids[hh]);
			lines[hh] = read_file_pins(proc, buf, cap, &us);
			if (r)
				series_add(&rd[hh], us);
			if (!r && hh == 0) {
				char *nl = strchr(buf, '\n');

				if (nl)
					*nl = 0;
				info("w5.sample_line", "%s", buf);
			}
		}
	}
	for (h = 0; h < nh; h++) {
		if (asprintf((char **)&rd[h].name, "w5.read.%ld", marks[h]) < 0)
			abort();
		series_print(&rd[h]);
		info("w5.lines", "%ld %ld", marks[h], lines[h]);
		if (lines[h] != marks[h])
			error_line("w5: file_pins shows %ld lines for %ld DAX MRs", lines[h],
				   marks[h]);
	}
	close(done[1]);
	for (h = 0; h < nh; h++)
		wait_child(pids[h]);
	free(buf);
}

/*
 * Kernel memory per registration: maxn MRs of mr_pages pages each, of
 * anonymous memory (no file pin record) and of the DAX file, twice each,
 * Slab and MemAvailable from /proc/meminfo before and after, reported as
 * info line "key".  One-page MRs also give the time per registration over
 * each decade.  Bigger MRs use THP anonymous memory, so that both kinds
 * get one scatterlist entry per MR and differ only in the tracking.
 */
static void memory_passes(int fd, int dax, long maxn, long mr_pages,
			  const char *key)
{
	size_t len = maxn * mr_pages * PAGE;
	struct ibv_mr **mrs = calloc(maxn, sizeof(*mrs));
	struct memsnap m0, m1, m2;
	struct rxe r = {};
	int pass;
	long n, nm;
	char *mem;

	if (!mrs)
		die("malloc");
	if (rxe_open(&r))
		die("rxe0");
	for (pass = 0; pass < 4; pass++) {
		const char *kind = pass % 2 ? "dax" : "anon";
		struct series regt = { 0 };
		double t0;
		int mi = 0;

		if (pass % 2 && !dax)
			continue;
		mem = pass % 2 ? map_file(fd, len, 0) : map_anon(len, 0, mr_pages > 1);
		touch(mem, len);
		snap(&m0);
		t0 = now_us();
		for (n = 0; n < maxn; n++) {
			mrs[n] = ibv_reg_mr(r.pd, mem + n * mr_pages * PAGE,
					    mr_pages * PAGE, RXE_ACCESS);
			if (!mrs[n]) {
				error_line("w5 %s: ibv_reg_mr #%ld: %s", kind, n + 1,
					   strerror(errno));
				break;
			}
			if (mr_pages > 1 || n + 1 != marks[mi])
				continue;
			/* time per registration over this decade */
			printf("S w5.%s.reg_per_mr.%ld.pass%d %.3f\n", kind, n + 1, pass,
			       (now_us() - t0) / (n + 1 - (mi ? marks[mi - 1] : 0)));
			mi++;
			t0 = now_us();
		}
		nm = n;
		snap(&m1);
		info(key, "%s pass=%d n=%ld mr_pages=%ld slab_kB=%ld sunreclaim_kB=%ld memavail_kB=%ld memfree_kB=%ld",
		     kind, pass, nm, mr_pages, m1.slab - m0.slab, m1.sunreclaim - m0.sunreclaim,
		     m0.avail - m1.avail, m0.free - m1.free);
		if (pass % 2 && mr_pages == 1)
			info("w5.file_pins_held_mem", "%ld", file_pins_held());
		t0 = now_us();
		for (n = 0; n < nm; n++)
			if (ibv_dereg_mr(mrs[n]))
				error_line("w5 dereg: %s", strerror(errno));
		series_add(&regt, nm ? (now_us() - t0) / nm : 0);
		if (asprintf((char **)&regt.name, "w5.%s.dereg_per_mr.%ld.pass%d", kind, nm, pass) < 0)
			abort();
		if (mr_pages == 1)
			series_print(&regt);
		snap(&m2);
		info("w5.mem_after_dereg", "%s pass=%d slab_kB=%ld memavail_kB=%ld", kind, pass,
		     m2.slab - m0.slab, m0.avail - m2.avail);
		munmap(mem, len);
	}
	rxe_close(&r);
	free(mrs);
}

static int do_filepins(const char *path, long maxn)
{
	/* room for the holders (10 + 100 + ...) and for maxn 64 KiB MRs */
	long pages = maxn * 16;
	int fd, dax;

	/* the holders open the file themselves: no lease of ours yet */
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || fallocate(fd, 0, 0, pages * PAGE))
		die(path);
	info("sys_kernel_slab", "%s", access("/sys/kernel/slab", F_OK) ? "absent" : "present");
	{
		/* what one record takes in its cache (merged caches share) */
		FILE *f = fopen("/sys/kernel/slab/file_pin/slab_size", "r");
		long sz;

		if (f && fscanf(f, "%ld", &sz) == 1)
			info("file_pin_slab_size", "%ld", sz);
		if (f)
			fclose(f);
	}
	info("proc_slabinfo", "%s", access("/proc/slabinfo", F_OK) ? "absent" : "present");
	dax = !set_lease(fd, F_LAYOUT);
	if (dax) {
		set_lease(fd, F_UNLCK);
		file_pins_read(path, maxn, 15);
		if (set_lease(fd, F_LAYOUT | F_EXCLUSIVE))
			die("w5 lease");
	}
	memory_passes(fd, dax, maxn, 1, "w5.mem");
	/* O(1) in the MR's size: as many 64 KiB MRs */
	memory_passes(fd, dax, maxn, 16, "w5.mem64k");
	info("w5.file_pins_left", "%ld", dax ? file_pins_held() : 0);
	close(fd);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "sizes"))
		return do_sizes(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "filepins"))
		return do_filepins(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: regbench sizes DAXFILE MAXREPS | filepins DAXFILE MAXN\n");
	return 2;
}
