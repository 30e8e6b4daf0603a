/*
 * le.h: little-endian byte-offset helpers for on-disk and on-wire formats
 * (FatFs's ld_16/st_32 style). Never packed structs: the same code must give
 * the same bytes on x86-64 and AVR.
 */
#ifndef NOS_LE_H
#define NOS_LE_H

#include <stdint.h>

static inline uint16_t ld_16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t ld_32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t ld_64(const uint8_t *p)
{
	return (uint64_t)ld_32(p) | (uint64_t)ld_32(p + 4) << 32;
}

static inline void st_16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void st_32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void st_64(uint8_t *p, uint64_t v)
{
	st_32(p, (uint32_t)v);
	st_32(p + 4, (uint32_t)(v >> 32));
}

#endif
