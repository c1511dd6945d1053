// SPDX-License-Identifier: MIT
/*
 * The systrap stub's C code: it runs in the stub process, freestanding (no
 * libc, no TLS: %fs belongs to the guest), linked at SYSTRAP_CODE.
 *
 * stub_main() turns a fresh fork of the Sentry into a stub: it drops every
 * fd (but the memory file and the shared file) and mapping of the Sentry, installs the signal handlers, starts the
 * syscall thread and puts itself under the guest filter. From then on guest
 * code runs here; each of its syscalls (SIGSYS from seccomp), faults and the
 * Sentry's interrupt signal enter handler(), which reports to the Sentry
 * through the context page and waits for the command to go on.
 */
#include <stdint.h>
#include "platform/systrap/layout.h"

/* Everything is linked into one image: direct, RIP-relative references. */
#pragma GCC visibility push(hidden)

#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_sigaltstack 131
#define NR_munmap 11
#define NR_prctl 157
#define NR_futex 202
#define NR_exit 60
#define NR_sched_yield 24
#define NR_set_tid_address 218
#define NR_seccomp 317
#define NR_close_range 436

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGSTOP 19
#define SIGSYS 31
#define SYS_SECCOMP 1
#define AUDIT_ARCH_X86_64 0xc000003e
#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESTORER 0x04000000
#define SIG_SETMASK 2
#define PR_SET_NO_NEW_PRIVS 38
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

long stub_raw_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
long stub_spawn_systhread(void);
void stub_restorer(void);
extern const char stub_ready_site[];
extern const char stub_frame_site[];
extern const char stub_fast_bad_gs[], stub_fast_restore[], stub_fast_end[];
void stub_ready(void) __attribute__((noreturn));
void stub_main(void) __attribute__((noreturn));
void stub_thread_main(void) __attribute__((noreturn));
void stub_fast_syscall(void);

struct k_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

struct k_stack {
	void *sp;
	int flags;
	unsigned long size;
};

/* struct ucontext: uc_flags, uc_link, uc_stack (24 bytes), then the registers */
#define UC_GREGS_OFF 40	/* then the registers, in FR_* order */

struct k_siginfo {
	int signo;
	int err;
	int code;
	int pad;
	union {
		void *addr;		/* faults */
		struct {
			void *call_addr;
			int syscall;
			unsigned int arch;
		} sys;			/* SIGSYS from seccomp */
	};
};

#define sys0(nr) stub_raw_syscall(nr, 0, 0, 0, 0, 0, 0)
#define sys1(nr, a) stub_raw_syscall(nr, (long)(a), 0, 0, 0, 0, 0)
#define sys2(nr, a, b) stub_raw_syscall(nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(nr, a, b, c) stub_raw_syscall(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(nr, a, b, c, d) stub_raw_syscall(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static void __attribute__((noreturn)) die(void)
{
	for (;;)
		__builtin_trap();
}

/* Our slot: signal stacks and thread stacks live inside it. */
static struct systrap_ctx *my_ctx(void)
{
	uint64_t sp = (uint64_t)__builtin_frame_address(0);

	return (struct systrap_ctx *)(sp & ~(uint64_t)(SYSTRAP_SLOT_SIZE - 1));
}

static uint32_t load_acquire(uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Give the context to the Sentry and wait until it hands it back. */
static void hand_off(struct systrap_ctx *ctx)
{
	uint32_t i;

	__atomic_store_n(&ctx->owner, OWNER_SENTRY, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ctx->sentry_sleeping, __ATOMIC_SEQ_CST))
		sys3(NR_futex, &ctx->owner, FUTEX_WAKE, 1);
	/* Spin while the Sentry is likely to answer soon, on another CPU; then
	 * yield, so that work queued on our CPU goes first; then sleep. */
	for (i = 0; i < ctx->stub_spins && !__atomic_load_n(&ctx->stop_spinning, __ATOMIC_RELAXED); i++) {
		if (load_acquire(&ctx->owner) == OWNER_STUB)
			return;
		__builtin_ia32_pause();
	}
	for (i = 0; i < ctx->stub_yields && !__atomic_load_n(&ctx->stop_spinning, __ATOMIC_RELAXED); i++) {
		if (load_acquire(&ctx->owner) == OWNER_STUB)
			return;
		sys0(NR_sched_yield);
	}
	__atomic_store_n(&ctx->stub_sleeping, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&ctx->owner, __ATOMIC_SEQ_CST) != OWNER_STUB)
		sys4(NR_futex, &ctx->owner, FUTEX_WAIT, OWNER_SENTRY, 0);
	__atomic_store_n(&ctx->stub_sleeping, 0, __ATOMIC_RELAXED);
}

