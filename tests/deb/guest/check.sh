#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installed as /usr/local/sbin/nlx-deb-check in the Debian roots of
# tests/deb/run and tests/deb/trixie (tests/deb/lib.sh), run by
# nlx-deb-check.service once systemd has booted with the fstab lines
# below.  nlx.expect= on the kernel command line says who must serve
# mount -t 9p: 9plx (switch on) or stock (switch off); nlx.version= is
# the version the package was built with.
#
#   share9 /mnt/share 9p trans=virtio,_netdev 0 0
#   auto9  /mnt/auto  9p trans=virtio,noauto,x-systemd.automount 0 0
#
# Results ("PASS: name", "FAIL: name: why") go to /dev/ttyS1, then DONE,
# then the machine powers off.
set -u
out=/dev/ttyS1
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p"; }
expect=$(arg nlx.expect)
ver=$(arg nlx.version)

pass() { echo "PASS: $1" >"$out"; }
fail() { echo "FAIL: $1: $2" >"$out"; }
check() {
	local name=$1 why
	shift
	if why=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(echo "$why" | tr '\n' ' ' | cut -c1-300)"; fi
}
loaded() { grep -q "^$1 " /proc/modules; }

# The options of the mount at $1, from /proc/self/mountinfo via findmnt
# (raw: one space between the columns).
mnt_line() { findmnt -n -r -o FSTYPE,SOURCE,OPTIONS --mountpoint "$1"; }

c_share() {
	local l
	l=$(mnt_line /mnt/share) || { echo "/mnt/share not mounted; $(systemctl status mnt-share.mount 2>&1 | tail -n 3)"; return 1; }
	case $expect in
	9plx) [[ $l == "9p share9 "*version=9p2000.Lx* ]] || { echo "want 9p with version=9p2000.Lx: $l"; return 1; } ;;
	stock) [[ $l == "9p share9 "* && $l != *9p2000.Lx* ]] || { echo "want 9p without 9p2000.Lx: $l"; return 1; } ;;
	esac
	[ "$(cat /mnt/share/hello.txt)" = "hello from share9" ] || { echo "hello.txt: $(cat /mnt/share/hello.txt)"; return 1; }
}

c_automount() {
	local l
	# Before the first access the mount point is systemd's autofs.
	l=$(findmnt -n -o FSTYPE --mountpoint /mnt/auto | head -n 1)
	[ "$l" = autofs ] || { echo "/mnt/auto before access: '$l', want autofs"; return 1; }
	[ "$(cat /mnt/auto/hello.txt)" = "hello from auto9" ] || { echo "read through the automount failed"; return 1; }
	l=$(mnt_line /mnt/auto | grep '^9p ') || { echo "no 9p mount on /mnt/auto after access: $(findmnt --mountpoint /mnt/auto)"; return 1; }
	case $expect in
	9plx) [[ $l == *version=9p2000.Lx* ]] || { echo "want version=9p2000.Lx: $l"; return 1; } ;;
	stock) [[ $l != *9p2000.Lx* ]] || { echo "9P2000.Lx with the switch off: $l"; return 1; } ;;
	esac
}

# Which client holds the modules and the devices.
c_owner() {
	local d n=0
	if [ "$expect" = 9plx ]; then
		loaded 9plx || { echo "9plx not loaded: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"; return 1; }
		! loaded 9p || { echo "the in-kernel 9p is loaded too"; return 1; }
		! loaded 9pnet_virtio || { echo "9pnet_virtio is loaded"; return 1; }
		d=/sys/bus/virtio/drivers/9plx_virtio
	else
		! loaded 9plx || { echo "9plx loaded with the switch off"; return 1; }
		loaded 9p || { echo "the in-kernel 9p is not loaded"; return 1; }
		d=/sys/bus/virtio/drivers/9pnet_virtio
	fi
	for x in "$d"/virtio*; do
		[ -e "$x" ] && n=$((n + 1))
	done
	[ "$n" = 2 ] || { echo "$n virtio-9p devices bound to ${d##*/}, want 2"; return 1; }
}

c_load_log() {
	local l
	l=$(dmesg | grep -F "9plx: version $ver, filesystem type 9p")
	if [ "$expect" = 9plx ]; then
		[ -n "$l" ] || { echo "no '9plx: version $ver, filesystem type 9p' in the kernel log"; return 1; }
	else
		[ -z "$l" ] || { echo "9plx loaded with the switch off: $l"; return 1; }
	fi
}

c_status() {
	local s
	s=$(9plx-takeover status)
	case $expect in
	9plx) [[ $s == *"switch: on"* && $s == *"bound to 9plx_virtio"* ]] ;;
	stock) [[ $s == *"switch: off"* && $s == *"bound to 9pnet_virtio"* ]] ;;
	esac || { echo "9plx-takeover status: $s"; return 1; }
}

c_kernel_log() {
	local bad
	bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|KASAN|refcount_t|general protection|hung_task|INFO: task|Kernel panic|Call Trace' | head -n 1)
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

c_failed_units() {
	local f
	f=$(systemctl --failed --plain --no-legend | grep -E '\.(mount|automount) ' || true)
	[ -z "$f" ] || { echo "$f"; return 1; }
}

check fstab-mount c_share
check automount c_automount
check owner c_owner
check load-log c_load_log
check takeover-status c_status
check mount-units c_failed_units
check kernel-log c_kernel_log
echo DONE >"$out"
sync
systemctl poweroff
