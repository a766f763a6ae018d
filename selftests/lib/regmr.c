// SPDX-License-Identifier: GPL-2.0
/*
 * regmr: try ibv_reg_mr() on rxe0 over anonymous memory or a MAP_SHARED
 * file mapping and say what happened.  For the demo.
 *
 *   regmr anon|FILE [BYTES]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <infiniband/verbs.h>

int main(int argc, char **argv)
{
	size_t len = argc > 2 ? strtoul(argv[2], NULL, 0) : 1 << 20;
	struct ibv_device **list = ibv_get_device_list(NULL);
	struct ibv_context *ctx = NULL;
	int anon = argc > 1 && !strcmp(argv[1], "anon");
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	void *p;
	int fd = -1, i;

	if (argc < 2) {
		fprintf(stderr, "usage: regmr anon|FILE [BYTES]\n");
		return 2;
	}
	for (i = 0; list && list[i]; i++)
		if (!strcmp(ibv_get_device_name(list[i]), "rxe0"))
			ctx = ibv_open_device(list[i]);
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	if (!pd) {
		fprintf(stderr, "regmr: no rxe0\n");
		return 1;
	}
	if (!anon) {
		fd = open(argv[1], O_RDWR | O_CREAT, 0600);
		if (fd < 0 || ftruncate(fd, len)) {
			perror(argv[1]);
			return 1;
		}
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 anon ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	mr = ibv_reg_mr(pd, p, len, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	if (!mr) {
		int err = errno;

		printf("ibv_reg_mr(%s, %zu KiB): FAILED: %s (%s)\n", argv[1],
		       len >> 10, strerror(err),
		       err == EOPNOTSUPP ? "EOPNOTSUPP" :
		       err == EPERM ? "EPERM" : "other");
		return 1;
	}
	printf("ibv_reg_mr(%s, %zu KiB): ok, lkey 0x%x\n", argv[1], len >> 10,
	       mr->lkey);
	ibv_dereg_mr(mr);
	return 0;
}
