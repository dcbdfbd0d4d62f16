/* Freestanding printf subset for the guest (and host unit tests).
 * Supports %d %i %u %x %X %p %s %c %%, flags '-' '0' ('+' for %d), width, precision for %s,
 * length modifiers l, ll, z. No floating point: callers format fixed point. */
#ifndef CP_FMT_H
#define CP_FMT_H
#include <stdarg.h>
#include <stddef.h>

int cp_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int cp_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Signed fixed-point value/10^decimals as text ("-12.345"); returns length. */
int cp_fmt_fixed(char *buf, size_t size, long long value, int decimals);

#endif
