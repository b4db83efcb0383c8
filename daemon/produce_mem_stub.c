// SPDX-License-Identifier: GPL-2.0-only
/* TEMPORARY host passthrough until the cgroup-layer producers land. */
#include "vfile.h"

int pv_produce_meminfo(const struct pv_env *env, const struct pv_container *c, struct buf *out) { return pv_produce_host_file(env, "meminfo", out); }
int pv_produce_cpuinfo(const struct pv_env *env, const struct pv_container *c, struct buf *out) { return pv_produce_host_file(env, "cpuinfo", out); }
int pv_produce_swaps(const struct pv_env *env, const struct pv_container *c, struct buf *out) { return pv_produce_host_file(env, "swaps", out); }
int pv_produce_diskstats(const struct pv_env *env, const struct pv_container *c, struct buf *out) { return pv_produce_host_file(env, "diskstats", out); }
int pv_produce_cpu_online(const struct pv_env *env, const struct pv_container *c, struct buf *out) { buf_puts(out, "0\n"); return buf_error(out); }
