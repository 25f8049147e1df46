#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The ramchan CLI's netlink commands from a shell script: list, stat,
# monitor, top and info, against channels the test makes with the channel
# commands (create, send, recv, open, unlink), with busybox tools only.
# The JSON is parsed (by an awk parser below), not grepped. Needs root (or
# access to /dev/ramchan) and the ramchan CLI in PATH:
# tools/vm/run --add build/tools/ramchan:/usr/bin/ramchan.
# Every channel it makes is unlinked again, so the module unloads after.

DIR=$(dirname "$0")
. "$DIR/../kselftest/ktap_helpers.sh"

P=nl$$			# channel names: $P-ring, $P-q, ...
. "$DIR/cli_lib.sh"
if ! ramchan list >/dev/null 2>&1; then
	ktap_skip_all "ramchan list fails: the module has no netlink family?"
	exit "$KSFT_SKIP"
fi

# ---- JSON ---------------------------------------------------------------------

# A JSON parser: the document on stdin becomes one PATH=VALUE line per
# scalar ('[0].name="r1"', '.stats.channels=2', '.flags=[]'), strings with
# their quotes and escapes as written; exit status 1 on a syntax error.
# With -v lines=1 each input line is a document, paths from [LINE-1].
cat > "$T/json.awk" <<'EOF'
function fail(m) {
	printf "json: %s at offset %d: %.30s\n", m, p, substr(s, p) > "/dev/stderr"
	bad = 1
	exit 1
}
function ws() { while (p <= n && index(" \t\n\r", substr(s, p, 1))) p++ }
function str(   c, start) {
	start = p++
	while (p <= n) {
		c = substr(s, p, 1)
		if (c == "\\") { p += 2; continue }
		if (c == "\"") { p++; return substr(s, start, p - start) }
		if (c < " ") fail("control character in a string")
		p++
	}
	fail("unterminated string")
}
function value(path,   c, k, i, rest) {
	ws()
	c = substr(s, p, 1)
	if (c == "{") {
		p++; ws()
		if (substr(s, p, 1) == "}") { p++; print path "={}"; return }
		for (;;) {
			ws()
			if (substr(s, p, 1) != "\"") fail("expected a key")
			k = str(); ws()
			if (substr(s, p, 1) != ":") fail("expected :")
			p++
			value(path "." substr(k, 2, length(k) - 2))
			ws(); c = substr(s, p++, 1)
			if (c == "}") return
			if (c != ",") fail("expected , or }")
		}
	}
	if (c == "[") {
		p++; ws(); i = 0
		if (substr(s, p, 1) == "]") { p++; print path "=[]"; return }
		for (;;) {
			value(path "[" i++ "]")
			ws(); c = substr(s, p++, 1)
			if (c == "]") return
			if (c != ",") fail("expected , or ]")
		}
	}
	if (c == "\"") { print path "=" str(); return }
	rest = substr(s, p, 40)
	if (match(rest, /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/) ||
	    match(rest, /^(true|false|null)/)) {
		print path "=" substr(rest, 1, RLENGTH)
		p += RLENGTH
		return
	}
	fail("unexpected input")
}
function doc(text, path) {
	s = text; n = length(s); p = 1
	value(path); ws()
	if (p <= n) fail("trailing input")
}
lines { if ($0 != "") doc($0, "[" NR - 1 "]"); next }
{ all = all $0 "\n" }
END { if (bad) exit 1; if (!lines) doc(all, ""); if (bad) exit 1 }
EOF

# jparse FILE [lines]: parse the JSON in FILE into FILE.flat; 1 when it is not JSON.
jparse() {
	awk -v lines="${2:+1}" -f "$T/json.awk" "$1" >"$1.flat" 2>>"$T/err"
}

# jget FILE PATH: the value at PATH of FILE's parse (strings in quotes).
jget() {
	awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$1.flat"
}

