// SPDX-License-Identifier: MIT
/* Processes started from outside the sandbox (spawn.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/fs/host/hostfd.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/clone.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/kernel/spawn.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"

static void default_rlimits(struct thread_group *tg)
{
	for (int k = 0; k < GUEST_RLIM_NLIMITS; k++)
		tg->rlimits[k] = (struct linux_rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	tg->rlimits[RLIMIT_STACK] = (struct linux_rlimit){ 8 << 20, RLIM_INFINITY };
	tg->rlimits[RLIMIT_NOFILE] = (struct linux_rlimit){ 1024, 1048576 };
	tg->rlimits[RLIMIT_CORE] = (struct linux_rlimit){ 0, RLIM_INFINITY };
	tg->rlimits[RLIMIT_NPROC] = (struct linux_rlimit){ 63704, 63704 };
	tg->rlimits[RLIMIT_SIGPENDING] = (struct linux_rlimit){ 63704, 63704 };
	tg->rlimits[RLIMIT_MEMLOCK] = (struct linux_rlimit){ 8 << 20, 8 << 20 };
	tg->rlimits[RLIMIT_MSGQUEUE] = (struct linux_rlimit){ 819200, 819200 };
}

/* argv[0] without a '/' is searched in the sandbox's PATH, like a shell would. */
static char *resolve_command(struct task *t, const char *cmd, char **envp)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char *copy, *dir, *save = NULL;

	if (strchr(cmd, '/'))
		return xstrdup(cmd);
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *full;
		struct path p;

		if (asprintf(&full, "%s/%s", dir, cmd) < 0)
			break;
		if (path_lookup(t, AT_FDCWD, full, LOOKUP_FOLLOW, &p) == 0) {
			bool ok = S_ISREG(p.dentry->inode->mode);

			path_put(&p);
			if (ok) {
				free(copy);
				return full;
			}
		}
		free(full);
	}
	free(copy);
	return NULL;
}

/* Guest fds 0, 1, 2 over host fds @stdio (duplicated). */
static void setup_stdio(struct task *t, const int stdio[3])
{
	static const unsigned modes[3] = { O_RDONLY, O_WRONLY, O_WRONLY };

	for (int fd = 0; fd < 3; fd++) {
		struct file *f = stdio[fd] >= 0 ? hostfd_file_new(stdio[fd], modes[fd]) : NULL;
		int fl = stdio[fd] >= 0 ? fcntl(stdio[fd], F_GETFL) : -1;

		if (!f)
			continue;
		if (fl >= 0 && (fl & O_ACCMODE) == O_RDWR)
			f->flags = (f->flags & ~O_ACCMODE) | O_RDWR;
		fd_install_at(t, fd, f, false);
	}
}

/* The identity, umask and limits of an OCI process. */
static void set_identity(struct task *t, struct thread_group *tg, const struct spawn_spec *sp)
{
	struct cred *c = &t->cred;

	c->uid = c->euid = c->suid = c->fsuid = sp->uid;
	c->gid = c->egid = c->sgid = c->fsgid = sp->gid;
	if (sp->ngroups) {
		c->ngroups = (uint32_t)sp->ngroups;
		c->groups = xmalloc(sp->ngroups * sizeof(uint32_t));
		memcpy(c->groups, sp->groups, sp->ngroups * sizeof(uint32_t));
	}
	if (sp->set_umask)
		t->fs->umask = sp->umask & 0777;
	t->no_new_privs = sp->no_new_privs;
	for (size_t k = 0; k < sp->nrlimits; k++) {
		int r = sp->rlimits[k].resource;

		if (r < 0 || r >= GUEST_RLIM_NLIMITS)
			continue;
		tg->rlimits[r].rlim_cur = sp->rlimits[k].soft;
		tg->rlimits[r].rlim_max = sp->rlimits[k].hard;
		if (r == RLIMIT_CPU)
			rlimit_cpu_changed(tg);
	}
}

