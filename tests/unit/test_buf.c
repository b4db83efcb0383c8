// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "buf.h"

static void buf__printf_grows_past_initial_capacity(void **state)
{
	struct buf b = BUF_INIT;
	char big[1000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_printf(&b, "a=%d ", 42);
	buf_printf(&b, "%s", big);
	assert_int_equal(buf_error(&b), 0);
	assert_int_equal(b.len, 5 + 999);
	assert_memory_equal(b.data, "a=42 xxx", 8);
	assert_int_equal(b.data[b.len], '\0');
	buf_free(&b);
}

static void buf__slice_at_every_offset_matches_source(void **state)
{
	const char *src = "MemTotal: 1 kB\n";
	size_t len = strlen(src);
	char dst[64];

	for (size_t off = 0; off <= len + 2; off++)
		for (size_t size = 0; size <= len + 2; size++) {
			size_t n = buf_slice(src, len, (off_t)off, size, dst);
			size_t want = off >= len ? 0 : (len - off < size ? len - off : size);

			assert_int_equal(n, want);
			if (n)
				assert_memory_equal(dst, src + off, n);
		}
	assert_int_equal(buf_slice(src, len, -1, 4, dst), 0);
}

static void buf__reset_keeps_memory_and_clears_error(void **state)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "hello");
	b.err = -12;
	buf_puts(&b, "ignored");
	assert_int_equal(b.len, 5);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_error(&b), 0);
	assert_non_null(b.data);
	buf_free(&b);
	buf_free(NULL);
}

static void buf__put_u64_prints_as_printf(void **state)
{
	const unsigned long long v[] = { 0, 1, 9, 10, 99, 100, 4294967295ULL, 4294967296ULL,
					 999999999999999999ULL, 18446744073709551615ULL };
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	struct buf got = BUF_INIT, want = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]) + 1000; i++) {
		unsigned long long n = i < sizeof(v) / sizeof(v[0]) ? v[i] : (x >> (i % 64));

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf_put_u64(&got, n);
		buf_puts(&got, " ");
		buf_printf(&want, "%llu ", n);
	}
	assert_int_equal(buf_error(&got), 0);
	assert_string_equal(got.data, want.data);
	buf_free(&got);
	buf_free(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf__printf_grows_past_initial_capacity),
		cmocka_unit_test(buf__slice_at_every_offset_matches_source),
		cmocka_unit_test(buf__reset_keeps_memory_and_clears_error),
		cmocka_unit_test(buf__put_u64_prints_as_printf),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
