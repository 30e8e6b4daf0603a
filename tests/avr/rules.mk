# tests/avr: avr_harness, a libsimavr runner for AVR firmware with a console
# on stdin/stdout and an SPI-mode SD card backed by an image file; used by
# tests/integration/avr-sd.sh.
ALL_EXTRA += $(BUILD)/tests/tools/avr_harness

$(BUILD)/tests/tools/avr_harness: tests/avr/avr_harness.c tests/avr/sim_util.h firmware/board_mega2560.h
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) -I/usr/include/simavr $< -o $@ $(LDFLAGS) -lsimavr -lelf

# RV32 guests the firmware tests copy onto the card: one that faults, the
# edge cases (guest_edge.c) and fib(15) to measure the CPU (the fixtures'
# start files, no C library).
AVR_GUESTS := $(BUILD)/tests/avr/fault.elf $(BUILD)/tests/avr/fib15.elf $(BUILD)/tests/avr/edge.elf
ALL_EXTRA += $(AVR_GUESTS)
$(BUILD)/tests/avr/fault.elf: tests/avr/guest_fault.c $(RV32_FIX_DEPS)
	@mkdir -p $(dir $@)
	@echo "  RV32CC  $@"
	$(Q)$(RV32_CC) $(RV32_FIX_FLAGS) -I$(RV32_FIX_SRC) -march=rv32i $(RV32_FIX_SRC)/start.S $(RV32_FIX_SRC)/mini.c $< -lgcc -o $@
$(BUILD)/tests/avr/edge.elf: tests/avr/guest_edge.c $(RV32_FIX_DEPS)
	@mkdir -p $(dir $@)
	@echo "  RV32CC  $@"
	$(Q)$(RV32_CC) $(RV32_FIX_FLAGS) -I$(RV32_FIX_SRC) -march=rv32i $(RV32_FIX_SRC)/start.S $(RV32_FIX_SRC)/mini.c $< -lgcc -o $@
$(BUILD)/tests/avr/fib15.elf: $(RV32_FIX_SRC)/fib.c $(RV32_FIX_DEPS)
	@mkdir -p $(dir $@)
	@echo "  RV32CC  $@"
	$(Q)$(RV32_CC) $(RV32_FIX_FLAGS) -DFIB_N=15 -march=rv32i $(RV32_FIX_SRC)/start.S $(RV32_FIX_SRC)/mini.c $< -lgcc -o $@

# The simulated board with its bootloader, for the real flash test (flash-sim.sh).
include tests/avr/board.mk
