/*
 * avr_harness.c: run AVR firmware in libsimavr with a console and an SD card.
 *
 *   avr_harness [--mcu atmega2560] [--freq 16000000] [--sd IMG]
 *               [--sd-bad-crc] [--xmem BYTES] [--prompt STR] [--timeout SECONDS]
 *               FIRMWARE.elf
 *
 * USART0 goes to stdout as raw bytes; stdin is fed to USART0 while the chip
 * signals XON. An SPI-mode SD card (SDHC, block addressed) sits on the SPI
 * port, selected by the pin in firmware/board_mega2560.h and backed by IMG
 * (512-byte blocks); without --sd the card never answers (MISO stays 0xFF),
 * as when no card is inserted. --sd-bad-crc makes the card send a wrong
 * CRC16 with every data block, as a noisy bus would, to test the host's check.
 * --xmem BYTES puts that much external SRAM on the XMEM bus, from 0x2200
 * (at most 56 KiB, to 0xFFFF), as an SRAM expansion on a Mega 2560 does;
 * the firmware turns the bus on (XMCRA's SRE) before using it. --prompt STR
 * feeds stdin a line at a time, each once the output ends with STR (a ^D
 * ends a line too); a ^C byte goes one simulated second after the line
 * before it.
 *
 * Exit: 0 when the firmware halts (cli; sleep), 3 when it crashes, 2 when the
 * time limit (wall clock) passes, 1 on a usage or setup error. The simulated
 * cycle count goes to stderr at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <avr_ioport.h>
#include <avr_spi.h>
#include <avr_uart.h>
#include <sim_avr.h>
#include <sim_elf.h>

#include "firmware/board_mega2560.h"
#include "tests/avr/sim_util.h"

#define BLOCK 512
#define ACMD41_TRIES 3          /* ACMD41s answered "idle" before "ready" */

/* R1 response bits */
#define R1_IDLE 0x01
#define R1_ILLEGAL 0x04
#define R1_CRC 0x08
#define R1_PARAM 0x40

enum sd_phase {
	SD_CMD,                 /* waiting for or reading a command */
	SD_WRITE_TOKEN,         /* CMD24/25: waiting for a data token */
	SD_WRITE_DATA,          /* receiving a block (+2 CRC bytes) */
};

struct sd_card {
	int fd;                 /* -1: no card */
	uint32_t blocks;
	int cs_low;
	int spi_mode;           /* CMD0 seen with CS low */
	int ready;              /* ACMD41 done */
	int acmd41_tries;
	int app_cmd;            /* the last command was CMD55 */
	int crc_on;
	enum sd_phase phase;
	uint8_t cmd[6];
	int cmd_len;
	int multi_write;        /* CMD25 */
	int multi_read;         /* CMD18: next block to queue */
	uint32_t rw_block;
	uint8_t data[BLOCK + 2];
	int data_len;
	uint8_t out[BLOCK + 32];
	int out_len, out_pos;
};

static struct sd_card card = { .fd = -1 };
static int bad_data_crc;        /* --sd-bad-crc: a wrong CRC16 on data sent */
static avr_irq_t *spi_in_irq;

/* ---- CRCs as SD cards compute them ---- */

static uint8_t crc7(const uint8_t *p, int n)
{
	uint8_t crc = 0;

	for (int i = 0; i < n; i++) {
		uint8_t b = p[i];
		for (int bit = 0; bit < 8; bit++) {
			crc <<= 1;
			if ((b ^ crc) & 0x80)
				crc ^= 0x09;
			b <<= 1;
		}
	}
	return crc & 0x7f;
}

static uint16_t crc16(const uint8_t *p, int n)
{
	uint16_t crc = 0;

	for (int i = 0; i < n; i++) {
		crc ^= (uint16_t)p[i] << 8;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc & 0x8000) ? (uint16_t)(crc << 1 ^ 0x1021) : (uint16_t)(crc << 1);
	}
	return crc;
}

/* ---- the card's answers ---- */

static void out_reset(void)
{
	card.out_len = card.out_pos = 0;
}

static void out_byte(uint8_t b)
{
	if (card.out_len < (int)sizeof(card.out))
		card.out[card.out_len++] = b;
}

/* A data block: token, payload, CRC16 (always sent; the host may ignore it). */
static void out_data(const uint8_t *p, int n)
{
	uint16_t crc = crc16(p, n) ^ (bad_data_crc ? 0x0001 : 0);

	out_byte(0xFE);
	for (int i = 0; i < n; i++)
		out_byte(p[i]);
	out_byte(crc >> 8);
	out_byte(crc & 0xff);
}

static int read_block(uint32_t block, uint8_t *buf)
{
	if (block >= card.blocks)
		return -1;
	return pread(card.fd, buf, BLOCK, (off_t)block * BLOCK) == BLOCK ? 0 : -1;
}

