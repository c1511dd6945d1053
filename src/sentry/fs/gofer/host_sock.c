// SPDX-License-Identifier: MIT
/* Host socket calls of the 9P transport (see host_sock.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sentry/fs/gofer/host_sock.h"

int host_sock_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t host_sock_recv(int fd, void *buf, size_t cap, int *fds, int *nfds)
{
	union {
		char buf[CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;
	ssize_t n;

	*nfds = 0;
	do {
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t count;
		int got[16];

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (count > 16)
			count = 16;
		memcpy(got, CMSG_DATA(cm), count * sizeof(int));
		for (size_t k = 0; k < count; k++) {
			if (*nfds < HOST_SOCK_MAX_FDS)
				fds[(*nfds)++] = got[k];
			else
				close(got[k]);
		}
	}
	/* fds beyond our control buffer were closed by the kernel (MSG_CTRUNC) */
	return n;
}

void host_sock_shutdown(int fd)
{
	shutdown(fd, SHUT_RDWR);
}

void host_sock_close(int fd)
{
	close(fd);
}
