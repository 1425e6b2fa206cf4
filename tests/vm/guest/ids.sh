# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "ids": identity of files across many host filesystems, through
# 9plx (IDS_CLIENT unset) or, in phase "idsref", through the in-kernel
# client loaded by the "ref" phase.  What is expected follows from the
# dialect (Documentation/filesystems/9plx.rst, "Identity of files"):
#
#   9P2000.Lx (9plx, patched server): st_ino and d_ino are the host's
#   inode numbers; every host filesystem has an st_dev of its own, the
#   same for all its files; find -xdev and du -x stop at host
#   filesystem boundaries; only host hard links share (st_dev, st_ino).
#
#   9P2000.L (stock server, or the in-kernel client): every file
#   reports the superblock's device, so find -xdev and du -x see one
#   filesystem.  st_ino and d_ino are the qid path, which depends on
#   the server's multidevs= policy: QEMU 7.2 defaults to "warn" and
#   sends the host's inode numbers, so files of different host
#   filesystems with one inode number look like hard links of each
#   other; the patched QEMU (10.0) defaults to "remap" and folds the
#   device into the qid path, so inode numbers are not the host's but
#   are unique.  Contents read correctly either way (cache=none).
#
# The host's view is in /manifest/ids (p1, p2) and /manifest/many
# (many/mNN, see tests/vm/lib/share.sh).

IDS_CLIENT=${IDS_CLIENT:-9plx}
M=/mnt/ids
if [ "$IDS_CLIENT" = stock ]; then
	IDS_OPTS=trans=virtio,version=9p2000.L
	IDS_VERSION=9p2000.L
elif [ "$IDS_CLIENT" = upstream ]; then
	# The in-kernel client with the 9P2000.Lx series (phase upids).
	IDS_OPTS=trans=virtio,version=9p2000.Lx
	IDS_VERSION=9p2000.L
	[ "$NLX_SERVER" != patched ] || IDS_VERSION=9p2000.Lx
elif [ "$NLX_SERVER" = patched ]; then
	IDS_OPTS=trans=virtio
	IDS_VERSION=9p2000.Lx
else
	IDS_OPTS=trans=virtio
	IDS_VERSION=9p2000.L
fi
IDS_MANY=$(wc -l </manifest/many)
# IDS_INO: host = st_ino is the host's inode number; remap = QEMU's
# multidevs=remap numbers (9P2000.L sessions with the patched QEMU).
if [ "$IDS_VERSION" = 9p2000.L ] && [ "$NLX_SERVER" = patched ]; then
	IDS_INO=remap
else
	IDS_INO=host
fi
# The in-kernel client (Debian's 6.12 and 6.1 alike) reports the qid
# path + 2 (QID2INO in fs/9p/v9fs_vfs.h); 9plx the qid path as it is,
# and so does the in-kernel client with the series in 9P2000.Lx sessions.
IDS_OFF=0
[ "$IDS_CLIENT" != stock ] || IDS_OFF=2
[ "$IDS_CLIENT/$IDS_VERSION" != upstream/9p2000.L ] || IDS_OFF=2

