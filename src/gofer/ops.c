// SPDX-License-Identifier: MIT
/*
 * The 9P2000.L requests the gofer serves. Rules every handler keeps (see
 * docs/gofer.md):
 *  - a path is never built from what the client sent: names are single
 *    components checked with p9_name_ok() and used relative to an fd the
 *    gofer holds (a fid's O_PATH fd or an export's root fd);
 *  - symlinks are never followed: walks use O_PATH|O_NOFOLLOW (openat2 with
 *    RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS where the
 *    kernel has it), creation uses O_EXCL|O_NOFOLLOW;
 *  - a read-only export answers EROFS to every modifying request and opens
 *    files O_RDONLY only;
 *  - only regular files and directories are opened (never a device node, a
 *    FIFO or a socket found in the tree: an image must not reach host devices).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "gofer/gofer.h"

ssize_t gofer_error(uint16_t tag, int err, uint8_t *out, size_t cap)
{
	struct p9_msg r = { .type = P9_RLERROR, .tag = tag };

	r.rlerror.ecode = err < 0 ? -err : err;
	if (r.rlerror.ecode == 0)
		r.rlerror.ecode = EIO;
	return p9_encode(&r, out, cap);
}

static ssize_t reply(struct p9_msg *r, uint8_t *out, size_t cap)
{
	ssize_t n = p9_encode(r, out, cap);

	return n < 0 ? gofer_error(r->tag, (int)n, out, cap) : n;
}

static struct p9_qid stat_qid(const struct stat *st)
{
	struct p9_qid q = { .type = P9_QTFILE, .version = 0, .path = st->st_ino };

	if (S_ISDIR(st->st_mode))
		q.type = P9_QTDIR;
	else if (S_ISLNK(st->st_mode))
		q.type = P9_QTSYMLINK;
	return q;
}

/* fstat of the file an fd (O_PATH or not) names, never following it. */
static int fd_stat(int fd, struct stat *st)
{
	return fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

/* A client's name as a C string, after the single-component check. */
static int get_name(struct p9_str s, char *buf)
{
	if (!p9_name_ok(s))
		return -EINVAL;
	return p9_str_copy(s, buf, NAME_MAX + 1) < 0 ? -ENAMETOOLONG : 0;
}

static int no_openat2;	/* the kernel lacks openat2: plain openat, same flags */

/*
 * One walk step: name (checked, one component) under dirfd, as an O_PATH fd
 * that does not follow a symlink (it names the symlink itself). openat2's
 * RESOLVE_BENEATH/NO_SYMLINKS/NO_MAGICLINKS add nothing for a single checked
 * component but are kept as a second lock. RESOLVE_NO_XDEV is not used: a
 * container root may have mounts inside it, and those are part of the export.
 */
static int walk_one(int dirfd, const char *name)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = -1;

	if (!__atomic_load_n(&no_openat2, __ATOMIC_RELAXED)) {
		fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		if (fd < 0 && errno == ENOSYS)
			__atomic_store_n(&no_openat2, 1, __ATOMIC_RELAXED);
		else
			return fd < 0 ? -errno : fd;
	}
	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Reopen the file an O_PATH fd names, through /proc/self/fd/N (the gofer's
 * own fd table, opened at start). This is safe: the magic link designates
 * the very inode the walk checked, nothing is resolved again by name, and
 * the caller only does it for regular files (checked first); the result is
 * compared with the O_PATH fd's dev/ino. The alternative, openat(parent,
 * name, O_NOFOLLOW), would need the parent and would reopen whatever the
 * name means by now.
 */
