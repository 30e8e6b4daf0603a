# NanoOs for Linux: one build for every part.
#
#   make                 build every Linux part into build/
#   make test            run every test (ends with "N passed, N failed")
#   make soak            the same tests at full scale (the counts the issues name)
#   make bench           benchmarks, as ratios against peers measured in the same run
#   make firmware-check  compile the portable parts for AVR (atmega2560)
#   make run             install what is missing, build, boot NanoOs with its shell
#   make install         install under $(DESTDIR)$(PREFIX) (packaging/rules.mk)
#   make deb             the Debian package build/deb/nanoos_VERSION_ARCH.deb
#   make clean
#
#   SAN=address,undefined or SAN=thread: a sanitizer build in build/san-*/

SHELL := /bin/bash
CC ?= gcc
SAN ?=
V ?= 0
comma := ,

ifeq ($(SAN),)
BUILD := build
SANFLAGS :=
else
BUILD := build/san-$(subst $(comma),-,$(SAN))
SANFLAGS := -fsanitize=$(SAN) -fno-omit-frame-pointer
endif

# The version: the newest entry of packaging/debian/changelog, its one source.
NANOOS_VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' packaging/debian/changelog)

# EXTRA_CFLAGS and EXTRA_LDFLAGS: the Debian build's hardening flags (dpkg-buildflags).
CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -pthread $(SANFLAGS) \
          -DNANOOS_VERSION='"$(NANOOS_VERSION)"' $(EXTRA_CFLAGS)
LDFLAGS := -pthread $(SANFLAGS) $(EXTRA_LDFLAGS)
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

ifeq ($(V),0)
Q := @
else
Q :=
endif

.DEFAULT_GOAL := all
.PHONY: all test soak bench firmware-check run clean deps-check fuzz

# ---------------------------------------------------------------- libraries
# The portable parts (kproc/, msg/wire.c) are compiled once; the message core
# is compiled once per backend.
PORTABLE_SRC := kproc/nos_errno.c kproc/kproc.c msg/wire.c \
                kproc/sdcard.c kproc/sd_ram.c kproc/sd_fault.c \
                kproc/sd_msg.c kproc/fs_policy.c
PORTABLE_SRC += sdimage/fat_format.c sdimage/mbr.c
PORTABLE_SRC += kproc/fat_vol.c kproc/fat_chain.c kproc/fat_dir.c kproc/fat_file.c kproc/fat_path.c
PORTABLE_SRC += kproc/fs.c kproc/fs_client.c
PORTABLE_SRC += kproc/fat_check.c
# Linux port code (POSIX), in both Linux libraries.
LINUX_SRC := sdimage/sd_file.c sdimage/volume.c
# Libraries every Linux program of ours links after libnanoos.
LDLIBS :=
# What the parts' own make fragments add to `make` and `make bench`.
ALL_EXTRA :=
BENCH_SCRIPTS :=
ONE_BACKEND_SUITES :=
AVR_CHECK_OBJ :=
CLI_EXTRA_SRC :=
CLI_CFLAGS :=
CLI_LDLIBS :=

