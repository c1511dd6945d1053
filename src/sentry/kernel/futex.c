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

/*
 * Waiters hashed by key, as Linux's futex hash buckets: a wake or requeue
 * walks only the waiters whose keys share its bucket. Every walk is also
 * bounded by the number of sleeping tasks, and stops at its nr_wake/nr_requeue.
 */
#define FUTEX_BUCKETS 256
static struct list_head g_futex_buckets[FUTEX_BUCKETS];

/* Linux's TASK_SIZE_MAX: a futex word must not start above it (access_ok; 6.x checks the start only) */
#define FUTEX_USER_TOP 0x7ffffffff000ULL

/*
 * A compare-and-swap on a word that guest threads may change concurrently:
 * Linux retries with cond_resched(); the Sentry holds the kernel lock, so it
 * gives up after this many tries and returns EAGAIN (LOCK_PI's "try again").
 */
#define FUTEX_CAS_TRIES 1024

static struct list_head *bucket_of(const struct futex_key *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k->space ^ (k->where >> 2);
	size_t i;

	h *= 0x9e3779b97f4a7c15ULL;
	i = (size_t)(h >> 56);
	if (!g_futex_buckets[i].next)
		list_init(&g_futex_buckets[i]);
	return &g_futex_buckets[i];
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->where == b->where;
}

/*
 * Like Linux's get_futex_key(): a private futex (FUTEX_PRIVATE_FLAG) is
 * (mm, address) and needs no mapping; a shared one needs the mapping, and in
 * a shared mapping is keyed by the page itself (memory-file offset).
 */
