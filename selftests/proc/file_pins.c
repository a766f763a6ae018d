// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/<pid>/file_pins: one line per pinned file range,
 *
 *   owner_fd=N owner=PATH device=DEV fsdev=MAJ:MIN ino=INO range=FIRST-LAST
 *   pages=N lease=layout|exclusive held=open|pins file=PATH
 *
 * - a gup_test pin: exactly one line, every key in order, every value
 *   right; paths are octal-escaped; owned by the mm: owner_fd=- owner=mm;
 * - RDMA MRs of two verbs contexts over files on ext4 and xfs: one line
 *   per MR, owned by the context's uverbs fd, device rxe0;
 * - close() and munmap() of the data file while pinned: held=pins, and
 *   the line goes with the pin;
 * - task/<tid>/file_pins is the process's, and so is file_pins once the
 *   main thread has exited; an owner open under several fds is listed
 *   once; another user gets EACCES at open, and reading an fd root opened;
 * - no kernel pointers in file_pins, fdinfo or /proc/locks;
 * - fdinfo of the leased fd: layout_lease and layout_pinned_pages;
 * - the ib device renamed under a registered MR: a valid device name;
 *   a name with a space and '=' is escaped;
 * - 10,000 MRs: 10,000 correct lines, read in linear time.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "pin_util.h"
#include "rxe_util.h"

#define FILE_PAGES	64
#define PIN_FIRST	2	/* the fixture's pin: pages [2, 17] */
#define PIN_PAGES	16
#define EXCL_LEASE	(F_LAYOUT | F_EXCLUSIVE)
#define UVERBS		"/dev/infiniband/uverbs0"
#define MAX_LINES	16

static size_t ps;

/* ---- reading and parsing ---- */

/* The whole content of a (proc) file, NUL-terminated; NULL and errno. */
static char *read_file(const char *path, size_t *lenp)
{
	size_t len = 0, size = 1 << 16;
	char *buf = malloc(size), *nbuf;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY);
	if (fd < 0 || !buf)
		goto fail;
	for (;;) {
		if (size - len < (1 << 16)) {
			size *= 2;
			nbuf = realloc(buf, size);
			if (!nbuf)
				goto fail;
			buf = nbuf;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0)
			goto fail;
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = err;
	return NULL;
}

struct pin_line {
	int owner_fd;			/* -1 for owner_fd=- */
	char owner[256], device[64], lease[16], held[8], file[256];
	unsigned int major, minor;
	unsigned long ino, first, last, pages;
};

static const char *const keys[] = {
	"owner_fd", "owner", "device", "fsdev", "ino", "range", "pages",
	"lease", "held", "file",
};

/* A whole decimal number, or false. */
static bool number(const char *s, unsigned long *val)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*val = strtoul(s, &end, 10);
	return !*end && !errno;
}

/*
 * Parse one line strictly: the ten keys in order, separated by single
 * spaces, no empty value, numbers where numbers belong.  Strings stay
 * escaped.
 */
static bool parse_line(const char *line, struct pin_line *p)
{
	char buf[1024], *v[10], *tok, *save, *dash, *colon;
	unsigned long fd, major, minor;
	unsigned int i = 0;

	if (strlen(line) >= sizeof(buf) || strchr(line, '\t'))
		return false;
	strcpy(buf, line);
	if (strstr(buf, "  ") || buf[0] == ' ' || buf[strlen(buf) - 1] == ' ')
		return false;
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), i++) {
		if (i >= 10)
			return false;
		v[i] = strchr(tok, '=');
		if (!v[i] || v[i] - tok != strlen(keys[i]) ||
		    strncmp(tok, keys[i], v[i] - tok) || !*++v[i])
			return false;
	}
	if (i != 10)
		return false;
	memset(p, 0, sizeof(*p));
	colon = strchr(v[3], ':');
	dash = strchr(v[5], '-');
	if (!colon || !dash)
		return false;
	*colon++ = *dash++ = 0;
	if (!strcmp(v[0], "-"))
		p->owner_fd = -1;
	else if (number(v[0], &fd))
		p->owner_fd = fd;
	else
		return false;
	if (!number(v[3], &major) || !number(colon, &minor) ||
	    !number(v[4], &p->ino) || !number(v[5], &p->first) ||
	    !number(dash, &p->last) || !number(v[6], &p->pages))
		return false;
	p->major = major;
	p->minor = minor;
	snprintf(p->owner, sizeof(p->owner), "%s", v[1]);
	snprintf(p->device, sizeof(p->device), "%s", v[2]);
	snprintf(p->lease, sizeof(p->lease), "%s", v[7]);
	snprintf(p->held, sizeof(p->held), "%s", v[8]);
	snprintf(p->file, sizeof(p->file), "%s", v[9]);
	return true;
}

/*
 * Read and parse a file_pins file into lines[max]: the number of lines,
 * -1 on a read error (errno), -2 on a line that does not parse.
 */
static int read_pins(const char *path, struct pin_line *lines, int max)
{
	char *buf = read_file(path, NULL), *line, *save;
	int n = 0;

	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		if (n < max && !parse_line(line, &lines[n])) {
			fprintf(stderr, "# unparsable line: %s\n", line);
			n = -2;
			break;
		}
	}
	free(buf);
	return n;
}

static int read_self_pins(struct pin_line *lines, int max)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/file_pins", getpid());
	return read_pins(path, lines, max);
}

/* The value of a "key:\tvalue" line of an fdinfo file, or NULL. */
static char *fdinfo_value(int fd, const char *key, char *val, size_t size)
{
	char path[64], *buf, *p;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	buf = read_file(path, NULL);
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ':' && p[klen + 1] == '\t') {
			snprintf(val, size, "%.*s", (int)strcspn(p + klen + 2, "\n"),
				 p + klen + 2);
			free(buf);
			return val;
		}
	}
	free(buf);
	return NULL;
}

