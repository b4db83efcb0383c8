// SPDX-License-Identifier: GPL-2.0-only
/*
 * render_loadavg against hand-written lines. Fixed-point inputs and the
 * expected text follow fs/proc/loadavg.c: value x prints as the hundredths
 * floor((x + 10) * 100 / 2048), e.g. 2595 -> 1.27, 750 -> 0.37, 261 -> 0.13.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "loadavg.h"

static void render(const struct loadavg_view *v, const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(render_loadavg(v, &b), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void render_loadavg__after_one_minute_of_k2__kernel_text(void **state)
{
	struct loadavg_view v = { .avenrun = { 2595, 750, 261 }, .nr_running = 2,
				  .nr_threads = 7, .last_pid = 42 };

	render(&v, "1.27 0.37 0.13 2/7 42\n");
}

static void render_loadavg__idle_new_container__zeros(void **state)
{
	struct loadavg_view v = { .nr_running = 0, .nr_threads = 1, .last_pid = 1 };

	render(&v, "0.00 0.00 0.00 0/1 1\n");
}

static void render_loadavg__large_values__no_truncation(void **state)
{
	/* 204800 = 100.00; 4096*1000 = 2000.00; 2037 -> 0.99, 2038 -> 1.00 */
	struct loadavg_view v = { .avenrun = { 204800, 4096000, 2037 },
				  .nr_running = 1000, .nr_threads = 123456,
				  .last_pid = 4194304 };

	render(&v, "100.00 2000.00 0.99 1000/123456 4194304\n");
}

static void render_loadavg__appends_to_existing_buffer(void **state)
{
	struct loadavg_view v = { .avenrun = { 2038, 2047, 2048 }, .nr_threads = 3, .last_pid = 9 };
	struct buf b = BUF_INIT;

	buf_puts(&b, "x");
	assert_int_equal(render_loadavg(&v, &b), 0);
	assert_string_equal(b.data, "x1.00 1.00 1.00 0/3 9\n");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(render_loadavg__after_one_minute_of_k2__kernel_text),
		cmocka_unit_test(render_loadavg__idle_new_container__zeros),
		cmocka_unit_test(render_loadavg__large_values__no_truncation),
		cmocka_unit_test(render_loadavg__appends_to_existing_buffer),
	};

	return cmocka_run_group_tests_name("render_loadavg", tests, NULL, NULL);
}
