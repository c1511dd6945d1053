// SPDX-License-Identifier: MIT
/*
 * The ptrace platform. Every guest address space is a stub process; every
 * task running in it has its own stub thread there, traced by the task's
 * host thread (ptrace requests must come from the tracer). Guest code runs
 * under PTRACE_SYSEMU; mappings are changed by injecting mmap/munmap/mprotect
 * into the caller's own stub thread, which then applies to the whole stub
 * process. Each tracer and its stub thread share a CPU: a ptrace round trip
 * costs ~4-11 us on one CPU and ~60 us across CPUs on these machines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/list.h"
#include "lib/log.h"
#include "lib/util.h"
#include "platform/platform.h"
#include "platform/ptrace/stub.h"

#define RSEQ_SIG_X86 0x53053053
/* Host signal used to kick a stub thread out of guest code. */
#define PTRACE_INTERRUPT_SIGNAL SIGCHLD
#define STUB_THREAD_FLAGS \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

struct stub_thread {
	pid_t tid;
	pid_t tracer;			/* 0 until its task thread attaches */
	struct address_space *as;
	struct list_head node;		/* in as->threads */
	atomic_bool interrupt_pending;
	bool dead;
};

/*
 * Guarded by the kernel lock (every caller is a task thread holding it),
 * except interrupt(), which only reads tids.
 */
struct address_space {
	pid_t pid;			/* the stub process */
	int memfd;
	int nr_threads;			/* live stub threads */
	struct list_head threads;
	struct arch_regs stub_regs;	/* register template (segments) from the first stop */
};

struct platform_context {
	struct stub_thread *st;		/* where this task runs now, or NULL */
};

static int ptrace_init(struct platform *p, int memfd)
{
	p->memfd = memfd;
	return 0;
}

