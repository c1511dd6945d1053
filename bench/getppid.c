// SPDX-License-Identifier: MIT
/* Round-trip cost of a trivial syscall: prints ns per getppid(). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	double start = now_ns();

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("%.0f\n", (now_ns() - start) / n);
	return 0;
}