c_ids_mount() {
	if [ "$IDS_CLIENT" = 9plx ]; then
		mod_loaded 9plx || modload 9plx || return 1
	elif ! fs_registered 9p; then
		modload 9pnet_virtio && modload 9p || return 1
	fi
	try_mount 9p "$IDS_OPTS" "$TAG" "$M" || {
		why "mount -o $IDS_OPTS: $(cat /tmp/mount.err)"
		return 1
	}
	# The in-kernel client shows no version= for its default 9P2000.L.
	case $IDS_CLIENT/$IDS_VERSION in
	stock/* | upstream/9p2000.L) ;;
	*) c_version "$M" "$IDS_VERSION" ;;
	esac
}

# d_ino from getdents64 of p1, p2 and their dir/ is the qid path: the
# host's inode number (IDS_INO=host), or else the entry's st_ino.
c_dino() {
	need_mount "$M" || return
	_n=0
	for _d in p1 p2 p1/dir p2/dir; do
		nlxprobe dino "$M/$_d" >/tmp/dino.out 2>&1 || {
			why "nlxprobe dino $_d: $(tail -n 1 /tmp/dino.out)"; return 1; }
		_want=$(awk -F'\t' -v d="$_d" 'index($1, d "/") == 1 &&
			substr($1, length(d) + 2) !~ /\//' /manifest/ids | wc -l)
		_got=$(grep -cv '^\.\.*	' /tmp/dino.out)
		[ "$_got" = "$_want" ] || {
			why "$_d: getdents64 gave $_got entries besides . and .., host has $_want"; return 1; }
		# (Not _name: check() keeps the check's name there.)
		while IFS="	" read -r _dn _di; do
			case $_dn in . | ..) continue ;; esac
			if [ "$IDS_INO" = host ]; then
				_h=$(awk -F'\t' -v p="$_d/$_dn" -v o="$IDS_OFF" '$1 == p { split($2, a, " "); print a[3] + o }' /manifest/ids)
			else
				_h=$(stat -c %i "$M/$_d/$_dn" 2>&1)
			fi
			[ "$_di" = "$_h" ] || {
				why "$_d/$_dn: d_ino $_di, $IDS_INO inode ${_h:-<not on the host>}"; return 1; }
			_n=$((_n + 1))
		done </tmp/dino.out
	done
	echo "nlx: dino: $_n entries match the host's inode numbers"
}

# many/mNN: contents, st_ino, and st_dev as the dialect says.
c_many_dev() {
	need_mount "$M" || return
	_sb=$(stat -c %d "$M")
	_md=$(stat -c %d "$M/many")
	[ "$_md" = "$_sb" ] || { why "many/ (share root filesystem) has st_dev $_md, the mount $_sb"; return 1; }
	: >/tmp/many.devs
	: >/tmp/many.inos
	while read -r _n _rd _ri _fd _fi; do
		_r=$(stat -c '%d %i' "$M/many/$_n" 2>&1) || { why "stat many/$_n: $_r"; return 1; }
		_f=$(stat -c '%d %i' "$M/many/$_n/file" 2>&1) || { why "stat many/$_n/file: $_f"; return 1; }
		_c=$(cat "$M/many/$_n/file" 2>&1)
		[ "$_c" = "many $_n" ] || { why "many/$_n/file reads '$_c'"; return 1; }
		if [ "$IDS_INO" = host ] && { [ "${_r#* }" != $((_ri + IDS_OFF)) ] ||
			[ "${_f#* }" != $((_fi + IDS_OFF)) ]; }; then
			why "many/$_n: st_ino root ${_r#* } file ${_f#* }, host $_ri $_fi (+$IDS_OFF)"
			return 1
		fi
		[ "${_r% *}" = "${_f% *}" ] || {
			why "many/$_n: st_dev root ${_r% *}, file ${_f% *}: one host filesystem, two devices"; return 1; }
		echo "${_f% *}" >>/tmp/many.devs
		echo "${_f#* }" >>/tmp/many.inos
	done </manifest/many
	_distinct=$(sort -u /tmp/many.devs | wc -l)
	_inos=$(sort -u /tmp/many.inos | wc -l)
	# remap: the colliding host inodes must come out distinct.
	if [ "$IDS_INO" = remap ] && [ "$_inos" != "$IDS_MANY" ]; then
		why "multidevs=remap: $_inos distinct st_ino for $IDS_MANY files"
		return 1
	fi
	if [ "$IDS_VERSION" = 9p2000.Lx ]; then
		[ "$_distinct" = "$IDS_MANY" ] || {
			why "$IDS_MANY host filesystems, $_distinct distinct st_dev"; return 1; }
		grep -qx "$_sb" /tmp/many.devs && {
			why "a many/mNN filesystem reports the superblock's device $_sb"; return 1; }
	else
		[ "$(sort -u /tmp/many.devs)" = "$_sb" ] || {
			why "9P2000.L: want every file on the superblock's device $_sb, got $_distinct devices: $(sort -u /tmp/many.devs | head -n 3 | tr '\n' ' ')"
			return 1
		}
	fi
	echo "nlx: many: $IDS_MANY filesystems, $_distinct distinct st_dev, $_inos distinct st_ino ($IDS_VERSION, $IDS_INO)"
}

# Entries below many/ that a one-filesystem walk must report: many/
# and many/here, and every mNN; in 9P2000.L also every mNN/file.  find
# names a mount point but does not enter it; du -x leaves it out.
xdev_want() {
	if [ "$IDS_VERSION" = 9p2000.Lx ]; then
		echo $((2 + ${1:-0} * IDS_MANY))
	else
		echo $((2 + 2 * IDS_MANY))
	fi
}

c_find_xdev() {
	need_mount "$M" || return
	timeout 120 find "$M/many" -xdev >/tmp/find.out 2>/tmp/find.err || {
		why "find -xdev: $(head -n 1 /tmp/find.err)"; return 1; }
	_got=$(wc -l </tmp/find.out) _want=$(xdev_want 1)
	echo "nlx: find -xdev many: $_got entries"
	if [ "$IDS_VERSION" = 9p2000.Lx ] && grep -q '/many/m[0-9]*/' /tmp/find.out; then
		why "find -xdev went into a host filesystem below many/: $(grep '/many/m[0-9]*/' /tmp/find.out | head -n 2 | tr '\n' ' ')"
		return 1
	fi
	[ "$_got" = "$_want" ] && return 0
	why "find $M/many -xdev: $_got entries, want $_want ($IDS_VERSION): $(head -n 4 /tmp/find.out | tr '\n' ' ')"
	return 1
}

