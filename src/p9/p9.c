// SPDX-License-Identifier: MIT
/*
 * 9P2000.L codec (see p9.h for the contract and what is rejected).
 *
 * Each message's body is one row of a table listing its fields in wire
 * order, so decoding and encoding walk the same description and cannot
 * disagree about layout with each other; the unit tests compare both to
 * byte vectors written independently from the spec.
 */
#include "p9/p9.h"

#include <errno.h>
#include <string.h>

enum kind {
	K_END = 0,
	K_U8,
	K_U16,
	K_U32,
	K_U64,
	K_STR,
	K_QID,
	K_WNAMES,	/* nwname[2] (at off) then nwname strings (array at off2) */
	K_WQIDS,	/* nwqid[2] (at off) then nwqid qids (array at off2) */
	K_DATA,		/* count[4] (at off) then count bytes (pointer at off2) */
	K_OPT_U32,	/* a trailing u32 that may be absent (Tfsync datasync) */
};

struct field {
	uint8_t kind;
	uint16_t off;
	uint16_t off2;
};

#define MAX_FIELDS 21	/* Rgetattr's 20 and the terminator */

struct desc {
	const char *name;	/* NULL: not a 9P2000.L message */
	struct field f[MAX_FIELDS];
};

#define OFF(member) offsetof(struct p9_msg, member)
#define U8(m) { K_U8, OFF(m), 0 }
#define U16(m) { K_U16, OFF(m), 0 }
#define U32(m) { K_U32, OFF(m), 0 }
#define U64(m) { K_U64, OFF(m), 0 }
#define STR(m) { K_STR, OFF(m), 0 }
#define QID(m) { K_QID, OFF(m), 0 }
#define DATA(msg) { K_DATA, OFF(msg.count), OFF(msg.data) }

