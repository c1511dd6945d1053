// SPDX-License-Identifier: MIT
/*
 * Opening /proc/self/fd/N opens the file behind descriptor N anew: for a
 * pipe, a new read or write end of the same pipe (data flows both ways,
 * and it does not wait for a partner as a named FIFO would); for a regular
 * file, a fresh description with its own offset; an eventfd cannot be
 * reopened (ENXIO).
 */
#include <sys/eventfd.h>
#include "harness.h"

static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags);
}

TEST(proc_fd_reopen, pipe_ends)
{
	int p[2], r, w;
	char buf[8] = { 0 };

	CHECK(pipe(p));
	w = CHECK(reopen(p[1], O_WRONLY));
	CHECK(write(w, "via", 3));
	EXPECT_RET(read(p[0], buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "via");
	r = CHECK(reopen(p[0], O_RDONLY));
	CHECK(write(p[1], "back", 4));
	memset(buf, 0, sizeof(buf));
	EXPECT_RET(read(r, buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "back");
	close(p[1]);
	close(w);
	EXPECT_RET(read(r, buf, sizeof(buf)), 0);	/* every writer gone: EOF */
	close(r);
	close(p[0]);
}

TEST(proc_fd_reopen, regular_file_has_own_offset)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600)), again;
	char c = 0;

	CHECK(write(fd, "abc", 3));
	again = CHECK(reopen(fd, O_RDONLY));
	EXPECT_RET(read(again, &c, 1), 1);
	EXPECT_EQ(c, 'a');
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 3);
	close(again);
	close(fd);
}

TEST(proc_fd_reopen, eventfd_is_enxio)
{
	int fd = CHECK(eventfd(0, 0));

	EXPECT_ERRNO(reopen(fd, O_RDWR), ENXIO);
	close(fd);
}