# du -x -a: as find, but without the mount points in 9P2000.Lx.  With
# host inode numbers in 9P2000.L every mNN root is one (st_dev, st_ino),
# which du counts once: it lists the first mNN it meets and its file,
# and nothing of the 63 others.
c_du_x() {
	need_mount "$M" || return
	timeout 120 du -x -a "$M/many" >/tmp/du.out 2>/tmp/du.err || {
		why "du -x: $(head -n 1 /tmp/du.err)"; return 1; }
	_got=$(wc -l </tmp/du.out) _want=$(xdev_want)
	[ "$IDS_VERSION/$IDS_INO" != 9p2000.L/host ] || _want=4
	echo "nlx: du -x -a many: $_got entries"
	[ "$_got" = "$_want" ] && return 0
	why "du -x -a $M/many: $_got entries, want $_want ($IDS_VERSION): $(head -n 4 /tmp/du.out | tr '\n' ' ')"
	return 1
}

# Hard-link detection as cp -a, tar and rsync -H do it: group the
# non-directories of p1 and p2 by (st_dev, st_ino).  The host's groups,
# by (dev, ino) in 9P2000.Lx and with multidevs=remap, by ino alone in
# 9P2000.L with host inode numbers (one device), are what the guest
# must find.
c_links() {
	need_mount "$M" || return
	nlxprobe links "$M/p1" "$M/p2" >/tmp/links.out 2>&1 || {
		why "nlxprobe links: $(tail -n 1 /tmp/links.out)"; return 1; }
	grep -v '^files ' /tmp/links.out | while read -r _dev _ino _nl _paths; do
		# shellcheck disable=SC2086 # paths: no blanks in p1, p2
		printf '%s\n' $_paths | sed "s|^$M/||" | LC_ALL=C sort | tr '\n' ' '
		echo
	done | LC_ALL=C sort >/tmp/links.got
	_bydev=0
	[ "$IDS_VERSION" = 9p2000.L ] && [ "$IDS_INO" = host ] || _bydev=1
	awk -F'\t' -v bydev="$_bydev" '{
		split($2, a, " ")
		if (a[1] == "d") next
		k = bydev ? a[2] " " a[3] : a[3]
		g[k] = g[k] " " $1; n[k]++
	} END { for (k in g) if (n[k] > 1) print g[k] }' /manifest/ids |
		while read -r _paths; do
			# shellcheck disable=SC2086
			printf '%s\n' $_paths | LC_ALL=C sort | tr '\n' ' '
			echo
		done | LC_ALL=C sort >/tmp/links.want
	_files=$(sed -n 's/^files //p' /tmp/links.out)
	_wfiles=$(awk -F'\t' '$2 !~ /^d/' /manifest/ids | wc -l)
	echo "nlx: links: $_files files, groups: $(tr '\n' ';' </tmp/links.got)"
	[ "$_files" = "$_wfiles" ] || { why "walked $_files files, host has $_wfiles"; return 1; }
	cmp -s /tmp/links.got /tmp/links.want && return 0
	why "hard-link groups ($IDS_VERSION) differ: got $(tr '\n' ';' </tmp/links.got) want $(tr '\n' ';' </tmp/links.want)"
	return 1
}

check mount c_ids_mount
check dino c_dino
check many-dev c_many_dev
check many-find-xdev c_find_xdev
check many-du-x c_du_x
check links c_links
check umount c_umount "$M"
umount_if "$M"
if [ "$IDS_CLIENT" = 9plx ] && mod_loaded 9plx; then
	rmmod 9plx 2>/tmp/e || fail rmmod "rmmod 9plx: $(cat /tmp/e)"
fi