static const struct desc descs[256] = {
	[P9_RLERROR] = { "Rlerror", { U32(rlerror.ecode) } },
	[P9_TSTATFS] = { "Tstatfs", { U32(tstatfs.fid) } },
	[P9_RSTATFS] = { "Rstatfs", {
		U32(rstatfs.type), U32(rstatfs.bsize), U64(rstatfs.blocks), U64(rstatfs.bfree),
		U64(rstatfs.bavail), U64(rstatfs.files), U64(rstatfs.ffree), U64(rstatfs.fsid),
		U32(rstatfs.namelen) } },
	[P9_TLOPEN] = { "Tlopen", { U32(tlopen.fid), U32(tlopen.flags) } },
	[P9_RLOPEN] = { "Rlopen", { QID(rlopen.qid), U32(rlopen.iounit) } },
	[P9_TLCREATE] = { "Tlcreate", {
		U32(tlcreate.fid), STR(tlcreate.name), U32(tlcreate.flags), U32(tlcreate.mode),
		U32(tlcreate.gid) } },
	[P9_RLCREATE] = { "Rlcreate", { QID(rlcreate.qid), U32(rlcreate.iounit) } },
	[P9_TSYMLINK] = { "Tsymlink", {
		U32(tsymlink.fid), STR(tsymlink.name), STR(tsymlink.symtgt), U32(tsymlink.gid) } },
	[P9_RSYMLINK] = { "Rsymlink", { QID(rsymlink.qid) } },
	[P9_TMKNOD] = { "Tmknod", {
		U32(tmknod.dfid), STR(tmknod.name), U32(tmknod.mode), U32(tmknod.major),
		U32(tmknod.minor), U32(tmknod.gid) } },
	[P9_RMKNOD] = { "Rmknod", { QID(rmknod.qid) } },
	[P9_TRENAME] = { "Trename", { U32(trename.fid), U32(trename.dfid), STR(trename.name) } },
	[P9_RRENAME] = { "Rrename", { { K_END, 0, 0 } } },
	[P9_TREADLINK] = { "Treadlink", { U32(treadlink.fid) } },
	[P9_RREADLINK] = { "Rreadlink", { STR(rreadlink.target) } },
	[P9_TGETATTR] = { "Tgetattr", { U32(tgetattr.fid), U64(tgetattr.request_mask) } },
	[P9_RGETATTR] = { "Rgetattr", {
		U64(rgetattr.valid), QID(rgetattr.qid), U32(rgetattr.mode), U32(rgetattr.uid),
		U32(rgetattr.gid), U64(rgetattr.nlink), U64(rgetattr.rdev), U64(rgetattr.size),
		U64(rgetattr.blksize), U64(rgetattr.blocks),
		U64(rgetattr.atime_sec), U64(rgetattr.atime_nsec),
		U64(rgetattr.mtime_sec), U64(rgetattr.mtime_nsec),
		U64(rgetattr.ctime_sec), U64(rgetattr.ctime_nsec),
		U64(rgetattr.btime_sec), U64(rgetattr.btime_nsec),
		U64(rgetattr.gen), U64(rgetattr.data_version) } },
	[P9_TSETATTR] = { "Tsetattr", {
		U32(tsetattr.fid), U32(tsetattr.valid), U32(tsetattr.mode), U32(tsetattr.uid),
		U32(tsetattr.gid), U64(tsetattr.size),
		U64(tsetattr.atime_sec), U64(tsetattr.atime_nsec),
		U64(tsetattr.mtime_sec), U64(tsetattr.mtime_nsec) } },
	[P9_RSETATTR] = { "Rsetattr", { { K_END, 0, 0 } } },
	[P9_TXATTRWALK] = { "Txattrwalk", {
		U32(txattrwalk.fid), U32(txattrwalk.newfid), STR(txattrwalk.name) } },
	[P9_RXATTRWALK] = { "Rxattrwalk", { U64(rxattrwalk.size) } },
	[P9_TXATTRCREATE] = { "Txattrcreate", {
		U32(txattrcreate.fid), STR(txattrcreate.name), U64(txattrcreate.attr_size),
		U32(txattrcreate.flags) } },
	[P9_RXATTRCREATE] = { "Rxattrcreate", { { K_END, 0, 0 } } },
	[P9_TREADDIR] = { "Treaddir", {
		U32(treaddir.fid), U64(treaddir.offset), U32(treaddir.count) } },
	[P9_RREADDIR] = { "Rreaddir", { DATA(rreaddir) } },
	[P9_TFSYNC] = { "Tfsync", { U32(tfsync.fid), { K_OPT_U32, OFF(tfsync.datasync), 0 } } },
	[P9_RFSYNC] = { "Rfsync", { { K_END, 0, 0 } } },
	[P9_TLOCK] = { "Tlock", {
		U32(tlock.fid), U8(tlock.type), U32(tlock.flags), U64(tlock.start),
		U64(tlock.length), U32(tlock.proc_id), STR(tlock.client_id) } },
	[P9_RLOCK] = { "Rlock", { U8(rlock.status) } },
	[P9_TGETLOCK] = { "Tgetlock", {
		U32(tgetlock.fid), U8(tgetlock.type), U64(tgetlock.start), U64(tgetlock.length),
		U32(tgetlock.proc_id), STR(tgetlock.client_id) } },
	[P9_RGETLOCK] = { "Rgetlock", {
		U8(rgetlock.type), U64(rgetlock.start), U64(rgetlock.length),
		U32(rgetlock.proc_id), STR(rgetlock.client_id) } },
	[P9_TLINK] = { "Tlink", { U32(tlink.dfid), U32(tlink.fid), STR(tlink.name) } },
	[P9_RLINK] = { "Rlink", { { K_END, 0, 0 } } },
	[P9_TMKDIR] = { "Tmkdir", {
		U32(tmkdir.dfid), STR(tmkdir.name), U32(tmkdir.mode), U32(tmkdir.gid) } },
	[P9_RMKDIR] = { "Rmkdir", { QID(rmkdir.qid) } },
	[P9_TRENAMEAT] = { "Trenameat", {
		U32(trenameat.olddirfid), STR(trenameat.oldname), U32(trenameat.newdirfid),
		STR(trenameat.newname) } },
	[P9_RRENAMEAT] = { "Rrenameat", { { K_END, 0, 0 } } },
	[P9_TUNLINKAT] = { "Tunlinkat", {
		U32(tunlinkat.dirfd), STR(tunlinkat.name), U32(tunlinkat.flags) } },
	[P9_RUNLINKAT] = { "Runlinkat", { { K_END, 0, 0 } } },
	[P9_TVERSION] = { "Tversion", { U32(tversion.msize), STR(tversion.version) } },
	[P9_RVERSION] = { "Rversion", { U32(rversion.msize), STR(rversion.version) } },
	[P9_TAUTH] = { "Tauth", {
		U32(tauth.afid), STR(tauth.uname), STR(tauth.aname), U32(tauth.n_uname) } },
	[P9_RAUTH] = { "Rauth", { QID(rauth.aqid) } },
	[P9_TATTACH] = { "Tattach", {
		U32(tattach.fid), U32(tattach.afid), STR(tattach.uname), STR(tattach.aname),
		U32(tattach.n_uname) } },
	[P9_RATTACH] = { "Rattach", { QID(rattach.qid) } },
	[P9_TFLUSH] = { "Tflush", { U16(tflush.oldtag) } },
	[P9_RFLUSH] = { "Rflush", { { K_END, 0, 0 } } },
	[P9_TWALK] = { "Twalk", {
		U32(twalk.fid), U32(twalk.newfid),
		{ K_WNAMES, OFF(twalk.nwname), OFF(twalk.wname) } } },
	[P9_RWALK] = { "Rwalk", { { K_WQIDS, OFF(rwalk.nwqid), OFF(rwalk.wqid) } } },
	[P9_TREAD] = { "Tread", { U32(tread.fid), U64(tread.offset), U32(tread.count) } },
	[P9_RREAD] = { "Rread", { DATA(rread) } },
	[P9_TWRITE] = { "Twrite", {
		U32(twrite.fid), U64(twrite.offset), DATA(twrite) } },
	[P9_RWRITE] = { "Rwrite", { U32(rwrite.count) } },
	[P9_TCLUNK] = { "Tclunk", { U32(tclunk.fid) } },
	[P9_RCLUNK] = { "Rclunk", { { K_END, 0, 0 } } },
	[P9_TREMOVE] = { "Tremove", { U32(tremove.fid) } },
	[P9_RREMOVE] = { "Rremove", { { K_END, 0, 0 } } },
};

