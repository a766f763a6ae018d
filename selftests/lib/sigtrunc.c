// SPDX-License-Identifier: GPL-2.0
/*
 * sigtrunc: ftruncate(FILE, SIZE) while a SIGALRM with SA_RESTART arrives
 * every INTERVAL_MS, so that a blocking truncate is interrupted and
 * restarted by the kernel again and again.  For fstests/004.  "storm"
 * instead of an interval: a child sends SIGALRM 0-3 ms apart, at any
 * moment, not only at timer ticks as a timer without high resolution does,
 * and the handler takes 2 ms, so that the call is mostly out of its wait
 * (in the handler) when a time limit passes.
 *
 *   sigtrunc FILE SIZE INTERVAL_MS|storm
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t signals;
static long spin_ns;

static long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void on_alarm(int sig)
{
	long end = now_ns() + spin_ns;

	signals++;
	/* A busy handler: the call spends most of its time outside the wait. */
	while (now_ns() < end)
		;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = {};
	struct timespec t0, t1;
	pid_t storm = 0;
	long ms;
	int fd, ret, err;

	if (argc != 4) {
		fprintf(stderr, "usage: sigtrunc FILE SIZE INTERVAL_MS|storm\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	ms = strcmp(argv[3], "storm") ? atol(argv[3]) : 0;
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = ms % 1000 * 1000;
	it.it_interval = it.it_value;
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL)) {
		perror("sigtrunc: timer");
		return 1;
	}
	if (!strcmp(argv[3], "storm")) {
		pid_t parent = getpid();

		spin_ns = 2000000;
		storm = fork();
		if (storm < 0) {
			perror("sigtrunc: fork");
			return 1;
		}
		if (!storm) {
			/*
			 * At random moments 0-3 ms apart, by the clock, not a
			 * tick-bound sleep: sent back to back, the signals
			 * would keep the 2 ms handler running for ever.
			 */
			srand(getpid());
			while (!kill(parent, SIGALRM)) {
				long end = now_ns() + rand() % 3000000;

				while (now_ns() < end)
					;
			}
			_exit(0);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = ftruncate(fd, atoll(argv[2]));
	err = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	if (storm) {
		kill(storm, SIGKILL);
		waitpid(storm, NULL, 0);
	}
	printf("ftruncate: %s\n", ret ? strerror(err) : "ok");
	printf("signals during the call: %s\n", signals ? "yes" : "none");
	printf("seconds=%ld\n", (long)(t1.tv_sec - t0.tv_sec));
	return 0;
}
