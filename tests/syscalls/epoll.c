// SPDX-License-Identifier: MIT
/*
 * epoll(7): level- and edge-triggered readiness on pipes and eventfds,
 * EPOLLONESHOT until EPOLL_CTL_MOD, timeouts, a file closed while watched,
 * nested epoll, and ctl errors (EEXIST, ENOENT, EPERM for regular files,
 * EINVAL for adding an epoll to itself, EBADF).
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include "harness.h"

static int add(int ep, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

TEST(epoll, level_triggered_pipe)
{
	int ep = CHECK(epoll_create1(EPOLL_CLOEXEC)), p[2];
	struct epoll_event out[4];
	char c;

	CHECK(pipe(p));
	EXPECT_RET(add(ep, p[0], EPOLLIN), 0);
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 0);
	CHECK(write(p[1], "ab", 2));
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 1);
	EXPECT_EQ(out[0].events, EPOLLIN);
	EXPECT_EQ(out[0].data.fd, p[0]);
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 1);	/* still readable: reported again */
	CHECK(read(p[0], &c, 1));
	CHECK(read(p[0], &c, 1));
	EXPECT_RET(epoll_wait(ep, out, 4, 10), 0);	/* timeout */
	close(p[1]);
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 1);
	EXPECT_EQ(out[0].events, EPOLLHUP);
	close(p[0]);
	close(ep);
}

TEST(epoll, edge_triggered_and_oneshot)
{
	int ep = CHECK(epoll_create1(0)), efd = CHECK(eventfd(0, EFD_NONBLOCK)), efd2 = CHECK(eventfd(1, 0));
	struct epoll_event out[4], mod = { .events = EPOLLIN | EPOLLONESHOT };
	uint64_t one = 1;

	EXPECT_RET(add(ep, efd, EPOLLIN | EPOLLET), 0);
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 0);
	CHECK(write(efd, &one, 8));
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 1);
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 0);	/* no new edge */
	CHECK(write(efd, &one, 8));
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 1);	/* a new write is a new edge */

	EXPECT_RET(add(ep, efd2, EPOLLIN | EPOLLONESHOT), 0);
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 1);
	EXPECT_EQ(out[0].data.fd, efd2);
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 0);	/* disabled after one report */
	mod.data.fd = efd2;
	EXPECT_RET(epoll_ctl(ep, EPOLL_CTL_MOD, efd2, &mod), 0);
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 1);
	close(efd);
	close(efd2);
	close(ep);
}

TEST(epoll, closed_file_leaves_and_nesting)
{
	int ep = CHECK(epoll_create1(0)), outer = CHECK(epoll_create1(0)), efd = CHECK(eventfd(1, 0));
	struct epoll_event out[4];

	EXPECT_RET(add(ep, efd, EPOLLIN), 0);
	EXPECT_RET(add(outer, ep, EPOLLIN), 0);
	EXPECT_RET(epoll_wait(outer, out, 4, 0), 1);
	EXPECT_EQ(out[0].data.fd, ep);
	close(efd);	/* the only reference: the entry goes away */
	EXPECT_RET(epoll_wait(ep, out, 4, 0), 0);
	EXPECT_RET(epoll_wait(outer, out, 4, 0), 0);
	close(ep);
	close(outer);
}

TEST(epoll, ctl_errors)
{
	int ep = CHECK(epoll_create1(0)), efd = CHECK(eventfd(0, 0));
	int file = CHECK(open(tmp_path("regular"), O_RDWR | O_CREAT, 0600));
	struct epoll_event ev = { .events = EPOLLIN };
	struct epoll_event out;

	EXPECT_RET(add(ep, efd, EPOLLIN), 0);
	EXPECT_ERRNO(add(ep, efd, EPOLLIN), EEXIST);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, file, &ev), EPERM);
	EXPECT_ERRNO(add(ep, file, EPOLLIN), EPERM);
	EXPECT_ERRNO(add(ep, ep, EPOLLIN), EINVAL);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, 999, NULL), EBADF);
	EXPECT_RET(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), 0);
	EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), ENOENT);
	EXPECT_ERRNO(epoll_wait(ep, &out, 0, 0), EINVAL);
	EXPECT_ERRNO(epoll_wait(efd, &out, 1, 0), EINVAL);
	EXPECT_ERRNO(epoll_create(0), EINVAL);
	close(file);
	close(efd);
	close(ep);
}
