// SPDX-License-Identifier: MIT
/*
 * The systrap platform. Every guest address space is a stub process (a fork
 * of the Sentry that dropped everything of it; see stub.c); every task
 * running in it has a stub thread there. Guest syscalls trap under seccomp
 * (SIGSYS), faults raise their signals; the stub's handler parks on its
 * context page and the Sentry reads and rewrites the signal frame in shared
 * memory, then lets it return into the guest. No ptrace anywhere: a syscall
 * costs one in-process signal plus two shared-memory hand-offs.
 *
 * Mappings are changed by the stub's syscall thread, which executes requests
 * from a ring only the Sentry can write (read-only in the stub).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/list.h"
#include "lib/log.h"
#include "lib/util.h"
#include "platform/platform.h"
#include "platform/systrap/layout.h"
#include "platform/systrap/systrap.h"
#include "systrap_stub_image.h"

#define RSEQ_SIG_X86 0x53053053
#define HWCAP2_FSGSBASE_ (1 << 1)
#define WAIT_SLICE_NS 100000000LL		/* re-check the stub's health this often */
#define INTERRUPT_GRACE_NS 2000000000LL		/* a stub that ignores our interrupt this long is killed */
#define REQUEST_GRACE_NS 10000000000LL		/* a syscall thread that makes no progress this long, too */
#define FP_XSTATE_MAGIC1_ 0x46505853U
#define FXSAVE_SIZE 512
#define SW_BYTES_OFF 464

/* The kernel's struct ucontext on x86-64, as far as we use it. */
struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp;
	int32_t ss_flags, ss_pad;
	uint64_t ss_size;
	uint64_t gregs[23];		/* glibc's REG_* order */
	uint64_t fpstate;		/* stub address of the XSAVE image */
	uint64_t reserved[8];
	uint64_t sigmask;
};

/* gregs: the FR_* registers (layout.h), then these */
enum { G_CSGSFS = FR_COUNT, G_ERR, G_TRAPNO, G_OLDMASK, G_CR2 };

struct stub_thread {
	struct address_space *as;
	struct list_head node;		/* in as->threads */
	int slot;
	pid_t tid;
	pid_t runner;			/* the Sentry thread that runs guest code here */
	struct systrap_ctx *ctx;	/* the Sentry's view of the context page */
	bool parked;			/* waiting for a command: the registers are ours */
	bool fast;			/* ... on the fast path: registers in ctx->regs, no frame */
	bool dead;
	struct k_ucontext *frame;	/* checked to lie in the slot */
	uint8_t *fpstate;
	uint32_t fpstate_size;
	uint32_t xfeatures;		/* what the frame's XSAVE image may hold */
	_Atomic int64_t interrupt_ns;	/* when an unanswered interrupt was sent */
};

/* Guarded by the kernel lock (task threads call in holding it), the request ring by @ring_lock. */
struct address_space {
	pid_t pid;
	int pidfd;
	int ctxfd;
	uint8_t *shared;		/* the Sentry's mapping of the slots */
	pthread_mutex_t ring_lock;
	uint32_t req_head;
	bool dead;
	uint8_t slot_used[SYSTRAP_NR_SLOTS];
	struct list_head threads;
};

struct platform_context {
	struct stub_thread *st;
};

static uint8_t g_code[SYSTRAP_CODE_SIZE] __attribute__((aligned(4096)));
/*
 * Waiting for the other side. A task thread and its stub thread run on two
 * different CPUs: there, spinning on the shared word hands off in ~0.3 us,
 * where a futex wake-up across CPUs costs ~36 us on these VMs. Each side
 * spins for SPIN_NS, then yields its CPU (to whatever else was placed
 * there) for YIELD_NS, then sleeps on the futex. The syscall thread runs
 * on its task thread's CPU instead, which waits for it by yielding.
 * With one CPU, nobody spins.
 */
#define SPIN_NS 5000
#define YIELD_NS 50000
#define SCHED_YIELD_NS 600		/* what a sched_yield() costs here, roughly */
static int g_spins, g_yields;
/* Syscall patching is on: guest threads run with %gs = their context (see stub_fast_entry). */
static bool g_fast_path;
/* The stub thread the calling Sentry thread last ran: will_block() tells it. */
static __thread struct stub_thread *tls_running;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Shared (not private) futexes: the other side is another process. */
static int futex_wait(uint32_t *word, uint32_t val, int64_t timeout_ns)
{
	struct timespec ts = { timeout_ns / 1000000000LL, timeout_ns % 1000000000LL };

	return syscall(SYS_futex, word, FUTEX_WAIT, val, &ts, NULL, 0) < 0 ? -errno : 0;
}

static void futex_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static uint32_t *shared_word(struct address_space *as, size_t off)
{
	return (uint32_t *)(as->shared + off);
}

