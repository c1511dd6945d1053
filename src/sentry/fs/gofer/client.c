// SPDX-License-Identifier: MIT
/*
 * The 9P2000.L client (client.h): version and attach, tags, fids, and the
 * leader/follower reading of replies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "lib/util.h"
#include "sentry/fs/gofer/client.h"
#include "sentry/fs/gofer/host_sock.h"

#define P9C_NTAGS 64		/* requests in flight at most; more wait for a tag */
#define P9C_MAX_FIDS (1u << 20)
#define SMALL_MSG 1024		/* requests up to this size are encoded on the stack */

struct p9c {
	int fd;
	uint32_t msize;
	bool cvisor;
	uint32_t root_fid;
	pthread_mutex_t send_lock;	/* whole messages go out one at a time; before lock */
	pthread_mutex_t lock;
	/* protected by lock: */
	bool dead;
	bool reading;			/* a caller holds the reading role, and with it rx */
	struct p9c_call *pending[P9C_NTAGS];
	int npending;
	pthread_cond_t tag_free;	/* a slot in pending[] was released */
	uint32_t next_fid;
	uint32_t *free_fids;
	size_t nfree_fids, free_cap;
	/* owned by whoever holds the reading role: */
	uint8_t *rx;			/* msize bytes: the start of the stream not dispatched yet */
	size_t rx_len;
	int rx_fd;			/* a donated fd not handed on yet, or -1 */
	size_t rx_fd_at;		/* the offset in rx of the message it came with */
};

uint32_t p9c_root_fid(const struct p9c *c)
{
	return c->root_fid;
}

uint32_t p9c_msize(const struct p9c *c)
{
	return c->msize;
}

bool p9c_is_cvisor(const struct p9c *c)
{
	return c->cvisor;
}

/* Every pending call fails with -EIO, and so will every later one. */
static void fail_locked(struct p9c *c, const char *why)
{
	if (c->dead)
		return;
	log_warn("9p: connection lost: %s; file calls now fail with EIO", why);
	c->dead = true;
	for (int k = 0; k < P9C_NTAGS; k++) {
		struct p9c_call *call = c->pending[k];

		if (!call)
			continue;
		call->done = true;
		call->err = -EIO;
		c->pending[k] = NULL;
		pthread_cond_signal(&call->cond);
	}
	c->npending = 0;
	pthread_cond_broadcast(&c->tag_free);
	/* a caller blocked in recvmsg sees the end of the stream */
	host_sock_shutdown(c->fd);
}

void p9c_kill(struct p9c *c)
{
	pthread_mutex_lock(&c->lock);
	fail_locked(c, "closed by the Sentry");
	pthread_mutex_unlock(&c->lock);
}

bool p9c_is_dead(struct p9c *c)
{
	bool dead;

	pthread_mutex_lock(&c->lock);
	dead = c->dead;
	pthread_mutex_unlock(&c->lock);
	return dead;
}

uint32_t p9c_fid_alloc(struct p9c *c)
{
	uint32_t fid = P9_NOFID;

	pthread_mutex_lock(&c->lock);
	if (c->nfree_fids)
		fid = c->free_fids[--c->nfree_fids];
	else if (c->next_fid < P9C_MAX_FIDS)
		fid = c->next_fid++;
	pthread_mutex_unlock(&c->lock);
	return fid;
}

void p9c_fid_free(struct p9c *c, uint32_t fid)
{
	if (fid == P9_NOFID)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->nfree_fids == c->free_cap) {
		c->free_cap = c->free_cap ? 2 * c->free_cap : 64;
		c->free_fids = xrealloc(c->free_fids, c->free_cap * sizeof(uint32_t));
	}
	c->free_fids[c->nfree_fids++] = fid;
	pthread_mutex_unlock(&c->lock);
}

/* Close descriptors nobody asked for. */
static void drop_fds(const int *fds, int nfds)
{
	for (int k = 0; k < nfds; k++) {
		log_debug("9p: closing a host fd the server sent unasked");
		host_sock_close(fds[k]);
	}
}

