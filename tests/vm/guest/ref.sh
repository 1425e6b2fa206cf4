# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "ref": the kernel's own 9p client, 9P2000.L.  Proves the
# harness and the share, and that a patched server still serves
# guests that know nothing of 9P2000.Lx.

M=/mnt/ref

c_ref_load() {
	modload 9pnet_virtio || return 1
	modload 9p || return 1
	fs_registered 9p && return 0
	why "9p not in /proc/filesystems after loading 9p.ko"
	return 1
}

check load-modules c_ref_load
check mount c_mounted 9p trans=virtio,version=9p2000.L "$M"
basic_checks "$M"
check umount c_umount "$M"
umount_if "$M"
