// SPDX-License-Identifier: MIT
/*
 * `cvisor gofer --root DIR [--ro] [--volume HOST:GUEST[:ro]]...
 *               (--fd N | --listen SOCKPATH | --listen-tcp 127.0.0.1:PORT)`
 *
 * --fd N serves the one connection on inherited socket N and exits when it
 * closes (how `cvisor do` starts it: the Sentry holds the other end of a
 * socketpair). --listen / --listen-tcp accept connections, one thread set
 * each (for tests with diod's clients); once listening, one line
 * "listening ADDRESS" goes to stdout (with the port the kernel chose for
 * port 0). Every export root is opened once, here, and held: a volume
 * source replaced by a symlink later changes nothing.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "gofer/gofer.h"
#include "lib/log.h"
#include "runtime/runtime.h"

struct gofer g_gofer;

static void usage(void)
{
	fprintf(stderr, "usage: cvisor gofer --root DIR [--ro] [--volume HOST:GUEST[:ro]]...\n"
			"                    (--fd N | --listen SOCKPATH | --listen-tcp 127.0.0.1:PORT)\n");
}

/* A guest path for a volume: absolute, no empty, "." or ".." component; stored without trailing '/'. */
static int normalize_guest(const char *in, char *out, size_t cap)
{
	size_t len = strlen(in);
	const char *p = in;

	if (in[0] != '/' || len >= cap)
		return -EINVAL;
	while (len > 1 && in[len - 1] == '/')
		len--;
	memcpy(out, in, len);
	out[len] = '\0';
	if (strcmp(out, "/") == 0)
		return -EINVAL;	/* that is the root, not a volume */
	for (p = out + 1;;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		if (!e)
			return 0;
		p = e + 1;
	}
}

static int add_export(const char *host, const char *guest, bool ro)
{
	struct export *e;
	struct stat st;

	if (g_gofer.nexports >= GOFER_MAX_EXPORTS) {
		fprintf(stderr, "cvisor gofer: too many volumes (at most %d)\n", GOFER_MAX_EXPORTS - 1);
		return -1;
	}
	e = &g_gofer.exports[g_gofer.nexports];
	if (strcmp(guest, "/") == 0)
		strcpy(e->guest, "/");
	else if (normalize_guest(guest, e->guest, sizeof(e->guest))) {
		fprintf(stderr, "cvisor gofer: bad guest path '%s' (absolute, no '.' or '..')\n", guest);
		return -1;
	}
	for (int k = 0; k < g_gofer.nexports; k++)
		if (strcmp(g_gofer.exports[k].guest, e->guest) == 0) {
			fprintf(stderr, "cvisor gofer: '%s' exported twice\n", e->guest);
			return -1;
		}
	/* The operator's path is resolved once, now; the fd is what is served from then on. */
	e->rootfd = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (e->rootfd < 0 || fstat(e->rootfd, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "cvisor gofer: cannot open directory '%s': %s\n", host, strerror(errno));
		return -1;
	}
	e->ro = ro;
	g_gofer.nexports++;
	return 0;
}

/* HOST:GUEST[:ro] */
static int parse_volume(const char *spec)
{
	char *s = strdup(spec), *guest, *opt;
	bool ro = false;
	int err;

	if (!s)
		return -1;
	guest = strchr(s, ':');
	if (!guest || guest == s) {
		fprintf(stderr, "cvisor gofer: --volume wants HOST:GUEST[:ro], not '%s'\n", spec);
		free(s);
		return -1;
	}
	*guest++ = '\0';
	opt = strchr(guest, ':');
	if (opt) {
		*opt++ = '\0';
		if (strcmp(opt, "ro") == 0)
			ro = true;
		else if (strcmp(opt, "rw") != 0) {
			fprintf(stderr, "cvisor gofer: unknown volume option '%s'\n", opt);
			free(s);
			return -1;
		}
	}
	err = add_export(s, guest, ro);
	free(s);
	return err;
}

static void *conn_thread(void *arg)
{
	gofer_serve((int)(intptr_t)arg);
	return NULL;
}

static int accept_loop(int lfd, bool tcp)
{
	for (;;) {
		pthread_attr_t attr;
		pthread_t t;
		int one = 1;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE)
				continue;
			log_error("gofer: accept: %s", strerror(errno));
			return 1;
		}
		if (tcp)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, conn_thread, (void *)(intptr_t)fd)) {
			log_error("gofer: cannot start a connection thread");
			close(fd);
		}
		pthread_attr_destroy(&attr);
	}
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "cvisor gofer: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		fprintf(stderr, "cvisor gofer: cannot listen on %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("listening %s\n", path);
	fflush(stdout);
	return accept_loop(fd, false);
}

