# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "userland": a Debian root exported by the host (tag rootfs9),
# mounted through 9plx and chrooted into.  A small C project is built
# there with make -j2 and gcc, its binary run from the share, and git
# used on it: init, commit, status, a change, diff.  Debian's fio writes
# and verifies data through the page cache and again after the cache is
# dropped, and util-linux's flock(1) shows locks excluding each other.

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

c_ul_fio() {
	need_mount "$R" || return
	# Random 4 KiB writes by two jobs, each then read back and checked.
	in_root 'set -e
		mkdir -p /work/fio
		fio --name=rw --directory=/work/fio --size=8m --bs=4k \
			--rw=randwrite --ioengine=psync --numjobs=2 \
			--verify=crc32c --verify_fatal=1 --fsync_on_close=1' || {
		why "fio randwrite+verify: $(grep -iE 'err|verify|fail' /tmp/ul.out | head -n 3 | tr '\n' ' ')"; return 1; }
	grep -q 'err= 0' /tmp/ul.out || { why "fio: $(head -n 5 /tmp/ul.out | tr '\n' ' ')"; return 1; }
	# The same checks on what the server holds, not the page cache.
	sync
	echo 3 >/proc/sys/vm/drop_caches
	in_root 'fio --name=rw --directory=/work/fio --size=8m --bs=4k \
			--rw=randwrite --ioengine=psync --numjobs=2 \
			--verify=crc32c --verify_fatal=1 --verify_only' || {
		why "fio verify after drop_caches: $(grep -iE 'err|verify|fail' /tmp/ul.out | head -n 3 | tr '\n' ' ')"; return 1; }
	grep -q 'err= 0' /tmp/ul.out && return 0
	why "fio verify_only: $(head -n 5 /tmp/ul.out | tr '\n' ' ')"
	return 1
}

c_ul_flock() {
	need_mount "$R" || return
	# A holder keeps the lock 3 s; a try fails at once, a wait gets it.
	in_root 'touch /work/lockf
		flock -x /work/lockf -c "touch /work/held; sleep 3" &
		i=0
		while [ ! -e /work/held ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		if flock -n -x /work/lockf true; then echo "try: got it"; else echo "try: busy"; fi
		flock -w 20 -x /work/lockf echo "wait: got it"
		wait' || { why "flock: $(tr '\n' ' ' </tmp/ul.out)"; return 1; }
	grep -q 'try: busy' /tmp/ul.out && grep -q 'wait: got it' /tmp/ul.out && return 0
	why "flock(1): $(tr '\n' ' ' </tmp/ul.out)"
	return 1
}

check mount c_ul_mount
check make-gcc-run c_ul_build
check git c_ul_git
check fio-verify c_ul_fio
check flock-util-linux c_ul_flock
umount "$R/dev" 2>/dev/null
umount "$R/proc" 2>/dev/null
check umount c_umount "$R"
umount_if "$R"
