# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# KNOWN is read by check() in lib.sh.
# shellcheck disable=SC2034
#
# Phase "realfs": a share of real host filesystems whose inode numbers
# meet (btrfs subvolumes and a snapshot, ext4, xfs, an overlay; tag
# real9, see tests/vm/lib/realfs.sh), through 9plx or, in phase
# "realfsref", through the in-kernel client loaded by the "ref" phase.
# For cache=loose and cache=none, each with a slot of files of its own:
#
#   dirs-CACHE: directories with one host inode number (the btrfs roots,
#   ext4/ and overlay/) list as on the host, each, in turn and again,
#   and so do ext4/lost+found and overlay/lost+found.
#   writes-CACHE: for every two files of the slot with one inode number
#   on two host devices, the first held open for reading and writing
#   (and read), "w<index> <second>" is appended to the second by path.
#   The host then checks where each append landed (tests/vm/run:
#   realfs-CACHE/host-writes and host-contents).
#   replaced-CACHE: rep-<slot>, a file on the share's own tmpfs, is read
#   through the mount, then replaced by a new file through a second
#   mount (tag realb9, cache=none); an append through the first mount
#   must land after the new file's contents, and the first mount must
#   then read what the second does.
#   ids-CACHE: 9P2000.Lx only: every file and directory has a (st_dev,
#   st_ino) of its own, and there are as many devices as on the host.
#
# In 9P2000.L nothing in a qid tells the host filesystems apart: what
# 9plx does then is in Documentation/filesystems/9plx.rst ("Identity of
# files").  What the in-kernel client gets wrong is reported as SKIP
# with what it did.

RF_CLIENT=${RF_CLIENT:-9plx}
RF=/mnt/real
RF_ID=$(cmdline_arg nlx.realfs)
if [ "$RF_CLIENT" = stock ]; then
	RF_OPTS=trans=virtio,version=9p2000.L
	RF_VERSION=9p2000.L
else
	RF_OPTS=trans=virtio
	RF_VERSION=9p2000.L
	[ "$NLX_SERVER" != patched ] || RF_VERSION=9p2000.Lx
fi

rf_mount() {
	if [ "$RF_CLIENT" = stock ]; then
		fs_registered 9p || { modload 9pnet_virtio && modload 9p; } || return 1
	else
		mod_loaded 9plx || modload 9plx || return 1
	fi
	try_mount 9p "$RF_OPTS,cache=$1" "${2:-real9}" "${3:-$RF}" && return 0
	why "mount ${2:-real9} cache=$1: $(cat /tmp/mount.err)"
	return 1
}

# rf_list DIR: DIR lists as the host's realfs.ls.* says.
rf_list() {
	_l=/manifest/realfs.ls.$(echo "$1" | tr / _)
	cmp_list "$RF/$1" "$_l" && return 0
	echo "$1: $(cat "$WHY")" >>/tmp/rf.why
	return 1
}

# c_rf_dirs CACHE
c_rf_dirs() {
	rf_mount "$1" || return 1
	: >/tmp/rf.why
	_bad=0
	# shellcheck disable=SC2094 # read from the manifest, not written
	while read -r _a _b; do
		for _d in "$_a" "$_b" "$_a"; do
			rf_list "$_d" || _bad=$((_bad + 1))
		done
	done </manifest/realfs.dirs
	for _d in ext4/lost+found overlay/lost+found ext4/lost+found; do
		rf_list "$_d" || _bad=$((_bad + 1))
	done
	umount_if "$RF"
	[ "$_bad" = 0 ] && return 0
	why "$_bad listings differ from the host's: $(head -c 250 /tmp/rf.why)"
	return 1
}

