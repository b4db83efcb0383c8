// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fixed-point load-average update and its printing, against values
 * computed independently of daemon/calc_load.h from the kernel's definition
 * (calc_load rounds the new load UP while active >= load, DOWN otherwise;
 * fs/proc/loadavg.c prints x + FIXED_1/200 as hundredths, truncated).
 * The tables were produced with python3 (integer math, ceil as -(-a//b)):
 *
 *   E = {1: 1884, 5: 2014, 15: 2037}
 *   def step(load, e, nact):
 *       a = nact * 2048
 *       num = load * e + a * (2048 - e)
 *       return -(-num // 2048) if a >= load else num // 2048
 *   def hundredths(x):
 *       h = (x + 10) * 100 // 2048
 *       return "%d.%02d" % (h // 100, h % 100)
 *   series = [2]*12 + [0]*12 + [1]*3 + [5] + [0]*2
 *   for m in (1, 5, 15):
 *       l, out = 0, []
 *       for n in series: l = step(l, E[m], n); out.append(l)
 *       print(m, out)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calc_load.h"

static const unsigned int series[] = {
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,   /* one minute of K=2 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* one idle minute */
	1, 1, 1, 5, 0, 0,                      /* rise, jump, fall */
};
#define NSERIES (sizeof(series) / sizeof(series[0]))

static const __u64 want_1[NSERIES] = {
	328, 630, 908, 1164, 1399, 1615, 1814, 1997, 2166, 2321, 2464, 2595,
	2387, 2195, 2019, 1857, 1708, 1571, 1445, 1329, 1222, 1124, 1033, 950,
	1038, 1119, 1194, 1919, 1765, 1623,
};
static const __u64 want_5[NSERIES] = {
	68, 135, 201, 266, 330, 393, 455, 516, 576, 635, 693, 750,
	737, 724, 711, 699, 687, 675, 663, 651, 640, 629, 618, 607,
	631, 655, 679, 838, 824, 810,
};
static const __u64 want_15[NSERIES] = {
	22, 44, 66, 88, 110, 132, 154, 176, 198, 219, 240, 261,
	259, 257, 255, 253, 251, 249, 247, 245, 243, 241, 239, 237,
	247, 257, 267, 321, 319, 317,
};

static void check_series(__u64 exp, const __u64 *want)
{
	__u64 load = 0;
	size_t i;

	for (i = 0; i < NSERIES; i++) {
		load = pv_calc_load(load, exp, series[i] * PV_FIXED_1);
		if (load != want[i])
			fail_msg("exp %llu sample %zu (active %u): got %llu want %llu",
				 (unsigned long long)exp, i, series[i],
				 (unsigned long long)load, (unsigned long long)want[i]);
	}
}

static void calc_load__series_1min__matches_kernel_formula(void **state)
{
	check_series(PV_EXP_1, want_1);
}

static void calc_load__series_5min__matches_kernel_formula(void **state)
{
	check_series(PV_EXP_5, want_5);
}

static void calc_load__series_15min__matches_kernel_formula(void **state)
{
	check_series(PV_EXP_15, want_15);
}

/* Without the round-up the load would stall at 2047 (prints 0.99...). */
static void calc_load__constant_one__reaches_exactly_fixed_1(void **state)
{
	__u64 load = 0;
	int k;

	for (k = 0; k < 1000 && load != PV_FIXED_1; k++)
		load = pv_calc_load(load, PV_EXP_1, PV_FIXED_1);
	assert_int_equal(load, PV_FIXED_1);
	assert_int_equal(k, 68); /* python: steps until step()==2048 */
	/* And it stays there. */
	assert_int_equal(pv_calc_load(load, PV_EXP_1, PV_FIXED_1), PV_FIXED_1);
}

static void calc_load__idle_from_zero__stays_zero(void **state)
{
	assert_int_equal(pv_calc_load(0, PV_EXP_1, 0), 0);
	assert_int_equal(pv_calc_load(0, PV_EXP_15, 0), 0);
}

/* The exponential the constants approximate: K*(1-e^-1) after 1 minute. */
static void calc_load__one_minute_of_k2__near_continuous_formula(void **state)
{
	__u64 load = 0;
	double want = 2.0 * (1.0 - exp(-1.0));
	int i;

	for (i = 0; i < 12; i++)
		load = pv_calc_load(load, PV_EXP_1, 2 * PV_FIXED_1);
	assert_true(fabs((double)load / PV_FIXED_1 - want) < 0.01 * want);
}

static void calc_load_n__zero_steps__is_identity(void **state)
{
	assert_int_equal(pv_calc_load_n(1234, PV_EXP_1, 3 * PV_FIXED_1, 0), 1234);
	assert_int_equal(pv_calc_load_n(1234, PV_EXP_1, 0, 0), 1234);
}

static void calc_load_n__one_step__equals_calc_load(void **state)
{
	__u64 loads[] = { 0, 1, 777, 2048, 5000 };
	unsigned int act[] = { 0, 1, 2, 7 };
	size_t i, j;

	for (i = 0; i < 5; i++)
		for (j = 0; j < 4; j++)
			assert_int_equal(pv_calc_load_n(loads[i], PV_EXP_5, act[j] * PV_FIXED_1, 1),
					 pv_calc_load(loads[i], PV_EXP_5, act[j] * PV_FIXED_1));
}

/*
 * Catch-up over n missed samples: exact values of the kernel's
 * calc_load_n(load, EXP_1, active, n) = calc_load(load, fixed_power_int(
 * EXP_1, 11, n), active). Computed independently in python3 (square and
 * multiply over the bits of n, low bit first, every product rounded to
 * nearest as (a*b + 1024) >> 11; calc_load as in the table above):
 *
 *   def mul(a, b): return (a * b + 1024) >> 11
 *   def fpi(x, n):
 *       r, bits = 2048, [int(c) for c in reversed(bin(n)[2:])] if n else []
 *       for i, b in enumerate(bits):
 *           if b: r = mul(r, x)
 *           if i + 1 < len(bits): x = mul(x, x)
 *       return r
 *   fpi(e, n) for n in 0 1 2 3 5 12 60 720 100000
 *   calc_load_n: step(load, fpi(e, n), active) with step() as above
 *
 * They differ from n single steps (2594 vs 2595 after 12 samples of K=2):
 * the kernel rounds the power, not each step.
 */
static const unsigned int power_n[] = { 0, 1, 2, 3, 5, 12, 60, 720, 100000 };
#define NPOWER (sizeof(power_n) / sizeof(power_n[0]))

static void check_power(__u64 exp, const __u64 *want)
{
	size_t i;

	for (i = 0; i < NPOWER; i++) {
		__u64 got = pv_fixed_power_int_inl(exp, PV_FSHIFT, power_n[i]);

		if (got != want[i])
			fail_msg("%llu^%u: got %llu want %llu", (unsigned long long)exp,
				 power_n[i], (unsigned long long)got, (unsigned long long)want[i]);
	}
}

static void fixed_power_int__exp_1__matches_kernel_formula(void **state)
{
	static const __u64 want[NPOWER] = { 2048, 1884, 1733, 1594, 1349, 751, 14, 0, 0 };

	check_power(PV_EXP_1, want);
}

static void fixed_power_int__exp_5__matches_kernel_formula(void **state)
{
	static const __u64 want[NPOWER] = { 2048, 2014, 1981, 1948, 1884, 1677, 756, 0, 0 };

	check_power(PV_EXP_5, want);
}

static void fixed_power_int__exp_15__matches_kernel_formula(void **state)
{
	static const __u64 want[NPOWER] = { 2048, 2037, 2026, 2015, 1993, 1919, 1480, 42, 0 };

	check_power(PV_EXP_15, want);
}

static const unsigned int catchup_n[] = { 1, 2, 3, 12, 60, 720 };
#define NCATCHUP (sizeof(catchup_n) / sizeof(catchup_n[0]))

static void check_catchup(__u64 load, __u64 exp, unsigned int active, const __u64 *want)
{
	size_t i;

	for (i = 0; i < NCATCHUP; i++) {
		__u64 got = pv_calc_load_n(load, exp, active * PV_FIXED_1, catchup_n[i]);

		if (got != want[i])
			fail_msg("load %llu exp %llu active %u n=%u: got %llu want %llu",
				 (unsigned long long)load, (unsigned long long)exp, active,
				 catchup_n[i], (unsigned long long)got, (unsigned long long)want[i]);
	}
}

/* Rising: from 0 towards K=2 (rounds up). */
static void calc_load_n__rising_to_2__matches_kernel_formula(void **state)
{
	static const __u64 w1[NCATCHUP] = { 328, 630, 908, 2594, 4068, 4096 };
	static const __u64 w5[NCATCHUP] = { 68, 134, 200, 742, 2584, 4096 };
	static const __u64 w15[NCATCHUP] = { 22, 44, 66, 258, 1136, 4012 };

	check_catchup(0, PV_EXP_1, 2, w1);
	check_catchup(0, PV_EXP_5, 2, w5);
	check_catchup(0, PV_EXP_15, 2, w15);
}

/* Falling: from 5.0 towards 1 (rounds down). */
static void calc_load_n__falling_to_1__matches_kernel_formula(void **state)
{
	static const __u64 w1[NCATCHUP] = { 9584, 8980, 8424, 5052, 2104, 2048 };
	static const __u64 w5[NCATCHUP] = { 10104, 9972, 9840, 8756, 5072, 2048 };
	static const __u64 w15[NCATCHUP] = { 10196, 10152, 10108, 9724, 7968, 2216 };

	check_catchup(5 * PV_FIXED_1, PV_EXP_1, 1, w1);
	check_catchup(5 * PV_FIXED_1, PV_EXP_5, 1, w5);
	check_catchup(5 * PV_FIXED_1, PV_EXP_15, 1, w15);
}

/* From 3.0 towards 1 (1 min): 5514, 3550, 2076, 2048 for n = 2, 12, 60, 720. */
static void calc_load_n__from_3_to_1__matches_kernel_formula(void **state)
{
	static const struct { unsigned int n; __u64 want; } t[] = {
		{ 2, 5514 }, { 12, 3550 }, { 60, 2076 }, { 720, 2048 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(pv_calc_load_n(3 * PV_FIXED_1, PV_EXP_1, PV_FIXED_1, t[i].n),
				 t[i].want);
}

/* And the exponential the catch-up approximates: within 1% for a decade. */
static void calc_load_n__many_steps__near_continuous_formula(void **state)
{
	unsigned int ns[] = { 2, 12, 60, 720 };
	size_t i;

	for (i = 0; i < 4; i++) {
		double d = exp(-(double)ns[i] * 5.0 / 60.0);
		double want = 3.0 * d + 1.0 * (1.0 - d);
		__u64 got = pv_calc_load_n(3 * PV_FIXED_1, PV_EXP_1, PV_FIXED_1, ns[i]);

		if (fabs((double)got / PV_FIXED_1 - want) > 0.01)
			fail_msg("n=%u: got %f want %f", ns[i], (double)got / PV_FIXED_1, want);
	}
}

static void print_parts__rounding__matches_proc_loadavg(void **state)
{
	/* x -> text, from hundredths() above. */
	static const struct { __u64 x; const char *want; } t[] = {
		{ 0, "0.00" }, { 1, "0.00" }, { 9, "0.00" }, { 10, "0.00" },
		{ 11, "0.01" }, { 1014, "0.50" }, { 1023, "0.50" }, { 1024, "0.50" },
		{ 2037, "0.99" }, { 2038, "1.00" }, { 2047, "1.00" }, { 2048, "1.00" },
		{ 3071, "1.50" }, { 204799, "100.00" }, { 204800, "100.00" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned long li, lf;
		char got[32];

		pv_load_print_parts(t[i].x, &li, &lf);
		snprintf(got, sizeof(got), "%lu.%02lu", li, lf);
		if (strcmp(got, t[i].want))
			fail_msg("x=%llu: got %s want %s", (unsigned long long)t[i].x, got, t[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(calc_load__series_1min__matches_kernel_formula),
		cmocka_unit_test(calc_load__series_5min__matches_kernel_formula),
		cmocka_unit_test(calc_load__series_15min__matches_kernel_formula),
		cmocka_unit_test(calc_load__constant_one__reaches_exactly_fixed_1),
		cmocka_unit_test(calc_load__idle_from_zero__stays_zero),
		cmocka_unit_test(calc_load__one_minute_of_k2__near_continuous_formula),
		cmocka_unit_test(calc_load_n__zero_steps__is_identity),
		cmocka_unit_test(calc_load_n__one_step__equals_calc_load),
		cmocka_unit_test(fixed_power_int__exp_1__matches_kernel_formula),
		cmocka_unit_test(fixed_power_int__exp_5__matches_kernel_formula),
		cmocka_unit_test(fixed_power_int__exp_15__matches_kernel_formula),
		cmocka_unit_test(calc_load_n__rising_to_2__matches_kernel_formula),
		cmocka_unit_test(calc_load_n__falling_to_1__matches_kernel_formula),
		cmocka_unit_test(calc_load_n__from_3_to_1__matches_kernel_formula),
		cmocka_unit_test(calc_load_n__many_steps__near_continuous_formula),
		cmocka_unit_test(print_parts__rounding__matches_proc_loadavg),
	};

	return cmocka_run_group_tests_name("calc_load", tests, NULL, NULL);
}
