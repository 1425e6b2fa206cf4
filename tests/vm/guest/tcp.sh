# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "tcp" (server "diod"): 9plx over trans=tcp to diod on
# 127.0.0.1.  diod answers Tversion 9P2000.Lx with Rlerror, so the
# session must fall back to 9P2000.L.  Also privport, and the mount
# failures that name their cause.

# Fallback lines in the log since dmark: they name the source and
# 9P2000.L (and not only as part of "9P2000.Lx").
c_d_fallback_log() {
	need_mount "$1" || return
	_n=$(dnew | grep -F "$2" | grep -Eic 'using 9p2000\.l([^x]|$)')
	[ "$_n" -eq 1 ] && return 0
	why "want one fallback line naming $2, found $_n: $(dnew | tail -n 3)"
	return 1
}

# The connection to diod comes from a reserved port (665..1023).
c_privport() {
	need_mount "$1" || return
	_dport=$(printf '%04X' "$DIOD_PORT")
	# /proc/net/tcp: local rem st, hex; our end has diod's port as remote.
	_lport=$(awk -v p=":$_dport" '$3 ~ p"$" && $4 == "01" {
		split($2, a, ":"); print a[2] }' /proc/net/tcp | head -n 1)
	[ -n "$_lport" ] || { why "no established connection to port $DIOD_PORT in /proc/net/tcp"; return 1; }
	_n=$(printf '%d' "0x$_lport")
	[ "$_n" -ge 665 ] && [ "$_n" -le 1023 ] && return 0
	why "local port $_n is not a reserved port"
	return 1
}

# A "server" whose first reply claims 4 GiB: 9plx must drop the
# connection with a log line, and the mount must fail.
c_bad_reply() {
	printf '\377\377\377\377\145\377\377' >/tmp/garbage
	nc -l -p 5641 </tmp/garbage >/dev/null 2>&1 &
	_nc=$!
	sleep 0.5
	c_d_mount_fails 127.0.0.1 "trans=tcp,port=5641,$DIOD_OPTS" "dropping the connection"
	_rc=$?
	kill "$_nc" 2>/dev/null
	wait "$_nc" 2>/dev/null
	return $_rc
}

PFX=tcp/
dmark
# c_locks: two mounts are two sessions, so only the server can make one
# mount's lock exclude the other's (diod turns Tlock into flock on the
# host; QEMU grants every lock, so this runs against diod only).
c_locks() {
	need_mount "$DM" || return
	_m2=/mnt/diod2
	dmount tcp "$_m2" "" || { why "second mount: $(cat /tmp/mount.err)"; return 1; }
	: >"$DM/lockfile"
	timeout 60 nlxprobe locks "$DM/lockfile" "$_m2/lockfile" >/tmp/locks.out 2>&1
	_rc=$?
	echo "nlx: locks: $(tr '\n' ';' </tmp/locks.out)"
	rm -f "$DM/lockfile"
	timeout 30 umount "$_m2" || umount -l "$_m2"
	[ "$_rc" = 0 ] && return 0
	why "nlxprobe locks: exit $_rc, $(tail -n 1 /tmp/locks.out)"
	return 1
}

check mount c_dmounted tcp "$DM"
check version c_version "$DM" "$DIOD_VERSION"
check trans c_trans "$DM" tcp
check fallback-log c_d_fallback_log "$DM" 127.0.0.1
file_checks "$DM"
check locks c_locks
check umount c_umount "$DM"
umount_if "$DM"

PFX=tcp/privport-
check mount c_dmounted tcp "$DM" privport
check local-port c_privport "$DM"
check readdir c_d_readdir "$DM"
check umount c_umount "$DM"
umount_if "$DM"

PFX=tcp/msize8k-
check mount c_dmounted tcp "$DM" msize=8192
check read-md5 c_d_read "$DM"
check readdir c_d_readdir "$DM"
check umount c_umount "$DM"
umount_if "$DM"

PFX=tcp/
check bad-address c_d_mount_fails not-an-address "trans=tcp,$DIOD_OPTS" "IPv4 or IPv6"
check refused c_d_mount_fails 127.0.0.1 "trans=tcp,port=5999,$DIOD_OPTS" "cannot connect"
check bad-reply c_bad_reply
