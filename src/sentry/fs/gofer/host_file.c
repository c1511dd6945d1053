// SPDX-License-Identifier: MIT
/* Host calls on donated file descriptors (see host_file.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>
#include "sentry/fs/gofer/host_file.h"

ssize_t host_file_pread(int fd, void *buf, size_t len, uint64_t off)
{
	for (;;) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t host_file_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	for (;;) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

int host_file_fsync(int fd, bool datasync)
{
	return (datasync ? fdatasync(fd) : fsync(fd)) ? -errno : 0;
}

void host_file_close(int fd)
{
	close(fd);
}
