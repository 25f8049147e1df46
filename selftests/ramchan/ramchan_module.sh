#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ramchan module lifetime: load/unload, parameters, autoload by device node,
# rmmod refused while busy. Needs root and modprobe-able ramchan.ko; leaves
# the module loaded with default parameters, as it found it.

DIR=$(dirname "$0")
. "$DIR/../kselftest/ktap_helpers.sh"

LOOPS=${RAMCHAN_LOAD_LOOPS:-100}

loaded() { grep -q '^ramchan ' /proc/modules; }

unload() { loaded && rmmod ramchan; ! loaded; }

reload() { unload && modprobe ramchan "$@"; }

check() {
	desc=$1
	shift
	if "$@"; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc"
	fi
}

node_mode() { stat -c %a /dev/ramchan 2>/dev/null; }

node_minor() { cut -d: -f2 /sys/class/misc/ramchan/dev 2>/dev/null; }

load_unload_loop() {
	i=0
	while [ $i -lt "$LOOPS" ]; do
		modprobe ramchan || return 1
		[ "$(cat /sys/kernel/ramchan/abi_version)" = 1 ] || return 1
		[ -c /dev/ramchan ] || return 1
		rmmod ramchan || return 1
		[ ! -e /sys/kernel/ramchan ] || return 1
		[ ! -e /dev/ramchan ] || return 1
		i=$((i + 1))
	done
}

load_fails() { unload && ! modprobe ramchan "$@" 2>/dev/null && ! loaded; }

mode_param_sets_node_mode() {
	reload mode=0660 && [ "$(node_mode)" = 660 ] &&
	reload mode=0666 && [ "$(node_mode)" = 666 ]
}

gid_param_reaches_udev_as_devgid() {
	reload mode=0660 gid=1000 &&
	grep -qx DEVGID=1000 /sys/class/misc/ramchan/uevent &&
	grep -qx DEVMODE=0660 /sys/class/misc/ramchan/uevent
}

minor_param_picks_minor() {
	reload minor=243 && [ "$(node_minor)" = 243 ] &&
	reload minor=-1 && m=$(node_minor) && [ -n "$m" ] && [ "$m" != 242 ]
}

busy_module_refuses_rmmod() {
	reload || return 1
	exec 3</dev/ramchan
	rmmod ramchan 2>/dev/null
	rc=$?
	exec 3<&-
	[ $rc -ne 0 ] && loaded && rmmod ramchan && ! loaded
}

# As kmod static-nodes (systemd-tmpfiles) does at boot: a node made from
# the module's devname alias, whose first open loads the module.
open_of_static_node_autoloads() {
	unload || return 1
	line=$(kmod static-nodes --format=devname 2>/dev/null | grep '^ramchan ')
	[ "$line" = "ramchan ramchan c10:242" ] || return 1
	mknod /dev/ramchan c 10 242 && chmod 0600 /dev/ramchan
	: < /dev/ramchan || return 1
	loaded
}

ktap_print_header
ktap_set_plan 10

check "load_unload_${LOOPS}_times" load_unload_loop
check "mode_out_of_range_is_refused" load_fails mode=01777
check "minor_outside_local_range_is_refused" load_fails minor=7
check "ring_size_not_power_of_two_is_refused" load_fails max_ring_bytes=12345
check "zero_channel_limit_is_refused" load_fails max_channels=0
check "mode_parameter_sets_node_mode" mode_param_sets_node_mode
check "gid_parameter_reaches_udev_as_devgid" gid_param_reaches_udev_as_devgid
check "minor_parameter_picks_minor" minor_param_picks_minor
check "rmmod_is_refused_while_busy" busy_module_refuses_rmmod
check "open_of_static_node_autoloads_module" open_of_static_node_autoloads

# Leave it as the runner loaded it.
reload >/dev/null 2>&1 || modprobe ramchan
ktap_finished
