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
