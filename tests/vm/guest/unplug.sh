# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "unplug": the virtio device goes away under a mount (PCI remove
# from inside the guest, which runs the driver's remove as a hot-unplug
# does).  A read in flight and every later call must fail with EIO
# within a bounded time, nothing may hang, umount must work and 9plx
# must unload.  A PCI rescan then brings the device back, and 9plx binds
# it and mounts again.

M=/mnt/unplug
UNPLUG_PCI=""

# The PCI device behind the share's virtio-9p device, bound to 9plx.
unplug_find() {
	for _v in /sys/bus/virtio/drivers/9plx_virtio/virtio*; do
		[ "$(cat "$_v/mount_tag" 2>/dev/null)" = "$TAG" ] || continue
		UNPLUG_PCI=$(readlink -f "$_v/..")
		[ -e "$UNPLUG_PCI/remove" ] && return 0
	done
	UNPLUG_PCI=""
	return 1
}

c_unplug() {
	mod_loaded 9plx || modload 9plx || return 1
	try_mount 9p trans=virtio "$TAG" "$M" || { why "mount: $(cat /tmp/mount.err)"; return 1; }
	unplug_find || { why "no PCI device behind 9plx_virtio"; return 1; }
	# A reader that keeps requests in flight.
	(while cat "$M/data/big.bin" >/dev/null 2>/tmp/unplug.cat; do :; done) &
	_reader=$!
	sleep 1
	dmark
	echo 1 >"$UNPLUG_PCI/remove" || { why "PCI remove of $UNPLUG_PCI failed"; return 1; }
	_i=0
	while kill -0 "$_reader" 2>/dev/null && [ "$_i" -lt 20 ]; do
		sleep 0.5
		_i=$((_i + 1))
	done
	if kill -0 "$_reader" 2>/dev/null; then
		kill "$_reader"
		why "the reader was still running 10 s after the device went"
		return 1
	fi
	grep -q "Input/output error" /tmp/unplug.cat || {
		why "the reader stopped with '$(cat /tmp/unplug.cat)', not EIO"; return 1; }
	if timeout 10 stat "$M/hello.txt" >/dev/null 2>/tmp/e; then
		why "stat after the device went succeeded"
		return 1
	fi
	grep -q "Input/output error" /tmp/e || { why "stat after unplug: $(cat /tmp/e)"; return 1; }
	dnew | grep -q "server connection lost" || { why "no 'connection lost' line in the log"; return 1; }
	timeout 30 umount "$M" 2>/tmp/e || { why "umount: $(cat /tmp/e)"; return 1; }
	rmmod 9plx 2>/tmp/e || { why "rmmod after unplug: $(cat /tmp/e)"; return 1; }
}

c_replug() {
	[ -n "$UNPLUG_PCI" ] || { why "no device was unplugged"; return 77; }
	echo 1 >/sys/bus/pci/rescan || { why "PCI rescan failed"; return 1; }
	mod_loaded 9plx || modload 9plx || return 1
	try_mount 9p trans=virtio "$TAG" "$M" || { why "mount after replug: $(cat /tmp/mount.err)"; return 1; }
	cmp -s "$M/hello.txt" /manifest/hello.content 2>/dev/null ||
		[ "$(head -c 5 "$M/hello.txt")" = hello ] || {
		why "hello.txt after replug: $(head -c 40 "$M/hello.txt" 2>&1)"; umount_if "$M"; return 1; }
	timeout 30 umount "$M" || { why "umount after replug"; return 1; }
	rmmod 9plx 2>/tmp/e || { why "rmmod after replug: $(cat /tmp/e)"; return 1; }
}

check lost c_unplug
check replug c_replug
umount_if "$M"
