#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit suites built into ramchan.ko (kmod/kunit/, on kernels with
# CONFIG_KUNIT) ran when the module was loaded; report each of their cases
# as a TAP line, so that the kselftest run counts them. A suite that did
# not run at all, or a case that failed, fails.
ksft_skip=4
kunit=/sys/kernel/debug/kunit

[ -d /sys/kernel/debug/kunit ] ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ ! -d "$kunit" ]; then
	echo "1..0 # SKIP this kernel has no KUnit (the debug kernel has)"
	exit $ksft_skip
fi
if ! ls -d "$kunit"/ramchan_* >/dev/null 2>&1; then
	echo "1..1"
	echo "not ok 1 ramchan KUnit suites ran (none in $kunit: is ramchan.ko built with CONFIG_KUNIT?)"
	exit 1
fi

# Case lines of a suite's KTAP results: "    ok 3 name" / "    not ok 3 name".
cat "$kunit"/ramchan_*/results | awk '
	/^ *# Subtest: / { suite = $3; next }
	/^    (not )?ok [0-9]+ / {
		ok = ($1 == "ok")
		name = ok ? $3 : $4
		n++
		line[n] = (ok ? "ok " : "not ok ") n " " suite "." name
		if (!ok) failed++
	}
	END {
		print "1.." n
		for (i = 1; i <= n; i++) print line[i]
		exit failed ? 1 : (n ? 0 : 1)
	}'
