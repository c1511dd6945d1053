// SPDX-License-Identifier: MIT
/*
 * The lower layer (fs/lower.h) over 9P2000.L: the Gofer, or any server such
 * as diod. Every path is walked from the attached root, one Twalk per 16
 * components, so the server resolves each name itself; nothing here opens
 * a host path. Listing a directory asks for the attributes of its entries
 * in batches (several requests in flight), walk then getattr then clunk.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "lib/util.h"
#include "sentry/fs/gofer/client.h"
#include "sentry/fs/gofer/host_file.h"
#include "sentry/fs/gofer/volume.h"
#include "sentry/fs/lower.h"

#define LIST_BATCH 32			/* entries whose attributes are asked at once */
#define LIST_MAX_ENTRIES (1u << 20)	/* a directory longer than this is the server's error */
#define SMALL_REPLY 256			/* Rwalk, Rgetattr, Rclunk, Rlopen all fit */

static struct p9c *g_p9c;

#define READ_WINDOW_BYTES (2u << 20)	/* Treads kept in flight by one read: up to this many bytes */
#define READ_WINDOW_MAX 16

struct lower_file {
	uint32_t fid;
	int hostfd;		/* donated by the Gofer: reads are preads, no round trip; or -1 */
	uint32_t max_read;	/* bytes one Tread may ask for */
	unsigned window;	/* Treads one read keeps in flight */
	uint8_t *rbuf;		/* window * msize bytes, for the Rreads; taken by one read at a time */
};

/* The file's read buffer, or a new one while another read (another task) has it. */
static uint8_t *take_rbuf(struct lower_file *f)
{
	uint8_t *b = __atomic_exchange_n(&f->rbuf, NULL, __ATOMIC_ACQUIRE);

	return b ? b : xmalloc((size_t)f->window * p9c_msize(g_p9c));
}

