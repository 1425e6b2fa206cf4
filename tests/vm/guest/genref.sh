# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "genref": the checks of gen.sh through the in-kernel client
# (9P2000.L), loaded by the "ref" phase.

GEN_CLIENT=stock
# shellcheck source=tests/vm/guest/gen.sh
. /tests/gen.sh
