/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-container load averages: the kernel's fixed-point algorithm applied to
 * every container every 5 s, state kept in a pinned map so it survives a
 * daemon restart.
 */
#ifndef PV_LOADAVG_H
#define PV_LOADAVG_H

#include "env.h"

struct pv_loadavg;

/* Open/pin the loadavg state under @env->pin_dir and start the sampler. */
int pv_loadavg_start(const struct pv_env *env, struct pv_loadavg **ret);
void pv_loadavg_stop(struct pv_loadavg *l);   /* NULL-safe; keeps pins */

#endif