static int make_key(struct task *t, uint64_t addr, bool shared, struct futex_key *key)
{
	struct vma *v;
	uint8_t *p;

	if (addr & 3)
		return -EINVAL;
	if (addr > FUTEX_USER_TOP)
		return -EFAULT;
	key->space = t->mm;
	key->where = addr;
	if (!shared)
		return 0;
	v = mm_find_vma(t->mm, addr);
	if (!v)
		return -EFAULT;
	if (v->flags & VMA_SHARED) {
		if (mm_translate(t->mm, addr, false, false, &p))
			return -EFAULT;
		key->space = NULL;
		key->where = (uint64_t)(p - g_memfile.base);
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
	list_add_tail(&w.node, bucket_of(&w.key));
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

/* Wake waiters on @key whose bitset matches: like Linux, the first one even when @n <= 0. */
static int wake_key(const struct futex_key *key, int n, uint32_t bitset)
{
	struct futex_waiter *w, *tmp;
	int woken = 0;

	list_for_each_entry_safe(w, tmp, bucket_of(key), node) {
		if (!key_eq(&w->key, key) || !(w->bitset & bitset) || w->pi)
			continue;
		wake_waiter(w);
		if (++woken >= n)
			break;
	}
	return woken;
}

int futex_wake(struct task *t, uint64_t addr, int n, uint32_t bitset, bool shared)
{
	struct futex_key key;
	int err;

	if (!bitset)
		return -EINVAL;
	err = make_key(t, addr, shared, &key);
	if (err)
		return err;
	return wake_key(&key, n, bitset);
}

int futex_requeue(struct task *t, uint64_t addr, uint64_t addr2, int n, int n2, bool cmp, uint32_t val,
		  bool shared)
{
	struct futex_waiter *w, *tmp;
	struct futex_key key, key2;
	struct list_head *b, *b2;
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
	b = bucket_of(&key);
	b2 = bucket_of(&key2);
	list_for_each_entry_safe(w, tmp, b, node) {
		if ((int64_t)woken + moved >= (int64_t)n + n2)
			break;
		if (!key_eq(&w->key, &key) || w->pi)
			continue;
		if (woken < n) {
			wake_waiter(w);
			woken++;
			continue;
		}
		w->key = key2;
		if (b2 != b) {
			list_del(&w->node);
			list_add_tail(&w->node, b2);
		}
		moved++;
	}
	return woken + moved;
}

static int32_t sign_extend12(uint32_t v)
{
	return (int32_t)((v & 0xfff) << 20) >> 20;
}

/* The operation encoded in FUTEX_WAKE_OP's val3 on *addr2; returns whether to wake there too. */
static int apply_op(struct task *t, uint64_t addr2, uint32_t op, bool *wake2)
{
	int kind = (op >> 28) & 7, cmp = (op >> 24) & 15;
	/* both arguments are 12-bit signed, as in Linux's futex_atomic_op_inuser() */
	int32_t oparg = sign_extend12(op >> 12), cmparg = sign_extend12(op);
	uint32_t old, *word;
	uint8_t *p;

	if (op & (8u << 28))
		oparg = (int32_t)(1u << (oparg & 31));
	if (mm_translate(t->mm, addr2, true, false, &p))
		return -EFAULT;
	/* The Sentry's view of the page is the guest's memory: these atomics are
	 * atomic against guest threads running on other CPUs too. */
	word = (uint32_t *)p;
	switch (kind) {
	case FUTEX_OP_SET:
		old = __atomic_exchange_n(word, (uint32_t)oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_ADD:
		old = __atomic_fetch_add(word, (uint32_t)oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_OR:
		old = __atomic_fetch_or(word, (uint32_t)oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_ANDN:
		old = __atomic_fetch_and(word, ~(uint32_t)oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_XOR:
		old = __atomic_fetch_xor(word, (uint32_t)oparg, __ATOMIC_SEQ_CST);
		break;
	default:
		return -ENOSYS;
	}
	switch (cmp) {
	case FUTEX_OP_CMP_EQ:
		*wake2 = (int32_t)old == cmparg;
		break;
	case FUTEX_OP_CMP_NE:
		*wake2 = (int32_t)old != cmparg;
		break;
	case FUTEX_OP_CMP_LT:
		*wake2 = (int32_t)old < cmparg;
		break;
	case FUTEX_OP_CMP_LE:
		*wake2 = (int32_t)old <= cmparg;
		break;
	case FUTEX_OP_CMP_GT:
		*wake2 = (int32_t)old > cmparg;
		break;
	case FUTEX_OP_CMP_GE:
		*wake2 = (int32_t)old >= cmparg;
		break;
	default:
		return -ENOSYS;
	}
	return 0;
}

/* Like Linux: both keys first (EINVAL/EFAULT before the operation), then the op on *@addr2. */
int futex_wake_op(struct task *t, uint64_t addr, uint64_t addr2, int n, int n2, uint32_t op, bool shared)
{
	struct futex_key key, key2;
	bool wake2 = false;
	int woken, err;

	err = make_key(t, addr, shared, &key);
	if (!err)
		err = make_key(t, addr2, shared, &key2);
	if (!err)
		err = apply_op(t, addr2, op, &wake2);
	if (err)
		return err;
	woken = wake_key(&key, n, FUTEX_BITSET_ANY);
	if (wake2)
		woken += wake_key(&key2, n2, FUTEX_BITSET_ANY);
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
	for (int tries = 0;; tries++) {
		uint32_t next;

		if ((word & FUTEX_TID_MASK) != (uint32_t)t->tid || tries == FUTEX_CAS_TRIES)
			return;	/* not ours, or a guest thread keeps changing it: leave it */
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

	list_for_each_entry(w, bucket_of(key), node)
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
	for (int tries = 0;; tries++) {
		if (tries == FUTEX_CAS_TRIES)
			return -EAGAIN;
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
	list_add_tail(&w.node, bucket_of(&w.key));
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
	list_for_each_entry(w, bucket_of(&key), node)
		if (w->pi && key_eq(&w->key, &key)) {
			next = w;
			break;
		}
	nv = next ? (uint32_t)next->t->tid | (pi_has_waiters(&key, next) ? FUTEX_WAITERS : 0) : 0;
	for (int tries = 0;; tries++) {
		if (tries == FUTEX_CAS_TRIES)
			return -EAGAIN;
		v = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		if ((v & FUTEX_TID_MASK) != (uint32_t)t->tid)
			return -EPERM;
		if (__atomic_compare_exchange_n(word, &v, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	if (next)
		wake_waiter(next);
	return 0;
}
