// SPDX-License-Identifier: MIT
/*
 * Sentry start-up: the memory file, the platform, the root filesystem and
 * its standard mounts, then pid 1. Returns when every task has exited.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/fs/dev/dev.h"
#include "sentry/fs/host/hostfd.h"
#include "sentry/fs/hostdir/lower.h"
#include "sentry/fs/proc/proc.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/clone.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/loader/loader.h"
#include "sentry/loader/vdso.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/sentry.h"
#include "sentry/strace/strace.h"
#include "sentry/syscalls/unsupported.h"

#define MEMFILE_SIZE (64ULL << 30)

#define DEFAULT_PLATFORM "systrap"

static struct platform g_platform_instance;

/*
 * CVISOR_TEST_CRASH=segv|seccomp: crash the Sentry on purpose so tests can
 * check that panics and seccomp violations reach the log with a backtrace.
 */
static void test_crash(const char *how)
{
	if (strcmp(how, "seccomp") == 0) {
		struct sock_filter trap_getppid[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { ARRAY_SIZE(trap_getppid), trap_getppid };

		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
		syscall(SYS_getppid);
	}
	raise(SIGSEGV);
}

static void on_interrupt_signal(int sig)
{
	(void)sig;	/* only there to make blocking host calls return EINTR */
}

static void setup_host_signals(void)
{
	struct sigaction sa = { .sa_handler = on_interrupt_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int mount_at(struct path *root, const char *name, struct dentry *fsroot, struct super_block *sb, int flags,
		    const char *source)
{
	struct dentry *mp = tmpfs_mkdir_simple(root->dentry, name, 0755);

	if (!mp)
		return -ENOENT;
	mount_new(root->mnt, mp, fsroot, sb, flags, source);
	dput(mp);
	return 0;
}

static int setup_filesystems(const struct sentry_config *cfg)
{
	struct super_block *sb;
	struct dentry *root, *dev;
	struct path rp;
	int err = lower_init(cfg->root);

	if (err) {
		log_error("cannot open root directory '%s': %s", cfg->root, strerror(-err));
		return err;
	}
	root = tmpfs_new(0755, true, &sb);
	g_kernel.root_mount = mount_new(NULL, NULL, root, sb, 0, "rootfs");
	g_kernel.root = root;
	rp.mnt = g_kernel.root_mount;
	rp.dentry = root;
	dev = tmpfs_new(0755, false, &sb);
	err = dev_populate(dev);
	if (!err)
		err = mount_at(&rp, "dev", dev, sb, MS_NOSUID, "tmpfs");
	dput(dev);
	if (!err) {
		struct dentry *proc = procfs_new(&sb);

		err = mount_at(&rp, "proc", proc, sb, MS_NOSUID | MS_NODEV | MS_NOEXEC, "proc");
		dput(proc);
	}
	return err;
}

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

static int setup_stdio(struct task *t)
{
	static const unsigned modes[3] = { O_RDONLY, O_WRONLY, O_WRONLY };

	for (int fd = 0; fd < 3; fd++) {
		struct file *f = hostfd_file_new(fd, modes[fd]);

		if (!f)
			continue;
		if (fcntl(fd, F_GETFL) >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR)
			f->flags = (f->flags & ~O_ACCMODE) | O_RDWR;
		fd_install_at(t, fd, f, false);
	}
	return 0;
}

static struct task *create_init(const struct sentry_config *cfg)
{
	struct exec_args args = { 0 };
	struct thread_group *tg;
	struct path root = { g_kernel.root_mount, g_kernel.root };
	struct task *t;
	struct mm *mm;
	char *path;
	int err;

	g_kernel.last_pid = 0;
	t = task_alloc(kernel_alloc_pid());
	tg = tg_alloc(t->tid);
	tg->pgid = tg->sid = t->tid;
	tg->exit_signal = SIGCHLD;
	default_rlimits(tg);
	task_attach(t, tg);
	g_kernel.init_tg = tg;
	t->fs = fs_context_new(&root);
	t->fds = fdtable_new();
	t->mm = mm_new();
	setup_stdio(t);
	if (cfg->cwd) {
		struct path cwd;

		err = path_lookup(t, AT_FDCWD, cfg->cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &cwd);
		if (err) {
			log_error("working directory '%s': %s", cfg->cwd, strerror(-err));
			return err_ptr(err);
		}
		path_put(&t->fs->cwd);
		t->fs->cwd = cwd;
	}
	path = resolve_command(t, cfg->argv[0], cfg->envp);
	if (!path) {
		log_error("%s: command not found in the sandbox", cfg->argv[0]);
		return err_ptr(-ENOENT);
	}
	for (args.argc = 0; cfg->argv[args.argc]; args.argc++)
		;
	for (args.envc = 0; cfg->envp[args.envc]; args.envc++)
		;
	args.argv = xzalloc((args.argc + 1) * sizeof(char *));
	args.envp = xzalloc((args.envc + 1) * sizeof(char *));
	for (size_t k = 0; k < args.argc; k++)
		args.argv[k] = xstrdup(cfg->argv[k]);
	for (size_t k = 0; k < args.envc; k++)
		args.envp[k] = xstrdup(cfg->envp[k]);
	args.filename = xstrdup(path);
	err = loader_exec(t, AT_FDCWD, path, &args, &mm, &t->regs);
	exec_args_free(&args);
	if (err) {
		log_error("cannot execute %s: %s", path, strerror(-err));
		free(path);
		return err_ptr(err);
	}
	mm_put(t->mm);
	t->mm = mm;
	strncpy(t->comm, strrchr(path, '/') + 1, sizeof(t->comm) - 1);
	free(path);
	g_platform->ops->new_context(g_platform, &t->pctx);
	return t;
}

int sentry_run(const struct sentry_config *cfg)
{
	const struct platform_ops *ops = platform_lookup(cfg->platform ? cfg->platform : DEFAULT_PLATFORM);
	struct task *init;
	int err, status;

	if (!ops) {
		log_error("unknown platform '%s'", cfg->platform);
		return -EINVAL;
	}
	setup_host_signals();
	log_install_crash_handler();
	if (getenv("CVISOR_TEST_CRASH"))
		test_crash(getenv("CVISOR_TEST_CRASH"));
	if (cfg->strace || cfg->strace_syscalls) {
		/* into the debug log when there is one, else stderr */
		int fd = fcntl(log_fd(), F_DUPFD_CLOEXEC, 3);

		err = strace_configure(cfg->strace_syscalls, fd < 0 ? STDERR_FILENO : fd);
		if (err)
			return err;
	}
	err = memfile_init(MEMFILE_SIZE);
	if (err) {
		log_error("cannot create the memory file: %s", strerror(-err));
		return err;
	}
	g_platform_instance.ops = ops;
	g_platform = &g_platform_instance;
	g_platform->syscall_patching = cfg->syscall_patching;
	err = ops->init(g_platform, g_memfile.fd);
	if (err == -ENOTSUP && !cfg->platform) {
		log_warn("the %s platform does not run on this host; using ptrace", ops->name);
		g_platform->ops = ops = &ptrace_platform_ops;
		err = ops->init(g_platform, g_memfile.fd);
	}
	if (err)
		return err;
	g_kernel.boot_ns = monotonic_ns();
	err = timer_subsystem_start();
	if (!err)
		err = vdso_init();
	if (err)
		return err;
	snprintf(g_kernel.hostname, sizeof(g_kernel.hostname), "%s", cfg->hostname ? cfg->hostname : "cvisor");
	snprintf(g_kernel.domainname, sizeof(g_kernel.domainname), "(none)");

	kernel_lock();
	err = setup_filesystems(cfg);
	if (err) {
		kernel_unlock();
		return err;
	}
	init = create_init(cfg);
	if (is_err(init)) {
		kernel_unlock();
		return (int)ptr_err(init);
	}
	err = task_start(init);
	if (err) {
		kernel_unlock();
		return err;
	}
	while (g_kernel.nr_tasks > 0)
		pthread_cond_wait(&g_kernel.all_exited, &g_kernel.lock);
	status = g_kernel.init_exit_status;
	if (cfg->report_unsupported)
		unsupported_report(STDERR_FILENO);
	kernel_unlock();
	if (status & 0x7f)
		return 128 + (status & 0x7f);
	return (status >> 8) & 0xff;
}
