// SPDX-License-Identifier: MIT
/*
 * cvisor's vDSO: clock_gettime, gettimeofday and time computed in the guest
 * from the TSC and the Sentry's [vvar] page, with no trap into the Sentry.
 * Other clocks fall back to the real syscall; getcpu answers CPU 0, node 0. Freestanding:
 * no libc, position independent, linked by vdso.lds.
 */
#include <stdint.h>
#include "vdso_params.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define SYS_gettimeofday 96
#define SYS_time 201
#define SYS_clock_gettime 228
#define SYS_clock_getres 229

struct kernel_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct kernel_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* The page just below this image (see vdso.lds). */
extern const volatile struct vdso_params vvar __attribute__((visibility("hidden")));

static long syscall2(long nr, long a, long b)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

/* ns on @clock, or 0 when the page cannot serve it. */
static uint64_t read_clock(int clock)
{
	uint64_t seq, base, elapsed;

	do {
		seq = vvar.seq;
		__asm__ volatile("" ::: "memory");
		if ((seq & 1) || !vvar.valid)
			return 0;
		switch (clock) {
		case CLOCK_REALTIME:
		case CLOCK_REALTIME_COARSE:
			base = vvar.real_base;
			break;
		case CLOCK_BOOTTIME:
			base = vvar.mono_base + vvar.boot_offset;
			break;
		default:
			base = vvar.mono_base;
		}
		elapsed = vdso_elapsed(&vvar, vdso_rdtsc());
		__asm__ volatile("" ::: "memory");
	} while (vvar.seq != seq);
	return base + elapsed;
}

int __vdso_clock_gettime(int clock, struct kernel_timespec *ts)
{
	uint64_t ns;

	if (clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC || clock == CLOCK_BOOTTIME ||
	    clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE || clock == CLOCK_MONOTONIC_RAW) {
		ns = read_clock(clock);
		if (ns) {
			ts->tv_sec = (int64_t)(ns / 1000000000ULL);
			ts->tv_nsec = (int64_t)(ns % 1000000000ULL);
			return 0;
		}
	}
	return (int)syscall2(SYS_clock_gettime, clock, (long)ts);
}

int __vdso_gettimeofday(struct kernel_timeval *tv, void *tz)
{
	uint64_t ns = read_clock(CLOCK_REALTIME);

	if (!ns || tz)
		return (int)syscall2(SYS_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = (int64_t)(ns / 1000000000ULL);
		tv->tv_usec = (int64_t)(ns % 1000000000ULL / 1000);
	}
	return 0;
}

int64_t __vdso_time(int64_t *t)
{
	uint64_t ns = read_clock(CLOCK_REALTIME);
	int64_t secs;

	if (!ns)
		return syscall2(SYS_time, (long)t, 0);
	secs = (int64_t)(ns / 1000000000ULL);
	if (t)
		*t = secs;
	return secs;
}

int __vdso_clock_getres(int clock, struct kernel_timespec *res)
{
	return (int)syscall2(SYS_clock_getres, clock, (long)res);
}

/* The sandbox presents one NUMA node and reports CPU 0, like its getcpu(2). */
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	(void)cache;
	if (cpu)
		*cpu = 0;
	if (node)
		*node = 0;
	return 0;
}

int clock_gettime(int, struct kernel_timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct kernel_timeval *, void *) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct kernel_timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
