// SPDX-License-Identifier: GPL-2.0-only
/* TEMPORARY host passthrough until the BPF-backed /proc/stat and uptime land. */
#include "vfile.h"

int pv_produce_stat(const struct pv_env *env, const struct pv_container *c, struct buf *out) { return pv_produce_host_file(env, "stat", out); }
int pv_produce_uptime(const struct pv_env *env, const struct pv_container *c, struct buf *out) { return pv_produce_host_file(env, "uptime", out); }
