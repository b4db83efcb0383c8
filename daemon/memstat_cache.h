/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memory.stat without generating it on every open.
 *
 * Generating memory.stat is most of a meminfo or swaps rendering (about
 * 9 us of kernel time for v1 here, more with cold caches). Its statistics
 * are the memory cgroup's aggregated counters, which change only inside a
 * cgroup rstat flush pass; a read flushes first only when the cgroup has
 * more stats updates batched than the kernel's threshold
 * (MEMCG_CHARGE_BATCH per online CPU). So the copy of an earlier read is
 * exactly what a read now would print when
 *   - the epoch has not moved since that read: no rstat flush pass has
 *     ended and no CPU came or went (reader_id.bpf.c counts both in
 *     pv_memstat_epoch), and
 *   - the cgroup's batched updates at the reader's OPEN (its
 *     pv_memcg_sample) were within the threshold, which the copy keeps
 *     from the CPUs online at its read.
 * The lines that are not statistics (v1 hierarchical_*_limit) come from
 * the sample, which the same OPEN read from the kernel's page counters.
 * Without the epoch (a kernel without the tracepoints, no BPF) every call
 * reads.
 */
#ifndef PV_MEMSTAT_CACHE_H
#define PV_MEMSTAT_CACHE_H

#include <linux/types.h>

#include "buf.h"
#include "cgroup.h"
#include "kept.h"

/* Cgroups whose copy is kept (least recently used out). */
#define PV_MEMSTAT_CACHE_ENTRIES PV_KEPT_ENTRIES
/* The kernel's MEMCG_CHARGE_BATCH since per-cgroup flush thresholds
   (6.8), the kernels whose samples carry batched updates. */
#define PV_MEMCG_CHARGE_BATCH 64

/* Where the epoch and the CPU hotplug step count are (mapped BPF
   memory); NULL epoch: never reuse. The online CPUs are counted again
   only when the step count moved. */
void pv_memstat_cache_source(const volatile __u64 *epoch, const volatile __u64 *cpuhp);

/*
 * Append memory.stat of the cgroup @s is of to @out: the kept copy when
 * it is what a read would print now, else what @read appends (then kept).
 * 0 or @read's -errno. @s NULL or not ok: @read, nothing kept.
 */
int pv_memstat_get(const struct pv_memcg_sample *s, int (*read)(void *arg, struct buf *out),
		   void *arg, struct buf *out);

/* Pure: does copy @k (aux: the flush threshold of the CPUs online at its
   read) stand for a read of cgroup @ino now (epoch @epoch, @updates
   batched at the OPEN)? */
int pv_memstat_reusable(const struct pv_kept_tag *k, __u64 ino, __u64 epoch, __u64 updates);

void pv_memstat_cache_stats(unsigned long *hits, unsigned long *misses);
/* Drop every copy and zero the counts (tests). */
void pv_memstat_cache_clear(void);

#endif
