// SPDX-License-Identifier: MIT
/* config.json into struct oci_spec (spec.h), with jansson. */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/oci/spec.h"

/* What a property path may hold at most ("linux.seccomp.syscalls[12].args[3].valueTwo"). */
#define WHERE_MAX 160
/* Bounds on what a config may list: far above real configs, below what would hurt. */
#define MAX_LIST 65536

struct ctx {
	const char *file;
	struct oci_error *err;
};

static __attribute__((format(printf, 3, 4))) int fail(struct ctx *c, const char *where, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err->msg, sizeof(c->err->msg), "%s: %s%s", c->file, where, *where ? ": " : "");
	if (n < 0 || (size_t)n >= sizeof(c->err->msg))
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err->msg + n, sizeof(c->err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A property path too long for WHERE_MAX ends in "...": messages stay readable, never overflow. */
static void sub(char *out, const char *where, const char *key)
{
	if (snprintf(out, WHERE_MAX, "%s%s%s", where, *where ? "." : "", key) >= WHERE_MAX)
		strcpy(out + WHERE_MAX - 4, "...");
}

static void idx(char *out, const char *where, size_t k)
{
	if (snprintf(out, WHERE_MAX, "%s[%zu]", where, k) >= WHERE_MAX)
		strcpy(out + WHERE_MAX - 4, "...");
}

/* The spec makes runtimes ignore unknown properties; say which, for the one who misspelt one. */
static void note_unknown(const char *where, json_t *obj, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		size_t k = 0;

		while (known[k] && strcmp(known[k], key))
			k++;
		if (!known[k])
			log_debug("config.json: %s%s%s: unknown property, ignored", where, *where ? "." : "", key);
	}
}

static int want_object(struct ctx *c, const char *where, json_t *v)
{
	return json_is_object(v) ? 0 : fail(c, where, "expected an object");
}

static int get_string(struct ctx *c, const char *where, json_t *obj, const char *key, bool required, char **out)
{
	json_t *v = json_object_get(obj, key);
	char w[WHERE_MAX];

	sub(w, where, key);
	if (!v || json_is_null(v))
		return required ? fail(c, w, "missing (required)") : 0;
	if (!json_is_string(v))
		return fail(c, w, "expected a string");
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int get_bool(struct ctx *c, const char *where, json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);
	char w[WHERE_MAX];

	if (!v || json_is_null(v))
		return 0;
	sub(w, where, key);
	if (!json_is_boolean(v))
		return fail(c, w, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

/* An integer within [min, max]; *present tells whether it was there. */
static int get_int(struct ctx *c, const char *where, json_t *obj, const char *key, int64_t min, int64_t max,
		   int64_t *out, bool *present)
{
	json_t *v = json_object_get(obj, key);
	char w[WHERE_MAX];

	if (present)
		*present = false;
	if (!v || json_is_null(v))
		return 0;
	sub(w, where, key);
	if (!json_is_integer(v))
		return fail(c, w, "expected an integer");
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return fail(c, w, "%lld is out of range [%lld, %lld]", (long long)json_integer_value(v),
			    (long long)min, (long long)max);
	*out = json_integer_value(v);
	if (present)
		*present = true;
	return 0;
}

static int get_u32(struct ctx *c, const char *where, json_t *obj, const char *key, uint32_t *out, bool *present)
{
	int64_t v = 0;
	bool here;

	if (get_int(c, where, obj, key, 0, UINT32_MAX, &v, &here))
		return -1;
	if (here)
		*out = (uint32_t)v;
	if (present)
		*present = here;
	return 0;
}

/*
 * A 64-bit unsigned value (seccomp argument values, rlimits): jansson holds
 * integers as signed 64-bit, so values past INT64_MAX arrive negative or as
 * reals; take both the way Go's encoding/json would fit them in a uint64.
 */
static int get_u64(struct ctx *c, const char *where, json_t *obj, const char *key, bool required, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	char w[WHERE_MAX];

	sub(w, where, key);
	if (!v || json_is_null(v))
		return required ? fail(c, w, "missing (required)") : 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) <= 18446744073709551615.0 &&
	    json_real_value(v) == (double)(uint64_t)json_real_value(v)) {
		*out = (uint64_t)json_real_value(v);
		return 0;
	}
	return fail(c, w, "expected an unsigned integer");
}

