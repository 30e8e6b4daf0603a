/*
 * elf_stream.c: the ELF loader of the AVR firmware -- elf_load's checks and
 * copies, made on a file read piece by piece (elf_stream.h), in portable C:
 * no libelf, no malloc, no stdio, no 64-bit arithmetic.
 *
 * It never holds more than the ELF header's few fields, two program headers
 * and one ELF_STREAM_CHUNK of file bytes. Program headers are read again
 * when a later pass needs them (there are at most ELF_LOAD_MAX_PHNUM), so
 * the passes are elf_load's, in elf_load's order:
 *   1. the header (check_ident, check_header);
 *   2. every program header: no PT_INTERP, no PT_DYNAMIC; where the
 *      program headers land in the guest;
 *   3. every PT_LOAD: fits the file and the guest, overlaps no earlier one;
 *      the entry point lies in one of them;
 *   4. copy each PT_LOAD's file bytes and zero its bss.
 * Every reason in why[] is elf_load's text, byte for byte -- including the
 * two that come from libelf in elf_load (check_libelf_*) -- and
 * tests/unit/test_elf_stream.c compares the two loaders on every program.
 *
 * Made for a small flash: the texts stay in ROM (ELF_ROM: on AVR, string
 * literals would be copied into RAM at boot), and a reason names the
 * numbers it prints (%i, %L ... below) instead of taking them as
 * arguments, which would cost code at every one of its call sites.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/elf_stream.h"

#ifdef __AVR__
#define ELF_ROM __flash
#else
#define ELF_ROM
#endif

/* A string literal kept in ROM, usable as an expression. */
#define ROM_TEXT(s) (__extension__({ static const ELF_ROM char text_[] = (s); &text_[0]; }))

_Static_assert(ELF_STREAM_CHUNK <= 255, "read_exact counts a chunk in a uint8_t");
/* Constants the reasons spell out rather than print. */
_Static_assert(ELF_LOAD_MAX_PHNUM == 64 && ELF_LOAD_MIN_VADDR == 0x1000,
               "the reasons' texts say 64 program headers and 0x1000");

/* ELF32 header and program header fields (byte offsets), and the values
 * elf_load asks for. */
enum {
	EH_CLASS = 4, EH_DATA = 5, EH_IVERSION = 6, EH_NIDENT = 16, EH_TYPE = 16,
	EH_MACHINE = 18, EH_VERSION = 20, EH_ENTRY = 24, EH_PHOFF = 28,
	EH_PHENTSIZE = 42, EH_PHNUM = 44, EH_SIZE = 52,
	PH_TYPE = 0, PH_OFFSET = 4, PH_VADDR = 8, PH_FILESZ = 16, PH_MEMSZ = 20,
	PH_READ = 24,                /* the fields above: all the loader uses */
	PH_SIZE = 32,
};
enum { CLASS32 = 1, CLASS64 = 2, DATA_LSB = 1, DATA_MSB = 2, EV_NOW = 1 };
enum { TYPE_EXEC = 2, MACHINE_RISCV = 243 };
enum { PT_LOAD_ = 1, PT_DYNAMIC_ = 2, PT_INTERP_ = 3, PT_PHDR_ = 6 };

/* The fields of one program header the loader uses. */
struct phdr {
	uint32_t type, offset, vaddr, filesz, memsz;
};

/* A sum of two 32-bit numbers: 33 bits (hi is 0 or 1). */
struct wide {
	uint32_t lo, hi;
};

struct stream {
	guest_mem *m;
	elf_read_fn read;
	void *ctx;
	uint32_t len;                /* %L */
	uint32_t entry, phoff;
	uint16_t phnum;
	char *why;
	uint16_t whylen, whypos;     /* why[whypos] is where the text goes on */
	/* What a reason prints besides its text (why_add names them). */
	struct phdr p;               /* the program header at hand: %v %f %m */
	uint32_t seg, other;         /* its number (%i); a second one (%j) */
	uint32_t num;                /* %n, %x */
	struct wide need, end;       /* %N: where p's file bytes end; %E: where p ends */
	const ELF_ROM char *str;     /* %s */
};

