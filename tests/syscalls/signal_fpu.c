// SPDX-License-Identifier: MIT
/*
 * x87, SSE and AVX state around signal handlers. With all of the x87 stack,
 * the FPU control word, xmm0-15, the ymm upper halves and MXCSR live in
 * registers, a signal arrives (kill, a timer while spinning, a fault the
 * handler repairs); the handler sees exactly those values in its ucontext
 * (uc_mcontext.fpregs and the xsave extension, with both magics), clobbers
 * every register, and after sigreturn all of them are back. Changes the
 * handler makes to the saved state take effect on sigreturn, as on Linux.
 */
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include "harness.h"

#define FP_MAGIC1 0x46505853u
#define FP_MAGIC2 0x46505845u
#define TEST_CW 0x0e7f		/* round toward zero, 53-bit precision, exceptions masked */
#define TEST_MXCSR 0x9fc0	/* FTZ, DAZ, round toward zero, exceptions masked */
#define NEW_MXCSR 0x3f80	/* what the modifying handler writes: round up */

struct fpu_image {
	uint8_t ymm[16][32];
	double st[8];		/* st[0] is loaded last, so it ends up in ST(0) */
	uint32_t mxcsr;
	uint16_t cw;
};

static struct fpu_image want, got;
static volatile int trigger_done;
static volatile int handler_bad;	/* bit mask of what the handler found wrong */
static volatile int handler_runs;
static int modify_in_handler;
static uint32_t avx_offset;		/* of the YMM_Hi128 component in the standard XSAVE layout */
static void *fault_page;
static const struct itimerval arm_2ms = { { 0, 0 }, { 0, 2000 } };

static bool have_avx(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_AVX) || !(c & bit_OSXSAVE))
		return false;
	__cpuid_count(0xd, 2, a, b, c, d);
	avx_offset = b;
	return true;
}

static void fill_want(void)
{
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 32; j++)
			want.ymm[i][j] = (uint8_t)(i * 37 + j * 11 + 1);
	for (int i = 0; i < 8; i++)
		want.st[i] = 1.5 + i * 1000.25;
	want.mxcsr = TEST_MXCSR;
	want.cw = TEST_CW;
}

