// SPDX-License-Identifier: MIT
/*
 * Hooks: each one a child of ours in its own process group (so a timeout
 * kills what it started too), reading the container's state on stdin.
 * The process tree: /proc/PID/stat ppid, read once, walked from the root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "runtime/oci/hooks.h"

const char *oci_hook_name(enum oci_hook_kind kind)
{
	static const char *const names[OCI_HOOK_KINDS] = { "prestart", "createRuntime", "createContainer",
							   "startContainer", "poststart", "poststop" };

	return kind < OCI_HOOK_KINDS ? names[kind] : "?";
}

static __attribute__((noreturn)) void hook_child(const struct oci_hook *h, int in)
{
	static char *const no_env[] = { NULL };
	char *argv0[] = { h->path, NULL };

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, STDIN_FILENO) < 0)
		_exit(127);
	if (in != STDIN_FILENO)
		close(in);
	execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env ? h->env : no_env);
	dprintf(STDERR_FILENO, "cvisor: hook %s: %s\n", h->path, strerror(errno));
	_exit(127);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait for @pid, killing its group at @deadline_ms (0: none); its wait status, or -1 on timeout. */
static int wait_hook(pid_t pid, long long deadline_ms)
{
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return status = 0;
		if (deadline_ms && now_ms() >= deadline_ms) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -1;
		}
		usleep(5000);
	}
}

/* Hand @json to the hook's stdin; a hook need not read it (EPIPE is fine). */
static void feed_state(int fd, const char *json)
{
	size_t len = strlen(json), off = 0;
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	while (off < len) {
		ssize_t n = write(fd, json + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	signal(SIGPIPE, old);
}

static int run_one(const struct oci_hook *h, const char *kind, size_t index, const char *json, char *why,
		   size_t whylen)
{
	long long deadline = h->timeout_s > 0 ? now_ms() + h->timeout_s * 1000LL : 0;
	int p[2], status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "%s hook %zu (%s): pipe: %s", kind, index, h->path, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		hook_child(h, p[0]);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		snprintf(why, whylen, "%s hook %zu (%s): fork: %s", kind, index, h->path, strerror(errno));
		return -1;
	}
	setpgid(pid, pid);	/* as the child does: whichever runs first */
	feed_state(p[1], json);
	status = wait_hook(pid, deadline);
	if (status == -1) {
		snprintf(why, whylen, "%s hook %zu (%s) timed out after %d s", kind, index, h->path, h->timeout_s);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		snprintf(why, whylen, "%s hook %zu (%s) was killed by signal %d", kind, index, h->path,
			 WTERMSIG(status));
	else
		snprintf(why, whylen, "%s hook %zu (%s) failed: exit status %d", kind, index, h->path,
			 WEXITSTATUS(status));
	return -1;
}

int oci_hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json, char *why,
		  size_t whylen)
{
	for (size_t k = 0; k < spec->nhooks[kind]; k++)
		if (run_one(&spec->hooks[kind][k], oci_hook_name(kind), k, state_json, why, whylen))
			return -1;
	return 0;
}

/* ---- the host process tree ---- */

#define PROC_SCAN_MAX 65536	/* bound on the host processes looked at */

struct pp {
	pid_t pid, ppid;
};

/* ppid from /proc/PID/stat: after the last ')' (the name may hold any byte), "S PPID". */
static pid_t read_ppid(pid_t pid)
{
	char path[64], buf[1024], *p;
	int fd, ppid = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

static int scan_proc(struct pp *all, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while (n < max && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		all[n].pid = (pid_t)pid;
		all[n].ppid = read_ppid((pid_t)pid);
		if (all[n].ppid >= 0)
			n++;
	}
	closedir(d);
	return n;
}

int oci_process_tree(pid_t root, pid_t *pids, int max)
{
	struct pp *all = malloc(sizeof(*all) * PROC_SCAN_MAX);
	int nall, n = 0;

	if (!all)
		return -ENOMEM;
	nall = scan_proc(all, PROC_SCAN_MAX);
	if (nall < 0) {
		free(all);
		return nall;
	}
	if (max > 0 && kill(root, 0) == 0)
		pids[n++] = root;
	/* breadth first: pids[0..n) grows as children are found; each pid is added once (one parent) */
	for (int k = 0; k < n; k++)
		for (int j = 0; j < nall && n < max; j++)
			if (all[j].ppid == pids[k] && all[j].pid != pids[k])
				pids[n++] = all[j].pid;
	free(all);
	return n;
}
