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

# --- IPv6 -------------------------------------------------------------------
#
# diod 1.0.24 splits -l HOST:PORT at the first colon, so it takes no
# IPv6 literal; a name that resolves to ::1 alone (added to the guest's
# /etc/hosts) makes it listen on [::1] only.  9plx is given the literal.

D6_PORT=5642
D6_NAME=nlx-ip6-loopback
D6_PID=""

# listening6 PORT: a listener on [::1]:PORT in /proc/net/tcp6.
listening6() {
	grep -qi "00000000000000000000000001000000:$(printf '%04X' "$1") 00000000000000000000000000000000:0000 0A" \
		/proc/net/tcp6 2>/dev/null
}

c_ipv6_lo() {
	[ -r /proc/net/if_inet6 ] || { why "no IPv6 in this kernel (/proc/net/if_inet6 missing)"; return 77; }
	grep -q '^00000000000000000000000000000001 .* lo$' /proc/net/if_inet6 && return 0
	why "lo has no ::1: $(tr '\n' ' ' </proc/net/if_inet6)"
	return 1
}

c_ipv6_diod() {
	[ -r /proc/net/if_inet6 ] || { why "no IPv6 in this kernel"; return 77; }
	grep -q " $D6_NAME\$" /etc/hosts || echo "::1 $D6_NAME" >>/etc/hosts
	"$DIOD" -f -n -c /etc/diod.conf -e "$EXP" -l "$D6_NAME:$D6_PORT" \
		</dev/null >>/tmp/diod6.log 2>&1 &
	D6_PID=$!
	for _i in $(seq 50); do
		listening6 "$D6_PORT" && break
		kill -0 "$D6_PID" 2>/dev/null || break
		sleep 0.1
	done
	listening6 "$D6_PORT" || {
		why "diod -l $D6_NAME:$D6_PORT: no listener on [::1]: $(tail -n 3 /tmp/diod6.log | tr '\n' ' ')"
		return 1
	}
	grep -qi ":$(printf '%04X' "$D6_PORT") 00000000:0000 0A" /proc/net/tcp || return 0
	why "diod listens on IPv4 port $D6_PORT too"
	return 1
}

need_diod6() {
	[ -n "$D6_PID" ] && kill -0 "$D6_PID" 2>/dev/null && return 0
	why "diod on [::1] is not running (earlier failure)"
	return 77
}

c_ipv6_mount() {
	need_diod6 || return
	dmark
	try_mount 9p "trans=tcp,port=$D6_PORT,$DIOD_OPTS" ::1 "$DM" || {
		why "mount ::1: $(cat /tmp/mount.err); log: $(dnew | tail -n 3)"
		return 1
	}
	is_mounted "$DM" || { why "mount returned 0 but $DM is not in /proc/mounts"; return 1; }
	echo "nlx: mounted: $(mount_line "$DM")"
}

# The session is an IPv6 connection: established, from ::1 to [::1]:port.
c_ipv6_conn() {
	need_mount "$DM" || return
	_p=$(printf '%04X' "$D6_PORT")
	grep -Eqi " 00000000000000000000000001000000:[0-9A-F]{4} 00000000000000000000000001000000:$_p 01 " \
		/proc/net/tcp6 && return 0
	why "no established ::1 -> [::1]:$D6_PORT connection in /proc/net/tcp6"
	return 1
}

c_ipv6_source() {
	need_mount "$DM" || return
	_s=$(mount_line "$DM" | awk '{ print $1 }')
	[ "$_s" = ::1 ] && return 0
	why "/proc/mounts names the source '$_s', wanted ::1"
	return 1
}

# diod on [::1] only: the same port over IPv4 is refused.
c_ipv6_only() {
	need_diod6 || return
	c_d_mount_fails 127.0.0.1 "trans=tcp,port=$D6_PORT,$DIOD_OPTS" "cannot connect"
}

PFX=tcp/ipv6-
check lo c_ipv6_lo
check diod c_ipv6_diod
check mount c_ipv6_mount
check source c_ipv6_source
check connection c_ipv6_conn
check version c_version "$DM" "$DIOD_VERSION"
file_checks "$DM"
check umount c_umount "$DM"
umount_if "$DM"
check v4-refused c_ipv6_only
diod_kill "$D6_PID"

PFX=tcp/
check bad-address c_d_mount_fails not-an-address "trans=tcp,$DIOD_OPTS" "IPv4 or IPv6"
check refused c_d_mount_fails 127.0.0.1 "trans=tcp,port=5999,$DIOD_OPTS" "cannot connect"
check bad-reply c_bad_reply
