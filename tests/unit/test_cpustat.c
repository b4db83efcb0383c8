// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cpustat.h"

#define SEC 1000000000ULL
#define TICK PV_NS_PER_TICK

static struct pv_cpus *cpus_of(int n, int nphys, const int *phys)
{
	struct pv_cpus *c = calloc(1, sizeof(*c));

	c->n = n;
	c->nphys = nphys;
	for (int i = 0; i < nphys; i++)
		c->phys[i] = phys[i];
	return c;
}

static __u64 colsum(const __u64 *col)
{
	__u64 s = 0;

	for (int k = 0; k < PV_NCOLS_MAX; k++)
		s += col[k];
	return s;
}

/*
 * One vCPU on physical CPU 0, started at boot time 0, read at 1 s: the
 * fixture of the steal and high-water tests. Tests move raw.now_boot_ns
 * and the counters in pc[0], and build views with build().
 */
struct one_vcpu {
	struct pv_cpu_stat pc[1];
	struct pv_cpus *cpus;
	struct pv_cpu_raw raw;
	struct pv_cpu_hwm h;
};

static int one_vcpu_setup(void **state)
{
	static const int phys[] = { 0 };
	struct one_vcpu *o = calloc(1, sizeof(*o));

	if (!o)
		return -1;
	o->cpus = cpus_of(1, 1, phys);
	o->raw = (struct pv_cpu_raw){ .ncpus = 1, .percpu = o->pc, .start_boot_ns = 0,
				      .now_boot_ns = 1 * SEC, .now_real_ns = 1000 * SEC };
	*state = o;
	return 0;
}

static int one_vcpu_teardown(void **state)
{
	struct one_vcpu *o = *state;

	pv_cpu_hwm_free(&o->h);
	free(o->cpus);
	free(o);
	return 0;
}

/* A view of @o now, with its high-water marks (the daemon's per-container state). */
static void build(struct one_vcpu *o, struct cpu_view *v)
{
	memset(v, 0, sizeof(*v));
	assert_int_equal(pv_cpu_view_build(&o->raw, o->cpus, &o->h, v), 0);
}

static void share__sums_exactly_and_is_monotonic(void **state)
{
	for (int n = 1; n <= 7; n++)
		for (__u64 t = 0; t < 50; t++) {
			__u64 s = 0;

			for (int i = 0; i < n; i++) {
				s += pv_share(t, n, i);
				assert_true(pv_share(t + 1, n, i) >= pv_share(t, n, i));
			}
			assert_int_equal(s, t);
		}
}

/* cpuset {1,3} of a 4-CPU host: vCPU0 = CPU1, vCPU1 = CPU3. */
static void build__cpuset_vcpus__map_physical_cpus(void **state)
{
	struct pv_cpu_stat pc[4] = { 0 };
	int phys[] = { 1, 3 };
	struct pv_cpus *cpus = cpus_of(2, 2, phys);
	struct pv_cpu_raw raw = { .ncpus = 4, .percpu = pc, .start_boot_ns = 5 * SEC,
				  .now_boot_ns = 105 * SEC, .now_real_ns = 1000 * SEC };
	struct cpu_view v = { 0 };

	pc[1].user_ns = 30 * SEC;
	pc[1].system_ns = 10 * SEC;
	pc[1].ctxt = 7;
	pc[3].nice_ns = 2 * SEC;
	pc[3].steal_ns = 1 * SEC;
	pc[3].forks = 3;
	assert_int_equal(pv_cpu_view_build(&raw, cpus, NULL, &v), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.vcpu[0][PV_COL_USER], 3000);
	assert_int_equal(v.vcpu[0][PV_COL_SYSTEM], 1000);
	assert_int_equal(v.vcpu[0][PV_COL_IDLE], 10000 - 4000);
	assert_int_equal(v.vcpu[1][PV_COL_NICE], 200);
	assert_int_equal(v.vcpu[1][PV_COL_STEAL], 100);
	assert_int_equal(v.vcpu[1][PV_COL_IDLE], 10000 - 300);
	assert_int_equal(colsum(v.vcpu[0]), 10000);
	assert_int_equal(colsum(v.vcpu[1]), 10000);
	assert_int_equal(v.ctxt, 7);
	assert_int_equal(v.processes, 3);
	assert_int_equal(v.btime, 900);
	pv_cpu_view_free(&v);
	free(cpus);
}

