# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "up" (boot "upstream"): the kernel's own 9p client built from
# Debian's linux-source-6.12 with the 9P2000.Lx series of tools/linux,
# loaded in place of Debian's modules (the boot's image carries them as
# /mods/9pnet*.ko and /mods/9p.ko).  Against the patched QEMU,
# version=9p2000.Lx must give a 9P2000.Lx session; against QEMU 7.2 it
# must fall back to 9P2000.L with one log line; nofallback must refuse
# that; the default stays 9P2000.L.  The phases after this one (uprw,
# upseeds, upids, upll) use the modules loaded here.

M=/mnt/up
if [ "$NLX_SERVER" = patched ]; then
	UP_VERSION=9p2000.Lx
else
	UP_VERSION=9p2000.L
fi

c_up_load() {
	modload 9pnet_virtio || return 1
	modload 9p || return 1
	fs_registered 9p || { why "no 9p in /proc/filesystems after loading 9p.ko"; return 1; }
	# Built out of tree: the kernel marks such modules with O.
	for _m in 9pnet 9pnet_virtio 9p; do
		grep -q O "/sys/module/$_m/taint" 2>/dev/null && continue
		why "$_m is not the out-of-tree build (taint '$(cat "/sys/module/$_m/taint" 2>&1)')"
		return 1
	done
}

# Lines announcing the fallback, naming the tag.
up_fallback_lines() {
	dnew | grep -F "$TAG: server does not speak 9P2000.Lx, using 9P2000.L"
}

# c_up_mount OPTS WANT: mount with OPTS; /proc/mounts must show
# version=WANT (nothing for 9P2000.L, the client's default); the log
# must have the fallback line exactly when 9P2000.Lx was asked for and
# the server lacks it.
c_up_mount() {
	dmark
	try_mount 9p "$1" "$TAG" "$M" || {
		why "mount -o $1: $(cat /tmp/mount.err); log: $(dnew | tail -n 2)"; return 1; }
	# The client shows no version= for its default, 9P2000.L.
	_v=$(mount_opt "$M" version)
	[ "${_v:-9p2000.L}" = "$2" ] || {
		why "/proc/mounts has version=${_v:-<none>}, want $2: $(mount_line "$M")"; return 1; }
	_n=$(up_fallback_lines | wc -l)
	case $1/$NLX_SERVER in
	*9p2000.Lx*/stock) _want=1 ;;
	*) _want=0 ;;
	esac
	[ "$_n" = "$_want" ] && return 0
	why "$_n fallback lines in the log, want $_want: $(dnew | grep -i 9p | tail -n 2)"
	return 1
}

# With nofallback a server without 9P2000.Lx fails the mount.
c_up_nofallback() {
	if [ "$NLX_SERVER" = patched ]; then
		c_up_mount trans=virtio,version=9p2000.Lx,nofallback 9p2000.Lx || return 1
		mount_line "$M" | grep -q ',nofallback' || {
			why "/proc/mounts lacks nofallback: $(mount_line "$M")"; return 1; }
		timeout 60 umount "$M"
		return
	fi
	dmark
	if try_mount 9p trans=virtio,version=9p2000.Lx,nofallback "$TAG" "$M"; then
		why "mounted a server without 9P2000.Lx: $(mount_line "$M")"
		umount_if "$M"
		return 1
	fi
	grep -q 'Protocol not supported' /tmp/mount.err || {
		why "mount failed with '$(cat /tmp/mount.err)', want EPROTONOSUPPORT"; return 1; }
	dnew | grep -qF "$TAG: server did not take 9P2000.Lx (nofallback)" && return 0
	why "no nofallback line in the log: $(dnew | tail -n 2)"
	return 1
}

check load-modules c_up_load
check mount c_up_mount trans=virtio,version=9p2000.Lx "$UP_VERSION"
basic_checks "$M"
check umount c_umount "$M"
umount_if "$M"
PFX=up/default-
check mount c_up_mount trans=virtio 9p2000.L
check umount c_umount "$M"
umount_if "$M"
PFX=up/
check nofallback c_up_nofallback
umount_if "$M"
