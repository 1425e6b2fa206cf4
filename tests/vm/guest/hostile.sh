# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "hostile": 9plx against /bin/hostile (tests/tools/hostile.c), a
# 9P server in the guest that serves a small tree over a unix socket (or
# two FIFOs for trans=fd) and lies in one reply per scenario.  Each
# scenario gets a fresh server and mount and asserts what a user sees
# through "hostile do" (one system call, "ok ..." or "err ENAME"): a
# clear error or the right answer, within seconds.  Around each one:
# nothing in the kernel log that looks like a bug (WARNING, BUG, Oops,
# "sleeping function", hung task, Call Trace), no process left in D
# state, umount works; at the end rmmod works.
#
# The server speaks the dialect the client offers.  9plx offers
# 9P2000.Lx by default, so the scenarios run in 9P2000.Lx sessions (a
# lookup is one Twalkgetattr, which carries the lies about hello.txt's
# attributes); the "l-" ones run a few of them again with
# version=9p2000.L, and the lx-* ones lie only in 9P2000.Lx.
#
# Phase "hostileref" runs the same scenarios through the in-kernel
# client (HOSTILE_CLIENT=stock), always in 9P2000.L: its failures are
# reported as SKIP with what it did (lib.sh's KNOWN), as the reference
# 9plx is compared with; the lx-* scenarios are a SKIP, as that client
# has no 9P2000.Lx.

HOSTILE_CLIENT=${HOSTILE_CLIENT:-9plx}
H=/bin/hostile
HS=/tmp/hostile.sock
HM=/mnt/hostile
HPID=""
STUCK=""
# The version= option 9plx mounts with; empty: its default, 9p2000.Lx.
HVER=""

# The hex that "hostile do" prints for the tree's contents.
HX_HELLO=68656c6c6f2c20776f726c640a	# "hello, world\n"
HX_HELLO6=68656c6c6f2c			# "hello,", its first 6 bytes
HX_NAME=68656c6c6f2e747874		# "hello.txt"
HX_XATTR=68656c6c6f			# "hello"
HX_ROOT="2e 2e2e $HX_NAME 646972 6c696e6b 76696374696d"
# grow after the stale-* probes: "first\n", "second\n" at its end, then
# "third\n" at its end.
HX_GROW=66697273740a7365636f6e640a74686972640a

# alive PID: running, not a zombie.
alive() {
	_st=""
	read -r _st <"/proc/$1/stat" 2>/dev/null || return 1
	_st=${_st##*) }
	_st=${_st%% *}
	[ -n "$_st" ] && [ "$_st" != Z ]
}

# procs_where FIELD VALUE: "pid(comm)" of each process whose stat FIELD
# (3: state, 4: parent) is VALUE, in one awk (forks are slow under TCG).
procs_where() {
	# cat, not awk, opens the files: busybox awk stops at one that
	# vanished since the glob.
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v f="$1" -v v="$2" '{
		i = index($0, ") "); s = substr($0, i + 2); split(s, a, " ")
		if (a[f - 2] == v) printf "%s ", $1 substr($0, index($0, "("), i - index($0, "(") + 1)
	}'
}

# bounded SECS OUT CMD...: CMD with its output in OUT, for at most SECS.
# Returns CMD's status, 124 if it had to be killed, 125 if even SIGKILL
# did not end it within 5 s (it is left behind, never waited for, and
# noted in STUCK).
bounded() {
	_n=$(($1 * 5)) _o=$2
	shift 2
	"$@" >"$_o" 2>&1 &
	_bp=$!
	while alive "$_bp"; do
		_n=$((_n - 1))
		if [ "$_n" -lt 0 ]; then
			kill -9 "$_bp" 2>/dev/null
			_n=25
			while alive "$_bp" && [ "$_n" -gt 0 ]; do
				sleep 0.2
				_n=$((_n - 1))
			done
			if alive "$_bp"; then
				STUCK="$STUCK $_bp($*)"
				return 125
			fi
			wait "$_bp" 2>/dev/null
			return 124
		fi
		sleep 0.2
	done
	wait "$_bp"
}