/* An array of strings (NULL-terminated copy); absent or null leaves *out NULL unless @required. */
static int get_strings(struct ctx *c, const char *where, json_t *obj, const char *key, bool required, char ***out)
{
	json_t *v = json_object_get(obj, key), *s;
	char w[WHERE_MAX], wi[WHERE_MAX];
	char **list;
	size_t k;

	sub(w, where, key);
	if (!v || json_is_null(v))
		return required ? fail(c, w, "missing (required)") : 0;
	if (!json_is_array(v))
		return fail(c, w, "expected an array of strings");
	if (json_array_size(v) > MAX_LIST)
		return fail(c, w, "more than %d entries", MAX_LIST);
	list = xzalloc((json_array_size(v) + 1) * sizeof(char *));
	json_array_foreach(v, k, s) {
		idx(wi, w, k);
		if (!json_is_string(s)) {
			for (size_t j = 0; j < k; j++)
				free(list[j]);
			free(list);
			return fail(c, wi, "expected a string");
		}
		list[k] = xstrdup(json_string_value(s));
	}
	*out = list;
	return 0;
}

static void free_strings(char **list)
{
	for (size_t k = 0; list && list[k]; k++)
		free(list[k]);
	free(list);
}

/* An array property: NULL when absent, -1 on a wrong type. */
static int get_array(struct ctx *c, const char *where, json_t *obj, const char *key, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	char w[WHERE_MAX];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	sub(w, where, key);
	if (!json_is_array(v))
		return fail(c, w, "expected an array");
	if (json_array_size(v) > MAX_LIST)
		return fail(c, w, "more than %d entries", MAX_LIST);
	*out = v;
	return 0;
}

/* ---- tables ---- */

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
	"CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
	"CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
	"CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

int oci_capability(const char *name)
{
	for (size_t k = 0; k < ARRAY_SIZE(cap_names); k++)
		if (strcmp(cap_names[k], name) == 0)
			return (int)k;
	return -1;
}

const char *oci_capability_name(int cap)
{
	return cap >= 0 && (size_t)cap < ARRAY_SIZE(cap_names) ? cap_names[cap] : NULL;
}

static const struct {
	const char *name;
	int type;
} ns_types[] = {
	{ "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", 0x80 /* CLONE_NEWTIME */ },
};

