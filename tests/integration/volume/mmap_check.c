// SPDX-License-Identifier: MIT
/*
 * mmap of a file in a volume (tests/integration/volume.sh): prints one line
 * per case. usage: mmap_check FILE (FILE holds at least 5 bytes)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
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

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	map_case("private-ro", argv[1], O_RDONLY, PROT_READ, MAP_PRIVATE);
	map_case("private-rw", argv[1], O_RDWR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	map_case("shared-ro", argv[1], O_RDONLY, PROT_READ, MAP_SHARED);
	map_case("shared-rdwr", argv[1], O_RDWR, PROT_READ, MAP_SHARED);
	return 0;
}
