// SPDX-License-Identifier: MIT
/* The initial process stack: strings, argv, envp and the auxiliary vector. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include "lib/log.h"
#include "sentry/loader/loader.h"
#include "sentry/loader/loader_internal.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

#define STACK_TOP_MAX (GUEST_TASK_SIZE - (1ULL << 20))

static uint64_t rnd(uint64_t max)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = 0;
	return r % max;
}

void place_stack(struct mm *mm)
{
	mm->stack_top = STACK_TOP_MAX - (rnd(1 << 12) << PAGE_SHIFT);
	mm->mmap_top = mm->stack_top - STACK_SIZE - (1ULL << 24) - (rnd(1 << 16) << PAGE_SHIFT);
}

/* Bytes of a growing image of the top of the stack, built downwards. */
struct stack_img {
	uint8_t *buf;
	size_t size, used;	/* data lives at buf[size - used, size) */
	uint64_t top;		/* guest address of buf[size] */
};

static uint64_t push(struct stack_img *s, const void *data, size_t len)
{
	if (s->used + len > s->size)
		return 0;
	s->used += len;
	memcpy(s->buf + s->size - s->used, data, len);
	return s->top - s->used;
}

static uint64_t push_str(struct stack_img *s, const char *str)
{
	return push(s, str, strlen(str) + 1);
}

int setup_stack(struct mm *mm, struct exec_args *args, struct elf_info *info)
{
	struct stack_img s = { .size = 1 << 20 };
	uint64_t *argv_addr, *envp_addr, random_addr, platform_addr, execfn_addr, sp;
	uint64_t auxv[64], nwords, *words;
	size_t na = 0, total_strings = 0;
	uint8_t random_bytes[16];
	int64_t r;
	int err = 0;

	for (size_t k = 0; k < args->argc; k++)
		total_strings += strlen(args->argv[k]) + 1;
	for (size_t k = 0; k < args->envc; k++)
		total_strings += strlen(args->envp[k]) + 1;
	if (total_strings + (args->argc + args->envc) * 8 > STACK_SIZE / 4)
		return -E2BIG;
	s.size = total_strings + PAGE_SIZE * 2 + (args->argc + args->envc + 64) * 8;
	s.buf = xmalloc(s.size);
	s.top = mm->stack_top;
	r = mm_map(mm, mm->stack_top - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE, VMA_GROWSDOWN, true, false,
		   NULL, 0, NULL, "[stack]");
	if (r < 0) {
		free(s.buf);
		return (int)r;
	}
	argv_addr = xmalloc((args->argc + 1) * sizeof(uint64_t));
	envp_addr = xmalloc((args->envc + 1) * sizeof(uint64_t));
	execfn_addr = push_str(&s, args->filename ? args->filename : (args->argc ? args->argv[0] : ""));
	mm->env_end = s.top - s.used + strlen(args->filename ? args->filename : "") + 1;
	for (size_t k = args->envc; k-- > 0;)
		envp_addr[k] = push_str(&s, args->envp[k]);
	mm->env_end = args->envc ? envp_addr[args->envc - 1] + strlen(args->envp[args->envc - 1]) + 1 : 0;
	mm->env_start = args->envc ? envp_addr[0] : 0;
	for (size_t k = args->argc; k-- > 0;)
		argv_addr[k] = push_str(&s, args->argv[k]);
	mm->arg_start = args->argc ? argv_addr[0] : 0;
	mm->arg_end = args->argc ? argv_addr[args->argc - 1] + strlen(args->argv[args->argc - 1]) + 1 : 0;
	platform_addr = push_str(&s, "x86_64");
	if (getrandom(random_bytes, sizeof(random_bytes), 0) != sizeof(random_bytes))
		memset(random_bytes, 0x5a, sizeof(random_bytes));
	random_addr = push(&s, random_bytes, sizeof(random_bytes));
	s.used = (s.used + 15) & ~15UL;

#define AUX(k, v)                  \
	do {                       \
		auxv[na++] = (k);  \
		auxv[na++] = (v);  \
	} while (0)
	if (info->vdso_base)
		AUX(AT_SYSINFO_EHDR, info->vdso_base);
	AUX(AT_HWCAP, getauxval(AT_HWCAP));
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, info->phdr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, info->phnum);
	AUX(AT_BASE, info->interp_base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, info->exe_entry);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, random_addr);
	AUX(AT_HWCAP2, getauxval(AT_HWCAP2));
	AUX(AT_EXECFN, execfn_addr);
	AUX(AT_PLATFORM, platform_addr);
	AUX(AT_MINSIGSTKSZ, getauxval(AT_MINSIGSTKSZ) ? getauxval(AT_MINSIGSTKSZ) : 2048);
	AUX(AT_NULL, 0);
#undef AUX
	/* argc, argv[], NULL, envp[], NULL, auxv: keep sp 16-byte aligned at argc. */
	nwords = 1 + args->argc + 1 + args->envc + 1 + na;
	if ((s.used + nwords * 8) % 16)
		s.used += 8;
	words = xmalloc(nwords * 8);
	{
		size_t w = 0;

		words[w++] = args->argc;
		for (size_t k = 0; k < args->argc; k++)
			words[w++] = argv_addr[k];
		words[w++] = 0;
		for (size_t k = 0; k < args->envc; k++)
			words[w++] = envp_addr[k];
		words[w++] = 0;
		memcpy(&words[w], auxv, na * 8);
	}
	sp = push(&s, words, nwords * 8);
	if (!sp)
		err = -E2BIG;
	if (!err)
		err = mm_copy_out(mm, s.top - s.used, s.buf + s.size - s.used, s.used, false);
	info->sp = sp;
	free(words);
	free(argv_addr);
	free(envp_addr);
	free(s.buf);
	return err ? -E2BIG : 0;
}
