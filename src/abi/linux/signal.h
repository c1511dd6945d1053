/* SPDX-License-Identifier: MIT */
/* Signal ABI: sigset, the kernel's struct sigaction, siginfo. */
#pragma once
#include <stdint.h>

#define LINUX_NSIG 64
typedef uint64_t linux_sigset_t;

static inline linux_sigset_t sig_bit(int sig)
{
	return 1ULL << (sig - 1);
}

struct linux_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	linux_sigset_t mask;
};
_Static_assert(sizeof(struct linux_sigaction) == 32, "kernel sigaction");

struct linux_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t __pad;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
			int32_t status; /* SIGCHLD */
			int32_t __pad2;
			int64_t utime, stime;
		} kill;
		struct {
			uint64_t addr;
		} fault;
		struct {
			uint64_t call_addr;
			int32_t syscall;
			uint32_t arch;
		} sys;			/* SIGSYS from seccomp */
		uint8_t raw[112];
	};
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo");

struct linux_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t __pad;
	uint64_t ss_size;
};
_Static_assert(sizeof(struct linux_stack) == 24, "stack_t");
