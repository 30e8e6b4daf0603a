/*
 * sd_spi.h: an SD card over the ATmega2560's hardware SPI (firmware only).
 *
 * sd_spi_init brings up SDHC/SDXC (block addressed) and SDSC (byte
 * addressed, 512-byte blocks set with CMD16) cards; with crc set it turns on
 * CRC checking (CMD59): CRC7 on every command, CRC16 on every data block.
 * Blocks are always 512 bytes and numbered from 0. Wiring:
 * firmware/board_mega2560.h.
 */
#ifndef NOS_SD_SPI_H
#define NOS_SD_SPI_H

#include <stdint.h>

#include "kproc/sdcard.h"

enum sd_spi_error {
	SD_OK = 0,
	SD_ERR_NO_CARD,         /* nothing answers CMD0: no card inserted */
	SD_ERR_NOT_RESPONDING,  /* a command got no response or a bad one */
	SD_ERR_VOLTAGE,         /* CMD8: the card rejects 2.7-3.6 V */
	SD_ERR_INIT_TIMEOUT,    /* ACMD41 never left the idle state */
	SD_ERR_READ,            /* a read was refused or its data were bad */
	SD_ERR_WRITE,           /* a write was refused by the card */
	SD_ERR_TIMEOUT,         /* the card stayed busy or sent no data */
	SD_ERR_CRC,             /* a CRC mismatch on data or a command */
	SD_ERR_RANGE,           /* a block past the end of the card */
};

struct sd_spi {
	uint32_t blocks;        /* capacity in 512-byte blocks (from the CSD) */
	uint8_t high_capacity;  /* SDHC/SDXC: block addresses */
	uint8_t crc;            /* CRC checking on */
	uint8_t last_r1;        /* the last R1 response, for diagnosis */
};

/* Set up SPI and the chip select and initialise the card. SD_OK or an error. */
enum sd_spi_error sd_spi_init(struct sd_spi *sd, uint8_t crc);

/* Read or write one 512-byte block. SD_OK or an error. */
enum sd_spi_error sd_spi_read(struct sd_spi *sd, uint32_t block, uint8_t *buf);
enum sd_spi_error sd_spi_write(struct sd_spi *sd, uint32_t block, const uint8_t *buf);

/* Bytes moved on the bus so far: simavr charges 100 us a byte, a real bus
 * at 8 MHz 1 us, so the firmware's times in simavr can be put right. */
extern uint32_t sd_spi_bytes;

/* A short English phrase for an error ("no card", ...). */
const char *sd_spi_strerror(enum sd_spi_error e);

/* Make *be a block backend (kproc/sdcard.h) over an initialised card; sd
 * must outlive be. Errors come back as -NOS_EIO. */
void sd_spi_backend(struct sd_spi *sd, struct sd_backend *be);

#endif
