# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "9plx": 9plx.ko registered as "9p" (its default), against the
# server named by nlx.server= (stock: QEMU 7.2 without 9P2000.Lx, so
# 9plx must fall back to 9P2000.L; patched: 9P2000.Lx is negotiated).

M=/mnt/9plx
if [ "$NLX_SERVER" = patched ]; then
	WANT_VERSION=9p2000.Lx
else
	WANT_VERSION=9p2000.L
fi

need_9plx() {
	mod_loaded 9plx && return 0
	why "9plx is not loaded (earlier failure)"
	return 77
}

c_insmod() {
	modload 9plx || return 1
	mod_loaded 9plx || { why "insmod succeeded but 9plx not in /proc/modules"; return 1; }
	fs_registered 9p && return 0
	why "no 9p in /proc/filesystems after insmod 9plx"
	return 1
}

# Lines announcing the fallback: they name the tag and 9P2000.L (and
# not only as part of "9P2000.Lx").
fallback_lines() {
	dnew | grep -F "$TAG" | grep -Ei '9p2000\.l([^x]|$)'
}

c_fallback_log() {
	need_mount "$M" || return
	_n=$(fallback_lines | wc -l)
	if [ "$NLX_SERVER" = patched ]; then
		[ "$_n" -eq 0 ] && return 0
		why "9P2000.Lx server, yet the log says: $(fallback_lines | head -n 1)"
		return 1
	fi
	[ "$_n" -eq 1 ] && return 0
	why "want one fallback line naming $TAG and 9P2000.L, found $_n: $(dnew | grep -i 9p | tail -n 3)"
	return 1
}

c_fallback_log_none() {
	need_mount "$M" || return
	_n=$(fallback_lines | wc -l)
	[ "$_n" -eq 0 ] && return 0
	why "version=9p2000.L was asked for, yet the log says: $(fallback_lines | head -n 1)"
	return 1
}

# With 9P2000.Lx the qid carries the host device, so p1/file and
# p2/file (same host inode, different tmpfs) must be told apart, and so
# must the three tmpfs roots (all inode 1 on the host).
c_distinct_identity() {
	need_mount "$M" || return
	: >/tmp/ids
	for _p in p1/file p2/file . p1 p2; do
		_id=$(stat -c '%d %i' "$M/$_p" 2>&1) || { why "stat $_p: $_id"; return 1; }
		echo "$_id	$_p" >>/tmp/ids
	done
	echo "nlx: identities: $(tr '\n\t' '; ' </tmp/ids) host: $(tr '\n\t' '; ' </manifest/ident)"
	_dup=$(cut -f1 /tmp/ids | sort | uniq -d | head -n 1)
	[ -z "$_dup" ] && return 0
	why "(dev ino) ($_dup) shared by: $(grep "^$_dup	" /tmp/ids | cut -f2 | tr '\n' ' ')"
	return 1
}

# c_mount_fails NAME OPTS NEEDLE: the mount must fail and the kernel log
# or mount's error must contain NEEDLE (the option or tag at fault).
c_mount_fails() {
	_opts=$1 _needle=$2 _src=${3:-$TAG}
	need_9plx || return
	dmark
	if try_mount 9p "$_opts" "$_src" "$M"; then
		umount_if "$M"
		why "mount -o $_opts $_src succeeded"
		return 1
	fi
	{ dnew; cat /tmp/mount.err; } >/tmp/errs
	grep -qF -- "$_needle" /tmp/errs && return 0
	why "mount failed but nothing names '$_needle': $(tail -n 3 /tmp/errs)"
	return 1
}

# posixacl needs access=client; otherwise the mount goes on, as with the
# in-kernel client, and the log says why ACLs are left to the server.
c_posixacl_any() {
	need_9plx || return
	dmark
	c_mounted 9p trans=virtio,access=any,posixacl "$M" || return 1
	c_umount "$M" || return 1
	dnew | grep -q "posixacl: needs access=client" && return 0
	why "no log line about posixacl without access=client: $(dnew | tail -n 2)"
	return 1
}

c_nofallback() {
	need_9plx || return
	if [ "$NLX_SERVER" = patched ]; then
		c_mounted 9p trans=virtio,nofallback "$M" || return 1
		c_version "$M" 9p2000.Lx || return 1
		c_umount "$M"
		return
	fi
	dmark
	if try_mount 9p trans=virtio,nofallback "$TAG" "$M"; then
		_l=$(mount_line "$M")
		umount_if "$M"
		why "nofallback mount against a 9P2000.L-only server succeeded: $_l"
		return 1
	fi
	# The log must say why: the tag, and that 9P2000.Lx was missing.
	_l=$(dnew | grep -F "$TAG" | grep -i '9p2000\.lx' | head -n 1)
	[ -n "$_l" ] && return 0
	why "refused, but no log line names $TAG and 9P2000.Lx: $(cat /tmp/mount.err) / $(dnew | tail -n 2)"
	return 1
}

