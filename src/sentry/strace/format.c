// SPDX-License-Identifier: MIT
/*
 * Argument and return-value formatting for --strace. The types come from
 * the args column of syscall_64.tbl:
 *   int uint long size hex ptr fd dirfd mode cmode   numbers (cmode: only with O_CREAT)
 *   path istr:N ibuf:N                            strings read from the guest
 *   obuf:r ostr:r                                 output strings (length = return value)
 *   oflags fdflags prot mmapflags atflags accmode whence waitopts cloneflags
 *   sig sighow clockid fcntl ioctl archprctl rlimit futexop   symbolic constants
 *   ostat itimespec otimespec isigset osigset isigaction osigaction
 *   owstatus opipe outsname pollfds:N iovec:N argv envp   structures
 * An "o" type is printed at syscall exit, everything else at entry.
 * Strings are cut at 32 bytes like strace's default -s.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include "abi/linux/misc.h"
#include "abi/linux/signal.h"
#include "abi/linux/stat.h"
#include "lib/util.h"
#include "sentry/kernel/errno_ext.h"
#include "sentry/mm/usercopy.h"
#include "sentry/strace/strace.h"
#include "sentry/syscalls/syscalls.h"

#define STRING_LIMIT 32

struct flag_name {
	unsigned long value;
	const char *name;
};

#define F(x) { x, #x }

static void print_flags(struct strace_buf *b, unsigned long v, const struct flag_name *names, size_t n,
			const char *zero)
{
	bool any = false;

	for (size_t k = 0; k < n; k++) {
		if (names[k].value && (v & names[k].value) == names[k].value) {
			sb_printf(b, "%s%s", any ? "|" : "", names[k].name);
			v &= ~names[k].value;
			any = true;
		}
	}
	if (v || !any) {
		if (any)
			sb_printf(b, "|%#lx", v);
		else if (zero && !v)
			sb_printf(b, "%s", zero);
		else
			sb_printf(b, "%#lx", v);
	}
}

static bool print_enum(struct strace_buf *b, long v, const struct flag_name *names, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if ((long)names[k].value == v) {
			sb_printf(b, "%s", names[k].name);
			return true;
		}
	sb_printf(b, "%ld", v);
	return false;
}

static const char *signame(int sig)
{
	static char buf[16];
	const char *abbrev = sig > 0 && sig < 32 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	else if (sig >= 34 && sig <= 64)
		snprintf(buf, sizeof(buf), "SIGRT_%d", sig - 32);
	else
		snprintf(buf, sizeof(buf), "%d", sig);
	return buf;
}

static void print_ptr(struct strace_buf *b, uint64_t p)
{
	if (p)
		sb_printf(b, "%#lx", (unsigned long)p);
	else
		sb_printf(b, "NULL");
}

/* A guest string or byte buffer, escaped and cut like strace's. */
static void print_string(struct strace_buf *b, struct task *t, uint64_t addr, long len, bool nul_terminated)
{
	char buf[STRING_LIMIT + 1];
	long n = nul_terminated ? STRING_LIMIT + 1 : MIN(len, (long)STRING_LIMIT);
	bool cut;

	if (!addr) {
		sb_printf(b, "NULL");
		return;
	}
	if (nul_terminated) {
		long r = copy_string_in(t, buf, uptr(addr), sizeof(buf));

		if (r == -EFAULT) {
			/* maybe shorter than the limit near the end of a mapping: go byte by byte */
			for (r = 0; r < (long)sizeof(buf) - 1; r++)
				if (copy_in(t, &buf[r], uptr(addr + r), 1) || !buf[r])
					break;
			if (r == 0 && copy_in(t, buf, uptr(addr), 1)) {
				print_ptr(b, addr);
				return;
			}
		}
		cut = r == -ENAMETOOLONG || r >= STRING_LIMIT;
		n = r < 0 || r > STRING_LIMIT ? STRING_LIMIT : r;
	} else {
		if (len < 0 || copy_in(t, buf, uptr(addr), n)) {
			print_ptr(b, addr);
			return;
		}
		cut = len > STRING_LIMIT;
	}
	sb_printf(b, "\"");
	for (long k = 0; k < n; k++) {
		unsigned char c = (unsigned char)buf[k];

		switch (c) {
		case '\n':
			sb_printf(b, "\\n");
			break;
		case '\t':
			sb_printf(b, "\\t");
			break;
		case '\r':
			sb_printf(b, "\\r");
			break;
		case '"':
			sb_printf(b, "\\\"");
			break;
		case '\\':
			sb_printf(b, "\\\\");
			break;
		default:
			if (isprint(c))
				sb_printf(b, "%c", c);
			else
				sb_printf(b, "\\%o", c);
		}
	}
	sb_printf(b, "\"%s", cut ? "..." : "");
}

