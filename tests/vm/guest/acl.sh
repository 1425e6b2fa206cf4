# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "acl": POSIX ACLs through 9plx mounted with posixacl (and the
# default access=client), with Debian's getfacl, setfacl and getfattr,
# on the device acl9: a directory of the share's tmpfs exported with
# security_model=passthrough (QEMU refuses ACL xattrs with "none").
# Phase "aclref" runs the same checks through the in-kernel client
# (ACL_CLIENT=stock) as the reference.  The checks assert what a user of
# a local filesystem sees: the ACL as getfacl prints it, the mode that
# goes with it, who may open the file, inheritance of default ACLs, and
# that all of it is on the server (read back through a fresh mount).

ACL_CLIENT=${ACL_CLIENT:-9plx}
ATAG=acl9
AM=/mnt/acl
AW=$AM/acl-$ACL_CLIENT-$(uname -r)-$NLX_SERVER
if [ "$ACL_CLIENT" = stock ]; then
	ACL_OPTS=trans=virtio,version=9p2000.L
else
	ACL_OPTS=trans=virtio
fi
GETFACL=/usr/bin/getfacl
SETFACL=/usr/bin/setfacl
GETFATTR=/usr/bin/getfattr

# acl_of FILE [-d]: the access (or default) ACL, numeric ids, without
# header or effective rights, on one line.
acl_of() {
	# shellcheck disable=SC2046,SC2005 # word splitting joins the lines
	echo $("$GETFACL" -pcnE "${2:--a}" "$1" 2>&1)
}

# acl_is FILE WANT [-d]
acl_is() {
	_got=$(acl_of "$1" "${3:-}")
	[ "$_got" = "$2" ] && return 0
	why "getfacl ${3:-}$1: '$_got', wanted '$2'"
	return 1
}

mode_is() {
	_got=$(stat -c %a "$1")
	[ "$_got" = "$2" ] && return 0
	why "$1 has mode $_got, wanted $2"
	return 1
}

# as UID GID CMD...: run a shell command as another user.
as() {
	_u=$1 _g=$2
	shift 2
	nlxprobe asuser "$_u" "$_g" sh -c "$*" 2>/tmp/e
}

acl_mount() {
	try_mount 9p "$ACL_OPTS$1" "$ATAG" "$AM" || {
		why "mount -o $ACL_OPTS$1: $(cat /tmp/mount.err)"
		return 1
	}
}

acl_remount() {
	umount "$AM" 2>/tmp/e || { why "umount: $(cat /tmp/e)"; return 1; }
	acl_mount "$1"
}

c_acl_mount() {
	[ -x "$SETFACL" ] || { why "no setfacl in the image (acl tools not installed on the host)"; return 77; }
	if [ "$ACL_CLIENT" = 9plx ] && ! mod_loaded 9plx; then
		modload 9plx || return 1
	fi
	acl_mount ,posixacl || return 1
	mount_opt "$AM" posixacl || { why "no posixacl in $(mount_line "$AM")"; return 1; }
	mkdir "$AW" 2>/tmp/e || { why "mkdir $AW: $(cat /tmp/e)"; return 1; }
	chmod 755 "$AW"
}

c_acl_set() {
	need_mount "$AM" || return
	: >"$AW/f" || { why "create f"; return 1; }
	chmod 640 "$AW/f" || { why "chmod f"; return 1; }
	"$SETFACL" -m u:1000:rw "$AW/f" 2>/tmp/e || { why "setfacl: $(cat /tmp/e)"; return 1; }
	acl_is "$AW/f" "user::rw- user:1000:rw- group::r-- mask::rw- other::---" || return 1
	# The group bits show the mask.
	mode_is "$AW/f" 660
}

