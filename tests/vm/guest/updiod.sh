# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh; RW_* by rw.sh.
# shellcheck disable=SC2034
#
# Phase "updiod" (server "diod", boot "upstream"): the in-kernel client
# with the 9P2000.Lx series, loaded by phase "setup" in place of
# Debian's modules, offers 9P2000.Lx to diod over tcp and unix.  diod
# answers with an Rlerror: the client must fall back to 9P2000.L with
# one log line naming the source, or fail with nofallback; then the
# read-write checks of rw.sh run over tcp with version=9p2000.Lx, as
# phase "diodrwref" runs them with Debian's modules.

# c_up_dfallback TRANS: the export over TRANS with version=9p2000.Lx;
# /proc/mounts must show 9P2000.L (no version=) and the log one
# fallback line for the source.
c_up_dfallback() {
	need_diod || return
	case $1 in
	tcp) _src=127.0.0.1 ;;
	unix) _src=$DIOD_SOCK ;;
	esac
	dmark
	dmount "$1" "$DM" version=9p2000.Lx || {
		why "mount: $(cat /tmp/mount.err); log: $(dnew | tail -n 2)"; return 1; }
	_v=$(mount_opt "$DM" version)
	[ -z "$_v" ] || { why "/proc/mounts has version=$_v: $(mount_line "$DM")"; return 1; }
	_n=$(dnew | grep -cF "$_src: server does not speak 9P2000.Lx, using 9P2000.L")
	[ "$_n" = 1 ] && return 0
	why "$_n fallback lines for $_src: $(dnew | grep -i 9p | tail -n 2)"
	return 1
}

c_up_dnofallback() {
	need_diod || return
	dmark
	if dmount tcp "$DM" version=9p2000.Lx,nofallback; then
		why "mounted diod with nofallback: $(mount_line "$DM")"
		umount_if "$DM"
		return 1
	fi
	dnew | grep -qF "127.0.0.1: server did not take 9P2000.Lx (nofallback)" && return 0
	why "mount failed ($(cat /tmp/mount.err)) but no nofallback line: $(dnew | tail -n 2)"
	return 1
}

for _t in tcp unix; do
	PFX=updiod/$_t-
	check fallback c_up_dfallback "$_t"
	file_checks "$DM"
	check umount c_umount "$DM"
	umount_if "$DM"
done
PFX=updiod/
check nofallback c_up_dnofallback
umount_if "$DM"

RW_CLIENT=upstream
# shellcheck source=tests/vm/guest/diodrw.sh
. /tests/diodrw.sh