# server_kill: the server and the processes it forked, one per client.
server_kill() {
	[ -n "$HPID" ] || return 0
	for _p in $(procs_where 4 "$HPID"); do
		kill -9 "${_p%%(*}" 2>/dev/null
	done
	kill -9 "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
	HPID=""
}

# server_unix SCENARIO: listen on $HS.
server_unix() {
	rm -f "$HS"
	"$H" -s "$HS" "$1" 2>/tmp/hostile.err &
	HPID=$!
	_n=50
	while [ ! -S "$HS" ] && [ "$_n" -gt 0 ]; do
		sleep 0.1
		_n=$((_n - 1))
	done
	[ -S "$HS" ] && return 0
	why "hostile -s $HS $1 did not listen: $(cat /tmp/hostile.err)"
	return 1
}

mount_opts() {
	if [ "$HOSTILE_CLIENT" = stock ]; then
		echo "$1,version=9p2000.L${2:+,$2}"
	else
		echo "$1${HVER:+,version=$HVER}${2:+,$2}"
	fi
}

# h_mount [OPTS]: mount the server on $HM (trans=unix, or trans=fd when
# HFD is set); 0 if mounted, the error text in /tmp/mount.err.
h_mount() {
	mkdir -p "$HM"
	if [ -n "${HFD:-}" ]; then
		bounded 20 /tmp/mount.err sh -c "exec mount -t 9p -o '$(mount_opts trans=fd,rfdno=5,wfdno=6 "${1:-}")' hostile '$HM' 6>/tmp/hc2s 5</tmp/hs2c"
	else
		bounded 20 /tmp/mount.err mount -t 9p -o "$(mount_opts trans=unix "${1:-}")" "$HS" "$HM"
	fi
}

must_mount() {
	h_mount "$@" && is_mounted "$HM" && return 0
	why "mount failed: $(cat /tmp/mount.err); log: $(dnew | tail -n 2)"
	return 1
}

must_not_mount() {
	h_mount
	_r=$?
	if is_mounted "$HM"; then
		why "mount succeeded: $(mount_line "$HM")"
		return 1
	fi
	case $_r in
	124 | 125) why "mount hung for 20 s"; return 1 ;;
	0) why "mount returned 0 but nothing is mounted"; return 1 ;;
	esac
	echo "nlx: mount failed as it should: $(cat /tmp/mount.err)"
}

# probe SECS OP PATH [ARG]: "hostile do" bounded; its output in PROBE
# (one line), its status in PROBE_RC.
probe() {
	_s=$1
	shift
	bounded "$_s" /tmp/probe.out "$H" "do" "$@"
	PROBE_RC=$?
	PROBE=$(tr '\n' ' ' </tmp/probe.out | sed 's/ $//')
	echo "nlx: do $*: $PROBE (rc $PROBE_RC)"
}

# want OP PATH [ARG] -- PATTERN...: the probe's output must match one of
# the shell patterns.
want() {
	_args=""
	while [ "$1" != -- ]; do
		_args="$_args $1"
		shift
	done
	shift
	# shellcheck disable=SC2086 # word splitting intended
	probe 10 $_args
	case $PROBE_RC in
	124 | 125)
		why "do$_args: still running after 10 s"
		return 1
		;;
	esac
	for _pat; do
		# shellcheck disable=SC2254 # the pattern is the point
		case $PROBE in
		$_pat) return 0 ;;
		esac
	done
	why "do$_args: '$(echo "$PROBE" | cut -c1-120)', wanted: $*"
	return 1
}

h_umount() {
	bounded 10 /tmp/umount.err umount "$HM"
	_r=$?
	is_mounted "$HM" || return 0
	why "umount: status $_r: $(cat /tmp/umount.err)"
	return 1
}

# bg_blocked OP PATH: start the probe in the background; it must still
# be waiting after 2 s.  Its pid in BGP.
bg_blocked() {
	"$H" "do" "$@" >/tmp/bg.out 2>&1 &
	BGP=$!
	sleep 2
	alive "$BGP" && return 0
	why "do $*: did not wait for the server: $(cat /tmp/bg.out)"
	return 1
}

