// SPDX-License-Identifier: MIT
/*
 * The OCI lifecycle verbs, with runc's command line: create, start, state,
 * kill, delete, run, list.
 *
 * `create` forks the container's process: it will be the supervisor of
 * `cvisor do` (cmd_do.c), whose exit status is the container's. It first
 * waits on ROOT/ID/exec.fifo until `start` opens the other end, as runc's
 * init does; `create` itself exits as soon as the state is saved, and the
 * engine (a subreaper: containerd's shim, conmon) inherits the process and
 * reaps it. `kill` relays a signal to the sandbox's init through the
 * supervisor (SENTRY_RELAY_SIGNAL); SIGKILL kills the supervisor, and the
 * Sentry, the Gofer and every stub die with it (PDEATHSIG, pid namespace).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup.h"
#include "runtime/oci/seccomp.h"
#include "runtime/oci/spec.h"
#include "runtime/oci/state.h"
#include "runtime/runtime.h"
#include "sentry/sentry.h"

static const char *state_root(const struct global_opts *g)
{
	return g->state_root ? g->state_root : OCI_DEFAULT_STATE_ROOT;
}

int oci_fail(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cvisor %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Open and lock container @id; prints why not. */
static int open_container(const char *verb, const struct global_opts *g, const char *id, struct oci_container *c,
			  struct oci_state *st)
{
	const char *bad = oci_id_problem(id);
	int err;

	if (bad)
		return oci_fail(verb, "invalid container id '%s': %s", id, bad);
	err = oci_container_open(state_root(g), id, c);
	if (err == -ENOENT)
		return oci_fail(verb, "container '%s' does not exist", id);
	if (err)
		return oci_fail(verb, "container '%s': %s", id, strerror(-err));
	err = oci_state_load(c, st);
	if (err) {
		oci_container_close(c, false);
		if (err == -ENOENT)
			return oci_fail(verb, "container '%s' is still being created, or its create failed half-way "
					"(`cvisor delete %s` removes it)", id, id);
		return oci_fail(verb, "container '%s': unreadable state: %s", id, strerror(-err));
	}
	return 0;
}

/* ---- create ---- */

struct create_opts {
	const char *id;
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	bool detach;		/* run only */
};

static int parse_create_opts(const char *verb, int argc, char **argv, struct create_opts *o)
{
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k], *v = NULL;
		bool has_value = k + 1 < argc;

		if (strcmp(a, "--bundle") == 0 || strcmp(a, "-b") == 0) {
			if (!has_value)
				return oci_fail(verb, "%s needs a directory", a);
			o->bundle = argv[++k];
		} else if (strncmp(a, "--bundle=", 9) == 0) {
			o->bundle = a + 9;
		} else if (strcmp(a, "--pid-file") == 0) {
			if (!has_value)
				return oci_fail(verb, "--pid-file needs a path");
			o->pid_file = argv[++k];
		} else if (strncmp(a, "--pid-file=", 11) == 0) {
			o->pid_file = a + 11;
		} else if (strcmp(a, "--console-socket") == 0) {
			if (!has_value)
				return oci_fail(verb, "--console-socket needs a path");
			o->console_socket = argv[++k];
		} else if (strncmp(a, "--console-socket=", 17) == 0) {
			o->console_socket = a + 17;
		} else if (strcmp(a, "--preserve-fds") == 0 || strncmp(a, "--preserve-fds=", 15) == 0) {
			char *end;

			v = a[14] == '=' ? a + 15 : (has_value ? argv[++k] : "");
			o->preserve_fds = (int)strtol(v, &end, 10);
			if (*end || end == v || o->preserve_fds < 0)
				return oci_fail(verb, "--preserve-fds needs a number, not '%s'", v);
		} else if (strcmp(a, "--no-pivot") == 0 || strcmp(a, "--no-new-keyring") == 0) {
			/* nothing to pivot, no kernel keyring reached: the Sentry has neither */
		} else if (strcmp(a, "--detach") == 0 || strcmp(a, "-d") == 0) {
			if (strcmp(verb, "run"))
				return oci_fail(verb, "unknown option '%s'", a);
			o->detach = true;
		} else if (a[0] == '-') {
			return oci_fail(verb, "unknown option '%s'", a);
		} else if (!o->id) {
			o->id = a;
		} else {
			return oci_fail(verb, "unexpected argument '%s'", a);
		}
	}
	if (!o->id)
		return oci_fail(verb, "usage: cvisor %s [--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] "
				"[--preserve-fds N]%s ID", verb, strcmp(verb, "run") ? "" : " [--detach]");
	if (!o->bundle)
		o->bundle = ".";
	return 0;
}

