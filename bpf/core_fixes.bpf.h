/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-difference shims, all in one place, chosen with CO-RE field/enum
 * existence checks (never LINUX_VERSION_CODE).
 */
#ifndef PV_CORE_FIXES_BPF_H
#define PV_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * task_struct::state was renamed __state in 5.14 (commit 2f064a59a11f
 * "sched: Change task_struct::state"). Older kernels have 'long state'.
 */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline unsigned int pv_task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (unsigned int)BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/*
 * Subsystem ids are an enum whose values depend on the kernel config
 * (cgroup_subsys_id); read them through CO-RE, -1 when not built in.
 */
static __always_inline int pv_cpuacct_ssid(void)
{
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id))
		return bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id);
	return -1;
}

static __always_inline int pv_cpu_ssid(void)
{
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		return bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id);
	return -1;
}

#endif
