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
 * Start the sampler. With @use_bpf: open/pin the state under @env->pin_dir
 * and sample in BPF; when that fails (or without @use_bpf: --no-bpf), fall
 * back to the file sampler of loadavg_files.h. Returns 0 or -errno (no
 * CPU-accounting hierarchy, no memory...); then the caller logs and
 * /proc/loadavg shows 0.00 averages (see pv_produce_loadavg).
 */
int pv_loadavg_start(const struct pv_env *env, int use_bpf, struct pv_loadavg **ret);
void pv_loadavg_stop(struct pv_loadavg *l);   /* NULL-safe; keeps pins */

/* 1 when the averages come from BPF (pinned, all containers). */
int pv_loadavg_is_bpf(const struct pv_loadavg *l);

/*
 * Reader of container @c: the file sampler follows the containers that
 * read (no-op with BPF, which samples every cgroup). Thread-safe.
 */
void pv_loadavg_track(struct pv_loadavg *l, const struct pv_container *c);

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

/* A container's tasks counted from cgroup task lists and /proc/<tid>/stat. */
struct pv_load_tally {
	__u32 running;     /* state R */
	__u32 active;      /* R + D: what calc_load counts */
	__u32 threads;     /* live tasks (not zombies) */
	int max_nspid;     /* highest pid at depth nspid_level, if want_nspid */
	int want_nspid;
	int nspid_level;   /* pid-namespace depth of the reader */
};

/*
 * Count the tasks of cgroup @cgpath (in the CPU-accounting hierarchy) and
 * of its descendants into @t. -ENOENT when the cgroup is gone. Cost grows
 * with the tasks (syscalls per task): fallback paths only.
 */
int pv_loadavg_tally(const struct pv_env *env, const char *cgpath, struct pv_load_tally *t);

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
