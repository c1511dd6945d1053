// SPDX-License-Identifier: MIT
/*
 * Syscall-site patching. A trapped syscall whose site reads
 *
 *	b8 <nr:le32>	mov $nr, %eax
 *	0f 05		syscall
 *
 * is rewritten into `ff 24 25 <abs32>` (jmp *abs32), a jump through the
 * first quadword of its own 32-byte entry in the mm's trampoline table:
 *
 *	+0	.quad +8
 *	+8	movabs $(nr << 48 | site + 7), %rcx
 *	+18	jmp *PATCH_TABLE_ADDR		(the header: the platform's fast entry)
 *
 * The fast entry expects exactly what the original pair leaves dead: %rax
 * (about to become nr), %rcx and %r11 (clobbered by syscall).
 *
 * What is checked: the seven bytes match with imm32 == the syscall number
 * the kernel reported from that very syscall instruction (site + 5), the
 * byte before is not a prefix or REX (which would make b8 part of another
 * instruction), and the page is a private mapping: the write breaks
 * copy-on-write, so the file, the page cache and other processes (fork
 * children included) keep their bytes. Other threads see the old or the
 * new sequence, never a mix: seven bytes inside one 16-byte block change
 * with one cmpxchg16b; a site that straddles two blocks changes in steps
 * (rewrite_in_steps()), its first byte 0x06 meanwhile.
 *
 * A thread that already ran the old mov and is about to run the syscall
 * at site + 5 when the bytes change now decodes the address's third byte,
 * 0x06: an invalid opcode, SIGILL at site + 5, which syscall_patch_sigill()
 * turns back into the syscall it was (nr in %rax, as the mov left it). The
 * same holds for code that jumps straight to the syscall instruction with
 * its own %rax, such as a restarted syscall.
 *
 * What is assumed: nothing jumps into bytes 1-4 of the mov (the middle of
 * an instruction); code is not read as data, except by the program's own
 * copies, which see the patch (as with any JIT-patching runtime); and a
 * CPU that fetched a straddling site's old first byte runs that mov within
 * SETTLE_NS (Linux's live patching waits with an IPI instead, which the
 * Sentry cannot send).
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

#define SITE_LEN 7
#define INVALID_OPCODE 0x06	/* push %es: invalid in 64-bit mode */
#define SETTLE_NS 2000

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

static void encode_jump(uint8_t out[SITE_LEN], uint32_t idx)
{
	uint32_t target = (uint32_t)entry_addr(idx);

	out[0] = 0xff, out[1] = 0x24, out[2] = 0x25;
	memcpy(out + 3, &target, 4);
}

static void encode_original(uint8_t out[SITE_LEN], uint32_t nr)
{
	out[0] = 0xb8;
	memcpy(out + 1, &nr, 4);
	out[5] = 0x0f, out[6] = 0x05;
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
	return mm->patches;
}