/* @a/@b into @buf; false if it does not fit. */
static bool path_join(char *buf, size_t size, const char *a, const char *b)
{
	return (size_t)snprintf(buf, size, "%s/%s", a, b) < size;
}

static void now_rfc3339(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + len, n - len, ".%09ldZ", ts.tv_nsec);
}

int write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], num[32];
	int fd, n;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.cvisor-tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	n = snprintf(num, sizeof(num), "%d", pid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, num, (size_t)n) != n || close(fd) < 0 || rename(tmp, path) < 0) {
		int e = -errno;

		unlink(tmp);
		return e ? e : -EIO;
	}
	return 0;
}

/*
 * The listening end of ROOT/ID/control.sock, for `cvisor exec` (the Sentry
 * serves it: sentry/control.h). Bound through /proc/self/fd/DIRFD so that
 * a long state root does not overflow sun_path. -1 after saying why.
 */
static int control_listen(const char *verb, struct oci_container *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/control.sock", c->dirfd);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		oci_fail(verb, "the control socket in %s: %s", c->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* A connection to the sandbox's control socket; -1 with errno set. */
int oci_control_connect(struct oci_container *c)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d/control.sock", c->dirfd);
	return connect_unix(path);
}

/*
 * A terminal for the container (process.terminal): a new pty, its master
 * sent over @socket_path with SCM_RIGHTS as runc does (the engine reads and
 * writes it), its slave kept for the container's stdio. Returns the slave,
 * or -1 after saying why.
 */
int oci_console_to_socket(const char *verb, const char *socket_path, unsigned rows, unsigned cols)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, name[] = "/dev/ptmx";
	struct iovec iov = { name, sizeof(name) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int master = -1, slave = -1, sock = -1;

	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		oci_fail(verb, "--console-socket '%s': path too long", socket_path);
		return -1;
	}
	strcpy(sa.sun_path, socket_path);
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		oci_fail(verb, "cannot make a pty: %s", strerror(errno));
		goto fail;
	}
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		oci_fail(verb, "cannot open the pty's slave: %s", strerror(errno));
		goto fail;
	}
	if (rows || cols) {
		struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

		ioctl(slave, TIOCSWINSZ, &ws);
	}
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		oci_fail(verb, "--console-socket '%s': %s", socket_path, strerror(errno));
		goto fail;
	}
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
		oci_fail(verb, "--console-socket '%s': sending the pty: %s", socket_path, strerror(errno));
		goto fail;
	}
	close(sock);
	close(master);
	return slave;
fail:
	if (sock >= 0)
		close(sock);
	if (slave >= 0)
		close(slave);
	if (master >= 0)
		close(master);
	return -1;
}

/* In the container's process: the pty slave becomes its controlling terminal and stdio. */
static void take_console(int slave)
{
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 ||
	    dup2(slave, 2) < 0)
		_exit(STATUS_RUNTIME_FAILED);
	if (slave > 2)
		close(slave);
}

/* A mount of config.json the Sentry makes itself, whatever the entry says (proc, sysfs, /dev...). */
static bool sentry_own_mount(const struct oci_mount *m)
{
	static const char *const own[] = { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
					   "/sys/fs/cgroup", NULL };

	for (size_t k = 0; own[k]; k++)
		if (strcmp(m->destination, own[k]) == 0)
			return true;
	return false;
}

static bool has_option(const struct oci_mount *m, const char *opt)
{
	for (size_t k = 0; m->options && m->options[k]; k++)
		if (strcmp(m->options[k], opt) == 0)
			return true;
	return false;
}

static bool is_bind(const struct oci_mount *m)
{
	return (m->type && strcmp(m->type, "bind") == 0) || has_option(m, "bind") || has_option(m, "rbind");
}

