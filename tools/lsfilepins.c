// SPDX-License-Identifier: GPL-2.0
/*
 * lsfilepins: list long-term pins of FS-DAX file memory (RDMA memory
 * registrations, gup_test pins), in the style of lslocks.  Reads
 * /proc/PID/file_pins of every process, or of one (-p), and shows one row
 * per pinned file range.  With a FILE argument only the pins of that file
 * (same st_dev and st_ino) are shown: "who pins this file?" after a
 * truncate failed with ETXTBSY.
 *
 * Exit status: 0 when every process could be read (pins found or not),
 * 1 on a usage error (bad option, column, PID or FILE) or when the output
 * could not be written, 2 when the pins of some process could not be read
 * (each such process is named on stderr with the reason) or the kernel
 * has no file_pins.  Processes that exit meanwhile, and kernel threads
 * (no pins; only root may read them), are skipped silently.
 *
 * Build: gcc -O2 -Wall -o lsfilepins lsfilepins.c (make tools).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	C_PID, C_COMMAND, C_OWNER, C_DEVICE, C_DEVINO, C_RANGE, C_PAGES,
	C_LEASE, C_HELD, C_FILE, NR_COLS
};

static const struct column {
	const char *name, *help;
	bool number;		/* right-aligned, a JSON number */
} columns[NR_COLS] = {
	[C_PID]     = { "PID", "process ID", true },
	[C_COMMAND] = { "COMMAND", "command name of the process" },
	[C_OWNER]   = { "OWNER", "owning file:fd (\"uverbs0:4\", \"uverbs0:map\" if mapped), \"mm\"" },
	[C_DEVICE]  = { "DEVICE", "device the pins serve (e.g. rxe0), \"-\" if none" },
	[C_DEVINO]  = { "DEV:INO", "major:minor:inode of the pinned file" },
	[C_RANGE]   = { "RANGE", "first-last pinned page offset in the file" },
	[C_PAGES]   = { "PAGES", "pages still pinned", true },
	[C_LEASE]   = { "LEASE", "layout lease: layout (breakable) or exclusive" },
	[C_HELD]    = { "HELD", "lease kept by: open (fd or mapping) or pins (zombie)" },
	[C_FILE]    = { "FILE", "path of the pinned file" },
};

static const int default_cols[] = {
	C_PID, C_COMMAND, C_OWNER, C_DEVICE, C_DEVINO, C_RANGE, C_PAGES,
	C_LEASE, C_HELD, C_FILE,
};

static int cols[NR_COLS], nr_cols;

struct row {
	char *val[NR_COLS];
};

static struct row *rows;
static size_t nr_rows, max_rows;

static void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p) {
		perror("lsfilepins");
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xmalloc(strlen(s) + 1), s);
}

/* Undo the kernel's \ooo escapes (space, tab, newline, backslash, '='). */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0');
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
	return out;
}

/* Read a whole (proc) file; NULL with errno set on failure. */
static char *read_all(const char *path)
{
	size_t len = 0, size = 8192;
	char *buf = xmalloc(size);
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	while ((n = read(fd, buf + len, size - len - 1)) > 0) {
		len += n;
		if (size - len < 4096) {
			size *= 2;
			buf = realloc(buf, size);
			if (!buf) {
				perror("lsfilepins");
				exit(1);
			}
		}
	}
	if (n < 0)
		goto fail;
	close(fd);
	buf[len] = 0;
	return buf;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = err;
	return NULL;
}

/* Match of the FILE argument. */
static bool by_file;
static unsigned int file_major, file_minor;
static unsigned long file_ino;

/* The keys of a /proc/PID/file_pins line, in the kernel's order. */
enum {
	K_FD, K_OWNER, K_DEVICE, K_FSDEV, K_INO, K_RANGE, K_PAGES, K_LEASE,
	K_HELD, K_FILE, NR_KEYS
};

static const char *const keys[NR_KEYS] = {
	"owner_fd", "owner", "device", "fsdev", "ino", "range", "pages",
	"lease", "held", "file",
};

