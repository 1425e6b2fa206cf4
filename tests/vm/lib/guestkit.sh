# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Guest kernels, their modules and initramfs images, for tests/vm/run
# and tools/demo.  Needs: top (repo root), NINEPLX_CACHE.
: "${top:?guestkit.sh needs top, the repository root}"

# kit_versions: set K612, K61 and K73 from tools/setup, the one place
# where the guest kernel versions are pinned.
kit_versions() {
	local w
	K612="" K61="" K73=""
	for w in $("$top/tools/setup" --print-env); do
		case $w in
		K612=*) K612=${w#K612=} ;;
		K61=*) K61=${w#K61=} ;;
		K73=*) K73=${w#K73=} ;;
		esac
	done
	[ -n "$K612" ] && [ -n "$K61" ] && [ -n "$K73" ]
}

# Guest kernels are named by VER: a Debian kernel's version (its
# package unpacked by tools/setup under $NINEPLX_CACHE/kernels/VER), or
# debugk-<hash>, the debug kernel tests/vm/debugk-build keeps in
# $NINEPLX_CACHE/debugk-<hash>.

# kit_kernel_ok VER: is the guest kernel VER there?
kit_kernel_ok() {
	case $1 in
	debugk-*) [ -f "$NINEPLX_CACHE/$1/stamp" ] ;;
	*) [ -f "$NINEPLX_CACHE/kernels/$1/done" ] ;;
	esac && [ -f "$(kit_vmlinuz "$1")" ]
}

# Debian 12's kernels keep the kernel in /boot and the modules in
# /lib/modules; Debian 13's (linux-binary-<ver>) both in /usr/lib/modules.
kit_vmlinuz() {
	local r=$NINEPLX_CACHE/kernels/$1/root
	case $1 in
	debugk-*) echo "$NINEPLX_CACHE/$1/vmlinuz" ;;
	*)
		if [ -d "$r/usr/lib/modules/$1-amd64" ]; then
			echo "$r/usr/lib/modules/$1-amd64/vmlinuz"
		else
			echo "$r/boot/vmlinuz-$1-amd64"
		fi
		;;
	esac
}

kit_moddir() {
	local r=$NINEPLX_CACHE/kernels/$1/root
	case $1 in
	debugk-*) echo "$NINEPLX_CACHE/$1/root/lib/modules/$(cat "$NINEPLX_CACHE/$1/release")" ;;
	*)
		if [ -d "$r/usr/lib/modules/$1-amd64" ]; then
			echo "$r/usr/lib/modules/$1-amd64"
		else
			echo "$r/lib/modules/$1-amd64"
		fi
		;;
	esac
}

# kit_kdir VER: the tree 9plx.ko is built against for VER (that of a
# Debian 13 kernel is in the trixie build root, where make module-kver
# goes by itself).
kit_kdir() {
	case $1 in
	debugk-*) echo "$NINEPLX_CACHE/$1/src" ;;
	*) echo "/lib/modules/$1-amd64/build" ;;
	esac
}

# kit_kver VER: the name of VER's build directory (build/<name>/9plx.ko).
kit_kver() {
	case $1 in
	debugk-*) echo "$1" ;;
	*) echo "$1-amd64" ;;
	esac
}

# kit_short VER: 6.12.95+deb12 -> 6.12, the name used in test names;
# the debug kernel is 6.12-debug.
kit_short() {
	case $1 in
	debugk-*) echo 6.12-debug ;;
	*) echo "$1" | cut -d. -f1,2 ;;
	esac
}

# kit_stage_modules VER: decompress the stock modules the guest needs
# (and, recursively, what they depend on) into a per-kernel cache dir,
# one NAME.ko per module plus NAME.deps listing what to load first.
# Prints the cache dir.  The unpacked kernel tree is never modified (it
# has no modules.dep: dpkg-deb -x skips depmod), so dependencies come
# from each module's own "depends" field.
KIT_MOD_ROOTS="virtio_pci 9pnet_virtio 9pnet_fd 9p"

kit_stage_modules() {
	local ver=$1 out tmp moddir root
	# Keyed by the list of roots, so that adding one restages.
	out=$NINEPLX_CACHE/vm/mods/$ver-$(echo "$KIT_MOD_ROOTS" | sha256sum | cut -c1-8)
	if [ -f "$out/staged" ]; then
		echo "$out"
		return 0
	fi
	moddir=$(kit_moddir "$ver")
	# Staged in a private directory and renamed into place, so that
	# concurrent runs never see (or clobber) a half-filled one.
	mkdir -p "${out%/*}"
	tmp=$(mktemp -d "$out.XXXXXX")
	KIT_MODDIR=$moddir
	kit_index "$moddir"
	for root in $KIT_MOD_ROOTS; do
		kit_builtin "$moddir" "$root" && continue
		kit_deps_of "$root" "$tmp" >"$tmp/$root.deps" || {
			rm -rf "$tmp"
			return 1
		}
	done
	touch "$tmp/staged"
	if [ -f "$out/staged" ]; then
		rm -rf "$tmp" # another run got there first
	else
		rm -rf "$out"
		mv -T "$tmp" "$out"
	fi
	echo "$out"
}

