# vm-rv32i/rules.mk: the RV32 CPU, guest memory, the ELF loader and the
# initial stack; their unit suites and the RV32 fixtures those suites run.

VM_PORTABLE := vm-rv32i/gmem.c vm-rv32i/gmem_paged.c vm-rv32i/gmem_ram_store.c \
               vm-rv32i/rv32.c vm-rv32i/rv32_decode.c vm-rv32i/rv32_cache.c \
               vm-rv32i/guest_stack.c
PORTABLE_SRC += $(VM_PORTABLE)
LINUX_SRC += vm-rv32i/gmem_flat_linux.c vm-rv32i/gmem_paged_linux.c \
             vm-rv32i/rv32_dcache_linux.c vm-rv32i/elf_load.c \
             vm-rv32i/rv32_jit_x86_64.c
LDLIBS += -lelf
AVR_CHECK_OBJ += $(VM_PORTABLE:%.c=build/avr/%.o)

# The dispatch loop wants one indirect jump per handler: GCC's tail merging
# would fold the handlers' common endings into shared jumps, which the
# branch predictor cannot tell apart (GCC's manual suggests -fno-gcse too).
VM_DISPATCH_FLAGS := -fno-crossjumping -fno-tree-tail-merge -fno-gcse
$(BUILD)/obj/vm-rv32i/rv32_cache.o: CFLAGS += $(VM_DISPATCH_FLAGS)

# ---------------------------------------------------------------- fixtures
# RV32 programs the suites load: built with the cross compiler, no C
# library, tests/unit/rv32/rv32.ld's layout (text at 0x10000).
RV32_CC := riscv64-unknown-elf-gcc
RV32_FIX_DIR := $(BUILD)/tests/rv32
RV32_FIX_SRC := tests/unit/rv32
RV32_FIX_FLAGS := -O2 -mabi=ilp32 -nostdlib -static -fno-tree-loop-distribute-patterns \
                  -T $(RV32_FIX_SRC)/rv32.ld -Wl,--no-warn-rwx-segments
RV32_FIX_DEPS := $(RV32_FIX_SRC)/rv32.ld $(RV32_FIX_SRC)/start.S $(RV32_FIX_SRC)/mini.c \
                 $(RV32_FIX_SRC)/sys.h
RV32_PROGRAMS := sieve crc32 fib matmul sort
RV32_FIXTURES := $(foreach p,$(RV32_PROGRAMS),$(RV32_FIX_DIR)/$(p)-rv32im.elf $(RV32_FIX_DIR)/$(p)-rv32i.elf) \
                 $(RV32_FIX_DIR)/isa.elf $(RV32_FIX_DIR)/stackdump.elf

$(RV32_FIX_DIR)/%-rv32im.elf: $(RV32_FIX_SRC)/%.c $(RV32_FIX_DEPS)
	@mkdir -p $(dir $@)
	@echo "  RV32CC  $@"
	$(Q)$(RV32_CC) $(RV32_FIX_FLAGS) -march=rv32im $(RV32_FIX_SRC)/start.S $(RV32_FIX_SRC)/mini.c $< -lgcc -o $@
$(RV32_FIX_DIR)/%-rv32i.elf: $(RV32_FIX_SRC)/%.c $(RV32_FIX_DEPS)
	@mkdir -p $(dir $@)
	@echo "  RV32CC  $@"
	$(Q)$(RV32_CC) $(RV32_FIX_FLAGS) -march=rv32i $(RV32_FIX_SRC)/start.S $(RV32_FIX_SRC)/mini.c $< -lgcc -o $@
$(RV32_FIX_DIR)/stackdump.elf: $(RV32_FIX_SRC)/stackdump.c $(RV32_FIX_DEPS)
	@mkdir -p $(dir $@)
	@echo "  RV32CC  $@"
	$(Q)$(RV32_CC) $(RV32_FIX_FLAGS) -march=rv32i $(RV32_FIX_SRC)/start.S $(RV32_FIX_SRC)/mini.c $< -o $@
$(RV32_FIX_DIR)/isa.elf: $(RV32_FIX_SRC)/isa.S $(RV32_FIX_SRC)/rv32.ld
	@mkdir -p $(dir $@)
	@echo "  RV32AS  $@"
	$(Q)$(RV32_CC) $(RV32_FIX_FLAGS) -march=rv32im_zicsr_zifencei $< -o $@

# ---------------------------------------------------------------- suites
VM_TEST_HDRS := tests/unit/rv32/rvtest.h tests/unit/rv32/elf_mutate.h
ONE_BACKEND_SUITES += gmem rv32_cpu elf_load
$(BUILD)/tests/test_gmem: $(VM_TEST_HDRS)
$(BUILD)/tests/test_rv32_cpu: $(VM_TEST_HDRS) $(RV32_FIXTURES)
$(BUILD)/tests/test_elf_load: $(VM_TEST_HDRS) $(RV32_FIXTURES)

# The block translator (x86-64 Linux) against the interpreter, in lockstep.
ONE_BACKEND_SUITES += rv32_jit
$(BUILD)/tests/test_rv32_jit: $(VM_TEST_HDRS) $(RV32_FIXTURES)

# The same CPU suite over the CPU built without its decode cache, as AVR
# builds it: every instruction fetched and decoded from guest memory.
VM_NOCACHE_SRC := vm-rv32i/rv32.c vm-rv32i/rv32_decode.c vm-rv32i/rv32_cache.c
$(BUILD)/tests/test_rv32_cpu_nocache: tests/unit/test_rv32_cpu.c tests/unit/testutil.h \
		$(VM_TEST_HDRS) $(VM_NOCACHE_SRC) $(HEADERS) $(RV32_FIXTURES) $(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $(CHECK_CFLAGS) -DRV32_DECODE_CACHE=0 -DTEST_BACKEND='"no decode cache"' \
		$< $(VM_NOCACHE_SRC) -o $@ $(BUILD)/lib/libnanoos_threads.a $(LDFLAGS) $(LDLIBS) $(CHECK_LIBS)
ALL_EXTRA += $(BUILD)/tests/test_rv32_cpu_nocache
LINUX_SRC += vm-rv32i/sys_users.c

# The streaming ELF loader (the AVR firmware's)
PORTABLE_SRC += vm-rv32i/elf_stream.c
AVR_CHECK_OBJ += build/avr/vm-rv32i/elf_stream.o
ONE_BACKEND_SUITES += elf_stream
$(BUILD)/tests/test_elf_stream: $(VM_TEST_HDRS) $(RV32_FIXTURES) $(USR_PROG_BINS)
