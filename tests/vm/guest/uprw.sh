# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# RW_* are read by rw.sh.
# shellcheck disable=SC2034
#
# Phase "uprw" (boot "upstream"): the read-write checks of rw.sh through
# the in-kernel client with the 9P2000.Lx series, loaded by phase "up",
# mounted with version=9p2000.Lx: a 9P2000.Lx session against the
# patched QEMU, the fallback to 9P2000.L against QEMU 7.2.  The same
# checks as phase "rwref" with Debian's modules.

RW_CLIENT=upstream
RW_OPTS=trans=virtio,version=9p2000.Lx
# shellcheck source=tests/vm/guest/rw.sh
. /tests/rw.sh
