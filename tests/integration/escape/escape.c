// SPDX-License-Identifier: MIT
/*
 * The escape battery (tests/integration/escape.sh): a static program that
 * tries, from inside the sandbox, to read a secret file that lies outside
 * the root on the host, and to write outside the root.
 *
 *   escape guest BASE DIR SECRET SECRET_TEXT RACE_N
 *	One line per attempt, "NAME: blocked (WHY)" or "NAME: REACHED" for
 *	reads, "NAME: done" or "NAME: failed (WHY)" for writes (the script
 *	judges those by the host's files). BASE is the root's host path when
 *	run natively (so every attempt names the same host file, and must
 *	reach it: the proof that it is a real path out) and "" in the sandbox.
 *	DIR is the host directory that holds the root and, outside it, the
 *	file SECRET, whose content SECRET_TEXT is looked for in every byte an
 *	attempt gets.
 *   escape swap ROOT RACE_N STOPFILE
 *	Host side of the race: exchange ROOT/race/dK (a directory) with
 *	ROOT/alt/dK (a symlink out) for every K, again and again, until
 *	STOPFILE exists (bounded by a count, in case it never does).
 *   escape swap-once ROOT RACE_N
 *	One exchange each: every race/dK is then the symlink out.
 *   escape serve SOCKPATH TEXT STOPFILE
 *	A host listener on a unix socket in the root that sends TEXT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define UPS 40			/* "../" repeated: far more than any host path is deep */
#define SWAP_MAX_ROUNDS 200000	/* the swapper's bound, when STOPFILE never comes */

static const char *base, *dir, *secret_path;
static char secret[256];
static size_t secret_len;

/* BASE + guest path: the same file natively and in the sandbox. */
static const char *P(const char *guest)
{
	static char bufs[4][4096];
	static int k;
	char *b = bufs[k++ & 3];

	if ((size_t)snprintf(b, sizeof(bufs[0]), "%s%s", base, guest) >= sizeof(bufs[0]))
		abort();	/* the paths here are short: a bug in the test */
	return b;
}

/* "../" x UPS followed by host path @abs without its leading '/'. */
static const char *ups_to(const char *prefix, const char *abs)
{
	static char bufs[2][8192];
	static int k;
	char *b = bufs[k++ & 1];
	size_t n = (size_t)snprintf(b, sizeof(bufs[0]), "%s", prefix);

	for (int i = 0; i < UPS; i++)
		n += (size_t)snprintf(b + n, sizeof(bufs[0]) - n, "../");
	snprintf(b + n, sizeof(bufs[0]) - n, "%s", abs + 1);
	return b;
}

static const char *why(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "errno?";
}

/* Did these bytes come from the secret? */
static bool is_secret(const char *buf, size_t n)
{
	return secret_len && memmem(buf, n, secret, secret_len);
}

/*
 * The verdict on an fd an attempt got (or -errno): read it, and say
 * REACHED if the secret is in what came back.
 */