/* Does a line describe exactly this pin of this (unescaped) file? */
struct expect {
	int owner_fd;
	const char *owner, *device, *lease, *held, *file;
	const struct stat *st;
	unsigned long first, pages;
};

static bool line_is(const struct pin_line *l, const struct expect *e)
{
	return l->owner_fd == e->owner_fd && !strcmp(l->owner, e->owner) &&
	       !strcmp(l->device, e->device) &&
	       l->major == major(e->st->st_dev) &&
	       l->minor == minor(e->st->st_dev) && l->ino == e->st->st_ino &&
	       l->first == e->first && l->last == e->first + e->pages - 1 &&
	       l->pages == e->pages && !strcmp(l->lease, e->lease) &&
	       !strcmp(l->held, e->held) && !strcmp(l->file, e->file);
}

/* s with bytes outside printable ASCII as \xHH, for logs. */
static const char *printable(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s && o + 5 < size; s++)
		o += snprintf(out + o, size - o, *s > ' ' && *s < 127 ? "%c" :
			      "\\x%02x", (unsigned char)*s);
	out[o] = 0;
	return out;
}

static void show_line(const struct pin_line *l)
{
	char dev[256];

	fprintf(stderr, "#   owner_fd=%d owner=%s device=%s fsdev=%u:%u ino=%lu range=%lu-%lu pages=%lu lease=%s held=%s file=%s\n",
		l->owner_fd, l->owner, printable(l->device, dev, sizeof(dev)),
		l->major, l->minor, l->ino,
		l->first, l->last, l->pages, l->lease, l->held, l->file);
}

/* Each expected pin matches exactly one line, and there are no others. */
static bool lines_are(const struct pin_line *lines, int n,
		      const struct expect *e, int ne)
{
	bool used[MAX_LINES] = {};
	int i, j, hits;

	if (n != ne || n > MAX_LINES) {
		fprintf(stderr, "# %d lines, expected %d\n", n, ne);
		goto show;
	}
	for (i = 0; i < ne; i++) {
		for (j = 0, hits = 0; j < n; j++)
			if (!used[j] && line_is(&lines[j], &e[i]) && !hits++)
				used[j] = true;
		if (hits != 1) {
			fprintf(stderr, "# pin %d (range %lu+%lu of %s): %d lines\n",
				i, e[i].first, e[i].pages, e[i].file, hits);
			goto show;
		}
	}
	return true;
show:
	for (i = 0; i < n && i < MAX_LINES; i++)
		show_line(&lines[i]);
	return false;
}

/* ---- the fixture: a leased, mapped DAX file ---- */

FIXTURE(fp) {
	char path[64];
	int fd;
	char *map;
	struct stat st;
	int pinfd;
};

FIXTURE_VARIANT(fp) {
	const char *dir;
};

FIXTURE_VARIANT_ADD(fp, ext4) { .dir = "/mnt/ext4" };
FIXTURE_VARIANT_ADD(fp, xfs) { .dir = "/mnt/xfs" };

/* Create, fill and map a DAX file of FILE_PAGES pages. */
static int dax_file(const char *path, char **map, struct stat *st)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	if (fallocate(fd, 0, 0, FILE_PAGES * ps) || fstat(fd, st))
		goto fail;
	*map = mmap(NULL, FILE_PAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
	if (*map == MAP_FAILED)
		goto fail;
	return fd;
fail:
	close(fd);
	unlink(path);
	return -1;
}

FIXTURE_SETUP(fp)
{
	ps = getpagesize();
	signal(SIGIO, SIG_IGN);
	self->pinfd = -1;
	self->map = MAP_FAILED;
	snprintf(self->path, sizeof(self->path), "%s/file_pins.%d",
		 variant->dir, getpid());
	self->fd = dax_file(self->path, &self->map, &self->st);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", self->path, strerror(errno));
	ASSERT_EQ(0, set_lease(self->fd, EXCL_LEASE));
}

FIXTURE_TEARDOWN(fp)
{
	if (self->pinfd >= 0)
		pin_stop(self->pinfd);
	if (self->map != MAP_FAILED)
		munmap(self->map, FILE_PAGES * ps);
	if (self->fd >= 0)
		close(self->fd);
	unlink(self->path);
}

/* The fixture's pin, as file_pins should show it. */
static struct expect fixture_pin(FIXTURE_DATA(fp) *self, const char *held)
{
	return (struct expect){
		.owner_fd = self->pinfd, .owner = GUP_TEST_FILE, .device = "-",
		.lease = "exclusive", .held = held, .file = self->path,
		.st = &self->st, .first = PIN_FIRST, .pages = PIN_PAGES,
	};
}

static void pin_fixture(struct __test_metadata *_metadata,
			FIXTURE_DATA(fp) *self)
{
	self->pinfd = pin_start(self->map + PIN_FIRST * ps, PIN_PAGES * ps);
	ASSERT_LE(0, self->pinfd) TH_LOG("pin: %s", strerror(-self->pinfd));
}

TEST_F(fp, empty_without_pins)
{
	struct pin_line l[MAX_LINES];

	EXPECT_EQ(0, read_self_pins(l, MAX_LINES));
}

