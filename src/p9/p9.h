/* SPDX-License-Identifier: MIT */
/*
 * 9P2000.L message codec, shared by the Gofer (server) and the Sentry's
 * client. Wire layouts follow Linux include/net/9p/9p.h, net/9p/client.c
 * and diod's protocol description; every integer is little-endian.
 *
 * No allocation, no global state, no errno: functions return 0 / a length,
 * or a negative errno. Decoded strings and data payloads point into the
 * caller's buffer, which must outlive the struct p9_msg.
 *
 * What p9_decode() rejects, and with which error (docs/9p.md says more):
 *   -EBADMSG     structure: fewer than 7 bytes; size[4] < 7; size[4] != len
 *                (the caller frames one message with p9_msg_size() and
 *                passes exactly that many bytes); any field, string or
 *                payload running past the end; bytes left over after the
 *                last field; Rread/Rreaddir/Twrite count != bytes left.
 *   -EINVAL      a field value the protocol forbids: a string containing a
 *                NUL byte; Twalk nwname > 16; Rwalk nwqid > 16.
 *   -EMSGSIZE    size[4] > P9_MSIZE_MAX, whatever len is.
 *   -EOPNOTSUPP  a well-formed header whose type is not one of the
 *                9P2000.L messages listed below (legacy 9P2000/9P2000.u
 *                types such as Topen, Tstat, Rerror included; and Tlerror,
 *                which is never sent).
 * On every error at or after the header, out->type and out->tag hold the
 * header's values (so a server can answer Rlerror with the right tag);
 * with fewer than 7 bytes they are 0 / P9_NOTAG.
 * The only tolerated variation: Tfsync with or without datasync[4] (old
 * diod clients omit it; datasync then reads as 0).
 *
 * p9_encode() writes the whole message (header included) and returns its
 * length; -EMSGSIZE if it does not fit in cap (or exceeds P9_MSIZE_MAX),
 * -EINVAL if it holds something p9_decode() would reject (a string with a
 * NUL or with s == NULL and len > 0, nwname/nwqid > 16, an unknown type),
 * so whatever encodes also decodes. Payloads are copied with memmove, so
 * the data may already sit at its final place in buf (read straight into
 * buf + P9_RREAD_HDRSZ, then encode an Rread: no copy of note).
 */
#ifndef P9_P9_H
#define P9_P9_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Message types (Linux enum p9_msg_t). */
enum {
	P9_TLERROR = 6,
	P9_RLERROR,
	P9_TSTATFS = 8,
	P9_RSTATFS,
	P9_TLOPEN = 12,
	P9_RLOPEN,
	P9_TLCREATE = 14,
	P9_RLCREATE,
	P9_TSYMLINK = 16,
	P9_RSYMLINK,
	P9_TMKNOD = 18,
	P9_RMKNOD,
	P9_TRENAME = 20,
	P9_RRENAME,
	P9_TREADLINK = 22,
	P9_RREADLINK,
	P9_TGETATTR = 24,
	P9_RGETATTR,
	P9_TSETATTR = 26,
	P9_RSETATTR,
	P9_TXATTRWALK = 30,
	P9_RXATTRWALK,
	P9_TXATTRCREATE = 32,
	P9_RXATTRCREATE,
	P9_TREADDIR = 40,
	P9_RREADDIR,
	P9_TFSYNC = 50,
	P9_RFSYNC,
	P9_TLOCK = 52,
	P9_RLOCK,
	P9_TGETLOCK = 54,
	P9_RGETLOCK,
	P9_TLINK = 70,
	P9_RLINK,
	P9_TMKDIR = 72,
	P9_RMKDIR,
	P9_TRENAMEAT = 74,
	P9_RRENAMEAT,
	P9_TUNLINKAT = 76,
	P9_RUNLINKAT,
	P9_TVERSION = 100,
	P9_RVERSION,
	P9_TAUTH = 102,
	P9_RAUTH,
	P9_TATTACH = 104,
	P9_RATTACH,
	P9_TERROR = 106,	/* legacy; never valid */
	P9_RERROR,		/* legacy 9P2000; rejected (-EOPNOTSUPP) */
	P9_TFLUSH = 108,
	P9_RFLUSH,
	P9_TWALK = 110,
	P9_RWALK,
	P9_TOPEN = 112,		/* legacy 9P2000 from here on: rejected */
	P9_ROPEN,
	P9_TCREATE = 114,
	P9_RCREATE,
	P9_TREAD = 116,
	P9_RREAD,
	P9_TWRITE = 118,
	P9_RWRITE,
	P9_TCLUNK = 120,
	P9_RCLUNK,
	P9_TREMOVE = 122,
	P9_RREMOVE,
	P9_TSTAT = 124,
	P9_RSTAT,
	P9_TWSTAT = 126,
	P9_RWSTAT,
};

