#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build a minimal qemu-system-x86_64 (TCG, virtfs) from Debian's QEMU
# source with the 9P2000.Lx series in tools/qemu/patches applied.
#
# Usage: tools/qemu/build.sh [OUTDIR]
#
# The result is cached under ${NINEPLX_CACHE:-/var/cache/9plx}/qemu-<hash>/,
# where <hash> covers the patches and this script, so a second run is a
# quick no-op.  OUTDIR, when given, is used instead of that directory.
# The layout of OUTDIR is:
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
QEMU_VER=10.0.13+ds-0+deb13u1
src_dir=$NINEPLX_CACHE/qemu-src

log() {
	echo "qemu-build: $*" >&2
}

# Hash of everything that determines the result.
inputs_hash() {
	{
		echo "$QEMU_VER"
		for p in "$here"/patches/*.patch; do
			[ -f "$p" ] || continue
			basename "$p"
			cat "$p"
		done
		cat "$here/build.sh"
	} | sha256sum | cut -c1-16
}

hash=$(inputs_hash)
out=${1:-$NINEPLX_CACHE/qemu-$hash}
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
	NINEPLX_QEMU_LOCKED=1 exec flock "$out/.lock" "$0" "$out"
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

for p in "$here"/patches/*.patch; do
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
