// SPDX-License-Identifier: MIT
/*
 * Syscall-site patching. A trapped syscall whose site has one of two shapes
 *
 *	mov:	b8 <nr:le32>	mov $nr, %eax		(any nr)
 *		0f 05		syscall
 *
 *	xor:	31 c0		xor %eax, %eax		(read, as glibc calls it)
 *		0f 05		syscall
 *		48 3d 00 f0 ff ff	cmp $-4096, %rax
 *
 * is rewritten into `ff 24 25 <abs32>` (jmp *abs32), a jump through the
 * first quadword of its own entry in the mm's trampoline table, which
 * enters the platform's fast path (the table's header) with
 * %rcx = nr << 48 | where to return:
 *
 *	mov entry (32 bytes)			xor entry (64 bytes)
 *	+0  .quad +8				+0  .quad +8
 *	+8  movabs $(nr<<48 | site+7), %rcx	+8  movabs $(0<<48 | +27), %rcx
 *	+18 jmp *PATCH_TABLE_ADDR		+18 jmp *PATCH_TABLE_ADDR
 *						+25 syscall	(a restart runs this)
 *						+27 cmp $-4096, %rax
 *						+33 jmp *site+10
 *
 * The fast entry expects exactly what the original sequence leaves dead:
 * %rax (about to become nr), %rcx and %r11 (clobbered by syscall). A xor
 * site's last three bytes become `0f 0b cc` (ud2).
 *
 * What is checked: the bytes match (for mov, imm32 == the syscall number
 * the kernel reported from that very syscall instruction), the byte before
 * is not a prefix or REX (which would make the first byte part of another
 * instruction), and the page is a private mapping: the write breaks
 * copy-on-write, so the file, the page cache and other processes (fork
 * children included) keep their bytes. Other threads see the old or the
 * new sequence, never a mix: a site inside one 16-byte block changes with
 * one cmpxchg16b; one that straddles two changes in steps (rewrite_in_steps()).
 *
 * Threads caught inside a site as it changes run into invalid opcodes, and
 * syscall_patch_sigill() finishes what they were doing (see site_sigill()):
 * the jump's third address byte is 0x06, so a thread at a mov site's
 * syscall instruction (having run the old mov, jumped there with its own
 * %rax, or restarted) traps there and is that syscall; a xor entry's
 * second address byte is an invalid opcode too (see xor_entry_index()), so
 * a thread coming back from a read at site + 4, where the cmp was, traps
 * and goes on at its entry's cmp; one at a xor site's syscall instruction
 * runs `and $abs32, %eax` (0 stays 0), then the ud2, and is the read.
 *
 * What is assumed: nothing jumps into the middle of an instruction of a
 * site, nor to a xor site's syscall instruction with %rax other than 0
 * (the Sentry's own restarts of read put 0 there); code is not read as
 * data, except by the program's own copies, which see the patch (as with
 * any JIT-patching runtime); and a CPU that fetched an instruction's old
 * first byte runs that instruction within SETTLE_NS (Linux's live patching
 * waits with an IPI instead, which the Sentry cannot send).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "lib/log.h"
#include "lib/util.h"
#include "platform/platform.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/syscall_patch.h"

#define MAX_SITE_LEN 10
#define JUMP_LEN 7
#define INVALID_OPCODE 0x06	/* push %es: invalid in 64-bit mode */
#define SETTLE_NS 2000
#define XOR_CONT_OFF 27		/* a xor entry's cmp: where its reads return */

struct site_shape {
	uint8_t len;
	uint8_t ret_off;	/* the trapped syscall's return address: site + ret_off */
	uint16_t starts;	/* offsets where an instruction starts, in either sequence */
	uint8_t orig[MAX_SITE_LEN];	/* mov: imm32 left 0 */
};

static const struct site_shape shapes[] = {
	[PATCH_MOV] = { 7, 7, 1 << 0 | 1 << 5, { 0xb8, 0, 0, 0, 0, 0x0f, 0x05 } },
	[PATCH_XOR] = { 10, 4, 1 << 0 | 1 << 2 | 1 << 4 | 1 << 7,
			{ 0x31, 0xc0, 0x0f, 0x05, 0x48, 0x3d, 0x00, 0xf0, 0xff, 0xff } },
};