#define P9_NOTAG	0xffffu
#define P9_NOFID	0xffffffffu
#define P9_NONUNAME	0xffffffffu	/* n_uname "not given" */
#define P9_MAXWELEM	16		/* Twalk nwname / Rwalk nwqid bound */

/* Sizes. */
#define P9_HDRSZ		7	/* size[4] type[1] tag[2] */
#define P9_QIDSZ		13	/* type[1] version[4] path[8] */
#define P9_RREAD_HDRSZ		11	/* header + count[4]; data follows */
#define P9_RREADDIR_HDRSZ	11	/* header + count[4]; dirents follow */
#define P9_TWRITE_HDRSZ		23	/* header + fid[4] offset[8] count[4] */
#define P9_IOHDRSZ		24	/* Linux: msize - P9_IOHDRSZ = payload room */
#define P9_DIRENT_HDRSZ		24	/* qid[13] offset[8] type[1] len[2] */

/* Version negotiation. */
#define P9_VERSION_L		"9P2000.L"
#define P9_VERSION_CVISOR	"9P2000.L.cvisor"	/* + donated host fds */
#define P9_VERSION_UNKNOWN	"unknown"
#define P9_MSIZE_MIN		4096u
#define P9_MSIZE_DEFAULT	(512u * 1024)
#define P9_MSIZE_MAX		(8u * 1024 * 1024)	/* decode: size[4] above -> -EMSGSIZE */

/* Qid types. */
#define P9_QTDIR	0x80
#define P9_QTAPPEND	0x40
#define P9_QTEXCL	0x20
#define P9_QTMOUNT	0x10
#define P9_QTAUTH	0x08
#define P9_QTTMP	0x04
#define P9_QTSYMLINK	0x02
#define P9_QTLINK	0x01
#define P9_QTFILE	0x00

/* Tgetattr request_mask / Rgetattr valid. */
#define P9_GETATTR_MODE		0x00000001ull
#define P9_GETATTR_NLINK	0x00000002ull
#define P9_GETATTR_UID		0x00000004ull
#define P9_GETATTR_GID		0x00000008ull
#define P9_GETATTR_RDEV		0x00000010ull
#define P9_GETATTR_ATIME	0x00000020ull
#define P9_GETATTR_MTIME	0x00000040ull
#define P9_GETATTR_CTIME	0x00000080ull
#define P9_GETATTR_INO		0x00000100ull
#define P9_GETATTR_SIZE		0x00000200ull
#define P9_GETATTR_BLOCKS	0x00000400ull
#define P9_GETATTR_BTIME	0x00000800ull
#define P9_GETATTR_GEN		0x00001000ull
#define P9_GETATTR_DATA_VERSION	0x00002000ull
#define P9_GETATTR_BASIC	0x000007ffull	/* mode .. blocks */
#define P9_GETATTR_ALL		0x00003fffull

/* Tsetattr valid. */
#define P9_SETATTR_MODE		0x00000001u
#define P9_SETATTR_UID		0x00000002u
#define P9_SETATTR_GID		0x00000004u
#define P9_SETATTR_SIZE		0x00000008u
#define P9_SETATTR_ATIME	0x00000010u
#define P9_SETATTR_MTIME	0x00000020u
#define P9_SETATTR_CTIME	0x00000040u
#define P9_SETATTR_ATIME_SET	0x00000080u
#define P9_SETATTR_MTIME_SET	0x00000100u

