/*
 * nanoos.c: the NanoOs firmware for the Arduino Mega 2560 (DESIGN.md
 * section 9): the same message runtime (coroutines), kernel processes and
 * CPU as nanoosd, over this board's port -- USART0 (term_avr.c), the SD
 * card on SPI (sd_spi.c), timer 0 (port_avr.c).
 *
 * Boot: the banner; the card; fs mounts its volume; sched, memmgr, the
 * console and its input, and one CPU worker (vm-rv32i/worker_small.c);
 * then this first process becomes the shell. A board without a card or
 * with a volume that does not mount says so and still gives the shell.
 * `halt` stops the processes in the reverse order -- fs last but the
 * card, so the volume is written back and marked clean -- and stops the
 * CPU (simavr: cpu_Done).
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/config.h"
#include "firmware/system.h"
#include "firmware/term_avr.h"
#include "firmware/uart_avr.h"
#include "kproc/console.h"
#include "kproc/kproc.h"
#include "kproc/memmgr.h"
#include "kproc/nos_errno.h"
#include "kproc/sched.h"
#include "msg/msg_coro.h"
#include "msg/msg_port.h"
#include "msg/port_platform.h"

#define NANOOS_VERSION "0.8"
#define RAM_START 0x200u                 /* the atmega2560's SRAM begins here */

void port_avr_clock_init(void);

extern char __data_start, __data_end, __bss_start, __bss_end, __heap_start;
extern char *__brkval;

static struct nanoos_system sys;

/* ---------------------------------------------------------------- RAM */

/* The external SRAM must answer before .bss is cleared (.init4): turn the
 * XMEM bus on in .init3, with no wait states. */
void xmem_init(void) __attribute__((naked, used, section(".init3")));
void xmem_init(void)
{
	XMCRA = _BV(SRE);
	XMCRB = 0;
}

/* The heap is the external SRAM above .bss; paint it and the internal
 * SRAM below the shell's stack, so the low-water marks can be read. */
static void ram_init(void)
{
	uint8_t *p = (uint8_t *)&__heap_start;
	uint8_t *end = (uint8_t *)(CFG_XMEM_START + CFG_XMEM_BYTES - 1);
	uint8_t *sp = (uint8_t *)SP;

	__malloc_heap_start = &__heap_start;
	__malloc_heap_end = (char *)end;
	while (p < end)
		*p++ = MSG_CORO_STACK_PAINT;
	for (p = (uint8_t *)RAM_START; p < sp - 32; p++)
		*p = MSG_CORO_STACK_PAINT;
}

/* The SRAM expansion answers: a pattern written at both ends reads back. */
static int xmem_present(void)
{
	volatile uint8_t *lo = (volatile uint8_t *)(uintptr_t)(CFG_XMEM_START + CFG_XMEM_BYTES - 2);
	volatile uint8_t *hi = lo + 1;

	*lo = 0x5A;
	*hi = 0xA5;
	return *lo == 0x5A && *hi == 0xA5;
}

static void say(const char *a, const char *b, const char *c)
{
	uart_puts(a);
	uart_puts(b);
	uart_puts(c);
	uart_puts("\r\n");
}

void shell_mem_report(struct nanoos_system *s)
{
	char name[MSG_NAME_MAX];
	uint8_t *heap_top = (uint8_t *)(__brkval ? __brkval : &__heap_start);
	uint8_t *p = (uint8_t *)RAM_START;
	unsigned slot, index;
	size_t size, used;

	(void)s;
	while (p < (uint8_t *)SP && *p == MSG_CORO_STACK_PAINT)
		p++;
	uart_puts("internal SRAM: shell stack at most ");
	uart_put_u32((uint32_t)(RAM_START + CFG_INTERNAL_RAM - (uint16_t)p));
	uart_puts(", never touched ");
	uart_put_u32((uint32_t)(p - (uint8_t *)RAM_START));
	uart_puts("\r\nexternal SRAM: .data ");
	uart_put_u32((uint32_t)(&__data_end - &__data_start));
	uart_puts(", .bss ");
	uart_put_u32((uint32_t)(&__bss_end - &__bss_start));
	uart_puts(", heap ");
	uart_put_u32((uint32_t)(heap_top - (uint8_t *)&__heap_start));
	uart_puts(", free ");
	uart_put_u32((uint32_t)(CFG_XMEM_START + CFG_XMEM_BYTES - (uint16_t)heap_top));
	uart_puts("\r\n");
	for (slot = 0; slot < MSG_MAX_PROCS; slot++) {
		if (msg_coro_stack_use(slot, name, &index, &size, &used) < 0)
			continue;
		uart_puts("  stack ");
		uart_puts(name);
		uart_puts(": ");
		uart_put_u32(used);
		uart_puts(" of ");
		uart_put_u32(size);
		uart_puts("\r\n");
	}
}