/* Never worth patching: they need the full register and FP state anyway, or run once. */
static bool nr_denied(uint64_t nr)
{
	switch (nr) {
	case 15:	/* rt_sigreturn */
	case 56:	/* clone */
	case 57:	/* fork */
	case 58:	/* vfork */
	case 59:	/* execve */
	case 322:	/* execveat */
	case 435:	/* clone3 */
		return true;
	default:
		return nr > 0xffff;
	}
}

static bool is_prefix_or_rex(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return b >= 0x40 && b <= 0x4f;
	}
}

/* Read guest code (readable or executable) into @buf. */
static int read_code(struct mm *mm, uint64_t addr, uint8_t *buf, size_t len)
{
	while (len) {
		size_t n = MIN(len, PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
		uint8_t *p;
		int err = mm_translate(mm, addr, false, false, &p);

		if (err)
			return err;
		memcpy(buf, p, n);
		buf += n, addr += n, len -= n;
	}
	return 0;
}

/* Write into this mm's own copy of a page, whatever its protection. @len stays in one page. */
static int write_private(struct mm *mm, uint64_t addr, const void *buf, size_t len)
{
	uint8_t *p;
	int err = mm_translate(mm, addr, true, true, &p);

	if (!err)
		memcpy(p, buf, len);
	return err;
}

/* One atomic 16-byte store, if the block still holds @old. */
static bool cmpxchg16(void *p, const uint8_t old[16], const uint8_t new[16])
{
	uint64_t lo, hi, nlo, nhi;
	bool ok;

	memcpy(&lo, old, 8), memcpy(&hi, old + 8, 8);
	memcpy(&nlo, new, 8), memcpy(&nhi, new + 8, 8);
	__asm__ volatile("lock cmpxchg16b %1"
			 : "=@ccz"(ok), "+m"(*(volatile unsigned __int128 *)p), "+a"(lo), "+d"(hi)
			 : "b"(nlo), "c"(nhi)
			 : "memory");
	return ok;
}

static uint64_t entry_addr(uint32_t idx)
{
	return PATCH_TABLE_ADDR + (uint64_t)idx * PATCH_ENTRY_SIZE;
}

/*
 * xor entries sit where their address's second byte, (idx >> 3) & 0xff,
 * is an invalid opcode: the byte a thread returning to a xor site's old
 * cmp meets. 16 such groups of 8 entries, two per xor entry.
 */
static const uint8_t xor_groups[] = { 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27,
				      0x2f, 0x37, 0x3f, 0x60, 0x61, 0xd4, 0xd5, 0xd6 };
#define XOR_PER_GROUP 4

static bool in_xor_group(uint32_t idx)
{
	return memchr(xor_groups, (int)((idx >> 3) & 0xff), sizeof(xor_groups)) != NULL;
}

static uint32_t xor_entry_index(uint32_t n)
{
	return (uint32_t)xor_groups[n / XOR_PER_GROUP] * 8 + (n % XOR_PER_GROUP) * 2;
}

/* A free entry for a site of @kind, or 0. */
static uint32_t entry_alloc(struct syscall_patches *p, enum patch_kind kind)
{
	uint32_t idx;

	if (kind == PATCH_XOR) {
		if (p->xor_used >= sizeof(xor_groups) * XOR_PER_GROUP)
			return 0;
		idx = xor_entry_index(p->xor_used++);
	} else {
		while (p->mov_next < PATCH_MAX_ENTRIES && in_xor_group(p->mov_next))
			p->mov_next++;
		if (p->mov_next >= PATCH_MAX_ENTRIES)
			return 0;
		idx = p->mov_next++;
	}
	p->nr_entries = MAX(p->nr_entries, idx + 1);
	return idx;
}

static void encode_original(uint8_t out[MAX_SITE_LEN], enum patch_kind kind, uint32_t nr)
{
	memcpy(out, shapes[kind].orig, MAX_SITE_LEN);
	if (kind == PATCH_MOV)
		memcpy(out + 1, &nr, 4);
}

static void encode_jump(uint8_t out[MAX_SITE_LEN], enum patch_kind kind, uint32_t idx)
{
	uint32_t target = (uint32_t)entry_addr(idx);

	out[0] = 0xff, out[1] = 0x24, out[2] = 0x25;
	memcpy(out + 3, &target, 4);
	if (kind == PATCH_XOR)
		out[7] = 0x0f, out[8] = 0x0b, out[9] = 0xcc;	/* ud2; int3 */
}

/* The mm's table, mapped on first use; NULL when patching is off for it. */
static struct syscall_patches *table(struct mm *mm)
{
	uint64_t header = g_platform->fast_syscall_entry;
	int64_t at;

	if (mm->patches)
		return mm->patches->disabled ? NULL : mm->patches;
	at = mm_map(mm, PATCH_TABLE_ADDR, PATCH_TABLE_SIZE, PROT_READ | PROT_EXEC, 0, false, true, NULL, 0, NULL,
		    "[syscall patches]");
	mm->patches = xzalloc(sizeof(*mm->patches));
	if (at != (int64_t)PATCH_TABLE_ADDR || write_private(mm, PATCH_TABLE_ADDR, &header, 8)) {
		/* The guest has something there: it keeps it, and we keep trapping. */
		mm->patches->disabled = true;
		return NULL;
	}
	mm->patches->nr_entries = 1;
	mm->patches->mov_next = 1;
	return mm->patches;
}

static uint64_t xor_continuation(uint32_t idx)
{
	return entry_addr(idx) + XOR_CONT_OFF;
}

static int write_entry(struct mm *mm, uint32_t idx, enum patch_kind kind, uint64_t site, uint64_t nr)
{
	static const uint8_t xor_tail[] = {
		0x0f, 0x05,				/* +25 syscall */
		0x48, 0x3d, 0x00, 0xf0, 0xff, 0xff,	/* +27 cmp $-4096, %rax */
		0xff, 0x25, 0x00, 0x00, 0x00, 0x00,	/* +33 jmp *0(%rip) */
	};
	uint8_t e[2 * PATCH_ENTRY_SIZE];
	uint64_t self = entry_addr(idx) + 8, back = site + shapes[kind].len;
	uint64_t rcx = nr << 48 | (kind == PATCH_XOR ? xor_continuation(idx) : back);
	uint32_t header = (uint32_t)PATCH_TABLE_ADDR;
	size_t len = kind == PATCH_XOR ? 2 * PATCH_ENTRY_SIZE : PATCH_ENTRY_SIZE;

	memset(e, 0xcc, sizeof(e));		/* int3 */
	memcpy(e, &self, 8);
	e[8] = 0x48, e[9] = 0xb9;		/* movabs $imm64, %rcx */
	memcpy(e + 10, &rcx, 8);
	e[18] = 0xff, e[19] = 0x24, e[20] = 0x25;	/* jmp *abs32 */
	memcpy(e + 21, &header, 4);
	if (kind == PATCH_XOR) {
		memcpy(e + 25, xor_tail, sizeof(xor_tail));
		memcpy(e + 39, &back, 8);	/* +39: the jmp's target, site + 10 */
	}
	return write_private(mm, entry_addr(idx), e, len);
}

/* Swap @len bytes at @addr, all inside one 16-byte block, from @from to @to: one atomic store. */
static bool swap_in_block(struct mm *mm, uint64_t addr, const uint8_t *from, const uint8_t *to, size_t len)
{
	uint64_t blk = addr & ~15ULL, off = addr - blk;
	uint8_t old[16], new[16], *p;

	BUG_ON(off + len > 16);
	if (mm_translate(mm, blk, true, true, &p))
		return false;
	memcpy(old, p, 16);
	if (memcmp(old + off, from, len) != 0)
		return false;
	memcpy(new, old, 16);
	memcpy(new + off, to, len);
	return cmpxchg16(p, old, new);
}

/*
 * Long enough for any CPU that fetched a site's old first byte to be past
 * that instruction: instruction fetch and decode take nanoseconds, and an
 * interrupt in between makes the CPU fetch again.
 */
static void settle(void)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < SETTLE_NS);
}

