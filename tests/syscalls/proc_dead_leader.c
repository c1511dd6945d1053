// SPDX-License-Identifier: MIT
/*
 * /proc/PID of a process whose main thread has exited while another thread
 * lives on: the leader's files, fs and memory are gone, but the directory
 * still names the process. Its fd directory lists nothing, its cwd/root/fd
 * links give ENOENT, and mounts/maps read empty. The Sentry once crashed
 * here (a NULL fd table; found by the fuzzer, seed 128).
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "harness.h"

static int hold_pipe[2];

static void *hold(void *arg)
{
	char c;

	(void)arg;
	/* Lives until the parent closes its end. */
	(void)read(hold_pipe[0], &c, 1);
	_exit(0);
	return NULL;
}

/* 'Z' once the leader has exited (Linux shows it so while threads live). */
static char leader_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static ssize_t read_all(const char *path)
{
	char buf[4096];
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	return n < 0 ? -errno : total;
}

TEST(proc_dead_leader, links_and_listings)
{
	char path[64], buf[256];
	pid_t pid;

	CHECK(pipe(hold_pipe));
	pid = CHECK(fork());
	if (pid == 0) {
		pthread_t th;

		close(hold_pipe[1]);
		if (pthread_create(&th, NULL, hold, NULL))
			_exit(3);
		syscall(SYS_exit, 0);	/* the leader alone */
	}
	close(hold_pipe[0]);
	for (int k = 0; k < 2000 && leader_state(pid) != 'Z'; k++)
		usleep(1000);
	EXPECT_EQ(leader_state(pid), 'Z');

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	EXPECT_EQ(count_entries(path), 0);
	snprintf(path, sizeof(path), "/proc/%d/fd/0", pid);
	EXPECT_EQ(readlink(path, buf, sizeof(buf)), -1);
	EXPECT_EQ(errno, ENOENT);
	EXPECT_EQ(open(path, O_RDONLY), -1);
	EXPECT_EQ(errno, ENOENT);
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	EXPECT_EQ(readlink(path, buf, sizeof(buf)), -1);
	EXPECT_EQ(errno, ENOENT);
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	EXPECT_EQ(readlink(path, buf, sizeof(buf)), -1);
	EXPECT_EQ(errno, ENOENT);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	EXPECT_EQ(read_all(path), 0);

	close(hold_pipe[1]);
	EXPECT_EXITED(wait_status(pid), 0);
}
