/* SPDX-License-Identifier: MIT */
/*
 * The ELF loader: builds a fresh mm for execve() from an executable (static,
 * static-PIE or with PT_INTERP) or a #! script, with the initial stack
 * (argv, envp, auxv) in place.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct task;
struct mm;
struct file;
struct arch_regs;

struct exec_args {
	char **argv;
	size_t argc;
	char **envp;
	size_t envc;
	char *filename;		/* as given to execve (AT_EXECFN) */
};

/* Returns 0 with *mm_out (new reference) and entry/stack in @regs, or -errno. */
int loader_exec(struct task *t, int dirfd, const char *path, struct exec_args *args, struct mm **mm_out,
		struct arch_regs *regs);
/* Free argv/envp arrays of @args. */
void exec_args_free(struct exec_args *args);
