// SPDX-License-Identifier: MIT
/*
 * Synchronous signals reach handlers with the right siginfo: SIGSEGV with
 * si_addr (SEGV_MAPERR and SEGV_ACCERR), SIGFPE from integer division by
 * zero, SIGILL from ud2, SIGTRAP from int3; a fault with SIGSEGV blocked
 * kills with SIGSEGV; the handler runs on an alternate stack with SA_ONSTACK.
 */
#include <setjmp.h>
#include <stdint.h>
#include <signal.h>
#include <sys/mman.h>
#include "harness.h"

static sigjmp_buf env;
static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile int on_alt;
static char altstack[65536];
/* wild addresses, laundered so the compiler does not flag the deliberate faults */
static volatile uintptr_t wild_lo = 0x10, wild_mid = 0x20;

static void handler(int sig, siginfo_t *si, void *uc)
{
	char here;

	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	on_alt = &here >= altstack && &here < altstack + sizeof(altstack);
	siglongjmp(env, 1);
}

static void catch(int sig, int flags)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | flags };

	CHECK(sigaction(sig, &sa, NULL));
	got_sig = got_code = 0;
	got_addr = NULL;
}

TEST(signal_sync, segv_maperr_and_accerr)
{
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	catch(SIGSEGV, 0);
	if (!sigsetjmp(env, 1))
		*(volatile int *)0x1230 = 1;
	EXPECT_EQ(got_sig, SIGSEGV);
	EXPECT_EQ(got_code, SEGV_MAPERR);
	EXPECT_TRUE(got_addr == (void *)0x1230);
	catch(SIGSEGV, 0);
	if (!sigsetjmp(env, 1))
		ro[8] = 1;
	EXPECT_EQ(got_code, SEGV_ACCERR);
	EXPECT_TRUE(got_addr == ro + 8);
	munmap(ro, 4096);
	signal(SIGSEGV, SIG_DFL);
}

TEST(signal_sync, fpe_ill_trap)
{
	volatile int zero = 0;

	catch(SIGFPE, 0);
	if (!sigsetjmp(env, 1))
		got_code = 10 / zero;
	EXPECT_EQ(got_sig, SIGFPE);
	EXPECT_EQ(got_code, FPE_INTDIV);
	catch(SIGILL, 0);
	if (!sigsetjmp(env, 1))
		__asm__ volatile("ud2");
	EXPECT_EQ(got_sig, SIGILL);
	EXPECT_EQ(got_code, ILL_ILLOPN);
	catch(SIGTRAP, 0);
	if (!sigsetjmp(env, 1))
		__asm__ volatile("int3");
	EXPECT_EQ(got_sig, SIGTRAP);
	EXPECT_EQ(got_code, SI_KERNEL);
	signal(SIGFPE, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
}

TEST(signal_sync, alternate_stack)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };

	CHECK(sigaltstack(&ss, NULL));
	catch(SIGSEGV, SA_ONSTACK);
	on_alt = 0;
	if (!sigsetjmp(env, 1))
		*(volatile int *)wild_lo = 1;
	EXPECT_EQ(got_sig, SIGSEGV);
	EXPECT_EQ(on_alt, 1);
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL));
	signal(SIGSEGV, SIG_DFL);
}

TEST(signal_sync, blocked_fault_kills)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGSEGV);
		sigprocmask(SIG_BLOCK, &set, NULL);
		catch(SIGSEGV, 0);
		*(volatile int *)wild_mid = 1;
		_exit(0);
	}
	EXPECT_SIGNALED(wait_status(pid), SIGSEGV);
}

TEST(rt_sigtimedwait, takes_a_blocked_signal)
{
	sigset_t set;
	siginfo_t si;
	struct timespec ts = { 0, 20000000 };

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL));
	EXPECT_ERRNO(sigtimedwait(&set, &si, &ts), EAGAIN);
	CHECK(kill(getpid(), SIGUSR2));
	EXPECT_RET(sigtimedwait(&set, &si, &ts), SIGUSR2);
	EXPECT_EQ(si.si_signo, SIGUSR2);
	EXPECT_EQ(si.si_code, SI_USER);
	EXPECT_EQ(si.si_pid, getpid());
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL));
}

TEST(rt_sigqueueinfo, value_arrives)
{
	sigset_t set;
	siginfo_t si;
	union sigval v = { .sival_int = 1234 };

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL));
	EXPECT_RET(sigqueue(getpid(), SIGRTMIN, v), 0);
	EXPECT_RET(sigwaitinfo(&set, &si), SIGRTMIN);
	EXPECT_EQ(si.si_code, SI_QUEUE);
	EXPECT_EQ(si.si_value.sival_int, 1234);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL));
}