TEST_F(fp, format_one_pin)
{
	struct pin_line l[MAX_LINES];
	struct expect e;
	char want[512], *buf;
	int n;

	pin_fixture(_metadata, self);
	n = read_self_pins(l, MAX_LINES);
	ASSERT_EQ(1, n);
	e = fixture_pin(self, "open");
	EXPECT_TRUE(lines_are(l, n, &e, 1));

	/* And byte for byte. */
	snprintf(want, sizeof(want),
		 "owner_fd=%d owner=%s device=- fsdev=%u:%u ino=%lu range=%d-%d pages=%d lease=exclusive held=open file=%s\n",
		 self->pinfd, GUP_TEST_FILE, major(self->st.st_dev),
		 minor(self->st.st_dev), (unsigned long)self->st.st_ino,
		 PIN_FIRST, PIN_FIRST + PIN_PAGES - 1, PIN_PAGES, self->path);
	buf = read_file("/proc/self/file_pins", NULL);
	ASSERT_NE(NULL, buf);
	EXPECT_STREQ(want, buf);
	free(buf);
}

/*
 * Pins owned by the process's mm (gup_test's VADDR_PIN_MM): owner_fd=-
 * owner=mm, byte for byte; they keep the range as any pin does, and go
 * with PIN_LONGTERM_TEST_STOP.
 */
TEST_F(fp, mm_owner)
{
	unsigned int mm = PIN_LONGTERM_TEST_FLAG_USE_WRITE |
			  PIN_LONGTERM_TEST_FLAG_USE_VADDR_PIN |
			  PIN_LONGTERM_TEST_FLAG_VADDR_PIN_MM;
	long pages = vaddr_pins_held(), files = file_pins_held();
	char want[512], *buf;

	/* The mm owner is a kind of vaddr_pin owner, not another pin API. */
	EXPECT_EQ(-EINVAL, pin_start_flags(self->map, ps,
					   PIN_LONGTERM_TEST_FLAG_VADDR_PIN_MM));
	self->pinfd = pin_start_flags(self->map + PIN_FIRST * ps,
				      PIN_PAGES * ps, mm);
	ASSERT_LE(0, self->pinfd) TH_LOG("pin: %s", strerror(-self->pinfd));
	snprintf(want, sizeof(want),
		 "owner_fd=- owner=mm device=- fsdev=%u:%u ino=%lu range=%d-%d pages=%d lease=exclusive held=open file=%s\n",
		 major(self->st.st_dev), minor(self->st.st_dev),
		 (unsigned long)self->st.st_ino, PIN_FIRST,
		 PIN_FIRST + PIN_PAGES - 1, PIN_PAGES, self->path);
	buf = read_file("/proc/self/file_pins", NULL);
	ASSERT_NE(NULL, buf);
	EXPECT_STREQ(want, buf);
	free(buf);
	EXPECT_EQ(-1, ftruncate(self->fd, (PIN_FIRST + 1) * ps));
	EXPECT_EQ(ETXTBSY, errno);
	EXPECT_EQ(pages + PIN_PAGES, vaddr_pins_held());
	EXPECT_EQ(files + 1, file_pins_held());

	EXPECT_EQ(0, pin_stop(self->pinfd));
	self->pinfd = -1;
	buf = read_file("/proc/self/file_pins", NULL);
	ASSERT_NE(NULL, buf);
	EXPECT_STREQ("", buf);
	free(buf);
	EXPECT_EQ(pages, vaddr_pins_held());
	EXPECT_EQ(files, file_pins_held());
	EXPECT_EQ(0, ftruncate(self->fd, (PIN_FIRST + 1) * ps));
}

/* Space, tab, newline, backslash and '=' in the path are octal escapes. */
TEST_F(fp, escaped_path)
{
	char path[128], want[192];
	struct pin_line l[MAX_LINES];

	snprintf(path, sizeof(path), "%s/a b\tc\nd\\e=f.%d", variant->dir,
		 getpid());
	snprintf(want, sizeof(want), "%s/a\\040b\\011c\\012d\\134e\\075f.%d",
		 variant->dir, getpid());
	ASSERT_EQ(0, rename(self->path, path));
	self->pinfd = pin_start(self->map, ps);
	EXPECT_LE(0, self->pinfd);
	EXPECT_EQ(1, read_self_pins(l, MAX_LINES));
	EXPECT_STREQ(want, l[0].file);
	rename(path, self->path);
}

/*
 * While an fd or a mapping refers to the lease's file: held=open.  After
 * munmap() and close(), in either order, the pins alone hold it: held=pins.
 * The line goes with the pin.
 */
static void zombie(struct __test_metadata *_metadata, FIXTURE_DATA(fp) *self,
		   bool close_first)
{
	struct pin_line l[MAX_LINES];
	struct expect e;

	pin_fixture(_metadata, self);
	if (close_first) {
		ASSERT_EQ(0, close(self->fd));
		self->fd = -1;
	} else {
		ASSERT_EQ(0, munmap(self->map, FILE_PAGES * ps));
		self->map = MAP_FAILED;
	}
	e = fixture_pin(self, "open");
	ASSERT_EQ(1, read_self_pins(l, MAX_LINES));
	EXPECT_TRUE(lines_are(l, 1, &e, 1))
		TH_LOG("the %s still holds it", close_first ? "mapping" : "fd");
	if (close_first) {
		ASSERT_EQ(0, munmap(self->map, FILE_PAGES * ps));
		self->map = MAP_FAILED;
	} else {
		ASSERT_EQ(0, close(self->fd));
		self->fd = -1;
	}
	e = fixture_pin(self, "pins");
	ASSERT_EQ(1, read_self_pins(l, MAX_LINES));
	EXPECT_TRUE(lines_are(l, 1, &e, 1));
	EXPECT_EQ(0, pin_stop(self->pinfd));
	self->pinfd = -1;
	EXPECT_EQ(0, read_self_pins(l, MAX_LINES));
}

