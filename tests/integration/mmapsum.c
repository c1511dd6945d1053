// SPDX-License-Identifier: MIT
/*
 * mmapsum FILE shared|private: map FILE read-only and hash every byte
 * through the mapping (FNV-1a over 64-bit words), so that each page is
 * faulted in once; prints the hash and the size. The same output natively
 * and in a sandbox means the mapping showed the file's data.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const uint64_t *w;
	uint64_t h = 0xcbf29ce484222325ULL;
	struct stat st;
	int fd;

	if (argc != 3 || (strcmp(argv[2], "shared") && strcmp(argv[2], "private"))) {
		fprintf(stderr, "usage: mmapsum FILE shared|private\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size % 8) {
		perror(argv[1]);
		return 1;
	}
	w = mmap(NULL, (size_t)st.st_size, PROT_READ, strcmp(argv[2], "shared") ? MAP_PRIVATE : MAP_SHARED, fd, 0);
	if (w == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (size_t k = 0; k < (size_t)st.st_size / 8; k++)
		h = (h ^ w[k]) * 0x100000001b3ULL;
	printf("%016" PRIx64 " %lld\n", h, (long long)st.st_size);
	return 0;
}
