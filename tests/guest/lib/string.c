/*
 * Bulk copies and fills use the string instructions: under an instruction
 * emulator one "rep movsq" is far cheaper than a loop of eight-byte moves,
 * and gcc would otherwise be tempted to vectorise the loop into SSE we
 * cannot run.
 */
#include "lib.h"

void *memset(void *d, int c, size_t n)
{
	void *ret = d;
	u64 pattern = 0x0101010101010101ul * (u8)c;
	size_t q = n >> 3, r = n & 7;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(pattern) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(pattern) : "memory");
	return ret;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;
	size_t q = n >> 3, r = n & 7;
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) : : "memory");
	return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
	if ((u64)d <= (u64)s || (u64)d >= (u64)s + n)
		return memcpy(d, s, n);
	/* Overlapping, destination above: copy backwards. */
	void *ret = d;
	const u8 *se = (const u8 *)s + n - 1;
	u8 *de = (u8 *)d + n - 1;
	__asm__ volatile("std; rep movsb; cld" : "+D"(de), "+S"(se), "+c"(n) : : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t strnlen(const char *s, size_t max)
{
	/* "repne scasb" stops at the NUL or after max bytes. */
	const char *p = s;
	size_t left = max;
	if (!max)
		return 0;
	__asm__ volatile("repne scasb" : "+D"(p), "+c"(left) : "a"(0) : "memory", "cc");
	return (p[-1] == 0) ? (size_t)(p - s - 1) : max;
}

size_t strlen(const char *s)
{
	return strnlen(s, ~0ul >> 1);
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return (u8)a[i] < (u8)b[i] ? -1 : 1;
		if (!a[i])
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, ~0ul);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool parse_hex64(const char *s, size_t n, u64 *out)
{
	u64 v = 0;
	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = hexval(s[i]);
		if (d < 0)
			return false;
		v = (v << 4) | (u64)d;
	}
	*out = v;
	return true;
}

bool parse_u64(const char *s, size_t n, u64 *out)
{
	u64 v = 0;
	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (u64)(s[i] - '0');
	}
	*out = v;
	return true;
}
