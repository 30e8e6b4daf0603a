/*
 * port_platform.h: what msg needs from the platform under it, whichever
 * backend runs: msg/port_linux.c on Linux, firmware/port_avr.c on AVR.
 */
#ifndef NOS_PORT_PLATFORM_H
#define NOS_PORT_PLATFORM_H

#include <stdint.h>

uint64_t port_clock_ns(void);                /* monotonic nanoseconds */
void port_idle_until(uint64_t deadline_ns);  /* nothing to run until then */
void port_fatal(const char *what) __attribute__((noreturn));

#endif