c_acl_access() {
	need_mount "$AM" || return
	as 1000 1000 "echo by1000 >>$AW/f" || { why "uid 1000, named in the ACL, could not write: $(cat /tmp/e)"; return 1; }
	if as 1001 1001 "cat $AW/f"; then
		why "uid 1001, not in the ACL, could read"
		return 1
	fi
	grep -q "Permission denied" /tmp/e || { why "uid 1001's read: $(cat /tmp/e)"; return 1; }
	"$SETFACL" -m g:2000:r "$AW/f" 2>/tmp/e || { why "setfacl g:2000: $(cat /tmp/e)"; return 1; }
	_r=$(nlxprobe asuser 1001 2000 cat "$AW/f" 2>/tmp/e) || {
		why "gid 2000, named in the ACL, could not read: $(cat /tmp/e)"; return 1; }
	[ "$_r" = by1000 ] || { why "gid 2000 read '$_r'"; return 1; }
	if as 1001 2000 "echo x >>$AW/f"; then
		why "gid 2000 (read only in the ACL) could write"
		return 1
	fi
	grep -q "Permission denied" /tmp/e || { why "gid 2000's write: $(cat /tmp/e)"; return 1; }
}

c_acl_chmod() {
	need_mount "$AM" || return
	chmod 600 "$AW/f" || { why "chmod 600"; return 1; }
	# chmod sets the mask: the named entries stay, with no effect.
	acl_is "$AW/f" "user::rw- user:1000:rw- group::r-- group:2000:r-- mask::--- other::---" || return 1
	if as 1000 1000 "echo again >>$AW/f"; then
		why "uid 1000 could still write after chmod 600 masked it"
		return 1
	fi
	grep -q "Permission denied" /tmp/e || { why "uid 1000's write: $(cat /tmp/e)"; return 1; }
	chmod 660 "$AW/f" || { why "chmod 660"; return 1; }
	acl_is "$AW/f" "user::rw- user:1000:rw- group::r-- group:2000:r-- mask::rw- other::---" || return 1
	as 1000 1000 "echo again >>$AW/f" || { why "uid 1000 could not write after chmod 660: $(cat /tmp/e)"; return 1; }
}

c_acl_default() {
	need_mount "$AM" || return
	mkdir "$AW/d" || { why "mkdir d"; return 1; }
	chmod 755 "$AW/d" || { why "chmod d"; return 1; }
	"$SETFACL" -d -m u:1000:rwx "$AW/d" 2>/tmp/e || { why "setfacl -d: $(cat /tmp/e)"; return 1; }
	acl_is "$AW/d" "user::rwx user:1000:rwx group::r-x mask::rwx other::r-x" -d || return 1
	# With a default ACL the umask does not apply; the mode masks it.
	(umask 077 && : >"$AW/d/f") || { why "create d/f"; return 1; }
	acl_is "$AW/d/f" "user::rw- user:1000:rwx group::r-x mask::rw- other::r--" || return 1
	mode_is "$AW/d/f" 664 || return 1
	(umask 077 && mkdir "$AW/d/sub") || { why "mkdir d/sub"; return 1; }
	acl_is "$AW/d/sub" "user::rwx user:1000:rwx group::r-x mask::rwx other::r-x" || return 1
	acl_is "$AW/d/sub" "user::rwx user:1000:rwx group::r-x mask::rwx other::r-x" -d || return 1
	mode_is "$AW/d/sub" 775 || return 1
	# Inherited rights work: uid 1000 writes a file it does not own.
	as 1000 1000 "echo inherited >>$AW/d/f" || { why "uid 1000 could not write d/f: $(cat /tmp/e)"; return 1; }
	# Without a default ACL the umask applies as usual.
	(umask 027 && : >"$AW/plain") || { why "create plain"; return 1; }
	mode_is "$AW/plain" 640 || return 1
	acl_is "$AW/plain" "user::rw- group::r-- other::---"
}

c_acl_persist() {
	need_mount "$AM" || return
	acl_remount ,posixacl || return 1
	acl_is "$AW/f" "user::rw- user:1000:rw- group::r-- group:2000:r-- mask::rw- other::---" || return 1
	acl_is "$AW/d/f" "user::rw- user:1000:rwx group::r-x mask::rw- other::r--" || return 1
	acl_is "$AW/d/sub" "user::rwx user:1000:rwx group::r-x mask::rwx other::r-x" -d || return 1
	[ "$(cat "$AW/d/f")" = inherited ] || { why "d/f reads '$(cat "$AW/d/f")'"; return 1; }
	# The fresh mount enforces what the server keeps.
	if as 1001 1001 "cat $AW/f"; then
		why "uid 1001 could read f after the remount"
		return 1
	fi
	as 1000 1000 "cat $AW/f >/dev/null" || { why "uid 1000 could not read f after the remount: $(cat /tmp/e)"; return 1; }
}

