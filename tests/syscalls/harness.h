// SPDX-License-Identifier: MIT
/*
 * harness.h - single-header framework for cvisor's differential syscall
 * tests. Each tests/syscalls/<syscall>.c is one static program that includes
 * this header and defines cases with TEST(suite, name). The header provides
 * main(): it runs every case in source order, prints `ok <suite>.<name>` or
 * one `FAIL <suite>.<name>: <file>:<line>: <what>` line per failed
 * expectation, then `N passed, N failed`, and exits 0 only if all passed.
 * A failed EXPECT_* marks the case failed and carries on; CHECK() and SKIP()
 * end the case at once (longjmp back to the runner, or _exit() in a forked
 * child). After each case the runner restores the working directory and the
 * umask. tmp_path() hands out paths in a per-case directory inside one
 * mkdtemp() scratch directory, removed at exit. `prog <filter>` runs only the
 * cases whose `suite.name` contains <filter>; `prog --child ...` calls the
 * file's harness_child_main() instead, for tests that re-exec themselves.
 * Built with -D_GNU_SOURCE (meson.build passes it) and glibc >= 2.32.
 */
#ifndef CVISOR_TESTS_SYSCALLS_HARNESS_H
#define CVISOR_TESTS_SYSCALLS_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define HARNESS_MAX_CASES	256
#define HARNESS_CHILD_ARG	"--child"
/* Exit status of a forked child whose CHECK() or SKIP() ended it. */
#define HARNESS_CHILD_BAILED	125

struct harness_case {
	const char *suite;
	const char *name;
	void (*fn)(void);
	int line;
};

static struct harness_case harness_cases[HARNESS_MAX_CASES];
static int harness_ncases;
static const struct harness_case *harness_current;
static bool harness_case_failed;
static bool harness_case_skipped;
static bool harness_case_dir_made;
static jmp_buf harness_abort;
static pid_t harness_pid;		/* the runner; forked children differ */
static const char *harness_argv0;
static char harness_scratch[PATH_MAX];	/* "" until first tmp_path() */
static char harness_cwd[PATH_MAX];	/* "" if getcwd() failed at start */

/*
 * A file that re-executes itself defines this; `prog --child args...` then
 * returns its result from main() instead of running the cases.
 */
int harness_child_main(int argc, char **argv) __attribute__((weak));

static inline void harness_register(const char *suite, const char *name,
				    void (*fn)(void), int line)
{
	if (harness_ncases == HARNESS_MAX_CASES) {
		fprintf(stderr, "harness: more than %d cases\n",
			HARNESS_MAX_CASES);
		exit(2);
	}
	harness_cases[harness_ncases++] =
		(struct harness_case){ suite, name, fn, line };
}

