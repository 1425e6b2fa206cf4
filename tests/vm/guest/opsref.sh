# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "opsref": the checks of ops.sh through the in-kernel client,
# loaded by the "ref" phase: the reference 9plx is held to.

OPS_CLIENT=stock
# shellcheck source=tests/vm/guest/ops.sh
. /tests/ops.sh