static bool stub_process_alive(struct address_space *as)
{
	struct pollfd pfd = { as->pidfd, POLLIN, 0 };

	if (as->dead)
		return false;
	if (as->pidfd >= 0)
		return poll(&pfd, 1, 0) == 0;
	return kill(as->pid, 0) == 0;
}

static void kill_stub(struct address_space *as, const char *why)
{
	if (!as->dead)
		log_warn("systrap stub %d: %s; killing it", as->pid, why);
	as->dead = true;
	kill(as->pid, SIGKILL);
}

/* How many pause instructions take about @ns here. */
static int calibrate_spins(int64_t ns)
{
	int64_t t0 = now_ns(), dt;

	for (int i = 0; i < 10000; i++)
		__builtin_ia32_pause();
	dt = now_ns() - t0;
	return dt > 0 ? (int)MIN(ns * 10000 / dt, 1000000) : 1000;
}

static void set_spin_budgets(void)
{
	if (platform_partner_cpu(0) < 0 && platform_partner_cpu(1) < 0)
		return;	/* one CPU: spinning only delays the side we wait for */
	g_spins = calibrate_spins(SPIN_NS);
	g_yields = YIELD_NS / SCHED_YIELD_NS;
}

/* CVISOR_TEST_NO_FSGSBASE: tests play a host without it, to check the fallback to ptrace. */
static bool have_fsgsbase(void)
{
	return (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE_) && !getenv("CVISOR_TEST_NO_FSGSBASE");
}

static int systrap_init(struct platform *p, int memfd)
{
	if (!have_fsgsbase()) {
		log_warn("the systrap platform needs FSGSBASE (Linux >= 5.9 on a CPU with it)");
		return -ENOTSUP;
	}
	p->memfd = memfd;
	g_fast_path = p->syscall_patching;
	p->fast_syscall_entry = g_fast_path ? SYSTRAP_CODE + STUB_FAST_ENTRY_OFF : 0;
	set_spin_budgets();
	systrap_build_code(g_code);
	return 0;
}

/* ---- stub threads and slots ---- */

static uint64_t slot_stub_addr(int slot)
{
	return SYSTRAP_SLOTS + (uint64_t)slot * SYSTRAP_SLOT_SIZE;
}

static bool in_stub_code(uint64_t addr)
{
	return addr >= SYSTRAP_CODE && addr < SYSTRAP_CODE + SYSTRAP_CODE_SIZE;
}

/*
 * The host %gs base a guest thread runs with: its context (the fast path
 * finds it there) while the guest's own %gs base is 0, as it is for nearly
 * every x86-64 program; else the guest's. A thread whose %gs is not its
 * context still works: patched sites then trap (stub_fast_bad_gs_site).
 */
static uint64_t host_gs(const struct stub_thread *st, uint64_t guest_gs)
{
	return g_fast_path && guest_gs == 0 ? slot_stub_addr(st->slot) : guest_gs;
}

static uint64_t guest_gs(const struct stub_thread *st, uint64_t host)
{
	return g_fast_path && host == slot_stub_addr(st->slot) ? 0 : host;
}

static int slot_alloc(struct address_space *as)
{
	for (int s = 1; s < SYSTRAP_NR_SLOTS; s++) {
		struct systrap_ctx *ctx = (struct systrap_ctx *)(as->shared + (size_t)s * SYSTRAP_SLOT_SIZE);

		/* A slot is free again once the kernel cleared its old thread's tid: it left the stack. */
		if (!as->slot_used[s] && __atomic_load_n(&ctx->tid, __ATOMIC_ACQUIRE) == 0) {
			as->slot_used[s] = 1;
			memset(ctx, 0, sizeof(*ctx));
			return s;
		}
	}
	return -EAGAIN;
}

static struct stub_thread *thread_new(struct address_space *as, int slot)
{
	struct stub_thread *st = xzalloc(sizeof(*st));

	st->as = as;
	st->slot = slot;
	st->ctx = (struct systrap_ctx *)(as->shared + (size_t)slot * SYSTRAP_SLOT_SIZE);
	list_add_tail(&st->node, &as->threads);
	return st;
}

static void thread_forget(struct stub_thread *st)
{
	if (tls_running == st)
		tls_running = NULL;
	st->as->slot_used[st->slot] = 0;
	list_del(&st->node);
	free(st);
}

static struct stub_thread *my_thread(struct address_space *as)
{
	struct stub_thread *st;
	pid_t me = gettid();

	list_for_each_entry(st, &as->threads, node)
		if (st->runner == me && !st->dead)
			return st;
	return NULL;
}

static bool thread_alive(struct stub_thread *st)
{
	return stub_process_alive(st->as) && __atomic_load_n(&st->ctx->tid, __ATOMIC_ACQUIRE) != 0;
}

