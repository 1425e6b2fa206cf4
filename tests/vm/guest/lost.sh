# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "lost" (server "diod"): diod dies under a 9plx mount.  diod is
# stopped first (SIGSTOP) so that a request is surely in flight, then
# killed; the call waiting for it (a read, a readdir, a write over tcp
# and over unix, an F_SETLKW), and every later call, must fail with EIO
# within seconds, and umount (plain and lazy) must work.  The guest's
# hung-task detector (20 s, set by /init) would report anything stuck
# in the kernel.  Also: signals end an F_SETLKW wait; SIGKILL ends a
# read the (stopped) server sits on, through Tflush, and the mount goes
# on working; SIGKILL ends a rename holding the rename semaphore and one
# waiting for it; umount -f drops a session whose server is stopped; and at
# the end, with every dead mount gone, 9plx unloads.

# kill_under_dd PID: the background dd PID (errors in /tmp/dd.err) must
# still run after 1 s and after diod is stopped; then diod is killed.
kill_under_dd() {
	_p=$1
	sleep 1
	if ! kill -0 "$_p" 2>/dev/null; then
		wait "$_p"
		why "dd finished within 1 s, before the server could be stopped: $(cat /tmp/dd.err)"
		return 1
	fi
	kill -STOP "$DIOD_PID"
	sleep 1
	if ! kill -0 "$_p" 2>/dev/null; then
		kill -CONT "$DIOD_PID"
		wait "$_p"
		why "dd ended while diod was stopped: $(cat /tmp/dd.err)"
		return 1
	fi
	dmark
	diod_kill
}