# bg_killed: SIGKILL to BGP, which must be gone within 5 s.
bg_killed() {
	kill -9 "$BGP"
	_n=25
	while alive "$BGP" && [ "$_n" -gt 0 ]; do
		sleep 0.2
		_n=$((_n - 1))
	done
	if alive "$BGP"; then
		STUCK="$STUCK $BGP(killed reader)"
		why "a process killed with SIGKILL while waiting for the server was still there 5 s later ($(procs_where 3 D))"
		return 1
	fi
	wait "$BGP" 2>/dev/null
	return 0
}

# want_version: 9plx's session has the dialect it asked for (HVER, by
# default 9p2000.Lx), as /proc/mounts shows it.
want_version() {
	[ "$HOSTILE_CLIENT" = stock ] && return 0
	_v=$(mount_opt "$HM" version)
	[ "$_v" = "${HVER:-9p2000.Lx}" ] && return 0
	why "the session is version=$_v, wanted ${HVER:-9p2000.Lx}"
	return 1
}

# server_said TEXT: the server's last line holding TEXT, waited for
# for up to 3 s, in _l (empty if none came).
server_said() {
	_n=30
	while ! grep -q "$1" /tmp/hostile.err && [ "$_n" -gt 0 ]; do
		sleep 0.1
		_n=$((_n - 1))
	done
	_l=$(grep "$1" /tmp/hostile.err | tail -n 1)
}

# no_fid_left: once unmounted, the server's session ended with every
# fid clunked (hostile reports "end of session: N fids bound").
no_fid_left() {
	server_said "end of session"
	case $_l in
	*": 0 fids bound") return 0 ;;
	"") why "the server saw no end of the session 3 s after umount" ;;
	*) why "fids left bound after umount: ${_l#*: }" ;;
	esac
	return 1
}

# mount_dialect: mounted, in the dialect wanted.
mount_dialect() {
	must_mount && want_version
}

# umount_clean: unmounted, and the server has no fid bound.
umount_clean() {
	h_umount && no_fid_left
}

# --- the scenarios --------------------------------------------------------

s_correct() {
	mount_dialect || return 1
	want stat "$HM/hello.txt" -- "ok mode=100644 size=13 *" || return 1
	want read "$HM/hello.txt" -- "ok $HX_HELLO" || return 1
	want list "$HM" -- "ok $HX_ROOT" || return 1
	want list "$HM/dir" -- "ok 2e 2e2e 61" || return 1
	want readlink "$HM/link" -- "ok $HX_NAME" || return 1
	want read "$HM/link" -- "ok $HX_HELLO" || return 1
	want getxattr "$HM/hello.txt" user.hostile -- "size 5 ok $HX_XATTR" || return 1
	want lock "$HM/hello.txt" -- "ok type=1" || return 1
	umount_clean
}

s_mount_fails() {
	must_not_mount
}

s_msize_big() {
	must_mount msize=65536 || return 1
	want read "$HM/hello.txt" -- "ok $HX_HELLO" || return 1
	_ms=$(mount_opt "$HM" msize)
	if [ -n "$_ms" ] && [ "$_ms" -gt 65536 ]; then
		why "msize=$_ms in /proc/mounts, above the 65536 offered"
		return 1
	fi
	h_umount
}

# The request fails with EIO at once, and so does the mount from then on.
s_eio_then_dead() {
	must_mount || return 1
	want stat "$HM/hello.txt" -- "err EIO" || return 1
	want list "$HM" -- "err EIO" || return 1
	h_umount
}

# stat of hello.txt: EIO (or EPROTO), the mount stays usable or fails
# cleanly.
s_stat_eio() {
	must_mount || return 1
	want stat "$HM/hello.txt" -- "err EIO" "err EPROTO" || return 1
	want read "$HM/dir/a" -- "ok 610a" "err EIO" || return 1
	h_umount
}