# kit_index MODDIR: map module name -> file, names normalised to '_'.
kit_index() {
	local f b
	declare -gA KIT_IDX=()
	while IFS= read -r f; do
		b=${f##*/}
		b=${b%%.ko*}
		KIT_IDX[${b//-/_}]=$f
	done < <(find "$1/kernel" -name '*.ko*')
}

kit_builtin() {
	local n=${2//-/_}
	sed 's|.*/||; s|\.ko$||; s|-|_|g' "$1/modules.builtin" |
		grep -qx -- "$n"
}

# kit_deps_of NAME OUT: print NAME's dependencies, deepest first, one a
# line (NAME itself excluded), staging each into OUT as it goes.
kit_deps_of() {
	declare -gA KIT_SEEN=()
	KIT_ORDER=()
	kit_walk "$1" "$2" || return 1
	local n
	for n in "${KIT_ORDER[@]}"; do
		[ "$n" = "${1//-/_}" ] || echo "$n"
	done
}

# kit_deps_of_file KOFILE OUT: same, for a module that is not in the
# kernel tree (9plx.ko).
kit_deps_of_file() {
	local d
	declare -gA KIT_SEEN=()
	KIT_ORDER=()
	for d in $(modinfo -F depends "$1" | tr ',' ' '); do
		kit_walk "$d" "$2" || return 1
	done
	[ ${#KIT_ORDER[@]} -eq 0 ] || printf '%s\n' "${KIT_ORDER[@]}"
}

kit_walk() {
	local n=${1//-/_} out=$2 f d
	[ -n "${KIT_SEEN[$n]:-}" ] && return 0
	KIT_SEEN[$n]=1
	f=${KIT_IDX[$n]:-}
	if [ -z "$f" ]; then
		kit_builtin "$KIT_MODDIR" "$n" && return 0
		echo "guestkit: module $n not found for $KIT_MODDIR" >&2
		return 1
	fi
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do
		kit_walk "$d" "$out" || return 1
	done
	# busybox insmod cannot read compressed modules.
	case $f in
	*.ko.xz) xz -dc "$f" >"$out/$n.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$out/$n.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$out/$n.ko" ;;
	*) cp "$f" "$out/$n.ko" ;;
	esac
	KIT_ORDER+=("$n")
}

# kit_initramfs VER NINEPLX_KO|"" : build (or reuse) the cpio image with
# busybox, the guest scripts and the modules.  Prints its path.  The
# cache key covers every input, so a changed script or module makes a
# new image.
kit_initramfs() {
	local ver=$1 ko=$2 mods key img tree f probe fh ll hostile fz dt tt
	mods=$(kit_stage_modules "$ver") || return 1
	dt=$(kit_tool nlxdata) || return 1
	fz=$(kit_tool nlxfuzz) || return 1
	tt=$(kit_tool nlxtorture) || return 1
	probe=$(kit_nlxprobe) || return 1
	fh=$(kit_tool nlxfh) || return 1
	ll=$(kit_tool nlxlandlock) || return 1
	hostile=$(kit_hostile) || return 1
	key=$({
		echo "$ver"
		sha256sum /bin/busybox
		sha256sum <"$probe"
		sha256sum <"$fh"
		sha256sum <"$ll"
		sha256sum <"$hostile"
		sha256sum <"$fz"
		sha256sum <"$dt"
		sha256sum <"$tt"
		cat "$top"/tests/vm/guest/* "$top/tests/vm/lib/guestkit.sh"
		(cd "$mods" && sha256sum -- *)
		if [ -n "$ko" ]; then sha256sum <"$ko"; fi
	} | sha256sum | cut -c1-16)
	img=$NINEPLX_CACHE/vm/initrd/$ver-$key.cpio.gz
	# Found: touched, so that the pruning below, when this run makes
	# another image of the same kernel, takes older ones first.
	if [ -f "$img" ] && touch "$img"; then
		echo "$img"
		return 0
	fi
	mkdir -p "${img%/*}"
	tree=$(mktemp -d "${TMPDIR:-/tmp}/9plx-initrd.XXXXXX")
	mkdir -p "$tree"/{bin,dev,proc,sys,mnt,tmp,tests,mods,manifest}
	# mktemp made the root 0700; other users must get through it.
	chmod 755 "$tree"
	chmod 1777 "$tree/tmp"
	cp /bin/busybox "$tree/bin/busybox"
	ln -s busybox "$tree/bin/sh"
	cp "$probe" "$tree/bin/nlxprobe"
	cp "$fh" "$tree/bin/nlxfh"
	cp "$ll" "$tree/bin/nlxlandlock"
	cp "$hostile" "$tree/bin/hostile"
	cp "$fz" "$tree/bin/nlxfuzz"
	cp "$dt" "$tree/bin/nlxdata"
	cp "$tt" "$tree/bin/nlxtorture"
	cp "$top/tests/vm/guest/init" "$tree/init"
	chmod 755 "$tree/init"
	for f in "$top"/tests/vm/guest/*.sh; do
		cp "$f" "$tree/tests/"
	done
	cp "$mods"/*.ko "$mods"/*.deps "$tree/mods/"
	if [ -n "$ko" ]; then
		cp "$ko" "$tree/mods/9plx.ko"
		KIT_MODDIR=$(kit_moddir "$ver")
		kit_index "$KIT_MODDIR"
		kit_deps_of_file "$ko" "$tree/mods" >"$tree/mods/9plx.deps" || {
			rm -rf "$tree"
			return 1
		}
	fi
	# The kernel opens /dev/console before running /init; without the
	# node (mknod may be refused in a container) /init reopens it after
	# mounting devtmpfs.
	mknod -m 600 "$tree/dev/console" c 5 1 2>/dev/null || true
	f=$(mktemp "$img.XXXXXX")
	kit_cpio "$tree" >"$f"
	mv "$f" "$img"
	rm -rf "$tree"
	# Keep the cache small: the dozen images of this kernel used last.
	find "${img%/*}" -maxdepth 1 -name "$ver-*.cpio.gz" -printf '%T@ %p\n' |
		sort -rn | tail -n +13 | cut -d' ' -f2- | xargs -r rm -f --
	echo "$img"
}

# kit_cpio DIR: newc archive of DIR, root-owned, gzip'd, reproducible
# order.
kit_cpio() {
	# Each archive's "." sets the guest root's mode as it is unpacked:
	# mktemp's 0700 would shut every other user out of /.
	chmod 755 "$1"
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 -n
}

# kit_with_manifest BASE MANIFESTDIR OUT [EXTRA...]: BASE, then the
# archives EXTRA (empty ones skipped), then one holding /manifest; the
# kernel unpacks concatenated archives in turn.
kit_with_manifest() {
	local tree x
	tree=$(mktemp -d "${TMPDIR:-/tmp}/9plx-man.XXXXXX")
	mkdir -p "$tree/manifest"
	cp "$2"/* "$tree/manifest/"
	{
		cat "$1"
		for x in "${@:4}"; do
			[ -z "$x" ] || cat "$x"
		done
		kit_cpio "$tree"
	} >"$3"
	rm -rf "$tree"
}

# kit_diod: an archive holding the host's diod, the shared libraries
# ldd names for it, an empty /etc/diod.conf, passwd/group entries for
# root and nobody and a files-only /etc/hosts, to be added to a guest
# image.  Cached, keyed by the
# files that go in.  Prints its path; fails if diod is not installed.
kit_diod() {
	local diod=/usr/sbin/diod libs key img tree f
	[ -x "$diod" ] || return 1
	libs=$(ldd "$diod" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		sort -u) || return 1
	[ -n "$libs" ] || return 1
	key=$({
		declare -f kit_diod
		sha256sum "$diod"
		for f in $libs; do sha256sum -- "$(readlink -f "$f")"; done
	} | sha256sum | cut -c1-16)
	img=$NINEPLX_CACHE/vm/initrd/diod-$key.cpio.gz
	if [ -f "$img" ]; then
		echo "$img"
		return 0
	fi
	mkdir -p "${img%/*}"
	tree=$(mktemp -d "${TMPDIR:-/tmp}/9plx-diod.XXXXXX")
	mkdir -p "$tree/usr/sbin" "$tree/etc"
	cp "$diod" "$tree/usr/sbin/diod"
	for f in $libs; do
		mkdir -p "$tree${f%/*}"
		cp -L "$f" "$tree$f"
	done
	: >"$tree/etc/diod.conf"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$tree/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$tree/etc/group"
	# diod names each TCP peer (getnameinfo); answer from files only.
	printf '%s\n' '127.0.0.1 localhost' '::1 localhost' >"$tree/etc/hosts"
	printf '%s\n' 'passwd: files' 'group: files' 'hosts: files' >"$tree/etc/nsswitch.conf"
	f=$(mktemp "$img.XXXXXX")
	kit_cpio "$tree" >"$f"
	mv "$f" "$img"
	rm -rf "$tree"
	echo "$img"
}

# kit_static_tool SRC NAME: the C program SRC built static on the host,
# cached under $NINEPLX_CACHE/vm/tools/ as NAME-<hash of the source and
# the compiler>.  Prints its path; fails if it does not build.
kit_static_tool() {
	local src=$1 key out tmp
	key=$({
		cat "$src"
		gcc --version | head -n 1
	} | sha256sum | cut -c1-16)
	out=$NINEPLX_CACHE/vm/tools/$2-$key
	if [ ! -x "$out" ]; then
		mkdir -p "${out%/*}"
		tmp=$(mktemp "$out.XXXXXX")
		if ! gcc -static -O2 -Wall -Werror -o "$tmp" "$src" >&2; then
			echo "guestkit: cannot build $src (needs gcc and a static libc)" >&2
			rm -f "$tmp"
			return 1
		fi
		chmod 755 "$tmp"
		mv "$tmp" "$out"
	fi
	echo "$out"
}

# kit_tool NAME: tests/vm/tools/NAME.c, a guest tool, as kit_static_tool.
kit_tool() { kit_static_tool "$top/tests/vm/tools/$1.c" "$1"; }

# kit_nlxprobe: tests/vm/tools/nlxprobe.c, the guest's probes.
kit_nlxprobe() { kit_tool nlxprobe; }

# kit_hostile: tests/tools/hostile.c, the hostile 9P server, built static
# with the project's codec (fs/9p/wire.c); cached as kit_static_tool
# does, keyed by all three sources.
kit_hostile() {
	local key out tmp
	key=$({
		cat "$top/tests/tools/hostile.c" "$top/fs/9p/wire.c" \
			"$top/include/9plx/wire.h"
		gcc --version | head -n 1
	} | sha256sum | cut -c1-16)
	out=$NINEPLX_CACHE/vm/tools/hostile-$key
	if [ ! -x "$out" ]; then
		mkdir -p "${out%/*}"
		tmp=$(mktemp "$out.XXXXXX")
		if ! gcc -static -O2 -Wall -Wextra -Werror -I"$top/include" \
			-o "$tmp" "$top/tests/tools/hostile.c" "$top/fs/9p/wire.c" >&2; then
			echo "guestkit: cannot build tests/tools/hostile.c" >&2
			rm -f "$tmp"
			return 1
		fi
		chmod 755 "$tmp"
		mv "$tmp" "$out"
	fi
	echo "$out"
}

# kit_bins NAME PROG...: an archive holding the host's programs PROG...
# (full paths, kept in the guest) and the shared libraries ldd names for
# them, to be added to a guest image (as kit_diod does for diod).
# Cached, keyed by the files that go in.  Prints its path; fails if a
# program is not installed.
kit_bins() {
	local name=$1 libs key img tree f
	shift
	for f; do
		[ -x "$f" ] || return 1
	done
	libs=$(for f; do ldd "$f"; done |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		sort -u) || return 1
	[ -n "$libs" ] || return 1
	key=$({
		declare -f kit_bins
		sha256sum "$@"
		for f in $libs; do sha256sum -- "$(readlink -f "$f")"; done
	} | sha256sum | cut -c1-16)
	img=$NINEPLX_CACHE/vm/initrd/$name-$key.cpio.gz
	if [ -f "$img" ]; then
		echo "$img"
		return 0
	fi
	mkdir -p "${img%/*}"
	tree=$(mktemp -d "${TMPDIR:-/tmp}/9plx-bins.XXXXXX")
	for f in "$@" $libs; do
		mkdir -p "$tree${f%/*}"
		cp -L "$f" "$tree$f"
	done
	f=$(mktemp "$img.XXXXXX")
	kit_cpio "$tree" >"$f"
	mv "$f" "$img"
	rm -rf "$tree"
	echo "$img"
}

# kit_stressng: stress-ng, for the "ops" phases.
kit_stressng() { kit_bins stress-ng /usr/bin/stress-ng; }

# kit_acltools: Debian's acl and attr tools, for the "acl" phases.
kit_acltools() {
	kit_bins acl-tools /usr/bin/getfacl /usr/bin/setfacl \
		/usr/bin/getfattr /usr/bin/setfattr
}
