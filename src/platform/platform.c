// SPDX-License-Identifier: MIT
/* Platform registry: name -> ops table. */
#define _GNU_SOURCE
#include <string.h>
#include "platform/platform.h"

static const struct platform_ops *const platforms[] = {
	&ptrace_platform_ops,
	&systrap_platform_ops,
};

const struct platform_ops *platform_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (strcmp(platforms[i]->name, name) == 0)
			return platforms[i];
	return NULL;
}
