/* SPDX-License-Identifier: MIT */
/* cvisor events [--stats] [--interval Ns] ID: runc's stats events from the container's cgroup. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/cgroup.h"
#include "runtime/oci/state.h"
#include "runtime/runtime.h"

/* One stats line for @id; 0 printed, 1 the container is gone or stopped (said why when @loud). */
static int print_stats(const struct global_opts *g, const char *id, bool loud)
{
	struct oci_container c;
	struct oci_state st;
	char *json = NULL;
	bool stopped;

	if (oci_container_open(g->state_root ? g->state_root : OCI_DEFAULT_STATE_ROOT, id, &c)) {
		if (loud)
			fprintf(stderr, "cvisor events: container '%s' does not exist\n", id);
		return 1;
	}
	if (oci_state_load(&c, &st)) {
		oci_container_close(&c, false);
		return 1;
	}
	stopped = oci_status(&c, &st) == OCI_STOPPED;
	if (!st.cgroup || !st.cgroup[0]) {
		if (loud)
			fprintf(stderr, "cvisor events: container '%s' has no cgroup\n", id);
	} else if (!stopped) {
		json = oci_cgroup_stats_json(id, st.cgroup);
	}
	oci_state_free(&st);
	oci_container_close(&c, false);
	if (!json)
		return 1;
	printf("%s\n", json);
	fflush(stdout);
	free(json);
	return 0;
}

int cmd_events(int argc, char **argv, const struct global_opts *g)
{
	const char *id = NULL;
	bool stats = false;
	long interval = 5;

	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--stats") == 0)
			stats = true;
		else if (strcmp(argv[k], "--interval") == 0 && k + 1 < argc)
			interval = strtol(argv[++k], NULL, 10);
		else if (strncmp(argv[k], "--interval=", 11) == 0)
			interval = strtol(argv[k] + 11, NULL, 10);
		else if (argv[k][0] != '-' && !id)
			id = argv[k];
		else
			id = NULL, k = argc;
	}
	if (!id || interval <= 0) {
		fprintf(stderr, "cvisor events: usage: cvisor events [--stats] [--interval SECONDS] ID\n");
		return 1;
	}
	if (stats)
		return print_stats(g, id, true);
	while (print_stats(g, id, false) == 0)
		sleep((unsigned)interval);
	return 0;
}
