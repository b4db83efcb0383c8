// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-container load averages, computed in the kernel.
 *
 * Every 5 s the daemon runs two iterators, one after the other, in one
 * thread:
 *   1. count_tasks (iter/task): one pass over every task of the host; each
 *      live task adds to the counters of its CPU-accounting cgroup and of
 *      every ancestor below the root, so a container's figures include its
 *      nested cgroups. It also refreshes the last pid of the task's pid
 *      namespace.
 *   2. apply_load (iter/cgroup, descendants of the hierarchy root): one
 *      visit per existing cgroup; applies the kernel's calc_load to the
 *      cgroup's pinned averages with the counts of pass 1 (0 when the cgroup
 *      has no task), up to the pass's target sample, and stamps the entry
 *      with the pass generation.
 * The cost of a pass is one walk over tasks and one over cgroups inside the
 * kernel, no syscall per task or per container. Entries the newest pass did
 * not stamp belong to removed cgroups; the daemon deletes them after the
 * pass (batched), so cgroup churn leaves no state.
 *
 * The "last pid" /proc/loadavg shows inside a pid namespace is the kernel's
 * allocation cursor of that namespace minus one (fs/proc/loadavg.c prints
 * idr_get_cursor() - 1). on_fork (tp_btf/sched_process_fork) copies that
 * cursor for every namespace the child is numbered in (below the initial
 * one, whose readers get the host file); each pass copies it again for the
 * namespaces that have tasks. The cursor, not the child's own number: with
 * concurrent forks in one namespace the hook of an earlier child can run
 * after a later child got its number. Two hooks can still store in the
 * wrong order (each reads, then stores); the next fork or pass (5 s)
 * corrects that.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "procview_loadavg.h"
#include "daemon/calc_load.h"

char LICENSE[] SEC("license") = "GPL";

/* Set before load from struct pv_cgroups (which hierarchy keys the ids). */
const volatile int use_v2;       /* pure v2: key by task->cgroups->dfl_cgrp */
const volatile int use_cpuacct;  /* v1: cpuacct hierarchy, else cpu */

/* Written by the daemon (mmap'ed bss) before each pass; one writer. */
__u64 cur_gen;     /* CLOCK_MONOTONIC ns of the pass: generation stamp */
__u64 target;      /* every entry's averages end at this sample number */
__u32 ticks;       /* samples that became due with this pass (0: refresh) */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PV_LOADAVG_MAX_CGROUPS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct pv_load_state);
} loadavg_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pv_load_meta);
} loadavg_meta SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PV_LOADAVG_MAX_CGROUPS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct pv_load_count);
} loadavg_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PV_LOADAVG_MAX_PIDNS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct pv_lastpid);
} loadavg_lastpid SEC(".maps");

/* Kernels before 5.14 call task_struct.__state "state". */
struct task_struct___o {
	long state;
} __attribute__((preserve_access_index));

#define PV_TASK_RUNNING         0x0000
#define PV_TASK_UNINTERRUPTIBLE 0x0002
#define PV_TASK_NOLOAD          0x0400
#define PV_TASK_FROZEN          0x8000

static __always_inline unsigned int task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (unsigned int)BPF_CORE_READ((struct task_struct___o *)t, state);
}

/* The task's cgroup in the hierarchy whose ids key our maps. */
static __always_inline struct cgroup *task_cgroup(struct task_struct *t)
{
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cset = BPF_CORE_READ(t, cgroups);
	int ssid;

	if (!cset)
		return NULL;
	if (use_v2)
		return BPF_CORE_READ(cset, dfl_cgrp);
	ssid = use_cpuacct ? bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id)
			   : bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id);
	if (ssid < 0 || ssid >= 16)
		return NULL;
	bpf_core_read(&css, sizeof(css), &cset->subsys[ssid]);
	if (!css)
		return NULL;
	return BPF_CORE_READ(css, cgroup);
}

static __always_inline void count_add(__u64 id, __u32 active, __u32 running)
{
	struct pv_load_count *c = bpf_map_lookup_elem(&loadavg_counts, &id);

	if (!c) {
		struct pv_load_count z = { .gen = cur_gen };

		bpf_map_update_elem(&loadavg_counts, &id, &z, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&loadavg_counts, &id);
		if (!c)
			return; /* map full: this cgroup reads as idle */
	}
	if (c->gen != cur_gen) {
		/* First task of this pass: drop the previous pass's counts. */
		c->gen = cur_gen;
		c->nr_active = 0;
		c->nr_running = 0;
		c->nr_threads = 0;
	}
	/* Iterators run in the reading thread: no concurrent writer. */
	c->nr_active += active;
	c->nr_running += running;
	c->nr_threads += 1;
}

