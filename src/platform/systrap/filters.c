// SPDX-License-Identifier: MIT
/*
 * The stub's two seccomp programs. Both trap (SIGSYS to the stub's handler)
 * every syscall that is not explicitly allowed, and allow a syscall only from
 * the one stub site that needs it:
 *
 * guest filter, on every thread that runs guest code:
 *   raw syscall site:  futex(WAIT|WAKE), exit (of the thread), sigaltstack,
 *                      sched_yield
 *   restorer site:     rt_sigreturn
 * Each is harmless even when guest code jumps there with registers of its
 * choosing: it waits or wakes on its own memory, ends its own stub thread
 * (the Sentry notices), moves its own signal stack, gives up its CPU, or
 * loads registers.
 *
 * syscall-thread filter, on the syscall thread and (under the guest filter)
 * on threads it cloned:
 *   syscall-thread site:  mmap(MAP_SHARED|MAP_FIXED), munmap, mprotect,
 *                         clone(stub thread flags), futex(WAIT|WAKE)
 *   report site:          pwrite64(STUB_SHARED_FD): its reports into the
 *                         ring page, which is read-only in the stub
 *   new-thread site:      rt_sigprocmask, seccomp(SET_MODE_FILTER)
 *   the guest sites:      left to the guest filter
 * Guest code never runs on the syscall thread, and on a guest thread the
 * guest filter traps these calls wherever they come from.
 */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "lib/log.h"
#include "lib/util.h"
#include "platform/systrap/layout.h"
#include "platform/systrap/systrap.h"
#include "systrap_stub_image.h"

struct bpf_builder {
	struct sock_filter *insns;
	unsigned int len;
	unsigned int max;
};

#define LD_W(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (field))
#define NR_FIELD offsetof(struct seccomp_data, nr)
#define IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define IP_HI (offsetof(struct seccomp_data, instruction_pointer) + 4)
#define ARG_LO(i) offsetof(struct seccomp_data, args[i])
#define ARG_HI(i) (offsetof(struct seccomp_data, args[i]) + 4)

static void emit(struct bpf_builder *b, struct sock_filter insn)
{
	BUG_ON(b->len >= b->max);
	b->insns[b->len++] = insn;
}

static void ret(struct bpf_builder *b, uint32_t action)
{
	emit(b, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action));
}

/* if (A == k) return ALLOW; */
static void allow_if(struct bpf_builder *b, uint32_t k)
{
	emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 1));
	ret(b, SECCOMP_RET_ALLOW);
}

/* if (A == k) { <block> } -- returns where to patch the skip. */
static unsigned int if_eq_begin(struct bpf_builder *b, uint32_t k)
{
	emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 0));
	return b->len - 1;
}

static void if_end(struct bpf_builder *b, unsigned int at)
{
	b->insns[at].jf = (uint8_t)(b->len - at - 1);
	BUG_ON(b->len - at - 1 > 255);
}

/* Within a block, A holds the syscall number; blocks end in a return. */
static void allow_futex_wait_wake(struct bpf_builder *b)
{
	unsigned int at = if_eq_begin(b, SYS_futex);

	emit(b, (struct sock_filter)LD_W(ARG_LO(1)));
	emit(b, (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~(uint32_t)FUTEX_PRIVATE_FLAG));
	allow_if(b, FUTEX_WAIT);
	allow_if(b, FUTEX_WAKE);
	ret(b, SECCOMP_RET_TRAP);
	if_end(b, at);
}

/* if (ARG(i) == k, all 64 bits) return ALLOW; else return TRAP; */
static void allow_if_arg_is(struct bpf_builder *b, int i, uint64_t k)
{
	emit(b, (struct sock_filter)LD_W(ARG_HI(i)));
	emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(k >> 32), 0, 3));
	emit(b, (struct sock_filter)LD_W(ARG_LO(i)));
	emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)k, 0, 1));
	ret(b, SECCOMP_RET_ALLOW);
	ret(b, SECCOMP_RET_TRAP);
}

static void allow_call_if_arg_is(struct bpf_builder *b, uint32_t nr, int i, uint64_t k)
{
	unsigned int at = if_eq_begin(b, nr);

	allow_if_arg_is(b, i, k);
	if_end(b, at);
}

/*
 * Common head: A = low half of the caller's address; a call from outside the
 * stub, or through another ABI (int $0x80), traps.
 */
