// SPDX-License-Identifier: GPL-2.0
/*
 * timed-truncate: ftruncate(FILE, SIZE) (its error, if any, on stderr as
 * "ftruncate: <error>"), then say whether the call returned at once: in
 * under 2 s, against the test's lease-break-time (3 s; 10 s in 005 and
 * 006).  For the fstests scripts, whose truncates must never wait out a
 * lease break.  Only the system call is timed: starting a program in the
 * debug-kernel VM alone can take a second under TCG.
 *
 *   timed-truncate FILE SIZE
 */
#define _GNU_SOURCE
#include "pin_util.h"

int main(int argc, char **argv)
{
	long start, ms;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: timed-truncate FILE SIZE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	start = now_ms();
	if (ftruncate(fd, strtoll(argv[2], NULL, 0)))
		perror("ftruncate");
	ms = now_ms() - start;
	if (ms < 2000)
		printf("returned at once\n");
	else
		printf("returned after %ld ms\n", ms);
	close(fd);
	return 0;
}
