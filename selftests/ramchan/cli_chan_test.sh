#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The ramchan CLI's channel commands from a shell script: create, send,
# recv, open and unlink on rings and queues, as a user would type them,
# with busybox tools only. Needs root (or access to /dev/ramchan) and the
# ramchan CLI in PATH: tools/vm/run --add build/tools/ramchan:/usr/bin/ramchan.
# Every channel it makes is unlinked again, so the module unloads after.

DIR=$(dirname "$0")
. "$DIR/../kselftest/ktap_helpers.sh"

P=cli$$			# channel names: $P-ring, $P-q, ...
. "$DIR/cli_lib.sh"

# The number or string value of "KEY" in a one-line JSON object on stdin.
json_num() { sed -n 's/.*"'"$1"'": *\([0-9][0-9]*\).*/\1/p'; }
json_str() { sed -nE 's/.*"'"$1"'": *"(([^"\\]|\\.)*)".*/\1/p'; }

nl='
'

create_ring_prints_id_and_size_suffix_works() {
	id=$(create ring "$P-ring" --size 16K) || why "create failed" || return 1
	case $id in
	''|*[!0-9]*) why "id '$id' is not a number"; return 1 ;;
	esac
	d=/sys/kernel/ramchan/channel/$id
	[ "$(cat "$d/name")" = "$P-ring" ] || why "sysfs name: $(cat "$d/name")" || return 1
	[ "$(cat "$d/kind")" = ring ] || why "sysfs kind: $(cat "$d/kind")" || return 1
	[ "$(cat "$d/size")" = 16384 ] || why "16K ring has size $(cat "$d/size")"
}

create_mq_json() {
	out=$(create mq "$P-q" --depth 8 --msg-size 1K --json) ||
		why "create failed" || return 1
	id=$(echo "$out" | json_num id)
	[ -n "$id" ] || why "no id in: $out" || return 1
	[ "$(echo "$out" | json_str kind)" = mq ] || why "kind in: $out" || return 1
	[ "$(echo "$out" | json_str name)" = "$P-q" ] || why "name in: $out" || return 1
	d=/sys/kernel/ramchan/channel/$id
	[ "$(cat "$d/depth")" = 8 ] && [ "$(cat "$d/msg_size")" = 1024 ] ||
		why "sysfs depth $(cat "$d/depth") msg_size $(cat "$d/msg_size")"
}

create_taken_name_fails() {
	ramchan create ring "$P-ring" 2>"$T/err" && { why "created twice"; return 1; }
	grep -q "exists already" "$T/err" || why "no 'exists already' message"
}

ring_args_arrive_in_order() {
	ramchan send "$P-ring" one two three 2>"$T/err" || why "send failed" || return 1
	out=$(bounded ramchan recv "$P-ring" -n 3 --timeout 10 2>"$T/err") ||
		why "recv failed" || return 1
	[ "$out" = "one${nl}two${nl}three" ] || why "got: $out"
}

ring_stdin_lines_are_records() {
	printf 'alpha\nbeta gamma\nlast without newline' |
		ramchan send "$P-ring" 2>"$T/err" || why "send failed" || return 1
	out=$(bounded ramchan recv "$P-ring" -n 3 --timeout 10 2>"$T/err") ||
		why "recv failed" || return 1
	[ "$out" = "alpha${nl}beta gamma${nl}last without newline" ] || why "got: $out"
}

mq_echo_into_send() {
	echo hi | ramchan send "$P-q" 2>"$T/err" || why "send failed" || return 1
	out=$(bounded ramchan recv "$P-q" --timeout 10 2>"$T/err") || why "recv failed" || return 1
	[ "$out" = hi ] || why "got: $out"
}

mq_higher_priority_first() {
	ramchan send "$P-q" low --prio 1 2>"$T/err" &&
	ramchan send "$P-q" high --prio 9 2>>"$T/err" &&
	ramchan send "$P-q" --prio 5 mid 2>>"$T/err" &&
	ramchan send "$P-q" low2 --prio 1 2>>"$T/err" &&
	printf 'zero\n' | ramchan send "$P-q" 2>>"$T/err" || why "send failed" || return 1
	out=$(bounded ramchan recv "$P-q" -n 5 --timeout 10 2>"$T/err") || why "recv failed" || return 1
	[ "$out" = "high${nl}mid${nl}low${nl}low2${nl}zero" ] || why "got: $out"
}

mq_recv_json_fields() {
	ramchan send "$P-q" 'hello "world"' --prio 7 2>"$T/err" || why "send failed" || return 1
	out=$(bounded ramchan recv "$P-q" --json --timeout 10 2>"$T/err") || why "recv failed" || return 1
	[ "$(echo "$out" | json_num len)" = 13 ] || why "len in: $out" || return 1
	[ "$(echo "$out" | json_num prio)" = 7 ] || why "prio in: $out" || return 1
	[ "$(echo "$out" | json_str data)" = 'hello \"world\"' ] || why "data in: $out" || return 1
	! echo "$out" | grep -q base64 || why "base64 for text: $out"
}

