/*
 * elf_load.c: the ELF loader of the Linux port (libelf) -- checks that a
 * file is a static RV32 executable that fits the guest, then copies its
 * PT_LOAD segments into guest memory.
 *
 * Everything is checked before the first byte is copied, with arithmetic in
 * 64 bits so no sum can wrap; sizes come from the file but nothing is
 * allocated from them (segments go straight into guest memory). The reason
 * for a refusal is one line naming the problem, for the caller to prefix
 * with the file name.
 */
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/elf_load.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

struct loader {
	guest_mem *m;
	const uint8_t *file;
	size_t len;
	Elf32_Ehdr *eh;                  /* aligned copies of what libelf */
	Elf32_Phdr *ph;                  /* returns, which may point into a */
	size_t phnum;                    /* misaligned image */
	Elf32_Ehdr eh_copy;
	Elf32_Phdr ph_copy[ELF_LOAD_MAX_PHNUM];
	char *why;
	size_t whylen;
};

static int refuse(struct loader *ld, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct loader *ld, int err, const char *fmt, ...)
{
	va_list ap;

	if (ld->why != NULL && ld->whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(ld->why, ld->whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

static const struct { uint16_t id; const char *name; } machines[] = {
	{ 2, "SPARC" }, { 3, "i386" }, { 8, "MIPS" }, { 20, "PowerPC" },
	{ 21, "PowerPC64" }, { 22, "S/390" }, { 40, "ARM" }, { 42, "SuperH" },
	{ 50, "IA-64" }, { 62, "x86-64" }, { 83, "AVR" }, { 183, "AArch64" },
	{ 258, "LoongArch" },
};

static const char *machine_name(unsigned id)
{
	size_t i;

	for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (machines[i].id == id)
			return machines[i].name;
	return "unknown";
}

static const char *type_name(unsigned t)
{
	static const char *const names[] = {
		[ET_NONE] = "ET_NONE", [ET_REL] = "ET_REL: an object file, not linked",
		[ET_DYN] = "ET_DYN", [ET_CORE] = "ET_CORE: a core dump",
	};

	return t < sizeof(names) / sizeof(names[0]) && names[t] ? names[t] : "unknown type";
}

/* "64 MiB", "512 KiB" or "1000-byte": the guest's size, for messages. */
static void size_text(uint32_t size, char *buf, size_t n)
{
	if (size % (1024u * 1024u) == 0)
		snprintf(buf, n, "%u MiB", size / (1024u * 1024u));
	else if (size % 1024u == 0)
		snprintf(buf, n, "%u KiB", size / 1024u);
	else
		snprintf(buf, n, "%u-byte", size);
}

/* The identification bytes, read before libelf touches the file, so a
 * foreign byte order never gets converted. */
static int check_ident(struct loader *ld)
{
	const uint8_t *id = ld->file;

	if (ld->len == 0)
		return refuse(ld, -NOS_ENOEXEC, "empty file");
	if (ld->len < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG) != 0)
		return refuse(ld, -NOS_ENOEXEC, "not an ELF file");
	if (id[EI_CLASS] == ELFCLASS64)
		return refuse(ld, -NOS_ENOEXEC,
		              "ELF class is 64-bit, NanoOs runs 32-bit RISC-V (ELFCLASS32)");
	if (id[EI_CLASS] != ELFCLASS32)
		return refuse(ld, -NOS_ENOEXEC, "ELF class %u is invalid (want ELFCLASS32)",
		              id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB)
		return refuse(ld, -NOS_ENOEXEC, "ELF data is %s, RISC-V is little-endian (ELFDATA2LSB)",
		              id[EI_DATA] == ELFDATA2MSB ? "big-endian" : "of an invalid encoding");
	if (id[EI_VERSION] != EV_CURRENT)
		return refuse(ld, -NOS_ENOEXEC, "ELF version %u is not EV_CURRENT (1)",
		              id[EI_VERSION]);
	return 0;
}

static int check_header(struct loader *ld)
{
	Elf32_Ehdr *eh = ld->eh;

	if (eh->e_machine != EM_RISCV)
		return refuse(ld, -NOS_ENOEXEC, "machine is %s (%u), not RISC-V (243)",
		              machine_name(eh->e_machine), eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return refuse(ld, -NOS_ENOEXEC, "not a static executable (%s)",
		              type_name(eh->e_type));
	if (eh->e_version != EV_CURRENT)
		return refuse(ld, -NOS_ENOEXEC, "ELF header version %u is not EV_CURRENT (1)",
		              eh->e_version);
	if (eh->e_phentsize != sizeof(Elf32_Phdr))
		return refuse(ld, -NOS_ENOEXEC, "program header size is %u bytes, not %zu",
		              eh->e_phentsize, sizeof(Elf32_Phdr));
	if (ld->phnum == 0)
		return refuse(ld, -NOS_ENOEXEC, "has no program headers: nothing to load");
	if (ld->phnum > ELF_LOAD_MAX_PHNUM)
		return refuse(ld, -NOS_ENOEXEC, "has %zu program headers, more than the %u NanoOs accepts",
		              ld->phnum, ELF_LOAD_MAX_PHNUM);
	if ((uint64_t)eh->e_phoff + (uint64_t)ld->phnum * sizeof(Elf32_Phdr) > ld->len)
		return refuse(ld, -NOS_ENOEXEC, "program headers are truncated: file has %zu bytes, needs %llu",
		              ld->len, (unsigned long long)eh->e_phoff +
		              (unsigned long long)ld->phnum * sizeof(Elf32_Phdr));
	return 0;
}

static uint64_t seg_end(const Elf32_Phdr *p)
{
	return (uint64_t)p->p_vaddr + p->p_memsz;
}

static int is_load(const Elf32_Phdr *p)
{
	return p->p_type == PT_LOAD && p->p_memsz > 0;
}

static int check_segment(struct loader *ld, size_t i)
{
	const Elf32_Phdr *p = &ld->ph[i];
	uint64_t need = (uint64_t)p->p_offset + p->p_filesz;
	char space[24];

	if (p->p_filesz > p->p_memsz)
		return refuse(ld, -NOS_ENOEXEC, "segment %zu has more file bytes (%u) than memory bytes (%u)",
		              i, p->p_filesz, p->p_memsz);
	if (need > ld->len)
		return refuse(ld, -NOS_ENOEXEC, "segment %zu is truncated: file has %zu bytes, needs %llu",
		              i, ld->len, (unsigned long long)need);
	if (p->p_vaddr < ELF_LOAD_MIN_VADDR)
		return refuse(ld, -NOS_ENOEXEC, "segment %zu [0x%x-0x%llx) reaches below 0x%x: page 0 stays unmapped",
		              i, p->p_vaddr, (unsigned long long)seg_end(p), ELF_LOAD_MIN_VADDR);
	if (seg_end(p) > ld->m->size) {
		size_text(ld->m->size, space, sizeof(space));
		return refuse(ld, -NOS_ENOEXEC, "segment %zu [0x%x-0x%llx) lies outside the guest's %s space",
		              i, p->p_vaddr, (unsigned long long)seg_end(p), space);
	}
	return 0;
}

/* Every program header: no interpreter, nothing dynamic, and loadable
 * segments that fit, do not overlap, and hold the entry point. */
static int check_segments(struct loader *ld)
{
	size_t i, j;
	int r, entry_found = 0;

	for (i = 0; i < ld->phnum; i++) {
		if (ld->ph[i].p_type == PT_INTERP)
			return refuse(ld, -NOS_ENOEXEC,
			              "has an interpreter (PT_INTERP): dynamic programs are not supported");
		if (ld->ph[i].p_type == PT_DYNAMIC)
			return refuse(ld, -NOS_ENOEXEC,
			              "has dynamic linking information (PT_DYNAMIC): dynamic programs are not supported");
	}
	for (i = 0; i < ld->phnum; i++) {
		const Elf32_Phdr *p = &ld->ph[i];

		if (!is_load(p))
			continue;
		if ((r = check_segment(ld, i)) < 0)
			return r;
		for (j = 0; j < i; j++) {
			const Elf32_Phdr *q = &ld->ph[j];

			if (is_load(q) && p->p_vaddr < seg_end(q) && q->p_vaddr < seg_end(p))
				return refuse(ld, -NOS_ENOEXEC, "segments %zu and %zu overlap at 0x%x", j, i,
				              p->p_vaddr > q->p_vaddr ? p->p_vaddr : q->p_vaddr);
		}
		if (ld->eh->e_entry >= p->p_vaddr && ld->eh->e_entry < seg_end(p))
			entry_found = 1;
	}
	if (!entry_found)
		return refuse(ld, -NOS_ENOEXEC, "entry point 0x%x is not inside a loaded segment",
		              ld->eh->e_entry);
	return 0;
}

static int copy_segments(struct loader *ld, struct elf_image *img)
{
	size_t i;
	int r;

	for (i = 0; i < ld->phnum; i++) {
		const Elf32_Phdr *p = &ld->ph[i];

		if (!is_load(p))
			continue;
		r = gmem_write(ld->m, p->p_vaddr, ld->file + p->p_offset, p->p_filesz);
		if (r == 0)
			r = gmem_fill(ld->m, p->p_vaddr + p->p_filesz, 0, p->p_memsz - p->p_filesz);
		if (r < 0)
			return refuse(ld, r, "cannot copy segment %zu into guest memory (error %d)", i, -r);
		if (p->p_vaddr < img->lowest)
			img->lowest = p->p_vaddr;
		if (seg_end(p) > img->highest)
			img->highest = (uint32_t)seg_end(p);
	}
	return 0;
}

/* Where the program headers are in the guest: PT_PHDR's address, else
 * inside the loaded segment whose file bytes hold them; 0 when not loaded. */
static uint32_t phdr_address(const struct loader *ld)
{
	uint64_t off = ld->eh->e_phoff, end = off + ld->phnum * sizeof(Elf32_Phdr);
	size_t i;

	for (i = 0; i < ld->phnum; i++)
		if (ld->ph[i].p_type == PT_PHDR)
			return ld->ph[i].p_vaddr;
	for (i = 0; i < ld->phnum; i++) {
		const Elf32_Phdr *p = &ld->ph[i];

		if (is_load(p) && off >= p->p_offset && end <= (uint64_t)p->p_offset + p->p_filesz)
			return (uint32_t)(p->p_vaddr + (off - p->p_offset));
	}
	return 0;
}

static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;

static void libelf_init(void)
{
	(void)elf_version(EV_CURRENT);
}

static int load(struct loader *ld, Elf *e, struct elf_image *out)
{
	struct elf_image img = { .lowest = UINT32_MAX };
	const void *eh, *ph;
	int r;

	if (elf_kind(e) != ELF_K_ELF)
		return refuse(ld, -NOS_ENOEXEC, "not an ELF file");
	if ((eh = elf32_getehdr(e)) == NULL)
		return refuse(ld, -NOS_ENOEXEC, "ELF header is truncated or damaged (%s)", elf_errmsg(-1));
	memcpy(&ld->eh_copy, eh, sizeof(ld->eh_copy));
	ld->eh = &ld->eh_copy;
	ld->phnum = ld->eh->e_phnum;     /* PN_XNUM (0xffff) is far over the limit */
	if ((r = check_header(ld)) < 0)
		return r;
	if ((ph = elf32_getphdr(e)) == NULL)
		return refuse(ld, -NOS_ENOEXEC, "program headers are damaged (%s)", elf_errmsg(-1));
	memcpy(ld->ph_copy, ph, ld->phnum * sizeof(Elf32_Phdr));
	ld->ph = ld->ph_copy;
	if ((r = check_segments(ld)) < 0 || (r = copy_segments(ld, &img)) < 0)
		return r;
	img.entry = ld->eh->e_entry;
	img.brk_start = (uint32_t)(((uint64_t)img.highest + 4095u) & ~(uint64_t)4095u);
	img.phdr_addr = phdr_address(ld);
	img.phnum = (uint16_t)ld->phnum;
	img.phent = (uint16_t)sizeof(Elf32_Phdr);
	*out = img;
	return 0;
}

int elf_load(guest_mem *m, const void *file, size_t len, struct elf_image *out,
             char *why, size_t whylen)
{
	struct loader ld = { .m = m, .file = file, .len = len, .why = why, .whylen = whylen };
	Elf *e;
	int r;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((r = check_ident(&ld)) < 0)
		return r;
	pthread_once(&libelf_once, libelf_init);
	/* libelf reads a native-order, in-memory image in place; it does not
	 * write to it. */
	e = elf_memory((char *)(uintptr_t)file, len);
	if (e == NULL)
		return refuse(&ld, -NOS_ENOEXEC, "not an ELF file (%s)", elf_errmsg(-1));
	r = load(&ld, e, out);
	elf_end(e);
	return r;
}
