/* SPDX-License-Identifier: MIT */
/* Starting a Sentry: what the runtime hands over, and the call that runs the sandbox. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * `cvisor kill` reaches the sandbox's init through this host signal, sent
 * with sigqueue(): its value is the guest signal number, | SENTRY_RELAY_ALL
 * for every process of the sandbox. The supervisor passes it on to the
 * Sentry. A real-time signal: glibc keeps 32..34 for itself, guests never
 * see host signals, and no other part of cvisor uses this one.
 */
#define SENTRY_RELAY_SIGNAL 40
#define SENTRY_RELAY_ALL 0x100

/* A host directory served by the Gofer (attached by its guest path) and mounted there, write-through. */
struct sentry_volume {
	const char *guest;		/* absolute path in the sandbox */
	bool ro;			/* mounted MS_RDONLY (the Gofer refuses writes too) */
	bool tmpfs;			/* not the Gofer's: a new tmpfs in sandbox memory (OCI tmpfs mount) */
	uint32_t mode;			/* tmpfs: its root's mode (0: 01777) */
};

struct sentry_config {
	const char *root;		/* host directory for the root filesystem */
	/*
	 * Root served over 9P2000.L instead (the Gofer, or a server such as
	 * diod): a connected stream socket the Sentry inherits and owns, and
	 * the name to attach to. The Sentry then opens no host path for it.
	 */
	bool p9;
	int p9_fd;
	const char *p9_aname;
	/* The root written through to the server (--overlay=none), not a tmpfs overlay in memory. */
	bool root_write_through;
	bool root_readonly;		/* the root is mounted MS_RDONLY (OCI root.readonly) */
	const struct sentry_volume *volumes;	/* exported by the same 9P server */
	int nvolumes;
	const char *platform;		/* "systrap", "ptrace"; NULL: the default */
	bool syscall_patching;		/* the platform may patch syscall sites (systrap) */
	const char *cwd;		/* initial working directory inside the sandbox */
	char **argv;			/* command; argv[0] is looked up in PATH when it has no '/' */
	char **envp;
	const char *hostname;
	/* The init process's identity and limits (an OCI process; `cvisor do` leaves them 0: root) */
	uint32_t uid, gid;
	const uint32_t *groups;		/* supplementary groups */
	size_t ngroups;
	bool set_umask;
	uint32_t umask;
	bool no_new_privs;
	struct sentry_rlimit {
		int resource;		/* RLIMIT_* */
		uint64_t soft, hard;
	} *rlimits;
	size_t nrlimits;
	/* classic-BPF seccomp filter (8-byte instructions) every process of the sandbox starts with; NULL: none */
	const void *seccomp_prog;
	size_t seccomp_len;
	int control_fd;			/* listening socket for `cvisor exec` (control.h); -1: none */
	bool debug;
	bool strace;
	bool report_unsupported;	/* summary of unsupported syscalls/features at exit */
	const char *strace_syscalls;	/* comma-separated filter, NULL for all */
};

/* Boots the sandbox, runs the command to completion and returns its exit code
 * (128 + signal when it was killed), or a negative errno when it could not start. */
int sentry_run(const struct sentry_config *cfg);
