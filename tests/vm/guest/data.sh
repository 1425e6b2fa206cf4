# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# KNOWN is read by check() in lib.sh.
# shellcheck disable=SC2034
#
# Phase "data": page-cache cases where a client can lose or misplace
# data (tests/vm/tools/nlxdata.c), in every cache mode.  Each case
# writes through a mount of the mode under test and keeps a model of
# what each file must hold on the server; the files are then read
# through a fresh cache=none mount and compared with the models, so
# what counts is what reached the host.  The tag full9 exports a host
# filesystem of 1 MiB of this boot's own, for writes that run out of
# space.  Phase "dataref" runs the same through the in-kernel client
# (DATA_CLIENT=stock), the reference.

DATA_CLIENT=${DATA_CLIENT:-9plx}
DM=/mnt/data
DF=/mnt/datafull
if [ "$DATA_CLIENT" = stock ]; then
	DATA_OPTS=trans=virtio,version=9p2000.L
else
	DATA_OPTS=trans=virtio
fi

data_load() {
	if [ "$DATA_CLIENT" = 9plx ]; then
		mod_loaded 9plx || modload 9plx
	else
		fs_registered 9p || { modload 9pnet_virtio && modload 9p; }
	fi
}

# data_compare DIR MODELDIR: every model against the file of its name.
data_compare() {
	for _m in "$2"/*; do
		[ -f "$_m" ] || continue
		_f=$1/${_m##*/}
		cmp -s "$_m" "$_f" && continue
		why "$_f on the server: $(stat -c %s "$_f" 2>&1) bytes," \
			"$(od -An -c "$_f" 2>&1 | head -c 120 | tr -s ' ')" \
			"...; wanted $(stat -c %s "$_m") bytes," \
			"$(od -An -c "$_m" | head -c 120 | tr -s ' ')"
		return 1
	done
}

# c_data CACHE TAG MNT CASE ARGS...: one nlxdata case in a fresh
# directory, then its files read back through a cache=none mount.
c_data() {
	_c=$1 _tag=$2 _mnt=$3 _case=$4
	shift 4
	data_load || return 1
	_d=$_mnt/scratch/data-$DATA_CLIENT-$(uname -r)-$NLX_SERVER/$_c-$_case
	[ "$_tag" = full9 ] && _d=$_mnt/$_c-$_case
	_md=/tmp/model-$_c-$_case
	rm -rf "$_md" && mkdir -p "$_md"
	try_mount 9p "$DATA_OPTS,cache=$_c" "$_tag" "$_mnt" || {
		why "mount $_tag cache=$_c: $(cat /tmp/mount.err)"
		return 1
	}
	mkdir -p "$_d"
	nlxdata "$_case" "$_d" "$_md" "$@" >/tmp/data.out 2>&1
	_rc=$?
	if [ "$_rc" != 0 ]; then
		why "$(grep -v '^ok' /tmp/data.out | head -n 3)"
		# The small filesystem must have room for the next mode's case.
		[ "$_tag" != full9 ] || rm -rf "$_d"
		umount_if "$_mnt"
		return 1
	fi
	umount_if "$_mnt"
	try_mount 9p "$DATA_OPTS,cache=none" "$_tag" "$_mnt" || {
		why "mount $_tag cache=none: $(cat /tmp/mount.err)"
		return 1
	}
	data_compare "$_d" "$_md"
	_rc=$?
	# The small filesystem must have room for the next mode's case.
	[ "$_tag" != full9 ] || rm -rf "$_d"
	umount_if "$_mnt"
	return $_rc
}

for _cache in loose mmap none; do
	check "$_cache/partial-rdwr" c_data "$_cache" "$TAG" "$DM" partial rdwr
	check "$_cache/partial-wronly" c_data "$_cache" "$TAG" "$DM" partial wronly
	check "$_cache/reuse" c_data "$_cache" "$TAG" "$DM" reuse
	check "$_cache/odirect-mtime" c_data "$_cache" "$TAG" "$DM" odirect
	check "$_cache/fsize-truncate" c_data "$_cache" "$TAG" "$DM" fsize
	check "$_cache/ctime" c_data "$_cache" "$TAG" "$DM" ctime
	check "$_cache/full" c_data "$_cache" full9 "$DF" full
done