# jfind FILE ARRAY NAME: the index in array ARRAY (the top level: "") of
# the object whose "name" is NAME; nothing when none is.
jfind() {
	awk -v a="$2" -v want="\"$3\"" '{
		eq = index($0, "="); k = substr($0, 1, eq - 1)
		if (substr(k, 1, length(a) + 1) != a "[" || substr($0, eq + 1) != want)
			next
		i = substr(k, length(a) + 2); sub(/\].*/, "", i)
		if (k == a "[" i "].name") { print i; exit }
	}' "$1.flat"
}

# Is the number $1 above zero?
positive() { awk -v x="$1" 'BEGIN { exit !(x + 0 > 0) }'; }

# ---- background processes ------------------------------------------------------

# Wait at most SEC seconds for background PID to end (then kill it): its
# exit status.
wait_bounded() {
	n=$(($2 * 10))
	while [ $n -gt 0 ]; do
		st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
		[ -z "$st" ] || [ "$st" = Z ] && break
		sleep 0.1
		n=$((n - 1))
	done
	[ $n -gt 0 ] || { ktap_print_msg "pid $1 still running after $2 s: killed"; kill "$1"; }
	wait "$1"
}

# Has PID a NETLINK_GENERIC socket in a multicast group (/proc/net/netlink
# shows the first 32 groups)?
subscribed() {
	for fd in /proc/"$1"/fd/*; do
		l=$(readlink "$fd" 2>/dev/null) || continue
		case $l in
		socket:\[*\]) ;;
		*) continue ;;
		esac
		ino=${l#socket:\[}
		ino=${ino%\]}
		awk -v ino="$ino" '$2 == 16 && $NF == ino && $4 != "00000000" { f = 1 }
				   END { exit !f }' /proc/net/netlink && return 0
	done
	return 1
}

# Wait until the monitor PID listens to the events (10 s at most).
wait_subscribed() {
	n=100
	while ! subscribed "$1"; do
		n=$((n - 1))
		if [ $n = 0 ]; then
			ktap_print_msg "cannot see pid $1 join the events group; going on"
			return 0
		fi
		sleep 0.1
	done
}

# ---- the checks -------------------------------------------------------------

RING_ID=
Q_ID=

create_ring_and_queue() {
	RING_ID=$(create ring "$P-ring" --size 16K) || why "create ring failed" || return 1
	Q_ID=$(create mq "$P-q" --depth 8 --msg-size 1K) || why "create mq failed" || return 1
	case $RING_ID$Q_ID in
	''|*[!0-9]*) why "ids '$RING_ID' '$Q_ID' are not numbers"; return 1 ;;
	esac
	[ "$RING_ID" != "$Q_ID" ] || why "both have id $RING_ID"
}

json_list_has_ring() {
	bounded ramchan --json list >"$T/list" 2>"$T/err" || why "exit status $?" || return 1
	jparse "$T/list" || why "not JSON: $(head -c 300 "$T/list")" || return 1
	i=$(jfind "$T/list" "" "$P-ring")
	[ -n "$i" ] || why "no $P-ring in: $(head -c 300 "$T/list")" || return 1
	for kv in "id=$RING_ID" 'kind="ring"' size=16384 "owner=$(id -u)" \
		  "group=$(id -g)" mode=384 count=0 fill=0; do
		k=${kv%%=*}
		v=$(jget "$T/list" "[$i].$k")
		[ "$v" = "${kv#*=}" ] || why "$k is '$v', not ${kv#*=}" || return 1
	done
	[ -z "$(jget "$T/list" "[$i].depth")" ] || why "a ring with a depth"
}

json_list_has_queue() {
	i=$(jfind "$T/list" "" "$P-q")
	[ -n "$i" ] || why "no $P-q in: $(head -c 300 "$T/list")" || return 1
	for kv in "id=$Q_ID" 'kind="mq"' depth=8 msg_size=1024 size=8192 \
		  'overflow="block"' "owner=$(id -u)" count=0 records_in=0; do
		k=${kv%%=*}
		v=$(jget "$T/list" "[$i].$k")
		[ "$v" = "${kv#*=}" ] || why "$k is '$v', not ${kv#*=}" || return 1
	done
}

list_table_header_and_rows() {
	bounded ramchan list >"$T/table" 2>"$T/err" || why "exit status $?" || return 1
	head -n 1 "$T/table" | grep -Eq '^ *ID +KIND +NAME +OWNER ' ||
		why "header: $(head -n 1 "$T/table")" || return 1
	awk -v id="$RING_ID" -v n="$P-ring" '$1 == id && $2 == "ring" && $3 == n { f = 1 }
		END { exit !f }' "$T/table" || why "no ring row in: $(cat "$T/table")" || return 1
	awk -v id="$Q_ID" -v n="$P-q" '$1 == id && $2 == "mq" && $3 == n { f = 1 }
		END { exit !f }' "$T/table" || why "no queue row in: $(cat "$T/table")"
}

list_kind_filters() {
	bounded ramchan list --kind mq --json >"$T/mq" 2>"$T/err" || why "exit status $?" || return 1
	jparse "$T/mq" || why "not JSON" || return 1
	[ -n "$(jfind "$T/mq" "" "$P-q")" ] || why "--kind mq lacks $P-q" || return 1
	[ -z "$(jfind "$T/mq" "" "$P-ring")" ] || why "--kind mq shows $P-ring" || return 1
	if grep '^\[[0-9]*\]\.kind=' "$T/mq.flat" | grep -vq '="mq"$'; then
		why "--kind mq shows another kind: $(grep '\.kind=' "$T/mq.flat" | sort -u)"
		return 1
	fi
	bounded ramchan list -k ring -n >"$T/rings" 2>"$T/err" || why "-k ring: exit status $?" || return 1
	grep -q " $P-ring " "$T/rings" || why "-k ring lacks $P-ring: $(cat "$T/rings")" || return 1
	! grep -q " $P-q " "$T/rings" || why "-k ring shows $P-q" || return 1
	! grep -q '^ *ID ' "$T/rings" || why "-n printed the header"
}

stat_name_and_id_agree() {
	bounded ramchan stat "$P-ring" >"$T/byname" 2>"$T/err" || why "stat NAME: exit status $?" || return 1
	bounded ramchan stat "$RING_ID" >"$T/byid" 2>"$T/err" || why "stat ID: exit status $?" || return 1
	grep -qx "id: $RING_ID" "$T/byname" || why "stat NAME: $(head -n 3 "$T/byname")" || return 1
	grep -qx "id: $RING_ID" "$T/byid" || why "stat ID: $(head -n 3 "$T/byid")" || return 1
	grep -qx "name: $P-ring" "$T/byid" || why "stat ID names: $(grep '^name' "$T/byid")" || return 1
	grep -qx "kind: ring" "$T/byid" || why "stat ID kind: $(grep '^kind' "$T/byid")" || return 1
	bounded ramchan stat "$Q_ID" --json >"$T/qid" 2>"$T/err" || why "stat QID: exit status $?" || return 1
	jparse "$T/qid" || why "stat --json: not JSON" || return 1
	[ "$(jget "$T/qid" .name)" = "\"$P-q\"" ] || why "stat $Q_ID is $(jget "$T/qid" .name)"
}

# stat --json NAME into $T/st; $T/st.flat its parse.
stat_json() {
	bounded ramchan stat --json "$1" >"$T/st" 2>"$T/err" || why "stat $1: exit status $?" || return 1
	jparse "$T/st" || why "stat $1: not JSON: $(head -c 300 "$T/st")"
}

# expect KEY=VALUE...: each in $T/st.
expect() {
	for kv in "$@"; do
		v=$(jget "$T/st" ".${kv%%=*}")
		[ "$v" = "${kv#*=}" ] || why "${kv%%=*} is '$v', not ${kv#*=}" || return 1
	done
}

stat_json_mq_counts_what_was_sent() {
	ramchan send "$P-q" aa bbbb cccccc 2>"$T/err" || why "send failed" || return 1
	stat_json "$P-q" || return 1
	expect "id=$Q_ID" count=3 fill=12 bytes_in=12 records_in=3 records_out=0 \
	       bytes_out=0 high_water=3 drops=0 || return 1
	[ "$(cat "/sys/kernel/ramchan/channel/$Q_ID/count")" = 3 ] ||
		why "sysfs count $(cat "/sys/kernel/ramchan/channel/$Q_ID/count")" || return 1
	out=$(bounded ramchan recv "$P-q" --timeout 10 2>"$T/err") || why "recv failed" || return 1
	[ "$out" = aa ] || why "recv got: $out" || return 1
	stat_json "$P-q" || return 1
	expect count=2 fill=10 records_out=1 bytes_out=2 high_water=3 || return 1
	bounded ramchan recv "$P-q" -n 2 --timeout 10 >/dev/null 2>"$T/err" || why "drain failed"
}

stat_json_ring_counts_what_was_sent() {
	ramchan send "$P-ring" one two three 2>"$T/err" || why "send failed" || return 1
	stat_json "$P-ring" || return 1
	expect "id=$RING_ID" count=3 records_in=3 records_out=0 bytes_out=0 || return 1
	fill=$(jget "$T/st" .fill)
	[ "$fill" -ge 11 ] 2>/dev/null || why "fill $fill, less than the 11 bytes sent" || return 1
	expect "bytes_in=$fill" "high_water=$fill" || return 1
	sys=$(cat "/sys/kernel/ramchan/channel/$RING_ID/fill")
	[ "$sys" = "$fill" ] || why "sysfs fill $sys, netlink $fill" || return 1
	out=$(bounded ramchan recv "$P-ring" -n 3 --timeout 10 2>"$T/err") || why "recv failed" || return 1
	[ "$out" = "one
two
three" ] || why "recv got: $out" || return 1
	stat_json "$P-ring" || return 1
	expect count=0 fill=0 records_out=3 "bytes_out=$fill" "high_water=$fill"
}

stat_unknown_fails() {
	out=$(bounded ramchan stat "$P-nosuch" 2>"$T/err")
	rc=$?
	[ $rc = 1 ] || why "exit status $rc" || return 1
	[ -z "$out" ] || why "printed: $out" || return 1
	grep -q "no channel $P-nosuch" "$T/err" || why "no 'no channel' message" || return 1
	bounded ramchan stat --json 4000000000 >/dev/null 2>"$T/err"
	rc=$?
	[ $rc = 1 ] || why "unknown id: exit status $rc" || return 1
	grep -q "no channel 4000000000" "$T/err" || why "unknown id: no 'no channel' message"
}

stat_and_list_show_the_peer() {
	ramchan open "$P-ring" -- sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec sleep 30' \
		"$T/holder" 2>"$T/err" &
	pid=$!
	BG="$BG $pid"
	n=100
	while [ ! -s "$T/holder" ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ "$(cat "$T/holder" 2>/dev/null)" = "$pid" ] ||
		why "holder pid '$(cat "$T/holder" 2>/dev/null)', not $pid" || return 1
	stat_json "$P-ring" || return 1
	expect producers=1 consumers=1 "peers[0].pid=$pid" "peers[0].fd=3" \
	       'peers[0].role[0]="producer"' 'peers[0].role[1]="consumer"' || return 1
	bounded ramchan list --peers -o NAME,PEERS >"$T/peers" 2>"$T/err" ||
		why "list --peers: exit status $?" || return 1
	grep -Eq "^$P-ring +$pid/3\(pc\)\$" "$T/peers" || why "list --peers: $(cat "$T/peers")" || return 1
	kill "$pid"
	wait "$pid" 2>/dev/null
	stat_json "$P-ring" || return 1
	expect producers=0 consumers=0 && [ -z "$(jget "$T/st" '.peers[0].pid')" ] ||
		why "a peer after the holder died"
}

# The event lines of MONITOR-OUTPUT about channel ID: "EVENT NAME KIND OWNER".
events_of() {
	awk -v id="$2" '{
		eq = index($0, "="); k = substr($0, 1, eq - 1); v = substr($0, eq + 1)
		i = substr(k, 2); sub(/\].*/, "", i)
		f = substr(k, length(i) + 4)
		gsub(/"/, "", v)
		ev[i, f] = v
		if (i + 0 > max) max = i + 0
	} END {
		for (j = 0; j <= max; j++)
			if (ev[j, "id"] == id)
				print ev[j, "event"], ev[j, "name"], ev[j, "kind"], ev[j, "owner"]
	}' "$1.flat"
}

