# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "fh": file handles, fanotify file ids, Landlock and inotify,
# through 9plx (FH_CLIENT unset) or, in phase "fhref", through the
# in-kernel client loaded by the "ref" phase.  Expectations by dialect
# (Documentation/filesystems/9plx.rst, "File handles"):
#
#   9P2000.Lx (9plx, patched server), cache=none and cache=loose:
#   name_to_handle_at gives p1/file and p2/file (one host inode number,
#   two tmpfs) different handles, and open_by_handle_at of each opens
#   that file (nlxfh pair); a handle opens its file while the guest
#   holds it, gives ESTALE once the guest has forgotten it, opens it
#   again once it is known again, and gives ESTALE after unlink (nlxfh
#   stale); a fanotify mount mark with FAN_REPORT_FID reports a write
#   with the file's handle, which opens it (nlxfh fanotify); Landlock
#   and inotify find their inodes again (nlxlandlock).
#
#   9P2000.L (9plx against QEMU 7.2, the in-kernel client): handles are
#   refused (EOPNOTSUPP from name_to_handle_at and from a FAN_REPORT_FID
#   mount mark): a qid path may name several host files.  With
#   cache=none every lookup makes a new inode, so a Landlock rule on p1
#   no longer covers p1/file and an inotify watch misses a write made
#   through a new open: asserted as such, the limits of the dialect.

FH_CLIENT=${FH_CLIENT:-9plx}
M=/mnt/fh
KV=$(uname -r | cut -d. -f1,2)
if [ "$FH_CLIENT" = 9plx ] && [ "$NLX_SERVER" = patched ]; then
	FH_VERSION=9p2000.Lx
	FH_OPTS=trans=virtio
elif [ "$FH_CLIENT" = 9plx ]; then
	FH_VERSION=9p2000.L
	FH_OPTS=trans=virtio
else
	FH_VERSION=9p2000.L
	FH_OPTS=trans=virtio,version=9p2000.L
fi

c_fh_mount() {
	if [ "$FH_CLIENT" = 9plx ]; then
		mod_loaded 9plx || modload 9plx || return 1
	elif ! fs_registered 9p; then
		modload 9pnet_virtio && modload 9p || return 1
	fi
	try_mount 9p "$FH_OPTS,cache=$1" "$TAG" "$M" || {
		why "mount -o $FH_OPTS,cache=$1: $(cat /tmp/mount.err)"
		return 1
	}
	[ "$FH_CLIENT" != 9plx ] || c_version "$M" "$FH_VERSION"
}

# fh_run CMD ARGS...: nlxfh CMD ARGS..., its lines in the console log
# and in /tmp/fh.out; returns its exit status.
fh_run() {
	nlxfh "$@" >/tmp/fh.out 2>&1
	_rc=$?
	sed "s/^/nlx: nlxfh $1: /" /tmp/fh.out
	return $_rc
}

# fh_scratch NAME: a new file scratch/NAME-KV-SERVER, its path in _f.
fh_scratch() {
	_f=$M/scratch/$1-$KV-$NLX_SERVER
	echo start >"$_f" && return 0
	why "cannot create $_f"
	return 1
}

fh_why() {
	why "nlxfh $1 exit $2: $(grep -v '^ok ' /tmp/fh.out | tr '\n' ';')"
	return 1
}

c_fh_pair() {
	need_mount "$M" || return
	fh_run pair "$M" "$M/p1/file" "$M/p2/file" || fh_why pair $?
}

c_fh_stale() {
	need_mount "$M" || return
	fh_run stale "$M" "$M/scratch/fh-stale-$1-$KV-$NLX_SERVER" ||
		fh_why stale $?
}

c_fh_fanotify() {
	need_mount "$M" && fh_scratch "fh-fan-$1" || return
	fh_run fanotify "$M" "$_f" || fh_why fanotify $?
}

# 9P2000.L: name_to_handle_at and a FAN_REPORT_FID mount mark must fail
# with EOPNOTSUPP.  (data/file: with cache=loose, 9P2000.L cannot walk
# into p1, whose root has the qid path of the share's; see ELOOP in
# 9plx.rst.)
c_fh_nohandle() {
	need_mount "$M" || return
	fh_run handle "$M/data/file" && {
		why "name_to_handle_at($M/data/file) succeeded: $(cat /tmp/fh.out)"; return 1; }
	grep -qx "FAIL handle $M/data/file errno=95 EOPNOTSUPP" /tmp/fh.out && return 0
	why "want EOPNOTSUPP: $(cat /tmp/fh.out)"
	return 1
}

c_fh_nofanotify() {
	need_mount "$M" && fh_scratch "fh-fan-$FH_CLIENT" || return
	fh_run fanotify "$M" "$_f" && {
		why "a FAN_REPORT_FID mount mark worked: $(tr '\n' ';' </tmp/fh.out)"; return 1; }
	grep -qx "FAIL fanotify_mark $M errno=95 EOPNOTSUPP" /tmp/fh.out && return 0
	why "want EOPNOTSUPP from fanotify_mark: $(tr '\n' ';' </tmp/fh.out)"
	return 1
}

# 9P2000.L, cache=none: the Landlock rule on p1's inode does not cover
# the p1 a new lookup makes, so p1/file is refused like the others.
c_ll_sandbox_lost() {
	need_mount "$M" || return
	nlxlandlock sandbox "$M/p1" "$M/p1/file" "$M/p2/file" >/tmp/ll.out 2>&1
	_rc=$?
	echo "nlx: sandbox 9P2000.L: $(tr '\n' ';' </tmp/ll.out)"
	[ "$_rc" = 0 ] || { why "$(cat /tmp/ll.out)"; return 1; }
	grep -q "^denied $M/p1/file errno=13 " /tmp/ll.out &&
		grep -q "^denied $M/p2/file errno=13 " /tmp/ll.out && return 0
	why "want p1/file and p2/file refused: $(tr '\n' ';' </tmp/ll.out)"
	return 1
}

# 9P2000.L, cache=none: the watch is on an inode a new open never meets.
c_ll_inotify_lost() {
	need_mount "$M" && fh_scratch "fh-inotify-$FH_CLIENT" || return
	nlxlandlock inotify "$_f" >/tmp/ll.out 2>&1 && {
		why "the watch saw the write: $(tr '\n' ';' </tmp/ll.out)"; return 1; }
	grep -qx "FAIL no modify" /tmp/ll.out && return 0
	why "want no IN_MODIFY: $(tr '\n' ';' </tmp/ll.out)"
	return 1
}

check local-landlock c_ll_local
for _c in none loose; do
	PFX=${PFX%%/*}/$_c-
	check mount c_fh_mount "$_c"
	if [ "$FH_VERSION" = 9p2000.Lx ]; then
		check handle-pair c_fh_pair
		check handle-stale c_fh_stale "$_c"
		check fanotify-fid c_fh_fanotify "$_c"
		check landlock c_ll_sandbox "$M" "cache=$_c"
		check inotify c_ll_inotify "$M" "fh-inotify-$KV-$NLX_SERVER-$_c"
	else
		check no-handle c_fh_nohandle
		check no-fanotify-fid c_fh_nofanotify
		if [ "$_c" = none ]; then
			check landlock-lost c_ll_sandbox_lost
			check inotify-lost c_ll_inotify_lost
		fi
	fi
	check umount c_umount "$M"
	umount_if "$M"
done
PFX=${PFX%%/*}/
if [ "$FH_CLIENT" = 9plx ] && mod_loaded 9plx; then
	rmmod 9plx 2>/tmp/e || fail rmmod "rmmod 9plx: $(cat /tmp/e)"
fi
