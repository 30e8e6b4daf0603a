# usr/: the guest side. The SDK (nanoos-cc, crt0, linker script, the
# libnanoos glue library, headers) and the first userland, RV32 programs
# that run on NanoOs and under qemu-riscv32.
#
#   $(BUILD)/bin/nanoos-cc         the compiler driver (usr/nanoos-cc.in)
#   $(BUILD)/usr/sdk/              the SDK it uses: include/, lib/{crt0.o,nanoos.ld,libnanoos.a}
#                                  (the Debian package installs it as /usr/lib/nanoos/sdk:
#                                  build nanoos-cc with USR_SDK_DIR=/usr/lib/nanoos/sdk)
#   $(BUILD)/rootfs/               the default image's tree: bin/ (usr/bin/*.c, sh from
#                                  usr/bin/sh/), etc/passwd, etc/shadow, etc/group, home/user, root, tmp
#   $(BUILD)/usr/tests/t-*         TAP tests per system-call group (usr/tests/), not in the rootfs
#
# `make rootfs` builds the tree, `make usr-tests` the tests; both are in `make`.
# tests/integration/usr-sdk.sh runs them all under qemu-riscv32.

USR_CROSS_CC ?= riscv64-unknown-elf-gcc
# Where nanoos-cc looks for the SDK: relative to its own directory, or absolute.
USR_SDK_DIR ?= ../usr/sdk
USR_VERSION ?= $(NANOOS_VERSION)

USR_AR := $(patsubst %gcc,%ar,$(USR_CROSS_CC))
USR_SDK := $(BUILD)/usr/sdk
USR_NANOOS_CC := $(BUILD)/bin/nanoos-cc
USR_TARGET := -march=rv32i -mabi=ilp32 --specs=picolibc.specs
USR_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror
# The glue library implements GNU extensions too (execvpe, strchrnul users).
USR_LIB_CFLAGS := $(USR_CFLAGS) -D_GNU_SOURCE

USR_HEADERS := $(wildcard usr/sdk/include/*.h usr/sdk/include/sys/*.h)
USR_SDK_HEADERS := $(USR_HEADERS:usr/sdk/include/%=$(USR_SDK)/include/%)
USR_LIB_SRC := $(wildcard usr/sdk/libnanoos/*.c usr/sdk/libnanoos/*.S)
USR_LIB_OBJ := $(USR_LIB_SRC:usr/sdk/libnanoos/%=$(BUILD)/usr/obj/libnanoos/%.o)
USR_SDK_FILES := $(USR_SDK)/lib/libnanoos.a $(USR_SDK)/lib/crt0.o $(USR_SDK)/lib/nanoos.ld \
                 $(USR_SDK_HEADERS)

USR_PROGS := $(basename $(notdir $(wildcard usr/bin/*.c))) sh
USR_PROG_BINS := $(USR_PROGS:%=$(BUILD)/rootfs/bin/%)
USR_SH_SRC := $(wildcard usr/bin/sh/*.c)
USR_TESTS := $(basename $(notdir $(wildcard usr/tests/t-*.c)))
USR_TEST_BINS := $(USR_TESTS:%=$(BUILD)/usr/tests/%)
USR_ROOTFS_ETC := $(BUILD)/rootfs/etc/passwd $(BUILD)/rootfs/etc/shadow $(BUILD)/rootfs/etc/group

ALL_EXTRA += rootfs usr-tests

.PHONY: rootfs usr-tests usr-sdk usr-toolchain-check
rootfs: $(USR_PROG_BINS) $(USR_ROOTFS_ETC) | usr-toolchain-check
	@mkdir -p $(BUILD)/rootfs/home/user $(BUILD)/rootfs/root $(BUILD)/rootfs/tmp
usr-tests: $(USR_TEST_BINS)
usr-sdk: $(USR_NANOOS_CC) $(USR_SDK_FILES)

# Without the cross compiler nothing here can be built: say which package.
usr-toolchain-check:
	@command -v $(USR_CROSS_CC) >/dev/null 2>&1 || { \
		echo "usr: $(USR_CROSS_CC) is missing (Debian packages gcc-riscv64-unknown-elf and"; \
		echo "usr: picolibc-riscv64-unknown-elf): run packaging/install-deps.sh"; exit 1; }
	@test -f "$$($(USR_CROSS_CC) -print-file-name=picolibc.specs)" || { \
		echo "usr: picolibc for RISC-V is missing (Debian package picolibc-riscv64-unknown-elf):"; \
		echo "usr: run packaging/install-deps.sh"; exit 1; }

# ---------------------------------------------------------------- the SDK
$(USR_NANOOS_CC): usr/nanoos-cc.in
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)sed -e 's|@SDK_DIR@|$(USR_SDK_DIR)|g' -e 's|@VERSION@|$(USR_VERSION)|g' $< > $@.tmp
	$(Q)chmod +x $@.tmp && mv $@.tmp $@

$(USR_SDK)/include/%.h: usr/sdk/include/%.h
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

$(USR_SDK)/lib/nanoos.ld: usr/sdk/nanoos.ld
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

$(USR_SDK)/lib/crt0.o: usr/sdk/crt0.S | usr-toolchain-check
	@mkdir -p $(dir $@)
	@echo "  RV-AS   $<"
	$(Q)$(USR_CROSS_CC) $(USR_TARGET) -c $< -o $@

$(BUILD)/usr/obj/libnanoos/%.c.o: usr/sdk/libnanoos/%.c usr/sdk/libnanoos/sys.h $(USR_HEADERS) \
		| usr-toolchain-check
	@mkdir -p $(dir $@)
	@echo "  RV-CC   $<"
	$(Q)$(USR_CROSS_CC) $(USR_TARGET) $(USR_LIB_CFLAGS) -Iusr/sdk/include -c $< -o $@

$(BUILD)/usr/obj/libnanoos/%.S.o: usr/sdk/libnanoos/%.S | usr-toolchain-check
	@mkdir -p $(dir $@)
	@echo "  RV-AS   $<"
	$(Q)$(USR_CROSS_CC) $(USR_TARGET) -c $< -o $@

$(USR_SDK)/lib/libnanoos.a: $(USR_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(USR_AR) rcs $@ $^

# ---------------------------------------------------------------- programs
$(BUILD)/rootfs/bin/%: usr/bin/%.c $(wildcard usr/bin/lib/*.h) $(USR_NANOOS_CC) $(USR_SDK_FILES)
	@mkdir -p $(dir $@)
	@echo "  RV-CCLD $@"
	$(Q)$(USR_NANOOS_CC) $(USR_CFLAGS) $< -o $@

$(BUILD)/rootfs/bin/sh: $(USR_SH_SRC) usr/bin/sh/sh.h $(USR_NANOOS_CC) $(USR_SDK_FILES)
	@mkdir -p $(dir $@)
	@echo "  RV-CCLD $@"
	$(Q)$(USR_NANOOS_CC) $(USR_CFLAGS) $(USR_SH_SRC) -o $@

$(BUILD)/rootfs/etc/%: usr/rootfs/etc/%
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

$(BUILD)/usr/tests/%: usr/tests/%.c usr/tests/tap.h $(USR_NANOOS_CC) $(USR_SDK_FILES)
	@mkdir -p $(dir $@)
	@echo "  RV-CCLD $@"
	$(Q)$(USR_NANOOS_CC) $(USR_CFLAGS) $< -o $@
