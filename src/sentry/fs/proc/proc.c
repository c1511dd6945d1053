// SPDX-License-Identifier: MIT
/*
 * procfs. Dentries are made on every lookup and never cached, so the tree
 * always reflects the live processes. File contents are generated when the
 * file is opened and served from that snapshot.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include "lib/log.h"
#include "sentry/fs/proc/proc.h"
#include "sentry/fs/proc/proc_internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

static struct super_block *g_proc_sb;

static const struct inode_ops proc_root_iops, proc_pid_iops, proc_fd_iops, proc_link_iops, proc_self_iops;
static const struct file_ops proc_dir_fops, proc_file_fops;

struct proc_node {
	enum proc_kind kind;
	pid_t pid;
	int fd;
	const struct proc_file *file;
};

static struct inode *proc_inode(uint32_t mode, enum proc_kind kind, pid_t pid, int fd, const struct proc_file *pf)
{
	const struct inode_ops *iops = S_ISDIR(mode) ? (kind == PROC_ROOT  ? &proc_root_iops
							: kind == PROC_FD_DIR ? &proc_fd_iops
									      : &proc_pid_iops)
			     : S_ISLNK(mode) ? (kind == PROC_SELF ? &proc_self_iops : &proc_link_iops)
					     : NULL;
	struct inode *i = inode_new(g_proc_sb, mode, iops, S_ISDIR(mode) ? &proc_dir_fops : &proc_file_fops);
	struct proc_node *n = xzalloc(sizeof(*n));

	n->kind = kind;
	n->pid = pid;
	n->fd = fd;
	n->file = pf;
	i->priv = n;
	i->ino = ((uint64_t)pid << 16) + (uint64_t)kind * 4096 + (fd >= 0 ? fd : 0) + 1;
	if (pf)
		i->ino += (uint64_t)(pf - proc_pid_files) * 8 + 0x800000;
	return i;
}

static void proc_inode_destroy(struct inode *i)
{
	free(i->priv);
}

static struct dentry *proc_dentry(struct dentry *parent, const char *name, struct inode *i)
{
	i->destroy = proc_inode_destroy;
	return dentry_new(parent, name, i);
}

static pid_t parse_pid(const char *name)
{
	char *end;
	long v = strtol(name, &end, 10);

	if (!*name || *end || v <= 0 || v >= PID_MAX || name[0] == '0')
		return 0;
	return (pid_t)v;
}

static struct thread_group *live_tg(pid_t pid)
{
	struct thread_group *tg = tg_lookup(pid);

	return tg && !tg->zombie ? tg : NULL;
}

static int proc_root_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	pid_t pid;

	if (strcmp(name, "self") == 0 || strcmp(name, "thread-self") == 0) {
		*out = proc_dentry(dir, name, proc_inode(S_IFLNK | 0777, PROC_SELF, 0, -1, NULL));
		return 0;
	}
	for (const struct proc_file *pf = proc_root_files; pf->name; pf++) {
		if (strcmp(pf->name, name) == 0) {
			*out = proc_dentry(dir, name, proc_inode(S_IFREG | 0444, PROC_ROOT_FILE, 0, -1, pf));
			return 0;
		}
	}
	pid = parse_pid(name);
	if (!pid || !live_tg(pid))
		return -ENOENT;
	*out = proc_dentry(dir, name, proc_inode(S_IFDIR | 0555, PROC_PID_DIR, pid, -1, NULL));
	return 0;
}

/* "." and "..": positions 0 and 1 of every listing here; false when the caller's buffer is full. */
static bool emit_dots(struct dir_ctx *ctx, uint64_t ino, uint64_t parent_ino)
{
	if (ctx->pos == 0 && !ctx->emit(ctx, ".", 1, ino, DT_DIR))
		return false;
	ctx->pos = MAX(ctx->pos, 1);
	if (ctx->pos == 1 && !ctx->emit(ctx, "..", 2, parent_ino, DT_DIR))
		return false;
	ctx->pos = MAX(ctx->pos, 2);
	return true;
}

