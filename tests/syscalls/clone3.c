// SPDX-License-Identifier: MIT
/*
 * clone3(2): a child process with an exit signal and CLONE_PARENT_SETTID,
 * a child on its own stack, and the argument checks (size too small,
 * stack without size, unknown non-zero trailing bytes give E2BIG).
 */
#include <linux/sched.h>
#include <stdint.h>
#include <sys/wait.h>
#include "harness.h"

static long clone3_raw(struct clone_args *ca, size_t size)
{
	return syscall(SYS_clone3, ca, size);
}

TEST(clone3, child_process)
{
	pid_t ptid = 0;
	struct clone_args ca = { .flags = CLONE_PARENT_SETTID, .parent_tid = (uint64_t)(uintptr_t)&ptid,
				 .exit_signal = SIGCHLD };
	long pid = clone3_raw(&ca, sizeof(ca));

	if (pid == 0)
		_exit(12);
	EXPECT_TRUE(pid > 0);
	EXPECT_EQ(ptid, pid);
	EXPECT_EXITED(wait_status((pid_t)pid), 12);
}

static char child_stack[65536] __attribute__((aligned(16)));

TEST(clone3, own_stack)
{
	struct clone_args ca = { .exit_signal = SIGCHLD, .stack = (uint64_t)(uintptr_t)child_stack,
				 .stack_size = sizeof(child_stack) };
	long pid;

	/*
	 * The child starts on child_stack with nothing on it, so it must not
	 * return anywhere: in the same asm block it exits 4 if its stack
	 * pointer lies in child_stack, 5 otherwise.
	 */
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov %%rsp, %%rcx\n\t"
			 "sub %[lo], %%rcx\n\t"
			 "mov $5, %%edi\n\t"
			 "cmp %[size], %%rcx\n\t"
			 "ja 2f\n\t"
			 "mov $4, %%edi\n\t"
			 "2: mov $231, %%eax\n\t"
			 "syscall\n\t"
			 "1:"
			 : "=a"(pid)
			 : "a"(435L), "D"(&ca), "S"(sizeof(ca)), [lo] "r"(child_stack), [size] "i"(sizeof(child_stack))
			 : "rcx", "r11", "memory");
	EXPECT_TRUE(pid > 0);
	EXPECT_EXITED(wait_status((pid_t)pid), 4);
}

TEST(clone3, argument_checks)
{
	struct clone_args ca = { .exit_signal = SIGCHLD };
	struct {
		struct clone_args ca;
		uint64_t extra;
	} big = { .ca = { .exit_signal = SIGCHLD }, .extra = 1 };

	EXPECT_ERRNO(clone3_raw(&ca, 32), EINVAL);
	ca.stack = (uint64_t)(uintptr_t)child_stack;
	EXPECT_ERRNO(clone3_raw(&ca, sizeof(ca)), EINVAL);
	EXPECT_ERRNO(clone3_raw(&big.ca, sizeof(big)), E2BIG);
}