monitor_sees_create_unlink_destroy() {
	# create, peer-gone (create's own fd), unlink, destroy; then the filler's
	# create and peer-gone (or more of it, were there no peer-gone).
	ramchan monitor --json --count 6 >"$T/mon" 2>"$T/mon.err" &
	mpid=$!
	BG="$BG $mpid"
	wait_subscribed $mpid
	id=$(create ring "$P-ev" --size 4K) || why "create failed" || return 1
	ramchan unlink "$P-ev" 2>>"$T/err" || why "unlink failed" || return 1
	fid=$(create ring "$P-filler" --size 4K) || why "create of the filler failed" || return 1
	ramchan unlink "$P-filler" 2>>"$T/err" || why "unlink of the filler failed" || return 1
	wait_bounded $mpid 30
	rc=$?
	[ $rc = 0 ] || why "monitor exit status $rc: $(cat "$T/mon.err")" || return 1
	[ "$(wc -l <"$T/mon")" = 6 ] || why "not 6 lines: $(cat "$T/mon")" || return 1
	jparse "$T/mon" lines || why "not JSON lines: $(cat "$T/mon")" || return 1
	got=$(events_of "$T/mon" "$id" | grep -v '^peer-gone ')
	want="create $P-ev ring $(id -u)
unlink $P-ev ring 
destroy $P-ev ring "
	[ "$got" = "$want" ] || why "events of $id: $(echo "$got" | tr '\n' ';') in: $(cat "$T/mon")" || return 1
	events_of "$T/mon" "$fid" | head -n 1 | grep -q "^create $P-filler ring" ||
		why "the filler's create is not after them: $(cat "$T/mon")"
}

