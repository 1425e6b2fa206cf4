# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# IDS_CLIENT is read by ids.sh.
# shellcheck disable=SC2034
#
# Phase "upids" (boot "upstream"): the identity checks of ids.sh through
# the in-kernel client with the 9P2000.Lx series (loaded by phase "up"),
# mounted with version=9p2000.Lx: in a 9P2000.Lx session st_ino and
# d_ino are the host's and every host filesystem has its own st_dev, as
# with 9plx; after the fallback to 9P2000.L, what Debian's modules do.

IDS_CLIENT=upstream
# shellcheck source=tests/vm/guest/ids.sh
. /tests/ids.sh
