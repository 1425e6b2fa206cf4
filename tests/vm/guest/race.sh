# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "race": two processes at once on one mount, on a guest with two
# vCPUs (tests/vm/run gives boots with this phase -smp 2), in every cache
# mode: two writers on one file, writeback of one name racing link,
# stat and read of other names of the file, renames racing opens, and
# two directories swapping names racing opens of their files (nlxprobe
# race), and with cache=loose the same swap racing opens of the files
# by the directories' descriptors, as a new user each time.  Each must
# end with the bytes written, also when read again from the server
# (after sync and drop_caches), and without a kernel warning (the
# boot's kernel-log check).  Phase "raceref" runs the same through the
# in-kernel client.

RACE_CLIENT=${RACE_CLIENT:-9plx}
RM=/mnt/race
RW=$RM/scratch/race-$RACE_CLIENT-$(uname -r)-$NLX_SERVER
if [ "$RACE_CLIENT" = stock ]; then
	RACE_OPTS=trans=virtio,version=9p2000.L
else
	RACE_OPTS=trans=virtio
fi

c_race_cpus() {
	_n=$(grep -c '^processor' /proc/cpuinfo)
	[ "$_n" -ge 2 ] && return 0
	why "the guest has $_n vCPU, the races need two"
	return 1
}

# c_race KIND CACHE
c_race() {
	if [ "$RACE_CLIENT" = 9plx ]; then
		mod_loaded 9plx || modload 9plx || return 1
	else
		fs_registered 9p || { modload 9pnet_virtio && modload 9p; } || return 1
	fi
	try_mount 9p "$RACE_OPTS,cache=$2" "$TAG" "$RM" || {
		why "mount cache=$2: $(cat /tmp/mount.err)"
		return 1
	}
	_d=$RW/$1-$2
	mkdir -p "$_d"
	if ! timeout 300 nlxprobe race "$1" "$_d" >/tmp/race.out 2>&1; then
		why "$(grep -v '^ok' /tmp/race.out | head -n 2)"
		umount_if "$RM"
		return 1
	fi
	sync
	echo 3 >/proc/sys/vm/drop_caches
	if ! nlxprobe racecheck "$1" "$_d" >/tmp/race.out 2>&1; then
		why "after sync and drop_caches: $(grep -v '^ok' /tmp/race.out | head -n 2)"
		umount_if "$RM"
		return 1
	fi
	timeout 60 umount "$RM" || { why "umount failed"; return 1; }
}

check cpus c_race_cpus
for _c in loose mmap none; do
	for _k in writers hardlink rename swapdirs; do
		check "$_k-$_c" c_race "$_k" "$_c"
	done
done
# Loose only: with mmap and none a lookup walks a name from the
# directory's fid outside the rename semaphore, as it may since fids
# follow renames on the server, but a QEMU Twalk that meets a Trenameat
# gives the new fid the path from before the rename, so the reader can
# see the other file whatever the client does.
check swapusers-loose c_race swapusers loose
