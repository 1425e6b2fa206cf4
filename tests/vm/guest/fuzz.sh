# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "fuzz" (server "diod", after "setup"): 9plx over trans=unix to
# nlxfuzz, a proxy in front of diod's socket that damages one reply in
# RATE (tests/vm/tools/nlxfuzz.c), while a file workload runs.
# Sessions follow each other for nlx.fuzz= seconds (kernel command
# line; 60 by default), seeds 1, 2, 3... in turn, cache=none and
# cache=loose in turn, RATE 20, 80, 140 and 200 in turn: most damage
# ends a session at once (9plx drops a connection that lost its
# framing), so the rarer rates let sessions get further.  Each session must end the way a user needs:
#   - the workload, killed with SIGKILL after 30 s if still running,
#     is gone 10 s later, with the proxy (the server) still up;
#   - once the proxy is gone, umount works within 20 s;
# and the boot's kernel-log check fails on any WARNING, BUG, Oops or
# hung task.  The seeds in FZ_KEEP once found a bug; they run first, as
# regression cases, each a check of its own.

FZ_SOCK=/run/nlxfuzz.sock
FZ_M=/mnt/fuzz
FZ_SECS=$(cmdline_arg nlx.fuzz)
FZ_SECS=${FZ_SECS:-60}
# "SEED:CACHE" pairs, space-separated.
FZ_KEEP=""

# The workload: what a user does on a share, every error ignored (a
# damaged reply may fail any call).  Written to a file to run as its
# own process, killable as a whole.
cat >/tmp/fzwl.sh <<'EOF'
d=$1
mkdir -p "$d"
i=0
while [ $i -lt 6 ]; do
	echo "fuzz $i" >"$d/f$i"
	cat "$d/f$i"
	dd if=/dev/zero of="$d/big$i" bs=4k count=40
	cat "$d/big$i"
	ls -la "$d"
	stat "$d/f$i"
	mkdir "$d/d$i"
	mv "$d/f$i" "$d/d$i/g"
	ln -s g "$d/d$i/l"
	readlink "$d/d$i/l"
	touch "$d/d$i/g"
	ls -lR "$d"
	rm -rf "$d/d$i" "$d/big$i"
	i=$((i + 1))
done >/dev/null 2>&1
EOF

# fz_gone PID SECS: wait up to SECS for PID to exit.
fz_gone() {
	_n=0
	while kill -0 "$1" 2>/dev/null; do
		[ "$_n" -lt $(($2 * 4)) ] || return 1
		sleep 0.25
		_n=$((_n + 1))
	done
	return 0
}

# fz_session SEED CACHE: one session through the proxy.
fz_session() {
	_seed=$1 _cache=$2 _rate=$((20 + ($1 % 4) * 60))
	need_diod || return 1
	rm -f "$FZ_SOCK"
	nlxfuzz "$FZ_SOCK" "$DIOD_SOCK" "$_seed" "$_rate" >/tmp/fz.log 2>&1 &
	_fz=$!
	_n=0
	while [ ! -S "$FZ_SOCK" ] && [ "$_n" -lt 40 ]; do
		sleep 0.05
		_n=$((_n + 1))
	done
	mkdir -p "$FZ_M"
	# A damaged Rattach or Rgetattr may fail the mount: that is a clean
	# failure too.
	if try_mount 9p "trans=unix,cache=$_cache,$DIOD_OPTS" "$FZ_SOCK" "$FZ_M"; then
		sh /tmp/fzwl.sh "$FZ_M/fz-$_seed" &
		_wl=$!
		if ! fz_gone "$_wl" 30; then
			kill -KILL "$_wl" 2>/dev/null
			if ! fz_gone "$_wl" 10; then
				why "seed $_seed rate $_rate cache=$_cache: the workload is still there 10 s after SIGKILL ($(grep State /proc/"$_wl"/status 2>/dev/null)); damage: $(tail -n 3 /tmp/fz.log | tr '\n' ';')"
				kill "$_fz" 2>/dev/null
				return 1
			fi
		fi
		wait "$_wl" 2>/dev/null
	fi
	kill "$_fz" 2>/dev/null
	wait "$_fz" 2>/dev/null
	FZ_DAMAGED=$((FZ_DAMAGED + $(grep -c . /tmp/fz.log)))
	if is_mounted "$FZ_M"; then
		if ! timeout 20 umount "$FZ_M"; then
			why "seed $_seed rate $_rate cache=$_cache: umount did not finish in 20 s after the server went; damage: $(tail -n 3 /tmp/fz.log | tr '\n' ';')"
			umount -l "$FZ_M" 2>/dev/null
			return 1
		fi
	fi
	return 0
}

c_fuzz_keep() {
	fz_session "${1%%:*}" "${1#*:}"
}

c_fuzz_run() {
	mod_loaded 9plx || { why "9plx is not loaded"; return 1; }
	_start=$(date +%s)
	_s=1
	FZ_DAMAGED=0
	while [ $(($(date +%s) - _start)) -lt "$FZ_SECS" ]; do
		if [ $((_s % 2)) = 1 ]; then _c=none; else _c=loose; fi
		fz_session "$_s" "$_c" || return 1
		_s=$((_s + 1))
	done
	echo "nlx: fuzz: $((_s - 1)) sessions, $FZ_DAMAGED damaged replies, $FZ_SECS s"
	[ "$FZ_DAMAGED" -gt 0 ] && return 0
	why "no reply was damaged in $((_s - 1)) sessions"
	return 1
}

# Nothing of 9plx may stay held: every session is gone.
c_fuzz_idle() {
	_r=$(cat /sys/module/9plx/refcnt 2>/dev/null)
	[ "$_r" = 0 ] && return 0
	why "9plx refcnt is '$_r' after the sessions"
	return 1
}

for _k in $FZ_KEEP; do
	check "seed-${_k%%:*}-${_k#*:}" c_fuzz_keep "$_k"
done
check run c_fuzz_run
check idle c_fuzz_idle
