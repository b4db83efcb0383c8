// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/meminfo.c
/*
 * Host /proc/meminfo text + memory cgroup figures -> the container's view
 * and rendering. The first 64 bytes are eight u64 cgroup figures (limit,
 * usage, swap limit, swap usage, file, active_file, inactive_file,
 * slab_reclaimable), the rest is the host text. Invariants (meminfo.h):
 * MemFree <= MemAvailable <= MemTotal, SwapFree <= SwapTotal, MemTotal no
 * larger than the host's, the rendering NUL-terminated.
 */
#include "meminfo.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem_cg m = { 0 };
	__u64 f[8] = { 0 };
	struct mem_view *v = malloc(sizeof(*v));
	struct buf out = BUF_INIT;
	char *text;
	__u64 host_total = 0;
	int r;

	if (!v)
		abort();
	if (size >= sizeof(f)) {
		memcpy(f, data, sizeof(f));
		data += sizeof(f);
		size -= sizeof(f);
	}
	text = fz_text(data, size);
	m.limit = f[0]; m.usage = f[1]; m.swap_limit = f[2]; m.swap_usage = f[3];
	m.file = f[4]; m.active_file = f[5]; m.inactive_file = f[6];
	m.slab_reclaimable = f[7];

	(void)pv_meminfo_host_kb(text, "SwapTotal", &host_total);
	host_total = 0;
	r = pv_meminfo_host_kb(text, "MemTotal", &host_total);
	if (pv_mem_view_build(text, &m, v) == 0) {
		const __u64 *kb = v->kb;

		fz_check(r == 0, "view built without a host MemTotal (%d)", r);
		fz_check(kb[PV_MEM_MemTotal] <= host_total, "MemTotal %llu > host %llu",
			 (unsigned long long)kb[PV_MEM_MemTotal], (unsigned long long)host_total);
		fz_check(kb[PV_MEM_MemFree] <= kb[PV_MEM_MemAvailable] &&
			 kb[PV_MEM_MemAvailable] <= kb[PV_MEM_MemTotal],
			 "free %llu avail %llu total %llu", (unsigned long long)kb[PV_MEM_MemFree],
			 (unsigned long long)kb[PV_MEM_MemAvailable], (unsigned long long)kb[PV_MEM_MemTotal]);
		fz_check(kb[PV_MEM_SwapFree] <= kb[PV_MEM_SwapTotal], "swapfree %llu > swaptotal %llu",
			 (unsigned long long)kb[PV_MEM_SwapFree], (unsigned long long)kb[PV_MEM_SwapTotal]);
		r = render_meminfo(v, &out);
		fz_check(r <= 0, "r=%d", r);
		if (r == 0 && out.len)
			fz_check(strlen(out.data) == out.len, "len %zu strlen %zu", out.len, strlen(out.data));
	}
	buf_free(&out);
	free(v);
	free(text);
	return 0;
}