TEST_F(fp, zombie_munmap_then_close)
{
	zombie(_metadata, self, false);
}

TEST_F(fp, zombie_close_then_munmap)
{
	zombie(_metadata, self, true);
}

/*
 * One owner, two records under one lease: file pages [0, 3] and [8, 11]
 * mapped next to each other and pinned in one call.  Every line must say
 * held=pins once only the pins hold the file.  (Fails while
 * file_pin_snapshot() takes a file reference per record copied but
 * file_pin_show_owner() allows for one: all lines but the last say open.)
 */
TEST_F(fp, zombie_two_ranges)
{
	struct pin_line l[MAX_LINES];
	struct expect e[2];
	char *map;

	map = mmap(NULL, 8 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_NE(MAP_FAILED, mmap(map + 4 * ps, 4 * ps, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED, self->fd, 8 * ps));
	self->pinfd = pin_start(map, 8 * ps);
	ASSERT_LE(0, self->pinfd) TH_LOG("pin: %s", strerror(-self->pinfd));
	e[0] = fixture_pin(self, "open");
	e[0].first = 0;
	e[0].pages = 4;
	e[1] = e[0];
	e[1].first = 8;
	ASSERT_EQ(2, read_self_pins(l, MAX_LINES));
	EXPECT_TRUE(lines_are(l, 2, e, 2));

	munmap(map, 8 * ps);
	munmap(self->map, FILE_PAGES * ps);
	self->map = MAP_FAILED;
	close(self->fd);
	self->fd = -1;
	e[0].held = e[1].held = "pins";
	ASSERT_EQ(2, read_self_pins(l, MAX_LINES));
	EXPECT_TRUE(lines_are(l, 2, e, 2));
	EXPECT_EQ(0, pin_stop(self->pinfd));
	self->pinfd = -1;
	EXPECT_EQ(0, read_self_pins(l, MAX_LINES));
}

/* ---- task/<tid>/file_pins ---- */

static void *idle_thread(void *arg)
{
	int *tid = arg;
	char c;

	__atomic_store_n(&tid[0], (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	if (read(tid[1], &c, 1) < 0)
		return NULL;
	return NULL;
}

TEST_F(fp, task_file_pins)
{
	char path[96], *whole, *task;
	int pipefd[2], arg[2] = { 0 }, i;
	pthread_t th;

	pin_fixture(_metadata, self);
	ASSERT_EQ(0, pipe(pipefd));
	arg[1] = pipefd[0];
	ASSERT_EQ(0, pthread_create(&th, NULL, idle_thread, arg));
	while (!__atomic_load_n(&arg[0], __ATOMIC_ACQUIRE))
		usleep(1000);

	snprintf(path, sizeof(path), "/proc/%d/file_pins", getpid());
	whole = read_file(path, NULL);
	ASSERT_NE(NULL, whole);
	EXPECT_NE(0, strlen(whole));
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/file_pins",
			 getpid(), i ? arg[0] : getpid());
		task = read_file(path, NULL);
		EXPECT_NE(NULL, task) TH_LOG("%s: %s", path, strerror(errno));
		if (task)
			EXPECT_STREQ(whole, task) TH_LOG("%s", path);
		free(task);
	}
	close(pipefd[1]);
	pthread_join(th, NULL);
	close(pipefd[0]);
	free(whole);
}

/* An owner open under several fds is listed once, under the lowest. */
TEST_F(fp, duplicated_owner_listed_once)
{
	struct pin_line l[MAX_LINES];
	int dups[3], i;

	pin_fixture(_metadata, self);
	for (i = 0; i < 3; i++) {
		dups[i] = fcntl(self->pinfd, F_DUPFD, self->pinfd + 10 + i);
		ASSERT_LE(0, dups[i]);
	}
	ASSERT_EQ(1, read_self_pins(l, MAX_LINES));
	EXPECT_EQ(self->pinfd, l[0].owner_fd);
	for (i = 0; i < 3; i++)
		close(dups[i]);
}

/* Keeps the process alive until its pipe is closed or it is killed. */
static void *wait_on_pipe(void *arg)
{
	char c;

	if (read(*(int *)arg, &c, 1) < 0)
		return NULL;
	return NULL;
}

/*
 * The main thread has exited (pthread_exit()) while another runs: the
 * process's pins are still listed, through the live thread.
 */
TEST_F(fp, main_thread_exited)
{
	struct pin_line l[MAX_LINES];
	int ready[2], hold[2], i;
	char stat[64], *buf, c;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(hold));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* A lease of its own: the parent's does not let it pin. */
		int fd = open(self->path, O_RDWR), pinfd;
		pthread_t th;
		char *map;

		if (fd < 0 || set_lease(fd, F_LAYOUT))
			_exit(1);
		map = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			_exit(2);
		pinfd = pin_start(map, ps);
		if (pinfd < 0 ||
		    pthread_create(&th, NULL, wait_on_pipe, &hold[0]) ||
		    write(ready[1], "r", 1) != 1)
			_exit(3);
		pthread_exit(NULL);
	}
	close(ready[1]);
	close(hold[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	/* Wait for the main thread to be gone: state Z. */
	snprintf(stat, sizeof(stat), "/proc/%d/stat", pid);
	for (i = 0; i < 200; i++) {
		buf = read_file(stat, NULL);
		if (buf && strstr(buf, ") Z ")) {
			free(buf);
			break;
		}
		free(buf);
		usleep(10000);
	}
	EXPECT_LT(i, 200);
	snprintf(stat, sizeof(stat), "/proc/%d/file_pins", pid);
	EXPECT_EQ(1, read_pins(stat, l, MAX_LINES));
	close(hold[1]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(ready[0]);
}

/* ---- permission ---- */

/* Reading path: 0 with content, 100 if empty, else the errno. */
static int read_errno(const char *path)
{
	size_t len;
	char *buf = read_file(path, &len);

	if (!buf)
		return errno;
	free(buf);
	return len ? 0 : 100;
}

TEST_F(fp, other_user_eacces)
{
	char paths[2][96];
	int status, i;
	pid_t pid;

	ASSERT_EQ(0, getuid()) TH_LOG("needs root");
	pin_fixture(_metadata, self);
	snprintf(paths[0], sizeof(paths[0]), "/proc/%d/file_pins", getpid());
	snprintf(paths[1], sizeof(paths[1]), "/proc/%d/task/%d/file_pins",
		 getpid(), getpid());
	for (i = 0; i < 2; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			int fd;
			char c;

			/* Root can read it; nobody cannot. */
			if (read_errno(paths[i]))
				_exit(1);
			fd = open(paths[i], O_RDONLY);
			if (fd < 0 || setgroups(0, NULL) || setgid(65534) ||
			    setuid(65534))
				_exit(2);
			/* Not open it (as maps: no fd to hand to root)... */
			if (open(paths[i], O_RDONLY) >= 0 || errno != EACCES)
				_exit(3);
			/* ...nor read through root's fd. */
			_exit(read(fd, &c, 1) < 0 ? errno : 0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(EACCES, WEXITSTATUS(status))
			TH_LOG("%s as nobody: exit %d (3: open allowed)", paths[i],
			       WEXITSTATUS(status));
	}
}

#define SUID_SLEEP	"/tmp/file_pins_suid_sleep"

/*
 * As nobody, open the file_pins of a child (also nobody) twice, let it
 * exec a setuid-root program, then read: through the first fd before the
 * exec (0 if that works), through the second after it (the errno, 0 if
 * it worked).  Exit status: 10 * first + second, 99 on a setup failure.
 */
static int nobody_reads_across_suid_exec(void)
{
	char path[64], c, comm[64] = "";
	int go[2], before, after, i, r1, r2;
	pid_t child;
	FILE *f;

	/* Dropping root makes a process undumpable: undo that, as login does. */
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
	    prctl(PR_SET_DUMPABLE, 1) || pipe(go))
		return 99;
	child = fork();
	if (child < 0)
		return 99;
	if (!child) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		execl(SUID_SLEEP, "sleep", "30", NULL);
		_exit(2);
	}
	close(go[0]);
	snprintf(path, sizeof(path), "/proc/%d/file_pins", child);
	before = open(path, O_RDONLY);
	after = open(path, O_RDONLY);
	if (before < 0 || after < 0 || write(go[1], "g", 1) != 1)
		return 99;
	r1 = read(before, &c, 1) < 0 ? errno : 0;
	/* Until the exec is done: comm turns into the program's name. */
	snprintf(path, sizeof(path), "/proc/%d/comm", child);
	for (i = 0; i < 500 && strncmp(comm, "file_pins_suid_", 15); i++) {
		usleep(10000);
		f = fopen(path, "r");
		if (!f || !fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		if (f)
			fclose(f);
	}
	r2 = read(after, &c, 1) < 0 ? errno : 0;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return i == 500 ? 98 : 10 * r1 + r2;
}

/*
 * An fd opened while the task was readable stops giving anything once
 * the task execs a setuid program: the check is made again at each read,
 * under exec_update_lock, as for /proc/<pid>/maps.
 */
TEST(suid_exec_eacces)
{
	int status, ret;
	pid_t pid;

	ASSERT_EQ(0, getuid()) TH_LOG("needs root");
	ASSERT_EQ(0, system("cp /bin/sleep " SUID_SLEEP " && chown root:root "
			    SUID_SLEEP " && chmod 4755 " SUID_SLEEP));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(nobody_reads_across_suid_exec());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	unlink(SUID_SLEEP);
	ASSERT_TRUE(WIFEXITED(status));
	ret = WEXITSTATUS(status);
	/*
	 * Readable before the exec (0), EACCES after it: the exit status is
	 * 10 x errno before + errno after (98: no exec, 99: setup failed).
	 */
	EXPECT_EQ(EACCES, ret);
}

/* ---- no kernel pointers ---- */

/*
 * Lines of buf with 0x and 8+ hex digits, or a bare 16-hex-digit word;
 * each is shown, prefixed by what, unless what is NULL.
 */
static int pointer_lines(const char *what, const char *buf)
{
	regex_t hexp, bare;
	char *copy = strdup(buf), *line, *save, shown[1024];
	int bad = 0;

	if (!copy || regcomp(&hexp, "0[xX][0-9a-fA-F]{8,}", REG_EXTENDED | REG_NOSUB) ||
	    regcomp(&bare, "(^|[^0-9A-Za-z_])[0-9a-fA-F]{16,}([^0-9A-Za-z_]|$)",
		    REG_EXTENDED | REG_NOSUB))
		return -1;
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!regexec(&hexp, line, 0, NULL, 0) ||
		    !regexec(&bare, line, 0, NULL, 0)) {
			if (what)
				fprintf(stderr, "# %s: %s\n", what,
					printable(line, shown, sizeof(shown)));
			bad++;
		}
	}
	regfree(&hexp);
	regfree(&bare);
	free(copy);
	return bad;
}

