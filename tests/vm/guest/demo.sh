# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "demo" (tools/demo): mount the share with 9plx and report what
# the guest sees of p1/file and p2/file, as "DEMO:" lines.
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034

M=/mnt/demo
PFX=demo/

check insmod modload 9plx
check mount c_mounted 9p trans=virtio "$M"
if is_mounted "$M"; then
	report "DEMO: mount $(mount_line "$M")"
	for p in p1/file p2/file; do
		# dev as major:minor, the way the host side prints it.
		report "DEMO: stat $p $(stat -c '%d %i %s' "$M/$p" 2>&1)"
	done
	# p1, p2 and the share root are all inode 1 on the host: whether
	# the guest can walk into them shows if it keeps them apart.
	for p in p1 p2; do
		# shellcheck disable=SC2012 # for people to read; names are plain
		report "DEMO: ls $p $(ls "$M/$p" 2>&1 | tr '\n' ' ')"
	done
	report "DEMO: log $(dmesg | grep -F 9plx | grep -F "$TAG" | tail -n 1)"
fi
check umount c_umount "$M"
umount_if "$M"

# The seeds' case: cache=loose, p1/file held open, a write to p2/file.
# The host side then shows where the bytes landed.
check mount-loose c_mounted 9p trans=virtio,cache=loose "$M"
if is_mounted "$M"; then
	if (exec 3<"$M/p1/file" && cat <&3 >/dev/null &&
	    printf 'written by the guest to p2/file\n' >"$M/p2/file") 2>/tmp/seed.err; then
		report "DEMO: seed written"
	else
		report "DEMO: seed failed $(cat /tmp/seed.err)"
	fi
fi
check umount-loose c_umount "$M"
umount_if "$M"
