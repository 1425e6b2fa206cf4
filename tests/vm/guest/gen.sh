# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# KNOWN is read by check() in lib.sh.
# shellcheck disable=SC2034
#
# Phase "gen": a host that reuses inode numbers.  The tags gena9 and
# genb9 both export the root of a fresh ext4 filesystem on the host (an
# image per boot, see tests/vm/run), which gives a deleted file's inode
# number to the next file it creates and reports generations.  Through
# mount B (cache=none) a file is deleted and another created in its
# place with the same host inode number, while mount A has the old one
# in its inode cache (an inotify watch holds it); through A the name
# must lead to the new file, not to the old inode: nothing on the old
# watch, the new content, and events on a new watch.  Every cache mode;
# the unused dentries are dropped before the name is used again, as
# memory pressure would, or cache=loose would keep using the old one by
# design.  Phase "genref" runs the same through the in-kernel client,
# which gives every lookup a new inode with cache=none and mmap: the old
# watch stays quiet, but the new watch is blind too (the append opens
# the file by a new lookup, so another inode), and that is what is
# expected of it.  So is 9plx in a 9P2000.L session (QEMU 7.2), which
# does the same (Documentation/filesystems/9plx.rst).

GEN_CLIENT=${GEN_CLIENT:-9plx}
GA=/mnt/gena
GB=/mnt/genb

gen_load() {
	if [ "$GEN_CLIENT" = 9plx ]; then
		mod_loaded 9plx || modload 9plx
	else
		fs_registered 9p || { modload 9pnet_virtio && modload 9p; }
	fi
}

# c_gen_replaced CACHE
c_gen_replaced() {
	gen_load || return 1
	try_mount 9p "trans=virtio,cache=$1" gena9 "$GA" || {
		why "mount gena9 cache=$1: $(cat /tmp/mount.err)"
		return 1
	}
	try_mount 9p trans=virtio,cache=none genb9 "$GB" || {
		why "mount genb9: $(cat /tmp/mount.err)"
		umount_if "$GA"
		return 1
	}
	mkdir -p "$GB/$1"
	nlxprobe replaced "$GA/$1/f" "$GB/$1/f" >/tmp/gen.out 2>&1
	_rc=$?
	umount_if "$GA"
	umount_if "$GB"
	_first=$(grep -v '^ok' /tmp/gen.out | head -n 1)
	if [ "$1" != loose ] &&
	   { [ "$GEN_CLIENT" = stock ] || [ "$NLX_SERVER" != patched ]; }; then
		case $_rc/$_first in
		"1/FAIL new-watch"*) return 0 ;;
		esac
		why "want old-watch-quiet, read-new, then a blind new watch: $(tr '\n' ' ' </tmp/gen.out)"
		return 1
	fi
	[ $_rc = 0 ] && return 0
	why "$(grep -v '^ok' /tmp/gen.out | head -n 2) (after: $(grep '^ok' /tmp/gen.out | tr '\n' ' '))"
	return 1
}

# c_gen_killpriv CACHE: root writes A/kp (a write that finds nothing to
# clear, which 9plx then remembers), another client (B) makes the file
# root's mode 06777, A sees the mode at a stat, and a user's write
# through A must still clear set-user-ID and set-group-ID, on the server
# too: what a write remembers must not outlive a change on the server.
c_gen_killpriv() {
	gen_load || return 1
	try_mount 9p "trans=virtio,cache=$1" gena9 "$GA" || {
		why "mount gena9 cache=$1: $(cat /tmp/mount.err)"
		return 1
	}
	try_mount 9p trans=virtio,cache=none genb9 "$GB" || {
		why "mount genb9: $(cat /tmp/mount.err)"
		umount_if "$GA"
		return 1
	}
	mkdir -p "$GB/kp"
	chmod 0777 "$GB/kp"
	_f=kp/f-$1
	# Held open from the start, A keeps the inode (and what its writes
	# remember) until the user's write.
	if ! { echo data >"$GA/$_f" && exec 8<"$GA/$_f" &&
	       echo more >>"$GA/$_f" &&
	       chown 0:0 "$GB/$_f" && chmod 6777 "$GB/$_f"; }; then
		why "set up $_f as root"
		exec 8<&-
		umount_if "$GA"
		umount_if "$GB"
		return 1
	fi
	_seen=$(stat -c %a "$GA/$_f")
	nlxprobe asuser 1000 1000 sh -c "echo user >>$GA/$_f" 2>/tmp/e
	_rc=$?
	exec 8<&-
	_guest=$(stat -c %a "$GA/$_f")
	_server=$(stat -c %a "$GB/$_f")
	umount_if "$GA"
	umount_if "$GB"
	[ $_rc = 0 ] || { why "cache=$1: the user's write: $(cat /tmp/e)"; return 1; }
	[ "$_seen/$_guest/$_server" = 6777/777/777 ] && return 0
	why "cache=$1: mode seen before the write/after it in A/on the server: $_seen/$_guest/$_server (want 6777/777/777)"
	return 1
}

check "replaced-none" c_gen_replaced none
check "replaced-mmap" c_gen_replaced mmap
check "replaced-loose" c_gen_replaced loose
# (cache=loose does not see another client's chmod by design.)
for _c in none mmap; do
	case $GEN_CLIENT/$_c/$(uname -r) in
	stock/none/6.1.* | stock/mmap/6.1.*)
		KNOWN="6.1's in-kernel client writes without clearing set-user-ID and set-group-ID (no file_remove_privs)"
		;;
	esac
	check "killpriv-remote-$_c" c_gen_killpriv "$_c"
	KNOWN=""
done
