# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "bench" (tests/bench/run): the in-kernel client (9p,
# 9pnet_virtio) and 9plx (fstype=9plx, its own virtio driver) on one
# host directory, exported twice: bench9k for the in-kernel client,
# bench9x for 9plx.  A third device, mark9, always held by the in-kernel
# client with cache=none, carries the markers: before and after each
# workload the guest makes a directory there named nlxb-SEQ-b or
# nlxb-SEQ-e, so the host can cut QEMU's trace into workloads and count
# the requests each one sent on the measured device.
#
# Parameters come from /manifest/bench.conf (written by the host).  One
# line per workload and round goes to the results port:
#   BENCH: CACHE CLIENT ROUND WORKLOAD SECONDS|- SEQ
# and one per mount, "BENCHMOUNT: CACHE CLIENT <its /proc/mounts line>".
# With BENCH_PROFILE=N (tests/bench/run -P N), each workload runs under
# nlxprof, and its N hottest functions follow as
#   BENCHPROF: CACHE CLIENT ROUND WORKLOAD <nlxprof's line>

# shellcheck disable=SC1091 # written by the host into the initramfs
. /manifest/bench.conf

M=/mnt/bench
MK=/mnt/mark
BSEQ=0
export HOME=/tmp

# The virtio device carrying mount tag $2, bound to driver $1
# (9pnet_virtio's mount_tag ends in a NUL byte).
dev_of() {
	for _v in /sys/bus/virtio/drivers/"$1"/virtio*; do
		[ "$(tr -d '\000' <"$_v/mount_tag" 2>/dev/null)" = "$2" ] || continue
		basename "$_v"
		return 0
	done
	return 1
}

# 9pnet_virtio takes every virtio-9p device when it loads; bench9x is
# then handed over to 9plx_virtio.
c_setup() {
	modload 9pnet_virtio || return 1
	modload 9p || return 1
	_d=$(dev_of 9pnet_virtio bench9x) || {
		why "no bench9x device under 9pnet_virtio"; return 1; }
	echo "$_d" >/sys/bus/virtio/drivers/9pnet_virtio/unbind || {
		why "cannot unbind $_d from 9pnet_virtio"; return 1; }
	modload 9plx fstype=9plx || return 1
	if ! dev_of 9plx_virtio bench9x >/dev/null; then
		echo "$_d" >/sys/bus/virtio/drivers/9plx_virtio/bind 2>/dev/null
		dev_of 9plx_virtio bench9x >/dev/null || {
			why "$_d did not bind to 9plx_virtio"; return 1; }
	fi
	dev_of 9pnet_virtio bench9k >/dev/null || {
		why "bench9k is not held by 9pnet_virtio"; return 1; }
	try_mount 9p trans=virtio,version=9p2000.L,cache=none mark9 "$MK" || {
		why "marker mount: $(cat /tmp/mount.err)"; return 1; }
}

bmount() {
	if [ "$CLIENT" = kernel ]; then
		try_mount 9p "trans=virtio,version=9p2000.L,msize=$BENCH_MSIZE,cache=$CACHE" bench9k "$M"
	else
		try_mount 9plx "trans=virtio,msize=$BENCH_MSIZE,cache=$CACHE" bench9x "$M"
	fi
}

secs() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'
}

# wl NAME CMD...: one workload between its two markers, timed.
wl() {
	_w=$1
	shift
	BSEQ=$((BSEQ + 1))
	mkdir "$MK/nlxb-$BSEQ-b"
	_p=""
	if [ "${BENCH_PROFILE:-0}" != 0 ]; then
		rm -f /tmp/prof.out /tmp/prof.out.ready
		nlxprof "$BENCH_PROFILE" /tmp/prof.out &
		_p=$!
		while [ ! -e /tmp/prof.out.ready ] && kill -0 "$_p" 2>/dev/null; do
			sleep 0.05
		done
	fi
	_t0=$(benchio now)
	if "$@" >/tmp/wl.out 2>&1; then
		_s=$(secs "$_t0" "$(benchio now)")
	else
		_s=-
		echo "nlx: $CLIENT cache=$CACHE round $ROUND: $_w failed: $(tail -n 3 /tmp/wl.out | tr '\n' ' ')"
	fi
	if [ -n "$_p" ]; then
		kill "$_p"
		wait "$_p"
	fi
	mkdir "$MK/nlxb-$BSEQ-e"
	report "BENCH: $CACHE $CLIENT $ROUND $_w $_s $BSEQ"
	if [ -n "$_p" ] && [ -f /tmp/prof.out ]; then
		while IFS= read -r _l; do
			report "BENCHPROF: $CACHE $CLIENT $ROUND $_w $_l"
		done </tmp/prof.out
	fi
}

