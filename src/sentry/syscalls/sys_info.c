// SPDX-License-Identifier: MIT
/* uname, sethostname, setdomainname, sysinfo, getrandom, rlimits, scheduling queries. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>
#include "abi/linux/misc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

/* uname(2): a fixed, Linux-compatible identity; the host's is not revealed. */
long sys_uname(struct task *t, const struct syscall_args *a)
{
	struct linux_utsname u;

	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	memcpy(u.nodename, g_kernel.hostname, sizeof(u.nodename));
	strcpy(u.release, "4.4.0");
	strcpy(u.version, "#1 SMP Sun Jan 10 15:06:54 PST 2016");
	strcpy(u.machine, "x86_64");
	memcpy(u.domainname, g_kernel.domainname, sizeof(u.domainname));
	return copy_out_obj(t, arg_uptr(a, 0), &u) ? -EFAULT : 0;
}

static long set_name(struct task *t, char *dst, uptr_t uname, long len)
{
	char buf[65];

	if (t->cred.euid != 0)
		return -EPERM;
	if (len < 0 || len > 64)
		return -EINVAL;
	if (copy_in(t, buf, uname, len))
		return -EFAULT;
	buf[len] = '\0';
	memcpy(dst, buf, len + 1);
	return 0;
}

/* sethostname(2) */
long sys_sethostname(struct task *t, const struct syscall_args *a)
{
	return set_name(t, g_kernel.hostname, arg_uptr(a, 0), arg_long(a, 1));
}

/* setdomainname(2) */
long sys_setdomainname(struct task *t, const struct syscall_args *a)
{
	return set_name(t, g_kernel.domainname, arg_uptr(a, 0), arg_long(a, 1));
}

/* sysinfo(2) */
long sys_sysinfo(struct task *t, const struct syscall_args *a)
{
	struct linux_sysinfo si;
	struct sysinfo host;

	memset(&si, 0, sizeof(si));
	sysinfo(&host);
	{
		struct timespec bt;

		clock_gettime(CLOCK_BOOTTIME, &bt);
		si.uptime = bt.tv_sec + (bt.tv_nsec ? 1 : 0);
	}
	si.totalram = (uint64_t)host.totalram * host.mem_unit;
	si.freeram = si.totalram - MIN(si.totalram, g_memfile.used * PAGE_SIZE);
	si.procs = (uint16_t)g_kernel.nr_tasks;
	si.mem_unit = 1;
	return copy_out_obj(t, arg_uptr(a, 0), &si) ? -EFAULT : 0;
}

/* getrandom(2) */
long sys_getrandom(struct task *t, const struct syscall_args *a)
{
	char buf[4096];
	uint64_t len = arg_u64(a, 1);
	unsigned flags = arg_uint(a, 2);
	uptr_t dst = arg_uptr(a, 0);
	long done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	len = MIN(len, (uint64_t)0x1ffffff);
	while ((uint64_t)done < len) {
		size_t n = MIN(len - done, sizeof(buf));

		if (getrandom(buf, n, 0) != (ssize_t)n)
			return done ? done : -EIO;
		if (copy_out(t, uptr_add(dst, done), buf, n))
			return done ? done : -EFAULT;
		done += n;
	}
	return done;
}

static long do_prlimit(struct task *t, pid_t pid, unsigned res, uptr_t unew, uptr_t uold)
{
	struct thread_group *tg = pid ? tg_lookup(pid) : t->tg;
	struct linux_rlimit nl;

	if (res >= GUEST_RLIM_NLIMITS)
		return -EINVAL;
	if (!tg)
		return -ESRCH;
	if (unew.a) {
		if (copy_in_obj(t, &nl, unew))
			return -EFAULT;
		if (nl.rlim_cur > nl.rlim_max)
			return -EINVAL;
		if (nl.rlim_max > tg->rlimits[res].rlim_max && t->cred.euid != 0)
			return -EPERM;
		if (res == RLIMIT_NOFILE && nl.rlim_max > 1048576)
			return -EPERM;
	}
	if (uold.a && copy_out_obj(t, uold, &tg->rlimits[res]))
		return -EFAULT;
	if (unew.a) {
		tg->rlimits[res] = nl;
		if (res == RLIMIT_CPU)
			rlimit_cpu_changed(tg);
	}
	return 0;
}

/* prlimit64(2) */
long sys_prlimit64(struct task *t, const struct syscall_args *a)
{
	return do_prlimit(t, arg_int(a, 0), arg_uint(a, 1), arg_uptr(a, 2), arg_uptr(a, 3));
}

/* getrlimit(2) */
long sys_getrlimit(struct task *t, const struct syscall_args *a)
{
	return do_prlimit(t, 0, arg_uint(a, 0), uptr(0), arg_uptr(a, 1));
}

/* setrlimit(2) */
long sys_setrlimit(struct task *t, const struct syscall_args *a)
{
	return do_prlimit(t, 0, arg_uint(a, 0), arg_uptr(a, 1), uptr(0));
}

/* sched_yield(2) */
long sys_sched_yield(struct task *t, const struct syscall_args *a)
{
	(void)t;
	(void)a;
	return 0;
}

/* sched_getaffinity(2): every CPU of the host that the sandbox may use. */
long sys_sched_getaffinity(struct task *t, const struct syscall_args *a)
{
	uint64_t len = arg_u64(a, 1);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint8_t mask[128] = { 0 };
	size_t need = sizeof(unsigned long);

	if (len < need || (len & (sizeof(unsigned long) - 1)))
		return -EINVAL;
	if (arg_int(a, 0) && !task_lookup(arg_int(a, 0)))
		return -ESRCH;
	for (long c = 0; c < ncpu && c < 1024; c++)
		mask[c / 8] |= 1 << (c % 8);
	len = MIN(len, sizeof(mask));
	return copy_out(t, arg_uptr(a, 2), mask, len) ? -EFAULT : (long)need;
}

/* sched_setaffinity(2): accepted; placement is the Sentry's business. */
long sys_sched_setaffinity(struct task *t, const struct syscall_args *a)
{
	uint64_t m = 0;

	if (arg_int(a, 0) && !task_lookup(arg_int(a, 0)))
		return -ESRCH;
	if (copy_in(t, &m, arg_uptr(a, 2), MIN(arg_u64(a, 1), (uint64_t)8)))
		return -EFAULT;
	return m ? 0 : -EINVAL;
}

/* getcpu(2) */
long sys_getcpu(struct task *t, const struct syscall_args *a)
{
	unsigned zero = 0;

	if (arg_u64(a, 0) && copy_out_obj(t, arg_uptr(a, 0), &zero))
		return -EFAULT;
	if (arg_u64(a, 1) && copy_out_obj(t, arg_uptr(a, 1), &zero))
		return -EFAULT;
	return 0;
}
