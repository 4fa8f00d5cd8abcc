/*
 * sum64: the checksum the command-line and initrd checks compare against
 * (README.md has the definition, tools/sum64.py the host side).
 *
 * It is built for an emulator that pays ~0.4 us per instruction: one
 * rotate, one xor and one multiply per eight bytes, no table, no byte loop.
 */
#include "lib.h"

#define SUM64_MUL 0x9E3779B97F4A7C15ul

static inline u64 rotl64(u64 x, int r) { return (x << r) | (x >> (64 - r)); }

u64 sum64(const void *data, u64 len)
{
	const u64_ua *w = data;
	u64 h = len, n = len >> 3;
	for (u64 i = 0; i < n; i++)
		h = (rotl64(h, 7) ^ w[i]) * SUM64_MUL;
	if (len & 7) {
		u64 last = 0;
		memcpy(&last, (const u8 *)data + (n << 3), len & 7);
		h = (rotl64(h, 7) ^ last) * SUM64_MUL;
	}
	return h;
}

/* The 8-bit sum of firmware tables (MP spec 4.1, ACPI 5.2.5.3): a whole, well-formed table sums to zero. */
u8 bytesum(const void *data, size_t n)
{
	const u8 *p = data;
	u8 s = 0;
	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s;
}