static int proc_root_iterate(struct dentry *dir, struct dir_ctx *ctx)
{
	int64_t idx = 2;
	char buf[16];

	if (!emit_dots(ctx, dir->inode->ino, dir->inode->ino))
		return 0;
	if (ctx->pos == idx && !ctx->emit(ctx, "self", 4, 2, DT_LNK))
		return 0;
	ctx->pos = MAX(ctx->pos, ++idx);
	for (const struct proc_file *pf = proc_root_files; pf->name; pf++) {
		if (ctx->pos == idx && !ctx->emit(ctx, pf->name, strlen(pf->name), 100 + idx, DT_REG))
			return 0;
		ctx->pos = MAX(ctx->pos, ++idx);
	}
	for (pid_t pid = 1; pid < PID_MAX; pid++) {
		if (!live_tg(pid))
			continue;
		if (ctx->pos <= idx + pid) {
			int n = snprintf(buf, sizeof(buf), "%d", pid);

			if (!ctx->emit(ctx, buf, n, (uint64_t)pid << 16, DT_DIR))
				return 0;
			ctx->pos = idx + pid + 1;
		}
	}
	return 0;
}

/* The live task behind a /proc/<pid> or /proc/<pid>/task/<tid> directory. */
static struct task *pid_task(pid_t pid)
{
	struct task *t = task_lookup(pid);

	if (!t || t->tg->zombie || (t->exiting && t->tid != t->tg->tgid))
		return NULL;
	return t;
}

static const struct inode_ops proc_task_iops;

static int proc_pid_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	struct proc_node *n = dir->inode->priv;

	if (!pid_task(n->pid))
		return -ENOENT;
	if (strcmp(name, "task") == 0 && n->kind == PROC_PID_DIR) {
		struct inode *i = proc_inode(S_IFDIR | 0555, PROC_TASK_DIR, n->pid, -1, NULL);

		i->iops = &proc_task_iops;
		*out = proc_dentry(dir, name, i);
		return 0;
	}
	if (strcmp(name, "fd") == 0) {
		*out = proc_dentry(dir, name, proc_inode(S_IFDIR | 0500, PROC_FD_DIR, n->pid, -1, NULL));
		return 0;
	}
	if (strcmp(name, "exe") == 0 || strcmp(name, "cwd") == 0 || strcmp(name, "root") == 0) {
		enum proc_kind k = name[0] == 'e' ? PROC_EXE : name[0] == 'c' ? PROC_CWD : PROC_ROOTLINK;

		*out = proc_dentry(dir, name, proc_inode(S_IFLNK | 0777, k, n->pid, -1, NULL));
		return 0;
	}
	for (const struct proc_file *pf = proc_pid_files; pf->name; pf++) {
		if (strcmp(pf->name, name) == 0) {
			*out = proc_dentry(dir, name, proc_inode(S_IFREG | 0444, PROC_PID_FILE, n->pid, -1, pf));
			return 0;
		}
	}
	return -ENOENT;
}

static int proc_pid_iterate(struct dentry *dir, struct dir_ctx *ctx)
{
	static const char *const links[] = { "fd", "exe", "cwd", "root", "task" };
	struct proc_node *n = dir->inode->priv;
	size_t nlinks = n->kind == PROC_PID_DIR ? ARRAY_SIZE(links) : ARRAY_SIZE(links) - 1;
	int64_t idx = 2;

	if (!emit_dots(ctx, dir->inode->ino, 1))
		return 0;
	for (size_t k = 0; k < nlinks; k++) {
		unsigned type = k == 0 || k == 4 ? DT_DIR : DT_LNK;

		if (ctx->pos == idx && !ctx->emit(ctx, links[k], strlen(links[k]), 200 + idx, type))
			return 0;
		ctx->pos = MAX(ctx->pos, ++idx);
	}
	for (const struct proc_file *pf = proc_pid_files; pf->name; pf++) {
		if (ctx->pos == idx && !ctx->emit(ctx, pf->name, strlen(pf->name), 300 + idx, DT_REG))
			return 0;
		ctx->pos = MAX(ctx->pos, ++idx);
	}
	return 0;
}

/* /proc/<pid>/task/<tid>: the same entries as a pid directory, for one thread. */
static int proc_task_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	struct proc_node *n = dir->inode->priv;
	pid_t tid = parse_pid(name);
	struct task *t = tid ? pid_task(tid) : NULL;

	if (!t || t->tg->tgid != n->pid)
		return -ENOENT;
	*out = proc_dentry(dir, name, proc_inode(S_IFDIR | 0555, PROC_TID_DIR, tid, -1, NULL));
	return 0;
}

