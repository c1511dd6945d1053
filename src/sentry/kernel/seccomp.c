// SPDX-License-Identifier: MIT
/* Guest seccomp (seccomp.h): the filter checker, the classic-BPF interpreter, the actions. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "abi/linux/signal.h"
#include "lib/log.h"
#include "lib/util.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

/* Linux's uapi values */
#define RET_KILL_PROCESS 0x80000000u
#define RET_KILL_THREAD 0x00000000u
#define RET_TRAP 0x00030000u
#define RET_ERRNO 0x00050000u
#define RET_USER_NOTIF 0x7fc00000u
#define RET_TRACE 0x7ff00000u
#define RET_LOG 0x7ffc0000u
#define RET_ALLOW 0x7fff0000u
#define RET_ACTION_FULL 0xffff0000u
#define RET_DATA 0x0000ffffu
#define AUDIT_ARCH_X86_64 0xc000003eu
#define SYS_SECCOMP 1			/* si_code of the SIGSYS a TRAP sends */
#define MAX_INSNS_PER_PATH 32768	/* instructions of a task's whole filter stack, 4 more per filter */
#define BPF_MAXINSNS 4096
#define BPF_MEMWORDS 16

/* classic BPF */
#define CLASS(c) ((c) & 0x07)
#define C_LD 0x00
#define C_LDX 0x01
#define C_ST 0x02
#define C_STX 0x03
#define C_ALU 0x04
#define C_JMP 0x05
#define C_RET 0x06
#define C_MISC 0x07
#define W_ABS 0x20
#define W_MEM 0x60
#define W_LEN 0x80
#define W_IMM 0x00
#define SRC_X 0x08

/* struct seccomp_data, as the filter reads it */
struct seccomp_data {
	int32_t nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};

void seccomp_filter_put(struct seccomp_filter *f)
{
	/* a chain: each filter holds its predecessor; bounded by MAX_INSNS_PER_PATH */
	while (f && --f->refs == 0) {
		struct seccomp_filter *prev = f->prev;

		free(f);
		f = prev;
	}
}

void seccomp_inherit(struct task *child, const struct task *parent)
{
	child->seccomp_mode = parent->seccomp_mode;
	child->seccomp = parent->seccomp;
	if (child->seccomp)
		child->seccomp->refs++;
}

/* ---- the checker (Linux's bpf_check_classic + seccomp_check_filter) ---- */

static bool opcode_allowed(uint16_t code, uint32_t k)
{
	switch (code) {
	case C_LD | W_ABS:		/* BPF_LD | BPF_W | BPF_ABS: aligned words of seccomp_data only */
		return !(k & 3) && k < sizeof(struct seccomp_data);
	case C_LD | W_LEN:
	case C_LDX | W_LEN:
	case C_LD | W_IMM:
	case C_LDX | W_IMM:
	case C_LD | W_MEM:
	case C_LDX | W_MEM:
	case C_ST:
	case C_STX:
	case C_MISC | 0x00:		/* TAX */
	case C_MISC | 0x80:		/* TXA */
	case C_RET | 0x00:		/* RET K */
	case C_RET | 0x10:		/* RET A */
	case C_JMP | 0x00:		/* JA */
		return true;
	}
	if (CLASS(code) == C_ALU) {
		unsigned op = code & 0xf0;

		return (code & ~(0xf0 | SRC_X)) == C_ALU && (op <= 0xa0) && !(op == 0x80 && (code & SRC_X));
	}
	if (CLASS(code) == C_JMP) {
		unsigned op = code & 0xf0;

		return (code & ~(0xf0 | SRC_X)) == C_JMP && op >= 0x10 && op <= 0x40;
	}
	return false;
}

/* Every memory word read is written first on every path (Linux's check_load_and_stores). */
static int check_memory(const struct seccomp_insn *f, size_t n)
{
	uint16_t *masks = xmalloc(n * sizeof(uint16_t)), valid = 0;
	int err = 0;

	for (size_t i = 0; i < n; i++)
		masks[i] = 0xffff;
	for (size_t i = 0; i < n && !err; i++) {
		uint16_t code = f[i].code;

		valid &= masks[i];
		if (code == C_ST || code == C_STX) {
			valid |= (uint16_t)(1u << f[i].k);
		} else if (code == (C_LD | W_MEM) || code == (C_LDX | W_MEM)) {
			if (!(valid & (1u << f[i].k)))
				err = -EINVAL;
		} else if (code == (C_JMP | 0x00)) {
			masks[i + 1 + f[i].k] &= valid;
			valid = 0xffff;
		} else if (CLASS(code) == C_JMP) {
			masks[i + 1 + f[i].jt] &= valid;
			masks[i + 1 + f[i].jf] &= valid;
			valid = 0xffff;
		}
	}
	free(masks);
	return err;
}