static int reopen(int pathfd, int flags, const struct stat *want)
{
	char num[16];
	struct stat st;
	int fd;

	snprintf(num, sizeof(num), "%d", pathfd);
	fd = openat(g_gofer.procfd, num, flags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_dev != want->st_dev || st.st_ino != want->st_ino) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/*
 * The fid's O_PATH fd, duplicated under its lock: Twalk onto itself and
 * Tlcreate replace a fid's fd, and a concurrent request must never use a
 * closed (and perhaps reused) fd number.
 */
static int fid_pathfd(struct fid *f)
{
	int fd;

	pthread_mutex_lock(&f->lock);
	fd = fcntl(f->pathfd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&f->lock);
	return fd < 0 ? -errno : fd;
}

static struct p9_msg rhdr(const struct p9_msg *req, uint8_t type)
{
	struct p9_msg r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.tag = req->tag;
	return r;
}

static const struct export *find_export(struct p9_str aname)
{
	char buf[4096], norm[4097];
	size_t len;

	if (aname.len == 0)
		return &g_gofer.exports[0];
	if (p9_str_copy(aname, buf, sizeof(buf)) < 0)
		return NULL;
	/* "ctl" and "/ctl" name the same volume; trailing slashes do not count. */
	snprintf(norm, sizeof(norm), "%s%s", buf[0] == '/' ? "" : "/", buf);
	len = strlen(norm);
	while (len > 1 && norm[len - 1] == '/')
		norm[--len] = '\0';
	for (int k = 0; k < g_gofer.nexports; k++)
		if (strcmp(g_gofer.exports[k].guest, norm) == 0)
			return &g_gofer.exports[k];
	return NULL;
}

static ssize_t h_attach(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RATTACH);
	const struct export *e = find_export(m->tattach.aname);
	struct stat st;
	int fd, err;

	if (!e)
		return gofer_error(m->tag, ENOENT, out, cap);
	fd = fcntl(e->rootfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return gofer_error(m->tag, errno, out, cap);
	err = fd_stat(fd, &st);
	if (err) {
		close(fd);
		return gofer_error(m->tag, err, out, cap);
	}
	err = fid_insert(c, m->tattach.fid, e, fd, P9_QTDIR);
	if (err)
		return gofer_error(m->tag, err, out, cap);
	r.rattach.qid = stat_qid(&st);
	return reply(&r, out, cap);
}

static ssize_t h_walk(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RWALK);
	struct fid *f = fid_get(c, m->twalk.fid);
	int cur, owned = -1, err = 0, i;
	uint8_t qtype;
	char name[NAME_MAX + 1];
	struct stat st;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	if (m->twalk.newfid == m->twalk.fid && m->twalk.nwname > 0) {
		/* Moving a fid in place: fine unless it is open (its open fd would
		 * name a different file). */
		pthread_mutex_lock(&f->lock);
		err = f->openfd >= 0 ? -EBUSY : 0;
		pthread_mutex_unlock(&f->lock);
		if (err)
			goto out;
	}
	owned = cur = fid_pathfd(f);
	if (cur < 0) {
		err = cur;
		goto out;
	}
	qtype = f->qtype;
	for (i = 0; i < m->twalk.nwname; i++) {
		int fd;

		err = get_name(m->twalk.wname[i], name);
		if (err)
			break;
		fd = walk_one(cur, name);
		if (fd < 0) {
			err = fd;
			break;
		}
		err = fd_stat(fd, &st);
		if (err) {
			close(fd);
			break;
		}
		close(owned);
		owned = cur = fd;
		r.rwalk.wqid[i] = stat_qid(&st);
		qtype = r.rwalk.wqid[i].type;
	}
	r.rwalk.nwqid = i;
	if (i < m->twalk.nwname) {
		/* The first step failed: an error; a later one: the qids so far, no newfid. */
		close(owned);
		if (i == 0)
			goto out;
		err = 0;
		goto send;
	}
	if (m->twalk.newfid == m->twalk.fid) {
		pthread_mutex_lock(&f->lock);
		close(f->pathfd);
		f->pathfd = owned;
		f->qtype = qtype;
		pthread_mutex_unlock(&f->lock);
	} else {
		err = fid_insert(c, m->twalk.newfid, f->exp, owned, qtype);
		if (err)
			goto out;
	}
send:
	fid_put(c, f);
	return reply(&r, out, cap);
out:
	fid_put(c, f);
	return gofer_error(m->tag, err, out, cap);
}

/* The open(2) flags a client may ask for; creation flags are the gofer's own. */
#define OPEN_FLAGS_ALLOWED (O_ACCMODE | O_TRUNC | O_APPEND | O_DSYNC | O_DIRECT | O_LARGEFILE | O_SYNC)