static const struct flag_name open_flags[] = {
	F(O_WRONLY), F(O_RDWR), F(O_CREAT), F(O_EXCL), F(O_NOCTTY), F(O_TRUNC), F(O_APPEND), F(O_NONBLOCK),
	F(O_DSYNC), F(O_DIRECT), F(O_LARGEFILE), F(O_DIRECTORY), F(O_NOFOLLOW), F(O_NOATIME), F(O_CLOEXEC),
	F(O_PATH), { 04000000, "O_SYNC" }, F(O_ASYNC),
};

static void print_oflags(struct strace_buf *b, unsigned long v)
{
	if (!(v & O_ACCMODE)) {
		sb_printf(b, "O_RDONLY");
		if (v)
			sb_printf(b, "|");
		else
			return;
	}
	print_flags(b, v, open_flags, ARRAY_SIZE(open_flags), NULL);
}

static const struct flag_name prot_flags[] = { F(PROT_READ), F(PROT_WRITE), F(PROT_EXEC), F(PROT_GROWSDOWN) };
static const struct flag_name mmap_flags[] = {
	F(MAP_SHARED), F(MAP_PRIVATE), F(MAP_FIXED), F(MAP_ANONYMOUS), F(MAP_GROWSDOWN), F(MAP_DENYWRITE),
	F(MAP_NORESERVE), F(MAP_POPULATE), F(MAP_STACK), F(MAP_FIXED_NOREPLACE),
};
static const struct flag_name at_flags[] = {
	F(AT_SYMLINK_NOFOLLOW), F(AT_REMOVEDIR), F(AT_SYMLINK_FOLLOW), F(AT_EMPTY_PATH), F(AT_EACCESS),
};
static const struct flag_name access_modes[] = { F(R_OK), F(W_OK), F(X_OK) };
static const struct flag_name whences[] = { F(SEEK_SET), F(SEEK_CUR), F(SEEK_END), F(SEEK_DATA), F(SEEK_HOLE) };
static const struct flag_name wait_opts[] = { F(WNOHANG), F(WUNTRACED), F(WCONTINUED), F(WEXITED), F(WNOWAIT),
					      F(__WALL), F(__WCLONE) };
