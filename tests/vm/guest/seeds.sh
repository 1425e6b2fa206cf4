# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "seeds": the case 9P2000.Lx exists for, and the identity the
# guest sees.  p1 and p2 are two host tmpfs mounts filled in the same
# order, so p1/X and p2/X have the same host inode number.  With
# p1/seed-* held open, a write to p2/seed-* must reach p2 and only p2,
# under cache=loose and cache=none.  In a 9P2000.Lx session st_ino is
# the host's inode number, st_dev differs between p1 and p2 and is equal
# within each, and a host hard link is a hard link in the guest.
#
# Phase "upseeds" runs the same checks through the in-kernel client with
# the 9P2000.Lx series (SEEDS_CLIENT=upstream, with its own seed files).

M=/mnt/seeds
KV=$(uname -r | cut -d. -f1,2)
SEEDS_CLIENT=${SEEDS_CLIENT:-9plx}
SEEDS_OPTS=${SEEDS_OPTS:-trans=virtio}
SEEDS_TAG=$NLX_SERVER
[ "$SEEDS_CLIENT" = 9plx ] || SEEDS_TAG=up$NLX_SERVER

seed_load() {
	[ "$SEEDS_CLIENT" != 9plx ] || mod_loaded 9plx || modload 9plx
}

seed_mount() {
	try_mount 9p "$SEEDS_OPTS,cache=$1" "$TAG" "$M" || {
		why "mount cache=$1: $(cat /tmp/mount.err)"
		return 1
	}
}

# c_seed CACHE: hold p1's file open, write p2's, check both through a
# fresh cache=none mount (so nothing cached in the guest answers).
c_seed() {
	_f=seed-$KV-$SEEDS_TAG-$1
	seed_load || return 1
	seed_mount "$1" || return 1
	# In a subshell: a failed redirection of exec ends the shell it is in.
	(
		exec 3<"$M/p1/$_f" || exit 1
		cat <&3 >/tmp/seed.before
		printf 'written to p2\n' >"$M/p2/$_f"
		cat "$M/p2/$_f" >/tmp/seed.p2
	) 2>/tmp/seed.err || { why "$(cat /tmp/seed.err)"; umount_if "$M"; return 1; }
	_before=$(cat /tmp/seed.before) _p2=$(cat /tmp/seed.p2)
	timeout 60 umount "$M" || { why "umount"; return 1; }
	seed_mount none || return 1
	_host1=$(cat "$M/p1/$_f") _host2=$(cat "$M/p2/$_f")
	timeout 60 umount "$M"
	[ "$_before" = "seed original" ] || { why "p1 read '$_before' before the write"; return 1; }
	[ "$_p2" = "written to p2" ] || { why "p2 read back '$_p2' in the same mount"; return 1; }
	[ "$_host2" = "written to p2" ] || { why "server's p2/$_f is '$_host2'"; return 1; }
	[ "$_host1" = "seed original" ] && return 0
	why "server's p1/$_f is '$_host1': the write went to the wrong file"
	return 1
}

# st_ino equals the host's, st_dev tells p1 from p2 and nothing else.
c_identity() {
	seed_load || return 1
	seed_mount none || return 1
	_ok=0
	# /manifest/ident: "path<TAB>dev ino" as the host sees it.
	_hi1=$(awk -F'\t' '$1 == "p1/file" { split($2, a, " "); print a[2] }' /manifest/ident)
	_hi2=$(awk -F'\t' '$1 == "p2/file" { split($2, a, " "); print a[2] }' /manifest/ident)
	_g1=$(stat -c '%d %i' "$M/p1/file") _g2=$(stat -c '%d %i' "$M/p2/file")
	_gd1=$(stat -c %d "$M/p1/dir/a") _gd2=$(stat -c %d "$M/p2/dir/a")
	_gr=$(stat -c %d "$M/data/file")
	_gl1=$(stat -c '%d %i %h' "$M/p1/hardlink")
	timeout 60 umount "$M"
	[ "${_g1#* }" = "$_hi1" ] && [ "${_g2#* }" = "$_hi2" ] || {
		why "st_ino p1/file ${_g1#* }, p2/file ${_g2#* }; host $_hi1, $_hi2"; return 1; }
	[ "${_g1% *}" != "${_g2% *}" ] || { why "p1 and p2 share st_dev ${_g1% *}"; return 1; }
	[ "${_g1% *}" = "$_gd1" ] && [ "${_g2% *}" = "$_gd2" ] || {
		why "st_dev differs within one host filesystem: $_g1/$_gd1, $_g2/$_gd2"; return 1; }
	[ "$_gr" != "${_g1% *}" ] && [ "$_gr" != "${_g2% *}" ] || {
		why "the share root's filesystem shares st_dev $_gr with p1 or p2"; return 1; }
	[ "$_gl1" = "$_g1 2" ] && return 0
	why "p1/hardlink is '$_gl1', p1/file '$_g1' (want the same dev, ino and 2 links)"
	return 1
}

