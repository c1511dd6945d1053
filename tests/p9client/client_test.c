// SPDX-License-Identifier: MIT
/*
 * Unit tests of the Sentry's 9P client (src/sentry/fs/gofer/client.c)
 * against a scripted server on the other end of a socketpair: version
 * fallback, replies out of order to several threads, Rlerror, and every
 * way the server can break (end of stream, an unknown tag, a reply larger
 * than asked, a reply of the wrong type): all pending and later calls get
 * EIO, nothing hangs (each case runs under alarm()), and a stray SCM_RIGHTS
 * fd is closed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lib/util.h"
#include "p9/p9.h"
#include "sentry/fs/gofer/client.h"

static int g_failed, g_passed;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (cond) {                                                      \
			g_passed++;                                              \
		} else {                                                         \
			g_failed++;                                              \
			fprintf(stderr, "%s:%d: FAIL %s\n", __FILE__, __LINE__, #cond); \
		}                                                                \
	} while (0)

/* The scripted server: reads whole messages, answers by hand. */
static uint8_t g_srv_buf[1 << 16];
static size_t g_srv_len;

static int srv_recv(int fd, struct p9_msg *m, uint8_t *copy)
{
	for (;;) {
		ssize_t size = p9_msg_size(g_srv_buf, g_srv_len, sizeof(g_srv_buf));
		ssize_t n;

		if (size > 0 && (size_t)size <= g_srv_len) {
			memcpy(copy, g_srv_buf, (size_t)size);
			memmove(g_srv_buf, g_srv_buf + size, g_srv_len - (size_t)size);
			g_srv_len -= (size_t)size;
			return p9_decode(copy, (size_t)size, m);
		}
		n = read(fd, g_srv_buf + g_srv_len, sizeof(g_srv_buf) - g_srv_len);
		if (n <= 0)
			return -EPIPE;
		g_srv_len += (size_t)n;
	}
}

static void srv_send(int fd, const struct p9_msg *m)
{
	uint8_t buf[8192];
	ssize_t len = p9_encode(m, buf, sizeof(buf));

	if (len < 0 || write(fd, buf, (size_t)len) != len)
		abort();
}

/* Answer the version exchange; refuse @refused first with Rlerror (as diod does). */
static void srv_version(int fd, bool refuse_cvisor, const char *answer)
{
	uint8_t copy[256];
	struct p9_msg m, r = { .type = P9_RVERSION, .tag = P9_NOTAG };

	if (srv_recv(fd, &m, copy) || m.type != P9_TVERSION)
		abort();
	if (refuse_cvisor) {
		struct p9_msg e = { .type = P9_RLERROR, .tag = m.tag };

		e.rlerror.ecode = EIO;
		srv_send(fd, &e);
		if (srv_recv(fd, &m, copy) || m.type != P9_TVERSION)
			abort();
	}
	r.rversion.msize = 8192;
	r.rversion.version = p9_str_c(answer);
	srv_send(fd, &r);
}

static void srv_attach(int fd)
{
	uint8_t copy[256];
	struct p9_msg m, r = { .type = P9_RATTACH };

	if (srv_recv(fd, &m, copy) || m.type != P9_TATTACH)
		abort();
	r.tag = m.tag;
	r.rattach.qid.type = P9_QTDIR;
	srv_send(fd, &r);
}

struct server {
	int fd;
	void (*script)(int fd);
	pthread_t th;
};

static void *server_main(void *arg)
{
	struct server *s = arg;

	srv_version(s->fd, true, P9_VERSION_L);
	srv_attach(s->fd);
	if (s->script)
		s->script(s->fd);
	return NULL;
}

/* A client connected to a server thread running @script after the attach. */
static struct p9c *start(struct server *s, void (*script)(int fd))
{
	int sv[2];
	struct p9c *c;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	s->fd = sv[1];
	s->script = script;
	g_srv_len = 0;
	pthread_create(&s->th, NULL, server_main, s);
	c = p9c_connect(sv[0], "root", 0, "");
	CHECK(!is_err(c));
	if (is_err(c))
		exit(1);
	return c;
}

static void stop(struct server *s)
{
	pthread_join(s->th, NULL);
	close(s->fd);
}

#define NTHREADS 8

struct caller {
	struct p9c *c;
	uint32_t fid;
	int err;
	uint64_t size;
};

static void *caller_main(void *arg)
{
	struct caller *k = arg;
	struct p9_msg req = { .type = P9_TGETATTR }, reply;
	uint8_t rbuf[256];

	req.tgetattr.fid = k->fid;
	req.tgetattr.request_mask = P9_GETATTR_BASIC;
	k->err = p9c_rpc(k->c, &req, &reply, rbuf, sizeof(rbuf));
	if (!k->err)
		k->size = reply.rgetattr.size;
	return NULL;
}

