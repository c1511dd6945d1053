/* SPDX-License-Identifier: MIT */
/* The OCI runtime front end: global options and verb handlers. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "runtime/oci/spec.h"
#include "runtime/oci/state.h"

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

/* "cvisor VERB: " and the message on stderr; returns 1, the status of a failed OCI verb (cmd_oci.c). */
int oci_fail(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* @pid into @path, written aside and renamed so a reader never sees half a number (runc does the same); 0 or -errno. */
int write_pid_file(const char *path, pid_t pid);
/* A connected unix stream socket to @path; -1 with errno set (cmd_do.c). */
int connect_unix(const char *path);

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
int cmd_features(int argc, char **argv, const struct global_opts *g);
int cmd_ps(int argc, char **argv, const struct global_opts *g);
int cmd_pause(int argc, char **argv, const struct global_opts *g);
int cmd_resume(int argc, char **argv, const struct global_opts *g);

/*
 * Run the @kind hooks of @spec (NULL: of the state's bundle) with the state
 * as @s (cmd_misc.c). A failure is, with @fatal, said on stderr and -1;
 * otherwise a logged warning and 0.
 */
int oci_lifecycle_hooks(const char *verb, const struct oci_spec *spec, const struct oci_state *st,
			enum oci_status s, enum oci_hook_kind kind, bool fatal);
/* If @c is paused, continue its processes and drop the mark (delete --force). */
void oci_unpause_for_delete(struct oci_container *c, const struct oci_state *st);
