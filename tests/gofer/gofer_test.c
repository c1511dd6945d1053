// SPDX-License-Identifier: MIT
/*
 * Tests of `cvisor gofer` through a small 9P client built on the codec:
 * the escape battery (.., symlinks out absolute and relative, /proc/self/root
 * names, a symlink and a directory swapped by a host thread while the client
 * loops, a volume source replaced by a symlink after start, hard links),
 * read-only exports (EROFS), malformed messages, bad fids, the fid bound,
 * several requests in flight, flush, readdir resumption, setattr, locks,
 * --fd mode (exit on close) and donated fds over 9P2000.L.cvisor.
 *
 * usage: gofer_test CVISOR WORKDIR
 * Nothing outside WORKDIR/root and its volumes may ever be read: every file
 * outside holds the marker "OUTSIDE", which no read may return.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "p9/p9.h"

static int failures, passes;
static char W[1024];
static const char *cvisor;

#define CHECK(cond, ...)                                                 \
	do {                                                             \
		if (cond) {                                              \
			passes++;                                        \
		} else {                                                 \
			failures++;                                      \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);      \
			printf(__VA_ARGS__);                             \
			printf("\n");                                    \
		}                                                        \
	} while (0)

/* ---- the client ---- */

struct cl {
	int fd;
	uint32_t msize;
	uint16_t tag;
	uint8_t *rbuf, *wbuf;
	int gotfd;	/* an fd that came with the last reply, or -1 */
};

static int read_full(int fd, void *buf, size_t len, int *gotfd)
{
	size_t done = 0;

	while (done < len) {
		struct iovec iov = { (char *)buf + done, len - done };
		union {
			struct cmsghdr h;
			char space[CMSG_SPACE(sizeof(int) * 4)];
		} ctl;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.space,
				     .msg_controllen = sizeof(ctl.space) };
		ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
			if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
				int nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				int fds[4];

				memcpy(fds, CMSG_DATA(h), nfd * sizeof(int));
				for (int k = 0; k < nfd; k++) {
					if (gotfd && *gotfd < 0)
						*gotfd = fds[k];
					else
						close(fds[k]);
				}
			}
		done += n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		done += n;
	}
	return 0;
}

static int cl_sendraw(struct cl *c, const void *buf, size_t len)
{
	return write_full(c->fd, buf, len);
}

static int cl_send(struct cl *c, struct p9_msg *m)
{
	ssize_t n = p9_encode(m, c->wbuf, c->msize);

	if (n < 0)
		return (int)n;
	return cl_sendraw(c, c->wbuf, n);
}

/* Receive one reply into r (valid until the next receive). */
static int cl_recv(struct cl *c, struct p9_msg *r)
{
	uint32_t size;
	int err;

	if (c->gotfd >= 0)
		close(c->gotfd);
	c->gotfd = -1;
	err = read_full(c->fd, c->rbuf, 4, &c->gotfd);
	if (err)
		return err;
	memcpy(&size, c->rbuf, 4);
	if (size < 7 || size > c->msize)
		return -EMSGSIZE;
	err = read_full(c->fd, c->rbuf + 4, size - 4, &c->gotfd);
	if (err)
		return err;
	return p9_decode(c->rbuf, size, r);
}

/* One request, one reply: 0, -ecode of an Rlerror, or a transport error (< -1000 never). */
static int rpc(struct cl *c, struct p9_msg *m, struct p9_msg *r)
{
	int err;

	if (m->type != P9_TVERSION)
		m->tag = c->tag++ % 1000;
	err = cl_send(c, m);
	if (!err)
		err = cl_recv(c, r);
	if (err)
		return err == -EPIPE ? -EPIPE : err;
	if (r->tag != m->tag)
		return -EPROTO;
	if (r->type == P9_RLERROR)
		return -(int)r->rlerror.ecode;
	if (r->type != m->type + 1)
		return -EPROTO;
	return 0;
}

static int cl_version(struct cl *c, const char *version, uint32_t msize, char *got, size_t cap)
{
	struct p9_msg m = { .type = P9_TVERSION, .tag = P9_NOTAG }, r;
	int err;

	m.tversion.msize = msize;
	m.tversion.version = p9_str_c(version);
	err = rpc(c, &m, &r);
	if (err)
		return err;
	if (got)
		p9_str_copy(r.rversion.version, got, cap);
	c->msize = r.rversion.msize;
	return 0;
}

static void cl_init(struct cl *c, int fd)
{
	struct timeval tv = { .tv_sec = 60 };

	c->fd = fd;
	c->msize = 1 << 20;
	c->tag = 1;
	c->gotfd = -1;
	c->rbuf = malloc(1 << 20);
	c->wbuf = malloc(1 << 20);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void cl_close(struct cl *c)
{
	close(c->fd);
	if (c->gotfd >= 0)
		close(c->gotfd);
	free(c->rbuf);
	free(c->wbuf);
}

static char sockpath[1200];

static int cl_connect(struct cl *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sockpath);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("connect");
		exit(1);
	}
	cl_init(c, fd);
	return cl_version(c, P9_VERSION_L, 65536, NULL, 0);
}

static int attach(struct cl *c, uint32_t fid, const char *aname)
{
	struct p9_msg m = { .type = P9_TATTACH }, r;

	m.tattach.fid = fid;
	m.tattach.afid = P9_NOFID;
	m.tattach.uname = p9_str_c("root");
	m.tattach.aname = p9_str_c(aname);
	m.tattach.n_uname = 0;
	return rpc(c, &m, &r);
}

