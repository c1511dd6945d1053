// SPDX-License-Identifier: MIT
/*
 * Lower layer over a host directory. Every open is relative to the root fd
 * with RESOLVE_IN_ROOT, so "..", absolute symlinks and magic links cannot
 * leave the directory given to --root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/log.h"
#include "sentry/fs/hostdir/lower.h"
#include "sentry/mm/mobj.h"

static int g_root_fd = -1;

int lower_init(const char *host_root)
{
	g_root_fd = open(host_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return g_root_fd < 0 ? -errno : 0;
}

static int lower_open(const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, g_root_fd, *rel ? rel : ".", &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

int lower_list(const char *rel, void (*fn)(const char *name, const struct stat *st, void *arg), void *arg)
{
	int fd = lower_open(rel, O_RDONLY | O_DIRECTORY);
	struct dirent *de;
	DIR *dir;

	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		fn(de->d_name, &st, arg);
	}
	closedir(dir);
	return 0;
}

int lower_stat(const char *rel, struct stat *st)
{
	_cleanup_close_ int fd = lower_open(rel, O_PATH);

	if (fd < 0)
		return fd;
	return fstat(fd, st) < 0 ? -errno : 0;
}

int lower_read_file(const char *rel, struct shmem *dst, uint64_t size)
{
	_cleanup_close_ int fd = lower_open(rel, O_RDONLY);
	_cleanup_free_ char *buf = NULL;
	uint64_t off = 0;

	if (fd < 0)
		return fd;
	buf = xmalloc(1 << 16);
	while (off < size) {
		ssize_t n = pread(fd, buf, 1 << 16, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (shmem_write(dst, buf, off, n))
			return -ENOMEM;
		off += n;
	}
	return 0;
}

int lower_readlink(const char *rel, char *buf, size_t size)
{
	_cleanup_close_ int fd = lower_open(rel, O_PATH);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = readlinkat(fd, "", buf, size);
	return n < 0 ? -errno : (int)n;
}
