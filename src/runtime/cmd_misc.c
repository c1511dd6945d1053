// SPDX-License-Identifier: MIT
/*
 * The runtime's lesser verbs: features (what this runtime supports, as
 * runtime-spec features.md and runc print it), ps, pause and resume; and
 * the lifecycle hooks' glue (the state each hook gets, what a failure does).
 *
 * A container's processes here are host processes: the supervisor (the
 * state's pid), the gofer, the Sentry and its stubs. The guest's own
 * processes live inside the Sentry and have no host pid, so ps lists the
 * host tree, and pause stops that tree with SIGSTOP (no cgroup freezer).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <jansson.h>
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/oci/hooks.h"
#include "runtime/oci/spec.h"
#include "runtime/oci/state.h"
#include "runtime/runtime.h"

/* ---- hooks ---- */

int oci_lifecycle_hooks(const char *verb, const struct oci_spec *spec, const struct oci_state *st,
			enum oci_status s, enum oci_hook_kind kind, bool fatal)
{
	struct oci_spec *loaded = NULL;
	struct oci_error perr;
	char config[4200], why[1024];
	char *json;
	int ret = 0;

	if (!spec) {
		/* start and delete: the hooks are the bundle's, as create read them */
		snprintf(config, sizeof(config), "%s/config.json", st->bundle);
		if (oci_spec_load(config, &loaded, &perr)) {
			snprintf(why, sizeof(why), "cannot read the %s hooks: %s", oci_hook_name(kind), perr.msg);
			goto failed;
		}
		spec = loaded;
	}
	if (!spec->nhooks[kind])
		goto out;
	json = oci_state_json(st, s);
	if (!json) {
		snprintf(why, sizeof(why), "%s hooks: out of memory", oci_hook_name(kind));
		goto failed;
	}
	log_debug("%s: running %zu %s hook(s)", verb, spec->nhooks[kind], oci_hook_name(kind));
	ret = oci_hooks_run(spec, kind, json, why, sizeof(why));
	free(json);
	if (!ret)
		goto out;
failed:
	ret = fatal ? -1 : 0;
	if (fatal)
		oci_fail(verb, "%s", why);
	else
		log_warn("%s: %s (ignored)", verb, why);
out:
	if (loaded)
		oci_spec_free(loaded);
	return ret;
}

/* ---- features ---- */

static json_t *string_array(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t k = 0; k < n; k++)
		json_array_append_new(a, json_string(v[k]));
	return a;
}

static json_t *capability_array(void)
{
	json_t *a = json_array();
	const char *name;

	for (int k = 0; (name = oci_capability_name(k)); k++)
		json_array_append_new(a, json_string(name));
	return a;
}

int cmd_features(int argc, char **argv, const struct global_opts *g)
{
	static const char *const hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer",
					     "poststart", "poststop" };
	/* what config_from_spec takes from mounts[].options; others are accepted and ignored */
	static const char *const mount_opts[] = { "bind", "rbind", "ro", "rw", "nosuid", "nodev", "noexec",
						  "relatime", "noatime", "private", "rprivate", "slave", "rslave",
						  "shared", "rshared" };
	static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user",
						  "uts" };
	static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
					       "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
					       "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP" };
	static const char *const operators[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
						 "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE" };
	static const char *const archs[] = { "SCMP_ARCH_X86_64" };
	json_t *j;
	char *out;

	(void)argv;
	if (argc != 1)
		return oci_fail("features", "usage: cvisor features");
	j = json_pack("{s:s, s:s, s:o, s:o, s:{s:o, s:o, s:{s:b}, s:{s:b}, s:{s:b, s:o, s:o, s:o}, s:{s:b}}, "
		      "s:{s:s, s:s}}",
		      "ociVersionMin", "1.0.0", "ociVersionMax", "1.2.0",
		      "hooks", string_array(hooks, ARRAY_SIZE(hooks)),
		      "mountOptions", string_array(mount_opts, ARRAY_SIZE(mount_opts)),
		      "linux",
		      "namespaces", string_array(namespaces, ARRAY_SIZE(namespaces)),
		      "capabilities", capability_array(),
		      "cgroup", "v2", false,
		      "apparmor", "enabled", false,
		      "seccomp", "enabled", true, "actions", string_array(actions, ARRAY_SIZE(actions)),
		      "operators", string_array(operators, ARRAY_SIZE(operators)),
		      "archs", string_array(archs, ARRAY_SIZE(archs)),
		      "selinux", "enabled", false,
		      "annotations", "io.github.cvisor.platform", g->platform ? g->platform : "systrap",
		      "io.github.cvisor.version", CVISOR_VERSION);
	if (!j)
		return oci_fail("features", "out of memory");
	out = json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!out)
		return oci_fail("features", "out of memory");
	puts(out);
	free(out);
	return 0;
}