# Each part keeps its own rules in PART/rules.mk, which only appends to the
# lists above (PORTABLE_SRC, LINUX_SRC, LDLIBS, ONE_BACKEND_SUITES,
# AVR_CHECK_OBJ, ALL_EXTRA, BENCH_SCRIPTS) and adds rules of its own.
include $(sort $(wildcard */rules.mk)) $(sort $(wildcard tests/*/rules.mk))

PORTABLE_OBJ := $(PORTABLE_SRC:%.c=$(BUILD)/obj/%.o)
LINUX_OBJ := $(LINUX_SRC:%.c=$(BUILD)/obj/%.o)

all: $(BUILD)/lib/libnanoos_threads.a $(BUILD)/lib/libnanoos_coro.a tests bench-bins fuzz-bins \
     $(BUILD)/bin/nanoos $(ALL_EXTRA)

THREADS_OBJ := $(BUILD)/obj/msg/msg_core.threads.o $(BUILD)/obj/msg/msg_threads.o \
               $(BUILD)/obj/msg/port_linux.o
CORO_OBJ := $(BUILD)/obj/msg/msg_core.coro.o $(BUILD)/obj/msg/msg_coro.o \
            $(BUILD)/obj/msg/coro_x86_64.o $(BUILD)/obj/msg/port_linux.o

HEADERS := $(wildcard msg/*.h kproc/*.h sdimage/*.h vm-rv32i/*.h nanoosd/*.h fuse-bridge/*.h)

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/msg/msg_core.threads.o: msg/msg_core.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (threads)"
	$(Q)$(CC) $(CFLAGS) -DMSG_BACKEND_THREADS -c $< -o $@
$(BUILD)/obj/msg/msg_core.coro.o: msg/msg_core.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (coroutines)"
	$(Q)$(CC) $(CFLAGS) -DMSG_BACKEND_CORO -c $< -o $@
$(BUILD)/obj/msg/msg_core.hooks.o: msg/msg_core.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (threads, test hooks)"
	$(Q)$(CC) $(CFLAGS) -DMSG_BACKEND_THREADS -DMSG_TEST_HOOKS -c $< -o $@
$(BUILD)/obj/msg/msg_threads.o: msg/msg_threads.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -DMSG_BACKEND_THREADS -c $< -o $@
$(BUILD)/obj/msg/msg_coro.o: msg/msg_coro.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -DMSG_BACKEND_CORO -c $< -o $@
$(BUILD)/obj/msg/coro_x86_64.o: msg/coro_x86_64.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/lib/libnanoos_threads.a: $(THREADS_OBJ) $(PORTABLE_OBJ) $(LINUX_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^
$(BUILD)/lib/libnanoos_coro.a: $(CORO_OBJ) $(PORTABLE_OBJ) $(LINUX_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

# ---------------------------------------------------------------- the nanoos command
CLI_SRC := $(wildcard cli/*.c)

# Parts linked into the command (fuse-bridge/) append to CLI_EXTRA_SRC,
# CLI_CFLAGS and CLI_LDLIBS in their rules.mk.
$(BUILD)/bin/nanoos: $(CLI_SRC) $(CLI_EXTRA_SRC) $(wildcard cli/*.h) $(HEADERS) \
		$(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $(CLI_CFLAGS) $(CLI_SRC) $(CLI_EXTRA_SRC) -o $@ \
		$(BUILD)/lib/libnanoos_threads.a $(LDFLAGS) $(LDLIBS) $(CLI_LDLIBS)

# ---------------------------------------------------------------- unit tests
# Suites that run on both msg backends are linked twice.
BOTH_BACKEND_SUITES := msg kproc fs sdcard
ONE_BACKEND_SUITES += wire fs_policy
ONE_BACKEND_SUITES += format
ONE_BACKEND_SUITES += fat
ONE_BACKEND_SUITES += powercut
ONE_BACKEND_SUITES += fatcheck
TEST_BINS := $(foreach s,$(BOTH_BACKEND_SUITES),$(BUILD)/tests/test_$(s)_threads $(BUILD)/tests/test_$(s)_coro) \
             $(foreach s,$(ONE_BACKEND_SUITES),$(BUILD)/tests/test_$(s))

.PHONY: tests
tests: $(TEST_BINS) $(BUILD)/tests/test_msgrace

# The race suite links the core built with its test hooks instead.
$(BUILD)/tests/test_msgrace: tests/unit/test_msgrace.c tests/unit/testutil.h \
		$(BUILD)/obj/msg/msg_core.hooks.o $(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $(CHECK_CFLAGS) $< -o $@ $(BUILD)/obj/msg/msg_core.hooks.o \
		$(filter-out %/msg_core.threads.o,$(THREADS_OBJ)) $(PORTABLE_OBJ) $(LINUX_OBJ) \
		$(LDFLAGS) $(LDLIBS) $(CHECK_LIBS)

$(BUILD)/tests/test_%_threads: tests/unit/test_%.c tests/unit/testutil.h $(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $(CHECK_CFLAGS) -DTEST_BACKEND='"threads"' $< -o $@ \
		$(BUILD)/lib/libnanoos_threads.a $(LDFLAGS) $(LDLIBS) $(CHECK_LIBS)
$(BUILD)/tests/test_%_coro: tests/unit/test_%.c tests/unit/testutil.h $(BUILD)/lib/libnanoos_coro.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $(CHECK_CFLAGS) -DTEST_BACKEND='"coro"' $< -o $@ \
		$(BUILD)/lib/libnanoos_coro.a $(LDFLAGS) $(LDLIBS) $(CHECK_LIBS)
$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/testutil.h $(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $(CHECK_CFLAGS) -DTEST_BACKEND='"threads"' $< -o $@ \
		$(BUILD)/lib/libnanoos_threads.a $(LDFLAGS) $(LDLIBS) $(CHECK_LIBS)

# NANOOS_SCALE: 1 = make test (a tenth of the issues' counts), 10 = make soak.
test: deps-check
	$(Q)$(MAKE) --no-print-directory all firmware-check
	$(Q)NANOOS_SCALE=$${NANOOS_SCALE:-1} tests/run-tests.sh $(BUILD)

soak: deps-check
	$(Q)$(MAKE) --no-print-directory all firmware-check
	$(Q)NANOOS_SCALE=10 tests/run-tests.sh $(BUILD)

deps-check:
	$(Q)packaging/install-deps.sh --check >/dev/null || { \
		echo "make: some Debian packages NanoOs needs are missing; installing them with packaging/install-deps.sh"; \
		packaging/install-deps.sh; }

# ---------------------------------------------------------------- fuzzing
# tests/fuzz/fuzz_fat.c: one target, two drivers. make test runs it built
# with gcc over seeds and seeded mutations (tests/integration/fuzz-fat.sh);
# make fuzz runs it under clang's libFuzzer with ASan+UBSan for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_LIB_SRC := $(PORTABLE_SRC) msg/msg_core.c msg/msg_threads.c msg/port_linux.c $(LINUX_SRC)

.PHONY: fuzz fuzz-bins
fuzz-bins: $(BUILD)/fuzz/fuzz_fat
$(BUILD)/fuzz/fuzz_fat: tests/fuzz/fuzz_fat.c tests/fuzz/fuzz_driver.c $(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) tests/fuzz/fuzz_fat.c tests/fuzz/fuzz_driver.c -o $@ \
		$(BUILD)/lib/libnanoos_threads.a $(LDFLAGS) $(LDLIBS)

fuzz: deps-check
	@mkdir -p build/libfuzzer/corpus
	clang -std=gnu11 -g -O1 -I. -pthread -DMSG_BACKEND_THREADS \
		-fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_fat.c $(FUZZ_LIB_SRC) \
		-o build/libfuzzer/fuzz_fat $(LDLIBS)
	tests/fuzz/make-seeds.sh build/libfuzzer/seeds
	build/libfuzzer/fuzz_fat -max_total_time=$(FUZZ_SECONDS) -max_len=1048576 \
		-timeout=10 build/libfuzzer/corpus build/libfuzzer/seeds

# ---------------------------------------------------------------- benchmarks
.PHONY: bench-bins
bench-bins: $(BUILD)/bench/bench_msg

$(BUILD)/bench/bench_msg: bench/bench_msg.c $(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(BUILD)/lib/libnanoos_threads.a $(LDFLAGS) $(LDLIBS)

bench: all
	$(Q)$(BUILD)/bench/bench_msg
	$(Q)bench/bench_sdimage.sh $(BUILD)
	$(Q)for s in $(BENCH_SCRIPTS); do $$s $(BUILD) || exit 1; done

# ---------------------------------------------------------------- firmware
# The portable parts and the coroutine backend, compiled and linked for the
# Arduino Mega 2560 (see firmware/).
AVR_MCU := atmega2560
AVR_CC := avr-gcc
AVR_CFLAGS := -mmcu=$(AVR_MCU) -std=gnu11 -Os -Wall -Wextra -Werror -I. -DMSG_BACKEND_CORO \
              -DF_CPU=16000000UL -ffunction-sections -fdata-sections
AVR_SRC := msg/msg_core.c msg/msg_coro.c msg/wire.c kproc/nos_errno.c kproc/kproc.c \
           firmware/port_avr.c firmware/uart_avr.c firmware/selftest.c firmware/msgcheck.c
AVR_OBJ := $(AVR_SRC:%.c=build/avr/%.o) build/avr/msg/coro_avr.o

build/avr/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  AVR-CC  $<"
	$(Q)$(AVR_CC) $(AVR_CFLAGS) -c $< -o $@
build/avr/msg/coro_avr.o: msg/coro_avr.S
	@mkdir -p $(dir $@)
	@echo "  AVR-AS  $<"
	$(Q)$(AVR_CC) $(AVR_CFLAGS) -c $< -o $@
build/firmware/msgcheck-$(AVR_MCU).elf: $(AVR_OBJ)
	@mkdir -p $(dir $@)
	@echo "  AVR-LD  $@"
	$(Q)$(AVR_CC) $(AVR_CFLAGS) -Wl,--gc-sections $^ -o $@

# Portable parts msgcheck does not link (its --gc-sections would drop them
# anyway): compiled for AVR only to prove they build there.
AVR_CHECK_OBJ += build/avr/kproc/sdcard.o build/avr/kproc/sd_ram.o build/avr/kproc/sd_fault.o \
                 build/avr/kproc/sd_msg.o build/avr/kproc/fs_policy.o
AVR_CHECK_OBJ += build/avr/sdimage/fat_format.o build/avr/sdimage/mbr.o
AVR_CHECK_OBJ += build/avr/kproc/fat_vol.o build/avr/kproc/fat_chain.o build/avr/kproc/fat_dir.o \
                 build/avr/kproc/fat_file.o build/avr/kproc/fat_path.o
AVR_CHECK_OBJ += build/avr/kproc/fs.o build/avr/kproc/fs_client.o
AVR_CHECK_OBJ += build/avr/kproc/fat_check.o

firmware-check: build/firmware/msgcheck-$(AVR_MCU).elf $(AVR_CHECK_OBJ)
	$(Q)avr-size -C --mcu=$(AVR_MCU) $<

# ---------------------------------------------------------------- run
run: deps-check
	$(Q)$(MAKE) --no-print-directory all
	@echo "make run: NanoOs boots in this terminal: the daemon (nanoosd) on the default image"
	@echo "  (\$${NANOOS_IMAGE:-\$${XDG_DATA_HOME:-~/.local/share}/nanoos/sd.img}, made from"
	@echo "  build/rootfs on first use) and its shell; type 'exit' or ^D to leave, which stops"
	@echo "  the daemon this started (a daemon that was already running keeps running)."
	$(Q)cli/make-run.sh $(BUILD)

clean:
	rm -rf build
