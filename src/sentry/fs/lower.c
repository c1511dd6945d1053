// SPDX-License-Identifier: MIT
/* What the lower layer implementations share (lower.h). */
#include <stdlib.h>
#include "platform/platform.h"
#include "sentry/fs/lower.h"
#include "sentry/kernel/kernel.h"

const struct lower_ops *g_lower;

void lower_dirents_free(struct lower_dirent *ents, size_t count)
{
	for (size_t k = 0; k < count; k++)
		free(ents[k].name);
	free(ents);
}

void lower_unlocked_begin(void)
{
	if (g_platform && g_platform->ops->will_block)
		g_platform->ops->will_block();
	kernel_unlock();
}

void lower_unlocked_begin_quick(void)
{
	kernel_unlock();
}

void lower_unlocked_end(void)
{
	kernel_lock();
}
