// SPDX-License-Identifier: MIT
/*
 * execve(2) of this program in child mode: argv and envp arrive intact
 * (empty strings and spaces included) and the image is fresh; the pid and
 * parent stay the same; descriptors survive unless FD_CLOEXEC; ignored
 * signals stay ignored, caught ones revert to SIG_DFL and the signal mask
 * is kept; "#!" scripts run their interpreter with the script path inserted
 * (this program as interpreter; /bin/sh is optional); E2BIG for an argument
 * above 128 KiB, EACCES for a directory.
 */
#include <signal.h>

#include "harness.h"

extern char **environ;
static int marker;

static void on_usr2(int sig)
{
	(void)sig;
}

/* Returns 0 when the state this child mode was started to check is right. */
int harness_child_main(int argc, char **argv)
{
	const char *verb = argc > 2 ? argv[2] : "";
	struct sigaction sa;
	sigset_t mask;

	if (!strcmp(verb, "args")) {
		static const char *want[] = { "one", "two words", "", "last" };
		static const char *env[] = { "A=1", "B=with space", "EMPTY=" };
		int i;

		if (argc != 7 || marker != 0)
			return 1;
		for (i = 0; i < 4; i++)
			if (strcmp(argv[3 + i], want[i]))
				return 2;
		for (i = 0; i < 3; i++)
			if (!environ[i] || strcmp(environ[i], env[i]))
				return 3;
		return environ[3] ? 4 : 0;
	}
	if (!strcmp(verb, "ids") && argc == 4) {
		long ids[2] = { getpid(), getppid() };

		if (write(atoi(argv[3]), ids, sizeof(ids)) != sizeof(ids))
			return 1;
		return 0;
	}
	if (!strcmp(verb, "fds") && argc == 5) {
		if (fcntl(atoi(argv[3]), F_GETFD) != 0)
			return 1;
		if (fcntl(atoi(argv[4]), F_GETFD) != -1 || errno != EBADF)
			return 2;
		return 0;
	}
	if (!strcmp(verb, "signals")) {
		if (sigaction(SIGUSR1, NULL, &sa) || sa.sa_handler != SIG_IGN)
			return 1;
		if (sigaction(SIGUSR2, NULL, &sa) || sa.sa_handler != SIG_DFL)
			return 2;
		if (sigprocmask(SIG_BLOCK, NULL, &mask) ||
		    !sigismember(&mask, SIGTERM))
			return 3;
		return sigismember(&mask, SIGUSR1) ? 4 : 0;
	}
	/* "#!<this program> --child" puts the script's path where a verb goes */
	if (strstr(verb, "/script"))
		return argc == 4 && !strcmp(argv[3], "x") ? 42 : 1;
	return 100;
}

/* Forks, runs execve(argv[0], argv, envp) in the child, returns its status. */
static int run(char **argv, char **envp)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	return wait_status(pid);
}

TEST(execve, argv_and_envp_round_trip)
{
	char **argv = child_argv("args", "one", "two words", "", "last", NULL);
	char a[] = "A=1", b[] = "B=with space", e[] = "EMPTY=";
	char *envp[] = { a, b, e, NULL };

	marker = 1;
	EXPECT_EXITED(run(argv, envp), 0);
}

TEST(execve, keeps_pid_and_parent)
{
	char fd_arg[16], **argv;
	long ids[2] = { 0, 0 };
	char *envp[] = { NULL };
	int p[2];
	pid_t pid;

	CHECK(pipe(p));
	snprintf(fd_arg, sizeof(fd_arg), "%d", p[1]);
	argv = child_argv("ids", fd_arg, NULL);
	pid = CHECK(fork());
	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(p[1]);
	EXPECT_RET(read(p[0], ids, sizeof(ids)), sizeof(ids));
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(ids[0], pid);
	EXPECT_EQ(ids[1], getpid());
	close(p[0]);
}

TEST(execve, cloexec_descriptors_close)
{
	int keep = CHECK(open("/dev/null", O_RDONLY));
	int gone = CHECK(open("/dev/null", O_RDONLY | O_CLOEXEC));
	char k[16], g[16];
	char *envp[] = { NULL };

	snprintf(k, sizeof(k), "%d", keep);
	snprintf(g, sizeof(g), "%d", gone);
	EXPECT_EXITED(run(child_argv("fds", k, g, NULL), envp), 0);
	close(keep);
	close(gone);
}

TEST(execve, signal_dispositions_and_mask)
{
	struct sigaction ign = { .sa_handler = SIG_IGN },
			 catch = { .sa_handler = on_usr2 };
	struct sigaction old1, old2;
	sigset_t block, oldmask;
	char *envp[] = { NULL };

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	CHECK(sigaction(SIGUSR1, &ign, &old1));
	CHECK(sigaction(SIGUSR2, &catch, &old2));
	CHECK(sigprocmask(SIG_BLOCK, &block, &oldmask));
	EXPECT_EXITED(run(child_argv("signals", NULL), envp), 0);
	CHECK(sigprocmask(SIG_SETMASK, &oldmask, NULL));
	CHECK(sigaction(SIGUSR1, &old1, NULL));
	CHECK(sigaction(SIGUSR2, &old2, NULL));
}

TEST(execve, script_with_self_as_interpreter)
{
	char self[PATH_MAX], line[PATH_MAX + 32], x[] = "x";
	const char *script = tmp_path("script");
	char *argv[] = { (char *)script, x, NULL }, *envp[] = { NULL };
	long n;
	int fd;

	n = CHECK(readlink("/proc/self/exe", self, sizeof(self) - 1));
	self[n] = '\0';
	snprintf(line, sizeof(line), "#!%s " HARNESS_CHILD_ARG "\n", self);
	fd = CHECK(open(script, O_WRONLY | O_CREAT, 0755));
	CHECK(write(fd, line, strlen(line)));
	close(fd);
	EXPECT_EXITED(run(argv, envp), 42);
}

TEST(execve, bin_sh_script)
{
	const char *script = tmp_path("s.sh");
	char *argv[] = { (char *)script, NULL }, *envp[] = { NULL };
	int fd;

	if (access("/bin/sh", X_OK))
		SKIP("no /bin/sh");
	fd = CHECK(open(script, O_WRONLY | O_CREAT, 0755));
	CHECK(write(fd, "#!/bin/sh\nexit 3\n", 17));
	close(fd);
	EXPECT_EXITED(run(argv, envp), 3);
}

TEST(execve, errors)
{
	size_t big = 200 * 1024;
	char *huge = malloc(big + 1);
	char *argv[] = { (char *)harness_self(), huge, NULL }, *envp[] = { NULL };

	EXPECT_TRUE(huge != NULL);
	if (!huge)
		return;
	memset(huge, 'a', big);
	huge[big] = '\0';
	EXPECT_ERRNO(execve(argv[0], argv, envp), E2BIG);
	argv[1] = NULL;
	CHECK(mkdir(tmp_path("d"), 0755));
	EXPECT_ERRNO(execve(tmp_path("d"), argv, envp), EACCES);
	free(huge);
}
