// SPDX-License-Identifier: MIT
/*
 * Micro-benchmarks, one static binary: `micro NAME ITERATIONS` runs one and
 * prints its cost per operation in nanoseconds (throughputs in MB/s, marked
 * with a trailing "MB/s"). Prints "n/a" when the kernel under test lacks
 * what the benchmark needs. Used by bench/run.py natively, under cvisor and
 * under runsc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static const char *scratch(void)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/micro.%d", getpid());
	return path;
}

static double bench_getppid(long n)
{
	double t = now_ns();

	for (long i = 0; i < n; i++)
		getppid();	/* the libc wrapper: `mov $nr, %eax; syscall`, what programs run */
	return (now_ns() - t) / n;
}

static double bench_clock_gettime(long n)
{
	struct timespec ts;
	double t = now_ns();

	for (long i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (now_ns() - t) / n;
}

static double bench_read_1byte(long n)
{
	int fd = open("/dev/zero", O_RDONLY);
	char c;
	double t;

	if (fd < 0)
		return -1;
	t = now_ns();
	for (long i = 0; i < n; i++)
		if (read(fd, &c, 1) != 1)
			return -1;
	t = (now_ns() - t) / n;
	close(fd);
	return t;
}

static double bench_open_read_close(long n)
{
	char buf[64];
	int fd = open(scratch(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
	double t;

	if (fd < 0 || write(fd, "0123456789", 10) != 10)
		return -1;
	close(fd);
	t = now_ns();
	for (long i = 0; i < n; i++) {
		fd = open(scratch(), O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) != 10)
			return -1;
		close(fd);
	}
	t = (now_ns() - t) / n;
	unlink(scratch());
	return t;
}

/* The file the lower-layer benchmarks read (argv[3]; an image file, not a scratch one). */
static const char *g_path = "/bin/busybox";

/* open + read 4 KiB + close of an image file that is already cached (one read first). */
static double bench_open_read4k_close(long n)
{
	static char buf[4096];
	double t = 0;

	for (long i = -1; i < n; i++) {
		int fd;

		if (i == 0)
			t = now_ns();
		fd = open(g_path, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return -1;
		close(fd);
	}
	return (now_ns() - t) / n;
}

/* The first read of a whole file, 1 MiB at a time, open included: MB/s. Iterations are ignored. */
static double bench_first_read(long n)
{
	size_t size = 1 << 20;
	char *buf = malloc(size);
	double t = now_ns(), total = 0;
	int fd = open(g_path, O_RDONLY);
	ssize_t got;

	(void)n;
	if (fd < 0 || !buf)
		return -1;
	while ((got = read(fd, buf, size)) > 0)
		total += (double)got;
	close(fd);
	free(buf);
	if (got < 0 || total == 0)
		return -1;
	return total / ((now_ns() - t) / 1e9) / 1e6;
}

static double bench_stat(long n)
{
	struct stat st;
	double t = now_ns();

	for (long i = 0; i < n; i++)
		if (stat("/bin", &st))
			return -1;
	return (now_ns() - t) / n;
}

static double bench_create_write_unlink(long n)
{
	double t = now_ns();

	for (long i = 0; i < n; i++) {
		int fd = open(scratch(), O_CREAT | O_WRONLY | O_TRUNC, 0600);

		if (fd < 0 || write(fd, "x", 1) != 1)
			return -1;
		close(fd);
		unlink(scratch());
	}
	return (now_ns() - t) / n;
}

/* MB/s through a pipe to a child, 64 KiB writes. */
static double bench_pipe_throughput(long n)
{
	static char buf[65536];
	int p[2];
	double t;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	t = now_ns();
	for (long i = 0; i < n; i++)
		if (write(p[1], buf, sizeof(buf)) != sizeof(buf))
			return -1;
	close(p[1]);
	waitpid(pid, NULL, 0);
	t = now_ns() - t;
	return (double)n * sizeof(buf) / (1 << 20) / (t / 1e9);
}

/* Round trip of one byte between two processes. */
static double bench_pipe_pingpong(long n)
{
	int a[2], b[2];
	char c = 0;
	double t;
	pid_t pid;

	if (pipe(a) || pipe(b))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1)
			if (write(b[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	t = now_ns();
	for (long i = 0; i < n; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			return -1;
	t = (now_ns() - t) / n;
	close(a[1]);
	waitpid(pid, NULL, 0);
	return t;
}

static double bench_fork_exit_wait(long n)
{
	double t = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return -1;
	}
	return (now_ns() - t) / n;
}

static double bench_fork_exec_wait(long n)
{
	double t = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return -1;
	}
	return (now_ns() - t) / n;
}

static void *thread_fn(void *arg)
{
	return arg;
}

static double bench_thread_create_join(long n)
{
	double t = now_ns();

	for (long i = 0; i < n; i++) {
		pthread_t th;

		if (pthread_create(&th, NULL, thread_fn, NULL))
			return -1;
		pthread_join(th, NULL);
	}
	return (now_ns() - t) / n;
}

/* mmap 64 KiB, touch every page, unmap. */
static double bench_mmap_touch_munmap(long n)
{
	double t = now_ns();

	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		for (int k = 0; k < 65536; k += 4096)
			p[k] = 1;
		munmap(p, 65536);
	}
	return (now_ns() - t) / n;
}

/* ns per page of first-touch faults over n MiB. */
static double bench_page_faults(long n)
{
	size_t size = (size_t)n << 20;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t;

	if (p == MAP_FAILED)
		return -1;
	t = now_ns();
	for (size_t k = 0; k < size; k += 4096)
		p[k] = 1;
	t = (now_ns() - t) / (size / 4096);
	munmap(p, size);
	return t;
}

static int tcp_pair(int *client, int *server)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) || getsockname(l, (void *)&a, &len))
		return -1;
	*client = socket(AF_INET, SOCK_STREAM, 0);
	if (*client < 0 || connect(*client, (void *)&a, sizeof(a)))
		return -1;
	*server = accept(l, NULL, NULL);
	close(l);
	return *server < 0 ? -1 : 0;
}

