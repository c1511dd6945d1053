// SPDX-License-Identifier: MIT
/* Namespace operations: getcwd, chdir, fchdir, mkdir(at), rmdir, unlink(at), rename(at,at2),
 * symlink(at), link(at), mknod(at), chmod family, chown family, umask. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "sentry/fs/vfs.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

/* getcwd(2) */
long sys_getcwd(struct task *t, const struct syscall_args *a)
{
	char buf[PATH_MAX_LEN];
	int len = path_to_string(&t->fs->cwd, &t->fs->root, buf, sizeof(buf));

	if (len < 0)
		return len;
	if (t->fs->cwd.dentry->unlinked)
		return -ENOENT;
	if ((uint64_t)len + 1 > arg_u64(a, 1))
		return -ERANGE;
	return copy_out(t, arg_uptr(a, 0), buf, len + 1) ? -EFAULT : len + 1;
}

static long set_cwd(struct task *t, struct path *p)
{
	int err;

	if (!S_ISDIR(p->dentry->inode->mode)) {
		path_put(p);
		return -ENOTDIR;
	}
	err = inode_permission(t, p->dentry->inode, MAY_EXEC);
	if (err) {
		path_put(p);
		return err;
	}
	path_put(&t->fs->cwd);
	t->fs->cwd = *p;
	return 0;
}

/* chdir(2) */
long sys_chdir(struct task *t, const struct syscall_args *a)
{
	struct path p;
	int err = path_lookup_user(t, AT_FDCWD, arg_uptr(a, 0), LOOKUP_FOLLOW, &p);

	return err ? err : set_cwd(t, &p);
}

/* fchdir(2) */
long sys_fchdir(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	struct path p;

	if (!f)
		return -EBADF;
	if (!f->path.dentry) {
		file_put(f);
		return -ENOTDIR;
	}
	p = f->path;
	path_get(&p);
	file_put(f);
	return set_cwd(t, &p);
}

/* Resolve the parent of a user path for a create/remove; @last gets the final name. */
static int user_parent(struct task *t, int dirfd, uptr_t upath, struct path *parent, char *last, bool *trailing)
{
	char *name = malloc(PATH_MAX_LEN);
	long len;
	int err;

	if (!name)
		return -ENOMEM;
	len = copy_string_in(t, name, upath, PATH_MAX_LEN);
	err = len < 0 ? (int)len : path_lookup_parent(t, dirfd, name, parent, last, trailing);
	free(name);
	return err;
}

static int may_modify_dir(struct task *t, struct path *dir)
{
	if (dir->mnt->flags & MS_RDONLY)
		return -EROFS;
	return inode_permission(t, dir->dentry->inode, MAY_WRITE | MAY_EXEC);
}

static long do_mknodat(struct task *t, int dirfd, uptr_t upath, uint32_t mode, uint64_t dev)
{
	char last[NAME_MAX_LEN + 1];
	struct path parent;
	bool trailing;
	int err = user_parent(t, dirfd, upath, &parent, last, &trailing);

	if (err)
		return err;
	if (!S_ISDIR(mode) && trailing)
		err = -ENOENT;
	else if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		err = -EEXIST;
	else
		err = may_modify_dir(t, &parent);
	if (!err && !parent.dentry->inode->iops->mknod)
		err = -EPERM;
	if (!err)
		err = parent.dentry->inode->iops->mknod(parent.dentry, last, mode, dev, t, NULL);
	path_put(&parent);
	return err;
}

/* mkdir(2) */
long sys_mkdir(struct task *t, const struct syscall_args *a)
{
	return do_mknodat(t, AT_FDCWD, arg_uptr(a, 0), S_IFDIR | (arg_mode(a, 1) & 07777 & ~t->fs->umask), 0);
}

/* mkdirat(2) */
long sys_mkdirat(struct task *t, const struct syscall_args *a)
{
	return do_mknodat(t, arg_int(a, 0), arg_uptr(a, 1), S_IFDIR | (arg_mode(a, 2) & 07777 & ~t->fs->umask), 0);
}

