/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /proc/swaps for a container. The container has no swap devices of its
 * own, only a share of the host's: when it may swap (SwapTotal > 0) each
 * host device line is kept (name, type, priority) with its Size and Used
 * scaled so that the sizes add up to the container's SwapTotal and the
 * used figures to its swap in use, in proportion to the host devices'
 * sizes. `swapon --show` and `free` then agree with meminfo. A container
 * that may not swap sees the header line only.
 */
#ifndef PV_SWAPS_H
#define PV_SWAPS_H

#include <linux/types.h>

#include "buf.h"

struct swaps_view {
	const char *host_text; /* host /proc/swaps: header + device lines */
	int passthrough;       /* host reader: host_text unchanged */
	__u64 total_kb;        /* container SwapTotal */
	__u64 used_kb;         /* container SwapTotal - SwapFree */
};

/*
 * Render @v. Device lines that do not parse as "NAME TYPE SIZE USED PRIO"
 * are dropped (never shown with host figures). Pure; 0 or -errno.
 */
int render_swaps(const struct swaps_view *v, struct buf *out);

#endif
