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
#                             (with KDIR=<tree> too: against that tree,
#                             e.g. the VM suite's debug kernel)
#                             A Debian 13 kernel (TRIXIE_KERNELS in
#                             tools/setup --print-env, e.g.
#                             KVER=7.3.4+deb13-amd64) is built for
#                             inside the trixie build root
#                             (tools/trixie-root), where its headers are
#   make modules-all          Debian 12's kernels (6.12 and 6.1) and
#                             the trixie root's (6.12, 7.2 and 7.3)
#   make deb                  9plx-dkms_<version>_all.deb (packaging/mkdeb)
#   make dkms-install         the same files, and DKMS builds for every
#                             kernel with headers, without a package
#   make dkms-uninstall       undo make dkms-install
#   make kunit | vmtest | qtest | fuzz | check | demo
#   make check-full           make check, and the 7.3 guest also against
#                             QEMU 7.2 and diod, and the package on Debian
#                             13: DKMS, and the switch booted on 7.3
#                             (tests/check --full)
#   make demo KVER=7.3.4+deb13-amd64
#                             the demo on the 7.3 guest
#   make hostile              the hostile 9P server's scenarios (9plx and
#                             the in-kernel client) and damaged replies
#                             from diod, in guests of the debug kernel
#   make torture [SECONDS=300]
#                             the page-cache torture with random seeds
#                             for SECONDS per client (tests/vm/README.md)
#   make bench [KVER=7.3.4+deb13-amd64] [BENCH_ROUNDS=3 BENCH_SEQ_MB=64 ...]
#                             in-kernel client vs 9plx on a 6.12 guest
#                             (or on the guest kernel KVER names: 7.3),
#                             see tests/bench

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
SETUP_ENV = $(shell tools/setup --print-env)
K612 = $(patsubst K612=%,%,$(filter K612=%,$(SETUP_ENV)))-amd64
K61 = $(patsubst K61=%,%,$(filter K61=%,$(SETUP_ENV)))-amd64
TRIXIE_ROOT = $(patsubst TRIXIE_ROOT=%,%,$(filter TRIXIE_ROOT=%,$(SETUP_ENV)))
TRIXIE_KVERS = $(patsubst %,%-amd64,$(subst $(comma), ,$(patsubst \
	TRIXIE_KERNELS=%,%,$(filter TRIXIE_KERNELS=%,$(SETUP_ENV)))))
comma := ,
VERSION := $(shell cat VERSION)
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

.PHONY: all module module-kver modules-all kunit vmtest qtest fuzz fuzz-vm torture \
	check check-full \
	demo bench hostile clean deb dkms-install dkms-uninstall

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# kdir_of KVER: the tree to build against: KDIR when it was given (on
# the command line or in the environment) for this KVER, else the
# kernel's build link.
kdir_of = $(or $(if $(filter-out file undefined,$(origin KDIR)),$(if \
	$(filter $(1),$(KVER)),$(KDIR))),/lib/modules/$(1)/build)
# kbuild_make KVER: the kernel's make for KVER; in the trixie build root
# when that tree is not on this machine and the root has KVER's headers.
kbuild_make = $(if $(wildcard $(call kdir_of,$(1))/Makefile),$(MAKE),$(if \
	$(wildcard $(TRIXIE_ROOT)/usr/src/linux-headers-$(1)/Makefile),$(strip \
	tools/trixie-root --exec make),$(MAKE)))

build/%/9plx.ko: $(SRCS)
	mkdir -p build/$*/src
	cp -a Kbuild VERSION fs include build/$*/src/
	$(call kbuild_make,$*) \
		-C $(call kdir_of,$*) \
		M=$(CURDIR)/build/$*/src \
		KCFLAGS=-Werror modules
	cp build/$*/src/9plx.ko $@

module-kver: build/$(KVER)/9plx.ko

modules-all: build/$(K612)/9plx.ko build/$(K61)/9plx.ko \
	$(patsubst %,build/%/9plx.ko,$(TRIXIE_KVERS))

deb:
	packaging/mkdeb

# As the package does: the files, then a build for every kernel that has
# its headers (dkms add/install; the package's postinst does the same).
dkms-install:
	packaging/install /
	dkms status -m 9plx -v $(VERSION) | grep -q . || dkms add -m 9plx -v $(VERSION)
	for d in /lib/modules/*/build/include; do \
		[ -e "$$d" ] || continue; \
		k=$${d%/build/include}; k=$${k##*/}; \
		dkms install -m 9plx -v $(VERSION) -k "$$k" || exit 1; \
	done

dkms-uninstall:
	if dkms status -m 9plx -v $(VERSION) | grep -q .; then \
		dkms remove -m 9plx -v $(VERSION) --all; fi
	rm -rf /usr/src/9plx-$(VERSION) /etc/modprobe.d/9plx.conf \
		/lib/modprobe.d/9plx.conf /usr/sbin/9plx-takeover \
		/usr/share/initramfs-tools/hooks/9plx

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

# Damaged replies from diod through nlxfuzz for SECONDS (the fuzz phase
# of the 6.12 diod boot; make check runs it for 60).
SECONDS ?= 300
fuzz-vm:
	NINEPLX_FUZZ_SECONDS=$(SECONDS) tests/vm/run -k 6.12 -s diod -b 9plx -p fuzz

# The page-cache torture with random seeds for SECONDS in each of the two
# boots (9plx, the in-kernel client), a third per cache mode; make check
# runs seeds 1-40 of each mode.
torture:
	NINEPLX_TORTURE_SECONDS=$(SECONDS) tests/vm/run -k 6.12 -s patched \
		-b 9plx -b ref -p torture -p tortureref

check:
	tests/check

check-full:
	tests/check --full

demo:
	tools/demo $(if $(filter command line,$(origin KVER)),-k $(KVER))

bench:
	$(foreach v,$(BENCH_VARS),$(v)=$($(v))) tests/bench/run \
		$(if $(filter command line,$(origin KVER)),-k $(KVER)) $(BENCH_ARGS)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build