# A short mount/check/umount cycle under other options.
c_opts_cycle() {
	_opts=$1
	need_9plx || return
	c_mounted 9p "$_opts" "$M" || return 1
	c_readdir_root "$M" || { umount_if "$M"; return 1; }
	c_umount "$M"
}

# c_opts_shown OPTS WANT...: mount with OPTS; /proc/mounts must show
# each WANT (key=value as the kernel prints it).
c_opts_shown() {
	_opts=$1
	shift
	need_9plx || return
	c_mounted 9p "$_opts" "$M" || return 1
	_line=$(mount_line "$M")
	c_umount "$M" || return 1
	for _w in "$@"; do
		case ",$(echo "$_line" | awk '{ print $4 }')," in
		*",$_w,"*) ;;
		*) why "/proc/mounts lacks $_w: $_line"; return 1 ;;
		esac
	done
}

# Mounted read-write: /proc/mounts must say so (rw.sh writes).
c_read_write() {
	need_mount "$M" || return
	case ",$(mount_line "$M" | awk '{ print $4 }')," in
	*,rw,*) return 0 ;;
	esac
	why "not mounted read-write: $(mount_line "$M")"
	return 1
}

c_rmmod() {
	need_9plx || return
	umount_if "$M"
	rmmod 9plx 2>/tmp/rmmod.err || { why "rmmod 9plx: $(cat /tmp/rmmod.err)"; return 1; }
	mod_loaded 9plx && { why "9plx still loaded after rmmod"; return 1; }
	fs_registered 9p && { why "9p still in /proc/filesystems after rmmod"; return 1; }
	return 0
}

check insmod c_insmod
if mod_loaded 9plx; then
	check mount-default c_mounted 9p trans=virtio "$M"
	check version c_version "$M" "$WANT_VERSION"
	check fallback-log c_fallback_log
	single_dev_checks "$M"
	check read-write c_read_write
	# In both dialects p1 and p2 must work (9plx.rst, "Identity of
	# files": in 9P2000.L every lookup gets an inode of its own).
	multidev_checks "$M"
	if [ "$NLX_SERVER" = patched ]; then
		check distinct-identity c_distinct_identity
	fi
	check umount c_umount "$M"
	umount_if "$M"

	# Explicit 9P2000.L: no negotiation, so no fallback line either.
	PFX=9plx/L-
	check mount c_mounted 9p trans=virtio,version=9p2000.L "$M"
	check version c_version "$M" 9p2000.L
	check no-fallback-log c_fallback_log_none
	check readdir-large c_readdir_large "$M"
	check read-big-md5 c_read_md5 "$M"
	check stat c_stat "$M"
	multidev_checks "$M"
	check umount c_umount "$M"
	umount_if "$M"

	# A small msize splits reads and readdirs over many messages.
	PFX=9plx/msize8k-
	check mount c_mounted 9p trans=virtio,msize=8192 "$M"
	check readdir-large c_readdir_large "$M"
	check read-big-md5 c_read_md5 "$M"
	check umount c_umount "$M"
	umount_if "$M"

	PFX=9plx/
	check opts-access-user c_opts_cycle trans=virtio,access=user
	check opts-access-uid c_opts_cycle trans=virtio,access=0
	check opts-misc c_opts_cycle trans=virtio,uname=root,aname=/,access=any,cache=none,msize=65536
	check opts-shown c_opts_shown \
		trans=virtio,dfltuid=1000,dfltgid=100,debug=0x1f,locktimeout=5,cache=mmap \
		dfltuid=1000 dfltgid=100 debug=1f locktimeout=5 cache=mmap
	check opts-loose c_opts_shown trans=virtio,cache=loose cache=loose
	check posixacl-access-any c_posixacl_any
	check bad-noextend c_mount_fails trans=virtio,noextend noextend
	check bad-cache c_mount_fails trans=virtio,cache=fscache cache=fscache
	check nofallback c_nofallback
	check bad-msize c_mount_fails trans=virtio,msize=abc msize
	check bad-option c_mount_fails trans=virtio,bogus=1 bogus
	check bad-version c_mount_fails trans=virtio,version=9p2000.u 9p2000.u
	check missing-tag c_mount_fails trans=virtio nosuchtag nosuchtag
	check rmmod c_rmmod
fi
umount_if "$M"