/* ------------------------------------------------------------ reasons */

/* The numbers a reason names -- printf's idea, but the reason says which
 * field of struct stream it prints instead of taking arguments:
 *   %i  seg, the segment at hand         %j  other, the one it overlaps
 *   %n  num in decimal                   %x  num in hex
 *   %L  the file's length                %v  p.vaddr, in hex
 *   %f  p.filesz                         %m  p.memsz
 *   %N  need (33 bits)                   %E  end (33 bits), in hex
 * and, in why_add, %s is str and %S the guest's size ("64 MiB"). */
enum { DEC = 0, HEX = 1, WIDE = 2 };
_Static_assert(sizeof(struct stream) < 256, "named[].at holds an offset in a uint8_t");
static const ELF_ROM struct named {
	char code;
	uint8_t at;                  /* offsetof(struct stream, ...) */
	uint8_t how;
} named[] = {
	{ 'i', offsetof(struct stream, seg), DEC },
	{ 'j', offsetof(struct stream, other), DEC },
	{ 'n', offsetof(struct stream, num), DEC },
	{ 'x', offsetof(struct stream, num), HEX },
	{ 'L', offsetof(struct stream, len), DEC },
	{ 'v', offsetof(struct stream, p.vaddr), HEX },
	{ 'f', offsetof(struct stream, p.filesz), DEC },
	{ 'm', offsetof(struct stream, p.memsz), DEC },
	{ 'N', offsetof(struct stream, need), DEC | WIDE },
	{ 'E', offsetof(struct stream, end), HEX | WIDE },
};

static void why_char(struct stream *st, char c)
{
	if (st->why == NULL || st->whypos + 1u >= st->whylen)
		return;                  /* full: the text is cut, as vsnprintf cuts */
	st->why[st->whypos++] = c;
	st->why[st->whypos] = '\0';
}

static void why_text(struct stream *st, const ELF_ROM char *s)
{
	for (; *s != '\0'; s++)
		why_char(st, *s);
}

/* The number hi * 2^32 + lo in base 10 or 16 (lowercase), divided 16 bits
 * at a time: 64-bit arithmetic would pull libgcc's large routines into the
 * AVR build. */
static void why_number(struct stream *st, uint32_t hi, uint32_t lo, uint8_t base)
{
	uint16_t piece[4] = { (uint16_t)(hi >> 16), (uint16_t)hi, (uint16_t)(lo >> 16), (uint16_t)lo };
	char digits[20];
	uint8_t n = 0, k, nonzero;
	uint32_t rem;

	do {
		rem = 0;
		nonzero = 0;
		for (k = 0; k < 4; k++) {
			rem = rem << 16 | piece[k];
			piece[k] = (uint16_t)(rem / base);
			rem %= base;
			nonzero |= piece[k] != 0;
		}
		digits[n++] = (char)(rem < 10 ? '0' + rem : 'a' + rem - 10);
	} while (nonzero);
	while (n > 0)
		why_char(st, digits[--n]);
}

static void why_named(struct stream *st, char code)
{
	struct wide v = { 0, 0 };
	uint8_t k;

	for (k = 0; named[k].code != code; k++)
		if (k == sizeof(named) / sizeof(named[0]) - 1) {
			why_char(st, '?');           /* a code missing from the table */
			return;
		}
	memcpy(&v, (const uint8_t *)st + named[k].at, named[k].how & WIDE ? 8 : 4);
	why_number(st, v.hi, v.lo, named[k].how & HEX ? 16 : 10);
}

/* "64 MiB", "512 KiB" or "1000-byte": the guest's size. */
static void why_size(struct stream *st)
{
	uint32_t size = st->m->size;
	uint8_t shift = size % (1024ul * 1024ul) == 0 ? 20 : size % 1024ul == 0 ? 10 : 0;

	why_number(st, 0, size >> shift, 10);
	why_text(st, shift == 20 ? ROM_TEXT(" MiB")
	             : shift == 10 ? ROM_TEXT(" KiB") : ROM_TEXT("-byte"));
}

