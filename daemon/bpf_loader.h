/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Owner of the BPF skeleton lifecycle: open -> rodata -> load -> pin/attach,
 * or re-open the pinned maps and links a previous daemon left behind.
 */
#ifndef PV_BPF_LOADER_H
#define PV_BPF_LOADER_H

#include <linux/types.h>

#include "cgroup.h"
#include "procview_maps.h"

#define PV_DEFAULT_PIN_DIR "/sys/fs/bpf/procview"

struct pv_bpf;

struct pv_bpf_opts {
	const char *pin_dir;           /* PV_DEFAULT_PIN_DIR unless --bpf-pin-dir */
	const struct pv_cgroups *cg;   /* picks the CPU-accounting hierarchy */
};

/*
 * Returns 0 or -errno; on error the daemon runs degraded (logged by caller).
 * Maps are pinned as <pin_dir>/<map name>, links as <pin_dir>/link_*; a
 * previous daemon's pins with the same layout are reused (counters go on),
 * others are removed with a log line and made afresh.
 */
int pv_bpf_open(const struct pv_bpf_opts *o, struct pv_bpf **ret);
/*
 * For inspection tools (procviewctl): open the maps a running daemon pinned
 * in @pin_dir read-only (BPF_F_RDONLY). Never loads, attaches, unpins or
 * writes: the pins, links and pv_meta stay exactly as the daemon left them.
 * The handle reads counters like the daemon's; its writers (start
 * estimates, high-water marks, forget) do nothing and task counts come
 * from /proc. 0, -ENOENT (no pins), -EPROTO (another layout) or -errno.
 */
int pv_bpf_open_pinned(const char *pin_dir, struct pv_bpf **ret);
void pv_bpf_close(struct pv_bpf *b);            /* NULL-safe; keeps pins */
/*
 * procviewd --cleanup: unlink procview's own pins in @pin_dir (accounting
 * maps and links, loadavg state), then the directory if nothing else is
 * left in it. Refuses (-EINVAL, logged) a directory without procview's meta
 * pins; 0 when @pin_dir does not exist.
 */
int pv_bpf_remove_pins(const char *pin_dir);

struct pv_task_counts {
	__u32 running;   /* TASK_RUNNING now (procs_running) */
	__u32 blocked;   /* TASK_UNINTERRUPTIBLE, not NOLOAD (procs_blocked) */
	__u32 threads;   /* all tasks */
};

/*
 * Count container @c's tasks, nested cgroups included, right now. The cost
 * grows with the container's tasks, not the host's. @cgfd: the container's
 * directory in the CPU-accounting hierarchy when the caller has it open,
 * else -1 (opened here). 0 or -errno: -ENOTSUP
 * with @b == NULL, -E2BIG when more than 4096 of its cgroups hold tasks.
 * On an error the caller counts from the cgroup files itself
 * (pv_task_counts_files with its own /proc root).
 */
int pv_bpf_task_counts(struct pv_bpf *b, const struct pv_cgroups *cg,
		       const struct pv_container *c, int cgfd, struct pv_task_counts *ret);

/* Possible CPUs: length of the per-CPU arrays below. */
int pv_bpf_ncpus(const struct pv_bpf *b);

/*
 * Add cgroup @cgid's per-CPU counters (its own and its removed
 * descendants') into @acc[0..ncpus-1]. Absent entries add nothing. 0/-errno.
 */
int pv_bpf_cpu_add(struct pv_bpf *b, __u64 cgid, struct pv_cpu_stat *acc);

/* Creation time of @cgid: 0, -ENOENT (not known) or -errno. */
int pv_bpf_start_get(struct pv_bpf *b, __u64 cgid, struct pv_cg_start *ret);
/* Record an estimated start unless one exists (a real mkdir wins). */
int pv_bpf_start_set(struct pv_bpf *b, __u64 cgid, __u64 boot_ns);

/*
 * Persisted high-water marks of container @cgid (pinned pv_hwm map): load
 * @n vCPUs into @h (zeros where none stored; @h->vcpu is (re)allocated),
 * store @h back. 0 or -errno.
 */
struct pv_cpu_hwm;
int pv_bpf_hwm_load(struct pv_bpf *b, __u64 cgid, int n, struct pv_cpu_hwm *h);
int pv_bpf_hwm_store(struct pv_bpf *b, __u64 cgid, const struct pv_cpu_hwm *h);

/*
 * Drop what the daemon itself wrote for @cgid (estimated start, marks):
 * for a cgroup removed while a read of it was in flight, after the rmdir
 * program already cleaned up.
 */
int pv_bpf_forget(struct pv_bpf *b, __u64 cgid);

/* Inserts the BPF side refused because a map was full (logged once). */
__u64 pv_bpf_dropped(struct pv_bpf *b);

#endif