/* Time counted on CPUs outside the cpuset is shared, not lost. */
static void build__time_outside_cpuset__shared_over_vcpus(void **state)
{
	struct pv_cpu_stat pc[3] = { 0 };
	int phys[] = { 0, 1 };
	struct pv_cpus *cpus = cpus_of(2, 2, phys);
	struct pv_cpu_raw raw = { .ncpus = 3, .percpu = pc, .start_boot_ns = 0,
				  .now_boot_ns = 100 * SEC, .now_real_ns = 1000 * SEC };
	struct cpu_view v = { 0 };

	pc[2].user_ns = 3 * TICK;
	assert_int_equal(pv_cpu_view_build(&raw, cpus, NULL, &v), 0);
	assert_int_equal(v.vcpu[0][PV_COL_USER] + v.vcpu[1][PV_COL_USER], 3);
	pv_cpu_view_free(&v);
	free(cpus);
}

/* A quota of 1.5 CPUs on 4 CPUs: 2 vCPUs share all time exactly. */
static void build__quota_vcpus__share_total_exactly(void **state)
{
	struct pv_cpu_stat pc[4] = { 0 };
	int phys[] = { 0, 1, 2, 3 };
	struct pv_cpus *cpus = cpus_of(2, 4, phys);
	struct pv_cpu_raw raw = { .ncpus = 4, .percpu = pc, .start_boot_ns = 0,
				  .now_boot_ns = 10 * SEC, .now_real_ns = 1000 * SEC };
	struct cpu_view v = { 0 };

	for (int c = 0; c < 4; c++)
		pc[c].user_ns = (__u64)(c + 1) * 100 * TICK + 5; /* 1000 ticks */
	pc[2].system_ns = 1 * TICK;
	assert_int_equal(pv_cpu_view_build(&raw, cpus, NULL, &v), 0);
	assert_int_equal(v.vcpu[0][PV_COL_USER] + v.vcpu[1][PV_COL_USER], 1000);
	assert_int_equal(v.vcpu[0][PV_COL_USER], 500);
	assert_int_equal(v.vcpu[0][PV_COL_SYSTEM] + v.vcpu[1][PV_COL_SYSTEM], 1);
	assert_int_equal(colsum(v.vcpu[0]), 1000);
	assert_int_equal(colsum(v.vcpu[1]), 1000);
	pv_cpu_view_free(&v);
	free(cpus);
}

/* Several waiters on one CPU: steal capped so columns add up to time. */
static void build__steal_above_free_time__capped(void **state)
{
	struct pv_cpu_stat pc[1] = { 0 };
	int phys[] = { 0 };
	struct pv_cpus *cpus = cpus_of(1, 1, phys);
	struct pv_cpu_raw raw = { .ncpus = 1, .percpu = pc, .start_boot_ns = 0,
				  .now_boot_ns = 10 * SEC, .now_real_ns = 1000 * SEC };
	struct cpu_view v = { 0 };

	pc[0].user_ns = 4 * SEC;
	pc[0].steal_ns = 30 * SEC;
	assert_int_equal(pv_cpu_view_build(&raw, cpus, NULL, &v), 0);
	assert_int_equal(v.vcpu[0][PV_COL_STEAL], 600);
	assert_int_equal(v.vcpu[0][PV_COL_IDLE], 0);
	assert_int_equal(colsum(v.vcpu[0]), 1000);
	pv_cpu_view_free(&v);
	free(cpus);
}

