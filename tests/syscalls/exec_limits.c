// SPDX-License-Identifier: MIT
/*
 * execve(2) bounds a guest controls: "#!" scripts whose interpreter is
 * another script nest only so deep (ELOOP past that), one argument string
 * is at most MAX_ARG_STRLEN (128 KiB) long (E2BIG), and a script naming
 * itself as its interpreter is a loop (ELOOP), not a hang.
 */
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "harness.h"

#define MAX_ARG_STRLEN (32 * 4096)

int harness_child_main(int argc, char **argv)
{
	/* argv: self --child scriptN ... script1 x */
	if (argc >= 4 && strstr(argv[2], "/script") && !strcmp(argv[argc - 1], "x"))
		return 40 + argc - 3;
	return 100;
}

/* Forks, execs @path with @argv; returns the exit status, or 200 + errno if the exec failed. */
static int run(const char *path, char **argv)
{
	char *envp[] = { NULL };
	pid_t pid = CHECK(fork());
	int status;

	if (pid == 0) {
		execve(path, argv, envp);
		_exit(200 + errno);
	}
	CHECK(waitpid(pid, &status, 0));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_script(const char *path, const char *interp, const char *arg)
{
	char line[PATH_MAX + 64];
	int fd;

	snprintf(line, sizeof(line), "#!%s%s%s\n", interp, arg ? " " : "", arg ? arg : "");
	unlink(path);
	fd = CHECK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755));
	CHECK(write(fd, line, strlen(line)));
	close(fd);
}

/* Runs script1 of a chain script1 -> script2 -> ... -> script@depth -> self. */
static int run_chain(int depth)
{
	char self[PATH_MAX], name[32], x[] = "x";
	char *paths[16];
	long n = CHECK(readlink("/proc/self/exe", self, sizeof(self) - 1));

	self[n] = '\0';
	for (int i = 1; i <= depth; i++) {
		snprintf(name, sizeof(name), "script%d", i);
		paths[i] = tmp_path(name);
	}
	for (int i = 1; i <= depth; i++)
		write_script(paths[i], i == depth ? self : paths[i + 1], i == depth ? HARNESS_CHILD_ARG : NULL);
	char *argv[] = { paths[1], x, NULL };
	return run(paths[1], argv);
}

TEST(exec_limits, script_chain_depth)
{
	for (int depth = 1; depth <= 5; depth++)
		EXPECT_EQ(run_chain(depth), 40 + depth);	/* each script's path is inserted */
	EXPECT_EQ(run_chain(6), 200 + ELOOP);
	EXPECT_EQ(run_chain(8), 200 + ELOOP);
}

TEST(exec_limits, script_is_its_own_interpreter)
{
	const char *path = tmp_path("self");
	char x[] = "x", *argv[] = { (char *)path, x, NULL };

	write_script(path, path, NULL);
	EXPECT_EQ(run(path, argv), 200 + ELOOP);
}

TEST(exec_limits, argument_string_length)
{
	char *big = malloc(MAX_ARG_STRLEN + 1), self[PATH_MAX];
	long n = CHECK(readlink("/proc/self/exe", self, sizeof(self) - 1));
	char child[] = HARNESS_CHILD_ARG, *argv[] = { self, child, big, NULL };

	self[n] = '\0';
	memset(big, 'a', MAX_ARG_STRLEN);
	big[MAX_ARG_STRLEN] = '\0';	/* with its NUL, one byte too long */
	EXPECT_EQ(run(self, argv), 200 + E2BIG);
	big[MAX_ARG_STRLEN - 1] = '\0';	/* exactly the limit: runs (an unknown verb) */
	EXPECT_EQ(run(self, argv), 100);
	free(big);
}
