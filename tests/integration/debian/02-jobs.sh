#!/bin/bash
# SPDX-License-Identifier: MIT
# Job control in a script: background jobs, wait, kill %1, traps and signals to ourselves.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
sleep 5 & kill %1; wait %1; echo "killed job: $?"
(sleep 0.1; exit 4) & wait $!; echo "waited job: $?"
for i in 1 2 3; do (echo "job $i" > /tmp/job.$i) & done; wait; cat /tmp/job.1 /tmp/job.2 /tmp/job.3; rm -f /tmp/job.*; echo "all done"
trap 'echo "trapped USR1"' USR1
kill -USR1 $$
trap - USR1
bash -c 'kill -TERM $$'; echo "child killed by TERM: $?"
bash -c 'exit 7'; echo "child exit: $?"
timeout 0.2 sleep 5; echo "timeout: $?"
