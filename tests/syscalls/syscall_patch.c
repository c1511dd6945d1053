// SPDX-License-Identifier: MIT
/*
 * Syscall sites of the form `mov $nr, %eax; syscall`, which the systrap
 * platform rewrites into jumps to its fast path, must behave exactly like
 * Linux system calls before, while and after they are patched:
 * - every register but %rax, %rcx and %r11 survives, %rcx is the return
 *   address and %r11 the flags, the flags themselves (CF, DF) survive,
 *   and so does the vector state;
 * - code that jumps straight to the syscall instruction of a patched site
 *   gets the syscall in its own %rax;
 * - threads hammering one site while it is patched all get right answers;
 * - a fork child and its parent patch their own copies only, and an
 *   exec'd child sees the program's original bytes;
 * - a thread with its own %gs base, and signals arriving during a loop of
 *   patched calls, work;
 * - sites that straddle two 16-byte blocks (where one atomic store cannot
 *   rewrite them) do all of the above too, at each of the six offsets; on
 *   a platform that patches (its table shows in /proc/self/maps) they are
 *   patched, and elsewhere their bytes stay as they were;
 * - glibc's read sites (`xor %eax, %eax; syscall; cmp $-4096, %rax`) at
 *   all 16 offsets: results and the cmp's branch, patching, and threads
 *   blocked in a read while its site is patched, interrupted by SA_RESTART
 *   signals, returning where the cmp was;
 * - a program that writes its own bytes over a patched site runs them.
 * The sites are written in assembly so that their bytes are known.
 */
#include <asm/prctl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include "harness.h"

struct site_regs {
	uint64_t rbx, rbp, r12, r13, r14, r15, rdx, rsi, rdi, r8, r9, r10, rcx, r11, rax, flags, xmm0;
};

void regs_site_call(struct site_regs *out);
long getpid_site(void);			/* nop; mov $39, %eax; syscall; ret */
long syscall_at_getpid_site(long nr);	/* the same syscall instruction, with %rax = nr */
long getppid_site(void);		/* mov $110, %eax; syscall; ret: the threads' site */
long getppid_fork_site(void);
long getppid_child_site(void);
extern const uint8_t regs_site_ret[], getppid_child_site_code[], getppid_fork_site_code[];

