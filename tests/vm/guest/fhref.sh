# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "fhref": the checks of fh.sh through the in-kernel client
# (9P2000.L), loaded by the "ref" phase.

FH_CLIENT=stock
# shellcheck source=tests/vm/guest/fh.sh
. /tests/fh.sh