mq_whole_stdin_is_one_message() {
	printf 'l1\nl2\n' | ramchan send "$P-q" --whole 2>"$T/err" || why "send failed" || return 1
	out=$(bounded ramchan recv "$P-q" -n 0 --nonblock --json 2>"$T/err") ||
		why "recv failed" || return 1
	[ "$(echo "$out" | wc -l)" = 1 ] || why "not one message: $out" || return 1
	[ "$(echo "$out" | json_num len)" = 6 ] || why "len in: $out" || return 1
	[ "$(echo "$out" | json_str data)" = 'l1\nl2\n' ] || why "data in: $out"
}

mq_binary_json_has_base64() {
	printf '\377\000x' | ramchan send "$P-q" --whole 2>"$T/err" || why "send failed" || return 1
	out=$(bounded ramchan recv "$P-q" --json --timeout 10 2>"$T/err") || why "recv failed" || return 1
	[ "$(echo "$out" | json_num len)" = 3 ] || why "len in: $out" || return 1
	[ "$(echo "$out" | json_str base64)" = /wB4 ] || why "base64 in: $out"
}

ring_recv_json_prio_zero() {
	ramchan send "$P-ring" record 2>"$T/err" || why "send failed" || return 1
	out=$(bounded ramchan recv "$P-ring" --json --timeout 10 2>"$T/err") || why "recv failed" || return 1
	[ "$(echo "$out" | json_num prio)" = 0 ] && [ "$(echo "$out" | json_num len)" = 6 ] &&
		[ "$(echo "$out" | json_str data)" = record ] || why "got: $out"
}

# NAME: an empty channel; recv --nonblock fails at once, saying so.
nonblock_recv_on_empty() {
	start=$(date +%s)
	out=$(bounded ramchan recv "$1" --nonblock 2>"$T/err")
	rc=$?
	end=$(date +%s)
	[ $rc = 1 ] || why "exit status $rc" || return 1
	[ -z "$out" ] || why "printed: $out" || return 1
	[ $((end - start)) -le 2 ] || why "took $((end - start)) s" || return 1
	grep -q empty "$T/err" || why "no 'empty' message"
}

recv_timeout_with_fewer_fails() {
	ramchan send "$P-q" only 2>"$T/err" || why "send failed" || return 1
	out=$(bounded ramchan recv "$P-q" -n 2 --timeout 0.5 2>"$T/err")
	rc=$?
	[ $rc = 1 ] || why "exit status $rc" || return 1
	[ "$out" = only ] || why "got: $out" || return 1
	grep -q "got 1 of 2" "$T/err" || why "no 'got 1 of 2' message"
}

recv_count_zero_drains() {
	ramchan send "$P-ring" a b c 2>"$T/err" || why "send failed" || return 1
	out=$(bounded ramchan recv "$P-ring" -n 0 --timeout 0.5 2>"$T/err") ||
		why "exit status $?" || return 1
	[ "$out" = "a${nl}b${nl}c" ] || why "got: $out"
}

recv_waits_for_a_later_send() {
	bounded ramchan recv "$P-q" --timeout 20 >"$T/late" 2>"$T/err" &
	pid=$!
	sleep 1
	ramchan send "$P-q" late 2>>"$T/err" || why "send failed" || return 1
	wait $pid || why "recv exit status $?" || return 1
	[ "$(cat "$T/late")" = late ] || why "got: $(cat "$T/late")"
}

full_queue_nonblock_send_fails() {
	create mq "$P-small" --depth 2 --msg-size 64 >/dev/null || why "create failed" || return 1
	ramchan send "$P-small" 1 2 2>"$T/err" || why "send of 2 failed" || return 1
	ramchan send "$P-small" 3 --nonblock 2>"$T/err" && { why "sent into a full queue"; return 1; }
	grep -q full "$T/err" || why "no 'full' message" || return 1
	ramchan send "$P-small" "$(printf '%065d' 0)" --timeout 1 2>"$T/err" &&
		{ why "sent 65 bytes to a queue of 64"; return 1; }
	grep -q "longer than" "$T/err" || why "no 'longer than' message"
}

ring_empty_record_refused() {
	ramchan send "$P-ring" '' 2>"$T/err" && { why "sent an empty record"; return 1; }
	grep -q "cannot be empty" "$T/err" || why "no 'cannot be empty' message"
}

open_runs_command_with_fd() {
	out=$(ramchan open "$P-q" -- sh -c 'echo "$RAMCHAN_FD $RAMCHAN_KIND"; [ -e /proc/self/fd/3 ]' 2>"$T/err") ||
		why "exit status $?" || return 1
	[ "$out" = "3 mq" ] || why "got: $out" || return 1
	out=$(ramchan open "$P-ring" --consumer --fd 7 -- sh -c 'echo $RAMCHAN_FD; [ -e /proc/self/fd/7 ]' 2>"$T/err") ||
		why "--fd 7: exit status $?" || return 1
	[ "$out" = 7 ] || why "--fd 7: got: $out"
}

