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
 * The /proc/stat state (daemon/produce_stat.c): the number of slots in use
 * (their ids, up to @max, into @out), and dropping the slots of removed
 * cgroups (one stat each; returns how many, *@ret_err why it could not).
 */
size_t pv_stat_state_cgids(__u64 *out, size_t max);
size_t pv_stat_state_prune(const struct pv_env *env, int *ret_err);

struct pv_prune_result {
	size_t stat_dropped;    /* /proc/stat slots of removed cgroups */
	size_t reader_dropped;  /* reader cache entries */
	size_t fds_closed;      /* kept-open files idle for PV_FDCACHE_IDLE s */
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
