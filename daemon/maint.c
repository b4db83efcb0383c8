// SPDX-License-Identifier: GPL-2.0-only
#include <malloc.h>

#include "fdcache.h"
#include "maint.h"

size_t pv_maint_prune(const struct pv_env *env, struct pv_reader *r,
		      struct pv_prune_result *ret)
{
	struct pv_prune_result res = { 0 };

	res.stat_dropped = pv_stat_state_prune(env, &res.err);
	if (r)
		res.reader_dropped = pv_reader_prune(r);
	res.fds_closed = pv_fdcache_prune(PV_FDCACHE_IDLE);
	/* Freed entries sit in the allocator's free lists: give the pages
	   back, so RSS follows the live containers too. */
	if (res.stat_dropped + res.reader_dropped)
		malloc_trim(0);
	if (ret)
		*ret = res;
	return res.stat_dropped + res.reader_dropped;
}