SENDER=
start_sender() {
	id=$(create mq "$P-busy" --depth 16 --msg-size 64 --overflow drop-oldest) ||
		why "create failed" || return 1
	yes busy | ramchan send "$P-busy" 2>"$T/sender.err" &
	SENDER=$!
	BG="$BG $SENDER"
	n=100
	while [ $n -gt 0 ]; do
		positive "$(cat "/sys/kernel/ramchan/channel/$id/msgs_in")" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	why "nothing sent to $P-busy: $(cat "$T/sender.err")"
}

top_json_shows_rates() {
	start_sender || return 1
	bounded ramchan top --once --json >"$T/top" 2>"$T/err" || why "exit status $?" || return 1
	[ "$(wc -l <"$T/top")" = 1 ] || why "not one line: $(head -c 300 "$T/top")" || return 1
	jparse "$T/top" || why "not JSON: $(head -c 300 "$T/top")" || return 1
	positive "$(jget "$T/top" .interval)" || why "interval $(jget "$T/top" .interval)" || return 1
	i=$(jfind "$T/top" .channels "$P-busy")
	[ -n "$i" ] || why "no $P-busy in: $(head -c 300 "$T/top")" || return 1
	for k in records_in_per_s bytes_in_per_s drops_per_s; do
		v=$(jget "$T/top" ".channels[$i].$k")
		positive "$v" || why "$k is '$v'" || return 1
	done
	[ "$(jget "$T/top" ".channels[$i].records_out_per_s")" = 0.000 ] ||
		why "records_out_per_s $(jget "$T/top" ".channels[$i].records_out_per_s") with no receiver" || return 1
	[ -n "$(jfind "$T/top" .channels "$P-ring")" ] || why "$P-ring not in top"
}

