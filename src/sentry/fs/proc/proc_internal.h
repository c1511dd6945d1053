/* SPDX-License-Identifier: MIT */
/* procfs internals: node kinds and the table of generated files. */
#pragma once
#include <stddef.h>

struct task;

enum proc_kind {
	PROC_ROOT,
	PROC_ROOT_FILE,
	PROC_SELF,
	PROC_PID_DIR,
	PROC_TASK_DIR,		/* /proc/<pid>/task */
	PROC_TID_DIR,		/* /proc/<pid>/task/<tid> */
	PROC_PID_FILE,
	PROC_FD_DIR,
	PROC_FD_LINK,
	PROC_EXE,
	PROC_CWD,
	PROC_ROOTLINK,
};

struct proc_buf {
	char *data;
	size_t len, cap;
};

void pb_printf(struct proc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pb_append(struct proc_buf *b, const void *data, size_t len);

struct proc_file {
	const char *name;
	void (*gen)(struct task *t, struct proc_buf *b);
};

extern const struct proc_file proc_root_files[];
extern const struct proc_file proc_pid_files[];
