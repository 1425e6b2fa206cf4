# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# SEEDS_* are read by seeds.sh.
# shellcheck disable=SC2034
#
# Phase "upseeds" (boot "upstream"): the seeds' case and the identity
# checks of seeds.sh through the in-kernel client with the 9P2000.Lx
# series (loaded by phase "up"), mounted with version=9p2000.Lx.

SEEDS_CLIENT=upstream
SEEDS_OPTS=trans=virtio,version=9p2000.Lx
# shellcheck source=tests/vm/guest/seeds.sh
. /tests/seeds.sh
