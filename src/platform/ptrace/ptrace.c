// SPDX-License-Identifier: MIT
/*
 * The ptrace platform: every guest address space is a stub process traced
 * by the task thread that created it. Guest code runs under PTRACE_SYSEMU;
 * mappings are changed by injecting mmap/munmap/mprotect at the stub's
 * "syscall; int3" site. The tracer and its stub are pinned to one CPU: a
 * ptrace round trip costs ~4 us on one CPU and ~60 us across CPUs here.
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
#include "lib/log.h"
#include "lib/util.h"
#include "platform/platform.h"
#include "platform/ptrace/stub.h"

#define RSEQ_SIG_X86 0x53053053

/* Host signal used to kick a stub out of guest code (ignored by default). */
#define PTRACE_INTERRUPT_SIGNAL SIGCHLD

struct address_space {
	pid_t pid;
	pid_t tracer;
	int memfd;
	atomic_bool interrupt_pending;
	bool dead;
	struct arch_regs stub_regs;	/* register template (segments) from the first stop */
};

struct platform_context {
	int unused;
};

static atomic_uint g_next_cpu;

static int ptrace_init(struct platform *p, int memfd)
{
	p->memfd = memfd;
	return 0;
}

/* Pin the calling thread (and so its future stub) to one allowed CPU. */
static void pin_to_next_cpu(void)
{
	cpu_set_t allowed, one;
	int n, idx, cpu;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return;
	n = CPU_COUNT(&allowed);
	if (n <= 1)
		return;
	idx = atomic_fetch_add(&g_next_cpu, 1) % n;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		if (idx-- == 0)
			break;
	}
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

static int wait_stopped(pid_t pid, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, __WALL);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int ptrace_new_address_space(struct platform *p, struct address_space **out)
{
	struct address_space *as;
	int status;
	long pid;

	pin_to_next_cpu();
	pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* The child inherits glibc's rseq registration; the kernel would fault
		 * writing to it once the stub has unmapped the Sentry. */
		char *area = (char *)__builtin_thread_pointer() + __rseq_offset;

		/* glibc registers 32 bytes even where __rseq_size says 20 */
		if (syscall(SYS_rseq, area, 32, 1, RSEQ_SIG_X86) != 0)
			syscall(SYS_rseq, area, __rseq_size, 1, RSEQ_SIG_X86);
		ptrace_stub_enter(p->memfd);
	}

	as = xzalloc(sizeof(*as));
	as->pid = pid;
	as->tracer = gettid();
	as->memfd = p->memfd;
	if (wait_stopped(pid, &status) < 0 || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
		log_error("ptrace stub %ld failed to start (status %#x)", pid, status);
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		free(as);
		return -ECHILD;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0 ||
	    ptrace(PTRACE_GETREGS, pid, 0, &as->stub_regs) < 0) {
		int err = -errno;

		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		free(as);
		return err;
	}
	*out = as;
	return 0;
}

static void ptrace_release_address_space(struct address_space *as)
{
	int status;

	kill(as->pid, SIGKILL);
	while (waitpid(as->pid, &status, __WALL) < 0 && errno == EINTR)
		;
	free(as);
}

/*
 * Run one host syscall inside the stub. Stray signal stops on the way are
 * swallowed and remembered as an interrupt for the next switch_to().
 */
static long inject_syscall(struct address_space *as, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
			   uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct arch_regs r = as->stub_regs;
	int status, err;

	if (as->dead)
		return -ESRCH;
	BUG_ON(gettid() != as->tracer);
	r.rip = STUB_ADDR + STUB_SYSCALL_OFF;
	r.rax = nr;
	r.orig_rax = -1;
	r.rdi = a0;
	r.rsi = a1;
	r.rdx = a2;
	r.r10 = a3;
	r.r8 = a4;
	r.r9 = a5;
	if (ptrace(PTRACE_SETREGS, as->pid, 0, &r) < 0)
		goto dead;
	for (;;) {
		if (ptrace(PTRACE_CONT, as->pid, 0, 0) < 0)
			goto dead;
		err = wait_stopped(as->pid, &status);
		if (err < 0 || !WIFSTOPPED(status))
			goto dead;
		if (WSTOPSIG(status) == SIGTRAP)
			break;
		if (WSTOPSIG(status) == SIGSEGV || WSTOPSIG(status) == SIGBUS) {
			log_error("stub %d faulted during injected syscall %ld", as->pid, nr);
			goto dead;
		}
		atomic_store(&as->interrupt_pending, true);
	}
	if (ptrace(PTRACE_GETREGS, as->pid, 0, &r) < 0)
		goto dead;
	return (long)r.rax;
dead:
	as->dead = true;
	return -ESRCH;
}