static bool is_tmpfs(const struct oci_mount *m)
{
	return m->type && strcmp(m->type, "tmpfs") == 0 && !is_bind(m);
}

/* A bind mount @m as a Gofer volume of @src (skipped, logged, when it is a file); 0 or 1 after saying why. */
static int bind_volume(const char *verb, const struct oci_mount *m, const char *bundle, struct root_source *src,
		       struct sentry_volume *vols)
{
	char host[PATH_MAX], *vspec;
	struct stat sb;

	if (!m->source)
		return oci_fail(verb, "mounts: bind mount at %s has no source", m->destination);
	if (m->source[0] == '/' ? strlen(m->source) >= sizeof(host) : !path_join(host, sizeof(host), bundle, m->source))
		return oci_fail(verb, "mounts: source '%s' too long", m->source);
	if (m->source[0] == '/')
		strcpy(host, m->source);
	if (stat(host, &sb) < 0)
		return oci_fail(verb, "mounts: bind source '%s' for %s: %s", host, m->destination, strerror(errno));
	if (!S_ISDIR(sb.st_mode)) {
		/* the Gofer exports directories: /etc/hosts and the like keep the image's file */
		log_info("%s: bind mount of file %s at %s: not supported yet, skipped", verb, host, m->destination);
		return 0;
	}
	if (strchr(host, ':') || strchr(m->destination, ':'))
		return oci_fail(verb, "mounts: '%s' at %s: a path with ':' cannot be a volume yet", host, m->destination);
	if (src->nvolumes >= MAX_VOLUMES)
		return oci_fail(verb, "mounts: too many (at most %d)", MAX_VOLUMES);
	if (asprintf(&vspec, "%s:%s%s", host, m->destination, has_option(m, "ro") ? ":ro" : "") < 0)
		return oci_fail(verb, "out of memory");
	return add_volume(src, vols, vspec) ? 1 : 0;
}

/* A tmpfs mount @m: a new tmpfs of the Sentry's (mode= honoured). */
static struct sentry_volume tmpfs_volume(const struct oci_mount *m)
{
	const char *mode = NULL;

	for (size_t o = 0; m->options && m->options[o]; o++)
		if (strncmp(m->options[o], "mode=", 5) == 0)
			mode = m->options[o] + 5;
	return (struct sentry_volume){ .guest = m->destination, .ro = has_option(m, "ro"), .tmpfs = true,
				       .mode = mode ? (uint32_t)strtoul(mode, NULL, 8) : 0 };
}

/*
 * config.json's mounts as volumes: a bind mount of a host directory becomes
 * one of the Gofer (read-only with "ro"), a tmpfs mount a tmpfs of the
 * Sentry's; the Sentry's own mounts are its own; others are not supported
 * yet and are logged. @vols gets the Gofer's volumes (src->nvolumes of them,
 * in the order the Gofer is given them), then the *ntmpfs tmpfs ones. 0, or
 * 1 after saying why. Strings are allocated for the container's lifetime.
 */
static int mounts_to_volumes(const char *verb, const struct oci_spec *spec, const char *bundle,
			     struct root_source *src, struct sentry_volume *vols, int *ntmpfs)
{
	for (size_t k = 0; k < spec->nmounts; k++) {
		const struct oci_mount *m = &spec->mounts[k];

		if (sentry_own_mount(m) || is_tmpfs(m))
			continue;	/* the Sentry's own; tmpfs mounts come after the Gofer's volumes, below */
		if (!is_bind(m)) {
			log_info("%s: mount of type %s at %s: not supported yet, skipped", verb, m->type ? m->type : "?",
				 m->destination);
			continue;
		}
		if (bind_volume(verb, m, bundle, src, vols))
			return 1;
	}
	for (size_t k = 0; k < spec->nmounts; k++) {
		const struct oci_mount *m = &spec->mounts[k];

		if (sentry_own_mount(m) || !is_tmpfs(m))
			continue;
		if (src->nvolumes + *ntmpfs >= MAX_VOLUMES)
			return oci_fail(verb, "mounts: too many (at most %d)", MAX_VOLUMES);
		vols[src->nvolumes + (*ntmpfs)++] = tmpfs_volume(m);
	}
	return 0;
}

