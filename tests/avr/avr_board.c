/*
 * avr_board.c: a simulated Arduino Mega 2560 for `nanoos flash` to write to.
 *
 *   avr_board [--boot HEX] [--app HEX] [--pty-link FILE] [--log FILE|-]
 *             [--flash-out FILE] [--xmem BYTES] [--speed X] [--no-auto-reset]
 *             [--timeout SECONDS]
 *
 * An atmega2560 at 16 MHz in libsimavr whose flash holds the board's
 * stk500v2 bootloader (default: the one Debian's arduino-core-avr ships) and
 * which starts in it, as the BOOTRST fuse makes a Mega do. USART0 is wired
 * to a pseudo-terminal made here, served from the run loop (not simavr's
 * uart_pty and its thread): its slave path is printed ("avr_board: pty
 * /dev/pts/N") and written, with a newline, to --pty-link FILE, so avrdude
 * can be pointed at it. --app HEX puts an application in flash as well.
 *
 * Auto-reset: on a Mega, opening the USB serial port pulses DTR, which
 * resets the chip into its bootloader. A pty has no DTR, so the board resets
 * itself whenever the slave side goes from closed to open (inotify sees the
 * opens and closes); the bootloader then waits about 0.8 s, always at a real
 * board's pace, for avrdude's first byte before it starts the application
 * at 0. --no-auto-reset turns this off (the bootloader only runs at
 * power-on). Output while nobody holds the port is dropped, as a
 * real board's is; --log FILE (or - for stdout) gets a copy of everything.
 *
 * --xmem BYTES: that much external SRAM on the XMEM bus above the internal
 * SRAM (from 0x2200), as the NanoOs firmware's board has (firmware/config.h).
 *
 * --speed X: simulated time may run at most X times wall time (default 0:
 * as fast as it goes; 1 is a real board's pace). --timeout is wall time.
 * --flash-out FILE: the whole flash as raw bytes at the end.
 *
 * Exit: 0 when the firmware halts (cli; sleep) or on SIGTERM/SIGINT, 3 when
 * it crashes, 2 when the time limit passes, 1 on a usage or setup error.
 * Each time the bootloader hands over to the application, and at the end,
 * the cycle counts go to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <avr_uart.h>
#include <sim_avr.h>

#include "tests/avr/sim_util.h"

#define BOOT_HEX "/usr/share/arduino/hardware/arduino/avr/bootloaders/stk500v2/" \
                 "stk500boot_v2_mega2560.hex"
#define BOOT_START 0x3E000u     /* the Mega's BOOTSZ fuses: a 4 Kword boot section */
#define FREQ 16000000u
#define SERVICE_EVERY 0x3ff     /* avr_run calls between looks at the pty and the clock */
#define PTY_QUEUE 65536         /* board output waiting for a slow reader */

struct options {
	const char *boot_hex, *app_hex, *pty_link, *log, *flash_out;
	double speed, timeout;
	unsigned long xmem;
	int auto_reset;
};

/* The serial port: the pty's master side and what waits to go out on it. */
struct port {
	int master;
	int watch;              /* inotify on the slave: its opens and closes */
	int holders;            /* open files of the slave side */
	int open;               /* holders > 0 */
	int log_fd;             /* -1: no --log */
	uint8_t queue[PTY_QUEUE];
	size_t queued;
	int dropped;            /* the queue overflowed: said once */
	unsigned long sent;     /* bytes the UART has sent since power-on */
	avr_irq_t *rx_irq;
	int xon;                /* the UART has room for input */
};

/* What the run loop measures, per reset. */
struct run_clock {
	struct timespec start;          /* wall time at the last reset */
	avr_cycle_count_t reset_cycle;
	avr_cycle_count_t first_rx_cycle;       /* 0: no byte since the reset */
	unsigned long rx_bytes;
	int in_bootloader;
};

static struct port port = { .master = -1, .log_fd = -1, .watch = -1 };
static volatile sig_atomic_t stop_requested;

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

/* ---- flash contents ---- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int hex_byte(const char *p)
{
	int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);

	return lo < 0 ? -1 : hi << 4 | lo;
}

/* One record of an Intel hex line into rec[] (count, address, type, data,
 * checksum); its length, or -1 when it is not one. */
static int hex_record(const char *line, uint8_t *rec)
{
	size_t len = strcspn(line, "\r\n");
	int n = 0, sum = 0;

	if (line[0] != ':' || len < 11 || len % 2 == 0)
		return -1;
	for (size_t i = 1; i < len; i += 2, n++) {
		int b = hex_byte(line + i);
		if (b < 0)
			return -1;
		rec[n] = (uint8_t)b;
		sum += b;
	}
	return (sum & 0xff) == 0 && n == rec[0] + 5 ? n : -1;
}

