# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Build the directory tree that the guests see through virtfs, and the
# manifest that tells the guest what it should see.  Sourced by
# tests/vm/run and tools/demo.
#
# Layout (SHARE is itself a tmpfs so that statfs and inode numbers are
# deterministic, whatever the host's /tmp is):
#   SHARE/hello.txt
#   SHARE/data/file        small file
#   SHARE/data/link        symlink -> file
#   SHARE/data/big.bin     5.4 MB, every line distinct (catches offset bugs)
#   SHARE/data/bigdir/     2000 entries, names of 1..~190 bytes
#   SHARE/p1/              tmpfs (64 MiB)
#   SHARE/p2/              tmpfs (48 MiB), populated in the same order
#   SHARE/pN/file, SHARE/pN/link -> file, SHARE/pN/dir/{a,b,c}
#   SHARE/scratch/         read-write scratch, one subdirectory per boot
#   SHARE/aclscratch/      the same for the ACL phases, exported as a
#                          second device (security_model=passthrough)
#   SHARE/many/here        on the share's own tmpfs
#   SHARE/many/mNN/        SHARE_MANY tmpfs instances (m00..m63), each
#                          with one file, "file", created the same way
#   SHARE/stress/          tmpfs (1 GiB limit, used only as written),
#                          scratch for stress-ng (guest/ops.sh)
#   SHARE/alias/t1, t2     directories of two more tmpfs instances (bind
#                          mounts of SHARE.alias1/base, SHARE.alias2/base):
#                          t1 is inode 2, t2 inode 3 and holds d04..d40,
#                          inodes 4..40, the numbers new directories in t1
#                          get (guest/seeds.sh)
# data/ lives on one device and carries the single-device checks.  p1
# and p2 are fresh tmpfs instances filled identically, so p1/file and
# p2/file have the same inode number on the host (and p1, p2 and SHARE
# itself are all inode 1): the collisions that 9P2000.Lx qids (device +
# inode) exist to resolve, kept apart from the single-device checks.

SHARE_FILE_CONTENT='9plx test file: same name, same inode, different filesystem'
SHARE_BIGDIR_N=2000
SHARE_MANY=64
# Kernels whose boots get seed files in p1 and p2 (guest/seeds.sh); empty
# for a share without them (tools/demo).
SHARE_SEEDS=${SHARE_SEEDS-6.12 6.1 7.3}

# share_fill_data DIR: the single-device test data.
share_fill_data() {
	local d=$1 i n pad
	mkdir "$d"
	printf '%s\n' "$SHARE_FILE_CONTENT" >"$d/file"
	ln -s file "$d/link"
	seq -f 'line %09g of the 9plx big file' 1 150000 >"$d/big.bin"
	mkdir "$d/bigdir"
	# A few awkward names, then numbered ones of growing length so that
	# readdir replies pack a varying number of entries per message.
	: >"$d/bigdir/with space"
	: >"$d/bigdir/$(printf 'caf\303\251-\303\274nic\303\266de')"
	: >"$d/bigdir/-leading-dash"
	: >"$d/bigdir/.hidden"
	pad=$(printf '%0200d' 0)
	for ((i = 1; i <= SHARE_BIGDIR_N - 4; i++)); do
		n=$(printf 'e%05d-' "$i")${pad:0:$((i % 185))}
		: >"$d/bigdir/$n"
	done
	# Fixed timestamps; any value works, these are easy to recognise.
	touch -h -d '2024-02-29 12:34:56' "$d/link"
	touch -d '2023-01-02 03:04:05' "$d/file"
}

