/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the file pin selftests: hold vaddr_pin_pages() pins
 * through the gup_test debugfs file, take layout leases, read counters.
 */
#ifndef PIN_UTIL_H
#define PIN_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

#ifndef F_LAYOUT
#define F_LAYOUT	16
#define F_EXCLUSIVE	32
#endif

/* From mm/gup_test.h, which this project extends (USE_VADDR_PIN, ...). */
#define PIN_LONGTERM_TEST_START	_IOW('g', 7, struct pin_longterm_test)
#define PIN_LONGTERM_TEST_STOP	_IO('g', 8)
#define PIN_LONGTERM_TEST_READ	_IOW('g', 9, __u64)
#define PIN_LONGTERM_TEST_FLAG_USE_WRITE	1
#define PIN_LONGTERM_TEST_FLAG_USE_FAST		2
#define PIN_LONGTERM_TEST_FLAG_USE_VADDR_PIN	4
#define PIN_LONGTERM_TEST_FLAG_VADDR_PIN_MM	8	/* owner: the mm */
struct pin_longterm_test {
	__u64 addr;
	__u64 size;
	__u32 flags;
};

#define GUP_TEST_FILE "/sys/kernel/debug/gup_test"

/* Pin [addr, addr + size) with vaddr_pin_pages(); the pins belong to the
 * returned gup_test fd until pin_stop() or close().  Returns the fd, or
 * -errno. */
static inline int pin_start_flags(void *addr, size_t size, unsigned int flags)
{
	struct pin_longterm_test args = {
		.addr = (uintptr_t)addr, .size = size, .flags = flags,
	};
	int fd = open(GUP_TEST_FILE, O_RDWR);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, PIN_LONGTERM_TEST_START, &args)) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

static inline int pin_start(void *addr, size_t size)
{
	return pin_start_flags(addr, size, PIN_LONGTERM_TEST_FLAG_USE_WRITE |
			       PIN_LONGTERM_TEST_FLAG_USE_VADDR_PIN);
}

static inline int pin_stop(int fd)
{
	int ret = ioctl(fd, PIN_LONGTERM_TEST_STOP) ? -errno : 0;

	close(fd);
	return ret;
}

/* Copy the pages @fd holds pinned, in pin order, to @buf: 0 or -errno. */
static inline int pin_read(int fd, void *buf)
{
	__u64 addr = (uintptr_t)buf;

	return ioctl(fd, PIN_LONGTERM_TEST_READ, &addr) ? -errno : 0;
}

/* fcntl(F_SETLEASE) returning 0 or -errno. */
static inline int set_lease(int fd, int arg)
{
	return fcntl(fd, F_SETLEASE, arg) ? -errno : 0;
}

/* Milliseconds on the monotonic clock. */
static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write @val to the file @path (procfs, sysfs, debugfs): 0 or -errno. */
static inline int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -EIO;
}

/*
 * A /proc/vmstat counter, after folding the per-cpu deltas.  A counter
 * that cannot be read aborts the test: "nothing leaked" checks compare
 * differences of them, which would read 0 = 0.
 */
static inline long vmstat(const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long val = -1;
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");

	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	f = fopen("/proc/vmstat", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			val = atol(line + len + 1);
	if (f)
		fclose(f);
	if (val < 0) {
		fprintf(stderr, "# counter %s missing\n", name);
		abort();
	}
	return val;
}

/* Lines of /proc/<pid>/file_pins containing both @a and @b; -1 if unread. */
static inline int file_pins_lines(pid_t pid, const char *a, const char *b)
{
	char path[64], line[1024];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/file_pins", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, a) && strstr(line, b);
	fclose(f);
	return n;
}

/* Pages and records currently pinned through vaddr_pin_pages(). */
static inline long vaddr_pins_held(void)
{
	return vmstat("nr_vaddr_pin_acquired") - vmstat("nr_vaddr_pin_released");
}

static inline long file_pins_held(void)
{
	return vmstat("nr_file_pin_acquired") - vmstat("nr_file_pin_released");
}

/* " MAJ:MIN:INO " of @fd as /proc/locks prints it, into @id. */
static inline void lock_id_of(int fd, char *id, size_t size)
{
	struct stat st;

	if (fstat(fd, &st))
		st.st_dev = st.st_ino = 0;
	snprintf(id, size, " %02x:%02x:%lu ", major(st.st_dev),
		 minor(st.st_dev), (unsigned long)st.st_ino);
}

/* LAYOUT leases on the file @id names (lock_id_of()), of any process. */
static inline int layout_leases_on(const char *id)
{
	FILE *f = fopen("/proc/locks", "r");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " LAYOUT ") && strstr(line, id))
			n++;
	fclose(f);
	return n;
}

#endif
