// SPDX-License-Identifier: MIT
/* Container state directories (state.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/util.h"
#include "runtime/oci/state.h"

#define ID_MAX 1024

const char *oci_id_problem(const char *id)
{
	size_t n = strlen(id);

	if (n == 0)
		return "it is empty";
	if (n > ID_MAX)
		return "it is longer than 1024 characters";
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return "it is '.' or '..'";
	/* runc's rule: letters, digits and _ + - . only */
	for (size_t k = 0; k < n; k++) {
		char ch = id[k];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '+' || ch == '-' || ch == '.'))
			return "only letters, digits and _ + - . may be used";
	}
	return NULL;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int lock_dir(struct oci_container *c)
{
	c->dirfd = open(c->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0)
		return -errno;
	while (flock(c->dirfd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = -errno;

			close(c->dirfd);
			return e;
		}
	}
	return 0;
}

static int set_path(struct oci_container *c, const char *root, const char *id)
{
	if ((size_t)snprintf(c->path, sizeof(c->path), "%s/%s", root, id) >= sizeof(c->path))
		return -ENAMETOOLONG;
	c->dirfd = -1;
	return 0;
}

int oci_container_create(const char *root, const char *id, struct oci_container *c)
{
	int err = set_path(c, root, id);

	if (err || (err = mkdir_p(root, 0711)))
		return err;
	if (mkdir(c->path, 0711) < 0)
		return -errno;
	return lock_dir(c);
}

int oci_container_open(const char *root, const char *id, struct oci_container *c)
{
	int err = set_path(c, root, id);

	if (err || (err = lock_dir(c)))
		return err;
	/* deleted while we waited for the lock: the directory is gone from its parent */
	if (access(c->path, F_OK) < 0) {
		close(c->dirfd);
		return -ENOENT;
	}
	return 0;
}

void oci_container_close(struct oci_container *c, bool remove)
{
	if (remove) {
		DIR *d = fdopendir(dup(c->dirfd));
		struct dirent *e;

		/* only files of ours live here: no recursion */
		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(c->dirfd, e->d_name, 0);
		if (d)
			closedir(d);
		rmdir(c->path);
	}
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
}

static int write_file_at(int dirfd, const char *name, const char *data)
{
	size_t n = strlen(data);
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	while (n) {
		ssize_t w = write(fd, data, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? -errno : -EIO;

			close(fd);
			return e;
		}
		data += w;
		n -= (size_t)w;
	}
	return close(fd) < 0 ? -errno : 0;
}

int oci_state_save(struct oci_container *c, const struct oci_state *st)
{
	json_t *ann = json_loads(st->annotations_json ? st->annotations_json : "{}", 0, NULL);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o}", "id", st->id, "bundle", st->bundle, "rootfs",
			      st->rootfs, "created", st->created, "pid", (json_int_t)st->pid, "pid_start",
			      (json_int_t)st->pid_start, "annotations", ann ? ann : json_object());
	if (j && st->cgroup && st->cgroup[0])
		json_object_set_new(j, "cgroup", json_string(st->cgroup));
	char *text;
	int err;

	if (!j)
		return -ENOMEM;
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		return -ENOMEM;
	/* a reader never sees half a file: write aside, then rename over */
	err = write_file_at(c->dirfd, "state.json.tmp", text);
	free(text);
	if (!err && renameat(c->dirfd, "state.json.tmp", c->dirfd, "state.json") < 0)
		err = -errno;
	return err;
}

static char *dup_string(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

int oci_state_load(struct oci_container *c, struct oci_state *st)
{
	int fd = openat(c->dirfd, "state.json", O_RDONLY | O_CLOEXEC);
	json_t *j, *ann;
	FILE *f;

	memset(st, 0, sizeof(*st));
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	j = json_loadf(f, 0, NULL);
	fclose(f);
	if (!json_is_object(j)) {
		json_decref(j);
		return -EINVAL;
	}
	st->id = dup_string(j, "id");
	st->bundle = dup_string(j, "bundle");
	st->rootfs = dup_string(j, "rootfs");
	st->created = dup_string(j, "created");
	st->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	st->pid_start = (unsigned long long)json_integer_value(json_object_get(j, "pid_start"));
	ann = json_object_get(j, "annotations");
	st->annotations_json = json_dumps(json_is_object(ann) ? ann : json_object(), JSON_COMPACT);
	st->cgroup = json_is_string(json_object_get(j, "cgroup")) ? strdup(json_string_value(json_object_get(j, "cgroup"))) : NULL;
	json_decref(j);
	if (!st->id || !st->bundle || !st->rootfs || !st->created || !st->annotations_json) {
		oci_state_free(st);
		return -EINVAL;
	}
	return 0;
}

void oci_state_free(struct oci_state *st)
{
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->annotations_json);
	free(st->cgroup);
	memset(st, 0, sizeof(*st));
}

unsigned long long oci_pid_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	char state;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "PID (COMM) STATE ..." where COMM may hold anything: start after its last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c", &state) != 1 || state == 'Z' || state == 'X')
		return 0;
	/* field 22 (starttime) is the 20th after the state */
	p += 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &start) != 1)
		return 0;
	return start;
}

enum oci_status oci_status(struct oci_container *c, const struct oci_state *st)
{
	if (!st->pid)
		return OCI_CREATING;
	if (oci_pid_start_time(st->pid) != st->pid_start)
		return OCI_STOPPED;
	if (faccessat(c->dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return OCI_CREATED;
	if (faccessat(c->dirfd, "paused", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return OCI_PAUSED;
	return OCI_RUNNING;
}

const char *oci_status_name(enum oci_status s)
{
	static const char *const names[] = { "creating", "created", "running", "stopped", "paused" };

	return names[s];
}

char *oci_state_json(const struct oci_state *st, enum oci_status s)
{
	json_t *ann = json_loads(st->annotations_json, 0, NULL);
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "ociVersion", "1.0.2", "id", st->id,
			      "status", oci_status_name(s), "pid",
			      (json_int_t)(s != OCI_STOPPED ? st->pid : 0), "bundle", st->bundle,
			      "rootfs", st->rootfs, "created", st->created, "owner", "");
	char *out;

	if (!j)
		return NULL;
	if (ann && json_object_size(ann))
		json_object_set(j, "annotations", ann);
	json_decref(ann);
	out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return out;
}