TEST_F(fp, no_kernel_pointers)
{
	const char *files[4] = { "/proc/self/file_pins", "/proc/locks" };
	char fdinfo[2][64], *buf;
	int i;

	/* The checker itself finds what it should. */
	ASSERT_EQ(1, pointer_lines(NULL, "x ffff888003a1c000 y"));
	ASSERT_EQ(1, pointer_lines(NULL, "x=0xffffc900"));
	ASSERT_EQ(0, pointer_lines(NULL, "ino=131 fsdev=259:0 flags:\t0120002"));

	pin_fixture(_metadata, self);
	snprintf(fdinfo[0], sizeof(fdinfo[0]), "/proc/self/fdinfo/%d", self->fd);
	snprintf(fdinfo[1], sizeof(fdinfo[1]), "/proc/self/fdinfo/%d", self->pinfd);
	files[2] = fdinfo[0];
	files[3] = fdinfo[1];
	for (i = 0; i < 4; i++) {
		buf = read_file(files[i], NULL);
		ASSERT_NE(NULL, buf) TH_LOG("%s: %s", files[i], strerror(errno));
		EXPECT_NE(0, strlen(buf)) TH_LOG("%s is empty", files[i]);
		EXPECT_EQ(0, pointer_lines(files[i], buf));
		free(buf);
	}
}