/* Append fmt to why[], its %-codes filled in (see `named`). */
static void why_add(struct stream *st, const ELF_ROM char *fmt)
{
	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%')
			why_char(st, *fmt);
		else if (*++fmt == 's')
			why_text(st, st->str);
		else if (*fmt == 'S')
			why_size(st);
		else
			why_named(st, *fmt);
	}
}

/* Set why[] to the reason and return err. */
static int refuse_with(struct stream *st, int err, const ELF_ROM char *fmt)
{
	st->whypos = 0;
	why_add(st, fmt);
	return err;
}

/* A file that is not a loadable RV32 program, and why. */
static int refuse(struct stream *st, const ELF_ROM char *fmt)
{
	return refuse_with(st, -NOS_ENOEXEC, fmt);
}

/* ------------------------------------------------------------ reading */

/* Read n bytes at off into buf, calling st->read as often as it takes:
 * 0, the reader's error, or 1 when the file ends before n bytes. */
static int32_t read_exact(struct stream *st, uint32_t off, uint8_t *buf, uint8_t n)
{
	int32_t r;

	while (n > 0) {
		r = st->read(st->ctx, off, buf, n);
		if (r < 0)
			return r;
		if (r == 0)
			return 1;
		if (r > n)
			return -NOS_EIO;     /* a reader that breaks its contract */
		off += (uint32_t)r;
		buf += r;
		n -= (uint8_t)r;
	}
	return 0;
}

/* The reason for a failed read_exact (r) of `what` (a text that may name
 * %i), which was to end at byte `end`; the error to return. */
static int read_failed(struct stream *st, int32_t r, const ELF_ROM char *what, uint32_t end)
{
	int err = r == 1 || r < -32767 ? -NOS_EIO : (int)r;

	st->num = r == 1 ? end : (uint32_t)-err;
	refuse_with(st, err, ROM_TEXT("cannot read "));
	why_add(st, what);
	why_add(st, r == 1 ? ROM_TEXT(": the file ends before byte %n, yet its length is %L")
	                   : ROM_TEXT(" (error %n)"));
	return err;
}

/* Program header i into p (its bytes are known to lie inside the file). */
static int read_phdr(struct stream *st, uint16_t i, struct phdr *p)
{
	/* field in the file, field in struct phdr: one loop decodes them all */
	static const ELF_ROM uint8_t fields[][2] = {
		{ PH_TYPE, offsetof(struct phdr, type) }, { PH_OFFSET, offsetof(struct phdr, offset) },
		{ PH_VADDR, offsetof(struct phdr, vaddr) }, { PH_FILESZ, offsetof(struct phdr, filesz) },
		{ PH_MEMSZ, offsetof(struct phdr, memsz) },
	};
	uint8_t b[PH_READ], k;
	uint32_t off = st->phoff + (uint32_t)PH_SIZE * i, v;
	int32_t r = read_exact(st, off, b, sizeof(b));

	if (r != 0) {
		st->seg = i;
		return read_failed(st, r, ROM_TEXT("program header %i"), off + sizeof(b));
	}
	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		v = ld_32(b + fields[k][0]);
		memcpy((uint8_t *)p + fields[k][1], &v, sizeof(v));
	}
	return 0;
}

/* ------------------------------------------------------------ the header */

struct machine {
	uint16_t id;
	char name[10];
};

static const ELF_ROM struct machine machines[] = {
	{ 2, "SPARC" }, { 3, "i386" }, { 8, "MIPS" }, { 20, "PowerPC" },
	{ 21, "PowerPC64" }, { 22, "S/390" }, { 40, "ARM" }, { 42, "SuperH" },
	{ 50, "IA-64" }, { 62, "x86-64" }, { 83, "AVR" }, { 183, "AArch64" },
	{ 258, "LoongArch" },
};

static const ELF_ROM char *machine_name(uint16_t id)
{
	uint8_t i;

	for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (machines[i].id == id)
			return machines[i].name;
	return ROM_TEXT("unknown");
}