static int open_fid(struct conn *c, struct fid *f, uint32_t flags, struct stat *st)
{
	int acc = flags & O_ACCMODE, fd, err;

	if (acc == O_ACCMODE)
		return -EINVAL;
	if (f->exp->ro && (acc != O_RDONLY || (flags & O_TRUNC)))
		return -EROFS;
	if (f->openfd >= 0)
		return -EBUSY;
	err = fd_stat(f->pathfd, st);
	if (err)
		return err;
	if (S_ISDIR(st->st_mode)) {
		if (acc != O_RDONLY)
			return -EISDIR;
		/* "." under the directory's own O_PATH fd: no name involved. */
		fd = openat(f->pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	} else if (flags & O_DIRECTORY) {
		return -ENOTDIR;
	} else if (S_ISREG(st->st_mode)) {
		fd = reopen(f->pathfd, flags & OPEN_FLAGS_ALLOWED, st);
		if (fd < 0)
			return fd;
	} else if (S_ISLNK(st->st_mode)) {
		return -ELOOP;
	} else {
		return -EPERM;	/* devices, FIFOs, sockets of the tree */
	}
	f->openfd = fd;
	f->openflags = flags;
	return 0;
}

static ssize_t h_lopen(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap, int *donate)
{
	struct p9_msg r = rhdr(m, P9_RLOPEN);
	struct fid *f = fid_get(c, m->tlopen.fid);
	struct stat st;
	int err;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	pthread_mutex_lock(&f->lock);
	err = open_fid(c, f, m->tlopen.flags, &st);
	if (!err && c->donate && S_ISREG(st.st_mode))
		*donate = fcntl(f->openfd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&f->lock);
	fid_put(c, f);
	if (err)
		return gofer_error(m->tag, err, out, cap);
	r.rlopen.qid = stat_qid(&st);
	r.rlopen.iounit = 0;
	return reply(&r, out, cap);
}

/* The gid a client asked for on a new file, as far as the gofer may give it. */
static void set_gid(int fd, const char *name, uint32_t gid)
{
	if (geteuid() != 0 || gid == (uint32_t)-1 || gid == getegid())
		return;
	if (name)
		(void)!fchownat(fd, name, -1, gid, AT_SYMLINK_NOFOLLOW);
	else
		(void)!fchown(fd, -1, gid);
}

static ssize_t h_lcreate(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap, int *donate)
{
	struct p9_msg r = rhdr(m, P9_RLCREATE);
	struct fid *f = fid_get(c, m->tlcreate.fid);
	char name[NAME_MAX + 1];
	struct stat st;
	int err, fd = -1, pfd;
	uint32_t flags = m->tlcreate.flags;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	err = get_name(m->tlcreate.name, name);
	if (!err && f->exp->ro)
		err = -EROFS;
	if (!err && (flags & O_ACCMODE) == O_ACCMODE)
		err = -EINVAL;
	if (err)
		goto out;
	pthread_mutex_lock(&f->lock);
	if (f->openfd >= 0) {
		err = -EBUSY;
		goto unlock;
	}
	/* Always a new file: O_EXCL, so an existing node (a device, a symlink) is never opened. */
	fd = openat(f->pathfd, name, (flags & OPEN_FLAGS_ALLOWED) | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		    m->tlcreate.mode & 07777);
	if (fd < 0) {
		err = -errno;
		goto unlock;
	}
	set_gid(fd, NULL, m->tlcreate.gid);
	pfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (pfd < 0 || (err = fd_stat(fd, &st))) {
		err = pfd < 0 ? -errno : err;
		if (pfd >= 0)
			close(pfd);
		close(fd);
		goto unlock;
	}
	/* The fid now stands for the new file, open. */
	close(f->pathfd);
	f->pathfd = pfd;
	f->openfd = fd;
	f->openflags = flags;
	f->qtype = P9_QTFILE;
	if (c->donate)
		*donate = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	r.rlcreate.qid = stat_qid(&st);
unlock:
	pthread_mutex_unlock(&f->lock);
out:
	fid_put(c, f);
	return err ? gofer_error(m->tag, err, out, cap) : reply(&r, out, cap);
}

static int fid_openfd(struct fid *f)
{
	int fd;

	pthread_mutex_lock(&f->lock);
	fd = f->openfd;
	pthread_mutex_unlock(&f->lock);
	return fd;
}

static ssize_t h_read(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RREAD);
	struct fid *f = fid_get(c, m->tread.fid);
	size_t count = m->tread.count;
	ssize_t n;
	int fd;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	fd = fid_openfd(f);
	if (count > cap - P9_RREAD_HDRSZ)
		count = cap - P9_RREAD_HDRSZ;
	if (fd < 0)
		n = -EBADF;
	else if (m->tread.offset > (uint64_t)INT64_MAX)
		n = -EINVAL;
	else {
		/* Straight into the reply; p9_encode leaves data already in place. */
		n = pread(fd, out + P9_RREAD_HDRSZ, count, (off_t)m->tread.offset);
		if (n < 0)
			n = -errno;
	}
	fid_put(c, f);
	if (n < 0)
		return gofer_error(m->tag, (int)n, out, cap);
	r.rread.count = n;
	r.rread.data = out + P9_RREAD_HDRSZ;
	return reply(&r, out, cap);
}

static ssize_t h_write(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RWRITE);
	struct fid *f = fid_get(c, m->twrite.fid);
	ssize_t n;
	int fd;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	fd = fid_openfd(f);
	if (f->exp->ro)
		n = -EROFS;
	else if (fd < 0)
		n = -EBADF;
	else if (m->twrite.offset > (uint64_t)INT64_MAX)
		n = -EINVAL;
	else {
		n = pwrite(fd, m->twrite.data, m->twrite.count, (off_t)m->twrite.offset);
		if (n < 0)
			n = -errno;
	}
	fid_put(c, f);
	if (n < 0)
		return gofer_error(m->tag, (int)n, out, cap);
	r.rwrite.count = n;
	return reply(&r, out, cap);
}

