// SPDX-License-Identifier: MIT
/* Futex wait queues: WAIT/WAKE with bitsets, REQUEUE/CMP_REQUEUE, WAKE_OP. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <stdlib.h>
#include "lib/list.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

struct futex_key {
	const void *space;	/* the mm (private) or NULL (shared: keyed by frame offset) */
	uint64_t where;		/* guest address, or memory-file offset of the word */
};

struct futex_waiter {
	struct list_head node;
	struct futex_key key;
	uint32_t bitset;
	struct task *t;
	bool woken;
	bool pi;		/* waits for ownership of a PI futex */
};

static struct list_head g_futex_waiters = LIST_HEAD_INIT(g_futex_waiters);

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->where == b->where;
}

/* Shared futexes in shared mappings are keyed by the page itself. */
static int make_key(struct task *t, uint64_t addr, bool shared, struct futex_key *key)
{
	struct vma *v;
	uint8_t *p;

	if (addr & 3)
		return -EINVAL;
	v = mm_find_vma(t->mm, addr);
	if (!v)
		return -EFAULT;
	if (shared && (v->flags & VMA_SHARED)) {
		if (mm_translate(t->mm, addr, false, false, &p))
			return -EFAULT;
		key->space = NULL;
		key->where = (uint64_t)(p - g_memfile.base);
	} else {
		key->space = t->mm;
		key->where = addr;
	}
	return 0;
}

static int load_word(struct task *t, uint64_t addr, uint32_t *val)
{
	return copy_in(t, val, uptr(addr), sizeof(*val)) ? -EFAULT : 0;
}

int futex_wait(struct task *t, uint64_t addr, uint32_t val, uint32_t bitset, uint64_t deadline, bool shared)
{
	struct futex_waiter w = { .bitset = bitset, .t = t };
	uint32_t cur;
	int err;

	if (!bitset)
		return -EINVAL;
	err = make_key(t, addr, shared, &w.key);
	if (!err)
		err = load_word(t, addr, &cur);
	if (err)
		return err;
	if (cur != val)
		return -EAGAIN;
	list_add_tail(&w.node, &g_futex_waiters);
	while (!w.woken) {
		err = task_sleep(t, deadline);
		if (err && !w.woken)
			break;
		err = 0;
	}
	if (!w.woken)
		list_del(&w.node);
	return w.woken ? 0 : err;
}

static void wake_waiter(struct futex_waiter *w)
{
	list_del(&w->node);
	w->woken = true;
	task_interrupt(w->t);
}

int futex_wake(struct task *t, uint64_t addr, int n, uint32_t bitset, bool shared)
{
	struct futex_waiter *w, *tmp;
	struct futex_key key;
	int woken = 0, err;

	if (!bitset)
		return -EINVAL;
	err = make_key(t, addr, shared, &key);
	if (err)
		return err;
	list_for_each_entry_safe(w, tmp, &g_futex_waiters, node) {
		if (woken >= n)
			break;
		if (key_eq(&w->key, &key) && (w->bitset & bitset)) {
			wake_waiter(w);
			woken++;
		}
	}
	return woken;
}

int futex_requeue(struct task *t, uint64_t addr, uint64_t addr2, int n, int n2, bool cmp, uint32_t val,
		  bool shared)
{
	struct futex_waiter *w, *tmp;
	struct futex_key key, key2;
	int woken = 0, moved = 0, err;
	uint32_t cur;

	if (n < 0 || n2 < 0)
		return -EINVAL;
	err = make_key(t, addr, shared, &key);
	if (!err)
		err = make_key(t, addr2, shared, &key2);
	if (err)
		return err;
	if (cmp) {
		err = load_word(t, addr, &cur);
		if (err)
			return err;
		if (cur != val)
			return -EAGAIN;
	}
	list_for_each_entry_safe(w, tmp, &g_futex_waiters, node) {
		if (!key_eq(&w->key, &key))
			continue;
		if (woken < n) {
			wake_waiter(w);
			woken++;
		} else if (moved < n2) {
			w->key = key2;
			moved++;
		} else {
			break;
		}
	}
	return woken + moved;
}

