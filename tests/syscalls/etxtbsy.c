// SPDX-License-Identifier: MIT
/*
 * A running program's file cannot be written: open(O_WRONLY), open(O_RDWR)
 * and truncate() of /proc/self/exe fail with ETXTBSY, in a forked child too
 * (it shares the text). Found by tests/fuzz: cvisor let a worker truncate
 * the fuzzer's own binary, and the driver running it then died of SIGSEGV.
 * The truncate keeps the file's size, so the binary survives even where
 * the call would wrongly succeed.
 */
#include <sys/stat.h>

#include "harness.h"

static void expect_busy(void)
{
	struct stat st;
	int fd;

	CHECK(stat("/proc/self/exe", &st));
	fd = open("/proc/self/exe", O_WRONLY);
	if (fd >= 0)
		close(fd);
	EXPECT_TRUE(fd < 0 && errno == ETXTBSY);
	fd = open("/proc/self/exe", O_RDWR);
	if (fd >= 0)
		close(fd);
	EXPECT_TRUE(fd < 0 && errno == ETXTBSY);
	EXPECT_ERRNO(truncate("/proc/self/exe", st.st_size), ETXTBSY);
	fd = CHECK(open("/proc/self/exe", O_RDONLY));	/* reading is fine */
	close(fd);
}

TEST(etxtbsy, running_program)
{
	expect_busy();
}

TEST(etxtbsy, forked_child)
{
	pid_t pid = CHECK(fork());
	int st;

	if (pid == 0) {
		expect_busy();
		_exit(harness_case_failed ? 1 : 0);
	}
	EXPECT_RET(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED(st, 0);
}
