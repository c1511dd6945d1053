/* SPDX-License-Identifier: MIT */
/*
 * The host calls of the 9P transport: one connected SOCK_STREAM socket to
 * the Gofer (or another 9P2000.L server). Thin wrappers that convert errno
 * at once; they move to src/sentry/host/ with the other host wrappers.
 * All may block: never call them with the kernel lock held.
 */
#pragma once
#include <stddef.h>
#include <sys/types.h>

#define HOST_SOCK_MAX_FDS 4	/* SCM_RIGHTS fds taken from one recvmsg */

/* Send all @len bytes (MSG_NOSIGNAL), retrying short sends and EINTR. 0 or -errno. */
int host_sock_send_all(int fd, const void *buf, size_t len);

/*
 * One recvmsg(MSG_CMSG_CLOEXEC) of at most @cap bytes. File descriptors
 * that came with the data (SCM_RIGHTS) are stored in @fds (the caller owns
 * them: up to HOST_SOCK_MAX_FDS, the rest are closed here) and counted in
 * *nfds. Returns the bytes received, 0 at end of stream, or -errno; EINTR
 * is retried.
 */
ssize_t host_sock_recv(int fd, void *buf, size_t cap, int *fds, int *nfds);

/* shutdown(SHUT_RDWR): a recvmsg blocked in another thread returns 0. */
void host_sock_shutdown(int fd);
void host_sock_close(int fd);
