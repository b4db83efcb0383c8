// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who opens a procview file: see include/procview_reader_id.h.
 * The fuse_request_send tracepoint fires as a request is queued for the
 * daemon; an OPEN is a synchronous request, queued by the opener itself,
 * so current is the reader and the record is in the map before the daemon
 * can read the request. Only OPENs of files on our own superblock (pv_dev,
 * set by the daemon once mounted) are recorded, keyed by the pid the
 * request carries (what the daemon sees as the request's pid). A
 * tracepoint, not fentry on fuse_open: kernels without ftrace direct calls
 * (this project's CI machine) refuse every fentry program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "procview_reader_id.h"

char LICENSE[] SEC("license") = "GPL";

__u32 pv_dev = 0;             /* kernel dev_t of our mount; 0 = record none */
const volatile __u32 pv_nr_subsys = 0; /* CGROUP_SUBSYS_COUNT, capped */
const volatile __s32 pv_mem_ss = -1;   /* memory_cgrp_id; -1: no memory sample */

/*
 * Events after which a memory.stat read may print something else, counted:
 * the end of every cgroup rstat flush pass (any subsystem, any cgroup;
 * memory cgroup statistics change only inside one) and every CPU hotplug
 * step (the kernel's flush threshold scales with the CPUs online). The
 * daemon reuses its copy of a read while the count stands still
 * (daemon/memstat_cache.h). Mapped by the daemon (the skeleton's .bss).
 */
__u64 pv_memstat_epoch = 0;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PV_RID_ENTRIES);
	__type(key, __u32);
	__type(value, struct pv_rid);
} pv_rid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PV_RID_SLOTS);
	__type(key, __u32);
	__type(value, struct pv_rid_slot);
} pv_rid_slots SEC(".maps");

#define PV_FUSE_OPEN 14   /* enum fuse_opcode FUSE_OPEN (uapi, stable) */

/* Depth of the cgroup tree walked for the hierarchical limits. */
#define PV_MEM_MAX_DEPTH 32

/* v->mem_*: the counters of memory cgroup @css (its memory.stat read's
 * hierarchical limits, usage and pending updates); mem_ok stays 0 when a
 * field is missing on this kernel or unreadable. */
static __always_inline void sample_memcg(struct pv_rid *v, struct cgroup_subsys_state *css)
{
	__u64 off = bpf_core_field_offset(struct mem_cgroup, css);
	__u64 mem_max = ~0ULL, memsw_max = ~0ULL, x;
	struct mem_cgroup *memcg, *mi;
	struct memcg_vmstats *vs;
	int i;

	if (!bpf_core_field_exists(struct memcg_vmstats, stats_updates))
		return;
	memcg = (struct mem_cgroup *)((char *)css - off);
	vs = BPF_CORE_READ(memcg, vmstats);
	if (!vs)
		return;
	if (bpf_core_field_size(vs->stats_updates) == 8) {
		__s64 u = 0;

		if (bpf_core_read(&u, sizeof(u), &vs->stats_updates))
			return;
		v->mem_updates = u < 0 ? 1 : (__u64)u;
	} else {
		__s32 u = 0;

		if (bpf_core_read(&u, sizeof(u), &vs->stats_updates))
			return;
		v->mem_updates = u < 0 ? 1 : (__u64)u;
	}
	v->mem_usage = BPF_CORE_READ(memcg, memory.usage.counter);
	v->memsw_usage = BPF_CORE_READ(memcg, memsw.usage.counter);
	mi = memcg;
	for (i = 0; i < PV_MEM_MAX_DEPTH && mi; i++) {
		struct cgroup_subsys_state *parent;

		x = BPF_CORE_READ(mi, memory.max);
		if (x < mem_max)
			mem_max = x;
		x = BPF_CORE_READ(mi, memsw.max);
		if (x < memsw_max)
			memsw_max = x;
		parent = BPF_CORE_READ(mi, css.parent);
		mi = parent ? (struct mem_cgroup *)((char *)parent - off) : NULL;
	}
	if (mi)
		return;   /* deeper than we walk: no sample */
	v->mem_max = mem_max;
	v->memsw_max = memsw_max;
	v->mem_ok = 1;
}