static int write_entry(struct mm *mm, uint32_t idx, uint64_t site, uint64_t nr)
{
	uint8_t e[PATCH_ENTRY_SIZE];
	uint64_t self = entry_addr(idx) + 8, rcx = nr << 48 | (site + SITE_LEN);
	uint32_t header = (uint32_t)PATCH_TABLE_ADDR;

	memset(e, 0xcc, sizeof(e));		/* int3 */
	memcpy(e, &self, 8);
	e[8] = 0x48, e[9] = 0xb9;		/* movabs $imm64, %rcx */
	memcpy(e + 10, &rcx, 8);
	e[18] = 0xff, e[19] = 0x24, e[20] = 0x25;	/* jmp *abs32 */
	memcpy(e + 21, &header, 4);
	return write_private(mm, entry_addr(idx), e, sizeof(e));
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

struct site_part {
	uint8_t off, len;
};

/*
 * The steps of rewriting a site that straddles two 16-byte blocks, after
 * its first byte became INVALID_OPCODE: the rest of the first block, then
 * the second, except that bytes 5 and 6 (the syscall instruction, or the
 * jump's last two address bytes, 06 00) go in the order that lets a thread
 * waiting at site + 5 see only the old instruction or the invalid opcode.
 */
static int straddle_steps(uint64_t site, const uint8_t to[SITE_LEN], struct site_part parts[2])
{
	uint8_t split = (uint8_t)(16 - (site & 15));	/* bytes in the first block: 1..6 */
	struct site_part first = { 1, (uint8_t)(split - 1) }, second = { split, (uint8_t)(SITE_LEN - split) };
	int n = 0;

	if (split == SITE_LEN - 1 && to[5] != INVALID_OPCODE) {
		parts[n++] = second;	/* byte 6 first: 06 05 traps, 0f 00 would not */
		parts[n++] = first;
		return n;
	}
	if (first.len)
		parts[n++] = first;
	parts[n++] = second;
	return n;
}

/*
 * Rewrite a straddling site the way Linux patches live kernel text: its
 * first byte becomes an invalid opcode (a thread arriving now traps and is
 * resumed), then, after settle(), the other bytes change, then the first.
 * On a mismatch (the guest rewrote the code meanwhile) every step taken is
 * undone, as far as the bytes are still ours.
 */
static bool rewrite_in_steps(struct mm *mm, uint64_t site, const uint8_t from[SITE_LEN], const uint8_t to[SITE_LEN])
{
	static const uint8_t trap = INVALID_OPCODE;
	struct site_part parts[2];
	int n = straddle_steps(site, to, parts), done;

	if (!swap_in_block(mm, site, from, &trap, 1))
		return false;
	settle();
	for (done = 0; done < n; done++) {
		const struct site_part *s = &parts[done];

		if (!swap_in_block(mm, site + s->off, from + s->off, to + s->off, s->len))
			break;
	}
	if (done == n && swap_in_block(mm, site, &trap, to, 1))
		return true;
	while (done-- > 0) {
		const struct site_part *s = &parts[done];

		swap_in_block(mm, site + s->off, to + s->off, from + s->off, s->len);
	}
	swap_in_block(mm, site, &trap, from, 1);
	return false;
}

/* Rewrite a site's seven bytes from @from to @to, so that threads running them never see a mix. */
static bool rewrite_site(struct mm *mm, uint64_t site, const uint8_t from[SITE_LEN], const uint8_t to[SITE_LEN])
{
	if ((site & 15) + SITE_LEN <= 16)
		return swap_in_block(mm, site, from, to, SITE_LEN);
	return rewrite_in_steps(mm, site, from, to);
}

void syscall_patch_site(struct mm *mm, const struct arch_regs *regs)
{
	uint64_t site = regs->rip - SITE_LEN, nr = regs->orig_rax;
	uint8_t code[1 + SITE_LEN], orig[SITE_LEN], jump[SITE_LEN];
	struct syscall_patches *p;
	struct vma *v;
	uint32_t idx;

	if (!g_platform->fast_syscall_entry || nr_denied(nr) || regs->rip < SITE_LEN + 1 ||
	    regs->rip > GUEST_TASK_SIZE)
		return;
	if (read_code(mm, site - 1, code, sizeof(code)))
		return;
	encode_original(orig, (uint32_t)nr);
	if (memcmp(code + 1, orig, SITE_LEN) != 0 || is_prefix_or_rex(code[0]))
		return;
	v = mm_find_vma(mm, site);
	if (!v || (v->flags & VMA_SHARED) || !(v->prot & PROT_EXEC) || site + SITE_LEN > v->end)
		return;
	p = table(mm);
	if (!p || p->nr_entries >= PATCH_MAX_ENTRIES)
		return;
	idx = p->nr_entries++;
	if (write_entry(mm, idx, site, nr))
		return;
	/* Known before the bytes change: a thread that traps on them is recognized (even if this fails). */
	p->site[idx] = site;
	p->nr[idx] = (uint16_t)nr;
	encode_jump(jump, idx);
	rewrite_site(mm, site, orig, jump);
}

/*
 * A SIGILL at rip == site + 5 with the jump in place: the thread had run
 * the old mov (or jumped to the syscall instruction itself) and found 06:
 * it is that syscall, with its own %rax. At site + 5 with the original
 * bytes back, or at site + 0 (the first byte was 06 while the site was
 * rewritten in steps) with either sequence now in place, the instruction
 * is valid again: run it again. Anything else is the guest's own SIGILL.
 */
enum patch_sigill syscall_patch_sigill(struct mm *mm, struct arch_regs *regs)
{
	struct syscall_patches *p = mm->patches;
	uint8_t code[SITE_LEN], jump[SITE_LEN], orig[SITE_LEN];

	if (!p)
		return PATCH_SIGILL_NOT_OURS;
	for (uint32_t idx = 1; idx < p->nr_entries; idx++) {
		uint64_t site = p->site[idx];
		bool is_jump, is_orig;

		if (!site || (regs->rip != site && regs->rip != site + 5) || read_code(mm, site, code, SITE_LEN))
			continue;
		encode_jump(jump, idx);
		encode_original(orig, p->nr[idx]);
		is_jump = memcmp(code, jump, SITE_LEN) == 0;
		is_orig = memcmp(code, orig, SITE_LEN) == 0;
		if (regs->rip == site + 5 && is_jump) {
			log_debug("SIGILL at patched site %#lx + 5: syscall %lu", (unsigned long)site,
				  (unsigned long)regs->rax);
			regs->orig_rax = regs->rax;
			regs->rip = site + SITE_LEN;
			regs->rcx = regs->rip;
			regs->r11 = regs->eflags;
			return PATCH_SIGILL_SYSCALL;
		}
		if ((regs->rip == site && (is_jump || is_orig)) || (regs->rip == site + 5 && is_orig)) {
			log_debug("SIGILL at %#lx while site %#lx changed: again", (unsigned long)regs->rip,
				  (unsigned long)site);
			return PATCH_SIGILL_RETRY;
		}
	}
	return PATCH_SIGILL_NOT_OURS;
}

void syscall_patch_range_changing(struct mm *mm, uint64_t start, uint64_t end)
{
	struct syscall_patches *p = mm->patches;
	uint8_t orig[SITE_LEN], jump[SITE_LEN];

	if (!p || p->disabled || end <= PATCH_TABLE_ADDR || start >= PATCH_TABLE_ADDR + PATCH_TABLE_SIZE)
		return;
	/* The guest takes the table's range: put every site back first, then stop patching. */
	p->disabled = true;
	for (uint32_t idx = 1; idx < p->nr_entries; idx++) {
		if (!p->site[idx])
			continue;
		encode_jump(jump, idx);
		encode_original(orig, p->nr[idx]);
		rewrite_site(mm, p->site[idx], jump, orig);
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