/* Wait until the stub thread hands its context to us (an event). */
static int wait_event(struct stub_thread *st)
{
	struct systrap_ctx *ctx = st->ctx;
	int i;

	for (i = 0; i < g_spins; i++) {
		if (__atomic_load_n(&ctx->owner, __ATOMIC_ACQUIRE) == OWNER_SENTRY)
			goto got;
		__builtin_ia32_pause();
	}
	for (i = 0; i < g_yields; i++) {
		if (__atomic_load_n(&ctx->owner, __ATOMIC_ACQUIRE) == OWNER_SENTRY)
			goto got;
		sched_yield();
	}
	__atomic_store_n(&ctx->sentry_sleeping, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&ctx->owner, __ATOMIC_SEQ_CST) != OWNER_SENTRY) {
		int64_t sent;

		if (futex_wait(&ctx->owner, OWNER_STUB, WAIT_SLICE_NS) != -ETIMEDOUT)
			continue;
		if (!thread_alive(st)) {
			st->dead = true;
			return -ESRCH;
		}
		sent = atomic_load(&st->interrupt_ns);
		if (sent && now_ns() - sent > INTERRUPT_GRACE_NS) {
			kill_stub(st->as, "a stub thread does not answer interrupts");
			st->dead = true;
			return -ESRCH;
		}
	}
	__atomic_store_n(&ctx->sentry_sleeping, 0, __ATOMIC_RELAXED);
got:
	atomic_store(&st->interrupt_ns, 0);
	return 0;
}

/* Hand the context back with @cmd. */
static void send_command(struct stub_thread *st, uint32_t cmd)
{
	struct systrap_ctx *ctx = st->ctx;

	ctx->cmd = cmd;
	ctx->stub_spins = (uint32_t)g_spins;
	ctx->stub_yields = (uint32_t)g_yields;
	ctx->stop_spinning = 0;
	st->parked = false;
	st->fast = false;
	__atomic_store_n(&ctx->owner, OWNER_STUB, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ctx->stub_sleeping, __ATOMIC_SEQ_CST))
		futex_wake(&ctx->owner);
}

/* Stub address range [addr, addr+len) inside @st's stack area: its Sentry address, or NULL. */
static void *slot_ptr(struct stub_thread *st, uint64_t addr, uint64_t len)
{
	uint64_t lo = slot_stub_addr(st->slot) + SYSTRAP_CTX_SIZE, hi = slot_stub_addr(st->slot + 1);

	if (addr < lo || addr > hi || len > hi - addr)
		return NULL;
	return st->as->shared + (addr - SYSTRAP_SLOTS);
}

/* Locate and check the frame the stub just reported; the stub's memory is the guest's to scribble on. */
static int park(struct stub_thread *st)
{
	struct systrap_ctx *ctx = st->ctx;
	uint32_t sw[5];
	uint64_t fp_addr;

	st->frame = slot_ptr(st, __atomic_load_n(&ctx->frame, __ATOMIC_RELAXED), sizeof(struct k_ucontext));
	if (!st->frame)
		return -EFAULT;
	fp_addr = __atomic_load_n(&st->frame->fpstate, __ATOMIC_RELAXED);
	st->fpstate = slot_ptr(st, fp_addr, FXSAVE_SIZE);
	if (!st->fpstate)
		return -EFAULT;
	st->fpstate_size = FXSAVE_SIZE;
	st->xfeatures = 3;
	memcpy(sw, st->fpstate + SW_BYTES_OFF, sizeof(sw));
	/* fpx_sw_bytes: magic1, extended_size, xfeatures (64 bits), xstate_size */
	if (sw[0] == FP_XSTATE_MAGIC1_ && sw[4] > FXSAVE_SIZE && slot_ptr(st, fp_addr, sw[4])) {
		st->fpstate_size = sw[4];
		st->xfeatures = sw[2];
	}
	st->parked = true;
	return 0;
}

#define USER_CS 0x33
#define USER_SS 0x2b
#define GUEST_EFLAGS(f) (((f) & 0xcd5) | 0x202)	/* arithmetic and direction flags; IF */

/* Registers in FR_* order (a signal frame's or the fast path's) into @r. */
static void gregs_to_regs(const uint64_t *g, struct arch_regs *r)
{
	r->r8 = g[FR_R8], r->r9 = g[FR_R9], r->r10 = g[FR_R10], r->r11 = g[FR_R11];
	r->r12 = g[FR_R12], r->r13 = g[FR_R13], r->r14 = g[FR_R14], r->r15 = g[FR_R15];
	r->rdi = g[FR_RDI], r->rsi = g[FR_RSI], r->rbp = g[FR_RBP], r->rbx = g[FR_RBX];
	r->rdx = g[FR_RDX], r->rax = g[FR_RAX], r->rcx = g[FR_RCX], r->rsp = g[FR_RSP];
	r->rip = g[FR_RIP], r->eflags = g[FR_RFLAGS];
	r->ds = r->es = r->fs = r->gs = 0;
}

