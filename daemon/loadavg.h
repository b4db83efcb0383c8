/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-container load averages: the kernel's fixed-point algorithm applied to
 * every container every 5 s, state kept in a pinned map so it survives a
 * daemon restart.
 *
 * A sampler thread wakes on a timerfd at 5-s steps aligned to the last
 * sample time stored in the pinned state (so a restart neither loses nor
 * double-applies a sample) and runs bpf/loadavg.bpf.c's two iterators: one
 * pass over tasks counts every container at once, one pass over cgroups
 * applies calc_load in the kernel. Readers only look up pinned maps.
 */
#ifndef PV_LOADAVG_H
#define PV_LOADAVG_H

#include <linux/types.h>

#include "buf.h"
#include "env.h"
#include "procview_loadavg.h"

struct pv_loadavg;

/*
 * Open/pin the loadavg state under @env->pin_dir and start the sampler.
 * Returns 0 or -errno (no BPF, no pin dir...); the caller logs and serves
 * the degraded line (see pv_produce_loadavg).
 */
int pv_loadavg_start(const struct pv_env *env, struct pv_loadavg **ret);
void pv_loadavg_stop(struct pv_loadavg *l);   /* NULL-safe; keeps pins */

/*
 * The state of the cgroup with id @cgid in the CPU-accounting hierarchy:
 * averages and the task counts of the last sample. -ENOENT before the first
 * sample that saw the cgroup. Thread-safe (one map lookup).
 */
int pv_loadavg_lookup(struct pv_loadavg *l, __u64 cgid,
		      struct pv_load_state *ret);

/*
 * Last pid allocated in the pid namespace with inode @pidns_inum, as
 * numbered there. -ENOENT if unknown (no task seen there yet). Thread-safe.
 */
int pv_loadavg_lastpid(struct pv_loadavg *l, __u32 pidns_inum, int *ret);

/* Passes run since start (tests and benchmarks watch it move). */
__u64 pv_loadavg_passes(struct pv_loadavg *l);

/* What /proc/loadavg shows for one container (filled by the producer). */
struct loadavg_view {
	__u64 avenrun[3];   /* fixed point, FSHIFT 11: 1, 5, 15 minutes */
	__u32 nr_running;   /* the container's runnable tasks */
	__u32 nr_threads;   /* the container's tasks (threads) */
	int last_pid;       /* last pid allocated, as numbered for the reader */
};

/*
 * Render @v as the kernel's fs/proc/loadavg.c does:
 * "%lu.%02lu %lu.%02lu %lu.%02lu %u/%u %d\n". Pure. 0 or -errno.
 */
int render_loadavg(const struct loadavg_view *v, struct buf *out);

#endif
