// SPDX-License-Identifier: MIT
/*
 * A hostile program aims at the systrap platform's own pages. Under systrap
 * guest code runs in a host stub process that also holds, above the guest's
 * address range, the stub's code (0x7ffff0000000, 64 KiB, with the few host
 * syscall instructions its seccomp filter lets through) and the per-thread
 * shared slots (0x7ffff0100000, 512 x 128 KiB). None of it is the guest's:
 * on Linux these are plain user addresses with nothing mapped, and the
 * sandbox must look the same. Checked: munmap, mprotect, mmap(MAP_FIXED)
 * and mremap there do what Linux does and the process keeps working; loads
 * and stores there kill with SIGSEGV; a jump to every byte of the first
 * 2 KiB of the stub code, every 16th byte of the rest of its first page and
 * every 256th of the others, with all general registers 0 but %rsp, kills
 * the (forked) child by a signal, never by its own exit or abort; the
 * same jumps with %rax = exit_group, or exit (which the stub's filter lets
 * through), and %rdi = 42 never end in exit status 42. Natively nothing is
 * mapped there (checked in /proc/self/maps, else the case is skipped) and
 * every access or jump gets SIGSEGV; the sandbox may instead end a jumping
 * child with another synchronous signal, SIGKILL (its stub died) or its
 * own 200 ms SIGALRM (the jump got stuck), which bounds every child, or
 * SIGABRT: a jump exactly onto the fast path's last two instructions
 * resumes the thread at its last patched syscall's return address, and
 * glibc's stack protector then sees the zeroed registers.
 *
 * cvisor reserves the top 256 MiB of the user range for its platform (its
 * guest address space ends at 0x7ffff0000000): there, these calls fail as
 * Linux's do past the end of the address space (EINVAL, ENOMEM), and the
 * stub's pages may be readable and writable by guest code (a store there
 * can only hurt the guest itself). The test detects the reservation with
 * MAP_FIXED_NOREPLACE and then checks exactly those answers.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include "harness.h"

#define STUB_CODE	0x7ffff0000000UL
#define STUB_CODE_SIZE	0x10000UL
#define STUB_SLOTS	0x7ffff0100000UL
#define SLOT_SIZE	0x20000UL
#define SLOTS_SIZE	(512 * SLOT_SIZE)
#define STUB_END	(STUB_SLOTS + SLOTS_SIZE)

#define EVERY_BYTE	0x800		/* jump to each offset 0..this */
#define STEP		16		/* then to each 16th byte of the first page */
#define SPARSE		256		/* and each 256th of the other pages */
#define MAX_TARGETS	(EVERY_BYTE + 1 + 0x1000 / STEP + STUB_CODE_SIZE / SPARSE + 8)
#define IN_FLIGHT	4		/* children at a time */
#define CHILD_TIMER_US	200000		/* each child's own SIGALRM */
#define CHILD_BOUND_S	5		/* then the parent kills it: a hang */
#define HUNG		(-1)		/* status of a child the parent killed */
#define MAX_REPORTS	8

#define STORED		97		/* exit codes of an access that worked */
#define LOADED		98

#define FAIL(...) harness_fail(__FILE__, __LINE__, __VA_ARGS__)

/*
 * hostile_jump - %rsp = @sp, %rax = @rax, %rdi = @rdi, every other general
 * register and the arithmetic flags 0, then jump to @target.
 */
void hostile_jump(uintptr_t target, uint64_t rax, uint64_t rdi, void *sp)
	__attribute__((noreturn));
