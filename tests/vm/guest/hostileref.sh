# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "hostileref": the scenarios of hostile.sh through the in-kernel
# client (9p, 9pnet_fd), as the reference 9plx is compared with.  Where
# the in-kernel client falls short the scenario is a SKIP naming what it
# did, and its kernel log lines count as its own (tests/vm/run reports
# them as kernel-log-ref, a SKIP), so the run does not fail on them.
# The client speaks 9P2000.L only: the 9P2000.Lx scenarios (lx-*) are
# each a SKIP saying so; the others run in 9P2000.L sessions.

HOSTILE_CLIENT=stock
# shellcheck source=tests/vm/guest/hostile.sh
. /tests/hostile.sh