static void head(struct bpf_builder *b)
{
	emit(b, (struct sock_filter)LD_W(offsetof(struct seccomp_data, arch)));
	emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
	ret(b, SECCOMP_RET_TRAP);
	emit(b, (struct sock_filter)LD_W(IP_HI));
	emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(SYSTRAP_CODE >> 32), 1, 0));
	ret(b, SECCOMP_RET_TRAP);
	emit(b, (struct sock_filter)LD_W(IP_LO));
}

static uint32_t site(uint64_t off)
{
	return (uint32_t)(SYSTRAP_CODE + off);
}

static void build_guest(struct bpf_builder *b)
{
	unsigned int at;

	head(b);
	at = if_eq_begin(b, site(STUB_RAW_SYSCALL_SITE_OFF));
	emit(b, (struct sock_filter)LD_W(NR_FIELD));
	allow_futex_wait_wake(b);
	allow_if(b, SYS_exit);
	allow_if(b, SYS_sigaltstack);
	allow_if(b, SYS_sched_yield);
	ret(b, SECCOMP_RET_TRAP);
	if_end(b, at);
	at = if_eq_begin(b, site(STUB_RESTORER_SITE_OFF));
	emit(b, (struct sock_filter)LD_W(NR_FIELD));
	allow_if(b, SYS_rt_sigreturn);
	ret(b, SECCOMP_RET_TRAP);
	if_end(b, at);
	ret(b, SECCOMP_RET_TRAP);
}

static void build_systhread(struct bpf_builder *b)
{
	unsigned int at;

	head(b);
	at = if_eq_begin(b, site(STUB_SYSTHREAD_SITE_OFF));
	emit(b, (struct sock_filter)LD_W(NR_FIELD));
	allow_futex_wait_wake(b);
	allow_call_if_arg_is(b, SYS_mmap, 3, MAP_SHARED | MAP_FIXED);
	allow_if(b, SYS_munmap);
	allow_if(b, SYS_mprotect);
	allow_call_if_arg_is(b, SYS_clone, 0, SYSTRAP_THREAD_CLONE_FLAGS);
	ret(b, SECCOMP_RET_TRAP);
	if_end(b, at);
	at = if_eq_begin(b, site(STUB_REPORT_SITE_OFF));
	emit(b, (struct sock_filter)LD_W(NR_FIELD));
	allow_call_if_arg_is(b, SYS_pwrite64, 0, STUB_SHARED_FD);
	ret(b, SECCOMP_RET_TRAP);
	if_end(b, at);
	at = if_eq_begin(b, site(STUB_NEWTHREAD_SITE_OFF));
	emit(b, (struct sock_filter)LD_W(NR_FIELD));
	allow_if(b, SYS_rt_sigprocmask);
	allow_call_if_arg_is(b, SYS_seccomp, 0, SECCOMP_SET_MODE_FILTER);
	ret(b, SECCOMP_RET_TRAP);
	if_end(b, at);
	/* The guest sites: the guest filter decides there. */
	allow_if(b, site(STUB_RAW_SYSCALL_SITE_OFF));
	allow_if(b, site(STUB_RESTORER_SITE_OFF));
	ret(b, SECCOMP_RET_TRAP);
}

/* Program and its sock_fprog, as the stub will see them at SYSTRAP_CODE. */
static void place(uint8_t *code, uint64_t fprog_off, uint64_t insns_off, void (*build)(struct bpf_builder *))
{
	struct bpf_builder b = { (struct sock_filter *)(code + insns_off), 0, STUB_FILTER_MAX_INSNS };
	struct sock_fprog prog;

	build(&b);
	prog.len = (unsigned short)b.len;
	prog.filter = (struct sock_filter *)(uintptr_t)(SYSTRAP_CODE + insns_off);
	memcpy(code + fprog_off, &prog, sizeof(prog));
}

void systrap_build_code(uint8_t *code)
{
	BUG_ON(systrap_stub_image_size > STUB_IMAGE_MAX);
	memset(code, 0xcc, SYSTRAP_CODE_SIZE);
	memcpy(code, systrap_stub_image, systrap_stub_image_size);
	place(code, STUB_FPROG_GUEST_OFF, STUB_FILTER_GUEST_OFF, build_guest);
	place(code, STUB_FPROG_SYS_OFF, STUB_FILTER_SYS_OFF, build_systhread);
}
