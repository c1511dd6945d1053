/* SPDX-License-Identifier: MIT */
/*
 * Logging for all cvisor components. By default short lines on stderr;
 * with --log FILE or --debug-log DIR (one file per component: runtime.log,
 * sentry.log, gofer.log) in runc's formats: logrus-style text or JSON lines.
 */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

extern enum log_level g_log_level;
extern const char *g_log_component;

struct log_config {
	bool debug;
	const char *file;		/* --log: every component into this file */
	const char *dir;		/* --debug-log: DIR/<component>.log */
	enum log_format format;
};

/* Returns 0 or -errno (the file or directory cannot be opened). */
int log_configure(const struct log_config *cfg);
/* Switch the component name (and file, with --debug-log). */
int log_set_component(const char *component);
/* The fd log lines go to (for --strace output into the debug log). */
int log_fd(void);
void log_init(const char *component, bool debug);
/* The pid log lines show (the host's view of a process inside a pid namespace). */
void log_set_pid(pid_t pid);
/* Die of @sig with its default action (core dump included), even as the init of a pid namespace (then
 * exiting with 128 + sig). */
__attribute__((noreturn)) void log_die_by_signal(int sig);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
__attribute__((noreturn, format(printf, 1, 2))) void fatal(const char *fmt, ...);
/* Log the calling thread's backtrace at error level. */
void log_backtrace(void);
/* Log a backtrace and die on SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT/SIGSYS in this process. */
void log_install_crash_handler(void);

#define log_debug(...)                              \
	do {                                        \
		if (g_log_level <= LOG_DEBUG)       \
			log_msg(LOG_DEBUG, __VA_ARGS__); \
	} while (0)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#define BUG_ON(cond)                                                            \
	do {                                                                    \
		if (unlikely(cond))                                             \
			fatal("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);   \
	} while (0)