top_table_shows_rates() {
	bounded ramchan top --once --interval 0.5 >"$T/toptab" 2>"$T/err" || why "exit status $?" || return 1
	head -n 1 "$T/toptab" | grep -Eq '^ramchan top - [0-9:]+, [0-9]+ channels?, over 0\.[0-9]+ s' ||
		why "title: $(head -n 1 "$T/toptab")" || return 1
	# REC-IN/s is right-aligned: its cell ends where its header does.
	v=$(awk -v n="$P-busy" 'NR == 2 { e = index($0, "REC-IN/s"); if (!e) exit
					       e += length("REC-IN/s") - 1 }
		NR > 2 && e && $3 == n { c = substr($0, 1, e); k = split(c, w, " ")
					 print w[k]; exit }' "$T/toptab")
	positive "$v" || why "REC-IN/s of $P-busy is '$v' in: $(cat "$T/toptab")" || return 1
	grep -Eq "^ *[0-9]+ +ring +$P-ring " "$T/toptab" || why "no $P-ring row in: $(cat "$T/toptab")"
}

stop_sender() {
	kill "$SENDER" 2>/dev/null
	wait "$SENDER" 2>/dev/null
	return 0
}

info_json_parses() {
	bounded ramchan info --json >"$T/info" 2>"$T/err" || why "exit status $?" || return 1
	jparse "$T/info" || why "not JSON: $(cat "$T/info")" || return 1
	abi=$(cat /sys/kernel/ramchan/abi_version)
	[ "$(jget "$T/info" .abi_version)" = "$abi" ] ||
		why "abi_version $(jget "$T/info" .abi_version), sysfs $abi" || return 1
	[ -n "$(jget "$T/info" '.features[0]')" ] || why "no features" || return 1
	n=$(jget "$T/info" .stats.channels)
	[ "$n" -ge 3 ] 2>/dev/null || why "stats.channels '$n' with 3 of ours alive" || return 1
	positive "$(jget "$T/info" .stats.bytes_held)" || why "stats.bytes_held $(jget "$T/info" .stats.bytes_held)" || return 1
	bounded ramchan --json info >"$T/info2" 2>"$T/err" && jparse "$T/info2" ||
		why "ramchan --json info is not JSON"
}