static uint8_t r1(void)
{
	return card.ready ? 0 : R1_IDLE;
}

/* Queue the next block of a CMD18, or the error token past the end. */
static void queue_next_read(void)
{
	uint8_t buf[BLOCK];

	out_reset();
	out_byte(0xFF);
	if (read_block(card.rw_block, buf) != 0) {
		out_byte(0x08);         /* data error token: out of range */
		card.multi_read = 0;
		return;
	}
	card.rw_block++;
	out_data(buf, BLOCK);
}

/* CSD version 2.0: capacity (C_SIZE + 1) * 512 KiB. */
static void out_csd(void)
{
	uint8_t csd[16] = { 0x40, 0x0E, 0x00, 0x32, 0x5B, 0x59, 0x00 };
	uint32_t c_size = card.blocks / 1024 ? card.blocks / 1024 - 1 : 0;

	csd[7] = (c_size >> 16) & 0x3f;
	csd[8] = (c_size >> 8) & 0xff;
	csd[9] = c_size & 0xff;
	csd[10] = 0x7F;
	csd[11] = 0x80;
	csd[12] = 0x0A;
	csd[13] = 0x40;
	csd[15] = (uint8_t)(crc7(csd, 15) << 1 | 1);
	out_data(csd, 16);
}

static void do_command(void)
{
	uint8_t idx = card.cmd[0] & 0x3f;
	uint32_t arg = (uint32_t)card.cmd[1] << 24 | card.cmd[2] << 16 |
	               card.cmd[3] << 8 | card.cmd[4];
	int crc_ok = (uint8_t)(crc7(card.cmd, 5) << 1 | 1) == card.cmd[5];
	int app = card.app_cmd;
	uint8_t buf[BLOCK];

	card.app_cmd = 0;
	out_reset();
	out_byte(0xFF);                 /* NCR: one byte before the response */
	if (idx == 0) {
		if (!crc_ok)
			return;                 /* still in SD mode: no answer */
		card.spi_mode = 1;
		card.ready = 0;
		card.acmd41_tries = 0;
		card.crc_on = 0;
		card.multi_read = 0;
		out_byte(R1_IDLE);
		return;
	}
	if (!card.spi_mode) {
		out_reset();
		return;
	}
	if ((card.crc_on || idx == 8) && !crc_ok) {
		out_byte(r1() | R1_CRC);
		return;
	}
	if (idx == 12) {
		card.multi_read = 0;
		out_reset();
		out_byte(0xFF);         /* stuff byte */
		out_byte(r1());
		out_byte(0x00);         /* busy a moment */
		return;
	}
	if (app && idx == 41) {
		if (++card.acmd41_tries > ACMD41_TRIES && (arg & 0x40000000))
			card.ready = 1;
		out_byte(r1());
		return;
	}
	switch (idx) {
	case 8:
		out_byte(r1());
		out_byte(0x00);
		out_byte(0x00);
		out_byte(arg >> 8 & 0x0f);      /* voltage accepted */
		out_byte(arg & 0xff);           /* check pattern */
		return;
	case 55:
		card.app_cmd = 1;
		out_byte(r1());
		return;
	case 58:
		out_byte(r1());
		out_byte(card.ready ? 0xC0 : 0x00);     /* power up done, CCS */
		out_byte(0xFF);
		out_byte(0x80);
		out_byte(0x00);
		return;
	case 59:
		card.crc_on = arg & 1;
		out_byte(r1());
		return;
	case 16:
		out_byte(arg == BLOCK ? r1() : (uint8_t)(r1() | R1_PARAM));
		return;
	}
	if (!card.ready) {
		out_byte(r1() | R1_ILLEGAL);
		return;
	}
	switch (idx) {
	case 9:
		out_byte(0);
		out_byte(0xFF);
		out_csd();
		return;
	case 17:
		if (read_block(arg, buf) != 0) {
			out_byte(R1_PARAM);
			return;
		}
		out_byte(0);
		out_byte(0xFF);
		out_data(buf, BLOCK);
		return;
	case 18:
		if (arg >= card.blocks) {
			out_byte(R1_PARAM);
			return;
		}
		out_byte(0);
		card.rw_block = arg;
		card.multi_read = 1;
		return;
	case 24:
	case 25:
		if (arg >= card.blocks) {
			out_byte(R1_PARAM);
			return;
		}
		out_byte(0);
		card.rw_block = arg;
		card.multi_write = idx == 25;
		card.phase = SD_WRITE_TOKEN;
		return;
	}
	out_byte(R1_ILLEGAL);
}

