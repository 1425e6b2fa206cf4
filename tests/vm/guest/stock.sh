# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# PFX is read by the reporting helpers in lib.sh.
# shellcheck disable=SC2034
#
# Phase "stock" (server "diod"): the kernel's own 9p client against the
# same diod, over tcp and unix, with the options it needs there
# (uname=root,access=any).  Proves the diod setup and the checks.

for _t in tcp unix; do
	PFX=stock/$_t-
	check mount c_dmounted "$_t" "$DM"
	check trans c_trans "$DM" "$_t"
	file_checks "$DM"
	check umount c_umount "$DM"
	umount_if "$DM"
done
