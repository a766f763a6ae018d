// SPDX-License-Identifier: GPL-2.0
/*
 * pinbench: workload 1 of 'make bench'.  Pin+unpin throughput through the
 * gup_test debugfs benchmarks:
 *
 *   VADDR_PIN_BENCHMARK    (vaddr_pin_pages(), project kernel only),
 *   PIN_LONGTERM_BENCHMARK (pin_user_pages(FOLL_LONGTERM)) and
 *   PIN_FAST_BENCHMARK     with FOLL_LONGTERM (pin_user_pages_fast(), what
 *                          stock ib_umem_get() uses; anonymous memory only)
 *
 * over SIZE of THP anonymous memory, 4 KiB anonymous memory, a PMD-mapped
 * FS-DAX file under an exclusive layout lease and the same file mapped with
 * 4 KiB pages.  The configurations run interleaved, round after round, so
 * that the slow drift of an emulated CPU hits them alike.
 *
 *   pinbench DAXFILE ROUNDS SIZE_MIB PAGES_PER_CALL
 */
#include "bench.h"

enum { THP_LT, THP_VP, SMALL_LT, SMALL_VP, DAXPMD_VP, DAX4K_VP, THP_FAST,
       SMALL_FAST, NCFG };

static const char *const cfg_name[NCFG] = {
	"anon_thp.pin_longterm", "anon_thp.vaddr_pin",
	"anon_4k.pin_longterm", "anon_4k.vaddr_pin",
	"dax_pmd.vaddr_pin", "dax_4k.vaddr_pin",
	"anon_thp.pin_fast_longterm", "anon_4k.pin_fast_longterm",
};

int main(int argc, char **argv)
{
	struct series get[NCFG], put[NCFG], tot[NCFG];
	char *mem[NCFG] = {};
	unsigned long cmd[NCFG];
	size_t len;
	unsigned int per_call;
	int rounds, gfd, fd = -1, have_vp, r, c;
	double g, p;
	char *thp, *small;
	long flt;

	if (argc != 5) {
		fprintf(stderr, "usage: pinbench DAXFILE ROUNDS SIZE_MIB PAGES_PER_CALL\n");
		return 2;
	}
	rounds = atoi(argv[2]);
	len = strtoul(argv[3], NULL, 0) * MiB;
	per_call = strtoul(argv[4], NULL, 0);
	info("w1.size_bytes", "%zu", len);
	info("w1.pages_per_call", "%u", per_call);

	gfd = open(GUP_TEST_FILE, O_RDWR);
	if (gfd < 0)
		die(GUP_TEST_FILE);

	thp = map_anon(len, 0, 1);
	flt = touch(thp, len);
	info("w1.anon_thp.faults", "%ld", flt);
	info("w1.anon_thp.AnonHugePages_kB", "%ld", smaps_field(thp, len, "AnonHugePages"));
	small = map_anon(len, 0, 0);
	flt = touch(small, len);
	info("w1.anon_4k.faults", "%ld", flt);
	info("w1.anon_4k.AnonHugePages_kB", "%ld", smaps_field(small, len, "AnonHugePages"));

	/* Does this kernel have VADDR_PIN_BENCHMARK? */
	have_vp = !gup_bench(gfd, VADDR_PIN_BENCHMARK, small, PAGE, 1, &g, &p);
	info("w1.vaddr_pin_benchmark", "%s", have_vp ? "yes" : "no");

	mem[THP_LT] = mem[THP_VP] = mem[THP_FAST] = thp;
	mem[SMALL_LT] = mem[SMALL_VP] = mem[SMALL_FAST] = small;
	cmd[THP_LT] = cmd[SMALL_LT] = PIN_LONGTERM_BENCHMARK;
	cmd[THP_FAST] = cmd[SMALL_FAST] = PIN_FAST_BENCHMARK;
	cmd[THP_VP] = cmd[SMALL_VP] = cmd[DAXPMD_VP] = cmd[DAX4K_VP] =
		VADDR_PIN_BENCHMARK;

	if (have_vp) {
		int ret;

		fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			die(argv[1]);
		if (fallocate(fd, 0, 0, len))
			die("fallocate");
		ret = set_lease(fd, F_LAYOUT | F_EXCLUSIVE);
		if (ret) {
			errno = -ret;
			die("F_SETLEASE F_LAYOUT|F_EXCLUSIVE");
		}
		mem[DAXPMD_VP] = map_file(fd, len, 0);
		flt = touch(mem[DAXPMD_VP], len);
		/* smaps does not count DAX PMDs: the faults tell the size */
		info("w1.dax_pmd.faults", "%ld", flt);
		info("w1.dax_pmd.mapped_with", "%s", flt <= (long)(len / PMD_SIZE_) + 8 ?
		     "PMD" : "PTE (no 2 MiB alignment of the blocks?)");
		mem[DAX4K_VP] = map_file(fd, len, PAGE);
		flt = touch(mem[DAX4K_VP], len);
		info("w1.dax_4k.faults", "%ld", flt);
		/* plain FOLL_LONGTERM must still refuse DAX */
		ret = gup_bench(gfd, PIN_LONGTERM_BENCHMARK, mem[DAX4K_VP],
				PAGE, 1, &g, &p);
		/* gup_test reports a failed pin as 0 pages pinned (-ERANGE here) */
		info("w1.dax.pin_longterm", "%s", !ret ? "PINNED (unexpected)" :
		     ret == -ERANGE ? "refused (0 pages pinned)" : strerror(-ret));
	}

	for (c = 0; c < NCFG; c++) {
		char *n;

		if (asprintf(&n, "w1.%s.get", cfg_name[c]) < 0)
			abort();
		get[c] = (struct series){ .name = n };
		if (asprintf(&n, "w1.%s.put", cfg_name[c]) < 0)
			abort();
		put[c] = (struct series){ .name = n };
		if (asprintf(&n, "w1.%s.total", cfg_name[c]) < 0)
			abort();
		tot[c] = (struct series){ .name = n };
	}

	/* round 0 warms up and is not recorded */
	for (r = 0; r <= rounds; r++) {
		for (c = 0; c < NCFG; c++) {
			int k = (c + r) % NCFG, ret;	/* rotate the order */

			if (!mem[k] || (cmd[k] == VADDR_PIN_BENCHMARK && !have_vp))
				continue;
			ret = gup_bench(gfd, cmd[k], mem[k], len, per_call, &g, &p);
			if (ret) {
				error_line("w1 %s: %s", cfg_name[k], strerror(-ret));
				mem[k] = NULL;
				continue;
			}
			if (!r)
				continue;
			series_add(&get[k], g);
			series_add(&put[k], p);
			series_add(&tot[k], g + p);
		}
	}
	for (c = 0; c < NCFG; c++) {
		if (!tot[c].n)
			continue;
		series_print(&get[c]);
		series_print(&put[c]);
		series_print(&tot[c]);
	}
	info("w1.file_pins_left", "%ld", have_vp ? file_pins_held() : 0);
	if (fd >= 0) {
		munmap(mem[DAXPMD_VP], len);
		munmap(mem[DAX4K_VP], len);
		close(fd);
		unlink(argv[1]);
	}
	return 0;
}