#define K(n) "movabs $0x" #n #n #n #n #n #n #n #n ", "
__asm__(".text\n"
	".globl regs_site_call\n"
	".p2align 4\n"
	"regs_site_call:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	push %rdi\n"
	"	" K(11) "%rbx\n	" K(22) "%rbp\n	" K(33) "%r12\n	" K(44) "%r13\n"
	"	" K(55) "%r14\n	" K(66) "%r15\n	" K(77) "%rdx\n	" K(88) "%rsi\n"
	"	" K(99) "%rdi\n	" K(aa) "%r8\n	" K(bb) "%r9\n	" K(cc) "%r10\n"
	"	" K(dd) "%rax\n"
	"	movq %rax, %xmm0\n"
	"	stc\n"
	"	std\n"
	"	jmp 1f\n"
	"	.p2align 4\n"
	"1:	nop\n"
	"	mov $39, %eax\n"
	"	syscall\n"
	".globl regs_site_ret\n"
	"regs_site_ret:\n"
	"	pushfq\n"
	"	push %rax\n"
	"	push %rdi\n"
	"	mov 24(%rsp), %rdi\n"
	"	mov %rbx, 0(%rdi)\n mov %rbp, 8(%rdi)\n mov %r12, 16(%rdi)\n mov %r13, 24(%rdi)\n"
	"	mov %r14, 32(%rdi)\n mov %r15, 40(%rdi)\n mov %rdx, 48(%rdi)\n mov %rsi, 56(%rdi)\n"
	"	mov %r8, 72(%rdi)\n mov %r9, 80(%rdi)\n mov %r10, 88(%rdi)\n mov %rcx, 96(%rdi)\n"
	"	mov %r11, 104(%rdi)\n"
	"	pop %rax\n mov %rax, 64(%rdi)\n"
	"	pop %rax\n mov %rax, 112(%rdi)\n"
	"	pop %rax\n mov %rax, 120(%rdi)\n"
	"	movq %xmm0, %rax\n mov %rax, 128(%rdi)\n"
	"	cld\n"
	"	add $8, %rsp\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n"

	".p2align 4\n"
	".globl getpid_site\n"
	"	nop\n"
	"getpid_site:\n"
	"	mov $39, %eax\n"
	"getpid_site_syscall:\n"
	"	syscall\n"
	"	ret\n"
	".globl syscall_at_getpid_site\n"
	"syscall_at_getpid_site:\n"
	"	mov %rdi, %rax\n"
	"	jmp getpid_site_syscall\n"

	/* getppid sites at offsets 10..15 of a 16-byte block: each straddles two blocks. */
	".macro straddling_sites name\n"
	".irp off, 10, 11, 12, 13, 14, 15\n"
	"	.p2align 4\n"
	"	.skip \\off, 0x90\n"
	"	.globl \\name\\()_site_\\off\n"
	"\\name\\()_site_\\off:\n"
	"	mov $110, %eax\n"
	"\\name\\()_syscall_\\off:\n"
	"	syscall\n"
	"	ret\n"
	"	.globl syscall_at_\\name\\()_\\off\n"
	"syscall_at_\\name\\()_\\off:\n"
	"	mov %rdi, %rax\n"
	"	jmp \\name\\()_syscall_\\off\n"
	".endr\n"
	".endm\n"
	"straddling_sites straddle\n"
	"straddling_sites hammered\n"	/* first called by the threads */

	/*
	 * glibc's read: xor %eax,%eax; syscall; cmp $-4096,%rax, at every
	 * offset of a 16-byte block (from 7 on, it straddles two). Returns
	 * what read returned, or 0x7777 where the cmp said it failed.
	 */
	".macro read_sites name\n"
	".irp off, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n"
	"	.p2align 4\n"
	"	.skip \\off, 0x90\n"
	"	.globl \\name\\()_\\off\n"
	"\\name\\()_\\off:\n"
	"	xor %eax, %eax\n"
	"	syscall\n"
	"	cmp $-4096, %rax\n"
	"	ja 1f\n"
	"	ret\n"
	"1:	mov $0x7777, %eax\n"
	"	ret\n"
	".endr\n"
	".endm\n"
	"read_sites read_site\n"
	"read_sites blocking_read_site\n"	/* first called by a thread that blocks */

	".p2align 4\n"
	"	nop\n"
	".globl rewritten_site\n"
	"rewritten_site:\n"
	"	mov $110, %eax\n"
	"	syscall\n"
	"	ret\n"

	".p2align 4\n"
	"	nop\n"
	".globl getppid_site\n"
	"getppid_site:\n"
	"	mov $110, %eax\n"
	"	syscall\n"
	"	ret\n"

	".p2align 4\n"
	"	nop\n"
	".globl getppid_fork_site, getppid_fork_site_code\n"
	"getppid_fork_site:\n"
	"getppid_fork_site_code:\n"
	"	mov $110, %eax\n"
	"	syscall\n"
	"	ret\n"

	".p2align 4\n"
	"	nop\n"
	".globl getppid_child_site, getppid_child_site_code\n"
	"getppid_child_site:\n"
	"getppid_child_site_code:\n"
	"	mov $110, %eax\n"
	"	syscall\n"
	"	ret\n");

static const uint8_t getppid_bytes[7] = { 0xb8, 110, 0, 0, 0, 0x0f, 0x05 };

#define STRADDLE(off) long straddle_site_##off(void); long syscall_at_straddle_##off(long nr);
STRADDLE(10) STRADDLE(11) STRADDLE(12) STRADDLE(13) STRADDLE(14) STRADDLE(15)
long hammered_site_10(void), hammered_site_13(void);
long rewritten_site(void);

#define READ_SITES(name) \
	long name##_0(int, void *, size_t), name##_1(int, void *, size_t), name##_2(int, void *, size_t), \
		name##_3(int, void *, size_t), name##_4(int, void *, size_t), name##_5(int, void *, size_t), \
		name##_6(int, void *, size_t), name##_7(int, void *, size_t), name##_8(int, void *, size_t), \
		name##_9(int, void *, size_t), name##_10(int, void *, size_t), name##_11(int, void *, size_t), \
		name##_12(int, void *, size_t), name##_13(int, void *, size_t), name##_14(int, void *, size_t), \
		name##_15(int, void *, size_t); \
	static long (*const name##s[16])(int, void *, size_t) = { \
		name##_0, name##_1, name##_2, name##_3, name##_4, name##_5, name##_6, name##_7, \
		name##_8, name##_9, name##_10, name##_11, name##_12, name##_13, name##_14, name##_15, \
	};
READ_SITES(read_site)
READ_SITES(blocking_read_site)
#define READ_FAILED 0x7777
#define NR_STRADDLE 6

