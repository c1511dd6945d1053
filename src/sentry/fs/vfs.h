/* SPDX-License-Identifier: MIT */
/*
 * The VFS: inodes, dentries, mounts, open files, descriptor tables and the
 * per-task filesystem context (root, cwd, umask). Filesystems (tmpfs, proc,
 * dev, pipe, host stdio) plug in through inode_ops and file_ops. Everything
 * is guarded by the kernel lock.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "abi/linux/stat.h"
#include "abi/linux/types.h"
#include "lib/list.h"

struct task;
struct iov_iter;
struct mobj;
struct waitq;
struct shmem;
struct file;
struct pipe;
struct lock_list;

#define NAME_MAX_LEN 255
#define PATH_MAX_LEN 4096
#define SYMLOOP_MAX 40

struct super_block {
	const char *fstype;
	uint64_t dev;
	uint64_t next_ino;
	void *priv;
};

struct inode {
	int refs;
	uint64_t ino;
	uint32_t mode;
	uint32_t uid, gid;
	uint32_t nlink;
	uint64_t size;
	uint64_t rdev;
	struct linux_timespec atime, mtime, ctime;
	struct super_block *sb;
	const struct inode_ops *iops;
	const struct file_ops *fops;
	struct shmem *data;		/* regular file data (tmpfs) */
	char *link;			/* symlink target (tmpfs) */
	struct pipe *pipe;		/* named pipe */
	int exec_count;			/* address spaces running this file: writers get ETXTBSY */
	struct lock_list *locks;	/* fcntl record locks (fs/lock.c), NULL until the first */
	void *priv;
	void (*destroy)(struct inode *);
};

struct dentry {
	int refs;
	char *name;
	struct dentry *parent;		/* holds a reference; NULL for a filesystem root */
	struct inode *inode;		/* holds a reference */
	struct list_head children;	/* tmpfs: the directory's entries */
	struct list_head child_node;
	int mounts_here;		/* number of mounts whose mountpoint this is */
	bool unlinked;
	bool pinned;			/* held by its parent's list (tmpfs tree) */
};

struct mount {
	struct mount *parent;
	struct dentry *mountpoint;
	struct dentry *root;
	struct super_block *sb;
	int flags;			/* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC */
	char *source;
	struct list_head node;
};

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

/* A change of attributes (chmod, chown, utimes, truncate) for inode_ops.setattr. */
#define VFS_ATTR_MODE 0x1
#define VFS_ATTR_UID 0x2
#define VFS_ATTR_GID 0x4
#define VFS_ATTR_ATIME 0x8
#define VFS_ATTR_MTIME 0x10
#define VFS_ATTR_SIZE 0x20
struct vfs_attr {
	unsigned valid;			/* VFS_ATTR_* */
	uint32_t mode;			/* permission bits only */
	uint32_t uid, gid;
	uint64_t size;
	struct linux_timespec atime, mtime;
};

/* What statfs reports. */
struct vfs_statfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree, namelen;
};

/* Callback for getdents: returns false when the buffer is full. */
struct dir_ctx {
	bool (*emit)(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino, unsigned type);
	int64_t pos;
};

struct inode_ops {
	/* New reference to the child named @name of directory @dir, or -ENOENT. */
	int (*lookup)(struct dentry *dir, const char *name, struct dentry **out);
	int (*mknod)(struct dentry *dir, const char *name, uint32_t mode, uint64_t rdev, struct task *t,
		     struct dentry **out);
	int (*symlink)(struct dentry *dir, const char *name, const char *target, struct task *t);
	int (*link)(struct dentry *dir, const char *name, struct dentry *old);
	int (*unlink)(struct dentry *dir, struct dentry *victim);
	int (*rmdir)(struct dentry *dir, struct dentry *victim);
	int (*rename)(struct dentry *olddir, struct dentry *old, struct dentry *newdir, const char *newname,
		      unsigned flags);
	int (*readlink)(struct dentry *d, char *buf, size_t size);
	int (*truncate)(struct inode *inode, uint64_t size);
	/* Directory listing for getdents; ctx->pos is the cursor. */
	int (*iterate)(struct dentry *dir, struct dir_ctx *ctx);
	/* Follow a "magic" link (/proc/self/...): fills @out with a new path. */
	int (*get_link)(struct dentry *d, struct task *t, struct path *out);
	/*
	 * Optional: store a change of attributes first (a filesystem whose
	 * attributes live elsewhere); the VFS updates the inode when it
	 * succeeds (vfs_setattr). Without it the change stays in memory.
	 */
	int (*setattr)(struct inode *inode, const struct vfs_attr *a);
	/* Optional: the filesystem's numbers for statfs; else made-up ones. */
	int (*statfs)(struct inode *inode, struct vfs_statfs *out);
	/*
	 * Optional: bring the attributes up to date before a stat by fd
	 * (a filesystem that others change: a volume). A stat by path needs
	 * none: its lookup did that.
	 */
	int (*revalidate)(struct inode *inode);
};

struct file_ops {
	ssize_t (*read)(struct file *f, struct iov_iter *it, uint64_t *pos);
	ssize_t (*write)(struct file *f, struct iov_iter *it, uint64_t *pos);
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	long (*ioctl)(struct file *f, struct task *t, unsigned cmd, uint64_t arg);
	/* Ready mask (POLLIN...); sets *wq to the queue that announces changes. */
	unsigned (*poll)(struct file *f, struct waitq **wq);
	/* Memory object for mmap, new reference. */
	int (*mmap)(struct file *f, struct mobj **out);
	/*
	 * fallocate(2) on a regular file, after vfs_fallocate's checks
	 * (@len > 0, @off + @len fits a file size, the file is writable).
	 */
	long (*fallocate)(struct file *f, int mode, uint64_t off, uint64_t len);
	bool mmap_is_anonymous;		/* mapping it gives anonymous memory (/dev/zero) */
	/*
	 * Its mappings are copies, never written back: a MAP_SHARED mapping
	 * that could be made writable (an O_RDWR fd) is refused with EINVAL,
	 * as Linux's generic_file_readonly_mmap does (9p without a cache).
	 */
	bool mmap_shared_readonly;
	int (*open)(struct file *f, struct task *t);
	void (*release)(struct file *f);
	/* Optional: flush written data to stable storage (fsync, fdatasync). */
	int (*fsync)(struct file *f, bool datasync);
};

