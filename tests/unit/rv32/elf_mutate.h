/*
 * elf_mutate.h: the ELF32 header offsets and the bad files both loader
 * suites try (tests/unit/test_elf_load.c: libelf's loader;
 * tests/unit/test_elf_stream.c: the streaming one, which must refuse each
 * the same way): each mutator damages a good file in place (f, *len).
 * GUEST, the guest space the tests use, comes from the includer.
 */
#ifndef NOS_TEST_ELF_MUTATE_H
#define NOS_TEST_ELF_MUTATE_H

#include <string.h>

#include "kproc/le.h"

/* ELF32 header and program header field offsets. */
enum {
	EH_CLASS = 4, EH_DATA = 5, EH_IVERSION = 6, EH_TYPE = 16, EH_MACHINE = 18,
	EH_VERSION = 20, EH_ENTRY = 24, EH_PHOFF = 28, EH_PHENTSIZE = 42, EH_PHNUM = 44,
	PH_TYPE = 0, PH_OFFSET = 4, PH_VADDR = 8, PH_FILESZ = 16, PH_MEMSZ = 20,
};

static uint8_t *ph(uint8_t *f, unsigned i)
{
	return f + ld_32(f + EH_PHOFF) + 32u * i;
}

static void m_empty(uint8_t *f, size_t *len) { (void)f; *len = 0; }
static void m_text(uint8_t *f, size_t *len) { memcpy(f, "#!/bin/sh\necho hi\n", 18); *len = 18; }
static void m_short(uint8_t *f, size_t *len) { (void)f; *len = 10; }
static void m_class64(uint8_t *f, size_t *len) { (void)len; f[EH_CLASS] = 2; }
static void m_class0(uint8_t *f, size_t *len) { (void)len; f[EH_CLASS] = 0; }
static void m_msb(uint8_t *f, size_t *len) { (void)len; f[EH_DATA] = 2; }
static void m_iversion(uint8_t *f, size_t *len) { (void)len; f[EH_IVERSION] = 0; }
static void m_x86_64(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_MACHINE, 62); }
static void m_arm(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_MACHINE, 40); }
static void m_odd_machine(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_MACHINE, 9999); }
static void m_dyn(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_TYPE, 3); }
static void m_rel(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_TYPE, 1); }
static void m_core(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_TYPE, 4); }
static void m_version(uint8_t *f, size_t *len) { (void)len; st_32(f + EH_VERSION, 0); }
static void m_phentsize(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_PHENTSIZE, 40); }
static void m_phnum0(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_PHNUM, 0); }
static void m_phnum100(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_PHNUM, 100); }
static void m_phoff(uint8_t *f, size_t *len) { st_32(f + EH_PHOFF, (uint32_t)*len - 40); }
static void m_phoff_huge(uint8_t *f, size_t *len) { (void)len; st_32(f + EH_PHOFF, 0xFFFFFFF0u); }
static void m_truncated(uint8_t *f, size_t *len) { (void)f; *len = ld_32(ph(f, 1) + PH_OFFSET) + 2; }
static void m_offset_huge(uint8_t *f, size_t *len)
{
	(void)len;
	st_32(ph(f, 1) + PH_OFFSET, 0xFFFFFFF0u);
}
static void m_outside(uint8_t *f, size_t *len)
{
	(void)len;
	st_32(ph(f, 1) + PH_VADDR, GUEST - 0x1000);
	st_32(ph(f, 1) + PH_MEMSZ, 0x2000);
}
static void m_memsz_huge(uint8_t *f, size_t *len) { (void)len; st_32(ph(f, 1) + PH_MEMSZ, 0xFFFFFFFFu); }
static void m_wraps(uint8_t *f, size_t *len)
{
	(void)len;
	st_32(ph(f, 1) + PH_VADDR, 0xFFFFF000u);
	st_32(ph(f, 1) + PH_MEMSZ, 0x2000);
}
static void m_page0(uint8_t *f, size_t *len) { (void)len; st_32(ph(f, 1) + PH_VADDR, 0x800); }
static void m_overlap(uint8_t *f, size_t *len) { (void)len; st_32(ph(f, 1) + PH_VADDR, 0x10100); }
static void m_filesz(uint8_t *f, size_t *len)
{
	(void)len;
	st_32(ph(f, 1) + PH_FILESZ, 8);
	st_32(ph(f, 1) + PH_MEMSZ, 4);
}
static void m_interp(uint8_t *f, size_t *len) { (void)len; st_32(ph(f, 1) + PH_TYPE, 3); }
static void m_dynamic(uint8_t *f, size_t *len) { (void)len; st_32(ph(f, 1) + PH_TYPE, 2); }
static void m_entry(uint8_t *f, size_t *len) { (void)len; st_32(f + EH_ENTRY, 0x3000000); }

#endif
