# bench/rules.mk: the RV32 CPU against qemu-riscv32 -- its differential
# tests and its benchmark.
#
#   BUILD/tests/rv32-exec          bare runner on the real CPU, memory and loader
#   BUILD/tests/rv32-gen           random RV32IM program generator
#   BUILD/tests/rv32/harness.o     start and register dump of every test program
#   BUILD/tests/rv32/isa/*.elf     the ISA programs (tests/rv32/isa/*.S)
#   BUILD/bench/guest/*-rv32im.elf, *-rv32i.elf   the benchmark's guests
#
# tests/integration/rv32-isa.sh and rv32-diff.sh use the first four;
# bench/bench_cpu.sh (in BENCH_SCRIPTS) the guests.

RV_CC := riscv64-unknown-elf-gcc
RV_TEST_ARCH := -march=rv32im_zicsr_zifencei -mabi=ilp32
# gp is not set up by the harness: no relaxation against it. The SMC test
# needs a writable and executable segment.
RV_TEST_LDFLAGS := -nostdlib -static -Ttext=0x10000 -Wl,--no-relax -Wl,--no-warn-rwx-segments

RV32_HARNESS_OBJ := $(BUILD)/tests/rv32/harness.o
RV32_ISA_ELF := $(patsubst tests/rv32/isa/%.S,$(BUILD)/tests/rv32/isa/%.elf,$(wildcard tests/rv32/isa/*.S))

$(BUILD)/tests/rv32-exec: tests/rv32/rv32_exec.c $(HEADERS) $(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(BUILD)/lib/libnanoos_threads.a $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/rv32-gen: tests/rv32/gen.c
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(LDFLAGS)

$(RV32_HARNESS_OBJ): tests/rv32/harness.S
	@mkdir -p $(dir $@)
	@echo "  RV-AS   $<"
	$(Q)$(RV_CC) $(RV_TEST_ARCH) -c $< -o $@

$(BUILD)/tests/rv32/isa/%.elf: tests/rv32/isa/%.S tests/rv32/isa/trap.h $(RV32_HARNESS_OBJ)
	@mkdir -p $(dir $@)
	@echo "  RV-LD   $@"
	$(Q)$(RV_CC) $(RV_TEST_ARCH) $(RV_TEST_LDFLAGS) $(RV32_HARNESS_OBJ) $< -o $@

# The benchmark's guests: each program built for rv32im and for rv32i
# (multiplies and divides from libgcc), -O2, no C library.
BENCH_GUEST := sieve crc32 fib matmul sort
BENCH_GUEST_COMMON := bench/guest/start.S bench/guest/runtime.c
BENCH_GUEST_FLAGS := -mabi=ilp32 -O2 -ffreestanding -fno-builtin -nostdlib -static \
                     -Ttext=0x10000 -Wall -Wextra -Werror -Ibench/guest
BENCH_GUEST_ELF := $(foreach p,$(BENCH_GUEST),$(BUILD)/bench/guest/$(p)-rv32im.elf \
                                               $(BUILD)/bench/guest/$(p)-rv32i.elf)

$(BUILD)/bench/guest/%-rv32im.elf: bench/guest/%.c bench/guest/bench.h $(BENCH_GUEST_COMMON)
	@mkdir -p $(dir $@)
	@echo "  RV-CC   $@"
	$(Q)$(RV_CC) -march=rv32im $(BENCH_GUEST_FLAGS) $(BENCH_GUEST_COMMON) $< -lgcc -o $@
$(BUILD)/bench/guest/%-rv32i.elf: bench/guest/%.c bench/guest/bench.h $(BENCH_GUEST_COMMON)
	@mkdir -p $(dir $@)
	@echo "  RV-CC   $@"
	$(Q)$(RV_CC) -march=rv32i $(BENCH_GUEST_FLAGS) $(BENCH_GUEST_COMMON) $< -lgcc -o $@

.PHONY: rv32-test-bins
rv32-test-bins: $(BUILD)/tests/rv32-exec $(BUILD)/tests/rv32-gen $(RV32_HARNESS_OBJ) \
                $(RV32_ISA_ELF) $(BENCH_GUEST_ELF)

ALL_EXTRA += rv32-test-bins
BENCH_SCRIPTS += bench/bench_cpu.sh

# The scale benchmark (bench/bench_guests.sh): thousands of sleeping guests
# in one instance and the spawn rate; its small guest is built with nanoos-cc.
BENCH_SCRIPTS += bench/bench_guests.sh
# (usr/rules.mk is read after this file: its variables are not set yet here.)
$(BUILD)/bench/guest/sleepers: bench/guest/sleepers.c $(BUILD)/bin/nanoos-cc \
		$(BUILD)/usr/sdk/lib/libnanoos.a | usr-sdk
	@mkdir -p $(dir $@)
	@echo "  RV-CCLD $@"
	$(Q)$(BUILD)/bin/nanoos-cc $(USR_CFLAGS) $< -o $@
ALL_EXTRA += $(BUILD)/bench/guest/sleepers

# The FUSE bridge against fusefat, libfuse's passthrough_ll (built by the
# script from libfuse3-dev's examples) and ext4 on a loop device
# (bench/bench_fuse.sh; needs root and /dev/fuse).
BENCH_SCRIPTS += bench/bench_fuse.sh
