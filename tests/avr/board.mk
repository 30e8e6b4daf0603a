# tests/avr/board.mk: avr_board, a simulated Arduino Mega 2560 running its
# stk500v2 bootloader with USART0 on a pty, and blink_banner, a small
# application for it; used by tests/integration/flash-sim.sh. Included from
# tests/avr/rules.mk.
ALL_EXTRA += $(BUILD)/tests/tools/avr_board $(BUILD)/tests/avr/blink_banner.hex

$(BUILD)/tests/tools/avr_board: tests/avr/avr_board.c tests/avr/sim_util.h
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) -I/usr/include/simavr $< -o $@ $(LDFLAGS) -lsimavr

# Built with avr-gcc directly: it is a test program, not part of the firmware.
$(BUILD)/tests/avr/blink_banner.elf: tests/avr/blink_banner.c
	@mkdir -p $(dir $@)
	@echo "  AVRCC   $@"
	$(Q)$(AVR_CC) -mmcu=atmega2560 -Os -Wall -Wextra -Werror $< -o $@

$(BUILD)/tests/avr/blink_banner.hex: $(BUILD)/tests/avr/blink_banner.elf
	$(Q)avr-objcopy -O ihex -R .eeprom $< $@
