/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Types shared by bpf/ and daemon/: map keys and values, enums and the pin
 * layout version. Self-contained: fixed-width __u32/__u64/__s64 only, no
 * pointers, long or bool; fields largest first; sizes asserted.
 */
#ifndef PROCVIEW_MAPS_H
#define PROCVIEW_MAPS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Bump on any incompatible change to a pinned map's key, value or type. */
#define PV_LAYOUT_VERSION 5

/* Bounded map sizes: the daemon logs once when an insert was dropped. */
#define PV_MAX_CGROUPS 16384

/* Highest CPU id the BPF programs loop over (rmdir fold). */
#define PV_BPF_MAX_CPUS 1024

/*
 * Map names (also their pin file names under the pin directory).
 *   pv_cpu      PERCPU_HASH  cgroup id -> struct pv_cpu_stat: the cgroup's
 *                            own tasks, per CPU.
 *   pv_cpu_dead PERCPU_HASH  cgroup id -> struct pv_cpu_stat: everything
 *                            its removed descendants counted (folded at
 *                            rmdir so a parent's totals never go back).
 *   pv_start    HASH         cgroup id -> struct pv_cg_start.
 *   pv_task     TASK_STORAGE per-task last-seen counters (private).
 *   pv_meta     ARRAY[1]     struct pv_meta.
 *   pv_hwm      HASH         struct pv_hwm_key -> struct pv_hwm (daemon).
 * Link pins: link_runtime, link_fork, link_mkdir, link_rmdir.
 */

/* Per cgroup, per CPU, since the programs were attached. */
struct pv_cpu_stat {
	__u64 user_ns;     /* runtime split by the task's own user ticks */
	__u64 nice_ns;     /* user time of tasks with nice > 0 */
	__u64 system_ns;   /* runtime split by the task's system ticks */
	__u64 steal_ns;    /* run-queue wait (sched_info.run_delay deltas) */
	__u64 ctxt;        /* context switches (nvcsw + nivcsw deltas) */
	__u64 forks;       /* clone()s whose child starts in the cgroup */
};
_Static_assert(sizeof(struct pv_cpu_stat) == 48, "pv_cpu_stat layout");

struct pv_cg_start {
	__u64 boot_ns;     /* CLOCK_BOOTTIME ns when the cgroup was made */
	__u64 flags;       /* PV_START_* */
};
_Static_assert(sizeof(struct pv_cg_start) == 16, "pv_cg_start layout");

#define PV_START_MKDIR    1  /* seen by the cgroup_mkdir program */
#define PV_START_ESTIMATE 2  /* filled by the daemon: earliest task start */

struct pv_task_state {
	__u64 utime;       /* last seen task->utime */
	__u64 stime;       /* last seen task->stime */
	__u64 nsw;         /* last seen nvcsw + nivcsw */
	__u64 run_delay;   /* last seen sched_info.run_delay */
	__u32 sys_frac;    /* system share of recent ticks, 1/1024 units */
	__u32 seen;        /* 1 once the fields above are initialised */
};
_Static_assert(sizeof(struct pv_task_state) == 40, "pv_task_state layout");

struct pv_meta {
	__u64 dropped;     /* inserts refused because a map was full */
	__u64 hier_id;     /* hierarchy id the programs key by (0 = v2) */
	__u64 prog_hash;   /* hash of the BPF object the pinned links run */
	__u32 layout;      /* PV_LAYOUT_VERSION of whoever made the pins */
	__u32 ssid;        /* v1 subsystem id read, or 0 on v2 */
};
_Static_assert(sizeof(struct pv_meta) == 32, "pv_meta layout");

/*
 * pv_hwm (HASH, written by the daemon): the highest value each /proc/stat
 * column of each vCPU of a container has shown, so a restarted daemon
 * never shows less (idle and capped steal are not monotonic functions of
 * the raw counters), and the raw steal each vCPU has already accounted
 * for. vcpu PV_HWM_TOTALS holds ctxt (col 0) and processes (col 1). The
 * rmdir program deletes a cgroup's entries. A container has at most
 * min(CPUs, PV_HWM_MAX_VCPUS) + 1 entries: the loader sizes the map to
 * PV_MAX_CGROUPS times that (pv_hwm_max_entries).
 */
#define PV_HWM_MAX_VCPUS 256
#define PV_HWM_TOTALS 0xffffffffu
#define PV_HWM_COLS 10

struct pv_hwm_key {
	__u64 cgid;
	__u32 vcpu;
	__u32 pad;
};
_Static_assert(sizeof(struct pv_hwm_key) == 16, "pv_hwm_key layout");

struct pv_hwm {
	__u64 cols[PV_HWM_COLS]; /* USER_HZ ticks, /proc/stat column order */
	__u64 steal_raw;         /* raw steal ticks accounted for (0 in totals) */
};
_Static_assert(sizeof(struct pv_hwm) == 88, "pv_hwm layout");

/* Entries pv_hwm needs for PV_MAX_CGROUPS containers on @ncpus CPUs. */
static inline __u32 pv_hwm_max_entries(__u32 ncpus)
{
	__u32 per = (ncpus < PV_HWM_MAX_VCPUS ? ncpus : PV_HWM_MAX_VCPUS) + 1;

	return PV_MAX_CGROUPS * per;
}

/* Output record of the task-count iterator, one per visited cgroup. */
struct pv_task_count_rec {
	__u32 running;
	__u32 blocked;
	__u32 threads;
	__u32 pad;
};
_Static_assert(sizeof(struct pv_task_count_rec) == 16, "pv_task_count_rec layout");

#endif