static const ELF_ROM char *type_name(uint16_t t)
{
	switch (t) {
	case 0: return ROM_TEXT("ET_NONE");
	case 1: return ROM_TEXT("ET_REL: an object file, not linked");
	case 3: return ROM_TEXT("ET_DYN");
	case 4: return ROM_TEXT("ET_CORE: a core dump");
	default: return ROM_TEXT("unknown type");
	}
}

/* The identification bytes (the file holds at least EH_NIDENT). */
static int check_ident(struct stream *st, const uint8_t *id)
{
	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return refuse(st, ROM_TEXT("not an ELF file"));
	st->num = id[EH_CLASS];
	if (id[EH_CLASS] == CLASS64)
		return refuse(st, ROM_TEXT("ELF class is 64-bit, NanoOs runs 32-bit RISC-V (ELFCLASS32)"));
	if (id[EH_CLASS] != CLASS32)
		return refuse(st, ROM_TEXT("ELF class %n is invalid (want ELFCLASS32)"));
	st->str = id[EH_DATA] == DATA_MSB ? ROM_TEXT("big-endian")
	                                  : ROM_TEXT("of an invalid encoding");
	if (id[EH_DATA] != DATA_LSB)
		return refuse(st, ROM_TEXT("ELF data is %s, RISC-V is little-endian (ELFDATA2LSB)"));
	st->num = id[EH_IVERSION];
	if (id[EH_IVERSION] != EV_NOW)
		return refuse(st, ROM_TEXT("ELF version %n is not EV_CURRENT (1)"));
	return 0;
}

/* a + b, all 33 bits of it. */
static void add_wide(uint32_t a, uint32_t b, struct wide *sum)
{
	sum->lo = a + b;
	sum->hi = sum->lo < a;
}

/* Whether a 33-bit number is above a 32-bit one. */
static int wide_above(const struct wide *w, uint32_t limit)
{
	return w->hi != 0 || w->lo > limit;
}

static int check_header(struct stream *st, const uint8_t *eh)
{
	uint16_t type = ld_16(eh + EH_TYPE);

	st->num = ld_16(eh + EH_MACHINE);
	st->str = machine_name((uint16_t)st->num);
	if (st->num != MACHINE_RISCV)
		return refuse(st, ROM_TEXT("machine is %s (%n), not RISC-V (243)"));
	st->str = type_name(type);
	if (type != TYPE_EXEC)
		return refuse(st, ROM_TEXT("not a static executable (%s)"));
	st->num = ld_32(eh + EH_VERSION);
	if (st->num != EV_NOW)
		return refuse(st, ROM_TEXT("ELF header version %n is not EV_CURRENT (1)"));
	st->num = ld_16(eh + EH_PHENTSIZE);
	if (st->num != PH_SIZE)
		return refuse(st, ROM_TEXT("program header size is %n bytes, not 32"));
	st->num = st->phnum;
	if (st->phnum == 0)
		return refuse(st, ROM_TEXT("has no program headers: nothing to load"));
	if (st->phnum > ELF_LOAD_MAX_PHNUM)
		return refuse(st, ROM_TEXT("has %n program headers, more than the 64 NanoOs accepts"));
	add_wide(st->phoff, (uint32_t)st->phnum * PH_SIZE, &st->need);
	if (wide_above(&st->need, st->len))
		return refuse(st, ROM_TEXT("program headers are truncated: file has %L bytes, needs %N"));
	return 0;
}

/* What libelf refuses in elf_load, in libelf's words (elfutils'
 * elf_errmsg): elf_memory wants a whole ELF header, elf32_getphdr a
 * non-zero e_phoff. Each sits where elf_load meets it: the first before
 * check_header, the second after. */
static int check_libelf_header(struct stream *st)
{
	if (st->len < EH_SIZE)
		return refuse(st, ROM_TEXT("not an ELF file (invalid ELF file data)"));
	return 0;
}

static int check_libelf_phdrs(struct stream *st)
{
	if (st->phoff == 0)
		return refuse(st, ROM_TEXT("program headers are damaged (file has no program header)"));
	return 0;
}