/*
 * The container's process, forked by create: wait for `start` on exec.fifo
 * (it opens the read end and waits for our byte), then be the sandbox's
 * supervisor. Never returns.
 */
static __attribute__((noreturn)) void container_main(const char *fifo, struct sentry_config *cfg,
						   const struct root_source *src)
{
	int fd;

	/* the state lock is create's, not ours (it is CLOEXEC, but we do not exec) */
	fd = open(fifo, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(STATUS_RUNTIME_FAILED);
	if (write(fd, "0", 1) != 1)
		_exit(STATUS_RUNTIME_FAILED);
	close(fd);
	_exit(sandbox_run(cfg, src, DEFAULT_GRACE_S));
}

/* The sandbox configuration from @spec; strings point into @spec and @rootfs. */
static void config_from_spec(struct sentry_config *cfg, const struct oci_spec *spec, const char *rootfs,
			     const struct global_opts *g)
{
	*cfg = (struct sentry_config){
		.root = rootfs, .platform = g->platform, .syscall_patching = !g->no_syscall_patching,
		.debug = g->debug, .strace = g->strace, .strace_syscalls = g->strace_syscalls,
		.cwd = spec->process.cwd, .argv = spec->process.args, .envp = spec->process.env,
		.hostname = spec->hostname,
		.uid = spec->process.uid, .gid = spec->process.gid,
		.groups = spec->process.additional_gids, .ngroups = spec->process.nadditional_gids,
		.set_umask = spec->process.has_umask, .umask = spec->process.umask,
		.no_new_privs = spec->process.no_new_privileges, .control_fd = -1,
	};
	/* lives as long as the container's process: never freed */
	cfg->rlimits = xzalloc((spec->process.nrlimits + 1) * sizeof(*cfg->rlimits));
	for (size_t k = 0; k < spec->process.nrlimits; k++)
		cfg->rlimits[k] = (struct sentry_rlimit){ spec->process.rlimits[k].resource, spec->process.rlimits[k].soft,
							  spec->process.rlimits[k].hard };
	cfg->nrlimits = spec->process.nrlimits;
}

/*
 * create: check the bundle, make the state directory and fork the
 * container's process. 0 and *child_out (a child of ours), or 1 after
 * saying why; nothing is left behind on failure.
 */
static int create_container(const char *verb, const struct create_opts *o, const struct global_opts *g,
			    pid_t *child_out)
{
	char config[PATH_MAX], bundle[PATH_MAX], rootfs_given[PATH_MAX], rootfs[PATH_MAX], created[64], fifo[PATH_MAX], cgpath[PATH_MAX];
	struct oci_container c;
	struct oci_state st = { 0 };
	struct sentry_config cfg;
	struct oci_spec *spec;
	struct oci_error perr;
	const char *bad = oci_id_problem(o->id);
	struct stat sb;
	struct root_source src = { .p9_fd = -1, .gofer = true };
	static struct sentry_volume vols[MAX_VOLUMES];	/* the container's process keeps them */
	pid_t child;
	int err, console = -1, ntmpfs = 0;

	if (bad)
		return oci_fail(verb, "invalid container id '%s': %s", o->id, bad);
	if (!realpath(o->bundle, bundle))
		return oci_fail(verb, "bundle '%s': %s", o->bundle, strerror(errno));
	if (!path_join(config, sizeof(config), bundle, "config.json"))
		return oci_fail(verb, "bundle path '%s' too long", bundle);
	if (oci_spec_load(config, &spec, &perr))
		return oci_fail(verb, "%s", perr.msg);
	if (!spec->has_process) {
		oci_spec_free(spec);
		return oci_fail(verb, "%s: process: missing (required to run the container)", config);
	}
	if (spec->root_path[0] == '/' ? strlen(spec->root_path) >= sizeof(rootfs_given) :
	    !path_join(rootfs_given, sizeof(rootfs_given), bundle, spec->root_path)) {
		oci_spec_free(spec);
		return oci_fail(verb, "%s: root.path too long", config);
	}
	if (spec->root_path[0] == '/')
		strcpy(rootfs_given, spec->root_path);
	if (!realpath(rootfs_given, rootfs)) {
		err = errno;
		oci_spec_free(spec);
		return oci_fail(verb, "%s: root.path '%s': %s", config, rootfs_given, strerror(err));
	}
	if (stat(rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		oci_spec_free(spec);
		return oci_fail(verb, "%s: root.path '%s' is not a directory", config, rootfs_given);
	}
	if (o->preserve_fds > 0)
		log_warn("%s: --preserve-fds %d: extra descriptors are not passed into the sandbox yet", verb,
			 o->preserve_fds);
	if (spec->process.terminal && !o->console_socket) {
		oci_spec_free(spec);
		return oci_fail(verb, "%s: process.terminal is true: --console-socket is needed to hand the terminal over",
				config);
	}
	if (!spec->process.terminal && o->console_socket) {
		oci_spec_free(spec);
		return oci_fail(verb, "--console-socket given, but process.terminal is false in %s", config);
	}
	err = oci_container_create(state_root(g), o->id, &c);
	if (err == -EEXIST) {
		oci_spec_free(spec);
		return oci_fail(verb, "container '%s' already exists", o->id);
	}
	if (err) {
		oci_spec_free(spec);
		return oci_fail(verb, "cannot create the state of '%s' under %s: %s", o->id, state_root(g), strerror(-err));
	}
	if (!path_join(fifo, sizeof(fifo), c.path, "exec.fifo") || mkfifo(fifo, 0600) < 0) {
		err = path_join(fifo, sizeof(fifo), c.path, "exec.fifo") ? errno : ENAMETOOLONG;
		oci_container_close(&c, true);
		oci_spec_free(spec);
		return oci_fail(verb, "mkfifo %s: %s", fifo, strerror(err));
	}
	config_from_spec(&cfg, spec, rootfs, g);
	if (spec->seccomp) {
		void *prog;

		if (oci_seccomp_compile(spec->seccomp, &prog, &cfg.seccomp_len, &perr)) {
			oci_container_close(&c, true);
			oci_spec_free(spec);
			return oci_fail(verb, "%s: %s", config, perr.msg);
		}
		cfg.seccomp_prog = prog;	/* the container's process keeps it */
	}
	src.root_ro = cfg.root_readonly = spec->root_readonly;
	if (mounts_to_volumes(verb, spec, bundle, &src, vols, &ntmpfs)) {
		oci_container_close(&c, true);
		oci_spec_free(spec);
		return 1;
	}
	cfg.volumes = vols;
	cfg.nvolumes = src.nvolumes + ntmpfs;
	cfg.control_fd = control_listen(verb, &c);
	if (cfg.control_fd < 0) {
		oci_container_close(&c, true);
		oci_spec_free(spec);
		return 1;
	}
	if (o->console_socket) {
		console = oci_console_to_socket(verb, o->console_socket, spec->process.console_height,
						spec->process.console_width);
		if (console < 0) {
			close(cfg.control_fd);
			oci_container_close(&c, true);
			oci_spec_free(spec);
			return 1;
		}
	}
	child = fork();
	if (child == 0) {
		close(c.dirfd);
		if (console >= 0)
			take_console(console);
		container_main(fifo, &cfg, &src);
	}
	if (console >= 0)
		close(console);
	close(cfg.control_fd);	/* the container's process holds it */
	if (child < 0) {
		err = errno;
		oci_container_close(&c, true);
		oci_spec_free(spec);
		return oci_fail(verb, "fork: %s", strerror(err));
	}
	if (oci_cgroup_setup(verb, o->id, spec, g->systemd_cgroup, child, cgpath, sizeof(cgpath))) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		oci_container_close(&c, true);
		oci_spec_free(spec);
		return 1;
	}
	now_rfc3339(created, sizeof(created));
	st = (struct oci_state){ .id = (char *)o->id, .bundle = bundle, .rootfs = rootfs, .created = created,
				 .pid = child, .pid_start = oci_pid_start_time(child),
				 .annotations_json = oci_spec_annotations_json(spec), .cgroup = cgpath };
	err = oci_state_save(&c, &st);
	for (int k = OCI_HOOK_PRESTART; !err && k <= OCI_HOOK_CREATE_CONTAINER; k++)
		if (oci_lifecycle_hooks(verb, spec, &st, OCI_CREATING, k, true))
			err = -ECANCELED;	/* said why */
	if (!err && o->pid_file)
		err = write_pid_file(o->pid_file, child);
	free(st.annotations_json);
	oci_spec_free(spec);
	if (err) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		oci_cgroup_remove(cgpath);
		oci_container_close(&c, true);
		if (err == -ECANCELED)
			return 1;
		return oci_fail(verb, "cannot save the state of '%s': %s", o->id, strerror(-err));
	}
	oci_container_close(&c, false);
	log_info("%s: container %s, process %d, bundle %s", verb, o->id, child, bundle);
	*child_out = child;
	return 0;
}

