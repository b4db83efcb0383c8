/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Owner of the BPF skeleton lifecycle: open -> rodata -> load -> pin/attach,
 * or re-open the pinned maps and links a previous daemon left behind.
 */
#ifndef PV_BPF_LOADER_H
#define PV_BPF_LOADER_H

#include <linux/types.h>

#include "cgroup.h"

#define PV_DEFAULT_PIN_DIR "/sys/fs/bpf/procview"

struct pv_bpf;

struct pv_bpf_opts {
	const char *pin_dir;           /* PV_DEFAULT_PIN_DIR unless --bpf-pin-dir */
	const struct pv_cgroups *cg;   /* picks the CPU-accounting hierarchy */
};

/* Returns 0 or -errno; on error the daemon runs degraded (logged by caller). */
int pv_bpf_open(const struct pv_bpf_opts *o, struct pv_bpf **ret);
void pv_bpf_close(struct pv_bpf *b);            /* NULL-safe; keeps pins */
int pv_bpf_remove_pins(const char *pin_dir);    /* procviewd --cleanup */

struct pv_task_counts {
	__u32 running;   /* TASK_RUNNING now (procs_running) */
	__u32 blocked;   /* TASK_UNINTERRUPTIBLE, not NOLOAD (procs_blocked) */
	__u32 threads;   /* all tasks */
};

/*
 * Count container @c's tasks, nested cgroups included, right now. The cost
 * grows with the container's tasks, not the host's. 0 or -errno.
 */
int pv_bpf_task_counts(struct pv_bpf *b, const struct pv_cgroups *cg,
		       const struct pv_container *c, struct pv_task_counts *ret);

#endif
