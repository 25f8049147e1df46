# SPDX-License-Identifier: GPL-2.0
#
# ramchan top-level Makefile. `make help` lists the targets.

KVER ?=
ifneq ($(KVER),)
KDIR ?= $(shell tools/vm/kernel kdir $(KVER))
else
KDIR ?= /lib/modules/$(shell uname -r)/build
endif

.PHONY: all module clean deps help
all: module

help:
	@echo "make [KDIR=...|KVER=6.1|6.12|debug]  build kmod/ramchan.ko"
	@echo "make demo      build, boot the 6.12 guest, load ramchan, short bench of"
	@echo "               every mechanism + census, table and plots (~3 min)"
	@echo "make bench     the same with the full size sweep, 3 runs (~15 min)"
	@echo "make check     lint, dkms, selftests on 6.1, 6.12, debug and kcsan"
	@echo "make fuzz [FUZZ_SECONDS=600]  ramchan-fuzz in the debug guest"
	@echo "make soak [SOAK_RECORDS=100000000]  verified records, peers killed (debug guest)"
	@echo "make lint      checkpatch --strict, sparse (C=2), W=1"
	@echo "make dkms-check  dkms add + build against the 6.1 and 6.12 headers"
	@echo "make selftests build and install the kselftests in build/kselftest"
	@echo "make vm KVER=6.12 CMD='...'  run a command in a guest"
	@echo "make deps      install the Debian packages ramchan needs"

module:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "No kernel build tree at KDIR=$(KDIR)."; \
		echo "Install the headers of the running kernel, or set KDIR=/path/to/build,"; \
		echo "or build for a test kernel: make KVER=6.1|6.12|debug (after make deps)."; \
		exit 1; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	-[ -d "$(KDIR)" ] && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf build

deps:
	@tools/deps

# The kselftests build inside the kernel's own selftests tree (lib.mk,
# kselftest_harness.h), extracted from Debian's linux-source at build time
# and hard-linked into build/ksft-tree (so that checkouts building at once
# do not share it), and install kselftest-style (run_kselftest.sh) into
# build/kselftest.
KSFT_INSTALL ?= $(CURDIR)/build/kselftest
KSFT_TREE ?= $(CURDIR)/build/ksft-tree
KSFT_OBJ ?= $(CURDIR)/build/ksft-obj

.PHONY: selftests
selftests:
	@src=$$(tools/vm/build-debug-kernel --source-only) || exit 1; \
	tree=$(KSFT_TREE); \
	if [ ! -e $$tree/.from ] || [ "$$(cat $$tree/.from)" != "$$src" ]; then \
		rm -rf $$tree && mkdir -p $$tree/tools/testing && \
		cp -al $$src/tools/testing/selftests $$tree/tools/testing/ && \
		cp -al $$src/tools/include $$tree/tools/ && \
		mkdir -p $$tree/scripts && \
		cp -al $$src/scripts/subarch.include $$tree/scripts/ && \
		echo "$$src" > $$tree/.from; \
	fi; \
	ksft=$$tree/tools/testing/selftests; \
	rsync -a --delete selftests/ramchan/ $$ksft/ramchan/ && \
	rm -rf $(KSFT_INSTALL) && \
	$(MAKE) -s -C $$ksft TARGETS=ramchan RAMCHAN_SRC=$(CURDIR) \
		O=$(KSFT_OBJ) INSTALL_PATH=$(KSFT_INSTALL) install

.PHONY: lint dkms-check dkms-install check demo bench fuzz soak vm
lint:
	@tools/lint

dkms-check:
	@tools/dkms-check

# Install the DKMS package (kmod/, uapi/, dkms.conf) into /usr/src and build
# it for the running kernel.
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
dkms-install:
	rm -rf /usr/src/ramchan-$(DKMS_VERSION)
	mkdir -p /usr/src/ramchan-$(DKMS_VERSION)
	cp -r kmod uapi dkms.conf /usr/src/ramchan-$(DKMS_VERSION)/
	find /usr/src/ramchan-$(DKMS_VERSION) -name '*.o' -o -name '*.ko' -o \
		-name '*.mod*' -o -name '.*.cmd' | xargs rm -f
	dkms add ramchan/$(DKMS_VERSION)
	dkms install ramchan/$(DKMS_VERSION)

check:
	@tools/check

demo: deps
	@tools/demo

# make fuzz [FUZZ_SECONDS=600]: ramchan-fuzz in the debug guest.
fuzz: deps
	@tools/fuzz/run $(FUZZ_SECONDS)

# make soak [SOAK_RECORDS=100000000]: ramchan-soak in the debug guest.
soak: deps
	@tools/soak/run $(SOAK_RECORDS)

bench: deps
	@tools/demo --full

KVER_VM := $(if $(KVER),$(KVER),6.12)
vm: deps
	tools/vm/run --kernel $(KVER_VM) $(if $(CMD),-- $(CMD))
