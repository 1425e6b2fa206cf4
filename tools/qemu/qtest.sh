#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build (cached, see build.sh) and run QEMU's virtio-9p qtests, the
# existing ones and the 9P2000.Lx ones added by the series.
#
# Usage: tools/qemu/qtest.sh [BUILDDIR]
#
# BUILDDIR is an OUTDIR of build.sh (default: its cache directory), or
# directly a configured QEMU meson build tree.  Prints one line per test:
#   PASS: qemu-qtest <name>
#   FAIL: qemu-qtest <name>
#   SKIP: qemu-qtest <name> (<reason>)
# and exits non-zero if any test failed or the run broke off.
#
# The tests run with "-m slow" (all of them) in a scratch directory on
# tmpfs (/dev/shm), because the local xattr_limit tests need a file system
# that takes 8 KiB xattrs, which ext4 does not.  QTEST_QUICK=1 skips the
# slow tests; QTEST_WORKDIR=DIR picks another scratch directory.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if [ -n "${1:-}" ] && [ -f "$1/build.ninja" ]; then
	build=$(cd "$1" && pwd)
else
	bin=$("$here/build.sh" ${1:+"$1"} | tail -n 1)
	build=$(dirname "$bin")
fi

echo "qemu-qtest: building qos-test in $build" >&2
ninja -C "$build" qemu-system-x86_64 tests/qtest/qos-test >"$build/qos-build.log" 2>&1 || {
	tail -n 40 "$build/qos-build.log" >&2
	echo "FAIL: qemu-qtest build"
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
	echo "FAIL: qemu-qtest list (no virtio-9p tests found)"
	exit 1
fi

log=$build/qos-test-9p.log
: >"$log"
fails=0 total=0
# One qos-test process per test: a failing assertion aborts the process,
# and the tests that follow it must still run.
for p in $paths; do
	name=${p#*/virtio-9p-pci/}
	name=${name#virtio-9p/virtio-9p-tests/}
	total=$((total + 1))
	out=$(exec 2>&1; timeout 300 "$qos" -m "$mode" --tap -p "$p") &&
		rc=0 || rc=$?
	printf '%s\n' "$out" >>"$log"
	line=$(printf '%s\n' "$out" | grep -E '^(ok|not ok) ' | tail -n 1)
	case "$rc:$line" in
	0:"ok "*"# SKIP"*)
		echo "SKIP: qemu-qtest $name (${line#*# SKIP })" ;;
	0:"ok "*)
		echo "PASS: qemu-qtest $name" ;;
	*)
		fails=$((fails + 1))
		why=$(printf '%s\n' "$out" |
			grep -E 'ERROR|Bail out|assertion|error' | head -n 1)
		echo "FAIL: qemu-qtest $name (rc=$rc${why:+: $why})" ;;
	esac
done

echo "qemu-qtest: $total tests, $fails failed (log: $log)" >&2
[ "$fails" -eq 0 ]