/* A clamp or a transient dip never makes a column go backwards. */
static void build__high_water__no_column_goes_back(void **state)
{
	struct one_vcpu *o = *state;
	struct cpu_view a, b;

	o->raw.now_boot_ns = 10 * SEC;
	o->pc[0].user_ns = 2 * SEC;
	o->pc[0].ctxt = 100;
	build(o, &a);
	/* 10 ms later the counters dipped (a removed child not yet folded). */
	o->raw.now_boot_ns += TICK;
	o->pc[0].user_ns = 1 * SEC;
	o->pc[0].ctxt = 90;
	build(o, &b);
	for (int k = 0; k < PV_NCOLS_MAX; k++)
		assert_true(b.vcpu[0][k] >= a.vcpu[0][k]);
	assert_true(b.ctxt >= a.ctxt);
	pv_cpu_view_free(&a);
	pv_cpu_view_free(&b);
}

/*
 * A wait reported late (the task ran again) covers time already shown as
 * idle: it must not push the columns past the time since start, and what
 * did not fit is dropped, not shown later in place of idle.
 */
static void build__late_steal__fits_now_or_is_dropped(void **state)
{
	struct one_vcpu *o = *state;
	struct cpu_view a, b, c;

	build(o, &a);
	assert_int_equal(a.vcpu[0][PV_COL_IDLE], 100);
	/* 50 ticks of wait reported, 10 ticks of new time to put them in. */
	o->raw.now_boot_ns = 1 * SEC + 10 * TICK;
	o->pc[0].steal_ns = 50 * TICK;
	build(o, &b);
	assert_int_equal(colsum(b.vcpu[0]), 110);
	assert_int_equal(b.vcpu[0][PV_COL_IDLE], 100);
	assert_int_equal(b.vcpu[0][PV_COL_STEAL], 10);
	/* No new wait: the next 90 ticks are idle, the 40 left over are gone. */
	o->raw.now_boot_ns = 2 * SEC;
	build(o, &c);
	assert_int_equal(colsum(c.vcpu[0]), 200);
	assert_int_equal(c.vcpu[0][PV_COL_STEAL], 10);
	assert_int_equal(c.vcpu[0][PV_COL_IDLE], 190);
	pv_cpu_view_free(&a);
	pv_cpu_view_free(&b);
	pv_cpu_view_free(&c);
}

/*
 * 3 busy loops on one vCPU for 5 s: 5 s used, 10 s of run-queue wait, read
 * every second. After they stop, the vCPU is idle, not 100% steal for the
 * next 10 s.
 */
static void build__three_loops_on_one_vcpu_stop__idle_at_once(void **state)
{
	struct one_vcpu *o = *state;
	struct cpu_view v;

	for (__u64 t = 1; t <= 7; t++) {
		__u64 busy = t < 5 ? t : 5;

		o->raw.now_boot_ns = t * SEC;
		o->pc[0].user_ns = busy * SEC;
		o->pc[0].steal_ns = 2 * busy * SEC;
		build(o, &v);
		assert_int_equal(colsum(v.vcpu[0]), t * 100);
		assert_int_equal(v.vcpu[0][PV_COL_USER], busy * 100);
		assert_int_equal(v.vcpu[0][PV_COL_STEAL], 0);
		assert_int_equal(v.vcpu[0][PV_COL_IDLE], (t - busy) * 100);
		pv_cpu_view_free(&v);
	}
}

