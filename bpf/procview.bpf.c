// SPDX-License-Identifier: GPL-2.0-only
/*
 * procview CPU accounting, per container cgroup and per CPU.
 *
 * One program sits on the scheduler's hot path: tp_btf/sched_stat_runtime,
 * which the kernel fires from update_curr() for every runtime increment of
 * a fair or RT task (ticks, switches, wakeup preemption). From the task it
 * reads exact counters the kernel keeps anyway and books their deltas since
 * the last event of the same task (kept in task storage):
 *   runtime  the tracepoint's delta (exactly what cpuacct.usage adds)
 *   user/system/nice  the runtime delta split by the task's most recent
 *            utime/stime tick deltas (the kernel's own cputime_adjust
 *            proportional split; nice when static_prio > DEFAULT_PRIO)
 *   ctxt     nvcsw + nivcsw deltas (what /proc/<pid>/status shows)
 *   steal    sched_info.run_delay deltas (time runnable but waiting)
 * Everything lands in the task's own cgroup with one per-CPU hash lookup
 * (no ancestor walk, no locks). The daemon sums a container's subtree at
 * read time; when a cgroup is removed its totals are folded into its
 * parent's pv_cpu_dead entry so a parent's sums never go backwards and the
 * removed cgroup leaves no entry behind.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "core_fixes.bpf.h"
#include "procview_maps.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load (struct pv_cgroups picks them). */
const volatile int pv_v2 = 0;          /* key by the cgroup2 hierarchy */
const volatile int pv_use_cpuacct = 1; /* v1: cpuacct (1) or cpu (0) */
const volatile int pv_hier_id = 0;     /* root->hierarchy_id (0 = v2) */
const volatile __u32 pv_nr_cpus = 1;   /* possible CPUs, for the fold */

#define PV_DEFAULT_PRIO 120  /* static_prio of nice 0 (MAX_RT_PRIO + 20) */
#define PV_PF_KTHREAD 0x00200000
#define PV_TASK_UNINTERRUPTIBLE 0x0002
#define PV_TASK_NOLOAD 0x0400

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, PV_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct pv_cpu_stat);
} pv_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, PV_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct pv_cpu_stat);
} pv_cpu_dead SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PV_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct pv_cg_start);
} pv_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pv_task_state);
} pv_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pv_meta);
} pv_meta SEC(".maps");

/* max_entries is set by the loader from the CPU count (pv_hwm_max_entries). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PV_MAX_CGROUPS);
	__type(key, struct pv_hwm_key);
	__type(value, struct pv_hwm);
} pv_hwm SEC(".maps");

static __always_inline void pv_count_dropped(void)
{
	__u32 zero = 0;
	struct pv_meta *m = bpf_map_lookup_elem(&pv_meta, &zero);

	if (m)
		__sync_fetch_and_add(&m->dropped, 1);
}

/*
 * The task's cgroup in the CPU-accounting hierarchy, or NULL for the root
 * (the host is no container: nothing to count) and for cgroups already
 * being removed (a zombie's last switch must not re-create their entry).
 */
static __always_inline struct cgroup *pv_task_cgroup(struct task_struct *t)
{
	struct css_set *cs = t->cgroups;
	struct cgroup *cg;

	if (!cs)
		return NULL;
	if (pv_v2) {
		cg = cs->dfl_cgrp;
	} else {
		struct cgroup_subsys_state *css;

		if (pv_use_cpuacct)
			css = cs->subsys[bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id)];
		else
			css = cs->subsys[bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id)];
		if (!css)
			return NULL;
		cg = css->cgroup;
	}
	if (!cg || cg->level == 0 || !(cg->self.flags & CSS_ONLINE))
		return NULL;
	return cg;
}

static __always_inline __u64 pv_cgroup_id(struct cgroup *cg)
{
	struct kernfs_node *kn = cg->kn;

	return kn ? kn->id : 0;
}

