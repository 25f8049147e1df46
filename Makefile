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
	@echo "make htmldocs  the Sphinx HTML docs in build/htmldocs (-W)"
	@echo "make man-check the man pages, libramchan.map against them, htmldocs"
	@echo "make fuzz [FUZZ_SECONDS=600]  ramchan-fuzz in the debug guest"
	@echo "make soak [SOAK_RECORDS=100000000]  verified records, peers killed (debug guest)"
	@echo "make lint      checkpatch --strict, sparse (C=2), W=1"
	@echo "make dkms-check  dkms add + build against the 6.1 and 6.12 headers"
	@echo "make selftests build and install the kselftests in build/kselftest"
	@echo "make vm KVER=6.12 CMD='...'  run a command in a guest"
	@echo "make deps [SCOPE=user|module|vm]  install the Debian packages ramchan"
	@echo "               needs: userspace build only, + the module for the running"
	@echo "               kernel (headers, dkms), or the whole VM test setup (default)"
	@echo "make install [PREFIX=/usr/local] [DESTDIR=...] [INSTALL_MODULES_LOAD=1]"
	@echo "               libramchan, ramchan, ramchan-bench, headers, ramchan.pc,"
	@echo "               man page, completion, udev rule; the module through DKMS"
	@echo "make uninstall [PREFIX=...] [DESTDIR=...]  remove all of it"
	@echo "make install-test  install into a scratch DESTDIR, build and link a"
	@echo "               program with pkg-config against it, uninstall (no root)"
	@echo "make deb       Debian packages into build/deb: ramchan-dkms, libramchan0,"
	@echo "               libramchan-dev, ramchan-tools (dpkg-buildpackage -us -uc -b)"
	@echo "make deb-test  make deb, lintian, and the packages' contents checked"

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

# make deps [SCOPE=user|module|vm] (tools/deps --help); what runs guests
# needs the whole VM setup, whatever SCOPE says.
.PHONY: deps-vm
deps:
	@tools/deps $(or $(SCOPE),vm)

deps-vm:
	@tools/deps vm

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

# make install [PREFIX=/usr/local] [DESTDIR=...] [INSTALL_MODULES_LOAD=1]:
#  - userspace through tools/Makefile (libramchan.so.0/.so/.a, ramchan.h,
#    the uapi header linux/ramchan.h, ramchan.pc with the real prefix and
#    libdir, ramchan, ramchan-bench, ramchan(1), the bash completion);
#  - the module's DKMS source (kmod/, uapi/, dkms.conf: dkms.conf builds
#    in kmod/, so the top-level Kbuild does not ship) in
#    $(DESTDIR)/usr/src/ramchan-VERSION, and dkms add, build and install
#    when DESTDIR is empty and dkms exists (else it says what to run);
#  - the udev rule tools/udev/60-ramchan.rules (/dev/ramchan to group
#    ramchan, 0660) in UDEVRULESDIR: /lib/udev/rules.d for PREFIX /usr or
#    /usr/local, else $(PREFIX)/lib/udev/rules.d; group ramchan is created
#    when DESTDIR is empty;
#  - tools/modules-load.d/ramchan.conf as an example in DOCDIR, and as
#    /etc/modules-load.d/ramchan.conf only with INSTALL_MODULES_LOAD=1.
# make uninstall removes all of it (dkms remove when DESTDIR is empty); the
# group stays.
PREFIX ?= /usr/local
SYSTEM_PREFIXES := /usr /usr/local
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRCDIR = $(DESTDIR)/usr/src/ramchan-$(DKMS_VERSION)
UDEVRULESDIR ?= $(if $(filter $(SYSTEM_PREFIXES),$(PREFIX)),/lib/udev/rules.d,$(PREFIX)/lib/udev/rules.d)
DOCDIR ?= $(PREFIX)/share/doc/ramchan
MODULESLOADDIR ?= /etc/modules-load.d
# Build products of a checkout that must not ship in the DKMS source.
DKMS_JUNK := -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '.*.cmd' -o -name '*.order' -o -name Module.symvers -o -name '*.a' \
	-o -name '*.dwo' -o -name '.cache.mk' -o -name '.tmp_versions'

