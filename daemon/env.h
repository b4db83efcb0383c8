/* SPDX-License-Identifier: GPL-2.0-only */
/* Daemon-wide, read-mostly context handed to every producer. */
#ifndef PV_ENV_H
#define PV_ENV_H

#include "cgroup.h"

struct pv_bpf;
struct pv_loadavg;

struct pv_env {
	const char *proc;       /* "/proc" (unit tests: a fixture dir) */
	const char *sys;        /* "/sys" */
	struct pv_cgroups cg;
	int cpu_quota_view;     /* cleared by --no-cpu-quota-view */
	int host_ncpus;         /* CPUs the host has online */
	struct pv_bpf *bpf;     /* NULL: degraded, cgroup-file figures only */
	struct pv_loadavg *loadavg; /* NULL until the sampler runs */
	const char *pin_dir;    /* BPF pin directory */
};

#endif
