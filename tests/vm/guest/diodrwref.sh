# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "diodrwref" (server "diod"): the read-write checks of rw.sh
# through the in-kernel client, loaded by the "setup" phase of the
# "ref" boot, over tcp to diod: the reference for phase "diodrw".

RW_CLIENT=stock
# shellcheck source=tests/vm/guest/diodrw.sh
. /tests/diodrw.sh
