// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/cgroup.c
// fuzz-ldflags: -Wl,--wrap=openat -Wl,--wrap=openat64
/*
 * /proc/self/mountinfo -> cgroup hierarchies. Kernel-provided, but mount
 * points are chosen by whoever mounts (escaped \040 etc.), and the layout
 * varies (v1, v2, hybrid, co-mounted, name=). Invariants: indexes in range,
 * every string NUL-terminated inside its array, @ret untouched on error.
 * The cgroup.controllers files of fuzzed mount points are opened inside an
 * empty root (fuzz_confine.h), never on the host.
 */
#include "cgroup.h"
#include "fuzz_confine.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_confine_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_text(data, size);
	struct pv_cgroups *cg = malloc(sizeof(*cg));
	int r;

	if (!cg)
		abort();
	memset(cg, 0x5a, sizeof(*cg));
	fz_confine_on = 1;
	r = pv_cgroups_discover(text, NULL, cg);
	fz_confine_on = 0;
	if (r == 0) {
		fz_check(cg->n >= 0 && cg->n <= PV_MAX_HIER, "n=%d", cg->n);
		for (int c = 0; c < PV_CTRL__COUNT; c++)
			fz_check(cg->by_ctrl[c] >= -1 && cg->by_ctrl[c] < cg->n,
				 "by_ctrl[%d]=%d n=%d", c, cg->by_ctrl[c], cg->n);
		fz_check(cg->unified >= -1 && cg->unified < cg->n, "unified=%d", cg->unified);
		if (cg->unified >= 0)
			fz_check(cg->h[cg->unified].v2, "unified hierarchy not v2");
		fz_check(cg->cpu_acct >= -1 && cg->cpu_acct < cg->n, "cpu_acct=%d", cg->cpu_acct);
		for (int i = 0; i < cg->n; i++) {
			fz_check(memchr(cg->h[i].ctrls, 0, sizeof(cg->h[i].ctrls)) != NULL,
				 "h[%d].ctrls unterminated", i);
			fz_check(memchr(cg->h[i].mount, 0, sizeof(cg->h[i].mount)) != NULL,
				 "h[%d].mount unterminated", i);
		}
	} else {
		const unsigned char *p = (const unsigned char *)cg;

		fz_check(r < 0, "r=%d", r);
		for (size_t i = 0; i < sizeof(*cg); i++)
			fz_check(p[i] == 0x5a, "ret written on error %d (byte %zu)", r, i);
	}
	free(cg);
	free(text);
	return 0;
}
