# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# A share made of real host filesystems whose inode numbers meet, for
# the phases "realfs" and "realfsref" (guest/realfs.sh).  Sourced by
# tests/vm/run, which builds it once per run under its temporary
# directory, exports it as a third virtio-9p device (tag real9) to the
# boots with those phases, and checks on the host after the boots where
# each write of the guests landed.
#
# Layout of REAL (a tmpfs of its own):
#   btrfs/            a btrfs image; subvolumes sv1, sv2 and snap1 (a
#                     snapshot of sv1 taken once the files are in): all
#                     three roots are inode 256, each file has the same
#                     inode number in all three
#   ext4/             an ext4 image, root inode 2
#   xfs/              an xfs image, root inode 128
#   rep-SLOT          a file per slot on REAL's own tmpfs (guest/realfs.sh
#                     replaces it through a second mount)
#   overlay/          overlayfs (xino=off): its lower layer an ext4 image
#                     made like ext4/, its upper layer on a tmpfs; the
#                     root is the upper directory, inode 2
# Nine host devices.  Each slot (one per boot and cache mode) is a file
# of that name in sv1, sv2, ext4, xfs and the lower layer, made in the
# same order everywhere, after as many filler files in ext4 and the
# lower layer as make their inode numbers those of xfs: so a slot's
# file has one inode number in btrfs (sv1, sv2, snap1) and another in
# ext4, overlay and xfs.  A file holds its own path at first.
#
# Manifest (under OUT, /manifest in the guest):
#   realfs.pairs      "slot index held target": for each slot, every two
#                     of its files with one inode number and two devices;
#                     the guest holds the first open and appends
#                     "w<index> <target>" to the second by path
#   realfs.dirs       "a b": directories with one inode number on two
#                     devices; realfs.ls.<a or b, / as _> their listings
#   realfs.devs       the number of host devices, realfs.ids the
#                     "dev ino" of every file and directory, for the
#                     9P2000.Lx checks

REALFS_DIRS="btrfs btrfs/sv1 btrfs/sv2 btrfs/snap1 ext4 xfs overlay"

# realfs_create RUN SLOT...: build RUN/real; images and mount points in
# RUN/realfs.d.  Fails (after undoing what it did) if a tool is missing.
realfs_create() {
	local run=$1 r=$1/real d=$1/realfs.d s i x n
	shift
	mkdir -p "$r" "$d/lower" "$d/up"
	mount -t tmpfs -o size=8m,mode=0755 nlx-real "$r" || return 1
	mkdir "$r/btrfs" "$r/ext4" "$r/xfs" "$r/overlay"
	if ! { truncate -s 128M "$d/btrfs.img" &&
		mkfs.btrfs -q "$d/btrfs.img" >/dev/null 2>&1 &&
		truncate -s 16M "$d/ext4.img" "$d/lower.img" &&
		mkfs.ext4 -q -F "$d/ext4.img" && mkfs.ext4 -q -F "$d/lower.img" &&
		# mkfs.xfs refuses less than 300 MB; the file stays sparse.
		truncate -s 300M "$d/xfs.img" && mkfs.xfs -q "$d/xfs.img" &&
		mount -o loop "$d/btrfs.img" "$r/btrfs" &&
		mount -o loop "$d/ext4.img" "$r/ext4" &&
		mount -o loop "$d/xfs.img" "$r/xfs" &&
		mount -o loop "$d/lower.img" "$d/lower" &&
		mount -t tmpfs -o size=8m,mode=0755 nlx-realup "$d/up" &&
		btrfs -q subvolume create "$r/btrfs/sv1" >/dev/null &&
		btrfs -q subvolume create "$r/btrfs/sv2" >/dev/null; }; then
		realfs_destroy "$run"
		return 1
	fi
	# The xfs files first: their inode numbers are the ones to meet.
	for s in "$@"; do
		printf 'xfs/%s\n' "$s" >"$r/xfs/$s"
	done
	x=$(stat -c %i "$r/xfs/$1")
	for i in "$r/ext4" "$d/lower"; do
		n=0
		while [ "$n" -lt 4000 ]; do
			: >"$i/.fill$n"
			[ "$(stat -c %i "$i/.fill$n")" -lt $((x - 1)) ] || break
			n=$((n + 1))
		done
	done
	for s in "$@"; do
		for i in btrfs/sv1 btrfs/sv2 ext4; do
			printf '%s/%s\n' "$i" "$s" >"$r/$i/$s"
		done
		printf 'overlay/%s\n' "$s" >"$d/lower/$s"
	done
	for s in "$@"; do
		printf 'old contents of rep-%s\n' "$s" >"$r/rep-$s"
	done
	: >"$r/ext4/lost+found/mark-ext4"
	: >"$d/lower/lost+found/mark-overlay"
	mkdir "$d/up/upper" "$d/up/work"
	if ! { btrfs -q subvolume snapshot "$r/btrfs/sv1" "$r/btrfs/snap1" >/dev/null &&
		mount -t overlay -o "lowerdir=$d/lower,upperdir=$d/up/upper,workdir=$d/up/work,xino=off" \
			nlx-realov "$r/overlay"; }; then
		realfs_destroy "$run"
		return 1
	fi
	chmod 0777 "$r"
}

