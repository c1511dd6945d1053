/* SPDX-License-Identifier: MIT */
/*
 * The kernel: global Sentry state and the kernel lock.
 *
 * Lock order: kernel.lock is the only Sentry lock for now (a "big kernel
 * lock"). A task thread holds it whenever it runs Sentry code, and drops it
 * while guest code runs (platform switch), while it sleeps on a wait queue
 * and around host calls that may block. Finer locks come with threads.
 */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "lib/list.h"

struct task;
struct thread_group;
struct mount;
struct dentry;

#define PID_MAX 32768

struct kernel {
	pthread_mutex_t lock;
	/* protected by lock: */
	struct task *tasks_by_tid[PID_MAX];
	pid_t last_pid;
	int nr_tasks;
	struct thread_group *init_tg;
	char hostname[65];
	char domainname[65];
	struct mount *root_mount;
	struct dentry *root;
	uint64_t boot_ns;		/* CLOCK_MONOTONIC at boot */
	int init_exit_status;		/* wait status of pid 1, once it has exited */
	/* The controlling terminal (the host terminal on stdio, if any) of session 1. */
	pid_t tty_fg_pgrp;		/* its foreground process group; 0 until set */
	bool init_exited;
	pthread_cond_t all_exited;	/* signalled when nr_tasks drops to 0 */
};

extern struct kernel g_kernel;

void kernel_lock(void);
void kernel_unlock(void);

/* Allocate a free pid; 0 when none is left. */
pid_t kernel_alloc_pid(void);
uint64_t monotonic_ns(void);
uint64_t realtime_ns(void);