static const struct flag_name clone_flags[] = {
	F(CLONE_VM), F(CLONE_FS), F(CLONE_FILES), F(CLONE_SIGHAND), F(CLONE_PTRACE), F(CLONE_VFORK),
	F(CLONE_PARENT), F(CLONE_THREAD), F(CLONE_NEWNS), F(CLONE_SYSVSEM), F(CLONE_SETTLS),
	F(CLONE_PARENT_SETTID), F(CLONE_CHILD_CLEARTID), F(CLONE_CHILD_SETTID),
};
static const struct flag_name sig_hows[] = { F(SIG_BLOCK), F(SIG_UNBLOCK), F(SIG_SETMASK) };
static const struct flag_name clock_ids[] = {
	F(CLOCK_REALTIME), F(CLOCK_MONOTONIC), F(CLOCK_PROCESS_CPUTIME_ID), F(CLOCK_THREAD_CPUTIME_ID),
	F(CLOCK_MONOTONIC_RAW), F(CLOCK_REALTIME_COARSE), F(CLOCK_MONOTONIC_COARSE), F(CLOCK_BOOTTIME),
};
static const struct flag_name fcntl_cmds[] = {
	F(F_DUPFD), F(F_GETFD), F(F_SETFD), F(F_GETFL), F(F_SETFL), F(F_GETLK), F(F_SETLK), F(F_SETLKW),
	F(F_DUPFD_CLOEXEC), F(F_GETPIPE_SZ), F(F_SETPIPE_SZ),
};
static const struct flag_name ioctl_cmds[] = {
	F(TCGETS), F(TCSETS), F(TCSETSW), F(TCSETSF), F(TIOCGWINSZ), F(TIOCSWINSZ), F(TIOCGPGRP),
	F(TIOCSPGRP), F(FIONREAD), F(FIOCLEX), F(FIONCLEX), F(FIONBIO),
};
static const struct flag_name arch_prctls[] = {
	{ 0x1001, "ARCH_SET_GS" }, { 0x1002, "ARCH_SET_FS" }, { 0x1003, "ARCH_GET_FS" }, { 0x1004, "ARCH_GET_GS" },
};
static const struct flag_name rlimits[] = {
	F(RLIMIT_CPU), F(RLIMIT_FSIZE), F(RLIMIT_DATA), F(RLIMIT_STACK), F(RLIMIT_CORE), F(RLIMIT_RSS),
	F(RLIMIT_NPROC), F(RLIMIT_NOFILE), F(RLIMIT_MEMLOCK), F(RLIMIT_AS),
};
static const struct flag_name sa_flags[] = {
	F(SA_NOCLDSTOP), F(SA_NOCLDWAIT), F(SA_SIGINFO), { 0x04000000, "SA_RESTORER" }, F(SA_ONSTACK),
	F(SA_RESTART), F(SA_NODEFER), F(SA_RESETHAND),
};
static const struct flag_name futex_ops[] = {
	F(FUTEX_WAIT), F(FUTEX_WAKE), F(FUTEX_REQUEUE), F(FUTEX_CMP_REQUEUE), F(FUTEX_WAKE_OP),
	F(FUTEX_LOCK_PI), F(FUTEX_UNLOCK_PI), F(FUTEX_WAIT_BITSET), F(FUTEX_WAKE_BITSET),
};
static const struct flag_name poll_events[] = {
	F(POLLIN), F(POLLPRI), F(POLLOUT), F(POLLERR), F(POLLHUP), F(POLLNVAL), F(POLLRDNORM), F(POLLWRNORM),
};

/* "[INT TERM]", or "~[KILL STOP]" when most signals are in the set, as strace does. */
static void print_sigset_value(struct strace_buf *b, linux_sigset_t set)
{
	bool any = false, inverted = __builtin_popcountll(set) > 32;

	if (inverted)
		set = ~set;
	sb_printf(b, "%s[", inverted ? "~" : "");
	for (int sig = 1; sig <= 64; sig++)
		if (set & sig_bit(sig)) {
			sb_printf(b, "%s%s", any ? " " : "", signame(sig) + (sig < 32 ? 3 : 0));
			any = true;
		}
	sb_printf(b, "]");
}

static void print_sigset(struct strace_buf *b, struct task *t, uint64_t addr)
{
	linux_sigset_t set;

	if (!addr) {
		sb_printf(b, "NULL");
		return;
	}
	if (copy_in_obj(t, &set, uptr(addr))) {
		print_ptr(b, addr);
		return;
	}
	print_sigset_value(b, set);
}

static void print_sigaction(struct strace_buf *b, struct task *t, uint64_t addr)
{
	struct linux_sigaction sa;

	if (!addr || copy_in_obj(t, &sa, uptr(addr))) {
		print_ptr(b, addr);
		return;
	}
	sb_printf(b, "{sa_handler=");
	if (sa.handler == 0)
		sb_printf(b, "SIG_DFL");
	else if (sa.handler == 1)
		sb_printf(b, "SIG_IGN");
	else
		sb_printf(b, "%#lx", (unsigned long)sa.handler);
	sb_printf(b, ", sa_mask=");
	print_sigset_value(b, sa.mask);
	sb_printf(b, ", sa_flags=");
	print_flags(b, sa.flags, sa_flags, ARRAY_SIZE(sa_flags), "0");
	if (sa.flags & 0x04000000)
		sb_printf(b, ", sa_restorer=%#lx", (unsigned long)sa.restorer);
	sb_printf(b, "}");
}

