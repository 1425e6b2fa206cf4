#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/linux/build.sh: the kernel's own 9p client (net/9p, fs/9p) from
# Debian's linux-source-7.3 with the 9P2000.Lx series in
# tools/linux/patches applied, built out of tree against Debian's 7.3
# headers in the trixie build root (tools/trixie-root): 9pnet.ko,
# 9pnet_virtio.ko, 9pnet_fd.ko and 9p.ko.
#
# Usage: tools/linux/build.sh [--check]
#
#   (no option)  build the modules; the last line printed on stdout is
#                the directory holding them, everything else goes to
#                stderr.
#   --check      check the series patch by patch: for k = 1..N apply
#                patches 1..k, build with W=1, -Werror and sparse, and
#                run checkpatch.pl --strict on patch k.  Prints
#                "PASS: linux/NNNN/{build,sparse,checkpatch}" or
#                "FAIL: ...: why" lines (and "PASS: linux/base/build" for
#                the unpatched tree), then builds the modules as without
#                the option (the directory is again the last line).
#                Exit status 1 if anything failed.
#
# Results are cached under ${NINEPLX_CACHE:-/var/cache/9plx}/linux-<hash>/,
# where <hash> covers the patches, this script, the kernel headers'
# version, the source package's and sparse's versions and the build
# root's key, so a second run is a quick no-op (--check prints the stored
# results again).
# Layout:
#   src/       the series applied to the extracted subset, one commit a
#              patch (a git tree)
#   modules/   9pnet.ko 9pnet_virtio.ko 9pnet_fd.ko 9p.ko
#   stamp      written once modules/ is complete
#   check/     per-patch logs; check/results once a --check finished
#   sparse/    the sparse that checks it (see below)
# Concurrent runs are serialised with flock on linux-<hash>.lock.
#
# The source subset (net/9p, fs/9p, include/net/9p, the 9p trace events,
# Documentation/filesystems/9p.rst, checkpatch and its data files) is
# extracted once per source package version into
# ${NINEPLX_CACHE:-/var/cache/9plx}/linux-source-7.3/<version>/ from
# Debian's linux-source-7.3 package (trixie-backports), downloaded (not
# installed) through an apt configuration of its own.
#
# Sparse: Linux 7.3's headers use __typeof_unqual__, which trixie's
# sparse (0.6.4) cannot parse, and Debian's headers package lacks the
# scripts/checker-valid.sh that kbuild asks about it (so C=1 turns
# itself off, with a warning in the log).  The sparse binary of sid's
# package (0.6.5~rc1 and later parse it; it needs only libc) is fetched
# once into linux-source-7.3/sparse/, tried on __typeof_unqual__, and
# run with KBUILD_CHECKSRC=1 CHECK=<it> inside the trixie root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${NINEPLX_CACHE:=/var/cache/9plx}"
# The source package that matches the 7.3 headers (K73 of tools/setup).
SRC_PKG=linux-source-7.3
SRC_VER=7.3.4-1~bpo13+1

check=""
case "${1:-}" in
"") ;;
--check) check=1 ;;
*) sed -n '4,40p' "$0" >&2; exit 2 ;;
esac

log() { echo "linux-build: $*" >&2; }

K73="" TRIXIE_ROOT=""
for w in $("$top/tools/setup" --print-env); do
	case $w in
	K73=*) K73=${w#K73=} ;;
	TRIXIE_ROOT=*) TRIXIE_ROOT=${w#TRIXIE_ROOT=} ;;
	esac
done
if [ -z "$K73" ] || [ -z "$TRIXIE_ROOT" ] || [ ! -x "$top/tools/trixie-root" ]; then
	log "tools/setup names no 7.3 kernel (K73) or trixie build root: this tree cannot build the series"
	exit 1
fi
kver=$K73-amd64
# The headers' path inside the root.
kdir=/usr/src/linux-headers-$kver
ready=${TRIXIE_ROOT%/*}/ready
if [ ! -f "$ready" ] || [ ! -f "$TRIXIE_ROOT$kdir/Makefile" ]; then
	log "no trixie build root with $kdir, running tools/setup"
	"$top/tools/setup" >&2
fi
[ -f "$TRIXIE_ROOT$kdir/Makefile" ] || { log "no $kdir in $TRIXIE_ROOT"; exit 1; }

patches=("$here"/patches/0*.patch)
series=()
for p in "${patches[@]}"; do
	case ${p##*/} in
	0000-*) ;;
	*) series+=("$p") ;;
	esac
