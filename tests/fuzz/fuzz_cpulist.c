// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/cgparse.c
/*
 * cpuset lists (cpuset.cpus.effective, /sys/devices/system/cpu/online):
 * kernel-provided, but a fixture or a future kernel format must never crash
 * or overflow the caller's array. Invariants: n <= max, ids ascending and
 * unique, nothing written past cpus[max - 1], ret_n untouched on error.
 */
#include <errno.h>

#include "cgparse.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* First byte picks the capacity so small arrays are exercised too. */
	int max = size ? data[0] % 70 : 0;
	char *text = fz_text(size ? data + 1 : data, size ? size - 1 : 0);
	int *cpus = malloc(sizeof(int) * (max ? max : 1)); /* exact: ASan guards */
	int n = -12345;
	int r;

	if (!cpus)
		abort();
	r = pv_parse_cpulist(text, cpus, max, &n);
	if (r == 0) {
		fz_check(n >= 0 && n <= max, "n=%d max=%d", n, max);
		for (int i = 1; i < n; i++)
			fz_check(cpus[i - 1] < cpus[i], "cpus[%d]=%d cpus[%d]=%d",
				 i - 1, cpus[i - 1], i, cpus[i]);
		for (int i = 0; i < n; i++)
			fz_check(cpus[i] >= 0, "cpus[%d]=%d", i, cpus[i]);
	} else {
		fz_check(r < 0, "r=%d", r);
		fz_check(n == -12345, "ret_n written on error %d", r);
	}
	free(cpus);
	free(text);
	return 0;
}