/* This CPU's slot of @cgid's counters, created zeroed on first use. */
static __always_inline struct pv_cpu_stat *pv_stat_slot(__u64 cgid)
{
	static const struct pv_cpu_stat zero;
	struct pv_cpu_stat *s;
	long err;

	s = bpf_map_lookup_elem(&pv_cpu, &cgid);
	if (s)
		return s;
	err = bpf_map_update_elem(&pv_cpu, &cgid, &zero, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST: raced with another CPU */) {
		pv_count_dropped();
		return NULL;
	}
	return bpf_map_lookup_elem(&pv_cpu, &cgid);
}

SEC("tp_btf/sched_stat_runtime")
int BPF_PROG(pv_runtime, struct task_struct *t, u64 delta)
{
	struct pv_task_state *ts;
	struct pv_cpu_stat *s;
	struct cgroup *cg;
	__u64 cgid, utime, stime, nsw, rd, du, ds, sys;

	cg = pv_task_cgroup(t);
	if (!cg)
		return 0;
	cgid = pv_cgroup_id(cg);
	if (!cgid)
		return 0;
	ts = bpf_task_storage_get(&pv_task, t, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ts)
		return 0;
	s = pv_stat_slot(cgid);
	if (!s)
		return 0;

	utime = t->utime;
	stime = t->stime;
	nsw = t->nvcsw + t->nivcsw;
	rd = t->sched_info.run_delay;
	if (!ts->seen) {
		/*
		 * First sight of this task: its history predates us, so only
		 * the split ratio is taken from it (cumulative ticks), and
		 * kernel threads are all system time.
		 */
		if (t->flags & PV_PF_KTHREAD)
			ts->sys_frac = 1024;
		else if (utime + stime)
			ts->sys_frac = (stime << 10) / (utime + stime);
		ts->utime = utime;
		ts->stime = stime;
		ts->nsw = nsw;
		ts->run_delay = rd;
		ts->seen = 1;
	}
	du = utime - ts->utime;
	ds = stime - ts->stime;
	if (du + ds) {
		ts->sys_frac = (ds << 10) / (du + ds);
		ts->utime = utime;
		ts->stime = stime;
	}
	sys = (delta * ts->sys_frac) >> 10;
	s->system_ns += sys;
	if (t->static_prio > PV_DEFAULT_PRIO)
		s->nice_ns += delta - sys;
	else
		s->user_ns += delta - sys;
	if (nsw != ts->nsw) {
		s->ctxt += nsw - ts->nsw;
		ts->nsw = nsw;
	}
	if (rd != ts->run_delay) {
		s->steal_ns += rd - ts->run_delay;
		ts->run_delay = rd;
	}
	return 0;
}

/* `processes`: every clone (threads too, as the kernel's total_forks). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(pv_fork, struct task_struct *parent, struct task_struct *child)
{
	struct pv_cpu_stat *s;
	struct cgroup *cg;
	__u64 cgid;

	/* CLONE_INTO_CGROUP children start elsewhere: use the child's set. */
	cg = pv_task_cgroup(child);
	if (!cg)
		return 0;
	cgid = pv_cgroup_id(cg);
	if (!cgid)
		return 0;
	s = pv_stat_slot(cgid);
	if (s)
		s->forks++;
	return 0;
}