done
[ ${#series[@]} -gt 0 ] || { log "no patches in $here/patches"; exit 1; }

srcdir=$NINEPLX_CACHE/$SRC_PKG

# apt_get ARGS...: apt-get with a configuration of our own that only
# downloads (no dpkg status, no install): trixie-backports for the
# source, sid for sparse.
apt_get() {
	local a=$srcdir/apt
	mkdir -p "$a/lists/partial" "$a/parts.d"
	printf '%s\n' "deb http://deb.debian.org/debian trixie-backports main" \
		"deb http://deb.debian.org/debian sid main" >"$a/sources.list"
	apt-get -o "Dir::Etc::SourceList=$a/sources.list" \
		-o "Dir::Etc::SourceParts=$a/parts.d" \
		-o "Dir::State::Lists=$a/lists" -o Dir::State::status=/dev/null \
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
		-o APT::Sandbox::User=root "$@"
}

apt_updated=""
apt_update() {
	[ -n "$apt_updated" ] || apt_get update -q >/dev/null
	apt_updated=1
}

# The sparse that checks the series, once (sparse/version names it).
spdir=$srcdir/sparse
if [ ! -f "$spdir/version" ]; then
	log "fetching sid's sparse (once)"
	apt_update
	rm -rf "$spdir"
	mkdir -p "$spdir/deb"
	(cd "$spdir/deb" && apt_get download -q sparse >/dev/null)
	dpkg-deb -x "$spdir"/deb/sparse_*.deb "$spdir/x"
	cp "$spdir/x/usr/bin/sparse" "$spdir/sparse"
	dpkg-deb -f "$spdir"/deb/sparse_*.deb Version >"$spdir/version.new"
	rm -rf "$spdir/deb" "$spdir/x"
	mv "$spdir/version.new" "$spdir/version"
fi

hash=$({
	echo "$kver $SRC_PKG $SRC_VER $(cat "$ready") sparse $(cat "$spdir/version")"
	for p in "${series[@]}"; do
		basename "$p"
		cat "$p"
	done
	cat "$here/build.sh"
} | sha256sum | cut -c1-16)
out=$NINEPLX_CACHE/linux-$hash
mods=$out/modules

done_ok() {
	[ -f "$out/stamp" ] || return 1
	[ -z "$check" ] || [ -f "$out/check/results" ]
}

finish() {
	local rc=0
	if [ -n "$check" ]; then
		cat "$out/check/results"
		grep -q '^FAIL: ' "$out/check/results" && rc=1
	fi
	echo "$mods"
	exit $rc
}

if done_ok; then
	finish
fi

mkdir -p "$NINEPLX_CACHE"
exec 9>"$out.lock"
flock 9
# Somebody else may have finished while we waited for the lock.
if done_ok; then
	finish
fi
start=$(date +%s)

# --- the source subset, once per source package version ---------------

base=$srcdir/$SRC_VER
if [ ! -f "$base/done" ]; then
	log "fetching $SRC_PKG $SRC_VER (once per version)"
	apt_update
	dl=$srcdir/deb
	rm -rf "$dl" "$base"
	mkdir -p "$dl" "$base"
	(cd "$dl" && apt_get download -q "$SRC_PKG=$SRC_VER" >/dev/null)
	log "extracting the 9p client from $SRC_PKG"
	t=$SRC_PKG
	dpkg-deb --fsys-tarfile "$dl"/"$SRC_PKG"_*.deb |
		tar -xO "./usr/src/$SRC_PKG.tar.xz" |
		tar -xJ -C "$base" --strip-components=1 \
			"$t/net/9p" "$t/fs/9p" "$t/include/net/9p" \
			"$t/include/trace/events/9p.h" \
			"$t/Documentation/filesystems/9p.rst" \
			"$t/scripts/checkpatch.pl" "$t/scripts/spelling.txt" \
			"$t/scripts/const_structs.checkpatch"
	rm -rf "$dl"
	(
		cd "$base"
		git init -q
		git add -A
		git -c user.name=9plx -c user.email=9plx@localhost \
			commit -q -m "Debian $SRC_PKG $SRC_VER (9p client)"
	)
	touch "$base/done"
fi

# --- building -------------------------------------------------------------

# kbuild DIR [MAKEARGS...]: build the 9p modules in the tree DIR (under
# $out) against Debian's 7.3 headers, in the trixie root (which sees $out
# bind-mounted at the same path).  NOSTDINC_FLAGS puts DIR/include ahead
# of the headers' own include/, so that the patched include/net/9p and
# trace events are used.  Only the transports Debian's guests use are
# built.
kbuild() {
	local d=$1
	shift
	echo 'obj-m += net/9p/ fs/9p/' >"$d/Kbuild"
	(cd "$out" && "$top/tools/trixie-root" --exec \
		make -C "$kdir" M="$d" NOSTDINC_FLAGS="-I$d/include" \
		CONFIG_NET_9P_XEN= CONFIG_NET_9P_RDMA= CONFIG_NET_9P_USBG= \
		W=1 KCFLAGS=-Werror -j"$(nproc)" -Otarget "$@" modules)
}

# The applied series, one commit a patch.
newtree() {
	rm -rf "$1"
	git clone -q "$base" "$1"
	git -C "$1" config user.name 9plx
	git -C "$1" config user.email 9plx@localhost
}

# --- --check: the series patch by patch ---------------------------------

# sparse_state TREE LOG OLD: the sparse findings of TREE after the build
# whose log is LOG, given those before it in OLD, as lines "SOURCE<TAB>
# FINDING" without line numbers.  Sparse runs only on the files that were
# compiled again: their findings replace the old ones.  make runs with
# -Otarget, so a finding follows the CHECK line of its source file;
# kbuild names files relative to the tree, headers by absolute paths.
sparse_state() {
	awk -v pfx="$1/" '
		function rel(p) {
			return index(p, pfx) == 1 ? substr(p, length(pfx) + 1) : p
		}
		FILENAME == ARGV[2] { old[++n] = $0; next }
		/^  CHECK   / { cur = rel($2); checked[cur] = 1; next }
		/^[^ :]+:[0-9]+:[0-9]+: (warning|error):/ {
			f = rel($0)
			sub(/:[0-9]+:[0-9]+: /, ": ", f)
			found[++m] = cur "\t" f
		}
		END {
			for (i = 1; i <= n; i++) {
				split(old[i], a, "\t")
				if (!(a[1] in checked))
					print old[i]
			}
			for (i = 1; i <= m; i++)
				print found[i]
		}' "$2" "$3" | LC_ALL=C sort
}

if [ -n "$check" ]; then
	cdir=$out/check
	rm -rf "$cdir"
	mkdir -p "$cdir"
	tree=$cdir/tree
	newtree "$tree"
	res=$cdir/results.new
	: >"$res"
	# Progress on stderr; finish prints the results once, on stdout.
	emit() { echo "$1" >>"$res"; echo "linux-build: $1" >&2; }

	# The sparse, where the root sees it, and proof that it reads 7.3.
	mkdir -p "$out/sparse"
	cp "$spdir/sparse" "$out/sparse/sparse"
	sp=(KBUILD_CHECKSRC=1 CHECK="$out/sparse/sparse")
	printf '%s\n' 'static inline int u(const int *q)' '{' \
		'	__typeof_unqual__(*q) v = *q;' '	return v;' '}' \
		>"$out/sparse/probe.c"
	if (cd "$out" && "$top/tools/trixie-root" --exec \
		"$out/sparse/sparse" "$out/sparse/probe.c") >"$out/sparse/probe.log" 2>&1 &&
		! grep -q error "$out/sparse/probe.log"; then
		emit "PASS: linux/sparse-tool"
	else
		emit "FAIL: linux/sparse-tool: sparse $(cat "$spdir/version") fails on __typeof_unqual__: $(head -n 1 "$out/sparse/probe.log")"
	fi

	log "check: the unpatched tree"
	if kbuild "$tree" "${sp[@]}" >"$cdir/base.log" 2>&1; then
		emit "PASS: linux/base/build"
	else
		emit "FAIL: linux/base/build: see $cdir/base.log"
	fi
	sparse_state "$tree" "$cdir/base.log" /dev/null >"$cdir/sparse.base"
	prev=$cdir/sparse.base

	for p in "${series[@]}"; do
		n=$(basename "$p" | cut -c1-4)
		log "check: $(basename "$p")"
		if ! git -C "$tree" am -q "$p" >"$cdir/$n.am" 2>&1; then
			emit "FAIL: linux/$n/apply: git am failed, see $cdir/$n.am"
			git -C "$tree" am --abort 2>/dev/null || true
			break
		fi
		if kbuild "$tree" "${sp[@]}" >"$cdir/$n.log" 2>&1; then
			emit "PASS: linux/$n/build"
		else
			emit "FAIL: linux/$n/build: $(grep -m1 -E 'error|Error' "$cdir/$n.log" || echo "see $cdir/$n.log")"
		fi
		sparse_state "$tree" "$cdir/$n.log" "$prev" >"$cdir/sparse.$n"
		prev=$cdir/sparse.$n
		# Findings the unpatched tree did not have (line numbers aside).
		new=$(LC_ALL=C comm -13 "$cdir/sparse.base" "$cdir/sparse.$n")
		if [ -z "$new" ]; then
			emit "PASS: linux/$n/sparse"
		else
			echo "$new" >"$cdir/$n.sparse-new"
			emit "FAIL: linux/$n/sparse: $(echo "$new" | head -n 1) (all: $cdir/$n.sparse-new)"
		fi
		# checkpatch as for a submission: the patch file, in the tree it
		# applies to (here with it applied, as "checkpatch.pl -g" does).
		# It is plain perl and runs on this machine.  Opt_* mount
		# option tokens are CamelCase by the file's own convention
		# (Opt_msize, Opt_trans, ...); checkpatch never knows enum
		# members, so such a finding is the only one allowed.
		(cd "$tree" && perl scripts/checkpatch.pl --no-tree --strict \
			--show-types "$p") >"$cdir/$n.checkpatch" 2>&1 || true
		rm -f "$tree"/.checkpatch-camelcase.*
		bad=$(grep -E '^(ERROR|WARNING|CHECK):' "$cdir/$n.checkpatch" |
			grep -v -E '^CHECK:CAMELCASE: Avoid CamelCase: <Opt_[a-z_]+>$' || true)
		if [ -z "$bad" ]; then
			emit "PASS: linux/$n/checkpatch"
		else
			emit "FAIL: linux/$n/checkpatch: $(echo "$bad" | head -n 1) (all: $cdir/$n.checkpatch)"
		fi
	done
	if ! grep -q '^FAIL: ' "$res" && [ ! -f "$out/stamp" ]; then
		# The last step built the whole series: those are the modules.
		rm -rf "$mods"
		mkdir -p "$mods"
		cp "$tree"/net/9p/9pnet.ko "$tree"/net/9p/9pnet_virtio.ko \
			"$tree"/net/9p/9pnet_fd.ko "$tree"/fs/9p/9p.ko "$mods/"
		rm -rf "$out/src"
		newtree "$out/src"
		git -C "$out/src" am -q "${series[@]}"
		echo "$hash" >"$out/stamp"
	fi
	mv "$res" "$cdir/results"
	# The check tree's objects are not needed again.
	rm -rf "$tree"
	log "check done in $(($(date +%s) - start))s"
	if [ -f "$out/stamp" ]; then
		finish
	fi
fi

# --- the modules ----------------------------------------------------------

log "applying ${#series[@]} patches to $SRC_PKG $SRC_VER"
rm -rf "$out/src" "$mods" "$out/stamp"
newtree "$out/src"
git -C "$out/src" am -q "${series[@]}"
log "building against $kdir in $TRIXIE_ROOT (log: $out/build.log)"
if ! kbuild "$out/src" >"$out/build.log" 2>&1; then
	grep -E -A5 'error|Error' "$out/build.log" | head -n 40 >&2
	log "build failed, see $out/build.log"
	exit 1
fi
mkdir -p "$mods"
cp "$out"/src/net/9p/9pnet.ko "$out"/src/net/9p/9pnet_virtio.ko \
	"$out"/src/net/9p/9pnet_fd.ko "$out"/src/fs/9p/9p.ko "$mods/"
echo "$hash" >"$out/stamp"
log "done in $(($(date +%s) - start))s"
finish
