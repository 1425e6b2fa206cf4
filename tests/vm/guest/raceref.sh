# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "raceref": the races of race.sh through the in-kernel client
# (9P2000.L), loaded by the "ref" phase.

RACE_CLIENT=stock
# shellcheck source=tests/vm/guest/race.sh
. /tests/race.sh
