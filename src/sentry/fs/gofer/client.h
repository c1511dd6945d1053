/* SPDX-License-Identifier: MIT */
/*
 * The Sentry's 9P2000.L client: one connection to the Gofer (or any
 * 9P2000.L server, such as diod) over a connected stream socket.
 *
 * Several task threads may have requests in flight at once (one tag each).
 * There is no receiver thread: a caller waiting for its reply reads the
 * socket itself when nobody else does ("leader/follower"), hands other
 * callers their replies, and passes the reading role on when its own reply
 * came. A lone caller so costs one send and one receive, no thread switch.
 *
 * Locking: the client has its own mutex (and a send mutex, taken first);
 * it never takes the kernel lock and its callers must not hold it: every
 * call here may block for a round trip. Lock order: kernel lock (never held
 * here), p9c.send_lock, p9c.lock.
 *
 * A dead server (end of stream, a socket error, a malformed or unexpected
 * reply) fails every pending and every later call with -EIO at once.
 */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "p9/p9.h"

struct p9c;

/*
 * p9c_connect - negotiate the version on @fd (offering P9_VERSION_CVISOR,
 * accepting it or plain 9P2000.L) and attach to @aname as @uname/@n_uname.
 * Takes ownership of @fd (closed on failure). Returns the client, or
 * err_ptr(-errno): -EPROTONOSUPPORT for a server without 9P2000.L, -EIO
 * for a broken exchange, or the server's Rlerror for the attach. Blocks.
 */
struct p9c *p9c_connect(int fd, const char *uname, uint32_t n_uname, const char *aname);

/*
 * Attach once more on the same connection (a volume of the Gofer: aname is
 * its guest path): the new root fid in *fid. 0, or -errno (-ENOTDIR when
 * the root is not a directory). Blocks.
 */
int p9c_attach(struct p9c *c, const char *uname, uint32_t n_uname, const char *aname, uint32_t *fid);

/* The fid of the attached root (never clunk it). */
uint32_t p9c_root_fid(const struct p9c *c);
/* Negotiated msize: no message either way is larger. */
uint32_t p9c_msize(const struct p9c *c);
/* The server speaks our extension (it may donate host fds). */
bool p9c_is_cvisor(const struct p9c *c);

/* A fid number not in use on this connection (freed with p9c_fid_free()); P9_NOFID when none is left. */
uint32_t p9c_fid_alloc(struct p9c *c);
void p9c_fid_free(struct p9c *c, uint32_t fid);

/*
 * p9c_rpc - send @req (its tag is chosen here) and wait for the reply,
 * decoded into @reply; strings and payloads in @reply point into @rbuf
 * (@rcap bytes, enough for the largest reply @req can get: a reply that
 * does not fit is a protocol error). Returns 0; the negated errno of an
 * Rlerror; -EIO when the connection is or becomes dead (or the reply is
 * malformed or of the wrong type, which kills it); -EMSGSIZE if @req does
 * not fit in msize. Blocks; not interruptible (the server answers or dies).
 */
int p9c_rpc(struct p9c *c, const struct p9_msg *req, struct p9_msg *reply, void *rbuf, size_t rcap);

/*
 * p9c_rpc, and the host fd a cvisor server donated with a successful
 * Rlopen or Rlcreate in *fd (the caller's to close), else -1. Any other
 * call drops donated fds: only these replies may carry one.
 */
int p9c_rpc_fd(struct p9c *c, const struct p9_msg *req, struct p9_msg *reply, void *rbuf, size_t rcap, int *fd);

/*
 * Split form of p9c_rpc, to keep several requests in flight from one
 * thread: p9c_start() sends (0 or -errno; then no p9c_finish()), and
 * p9c_finish() waits for that reply with p9c_rpc's result. @call is the
 * caller's storage until p9c_finish() returns.
 */
struct p9c_call {
	/* private to the client */
	uint16_t tag;
	uint8_t type;			/* of the request */
	int fd;				/* donated with the reply (p9c_rpc_fd), or -1 */
	bool done, waiting;
	int err;
	void *rbuf;
	size_t rcap, rlen;
	pthread_cond_t cond;
};
int p9c_start(struct p9c *c, struct p9c_call *call, const struct p9_msg *req, void *rbuf, size_t rcap);
/* p9c_finish leaves a donated fd in call->fd (a successful Rlopen/Rlcreate only): the caller's to close. */
int p9c_finish(struct p9c *c, struct p9c_call *call, struct p9_msg *reply);

/* Walk/clunk helpers used by the filesystems above. */
/* Clone @fid (or walk it by @nwname names) into @newfid; -ENOENT if a name is missing. */
int p9c_walk(struct p9c *c, uint32_t fid, uint32_t newfid, uint16_t nwname, const char *const *names);
/* Clunk and free @fid; errors are only logged (the fid is gone either way). */
void p9c_clunk(struct p9c *c, uint32_t fid);

/* Close the socket and free @c; no call may be in flight or come later. */
void p9c_close(struct p9c *c);

/* Mark the connection dead (as if the server died): every call fails with -EIO. */
void p9c_kill(struct p9c *c);
bool p9c_is_dead(struct p9c *c);
