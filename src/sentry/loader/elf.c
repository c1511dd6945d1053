// SPDX-License-Identifier: MIT
/* ELF and #! loading into a new mm: PT_LOAD segments as private file mappings, bss, PT_INTERP. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/loader/loader_internal.h"
#include "sentry/loader/vdso.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

#define BINPRM_BUF_SIZE 256
/* exec_binprm() in Linux gives ELOOP past five nested "#!" interpreters */
#define MAX_SCRIPT_DEPTH 5
#define ET_DYN_BASE 0x555555554000ULL

static uint64_t random_pages(uint64_t max_pages)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = 0;
	return (r % max_pages) << PAGE_SHIFT;
}

/* Open @path for execution: a regular file with exec permission on an exec mount. */
static int open_exec(struct task *t, int dirfd, const char *path, struct file **out)
{
	struct path p;
	struct inode *i;
	int err = path_lookup(t, dirfd, path, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	i = p.dentry->inode;
	if (!S_ISREG(i->mode))
		err = -EACCES;
	else if (p.mnt->flags & MS_NOEXEC)
		err = -EACCES;
	else
		err = inode_permission(t, i, MAY_EXEC);
	if (!err) {
		*out = file_new(&p, i, O_RDONLY, i->fops);
		if (!i->fops || !i->fops->mmap || !i->fops->read) {
			file_put(*out);
			err = -EACCES;
		} else if (i->fops->open) {
			/* as vfs_open_path: a filesystem may need its open (a volume opens a fid) */
			err = i->fops->open(*out, t);
			if (err)
				file_put(*out);
		}
	}
	path_put(&p);
	return err;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t len)
{
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || (eh->e_type != ET_EXEC && eh->e_type != ET_DYN))
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > 128)
		return -ENOEXEC;
	return 0;
}

static int prot_of(uint32_t pflags)
{
	return ((pflags & PF_R) ? PROT_READ : 0) | ((pflags & PF_W) ? PROT_WRITE : 0) |
	       ((pflags & PF_X) ? PROT_EXEC : 0);
}

/* Map the PT_LOAD segments of @f at @bias into @mm. */
static int map_segments(struct mm *mm, struct file *f, const Elf64_Phdr *ph, int phnum, uint64_t bias,
			uint64_t *end_out)
{
	struct mobj *obj;
	uint64_t end = 0;
	int err = f->ops->mmap(f, &obj);

	if (err)
		return err;
	for (int k = 0; k < phnum; k++) {
		const Elf64_Phdr *p = &ph[k];
		uint64_t start, file_end, mem_end, page;
		int prot = prot_of(p->p_flags);
		int64_t r;

		if (p->p_type != PT_LOAD)
			continue;
		if ((p->p_vaddr - p->p_offset) & (PAGE_SIZE - 1) || p->p_filesz > p->p_memsz) {
			err = -ENOEXEC;
			break;
		}
		start = PAGE_ALIGN_DOWN(bias + p->p_vaddr);
		file_end = bias + p->p_vaddr + p->p_filesz;
		mem_end = bias + p->p_vaddr + p->p_memsz;
		if (mem_end > GUEST_TASK_SIZE || mem_end < start) {
			err = -ENOMEM;
			break;
		}
		if (p->p_filesz) {
			r = mm_map(mm, start, PAGE_ALIGN_UP(file_end) - start, prot, 0, true, false, obj,
				   PAGE_ALIGN_DOWN(p->p_offset) >> PAGE_SHIFT, f, NULL);
			if (r < 0) {
				err = (int)r;
				break;
			}
			/* The rest of the last file page belongs to bss: zero it in our private copy. */
			if (p->p_memsz > p->p_filesz && (file_end & (PAGE_SIZE - 1))) {
				static const char zeros[PAGE_SIZE];

				mm_copy_out(mm, file_end, zeros, PAGE_ALIGN_UP(file_end) - file_end, true);
			}
			page = PAGE_ALIGN_UP(file_end);
		} else {
			page = start;
		}
		if (PAGE_ALIGN_UP(mem_end) > page) {
			r = mm_map(mm, page, PAGE_ALIGN_UP(mem_end) - page, prot, 0, true, false, NULL, 0, NULL,
				   NULL);
			if (r < 0) {
				err = (int)r;
				break;
			}
		}
		end = MAX(end, mem_end);
	}
	mobj_put(obj);
	*end_out = end;
	return err;
}