/* Walk '/'-separated names (sent as they are, ".." included); returns 0, -errno, or the count walked if partial. */
static int walk(struct cl *c, uint32_t fid, uint32_t newfid, const char *path)
{
	struct p9_msg m = { .type = P9_TWALK }, r;
	char buf[1024];
	char *save, *p;
	int n = 0, err;

	snprintf(buf, sizeof(buf), "%s", path);
	m.twalk.fid = fid;
	m.twalk.newfid = newfid;
	for (p = strtok_r(buf, "/", &save); p && n < P9_MAXWELEM; p = strtok_r(NULL, "/", &save))
		m.twalk.wname[n++] = p9_str_c(p);
	m.twalk.nwname = n;
	err = rpc(c, &m, &r);
	if (err)
		return err;
	return r.rwalk.nwqid == n ? 0 : r.rwalk.nwqid;
}

static int clunk(struct cl *c, uint32_t fid)
{
	struct p9_msg m = { .type = P9_TCLUNK }, r;

	m.tclunk.fid = fid;
	return rpc(c, &m, &r);
}

static int lopen(struct cl *c, uint32_t fid, uint32_t flags)
{
	struct p9_msg m = { .type = P9_TLOPEN }, r;

	m.tlopen.fid = fid;
	m.tlopen.flags = flags;
	return rpc(c, &m, &r);
}

/* Read the whole open fid into buf (NUL-terminated); length or -errno. */
static ssize_t read_all(struct cl *c, uint32_t fid, char *buf, size_t cap)
{
	size_t got = 0;

	for (;;) {
		struct p9_msg m = { .type = P9_TREAD }, r;
		int err;

		m.tread.fid = fid;
		m.tread.offset = got;
		m.tread.count = cap - 1 - got < 8192 ? cap - 1 - got : 8192;
		if (m.tread.count == 0)
			break;
		err = rpc(c, &m, &r);
		if (err)
			return err;
		if (r.rread.count == 0)
			break;
		memcpy(buf + got, r.rread.data, r.rread.count);
		got += r.rread.count;
	}
	buf[got] = '\0';
	return got;
}

/* Walk path from fid 0 to fid 99, open read-only, read: the contents or "" on error (err set). */
static ssize_t cat(struct cl *c, uint32_t root, const char *path, char *buf, size_t cap, int *errp)
{
	int err = walk(c, root, 99, path);
	ssize_t n = -1;

	buf[0] = '\0';
	if (err > 0)
		err = -ENOENT;
	if (!err) {
		err = lopen(c, 99, O_RDONLY);
		if (!err)
			n = read_all(c, 99, buf, cap);
		clunk(c, 99);
	}
	if (n < 0 && !err)
		err = (int)n;
	*errp = err;
	return n;
}

static int simple(struct cl *c, struct p9_msg *m)
{
	struct p9_msg r;

	return rpc(c, m, &r);
}

/* ---- set-up ---- */

static void put(const char *rel, const char *text)
{
	char p[2048];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", W, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(p);
		exit(1);
	}
	close(fd);
}

static void mk(const char *rel)
{
	char p[2048];

	snprintf(p, sizeof(p), "%s/%s", W, rel);
	if (mkdir(p, 0755) && errno != EEXIST) {
		perror(p);
		exit(1);
	}
}

static void sym(const char *target, const char *rel)
{
	char p[2048];

	snprintf(p, sizeof(p), "%s/%s", W, rel);
	unlink(p);
	if (symlink(target, p)) {
		perror(p);
		exit(1);
	}
}

static char *wpath(const char *rel)
{
	static char bufs[4][2048];
	static int k;
	char *b = bufs[k++ % 4];

	snprintf(b, 2048, "%s/%s", W, rel);
	return b;
}

static pid_t gofer_pid;