/* Hand off, then wait for a command we can act on (CMD_FRAME only on the fast path). */
static uint32_t await_command(struct systrap_ctx *ctx, int fast)
{
	for (;;) {
		uint32_t cmd;

		hand_off(ctx);
		cmd = __atomic_load_n(&ctx->cmd, __ATOMIC_RELAXED);
		if (cmd == CMD_EXIT) {
			sys1(NR_exit, 0);
			die();
		}
		if (cmd == CMD_RUN || (fast && cmd == CMD_FRAME))
			return cmd;
		/* not a command: report again */
	}
}

static uint32_t classify(int sig, struct k_siginfo *si, struct systrap_ctx *ctx)
{
	if (sig == SIGSYS && si->code == SYS_SECCOMP && si->sys.arch == AUDIT_ARCH_X86_64) {
		ctx->syscall_nr = (uint64_t)(int64_t)si->sys.syscall;
		if (si->sys.call_addr == (void *)stub_ready_site)
			return EV_READY;
		return EV_SYSCALL;
	}
	/* A foreign ABI's syscall (int $0x80) is reported as the SIGSYS it is. */
	/* Sent, not caused (kill, tgkill, our interrupt): nothing to emulate. */
	if (sig == SYSTRAP_INTERRUPT_SIGNAL || si->code <= 0)
		return EV_INTERRUPT;
	if (sig == SIGILL && si->addr == (void *)stub_frame_site)
		return EV_FRAME;
	ctx->fault_addr = (uint64_t)si->addr;
	return EV_FAULT;
}

static uint64_t *uc_gregs(void *uc)
{
	return (uint64_t *)((char *)uc + UC_GREGS_OFF);
}

/* The interrupted code ran on this slot's stack: the fast path, not guest code. */
static int on_slot_stack(struct systrap_ctx *ctx, void *uc)
{
	uint64_t rsp = uc_gregs(uc)[FR_RSP];
	uint64_t lo = (uint64_t)ctx + SYSTRAP_CTX_SIZE, hi = (uint64_t)ctx + SYSTRAP_SLOT_SIZE;

	return rsp >= lo && rsp < hi;
}

/* Interrupted while returning to the guest from the fast path: finish that in the frame. */
static void finish_fast_return(struct systrap_ctx *ctx, void *uc)
{
	uint64_t *g = uc_gregs(uc);

	for (int i = 0; i < FR_COUNT; i++)
		g[i] = ctx->regs[i];
}

/*
 * An interrupt that found the thread inside the fast path, whose state is
 * half in registers, half in ctx->regs: never the guest's to see. On the
 * way in, drop it (a hand-off follows at once); on the way out (CMD_RUN
 * given), finish the return in the frame and report the guest's state.
 * Returns 1 when the interrupt is dropped.
 */
static int fast_path_interrupted(struct systrap_ctx *ctx, void *uc)
{
	uint64_t rip = uc_gregs(uc)[FR_RIP];

	if (rip >= (uint64_t)stub_fast_restore && rip < (uint64_t)stub_fast_end)
		goto returning;
	if (rip >= (uint64_t)stub_fast_bad_gs && rip < (uint64_t)stub_fast_restore)
		return 1;
	if (!on_slot_stack(ctx, uc))
		return 0;	/* guest code */
	/* In the C part: stub_fast_entry cleared cmd, the Sentry sets it before handing back. */
	if (__atomic_load_n(&ctx->owner, __ATOMIC_ACQUIRE) != OWNER_STUB ||
	    __atomic_load_n(&ctx->cmd, __ATOMIC_RELAXED) != CMD_RUN)
		return 1;
returning:
	finish_fast_return(ctx, uc);
	return 0;
}