/* Tlock / Tgetlock type, Tlock flags, Rlock status. */
#define P9_LOCK_TYPE_RDLCK	0
#define P9_LOCK_TYPE_WRLCK	1
#define P9_LOCK_TYPE_UNLCK	2
#define P9_LOCK_FLAGS_BLOCK	1
#define P9_LOCK_FLAGS_RECLAIM	2
#define P9_LOCK_SUCCESS		0
#define P9_LOCK_BLOCKED		1
#define P9_LOCK_ERROR		2
#define P9_LOCK_GRACE		3

/* Tlopen/Tlcreate flags are Linux open(2) flags on x86-64 (as Linux's
 * client sends them); Tunlinkat flags: AT_REMOVEDIR (0x200). */
#define P9_DOTL_AT_REMOVEDIR	0x200

struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

/* A 9P string: points into the message buffer, not NUL-terminated. */
struct p9_str {
	const char *s;
	uint16_t len;
};

/* Messages with no body (Rclunk, Rremove, Rsetattr, Rflush, Rxattrcreate,
 * Rfsync, Rlink, Rrename, Rrenameat, Runlinkat) have no union member. */
struct p9_msg {
	uint8_t type;
	uint16_t tag;
	union {
		struct { uint32_t msize; struct p9_str version; } tversion, rversion;
		struct { uint32_t afid; struct p9_str uname, aname; uint32_t n_uname; } tauth;
		struct { struct p9_qid aqid; } rauth;
		struct {
			uint32_t fid, afid;
			struct p9_str uname, aname;
			uint32_t n_uname;
		} tattach;
		struct { struct p9_qid qid; } rattach;
		struct { uint32_t ecode; } rlerror;
		struct { uint16_t oldtag; } tflush;
		struct {
			uint32_t fid, newfid;
			uint16_t nwname;
			struct p9_str wname[P9_MAXWELEM];
		} twalk;
		struct { uint16_t nwqid; struct p9_qid wqid[P9_MAXWELEM]; } rwalk;
		struct { uint32_t fid, flags; } tlopen;
		struct { struct p9_qid qid; uint32_t iounit; } rlopen, rlcreate;
		struct {
			uint32_t fid;
			struct p9_str name;
			uint32_t flags, mode, gid;
		} tlcreate;
		struct { uint32_t fid; uint64_t offset; uint32_t count; } tread;
		struct { uint32_t count; const void *data; } rread;
		struct {
			uint32_t fid;
			uint64_t offset;
			uint32_t count;
			const void *data;
		} twrite;
		struct { uint32_t count; } rwrite;
		struct { uint32_t fid; } tclunk, tremove, treadlink, tstatfs;
		struct {
			uint32_t type, bsize;
			uint64_t blocks, bfree, bavail, files, ffree, fsid;
			uint32_t namelen;
		} rstatfs;
		struct { uint32_t fid; uint64_t request_mask; } tgetattr;
		struct {
			uint64_t valid;
			struct p9_qid qid;
			uint32_t mode, uid, gid;
			uint64_t nlink, rdev, size, blksize, blocks;
			uint64_t atime_sec, atime_nsec;
			uint64_t mtime_sec, mtime_nsec;
			uint64_t ctime_sec, ctime_nsec;
			uint64_t btime_sec, btime_nsec;
			uint64_t gen, data_version;
		} rgetattr;
		struct {
			uint32_t fid, valid, mode, uid, gid;
			uint64_t size;
			uint64_t atime_sec, atime_nsec;
			uint64_t mtime_sec, mtime_nsec;
		} tsetattr;
		struct { uint32_t fid; uint64_t offset; uint32_t count; } treaddir;
		struct { uint32_t count; const void *data; } rreaddir;	/* raw dirents */
		struct {
			uint32_t dfid;
			struct p9_str name;
			uint32_t mode, gid;
		} tmkdir;
		struct { struct p9_qid qid; } rmkdir, rsymlink, rmknod;
		struct {
			uint32_t fid;
			struct p9_str name, symtgt;
			uint32_t gid;
		} tsymlink;
		struct {
			uint32_t dfid;
			struct p9_str name;
			uint32_t mode, major, minor, gid;
		} tmknod;
		struct { struct p9_str target; } rreadlink;
		struct { uint32_t dfid, fid; struct p9_str name; } tlink;
		struct {
			uint32_t olddirfid;
			struct p9_str oldname;
			uint32_t newdirfid;
			struct p9_str newname;
		} trenameat;
		struct { uint32_t dirfd; struct p9_str name; uint32_t flags; } tunlinkat;
		struct { uint32_t fid, dfid; struct p9_str name; } trename;
		struct { uint32_t fid, datasync; } tfsync;
		struct {
			uint32_t fid;
			uint8_t type;
			uint32_t flags;
			uint64_t start, length;
			uint32_t proc_id;
			struct p9_str client_id;
		} tlock;
		struct { uint8_t status; } rlock;
		struct {
			uint32_t fid;
			uint8_t type;
			uint64_t start, length;
			uint32_t proc_id;
			struct p9_str client_id;
		} tgetlock;
		struct {
			uint8_t type;
			uint64_t start, length;
			uint32_t proc_id;
			struct p9_str client_id;
		} rgetlock;
		struct { uint32_t fid, newfid; struct p9_str name; } txattrwalk;
		struct { uint64_t size; } rxattrwalk;
		struct {
			uint32_t fid;
			struct p9_str name;
			uint64_t attr_size;
			uint32_t flags;
		} txattrcreate;
	};
};

