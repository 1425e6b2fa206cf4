# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for the guest phases (busybox sh).  Sourced by /init.
#
# Reporting protocol, one line each on /dev/ttyS1 (the host reads it
# from a file-backed serial port):
#   START: <name>            a check begins (lets the host name a hang)
#   PASS: <name>
#   FAIL: <name>: <why>
#   SKIP: <name>: <why>
#   DONE                     every phase ran to its end
# Names are relative; the host prefixes vm/<kernel>/<server>/.
#
# Checks are shell functions run through `check NAME FUNC ARGS...`:
# return 0 = pass, 77 = skip, anything else = fail.  They explain a
# non-pass with `why "text"` before returning.
#
# KNOWN, when set, names a documented limitation: a failing check is
# then reported as SKIP with KNOWN and the observed failure, so the
# output still shows what happened, and a fix turns it into PASS.

RES=/dev/ttyS1
KNOWN=""
TAG=share9
WHY=/tmp/why
PFX=""

# cmdline_arg KEY: value of KEY=... on the kernel command line.
cmdline_arg() {
	# shellcheck disable=SC2013 # words, not lines
	for w in $(cat /proc/cmdline); do
		case "$w" in
		"$1="*) echo "${w#*=}"; return 0 ;;
		esac
	done
	echo ""
}

# report LINE: to the results port (opened per line: the last close of
# a tty waits for its output to drain, so nothing is lost at poweroff)
# and to the console, where it lands next to the kernel's messages.
report() {
	echo "$*" >>"$RES"
	echo "nlx: $*"
}

pass() { report "PASS: $PFX$1"; }
fail() { report "FAIL: $PFX$1: $2"; }
skip() { report "SKIP: $PFX$1: $2"; }

why() {
	# One line only: the protocol is line based.
	echo "$*" | tr '\n' ' ' | cut -c1-300 >"$WHY"
}

check() {
	_name=$1
	shift
	report "START: $PFX$_name"
	: >"$WHY"
	"$@"
	_rc=$?
	_why=$(cat "$WHY")
	case $_rc in
	0) pass "$_name" ;;
	77) skip "$_name" "${_why:-skipped}" ;;
	*)
		if [ -n "$KNOWN" ]; then
			skip "$_name" "$KNOWN; observed: ${_why:-check returned $_rc}"
		else
			fail "$_name" "${_why:-check returned $_rc}"
		fi
		;;
	esac
	return 0
}

# --- kernel log -----------------------------------------------------------

# dmark: remember where the kernel log ends; dnew: what came after.
dmark() { DMARK=$(dmesg | wc -l); }
dnew() { dmesg | tail -n +$((DMARK + 1)); }

# --- modules --------------------------------------------------------------

mod_loaded() {
	grep -q "^$1 " /proc/modules
}

fs_registered() {
	grep -q "[[:space:]]$1\$" /proc/filesystems
}

# modload NAME [PARAM=VALUE...]: load the dependencies listed (in
# order) in /mods/NAME.deps, then /mods/NAME.ko with the parameters.
modload() {
	_m=$1
	shift
	if [ -f "/mods/$_m.deps" ]; then
		# shellcheck disable=SC2013 # one name a line, no blanks
		for _d in $(cat "/mods/$_m.deps"); do
			mod_loaded "$_d" && continue
			insmod "/mods/$_d.ko" 2>/tmp/insmod.err || {
				why "insmod $_d (dependency of $_m): $(cat /tmp/insmod.err)"
				return 1
			}
		done
	fi
	insmod "/mods/$_m.ko" "$@" 2>/tmp/insmod.err || {
		why "insmod $_m $*: $(cat /tmp/insmod.err)"
		return 1
	}
}

# --- mounts ---------------------------------------------------------------

is_mounted() {
	awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts
}

mount_line() {
	awk -v m="$1" '$2 == m' /proc/mounts | tail -n 1
}

# mount_opt MNT KEY: value of KEY= in MNT's /proc/mounts options.
mount_opt() {
	mount_line "$1" | awk '{ print $4 }' | tr ',' '\n' |
		sed -n "s/^$2=//p" | tail -n 1
}

# try_mount FSTYPE OPTS SOURCE MNT: mount, bounded in time; the error
# text is left in /tmp/mount.err.
try_mount() {
	mkdir -p "$4"
	timeout 60 mount -t "$1" -o "$2" "$3" "$4" >/tmp/mount.err 2>&1
}

# umount_if MNT: unmount if mounted; used to clean up after failures.
umount_if() {
	if is_mounted "$1"; then
		timeout 60 umount "$1" 2>/dev/null || umount -l "$1" 2>/dev/null
	fi
	return 0
}

# need_mount MNT: skip (77) the calling check when MNT is not mounted.
need_mount() {
	is_mounted "$1" && return 0
	why "$1 is not mounted (earlier failure)"
	return 77
}

# --- the checks shared by every client ------------------------------------

