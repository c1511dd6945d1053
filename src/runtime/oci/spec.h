/* SPDX-License-Identifier: MIT */
/*
 * An OCI bundle's config.json, parsed and checked (runtime-spec 1.x,
 * Linux): what the runtime needs of it, in C types. Parsing is by jansson;
 * every error names the file, the property ("process.args[2]") and the
 * problem. Unknown properties are ignored, as the spec requires of
 * runtimes, and each is logged once at debug level so a misspelling can
 * be found; an unknown *value* of a known property (a namespace type, an
 * rlimit, a seccomp action) is an error, as in runc.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCI_ERR_MAX 512

struct oci_error {
	char msg[OCI_ERR_MAX];
};

struct oci_rlimit {
	int resource;			/* RLIMIT_* */
	uint64_t soft, hard;
};

struct oci_mount {
	char *destination;		/* absolute */
	char *type;			/* may be NULL (a bind mount) */
	char *source;			/* may be NULL */
	char **options;			/* NULL-terminated */
};

struct oci_namespace {
	int type;			/* CLONE_NEW* */
	char *path;			/* join this one; NULL: a new one */
};

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_KINDS
};

struct oci_hook {
	char *path;			/* absolute */
	char **args;			/* NULL-terminated; may be NULL */
	char **env;			/* NULL-terminated; may be NULL */
	int timeout_s;			/* 0: none */
};

enum oci_seccomp_action {
	OCI_SCMP_KILL_THREAD,		/* SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD */
	OCI_SCMP_KILL_PROCESS,
	OCI_SCMP_TRAP,
	OCI_SCMP_ERRNO,
	OCI_SCMP_TRACE,
	OCI_SCMP_ALLOW,
	OCI_SCMP_LOG,
	OCI_SCMP_NOTIFY,
};

enum oci_seccomp_op { OCI_OP_NE, OCI_OP_LT, OCI_OP_LE, OCI_OP_EQ, OCI_OP_GE, OCI_OP_GT, OCI_OP_MASKED_EQ };

#define OCI_SECCOMP_MAX_ARGS 6

struct oci_seccomp_arg {
	unsigned index;			/* 0..5 */
	uint64_t value, value_two;
	enum oci_seccomp_op op;
};

struct oci_seccomp_rule {
	char **names;			/* NULL-terminated, at least one */
	enum oci_seccomp_action action;
	uint32_t errno_ret;		/* ERRNO/TRACE; EPERM when not given */
	struct oci_seccomp_arg args[OCI_SECCOMP_MAX_ARGS];
	size_t nargs;
};

struct oci_seccomp {
	enum oci_seccomp_action default_action;
	uint32_t default_errno_ret;
	struct oci_seccomp_rule *rules;
	size_t nrules;
};

/* Capability sets as bit masks of CAP_* numbers. */
enum oci_cap_set { OCI_CAP_BOUNDING, OCI_CAP_EFFECTIVE, OCI_CAP_INHERITABLE, OCI_CAP_PERMITTED,
		   OCI_CAP_AMBIENT, OCI_CAP_SETS };

struct oci_process {
	bool terminal;
	unsigned console_height, console_width;
	uint32_t uid, gid;
	uint32_t *additional_gids;
	size_t nadditional_gids;
	bool has_umask;
	uint32_t umask;
	char **args;			/* NULL-terminated, at least one */
	char **env;			/* NULL-terminated; may be empty */
	char *cwd;			/* absolute */
	uint64_t caps[OCI_CAP_SETS];
	struct oci_rlimit *rlimits;
	size_t nrlimits;
	bool no_new_privileges;
	int oom_score_adj;
	bool has_oom_score_adj;
};

/* linux.resources; -1 (or 0 for cpu_shares) where not given. */
struct oci_resources {
	int64_t memory_limit, memory_reservation, memory_swap;
	int64_t pids_limit;
	int64_t cpu_quota;
	uint64_t cpu_period, cpu_shares;
};

struct oci_spec {
	char *oci_version;
	char *root_path;		/* as written: relative to the bundle, or absolute */
	bool root_readonly;
	bool has_process;
	struct oci_process process;
	char *hostname;			/* may be NULL */
	struct oci_mount *mounts;
	size_t nmounts;
	char **annotation_keys, **annotation_values;
	size_t nannotations;
	struct oci_hook *hooks[OCI_HOOK_KINDS];
	size_t nhooks[OCI_HOOK_KINDS];
	/* linux */
	struct oci_namespace *namespaces;
	size_t nnamespaces;
	struct oci_resources resources;
	char *cgroups_path;		/* may be NULL */
	char **masked_paths, **readonly_paths;	/* NULL-terminated; may be NULL */
	struct oci_seccomp *seccomp;	/* NULL: none */
};

/* Parse @path (a config.json): 0 and *out (free with oci_spec_free), or -1 with @err filled. */
int oci_spec_load(const char *path, struct oci_spec **out, struct oci_error *err);
/* The same from a string; @name stands for the file in messages. */
int oci_spec_parse(const char *json, size_t len, const char *name, struct oci_spec **out, struct oci_error *err);
void oci_spec_free(struct oci_spec *spec);
/* A process.json (`cvisor exec --process`): the "process" object of a config.json, alone. */
int oci_process_load(const char *path, struct oci_process *p, struct oci_error *err);
void oci_process_free(struct oci_process *p);

/* A value of the spec's namespace types ("pid", "network"...), or 0. */
int oci_namespace_type(const char *name);
/* The CAP_* number of "CAP_CHOWN" and the like, or -1. */
int oci_capability(const char *name);
/* The name of capability @cap ("CAP_CHOWN"), NULL past the last one known. */
const char *oci_capability_name(int cap);

/* The annotations as a JSON object ("{}" when none), malloc'd. */
char *oci_spec_annotations_json(const struct oci_spec *spec);

/* The default config.json `cvisor spec` writes (runc's, with the same defaults), NUL-terminated, malloc'd. */
char *oci_spec_default(void);
