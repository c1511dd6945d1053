/* SPDX-License-Identifier: MIT */
/*
 * The platform: how application code is run and stopped. A platform gives
 * address spaces (one per guest mm) and contexts (one per task thread);
 * switch_to() runs guest code until it makes a syscall, faults or is
 * interrupted. Implementations: ptrace/ and systrap/.
 *
 * Threading rule: every task runs on its own host thread. Address-space
 * operations act through the calling thread's own execution context in that
 * address space (for ptrace: its stub thread, which only it may trace), so
 * they are called from a task thread, for an address space it runs in.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* x86-64 register file, laid out like the kernel's user_regs_struct. */
struct arch_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};
_Static_assert(sizeof(struct arch_regs) == 27 * 8, "user_regs_struct");

/* Legacy FXSAVE area: what fork() copies between stubs. */
struct arch_fpregs {
	uint8_t bytes[512];
};

enum exit_kind {
	EXIT_SYSCALL,	/* regs.orig_rax holds the number */
	EXIT_FAULT,	/* synchronous signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) */
	EXIT_INTERRUPT, /* interrupt() was called, or a stray host signal */
	EXIT_DIED,	/* the stub is gone: killed from outside or crashed */
};

struct exit_info {
	enum exit_kind kind;
	int signo;
	int si_code;
	uint64_t fault_addr;
	bool patchable;		/* EXIT_SYSCALL from a trap that a patched site would avoid */
};

struct platform;
struct address_space;
struct platform_context;

struct platform_ops {
	const char *name;
	/* Called once; @memfd is the sandbox memory file stubs map from. */
	int (*init)(struct platform *p, int memfd);
	/* New empty address space, owned by the calling thread. */
	int (*new_address_space)(struct platform *p, struct address_space **out);
	void (*release_address_space)(struct address_space *as);
	/* Map [@addr, @addr+@size) to memory-file offset @off. */
	int (*map)(struct address_space *as, uint64_t addr, size_t size, int prot, uint64_t off);
	int (*unmap)(struct address_space *as, uint64_t addr, size_t size);
	int (*protect)(struct address_space *as, uint64_t addr, size_t size, int prot);
	int (*new_context)(struct platform *p, struct platform_context **out);
	/*
	 * Called by @parent's thread: give @child an execution context in @as,
	 * which @parent runs in (clone with CLONE_VM). @child's own thread must
	 * call attach_context() before anything else.
	 */
	int (*clone_context)(struct platform_context *parent, struct address_space *as,
			     struct platform_context *child);
	int (*attach_context)(struct platform_context *c);
	/* Leave the address space @c runs in (exit, or exec out of a shared one). */
	void (*detach_context)(struct platform_context *c);
	void (*release_context)(struct platform_context *c);
	/* Run the guest with @regs until an exit; @regs is updated. */
	int (*switch_to)(struct platform_context *c, struct address_space *as, struct arch_regs *regs,
			 struct exit_info *info);
	/* Make a concurrent or the next switch_to() return EXIT_INTERRUPT. Any thread. */
	void (*interrupt)(struct platform_context *c, struct address_space *as);
	/*
	 * Optional: the calling task thread is about to block in the Sentry (a
	 * sleep, a host wait, a long operation). A platform whose stub spins
	 * waiting for the answer should stop spinning for it now.
	 */
	void (*will_block)(void);
	/* CPU time guest code has used in @as so far (all its contexts together). */
	uint64_t (*cpu_time_ns)(struct address_space *as);
	/* The full XSAVE image (FP, SSE, AVX...) of the caller's context; *size in/out. */
	int (*get_xstate)(struct address_space *as, void *buf, size_t *size);
	int (*set_xstate)(struct address_space *as, const void *buf, size_t size);
	int (*get_fpregs)(struct address_space *as, struct arch_fpregs *fp);
	int (*set_fpregs)(struct address_space *as, const struct arch_fpregs *fp);
};

struct platform {
	const struct platform_ops *ops;
	int memfd;
	bool syscall_patching;		/* set before init(): the user allows it */
	/*
	 * Set by init() when patching is allowed and the platform has a fast
	 * path: the stub address a patched syscall site jumps to, with %rcx =
	 * nr << 48 | return address (see sentry/mm/syscall_patch.c). 0: none.
	 */
	uint64_t fast_syscall_entry;
	void *priv;
};

extern const struct platform_ops ptrace_platform_ops;
extern const struct platform_ops systrap_platform_ops;

const struct platform_ops *platform_lookup(const char *name);

/*
 * CPU placement (cross-CPU wake-ups cost ~10x more than local ones on the
 * VMs we run on): pin the calling thread to the next allowed CPU, round
 * robin, and return it, or -1 when only one CPU is allowed.
 */
int platform_pin_self_next_cpu(void);
/* The allowed CPU after @cpu (wrapping), or -1 when there is no other. */
int platform_partner_cpu(int cpu);
/* Pin host thread @tid to @cpu. */
void platform_pin_thread(int tid, int cpu);

/*
 * Address-space changes carried out by a stub process: @call runs host
 * syscall @nr there and returns its result or -errno. These read the
 * results the same way for every platform: 0 or -errno.
 */
typedef long (*stub_syscall_fn)(struct address_space *as, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
				uint64_t a3, uint64_t a4, uint64_t a5);
/* Map [@addr, @addr+@size) shared to offset @off of the stub's memory-file fd @fd. */
int platform_stub_map(stub_syscall_fn call, struct address_space *as, int fd, uint64_t addr, size_t size, int prot,
		      uint64_t off);
int platform_stub_unmap(stub_syscall_fn call, struct address_space *as, uint64_t addr, size_t size);
int platform_stub_protect(stub_syscall_fn call, struct address_space *as, uint64_t addr, size_t size, int prot);

/* The sandbox's platform, chosen at boot. */
extern struct platform *g_platform;
