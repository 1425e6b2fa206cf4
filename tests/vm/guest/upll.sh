# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "upll" (boot "upstream"): Landlock and inotify through the
# in-kernel client with the 9P2000.Lx series (loaded by phase "up"),
# mounted with version=9p2000.Lx, in cache=none and cache=loose.  Both
# tie their state to an inode and need the next path walk to find that
# inode again (nlxlandlock, tests/vm/tools/nlxlandlock.c):
#
#   sandbox: a Landlock domain allows reads beneath p1 only.  p1/file
#   must be readable, p2/file (same host inode number, other tmpfs) and
#   hello.txt (the share's own tmpfs) must be refused (EACCES).
#   inotify: a watch on a file must see the write made through a new
#   open of its path.
#
# In a 9P2000.Lx session (patched QEMU) all must pass.  Against QEMU 7.2
# the session falls back to 9P2000.L, where the client cannot tell the
# files apart: with cache=none every lookup makes a new inode (the rule
# and the watch are lost), with cache=loose p1 and p2 share inodes (the
# sandbox lets p2/file through).  Those are reported as SKIP with what
# was seen.

M=/mnt/upll
KV=$(uname -r | cut -d. -f1,2)

c_ll_mount() {
	try_mount 9p "trans=virtio,version=9p2000.Lx,cache=$1" "$TAG" "$M" && return 0
	why "mount cache=$1: $(cat /tmp/mount.err)"
	return 1
}

check local-landlock c_ll_local
for _c in none loose; do
	PFX=upll/$_c-
	check mount c_ll_mount "$_c"
	[ "$NLX_SERVER" = patched ] ||
		KNOWN="9P2000.L session (QEMU 7.2): the client cannot tell files apart by qid"
	check sandbox c_ll_sandbox "$M" "cache=$_c"
	check inotify c_ll_inotify "$M" "inotify-$KV-$NLX_SERVER-$_c"
	KNOWN=""
	check umount c_umount "$M"
	umount_if "$M"
done
PFX=upll/