static void run_callers(struct p9c *c, struct caller *k)
{
	pthread_t th[NTHREADS];

	for (int i = 0; i < NTHREADS; i++) {
		k[i] = (struct caller){ .c = c, .fid = 100 + (uint32_t)i, .err = 1 };
		pthread_create(&th[i], NULL, caller_main, &k[i]);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
}

/* Take all NTHREADS requests, then answer in reverse order; fid 107 gets Rlerror EACCES. */
static void script_reverse(int fd)
{
	static uint8_t copies[NTHREADS][256];
	struct p9_msg m[NTHREADS];

	for (int i = 0; i < NTHREADS; i++)
		if (srv_recv(fd, &m[i], copies[i]) || m[i].type != P9_TGETATTR)
			abort();
	for (int i = NTHREADS - 1; i >= 0; i--) {
		struct p9_msg r = { .type = P9_RGETATTR, .tag = m[i].tag };

		if (m[i].tgetattr.fid == 107) {
			r.type = P9_RLERROR;
			r.rlerror.ecode = EACCES;
		} else {
			r.rgetattr.valid = P9_GETATTR_BASIC;
			r.rgetattr.size = m[i].tgetattr.fid * 7;
		}
		srv_send(fd, &r);
	}
}

static void test_out_of_order(void)
{
	struct server s;
	struct p9c *c = start(&s, script_reverse);
	struct caller k[NTHREADS];

	CHECK(!p9c_is_cvisor(c));
	CHECK(p9c_msize(c) == 8192);
	run_callers(c, k);
	for (int i = 0; i < NTHREADS; i++) {
		if (k[i].fid == 107) {
			CHECK(k[i].err == -EACCES);
		} else {
			CHECK(k[i].err == 0);
			CHECK(k[i].size == k[i].fid * 7);
		}
	}
	CHECK(!p9c_is_dead(c));
	stop(&s);
	p9c_close(c);
}

/* Take all requests, then break the connection in one way. */
static int g_break;
enum { BREAK_EOF, BREAK_BAD_TAG, BREAK_TOO_BIG, BREAK_WRONG_TYPE, BREAK_GARBAGE };

static void script_break(int fd)
{
	static uint8_t copies[NTHREADS][256];
	struct p9_msg m[NTHREADS];

	for (int i = 0; i < NTHREADS; i++)
		if (srv_recv(fd, &m[i], copies[i]))
			abort();
	/* one good answer first: it must arrive whatever follows */
	struct p9_msg ok = { .type = P9_RGETATTR, .tag = m[0].tag };

	ok.rgetattr.size = 1;
	srv_send(fd, &ok);
	if (g_break == BREAK_BAD_TAG) {
		struct p9_msg r = { .type = P9_RGETATTR, .tag = 999 };

		srv_send(fd, &r);
	} else if (g_break == BREAK_TOO_BIG) {
		struct p9_msg r = { .type = P9_RREAD, .tag = m[1].tag };
		static char data[1000];

		r.rread.count = sizeof(data);
		r.rread.data = data;
		srv_send(fd, &r);
	} else if (g_break == BREAK_WRONG_TYPE) {
		struct p9_msg r = { .type = P9_RCLUNK, .tag = m[1].tag };

		srv_send(fd, &r);
	} else if (g_break == BREAK_GARBAGE) {
		static const uint8_t junk[] = { 3, 0, 0, 0, 0xff, 0xff, 0xff };

		if (write(fd, junk, sizeof(junk)) != sizeof(junk))
			abort();
	}
	/* BREAK_EOF: nothing more; stop() closes */
	shutdown(fd, SHUT_WR);
}

static void test_break(int how)
{
	struct server s;
	struct p9c *c;
	struct caller k[NTHREADS];
	int eio = 0, ok = 0;

	g_break = how;
	c = start(&s, script_break);
	run_callers(c, k);
	for (int i = 0; i < NTHREADS; i++) {
		if (k[i].err == 0 && k[i].size == 1)
			ok++;
		else if (k[i].err == -EIO)
			eio++;
	}
	/* the good reply came before the break, unless the client died of what came with it */
	CHECK(ok <= 1);
	CHECK(ok + eio == NTHREADS);
	CHECK(p9c_is_dead(c));
	/* and later calls fail at once */
	k[0] = (struct caller){ .c = c, .fid = 1, .err = 1 };
	caller_main(&k[0]);
	CHECK(k[0].err == -EIO);
	stop(&s);
	p9c_close(c);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* One reply with an fd attached, as our gofer may donate: the client closes it. */
static void script_stray_fd(int fd)
{
	uint8_t copy[256], buf[256];
	struct p9_msg m, r = { .type = P9_RGETATTR };
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	int donated;
	ssize_t len;

	if (srv_recv(fd, &m, copy))
		abort();
	donated = dup(0);	/* only now: the client counted its fds before asking */
	r.tag = m.tag;
	r.rgetattr.size = 42;
	len = p9_encode(&r, buf, sizeof(buf));
	iov = (struct iovec){ buf, (size_t)len };
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &donated, sizeof(int));
	if (sendmsg(fd, &mh, 0) != len)
		abort();
	close(donated);
}

static void test_stray_fd(void)
{
	struct server s;
	struct p9c *c = start(&s, script_stray_fd);
	struct caller k = { .c = c, .fid = 5, .err = 1 };
	int before;

	before = count_fds();
	caller_main(&k);
	pthread_join(s.th, NULL);	/* the server closed its copy */
	CHECK(k.err == 0 && k.size == 42);
	CHECK(count_fds() == before);
	if (count_fds() != before)
		fprintf(stderr, "fds before %d, after %d\n", before, count_fds());
	close(s.fd);
	p9c_close(c);
}

static void *server_no_l(void *arg)
{
	struct server *s = arg;

	srv_version(s->fd, true, "9P2000");
	return NULL;
}

static void test_version_refused(void)
{
	struct server s;
	int sv[2];
	struct p9c *c;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	s.fd = sv[1];
	g_srv_len = 0;
	pthread_create(&s.th, NULL, server_no_l, &s);
	c = p9c_connect(sv[0], "root", 0, "");
	CHECK(is_err(c) && ptr_err(c) == -EPROTONOSUPPORT);
	stop(&s);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	alarm(60);	/* a hang is a failure, not a stuck test run */
	test_out_of_order();
	for (int how = BREAK_EOF; how <= BREAK_GARBAGE; how++)
		test_break(how);
	test_stray_fd();
	test_version_refused();
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
