// SPDX-License-Identifier: MIT
/*
 * Unit tests of the 9P2000.L codec (src/p9).
 *
 * Expected bytes are built by build() below from the format strings Linux's
 * net/9p/client.c uses for each message (d=u32, q=u64, b=u8, w=u16, s=string,
 * Q=qid, D=count+data), independently of the codec's own field table, so a
 * layout bug shared by p9_encode and p9_decode still shows. A few messages are
 * also checked against literal byte vectors, which checks build() itself.
 *
 * Every test input the decoder sees sits in a heap block of exactly its length,
 * so the ASan build of this program catches any read past it.
 */
#include "p9/p9.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		checks++;                                                            \
		if (!(cond)) {                                                       \
			failures++;                                                  \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
		}                                                                    \
	} while (0)

#define CHECK_EQ(a, b)                                                               \
	do {                                                                         \
		long long _a = (long long)(a), _b = (long long)(b);                  \
		checks++;                                                            \
		if (_a != _b) {                                                      \
			failures++;                                                  \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s = %lld, %s = %lld\n", \
				__FILE__, __LINE__, #a, _a, #b, _b);                 \
		}                                                                    \
	} while (0)

#define CHECK_STR(ps, cs) CHECK(p9_str_eq((ps), (cs)))

/* ---- the independent builder ---- */

static uint8_t *put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		*p++ = v & 0xff;
	return p;
}

/* Build a whole message: header, then fields per fmt. Returns its length. */
static size_t vbuild(uint8_t *buf, uint8_t type, uint16_t tag, const char *fmt, va_list ap)
{
	uint8_t *p = buf + 7;

	for (; *fmt; fmt++) {
		switch (*fmt) {
		case 'b': p = put(p, va_arg(ap, unsigned int), 1); break;
		case 'w': p = put(p, va_arg(ap, unsigned int), 2); break;
		case 'd': p = put(p, va_arg(ap, uint32_t), 4); break;
		case 'q': p = put(p, va_arg(ap, uint64_t), 8); break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = strlen(s);

			p = put(p, n, 2);
			memcpy(p, s, n);
			p += n;
			break;
		}
		case 'Q': {
			unsigned int t = va_arg(ap, unsigned int);
			uint32_t v = va_arg(ap, uint32_t);
			uint64_t path = va_arg(ap, uint64_t);

			p = put(p, t, 1);
			p = put(p, v, 4);
			p = put(p, path, 8);
			break;
		}
		case 'D': {
			uint32_t n = va_arg(ap, uint32_t);
			const void *d = va_arg(ap, const void *);

			p = put(p, n, 4);
			memcpy(p, d, n);
			p += n;
			break;
		}
		default:
			abort();
		}
	}
	put(buf, p - buf, 4);
	buf[4] = type;
	put(buf + 5, tag, 2);
	return p - buf;
}