static __always_inline int pv_in_our_hierarchy(struct cgroup *cg)
{
	struct cgroup_root *root = cg->root;

	return root && root->hierarchy_id == pv_hier_id;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(pv_mkdir, struct cgroup *cg, const char *path)
{
	struct pv_cg_start st = {};
	__u64 cgid;

	if (!pv_in_our_hierarchy(cg))
		return 0;
	cgid = pv_cgroup_id(cg);
	if (!cgid)
		return 0;
	st.boot_ns = bpf_ktime_get_boot_ns();
	st.flags = PV_START_MKDIR;
	if (bpf_map_update_elem(&pv_start, &cgid, &st, BPF_ANY))
		pv_count_dropped();
	return 0;
}

static __always_inline void pv_add(struct pv_cpu_stat *d, const struct pv_cpu_stat *s)
{
	d->user_ns += s->user_ns;
	d->nice_ns += s->nice_ns;
	d->system_ns += s->system_ns;
	d->steal_ns += s->steal_ns;
	d->ctxt += s->ctxt;
	d->forks += s->forks;
}

/*
 * rmdir runs under cgroup_mutex, so this program is the only writer of
 * pv_cpu_dead, and the removed cgroup has no tasks left to write its
 * pv_cpu entry: plain adds into other CPUs' slots are safe here.
 */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(pv_rmdir, struct cgroup *cg, const char *path)
{
	static const struct pv_cpu_stat zero;
	struct cgroup_subsys_state *pcss;
	struct cgroup *parent = NULL;
	__u64 cgid, pid = 0;
	__u32 cpu;

	if (!pv_in_our_hierarchy(cg))
		return 0;
	cgid = pv_cgroup_id(cg);
	if (!cgid)
		return 0;
	pcss = cg->self.parent;
	if (pcss)
		parent = pcss->cgroup;
	/* Fold only into a container (the root is no container). */
	if (parent && parent->level > 0) {
		pid = pv_cgroup_id(parent);
		if (pid && !bpf_map_lookup_elem(&pv_cpu_dead, &pid) &&
		    bpf_map_update_elem(&pv_cpu_dead, &pid, &zero, BPF_NOEXIST))
			pv_count_dropped();
		for (cpu = 0; cpu < PV_BPF_MAX_CPUS && cpu < pv_nr_cpus; cpu++) {
			struct pv_cpu_stat *d, *o, *x;

			d = bpf_map_lookup_percpu_elem(&pv_cpu_dead, &pid, cpu);
			if (!d)
				break;
			o = bpf_map_lookup_percpu_elem(&pv_cpu, &cgid, cpu);
			if (o)
				pv_add(d, o);
			x = bpf_map_lookup_percpu_elem(&pv_cpu_dead, &cgid, cpu);
			if (x)
				pv_add(d, x);
		}
	}
	bpf_map_delete_elem(&pv_cpu, &cgid);
	bpf_map_delete_elem(&pv_cpu_dead, &cgid);
	bpf_map_delete_elem(&pv_start, &cgid);
	{
		struct pv_hwm_key k = { .cgid = cgid, .vcpu = PV_HWM_TOTALS };

		/* Only containers someone read have marks: skip the loop otherwise. */
		if (!bpf_map_delete_elem(&pv_hwm, &k))
			for (k.vcpu = 0; k.vcpu < PV_HWM_MAX_VCPUS && k.vcpu < pv_nr_cpus; k.vcpu++)
				bpf_map_delete_elem(&pv_hwm, &k);
	}
	return 0;
}

/*
 * procs_running / procs_blocked now: attached on demand to the container's
 * cgroup (pre-order over its descendants), it walks only their tasks with
 * the open-coded css task iterator and emits one record per cgroup.
 */
extern int bpf_iter_css_task_new(struct bpf_iter_css_task *it,
				 struct cgroup_subsys_state *css, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_css_task_next(struct bpf_iter_css_task *it) __weak __ksym;
extern void bpf_iter_css_task_destroy(struct bpf_iter_css_task *it) __weak __ksym;

/* Always 0; writable (.bss), so opaque to the verifier. */
__u32 pv_unknown_zero = 0;

SEC("iter/cgroup")
int pv_iter_tasks(struct bpf_iter__cgroup *ctx)
{
	struct pv_task_count_rec rec = {};
	struct cgroup *cg = ctx->cgroup;
	struct bpf_iter_css_task it;
	struct task_struct *t;
	unsigned int st;

	if (!cg)
		return 0;
	/*
	 * Start from a value the verifier cannot know, or it tracks every
	 * count exactly and the open-coded loop never converges.
	 */
	rec.threads = rec.running = rec.blocked = pv_unknown_zero;
	bpf_iter_css_task_new(&it, &cg->self, 0);
	while ((t = bpf_iter_css_task_next(&it))) {
		st = pv_task_state(t);
		rec.threads++;
		if (st == 0)
			rec.running++;
		else if ((st & PV_TASK_UNINTERRUPTIBLE) && !(st & PV_TASK_NOLOAD))
			rec.blocked++;
	}
	bpf_iter_css_task_destroy(&it);
	/*
	 * A cgroup iterator session must fit in one read() (a second read
	 * gets -EOPNOTSUPP): emit only cgroups that hold tasks.
	 */
	if (rec.threads)
		bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