s_tag_dup() {
	must_mount || return 1
	want stat "$HM/hello.txt" -- "ok mode=100644 size=13 *" "err EIO" || return 1
	want read "$HM/hello.txt" -- "ok $HX_HELLO" "err EIO" || return 1
	want read "$HM/dir/a" -- "ok 610a" "err EIO" || return 1
	h_umount
}

# A reader the server sits on is killed; then the mount must work
# (AFTER=usable) or may also fail cleanly (AFTER=any).
s_flush() {
	must_mount || return 1
	bg_blocked read "$HM/hello.txt" || return 1
	bg_killed || return 1
	if [ "$1" = usable ]; then
		want read "$HM/dir/a" -- "ok 610a" || return 1
	else
		want read "$HM/dir/a" -- "ok 610a" "err EIO" || return 1
	fi
	h_umount
}

# A lookup of dir that the server holds is killed.  The server binds
# the walk's new fid only after the Tflush and answers the walk before
# its Rflush, as flush(5) allows: the fid must not be clunked before
# that Rflush (the server logs a Tclunk that comes earlier), its number
# must not be handed out again while it is bound (dir lists once the
# flush is over), and after umount no fid is left bound.
s_flush_walk() {
	must_mount || return 1
	bg_blocked stat "$HM/dir" || return 1
	bg_killed || return 1
	# The server listens for a second before it answers the flush.
	sleep 2
	want list "$HM/dir" -- "ok 2e 2e2e 61" || return 1
	_l=$(grep "before the Rflush" /tmp/hostile.err | head -n 1)
	if [ -n "$_l" ]; then
		why "${_l#hostile: }"
		return 1
	fi
	umount_clean
}

s_silent() {
	must_mount || return 1
	bg_blocked stat "$HM/hello.txt" || return 1
	bg_killed || return 1
	bounded 10 /tmp/umount.err umount -f "$HM"
	_r=$?
	is_mounted "$HM" || return 0
	why "umount -f with the server silent: status $_r: $(cat /tmp/umount.err)"
	return 1
}

s_slow() {
	must_mount || return 1
	_t0=$(date +%s)
	probe 60 read "$HM/hello.txt"
	_dt=$(($(date +%s) - _t0))
	if [ "$PROBE" != "ok $HX_HELLO" ]; then
		why "read after ${_dt}s: '$PROBE', wanted the content"
		return 1
	fi
	if [ "$_dt" -lt 25 ]; then
		why "read took ${_dt}s: the server did not delay it"
		return 1
	fi
	h_umount
}

s_qid_type() {
	must_mount || return 1
	want stat "$HM/hello.txt" -- "ok mode=100644 size=13 *" "err EIO" || return 1
	want read "$HM/hello.txt" -- "ok $HX_HELLO" "err EIO" || return 1
	h_umount
}

s_dir_to_file() {
	must_mount || return 1
	want list "$HM/dir" -- "ok 2e 2e2e 61" || return 1
	want stat "$HM/dir" -- "ok mode=100644 *" "err EIO" || return 1
	want list "$HM/dir" -- "err ENOTDIR" "err EIO" || return 1
	h_umount
}

# Short Rreads before the end of hello.txt (6, 3, 2, 1, 1 bytes, then
# 0): only a count of 0 ends a file in 9P, so a read gives all 13 bytes
# with cache=none and with cache=loose, where a short count taken for
# the end would leave zeros in the page cache; read twice, the second
# time from that cache.
s_read_short() {
	for _c in none loose; do
		must_mount "cache=$_c" || return 1
		want read "$HM/hello.txt" -- "ok $HX_HELLO" || return 1
		want read "$HM/hello.txt" -- "ok $HX_HELLO" || return 1
		h_umount || return 1
	done
}

# read-short-eio: 6 of hello.txt's 13 bytes, then EIO.  A read gives
# those 6 bytes or EIO, twice; the 7 it never got are not zeros in the
# page cache (cache=loose, mmap), where a short count followed by an
# error was once taken for the end of the file.
s_read_short_eio() {
	for _c in none mmap loose; do
		must_mount "cache=$_c" || return 1
		want read "$HM/hello.txt" -- "ok $HX_HELLO6" "err EIO" ||
			return 1
		want read "$HM/hello.txt" -- "ok $HX_HELLO6" "err EIO" ||
			return 1
		h_umount || return 1
	done
}