static void verdict_fd(const char *name, int fd)
{
	char buf[512];
	ssize_t n;

	if (fd < 0) {
		printf("%s: blocked (%s)\n", name, why(-fd));
		return;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		printf("%s: blocked (read %s)\n", name, why(errno));
	else if (is_secret(buf, (size_t)n))
		printf("%s: REACHED\n", name);
	else
		printf("%s: blocked (other bytes: %zd)\n", name, n);
}

static int ret_fd(int fd)
{
	return fd < 0 ? -errno : fd;
}

static void try_open(const char *name, const char *path)
{
	verdict_fd(name, ret_fd(open(path, O_RDONLY)));
}

static void try_openat(const char *name, int dfd, const char *path)
{
	if (dfd < 0) {
		printf("%s: blocked (dirfd %s)\n", name, why(errno));
		return;
	}
	verdict_fd(name, ret_fd(openat(dfd, path, O_RDONLY)));
	close(dfd);
}

static void symlinks(void)
{
	char p[8192];

	try_open("absolute symlink", P("/abs_link"));
	snprintf(p, sizeof(p), "%s", P("/abs_dirlink/secret"));
	try_open("absolute symlink to a directory", p);
	try_open("relative symlink", P("/a/b/c/rel_link"));
	try_open("relative symlink, many ../", P("/rel_deep_link"));
	try_open("symlink chain", P("/chain1"));
	try_open("relative symlink to a directory", P("/a/b/c/rel_dirlink/secret"));
}

static void dotdot(void)
{
	try_open("dotdot from /", P("/../secret"));
	try_open("dotdot from /, many", ups_to(P("/"), secret_path));
	try_open("dotdot from a deep dir", P("/a/b/c/d/e/../../../../../../secret"));
	try_open("dotdot from a deep dir, many", ups_to(P("/a/b/c/d/e/"), secret_path));
	if (chdir(P("/a/b/c"))) {
		printf("dotdot from the cwd: blocked (chdir %s)\n", why(errno));
	} else {
		try_open("dotdot from the cwd", "../../../../secret");
		try_open("dotdot from the cwd, many", ups_to("", secret_path));
	}
	try_open("dotdot after a directory symlink", P("/a/b/c/rel_self/../../../../../../secret"));
	(void)!chdir(P("/"));
}

static void proc(void)
{
	char p[8192];

	snprintf(p, sizeof(p), "/proc/self/root%s", secret_path);
	try_open("/proc/self/root + host path", p);
	snprintf(p, sizeof(p), "/proc/self/root%s", P("/../secret"));
	try_open("/proc/self/root/..", p);
	try_open("/proc/self/root, many ../", ups_to("/proc/self/root/", secret_path));
	snprintf(p, sizeof(p), "/proc/%d/root%s", (int)getpid(), secret_path);
	try_open("/proc/PID/root + host path", p);
	snprintf(p, sizeof(p), "/proc/thread-self/root%s", secret_path);
	try_open("/proc/thread-self/root + host path", p);
	if (chdir(P("/a/b"))) {
		printf("/proc/self/cwd/..: blocked (chdir %s)\n", why(errno));
	} else {
		try_open("/proc/self/cwd/..", "/proc/self/cwd/../../../secret");
		(void)!chdir(P("/"));
	}
}

/* O_PATH fds, /proc/self/fd/N reopens and dirfd tricks. */
static void fds(void)
{
	char p[8192];
	int fd;

	fd = open(P("/abs_link"), O_PATH);
	if (fd < 0) {
		printf("O_PATH + /proc/self/fd reopen: blocked (%s)\n", why(errno));
	} else {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		verdict_fd("O_PATH + /proc/self/fd reopen", ret_fd(open(p, O_RDONLY)));
		close(fd);
	}
	fd = open(P("/abs_dirlink"), O_PATH | O_DIRECTORY);
	if (fd < 0) {
		printf("O_PATH dir + /proc/self/fd/N/secret: blocked (%s)\n", why(errno));
	} else {
		snprintf(p, sizeof(p), "/proc/self/fd/%d/secret", fd);
		try_open("O_PATH dir + /proc/self/fd/N/secret", p);
		close(fd);
	}
	fd = open(P("/a/b/c"), O_PATH | O_DIRECTORY);
	if (fd < 0) {
		printf("/proc/self/fd/N/..: blocked (%s)\n", why(errno));
	} else {
		snprintf(p, sizeof(p), "/proc/self/fd/%d/../../../../secret", fd);
		try_open("/proc/self/fd/N/..", p);
		close(fd);
	}
	try_openat("openat(O_PATH dirfd of /, ../secret)", open(P("/"), O_PATH | O_DIRECTORY), "../secret");
	try_openat("openat(dirfd of a deep dir, ../..)", open(P("/a/b/c"), O_RDONLY | O_DIRECTORY),
		   "../../../../secret");
	try_openat("openat(dirfd of a deep dir, many ../)", open(P("/a/b/c"), O_RDONLY | O_DIRECTORY),
		   ups_to("", secret_path));
	try_openat("openat(dirfd of a symlinked dir, secret)", open(P("/abs_dirlink"), O_RDONLY | O_DIRECTORY),
		   "secret");
	try_openat("openat(dirfd, absolute host path)", open(P("/a"), O_RDONLY | O_DIRECTORY), secret_path);
	{
		struct open_how how = { .flags = O_RDONLY };

		fd = open(P("/"), O_PATH | O_DIRECTORY);
		verdict_fd("openat2(dirfd of /, ../secret)",
			   fd < 0 ? -errno : ret_fd((int)syscall(SYS_openat2, fd, "../secret", &how, sizeof(how))));
		if (fd >= 0)
			close(fd);
	}
}

/*
 * The classic chroot escape, in a child: chroot into a subdirectory while
 * holding an fd of the old root, fchdir to it, climb, chroot("."). The
 * child's exit status carries the verdict.
 */
static void chroot_escape(void)
{
	const char *name = "chroot + fchdir + .. escape";
	int st, pfd[2];
	pid_t pid;
	char msg[128] = "";

	if (pipe(pfd) || (pid = fork()) < 0) {
		printf("%s: blocked (fork %s)\n", name, why(errno));
		return;
	}
	if (pid == 0) {
		int fd = open(P("/"), O_PATH | O_DIRECTORY), out;

		close(pfd[0]);
		if (fd < 0 || chroot(P("/jail"))) {
			dprintf(pfd[1], "blocked (chroot %s)", why(errno));
			_exit(0);
		}
		if (fchdir(fd)) {
			dprintf(pfd[1], "blocked (fchdir %s)", why(errno));
			_exit(0);
		}
		for (int i = 0; i < UPS; i++)
			(void)!chdir("..");
		if (chroot(".")) {
			dprintf(pfd[1], "blocked (chroot . %s)", why(errno));
			_exit(0);
		}
		out = open(secret_path, O_RDONLY);
		if (out < 0) {
			dprintf(pfd[1], "blocked (%s)", why(errno));
		} else {
			char buf[512];
			ssize_t n = read(out, buf, sizeof(buf));

			dprintf(pfd[1], n > 0 && is_secret(buf, (size_t)n) ? "REACHED" : "blocked (other bytes)");
		}
		_exit(0);
	}
	close(pfd[1]);
	(void)!read(pfd[0], msg, sizeof(msg) - 1);
	close(pfd[0]);
	waitpid(pid, &st, 0);
	printf("%s: %s\n", name, msg[0] ? msg : "blocked (child said nothing)");
}

/* The root's parent, listed: it must look like the root itself. */
static void list_parent(void)
{
	DIR *d = opendir(P("/.."));
	struct dirent *e;
	bool seen = false;

	if (!d) {
		printf("readdir of /..: blocked (%s)\n", why(errno));
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, "secret") == 0)
			seen = true;
	closedir(d);
	printf("readdir of /..: %s\n", seen ? "REACHED" : "blocked (no secret listed)");
}

