# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "hostileref": the scenarios of hostile.sh through the in-kernel
# client (9p, 9pnet_fd), as the reference 9plx is compared with.  Where
# the in-kernel client falls short the scenario is a SKIP naming what it
# did, and its kernel log lines count as its own (tests/vm/run reports
# them as kernel-log-ref, a SKIP), so the run does not fail on them.

HOSTILE_CLIENT=stock
# shellcheck source=tests/vm/guest/hostile.sh
. /tests/hostile.sh
