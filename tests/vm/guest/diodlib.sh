# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Read by the phases that follow "setup".
# shellcheck disable=SC2034
#
# Helpers for the phases against diod (server "diod"), sourced by the
# "setup" phase.  diod runs inside the guest and serves a tmpfs tree on
# loopback only: 127.0.0.1:$DIOD_PORT and the unix socket $DIOD_SOCK.
# The guest has no network device, so nothing leaves the guest.
#
# The tree is built in the guest, so the expected answers come from the
# exported directory itself (what the server sees), not from a manifest.

DIOD=/usr/sbin/diod
EXP=/srv/exp
DIOD_PORT=5640
DIOD_SOCK=/run/diod.sock
DIOD_LOG=/tmp/diod.log
DIOD_PID=""
DM=/mnt/diod
# diod knows no 9P2000.Lx: every 9plx session falls back.
DIOD_VERSION=9p2000.L
# As for the in-kernel client against diod: attach as root, one fid tree.
DIOD_OPTS="uname=root,access=any,aname=$EXP"

# diod_start: one server for both the TCP and the unix listener.
diod_start() {
	rm -f "$DIOD_SOCK"
	"$DIOD" -f -n -c /etc/diod.conf -e "$EXP" -l "127.0.0.1:$DIOD_PORT" \
		-l "$DIOD_SOCK" </dev/null >>"$DIOD_LOG" 2>&1 &
	DIOD_PID=$!
	# Ready once both listeners are there.
	for _i in $(seq 50); do
		if [ -S "$DIOD_SOCK" ] &&
			grep -qi ":$(printf '%04X' "$DIOD_PORT") 00000000:0000 0A" /proc/net/tcp; then
			return 0
		fi
		kill -0 "$DIOD_PID" 2>/dev/null || break
		sleep 0.1
	done
	why "diod did not come up: $(tail -n 3 "$DIOD_LOG" | tr '\n' ' ')"
	return 1
}

diod_alive() {
	[ -n "$DIOD_PID" ] && kill -0 "$DIOD_PID" 2>/dev/null
}

# diod_kill [PID]: SIGKILL and reap.
diod_kill() {
	_p=${1:-$DIOD_PID}
	[ -n "$_p" ] || return 0
	kill -KILL "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	[ "$_p" = "$DIOD_PID" ] && DIOD_PID=""
	return 0
}

# need_diod: a running diod, started again if an earlier check killed it.
need_diod() {
	diod_alive && return 0
	diod_start || return 77
}

# dmount TRANS MNT [EXTRA_OPTS]: mount the export over tcp or unix.
dmount() {
	case $1 in
	tcp) _src=127.0.0.1 _o=trans=tcp,port=$DIOD_PORT ;;
	unix) _src=$DIOD_SOCK _o=trans=unix ;;
	esac
	[ -z "${3:-}" ] || _o=$_o,$3
	try_mount 9p "$_o,$DIOD_OPTS" "$_src" "$2"
}

c_dmounted() {
	_t=$1 _m=$2
	need_diod || return
	dmark
	if ! dmount "$_t" "$_m" "${3:-}"; then
		why "mount trans=$_t failed: $(cat /tmp/mount.err); log: $(dnew | tail -n 3); diod: $(tail -n 2 "$DIOD_LOG")"
		return 1
	fi
	is_mounted "$_m" || { why "mount returned 0 but $_m is not in /proc/mounts"; return 1; }
	echo "nlx: mounted: $(mount_line "$_m")"
}

c_trans() {
	need_mount "$1" || return
	_v=$(mount_opt "$1" trans)
	[ "$_v" = "$2" ] && return 0
	why "/proc/mounts has trans=${_v:-<none>}, wanted $2: $(mount_line "$1")"
	return 1
}

# --- the tree and the checks against it -----------------------------------

c_export() {
	mkdir -p "$EXP" /run
	mount -t tmpfs -o size=32m,mode=0755 nlx-exp "$EXP" || { why "tmpfs on $EXP"; return 1; }
	printf 'hello from the 9plx diod export\n' >"$EXP/hello.txt"
	mkdir "$EXP/data" "$EXP/data/bigdir"
	printf '9plx test file over a stream transport\n' >"$EXP/data/file"
	ln -s file "$EXP/data/link"
	awk 'BEGIN { for (i = 1; i <= 150000; i++)
		printf "line %09d of the 9plx big file\n", i }' >"$EXP/data/big.bin"
	_pad=$(printf '%0180d' 0)
	for _i in $(seq 1000); do
		: >"$EXP/data/bigdir/e$_i-$(echo "$_pad" | cut -c1-$((_i % 170 + 1)))"
	done
	touch -d '2023-01-02 03:04:05' "$EXP/data/file"
	[ "$(find "$EXP/data/bigdir" -type f | wc -l)" = 1000 ] && return 0
	why "could not fill $EXP/data/bigdir"
	return 1
}

# The paths whose lstat must match between the export and a mount.
STAT_PATHS=". hello.txt data data/file data/link data/big.bin data/bigdir"

c_d_readdir() {
	need_mount "$1" || return
	list_dir "$EXP" >/tmp/want
	list_dir "$EXP/data/bigdir" >/tmp/want.big
	if ! cmp_list "$1/data/bigdir" /tmp/want.big; then
		why "$(cat "$WHY"); ls: $(ls "$1/data/bigdir" 2>&1 | tail -n 1)"
		return 1
	fi
	cmp_list "$1" /tmp/want && return 0
	why "$(cat "$WHY"); ls -a: $(ls -a "$1" 2>&1 | tr '\n' ' ')"
	return 1
}

