# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "idsref": the checks of ids.sh through the in-kernel client
# (9P2000.L), loaded by the "ref" phase.

IDS_CLIENT=stock
# shellcheck source=tests/vm/guest/ids.sh
. /tests/ids.sh
