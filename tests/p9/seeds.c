// SPDX-License-Identifier: MIT
/* Writes the p9 fuzzer's seed corpus into the directory argv[1]: one
 * message of every 9P2000.L type (zeroed fields), a few with real content,
 * and a raw dirent stream. */
#include "p9/p9.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nfiles;

static void emit(const char *dir, const void *b, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%03d", dir, nfiles++);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void emit_msg(const char *dir, const struct p9_msg *m)
{
	static uint8_t buf[65536];
	ssize_t n = p9_encode(m, buf, sizeof(buf));

	if (n < 0) {
		fprintf(stderr, "p9_seeds: encoding %s: %zd\n", p9_type_name(m->type), n);
		exit(1);
	}
	emit(dir, buf, n);
}

int main(int argc, char **argv)
{
	struct p9_msg m;
	uint8_t ents[256];
	size_t off = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: p9_seeds DIR\n");
		return 2;
	}
	for (int t = 0; t < 256; t++) {
		if (!p9_type_name(t))
			continue;
		memset(&m, 0, sizeof(m));
		m.type = t;
		m.tag = t;
		emit_msg(argv[1], &m);
	}

	off += p9_dirent_encode(ents + off, sizeof(ents) - off, (struct p9_qid){ P9_QTDIR, 0, 1 }, 1, 4, p9_str_c("."));
	off += p9_dirent_encode(ents + off, sizeof(ents) - off, (struct p9_qid){ P9_QTDIR, 0, 2 }, 2, 4, p9_str_c(".."));
	off += p9_dirent_encode(ents + off, sizeof(ents) - off, (struct p9_qid){ 0, 3, 3 }, 3, 8, p9_str_c("file"));
	emit(argv[1], ents, off);

	memset(&m, 0, sizeof(m));
	m.type = P9_RREADDIR;
	m.rreaddir.count = off;
	m.rreaddir.data = ents;
	emit_msg(argv[1], &m);

	memset(&m, 0, sizeof(m));
	m.type = P9_TWALK;
	m.twalk.fid = 1;
	m.twalk.newfid = 2;
	m.twalk.nwname = 3;
	m.twalk.wname[0] = p9_str_c("usr");
	m.twalk.wname[1] = p9_str_c("..");
	m.twalk.wname[2] = p9_str_c("a/b");
	emit_msg(argv[1], &m);

	memset(&m, 0, sizeof(m));
	m.type = P9_RWALK;
	m.rwalk.nwqid = 2;
	m.rwalk.wqid[0] = (struct p9_qid){ P9_QTDIR, 1, 2 };
	emit_msg(argv[1], &m);

	memset(&m, 0, sizeof(m));
	m.type = P9_TATTACH;
	m.tattach.afid = P9_NOFID;
	m.tattach.uname = p9_str_c("root");
	m.tattach.aname = p9_str_c("/");
	emit_msg(argv[1], &m);

	memset(&m, 0, sizeof(m));
	m.type = P9_TVERSION;
	m.tag = P9_NOTAG;
	m.tversion.msize = P9_MSIZE_DEFAULT;
	m.tversion.version = p9_str_c(P9_VERSION_CVISOR);
	emit_msg(argv[1], &m);

	memset(&m, 0, sizeof(m));
	m.type = P9_RREAD;
	m.rread.count = 5;
	m.rread.data = "hello";
	emit_msg(argv[1], &m);

	memset(&m, 0, sizeof(m));
	m.type = P9_TLOCK;
	m.tlock.type = P9_LOCK_TYPE_WRLCK;
	m.tlock.client_id = p9_str_c("client");
	emit_msg(argv[1], &m);

	memset(&m, 0, sizeof(m));
	m.type = P9_TRENAMEAT;
	m.trenameat.oldname = p9_str_c("old");
	m.trenameat.newname = p9_str_c("new");
	emit_msg(argv[1], &m);

	printf("p9_seeds: %d files in %s\n", nfiles, argv[1]);
	return 0;
}