# c_mid_read: a slow dd (64-byte reads) is cut off by the server's death.
c_mid_read() {
	need_mount "$DM" || return
	dd if="$DM/data/big.bin" of=/dev/null bs=64 2>/tmp/dd.err &
	_dd=$!
	kill_under_dd "$_dd" || return 1
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

# c_mid_write: a slow writer (64-byte writes, cache=none: one Twrite
# each) is cut off the same way; what it wrote is left on the export.
c_mid_write() {
	need_mount "$DM" || return
	rm -f "$EXP/nlx-lost-write"
	dd if=/dev/zero of="$DM/nlx-lost-write" bs=64 count=200000 2>/tmp/dd.err &
	_dd=$!
	kill_under_dd "$_dd" || return 1
	bg_dies_eio "$_dd" /tmp/dd.err "dd to nlx-lost-write" || return 1
	echo "nlx: dd: $(tr '\n' ' ' </tmp/dd.err); $(stat -c %s "$EXP/nlx-lost-write") bytes on the export"
	rm -f "$EXP/nlx-lost-write"
}

# c_log_clean: the loss is logged, and nothing since dmark looks like a
# kernel bug or a stuck task.
c_log_clean() {
	c_lost_logged || return 1
	_l=$(dnew | grep -E 'WARNING:|BUG:|Oops|INFO: task|hung_task|Call Trace' | head -n 1)
	[ -z "$_l" ] && return 0
	why "kernel log: $_l"
	return 1
}

# Writes and creates on the dead mount fail too.
c_later_writes() {
	need_mount "$DM" || return
	c_fails_eio sh -c "echo x >>'$DM/data/file'" || return 1
	c_fails_eio sh -c "echo x >'$DM/nlx-new-file'" || return 1
	c_fails_eio mkdir "$DM/nlx-new-dir"
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

# --- a lock wait, signals, and Tflush ---------------------------------------

# The waiter locks through $DM (tcp), the holder through $LK2 (unix):
# two sessions, so the wait is diod's (Rlock "blocked", asked again)
# and not a local one.
LK2=/mnt/diod2
LKF=nlx-lockfile
LK_HOLDER="" LK_WAITER=""

# lk_until_line FILE TEXT: TEXT shows up in FILE within 10 s.
lk_until_line() {
	for _i in $(seq 100); do
		grep -qx "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# lk_gone PID SECS: PID ends within SECS seconds; its status in LK_RC.
lk_gone() {
	for _i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		LK_RC=""
		return 1
	fi
	wait "$1"
	LK_RC=$?
	return 0
}

# lk_hold: a process holding a write lock on the file through $LK2.
lk_hold() {
	nlxprobe lockhold "$LK2/$LKF" >/tmp/hold.out 2>&1 &
	LK_HOLDER=$!
	lk_until_line /tmp/hold.out "ok locked" && return 0
	why "holder through $LK2: $(tr '\n' ' ' </tmp/hold.out)"
	return 1
}

lk_unhold() {
	[ -n "$LK_HOLDER" ] || return 0
	kill -TERM "$LK_HOLDER" 2>/dev/null
	lk_gone "$LK_HOLDER" 10 || { kill -KILL "$LK_HOLDER"; wait "$LK_HOLDER"; }
	LK_HOLDER=""
}

# lk_wait: a process in F_SETLKW through $DM, still waiting after 2 s.
lk_wait() {
	nlxprobe lockwait "$DM/$LKF" >/tmp/wait.out 2>&1 &
	LK_WAITER=$!
	lk_until_line /tmp/wait.out "ok waiting" || {
		why "waiter did not start: $(tr '\n' ' ' </tmp/wait.out)"
		return 1
	}
	sleep 2
	kill -0 "$LK_WAITER" 2>/dev/null && return 0
	wait "$LK_WAITER"
	why "F_SETLKW returned while another session held the lock: $(tr '\n' ' ' </tmp/wait.out)"
	return 1
}

c_lk_setup() {
	need_mount "$DM" || return
	: >"$EXP/$LKF"
	dmount unix "$LK2" "" || { why "mount $LK2: $(cat /tmp/mount.err)"; return 1; }
	lk_hold
}

# A caught signal ends the wait with EINTR, within seconds.
c_lk_sigint() {
	need_mount "$DM" || return
	lk_wait || return 1
	kill -INT "$LK_WAITER"
	lk_gone "$LK_WAITER" 5 || {
		kill -KILL "$LK_WAITER"
		wait "$LK_WAITER"
		why "F_SETLKW still waiting 5 s after SIGINT"
		return 1
	}
	_l=$(tail -n 1 /tmp/wait.out)
	[ "$LK_RC" = 1 ] && [ "${_l#FAIL setlkw errno=4 EINTR}" != "$_l" ] && return 0
	why "after SIGINT: exit $LK_RC, $_l"
	return 1
}

# SIGKILL ends the waiting process.
c_lk_sigkill() {
	need_mount "$DM" || return
	lk_wait || return 1
	kill -KILL "$LK_WAITER"
	lk_gone "$LK_WAITER" 5 || { why "waiter still there 5 s after SIGKILL"; return 1; }
	[ "$LK_RC" = 137 ] && return 0
	why "after SIGKILL: exit status $LK_RC, $(tail -n 1 /tmp/wait.out)"
	return 1
}

# After the interrupted waits the mount works, and a new waiter gets
# the lock once the holder lets go.
c_lk_after_signals() {
	need_mount "$DM" || return
	c_d_read "$DM" || return 1
	c_d_readdir "$DM" || return 1
	lk_wait || return 1
	lk_unhold
	lk_gone "$LK_WAITER" 10 || {
		kill -KILL "$LK_WAITER"
		wait "$LK_WAITER"
		why "the lock was not granted within 10 s of the holder's exit"
		return 1
	}
	[ "$LK_RC" = 0 ] && [ "$(tail -n 1 /tmp/wait.out)" = "ok granted" ] && return 0
	why "after the holder's exit: exit $LK_RC, $(tail -n 1 /tmp/wait.out)"
	return 1
}

# diod dies while a process waits for a lock: the wait ends with EIO.
c_lk_lost() {
	need_mount "$DM" || return
	lk_hold || return 1
	lk_wait || return 1
	dmark
	diod_kill
	bg_dies_eio "$LK_WAITER" /tmp/wait.out "F_SETLKW"
	_rc=$?
	lk_unhold
	return $_rc
}

# A fatal signal to a read the server sits on (diod stopped) sends
# Tflush without waiting for the answer: the process is gone while diod
# is still stopped, and once diod runs again the mount works (the read's
# tag was given back properly).
c_flush_read() {
	need_mount "$DM" || return
	dd if="$DM/data/big.bin" of=/dev/null bs=64 2>/tmp/dd.err &
	_dd=$!
	sleep 1
	kill -0 "$_dd" 2>/dev/null || { wait "$_dd"; why "dd finished within 1 s"; return 1; }
	kill -STOP "$DIOD_PID"
	sleep 1
	kill -KILL "$_dd"
	if ! lk_gone "$_dd" 5; then
		_st=$(cut -d' ' -f3 "/proc/$_dd/stat" 2>/dev/null)
		kill -CONT "$DIOD_PID"
		lk_gone "$_dd" 10
		why "dd (state $_st) still there 5 s after SIGKILL while diod was stopped"
		return 1
	fi
	kill -CONT "$DIOD_PID"
	[ "$LK_RC" = 137 ] || { why "dd exit status $LK_RC after SIGKILL"; return 1; }
	for _i in 1 2 3; do
		c_d_read "$DM" || return 1
	done
	c_d_readdir "$DM" || return 1
	c_d_write "$DM"
}

# umount -f while a read waits on a stopped diod: the session is dropped
# at once, the reader gets an error while diod is still stopped, and the
# mount can then go away.
c_umount_force() {
	need_mount "$DM" || return
	dd if="$DM/data/big.bin" of=/dev/null bs=64 2>/tmp/dd.err &
	_dd=$!
	sleep 1
	kill -0 "$_dd" 2>/dev/null || { wait "$_dd"; why "dd finished within 1 s"; return 1; }
	kill -STOP "$DIOD_PID"
	sleep 1
	dmark
	# Busy (dd has a file open): the mount stays, the session does not.
	umount -f "$DM" 2>/tmp/umount.err
	if ! lk_gone "$_dd" 5; then
		kill -CONT "$DIOD_PID"
		lk_gone "$_dd" 10
		why "dd still there 5 s after umount -f with diod stopped"
		return 1
	fi
	kill -CONT "$DIOD_PID"
	[ "$LK_RC" != 0 ] || { why "dd succeeded after umount -f"; return 1; }
	dnew | grep -q 'server connection lost' || { why "no 'connection lost' in the log: $(dnew | tail -n 2)"; return 1; }
	umount "$DM" 2>/dev/null
	is_mounted "$DM" && { why "$DM still mounted after umount -f and umount"; return 1; }
	return 0
}

# ren_waits PID below|in: within 20 s, PID sleeps in a call below
# p9x_rename_op (below) or in p9x_rename_op itself (in); its stack is
# left in REN_STACK.
ren_waits() {
	for _i in $(seq 200); do
		REN_STACK=$(head -n 12 "/proc/$1/stack" 2>/dev/null | tr '\n' ' ')
		_top=$(head -n 1 "/proc/$1/stack" 2>/dev/null)
		case $2/$REN_STACK in
		below/*p9x_rename_op*)
			case $_top in
			*p9x_rename_op*) ;;
			*) return 0 ;;
			esac
			;;
		in/*)
			case $_top in
			*p9x_rename_op*) return 0 ;;
			esac
			;;
		esac
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# A rename waits on a stopped diod while it holds the mount's rename
# semaphore, and a rename in another directory (so that the VFS's own
# locks do not hold it back) waits for the semaphore: SIGKILL ends the
# waiter while the holder still waits, then the holder, all while diod
# is still stopped; and once diod runs again the mount works
# and the second rename never happened.  cache=loose, with every name
# looked up beforehand, so that neither rename asks the server anything
# before its Trenameat.
c_ren_killed() {
	need_mount "$DM" || return
	rm -rf "$EXP/nlx-ren1" "$EXP/nlx-ren2"
	if ! { mkdir "$DM/nlx-ren1" "$DM/nlx-ren2" &&
		echo a >"$DM/nlx-ren1/a" && echo c >"$DM/nlx-ren2/c"; }; then
		why "cannot set up nlx-ren1 and nlx-ren2"
		return 1
	fi
	ls -l "$DM/nlx-ren1" "$DM/nlx-ren2" >/dev/null
	stat "$DM/nlx-ren1/b" "$DM/nlx-ren2/d" >/dev/null 2>&1
	kill -STOP "$DIOD_PID"
	# The first waits in a request below p9x_rename_op; the second in
	# p9x_rename_op itself, for the semaphore (the kernel leaves the
	# scheduler's and the rwsem's own frames out of these stacks).
	# Each gets 20 s to get there: exec is slow on the debug kernel.
	_bad=""
	mv "$DM/nlx-ren1/a" "$DM/nlx-ren1/b" 2>/tmp/mv1.err &
	_m1=$!
	ren_waits "$_m1" below || _bad="first mv not in a request under p9x_rename_op: $REN_STACK"
	mv "$DM/nlx-ren2/c" "$DM/nlx-ren2/d" 2>/tmp/mv2.err &
	_m2=$!
	ren_waits "$_m2" in || _bad="$_bad; second mv not waiting in p9x_rename_op: $REN_STACK"
	_s1=$(head -n 12 "/proc/$_m1/stack" 2>/dev/null | tr '\n' ' ')
	_s2=$(head -n 12 "/proc/$_m2/stack" 2>/dev/null | tr '\n' ' ')
	# The waiter first, while the holder still holds the semaphore.
	_left=""
	kill -KILL "$_m2" 2>/dev/null
	if ! lk_gone "$_m2" 5; then
		_left="the waiting mv"
	elif ! kill -0 "$_m1" 2>/dev/null; then
		_bad="$_bad; the first mv ended before it was killed: $(cat /tmp/mv1.err)"
	fi
	kill -KILL "$_m1" 2>/dev/null
	lk_gone "$_m1" 5 || _left="${_left:+$_left and }the holding mv"
	kill -CONT "$DIOD_PID"
	if [ -n "$_left" ]; then
		lk_gone "$_m1" 10
		lk_gone "$_m2" 10
		why "$_left still there 5 s after SIGKILL while diod was stopped; stacks: $_s1 / $_s2"
		return 1
	fi
	[ -z "$_bad" ] || { why "${_bad#; }"; return 1; }
	c_d_read "$DM" || return 1
	c_d_write "$DM" || return 1
	# The first rename may have reached diod before its Tflush; the
	# second was never sent.
	if [ ! -e "$EXP/nlx-ren2/c" ] || [ -e "$EXP/nlx-ren2/d" ]; then
		# shellcheck disable=SC2012 # for people to read; names are plain
		why "export after the killed renames: $(ls "$EXP/nlx-ren2" | tr '\n' ' ')"
		return 1
	fi
	[ "$(cat "$DM/nlx-ren2/c" 2>&1)" = c ] || { why "nlx-ren2/c reads '$(cat "$DM/nlx-ren2/c" 2>&1)'"; return 1; }
	mv "$DM/nlx-ren2/c" "$DM/nlx-ren2/d" 2>/tmp/mv2.err || { why "mv c d afterwards: $(cat /tmp/mv2.err)"; return 1; }
	[ -e "$EXP/nlx-ren2/d" ] && [ ! -e "$EXP/nlx-ren2/c" ] && return 0
	# shellcheck disable=SC2012 # for people to read; names are plain
	why "export after mv c d: $(ls "$EXP/nlx-ren2" | tr '\n' ' ')"
	return 1
}

c_lost_rmmod() {
	for _m in "$DM" "$LK2"; do
		umount_if "$_m"
	done
	if grep -q ' 9p ' /proc/mounts; then
		why "9p mounts left: $(grep ' 9p ' /proc/mounts | tr '\n' ' ')"
		return 1
	fi
	rmmod 9plx 2>/tmp/rmmod.err || { why "rmmod 9plx: $(cat /tmp/rmmod.err)"; return 1; }
	# Back for the phases that follow.
	modload 9plx
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

PFX=lost/write-tcp-
check mount c_dmounted tcp "$DM"
check pending-write c_mid_write
check log c_log_clean
check later-calls c_later_calls
check later-writes c_later_writes
check umount c_umount "$DM"
umount_if "$DM"

PFX=lost/write-unix-
check mount c_dmounted unix "$DM"
check pending-write c_mid_write
check log c_log_clean
check later-calls c_later_calls
check later-writes c_later_writes
check umount-lazy c_umount_lazy "$DM"
umount_if "$DM"

PFX=lost/flush-
check mount c_dmounted tcp "$DM"
check killed-read c_flush_read
check umount c_umount "$DM"
umount_if "$DM"

PFX=lost/force-
check mount c_dmounted tcp "$DM"
check umount-f c_umount_force
umount_if "$DM"

PFX=lost/rename-
check mount c_dmounted tcp "$DM" cache=loose
check killed c_ren_killed
check umount c_umount "$DM"
umount_if "$DM"

PFX=lost/lock-
check mount c_dmounted tcp "$DM"
check hold c_lk_setup
check sigint c_lk_sigint
check sigkill c_lk_sigkill
check after-signals c_lk_after_signals
check pending-lock c_lk_lost
check log c_log_clean
check later-calls c_later_calls
check umount c_umount "$DM"
check umount-lazy c_umount_lazy "$LK2"
lk_unhold
umount_if "$DM"
umount_if "$LK2"

PFX=lost/
check rmmod c_lost_rmmod
