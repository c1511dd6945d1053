/* SPDX-License-Identifier: MIT */
/*
 * cvisor gofer: the file server of one container, speaking 9P2000.L over a
 * stream socket. It is the only cvisor process that opens container files.
 * docs/gofer.md explains the resolution rules; in short, every fid holds an
 * O_PATH|O_NOFOLLOW fd, walks go one checked component at a time from fds
 * the gofer holds, and nothing the client sends is used as a path.
 */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "p9/p9.h"

struct global_opts;
int cmd_gofer(int argc, char **argv, const struct global_opts *g);

#define GOFER_MAX_EXPORTS	64
#define GOFER_MAX_FIDS		65536	/* per connection; more gets ENFILE */
#define GOFER_WORKERS		4	/* per connection */
#define GOFER_MSIZE_CAP		(1024u * 1024)	/* the largest msize we agree to */

/* One exported tree: the root (guest "/") or a volume. */
struct export {
	char guest[4096];	/* "/" for the root, else the volume's guest path */
	int rootfd;		/* O_PATH|O_DIRECTORY, opened at start and held */
	bool ro;
};

struct gofer {
	struct export exports[GOFER_MAX_EXPORTS];
	int nexports;
	int procfd;		/* /proc/self/fd, opened at start (reopen of O_PATH fds) */
};

extern struct gofer g_gofer;

/* A fid: what the client names with a 32-bit number. */
struct fid {
	uint32_t num;
	int refs;			/* table's + one per request using it (conn->fid_lock) */
	struct fid *next;		/* hash chain */
	const struct export *exp;
	pthread_mutex_t lock;		/* open state, directory position */
	int pathfd;			/* O_PATH|O_NOFOLLOW, or a dup of openfd after create */
	int openfd;			/* -1 until Tlopen/Tlcreate */
	int openflags;
	uint8_t qtype;			/* P9_QT* of the file */
};

#define FID_BUCKETS 4096

struct request {
	struct request *next;		/* queue, or a flush-waiter list */
	struct request *inext;		/* conn->inflight */
	uint16_t tag;
	bool started;			/* a worker took it */
	struct request *flush_waiters;	/* Tflush requests answered after this one */
	uint8_t *buf;
	size_t len;
};

struct conn {
	int fd;
	bool unix_sock;			/* SCM_RIGHTS possible */
	uint32_t msize;
	bool versioned;
	bool donate;			/* negotiated 9P2000.L.cvisor */

	pthread_mutex_t fid_lock;
	struct fid *fids[FID_BUCKETS];
	int nfids;

	pthread_mutex_t q_lock;		/* queue, in-flight list, shutdown */
	pthread_cond_t q_cond;		/* work queued or shutdown */
	pthread_cond_t idle_cond;	/* a request finished */
	struct request *queue_head, *queue_tail;
	struct request *inflight;	/* every request not yet answered, queued or started */
	int active;			/* requests in workers */
	bool shutdown;

	pthread_mutex_t send_lock;
	bool dead;			/* a send failed: stop */
	pthread_t workers[GOFER_WORKERS];
};

/* conn.c */
/* Serve one connection until it closes; closes fd. */
void gofer_serve(int fd);
int conn_send(struct conn *c, const void *buf, size_t len, int donate_fd);

/* fid.c */
struct fid *fid_get(struct conn *c, uint32_t num);
void fid_put(struct conn *c, struct fid *f);
/* Insert a new fid (takes over pathfd); -EEXIST if num is in use, -ENFILE at the bound. */
int fid_insert(struct conn *c, uint32_t num, const struct export *exp, int pathfd, uint8_t qtype);
/* Drop num from the table; -EBADF if absent. */
int fid_remove(struct conn *c, uint32_t num);
void fid_clear_all(struct conn *c);

/* ops.c */
/* Handle one decoded request; write the reply into out (cap bytes); returns
 * its length. *donate_fd gets an fd to send along (the caller closes it) or -1. */
ssize_t gofer_handle(struct conn *c, const struct p9_msg *req, uint8_t *out, size_t cap, int *donate_fd);
ssize_t gofer_error(uint16_t tag, int err, uint8_t *out, size_t cap);
