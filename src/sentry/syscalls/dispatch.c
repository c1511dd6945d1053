// SPDX-License-Identifier: MIT
/* The syscall dispatcher: table lookup, unimplemented reporting, restarts. */
#define _GNU_SOURCE
#include <errno.h>
#include "lib/log.h"
#include "sentry/syscalls/syscalls.h"

static uint8_t g_reported[SYSCALL_TABLE_SIZE / 8 + 1];

static long syscall_unimplemented(uint64_t nr, const struct syscall_desc *d)
{
	if (nr < SYSCALL_TABLE_SIZE) {
		if (!(g_reported[nr / 8] & (1 << (nr % 8)))) {
			g_reported[nr / 8] |= 1 << (nr % 8);
			log_info("unsupported syscall %s (%lu)", d && d->name ? d->name : "?", (unsigned long)nr);
		}
		if (d && d->support == SUPPORT_EPERM)
			return -EPERM;
	} else {
		log_warn("unknown syscall number %lu", (unsigned long)nr);
	}
	return -ENOSYS;
}

void syscall_dispatch(struct task *t)
{
	uint64_t nr = t->regs.orig_rax;
	const struct syscall_desc *d = nr < SYSCALL_TABLE_SIZE ? &syscall_table[nr] : NULL;
	struct syscall_args args = { { t->regs.rdi, t->regs.rsi, t->regs.rdx, t->regs.r10, t->regs.r8,
				       t->regs.r9 } };
	long ret;

	ret = d && d->fn ? d->fn(t, &args) : syscall_unimplemented(nr, d);
	if (errno_is_restart(ret)) {
		/* No guest handler runs yet, so an interrupted call is simply restarted. */
		if (ret == -ERESTART_RESTARTBLOCK)
			ret = -EINTR;
		else {
			t->regs.rip -= 2;
			t->regs.rax = t->regs.orig_rax;
			return;
		}
	}
	t->regs.rax = (uint64_t)ret;
}