static ssize_t h_clunk(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RCLUNK);
	int err = fid_remove(c, m->tclunk.fid);

	return err ? gofer_error(m->tag, err, out, cap) : reply(&r, out, cap);
}

/* Tremove needs the fid's parent and name, which the gofer does not keep:
 * Linux's client uses Tunlinkat first and only falls back on EOPNOTSUPP.
 * The fid is clunked either way, as the protocol says. */
static ssize_t h_remove(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	int err = fid_remove(c, m->tremove.fid);

	return gofer_error(m->tag, err ? err : -EOPNOTSUPP, out, cap);
}

static ssize_t h_getattr(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RGETATTR);
	struct fid *f = fid_get(c, m->tgetattr.fid);
	struct stat st;
	int err;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	pthread_mutex_lock(&f->lock);
	err = fd_stat(f->pathfd, &st);
	pthread_mutex_unlock(&f->lock);
	fid_put(c, f);
	if (err)
		return gofer_error(m->tag, err, out, cap);
	r.rgetattr.valid = P9_GETATTR_BASIC;
	r.rgetattr.qid = stat_qid(&st);
	r.rgetattr.mode = st.st_mode;
	r.rgetattr.uid = st.st_uid;
	r.rgetattr.gid = st.st_gid;
	r.rgetattr.nlink = st.st_nlink;
	r.rgetattr.rdev = st.st_rdev;
	r.rgetattr.size = st.st_size;
	r.rgetattr.blksize = st.st_blksize;
	r.rgetattr.blocks = st.st_blocks;
	r.rgetattr.atime_sec = st.st_atim.tv_sec;
	r.rgetattr.atime_nsec = st.st_atim.tv_nsec;
	r.rgetattr.mtime_sec = st.st_mtim.tv_sec;
	r.rgetattr.mtime_nsec = st.st_mtim.tv_nsec;
	r.rgetattr.ctime_sec = st.st_ctim.tv_sec;
	r.rgetattr.ctime_nsec = st.st_ctim.tv_nsec;
	return reply(&r, out, cap);
}

static int do_truncate(struct fid *f, const struct stat *st, uint64_t size)
{
	int fd, err = 0;

	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	if (size > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (f->openfd >= 0 && (f->openflags & O_ACCMODE) != O_RDONLY)
		return ftruncate(f->openfd, (off_t)size) ? -errno : 0;
	fd = reopen(f->pathfd, O_WRONLY, st);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, (off_t)size))
		err = -errno;
	close(fd);
	return err;
}