static void print_mode_type(struct strace_buf *b, uint32_t mode)
{
	static const struct flag_name types[] = {
		F(S_IFREG), F(S_IFDIR), F(S_IFLNK), F(S_IFCHR), F(S_IFBLK), F(S_IFIFO), F(S_IFSOCK),
	};

	for (size_t k = 0; k < ARRAY_SIZE(types); k++)
		if ((mode & S_IFMT) == types[k].value)
			sb_printf(b, "%s|", types[k].name);
	sb_printf(b, "0%o", mode & 07777);
}

static void print_stat(struct strace_buf *b, struct task *t, uint64_t addr)
{
	struct linux_stat st;

	if (!addr || copy_in_obj(t, &st, uptr(addr))) {
		print_ptr(b, addr);
		return;
	}
	sb_printf(b, "{st_mode=");
	print_mode_type(b, st.st_mode);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		sb_printf(b, ", st_rdev=makedev(%#x, %#x)", (unsigned)(st.st_rdev >> 8) & 0xfff,
			  (unsigned)(st.st_rdev & 0xff));
	else
		sb_printf(b, ", st_size=%ld", (long)st.st_size);
	sb_printf(b, ", ...}");
}

static void print_timespec(struct strace_buf *b, struct task *t, uint64_t addr)
{
	struct linux_timespec ts;

	if (!addr || copy_in_obj(t, &ts, uptr(addr))) {
		print_ptr(b, addr);
		return;
	}
	sb_printf(b, "{tv_sec=%ld, tv_nsec=%ld}", (long)ts.tv_sec, (long)ts.tv_nsec);
}

static void print_wstatus(struct strace_buf *b, struct task *t, uint64_t addr)
{
	int s;

	if (!addr || copy_in_obj(t, &s, uptr(addr))) {
		print_ptr(b, addr);
		return;
	}
	if (WIFEXITED(s))
		sb_printf(b, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(s));
	else if (WIFSIGNALED(s))
		sb_printf(b, "[{WIFSIGNALED(s) && WTERMSIG(s) == %s}]", signame(WTERMSIG(s)));
	else if (WIFSTOPPED(s))
		sb_printf(b, "[{WIFSTOPPED(s) && WSTOPSIG(s) == %s}]", signame(WSTOPSIG(s)));
	else
		sb_printf(b, "[%#x]", s);
}

static void print_strings(struct strace_buf *b, struct task *t, uint64_t addr, bool env)
{
	int n = 0;

	if (!addr) {
		sb_printf(b, "NULL");
		return;
	}
	for (;; n++) {
		uint64_t p;

		if (copy_in(t, &p, uptr(addr + n * 8), 8) || !p || n > 4096)
			break;
		if (!env && n < 32) {
			sb_printf(b, n ? ", " : "[");
			print_string(b, t, p, 0, true);
		}
	}
	if (env)
		sb_printf(b, "%#lx /* %d vars */", (unsigned long)addr, n);
	else
		sb_printf(b, "%s%s]", n ? "" : "[", n > 32 ? ", ..." : "");
}

static void print_iovec(struct strace_buf *b, struct task *t, uint64_t addr, long cnt, bool contents)
{
	struct linux_iovec iov;

	if (cnt <= 0 || !addr) {
		print_ptr(b, addr);
		return;
	}
	sb_printf(b, "[");
	for (long k = 0; k < cnt && k < 8; k++) {
		if (copy_in_obj(t, &iov, uptr(addr + k * sizeof(iov)))) {
			sb_printf(b, "%s...", k ? ", " : "");
			break;
		}
		sb_printf(b, "%s{iov_base=", k ? ", " : "");
		if (contents)
			print_string(b, t, iov.base, (long)iov.len, false);
		else
			print_ptr(b, iov.base);
		sb_printf(b, ", iov_len=%lu}", (unsigned long)iov.len);
	}
	sb_printf(b, "%s]", cnt > 8 ? ", ..." : "");
}

