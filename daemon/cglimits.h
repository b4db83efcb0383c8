/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cgroup files of a container, read through the hierarchy dirfds of a
 * struct pv_cgroups (pv_cgroups_open first), and the limits that follow
 * from them: the tightest value along the path to the root, the effective
 * cpuset, the CFS quota. Collectors call these; nothing here logs. Every
 * function returns 0 (or a byte count) or -errno and writes its ret_*
 * outputs only on success:
 *   -ENOENT  the container's cgroup directory is gone (or a required file)
 *   -ENODEV  no hierarchy holds the controller
 *   -EINVAL / -ERANGE  a file did not parse (see cgparse.h)
 * Limits are NOT clamped to the host's figures: the caller knows those
 * (MemTotal, SwapTotal) and takes min(host, limit).
 */
#ifndef PV_CGLIMITS_H
#define PV_CGLIMITS_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "buf.h"
#include "cgparse.h"
#include "cgroup.h"

/*
 * v1 writes "unlimited" as LONG_MAX rounded down to a page
 * (9223372036854771712 with 4 KiB pages); any value this large is treated
 * as PV_UNLIMITED by the limit helpers.
 */
#define PV_CG_HUGE ((__u64)0x7fffffffff000000ULL)

/* "/" -> ".", "/a/b" -> "a/b": a path usable relative to a hierarchy dirfd. */
int pv_cg_relpath(const char *cgpath, char *dst, size_t cap);

/* Index into cg->h[] of the hierarchy holding @ctrl, or -ENODEV. */
int pv_cg_hier(const struct pv_cgroups *cg, enum pv_ctrl ctrl);

/* 1 if @ctrl lives on cgroup2 (v2 file names), 0 on v1, -ENODEV if absent. */
int pv_cg_is_v2(const struct pv_cgroups *cg, enum pv_ctrl ctrl);

/*
 * Read file @name of container @c's cgroup in the hierarchy holding @ctrl
 * into @dst (NUL-terminated). Returns the byte count or -errno.
 */
/*
 * Reads of a container's own directory go through its inode when the
 * container carries it (c->ino[], from the kernel at open or the handle's
 * identity): such a read is of that cgroup, never of one made again under
 * the same name. pv_cg_verified() tells, per hierarchy (1u << index into
 * cg->h[]), which were read only that way by this thread since
 * pv_cg_verified_reset(); the FUSE layer then needs no stat to know the
 * rendering is of the handle's own cgroup.
 */
void pv_cg_verified_reset(void);
unsigned int pv_cg_verified(void);
/* A figure of hierarchy @idx came from the kernel for the identity's inode
   itself (no path involved): as a read through the inode. */
void pv_cg_note_read_by_ino(int idx);

ssize_t pv_cg_read(const struct pv_cgroups *cg, const struct pv_container *c,
		   enum pv_ctrl ctrl, const char *name, char *dst, size_t cap);

/* Same, appending to a growable buffer (io.stat, memory.stat). 0 or -errno. */
int pv_cg_read_buf(const struct pv_cgroups *cg, const struct pv_container *c,
		   enum pv_ctrl ctrl, const char *name, struct buf *out);

/* One u64 file of the container itself ("max"/-1 -> PV_UNLIMITED). */
int pv_cg_read_u64(const struct pv_cgroups *cg, const struct pv_container *c,
		   enum pv_ctrl ctrl, const char *name, __u64 *ret);

/* Key @key of a flat keyed file (memory.stat, cpu.stat) of the container. */
int pv_cg_read_keyed(const struct pv_cgroups *cg, const struct pv_container *c,
		     enum pv_ctrl ctrl, const char *name, const char *key,
		     __u64 *ret);

/*
 * Smallest value of u64 file @name along the path from the container to the
 * root of the hierarchy holding @ctrl. Levels without the file are skipped
 * (v2 root, controller not enabled there); no file anywhere, "max", -1 or a
 * value >= PV_CG_HUGE give PV_UNLIMITED.
 */
int pv_cg_tightest_u64(const struct pv_cgroups *cg, const struct pv_container *c,
		       enum pv_ctrl ctrl, const char *name, __u64 *ret);

/* Effective memory limit in bytes: v2 memory.max, v1 memory.limit_in_bytes. */
int pv_cg_mem_limit(const struct pv_cgroups *cg, const struct pv_container *c,
		    __u64 *ret);

/*
 * Swap the container may use, in bytes: v2 memory.swap.max (tightest);
 * v1 tightest memory.memsw.limit_in_bytes minus the effective memory limit
 * (Docker's --memory-swap), 0 if memsw <= memory. PV_UNLIMITED when not
 * limited (also when swap accounting is off: no memsw files).
 */
int pv_cg_swap_limit(const struct pv_cgroups *cg, const struct pv_container *c,
		     __u64 *ret);

/*
 * Both limits at once, as pv_cg_mem_limit + pv_cg_swap_limit. @memory_stat
 * is the container's memory.stat text when the caller read it already (or
 * NULL): on v1 its hierarchical_memory_limit / hierarchical_memsw_limit
 * lines are the kernel's own tightest-along-the-path figures, which saves
 * walking the tree (no hierarchical_memsw_limit: swap not accounted,
 * PV_UNLIMITED). Without those lines, and on v2, the files are walked.
 */
int pv_cg_mem_limits(const struct pv_cgroups *cg, const struct pv_container *c,
		     const char *memory_stat, __u64 *ret_mem, __u64 *ret_swap);

/* Memory in use, bytes: v2 memory.current, v1 memory.usage_in_bytes. */
int pv_cg_mem_usage(const struct pv_cgroups *cg, const struct pv_container *c,
		    __u64 *ret);

/*
 * Swap in use, bytes: v2 memory.swap.current; v1 memsw.usage - usage
 * (0 if below). -ENOENT when the kernel does not account swap.
 */
int pv_cg_swap_usage(const struct pv_cgroups *cg, const struct pv_container *c,
		     __u64 *ret);

/*
 * Effective cpuset (ascending physical ids): v2 cpuset.cpus.effective, v1
 * cpuset.effective_cpus else cpuset.cpus, walking up while the file is
 * missing or empty; 0..host_ncpus-1 without a cpuset controller or when
 * even the root gives nothing. -ERANGE when more than @max CPUs.
 */
int pv_cg_cpuset(const struct pv_cgroups *cg, const struct pv_container *c,
		 int host_ncpus, int *cpus, int max, int *ret_n);

/*
 * CFS bandwidth limit: the quota/period pair with the smallest ratio along
 * the path (v2 cpu.max, v1 cpu.cfs_quota_us + cpu.cfs_period_us).
 * *ret_quota_us = -1 (and period 100000) when no level sets a quota or
 * there is no cpu controller.
 */
int pv_cg_cpu_quota(const struct pv_cgroups *cg, const struct pv_container *c,
		    __s64 *ret_quota_us, __u64 *ret_period_us);

/*
 * Per-device I/O of the container: v2 io.stat (recursive by nature), v1
 * blkio.throttle.io_service_bytes_recursive + io_serviced_recursive
 * (falling back to the non-recursive files on old kernels). -ENODEV when
 * no hierarchy holds the io/blkio controller. @ret_n written on success.
 */
int pv_cg_io(const struct pv_cgroups *cg, const struct pv_container *c,
	     struct pv_io_dev *devs, int max, int *ret_n);

#endif
