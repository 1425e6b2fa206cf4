# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Phase "aclref": the POSIX ACL checks of acl.sh through the in-kernel
# client mounted with posixacl: the reference 9plx is held to.

ACL_CLIENT=stock
# shellcheck source=tests/vm/guest/acl.sh
. /tests/acl.sh
