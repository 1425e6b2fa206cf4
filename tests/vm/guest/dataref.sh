# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "dataref": the page-cache cases of data.sh through the in-kernel
# client (9P2000.L), loaded by the "ref" phase: the reference.

DATA_CLIENT=stock
# shellcheck source=tests/vm/guest/data.sh
. /tests/data.sh
