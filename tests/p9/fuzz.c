// SPDX-License-Identifier: MIT
/*
 * libFuzzer target over the 9P2000.L codec. Properties (abort() if broken):
 *  - p9_decode never reads past the input (ASan) and fails only with the
 *    documented errors;
 *  - what decodes re-encodes to the very same bytes (the one exception:
 *    a Tfsync without datasync comes back with datasync 0 appended), and
 *    decode -> encode -> decode -> encode is stable;
 *  - the dirent iterator, over the raw input and over every decoded
 *    Rreaddir payload, fails only with its documented errors and each entry
 *    it yields re-encodes to the bytes it consumed.
 * Most random inputs fail the size[4] == len check, so each input is also
 * tried with its size field patched to its length.
 */
#include "p9/p9.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_dirents(const void *buf, size_t len)
{
	const void *p = buf;
	size_t left = len;
	struct p9_dirent d;
	uint8_t tmp[P9_DIRENT_HDRSZ + 65535];
	size_t guard = len / P9_DIRENT_HDRSZ + 1;
	int r;

	while ((r = p9_dirent_next(&p, &left, &d)) == 1) {
		const uint8_t *start = (const uint8_t *)buf + (len - left) - (P9_DIRENT_HDRSZ + d.name.len);
		ssize_t n = p9_dirent_encode(tmp, sizeof(tmp), d.qid, d.offset, d.type, d.name);

		if (n != (ssize_t)(P9_DIRENT_HDRSZ + d.name.len) || memcmp(tmp, start, n))
			abort();
		if (!guard--)
			abort();	/* the iterator must make progress */
	}
	if (r != 0 && r != -EBADMSG && r != -EINVAL)
		abort();
	if (r == 0 && left != 0)
		abort();
}

static void check_msg(const uint8_t *b, size_t n)
{
	struct p9_msg m, m2;
	uint8_t *out, *out2;
	ssize_t e, e2;
	int r = p9_decode(b, n, &m);
	char name[64];

	if (r) {
		if (r != -EBADMSG && r != -EINVAL && r != -EMSGSIZE && r != -EOPNOTSUPP)
			abort();
		return;
	}
	out = malloc(n + 8);
	e = p9_encode(&m, out, n + 8);
	if (m.type == P9_TFSYNC && n == P9_HDRSZ + 4) {
		if (e != (ssize_t)n + 4 || memcmp(out + 4, b + 4, n - 4) || m.tfsync.datasync)
			abort();
	} else if (e != (ssize_t)n || memcmp(out, b, n)) {
		abort();
	}
	if (p9_decode(out, e, &m2))
		abort();
	out2 = malloc(e);
	e2 = p9_encode(&m2, out2, e);
	if (e2 != e || memcmp(out, out2, e))
		abort();
	free(out2);

	/* The helpers on what was decoded. */
	switch (m.type) {
	case P9_RREADDIR:
		check_dirents(m.rreaddir.data, m.rreaddir.count);
		break;
	case P9_TWALK:
		for (int i = 0; i < m.twalk.nwname; i++) {
			bool ok = p9_name_ok(m.twalk.wname[i]);

			if (ok && (!m.twalk.wname[i].len || memchr(m.twalk.wname[i].s, '/', m.twalk.wname[i].len)))
				abort();
			r = p9_str_copy(m.twalk.wname[i], name, sizeof(name));
			if (r >= 0 ? (r != m.twalk.wname[i].len || strlen(name) != (size_t)r) : r != -ENAMETOOLONG)
				abort();
		}
		break;
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_msg(data, size);
	if (size >= 4) {
		uint8_t *c = malloc(size);

		memcpy(c, data, size);
		c[0] = size & 0xff;
		c[1] = (size >> 8) & 0xff;
		c[2] = (size >> 16) & 0xff;
		c[3] = (size >> 24) & 0xff;
		check_msg(c, size);
		free(c);
	}
	check_dirents(data, size);
	ssize_t s = p9_msg_size(data, size, P9_MSIZE_DEFAULT);
	if (s != 0 && s != -EBADMSG && s != -EMSGSIZE && (s < P9_HDRSZ || s > P9_MSIZE_DEFAULT))
		abort();
	return 0;
}