/*
 * Hard links: a link the guest makes to an outside file must not exist,
 * neither by the host path nor through a symlink out (AT_SYMLINK_FOLLOW)
 * nor through an O_PATH fd's magic link.
 */
static void try_link(const char *name, int olddfd, const char *old, const char *new, int flags)
{
	if (linkat(olddfd, old, AT_FDCWD, new, flags)) {
		printf("%s: blocked (%s)\n", name, why(errno));
		return;
	}
	try_open(name, new);
}

static void hard_links(void)
{
	char p[64];
	int fd;

	try_link("hard link to the host path", AT_FDCWD, secret_path, P("/g_hl1"), 0);
	try_link("hard link through a symlink out", AT_FDCWD, P("/abs_link"), P("/g_hl2"), AT_SYMLINK_FOLLOW);
	try_link("hard link to a dotdot path", AT_FDCWD, P("/../secret"), P("/g_hl3"), 0);
	fd = open(P("/abs_link"), O_PATH);
	if (fd < 0) {
		printf("hard link of an O_PATH fd: blocked (%s)\n", why(errno));
	} else {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		try_link("hard link of an O_PATH fd", AT_FDCWD, p, P("/g_hl4"), AT_SYMLINK_FOLLOW);
		close(fd);
	}
}

/* Symlinks the guest makes itself. */
static void guest_symlinks(void)
{
	if (symlink(secret_path, P("/g_abs")))
		printf("guest absolute symlink: blocked (symlink %s)\n", why(errno));
	else
		try_open("guest absolute symlink", P("/g_abs"));
	if (symlink(ups_to("", secret_path), P("/g_rel")))
		printf("guest relative symlink: blocked (symlink %s)\n", why(errno));
	else
		try_open("guest relative symlink", P("/g_rel"));
}

