// SPDX-License-Identifier: MIT
/*
 * `cvisor syscalls`: print the Sentry's syscall table as it is linked:
 * number, name, declared support and whether a handler exists. Tests use it
 * to check that syscall_64.tbl tells the truth.
 */
#include <stdio.h>
#include "runtime/runtime.h"
#include "sentry/syscalls/syscalls.h"

static const char *const support_names[] = { "full", "partial", "enosys", "eperm" };

int cmd_syscalls(int argc, char **argv, const struct global_opts *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];

		if (!d->name)
			continue;
		printf("%d\t%s\t%s\t%s\n", nr, d->name, support_names[d->support], d->fn ? "handler" : "-");
	}
	return 0;
}
