// SPDX-License-Identifier: MIT
/*
 * execve(2) failures, each leaving the caller running unchanged: ENOEXEC
 * for an executable file that is neither ELF nor "#!" (text, an empty file,
 * an ELF header with nothing behind it), ENOENT for a "#!" script whose
 * interpreter is missing and for a missing file, EACCES for a file without
 * any execute bit (even for root), ENOTDIR for a path through a file.
 */
#include "harness.h"

static char *const empty_envp[] = { NULL };

static const char *make_file(const char *name, const void *data, size_t size,
			     mode_t mode)
{
	const char *path = tmp_path(name);
	int fd = CHECK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600));

	if (size)
		CHECK(write(fd, data, size));
	CHECK(fchmod(fd, mode));
	close(fd);
	return path;
}

static long try_exec(const char *path)
{
	char *argv[] = { (char *)path, NULL };

	return execve(path, argv, empty_envp);
}

TEST(execve_enoexec, text_file)
{
	static const char text[] = "this is not a program\n";
	const char *path = make_file("text", text, sizeof(text) - 1, 0755);

	EXPECT_ERRNO(try_exec(path), ENOEXEC);
}

TEST(execve_enoexec, empty_file)
{
	const char *path = make_file("empty", "", 0, 0755);

	EXPECT_ERRNO(try_exec(path), ENOEXEC);
}

TEST(execve_enoexec, bare_elf_header)
{
	unsigned char elf[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	const char *path = make_file("elf", elf, sizeof(elf), 0755);

	EXPECT_ERRNO(try_exec(path), ENOEXEC);
}

TEST(execve_enoexec, garbage_bytes)
{
	unsigned char junk[4096];
	const char *path;
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	junk[0] = 0x01;
	path = make_file("junk", junk, sizeof(junk), 0755);
	EXPECT_ERRNO(try_exec(path), ENOEXEC);
}

TEST(execve_enoexec, missing_interpreter_is_enoent)
{
	static const char text[] = "#!/nonexistent/interpreter\n";
	const char *path = make_file("script", text, sizeof(text) - 1, 0755);

	EXPECT_ERRNO(try_exec(path), ENOENT);
}

TEST(execve_enoexec, no_execute_bit_is_eacces)
{
	static const char text[] = "#!/bin/sh\n";
	const char *path = make_file("noexec", text, sizeof(text) - 1, 0644);

	EXPECT_ERRNO(try_exec(path), EACCES);
	CHECK(chmod(path, 0));
	EXPECT_ERRNO(try_exec(path), EACCES);
}

TEST(execve_enoexec, missing_paths)
{
	make_file("f", "x", 1, 0755);
	EXPECT_ERRNO(try_exec(tmp_path("missing")), ENOENT);
	EXPECT_ERRNO(try_exec(tmp_path("f/x")), ENOTDIR);
	EXPECT_ERRNO(try_exec(""), ENOENT);
	EXPECT_TRUE(getpid() > 0);
}
