# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "fd" (server "diod"): 9plx over trans=fd.  A second diod serves
# one client on descriptors (-r/-w) opened on two FIFOs; mount gets the
# other ends as rfdno=5 and wfdno=6.  Opening order avoids a deadlock:
# diod opens c2s for reading and blocks until mount opens it for
# writing, then mount blocks on s2c until diod opens it for writing.
# When that diod dies the pipe hangs up and the mount must fail fast.

FD_PID=""

c_fd_mount() {
	[ -x "$DIOD" ] || { why "$DIOD is not in the initramfs"; return 77; }
	rm -f /tmp/c2s /tmp/s2c
	mkfifo /tmp/c2s /tmp/s2c || { why "mkfifo failed"; return 1; }
	"$DIOD" -f -n -c /etc/diod.conf -e "$EXP" -r 3 -w 4 -L /tmp/diod-fd.log \
		3</tmp/c2s 4>/tmp/s2c </dev/null >/dev/null 2>&1 &
	FD_PID=$!
	mkdir -p "$DM"
	dmark
	if ! timeout 60 mount -t 9p -o "trans=fd,rfdno=5,wfdno=6,$DIOD_OPTS" \
		fd-diod "$DM" 6>/tmp/c2s 5</tmp/s2c >/tmp/mount.err 2>&1; then
		why "mount trans=fd failed: $(cat /tmp/mount.err); log: $(dnew | tail -n 3)"
		return 1
	fi
	is_mounted "$DM" || { why "mount returned 0 but $DM is not in /proc/mounts"; return 1; }
	echo "nlx: mounted: $(mount_line "$DM")"
}

c_fd_lost() {
	need_mount "$DM" || return
	dmark
	diod_kill "$FD_PID"
	c_fails_eio stat "$DM/hello.txt" || return 1
	c_fails_eio cat "$DM/data/file" || return 1
	c_lost_logged
}

PFX=fd/
check mount c_fd_mount
check version c_version "$DM" "$DIOD_VERSION"
check trans c_trans "$DM" fd
file_checks "$DM"
check lost-server c_fd_lost
check umount c_umount "$DM"
umount_if "$DM"
diod_kill "$FD_PID"

check no-rfdno c_d_mount_fails fd "trans=fd,wfdno=1,$DIOD_OPTS" "rfdno"
check no-wfdno c_d_mount_fails fd "trans=fd,rfdno=0,$DIOD_OPTS" "wfdno"
check bad-fd c_d_mount_fails fd "trans=fd,rfdno=77,wfdno=78,$DIOD_OPTS" "not an open descriptor"
