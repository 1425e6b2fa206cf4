# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "unix" (server "diod"): 9plx over trans=unix to diod's socket.

PFX=unix/
check mount c_dmounted unix "$DM"
check version c_version "$DM" "$DIOD_VERSION"
check trans c_trans "$DM" unix
file_checks "$DM"
check umount c_umount "$DM"
umount_if "$DM"
check no-socket c_d_mount_fails /run/nlx-no-such.sock "trans=unix,$DIOD_OPTS" "cannot connect"