# c_newdir_alias: alias/t1 and alias/t2 are directories of two host
# tmpfs instances, and every directory made in t1 gets the inode number
# of one in t2 (tests/vm/lib/share.sh).  With cache=loose a 9P2000.L
# session shares an inode by qid only once the server has shown it is
# the same file (version, host filesystem: p9x_same_file()), so the new
# directory is a directory of its own: mkdir works, a file made in it is
# there and in none of t2's directories.  9P2000.Lx tells the two
# filesystems apart by the qid itself: mkdir works and the new directory
# has t1's st_dev.
c_newdir_alias() {
	_n=alias/t1/new-$KV-$NLX_SERVER
	seed_load || return 1
	seed_mount loose || return 1
	stat "$M/alias/t2" "$M"/alias/t2/d* >/dev/null 2>&1
	dmark
	mkdir "$M/$_n" 2>/tmp/e
	_rc=$?
	_e=$(cat /tmp/e) _log=$(dnew | grep -c 'has the qid of a known directory')
	_t1=$(stat -c %d "$M/alias/t1") _t2=$(stat -c %d "$M/alias/t2")
	[ "$_rc" != 0 ] || : >"$M/$_n/inner"
	_in=$(ls "$M/$_n" 2>&1)
	_leak=0
	for _x in "$M"/alias/t2/d*/inner; do
		[ ! -e "$_x" ] || _leak=$((_leak + 1))
	done
	[ "$NLX_SERVER" != patched ] || _new=$(stat -c %d "$M/$_n" 2>/dev/null)
	timeout 60 umount "$M" || { why "umount"; return 1; }
	[ "$_rc" = 0 ] || { why "mkdir: $_e (log lines: $_log)"; return 1; }
	[ "$_in" = inner ] || { why "the new directory lists '$_in', want 'inner'"; return 1; }
	[ "$_leak" = 0 ] || { why "t2 has the file made in the new directory"; return 1; }
	if [ "$NLX_SERVER" = patched ]; then
		[ "$_new" = "$_t1" ] && [ "$_t1" != "$_t2" ] && return 0
		why "st_dev of t1 $_t1, t2 $_t2, t1's new directory $_new"
		return 1
	fi
	# What the host gave the new directory, through a fresh mount: the
	# check means something only if it met a directory of t2.
	seed_mount none || return 1
	_ino=$(stat -c %i "$M/$_n")
	_twin=$(stat -c '%i %n' "$M/alias/t2" "$M"/alias/t2/d* | awk -v i="$_ino" '$1 == i { print $2 }')
	timeout 60 umount "$M"
	[ -n "$_twin" ] && return 0
	why "no collision to test: $_n is inode $_ino"
	return 77
}

# The in-kernel client gives every file it creates an inode of its own.
[ "$SEEDS_CLIENT" != 9plx ] || check newdir-alias c_newdir_alias
if [ "$NLX_SERVER" = patched ]; then
	check loose c_seed loose
	check none c_seed none
	check identity c_identity
else
	# 9P2000.L: with cache=none every lookup has its own inode, with
	# cache=loose an inode is shared only with the same host file, so
	# the write lands where it should (Documentation/filesystems/9plx.rst).
	# The in-kernel client keys cache=loose inodes by qid alone, and the
	# qids of p1's and p2's file are equal: the seeds' bug, shown as SKIP.
	[ "$SEEDS_CLIENT" = 9plx ] ||
		KNOWN="9P2000.L session (QEMU 7.2): the client cannot tell files apart by qid"
	check loose c_seed loose
	KNOWN=""
	check none c_seed none
fi
umount_if "$M"
if mod_loaded 9plx; then
	rmmod 9plx 2>/tmp/e || fail rmmod "rmmod 9plx: $(cat /tmp/e)"
fi
