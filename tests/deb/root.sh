# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The Debian root of tests/deb/run: the VM tests' userland root
# (tests/vm/lib/rootfs.sh) plus what a guest admin has before installing
# 9plx-dkms: dkms, systemd and udev, and Debian's 6.12 kernel with its
# headers (the headers package depends on the image).  The 6.1 headers
# are only downloaded (apt's archive cache), for the test to install
# after the package.  Built once in a chroot and cached under
# $NINEPLX_CACHE/debroot/, keyed by its inputs; each run works on an
# overlay of it.  Needs: top, NINEPLX_CACHE, K612, K61.

DEBROOT_PKGS="dkms systemd-sysv udev kmod"

# debroot_chroot_mounts ROOT / debroot_chroot_umounts ROOT: what apt,
# dpkg and dkms need inside a chroot.
debroot_chroot_mounts() {
	mount -t proc proc "$1/proc" &&
		mount -t sysfs sysfs "$1/sys" &&
		mount --bind /dev "$1/dev"
}

debroot_chroot_umounts() {
	local m
	for m in dev sys proc; do
		if mountpoint -q "$1/$m"; then
			umount "$1/$m" || umount -l "$1/$m"
		fi
	done
}

# debroot_get: print the cached root's path, building it if needed.
debroot_get() {
	local base key dir tmp k612=$K612-amd64 k61=$K61-amd64 rc=0
	base=$(rootfs_get) || return 1
	key=$({
		echo "$base" "$DEBROOT_PKGS" "$K612" "$K61"
		declare -f debroot_get debroot_build
	} | sha256sum | cut -c1-16)
	dir=$NINEPLX_CACHE/debroot/$key
	if [ -f "$dir.done" ]; then
		echo "$dir"
		return 0
	fi
	rm -rf "$dir"
	mkdir -p "${dir%/*}"
	tmp=$(mktemp -d "$dir.tmp.XXXXXX")
	cp -a "$base/." "$tmp/"
	debroot_chroot_mounts "$tmp" &&
		debroot_build "$tmp" "$k612" "$k61" >"$tmp.log" 2>&1 || rc=1
	debroot_chroot_umounts "$tmp"
	if [ "$rc" != 0 ]; then
		echo "debroot: building the root failed, see $tmp.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	rootfs_commit "$tmp" "$dir"
}

# debroot_build ROOT K612 K61: run inside debroot_get, mounts in place.
debroot_build() {
	local r=$1 k612=$2 k61=$3
	cp /etc/resolv.conf "$r/etc/resolv.conf"
	cat >"$r/etc/apt/sources.list" <<-LIST
	deb http://deb.debian.org/debian bookworm main
	deb http://deb.debian.org/debian bookworm-updates main
	deb http://deb.debian.org/debian-security bookworm-security main
	deb http://deb.debian.org/debian bookworm-backports main
	LIST
	chroot "$r" apt-get update -q || return 1
	# initramfs images with only the modules listed: the kernel's own
	# would hold most of them and take minutes to build under TCG load.
	mkdir -p "$r/etc/initramfs-tools/conf.d"
	echo MODULES=list >"$r/etc/initramfs-tools/conf.d/9plx-test"
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive chroot "$r" apt-get install -y -q \
		--no-install-recommends $DEBROOT_PKGS "linux-headers-$k612" || return 1
	DEBIAN_FRONTEND=noninteractive chroot "$r" apt-get install -y -q \
		--no-install-recommends --download-only "linux-headers-$k61" || return 1
	[ -f "$r/lib/modules/$k612/modules.dep" ] || return 1
	# A fixed machine id: no first-boot prompt in the guests.
	echo 9f1a7c2e5b3d4a6f8e0c1b2a3d4e5f60 >"$r/etc/machine-id"
	ln -sf /dev/null "$r/etc/systemd/system/systemd-firstboot.service"
	rm -f "$r/etc/resolv.conf"
}
