# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# A Debian userland (bookworm, minbase plus gcc, make, git and fio) for
# the "userland" phase: the guest chroots into it over 9plx, builds and
# runs a program, uses git, checks data with fio and locks with flock(1).  Built once with debootstrap from
# Debian's archive and cached under $NINEPLX_CACHE/rootfs/; each boot
# exports an overlay of it, so the cache itself never changes.

ROOTFS_PKGS="gcc,make,git,libc6-dev,fio"

# rootfs_get: print the cached tree's path, building it if needed.
rootfs_get() {
	local key dir tmp
	key=$(printf '%s\n' bookworm minbase "$ROOTFS_PKGS" | sha256sum | cut -c1-16)
	dir=$NINEPLX_CACHE/rootfs/bookworm-$key
	if [ -f "$dir.done" ]; then
		echo "$dir"
		return 0
	fi
	command -v debootstrap >/dev/null || return 1
	rm -rf "$dir"
	mkdir -p "${dir%/*}"
	tmp=$(mktemp -d "$dir.tmp.XXXXXX")
	if ! debootstrap --variant=minbase --include="$ROOTFS_PKGS" bookworm \
		"$tmp" http://deb.debian.org/debian >"$tmp.log" 2>&1; then
		rm -rf "$tmp"
		return 1
	fi
	rootfs_commit "$tmp" "$dir"
}

# rootfs_commit TMP DIR: a cache entry finished in TMP becomes DIR (its
# build log goes, DIR.done marks it whole).  Prints DIR.
rootfs_commit() {
	rm -f "$1.log"
	mv "$1" "$2"
	touch "$2.done"
	echo "$2"
}

# rootfs_overlay LOWER TOP: mount an overlay of LOWER at TOP/merged,
# with its writes kept under TOP.  Prints TOP/merged.
rootfs_overlay() {
	mkdir -p "$2/upper" "$2/work" "$2/merged"
	mount -t overlay overlay \
		-o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/merged" &&
		echo "$2/merged"
}