/*
 * Nodes of the root that the host holds open: a FIFO with the secret in
 * its buffer, a unix socket whose host listener sends it. In the sandbox
 * they are the guest's own FIFO and socket names, never the host's.
 */
static void host_nodes(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	verdict_fd("host FIFO in the root", ret_fd(open(P("/fifo"), O_RDONLY | O_NONBLOCK)));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", P("/host.sock"));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("host unix socket in the root: blocked (%s)\n", why(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	verdict_fd("host unix socket in the root", fd);
}

/* One path through each race/dK while the host swaps it with a symlink out. */
static void race(int n)
{
	int reached = 0, decoy = 0, failed = 0;
	char p[256];

	for (int k = 0; k < n; k++) {
		char buf[512];
		ssize_t got;
		int fd;

		snprintf(p, sizeof(p), "/race/d%d/secret", k);
		fd = open(P(p), O_RDONLY);
		if (fd < 0) {
			failed++;
			continue;
		}
		got = read(fd, buf, sizeof(buf));
		close(fd);
		if (got > 0 && is_secret(buf, (size_t)got))
			reached++;
		else
			decoy++;
	}
	if (reached)
		printf("symlink swapped by the host: REACHED (%d of %d)\n", reached, n);
	else
		printf("symlink swapped by the host: blocked (%d decoy, %d failed)\n", decoy, failed);
}

/* Writes: what the host's files say afterwards is the verdict (escape.sh). */
static void write_to(const char *name, const char *path, int flags)
{
	int fd = open(path, O_WRONLY | flags, 0644);

	if (fd < 0) {
		printf("%s: failed (%s)\n", name, why(errno));
		return;
	}
	if (write(fd, "pwned\n", 6) != 6)
		printf("%s: failed (write %s)\n", name, why(errno));
	else
		printf("%s: done\n", name);
	close(fd);
}

static void step(const char *name, int ret)
{
	if (ret)
		printf("%s: failed (%s)\n", name, why(errno));
	else
		printf("%s: done\n", name);
}

static void writes(void)
{
	char p[8192];

	write_to("write through an absolute symlink", P("/abs_victim"), O_TRUNC);
	write_to("write through a relative symlink", P("/a/b/c/rel_victim"), O_TRUNC);
	write_to("write with dotdot", P("/../victim"), O_TRUNC);
	write_to("create with dotdot", P("/../created"), O_CREAT);
	write_to("create through a symlinked dir", P("/abs_dirlink/created2"), O_CREAT);
	write_to("write to the host hard link", P("/hardlink"), O_TRUNC);
	write_to("overwrite a root file", P("/data/file1"), O_TRUNC);
	write_to("append to a root file", P("/data/file2"), O_APPEND);
	write_to("create a file", P("/data/new"), O_CREAT | O_EXCL);
	step("truncate a root file", truncate(P("/data/file3"), 0));
	step("chmod a root file", chmod(P("/data/file4"), 0777));
	step("rename a root file", rename(P("/data/file5"), P("/data/file5.moved")));
	step("unlink a root file", unlink(P("/data/file6")));
	step("mkdir", mkdir(P("/data/newdir"), 0755));
	step("symlink", symlink("/", P("/data/newlink")));
	step("rmdir a root dir", rmdir(P("/a/b/c/d/e")));
	step("replace the root's symlink", rename(P("/data/file7"), P("/abs_victim")));
	/* The host path of the secret made inside the sandbox: only the guest's own file. */
	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			(void)!mkdir(P(p), 0755);
			*s = '/';
		}
	(void)!mkdir(P(p), 0755);
	write_to("create at the secret's host path", P(secret_path), O_CREAT | O_TRUNC);
}

