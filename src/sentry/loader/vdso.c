// SPDX-License-Identifier: MIT
/* vDSO set-up, the shared clock page, and its once-a-second rate correction. */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "lib/log.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/timer.h"
#include "sentry/loader/vdso.h"
#include "sentry/loader/vdso/vdso_params.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/mobj.h"

extern const uint8_t vdso_image[];
extern const size_t vdso_image_size;

#define REBASE_INTERVAL_NS 1000000000ULL
#define CALIBRATE_NS 2000000ULL

static struct shmem *g_vvar, *g_vdso;
static volatile struct vdso_params *g_params;
static struct ktimer g_rebase;
static uint64_t g_last_tsc, g_last_host;	/* for measuring the true rate */

static uint64_t host_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool invariant_tsc(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(0x80000007, &a, &b, &c, &d) && (d & (1u << 8));
}

static void publish(uint64_t tsc, uint64_t mono, uint64_t mult)
{
	volatile struct vdso_params *p = g_params;

	p->seq++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	p->tsc_base = tsc;
	p->mono_base = mono;
	p->real_base = mono + (host_ns(CLOCK_REALTIME) - host_ns(CLOCK_MONOTONIC));
	p->boot_offset = host_ns(CLOCK_BOOTTIME) - host_ns(CLOCK_MONOTONIC);
	p->mult = mult;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	p->seq++;
}

/*
 * Once a second: keep guest time continuous (the new base is what guests
 * would read now) and set the rate so that the gap to the host clock is
 * gone by the next correction. Guest time never steps, so it never goes back.
 */
static void rebase(struct ktimer *kt)
{
	uint64_t tsc = vdso_rdtsc(), host = host_ns(CLOCK_MONOTONIC);
	uint64_t guest = g_params->mono_base + vdso_elapsed(g_params, tsc);
	double ns_per_tick = (double)(host - g_last_host) / (double)(tsc - g_last_tsc);
	double target = ns_per_tick * (1.0 + ((double)host - (double)guest) / (double)REBASE_INTERVAL_NS);

	(void)kt;
	if (target < ns_per_tick * 0.5)
		target = ns_per_tick * 0.5;	/* far ahead: slow down, never stop */
	publish(tsc, guest, (uint64_t)(target * 4294967296.0));
	g_last_tsc = tsc;
	g_last_host = host;
}

int vdso_init(void)
{
	frame_t f;
	uint64_t t0, c0, t1, c1;
	int err;

	g_vvar = shmem_new_anon(PAGE_SIZE);
	err = shmem_frame(g_vvar, 0, true, &f);
	if (err)
		return err;
	g_params = frame_ptr(f);
	g_vdso = shmem_new_anon(PAGE_ALIGN_UP(vdso_image_size));
	err = shmem_write(g_vdso, vdso_image, 0, vdso_image_size);
	if (err)
		return err;
	if (!invariant_tsc()) {
		log_info("vdso: no invariant TSC; guest clocks go through the Sentry");
		return 0;
	}
	t0 = host_ns(CLOCK_MONOTONIC);
	c0 = vdso_rdtsc();
	do
		t1 = host_ns(CLOCK_MONOTONIC);
	while (t1 - t0 < CALIBRATE_NS);
	c1 = vdso_rdtsc();
	publish(c1, t1, ((t1 - t0) << 32) / (c1 - c0));
	g_last_tsc = c1;
	g_last_host = t1;
	g_params->valid = 1;
	g_rebase.fire = rebase;
	ktimer_arm(&g_rebase, monotonic_ns() + REBASE_INTERVAL_NS, REBASE_INTERVAL_NS);
	return 0;
}

uint64_t vdso_map(struct mm *mm)
{
	uint64_t size = PAGE_SIZE + PAGE_ALIGN_UP(vdso_image_size);
	uint64_t addr = find_free_range(mm, size);
	int64_t r;

	if (!g_vdso || !addr)
		return 0;
	r = mm_map(mm, addr, PAGE_SIZE, PROT_READ, VMA_SHARED | VMA_NOWRITE, false, true, &g_vvar->obj, 0, NULL,
		   "[vvar]");
	if (r >= 0)
		r = mm_map(mm, addr + PAGE_SIZE, size - PAGE_SIZE, PROT_READ | PROT_EXEC, VMA_SHARED | VMA_NOWRITE, false,
			   true, &g_vdso->obj, 0, NULL, "[vdso]");
	return r < 0 ? 0 : addr + PAGE_SIZE;
}

uint64_t guest_clock_ns(int clock)
{
	volatile struct vdso_params *p = g_params;
	uint64_t base, ns;

	if (!p || !p->valid)
		return host_ns(clock);
	/* The Sentry writes the page only under the kernel lock, which we hold: no retry needed. */
	switch (clock) {
	case CLOCK_REALTIME:
		base = p->real_base;
		break;
	case CLOCK_BOOTTIME:
		base = p->mono_base + p->boot_offset;
		break;
	default:
		base = p->mono_base;
	}
	ns = base + vdso_elapsed(p, vdso_rdtsc());
	return ns;
}