/* ---------------------------------------------------------------- boot */

static void boot_card(void)
{
	sys.card_err = sd_spi_init(&sys.card, 1);
	if (sys.card_err != SD_OK) {
		say("sd: ", sd_spi_strerror(sys.card_err),
		    sys.card_err == SD_ERR_NO_CARD ? ": insert a card and reset the board"
		                                   : ": check the card and reset the board");
		return;
	}
	uart_puts("sd: ");
	uart_puts(sys.card.high_capacity ? "SDHC" : "SDSC");
	uart_puts(" card, ");
	uart_put_u32(sys.card.blocks / 2048u);
	uart_puts(" MiB\r\n");
}

static struct sd_backend card_backend;

static void boot_volume(void)
{
	int r;

	sys.fs_err = -NOS_ENODEV;
	if (sys.card_err != SD_OK)
		return;
	sd_spi_backend(&sys.card, &card_backend);
	if ((r = sdcard_start(&card_backend, &sys.sdcard)) < 0) {
		say("sd: cannot start the sdcard process: ", nos_strerror(r), "");
		return;
	}
	sys.fs_cfg.sdcard = sys.sdcard;
	sys.fs_cfg.stack_size = CFG_STACK_FS;
	sys.fs_cfg.alloc = malloc;          /* a volume left dirty is repaired at mount */
	sys.fs_cfg.release = free;
	sys.fs_err = fs_start(&sys.fs_cfg, &sys.fs);
	if (sys.fs_err < 0) {
		if (!sys.fs_cfg.err[0])
			strcpy(sys.fs_cfg.err, nos_strerror(sys.fs_err));
		say("fs: the card's volume does not mount: ", sys.fs_cfg.err,
		    "; format it with `nanoos sdimage create` on Linux");
		return;
	}
	uart_puts("fs: volume mounted\r\n");
}

static struct sched_config sched_cfg = { malloc, free, 0, NULL };
static struct memmgr_config mem_cfg = { malloc, free, 0 };

static int boot_kernel(void)
{
	struct worker_small_config *wc = &sys.worker_cfg;
	int r;

	if ((r = sched_start(&sched_cfg, &sys.sched)) < 0 ||
	    (r = memmgr_start(&mem_cfg, &sys.memmgr)) < 0 ||
	    (r = console_start(&term_avr, &sys.console)) < 0 ||
	    (r = term_avr_start_conin(sys.console, &sys.conin)) < 0)
		return r;
	wc->sched = sys.sched;
	wc->fs = sys.fs;
	wc->memmgr = sys.memmgr;
	wc->starter = msg_self();
	wc->swap_path = CFG_SWAP_PATH;
	wc->space = CFG_GUEST_SPACE;
	uint8_t *pages = malloc(CFG_GUEST_PAGES * GMEM_SLOT_BYTES + 3);

	if (!pages)
		return -NOS_ENOMEM;
	/* avr-libc's malloc aligns to 1 byte; the page cache wants 4 */
	wc->slots = pages + ((4u - ((uintptr_t)pages & 3u)) & 3u);
	wc->cache_bytes = CFG_GUEST_PAGES * GMEM_SLOT_BYTES;
	wc->stack_size = CFG_STACK_WORKER;
	return worker_small_start(1, wc, &sys.worker);
}

static void halt(void)
{
	msg_pid_t order[] = { sys.worker, sys.conin, sys.console, sys.memmgr, sys.sched,
	                      sys.fs, sys.sdcard };
	unsigned i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (order[i] != MSG_PID_NONE && order[i] != 0)
			kproc_stop(order[i], MSG_FOREVER);
	uart_puts("nanoos: halted\r\n");
	cli();
	sleep_enable();
	sleep_cpu();
}

int main(void)
{
	int r;

	uart_init(CFG_BAUD);
	if (!xmem_present())
		port_fatal("no SRAM answers on the XMEM bus: this firmware needs a 32 KiB "
		           "expansion at 0x2200");
	ram_init();
	term_avr_init();
	port_avr_clock_init();
	sei();
	say("NanoOs " NANOOS_VERSION " on " CFG_BOARD, "", "");
	if ((r = msg_init_runtime("shell")) < 0)
		port_fatal("cannot start the message runtime");
	boot_card();
	boot_volume();
	if ((r = boot_kernel()) < 0)
		say("nanoos: cannot start the kernel processes: ", nos_strerror(r), "");
	else {
		uart_puts("nanoos: ready in ");
		uart_put_u32((uint32_t)(msg_now_ns() / 1000000u));
		uart_puts(" ms, ");
		uart_put_u32(sd_spi_bytes);
		uart_puts(" bytes on the SD card's bus\r\n");
		shell_run(&sys);
	}
	halt();
	return 0;
}
