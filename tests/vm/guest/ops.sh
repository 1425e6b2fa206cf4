# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "ops": operations on open descriptors, through 9plx (OPS_CLIENT
# unset) or, in phase "opsref", through the in-kernel client loaded by
# the "ref" phase: the reference 9plx is held to.
#
# openunlinked: nlxprobe creates a file, keeps it open, unlinks it and
# then ftruncates, writes, reads, fstats, fchmods and futimens the open
# descriptor.  The patched QEMU (patches 0008-0012) applies Tsetattr and
# Tgetattr to the fid's open descriptor, so everything must work; QEMU
# 7.2 works on the fid's path, which is gone, so the ftruncate fails
# with ENOENT: asserted exactly, for both clients, as the record of
# that server bug.
#
# stress-ng: fsize, sync-file and copy-file stressors with --verify in
# SHARE/stress (a host tmpfs of its own) for 10 s against the patched
# server: all must pass.  Against QEMU 7.2 fsize and copy-file ftruncate
# files they have unlinked and fail with ENOENT (the same bug), with
# either client: a 3 s run of those two asserts exactly that.

OPS_CLIENT=${OPS_CLIENT:-9plx}
M=/mnt/ops
OPS_ID=$OPS_CLIENT-$(uname -r)-$NLX_SERVER
W=$M/scratch/ops-$OPS_ID
if [ "$OPS_CLIENT" = stock ]; then
	OPS_OPTS=trans=virtio,version=9p2000.L
else
	OPS_OPTS=trans=virtio
fi

c_ops_mount() {
	if [ "$OPS_CLIENT" = 9plx ]; then
		mod_loaded 9plx || modload 9plx || return 1
	elif ! fs_registered 9p; then
		modload 9pnet_virtio && modload 9p || return 1
	fi
	try_mount 9p "$OPS_OPTS" "$TAG" "$M" || {
		why "mount -o $OPS_OPTS: $(cat /tmp/mount.err)"
		return 1
	}
	mkdir "$W" 2>/tmp/e || { why "mkdir $W: $(cat /tmp/e)"; return 1; }
}

c_openunlinked() {
	need_mount "$M" || return
	[ -x /bin/nlxprobe ] || { why "/bin/nlxprobe is not in the initramfs"; return 1; }
	timeout 60 nlxprobe openunlinked "$W" >/tmp/ou.out 2>&1
	_rc=$?
	echo "nlx: openunlinked: $(tr '\n' ';' </tmp/ou.out)"
	_last=$(tail -n 1 /tmp/ou.out)
	if [ -e "$W/f" ] || [ -L "$W/f" ]; then
		why "$W/f still listed after unlink (nlxprobe: $_last)"
		return 1
	fi
	if [ "$NLX_SERVER" = patched ]; then
		[ "$_rc" = 0 ] && [ "$_last" = "ok close" ] && return 0
		why "exit $_rc, last line: $_last"
		return 1
	fi
	# QEMU 7.2: Tsetattr on a fid whose path was unlinked.
	_want="FAIL ftruncate errno=2 ENOENT"
	if [ "$_rc" = 1 ] && [ "${_last#"$_want" }" != "$_last" ] &&
		[ "$(grep -c '^ok ' /tmp/ou.out)" = 2 ]; then
		return 0
	fi
	why "QEMU 7.2 should fail ftruncate with ENOENT after create and unlink; got exit $_rc: $(tr '\n' ';' </tmp/ou.out)"
	return 1
}

# stress-ng: the three stressors must each run (bogo ops > 0), verify,
# and the run must end with "successful run completed".
c_stress() {
	need_mount "$M" || return
	[ -x /usr/bin/stress-ng ] || {
		why "stress-ng is not in the initramfs (tools/setup installs Debian's stress-ng)"
		return 77
	}
	_d=$M/stress/$OPS_ID
	mkdir "$_d" 2>/tmp/e || { why "mkdir $_d: $(cat /tmp/e)"; return 1; }
	# Under TCG each worker gets a third of one vCPU; 20 s of work,
	# plus start and teardown, stays under a minute.  sync-file over
	# its smallest size (1 MiB) did not finish one round in 10 s on a
	# loaded host.
	timeout 90 /usr/bin/stress-ng --fsize 1 --sync-file 1 --sync-file-bytes 1m \
		--copy-file 1 --verify --timeout 20s --temp-path "$_d" \
		--metrics-brief >/tmp/stress.out 2>&1
	_rc=$?
	sed 's/^/nlx: stress-ng: /' /tmp/stress.out | head -n 40
	# Whatever stress-ng left behind (its own directories are removed
	# on success) goes, so that the host tmpfs is freed early.
	rm -rf "$_d"
	[ "$_rc" = 0 ] || {
		why "exit $_rc: $(grep -Ev 'metrc|setting to|dispatching' /tmp/stress.out | head -n 3)"
		return 1
	}
	grep -q 'successful run completed' /tmp/stress.out || {
		why "no 'successful run completed': $(tail -n 2 /tmp/stress.out)"
		return 1
	}
	for _s in fsize sync-file copy-file; do
		_ops=$(awk -v s="$_s" '$2 == "metrc:" && $4 == s && $5 ~ /^[0-9]+$/ { print $5; exit }' /tmp/stress.out)
		[ "${_ops:-0}" -gt 0 ] && continue
		why "stressor $_s did no work (bogo ops ${_ops:-missing})"
		return 1
	done
}

# QEMU 7.2: both stressors must fail, each on its ftruncate of an
# unlinked file, with ENOENT; sync-file is left out (it passes, and the
# stock scenarios are kept short).
c_stress_stock() {
	need_mount "$M" || return
	[ -x /usr/bin/stress-ng ] || {
		why "stress-ng is not in the initramfs (tools/setup installs Debian's stress-ng)"
		return 77
	}
	_d=$M/stress/$OPS_ID
	mkdir "$_d" 2>/tmp/e || { why "mkdir $_d: $(cat /tmp/e)"; return 1; }
	timeout 60 /usr/bin/stress-ng --fsize 1 --copy-file 1 --verify \
		--timeout 3s --temp-path "$_d" --metrics-brief >/tmp/stress.out 2>&1
	_rc=$?
	sed 's/^/nlx: stress-ng: /' /tmp/stress.out | head -n 20
	rm -rf "$_d"
	_f=$(grep -c 'fsize: truncating file to zero bytes failed, errno=2 ' /tmp/stress.out)
	_c=$(grep -c 'copy-file: ftruncated failed, errno=2 ' /tmp/stress.out)
	[ "$_rc" = 2 ] && [ "$_f" -ge 1 ] && [ "$_c" -ge 1 ] && return 0
	why "QEMU 7.2: want exit 2 with fsize and copy-file failing ftruncate with errno=2; got exit $_rc, fsize $_f, copy-file $_c: $(grep -E 'fail|error' /tmp/stress.out | head -n 3)"
	return 1
}

check mount c_ops_mount
check openunlinked c_openunlinked
if [ "$NLX_SERVER" = patched ]; then
	check stress-ng c_stress
else
	check stress-ng c_stress_stock
fi
check umount c_umount "$M"
umount_if "$M"
if [ "$OPS_CLIENT" = 9plx ] && mod_loaded 9plx; then
	rmmod 9plx 2>/tmp/e || fail rmmod "rmmod 9plx: $(cat /tmp/e)"
fi
