/* SPDX-License-Identifier: MIT */
/*
 * The runtime's requests to a running sandbox, over the unix stream socket
 * whose listening end the Sentry is given (sentry_config.control_fd;
 * `cvisor create` binds it at ROOT/ID/control.sock). One request per
 * connection; today the only one is exec: start a process in the sandbox.
 *
 *   client -> Sentry   struct sentry_exec_req, then ngroups uint32_t, then
 *                      strings_len bytes "CWD\0ARG0\0...ENV0\0...", with the
 *                      process's stdin, stdout and stderr as SCM_RIGHTS on
 *                      the first byte
 *   Sentry -> client   struct sentry_ctl_reply STARTED (value: its pid in the
 *                      sandbox) or FAILED (-errno), later EXITED (wait status)
 *   client -> Sentry   struct sentry_ctl_msg SIGNAL, any number of times
 * The runtime is the only client (the socket lives in the runtime's state
 * directory), yet every field is bounds-checked as if it were not.
 */
#pragma once
#include <stdint.h>

#define SENTRY_EXEC_MAGIC 0x63766578u	/* "cvex" */
#define SENTRY_EXEC_VERSION 1
#define SENTRY_EXEC_MAX_STRINGS (1u << 20)
#define SENTRY_EXEC_MAX_ARGS 4096
#define SENTRY_EXEC_MAX_GROUPS 256

#define SENTRY_EXEC_SET_UMASK 0x1
#define SENTRY_EXEC_NO_NEW_PRIVS 0x2

struct sentry_exec_req {
	uint32_t magic, version;
	uint32_t uid, gid, umask, flags;
	uint32_t ngroups, nargs, nenv, strings_len;
};

enum { SENTRY_CTL_STARTED = 1, SENTRY_CTL_FAILED = 2, SENTRY_CTL_EXITED = 3, SENTRY_CTL_SIGNAL = 4 };

struct sentry_ctl_reply {
	uint32_t type;
	int32_t value;
};

struct sentry_ctl_msg {
	uint32_t type;
	int32_t value;
};

/* Serve requests on listening socket @fd (taken) from a thread of its own. */
int control_start(int fd);
