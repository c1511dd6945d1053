// SPDX-License-Identifier: MIT
/*
 * The cvisor command line: global flags, then a verb. Today: `do`, which
 * runs one command in a fresh sandbox over a root directory. The OCI verbs
 * (create, start, run, ...) join this table later.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "runtime/runtime.h"

static const struct verb {
	const char *name;
	int (*fn)(int argc, char **argv, const struct global_opts *g);
	const char *help;
} verbs[] = {
	{ "do", cmd_do, "run a command in a new sandbox over a root directory" },
	{ "syscalls", cmd_syscalls, "list the system calls the Sentry serves, with their support level" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: cvisor [--debug] [--platform=NAME] [--strace] [--strace-syscalls=LIST] VERB [ARGS...]\n\n"
		     "verbs:\n");
	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		fprintf(out, "  %-8s %s\n", verbs[k].name, verbs[k].help);
}

int main(int argc, char **argv)
{
	struct global_opts g = { .platform = "ptrace" };
	int k = 1;

	for (; k < argc && argv[k][0] == '-'; k++) {
		if (strcmp(argv[k], "--debug") == 0)
			g.debug = true;
		else if (strncmp(argv[k], "--platform=", 11) == 0)
			g.platform = argv[k] + 11;
		else if (strcmp(argv[k], "--strace") == 0)
			g.strace = true;
		else if (strncmp(argv[k], "--strace-syscalls=", 18) == 0)
			g.strace_syscalls = argv[k] + 18;
		else if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "cvisor: unknown option '%s'\n", argv[k]);
			usage(stderr);
			return 2;
		}
	}
	if (k >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
		if (strcmp(argv[k], verbs[v].name) == 0)
			return verbs[v].fn(argc - k, argv + k, &g);
	fprintf(stderr, "cvisor: unknown verb '%s'\n", argv[k]);
	usage(stderr);
	return 2;
}