static int proc_task_iterate(struct dentry *dir, struct dir_ctx *ctx)
{
	struct proc_node *n = dir->inode->priv;
	struct task *leader = pid_task(n->pid), *t;
	int64_t idx = 2;
	char buf[16];

	if (!emit_dots(ctx, dir->inode->ino, 1))
		return 0;
	if (!leader)
		return 0;
	list_for_each_entry(t, &leader->tg->tasks, tg_node) {
		if (!pid_task(t->tid))
			continue;
		if (idx++ < ctx->pos)
			continue;
		int len = snprintf(buf, sizeof(buf), "%d", t->tid);

		if (!ctx->emit(ctx, buf, len, (uint64_t)t->tid << 16, DT_DIR))
			return 0;
		ctx->pos = idx;
	}
	return 0;
}

static const struct inode_ops proc_task_iops = {
	.lookup = proc_task_lookup,
	.iterate = proc_task_iterate,
};

static int proc_fd_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	struct proc_node *n = dir->inode->priv;
	struct task *t = pid_task(n->pid);
	char *end;
	long fd = strtol(name, &end, 10);

	if (!t || !t->fds || !*name || *end || fd < 0 || fd >= t->fds->size || !t->fds->files[fd])
		return -ENOENT;
	*out = proc_dentry(dir, name, proc_inode(S_IFLNK | 0700, PROC_FD_LINK, n->pid, (int)fd, NULL));
	return 0;
}

static int proc_fd_iterate(struct dentry *dir, struct dir_ctx *ctx)
{
	struct proc_node *n = dir->inode->priv;
	struct task *t = pid_task(n->pid);
	char buf[16];

	if (!emit_dots(ctx, dir->inode->ino, 1))
		return 0;
	for (int fd = (int)ctx->pos - 2; t && t->fds && fd < t->fds->size; fd++) {
		if (!t->fds->files[fd])
			continue;
		int len = snprintf(buf, sizeof(buf), "%d", fd);

		if (!ctx->emit(ctx, buf, len, 1000 + fd, DT_LNK))
			return 0;
		ctx->pos = fd + 3;
	}
	return 0;
}

/* Resolve a /proc link to a path (new references). */
static int proc_link_path(struct proc_node *n, struct task *cur, struct path *out, char *text, size_t size)
{
	struct task *t = n->kind == PROC_SELF ? cur : pid_task(n->pid);
	struct file *f;

	if (!t)
		return -ENOENT;
	switch (n->kind) {
	case PROC_SELF:
		if (text)
			snprintf(text, size, "%d", t->tg->tgid);
		return 1;	/* a plain symlink */
	case PROC_EXE:
		if (!t->mm || !t->mm->exe)
			return -ENOENT;
		*out = t->mm->exe->path;
		break;
	case PROC_CWD:
		if (!t->fs)	/* an exited leader of live threads: its fs is gone */
			return -ENOENT;
		*out = t->fs->cwd;
		break;
	case PROC_ROOTLINK:
		if (!t->fs)
			return -ENOENT;
		*out = t->fs->root;
		break;
	case PROC_FD_LINK:
		if (!t->fds || n->fd >= t->fds->size || !(f = t->fds->files[n->fd]))
			return -ENOENT;
		if (!f->path.dentry || path_is_pseudo(&f->path)) {
			if (!text) {
				/* pipes and host stdio reopen (/dev/stdin, bash's <(...)); anon inodes do not */
				if (f->inode->link)
					return -ENXIO;
				return path_of_pathless(f->inode, "pipe", out);
			}
			if (f->inode->link)
				snprintf(text, size, "anon_inode:%s", f->inode->link);
			else
				snprintf(text, size, "%s:[%lu]", S_ISFIFO(f->inode->mode) ? "pipe" : "anon_inode",
					 (unsigned long)f->inode->ino);
			return 2;	/* no path to follow */
		}
		*out = f->path;
		break;
	default:
		return -EINVAL;
	}
	path_get(out);
	return 0;
}