/*
 * Rewrite a straddling site the way Linux patches live kernel text: every
 * byte where an instruction starts, in the old or the new sequence, first
 * becomes an invalid opcode (a thread arriving there now traps and is
 * finished by syscall_patch_sigill()); after settle() the other bytes
 * change, which no thread is about to run; last the starts take their new
 * values. On a mismatch (the guest rewrote the code meanwhile) the first
 * two steps are undone as far as the bytes are still ours.
 */
static bool rewrite_in_steps(struct mm *mm, uint64_t site, const struct site_shape *shape, const uint8_t *from,
			     const uint8_t *to)
{
	static const uint8_t trap = INVALID_OPCODE;
	uint8_t mid[MAX_SITE_LEN];
	unsigned int i, trapped = 0, split = 16 - (site & 15);
	bool ok = true;

	memcpy(mid, from, shape->len);
	for (i = 0; i < shape->len && ok; i++) {
		if (!(shape->starts & (1u << i)) || from[i] == INVALID_OPCODE)
			continue;
		ok = swap_in_block(mm, site + i, from + i, &trap, 1);
		if (ok)
			trapped |= 1u << i, mid[i] = INVALID_OPCODE;
	}
	if (ok) {
		uint8_t next[MAX_SITE_LEN];

		settle();
		for (i = 0; i < shape->len; i++)
			next[i] = shape->starts & (1u << i) ? mid[i] : to[i];
		ok = swap_in_block(mm, site, mid, next, split);
		if (ok && !swap_in_block(mm, site + split, mid + split, next + split, shape->len - split)) {
			swap_in_block(mm, site, next, mid, split);
			ok = false;
		}
	}
	if (!ok) {
		for (i = 0; i < shape->len; i++)
			if (trapped & (1u << i))
				swap_in_block(mm, site + i, &trap, from + i, 1);
		return false;
	}
	for (i = shape->len; i-- > 0;)
		if ((shape->starts & (1u << i)) && mid[i] != to[i])
			swap_in_block(mm, site + i, mid + i, to + i, 1);
	return true;
}