/* Copy an Intel hex file into flash: data records (00) placed by the
 * extended segment (02) and linear (04) address records; start addresses
 * (03, 05) mean nothing to a chip that starts at its reset vector.
 * 0, or -1 after an error line. */
static int load_hex(avr_t *avr, const char *path, const char *what)
{
	char line[600];
	uint8_t rec[260];
	uint32_t base = 0;
	int lineno = 0, ended = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "avr_board: %s: cannot read the %s: %s%s\n", path, what,
		        strerror(errno), strcmp(what, "bootloader") == 0 ?
		        " (it comes with the arduino-core-avr package)" : "");
		return -1;
	}
	while (!ended && fgets(line, sizeof(line), f) != NULL) {
		uint32_t addr;

		lineno++;
		if (hex_record(line, rec) < 0)
			break;
		addr = base + (uint32_t)(rec[1] << 8 | rec[2]);
		if (rec[3] == 0 && addr + rec[0] > avr->flashend + 1)
			break;
		if (rec[3] == 0)
			memcpy(avr->flash + addr, rec + 4, rec[0]);
		else if (rec[3] == 1)
			ended = 1;
		else if (rec[3] == 2 || rec[3] == 4)
			base = (uint32_t)(rec[4] << 8 | rec[5]) << (rec[3] == 2 ? 4 : 16);
	}
	fclose(f);
	if (!ended) {
		fprintf(stderr, "avr_board: %s:%d: not an Intel hex record for an atmega2560 "
		        "(bad format or checksum, data past 0x%x, or no end record); build the "
		        "%s with avr-objcopy -O ihex\n", path, lineno, avr->flashend, what);
		return -1;
	}
	return 0;
}

static int dump_flash(const avr_t *avr, const char *path)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(avr->flash, 1, avr->flashend + 1, f) != avr->flashend + 1 ||
	    fclose(f) != 0) {
		fprintf(stderr, "avr_board: %s: cannot write the flash dump: %s\n", path,
		        strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- the serial port ---- */

/* The slave in raw mode before anyone opens it: with the default echo, the
 * board would read its own output back. The setting outlives our open. */
static int pty_make_raw(const char *slave)
{
	struct termios t;
	int fd = open(slave, O_RDWR | O_NOCTTY);

	if (fd < 0 || tcgetattr(fd, &t) != 0)
		return -1;
	cfmakeraw(&t);
	cfsetspeed(&t, B115200);
	tcsetattr(fd, TCSANOW, &t);
	close(fd);
	return 0;
}

static int write_link(const char *path, const char *slave)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fprintf(f, "%s\n", slave) < 0 || fclose(f) != 0) {
		fprintf(stderr, "avr_board: %s: cannot write the pty's path: %s\n", path,
		        strerror(errno));
		return -1;
	}
	return 0;
}

