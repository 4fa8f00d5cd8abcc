/* The guest's little libc: strings, formatting, the UART, the command line. */
#ifndef LIB_H
#define LIB_H
#include "types.h"

/* string.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
bool parse_hex64(const char *s, size_t n, u64 *out);	/* exactly n hex digits */
bool parse_u64(const char *s, size_t n, u64 *out);	/* decimal, 1..n digits, all used */

/* sum64.c: the checksum of README.md, "sum64". */
u64 sum64(const void *data, u64 len);
/* The byte sum firmware tables are checked with (zero when intact). */
u8 bytesum(const void *data, size_t n);

/* format.c: printf-lite. %s %.*s %c %d %u %x %lx %p, width and 0-pad. */
int vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
int snformat(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
void printk(const char *fmt, ...) __printf(1, 2);

/* serial.c: COM1, polled output, interrupt-driven input for the serial test. */
#define COM1 0x3F8
void serial_init(void);
void serial_write(const char *s, size_t n);
void serial_flush(void);

/* cmdline.c: the kernel command line, split the way Linux's next_arg() does
 * (spaces separate, double quotes group). */
void cmdline_set(const char *s);
const char *cmdline_get(void);
/* Value of the last "key=value" argument, quotes removed; NULL if absent.
 * *len gets the value's length. */
const char *cmdline_param(const char *key, size_t *len);

#endif
