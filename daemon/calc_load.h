/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's load-average arithmetic (kernel/sched/loadavg.c,
 * include/linux/sched/loadavg.h), reimplemented for per-container use.
 *
 * The update functions are static inline and depend on nothing but __u64 so
 * that bpf/loadavg.bpf.c compiles the very same code the unit tests check:
 * the averages are updated in the kernel, by the BPF cgroup iterator.
 */
#ifndef PV_CALC_LOAD_H
#define PV_CALC_LOAD_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define PV_FSHIFT  11                  /* bits of precision */
#define PV_FIXED_1 (1ULL << PV_FSHIFT) /* 1.0 as fixed point */
#define PV_EXP_1   1884ULL             /* 1/exp(5s/1min) as fixed point */
#define PV_EXP_5   2014ULL             /* 1/exp(5s/5min) */
#define PV_EXP_15  2037ULL             /* 1/exp(5s/15min) */
#define PV_LOAD_FREQ_SEC 5             /* sample period */

/*
 * One 5-second step: load' = load*exp + active*(1-exp), in fixed point.
 * @active is the number of active tasks times PV_FIXED_1. Like the kernel,
 * round up while the load is rising (active >= load) so that a constant
 * active count is actually reached instead of stalling one unit below it.
 */
static inline __u64 pv_calc_load_inl(__u64 load, __u64 exp, __u64 active)
{
	__u64 newload = load * exp + active * (PV_FIXED_1 - exp);

	if (active >= load)
		newload += PV_FIXED_1 - 1;
	return newload / PV_FIXED_1;
}

/* x^n in fixed point with @frac_bits, rounding each product to nearest. */
static inline __u64 pv_fixed_power_int_inl(__u64 x, unsigned int frac_bits,
					   unsigned int n)
{
	__u64 result = 1ULL << frac_bits;
	int i;

	/* n < 2^32: 32 squarings at most (bounded for the BPF verifier). */
	for (i = 0; i < 32 && n; i++) {
		if (n & 1) {
			result *= x;
			result += 1ULL << (frac_bits - 1);
			result >>= frac_bits;
		}
		n >>= 1;
		if (!n)
			break;
		x *= x;
		x += 1ULL << (frac_bits - 1);
		x >>= frac_bits;
	}
	return result;
}

/*
 * @n steps at once with a constant @active (the kernel's catch-up after
 * missed ticks): load*exp^n + active*(1-exp^n). Used when samples were
 * missed while no daemon ran; n == 1 equals pv_calc_load_inl().
 */
static inline __u64 pv_calc_load_n_inl(__u64 load, __u64 exp, __u64 active,
				       unsigned int n)
{
	return pv_calc_load_inl(load, pv_fixed_power_int_inl(exp, PV_FSHIFT, n),
				active);
}

/* Printing as fs/proc/loadavg.c: add 0.005 (FIXED_1/200), then split. */
#define PV_LOAD_INT(x)  ((x) >> PV_FSHIFT)
#define PV_LOAD_FRAC(x) PV_LOAD_INT(((x) & (PV_FIXED_1 - 1)) * 100)
#define PV_LOAD_ROUND   (PV_FIXED_1 / 200)

#ifndef __bpf__
/* Out-of-line entry points (unit tests, daemon-side catch-up). */
__u64 pv_calc_load(__u64 load, __u64 exp, __u64 active);
__u64 pv_calc_load_n(__u64 load, __u64 exp, __u64 active, unsigned int n);

/* Integer and hundredths of @avenrun as /proc/loadavg prints them. */
void pv_load_print_parts(__u64 avenrun, unsigned long *ret_int,
			 unsigned long *ret_frac);
#endif

#endif