__asm__(
	"	.text\n"
	"	.globl	hostile_jump\n"
	"	.type	hostile_jump, @function\n"
	"hostile_jump:\n"
	"	mov	%rcx, %rsp\n"
	"	push	%rdi\n"
	"	mov	%rsi, %rax\n"
	"	mov	%rdx, %rdi\n"
	"	xor	%ebx, %ebx\n"
	"	xor	%ecx, %ecx\n"
	"	xor	%edx, %edx\n"
	"	xor	%esi, %esi\n"
	"	xor	%ebp, %ebp\n"
	"	xor	%r8d, %r8d\n"
	"	xor	%r9d, %r9d\n"
	"	xor	%r10d, %r10d\n"
	"	xor	%r11d, %r11d\n"
	"	xor	%r12d, %r12d\n"
	"	xor	%r13d, %r13d\n"
	"	xor	%r14d, %r14d\n"
	"	xor	%r15d, %r15d\n"
	"	pushq	$0\n"
	"	popfq\n"
	"	ret\n"
	"	.size	hostile_jump, . - hostile_jump\n");

/* Addresses to touch or jump to, laundered so the compiler leaves them be. */
static volatile uintptr_t targets[MAX_TARGETS];
static int status[MAX_TARGETS];
static uint64_t jump_rax, jump_rdi;

/*
 * Skips the case if anything is mapped in [STUB_CODE, STUB_END): natively
 * the stack or the vdso may, very rarely, land there. In the sandbox the
 * file lists the guest's mappings only.
 */
static void need_free_range(void)
{
	unsigned long lo, hi;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		SKIP("/proc/self/maps: %s", harness_errname(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 &&
		    lo < STUB_END && hi > STUB_CODE) {
			fclose(f);
			line[strcspn(line, "\n")] = '\0';
			SKIP("mapped there already: %s", line);
		}
	}
	fclose(f);
}

/* The sandbox reserves the top of the user range: nothing can be mapped there. */
static bool top_reserved(void)
{
	void *p = mmap((void *)STUB_CODE, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == (void *)STUB_CODE) {
		munmap(p, 4096);
		return false;
	}
	if (p != MAP_FAILED)
		munmap(p, 4096);
	CHECK(p == MAP_FAILED && errno == ENOMEM);
	return true;
}

/* The process is still whole: system calls, a pipe, fork and wait, memory. */
static void still_works(void)
{
	char buf[8] = { 0 };
	pid_t me = getpid(), pid;
	char *p;
	int fds[2];

	EXPECT_EQ(syscall(SYS_getppid), getppid());
	CHECK(pipe(fds));
	pid = CHECK(fork());
	if (pid == 0)
		_exit(getppid() == me && write(fds[1], "alive", 5) == 5 ? 7 : 1);
	EXPECT_EXITED(wait_status(pid), 7);
	EXPECT_RET(read(fds[0], buf, sizeof(buf)), 5);
	EXPECT_STREQ(buf, "alive");
	close(fds[0]);
	close(fds[1]);
	p = CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	p[100] = 'x';
	EXPECT_EQ(p[100], 'x');
	EXPECT_RET(munmap(p, 4096), 0);
}

TEST(systrap_hostile, munmap_platform_ranges)
{
	need_free_range();
	if (top_reserved()) {
		EXPECT_ERRNO(munmap((void *)STUB_CODE, STUB_CODE_SIZE), EINVAL);
		EXPECT_ERRNO(munmap((void *)STUB_SLOTS, 0x100000), EINVAL);
		EXPECT_ERRNO(munmap((void *)STUB_SLOTS, SLOTS_SIZE), EINVAL);
		EXPECT_ERRNO(munmap((void *)STUB_CODE, STUB_END - STUB_CODE), EINVAL);
	} else {
		EXPECT_RET(munmap((void *)STUB_CODE, STUB_CODE_SIZE), 0);
		EXPECT_RET(munmap((void *)STUB_SLOTS, 0x100000), 0);
		EXPECT_RET(munmap((void *)STUB_SLOTS, SLOTS_SIZE), 0);
		EXPECT_RET(munmap((void *)STUB_CODE, STUB_END - STUB_CODE), 0);
	}
	EXPECT_ERRNO(munmap((void *)(STUB_CODE + 1), 4096), EINVAL);
	still_works();
}

