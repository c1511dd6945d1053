// SPDX-License-Identifier: MIT
/*
 * Readiness: poll, ppoll, select, pselect6. Each file reports its ready mask
 * and the wait queue that announces changes; the caller sleeps on all of
 * them at once. Host-backed files (stdio) have no queue and are re-polled
 * every few milliseconds while someone waits on them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include "abi/linux/misc.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

#define HOST_REPOLL_NS 5000000ULL
#define DEFAULT_MASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

struct poll_set {
	struct waitq **queues;
	size_t nr, cap;
	bool host;		/* a file without a queue is being waited on */
};

static void remember_queue(struct poll_set *ps, struct waitq *wq)
{
	if (!wq) {
		ps->host = true;
		return;
	}
	for (size_t k = 0; k < ps->nr; k++)
		if (ps->queues[k] == wq)
			return;
	if (ps->nr == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 8;
		ps->queues = xrealloc(ps->queues, ps->cap * sizeof(*ps->queues));
	}
	ps->queues[ps->nr++] = wq;
}

/* The ready mask of @fd: POLLNVAL if it is not open. */
static unsigned file_mask(struct task *t, int fd, struct poll_set *ps)
{
	struct file *f = fdget(t, fd);
	struct waitq *wq = NULL;
	unsigned mask;

	if (!f)
		return POLLNVAL;
	if (f->ops && f->ops->poll) {
		mask = f->ops->poll(f, &wq);
		if (ps)
			remember_queue(ps, wq);
	} else {
		mask = DEFAULT_MASK;
	}
	file_put(f);
	return mask;
}

/* Sleep until something on @ps may have changed or @deadline passes: 0, -ETIMEDOUT or -EINTR. */
static int poll_sleep(struct task *t, struct poll_set *ps, uint64_t deadline)
{
	struct waiter *w = ps->nr ? xmalloc(ps->nr * sizeof(*w)) : NULL;
	uint64_t until = deadline;
	int err;

	if (ps->host) {
		uint64_t soon = monotonic_ns() + HOST_REPOLL_NS;

		until = MIN(until, soon);
	}
	for (size_t k = 0; k < ps->nr; k++)
		waitq_add(ps->queues[k], &w[k], t);
	err = task_sleep(t, until);
	for (size_t k = 0; k < ps->nr; k++)
		waitq_del(&w[k]);
	free(w);
	if (err == -ETIMEDOUT && until != deadline)
		err = 0;
	return err;
}

/* Fills in readiness for one pass, registering queues in @ps; returns how many are ready. */
typedef long (*scan_fn)(struct task *t, struct poll_set *ps, void *arg);

/* Scan, sleep, rescan until something is ready or @deadline passes: ready count or -errno. */
static long wait_ready(struct task *t, scan_fn scan, void *arg, uint64_t deadline)
{
	struct poll_set ps = { 0 };
	long ready;
	int err = 0;

	for (;;) {
		ps.nr = 0;
		ps.host = false;
		ready = scan(t, &ps, arg);
		if (ready || deadline == 0)
			break;
		err = poll_sleep(t, &ps, deadline);
		if (err == -ETIMEDOUT) {
			err = 0;
			break;
		}
		if (err)
			break;
	}
	free(ps.queues);
	if (err == -EINTR)
		return -ERESTARTNOHAND;
	return err ? err : ready;
}

static uint64_t deadline_from_ms(int ms)
{
	return ms < 0 ? DEADLINE_NONE : monotonic_ns() + (uint64_t)ms * 1000000ULL;
}

struct poll_arg {
	struct linux_pollfd *fds;
	uint64_t nfds;
};

static long poll_scan(struct task *t, struct poll_set *ps, void *arg)
{
	struct poll_arg *pa = arg;
	long ready = 0;

	for (uint64_t k = 0; k < pa->nfds; k++) {
		struct linux_pollfd *p = &pa->fds[k];

		if (p->fd < 0) {
			p->revents = 0;
			continue;
		}
		p->revents = (int16_t)(file_mask(t, p->fd, ps) & ((uint16_t)p->events | POLLERR | POLLHUP | POLLNVAL));
		if (p->revents)
			ready++;
	}
	return ready;
}