# realfs_destroy RUN: undo realfs_create; quiet if partly done.  The
# loop devices go with their mounts (mount -o loop sets autoclear).
realfs_destroy() {
	local run=$1 r=$1/real d=$1/realfs.d m
	for m in "$r/overlay" "$r/btrfs" "$r/ext4" "$r/xfs" "$r" \
		"$d/lower" "$d/up"; do
		if mountpoint -q "$m" 2>/dev/null; then
			umount "$m" || umount -l "$m" || true
		fi
	done
	rm -rf "$d"
}

# realfs_files SLOT: the slot's files, in pair order.
realfs_files() {
	local i
	for i in btrfs/sv1 btrfs/sv2 btrfs/snap1 ext4 xfs overlay; do
		printf '%s/%s\n' "$i" "$1"
	done
}

# realfs_manifest RUN OUT SLOT...: the manifest files above, and the
# files' first contents under RUN/realfs.init (host only).
realfs_manifest() {
	local run=$1 r=$1/real o=$2 s f a b k=0 p
	shift 2
	: >"$o/realfs.pairs"
	: >"$o/realfs.dirs"
	mkdir -p "$run/realfs.init"
	for s in "$@"; do
		k=0
		mapfile -t f < <(realfs_files "$s")
		for a in "${!f[@]}"; do
			cp "$r/${f[$a]}" "$run/realfs.init/${f[$a]//\//_}"
			for ((b = a + 1; b < ${#f[@]}; b++)); do
				[ "$(stat -c %i "$r/${f[$a]}")" = "$(stat -c %i "$r/${f[$b]}")" ] || continue
				[ "$(stat -c %d "$r/${f[$a]}")" != "$(stat -c %d "$r/${f[$b]}")" ] || continue
				printf '%s %s %s %s\n' "$s" "$k" "${f[$a]}" "${f[$b]}" >>"$o/realfs.pairs"
				k=$((k + 1))
			done
		done
	done
	# shellcheck disable=SC2086 # fixed names
	set -- . $REALFS_DIRS
	for a in "$@"; do
		for b in "$@"; do
			[[ "$a" < "$b" ]] || continue
			[ "$(stat -c %i "$r/$a")" = "$(stat -c %i "$r/$b")" ] || continue
			printf '%s %s\n' "$a" "$b" >>"$o/realfs.dirs"
		done
	done
	for p in . $REALFS_DIRS ext4/lost+found overlay/lost+found; do
		share_list "$r/$p" >"$o/realfs.ls.${p//\//_}"
	done
	(cd "$r" && find . -printf '%D %i\n') | sort -u >"$o/realfs.ids"
	(cd "$r" && find . -printf '%D\n') | sort -u | wc -l >"$o/realfs.devs"
}

# realfs_verify RUN MANIFEST SLOT: what the guest's writes of SLOT did,
# on the host.  Prints "PASS|FAIL NAME WHY" lines: NAME "writes" (each
# append is in its target and nowhere else), "contents" (every file of
# the slot holds its first contents and the appends made to it, in
# order, and nothing else: no NUL byte, no append that was not its).
realfs_verify() {
	local run=$1 r=$1/real m=$2 s=$3 k a b f where n=0 bad=0
	local why="" others="" nul="" e=$1/realfs.exp
	mkdir -p "$e"
	while read -r f; do
		cp "$run/realfs.init/${f//\//_}" "$e/${f//\//_}"
	done < <(realfs_files "$s")
	while read -r _ k a b; do
		n=$((n + 1))
		printf 'w%s %s\n' "$k" "$b" >>"$e/${b//\//_}"
		# shellcheck disable=SC2046 # paths without blanks
		where=$(cd "$r" && { grep -l -F -x "w$k $b" $(realfs_files "$s") || true; } |
			tr '\n' ' ')
		where=${where% }
		if [ "$where" != "$b" ]; then
			bad=$((bad + 1))
			why="$why w$k (held $a, written $b) went to: ${where:-nowhere};"
		fi
	done < <(awk -v s="$s" '$1 == s' "$m/realfs.pairs")
	if [ "$n" = 0 ]; then
		echo "FAIL writes no two files of slot $s have one inode number"
	elif [ "$bad" = 0 ]; then
		echo "PASS writes"
	else
		echo "FAIL writes $bad of $n writes misdirected:$why"
	fi
	while read -r f; do
		k=$(tr -cd '\0' <"$r/$f" | wc -c)
		[ "$k" = 0 ] || nul="$nul $f ($k)"
		cmp -s "$r/$f" "$e/${f//\//_}" || others="$others $f"
	done < <(realfs_files "$s")
	rm -rf "$e"
	if [ -z "$others" ]; then
		echo "PASS contents"
	else
		echo "FAIL contents files changed otherwise than by their own appends:$others${nul:+; NUL bytes in:$nul}"
	fi
}
