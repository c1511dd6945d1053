/* SPDX-License-Identifier: MIT */
/*
 * Tasks (threads) and thread groups (processes). One Sentry host thread
 * runs each task: it switches to guest code through the platform, serves
 * the syscall or fault that comes back, delivers signals, and repeats.
 * All fields are guarded by the kernel lock unless noted.
 */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "abi/linux/misc.h"
#include "abi/linux/signal.h"
#include "lib/list.h"
#include "platform/platform.h"
#include "sentry/kernel/timer.h"
#include "sentry/kernel/waitq.h"

struct mm;
struct fd_table;
struct fs_context;
struct strace_call;

#define NGROUPS_MAX 65536
#define GUEST_RLIM_NLIMITS 16
#define MAX_POSIX_TIMERS 64

struct posix_timer;

struct cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint32_t ngroups;
	uint32_t *groups;
};

/*
 * Who waits outside the sandbox for a parentless process (one `cvisor exec`
 * started) to end: fired, kernel lock held, as it becomes a zombie (and is
 * freed right after); @efd is an eventfd the waiter polls.
 */
struct exit_watch {
	int efd;
	bool done;
	int status;			/* wait(2) status word */
};

struct thread_group {
	int refs;
	pid_t tgid;
	pid_t pgid, sid;
	struct thread_group *parent;
	struct list_head children;	/* of thread_group.sibling */
	struct list_head sibling;
	struct list_head tasks;		/* of task.tg_node */
	int nr_live;			/* threads not yet exited */
	bool exiting;			/* exit_group or fatal signal in progress */
	bool zombie;			/* all threads gone, waiting to be reaped */
	bool stopped;			/* SIGSTOP and friends */
	int exit_status;		/* wait(2) status word */
	int exit_signal;		/* sent to the parent at exit (SIGCHLD, or other for clone children) */
	bool stop_report;		/* a stop not yet reported to wait(WUNTRACED) */
	bool continue_report;		/* a continue not yet reported to wait(WCONTINUED) */
	int stop_signal;
	struct linux_sigaction actions[LINUX_NSIG];
	linux_sigset_t pending;		/* process-directed signals */
	linux_sigset_t pending_forced;	/* of them, the ones init may not drop (signal.c) */
	struct list_head rt_queue;	/* later instances of pending RT signals (signal.c) */
	struct linux_siginfo pending_info[LINUX_NSIG];
	struct linux_rlimit rlimits[GUEST_RLIM_NLIMITS];
	struct waitq child_exit;	/* wait4() sleepers of this process */
	struct task *exec_waiter;	/* a thread in execve() waiting for the others to go */
	struct exit_watch *exit_watch;	/* parentless processes of `cvisor exec`; NULL otherwise */
	struct ktimer itimer_real;	/* setitimer(ITIMER_REAL), alarm() */
	/* ITIMER_VIRTUAL [0] and ITIMER_PROF [1]: due at a process CPU time, polled while armed */
	uint64_t itimer_cpu_expiry[2];	/* CPU ns; 0 = disarmed */
	uint64_t itimer_cpu_interval[2];
	struct ktimer itimer_cpu_poll;
	struct posix_timer *posix_timers[MAX_POSIX_TIMERS];
	uint64_t start_ns;
	uint64_t cutime_ns, cstime_ns;	/* reaped children */
	uint64_t utime_ns, stime_ns;	/* exited threads of this process */
	uint64_t maxrss_kb, cmaxrss_kb;	/* own peak, and the largest of reaped children */
};

enum task_state {
	TASK_IN_SENTRY,
	TASK_IN_GUEST,
	TASK_SLEEPING,
	TASK_HOST_BLOCKED,
};

struct task {
	pid_t tid;
	struct thread_group *tg;
	struct list_head tg_node;
	struct mm *mm;
	struct fs_context *fs;
	struct fd_table *fds;
	struct cred cred;
	struct arch_regs regs;
	struct platform_context *pctx;
	void *initial_fp;		/* fork: XSAVE image to load into the new stub */
	size_t initial_fp_size;

	pthread_t thread;
	pid_t host_tid;
	pthread_cond_t wake_cond;
	bool woken;
	enum task_state state;
	bool exiting;

	linux_sigset_t sigmask;
	linux_sigset_t sigwaiting;	/* rt_sigtimedwait's set (Linux's real_blocked) */
	linux_sigset_t pending;		/* thread-directed signals */
	linux_sigset_t pending_forced;	/* of them, faults: init may not drop them */
	struct list_head rt_queue;	/* later instances of pending RT signals (signal.c) */
	struct linux_siginfo pending_info[LINUX_NSIG];
	struct linux_stack altstack;
	linux_sigset_t saved_sigmask;	/* rt_sigsuspend: the mask to restore afterwards */
	bool has_saved_sigmask;
	long restart_ret;		/* a syscall's -ERESTART* code, resolved at signal delivery */