static void print_pollfds(struct strace_buf *b, struct task *t, uint64_t addr, long cnt)
{
	struct linux_pollfd p;

	if (cnt <= 0 || !addr) {
		print_ptr(b, addr);
		return;
	}
	sb_printf(b, "[");
	for (long k = 0; k < cnt && k < 16; k++) {
		if (copy_in_obj(t, &p, uptr(addr + k * sizeof(p))))
			break;
		sb_printf(b, "%s{fd=%d, events=", k ? ", " : "", p.fd);
		print_flags(b, (uint16_t)p.events, poll_events, ARRAY_SIZE(poll_events), "0");
		sb_printf(b, "}");
	}
	sb_printf(b, "%s]", cnt > 16 ? ", ..." : "");
}

static bool is_output(const char *type)
{
	return type[0] == 'o' && strncmp(type, "oflags", 6) != 0;
}

static void format_one(struct strace_buf *b, struct task *t, const char *type, const struct syscall_args *a,
		       int k, long ret)
{
	uint64_t v = a->a[k];
	const char *colon = strchr(type, ':');
	char ref = colon ? colon[1] : 0;
	long len = ref == 'r' ? ret : ref >= '0' && ref <= '5' ? (long)a->a[ref - '0'] : 0;
	size_t tl = colon ? (size_t)(colon - type) : strlen(type);

#define IS(name) (tl == sizeof(name) - 1 && strncmp(type, name, tl) == 0)
	if (IS("int") || IS("fd"))
		sb_printf(b, "%d", (int)v);
	else if (IS("uint"))
		sb_printf(b, "%u", (unsigned)v);
	else if (IS("long"))
		sb_printf(b, "%ld", (long)v);
	else if (IS("size"))
		sb_printf(b, "%lu", (unsigned long)v);
	else if (IS("ptr"))
		print_ptr(b, v);
	else if (IS("dirfd"))
		(int)v == AT_FDCWD ? sb_printf(b, "AT_FDCWD") : sb_printf(b, "%d", (int)v);
	else if (IS("mode") || IS("cmode"))
		sb_printf(b, "0%o", (unsigned)v);
	else if (IS("path") || (IS("istr") && !colon))
		print_string(b, t, v, 0, true);
	else if (IS("istr") || IS("ibuf"))
		print_string(b, t, v, len, false);
	else if (IS("obuf") || IS("ostr"))
		ret >= 0 ? print_string(b, t, v, len, false) : print_ptr(b, v);
	else if (IS("oflags"))
		print_oflags(b, v);
	else if (IS("fdflags"))
		print_flags(b, v, open_flags, ARRAY_SIZE(open_flags), "0");
	else if (IS("prot"))
		print_flags(b, v, prot_flags, ARRAY_SIZE(prot_flags), "PROT_NONE");
	else if (IS("mmapflags"))
		print_flags(b, v, mmap_flags, ARRAY_SIZE(mmap_flags), "0");
	else if (IS("atflags"))
		print_flags(b, v, at_flags, ARRAY_SIZE(at_flags), "0");
	else if (IS("accmode"))
		print_flags(b, v, access_modes, ARRAY_SIZE(access_modes), "F_OK");
	else if (IS("whence"))
		print_enum(b, (long)v, whences, ARRAY_SIZE(whences));
	else if (IS("waitopts"))
		print_flags(b, v, wait_opts, ARRAY_SIZE(wait_opts), "0");
	else if (IS("cloneflags")) {
		print_flags(b, v & ~0xffUL, clone_flags, ARRAY_SIZE(clone_flags), NULL);
		if (v & 0xff)
			sb_printf(b, "|%s", signame((int)(v & 0xff)));
	} else if (IS("sig"))
		sb_printf(b, "%s", (int)v ? signame((int)v) : "0");
	else if (IS("sighow"))
		print_enum(b, (long)v, sig_hows, ARRAY_SIZE(sig_hows));
	else if (IS("clockid"))
		print_enum(b, (long)v, clock_ids, ARRAY_SIZE(clock_ids));
	else if (IS("fcntl"))
		print_enum(b, (long)v, fcntl_cmds, ARRAY_SIZE(fcntl_cmds));
	else if (IS("ioctl"))
		print_enum(b, (long)(unsigned)v, ioctl_cmds, ARRAY_SIZE(ioctl_cmds));
	else if (IS("futexop")) {
		print_enum(b, (long)(v & FUTEX_CMD_MASK), futex_ops, ARRAY_SIZE(futex_ops));
		if (v & FUTEX_PRIVATE_FLAG)
			sb_printf(b, "_PRIVATE");
		if (v & FUTEX_CLOCK_REALTIME)
			sb_printf(b, "|FUTEX_CLOCK_REALTIME");
	} else if (IS("archprctl"))
		print_enum(b, (long)v, arch_prctls, ARRAY_SIZE(arch_prctls));
	else if (IS("rlimit"))
		print_enum(b, (long)v, rlimits, ARRAY_SIZE(rlimits));
	else if (IS("ostat"))
		ret == 0 ? print_stat(b, t, v) : print_ptr(b, v);
	else if (IS("itimespec") || IS("otimespec"))
		print_timespec(b, t, v);
	else if (IS("isigset") || IS("osigset"))
		print_sigset(b, t, v);
	else if (IS("isigaction") || IS("osigaction"))
		print_sigaction(b, t, v);
	else if (IS("owstatus"))
		ret > 0 ? print_wstatus(b, t, v) : print_ptr(b, v);
	else if (IS("opipe")) {
		int fds[2];

		if (ret == 0 && !copy_in(t, fds, uptr(v), sizeof(fds)))
			sb_printf(b, "[%d, %d]", fds[0], fds[1]);
		else
			print_ptr(b, v);
	} else if (IS("outsname")) {
		struct linux_utsname u;

		if (ret == 0 && !copy_in_obj(t, &u, uptr(v)))
			sb_printf(b, "{sysname=\"%s\", nodename=\"%s\", ...}", u.sysname, u.nodename);
		else
			print_ptr(b, v);
	} else if (IS("pollfds"))
		print_pollfds(b, t, v, len);
	else if (IS("iovec"))
		print_iovec(b, t, v, len, true);
	else if (IS("oiovec"))
		print_iovec(b, t, v, len, false);
	else if (IS("argv"))
		print_strings(b, t, v, false);
	else if (IS("envp"))
		print_strings(b, t, v, true);
	else
		sb_printf(b, "%#lx", (unsigned long)v);
#undef IS
}