static void handler(int sig, struct k_siginfo *si, void *uc)
{
	struct systrap_ctx *ctx = my_ctx();
	uint32_t event = classify(sig, si, ctx);

	if (event == EV_INTERRUPT && fast_path_interrupted(ctx, uc))
		return;
	ctx->signo = sig;
	ctx->si_code = si->code;
	ctx->event = event;
	ctx->frame = (uint64_t)uc;
	ctx->fs_base = __builtin_ia32_rdfsbase64();
	ctx->gs_base = __builtin_ia32_rdgsbase64();
	await_command(ctx, 0);
	/* The Sentry rewrote the frame: returning resumes the guest. */
	__builtin_ia32_wrfsbase64(ctx->fs_base);
	__builtin_ia32_wrgsbase64(ctx->gs_base);
}

/* From stub_fast_entry: the guest's registers are in ctx->regs. */
void stub_fast_syscall(void)
{
	struct systrap_ctx *ctx = my_ctx();

	ctx->regs[FR_R11] = ctx->regs[FR_RFLAGS];
	ctx->syscall_nr = ctx->regs[FR_RAX];
	ctx->event = EV_FAST_SYSCALL;
	ctx->fs_base = __builtin_ia32_rdfsbase64();
	ctx->gs_base = __builtin_ia32_rdgsbase64();
	if (await_command(ctx, 1) == CMD_FRAME) {
		__asm__ volatile("jmp stub_frame_site");	/* the handler takes it from here */
		__builtin_unreachable();
	}
	__builtin_ia32_wrfsbase64(ctx->fs_base);
}

static const int handled_signals[] = {
	SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SYSTRAP_INTERRUPT_SIGNAL,
};

static void set_handlers(void)
{
	struct k_sigaction dfl = { 0 }, act = {
		.handler = (void *)handler,
		.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
		.restorer = (void *)stub_restorer,
		.mask = ~0ULL,
	};
	unsigned int i;
	int sig;

	/* The Sentry's own handlers came along with the fork: their code is gone. */
	for (sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sys4(NR_rt_sigaction, sig, &dfl, 0, 8);
	for (i = 0; i < sizeof(handled_signals) / sizeof(handled_signals[0]); i++)
		if (sys4(NR_rt_sigaction, handled_signals[i], &act, 0, 8))
			die();
}

/* Handlers run on the slot's stack below the context page. */
static void set_signal_stack(struct systrap_ctx *ctx)
{
	struct k_stack ss = {
		.sp = (char *)ctx + SYSTRAP_CTX_SIZE,
		.flags = 0,
		.size = SYSTRAP_SLOT_SIZE - SYSTRAP_CTX_SIZE,
	};

	if (sys2(NR_sigaltstack, &ss, 0))
		die();
}

void stub_main(void)
{
	uint64_t all = ~0ULL, none = 0;
	uint64_t code_end = SYSTRAP_CODE + SYSTRAP_CODE_SIZE;
	uint64_t slots_end = SYSTRAP_SLOTS + SYSTRAP_SLOTS_SIZE;

	_Static_assert(STUB_MEMORY_FD == 0 && STUB_SHARED_FD == 1, "the fds kept are the first two");
	sys3(NR_close_range, STUB_SHARED_FD + 1, ~0U, 0);
	sys2(NR_munmap, 0, SYSTRAP_CODE);
	sys2(NR_munmap, code_end, SYSTRAP_SLOTS - code_end);
	sys2(NR_munmap, slots_end, SYSTRAP_HOST_TOP - slots_end);
	if (sys2(NR_prctl, PR_SET_NO_NEW_PRIVS, 1))
		die();
	/* Our exit clears the tid in the context page: the Sentry's sign we are gone. */
	sys1(NR_set_tid_address, &my_ctx()->tid);
	set_handlers();
	/* The syscall thread starts with every signal blocked, and keeps it so. */
	sys4(NR_rt_sigprocmask, SIG_SETMASK, &all, 0, 8);
	if (stub_spawn_systhread() < 0)
		die();
	set_signal_stack(my_ctx());
	sys4(NR_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
	if (sys3(NR_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, 0, SYSTRAP_CODE + STUB_FPROG_GUEST_OFF))
		die();
	stub_ready();
}

/* A thread the syscall thread cloned, already under the guest filter. */
void stub_thread_main(void)
{
	set_signal_stack(my_ctx());
	stub_ready();
}