int cmd_create(int argc, char **argv, const struct global_opts *g)
{
	struct create_opts o = { 0 };
	pid_t child;

	if (parse_create_opts("create", argc, argv, &o) || create_container("create", &o, g, &child))
		return 1;
	return 0;
}

/* ---- start ---- */

/* Release the container's process from exec.fifo; 0, or 1 after saying why. */
static int start_container(const char *verb, const struct global_opts *g, const char *id)
{
	struct oci_container c;
	struct oci_state st;
	enum oci_status s;
	char fifo[PATH_MAX + 16], byte;
	int fd, ret = 1;

	if (open_container(verb, g, id, &c, &st))
		return 1;
	s = oci_status(&c, &st);
	if (s != OCI_CREATED) {
		oci_fail(verb, "container '%s' is %s, not created: it cannot be started", id, oci_status_name(s));
		goto out;
	}
	if (oci_lifecycle_hooks(verb, NULL, &st, OCI_CREATED, OCI_HOOK_START_CONTAINER, true)) {
		kill(st.pid, SIGKILL);
		goto out;
	}
	path_join(fifo, sizeof(fifo), c.path, "exec.fifo");
	/* non-blocking: if the process died, a blocking open would wait for it forever */
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		oci_fail(verb, "%s: %s", fifo, strerror(errno));
		goto out;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int n = poll(&p, 1, 100);

		if (n > 0 && read(fd, &byte, 1) == 1) {
			ret = 0;
			break;
		}
		if (n < 0 && errno != EINTR) {
			oci_fail(verb, "poll: %s", strerror(errno));
			break;
		}
		if (oci_pid_start_time(st.pid) != st.pid_start) {
			oci_fail(verb, "the process of container '%s' exited before it was started", id);
			break;
		}
	}
	close(fd);
	if (ret == 0)
		unlinkat(c.dirfd, "exec.fifo", 0);
	if (ret == 0)
		oci_lifecycle_hooks(verb, NULL, &st, OCI_RUNNING, OCI_HOOK_POSTSTART, false);
