// SPDX-License-Identifier: MIT
/*
 * posix_spawn(3) as glibc does it: clone(CLONE_VM | CLONE_VFORK) onto a
 * separate stack. The child reports an exec failure through memory it
 * shares with the parent, so a missing program must come back as ENOENT
 * from posix_spawn itself, and a good one runs with our argv and status.
 */
#include <spawn.h>
#include "harness.h"

extern char **environ;

int harness_child_main(int argc, char **argv)
{
	return argc == 3 ? atoi(argv[2]) : 100;
}

TEST(posix_spawn, runs_child_with_argv)
{
	char **argv = child_argv("23", NULL);
	pid_t pid;

	EXPECT_RET(posix_spawn(&pid, argv[0], NULL, NULL, argv, environ), 0);
	EXPECT_EXITED(wait_status(pid), 23);
}

TEST(posix_spawn, missing_program_is_enoent)
{
	char nope[] = "nope", *argv[] = { nope, NULL };
	pid_t pid = -1;

	EXPECT_RET(posix_spawn(&pid, "/no/such/program", NULL, NULL, argv, environ), ENOENT);
}

TEST(posix_spawn, file_actions_apply_in_child)
{
	posix_spawn_file_actions_t fa;
	char **argv = child_argv("0", NULL);
	const char *path = tmp_path("spawned-out");
	struct stat st;
	pid_t pid;

	CHECK(posix_spawn_file_actions_init(&fa));
	CHECK(posix_spawn_file_actions_addopen(&fa, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
	EXPECT_RET(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_RET(stat(path, &st), 0);
	posix_spawn_file_actions_destroy(&fa);
}