/* The operation encoded in FUTEX_WAKE_OP's val3 on *addr2; returns whether to wake there too. */
static int apply_op(struct task *t, uint64_t addr2, uint32_t op, bool *wake2)
{
	int kind = (op >> 28) & 7, cmp = (op >> 24) & 15;
	uint32_t oparg = (op >> 12) & 0xfff, cmparg = op & 0xfff, old, *word;
	uint8_t *p;

	if (op & (8u << 28))
		oparg = 1u << (oparg & 31);
	if ((addr2 & 3) || mm_translate(t->mm, addr2, true, false, &p))
		return -EFAULT;
	/* The Sentry's view of the page is the guest's memory: these atomics are
	 * atomic against guest threads running on other CPUs too. */
	word = (uint32_t *)p;
	switch (kind) {
	case FUTEX_OP_SET:
		old = __atomic_exchange_n(word, oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_ADD:
		old = __atomic_fetch_add(word, oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_OR:
		old = __atomic_fetch_or(word, oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_ANDN:
		old = __atomic_fetch_and(word, ~oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_XOR:
		old = __atomic_fetch_xor(word, oparg, __ATOMIC_SEQ_CST);
		break;
	default:
		return -ENOSYS;
	}
	switch (cmp) {
	case FUTEX_OP_CMP_EQ:
		*wake2 = (int32_t)old == (int32_t)cmparg;
		break;
	case FUTEX_OP_CMP_NE:
		*wake2 = (int32_t)old != (int32_t)cmparg;
		break;
	case FUTEX_OP_CMP_LT:
		*wake2 = (int32_t)old < (int32_t)cmparg;
		break;
	case FUTEX_OP_CMP_LE:
		*wake2 = (int32_t)old <= (int32_t)cmparg;
		break;
	case FUTEX_OP_CMP_GT:
		*wake2 = (int32_t)old > (int32_t)cmparg;
		break;
	case FUTEX_OP_CMP_GE:
		*wake2 = (int32_t)old >= (int32_t)cmparg;
		break;
	default:
		return -ENOSYS;
	}
	return 0;
}

int futex_wake_op(struct task *t, uint64_t addr, uint64_t addr2, int n, int n2, uint32_t op, bool shared)
{
	bool wake2 = false;
	int woken, err = apply_op(t, addr2, op, &wake2);

	if (err)
		return err;
	woken = futex_wake(t, addr, n, FUTEX_BITSET_ANY, shared);
	if (woken >= 0 && wake2) {
		int more = futex_wake(t, addr2, n2, FUTEX_BITSET_ANY, shared);

		if (more > 0)
			woken += more;
	}
	return woken;
}

#define ROBUST_LIST_LIMIT 2048

/* The dying owner of a robust mutex marks it FUTEX_OWNER_DIED and wakes a waiter. */
static void release_robust_futex(struct task *t, uint64_t addr)
{
	uint32_t word, *p;
	uint8_t *page;

	if ((addr & 3) || mm_translate(t->mm, addr, true, false, &page))
		return;
	p = (uint32_t *)page;
	word = __atomic_load_n(p, __ATOMIC_SEQ_CST);
	for (;;) {
		uint32_t next;

		if ((word & FUTEX_TID_MASK) != (uint32_t)t->tid)
			return;
		next = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (__atomic_compare_exchange_n(p, &word, next, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	if (word & FUTEX_WAITERS)
		futex_wake(t, addr, 1, FUTEX_BITSET_ANY, true);
}

static void walk_robust_list(struct task *t)
{
	struct {
		uint64_t next;
		int64_t futex_offset;
		uint64_t pending;
	} head;
	uint64_t entry;

	if (!t->robust_list || copy_in(t, &head, uptr(t->robust_list), sizeof(head)))
		return;
	entry = head.next;
	for (int n = 0; entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
		uint64_t next;

		if (copy_in(t, &next, uptr(entry), sizeof(next)))
			return;
		if (entry != head.pending)
			release_robust_futex(t, entry + head.futex_offset);
		entry = next;
	}
	if (head.pending)
		release_robust_futex(t, head.pending + head.futex_offset);
}

void futex_exit_thread(struct task *t)
{
	uint32_t zero = 0;

	if (!t->mm)
		return;
	walk_robust_list(t);
	/* Only other users of the memory (threads, a vfork parent) can be waiting on it. */
	if (t->clear_child_tid && t->mm->refs > 1 && copy_out(t, uptr(t->clear_child_tid), &zero, sizeof(zero)) == 0)
		futex_wake(t, t->clear_child_tid, 1, FUTEX_BITSET_ANY, true);
}

/*
 * PI futexes: the word holds the owner's tid, plus FUTEX_WAITERS when
 * someone sleeps in the Sentry for it. The sandbox has no priorities to
 * inherit, so this is the ownership protocol alone: the uncontended paths
 * stay in user space, and unlock hands the lock straight to the first waiter.
 */
static int pi_word(struct task *t, uint64_t addr, uint32_t **out)
{
	uint8_t *p;

	if (addr & 3)
		return -EINVAL;
	if (mm_translate(t->mm, addr, true, false, &p))
		return -EFAULT;
	*out = (uint32_t *)p;
	return 0;
}

static bool pi_has_waiters(const struct futex_key *key, const struct futex_waiter *except)
{
	struct futex_waiter *w;

	list_for_each_entry(w, &g_futex_waiters, node)
		if (w != except && w->pi && key_eq(&w->key, key))
			return true;
	return false;
}

int futex_lock_pi(struct task *t, uint64_t addr, uint64_t deadline, bool try)
{
	struct futex_waiter w = { .bitset = FUTEX_BITSET_ANY, .t = t, .pi = true };
	uint32_t *word, v;
	int err = make_key(t, addr, true, &w.key);

	if (!err)
		err = pi_word(t, addr, &word);
	if (err)
		return err;
	for (;;) {
		v = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		if (!(v & FUTEX_TID_MASK)) {
			/* free, or its owner died: take it, keeping the waiters bit for those queued */
			uint32_t mine = (uint32_t)t->tid | (pi_has_waiters(&w.key, NULL) ? FUTEX_WAITERS : 0);

			if (__atomic_compare_exchange_n(word, &v, mine, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				return 0;
			continue;
		}
		if ((v & FUTEX_TID_MASK) == (uint32_t)t->tid)
			return -EDEADLK;
		if (try)
			return -EAGAIN;
		if (!task_lookup((pid_t)(v & FUTEX_TID_MASK)))
			return -ESRCH;
		if (!(v & FUTEX_WAITERS) &&
		    !__atomic_compare_exchange_n(word, &v, v | FUTEX_WAITERS, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			continue;
		break;
	}
	list_add_tail(&w.node, &g_futex_waiters);
	while (!w.woken) {
		err = task_sleep(t, deadline);
		if (err && !w.woken)
			break;
	}
	if (w.woken)
		return 0;	/* unlock made us the owner */
	list_del(&w.node);
	return err;
}

int futex_unlock_pi(struct task *t, uint64_t addr)
{
	struct futex_waiter *w, *next = NULL;
	struct futex_key key;
	uint32_t *word, v, nv;
	int err = make_key(t, addr, true, &key);

	if (!err)
		err = pi_word(t, addr, &word);
	if (err)
		return err;
	list_for_each_entry(w, &g_futex_waiters, node)
		if (w->pi && key_eq(&w->key, &key)) {
			next = w;
			break;
		}
	do {
		v = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		if ((v & FUTEX_TID_MASK) != (uint32_t)t->tid)
			return -EPERM;
		nv = next ? (uint32_t)next->t->tid | (pi_has_waiters(&key, next) ? FUTEX_WAITERS : 0) : 0;
	} while (!__atomic_compare_exchange_n(word, &v, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	if (next)
		wake_waiter(next);
	return 0;
}