out:
	oci_state_free(&st);
	oci_container_close(&c, false);
	return ret;
}

static int only_id(const char *verb, int argc, char **argv, const char **id)
{
	if (argc != 2 || argv[1][0] == '-')
		return oci_fail(verb, "usage: cvisor %s ID", verb);
	*id = argv[1];
	return 0;
}

int cmd_start(int argc, char **argv, const struct global_opts *g)
{
	const char *id = NULL;

	return only_id("start", argc, argv, &id) ? 1 : start_container("start", g, id);
}

/* ---- state, list ---- */

int cmd_state(int argc, char **argv, const struct global_opts *g)
{
	struct oci_container c;
	struct oci_state st;
	const char *id = NULL;
	char *json;

	if (only_id("state", argc, argv, &id) || open_container("state", g, id, &c, &st))
		return 1;
	json = oci_state_json(&st, oci_status(&c, &st));
	oci_state_free(&st);
	oci_container_close(&c, false);
	if (!json)
		return oci_fail("state", "out of memory");
	printf("%s\n", json);
	free(json);
	return 0;
}

int cmd_list(int argc, char **argv, const struct global_opts *g)
{
	bool quiet = false, json = false;
	struct dirent *e;
	DIR *d;
	int n = 0;

	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "-q") == 0 || strcmp(argv[k], "--quiet") == 0)
			quiet = true;
		else if ((strcmp(argv[k], "--format") == 0 || strcmp(argv[k], "-f") == 0) && k + 1 < argc)
			json = strcmp(argv[++k], "json") == 0;
		else if (strcmp(argv[k], "--format=json") == 0)
			json = true;
		else if (strcmp(argv[k], "--format=table") != 0)
			return oci_fail("list", "usage: cvisor list [--quiet] [--format table|json]");
	}
	d = opendir(state_root(g));
	if (json)
		printf("[");
	else if (!quiet)
		printf("%-12s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
	while (d && (e = readdir(d))) {
		struct oci_container c;
		struct oci_state st;
		enum oci_status s;
		char *one;

		if (e->d_name[0] == '.' || oci_id_problem(e->d_name))
			continue;
		if (oci_container_open(state_root(g), e->d_name, &c))
			continue;
		if (oci_state_load(&c, &st)) {
			oci_container_close(&c, false);
			continue;
		}
		s = oci_status(&c, &st);
		if (json) {
			one = oci_state_json(&st, s);
			printf("%s%s", n ? "," : "", one ? one : "null");
			free(one);
		} else if (quiet) {
			printf("%s\n", st.id);
		} else {
			printf("%-12s %-8d %-10s %-40s %-31s %s\n", st.id,
			       s == OCI_CREATED || s == OCI_RUNNING ? st.pid : 0, oci_status_name(s), st.bundle,
			       st.created, "root");
		}
		n++;
		oci_state_free(&st);
		oci_container_close(&c, false);
	}
	if (json)
		printf("]\n");
	if (d)
		closedir(d);
	return 0;
}

