// SPDX-License-Identifier: MIT
/*
 * Checks of a volume file from inside the sandbox (tests/integration/volume.sh),
 * one line printed per case.
 *   volume_check mmap FILE    mmap each way (FILE holds at least 5 bytes)
 *   volume_check fstat FILE   open FILE, print its size (fstat), "ready",
 *                             wait for a line on stdin (the host grows
 *                             FILE meanwhile), then print fstat's size and
 *                             lseek(SEEK_END)'s, and append through an
 *                             O_APPEND fd opened before: its offset after
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void map_case(const char *name, const char *path, int oflags, int prot, int mflags)
{
	int fd = open(path, oflags);
	char *p;

	if (fd < 0) {
		printf("%s: open %s\n", name, strerror(errno));
		return;
	}
	p = mmap(NULL, 4096, prot, mflags, fd, 0);
	if (p == MAP_FAILED) {
		printf("%s: %s\n", name, strerror(errno));
	} else {
		if (prot & PROT_WRITE)
			p[0] = 'X';	/* private: this copy only */
		printf("%s: %.5s\n", name, p);
		munmap(p, 4096);
	}
	close(fd);
}

static int do_mmap(const char *path)
{
	map_case("private-ro", path, O_RDONLY, PROT_READ, MAP_PRIVATE);
	map_case("private-rw", path, O_RDWR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	map_case("shared-ro", path, O_RDONLY, PROT_READ, MAP_SHARED);
	map_case("shared-rdwr", path, O_RDWR, PROT_READ, MAP_SHARED);
	return 0;
}

static int do_fstat(const char *path)
{
	int fd = open(path, O_RDONLY), afd = open(path, O_WRONLY | O_APPEND);
	struct stat st;
	char line[64];

	if (fd < 0 || afd < 0 || fstat(fd, &st)) {
		printf("open/fstat: %s\n", strerror(errno));
		return 1;
	}
	printf("size %lld\nready\n", (long long)st.st_size);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	if (fstat(fd, &st))
		return 1;
	printf("size %lld\n", (long long)st.st_size);
	printf("end %lld\n", (long long)lseek(fd, 0, SEEK_END));
	if (write(afd, "!", 1) != 1)
		return 1;
	printf("append at %lld\n", (long long)lseek(afd, 0, SEEK_CUR));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "mmap") == 0)
		return do_mmap(argv[2]);
	if (argc == 3 && strcmp(argv[1], "fstat") == 0)
		return do_fstat(argv[2]);
	return 2;
}
