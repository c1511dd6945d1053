// SPDX-License-Identifier: MIT
/*
 * A fixed sequence of system calls for the --strace transcript test: file
 * I/O, an error, a pipe, a blocking sleep (unfinished/resumed), signals and
 * exit. It writes with write(2) only, so stdio adds no calls of its own.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	struct timespec ts = { 0, 10000000 };
	struct stat st;
	char buf[16];
	int fd, p[2];

	fd = open("/tmp/strace-probe", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, "hello\n", 6);
	close(fd);
	fd = open("/tmp/strace-probe", O_RDONLY);
	read(fd, buf, sizeof(buf));
	lseek(fd, 0, SEEK_SET);
	close(fd);
	stat("/tmp/strace-probe", &st);
	open("/nonexistent", O_RDONLY);
	pipe2(p, O_CLOEXEC);
	nanosleep(&ts, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	unlink("/tmp/strace-probe");
	write(1, "done\n", 5);
	return 3;
}
