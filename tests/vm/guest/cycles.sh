# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "cycles" (server "diod"): 200 mount/use/umount cycles, tcp and
# unix in turn, must leave no memory, no module reference and no
# transport thread behind; then the client must unload.  The client is
# 9plx, or in the "stock" boot the in-kernel 9p, which runs the same
# cycles as a control for the thresholds.
#
# Memory is compared after dropping caches, before and after the
# cycles (10 warm-up cycles first): a slab cache whose active objects
# grew by more than one slab plus a quarter of the cycles counts as a
# leak (a leak in one transport alone is one object every other cycle),
# and so does unreclaimable slab growing by more than CYCLES_SLAB_KB.
# Left out: tw_sock_TCP and tcp_bind{,2}_bucket, since every tcp cycle
# leaves a TIME_WAIT socket, and its port, that the network stack frees
# a minute later; vmap_area, since the stacks of exited tasks (each
# mount's transport has a rescuer thread) are unmapped lazily, in
# batches; and filp, whose active objects swing by a hundred between
# two snapshots of an idle guest (the snapshot's own commands open and
# close files on whichever CPU slab is at hand); and, on the debug
# kernel, debug_objects_cache, the object tracker's own pool, which
# keeps up to about a thousand objects it got back for reuse instead of
# freeing them (200 cycles left it 241 objects larger, with open files,
# the module's references and unreclaimable slab unchanged).  Open
# files are counted exactly instead: the kernel's count of allocated
# files (/proc/sys/fs/file-nr) may grow by at most FILES_SLACK.  The guest
# boots with slab_nomerge so that each name is one cache.  The "stock"
# boot runs the same cycles with the in-kernel client as a control for
# these thresholds.

CYCLES=200
CYCLES_SLAB_KB=512
FILES_SLACK=4

cycle() {
	if [ $(($1 % 2)) = 0 ]; then _t=tcp; else _t=unix; fi
	dmount "$_t" "$DM" || { why "cycle $1 ($_t): mount: $(cat /tmp/mount.err)"; return 1; }
	if ! stat "$DM/hello.txt" >/dev/null 2>&1 || ! ls "$DM/data" >/dev/null 2>&1; then
		why "cycle $1 ($_t): stat or ls failed"
		umount_if "$DM"
		return 1
	fi
	umount "$DM" 2>/tmp/umount.err || { why "cycle $1 ($_t): umount: $(cat /tmp/umount.err)"; return 1; }
}