/* What the kernel prints as last pid inside @ns: its cursor minus one. */
static __always_inline void store_lastpid(struct pid_namespace *ns)
{
	__u32 inum = BPF_CORE_READ(ns, ns.inum);
	__s32 last = (__s32)BPF_CORE_READ(ns, idr.idr_next) - 1;
	struct pv_lastpid *lp = bpf_map_lookup_elem(&loadavg_lastpid, &inum);
	struct pv_lastpid v = { .gen = cur_gen, .last_pid = last };

	if (lp) {
		/* In place: no allocation on the fork path of a known ns. */
		lp->last_pid = last;
		lp->gen = cur_gen;
		return;
	}
	bpf_map_update_elem(&loadavg_lastpid, &inum, &v, BPF_ANY);
}

/* Refresh the last pid of the task's own pid namespace (and keep it). */
static __always_inline void touch_pidns(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	struct pid_namespace *ns;
	unsigned int level;

	if (!pid)
		return;
	level = BPF_CORE_READ(pid, level);
	if (level == 0 || level >= PV_LOADAVG_MAX_PIDNS_LEVEL)
		return; /* initial namespace: the host's /proc/loadavg has it */
	ns = BPF_CORE_READ(pid, numbers[level].ns);
	if (ns)
		store_lastpid(ns);
}

SEC("iter/task")
int count_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct cgroup *cg;
	unsigned int st;
	__u32 active, running;
	int i;

	if (!t)
		return 0;
	/* Zombies and dying tasks are neither threads nor load. */
	if (BPF_CORE_READ(t, exit_state))
		return 0;
	touch_pidns(t);

	/* nr_active as the kernel counts it: runnable + uninterruptible
	 * (task_contributes_to_load: not NOLOAD, not frozen). */
	st = task_state(t);
	running = st == PV_TASK_RUNNING;
	active = running || ((st & PV_TASK_UNINTERRUPTIBLE) &&
			     !(st & (PV_TASK_NOLOAD | PV_TASK_FROZEN)));

	cg = task_cgroup(t);
	for (i = 0; i < PV_LOADAVG_MAX_DEPTH && cg; i++) {
		struct cgroup_subsys_state *parent;

		if (BPF_CORE_READ(cg, level) <= 0)
			break; /* the root is the host: not a container */
		count_add(BPF_CORE_READ(cg, kn, id), active, running);
		parent = BPF_CORE_READ(cg, self.parent);
		cg = parent ? BPF_CORE_READ(parent, cgroup) : NULL;
	}
	return 0;
}

SEC("iter/cgroup")
int apply_load(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cg = ctx->cgroup;
	struct pv_load_count *c;
	struct pv_load_state *s;
	__u64 id, active = 0;
	__u32 running = 0, threads = 0, n;

	if (!cg || BPF_CORE_READ(cg, level) <= 0)
		return 0;
	id = BPF_CORE_READ(cg, kn, id);
	c = bpf_map_lookup_elem(&loadavg_counts, &id);
	if (c && c->gen == cur_gen) {
		active = c->nr_active;
		running = c->nr_running;
		threads = c->nr_threads;
		/* Consumed: keeps the count map as small as one pass. */
		bpf_map_delete_elem(&loadavg_counts, &id);
	}
	s = bpf_map_lookup_elem(&loadavg_state, &id);
	if (!s) {
		/* A new cgroup starts from 0, as the kernel's avenrun at boot,
		 * and takes only the samples due with this pass. */
		struct pv_load_state z = { .applied = target - ticks };

		bpf_map_update_elem(&loadavg_state, &id, &z, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&loadavg_state, &id);
		if (!s)
			return 0;
	}
	if (s->applied > target)
		s->applied = target; /* cannot happen with a consistent meta */
	if (s->applied < target) {
		__u64 due = target - s->applied;
		__u64 a = active * PV_FIXED_1;

		n = due > PV_LOADAVG_MAX_CATCHUP ? PV_LOADAVG_MAX_CATCHUP : (__u32)due;
		s->avenrun[0] = pv_calc_load_n_inl(s->avenrun[0], PV_EXP_1, a, n);
		s->avenrun[1] = pv_calc_load_n_inl(s->avenrun[1], PV_EXP_5, a, n);
		s->avenrun[2] = pv_calc_load_n_inl(s->avenrun[2], PV_EXP_15, a, n);
		s->applied = target;
	}
	s->nr_active = (__u32)active;
	s->nr_running = running;
	s->nr_threads = threads;
	s->gen = cur_gen;
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	struct pid *pid = BPF_CORE_READ(child, thread_pid);
	unsigned int level, i;

	if (!pid)
		return 0;
	level = BPF_CORE_READ(pid, level);
	/* The child got a number in its namespace and every ancestor one. */
	for (i = 1; i < PV_LOADAVG_MAX_PIDNS_LEVEL; i++) {
		struct pid_namespace *ns;

		if (i > level)
			break;
		ns = BPF_CORE_READ(pid, numbers[i].ns);
		if (!ns)
			break;
		store_lastpid(ns);
	}
	return 0;
}