int seccomp_filter_new(const struct seccomp_insn *insns, size_t n, struct seccomp_filter **out)
{
	struct seccomp_filter *f;
	int err;

	if (n == 0 || n > BPF_MAXINSNS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const struct seccomp_insn *in = &insns[i];
		uint16_t code = in->code;

		if (!opcode_allowed(code, in->k))
			return -EINVAL;
		if (CLASS(code) == C_ALU && !(code & SRC_X) && ((code & 0xf0) == 0x30 || (code & 0xf0) == 0x90) &&
		    in->k == 0)
			return -EINVAL;	/* division or modulo by a constant 0 */
		if ((code == (C_LD | W_MEM) || code == (C_LDX | W_MEM) || code == C_ST || code == C_STX) &&
		    in->k >= BPF_MEMWORDS)
			return -EINVAL;
		if (code == (C_JMP | 0x00) && in->k >= n - i - 1)
			return -EINVAL;
		if (CLASS(code) == C_JMP && code != (C_JMP | 0x00) &&
		    (i + 1 + in->jt >= n || i + 1 + in->jf >= n))
			return -EINVAL;
	}
	if (CLASS(insns[n - 1].code) != C_RET)
		return -EINVAL;
	err = check_memory(insns, n);
	if (err)
		return err;
	f = xzalloc(sizeof(*f) + n * sizeof(f->insns[0]));
	f->refs = 1;
	f->len = (uint32_t)n;
	memcpy(f->insns, insns, n * sizeof(f->insns[0]));
	*out = f;
	return 0;
}

/* ---- running filters ---- */

static uint32_t run_filter(const struct seccomp_filter *f, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	/* jumps only go forward (checked): at most len steps */
	for (uint32_t pc = 0; pc < f->len; pc++) {
		const struct seccomp_insn *in = &f->insns[pc];
		uint32_t src = (in->code & SRC_X) ? x : in->k;

		switch (CLASS(in->code)) {
		case C_LD:
			if (in->code == (C_LD | W_ABS))
				memcpy(&a, (const char *)d + in->k, 4);
			else if (in->code == (C_LD | W_LEN))
				a = sizeof(*d);
			else if (in->code == (C_LD | W_MEM))
				a = mem[in->k];
			else
				a = in->k;
			break;
		case C_LDX:
			x = in->code == (C_LDX | W_LEN) ? sizeof(*d) : in->code == (C_LDX | W_MEM) ? mem[in->k] : in->k;
			break;
		case C_ST:
			mem[in->k] = a;
			break;
		case C_STX:
			mem[in->k] = x;
			break;
		case C_ALU:
			switch (in->code & 0xf0) {
			case 0x00: a += src; break;
			case 0x10: a -= src; break;
			case 0x20: a *= src; break;
			case 0x30: a = src ? a / src : 0; if (!src) return RET_KILL_THREAD; break;
			case 0x40: a |= src; break;
			case 0x50: a &= src; break;
			case 0x60: a = src < 32 ? a << src : 0; break;
			case 0x70: a = src < 32 ? a >> src : 0; break;
			case 0x80: a = -a; break;
			case 0x90: if (!src) return RET_KILL_THREAD; a %= src; break;
			case 0xa0: a ^= src; break;
			}
			break;
		case C_JMP: {
			bool taken;

			if (in->code == (C_JMP | 0x00)) {
				pc += in->k;
				break;
			}
			switch (in->code & 0xf0) {
			case 0x10: taken = a == src; break;
			case 0x20: taken = a > src; break;
			case 0x30: taken = a >= src; break;
			default: taken = (a & src) != 0; break;
			}
			pc += taken ? in->jt : in->jf;
			break;
		}
		case C_RET:
			return in->code == (C_RET | 0x10) ? a : in->k;
		case C_MISC:
			if (in->code == (C_MISC | 0x80))
				a = x;
			else
				x = a;
			break;
		}
	}
	return RET_KILL_THREAD;	/* unreachable: the last instruction is a RET */
}

