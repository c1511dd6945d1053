// SPDX-License-Identifier: MIT
/* mmap, munmap, mprotect, mremap, brk, madvise, msync. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "sentry/fs/vfs.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)

/* mmap(2) */
long sys_mmap(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = arg_u64(a, 0), len = arg_u64(a, 1), off = arg_u64(a, 5);
	int prot = arg_int(a, 2), flags = arg_int(a, 3), fd = arg_int(a, 4);
	int type = flags & MAP_TYPE;
	bool fixed = flags & MAP_FIXED, noreplace = flags & MAP_FIXED_NOREPLACE;
	struct mobj *obj = NULL;
	struct file *f = NULL;
	int vflags = 0;
	long ret;

	if (!len || (off & (PAGE_SIZE - 1)) || (prot & ~(PROT_ALL | PROT_GROWSDOWN | PROT_GROWSUP)))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (PAGE_ALIGN_UP(len) < len || PAGE_ALIGN_UP(len) == 0)
		return -ENOMEM;
	if (type != MAP_PRIVATE)
		vflags |= VMA_SHARED;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fdget(t, fd);
		if (!f)
			return -EBADF;
		if (f->ops && f->ops->mmap_is_anonymous) {
			/* /dev/zero: the mapping is plain anonymous memory */
			file_put(f);
			f = NULL;
			flags |= MAP_ANONYMOUS;
		}
	}
	if (!(flags & MAP_ANONYMOUS)) {
		if (!f->ops || !f->ops->mmap) {
			ret = -ENODEV;
			goto out;
		}
		if ((f->flags & O_ACCMODE) == O_WRONLY || (f->flags & O_PATH)) {
			ret = -EACCES;
			goto out;
		}
		if ((vflags & VMA_SHARED) && (prot & PROT_WRITE) && (f->flags & O_ACCMODE) != O_RDWR) {
			ret = -EACCES;
			goto out;
		}
		if ((vflags & VMA_SHARED) && (f->flags & O_ACCMODE) != O_RDWR)
			vflags |= VMA_NOWRITE;
		if ((vflags & VMA_SHARED) && !(vflags & VMA_NOWRITE) && f->ops->mmap_shared_readonly) {
			ret = -EINVAL;
			goto out;
		}
		if (off + PAGE_ALIGN_UP(len) < off) {
			ret = -EOVERFLOW;
			goto out;
		}
		ret = f->ops->mmap(f, &obj);
		if (ret)
			goto out;
	} else if (vflags & VMA_SHARED) {
		obj = &shmem_new_anon(PAGE_ALIGN_UP(len))->obj;
		off = 0;
	}
	ret = mm_map(t->mm, addr, len, prot & PROT_ALL, vflags, fixed, noreplace, obj, off >> PAGE_SHIFT, f, NULL);
	if (obj)
		mobj_put(obj);
out:
	if (f)
		file_put(f);
	return ret;
}

/* munmap(2) */
long sys_munmap(struct task *t, const struct syscall_args *a)
{
	return mm_unmap(t->mm, arg_u64(a, 0), arg_u64(a, 1));
}

/* mprotect(2) */
long sys_mprotect(struct task *t, const struct syscall_args *a)
{
	return mm_protect(t->mm, arg_u64(a, 0), arg_u64(a, 1), arg_int(a, 2) & ~(PROT_GROWSDOWN | PROT_GROWSUP));
}

/* mremap(2) */
long sys_mremap(struct task *t, const struct syscall_args *a)
{
	return mm_remap(t->mm, arg_u64(a, 0), arg_u64(a, 1), arg_u64(a, 2), arg_int(a, 3), arg_u64(a, 4));
}

/* brk(2): returns the new break, or the old one on failure. */
long sys_brk(struct task *t, const struct syscall_args *a)
{
	return (long)mm_set_brk(t->mm, arg_u64(a, 0));
}

/* madvise(2) */
long sys_madvise(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = arg_u64(a, 0), len = arg_u64(a, 1);

	if (!IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	if (len && !mm_range_mapped(t->mm, addr, len))
		return -ENOMEM;
	switch (arg_int(a, 2)) {
	case MADV_DONTNEED:
		return mm_dontneed(t->mm, addr, len);
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_FREE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * msync(2): memory is the backing store, so only the checks remain, in
 * Linux's order. The length is rounded up first (SIZE_MAX becomes 0).
 */
long sys_msync(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = arg_u64(a, 0), len = PAGE_ALIGN_UP(arg_u64(a, 1));
	int flags = arg_int(a, 2);

	if (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE))
		return -EINVAL;
	if (!IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (addr + len < addr)
		return -ENOMEM;
	if (len == 0)
		return 0;
	return mm_range_mapped(t->mm, addr, len) ? 0 : -ENOMEM;
}
