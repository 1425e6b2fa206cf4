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

# rw.sh unloads 9plx at its end: back for the phases that follow.
c_drw_reload() {
	mod_loaded 9plx || modload 9plx
}
[ "$RW_CLIENT" != 9plx ] || check reload c_drw_reload