/* Fill @v for the task that queued @req (its pid namespace's init's
 * cgroups in a child namespace); 0, or -1 when the kernel's data were not
 * there to read (the caller records an invalid record then). */
static __always_inline int build(struct pv_rid *v, struct fuse_req *req)
{
	struct task_struct *src = bpf_get_current_task_btf();
	struct pid_namespace *ns = NULL;
	struct css_set *cset;
	struct pid *pid;
	unsigned int level;

	pid = BPF_CORE_READ(src, thread_pid);
	level = BPF_CORE_READ(pid, level);
	if (level > 0) {
		/* task_active_pid_ns(): the namespace the reader lives in. */
		if (bpf_core_read(&ns, sizeof(ns), &pid->numbers[level & 63].ns) || !ns)
			return -1;
		src = BPF_CORE_READ(ns, child_reaper);
		if (!src)
			return -1;
	}
	v->nodeid = BPF_CORE_READ(req, in.h.nodeid);
	v->cpu = bpf_get_smp_processor_id();
	v->pidns_level = level;
	v->init_tgid = BPF_CORE_READ(src, tgid);
	cset = BPF_CORE_READ(src, cgroups);
	v->dfl_id = BPF_CORE_READ(cset, dfl_cgrp, kn, id);
	for (int i = 0; i < PV_RID_SUBSYS; i++) {
		struct cgroup_subsys_state *css = NULL;

		if (i >= pv_nr_subsys)
			break;
		if (bpf_core_read(&css, sizeof(css), &cset->subsys[i]) || !css)
			continue;   /* stays 0 */
		v->ss_id[i] = BPF_CORE_READ(css, cgroup, kn, id);
	}
	if (pv_mem_ss >= 0 && pv_mem_ss < PV_RID_SUBSYS) {
		struct cgroup_subsys_state *css = NULL;

		if (!bpf_core_read(&css, sizeof(css), &cset->subsys[pv_mem_ss & (PV_RID_SUBSYS - 1)]) &&
		    css)
			sample_memcg(v, css);
	}
	return 0;
}

SEC("tp_btf/cgroup_rstat_unlock")
int BPF_PROG(pv_rstat_unlock, struct cgroup *cgrp, int cpu, bool contended)
{
	__sync_fetch_and_add(&pv_memstat_epoch, 1);
	return 0;
}

SEC("tp_btf/cpuhp_exit")
int BPF_PROG(pv_cpuhp_exit, unsigned int cpu, int state, int idx, int ret)
{
	__sync_fetch_and_add(&pv_memstat_epoch, 1);
	return 0;
}

SEC("tp_btf/fuse_request_send")
int BPF_PROG(pv_fuse_open, struct fuse_req *req)
{
	struct pv_rid v = {};   /* 160 bytes: the stack has room */
	struct pv_rid_slot *slot;
	__u32 tid, idx;
	__u64 seq;

	if (!pv_dev || BPF_CORE_READ(req, in.h.opcode) != PV_FUSE_OPEN ||
	    BPF_CORE_READ(req, fm, sb, s_dev) != pv_dev)
		return 0;
	tid = BPF_CORE_READ(req, in.h.pid);
	if (build(&v, req))
		__builtin_memset(&v, 0, sizeof(v));   /* nodeid 0: matches no open */
	bpf_map_update_elem(&pv_rid, &tid, &v, BPF_ANY);

	idx = tid & (PV_RID_SLOTS - 1);
	slot = bpf_map_lookup_elem(&pv_rid_slots, &idx);
	if (!slot)
		return 0;
	seq = slot->seq;
	if ((seq & 1) || __sync_val_compare_and_swap(&slot->seq, seq, seq + 1) != seq)
		return 0;   /* another open is writing it; the daemon uses pv_rid */
	slot->tid = tid;
	slot->rec = v;
	__sync_fetch_and_add(&slot->seq, 1);
	return 0;
}
