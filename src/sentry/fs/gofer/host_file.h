/* SPDX-License-Identifier: MIT */
/*
 * Host calls on file descriptors the Gofer donated (regular files of the
 * container, opened by the Gofer with the access the guest asked for; see
 * docs/9p-client.md). Thin wrappers converting errno at once; they move to
 * src/sentry/host/ with the other host wrappers. They may block on the
 * host's disk: never call them with the kernel lock held.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One pread of at most @len bytes at @off: bytes read (0 at the end), or -errno. EINTR is retried. */
ssize_t host_file_pread(int fd, void *buf, size_t len, uint64_t off);
/* One pwrite (an O_APPEND fd appends whatever @off says): bytes written, or -errno. EINTR is retried. */
ssize_t host_file_pwrite(int fd, const void *buf, size_t len, uint64_t off);
int host_file_fsync(int fd, bool datasync);
void host_file_close(int fd);