/* Load every register from want, run TRIGGER with them live, store them all into got. */
#define FPU_AROUND(TRIGGER, ...)						\
	__asm__ volatile(							\
		"fninit\n\t"							\
		"fldl 56+%[st]\n\tfldl 48+%[st]\n\tfldl 40+%[st]\n\tfldl 32+%[st]\n\t" \
		"fldl 24+%[st]\n\tfldl 16+%[st]\n\tfldl 8+%[st]\n\tfldl %[st]\n\t" \
		"fldcw %[cw]\n\t"						\
		"ldmxcsr %[mx]\n\t"						\
		"vmovdqu 0+%[y], %%ymm0\n\tvmovdqu 32+%[y], %%ymm1\n\t"		\
		"vmovdqu 64+%[y], %%ymm2\n\tvmovdqu 96+%[y], %%ymm3\n\t"	\
		"vmovdqu 128+%[y], %%ymm4\n\tvmovdqu 160+%[y], %%ymm5\n\t"	\
		"vmovdqu 192+%[y], %%ymm6\n\tvmovdqu 224+%[y], %%ymm7\n\t"	\
		"vmovdqu 256+%[y], %%ymm8\n\tvmovdqu 288+%[y], %%ymm9\n\t"	\
		"vmovdqu 320+%[y], %%ymm10\n\tvmovdqu 352+%[y], %%ymm11\n\t"	\
		"vmovdqu 384+%[y], %%ymm12\n\tvmovdqu 416+%[y], %%ymm13\n\t"	\
		"vmovdqu 448+%[y], %%ymm14\n\tvmovdqu 480+%[y], %%ymm15\n\t"	\
		TRIGGER								\
		"vmovdqu %%ymm0, 0+%[gy]\n\tvmovdqu %%ymm1, 32+%[gy]\n\t"	\
		"vmovdqu %%ymm2, 64+%[gy]\n\tvmovdqu %%ymm3, 96+%[gy]\n\t"	\
		"vmovdqu %%ymm4, 128+%[gy]\n\tvmovdqu %%ymm5, 160+%[gy]\n\t"	\
		"vmovdqu %%ymm6, 192+%[gy]\n\tvmovdqu %%ymm7, 224+%[gy]\n\t"	\
		"vmovdqu %%ymm8, 256+%[gy]\n\tvmovdqu %%ymm9, 288+%[gy]\n\t"	\
		"vmovdqu %%ymm10, 320+%[gy]\n\tvmovdqu %%ymm11, 352+%[gy]\n\t"	\
		"vmovdqu %%ymm12, 384+%[gy]\n\tvmovdqu %%ymm13, 416+%[gy]\n\t"	\
		"vmovdqu %%ymm14, 448+%[gy]\n\tvmovdqu %%ymm15, 480+%[gy]\n\t"	\
		"stmxcsr %[gmx]\n\t"						\
		"fnstcw %[gcw]\n\t"						\
		"fstpl %[gst]\n\tfstpl 8+%[gst]\n\tfstpl 16+%[gst]\n\tfstpl 24+%[gst]\n\t" \
		"fstpl 32+%[gst]\n\tfstpl 40+%[gst]\n\tfstpl 48+%[gst]\n\tfstpl 56+%[gst]\n\t" \
		"fninit\n\t"							\
		"vzeroupper\n\t"						\
		"ldmxcsr %[dflt]\n\t"						\
		: [gy] "=m"(got.ymm), [gst] "=m"(got.st), [gmx] "=m"(got.mxcsr), \
		  [gcw] "=m"(got.cw)						\
		: [y] "m"(want.ymm), [st] "m"(want.st), [mx] "m"(want.mxcsr),	\
		  [cw] "m"(want.cw), [dflt] "m"(dflt_mxcsr), ##__VA_ARGS__	\
		: "rax", "rdi", "rsi", "rdx", "rcx", "r11", "memory", "cc",	\
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", \
		  "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)")

static const uint32_t dflt_mxcsr = 0x1f80;

/* getpid(), then kill(pid, SIGUSR1). */
#define TRIGGER_KILL \
	"mov $39, %%eax\n\tsyscall\n\tmov %%eax, %%edi\n\tmov $10, %%esi\n\tmov $62, %%eax\n\tsyscall\n\t"
/* setitimer(ITIMER_REAL, 2 ms), then spin until the SIGALRM handler has run. */
#define TRIGGER_TIMER \
	"mov $38, %%eax\n\txor %%edi, %%edi\n\tmov %[itv], %%rsi\n\txor %%edx, %%edx\n\tsyscall\n\t" \
	"1: pause\n\tcmpl $0, %[done]\n\tje 1b\n\t"
/* A store into a PROT_NONE page; the SIGSEGV handler makes it writable and the store is retried. */
#define TRIGGER_FAULT "mov %[page], %%rax\n\tmovl $1, (%%rax)\n\t"

