# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "torture": the page-cache torture (/bin/nlxtorture, from
# tests/vm/tools/nlxtorture.c) through 9plx, in cache=loose, mmap and
# none.  Seeded sequences of buffered, O_DIRECT and mmap reads and
# writes, truncates, fallocate, fsync, drop_caches, hard links, second
# descriptors, unlink while open with the name reused, changes made by
# the host between steps and a full host filesystem; every read is
# checked against a model of the file, and so are the host's bytes
# after fsync.  The host side (tests/vm/run) makes the share's
# scratch/torture-<boot>/ and a 1 MiB tmpfs exported as full9, and
# answers on the fourth serial port.  With cache=loose the guest mounts
# the share again after the host changed a file (drop_caches is not
# enough there for either client).  nlx.torture=SECS runs random seeds for SECS seconds in
# all (a third per cache mode) instead of seeds 1..nlx.tcount.  Phase
# "tortureref" runs the same through the in-kernel client, where a
# failed sequence is a SKIP naming it.

TORTURE_CLIENT=${TORTURE_CLIENT:-9plx}
TM=/mnt/torture
TF=/mnt/torture-full
if [ "$TORTURE_CLIENT" = stock ]; then
	TORTURE_OPTS=trans=virtio,version=9p2000.L
else
	TORTURE_OPTS=trans=virtio
fi
TORTURE_ID=$(cmdline_arg nlx.tid)
TORTURE_SECS=$(cmdline_arg nlx.torture)
TORTURE_COUNT=$(cmdline_arg nlx.tcount)

# torture_classes OUT: the kinds of failure and a seed of each, one line.
torture_classes() {
	sed -n 's/^torture: FAIL mode=[a-z]* seed=\([0-9]*\) .*class=\([^ ]*\) .*/\2 \1/p' "$1" |
		awk '!s[$1]++ { printf "%s%s (seed %s)", n++ ? "; " : "", $1, $2 }'
}

# c_torture CACHE
c_torture() {
	if [ "$TORTURE_CLIENT" = 9plx ]; then
		mod_loaded 9plx || modload 9plx || return 1
	else
		fs_registered 9p || { modload 9pnet_virtio && modload 9p; } || return 1
	fi
	if [ -z "$TORTURE_ID" ] || [ ! -e /dev/ttyS3 ]; then
		why "no host side (nlx.tid= and /dev/ttyS3 come from tests/vm/run)"
		return 1
	fi
	try_mount 9p "$TORTURE_OPTS,cache=$1" "$TAG" "$TM" || {
		why "mount cache=$1: $(cat /tmp/mount.err)"
		return 1
	}
	try_mount 9p "$TORTURE_OPTS,cache=$1" full9 "$TF" || {
		why "mount full9 cache=$1: $(cat /tmp/mount.err)"
		umount_if "$TM"
		return 1
	}
	_root=$TM/scratch/torture-$TORTURE_ID
	if [ ! -d "$_root" ]; then
		why "$_root missing: the host did not prepare the boot's directory"
		umount_if "$TM"
		umount_if "$TF"
		return 1
	fi
	if [ "${TORTURE_SECS:-0}" -gt 0 ]; then
		_args="-t $((TORTURE_SECS / 3))"
		_tmo=$((TORTURE_SECS / 3 + 900))
	else
		_args="-s 1 -n ${TORTURE_COUNT:-40}"
		_tmo=1500
	fi
	# shellcheck disable=SC2086 # options, no blanks
	timeout "$_tmo" nlxtorture run -c /dev/ttyS3 -f "$TF" \
		-m "$TAG,$TM,$TORTURE_OPTS,cache=$1" $_args "$1" "$_root" \
		>/tmp/torture.out 2>&1
	_rc=$?
	# The whole story (failing seeds, shortened reproducers) goes to the
	# console, kept in build/vm-logs/.
	sed 's/^/nlx: /' /tmp/torture.out
	_sum=$(grep '^torture: mode=.* sequences=' /tmp/torture.out | tail -n 1)
	umount_if "$TM"
	umount_if "$TF"
	case $_rc in
	0)
		echo "nlx: $_sum"
		return 0
		;;
	1)
		_n=$(echo "$_sum" | sed -n 's/.* sequences=\([0-9]*\) failed=\([0-9]*\).*/\2 of \1/p')
		if [ "$TORTURE_CLIENT" = stock ]; then
			why "reference: the in-kernel client fails $_n sequences: $(torture_classes /tmp/torture.out)"
			return 77
		fi
		why "$_n sequences failed: $(torture_classes /tmp/torture.out) (reproducers on the console)"
		return 1
		;;
	esac
	why "nlxtorture exited with $_rc: $(grep -v '^torture: mode=.*channel' /tmp/torture.out | tail -n 2)"
	return 1
}

# What the in-kernel client logs from here on is its own (tests/vm/run:
# kernel-log-ref, a SKIP).
[ "$TORTURE_CLIENT" != stock ] || echo "nlx-tortureref: begin" >/dev/kmsg
for _c in loose mmap none; do
	check "torture-$_c" c_torture "$_c"
done
