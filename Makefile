# SPDX-License-Identifier: GPL-2.0
#
# 9plx: out-of-tree 9P2000.Lx client module.
#
#   make                      build 9plx.ko for the running kernel
#   make KDIR=/lib/modules/<ver>/build
#                             build for another kernel (in this tree)
#   make KVER=<ver> module-kver
#                             build into build/<ver>/9plx.ko, so modules
#                             for several kernels can sit side by side
#   make modules-all          both Debian 12 kernels (6.12 and 6.1)
#   make kunit | vmtest | qtest | fuzz | check | demo
#   make hostile              the hostile 9P server's scenarios, 9plx and
#                             the in-kernel client, in a 6.12 guest
#   make bench [BENCH_ROUNDS=3 BENCH_SEQ_MB=64 ...]
#                             in-kernel client vs 9plx, see tests/bench

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
SETUP_ENV = $(shell tools/setup --print-env)
K612 = $(patsubst K612=%,%,$(filter K612=%,$(SETUP_ENV)))-amd64
K61 = $(patsubst K61=%,%,$(filter K61=%,$(SETUP_ENV)))-amd64
SRCS = Kbuild VERSION $(shell find fs include -name '*.[ch]')

# make bench: rounds, sizes, msize and guest memory (tests/bench/README.md)
BENCH_ROUNDS ?= 3
BENCH_SEQ_MB ?= 64
BENCH_RAND_OPS ?= 2048
BENCH_FILES ?= 2000
BENCH_FILE_KB ?= 4
BENCH_TREE_FILES ?= 3000
BENCH_MSIZE ?= 524288
BENCH_MEM ?= 1024
BENCH_ARGS ?=
BENCH_VARS = BENCH_ROUNDS BENCH_SEQ_MB BENCH_RAND_OPS BENCH_FILES \
	BENCH_FILE_KB BENCH_TREE_FILES BENCH_MSIZE BENCH_MEM

.PHONY: all module module-kver modules-all kunit vmtest qtest fuzz check \
	demo bench hostile clean

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

build/%/9plx.ko: $(SRCS)
	mkdir -p build/$*/src
	cp -a Kbuild VERSION fs include build/$*/src/
	$(MAKE) -C /lib/modules/$*/build M=$(CURDIR)/build/$*/src \
		KCFLAGS=-Werror modules
	cp build/$*/src/9plx.ko $@

module-kver: build/$(KVER)/9plx.ko

modules-all: build/$(K612)/9plx.ko build/$(K61)/9plx.ko

kunit:
	tests/kunit/run

vmtest:
	tests/vm/run

qtest:
	tools/qemu/qtest.sh

fuzz:
	tests/fuzz/run

hostile:
	tests/tools/hostile-run

check:
	tests/check

demo:
	tools/demo

bench:
	$(foreach v,$(BENCH_VARS),$(v)=$($(v))) tests/bench/run $(BENCH_ARGS)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build