static void check_context(ucontext_t *uc)
{
	struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
	const uint8_t *x = (const uint8_t *)fp;
	uint32_t magic1, extended, xsize, magic2;
	uint64_t xfeatures;
	int bad = 0;

	if (!fp) {
		handler_bad |= 1;
		return;
	}
	if (!(uc->uc_flags & 1))	/* UC_FP_XSTATE */
		bad |= 2;
	if (fp->cwd != TEST_CW)
		bad |= 4;
	if (fp->mxcsr != TEST_MXCSR)
		bad |= 8;
	for (int i = 0; i < 16; i++)
		if (memcmp(&fp->_xmm[i], want.ymm[i], 16))
			bad |= 16;
	for (int i = 0; i < 8; i++) {
		long double v = want.st[i];

		if (memcmp(&fp->_st[i], &v, 10))
			bad |= 32;
	}
	memcpy(&magic1, x + 464, 4);
	memcpy(&extended, x + 468, 4);
	memcpy(&xfeatures, x + 472, 8);
	memcpy(&xsize, x + 480, 4);
	if (magic1 != FP_MAGIC1 || extended != xsize + 4 || !(xfeatures & 4) || xsize < avx_offset + 256) {
		handler_bad |= bad | 64;
		return;
	}
	memcpy(&magic2, x + xsize, 4);
	if (magic2 != FP_MAGIC2)
		bad |= 128;
	for (int i = 0; i < 16; i++)
		if (memcmp(x + avx_offset + 16 * i, want.ymm[i] + 16, 16))
			bad |= 256;
	handler_bad |= bad;
}

/* Change xmm5, ymm5's upper half, MXCSR and the control word in the saved state. */
static void modify_context(ucontext_t *uc)
{
	struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
	uint8_t *x = (uint8_t *)fp;

	memset(&fp->_xmm[5], 0xa5, 16);
	memset(x + avx_offset + 16 * 5, 0x5a, 16);
	fp->mxcsr = NEW_MXCSR;
	fp->cwd = 0x037f;
}

static void clobber_all(void)
{
	static const uint32_t other = 0x1f80;

	__asm__ volatile("fninit\n\tfld1\n\tfld1\n\tfldz\n\t"
			 "vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvpcmpeqd %%ymm1, %%ymm1, %%ymm1\n\t"
			 "vpcmpeqd %%ymm2, %%ymm2, %%ymm2\n\tvpcmpeqd %%ymm3, %%ymm3, %%ymm3\n\t"
			 "vpcmpeqd %%ymm4, %%ymm4, %%ymm4\n\tvpcmpeqd %%ymm5, %%ymm5, %%ymm5\n\t"
			 "vpcmpeqd %%ymm6, %%ymm6, %%ymm6\n\tvpcmpeqd %%ymm7, %%ymm7, %%ymm7\n\t"
			 "vpcmpeqd %%ymm8, %%ymm8, %%ymm8\n\tvpcmpeqd %%ymm9, %%ymm9, %%ymm9\n\t"
			 "vpcmpeqd %%ymm10, %%ymm10, %%ymm10\n\tvpcmpeqd %%ymm11, %%ymm11, %%ymm11\n\t"
			 "vpcmpeqd %%ymm12, %%ymm12, %%ymm12\n\tvpcmpeqd %%ymm13, %%ymm13, %%ymm13\n\t"
			 "vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n\tvpcmpeqd %%ymm15, %%ymm15, %%ymm15\n\t"
			 "ldmxcsr %0\n\tfninit"
			 :
			 : "m"(other)
			 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
			   "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st", "st(1)", "st(2)");
}

__attribute__((target("avx"))) static void on_signal(int sig, siginfo_t *si, void *ucv)
{
	(void)si;
	handler_runs++;
	check_context(ucv);
	if (sig == SIGSEGV && mprotect(fault_page, 4096, PROT_READ | PROT_WRITE))
		handler_bad |= 512;
	if (modify_in_handler)
		modify_context(ucv);
	clobber_all();
	trigger_done = 1;
}

static void expect_intact(void)
{
	EXPECT_EQ(handler_runs, 1);
	EXPECT_EQ(handler_bad, 0);
	for (int i = 0; i < 16; i++) {
		EXPECT_MEMEQ(got.ymm[i], want.ymm[i], 16);
		EXPECT_MEMEQ(got.ymm[i] + 16, want.ymm[i] + 16, 16);
	}
	EXPECT_MEMEQ(got.st, want.st, sizeof(got.st));
	EXPECT_EQ(got.mxcsr, want.mxcsr);
	EXPECT_EQ(got.cw, want.cw);
}

