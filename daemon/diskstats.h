/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /proc/diskstats for a container: the host's lines for the devices the
 * container did I/O on (blkio v1 throttle counters / v2 io.stat), in the
 * host's order and with the host's column count, carrying the container's
 * reads completed, sectors read, writes completed and sectors written
 * (bytes / 512). Every other column (merges, times, in-flight, discards,
 * flushes) has no per-cgroup source and is 0.
 */
#ifndef PV_DISKSTATS_H
#define PV_DISKSTATS_H

#include "buf.h"
#include "cgparse.h"

struct diskstats_view {
	const char *host_text;        /* host /proc/diskstats */
	int passthrough;              /* host reader: host_text unchanged */
	const struct pv_io_dev *devs; /* the container's per-device counters */
	int ndevs;
};

/* Pure; 0 or -errno. Devices whose four counters are all 0 are left out. */
int render_diskstats(const struct diskstats_view *v, struct buf *out);

#endif