s_read_eio() {
	must_mount || return 1
	want read "$HM/hello.txt" 100 -- "err EIO" "err EPROTO" || return 1
	h_umount
}

# list_only_real [DOTS]: PROBE (a listing of the root) shows only the
# tree's own entries, each once (DOTS: "." and ".." may come twice),
# in full or cut short by EIO, and nothing more.
list_only_real() {
	case $PROBE in
	"err EIO" | "ok err EIO") return 0 ;;
	"ok "*) ;;
	*)
		why "listing: '$(echo "$PROBE" | cut -c1-120)'"
		return 1
		;;
	esac
	_names=${PROBE#ok }
	_names=${_names% err EIO}
	case $_names in
	*"  "* | " "* | *" " | *TOOMANY* | *err*)
		why "listing with an empty name, too many entries or another error: '$(echo "$PROBE" | cut -c1-120)'"
		return 1
		;;
	esac
	for _t in $_names; do
		case " $HX_ROOT " in
		*" $_t "*) ;;
		*)
			why "listing shows a name the tree does not have: $(echo "$_t" | cut -c1-60)"
			return 1
			;;
		esac
		_c=$(echo " $_names " | grep -o " $_t " | wc -l)
		if [ "$_c" -gt 1 ] && { [ -z "${1:-}" ] || [ "${#_t}" -gt 4 ]; }; then
			why "listing shows $_t $_c times"
			return 1
		fi
	done
	if [ "${PROBE% err EIO}" = "$PROBE" ] && [ "$(echo "$_names" | wc -w)" -lt 6 ]; then
		why "listing ends early without an error: '$PROBE'"
		return 1
	fi
}

# Listings: EIO, or the tree's own entries and nothing else.
s_list() {
	must_mount || return 1
	probe 10 list "$HM"
	case $PROBE_RC in
	124 | 125) why "listing still running after 10 s"; return 1 ;;
	esac
	list_only_real "${1:-}" || return 1
	h_umount
}

s_size_absurd() {
	must_mount || return 1
	want stat "$HM/hello.txt" -- "ok mode=100644 size=[0-9]*" "err EIO" "err EOVERFLOW" || return 1
	want read "$HM/hello.txt" -- "ok $HX_HELLO" "err EIO" || return 1
	h_umount
}

s_nlink() {
	must_mount || return 1
	want stat "$HM/victim" -- "ok mode=100644 *" "err EIO" || return 1
	want unlink "$HM/victim" -- "ok" "err EIO" || return 1
	h_umount
}

s_times() {
	must_mount || return 1
	want stat "$HM/hello.txt" -- "ok * mtime=*.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]" "err EIO" "err EOVERFLOW" || return 1
	case $PROBE in
	*.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*)
		why "stat shows a tv_nsec of 10 digits: $PROBE"
		return 1
		;;
	esac
	h_umount
}

s_mode_bogus() {
	must_mount || return 1
	want stat "$HM/hello.txt" -- "err EIO" || return 1
	h_umount
}

s_lerror() {
	must_mount || return 1
	want stat "$HM/hello.txt" -- "err EIO" || return 1
	want read "$HM/dir/a" -- "ok 610a" || return 1
	h_umount
}

s_link_huge() {
	must_mount || return 1
	want readlink "$HM/link" -- "err ENAMETOOLONG" "err EIO" || return 1
	want read "$HM/link" -- "err ENAMETOOLONG" "err EIO" || return 1
	h_umount
}

s_link_nul() {
	must_mount || return 1
	want readlink "$HM/link" -- "err EIO" || return 1
	want read "$HM/link" -- "err EIO" || return 1
	h_umount
}

s_link_self() {
	must_mount || return 1
	want read "$HM/link" -- "err ELOOP" || return 1
	h_umount
}