/* The offset of the last message that starts in rx[from, rx_len), or -1. */
static ssize_t last_start_from(const struct p9c *c, size_t from)
{
	ssize_t last = -1;
	size_t off = 0;

	while (off + 4 <= c->rx_len) {
		uint32_t size = (uint32_t)c->rx[off] | (uint32_t)c->rx[off + 1] << 8 |
				(uint32_t)c->rx[off + 2] << 16 | (uint32_t)c->rx[off + 3] << 24;

		if (size < P9_HDRSZ || size > c->msize)
			break;	/* dispatch calls it malformed */
		if (off >= from)
			last = (ssize_t)off;
		off += size;
	}
	return last;
}

/*
 * Keep the fd that came with the bytes rx[from, rx_len) for its reply. A
 * cvisor server sends it on the first bytes of an Rlopen or Rlcreate, and
 * a unix stream recvmsg returns no bytes past the send that carried it: the
 * reply is the last message starting in what was just received.
 */
static void keep_donated_fd(struct p9c *c, size_t from, const int *fds, int nfds)
{
	ssize_t at;

	if (!nfds)
		return;
	drop_fds(fds + 1, nfds - 1);
	at = c->cvisor ? last_start_from(c, from) : -1;
	if (at < 0) {
		drop_fds(fds, 1);
		return;
	}
	if (c->rx_fd >= 0)
		drop_fds(&c->rx_fd, 1);
	c->rx_fd = fds[0];
	c->rx_fd_at = (size_t)at;
}

/* The message at rx offset @off goes to @call: with it the fd that came with it. */
static void hand_fd(struct p9c *c, size_t off, struct p9c_call *call)
{
	if (c->rx_fd < 0 || c->rx_fd_at != off)
		return;
	if (call->type == P9_TLOPEN || call->type == P9_TLCREATE)
		call->fd = c->rx_fd;
	else
		drop_fds(&c->rx_fd, 1);
	c->rx_fd = -1;
}

/* Hand every whole message in rx to the call waiting for its tag. Lock held. */
static void dispatch_locked(struct p9c *c)
{
	size_t off = 0;

	for (;;) {
		ssize_t size = p9_msg_size(c->rx + off, c->rx_len - off, c->msize);
		struct p9c_call *call;
		uint16_t tag;

		if (size < 0) {
			fail_locked(c, "malformed reply header");
			return;
		}
		if (size == 0 || (size_t)size > c->rx_len - off)
			break;
		tag = (uint16_t)(c->rx[off + 5] | c->rx[off + 6] << 8);
		call = tag < P9C_NTAGS ? c->pending[tag] : NULL;
		if (!call) {
			fail_locked(c, "reply with a tag nothing waits for");
			return;
		}
		if ((size_t)size > call->rcap) {
			fail_locked(c, "reply larger than the request allows");
			return;
		}
		memcpy(call->rbuf, c->rx + off, (size_t)size);
		call->rlen = (size_t)size;
		hand_fd(c, off, call);
		call->done = true;
		c->pending[tag] = NULL;
		c->npending--;
		pthread_cond_signal(&c->tag_free);
		pthread_cond_signal(&call->cond);
		off += (size_t)size;
	}
	memmove(c->rx, c->rx + off, c->rx_len - off);
	c->rx_len -= off;
	if (c->rx_fd >= 0)
		c->rx_fd_at -= off;	/* its message is not whole yet */
}

/* Take the reading role for one receive, then dispatch. Lock held (dropped while receiving). */
static void read_step_locked(struct p9c *c)
{
	int fds[HOST_SOCK_MAX_FDS], nfds;
	ssize_t n;

	c->reading = true;
	pthread_mutex_unlock(&c->lock);
	n = host_sock_recv(c->fd, c->rx + c->rx_len, c->msize - c->rx_len, fds, &nfds);
	pthread_mutex_lock(&c->lock);
	c->reading = false;
	if (c->dead || n <= 0) {
		drop_fds(fds, n < 0 ? 0 : nfds);
		if (!c->dead)
			fail_locked(c, n == 0 ? "the server closed the connection" : strerror((int)-n));
		return;
	}
	c->rx_len += (size_t)n;
	keep_donated_fd(c, c->rx_len - (size_t)n, fds, nfds);
	dispatch_locked(c);
}