/* A block has arrived: check its CRC, store it, answer with a data response. */
static void finish_write(void)
{
	uint16_t want = (uint16_t)(card.data[BLOCK] << 8 | card.data[BLOCK + 1]);
	int ok = !card.crc_on || crc16(card.data, BLOCK) == want;

	out_reset();
	if (ok && card.rw_block < card.blocks &&
	    pwrite(card.fd, card.data, BLOCK, (off_t)card.rw_block * BLOCK) == BLOCK) {
		out_byte(0x05);         /* data accepted */
		card.rw_block++;
	} else {
		out_byte(ok ? 0x0D : 0x0B);     /* write error / CRC error */
		card.multi_write = 0;
	}
	out_byte(0x00);                 /* busy while "programming" */
	out_byte(0x00);
	card.phase = card.multi_write ? SD_WRITE_TOKEN : SD_CMD;
}

/* One byte from the host; the card's byte for the next exchange is queued. */
static void card_receive(uint8_t b)
{
	switch (card.phase) {
	case SD_WRITE_TOKEN:
		if (b == 0xFE || (card.multi_write && b == 0xFC)) {
			card.phase = SD_WRITE_DATA;
			card.data_len = 0;
		} else if (card.multi_write && b == 0xFD) {
			card.multi_write = 0;
			card.phase = SD_CMD;
			out_reset();
			out_byte(0xFF);
			out_byte(0x00);         /* busy, then ready */
		}
		return;
	case SD_WRITE_DATA:
		card.data[card.data_len++] = b;
		if (card.data_len == BLOCK + 2)
			finish_write();
		return;
	case SD_CMD:
		break;
	}
	if (card.cmd_len == 0 && (b & 0xC0) != 0x40)
		return;
	card.cmd[card.cmd_len++] = b;
	if (card.cmd_len == 6) {
		card.cmd_len = 0;
		do_command();
	}
}

static uint8_t card_send(void)
{
	if (card.out_pos < card.out_len)
		return card.out[card.out_pos++];
	if (card.multi_read && card.phase == SD_CMD) {
		queue_next_read();
		return card.out[card.out_pos++];
	}
	return 0xFF;
}

/* The master shifted out `value`; answer with the card's byte for it. */
static void on_spi_output(struct avr_irq_t *irq, uint32_t value, void *param)
{
	uint8_t reply = 0xFF;

	(void)irq;
	(void)param;
	if (card.fd >= 0 && card.cs_low) {
		reply = card_send();
		card_receive((uint8_t)value);
	}
	avr_raise_irq(spi_in_irq, reply);
}

static void on_cs(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq;
	(void)param;
	card.cs_low = value == 0;
	if (!card.cs_low) {             /* deselect ends whatever was going on */
		card.cmd_len = 0;
		card.multi_read = 0;
		if (card.phase == SD_WRITE_TOKEN)
			card.phase = SD_CMD;
		out_reset();
	}
}

static int card_open(const char *path)
{
	struct stat st;

	card.fd = open(path, O_RDWR);
	if (card.fd < 0 || fstat(card.fd, &st) != 0) {
		fprintf(stderr, "avr_harness: %s: %s; give an image made by 'nanoos sdimage create'\n",
		        path, strerror(errno));
		return -1;
	}
	card.blocks = (uint32_t)(st.st_size / BLOCK);
	return 0;
}

/* ---- the console ---- */

static avr_irq_t *uart_in_irq;
static int uart_xon;             /* the UART has room: XON seen (after RXEN is set) */
static int stdin_open = 1;
/* --prompt: a line of stdin goes in only once the output ends with it, as
 * a person types after the prompt (the console echoes type-ahead at once,
 * which would interleave with the output the test reads). */
static const char *prompt;
static size_t prompt_len;
static char out_tail[64];
static int prompt_seen;

static void on_uart_output(struct avr_irq_t *irq, uint32_t value, void *param)
{
	uint8_t c = (uint8_t)value;

	(void)irq;
	(void)param;
	if (write(1, &c, 1) != 1)
		exit(1);
	if (prompt) {
		memmove(out_tail, out_tail + 1, sizeof(out_tail) - 1);
		out_tail[sizeof(out_tail) - 1] = (char)c;
		if (!memcmp(out_tail + sizeof(out_tail) - prompt_len, prompt, prompt_len))
			prompt_seen = 1;
	}
}

static void on_xon(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq;
	(void)value;
	(void)param;
	uart_xon = 1;
}

static void on_xoff(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq;
	(void)value;
	(void)param;
	uart_xon = 0;
}

/* Feed stdin while the UART has room; never block the simulation. With
 * --prompt, a line goes once the prompt came, and a ^C (0x03) goes one
 * simulated second after the line before it, whatever the output: it is
 * how a test interrupts a program that never returns to the prompt. */
