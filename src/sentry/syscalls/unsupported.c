// SPDX-License-Identifier: MIT
/* Bookkeeping of unsupported syscalls and features: log once, count, summarize. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/log.h"
#include "sentry/kernel/task.h"
#include "sentry/strace/strace.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/unsupported.h"

bool g_report_unsupported;

struct missing {
	char *what;		/* "rseq" or "clone: CLONE_THREAD" */
	unsigned long count;
	struct missing *next;
};

static struct missing *g_missing;

/* Count @what; true the first time it is seen. */
static bool note(const char *what)
{
	struct missing *m;

	for (m = g_missing; m; m = m->next)
		if (strcmp(m->what, what) == 0) {
			m->count++;
			return false;
		}
	m = xzalloc(sizeof(*m));
	m->what = xstrdup(what);
	m->count = 1;
	m->next = g_missing;
	g_missing = m;
	return true;
}

void unsupported_syscall(struct task *t, long nr, const struct syscall_args *a)
{
	const char *name = nr >= 0 && nr < SYSCALL_TABLE_SIZE ? syscall_table[nr].name : NULL;
	struct strace_buf b = { 0 };
	char fallback[32];

	if (!name) {
		snprintf(fallback, sizeof(fallback), "syscall_%ld", nr);
		name = fallback;
	}
	if (!note(name))
		return;
	strace_format_args(&b, t, nr >= 0 && nr < SYSCALL_TABLE_SIZE ? syscall_table[nr].args : NULL, a, 0, 0, true);
	log_info("unsupported syscall %s(%s) [nr %ld, pid %d, %s]", name, b.data ? b.data : "", nr, t->tid, t->comm);
	free(b.data);
}

void unsupported_feature(struct task *t, const char *syscall, const char *what)
{
	char key[128];

	snprintf(key, sizeof(key), "%s: %s", syscall, what);
	if (note(key))
		log_info("unsupported %s [pid %d, %s]", key, t->tid, t->comm);
}

void unsupported_cmd(struct task *t, const char *syscall, unsigned long cmd)
{
	char what[32];

	snprintf(what, sizeof(what), "command %#lx", cmd);
	unsupported_feature(t, syscall, what);
}

void unsupported_report(int fd)
{
	struct missing *m;
	FILE *out;

	if (!g_missing)
		return;
	out = fdopen(dup(fd), "w");
	if (!out)
		return;
	fprintf(out, "cvisor: the application used what the sandbox does not support:\n");
	/* alphabetical: a stable report whatever the order of first use */
	for (struct missing *last = NULL;;) {
		struct missing *next = NULL;

		for (m = g_missing; m; m = m->next)
			if ((!last || strcmp(m->what, last->what) > 0) && (!next || strcmp(m->what, next->what) < 0))
				next = m;
		if (!next)
			break;
		fprintf(out, "  %-40s %lu call%s\n", next->what, next->count, next->count == 1 ? "" : "s");
		last = next;
	}
	fclose(out);
}
