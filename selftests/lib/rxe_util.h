/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rxe0 verbs helpers for the selftests and demo tools: open the device,
 * make an RC QP, connect two processes through rxe0 (GID index 0), run
 * one RDMA operation with a timeout, pass fds over unix sockets.
 */
#ifndef RXE_UTIL_H
#define RXE_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <infiniband/verbs.h>

#ifndef CQ_TIMEOUT_MS
#define CQ_TIMEOUT_MS	10000
#endif
#define RXE_ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
			 IBV_ACCESS_REMOTE_READ)

struct rxe {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
};

/* What a side tells its peer to connect (and, for the MR owner, where). */
struct qp_info {
	uint32_t qpn, psn, rkey;
	uint64_t addr;
	union ibv_gid gid;
};

static inline int rxe_open(struct rxe *r)
{
	struct ibv_device **list = ibv_get_device_list(NULL);
	int i;

	for (i = 0; list && list[i] && !r->ctx; i++)
		if (!strcmp(ibv_get_device_name(list[i]), "rxe0"))
			r->ctx = ibv_open_device(list[i]);
	if (list)
		ibv_free_device_list(list);
	if (!r->ctx)
		return -ENODEV;
	r->pd = ibv_alloc_pd(r->ctx);
	return r->pd ? 0 : -ENOMEM;
}

static inline int rxe_create_qp(struct rxe *r)
{
	struct ibv_qp_init_attr attr = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};

	r->cq = ibv_create_cq(r->ctx, 8, NULL, NULL, 0);
	if (!r->cq)
		return -ENOMEM;
	attr.send_cq = attr.recv_cq = r->cq;
	r->qp = ibv_create_qp(r->pd, &attr);
	return r->qp ? 0 : -ENOMEM;
}

static inline int rxe_info(struct rxe *r, struct qp_info *me)
{
	memset(me, 0, sizeof(*me));
	me->qpn = r->qp->qp_num;
	me->psn = (getpid() * 2654435761u) & 0xffffff;
	return ibv_query_gid(r->ctx, 1, 0, &me->gid) ? -EIO : 0;
}

/* RESET -> INIT -> RTR -> RTS, connected to the QP "to" through GID
 * index 0 of port 1. */
static inline int rxe_connect(struct rxe *r, const struct qp_info *me,
		       const struct qp_info *to)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT, .port_num = 1,
		.qp_access_flags = RXE_ACCESS,
	};

	if (ibv_modify_qp(r->qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			  IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		return -EIO;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = to->qpn;
	a.rq_psn = to->psn;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.is_global = 1;
	a.ah_attr.port_num = 1;
	a.ah_attr.grh.dgid = to->gid;
	a.ah_attr.grh.sgid_index = 0;
	a.ah_attr.grh.hop_limit = 1;
	if (ibv_modify_qp(r->qp, &a, IBV_QP_STATE | IBV_QP_AV |
			  IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			  IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return -EIO;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.sq_psn = me->psn;
	a.max_rd_atomic = 1;
	if (ibv_modify_qp(r->qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
			  IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
			  IBV_QP_MAX_QP_RD_ATOMIC))
		return -EIO;
	return 0;
}

/* One signaled RDMA WRITE or READ, completed within CQ_TIMEOUT_MS. */
static inline int rxe_rdma(struct rxe *r, enum ibv_wr_opcode op, void *buf,
		    uint32_t len, uint32_t lkey, uint64_t raddr, uint32_t rkey)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)buf, .length = len, .lkey = lkey,
	};
	struct ibv_send_wr wr = {
		.wr_id = 1, .sg_list = &sge, .num_sge = 1, .opcode = op,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.rdma = { .remote_addr = raddr, .rkey = rkey },
	}, *bad;
	struct ibv_wc wc;
	int ms, n;

	if (ibv_post_send(r->qp, &wr, &bad))
		return -EIO;
	for (ms = 0; ms < CQ_TIMEOUT_MS; ms++) {
		n = ibv_poll_cq(r->cq, 1, &wc);
		if (n < 0)
			return -EIO;
		if (n) {
			if (wc.status == IBV_WC_SUCCESS)
				return 0;
			fprintf(stderr, "# completion: %s\n",
				ibv_wc_status_str(wc.status));
			return -EIO;
		}
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static inline void rxe_close(struct rxe *r)
{
	if (r->qp)
		ibv_destroy_qp(r->qp);
	if (r->cq)
		ibv_destroy_cq(r->cq);
	if (r->pd)
		ibv_dealloc_pd(r->pd);
	if (r->ctx)
		ibv_close_device(r->ctx);
	memset(r, 0, sizeof(*r));
}

/* ---- talking to child processes over a unix socketpair ---- */

static inline int send_all(int sock, const void *buf, size_t len)
{
	return send(sock, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -EIO;
}

static inline int recv_all(int sock, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(sock, (char *)buf + done, len - done);
		if (n <= 0)
			return -EIO;
		done += n;
	}
	return 0;
}

/* Block until the other side closes its end (or writes). */
static inline void wait_peer(int sock)
{
	char c;

	if (read(sock, &c, 1) < 0)
		return;
}

static inline int send_fd(int sock, int fd)
{
	char c = 'F';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -EIO;
}

static inline int recv_fd(int sock)
{
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Exit status of a child, 128 + signal if killed, -1 on error. */
static inline int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

#endif