/* ---- kill ---- */

/* "TERM", "SIGTERM", "15" -> 15; 0 if none. */
static int parse_signal(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*end && end != s)
		return v >= 1 && v <= 64 ? (int)v : 0;
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < 32; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcmp(abbrev, s) == 0)
			return sig;
	}
	if (strncmp(s, "RTMIN", 5) == 0) {
		v = s[5] == '+' ? strtol(s + 6, &end, 10) : 0;
		if ((s[5] == '\0' || (s[5] == '+' && !*end)) && SIGRTMIN + v <= SIGRTMAX)
			return SIGRTMIN + (int)v;
	}
	return 0;
}

int cmd_kill(int argc, char **argv, const struct global_opts *g)
{
	const char *id = NULL, *signame = "SIGTERM";
	struct oci_container c;
	struct oci_state st;
	enum oci_status s;
	bool all = false;
	int sig, nargs = 0, ret = 0;

	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--all") == 0 || strcmp(argv[k], "-a") == 0)
			all = true;
		else if (argv[k][0] == '-' && nargs == 0)
			return oci_fail("kill", "unknown option '%s'", argv[k]);
		else if (nargs++ == 0)
			id = argv[k];
		else if (nargs == 2)
			signame = argv[k];
		else
			return oci_fail("kill", "usage: cvisor kill [--all] ID [SIGNAL]");
	}
	if (!id)
		return oci_fail("kill", "usage: cvisor kill [--all] ID [SIGNAL]");
	sig = parse_signal(signame);
	if (!sig)
		return oci_fail("kill", "unknown signal '%s'", signame);
	if (open_container("kill", g, id, &c, &st))
		return 1;
	s = oci_status(&c, &st);
	if (s != OCI_CREATED && s != OCI_RUNNING && s != OCI_PAUSED) {
		ret = oci_fail("kill", "container '%s' is %s: there is no process to signal", id, oci_status_name(s));
	} else if (s == OCI_CREATED || sig == SIGKILL) {
		/* not started: the process waits on exec.fifo and takes the signal itself */
		if (kill(st.pid, sig) < 0)
			ret = oci_fail("kill", "kill %d: %s", st.pid, strerror(errno));
	} else {
		union sigval v = { .sival_int = sig | (all ? SENTRY_RELAY_ALL : 0) };

		if (sigqueue(st.pid, SENTRY_RELAY_SIGNAL, v) < 0)
			ret = oci_fail("kill", "signal %d to %d: %s", sig, st.pid, strerror(errno));
	}
	oci_state_free(&st);
	oci_container_close(&c, false);
	return ret;
}