int strace_format_args(struct strace_buf *b, struct task *t, const char *spec, const struct syscall_args *a,
		       long ret, int from, bool exit)
{
	char type[32];
	const char *p = spec ? spec : "hex,hex,hex";
	int k = 0;

	while (*p && k < 6) {
		size_t n = strcspn(p, ",");

		snprintf(type, sizeof(type), "%.*s", (int)MIN(n, sizeof(type) - 1), p);
		p += n + (p[n] == ',');
		if (k >= from) {
			if (!exit && is_output(type))
				return k;
			/* open's mode means something only with O_CREAT or O_TMPFILE */
			if (strcmp(type, "cmode") == 0 && k && !(a->a[k - 1] & (O_CREAT | __O_TMPFILE))) {
				k++;
				continue;
			}
			if (k)
				sb_printf(b, ", ");
			format_one(b, t, type, a, k, ret);
		}
		k++;
	}
	return k;
}

void strace_format_ret(struct strace_buf *b, const char *name, long ret)
{
	if (errno_is_restart(ret)) {
		static const char *const names[] = { "ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND", "?",
						     "ERESTART_RESTARTBLOCK" };

		sb_printf(b, "? %s (To be restarted)", names[-ret - ERESTARTSYS]);
		return;
	}
	if (ret < 0 && ret >= -4095) {
		const char *en = strerrorname_np((int)-ret);

		sb_printf(b, "-1 %s (%s)", en ? en : "E?", strerror((int)-ret));
		return;
	}
	if (strcmp(name, "exit") == 0 || strcmp(name, "exit_group") == 0) {
		sb_printf(b, "?");
		return;
	}
	if (strcmp(name, "mmap") == 0 || strcmp(name, "brk") == 0 || strcmp(name, "mremap") == 0)
		sb_printf(b, "%#lx", (unsigned long)ret);
	else
		sb_printf(b, "%ld", ret);
}
