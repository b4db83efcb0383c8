/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the libFuzzer targets: parsers take NUL-terminated text,
 * libFuzzer hands out raw bytes, so every target works on a private copy
 * (ASan then catches any read past the text's end). Inputs that feed two
 * files at once are split at the first "\n===\n" separator line.
 */
#ifndef PV_FUZZ_UTIL_H
#define PV_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exact-size heap copy with a NUL; embedded NULs simply end the text early. */
static inline char *fz_text(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* Split at the first "\n===\n": *a gets the part before, *b the rest. */
static inline void fz_split(const uint8_t *data, size_t n, char **a, char **b)
{
	static const char sep[] = "\n===\n";
	const uint8_t *p = n >= sizeof(sep) - 1 ?
		memmem(data, n, sep, sizeof(sep) - 1) : NULL;

	if (!p) {
		*a = fz_text(data, n);
		*b = fz_text((const uint8_t *)"", 0);
		return;
	}
	*a = fz_text(data, (size_t)(p - data) + 1); /* keep the '\n' */
	*b = fz_text(p + sizeof(sep) - 1, n - (size_t)(p - data) - (sizeof(sep) - 1));
}

/* A broken invariant is a finding: print it and abort so libFuzzer saves it. */
#define fz_check(cond, ...)                                              \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "invariant failed: %s: ", #cond); \
			fprintf(stderr, __VA_ARGS__);                    \
			fputc('\n', stderr);                             \
			abort();                                         \
		}                                                        \
	} while (0)

#endif
