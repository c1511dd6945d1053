#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print the closing 'N passed, N failed' line from meson's test log."""
import json
import sys

passed = failed = skipped = 0
for line in open(sys.argv[1]):
    result = json.loads(line)["result"]
    if result in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif result == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
