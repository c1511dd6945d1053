// SPDX-License-Identifier: MIT
/*
 * `cvisor do [--root DIR] [--cwd DIR] [--env K=V]... [--platform NAME] [--] CMD [ARG...]`:
 * run one command in a new sandbox, with stdio connected, and exit with its status.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/runtime.h"
#include "sentry/sentry.h"

static void do_usage(FILE *out)
{
	fprintf(out, "usage: cvisor do [--root DIR] [--cwd DIR] [--env NAME=VALUE]... [--platform NAME]\n"
		     "                 [--strace] [--strace-syscalls=LIST] [--report-unsupported] [--] COMMAND [ARG...]\n");
}

static char **add_env(char **env, size_t *n, const char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t k = 0; k < *n; k++)
		if (strncmp(env[k], kv, klen) == 0 && env[k][klen] == '=') {
			env[k] = (char *)kv;
			return env;
		}
	env = xrealloc(env, (*n + 2) * sizeof(char *));
	env[(*n)++] = (char *)kv;
	env[*n] = NULL;
	return env;
}

int cmd_do(int argc, char **argv, const struct global_opts *g)
{
	struct sentry_config cfg = { .root = "/", .platform = g->platform,
				     .syscall_patching = !g->no_syscall_patching, .debug = g->debug, .cwd = "/",
				     .strace = g->strace, .strace_syscalls = g->strace_syscalls };
	size_t nenv = 0;
	char **env = NULL;
	const char *term = getenv("TERM");
	struct stat st;
	int k = 1, ret;

	env = add_env(env, &nenv, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env = add_env(env, &nenv, "HOME=/root");
	if (term) {
		static char termvar[256];

		snprintf(termvar, sizeof(termvar), "TERM=%s", term);
		env = add_env(env, &nenv, termvar);
	}
	for (; k < argc; k++) {
		if (strcmp(argv[k], "--") == 0) {
			k++;
			break;
		} else if (strcmp(argv[k], "--root") == 0 && k + 1 < argc) {
			cfg.root = argv[++k];
		} else if (strcmp(argv[k], "--cwd") == 0 && k + 1 < argc) {
			cfg.cwd = argv[++k];
		} else if (strcmp(argv[k], "--env") == 0 && k + 1 < argc) {
			if (!strchr(argv[k + 1], '=')) {
				fprintf(stderr, "cvisor do: --env needs NAME=VALUE, got '%s'\n", argv[k + 1]);
				return 2;
			}
			env = add_env(env, &nenv, argv[++k]);
		} else if (strcmp(argv[k], "--report-unsupported") == 0) {
			cfg.report_unsupported = true;
		} else if (strcmp(argv[k], "--strace") == 0) {
			cfg.strace = true;
		} else if (strncmp(argv[k], "--strace-syscalls=", 18) == 0) {
			cfg.strace_syscalls = argv[k] + 18;
		} else if (strcmp(argv[k], "--platform") == 0 && k + 1 < argc) {
			cfg.platform = argv[++k];
		} else if (strcmp(argv[k], "--help") == 0) {
			do_usage(stdout);
			return 0;
		} else if (argv[k][0] == '-') {
			fprintf(stderr, "cvisor do: unknown option '%s'\n", argv[k]);
			do_usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (k >= argc) {
		do_usage(stderr);
		return 2;
	}
	if (stat(cfg.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "cvisor do: root '%s' is not a directory\n", cfg.root);
		return 2;
	}
	cfg.argv = argv + k;
	cfg.envp = env;
	log_info("do: root %s, command %s", cfg.root, cfg.argv[0]);
	if (log_set_component("sentry")) {
		fprintf(stderr, "cvisor do: cannot open the sentry log\n");
		return 125;
	}
	ret = sentry_run(&cfg);
	log_set_component("runtime");
	log_info("do: exit status %d", ret);
	free(env);
	if (ret < 0) {
		fprintf(stderr, "cvisor do: sandbox failed to start\n");
		return 125;
	}
	return ret;
}
