/* SPDX-License-Identifier: MIT */
/*
 * The page of clock parameters the Sentry shares read-only with every guest
 * (the "[vvar]" mapping, just below the vDSO). Time since the base is
 * ((tsc - tsc_base) * mult) >> 32 ns. @seq is odd while the Sentry rewrites
 * the page; readers retry until they see the same even value twice.
 */
#pragma once
#include <stdint.h>

struct vdso_params {
	uint64_t seq;
	uint64_t valid;		/* 0: the vDSO must make the syscall */
	uint64_t tsc_base;
	uint64_t mult;		/* ns per TSC tick, as a 32.32 fixed-point number */
	uint64_t mono_base;	/* CLOCK_MONOTONIC at tsc_base, ns */
	uint64_t real_base;	/* CLOCK_REALTIME at tsc_base, ns */
	uint64_t boot_offset;	/* CLOCK_BOOTTIME - CLOCK_MONOTONIC, ns */
};

static inline uint64_t vdso_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Nanoseconds since the base; shared by the vDSO and the Sentry so both agree. */
static inline uint64_t vdso_elapsed(const volatile struct vdso_params *p, uint64_t tsc)
{
	uint64_t d = tsc > p->tsc_base ? tsc - p->tsc_base : 0;

	return (uint64_t)(((unsigned __int128)d * p->mult) >> 32);
}
