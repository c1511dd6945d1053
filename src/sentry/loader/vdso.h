/* SPDX-License-Identifier: MIT */
/*
 * The vDSO: a one-page image and the [vvar] clock page below it, mapped
 * into every new process. Guest clocks come from one formula over the TSC,
 * in the vDSO and in the Sentry's clock syscalls alike, so they never
 * disagree; a timer slews the rate once a second towards the host clock.
 */
#pragma once
#include <stdint.h>

struct mm;

int vdso_init(void);
/* Map [vvar] and [vdso] into @mm; returns the vDSO's address (AT_SYSINFO_EHDR) or 0. */
uint64_t vdso_map(struct mm *mm);
/* The guest's CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME in ns. */
uint64_t guest_clock_ns(int clock);
