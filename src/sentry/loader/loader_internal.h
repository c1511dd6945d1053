/* SPDX-License-Identifier: MIT */
/* Shared by elf.c and stack.c. */
#pragma once
#include <stdint.h>

struct mm;
struct exec_args;

struct elf_info {
	uint64_t entry;		/* where execution starts (the interpreter's entry if any) */
	uint64_t exe_entry;	/* AT_ENTRY */
	uint64_t phdr;		/* AT_PHDR */
	uint64_t phnum;
	uint64_t interp_base;	/* AT_BASE */
	uint64_t vdso_base;	/* AT_SYSINFO_EHDR, 0 without a vDSO */
	uint64_t sp;		/* out: initial stack pointer */
};

#define STACK_SIZE (8ULL << 20)

void place_stack(struct mm *mm);
int setup_stack(struct mm *mm, struct exec_args *args, struct elf_info *info);