s_xattr() {
	must_mount || return 1
	want getxattr "$HM/hello.txt" user.hostile -- "size * ok $HX_XATTR" "size * err EIO" "err EIO" "err E2BIG" "err ERANGE" || return 1
	case $PROBE in
	"size "*)
		_sz=$(echo "$PROBE" | cut -d' ' -f2)
		if [ "$_sz" -gt 65536 ]; then
			why "getxattr reported a size of $_sz, beyond XATTR_SIZE_MAX"
			return 1
		fi
		;;
	esac
	h_umount
}

s_lock_bogus() {
	must_mount || return 1
	want lock "$HM/hello.txt" -- "err EIO" "err ENOLCK" || return 1
	h_umount
}

s_getlock_bogus() {
	must_mount || return 1
	want getlock "$HM/hello.txt" -- "err EIO" "ok type=[012]" || return 1
	h_umount
}

# 9P2000.Lx only.  A malformed Rwalkgetattr of hello.txt (qids beyond
# the names, attributes after a partial walk, none after a full one,
# cut short) or 13-byte qids: stat fails with EIO, nothing else; the
# session goes on (the message was framed right), and no fid is left.
s_lx_lookup_eio() {
	mount_dialect || return 1
	want stat "$HM/hello.txt" -- "err EIO" || return 1
	want read "$HM/hello.txt" -- "err EIO" || return 1
	want read "$HM/dir/a" -- "ok 610a" || return 1
	want list "$HM" -- "ok $HX_ROOT" || return 1
	umount_clean
}

# The wqid says directory, the attributes say file: the spec has the
# client take the file from the attributes (a rename may race with the
# walk), so hello.txt is the regular file it is.
s_lx_wga_type() {
	mount_dialect || return 1
	want stat "$HM/hello.txt" -- "ok mode=100644 size=13 *" || return 1
	want read "$HM/hello.txt" -- "ok $HX_HELLO" || return 1
	umount_clean
}

# The root's Rreaddir has 13-byte qids: listing it fails with EIO,
# dir/ still lists.
s_lx_readdir_short() {
	mount_dialect || return 1
	want list "$HM" -- "err EIO" "ok err EIO" || return 1
	want list "$HM/dir" -- "ok 2e 2e2e 61" || return 1
	want read "$HM/hello.txt" -- "ok $HX_HELLO" || return 1
	umount_clean
}

# A stale reply against the guest's own write (the stale-* scenarios,
# "hostile do stale-*"): the attributes of grow (6 bytes) that the
# server read before a write of 7 bytes at the end reached it come after
# that write, its writeback and fsync are over.  stat: the reply asked
# for by a stat of the open file after a futimens() (in cache=loose a
# stat asks the server only after such a change); lookup: by a lookup of
# grow.link, another name of it (cache=loose, where that finds the open
# file's inode).  The stat overlapping the write may see 6 or 13 bytes;
# after it, the end of file is 13, a write of 6 bytes there makes 19,
# and those 19 bytes are what the server holds at the end.  A size put
# back to 6 has the last write overwrite the second.  9plx must have
# asked (the server held the reply); a client that asked nothing is
# right as long as the sizes and bytes are.  Each test $1 in cache=$2.
s_stale() {
	must_mount "cache=$2" || return 1
	if [ "$1" = stat ]; then
		probe 40 stale-stat "$HM/grow" /tmp/hostile.err
	else
		probe 40 stale-lookup "$HM/grow" "$HM/grow.link" /tmp/hostile.err
	fi
	_sw=""
	case $PROBE in
	"ok held=1 child=6 end=13 size=19" | "ok held=1 child=13 end=13 size=19") ;;
	"ok held=0 child=6 end=13 size=19" | "ok held=0 child=13 end=13 size=19")
		[ "$HOSTILE_CLIENT" = stock ] ||
			_sw="the server held no reply: the scenario did not happen; "
		;;
	*) _sw="the guest saw '$PROBE', wanted the end of file at 13 and the size 19; " ;;
	esac
	h_umount || return 1
	server_said "grow holds"
	_g=${_l#hostile: grow holds }
	[ "$_g" = "$HX_GROW" ] ||
		_sw="${_sw}the server ends with '$_g', wanted '$HX_GROW'"
	[ -z "$_sw" ] && return 0
	why "$_sw"
	return 1
}

