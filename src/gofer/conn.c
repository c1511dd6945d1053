// SPDX-License-Identifier: MIT
/*
 * One 9P connection: a reader thread frames messages and queues them, a small
 * pool of workers decodes, serves and answers them, so a slow read does not
 * hold up a getattr. Several requests are in flight at once (bounded); tags
 * are checked for reuse. Tversion and Tflush are handled by the reader:
 *  - Tversion waits until every earlier request is answered, then resets the
 *    session (all fids clunked), as the protocol says;
 *  - Tflush of a request still queued drops it unanswered and answers Rflush
 *    at once; of a request a worker already started, Rflush is sent after
 *    that request's reply (its effect may have happened: the client learns
 *    of it); of an unknown tag, Rflush at once.
 * A framing error (size below the header or above msize) closes the
 * connection: the stream cannot be resynchronised. Anything else malformed
 * gets an Rlerror with the tag from the header.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gofer/gofer.h"
#include "lib/log.h"

#define MAX_INFLIGHT 64

static int read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return done ? -EPIPE : 0;
		done += n;
	}
	return 1;
}

/* Send one whole message (send_lock held). */
static int send_locked(struct conn *c, const void *buf, size_t len, int donate_fd)
{
	size_t done = 0;
	int err = 0;

	while (done < len && !c->dead) {
		struct iovec iov = { .iov_base = (char *)buf + done, .iov_len = len - done };
		union {
			struct cmsghdr h;
			char space[CMSG_SPACE(sizeof(int))];
		} ctl;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		/* The donated fd rides on the first bytes of its reply. */
		if (donate_fd >= 0 && done == 0 && c->unix_sock) {
			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = ctl.space;
			mh.msg_controllen = sizeof(ctl.space);
			ctl.h.cmsg_level = SOL_SOCKET;
			ctl.h.cmsg_type = SCM_RIGHTS;
			ctl.h.cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(&ctl.h), &donate_fd, sizeof(int));
		}
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOTSOCK)
			n = write(c->fd, iov.iov_base, iov.iov_len);
		if (n <= 0) {
			err = n < 0 ? -errno : -EPIPE;
			c->dead = true;
			shutdown(c->fd, SHUT_RDWR);	/* wakes the reader */
			break;
		}
		done += n;
	}
	return err;
}

int conn_send(struct conn *c, const void *buf, size_t len, int donate_fd)
{
	int err;

	pthread_mutex_lock(&c->send_lock);
	err = send_locked(c, buf, len, donate_fd);
	pthread_mutex_unlock(&c->send_lock);
	return err;
}

static void send_rflush(struct conn *c, uint16_t tag, bool locked)
{
	uint8_t out[P9_HDRSZ];
	struct p9_msg r = { .type = P9_RFLUSH, .tag = tag };
	ssize_t n = p9_encode(&r, out, sizeof(out));

	if (n > 0 && locked)
		send_locked(c, out, n, -1);
	else if (n > 0)
		conn_send(c, out, n, -1);
}

/* Unlink req from the in-flight list (q_lock held). */
static void inflight_remove(struct conn *c, struct request *req)
{
	for (struct request **pp = &c->inflight; *pp; pp = &(*pp)->inext)
		if (*pp == req) {
			*pp = req->inext;
			return;
		}
}

/*
 * Serve one request and answer it. The request leaves the in-flight list
 * with the send lock held, just before its reply goes out: the client may
 * reuse the tag as soon as it has the reply, and a Tflush that no longer
 * finds the request sends its Rflush (under the same lock) after the reply.
 */
static void serve_one(struct conn *c, struct request *req, uint8_t *out, size_t cap)
{
	struct p9_msg m;
	struct request *waiters;
	int donate = -1;
	ssize_t n;
	int err = p9_decode(req->buf, req->len, &m);

	if (err)
		n = gofer_error(req->tag, err, out, cap);
	else
		n = gofer_handle(c, &m, out, cap, &donate);

	pthread_mutex_lock(&c->send_lock);
	pthread_mutex_lock(&c->q_lock);
	inflight_remove(c, req);
	waiters = req->flush_waiters;
	c->active--;
	pthread_cond_broadcast(&c->idle_cond);
	pthread_mutex_unlock(&c->q_lock);
	if (n > 0)
		send_locked(c, out, n, donate);
	while (waiters) {
		struct request *w = waiters;

		waiters = w->next;
		send_rflush(c, w->tag, true);
		free(w);
	}
	pthread_mutex_unlock(&c->send_lock);
	if (donate >= 0)
		close(donate);
}