static int ptrace_map(struct address_space *as, uint64_t addr, size_t size, int prot, uint64_t off)
{
	long r = inject_syscall(as, SYS_mmap, addr, size, prot, MAP_SHARED | MAP_FIXED, as->memfd, off);

	if (r == (long)addr)
		return 0;
	log_warn("stub mmap(%#lx, %#zx) failed: %ld", (unsigned long)addr, size, r);
	return r < 0 ? (int)r : -EIO;
}

static int ptrace_unmap(struct address_space *as, uint64_t addr, size_t size)
{
	long r = inject_syscall(as, SYS_munmap, addr, size, 0, 0, 0, 0);

	return r < 0 ? (int)r : 0;
}

static int ptrace_protect(struct address_space *as, uint64_t addr, size_t size, int prot)
{
	long r = inject_syscall(as, SYS_mprotect, addr, size, prot, 0, 0, 0);

	if (r < 0)
		log_warn("stub mprotect(%#lx, %#zx, %d) failed: %ld", (unsigned long)addr, size, prot, r);
	return r < 0 ? (int)r : 0;
}

static int ptrace_new_context(struct platform *p, struct platform_context **out)
{
	(void)p;
	*out = xzalloc(sizeof(**out));
	return 0;
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
	int status, sig;
	siginfo_t si;

	(void)c;
	memset(info, 0, sizeof(*info));
	if (as->dead)
		goto dead;
	if (atomic_exchange(&as->interrupt_pending, false)) {
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
	if (ptrace(PTRACE_SETREGS, as->pid, 0, regs) < 0 || ptrace(PTRACE_SYSEMU, as->pid, 0, 0) < 0) {
		log_warn("stub %d: cannot resume: %s", as->pid, strerror(errno));
		goto dead;
	}
	if (wait_stopped(as->pid, &status) < 0 || !WIFSTOPPED(status)) {
		log_warn("stub %d: unexpected wait status %#x", as->pid, status);
		goto dead;
	}
	if (ptrace(PTRACE_GETREGS, as->pid, 0, regs) < 0)
		goto dead;
	sig = WSTOPSIG(status);
	if (sig == (SIGTRAP | 0x80)) {
		info->kind = EXIT_SYSCALL;
		return 0;
	}
	if (is_fault_signal(sig) && ptrace(PTRACE_GETSIGINFO, as->pid, 0, &si) == 0 && si.si_code != SI_USER &&
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
	as->dead = true;
	info->kind = EXIT_DIED;
	return 0;
}

static void ptrace_interrupt(struct platform_context *c, struct address_space *as)
{
	(void)c;
	if (as && !as->dead)
		syscall(SYS_tgkill, as->pid, as->pid, PTRACE_INTERRUPT_SIGNAL);
}

static uint64_t ptrace_cpu_time_ns(struct address_space *as)
{
	struct timespec ts;
	clockid_t cid;

	if (as->dead || clock_getcpuclockid(as->pid, &cid) || clock_gettime(cid, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int ptrace_get_fpregs(struct address_space *as, struct arch_fpregs *fp)
{
	return ptrace(PTRACE_GETFPREGS, as->pid, 0, fp) < 0 ? -errno : 0;
}

static int ptrace_set_fpregs(struct address_space *as, const struct arch_fpregs *fp)
{
	return ptrace(PTRACE_SETFPREGS, as->pid, 0, fp) < 0 ? -errno : 0;
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
	.release_context = ptrace_release_context,
	.switch_to = ptrace_switch_to,
	.interrupt = ptrace_interrupt,
	.cpu_time_ns = ptrace_cpu_time_ns,
	.get_fpregs = ptrace_get_fpregs,
	.set_fpregs = ptrace_set_fpregs,
};
