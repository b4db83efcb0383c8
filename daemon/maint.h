/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cache maintenance: the daemon's per-container state (reader caches,
 * /proc/stat high-water marks and start estimates) is keyed by cgroups,
 * which come and go by the thousand on a busy host. A periodic prune drops
 * the entries of removed cgroups, so after churn the daemon's tables (and,
 * with malloc_trim, its RSS) return to what the live containers need; a
 * stats line reports the sizes (procviewd logs it on SIGUSR1).
 */
#ifndef PV_MAINT_H
#define PV_MAINT_H

#include <linux/types.h>
#include <stddef.h>

#include "env.h"
#include "reader.h"

/* Seconds between two prunes in the daemon. */
#define PV_PRUNE_INTERVAL 5

/*
 * The /proc/stat state (daemon/produce_stat.c): ids of the cgroups holding
 * a slot (up to @max into @out; returns the number of slots in use), and
 * dropping the slot of one.
 */
size_t pv_stat_state_cgids(__u64 *out, size_t max);
void pv_stat_state_forget(__u64 cgid);

/*
 * Ids of every cgroup in hierarchy @idx of @cg (directory inodes, root
 * included), sorted, into *@ret (malloc'ed, caller frees). 0 or -errno;
 * a directory removed during the walk is skipped.
 */
int pv_cg_live_ids(const struct pv_cgroups *cg, int idx, __u64 **ret, size_t *ret_n);

struct pv_prune_result {
	size_t stat_dropped;    /* /proc/stat slots of removed cgroups */
	size_t reader_dropped;  /* reader cache entries */
	int err;                /* 0, or why the stat state was not pruned */
};

/*
 * Drop every cached entry of a removed cgroup: /proc/stat slots (and what
 * the daemon wrote to the pinned maps for them, in case a read raced the
 * rmdir program), reader cache entries (@r may be NULL). Returns the number
 * of entries dropped; @ret (may be NULL) gets the details.
 */
size_t pv_maint_prune(const struct pv_env *env, struct pv_reader *r,
		      struct pv_prune_result *ret);

#endif
