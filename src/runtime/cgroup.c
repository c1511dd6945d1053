/* SPDX-License-Identifier: MIT */
/* linux.resources as host cgroup limits (cgroup.h). */
#define _GNU_SOURCE
#include "runtime/cgroup.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "lib/log.h"
#include "runtime/oci/spec.h"
#include "runtime/runtime.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_MAX_DEPTH 32		/* path components we create, a bound on guest-independent but user-given input */

static const char *const v1_controllers[] = { "memory", "pids", "cpu", "cpuacct" };

static bool cg_v2(void)
{
	struct statfs sf;

	return statfs(CG_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* The directory of cgroup @path in the hierarchy of @ctrl (NULL on v2). */
static bool cg_dir(char *buf, size_t n, const char *ctrl, const char *path)
{
	int r = ctrl ? snprintf(buf, n, CG_ROOT "/%s%s", ctrl, path) : snprintf(buf, n, CG_ROOT "%s", path);

	return r > 0 && (size_t)r < n;
}

static int cg_write(const char *dir, const char *file, const char *val)
{
	char p[PATH_MAX];
	int fd, r = 0;
	ssize_t len = (ssize_t)strlen(val);

	if (snprintf(p, sizeof(p), "%s/%s", dir, file) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, (size_t)len) != len)
		r = -errno;
	close(fd);
	return r;
}

/* The first line of DIR/FILE in @buf; false if unreadable. */
static bool cg_read(const char *dir, const char *file, char *buf, size_t n)
{
	char p[PATH_MAX];
	FILE *f;
	bool ok;

	if (snprintf(p, sizeof(p), "%s/%s", dir, file) >= (int)sizeof(p))
		return false;
	f = fopen(p, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)n, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static int64_t cg_read_int(const char *dir, const char *file)
{
	char buf[128];

	if (!cg_read(dir, file, buf, sizeof(buf)))
		return -1;
	return strcmp(buf, "max") == 0 ? -1 : strtoll(buf, NULL, 10);
}

/* A "KEY VALUE" line of a flat-keyed file (memory.events, cpu.stat); -1 if none. */
static int64_t cg_read_key(const char *dir, const char *file, const char *key)
{
	char p[PATH_MAX], line[256];
	int64_t v = -1;
	size_t kl = strlen(key);
	FILE *f;

	if (snprintf(p, sizeof(p), "%s/%s", dir, file) >= (int)sizeof(p))
		return -1;
	f = fopen(p, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			v = strtoll(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* mkdir -p of @dir below @base (which exists); -errno. */
static int cg_mkdirs(const char *dir, size_t base_len)
{
	char p[PATH_MAX];
	int depth = 0;

	if (strlen(dir) >= sizeof(p))
		return -ENAMETOOLONG;
	strcpy(p, dir);
	for (char *s = p + base_len + 1; *s; s++) {
		if (*s != '/')
			continue;
		if (++depth > CG_MAX_DEPTH)
			return -ELOOP;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* Our own cgroup in the hierarchy of @ctrl (NULL: v2), from /proc/self/cgroup; "" for the root. */
static void own_cgroup(const char *ctrl, char *buf, size_t n)
{
	char line[1024];
	FILE *f = fopen("/proc/self/cgroup", "re");

	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *tok, *save;
		bool match = false;

		if (!c2)
			continue;
		*c2 = 0;
		if (!ctrl)
			match = c1[1] == 0;
		else
			for (tok = strtok_r(c1 + 1, ",", &save); tok && !match; tok = strtok_r(NULL, ",", &save))
				match = strcmp(tok, ctrl) == 0;
		if (match) {
			c2[1 + strcspn(c2 + 1, "\n")] = 0;
			snprintf(buf, n, "%s", strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1);
			break;
		}
	}
	fclose(f);
}

/* The cgroup path (below the roots) for container @id; 0 or 1 after saying why. */
static int cg_path(const char *verb, const char *id, const char *given, bool systemd, char *path, size_t n)
{
	int r;

	if (!given || !given[0]) {
		r = snprintf(path, n, "/cvisor/%s", id);
	} else if (systemd) {
		/* runc's slice:prefix:name; placed where systemd's cgroupfs layout would put it */
		char slice[256], prefix[256], name[256];

		if (sscanf(given, "%255[^:]:%255[^:]:%255s", slice, prefix, name) != 3)
			return oci_fail(verb, "cgroupsPath '%s': with --systemd-cgroup it must be slice:prefix:name", given);
		r = snprintf(path, n, "/%s/%s-%s.scope", slice, prefix, name);
	} else if (given[0] == '/') {
		r = snprintf(path, n, "%s", given);
	} else {
		char own[PATH_MAX];

		own_cgroup(cg_v2() ? NULL : "memory", own, sizeof(own));
		r = snprintf(path, n, "%s/%s", own, given);
	}
	if (r <= 0 || (size_t)r >= n)
		return oci_fail(verb, "cgroupsPath too long");
	if (strstr(path, "/../") || strstr(path, "/./") || (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/..")))
		return oci_fail(verb, "cgroupsPath '%s': no . or .. components", path);
	/* delete kills whatever is left in it: never the root cgroup */
	if (strspn(path, "/") == strlen(path))
		return oci_fail(verb, "cgroupsPath '%s': the root cgroup cannot be a container's", path);
	return 0;
}

static bool wants_resources(const struct oci_resources *r)
{
	return r->memory_limit > 0 || r->memory_reservation > 0 || r->memory_swap > 0 || r->pids_limit > 0 ||
	       r->cpu_quota > 0 || r->cpu_shares > 0;
}

/* runc's conversion of cpu.shares [2, 262144] to cpu.weight [1, 10000]. */
static uint64_t shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* Write @val (a number) to DIR/FILE if @v is set; -errno. */
static int set_num(const char *dir, const char *file, int64_t v)
{
	char buf[32];

	if (v <= 0)
		return 0;
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cg_write(dir, file, buf);
}

static int apply_v2(const char *dir, const struct oci_resources *r, const char **what)
{
	char buf[64];
	int e = 0;

	if (!e && r->memory_limit > 0 && (e = set_num(dir, "memory.max", r->memory_limit)))
		*what = "memory.max";
	if (!e && r->memory_reservation > 0 && (e = set_num(dir, "memory.low", r->memory_reservation)))
		*what = "memory.low";
	/* OCI's swap is memory+swap; v2 counts swap alone */
	if (!e && r->memory_swap > 0 && r->memory_limit > 0 && r->memory_swap >= r->memory_limit &&
	    (e = cg_write(dir, "memory.swap.max",
			  (snprintf(buf, sizeof(buf), "%" PRId64, r->memory_swap - r->memory_limit), buf))))
		*what = "memory.swap.max";
	if (!e && r->pids_limit > 0 && (e = set_num(dir, "pids.max", r->pids_limit)))
		*what = "pids.max";
	if (!e && r->cpu_quota > 0) {
		snprintf(buf, sizeof(buf), "%" PRId64 " %" PRIu64, r->cpu_quota, r->cpu_period ? r->cpu_period : 100000);
		if ((e = cg_write(dir, "cpu.max", buf)))
			*what = "cpu.max";
	}
	if (!e && r->cpu_shares > 0 && (e = set_num(dir, "cpu.weight", (int64_t)shares_to_weight(r->cpu_shares))))
		*what = "cpu.weight";
	return e;
}

static int apply_v1(const char *path, const struct oci_resources *r, const char **what)
{
	char mem[PATH_MAX], pids[PATH_MAX], cpu[PATH_MAX];
	int e = 0;

	cg_dir(mem, sizeof(mem), "memory", path);
	cg_dir(pids, sizeof(pids), "pids", path);
	cg_dir(cpu, sizeof(cpu), "cpu", path);
	if (!e && r->memory_limit > 0 && (e = set_num(mem, "memory.limit_in_bytes", r->memory_limit)))
		*what = "memory.limit_in_bytes";
	if (!e && r->memory_reservation > 0 && (e = set_num(mem, "memory.soft_limit_in_bytes", r->memory_reservation)))
		*what = "memory.soft_limit_in_bytes";
	/* memsw may be absent (swap accounting off): only an error when asked for */
	if (!e && r->memory_swap > 0 && (e = set_num(mem, "memory.memsw.limit_in_bytes", r->memory_swap)))
		*what = "memory.memsw.limit_in_bytes";
	if (!e && r->pids_limit > 0 && (e = set_num(pids, "pids.max", r->pids_limit)))
		*what = "pids.max";
	if (!e && r->cpu_quota > 0 && r->cpu_period > 0 && (e = set_num(cpu, "cpu.cfs_period_us", (int64_t)r->cpu_period)))
		*what = "cpu.cfs_period_us";
	if (!e && r->cpu_quota > 0 && (e = set_num(cpu, "cpu.cfs_quota_us", r->cpu_quota)))
		*what = "cpu.cfs_quota_us";
	if (!e && r->cpu_shares > 0 && (e = set_num(cpu, "cpu.shares", (int64_t)r->cpu_shares)))
		*what = "cpu.shares";
	return e;
}

/* v2: enable memory, pids and cpu for the children of every ancestor of @path. */
static void enable_v2_controllers(const char *path)
{
	char dir[PATH_MAX];
	size_t len = strlen(CG_ROOT);

	if (!cg_dir(dir, sizeof(dir), NULL, path))
		return;
	for (size_t k = len; dir[k]; k++) {
		char saved;

		if (dir[k] != '/' || k == len)
			continue;
		saved = dir[k];
		dir[k] = 0;
		cg_write(dir, "cgroup.subtree_control", "+memory +pids +cpu");
		dir[k] = saved;
	}
	cg_write(CG_ROOT, "cgroup.subtree_control", "+memory +pids +cpu");
}

int oci_cgroup_setup(const char *verb, const char *id, const struct oci_spec *spec, bool systemd, pid_t pid,
		     char *path, size_t size)
{
	const struct oci_resources *r = &spec->resources;
	bool want = wants_resources(r), v2 = cg_v2();
	char dir[PATH_MAX], pidbuf[32];
	const char *what = "";
	int e = 0;

	if (cg_path(verb, id, spec->cgroups_path, systemd, path, size))
		return 1;
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	if (v2) {
		enable_v2_controllers(path);
		if (!cg_dir(dir, sizeof(dir), NULL, path) || (e = cg_mkdirs(dir, strlen(CG_ROOT))))
			what = "mkdir";
	} else {
		for (size_t k = 0; k < sizeof(v1_controllers) / sizeof(v1_controllers[0]) && !e; k++)
			if (!cg_dir(dir, sizeof(dir), v1_controllers[k], path) ||
			    (e = cg_mkdirs(dir, strlen(CG_ROOT) + 1 + strlen(v1_controllers[k]))))
				what = "mkdir";
	}
	if (e && !want) {
		log_info("%s: no usable cgroup fs (%s %s: %s); no resources asked, going on without", verb, what, path,
			 strerror(-e));
		oci_cgroup_remove(path);
		path[0] = 0;
		return 0;
	}
	if (!e)
		e = v2 ? apply_v2(dir, r, &what) : apply_v1(path, r, &what);
	if (!e && v2 && (e = cg_write(dir, "cgroup.procs", pidbuf)))
		what = "cgroup.procs";
	for (size_t k = 0; !v2 && !e && k < sizeof(v1_controllers) / sizeof(v1_controllers[0]); k++) {
		cg_dir(dir, sizeof(dir), v1_controllers[k], path);
		if ((e = cg_write(dir, "cgroup.procs", pidbuf)))
			what = "cgroup.procs";
	}
	if (e) {
		oci_cgroup_remove(path);
		return oci_fail(verb, "cannot apply linux.resources: cgroup %s (%s), %s: %s", path, v2 ? "v2" : "v1",
			       what, strerror(-e));
	}
	log_info("%s: container %s in cgroup %s (%s)", verb, id, path, v2 ? "v2" : "v1");
	return 0;
}

/* SIGKILL every process in @dir's cgroup.procs until it is empty (bounded); true when empty. */
static bool kill_procs(const char *dir)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s/cgroup.procs", dir) >= (int)sizeof(p))
		return false;
	for (int round = 0; round < 200; round++) {
		FILE *f = fopen(p, "re");
		bool any = false;
		int pid;

		if (!f)
			return true;
		while (fscanf(f, "%d", &pid) == 1) {
			any = true;
			kill(pid, SIGKILL);
		}
		fclose(f);
		if (!any)
			return true;
		usleep(10000);
	}
	return false;
}

static void remove_dir(const char *dir, bool v2)
{
	if (access(dir, F_OK) < 0)
		return;
	if (v2)
		cg_write(dir, "cgroup.kill", "1");
	kill_procs(dir);
	/* the cgroup goes once its last task is reaped; retry a little */
	for (int k = 0; k < 200 && rmdir(dir) < 0 && errno == EBUSY; k++)
		usleep(10000);
	if (access(dir, F_OK) == 0)
		log_warn("cgroup %s: could not remove it: %s", dir, strerror(errno));
}

void oci_cgroup_remove(const char *path)
{
	char dir[PATH_MAX];

	if (!path || !path[0])
		return;
	if (cg_v2()) {
		if (cg_dir(dir, sizeof(dir), NULL, path))
			remove_dir(dir, true);
		return;
	}
	for (size_t k = 0; k < sizeof(v1_controllers) / sizeof(v1_controllers[0]); k++)
		if (cg_dir(dir, sizeof(dir), v1_controllers[k], path))
			remove_dir(dir, false);
}

static json_t *jint(int64_t v)
{
	return json_integer(v < 0 ? 0 : v);
}

char *oci_cgroup_stats_json(const char *id, const char *path)
{
	char mem[PATH_MAX], pids[PATH_MAX], cpu[PATH_MAX];
	int64_t usage, max_usage, limit, failcnt, pcur, plim, cpu_ns;
	json_t *j;
	char *s;

	if (cg_v2()) {
		cg_dir(mem, sizeof(mem), NULL, path);
		usage = cg_read_int(mem, "memory.current");
		max_usage = cg_read_int(mem, "memory.peak");
		limit = cg_read_int(mem, "memory.max");
		failcnt = cg_read_key(mem, "memory.events", "max");
		pcur = cg_read_int(mem, "pids.current");
		plim = cg_read_int(mem, "pids.max");
		cpu_ns = cg_read_key(mem, "cpu.stat", "usage_usec");
		cpu_ns = cpu_ns < 0 ? 0 : cpu_ns * 1000;
	} else {
		cg_dir(mem, sizeof(mem), "memory", path);
		cg_dir(pids, sizeof(pids), "pids", path);
		cg_dir(cpu, sizeof(cpu), "cpuacct", path);
		usage = cg_read_int(mem, "memory.usage_in_bytes");
		max_usage = cg_read_int(mem, "memory.max_usage_in_bytes");
		limit = cg_read_int(mem, "memory.limit_in_bytes");
		failcnt = cg_read_int(mem, "memory.failcnt");
		pcur = cg_read_int(pids, "pids.current");
		plim = cg_read_int(pids, "pids.max");
		cpu_ns = cg_read_int(cpu, "cpuacct.usage");
	}
	j = json_pack("{s:s, s:s, s:{s:{s:{s:o}}, s:{s:{s:o, s:o, s:o, s:o}}, s:{s:o, s:o}}}", "type", "stats", "id", id,
		      "data", "cpu", "usage", "total", jint(cpu_ns), "memory", "usage", "usage", jint(usage), "max",
		      jint(max_usage), "limit", jint(limit), "failcnt", jint(failcnt), "pids", "current", jint(pcur),
		      "limit", jint(plim));
	if (!j)
		return NULL;
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}