/* Rewrite a site from @from to @to, so that threads running it never see a mix. */
static bool rewrite_site(struct mm *mm, uint64_t site, enum patch_kind kind, const uint8_t *from, const uint8_t *to)
{
	const struct site_shape *shape = &shapes[kind];

	if ((site & 15) + shape->len <= 16)
		return swap_in_block(mm, site, from, to, shape->len);
	return rewrite_in_steps(mm, site, shape, from, to);
}

/* The shape of the site a trapped syscall came from, or -1. */
static int site_kind(struct mm *mm, const struct arch_regs *regs, uint64_t *site)
{
	uint8_t code[1 + MAX_SITE_LEN], orig[MAX_SITE_LEN];

	for (int kind = 0; kind < (int)ARRAY_SIZE(shapes); kind++) {
		const struct site_shape *shape = &shapes[kind];
		uint64_t s = regs->rip - shape->ret_off;

		if (regs->rip < shape->ret_off + 1u || (kind == PATCH_XOR && regs->orig_rax != 0) ||
		    read_code(mm, s - 1, code, 1u + shape->len))
			continue;
		encode_original(orig, kind, (uint32_t)regs->orig_rax);
		if (memcmp(code + 1, orig, shape->len) == 0 && !is_prefix_or_rex(code[0])) {
			*site = s;
			return kind;
		}
	}
	return -1;
}

void syscall_patch_site(struct mm *mm, const struct arch_regs *regs)
{
	uint8_t orig[MAX_SITE_LEN], jump[MAX_SITE_LEN];
	uint64_t nr = regs->orig_rax, site;
	struct syscall_patches *p;
	struct vma *v;
	uint32_t idx;
	int kind;

	if (!g_platform->fast_syscall_entry || nr_denied(nr) || regs->rip > GUEST_TASK_SIZE)
		return;
	kind = site_kind(mm, regs, &site);
	if (kind < 0)
		return;
	v = mm_find_vma(mm, site);
	if (!v || (v->flags & VMA_SHARED) || !(v->prot & PROT_EXEC) || site + shapes[kind].len > v->end)
		return;
	p = table(mm);
	if (!p)
		return;
	idx = entry_alloc(p, kind);
	if (!idx || write_entry(mm, idx, kind, site, nr))
		return;
	/* Known before the bytes change: a thread that traps on them is recognized (even if this fails). */
	p->site[idx] = site;
	p->nr[idx] = (uint16_t)nr;
	p->kind[idx] = (uint8_t)kind;
	encode_original(orig, kind, (uint32_t)nr);
	encode_jump(jump, kind, idx);
	rewrite_site(mm, site, kind, orig, jump);
}

