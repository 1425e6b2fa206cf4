# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "setup" (server "diod"): loopback up, a tree to export, the
# client under test loaded (the in-kernel 9p with 9pnet_fd when the plan
# has the "stock" phase, else 9plx), and diod serving the tree on
# loopback.  The phases after it (stock, or tcp, unix, fd, lost, cycles)
# use what this one sets up.

# shellcheck disable=SC1091 # only exists inside the initramfs
. /tests/diodlib.sh

c_loopback() {
	ip link set lo up 2>/tmp/ip.err || ifconfig lo 127.0.0.1 up 2>>/tmp/ip.err || {
		why "cannot bring lo up: $(cat /tmp/ip.err)"
		return 1
	}
	ip addr show lo 2>/dev/null | grep -q 'inet 127\.0\.0\.1' && return 0
	why "lo has no 127.0.0.1: $(ip addr show lo 2>&1 | tr '\n' ' ')"
	return 1
}

c_insmod_stock() {
	modload 9pnet_fd || return 1
	modload 9p || return 1
	fs_registered 9p && return 0
	why "9p not in /proc/filesystems after loading 9p.ko"
	return 1
}

c_insmod_9plx() {
	modload 9plx || return 1
	fs_registered 9p && return 0
	why "no 9p in /proc/filesystems after insmod 9plx"
	return 1
}

c_diod() {
	[ -x "$DIOD" ] || { why "$DIOD is not in the initramfs"; return 1; }
	diod_start
}

check loopback c_loopback
check export c_export
# plan: set by /init.
# shellcheck disable=SC2154
case ",$plan," in
*,stock,*) check insmod-stock c_insmod_stock ;;
*) check insmod-9plx c_insmod_9plx ;;
esac
check diod-start c_diod
