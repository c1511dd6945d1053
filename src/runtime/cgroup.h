/* SPDX-License-Identifier: MIT */
/*
 * linux.resources as host cgroup limits. The container's process is moved
 * into its cgroup right after create forks it (it waits on exec.fifo, so
 * the gofer, the Sentry and its stubs, all forked later, start inside).
 * cgroup v2 (one unified tree) or v1 (a tree per controller: memory, pids,
 * cpu, cpuacct) as the host has; the path recorded in state.json is the
 * one below each controller's root.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct oci_spec;

/*
 * Make the cgroup of container @id, apply @spec's resources and move @pid in.
 * 0 with the cgroup path in @path ("" when skipped: no usable cgroup fs and
 * no resources asked), or 1 after saying why (nothing left behind).
 */
int oci_cgroup_setup(const char *verb, const char *id, const struct oci_spec *spec, bool systemd, pid_t pid,
		     char *path, size_t size);
/* Kill what is left in cgroup @path and remove it; quiet when it is gone. */
void oci_cgroup_remove(const char *path);
/* runc's stats event for container @id from cgroup @path; malloc'd JSON. */
char *oci_cgroup_stats_json(const char *id, const char *path);