/* Undo a spawn that failed before it ran: nothing of it stays (the sandbox's task count included). */
static void spawn_abandon(struct task *t)
{
	struct thread_group *tg = t->tg;

	if (tg == g_kernel.init_tg)
		return;		/* the sandbox ends: boot reports the error */
	list_del(&t->tg_node);
	tg->nr_live--;
	g_kernel.tasks_by_tid[t->tid] = NULL;
	g_kernel.nr_tasks--;
	if (t->fs)
		fs_context_put(t->fs);
	if (t->fds)
		fdtable_put(t->fds);
	if (t->mm)
		mm_put(t->mm);
	free(t->cred.groups);
	pthread_cond_destroy(&t->wake_cond);
	free(t);
	free(tg);
}

/* The sandbox's argv/envp copies for the loader, and the program's path; 0 or -errno. */
static int load_program(struct task *t, const struct spawn_spec *sp)
{
	struct exec_args args = { 0 };
	struct mm *mm;
	char *path;
	int err;

	path = resolve_command(t, sp->argv[0], sp->envp);
	if (!path) {
		log_error("%s: command not found in the sandbox", sp->argv[0]);
		return -ENOENT;
	}
	for (args.argc = 0; sp->argv[args.argc]; args.argc++)
		;
	for (args.envc = 0; sp->envp[args.envc]; args.envc++)
		;
	args.argv = xzalloc((args.argc + 1) * sizeof(char *));
	args.envp = xzalloc((args.envc + 1) * sizeof(char *));
	for (size_t k = 0; k < args.argc; k++)
		args.argv[k] = xstrdup(sp->argv[k]);
	for (size_t k = 0; k < args.envc; k++)
		args.envp[k] = xstrdup(sp->envp[k]);
	args.filename = xstrdup(path);
	err = loader_exec(t, AT_FDCWD, path, &args, &mm, &t->regs);
	exec_args_free(&args);
	if (err) {
		log_error("cannot execute %s: %s", path, strerror(-err));
		free(path);
		return err;
	}
	mm_put(t->mm);
	t->mm = mm;
	strncpy(t->comm, strrchr(path, '/') + 1, sizeof(t->comm) - 1);
	free(path);
	return 0;
}

/* The container's seccomp filter (spawn_set_seccomp); every spawned process holds a reference. */
static struct seccomp_filter *g_spawn_filter;

int spawn_set_seccomp(const void *prog, size_t len)
{
	int err = seccomp_filter_new(prog, len, &g_spawn_filter);

	if (err)
		log_error("the container's seccomp filter is not a valid program");
	return err;
}

struct task *spawn_process(const struct spawn_spec *sp)
{
	struct path root = { g_kernel.root_mount, g_kernel.root };
	struct thread_group *tg;
	struct task *t;
	int err;

	if (sp->init)
		g_kernel.last_pid = 0;
	t = task_alloc(kernel_alloc_pid());
	tg = tg_alloc(t->tid);
	tg->pgid = tg->sid = t->tid;
	tg->exit_signal = SIGCHLD;
	if (sp->init || !g_kernel.init_tg)
		default_rlimits(tg);
	else
		memcpy(tg->rlimits, g_kernel.init_tg->rlimits, sizeof(tg->rlimits));
	task_attach(t, tg);
	if (sp->init)
		g_kernel.init_tg = tg;
	t->fs = fs_context_new(&root);
	t->fds = fdtable_new();
	t->mm = mm_new();
	set_identity(t, tg, sp);
	setup_stdio(t, sp->stdio);
	if (sp->cwd) {
		struct path cwd;

		err = path_lookup(t, AT_FDCWD, sp->cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &cwd);
		if (err) {
			log_error("working directory '%s': %s", sp->cwd, strerror(-err));
			spawn_abandon(t);
			return err_ptr(err);
		}
		path_put(&t->fs->cwd);
		t->fs->cwd = cwd;
	}
	err = load_program(t, sp);
	if (err) {
		spawn_abandon(t);
		return err_ptr(err);
	}
	if (g_spawn_filter) {
		/* from its first instruction on, as runc's init installs it just before execve; the new
		 * process has no filter of its own, so it shares the one object rather than stacking on it */
		g_spawn_filter->refs++;
		t->seccomp = g_spawn_filter;
		t->seccomp_mode = SECCOMP_MODE_FILTER_;
	}
	g_platform->ops->new_context(g_platform, &t->pctx);
	return t;
}
