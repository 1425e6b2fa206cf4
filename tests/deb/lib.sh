# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What tests/deb/run (Debian 12, 6.12) and tests/deb/trixie (Debian 13,
# 7.3) both do with a root that has 9plx-dkms installed: ask DKMS and
# modprobe about it, and boot it twice.
#
# The boots: the root, with the switch on, made into an ext4 image, and a
# copy of that image with /etc/modprobe.d/9plx.conf taken out (switch
# off); each booted by systemd from virtio-blk against the patched QEMU,
# with two virtio-9p devices in its fstab, one _netdev and one
# x-systemd.automount.  tests/deb/guest/check.sh reports, on a second
# serial port, who serves the mounts and holds the devices.
#
# Needs: top, NINEPLX_CACHE, ver (the package's version), root (the
# root's top directory), run (a scratch directory), logdir, the
# functions pass, fail and log, and in_root CMD... (CMD in the root's
# chroot); guestkit.sh sourced.  The boots also need tmo (seconds one
# boot may take) and jobs (1: one boot after the other; 2 or more: both
# at once); when debboot_all runs, nothing may be mounted inside the root,
# since the image is made of the tree as it is.
# shellcheck disable=SC2154 # those variables are the caller's

# ko_of KVER: the module DKMS installed for KVER (compressed as the
# kernel's own modules are: 9plx.ko.xz on Debian's kernels).
ko_of() {
	local f
	for f in "$root/lib/modules/$1/updates/dkms/9plx.ko"*; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# built_for KVER: DKMS says installed, and its module is 9plx $ver for KVER.
built_for() {
	local k=$1 ko st
	st=$(in_root dkms status -m 9plx -v "$ver" -k "$k" 2>/dev/null)
	[[ $st == *": installed"* ]] || { echo "dkms status for $k: '$st'"; return 1; }
	ko=$(ko_of "$k") || { echo "no 9plx.ko* in /lib/modules/$k/updates/dkms"; return 1; }
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$k" ] ||
		{ echo "vermagic $(modinfo -F vermagic "$ko")"; return 1; }
	[ "$(modinfo -F version "$ko")" = "$ver" ] || { echo "version $(modinfo -F version "$ko")"; return 1; }
}

# resolves NAME KVER WANT: "modprobe NAME" for KVER would load WANT.
resolves() {
	local out
	out=$(in_root modprobe -S "$2" --show-depends "$1" 2>&1 | tail -n 1)
	[[ $out == "insmod "*"$3"* ]] || { echo "modprobe $1 would run: $out (want $3)"; return 1; }
}

# c_switch_default KVER: as installed, the switch is off: modprobe sends
# fs-9p to the in-kernel 9p for KVER and keeps 9plx from udev.
c_switch_default() {
	resolves fs-9p "$1" /kernel/fs/9p/9p.ko || return 1
	in_root modprobe -c | grep -qx 'blacklist 9plx' || { echo "9plx not blacklisted for udev"; return 1; }
	[[ $(in_root 9plx-takeover status) == "switch: off"* ]] || { echo "status: $(in_root 9plx-takeover status)"; return 1; }
}

# c_switch_on KVER: 9plx-takeover enable, and modprobe sends fs-9p to
# 9plx for KVER and keeps 9pnet_virtio from udev.
c_switch_on() {
	in_root 9plx-takeover enable >/dev/null || return 1
	resolves fs-9p "$1" /updates/dkms/9plx.ko || return 1
	in_root modprobe -c | grep -qx 'blacklist 9pnet_virtio' || { echo "9pnet_virtio not blacklisted"; return 1; }
	! in_root modprobe -c | grep -qx 'blacklist 9plx' || { echo "9plx still blacklisted"; return 1; }
}

# --- boots ---------------------------------------------------------------

# debboot_all KVER MODS...: both boots on guest kernel KVER (guestkit's
# name: 6.12.95+deb12), whose modules must be in the root.  MODS are what
# the initramfs loads (with what they depend on) to mount ext4 on
# virtio-blk; those built into KVER are left out.  Results are
# boot-on/NAME and boot-off/NAME.
debboot_all() {
	local kver=$1 qemu out
	shift
	if ! out=$("$top/tools/qemu/build.sh" 2>"$logdir/qemu-build.log") ||
		! qemu=$(printf '%s\n' "$out" | tail -n 1) || [ ! -x "$qemu" ]; then
		fail boot "no patched QEMU: tools/qemu/build.sh failed, see $logdir/qemu-build.log"
		return 0
	fi
	log "guest images"
	debboot_prepare
	if ! debboot_initrd "$kver" "$@"; then
		fail boot "could not stage the initramfs modules of $kver"
	elif ! mke2fs -q -t ext4 -F -d "$root" "$run/boot-on.img" 3G >"$logdir/mkfs.log" 2>&1; then
		fail boot "mke2fs -d of the root failed, see $logdir/mkfs.log"
	else
		# The same root with the switch off: the package installed,
		# /etc/modprobe.d/9plx.conf absent.
		cp --sparse=always "$run/boot-on.img" "$run/boot-off.img"
		debugfs -w -R "rm /etc/modprobe.d/9plx.conf" "$run/boot-off.img" >>"$logdir/mkfs.log" 2>&1
		if [ "$jobs" -ge 2 ]; then
			log "booting boot-on and boot-off at once ($kver, patched QEMU)"
			debboot_vm "$qemu" "$kver" boot-on 9plx &
			debboot_vm "$qemu" "$kver" boot-off stock &
			wait
		else
			log "booting boot-on, then boot-off ($kver, patched QEMU)"
			debboot_vm "$qemu" "$kver" boot-on 9plx
			debboot_vm "$qemu" "$kver" boot-off stock
		fi
		debboot_collect boot-on
		debboot_collect boot-off
	fi
	rm -f "$run"/boot-*.img
	debboot_unprepare
}

# debboot_kill: end the boots still running (for the caller's exit trap).
debboot_kill() {
	local id
	for id in boot-on boot-off; do
		[ -f "$run/$id.pid" ] && kill "$(cat "$run/$id.pid")" 2>/dev/null
	done
	wait 2>/dev/null || true
}

# The guest's fstab, its check service, and two exported directories.
debboot_prepare() {
	mkdir -p "$run/share9" "$run/auto9" "$root/mnt/share" "$root/mnt/auto"
	echo "hello from share9" >"$run/share9/hello.txt"
	echo "hello from auto9" >"$run/auto9/hello.txt"
	cp "$root/etc/fstab" "$run/fstab.orig" 2>/dev/null || : >"$run/fstab.orig"
	cat >>"$root/etc/fstab" <<-FSTAB
	share9 /mnt/share 9p trans=virtio,_netdev 0 0
	auto9 /mnt/auto 9p trans=virtio,noauto,x-systemd.automount 0 0
	FSTAB
	install -D -m 755 "$top/tests/deb/guest/check.sh" "$root/usr/local/sbin/nlx-deb-check"
	install -D -m 644 "$top/tests/deb/guest/nlx-deb-check.service" \
		"$root/etc/systemd/system/nlx-deb-check.service"
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
	ln -sf ../nlx-deb-check.service \
		"$root/etc/systemd/system/multi-user.target.wants/nlx-deb-check.service"
}

# Take back what debboot_prepare added, so that a purge check after the
# boots sees only the package's doing.
debboot_unprepare() {
	cp "$run/fstab.orig" "$root/etc/fstab"
	rm -rf "$root/mnt/share" "$root/mnt/auto" "$root/usr/local/sbin/nlx-deb-check" \
		"$root/etc/systemd/system/nlx-deb-check.service" \
		"$root/etc/systemd/system/multi-user.target.wants/nlx-deb-check.service"
	rmdir "$root/etc/systemd/system/multi-user.target.wants" 2>/dev/null || true
}

# debboot_initrd KVER MODS...: $run/initrd.img: busybox, guest/init and
# MODS of KVER (staged by guestkit with their dependencies).
debboot_initrd() {
	local kver=$1 mods tree
	shift
	mods=$(KIT_MOD_ROOTS="$*" kit_stage_modules "$kver") || return 1
	tree=$run/initrd
	rm -rf "$tree"
	mkdir -p "$tree"/{bin,dev,proc,sys,mods}
	cp /bin/busybox "$tree/bin/busybox"
	ln -s busybox "$tree/bin/sh"
	cp "$top/tests/deb/guest/init" "$tree/init"
	cp "$mods"/*.ko "$mods"/*.deps "$tree/mods/"
	mknod -m 600 "$tree/dev/console" c 5 1 2>/dev/null || true
	kit_cpio "$tree" >"$run/initrd.img"
}

# debboot_vm QEMU KVER NAME EXPECT: one guest on image $run/NAME.img;
# its status and seconds go to $logdir/NAME.rc.  no_timer_check: on a
# loaded host a TCG guest can miss the ticks of the kernel's IO-APIC
# timer check, which then panics (seen on 7.3; see tests/vm/README.md).
debboot_vm() {
	local qemu=$1 kver=$2 id=$3 rc=0 t0
	t0=$(date +%s)
	timeout -k 10 "$tmo" "$qemu" -L /usr/share/seabios -L /usr/share/qemu \
		-accel tcg -m 512 -smp 1 -nodefaults -nographic -no-reboot \
		-kernel "$(kit_vmlinuz "$kver")" -initrd "$run/initrd.img" \
		-append "console=ttyS0 panic=-1 no_timer_check nlx.expect=$4 nlx.version=$ver" \
		-drive "file=$run/$id.img,if=virtio,format=raw" \
		-serial "file:$logdir/$id.console" -serial "file:$logdir/$id.results" \
		-virtfs "local,path=$run/share9,mount_tag=share9,security_model=none" \
		-virtfs "local,path=$run/auto9,mount_tag=auto9,security_model=none" \
		</dev/null >"$logdir/$id.qemu" 2>&1 &
	echo $! >"$run/$id.pid"
	wait $! || rc=$?
	rm -f "$run/$id.pid"
	echo "$rc $(($(date +%s) - t0))" >"$logdir/$id.rc"
}

# debboot_collect NAME: the guest's lines as NAME/..., and whether it ended.
debboot_collect() {
	local id=$1 rc secs line done=""
	read -r rc secs <"$logdir/$id.rc"
	[ -f "$logdir/$id.results" ] || : >"$logdir/$id.results"
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		DONE) done=1 ;;
		PASS:\ *) pass "$id/${line#PASS: }" ;;
		FAIL:\ *) line=${line#FAIL: }; fail "$id/${line%%: *}" "${line#*: }" ;;
		esac
	done <"$logdir/$id.results"
	if [ -n "$done" ] && [ "$rc" = 0 ]; then
		pass "$id/boot"
	else
		fail "$id/boot" "no end of checks (qemu status $rc after ${secs}s; console: $logdir/$id.console)"
	fi
	log "$id: ${secs}s"
}
