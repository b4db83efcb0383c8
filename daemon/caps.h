/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The capabilities procviewd needs, checked at start against the effective
 * set so a missing one is one clear line naming it, not EIO on every read
 * later. docs-capabilities.md explains each.
 */
#ifndef PV_CAPS_H
#define PV_CAPS_H

#include <stddef.h>

struct pv_cap {
	int nr;               /* CAP_* number (linux/capability.h) */
	const char *name;     /* "CAP_SYS_ADMIN" */
	int required;         /* 1: cannot serve without it */
	const char *why;      /* what needs it / what degrades without it */
};

extern const struct pv_cap pv_caps[];
extern const size_t pv_ncaps;

/* CapEff of /proc/<pid>/status text. 0 or -EINVAL. Pure. */
int pv_caps_parse_eff(const char *status_text, unsigned long long *ret);

/* Does @eff hold capability @nr? */
int pv_caps_has(unsigned long long eff, int nr);

/*
 * The entries of pv_caps[] that @eff lacks, in table order, required ones
 * only or optional ones only: up to @max into @ret; returns how many lack.
 * An optional capability whose work another capability in @eff already
 * allows (CAP_BPF and CAP_PERFMON, both implied by CAP_SYS_ADMIN for
 * bpf() and perf) is not missing. With @use_bpf 0 the BPF ones never are.
 */
size_t pv_caps_missing(unsigned long long eff, int required, int use_bpf,
		       const struct pv_cap **ret, size_t max);

#endif
