// SPDX-License-Identifier: MIT
/* Generators for /proc files: meminfo, cpuinfo, mounts, uptime, and per-process cmdline, stat, maps... */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include "lib/log.h"
#include "sentry/fs/proc/proc_internal.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

void pb_append(struct proc_buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = MAX(b->cap * 2, b->len + len + 256);
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void pb_printf(struct proc_buf *b, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		pb_append(b, s, n);
		free(s);
	}
}

static void gen_meminfo(struct task *t, struct proc_buf *b)
{
	struct sysinfo si;
	uint64_t total_kb, used_kb;

	(void)t;
	sysinfo(&si);
	total_kb = (uint64_t)si.totalram * si.mem_unit / 1024;
	used_kb = g_memfile.used * 4;
	pb_printf(b, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n",
		  (unsigned long)total_kb, (unsigned long)(total_kb - MIN(used_kb, total_kb)),
		  (unsigned long)(total_kb - MIN(used_kb, total_kb)));
	pb_printf(b, "Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
		     "SwapTotal:             0 kB\nSwapFree:              0 kB\nShmem:                 0 kB\n");
}

static void gen_cpuinfo(struct task *t, struct proc_buf *b)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	(void)t;
	for (long k = 0; k < n; k++)
		pb_printf(b,
			  "processor\t: %ld\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel name\t: cvisor virtual CPU\n"
			  "cpu MHz\t\t: 2000.000\ncache size\t: 8192 KB\nphysical id\t: 0\nsiblings\t: %ld\ncore id\t\t: %ld\n"
			  "cpu cores\t: %ld\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2\nbogomips\t: 4000.00\n\n",
			  k, n, k, n);
}

struct mounts_arg {
	struct task *t;
	struct proc_buf *b;
};

static void emit_mount(struct mount *m, void *arg)
{
	struct mounts_arg *ma = arg;
	struct path p = { m, m->root };
	char path[PATH_MAX_LEN];

	if (!ma->t->fs || path_to_string(&p, &ma->t->fs->root, path, sizeof(path)) < 0)
		return;
	pb_printf(ma->b, "%s %s %s %s 0 0\n", m->source, path, m->sb->fstype,
		  (m->flags & 1 /* MS_RDONLY */) ? "ro" : "rw");
}

static void gen_mounts(struct task *t, struct proc_buf *b)
{
	struct mounts_arg ma = { t, b };

	mount_for_each(emit_mount, &ma);
}

static void gen_uptime(struct task *t, struct proc_buf *b)
{
	uint64_t ns = monotonic_ns() - g_kernel.boot_ns;

	(void)t;
	pb_printf(b, "%lu.%02lu 0.00\n", (unsigned long)(ns / 1000000000), (unsigned long)(ns / 10000000 % 100));
}

static void gen_version(struct task *t, struct proc_buf *b)
{
	(void)t;
	pb_printf(b, "Linux version 4.4.0 (cvisor) #1 SMP Sun Jan 10 15:06:54 PST 2016\n");
}

static void gen_loadavg(struct task *t, struct proc_buf *b)
{
	(void)t;
	pb_printf(b, "0.00 0.00 0.00 1/%d %d\n", g_kernel.nr_tasks, g_kernel.last_pid);
}

static void gen_filesystems(struct task *t, struct proc_buf *b)
{
	(void)t;
	pb_printf(b, "nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n");
}

static void gen_stat(struct task *t, struct proc_buf *b)
{
	(void)t;
	pb_printf(b, "cpu  0 0 0 0 0 0 0 0 0 0\nbtime %lu\nprocesses %d\nprocs_running 1\nprocs_blocked 0\n",
		  (unsigned long)((realtime_ns() - (monotonic_ns() - g_kernel.boot_ns)) / 1000000000),
		  g_kernel.last_pid);
}

const struct proc_file proc_root_files[] = {
	{ "meminfo", gen_meminfo }, { "cpuinfo", gen_cpuinfo }, { "mounts", gen_mounts },
	{ "uptime", gen_uptime },   { "version", gen_version }, { "loadavg", gen_loadavg },
	{ "filesystems", gen_filesystems }, { "stat", gen_stat }, { NULL, NULL },
};

/* Copy a range of the task's memory (argv or environ). */
static void gen_user_range(struct task *t, struct proc_buf *b, uint64_t start, uint64_t end)
{
	if (!t->mm || end <= start || end - start > (1 << 20))
		return;
	char *buf = xmalloc(end - start);

	if (mm_copy_in(t->mm, buf, start, end - start) == 0)
		pb_append(b, buf, end - start);
	free(buf);
}

