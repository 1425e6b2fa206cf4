# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "lost" (server "diod"): diod dies under a 9plx mount.  diod is
# stopped first (SIGSTOP) so that a request is surely in flight, then
# killed; the call waiting for it, and every later call, must fail with
# EIO within seconds, and umount (plain and lazy) must work.  The
# guest's hung-task detector (20 s, set by /init) would report anything
# stuck in the kernel.

# c_mid_read: a slow dd (64-byte reads) is cut off by the server's death.
c_mid_read() {
	need_mount "$DM" || return
	dd if="$DM/data/big.bin" of=/dev/null bs=64 2>/tmp/dd.err &
	_dd=$!
	sleep 1
	if ! kill -0 "$_dd" 2>/dev/null; then
		wait "$_dd"
		why "dd finished within 1 s, before the server could be stopped"
		return 1
	fi
	kill -STOP "$DIOD_PID"
	sleep 1
	if ! kill -0 "$_dd" 2>/dev/null; then
		kill -CONT "$DIOD_PID"
		wait "$_dd"
		why "dd ended while diod was stopped: $(cat /tmp/dd.err)"
		return 1
	fi
	dmark
	diod_kill
	bg_dies_eio "$_dd" /tmp/dd.err "dd of data/big.bin"
}

# c_mid_readdir: listings of 1000 entries, one after the other, over
# msize=4096 (some 50 Treaddirs each, which is where they spend their
# time), are cut off the same way.
c_mid_readdir() {
	need_mount "$DM" || return
	(
		while ls "$DM/data/bigdir" >/dev/null; do :; done
		exit 1
	) 2>/tmp/ls.err &
	_ls=$!
	sleep 1
	kill -STOP "$DIOD_PID"
	if ! kill -0 "$_ls" 2>/dev/null; then
		kill -CONT "$DIOD_PID"
		wait "$_ls"
		why "listing failed before the server was stopped: $(cat /tmp/ls.err)"
		return 1
	fi
	sleep 1
	dmark
	diod_kill
	bg_dies_eio "$_ls" /tmp/ls.err "ls data/bigdir"
}

c_later_calls() {
	need_mount "$DM" || return
	c_fails_eio stat "$DM/hello.txt" || return 1
	c_fails_eio ls "$DM/data" || return 1
	c_fails_eio cat "$DM/data/file" || return 1
	c_fails_eio stat -f "$DM"
}

c_umount_lazy() {
	need_mount "$1" || return
	timeout 60 umount -l "$1" 2>/tmp/umount.err || {
		why "umount -l: $(cat /tmp/umount.err)"
		return 1
	}
	is_mounted "$1" || return 0
	why "$1 still in /proc/mounts after umount -l"
	return 1
}

PFX=lost/read-
check mount c_dmounted tcp "$DM"
check pending-read c_mid_read
check log c_lost_logged
check later-calls c_later_calls
check umount c_umount "$DM"
umount_if "$DM"

PFX=lost/readdir-
check mount c_dmounted unix "$DM" msize=4096
check pending-readdir c_mid_readdir
check log c_lost_logged
check later-calls c_later_calls
check umount-lazy c_umount_lazy "$DM"
umount_if "$DM"
