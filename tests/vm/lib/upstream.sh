# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The "upstream" boot of tests/vm/run: the kernel's own 9p client with
# the 9P2000.Lx series (tools/linux/build.sh, against Debian's 7.3) in
# the 7.3 guest, in place of Debian's modules.  Needs: top (repo root), NINEPLX_CACHE, kit_cpio
# and kit_tool (guestkit.sh).
: "${top:?upstream.sh needs top, the repository root}"

# up_modules: build (or find) the patched modules; prints their directory.
up_modules() {
	local out
	out=$("$top/tools/linux/build.sh") || return 1
	out=$(printf '%s\n' "$out" | tail -n 1)
	[ -f "$out/9pnet.ko" ] && [ -f "$out/9pnet_virtio.ko" ] &&
		[ -f "$out/9pnet_fd.ko" ] && [ -f "$out/9p.ko" ] || return 1
	echo "$out"
}

# up_image MODDIR: an archive to append to a guest image (after the base
# image, which holds Debian's modules): the patched 9pnet.ko,
# 9pnet_virtio.ko, 9pnet_fd.ko and 9p.ko as /mods/NAME.ko, and
# /bin/nlxlandlock.  The kernel unpacks concatenated archives in turn and
# a later file replaces an earlier one, so modload in the guest loads
# these, with the dependency lists staged for Debian's (the same
# modules, the same dependencies).  Cached by content; prints its path.
up_image() {
	local mods=$1 ll key img tree f
	ll=$(kit_tool nlxlandlock) || return 1
	key=$({
		declare -f up_image
		sha256sum "$ll" "$mods"/9pnet.ko "$mods"/9pnet_virtio.ko \
			"$mods"/9pnet_fd.ko "$mods"/9p.ko | cut -d' ' -f1
	} | sha256sum | cut -c1-16)
	img=$NINEPLX_CACHE/vm/initrd/upstream-$key.cpio.gz
	if [ -f "$img" ]; then
		echo "$img"
		return 0
	fi
	mkdir -p "${img%/*}"
	tree=$(mktemp -d "${TMPDIR:-/tmp}/9plx-up.XXXXXX")
	mkdir -p "$tree/mods" "$tree/bin"
	cp "$mods"/9pnet.ko "$mods"/9pnet_virtio.ko "$mods"/9pnet_fd.ko \
		"$mods"/9p.ko "$tree/mods/"
	cp "$ll" "$tree/bin/nlxlandlock"
	f=$(mktemp "$img.XXXXXX")
	kit_cpio "$tree" >"$f"
	mv "$f" "$img"
	rm -rf "$tree"
	echo "$img"
}