static long (*const straddle_sites[NR_STRADDLE])(void) = {
	straddle_site_10, straddle_site_11, straddle_site_12,
	straddle_site_13, straddle_site_14, straddle_site_15,
};
static long (*const syscall_at_straddle[NR_STRADDLE])(long) = {
	syscall_at_straddle_10, syscall_at_straddle_11, syscall_at_straddle_12,
	syscall_at_straddle_13, syscall_at_straddle_14, syscall_at_straddle_15,
};

TEST(patch, registers_flags_and_vectors_survive)
{
	for (int i = 0; i < 200; i++) {
		struct site_regs r;

		memset(&r, 0, sizeof(r));
		regs_site_call(&r);
		EXPECT_EQ(r.rax, (uint64_t)getpid());
		EXPECT_EQ(r.rbx, 0x1111111111111111ULL);
		EXPECT_EQ(r.rbp, 0x2222222222222222ULL);
		EXPECT_EQ(r.r12, 0x3333333333333333ULL);
		EXPECT_EQ(r.r13, 0x4444444444444444ULL);
		EXPECT_EQ(r.r14, 0x5555555555555555ULL);
		EXPECT_EQ(r.r15, 0x6666666666666666ULL);
		EXPECT_EQ(r.rdx, 0x7777777777777777ULL);
		EXPECT_EQ(r.rsi, 0x8888888888888888ULL);
		EXPECT_EQ(r.rdi, 0x9999999999999999ULL);
		EXPECT_EQ(r.r8, 0xaaaaaaaaaaaaaaaaULL);
		EXPECT_EQ(r.r9, 0xbbbbbbbbbbbbbbbbULL);
		EXPECT_EQ(r.r10, 0xccccccccccccccccULL);
		EXPECT_EQ(r.xmm0, 0xddddddddddddddddULL);
		EXPECT_EQ(r.rcx, (uint64_t)regs_site_ret);
		EXPECT_EQ(r.r11 & 0x401, 0x401ULL);	/* CF and DF as they were */
		EXPECT_EQ(r.flags & 0x401, 0x401ULL);
		if (harness_case_failed)
			break;
	}
}

TEST(patch, jump_to_the_syscall_instruction_uses_rax)
{
	for (int i = 0; i < 50; i++)
		EXPECT_EQ(getpid_site(), (long)getpid());
	for (int i = 0; i < 50; i++) {
		EXPECT_EQ(syscall_at_getpid_site(SYS_getppid), (long)getppid());
		EXPECT_EQ(syscall_at_getpid_site(SYS_getpid), (long)getpid());
		EXPECT_EQ(syscall_at_getpid_site(SYS_getuid), (long)getuid());
	}
}

#define HAMMER_THREADS 4
#define HAMMER_CALLS 20000

static pthread_barrier_t hammer_start;
static long hammer_expect;
static long (*hammered)(void);
static int hammer_calls;

static void *hammer(void *arg)
{
	long bad = 0;

	(void)arg;
	pthread_barrier_wait(&hammer_start);
	for (int i = 0; i < hammer_calls; i++)
		if (hammered() != hammer_expect)
			bad++;
	return (void *)bad;
}

/* HAMMER_THREADS threads call @site @calls times each, all starting at once: every answer is getppid(). */
static void hammer_site(long (*site)(void), int calls)
{
	pthread_t th[HAMMER_THREADS];

	hammer_expect = getppid();
	hammered = site;
	hammer_calls = calls;
	CHECK(pthread_barrier_init(&hammer_start, NULL, HAMMER_THREADS));
	for (int i = 0; i < HAMMER_THREADS; i++)
		CHECK(pthread_create(&th[i], NULL, hammer, NULL));
	for (int i = 0; i < HAMMER_THREADS; i++) {
		void *bad;

		CHECK(pthread_join(th[i], &bad));
		EXPECT_EQ((long)bad, 0L);
	}
	pthread_barrier_destroy(&hammer_start);
}

TEST(patch, threads_hammer_one_site_while_it_is_patched)
{
	hammer_site(getppid_site, HAMMER_CALLS);
}

TEST(patch, fork_child_and_parent_patch_their_own_copies)
{
	long me = getpid(), parent = getppid();
	pid_t pid;
	int status;

	/* Neither has run getppid_child_site: the child patches it first. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < 2000; i++)
			if (getppid_child_site() != me || getppid_fork_site() != me)
				_exit(1);
		_exit(0);
	}
	for (int i = 0; i < 2000; i++)
		if (getppid_fork_site() != parent)
			break;
	EXPECT_EQ(getppid_fork_site(), parent);
	CHECK(waitpid(pid, &status, 0) == pid);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The child's patch of its copy never reached ours. */
	EXPECT_EQ(memcmp(getppid_child_site_code, getppid_bytes, sizeof(getppid_bytes)), 0);
	EXPECT_EQ(getppid_child_site(), parent);
}