/* ---- ps, pause, resume ---- */

static const char *state_root(const struct global_opts *g)
{
	return g->state_root ? g->state_root : OCI_DEFAULT_STATE_ROOT;
}

static int open_loaded(const char *verb, const struct global_opts *g, const char *id, struct oci_container *c,
		       struct oci_state *st)
{
	const char *bad = oci_id_problem(id);
	int err;

	if (bad)
		return oci_fail(verb, "invalid container id '%s': %s", id, bad);
	err = oci_container_open(state_root(g), id, c);
	if (err)
		return oci_fail(verb, "container '%s' %s", id, err == -ENOENT ? "does not exist" : strerror(-err));
	err = oci_state_load(c, st);
	if (err) {
		oci_container_close(c, false);
		return oci_fail(verb, "container '%s': no readable state: %s", id, strerror(-err));
	}
	return 0;
}

static void print_ps_table(const pid_t *pids, int n, char **ps_args)
{
	static char ps[] = "ps", ef[] = "-ef";
	char *argv[64] = { ps };
	int p[2], k = 1, in_set;
	FILE *f;
	char line[4096];
	pid_t child;

	if (!ps_args[0])
		argv[k++] = ef;
	for (; *ps_args && k < 63; ps_args++)
		argv[k++] = *ps_args;
	argv[k] = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	fflush(NULL);
	child = fork();
	if (child == 0) {
		dup2(p[1], STDOUT_FILENO);
		execvp("ps", argv);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	/* as runc: the header, then the lines whose PID column (found in the header) is ours */
	int pid_col = -1;
	for (int lineno = 0; f && fgets(line, sizeof(line), f); lineno++) {
		char copy[4096], *tok, *save;
		int col = 0;

		memcpy(copy, line, sizeof(copy));
		in_set = 0;
		for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save), col++) {
			if (lineno == 0 && strcmp(tok, "PID") == 0)
				pid_col = col;
			if (lineno > 0 && col == pid_col)
				for (int j = 0; j < n; j++)
					in_set |= atoi(tok) == pids[j];
		}
		if (lineno == 0 || in_set)
			fputs(line, stdout);
	}
	if (f)
		fclose(f);
	if (child > 0)
		waitpid(child, NULL, 0);
}

int cmd_ps(int argc, char **argv, const struct global_opts *g)
{
	const char *format = "table", *id = NULL;
	struct oci_container c;
	struct oci_state st;
	enum oci_status s;
	pid_t pids[OCI_TREE_MAX];
	int k = 1, n = 0;

	for (; k < argc && argv[k][0] == '-' && !id; k++) {
		if (strcmp(argv[k], "--format") == 0 || strcmp(argv[k], "-f") == 0) {
			if (++k >= argc)
				return oci_fail("ps", "--format needs table or json");
			format = argv[k];
		} else if (strncmp(argv[k], "--format=", 9) == 0)
			format = argv[k] + 9;
		else
			return oci_fail("ps", "unknown option '%s'", argv[k]);
	}
	if (k >= argc || (strcmp(format, "table") && strcmp(format, "json")))
		return oci_fail("ps", "usage: cvisor ps [--format table|json] ID [PS ARGS...]");
	id = argv[k++];
	if (open_loaded("ps", g, id, &c, &st))
		return 1;
	s = oci_status(&c, &st);
	if (s != OCI_STOPPED && s != OCI_CREATING)
		n = oci_process_tree(st.pid, pids, OCI_TREE_MAX);
	oci_state_free(&st);
	oci_container_close(&c, false);
	if (n < 0)
		return oci_fail("ps", "/proc: %s", strerror(-n));
	if (strcmp(format, "json") == 0) {
		putchar('[');
		for (int j = 0; j < n; j++)
			printf("%s%d", j ? "," : "", pids[j]);
		puts("]");
		return 0;
	}
	print_ps_table(pids, n, argv + k);
	return 0;
}

