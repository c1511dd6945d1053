// SPDX-License-Identifier: MIT
/*
 * `cvisor spec [--bundle DIR]`: write a default config.json (runc's
 * defaults, oci/default.c) into DIR (default: the current directory),
 * refusing to overwrite one, as runc does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/oci/spec.h"
#include "runtime/runtime.h"

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int cmd_spec(int argc, char **argv, const struct global_opts *g)
{
	const char *bundle = ".";
	char path[PATH_MAX];
	char *json;
	int fd;

	(void)g;
	for (int k = 1; k < argc; k++) {
		if ((strcmp(argv[k], "--bundle") == 0 || strcmp(argv[k], "-b") == 0) && k + 1 < argc) {
			bundle = argv[++k];
		} else if (strncmp(argv[k], "--bundle=", 9) == 0) {
			bundle = argv[k] + 9;
		} else if (strcmp(argv[k], "--rootless") == 0) {
			fprintf(stderr, "cvisor spec: --rootless is not supported yet\n");
			return 1;
		} else {
			fprintf(stderr, "usage: cvisor spec [--bundle DIR]\n");
			return strcmp(argv[k], "--help") == 0 ? 0 : 2;
		}
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >= sizeof(path)) {
		fprintf(stderr, "cvisor spec: bundle path too long\n");
		return 1;
	}
	json = oci_spec_default();
	if (!json) {
		fprintf(stderr, "cvisor spec: out of memory\n");
		return 1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == EEXIST)
			fprintf(stderr, "cvisor spec: %s exists; remove it first\n", path);
		else
			fprintf(stderr, "cvisor spec: cannot create %s: %s\n", path, strerror(errno));
		free(json);
		return 1;
	}
	if (write_all(fd, json, strlen(json)) || write_all(fd, "\n", 1) || close(fd)) {
		fprintf(stderr, "cvisor spec: cannot write %s: %s\n", path, strerror(errno));
		unlink(path);
		free(json);
		return 1;
	}
	free(json);
	return 0;
}