/* The reader leaves: wake one caller still waiting, to read next. Lock held. */
static void hand_off_locked(struct p9c *c)
{
	for (int k = 0; k < P9C_NTAGS; k++) {
		struct p9c_call *call = c->pending[k];

		if (call && call->waiting) {
			pthread_cond_signal(&call->cond);
			return;
		}
	}
	/* callers still sending will read when they come to wait */
}

static int claim_tag_locked(struct p9c *c, struct p9c_call *call)
{
	while (!c->dead && c->npending == P9C_NTAGS)
		pthread_cond_wait(&c->tag_free, &c->lock);
	if (c->dead)
		return -EIO;
	for (int k = 0; k < P9C_NTAGS; k++) {
		if (!c->pending[k]) {
			c->pending[k] = call;
			c->npending++;
			call->tag = (uint16_t)k;
			return 0;
		}
	}
	return -EIO;	/* not reached: npending counts the slots */
}

int p9c_start(struct p9c *c, struct p9c_call *call, const struct p9_msg *req, void *rbuf, size_t rcap)
{
	uint8_t small[SMALL_MSG], *buf = small;
	ssize_t len = p9_encode(req, small, sizeof(small));
	int err;

	if (len == -EMSGSIZE) {
		buf = xmalloc(c->msize);
		len = p9_encode(req, buf, c->msize);
	}
	if (len < 0) {
		err = (int)len;
		goto out;
	}
	call->type = req->type;
	call->fd = -1;
	call->done = call->waiting = false;
	call->err = 0;
	call->rbuf = rbuf;
	call->rcap = rcap;
	call->rlen = 0;
	pthread_cond_init(&call->cond, NULL);
	pthread_mutex_lock(&c->lock);
	err = claim_tag_locked(c, call);
	pthread_mutex_unlock(&c->lock);
	if (err) {
		pthread_cond_destroy(&call->cond);
		goto out;
	}
	buf[5] = (uint8_t)call->tag;
	buf[6] = (uint8_t)(call->tag >> 8);
	pthread_mutex_lock(&c->send_lock);
	err = host_sock_send_all(c->fd, buf, (size_t)len);
	pthread_mutex_unlock(&c->send_lock);
	if (err) {
		/* part of a message may have gone out: the stream is lost */
		pthread_mutex_lock(&c->lock);
		fail_locked(c, strerror(-err));
		pthread_mutex_unlock(&c->lock);
		pthread_cond_destroy(&call->cond);
		err = -EIO;
	}
out:
	if (buf != small)
		free(buf);
	return err;
}

/* Check a reply against its request; a reply that makes no sense kills the connection. */
static int judge_reply(struct p9c *c, struct p9c_call *call, struct p9_msg *reply)
{
	int err = p9_decode(call->rbuf, call->rlen, reply);

	if (err) {
		log_warn("9p: undecodable reply to %s: %s", p9_type_name(call->type), strerror(-err));
		p9c_kill(c);
		return -EIO;
	}
	if (reply->type == P9_RLERROR) {
		uint32_t e = reply->rlerror.ecode;

		return e > 0 && e <= MAX_ERRNO ? -(int)e : -EIO;
	}
	if (reply->type != call->type + 1) {
		log_warn("9p: %s answered with %s", p9_type_name(call->type), p9_type_name(reply->type));
		p9c_kill(c);
		return -EIO;
	}
	return 0;
}

