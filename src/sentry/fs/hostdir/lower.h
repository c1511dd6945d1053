/* SPDX-License-Identifier: MIT */
/*
 * The lower layer of the root filesystem: where the container's files come
 * from. Today it reads a host directory directly (temporary, until the
 * Gofer serves the image over 9P); tmpfs asks it for directory listings,
 * file contents and link targets the first time each is needed, so the
 * swap to the Gofer stays inside this interface.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct shmem;

int lower_init(const char *host_root);
/* Calls @fn for each entry of directory @rel ("" is the root), with lstat() data. */
int lower_list(const char *rel, void (*fn)(const char *name, const struct stat *st, void *arg), void *arg);
int lower_stat(const char *rel, struct stat *st);
/* Copy the whole file @rel (@size bytes) into @dst. */
int lower_read_file(const char *rel, struct shmem *dst, uint64_t size);
int lower_readlink(const char *rel, char *buf, size_t size);
