// SPDX-License-Identifier: MIT
/* Logging: component files, runc-compatible text/JSON lines, backtraces on fatal errors and crashes. */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"

enum log_level g_log_level = LOG_WARN;
const char *g_log_component = "cvisor";
static int g_log_fd = STDERR_FILENO;
static bool g_log_structured;		/* a file: runc formats; stderr: short human lines */
static enum log_format g_log_format;
static const char *g_log_dir;
static pid_t g_log_pid;			/* the pid lines show; 0: getpid() */

static const char *const level_names[] = { "debug", "info", "warning", "error" };

void log_set_pid(pid_t pid)
{
	g_log_pid = pid;
}

static pid_t log_pid(void)
{
	return g_log_pid ? g_log_pid : getpid();
}

int log_fd(void)
{
	return g_log_fd;
}

static int open_log(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

	return fd < 0 ? -errno : fd;
}

int log_configure(const struct log_config *cfg)
{
	g_log_level = cfg->debug ? LOG_DEBUG : LOG_WARN;
	g_log_format = cfg->format;
	if (cfg->dir) {
		if (mkdir(cfg->dir, 0750) < 0 && errno != EEXIST)
			return -errno;
		g_log_dir = cfg->dir;
		g_log_level = LOG_DEBUG;
	} else if (cfg->file) {
		int fd = open_log(cfg->file);

		if (fd < 0)
			return fd;
		g_log_fd = fd;
		g_log_structured = true;
	}
	return 0;
}

int log_set_component(const char *component)
{
	g_log_component = component;
	if (g_log_dir) {
		char path[4096];
		int fd;

		snprintf(path, sizeof(path), "%s/%s.log", g_log_dir, component);
		fd = open_log(path);
		if (fd < 0)
			return fd;
		if (g_log_fd != STDERR_FILENO)
			close(g_log_fd);
		g_log_fd = fd;
		g_log_structured = true;
	}
	return 0;
}

void log_init(const char *component, bool debug)
{
	struct log_config cfg = { .debug = debug };

	log_configure(&cfg);
	log_set_component(component);
}

/* JSON string escaping for the msg field. */
static int json_escape(char *out, size_t size, const char *in)
{
	size_t n = 0;

	for (; *in && n + 7 < size; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += snprintf(out + n, size - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	return (int)n;
}

static void write_all(const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(g_log_fd, buf, n);

		if (w <= 0)
			return;
		buf += w;
		n -= w;
	}
}

static void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	char msg[1024], esc[2048], line[3072], stamp[64];
	struct timespec ts;
	struct tm tm;
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%06ldZ", ts.tv_nsec / 1000);
	if (!g_log_structured) {
		n = snprintf(line, sizeof(line), "%c %s %s[%d]: %s\n", "DIWE"[lvl], stamp, g_log_component,
			     log_pid(), msg);
	} else if (g_log_format == LOG_FORMAT_JSON) {
		json_escape(esc, sizeof(esc), msg);
		n = snprintf(line, sizeof(line),
			     "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\",\"component\":\"%s\",\"pid\":%d}\n",
			     level_names[lvl], esc, stamp, g_log_component, log_pid());
	} else {
		json_escape(esc, sizeof(esc), msg);
		n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\" component=%s pid=%d\n", stamp,
			     level_names[lvl], esc, g_log_component, log_pid());
	}
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	write_all(line, n);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl < g_log_level)
		return;
	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

void log_backtrace(void)
{
	void *frames[64];
	int n = backtrace(frames, 64);
	char **names = backtrace_symbols(frames, n);

	for (int k = 0; k < n; k++)
		log_msg(LOG_ERROR, "  #%d %s", k, names ? names[k] : "?");
	free(names);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERROR, fmt, ap);
	va_end(ap);
	log_backtrace();
	if (g_log_fd != STDERR_FILENO) {
		static const char note[] = "cvisor: fatal error; see the log for details\n";

		if (write(STDERR_FILENO, note, sizeof(note) - 1) < 0) {
			/* nothing more we can do */
		}
	}
	/* the trace is logged; the crash handler need not repeat it */
	log_die_by_signal(SIGABRT);
}

void log_die_by_signal(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* Still here: we are the init of a pid namespace, which ignores its own default-action signals. */
	_exit(128 + sig);
}

static void on_crash(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* Not async-signal-safe, but the process is going down anyway and the trace is worth it. */
	if (sig == SIGSYS)
		log_msg(LOG_ERROR, "seccomp violation: host syscall %d (arch %#x) in %s thread %d", si->si_syscall,
			si->si_arch, g_log_component, gettid());
	else
		log_msg(LOG_ERROR, "panic: %s at address %p in %s thread %d", strsignal(sig), si->si_addr,
			g_log_component, gettid());
	log_backtrace();
	signal(sig, SIG_DFL);
	/* A real fault: returning runs the instruction again, and the kernel kills us with the default action. */
	if (si->si_code > 0 && sig != SIGABRT)
		return;
	log_die_by_signal(sig);
}

void log_install_crash_handler(void)
{
	/* SIGSYS: a host syscall outside the seccomp allowlist, when the filter traps */
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS };
	struct sigaction sa = { .sa_sigaction = on_crash, .sa_flags = SA_SIGINFO | SA_RESETHAND };

	sigemptyset(&sa.sa_mask);
	backtrace((void *[1]){ 0 }, 1);	/* load libgcc now, not inside the handler */
	for (size_t k = 0; k < ARRAY_SIZE(sigs); k++)
		sigaction(sigs[k], &sa, NULL);
}