static int wait_tid(pid_t tid, int *status)
{
	for (;;) {
		pid_t r = waitpid(tid, status, __WALL);

		if (r == tid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static struct stub_thread *thread_new(struct address_space *as, pid_t tid, pid_t tracer)
{
	struct stub_thread *st = xzalloc(sizeof(*st));

	st->tid = tid;
	st->tracer = tracer;
	st->as = as;
	list_add_tail(&st->node, &as->threads);
	as->nr_threads++;
	return st;
}

static void thread_forget(struct stub_thread *st)
{
	list_del(&st->node);
	if (!st->dead)
		st->as->nr_threads--;
	free(st);
}

/* The calling thread's stub thread in @as. */
static struct stub_thread *my_thread(struct address_space *as)
{
	struct stub_thread *st;
	pid_t me = gettid();

	list_for_each_entry(st, &as->threads, node)
		if (st->tracer == me && !st->dead)
			return st;
	return NULL;
}

static void mark_dead(struct stub_thread *st)
{
	if (!st->dead) {
		st->dead = true;
		st->as->nr_threads--;
	}
}

static int ptrace_new_address_space(struct platform *p, struct address_space **out)
{
	struct address_space *as;
	int status, err;
	long pid;

	platform_pin_self_next_cpu();
	pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* The child inherits glibc's rseq registration; the kernel would fault
		 * writing to it once the stub has unmapped the Sentry. glibc registers
		 * 32 bytes even where __rseq_size says 20. */
		char *area = (char *)__builtin_thread_pointer() + __rseq_offset;

		/* Out of the terminal's foreground group: ^C or ^Z is for the Sentry to hand to the guest, not to
		 * kill or stop a stub under it (docs/lifetime.md). */
		setpgid(0, 0);
		if (syscall(SYS_rseq, area, 32, 1, RSEQ_SIG_X86) != 0)
			syscall(SYS_rseq, area, __rseq_size, 1, RSEQ_SIG_X86);
		ptrace_stub_enter(p->memfd);
	}
	as = xzalloc(sizeof(*as));
	as->pid = pid;
	as->memfd = p->memfd;
	list_init(&as->threads);
	if (wait_tid(pid, &status) < 0 || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
		log_error("ptrace stub %ld failed to start (status %#x)", pid, status);
		err = -ECHILD;
		goto fail;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0 ||
	    ptrace(PTRACE_GETREGS, pid, 0, &as->stub_regs) < 0) {
		err = -errno;
		goto fail;
	}
	thread_new(as, pid, gettid());
	*out = as;
	return 0;
fail:
	kill(pid, SIGKILL);
	waitpid(pid, &status, __WALL);
	free(as);
	return err;
}

static void ptrace_release_address_space(struct address_space *as)
{
	struct stub_thread *st, *n;
	int status;

	kill(as->pid, SIGKILL);
	/* Reap the threads we trace (their tracer must), then the process. */
	list_for_each_entry_safe(st, n, &as->threads, node) {
		if (st->tracer == gettid() && st->tid != as->pid)
			waitpid(st->tid, &status, __WALL);
		thread_forget(st);
	}
	while (waitpid(as->pid, &status, __WALL) < 0 && errno == EINTR)
		;
	free(as);
}

/*
 * Run one host syscall in stub thread @st at stub offset @site. Stray signal
 * stops on the way are swallowed and remembered as an interrupt.
 */
static long inject_at(struct stub_thread *st, uint64_t site, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		      uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct arch_regs r = st->as->stub_regs;
	int status;

	if (st->dead)
		return -ESRCH;
	BUG_ON(gettid() != st->tracer);
	r.rip = STUB_ADDR + site;
	r.rax = nr;
	r.orig_rax = -1;
	r.rdi = a0;
	r.rsi = a1;
	r.rdx = a2;
	r.r10 = a3;
	r.r8 = a4;
	r.r9 = a5;
	if (ptrace(PTRACE_SETREGS, st->tid, 0, &r) < 0)
		goto dead;
	for (;;) {
		if (ptrace(PTRACE_CONT, st->tid, 0, 0) < 0 || wait_tid(st->tid, &status) < 0 || !WIFSTOPPED(status))
			goto dead;
		if (WSTOPSIG(status) == SIGTRAP)
			break;
		if (WSTOPSIG(status) == SIGSEGV || WSTOPSIG(status) == SIGBUS) {
			log_error("stub thread %d faulted during injected syscall %ld", st->tid, nr);
			goto dead;
		}
		atomic_store(&st->interrupt_pending, true);
	}
	if (ptrace(PTRACE_GETREGS, st->tid, 0, &r) < 0)
		goto dead;
	return (long)r.rax;
dead:
	mark_dead(st);
	return -ESRCH;
}

static long inject(struct address_space *as, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		   uint64_t a4, uint64_t a5)
{
	struct stub_thread *st = my_thread(as);

	if (!st)
		return -ESRCH;
	return inject_at(st, STUB_SYSCALL_OFF, nr, a0, a1, a2, a3, a4, a5);
}

static int ptrace_map(struct address_space *as, uint64_t addr, size_t size, int prot, uint64_t off)
{
	return platform_stub_map(inject, as, as->memfd, addr, size, prot, off);
}

static int ptrace_unmap(struct address_space *as, uint64_t addr, size_t size)
{
	return platform_stub_unmap(inject, as, addr, size);
}

static int ptrace_protect(struct address_space *as, uint64_t addr, size_t size, int prot)
{
	return platform_stub_protect(inject, as, addr, size, prot);
}

static int ptrace_new_context(struct platform *p, struct platform_context **out)
{
	(void)p;
	*out = xzalloc(sizeof(**out));
	return 0;
}

static int ptrace_clone_context(struct platform_context *parent, struct address_space *as,
				struct platform_context *child)
{
	struct stub_thread *st = parent->st && parent->st->as == as ? parent->st : my_thread(as);
	long tid;

	if (!st)
		return -ESRCH;
	tid = inject_at(st, STUB_CLONE_OFF, SYS_clone, STUB_THREAD_FLAGS, 0, 0, 0, 0, 0);
	if (tid < 0)
		return (int)tid;
	child->st = thread_new(as, (pid_t)tid, 0);
	return 0;
}

/* Take over the stub thread clone_context() made for us: seize it and stop it. */
static int ptrace_attach_context(struct platform_context *c)
{
	struct stub_thread *st = c->st;
	int status;

	if (!st || st->tracer)
		return 0;
	platform_pin_self_next_cpu();
	if (ptrace(PTRACE_SEIZE, st->tid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0 ||
	    ptrace(PTRACE_INTERRUPT, st->tid, 0, 0) < 0 || wait_tid(st->tid, &status) < 0 || !WIFSTOPPED(status)) {
		log_error("cannot attach to stub thread %d: %s", st->tid, strerror(errno));
		mark_dead(st);
		return -ESRCH;
	}
	st->tracer = gettid();
	/* Same CPU as its tracer: cross-CPU ptrace round trips cost ~15x more. */
	{
		cpu_set_t mine;

		if (sched_getaffinity(0, sizeof(mine), &mine) == 0)
			sched_setaffinity(st->tid, sizeof(mine), &mine);
	}
	return 0;
}

/*
 * Give up our stub thread, unless it is the last one (release_address_space()
 * kills and reaps that). Other threads exit; the process's leader cannot be
 * reaped while other threads live, so it is parked untraced in the pause()
 * loop of the clone site instead.
 */
static void ptrace_detach_context(struct platform_context *c)
{
	struct stub_thread *st = c->st;
	struct arch_regs r;
	int status;

	c->st = NULL;
	if (!st || st->tracer != gettid())
		return;
	if (st->dead) {
		thread_forget(st);
		return;
	}
	if (st->as->nr_threads <= 1)
		return;
	r = st->as->stub_regs;
	r.orig_rax = -1;
	if (st->tid == st->as->pid) {
		r.rip = STUB_ADDR + STUB_CLONE_OFF;
		r.rax = SYS_sched_yield;	/* returns 0: the "new thread" path, pause() forever */
		if (ptrace(PTRACE_SETREGS, st->tid, 0, &r) == 0)
			ptrace(PTRACE_DETACH, st->tid, 0, 0);
	} else {
		r.rip = STUB_ADDR + STUB_SYSCALL_OFF;
		r.rax = SYS_exit;
		r.rdi = 0;
		if (ptrace(PTRACE_SETREGS, st->tid, 0, &r) == 0 && ptrace(PTRACE_CONT, st->tid, 0, 0) == 0) {
			while (wait_tid(st->tid, &status) == 0 && WIFSTOPPED(status))
				ptrace(PTRACE_CONT, st->tid, 0, 0);
		}
	}
	thread_forget(st);
}

static void ptrace_release_context(struct platform_context *c)
{
	free(c);
}

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

static int ptrace_switch_to(struct platform_context *c, struct address_space *as, struct arch_regs *regs,
			    struct exit_info *info)
{
	struct stub_thread *st = c->st;
	struct arch_regs r;
	int status, sig;
	siginfo_t si;

	memset(info, 0, sizeof(*info));
	if (!st || st->as != as) {
		st = my_thread(as);
		c->st = st;
	}
	if (!st || st->dead)
		goto dead;
	if (atomic_exchange(&st->interrupt_pending, false)) {
		info->kind = EXIT_INTERRUPT;
		return 0;
	}
	/* Segment selectors are the host's; a guest cannot choose them. */
	regs->cs = as->stub_regs.cs;
	regs->ss = as->stub_regs.ss;
	regs->ds = as->stub_regs.ds;
	regs->es = as->stub_regs.es;
	regs->fs = as->stub_regs.fs;
	regs->gs = as->stub_regs.gs;
	regs->eflags = (regs->eflags & 0xcd5) | 0x202;
	/* orig_rax -1: the host must never apply its own syscall-restart logic to our registers. */
	r = *regs;
	r.orig_rax = -1;
	if (ptrace(PTRACE_SETREGS, st->tid, 0, &r) < 0 || ptrace(PTRACE_SYSEMU, st->tid, 0, 0) < 0) {
		log_warn("stub thread %d: cannot resume: %s", st->tid, strerror(errno));
		goto dead;
	}
	if (wait_tid(st->tid, &status) < 0 || !WIFSTOPPED(status))
		goto dead;
	if (ptrace(PTRACE_GETREGS, st->tid, 0, regs) < 0)
		goto dead;
	sig = WSTOPSIG(status);
	if (sig == (SIGTRAP | 0x80)) {
		info->kind = EXIT_SYSCALL;
		return 0;
	}
	if (is_fault_signal(sig) && ptrace(PTRACE_GETSIGINFO, st->tid, 0, &si) == 0 && si.si_code != SI_USER &&
	    si.si_code != SI_TKILL) {
		info->kind = EXIT_FAULT;
		info->signo = sig;
		info->si_code = si.si_code;
		info->fault_addr = (uint64_t)si.si_addr;
		return 0;
	}
	info->kind = EXIT_INTERRUPT;
	return 0;
dead:
	if (st)
		mark_dead(st);
	info->kind = EXIT_DIED;
	return 0;
}

static void ptrace_interrupt(struct platform_context *c, struct address_space *as)
{
	struct stub_thread *st = c->st;

	if (st && st->as == as && !st->dead)
		syscall(SYS_tgkill, as->pid, st->tid, PTRACE_INTERRUPT_SIGNAL);
}

/*
 * The stub process's CPU clock. Per-thread CPU clocks of another process are
 * refused by the host (EINVAL), so time is known per address space only.
 */
static uint64_t ptrace_cpu_time_ns(struct address_space *as)
{
	struct timespec ts;
	clockid_t cid;

	if (clock_getcpuclockid(as->pid, &cid) || clock_gettime(cid, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#define NT_X86_XSTATE_ 0x202

static int ptrace_get_xstate(struct address_space *as, void *buf, size_t *size)
{
	struct stub_thread *st = my_thread(as);
	struct iovec iov = { buf, *size };

	if (!st)
		return -ESRCH;
	if (ptrace(PTRACE_GETREGSET, st->tid, NT_X86_XSTATE_, &iov) < 0)
		return -errno;
	*size = iov.iov_len;
	return 0;
}

static int ptrace_set_xstate(struct address_space *as, const void *buf, size_t size)
{
	struct stub_thread *st = my_thread(as);
	struct iovec iov = { (void *)buf, size };

	if (!st)
		return -ESRCH;
	return ptrace(PTRACE_SETREGSET, st->tid, NT_X86_XSTATE_, &iov) < 0 ? -errno : 0;
}

static int ptrace_get_fpregs(struct address_space *as, struct arch_fpregs *fp)
{
	struct stub_thread *st = my_thread(as);

	if (!st)
		return -ESRCH;
	return ptrace(PTRACE_GETFPREGS, st->tid, 0, fp) < 0 ? -errno : 0;
}

static int ptrace_set_fpregs(struct address_space *as, const struct arch_fpregs *fp)
{
	struct stub_thread *st = my_thread(as);

	if (!st)
		return -ESRCH;
	return ptrace(PTRACE_SETFPREGS, st->tid, 0, fp) < 0 ? -errno : 0;
}

const struct platform_ops ptrace_platform_ops = {
	.name = "ptrace",
	.init = ptrace_init,
	.new_address_space = ptrace_new_address_space,
	.release_address_space = ptrace_release_address_space,
	.map = ptrace_map,
	.unmap = ptrace_unmap,
	.protect = ptrace_protect,
	.new_context = ptrace_new_context,
	.clone_context = ptrace_clone_context,
	.attach_context = ptrace_attach_context,
	.detach_context = ptrace_detach_context,
	.release_context = ptrace_release_context,
	.switch_to = ptrace_switch_to,
	.interrupt = ptrace_interrupt,
	.cpu_time_ns = ptrace_cpu_time_ns,
	.get_xstate = ptrace_get_xstate,
	.set_xstate = ptrace_set_xstate,
	.get_fpregs = ptrace_get_fpregs,
	.set_fpregs = ptrace_set_fpregs,
};
