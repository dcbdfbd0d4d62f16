/* Minimal vsnprintf: enough for log lines. Always NUL-terminates when size > 0
 * and returns the length the full output would have had (C99 semantics). */
#include "fmt.h"
#include <limits.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width, int left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	/* Zero padding goes between the sign and the digits: "-0005", "+0005". */
	if (!left && pad == '0' && n > 0 && (s[0] == '-' || s[0] == '+')) {
		put(o, s[0]);
		s++;
		n--;
	}
	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

static size_t utoa(char *tmp, unsigned long long v, unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	size_t n = 0, i;

	do {
		rev[n++] = digits[v % base];
		v /= base;
	} while (v);
	for (i = 0; i < n; i++)
		tmp[i] = rev[n - 1 - i];
	return n;
}

int cp_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		char tmp[32];
		int left = 0, plus = 0, width = 0, prec = -1, lng = 0;
		char pad = ' ';
		size_t n;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '+')
				plus = 1;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
			/* C: a negative width argument is a '-' flag and a positive width. */
			if (width < 0) {
				left = 1;
				width = width == INT_MIN ? INT_MAX : -width;
			}
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
			unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
			size_t k = 0;

			if (v < 0)
				tmp[k++] = '-';
			else if (plus)
				tmp[k++] = '+';
			k += utoa(tmp + k, u, 10, 0);
			put_padded(&o, tmp, k, width, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);

			n = utoa(tmp, v, *fmt == 'u' ? 10 : 16, *fmt == 'X');
			put_padded(&o, tmp, n, width, left, pad);
			break;
		}
		case 'p': {
			uintptr_t v = (uintptr_t)va_arg(ap, void *);

			tmp[0] = '0';
			tmp[1] = 'x';
			n = 2 + utoa(tmp + 2, v, 16, 0);
			put_padded(&o, tmp, n, width, left, ' ');
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			for (n = 0; s[n] && (prec < 0 || (int)n < prec); n++)
				;
			put_padded(&o, s, n, width, left, ' ');
			break;
		}
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(&o, tmp, 1, width, left, ' ');
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int cp_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = cp_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int cp_fmt_fixed(char *buf, size_t size, long long value, int decimals)
{
	unsigned long long mag = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
	unsigned long long scale = 1;
	int i;

	for (i = 0; i < decimals; i++)
		scale *= 10;
	if (decimals <= 0)
		return cp_snprintf(buf, size, "%s%llu", value < 0 ? "-" : "", mag);
	return cp_snprintf(buf, size, "%s%llu.%0*llu", value < 0 ? "-" : "", mag / scale,
			   decimals, mag % scale);
}
