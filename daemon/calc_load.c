// SPDX-License-Identifier: GPL-2.0-only
/* Out-of-line wrappers around the shared inline load-average arithmetic. */
#include "calc_load.h"

__u64 pv_calc_load(__u64 load, __u64 exp, __u64 active)
{
	return pv_calc_load_inl(load, exp, active);
}

__u64 pv_calc_load_n(__u64 load, __u64 exp, __u64 active, unsigned int n)
{
	return pv_calc_load_n_inl(load, exp, active, n);
}

void pv_load_print_parts(__u64 avenrun, unsigned long *ret_int,
			 unsigned long *ret_frac)
{
	__u64 x = avenrun + PV_LOAD_ROUND;

	*ret_int = (unsigned long)PV_LOAD_INT(x);
	*ret_frac = (unsigned long)PV_LOAD_FRAC(x);
}