other_ipc_namespace_sees_none_of_them() {
	unshare -i sh -c 'ramchan create ring "$1" >/dev/null || exit 3
		ramchan --json list >"$2" || exit 4
		ramchan stat "$3" >/dev/null 2>&1 && exit 5
		ramchan unlink "$1"' sh "$P-inner" "$T/inner" "$P-ring" 2>"$T/err"
	rc=$?
	[ $rc = 0 ] || why "in the new IPC namespace: exit status $rc" || return 1
	jparse "$T/inner" || why "not JSON: $(cat "$T/inner")" || return 1
	[ -n "$(jfind "$T/inner" "" "$P-inner")" ] || why "its own channel missing: $(cat "$T/inner")" || return 1
	[ -z "$(jfind "$T/inner" "" "$P-ring")" ] && [ -z "$(jfind "$T/inner" "" "$P-q")" ] ||
		why "it sees our channels: $(cat "$T/inner")" || return 1
	bounded ramchan --json list >"$T/outer" 2>"$T/err" && jparse "$T/outer" || why "list failed" || return 1
	[ -z "$(jfind "$T/outer" "" "$P-inner")" ] || why "we see its channel"
}

help_everywhere() {
	for c in info census create unlink open send recv list stat monitor top; do
		ramchan $c --help >"$T/help" 2>"$T/err" || why "$c --help: exit status $?" || return 1
		head -n 1 "$T/help" | grep -q "^usage: ramchan $c" || why "$c --help: $(head -n 1 "$T/help")" || return 1
		ramchan $c -h >/dev/null 2>"$T/err" || why "$c -h: exit status $?" || return 1
	done
	ramchan --help >"$T/help" 2>"$T/err" || why "ramchan --help: exit status $?" || return 1
	for c in list stat monitor top; do
		grep -q "^  $c " "$T/help" || why "ramchan --help does not list $c" || return 1
	done
}