# share_fill_dev DIR: one of the pN tmpfs instances.  The order of
# creation fixes the inode numbers; keep it identical for p1 and p2.
share_fill_dev() {
	local d=$1
	printf '%s\n' "$SHARE_FILE_CONTENT" >"$d/file"
	ln -s file "$d/link"
	mkdir "$d/dir"
	: >"$d/dir/a"
	: >"$d/dir/b"
	: >"$d/dir/c"
	touch -d '2023-01-02 03:04:05' "$d/file"
	# The seeds' case (guest/seeds.sh): one file per boot and cache mode,
	# so concurrent boots never write the same one ("up": the in-kernel
	# client with the 9P2000.Lx series, guest/upseeds.sh).  Created in the
	# same order in p1 and p2, so each name has one inode number in both.
	local k sv c
	# shellcheck disable=SC2086 # a list of kernels
	for k in $SHARE_SEEDS; do
		for sv in stock patched upstock uppatched; do
			for c in loose none; do
				printf 'seed original\n' >"$d/seed-$k-$sv-$c"
				# One mtime in p1 and p2: QEMU's qid.version
				# is built from it, so the qids of p1's and
				# p2's file are equal, not only their paths.
				touch -d '2023-01-02 03:04:05' "$d/seed-$k-$sv-$c"
			done
		done
	done
	# A hard link, to be seen as one file (dev, ino) in the guest.
	ln "$d/file" "$d/hardlink"
}

# share_create SHARE: mount the three tmpfs instances and fill them.
share_create() {
	local s=$1
	mkdir -p "$s"
	mount -t tmpfs -o size=96m,mode=0755 nlx-share "$s"
	printf 'hello from the 9plx VM test share\n' >"$s/hello.txt"
	share_fill_data "$s/data"
	# Scratch space for the read-write phase, one subdirectory per boot,
	# so writes never show in what the read-only checks compare.
	mkdir -m 0777 "$s/scratch"
	# Exported on its own with security_model=passthrough, for ACLs.
	mkdir -m 0777 "$s/aclscratch"
	mkdir "$s/p1" "$s/p2"
	mount -t tmpfs -o size=64m,mode=0755 nlx-p1 "$s/p1"
	mount -t tmpfs -o size=48m,mode=0755 nlx-p2 "$s/p2"
	share_fill_dev "$s/p1"
	share_fill_dev "$s/p2"
	# Many host filesystems, one file each: every mNN/file has the same
	# host inode number (and every mNN root is inode 1).
	local i n
	mkdir "$s/many"
	printf 'on the share root\n' >"$s/many/here"
	for ((i = 0; i < SHARE_MANY; i++)); do
		n=$(printf 'm%02d' "$i")
		mkdir "$s/many/$n"
		mount -t tmpfs -o size=1m,nr_inodes=16,mode=0755 "nlx-$n" "$s/many/$n"
		printf 'many %s\n' "$n" >"$s/many/$n/file"
	done
	# stress-ng's copy-file wants files of 128 MiB or more.
	mkdir "$s/stress"
	mount -t tmpfs -o size=1g,mode=0777 nlx-stress "$s/stress"
	share_alias "$s"
}

# share_alias SHARE: two host filesystems whose inode numbers meet where
# a guest makes directories: each new directory in alias/t1 gets the
# inode number of a directory in alias/t2.  Not tmpfs roots, which are
# all inode 1 (the share's own root among them), but directories below
# them, bound in.
share_alias() {
	local s=$1 i
	mkdir -p "$s/alias/t1" "$s/alias/t2" "$s.alias1" "$s.alias2"
	mount -t tmpfs -o size=1m,mode=0755 nlx-alias1 "$s.alias1"
	mount -t tmpfs -o size=1m,mode=0755 nlx-alias2 "$s.alias2"
	mkdir -m 0777 "$s.alias1/base"
	: >"$s.alias2/x"
	mkdir "$s.alias2/base"
	for ((i = 4; i <= 40; i++)); do
		mkdir "$(printf '%s/d%02d' "$s.alias2/base" "$i")"
	done
	mount --bind "$s.alias1/base" "$s/alias/t1"
	mount --bind "$s.alias2/base" "$s/alias/t2"
}