static int do_setattr(struct fid *f, const struct p9_msg *m)
{
	uint32_t v = m->tsetattr.valid;
	struct stat st;
	char num[16];
	int err = fd_stat(f->pathfd, &st);

	if (err)
		return err;
	snprintf(num, sizeof(num), "%d", f->pathfd);
	if (v & P9_SETATTR_MODE) {
		if (S_ISLNK(st.st_mode))
			return -EOPNOTSUPP;	/* Linux cannot chmod a symlink either */
		/* Through the gofer's own /proc/self/fd/N: the checked inode (see reopen()). */
		if (fchmodat(g_gofer.procfd, num, m->tsetattr.mode & 07777, 0))
			return -errno;
	}
	if (v & (P9_SETATTR_UID | P9_SETATTR_GID)) {
		uid_t uid = v & P9_SETATTR_UID ? (uid_t)m->tsetattr.uid : (uid_t)-1;
		gid_t gid = v & P9_SETATTR_GID ? (gid_t)m->tsetattr.gid : (gid_t)-1;

		if (fchownat(f->pathfd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
			return -errno;
	}
	if (v & P9_SETATTR_SIZE) {
		err = do_truncate(f, &st, m->tsetattr.size);
		if (err)
			return err;
	}
	if (v & (P9_SETATTR_ATIME | P9_SETATTR_MTIME)) {
		struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };

		/* ATIME alone: now; with ATIME_SET: the given time. Same for MTIME. */
		if (v & P9_SETATTR_ATIME) {
			ts[0].tv_nsec = UTIME_NOW;
			if (v & P9_SETATTR_ATIME_SET) {
				ts[0].tv_sec = m->tsetattr.atime_sec;
				ts[0].tv_nsec = m->tsetattr.atime_nsec;
			}
		}
		if (v & P9_SETATTR_MTIME) {
			ts[1].tv_nsec = UTIME_NOW;
			if (v & P9_SETATTR_MTIME_SET) {
				ts[1].tv_sec = m->tsetattr.mtime_sec;
				ts[1].tv_nsec = m->tsetattr.mtime_nsec;
			}
		}
		if (utimensat(f->pathfd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
			return -errno;
	}
	/* P9_SETATTR_CTIME alone: the kernel sets ctime on every change above. */
	return 0;
}

static ssize_t h_setattr(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RSETATTR);
	struct fid *f = fid_get(c, m->tsetattr.fid);
	int err;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	if (f->exp->ro) {
		err = -EROFS;
	} else {
		pthread_mutex_lock(&f->lock);
		err = do_setattr(f, m);
		pthread_mutex_unlock(&f->lock);
	}
	fid_put(c, f);
	return err ? gofer_error(m->tag, err, out, cap) : reply(&r, out, cap);
}

static uint8_t dtype_qtype(unsigned char t)
{
	return t == DT_DIR ? P9_QTDIR : t == DT_LNK ? P9_QTSYMLINK : P9_QTFILE;
}

/*
 * Treaddir: the offset is the d_off cookie of the last entry the client
 * got (0 at the start), so every request seeks there first: a listing
 * resumed from any offset continues where it was, whatever the fid's
 * current position.
 */
static ssize_t h_readdir(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RREADDIR);
	struct fid *f = fid_get(c, m->treaddir.fid);
	size_t count = m->treaddir.count, used = 0;
	size_t bufsz;
	char *buf = NULL;
	long n;
	int err = 0;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	if (count > cap - P9_RREADDIR_HDRSZ)
		count = cap - P9_RREADDIR_HDRSZ;
	bufsz = count < 65536 ? count : 65536;
	if (bufsz < 512)
		bufsz = 512;
	pthread_mutex_lock(&f->lock);
	if (f->openfd < 0 || f->qtype != P9_QTDIR) {
		err = f->openfd < 0 ? -EBADF : -ENOTDIR;
		goto out;
	}
	if (m->treaddir.offset > (uint64_t)INT64_MAX) {
		err = -EINVAL;
		goto out;
	}
	buf = malloc(bufsz);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	if (lseek(f->openfd, (off_t)m->treaddir.offset, SEEK_SET) < 0) {
		err = -errno;
		goto out;
	}
	/* More than one getdents only when a batch held nothing but "." and "..". */
	for (bool full = false; used == 0 && !full;) {
		n = syscall(SYS_getdents64, f->openfd, buf, bufsz);
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;	/* the end */
		for (long pos = 0; pos < n; pos += ((struct dirent64 *)(buf + pos))->d_reclen) {
			struct dirent64 *d = (struct dirent64 *)(buf + pos);
			struct p9_qid q = { .type = dtype_qtype(d->d_type), .path = d->d_ino };
			ssize_t k;

			/* "." and ".." are the client's business: it resolves ".." itself,
			 * and the export root's ".." is a host directory outside. */
			if (d->d_name[0] == '.' && (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
				continue;
			k = p9_dirent_encode(out + P9_RREADDIR_HDRSZ + used, count - used, q, (uint64_t)d->d_off,
					     d->d_type, p9_str_c(d->d_name));
			if (k == -EMSGSIZE) {
				/* The next request resumes from the last d_off sent. */
				full = true;
				if (used == 0)
					err = -EINVAL;	/* count too small for one entry */
				break;
			}
			if (k < 0) {
				err = (int)k;
				goto out;
			}
			used += k;
		}
	}
out:
	pthread_mutex_unlock(&f->lock);
	fid_put(c, f);
	free(buf);
	if (err)
		return gofer_error(m->tag, err, out, cap);
	r.rreaddir.count = used;
	r.rreaddir.data = out + P9_RREADDIR_HDRSZ;
	return reply(&r, out, cap);
}

static ssize_t h_statfs(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RSTATFS);
	struct fid *f = fid_get(c, m->tstatfs.fid);
	struct statfs s;
	int err;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	pthread_mutex_lock(&f->lock);
	err = fstatfs(f->pathfd, &s) ? -errno : 0;
	pthread_mutex_unlock(&f->lock);
	fid_put(c, f);
	if (err)
		return gofer_error(m->tag, err, out, cap);
	r.rstatfs.type = s.f_type;
	r.rstatfs.bsize = s.f_bsize;
	r.rstatfs.blocks = s.f_blocks;
	r.rstatfs.bfree = s.f_bfree;
	r.rstatfs.bavail = s.f_bavail;
	r.rstatfs.files = s.f_files;
	r.rstatfs.ffree = s.f_ffree;
	r.rstatfs.fsid = (uint64_t)(uint32_t)s.f_fsid.__val[0] | (uint64_t)(uint32_t)s.f_fsid.__val[1] << 32;
	r.rstatfs.namelen = s.f_namelen;
	return reply(&r, out, cap);
}

static ssize_t h_fsync(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RFSYNC);
	struct fid *f = fid_get(c, m->tfsync.fid);
	int fd, err;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	fd = fid_openfd(f);
	if (fd < 0)
		err = -EBADF;
	else
		err = (m->tfsync.datasync ? fdatasync(fd) : fsync(fd)) ? -errno : 0;
	fid_put(c, f);
	return err ? gofer_error(m->tag, err, out, cap) : reply(&r, out, cap);
}

static int lock_type(uint8_t t)
{
	return t == P9_LOCK_TYPE_RDLCK ? F_RDLCK : t == P9_LOCK_TYPE_WRLCK ? F_WRLCK : t == P9_LOCK_TYPE_UNLCK ? F_UNLCK : -1;
}

/*
 * Tlock/Tgetlock: open file description (OFD) locks on the fid's open fd.
 * Every fid of every client lives in this one process, so classic POSIX
 * locks would never conflict with each other; OFD locks conflict per open,
 * which is what two guest opens expect. A lock that would block answers
 * P9_LOCK_BLOCKED (Linux's client then retries): a worker never sleeps on it.
 */
static ssize_t h_lock(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RLOCK);
	struct fid *f = fid_get(c, m->tlock.fid);
	struct flock fl = { .l_whence = SEEK_SET };
	int fd, t = lock_type(m->tlock.type);
	int err = 0;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	fd = fid_openfd(f);
	fid_put(c, f);
	if (fd < 0)
		err = -EBADF;
	else if (t < 0 || m->tlock.start > (uint64_t)INT64_MAX || m->tlock.length > (uint64_t)INT64_MAX)
		err = -EINVAL;
	if (err)
		return gofer_error(m->tag, err, out, cap);
	fl.l_type = t;
	fl.l_start = (off_t)m->tlock.start;
	fl.l_len = (off_t)m->tlock.length;
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		r.rlock.status = P9_LOCK_SUCCESS;
	else if (errno == EAGAIN || errno == EACCES)
		r.rlock.status = P9_LOCK_BLOCKED;
	else
		r.rlock.status = P9_LOCK_ERROR;
	return reply(&r, out, cap);
}

