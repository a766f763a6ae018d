/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few libibverbs calls the pin/ selftests need, looked up with
 * dlopen() at run time: selftests/Makefile links -libverbs only for the
 * groups that name it (LIBS_GROUP), and pin/ is not one of them.  With
 * "LIBS_pin := -libverbs" there, tests could use rxe_util.h instead.
 */
#ifndef IBV_DL_H
#define IBV_DL_H

#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <infiniband/verbs.h>

struct ibv_dl {
	void *lib;
	struct ibv_device **(*get_device_list)(int *num);
	void (*free_device_list)(struct ibv_device **list);
	const char *(*get_device_name)(struct ibv_device *dev);
	struct ibv_context *(*open_device)(struct ibv_device *dev);
	int (*close_device)(struct ibv_context *ctx);
	struct ibv_pd *(*alloc_pd)(struct ibv_context *ctx);
	int (*dealloc_pd)(struct ibv_pd *pd);
	struct ibv_mr *(*reg_mr)(struct ibv_pd *pd, void *addr, size_t len,
				 int access);
	int (*dereg_mr)(struct ibv_mr *mr);
};

/* 0, or -ENOENT when libibverbs or one of its symbols is missing. */
static inline int ibv_dl_load(struct ibv_dl *v)
{
	memset(v, 0, sizeof(*v));
	v->lib = dlopen("libibverbs.so.1", RTLD_NOW);
	if (!v->lib)
		return -ENOENT;
#define IBV_DL_SYM(f) \
	do { \
		v->f = (__typeof__(v->f))dlsym(v->lib, "ibv_" #f); \
		if (!v->f) \
			return -ENOENT; \
	} while (0)
	IBV_DL_SYM(get_device_list);
	IBV_DL_SYM(free_device_list);
	IBV_DL_SYM(get_device_name);
	IBV_DL_SYM(open_device);
	IBV_DL_SYM(close_device);
	IBV_DL_SYM(alloc_pd);
	IBV_DL_SYM(dealloc_pd);
	IBV_DL_SYM(reg_mr);
	IBV_DL_SYM(dereg_mr);
#undef IBV_DL_SYM
	return 0;
}

/* rxe0 opened, with a protection domain. */
struct ibv_dl_dev {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
};

static inline int ibv_dl_open_rxe(const struct ibv_dl *v, struct ibv_dl_dev *d)
{
	struct ibv_device **list = v->get_device_list(NULL);
	int i;

	memset(d, 0, sizeof(*d));
	for (i = 0; list && list[i] && !d->ctx; i++)
		if (!strcmp(v->get_device_name(list[i]), "rxe0"))
			d->ctx = v->open_device(list[i]);
	if (list)
		v->free_device_list(list);
	if (!d->ctx)
		return -ENODEV;
	d->pd = v->alloc_pd(d->ctx);
	return d->pd ? 0 : -ENOMEM;
}

static inline void ibv_dl_close(const struct ibv_dl *v, struct ibv_dl_dev *d)
{
	if (d->pd)
		v->dealloc_pd(d->pd);
	if (d->ctx)
		v->close_device(d->ctx);
	memset(d, 0, sizeof(*d));
}

/* ibv_reg_mr() and at once ibv_dereg_mr(): 0 or -errno. */
static inline int ibv_dl_try_reg(const struct ibv_dl *v, struct ibv_pd *pd,
				 void *addr, size_t len, int access)
{
	struct ibv_mr *mr;

	errno = 0;
	mr = v->reg_mr(pd, addr, len, access);
	if (!mr)
		return errno ? -errno : -EIO;
	v->dereg_mr(mr);
	return 0;
}

#endif