static void *worker_main(void *arg)
{
	struct conn *c = arg;
	uint8_t *out = malloc(GOFER_MSIZE_CAP);

	if (!out)
		fatal("gofer: out of memory for a reply buffer");
	for (;;) {
		struct request *req;

		pthread_mutex_lock(&c->q_lock);
		while (!c->queue_head && !c->shutdown)
			pthread_cond_wait(&c->q_cond, &c->q_lock);
		if (c->shutdown) {
			pthread_mutex_unlock(&c->q_lock);
			break;
		}
		req = c->queue_head;
		c->queue_head = req->next;
		if (!c->queue_tail || !c->queue_head)
			c->queue_tail = NULL;
		req->started = true;
		c->active++;
		pthread_mutex_unlock(&c->q_lock);

		serve_one(c, req, out, c->msize);
		free(req->buf);
		free(req);
	}
	free(out);
	return NULL;
}

static void reader_version(struct conn *c, struct request *req)
{
	struct p9_msg m, r = { .type = P9_RVERSION, .tag = req->tag };
	uint8_t out[128];
	ssize_t n;
	int err = p9_decode(req->buf, req->len, &m);

	if (err) {
		n = gofer_error(req->tag, err, out, sizeof(out));
		goto send;
	}
	/* A new session: earlier requests are answered first, then every fid goes. */
	pthread_mutex_lock(&c->q_lock);
	while (c->inflight)
		pthread_cond_wait(&c->idle_cond, &c->q_lock);
	pthread_mutex_unlock(&c->q_lock);
	fid_clear_all(c);

	r.rversion.msize = m.tversion.msize < GOFER_MSIZE_CAP ? m.tversion.msize : GOFER_MSIZE_CAP;
	c->versioned = false;
	c->donate = false;
	if (r.rversion.msize < P9_MSIZE_MIN) {
		r.rversion.version = p9_str_c(P9_VERSION_UNKNOWN);
	} else if (p9_str_eq(m.tversion.version, P9_VERSION_CVISOR)) {
		r.rversion.version = p9_str_c(P9_VERSION_CVISOR);
		c->versioned = true;
		c->donate = c->unix_sock;
	} else if (m.tversion.version.len >= strlen(P9_VERSION_L) &&
		   memcmp(m.tversion.version.s, P9_VERSION_L, strlen(P9_VERSION_L)) == 0) {
		r.rversion.version = p9_str_c(P9_VERSION_L);
		c->versioned = true;
	} else {
		r.rversion.version = p9_str_c(P9_VERSION_UNKNOWN);
	}
	if (c->versioned)
		c->msize = r.rversion.msize;
	n = p9_encode(&r, out, sizeof(out));
send:
	if (n > 0)
		conn_send(c, out, n, -1);
}

/* Tflush: see the top comment. Returns true if the Rflush is sent later. */
static void reader_flush(struct conn *c, struct request *req)
{
	struct p9_msg m;
	struct request *old = NULL;
	uint8_t out[64];
	int err = p9_decode(req->buf, req->len, &m);

	if (err) {
		ssize_t n = gofer_error(req->tag, err, out, sizeof(out));

		if (n > 0)
			conn_send(c, out, n, -1);
		goto done;
	}
	pthread_mutex_lock(&c->q_lock);
	for (old = c->inflight; old; old = old->inext)
		if (old->tag == m.tflush.oldtag)
			break;
	if (old && old->started) {
		free(req->buf);
		req->buf = NULL;
		req->next = old->flush_waiters;
		old->flush_waiters = req;
		pthread_mutex_unlock(&c->q_lock);
		return;
	}
	if (old) {
		/* Still queued: never answered. */
		struct request **pp;

		for (pp = &c->queue_head; *pp != old; pp = &(*pp)->next)
			;
		*pp = old->next;
		c->queue_tail = NULL;
		for (struct request *q = c->queue_head; q; q = q->next)
			c->queue_tail = q;
		inflight_remove(c, old);
		pthread_cond_broadcast(&c->idle_cond);
	}
	pthread_mutex_unlock(&c->q_lock);
	if (old) {
		free(old->buf);
		free(old);
	}
	send_rflush(c, req->tag, false);
done:
	free(req->buf);
	free(req);
}

