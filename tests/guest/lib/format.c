/*
 * printf-lite. Enough for one-line reports: %s (with %.*s), %c, %d, %u, %x,
 * the l/ll length modifiers (all integers are handled as 64-bit), %p, a
 * field width and '0' padding. Output goes into a caller's buffer and is
 * always NUL-terminated; printk() sends one formatted line to the UART in a
 * single write, which is what keeps port I/O (a VM exit per access) cheap.
 */
#include "lib.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, u64 v, unsigned base, bool neg, int width, char pad)
{
	char tmp[24];
	int n = 0;
	do {
		unsigned d = (unsigned)(v % base);
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	for (int i = n; i < width; i++)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

int vsnformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, prec = -1, lng = 0;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.' && fmt[1] == '*') {
			prec = va_arg(ap, int);
			fmt += 2;
		}
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			for (size_t i = n; i < (size_t)width; i++)
				put(&o, ' ');
			for (size_t i = 0; i < n; i++)
				put(&o, s[i]);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);
			put_num(&o, v < 0 ? (u64)-v : (u64)v, 10, v < 0, width, pad);
			break;
		}
		case 'u':
			put_num(&o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, false, width, pad);
			break;
		case 'x':
			put_num(&o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, false, width, pad);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (u64)va_arg(ap, void *), 16, false, width, pad);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '%');
			if (!*fmt)
				goto done;
			put(&o, *fmt);
		}
	}
done:
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snformat(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	serial_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}
