# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "userland": a Debian root exported by the host (tag rootfs9),
# mounted through 9plx and chrooted into.  A small C project is built
# there with make -j2 and gcc, its binary run from the share, and git
# used on it: init, commit, status, a change, diff.

R=/mnt/userland
RTAG=rootfs9

c_ul_mount() {
	mod_loaded 9plx || modload 9plx || return 1
	try_mount 9p trans=virtio,cache=loose "$RTAG" "$R" || {
		why "mount $RTAG: $(cat /tmp/mount.err)"; return 1; }
	mount -t proc proc "$R/proc" && mount -t devtmpfs dev "$R/dev" || {
		why "proc/dev in the chroot"; return 1; }
}

# in_root SCRIPT: run a shell script inside the chroot, bounded in time.
in_root() {
	timeout 600 chroot "$R" /bin/sh -c "export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C; $1" \
		>/tmp/ul.out 2>&1
}

c_ul_build() {
	need_mount "$R" || return
	in_root 'set -e
		mkdir -p /work/hello && cd /work/hello
		printf "int add(int a, int b);\n" >add.h
		printf "#include \"add.h\"\nint add(int a, int b) { return a + b; }\n" >add.c
		printf "#include <stdio.h>\n#include \"add.h\"\nint main(void) { printf(\"ok %%d\\\\n\", add(40, 2)); return 0; }\n" >main.c
		printf "hello: main.o add.o\n\tgcc -o \$@ main.o add.o\n%%.o: %%.c add.h\n\tgcc -O2 -c \$<\n" >Makefile
		make -j2' || { why "make: $(tail -n 3 /tmp/ul.out | tr '\n' ' ')"; return 1; }
	echo "nlx: make -j2: $(tr '\n' ';' </tmp/ul.out)"
	in_root '/work/hello/hello' || { why "running hello: $(tail -n 2 /tmp/ul.out)"; return 1; }
	[ "$(cat /tmp/ul.out)" = "ok 42" ] && return 0
	why "hello printed '$(cat /tmp/ul.out)'"
	return 1
}

c_ul_git() {
	need_mount "$R" || return
	in_root 'set -e
		cd /work/hello
		git init -q
		git add add.h add.c main.c Makefile
		git -c user.name=t -c user.email=t@example.org commit -qm first
		test -z "$(git status --porcelain --untracked-files=no)"
		echo "/* changed */" >>add.c
		git status --porcelain --untracked-files=no
		git diff --stat' || { why "git: $(tail -n 3 /tmp/ul.out | tr '\n' ' ')"; return 1; }
	grep -q ' M add.c' /tmp/ul.out && grep -q '1 file changed' /tmp/ul.out && return 0
	why "git status/diff after a change: $(tr '\n' ' ' </tmp/ul.out)"
	return 1
}

check mount c_ul_mount
check make-gcc-run c_ul_build
check git c_ul_git
umount "$R/dev" 2>/dev/null
umount "$R/proc" 2>/dev/null
check umount c_umount "$R"
umount_if "$R"