/* ---- fdinfo ---- */

static void expect_fdinfo(struct __test_metadata *_metadata, int fd,
			  const char *lease, const char *pages)
{
	char val[64];

	if (!lease) {
		EXPECT_EQ(NULL, fdinfo_value(fd, "layout_lease", val, sizeof(val)));
		EXPECT_EQ(NULL, fdinfo_value(fd, "layout_pinned_pages", val,
					     sizeof(val)));
		return;
	}
	ASSERT_NE(NULL, fdinfo_value(fd, "layout_lease", val, sizeof(val)));
	EXPECT_STREQ(lease, val);
	ASSERT_NE(NULL, fdinfo_value(fd, "layout_pinned_pages", val, sizeof(val)));
	EXPECT_STREQ(pages, val);
}

TEST_F(fp, fdinfo)
{
	struct pin_line l[MAX_LINES];
	int pin2, other;

	expect_fdinfo(_metadata, self->fd, "exclusive", "0");
	pin_fixture(_metadata, self);
	expect_fdinfo(_metadata, self->fd, "exclusive", "16");
	pin2 = pin_start(self->map + 32 * ps, 4 * ps);
	ASSERT_LE(0, pin2);
	expect_fdinfo(_metadata, self->fd, "exclusive", "20");

	/* Switched in place to breakable: fdinfo and file_pins follow. */
	ASSERT_EQ(0, set_lease(self->fd, F_LAYOUT));
	expect_fdinfo(_metadata, self->fd, "layout", "20");
	ASSERT_EQ(2, read_self_pins(l, MAX_LINES));
	EXPECT_STREQ("layout", l[0].lease);
	EXPECT_STREQ("layout", l[1].lease);

	/* Another open file of the same inode holds no lease. */
	other = open(self->path, O_RDONLY);
	ASSERT_LE(0, other);
	expect_fdinfo(_metadata, other, NULL, NULL);
	close(other);

	EXPECT_EQ(0, pin_stop(pin2));
	expect_fdinfo(_metadata, self->fd, "layout", "16");
	EXPECT_EQ(0, pin_stop(self->pinfd));
	self->pinfd = -1;
	expect_fdinfo(_metadata, self->fd, "layout", "0");
	ASSERT_EQ(0, set_lease(self->fd, F_UNLCK));
	expect_fdinfo(_metadata, self->fd, NULL, NULL);
}

/* ---- RDMA ---- */

struct dfile {
	const char *dir;
	int lease;
	char path[64];
	int fd;
	char *map;
	struct stat st;
};

struct mr_spec {
	int ctx, file;
	unsigned long first, pages;
};

/*
 * Two contexts, three files (one on ext4, two on xfs, one under a
 * breakable lease), five MRs.  Then an MR and a whole context go.
 */
TEST(rdma_mrs)
{
	struct dfile f[3] = {
		{ .dir = "/mnt/ext4", .lease = EXCL_LEASE },
		{ .dir = "/mnt/xfs", .lease = F_LAYOUT },
		{ .dir = "/mnt/xfs", .lease = EXCL_LEASE },
	};
	static const struct mr_spec spec[] = {
		{ 0, 0, 0, 16 }, { 0, 0, 32, 8 }, { 0, 1, 4, 4 },
		{ 1, 2, 0, 1 }, { 1, 1, 16, 16 },
	};
	enum { NR = ARRAY_SIZE(spec) };
	struct rxe r[2] = {};
	struct ibv_mr *mr[NR] = {};
	struct pin_line l[MAX_LINES];
	struct expect e[NR], left[NR];
	char *buf;
	int i, n;

	ps = getpagesize();
	signal(SIGIO, SIG_IGN);
	for (i = 0; i < 3; i++) {
		snprintf(f[i].path, sizeof(f[i].path), "%s/file_pins_mr%d.%d",
			 f[i].dir, i, getpid());
		f[i].fd = dax_file(f[i].path, &f[i].map, &f[i].st);
		ASSERT_LE(0, f[i].fd);
		ASSERT_EQ(0, set_lease(f[i].fd, f[i].lease));
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, rxe_open(&r[i])) TH_LOG("no rxe0");
	ASSERT_NE(r[0].ctx->cmd_fd, r[1].ctx->cmd_fd);
	for (i = 0; i < NR; i++) {
		const struct mr_spec *s = &spec[i];
		struct dfile *d = &f[s->file];

		mr[i] = ibv_reg_mr(r[s->ctx].pd, d->map + s->first * ps,
				   s->pages * ps, RXE_ACCESS);
		ASSERT_NE(NULL, mr[i]) TH_LOG("MR %d: %s", i, strerror(errno));
		e[i] = (struct expect){
			.owner_fd = r[s->ctx].ctx->cmd_fd, .owner = UVERBS,
			.device = "rxe0", .held = "open", .file = d->path,
			.lease = d->lease & F_EXCLUSIVE ? "exclusive" : "layout",
			.st = &d->st, .first = s->first, .pages = s->pages,
		};
	}
	n = read_self_pins(l, MAX_LINES);
	EXPECT_TRUE(lines_are(l, n, e, NR));
	buf = read_file("/proc/self/file_pins", NULL);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(0, pointer_lines("file_pins", buf));
	free(buf);

	/* Deregistering one MR takes its line, only its line. */
	ASSERT_EQ(0, ibv_dereg_mr(mr[1]));
	mr[1] = NULL;
	memcpy(left, e, sizeof(e));
	left[1] = e[NR - 1];
	n = read_self_pins(l, MAX_LINES);
	EXPECT_TRUE(lines_are(l, n, left, NR - 1));
	left[1] = e[2];

	/* Closing the second context (MRs still registered) takes its lines. */
	ibv_close_device(r[1].ctx);
	for (i = 0; i < 30; i++) {	/* released asynchronously? give it 3 s */
		n = read_self_pins(l, MAX_LINES);
		if (n == 2)
			break;
		usleep(100000);
	}
	EXPECT_TRUE(lines_are(l, n, left, 2));

	for (i = 0; i < NR; i++)
		if (mr[i] && spec[i].ctx == 0)
			ibv_dereg_mr(mr[i]);
	rxe_close(&r[0]);
	EXPECT_EQ(0, read_self_pins(l, MAX_LINES));
	for (i = 0; i < 3; i++) {
		munmap(f[i].map, FILE_PAGES * ps);
		close(f[i].fd);
		unlink(f[i].path);
	}
}

