// SPDX-License-Identifier: GPL-2.0
/*
 * sigtrunc: ftruncate(FILE, SIZE) while a SIGALRM with SA_RESTART arrives
 * every INTERVAL_MS, so that a blocking truncate is interrupted and
 * restarted by the kernel again and again.  For fstests/004.
 *
 *   sigtrunc FILE SIZE INTERVAL_MS
 *
 * Prints the result, whether a signal arrived during the call, and the
 * whole seconds the call took; exits 0 when it returned at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t signals;

static void on_alarm(int sig)
{
	signals++;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = {};
	struct timespec t0, t1;
	long ms;
	int fd, ret, err;

	if (argc != 4) {
		fprintf(stderr, "usage: sigtrunc FILE SIZE INTERVAL_MS\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	ms = atol(argv[3]);
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = ms % 1000 * 1000;
	it.it_interval = it.it_value;
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL)) {
		perror("sigtrunc: timer");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = ftruncate(fd, atoll(argv[2]));
	err = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	printf("ftruncate: %s\n", ret ? strerror(err) : "ok");
	printf("signals during the call: %s\n", signals ? "yes" : "none");
	printf("seconds=%ld\n", (long)(t1.tv_sec - t0.tv_sec));
	return 0;
}