static void regs_to_gregs(const struct arch_regs *r, uint64_t *g)
{
	g[FR_R8] = r->r8, g[FR_R9] = r->r9, g[FR_R10] = r->r10, g[FR_R11] = r->r11;
	g[FR_R12] = r->r12, g[FR_R13] = r->r13, g[FR_R14] = r->r14, g[FR_R15] = r->r15;
	g[FR_RDI] = r->rdi, g[FR_RSI] = r->rsi, g[FR_RBP] = r->rbp, g[FR_RBX] = r->rbx;
	g[FR_RDX] = r->rdx, g[FR_RAX] = r->rax, g[FR_RCX] = r->rcx, g[FR_RSP] = r->rsp;
	g[FR_RIP] = r->rip;
	/* Segment selectors stay the host's; only arithmetic and direction flags are the guest's. */
	g[FR_RFLAGS] = GUEST_EFLAGS(r->eflags);
}

static void frame_to_regs(const struct stub_thread *st, const struct k_ucontext *uc, struct arch_regs *r)
{
	uint64_t csgsfs = uc->gregs[G_CSGSFS];

	gregs_to_regs(uc->gregs, r);
	r->cs = csgsfs & 0xffff;
	r->ss = (csgsfs >> 48) & 0xffff;
	r->fs_base = st->ctx->fs_base;
	r->gs_base = guest_gs(st, st->ctx->gs_base);
	r->orig_rax = (uint64_t)-1;
}

/* The fast path's registers: copied once, the guest may change them under us. */
static void ctx_to_regs(const struct stub_thread *st, struct arch_regs *r)
{
	uint64_t g[FR_COUNT];

	memcpy(g, st->ctx->regs, sizeof(g));
	gregs_to_regs(g, r);
	r->cs = USER_CS, r->ss = USER_SS;
	r->fs_base = st->ctx->fs_base;
	r->gs_base = 0;
	r->orig_rax = g[FR_RAX];
}

static void regs_to_frame(const struct arch_regs *r, struct k_ucontext *uc)
{
	regs_to_gregs(r, uc->gregs);
	uc->sigmask = 0;
}

/* A patched site whose thread's %gs was not its context trapped at the fast entry: %rcx has the call. */
static void bad_gs_call_to_regs(struct arch_regs *regs)
{
	uint64_t nr = regs->rcx >> FAST_NR_SHIFT;

	regs->rip = regs->rcx & ((1ULL << FAST_NR_SHIFT) - 1);
	regs->rcx = regs->rip;
	regs->r11 = regs->eflags;
	regs->rax = regs->orig_rax = nr;
}

/*
 * Linux (6.12 on) runs uretprobe (335) and uprobe (336) before and without
 * any seccomp filter, for its uprobe trampolines: the guest filter never
 * sees them. Called from anywhere but a trampoline, uretprobe raises
 * SIGILL (SI_KERNEL) with %rax = -1 just after the syscall instruction,
 * which also left %rcx = %rip. Such a SIGILL is the guest's syscall
 * (uretprobe, the only one of the two that traps), to be served by the
 * Sentry like any other: Linux 4.4, which it emulates, has neither.
 * uprobe (336) only returns -ENXIO there and never reaches us.
 */
#define SI_KERNEL_ 0x80
#define NR_URETPROBE 335

static bool is_host_uretprobe(const struct systrap_ctx *ctx, const struct arch_regs *regs)
{
	return ctx->signo == SIGILL && ctx->si_code == SI_KERNEL_ && regs->rax == (uint64_t)-1 &&
	       regs->rcx == regs->rip;
}

/* Turn the event the stub reported into an exit. */
static int read_event(struct stub_thread *st, struct arch_regs *regs, struct exit_info *info)
{
	struct systrap_ctx *ctx = st->ctx;
	uint32_t event = __atomic_load_n(&ctx->event, __ATOMIC_RELAXED);

	memset(info, 0, sizeof(*info));
	if (event == EV_FAST_SYSCALL) {
		st->parked = st->fast = true;
		st->frame = NULL;
		ctx_to_regs(st, regs);
		info->kind = EXIT_SYSCALL;
		regs->orig_rax = ctx->syscall_nr;
		return 0;
	}
	if (park(st)) {
		kill_stub(st->as, "a stub thread reported a frame outside its slot");
		return -EFAULT;
	}
	frame_to_regs(st, st->frame, regs);
	switch (event) {
	case EV_SYSCALL:
		info->kind = EXIT_SYSCALL;
		info->patchable = g_fast_path;
		regs->orig_rax = ctx->syscall_nr;
		break;
	case EV_FAULT:
		if (ctx->signo == SIGILL && regs->rip == SYSTRAP_CODE + STUB_FAST_BAD_GS_SITE_OFF) {
			bad_gs_call_to_regs(regs);
			info->kind = EXIT_SYSCALL;
			return 0;
		}
		if (is_host_uretprobe(ctx, regs)) {
			regs->rax = regs->orig_rax = NR_URETPROBE;
			info->kind = EXIT_SYSCALL;
			break;
		}
		info->kind = EXIT_FAULT;
		info->signo = ctx->signo;
		info->si_code = ctx->si_code;
		info->fault_addr = ctx->fault_addr;
		break;
	case EV_FRAME:	/* not asked for: guest code ran into stub_frame_site */
		info->kind = EXIT_FAULT;
		info->signo = SIGILL;
		break;
	default:
		info->kind = EXIT_INTERRUPT;
		break;
	}
	/* Guest code that jumped into the stub's code: as if nothing were mapped there. */
	if (in_stub_code(regs->rip) && info->kind != EXIT_INTERRUPT) {
		info->kind = EXIT_FAULT;
		info->signo = SIGSEGV;
		info->si_code = SEGV_MAPERR;
		info->fault_addr = regs->rip;
	}
	return 0;
}

