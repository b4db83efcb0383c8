// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who opens a procview file: see include/procview_reader_id.h.
 * The fuse_request_send tracepoint fires as a request is queued for the
 * daemon; an OPEN is a synchronous request, queued by the opener itself,
 * so current is the reader and the record is in place before the daemon
 * can read the request. Only OPENs of files on our own superblock (pv_dev,
 * set by the daemon once mounted) are recorded, keyed by the pid the
 * request carries (what the daemon sees as the request's pid); so are
 * READs at offset 0 of the nodes in pv_sample_nodes, with the memory
 * sample only (a READ, too, is queued by the reader itself). A
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
__u32 pv_map_all = 0;         /* 1: every OPEN's record in pv_rid too (the
				 daemon could not map the slots) */
const volatile __u32 pv_nr_subsys = 0; /* CGROUP_SUBSYS_COUNT, capped */
const volatile __s32 pv_mem_ss = -1;   /* memory_cgrp_id; -1: no memory sample */
const volatile __u32 pv_ss_mask = ~0u; /* subsystem ids whose cgroup the daemon uses */
const volatile __s32 pv_io_ss = -1;    /* io_cgrp_id on a v1 hierarchy; -1: no blkio fields */
/* Nodes whose OPENs and re-reads (READ at offset 0) carry a memory
 * sample (meminfo, swaps), set by the daemon; 0: none. */
__u64 pv_sample_nodes[PV_SAMPLE_NODES] = {};
/* Nodes whose OPENs and re-reads carry a blkio probe (diskstats), set by
 * the daemon; 0: none. */
__u64 pv_probe_nodes[PV_SAMPLE_NODES] = {};

/*
 * Events after which a memory.stat read may print something else, counted:
 * the end of every cgroup rstat flush pass (any subsystem, any cgroup;
 * memory cgroup statistics change only inside one) and every CPU hotplug
 * step (the kernel's flush threshold scales with the CPUs online). The
 * daemon reuses its copy of a read while the count stands still
 * (daemon/memstat_cache.h). Mapped by the daemon (the skeleton's .bss).
 */
__u64 pv_memstat_epoch = 0;
/* CPU hotplug steps alone: the daemon counts the online CPUs again only
 * after one. */
__u64 pv_cpuhp_steps = 0;
/* Cgroups made on the host, any hierarchy: a blkio cgroup seen without
 * children at two OPENs with the same count had none in between
 * (daemon/blkio_kept.h). */
__u64 pv_cg_mkdirs = 0;

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

#define PV_FUSE_READ 15   /* enum fuse_opcode FUSE_READ */

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

	/* Kernels without per-cgroup flush thresholds (before 6.8), memsw
	   or memory cgroups at all: no sample; the program still loads. */
	if (!bpf_core_type_exists(struct mem_cgroup) ||
	    !bpf_core_field_exists(struct memcg_vmstats, stats_updates) ||
	    !bpf_core_field_exists(struct mem_cgroup, memsw))
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

/* The task whose cgroups are the reader's container: the reader, or its
 * pid namespace's init in a child namespace (@level: the reader's pid
 * namespace level). NULL when the kernel's data were not there to read. */
static __always_inline struct task_struct *container_task(unsigned int *level)
{
	struct task_struct *src = bpf_get_current_task_btf();
	struct pid_namespace *ns = NULL;
	struct pid *pid;

	pid = BPF_CORE_READ(src, thread_pid);
	*level = BPF_CORE_READ(pid, level);
	if (*level > 0) {
		/* task_active_pid_ns(): the namespace the reader lives in. */
		if (bpf_core_read(&ns, sizeof(ns), &pid->numbers[*level & 63].ns) || !ns)
			return NULL;
		src = BPF_CORE_READ(ns, child_reaper);
	}
	return src;
}

/* The blkio cgroup of @cset: its id in v->ss_id, whether it has
 * children, live or dying (a dying one stays on the list until released,
 * after its blkgs went offline), and the count of cgroups made before
 * that was seen. */
static __always_inline void blkio_of(struct pv_rid *v, struct css_set *cset)
{
	struct cgroup_subsys_state *css = NULL;
	struct list_head *next = NULL;
	__u64 mkdirs;

	if (pv_io_ss < 0 || pv_io_ss >= PV_RID_SUBSYS)
		return;
	/* Loaded first: a child linked after the look below was made after
	   it, and its cgroup_mkdir event comes later still. */
	mkdirs = *(volatile __u64 *)&pv_cg_mkdirs;
	if (bpf_core_read(&css, sizeof(css), &cset->subsys[pv_io_ss & (PV_RID_SUBSYS - 1)]) ||
	    !css)
		return;
	v->ss_id[pv_io_ss & (PV_RID_SUBSYS - 1)] = BPF_CORE_READ(css, cgroup, kn, id);
	if (bpf_core_read(&next, sizeof(next), &css->children.next) || !next)
		return;
	v->io_mkdirs = mkdirs;
	v->io_flags = PV_IO_SEEN | (next == &css->children ? PV_IO_ALONE : 0);
}

/* The memory cgroup of @cset: its id in v->ss_id and its sample. */
static __always_inline void memory_of(struct pv_rid *v, struct css_set *cset)
{
	struct cgroup_subsys_state *css = NULL;

	if (pv_mem_ss < 0 || pv_mem_ss >= PV_RID_SUBSYS)
		return;
	if (bpf_core_read(&css, sizeof(css), &cset->subsys[pv_mem_ss & (PV_RID_SUBSYS - 1)]) ||
	    !css)
		return;
	v->ss_id[pv_mem_ss & (PV_RID_SUBSYS - 1)] = BPF_CORE_READ(css, cgroup, kn, id);
	sample_memcg(v, css);
}

/* Is @nodeid one of @nodes (pv_sample_nodes, pv_probe_nodes)? */
static __always_inline int node_in(const __u64 *nodes, __u64 nodeid)
{
	for (int i = 0; i < PV_SAMPLE_NODES; i++)
		if (nodes[i] == nodeid)
			return 1;
	return 0;
}

/* Start record @v of request @opcode on @nodeid: the task whose cgroups
 * are the reader's container (NULL when the kernel's data were not there
 * to read), its pid namespace level in @level. */
static __always_inline struct task_struct *record_start(struct pv_rid *v, __u64 nodeid,
							 __u32 opcode, unsigned int *level)
{
	struct task_struct *src = container_task(level);

	if (!src)
		return NULL;
	v->nodeid = nodeid;
	v->opcode = opcode;
	v->at_ns = bpf_ktime_get_ns();
	return src;
}

/* Fill @v for the task that queued @req (its pid namespace's init's
 * cgroups in a child namespace); 0, or -1 when the kernel's data were not
 * there to read (the caller records an invalid record then). */
static __always_inline int build(struct pv_rid *v, struct fuse_req *req)
{
	struct css_set *cset;
	struct task_struct *src;
	unsigned int level;

	src = record_start(v, BPF_CORE_READ(req, in.h.nodeid), PV_FUSE_OPEN, &level);
	if (!src)
		return -1;
	v->cpu = bpf_get_smp_processor_id();
	v->pidns_level = level;
	v->init_tgid = BPF_CORE_READ(src, tgid);
	cset = BPF_CORE_READ(src, cgroups);
	v->dfl_id = BPF_CORE_READ(cset, dfl_cgrp, kn, id);
	for (int i = 0; i < PV_RID_SUBSYS; i++) {
		struct cgroup_subsys_state *css = NULL;

		if (i >= pv_nr_subsys)
			break;
		if (!(pv_ss_mask & (1u << i)))
			continue;   /* a hierarchy the daemon has no use for */
		if (bpf_core_read(&css, sizeof(css), &cset->subsys[i]) || !css)
			continue;   /* stays 0 */
		v->ss_id[i] = BPF_CORE_READ(css, cgroup, kn, id);
	}
	/* Only meminfo and swaps render from the sample, only diskstats
	   from the probe. */
	if (node_in(pv_probe_nodes, v->nodeid))
		blkio_of(v, cset);
	if (node_in(pv_sample_nodes, v->nodeid))
		memory_of(v, cset);
	return 0;
}

/* Is @req a READ at offset 0? */
static __always_inline int reads_from_start(struct fuse_req *req)
{
	const struct fuse_read_in *in;
	__u64 off = 1;

	in = BPF_CORE_READ(req, args, in_args[0].value);
	return in && !bpf_core_read(&off, sizeof(off), &in->offset) && off == 0;
}

/* A READ at offset 0 of a file whose re-reads use the memory sample
 * (@mem) or the blkio probe (@io): only those, and their cgroup's id (the
 * handle knows the rest). -1 when one of them could not be taken. */
static __always_inline int build_read(struct pv_rid *v, __u64 nodeid, int mem, int io)
{
	struct task_struct *src;
	struct css_set *cset;
	unsigned int level;

	src = record_start(v, nodeid, PV_FUSE_READ, &level);
	if (!src)
		return -1;
	cset = BPF_CORE_READ(src, cgroups);
	if (mem)
		memory_of(v, cset);
	if (io)
		blkio_of(v, cset);
	return (mem && !v->mem_ok) || (io && !(v->io_flags & PV_IO_SEEN)) ? -1 : 0;
}

/* Is @tid's slot its OPEN of @nodeid, queued so recently that the first
 * read takes the open's rendering (fuse_ops.c)? A glance without the
 * sequence count: a wrong answer only costs a sample, or a re-read of
 * the files. */
static __always_inline int fresh_open(__u32 tid, __u64 nodeid)
{
	__u32 idx = tid & (PV_RID_SLOTS - 1);
	struct pv_rid_slot *slot = bpf_map_lookup_elem(&pv_rid_slots, &idx);

	return slot && slot->tid == tid && slot->rec.opcode == PV_FUSE_OPEN &&
	       slot->rec.nodeid == nodeid &&
	       bpf_ktime_get_ns() - slot->rec.at_ns < PV_OPEN_RENDER_FRESH_NS;
}

/* Write @v to @tid's slot under its sequence count; 0, or -1 when another
 * request is writing it right now. */
static __always_inline int put_slot(__u32 tid, const struct pv_rid *v)
{
	struct pv_rid_slot *slot;
	__u32 idx = tid & (PV_RID_SLOTS - 1);
	__u64 seq;

	slot = bpf_map_lookup_elem(&pv_rid_slots, &idx);
	if (!slot)
		return -1;
	seq = slot->seq;
	if ((seq & 1) || __sync_val_compare_and_swap(&slot->seq, seq, seq + 1) != seq)
		return -1;
	slot->tid = tid;
	slot->rec = *v;
	__sync_fetch_and_add(&slot->seq, 1);
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
	__sync_fetch_and_add(&pv_cpuhp_steps, 1);
	__sync_fetch_and_add(&pv_memstat_epoch, 1);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(pv_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	__sync_fetch_and_add(&pv_cg_mkdirs, 1);
	return 0;
}

SEC("tp_btf/fuse_request_send")
int BPF_PROG(pv_fuse_open, struct fuse_req *req)
{
	struct pv_rid v = {};   /* ~220 bytes: the stack has room */
	__u32 tid, opcode;
	__u64 nodeid;
	int mem, io;

	/* The opcode first: it is in @req itself, the mount three loads away. */
	opcode = BPF_CORE_READ(req, in.h.opcode);
	if ((opcode != PV_FUSE_OPEN && opcode != PV_FUSE_READ) || !pv_dev ||
	    BPF_CORE_READ(req, fm, sb, s_dev) != pv_dev)
		return 0;
	tid = BPF_CORE_READ(req, in.h.pid);
	if (opcode == PV_FUSE_OPEN) {
		if (build(&v, req))
			__builtin_memset(&v, 0, sizeof(v));   /* nodeid 0: matches no open */
		/* A busy slot: the daemon takes the record from pv_rid. (A
		   slot another thread's open overwrites before the daemon
		   reads it sends that open to /proc: rare, and exact.) */
		if (put_slot(tid, &v) || pv_map_all)
			bpf_map_update_elem(&pv_rid, &tid, &v, BPF_ANY);
		return 0;
	}
	nodeid = BPF_CORE_READ(req, in.h.nodeid);
	mem = node_in(pv_sample_nodes, nodeid);
	io = node_in(pv_probe_nodes, nodeid);
	if ((!mem && !io) || !reads_from_start(req) || fresh_open(tid, nodeid))
		return 0;
	/* Only the slot: a re-read without its sample reads the files. One
	   that could not be sampled leaves an invalid record, so that the
	   thread's previous re-read's sample is never taken for it. */
	if (build_read(&v, nodeid, mem, io))
		__builtin_memset(&v, 0, sizeof(v));
	put_slot(tid, &v);
	return 0;
}
