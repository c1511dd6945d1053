/* SPDX-License-Identifier: MIT */
/* The OCI runtime front end: global options and verb handlers. */
#pragma once
#include <stdbool.h>

struct sentry_config;

#define DEFAULT_GRACE_S 10
#define STATUS_RUNTIME_FAILED 125	/* cvisor itself failed: the sandbox could not start, the Sentry crashed */

struct global_opts {
	bool debug;
	const char *log_file;		/* --log */
	const char *log_format;		/* --log-format text|json */
	const char *debug_log_dir;	/* --debug-log DIR */
	const char *platform;
	bool no_syscall_patching;	/* --syscall-patching=false */
	bool strace;
	const char *strace_syscalls;
	const char *state_root;		/* --root: where container state lives (NULL: /run/cvisor) */
	bool systemd_cgroup;		/* --systemd-cgroup (accepted; cgroupfs is used) */
};

#define MAX_VOLUMES 63		/* the gofer serves 64 exports, the root one of them */

/* Where the root's files come from: --9p-socket, --9p-fd, or (default) a gofer of cfg->root. */
struct root_source {
	const char *p9_socket;
	int p9_fd;		/* -1: not given */
	bool gofer;
	const char *aname;
	const char *volume_specs[MAX_VOLUMES];	/* as given, handed to the gofer */
	int nvolumes;
	bool root_ro;		/* the gofer serves the root read-only */
};

struct sentry_volume;
/* Check volume @spec (HOST:GUEST[:ro]) and add it to @src and @vols[src->nvolumes]; 0, or 2 after a message. */
int add_volume(struct root_source *src, struct sentry_volume *vols, const char *spec);

/*
 * Run @cfg's command in a new sandbox over @src as `cvisor do` does: start
 * the gofer, fork the Sentry, supervise it (signals, @grace_s) until it ends.
 * Returns the exit status (the command's, 128+N, STATUS_RUNTIME_FAILED).
 */
int sandbox_run(struct sentry_config *cfg, const struct root_source *src, int grace_s);

int cmd_do(int argc, char **argv, const struct global_opts *g);
int cmd_create(int argc, char **argv, const struct global_opts *g);
int cmd_start(int argc, char **argv, const struct global_opts *g);
int cmd_state(int argc, char **argv, const struct global_opts *g);
int cmd_kill(int argc, char **argv, const struct global_opts *g);
int cmd_delete(int argc, char **argv, const struct global_opts *g);
int cmd_run(int argc, char **argv, const struct global_opts *g);
int cmd_exec(int argc, char **argv, const struct global_opts *g);
int cmd_events(int argc, char **argv, const struct global_opts *g);
int cmd_list(int argc, char **argv, const struct global_opts *g);
int cmd_spec(int argc, char **argv, const struct global_opts *g);
int cmd_syscalls(int argc, char **argv, const struct global_opts *g);
