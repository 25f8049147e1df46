#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What the ramchan CLI tests share (cli_chan_test.sh, cli_nl_test.sh):
# sourced after ktap_helpers.sh with $P set to a prefix of channel names.
# Skips the whole test without the CLI or the module; gives a scratch
# directory $T, checks that say why they failed, a bound on commands that
# could block, and create(), which remembers every channel it makes so
# that the exit trap unlinks them (and ends the background jobs in $BG).

ktap_print_header
if ! command -v ramchan >/dev/null 2>&1; then
	ktap_skip_all "the ramchan CLI is not in PATH (add build/tools/ramchan:/usr/bin/ramchan)"
	exit "$KSFT_SKIP"
fi
if ! ramchan info >/dev/null 2>&1; then
	ktap_skip_all "ramchan info fails: is the module loaded?"
	exit "$KSFT_SKIP"
fi

T=$(mktemp -d) || exit "$KSFT_FAIL"
NAMES=
BG=			# background processes still to end
cleanup() {
	for p in $BG; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	for n in $NAMES; do
		ramchan unlink "$n" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

# Say why a check failed, as a diagnostic line.
why() { ktap_print_msg "$*"; [ -s "$T/err" ] && sed 's/^/#   stderr: /' "$T/err"; return 1; }

check() {
	desc=$1
	shift
	: > "$T/err"
	if "$@"; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc"
	fi
}

# Commands that would hang the run if they blocked get a bound.
bounded() {
	if command -v timeout >/dev/null 2>&1; then
		timeout 30 "$@"
	else
		"$@"
	fi
}

# create KIND NAME [OPTIONS]: the id on stdout; remembers the name.
create() {
	kind=$1 name=$2
	shift 2
	NAMES="$NAMES $name"
	ramchan create "$kind" "$name" "$@" 2>>"$T/err"
}