/* ---- reading: a cursor whose first error sticks ---- */

struct rd {
	const uint8_t *p;
	size_t left;
	int err;
};

static const uint8_t *rd_take(struct rd *r, size_t n)
{
	const uint8_t *p;

	if (r->err)
		return NULL;
	if (r->left < n) {
		r->err = -EBADMSG;
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t rd_int(struct rd *r, int n)
{
	const uint8_t *p = rd_take(r, n);

	return p ? get_le(p, n) : 0;
}

static struct p9_str rd_str(struct rd *r)
{
	struct p9_str s = { NULL, 0 };
	uint16_t len = rd_int(r, 2);
	const uint8_t *p = rd_take(r, len);

	if (!p)
		return s;
	if (memchr(p, '\0', len)) {
		r->err = -EINVAL;
		return s;
	}
	s.s = (const char *)p;
	s.len = len;
	return s;
}

static struct p9_qid rd_qid(struct rd *r)
{
	struct p9_qid q;

	q.type = rd_int(r, 1);
	q.version = rd_int(r, 4);
	q.path = rd_int(r, 8);
	return q;
}

/* Fill the fields of one body into out (a struct p9_msg as bytes). */
static void rd_fields(struct rd *r, const struct field *f, char *out)
{
	for (; f->kind != K_END && !r->err; f++) {
		char *dst = out + f->off;

		switch (f->kind) {
		case K_U8: { uint8_t v = rd_int(r, 1); memcpy(dst, &v, 1); break; }
		case K_U16: { uint16_t v = rd_int(r, 2); memcpy(dst, &v, 2); break; }
		case K_U32: { uint32_t v = rd_int(r, 4); memcpy(dst, &v, 4); break; }
		case K_U64: { uint64_t v = rd_int(r, 8); memcpy(dst, &v, 8); break; }
		case K_OPT_U32: {
			uint32_t v = r->left ? rd_int(r, 4) : 0;

			memcpy(dst, &v, 4);
			break;
		}
		case K_STR: { struct p9_str s = rd_str(r); memcpy(dst, &s, sizeof(s)); break; }
		case K_QID: { struct p9_qid q = rd_qid(r); memcpy(dst, &q, sizeof(q)); break; }
		case K_WNAMES: {
			uint16_t n = rd_int(r, 2);

			if (!r->err && n > P9_MAXWELEM)
				r->err = -EINVAL;
			memcpy(dst, &n, 2);
			for (unsigned int i = 0; i < n && !r->err; i++) {
				struct p9_str s = rd_str(r);

				memcpy(out + f->off2 + i * sizeof(s), &s, sizeof(s));
			}
			break;
		}
		case K_WQIDS: {
			uint16_t n = rd_int(r, 2);

			if (!r->err && n > P9_MAXWELEM)
				r->err = -EINVAL;
			memcpy(dst, &n, 2);
			for (unsigned int i = 0; i < n && !r->err; i++) {
				struct p9_qid q = rd_qid(r);

				memcpy(out + f->off2 + i * sizeof(q), &q, sizeof(q));
			}
			break;
		}
		case K_DATA: {
			uint32_t n = rd_int(r, 4);
			const void *p = rd_take(r, n);

			memcpy(dst, &n, 4);
			memcpy(out + f->off2, &p, sizeof(p));
			break;
		}
		}
	}
}

ssize_t p9_msg_size(const void *buf, size_t len, uint32_t msize)
{
	uint32_t size;

	if (len < 4)
		return 0;
	size = get_le(buf, 4);
	if (size < P9_HDRSZ)
		return -EBADMSG;
	if (size > msize)
		return -EMSGSIZE;
	return size;
}

int p9_decode(const void *buf, size_t len, struct p9_msg *out)
{
	const uint8_t *b = buf;
	const struct desc *d;
	struct rd r;
	uint32_t size;

	memset(out, 0, sizeof(*out));
	out->tag = P9_NOTAG;
	if (len < P9_HDRSZ)
		return -EBADMSG;
	size = get_le(b, 4);
	out->type = b[4];
	out->tag = get_le(b + 5, 2);
	if (size > P9_MSIZE_MAX)
		return -EMSGSIZE;
	if (size < P9_HDRSZ || size != len)
		return -EBADMSG;
	d = &descs[out->type];
	if (!d->name)
		return -EOPNOTSUPP;
	r.p = b + P9_HDRSZ;
	r.left = len - P9_HDRSZ;
	r.err = 0;
	rd_fields(&r, d->f, (char *)out);
	if (r.err)
		return r.err;
	if (r.left)
		return -EBADMSG;	/* bytes after the last field */
	return 0;
}

/* ---- writing ---- */

struct wr {
	uint8_t *p;
	size_t left;
	int err;
};

static uint8_t *wr_take(struct wr *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (w->left < n) {
		w->err = -EMSGSIZE;
		return NULL;
	}
	p = w->p;
	w->p += n;
	w->left -= n;
	return p;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = v & 0xff;
}

static void wr_int(struct wr *w, uint64_t v, int n)
{
	uint8_t *p = wr_take(w, n);

	if (p)
		put_le(p, v, n);
}

static bool str_valid(struct p9_str s)
{
	if (!s.s)
		return s.len == 0;
	return !memchr(s.s, '\0', s.len);
}

static void wr_str(struct wr *w, struct p9_str s)
{
	uint8_t *p;

	if (!w->err && !str_valid(s)) {
		w->err = -EINVAL;
		return;
	}
	wr_int(w, s.len, 2);
	p = wr_take(w, s.len);
	if (p && s.len)
		memmove(p, s.s, s.len);
}

static void wr_qid(struct wr *w, struct p9_qid q)
{
	wr_int(w, q.type, 1);
	wr_int(w, q.version, 4);
	wr_int(w, q.path, 8);
}

static void wr_fields(struct wr *w, const struct field *f, const char *in)
{
	for (; f->kind != K_END && !w->err; f++) {
		const char *src = in + f->off;

		switch (f->kind) {
		case K_U8: { uint8_t v; memcpy(&v, src, 1); wr_int(w, v, 1); break; }
		case K_U16: { uint16_t v; memcpy(&v, src, 2); wr_int(w, v, 2); break; }
		case K_U32:
		case K_OPT_U32: { uint32_t v; memcpy(&v, src, 4); wr_int(w, v, 4); break; }
		case K_U64: { uint64_t v; memcpy(&v, src, 8); wr_int(w, v, 8); break; }
		case K_STR: { struct p9_str s; memcpy(&s, src, sizeof(s)); wr_str(w, s); break; }
		case K_QID: { struct p9_qid q; memcpy(&q, src, sizeof(q)); wr_qid(w, q); break; }
		case K_WNAMES: {
			uint16_t n;

			memcpy(&n, src, 2);
			if (n > P9_MAXWELEM) {
				w->err = -EINVAL;
				break;
			}
			wr_int(w, n, 2);
			for (unsigned int i = 0; i < n; i++) {
				struct p9_str s;

				memcpy(&s, in + f->off2 + i * sizeof(s), sizeof(s));
				wr_str(w, s);
			}
			break;
		}
		case K_WQIDS: {
			uint16_t n;

			memcpy(&n, src, 2);
			if (n > P9_MAXWELEM) {
				w->err = -EINVAL;
				break;
			}
			wr_int(w, n, 2);
			for (unsigned int i = 0; i < n; i++) {
				struct p9_qid q;

				memcpy(&q, in + f->off2 + i * sizeof(q), sizeof(q));
				wr_qid(w, q);
			}
			break;
		}
		case K_DATA: {
			uint32_t n;
			const void *data;
			uint8_t *p;

			memcpy(&n, src, 4);
			memcpy(&data, in + f->off2, sizeof(data));
			if (n && !data) {
				w->err = -EINVAL;
				break;
			}
			wr_int(w, n, 4);
			p = wr_take(w, n);
			if (p && n)
				memmove(p, data, n);	/* data may already sit at p */
			break;
		}
		}
	}
}

ssize_t p9_encode(const struct p9_msg *m, void *buf, size_t cap)
{
	const struct desc *d = &descs[m->type];
	struct wr w = { buf, cap, 0 };
	uint8_t *hdr;
	size_t len;

	if (!d->name)
		return -EINVAL;
	if (w.left > P9_MSIZE_MAX)
		w.left = P9_MSIZE_MAX;	/* larger would not decode */
	hdr = wr_take(&w, P9_HDRSZ);
	if (!hdr)
		return -EMSGSIZE;
	wr_fields(&w, d->f, (const char *)m);
	if (w.err)
		return w.err;
	len = w.p - (uint8_t *)buf;
	put_le(hdr, len, 4);
	hdr[4] = m->type;
	put_le(hdr + 5, m->tag, 2);
	return len;
}

/* ---- readdir entries ---- */

ssize_t p9_dirent_encode(void *buf, size_t cap, struct p9_qid qid, uint64_t offset,
			 uint8_t type, struct p9_str name)
{
	struct wr w = { buf, cap, 0 };

	if (!str_valid(name))
		return -EINVAL;
	if (cap < P9_DIRENT_HDRSZ + (size_t)name.len)
		return -EMSGSIZE;	/* nothing written: the caller stops here */
	wr_qid(&w, qid);
	wr_int(&w, offset, 8);
	wr_int(&w, type, 1);
	wr_str(&w, name);
	if (w.err)
		return w.err;
	return w.p - (uint8_t *)buf;
}

int p9_dirent_next(const void **p, size_t *left, struct p9_dirent *d)
{
	struct rd r = { *p, *left, 0 };

	if (!*left)
		return 0;
	d->qid = rd_qid(&r);
	d->offset = rd_int(&r, 8);
	d->type = rd_int(&r, 1);
	d->name = rd_str(&r);
	if (r.err)
		return r.err;
	if (!d->name.len)
		return -EINVAL;
	*p = r.p;
	*left = r.left;
	return 1;
}

/* ---- strings ---- */

bool p9_str_eq(struct p9_str a, const char *s)
{
	size_t n = strlen(s);

	if (n != a.len)
		return false;
	return !n || (a.s && !memcmp(a.s, s, n));
}

int p9_str_copy(struct p9_str a, char *buf, size_t cap)
{
	if (!a.s && a.len)
		return -EINVAL;
	if ((size_t)a.len + 1 > cap)
		return -ENAMETOOLONG;
	if (a.len)
		memcpy(buf, a.s, a.len);
	buf[a.len] = '\0';
	return a.len;
}

bool p9_name_ok(struct p9_str a)
{
	if (!a.s || !a.len)
		return false;
	if (memchr(a.s, '/', a.len) || memchr(a.s, '\0', a.len))
		return false;
	if (a.len == 1 && a.s[0] == '.')
		return false;
	if (a.len == 2 && a.s[0] == '.' && a.s[1] == '.')
		return false;
	return true;
}

struct p9_str p9_str_c(const char *s)
{
	struct p9_str r = { NULL, 0 };
	size_t n;

	if (!s)
		return r;
	n = strnlen(s, 65536);
	if (n > 65535) {
		r.len = 0xffff;		/* s stays NULL: p9_encode() says -EINVAL */
		return r;
	}
	r.s = s;
	r.len = n;
	return r;
}

const char *p9_type_name(uint8_t type)
{
	return descs[type].name;
}