static double bench_tcp_throughput(long n)
{
	static char buf[65536];
	int c, s;
	double t;
	pid_t pid;

	if (tcp_pair(&c, &s))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(c);
		while (read(s, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(s);
	t = now_ns();
	for (long i = 0; i < n; i++)
		if (write(c, buf, sizeof(buf)) != sizeof(buf))
			return -1;
	close(c);
	waitpid(pid, NULL, 0);
	t = now_ns() - t;
	return (double)n * sizeof(buf) / (1 << 20) / (t / 1e9);
}

static double bench_tcp_rr(long n)
{
	int c, s;
	char b = 0;
	double t;
	pid_t pid;

	if (tcp_pair(&c, &s))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(c);
		while (read(s, &b, 1) == 1)
			if (write(s, &b, 1) != 1)
				break;
		_exit(0);
	}
	close(s);
	t = now_ns();
	for (long i = 0; i < n; i++)
		if (write(c, &b, 1) != 1 || read(c, &b, 1) != 1)
			return -1;
	t = (now_ns() - t) / n;
	close(c);
	waitpid(pid, NULL, 0);
	return t;
}

/* Extra arguments of the file benchmarks: micro tar_xf 1 ARCHIVE DEST_DIR TAR_PROGRAM. */
static char **g_args;
static int g_nargs;

/*
 * `TAR_PROGRAM tar xf ARCHIVE -C DEST_DIR/x.PID` (busybox), fork and exec
 * included: wall time in ns. Iterations are ignored.
 */
static double bench_tar_xf(long n)
{
	char dest[256];
	double t;
	pid_t pid;
	int status;

	(void)n;
	if (g_nargs < 3)
		return -1;
	snprintf(dest, sizeof(dest), "%s/x.%d", g_args[1], getpid());
	if (mkdir(dest, 0755))
		return -1;
	t = now_ns();
	pid = fork();
	if (pid == 0) {
		execl(g_args[2], "tar", "xf", g_args[0], "-C", dest, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return now_ns() - t;
}

static const struct {
	const char *name;
	double (*fn)(long n);
	int throughput;
} benches[] = {
	{ "getppid", bench_getppid, 0 },
	{ "clock_gettime", bench_clock_gettime, 0 },
	{ "read_1byte", bench_read_1byte, 0 },
	{ "open_read_close", bench_open_read_close, 0 },
	{ "stat", bench_stat, 0 },
	{ "create_write_unlink", bench_create_write_unlink, 0 },
	{ "pipe_throughput", bench_pipe_throughput, 1 },
	{ "pipe_pingpong", bench_pipe_pingpong, 0 },
	{ "fork_exit_wait", bench_fork_exit_wait, 0 },
	{ "fork_exec_wait", bench_fork_exec_wait, 0 },
	{ "thread_create_join", bench_thread_create_join, 0 },
	{ "mmap_touch_munmap", bench_mmap_touch_munmap, 0 },
	{ "page_faults", bench_page_faults, 0 },
	{ "tcp_throughput", bench_tcp_throughput, 1 },
	{ "tcp_rr", bench_tcp_rr, 0 },
	{ "open_read4k_close", bench_open_read4k_close, 0 },	/* micro NAME N [PATH] */
	{ "first_read", bench_first_read, 1 },
	{ "tar_xf", bench_tar_xf, 0 },		/* micro tar_xf 1 ARCHIVE DEST_DIR TAR_PROGRAM */
};

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 1000;

	if (argc > 3) {
		g_path = argv[3];
		g_args = argv + 3;
		g_nargs = argc - 3;
	}

	if (argc > 1 && strcmp(argv[1], "list") == 0) {
		for (size_t k = 0; k < sizeof(benches) / sizeof(benches[0]); k++)
			printf("%s\n", benches[k].name);
		return 0;
	}
	for (size_t k = 0; argc > 1 && k < sizeof(benches) / sizeof(benches[0]); k++) {
		if (strcmp(argv[1], benches[k].name) == 0) {
			double v = benches[k].fn(n > 0 ? n : 1);

			if (v < 0)
				printf("n/a\n");
			else
				printf("%.1f%s\n", v, benches[k].throughput ? " MB/s" : "");
			return 0;
		}
	}
	fprintf(stderr, "usage: micro list | micro NAME ITERATIONS [PATH | ARCHIVE DEST_DIR TAR_PROGRAM]\n");
	return 2;
}
