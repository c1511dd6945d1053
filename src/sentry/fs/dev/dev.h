/* SPDX-License-Identifier: MIT */
/* /dev: device nodes served by the Sentry. */
#pragma once
#include "sentry/fs/vfs.h"

/* Create the standard nodes in the (tmpfs) directory @dev. */
int dev_populate(struct dentry *dev);