TEST(systrap_hostile, mprotect_platform_ranges)
{
	need_free_range();
	EXPECT_ERRNO(mprotect((void *)STUB_CODE, STUB_CODE_SIZE,
			      PROT_READ | PROT_WRITE), ENOMEM);
	EXPECT_ERRNO(mprotect((void *)STUB_CODE, STUB_CODE_SIZE,
			      PROT_READ | PROT_EXEC), ENOMEM);
	EXPECT_ERRNO(mprotect((void *)STUB_CODE, STUB_CODE_SIZE, PROT_NONE),
		     ENOMEM);
	EXPECT_ERRNO(mprotect((void *)STUB_SLOTS, 0x100000,
			      PROT_READ | PROT_WRITE), ENOMEM);
	EXPECT_ERRNO(mprotect((void *)(STUB_SLOTS + SLOT_SIZE), 4096,
			      PROT_READ | PROT_WRITE | PROT_EXEC), ENOMEM);
	still_works();
}

/*
 * mmap(@addr, @len, @prot, MAP_FIXED | @flags): @addr, or NULL and a
 * failure; NULL and no failure for ENOMEM when the sandbox reserves the range.
 */
static char *map_at(uintptr_t addr, size_t len, int prot, int flags)
{
	bool reserved = top_reserved();
	void *p = mmap((void *)addr, len, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	int err = errno;

	if (reserved && p == MAP_FAILED && err == ENOMEM)
		return NULL;
	if (p == (void *)addr)
		return p;
	FAIL("mmap(%#lx, %#zx, prot %d, flags %#x) returned %p (errno %s/%d), expected %#lx",
	     (unsigned long)addr, len, prot, flags, p, harness_errname(err),
	     err, (unsigned long)addr);
	if (p != MAP_FAILED)
		munmap(p, len);
	return NULL;
}

TEST(systrap_hostile, map_fixed_over_code)
{
	/* mov $42, %eax; ret */
	static const unsigned char fn42[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };
	char *p;

	need_free_range();
	p = map_at(STUB_CODE, STUB_CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		   MAP_FIXED);
	if (p) {
		memcpy(p, fn42, sizeof(fn42));
		EXPECT_EQ(((int (*)(void))(void *)p)(), 42);
		memset(p + 0x8000, 0x5a, 0x1000);
		EXPECT_EQ(p[0x8fff], 0x5a);
		EXPECT_EQ(p[0x9000], 0);
		EXPECT_RET(munmap(p, STUB_CODE_SIZE), 0);
	}
	p = map_at(STUB_CODE, 4096, PROT_READ, MAP_FIXED_NOREPLACE);
	if (p) {
		EXPECT_EQ(p[0], 0);
		EXPECT_RET(munmap(p, 4096), 0);
	}
	still_works();
}

TEST(systrap_hostile, map_fixed_over_slots)
{
	char *p;

	need_free_range();
	p = map_at(STUB_SLOTS, SLOTS_SIZE, PROT_READ | PROT_WRITE, MAP_FIXED);
	if (p) {
		p[0] = 1;
		p[0x1000] = 2;
		p[SLOT_SIZE] = 3;
		p[SLOTS_SIZE - 1] = 4;
		EXPECT_EQ(p[0] + p[0x1000] + p[SLOT_SIZE] + p[SLOTS_SIZE - 1], 10);
		EXPECT_RET(munmap(p, SLOTS_SIZE), 0);
	}
	still_works();
}

TEST(systrap_hostile, mremap_into_slots)
{
	uintptr_t to = STUB_SLOTS + SLOT_SIZE;
	bool reserved;
	char *p, *q;

	need_free_range();
	p = CHECK(mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	strcpy(p, "moved");
	reserved = top_reserved();
	q = mremap(p, 8192, 8192, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)to);
	if (reserved) {
		EXPECT_TRUE(q == MAP_FAILED && errno == EINVAL);
		EXPECT_STREQ(p, "moved");
		munmap(q == MAP_FAILED ? p : q, 8192);
	} else if (q == (void *)to) {
		EXPECT_STREQ(q, "moved");
		EXPECT_RET(munmap(q, 8192), 0);
	} else {
		FAIL("mremap(%p, 8192, 8192, MAYMOVE | FIXED, %#lx) returned %p (errno %s), expected %#lx",
		     (void *)p, (unsigned long)to, (void *)q,
		     harness_errname(errno), (unsigned long)to);
		munmap(q == MAP_FAILED ? p : q, 8192);
	}
	still_works();
}

/* Bounds the child: nothing it does may outlast its own SIGALRM. */
static void arm_timer(void)
{
	struct itimerval it = { .it_value = { 0, CHILD_TIMER_US } };

	signal(SIGALRM, SIG_DFL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_sigchld(int sig)
{
	(void)sig;
}

struct running {
	pid_t pid;
	int idx;
	bool killed;
	struct timespec start;
};

/*
 * Runs @child(i) in a forked child for each i in [0, @n), IN_FLIGHT at a
 * time, and leaves each one's wait status in status[i], or HUNG when it
 * was still alive after CHILD_BOUND_S seconds and the parent killed it.
 * Returns how many ran: @n unless fork() failed.
 */
static int run_children(int n, void (*child)(int))
{
	struct sigaction sa = { .sa_handler = on_sigchld }, old_sa;
	struct timespec tick = { 0, 20000000 };
	struct running run[IN_FLIGHT];
	int next = 0, live = 0, st, j;
	sigset_t chld, old;
	pid_t pid;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	CHECK(sigaction(SIGCHLD, &sa, &old_sa));
	CHECK(sigprocmask(SIG_BLOCK, &chld, &old));
	while (next < n || live) {
		while (live < IN_FLIGHT && next < n) {
			pid = fork();
			if (pid == -1) {
				FAIL("fork: %s", harness_errname(errno));
				n = next;
				break;
			}
			if (pid == 0) {
				sigprocmask(SIG_SETMASK, &old, NULL);
				child(next);
				_exit(0);
			}
			run[live] = (struct running){ .pid = pid, .idx = next++ };
			clock_gettime(CLOCK_MONOTONIC, &run[live++].start);
		}
		while (live && (pid = waitpid(-1, &st, WNOHANG)) > 0) {
			for (j = 0; j < live && run[j].pid != pid; j++)
				;
			if (j == live)
				continue;
			status[run[j].idx] = run[j].killed ? HUNG : st;
			run[j] = run[--live];
		}
		if (!live)
			continue;
		for (j = 0; j < live; j++) {
			if (!run[j].killed &&
			    seconds_since(&run[j].start) > CHILD_BOUND_S) {
				kill(run[j].pid, SIGKILL);
				run[j].killed = true;
			}
		}
		if (live == IN_FLIGHT || next == n)
			sigtimedwait(&chld, NULL, &tick);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGCHLD, &old_sa, NULL);
	return n;
}

static const char *outcome(int st, char *buf, size_t len)
{
	if (st == HUNG)
		snprintf(buf, len, "no signal within %d s: the parent killed it",
			 CHILD_BOUND_S);
	else if (WIFEXITED(st))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(st),
			 sigabbrev_np(WTERMSIG(st)) ?: "?");
	else
		snprintf(buf, len, "wait status %#x", st);
	return buf;
}

/* ---- loads and stores ---- */

static bool access_is_store;

static void access_child(int i)
{
	arm_timer();
	if (access_is_store) {
		*(volatile uint64_t *)targets[i] = 0x5a5a5a5a5a5a5a5aULL;
		_exit(STORED);
	}
	(void)*(volatile uint64_t *)targets[i];
	_exit(LOADED);
}

/* The stub's code, its seccomp filters, slot 0 (request ring, replies), slot 1, the last slot. */
static int set_access_targets(void)
{
	static const uintptr_t at[] = {
		STUB_CODE, STUB_CODE + 0x8000, STUB_CODE + 0x9000,
		STUB_SLOTS, STUB_SLOTS + 0x1000, STUB_SLOTS + SLOT_SIZE,
		STUB_SLOTS + SLOT_SIZE + 0x100, STUB_SLOTS + 2 * SLOT_SIZE - 8,
		STUB_END - 8,
	};
	unsigned int i;

	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		targets[i] = at[i];
	return i;
}

static void expect_accesses_fault(bool store)
{
	char why[96];
	int i, n;

	bool reserved;

	need_free_range();
	reserved = top_reserved();
	n = set_access_targets();
	access_is_store = store;
	n = run_children(n, access_child);
	for (i = 0; i < n; i++) {
		if (WIFSIGNALED(status[i]) && WTERMSIG(status[i]) == SIGSEGV)
			continue;
		if (reserved && status[i] == (store ? STORED : LOADED) << 8)
			continue;	/* the platform's own page: the guest only hurts itself */
		FAIL("%s %#lx: expected death by SIGSEGV%s, %s",
		     store ? "store to" : "load from",
		     (unsigned long)targets[i], reserved ? " or the access to work" : "",
		     status[i] == (store ? STORED : LOADED) << 8 ?
		     "but the access worked" :
		     outcome(status[i], why, sizeof(why)));
	}
}

TEST(systrap_hostile, load_faults)
{
	expect_accesses_fault(false);
}

TEST(systrap_hostile, store_faults)
{
	expect_accesses_fault(true);
}

/* ---- jumps into the stub's code ---- */

static void jump_child(int i)
{
	static char stack[16384] __attribute__((aligned(64)));

	arm_timer();
	hostile_jump(targets[i], jump_rax, jump_rdi, stack + sizeof(stack) - 256);
}

/*
 * Every @stride-th byte up to EVERY_BYTE, every STEP-th byte of the rest of the first
 * page (the stub's code lives there), every SPARSE-th of the other pages
 * (its seccomp filters, zeros), and two slots.
 */
static int set_jump_targets(int stride)
{
	uintptr_t off;
	int n = 0;

	for (off = 0; off <= EVERY_BYTE; off += stride)
		targets[n++] = STUB_CODE + off;
	for (off = EVERY_BYTE + STEP; off < 0x1000; off += STEP)
		targets[n++] = STUB_CODE + off;
	for (off = 0x1000; off < STUB_CODE_SIZE; off += SPARSE)
		targets[n++] = STUB_CODE + off;
	targets[n++] = STUB_SLOTS;
	targets[n++] = STUB_SLOTS + SLOT_SIZE;
	targets[n++] = STUB_SLOTS + SLOT_SIZE + 0x1000;
	return n;
}

/* How a jumping child may die: a fault, or the sandbox giving up on it. */
static bool tolerated(int sig)
{
	switch (sig) {
	case SIGSEGV: case SIGILL: case SIGBUS: case SIGTRAP:
	case SIGKILL: case SIGALRM: case SIGSYS: case SIGABRT:
		return true;
	default:
		return false;
	}
}

/* Jumps with %rax = @rax, %rdi = @rdi: each child dies by a signal. */
static void expect_jumps_die(uint64_t rax, uint64_t rdi, int stride)
{
	int i, n, bad = 0;
	char why[96];

	need_free_range();
	n = set_jump_targets(stride);
	jump_rax = rax;
	jump_rdi = rdi;
	n = run_children(n, jump_child);
	for (i = 0; i < n; i++) {
		if (status[i] != HUNG && WIFSIGNALED(status[i]) &&
		    tolerated(WTERMSIG(status[i])))
			continue;
		if (++bad <= MAX_REPORTS)
			FAIL("jump to %#lx with %%rax %lu, %%rdi %lu: %s",
			     (unsigned long)targets[i], (unsigned long)rax,
			     (unsigned long)rdi,
			     outcome(status[i], why, sizeof(why)));
	}
	if (bad > MAX_REPORTS)
		FAIL("%d of %d jumps did not die by a signal", bad, n);
}

TEST(systrap_hostile, jump_into_code)
{
	expect_jumps_die(0, 0, 1);
}

TEST(systrap_hostile, exit_group_from_code)
{
	expect_jumps_die(SYS_exit_group, 42, 4);
}

TEST(systrap_hostile, exit_from_code)
{
	expect_jumps_die(SYS_exit, 42, 4);
}