/* The file a host hard link inside the root names: seen, as Linux shows it. */
static void try_visible(const char *name, const char *path, const char *want)
{
	char buf[512];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

	if (fd < 0 || n < 0)
		printf("%s: not visible (%s)\n", name, why(errno));
	else
		printf("%s: %s\n", name, memmem(buf, (size_t)n, want, strlen(want)) ? "visible" : "other bytes");
	if (fd >= 0)
		close(fd);
}

static int guest(char **argv)
{
	int n = atoi(argv[4]);

	base = argv[0];
	dir = argv[1];
	secret_path = argv[2];
	/* The secret's content comes on the command line: no copy of it is in the root. */
	snprintf(secret, sizeof(secret), "%s", argv[3]);
	secret_len = strlen(secret);
	if (!secret_len || n <= 0) {
		fprintf(stderr, "escape: an empty secret or a bad RACE_N\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	symlinks();
	dotdot();
	proc();
	fds();
	chroot_escape();
	list_parent();
	guest_symlinks();
	hard_links();
	host_nodes();
	race(n);
	try_visible("host hard link inside the root", P("/hardlink"), "hardlinked");
	writes();
	/* After the guest made the secret's host path in the sandbox: that file, not the host's. */
	try_visible("absolute symlink after the guest made its path", P("/abs_link"), "pwned");
	printf("end\n");
	return 0;
}

static int exchange(const char *root, int k)
{
	char a[4096], b[4096];

	snprintf(a, sizeof(a), "%s/race/d%d", root, k);
	snprintf(b, sizeof(b), "%s/alt/d%d", root, k);
	return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

static int swap(const char *root, int n, const char *stop)
{
	for (long round = 0; round < SWAP_MAX_ROUNDS; round++) {
		if (stop && access(stop, F_OK) == 0)
			return 0;
		for (int k = 0; k < n; k++)
			if (exchange(root, k)) {
				perror("escape swap: renameat2");
				return 1;
			}
		if (!stop)
			return 0;
		sched_yield();
	}
	return 0;
}

/*
 * The host's listener on ROOT/host.sock: each connection gets TEXT. Polls
 * so that it sees STOPFILE; bounded like the swapper.
 */
static int serve(const char *path, const char *text, const char *stop)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 8)) {
		perror("escape serve");
		return 1;
	}
	for (int k = 0; k < 6000 && access(stop, F_OK); k++) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int c;

		if (poll(&p, 1, 100) <= 0)
			continue;
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0) {
			(void)!write(c, text, strlen(text));
			close(c);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "guest") == 0)
		return guest(argv + 2);
	if (argc == 5 && strcmp(argv[1], "swap") == 0)
		return swap(argv[2], atoi(argv[3]), argv[4]);
	if (argc == 4 && strcmp(argv[1], "swap-once") == 0)
		return swap(argv[2], atoi(argv[3]), NULL);
	if (argc == 5 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: escape guest BASE DIR SECRET SECRET_TEXT RACE_N\n"
			"       escape swap ROOT RACE_N STOPFILE | escape swap-once ROOT RACE_N\n"
			"       escape serve SOCKPATH TEXT STOPFILE\n");
	return 2;
}
