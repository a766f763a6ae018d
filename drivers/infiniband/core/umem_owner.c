// SPDX-License-Identifier: GPL-2.0
/*
 * The uverbs file a task is working for, so that ib_umem_get() can name
 * the owner of the pages it pins without a new argument for every driver.
 *
 * The uverbs write() and ioctl() entry points bracket each command with
 * ib_umem_owner_enter()/ib_umem_owner_exit(); ib_umem_get() called from
 * the driver during the command finds the file with
 * ib_umem_owner_current().  No reference is taken and nothing points back
 * from the uverbs file: an entry lives on the stack of the system call
 * that made it, while the file is certainly open.
 */
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/list_bl.h>
#include <linux/sched.h>
#include <rdma/ib_umem.h>

/*
 * Every uverbs command enters and leaves, rxe's ibv_post_send() doorbell
 * included: a lock per bucket, so that tasks seldom share one.
 */
#define UMEM_OWNER_BITS 8

static struct hlist_bl_head umem_owners[1 << UMEM_OWNER_BITS];

static struct hlist_bl_head *umem_owner_bucket(struct task_struct *task)
{
	return &umem_owners[hash_ptr(task, UMEM_OWNER_BITS)];
}

/**
 * ib_umem_owner_enter - the current task works for a uverbs file
 * @o: an entry that lives until ib_umem_owner_exit(), e.g. on the stack
 * @filp: the uverbs file of the command in progress
 */
void ib_umem_owner_enter(struct ib_umem_owner *o, struct file *filp)
{
	struct hlist_bl_head *b = umem_owner_bucket(current);

	o->task = current;
	o->filp = filp;
	hlist_bl_lock(b);
	hlist_bl_add_head(&o->node, b);
	hlist_bl_unlock(b);
}

/**
 * ib_umem_owner_exit - end of the command started by ib_umem_owner_enter()
 * @o: the entry
 */
void ib_umem_owner_exit(struct ib_umem_owner *o)
{
	struct hlist_bl_head *b = umem_owner_bucket(o->task);

	hlist_bl_lock(b);
	hlist_bl_del(&o->node);
	hlist_bl_unlock(b);
}

/**
 * ib_umem_owner_current - the uverbs file the current task works for
 *
 * Return: the file, or NULL outside a uverbs command (in-kernel users).
 */
struct file *ib_umem_owner_current(void)
{
	struct hlist_bl_head *b = umem_owner_bucket(current);
	struct ib_umem_owner *o;
	struct hlist_bl_node *pos;
	struct file *filp = NULL;

	hlist_bl_lock(b);
	hlist_bl_for_each_entry(o, pos, b, node) {
		if (o->task == current) {
			filp = o->filp;
			break;
		}
	}
	hlist_bl_unlock(b);
	return filp;
}