static size_t build(uint8_t *buf, uint8_t type, uint16_t tag, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = vbuild(buf, type, tag, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- every encoded message is kept for the truncation tests ---- */

#define MAX_CORPUS 128

static struct {
	uint8_t *b;
	size_t len;
	uint8_t type;
} corpus[MAX_CORPUS];
static int ncorpus;

static void keep(const uint8_t *b, size_t len)
{
	if (ncorpus == MAX_CORPUS)
		abort();
	corpus[ncorpus].b = malloc(len);
	memcpy(corpus[ncorpus].b, b, len);
	corpus[ncorpus].len = len;
	corpus[ncorpus].type = b[4];
	ncorpus++;
}

/* Decode from an exact-size heap copy (so ASan sees any over-read). */
static int decode_copy(const uint8_t *b, size_t len, struct p9_msg *m, uint8_t **copy)
{
	uint8_t *c = malloc(len ? len : 1);
	int r;

	memcpy(c, b, len);
	r = p9_decode(c, len, m);
	if (copy)
		*copy = c;
	else
		free(c);
	return r;
}

static uint8_t ebuf[P9_MSIZE_DEFAULT + 64], xbuf[P9_MSIZE_DEFAULT + 64];
static uint8_t *held;	/* the bytes the last decoded message points into */
static struct p9_msg dec;

/*
 * Encode m and compare with the spec bytes built from fmt; decode the spec
 * bytes and return the result for field checks.
 */
static struct p9_msg *rt(int line, const struct p9_msg *m, const char *fmt, ...)
{
	va_list ap;
	size_t xlen;
	ssize_t elen;
	int r;

	va_start(ap, fmt);
	xlen = vbuild(xbuf, m->type, m->tag, fmt, ap);
	va_end(ap);
	elen = p9_encode(m, ebuf, sizeof(ebuf));
	checks++;
	if (elen != (ssize_t)xlen || memcmp(ebuf, xbuf, xlen)) {
		failures++;
		fprintf(stderr, "%s:%d: %s encodes to %zd bytes, spec says %zu%s\n", __FILE__, line,
			p9_type_name(m->type), elen, xlen,
			elen == (ssize_t)xlen ? " (contents differ)" : "");
	}
	/* Exactly enough room works; one byte less is -EMSGSIZE. */
	CHECK_EQ(p9_encode(m, ebuf, xlen), xlen);
	CHECK_EQ(p9_encode(m, ebuf, xlen - 1), -EMSGSIZE);
	keep(xbuf, xlen);
	free(held);
	r = decode_copy(xbuf, xlen, &dec, &held);
	checks++;
	if (r) {
		failures++;
		fprintf(stderr, "%s:%d: decoding %s spec bytes: %d\n", __FILE__, line,
			p9_type_name(m->type), r);
	}
	CHECK_EQ(dec.type, m->type);
	CHECK_EQ(dec.tag, m->tag);
	return &dec;
}

#define RT(m, ...) rt(__LINE__, &(m), __VA_ARGS__)
#define MSG(t, tg) struct p9_msg m = { .type = (t), .tag = (tg) }
#define S(cs) p9_str_c(cs)
#define QIDV(t, v, p) ((struct p9_qid){ (t), (v), (p) })
#define QARGS(t, v, p) (unsigned int)(t), (uint32_t)(v), (uint64_t)(p)
#define CHECK_QID(q, t, v, p)                   \
	do {                                    \
		CHECK_EQ((q).type, (t));        \
		CHECK_EQ((q).version, (v));     \
		CHECK_EQ((q).path, (p));        \
	} while (0)

#define U32(x) ((uint32_t)(x))
#define U64(x) ((uint64_t)(x))

/* ---- one round trip per message ---- */

static void test_version_attach(void)
{
	{
		MSG(P9_TVERSION, P9_NOTAG);
		m.tversion.msize = 524288;
		m.tversion.version = S(P9_VERSION_CVISOR);
		struct p9_msg *d = RT(m, "ds", U32(524288), P9_VERSION_CVISOR);
		CHECK_EQ(d->tversion.msize, 524288);
		CHECK_STR(d->tversion.version, "9P2000.L.cvisor");
	}
	{
		MSG(P9_RVERSION, P9_NOTAG);
		m.rversion.msize = 65536;
		m.rversion.version = S("9P2000.L");
		struct p9_msg *d = RT(m, "ds", U32(65536), "9P2000.L");
		CHECK_EQ(d->rversion.msize, 65536);
		CHECK_STR(d->rversion.version, "9P2000.L");
	}
	{
		MSG(P9_TAUTH, 3);
		m.tauth.afid = 9;
		m.tauth.uname = S("root");
		m.tauth.aname = S("/srv");
		m.tauth.n_uname = 0;
		struct p9_msg *d = RT(m, "dssd", U32(9), "root", "/srv", U32(0));
		CHECK_EQ(d->tauth.afid, 9);
		CHECK_STR(d->tauth.uname, "root");
		CHECK_STR(d->tauth.aname, "/srv");
		CHECK_EQ(d->tauth.n_uname, 0);
	}
	{
		MSG(P9_RAUTH, 3);
		m.rauth.aqid = QIDV(P9_QTAUTH, 1, 2);
		struct p9_msg *d = RT(m, "Q", QARGS(P9_QTAUTH, 1, 2));
		CHECK_QID(d->rauth.aqid, P9_QTAUTH, 1, 2);
	}
	{
		MSG(P9_TATTACH, 1);
		m.tattach.fid = 1;
		m.tattach.afid = P9_NOFID;
		m.tattach.uname = S("nobody");
		m.tattach.aname = S("");
		m.tattach.n_uname = 1000;
		struct p9_msg *d = RT(m, "ddssd", U32(1), U32(P9_NOFID), "nobody", "", U32(1000));
		CHECK_EQ(d->tattach.fid, 1);
		CHECK_EQ(d->tattach.afid, P9_NOFID);
		CHECK_STR(d->tattach.uname, "nobody");
		CHECK_STR(d->tattach.aname, "");
		CHECK_EQ(d->tattach.aname.len, 0);
		CHECK_EQ(d->tattach.n_uname, 1000);
	}
	{
		MSG(P9_RATTACH, 1);
		m.rattach.qid = QIDV(P9_QTDIR, 0x11223344, 0x0102030405060708ull);
		struct p9_msg *d = RT(m, "Q", QARGS(P9_QTDIR, 0x11223344, 0x0102030405060708ull));
		CHECK_QID(d->rattach.qid, P9_QTDIR, 0x11223344, 0x0102030405060708ull);
	}
	{
		MSG(P9_RLERROR, 77);
		m.rlerror.ecode = ENOENT;
		struct p9_msg *d = RT(m, "d", U32(ENOENT));
		CHECK_EQ(d->rlerror.ecode, ENOENT);
	}
	{
		MSG(P9_TFLUSH, 5);
		m.tflush.oldtag = 0xbeef;
		struct p9_msg *d = RT(m, "w", 0xbeefu);
		CHECK_EQ(d->tflush.oldtag, 0xbeef);
	}
	{
		MSG(P9_RFLUSH, 5);
		RT(m, "");
	}
}

static void test_walk(void)
{
	{
		MSG(P9_TWALK, 2);
		m.twalk.fid = 1;
		m.twalk.newfid = 2;
		m.twalk.nwname = 3;
		m.twalk.wname[0] = S("usr");
		m.twalk.wname[1] = S("lib");
		m.twalk.wname[2] = S("x86_64-linux-gnu");
		struct p9_msg *d = RT(m, "ddwsss", U32(1), U32(2), 3u, "usr", "lib", "x86_64-linux-gnu");
		CHECK_EQ(d->twalk.fid, 1);
		CHECK_EQ(d->twalk.newfid, 2);
		CHECK_EQ(d->twalk.nwname, 3);
		CHECK_STR(d->twalk.wname[0], "usr");
		CHECK_STR(d->twalk.wname[1], "lib");
		CHECK_STR(d->twalk.wname[2], "x86_64-linux-gnu");
	}
	{
		MSG(P9_TWALK, 2);	/* nwname 0: clone the fid */
		m.twalk.fid = 7;
		m.twalk.newfid = 8;
		struct p9_msg *d = RT(m, "ddw", U32(7), U32(8), 0u);
		CHECK_EQ(d->twalk.nwname, 0);
		CHECK_EQ(d->twalk.newfid, 8);
	}
	{
		MSG(P9_RWALK, 2);
		m.rwalk.nwqid = 2;
		m.rwalk.wqid[0] = QIDV(P9_QTDIR, 1, 100);
		m.rwalk.wqid[1] = QIDV(P9_QTSYMLINK, 2, 200);
		struct p9_msg *d = RT(m, "wQQ", 2u, QARGS(P9_QTDIR, 1, 100), QARGS(P9_QTSYMLINK, 2, 200));
		CHECK_EQ(d->rwalk.nwqid, 2);
		CHECK_QID(d->rwalk.wqid[0], P9_QTDIR, 1, 100);
		CHECK_QID(d->rwalk.wqid[1], P9_QTSYMLINK, 2, 200);
	}
	{
		/* Exactly P9_MAXWELEM names and qids are fine. */
		MSG(P9_TWALK, 4);
		m.twalk.fid = 1;
		m.twalk.newfid = 2;
		m.twalk.nwname = P9_MAXWELEM;
		for (int i = 0; i < P9_MAXWELEM; i++)
			m.twalk.wname[i] = S(i % 2 ? "b" : "a");
		struct p9_msg *d = RT(m, "ddwssssssssssssssss", U32(1), U32(2), 16u, "a", "b", "a", "b",
				      "a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a", "b");
		CHECK_EQ(d->twalk.nwname, 16);
		CHECK_STR(d->twalk.wname[15], "b");
	}
	{
		MSG(P9_RWALK, 4);
		m.rwalk.nwqid = P9_MAXWELEM;
		for (int i = 0; i < P9_MAXWELEM; i++)
			m.rwalk.wqid[i] = QIDV(0, i, i * 10);
		ssize_t n = p9_encode(&m, ebuf, sizeof(ebuf));
		CHECK_EQ(n, P9_HDRSZ + 2 + 16 * P9_QIDSZ);
		struct p9_msg d;
		CHECK_EQ(decode_copy(ebuf, n, &d, NULL), 0);
		CHECK_EQ(d.rwalk.nwqid, 16);
		CHECK_QID(d.rwalk.wqid[15], 0, 15, 150);
	}
}

static void test_open_create_io(void)
{
	static uint8_t data[] = "hello, 9p";
	{
		MSG(P9_TLOPEN, 9);
		m.tlopen.fid = 5;
		m.tlopen.flags = 02 | 01000;	/* O_RDWR|O_TRUNC */
		struct p9_msg *d = RT(m, "dd", U32(5), U32(01002));
		CHECK_EQ(d->tlopen.fid, 5);
		CHECK_EQ(d->tlopen.flags, 01002);
	}
	{
		MSG(P9_RLOPEN, 9);
		m.rlopen.qid = QIDV(0, 3, 4);
		m.rlopen.iounit = 8192;
		struct p9_msg *d = RT(m, "Qd", QARGS(0, 3, 4), U32(8192));
		CHECK_QID(d->rlopen.qid, 0, 3, 4);
		CHECK_EQ(d->rlopen.iounit, 8192);
	}
	{
		MSG(P9_TLCREATE, 10);
		m.tlcreate.fid = 6;
		m.tlcreate.name = S("new.txt");
		m.tlcreate.flags = 0101;
		m.tlcreate.mode = 0644;
		m.tlcreate.gid = 100;
		struct p9_msg *d = RT(m, "dsddd", U32(6), "new.txt", U32(0101), U32(0644), U32(100));
		CHECK_EQ(d->tlcreate.fid, 6);
		CHECK_STR(d->tlcreate.name, "new.txt");
		CHECK_EQ(d->tlcreate.flags, 0101);
		CHECK_EQ(d->tlcreate.mode, 0644);
		CHECK_EQ(d->tlcreate.gid, 100);
	}
	{
		MSG(P9_RLCREATE, 10);
		m.rlcreate.qid = QIDV(0, 9, 99);
		m.rlcreate.iounit = 0;
		struct p9_msg *d = RT(m, "Qd", QARGS(0, 9, 99), U32(0));
		CHECK_QID(d->rlcreate.qid, 0, 9, 99);
		CHECK_EQ(d->rlcreate.iounit, 0);
	}
	{
		MSG(P9_TREAD, 11);
		m.tread.fid = 5;
		m.tread.offset = 0x123456789abcull;
		m.tread.count = 4096;
		struct p9_msg *d = RT(m, "dqd", U32(5), U64(0x123456789abcull), U32(4096));
		CHECK_EQ(d->tread.fid, 5);
		CHECK_EQ(d->tread.offset, 0x123456789abcull);
		CHECK_EQ(d->tread.count, 4096);
	}
	{
		MSG(P9_RREAD, 11);
		m.rread.count = 9;
		m.rread.data = data;
		struct p9_msg *d = RT(m, "D", U32(9), data);
		CHECK_EQ(d->rread.count, 9);
		CHECK(!memcmp(d->rread.data, "hello, 9p", 9));
		CHECK((const uint8_t *)d->rread.data == held + P9_RREAD_HDRSZ);
	}
	{
		MSG(P9_RREAD, 11);	/* empty read (EOF) */
		struct p9_msg *d = RT(m, "d", U32(0));
		CHECK_EQ(d->rread.count, 0);
	}
	{
		MSG(P9_TWRITE, 12);
		m.twrite.fid = 5;
		m.twrite.offset = 1ull << 40;
		m.twrite.count = 5;
		m.twrite.data = data;
		struct p9_msg *d = RT(m, "dqD", U32(5), U64(1ull << 40), U32(5), data);
		CHECK_EQ(d->twrite.fid, 5);
		CHECK_EQ(d->twrite.offset, 1ull << 40);
		CHECK_EQ(d->twrite.count, 5);
		CHECK(!memcmp(d->twrite.data, "hello", 5));
		CHECK((const uint8_t *)d->twrite.data == held + P9_TWRITE_HDRSZ);
	}
	{
		MSG(P9_RWRITE, 12);
		m.rwrite.count = 5;
		struct p9_msg *d = RT(m, "d", U32(5));
		CHECK_EQ(d->rwrite.count, 5);
	}
	{
		MSG(P9_TCLUNK, 13);
		m.tclunk.fid = 5;
		struct p9_msg *d = RT(m, "d", U32(5));
		CHECK_EQ(d->tclunk.fid, 5);
	}
	{
		MSG(P9_RCLUNK, 13);
		RT(m, "");
	}
	{
		MSG(P9_TREMOVE, 14);
		m.tremove.fid = 6;
		struct p9_msg *d = RT(m, "d", U32(6));
		CHECK_EQ(d->tremove.fid, 6);
	}
	{
		MSG(P9_RREMOVE, 14);
		RT(m, "");
	}
	{
		MSG(P9_TFSYNC, 15);
		m.tfsync.fid = 5;
		m.tfsync.datasync = 1;
		struct p9_msg *d = RT(m, "dd", U32(5), U32(1));
		CHECK_EQ(d->tfsync.fid, 5);
		CHECK_EQ(d->tfsync.datasync, 1);
	}
	{
		MSG(P9_RFSYNC, 15);
		RT(m, "");
	}
}

static void test_attr(void)
{
	{
		MSG(P9_TGETATTR, 20);
		m.tgetattr.fid = 3;
		m.tgetattr.request_mask = P9_GETATTR_ALL;
		struct p9_msg *d = RT(m, "dq", U32(3), U64(P9_GETATTR_ALL));
		CHECK_EQ(d->tgetattr.fid, 3);
		CHECK_EQ(d->tgetattr.request_mask, 0x3fff);
	}
	{
		MSG(P9_RGETATTR, 20);
		m.rgetattr.valid = P9_GETATTR_BASIC;
		m.rgetattr.qid = QIDV(P9_QTFILE, 1, 0xabc);
		m.rgetattr.mode = 0100644;
		m.rgetattr.uid = 1000;
		m.rgetattr.gid = 1001;
		m.rgetattr.nlink = 2;
		m.rgetattr.rdev = 0x0803;
		m.rgetattr.size = 123456789;
		m.rgetattr.blksize = 4096;
		m.rgetattr.blocks = 241136;
		m.rgetattr.atime_sec = 1700000001;
		m.rgetattr.atime_nsec = 11;
		m.rgetattr.mtime_sec = 1700000002;
		m.rgetattr.mtime_nsec = 22;
		m.rgetattr.ctime_sec = 1700000003;
		m.rgetattr.ctime_nsec = 33;
		m.rgetattr.btime_sec = 1700000004;
		m.rgetattr.btime_nsec = 44;
		m.rgetattr.gen = 55;
		m.rgetattr.data_version = 66;
		/* Linux: "qQdugqqqqqqqqqqqqqqq" (u, g are u32 ids) */
		struct p9_msg *d = RT(m, "qQdddqqqqqqqqqqqqqqq", U64(P9_GETATTR_BASIC),
				      QARGS(P9_QTFILE, 1, 0xabc), U32(0100644), U32(1000), U32(1001),
				      U64(2), U64(0x0803), U64(123456789), U64(4096), U64(241136),
				      U64(1700000001), U64(11), U64(1700000002), U64(22),
				      U64(1700000003), U64(33), U64(1700000004), U64(44), U64(55),
				      U64(66));
		CHECK_EQ(dec.type, P9_RGETATTR);
		CHECK_EQ(d->rgetattr.valid, 0x7ff);
		CHECK_QID(d->rgetattr.qid, 0, 1, 0xabc);
		CHECK_EQ(d->rgetattr.mode, 0100644);
		CHECK_EQ(d->rgetattr.uid, 1000);
		CHECK_EQ(d->rgetattr.gid, 1001);
		CHECK_EQ(d->rgetattr.nlink, 2);
		CHECK_EQ(d->rgetattr.rdev, 0x0803);
		CHECK_EQ(d->rgetattr.size, 123456789);
		CHECK_EQ(d->rgetattr.blksize, 4096);
		CHECK_EQ(d->rgetattr.blocks, 241136);
		CHECK_EQ(d->rgetattr.atime_sec, 1700000001);
		CHECK_EQ(d->rgetattr.atime_nsec, 11);
		CHECK_EQ(d->rgetattr.mtime_sec, 1700000002);
		CHECK_EQ(d->rgetattr.mtime_nsec, 22);
		CHECK_EQ(d->rgetattr.ctime_sec, 1700000003);
		CHECK_EQ(d->rgetattr.ctime_nsec, 33);
		CHECK_EQ(d->rgetattr.btime_sec, 1700000004);
		CHECK_EQ(d->rgetattr.btime_nsec, 44);
		CHECK_EQ(d->rgetattr.gen, 55);
		CHECK_EQ(d->rgetattr.data_version, 66);
		CHECK_EQ(corpus[ncorpus - 1].len, P9_HDRSZ + 153);
	}
	{
		MSG(P9_TSETATTR, 21);
		m.tsetattr.fid = 4;
		m.tsetattr.valid = P9_SETATTR_MODE | P9_SETATTR_SIZE | P9_SETATTR_MTIME_SET;
		m.tsetattr.mode = 0755;
		m.tsetattr.uid = 1;
		m.tsetattr.gid = 2;
		m.tsetattr.size = 4096;
		m.tsetattr.atime_sec = 10;
		m.tsetattr.atime_nsec = 20;
		m.tsetattr.mtime_sec = 30;
		m.tsetattr.mtime_nsec = 40;
		/* Linux: "dI" = fid, then "ddddqqqqq" */
		struct p9_msg *d = RT(m, "dddddqqqqq", U32(4), U32(0x109), U32(0755), U32(1), U32(2),
				      U64(4096), U64(10), U64(20), U64(30), U64(40));
		CHECK_EQ(d->tsetattr.fid, 4);
		CHECK_EQ(d->tsetattr.valid, 0x109);
		CHECK_EQ(d->tsetattr.mode, 0755);
		CHECK_EQ(d->tsetattr.uid, 1);
		CHECK_EQ(d->tsetattr.gid, 2);
		CHECK_EQ(d->tsetattr.size, 4096);
		CHECK_EQ(d->tsetattr.atime_sec, 10);
		CHECK_EQ(d->tsetattr.atime_nsec, 20);
		CHECK_EQ(d->tsetattr.mtime_sec, 30);
		CHECK_EQ(d->tsetattr.mtime_nsec, 40);
	}
	{
		MSG(P9_RSETATTR, 21);
		RT(m, "");
	}
	{
		MSG(P9_TSTATFS, 22);
		m.tstatfs.fid = 1;
		struct p9_msg *d = RT(m, "d", U32(1));
		CHECK_EQ(d->tstatfs.fid, 1);
	}
	{
		MSG(P9_RSTATFS, 22);
		m.rstatfs.type = 0x01021994;
		m.rstatfs.bsize = 4096;
		m.rstatfs.blocks = 1000;
		m.rstatfs.bfree = 900;
		m.rstatfs.bavail = 800;
		m.rstatfs.files = 700;
		m.rstatfs.ffree = 600;
		m.rstatfs.fsid = 0xfeedull;
		m.rstatfs.namelen = 255;
		struct p9_msg *d = RT(m, "ddqqqqqqd", U32(0x01021994), U32(4096), U64(1000), U64(900),
				      U64(800), U64(700), U64(600), U64(0xfeed), U32(255));
		CHECK_EQ(d->rstatfs.type, 0x01021994);
		CHECK_EQ(d->rstatfs.bsize, 4096);
		CHECK_EQ(d->rstatfs.blocks, 1000);
		CHECK_EQ(d->rstatfs.bfree, 900);
		CHECK_EQ(d->rstatfs.bavail, 800);
		CHECK_EQ(d->rstatfs.files, 700);
		CHECK_EQ(d->rstatfs.ffree, 600);
		CHECK_EQ(d->rstatfs.fsid, 0xfeed);
		CHECK_EQ(d->rstatfs.namelen, 255);
	}
	{
		MSG(P9_TXATTRWALK, 23);
		m.txattrwalk.fid = 1;
		m.txattrwalk.newfid = 2;
		m.txattrwalk.name = S("user.x");
		struct p9_msg *d = RT(m, "dds", U32(1), U32(2), "user.x");
		CHECK_EQ(d->txattrwalk.fid, 1);
		CHECK_EQ(d->txattrwalk.newfid, 2);
		CHECK_STR(d->txattrwalk.name, "user.x");
	}
	{
		MSG(P9_RXATTRWALK, 23);
		m.rxattrwalk.size = 1ull << 33;
		struct p9_msg *d = RT(m, "q", U64(1ull << 33));
		CHECK_EQ(d->rxattrwalk.size, 1ull << 33);
	}
	{
		MSG(P9_TXATTRCREATE, 24);
		m.txattrcreate.fid = 2;
		m.txattrcreate.name = S("security.capability");
		m.txattrcreate.attr_size = 20;
		m.txattrcreate.flags = 1;
		struct p9_msg *d = RT(m, "dsqd", U32(2), "security.capability", U64(20), U32(1));
		CHECK_EQ(d->txattrcreate.fid, 2);
		CHECK_STR(d->txattrcreate.name, "security.capability");
		CHECK_EQ(d->txattrcreate.attr_size, 20);
		CHECK_EQ(d->txattrcreate.flags, 1);
	}
	{
		MSG(P9_RXATTRCREATE, 24);
		RT(m, "");
	}
}

static void test_dir_ops(void)
{
	{
		MSG(P9_TREADDIR, 30);
		m.treaddir.fid = 3;
		m.treaddir.offset = 42;
		m.treaddir.count = 8168;
		struct p9_msg *d = RT(m, "dqd", U32(3), U64(42), U32(8168));
		CHECK_EQ(d->treaddir.fid, 3);
		CHECK_EQ(d->treaddir.offset, 42);
		CHECK_EQ(d->treaddir.count, 8168);
	}
	{
		uint8_t ents[64];
		ssize_t n = p9_dirent_encode(ents, sizeof(ents), QIDV(P9_QTDIR, 0, 5), 1, 4, S("etc"));
		CHECK_EQ(n, P9_DIRENT_HDRSZ + 3);
		MSG(P9_RREADDIR, 30);
		m.rreaddir.count = n;
		m.rreaddir.data = ents;
		struct p9_msg *d = RT(m, "D", U32(n), ents);
		CHECK_EQ(d->rreaddir.count, n);
		CHECK(!memcmp(d->rreaddir.data, ents, n));
	}
	{
		MSG(P9_TMKDIR, 31);
		m.tmkdir.dfid = 3;
		m.tmkdir.name = S("sub");
		m.tmkdir.mode = 0700;
		m.tmkdir.gid = 5;
		struct p9_msg *d = RT(m, "dsdd", U32(3), "sub", U32(0700), U32(5));
		CHECK_EQ(d->tmkdir.dfid, 3);
		CHECK_STR(d->tmkdir.name, "sub");
		CHECK_EQ(d->tmkdir.mode, 0700);
		CHECK_EQ(d->tmkdir.gid, 5);
	}
	{
		MSG(P9_RMKDIR, 31);
		m.rmkdir.qid = QIDV(P9_QTDIR, 0, 77);
		struct p9_msg *d = RT(m, "Q", QARGS(P9_QTDIR, 0, 77));
		CHECK_QID(d->rmkdir.qid, P9_QTDIR, 0, 77);
	}
	{
		MSG(P9_TSYMLINK, 32);
		m.tsymlink.fid = 3;
		m.tsymlink.name = S("lnk");
		m.tsymlink.symtgt = S("../target/file");
		m.tsymlink.gid = 6;
		struct p9_msg *d = RT(m, "dssd", U32(3), "lnk", "../target/file", U32(6));
		CHECK_EQ(d->tsymlink.fid, 3);
		CHECK_STR(d->tsymlink.name, "lnk");
		CHECK_STR(d->tsymlink.symtgt, "../target/file");
		CHECK_EQ(d->tsymlink.gid, 6);
	}
	{
		MSG(P9_RSYMLINK, 32);
		m.rsymlink.qid = QIDV(P9_QTSYMLINK, 0, 78);
		struct p9_msg *d = RT(m, "Q", QARGS(P9_QTSYMLINK, 0, 78));
		CHECK_QID(d->rsymlink.qid, P9_QTSYMLINK, 0, 78);
	}
	{
		MSG(P9_TMKNOD, 33);
		m.tmknod.dfid = 3;
		m.tmknod.name = S("null");
		m.tmknod.mode = 020666;
		m.tmknod.major = 1;
		m.tmknod.minor = 3;
		m.tmknod.gid = 0;
		struct p9_msg *d = RT(m, "dsdddd", U32(3), "null", U32(020666), U32(1), U32(3), U32(0));
		CHECK_EQ(d->tmknod.dfid, 3);
		CHECK_STR(d->tmknod.name, "null");
		CHECK_EQ(d->tmknod.mode, 020666);
		CHECK_EQ(d->tmknod.major, 1);
		CHECK_EQ(d->tmknod.minor, 3);
		CHECK_EQ(d->tmknod.gid, 0);
	}
	{
		MSG(P9_RMKNOD, 33);
		m.rmknod.qid = QIDV(0, 0, 79);
		struct p9_msg *d = RT(m, "Q", QARGS(0, 0, 79));
		CHECK_QID(d->rmknod.qid, 0, 0, 79);
	}
	{
		MSG(P9_TREADLINK, 34);
		m.treadlink.fid = 8;
		struct p9_msg *d = RT(m, "d", U32(8));
		CHECK_EQ(d->treadlink.fid, 8);
	}
	{
		MSG(P9_RREADLINK, 34);
		m.rreadlink.target = S("/abs/path");
		struct p9_msg *d = RT(m, "s", "/abs/path");
		CHECK_STR(d->rreadlink.target, "/abs/path");
	}
	{
		MSG(P9_TLINK, 35);
		m.tlink.dfid = 3;
		m.tlink.fid = 8;
		m.tlink.name = S("hard");
		struct p9_msg *d = RT(m, "dds", U32(3), U32(8), "hard");
		CHECK_EQ(d->tlink.dfid, 3);
		CHECK_EQ(d->tlink.fid, 8);
		CHECK_STR(d->tlink.name, "hard");
	}
	{
		MSG(P9_RLINK, 35);
		RT(m, "");
	}
	{
		MSG(P9_TRENAMEAT, 36);
		m.trenameat.olddirfid = 3;
		m.trenameat.oldname = S("a");
		m.trenameat.newdirfid = 4;
		m.trenameat.newname = S("bb");
		struct p9_msg *d = RT(m, "dsds", U32(3), "a", U32(4), "bb");
		CHECK_EQ(d->trenameat.olddirfid, 3);
		CHECK_STR(d->trenameat.oldname, "a");
		CHECK_EQ(d->trenameat.newdirfid, 4);
		CHECK_STR(d->trenameat.newname, "bb");
	}
	{
		MSG(P9_RRENAMEAT, 36);
		RT(m, "");
	}
	{
		MSG(P9_TUNLINKAT, 37);
		m.tunlinkat.dirfd = 3;
		m.tunlinkat.name = S("gone");
		m.tunlinkat.flags = P9_DOTL_AT_REMOVEDIR;
		struct p9_msg *d = RT(m, "dsd", U32(3), "gone", U32(0x200));
		CHECK_EQ(d->tunlinkat.dirfd, 3);
		CHECK_STR(d->tunlinkat.name, "gone");
		CHECK_EQ(d->tunlinkat.flags, 0x200);
	}
	{
		MSG(P9_RUNLINKAT, 37);
		RT(m, "");
	}
	{
		MSG(P9_TRENAME, 38);
		m.trename.fid = 8;
		m.trename.dfid = 4;
		m.trename.name = S("moved");
		struct p9_msg *d = RT(m, "dds", U32(8), U32(4), "moved");
		CHECK_EQ(d->trename.fid, 8);
		CHECK_EQ(d->trename.dfid, 4);
		CHECK_STR(d->trename.name, "moved");
	}
	{
		MSG(P9_RRENAME, 38);
		RT(m, "");
	}
}

static void test_lock(void)
{
	{
		MSG(P9_TLOCK, 40);
		m.tlock.fid = 5;
		m.tlock.type = P9_LOCK_TYPE_WRLCK;
		m.tlock.flags = P9_LOCK_FLAGS_BLOCK;
		m.tlock.start = 100;
		m.tlock.length = 0;
		m.tlock.proc_id = 4242;
		m.tlock.client_id = S("sandbox-1");
		/* Linux: "dbdqqds" */
		struct p9_msg *d = RT(m, "dbdqqds", U32(5), 1u, U32(1), U64(100), U64(0), U32(4242),
				      "sandbox-1");
		CHECK_EQ(d->tlock.fid, 5);
		CHECK_EQ(d->tlock.type, 1);
		CHECK_EQ(d->tlock.flags, 1);
		CHECK_EQ(d->tlock.start, 100);
		CHECK_EQ(d->tlock.length, 0);
		CHECK_EQ(d->tlock.proc_id, 4242);
		CHECK_STR(d->tlock.client_id, "sandbox-1");
	}
	{
		MSG(P9_RLOCK, 40);
		m.rlock.status = P9_LOCK_BLOCKED;
		struct p9_msg *d = RT(m, "b", 1u);
		CHECK_EQ(d->rlock.status, 1);
	}
	{
		MSG(P9_TGETLOCK, 41);
		m.tgetlock.fid = 5;
		m.tgetlock.type = P9_LOCK_TYPE_RDLCK;
		m.tgetlock.start = 1;
		m.tgetlock.length = 2;
		m.tgetlock.proc_id = 3;
		m.tgetlock.client_id = S("c");
		/* Linux: "dbqqds" */
		struct p9_msg *d = RT(m, "dbqqds", U32(5), 0u, U64(1), U64(2), U32(3), "c");
		CHECK_EQ(d->tgetlock.fid, 5);
		CHECK_EQ(d->tgetlock.type, 0);
		CHECK_EQ(d->tgetlock.start, 1);
		CHECK_EQ(d->tgetlock.length, 2);
		CHECK_EQ(d->tgetlock.proc_id, 3);
		CHECK_STR(d->tgetlock.client_id, "c");
	}
	{
		MSG(P9_RGETLOCK, 41);
		m.rgetlock.type = P9_LOCK_TYPE_UNLCK;
		m.rgetlock.start = 7;
		m.rgetlock.length = 8;
		m.rgetlock.proc_id = 9;
		m.rgetlock.client_id = S("other");
		/* Linux: "bqqds" */
		struct p9_msg *d = RT(m, "bqqds", 2u, U64(7), U64(8), U32(9), "other");
		CHECK_EQ(d->rgetlock.type, 2);
		CHECK_EQ(d->rgetlock.start, 7);
		CHECK_EQ(d->rgetlock.length, 8);
		CHECK_EQ(d->rgetlock.proc_id, 9);
		CHECK_STR(d->rgetlock.client_id, "other");
	}
}

/* ---- literal byte vectors (these also check build()) ---- */

static void expect_bytes(int line, const struct p9_msg *m, const uint8_t *want, size_t n)
{
	uint8_t out[256];
	ssize_t len = p9_encode(m, out, sizeof(out));
	struct p9_msg d;

	checks++;
	if (len != (ssize_t)n || memcmp(out, want, n)) {
		failures++;
		fprintf(stderr, "%s:%d: literal vector mismatch (got %zd bytes, want %zu)\n",
			__FILE__, line, len, n);
	}
	CHECK_EQ(decode_copy(want, n, &d, NULL), 0);
}

static void test_literal(void)
{
	{
		static const uint8_t v[] = {
			0x15, 0x00, 0x00, 0x00, 0x64, 0xff, 0xff,	/* size 21, Tversion, NOTAG */
			0x00, 0x20, 0x00, 0x00,				/* msize 8192 */
			0x08, 0x00, '9', 'P', '2', '0', '0', '0', '.', 'L',
		};
		MSG(P9_TVERSION, P9_NOTAG);
		m.tversion.msize = 8192;
		m.tversion.version = S("9P2000.L");
		expect_bytes(__LINE__, &m, v, sizeof(v));
		uint8_t b[64];
		CHECK_EQ(build(b, P9_TVERSION, P9_NOTAG, "ds", U32(8192), "9P2000.L"), sizeof(v));
		CHECK(!memcmp(b, v, sizeof(v)));
	}
	{
		static const uint8_t v[] = {
			0x0b, 0x00, 0x00, 0x00, 0x07, 0x34, 0x12,	/* Rlerror tag 0x1234 */
			0x02, 0x00, 0x00, 0x00,				/* ENOENT */
		};
		MSG(P9_RLERROR, 0x1234);
		m.rlerror.ecode = 2;
		expect_bytes(__LINE__, &m, v, sizeof(v));
	}
	{
		static const uint8_t v[] = {
			0x1a, 0x00, 0x00, 0x00, 0x6e, 0x01, 0x00,	/* size 26, Twalk tag 1 */
			0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,	/* fid 1 newfid 2 */
			0x02, 0x00,					/* nwname 2 */
			0x03, 0x00, 'e', 't', 'c',
			0x02, 0x00, 'o', 's',
		};
		MSG(P9_TWALK, 1);
		m.twalk.fid = 1;
		m.twalk.newfid = 2;
		m.twalk.nwname = 2;
		m.twalk.wname[0] = S("etc");
		m.twalk.wname[1] = S("os");
		expect_bytes(__LINE__, &m, v, sizeof(v));
	}
	{
		static const uint8_t v[] = {
			0x13, 0x00, 0x00, 0x00, 0x18, 0x02, 0x00,	/* size 19, Tgetattr tag 2 */
			0x07, 0x00, 0x00, 0x00,				/* fid 7 */
			0xff, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* P9_GETATTR_BASIC */
		};
		MSG(P9_TGETATTR, 2);
		m.tgetattr.fid = 7;
		m.tgetattr.request_mask = P9_GETATTR_BASIC;
		expect_bytes(__LINE__, &m, v, sizeof(v));
	}
	{
		static const uint8_t v[] = {
			0x27, 0x00, 0x00, 0x00, 0x34, 0x03, 0x00,	/* size 39, Tlock tag 3 */
			0x05, 0x00, 0x00, 0x00,				/* fid 5 */
			0x01,						/* type WRLCK */
			0x01, 0x00, 0x00, 0x00,				/* flags BLOCK */
			0x10, 0, 0, 0, 0, 0, 0, 0,			/* start 16 */
			0x20, 0, 0, 0, 0, 0, 0, 0,			/* length 32 */
			0x09, 0x00, 0x00, 0x00,				/* proc_id 9 */
			0x01, 0x00, 'h',				/* client_id "h" */
		};
		MSG(P9_TLOCK, 3);
		m.tlock.fid = 5;
		m.tlock.type = 1;
		m.tlock.flags = 1;
		m.tlock.start = 16;
		m.tlock.length = 32;
		m.tlock.proc_id = 9;
		m.tlock.client_id = S("h");
		expect_bytes(__LINE__, &m, v, sizeof(v));
	}
	{
		/* Rreaddir with one entry: qid[13] offset[8] type[1] name[s]. */
		static const uint8_t v[] = {
			0x25, 0x00, 0x00, 0x00, 0x29, 0x04, 0x00,	/* size 37, Rreaddir tag 4 */
			0x1a, 0x00, 0x00, 0x00,				/* count 26 */
			0x80, 0x01, 0x00, 0x00, 0x00,			/* qid DIR, version 1 */
			0x02, 0, 0, 0, 0, 0, 0, 0,			/*   path 2 */
			0x03, 0, 0, 0, 0, 0, 0, 0,			/* offset 3 */
			0x04,						/* DT_DIR */
			0x02, 0x00, 'a', 'b',
		};
		uint8_t ent[32];
		ssize_t n = p9_dirent_encode(ent, sizeof(ent), QIDV(P9_QTDIR, 1, 2), 3, 4, S("ab"));
		CHECK_EQ(n, 26);
		CHECK(!memcmp(ent, v + 11, 26));
		MSG(P9_RREADDIR, 4);
		m.rreaddir.count = n;
		m.rreaddir.data = ent;
		expect_bytes(__LINE__, &m, v, sizeof(v));
	}
	{
		/* Old diod clients send Tfsync without datasync: accepted as 0. */
		static const uint8_t v[] = {
			0x0b, 0x00, 0x00, 0x00, 0x32, 0x05, 0x00, 0x09, 0x00, 0x00, 0x00,
		};
		struct p9_msg d;
		CHECK_EQ(decode_copy(v, sizeof(v), &d, NULL), 0);
		CHECK_EQ(d.tfsync.fid, 9);
		CHECK_EQ(d.tfsync.datasync, 0);
	}
}

/* ---- rejection ---- */

static void test_truncation(void)
{
	struct p9_msg d;

	for (int i = 0; i < ncorpus; i++) {
		const uint8_t *b = corpus[i].b;
		size_t len = corpus[i].len;
		uint8_t *c = malloc(len + 1);
		int bad = 0;

		for (size_t k = 0; k < len; k++) {
			/* The size field still says len: disagrees with k. */
			if (decode_copy(b, k, &d, NULL) != -EBADMSG)
				bad++;
			if (k < P9_HDRSZ)
				continue;
			/* Size patched to k: now a field runs past the end. The one
			 * exception is Tfsync losing its whole optional datasync. */
			memcpy(c, b, k);
			put(c, k, 4);
			int r = decode_copy(c, k, &d, NULL);
			bool ok = corpus[i].type == P9_TFSYNC && k == len - 4;
			if (ok ? r != 0 : r != -EBADMSG) {
				bad++;
				fprintf(stderr, "%s truncated to %zu (size patched): %d\n",
					p9_type_name(corpus[i].type), k, r);
			}
		}
		/* One byte too many (size patched to match): trailing garbage. */
		memcpy(c, b, len);
		c[len] = 0;
		put(c, len + 1, 4);
		if (decode_copy(c, len + 1, &d, NULL) != -EBADMSG)
			bad++;
		/* Corrupted size fields on the intact message. */
		uint32_t sizes[] = { 0, 1, 6, 7, len - 1, len + 1, 0x7fffffff };
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			if (sizes[j] == len)
				continue;
			memcpy(c, b, len);
			put(c, sizes[j], 4);
			int want = sizes[j] > P9_MSIZE_MAX ? -EMSGSIZE : -EBADMSG;
			if (decode_copy(c, len, &d, NULL) != want) {
				bad++;
				fprintf(stderr, "%s with size %u: wrong error\n",
					p9_type_name(corpus[i].type), sizes[j]);
			}
			/* The header is still reported, for an Rlerror reply. */
			if (d.type != corpus[i].type || d.tag != (b[5] | b[6] << 8))
				bad++;
		}
		CHECK_EQ(bad, 0);
		free(c);
	}
	CHECK(ncorpus >= 60);
}

static void test_bad_fields(void)
{
	uint8_t b[4096];
	struct p9_msg d;
	size_t n;
	static const char nul_name[] = { 'a', 0, 'b' };

	/* Short headers. */
	for (size_t k = 0; k < P9_HDRSZ; k++) {
		CHECK_EQ(decode_copy((const uint8_t *)"\x07\0\0\0\x78\x01\0", k, &d, NULL), -EBADMSG);
		CHECK_EQ(d.tag, P9_NOTAG);
	}

	/* A string with a NUL inside: built by hand (build() uses strlen). */
	n = build(b, P9_TWALK, 1, "ddw", U32(1), U32(2), 1u);
	b[n++] = 3;
	b[n++] = 0;
	memcpy(b + n, nul_name, 3);
	n += 3;
	put(b, n, 4);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EINVAL);
	CHECK_EQ(d.type, P9_TWALK);
	CHECK_EQ(d.tag, 1);
	/* ... and p9_encode refuses to produce one. */
	{
		MSG(P9_TWALK, 1);
		m.twalk.nwname = 1;
		m.twalk.wname[0] = (struct p9_str){ nul_name, 3 };
		CHECK_EQ(p9_encode(&m, b, sizeof(b)), -EINVAL);
		m.twalk.wname[0] = (struct p9_str){ NULL, 3 };
		CHECK_EQ(p9_encode(&m, b, sizeof(b)), -EINVAL);
	}
	/* NUL in the last byte of an Rreadlink target and of a Tattach aname. */
	n = build(b, P9_RREADLINK, 1, "s", "abc");
	b[n - 1] = 0;
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EINVAL);
	n = build(b, P9_TATTACH, 1, "ddssd", U32(1), U32(P9_NOFID), "u", "x", U32(0));
	b[P9_HDRSZ + 4 + 4 + 2 + 1 + 2] = 0;	/* aname's byte */
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EINVAL);

	/* A string length running past the end. */
	n = build(b, P9_RREADLINK, 1, "s", "abc");
	put(b + P9_HDRSZ, 4, 2);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EBADMSG);
	put(b + P9_HDRSZ, 0xffff, 2);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EBADMSG);

	/* nwname / nwqid 17. */
	n = build(b, P9_TWALK, 1, "ddwsssssssssssssssss", U32(1), U32(2), 17u, "a", "a", "a", "a",
		  "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a");
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EINVAL);
	n = build(b, P9_TWALK, 1, "ddw", U32(1), U32(2), 0xffffu);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EINVAL);
	n = build(b, P9_RWALK, 1, "w", 17u);
	memset(b + n, 0, 17 * P9_QIDSZ);
	n += 17 * P9_QIDSZ;
	put(b, n, 4);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EINVAL);
	{
		MSG(P9_TWALK, 1);
		m.twalk.nwname = 17;
		CHECK_EQ(p9_encode(&m, b, sizeof(b)), -EINVAL);
		m.type = P9_RWALK;
		m.rwalk.nwqid = 17;
		CHECK_EQ(p9_encode(&m, b, sizeof(b)), -EINVAL);
	}
	/* nwname says 2, only one name there. */
	n = build(b, P9_TWALK, 1, "ddws", U32(1), U32(2), 2u, "a");
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EBADMSG);

	/* Rread / Twrite / Rreaddir counts larger and smaller than the data. */
	n = build(b, P9_RREAD, 1, "D", U32(10), "0123456789");
	put(b + P9_HDRSZ, 11, 4);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EBADMSG);
	put(b + P9_HDRSZ, 9, 4);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EBADMSG);
	put(b + P9_HDRSZ, 0xffffffff, 4);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EBADMSG);
	n = build(b, P9_TWRITE, 1, "dqD", U32(1), U64(0), U32(3), "abc");
	put(b + P9_TWRITE_HDRSZ - 4, 4, 4);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EBADMSG);
	n = build(b, P9_RREADDIR, 1, "D", U32(3), "abc");
	put(b + P9_HDRSZ, 0x80000000u, 4);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EBADMSG);

	/* Unknown and legacy types. */
	const uint8_t unknown[] = { 0, 1, P9_TLERROR, 10, 28, 99, P9_TERROR, P9_RERROR, P9_TOPEN,
				    P9_TCREATE, P9_TSTAT, P9_RWSTAT, 128, 255 };
	for (size_t i = 0; i < sizeof(unknown); i++) {
		n = build(b, unknown[i], 0x4321, "d", U32(1));
		CHECK_EQ(decode_copy(b, n, &d, NULL), -EOPNOTSUPP);
		CHECK_EQ(d.type, unknown[i]);
		CHECK_EQ(d.tag, 0x4321);
		struct p9_msg m = { .type = unknown[i] };
		CHECK_EQ(p9_encode(&m, b, sizeof(b)), -EINVAL);
		CHECK(p9_type_name(unknown[i]) == NULL);
	}
	CHECK(p9_type_name(P9_TWALK) && !strcmp(p9_type_name(P9_TWALK), "Twalk"));

	/* An oversized size field is -EMSGSIZE even with few bytes present. */
	n = build(b, P9_TCLUNK, 1, "d", U32(1));
	put(b, P9_MSIZE_MAX + 1, 4);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EMSGSIZE);
	put(b, 0xffffffff, 4);
	CHECK_EQ(decode_copy(b, n, &d, NULL), -EMSGSIZE);

	/* Framing. */
	n = build(b, P9_TCLUNK, 1, "d", U32(1));
	CHECK_EQ(p9_msg_size(b, 3, P9_MSIZE_DEFAULT), 0);
	CHECK_EQ(p9_msg_size(b, 4, P9_MSIZE_DEFAULT), n);
	CHECK_EQ(p9_msg_size(b, n, 10), -EMSGSIZE);
	put(b, 6, 4);
	CHECK_EQ(p9_msg_size(b, n, P9_MSIZE_DEFAULT), -EBADMSG);
}

