#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks that the script's own exit status (42, see 18-exit-code.status) is the sandbox's exit status.
PATH=/bin:/usr/bin
export PATH

echo "about to exit 42"
sh -c 'exit 42'
exit $?