c_mounted() {
	_fst=$1 _opts=$2 _mnt=$3
	dmark
	if ! try_mount "$_fst" "$_opts" "$TAG" "$_mnt"; then
		why "mount -t $_fst -o $_opts failed: $(cat /tmp/mount.err); log: $(dnew | tail -n 3)"
		return 1
	fi
	if ! is_mounted "$_mnt"; then
		why "mount returned 0 but $_mnt is not in /proc/mounts"
		return 1
	fi
	_got=$(mount_line "$_mnt" | awk '{ print $3 }')
	if [ "$_got" != "$_fst" ]; then
		why "/proc/mounts says fstype $_got, wanted $_fst"
		return 1
	fi
	echo "nlx: mounted: $(mount_line "$_mnt")"
}

c_version() {
	need_mount "$1" || return
	_v=$(mount_opt "$1" version)
	[ "$_v" = "$2" ] && return 0
	why "/proc/mounts has version=${_v:-<none>}, wanted $2: $(mount_line "$1")"
	return 1
}

# list_dir DIR: entry names, one a line, raw bytes, byte order.  Shell
# globs read the directory without looking entries up, so a listing
# does not depend on lookups working (those have checks of their own).
list_dir() {
	(cd "$1" || exit 1
	for _f in * .[!.]* ..?*; do
		case $_f in
		'*' | '.[!.]*' | '..?*')
			# An unmatched pattern comes back as itself.
			[ -e "$_f" ] || [ -L "$_f" ] || continue
			;;
		esac
		printf '%s\n' "$_f"
	done) | LC_ALL=C sort
}

# cmp_list DIR LIST: DIR's entries are exactly those of LIST.
cmp_list() {
	(cd "$1") 2>/tmp/cd.err || { why "cannot enter $1: $(cat /tmp/cd.err)"; return 1; }
	list_dir "$1" >/tmp/got
	cmp -s /tmp/got "$2" && return 0
	why "$1: $(wc -l </tmp/got) entries (host $(wc -l <"$2")); differences: $(diff "$2" /tmp/got | grep '^[-+][^-+]' | head -n 3)"
	return 1
}

c_readdir_root() {
	need_mount "$1" || return
	cmp_list "$1" /manifest/root.list
}

c_readdir_large() {
	need_mount "$1" || return
	cmp_list "$1/data/bigdir" /manifest/bigdir.list || return 1
	echo "nlx: bigdir: $(wc -l </tmp/got) entries"
}

c_read_small() {
	need_mount "$1" || return
	cmp -s "$1/data/file" /manifest/file.content && return 0
	why "data/file content differs: $(head -c 80 "$1/data/file" 2>&1)"
	return 1
}

c_read_md5() {
	need_mount "$1" || return
	while IFS="	" read -r _p _sum; do
		_got=$(timeout 120 md5sum <"$1/$_p" | cut -d' ' -f1)
		[ "$_got" = "$_sum" ] && continue
		why "$_p md5 ${_got:-<read failed>}, host $_sum"
		return 1
	done </manifest/md5
}

# Slices of data/big.bin at unaligned offsets (dd seeks, then reads
# blocks that straddle page and message boundaries; the last one runs
# past the end of the file).
c_read_slices() {
	need_mount "$1" || return
	while read -r _bs _skip _count _sum; do
		_got=$(timeout 60 dd if="$1/data/big.bin" bs="$_bs" skip="$_skip" \
			count="$_count" 2>/dev/null | md5sum | cut -d' ' -f1)
		[ "$_got" = "$_sum" ] && continue
		why "dd bs=$_bs skip=$_skip count=$_count: md5 $_got, host $_sum"
		return 1
	done </manifest/slices
}

# stat_vs MNT MANIFEST: mode uid gid size mtime of each listed path.
stat_vs() {
	while IFS="	" read -r _p _want; do
		# busybox stat without -L is lstat, like the host's.
		_got=$(stat -c '%f %u %g %s %Y' "$1/$_p" 2>&1)
		[ "$_got" = "$_want" ] && continue
		why "$_p: mode uid gid size mtime = $_got, host $_want"
		return 1
	done <"$2"
}

c_stat() {
	need_mount "$1" || return
	stat_vs "$1" /manifest/stat
}

c_readlink() {
	need_mount "$1" || return
	_want=$(cat /manifest/link.target)
	_got=$(readlink "$1/data/link" 2>&1)
	[ "$_got" = "$_want" ] && return 0
	why "readlink data/link = '$_got', host '$_want'"
	return 1
}

c_read_symlink() {
	need_mount "$1" || return
	cmp -s "$1/data/link" /manifest/file.content && return 0
	why "reading through data/link: $(head -c 80 "$1/data/link" 2>&1)"
	return 1
}

# statfs_vs MNT MANIFEST.  The server may scale the block size to fit
# msize (QEMU does), so compare total bytes: equal, or short of the
# host's by less than one guest block (the server divides the count).
statfs_vs() {
	while IFS="	" read -r _p _want; do
		_got=$(stat -f -c '%S %b' "$1/$_p" 2>&1)
		_ok=$(echo "$_got $_want" | awk 'NF == 4 && $1 > 0 {
			g = $1 * $2; h = $3 * $4
			if (g <= h && h - g < $1) print "ok" }')
		[ "$_ok" = ok ] && continue
		why "statfs $_p: bsize blocks = $_got, host $_want (totals differ)"
		return 1
	done <"$2"
}

