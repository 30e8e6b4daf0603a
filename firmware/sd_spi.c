/*
 * sd_spi.c: an SD card in SPI mode on the ATmega2560's hardware SPI
 * (firmware only; see sd_spi.h, wiring in board_mega2560.h).
 *
 * Init follows the SD Physical Layer spec's SPI flow: 80 clocks with CS
 * high, CMD0 (go idle), optionally CMD59 (CRC on), CMD8 (interface
 * condition; v1 cards call it illegal), ACMD41 with HCS until ready, CMD58
 * (CCS: block or byte addresses), CMD9 (the CSD, for the capacity), CMD16
 * 512 for byte-addressed cards. Timeouts come from the platform clock
 * (port_clock_ns), so they hold whatever the SPI speed.
 */
#include <avr/io.h>
#include <util/crc16.h>

#include "firmware/board_mega2560.h"
#include "firmware/sd_spi.h"
#include "kproc/nos_errno.h"
#include "msg/port_platform.h"

#define BLOCK 512
#define MS 1000000ULL
#define INIT_TIMEOUT (1000 * MS)        /* ACMD41: the spec allows 1 s */
#define READ_TIMEOUT (100 * MS)         /* data token after CMD17 */
#define BUSY_TIMEOUT (500 * MS)         /* programming after a write */
#define NCR_MAX 10                      /* bytes before an R1 (spec: 8) */

#define R1_IDLE 0x01
#define R1_ILLEGAL 0x04
#define R1_CRC 0x08
#define TOKEN_START 0xFE

/* ---- SPI and chip select ---- */

static void cs_low(void)
{
	PORTB &= (uint8_t)~_BV(SD_CS_BIT);
}

static void cs_high(void)
{
	PORTB |= _BV(SD_CS_BIT);
}

uint32_t sd_spi_bytes;

static uint8_t spi_xfer(uint8_t out)
{
	sd_spi_bytes++;
	SPDR = out;
	while (!(SPSR & _BV(SPIF)))
		;
	return SPDR;
}

/* Slow (f/128: 125 kHz at 16 MHz) for init, as the spec wants <= 400 kHz. */
static void spi_setup_slow(void)
{
	DDRB |= _BV(SD_CS_BIT) | _BV(SD_SPI_SCK_BIT) | _BV(SD_SPI_MOSI_BIT);
	DDRB &= (uint8_t)~_BV(SD_SPI_MISO_BIT);
	cs_high();
	SPCR = _BV(SPE) | _BV(MSTR) | _BV(SPR1) | _BV(SPR0);
	SPSR &= (uint8_t)~_BV(SPI2X);
}

static void spi_setup_fast(void)
{
	SPCR = _BV(SPE) | _BV(MSTR);    /* f/2: 8 MHz */
	SPSR |= _BV(SPI2X);
}

/* ---- CRCs ---- */

static uint8_t crc7(const uint8_t *p, uint8_t n)
{
	uint8_t crc = 0;

	while (n--) {
		uint8_t b = *p++;
		for (uint8_t bit = 0; bit < 8; bit++) {
			crc <<= 1;
			if ((b ^ crc) & 0x80)
				crc ^= 0x09;
			b <<= 1;
		}
	}
	return crc & 0x7f;
}

static uint16_t crc16(const uint8_t *p, uint16_t n)
{
	uint16_t crc = 0;

	while (n--)
		crc = _crc_xmodem_update(crc, *p++);
	return crc;
}

/* ---- commands ---- */

/* Wait until the card releases MISO (0xFF: not busy). */
static int wait_ready(uint64_t timeout_ns)
{
	uint64_t deadline = port_clock_ns() + timeout_ns;

	while (spi_xfer(0xFF) != 0xFF)
		if (port_clock_ns() > deadline)
			return -1;
	return 0;
}

/* Send a command (CS stays low) and return its R1, 0xFF if none came. */
static uint8_t command(struct sd_spi *sd, uint8_t idx, uint32_t arg)
{
	uint8_t frame[6] = { (uint8_t)(0x40 | idx), (uint8_t)(arg >> 24), (uint8_t)(arg >> 16),
	                     (uint8_t)(arg >> 8), (uint8_t)arg, 0 };
	uint8_t r1 = 0xFF;

	cs_low();
	if (idx != 0)
		(void)wait_ready(BUSY_TIMEOUT);
	frame[5] = (uint8_t)(crc7(frame, 5) << 1 | 1);
	for (uint8_t i = 0; i < 6; i++)
		spi_xfer(frame[i]);
	if (idx == 12)
		spi_xfer(0xFF);         /* the stuff byte after CMD12 */
	for (uint8_t i = 0; i < NCR_MAX && (r1 & 0x80); i++)
		r1 = spi_xfer(0xFF);
	sd->last_r1 = r1;
	return r1;
}

