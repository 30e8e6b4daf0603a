# packaging/: installing NanoOs, and its Debian package.
#
#   make install [DESTDIR=D] [PREFIX=/usr] [NO_SYSTEMD=1]
#       $(PREFIX)/bin/nanoos, nanoos-cc     the command and the guest C compiler
#       $(PREFIX)/sbin/nanoosd              the daemon
#       $(PREFIX)/lib/nanoos/sdk/           nanoos-cc's SDK (headers, crt0, nanoos.ld, libnanoos)
#       $(PREFIX)/lib/nanoos/rootfs/        the RV32 userland new images are made from
#       $(PREFIX)/lib/nanoos/nanoos-binfmt  the binfmt_misc interpreter (`nanoos binfmt`)
#       $(PREFIX)/lib/binfmt.d/nanoos.conf  the binfmt_misc entry for systemd-binfmt
#       $(PREFIX)/share/nanoos/firmware/    the ATmega2560 firmware (`nanoos flash`)
#       $(PREFIX)/share/man/, $(PREFIX)/share/bash-completion/completions/
#       and, without NO_SYSTEMD=1, nanoosd.service and the sysusers.d entry
#       (the Debian build leaves those to dh_installsystemd and dh_installsysusers)
#   make deb
#       build/deb/nanoos_VERSION_ARCH.deb by dpkg-buildpackage from a copy of
#       this tree with packaging/debian as debian/, then lintian on it
#       (packaging/debian/nanoos.lintian-overrides says why each override).

PREFIX ?= /usr
DESTDIR ?=
NO_SYSTEMD ?=
PKG_LIB := $(PREFIX)/lib/nanoos
PKG_BINFMT := $(BUILD)/lib/nanoos/nanoos-binfmt
PKG_FIRMWARE := $(BUILD)/firmware/nanoos-atmega2560.hex
PKG_DIR := build/deb
PKG_SRC := $(PKG_DIR)/src/nanoos-$(NANOOS_VERSION)
PKG_ARCH = $(shell dpkg --print-architecture)
PKG_DEB = $(PKG_DIR)/nanoos_$(NANOOS_VERSION)_$(PKG_ARCH).deb

# Installed paths in the files that name them, for a PREFIX other than /usr.
PKG_SED := sed -e 's|/usr/lib/nanoos|$(PKG_LIB)|g' -e 's|/usr/sbin/nanoosd|$(PREFIX)/sbin/nanoosd|g' \
               -e 's|/usr/bin/nanoos|$(PREFIX)/bin/nanoos|g'

.PHONY: install install-files install-smoke deb
install-files: $(BUILD)/bin/nanoos $(BUILD)/bin/nanoosd $(PKG_BINFMT) rootfs usr-sdk firmware

install: install-files
	@echo "  INSTALL $(DESTDIR)$(PREFIX)"
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PKG_LIB) \
		$(DESTDIR)$(PREFIX)/lib/binfmt.d $(DESTDIR)$(PREFIX)/share/nanoos/firmware \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	$(Q)install -m 0755 $(BUILD)/bin/nanoos $(DESTDIR)$(PREFIX)/bin/nanoos
	$(Q)install -m 0755 $(BUILD)/bin/nanoosd $(DESTDIR)$(PREFIX)/sbin/nanoosd
	$(Q)install -m 0755 $(PKG_BINFMT) $(DESTDIR)$(PKG_LIB)/nanoos-binfmt
	$(Q)sed -e 's|@SDK_DIR@|$(PKG_LIB)/sdk|g' -e 's|@VERSION@|$(NANOOS_VERSION)|g' \
		usr/nanoos-cc.in > $(DESTDIR)$(PREFIX)/bin/nanoos-cc
	$(Q)chmod 0755 $(DESTDIR)$(PREFIX)/bin/nanoos-cc
	$(Q)packaging/install-tree.sh $(BUILD)/usr/sdk $(DESTDIR)$(PKG_LIB)/sdk
	$(Q)packaging/install-tree.sh $(BUILD)/rootfs $(DESTDIR)$(PKG_LIB)/rootfs
	$(Q)$(PKG_SED) packaging/binfmt/nanoos.conf > $(DESTDIR)$(PREFIX)/lib/binfmt.d/nanoos.conf
	$(Q)install -m 0644 $(PKG_FIRMWARE) $(DESTDIR)$(PREFIX)/share/nanoos/firmware/
	$(Q)install -m 0644 packaging/man/nanoos.1 packaging/man/nanoos-cc.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	$(Q)install -m 0644 packaging/man/nanoosd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	$(Q)install -m 0644 packaging/bash-completion/nanoos $(DESTDIR)$(PREFIX)/share/bash-completion/completions/
	$(Q)ln -sf nanoos $(DESTDIR)$(PREFIX)/share/bash-completion/completions/nanoosd
	$(Q)ln -sf nanoos $(DESTDIR)$(PREFIX)/share/bash-completion/completions/nanoos-cc
ifeq ($(NO_SYSTEMD),)
	$(Q)install -d $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d
	$(Q)$(PKG_SED) packaging/debian/nanoos.nanoosd.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/nanoosd.service
	$(Q)install -m 0644 packaging/debian/nanoos.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/nanoos.conf
endif

# What the Debian build checks of what it built (not the test suite).
install-smoke: install-files
	$(Q)packaging/smoke.sh $(BUILD)

deb:
	$(Q)packaging/make-deb.sh $(PKG_DIR) $(NANOOS_VERSION)

# The service manager's end of sd_notify, for tests/integration/package.sh.
ALL_EXTRA += $(BUILD)/tests/tools/notify_listen
$(BUILD)/tests/tools/notify_listen: tests/tools/notify_listen.c
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(LDFLAGS)
