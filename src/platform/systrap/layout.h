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
 * Trust: every byte here except the request ring is writable by guest code
 * in the stub. The Sentry copies what it reads once and checks it (a frame
 * pointer must lie in its slot); a lie can only hurt the guest itself.
 */
#pragma once
#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define SYSTRAP_CODE 0x7ffff0000000
#define SYSTRAP_CODE_SIZE 0x10000
#define SYSTRAP_SLOTS 0x7ffff0100000
#define SYSTRAP_SLOT_SIZE 0x20000	/* aligned: a handler finds its slot from its stack */
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

#define STUB_READY_NR 0x7fff		/* no such syscall: traps under every filter */
#define SYSTRAP_INTERRUPT_SIGNAL 23	/* SIGURG: ignored by default, only the Sentry sends it */

/* Request ring (slot 0, first page, read-only in the stub). */
#define REQ_RING_ENTRIES 32
#define REQ_HEAD_OFF 0			/* u32: requests written so far */
#define REQ_ENTRIES_OFF 64		/* 64-byte entries: nr, a0..a5 */
#define REQ_ENTRY_SIZE 64
/* Reply page (slot 0, second page). */
#define REPLY_PAGE_OFF 0x1000
#define REPLY_DONE_OFF 0		/* u32: requests finished so far */
#define REPLY_WAITING_OFF 4		/* u32: the Sentry sleeps on REPLY_DONE */
#define REPLY_SYS_SLEEPING_OFF 8	/* u32: the syscall thread sleeps on REQ_HEAD */
#define REPLY_RESULTS_OFF 64		/* s64 per ring entry */


#ifndef __ASSEMBLER__

#define OWNER_STUB 0		/* a fresh (zeroed) context belongs to the stub */
#define OWNER_SENTRY 1

enum systrap_cmd {
	CMD_RUN = 1,		/* return to guest code with the (rewritten) frame */
	CMD_EXIT,		/* this stub thread exits */
};

enum systrap_event {
	EV_READY = 1,		/* a new stub thread waits for its first command */
	EV_SYSCALL,		/* the guest made a system call: nr in @syscall_nr */
	EV_FAULT,		/* a synchronous signal: signo, si_code, fault_addr */
	EV_INTERRUPT,		/* the Sentry's interrupt signal (or a stray one) arrived */
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
};

_Static_assert(sizeof(struct systrap_ctx) <= SYSTRAP_CTX_SIZE, "context fits its page");

#endif