static void start_gofer(void)
{
	int pfd[2];
	char line[1500];
	ssize_t n;

	snprintf(sockpath, sizeof(sockpath), "%s/sock", W);
	unlink(sockpath);
	if (pipe(pfd))
		exit(1);
	gofer_pid = fork();
	if (gofer_pid == 0) {
		dup2(pfd[1], 1);
		execl(cvisor, cvisor, "gofer", "--root", wpath("root"), "--volume", wpath("vol:/vol"), "--volume",
		      wpath("rovol:/ro:ro"), "--volume", wpath("vol2:/vol2"), "--listen", sockpath, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	/* The gofer says "listening ..." once its exports are open and it accepts. */
	n = read(pfd[0], line, sizeof(line) - 1);
	if (n <= 0 || strncmp(line, "listening", 9) != 0) {
		fprintf(stderr, "the gofer did not start\n");
		exit(1);
	}
	close(pfd[0]);
}

/* ---- tests ---- */

static void test_basic(struct cl *c)
{
	char buf[256];
	int err;

	CHECK(attach(c, 0, "") == 0, "attach root");
	cat(c, 0, "inside", buf, sizeof(buf), &err);
	CHECK(err == 0 && strcmp(buf, "INSIDE") == 0, "read inside: err %d [%s]", err, buf);
	cat(c, 0, "d/deeper", buf, sizeof(buf), &err);
	CHECK(err == 0 && strcmp(buf, "DEEPER") == 0, "read d/deeper: err %d", err);
	CHECK(attach(c, 1, "/vol") == 0, "attach /vol");
	cat(c, 1, "vf", buf, sizeof(buf), &err);
	CHECK(err == 0 && strcmp(buf, "VOL") == 0, "read vol/vf: err %d", err);
	CHECK(attach(c, 2, "/nosuch") == -ENOENT, "attach unknown aname");
	CHECK(attach(c, 0, "") == -EEXIST, "attach onto a used fid");
	clunk(c, 1);
}

static void no_outside(struct cl *c, uint32_t root, const char *path, const char *what)
{
	char buf[256];
	int err;

	cat(c, root, path, buf, sizeof(buf), &err);
	CHECK(strstr(buf, "OUTSIDE") == NULL && err != 0, "%s (%s): read [%s] err %d", what, path, buf, err);
}

static void test_escapes(struct cl *c)
{
	char buf[256];
	int err;

	/* ".." never walks, from the root or below; "." neither; names with '/' are not one name. */
	CHECK(walk(c, 0, 10, "..") < 0, "walk .. from the root");
	CHECK(walk(c, 0, 10, "../outside/marker") < 0, "walk ../outside/marker");
	CHECK(walk(c, 0, 10, ".") < 0, "walk .");
	err = walk(c, 0, 10, "d/../..");
	CHECK(err == 1, "walk d/../..: partial at ..: %d", err);
	CHECK(walk(c, 0, 10, "d") == 0 && walk(c, 10, 11, "..") < 0, "walk .. from d");
	clunk(c, 10);
	{
		struct p9_msg m = { .type = P9_TWALK };

		m.twalk.fid = 0;
		m.twalk.newfid = 12;
		m.twalk.nwname = 1;
		m.twalk.wname[0] = p9_str_c("d/deeper");
		CHECK(simple(c, &m) == -EINVAL, "walk one name with a '/'");
	}
	/* Symlinks are never followed by the gofer. */
	no_outside(c, 0, "abs", "absolute symlink out");
	no_outside(c, 0, "rel", "relative symlink out");
	no_outside(c, 0, "d/rel2", "relative symlink out from d");
	no_outside(c, 0, "absdir/marker", "absolute symlink to a directory out, walked through");
	no_outside(c, 0, "reldir/marker", "relative symlink to a directory out, walked through");
	no_outside(c, 0, "proc/self/root/outside/marker", "a /proc symlink");
	no_outside(c, 0, "procroot/outside/marker", "a /proc/self/root symlink");
	no_outside(c, 1, "vlink", "symlink out of a volume");
	/* The symlink itself is what a walk gives: readlink tells its text, open refuses. */
	CHECK(walk(c, 0, 13, "abs") == 0, "walk onto a symlink");
	{
		struct p9_msg m = { .type = P9_TREADLINK }, r;

		m.treadlink.fid = 13;
		err = rpc(c, &m, &r);
		CHECK(err == 0 && p9_str_eq(r.rreadlink.target, wpath("outside/marker")), "readlink abs: %d", err);
	}
	CHECK(lopen(c, 13, O_RDONLY) == -ELOOP, "lopen of a symlink");
	clunk(c, 13);
	/* A hard link made on the host before start is the same inode (Linux semantics): it reads
	 * the linked file, and nothing else outside. */
	cat(c, 0, "hl", buf, sizeof(buf), &err);
	CHECK(err == 0 && strcmp(buf, "HARDLINKED") == 0, "hard link: err %d [%s]", err, buf);
	/* A device node in the tree is never opened. */
	if (access(wpath("root/null"), F_OK) == 0) {
		CHECK(walk(c, 0, 14, "null") == 0 && lopen(c, 14, O_RDONLY) == -EPERM, "device node refused");
		clunk(c, 14);
	}
}

static volatile int swapping;

/* Swap root/swap between a file inside and a symlink out, and root/sdir between a directory
 * inside and a symlink to the outside directory, as fast as rename(2) goes. */
static void *swapper(void *arg)
{
	(void)arg;
	while (__atomic_load_n(&swapping, __ATOMIC_RELAXED)) {
		renameat2(AT_FDCWD, wpath("root/swap"), AT_FDCWD, wpath("root/swap_alt"), RENAME_EXCHANGE);
		renameat2(AT_FDCWD, wpath("root/sdir"), AT_FDCWD, wpath("root/sdir_alt"), RENAME_EXCHANGE);
	}
	return NULL;
}

static void test_swap_race(struct cl *c)
{
	pthread_t t;
	int inside = 0, refused = 0, leaked = 0;

	swapping = 1;
	pthread_create(&t, NULL, swapper, NULL);
	for (int k = 0; k < 3000; k++) {
		char buf[256];
		int err;

		cat(c, 0, k % 2 ? "swap" : "sdir/f", buf, sizeof(buf), &err);
		if (strstr(buf, "OUTSIDE"))
			leaked++;
		else if (err == 0)
			inside++;
		else
			refused++;
	}
	swapping = 0;
	pthread_join(t, NULL);
	printf("swap race: %d reads inside, %d refused, %d outside\n", inside, refused, leaked);
	CHECK(leaked == 0, "swapped symlink read outside %d times", leaked);
	CHECK(inside > 0, "the race loop read nothing at all");
}

static void test_volume_replaced(struct cl *c)
{
	char buf[256];
	int err;

	/* After start, vol2 becomes a symlink to the outside directory: the export is the held fd. */
	if (rename(wpath("vol2"), wpath("vol2.old")) || symlink(wpath("outside"), wpath("vol2"))) {
		CHECK(0, "cannot replace vol2");
		return;
	}
	CHECK(attach(c, 20, "/vol2") == 0, "attach /vol2");
	no_outside(c, 20, "marker", "volume source replaced by a symlink");
	cat(c, 20, "v2f", buf, sizeof(buf), &err);
	CHECK(err == 0 && strcmp(buf, "VOL2") == 0, "the replaced volume still serves its own dir: %d", err);
	clunk(c, 20);
}

static void test_readonly(struct cl *c)
{
	struct p9_msg m;
	char buf[64];
	int err;

	CHECK(attach(c, 30, "/ro") == 0, "attach /ro");
	cat(c, 30, "rf", buf, sizeof(buf), &err);
	CHECK(err == 0 && strcmp(buf, "RO") == 0, "read on a ro volume: %d", err);
	walk(c, 30, 31, "rf");
	CHECK(lopen(c, 31, O_WRONLY) == -EROFS, "lopen O_WRONLY");
	CHECK(lopen(c, 31, O_RDWR) == -EROFS, "lopen O_RDWR");
	CHECK(lopen(c, 31, O_RDONLY | O_TRUNC) == -EROFS, "lopen O_TRUNC");
	CHECK(lopen(c, 31, O_RDONLY) == 0, "lopen O_RDONLY");
	memset(&m, 0, sizeof(m));
	m.type = P9_TWRITE;
	m.twrite.fid = 31;
	m.twrite.count = 1;
	m.twrite.data = "x";
	CHECK(simple(c, &m) == -EROFS, "write");
	memset(&m, 0, sizeof(m));
	m.type = P9_TSETATTR;
	m.tsetattr.fid = 31;
	m.tsetattr.valid = P9_SETATTR_SIZE;
	CHECK(simple(c, &m) == -EROFS, "setattr");
	walk(c, 30, 32, "");
	memset(&m, 0, sizeof(m));
	m.type = P9_TLCREATE;
	m.tlcreate.fid = 32;
	m.tlcreate.name = p9_str_c("new");
	m.tlcreate.flags = O_RDWR;
	m.tlcreate.mode = 0644;
	CHECK(simple(c, &m) == -EROFS, "lcreate");
	memset(&m, 0, sizeof(m));
	m.type = P9_TMKDIR;
	m.tmkdir.dfid = 30;
	m.tmkdir.name = p9_str_c("newdir");
	m.tmkdir.mode = 0755;
	CHECK(simple(c, &m) == -EROFS, "mkdir");
	memset(&m, 0, sizeof(m));
	m.type = P9_TSYMLINK;
	m.tsymlink.fid = 30;
	m.tsymlink.name = p9_str_c("newlink");
	m.tsymlink.symtgt = p9_str_c("rf");
	CHECK(simple(c, &m) == -EROFS, "symlink");
	memset(&m, 0, sizeof(m));
	m.type = P9_TMKNOD;
	m.tmknod.dfid = 30;
	m.tmknod.name = p9_str_c("fifo");
	m.tmknod.mode = S_IFIFO | 0644;
	CHECK(simple(c, &m) == -EROFS, "mknod");
	memset(&m, 0, sizeof(m));
	m.type = P9_TLINK;
	m.tlink.dfid = 30;
	m.tlink.fid = 31;
	m.tlink.name = p9_str_c("hl");
	CHECK(simple(c, &m) == -EROFS, "link");
	memset(&m, 0, sizeof(m));
	m.type = P9_TRENAMEAT;
	m.trenameat.olddirfid = 30;
	m.trenameat.oldname = p9_str_c("rf");
	m.trenameat.newdirfid = 30;
	m.trenameat.newname = p9_str_c("rf2");
	CHECK(simple(c, &m) == -EROFS, "renameat");
	memset(&m, 0, sizeof(m));
	m.type = P9_TUNLINKAT;
	m.tunlinkat.dirfd = 30;
	m.tunlinkat.name = p9_str_c("rf");
	CHECK(simple(c, &m) == -EROFS, "unlinkat");
	CHECK(access(wpath("rovol/rf"), F_OK) == 0 && access(wpath("rovol/rf2"), F_OK) != 0 &&
		      access(wpath("rovol/new"), F_OK) != 0,
	      "the ro volume is unchanged");
	clunk(c, 31);
	clunk(c, 32);
	clunk(c, 30);
}

static void test_modify(struct cl *c)
{
	struct p9_msg m, r;
	char buf[256];
	int err;

	/* create, write, read back, rename, unlink in the rw root */
	walk(c, 0, 40, "");
	memset(&m, 0, sizeof(m));
	m.type = P9_TLCREATE;
	m.tlcreate.fid = 40;
	m.tlcreate.name = p9_str_c("made");
	m.tlcreate.flags = O_RDWR;
	m.tlcreate.mode = 0640;
	m.tlcreate.gid = getegid();
	CHECK(simple(c, &m) == 0, "lcreate");
	memset(&m, 0, sizeof(m));
	m.type = P9_TWRITE;
	m.twrite.fid = 40;
	m.twrite.count = 5;
	m.twrite.data = "hello";
	err = rpc(c, &m, &r);
	CHECK(err == 0 && r.rwrite.count == 5, "write: %d", err);
	clunk(c, 40);
	cat(c, 0, "made", buf, sizeof(buf), &err);
	CHECK(err == 0 && strcmp(buf, "hello") == 0, "read back: %d [%s]", err, buf);
	{
		struct stat st;

		CHECK(stat(wpath("root/made"), &st) == 0 && (st.st_mode & 07777) == 0640, "mode as asked");
	}
	/* lcreate over an existing name is EEXIST (never opens what is there) */
	walk(c, 0, 41, "");
	memset(&m, 0, sizeof(m));
	m.type = P9_TLCREATE;
	m.tlcreate.fid = 41;
	m.tlcreate.name = p9_str_c("abs");
	m.tlcreate.flags = O_RDWR;
	m.tlcreate.mode = 0644;
	CHECK(simple(c, &m) == -EEXIST, "lcreate over a symlink");
	clunk(c, 41);
	/* setattr: size, mode, mtime */
	walk(c, 0, 42, "made");
	memset(&m, 0, sizeof(m));
	m.type = P9_TSETATTR;
	m.tsetattr.fid = 42;
	m.tsetattr.valid = P9_SETATTR_SIZE | P9_SETATTR_MODE | P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
	m.tsetattr.size = 2;
	m.tsetattr.mode = 0600;
	m.tsetattr.mtime_sec = 1000000000;
	m.tsetattr.mtime_nsec = 5;
	CHECK(simple(c, &m) == 0, "setattr");
	memset(&m, 0, sizeof(m));
	m.type = P9_TGETATTR;
	m.tgetattr.fid = 42;
	m.tgetattr.request_mask = P9_GETATTR_ALL;
	err = rpc(c, &m, &r);
	CHECK(err == 0 && r.rgetattr.size == 2 && (r.rgetattr.mode & 07777) == 0600 &&
		      r.rgetattr.mtime_sec == 1000000000 && r.rgetattr.mtime_nsec == 5 && S_ISREG(r.rgetattr.mode),
	      "getattr after setattr: %d size %llu", err, (unsigned long long)r.rgetattr.size);
	clunk(c, 42);
	memset(&m, 0, sizeof(m));
	m.type = P9_TRENAMEAT;
	m.trenameat.olddirfid = 0;
	m.trenameat.oldname = p9_str_c("made");
	m.trenameat.newdirfid = 0;
	m.trenameat.newname = p9_str_c("made2");
	CHECK(simple(c, &m) == 0, "renameat");
	m.trenameat.newname = p9_str_c("../made3");
	CHECK(simple(c, &m) == -EINVAL, "renameat to a name with a '/'");
	memset(&m, 0, sizeof(m));
	m.type = P9_TUNLINKAT;
	m.tunlinkat.dirfd = 0;
	m.tunlinkat.name = p9_str_c("made2");
	CHECK(simple(c, &m) == 0, "unlinkat");
	CHECK(access(wpath("root/made2"), F_OK) != 0, "unlinked on the host");
	memset(&m, 0, sizeof(m));
	m.type = P9_TMKNOD;
	m.tmknod.dfid = 0;
	m.tmknod.name = p9_str_c("dev");
	m.tmknod.mode = S_IFCHR | 0666;
	m.tmknod.major = 1;
	m.tmknod.minor = 3;
	CHECK(simple(c, &m) == -EPERM, "mknod of a device");
	memset(&m, 0, sizeof(m));
	m.type = P9_TSTATFS;
	m.tstatfs.fid = 0;
	err = rpc(c, &m, &r);
	CHECK(err == 0 && r.rstatfs.bsize > 0 && r.rstatfs.namelen > 0, "statfs: %d", err);
	memset(&m, 0, sizeof(m));
	m.type = P9_TXATTRWALK;
	m.txattrwalk.fid = 0;
	m.txattrwalk.newfid = 43;
	m.txattrwalk.name = p9_str_c("user.x");
	CHECK(simple(c, &m) == -EOPNOTSUPP, "xattrwalk is not supported");
}

static void test_locks(struct cl *c)
{
	struct p9_msg m, r;
	int err;

	walk(c, 0, 50, "inside");
	walk(c, 0, 51, "inside");
	lopen(c, 50, O_RDWR);
	lopen(c, 51, O_RDWR);
	memset(&m, 0, sizeof(m));
	m.type = P9_TLOCK;
	m.tlock.fid = 50;
	m.tlock.type = P9_LOCK_TYPE_WRLCK;
	m.tlock.client_id = p9_str_c("t");
	err = rpc(c, &m, &r);
	CHECK(err == 0 && r.rlock.status == P9_LOCK_SUCCESS, "lock fid 50: %d", err);
	m.tlock.fid = 51;
	err = rpc(c, &m, &r);
	CHECK(err == 0 && r.rlock.status == P9_LOCK_BLOCKED, "lock fid 51 conflicts: %d %d", err, r.rlock.status);
	memset(&m, 0, sizeof(m));
	m.type = P9_TGETLOCK;
	m.tgetlock.fid = 51;
	m.tgetlock.type = P9_LOCK_TYPE_WRLCK;
	m.tgetlock.client_id = p9_str_c("t");
	err = rpc(c, &m, &r);
	CHECK(err == 0 && r.rgetlock.type == P9_LOCK_TYPE_WRLCK, "getlock sees the lock: %d", err);
	clunk(c, 50);	/* closing the open file drops its lock */
	memset(&m, 0, sizeof(m));
	m.type = P9_TLOCK;
	m.tlock.fid = 51;
	m.tlock.type = P9_LOCK_TYPE_WRLCK;
	m.tlock.client_id = p9_str_c("t");
	err = rpc(c, &m, &r);
	CHECK(err == 0 && r.rlock.status == P9_LOCK_SUCCESS, "lock after clunk: %d", err);
	clunk(c, 51);
}

static void test_readdir(struct cl *c)
{
	static char names[300][16];
	int seen[300] = { 0 }, total = 0, dup = 0;
	uint64_t off = 0, mid = 0;
	int midcount = 0, after = 0;

	walk(c, 0, 60, "many");
	CHECK(lopen(c, 60, O_RDONLY) == 0, "lopen dir");
	for (int round = 0; round < 1000; round++) {
		struct p9_msg m = { .type = P9_TREADDIR }, r;
		const void *p;
		size_t left;
		struct p9_dirent d;
		int err;

		m.treaddir.fid = 60;
		m.treaddir.offset = off;
		m.treaddir.count = 200;	/* a few entries per request */
		err = rpc(c, &m, &r);
		if (err || r.rreaddir.count == 0) {
			CHECK(err == 0, "readdir: %d", err);
			break;
		}
		p = r.rreaddir.data;
		left = r.rreaddir.count;
		while (p9_dirent_next(&p, &left, &d) == 1) {
			char nm[64];
			int k;

			if (p9_str_copy(d.name, nm, sizeof(nm)) > 0 && sscanf(nm, "e%d", &k) == 1 && k >= 0 && k < 300) {
				dup += seen[k]++;
				if (mid)
					after++;
			}
			CHECK(!p9_str_eq(d.name, ".") && !p9_str_eq(d.name, ".."), "dot entries are not served");
			total++;
			off = d.offset;
		}
		if (!mid && total >= 100) {
			mid = off;
			midcount = total;
		}
	}
	for (int k = 0; k < 300; k++)
		snprintf(names[k], sizeof(names[k]), "e%d", k);
	{
		int missing = 0;

		for (int k = 0; k < 300; k++)
			missing += !seen[k];
		CHECK(total == 300 && missing == 0 && dup == 0, "readdir: %d entries, %d missing, %d twice", total, missing,
		      dup);
	}
	/* A second fid resumes from the middle cookie: exactly the rest. */
	walk(c, 0, 61, "many");
	lopen(c, 61, O_RDONLY);
	{
		int rest = 0;

		off = mid;
		for (;;) {
			struct p9_msg m = { .type = P9_TREADDIR }, r;
			const void *p;
			size_t left;
			struct p9_dirent d;

			m.treaddir.fid = 61;
			m.treaddir.offset = off;
			m.treaddir.count = 4000;
			if (rpc(c, &m, &r) || r.rreaddir.count == 0)
				break;
			p = r.rreaddir.data;
			left = r.rreaddir.count;
			while (p9_dirent_next(&p, &left, &d) == 1) {
				rest++;
				off = d.offset;
			}
		}
		CHECK(rest == 300 - midcount, "resumed listing: %d entries after the cookie, want %d", rest,
		      300 - midcount);
	}
	(void)after;
	clunk(c, 60);
	clunk(c, 61);
}

static void test_bad_fids(struct cl *c)
{
	struct p9_msg m;

	memset(&m, 0, sizeof(m));
	m.type = P9_TGETATTR;
	m.tgetattr.fid = 777777;
	CHECK(simple(c, &m) == -EBADF, "getattr of an unknown fid");
	CHECK(clunk(c, 777777) == -EBADF, "clunk of an unknown fid");
	CHECK(walk(c, 777777, 5, "inside") == -EBADF, "walk from an unknown fid");
	CHECK(lopen(c, 777777, O_RDONLY) == -EBADF, "lopen of an unknown fid");
	memset(&m, 0, sizeof(m));
	m.type = P9_TREAD;
	m.tread.fid = 0;
	m.tread.count = 10;
	CHECK(simple(c, &m) == -EBADF, "read of an unopened fid");
	CHECK(walk(c, 0, P9_NOFID, "inside") < 0, "walk to NOFID");
}

/* Several in flight: all sent, then all replies read, matched by tag. */
static void test_inflight(struct cl *c)
{
	int got[20] = { 0 }, ok = 1;

	for (int k = 0; k < 20; k++) {
		struct p9_msg m = { .type = P9_TGETATTR, .tag = 500 + k };

		m.tgetattr.fid = 0;
		m.tgetattr.request_mask = P9_GETATTR_BASIC;
		if (cl_send(c, &m))
			ok = 0;
	}
	for (int k = 0; k < 20 && ok; k++) {
		struct p9_msg r;

		if (cl_recv(c, &r) || r.type != P9_RGETATTR || r.tag < 500 || r.tag >= 520)
			ok = 0;
		else
			got[r.tag - 500]++;
	}
	for (int k = 0; k < 20; k++)
		ok &= got[k] == 1;
	CHECK(ok, "20 requests in flight, each answered once");
	{
		struct p9_msg m = { .type = P9_TFLUSH }, r;

		m.tflush.oldtag = 4321;
		CHECK(rpc(c, &m, &r) == 0, "flush of an unknown tag answers Rflush");
	}
}

static int raw_rpc(struct cl *c, const void *msg, size_t len, struct p9_msg *r)
{
	if (cl_sendraw(c, msg, len))
		return -EPIPE;
	return cl_recv(c, r);
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void test_malformed(void)
{
	struct cl c;
	struct p9_msg r;
	uint8_t msg[64];
	int err;

	/* Before Tversion: an error, not service. */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sockpath);
		connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		cl_init(&c, fd);
		CHECK(attach(&c, 0, "") < 0, "attach before version");
		cl_close(&c);
	}
	cl_connect(&c);
	/* Truncated: a Twalk of 11 bytes. */
	memset(msg, 0, sizeof(msg));
	le32(msg, 11);
	msg[4] = P9_TWALK;
	msg[5] = 7;
	err = raw_rpc(&c, msg, 11, &r);
	CHECK(err == 0 && r.type == P9_RLERROR && r.tag == 7, "truncated Twalk: Rlerror (%d, ecode %u)", err,
	      r.rlerror.ecode);
	/* Unknown type. */
	le32(msg, 7);
	msg[4] = 250;
	msg[5] = 8;
	err = raw_rpc(&c, msg, 7, &r);
	CHECK(err == 0 && r.type == P9_RLERROR && r.tag == 8, "unknown type: Rlerror");
	/* A reply type sent as a request. */
	le32(msg, 7);
	msg[4] = P9_RCLUNK;
	msg[5] = 9;
	err = raw_rpc(&c, msg, 7, &r);
	CHECK(err == 0 && r.type == P9_RLERROR, "reply type as a request: Rlerror");
	/* A string longer than the message: Tattach fid afid uname[len 500]. */
	memset(msg, 0, sizeof(msg));
	le32(msg, 7 + 4 + 4 + 2 + 3);
	msg[4] = P9_TATTACH;
	msg[5] = 10;
	msg[15] = 0xf4;
	msg[16] = 0x01;
	err = raw_rpc(&c, msg, 20, &r);
	CHECK(err == 0 && r.type == P9_RLERROR, "string past the end: Rlerror");
	/* A string with a NUL in a walk name. */
	{
		uint8_t w[32] = { 0 };

		le32(w, 7 + 4 + 4 + 2 + 2 + 3);
		w[4] = P9_TWALK;
		w[5] = 11;
		w[8 + 4] = 5;	/* newfid 5 */
		w[15] = 1;	/* nwname */
		w[17] = 3;	/* len */
		memcpy(w + 19, "a\0b", 3);
		err = raw_rpc(&c, w, 22, &r);
		CHECK(err == 0 && r.type == P9_RLERROR && r.rlerror.ecode == EINVAL, "NUL in a name: EINVAL");
	}
	/* Still serving on this connection. */
	CHECK(attach(&c, 0, "") == 0, "attach after malformed messages");
	/* Oversized: size above msize closes the connection. */
	le32(msg, 64u << 20);
	msg[4] = P9_TREAD;
	cl_sendraw(&c, msg, 7);
	err = cl_recv(&c, &r);
	CHECK(err == -EPIPE || err == -ECONNRESET, "oversized message closes the connection: %d", err);
	cl_close(&c);
	/* Size below the header, on a new connection. */
	cl_connect(&c);
	le32(msg, 3);
	cl_sendraw(&c, msg, 7);
	err = cl_recv(&c, &r);
	CHECK(err == -EPIPE || err == -ECONNRESET, "size < 7 closes the connection: %d", err);
	cl_close(&c);
	/* A tag reused while in flight is a protocol violation; whatever happens, a new connection works. */
	cl_connect(&c);
	CHECK(attach(&c, 0, "") == 0, "a new connection works after the bad ones");
	cl_close(&c);
}

/* Clone the root fid until the server refuses: an error, not a crash (ENFILE at the
 * bound, or EMFILE first if the fd limit is lower). */
static void test_fid_bound(void)
{
	struct cl c;
	int err = 0;
	uint32_t k;

	cl_connect(&c);
	attach(&c, 0, "");
	for (k = 1; k <= 70000; k++) {
		err = walk(&c, 0, k, "");
		if (err)
			break;
	}
	printf("fid bound: %u fids, then error %d\n", k, err);
	CHECK(err == -ENFILE || err == -EMFILE, "fid table bounded: %d after %u", err, k);
	CHECK(k <= 65536, "no more than 65536 fids per connection: %u", k);
	{
		char buf[64];

		clunk(&c, 1);
		clunk(&c, 2);
		clunk(&c, 99);	/* cat()'s fid */
		cat(&c, 0, "inside", buf, sizeof(buf), &err);
		CHECK(err == 0 && strcmp(buf, "INSIDE") == 0, "serving after the bound: %d", err);
	}
	cl_close(&c);
}

/* --fd mode: the gofer serves a socketpair end and exits when it closes; with
 * 9P2000.L.cvisor, Rlopen of a regular file carries the open fd. */
static void test_fd_mode(void)
{
	int sv[2];
	pid_t pid;
	struct cl c;
	char ver[64], buf[64];
	int status, err;

	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	pid = fork();
	if (pid == 0) {
		dup2(sv[1], 3);
		execl(cvisor, cvisor, "gofer", "--root", wpath("root"), "--volume", wpath("rovol:/ro:ro"), "--fd", "3",
		      (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	cl_init(&c, sv[0]);
	err = cl_version(&c, P9_VERSION_CVISOR, 65536, ver, sizeof(ver));
	CHECK(err == 0 && strcmp(ver, P9_VERSION_CVISOR) == 0, "version 9P2000.L.cvisor: %d [%s]", err, ver);
	attach(&c, 0, "");
	walk(&c, 0, 1, "inside");
	CHECK(lopen(&c, 1, O_RDONLY) == 0, "lopen");
	CHECK(c.gotfd >= 0, "Rlopen carries a donated fd");
	if (c.gotfd >= 0) {
		ssize_t n = pread(c.gotfd, buf, sizeof(buf) - 1, 0);

		buf[n > 0 ? n : 0] = '\0';
		CHECK(strcmp(buf, "INSIDE") == 0, "the donated fd reads the file [%s]", buf);
	}
	walk(&c, 0, 2, "d");
	CHECK(lopen(&c, 2, O_RDONLY) == 0 && c.gotfd < 0, "directories are not donated");
	attach(&c, 3, "/ro");
	walk(&c, 3, 4, "rf");
	CHECK(lopen(&c, 4, O_RDONLY) == 0 && c.gotfd >= 0, "ro file donated");
	if (c.gotfd >= 0)
		CHECK((fcntl(c.gotfd, F_GETFL) & O_ACCMODE) == O_RDONLY && write(c.gotfd, "x", 1) < 0,
		      "a ro export's donated fd is read-only");
	cl_close(&c);
	/* Our end closed: the gofer exits 0 (bounded by the test's alarm). */
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "gofer --fd exits when the connection closes (status %x)", status);

	/* Plain 9P2000.L: no donation. */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	pid = fork();
	if (pid == 0) {
		dup2(sv[1], 3);
		execl(cvisor, cvisor, "gofer", "--root", wpath("root"), "--fd", "3", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	cl_init(&c, sv[0]);
	err = cl_version(&c, P9_VERSION_L, 65536, ver, sizeof(ver));
	CHECK(err == 0 && strcmp(ver, P9_VERSION_L) == 0, "version 9P2000.L");
	attach(&c, 0, "");
	walk(&c, 0, 1, "inside");
	CHECK(lopen(&c, 1, O_RDONLY) == 0 && c.gotfd < 0, "no donation without 9P2000.L.cvisor");
	cl_close(&c);
	waitpid(pid, &status, 0);
}

static void setup(void)
{
	char cmd[2100];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/root' '%s/outside' '%s/vol' '%s/vol2' '%s/vol2.old' '%s/rovol'", W, W, W, W,
		 W, W);
	if (system(cmd))
		exit(1);
	mk("outside");
	put("outside/marker", "OUTSIDE");
	put("outside/f", "OUTSIDE");
	put("outside/hardlinked", "HARDLINKED");
	mk("root");
	put("root/inside", "INSIDE");
	mk("root/d");
	put("root/d/deeper", "DEEPER");
	sym(wpath("outside/marker"), "root/abs");
	sym("../outside/marker", "root/rel");
	sym("../../outside/marker", "root/d/rel2");
	sym(wpath("outside"), "root/absdir");
	sym("../outside", "root/reldir");
	sym("/proc", "root/proc");
	sym("/proc/self/root", "root/procroot");
	if (link(wpath("outside/hardlinked"), wpath("root/hl")))
		perror("link");
	mknod(wpath("root/null"), S_IFCHR | 0666, makedev(1, 3));	/* root only; skipped otherwise */
	put("root/swap", "INSIDE");
	sym(wpath("outside/marker"), "root/swap_alt");
	mk("root/sdir");
	put("root/sdir/f", "INSIDE");
	sym(wpath("outside"), "root/sdir_alt");
	mk("root/many");
	for (int k = 0; k < 300; k++) {
		char n[64];

		snprintf(n, sizeof(n), "root/many/e%d", k);
		put(n, "x");
	}
	mk("vol");
	put("vol/vf", "VOL");
	sym(wpath("outside/marker"), "vol/vlink");
	mk("vol2");
	put("vol2/v2f", "VOL2");
	mk("rovol");
	put("rovol/rf", "RO");
}

int main(int argc, char **argv)
{
	struct cl c;

	if (argc != 3) {
		fprintf(stderr, "usage: gofer_test CVISOR WORKDIR\n");
		return 2;
	}
	cvisor = argv[1];
	if (!realpath(argv[2], W)) {
		mkdir(argv[2], 0755);
		if (!realpath(argv[2], W))
			return 2;
	}
	strncat(W, "/gofer-test", sizeof(W) - strlen(W) - 1);
	mkdir(W, 0755);
	alarm(300);	/* never hang */
	signal(SIGPIPE, SIG_IGN);
	setup();
	start_gofer();

	if (cl_connect(&c)) {
		fprintf(stderr, "version failed\n");
		return 1;
	}
	test_basic(&c);
	test_escapes(&c);
	test_swap_race(&c);
	test_volume_replaced(&c);
	test_readonly(&c);
	test_modify(&c);
	test_locks(&c);
	test_readdir(&c);
	test_bad_fids(&c);
	test_inflight(&c);
	cl_close(&c);
	test_malformed();
	test_fid_bound();
	test_fd_mode();

	kill(gofer_pid, SIGTERM);
	waitpid(gofer_pid, NULL, 0);
	printf("%d passed, %d failed\n", passes, failures);
	return failures ? 1 : 0;
}