/*
 * The device is named as at registration or as now, after the ib device
 * was renamed (rdma dev set NAME name NEW) while the MR was registered.
 * (Fails while the record points at dev_name() of the ib device, which
 * the rename frees: file_pins then prints freed memory.)
 */
FIXTURE(renamed) {
	struct dfile f;
	struct rxe r;
	struct ibv_mr *mr;
	bool renamed;
};

FIXTURE_SETUP(renamed)
{
	ps = getpagesize();
	snprintf(self->f.path, sizeof(self->f.path), "/mnt/xfs/file_pins_rn.%d",
		 getpid());
	self->f.fd = dax_file(self->f.path, &self->f.map, &self->f.st);
	ASSERT_LE(0, self->f.fd);
	ASSERT_EQ(0, set_lease(self->f.fd, EXCL_LEASE));
	ASSERT_EQ(0, rxe_open(&self->r)) TH_LOG("no rxe0");
}

FIXTURE_TEARDOWN(renamed)
{
	if (self->mr)
		ibv_dereg_mr(self->mr);
	rxe_close(&self->r);
	if (self->renamed &&
	    system("{ rdma dev set fp_rxe_b name rxe0 || rdma dev set fp_rxe_a name rxe0 ||"
		   " rdma dev set 'fp rxe=x' name rxe0; } >/dev/null 2>&1"))
		ksft_print_msg("could not rename fp_rxe_b back to rxe0\n");
	munmap(self->f.map, FILE_PAGES * ps);
	close(self->f.fd);
	unlink(self->f.path);
}

TEST_F(renamed, device_renamed)
{
	struct pin_line l[MAX_LINES];
	char *buf, dev[256];
	int n;

	self->mr = ibv_reg_mr(self->r.pd, self->f.map, 4 * ps, RXE_ACCESS);
	ASSERT_NE(NULL, self->mr) TH_LOG("ibv_reg_mr: %s", strerror(errno));
	self->renamed = true;
	ASSERT_EQ(0, system("rdma dev set rxe0 name fp_rxe_a >/dev/null 2>&1 && "
			    "rdma dev set fp_rxe_a name fp_rxe_b >/dev/null 2>&1"));
	buf = read_file("/proc/self/file_pins", NULL);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(0, pointer_lines("file_pins", buf));
	free(buf);
	n = read_self_pins(l, MAX_LINES);
	ASSERT_EQ(1, n);
	EXPECT_TRUE(!strcmp(l[0].device, "rxe0") ||
		    !strcmp(l[0].device, "fp_rxe_b"))
		TH_LOG("device=%s", printable(l[0].device, dev, sizeof(dev)));
}

/*
 * A device name may hold spaces and '=' (RDMA refuses only '%'): escaped
 * as paths are, so that the line still splits into its fields.
 */
TEST_F(renamed, device_name_escaped)
{
	struct pin_line l[MAX_LINES];
	char dev[256];

	self->renamed = true;
	ASSERT_EQ(0, system("rdma dev set rxe0 name 'fp rxe=x' >/dev/null 2>&1"));
	self->mr = ibv_reg_mr(self->r.pd, self->f.map, 4 * ps, RXE_ACCESS);
	ASSERT_NE(NULL, self->mr) TH_LOG("ibv_reg_mr: %s", strerror(errno));
	ASSERT_EQ(1, read_self_pins(l, MAX_LINES));
	EXPECT_STREQ("fp\\040rxe\\075x", l[0].device)
		TH_LOG("device=%s", printable(l[0].device, dev, sizeof(dev)));
	EXPECT_EQ(4, l[0].pages);
}

/* ---- scale ---- */

/*
 * 10,000 one-page MRs of one DAX file, one context: 10,000 lines.  Reading
 * must cost about the same per line at 1,000 and 10,000 records.  Under
 * TCG here: 10,000 registrations in 0.5 s, 1,000 lines read in 21 ms and
 * 10,000 in 210 ms (about 21 us a line both times), the whole test in a
 * few seconds, so no need to register fewer.
 */