.PHONY: install uninstall install-tools install-dkms install-udev \
	install-modules-load uninstall-dkms
install: install-tools install-udev install-modules-load install-dkms

install-tools:
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

install-udev:
	install -d $(DESTDIR)$(UDEVRULESDIR)
	install -m 644 tools/udev/60-ramchan.rules $(DESTDIR)$(UDEVRULESDIR)/
	@if [ -n "$(DESTDIR)" ]; then \
		echo "install: DESTDIR set: not creating group ramchan, not reloading udev"; \
	else \
		getent group ramchan >/dev/null || { echo "groupadd --system ramchan"; groupadd --system ramchan; } && \
		if [ -z "$(filter $(SYSTEM_PREFIXES),$(PREFIX))" ]; then \
			echo "install: udev does not read $(UDEVRULESDIR): copy 60-ramchan.rules to /etc/udev/rules.d"; \
		elif command -v udevadm >/dev/null && [ -d /run/udev ]; then \
			udevadm control --reload-rules; \
			udevadm trigger --action=change --sysname-match=ramchan || true; \
		fi; \
	fi

install-modules-load:
	install -d $(DESTDIR)$(DOCDIR)/examples/modules-load.d
	install -m 644 tools/modules-load.d/ramchan.conf $(DESTDIR)$(DOCDIR)/examples/modules-load.d/
ifeq ($(INSTALL_MODULES_LOAD),1)
	install -d $(DESTDIR)$(MODULESLOADDIR)
	install -m 644 tools/modules-load.d/ramchan.conf $(DESTDIR)$(MODULESLOADDIR)/
endif

# The source goes where dkms looks for it, whatever PREFIX is.
install-dkms:
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null && \
	    [ -n "$$(dkms status -m ramchan -v $(DKMS_VERSION))" ]; then \
		echo "dkms remove ramchan/$(DKMS_VERSION) --all"; \
		dkms remove ramchan/$(DKMS_VERSION) --all; fi
	rm -rf $(DKMS_SRCDIR)
	install -d $(DKMS_SRCDIR)
	cp -r kmod uapi dkms.conf $(DKMS_SRCDIR)/
	find $(DKMS_SRCDIR) \( $(DKMS_JUNK) \) -prune -exec rm -rf {} +
	chmod -R u=rwX,go=rX $(DKMS_SRCDIR)
	@if [ -n "$(DESTDIR)" ]; then \
		echo "install: DESTDIR set: not running dkms (on the target: dkms install ramchan/$(DKMS_VERSION))"; \
	elif ! command -v dkms >/dev/null; then \
		echo "install: dkms not found: the module's source is in $(DKMS_SRCDIR);"; \
		echo "install: install dkms (make deps SCOPE=module) and run: dkms install ramchan/$(DKMS_VERSION)"; \
	else \
		echo "dkms add/build/install ramchan/$(DKMS_VERSION)"; \
		dkms add ramchan/$(DKMS_VERSION) && \
		dkms build ramchan/$(DKMS_VERSION) && \
		dkms install ramchan/$(DKMS_VERSION) || { \
			echo "install: dkms failed: are the headers of the running kernel installed (linux-headers-$$(uname -r), make deps SCOPE=module)?" >&2; \
			exit 1; }; \
		echo "install: ramchan.ko installed for $$(uname -r): modprobe ramchan"; \
	fi

uninstall: uninstall-dkms
	$(MAKE) -C tools uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-ramchan.rules \
		$(DESTDIR)$(MODULESLOADDIR)/ramchan.conf \
		$(DESTDIR)$(DOCDIR)/examples/modules-load.d/ramchan.conf
	-rmdir $(DESTDIR)$(DOCDIR)/examples/modules-load.d $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(DOCDIR) 2>/dev/null
	@[ -n "$(DESTDIR)" ] || echo "uninstall: group ramchan stays (groupdel ramchan removes it)"

