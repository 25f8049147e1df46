#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every ramchan-bench transport carries verified messages both ways: a
# short pingpong and stream at 8 B, 4 KiB and 256 KiB per mechanism, where
# each message is checked for length, sequence and checksum by the
# receiver. A size may only be refused as "unsupported: <reason>"; a lost,
# corrupt or failed run fails the test. Then: with the module unloaded, the
# ramchan transports are skipped with a clear reason and the others run.
# Needs ramchan-bench in PATH (tools/check puts it in the guest).

DIR=$(dirname "$0")
. "$DIR/../kselftest/ktap_helpers.sh"

BENCH=$(command -v ramchan-bench)
SIZES=8,4k,256k

ktap_print_header
if [ -z "$BENCH" ]; then
	ktap_skip_all "ramchan-bench is not in PATH"
	exit "$KSFT_SKIP"
fi
MECHS=$("$BENCH" -l | awk '$1 != "memcpy" { print $1 }')
ktap_set_plan $(($(echo "$MECHS" | wc -l) + 2))

# Results of one CSV: every row ok, or skipped as unsupported; at least
# the 8-byte rows ok. Prints what is wrong.
csv_ok() {
	awk -F, -v need_ok="$1" '
		/^#/ || /^mechanism,/ { next }
		{ rows++ }
		$4 == "ok" { ok++; if ($3 == 8) small++; next }
		$4 == "skipped" && $5 ~ /^"unsupported:/ { next }
		{ print "  " $1 " " $2 " " $3 " B: " $4 " " $5; bad++ }
		END {
			if (!rows) { print "  no results"; exit 1 }
			if (need_ok && small != 2) {
				print "  8-byte pingpong and stream not both ok"
				exit 1
			}
			exit bad ? 1 : 0
		}'
}

for m in $MECHS; do
	out=$("$BENCH" -q -m "$m" -s $SIZES -n 300 -b 4M -t 0.2 --csv 2>&1)
	if [ $? -eq 0 ] && echo "$out" | csv_ok 1; then
		ktap_test_pass "$m carries verified messages ($SIZES)"
	else
		echo "$out" | grep -v '^#' | sed 's/^/# /'
		ktap_test_fail "$m carries verified messages ($SIZES)"
	fi
done

# A bad option is an error with a message, not a run.
if ! "$BENCH" -m no-such-mechanism 2>&1 | grep -q "unknown mechanism" ||
   "$BENCH" -m no-such-mechanism >/dev/null 2>&1; then
	ktap_test_fail "an unknown mechanism is refused with a message"
else
	ktap_test_pass "an unknown mechanism is refused with a message"
fi

# Without the module: ramchan's transports are skipped with the reason.
# (A node left by `kmod static-nodes` would autoload the module: remove it;
# modprobe makes a new one.)
if grep -q '^ramchan ' /proc/modules && rmmod ramchan && rm -f /dev/ramchan; then
	out=$("$BENCH" -q -m ramchan-ring-spin,ramchan-mq,pipe -s 64 \
		-n 100 -b 1M -t 0.1 --csv 2>&1)
	rc=$?
	modprobe ramchan
	skipped=$(echo "$out" | grep -c '^ramchan-.*,skipped,".*module not loaded')
	piped=$(echo "$out" | grep -c '^pipe,.*,ok,')
	if [ $rc -eq 0 ] && [ "$skipped" -eq 4 ] && [ "$piped" -eq 2 ]; then
		ktap_test_pass "without the module, ramchan transports skip with the reason"
	else
		echo "$out" | sed 's/^/# /'
		ktap_test_fail "without the module, ramchan transports skip with the reason"
	fi
else
	ktap_test_skip "ramchan is not loaded or cannot be unloaded"
fi

ktap_finished
