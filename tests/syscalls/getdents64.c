// SPDX-License-Identifier: MIT
/*
 * getdents64(2): a directory lists ".", ".." and every entry exactly once
 * with the right d_type and inode, returns 0 at the end, lists again after
 * lseek(0), resumes correctly when the buffer holds only a few entries, and
 * forgets unlinked names; EINVAL for a buffer too small for one entry,
 * ENOTDIR on a file, EBADF on a bad descriptor.
 */
#include <dirent.h>

#include "harness.h"

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define NFILES	150

/*
 * Reads @fd to the end with @size-byte calls, counting every entry and each
 * "f<N>" in @seen[N]. Returns the count, or -1 if a call failed.
 */
static int count_entries(int fd, size_t size, int *seen)
{
	char buf[8192];
	int total = 0;
	long n, off;

	while ((n = syscall(SYS_getdents64, fd, buf, size)) > 0) {
		for (off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			int idx;

			if (d->d_name[0] == 'f' &&
			    sscanf(d->d_name, "f%d", &idx) == 1 && idx >= 0 &&
			    idx < NFILES)
				seen[idx]++;
			total++;
			off += d->d_reclen;
		}
	}
	return n < 0 ? -1 : total;
}

TEST(getdents64, lists_every_entry_once)
{
	const char *dir = tmp_path("d");
	static int seen[NFILES];
	char name[32];
	int dfd, i;

	CHECK(mkdir(dir, 0700));
	dfd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		close(CHECK(openat(dfd, name, O_RDWR | O_CREAT, 0600)));
	}
	memset(seen, 0, sizeof(seen));
	/* a small buffer forces many calls that must resume where they left off */
	EXPECT_RET(count_entries(dfd, 100, seen), NFILES + 2);
	for (i = 0; i < NFILES; i++)
		EXPECT_EQ(seen[i], 1);
	EXPECT_RET(syscall(SYS_getdents64, dfd, name, sizeof(name)), 0);
	CHECK(lseek(dfd, 0, SEEK_SET));
	memset(seen, 0, sizeof(seen));
	CHECK(unlinkat(dfd, "f7", 0));
	EXPECT_RET(count_entries(dfd, 8192, seen), NFILES + 1);
	EXPECT_EQ(seen[7], 0);
	EXPECT_EQ(seen[8], 1);
	close(dfd);
}

TEST(getdents64, types_and_inodes)
{
	const char *dir = tmp_path("d");
	char buf[4096];
	struct stat st;
	long n, off;
	int dfd, found = 0;

	CHECK(mkdir(dir, 0700));
	close(CHECK(open(tmp_path("d/file"), O_RDWR | O_CREAT, 0600)));
	CHECK(mkdir(tmp_path("d/sub"), 0700));
	CHECK(symlink("file", tmp_path("d/link")));
	dfd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	n = CHECK(syscall(SYS_getdents64, dfd, buf, sizeof(buf)));
	for (off = 0; off < n;) {
		struct linux_dirent64 *d = (void *)(buf + off);

		off += d->d_reclen;
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) {
			EXPECT_EQ(d->d_type, DT_DIR);
			found++;
			continue;
		}
		CHECK(fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW));
		EXPECT_EQ(d->d_ino, st.st_ino);
		if (!strcmp(d->d_name, "file"))
			EXPECT_EQ(d->d_type, DT_REG);
		else if (!strcmp(d->d_name, "sub"))
			EXPECT_EQ(d->d_type, DT_DIR);
		else if (!strcmp(d->d_name, "link"))
			EXPECT_EQ(d->d_type, DT_LNK);
		else
			EXPECT_STREQ(d->d_name, "(unexpected)");
		found++;
	}
	EXPECT_EQ(found, 5);
	close(dfd);
}

TEST(getdents64, empty_directory_has_dot_entries)
{
	const char *dir = tmp_path("d");
	int seen[NFILES] = { 0 };
	int dfd;

	CHECK(mkdir(dir, 0700));
	dfd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	EXPECT_RET(count_entries(dfd, 4096, seen), 2);
	close(dfd);
}

TEST(getdents64, errors)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int dfd = CHECK(open("/tmp", O_RDONLY | O_DIRECTORY));
	char buf[4096];

	EXPECT_ERRNO(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	EXPECT_ERRNO(syscall(SYS_getdents64, -1, buf, sizeof(buf)), EBADF);
	EXPECT_ERRNO(syscall(SYS_getdents64, dfd, buf, 1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getdents64, dfd, buf, 0), EINVAL);
	close(dfd);
	close(fd);
}