uninstall-dkms:
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null && \
	    [ -n "$$(dkms status -m ramchan -v $(DKMS_VERSION))" ]; then \
		echo "dkms remove ramchan/$(DKMS_VERSION) --all"; \
		dkms remove ramchan/$(DKMS_VERSION) --all; fi
	rm -rf $(DKMS_SRCDIR)

.PHONY: install-test
install-test:
	@tools/install-test

# make deb: the Debian packages of debian/ (dpkg-buildpackage -us -uc -b)
# in DEB_DIR: ramchan-dkms, libramchan0, libramchan-dev, ramchan-tools
# (and their -dbgsym), the .changes and .buildinfo. The build runs in a
# copy of the tree, DEB_DIR/ramchan-VERSION (the files git tracks or would
# track, so no build products of the checkout), removed when it succeeds:
# the checkout stays clean. Needs dpkg-dev, debhelper and dh-dkms (make
# deps), and the userspace build's packages (make deps SCOPE=user).
# lintian --fail-on error,warning $(DEB_DIR)/*.changes checks them (make
# deb-test does, and looks inside).
DEB_DIR ?= $(CURDIR)/build/deb
DEB_SRC = $(DEB_DIR)/ramchan-$(DKMS_VERSION)
# Outside git (a tarball): what the copy leaves out, as .gitignore does.
DEB_NOT_SOURCE := --exclude=/build --exclude=/results --exclude=.git \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='*.cmd' --exclude='*.a' --exclude='*.so' --exclude='*.so.*' \
	--exclude='*.order' --exclude=Module.symvers --exclude=.tmp_versions

.PHONY: deb deb-test
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || { \
		echo "make deb: dpkg-buildpackage or dh missing: run make deps (or apt-get install dpkg-dev debhelper dh-dkms)" >&2; \
		exit 1; }
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
			rsync -a --from0 --files-from=- --ignore-missing-args ./ $(DEB_SRC)/; \
	else \
		rsync -a $(DEB_NOT_SOURCE) ./ $(DEB_SRC)/; \
	fi
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_SRC)
	@ls $(DEB_DIR)

deb-test:
	@tools/deb-test

# The module alone through DKMS, for the running kernel (as make install).
dkms-install: install-dkms

check:
	@tools/check

demo: deps-vm
	@tools/demo

# make fuzz [FUZZ_SECONDS=600]: ramchan-fuzz in the debug guest.
fuzz: deps-vm
	@tools/fuzz/run $(FUZZ_SECONDS)

# make soak [SOAK_RECORDS=100000000]: ramchan-soak in the debug guest.
soak: deps-vm
	@tools/soak/run $(SOAK_RECORDS)

bench: deps-vm
	@tools/demo --full

KVER_VM := $(if $(KVER),$(KVER),6.12)
vm: deps-vm
	tools/vm/run --kernel $(KVER_VM) $(if $(CMD),-- $(CMD))

# make htmldocs: the Sphinx HTML docs (Documentation/conf.py, index.rst) in
# build/htmldocs, warnings as errors; make man-check: the man pages, the
# library's map against them and the HTML build (tools/docs-check).
.PHONY: htmldocs man-check install-man uninstall-man
htmldocs:
	sphinx-build -q -W -b html -d build/htmldocs/.doctrees Documentation build/htmldocs

man-check:
	@tools/docs-check

# The man pages tools/Makefile does not install: ramchan-bench(1),
# ramchan(4), libramchan(3) and the function pages and links.
MANDIR ?= $(PREFIX)/share/man
MAN_EXTRA := Documentation/admin-guide/ramchan-bench.1 Documentation/admin-guide/ramchan.4 \
	$(wildcard Documentation/admin-guide/*.3)
install: install-man
uninstall: uninstall-man
install-man:
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man4
	for f in $(MAN_EXTRA); do \
		install -m 644 $$f $(DESTDIR)$(MANDIR)/man$${f##*.}/ || exit 1; done

uninstall-man:
	rm -f $(foreach f,$(MAN_EXTRA),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(f)))/$(notdir $(f)))
