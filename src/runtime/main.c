// SPDX-License-Identifier: MIT
/*
 * The cvisor command line: global flags, then a verb: `do` (one command in
 * a fresh sandbox over a root directory), the OCI runtime verbs with runc's
 * command line (cmd_oci.c), and the helpers (gofer, syscalls).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "lib/log.h"
#include "runtime/runtime.h"
#include "gofer/gofer.h"

static const struct verb {
	const char *name;
	int (*fn)(int argc, char **argv, const struct global_opts *g);
	const char *help;
} verbs[] = {
	{ "do", cmd_do, "run a command in a new sandbox over a root directory" },
	{ "create", cmd_create, "create a container from an OCI bundle (its process waits for start)" },
	{ "start", cmd_start, "start the process of a created container" },
	{ "run", cmd_run, "create and start a container, and wait for it unless --detach" },
	{ "exec", cmd_exec, "run a new process in a running container" },
	{ "state", cmd_state, "print a container's state (OCI runtime spec JSON)" },
	{ "kill", cmd_kill, "send a signal to a container's init (--all: to every process)" },
	{ "delete", cmd_delete, "delete a stopped container (--force: any)" },
	{ "events", cmd_events, "print a container's cgroup stats (runc's JSON; --stats: once)" },
	{ "list", cmd_list, "list containers" },
	{ "ps", cmd_ps, "list the host processes of a container (--format table|json)" },
	{ "pause", cmd_pause, "stop every process of a running container" },
	{ "resume", cmd_resume, "continue the processes of a paused container" },
	{ "features", cmd_features, "print what this runtime supports (runtime-spec features JSON)" },
	{ "gofer", cmd_gofer, "serve a container's files over 9P2000.L (one process per container)" },
	{ "spec", cmd_spec, "write a default config.json into a bundle directory (runc's defaults)" },
	{ "syscalls", cmd_syscalls, "list the system calls the Sentry serves, with their support level" },
};

/* "--name=value" or "--name value": the value, advancing *k past a separate one; NULL if not this option. */
static const char *option_value(int argc, char **argv, int *k, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*k], name, n) != 0)
		return NULL;
	if (argv[*k][n] == '=')
		return argv[*k] + n + 1;
	if (argv[*k][n] == '\0' && *k + 1 < argc)
		return argv[++*k];
	return NULL;
}

static int setup_logging(const struct global_opts *g)
{
	struct log_config cfg = { .debug = g->debug, .file = g->log_file, .dir = g->debug_log_dir };
	int err;

	if (g->log_format && strcmp(g->log_format, "json") == 0)
		cfg.format = LOG_FORMAT_JSON;
	else if (g->log_format && strcmp(g->log_format, "text") != 0) {
		fprintf(stderr, "cvisor: --log-format must be text or json, not '%s'\n", g->log_format);
		return -1;
	}
	err = log_configure(&cfg);
	if (!err)
		err = log_set_component("runtime");
	if (err) {
		fprintf(stderr, "cvisor: cannot open the log (%s): %s\n", g->debug_log_dir ? g->debug_log_dir : g->log_file,
			strerror(-err));
		return -1;
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: cvisor [GLOBAL OPTIONS] VERB [ARGS...]\n\n"
		     "global options:\n"
		     "  --debug                  log debug messages\n"
		     "  --log FILE               write logs to FILE (runc-compatible)\n"
		     "  --log-format text|json   format of --log and --debug-log files\n"
		     "  --debug-log DIR          one log file per component in DIR (implies --debug)\n"
		     "  --platform NAME          how guest code runs: systrap (default) or ptrace\n"
		     "  --syscall-patching BOOL  systrap: rewrite hot syscall sites into jumps (default true)\n"
		     "  --strace                 log every guest system call\n"
		     "  --strace-syscalls LIST   ... only these (comma-separated)\n"
		     "  --root DIR               container state (default /run/cvisor)\n"
		     "  --systemd-cgroup         accepted, for runc's callers; cgroupfs is used\n"
		     "  --version                print the version\n\n"
		     "verbs:\n");
	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		fprintf(out, "  %-9s %s\n", verbs[k].name, verbs[k].help);
}

int main(int argc, char **argv)
{
	struct global_opts g = { 0 };
	int k = 1;

	for (; k < argc && argv[k][0] == '-'; k++) {
		const char *v;

		if (strcmp(argv[k], "--debug") == 0)
			g.debug = true;
		else if ((v = option_value(argc, argv, &k, "--platform")))
			g.platform = v;
		else if ((v = option_value(argc, argv, &k, "--syscall-patching"))) {
			if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
				fprintf(stderr, "cvisor: --syscall-patching must be true or false, not '%s'\n", v);
				return 2;
			}
			g.no_syscall_patching = strcmp(v, "false") == 0;
		} else if (strcmp(argv[k], "--strace") == 0)
			g.strace = true;
		else if ((v = option_value(argc, argv, &k, "--strace-syscalls")))
			g.strace_syscalls = v;
		else if ((v = option_value(argc, argv, &k, "--log")))
			g.log_file = v;
		else if ((v = option_value(argc, argv, &k, "--log-format")))
			g.log_format = v;
		else if ((v = option_value(argc, argv, &k, "--debug-log")))
			g.debug_log_dir = v;
		else if ((v = option_value(argc, argv, &k, "--root")))
			g.state_root = v;
		else if (strcmp(argv[k], "--systemd-cgroup") == 0)
			g.systemd_cgroup = true;
		else if (strcmp(argv[k], "--version") == 0 || strcmp(argv[k], "-v") == 0) {
			printf("cvisor version %s\nspec: 1.0.2\n", CVISOR_VERSION);
			return 0;
		}
		else if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "cvisor: unknown option '%s'\n", argv[k]);
			usage(stderr);
			return 2;
		}
	}
	if (k >= argc) {
		usage(stderr);
		return 2;
	}
	if (setup_logging(&g))
		return 2;
	for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
		if (strcmp(argv[k], verbs[v].name) == 0)
			return verbs[v].fn(argc - k, argv + k, &g);
	fprintf(stderr, "cvisor: unknown verb '%s'\n", argv[k]);
	usage(stderr);
	return 2;
}
