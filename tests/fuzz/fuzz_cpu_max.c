// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/cgparse.c
/*
 * CPU quota files: v2 cpu.max ("QUOTA PERIOD"), v1 cpu.cfs_quota_us +
 * cpu.cfs_period_us (input split at "\n===\n"), and single values
 * (memory.max, memory.limit_in_bytes, ...). Invariants (cgparse.h
 * contract): errors are negative and leave the outputs untouched; a parsed
 * quota is -1 (none) or non-negative, never another negative number that
 * would turn ceil(quota/period) into a bogus vCPU count.
 */
#include "cgparse.h"
#include "fuzz_util.h"

#define SENT_S ((__s64)0x5a5a5a5a5a5a5a5aLL)
#define SENT_U ((__u64)0xa5a5a5a5a5a5a5a5ULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole = fz_text(data, size);
	char *qt, *pt;
	__s64 quota = SENT_S;
	__u64 period = SENT_U, v = SENT_U;
	int r;

	r = pv_parse_cpu_max(whole, &quota, &period);
	if (r == 0) {
		fz_check(period != SENT_U && quota != SENT_S, "outputs not written");
		fz_check(quota == -1 || quota >= 0, "quota=%lld", (long long)quota);
	} else {
		fz_check(r < 0, "r=%d", r);
		fz_check(quota == SENT_S && period == SENT_U, "outputs written on error %d", r);
	}

	r = pv_parse_u64_or_max(whole, &v);
	if (r != 0) {
		fz_check(r < 0, "r=%d", r);
		fz_check(v == SENT_U, "output written on error %d", r);
	}

	fz_split(data, size, &qt, &pt);
	quota = SENT_S;
	period = SENT_U;
	r = pv_parse_cfs(qt, pt, &quota, &period);
	if (r == 0)
		fz_check(quota == -1 || quota >= 0, "quota=%lld", (long long)quota);
	else {
		fz_check(r < 0, "r=%d", r);
		fz_check(quota == SENT_S && period == SENT_U, "outputs written on error %d", r);
	}
	free(qt);
	free(pt);
	free(whole);
	return 0;
}