static long do_poll(struct task *t, uptr_t ufds, uint64_t nfds, uint64_t deadline)
{
	struct poll_arg pa = { .nfds = nfds };
	long ret;

	if (nfds > t->tg->rlimits[RLIMIT_NOFILE].rlim_cur)	/* as Linux: the current limit, however low */
		return -EINVAL;
	pa.fds = nfds ? malloc(nfds * sizeof(*pa.fds)) : NULL;
	if (nfds && !pa.fds)
		return -ENOMEM;
	if (nfds && copy_in(t, pa.fds, ufds, nfds * sizeof(*pa.fds))) {
		free(pa.fds);
		return -EFAULT;
	}
	ret = wait_ready(t, poll_scan, &pa, deadline);
	if (ret >= 0 && nfds && copy_out(t, ufds, pa.fds, nfds * sizeof(*pa.fds)))
		ret = -EFAULT;
	free(pa.fds);
	return ret;
}

/* poll(2) */
long sys_poll(struct task *t, const struct syscall_args *a)
{
	int ms = arg_int(a, 2);

	return do_poll(t, arg_uptr(a, 0), arg_uint(a, 1), ms == 0 ? 0 : deadline_from_ms(ms));
}

/* A relative timespec (NULL = forever) as a deadline; -EINVAL or -EFAULT. */
static int timeout_deadline(struct task *t, uptr_t uts, uint64_t *deadline)
{
	struct linux_timespec ts;

	if (!uts.a) {
		*deadline = DEADLINE_NONE;
		return 0;
	}
	if (copy_in_obj(t, &ts, uts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	*deadline = (ts.tv_sec == 0 && ts.tv_nsec == 0)
			    ? 0
			    : monotonic_ns() + (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	return 0;
}

/* ppoll(2) */
long sys_ppoll(struct task *t, const struct syscall_args *a)
{
	uint64_t deadline;
	int err = timeout_deadline(t, arg_uptr(a, 2), &deadline);

	if (!err)
		err = install_temp_sigmask(t, arg_uptr(a, 3), arg_u64(a, 4));
	if (err)
		return err;
	return do_poll(t, arg_uptr(a, 0), arg_uint(a, 1), deadline);
}

static bool bit_is_set(const uint64_t *set, int fd)
{
	return set[fd / 64] & (1ULL << (fd % 64));
}

/* in, out and ex sets of select(), each @words long */
struct fdsets {
	uint64_t *in, *out, *ex;
};

struct select_arg {
	int nfds;
	size_t words;
	struct fdsets want, got;
};

static long select_scan(struct task *t, struct poll_set *ps, void *arg)
{
	struct select_arg *sa = arg;
	long ready = 0;

	memset(sa->got.in, 0, 3 * sa->words * sizeof(uint64_t));
	for (int fd = 0; fd < sa->nfds; fd++) {
		bool in = bit_is_set(sa->want.in, fd), out = bit_is_set(sa->want.out, fd);
		bool ex = bit_is_set(sa->want.ex, fd);
		uint64_t bit = 1ULL << (fd % 64);
		unsigned mask;

		if (!in && !out && !ex)
			continue;
		mask = file_mask(t, fd, ps);
		if (in && (mask & (POLLIN | POLLRDNORM | POLLHUP | POLLERR))) {
			sa->got.in[fd / 64] |= bit;
			ready++;
		}
		if (out && (mask & (POLLOUT | POLLWRNORM | POLLERR))) {
			sa->got.out[fd / 64] |= bit;
			ready++;
		}
		if (ex && (mask & POLLPRI)) {
			sa->got.ex[fd / 64] |= bit;
			ready++;
		}
	}
	return ready;
}

/*
 * Like Linux's core_sys_select(): only a negative nfds is EINVAL; a larger
 * one is cut to the size of the fd table (max_fds), whose bits are all that
 * is read and written back. The table is at most RLIMIT_NOFILE's hard limit
 * long, which bounds the sets allocated here.
 */
static long do_select(struct task *t, int nfds, uptr_t uin, uptr_t uout, uptr_t uex, uint64_t deadline)
{
	struct select_arg sa = { 0 };
	size_t bytes;
	uint64_t *mem;
	long ret = 0;

	if (nfds < 0)
		return -EINVAL;
	if (nfds > t->fds->size)
		nfds = t->fds->size;
	sa.nfds = nfds;
	sa.words = ((size_t)nfds + 63) / 64;
	bytes = sa.words * 8;	/* Linux copies whole longs (FDS_BYTES) */
	mem = xzalloc(6 * sa.words * sizeof(uint64_t) + 1);
	sa.want = (struct fdsets){ mem, mem + sa.words, mem + 2 * sa.words };
	sa.got = (struct fdsets){ mem + 3 * sa.words, mem + 4 * sa.words, mem + 5 * sa.words };
	if ((uin.a && copy_in(t, sa.want.in, uin, bytes)) || (uout.a && copy_in(t, sa.want.out, uout, bytes)) ||
	    (uex.a && copy_in(t, sa.want.ex, uex, bytes)))
		ret = -EFAULT;
	/* bits past nfds in the last long are not asked for */
	for (int fd = nfds; fd < (int)(sa.words * 64) && !ret; fd++) {
		uint64_t keep = ~(1ULL << (fd % 64));

		sa.want.in[fd / 64] &= keep;
		sa.want.out[fd / 64] &= keep;
		sa.want.ex[fd / 64] &= keep;
	}
	for (int fd = 0; fd < nfds && !ret; fd++) {
		if (bit_is_set(sa.want.in, fd) || bit_is_set(sa.want.out, fd) || bit_is_set(sa.want.ex, fd)) {
			struct file *f = fdget(t, fd);

			if (!f)
				ret = -EBADF;
			else
				file_put(f);
		}
	}
	if (!ret)
		ret = wait_ready(t, select_scan, &sa, deadline);
	if (ret >= 0 && ((uin.a && copy_out(t, uin, sa.got.in, bytes)) ||
			 (uout.a && copy_out(t, uout, sa.got.out, bytes)) ||
			 (uex.a && copy_out(t, uex, sa.got.ex, bytes))))
		ret = -EFAULT;
	free(mem);
	return ret;
}

/* select(2) */
long sys_select(struct task *t, const struct syscall_args *a)
{
	struct linux_timeval tv;
	uint64_t deadline = DEADLINE_NONE;

	if (arg_u64(a, 4)) {
		if (copy_in_obj(t, &tv, arg_uptr(a, 4)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		deadline = (tv.tv_sec == 0 && tv.tv_usec == 0)
				   ? 0
				   : monotonic_ns() + (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * 1000;
	}
	return do_select(t, arg_int(a, 0), arg_uptr(a, 1), arg_uptr(a, 2), arg_uptr(a, 3), deadline);
}

/* pselect6(2): the sixth argument points at { const sigset_t *ss; size_t ss_len; }. */
long sys_pselect6(struct task *t, const struct syscall_args *a)
{
	uint64_t deadline, sigarg[2] = { 0, 0 };
	int err = timeout_deadline(t, arg_uptr(a, 4), &deadline);

	if (err)
		return err;
	if (arg_u64(a, 5) && copy_in(t, sigarg, arg_uptr(a, 5), sizeof(sigarg)))
		return -EFAULT;
	err = install_temp_sigmask(t, uptr(sigarg[0]), sigarg[1]);
	if (err)
		return err;
	return do_select(t, arg_int(a, 0), arg_uptr(a, 1), arg_uptr(a, 2), arg_uptr(a, 3), deadline);
}
