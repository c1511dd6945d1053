/* SPDX-License-Identifier: MIT */
/*
 * OCI lifecycle hooks (runtime-spec config.md "POSIX-platform Hooks") and
 * the host process tree of a container (ps, pause, resume).
 *
 * Hooks run on the host, in the runtime's namespaces: the sandbox has no
 * container mount namespace for createContainer and startContainer to
 * enter, so those run where prestart and createRuntime do.
 */
#pragma once
#include <stddef.h>
#include <sys/types.h>
#include "runtime/oci/spec.h"

/* "prestart", "createRuntime"... */
const char *oci_hook_name(enum oci_hook_kind kind);

/*
 * Run the hooks of @kind of @spec in order, each with @state_json on its
 * stdin and our stdout and stderr, killed when its timeout expires. Stops
 * at the first failure: -1 with @why naming the hook and what went wrong.
 */
int oci_hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json, char *why,
		  size_t whylen);

#define OCI_TREE_MAX 1024

/* @root and its descendants on the host, parents first; how many (at most @max), or -errno. */
int oci_process_tree(pid_t root, pid_t *pids, int max);
