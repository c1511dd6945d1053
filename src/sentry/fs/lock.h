/* SPDX-License-Identifier: MIT */
/*
 * fcntl(2) record locks: POSIX locks (owned by a descriptor table, as Linux
 * owns them by files_struct: released when the owner closes any descriptor
 * of the file) and open file description locks (F_OFD_*, owned by the open
 * file, released when its last reference goes), and flock(2) locks (owned by
 * the open file too, never conflicting with record locks). Advisory, per
 * inode, within one sandbox. Everything under the kernel lock.
 */
#pragma once
#include "abi/linux/types.h"

struct task;
struct file;
struct inode;
struct fd_table;

/* struct flock on x86-64 (the same as struct flock64). */
struct linux_flock {
	int16_t l_type;
	int16_t l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
};

/* F_GETLK, F_SETLK, F_SETLKW and their F_OFD_ forms on @f (open at @fd); @arg is the user's struct flock. */
long lock_fcntl(struct task *t, int fd, struct file *f, int cmd, uptr_t arg);

/* flock(2) on @f. */
long lock_flock(struct task *t, struct file *f, int op);

/* @owner closed a descriptor of @i: its POSIX locks on @i go. */
void lock_release_posix(struct inode *i, struct fd_table *owner);
/* The last reference to @f went: its OFD and flock locks go. */
void lock_release_ofd(struct file *f);
/* @i is being freed. */
void lock_inode_free(struct inode *i);