static uint8_t app_command(struct sd_spi *sd, uint8_t idx, uint32_t arg)
{
	uint8_t r1 = command(sd, 55, 0);

	if (r1 & ~R1_IDLE)
		return r1;
	return command(sd, idx, arg);
}

/* End a transaction: CS high plus one byte so the card lets go of MISO. */
static void release(void)
{
	cs_high();
	spi_xfer(0xFF);
}

/* Receive a data block of n bytes after its start token; check its CRC. */
static enum sd_spi_error receive_data(struct sd_spi *sd, uint8_t *buf, uint16_t n)
{
	uint64_t deadline = port_clock_ns() + READ_TIMEOUT;
	uint8_t token;
	uint16_t crc;

	while ((token = spi_xfer(0xFF)) == 0xFF)
		if (port_clock_ns() > deadline)
			return SD_ERR_TIMEOUT;
	if (token != TOKEN_START)
		return SD_ERR_READ;     /* an error token */
	for (uint16_t i = 0; i < n; i++)
		buf[i] = spi_xfer(0xFF);
	crc = (uint16_t)spi_xfer(0xFF) << 8;
	crc |= spi_xfer(0xFF);
	if (sd->crc && crc != crc16(buf, n))
		return SD_ERR_CRC;
	return SD_OK;
}

/* ---- init ---- */

/* Capacity from the CSD: version 1 (SDSC) or 2 (SDHC/SDXC). */
static uint32_t csd_blocks(const uint8_t *csd)
{
	uint32_t c_size;
	uint8_t mult, read_bl_len;

	if ((csd[0] >> 6) == 1) {
		c_size = (uint32_t)(csd[7] & 0x3f) << 16 | (uint32_t)csd[8] << 8 | csd[9];
		return (c_size + 1) * 1024;
	}
	read_bl_len = csd[5] & 0x0f;
	c_size = (uint32_t)(csd[6] & 0x03) << 10 | (uint32_t)csd[7] << 2 | csd[8] >> 6;
	mult = (uint8_t)((csd[9] & 0x03) << 1 | csd[10] >> 7);
	return (c_size + 1) << (mult + 2 + read_bl_len - 9);
}

/* ACMD41 until the card leaves idle; v2 cards are offered high capacity. */
static enum sd_spi_error wait_powered_up(struct sd_spi *sd, uint8_t v2)
{
	uint64_t deadline = port_clock_ns() + INIT_TIMEOUT;
	uint8_t r1;

	do {
		r1 = app_command(sd, 41, v2 ? 0x40000000UL : 0);
		release();
		if (r1 == 0)
			return SD_OK;
		if (r1 & ~R1_IDLE)
			return SD_ERR_NOT_RESPONDING;
	} while (port_clock_ns() < deadline);
	return SD_ERR_INIT_TIMEOUT;
}

/* CMD8: 1 for a v2 card, 0 for v1 (illegal command), or an error. */
static int check_voltage(struct sd_spi *sd, enum sd_spi_error *err)
{
	uint8_t r7[4];
	uint8_t r1 = command(sd, 8, 0x1AA);     /* 2.7-3.6 V, pattern 0xAA */

	for (uint8_t i = 0; i < 4; i++)
		r7[i] = spi_xfer(0xFF);
	release();
	if (r1 & R1_ILLEGAL)
		return 0;
	if (r1 != R1_IDLE) {
		*err = SD_ERR_NOT_RESPONDING;
		return -1;
	}
	if ((r7[2] & 0x0f) != 0x01 || r7[3] != 0xAA) {
		*err = SD_ERR_VOLTAGE;
		return -1;
	}
	return 1;
}

static enum sd_spi_error read_geometry(struct sd_spi *sd, uint8_t v2)
{
	uint8_t ocr[4], csd[16];
	enum sd_spi_error e;

	sd->high_capacity = 0;
	if (v2) {
		if (command(sd, 58, 0) != 0) {
			release();
			return SD_ERR_NOT_RESPONDING;
		}
		for (uint8_t i = 0; i < 4; i++)
			ocr[i] = spi_xfer(0xFF);
		release();
		sd->high_capacity = (ocr[0] & 0x40) != 0;
	}
	if (command(sd, 9, 0) != 0) {
		release();
		return SD_ERR_NOT_RESPONDING;
	}
	e = receive_data(sd, csd, sizeof(csd));
	release();
	if (e != SD_OK)
		return e;
	sd->blocks = csd_blocks(csd);
	if (!sd->high_capacity) {
		uint8_t r1 = command(sd, 16, BLOCK);
		release();
		if (r1 != 0)
			return SD_ERR_NOT_RESPONDING;
	}
	return SD_OK;
}

