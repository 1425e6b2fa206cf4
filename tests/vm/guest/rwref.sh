# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "rwref": the read-write checks of rw.sh through the in-kernel
# client, loaded by the "ref" phase: the reference 9plx is held to, and
# proof that a patched server still serves old guests read-write.

RW_CLIENT=stock
# shellcheck source=tests/vm/guest/rw.sh
. /tests/rw.sh