struct file {
	int refs;
	struct path path;		/* holds references; dentry NULL for anonymous files */
	struct inode *inode;		/* holds a reference */
	unsigned flags;			/* O_ACCMODE | O_APPEND | O_NONBLOCK | ... */
	uint64_t pos;
	const struct file_ops *ops;
	void *priv;
	struct list_head epitems;	/* epoll interest entries watching this file */
};

struct fd_table {
	int refs;
	int size;
	struct file **files;
	uint8_t *cloexec;
};

struct fs_context {
	int refs;
	struct path root, cwd;
	uint32_t umask;
};

/* refcounting */
void inode_get(struct inode *i);
void inode_put(struct inode *i);
void dget(struct dentry *d);
void dput(struct dentry *d);
void path_get(const struct path *p);
void path_put(struct path *p);
void file_get(struct file *f);
void file_put(struct file *f);

struct inode *inode_new(struct super_block *sb, uint32_t mode, const struct inode_ops *iops,
			const struct file_ops *fops);
struct dentry *dentry_new(struct dentry *parent, const char *name, struct inode *inode);
struct super_block *sb_new(const char *fstype);
void inode_touch(struct inode *i, bool atime, bool mtime, bool ctime);
void inode_fill_stat(const struct inode *i, struct linux_stat *st);

/* A new open file on @path (references taken) or an anonymous inode. */
struct file *file_new(const struct path *path, struct inode *inode, unsigned flags, const struct file_ops *ops);

/* mounts */
struct mount *mount_new(struct mount *parent, struct dentry *mountpoint, struct dentry *root,
			struct super_block *sb, int flags, const char *source);
/* A path (new references) for a file that has none (a pipe, host stdio), so it can be reopened. */
int path_of_pathless(struct inode *inode, const char *name, struct path *out);
bool path_is_pseudo(const struct path *p);
/* Follow mounts stacked on @p in place. */
void path_follow_mounts(struct path *p);
void mount_for_each(void (*fn)(struct mount *m, void *arg), void *arg);
/* Path of @p relative to @root as a string into @buf; returns length or -ENAMETOOLONG. */
int path_to_string(const struct path *p, const struct path *root, char *buf, size_t size);

/* namei */
#define LOOKUP_FOLLOW 0x1
#define LOOKUP_DIRECTORY 0x2
#define LOOKUP_EMPTY 0x4		/* AT_EMPTY_PATH: "" means dirfd itself */
int path_lookup(struct task *t, int dirfd, const char *name, unsigned flags, struct path *out);
/* Resolve all but the last component; @last receives it (never "." or ".." unless @allow_dots). */
int path_lookup_parent(struct task *t, int dirfd, const char *name, struct path *parent, char *last,
		       bool *trailing_slash);
/* As path_lookup_parent(), but a relative @name starts at @base when it is not NULL. */
int path_lookup_parent_from(struct task *t, int dirfd, const struct path *base, const char *name,
			    struct path *parent, char *last, bool *trailing_slash);
int path_lookup_user(struct task *t, int dirfd, uptr_t upath, unsigned flags, struct path *out);
/* Child @name of directory @dir (no mount crossing), new reference. */
int lookup_one(struct path *dir, const char *name, struct dentry **out);

/* permission */
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
int inode_permission(struct task *t, struct inode *i, int mask);

/* open files and descriptors */
int vfs_open(struct task *t, int dirfd, const char *name, int flags, uint32_t mode, struct file **out);
int vfs_open_path(struct task *t, const struct path *p, int flags, struct file **out);
ssize_t vfs_read(struct file *f, struct iov_iter *it, uint64_t *pos);
ssize_t vfs_write(struct file *f, struct iov_iter *it, uint64_t *pos);
ssize_t kernel_read(struct file *f, void *buf, size_t len, uint64_t pos);
int vfs_truncate(struct inode *i, uint64_t size);
/* fallocate(2): the mode, file and range checks in Linux's order, then f->ops->fallocate. */
long vfs_fallocate(struct file *f, int mode, int64_t off, int64_t len);
/* Apply @a to @i: through inode_ops.setattr when there is one, then in memory. */
int vfs_setattr(struct inode *i, const struct vfs_attr *a);

struct fd_table *fdtable_new(void);
struct fd_table *fdtable_dup(struct fd_table *old);
void fdtable_put(struct fd_table *t);
/* New reference to the file at @fd or NULL. */
struct file *fdget(struct task *t, int fd);
/* Install @f (reference consumed) at the lowest free fd >= @min. Returns fd or -EMFILE. */
int fd_install(struct task *t, struct file *f, int min, bool cloexec);
int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec);
int fd_close(struct task *t, int fd);
void fd_close_on_exec(struct task *t);

struct fs_context *fs_context_new(const struct path *root);
struct fs_context *fs_context_dup(struct fs_context *old);
void fs_context_put(struct fs_context *fs);

/* readable in-memory pseudo-file helper (proc): content generated at open */
struct file *seq_file_new(const struct path *path, struct inode *inode, char *content, size_t len);

static inline bool S_ISDIR_(uint32_t m)
{
	return (m & 0170000) == 0040000;
}
