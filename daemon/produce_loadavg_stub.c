// SPDX-License-Identifier: GPL-2.0-only
/* TEMPORARY host passthrough until the per-container loadavg lands. */
#include "vfile.h"

int pv_produce_loadavg(const struct pv_env *env, const struct pv_container *c, struct buf *out) { return pv_produce_host_file(env, "loadavg", out); }
