# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "collision": with the kernel's own 9p filesystem registered,
# 9plx must refuse to load under its default fstype=9p, and load and
# mount under fstype=9plx.
#
# Which driver owns the virtio-9p device matters here: 9plx brings its
# own virtio driver, and so does 9pnet_virtio.  Only 9p.ko (and what it
# needs: 9pnet, netfs...) is loaded, never 9pnet_virtio, so the device
# stays free for 9plx.  If an earlier phase of the same boot loaded
# 9pnet_virtio, it is unloaded first (unbinding the device).

M=/mnt/collision

c_stock_fs() {
	if mod_loaded 9plx; then
		umount_if /mnt/9plx
		rmmod 9plx 2>/tmp/rmmod.err || {
			why "9plx left loaded by an earlier phase: $(cat /tmp/rmmod.err)"
			return 1
		}
	fi
	if mod_loaded 9pnet_virtio; then
		umount_if /mnt/ref
		rmmod 9pnet_virtio 2>/tmp/rmmod.err || {
			why "cannot unload 9pnet_virtio: $(cat /tmp/rmmod.err)"
			return 1
		}
	fi
	mod_loaded 9p || modload 9p || return 1
	fs_registered 9p && return 0
	why "no 9p in /proc/filesystems after loading 9p.ko"
	return 1
}

c_refused() {
	fs_registered 9p || { why "stock 9p not registered"; return 77; }
	dmark
	if insmod /mods/9plx.ko 2>/tmp/insmod.err; then
		why "insmod 9plx.ko succeeded while the stock 9p is registered"
		return 1
	fi
	mod_loaded 9plx && { why "insmod failed but 9plx is in /proc/modules"; return 1; }
	# The reason must be in the log, from 9plx, naming the fs type.
	_l=$(dnew | grep -F 9plx | grep -F 9p | head -n 1)
	if [ -z "$_l" ]; then
		why "refused, but no 9plx log line says why: $(cat /tmp/insmod.err) / $(dnew | tail -n 2)"
		return 1
	fi
	echo "nlx: refusal logged: $_l"
}

c_alt_fstype() {
	mod_loaded 9plx && { why "9plx already loaded"; return 1; }
	modload 9plx fstype=9plx || return 1
	fs_registered 9plx || { why "no 9plx in /proc/filesystems"; return 1; }
	fs_registered 9p || { why "stock 9p vanished from /proc/filesystems"; return 1; }
	return 0
}

c_alt_read() {
	need_mount "$M" || return
	c_read_small "$M" || return 1
	c_readdir_root "$M"
}

c_alt_rmmod() {
	mod_loaded 9plx || { why "9plx not loaded (earlier failure)"; return 77; }
	umount_if "$M"
	rmmod 9plx 2>/tmp/rmmod.err || { why "rmmod 9plx: $(cat /tmp/rmmod.err)"; return 1; }
	fs_registered 9plx && { why "9plx still in /proc/filesystems"; return 1; }
	fs_registered 9p && return 0
	why "stock 9p gone from /proc/filesystems after rmmod 9plx"
	return 1
}

check stock-9p-registered c_stock_fs
check insmod-refused c_refused
check insmod-fstype-9plx c_alt_fstype
if mod_loaded 9plx; then
	check mount c_mounted 9plx trans=virtio "$M"
	check read c_alt_read
	check umount c_umount "$M"
	check rmmod c_alt_rmmod
fi
umount_if "$M"
