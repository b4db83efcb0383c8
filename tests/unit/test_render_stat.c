// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpustat.h"

static __u64 vc2[2][PV_NCOLS_MAX] = {
	{ 10, 1, 5, 84, 0, 0, 0, 3, 0, 0 },
	{ 20, 0, 7, 70, 0, 0, 0, 1, 0, 0 },
};

static struct cpu_view view2(void)
{
	struct cpu_view v = {
		.n = 2, .ncols = 10, .intr_fields = 3, .softirq_fields = 11,
		.vcpu = vc2, .ctxt = 1234, .btime = 1700000000, .processes = 56,
		.procs_running = 2, .procs_blocked = 1,
	};
	return v;
}

/* The kernel's /proc/stat format (fs/proc/stat.c), written out by hand. */
static void stat__two_vcpus__kernel_format_with_host_shape(void **state)
{
	struct cpu_view v = view2();
	struct buf b = BUF_INIT;
	const char *want =
		"cpu  30 1 12 154 0 0 0 4 0 0\n"
		"cpu0 10 1 5 84 0 0 0 3 0 0\n"
		"cpu1 20 0 7 70 0 0 0 1 0 0\n"
		"intr 0 0 0\n"
		"ctxt 1234\n"
		"btime 1700000000\n"
		"processes 56\n"
		"procs_running 2\n"
		"procs_blocked 1\n"
		"softirq 0 0 0 0 0 0 0 0 0 0 0\n";

	assert_int_equal(render_stat(&v, &b), 0);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void stat__cpu_line__is_column_sum_of_vcpu_lines(void **state)
{
	__u64 (*vc)[PV_NCOLS_MAX] = calloc(8, sizeof(*vc));
	struct cpu_view v = view2();
	struct buf b = BUF_INIT;
	unsigned long long sum[10] = { 0 }, cpu[10];
	char *line;

	for (int i = 0; i < 8; i++)
		for (int k = 0; k < 10; k++)
			vc[i][k] = (__u64)(i * 7919 + k * 104729) % 100003;
	v.n = 8;
	v.vcpu = vc;
	assert_int_equal(render_stat(&v, &b), 0);
	line = b.data;
	assert_int_equal(sscanf(line, "cpu  %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				&cpu[0], &cpu[1], &cpu[2], &cpu[3], &cpu[4], &cpu[5], &cpu[6],
				&cpu[7], &cpu[8], &cpu[9]), 10);
	for (int i = 0; i < 8; i++) {
		unsigned long long c[10];
		int id;

		line = strchr(line, '\n') + 1;
		assert_int_equal(sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
					&id, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7],
					&c[8], &c[9]), 11);
		assert_int_equal(id, i);
		for (int k = 0; k < 10; k++)
			sum[k] += c[k];
	}
	for (int k = 0; k < 10; k++)
		assert_int_equal(sum[k], cpu[k]);
	buf_free(&b);
	free(vc);
}

static void stat__older_kernel_columns__keeps_host_column_count(void **state)
{
	struct cpu_view v = view2();
	struct buf b = BUF_INIT;

	v.ncols = 8;
	assert_int_equal(render_stat(&v, &b), 0);
	assert_memory_equal(b.data, "cpu  30 1 12 154 0 0 0 4\ncpu0 10 1 5 84 0 0 0 3\n", 48);
	buf_free(&b);
}

static void stat__bad_view__einval_and_nothing_written(void **state)
{
	struct cpu_view v = view2();
	struct buf b = BUF_INIT;

	v.ncols = 11;
	assert_int_equal(render_stat(&v, &b), -22);
	assert_int_equal(b.len, 0);
	v.ncols = 10;
	v.n = 0;
	assert_int_equal(render_stat(&v, &b), -22);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat__two_vcpus__kernel_format_with_host_shape),
		cmocka_unit_test(stat__cpu_line__is_column_sum_of_vcpu_lines),
		cmocka_unit_test(stat__older_kernel_columns__keeps_host_column_count),
		cmocka_unit_test(stat__bad_view__einval_and_nothing_written),
	};
	return cmocka_run_group_tests_name("render_stat", tests, NULL, NULL);
}
