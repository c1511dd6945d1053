// SPDX-License-Identifier: MIT
/*
 * The fid table of one connection: a hash of client-chosen 32-bit numbers to
 * refcounted struct fid. A request holds a reference while it uses a fid, so
 * a concurrent Tclunk only drops the table's reference and the fds are
 * closed when the last user is done.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "gofer/gofer.h"

static unsigned int bucket(uint32_t num)
{
	return (num * 2654435761u) >> 20 & (FID_BUCKETS - 1);
}

struct fid *fid_get(struct conn *c, uint32_t num)
{
	struct fid *f;

	if (num == P9_NOFID)
		return NULL;
	pthread_mutex_lock(&c->fid_lock);
	for (f = c->fids[bucket(num)]; f; f = f->next)
		if (f->num == num) {
			f->refs++;
			break;
		}
	pthread_mutex_unlock(&c->fid_lock);
	return f;
}

static void fid_free(struct fid *f)
{
	if (f->openfd >= 0)
		close(f->openfd);
	if (f->pathfd >= 0)
		close(f->pathfd);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

void fid_put(struct conn *c, struct fid *f)
{
	bool last;

	if (!f)
		return;
	pthread_mutex_lock(&c->fid_lock);
	last = --f->refs == 0;
	pthread_mutex_unlock(&c->fid_lock);
	if (last)
		fid_free(f);
}

int fid_insert(struct conn *c, uint32_t num, const struct export *exp, int pathfd, uint8_t qtype)
{
	struct fid *f, *o;
	unsigned int b = bucket(num);

	if (num == P9_NOFID) {
		close(pathfd);
		return -EBADF;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(pathfd);
		return -ENOMEM;
	}
	f->num = num;
	f->refs = 1;
	f->exp = exp;
	f->pathfd = pathfd;
	f->openfd = -1;
	f->qtype = qtype;
	pthread_mutex_init(&f->lock, NULL);
	pthread_mutex_lock(&c->fid_lock);
	for (o = c->fids[b]; o; o = o->next)
		if (o->num == num)
			break;
	if (o || c->nfids >= GOFER_MAX_FIDS) {
		pthread_mutex_unlock(&c->fid_lock);
		fid_free(f);
		return o ? -EEXIST : -ENFILE;
	}
	f->next = c->fids[b];
	c->fids[b] = f;
	c->nfids++;
	pthread_mutex_unlock(&c->fid_lock);
	return 0;
}

int fid_remove(struct conn *c, uint32_t num)
{
	struct fid **pp, *f = NULL;
	bool last = false;

	pthread_mutex_lock(&c->fid_lock);
	for (pp = &c->fids[bucket(num)]; *pp; pp = &(*pp)->next)
		if ((*pp)->num == num) {
			f = *pp;
			*pp = f->next;
			c->nfids--;
			last = --f->refs == 0;
			break;
		}
	pthread_mutex_unlock(&c->fid_lock);
	if (last)
		fid_free(f);
	return f ? 0 : -EBADF;
}

/* Tversion and the end of a connection: forget every fid. */
void fid_clear_all(struct conn *c)
{
	for (unsigned int b = 0; b < FID_BUCKETS; b++) {
		for (;;) {
			struct fid *f;
			bool last;

			pthread_mutex_lock(&c->fid_lock);
			f = c->fids[b];
			if (f) {
				c->fids[b] = f->next;
				c->nfids--;
				last = --f->refs == 0;
			}
			pthread_mutex_unlock(&c->fid_lock);
			if (!f)
				break;
			if (last)
				fid_free(f);
		}
	}
}
