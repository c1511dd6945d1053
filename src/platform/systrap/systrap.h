/* SPDX-License-Identifier: MIT */
/* Sentry-side internals of the systrap platform. */
#pragma once
#include <stdint.h>

/* Fill @code (SYSTRAP_CODE_SIZE bytes) with what the stub maps at SYSTRAP_CODE. */
void systrap_build_code(uint8_t *code);
