/* libFuzzer target: lib/fmt.c, the printf every log line goes through, compared with the C
 * library's snprintf for the subset lib/fmt.h promises: %d %i %u %x %X %p %s %c %%, flags
 * '-' '0' '+', a width (digits or '*', negative '*' = left-justified), a precision for %s
 * (digits or '*', negative = none), length l, ll, z. Each input builds up to 16 formats of one
 * conversion between literal text and checks, for each, the text and the returned length
 * against snprintf, then the C99 truncation contract on a heap buffer of a fuzzed size
 * (ASan: nothing written past it): the same length returned, a NUL-terminated prefix.
 * Not generated (outside the subset, or undefined in C): precision on numbers, '#' and ' ',
 * '0' on %s/%c/%p, h/hh, a NULL %s or %p. */
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>
#include "../../lib/fmt.c"
#include "fuzz.h"

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t byte(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t u64(struct in *in)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)byte(in) << (8 * i);
	return v;
}

/* Printable literal text without '%'. */
static size_t literal(struct in *in, char *out)
{
	size_t n = byte(in) % 4, i;

	for (i = 0; i < n; i++) {
		char ch = (char)(0x20 + byte(in) % 0x5f);

		out[i] = ch == '%' ? '#' : ch;
	}
	return n;
}

#define COMPARE(size, fmt, ...)                                                                   \
	do {                                                                                      \
		char a[512], b[512], *t;                                                          \
		int ra = cp_snprintf(a, sizeof(a), fmt, __VA_ARGS__);                             \
		int rb = snprintf(b, sizeof(b), fmt, __VA_ARGS__);                                \
		size_t sz = (size) % ((size_t)(ra > 0 ? ra : 0) + 2);                             \
                                                                                                  \
		FUZZ_CHECK(ra == rb && !memcmp(a, b, (size_t)rb + 1), "\"%s\": cp_snprintf [%s] %d, " \
			   "snprintf [%s] %d", fmt, a, ra, b, rb);                                \
		t = malloc(sz ? sz : 1);                                                          \
		FUZZ_CHECK(cp_snprintf(sz ? t : NULL, sz, fmt, __VA_ARGS__) == ra,                \
			   "\"%s\" into %zu bytes: another length than %d", fmt, sz, ra);           \
		if (sz)                                                                           \
			FUZZ_CHECK(!memcmp(t, a, sz - 1) && t[sz - 1 < (size_t)ra ? sz - 1 : (size_t)ra] == 0, \
				   "\"%s\" cut to %zu bytes is not the terminated prefix", fmt, sz);  \
		free(t);                                                                          \
	} while (0)

static int print = -1;

static void one(struct in *in)
{
	static const char convs[] = "diuxXscp%";
	static const char *const strs[] = { "", "a", "hello world", "0123456789abcdef0123456789" };
	char fmt[64], s[32];
	size_t n = 0, i;
	uint8_t c = byte(in), f = byte(in), w = byte(in), pr = byte(in), lenmod = byte(in);
	char conv = convs[c % (sizeof(convs) - 1)];
	bool num = conv != 's' && conv != 'c' && conv != 'p' && conv != '%';
	int star_w = 0, star_p = 0, mode_w = w % 3, mode_p = conv == 's' ? pr % 3 : 0;
	const char *lm = "";
	size_t size = byte(in);
	uint64_t v = u64(in);

	n += literal(in, fmt + n);
	fmt[n++] = '%';
	if (conv != '%') {
		if (f & 1)
			fmt[n++] = '-';
		if ((f & 2) && num)
			fmt[n++] = '+';
		if ((f & 4) && num)
			fmt[n++] = '0';
		if (mode_w == 1)
			n += (size_t)sprintf(fmt + n, "%u", (unsigned)(w / 3) % 121);
		else if (mode_w == 2)
			fmt[n++] = '*', star_w = (int)(int8_t)byte(in) % 121;
		if (mode_p == 1)
			n += (size_t)sprintf(fmt + n, ".%u", (unsigned)(pr / 3) % 21);
		else if (mode_p == 2)
			fmt[n++] = '.', fmt[n++] = '*', star_p = (int)(int8_t)byte(in) % 21;
		if (num)
			lm = (const char *[]){ "", "l", "ll", "z" }[lenmod % 4];
		for (i = 0; lm[i]; i++)
			fmt[n++] = lm[i];
	}
	fmt[n++] = conv;
	n += literal(in, fmt + n);
	fmt[n] = '\0';
	if (print < 0)
		print = getenv("FUZZ_PRINT") != NULL;
	if (print) /* FUZZ_PRINT=1: show each format built */
		printf("format \"%s\"\n", fmt);

	if (conv == 's') {
		const char *str = strs[byte(in) % 4];

		if ((f & 8)) { /* text from the input */
			size_t k = byte(in) % sizeof(s);

			for (i = 0; i + 1 < sizeof(s) && i < k; i++)
				s[i] = (char)(byte(in) | 1);
			s[i] = '\0';
			str = s;
		}
		if (mode_w == 2 && mode_p == 2)
			COMPARE(size, fmt, star_w, star_p, str);
		else if (mode_w == 2)
			COMPARE(size, fmt, star_w, str);
		else if (mode_p == 2)
			COMPARE(size, fmt, star_p, str);
		else
			COMPARE(size, fmt, str);
		return;
	}
	if (conv == '%') {
		char pct[8];

		/* The conversion alone: "%%" takes no argument. */
		memcpy(pct, "%%", 3);
		COMPARE(size, pct, 0);
		return;
	}
#define WITH_WIDTH(arg)                                      \
	do {                                                 \
		if (mode_w == 2)                             \
			COMPARE(size, fmt, star_w, arg);     \
		else                                         \
			COMPARE(size, fmt, arg);             \
	} while (0)
	switch (conv) {
	case 'c':
		WITH_WIDTH((int)(uint8_t)v);
		break;
	case 'p':
		WITH_WIDTH((void *)(uintptr_t)(v | 1));
		break;
	case 'd':
	case 'i':
		if (!lm[0])
			WITH_WIDTH((int)v);
		else if (lm[0] == 'z')
			WITH_WIDTH((ssize_t)v);
		else if (!lm[1])
			WITH_WIDTH((long)v);
		else
			WITH_WIDTH((long long)v);
		break;
	default:
		if (!lm[0])
			WITH_WIDTH((unsigned)v);
		else if (lm[0] == 'z')
			WITH_WIDTH((size_t)v);
		else if (!lm[1])
			WITH_WIDTH((unsigned long)v);
		else
			WITH_WIDTH((unsigned long long)v);
		break;
	}
#undef WITH_WIDTH
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	unsigned k;

	for (k = 0; k < 16 && in.n; k++)
		one(&in);
	return 0;
}