w_seqwrite() {
	dd if=/dev/zero of="$1" bs=1M count="$BENCH_SEQ_MB" conv=fsync
}

w_seqread() {
	dd if="$1" of=/dev/null bs=1M
}

# A warm read of the file once lasts some 50 ms under TCG, of which
# starting dd is a good part, and one slow spell of the host decides it:
# four reads in one process are timed instead.
w_seqread_warm() {
	benchio seqread "$1" 4
}

# The file of seq-read in the guest's own tmpfs, once per boot.
TFS=/tmp/nlx-tfs
tmpfs_big() {
	[ -s "$TFS/big" ] && return 0
	mkdir -p "$TFS"
	mount -t tmpfs -o size=$((BENCH_SEQ_MB + 8))m nlxtfs "$TFS" &&
		dd if=/dev/zero of="$TFS/big" bs=1M count="$BENCH_SEQ_MB" 2>/dev/null &&
		return 0
	echo "nlx: tmpfs-read-warm: could not make $TFS/big"
	return 1
}

w_create() {
	benchio create "$1" "$BENCH_FILES" "$((BENCH_FILE_KB * 1024))" && sync
}

w_tarx() {
	tar xf /bench/tree.tar -C "$1" && sync
}

w_git() {
	git -c safe.directory='*' -C "$1" status --porcelain
}

# Phase N of the workloads for $CLIENT, on a mount made with the guest's
# caches dropped (so "cold" is the start of a phase); its directory is
# made by the first phase run (afresh by phase 1) and removed at the end
# of phase 8.
phase() {
	_d=$M/w-$CACHE-$ROUND-$CLIENT
	[ "$1" != 1 ] || rm -rf "$_d"
	mkdir -p "$_d/small"
	case $1 in
	1)
		wl seq-write w_seqwrite "$_d/big"
		;;
	2)
		wl seq-read-cold w_seqread "$_d/big"
		wl seq-read-warm w_seqread_warm "$_d/big"
		# No 9p at all: a reference for a warm read (the page-cache
		# copy and the reads), and how much identical work varies by
		# turn.  Without its file the read fails, and the row says so.
		tmpfs_big
		wl tmpfs-read-warm w_seqread_warm "$TFS/big"
		;;
	3)
		wl rand-read benchio randread "$_d/big" "$BENCH_RAND_OPS" 4096 1
		wl rand-write benchio randwrite "$_d/big" "$BENCH_RAND_OPS" 4096 2
		;;
	4) wl create w_create "$_d/small" ;;
	5)
		wl stat-cold benchio stat "$_d/small" "$BENCH_FILES"
		# Once over, the warm stats took 35 to 60 ms, starting the
		# process a good part of it: four passes, as the warm reads.
		wl stat-warm benchio stat "$_d/small" "$BENCH_FILES" 4
		;;
	6) wl readdir-stat ls -l "$_d/small" ;;
	7)
		wl open-read-close benchio read "$_d/small" "$BENCH_FILES"
		wl unlink benchio unlink "$_d/small" "$BENCH_FILES"
		wl tar-x w_tarx "$_d"
		;;
	8)
		wl find find "$_d/tree"
		wl du du -s "$_d/tree"
		if command -v git >/dev/null; then
			wl git-status w_git "$_d/tree"
		fi
		rm -rf "$_d"
		;;
	esac
}

# One cache mode, one round: phase by phase, each client in turn (the
# one that goes first alternating), so that both run each workload
# within seconds of each other, under the same conditions of a shared
# machine, rather than minutes apart.
bench_round() {
	for _ph in ${BENCH_PHASES:-1 2 3 4 5 6 7 8}; do
		if [ $(((_ph + ROUND) % 2)) = 0 ]; then _cl="kernel 9plx"; else _cl="9plx kernel"; fi
		for CLIENT in $_cl; do
			sync
			echo 3 >/proc/sys/vm/drop_caches
			bmount || {
				echo "nlx: mount for $CLIENT cache=$CACHE: $(cat /tmp/mount.err)"
				return 1
			}
			if [ "$ROUND" = 1 ] && [ "$_ph" = 1 ]; then
				report "BENCHMOUNT: $CACHE $CLIENT $(mount_line "$M")"
			fi
			phase "$_ph"
			sync
			timeout 120 umount "$M" || umount -l "$M"
		done
	done
}

check setup c_setup
if is_mounted "$MK"; then
	_r=1
	while [ "$_r" -le "$BENCH_ROUNDS" ]; do
		for CACHE in $BENCH_CACHES; do
			ROUND=$_r
			bench_round
		done
		_r=$((_r + 1))
	done
	umount_if "$MK"
fi