#define SCALE_MRS	10000
#define SCALE_SMALL	1000
#define SCALE_READS	5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Best of SCALE_READS reads of file_pins, in seconds; *lines counted. */
static double time_read(int *lines)
{
	double best = 1e9, t;
	size_t len;
	char *buf, *p;
	int i;

	for (i = 0; i < SCALE_READS; i++) {
		t = now();
		buf = read_file("/proc/self/file_pins", &len);
		t = now() - t;
		if (!buf)
			return -1;
		best = t < best ? t : best;
		for (*lines = 0, p = buf; (p = strchr(p, '\n')); p++)
			++*lines;
		free(buf);
	}
	return best;
}

/* Every line is one of our one-page MRs, each page exactly once. */
static bool scale_lines_ok(int cmd_fd, const struct stat *st, const char *path,
			   int nr)
{
	char *buf = read_file("/proc/self/file_pins", NULL), *line, *save;
	unsigned char *seen = calloc(nr, 1);
	struct pin_line l;
	int n = 0, bad = 0;

	if (!buf || !seen)
		return false;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		struct expect e = {
			.owner_fd = cmd_fd, .owner = UVERBS, .device = "rxe0",
			.lease = "exclusive", .held = "open", .file = path,
			.st = st, .pages = 1,
		};

		if (!parse_line(line, &l) || l.first >= nr || seen[l.first]++) {
			bad++;
			continue;
		}
		e.first = l.first;
		bad += !line_is(&l, &e);
	}
	if (bad || n != nr)
		fprintf(stderr, "# %d lines, %d wrong, expected %d\n", n, bad, nr);
	free(seen);
	free(buf);
	return !bad && n == nr;
}

FIXTURE(scale) {
	char path[64];
	int fd;
	char *map;
	struct stat st;
	struct rxe r;
	struct ibv_mr **mr;
	int nr;
};

FIXTURE_SETUP(scale)
{
	ps = getpagesize();
	ASSERT_EQ(0, rxe_open(&self->r)) TH_LOG("no rxe0");
	snprintf(self->path, sizeof(self->path), "/mnt/xfs/file_pins_scale.%d",
		 getpid());
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, fallocate(self->fd, 0, 0, SCALE_MRS * ps));
	ASSERT_EQ(0, fstat(self->fd, &self->st));
	self->map = mmap(NULL, SCALE_MRS * ps, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	ASSERT_EQ(0, set_lease(self->fd, EXCL_LEASE));
	self->mr = calloc(SCALE_MRS, sizeof(*self->mr));
	ASSERT_NE(NULL, self->mr);
}

FIXTURE_TEARDOWN(scale)
{
	double t = now();
	int i;

	for (i = 0; i < self->nr; i++)
		ibv_dereg_mr(self->mr[i]);
	if (self->nr)
		ksft_print_msg("deregistered %d MRs in %.1f s\n", self->nr,
			       now() - t);
	rxe_close(&self->r);
	munmap(self->map, SCALE_MRS * ps);
	close(self->fd);
	unlink(self->path);
	free(self->mr);
}

/* Register MRs up to page nr - 1. */
static bool scale_register(FIXTURE_DATA(scale) *self, int nr)
{
	for (; self->nr < nr; self->nr++) {
		self->mr[self->nr] = ibv_reg_mr(self->r.pd, self->map + self->nr * ps,
						ps, RXE_ACCESS);
		if (!self->mr[self->nr]) {
			fprintf(stderr, "# MR %d: %s\n", self->nr, strerror(errno));
			return false;
		}
	}
	return true;
}

TEST_F_TIMEOUT(scale, ten_thousand_mrs, 300)
{
	struct ibv_device_attr attr;
	double t, t_small, t_big, per_small, per_big;
	int nr = SCALE_MRS, lines;

	ASSERT_EQ(0, ibv_query_device(self->r.ctx, &attr));
	ksft_print_msg("rxe0 max_mr %d\n", attr.max_mr);
	if (attr.max_mr < nr)
		nr = attr.max_mr;
	if (nr < SCALE_MRS)
		ksft_print_msg("max_mr allows only %d MRs\n", nr);
	ASSERT_LE(SCALE_SMALL, nr);

	t = now();
	ASSERT_TRUE(scale_register(self, SCALE_SMALL));
	ksft_print_msg("registered %d MRs in %.1f s\n", SCALE_SMALL, now() - t);
	t_small = time_read(&lines);
	ASSERT_EQ(SCALE_SMALL, lines);
	ASSERT_TRUE(scale_lines_ok(self->r.ctx->cmd_fd, &self->st, self->path,
				   SCALE_SMALL));

	t = now();
	ASSERT_TRUE(scale_register(self, nr));
	ksft_print_msg("registered %d MRs in %.1f s\n", nr, now() - t);
	t_big = time_read(&lines);
	ASSERT_EQ(nr, lines);
	ASSERT_TRUE(scale_lines_ok(self->r.ctx->cmd_fd, &self->st, self->path, nr));

	per_small = t_small / SCALE_SMALL;
	per_big = t_big / nr;
	ksft_print_msg("read %d lines in %.2f ms (%.2f us/line), %d lines in %.2f ms (%.2f us/line), ratio %.2f\n",
		       SCALE_SMALL, t_small * 1e3, per_small * 1e6, nr,
		       t_big * 1e3, per_big * 1e6, per_big / per_small);
	EXPECT_TRUE(per_big <= 3 * per_small)
		TH_LOG("per-line cost grew %.1fx", per_big / per_small);
}

TEST_HARNESS_MAIN