/* Span of the PT_LOAD segments, for choosing where an ET_DYN image goes. */
static uint64_t image_span(const Elf64_Phdr *ph, int phnum, uint64_t *lo_out)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (int k = 0; k < phnum; k++) {
		if (ph[k].p_type != PT_LOAD)
			continue;
		lo = MIN(lo, PAGE_ALIGN_DOWN(ph[k].p_vaddr));
		hi = MAX(hi, PAGE_ALIGN_UP(ph[k].p_vaddr + ph[k].p_memsz));
	}
	*lo_out = lo;
	return hi > lo ? hi - lo : 0;
}

static int read_phdrs(struct file *f, const Elf64_Ehdr *eh, Elf64_Phdr **out)
{
	size_t size = (size_t)eh->e_phnum * sizeof(Elf64_Phdr);
	Elf64_Phdr *ph = xmalloc(size);

	if (kernel_read(f, ph, size, eh->e_phoff) != (ssize_t)size) {
		free(ph);
		return -ENOEXEC;
	}
	*out = ph;
	return 0;
}

static int load_interp(struct task *t, struct mm *mm, const char *path, struct elf_info *info)
{
	struct file *f;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	uint64_t lo, span, base, end;
	int err = open_exec(t, AT_FDCWD, path, &f);

	if (err)
		return err;
	if (kernel_read(f, &eh, sizeof(eh), 0) != sizeof(eh) || check_ehdr(&eh, sizeof(eh)) || eh.e_type != ET_DYN) {
		file_put(f);
		return -ELIBBAD;
	}
	err = read_phdrs(f, &eh, &ph);
	if (err) {
		file_put(f);
		return err;
	}
	span = image_span(ph, eh.e_phnum, &lo);
	base = find_free_range(mm, span);
	err = base ? map_segments(mm, f, ph, eh.e_phnum, base - lo, &end) : -ENOMEM;
	if (!err) {
		info->interp_base = base - lo;
		info->entry = base - lo + eh.e_entry;
	}
	free(ph);
	file_put(f);
	return err;
}

static int load_elf(struct task *t, struct file *f, const char *buf, size_t len, struct mm *mm, struct elf_info *info)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
	char *interp = NULL;
	Elf64_Phdr *ph;
	uint64_t bias = 0, end, lo;
	int err = check_ehdr(eh, len);

	if (err)
		return err;
	err = read_phdrs(f, eh, &ph);
	if (err)
		return err;
	for (int k = 0; k < eh->e_phnum && !err; k++) {
		if (ph[k].p_type != PT_INTERP)
			continue;
		if (ph[k].p_filesz < 2 || ph[k].p_filesz > PATH_MAX_LEN) {
			err = -ENOEXEC;
			break;
		}
		interp = xmalloc(ph[k].p_filesz + 1);
		if (kernel_read(f, interp, ph[k].p_filesz, ph[k].p_offset) != (ssize_t)ph[k].p_filesz)
			err = -ENOEXEC;
		interp[ph[k].p_filesz] = '\0';
	}
	if (!err && eh->e_type == ET_DYN) {
		image_span(ph, eh->e_phnum, &lo);
		bias = ET_DYN_BASE + random_pages(1 << 16) - lo;
	}
	if (!err)
		err = map_segments(mm, f, ph, eh->e_phnum, bias, &end);
	if (!err) {
		info->entry = bias + eh->e_entry;
		info->exe_entry = info->entry;
		info->phnum = eh->e_phnum;
		info->phdr = 0;
		for (int k = 0; k < eh->e_phnum; k++) {
			if (ph[k].p_type == PT_PHDR)
				info->phdr = bias + ph[k].p_vaddr;
			else if (!info->phdr && ph[k].p_type == PT_LOAD && ph[k].p_offset == 0)
				info->phdr = bias + ph[k].p_vaddr + eh->e_phoff;
		}
		mm->brk_start = mm->brk = PAGE_ALIGN_UP(end) + random_pages(1 << 13);
	}
	if (!err && interp)
		err = load_interp(t, mm, interp, info);
	free(interp);
	free(ph);
	return err;
}