TEST(patch, exec_child_sees_the_original_bytes)
{
	char **argv = child_argv("exec-child", NULL);
	pid_t pid;
	int status;

	for (int i = 0; i < 100; i++)
		EXPECT_EQ(getppid_fork_site(), (long)getppid());
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(getppid_fork_site(), (long)getppid());
}

/* Does this process have a syscall patch table (the platform patches)? */
static bool patch_table_mapped(void)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	CHECK(f ? 0 : -1);
	while (fgets(line, sizeof(line), f))
		found |= strstr(line, "[syscall patches]") != NULL;
	fclose(f);
	return found;
}

TEST(patch, straddling_sites_answer_right_and_are_patched)
{
	long parent = getppid();

	for (int k = 0; k < NR_STRADDLE; k++) {
		const uint8_t *code = (const uint8_t *)straddle_sites[k];

		CHECK(((uintptr_t)code & 15) == (uintptr_t)(10 + k) ? 0 : -1);
		for (int i = 0; i < 100; i++)
			EXPECT_EQ(straddle_sites[k](), parent);
		if (!patch_table_mapped()) {
			EXPECT_EQ(memcmp(code, getppid_bytes, sizeof(getppid_bytes)), 0);
			continue;
		}
		/* jmp *abs32 into the table, whose address's third byte is 0x06 */
		EXPECT_TRUE(code[0] == 0xff && code[1] == 0x24 && code[2] == 0x25);
		EXPECT_EQ(code[5], 0x06);
		EXPECT_EQ(code[6], 0x00);
	}
}

TEST(patch, jump_to_a_straddling_syscall_instruction_uses_rax)
{
	for (int k = 0; k < NR_STRADDLE; k++) {
		for (int i = 0; i < 20; i++)
			EXPECT_EQ(straddle_sites[k](), (long)getppid());
		for (int i = 0; i < 20; i++) {
			EXPECT_EQ(syscall_at_straddle[k](SYS_getpid), (long)getpid());
			EXPECT_EQ(syscall_at_straddle[k](SYS_getuid), (long)getuid());
		}
	}
}

/* Offsets 10 (the syscall instruction split between the blocks) and 13, first called here. */
TEST(patch, threads_hammer_straddling_sites_while_they_are_patched)
{
	hammer_site(hammered_site_10, HAMMER_CALLS / 4);
	hammer_site(hammered_site_13, HAMMER_CALLS / 4);
}

TEST(patch, read_sites_answer_right_and_are_patched)
{
	int fd = CHECK(open("/dev/zero", O_RDONLY));
	bool table = false;

	for (int k = 0; k < 16; k++) {
		const uint8_t *code = (const uint8_t *)read_sites[k];
		uint8_t buf[4];

		CHECK(((uintptr_t)code & 15) == (uintptr_t)k ? 0 : -1);
		for (int i = 0; i < 50; i++) {
			memset(buf, 0xff, sizeof(buf));
			EXPECT_EQ(read_sites[k](fd, buf, 3), 3);
			EXPECT_TRUE(buf[0] == 0 && buf[2] == 0 && buf[3] == 0xff);
			EXPECT_EQ(read_sites[k](-1, buf, 1), READ_FAILED);	/* EBADF: the cmp's branch */
		}
		table = table || patch_table_mapped();
		if (!table) {
			EXPECT_TRUE(code[0] == 0x31 && code[1] == 0xc0 && code[2] == 0x0f && code[4] == 0x48);
			continue;
		}
		/* jmp *abs32 into the table, then ud2 */
		EXPECT_TRUE(code[0] == 0xff && code[1] == 0x24 && code[2] == 0x25);
		EXPECT_TRUE(code[7] == 0x0f && code[8] == 0x0b);
	}
	close(fd);
}

