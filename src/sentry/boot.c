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
#include "sentry/fs/gofer/volume.h"
#include "sentry/fs/host/hostfd.h"
#include "sentry/fs/lower.h"
#include "sentry/fs/proc/proc.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/clone.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/spawn.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/loader/loader.h"
#include "sentry/loader/vdso.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/control.h"
#include "sentry/sentry.h"
#include "sentry/strace/strace.h"
#include "sentry/syscalls/unsupported.h"

#define MEMFILE_SIZE (64ULL << 30)

#define DEFAULT_PLATFORM "systrap"

static struct platform g_platform_instance;

/*
 * CVISOR_TEST_CRASH=segv|seccomp: crash the Sentry on purpose so tests can
 * check that panics and seccomp violations reach the log with a backtrace.
 * segv-on-hup: crash later, when a host SIGHUP arrives, with guest processes
 * (and so stub processes) running.
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

/*
 * Host signals the sandbox receives (docs/lifetime.md). They stay blocked in
 * every Sentry thread but one, which takes them with sigwaitinfo() and hands
 * them to the guest: a signal sent by a process (`cvisor do` forwarding a
 * kill, someone's kill(1)) to the sandbox's init; one from the terminal
 * (^C, ^\, a hang-up, a resize: si_code SI_KERNEL) to the foreground process
 * group of the sandbox's terminal, as the Linux tty layer would.
 */
static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SENTRY_RELAY_SIGNAL };

static struct {
	bool crash_on_hup;		/* CVISOR_TEST_CRASH=segv-on-hup */
	/* protected by the kernel lock: signals that came before init existed */
	uint64_t early_user, early_tty;
} g_host_sig;

static void forward_to_pgrp(pid_t pgid, int sig, const struct linux_siginfo *info)
{
	for (pid_t k = 1; k < PID_MAX; k++) {
		struct thread_group *tg = tg_lookup(k);

		if (tg && tg->pgid == pgid)
			send_signal_tg_forced(tg, sig, info);
	}
}

/* Called with the kernel lock held; init exists. */
static void forward_host_signal(int sig, bool from_tty)
{
	struct linux_siginfo info = { .si_signo = sig, .si_code = from_tty ? SI_KERNEL : SI_USER };

	/* a sender outside the sandbox shows as pid 0, as across pid namespaces */
	if (from_tty)
		forward_to_pgrp(g_kernel.tty_fg_pgrp ? g_kernel.tty_fg_pgrp : g_kernel.init_tg->pgid, sig, &info);
	else
		send_signal_tg_forced(g_kernel.init_tg, sig, &info);
}

/* A relayed `cvisor kill` (SENTRY_RELAY_SIGNAL): to init, or to every process. Kernel lock held; init exists. */
static void forward_relayed(int value)
{
	struct linux_siginfo info = { .si_code = SI_USER };
	int sig = value & 0xff;

	if (sig < 1 || sig > 64)
		return;
	info.si_signo = sig;
	if (!(value & SENTRY_RELAY_ALL)) {
		send_signal_tg_forced(g_kernel.init_tg, sig, &info);
		return;
	}
	for (pid_t k = 1; k < PID_MAX; k++) {
		struct thread_group *tg = tg_lookup(k);

		if (tg)
			send_signal_tg_forced(tg, sig, &info);
	}
}

static void forward_early_signals(void)
{
	for (int sig = 1; sig < 64; sig++) {
		if (g_host_sig.early_user & (1ULL << sig))
			forward_host_signal(sig, false);
		if (g_host_sig.early_tty & (1ULL << sig))
			forward_host_signal(sig, true);
	}
	g_host_sig.early_user = g_host_sig.early_tty = 0;
}

static void *host_signal_thread(void *arg)
{
	sigset_t *set = arg;
	siginfo_t si;

	for (;;) {
		int sig = sigwaitinfo(set, &si);
		bool from_tty = si.si_code == SI_KERNEL;

		if (sig < 0)
			continue;
		if (sig == SENTRY_RELAY_SIGNAL) {
			int value = si.si_value.sival_int;

			log_info("relayed signal %d%s", value & 0xff, value & SENTRY_RELAY_ALL ? " to every process" : "");
			kernel_lock();
			if (g_kernel.init_tg)
				forward_relayed(value);
			else if ((value & 0xff) >= 1 && (value & 0xff) < 64)
				g_host_sig.early_user |= 1ULL << (value & 0xff);
			kernel_unlock();
			continue;
		}
		log_info("host signal %d (%s) from %s", sig, strsignal(sig), from_tty ? "the terminal" : "a process");
		if (g_host_sig.crash_on_hup && sig == SIGHUP) {
			int *volatile bad = NULL;

			*bad = 0;	/* a real fault, as a Sentry bug would make */
		}
		kernel_lock();
		if (g_kernel.init_tg)
			forward_host_signal(sig, from_tty);
		else if (from_tty)
			g_host_sig.early_tty |= 1ULL << sig;
		else
			g_host_sig.early_user |= 1ULL << sig;
		kernel_unlock();
	}
	return NULL;
}

/* Runs on the main thread before any other Sentry thread exists: they all inherit the blocked mask. */
static int setup_host_signals(void)
{
	struct sigaction sa = { .sa_handler = on_interrupt_signal };
	static sigset_t set;
	pthread_attr_t attr;
	pthread_t th;
	int err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	for (size_t k = 0; k < ARRAY_SIZE(forwarded_signals); k++) {
		sigaddset(&set, forwarded_signals[k]);
		/* a handler, not SIG_DFL: the init of a pid namespace drops default-action signals */
		sigaction(forwarded_signals[k], &sa, NULL);
	}
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, host_signal_thread, &set);
	pthread_attr_destroy(&attr);
	if (err) {
		log_error("cannot start the host signal thread: %s", strerror(err));
		return -err;
	}
	return 0;
}

