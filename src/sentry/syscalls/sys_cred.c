// SPDX-License-Identifier: MIT
/*
 * Credentials: get/set of real, effective, saved and filesystem uid/gid and
 * the supplementary groups. Euid 0 stands for CAP_SETUID/CAP_SETGID.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

#define NO_ID ((uint32_t)-1)

static bool privileged(struct task *t)
{
	return t->cred.euid == 0;
}

/* getuid(2) */
long sys_getuid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->cred.uid;
}

/* geteuid(2) */
long sys_geteuid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->cred.euid;
}

/* getgid(2) */
long sys_getgid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->cred.gid;
}

/* getegid(2) */
long sys_getegid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->cred.egid;
}

/* One of the three ids in (@r, @e, @s) or the caller is privileged. */
static bool may_take(struct task *t, uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == NO_ID || privileged(t) || id == r || id == e || id == s;
}

static long set_res(struct task *t, uint32_t *r, uint32_t *e, uint32_t *s, uint32_t *fs, uint32_t nr, uint32_t ne,
		    uint32_t ns)
{
	if (!may_take(t, nr, *r, *e, *s) || !may_take(t, ne, *r, *e, *s) || !may_take(t, ns, *r, *e, *s))
		return -EPERM;
	if (nr != NO_ID)
		*r = nr;
	if (ne != NO_ID)
		*e = ne;
	if (ns != NO_ID)
		*s = ns;
	*fs = *e;
	return 0;
}

/* setresuid(2) */
long sys_setresuid(struct task *t, const struct syscall_args *a)
{
	struct cred *c = &t->cred;

	return set_res(t, &c->uid, &c->euid, &c->suid, &c->fsuid, arg_uint(a, 0), arg_uint(a, 1), arg_uint(a, 2));
}

/* setresgid(2) */
long sys_setresgid(struct task *t, const struct syscall_args *a)
{
	struct cred *c = &t->cred;

	return set_res(t, &c->gid, &c->egid, &c->sgid, &c->fsgid, arg_uint(a, 0), arg_uint(a, 1), arg_uint(a, 2));
}

static long get_res(struct task *t, const struct syscall_args *a, uint32_t r, uint32_t e, uint32_t s)
{
	if (copy_out(t, arg_uptr(a, 0), &r, 4) || copy_out(t, arg_uptr(a, 1), &e, 4) ||
	    copy_out(t, arg_uptr(a, 2), &s, 4))
		return -EFAULT;
	return 0;
}

/* getresuid(2) */
long sys_getresuid(struct task *t, const struct syscall_args *a)
{
	return get_res(t, a, t->cred.uid, t->cred.euid, t->cred.suid);
}

/* getresgid(2) */
long sys_getresgid(struct task *t, const struct syscall_args *a)
{
	return get_res(t, a, t->cred.gid, t->cred.egid, t->cred.sgid);
}

/* setuid(2): privileged callers set all three; others only the effective id. */
long sys_setuid(struct task *t, const struct syscall_args *a)
{
	struct cred *c = &t->cred;
	uint32_t id = arg_uint(a, 0);

	if (id == NO_ID)
		return -EINVAL;
	if (privileged(t))
		return set_res(t, &c->uid, &c->euid, &c->suid, &c->fsuid, id, id, id);
	if (id != c->uid && id != c->suid)
		return -EPERM;
	return set_res(t, &c->uid, &c->euid, &c->suid, &c->fsuid, NO_ID, id, NO_ID);
}

/* setgid(2) */
long sys_setgid(struct task *t, const struct syscall_args *a)
{
	struct cred *c = &t->cred;
	uint32_t id = arg_uint(a, 0);

	if (id == NO_ID)
		return -EINVAL;
	if (privileged(t))
		return set_res(t, &c->gid, &c->egid, &c->sgid, &c->fsgid, id, id, id);
	if (id != c->gid && id != c->sgid)
		return -EPERM;
	return set_res(t, &c->gid, &c->egid, &c->sgid, &c->fsgid, NO_ID, id, NO_ID);
}

/* setre[ug]id(2): the saved id follows the new effective one when the real id is set or differs. */
static long set_re(struct task *t, uint32_t *r, uint32_t *e, uint32_t *s, uint32_t *fs, uint32_t nr, uint32_t ne)
{
	uint32_t old_r = *r;

	if (nr != NO_ID && !privileged(t) && nr != *r && nr != *e)
		return -EPERM;
	if (ne != NO_ID && !privileged(t) && ne != *r && ne != *e && ne != *s)
		return -EPERM;
	if (nr != NO_ID)
		*r = nr;
	if (ne != NO_ID)
		*e = ne;
	if (nr != NO_ID || (ne != NO_ID && ne != old_r))
		*s = *e;
	*fs = *e;
	return 0;
}

/* setreuid(2) */
long sys_setreuid(struct task *t, const struct syscall_args *a)
{
	struct cred *c = &t->cred;

	return set_re(t, &c->uid, &c->euid, &c->suid, &c->fsuid, arg_uint(a, 0), arg_uint(a, 1));
}

/* setregid(2) */
long sys_setregid(struct task *t, const struct syscall_args *a)
{
	struct cred *c = &t->cred;

	return set_re(t, &c->gid, &c->egid, &c->sgid, &c->fsgid, arg_uint(a, 0), arg_uint(a, 1));
}

/* setfsuid(2): always returns the previous value. */
long sys_setfsuid(struct task *t, const struct syscall_args *a)
{
	struct cred *c = &t->cred;
	uint32_t old = c->fsuid, id = arg_uint(a, 0);

	if (id != NO_ID && (privileged(t) || id == c->uid || id == c->euid || id == c->suid || id == c->fsuid))
		c->fsuid = id;
	return old;
}

/* setfsgid(2) */
long sys_setfsgid(struct task *t, const struct syscall_args *a)
{
	struct cred *c = &t->cred;
	uint32_t old = c->fsgid, id = arg_uint(a, 0);

	if (id != NO_ID && (privileged(t) || id == c->gid || id == c->egid || id == c->sgid || id == c->fsgid))
		c->fsgid = id;
	return old;
}

/* getgroups(2) */
long sys_getgroups(struct task *t, const struct syscall_args *a)
{
	int size = arg_int(a, 0);

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return t->cred.ngroups;
	if ((uint32_t)size < t->cred.ngroups)
		return -EINVAL;
	if (t->cred.ngroups && copy_out(t, arg_uptr(a, 1), t->cred.groups, t->cred.ngroups * 4))
		return -EFAULT;
	return t->cred.ngroups;
}

static int cmp_gid(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* setgroups(2): the kernel keeps the list sorted. */
long sys_setgroups(struct task *t, const struct syscall_args *a)
{
	int size = arg_int(a, 0);
	uint32_t *groups = NULL;

	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	if (!privileged(t))
		return -EPERM;
	if (size) {
		groups = malloc(size * 4);
		if (!groups)
			return -ENOMEM;
		if (copy_in(t, groups, arg_uptr(a, 1), size * 4)) {
			free(groups);
			return -EFAULT;
		}
		qsort(groups, size, 4, cmp_gid);
	}
	free(t->cred.groups);
	t->cred.groups = groups;
	t->cred.ngroups = size;
	return 0;
}
