/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the 'make bench' guest programs: clocks, the output format,
 * gup_test benchmark ioctls, 2 MiB-aligned mappings, /proc readers.
 *
 * Output (stdout), parsed by tools/bench/report.py:
 *   S NAME V1 V2 ...   samples of one metric, in microseconds
 *   I KEY VALUE...     information (counts, sizes, methods)
 *   E TEXT             an error the report must show
 */
#ifndef BENCH_H
#define BENCH_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/types.h>
#include "pin_util.h"

#define KiB (1UL << 10)
#define MiB (1UL << 20)
#define PMD_SIZE_ (2 * MiB)
#define PAGE 4096UL

/* mm/gup_test.h */
struct gup_test {
	__u64 get_delta_usec;
	__u64 put_delta_usec;
	__u64 addr;
	__u64 size;
	__u32 nr_pages_per_call;
	__u32 gup_flags;
	__u32 test_flags;
	__u32 which_pages[8];
};
#define PIN_FAST_BENCHMARK	_IOWR('g', 2, struct gup_test)
#define PIN_LONGTERM_BENCHMARK	_IOWR('g', 3, struct gup_test)
#define VADDR_PIN_BENCHMARK	_IOWR('g', 10, struct gup_test)
#define FOLL_WRITE_		0x01
#define FOLL_LONGTERM_		0x100	/* include/linux/mm_types.h, 6.12 */

static inline double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* A metric: a growable array of samples, printed as one "S" line. */
struct series {
	const char *name;
	double *v;
	size_t n, cap;
};

static inline void series_add(struct series *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(double));
		if (!s->v)
			abort();
	}
	s->v[s->n++] = v;
}

static inline void series_print(const struct series *s)
{
	size_t i;

	printf("S %s", s->name);
	for (i = 0; i < s->n; i++)
		printf(" %.3f", s->v[i]);
	printf("\n");
	fflush(stdout);
}

static inline void info(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("I %s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void error_line(const char *fmt, ...)
{
	va_list ap;

	printf("E ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	va_start(ap, fmt);
	fprintf(stderr, "bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static inline void die(const char *what)
{
	error_line("%s: %s", what, strerror(errno));
	exit(1);
}

/*
 * Reserve len + 2 MiB of address space and return the 2 MiB-aligned
 * address inside it plus @offset; the caller maps there with MAP_FIXED.
 */
static inline void *aligned_hole(size_t len, size_t offset)
{
	char *p = mmap(NULL, len + 2 * PMD_SIZE_, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		die("mmap PROT_NONE");
	a = ((uintptr_t)p + PMD_SIZE_ - 1) & ~(PMD_SIZE_ - 1);
	return (void *)(a + offset);
}

/* Anonymous memory at a 2 MiB-aligned address (+offset), THP or not. */
static inline char *map_anon(size_t len, size_t offset, int thp)
{
	char *p = aligned_hole(len, offset);

	if (mmap(p, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != p)
		die("mmap anon");
	if (madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise");
	return p;
}

/* A shared file mapping at a 2 MiB-aligned address (+offset). */
static inline char *map_file(int fd, size_t len, size_t offset)
{
	char *p = aligned_hole(len, offset);

	if (mmap(p, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0) != p)
		die("mmap file");
	return p;
}

static inline long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

/* Write one byte per page; returns the number of page faults taken. */
static inline long touch(char *p, size_t len)
{
	long before = minflt();
	size_t i;

	for (i = 0; i < len; i += PAGE)
		((volatile char *)p)[i] = 1;
	return minflt() - before;
}

/* kB value of a /proc/meminfo line, -1 if absent. */
static inline long meminfo(const char *key)
{
	char line[256];
	size_t len = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			v = atol(line + len + 1);
	fclose(f);
	return v;
}

/* Sum of a smaps field (kB) over the VMA(s) within [p, p+len). */
static inline long smaps_field(void *p, size_t len, const char *key)
{
	char line[512];
	unsigned long lo, hi, start = (uintptr_t)p, end = start + len;
	size_t klen = strlen(key);
	int in = 0;
	long sum = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
			in = lo < end && start < hi;
			continue;
		}
		if (in && !strncmp(line, key, klen) && line[klen] == ':')
			sum += atol(line + klen + 1);
	}
	fclose(f);
	return sum;
}

/*
 * One gup_test benchmark: pin and unpin [p, p+len); returns 0 and the
 * get/put times, or -errno.  gup_test returns 0 even when a call fails
 * part way, so a short .size is an error too.
 */
static inline int gup_bench(int gfd, unsigned long cmd, void *p, size_t len,
			    unsigned int per_call, double *get, double *put)
{
	struct gup_test g = {
		.addr = (uintptr_t)p, .size = len,
		.nr_pages_per_call = per_call, .gup_flags = FOLL_WRITE_,
	};

	/* PIN_FAST_BENCHMARK is used as stock ib_umem_get() pins:
	 * pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM) */
	if (cmd == PIN_FAST_BENCHMARK)
		g.gup_flags |= FOLL_LONGTERM_;

	if (ioctl(gfd, cmd, &g))
		return -errno;
	if (g.size != len)
		return -ERANGE;
	*get = g.get_delta_usec;
	*put = g.put_delta_usec;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline double median(const double *v, size_t n)
{
	double *c = malloc(n * sizeof(double)), m;

	if (!c || !n)
		return 0;
	memcpy(c, v, n * sizeof(double));
	qsort(c, n, sizeof(double), cmp_double);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

#endif
