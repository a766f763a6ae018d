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
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <rdma/ib_umem.h>

#define UMEM_OWNER_BITS 6

static struct hlist_head umem_owners[1 << UMEM_OWNER_BITS];
static DEFINE_SPINLOCK(umem_owners_lock);

static struct hlist_head *umem_owner_bucket(struct task_struct *task)
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
	o->task = current;
	o->filp = filp;
	spin_lock(&umem_owners_lock);
	hlist_add_head(&o->node, umem_owner_bucket(current));
	spin_unlock(&umem_owners_lock);
}

/**
 * ib_umem_owner_exit - end of the command started by ib_umem_owner_enter()
 * @o: the entry
 */
void ib_umem_owner_exit(struct ib_umem_owner *o)
{
	spin_lock(&umem_owners_lock);
	hlist_del(&o->node);
	spin_unlock(&umem_owners_lock);
}

/**
 * ib_umem_owner_current - the uverbs file the current task works for
 *
 * Return: the file, or NULL outside a uverbs command (in-kernel users).
 */
struct file *ib_umem_owner_current(void)
{
	struct ib_umem_owner *o;
	struct file *filp = NULL;

	spin_lock(&umem_owners_lock);
	hlist_for_each_entry(o, umem_owner_bucket(current), node) {
		if (o->task == current) {
			filp = o->filp;
			break;
		}
	}
	spin_unlock(&umem_owners_lock);
	return filp;
}