static void test_max_sizes(void)
{
	static uint8_t big[P9_MSIZE_DEFAULT];
	static uint8_t *heap;
	static char name[65536];
	struct p9_msg d;
	ssize_t n;

	/* The largest Rread that fits a default msize, data read in place. */
	uint32_t count = P9_MSIZE_DEFAULT - P9_RREAD_HDRSZ;
	for (uint32_t i = 0; i < count; i++)
		ebuf[P9_RREAD_HDRSZ + i] = i * 7;
	{
		MSG(P9_RREAD, 9);
		m.rread.count = count;
		m.rread.data = ebuf + P9_RREAD_HDRSZ;
		n = p9_encode(&m, ebuf, P9_MSIZE_DEFAULT);
		CHECK_EQ(n, P9_MSIZE_DEFAULT);
		CHECK_EQ(p9_encode(&m, big, P9_MSIZE_DEFAULT - 1), -EMSGSIZE);
	}
	CHECK_EQ(decode_copy(ebuf, n, &d, &heap), 0);
	CHECK_EQ(d.rread.count, count);
	CHECK(((const uint8_t *)d.rread.data)[count - 1] == (uint8_t)((count - 1) * 7));
	free(heap);

	/* A Twrite of the maximum payload for msize (P9_IOHDRSZ slack). */
	{
		MSG(P9_TWRITE, 9);
		m.twrite.count = P9_MSIZE_DEFAULT - P9_IOHDRSZ;
		m.twrite.data = big;
		n = p9_encode(&m, ebuf, P9_MSIZE_DEFAULT);
		CHECK_EQ(n, P9_MSIZE_DEFAULT - 1);
		CHECK_EQ(decode_copy(ebuf, n, &d, NULL), 0);
		CHECK_EQ(d.twrite.count, P9_MSIZE_DEFAULT - P9_IOHDRSZ);
	}

	/* A 65535-byte string; one longer is refused, never truncated. */
	memset(name, 'x', 65535);
	name[65535] = 0;
	{
		MSG(P9_RREADLINK, 1);
		m.rreadlink.target = S(name);
		CHECK_EQ(m.rreadlink.target.len, 65535);
		n = p9_encode(&m, ebuf, sizeof(ebuf));
		CHECK_EQ(n, P9_HDRSZ + 2 + 65535);
		CHECK_EQ(decode_copy(ebuf, n, &d, NULL), 0);
		CHECK_EQ(d.rreadlink.target.len, 65535);
		char *longer = malloc(70000);
		memset(longer, 'y', 69999);
		longer[69999] = 0;
		m.rreadlink.target = S(longer);
		CHECK(m.rreadlink.target.s == NULL);
		CHECK_EQ(p9_encode(&m, ebuf, sizeof(ebuf)), -EINVAL);
		free(longer);
	}

	/* Encoding beyond P9_MSIZE_MAX is refused even with room. */
	{
		size_t cap = P9_MSIZE_MAX + 4096;
		uint8_t *huge = malloc(cap);
		MSG(P9_RREAD, 1);
		m.rread.count = P9_MSIZE_MAX - P9_RREAD_HDRSZ;
		m.rread.data = huge + P9_RREAD_HDRSZ;
		CHECK_EQ(p9_encode(&m, huge, cap), P9_MSIZE_MAX);
		m.rread.count++;
		CHECK_EQ(p9_encode(&m, huge, cap), -EMSGSIZE);
		free(huge);
	}
}