open_fd_writes_ring_records() {
	ramchan open "$P-ring" -- sh -c 'printf viafd >&$RAMCHAN_FD' 2>"$T/err" ||
		why "write through the fd failed" || return 1
	out=$(bounded ramchan recv "$P-ring" --timeout 10 2>"$T/err") || why "recv failed" || return 1
	[ "$out" = viafd ] || why "got: $out"
}

open_missing_command_is_127() {
	ramchan open "$P-q" -- /nonexistent/cmd 2>"$T/err"
	rc=$?
	[ $rc = 127 ] || why "exit status $rc"
}

unlink_then_open_fails() {
	ramchan unlink "$P-ring" "$P-small" 2>"$T/err" || why "unlink failed" || return 1
	ramchan open "$P-ring" -- true 2>"$T/err" && { why "opened after unlink"; return 1; }
	grep -q "no channel called '$P-ring'" "$T/err" || why "no 'no channel called' message" || return 1
	ramchan recv "$P-ring" --nonblock 2>"$T/err" && { why "recv after unlink"; return 1; }
	ramchan unlink "$P-ring" 2>"$T/err" && { why "unlinked twice"; return 1; }
	return 0
}

no_device_says_load_the_module() {
	ramchan create ring "$P-x" --device /nonexistent 2>"$T/err"
	rc=$?
	[ $rc = 1 ] || why "exit status $rc" || return 1
	grep -q modprobe "$T/err" || why "no modprobe hint"
}

bad_arguments_exit_2() {
	for args in "create ring $P-x --size 12x" "create ring $P-x --size 3K" \
		    "create mq $P-x --overflow sideways" "create mq $P-x --depth many" \
		    "create pipe $P-x" "create ring" "create ring a/b" \
		    "create ring $P-x --mode 9" "send $P-q --prio -1" \
		    "send $P-q --prio 40000" "send $P-q --timeout soon" \
		    "recv $P-q -n many" "recv $P-q --nonblock --timeout 1" \
		    "recv" "open $P-q" "open $P-q --fd x -- true" "unlink" \
		    "send $P-q --bogus"; do
		# shellcheck disable=SC2086 # split the arguments
		ramchan $args </dev/null >/dev/null 2>"$T/err"
		rc=$?
		[ $rc = 2 ] || why "ramchan $args: exit status $rc" || return 1
		[ -s "$T/err" ] || why "ramchan $args: no message" || return 1
	done
}

help_and_version_everywhere() {
	for c in create unlink open send recv; do
		ramchan $c --help | grep -q "^usage: ramchan $c" || why "$c --help" || return 1
		ramchan $c -h >/dev/null || why "$c -h" || return 1
		ramchan $c --version | grep -q "^ramchan " || why "$c --version" || return 1
	done
}

ktap_set_plan 25

check "create ring prints its id; --size takes K" create_ring_prints_id_and_size_suffix_works
check "create mq --json gives id, kind, name" create_mq_json
check "create of a taken name fails with EEXIST" create_taken_name_fails
check "ring: argument records arrive in order" ring_args_arrive_in_order
check "ring: each stdin line is a record" ring_stdin_lines_are_records
check "mq: echo hi | ramchan send" mq_echo_into_send
check "mq: higher priority first, FIFO within one" mq_higher_priority_first
check "mq: recv --json len, prio, data" mq_recv_json_fields
check "mq: send --whole sends stdin as one message" mq_whole_stdin_is_one_message
check "mq: binary payload gets base64 in JSON" mq_binary_json_has_base64
check "ring: recv --json has prio 0" ring_recv_json_prio_zero
check "ring: recv --nonblock on empty fails at once" nonblock_recv_on_empty "$P-ring"
check "mq: recv --nonblock on empty fails at once" nonblock_recv_on_empty "$P-q"
check "recv -n 2 --timeout with one message exits 1" recv_timeout_with_fewer_fails
check "recv -n 0 drains until the timeout, exit 0" recv_count_zero_drains
check "recv waits for a send that comes later" recv_waits_for_a_later_send
check "send to a full queue --nonblock fails; too long fails" full_queue_nonblock_send_fails
check "ring: an empty record is refused" ring_empty_record_refused
check "open -- CMD sees RAMCHAN_FD (3, --fd 7)" open_runs_command_with_fd
check "open: a ring fd writes records" open_fd_writes_ring_records
check "open of a missing command exits 127" open_missing_command_is_127
check "unlink, then open and recv fail" unlink_then_open_fails
check "no device: says to load the module" no_device_says_load_the_module
check "bad arguments exit 2 with a message" bad_arguments_exit_2
check "--help and --version on every command" help_and_version_everywhere

ktap_finished
