// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cpustat.h"

static void uptime__centiseconds__two_decimals(void **state)
{
	struct uptime_view u = { .uptime_cs = 12345, .idle_cs = 6789 };
	struct buf b = BUF_INIT;

	assert_int_equal(render_uptime(&u, &b), 0);
	assert_string_equal(b.data, "123.45 67.89\n");
	buf_free(&b);
}

static void uptime__small_values__zero_padded(void **state)
{
	struct uptime_view u = { .uptime_cs = 5, .idle_cs = 0 };
	struct buf b = BUF_INIT;

	assert_int_equal(render_uptime(&u, &b), 0);
	assert_string_equal(b.data, "0.05 0.00\n");
	buf_free(&b);
}

static void uptime__large_values__no_overflow(void **state)
{
	struct uptime_view u = { .uptime_cs = 31536000000ULL, .idle_cs = 63072000001ULL };
	struct buf b = BUF_INIT;

	assert_int_equal(render_uptime(&u, &b), 0);
	assert_string_equal(b.data, "315360000.00 630720000.01\n");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uptime__centiseconds__two_decimals),
		cmocka_unit_test(uptime__small_values__zero_padded),
		cmocka_unit_test(uptime__large_values__no_overflow),
	};
	return cmocka_run_group_tests_name("render_uptime", tests, NULL, NULL);
}