static void give_rbuf(struct lower_file *f, uint8_t *b)
{
	uint8_t *none = NULL;

	if (!__atomic_compare_exchange_n(&f->rbuf, &none, b, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		free(b);
}

static unsigned read_window(uint32_t max_read)
{
	unsigned w = READ_WINDOW_BYTES / max_read;

	return w < 1 ? 1 : w > READ_WINDOW_MAX ? READ_WINDOW_MAX : w;
}

/* Walk from the root to @rel into a new fid (*out). -ENOENT if some component is missing. */
static int walk_rel(const char *rel, uint32_t *out)
{
	uint32_t fid = p9c_fid_alloc(g_p9c), from = p9c_root_fid(g_p9c);
	char *copy = xstrdup(rel), *save = NULL, *tok;
	const char *names[P9_MAXWELEM];
	bool exists = false;
	int err = 0;

	if (fid == P9_NOFID) {
		free(copy);
		return -ENFILE;
	}
	tok = strtok_r(copy, "/", &save);
	do {
		uint16_t n = 0;

		while (tok && n < P9_MAXWELEM) {
			names[n++] = tok;
			tok = strtok_r(NULL, "/", &save);
		}
		err = p9c_walk(g_p9c, from, fid, n, names);
		if (err)
			break;
		from = fid;
		exists = true;
	} while (tok);
	free(copy);
	if (err) {
		/* a failed first walk made no fid; a later one leaves it where it stopped */
		if (exists)
			p9c_clunk(g_p9c, fid);
		else
			p9c_fid_free(g_p9c, fid);
		return err;
	}
	*out = fid;
	return 0;
}

static void attr_from_reply(const struct p9_msg *r, struct lower_attr *a)
{
	a->ino = r->rgetattr.qid.path;
	a->mode = r->rgetattr.mode;
	a->uid = r->rgetattr.uid;
	a->gid = r->rgetattr.gid;
	a->nlink = r->rgetattr.nlink;
	a->size = r->rgetattr.size;
	a->rdev = r->rgetattr.rdev;
	a->atime = (struct linux_timespec){ (int64_t)r->rgetattr.atime_sec, (int64_t)r->rgetattr.atime_nsec };
	a->mtime = (struct linux_timespec){ (int64_t)r->rgetattr.mtime_sec, (int64_t)r->rgetattr.mtime_nsec };
	a->ctime = (struct linux_timespec){ (int64_t)r->rgetattr.ctime_sec, (int64_t)r->rgetattr.ctime_nsec };
}

static void getattr_req(struct p9_msg *req, uint32_t fid)
{
	*req = (struct p9_msg){ .type = P9_TGETATTR };
	req->tgetattr.fid = fid;
	req->tgetattr.request_mask = P9_GETATTR_BASIC;
}

static int getattr_fid(uint32_t fid, struct lower_attr *a)
{
	struct p9_msg req, reply;
	uint8_t rbuf[SMALL_REPLY];
	int err;

	getattr_req(&req, fid);
	err = p9c_rpc(g_p9c, &req, &reply, rbuf, sizeof(rbuf));
	if (!err)
		attr_from_reply(&reply, a);
	return err;
}

static int gofer_stat(const char *rel, struct lower_attr *a)
{
	uint32_t fid;
	int err = walk_rel(rel, &fid);

	if (err)
		return err;
	err = getattr_fid(fid, a);
	p9c_clunk(g_p9c, fid);
	return err;
}

/* Tlopen @fid; *hostfd (optional) gets the fd a cvisor Gofer donated with the reply, or -1. */
static int lopen_fid(uint32_t fid, uint32_t flags, uint32_t *iounit, int *hostfd)
{
	struct p9_msg req = { .type = P9_TLOPEN }, reply;
	uint8_t rbuf[SMALL_REPLY];
	int err, fd;

	req.tlopen.fid = fid;
	req.tlopen.flags = flags;
	err = p9c_rpc_fd(g_p9c, &req, &reply, rbuf, sizeof(rbuf), &fd);
	if (!err && iounit)
		*iounit = reply.rlopen.iounit;
	if (hostfd)
		*hostfd = fd;
	else if (fd >= 0)
		host_file_close(fd);
	return err;
}

struct name_list {
	char **names;
	size_t count, cap;
};

static void names_add(struct name_list *l, struct p9_str name)
{
	if (l->count == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->names = xrealloc(l->names, l->cap * sizeof(char *));
	}
	l->names[l->count] = xmalloc((size_t)name.len + 1);
	p9_str_copy(name, l->names[l->count], (size_t)name.len + 1);
	l->count++;
}

/* The names in the Rreaddir payload; *next the offset to go on from. 0, or -EIO if malformed. */
static int parse_dirents(const void *data, size_t left, struct name_list *l, uint64_t *next)
{
	struct p9_dirent d;
	int r;

	while ((r = p9_dirent_next(&data, &left, &d)) == 1) {
		*next = d.offset;
		if (p9_str_eq(d.name, ".") || p9_str_eq(d.name, ".."))
			continue;
		if (!p9_name_ok(d.name) || d.name.len > 255) {
			log_warn("9p: skipping a directory entry that is not a file name");
			continue;
		}
		if (l->count >= LIST_MAX_ENTRIES)
			return -EIO;
		names_add(l, d.name);
	}
	return r < 0 ? -EIO : 0;
}

/* All names in the directory at @dirfid (which stays unopened: an opened fid cannot be walked). */
static int read_names(uint32_t dirfid, struct name_list *l)
{
	uint32_t msize = p9c_msize(g_p9c), ofid = p9c_fid_alloc(g_p9c);
	uint8_t *rbuf;
	uint64_t offset = 0;
	size_t rounds = 0;
	int err;

	if (ofid == P9_NOFID)
		return -ENFILE;
	err = p9c_walk(g_p9c, dirfid, ofid, 0, NULL);
	if (err) {
		p9c_fid_free(g_p9c, ofid);
		return err;
	}
	err = lopen_fid(ofid, O_RDONLY | O_DIRECTORY, NULL, NULL);
	rbuf = xmalloc(msize);
	while (!err) {
		struct p9_msg req = { .type = P9_TREADDIR }, reply;

		req.treaddir.fid = ofid;
		req.treaddir.offset = offset;
		req.treaddir.count = msize - P9_IOHDRSZ;	/* as Linux; diod refuses more */
		err = p9c_rpc(g_p9c, &req, &reply, rbuf, msize);
		if (err || reply.rreaddir.count == 0)
			break;
		if (++rounds > LIST_MAX_ENTRIES) {
			err = -EIO;	/* a server that never ends the listing */
			break;
		}
		err = parse_dirents(reply.rreaddir.data, reply.rreaddir.count, l, &offset);
	}
	free(rbuf);
	p9c_clunk(g_p9c, ofid);
	return err;
}

/* One batch of entries: walk each, then getattr each, then clunk each, all in flight together. */
struct batch {
	struct p9c_call call[LIST_BATCH];
	uint32_t fid[LIST_BATCH];
	bool started[LIST_BATCH];
	int err[LIST_BATCH];
	uint8_t rbuf[LIST_BATCH][SMALL_REPLY];
};

/* Start request @req for every slot still without an error; then collect. */
static void batch_round(struct batch *b, size_t n, void (*make)(struct p9_msg *req, struct batch *b, size_t k, void *arg),
			void *arg, void (*take)(const struct p9_msg *reply, struct batch *b, size_t k, void *arg))
{
	for (size_t k = 0; k < n; k++) {
		struct p9_msg req;

		b->started[k] = false;
		if (b->err[k])
			continue;
		make(&req, b, k, arg);
		b->err[k] = p9c_start(g_p9c, &b->call[k], &req, b->rbuf[k], SMALL_REPLY);
		b->started[k] = !b->err[k];
	}
	for (size_t k = 0; k < n; k++) {
		struct p9_msg reply;

		if (!b->started[k])
			continue;
		b->err[k] = p9c_finish(g_p9c, &b->call[k], &reply);
		if (!b->err[k] && take)
			take(&reply, b, k, arg);
	}
}

struct list_ctx {
	uint32_t dirfid;
	char **names;
	struct lower_dirent *out;
};

static void make_walk(struct p9_msg *req, struct batch *b, size_t k, void *arg)
{
	struct list_ctx *lc = arg;

	*req = (struct p9_msg){ .type = P9_TWALK };
	req->twalk.fid = lc->dirfid;
	req->twalk.newfid = b->fid[k];
	req->twalk.nwname = 1;
	req->twalk.wname[0] = p9_str_c(lc->names[k]);
}

static void take_walk(const struct p9_msg *reply, struct batch *b, size_t k, void *arg)
{
	(void)arg;
	if (reply->rwalk.nwqid != 1)
		b->err[k] = -ENOENT;
}

static void make_getattr(struct p9_msg *req, struct batch *b, size_t k, void *arg)
{
	(void)arg;
	getattr_req(req, b->fid[k]);
}

static void take_getattr(const struct p9_msg *reply, struct batch *b, size_t k, void *arg)
{
	struct list_ctx *lc = arg;

	(void)b;
	attr_from_reply(reply, &lc->out[k].attr);
}

static void make_clunk(struct p9_msg *req, struct batch *b, size_t k, void *arg)
{
	(void)arg;
	*req = (struct p9_msg){ .type = P9_TCLUNK };
	req->tclunk.fid = b->fid[k];
}

/* Attributes of @n names (at most LIST_BATCH) into @out; entries that vanished get a NULL name. */
static int stat_batch(uint32_t dirfid, char **names, size_t n, struct lower_dirent *out, struct batch *b)
{
	struct list_ctx lc = { dirfid, names, out };
	bool walked[LIST_BATCH];
	int err = 0;

	for (size_t k = 0; k < n; k++) {
		b->fid[k] = p9c_fid_alloc(g_p9c);
		b->err[k] = b->fid[k] == P9_NOFID ? -ENFILE : 0;
	}
	batch_round(b, n, make_walk, &lc, take_walk);
	for (size_t k = 0; k < n; k++)
		walked[k] = !b->err[k];
	batch_round(b, n, make_getattr, &lc, take_getattr);
	for (size_t k = 0; k < n; k++) {
		/*
		 * Gone between readdir and walk, or not ours to see: leave it
		 * out (as the host lower did); a lost server fails the listing.
		 */
		if (b->err[k] == -EIO)
			err = -EIO;
		out[k].name = b->err[k] ? NULL : names[k];
		b->err[k] = walked[k] ? 0 : -ENOENT;
	}
	batch_round(b, n, make_clunk, &lc, NULL);
	for (size_t k = 0; k < n; k++)
		p9c_fid_free(g_p9c, b->fid[k]);
	return err;
}

static int gofer_list(const char *rel, struct lower_dirent **out, size_t *count)
{
	struct name_list l = { 0 };
	struct lower_dirent *ents;
	struct batch *b;
	uint32_t dirfid;
	size_t n = 0;
	int err = walk_rel(rel, &dirfid);

	if (err)
		return err;
	err = read_names(dirfid, &l);
	ents = xzalloc((l.count ? l.count : 1) * sizeof(*ents));
	b = xmalloc(sizeof(*b));
	for (size_t k = 0; !err && k < l.count; k += LIST_BATCH)
		err = stat_batch(dirfid, l.names + k, MIN((size_t)LIST_BATCH, l.count - k), ents + k, b);
	free(b);
	p9c_clunk(g_p9c, dirfid);
	/* keep the entries that are there; names not handed on are freed */
	for (size_t k = 0; k < l.count; k++) {
		if (!err && ents[k].name) {
			ents[n++] = ents[k];
			continue;
		}
		free(l.names[k]);
	}
	free(l.names);
	if (err) {
		free(ents);
		return err;
	}
	*out = ents;
	*count = n;
	return 0;
}

static int gofer_open(const char *rel, struct lower_file **out)
{
	uint32_t msize = p9c_msize(g_p9c), fid, iounit = 0;
	struct lower_file *f;
	int hostfd, err = walk_rel(rel, &fid);

	if (err)
		return err;
	err = lopen_fid(fid, O_RDONLY, &iounit, &hostfd);
	if (err) {
		p9c_clunk(g_p9c, fid);
		return err;
	}
	f = xzalloc(sizeof(*f));
	f->fid = fid;
	f->hostfd = hostfd;
	if (hostfd >= 0) {
		*out = f;	/* no Treads: no read buffers */
		return 0;
	}
	f->max_read = msize - P9_IOHDRSZ;
	if (iounit && iounit < f->max_read)
		f->max_read = iounit;
	f->window = read_window(f->max_read);
	f->rbuf = xmalloc((size_t)f->window * msize);
	*out = f;
	return 0;
}

/* A donated file: preads until @len bytes or the end of the file. */
static ssize_t pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = host_file_pread(fd, (char *)buf + done, len - done, off + done);

		if (n < 0)
			return done ? (ssize_t)done : n;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/*
 * Up to window Treads in flight, one after the other in the file; the bytes
 * up to the first short one count (a short read is the end of the file).
 */
static ssize_t gofer_read(struct lower_file *f, void *buf, size_t len, uint64_t off)
{
	uint32_t msize = p9c_msize(g_p9c);
	struct p9c_call call[READ_WINDOW_MAX];
	uint32_t asked[READ_WINDOW_MAX];
	unsigned n = 0, k;
	uint8_t *rbuf;
	ssize_t done = 0;
	bool short_read = false;
	int err = 0;

	if (f->hostfd >= 0)
		return pread_all(f->hostfd, buf, len, off);
	rbuf = take_rbuf(f);
	for (size_t at = 0; n < f->window && at < len; n++) {
		struct p9_msg req = { .type = P9_TREAD };

		asked[n] = (uint32_t)MIN(len - at, (size_t)f->max_read);
		req.tread.fid = f->fid;
		req.tread.offset = off + at;
		req.tread.count = asked[n];
		err = p9c_start(g_p9c, &call[n], &req, rbuf + (size_t)n * msize, msize);
		if (err)
			break;
		at += asked[n];
	}
	for (k = 0; k < n; k++) {
		struct p9_msg reply;
		int e = p9c_finish(g_p9c, &call[k], &reply);

		if (!e && reply.rread.count > asked[k]) {
			log_warn("9p: Rread of %u bytes for %u asked", reply.rread.count, asked[k]);
			p9c_kill(g_p9c);
			e = -EIO;
		}
		if (e && !err)
			err = e;
		if (e || short_read || err)
			continue;
		memcpy((char *)buf + done, reply.rread.data, reply.rread.count);
		done += reply.rread.count;
		short_read = reply.rread.count < asked[k];
	}
	give_rbuf(f, rbuf);
	/* bytes before an error are still good, but the caller wants the error */
	return err ? err : done;
}

static bool gofer_direct(struct lower_file *f)
{
	return f->hostfd >= 0;
}

static void gofer_close(struct lower_file *f)
{
	if (f->hostfd >= 0)
		host_file_close(f->hostfd);
	p9c_clunk(g_p9c, f->fid);
	free(f->rbuf);
	free(f);
}

static int gofer_readlink(const char *rel, char *buf, size_t size)
{
	struct p9_msg req = { .type = P9_TREADLINK }, reply;
	size_t rcap = P9_HDRSZ + 2 + 65535;
	uint8_t *rbuf;
	uint32_t fid;
	int err = walk_rel(rel, &fid);

	if (err)
		return err;
	rbuf = xmalloc(rcap);
	req.treadlink.fid = fid;
	err = p9c_rpc(g_p9c, &req, &reply, rbuf, rcap);
	if (!err) {
		if (reply.rreadlink.target.len > size) {
			err = -ENAMETOOLONG;
		} else {
			memcpy(buf, reply.rreadlink.target.s, reply.rreadlink.target.len);
			err = reply.rreadlink.target.len;
		}
	}
	free(rbuf);
	p9c_clunk(g_p9c, fid);
	return err;
}

/* What one gofer_read() can do in one window (less when the server's iounit is smaller). */
static size_t gofer_read_chunk(void)
{
	uint32_t max_read = p9c_msize(g_p9c) - P9_IOHDRSZ;

	return (size_t)read_window(max_read) * max_read;
}

static const struct lower_ops gofer_lower_ops = {
	.name = "9p",
	.stat = gofer_stat,
	.list = gofer_list,
	.open = gofer_open,
	.read = gofer_read,
	.direct = gofer_direct,
	.close = gofer_close,
	.readlink = gofer_readlink,
	.read_chunk = gofer_read_chunk,
};

struct p9c *gofer_lower_client(void)
{
	return g_p9c;
}

int gofer_lower_init(int fd, const char *aname)
{
	struct p9c *c = p9c_connect(fd, "root", 0, aname);

	if (is_err(c))
		return (int)ptr_err(c);
	g_p9c = c;
	g_lower = &gofer_lower_ops;
	return 0;
}
