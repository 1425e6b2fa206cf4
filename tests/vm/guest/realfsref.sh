# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "realfsref": the checks of realfs.sh through the in-kernel
# client (9P2000.L), loaded by the "ref" phase.

RF_CLIENT=stock
# shellcheck source=tests/vm/guest/realfs.sh
. /tests/realfs.sh
