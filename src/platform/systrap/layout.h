/* SPDX-License-Identifier: MIT */
/*
 * The systrap stub process: its address-space layout and the memory it
 * shares with the Sentry. Everything lives above GUEST_TASK_SIZE:
 *
 *   SYSTRAP_CODE   stub code and read-only data (the seccomp filters)
 *   SYSTRAP_SLOTS  the shared region (one memfd, mapped by the Sentry too):
 *                  slot 0 is the syscall thread's request ring (read-only in
 *                  the stub) and reply page; slot N > 0 belongs to one stub
 *                  thread: its context page, then its signal stack. A signal
 *                  frame thus lands in shared memory, where the Sentry reads
 *                  and rewrites the registers directly.
 *
 * Hand-off on a context page: @owner is the futex word. The stub's signal
 * handler fills in the event, sets owner = OWNER_SENTRY and waits; the
 * Sentry rewrites the frame, sets the command and owner = OWNER_STUB. Each
 * side spins a bounded time, then announces it sleeps and waits on the futex.
 *
 * Trust: every byte here except the request ring page is writable by guest
 * code in the stub. The Sentry copies what it reads once and checks it (a
 * frame pointer must lie in its slot); a lie can only hurt the guest itself.
 * The one answer a lie could turn against other processes, "this munmap or
 * mprotect is done", is written into the read-only ring page by the syscall
 * thread with pwrite() on the shared file: guest code can neither store
 * there nor make that call.
 */
#pragma once
#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define SYSTRAP_CODE 0x7ffff0000000
#define SYSTRAP_CODE_SIZE 0x10000
#define SYSTRAP_SLOTS 0x7ffff0100000
#define SYSTRAP_SLOT_SHIFT 17
#define SYSTRAP_SLOT_SIZE (1 << SYSTRAP_SLOT_SHIFT)	/* aligned: a handler finds its slot from its stack */
#define SYSTRAP_NR_SLOTS 512		/* slot 0 + 511 stub threads per address space */
#define SYSTRAP_SLOTS_SIZE (SYSTRAP_NR_SLOTS * SYSTRAP_SLOT_SIZE)
#define SYSTRAP_CTX_SIZE 0x1000
#define SYSTRAP_HOST_TOP 0x7ffffffff000

/* The stub's code starts at SYSTRAP_CODE; the offsets of its syscall sites
 * (the address after each syscall instruction, what seccomp sees) come from
 * the built image: systrap_stub_image.h. */

/* Seccomp programs, written by the Sentry into the code region before it is
 * made read-only: a struct sock_fprog each, then the instructions. */
#define STUB_IMAGE_MAX 0x8000
#define STUB_FPROG_GUEST_OFF 0x8000	/* guest threads: a few harmless calls from stub sites */
#define STUB_FPROG_SYS_OFF 0x8010	/* the syscall thread: mm calls from its site */
#define STUB_FILTER_GUEST_OFF 0x8100
#define STUB_FILTER_SYS_OFF 0x9000
#define STUB_FILTER_MAX_INSNS 256

/* clone flags: the syscall thread; a stub thread for a task (tid in its context). */
#define SYSTRAP_SYSTHREAD_CLONE_FLAGS 0x50f00	/* VM|FS|FILES|SIGHAND|THREAD|SYSVSEM */
#define SYSTRAP_THREAD_CLONE_FLAGS 0x1250f00	/* the same |CHILD_CLEARTID|CHILD_SETTID */

/*
 * Syscall-site patching (fast path). A patched site jumps through a pointer
 * in the guest's trampoline table (see sentry/mm/syscall_patch.c) to
 * stub_fast_entry with %rcx = return address | nr << 48 and %gs = its own
 * context; the entry saves the guest registers into the context (order
 * FR_*, that of the kernel's sigcontext: a signal frame's registers read
 * the same way) and hands off without a signal.
 */
#define FR_R8 0
#define FR_R9 1
#define FR_R10 2
#define FR_R11 3
#define FR_R12 4
#define FR_R13 5
#define FR_R14 6
#define FR_R15 7
#define FR_RDI 8
#define FR_RSI 9
#define FR_RBP 10
#define FR_RBX 11
#define FR_RDX 12
#define FR_RAX 13
#define FR_RCX 14
#define FR_RSP 15
#define FR_RIP 16
#define FR_RFLAGS 17
#define FR_COUNT 18
#define CTX_REGS_OFF 0x100		/* the registers' place in struct systrap_ctx */
#define CTX_CMD_OFF 4
#define FAST_NR_SHIFT 48		/* %rcx at the fast entry: nr << 48 | return address */