static long mknod_checked(struct task *t, int dirfd, uptr_t upath, uint32_t mode, uint64_t dev)
{
	uint32_t type = mode & S_IFMT;

	if (type == 0)
		type = S_IFREG;
	if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR && type != S_IFBLK)
		return -EINVAL;
	if ((type == S_IFCHR || type == S_IFBLK) && t->cred.euid != 0)
		return -EPERM;
	return do_mknodat(t, dirfd, upath, type | (mode & 07777 & ~t->fs->umask), dev);
}

/* mknod(2) */
long sys_mknod(struct task *t, const struct syscall_args *a)
{
	return mknod_checked(t, AT_FDCWD, arg_uptr(a, 0), arg_mode(a, 1), arg_u64(a, 2));
}

/* mknodat(2) */
long sys_mknodat(struct task *t, const struct syscall_args *a)
{
	return mknod_checked(t, arg_int(a, 0), arg_uptr(a, 1), arg_mode(a, 2), arg_u64(a, 3));
}

static long do_remove(struct task *t, int dirfd, uptr_t upath, bool dir)
{
	char last[NAME_MAX_LEN + 1];
	struct path parent;
	struct dentry *victim;
	bool trailing;
	int err = user_parent(t, dirfd, upath, &parent, last, &trailing);

	if (err)
		return err;
	if (strcmp(last, ".") == 0) {
		err = dir ? -EINVAL : -EISDIR;
		goto out;
	}
	if (strcmp(last, "..") == 0) {
		err = dir ? -ENOTEMPTY : -EISDIR;
		goto out;
	}
	err = may_modify_dir(t, &parent);
	if (err)
		goto out;
	err = lookup_one(&parent, last, &victim);
	if (err)
		goto out;
	if (victim->mounts_here)
		err = -EBUSY;
	else if (dir)
		err = parent.dentry->inode->iops->rmdir ? parent.dentry->inode->iops->rmdir(parent.dentry, victim) : -EPERM;
	else if (trailing && !S_ISDIR(victim->inode->mode))
		err = -ENOTDIR;
	else
		err = parent.dentry->inode->iops->unlink ? parent.dentry->inode->iops->unlink(parent.dentry, victim) : -EPERM;
	dput(victim);
out:
	path_put(&parent);
	return err;
}

/* rmdir(2) */
long sys_rmdir(struct task *t, const struct syscall_args *a)
{
	return do_remove(t, AT_FDCWD, arg_uptr(a, 0), true);
}

/* unlink(2) */
long sys_unlink(struct task *t, const struct syscall_args *a)
{
	return do_remove(t, AT_FDCWD, arg_uptr(a, 0), false);
}

/* unlinkat(2) */
long sys_unlinkat(struct task *t, const struct syscall_args *a)
{
	int flags = arg_int(a, 2);

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return do_remove(t, arg_int(a, 0), arg_uptr(a, 1), flags & AT_REMOVEDIR);
}

static long do_renameat2(struct task *t, int olddfd, uptr_t uold, int newdfd, uptr_t unew, unsigned flags)
{
	char oldlast[NAME_MAX_LEN + 1], newlast[NAME_MAX_LEN + 1];
	struct path oldp, newp;
	struct dentry *old;
	bool ot, nt;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL;
	err = user_parent(t, olddfd, uold, &oldp, oldlast, &ot);
	if (err)
		return err;
	err = user_parent(t, newdfd, unew, &newp, newlast, &nt);
	if (err) {
		path_put(&oldp);
		return err;
	}
	if (!strcmp(oldlast, ".") || !strcmp(oldlast, "..") || !strcmp(newlast, ".") || !strcmp(newlast, "..")) {
		err = -EBUSY;
		goto out;
	}
	if (oldp.mnt != newp.mnt) {
		err = -EXDEV;
		goto out;
	}
	err = may_modify_dir(t, &oldp);
	if (!err)
		err = may_modify_dir(t, &newp);
	if (err)
		goto out;
	err = lookup_one(&oldp, oldlast, &old);
	if (err)
		goto out;
	if ((ot || nt) && !S_ISDIR(old->inode->mode))
		err = -ENOTDIR;
	else if (old->mounts_here)
		err = -EBUSY;
	else if (!oldp.dentry->inode->iops->rename)
		err = -EPERM;
	else
		err = oldp.dentry->inode->iops->rename(oldp.dentry, old, newp.dentry, newlast, flags);
	dput(old);
out:
	path_put(&oldp);
	path_put(&newp);
	return err;
}

