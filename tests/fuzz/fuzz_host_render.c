// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/diskstats.c daemon/swaps.c
/*
 * Renderers that reshape a host file: /proc/diskstats (host lines of the
 * devices the container used, its own counters) and /proc/swaps (host
 * device lines scaled to the container's swap). The host text is
 * kernel-provided but its shape differs across kernels (14/18/20 columns,
 * device names with odd characters). The first byte picks the container's
 * devices and swap figures. Invariants: no crash, errors negative, the
 * output one NUL-terminated text of the length the buffer says.
 */
#include "diskstats.h"
#include "swaps.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned sel = size ? data[0] : 0;
	char *text = fz_text(size ? data + 1 : data, size ? size - 1 : 0);
	struct pv_io_dev devs[3] = {
		{ .major = 8, .minor = 0, .rbytes = 4096, .wbytes = 8192, .rios = 1, .wios = 2 },
		{ .major = 253, .minor = sel & 7, .rbytes = ~0ULL, .wbytes = ~0ULL, .rios = ~0ULL, .wios = 1 },
		{ .major = sel, .minor = sel, .rbytes = 512 },
	};
	struct diskstats_view dv = { .host_text = text, .passthrough = sel & 1,
				     .devs = devs, .ndevs = (int)(sel >> 1) % 4 };
	struct swaps_view sv = { .host_text = text, .passthrough = (sel >> 3) & 1,
				 .total_kb = (sel & 0x40) ? ~0ULL : 1048576,
				 .used_kb = (sel & 0x80) ? ~0ULL : 4096 };
	struct buf out = BUF_INIT;
	int r;

	r = render_diskstats(&dv, &out);
	fz_check(r <= 0, "diskstats r=%d", r);
	if (r == 0 && out.len)
		fz_check(strlen(out.data) == out.len, "diskstats len %zu strlen %zu", out.len, strlen(out.data));
	buf_reset(&out);
	r = render_swaps(&sv, &out);
	fz_check(r <= 0, "swaps r=%d", r);
	if (r == 0 && out.len)
		fz_check(strlen(out.data) == out.len, "swaps len %zu strlen %zu", out.len, strlen(out.data));
	buf_free(&out);
	free(text);
	return 0;
}