static ssize_t h_getlock(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RGETLOCK);
	struct fid *f = fid_get(c, m->tgetlock.fid);
	struct flock fl = { .l_whence = SEEK_SET };
	int fd, t = lock_type(m->tgetlock.type);
	int err = 0;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	fd = fid_openfd(f);
	fid_put(c, f);
	if (fd < 0)
		err = -EBADF;
	else if (t < 0 || t == F_UNLCK || m->tgetlock.start > (uint64_t)INT64_MAX ||
		 m->tgetlock.length > (uint64_t)INT64_MAX)
		err = -EINVAL;
	if (!err) {
		fl.l_type = t;
		fl.l_start = (off_t)m->tgetlock.start;
		fl.l_len = (off_t)m->tgetlock.length;
		if (fcntl(fd, F_OFD_GETLK, &fl))
			err = -errno;
	}
	if (err)
		return gofer_error(m->tag, err, out, cap);
	r.rgetlock.type = fl.l_type == F_RDLCK ? P9_LOCK_TYPE_RDLCK : fl.l_type == F_WRLCK ? P9_LOCK_TYPE_WRLCK
											   : P9_LOCK_TYPE_UNLCK;
	r.rgetlock.start = fl.l_type == F_UNLCK ? m->tgetlock.start : (uint64_t)fl.l_start;
	r.rgetlock.length = fl.l_type == F_UNLCK ? m->tgetlock.length : (uint64_t)fl.l_len;
	r.rgetlock.proc_id = fl.l_type == F_UNLCK ? m->tgetlock.proc_id : (uint32_t)fl.l_pid;
	r.rgetlock.client_id = m->tgetlock.client_id;
	return reply(&r, out, cap);
}

/*
 * Directory-modifying requests: dfid's fd and one checked name. Returns the
 * directory fid (a reference) or NULL with *err set.
 */
static struct fid *dir_op_begin(struct conn *c, uint32_t dfid, struct p9_str s, char *name, int *err, int *dirfd)
{
	struct fid *d = fid_get(c, dfid);

	*err = 0;
	*dirfd = -1;
	if (!d) {
		*err = -EBADF;
		return NULL;
	}
	if (d->exp->ro)
		*err = -EROFS;
	else
		*err = get_name(s, name);
	if (!*err) {
		*dirfd = fid_pathfd(d);
		if (*dirfd < 0)
			*err = *dirfd;
	}
	if (*err) {
		fid_put(c, d);
		return NULL;
	}
	return d;
}