/* rename(2) */
long sys_rename(struct task *t, const struct syscall_args *a)
{
	return do_renameat2(t, AT_FDCWD, arg_uptr(a, 0), AT_FDCWD, arg_uptr(a, 1), 0);
}

/* renameat(2) */
long sys_renameat(struct task *t, const struct syscall_args *a)
{
	return do_renameat2(t, arg_int(a, 0), arg_uptr(a, 1), arg_int(a, 2), arg_uptr(a, 3), 0);
}

/* renameat2(2) */
long sys_renameat2(struct task *t, const struct syscall_args *a)
{
	return do_renameat2(t, arg_int(a, 0), arg_uptr(a, 1), arg_int(a, 2), arg_uptr(a, 3), arg_uint(a, 4));
}

static long do_symlinkat(struct task *t, uptr_t utarget, int dirfd, uptr_t upath)
{
	char *target = malloc(PATH_MAX_LEN), last[NAME_MAX_LEN + 1];
	struct path parent;
	bool trailing;
	long len;
	int err;

	if (!target)
		return -ENOMEM;
	len = copy_string_in(t, target, utarget, PATH_MAX_LEN);
	err = len < 0 ? (int)len : len == 0 ? -ENOENT : 0;
	if (!err)
		err = user_parent(t, dirfd, upath, &parent, last, &trailing);
	if (!err) {
		err = may_modify_dir(t, &parent);
		if (!err && trailing)
			err = -ENOENT;
		if (!err)
			err = parent.dentry->inode->iops->symlink
				      ? parent.dentry->inode->iops->symlink(parent.dentry, last, target, t)
				      : -EPERM;
		path_put(&parent);
	}
	free(target);
	return err;
}

/* symlink(2) */
long sys_symlink(struct task *t, const struct syscall_args *a)
{
	return do_symlinkat(t, arg_uptr(a, 0), AT_FDCWD, arg_uptr(a, 1));
}

/* symlinkat(2) */
long sys_symlinkat(struct task *t, const struct syscall_args *a)
{
	return do_symlinkat(t, arg_uptr(a, 0), arg_int(a, 1), arg_uptr(a, 2));
}

