# firmware: sdcheck, a test image for the SD card driver over SPI
# (firmware/sd_spi.c) on the ATmega2560, run by tests/integration/avr-sd.sh
# in tests/avr/avr_harness. Built with firmware-check (AVR_CFLAGS and AVR_MCU
# come from the Makefile, after this file is included: recipes only).
SDCHECK_SRC := msg/msg_core.c msg/msg_coro.c msg/wire.c kproc/nos_errno.c kproc/kproc.c \
               firmware/port_avr.c firmware/uart_avr.c firmware/sd_spi.c firmware/selftest.c firmware/sdcheck.c
SDCHECK_OBJ := $(SDCHECK_SRC:%.c=$(BUILD)/avr/sd/%.o) $(BUILD)/avr/sd/msg/coro_avr.o
SDCHECK_ELF := $(BUILD)/firmware/sdcheck-atmega2560.elf

# HEADERS is defined after this file is included: list the headers here.
$(BUILD)/avr/sd/%.o: %.c $(wildcard msg/*.h kproc/*.h firmware/*.h)
	@mkdir -p $(dir $@)
	@echo "  AVR-CC  $<"
	$(Q)$(AVR_CC) $(AVR_CFLAGS) -c $< -o $@
$(BUILD)/avr/sd/msg/coro_avr.o: msg/coro_avr.S
	@mkdir -p $(dir $@)
	@echo "  AVR-AS  $<"
	$(Q)$(AVR_CC) $(AVR_CFLAGS) -c $< -o $@
$(SDCHECK_ELF): $(SDCHECK_OBJ)
	@mkdir -p $(dir $@)
	@echo "  AVR-LD  $@"
	$(Q)$(AVR_CC) $(AVR_CFLAGS) -Wl,--gc-sections $^ -o $@

firmware-check: $(SDCHECK_ELF)

# ---------------------------------------------------------------- the firmware
# `make firmware`: NanoOs for the Arduino Mega 2560 with an SRAM expansion
# on its XMEM bus (firmware/config.h says why): the message runtime
# (coroutines), the kernel processes, the FAT engine and the CPU, with
# this board's port (firmware/*.c). The size table prints at every build.
FW_PORTABLE := msg/msg_core.c msg/msg_coro.c msg/wire.c kproc/nos_errno.c kproc/kproc.c \
               kproc/sdcard.c kproc/sd_msg.c kproc/fs.c kproc/fs_client.c kproc/fs_policy.c \
               kproc/fat_vol.c kproc/fat_chain.c kproc/fat_dir.c kproc/fat_file.c \
               kproc/fat_path.c kproc/fat_check.c kproc/sched.c kproc/console.c kproc/memmgr.c \
               vm-rv32i/gmem.c vm-rv32i/gmem_paged.c vm-rv32i/rv32.c vm-rv32i/rv32_decode.c \
               vm-rv32i/rv32_cache.c vm-rv32i/guest_stack.c vm-rv32i/elf_stream.c \
               vm-rv32i/worker_small.c vm-rv32i/worker_small_sys.c
FW_PORT := firmware/port_avr.c firmware/uart_avr.c firmware/sd_spi.c firmware/term_avr.c \
           firmware/shell.c firmware/nanoos.c
FW_SRC := $(FW_PORTABLE) $(FW_PORT)
FW_DIR := $(BUILD)/firmware
FW_ELF := $(FW_DIR)/nanoos-atmega2560.elf
FW_HEX := $(FW_ELF:.elf=.hex)
FW_OBJ := $(FW_SRC:%.c=$(BUILD)/avr/fw/%.o) $(BUILD)/avr/fw/msg/coro_avr.o
FW_DEPS := $(wildcard msg/*.h kproc/*.h vm-rv32i/*.h firmware/*.h)
# The internal 8 KiB hold the first process's (the shell's) stack; .data
# (on AVR, every string and table the code reads), .bss and the heap (the
# other processes' stacks, sched's table, the guest page cache) live in
# the external SRAM from 0x2200 (firmware/nanoos.c turns the bus on first).
FW_LDFLAGS := -Wl,--section-start=.data=0x802200 -Wl,--defsym=__DATA_REGION_LENGTH__=0xfe00

$(BUILD)/avr/fw/%.o: %.c $(FW_DEPS)
	@mkdir -p $(dir $@)
	@echo "  AVR-CC  $<"
	$(Q)$(AVR_CC) $(AVR_CFLAGS) -c $< -o $@
$(BUILD)/avr/fw/msg/coro_avr.o: msg/coro_avr.S
	@mkdir -p $(dir $@)
	@echo "  AVR-AS  $<"
	$(Q)$(AVR_CC) $(AVR_CFLAGS) -c $< -o $@
$(FW_ELF): $(FW_OBJ)
	@mkdir -p $(dir $@)
	@echo "  AVR-LD  $@"
	$(Q)$(AVR_CC) $(AVR_CFLAGS) -Wl,--gc-sections $(FW_LDFLAGS) $^ -o $@
$(FW_DIR)/%.hex: $(FW_DIR)/%.elf
	$(Q)avr-objcopy -O ihex -R .eeprom $< $@

.PHONY: firmware
firmware: $(FW_HEX)
	$(Q)firmware/size-table.sh $(FW_ELF)
ALL_EXTRA += firmware

# `make run-firmware`: the firmware in simavr on this terminal (run-sim.sh).
.PHONY: run-firmware
run-firmware: firmware $(BUILD)/tests/tools/avr_harness rootfs
	$(Q)firmware/run-sim.sh $(BUILD)