static void gen_cmdline(struct task *t, struct proc_buf *b)
{
	if (t->mm)
		gen_user_range(t, b, t->mm->arg_start, t->mm->arg_end);
}

static void gen_environ(struct task *t, struct proc_buf *b)
{
	if (t->mm)
		gen_user_range(t, b, t->mm->env_start, t->mm->env_end);
}

static void gen_comm(struct task *t, struct proc_buf *b)
{
	pb_printf(b, "%s\n", t->comm);
}

static char state_char(struct task *t)
{
	if (t->tg->zombie)
		return 'Z';	/* exited, not yet reaped: trinity tells a dead child by this */
	if (t->exiting && !t->fds)
		return 'Z';	/* a leader gone before its threads: Linux shows it so too */
	if (t->tg->stopped)
		return 'T';
	return t->state == TASK_SLEEPING || t->state == TASK_HOST_BLOCKED ? 'S' : 'R';
}

static void gen_pid_stat(struct task *t, struct proc_buf *b)
{
	struct thread_group *tg = t->tg;
	uint64_t start_ticks = (tg->start_ns - g_kernel.boot_ns) / 10000000, user, sys;

	tg_cpu_times(t->tg, &user, &sys);

	pb_printf(b,
		  "%d (%s) %c %d %d %d 0 -1 4194304 0 0 0 0 %lu %lu 0 0 20 0 1 0 %lu %lu %lu 18446744073709551615 0 0 0 0 0 "
		  "0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		  tg->tgid, t->comm, state_char(t), tg->parent ? tg->parent->tgid : 0, tg->pgid, tg->sid,
		  (unsigned long)(user / 10000000), (unsigned long)(sys / 10000000), (unsigned long)start_ticks,
		  (unsigned long)(t->mm ? t->mm->nr_vmas * PAGE_SIZE : 0),
		  (unsigned long)(t->mm ? mm_rss_pages(t->mm) : 0));
}

static void gen_status(struct task *t, struct proc_buf *b)
{
	struct thread_group *tg = t->tg;

	pb_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%c\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		  t->comm, t->fs ? t->fs->umask : 022, state_char(t), tg->tgid, t->tid,
		  tg->parent ? tg->parent->tgid : 0);
	pb_printf(b, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t\n", t->cred.uid, t->cred.euid,
		  t->cred.suid, t->cred.fsuid, t->cred.gid, t->cred.egid, t->cred.sgid, t->cred.fsgid,
		  t->fds ? t->fds->size : 0);
	pb_printf(b, "Threads:\t%d\nSigQ:\t0/63704\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n",
		  tg->nr_live, (unsigned long)t->pending, (unsigned long)tg->pending, (unsigned long)t->sigmask);
	pb_printf(b, "CapEff:\t000001ffffffffff\nNoNewPrivs:\t%d\nSeccomp:\t0\n", t->no_new_privs);
}

static void gen_maps(struct task *t, struct proc_buf *b)
{
	char path[PATH_MAX_LEN];

	if (!t->mm)
		return;
	for (size_t k = 0; k < t->mm->nr_vmas; k++) {
		struct vma *v = &t->mm->vmas[k];
		const char *name = v->name ? v->name : "";
		uint64_t ino = 0;

		if (v->file && v->file->path.dentry && t->fs &&
		    path_to_string(&v->file->path, &t->fs->root, path, sizeof(path)) >= 0) {
			name = path;
			ino = v->file->inode->ino;
		}
		pb_printf(b, "%08lx-%08lx %c%c%c%c %08lx 00:00 %lu%*s%s\n", (unsigned long)v->start,
			  (unsigned long)v->end, (v->prot & PROT_READ) ? 'r' : '-', (v->prot & PROT_WRITE) ? 'w' : '-',
			  (v->prot & PROT_EXEC) ? 'x' : '-', (v->flags & VMA_SHARED) ? 's' : 'p',
			  (unsigned long)(v->pgoff << PAGE_SHIFT), (unsigned long)ino, *name ? 10 : 0, "", name);
	}
}

const struct proc_file proc_pid_files[] = {
	{ "cmdline", gen_cmdline }, { "comm", gen_comm },     { "stat", gen_pid_stat },
	{ "status", gen_status },   { "environ", gen_environ }, { "maps", gen_maps },
	{ "mounts", gen_mounts },   { NULL, NULL },
};
