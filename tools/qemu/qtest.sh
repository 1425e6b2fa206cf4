#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build (cached, see build.sh) and run QEMU's virtio-9p qtests, the
# existing ones and the 9P2000.Lx ones added by the series.
#
# Usage: tools/qemu/qtest.sh [--qemu SERIES] [BUILDDIR]
#
# Without arguments every series (10.0 and 10.2, or those listed in
# $NINEPLX_QEMU_SERIES_ALL) is built by build.sh and tested in turn.
# --qemu SERIES tests only that one; BUILDDIR is then an OUTDIR of
# build.sh (default: its cache directory).  A BUILDDIR that is directly a
# configured QEMU meson build tree is tested as it is.  Prints one line
# per test:
#   PASS: qemu-qtest-SERIES <name>
#   FAIL: qemu-qtest-SERIES <name>
#   SKIP: qemu-qtest-SERIES <name> (<reason>)
# (qemu-qtest <name> for a meson build tree) and exits non-zero if any
# test failed or a run broke off.
#
# The tests run with "-m slow" (all of them) in a scratch directory on
# tmpfs (/dev/shm), because the local xattr_limit tests (10.0) need a file
# system that takes 8 KiB xattrs, which ext4 does not.  QTEST_QUICK=1 skips the
# slow tests; QTEST_WORKDIR=DIR picks another scratch directory.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

series=""
if [ "${1:-}" = "--qemu" ]; then
	[ $# -ge 2 ] || { echo "qemu-qtest: --qemu needs a series" >&2; exit 2; }
	series=$2
	shift 2
fi

if [ -z "$series" ] && [ -z "${1:-}" ]; then
	# every series, one after the other
	rc=0
	for s in ${NINEPLX_QEMU_SERIES_ALL:-10.0 10.2}; do
		"$0" --qemu "$s" || rc=1
	done
	exit $rc
fi

if [ -z "$series" ] && [ -f "$1/build.ninja" ]; then
	build=$(cd "$1" && pwd)
	name=qemu-qtest
else
	series=${series:-${NINEPLX_QEMU_SERIES:-10.0}}
	name=qemu-qtest-$series
	if ! bin=$("$here/build.sh" --qemu "$series" ${1:+"$1"} | tail -n 1) ||
	   [ ! -x "$bin" ]; then
		echo "FAIL: $name build (tools/qemu/build.sh --qemu $series)"
		exit 1
	fi
	build=$(dirname "$bin")
fi

echo "$name: building qos-test in $build" >&2
ninja -C "$build" qemu-system-x86_64 tests/qtest/qos-test >"$build/qos-build.log" 2>&1 || {
	tail -n 40 "$build/qos-build.log" >&2
	echo "FAIL: $name build"
	exit 1
}

export QTEST_QEMU_BINARY="$build/qemu-system-x86_64"

# The local tests create their directory (and the Lx tests their tmpfs
# mounts) in the current directory.
if [ -n "${QTEST_WORKDIR:-}" ]; then
	mkdir -p "$QTEST_WORKDIR"
	work=$(mktemp -d "$QTEST_WORKDIR/9plx-qtest.XXXXXX")
elif [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	work=$(mktemp -d /dev/shm/9plx-qtest.XXXXXX)
else
	work=$(mktemp -d "$build/9plx-qtest.XXXXXX")
fi
cleanup() {
	# lift the mounts a crashed test may have left behind
	grep -o " $work/[^ ]*" /proc/mounts 2>/dev/null | sort -r |
		while read -r m; do umount -l "$m" || true; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$work"

mode=slow
[ -n "${QTEST_QUICK:-}" ] && mode=quick

qos=$build/tests/qtest/qos-test
paths=$("$qos" -l 2>/dev/null | grep '^/.*virtio-9p' || true)
if [ -z "$paths" ]; then
	echo "FAIL: $name list (no virtio-9p tests found)"
	exit 1
fi

log=$build/qos-test-9p.log
: >"$log"
fails=0 total=0
# One qos-test process per test: a failing assertion aborts the process,
# and the tests that follow it must still run.
for p in $paths; do
	test=${p#*/virtio-9p-pci/}
	test=${test#virtio-9p/virtio-9p-tests/}
	total=$((total + 1))
	out=$(exec 2>&1; timeout 300 "$qos" -m "$mode" --tap -p "$p") &&
		rc=0 || rc=$?
	printf '%s\n' "$out" >>"$log"
	line=$(printf '%s\n' "$out" | grep -E '^(ok|not ok) ' | tail -n 1)
	case "$rc:$line" in
	0:"ok "*"# SKIP"*)
		echo "SKIP: $name $test (${line#*# SKIP })" ;;
	0:"ok "*)
		echo "PASS: $name $test" ;;
	*)
		fails=$((fails + 1))
		why=$(printf '%s\n' "$out" |
			grep -E 'ERROR|Bail out|assertion|error' | head -n 1)
		echo "FAIL: $name $test (rc=$rc${why:+: $why})" ;;
	esac
done

echo "$name: $total tests, $fails failed (log: $log)" >&2
[ "$fails" -eq 0 ]
