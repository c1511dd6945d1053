/* SPDX-License-Identifier: MIT */
/* linux.seccomp compiled for the Sentry (seccomp.c). */
#pragma once
#include <stddef.h>
#include "runtime/oci/spec.h"

/* @sc as classic BPF: *prog holds *len 8-byte instructions (malloc'd); -1 with @err filled. */
int oci_seccomp_compile(const struct oci_seccomp *sc, void **prog, size_t *len, struct oci_error *err);