#define STUB_READY_NR 0x7fff		/* no such syscall: traps under every filter */
#define SYSTRAP_INTERRUPT_SIGNAL 23	/* SIGURG: ignored by default, only the Sentry sends it */

/*
 * Request ring (slot 0, first page, read-only in the stub). The syscall
 * thread reports a finished request by copying the entry's sequence number
 * into REQ_DONE (and, first, into REQ_FAILED when the call failed) with
 * pwrite(STUB_SHARED_FD): the Sentry trusts these two words only.
 */
#define REQ_RING_ENTRIES 32
#define REQ_HEAD_OFF 0			/* u32: requests written so far */
#define REQ_ENTRIES_OFF 64		/* 64-byte entries: nr, a0..a5, seq */
#define REQ_ENTRY_SIZE 64
#define REQ_ENTRY_SEQ_OFF 56		/* u64: the request's number, counted from 1 */
#define REQ_DONE_OFF 0xf00		/* u32: the last request finished */
#define REQ_FAILED_OFF 0xf40		/* u32: the last request that failed */
/* Reply page (slot 0, second page, writable in the stub: hints only). */
#define REPLY_PAGE_OFF 0x1000
#define REPLY_WAITING_OFF 4		/* u32: the Sentry sleeps on REQ_DONE */
#define REPLY_SYS_SLEEPING_OFF 8	/* u32: the syscall thread sleeps on REQ_HEAD */
#define REPLY_RESULTS_OFF 64		/* s64 per ring entry: the errno of a failed call */

/* The stub's only fds: the memory file, and the shared file (slots) for the syscall thread's pwrite. */
#define STUB_MEMORY_FD 0
#define STUB_SHARED_FD 1


#ifndef __ASSEMBLER__

#define OWNER_STUB 0		/* a fresh (zeroed) context belongs to the stub */
#define OWNER_SENTRY 1

enum systrap_cmd {
	CMD_RUN = 1,		/* return to guest code with the (rewritten) frame */
	CMD_EXIT,		/* this stub thread exits */
	CMD_FRAME,		/* (fast path) trap into the handler: the Sentry wants a signal frame */
};

enum systrap_event {
	EV_READY = 1,		/* a new stub thread waits for its first command */
	EV_SYSCALL,		/* the guest made a system call: nr in @syscall_nr */
	EV_FAULT,		/* a synchronous signal: signo, si_code, fault_addr */
	EV_INTERRUPT,		/* the Sentry's interrupt signal (or a stray one) arrived */
	EV_FAST_SYSCALL,	/* a patched site: registers in @regs, no signal frame */
	EV_FRAME,		/* CMD_FRAME done: the frame holds the guest's FP state */
};

struct systrap_ctx {
	uint32_t owner;
	uint32_t cmd;
	uint32_t event;
	uint32_t sentry_sleeping;	/* the Sentry waits on @owner: wake it */
	uint32_t stub_sleeping;		/* the stub waits on @owner: wake it */
	int32_t tid;			/* written (and cleared on exit) by the host kernel */
	int32_t signo;
	int32_t si_code;
	uint64_t fault_addr;
	uint64_t syscall_nr;
	uint64_t frame;			/* stub address of the handler's ucontext */
	uint64_t fs_base, gs_base;	/* read on every event, written on CMD_RUN */
	uint32_t stub_spins;		/* pause iterations the stub spins first, */
	uint32_t stub_yields;		/* then sched_yield()s, then it sleeps */
	uint32_t stop_spinning;		/* the Sentry blocks for a while: sleep now */
	uint64_t regs[FR_COUNT] __attribute__((aligned(CTX_REGS_OFF)));	/* EV_FAST_SYSCALL, CMD_RUN after it */
};

_Static_assert(sizeof(struct systrap_ctx) <= SYSTRAP_CTX_SIZE, "context fits its page");
_Static_assert(REQ_ENTRIES_OFF + REQ_RING_ENTRIES * REQ_ENTRY_SIZE <= REQ_DONE_OFF, "ring below its done words");
_Static_assert(__builtin_offsetof(struct systrap_ctx, regs) == CTX_REGS_OFF, "the fast entry's offsets");
_Static_assert(__builtin_offsetof(struct systrap_ctx, cmd) == CTX_CMD_OFF, "the fast entry's offsets");

#endif
