# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "fh": file handles, fanotify file ids, Landlock and inotify,
# through 9plx (FH_CLIENT unset) or, in phase "fhref", through the
# in-kernel client loaded by the "ref" phase.  Expectations by dialect
# and kernel (Documentation/filesystems/9plx.rst, "File handles"), with
# cache=none and cache=loose:
#
#   Every session: name_to_handle_at without AT_HANDLE_FID (a handle to
#   decode) and FAN_REPORT_FID mount and filesystem marks fail with
#   EOPNOTSUPP: nothing decodes a handle (9P has no walk by identity).
#
#   Where file ids exist (9plx in 9P2000.Lx: 6.5 and later, its own
#   handle type 0x9c; 9P2000.L: 6.7 and later, the VFS's inode number
#   and generation, FILEID_INO64_GEN 0x81): name_to_handle_at with
#   AT_HANDLE_FID works; open_by_handle_at of such a handle opens
#   nothing, neither while the file is held open nor after the guest
#   has forgotten it (the error it gives is logged); a FAN_REPORT_FID
#   inode mark reports a write with the file's AT_HANDLE_FID handle.
#   In 9P2000.Lx p1/file and p2/file (one host inode number, two tmpfs)
#   get different ids.  Elsewhere (6.1) AT_HANDLE_FID is an unknown
#   flag (EINVAL) and the inode mark fails with EOPNOTSUPP.
#
#   9P2000.Lx (9plx, patched server): Landlock and inotify find their
#   inodes again (nlxlandlock).  9P2000.L (9plx against QEMU 7.2, the
#   in-kernel client): with cache=none every lookup makes a new inode,
#   so a Landlock rule on p1 no longer covers p1/file and an inotify
#   watch misses a write made through a new open: asserted as such, the
#   limits of the dialect.

FH_CLIENT=${FH_CLIENT:-9plx}
M=/mnt/fh
KV=$(uname -r | cut -d. -f1,2)
# the kernel as one number, major * 256 + minor
FH_KV=$(( $(echo "$KV" | cut -d. -f1) * 256 + $(echo "$KV" | cut -d. -f2) ))
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
# FH_FIDTYPE: the type of an AT_HANDLE_FID handle, empty where there is
# none.  9plx's own in 9P2000.Lx sessions, from 6.5 (AT_HANDLE_FID,
# compat.h); in 9P2000.L sessions, where there are no export operations,
# the VFS's own, which it gives such filesystems from 6.7.
FH_FIDTYPE=
if [ "$FH_VERSION" = 9p2000.Lx ] && [ "$FH_KV" -ge $((6 * 256 + 5)) ]; then
	FH_FIDTYPE=0x9c
elif [ "$FH_VERSION" = 9p2000.L ] && [ "$FH_KV" -ge $((6 * 256 + 7)) ]; then
	FH_FIDTYPE=0x81
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

# fh_refused STEP WHAT ERRNO ENAME CMD ARGS...: nlxfh CMD ARGS... must
# fail at STEP on WHAT with ERRNO.
fh_refused() {
	_step=$1 _what=$2 _want="errno=$3 $4"
	shift 4
	if fh_run "$@"; then
		_got="it worked"
	elif grep -qx "FAIL $_step $_what $_want" /tmp/fh.out; then
		return 0
	else
		_got="it failed otherwise"
	fi
	why "nlxfh $1: want $_step $_what $_want, $_got: $(tr '\n' ';' </tmp/fh.out)"
	return 1
}

# A handle to decode: refused in every session.  (data/file: with
# cache=loose, 9P2000.L cannot walk into p1, whose root has the qid path
# of the share's; see ELOOP in 9plx.rst.)
c_fh_handle_refused() {
	need_mount "$M" || return
	fh_refused handle "$M/data/file" 95 EOPNOTSUPP handle "$M/data/file"
}

c_fh_fid() {
	need_mount "$M" || return
	fh_run fid "$M/data/file" || { fh_why fid $?; return; }
	grep -q "^ok fid $M/data/file type=$FH_FIDTYPE " /tmp/fh.out && return 0
	why "want a handle of type $FH_FIDTYPE: $(cat /tmp/fh.out)"
	return 1
}

# Without file ids: an unknown flag before 6.5, else no export operations.
c_fh_fid_refused() {
	need_mount "$M" || return
	if [ "$FH_KV" -lt $((6 * 256 + 5)) ]; then
		fh_refused fid "$M/data/file" 22 EINVAL fid "$M/data/file"
	else
		fh_refused fid "$M/data/file" 95 EOPNOTSUPP fid "$M/data/file"
	fi
}

# 9P2000.Lx: one host inode number on two host filesystems, two ids.
c_fh_pair() {
	need_mount "$M" || return
	fh_run pair "$M/p1/file" "$M/p2/file" || { fh_why pair $?; return; }
	for _f in p1/file p2/file; do
		grep -q "^ok fid $M/$_f type=$FH_FIDTYPE " /tmp/fh.out && continue
		why "want $_f's id of type $FH_FIDTYPE: $(tr '\n' ';' </tmp/fh.out)"
		return 1
	done
}

c_fh_noopen() {
	need_mount "$M" || return
	fh_run noopen "$M" "$M/scratch/fh-noopen-$1-$KV-$NLX_SERVER" ||
		fh_why noopen $?
}

c_fh_fanotify() {
	need_mount "$M" && fh_scratch "fh-fan-$1-$FH_CLIENT" || return
	fh_run fanotify inode "$M" "$_f" || fh_why fanotify $?
}

c_fh_fanotify_refused() {
	need_mount "$M" && fh_scratch "fh-fan-$1-$FH_CLIENT" || return
	if [ "$1" = inode ]; then
		_what=$_f
	else
		_what=$M
	fi
	fh_refused fanotify_mark "$_what" 95 EOPNOTSUPP fanotify "$1" "$M" "$_f"
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
	check handle-refused c_fh_handle_refused
	if [ -n "$FH_FIDTYPE" ]; then
		check fid c_fh_fid
		[ "$FH_VERSION" != 9p2000.Lx ] || check fid-pair c_fh_pair
		check fid-noopen c_fh_noopen "$_c"
		check fanotify-inode c_fh_fanotify "$_c"
	else
		check fid-refused c_fh_fid_refused
		check fanotify-inode-refused c_fh_fanotify_refused inode
	fi
	check fanotify-mount-refused c_fh_fanotify_refused mount
	check fanotify-fs-refused c_fh_fanotify_refused filesystem
	if [ "$FH_VERSION" = 9p2000.Lx ]; then
		check landlock c_ll_sandbox "$M" "cache=$_c"
		check inotify c_ll_inotify "$M" "fh-inotify-$KV-$NLX_SERVER-$_c"
	elif [ "$_c" = none ]; then
		check landlock-lost c_ll_sandbox_lost
		check inotify-lost c_ll_inotify_lost
	fi
	check umount c_umount "$M"
	umount_if "$M"
done
PFX=${PFX%%/*}/
if [ "$FH_CLIENT" = 9plx ] && mod_loaded 9plx; then
	rmmod 9plx 2>/tmp/e || fail rmmod "rmmod 9plx: $(cat /tmp/e)"
fi
