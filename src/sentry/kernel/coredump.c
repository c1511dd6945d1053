// SPDX-License-Identifier: MIT
/*
 * Core dumps: when a signal whose default action is "core" kills a process
 * and RLIMIT_CORE allows it, an ELF core file named "core" is written in the
 * process's working directory (inside the sandbox's own filesystem), with
 * the registers (NT_PRSTATUS) and the readable memory, cut at the limit;
 * the wait status then carries WCOREDUMP, as on Linux with core_pattern "core".
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include "lib/log.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/coredump.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

/* struct elf_prstatus of x86-64 Linux */
struct linux_prstatus {
	int32_t si_signo, si_code, si_errno;
	int16_t cursig;
	uint16_t pad0;
	uint64_t sigpend, sighold;
	int32_t pid, ppid, pgrp, sid;
	struct linux_timeval utime, stime, cutime, cstime;
	struct arch_regs regs;
	int32_t fpvalid;
	int32_t pad1;
};
_Static_assert(sizeof(struct linux_prstatus) == 336, "x86-64 elf_prstatus");

struct core_writer {
	struct file *f;
	uint64_t pos, limit;
	bool full;
};

static void put(struct core_writer *w, const void *data, size_t size)
{
	struct iov_iter it;
	uint64_t pos = w->pos;

	if (w->full || w->pos + size > w->limit) {
		w->full = true;
		return;
	}
	iov_iter_kernel(&it, (void *)data, size);
	if (vfs_write(w->f, &it, &pos) != (ssize_t)size)
		w->full = true;
	w->pos += size;
}

static bool dumpable(const struct vma *v)
{
	return (v->prot & PROT_READ) && v->end - v->start <= (1ULL << 32);
}

bool do_coredump(struct task *t, int sig)
{
	uint64_t limit = t->tg->rlimits[RLIMIT_CORE].rlim_cur;
	struct core_writer w = { .limit = limit };
	struct mm *mm = t->mm;
	struct linux_prstatus pr = { 0 };
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	Elf64_Nhdr nh = { 0 };
	uint64_t nloads = 0, data_off;
	uint8_t *page;

	if (!limit || !mm || !t->fs)
		return false;
	if (vfs_open(t, AT_FDCWD, "core", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600, &w.f)) {
		log_info("core dump of %d: cannot create ./core", t->tg->tgid);
		return false;
	}
	for (size_t k = 0; k < mm->nr_vmas; k++)
		nloads += dumpable(&mm->vmas[k]);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = (Elf64_Half)(1 + nloads);
	put(&w, &eh, sizeof(eh));

	/* the note: one NT_PRSTATUS with the registers of the dying thread */
	pr.si_signo = sig;
	pr.cursig = (int16_t)sig;
	pr.sigpend = t->pending | t->tg->pending;
	pr.sighold = t->sigmask;
	pr.pid = t->tid;
	pr.ppid = t->tg->parent ? t->tg->parent->tgid : 0;
	pr.pgrp = t->tg->pgid;
	pr.sid = t->tg->sid;
	pr.regs = t->regs;
	nh.n_namesz = 5;	/* "CORE\0" */
	nh.n_descsz = sizeof(pr);
	nh.n_type = NT_PRSTATUS;
	data_off = PAGE_ALIGN_UP(sizeof(eh) + (1 + nloads) * sizeof(ph) + sizeof(nh) + 8 + sizeof(pr));
	ph.p_type = PT_NOTE;
	ph.p_offset = sizeof(eh) + (1 + nloads) * sizeof(ph);
	ph.p_filesz = sizeof(nh) + 8 + sizeof(pr);
	put(&w, &ph, sizeof(ph));
	for (size_t k = 0, off = data_off; k < mm->nr_vmas; k++) {
		const struct vma *v = &mm->vmas[k];

		if (!dumpable(v))
			continue;
		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_LOAD;
		ph.p_flags = ((v->prot & PROT_READ) ? PF_R : 0) | ((v->prot & PROT_WRITE) ? PF_W : 0) |
			     ((v->prot & PROT_EXEC) ? PF_X : 0);
		ph.p_offset = off;
		ph.p_vaddr = v->start;
		ph.p_filesz = ph.p_memsz = v->end - v->start;
		ph.p_align = PAGE_SIZE;
		put(&w, &ph, sizeof(ph));
		off += v->end - v->start;
	}
	put(&w, &nh, sizeof(nh));
	put(&w, "CORE\0\0\0\0", 8);
	put(&w, &pr, sizeof(pr));
	page = xzalloc(PAGE_SIZE);
	while (w.pos < data_off && !w.full)
		put(&w, page, MIN(PAGE_SIZE, data_off - w.pos));
	for (size_t k = 0; k < mm->nr_vmas && !w.full; k++) {
		const struct vma *v = &mm->vmas[k];

		if (!dumpable(v))
			continue;
		for (uint64_t a = v->start; a < v->end && !w.full; a += PAGE_SIZE) {
			/* pages that cannot be read are dumped as zeros */
			if (mm_copy_in(mm, page, a, PAGE_SIZE))
				memset(page, 0, PAGE_SIZE);
			put(&w, page, PAGE_SIZE);
		}
	}
	free(page);
	file_put(w.f);
	/* Linux reports a core even when RLIMIT_CORE truncated it */
	return true;
}