static long do_linkat(struct task *t, int olddfd, uptr_t uold, int newdfd, uptr_t unew, int flags)
{
	char last[NAME_MAX_LEN + 1];
	struct path old, parent;
	bool trailing;
	int err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = path_lookup_user(t, olddfd, uold,
			       ((flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0) | ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
			       &old);
	if (err)
		return err;
	if (S_ISDIR(old.dentry->inode->mode)) {
		path_put(&old);
		return -EPERM;
	}
	err = user_parent(t, newdfd, unew, &parent, last, &trailing);
	if (!err) {
		if (parent.mnt != old.mnt)
			err = -EXDEV;
		else
			err = may_modify_dir(t, &parent);
		if (!err && trailing)
			err = -ENOENT;
		if (!err)
			err = parent.dentry->inode->iops->link ? parent.dentry->inode->iops->link(parent.dentry, last, old.dentry)
							       : -EPERM;
		path_put(&parent);
	}
	path_put(&old);
	return err;
}

/* link(2) */
long sys_link(struct task *t, const struct syscall_args *a)
{
	return do_linkat(t, AT_FDCWD, arg_uptr(a, 0), AT_FDCWD, arg_uptr(a, 1), 0);
}

/* linkat(2) */
long sys_linkat(struct task *t, const struct syscall_args *a)
{
	return do_linkat(t, arg_int(a, 0), arg_uptr(a, 1), arg_int(a, 2), arg_uptr(a, 3), arg_int(a, 4));
}

static int chmod_inode(struct task *t, struct inode *i, uint32_t mode)
{
	struct vfs_attr a = { .valid = VFS_ATTR_MODE, .mode = mode & 07777 };

	if (t->cred.fsuid != 0 && t->cred.fsuid != i->uid)
		return -EPERM;
	return vfs_setattr(i, &a);
}

static long do_fchmodat(struct task *t, int dirfd, uptr_t upath, uint32_t mode)
{
	struct path p;
	int err = path_lookup_user(t, dirfd, upath, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	err = (p.mnt->flags & MS_RDONLY) ? -EROFS : chmod_inode(t, p.dentry->inode, mode);
	path_put(&p);
	return err;
}

/* chmod(2) */
long sys_chmod(struct task *t, const struct syscall_args *a)
{
	return do_fchmodat(t, AT_FDCWD, arg_uptr(a, 0), arg_mode(a, 1));
}

/* fchmodat(2) */
long sys_fchmodat(struct task *t, const struct syscall_args *a)
{
	return do_fchmodat(t, arg_int(a, 0), arg_uptr(a, 1), arg_mode(a, 2));
}

/* fchmod(2) */
long sys_fchmod(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	int err;

	if (!f || (f->flags & O_PATH)) {
		if (f)
			file_put(f);
		return -EBADF;
	}
	err = chmod_inode(t, f->inode, arg_mode(a, 1));
	file_put(f);
	return err;
}

static int chown_inode(struct task *t, struct inode *i, uint32_t uid, uint32_t gid)
{
	struct vfs_attr a = { .uid = uid, .gid = gid };
	int err;

	if (t->cred.fsuid != 0) {
		if (uid != (uint32_t)-1 && uid != i->uid)
			return -EPERM;
		if (t->cred.fsuid != i->uid)
			return -EPERM;
	}
	if (uid != (uint32_t)-1)
		a.valid |= VFS_ATTR_UID;
	if (gid != (uint32_t)-1)
		a.valid |= VFS_ATTR_GID;
	err = a.valid ? vfs_setattr(i, &a) : 0;
	if (err)
		return err;
	/* a change of owner clears set-id bits on non-directories */
	if ((uid != (uint32_t)-1 || gid != (uint32_t)-1) && !S_ISDIR(i->mode)) {
		if (i->mode & S_IXGRP)
			i->mode &= ~(S_ISUID | S_ISGID);
		else
			i->mode &= ~S_ISUID;
	}
	inode_touch(i, false, false, true);
	return 0;
}

static long do_fchownat(struct task *t, int dirfd, uptr_t upath, uint32_t uid, uint32_t gid, int flags)
{
	struct path p;
	unsigned lf = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	err = path_lookup_user(t, dirfd, upath, lf, &p);
	if (err)
		return err;
	err = (p.mnt->flags & MS_RDONLY) ? -EROFS : chown_inode(t, p.dentry->inode, uid, gid);
	path_put(&p);
	return err;
}

/* chown(2) */
long sys_chown(struct task *t, const struct syscall_args *a)
{
	return do_fchownat(t, AT_FDCWD, arg_uptr(a, 0), arg_uint(a, 1), arg_uint(a, 2), 0);
}

/* lchown(2) */
long sys_lchown(struct task *t, const struct syscall_args *a)
{
	return do_fchownat(t, AT_FDCWD, arg_uptr(a, 0), arg_uint(a, 1), arg_uint(a, 2), AT_SYMLINK_NOFOLLOW);
}

/* fchownat(2) */
long sys_fchownat(struct task *t, const struct syscall_args *a)
{
	return do_fchownat(t, arg_int(a, 0), arg_uptr(a, 1), arg_uint(a, 2), arg_uint(a, 3), arg_int(a, 4));
}

/* fchown(2) */
long sys_fchown(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	int err;

	if (!f)
		return -EBADF;
	err = chown_inode(t, f->inode, arg_uint(a, 1), arg_uint(a, 2));
	file_put(f);
	return err;
}

/* umask(2) */
long sys_umask(struct task *t, const struct syscall_args *a)
{
	uint32_t old = t->fs->umask;

	t->fs->umask = arg_mode(a, 0) & 0777;
	return old;
}
