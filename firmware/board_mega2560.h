/*
 * board_mega2560.h: how an SD card is wired to the Arduino Mega 2560, shared
 * by the firmware (firmware/sd_spi.c) and the simulator harness
 * (tests/avr/avr_harness.c) so both agree on the pins.
 *
 * Hardware SPI: SCK PB1 (D52), MOSI PB2 (D51), MISO PB3 (D50). Chip select
 * is SS itself, PB0 (D53): as an output it also keeps the SPI in master mode.
 */
#ifndef NOS_BOARD_MEGA2560_H
#define NOS_BOARD_MEGA2560_H

#define SD_CS_PORT_LETTER 'B'   /* the I/O port of the card's chip select */
#define SD_CS_BIT 0             /* PB0, digital pin 53 */
#define SD_SPI_SCK_BIT 1        /* PB1 */
#define SD_SPI_MOSI_BIT 2       /* PB2 */
#define SD_SPI_MISO_BIT 3       /* PB3 */

#endif