static bool tag_in_use(struct conn *c, uint16_t tag)
{
	for (struct request *r = c->inflight; r; r = r->inext)
		if (r->tag == tag)
			return true;
	return false;
}

static void reader_loop(struct conn *c)
{
	for (;;) {
		uint8_t hdr[4];
		struct request *req;
		ssize_t size;
		int err = read_full(c->fd, hdr, sizeof(hdr));

		if (err <= 0)
			return;
		size = p9_msg_size(hdr, sizeof(hdr), c->msize);
		if (size < 0) {
			log_warn("gofer: bad message size (%s), closing the connection", strerror(-size));
			return;
		}
		req = calloc(1, sizeof(*req));
		if (req)
			req->buf = malloc(size);
		if (!req || !req->buf) {
			free(req);
			log_error("gofer: out of memory for a %zd-byte message", size);
			return;
		}
		memcpy(req->buf, hdr, sizeof(hdr));
		req->len = size;
		if (read_full(c->fd, req->buf + 4, size - 4) <= 0) {
			free(req->buf);
			free(req);
			return;
		}
		req->tag = size >= P9_HDRSZ ? (uint16_t)(req->buf[5] | req->buf[6] << 8) : P9_NOTAG;
		if (req->buf[4] == P9_TVERSION) {
			reader_version(c, req);
			free(req->buf);
			free(req);
			continue;
		}
		if (!c->versioned) {
			uint8_t out[64];
			ssize_t n = gofer_error(req->tag, EPROTO, out, sizeof(out));

			if (n > 0)
				conn_send(c, out, n, -1);
			free(req->buf);
			free(req);
			continue;
		}
		if (req->buf[4] == P9_TFLUSH) {
			reader_flush(c, req);
			continue;
		}
		pthread_mutex_lock(&c->q_lock);
		for (;;) {
			int n = 0;

			for (struct request *r = c->inflight; r; r = r->inext)
				n++;
			if (n < MAX_INFLIGHT || c->shutdown)
				break;
			pthread_cond_wait(&c->idle_cond, &c->q_lock);
		}
		if (tag_in_use(c, req->tag)) {
			pthread_mutex_unlock(&c->q_lock);
			log_warn("gofer: tag %u reused while in flight, closing the connection", req->tag);
			free(req->buf);
			free(req);
			return;
		}
		req->inext = c->inflight;
		c->inflight = req;
		if (c->queue_tail)
			c->queue_tail->next = req;
		else
			c->queue_head = req;
		c->queue_tail = req;
		pthread_cond_signal(&c->q_cond);
		pthread_mutex_unlock(&c->q_lock);
	}
}

void gofer_serve(int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct stat st;
	int nworkers = 0;

	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->msize = GOFER_MSIZE_CAP;	/* until Tversion: only framing uses it */
	if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		c->unix_sock = getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_UNIX;
	}
	pthread_mutex_init(&c->fid_lock, NULL);
	pthread_mutex_init(&c->q_lock, NULL);
	pthread_mutex_init(&c->send_lock, NULL);
	pthread_cond_init(&c->q_cond, NULL);
	pthread_cond_init(&c->idle_cond, NULL);
	for (; nworkers < GOFER_WORKERS; nworkers++)
		if (pthread_create(&c->workers[nworkers], NULL, worker_main, c))
			break;
	if (nworkers == 0)
		log_error("gofer: cannot start a worker thread");
	else
		reader_loop(c);

	pthread_mutex_lock(&c->q_lock);
	c->shutdown = true;
	pthread_cond_broadcast(&c->q_cond);
	pthread_mutex_unlock(&c->q_lock);
	for (int k = 0; k < nworkers; k++)
		pthread_join(c->workers[k], NULL);
	/* Requests never started, and flushes waiting on them. */
	while (c->inflight) {
		struct request *r = c->inflight;

		c->inflight = r->inext;
		while (r->flush_waiters) {
			struct request *w = r->flush_waiters;

			r->flush_waiters = w->next;
			free(w);
		}
		free(r->buf);
		free(r);
	}
	fid_clear_all(c);
	close(fd);
	pthread_mutex_destroy(&c->fid_lock);
	pthread_mutex_destroy(&c->q_lock);
	pthread_mutex_destroy(&c->send_lock);
	pthread_cond_destroy(&c->q_cond);
	pthread_cond_destroy(&c->idle_cond);
	free(c);
}
