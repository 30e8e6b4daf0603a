# firmware: sdcheck, a test image for the SD card driver over SPI
# (firmware/sd_spi.c) on the ATmega2560, run by tests/integration/avr-sd.sh
# in tests/avr/avr_harness. Built with firmware-check (AVR_CFLAGS and AVR_MCU
# come from the Makefile, after this file is included: recipes only).
SDCHECK_SRC := msg/msg_core.c msg/msg_coro.c msg/wire.c kproc/nos_errno.c kproc/kproc.c \
               firmware/port_avr.c firmware/uart_avr.c firmware/sd_spi.c firmware/sdcheck.c
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