# share_destroy SHARE: undo share_create; quiet if partly done.
share_destroy() {
	local s=$1 m
	for m in "$s"/many/m[0-9][0-9] "$s/stress" "$s/p1" "$s/p2" \
		"$s/alias/t1" "$s/alias/t2" "$s.alias1" "$s.alias2" "$s"; do
		if mountpoint -q "$m" 2>/dev/null; then
			umount "$m" || umount -l "$m" || true
		fi
	done
	rmdir "$s" "$s.alias1" "$s.alias2" 2>/dev/null || true
}

# Same listing method as the guest's: names, raw bytes, byte order.
share_list() {
	(cd "$1" && for f in * .[!.]* ..?*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		printf '%s\n' "$f"
	done) | LC_ALL=C sort
}

# share_stat_lines SHARE PATH...: "path<TAB>mode uid gid size mtime".
share_stat_lines() {
	local s=$1 p
	shift
	for p in "$@"; do
		# mode in hex, lstat semantics, as busybox stat prints them.
		printf '%s\t%s\n' "$p" "$(stat -c '%f %u %g %s %Y' "$s/$p")"
	done
}

# share_manifest SHARE OUT: write what the guest must observe, as files
# under OUT (which becomes /manifest in the guest).
share_manifest() {
	local s=$1 o=$2 p
	mkdir -p "$o"
	share_list "$s" >"$o/root.list"
	share_list "$s/data/bigdir" >"$o/bigdir.list"
	share_list "$s/p1" >"$o/dev.list"
	share_list "$s/p2/dir" >"$o/dev.dir.list"
	printf '%s\n' "$SHARE_FILE_CONTENT" >"$o/file.content"
	readlink "$s/data/link" >"$o/link.target"
	share_stat_lines "$s" . hello.txt data data/file data/link \
		data/big.bin data/bigdir >"$o/stat"
	share_stat_lines "$s" p1 p2 p1/file p2/file p1/link p2/link \
		p1/dir p2/dir >"$o/dev.stat"
	: >"$o/md5"
	for p in hello.txt data/file data/big.bin; do
		printf '%s\t%s\n' "$p" \
			"$(md5sum <"$s/$p" | cut -d' ' -f1)" >>"$o/md5"
	done
	# Reads at unaligned offsets: "bs skip count md5" of dd slices.
	: >"$o/slices"
	for p in "4093 0 1" "4093 1 3" "1000 777 5" "65521 80 2" "131072 41 1"; do
		# shellcheck disable=SC2086 # three numbers
		set -- $p
		printf '%s %s %s %s\n' "$1" "$2" "$3" "$(dd if="$s/data/big.bin" \
			bs="$1" skip="$2" count="$3" status=none | md5sum | cut -d' ' -f1)" >>"$o/slices"
	done
	: >"$o/statfs"
	: >"$o/dev.statfs"
	for p in . data; do
		printf '%s\t%s\n' "$p" "$(stat -f -c '%S %b' "$s/$p")" >>"$o/statfs"
	done
	for p in p1 p2; do
		printf '%s\t%s\n' "$p" "$(stat -f -c '%S %b' "$s/$p")" >>"$o/dev.statfs"
	done
	# Host identities, for the Lx checks and for the logs.
	: >"$o/ident"
	for p in p1/file p2/file; do
		printf '%s\t%s\n' "$p" "$(stat -c '%d %i' "$s/$p")" >>"$o/ident"
	done
	# Every entry of p1, p2 and their dir/: "path<TAB>type dev ino", for
	# the d_ino and hard-link checks (none of them is a mount point, so
	# the host's d_ino is its st_ino).
	(cd "$s" && find p1 p2 -mindepth 1 -printf '%p\t%y %D %i\n') |
		LC_ALL=C sort >"$o/ids"
	# many/mNN: "name root-dev root-ino file-dev file-ino".
	: >"$o/many"
	for p in "$s"/many/m[0-9][0-9]; do
		printf '%s %s %s\n' "${p##*/}" "$(stat -c '%d %i' "$p")" \
			"$(stat -c '%d %i' "$p/file")" >>"$o/many"
	done
}