int p9c_finish(struct p9c *c, struct p9c_call *call, struct p9_msg *reply)
{
	int err;

	pthread_mutex_lock(&c->lock);
	call->waiting = true;
	while (!call->done) {
		if (!c->reading)
			read_step_locked(c);
		else
			pthread_cond_wait(&call->cond, &c->lock);
	}
	call->waiting = false;
	if (!c->reading && c->npending)
		hand_off_locked(c);
	err = call->err;
	pthread_mutex_unlock(&c->lock);
	pthread_cond_destroy(&call->cond);
	if (!err)
		err = judge_reply(c, call, reply);
	if (err && call->fd >= 0) {
		drop_fds(&call->fd, 1);
		call->fd = -1;
	}
	return err;
}

int p9c_rpc_fd(struct p9c *c, const struct p9_msg *req, struct p9_msg *reply, void *rbuf, size_t rcap, int *fd)
{
	struct p9c_call call;
	int err = p9c_start(c, &call, req, rbuf, rcap);

	*fd = -1;
	if (err)
		return err;
	err = p9c_finish(c, &call, reply);
	*fd = call.fd;
	return err;
}

int p9c_rpc(struct p9c *c, const struct p9_msg *req, struct p9_msg *reply, void *rbuf, size_t rcap)
{
	int fd, err = p9c_rpc_fd(c, req, reply, rbuf, rcap, &fd);

	if (fd >= 0)
		drop_fds(&fd, 1);
	return err;
}

int p9c_walk(struct p9c *c, uint32_t fid, uint32_t newfid, uint16_t nwname, const char *const *names)
{
	struct p9_msg req = { .type = P9_TWALK }, reply;
	uint8_t rbuf[P9_HDRSZ + 2 + P9_MAXWELEM * P9_QIDSZ];
	int err;

	if (nwname > P9_MAXWELEM)
		return -EINVAL;
	req.twalk.fid = fid;
	req.twalk.newfid = newfid;
	req.twalk.nwname = nwname;
	for (uint16_t k = 0; k < nwname; k++)
		req.twalk.wname[k] = p9_str_c(names[k]);
	err = p9c_rpc(c, &req, &reply, rbuf, sizeof(rbuf));
	if (err)
		return err;
	if (reply.rwalk.nwqid > nwname) {
		p9c_kill(c);
		return -EIO;
	}
	/* a walk that stops early creates no newfid */
	return reply.rwalk.nwqid < nwname ? -ENOENT : 0;
}

void p9c_clunk(struct p9c *c, uint32_t fid)
{
	struct p9_msg req = { .type = P9_TCLUNK }, reply;
	uint8_t rbuf[64];
	int err;

	req.tclunk.fid = fid;
	err = p9c_rpc(c, &req, &reply, rbuf, sizeof(rbuf));
	if (err && err != -EIO)
		log_warn("9p: clunk of fid %u: %s", fid, strerror(-err));
	p9c_fid_free(c, fid);
}

/* Tversion, before any other message and with no tag: one exchange, read by hand. 1: try a plainer version. */
static int version_exchange(struct p9c *c, const char *version)
{
	struct p9_msg req = { .type = P9_TVERSION, .tag = P9_NOTAG }, reply;
	uint8_t buf[256];
	int fds[HOST_SOCK_MAX_FDS], nfds, err;
	ssize_t len, size = 0;

	req.tversion.msize = P9_MSIZE_DEFAULT;
	req.tversion.version = p9_str_c(version);
	len = p9_encode(&req, buf, sizeof(buf));
	if (len < 0)
		return (int)len;
	err = host_sock_send_all(c->fd, buf, (size_t)len);
	if (err)
		return err;
	c->rx_len = 0;
	while (size == 0 || (size_t)size > c->rx_len) {
		ssize_t n = host_sock_recv(c->fd, c->rx + c->rx_len, P9_MSIZE_DEFAULT - c->rx_len, fds, &nfds);

		drop_fds(fds, nfds);
		if (n <= 0)
			return n == 0 ? -EIO : (int)n;
		c->rx_len += (size_t)n;
		size = p9_msg_size(c->rx, c->rx_len, P9_MSIZE_DEFAULT);
		if (size < 0)
			return -EIO;
	}
	/* nothing may follow: we sent nothing else */
	if ((size_t)size != c->rx_len || p9_decode(c->rx, (size_t)size, &reply) || reply.tag != P9_NOTAG)
		return -EIO;
	c->rx_len = 0;
	/* diod answers an unknown version with Rlerror, the spec with "unknown" */
	if (reply.type == P9_RLERROR)
		return 1;
	if (reply.type != P9_RVERSION)
		return -EIO;
	if (p9_str_eq(reply.rversion.version, P9_VERSION_CVISOR))
		c->cvisor = true;
	else if (p9_str_eq(reply.rversion.version, P9_VERSION_UNKNOWN))
		return 1;
	else if (!p9_str_eq(reply.rversion.version, P9_VERSION_L))
		return -EPROTONOSUPPORT;
	if (reply.rversion.msize < P9_MSIZE_MIN || reply.rversion.msize > P9_MSIZE_DEFAULT)
		return -EIO;
	c->msize = reply.rversion.msize;
	return 0;
}

