// SPDX-License-Identifier: GPL-2.0-only
/* swaps renderer: header always, host device lines scaled to the container. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "swaps.h"

#define FIX "tests/fixtures"
#define HEADER "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
#define PAD31 "                               " /* 40 - strlen("/dev/vdb2") */

static char two[4096], none[4096];

static int setup(void **state)
{
	if (pv_read_file_at(AT_FDCWD, FIX "/proc/swaps.two", two, sizeof(two)) < 0)
		return -1;
	if (pv_read_file_at(AT_FDCWD, FIX "/proc/swaps.none", none, sizeof(none)) < 0)
		return -1;
	return 0;
}

static void assert_render(const struct swaps_view *v, const char *want)
{
	struct buf out = BUF_INIT;

	assert_int_equal(render_swaps(v, &out), 0);
	if (strcmp(out.data ? out.data : "", want) != 0) {
		fprintf(stderr, "--- want\n%s+++ got\n%s", want, out.data ? out.data : "");
		fail();
	}
	buf_free(&out);
}

static void swaps__no_container_swap__header_only(void **state)
{
	struct swaps_view v = { .host_text = two, .total_kb = 0, .used_kb = 0 };

	assert_render(&v, HEADER);
}

static void swaps__host_without_swap__header_only(void **state)
{
	/* even a (bogus) positive total has no device to show */
	struct swaps_view v = { .host_text = none, .total_kb = 1000, .used_kb = 10 };

	assert_render(&v, HEADER);
}

static void swaps__two_host_devices__scaled_to_container(void **state)
{
	/*
	 * Host: vdb2 3145724 kB + swapfile 1048576 kB = 4194300 kB.
	 * Container SwapTotal 102400, used 10240. vdb2 share 3145724/4194300
	 * = 0.74999976: size floor(76799.975) = 76799, used floor(7679.99)
	 * = 7679; the last line takes the rest: 25601 and 2561.
	 */
	struct swaps_view v = { .host_text = two, .total_kb = 102400, .used_kb = 10240 };

	assert_render(&v, HEADER
		      "/dev/vdb2" PAD31 "partition\t76799\t\t7679\t\t-2\n"
		      "/swapfile" PAD31 "file\t25601\t\t2561\t\t-3\n");
}

static void swaps__big_figures__single_tab_like_kernel(void **state)
{
	const char *host = HEADER "/dev/sdb1                               partition\t40000000\t0\t\t-2\n";
	struct swaps_view v = { .host_text = host, .total_kb = 20000000, .used_kb = 12000000 };

	assert_render(&v, HEADER "/dev/sdb1" PAD31 "partition\t20000000\t12000000\t-2\n");
}

static void swaps__used_above_total__clamped(void **state)
{
	const char *host = HEADER "/dev/sdb1                               partition\t4000\t0\t\t-2\n";
	struct swaps_view v = { .host_text = host, .total_kb = 100, .used_kb = 500 };

	assert_render(&v, HEADER "/dev/sdb1" PAD31 "partition\t100\t\t100\t\t-2\n");
}

static void swaps__malformed_device_line__dropped(void **state)
{
	const char *host = HEADER "garbage line\n/dev/sdb1 partition 4000 0 -2\n";
	struct swaps_view v = { .host_text = host, .total_kb = 100, .used_kb = 0 };

	assert_render(&v, HEADER "/dev/sdb1" PAD31 "partition\t100\t\t0\t\t-2\n");
}

static void swaps__passthrough__host_unchanged(void **state)
{
	struct swaps_view v = { .host_text = two, .passthrough = 1 };

	assert_render(&v, two);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(swaps__no_container_swap__header_only),
		cmocka_unit_test(swaps__host_without_swap__header_only),
		cmocka_unit_test(swaps__two_host_devices__scaled_to_container),
		cmocka_unit_test(swaps__big_figures__single_tab_like_kernel),
		cmocka_unit_test(swaps__used_above_total__clamped),
		cmocka_unit_test(swaps__malformed_device_line__dropped),
		cmocka_unit_test(swaps__passthrough__host_unchanged),
	};

	return cmocka_run_group_tests_name("swaps", tests, setup, NULL);
}
