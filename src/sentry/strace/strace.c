// SPDX-License-Identifier: MIT
/* --strace: entry/exit lines, blocking calls, the syscall filter and process exit lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/log.h"
#include "abi/linux/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/strace/strace.h"
#include "sentry/syscalls/syscalls.h"

bool g_strace_enabled;
static int g_strace_fd = 2;
static uint8_t g_wanted[SYSCALL_TABLE_SIZE];

/* Per-task state of the call being traced. */
struct strace_call {
	long nr;
	struct strace_buf line;	/* the entry text, not printed until exit or block */
	int next_arg;		/* first argument still to print at exit */
	bool unfinished;
};

void sb_printf(struct strace_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->data ? b->data + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			b->len += n;
			return;
		}
		b->cap = MAX(b->cap * 2, b->len + n + 256);
		b->data = xrealloc(b->data, b->cap);
	}
}

int strace_configure(const char *filter, int fd)
{
	g_strace_fd = fd;
	memset(g_wanted, !filter, sizeof(g_wanted));
	if (filter) {
		char *copy = xstrdup(filter), *save = NULL;

		for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
			bool found = false;

			for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
				if (syscall_table[nr].name && strcmp(syscall_table[nr].name, name) == 0) {
					g_wanted[nr] = 1;
					found = true;
				}
			}
			if (!found) {
				fprintf(stderr, "cvisor: --strace-syscalls: unknown system call '%s'\n", name);
				free(copy);
				return -EINVAL;
			}
		}
		free(copy);
	}
	g_strace_enabled = true;
	return 0;
}

bool strace_wants(long nr)
{
	return nr >= 0 && nr < SYSCALL_TABLE_SIZE && g_wanted[nr];
}

static void emit(struct strace_buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(g_strace_fd, b->data + off, b->len - off);

		if (n <= 0)
			break;
		off += n;
	}
}

static const char *name_of(long nr)
{
	static char buf[32];

	if (nr >= 0 && nr < SYSCALL_TABLE_SIZE && syscall_table[nr].name)
		return syscall_table[nr].name;
	snprintf(buf, sizeof(buf), "syscall_%#lx", (unsigned long)nr);
	return buf;
}

static const char *spec_of(long nr)
{
	return nr >= 0 && nr < SYSCALL_TABLE_SIZE ? syscall_table[nr].args : NULL;
}

void strace_enter(struct task *t, long nr, const struct syscall_args *a)
{
	struct strace_call *c = t->strace;

	if (!c) {
		c = xzalloc(sizeof(*c));
		t->strace = c;
	}
	c->nr = nr;
	c->line.len = 0;
	c->unfinished = false;
	sb_printf(&c->line, "[pid %5d] %s(", t->tid, name_of(nr));
	c->next_arg = strace_format_args(&c->line, t, spec_of(nr), a, 0, 0, false);
	t->strace_active = true;
}

void strace_block(struct task *t)
{
	struct strace_call *c = t->strace;

	if (!c || c->unfinished)
		return;
	c->unfinished = true;
	sb_printf(&c->line, " <unfinished ...>\n");
	emit(&c->line);
}

void strace_exit(struct task *t, long nr, const struct syscall_args *a, long ret)
{
	struct strace_call *c = t->strace;

	t->strace_active = false;
	if (c->unfinished) {
		c->line.len = 0;
		sb_printf(&c->line, "[pid %5d] <... %s resumed>", t->tid, name_of(nr));
	}
	strace_format_args(&c->line, t, spec_of(nr), a, ret, c->next_arg, true);
	sb_printf(&c->line, ") = ");
	strace_format_ret(&c->line, name_of(nr), ret);
	sb_printf(&c->line, "\n");
	emit(&c->line);
}

void strace_free(struct task *t)
{
	struct strace_call *c = t->strace;

	if (c) {
		free(c->line.data);
		free(c);
		t->strace = NULL;
	}
}

void strace_signal(struct task *t, int sig, const struct linux_siginfo *info)
{
	struct strace_buf b = { 0 };

	sb_printf(&b, "[pid %5d] --- SIG%s {si_signo=SIG%s, si_code=%d", t->tid, sigabbrev_np(sig) ?: "?",
		  sigabbrev_np(sig) ?: "?", info->si_code);
	if (info->si_code <= 0)
		sb_printf(&b, ", si_pid=%d, si_uid=%u", info->kill.pid, info->kill.uid);
	else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE)
		sb_printf(&b, ", si_addr=%#lx", (unsigned long)info->fault.addr);
	sb_printf(&b, "} ---\n");
	emit(&b);
	free(b.data);
}

void strace_process_exit(struct task *t, int status)
{
	struct strace_buf b = { 0 };

	if (status & 0x7f)
		sb_printf(&b, "[pid %5d] +++ killed by %s +++\n", t->tid, sigabbrev_np(status & 0x7f) ?: "?");
	else
		sb_printf(&b, "[pid %5d] +++ exited with %d +++\n", t->tid, (status >> 8) & 0xff);
	emit(&b);
	free(b.data);
}
