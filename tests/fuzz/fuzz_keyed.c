// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/cgparse.c
/*
 * Flat keyed files: memory.stat (v1 and v2), cpu.stat, memory.events...
 * The first byte picks the key so prefixes and look-alikes are exercised
 * ("file" vs "file_mapped", "total_rss" vs "rss"). Output untouched on error.
 */
#include "cgparse.h"
#include "fuzz_util.h"

static const char *const keys[] = {
	"anon", "file", "file_mapped", "file_dirty", "file_writeback", "shmem",
	"slab", "slab_reclaimable", "slab_unreclaimable", "active_anon",
	"inactive_anon", "active_file", "inactive_file", "cache", "rss",
	"total_rss", "total_cache", "hierarchical_memory_limit",
	"hierarchical_memsw_limit", "usage_usec", "user_usec", "system_usec",
	"nr_throttled", "throttled_usec", "throttled_time", "swap", "",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *key = keys[size ? data[0] % (sizeof(keys) / sizeof(keys[0])) : 0];
	char *text = fz_text(size ? data + 1 : data, size ? size - 1 : 0);
	__u64 v = 0xa5a5a5a5a5a5a5a5ULL;
	int r = pv_parse_keyed_u64(text, key, &v);

	if (r != 0) {
		fz_check(r < 0, "r=%d", r);
		fz_check(v == 0xa5a5a5a5a5a5a5a5ULL, "output written on error %d", r);
	}
	free(text);
	return 0;
}