/* Wait that fits in the new time is shown in full, the rest is idle. */
static void build__steal_within_room__shown_in_full(void **state)
{
	struct one_vcpu *o = *state;
	struct cpu_view a, b;

	o->pc[0].user_ns = 50 * TICK;
	o->pc[0].steal_ns = 20 * TICK;
	build(o, &a);
	assert_int_equal(a.vcpu[0][PV_COL_STEAL], 20);
	assert_int_equal(a.vcpu[0][PV_COL_IDLE], 30);
	/* +100 ticks: 40 used (a 50% quota burner), 50 throttled, 10 idle. */
	o->raw.now_boot_ns = 2 * SEC;
	o->pc[0].user_ns += 40 * TICK;
	o->pc[0].steal_ns += 50 * TICK;
	build(o, &b);
	assert_int_equal(b.vcpu[0][PV_COL_USER], 90);
	assert_int_equal(b.vcpu[0][PV_COL_STEAL], 70);
	assert_int_equal(b.vcpu[0][PV_COL_IDLE], 40);
	pv_cpu_view_free(&a);
	pv_cpu_view_free(&b);
}

/* A transient dip of the raw steal sum is not counted again on recovery. */
static void build__raw_steal_dips_and_recovers__not_counted_twice(void **state)
{
	struct one_vcpu *o = *state;
	struct cpu_view v;
	const __u64 steal_at[] = { 30, 10, 30 };

	for (int r = 0; r < 3; r++) {
		o->raw.now_boot_ns = (__u64)(r + 1) * SEC;
		o->pc[0].steal_ns = steal_at[r] * TICK;
		build(o, &v);
		assert_int_equal(v.vcpu[0][PV_COL_STEAL], 30);
		assert_int_equal(colsum(v.vcpu[0]), (__u64)(r + 1) * 100);
		pv_cpu_view_free(&v);
	}
}

/* Rounding each column down separately would lose up to 3 ticks per vCPU. */
static void build__used_time__rounded_once_per_vcpu(void **state)
{
	struct pv_cpu_stat pc[2] = { 0 };
	int phys[] = { 0, 1 };
	struct pv_cpus *cpus = cpus_of(2, 2, phys);
	struct pv_cpu_raw raw = { .ncpus = 2, .percpu = pc, .start_boot_ns = 0,
				  .now_boot_ns = 10 * SEC, .now_real_ns = 1000 * SEC };
	struct cpu_view v = { 0 };

	for (int c = 0; c < 2; c++) {
		pc[c].user_ns = TICK * 6 / 10;
		pc[c].nice_ns = TICK * 6 / 10;
		pc[c].system_ns = TICK * 6 / 10;
	}
	assert_int_equal(pv_cpu_view_build(&raw, cpus, NULL, &v), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(v.vcpu[i][PV_COL_USER] + v.vcpu[i][PV_COL_NICE] +
				 v.vcpu[i][PV_COL_SYSTEM], 1);
		assert_int_equal(colsum(v.vcpu[i]), 1000);
	}
	pv_cpu_view_free(&v);
	free(cpus);
}

static void build__start_in_future__age_zero_not_huge(void **state)
{
	struct pv_cpu_stat pc[1] = { 0 };
	int phys[] = { 0 };
	struct pv_cpus *cpus = cpus_of(1, 1, phys);
	struct pv_cpu_raw raw = { .ncpus = 1, .percpu = pc, .start_boot_ns = 20 * SEC,
				  .now_boot_ns = 10 * SEC, .now_real_ns = 1000 * SEC };
	struct cpu_view v = { 0 };
	struct uptime_view u;

	assert_int_equal(pv_cpu_view_build(&raw, cpus, NULL, &v), 0);
	assert_int_equal(v.vcpu[0][PV_COL_IDLE], 0);
	pv_uptime_from_view(&v, &raw, &u);
	assert_int_equal(u.uptime_cs, 0);
	pv_cpu_view_free(&v);
	free(cpus);
}