/* Child @name of @dir (mounts on it followed), made a directory if missing. New references in *out. */
static int mountpoint_step(struct path *dir, const char *name, struct path *out)
{
	struct inode *i = dir->dentry->inode;
	struct dentry *d;
	int err;

	if (!S_ISDIR(i->mode))
		return -ENOTDIR;
	err = lookup_one(dir, name, &d);
	if (err == -ENOENT && i->iops && i->iops->mknod)
		err = i->iops->mknod(dir->dentry, name, S_IFDIR | 0755, 0, NULL, &d);
	if (err)
		return err;
	out->mnt = dir->mnt;
	out->dentry = d;
	path_follow_mounts(out);
	return S_ISDIR(out->dentry->inode->mode) ? 0 : -ENOTDIR;
}

static int mount_at(struct path *root, const char *name, struct dentry *fsroot, struct super_block *sb, int flags,
		    const char *source)
{
	struct path mp;
	int err = mountpoint_step(root, name, &mp);

	if (err)
		return err;
	mount_new(mp.mnt, mp.dentry, fsroot, sb, flags, source);
	path_put(&mp);
	return 0;
}

/* Mount volume @v at its guest path, making the missing directories on the way (like a bind mount's target). */
static int mount_volume(const struct sentry_volume *v)
{
	struct path cur = { g_kernel.root_mount, g_kernel.root };
	struct super_block *sb;
	struct dentry *vroot;
	char *copy = xstrdup(v->guest), *save = NULL, *name;
	int err = 0;

	if (v->tmpfs)
		vroot = tmpfs_new(v->mode ? v->mode & 07777 : 01777, false, &sb);
	else
		err = volume_new(gofer_lower_client(), v->guest, &vroot, &sb);
	if (err) {
		log_error("volume %s: cannot attach: %s", v->guest, strerror(-err));
		free(copy);
		return err;
	}
	path_get(&cur);
	path_follow_mounts(&cur);
	for (name = strtok_r(copy, "/", &save); name && !err; name = strtok_r(NULL, "/", &save)) {
		struct path next;

		err = mountpoint_step(&cur, name, &next);
		if (!err) {
			path_put(&cur);
			cur = next;
		}
	}
	free(copy);
	if (err)
		log_error("volume %s: cannot make its mountpoint: %s", v->guest, strerror(-err));
	else
		mount_new(cur.mnt, cur.dentry, vroot, sb, v->ro ? MS_RDONLY : 0, v->tmpfs ? "tmpfs" : "volume");
	path_put(&cur);
	dput(vroot);
	return err;
}

static int setup_filesystems(const struct sentry_config *cfg)
{
	struct super_block *sb;
	struct dentry *root, *dev;
	struct path rp;
	int err;

	if (!cfg->p9) {
		/* the root's files come only through 9P: the Sentry opens no host path */
		log_error("no 9P connection for the root filesystem");
		return -EINVAL;
	}
	lower_unlocked_begin();
	err = gofer_lower_init(cfg->p9_fd, cfg->p9_aname ? cfg->p9_aname : "");
	lower_unlocked_end();
	if (err) {
		log_error("cannot attach the root over 9P: %s", strerror(-err));
		return err;
	}
	if (cfg->root_write_through) {
		err = volume_new(gofer_lower_client(), cfg->p9_aname ? cfg->p9_aname : "", &root, &sb);
		if (err) {
			log_error("cannot attach the write-through root: %s", strerror(-err));
			return err;
		}
	} else {
		root = tmpfs_new(0755, true, &sb);
	}
	g_kernel.root_mount = mount_new(NULL, NULL, root, sb, cfg->root_readonly ? MS_RDONLY : 0, "rootfs");
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
	/* shorter guest paths first: a volume inside another is mounted on it, not hidden under it */
	for (size_t len = 1; !err && len < PATH_MAX_LEN; len++)
		for (int k = 0; !err && k < cfg->nvolumes; k++)
			if (strlen(cfg->volumes[k].guest) == len)
				err = mount_volume(&cfg->volumes[k]);
	return err;
}

/* pid 1, from the configuration's command and identity. */
static struct task *create_init(const struct sentry_config *cfg)
{
	struct spawn_spec sp = {
		.argv = cfg->argv, .envp = cfg->envp, .cwd = cfg->cwd,
		.uid = cfg->uid, .gid = cfg->gid, .groups = cfg->groups, .ngroups = cfg->ngroups,
		.set_umask = cfg->set_umask, .umask = cfg->umask, .no_new_privs = cfg->no_new_privs,
		.rlimits = cfg->rlimits, .nrlimits = cfg->nrlimits,
		.stdio = { 0, 1, 2 }, .init = true,
	};

	return spawn_process(&sp);
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
	log_install_crash_handler();
	if (getenv("CVISOR_TEST_CRASH") && strcmp(getenv("CVISOR_TEST_CRASH"), "segv-on-hup") == 0)
		g_host_sig.crash_on_hup = true;
	else if (getenv("CVISOR_TEST_CRASH"))
		test_crash(getenv("CVISOR_TEST_CRASH"));
	err = setup_host_signals();
	if (err)
		return err;
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
	if (cfg->seccomp_prog && spawn_set_seccomp(cfg->seccomp_prog, cfg->seccomp_len)) {
		kernel_unlock();
		return -EINVAL;
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
	forward_early_signals();
	/* after init exists: an exec needs a running sandbox */
	if (cfg->control_fd >= 0 && control_start(cfg->control_fd))
		log_warn("cannot serve cvisor exec requests");
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
