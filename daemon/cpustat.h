/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPU snapshot of one container (struct cpu_view) and the pure renderers of
 * /proc/stat and /proc/uptime over it. The collector (produce_stat.c) fills
 * raw per-CPU nanoseconds from the BPF maps (or cgroup files, degraded);
 * pv_cpu_view_build() turns them into per-vCPU USER_HZ ticks with the
 * invariants DESIGN.md lists (exact sums, monotonic, columns add up to the
 * time since start).
 */
#ifndef PV_CPUSTAT_H
#define PV_CPUSTAT_H

#include <linux/types.h>

#include "buf.h"
#include "cgroup.h"
#include "procview_maps.h"

#define PV_USER_HZ 100
#define PV_NS_PER_TICK (1000000000ULL / PV_USER_HZ)

/* /proc/stat cpu columns, in the kernel's order. */
enum pv_stat_col {
	PV_COL_USER, PV_COL_NICE, PV_COL_SYSTEM, PV_COL_IDLE, PV_COL_IOWAIT,
	PV_COL_IRQ, PV_COL_SOFTIRQ, PV_COL_STEAL, PV_COL_GUEST, PV_COL_GUEST_NICE,
	PV_NCOLS_MAX,
};

struct cpu_view {
	int n;                 /* vCPUs: lines cpu0..cpu{n-1} */
	int ncols;             /* columns the host's cpu lines have (<= 10) */
	int intr_fields;       /* numbers on the host's intr line (>= 1) */
	int softirq_fields;    /* numbers on the host's softirq line (>= 1) */
	__u64 (*vcpu)[PV_NCOLS_MAX]; /* [n][col] in USER_HZ ticks */
	__u64 ctxt;
	__u64 btime;           /* epoch seconds the container started */
	__u64 processes;
	__u32 procs_running;
	__u32 procs_blocked;
};

struct uptime_view {
	__u64 uptime_cs;       /* container age, centiseconds */
	__u64 idle_cs;         /* sum of the vCPUs' idle, centiseconds */
};

/* Pure renderers: 0 or -errno (buf errors), nothing else touched. */
int render_stat(const struct cpu_view *v, struct buf *out);
int render_uptime(const struct uptime_view *v, struct buf *out);

/* Raw per-container counters, in ns, per physical CPU. */
struct pv_cpu_raw {
	int ncpus;                      /* length of percpu[] */
	struct pv_cpu_stat *percpu;     /* [ncpus] */
	__u64 start_boot_ns;            /* container start, CLOCK_BOOTTIME */
	__u64 now_boot_ns;
	__u64 now_real_ns;              /* CLOCK_REALTIME at the same moment */
};

/*
 * Share @total of something over @n vCPUs, exactly: vCPU @i gets
 * floor((total + n - 1 - i) / n), so the shares add up to @total and each
 * share is monotonic in @total.
 */
static inline __u64 pv_share(__u64 total, int n, int i)
{
	return total / (__u64)n + ((__u64)i < total % (__u64)n ? 1 : 0);
}

/*
 * High-water marks of one container, so no column ever goes backwards
 * even when a clamp is active (idle = time - used would otherwise dip),
 * and each vCPU's raw steal (ticks) already accounted for: steal grows by
 * the raw steal since then, at most by the time the other columns leave.
 */
struct pv_cpu_hwm {
	int n;
	__u64 (*vcpu)[PV_NCOLS_MAX];   /* [n][col], shown ticks */
	__u64 *steal_raw;              /* [n], raw steal ticks consumed */
	__u64 ctxt, processes;
};
void pv_cpu_hwm_free(struct pv_cpu_hwm *h);
/* Make room for @n vCPUs, all marks 0. 0, -EINVAL or -ENOMEM (@h untouched). */
int pv_cpu_hwm_reset(struct pv_cpu_hwm *h, int n);

/*
 * Build @v->vcpu (allocated, [cpus->n]) and @v->ctxt/processes/btime from
 * @raw for the vCPUs in @cpus. @hwm (may be NULL) is read and raised.
 * Returns 0 or -errno. Free with pv_cpu_view_free().
 */
int pv_cpu_view_build(const struct pv_cpu_raw *raw, const struct pv_cpus *cpus,
		      struct pv_cpu_hwm *hwm, struct cpu_view *v);
void pv_cpu_view_free(struct cpu_view *v);
/* uptime from the same numbers as /proc/stat. */
void pv_uptime_from_view(const struct cpu_view *v, const struct pv_cpu_raw *raw,
			 struct uptime_view *u);

/* Shape of the host /proc/stat text: cpu columns, intr and softirq fields. */
int pv_host_stat_shape(const char *text, int *ret_ncols, int *ret_intr, int *ret_softirq);

/* /proc/<pid>/stat text -> starttime (field 22) in clock ticks since boot. */
int pv_parse_pid_starttime(const char *text, __u64 *ret_ticks);
/* /proc/<pid>/stat text -> state letter (field 3). */
int pv_parse_pid_state(const char *text, char *ret_state);

struct pv_task_counts;
/*
 * Degraded procs_running/blocked: the thread lists of the container's
 * cgroup and its descendants (v1 "tasks", v2 "cgroup.threads") and each
 * /proc/<tid>/stat state: R = running, D = blocked.
 */
int pv_task_counts_files(const char *proc, const struct pv_cgroups *cg,
			 const struct pv_container *c, struct pv_task_counts *ret);

#endif