static void uptime__idle__is_sum_of_vcpu_idle(void **state)
{
	struct pv_cpu_stat pc[2] = { 0 };
	int phys[] = { 0, 1 };
	struct pv_cpus *cpus = cpus_of(2, 2, phys);
	struct pv_cpu_raw raw = { .ncpus = 2, .percpu = pc, .start_boot_ns = 1 * SEC,
				  .now_boot_ns = 11 * SEC + 5 * TICK + 3,
				  .now_real_ns = 1000 * SEC };
	struct cpu_view v = { 0 };
	struct uptime_view u;

	pc[0].user_ns = 1 * SEC;
	pc[1].system_ns = 2 * SEC;
	assert_int_equal(pv_cpu_view_build(&raw, cpus, NULL, &v), 0);
	pv_uptime_from_view(&v, &raw, &u);
	assert_int_equal(u.uptime_cs, 1005);
	assert_int_equal(u.idle_cs, v.vcpu[0][PV_COL_IDLE] + v.vcpu[1][PV_COL_IDLE]);
	assert_int_equal(u.idle_cs, (1005 - 100) + (1005 - 200));
	pv_cpu_view_free(&v);
	free(cpus);
}

static void shape__host_stat__columns_intr_softirq(void **state)
{
	const char *text = "cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\n"
			   "intr 100 1 2 3 4\nctxt 5\nbtime 6\nprocesses 7\n"
			   "procs_running 1\nprocs_blocked 0\nsoftirq 9 1 1 1 1 1 1 1 1 1 1\n";
	int ncols = 0, intr = 0, softirq = 0;

	assert_int_equal(pv_host_stat_shape(text, &ncols, &intr, &softirq), 0);
	assert_int_equal(ncols, 10);
	assert_int_equal(intr, 5);
	assert_int_equal(softirq, 11);
	assert_int_equal(pv_host_stat_shape("intr 1\n", &ncols, &intr, &softirq), -22);
	assert_int_equal(ncols, 10); /* untouched on error */
}

static void pidstat__comm_with_parens_and_spaces__fields_found(void **state)
{
	const char *text = "4242 (a) b (c) R 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 "
			   "98765 1000 200 18446744073709551615\n";
	__u64 t = 0;
	char s = 0;

	assert_int_equal(pv_parse_pid_starttime(text, &t), 0);
	assert_int_equal(t, 98765);
	assert_int_equal(pv_parse_pid_state(text, &s), 0);
	assert_int_equal(s, 'R');
	t = 1;
	assert_int_equal(pv_parse_pid_starttime("12 (x) S 1 2\n", &t), -22);
	assert_int_equal(t, 1);
	assert_int_equal(pv_parse_pid_state("garbage", &s), -22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(share__sums_exactly_and_is_monotonic),
		cmocka_unit_test(build__cpuset_vcpus__map_physical_cpus),
		cmocka_unit_test(build__time_outside_cpuset__shared_over_vcpus),
		cmocka_unit_test(build__quota_vcpus__share_total_exactly),
		cmocka_unit_test(build__steal_above_free_time__capped),
		cmocka_unit_test_setup_teardown(build__high_water__no_column_goes_back, one_vcpu_setup,
						one_vcpu_teardown),
		cmocka_unit_test_setup_teardown(build__late_steal__fits_now_or_is_dropped, one_vcpu_setup,
						one_vcpu_teardown),
		cmocka_unit_test_setup_teardown(build__three_loops_on_one_vcpu_stop__idle_at_once, one_vcpu_setup,
						one_vcpu_teardown),
		cmocka_unit_test_setup_teardown(build__steal_within_room__shown_in_full, one_vcpu_setup,
						one_vcpu_teardown),
		cmocka_unit_test_setup_teardown(build__raw_steal_dips_and_recovers__not_counted_twice, one_vcpu_setup,
						one_vcpu_teardown),
		cmocka_unit_test(build__used_time__rounded_once_per_vcpu),
		cmocka_unit_test(build__start_in_future__age_zero_not_huge),
		cmocka_unit_test(uptime__idle__is_sum_of_vcpu_idle),
		cmocka_unit_test(shape__host_stat__columns_intr_softirq),
		cmocka_unit_test(pidstat__comm_with_parens_and_spaces__fields_found),
	};
	return cmocka_run_group_tests_name("cpustat", tests, NULL, NULL);
}
