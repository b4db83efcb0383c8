// SPDX-License-Identifier: GPL-2.0-only
/* /sys/devices/system/cpu/online: vCPUs 0..N-1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cpuinfo.h"

static void online__counts__kernel_range_syntax(void **state)
{
	static const struct {
		int n;
		const char *want;
	} cases[] = {
		{ 1, "0\n" }, { 2, "0-1\n" }, { 3, "0-2\n" }, { 64, "0-63\n" },
		{ 1024, "0-1023\n" }, { 0, "0\n" }, { -5, "0\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;

		assert_int_equal(render_cpu_online(cases[i].n, &out), 0);
		assert_string_equal(out.data, cases[i].want);
		buf_free(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(online__counts__kernel_range_syntax),
	};

	return cmocka_run_group_tests_name("cpu_online", tests, NULL, NULL);
}