static int proc_readlink(struct dentry *d, char *buf, size_t size)
{
	char text[PATH_MAX_LEN];
	struct path p;
	int r = proc_link_path(d->inode->priv, current, &p, text, sizeof(text));
	size_t len;

	if (r < 0)
		return r;
	if (r == 0) {
		r = path_to_string(&p, &current->fs->root, text, sizeof(text));
		path_put(&p);
		if (r < 0)
			return r;
	}
	len = MIN(strlen(text), size);
	memcpy(buf, text, len);
	return (int)len;
}

static int proc_get_link(struct dentry *d, struct task *t, struct path *out)
{
	struct proc_node *n = d->inode->priv;
	int r = proc_link_path(n, t, out, NULL, 0);

	return r > 0 ? -ENOENT : r;
}

static const struct inode_ops proc_root_iops = {
	.lookup = proc_root_lookup,
	.iterate = proc_root_iterate,
};
static const struct inode_ops proc_pid_iops = {
	.lookup = proc_pid_lookup,
	.iterate = proc_pid_iterate,
};
static const struct inode_ops proc_fd_iops = {
	.lookup = proc_fd_lookup,
	.iterate = proc_fd_iterate,
};
/* /proc/self is an ordinary relative symlink to "<pid>". */
static const struct inode_ops proc_self_iops = {
	.readlink = proc_readlink,
};
static const struct inode_ops proc_link_iops = {
	.readlink = proc_readlink,
	.get_link = proc_get_link,
};

static int proc_file_open(struct file *f, struct task *t)
{
	struct proc_node *n = f->inode->priv;
	struct task *target = n->pid ? pid_task(n->pid) : t;
	struct proc_buf b = { 0 };

	if (!target)
		return -ENOENT;
	n->file->gen(target, &b);
	f->priv = xmalloc(sizeof(b));
	*(struct proc_buf *)f->priv = b;
	f->pos = 0;
	return 0;
}

/*
 * As Linux's seq_file, a read from offset 0 generates the text afresh, so a
 * program that rereads /proc/PID/stat after lseek(0) sees the process as it is
 * now: a child that has exited shows 'Z' (stat and status only: the other
 * generators need the memory and files an exited process no longer has).
 */
static void proc_file_refresh(struct file *f)
{
	struct proc_node *n = f->inode->priv;
	struct task *t = n->pid ? task_lookup(n->pid) : NULL;
	struct proc_buf *b = f->priv, nb = { 0 };

	if (!t || (t->exiting && t->tid != t->tg->tgid))
		return;
	if (t->tg->zombie && strcmp(n->file->name, "stat") != 0 && strcmp(n->file->name, "status") != 0)
		return;
	n->file->gen(t, &nb);
	free(b->data);
	*b = nb;
}

static ssize_t proc_file_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct proc_buf *b;
	ssize_t got;

	if (*pos == 0)
		proc_file_refresh(f);
	b = f->priv;

	if (*pos >= b->len)
		return 0;
	got = iov_iter_copy_to(it, b->data + *pos, b->len - *pos);
	if (got > 0)
		*pos += got;
	return got;
}

static int64_t proc_llseek(struct file *f, int64_t off, int whence)
{
	struct proc_buf *b = f->priv;
	int64_t end = b ? (int64_t)b->len : 0;
	int64_t base = whence == SEEK_CUR ? (int64_t)f->pos : whence == SEEK_END ? end : 0;

	if (whence > SEEK_END || base + off < 0)
		return -EINVAL;
	f->pos = base + off;
	return (int64_t)f->pos;
}

static void proc_file_release(struct file *f)
{
	struct proc_buf *b = f->priv;

	if (b)
		free(b->data);
	free(b);
}

static const struct file_ops proc_file_fops = {
	.open = proc_file_open,
	.read = proc_file_read,
	.llseek = proc_llseek,
	.release = proc_file_release,
};

static const struct file_ops proc_dir_fops = {
	.llseek = proc_llseek,
};

struct dentry *procfs_new(struct super_block **sb_out)
{
	g_proc_sb = sb_new("proc");
	*sb_out = g_proc_sb;
	return proc_dentry(NULL, "/", proc_inode(S_IFDIR | 0555, PROC_ROOT, 0, -1, NULL));
}