/*
 * A thread parked on the fast path has no signal frame, and its FP state
 * is still in the CPU: make it trap into its handler, which gives both.
 */
static int need_frame(struct stub_thread *st)
{
	if (!st->fast)
		return 0;
	send_command(st, CMD_FRAME);
	if (wait_event(st))
		return -ESRCH;
	if (__atomic_load_n(&st->ctx->event, __ATOMIC_RELAXED) != EV_FRAME || park(st)) {
		kill_stub(st->as, "a stub thread did not answer CMD_FRAME");
		st->dead = true;
		return -ESRCH;
	}
	return 0;
}

/* Wait for a new stub thread's EV_READY and park it. */
static int wait_ready(struct stub_thread *st)
{
	struct arch_regs r;
	struct exit_info info;

	if (wait_event(st) || read_event(st, &r, &info))
		return -ESRCH;
	if (st->ctx->event != EV_READY) {
		kill_stub(st->as, "a new stub thread did not report ready");
		return -ESRCH;
	}
	return 0;
}

/* ---- the syscall thread's request ring ---- */

/*
 * A finished request's result. Whether it failed comes from REQ_FAILED,
 * which the guest cannot forge; the rest from the reply page, which it can:
 * a success is what the call returns on success (clone's tid is checked
 * where it is used), a failure the errno given, or EIO.
 */
static long request_result(struct address_space *as, long nr, uint64_t a0, uint32_t idx, uint32_t seq)
{
	int64_t said = __atomic_load_n((int64_t *)(as->shared + REPLY_PAGE_OFF + REPLY_RESULTS_OFF + (size_t)idx * 8),
				       __ATOMIC_RELAXED);
	bool failed = __atomic_load_n(shared_word(as, REQ_FAILED_OFF), __ATOMIC_ACQUIRE) == seq;

	if (failed)
		return said < 0 && said >= -4095 ? said : -EIO;
	if (nr == SYS_mmap)
		return (long)a0;
	if (nr == SYS_clone)
		return said > 0 && said <= INT32_MAX ? said : -EIO;
	return 0;
}

static long stub_request(struct address_space *as, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			 uint64_t a4, uint64_t a5)
{
	uint32_t *head_word = shared_word(as, REQ_HEAD_OFF);
	uint32_t *done_word = shared_word(as, REQ_DONE_OFF);
	uint32_t *waiting = shared_word(as, REPLY_PAGE_OFF + REPLY_WAITING_OFF);
	uint32_t idx, head, done;
	uint64_t *entry;
	int64_t deadline = 0;
	long ret;
	int i;

	pthread_mutex_lock(&as->ring_lock);
	if (as->dead) {
		pthread_mutex_unlock(&as->ring_lock);
		return -ESRCH;
	}
	idx = as->req_head % REQ_RING_ENTRIES;
	entry = (uint64_t *)(as->shared + REQ_ENTRIES_OFF + (size_t)idx * REQ_ENTRY_SIZE);
	entry[0] = (uint64_t)nr;
	entry[1] = a0, entry[2] = a1, entry[3] = a2, entry[4] = a3, entry[5] = a4, entry[6] = a5;
	head = ++as->req_head;
	entry[REQ_ENTRY_SEQ_OFF / 8] = head;
	__atomic_store_n(head_word, head, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(shared_word(as, REPLY_PAGE_OFF + REPLY_SYS_SLEEPING_OFF), __ATOMIC_SEQ_CST))
		futex_wake(head_word);
	for (i = 0;; i++) {
		done = __atomic_load_n(done_word, __ATOMIC_ACQUIRE);
		if ((int32_t)(done - head) >= 0)
			break;
		if (i < g_yields) {
			sched_yield();	/* the syscall thread runs on our CPU */
			continue;
		}
		__atomic_store_n(waiting, 1, __ATOMIC_SEQ_CST);
		if ((int32_t)(__atomic_load_n(done_word, __ATOMIC_SEQ_CST) - head) >= 0)
			break;
		/* Its "sleeping" word is only a hint: guest code can clear it. */
		futex_wake(head_word);
		if (futex_wait(done_word, done, WAIT_SLICE_NS) != -ETIMEDOUT)
			continue;
		if (!deadline)
			deadline = now_ns() + REQUEST_GRACE_NS;
		if (!stub_process_alive(as) || now_ns() > deadline) {
			kill_stub(as, "its syscall thread stopped answering");
			pthread_mutex_unlock(&as->ring_lock);
			return -ESRCH;
		}
	}
	__atomic_store_n(waiting, 0, __ATOMIC_RELAXED);
	ret = request_result(as, nr, a0, idx, head);
	pthread_mutex_unlock(&as->ring_lock);
	return ret;
}