int oci_namespace_type(const char *name)
{
	for (size_t k = 0; k < ARRAY_SIZE(ns_types); k++)
		if (strcmp(ns_types[k].name, name) == 0)
			return ns_types[k].type;
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_types[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_STACK", RLIMIT_STACK }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static const struct {
	const char *name;
	enum oci_seccomp_action action;
} scmp_actions[] = {
	{ "SCMP_ACT_KILL", OCI_SCMP_KILL_THREAD }, { "SCMP_ACT_KILL_THREAD", OCI_SCMP_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", OCI_SCMP_KILL_PROCESS }, { "SCMP_ACT_TRAP", OCI_SCMP_TRAP },
	{ "SCMP_ACT_ERRNO", OCI_SCMP_ERRNO }, { "SCMP_ACT_TRACE", OCI_SCMP_TRACE },
	{ "SCMP_ACT_ALLOW", OCI_SCMP_ALLOW }, { "SCMP_ACT_LOG", OCI_SCMP_LOG },
	{ "SCMP_ACT_NOTIFY", OCI_SCMP_NOTIFY },
};

static const char *const scmp_ops[] = {
	[OCI_OP_NE] = "SCMP_CMP_NE", [OCI_OP_LT] = "SCMP_CMP_LT", [OCI_OP_LE] = "SCMP_CMP_LE",
	[OCI_OP_EQ] = "SCMP_CMP_EQ", [OCI_OP_GE] = "SCMP_CMP_GE", [OCI_OP_GT] = "SCMP_CMP_GT",
	[OCI_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const char *const hook_names[OCI_HOOK_KINDS] = {
	[OCI_HOOK_PRESTART] = "prestart", [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
	[OCI_HOOK_CREATE_CONTAINER] = "createContainer", [OCI_HOOK_START_CONTAINER] = "startContainer",
	[OCI_HOOK_POSTSTART] = "poststart", [OCI_HOOK_POSTSTOP] = "poststop",
};

/* ---- process ---- */

static int parse_caps(struct ctx *c, const char *where, json_t *obj, struct oci_process *p)
{
	static const char *const sets[OCI_CAP_SETS] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
	static const char *const known[] = { "bounding", "effective", "inheritable", "permitted", "ambient", NULL };
	char w[WHERE_MAX];

	if (want_object(c, where, obj))
		return -1;
	note_unknown(where, obj, known);
	for (int s = 0; s < OCI_CAP_SETS; s++) {
		char **names = NULL;

		if (get_strings(c, where, obj, sets[s], false, &names))
			return -1;
		for (size_t k = 0; names && names[k]; k++) {
			int cap = oci_capability(names[k]);

			if (cap < 0) {
				/* runc's choice: a capability this runtime does not know is skipped, not fatal */
				sub(w, where, sets[s]);
				log_warn("config.json: %s: unknown capability '%s', ignored", w, names[k]);
				continue;
			}
			p->caps[s] |= 1ULL << cap;
		}
		free_strings(names);
	}
	return 0;
}

static int parse_rlimits(struct ctx *c, const char *where, json_t *arr, struct oci_process *p)
{
	static const char *const known[] = { "type", "soft", "hard", NULL };
	char w[WHERE_MAX];
	json_t *r;
	size_t k;

	p->rlimits = xzalloc((json_array_size(arr) + 1) * sizeof(*p->rlimits));
	json_array_foreach(arr, k, r) {
		struct oci_rlimit *rl = &p->rlimits[k];
		char *type = NULL;
		size_t t;

		idx(w, where, k);
		if (want_object(c, w, r) || get_string(c, w, r, "type", true, &type))
			return -1;
		note_unknown(w, r, known);
		for (t = 0; t < ARRAY_SIZE(rlimit_types) && strcmp(rlimit_types[t].name, type); t++)
			;
		if (t == ARRAY_SIZE(rlimit_types)) {
			fail(c, w, "unknown rlimit type '%s'", type);
			free(type);
			return -1;
		}
		free(type);
		for (size_t j = 0; j < k; j++)
			if (p->rlimits[j].resource == rlimit_types[t].resource)
				return fail(c, w, "%s given twice", rlimit_types[t].name);
		rl->resource = rlimit_types[t].resource;
		if (get_u64(c, w, r, "soft", true, &rl->soft) || get_u64(c, w, r, "hard", true, &rl->hard))
			return -1;
		if (rl->soft > rl->hard)
			return fail(c, w, "soft limit %llu above hard limit %llu", (unsigned long long)rl->soft,
				    (unsigned long long)rl->hard);
		p->nrlimits = k + 1;
	}
	return 0;
}

static int parse_user(struct ctx *c, const char *where, json_t *obj, struct oci_process *p)
{
	static const char *const known[] = { "uid", "gid", "umask", "additionalGids", "username", NULL };
	char w[WHERE_MAX];
	json_t *gids, *g;
	bool present;
	size_t k;

	if (want_object(c, where, obj))
		return -1;
	note_unknown(where, obj, known);
	if (get_u32(c, where, obj, "uid", &p->uid, &present))
		return -1;
	if (!present)
		return fail(c, where, "uid: missing (required)");
	if (get_u32(c, where, obj, "gid", &p->gid, &present))
		return -1;
	if (!present)
		return fail(c, where, "gid: missing (required)");
	if (get_u32(c, where, obj, "umask", &p->umask, &p->has_umask))
		return -1;
	if (p->has_umask && p->umask > 0777)
		return fail(c, where, "umask: %#o is not a file mode mask", p->umask);
	if (get_array(c, where, obj, "additionalGids", &gids))
		return -1;
	if (!gids)
		return 0;
	p->additional_gids = xzalloc((json_array_size(gids) + 1) * sizeof(uint32_t));
	sub(w, where, "additionalGids");
	json_array_foreach(gids, k, g) {
		char wi[WHERE_MAX];

		idx(wi, w, k);
		if (!json_is_integer(g) || json_integer_value(g) < 0 || json_integer_value(g) > UINT32_MAX)
			return fail(c, wi, "expected a group id");
		p->additional_gids[k] = (uint32_t)json_integer_value(g);
		p->nadditional_gids = k + 1;
	}
	return 0;
}

static int parse_process(struct ctx *c, json_t *obj, struct oci_process *p)
{
	static const char *const known[] = { "terminal", "consoleSize", "user", "args", "commandLine", "env",
					     "cwd", "capabilities", "rlimits", "noNewPrivileges", "apparmorProfile",
					     "oomScoreAdj", "selinuxLabel", "ioPriority", "scheduler",
					     "execCPUAffinity", NULL };
	json_t *v;
	int64_t oom = 0;

	if (want_object(c, "process", obj))
		return -1;
	note_unknown("process", obj, known);
	if (get_bool(c, "process", obj, "terminal", &p->terminal))
		return -1;
	v = json_object_get(obj, "consoleSize");
	if (v && !json_is_null(v)) {
		uint32_t h = 0, w = 0;

		if (want_object(c, "process.consoleSize", v) ||
		    get_u32(c, "process.consoleSize", v, "height", &h, NULL) ||
		    get_u32(c, "process.consoleSize", v, "width", &w, NULL))
			return -1;
		p->console_height = h;
		p->console_width = w;
	}
	v = json_object_get(obj, "user");
	if (!v || json_is_null(v))
		return fail(c, "process.user", "missing (required)");
	if (parse_user(c, "process.user", v, p))
		return -1;
	if (get_strings(c, "process", obj, "args", true, &p->args))
		return -1;
	if (!p->args[0])
		return fail(c, "process.args", "empty (it names the program to run)");
	if (get_strings(c, "process", obj, "env", false, &p->env))
		return -1;
	if (!p->env)
		p->env = xzalloc((1) * sizeof(char *));
	for (size_t k = 0; p->env[k]; k++)
		if (!strchr(p->env[k], '=')) {
			char w[WHERE_MAX];

			idx(w, "process.env", k);
			return fail(c, w, "'%s' is not NAME=VALUE", p->env[k]);
		}
	if (get_string(c, "process", obj, "cwd", true, &p->cwd))
		return -1;
	if (p->cwd[0] != '/')
		return fail(c, "process.cwd", "'%s' is not an absolute path", p->cwd);
	v = json_object_get(obj, "capabilities");
	if (v && !json_is_null(v) && parse_caps(c, "process.capabilities", v, p))
		return -1;
	if (get_array(c, "process", obj, "rlimits", &v) || (v && parse_rlimits(c, "process.rlimits", v, p)))
		return -1;
	if (get_bool(c, "process", obj, "noNewPrivileges", &p->no_new_privileges))
		return -1;
	if (get_int(c, "process", obj, "oomScoreAdj", -1000, 1000, &oom, &p->has_oom_score_adj))
		return -1;
	p->oom_score_adj = (int)oom;
	return 0;
}

/* ---- mounts, hooks, annotations ---- */

static int parse_mounts(struct ctx *c, json_t *arr, struct oci_spec *s)
{
	static const char *const known[] = { "destination", "type", "source", "options", "uidMappings",
					     "gidMappings", NULL };
	char w[WHERE_MAX];
	json_t *m;
	size_t k;

	s->mounts = xzalloc((json_array_size(arr) + 1) * sizeof(*s->mounts));
	json_array_foreach(arr, k, m) {
		struct oci_mount *om = &s->mounts[k];

		idx(w, "mounts", k);
		if (want_object(c, w, m))
			return -1;
		s->nmounts = k + 1;
		note_unknown(w, m, known);
		if (get_string(c, w, m, "destination", true, &om->destination) ||
		    get_string(c, w, m, "type", false, &om->type) || get_string(c, w, m, "source", false, &om->source) ||
		    get_strings(c, w, m, "options", false, &om->options))
			return -1;
		if (om->destination[0] != '/')
			return fail(c, w, "destination '%s' is not an absolute path", om->destination);
	}
	return 0;
}

static int parse_hook_list(struct ctx *c, const char *where, json_t *arr, struct oci_hook **out, size_t *n)
{
	static const char *const known[] = { "path", "args", "env", "timeout", NULL };
	char w[WHERE_MAX];
	json_t *h;
	size_t k;

	*out = xzalloc((json_array_size(arr) + 1) * sizeof(**out));
	json_array_foreach(arr, k, h) {
		struct oci_hook *oh = &(*out)[k];
		int64_t timeout = 0;
		bool present;

		idx(w, where, k);
		if (want_object(c, w, h))
			return -1;
		*n = k + 1;
		note_unknown(w, h, known);
		if (get_string(c, w, h, "path", true, &oh->path) || get_strings(c, w, h, "args", false, &oh->args) ||
		    get_strings(c, w, h, "env", false, &oh->env) ||
		    get_int(c, w, h, "timeout", INT64_MIN, INT32_MAX, &timeout, &present))
			return -1;
		if (oh->path[0] != '/')
			return fail(c, w, "path '%s' is not absolute", oh->path);
		if (present && timeout <= 0)
			return fail(c, w, "timeout must be greater than zero, not %lld", (long long)timeout);
		oh->timeout_s = (int)timeout;
	}
	return 0;
}

static int parse_hooks(struct ctx *c, json_t *obj, struct oci_spec *s)
{
	static const char *const known[] = { "prestart", "createRuntime", "createContainer", "startContainer",
					     "poststart", "poststop", NULL };
	char w[WHERE_MAX];

	if (want_object(c, "hooks", obj))
		return -1;
	note_unknown("hooks", obj, known);
	for (int kind = 0; kind < OCI_HOOK_KINDS; kind++) {
		json_t *arr;

		if (get_array(c, "hooks", obj, hook_names[kind], &arr))
			return -1;
		sub(w, "hooks", hook_names[kind]);
		if (arr && parse_hook_list(c, w, arr, &s->hooks[kind], &s->nhooks[kind]))
			return -1;
	}
	return 0;
}

static int parse_annotations(struct ctx *c, json_t *obj, struct oci_spec *s)
{
	char w[WHERE_MAX];
	const char *key;
	json_t *v;
	size_t n = json_object_size(obj), k = 0;

	if (want_object(c, "annotations", obj))
		return -1;
	if (n > MAX_LIST)
		return fail(c, "annotations", "more than %d entries", MAX_LIST);
	s->annotation_keys = xzalloc((n + 1) * sizeof(char *));
	s->annotation_values = xzalloc((n + 1) * sizeof(char *));
	json_object_foreach(obj, key, v) {
		sub(w, "annotations", key);
		if (!json_is_string(v))
			return fail(c, w, "expected a string");
		if (!*key)
			return fail(c, "annotations", "an empty key");
		s->annotation_keys[k] = xstrdup(key);
		s->annotation_values[k] = xstrdup(json_string_value(v));
		s->nannotations = ++k;
	}
	return 0;
}

/* ---- linux ---- */

static int parse_namespaces(struct ctx *c, json_t *arr, struct oci_spec *s)
{
	static const char *const known[] = { "type", "path", NULL };
	char w[WHERE_MAX];
	json_t *ns;
	size_t k;

	s->namespaces = xzalloc((json_array_size(arr) + 1) * sizeof(*s->namespaces));
	json_array_foreach(arr, k, ns) {
		struct oci_namespace *on = &s->namespaces[k];
		char *type = NULL;

		idx(w, "linux.namespaces", k);
		if (want_object(c, w, ns))
			return -1;
		s->nnamespaces = k + 1;
		note_unknown(w, ns, known);
		if (get_string(c, w, ns, "type", true, &type))
			return -1;
		on->type = oci_namespace_type(type);
		if (!on->type) {
			fail(c, w, "unknown namespace type '%s'", type);
			free(type);
			return -1;
		}
		for (size_t j = 0; j < k; j++)
			if (s->namespaces[j].type == on->type) {
				fail(c, w, "namespace '%s' given twice", type);
				free(type);
				return -1;
			}
		free(type);
		if (get_string(c, w, ns, "path", false, &on->path))
			return -1;
		if (on->path && on->path[0] != '/')
			return fail(c, w, "path '%s' is not absolute", on->path);
	}
	return 0;
}

static int parse_resources(struct ctx *c, json_t *obj, struct oci_resources *r)
{
	json_t *v;

	if (want_object(c, "linux.resources", obj))
		return -1;
	v = json_object_get(obj, "memory");
	if (v && !json_is_null(v) &&
	    (want_object(c, "linux.resources.memory", v) ||
	     get_int(c, "linux.resources.memory", v, "limit", -1, INT64_MAX, &r->memory_limit, NULL) ||
	     get_int(c, "linux.resources.memory", v, "reservation", -1, INT64_MAX, &r->memory_reservation, NULL) ||
	     get_int(c, "linux.resources.memory", v, "swap", -1, INT64_MAX, &r->memory_swap, NULL)))
		return -1;
	v = json_object_get(obj, "pids");
	if (v && !json_is_null(v) &&
	    (want_object(c, "linux.resources.pids", v) ||
	     get_int(c, "linux.resources.pids", v, "limit", INT64_MIN, INT64_MAX, &r->pids_limit, NULL)))
		return -1;
	if (r->pids_limit <= 0)
		r->pids_limit = -1;	/* runc: 0 or below means no limit */
	v = json_object_get(obj, "cpu");
	if (v && !json_is_null(v) &&
	    (want_object(c, "linux.resources.cpu", v) ||
	     get_int(c, "linux.resources.cpu", v, "quota", INT64_MIN, INT64_MAX, &r->cpu_quota, NULL) ||
	     get_u64(c, "linux.resources.cpu", v, "period", false, &r->cpu_period) ||
	     get_u64(c, "linux.resources.cpu", v, "shares", false, &r->cpu_shares)))
		return -1;
	return 0;
}

static int parse_seccomp_action(struct ctx *c, const char *where, json_t *obj, const char *key, bool required,
				enum oci_seccomp_action *out)
{
	char *name = NULL;
	char w[WHERE_MAX];

	if (get_string(c, where, obj, key, required, &name))
		return -1;
	if (!name)
		return 0;
	sub(w, where, key);
	for (size_t k = 0; k < ARRAY_SIZE(scmp_actions); k++)
		if (strcmp(scmp_actions[k].name, name) == 0) {
			*out = scmp_actions[k].action;
			free(name);
			return 0;
		}
	fail(c, w, "unknown seccomp action '%s'", name);
	free(name);
	return -1;
}

static int parse_seccomp_args(struct ctx *c, const char *where, json_t *arr, struct oci_seccomp_rule *rule)
{
	char w[WHERE_MAX];
	json_t *a;
	size_t k;

	if (json_array_size(arr) > OCI_SECCOMP_MAX_ARGS)
		return fail(c, where, "more than %d argument conditions", OCI_SECCOMP_MAX_ARGS);
	json_array_foreach(arr, k, a) {
		struct oci_seccomp_arg *sa = &rule->args[k];
		char *op = NULL;
		int64_t index = 0;
		bool present;
		size_t o;

		idx(w, where, k);
		if (want_object(c, w, a) || get_int(c, w, a, "index", 0, OCI_SECCOMP_MAX_ARGS - 1, &index, &present))
			return -1;
		if (!present)
			return fail(c, w, "index: missing (required)");
		sa->index = (unsigned)index;
		if (get_u64(c, w, a, "value", true, &sa->value) || get_u64(c, w, a, "valueTwo", false, &sa->value_two) ||
		    get_string(c, w, a, "op", true, &op))
			return -1;
		for (o = 0; o < ARRAY_SIZE(scmp_ops) && strcmp(scmp_ops[o], op); o++)
			;
		if (o == ARRAY_SIZE(scmp_ops)) {
			fail(c, w, "unknown comparison '%s'", op);
			free(op);
			return -1;
		}
		free(op);
		sa->op = (enum oci_seccomp_op)o;
		rule->nargs = k + 1;
	}
	return 0;
}

static int parse_seccomp(struct ctx *c, json_t *obj, struct oci_spec *s)
{
	static const char *const known[] = { "defaultAction", "defaultErrnoRet", "architectures", "flags",
					     "listenerPath", "listenerMetadata", "syscalls", NULL };
	static const char *const rule_known[] = { "names", "action", "errnoRet", "args", "comment", "includes",
						  "excludes", NULL };
	struct oci_seccomp *sc;
	char w[WHERE_MAX];
	json_t *arr, *r;
	bool present;
	size_t k;

	if (want_object(c, "linux.seccomp", obj))
		return -1;
	note_unknown("linux.seccomp", obj, known);
	sc = s->seccomp = xzalloc((1) * sizeof(*sc));
	sc->default_errno_ret = EPERM;
	if (parse_seccomp_action(c, "linux.seccomp", obj, "defaultAction", true, &sc->default_action) ||
	    get_u32(c, "linux.seccomp", obj, "defaultErrnoRet", &sc->default_errno_ret, &present) ||
	    get_array(c, "linux.seccomp", obj, "syscalls", &arr))
		return -1;
	if (!arr)
		return 0;
	sc->rules = xzalloc((json_array_size(arr) + 1) * sizeof(*sc->rules));
	json_array_foreach(arr, k, r) {
		struct oci_seccomp_rule *rule = &sc->rules[k];
		json_t *args;

		idx(w, "linux.seccomp.syscalls", k);
		if (want_object(c, w, r))
			return -1;
		sc->nrules = k + 1;
		note_unknown(w, r, rule_known);
		rule->errno_ret = EPERM;
		if (get_strings(c, w, r, "names", true, &rule->names))
			return -1;
		if (!rule->names[0])
			return fail(c, w, "names: empty");
		if (parse_seccomp_action(c, w, r, "action", true, &rule->action) ||
		    get_u32(c, w, r, "errnoRet", &rule->errno_ret, &present) || get_array(c, w, r, "args", &args))
			return -1;
		if (args) {
			char wa[WHERE_MAX];

			sub(wa, w, "args");
			if (parse_seccomp_args(c, wa, args, rule))
				return -1;
		}
	}
	return 0;
}

static int parse_linux(struct ctx *c, json_t *obj, struct oci_spec *s)
{
	static const char *const known[] = { "namespaces", "uidMappings", "gidMappings", "timeOffsets", "devices",
					     "cgroupsPath", "rdma", "resources", "unified", "sysctl", "seccomp",
					     "rootfsPropagation", "maskedPaths", "readonlyPaths", "mountLabel",
					     "personality", "intelRdt", "memoryPolicy", NULL };
	json_t *v;

	if (want_object(c, "linux", obj))
		return -1;
	note_unknown("linux", obj, known);
	if (get_array(c, "linux", obj, "namespaces", &v) || (v && parse_namespaces(c, v, s)))
		return -1;
	v = json_object_get(obj, "resources");
	if (v && !json_is_null(v) && parse_resources(c, v, &s->resources))
		return -1;
	if (get_string(c, "linux", obj, "cgroupsPath", false, &s->cgroups_path) ||
	    get_strings(c, "linux", obj, "maskedPaths", false, &s->masked_paths) ||
	    get_strings(c, "linux", obj, "readonlyPaths", false, &s->readonly_paths))
		return -1;
	v = json_object_get(obj, "seccomp");
	if (v && !json_is_null(v) && parse_seccomp(c, v, s))
		return -1;
	return 0;
}

/* ---- the whole ---- */

static int parse_root(struct ctx *c, json_t *obj, struct oci_spec *s)
{
	static const char *const known[] = { "path", "readonly", NULL };

	if (!obj || json_is_null(obj))
		return fail(c, "root", "missing (required)");
	if (want_object(c, "root", obj))
		return -1;
	note_unknown("root", obj, known);
	if (get_string(c, "root", obj, "path", true, &s->root_path) ||
	    get_bool(c, "root", obj, "readonly", &s->root_readonly))
		return -1;
	if (!*s->root_path)
		return fail(c, "root.path", "empty");
	return 0;
}

static int parse_spec(struct ctx *c, json_t *top, struct oci_spec *s)
{
	static const char *const known[] = { "ociVersion", "root", "mounts", "process", "hostname", "domainname",
					     "hooks", "annotations", "linux", "solaris", "windows", "vm", "zos",
					     "freebsd", NULL };
	json_t *v;

	if (!json_is_object(top))
		return fail(c, "", "the top level is not a JSON object");
	note_unknown("", top, known);
	if (get_string(c, "", top, "ociVersion", true, &s->oci_version))
		return -1;
	/* runtime-spec is semantic versioning: a 1.x runtime reads any 1.y config */
	if (strncmp(s->oci_version, "1.", 2) != 0)
		return fail(c, "ociVersion", "'%s' is not a 1.x version of the runtime spec", s->oci_version);
	if (parse_root(c, json_object_get(top, "root"), s))
		return -1;
	if (get_array(c, "", top, "mounts", &v) || (v && parse_mounts(c, v, s)))
		return -1;
	v = json_object_get(top, "process");
	if (v && !json_is_null(v)) {
		s->has_process = true;
		if (parse_process(c, v, &s->process))
			return -1;
	}
	if (get_string(c, "", top, "hostname", false, &s->hostname))
		return -1;
	v = json_object_get(top, "hooks");
	if (v && !json_is_null(v) && parse_hooks(c, v, s))
		return -1;
	v = json_object_get(top, "annotations");
	if (v && !json_is_null(v) && parse_annotations(c, v, s))
		return -1;
	v = json_object_get(top, "linux");
	if (v && !json_is_null(v) && parse_linux(c, v, s))
		return -1;
	return 0;
}

static struct oci_spec *spec_new(void)
{
	struct oci_spec *s = xzalloc((1) * sizeof(*s));

	s->resources = (struct oci_resources){ .memory_limit = -1, .memory_reservation = -1, .memory_swap = -1,
					       .pids_limit = -1, .cpu_quota = -1 };
	return s;
}

static int finish(struct ctx *c, json_t *top, json_error_t *jerr, struct oci_spec **out)
{
	struct oci_spec *s;
	int ret;

	if (!top) {
		/* jansson says where: "line 3 column 7: ..."; a truncated file ends early */
		snprintf(c->err->msg, sizeof(c->err->msg), "%s: not valid JSON at line %d, column %d: %s", c->file,
			 jerr->line, jerr->column, jerr->text);
		return -1;
	}
	s = spec_new();
	ret = parse_spec(c, top, s);
	json_decref(top);
	if (ret) {
		oci_spec_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int oci_spec_parse(const char *json, size_t len, const char *name, struct oci_spec **out, struct oci_error *err)
{
	struct ctx c = { name, err };
	json_error_t jerr;

	/* without JSON_ALLOW_NUL jansson refuses "\u0000": no string here holds a NUL */
	return finish(&c, json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr), &jerr, out);
}

int oci_spec_load(const char *path, struct oci_spec **out, struct oci_error *err)
{
	struct ctx c = { path, err };
	json_error_t jerr;
	FILE *f = fopen(path, "re");
	json_t *top;

	if (!f) {
		snprintf(err->msg, sizeof(err->msg), "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	top = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	return finish(&c, top, &jerr, out);
}

int oci_process_load(const char *path, struct oci_process *p, struct oci_error *err)
{
	struct ctx c = { path, err };
	json_error_t jerr;
	json_t *top = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	int ret;

	memset(p, 0, sizeof(*p));
	if (!top) {
		if (jerr.line < 0)	/* jansson could not open or read it */
			snprintf(err->msg, sizeof(err->msg), "%s: %s", path, jerr.text);
		else
			snprintf(err->msg, sizeof(err->msg), "%s: not valid JSON at line %d, column %d: %s", path,
				 jerr.line, jerr.column, jerr.text);
		return -1;
	}
	ret = parse_process(&c, top, p);
	json_decref(top);
	if (ret)
		oci_process_free(p);
	return ret ? -1 : 0;
}

void oci_process_free(struct oci_process *p)
{
	free(p->additional_gids);
	free_strings(p->args);
	free_strings(p->env);
	free(p->cwd);
	free(p->rlimits);
	memset(p, 0, sizeof(*p));
}

char *oci_spec_annotations_json(const struct oci_spec *s)
{
	json_t *obj = json_object();
	char *out;

	for (size_t k = 0; k < s->nannotations; k++)
		json_object_set_new(obj, s->annotation_keys[k], json_string(s->annotation_values[k]));
	out = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	return out ? out : xstrdup("{}");
}

void oci_spec_free(struct oci_spec *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->root_path);
	oci_process_free(&s->process);
	free(s->hostname);
	for (size_t k = 0; k < s->nmounts; k++) {
		free(s->mounts[k].destination);
		free(s->mounts[k].type);
		free(s->mounts[k].source);
		free_strings(s->mounts[k].options);
	}
	free(s->mounts);
	free_strings(s->annotation_keys);
	free_strings(s->annotation_values);
	for (int kind = 0; kind < OCI_HOOK_KINDS; kind++) {
		for (size_t k = 0; k < s->nhooks[kind]; k++) {
			free(s->hooks[kind][k].path);
			free_strings(s->hooks[kind][k].args);
			free_strings(s->hooks[kind][k].env);
		}
		free(s->hooks[kind]);
	}
	for (size_t k = 0; k < s->nnamespaces; k++)
		free(s->namespaces[k].path);
	free(s->namespaces);
	free(s->cgroups_path);
	free_strings(s->masked_paths);
	free_strings(s->readonly_paths);
	if (s->seccomp) {
		for (size_t k = 0; k < s->seccomp->nrules; k++)
			free_strings(s->seccomp->rules[k].names);
		free(s->seccomp->rules);
		free(s->seccomp);
	}
	free(s);
}
