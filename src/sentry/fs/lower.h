/* SPDX-License-Identifier: MIT */
/*
 * The lower layer of the root filesystem: where the container's files come
 * from. tmpfs asks it for directory listings, file contents and link
 * targets the first time each is needed (tmpfs/tmpfs.c, tmpfs/file.c).
 *
 * One implementation: over 9P2000.L (fs/gofer/lower.c: the Gofer, or an
 * external server such as diod). The Sentry itself opens no host path.
 *
 * Every operation may block on a host call or a round trip: callers drop
 * the kernel lock around it (lower_unlocked_begin/end), so operations
 * touch no Sentry state, only what they are given. @rel is a path relative
 * to the lower root ("" is the root), components separated by one '/'.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "abi/linux/types.h"

struct lower_attr {
	uint64_t ino;			/* the lower file's identity (9P qid.path); 0: unknown */
	uint32_t mode, uid, gid;
	uint64_t nlink, size, rdev;
	struct linux_timespec atime, mtime, ctime;
};

struct lower_dirent {
	char *name;		/* one component, never "." or ".." */
	struct lower_attr attr;
};

/* An open lower file, for reading its data. */
struct lower_file;

struct lower_ops {
	const char *name;
	int (*stat)(const char *rel, struct lower_attr *out);
	/* The entries of directory @rel, in a new array (lower_dirents_free()). */
	int (*list)(const char *rel, struct lower_dirent **out, size_t *count);
	int (*open)(const char *rel, struct lower_file **out);
	/* At most @len bytes at @off; 0 at the end of the file. */
	ssize_t (*read)(struct lower_file *f, void *buf, size_t len, uint64_t off);
	/*
	 * Optional: reads of @f cost no round trip (a host fd the Gofer
	 * donated), so read() goes to it directly, not through the page cache.
	 */
	bool (*direct)(struct lower_file *f);
	void (*close)(struct lower_file *f);
	/* The target of symlink @rel (not NUL-terminated); its length, or -errno. */
	int (*readlink)(const char *rel, char *buf, size_t size);
	/* Bytes a read may ask for at once with profit. */
	size_t (*read_chunk)(void);
};

/* Set once at boot, before any tmpfs is lower-backed. */
extern const struct lower_ops *g_lower;

void lower_dirents_free(struct lower_dirent *ents, size_t count);

/*
 * The 9P lower layer over the connected stream socket @fd (taken), attached
 * to @aname, selects itself. Blocks for the version and attach exchanges.
 */
int gofer_lower_init(int fd, const char *aname);

/*
 * Around a lower call: tell the platform we may block, drop the kernel lock;
 * then take it again. The caller holds references on whatever it uses
 * after, and re-checks anything another task may have changed meanwhile.
 */
void lower_unlocked_begin(void);
void lower_unlocked_end(void);
/*
 * The same for a host call that returns in microseconds (a pread of a
 * donated fd): the platform is not told, so its hand-off keeps spinning and
 * the guest resumes without a cross-process wake-up (tens of µs here). A
 * call that does block long costs only that spin.
 */
void lower_unlocked_begin_quick(void);
