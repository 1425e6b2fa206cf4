#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build a minimal qemu-system-x86_64 (TCG, virtfs) from Debian's QEMU
# source with the 9P2000.Lx series applied.
#
# Usage: tools/qemu/build.sh [--qemu SERIES] [OUTDIR]
#
# SERIES picks the QEMU source and the series for it:
#   10.0  Debian 13's QEMU 1:10.0.13+ds-0+deb13u1, tools/qemu/patches-10.0
#         (the default, or $NINEPLX_QEMU_SERIES)
#   10.2  QEMU 1:10.2.2+ds-1 (sid), tools/qemu/patches-10.2
# tools/setup fetches both sources into ${NINEPLX_CACHE:-/var/cache/9plx}.
#
# The result is cached under $NINEPLX_CACHE/qemu-SERIES-<hash>/, where
# <hash> covers the source version, the patches and this script, so a
# second run is a quick no-op.  OUTDIR, when given, is used instead of
# that directory.  The layout of OUTDIR is:
#   src/                      patched source tree
#   build/                    meson build tree (qtest.sh builds qos-test here)
#   build/qemu-system-x86_64  the binary
#   stamp                     hash of the inputs of a finished build
# The last line printed on stdout is the path of the binary; everything
# else goes to stderr.
#
# The binary finds its firmware through -L /usr/share/seabios
# -L /usr/share/qemu; the build tree's data directory also gets links to
# Debian's firmware files so that it works without -L too (the qtests
# need that).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${NINEPLX_CACHE:=/var/cache/9plx}"

series=${NINEPLX_QEMU_SERIES:-10.0}
if [ "${1:-}" = "--qemu" ]; then
	[ $# -ge 2 ] || { echo "qemu-build: --qemu needs a series" >&2; exit 2; }
	series=$2
	shift 2
fi

case $series in
10.0)
	QEMU_VER=10.0.13+ds-0+deb13u1
	src_dir=$NINEPLX_CACHE/qemu-src
	;;
10.2)
	QEMU_VER=10.2.2+ds-1
	src_dir=$NINEPLX_CACHE/qemu-src-$QEMU_VER
	;;
*)
	echo "qemu-build: unknown series '$series' (10.0 or 10.2)" >&2
	exit 2
	;;
esac
patches=$here/patches-$series

log() {
	echo "qemu-build ($series): $*" >&2
}

# Hash of everything that determines the result.
inputs_hash() {
	{
		echo "$QEMU_VER"
		for p in "$patches"/*.patch; do
			[ -f "$p" ] || continue
			basename "$p"
			cat "$p"
		done
		cat "$here/build.sh"
	} | sha256sum | cut -c1-16
}

hash=$(inputs_hash)
out=${1:-$NINEPLX_CACHE/qemu-$series-$hash}
bin=$out/build/qemu-system-x86_64

if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$hash" ] &&
   [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=$out/build/qemu-system-x86_64

# Serialise concurrent builds of the same output directory.
if [ -z "${NINEPLX_QEMU_LOCKED:-}" ] && command -v flock >/dev/null; then
	NINEPLX_QEMU_LOCKED=1 exec flock "$out/.lock" "$0" --qemu "$series" "$out"
fi

# Somebody else may have finished while we waited for the lock.
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$hash" ] &&
   [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

dsc=$src_dir/qemu_$QEMU_VER.dsc
if [ ! -f "$src_dir/done" ] || [ ! -f "$dsc" ]; then
	log "QEMU source missing in $src_dir, running tools/setup"
	"$top/tools/setup" >&2
fi
[ -f "$dsc" ] || { log "no $dsc"; exit 1; }

start=$(date +%s)
rm -rf "$out/src" "$out/build" "$out/stamp"

log "unpacking $(basename "$dsc")"
dpkg-source --no-check -x "$dsc" "$out/src" >/dev/null

for p in "$patches"/*.patch; do
	[ -f "$p" ] || continue
	log "applying $(basename "$p")"
	patch -d "$out/src" -p1 -s --no-backup-if-mismatch <"$p"
done

mkdir -p "$out/build"
cd "$out/build"
log "configuring"
../src/configure \
	--python=/usr/bin/python3 \
	--target-list=x86_64-softmmu \
	--without-default-features \
	--enable-virtfs --enable-tcg --enable-attr --enable-cap-ng \
	--disable-docs --disable-install-blobs --disable-download \
	>configure.log 2>&1 || {
	tail -n 30 configure.log >&2
	exit 1
}

log "building qemu-system-x86_64 (log: $out/build/build.log)"
ninja qemu-system-x86_64 >build.log 2>&1 || {
	grep -E -B2 -A8 'error|FAILED' build.log | tail -n 60 >&2
	exit 1
}

# Debian's source has no firmware blobs.  A binary run from a build tree
# looks for its data in qemu-bundle/<datadir> of that tree: link the
# firmware Debian ships (seabios, qemu-system-data, ipxe-qemu) there.
datadir=$(sed -n 's/^#define CONFIG_QEMU_DATADIR "\(.*\)"$/\1/p' config-host.h)
mkdir -p "qemu-bundle$datadir"
for f in /usr/share/seabios/* /usr/share/qemu/* /usr/lib/ipxe/qemu/*; do
	[ -f "$f" ] || continue
	t=qemu-bundle$datadir/$(basename "$f")
	[ -e "$t" ] || [ -L "$t" ] || ln -s "$f" "$t"
done

echo "$hash" >"$out/stamp"
log "done in $(( $(date +%s) - start ))s"
echo "$bin"