c_d_read() {
	need_mount "$1" || return
	for _p in hello.txt data/file data/big.bin; do
		_want=$(md5sum <"$EXP/$_p" | cut -d' ' -f1)
		_got=$(timeout 60 md5sum <"$1/$_p" | cut -d' ' -f1)
		[ "$_got" = "$_want" ] && continue
		why "$_p md5 ${_got:-<read failed>}, export $_want"
		return 1
	done
}

c_d_stat() {
	need_mount "$1" || return
	for _p in $STAT_PATHS; do
		# Directory sizes and times are the server's business, but
		# they come from the same tmpfs, so all of it must match.
		_want=$(stat -c '%f %u %g %s %Y' "$EXP/$_p")
		_got=$(stat -c '%f %u %g %s %Y' "$1/$_p" 2>&1)
		[ "$_got" = "$_want" ] && continue
		why "$_p: mode uid gid size mtime = $_got, export $_want"
		return 1
	done
}

c_d_readlink() {
	need_mount "$1" || return
	_got=$(readlink "$1/data/link" 2>&1)
	[ "$_got" = file ] || { why "readlink data/link = '$_got', want 'file'"; return 1; }
	cmp -s "$1/data/link" "$EXP/data/file" && return 0
	why "reading through data/link: $(head -c 80 "$1/data/link" 2>&1)"
	return 1
}

# Writes, where the mount allows them: create, write, read back, remove,
# each checked on the export.  SKIP while 9plx mounts read-only.
c_d_write() {
	need_mount "$1" || return
	case ",$(mount_line "$1" | awk '{ print $4 }')," in
	*,ro,*) why "mounted read-only"; return 77 ;;
	esac
	_f=nlx-write.$$
	printf 'written through 9P\n' >"$1/$_f" 2>/tmp/w.err || {
		why "create $_f: $(cat /tmp/w.err)"
		return 1
	}
	cmp -s "$1/$_f" "$EXP/$_f" || { why "$_f differs on the export: $(head -c 80 "$EXP/$_f" 2>&1)"; return 1; }
	rm "$1/$_f" 2>/tmp/w.err || { why "rm $_f: $(cat /tmp/w.err)"; return 1; }
	[ ! -e "$EXP/$_f" ] && return 0
	why "$_f still on the export after rm"
	return 1
}

# file_checks MNT: what every mount of the export must get right.
file_checks() {
	check readdir c_d_readdir "$1"
	check read-md5 c_d_read "$1"
	check stat c_d_stat "$1"
	check readlink c_d_readlink "$1"
	check write c_d_write "$1"
}

# --- failure paths ----------------------------------------------------------

# c_d_mount_fails SOURCE OPTS NEEDLE: mount must fail (in bounded time)
# and the kernel log or mount's error must contain NEEDLE.
c_d_mount_fails() {
	_src=$1 _opts=$2 _needle=$3
	dmark
	if try_mount 9p "$_opts" "$_src" "$DM"; then
		umount_if "$DM"
		why "mount -o $_opts $_src succeeded"
		return 1
	fi
	{ dnew; cat /tmp/mount.err; } >/tmp/errs
	grep -qF -- "$_needle" /tmp/errs && return 0
	why "mount failed but nothing names '$_needle': $(tail -n 3 /tmp/errs | tr '\n' ' ')"
	return 1
}

# c_fails_eio CMD...: CMD must fail, with "I/O error", within 10 s.
c_fails_eio() {
	_t0=$(date +%s)
	timeout 10 "$@" >/tmp/eio.out 2>&1
	_rc=$?
	_dt=$(($(date +%s) - _t0))
	if [ "$_rc" = 0 ]; then
		why "'$*' succeeded on a mount whose server is gone"
		return 1
	fi
	if [ "$_rc" = 124 ] || [ "$_rc" = 143 ]; then
		why "'$*' still blocked after 10 s"
		return 1
	fi
	grep -Eq 'I/O error|Input/output error' /tmp/eio.out && return 0
	why "'$*' failed after ${_dt}s, but not with EIO: $(head -c 200 /tmp/eio.out)"
	return 1
}

# bg_dies_eio PID ERRFILE WHAT: the background job PID must end within
# 10 s, unsuccessfully, with "I/O error" in ERRFILE.
bg_dies_eio() {
	_pid=$1 _err=$2 _what=$3
	for _i in $(seq 100); do
		kill -0 "$_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$_pid" 2>/dev/null; then
		kill -KILL "$_pid" 2>/dev/null
		wait "$_pid" 2>/dev/null
		why "$_what still running 10 s after the server died"
		return 1
	fi
	wait "$_pid"
	_rc=$?
	if [ "$_rc" = 0 ]; then
		why "$_what completed successfully although the server died under it"
		return 1
	fi
	grep -Eq 'I/O error|Input/output error' "$_err" && return 0
	why "$_what failed (status $_rc), but not with EIO: $(head -c 200 "$_err")"
	return 1
}

# lost_logged: the kernel log since dmark says the connection was lost.
c_lost_logged() {
	_l=$(dnew | grep -F 'server connection lost' | head -n 1)
	[ -n "$_l" ] && return 0
	why "no 'server connection lost' line: $(dnew | tail -n 3)"
	return 1
}