static void dir_op_end(struct conn *c, struct fid *d, int dirfd)
{
	if (dirfd >= 0)
		close(dirfd);
	fid_put(c, d);
}

/* Qid of dirfd/name just made (the name can only be raced by the host: the qid is then off, nothing else). */
static int made_qid(int dirfd, const char *name, struct p9_qid *q)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	*q = stat_qid(&st);
	return 0;
}

static ssize_t h_mkdir(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RMKDIR);
	char name[NAME_MAX + 1];
	int err;
	int dfd;
	struct fid *d = dir_op_begin(c, m->tmkdir.dfid, m->tmkdir.name, name, &err, &dfd);

	if (!d)
		return gofer_error(m->tag, err, out, cap);
	if (mkdirat(dfd, name, m->tmkdir.mode & 07777))
		err = -errno;
	else {
		set_gid(dfd, name, m->tmkdir.gid);
		err = made_qid(dfd, name, &r.rmkdir.qid);
	}
	dir_op_end(c, d, dfd);
	return err ? gofer_error(m->tag, err, out, cap) : reply(&r, out, cap);
}

static ssize_t h_symlink(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RSYMLINK);
	char name[NAME_MAX + 1], target[PATH_MAX];
	int err;
	int dfd;
	struct fid *d = dir_op_begin(c, m->tsymlink.fid, m->tsymlink.name, name, &err, &dfd);

	if (!d)
		return gofer_error(m->tag, err, out, cap);
	/* The target is stored, never followed by the gofer: any text is fine. */
	if (m->tsymlink.symtgt.len == 0)
		err = -ENOENT;
	else if (p9_str_copy(m->tsymlink.symtgt, target, sizeof(target)) < 0)
		err = -ENAMETOOLONG;
	else if (symlinkat(target, dfd, name))
		err = -errno;
	else {
		set_gid(dfd, name, m->tsymlink.gid);
		err = made_qid(dfd, name, &r.rsymlink.qid);
	}
	dir_op_end(c, d, dfd);
	return err ? gofer_error(m->tag, err, out, cap) : reply(&r, out, cap);
}

static ssize_t h_mknod(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RMKNOD);
	char name[NAME_MAX + 1];
	int err;
	int dfd;
	struct fid *d = dir_op_begin(c, m->tmknod.dfid, m->tmknod.name, name, &err, &dfd);
	mode_t mode = m->tmknod.mode;

	if (!d)
		return gofer_error(m->tag, err, out, cap);
	/* No device nodes on the host from a guest. */
	if (!S_ISREG(mode) && !S_ISFIFO(mode) && !S_ISSOCK(mode))
		err = S_ISCHR(mode) || S_ISBLK(mode) ? -EPERM : -EINVAL;
	else if (mknodat(dfd, name, (mode & S_IFMT) | (mode & 07777), 0))
		err = -errno;
	else {
		set_gid(dfd, name, m->tmknod.gid);
		err = made_qid(dfd, name, &r.rmknod.qid);
	}
	dir_op_end(c, d, dfd);
	return err ? gofer_error(m->tag, err, out, cap) : reply(&r, out, cap);
}

static ssize_t h_link(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RLINK);
	char name[NAME_MAX + 1];
	int err;
	int dfd;
	struct fid *d = dir_op_begin(c, m->tlink.dfid, m->tlink.name, name, &err, &dfd);
	struct fid *f;
	int ffd = -1;

	if (!d)
		return gofer_error(m->tag, err, out, cap);
	f = fid_get(c, m->tlink.fid);
	if (!f)
		err = -EBADF;
	else if (f->exp != d->exp)
		err = -EXDEV;
	else if (f->qtype == P9_QTDIR)
		err = -EPERM;
	else if ((ffd = fid_pathfd(f)) < 0)
		err = ffd;
	else if (linkat(ffd, "", dfd, name, AT_EMPTY_PATH))
		err = -errno;	/* AT_EMPTY_PATH links the fd's own inode (the gofer runs as root) */
	if (ffd >= 0)
		close(ffd);
	fid_put(c, f);
	dir_op_end(c, d, dfd);
	return err ? gofer_error(m->tag, err, out, cap) : reply(&r, out, cap);
}