# --- the harness ----------------------------------------------------------

# splat: kernel log lines since dmark that look like a kernel bug.
splat() {
	dnew | grep -E 'WARNING:|BUG:|Oops|INFO: task|hung_task|Call Trace|sleeping function|KASAN|general protection|refcount_t|list_add corruption|list_del corruption' | head -n 1
}

# d_state: processes in uninterruptible sleep, as "pid(comm)".
d_state() {
	procs_where 3 D
}

# h_scenario SCENARIO FUNC [ARGS...]: a fresh server, FUNC's assertions,
# then the common ones.
h_scenario() {
	_sc=$1 _fn=$2
	shift 2
	STUCK=""
	dmark
	if [ -n "${HFD:-}" ]; then
		rm -f /tmp/hc2s /tmp/hs2c
		mkfifo /tmp/hc2s /tmp/hs2c
		"$H" -r 3 -w 4 "$_sc" 3</tmp/hc2s 4>/tmp/hs2c 2>/tmp/hostile.err &
		HPID=$!
	else
		server_unix "$_sc" || return 1
	fi
	"$_fn" "$@"
	_rc=$?
	_w=$(cat "$WHY")
	if is_mounted "$HM"; then
		bounded 10 /tmp/umount.err umount -l "$HM"
		[ "$_rc" != 0 ] || { _rc=1; _w="still mounted after the scenario"; }
	fi
	server_kill
	# What the scenario left waiting goes now that the server is gone.
	sleep 1
	_d=$(d_state)
	if [ -n "$STUCK$_d" ]; then
		sleep 5
		_d=$(d_state)
	fi
	_bad=$(splat)
	if [ -n "$_bad" ]; then
		_rc=1 _w="kernel log: $_bad; $_w"
	fi
	if [ -n "$_d" ]; then
		_rc=1 _w="in D state after the server died: $_d; $_w"
	fi
	if [ -n "$STUCK" ]; then
		_rc=1 _w="unkillable:$STUCK; $_w"
	fi
	why "$_w"
	return "$_rc"
}

hcase() {
	check "$1" h_scenario "$@"
}

# lxcase NAME h_scenario SCENARIO FUNC [ARGS...]: check NAME, a
# 9P2000.Lx session (mounted with version=9p2000.Lx) against SCENARIO;
# a SKIP for the in-kernel client.
lxcase() {
	if [ "$HOSTILE_CLIENT" = stock ]; then
		skip "$1" "the in-kernel client does not speak 9P2000.Lx"
		return 0
	fi
	HVER=9p2000.Lx
	check "$@"
	HVER=""
}

c_hostile_load() {
	[ -x "$H" ] || { why "$H is not in the initramfs"; return 1; }
	if [ "$HOSTILE_CLIENT" = stock ]; then
		# The ref phase may have loaded them already.
		mod_loaded 9pnet_fd || modload 9pnet_fd || return 1
		mod_loaded 9p || modload 9p || return 1
	elif ! mod_loaded 9plx; then
		modload 9plx || return 1
	fi
	fs_registered 9p && return 0
	why "no 9p in /proc/filesystems"
	return 1
}

c_hostile_rmmod() {
	if [ "$HOSTILE_CLIENT" = stock ]; then
		rmmod 9pnet_fd 2>/tmp/rmmod.err || {
			why "rmmod 9pnet_fd: $(cat /tmp/rmmod.err)"
			return 1
		}
		return 0
	fi
	rmmod 9plx 2>/tmp/rmmod.err || { why "rmmod 9plx: $(cat /tmp/rmmod.err)"; return 1; }
	mod_loaded 9plx && { why "9plx still loaded after rmmod"; return 1; }
	return 0
}

if [ "$HOSTILE_CLIENT" = stock ]; then
	PFX=hostileref/
	KNOWN="reference: the in-kernel client falls short"
	# The host judges the kernel log after this line as the reference's.
	echo "nlx-hostileref: begin" >/dev/kmsg
else
	PFX=hostile/
fi