/* Parse "#!interp [arg]" in @buf and rewrite @args; returns the interpreter path. */
static int parse_script(const char *buf, size_t len, const char *path, struct exec_args *args, char **interp_out)
{
	char line[BINPRM_BUF_SIZE + 1], *p, *interp, *arg = NULL, **argv;
	size_t n = MIN(len, (size_t)BINPRM_BUF_SIZE), extra;

	memcpy(line, buf, n);
	line[n] = '\0';
	p = strchr(line, '\n');
	if (p)
		*p = '\0';
	p = line + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			char *e = p + strlen(p);

			while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
			arg = p;
		}
	}
	extra = arg ? 2 : 1;
	argv = xmalloc((args->argc + extra + 1) * sizeof(char *));
	argv[0] = xstrdup(interp);
	if (arg)
		argv[1] = xstrdup(arg);
	argv[extra] = xstrdup(path);
	for (size_t k = 1; k < args->argc; k++)
		argv[extra + k] = args->argv[k];
	if (args->argc)
		free(args->argv[0]);
	free(args->argv);
	args->argc = args->argc ? args->argc + extra : extra + 1;
	argv[args->argc] = NULL;
	args->argv = argv;
	*interp_out = xstrdup(interp);
	return 0;
}

int loader_exec(struct task *t, int dirfd, const char *path, struct exec_args *args, struct mm **mm_out,
		struct arch_regs *regs)
{
	char *cur = xstrdup(path), buf[BINPRM_BUF_SIZE];
	struct elf_info info = { 0 };
	struct file *f = NULL;
	struct mm *mm;
	ssize_t len;
	int err;

	for (int depth = 0;; depth++) {
		err = open_exec(t, depth ? AT_FDCWD : dirfd, cur, &f);
		if (err)
			goto out;
		len = kernel_read(f, buf, sizeof(buf), 0);
		if (len >= 2 && buf[0] == '#' && buf[1] == '!') {
			char *interp;

			if (depth >= MAX_SCRIPT_DEPTH) {
				err = -ELOOP;
				goto out;
			}
			err = parse_script(buf, len, cur, args, &interp);
			if (err)
				goto out;
			free(cur);
			cur = interp;
			file_put(f);
			f = NULL;
			continue;
		}
		break;
	}
	if (len < 0) {
		err = (int)len;
		goto out;
	}
	mm = mm_new();
	place_stack(mm);
	err = load_elf(t, f, buf, len, mm, &info);
	if (!err) {
		info.vdso_base = vdso_map(mm);
		err = setup_stack(mm, args, &info);
	}
	if (err) {
		mm_put(mm);
		goto out;
	}
	mm->exe = f;
	f->inode->exec_count++;
	f = NULL;
	memset(regs, 0, sizeof(*regs));
	regs->rip = info.entry;
	regs->rsp = info.sp;
	*mm_out = mm;
out:
	if (f)
		file_put(f);
	free(cur);
	return err;
}

void exec_args_free(struct exec_args *args)
{
	for (size_t k = 0; k < args->argc; k++)
		free(args->argv[k]);
	for (size_t k = 0; k < args->envc; k++)
		free(args->envp[k]);
	free(args->argv);
	free(args->envp);
	free(args->filename);
	memset(args, 0, sizeof(*args));
}