/* ---- dirents ---- */

static void test_dirents(void)
{
	uint8_t buf[256];
	const char *names[] = { ".", "..", "file-with-a-long-name.txt" };
	size_t off = 0, ends[3];
	struct p9_dirent de;

	for (int i = 0; i < 3; i++) {
		ssize_t n = p9_dirent_encode(buf + off, sizeof(buf) - off,
					     QIDV(i == 2 ? 0 : P9_QTDIR, i, 100 + i), 1000 + i,
					     i == 2 ? 8 : 4, S(names[i]));
		CHECK_EQ(n, P9_DIRENT_HDRSZ + strlen(names[i]));
		off += n;
		ends[i] = off;
	}
	/* Whole stream. */
	{
		const void *p = buf;
		size_t left = off;
		int i = 0, r;

		while ((r = p9_dirent_next(&p, &left, &de)) == 1) {
			CHECK(i < 3);
			if (i >= 3)
				break;
			CHECK_STR(de.name, names[i]);
			CHECK_QID(de.qid, i == 2 ? 0 : P9_QTDIR, i, 100 + i);
			CHECK_EQ(de.offset, 1000 + i);
			CHECK_EQ(de.type, i == 2 ? 8 : 4);
			i++;
		}
		CHECK_EQ(r, 0);
		CHECK_EQ(i, 3);
		CHECK_EQ(left, 0);
	}
	/* Every truncation: the whole entries come out, then -EBADMSG, and the
	 * cursor stays at the broken entry. */
	for (size_t k = 0; k <= off; k++) {
		uint8_t *c = malloc(k ? k : 1);
		memcpy(c, buf, k);
		const void *p = c;
		size_t left = k;
		int whole = 0, r;

		while ((r = p9_dirent_next(&p, &left, &de)) == 1)
			whole++;
		int want_whole = (k >= ends[2]) ? 3 : (k >= ends[1]) ? 2 : (k >= ends[0]) ? 1 : 0;
		bool at_end = k == 0 || k == ends[0] || k == ends[1] || k == ends[2];
		CHECK_EQ(whole, want_whole);
		CHECK_EQ(r, at_end ? 0 : -EBADMSG);
		if (!at_end) {
			CHECK(p == c + (want_whole ? ends[want_whole - 1] : 0));
			CHECK_EQ(left, k - (want_whole ? ends[want_whole - 1] : 0));
		}
		free(c);
	}
	/* A NUL inside a name, and an empty name. */
	{
		ssize_t n = p9_dirent_encode(buf, sizeof(buf), QIDV(0, 0, 1), 1, 8, S("abc"));
		buf[n - 2] = 0;
		const void *p = buf;
		size_t left = n;
		CHECK_EQ(p9_dirent_next(&p, &left, &de), -EINVAL);
		CHECK(p == buf);
		CHECK_EQ(left, n);
		n = p9_dirent_encode(buf, sizeof(buf), QIDV(0, 0, 1), 1, 8, S(""));
		CHECK_EQ(n, P9_DIRENT_HDRSZ);
		p = buf;
		left = n;
		CHECK_EQ(p9_dirent_next(&p, &left, &de), -EINVAL);
		/* A name length past the end. */
		n = p9_dirent_encode(buf, sizeof(buf), QIDV(0, 0, 1), 1, 8, S("abc"));
		put(buf + P9_DIRENT_HDRSZ - 2, 4, 2);
		p = buf;
		left = n;
		CHECK_EQ(p9_dirent_next(&p, &left, &de), -EBADMSG);
	}
	/* Encoding into too little room writes nothing and says -EMSGSIZE. */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(p9_dirent_encode(buf, P9_DIRENT_HDRSZ + 2, QIDV(0, 0, 1), 1, 8, S("abc")),
		 -EMSGSIZE);
	CHECK_EQ(buf[0], 0xaa);
	CHECK_EQ(p9_dirent_encode(buf, P9_DIRENT_HDRSZ + 3, QIDV(0, 0, 1), 1, 8, S("abc")),
		 P9_DIRENT_HDRSZ + 3);
	CHECK_EQ(p9_dirent_encode(buf, sizeof(buf), QIDV(0, 0, 1), 1, 8,
				  (struct p9_str){ "a\0b", 3 }), -EINVAL);
}