static void setup(int sig)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };

	if (!have_avx())
		SKIP("no AVX on this CPU");
	fill_want();
	memset(&got, 0, sizeof(got));
	trigger_done = 0;
	handler_bad = 0;
	handler_runs = 0;
	modify_in_handler = 0;
	CHECK(sigaction(sig, &sa, NULL));
}

__attribute__((target("avx"))) static void around_kill(void)
{
	FPU_AROUND(TRIGGER_KILL);
}

__attribute__((target("avx"))) static void around_timer(void)
{
	FPU_AROUND(TRIGGER_TIMER, [itv] "r"(&arm_2ms), [done] "m"(trigger_done));
}

__attribute__((target("avx"))) static void around_fault(void)
{
	FPU_AROUND(TRIGGER_FAULT, [page] "m"(fault_page));
}

TEST(signal_fpu, kill_keeps_x87_sse_avx)
{
	setup(SIGUSR1);
	around_kill();
	expect_intact();
	signal(SIGUSR1, SIG_DFL);
}

TEST(signal_fpu, timer_while_spinning_keeps_x87_sse_avx)
{
	setup(SIGALRM);
	around_timer();
	expect_intact();
	signal(SIGALRM, SIG_DFL);
}

TEST(signal_fpu, fault_keeps_x87_sse_avx)
{
	setup(SIGSEGV);
	fault_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(fault_page == MAP_FAILED ? -1 : 0);
	around_fault();
	expect_intact();
	EXPECT_EQ(*(int *)fault_page, 1);
	munmap(fault_page, 4096);
	signal(SIGSEGV, SIG_DFL);
}

/* What the handler writes into uc_mcontext.fpregs (and the xsave extension) is what sigreturn loads. */
TEST(signal_fpu, handler_changes_take_effect)
{
	setup(SIGUSR1);
	modify_in_handler = 1;
	around_kill();
	EXPECT_EQ(handler_runs, 1);
	EXPECT_EQ(handler_bad, 0);
	for (int i = 0; i < 16; i++) {
		uint8_t lo[16], hi[16];

		memcpy(lo, want.ymm[i], 16);
		memcpy(hi, want.ymm[i] + 16, 16);
		if (i == 5) {
			memset(lo, 0xa5, 16);
			memset(hi, 0x5a, 16);
		}
		EXPECT_MEMEQ(got.ymm[i], lo, 16);
		EXPECT_MEMEQ(got.ymm[i] + 16, hi, 16);
	}
	EXPECT_EQ(got.mxcsr, NEW_MXCSR);
	EXPECT_EQ(got.cw, 0x037f);
	EXPECT_MEMEQ(got.st, want.st, sizeof(got.st));
	signal(SIGUSR1, SIG_DFL);
}

/*
 * A frame fits an 8 KiB alternate stack, as it does on Linux, whose frames
 * leave out AMX tile data the process never enabled. Below the stack is a
 * guard page, so a frame that overflows it would fault.
 */
TEST(signal_fpu, frame_fits_small_altstack)
{
	pid_t pid;

	if (!have_avx())
		SKIP("no AVX on this CPU");
	pid = CHECK(fork());
	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_ONSTACK };
		uint8_t *area = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		stack_t ss;

		if (area == MAP_FAILED || mprotect(area, 4096, PROT_NONE))
			_exit(20);
		ss.ss_sp = area + 4096;
		ss.ss_size = 2 * 4096;
		ss.ss_flags = 0;
		if (sigaltstack(&ss, NULL) || sigaction(SIGUSR1, &sa, NULL))
			_exit(21);
		fill_want();
		handler_runs = handler_bad = modify_in_handler = 0;
		around_kill();
		if (handler_runs != 1 || handler_bad)
			_exit(22);
		for (int i = 0; i < 16; i++)
			if (memcmp(got.ymm[i], want.ymm[i], 32))
				_exit(23);
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}
