# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "tortureref": the page-cache torture of torture.sh through the
# in-kernel client (9P2000.L), loaded by the "ref" phase.  A sequence it
# fails is reported as a SKIP naming the seed, not a failure, and so is
# what it leaves in the kernel log (the last phase of its boot).

TORTURE_CLIENT=stock
# shellcheck source=tests/vm/guest/torture.sh
. /tests/torture.sh