c_acl_minimal() {
	need_mount "$AM" || return
	(umask 022 && : >"$AW/m") || { why "create m"; return 1; }
	# An ACL the mode can say is stored as the mode alone.
	"$SETFACL" -m g::rwx "$AW/m" 2>/tmp/e || { why "setfacl g::rwx: $(cat /tmp/e)"; return 1; }
	mode_is "$AW/m" 674 || return 1
	acl_remount ,posixacl || return 1
	mode_is "$AW/m" 674 || return 1
	if "$GETFATTR" -n system.posix_acl_access "$AW/m" >/tmp/e 2>&1; then
		why "m has an access ACL on the server: $(tr '\n' ' ' </tmp/e)"
		return 1
	fi
	grep -q "No such attribute" /tmp/e || { why "getfattr m: $(cat /tmp/e)"; return 1; }
}

c_acl_remove() {
	need_mount "$AM" || return
	"$SETFACL" -b "$AW/f" 2>/tmp/e || { why "setfacl -b: $(cat /tmp/e)"; return 1; }
	acl_is "$AW/f" "user::rw- group::r-- other::---" || return 1
	"$SETFACL" -k "$AW/d" 2>/tmp/e || { why "setfacl -k: $(cat /tmp/e)"; return 1; }
	# Removing what is not there is no error.
	"$SETFACL" -k "$AW/d" 2>/tmp/e || { why "second setfacl -k: $(cat /tmp/e)"; return 1; }
	acl_remount ,posixacl || return 1
	acl_is "$AW/f" "user::rw- group::r-- other::---" || return 1
	[ -z "$(acl_of "$AW/d" -d)" ] || { why "d keeps a default ACL: $(acl_of "$AW/d" -d)"; return 1; }
	if as 1000 1000 "cat $AW/f"; then
		why "uid 1000 could read f after setfacl -b"
		return 1
	fi
}

c_acl_off() {
	need_mount "$AM" || return
	"$SETFACL" -m u:1000:r "$AW/plain" 2>/tmp/e || { why "setfacl: $(cat /tmp/e)"; return 1; }
	acl_remount "" || return 1
	# Without posixacl the guest checks no ACLs.  The in-kernel client
	# of 6.1 hands setfacl's attribute to the server as it is; from 6.2
	# on the VFS refuses ACL attributes on such a mount.  9plx does the
	# same, and on 6.1 also reads the server's ACL back (the in-kernel
	# client shows none there: it reads its own empty ACL cache).
	case $(uname -r) in
	6.1.*)
		if [ "$ACL_CLIENT" = 9plx ]; then
			acl_is "$AW/plain" "user::rw- user:1000:r-- group::r-- mask::r-- other::---" || return 1
		fi
		"$SETFACL" -m u:1001:r "$AW/plain" 2>/tmp/e || {
			why "setfacl without posixacl on 6.1: $(cat /tmp/e)"; return 1; }
		_want="user::rw- user:1000:r-- user:1001:r-- group::r-- mask::r-- other::---"
		# setfacl built on the empty ACL it read: 1000 is gone.
		[ "$ACL_CLIENT" = 9plx ] ||
			_want="user::rw- user:1001:r-- group::r-- mask::r-- other::---"
		;;
	*)
		if "$SETFACL" -m u:1001:r "$AW/plain" 2>/tmp/e; then
			why "setfacl worked on a mount without posixacl"
			return 1
		fi
		grep -q "Operation not supported" /tmp/e || {
			why "setfacl without posixacl: $(cat /tmp/e)"; return 1; }
		_want="user::rw- user:1000:r-- group::r-- mask::r-- other::---"
		;;
	esac
	acl_remount ,posixacl || return 1
	acl_is "$AW/plain" "$_want"
}

check mount c_acl_mount
check set c_acl_set
check access c_acl_access
check chmod c_acl_chmod
check default c_acl_default
check persist c_acl_persist
check minimal c_acl_minimal
check remove c_acl_remove
check off c_acl_off
check umount c_umount "$AM"
umount_if "$AM"
