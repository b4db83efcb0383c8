// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/cpustat.c
/*
 * /proc/stat host lines (shape: cpu columns, intr and softirq field counts)
 * and /proc/<pid>/stat (state, starttime). The second is untrusted: comm is
 * chosen by any process (prctl PR_SET_NAME) and may hold ") ", spaces,
 * digits and newlines. Outputs untouched on error; shape within bounds.
 */
#include "cpustat.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_text(data, size);
	int ncols = -9, intr = -9, softirq = -9, r;
	__u64 ticks = 0xa5a5a5a5a5a5a5a5ULL;
	char state = '#';

	r = pv_host_stat_shape(text, &ncols, &intr, &softirq);
	if (r == 0) {
		fz_check(ncols >= 4 && ncols <= PV_NCOLS_MAX, "ncols=%d", ncols);
		fz_check(intr >= 1 && softirq >= 1, "intr=%d softirq=%d", intr, softirq);
	} else
		fz_check(r < 0 && ncols == -9 && intr == -9 && softirq == -9,
			 "r=%d, outputs written on error", r);

	r = pv_parse_pid_state(text, &state);
	if (r != 0)
		fz_check(r < 0 && state == '#', "r=%d state=%c", r, state);
	r = pv_parse_pid_starttime(text, &ticks);
	if (r != 0)
		fz_check(r < 0 && ticks == 0xa5a5a5a5a5a5a5a5ULL, "r=%d, ticks written on error", r);
	free(text);
	return 0;
}