static ssize_t h_renameat(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RRENAMEAT);
	char oldname[NAME_MAX + 1], newname[NAME_MAX + 1];
	int err, ofd, nfd;
	struct fid *od = dir_op_begin(c, m->trenameat.olddirfid, m->trenameat.oldname, oldname, &err, &ofd);
	struct fid *nd;

	if (!od)
		return gofer_error(m->tag, err, out, cap);
	nd = dir_op_begin(c, m->trenameat.newdirfid, m->trenameat.newname, newname, &err, &nfd);
	if (nd && nd->exp != od->exp)
		err = -EXDEV;
	else if (nd && renameat(ofd, oldname, nfd, newname))
		err = -errno;
	if (nd)
		dir_op_end(c, nd, nfd);
	dir_op_end(c, od, ofd);
	return err ? gofer_error(m->tag, err, out, cap) : reply(&r, out, cap);
}

static ssize_t h_unlinkat(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RUNLINKAT);
	char name[NAME_MAX + 1];
	int err;
	int dfd;
	struct fid *d = dir_op_begin(c, m->tunlinkat.dirfd, m->tunlinkat.name, name, &err, &dfd);

	if (!d)
		return gofer_error(m->tag, err, out, cap);
	if (m->tunlinkat.flags & ~(uint32_t)P9_DOTL_AT_REMOVEDIR)
		err = -EINVAL;
	else if (unlinkat(dfd, name, m->tunlinkat.flags & P9_DOTL_AT_REMOVEDIR ? AT_REMOVEDIR : 0))
		err = -errno;
	dir_op_end(c, d, dfd);
	return err ? gofer_error(m->tag, err, out, cap) : reply(&r, out, cap);
}

static ssize_t h_readlink(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap)
{
	struct p9_msg r = rhdr(m, P9_RREADLINK);
	struct fid *f = fid_get(c, m->treadlink.fid);
	char buf[PATH_MAX];
	ssize_t n;

	if (!f)
		return gofer_error(m->tag, EBADF, out, cap);
	pthread_mutex_lock(&f->lock);
	n = readlinkat(f->pathfd, "", buf, sizeof(buf));
	pthread_mutex_unlock(&f->lock);
	fid_put(c, f);
	if (n < 0)
		return gofer_error(m->tag, errno, out, cap);
	r.rreadlink.target.s = buf;
	r.rreadlink.target.len = (uint16_t)n;
	return reply(&r, out, cap);
}

ssize_t gofer_handle(struct conn *c, const struct p9_msg *m, uint8_t *out, size_t cap, int *donate_fd)
{
	*donate_fd = -1;
	switch (m->type) {
	case P9_TAUTH:
		/* No authentication: diod's clients read ENOENT as "not required". */
		return gofer_error(m->tag, ENOENT, out, cap);
	case P9_TATTACH:
		return h_attach(c, m, out, cap);
	case P9_TWALK:
		return h_walk(c, m, out, cap);
	case P9_TLOPEN:
		return h_lopen(c, m, out, cap, donate_fd);
	case P9_TLCREATE:
		return h_lcreate(c, m, out, cap, donate_fd);
	case P9_TREAD:
		return h_read(c, m, out, cap);
	case P9_TWRITE:
		return h_write(c, m, out, cap);
	case P9_TCLUNK:
		return h_clunk(c, m, out, cap);
	case P9_TREMOVE:
		return h_remove(c, m, out, cap);
	case P9_TGETATTR:
		return h_getattr(c, m, out, cap);
	case P9_TSETATTR:
		return h_setattr(c, m, out, cap);
	case P9_TREADDIR:
		return h_readdir(c, m, out, cap);
	case P9_TSTATFS:
		return h_statfs(c, m, out, cap);
	case P9_TFSYNC:
		return h_fsync(c, m, out, cap);
	case P9_TLOCK:
		return h_lock(c, m, out, cap);
	case P9_TGETLOCK:
		return h_getlock(c, m, out, cap);
	case P9_TMKDIR:
		return h_mkdir(c, m, out, cap);
	case P9_TSYMLINK:
		return h_symlink(c, m, out, cap);
	case P9_TMKNOD:
		return h_mknod(c, m, out, cap);
	case P9_TLINK:
		return h_link(c, m, out, cap);
	case P9_TRENAMEAT:
		return h_renameat(c, m, out, cap);
	case P9_TUNLINKAT:
		return h_unlinkat(c, m, out, cap);
	case P9_TREADLINK:
		return h_readlink(c, m, out, cap);
	case P9_TXATTRWALK:
	case P9_TXATTRCREATE:
		/* Extended attributes are not served (docs/gofer.md). */
		return gofer_error(m->tag, EOPNOTSUPP, out, cap);
	case P9_TRENAME:
		/* Needs the fid's parent; Linux's client uses Trenameat first. */
		return gofer_error(m->tag, EOPNOTSUPP, out, cap);
	default:
		/* Replies, and Tversion/Tflush (handled by the reader): not requests here. */
		return gofer_error(m->tag, EOPNOTSUPP, out, cap);
	}
}
