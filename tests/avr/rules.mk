# tests/avr: avr_harness, a libsimavr runner for AVR firmware with a console
# on stdin/stdout and an SPI-mode SD card backed by an image file; used by
# tests/integration/avr-sd.sh.
ALL_EXTRA += $(BUILD)/tests/tools/avr_harness

$(BUILD)/tests/tools/avr_harness: tests/avr/avr_harness.c firmware/board_mega2560.h
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) -I/usr/include/simavr $< -o $@ $(LDFLAGS) -lsimavr -lelf
