/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /proc/meminfo for a container, in three steps that tests drive one by one:
 *
 *   pv_collect_memcg()  cgroup files (v1 or v2) -> struct mem_cg (bytes)
 *   pv_mem_view_build() host meminfo text + mem_cg -> struct mem_view (kB)
 *   render_meminfo()    mem_view -> text with the host file's lines in order
 *
 * Only the first step touches the filesystem; the other two are pure.
 */
#ifndef PV_MEMINFO_H
#define PV_MEMINFO_H

#include <stddef.h>
#include <linux/types.h>

#include "buf.h"
#include "cgroup.h"
#include "env.h"

/* What the memory cgroup says, in bytes. PV_UNLIMITED for "no limit". */
struct mem_cg {
	int v2;
	__u64 limit;      /* tightest memory limit along the path */
	__u64 usage;      /* v2 memory.current, v1 memory.usage_in_bytes */
	__u64 swap_limit; /* swap the container may use (v1: memsw - mem) */
	__u64 swap_usage; /* swap in use (v1: memsw.usage - usage) */
	/* memory.stat (v1: the hierarchical total_* keys); absent keys = 0 */
	__u64 file, anon, shmem, file_mapped, file_dirty, file_writeback;
	__u64 swapcached, active_anon, inactive_anon, active_file, inactive_file;
	__u64 unevictable, slab_reclaimable, slab_unreclaimable;
	__u64 kernel_stack, pagetables, sec_pagetables, percpu;
	__u64 anon_thp, file_thp, shmem_thp, zswap, zswapped;
};

/* The meminfo lines that carry a container figure. */
enum pv_mem_field {
	PV_MEM_MemTotal,
	PV_MEM_MemFree,
	PV_MEM_MemAvailable,
	PV_MEM_Buffers,
	PV_MEM_Cached,
	PV_MEM_SwapCached,
	PV_MEM_Active,
	PV_MEM_Inactive,
	PV_MEM_ActiveAnon,
	PV_MEM_InactiveAnon,
	PV_MEM_ActiveFile,
	PV_MEM_InactiveFile,
	PV_MEM_Unevictable,
	PV_MEM_SwapTotal,
	PV_MEM_SwapFree,
	PV_MEM_Zswap,
	PV_MEM_Zswapped,
	PV_MEM_Dirty,
	PV_MEM_Writeback,
	PV_MEM_AnonPages,
	PV_MEM_Mapped,
	PV_MEM_Shmem,
	PV_MEM_KReclaimable,
	PV_MEM_Slab,
	PV_MEM_SReclaimable,
	PV_MEM_SUnreclaim,
	PV_MEM_KernelStack,
	PV_MEM_PageTables,
	PV_MEM_SecPageTables,
	PV_MEM_Percpu,
	PV_MEM_AnonHugePages,
	PV_MEM_ShmemHugePages,
	PV_MEM_FileHugePages,
	PV_MEM__COUNT,
};

/* meminfo key ("Active(anon)") of a field; NULL when out of range. */
const char *pv_mem_field_name(enum pv_mem_field f);

struct mem_view {
	const char *host_text; /* host meminfo: line order, keys, units */
	int passthrough;       /* render host_text unchanged (host reader) */
	__u64 kb[PV_MEM__COUNT];
};

/*
 * Collect the memory cgroup figures of @c through cglimits.h: limits are
 * the tightest along the path to the root (v1's huge "unlimited" values
 * normalised to PV_UNLIMITED). Missing swap files mean no swap accounting:
 * swap_limit unlimited, usage from v1 memory.stat total_swap or 0.
 * Returns 0, -ENODEV when no hierarchy holds the memory controller or @c
 * sits in its root (no container memory figures exist there), or -errno
 * of the limit/usage/stat file that could not be read or parsed.
 * @ret is written only on success.
 */
int pv_collect_memcg(const struct pv_cgroups *cg, const struct pv_container *c,
		     struct mem_cg *ret);

/*
 * Host figure @key ("MemTotal") in kB from meminfo text. 0 or -ENOENT /
 * -EINVAL / -ERANGE; @ret written only on success.
 */
/*
 * The memory.stat figures of @text into @m (v2 keys, or v1's hierarchical
 * total_* keys, falling back to the plain key on kernels without them).
 * Absent keys give 0; the first line of a key counts; a malformed value of
 * a key used gives -EINVAL. Pure.
 */
int pv_parse_memcg_stat(const char *text, int v2, struct mem_cg *m);

int pv_meminfo_host_kb(const char *host_text, const char *key, __u64 *ret);

/*
 * Build the container view: MemTotal = min(limit, host MemTotal);
 * MemFree = MemTotal - usage (>= 0); MemAvailable = MemFree + page cache on
 * the file LRUs + reclaimable slab, clamped to [MemFree, MemTotal];
 * SwapTotal = min(swap limit, host SwapTotal) (host SwapTotal when
 * unlimited), SwapFree = SwapTotal - swap in use (>= 0); the rest from
 * memory.stat. Pure; -EINVAL when host_text has no MemTotal.
 */
int pv_mem_view_build(const char *host_text, const struct mem_cg *m,
		      struct mem_view *ret);

/*
 * Every line of v->host_text in order, in the kernel's format
 * ("%-16s%8llu kB"). Lines with a container figure get v->kb[]; the
 * kernel constants VmallocTotal and Hugepagesize keep the host value;
 * every other line (host-wide figures with no container meaning such as
 * Committed_AS, HugePages_*, DirectMap*, and keys unknown to us) is 0, the
 * same way every time, so no host figure leaks into a container's file.
 * With v->passthrough the host text is copied unchanged. Pure.
 */
int render_meminfo(const struct mem_view *v, struct buf *out);

/*
 * Collector glue for producers: the view of @c over @host_text (the host's
 * meminfo, which must outlive @ret); a reader in no container, or a
 * container with no memory cgroup of its own, gets a passthrough view.
 */
int pv_collect_mem(const struct pv_env *env, const struct pv_container *c,
		   const char *host_text, struct mem_view *ret);

#endif