/* Add a row for one line of /proc/PID/file_pins, if it passes the filter. */
static void add_line(const char *pid, const char *comm, char *line)
{
	const char *v[NR_KEYS] = { "-", "", "-", "?", "?", "?", "?", "?", "?", "?" };
	char *tok, *save, *val, buf[64];
	unsigned int maj, min;
	struct row *r;
	int k;

	/* Unknown keys are ignored, missing ones shown as "?". */
	for (tok = strtok_r(line, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		val = strchr(tok, '=');
		if (!val)
			continue;
		*val++ = 0;
		for (k = 0; k < NR_KEYS; k++)
			if (!strcmp(tok, keys[k]))
				v[k] = val;
	}
	if (by_file && (sscanf(v[K_FSDEV], "%u:%u", &maj, &min) != 2 ||
			maj != file_major || min != file_minor ||
			strtoul(v[K_INO], NULL, 10) != file_ino))
		return;

	if (nr_rows == max_rows) {
		max_rows = max_rows ? 2 * max_rows : 64;
		rows = realloc(rows, max_rows * sizeof(*rows));
		if (!rows) {
			perror("lsfilepins");
			exit(1);
		}
	}
	r = &rows[nr_rows++];
	r->val[C_PID] = xstrdup(pid);
	r->val[C_COMMAND] = xstrdup(comm);
	if (!strcmp(v[K_FD], "-")) {
		r->val[C_OWNER] = xstrdup("mm");
	} else {
		char *path = unescape(v[K_OWNER]), *base = strrchr(path, '/');
		size_t len;

		base = base ? base + 1 : path;
		/* "uverbs0:3"; owner_fd=map: "uverbs0:map", only mapped */
		len = strlen(base) + strlen(v[K_FD]) + 2;
		r->val[C_OWNER] = xmalloc(len);
		snprintf(r->val[C_OWNER], len, "%s:%s", base, v[K_FD]);
		free(path);
	}
	r->val[C_DEVICE] = unescape(v[K_DEVICE]);
	snprintf(buf, sizeof(buf), "%s:%s", v[K_FSDEV], v[K_INO]);
	r->val[C_DEVINO] = xstrdup(buf);
	r->val[C_RANGE] = xstrdup(v[K_RANGE]);
	r->val[C_PAGES] = xstrdup(v[K_PAGES]);
	r->val[C_LEASE] = xstrdup(v[K_LEASE]);
	r->val[C_HELD] = xstrdup(v[K_HELD]);
	r->val[C_FILE] = unescape(v[K_FILE]);
}

#define PF_KTHREAD 0x00200000	/* include/linux/sched.h, /proc/PID/stat */

/* Is @pid a kernel thread?  It has no files or mm to pin. */
static bool is_kthread(const char *pid)
{
	char path[64], *stat, *p;
	unsigned int flags = 0;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	stat = read_all(path);
	p = stat ? strrchr(stat, ')') : NULL;
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %u", &flags) != 1)
		flags = 0;
	free(stat);
	return flags & PF_KTHREAD;
}

/*
 * Read the pins of one process.  Returns 0, or 1 if the process could not
 * be read for a reason other than having gone away (reported on stderr).
 * Kernel threads, which only root may read, are passed over.
 */
static int read_pid(const char *pid)
{
	char path[64], *comm, *pins, *line, *save;
	int err, try;

	snprintf(path, sizeof(path), "/proc/%s/file_pins", pid);
	/* The kernel fails a listing it cannot make whole: ask again. */
	for (try = 0; try < 3; try++) {
		pins = read_all(path);
		err = errno;
		if (pins || err != ENOMEM)
			break;
	}
	if (!pins && err == EACCES && is_kthread(pid))
		return 0;
	if (pins && !*pins) {
		free(pins);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	comm = read_all(path);
	if (comm)
		comm[strcspn(comm, "\n")] = 0;
	if (!pins) {
		if (err != ENOENT && err != ESRCH)
			fprintf(stderr, "lsfilepins: skipped pid %s (%s): %s\n",
				pid, comm ? comm : "?", strerror(err));
		free(comm);
		return err != ENOENT && err != ESRCH;
	}
	for (line = strtok_r(pins, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		add_line(pid, comm ? comm : "?", line);
	free(comm);
	free(pins);
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	long x = atol(*(char *const *)a), y = atol(*(char *const *)b);

	return x < y ? -1 : x > y;
}

/* Read every process, in PID order; returns the number skipped. */
static int read_all_pids(void)
{
	char **pids = NULL;
	size_t n = 0, max = 0, i;
	struct dirent *d;
	int skipped = 0;
	DIR *dir = opendir("/proc");

	if (!dir) {
		perror("lsfilepins: /proc");
		exit(1);
	}
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		if (n == max) {
			max = max ? 2 * max : 256;
			pids = realloc(pids, max * sizeof(*pids));
			if (!pids) {
				perror("lsfilepins");
				exit(1);
			}
		}
		pids[n++] = xstrdup(d->d_name);
	}
	closedir(dir);
	qsort(pids, n, sizeof(*pids), cmp_pid);
	for (i = 0; i < n; i++) {
		skipped += read_pid(pids[i]);
		free(pids[i]);
	}
	free(pids);
	return skipped;
}

/*
 * Length of the valid UTF-8 sequence at @s (1-4), or 0 for a byte that
 * starts none (stray, overlong, a surrogate or beyond U+10FFFF).
 */
static int utf8_len(const unsigned char *s)
{
	unsigned int c;
	int n, i;

	if (s[0] < 0x80)
		return 1;
	n = s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 :
	    s[0] < 0xf5 ? 4 : 0;
	if (!n)
		return 0;
	c = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

/* Length of the character at @s if shown as is, 0 if it is escaped. */
static int shown_len(const unsigned char *s)
{
	int n = utf8_len(s);

	/* The escape character too: a name "a\x0a" is not "a" + newline. */
	if (n == 1 && (s[0] < 0x20 || s[0] == 0x7f || s[0] == '\\'))
		return 0;
	if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)	/* C1 controls */
		return 0;
	return n;
}

/* Columns a value takes in the table (one per character). */
static int safe_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int cols = 0, n;

	while (*s) {
		n = shown_len(s);
		cols += n ? 1 : 4;
		s += n ? n : 1;
	}
	return cols;
}

/*
 * A value for the table, padded to @width: control characters and bytes
 * that are not UTF-8 as \xHH, like lslocks.
 */
static void put_safe(const char *str, int width, bool right)
{
	const unsigned char *s = (const unsigned char *)str;
	int pad = width - safe_len(str), n;

	if (right && pad > 0)
		printf("%*s", pad, "");
	while (*s) {
		n = shown_len(s);
		if (n)
			fwrite(s, 1, n, stdout);
		else
			printf("\\x%02x", *s);
		s += n ? n : 1;
	}
	if (!right && pad > 0)
		printf("%*s", pad, "");
}

static void print_table(bool header)
{
	int width[ARRAY_SIZE(cols)], i;
	size_t r;

	for (i = 0; i < nr_cols; i++) {
		width[i] = header ? strlen(columns[cols[i]].name) : 0;
		for (r = 0; r < nr_rows; r++)
			if (safe_len(rows[r].val[cols[i]]) > width[i])
				width[i] = safe_len(rows[r].val[cols[i]]);
	}
	if (header) {
		for (i = 0; i < nr_cols; i++) {
			bool last = i == nr_cols - 1;

			printf(columns[cols[i]].number ? "%*s" : "%-*s",
			       last && !columns[cols[i]].number ? 0 : width[i],
			       columns[cols[i]].name);
			putchar(last ? '\n' : ' ');
		}
	}
	for (r = 0; r < nr_rows; r++) {
		for (i = 0; i < nr_cols; i++) {
			bool last = i == nr_cols - 1, num = columns[cols[i]].number;

			put_safe(rows[r].val[cols[i]],
				 last && !num ? 0 : width[i], num);
			putchar(last ? '\n' : ' ');
		}
	}
}

/* JSON is UTF-8: a byte that is not becomes U+FFFD. */
static void put_json_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	putchar('"');
	for (; *s; s += n ? n : 1) {
		n = utf8_len(s);
		if (!n)
			fputs("\\ufffd", stdout);
		else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
			printf("\\u%04x", s[1]);	/* C1 controls */
		else if (n == 3 && s[0] == 0xe2 && s[1] == 0x80 &&
			 (s[2] == 0xa8 || s[2] == 0xa9))
			printf("\\u%04x", 0x2000 | (s[2] & 0x3f));	/* U+2028/9 */
		else if (n > 1)
			fwrite(s, 1, n, stdout);
		else if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_json(void)
{
	size_t r;
	int i;

	printf("{\n   \"filepins\": [");
	for (r = 0; r < nr_rows; r++) {
		printf("%s\n      {", r ? "," : "");
		for (i = 0; i < nr_cols; i++) {
			const struct column *c = &columns[cols[i]];
			const char *v = rows[r].val[cols[i]];
			char *lower = xstrdup(c->name), *p;

			for (p = lower; *p; p++)
				*p = tolower((unsigned char)*p);
			printf("%s\"%s\": ", i ? ", " : "", lower);
			free(lower);
			if (c->number && *v && strspn(v, "0123456789") == strlen(v))
				fputs(v, stdout);
			else if (cols[i] == C_DEVICE && !strcmp(v, "-"))
				fputs("null", stdout);
			else
				put_json_string(v);
		}
		putchar('}');
	}
	printf("%s]\n}\n", nr_rows ? "\n   " : "");
}

/* Parse -o LIST: each column at most once. */
static bool parse_columns(const char *list)
{
	char *copy, *tok, *save;
	bool ok = true;
	int i, j;

	nr_cols = 0;
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok && ok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NR_COLS; i++)
			if (!strcasecmp(tok, columns[i].name))
				break;
		for (j = 0; j < nr_cols && i < NR_COLS; j++)
			if (cols[j] == i)
				break;
		if (i == NR_COLS) {
			fprintf(stderr, "lsfilepins: unknown column: %s\n", tok);
			ok = false;
		} else if (j < nr_cols) {
			fprintf(stderr, "lsfilepins: column twice: %s\n", tok);
			ok = false;
		} else {
			cols[nr_cols++] = i;
		}
	}
	free(copy);
	if (ok && !nr_cols) {
		fprintf(stderr, "lsfilepins: no columns\n");
		ok = false;
	}
	return ok;
}

static void usage(FILE *out)
{
	int i;

	fprintf(out,
"Usage: lsfilepins [options] [FILE]\n"
"\n"
"List long-term pins of FS-DAX file memory (RDMA memory registrations and\n"
"other vaddr_pin_pages() users) from /proc/PID/file_pins.  With FILE, only\n"
"the pins of that file: who pins it (truncate fails with ETXTBSY)?\n"
"\n"
"Options:\n"
" -p, --pid PID          only the pins of that process\n"
" -o, --output LIST      columns to show, comma separated, each once\n"
" -J, --json             JSON output: {\"filepins\": [{...}, ...]}\n"
" -n, --noheadings       no header line\n"
" -h, --help             this help\n"
"\n"
"Columns (all shown by default):\n");
	for (i = 0; i < NR_COLS; i++)
		fprintf(out, " %8s  %s\n", columns[i].name, columns[i].help);
	fprintf(out,
"\n"
"HELD \"pins\" is a zombie lease: its file was closed and unmapped, and only\n"
"the pins keep it (and the lease) alive until they go.\n"
"\n"
"Exit status: 0 all processes read (pins found or none), 1 usage error\n"
"(option, column, PID or FILE) or failed output, 2 some processes could\n"
"not be read (each is named on stderr; run as root to see every pin) or\n"
"a kernel without /proc/PID/file_pins.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'J' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool json = false, header = true;
	const char *pid = NULL, *outlist = NULL;
	int opt, skipped;
	struct stat st;
	char *end;

	memcpy(cols, default_cols, sizeof(default_cols));
	nr_cols = ARRAY_SIZE(default_cols);
	while ((opt = getopt_long(argc, argv, "p:o:Jnh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pid = optarg;
			if (!*pid || strtol(pid, &end, 10) <= 0 || *end) {
				fprintf(stderr, "lsfilepins: bad PID: %s\n", pid);
				return 1;
			}
			break;
		case 'o':
			outlist = optarg;
			break;
		case 'J':
			json = true;
			break;
		case 'n':
			header = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (outlist && !parse_columns(outlist))
		return 1;
	if (argc - optind > 1) {
		usage(stderr);
		return 1;
	}
	if (argc - optind == 1) {
		if (stat(argv[optind], &st)) {
			fprintf(stderr, "lsfilepins: %s: %s\n", argv[optind],
				strerror(errno));
			return 1;
		}
		by_file = true;
		file_major = major(st.st_dev);
		file_minor = minor(st.st_dev);
		file_ino = st.st_ino;
	}

	/* Without it every process would look gone, and nothing pinned. */
	if (access("/proc/self/file_pins", R_OK)) {
		fprintf(stderr, "lsfilepins: /proc/self/file_pins: %s (kernel without file pins?)\n",
			strerror(errno));
		return 2;
	}
	if (pid) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%s", pid);
		if (access(path, F_OK)) {
			fprintf(stderr, "lsfilepins: no process %s\n", pid);
			return 1;
		}
		skipped = read_pid(pid);
	} else {
		skipped = read_all_pids();
	}

	/* Like lslocks, no table at all (not even a header) without rows. */
	if (json)
		print_json();
	else if (nr_rows)
		print_table(header);
	if (fflush(stdout) || ferror(stdout)) {
		perror("lsfilepins: write");
		return 1;
	}
	return skipped ? 2 : 0;
}
