/* SPDX-License-Identifier: MIT */
/*
 * Syscall-site patching: on a platform with a fast path (systrap), a guest
 * syscall site of the form `mov $nr, %eax; syscall` (or glibc's read:
 * `xor %eax, %eax; syscall; cmp $-4096, %rax`) that trapped is rewritten,
 * in this mm's private copy of the page, into a jump to a per-site entry
 * of the mm's trampoline table, which enters the platform's fast path
 * without a signal. See syscall_patch.c for what is checked.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct mm;
struct arch_regs;

/* Where the table lives in every guest mm that has patches: the third
 * address byte, 0x06, is an invalid opcode (see syscall_patch_sigill). */
#define PATCH_TABLE_ADDR 0x60000ULL
#define PATCH_TABLE_SIZE 0x10000ULL
#define PATCH_ENTRY_SIZE 32
#define PATCH_MAX_ENTRIES (PATCH_TABLE_SIZE / PATCH_ENTRY_SIZE)

enum patch_kind {
	PATCH_MOV,	/* mov $nr, %eax; syscall */
	PATCH_XOR,	/* xor %eax, %eax; syscall; cmp $-4096, %rax (read) */
};

struct syscall_patches {
	bool disabled;			/* the table's range was taken or changed: no more patches */
	uint32_t nr_entries;		/* entries below this may be in use; 0 is the header (the fast entry) */
	uint32_t mov_next;		/* the next entry a mov site may take */
	uint32_t xor_used;		/* xor entries taken */
	uint64_t site[PATCH_MAX_ENTRIES];	/* address of each patched site, 0: none */
	uint16_t nr[PATCH_MAX_ENTRIES];		/* ... its syscall number */
	uint8_t kind[PATCH_MAX_ENTRIES];	/* ... and its enum patch_kind */
};

/* After a trapped syscall (@regs: rip after the syscall, orig_rax its number): maybe patch its site. */
void syscall_patch_site(struct mm *mm, const struct arch_regs *regs);
enum patch_sigill {
	PATCH_SIGILL_NOT_OURS,	/* the guest's own: deliver it */
	PATCH_SIGILL_SYSCALL,	/* @regs now describe the syscall the thread was making */
	PATCH_SIGILL_RETRY,	/* it met a site as it changed: resume it (@regs->rip may have moved on) */
};

/* A SIGILL at @regs->rip: was it a thread running into a site being (or once) patched? */
enum patch_sigill syscall_patch_sigill(struct mm *mm, struct arch_regs *regs);
/* The guest is about to change [start, end): undo all patches first if that touches the table. */
void syscall_patch_range_changing(struct mm *mm, uint64_t start, uint64_t end);
/* fork() and teardown. */
struct syscall_patches *syscall_patches_copy(const struct syscall_patches *p);
void syscall_patches_free(struct mm *mm);
