# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh; RW_* by rw.sh.
# shellcheck disable=SC2034
#
# Phase "diodrw" (server "diod"): the read-write checks of rw.sh through
# 9plx over trans=tcp to diod (9P2000.Lx offered, 9P2000.L spoken).
# Phase "diodrwref" runs them through the in-kernel client
# (RW_CLIENT=stock) against the same diod, as the reference.
#
# The mount uses access=client (the default), as rw.sh does on virtio:
# each local user attaches with its own uid, so diod must know the
# users of the multi-user check (added to the guest's passwd and group
# files here) and the files they create are theirs on the export.

RW_SRC=127.0.0.1
RW_SRC2=$RW_SRC
RW_OPTS="trans=tcp,port=$DIOD_PORT,aname=$EXP"
[ "${RW_CLIENT:-9plx}" != stock ] || RW_OPTS="$RW_OPTS,version=9p2000.L"
# The in-kernel client with the 9P2000.Lx series (phase updiod) offers
# 9P2000.Lx and falls back.
[ "${RW_CLIENT:-9plx}" != upstream ] || RW_OPTS="$RW_OPTS,version=9p2000.Lx"

c_drw_setup() {
	need_diod || return
	for _u in 1000 1001; do
		grep -q "^nlx$_u:" /etc/passwd ||
			echo "nlx$_u:x:$_u:$_u::/:/bin/false" >>/etc/passwd
		grep -q "^nlx$_u:" /etc/group || echo "nlx$_u:x:$_u:" >>/etc/group
	done
	mkdir -p "$EXP/scratch" || { why "mkdir $EXP/scratch"; return 1; }
}

check setup c_drw_setup
# shellcheck source=tests/vm/guest/rw.sh
. /tests/rw.sh

# diod lets a connection on which root has attached bypass permission
# checks (it trusts the client to make them), so the checks above, with
# root in the same mount, never meet a refusal from the server.  A mount
# for uid 1000 alone (access=1000, uname=nlx1000) has diod act as that
# user with no privilege, as a server that enforces permissions does.
ENF_DIR=$EXP/enforced

drw_enf_mount() {
	umount_if "$DM"
	try_mount 9p "$RW_OPTS,access=1000,uname=nlx1000" "$RW_SRC" "$DM" && return 0
	why "mount as uid 1000 alone: $(cat /tmp/mount.err)"
	return 1
}

# open(O_CREAT | O_WRONLY, 0444) by the user: one Tlcreate, not a create
# then an open for writing of a file the user may only read.
c_drw_create_ro() {
	need_diod || return
	mkdir -p "$ENF_DIR" && chown 1000:1000 "$ENF_DIR" || { why "mkdir $ENF_DIR"; return 1; }
	drw_enf_mount || return 1
	_f=enforced/ro-$RW_CLIENT
	nlxprobe asuser 1000 1000 sh -c "umask 0222; echo ro >$DM/$_f" 2>/tmp/e
	_rc=$?
	umount_if "$DM"
	[ "$_rc" = 0 ] || { why "open(O_CREAT|O_WRONLY, 0444) as uid 1000: $(cat /tmp/e)"; return 1; }
	[ "$(stat -c '%a %u' "$EXP/$_f")" = "444 1000" ] && [ "$(cat "$EXP/$_f")" = ro ] && return 0
	why "on the export: mode owner $(stat -c '%a %u' "$EXP/$_f"), contents '$(cat "$EXP/$_f")'"
	return 1
}

# A user's write and truncate of root's mode 06777 file: the client may
# not change the mode (diod refuses, as the user is not the owner), and
# diod, writing as the user, clears the bits itself.  Both must work and
# the guest must see the bits gone.
c_drw_killpriv_enf() {
	need_diod || return
	_f=$ENF_DIR/kp-$RW_CLIENT
	_got=""
	for _step in write truncate; do
		echo data >"$_f" && chmod 6777 "$_f" || { why "set up $_f"; return 1; }
		drw_enf_mount || return 1
		case $_step in
		write) nlxprobe asuser 1000 1000 sh -c "echo more >>$DM/${_f#"$EXP"/}" ;;
		truncate) nlxprobe asuser 1000 1000 truncate -s 1 "$DM/${_f#"$EXP"/}" ;;
		esac 2>/tmp/e || { why "$_step as uid 1000: $(cat /tmp/e)"; umount_if "$DM"; return 1; }
		_got="$_got $_step $(nlxprobe asuser 1000 1000 stat -c %a "$DM/${_f#"$EXP"/}")/$(stat -c %a "$_f")"
		umount_if "$DM"
	done
	[ "$_got" = " write 777/777 truncate 777/777" ] && return 0
	why "mode after each step, guest/export:$_got (want 777)"
	return 1
}

# rw.sh unloads 9plx at its end: back for the phases that follow.
c_drw_reload() {
	mod_loaded 9plx || modload 9plx
}
[ "$RW_CLIENT" != 9plx ] || check reload c_drw_reload
check create-0444-enforced c_drw_create_ro
# The in-kernel client (with the 9P2000.Lx series too) sends the mode
# change with the write (6.12) and the truncate, and fails them when the
# server refuses it.
[ "$RW_CLIENT" = 9plx ] ||
	KNOWN="the in-kernel client fails a user's write or truncate when the server refuses it the mode change"
check killpriv-enforced c_drw_killpriv_enf
KNOWN=""
