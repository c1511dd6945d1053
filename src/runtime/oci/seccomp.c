// SPDX-License-Identifier: MIT
/*
 * linux.seccomp of config.json, compiled by libseccomp into the classic-BPF
 * program the Sentry installs on the container's processes (runc does the
 * same, for the host kernel). Syscall names libseccomp does not know are
 * skipped, as runc skips them; the filter is built for x86-64 only, the one
 * architecture the Sentry runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/oci/seccomp.h"

static int action_of(enum oci_seccomp_action a, uint32_t errno_ret, uint32_t *out, struct oci_error *err)
{
	switch (a) {
	case OCI_SCMP_KILL_THREAD: *out = SCMP_ACT_KILL_THREAD; return 0;
	case OCI_SCMP_KILL_PROCESS: *out = SCMP_ACT_KILL_PROCESS; return 0;
	case OCI_SCMP_TRAP: *out = SCMP_ACT_TRAP; return 0;
	case OCI_SCMP_ERRNO: *out = SCMP_ACT_ERRNO(errno_ret); return 0;
	case OCI_SCMP_TRACE: *out = SCMP_ACT_TRACE(errno_ret); return 0;
	case OCI_SCMP_ALLOW: *out = SCMP_ACT_ALLOW; return 0;
	case OCI_SCMP_LOG: *out = SCMP_ACT_LOG; return 0;
	case OCI_SCMP_NOTIFY: break;
	}
	snprintf(err->msg, sizeof(err->msg), "linux.seccomp: SCMP_ACT_NOTIFY is not supported");
	return -1;
}

static const enum scmp_compare ops[] = {
	[OCI_OP_NE] = SCMP_CMP_NE, [OCI_OP_LT] = SCMP_CMP_LT, [OCI_OP_LE] = SCMP_CMP_LE,
	[OCI_OP_EQ] = SCMP_CMP_EQ, [OCI_OP_GE] = SCMP_CMP_GE, [OCI_OP_GT] = SCMP_CMP_GT,
	[OCI_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static int add_rule(scmp_filter_ctx ctx, const struct oci_seccomp_rule *r, size_t k, struct oci_error *err)
{
	struct scmp_arg_cmp cmp[OCI_SECCOMP_MAX_ARGS];
	uint32_t action;

	if (action_of(r->action, r->errno_ret, &action, err))
		return -1;
	for (size_t a = 0; a < r->nargs; a++)
		cmp[a] = (struct scmp_arg_cmp){ r->args[a].index, ops[r->args[a].op], r->args[a].value,
						r->args[a].value_two };
	for (size_t n = 0; r->names[n]; n++) {
		int nr = seccomp_syscall_resolve_name(r->names[n]), rc;

		if (nr == __NR_SCMP_ERROR) {
			log_debug("linux.seccomp.syscalls[%zu]: unknown system call '%s', skipped", k, r->names[n]);
			continue;
		}
		rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)r->nargs, cmp);
		/* the default action already: libseccomp refuses a rule that changes nothing */
		if (rc == -EACCES || rc == -EEXIST)
			continue;
		if (rc < 0) {
			snprintf(err->msg, sizeof(err->msg), "linux.seccomp.syscalls[%zu]: '%s': %s", k, r->names[n],
				 strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* The program libseccomp exports, through a memfd. */
static int export_bpf(scmp_filter_ctx ctx, void **prog, size_t *len, struct oci_error *err)
{
	int fd = memfd_create("cvisor-seccomp", MFD_CLOEXEC), rc;
	off_t size;

	if (fd < 0 || (rc = seccomp_export_bpf(ctx, fd)) < 0 || (size = lseek(fd, 0, SEEK_END)) <= 0 || size % 8) {
		snprintf(err->msg, sizeof(err->msg), "linux.seccomp: cannot export the filter: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*prog = xmalloc((size_t)size);
	*len = (size_t)size / 8;
	if (pread(fd, *prog, (size_t)size, 0) != size) {
		snprintf(err->msg, sizeof(err->msg), "linux.seccomp: cannot read the filter back");
		free(*prog);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int oci_seccomp_compile(const struct oci_seccomp *sc, void **prog, size_t *len, struct oci_error *err)
{
	scmp_filter_ctx ctx;
	uint32_t def;
	int ret = -1;

	if (action_of(sc->default_action, sc->default_errno_ret, &def, err))
		return -1;
	ctx = seccomp_init(def);
	if (!ctx) {
		snprintf(err->msg, sizeof(err->msg), "linux.seccomp: libseccomp cannot start a filter");
		return -1;
	}
	/* the Sentry installs it for the guest: no_new_privs is not libseccomp's business here */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (size_t k = 0; k < sc->nrules; k++)
		if (add_rule(ctx, &sc->rules[k], k, err))
			goto out;
	ret = export_bpf(ctx, prog, len, err);
out:
	seccomp_release(ctx);
	return ret;
}