/*
 * A process traced by another: a ptrace-platform stub under the Sentry.
 * SIGSTOP would be reported to its tracer as a signal meant for the guest,
 * so it is left alone: with its tracer stopped, it stops at its next trap.
 */
static bool traced(pid_t pid)
{
	char path[64], buf[4096], *t;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	t = strstr(buf, "TracerPid:");
	return t && atoi(t + 10) != 0;
}

/* Signal the tree of @root; with SIGSTOP, again until no new process appears (a fork racing us). */
static int signal_tree(pid_t root, int sig)
{
	pid_t pids[OCI_TREE_MAX], done[OCI_TREE_MAX];
	int ndone = 0;

	for (int pass = 0; pass < 8; pass++) {
		int n = oci_process_tree(root, pids, OCI_TREE_MAX), fresh = 0;

		if (n < 0)
			return n;
		for (int k = 0; k < n; k++) {
			bool seen = false;

			for (int j = 0; j < ndone && !seen; j++)
				seen = done[j] == pids[k];
			if (seen || traced(pids[k]))
				continue;
			kill(pids[k], sig);
			if (ndone < OCI_TREE_MAX)
				done[ndone++] = pids[k];
			fresh++;
		}
		if (!fresh || sig != SIGSTOP)
			break;
	}
	return 0;
}

static int pause_resume(int argc, char **argv, const struct global_opts *g, bool pause)
{
	const char *verb = pause ? "pause" : "resume";
	struct oci_container c;
	struct oci_state st;
	enum oci_status s;
	int ret = 0, err;

	if (argc != 2 || argv[1][0] == '-')
		return oci_fail(verb, "usage: cvisor %s ID", verb);
	if (open_loaded(verb, g, argv[1], &c, &st))
		return 1;
	s = oci_status(&c, &st);
	if (s != (pause ? OCI_RUNNING : OCI_PAUSED)) {
		ret = oci_fail(verb, "container '%s' is %s, not %s", argv[1], oci_status_name(s),
				pause ? "running" : "paused");
		goto out;
	}
	if (pause) {
		int fd = openat(c.dirfd, "paused", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0) {
			ret = oci_fail(verb, "cannot mark '%s' paused: %s", argv[1], strerror(errno));
			goto out;
		}
		close(fd);
	}
	err = signal_tree(st.pid, pause ? SIGSTOP : SIGCONT);
	if (err)
		ret = oci_fail(verb, "/proc: %s", strerror(-err));
	if (!pause || err)
		unlinkat(c.dirfd, "paused", 0);
out:
	oci_state_free(&st);
	oci_container_close(&c, false);
	return ret;
}

int cmd_pause(int argc, char **argv, const struct global_opts *g)
{
	return pause_resume(argc, argv, g, true);
}

int cmd_resume(int argc, char **argv, const struct global_opts *g)
{
	return pause_resume(argc, argv, g, false);
}

/* delete --force of a paused container: let its processes run again so they can die cleanly. */
void oci_unpause_for_delete(struct oci_container *c, const struct oci_state *st)
{
	if (faccessat(c->dirfd, "paused", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		signal_tree(st->pid, SIGCONT);
		unlinkat(c->dirfd, "paused", 0);
	}
}