/* ---- string helpers ---- */

static void test_strings(void)
{
	char out[8];
	struct p9_str s = { "hello world", 5 };

	CHECK(p9_str_eq(s, "hello"));
	CHECK(!p9_str_eq(s, "hello world"));
	CHECK(!p9_str_eq(s, "hell"));
	CHECK(!p9_str_eq(s, "jello"));
	CHECK(p9_str_eq((struct p9_str){ NULL, 0 }, ""));
	CHECK_EQ(p9_str_copy(s, out, sizeof(out)), 5);
	CHECK(!strcmp(out, "hello"));
	CHECK_EQ(p9_str_copy(s, out, 6), 5);
	CHECK_EQ(p9_str_copy(s, out, 5), -ENAMETOOLONG);
	CHECK_EQ(p9_str_copy((struct p9_str){ "", 0 }, out, 1), 0);
	CHECK_EQ(out[0], 0);
	CHECK_EQ(p9_str_copy((struct p9_str){ "x", 1 }, out, 0), -ENAMETOOLONG);

	CHECK(p9_name_ok(S("a")));
	CHECK(p9_name_ok(S("...")));
	CHECK(p9_name_ok(S(".hidden")));
	CHECK(!p9_name_ok(S("")));
	CHECK(!p9_name_ok(S(".")));
	CHECK(!p9_name_ok(S("..")));
	CHECK(!p9_name_ok(S("a/b")));
	CHECK(!p9_name_ok(S("/")));
	CHECK(!p9_name_ok((struct p9_str){ "a\0b", 3 }));
	CHECK(!p9_name_ok((struct p9_str){ "..x", 2 }));	/* only ".." of it counts */
	CHECK(p9_name_ok((struct p9_str){ "..x", 3 }));
	CHECK(!p9_name_ok((struct p9_str){ NULL, 1 }));

	CHECK_EQ(S("abc").len, 3);
	CHECK(S(NULL).len == 0 && S(NULL).s == NULL);
}

int main(void)
{
	test_version_attach();
	test_walk();
	test_open_create_io();
	test_attr();
	test_dir_ops();
	test_lock();
	test_literal();
	test_truncation();
	test_bad_fields();
	test_max_sizes();
	test_dirents();
	test_strings();
	free(held);
	for (int i = 0; i < ncorpus; i++)
		free(corpus[i].b);
	printf("p9: %d checks, %d failed, %d messages truncated at every length\n", checks,
	       failures, ncorpus);
	return failures ? 1 : 0;
}