enum sd_spi_error sd_spi_init(struct sd_spi *sd, uint8_t crc)
{
	enum sd_spi_error err = SD_OK;
	uint8_t r1 = 0xFF;
	int v2;

	sd->crc = 0;
	sd->blocks = 0;
	spi_setup_slow();
	for (uint8_t i = 0; i < 10; i++)
		spi_xfer(0xFF);         /* >= 74 clocks with CS high */
	for (uint8_t tries = 0; tries < 3 && r1 != R1_IDLE; tries++) {
		r1 = command(sd, 0, 0);
		release();
	}
	if (r1 == 0xFF)
		return SD_ERR_NO_CARD;
	if (r1 != R1_IDLE)
		return SD_ERR_NOT_RESPONDING;
	if (crc) {
		r1 = command(sd, 59, 1);
		release();
		if (r1 != R1_IDLE)
			return SD_ERR_NOT_RESPONDING;
		sd->crc = 1;
	}
	v2 = check_voltage(sd, &err);
	if (v2 < 0)
		return err;
	err = wait_powered_up(sd, (uint8_t)v2);
	if (err != SD_OK)
		return err;
	spi_setup_fast();
	return read_geometry(sd, (uint8_t)v2);
}

/* ---- blocks ---- */

static uint32_t address(const struct sd_spi *sd, uint32_t block)
{
	return sd->high_capacity ? block : block * BLOCK;
}

enum sd_spi_error sd_spi_read(struct sd_spi *sd, uint32_t block, uint8_t *buf)
{
	enum sd_spi_error e;

	if (block >= sd->blocks)
		return SD_ERR_RANGE;
	if (command(sd, 17, address(sd, block)) != 0) {
		release();
		return sd->last_r1 & R1_CRC ? SD_ERR_CRC : SD_ERR_READ;
	}
	e = receive_data(sd, buf, BLOCK);
	release();
	return e;
}

enum sd_spi_error sd_spi_write(struct sd_spi *sd, uint32_t block, const uint8_t *buf)
{
	uint16_t crc;
	uint8_t response;
	int busy;

	if (block >= sd->blocks)
		return SD_ERR_RANGE;
	if (command(sd, 24, address(sd, block)) != 0) {
		release();
		return sd->last_r1 & R1_CRC ? SD_ERR_CRC : SD_ERR_WRITE;
	}
	crc = crc16(buf, BLOCK);
	spi_xfer(0xFF);
	spi_xfer(TOKEN_START);
	for (uint16_t i = 0; i < BLOCK; i++)
		spi_xfer(buf[i]);
	spi_xfer((uint8_t)(crc >> 8));
	spi_xfer((uint8_t)crc);
	response = spi_xfer(0xFF) & 0x1f;
	busy = wait_ready(BUSY_TIMEOUT);
	release();
	if (response == 0x0B)
		return SD_ERR_CRC;
	if (response != 0x05)
		return SD_ERR_WRITE;
	return busy ? SD_ERR_TIMEOUT : SD_OK;
}

const char *sd_spi_strerror(enum sd_spi_error e)
{
	switch (e) {
	case SD_OK: return "ok";
	case SD_ERR_NO_CARD: return "no card (nothing answers on SPI); insert a card";
	case SD_ERR_NOT_RESPONDING: return "the card does not respond to commands";
	case SD_ERR_VOLTAGE: return "the card does not accept 3.3 V (CMD8)";
	case SD_ERR_INIT_TIMEOUT: return "the card did not finish initialising (ACMD41)";
	case SD_ERR_READ: return "read error";
	case SD_ERR_WRITE: return "write error";
	case SD_ERR_TIMEOUT: return "the card timed out";
	case SD_ERR_CRC: return "CRC error on the SPI bus";
	case SD_ERR_RANGE: return "block past the end of the card";
	}
	return "unknown error";
}

/* ---- the block backend ---- */

static int be_read(void *ctx, uint32_t block, uint32_t count, void *buf)
{
	uint8_t *p = buf;

	for (uint32_t i = 0; i < count; i++, p += BLOCK)
		if (sd_spi_read(ctx, block + i, p) != SD_OK)
			return -NOS_EIO;
	return 0;
}

static int be_write(void *ctx, uint32_t block, uint32_t count, const void *buf)
{
	const uint8_t *p = buf;

	for (uint32_t i = 0; i < count; i++, p += BLOCK)
		if (sd_spi_write(ctx, block + i, p) != SD_OK)
			return -NOS_EIO;
	return 0;
}

/* Single-block writes finish programming before they return: nothing to do. */
static int be_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

void sd_spi_backend(struct sd_spi *sd, struct sd_backend *be)
{
	be->read = be_read;
	be->write = be_write;
	be->flush = be_flush;
	be->blocks = sd->blocks;
	be->read_only = 0;
	be->model = "SD card (SPI)";
	be->ctx = sd;
}
