// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_ref: the minimal scheduler hook the overhead benchmark compares
 * procview against. It does the least any per-container CPU accounting must
 * do on every context switch — find the outgoing task's cgroup and bump a
 * per-CPU counter for it — and nothing else. Loaded only by bench/refload;
 * the daemon never uses it.
 *
 * The key is the cgroup id of the hierarchy that holds CPU accounting, as
 * procview keys its own maps (DESIGN.md): the v2 id on pure cgroup v2, the
 * v1 cpuacct hierarchy's id otherwise. refload sets use_v1_cpuacct before
 * load, so the reference pays the same lookup procview must pay.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile bool use_v1_cpuacct = false;

/* Per-CPU values: each CPU bumps its own slot, so no atomics are needed. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);     /* cgroup id (the cgroup directory's inode) */
	__type(value, __u64);   /* context switches away from that cgroup */
} ref_switches SEC(".maps");

/*
 * tp_btf hands us a trusted task pointer, so the walk is plain loads the
 * verifier turns into fault-safe ones, no helper calls: the cheapest way to
 * reach the v1 cpuacct cgroup.
 */
static __always_inline __u64 cpuacct_cgroup_id(struct task_struct *t)
{
	int idx = bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id);
	struct cgroup_subsys_state *css;

	if (idx < 0 || idx >= CGROUP_SUBSYS_COUNT)
		return 0;
	css = t->cgroups->subsys[idx];
	if (!css)
		return 0;
	return css->cgroup->kn->id;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ref_sched_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	__u64 one = 1, *v, id;

	/* At sched_switch "current" is still @prev. */
	id = use_v1_cpuacct ? cpuacct_cgroup_id(prev) : bpf_get_current_cgroup_id();
	v = bpf_map_lookup_elem(&ref_switches, &id);
	if (v) {
		(*v)++;
		return 0;
	}
	/* First switch of this cgroup; losing a race here costs one count. */
	bpf_map_update_elem(&ref_switches, &id, &one, BPF_NOEXIST);
	return 0;
}
