/*
 * selftest.h: what the self-test firmwares (msgcheck, sdcheck) share: a
 * count of checks, each failure named on USART0, and the verdict line
 * "NAME: N passed, N failed" before the CPU stops (simavr: cpu_Done).
 */
#ifndef NOS_FIRMWARE_SELFTEST_H
#define NOS_FIRMWARE_SELFTEST_H

/* The firmware's name, for every line it prints. */
void selftest_begin(const char *name);
void check(int ok, const char *what);
/* Print the verdict and stop the CPU. */
void selftest_end(void) __attribute__((noreturn));

#endif