	uint64_t clear_child_tid;
	uint64_t last_fault_addr;	/* a fault retried as spurious; a repeat is real */
	uint64_t robust_list;		/* set_robust_list() head, walked at exit */
	int exit_code;			/* exit(2) of this thread alone: wait status */
	int pdeath_signal;		/* PR_SET_PDEATHSIG: sent when the parent process dies */
	bool no_new_privs;		/* PR_SET_NO_NEW_PRIVS: sticky, inherited */
	int seccomp_mode;		/* SECCOMP_MODE_* (kernel/seccomp.h), inherited */
	struct seccomp_filter *seccomp;	/* the newest filter of the stack; holds a reference */
	struct task *vfork_parent;	/* parent sleeping in vfork() until we exec or exit */
	bool vfork_done;
	char comm[16];
	uint64_t start_ns;
	struct strace_call *strace;	/* --strace state of the current call */
	bool strace_active;		/* a traced call is in progress */
};

/* The task running on this host thread (NULL outside task threads). */
extern __thread struct task *current;

struct task *task_lookup(pid_t tid);
struct thread_group *tg_lookup(pid_t tgid);

/* Start the first process of the sandbox. Returns its task or an -errno pointer. */
struct task *task_create_init(const char *path, char *const argv[], char *const envp[]);
/* Start @t's host thread; @t is fully set up. */
int task_start(struct task *t);
/* Wake @t from a sleep, host block or guest code so it notices pending work. */
void task_interrupt(struct task *t);
/* Interrupt every task of @mm running guest code, so it comes back through the run loop (mm_settle_stale). */
void task_kick_mm(struct mm *mm);
/* Mark @t's whole thread group for exit with @status; the threads exit as they notice. */
void tg_exit(struct thread_group *tg, int status);
/* Free an exited task's structure (it has left its thread group's list). */
void task_free(struct task *t);
/* The task loop notices exiting and calls this; never returns. */
void task_exit_now(struct task *t) __attribute__((noreturn));

/* Signals (signal.c) */
int send_signal_tg(struct thread_group *tg, int sig, const struct linux_siginfo *info);
/* Free the queued signals of a task or process that goes away. */
void task_flush_sigqueue(struct task *t);
void tg_flush_sigqueue(struct thread_group *tg);
/* Like send_signal_tg(), from outside the sandbox (or the kernel's own kill): the sandbox's init takes it too. */
int send_signal_tg_forced(struct thread_group *tg, int sig, const struct linux_siginfo *info);
int send_signal_task(struct task *t, int sig, const struct linux_siginfo *info);
bool task_signal_pending(struct task *t);
/* Act on pending signals before returning to guest code. */
void task_deliver_signals(struct task *t);
void task_force_signal(struct task *t, int sig, int code, uint64_t addr);
/* CPU time of @t: guest code of its address space (user) and its Sentry thread (system). */
void task_cpu_times(struct task *t, uint64_t *user_ns, uint64_t *sys_ns);
/* CPU time of a whole process, exited threads included. */
void tg_cpu_times(struct thread_group *tg, uint64_t *user_ns, uint64_t *sys_ns);
bool sig_default_ignored(int sig);
/* Timers (sys_timer.c): the ITIMER_REAL callback, and disarming everything at process exit. */
void itimer_real_fire(struct ktimer *kt);
void itimer_cpu_poll(struct ktimer *kt);
/* RLIMIT_CPU of @tg was set or inherited: watch its CPU time. */
void rlimit_cpu_changed(struct thread_group *tg);
void timers_release(struct thread_group *tg);
/* A POSIX timer's signal (SI_TIMER) was just taken: fill in si_overrun and re-arm the timer. */
void posix_timer_dequeued(struct task *t, struct linux_siginfo *info);
/* Drop pending instances of @sig everywhere in @tg (its action became "ignore"). */
void tg_flush_signal(struct thread_group *tg, int sig);
/* Take the lowest pending signal in @set (thread-directed first); 0 if none. */
int dequeue_signal_in(struct task *t, linux_sigset_t set, struct linux_siginfo *info);

/* Signal frames (arch/x86_64/sigframe.c) */
int setup_signal_frame(struct task *t, int sig, const struct linux_sigaction *act,
		       const struct linux_siginfo *info, linux_sigset_t old_mask);
long restore_signal_frame(struct task *t);
