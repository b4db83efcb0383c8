/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The loadavg sampler without BPF (--no-bpf, or BPF unavailable): the same
 * calc_load arithmetic every 5 s, over the containers that have read
 * /proc/loadavg at least once, counting their tasks through the cgroup task
 * lists and /proc/<tid>/stat. Its cost grows with those containers' tasks
 * (per-task syscalls), which is why it is only the fallback; its state lives
 * in memory, so a container's averages start from 0 at its first read after
 * a daemon start, as the kernel's do at boot, and never show the host's.
 * Used through daemon/loadavg.h only.
 */
#ifndef PV_LOADAVG_FILES_H
#define PV_LOADAVG_FILES_H

#include <linux/types.h>

#include "env.h"
#include "procview_loadavg.h"

struct pv_loadavg_files;

int pv_loadavg_files_start(const struct pv_env *env, struct pv_loadavg_files **ret);
void pv_loadavg_files_stop(struct pv_loadavg_files *f);   /* NULL-safe */

/* Follow container @c from now on (no-op when followed or table full). */
void pv_loadavg_files_track(struct pv_loadavg_files *f, const struct pv_container *c);

/* The followed container's averages and counts; -ENOENT before its first sample. */
int pv_loadavg_files_lookup(struct pv_loadavg_files *f, __u64 cgid,
			    struct pv_load_state *ret);

__u64 pv_loadavg_files_passes(struct pv_loadavg_files *f);

#endif