check load c_hostile_load
hcase correct s_correct
for _v in version-msize0 version-msize-tiny version-unknown version-bogus version-tag; do
	hcase "$_v" s_mount_fails
done
hcase version-msize-big s_msize_big
hcase tag-wrong s_eio_then_dead
hcase tag-dup s_tag_dup
hcase flush-late s_flush any
hcase flush-race s_flush usable
hcase flush-ignored s_flush any
hcase flush-walk s_flush_walk
hcase silent s_silent
hcase close-mid s_eio_then_dead
hcase slow s_slow
hcase size-small s_eio_then_dead
hcase size-huge s_eio_then_dead
hcase wrong-type s_stat_eio
hcase walk-extra s_stat_eio
hcase walk-qid-type s_qid_type
hcase dir-to-file s_dir_to_file
hcase read-over-asked s_read_eio
hcase read-over-msg s_read_eio
hcase read-short s_read_short
hcase read-short-eio s_read_short_eio
for _v in readdir-over-asked readdir-over-msg name-empty name-slash name-nul \
	name-long offset-repeat offset-cycle; do
	hcase "$_v" s_list
done
hcase name-dot s_list dots
hcase size-absurd s_size_absurd
hcase nlink-zero s_nlink
hcase nlink-huge s_nlink
hcase times-absurd s_times
hcase mode-bogus s_mode_bogus
for _v in lerror-0 lerror-512 lerror-4095 lerror-4096 lerror-neg; do
	hcase "$_v" s_lerror
done
hcase link-huge s_link_huge
hcase link-nul s_link_nul
hcase link-self s_link_self
for _v in xattr-short xattr-huge xattr-long; do
	hcase "$_v" s_xattr
done
hcase lock-bogus s_lock_bogus
hcase getlock-bogus s_getlock_bogus
for _c in loose mmap none; do
	check "stale-getattr-$_c" h_scenario stale-getattr s_stale stat "$_c"
done
check stale-lookup-loose h_scenario stale-lookup s_stale lookup loose
# 9P2000.Lx only.
lxcase lx-correct h_scenario correct s_correct
for _v in lx-walkgetattr-extra lx-walkgetattr-partial-attr \
	lx-walkgetattr-noattr lx-walkgetattr-short lx-qid-short; do
	lxcase "$_v" h_scenario "$_v" s_lx_lookup_eio
done
lxcase lx-walkgetattr-type h_scenario lx-walkgetattr-type s_lx_wga_type
# An Lx server without Twalkgetattr: 9plx walks and reads attributes
# apart, and the tree reads right.
lxcase lx-walkgetattr-unsupported h_scenario lx-walkgetattr-unsupported \
	s_correct
lxcase lx-attach-short h_scenario lx-attach-short s_mount_fails
lxcase lx-readdir-short h_scenario lx-readdir-short s_lx_readdir_short
# Again in 9P2000.L sessions: the lies about hello.txt's attributes
# through Twalk and Tgetattr, and lx-* lies that must not be told.
HVER=9p2000.L
PFX=${PFX}l-
hcase correct s_correct
for _v in tag-wrong close-mid size-small; do
	hcase "$_v" s_eio_then_dead
done
hcase wrong-type s_stat_eio
hcase walk-extra s_stat_eio
hcase walk-qid-type s_qid_type
hcase mode-bogus s_mode_bogus
hcase lerror-512 s_lerror
hcase lerror-neg s_lerror
hcase times-absurd s_times
hcase lx-walkgetattr-noattr s_correct
hcase lx-qid-short s_correct
hcase flush-walk s_flush_walk
check stale-getattr-loose h_scenario stale-getattr s_stale stat loose
check stale-lookup-loose h_scenario stale-lookup s_stale lookup loose
HVER=""
PFX=${PFX%l-}
# The same server on two FIFOs (trans=fd).
HFD=1
PFX=${PFX}fd-
hcase correct s_correct
hcase close-mid s_eio_then_dead
hcase tag-wrong s_eio_then_dead
HFD=""
PFX=${PFX%fd-}
check rmmod c_hostile_rmmod
KNOWN=""