bad_arguments_exit_2() {
	for args in "list --kind pipe" "list -o NOPE" "list --sort NOPE" "list extra" \
		    "list --bogus" "stat" "stat $P-ring extra" "stat --bogus $P-ring" \
		    "monitor --count 0" "monitor --count x" "monitor extra" \
		    "top --interval 0" "top --interval soon" "top --count 0" \
		    "top --once --count 2" "top extra"; do
		# shellcheck disable=SC2086 # split the arguments
		bounded ramchan $args </dev/null >/dev/null 2>"$T/err"
		rc=$?
		[ $rc = 2 ] || why "ramchan $args: exit status $rc" || return 1
		[ -s "$T/err" ] || why "ramchan $args: no message" || return 1
	done
}

unlinked_are_gone() {
	ramchan unlink "$P-ring" "$P-q" "$P-busy" 2>"$T/err" || why "unlink failed" || return 1
	bounded ramchan --json list >"$T/after" 2>"$T/err" || why "list: exit status $?" || return 1
	jparse "$T/after" || why "not JSON: $(cat "$T/after")" || return 1
	for n in "$P-ring" "$P-q" "$P-busy" "$P-ev" "$P-filler"; do
		[ -z "$(jfind "$T/after" "" "$n")" ] || why "$n still listed" || return 1
	done
	bounded ramchan stat "$RING_ID" >/dev/null 2>"$T/err" && { why "stat of an unlinked id"; return 1; }
	return 0
}

ktap_set_plan 18

check "create a ring and a queue" create_ring_and_queue
check "ramchan --json list: the ring, its kind, size, owner" json_list_has_ring
check "ramchan --json list: the queue, its depth, msg_size, size" json_list_has_queue
check "ramchan list: a header, a row for each" list_table_header_and_rows
check "list --kind mq and -k ring filter" list_kind_filters
check "stat NAME and stat ID: the same channel" stat_name_and_id_agree
check "stat --json of a queue counts what send sent and recv took" stat_json_mq_counts_what_was_sent
check "stat --json of a ring counts what send sent and recv took" stat_json_ring_counts_what_was_sent
check "stat of an unknown name or id exits 1, says so" stat_unknown_fails
check "stat --json and list --peers show the process holding it" stat_and_list_show_the_peer
check "monitor --json --count 6 sees create, unlink, destroy in order" monitor_sees_create_unlink_destroy
check "top --once --json: nonzero rates of a channel being sent to" top_json_shows_rates
check "top --once: the table, nonzero REC-IN/s" top_table_shows_rates
stop_sender
check "info --json parses, with the netlink counters" info_json_parses
if unshare -i true 2>/dev/null; then
	check "another IPC namespace's list sees none of ours" other_ipc_namespace_sees_none_of_them
else
	ktap_test_skip "another IPC namespace's list sees none of ours (no unshare -i)"
fi
check "--help on every command exits 0" help_everywhere
check "bad arguments of list, stat, monitor, top exit 2" bad_arguments_exit_2
check "unlinked channels leave list; stat of their id fails" unlinked_are_gone

ktap_finished
