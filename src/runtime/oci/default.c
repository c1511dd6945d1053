// SPDX-License-Identifier: MIT
/*
 * The config.json `cvisor spec` writes: runc's defaults (a shell on a
 * terminal, root user, the usual /proc, /dev, /sys mounts, new namespaces,
 * the masked and read-only /proc paths), so that a bundle made for runc and
 * one made here differ only in the hostname.
 */
#include <jansson.h>
#include <stdlib.h>
#include "runtime/oci/spec.h"

static json_t *strings(const char *const *list)
{
	json_t *a = json_array();

	for (; *list; list++)
		json_array_append_new(a, json_string(*list));
	return a;
}

static json_t *mount(const char *dest, const char *type, const char *src, const char *const *opts)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "destination", dest, "type", type, "source", src);

	if (opts)
		json_object_set_new(m, "options", strings(opts));
	return m;
}

static json_t *default_mounts(void)
{
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
	static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
	static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
	static const char *const mq[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
	json_t *a = json_array();

	json_array_append_new(a, mount("/proc", "proc", "proc", NULL));
	json_array_append_new(a, mount("/dev", "tmpfs", "tmpfs", dev));
	json_array_append_new(a, mount("/dev/pts", "devpts", "devpts", pts));
	json_array_append_new(a, mount("/dev/shm", "tmpfs", "shm", shm));
	json_array_append_new(a, mount("/dev/mqueue", "mqueue", "mqueue", mq));
	json_array_append_new(a, mount("/sys", "sysfs", "sysfs", sys));
	json_array_append_new(a, mount("/sys/fs/cgroup", "cgroup", "cgroup", cg));
	return a;
}

static json_t *default_linux(void)
{
	static const char *const masked[] = { "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
					      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
					      "/proc/sched_debug", "/sys/firmware", "/proc/scsi", NULL };
	static const char *const ro[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
					  NULL };
	static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };
	json_t *namespaces = json_array();

	for (const char *const *n = ns; *n; n++)
		json_array_append_new(namespaces, json_pack("{s:s}", "type", *n));
	return json_pack("{s:{s:[{s:b, s:s}]}, s:o, s:o, s:o}",
			 "resources", "devices", "allow", 0, "access", "rwm",
			 "namespaces", namespaces, "maskedPaths", strings(masked), "readonlyPaths", strings(ro));
}

char *oci_spec_default(void)
{
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
	static const char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
					   "TERM=xterm", NULL };
	json_t *spec;
	char *out;

	spec = json_pack("{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:o, s:s, s:{s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], s:b},"
			 " s:{s:s, s:b}, s:s, s:o, s:o}",
			 "ociVersion", "1.0.2-dev",
			 "process", "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env", strings(env),
			 "cwd", "/", "capabilities", "bounding", strings(caps), "effective", strings(caps),
			 "permitted", strings(caps), "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
			 "noNewPrivileges", 1,
			 "root", "path", "rootfs", "readonly", 1,
			 "hostname", "cvisor",
			 "mounts", default_mounts(),
			 "linux", default_linux());
	if (!spec)
		return NULL;
	out = json_dumps(spec, JSON_INDENT(8) | JSON_PRESERVE_ORDER);
	json_decref(spec);
	return out;
}