# snap NAME: memory and module state after letting caches go.
snap() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	# Again: freed dentries and inodes go through RCU, which may batch
	# callbacks for up to 10 s (RCU_LAZY on 6.12); a cache shrink hands
	# them to a normal grace period.
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	# SLUB counts objects free in per-cpu slabs as active: flush them.
	for _s in /sys/kernel/slab/*/shrink; do
		echo 1 >"$_s" 2>/dev/null
	done
	grep -E '^(MemAvailable|Slab|SUnreclaim):' /proc/meminfo | tr -d ':' >"/tmp/$1.mem"
	# name active_objs objperslab
	if [ -r /proc/slabinfo ]; then
		tail -n +3 /proc/slabinfo | awk '{ print $1, $2, $5 }' | sort >"/tmp/$1.slab"
	else
		: >"/tmp/$1.slab"
	fi
	cat "/sys/module/$CMOD/refcnt" >"/tmp/$1.ref" 2>/dev/null
	cut -f1 /proc/sys/fs/file-nr >"/tmp/$1.files"
}

memval() { awk -v k="$2" '$1 == k { print $2 }' "/tmp/$1.mem"; }

trans_threads() { ps | grep -c '\[9plx-[a-z]*\]'; }

if mod_loaded 9plx; then CMOD=9plx; else CMOD=9p; fi

c_cycles() {
	need_diod || return
	mod_loaded "$CMOD" || { why "$CMOD is not loaded"; return 77; }
	for _i in $(seq 10); do
		cycle "$_i" || return 1
	done
	# diod is not running at either snapshot: what it holds (sockets
	# it has yet to close, their peer pids) is not counted.
	diod_kill
	snap before
	_p0=$(ps | wc -l)
	diod_start || return 1
	_t0=$(date +%s)
	for _i in $(seq "$CYCLES"); do
		cycle "$_i" || return 1
	done
	_dt=$(($(date +%s) - _t0))
	diod_kill
	snap after
	_thr=$(trans_threads)
	echo "nlx: processes $_p0 -> $(ps | wc -l); slab growth: $(awk 'NR == FNR { b[$1] = $2; next }
		($1 in b) && $2 - b[$1] > 20 { printf "%s +%d/%d; ", $1, $2 - b[$1], $3 }' \
		/tmp/before.slab /tmp/after.slab)"
	# Objects freed late (delayed fput of closed socket files, RCU)
	# can make one snapshot look grown: a leak must still be there
	# after two more snapshots a few seconds apart.
	for _try in 1 2 3; do
		awk -v n="$CYCLES" 'NR == FNR { b[$1] = $2; next }
			($1 in b) && $1 !~ /^(tw_sock_TCP|tcp_bind_bucket|tcp_bind2_bucket|vmap_area|filp|debug_objects_cache)$/ &&
			$2 - b[$1] > $3 + n / 4 {
				printf "%s +%d; ", $1, $2 - b[$1] }' \
			/tmp/before.slab /tmp/after.slab >/tmp/grown
		_files=$(($(cat /tmp/after.files) - $(cat /tmp/before.files)))
		[ "$_files" -le "$FILES_SLACK" ] || echo "open files +$_files; " >>/tmp/grown
		[ -s /tmp/grown ] && [ "$_try" -lt 3 ] || break
		echo "nlx: snapshot $_try: $(cat /tmp/grown)- looking again"
		sleep 3
		snap after
	done
	_slab=$(($(memval after SUnreclaim) - $(memval before SUnreclaim)))
	_avail=$(($(memval after MemAvailable) - $(memval before MemAvailable)))
	echo "nlx: $CYCLES cycles in ${_dt}s; SUnreclaim ${_slab} kB, MemAvailable ${_avail} kB, refcnt $(cat /tmp/before.ref) -> $(cat /tmp/after.ref), open files $(cat /tmp/before.files) -> $(cat /tmp/after.files), transport threads $_thr"
	[ -s /tmp/before.slab ] || echo "nlx: no /proc/slabinfo; per-cache check not done"
	if [ "$(cat /tmp/before.ref)" != "$(cat /tmp/after.ref)" ]; then
		why "$CMOD refcnt $(cat /tmp/before.ref) before, $(cat /tmp/after.ref) after"
		return 1
	fi
	if [ "$_thr" != 0 ]; then
		why "$_thr 9plx transport threads left with nothing mounted"
		return 1
	fi
	if [ -s /tmp/grown ]; then
		why "grew over $CYCLES cycles: $(cat /tmp/grown)"
		return 1
	fi
	if [ "$_slab" -gt "$CYCLES_SLAB_KB" ]; then
		why "unreclaimable slab grew by $_slab kB over $CYCLES cycles"
		return 1
	fi
}

c_rmmod_client() {
	mod_loaded "$CMOD" || { why "$CMOD is not loaded"; return 77; }
	umount_if "$DM"
	if grep -q ' 9p ' /proc/mounts; then
		why "9p mounts left: $(grep ' 9p ' /proc/mounts | tr '\n' ' ')"
		return 1
	fi
	rmmod "$CMOD" 2>/tmp/rmmod.err || { why "rmmod $CMOD: $(cat /tmp/rmmod.err)"; return 1; }
	[ ! -d "/sys/module/$CMOD" ] && return 0
	why "/sys/module/$CMOD still there after rmmod"
	return 1
}

if [ "$CMOD" = 9plx ]; then PFX=cycles/; else PFX=stock/cycles-; fi
check leak c_cycles
check rmmod c_rmmod_client
diod_kill
