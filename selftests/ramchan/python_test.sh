#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Python bindings (tools/python/ramchan, ctypes over libramchan.so.0)
# against the module: tools/python/tests run under unittest, one KTAP
# line per test. Skipped unless the guest has python3 (with ctypes) and
# the package, at $RAMCHAN_PYTHON (default /python). tools/check adds
#
#   --add /usr/bin/python3.11:/usr/bin/python3
#   --add /usr/lib/python3.11:/usr/lib/python3.11      (17.5 MB gzipped)
#   --add build/tools/libramchan.so.0:/usr/lib/libramchan.so.0
#   --add tools/python:/python
#
# or, by hand, the subset tools/python/stage-stdlib makes (5.7 MB, 1.5 MB gzipped):
#   --add build/python-stdlib/python3.11:/usr/lib/python3.11
KSFT_SKIP=4
pkg=${RAMCHAN_PYTHON:-/python}
py=$(command -v python3) || {
	echo "# SKIP: no python3 in the guest (see the head of $0)"
	exit $KSFT_SKIP
}
[ -f "$pkg/ramchan/__init__.py" ] && [ -d "$pkg/tests" ] || {
	echo "# SKIP: no ramchan Python package at $pkg (set RAMCHAN_PYTHON)"
	exit $KSFT_SKIP
}
"$py" -c 'import ctypes, unittest' 2>/dev/null || {
	echo "# SKIP: $py lacks ctypes or unittest"
	exit $KSFT_SKIP
}

# RAMCHAN_PY_REQUIRE: a missing /dev/ramchan fails instead of skipping.
cd "$pkg" && PYTHONPATH=$pkg${PYTHONPATH:+:$PYTHONPATH} RAMCHAN_PY_REQUIRE=1 \
	PYTHONDONTWRITEBYTECODE=1 exec "$py" - "$pkg/tests" <<'PY'
import sys, unittest

suite = unittest.defaultTestLoader.discover(sys.argv[1])
tests = []
def flatten(s):
    for t in s:
        flatten(t) if isinstance(t, unittest.TestSuite) else tests.append(t)
flatten(suite)

class Ktap(unittest.TestResult):
    n = 0
    skipped = 0
    def _line(self, test, ok, extra=""):
        Ktap.n += 1
        print("%s %d %s%s" % ("ok" if ok else "not ok", Ktap.n, test.id(),
                              extra), flush=True)
    def addSuccess(self, test):
        self._line(test, True)
    def addSkip(self, test, reason):
        Ktap.skipped += 1
        self._line(test, True, " # SKIP " + reason)
    def _bad(self, test, err, kind):
        for ln in self._exc_info_to_string(err, test).splitlines():
            print("# " + ln)
        self._line(test, False, " # " + kind)
    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._bad(test, err, "FAIL")
    def addError(self, test, err):
        super().addError(test, err)
        self._bad(test, err, "ERROR")
    def addExpectedFailure(self, test, err):
        self._line(test, True, " # expected failure")
    def addUnexpectedSuccess(self, test):
        self.failures.append((test, "unexpected success"))
        self._line(test, False, " # unexpected success")

print("TAP version 13")
print("1..%d" % len(tests))
res = Ktap()
for t in tests:
    t(res)
bad = len(res.failures) + len(res.errors)
print("# Totals: pass:%d fail:%d skip:%d"
      % (Ktap.n - bad - Ktap.skipped, bad, Ktap.skipped))
sys.exit(1 if bad else 0)
PY
