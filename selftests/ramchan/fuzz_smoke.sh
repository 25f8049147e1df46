#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A smoke run of ramchan-fuzz (tools/fuzz, `make fuzz` runs it for long):
# 60 s on a debug kernel (kmemleak present), 15 s elsewhere;
# $RAMCHAN_FUZZ_SECONDS overrides. Fails on a hang, an unkillable worker
# or unbalanced counters; the guest runner fails the run on any splat.
KSFT_SKIP=4
fuzz=$(command -v ramchan-fuzz) || {
	echo "# SKIP: ramchan-fuzz is not in the guest (tools/check adds it)"
	exit $KSFT_SKIP
}
secs=15
[ -e /sys/kernel/debug/kmemleak ] && secs=60
# No fd but stdio: the runner's status pipe (fd 3) and log (fd 4) are
# not for a fuzzer that writes to fd numbers at random.
exec "$fuzz" -s "${RAMCHAN_FUZZ_SECONDS:-$secs}" -q --hang 120 -S 42 3>&- 4>&-