#define TEST(suite, name)							\
	static void test_##suite##_##name(void);				\
	__attribute__((constructor)) static void register_##suite##_##name(void) \
	{									\
		harness_register(#suite, #name, test_##suite##_##name, __LINE__); \
	}									\
	static void test_##suite##_##name(void)

static inline const char *harness_errname(int err)
{
	const char *s = err ? strerrorname_np(err) : "0";

	return s ? s : "E?";
}

static inline const char *harness_basename(const char *file)
{
	const char *s = strrchr(file, '/');

	return s ? s + 1 : file;
}

__attribute__((format(printf, 3, 4)))
static inline void harness_fail(const char *file, int line,
				const char *fmt, ...)
{
	const struct harness_case *c = harness_current;
	va_list ap;

	harness_case_failed = true;
	printf("FAIL %s.%s: %s:%d: ", c ? c->suite : "?", c ? c->name : "?",
	       harness_basename(file), line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Ends the current case: back to the runner, or out of a forked child. */
__attribute__((noreturn))
static inline void harness_bail(void)
{
	if (getpid() != harness_pid) {
		fflush(stdout);
		_exit(HARNESS_CHILD_BAILED);
	}
	longjmp(harness_abort, 1);
}

#define EXPECT_RET(expr, val)							\
	do {									\
		errno = 0;							\
		long h_got_ = (long)(expr);					\
		int h_err_ = errno;						\
		long h_want_ = (long)(val);					\
		if (h_got_ != h_want_)						\
			harness_fail(__FILE__, __LINE__,			\
				     "%s returned %ld (errno %s/%d), expected %ld", \
				     #expr, h_got_, harness_errname(h_err_),	\
				     h_err_, h_want_);				\
	} while (0)

#define EXPECT_ERRNO(expr, err)							\
	do {									\
		errno = 0;							\
		long h_got_ = (long)(expr);					\
		int h_err_ = errno;						\
		int h_want_ = (err);						\
		if (h_got_ != -1 || h_err_ != h_want_)				\
			harness_fail(__FILE__, __LINE__,			\
				     "%s returned %ld (errno %s/%d), expected -1 (errno %s/%d)", \
				     #expr, h_got_, harness_errname(h_err_),	\
				     h_err_, harness_errname(h_want_), h_want_); \
	} while (0)

#define EXPECT_TRUE(cond)							\
	do {									\
		if (!(cond))							\
			harness_fail(__FILE__, __LINE__, "expected %s", #cond);	\
	} while (0)

#define EXPECT_EQ(a, b)								\
	do {									\
		long long h_a_ = (long long)(a);				\
		long long h_b_ = (long long)(b);				\
		if (h_a_ != h_b_)						\
			harness_fail(__FILE__, __LINE__,			\
				     "%s == %s: %lld (%#llx) != %lld (%#llx)",	\
				     #a, #b, h_a_, h_a_, h_b_, h_b_);		\
	} while (0)

#define EXPECT_STREQ(a, b)							\
	do {									\
		const char *h_a_ = (a);						\
		const char *h_b_ = (b);						\
		if (!h_a_ || !h_b_ || strcmp(h_a_, h_b_))			\
			harness_fail(__FILE__, __LINE__,			\
				     "%s == %s: \"%s\" != \"%s\"", #a, #b,	\
				     h_a_ ? h_a_ : "(null)",			\
				     h_b_ ? h_b_ : "(null)");			\
	} while (0)

#define EXPECT_MEMEQ(a, b, n)							\
	do {									\
		if (memcmp((a), (b), (n)))					\
			harness_fail(__FILE__, __LINE__,			\
				     "%s and %s differ in their first %zu bytes", \
				     #a, #b, (size_t)(n));			\
	} while (0)

/* Evaluates to @expr; ends the case if it is -1 (or MAP_FAILED). */
#define CHECK(expr)								\
	__extension__ ({							\
		__typeof__(expr) h_r_ = (expr);					\
		if ((long)h_r_ == -1) {						\
			int h_err_ = errno;					\
			harness_fail(__FILE__, __LINE__, "%s failed: %s/%d",	\
				     #expr, harness_errname(h_err_), h_err_);	\
			harness_bail();						\
		}								\
		h_r_;								\
	})

/* Ends the case without failing it, for a missing prerequisite. */
#define SKIP(...)								\
	do {									\
		harness_case_skipped = true;					\
		printf("skip %s.%s: ", harness_current->suite,			\
		       harness_current->name);					\
		printf(__VA_ARGS__);						\
		printf("\n");							\
		harness_bail();							\
	} while (0)

/* Waits for @pid and returns its wait status; ends the case on error. */
#define wait_status(pid)							\
	__extension__ ({							\
		int h_st_ = 0;							\
		if (waitpid((pid), &h_st_, 0) == -1) {				\
			int h_err_ = errno;					\
			harness_fail(__FILE__, __LINE__, "waitpid(%s): %s",	\
				     #pid, harness_errname(h_err_));		\
			harness_bail();						\
		}								\
		h_st_;								\
	})

#define EXPECT_EXITED(status, code)						\
	do {									\
		int h_s_ = (status);						\
		if (!WIFEXITED(h_s_) || WEXITSTATUS(h_s_) != (code))		\
			harness_fail(__FILE__, __LINE__,			\
				     "wait status %#x: expected exit(%d)%s",	\
				     h_s_, (code), WIFSIGNALED(h_s_) ?		\
				     ", got a signal" : "");			\
	} while (0)

#define EXPECT_SIGNALED(status, sig)						\
	do {									\
		int h_s_ = (status);						\
		if (!WIFSIGNALED(h_s_) || WTERMSIG(h_s_) != (sig))		\
			harness_fail(__FILE__, __LINE__,			\
				     "wait status %#x: expected death by signal %d", \
				     h_s_, (sig));				\
	} while (0)

/* A path that executes this program again: /proc/self/exe or argv[0]. */
static inline const char *harness_self(void)
{
	if (access("/proc/self/exe", X_OK) == 0)
		return "/proc/self/exe";
	return harness_argv0;
}

/*
 * child_argv - argv for execve() of this program in child mode:
 * { harness_self(), HARNESS_CHILD_ARG, args..., NULL }. Build it before
 * fork()/vfork(); it is malloc()ed and never freed.
 */
__attribute__((sentinel))
static inline char **child_argv(const char *arg, ...)
{
	char **argv = calloc(32, sizeof(*argv));
	const char *s;
	va_list ap;
	int n = 0;

	if (!argv) {
		harness_fail(__FILE__, __LINE__, "calloc: out of memory");
		harness_bail();
	}
	argv[n++] = strdup(harness_self());
	argv[n++] = strdup(HARNESS_CHILD_ARG);
	va_start(ap, arg);
	for (s = arg; s && n < 31; s = va_arg(ap, const char *))
		argv[n++] = strdup(s);
	va_end(ap);
	return argv;
}

static inline void harness_make_scratch(void)
{
	const char *dir = getenv("TMPDIR");
	const char *prog = harness_basename(harness_argv0);

	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(harness_scratch, sizeof(harness_scratch),
		 "%s/cvisor-%s-XXXXXX", dir, prog);
	if (!mkdtemp(harness_scratch)) {
		int err = errno;

		harness_scratch[0] = '\0';
		harness_fail(__FILE__, __LINE__, "mkdtemp under %s: %s", dir,
			     harness_errname(err));
		harness_bail();
	}
}

/*
 * tmp_path - @name inside this case's own scratch directory, which is created
 * on first use. Returns a malloc()ed string that is never freed.
 */
static inline char *tmp_path(const char *name)
{
	char *p;

	if (!harness_scratch[0])
		harness_make_scratch();
	if (asprintf(&p, "%s/%s.%s", harness_scratch, harness_current->suite,
		     harness_current->name) < 0) {
		harness_fail(__FILE__, __LINE__, "asprintf: out of memory");
		harness_bail();
	}
	if (!harness_case_dir_made) {
		if (mkdir(p, 0700) && errno != EEXIST) {
			harness_fail(__FILE__, __LINE__, "mkdir %s: %s", p,
				     harness_errname(errno));
			harness_bail();
		}
		harness_case_dir_made = true;
	}
	free(p);
	if (asprintf(&p, "%s/%s.%s/%s", harness_scratch, harness_current->suite,
		     harness_current->name, name) < 0) {
		harness_fail(__FILE__, __LINE__, "asprintf: out of memory");
		harness_bail();
	}
	return p;
}

static inline int harness_rm_one(const char *path, const struct stat *st,
				 int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static inline void harness_cleanup(void)
{
	if (getpid() != harness_pid || !harness_scratch[0])
		return;
	nftw(harness_scratch, harness_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	harness_scratch[0] = '\0';
}

/*
 * Puts the working directory back if a case moved it. Costs only a getcwd()
 * for cases that did not, so that a kernel without chdir can still run them.
 */
static inline void harness_restore_cwd(void)
{
	char now[PATH_MAX];

	if (!harness_cwd[0])
		return;		/* unknown at start: nothing to go back to */
	if (getcwd(now, sizeof(now)) && strcmp(now, harness_cwd) == 0)
		return;
	if (chdir(harness_cwd))
		harness_fail(__FILE__, __LINE__, "cannot return to %s: %s",
			     harness_cwd, harness_errname(errno));
}

static inline int harness_by_line(const void *a, const void *b)
{
	return ((const struct harness_case *)a)->line -
	       ((const struct harness_case *)b)->line;
}

int main(int argc, char **argv)
{
	static int i, passed, failed, skipped;
	const char *filter = argc > 1 ? argv[1] : NULL;
	char full[512];
	mode_t mask;

	harness_argv0 = argv[0];
	harness_pid = getpid();
	if (filter && strcmp(filter, HARNESS_CHILD_ARG) == 0) {
		if (!harness_child_main) {
			fprintf(stderr, "%s: no child mode\n", argv[0]);
			return 2;
		}
		return harness_child_main(argc, argv);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	atexit(harness_cleanup);
	qsort(harness_cases, harness_ncases, sizeof(harness_cases[0]),
	      harness_by_line);
	if (!getcwd(harness_cwd, sizeof(harness_cwd)))
		harness_cwd[0] = '\0';
	mask = umask(022);
	umask(mask);

	for (i = 0; i < harness_ncases; i++) {
		harness_current = &harness_cases[i];
		snprintf(full, sizeof(full), "%s.%s", harness_current->suite,
			 harness_current->name);
		if (filter && !strstr(full, filter))
			continue;
		harness_case_failed = false;
		harness_case_skipped = false;
		harness_case_dir_made = false;
		if (!setjmp(harness_abort))
			harness_current->fn();
		harness_restore_cwd();
		umask(mask);
		if (harness_case_failed) {
			failed++;
		} else if (harness_case_skipped) {
			skipped++;
		} else {
			passed++;
			printf("ok %s\n", full);
		}
	}
	harness_current = NULL;
	if (skipped)
		printf("%d passed, %d failed (%d skipped)\n", passed, failed,
		       skipped);
	else
		printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif /* CVISOR_TESTS_SYSCALLS_HARNESS_H */