/* The action of the whole stack: the most restrictive; among equals, the newest filter's. */
static uint32_t run_filters(const struct task *t, uint64_t nr, const struct syscall_args *a, bool *log)
{
	struct seccomp_data d = { .nr = (int32_t)nr, .arch = AUDIT_ARCH_X86_64,
				  .instruction_pointer = t->regs.rip };
	uint32_t best = RET_ALLOW;

	memcpy(d.args, a->a, sizeof(d.args));
	*log = false;
	for (const struct seccomp_filter *f = t->seccomp; f; f = f->prev) {
		uint32_t r = run_filter(f, &d);

		if ((int32_t)(r & RET_ACTION_FULL) < (int32_t)(best & RET_ACTION_FULL)) {
			best = r;
			*log = f->log;
		}
	}
	return best;
}

/* SIGSYS that cannot be caught, blocked or ignored, and kills with a core: Linux's force_sig_seccomp(). */
static void kill_by_sigsys(struct task *t)
{
	task_force_signal(t, SIGSYS, SI_KERNEL, 0);
}

static int strict_check(struct task *t, uint64_t nr)
{
	if (nr == 0 || nr == 1 || nr == 60 || nr == 15)	/* read, write, exit, rt_sigreturn */
		return 0;
	task_force_signal(t, SIGKILL, SI_KERNEL, 0);
	t->regs.rax = (uint64_t)-ENOSYS;
	return 1;
}

int seccomp_check(struct task *t, uint64_t nr, const struct syscall_args *a)
{
	uint32_t r, data;
	bool log;

	if (t->seccomp_mode == SECCOMP_MODE_STRICT_)
		return strict_check(t, nr);
	r = run_filters(t, nr, a, &log);
	data = r & RET_DATA;
	switch (r & RET_ACTION_FULL) {
	case RET_ALLOW:
		return 0;
	case RET_LOG:
		log_info("seccomp: pid %d: system call %lu allowed and logged", t->tid, (unsigned long)nr);
		return 0;
	case RET_ERRNO:
		t->regs.rax = (uint64_t)-(int64_t)MIN(data, 4095u);
		return 1;
	case RET_TRAP: {
		struct linux_siginfo info = { .si_signo = SIGSYS, .si_errno = (int32_t)data, .si_code = SYS_SECCOMP };

		info.sys.call_addr = t->regs.rip;
		info.sys.syscall = (int32_t)nr;
		info.sys.arch = AUDIT_ARCH_X86_64;
		t->regs.rax = nr;	/* Linux's syscall_rollback(): rax is orig_rax again */
		/* forced like Linux's force_sig_seccomp(..., false): unblocked, SIG_DFL if ignored */
		task_force_signal(t, SIGSYS, SYS_SECCOMP, 0);
		t->pending_info[SIGSYS - 1] = info;
		return 1;
	}
	case RET_TRACE:
	case RET_USER_NOTIF:
		/* no tracer, no listener: the call fails as Linux makes it */
		t->regs.rax = (uint64_t)-ENOSYS;
		return 1;
	case RET_KILL_THREAD:
	case RET_KILL_PROCESS:
	default:
		if (log || (r & RET_ACTION_FULL) == RET_KILL_PROCESS)
			log_info("seccomp: pid %d killed by its filter at system call %lu", t->tid, (unsigned long)nr);
		kill_by_sigsys(t);
		t->regs.rax = (uint64_t)-ENOSYS;
		return 1;
	}
}

/* ---- installing ---- */

static uint32_t stack_insns(const struct seccomp_filter *f)
{
	uint32_t total = 0;

	for (; f; f = f->prev)
		total += f->len + 4;
	return total;
}

int seccomp_install(struct task *t, struct seccomp_filter *f, bool tsync)
{
	struct task *o;

	if (t->seccomp_mode == SECCOMP_MODE_STRICT_) {
		seccomp_filter_put(f);
		return -EINVAL;
	}
	if (stack_insns(t->seccomp) + f->len + 4 > MAX_INSNS_PER_PATH) {
		seccomp_filter_put(f);
		return -ENOMEM;
	}
	f->prev = t->seccomp;	/* takes over t's reference */
	t->seccomp = f;
	t->seccomp_mode = SECCOMP_MODE_FILTER_;
	if (!tsync)
		return 0;
	/* every other thread gets the same stack (Linux checks theirs are ancestors of ours; ours always are here) */
	list_for_each_entry(o, &t->tg->tasks, tg_node) {
		if (o == t)
			continue;
		seccomp_filter_put(o->seccomp);
		o->seccomp = f;
		f->refs++;
		o->seccomp_mode = SECCOMP_MODE_FILTER_;
	}
	return 0;
}
