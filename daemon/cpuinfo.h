/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /proc/cpuinfo for a container: one block per vCPU, renumbered 0..N-1,
 * copied from the block of the physical CPU the vCPU maps onto. On x86 the
 * topology fields that would reveal the host's CPU count describe a single
 * package of N cores instead: "physical id" 0, "siblings" N, "cpu cores" N,
 * "core id" i (apicid values are kept; they are identifiers, not counts).
 * arm64 blocks carry no such fields and are copied with only "processor"
 * renumbered.
 */
#ifndef PV_CPUINFO_H
#define PV_CPUINFO_H

#include <stddef.h>

#include "buf.h"
#include "cgroup.h"
#include "env.h"

struct pv_cpuinfo_block {
	const char *text; /* first line of the block ("processor\t: 3") */
	size_t len;       /* up to and including its last line's '\n' */
	int processor;    /* the number on the processor line */
};

/*
 * Split cpuinfo @text into CPU blocks: paragraphs (separated by blank
 * lines) that hold a "processor : N" line. Text before the first block
 * (s390/arm32-style headers) and after the last (arm32 "Hardware" trailer)
 * is returned through @ret_pre_len / @ret_post (may be NULL). Pure; blocks
 * point into @text. 0, -ENOENT (no block), -E2BIG (more than @max).
 */
int pv_parse_cpuinfo_blocks(const char *text, struct pv_cpuinfo_block *blocks,
			    int max, int *ret_n, size_t *ret_pre_len,
			    const char **ret_post);

struct cpuinfo_view {
	const char *host_text;  /* host /proc/cpuinfo */
	int passthrough;        /* host reader: host_text unchanged */
	const struct pv_cpus *cpus; /* vCPU count and physical cpuset */
};

/*
 * vCPU i gets the block of physical CPU phys[i % nphys] (or, when the host
 * text lacks that CPU, block i % nblocks). Pure; 0 or -errno.
 */
int render_cpuinfo(const struct cpuinfo_view *v, struct buf *out);

/* "0-{n-1}\n", or "0\n" when n <= 1. Pure. */
int render_cpu_online(int n, struct buf *out);

#endif