c_statfs() {
	need_mount "$1" || return
	statfs_vs "$1" /manifest/statfs || return 1
	df "$1" >/tmp/df.out 2>&1 || { why "df: $(cat /tmp/df.out)"; return 1; }
	grep -q " $1\$" /tmp/df.out || { why "df output lacks $1"; return 1; }
}

# The multi-device part of the share: p1 and p2 are separate tmpfs
# instances whose inode numbers coincide (and coincide with the share
# root's).  A client must keep them apart to list, stat and read them.
c_multidev_readdir() {
	need_mount "$1" || return
	cmp_list "$1/p1" /manifest/dev.list || return 1
	cmp_list "$1/p2" /manifest/dev.list || return 1
	cmp_list "$1/p2/dir" /manifest/dev.dir.list
}

c_multidev_stat() {
	need_mount "$1" || return
	stat_vs "$1" /manifest/dev.stat
}

c_multidev_read() {
	need_mount "$1" || return
	for _p in p1/file p2/file p2/link; do
		cmp -s "$1/$_p" /manifest/file.content && continue
		why "$_p: $(head -c 80 "$1/$_p" 2>&1)"
		return 1
	done
}

c_multidev_statfs() {
	need_mount "$1" || return
	statfs_vs "$1" /manifest/dev.statfs
}

c_umount() {
	need_mount "$1" || return
	timeout 60 umount "$1" 2>/tmp/umount.err || {
		why "umount: $(cat /tmp/umount.err)"
		return 1
	}
	is_mounted "$1" || return 0
	why "$1 still in /proc/mounts after umount"
	return 1
}

# basic_checks MNT: what every client must get right on this share.
single_dev_checks() {
	check readdir-root c_readdir_root "$1"
	check readdir-large c_readdir_large "$1"
	check read-small c_read_small "$1"
	check read-big-md5 c_read_md5 "$1"
	check read-slices c_read_slices "$1"
	check stat c_stat "$1"
	check readlink c_readlink "$1"
	check read-via-symlink c_read_symlink "$1"
	check statfs c_statfs "$1"
}

basic_checks() {
	single_dev_checks "$1"
	multidev_checks "$1"
}

# multidev_checks MNT [KNOWN]: the checks on p1 and p2.
multidev_checks() {
	KNOWN=${2:-}
	check multidev-readdir c_multidev_readdir "$1"
	check multidev-stat c_multidev_stat "$1"
	check multidev-read c_multidev_read "$1"
	check multidev-statfs c_multidev_statfs "$1"
	KNOWN=""
}

# --- Landlock and inotify (nlxlandlock; phases upll and fh) ---------------

# Landlock itself, on the guest's own tmpfs root: tells a kernel without
# Landlock from a 9p failure.
c_ll_local() {
	mkdir -p /tmp/ll/in /tmp/ll/out
	echo in >/tmp/ll/in/f
	echo out >/tmp/ll/out/f
	nlxlandlock sandbox /tmp/ll/in /tmp/ll/in/f /tmp/ll/out/f >/tmp/ll.out 2>&1
	_rc=$?
	if [ "$_rc" = 2 ]; then
		why "Landlock unavailable: $(cat /tmp/ll.out)"
		return 77
	fi
	grep -qx 'ok /tmp/ll/in/f' /tmp/ll.out &&
		grep -q '^denied /tmp/ll/out/f errno=13 ' /tmp/ll.out && return 0
	why "local sandbox: $(tr '\n' ';' </tmp/ll.out)"
	return 1
}

# c_ll_sandbox MNT LABEL: a Landlock domain that reads beneath MNT/p1
# only must read p1/file and refuse (EACCES) p2/file (same host inode
# number, other tmpfs) and hello.txt (the share's own tmpfs).
c_ll_sandbox() {
	need_mount "$1" || return
	nlxlandlock sandbox "$1/p1" "$1/p1/file" "$1/p2/file" "$1/hello.txt" \
		>/tmp/ll.out 2>&1
	_rc=$?
	echo "nlx: sandbox $2: $(tr '\n' ';' </tmp/ll.out)"
	[ "$_rc" = 0 ] || { why "$(cat /tmp/ll.out)"; return 1; }
	grep -qx "ok $1/p1/file" /tmp/ll.out || {
		why "p1/file refused beneath the allowed p1: $(grep p1/file /tmp/ll.out)"; return 1; }
	for _f in p2/file hello.txt; do
		grep -q "^denied $1/$_f errno=13 " /tmp/ll.out && continue
		why "$_f outside p1 not refused: $(grep "$_f" /tmp/ll.out)"
		return 1
	done
}

# c_ll_inotify MNT NAME: an inotify watch on MNT/scratch/NAME must see a
# write made through a new open of its path.
c_ll_inotify() {
	need_mount "$1" || return
	_f=$1/scratch/$2
	echo start >"$_f" || { why "cannot create $_f"; return 1; }
	nlxlandlock inotify "$_f" >/tmp/ll.out 2>&1 && return 0
	why "$(tr '\n' ';' </tmp/ll.out)"
	return 1
}
