// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/stat and /proc/uptime producers end to end in degraded mode (no
 * BPF) on tests/fixtures/stat (see its README): cgroup discovery, vCPU
 * count from cpuset + quota, cpuacct.stat, start time from the oldest task,
 * thread states. Expected figures are worked out by hand from the fixture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf_loader.h"
#include "cpustat.h"
#include "vfile.h"

#define FIX "tests/fixtures/stat"

struct ctx {
	struct pv_env env;
	struct pv_container c;
};

static int setup(void **state)
{
	struct ctx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	x->env.proc = FIX "/proc";
	x->env.sys = FIX "/sys";
	x->env.cpu_quota_view = 1;
	x->env.host_ncpus = 4;
	if (pv_cgroups_discover(NULL, FIX "/cgroup", &x->env.cg) || pv_cgroups_open(&x->env.cg)) {
		free(x);
		return -1;
	}
	for (int i = 0; i < x->env.cg.n; i++)
		snprintf(x->c.path[i], PV_CGPATH_MAX, "/ct");
	x->c.cpu_cgid = 12345;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *x = *state;

	pv_cgroups_close(&x->env.cg);
	free(x);
	return 0;
}

static double boot_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *line(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return p;
	return NULL;
}

static void stat__degraded_fixture__figures_from_cgroup_files(void **state)
{
	struct ctx *x = *state;
	struct buf b = BUF_INIT, u = BUF_INIT;
	unsigned long long c0[10], c1[10], all[10], v;
	double up, idle, age, t0, t1, t2;

	/* Bracket the producers with the clock: under valgrind a call takes
	 * tens of ms, more than the 2-tick tolerance below. */
	t0 = boot_seconds();
	assert_int_equal(pv_produce_stat(&x->env, &x->c, &b), 0);
	t1 = boot_seconds();
	assert_int_equal(pv_produce_uptime(&x->env, &x->c, &u), 0);
	age = boot_seconds() - 40.0; /* oldest task (101) started at 4000 ticks */
	t2 = age + 40.0;
	assert_non_null(line(b.data, "cpu0"));
	assert_non_null(line(b.data, "cpu1"));
	assert_null(line(b.data, "cpu2")); /* 1.5 CPUs of quota: 2 vCPUs */
	assert_int_equal(sscanf(line(b.data, "cpu0"), "cpu0 %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				&c0[0], &c0[1], &c0[2], &c0[3], &c0[4], &c0[5], &c0[6], &c0[7], &c0[8], &c0[9]), 10);
	assert_int_equal(sscanf(line(b.data, "cpu1"), "cpu1 %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				&c1[0], &c1[1], &c1[2], &c1[3], &c1[4], &c1[5], &c1[6], &c1[7], &c1[8], &c1[9]), 10);
	assert_int_equal(sscanf(line(b.data, "cpu"), "cpu  %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				&all[0], &all[1], &all[2], &all[3], &all[4], &all[5], &all[6], &all[7], &all[8], &all[9]), 10);
	/* cpuacct.stat user 301, system 100, shared exactly over 2 vCPUs */
	assert_int_equal(c0[0], 151);
	assert_int_equal(c1[0], 150);
	assert_int_equal(c0[2], 50);
	assert_int_equal(c1[2], 50);
	for (int k = 0; k < 10; k++)
		assert_int_equal(all[k], c0[k] + c1[k]);
	assert_int_equal(c0[1] + c0[4] + c0[5] + c0[6] + c0[7] + c0[8] + c0[9], 0);
	assert_int_equal(sscanf(u.data, "%lf %lf", &up, &idle), 2);
	assert_true(up > age - 1 && up < age + 1);
	/* each vCPU's columns add up to its time since start (at 4000 ticks)
	 * at the moment /proc/stat was produced */
	for (int k = 0; k < 2; k++) {
		unsigned long long *c = k ? c1 : c0;
		double sum = (double)(c[0] + c[2] + c[3]);

		assert_true(sum >= (t0 - 40.0) * 100 - 2 && sum <= (t1 - 40.0) * 100 + 2);
	}
	/* uptime's idle is the vCPUs' idle, produced a little later: both
	 * (idle) vCPUs went on idling for at most t2 - t0 */
	assert_true(idle * 100 > (double)(c0[3] + c1[3]) - 3 &&
		    idle * 100 < (double)(c0[3] + c1[3]) + 2 * (t2 - t0) * 100 + 3);
	/* host shape: 4 intr numbers, 11 softirq numbers, all zero */
	assert_non_null(strstr(b.data, "\nintr 0 0 0 0\nctxt 0\n"));
	assert_non_null(strstr(b.data, "\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n"));
	assert_int_equal(sscanf(line(b.data, "procs_running"), "procs_running %llu", &v), 1);
	assert_int_equal(v, 1); /* 100 R; 102 S */
	assert_int_equal(sscanf(line(b.data, "procs_blocked"), "procs_blocked %llu", &v), 1);
	assert_int_equal(v, 1); /* 101 D, in the nested cgroup */
	assert_int_equal(sscanf(line(b.data, "processes"), "processes %llu", &v), 1);
	assert_int_equal(v, 0);
	buf_free(&b);
	buf_free(&u);
}

static void stat__host_reader__host_file_unchanged(void **state)
{
	struct ctx *x = *state;
	struct buf b = BUF_INIT;

	x->c.host = 1;
	assert_int_equal(pv_produce_stat(&x->env, &x->c, &b), 0);
	assert_non_null(strstr(b.data, "cpu  1 2 3 4 5 6 7 8 9 10\n"));
	assert_non_null(strstr(b.data, "intr 10 1 2 3\n"));
	x->c.host = 0;
	buf_free(&b);
}

static void stat__removed_cgroup__error_not_other_data(void **state)
{
	struct ctx *x = *state;
	struct buf b = BUF_INIT;

	for (int i = 0; i < x->env.cg.n; i++)
		snprintf(x->c.path[i], PV_CGPATH_MAX, "/gone");
	x->c.cpu_cgid = 999;
	assert_true(pv_produce_stat(&x->env, &x->c, &b) < 0);
	assert_true(pv_produce_uptime(&x->env, &x->c, &b) < 0);
	assert_int_equal(b.len, 0);
	for (int i = 0; i < x->env.cg.n; i++)
		snprintf(x->c.path[i], PV_CGPATH_MAX, "/ct");
	x->c.cpu_cgid = 12345;
	buf_free(&b);
}

static void taskcounts__no_bpf__thread_states_of_subtree(void **state)
{
	struct ctx *x = *state;
	struct pv_task_counts tc = { 0 };

	assert_int_equal(pv_task_counts_files(FIX "/proc", &x->env.cg, &x->c, &tc), 0);
	assert_int_equal(tc.threads, 3);
	assert_int_equal(tc.running, 1);
	assert_int_equal(tc.blocked, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat__degraded_fixture__figures_from_cgroup_files),
		cmocka_unit_test(stat__host_reader__host_file_unchanged),
		cmocka_unit_test(stat__removed_cgroup__error_not_other_data),
		cmocka_unit_test(taskcounts__no_bpf__thread_states_of_subtree),
	};
	return cmocka_run_group_tests_name("produce_stat", tests, setup, teardown);
}