static int listen_tcp(const char *spec)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	char host[64];
	const char *colon = strrchr(spec, ':');
	char *end;
	long port;
	int fd, one = 1;

	if (!colon || (size_t)(colon - spec) >= sizeof(host)) {
		fprintf(stderr, "cvisor gofer: --listen-tcp wants 127.0.0.1:PORT\n");
		return 2;
	}
	memcpy(host, spec, colon - spec);
	host[colon - spec] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "cvisor gofer: bad address '%s'\n", spec);
		return 2;
	}
	/* The container's files are not served to the network. */
	if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "cvisor gofer: --listen-tcp only listens on loopback (127.0.0.0/8)\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		fprintf(stderr, "cvisor gofer: cannot listen on %s: %s\n", spec, strerror(errno));
		return 1;
	}
	printf("listening %s:%u\n", host, ntohs(sa.sin_port));
	fflush(stdout);
	return accept_loop(fd, true);
}

/* Die with the parent; checked after setting it, in case the parent went first. */
static int die_with_parent(void)
{
	pid_t ppid = getppid();

	if (prctl(PR_SET_PDEATHSIG, SIGKILL)) {
		fprintf(stderr, "cvisor gofer: PR_SET_PDEATHSIG: %s\n", strerror(errno));
		return -1;
	}
	if (getppid() != ppid) {
		fprintf(stderr, "cvisor gofer: the parent is gone\n");
		return -1;
	}
	return 0;
}

int cmd_gofer(int argc, char **argv, const struct global_opts *g)
{
	const char *root = NULL, *listen_path = NULL, *tcp = NULL;
	const char *vols[GOFER_MAX_EXPORTS];
	int nvols = 0, fd = -1;
	bool ro = false;

	(void)g;
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];
		const char *v = k + 1 < argc ? argv[k + 1] : NULL;

		if (strcmp(a, "--ro") == 0) {
			ro = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage();
			return 0;
		}
		if (!v || (strcmp(a, "--root") && strcmp(a, "--volume") && strcmp(a, "--fd") && strcmp(a, "--listen") &&
			   strcmp(a, "--listen-tcp"))) {
			fprintf(stderr, "cvisor gofer: unknown or incomplete option '%s'\n", a);
			usage();
			return 2;
		}
		k++;
		if (strcmp(a, "--root") == 0)
			root = v;
		else if (strcmp(a, "--listen") == 0)
			listen_path = v;
		else if (strcmp(a, "--listen-tcp") == 0)
			tcp = v;
		else if (strcmp(a, "--volume") == 0) {
			if (nvols >= GOFER_MAX_EXPORTS - 1) {
				fprintf(stderr, "cvisor gofer: too many volumes\n");
				return 2;
			}
			vols[nvols++] = v;
		} else {
			char *end;
			long n = strtol(v, &end, 10);

			if (*end || n < 0 || n > 1 << 20) {
				fprintf(stderr, "cvisor gofer: bad --fd '%s'\n", v);
				return 2;
			}
			fd = (int)n;
		}
	}
	if (!root || (fd >= 0) + !!listen_path + !!tcp != 1) {
		usage();
		return 2;
	}
	log_set_component("gofer");
	if (die_with_parent())
		return 1;
	signal(SIGPIPE, SIG_IGN);
	{
		/* Every fid holds an fd: take the whole hard limit. */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	umask(0);	/* modes come from the client, which applied the guest's umask */
	if (add_export(root, "/", ro))
		return 1;
	g_gofer.exports[0].ro = ro;
	for (int k = 0; k < nvols; k++)
		if (parse_volume(vols[k]))
			return 1;
	g_gofer.procfd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (g_gofer.procfd < 0) {
		fprintf(stderr, "cvisor gofer: cannot open /proc/self/fd: %s\n", strerror(errno));
		return 1;
	}
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) || !S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "cvisor gofer: --fd %d is not a socket\n", fd);
			return 2;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		gofer_serve(fd);
		return 0;
	}
	if (listen_path)
		return listen_unix(listen_path);
	return listen_tcp(tcp);
}
