/* SPDX-License-Identifier: MIT */
/* The OCI runtime front end: global options and verb handlers. */
#pragma once
#include <stdbool.h>

struct global_opts {
	bool debug;
	const char *log_file;		/* --log */
	const char *log_format;		/* --log-format text|json */
	const char *debug_log_dir;	/* --debug-log DIR */
	const char *platform;
	bool no_syscall_patching;	/* --syscall-patching=false */
	bool strace;
	const char *strace_syscalls;
};

int cmd_do(int argc, char **argv, const struct global_opts *g);
int cmd_spec(int argc, char **argv, const struct global_opts *g);
int cmd_syscalls(int argc, char **argv, const struct global_opts *g);