static int systrap_map(struct address_space *as, uint64_t addr, size_t size, int prot, uint64_t off)
{
	return platform_stub_map(stub_request, as, 0 /* the memory file */, addr, size, prot, off);
}

static int systrap_unmap(struct address_space *as, uint64_t addr, size_t size)
{
	return platform_stub_unmap(stub_request, as, addr, size);
}

static int systrap_protect(struct address_space *as, uint64_t addr, size_t size, int prot)
{
	return platform_stub_protect(stub_request, as, addr, size, prot);
}

/* ---- address spaces ---- */

/* In the fork child: put the stub's code and the shared slots in place and enter it. */
static void __attribute__((noreturn)) stub_child(int memfd, int ctxfd)
{
	/* The child inherits glibc's rseq registration; the kernel would fault
	 * writing to it once the stub has unmapped the Sentry. */
	char *area = (char *)__builtin_thread_pointer() + __rseq_offset;
	uint64_t stack_top = slot_stub_addr(2);

	/* Out of the terminal's foreground group: ^C or ^Z is for the Sentry to hand to the guest, not to
	 * kill or stop a stub under it (docs/lifetime.md). */
	setpgid(0, 0);
	if (syscall(SYS_rseq, area, 32, 1, RSEQ_SIG_X86) != 0)
		syscall(SYS_rseq, area, __rseq_size, 1, RSEQ_SIG_X86);
	if (mmap((void *)SYSTRAP_CODE, SYSTRAP_CODE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (void *)SYSTRAP_CODE)
		syscall(SYS_exit_group, 111);
	memcpy((void *)SYSTRAP_CODE, g_code, SYSTRAP_CODE_SIZE);
	if (mprotect((void *)SYSTRAP_CODE, SYSTRAP_CODE_SIZE, PROT_READ | PROT_EXEC) ||
	    mmap((void *)SYSTRAP_SLOTS, SYSTRAP_SLOTS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, ctxfd,
		 0) != (void *)SYSTRAP_SLOTS ||
	    mprotect((void *)SYSTRAP_SLOTS, REPLY_PAGE_OFF, PROT_READ))
		syscall(SYS_exit_group, 112);
	/* The two fds the stub keeps, at their fixed numbers (moved clear of 0 and 1 first). */
	memfd = fcntl(memfd, F_DUPFD_CLOEXEC, 2);
	ctxfd = fcntl(ctxfd, F_DUPFD_CLOEXEC, 2);
	if (memfd < 0 || ctxfd < 0 || dup2(memfd, STUB_MEMORY_FD) != STUB_MEMORY_FD ||
	    dup2(ctxfd, STUB_SHARED_FD) != STUB_SHARED_FD)
		syscall(SYS_exit_group, 113);
	__asm__ volatile("mov %0, %%rsp\n\tjmp *%1"
			 :
			 : "r"(stack_top), "r"(SYSTRAP_CODE + STUB_IMAGE_START_OFF)
			 : "memory");
	__builtin_unreachable();
}

static void release_as(struct address_space *as)
{
	struct stub_thread *st, *n;
	int status;

	if (as->pid > 0) {
		kill(as->pid, SIGKILL);
		while (waitpid(as->pid, &status, __WALL) < 0 && errno == EINTR)
			;
	}
	list_for_each_entry_safe(st, n, &as->threads, node)
		thread_forget(st);
	if (as->shared)
		munmap(as->shared, SYSTRAP_SLOTS_SIZE);
	if (as->ctxfd >= 0)
		close(as->ctxfd);
	if (as->pidfd >= 0)
		close(as->pidfd);
	pthread_mutex_destroy(&as->ring_lock);
	free(as);
}

static int systrap_new_address_space(struct platform *p, struct address_space **out)
{
	struct address_space *as = xzalloc(sizeof(*as));
	struct stub_thread *st;
	long pid;
	int cpu;

	as->ctxfd = as->pidfd = -1;
	list_init(&as->threads);
	pthread_mutex_init(&as->ring_lock, NULL);
	as->ctxfd = memfd_create("cvisor-systrap", MFD_CLOEXEC);
	if (as->ctxfd < 0 || ftruncate(as->ctxfd, SYSTRAP_SLOTS_SIZE) < 0)
		goto fail_errno;
	as->shared = mmap(NULL, SYSTRAP_SLOTS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, as->ctxfd, 0);
	if (as->shared == MAP_FAILED) {
		as->shared = NULL;
		goto fail_errno;
	}
	as->slot_used[0] = 1;
	as->slot_used[1] = 1;
	st = thread_new(as, 1);
	st->runner = gettid();
	st->ctx->tid = 1;	/* alive; the stub's exit clears it (set_tid_address) */
	/* The stub (and so its syscall thread) starts on our CPU. */
	cpu = platform_pin_self_next_cpu();
	pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		goto fail_errno;
	if (pid == 0)
		stub_child(p->memfd, as->ctxfd);
	as->pid = (pid_t)pid;
	st->tid = (pid_t)pid;
	as->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (wait_ready(st)) {
		log_error("systrap stub %ld failed to start", pid);
		release_as(as);
		return -ECHILD;
	}
	platform_pin_thread(as->pid, platform_partner_cpu(cpu));
	*out = as;
	return 0;
fail_errno: {
	int err = -errno;

	release_as(as);
	return err;
}
}

static void systrap_release_address_space(struct address_space *as)
{
	release_as(as);
}

/* ---- contexts ---- */

static int systrap_new_context(struct platform *p, struct platform_context **out)
{
	(void)p;
	*out = xzalloc(sizeof(**out));
	return 0;
}

static int systrap_clone_context(struct platform_context *parent, struct address_space *as,
				 struct platform_context *child)
{
	struct stub_thread *st;
	int slot = slot_alloc(as);
	long tid;

	(void)parent;
	if (slot < 0)
		return slot;
	st = thread_new(as, slot);
	tid = stub_request(as, SYS_clone, SYSTRAP_THREAD_CLONE_FLAGS, slot_stub_addr(slot + 1), 0,
			   slot_stub_addr(slot) + offsetof(struct systrap_ctx, tid), 0, 0);
	if (tid <= 0) {
		thread_forget(st);
		return tid < 0 ? (int)tid : -EIO;
	}
	st->tid = (pid_t)tid;
	if (wait_ready(st)) {
		thread_forget(st);
		return -ESRCH;
	}
	child->st = st;
	return 0;
}

/* The task thread for a context clone_context() made: it and its stub thread take two CPUs. */
static int systrap_attach_context(struct platform_context *c)
{
	struct stub_thread *st = c->st;
	int cpu;

	if (!st)
		return 0;
	st->runner = gettid();
	cpu = platform_pin_self_next_cpu();
	/* The tid came back through memory the guest can write: it must be one of the stub's. */
	if (syscall(SYS_tgkill, st->as->pid, st->tid, 0) == 0)
		platform_pin_thread(st->tid, platform_partner_cpu(cpu));
	return 0;
}

/* Leave the address space: the stub thread exits (the kernel then clears its tid, freeing the slot). */
static void systrap_detach_context(struct platform_context *c)
{
	struct stub_thread *st = c->st;

	c->st = NULL;
	if (!st)
		return;
	if (!st->dead && st->parked && !st->as->dead)
		send_command(st, CMD_EXIT);
	thread_forget(st);
}

static void systrap_release_context(struct platform_context *c)
{
	free(c);
}

static int systrap_switch_to(struct platform_context *c, struct address_space *as, struct arch_regs *regs,
			     struct exit_info *info)
{
	struct stub_thread *st = c->st;
	struct systrap_ctx *ctx;

	if (!st || st->as != as) {
		st = my_thread(as);
		c->st = st;
	}
	if (!st || st->dead || as->dead || !st->parked)
		goto dead;
	/*
	 * interrupt() came while we held the context: its signal may have met
	 * the stub waiting for our command, where the fast path drops it, so
	 * honour it here (platform.h: the next switch_to returns EXIT_INTERRUPT).
	 */
	if (atomic_exchange(&st->interrupt_ns, 0)) {
		memset(info, 0, sizeof(*info));
		info->kind = EXIT_INTERRUPT;
		return 0;
	}
	ctx = st->ctx;
	/* The fast path returns with %gs unchanged: anything else needs the frame. */
	if (st->fast && host_gs(st, regs->gs_base) != slot_stub_addr(st->slot) && need_frame(st))
		goto dead;
	if (st->fast)
		regs_to_gregs(regs, ctx->regs);
	else
		regs_to_frame(regs, st->frame);
	ctx->fs_base = regs->fs_base;
	ctx->gs_base = host_gs(st, regs->gs_base);
	tls_running = st;
	send_command(st, CMD_RUN);
	if (wait_event(st) || read_event(st, regs, info))
		goto dead;
	return 0;
dead:
	memset(info, 0, sizeof(*info));
	info->kind = EXIT_DIED;
	return 0;
}

static void systrap_will_block(void)
{
	struct stub_thread *st = tls_running;

	if (st && st->parked)
		__atomic_store_n(&st->ctx->stop_spinning, 1, __ATOMIC_RELAXED);
}

static void systrap_interrupt(struct platform_context *c, struct address_space *as)
{
	struct stub_thread *st = c->st;
	int64_t zero = 0;

	if (!st || st->as != as || st->dead)
		return;
	atomic_compare_exchange_strong(&st->interrupt_ns, &zero, now_ns());
	syscall(SYS_tgkill, as->pid, st->tid, SYSTRAP_INTERRUPT_SIGNAL);
}

static uint64_t systrap_cpu_time_ns(struct address_space *as)
{
	struct timespec ts;
	clockid_t cid;

	if (clock_getcpuclockid(as->pid, &cid) || clock_gettime(cid, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- FP state: the XSAVE image in the parked thread's signal frame ---- */

static struct stub_thread *parked_thread(struct address_space *as)
{
	struct stub_thread *st = my_thread(as);

	return st && st->parked && !need_frame(st) ? st : NULL;
}

static int systrap_get_xstate(struct address_space *as, void *buf, size_t *size)
{
	struct stub_thread *st = parked_thread(as);

	if (!st)
		return -ESRCH;
	memcpy(buf, st->fpstate, MIN(*size, (size_t)st->fpstate_size));
	*size = st->fpstate_size;
	return 0;
}

/*
 * Write FP state into the frame so that the host's sigreturn accepts it:
 * keep the frame's own software bytes, MXCSR within the CPU's mask, and
 * only the components the frame was saved with.
 */
static void sanitize_fpstate(struct stub_thread *st, const uint8_t *saved_sw)
{
	uint32_t mxcsr, mask;
	uint64_t bv;

	memcpy(st->fpstate + SW_BYTES_OFF, saved_sw, FXSAVE_SIZE - SW_BYTES_OFF);
	memcpy(&mxcsr, st->fpstate + 24, 4);
	memcpy(&mask, st->fpstate + 28, 4);
	mxcsr &= mask ? mask : 0xffbf;
	memcpy(st->fpstate + 24, &mxcsr, 4);
	if (st->fpstate_size > FXSAVE_SIZE + 64) {
		memcpy(&bv, st->fpstate + FXSAVE_SIZE, 8);
		bv &= st->xfeatures;
		memcpy(st->fpstate + FXSAVE_SIZE, &bv, 8);
		memset(st->fpstate + FXSAVE_SIZE + 8, 0, 56);	/* xcomp_bv and reserved */
	}
}

static int systrap_set_xstate(struct address_space *as, const void *buf, size_t size)
{
	struct stub_thread *st = parked_thread(as);
	uint8_t sw[FXSAVE_SIZE - SW_BYTES_OFF];

	if (!st)
		return -ESRCH;
	memcpy(sw, st->fpstate + SW_BYTES_OFF, sizeof(sw));
	memcpy(st->fpstate, buf, MIN(size, (size_t)st->fpstate_size));
	sanitize_fpstate(st, sw);
	return 0;
}

static int systrap_get_fpregs(struct address_space *as, struct arch_fpregs *fp)
{
	struct stub_thread *st = parked_thread(as);

	if (!st)
		return -ESRCH;
	memcpy(fp, st->fpstate, sizeof(*fp));
	return 0;
}

static int systrap_set_fpregs(struct address_space *as, const struct arch_fpregs *fp)
{
	struct stub_thread *st = parked_thread(as);
	uint8_t sw[FXSAVE_SIZE - SW_BYTES_OFF];
	uint64_t bv;

	if (!st)
		return -ESRCH;
	memcpy(sw, st->fpstate + SW_BYTES_OFF, sizeof(sw));
	memcpy(st->fpstate, fp, sizeof(*fp));
	sanitize_fpstate(st, sw);
	if (st->fpstate_size > FXSAVE_SIZE + 64) {
		/* x87 and SSE now come from the legacy area, not their init state */
		memcpy(&bv, st->fpstate + FXSAVE_SIZE, 8);
		bv |= 3 & st->xfeatures;
		memcpy(st->fpstate + FXSAVE_SIZE, &bv, 8);
	}
	return 0;
}

const struct platform_ops systrap_platform_ops = {
	.name = "systrap",
	.init = systrap_init,
	.new_address_space = systrap_new_address_space,
	.release_address_space = systrap_release_address_space,
	.map = systrap_map,
	.unmap = systrap_unmap,
	.protect = systrap_protect,
	.new_context = systrap_new_context,
	.clone_context = systrap_clone_context,
	.attach_context = systrap_attach_context,
	.detach_context = systrap_detach_context,
	.release_context = systrap_release_context,
	.switch_to = systrap_switch_to,
	.interrupt = systrap_interrupt,
	.will_block = systrap_will_block,
	.cpu_time_ns = systrap_cpu_time_ns,
	.get_xstate = systrap_get_xstate,
	.set_xstate = systrap_set_xstate,
	.get_fpregs = systrap_get_fpregs,
	.set_fpregs = systrap_set_fpregs,
};