/* The program writes over a site that is (on a patching platform) patched: its own bytes run. */
TEST(patch, program_rewrites_a_patched_site)
{
	static const uint8_t getpid_bytes[7] = { 0xb8, 39, 0, 0, 0, 0x0f, 0x05 };
	static const uint8_t ret42_bytes[7] = { 0xb8, 42, 0, 0, 0, 0xc3, 0x90 };	/* mov $42, %eax; ret */
	volatile uint8_t *code = (volatile uint8_t *)rewritten_site;
	void *page = (void *)((uintptr_t)code & ~4095UL);

	for (int i = 0; i < 20; i++)
		EXPECT_EQ(rewritten_site(), (long)getppid());
	CHECK(mprotect(page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
	for (int i = 0; i < 7; i++)
		code[i] = getpid_bytes[i];
	for (int i = 0; i < 20; i++)
		EXPECT_EQ(rewritten_site(), (long)getpid());
	for (int i = 0; i < 7; i++)
		code[i] = ret42_bytes[i];
	for (int i = 0; i < 20; i++)
		EXPECT_EQ(rewritten_site(), 42L);
	CHECK(mprotect(page, 4096, PROT_READ | PROT_EXEC));
	EXPECT_EQ(rewritten_site(), 42L);
}

static int blocking_fds[2];

static void on_usr1(int sig)
{
	(void)sig;
}

/* Reads one byte from the pipe through site @arg: its first call blocks there. */
static void *blocking_reader(void *arg)
{
	long k = (long)arg;
	char c = 0;
	long r = blocking_read_sites[k](blocking_fds[0], &c, 1);

	return (void *)(r == 1 && c == 'a' + k ? 0L : r == 1 ? 2L : 1L);
}

/*
 * A thread blocks in its site's first read (trapped; the site is patched
 * under it), is interrupted by SA_RESTART signals (the read restarts at
 * the patched site's syscall instruction), and returns to the bytes where
 * the cmp was. A second thread then blocks on the site's fast path, and is
 * interrupted too. Every offset of a 16-byte block.
 */
TEST(patch, blocked_reads_return_through_patched_sites)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	struct timespec pause = { 0, 5000000 };

	CHECK(sigaction(SIGUSR1, &sa, NULL));
	CHECK(pipe(blocking_fds));
	for (long k = 0; k < 16; k++) {
		for (int round = 0; round < 2; round++) {
			pthread_t th;
			void *res;
			char c = (char)('a' + k);

			CHECK(pthread_create(&th, NULL, blocking_reader, (void *)k));
			for (int i = 0; i < 3; i++) {
				nanosleep(&pause, NULL);
				pthread_kill(th, SIGUSR1);
			}
			nanosleep(&pause, NULL);
			CHECK(write(blocking_fds[1], &c, 1));
			CHECK(pthread_join(th, &res));
			EXPECT_EQ((long)res, 0L);
		}
	}
	close(blocking_fds[0]);
	close(blocking_fds[1]);
	signal(SIGUSR1, SIG_DFL);
}

static void *own_gs_thread(void *arg)
{
	static uint64_t gs_area[4] = { 0x1234567890abcdefULL, 2, 3, 4 };
	uint64_t v0, v1;
	long bad = 0;

	(void)arg;
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)gs_area))
		return (void *)-1L;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(v0));
	for (int i = 0; i < 1000; i++)
		if (getppid_site() != hammer_expect || getpid_site() != (long)getpid())
			bad++;
	__asm__ volatile("mov %%gs:8, %0" : "=r"(v1));
	if (v0 != gs_area[0] || v1 != gs_area[1])
		bad += 1000000;
	return (void *)bad;
}

TEST(patch, thread_with_its_own_gs_base)
{
	pthread_t th;
	void *bad;

	hammer_expect = getppid();
	for (int i = 0; i < 10; i++)
		EXPECT_EQ(getppid_site(), hammer_expect);	/* patched before the thread starts */
	CHECK(pthread_create(&th, NULL, own_gs_thread, NULL));
	CHECK(pthread_join(th, &bad));
	EXPECT_EQ((long)bad, 0L);
}

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	volatile double x = 1.5;

	(void)sig;
	x = x * 3.25;	/* use the FP/vector registers in the handler */
	ticks += x > 4.0;
}

TEST(patch, signals_during_patched_calls_keep_fp_state)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 500 }, { 0, 500 } }, off = { { 0, 0 }, { 0, 0 } };
	long expect = getppid(), bad = 0;
	volatile double acc = 0.0;

	ticks = 0;
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	for (int i = 0; i < 200000 && ticks < 20; i++) {
		acc += 0.5;
		if (getppid_site() != expect)
			bad++;
		if (acc != 0.5 * (i + 1))
			bad++;
	}
	CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0);
	signal(SIGALRM, SIG_DFL);
	EXPECT_EQ(bad, 0L);
	EXPECT_TRUE(ticks > 0);
}

int harness_child_main(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[2], "exec-child") != 0)
		return 2;
	/* A fresh image of the program: the parent's patches are not in the file. */
	if (memcmp(getppid_fork_site_code, getppid_bytes, sizeof(getppid_bytes)) != 0)
		return 3;
	for (int i = 0; i < 100; i++)
		if (getppid_fork_site() != getppid())
			return 4;
	return 0;
}
