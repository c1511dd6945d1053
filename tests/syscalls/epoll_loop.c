// SPDX-License-Identifier: MIT
/*
 * epoll(7) nesting limits: an epoll cannot watch itself (EINVAL), a cycle
 * through nested epolls is refused (ELOOP), so is a chain longer than five
 * epolls however it is joined, and a file may not be reachable from too
 * many top-level epolls through nested chains (EINVAL, Linux's
 * reverse_path_check). Readiness and wake-ups still pass through the
 * deepest allowed chain.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include "harness.h"

#define CHAIN 5		/* the most epolls one chain may hold */

static int add(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

TEST(epoll_loop, self_is_einval)
{
	int ep = CHECK(epoll_create1(0));

	EXPECT_ERRNO(add(ep, ep), EINVAL);
	close(ep);
}

TEST(epoll_loop, direct_cycle_is_eloop)
{
	int a = CHECK(epoll_create1(0)), b = CHECK(epoll_create1(0));

	EXPECT_RET(add(a, b), 0);
	EXPECT_ERRNO(add(b, a), ELOOP);
	EXPECT_ERRNO(add(a, b), EEXIST);	/* the first link is still there */
	close(a);
	close(b);
}

TEST(epoll_loop, long_cycle_is_eloop)
{
	int e[3];

	for (int i = 0; i < 3; i++)
		e[i] = CHECK(epoll_create1(0));
	EXPECT_RET(add(e[0], e[1]), 0);
	EXPECT_RET(add(e[1], e[2]), 0);
	EXPECT_ERRNO(add(e[2], e[0]), ELOOP);
	close_all(e, 3);
}

/* Build the chain from the top (each new epoll goes below the last) */
TEST(epoll_loop, chain_depth_top_down)
{
	int e[CHAIN + 1];

	for (int i = 0; i <= CHAIN; i++)
		e[i] = CHECK(epoll_create1(0));
	for (int i = 0; i + 1 < CHAIN; i++)
		EXPECT_RET(add(e[i], e[i + 1]), 0);
	EXPECT_ERRNO(add(e[CHAIN - 1], e[CHAIN]), ELOOP);
	close_all(e, CHAIN + 1);
}

/* ... and from the bottom (each new epoll goes above the last) */
TEST(epoll_loop, chain_depth_bottom_up)
{
	int e[CHAIN + 1], efd = CHECK(eventfd(0, 0));

	for (int i = 0; i <= CHAIN; i++)
		e[i] = CHECK(epoll_create1(0));
	EXPECT_RET(add(e[0], efd), 0);	/* a plain file at the bottom does not count */
	for (int i = 0; i + 1 < CHAIN; i++)
		EXPECT_RET(add(e[i + 1], e[i]), 0);
	EXPECT_ERRNO(add(e[CHAIN], e[CHAIN - 1]), ELOOP);
	close_all(e, CHAIN + 1);
	close(efd);
}

/* Joining two short chains counts both halves plus the new link. */
TEST(epoll_loop, joined_chains)
{
	int a[3], b[3];

	for (int i = 0; i < 3; i++) {
		a[i] = CHECK(epoll_create1(0));
		b[i] = CHECK(epoll_create1(0));
	}
	for (int i = 0; i < 2; i++) {
		EXPECT_RET(add(a[i], a[i + 1]), 0);
		EXPECT_RET(add(b[i], b[i + 1]), 0);
	}
	EXPECT_ERRNO(add(a[2], b[0]), ELOOP);	/* 2 + 1 + 2 links */
	EXPECT_RET(add(a[1], b[1]), 0);		/* 1 + 1 + 1 links + a[0] above: 4 */
	EXPECT_ERRNO(add(b[2], a[0]), ELOOP);	/* a cycle through the join */
	close_all(a, 3);
	close_all(b, 3);
}

/* An event at the bottom of the deepest chain reaches the top. */
TEST(epoll_loop, wakeup_through_deepest_chain)
{
	int e[CHAIN], efd = CHECK(eventfd(0, 0));
	struct epoll_event out;
	uint64_t one = 1;
	pid_t pid;
	int status;

	for (int i = 0; i < CHAIN; i++)
		e[i] = CHECK(epoll_create1(0));
	EXPECT_RET(add(e[CHAIN - 1], efd), 0);
	for (int i = 0; i + 1 < CHAIN; i++)
		EXPECT_RET(add(e[i], e[i + 1]), 0);
	EXPECT_RET(epoll_wait(e[0], &out, 1, 0), 0);
	pid = CHECK(fork());
	if (pid == 0)
		_exit(write(efd, &one, sizeof(one)) == sizeof(one) ? 0 : 1);
	EXPECT_RET(epoll_wait(e[0], &out, 1, -1), 1);	/* woken by the child's write */
	EXPECT_EQ(out.data.fd, e[1]);
	EXPECT_EQ(out.events, EPOLLIN);
	CHECK(waitpid(pid, &status, 0));
	EXPECT_EQ(status, 0);
	close_all(e, CHAIN);
	close(efd);
}

/* One file watched through 501 two-link paths: the 501st is refused. */
TEST(epoll_loop, reverse_paths_depth1)
{
	static int mid[501];
	int efd = CHECK(eventfd(0, 0)), top = CHECK(epoll_create1(0));

	for (int i = 0; i < 501; i++) {
		mid[i] = CHECK(epoll_create1(0));
		EXPECT_RET(add(mid[i], efd), 0);
		if (i < 500)
			EXPECT_RET(add(top, mid[i]), 0);
		else
			EXPECT_ERRNO(add(top, mid[i]), EINVAL);
	}
	close_all(mid, 501);
	close(top);
	close(efd);
}

/* 101 three-link paths: refused when the file joins the 101st chain. */
TEST(epoll_loop, reverse_paths_depth2)
{
	static int x[101], y[101];
	int efd = CHECK(eventfd(0, 0)), top = CHECK(epoll_create1(0));

	for (int i = 0; i < 101; i++) {
		x[i] = CHECK(epoll_create1(0));
		y[i] = CHECK(epoll_create1(0));
		EXPECT_RET(add(top, y[i]), 0);
		EXPECT_RET(add(y[i], x[i]), 0);
		if (i < 100)
			EXPECT_RET(add(x[i], efd), 0);
		else
			EXPECT_ERRNO(add(x[i], efd), EINVAL);
	}
	close_all(x, 101);
	close_all(y, 101);
	close(top);
	close(efd);
}

/* Plain files and unnested epolls have no path limit. */
TEST(epoll_loop, many_flat_watchers)
{
	static int ep[600];
	int efd = CHECK(eventfd(0, 0));

	for (int i = 0; i < 600; i++) {
		ep[i] = CHECK(epoll_create1(0));
		EXPECT_RET(add(ep[i], efd), 0);
	}
	close_all(ep, 600);
	close(efd);
}