/* One readdir entry: qid[13] offset[8] type[1] name[s]. */
struct p9_dirent {
	struct p9_qid qid;
	uint64_t offset;	/* cookie for the next Treaddir */
	uint8_t type;		/* DT_* */
	struct p9_str name;
};

/*
 * Framing: with len bytes of a stream at buf, returns the total size of the
 * message they start (size[4], >= 7), or 0 if fewer than 4 bytes are there
 * yet; -EBADMSG if size[4] < 7, -EMSGSIZE if size[4] > msize.
 */
ssize_t p9_msg_size(const void *buf, size_t len, uint32_t msize);

/* Decode exactly one whole message of len bytes (see the top comment). */
int p9_decode(const void *buf, size_t len, struct p9_msg *out);

/* Encode m (header included) into buf; returns its length or -EMSGSIZE /
 * -EINVAL. */
ssize_t p9_encode(const struct p9_msg *m, void *buf, size_t cap);

/*
 * Append one dirent at buf (cap bytes of room); returns its length
 * (P9_DIRENT_HDRSZ + name.len), -EMSGSIZE if it does not fit (the caller
 * stops filling the Rreaddir there), -EINVAL for a name p9_decode() would
 * reject (NUL inside, or NULL with len > 0).
 */
ssize_t p9_dirent_encode(void *buf, size_t cap, struct p9_qid qid, uint64_t offset,
			 uint8_t type, struct p9_str name);

/*
 * Iterate the dirents of an Rreaddir payload: *p / *left describe what is
 * left and are advanced past the entry. Returns 1 with *d filled, 0 at the
 * end (*left == 0), -EBADMSG if an entry runs past the end, -EINVAL if its
 * name is empty or contains a NUL. Names are not otherwise judged: "." and
 * ".." are legal readdir entries; callers check '/' with p9_name_ok().
 * On error *p and *left are unchanged.
 */
int p9_dirent_next(const void **p, size_t *left, struct p9_dirent *d);

/* Strings. */
bool p9_str_eq(struct p9_str a, const char *s);
/* Copy with a NUL into buf; -ENAMETOOLONG if len + 1 > cap, else len. */
int p9_str_copy(struct p9_str a, char *buf, size_t cap);
/* A single path component: non-empty, no '/', no NUL, not "." or "..". */
bool p9_name_ok(struct p9_str a);
/* From a C string; one longer than 65535 gives {NULL, 0xffff}, which
 * p9_encode() rejects with -EINVAL (never a silent truncation). */
struct p9_str p9_str_c(const char *s);

/* "Twalk", "Rlerror", ... or NULL for an unknown type (for logs). */
const char *p9_type_name(uint8_t type);

#endif /* P9_P9_H */
