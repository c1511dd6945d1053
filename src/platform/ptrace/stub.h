/* SPDX-License-Identifier: MIT */
/*
 * Layout of the ptrace stub: one page of code at a fixed address at the top
 * of the guest address space, the only non-guest mapping in a stub process.
 */
#pragma once

#define STUB_ADDR 0x7ffffff00000	/* inside the region above GUEST_TASK_SIZE */
#define STUB_SIZE 0x1000
#define HOST_USER_TOP 0x7ffffffff000	/* end of the host's user address space */
#define STUB_SYSCALL_OFF 0x800		/* "syscall; int3" used to inject host syscalls */
#define STUB_CLONE_OFF 0x840		/* clone() site: the parent traps, the child waits in pause() */

#ifndef __ASSEMBLER__
/* In a fresh clone() child: rebuild the address space as a stub; never returns. */
void ptrace_stub_enter(int memfd) __attribute__((noreturn));
#endif