/* Make the pty; print its path. 0, or -1 after an error line. */
static int port_open(const struct options *o)
{
	const char *slave;

	port.master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (port.master < 0 || grantpt(port.master) != 0 || unlockpt(port.master) != 0 ||
	    (slave = ptsname(port.master)) == NULL || pty_make_raw(slave) != 0) {
		fprintf(stderr, "avr_board: cannot make a pseudo-terminal: %s; is /dev/pts "
		        "mounted?\n", strerror(errno));
		return -1;
	}
	port.watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (port.watch < 0 || inotify_add_watch(port.watch, slave, IN_OPEN | IN_CLOSE) < 0) {
		fprintf(stderr, "avr_board: %s: cannot watch it with inotify: %s\n", slave,
		        strerror(errno));
		return -1;
	}
	printf("avr_board: pty %s\n", slave);
	fflush(stdout);
	if (o->pty_link != NULL && write_link(o->pty_link, slave) != 0)
		return -1;
	if (o->log != NULL) {
		port.log_fd = strcmp(o->log, "-") == 0 ? 1 :
		              open(o->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
		if (port.log_fd < 0) {
			fprintf(stderr, "avr_board: %s: cannot write the log: %s\n", o->log,
			        strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void on_uart_output(struct avr_irq_t *irq, uint32_t value, void *param)
{
	uint8_t c = (uint8_t)value;

	(void)irq;
	(void)param;
	port.sent++;
	if (port.log_fd >= 0 && write(port.log_fd, &c, 1) != 1)
		port.log_fd = -1;
	if (!port.open)
		return;         /* nobody listens: the byte is lost, as on a real board */
	if (port.queued < PTY_QUEUE) {
		port.queue[port.queued++] = c;
	} else if (!port.dropped) {
		port.dropped = 1;
		fprintf(stderr, "avr_board: the pty's reader is too slow; output dropped\n");
	}
}

static void on_xon(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq;
	(void)value;
	(void)param;
	port.xon = 1;
}

static void on_xoff(struct avr_irq_t *irq, uint32_t value, void *param)
{
	(void)irq;
	(void)value;
	(void)param;
	port.xon = 0;
}

static void port_flush(void)
{
	ssize_t n;

	if (port.queued == 0)
		return;
	n = write(port.master, port.queue, port.queued);
	if (n > 0) {
		memmove(port.queue, port.queue + n, port.queued - (size_t)n);
		port.queued -= (size_t)n;
	}
}

/* Feed what the pty's user wrote while the UART has room. */
static void port_feed(struct run_clock *clk, avr_t *avr)
{
	uint8_t c;

	while (port.open && port.xon && read(port.master, &c, 1) == 1) {
		if (clk->first_rx_cycle == 0)
			clk->first_rx_cycle = avr->cycle;
		clk->rx_bytes++;
		avr_raise_irq(port.rx_irq, c);
	}
}

/* Who holds the slave side, from the opens and closes inotify saw on it:
 * every one is queued, so a close and a quick reopen between two looks
 * still count (a poll for POLLHUP would miss them). 1 when the port went
 * from closed to open: a Mega's DTR pulse. */
static int port_check_open(void)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int opened = 0;
	ssize_t n;

	while ((n = read(port.watch, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)p;

			if (e->mask & IN_OPEN)
				opened |= port.holders++ == 0;
			else if ((e->mask & IN_CLOSE) && port.holders > 0)
				port.holders--;
			p += sizeof(*e) + e->len;
		}
	}
	port.open = port.holders > 0;
	if (!port.open)
		port.queued = 0;
	return opened;
}

/* At the end, give whoever holds the port up to a second to read what the
 * board sent last: when the master closes, unread bytes are lost. */
static void port_linger(void)
{
	struct timespec t0, tick = { 0, 10 * 1000 * 1000 };
	int unread = 0, slave;

	port_check_open();
	if (!port.open)
		return;
	slave = open(ptsname(port.master), O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (slave < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		port_flush();
		if (ioctl(slave, FIONREAD, &unread) != 0)
			break;
		if (port.queued == 0 && unread == 0)
			break;
		nanosleep(&tick, NULL);
	} while (seconds_since(&t0) < 1);
	close(slave);
}

static void wire_uart(avr_t *avr)
{
	port.rx_irq = sim_wire_uart0(avr, on_uart_output, on_xon, on_xoff);
}

/* ---- the run loop ---- */

static void board_reset(avr_t *avr, struct run_clock *clk)
{
	avr_reset(avr);                 /* to reset_pc: the bootloader */
	clock_gettime(CLOCK_MONOTONIC, &clk->start);
	clk->reset_cycle = avr->cycle;
	clk->first_rx_cycle = 0;
	clk->rx_bytes = 0;
	clk->in_bootloader = 1;
	port.xon = 0;                   /* until the bootloader enables the receiver */
}

static double sim_seconds(avr_cycle_count_t cycles)
{
	return (double)cycles / FREQ;
}

/* The pc went into or out of the boot section. Out: the bootloader started
 * the application; say what it took. With the flash at 0 erased, the chip
 * slides through 0xffff words back into the bootloader, as a new Mega
 * does: said once. */
static void bootloader_crossed(const avr_t *avr, struct run_clock *clk)
{
	static int said_erased;
	avr_cycle_count_t since_rx = clk->first_rx_cycle ? avr->cycle - clk->first_rx_cycle : 0;

	clk->in_bootloader = !clk->in_bootloader;
	if (clk->in_bootloader)
		return;
	if (avr->flash[0] == 0xff && avr->flash[1] == 0xff) {
		if (!said_erased++)
			fprintf(stderr, "avr_board: no application (flash at 0 is erased): the "
			        "bootloader runs again\n");
		return;
	}
	fprintf(stderr, "avr_board: bootloader -> application after %llu cycles "
	        "(%.3f s simulated, %.3f s wall); %lu bytes received, %llu cycles "
	        "(%.3f s simulated) from the first of them; its output from byte %lu\n",
	        (unsigned long long)(avr->cycle - clk->reset_cycle),
	        sim_seconds(avr->cycle - clk->reset_cycle), seconds_since(&clk->start),
	        clk->rx_bytes, (unsigned long long)since_rx, sim_seconds(since_rx),
	        port.sent + 1);
}

/* Never let simulated time get ahead of speed x wall time. The bootloader's
 * wait for its first byte always runs at a real board's pace: it is a
 * handshake with a host that sleeps in wall time (avrdude's DTR pulse), and
 * at simavr's speed the wait would be over before avrdude speaks. */
static void pace(const avr_t *avr, const struct run_clock *clk, double speed)
{
	double ahead;

	if (clk->in_bootloader && clk->first_rx_cycle == 0)
		speed = 1;
	if (speed <= 0)
		return;
	ahead = sim_seconds(avr->cycle - clk->reset_cycle) / speed - seconds_since(&clk->start);
	if (ahead > 0.001) {
		struct timespec d = { 0, (long)(ahead * 1e9) };
		if (ahead >= 1)
			d = (struct timespec){ 1, 0 };
		nanosleep(&d, NULL);
	}
}

/* Between instructions: the port, the clock, auto-reset. 1: stop (time up). */
static int service(avr_t *avr, struct run_clock *clk, const struct options *o,
                   const struct timespec *t0)
{
	if (port_check_open() && o->auto_reset) {
		fprintf(stderr, "avr_board: port opened: reset into the bootloader (auto-reset)\n");
		board_reset(avr, clk);
	}
	port_feed(clk, avr);
	port_flush();
	pace(avr, clk, o->speed);
	return seconds_since(t0) > o->timeout;
}

static int run(avr_t *avr, const struct options *o)
{
	struct run_clock clk;
	struct timespec t0;
	int state = cpu_Running, timed_out = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	board_reset(avr, &clk);
	for (unsigned long n = 0; !stop_requested; n++) {
		state = avr_run(avr);
		if (state == cpu_Done || state == cpu_Crashed)
			break;
		if (clk.in_bootloader != (avr->pc >= BOOT_START))
			bootloader_crossed(avr, &clk);
		if ((n & SERVICE_EVERY) == 0 && service(avr, &clk, o, &t0)) {
			timed_out = 1;
			break;
		}
	}
	port_linger();
	if (state == cpu_Crashed) {
		fprintf(stderr, "avr_board: the firmware crashed at pc 0x%x\n", (unsigned)avr->pc);
		return 3;
	}
	if (timed_out) {
		fprintf(stderr, "avr_board: still running after %g s (wall): time limit; give a "
		        "longer --timeout if it needs more\n", o->timeout);
		return 2;
	}
	return 0;
}

/* ---- setup ---- */

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: avr_board [--boot HEX] [--app HEX] [--pty-link FILE] "
	        "[--log FILE|-] [--flash-out FILE] [--xmem BYTES] [--speed X] [--no-auto-reset] "
	        "[--timeout SECONDS]\n");
	exit(1);
}

static void parse(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .boot_hex = BOOT_HEX, .timeout = 60, .auto_reset = 1 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-auto-reset")) {
			o->auto_reset = 0;
			continue;
		}
		if (v == NULL)
			usage();
		i++;
		if (!strcmp(a, "--boot"))
			o->boot_hex = v;
		else if (!strcmp(a, "--app"))
			o->app_hex = v;
		else if (!strcmp(a, "--pty-link"))
			o->pty_link = v;
		else if (!strcmp(a, "--log"))
			o->log = v;
		else if (!strcmp(a, "--flash-out"))
			o->flash_out = v;
		else if (!strcmp(a, "--xmem"))
			o->xmem = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--speed"))
			o->speed = atof(v);
		else if (!strcmp(a, "--timeout"))
			o->timeout = atof(v);
		else
			usage();
	}
}

int main(int argc, char **argv)
{
	struct options o;
	avr_t *avr;
	int status;

	parse(argc, argv, &o);
	sim_tool = "avr_board";
	avr_global_logger_set(sim_quiet_logger);
	avr = avr_make_mcu_by_name("atmega2560");
	if (avr == NULL) {
		fprintf(stderr, "avr_board: this simavr has no atmega2560\n");
		return 1;
	}
	if (o.xmem > 0xffffu - avr->ramend) {
		fprintf(stderr, "avr_board: --xmem %lu: at most %u bytes fit above the internal "
		        "SRAM\n", o.xmem, 0xffffu - avr->ramend);
		return 1;
	}
	avr->ramend += o.xmem;          /* simavr sizes the data space from it at avr_init */
	avr_init(avr);
	sim_quiet(avr);
	avr->frequency = FREQ;
	avr->reset_pc = BOOT_START;     /* BOOTRST programmed: reset runs the bootloader */
	memset(avr->flash, 0xff, avr->flashend + 1);    /* erased, as a new chip */
	if (load_hex(avr, o.boot_hex, "bootloader") != 0 ||
	    (o.app_hex != NULL && load_hex(avr, o.app_hex, "application") != 0))
		return 1;
	wire_uart(avr);
	if (port_open(&o) != 0)
		return 1;
	signal(SIGTERM, on_stop_signal);
	signal(SIGINT, on_stop_signal);
	signal(SIGPIPE, SIG_IGN);
	status = run(avr, &o);
	fprintf(stderr, "avr_board: %llu cycles, %.3f s simulated\n",
	        (unsigned long long)avr->cycle, sim_seconds(avr->cycle));
	if (o.flash_out != NULL && dump_flash(avr, o.flash_out) != 0 && status == 0)
		status = 1;
	return status;
}
