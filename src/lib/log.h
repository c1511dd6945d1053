/* SPDX-License-Identifier: MIT */
/* Logging for all cvisor components; debug messages only with --debug. */
#pragma once
#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

extern enum log_level g_log_level;
extern const char *g_log_component;

void log_init(const char *component, bool debug);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
__attribute__((noreturn, format(printf, 1, 2))) void fatal(const char *fmt, ...);

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