/* Read and check the ELF header, keeping the fields the later passes use. */
static int load_header(struct stream *st)
{
	uint8_t eh[EH_SIZE];
	uint8_t n = st->len < EH_SIZE ? (uint8_t)st->len : EH_SIZE;
	int32_t r;
	int err;

	if (st->len == 0)
		return refuse(st, ROM_TEXT("empty file"));
	if (st->len < EH_NIDENT)
		return refuse(st, ROM_TEXT("not an ELF file"));
	if ((r = read_exact(st, 0, eh, n)) != 0)
		return read_failed(st, r, ROM_TEXT("the ELF header"), n);
	if ((err = check_ident(st, eh)) < 0 || (err = check_libelf_header(st)) < 0)
		return err;
	st->entry = ld_32(eh + EH_ENTRY);
	st->phoff = ld_32(eh + EH_PHOFF);
	st->phnum = ld_16(eh + EH_PHNUM);
	if ((err = check_header(st, eh)) < 0)
		return err;
	return check_libelf_phdrs(st);
}

/* ------------------------------------------------------------ segments */

/* Where a segment that passed check_segment ends (no wrap). */
static uint32_t seg_end(const struct phdr *p)
{
	return p->vaddr + p->memsz;
}

static int is_load(const struct phdr *p)
{
	return p->type == PT_LOAD_ && p->memsz > 0;
}

/* st->p, segment st->seg. */
static int check_segment(struct stream *st)
{
	const struct phdr *p = &st->p;

	add_wide(p->offset, p->filesz, &st->need);
	add_wide(p->vaddr, p->memsz, &st->end);
	if (p->filesz > p->memsz)
		return refuse(st, ROM_TEXT("segment %i has more file bytes (%f) than memory bytes (%m)"));
	if (wide_above(&st->need, st->len))
		return refuse(st, ROM_TEXT("segment %i is truncated: file has %L bytes, needs %N"));
	if (p->vaddr < ELF_LOAD_MIN_VADDR)
		return refuse(st, ROM_TEXT("segment %i [0x%v-0x%E) reaches below 0x1000: "
		                           "page 0 stays unmapped"));
	if (wide_above(&st->end, st->m->size))
		return refuse(st, ROM_TEXT("segment %i [0x%v-0x%E) lies outside the guest's %S space"));
	return 0;
}

/* Pass 2: nothing dynamic; where the program headers are in the guest --
 * PT_PHDR's address, else inside the loaded segment whose file bytes hold
 * them; 0 when not loaded (elf_load's phdr_address). */
static int check_dynamic(struct stream *st, uint32_t *phdr_addr)
{
	const struct phdr *p = &st->p;
	uint32_t end = st->phoff + (uint32_t)st->phnum * PH_SIZE, in_load = 0;
	uint8_t found_pt = 0, found_load = 0;
	uint16_t i;
	int err;

	for (i = 0; i < st->phnum; i++) {
		if ((err = read_phdr(st, i, &st->p)) < 0)
			return err;
		if (p->type == PT_INTERP_)
			return refuse(st, ROM_TEXT("has an interpreter (PT_INTERP): "
			                           "dynamic programs are not supported"));
		if (p->type == PT_DYNAMIC_)
			return refuse(st, ROM_TEXT("has dynamic linking information (PT_DYNAMIC): "
			                           "dynamic programs are not supported"));
		if (p->type == PT_PHDR_ && !found_pt) {
			found_pt = 1;
			*phdr_addr = p->vaddr;
		}
		add_wide(p->offset, p->filesz, &st->need);
		if (!found_load && is_load(p) && st->phoff >= p->offset &&
		    wide_above(&st->need, end - 1)) {            /* its file bytes reach end */
			found_load = 1;
			in_load = p->vaddr + (st->phoff - p->offset);
		}
	}
	if (!found_pt)
		*phdr_addr = in_load;
	return 0;
}

/* Whether st->p (segment st->seg) overlaps an earlier loadable segment
 * (both have passed check_segment). */
