/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Types shared by bpf/loadavg.bpf.c and daemon/loadavg.c: the per-cgroup
 * load-average state (pinned, survives daemon restarts), the per-pass task
 * counts and the per-pid-namespace last pid. Self-contained: fixed-width
 * types only, fields largest first, sizes asserted.
 */
#ifndef PROCVIEW_LOADAVG_H
#define PROCVIEW_LOADAVG_H

/*
 * Bump on any incompatible change of a pinned loadavg map (key, value or
 * meaning). Stored in loadavg_meta; a mismatch makes the daemon drop and
 * recreate the pinned loadavg maps instead of misreading them.
 */
#define PV_LOADAVG_LAYOUT 2

/* Pin names below the pin directory. */
#define PV_LOADAVG_PIN_STATE "loadavg_state"
#define PV_LOADAVG_PIN_META  "loadavg_meta"

#define PV_LOADAVG_MAX_CGROUPS 65536  /* state/count map capacity */
#define PV_LOADAVG_MAX_PIDNS   16384
#define PV_LOADAVG_MAX_DEPTH   32     /* cgroup ancestors walked per task */
#define PV_LOADAVG_MAX_PIDNS_LEVEL 32 /* kernel MAX_PID_NS_LEVEL */
/* Samples applied at once at most: EXP_15^(2^20) is 0 already. */
#define PV_LOADAVG_MAX_CATCHUP (1u << 20)

/*
 * loadavg_state: key = cgroup id (kernfs id = directory inode) in the
 * CPU-accounting hierarchy. avenrun[] is fixed point (FSHIFT 11) exactly as
 * the kernel keeps its own avenrun[]. gen = CLOCK_MONOTONIC ns of the pass
 * that last updated the entry (entries not refreshed by the newest pass
 * belong to removed cgroups and are deleted). applied = number of the last
 * sample (pv_load_meta.samples numbering) folded into avenrun[]: a pass
 * brings every entry up to its target sample, so a pass repeated after a
 * crash before meta was written applies nothing twice.
 */
struct pv_load_state {
	__u64 avenrun[3];
	__u64 gen;
	__u64 applied;
	__u32 nr_active;   /* running + uninterruptible at the last sample */
	__u32 nr_running;  /* TASK_RUNNING at the last sample */
	__u32 nr_threads;  /* all live tasks at the last sample */
	__u32 pad;
};
_Static_assert(sizeof(struct pv_load_state) == 56, "pv_load_state layout");

/* counts (not pinned): per pass, filled by the task iterator. */
struct pv_load_count {
	__u64 gen;         /* pass these counts belong to */
	__u32 nr_active;
	__u32 nr_running;
	__u32 nr_threads;
	__u32 pad;
};
_Static_assert(sizeof(struct pv_load_count) == 24, "pv_load_count layout");

/* loadavg_meta: single-entry array (key 0). */
struct pv_load_meta {
	__u64 layout;         /* PV_LOADAVG_LAYOUT */
	__u64 last_sample_ns; /* CLOCK_MONOTONIC of the last applied sample */
	__u64 samples;        /* samples due since the state was created */
	__u64 pad;
};
_Static_assert(sizeof(struct pv_load_meta) == 32, "pv_load_meta layout");

/* lastpid (not pinned): key = pid namespace inode number. */
struct pv_lastpid {
	__u64 gen;         /* pass or fork that last touched the entry */
	__s32 last_pid;    /* last pid allocated, as numbered in that ns */
	__u32 pad;
};
_Static_assert(sizeof(struct pv_lastpid) == 16, "pv_lastpid layout");

#endif