/* @regs become the syscall in %rax, returning to @ret. */
static enum patch_sigill as_syscall(struct arch_regs *regs, uint64_t ret)
{
	regs->orig_rax = regs->rax;
	regs->rip = ret;
	regs->rcx = ret;
	regs->r11 = regs->eflags;
	return PATCH_SIGILL_SYSCALL;
}

/*
 * A thread trapped at @off of a site that now holds its jump (@patched) or
 * its original bytes. Where the bytes at @off are valid again, it runs them
 * again; the traps the patched sequence sets on purpose finish the thread's
 * syscall or its return from one (see the top of this file).
 */
static enum patch_sigill site_sigill(uint32_t idx, enum patch_kind kind, uint64_t site, unsigned int off,
				     bool patched, struct arch_regs *regs)
{
	if (kind == PATCH_MOV && off == 5 && patched)
		return as_syscall(regs, site + 7);
	if (kind == PATCH_XOR && off == 4 && patched) {
		regs->rip = xor_continuation(idx);	/* the cmp the thread was returning to */
		return PATCH_SIGILL_RETRY;
	}
	if (kind == PATCH_XOR && off == 7)	/* after `and` at +2: the read */
		return as_syscall(regs, patched ? xor_continuation(idx) : site + 4);
	return PATCH_SIGILL_RETRY;
}

enum patch_sigill syscall_patch_sigill(struct mm *mm, struct arch_regs *regs)
{
	struct syscall_patches *p = mm->patches;
	uint8_t code[MAX_SITE_LEN], jump[MAX_SITE_LEN], orig[MAX_SITE_LEN];

	if (!p)
		return PATCH_SIGILL_NOT_OURS;
	for (uint32_t idx = 1; idx < p->nr_entries; idx++) {
		uint64_t site = p->site[idx], off = regs->rip - site;
		enum patch_kind kind = p->kind[idx];
		const struct site_shape *shape = &shapes[kind];
		bool patched;

		if (!site || off >= shape->len || !(shape->starts & (1u << off)) ||
		    read_code(mm, site, code, shape->len))
			continue;
		encode_jump(jump, kind, idx);
		encode_original(orig, kind, p->nr[idx]);
		patched = memcmp(code, jump, shape->len) == 0;
		if (!patched && memcmp(code, orig, shape->len) != 0)
			continue;	/* the guest's own bytes now */
		log_debug("SIGILL at %#lx, site %#lx %s", (unsigned long)regs->rip, (unsigned long)site,
			  patched ? "patched" : "original");
		return site_sigill(idx, kind, site, (unsigned int)off, patched, regs);
	}
	return PATCH_SIGILL_NOT_OURS;
}

void syscall_patch_range_changing(struct mm *mm, uint64_t start, uint64_t end)
{
	struct syscall_patches *p = mm->patches;
	uint8_t orig[MAX_SITE_LEN], jump[MAX_SITE_LEN];

	if (!p || p->disabled || end <= PATCH_TABLE_ADDR || start >= PATCH_TABLE_ADDR + PATCH_TABLE_SIZE)
		return;
	/* The guest takes the table's range: put every site back first, then stop patching. */
	p->disabled = true;
	for (uint32_t idx = 1; idx < p->nr_entries; idx++) {
		if (!p->site[idx])
			continue;
		encode_jump(jump, p->kind[idx], idx);
		encode_original(orig, p->kind[idx], p->nr[idx]);
		rewrite_site(mm, p->site[idx], p->kind[idx], jump, orig);
	}
	log_debug("syscall patches of an mm undone: the guest changes [%#lx, %#lx)", (unsigned long)start,
		  (unsigned long)end);
}

struct syscall_patches *syscall_patches_copy(const struct syscall_patches *p)
{
	struct syscall_patches *c;

	if (!p)
		return NULL;
	c = xmalloc(sizeof(*c));
	memcpy(c, p, sizeof(*c));
	return c;
}

void syscall_patches_free(struct mm *mm)
{
	free(mm->patches);
	mm->patches = NULL;
}