# c_rf_writes CACHE: the appends; the host checks where they went.
c_rf_writes() {
	_slot=$RF_ID-$1
	grep -q "^$_slot " /manifest/realfs.pairs || {
		why "no pairs for slot $_slot in /manifest/realfs.pairs"
		return 1
	}
	rf_mount "$1" || return 1
	: >/tmp/rf.err
	_bad=0
	while read -r _s _k _a _b; do
		[ "$_s" = "$_slot" ] || continue
		# In a subshell: a failed redirection of exec ends the shell.
		(
			exec 8<>"$RF/$_a" || exit 1
			cat <&8 >/dev/null || exit 1
			printf 'w%s %s\n' "$_k" "$_b" >>"$RF/$_b" || exit 1
			exec 8<&-
		) 2>>/tmp/rf.err || _bad=$((_bad + 1))
	done </manifest/realfs.pairs
	sync
	timeout 60 umount "$RF" || { umount_if "$RF"; why "umount"; return 1; }
	[ "$_bad" = 0 ] && return 0
	why "$_bad appends failed: $(head -c 250 /tmp/rf.err)"
	return 1
}

# c_rf_replaced CACHE
c_rf_replaced() {
	_f=rep-$RF_ID-$1
	rf_mount "$1" || return 1
	rf_mount none realb9 /mnt/realb || { umount_if "$RF"; return 1; }
	_old=$(cat "$RF/$_f")
	rm "/mnt/realb/$_f" && printf 'new\n' >"/mnt/realb/$_f"
	printf 'appended\n' >>"$RF/$_f" 2>/tmp/rf.err
	_rc=$?
	sync
	_b=$(tr '\0' @ <"/mnt/realb/$_f")
	_a=$(tr '\0' @ <"$RF/$_f")
	umount_if "$RF"
	umount_if /mnt/realb
	_want=$(printf 'new\nappended')
	[ "$_old" = "old contents of $_f" ] || { why "first read '$_old'"; return 1; }
	[ "$_rc" = 0 ] || { why "append: $(cat /tmp/rf.err)"; return 1; }
	[ "$_b" = "$_want" ] || { why "the server has '$(echo "$_b" | tr '\n' '|')', want 'new|appended'"; return 1; }
	[ "$_a" = "$_want" ] && return 0
	why "the first mount reads '$(echo "$_a" | tr '\n' '|')', the server 'new|appended'"
	return 1
}

# c_rf_ids CACHE: 9P2000.Lx sessions only.
c_rf_ids() {
	if [ "$RF_VERSION" != 9p2000.Lx ]; then
		why "$RF_VERSION has no host device in its qids"
		return 77
	fi
	rf_mount "$1" || return 1
	find "$RF" | while read -r _p; do
		stat -c '%d %i' "$_p"
	done >/tmp/rf.ids
	umount_if "$RF"
	_n=$(wc -l </tmp/rf.ids)
	_u=$(sort -u /tmp/rf.ids | wc -l)
	_d=$(cut -d' ' -f1 /tmp/rf.ids | sort -u | wc -l)
	_hd=$(cat /manifest/realfs.devs)
	# Copies up in the overlay (appends of other boots) add the
	# upper layer's device: at least as many as the host had.
	[ "$_u" = "$_n" ] && [ "$_d" -ge "$_hd" ] && return 0
	why "$_u distinct (st_dev, st_ino) for $_n paths, $_d devices (host $_hd)"
	return 1
}

c_rf_none() {
	why "no nlx.realfs= or no /manifest/realfs.pairs: tests/vm/run made no real share"
	return 1
}

if [ -z "$RF_ID" ] || ! [ -f /manifest/realfs.pairs ]; then
	check "share" c_rf_none
else
	for _c in loose none; do
		[ "$RF_CLIENT" != stock ] ||
			KNOWN="reference: the in-kernel client in 9P2000.L"
		check "dirs-$_c" c_rf_dirs "$_c"
		KNOWN=""
		check "writes-$_c" c_rf_writes "$_c"
		[ "$RF_CLIENT" != stock ] ||
			KNOWN="reference: the in-kernel client in 9P2000.L"
		check "replaced-$_c" c_rf_replaced "$_c"
		KNOWN=""
		check "ids-$_c" c_rf_ids "$_c"
	done
fi