/* ---- delete ---- */

/* SIGKILL the container's process and wait (up to 10 s) until it is gone or a zombie. */
static bool kill_and_wait(const struct oci_state *st)
{
	kill(st->pid, SIGKILL);
	for (int k = 0; k < 1000; k++) {
		if (oci_pid_start_time(st->pid) != st->pid_start)
			return true;
		waitpid(st->pid, NULL, WNOHANG);	/* ours when `run` deletes */
		usleep(10000);
	}
	return false;
}

static int delete_container(const char *verb, const struct global_opts *g, const char *id, bool force)
{
	struct oci_container c;
	struct oci_state st;
	enum oci_status s;
	const char *bad = oci_id_problem(id);
	int err;

	if (bad)
		return oci_fail(verb, "invalid container id '%s': %s", id, bad);
	err = oci_container_open(state_root(g), id, &c);
	if (err == -ENOENT && force)
		return 0;	/* runc's --force: nothing there is what was asked for */
	if (err == -ENOENT)
		return oci_fail(verb, "container '%s' does not exist", id);
	if (err)
		return oci_fail(verb, "container '%s': %s", id, strerror(-err));
	err = oci_state_load(&c, &st);
	if (err) {
		/* a create that died half-way (before saving the state): nothing runs, clear the rest */
		oci_container_close(&c, true);
		return 0;
	}
	s = oci_status(&c, &st);
	if ((s == OCI_CREATED || s == OCI_RUNNING || s == OCI_PAUSED) && !force) {
		oci_fail(verb, "container '%s' is %s; stop it first, or use --force", id, oci_status_name(s));
		oci_state_free(&st);
		oci_container_close(&c, false);
		return 1;
	}
	oci_unpause_for_delete(&c, &st);
	if ((s == OCI_CREATED || s == OCI_RUNNING || s == OCI_PAUSED) && !kill_and_wait(&st)) {
		oci_fail(verb, "the process %d of container '%s' did not die", st.pid, id);
		oci_state_free(&st);
		oci_container_close(&c, false);
		return 1;
	}
	oci_cgroup_remove(st.cgroup);
	oci_lifecycle_hooks(verb, NULL, &st, OCI_STOPPED, OCI_HOOK_POSTSTOP, false);
	oci_state_free(&st);
	oci_container_close(&c, true);
	return 0;
}

int cmd_delete(int argc, char **argv, const struct global_opts *g)
{
	const char *id = NULL;
	bool force = false;

	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--force") == 0 || strcmp(argv[k], "-f") == 0)
			force = true;
		else if (argv[k][0] != '-' && !id)
			id = argv[k];
		else
			return oci_fail("delete", "usage: cvisor delete [--force] ID");
	}
	if (!id)
		return oci_fail("delete", "usage: cvisor delete [--force] ID");
	return delete_container("delete", g, id, force);
}

/* ---- run ---- */

/* Wait for our container process, passing on the signals an engine or a user sends us. */
static int wait_container(pid_t child)
{
	static const int passed[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD };
	sigset_t set, old;
	int status;

	sigemptyset(&set);
	for (size_t k = 0; k < ARRAY_SIZE(passed); k++)
		sigaddset(&set, passed[k]);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (;;) {
		siginfo_t si;
		pid_t w = waitpid(child, &status, WNOHANG);

		if (w == child)
			break;
		if (sigwaitinfo(&set, &si) > 0 && si.si_signo != SIGCHLD && si.si_code != SI_KERNEL) {
			union sigval v = { .sival_int = si.si_signo };

			sigqueue(child, SENTRY_RELAY_SIGNAL, v);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : STATUS_RUNTIME_FAILED;
}

int cmd_run(int argc, char **argv, const struct global_opts *g)
{
	struct create_opts o = { 0 };
	pid_t child;
	int status;

	if (parse_create_opts("run", argc, argv, &o) || create_container("run", &o, g, &child))
		return 1;
	if (start_container("run", g, o.id)) {
		delete_container("run", g, o.id, true);
		return 1;
	}
	if (o.detach)
		return 0;
	status = wait_container(child);
	delete_container("run", g, o.id, true);
	return status;
}
