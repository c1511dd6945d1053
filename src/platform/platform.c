// SPDX-License-Identifier: MIT
/* Platform registry (name -> ops table) and CPU placement helpers. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "lib/log.h"
#include "platform/platform.h"

static void load_allowed(void);

static const struct platform_ops *const platforms[] = {
	&ptrace_platform_ops,
	&systrap_platform_ops,
};

const struct platform_ops *platform_lookup(const char *name)
{
	load_allowed();	/* before any thread pins itself */
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (strcmp(platforms[i]->name, name) == 0)
			return platforms[i];
	return NULL;
}

int platform_stub_map(stub_syscall_fn call, struct address_space *as, int fd, uint64_t addr, size_t size, int prot,
		      uint64_t off)
{
	long r = call(as, SYS_mmap, addr, size, prot, MAP_SHARED | MAP_FIXED, fd, off);

	if (r == (long)addr)
		return 0;
	/* The host's map count: the mm recovers from it (see stub_reset()). */
	if (r == -ENOMEM)
		return -ENOMEM;
	log_warn("stub mmap(%#lx, %#zx) failed: %ld", (unsigned long)addr, size, r);
	return r < 0 ? (int)r : -EIO;
}

int platform_stub_unmap(stub_syscall_fn call, struct address_space *as, uint64_t addr, size_t size)
{
	long r = call(as, SYS_munmap, addr, size, 0, 0, 0, 0);

	return r < 0 ? (int)r : 0;
}

int platform_stub_protect(stub_syscall_fn call, struct address_space *as, uint64_t addr, size_t size, int prot)
{
	long r = call(as, SYS_mprotect, addr, size, prot, 0, 0, 0);

	if (r < 0 && r != -ENOMEM)
		log_warn("stub mprotect(%#lx, %#zx, %d) failed: %ld", (unsigned long)addr, size, prot, r);
	return r < 0 ? (int)r : 0;
}

static atomic_uint g_next_cpu;
static cpu_set_t g_allowed;
static int g_nr_allowed;
static pthread_once_t g_allowed_once = PTHREAD_ONCE_INIT;

/* The CPUs the sandbox may use: what it was started with. */
static void read_allowed(void)
{
	if (sched_getaffinity(0, sizeof(g_allowed), &g_allowed) < 0)
		CPU_ZERO(&g_allowed);
	g_nr_allowed = CPU_COUNT(&g_allowed);
}

static void load_allowed(void)
{
	pthread_once(&g_allowed_once, read_allowed);
}

/* The @idx-th allowed CPU. */
static int nth_allowed(int idx)
{
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &g_allowed) && idx-- == 0)
			return cpu;
	return -1;
}

void platform_pin_thread(int tid, int cpu)
{
	cpu_set_t one;

	if (cpu < 0)
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(tid, sizeof(one), &one);
}

int platform_pin_self_next_cpu(void)
{
	int cpu;

	load_allowed();
	if (g_nr_allowed <= 1)
		return -1;
	cpu = nth_allowed((int)(atomic_fetch_add(&g_next_cpu, 1) % (unsigned int)g_nr_allowed));
	platform_pin_thread(0, cpu);
	return cpu;
}

int platform_partner_cpu(int cpu)
{
	load_allowed();
	if (g_nr_allowed <= 1 || cpu < 0)
		return -1;
	for (int i = 1; i < CPU_SETSIZE; i++) {
		int next = (cpu + i) % CPU_SETSIZE;

		if (CPU_ISSET(next, &g_allowed))
			return next;
	}
	return -1;
}
