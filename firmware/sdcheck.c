/*
 * sdcheck.c: a firmware image that checks the SD card driver (sd_spi.c) on
 * the AVR: initialise the card with CRCs on, read the MBR (block 0) and
 * print its signature and the first partition's start, write a pattern to
 * the last block, read it back and compare, put the old contents back, then
 * print "sdcheck: N passed, N failed" on USART0 and halt (cli; sleep).
 * The card is left as it was found.
 */
#include <avr/interrupt.h>
#include <avr/sleep.h>
#include <string.h>

#include "firmware/sd_spi.h"
#include "firmware/selftest.h"
#include "firmware/uart_avr.h"

#define BLOCK 512
#define MBR_SIG 510
#define MBR_PART0 446

void port_avr_clock_init(void);

static uint8_t saved[BLOCK], buf[BLOCK];
static struct sd_spi card;

static void put_hex(uint8_t b)
{
	static const char digits[] = "0123456789ABCDEF";

	uart_putc(digits[b >> 4]);
	uart_putc(digits[b & 0x0f]);
}

static void say_error(const char *what, enum sd_spi_error e)
{
	uart_puts("sdcheck: ");
	uart_puts(what);
	uart_puts(": ");
	uart_puts(sd_spi_strerror(e));
	uart_puts("\r\n");
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Block 0: the MBR's signature and where the first partition starts. */
static void check_mbr(void)
{
	enum sd_spi_error e = sd_spi_read(&card, 0, buf);

	check(e == SD_OK, "read block 0");
	if (e != SD_OK) {
		say_error("read block 0", e);
		return;
	}
	uart_puts("sdcheck: MBR signature ");
	put_hex(buf[MBR_SIG]);
	uart_putc(' ');
	put_hex(buf[MBR_SIG + 1]);
	uart_puts("\r\n");
	if (buf[MBR_SIG] != 0x55 || buf[MBR_SIG + 1] != 0xAA) {
		uart_puts("sdcheck: block 0 is no MBR (no 55 AA signature): the card is "
		          "not partitioned or is corrupt; make it with 'nanoos sdimage create'\r\n");
		check(0, "MBR signature");
		return;
	}
	check(1, "MBR signature");
	uart_puts("sdcheck: partition 1 starts at block ");
	uart_put_u32(le32(buf + MBR_PART0 + 8));
	uart_puts("\r\n");
}

/* A pattern that differs per byte and per block, so a misplaced or
 * shifted block does not compare equal. */
static void fill_pattern(uint8_t *p, uint32_t block)
{
	for (uint16_t i = 0; i < BLOCK; i++)
		p[i] = (uint8_t)(i * 7 + block + (i >> 8));
}

static int matches_pattern(const uint8_t *p, uint32_t block)
{
	for (uint16_t i = 0; i < BLOCK; i++)
		if (p[i] != (uint8_t)(i * 7 + block + (i >> 8)))
			return 0;
	return 1;
}

/* Write the pattern to the last block, read it back, restore it. */
static void check_write(void)
{
	uint32_t block = card.blocks - 1;

	enum sd_spi_error e = sd_spi_read(&card, block, saved);

	check(e == SD_OK, "save the last block");
	if (e != SD_OK) {       /* without a copy, writing would lose the block */
		say_error("save the last block (no write test)", e);
		return;
	}
	fill_pattern(buf, block);
	check(sd_spi_write(&card, block, buf) == SD_OK, "write the pattern");
	memset(buf, 0, BLOCK);
	check(sd_spi_read(&card, block, buf) == SD_OK, "read the pattern back");
	check(matches_pattern(buf, block), "the pattern reads back unchanged");
	check(sd_spi_write(&card, block, saved) == SD_OK, "restore the last block");
	check(sd_spi_read(&card, block, buf) == SD_OK && memcmp(buf, saved, BLOCK) == 0,
	      "the restored block reads back");
	check(sd_spi_read(&card, card.blocks, buf) == SD_ERR_RANGE, "a read past the end is refused");
}

int main(void)
{
	enum sd_spi_error e;

	uart_init(115200);
	selftest_begin("sdcheck");
	port_avr_clock_init();
	sei();
	uart_puts("sdcheck: SD card over SPI\r\n");
	e = sd_spi_init(&card, 1);
	check(e == SD_OK, "card init");
	if (e != SD_OK) {
		say_error("card init", e);
		selftest_end();
	}
	uart_puts("sdcheck: card ok, ");
	uart_put_u32(card.blocks);
	uart_puts(card.high_capacity ? " blocks (SDHC)\r\n" : " blocks (SDSC)\r\n");
	check_mbr();
	check_write();
	selftest_end();
}