static int check_overlap(struct stream *st)
{
	const struct phdr *p = &st->p;
	struct phdr q;
	uint16_t j;
	int err;

	for (j = 0; j < st->seg; j++) {
		if ((err = read_phdr(st, j, &q)) < 0)
			return err;
		if (is_load(&q) && p->vaddr < seg_end(&q) && q.vaddr < seg_end(p)) {
			st->other = j;
			st->num = p->vaddr > q.vaddr ? p->vaddr : q.vaddr;
			return refuse(st, ROM_TEXT("segments %j and %i overlap at 0x%x"));
		}
	}
	return 0;
}

/* Pass 3: every loadable segment fits and overlaps no other; the entry
 * point lies in one; the span they cover goes to img. */
static int check_loads(struct stream *st, struct elf_image *img)
{
	const struct phdr *p = &st->p;
	uint8_t entry_found = 0;
	uint16_t i;
	int err;

	for (i = 0; i < st->phnum; i++) {
		if ((err = read_phdr(st, i, &st->p)) < 0)
			return err;
		st->seg = i;
		if (!is_load(p))
			continue;
		if ((err = check_segment(st)) < 0 || (err = check_overlap(st)) < 0)
			return err;
		if (st->entry >= p->vaddr && st->entry < seg_end(p))
			entry_found = 1;
		if (p->vaddr < img->lowest)
			img->lowest = p->vaddr;
		if (seg_end(p) > img->highest)
			img->highest = seg_end(p);
	}
	st->num = st->entry;
	if (!entry_found)
		return refuse(st, ROM_TEXT("entry point 0x%x is not inside a loaded segment"));
	return 0;
}

static int copy_failed(struct stream *st, int err)
{
	st->num = (uint32_t)-err;
	return refuse_with(st, err, ROM_TEXT("cannot copy segment %i into guest memory (error %n)"));
}

/* Segment st->seg (st->p): its file bytes into the guest, a chunk at a
 * time, then its bss zeroed (gmem_fill, as elf_load). */
static int copy_segment(struct stream *st)
{
	const struct phdr *p = &st->p;
	uint8_t buf[ELF_STREAM_CHUNK];
	uint32_t done, n;
	int32_t r;
	int err;

	for (done = 0; done < p->filesz; done += n) {
		n = p->filesz - done < sizeof(buf) ? p->filesz - done : sizeof(buf);
		if ((r = read_exact(st, p->offset + done, buf, (uint8_t)n)) != 0)
			return read_failed(st, r, ROM_TEXT("segment %i"), p->offset + done + n);
		if ((err = gmem_write(st->m, p->vaddr + done, buf, n)) < 0)
			return copy_failed(st, err);
	}
	if ((err = gmem_fill(st->m, p->vaddr + p->filesz, 0, p->memsz - p->filesz)) < 0)
		return copy_failed(st, err);
	return 0;
}

/* Pass 4. */
static int copy_segments(struct stream *st)
{
	uint16_t i;
	int err;

	for (i = 0; i < st->phnum; i++) {
		if ((err = read_phdr(st, i, &st->p)) < 0)
			return err;
		st->seg = i;
		if (is_load(&st->p) && (err = copy_segment(st)) < 0)
			return err;
	}
	return 0;
}

int elf_stream_load(guest_mem *m, elf_read_fn read, void *ctx, uint32_t file_len,
                    struct elf_image *out, char *why, uint16_t whylen)
{
	struct stream st = { .m = m, .read = read, .ctx = ctx, .len = file_len,
	                     .why = whylen > 0 ? why : NULL, .whylen = whylen };
	struct elf_image img = { .lowest = UINT32_MAX };
	int err;

	if (st.why != NULL)
		why[0] = '\0';
	if ((err = load_header(&st)) < 0 || (err = check_dynamic(&st, &img.phdr_addr)) < 0 ||
	    (err = check_loads(&st, &img)) < 0 || (err = copy_segments(&st)) < 0)
		return err;
	img.entry = st.entry;
	img.brk_start = (img.highest + UINT32_C(4095)) & ~UINT32_C(4095);   /* 0 past 4 GiB, as elf_load */
	img.phnum = st.phnum;
	img.phent = PH_SIZE;
	*out = img;
	return 0;
}