static void feed_stdin(avr_t *avr)
{
	static int pending = -1;
	static avr_cycle_count_t last_line;
	struct pollfd p = { .fd = 0, .events = POLLIN };
	uint8_t c;

	while (stdin_open && uart_xon) {
		if (pending < 0) {
			if (poll(&p, 1, 0) <= 0)
				return;
			if (read(0, &c, 1) != 1) {
				stdin_open = 0;
				return;
			}
			pending = c;
		}
		if (prompt && pending == 0x03 ? avr->cycle - last_line < avr->frequency :
		    prompt && !prompt_seen)
			return;
		avr_raise_irq(uart_in_irq, (uint32_t)pending);
		/* A ^C leaves prompt_seen as it was: at a prompt already shown,
		 * no new one comes. */
		if (pending == '\n' || pending == 0x04)
			prompt_seen = 0;
		if (pending == '\n' || pending == 0x03 || pending == 0x04)
			last_line = avr->cycle;
		pending = -1;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: avr_harness [--mcu atmega2560] [--freq 16000000] [--sd IMG] "
	        "[--sd-bad-crc] [--xmem BYTES] [--prompt STR] [--timeout SECONDS] "
	        "FIRMWARE.elf\n");
	exit(1);
}

static void wire_up(avr_t *avr)
{
	avr_irq_t *cs;

	uart_in_irq = sim_wire_uart0(avr, on_uart_output, on_xon, on_xoff);

	spi_in_irq = avr_io_getirq(avr, AVR_IOCTL_SPI_GETIRQ(0), SPI_IRQ_INPUT);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_SPI_GETIRQ(0), SPI_IRQ_OUTPUT),
	                        on_spi_output, NULL);
	cs = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(SD_CS_PORT_LETTER), SD_CS_BIT);
	avr_irq_register_notify(cs, on_cs, NULL);
	card.cs_low = 0;
}

int main(int argc, char **argv)
{
	const char *mcu = "atmega2560", *sd = NULL, *elf = NULL;
	uint32_t freq = 16000000, xmem = 0;
	double limit = 60;
	elf_firmware_t fw;
	avr_t *avr;
	int state, status;
	time_t start = time(NULL);

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mcu") && i + 1 < argc)
			mcu = argv[++i];
		else if (!strcmp(argv[i], "--freq") && i + 1 < argc)
			freq = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--sd") && i + 1 < argc)
			sd = argv[++i];
		else if (!strcmp(argv[i], "--sd-bad-crc"))
			bad_data_crc = 1;
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			limit = atof(argv[++i]);
		else if (!strcmp(argv[i], "--prompt") && i + 1 < argc) {
			prompt = argv[++i];
			prompt_len = strlen(prompt);
			if (prompt_len == 0 || prompt_len > sizeof(out_tail))
				usage();
		}
		else if (!strcmp(argv[i], "--xmem") && i + 1 < argc)
			xmem = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (argv[i][0] == '-' || elf)
			usage();
		else
			elf = argv[i];
	}
	if (!elf)
		usage();
	sim_tool = "avr_harness";
	avr_global_logger_set(sim_quiet_logger);
	if (sd && card_open(sd) != 0)
		return 1;
	memset(&fw, 0, sizeof(fw));
	if (elf_read_firmware(elf, &fw) != 0) {
		fprintf(stderr, "avr_harness: %s: cannot read this ELF file; build it with avr-gcc\n", elf);
		return 1;
	}
	avr = avr_make_mcu_by_name(mcu);
	if (!avr) {
		fprintf(stderr, "avr_harness: %s: simavr does not know this MCU; try atmega2560\n", mcu);
		return 1;
	}
	if (xmem) {
		/* simavr sizes the data space from ramend at avr_init. */
		if (xmem > 0x10000u - (avr->ramend + 1u)) {
			fprintf(stderr, "avr_harness: --xmem %u: at most %u bytes fit above the "
			        "internal SRAM\n", xmem, 0x10000u - (avr->ramend + 1u));
			return 1;
		}
		avr->ramend += xmem;
	}
	avr_init(avr);
	sim_quiet(avr);
	avr_load_firmware(avr, &fw);
	avr->frequency = freq;
	wire_up(avr);

	state = cpu_Running;
	for (unsigned long n = 0;; n++) {
		state = avr_run(avr);
		if (state == cpu_Done || state == cpu_Crashed)
			break;
		if ((n & 0xfff) == 0) {
			feed_stdin(avr);
			if (difftime(time(NULL), start) > limit)
				break;
		}
	}
	if (state == cpu_Crashed) {
		fprintf(stderr, "avr_harness: %s crashed at pc 0x%x\n", elf, (unsigned)avr->pc);
		status = 3;
	} else if (state == cpu_Done) {
		status = 0;
	} else {
		fprintf(stderr, "avr_harness: %s did not halt within %g s; it hangs or needs a longer --timeout\n",
		        elf, limit);
		status = 2;
	}
	fprintf(stderr, "avr_harness: %llu cycles, %.3f s simulated\n",
	        (unsigned long long)avr->cycle, (double)avr->cycle / freq);
	return status;
}