/* Offer our extension first, then plain 9P2000.L (a new Tversion starts the session over). */
static int negotiate(struct p9c *c)
{
	int r = version_exchange(c, P9_VERSION_CVISOR);

	if (r == 1)
		r = version_exchange(c, P9_VERSION_L);
	return r == 1 ? -EPROTONOSUPPORT : r;
}

int p9c_attach(struct p9c *c, const char *uname, uint32_t n_uname, const char *aname, uint32_t *fid)
{
	struct p9_msg req = { .type = P9_TATTACH }, reply;
	uint8_t rbuf[64];
	int err;

	*fid = p9c_fid_alloc(c);
	if (*fid == P9_NOFID)
		return -ENFILE;
	req.tattach.fid = *fid;
	req.tattach.afid = P9_NOFID;
	req.tattach.uname = p9_str_c(uname);
	req.tattach.aname = p9_str_c(aname);
	req.tattach.n_uname = n_uname;
	err = p9c_rpc(c, &req, &reply, rbuf, sizeof(rbuf));
	if (!err && !(reply.rattach.qid.type & P9_QTDIR)) {
		log_error("9p: the attached root is not a directory");
		p9c_clunk(c, *fid);
		return -ENOTDIR;
	}
	if (err)
		p9c_fid_free(c, *fid);
	return err;
}

static int attach(struct p9c *c, const char *uname, uint32_t n_uname, const char *aname)
{
	return p9c_attach(c, uname, n_uname, aname, &c->root_fid);
}

void p9c_close(struct p9c *c)
{
	host_sock_close(c->fd);
	if (c->rx_fd >= 0)
		host_sock_close(c->rx_fd);
	pthread_cond_destroy(&c->tag_free);
	pthread_mutex_destroy(&c->send_lock);
	pthread_mutex_destroy(&c->lock);
	free(c->rx);
	free(c->free_fids);
	free(c);
}

struct p9c *p9c_connect(int fd, const char *uname, uint32_t n_uname, const char *aname)
{
	struct p9c *c = xzalloc(sizeof(*c));
	int err;

	c->fd = fd;
	c->rx_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->send_lock, NULL);
	pthread_cond_init(&c->tag_free, NULL);
	c->rx = xmalloc(P9_MSIZE_DEFAULT);
	err = negotiate(c);
	if (err) {
		log_error("9p: version negotiation failed: %s", strerror(-err));
		goto fail;
	}
	err = attach(c, uname, n_uname, aname);
	if (err) {
		log_error("9p: attach to '%s' failed: %s", aname, strerror(-err));
		goto fail;
	}
	log_info("9p: connected (%s, msize %u)", c->cvisor ? P9_VERSION_CVISOR : P9_VERSION_L, c->msize);
	return c;
fail:
	host_sock_close(fd);
	free(c->rx);
	free(c->free_fids);
	free(c);
	return err_ptr(err);
}
