// SPDX-License-Identifier: GPL-2.0
/*
 * rdmademo: register a DAX file with rxe0 under an exclusive layout lease,
 * let a second process RDMA WRITE a text into it, show the file, run a
 * shell command while the MR exists, then deregister.  For 'make demo'.
 *
 *   rdmademo FILE TEXT CMD
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "pin_util.h"
#include "rxe_util.h"

#define LEN (1UL << 20)

static int die(const char *what)
{
	fprintf(stderr, "rdmademo: %s: %s\n", what, strerror(errno));
	return 1;
}

/* The second process: its own context, QP and buffer; writes TEXT. */
static int peer(int sock, const char *text)
{
	struct qp_info me, to;
	struct rxe r = {};
	struct ibv_mr *mr;
	char buf[256];
	size_t len = strlen(text) + 1;

	if (len > sizeof(buf) || rxe_open(&r) || rxe_create_qp(&r) ||
	    rxe_info(&r, &me) || send_all(sock, &me, sizeof(me)) ||
	    recv_all(sock, &to, sizeof(to)) || rxe_connect(&r, &me, &to))
		return die("peer: connect");
	memcpy(buf, text, len);
	mr = ibv_reg_mr(r.pd, buf, sizeof(buf), IBV_ACCESS_LOCAL_WRITE);
	if (!mr || rxe_rdma(&r, IBV_WR_RDMA_WRITE, buf, len, mr->lkey,
			    to.addr, to.rkey))
		return die("peer: RDMA WRITE");
	printf("peer (pid %d): RDMA WRITE of %zu bytes into the MR: done\n",
	       getpid(), len);
	fflush(stdout);
	ibv_dereg_mr(mr);
	rxe_close(&r);
	return send_all(sock, "", 1) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct qp_info me, to;
	struct rxe r = {};
	struct ibv_mr *mr;
	int fd, sv[2], ret;
	char got[256] = "";
	pid_t pid;
	char *map;

	if (argc != 4) {
		fprintf(stderr, "usage: rdmademo FILE TEXT CMD\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT, 0644);
	if (fd < 0 || ftruncate(fd, LEN))
		return die(argv[1]);
	if (set_lease(fd, F_LAYOUT | F_EXCLUSIVE))
		return die("F_SETLEASE");
	printf("fcntl(F_SETLEASE, F_LAYOUT|F_EXCLUSIVE) on %s: ok\n", argv[1]);
	map = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return die("mmap");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return die("socketpair");
	fflush(stdout);
	pid = fork();
	if (!pid) {
		close(sv[0]);
		_exit(peer(sv[1], argv[2]));
	}
	close(sv[1]);

	if (rxe_open(&r) || rxe_create_qp(&r))
		return die("rxe0");
	mr = ibv_reg_mr(r.pd, map, LEN, RXE_ACCESS);
	if (!mr)
		return die("ibv_reg_mr");
	printf("ibv_reg_mr(%s, 1 MiB): ok, rkey 0x%x\n", argv[1], mr->rkey);
	fflush(stdout);
	rxe_info(&r, &me);
	me.addr = (uintptr_t)map;
	me.rkey = mr->rkey;
	if (recv_all(sv[0], &to, sizeof(to)) || send_all(sv[0], &me, sizeof(me)) ||
	    rxe_connect(&r, &me, &to) || recv_all(sv[0], got, 1))
		return die("connect to peer");
	waitpid(pid, NULL, 0);
	if (pread(fd, got, sizeof(got) - 1, 0) < 0)
		return die("pread");
	printf("pread(%s): \"%s\"\n", argv[1], got);
	fflush(stdout);

	ret = system(argv[3]);
	fflush(stdout);
	ibv_dereg_mr(mr);
	printf("ibv_dereg_mr: the pins and the lease's hold on the file are gone\n");
	rxe_close(&r);
	munmap(map, LEN);
	close(fd);
	return WIFEXITED(ret) ? WEXITSTATUS(ret) : 1;
}
